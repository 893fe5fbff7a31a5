#!/usr/bin/env bash
# t4011: the receipt prints behind the answer. On the full-screen terminal (tmux) with a
# slow printer (the job takes 4 s), APPROVED shows within 1 s of Enter, before the receipt
# is out, and the next card can be scanned while it prints; the receipt comes out after.
# With the queue stopped, APPROVED shows at once, the receipt waits in the outbox and the
# screen says so; started again, `reup-pos sync` (run beside the screen) prints it. From
# the command line, `sell` answers first and prints the receipt before it exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
docs() { ls "$CUPS_DIR"/out/job-*-"$1".pdf 2>/dev/null | wc -l; }
waiting() { sqlite3 "$T/pos.db" "SELECT count(*) FROM outbox WHERE kind = 'receipt' AND done_at IS NULL"; }
stopped() { sqlite3 "$T/pos.db" "SELECT count(*) FROM outbox WHERE done_at IS NULL AND last_error LIKE '%stopped%'"; }
$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321 >/dev/null
. "$(dirname "$0")/tmux-lib.sh"
pos_tmux "$POS ui 2> $T/ui.err; echo exited \$? > $T/ui.done"
# until CMD prints WANT (10 s at most)
until_eq() { for _ in $(seq 1 100); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done; return 1; }

expect_screen "Sign in with your cashier number and PIN"
keys 1001 Enter 4321 Enter
expect_screen "No shift is open"
keys 100.00 Enter
expect_screen "Shift open"

# a slow printer: the next job the backend runs takes 4 s
echo 4 > "$CUPS_DIR/hang_s"
echo "$(( $(cat "$CUPS_DIR/count" 2>/dev/null || echo 0) + 1 )) hang" > "$CUPS_DIR/fault"
s1=$(serial_n 1)
keys "$s1" Enter
expect_screen "1 x Re-Up card ************${s1:12:4}"
keys Enter
expect_screen "Cash given:"
keys 50
start=$(date +%s%N)
keys Enter
checks=$((checks + 1))
wait_for "APPROVED sale 1" 10 || fail "APPROVED did not show within 1 s of Enter: $(screen)"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "$(docs receipts)" 0 "receipts out when APPROVED showed (after ${elapsed_ms} ms)"
# the screen takes the next card while the receipt prints
s2=$(serial_n 2)
keys "$s2" Enter
expect_screen "1 x Re-Up card ************${s2:12:4}"
expect_eq "$(docs receipts)" 0 "receipts out while the next card was scanned"
checks=$((checks + 1)); until_eq "docs receipts" 1 || fail "the receipt of sale 1 never printed"
checks=$((checks + 1)); [ -e "$CUPS_DIR/hanging" ] || fail "the receipt of sale 1 did not go through the slow printer"
checks=$((checks + 1)); until_eq waiting 0 || fail "the printed receipt still waits in the outbox"

# a stopped printer: the answer at once, the receipt waits and the screen says so
cupsdisable -h "$CUPS_DIR/sock" receipts
keys F3
checks=$((checks + 1))
wait_for "APPROVED sale 2" 10 || fail "APPROVED did not show within 1 s with the printer stopped: $(screen)"
checks=$((checks + 1))
until_eq stopped 1 ||
  fail "the receipt of sale 2 does not wait with the printer's words"
keys Escape
expect_screen "Receipt printer: "
expect_screen "The receipt waits (F8 tries again)"
expect_eq "$(docs receipts)" 1 "receipts while the printer is stopped"
cupsenable -h "$CUPS_DIR/sock" receipts
expect_exit 0 $POS sync
expect_out "sent 1, still waiting 0"
expect_eq "$(docs receipts)" 2 "receipts after sync"
pdftotext "$(ls -t "$CUPS_DIR"/out/job-*-receipts.pdf | head -1)" "$T/r2.txt"
checks=$((checks + 1)); grep -q "${s2:12:4}" "$T/r2.txt" || fail "the receipt printed by sync is not sale 2's"

keys F10
expect_screen "Sign in with your cashier number and PIN"
keys F10
for _ in $(seq 1 50); do [ -e "$T/ui.done" ] && break; sleep 0.1; done
expect_eq "$(cat "$T/ui.done" 2>/dev/null)" "exited 0" "reup-pos ui at the end"

# the command line: the answer is on stdout before the (slow) receipt is printed, and the
# receipt is out when the command ends
echo 2 > "$CUPS_DIR/hang_s"
echo "$(( $(cat "$CUPS_DIR/count") + 1 )) hang" > "$CUPS_DIR/fault"
rm -f "$CUPS_DIR/hanging"
mkfifo "$T/pipe"
$POS sell --serial "$(serial_n 3)" --cash 40 --json > "$T/pipe" 2> "$T/sell.err" &
sell_pid=$!
on_exit 'kill "$sell_pid" 2>/dev/null'
exec 3< "$T/pipe"
IFS= read -r -t 5 first <&3
checks=$((checks + 1)); [ "$first" = "{" ] || fail "sell did not answer on stdout at once: '$first'"
expect_eq "$(docs receipts)" 2 "receipts when sell answered"
cat <&3 > "$T/sell.out"
wait "$sell_pid"
expect_eq "$?" 0 "sell's exit"
exec 3<&-
expect_eq "$(docs receipts)" 3 "receipts when sell ended"
checks=$((checks + 1)); [ -e "$CUPS_DIR/hanging" ] || fail "the command's receipt did not go through the slow printer"
expect_exit 0 $POS verify
finish
