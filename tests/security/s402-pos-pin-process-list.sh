#!/usr/bin/env bash
# s402: a cashier's or manager's PIN is not shown to other users of the machine. Attacks,
# each while reup-pos waits with the PIN in hand or on its way: read /proc/PID/cmdline and
# `ps` of `shift open --pin -` waiting for the PIN on standard input, of `shift open`
# prompting at a terminal (a tmux pane) while the PIN is typed, and of `void --manager`
# prompting for the manager's PIN; read the terminal's screen after the PIN is typed (it
# is not echoed); and `--pin PIN`, still accepted for scripts: it is warned about, and
# once read it is wiped from /proc/PID/cmdline (seen while reup-pos waits for the journal,
# held locked by another connection).
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/pos-offline.sh"

$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<< 4321 >/dev/null
$POS cashier add --id 2002 --name "Tom Berg" --role cashier --manager 1001 --manager-pin - --pin - <<< $'4321\n7351' >/dev/null

# no_pin_shown PID PIN WHAT: neither /proc/PID/cmdline nor ps shows PIN (ps of PID alone: another
# test's process may hold the same digits, in a port number say)
no_pin_shown() {
  checks=$((checks + 1))
  [ -r "/proc/$1/cmdline" ] || { fail "$3: the process is gone before it could be looked at"; return; }
  if tr '\0' ' ' < "/proc/$1/cmdline" | grep -q -- "$2" || ps -ww -o args= -p "$1" | grep -q -- "$2"; then
    fail "$3: the process list shows the PIN: $(tr '\0' ' ' < "/proc/$1/cmdline")"
  fi
}
# waiting PID WCHAN: until PID sleeps in a kernel function matching WCHAN (5 s at most)
waiting() {
  local _i
  for _i in $(seq 1 100); do grep -Eq -- "$2" "/proc/$1/wchan" 2>/dev/null && return 0; sleep 0.05; done
  fail "the process did not come to wait ($2): $(cat "/proc/$1/wchan" 2>/dev/null)"
}

# --pin -: the PIN on standard input, a pipe held open while we look
mkfifo "$T/pin"
exec 3<> "$T/pin"
$POS shift open --cashier 2002 --pin - --float 100 <&3 > "$T/open.out" 2> "$T/open.err" &
pid=$!
on_exit "kill $pid"
waiting $pid pipe
no_pin_shown $pid 7351 "shift open --pin -"
echo 7351 >&3
rc=0; wait $pid || rc=$?
exec 3>&-
expect_eq "$rc" 0 "shift open with the PIN on standard input"
checks=$((checks + 1)); grep -q "visible to other users" "$T/open.err" && fail "--pin - was warned about"

# at a terminal: the prompt, nothing echoed, nothing in the process list
pos_tmux "$POS shift close --counted 100 >/dev/null; $POS shift open --cashier 2002 --float 100 > $T/tty.out 2>&1; echo exited \$? >> $T/tty.out"
expect_screen "PIN of cashier 2002:"
keys 73 5
sleep 0.3
pid=$(pgrep -n -f "reup-pos --config $T/pos.conf shift open")
checks=$((checks + 1)); [ -n "$pid" ] || fail "no reup-pos waiting at the terminal"
[ -n "$pid" ] && no_pin_shown "$pid" 7351 "shift open at a terminal"
checks=$((checks + 1)); screen | grep -q 735 && fail "the PIN typed is echoed on the screen: $(screen)"
keys 1 Enter
for _ in $(seq 1 100); do grep -q exited "$T/tty.out" 2>/dev/null && break; sleep 0.05; done
checks=$((checks + 1)); grep -q "exited 0" "$T/tty.out" || fail "shift open at a terminal: $(cat "$T/tty.out")"
checks=$((checks + 1)); screen | grep -q 7351 && fail "the PIN is on the screen after it was typed: $(screen)"

# a manager's approval at a terminal
tmux kill-server 2>/dev/null
pos_tmux "$POS void 1 --manager 1001 > $T/void.out 2>&1; echo exited \$? >> $T/void.out"
expect_screen "PIN of cashier 1001:"
keys 43
pid=$(pgrep -n -f "reup-pos --config $T/pos.conf void 1")
checks=$((checks + 1)); [ -n "$pid" ] || fail "no reup-pos waiting for the manager's PIN"
[ -n "$pid" ] && no_pin_shown "$pid" 4321 "void --manager at a terminal"
keys 21 Enter
for _ in $(seq 1 100); do grep -q exited "$T/void.out" 2>/dev/null && break; sleep 0.05; done
# there is no sale 1: the approval passed and the void was refused for that alone
checks=$((checks + 1)); grep -q "there is no sale 1" "$T/void.out" || fail "void at a terminal: $(cat "$T/void.out")"
checks=$((checks + 1)); screen | grep -q 4321 && fail "the manager's PIN is on the screen: $(screen)"

# --pin PIN: warned about, and gone from the arguments while the journal is busy
mkfifo "$T/sql"
exec 4<> "$T/sql"
sqlite3 "$T/pos.db" <&4 > /dev/null 2>&1 &
sql=$!
on_exit "kill $sql"
echo "BEGIN IMMEDIATE; SELECT 1;" >&4
sleep 0.3
$POS cashier unlock 2002 --manager 1001 --pin 4321 > "$T/unlock.out" 2> "$T/unlock.err" &
pid=$!
waiting $pid 'nanosleep|hrtimer|futex|poll'
no_pin_shown $pid 4321 "--pin PIN once read"
echo "COMMIT;" >&4
exec 4>&-
rc=0; wait $pid || rc=$?
expect_eq "$rc" 0 "cashier unlock with --pin PIN"
checks=$((checks + 1))
grep -q "the PIN is visible to other users in the process list; use --pin - or type it" "$T/unlock.err" ||
  fail "--pin PIN is not warned about: $(cat "$T/unlock.err")"
finish
