#!/usr/bin/env bash
# t4005: how reup-pos takes PINs. Covers: --pin - reads one line of standard input
# (cashier add, shift open, void --manager, cashier unlock); a PIN that is not 4 to 12
# digits, an empty standard input, and no terminal without --pin are refused (exit 2);
# --pin PIN works with a warning; at a terminal (a tmux pane) the PIN is asked for, not
# echoed, a new cashier's twice (two that differ are refused); a signal while the PIN is
# asked for leaves the terminal's echo on; cashier unlock's usage.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-offline.sh"

expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<< 4321
checks=$((checks + 1)); grep -q "visible" "$T/err" && fail "--pin - is warned about: $(cat "$T/err")"
expect_exit 0 $POS cashier add --id 2002 --name "Tom Berg" --role cashier --pin 1111 --manager 1001 --manager-pin - <<< 4321
expect_err "reup-pos: warning: the PIN is visible to other users in the process list; use --pin - or type it"
for bad in 12a4 123 1234567890123 ""; do
  expect_exit 2 $POS cashier add --id 3003 --name "Ann Lee" --role cashier --pin - --manager 1001 --manager-pin - <<< $'4321\n'"$bad"
  expect_err "a PIN is 4 to 12 digits"
done
expect_exit 2 $POS cashier add --id 3003 --name "Ann Lee" --role cashier --pin - --manager 1001 --manager-pin - <<< 4321
expect_err "no PIN on standard input"
expect_exit 2 setsid -w $POS shift open --cashier 2002 --float 100 < /dev/null
expect_err "no terminal to type the PIN at: give --pin -"
expect_exit 0 $POS shift open --cashier 2002 --pin - --float 100 <<< 1111
expect_exit 3 $POS void 1 --manager 1001 --pin - <<< 4321
expect_err "there is no sale 1"
expect_exit 2 $POS cashier unlock 2002
expect_err "give --manager ID"
expect_exit 2 $POS cashier unlock
expect_exit 0 $POS cashier --help
expect_out "cashier unlock ID --manager MANAGER_ID"
expect_exit 0 $POS --help
expect_out "^  6  the other side refused"
expect_out "the cashier refused: a number and PIN that do not match, or locked"

# at a terminal: a new cashier's PIN twice, without echo
pos_tmux "echo 4321 | $POS cashier add --id 3003 --name 'Ann Lee' --role cashier --manager 1001 --manager-pin - > $T/add.out 2>&1; echo exited \$? >> $T/add.out; echo 4321 | $POS cashier add --id 3003 --name 'Ann Lee' --role cashier --manager 1001 --manager-pin -; echo exited \$? >> $T/add.out; sleep 60"
expect_screen "PIN of the new cashier 3003:"
keys 2468 Enter
expect_screen "Type it again:"
keys 2469 Enter
for _ in $(seq 1 100); do grep -q exited "$T/add.out" 2>/dev/null && break; sleep 0.05; done
checks=$((checks + 1)); grep -q "exited 2" "$T/add.out" || fail "two PINs that differ: $(cat "$T/add.out")"
expect_err_in() { checks=$((checks + 1)); grep -q -- "$1" "$2" || fail "$2 lacks '$1': $(cat "$2")"; }
expect_err_in "the two PINs typed differ" "$T/add.out"
# twice_on_screen TEXT: until the screen shows TEXT twice (the second command's prompt)
twice_on_screen() {
  checks=$((checks + 1))
  for _ in $(seq 1 100); do [ "$(screen | grep -c -- "$1")" -ge 2 ] && return; sleep 0.05; done
  fail "the screen does not show '$1' twice: $(screen)"
}
twice_on_screen "PIN of the new cashier 3003:"
keys 2468 Enter
twice_on_screen "Type it again:"
keys 2468 Enter
expect_screen "added as cashier"
checks=$((checks + 1)); screen | grep -q 246 && fail "the PIN typed is on the screen: $(screen)"
tmux kill-server
expect_exit 0 $POS shift close --counted 100
expect_exit 0 $POS shift open --cashier 3003 --pin - --float 100 <<< 2468

# SIGTERM while the PIN is asked for: the terminal's echo is on again
pos_tmux "$POS cashier unlock 2002 --manager 1001; stty -a > $T/stty; sleep 60"
expect_screen "PIN of cashier 1001:"
keys 43
pid=$(pgrep -n -f "reup-pos --config $T/pos.conf cashier unlock")
checks=$((checks + 1)); [ -n "$pid" ] && kill -TERM "$pid" || fail "no reup-pos asking for the PIN"
for _ in $(seq 1 100); do [ -s "$T/stty" ] && break; sleep 0.05; done
checks=$((checks + 1)); grep -Eq '(^| )echo( |$)' "$T/stty" || fail "the echo is off after SIGTERM: $(cat "$T/stty")"
finish
