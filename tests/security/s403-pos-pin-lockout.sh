#!/usr/bin/env bash
# s403: guessing a cashier's PIN stops after five tries. Attacks: an unknown cashier
# number (the words and exit 6 of a wrong PIN); five wrong PINs for cashier 2002, then
# the right one: refused with exit 6 (the till refuses the cashier, docs/exit-codes.md) and
# the lock's end in the message (the PIN is not even checked); restart reup-pos and try again (still locked: the lock is
# in the journal); try the manager's approval path (void --manager) and the full-screen ui
# with the locked cashier (locked there too, the time shown); a cashier (not a manager)
# tries to unlock themselves (refused). A manager unlocks (journaled: verify replays it),
# then the right PIN works. A right PIN after four wrong ones resets the count. Guessing a
# manager's PIN through `cashier unlock` locks the manager the same way. The 15 minutes'
# end is tested in tests/unit/test_journal.c with the clock given to the check.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/pos-offline.sh"

$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<< 4321 >/dev/null
$POS cashier add --id 2002 --name "Tom Berg" --role cashier --manager 1001 --manager-pin - --pin - <<< $'4321\n1111' >/dev/null
$POS cashier add --id 3003 --name "Ann Lee" --role cashier --manager 1001 --manager-pin - --pin - <<< $'4321\n3333' >/dev/null
open_as() { $POS shift open --cashier "$1" --pin - --float 100 <<< "$2"; }

# a number nobody has gets the words and the exit code of a wrong PIN: no hint which exist
expect_exit 6 open_as 9999 1111
expect_err "cashier 9999 and that PIN do not match"
# four wrong and a right one: the count starts again
for _ in 1 2 3 4; do expect_exit 6 open_as 2002 9999; done
expect_err "4 wrong in a row: at 5 the cashier is locked for 15 minutes"
expect_exit 0 open_as 2002 1111
expect_exit 0 $POS shift close --counted 100
for _ in 1 2 3 4; do expect_exit 6 open_as 2002 9999; done
expect_exit 6 open_as 2002 9998
expect_err "5 wrong PINs in a row lock the cashier until [0-9-]+ [0-9:]+ UTC"
until=$(sed -n 's/.*until \([0-9-]* [0-9:]* UTC\).*/\1/p' "$T/err")
# the right PIN is refused now, and after a restart (each command is a new process)
expect_exit 6 open_as 2002 1111
expect_err "cashier 2002 is locked after 5 wrong PINs until $until: a manager can unlock it"
expect_exit 6 open_as 2002 1111
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM shift WHERE closed_at IS NULL")" 0 "shifts opened while locked"
# locked in the full-screen terminal as well, with the time it ends
pos_tmux "$POS ui 2> $T/ui.err"
expect_screen "Sign in with your cashier number and PIN"
keys 2002 Enter 1111 Enter
expect_screen "Cashier 2002 is locked after 5 wrong PINs until $until"
keys F10
# a cashier cannot lift it, nor can the locked cashier approve anything
expect_exit 2 $POS cashier unlock 2002 --manager 3003 --pin - <<< 3333
expect_err "not a manager"
expect_exit 6 open_as 2002 1111
# the manager unlocks, and the right PIN works
expect_exit 0 $POS cashier unlock 2002 --manager 1001 --pin - <<< 4321
expect_out "cashier 2002 unlocked by manager 1001"
expect_exit 0 open_as 2002 1111
expect_exit 0 $POS verify
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM entry WHERE type = 'cashier_unlock' AND body LIKE '%\"by\":\"1001\"%'")" 1 "unlock entries in the chain"
# lifting the lock behind the journal's back is caught by verify
sqlite3 "$T/pos.db" "UPDATE cashier SET failed_pins = 3 WHERE id = '3003'"
expect_exit 1 $POS verify
expect_err "cashier 3003 has another count of wrong PINs or lock than the journal"
sqlite3 "$T/pos.db" "UPDATE cashier SET failed_pins = 0 WHERE id = '3003'"
# a manager's PIN guessed through the unlock command locks the manager
for _ in 1 2 3 4 5; do expect_exit 6 $POS cashier unlock 3003 --manager 1001 --pin - <<< 0000; done
expect_exit 6 $POS cashier unlock 3003 --manager 1001 --pin - <<< 4321
expect_err "cashier 1001 is locked"
expect_exit 6 $POS void 1 --manager 1001 --pin - <<< 4321
expect_exit 0 $POS verify
finish
