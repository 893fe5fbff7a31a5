#!/usr/bin/env bash
# s401: the terminal's journal (money and cashiers' PIN hashes) is its owner's alone, and
# reup-pos refuses files that others could read or change. Attacks: run reup-pos under
# umask 000 and read what it made (the journal, its -wal and -shm while reup-pos ui holds
# them open: each must be 0600); make the configuration writable by group or others, the
# credentials readable or writable by them, the issuer's CA writable by them, the journal
# or its -wal or -shm readable by them: each is refused with exit 4 (configuration), the
# message naming the file, its mode and the chmod to run, and the journal is not written.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/pos-offline.sh"

umask 000
expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<< 4321
expect_eq "$(mode_of "$T/pos.db")" 600 "the journal made under umask 000"
expect_eq "$(ls "$T" | grep -c 'pos.db-')" 0 "-wal and -shm left after the command"
pos_tmux "umask 000; $POS ui 2> $T/ui.err"
expect_screen "Sign in with your cashier number and PIN"
checks=$((checks + 1))
[ -e "$T/pos.db-wal" ] && [ -e "$T/pos.db-shm" ] || fail "reup-pos ui holds no -wal and -shm: $(ls "$T")"
expect_eq "$(mode_of "$T/pos.db-wal")" 600 "the -wal made under umask 000"
expect_eq "$(mode_of "$T/pos.db-shm")" 600 "the -shm made under umask 000"
keys F10
for _ in $(seq 1 50); do [ -e "$T/pos.db-wal" ] || break; sleep 0.1; done
umask 022

entries() { sqlite3 "$T/pos.db" "SELECT count(*) FROM entry"; }
before=$(entries)
# refused FILE MODE WANT CMD...: with FILE at MODE, CMD exits 4 naming FILE, MODE and chmod WANT
refused() {
  local file=$1 mode=$2 want=$3 old; shift 3
  old=$(mode_of "$file")
  chmod "$mode" "$file"
  expect_exit 4 "$@"
  expect_err "'$file' is mode 0$mode: .*run chmod $want '$file'"
  chmod "$old" "$file"
}
for m in 664 646 666; do
  refused "$T/pos.conf" $m $(printf '%o' $((0$m & ~022))) $POS cashier add --id 2002 --name Tom --role cashier --manager 1001 --manager-pin - --pin - <<< $'4321\n1111'
done
for m in 640 604 620 602; do
  refused "$T/t1.json" $m 600 $POS status
done
refused "$T/state/tls/cert.pem" 664 644 $POS status
refused "$T/state/tls/cert.pem" 646 644 $POS status
for m in 640 604 660 644; do
  refused "$T/pos.db" $m 600 $POS cashier add --id 2002 --name Tom --role cashier --manager 1001 --manager-pin - --pin - <<< $'4321\n1111'
  refused "$T/pos.db" $m 600 $POS status
done
for side in wal shm; do
  : > "$T/pos.db-$side"
  refused "$T/pos.db-$side" 644 600 $POS verify
  refused "$T/pos.db-$side" 640 600 $POS shift open --cashier 1001 --pin - --float 100 <<< 4321
  rm -f "$T/pos.db-$side"
done
expect_eq "$(entries)" "$before" "journal entries after the refused commands"
# what is allowed still works: a configuration and CA only their owner may write, the
# credentials and journal only their owner may read
chmod 644 "$T/pos.conf" "$T/state/tls/cert.pem"
expect_exit 0 $POS status
expect_exit 0 $POS verify
finish
