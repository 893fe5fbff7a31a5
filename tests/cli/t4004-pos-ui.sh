#!/usr/bin/env bash
# t4004: the full-screen terminal (reup-pos ui) driven through tmux with the keyboard
# alone: a wrong PIN is told in plain words; sign in; open the shift with a float; scan
# a card (twice: one line), pay cash with the change shown; a second Enter on "pay" sells
# nothing; the card is active at the issuer; void it with the manager's approval; the X
# report; close the shift with the Z report; quit. Every screen shows its keys.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321 >/dev/null
$POS cashier add --id 2002 --name "Tom Berg" --role cashier --pin 1111 --manager 1001 --manager-pin 4321 >/dev/null
# every wait on the screen is 5 s at most
SCREEN_TENTHS=50
. "$(dirname "$0")/tmux-lib.sh"
pos_tmux "$POS ui 2> $T/ui.err; echo exited \$? > $T/ui.done"

expect_screen "Sign in with your cashier number and PIN"
expect_screen "F10: quit"
expect_screen "Issuer: reachable"
keys 2002 Enter 9999 Enter
expect_screen "do not match"
keys 2002 Enter 1111 Enter
expect_screen "No shift is open"
keys 100.00 Enter
expect_screen "Shift open"
expect_screen "F4: void"
s1=$(serial_n 1)
keys "$s1" Enter
expect_screen "1 x Re-Up card ************${s1:12:4}"
keys "$s1" Enter
expect_screen "in the sale already"
checks=$((checks + 1))
[ "$(screen | grep -c 'x Re-Up card')" -eq 1 ] || fail "a double scan shows two lines"
keys Enter
expect_screen "Cash given:"
keys 50 Enter
expect_screen "APPROVED sale 1"
expect_screen "CHANGE 10.01"
expect_eq "$(card_status "$s1")" active "the card sold on screen"
keys Enter
expect_screen "Nothing to pay"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM sale")" 1 "sales after a second Enter"
keys F4
expect_screen "Void sale number:"
keys 1 Enter
expect_screen "A manager must approve this"
keys 1001 Enter 4321 Enter
expect_screen "VOID"
expect_eq "$(card_status "$s1")" issued "the card voided on screen"
keys F5
expect_screen "voids_count"
keys Enter
keys F6
expect_screen "Manager:"
keys 1001 Enter 4321 Enter
expect_screen "Cash counted in the drawer:"
keys 100.00 Enter
expect_screen "z_number"
expect_screen "over_short_cents"
keys Enter
expect_screen "Sign in with your cashier number and PIN"
keys F10
for _ in $(seq 1 50); do [ -e "$T/ui.done" ] && break; sleep 0.1; done
expect_eq "$(cat "$T/ui.done" 2>/dev/null)" "exited 0" "reup-pos ui at the end"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM zreport")" 1 "Z reports"
expect_exit 0 $POS verify
finish
