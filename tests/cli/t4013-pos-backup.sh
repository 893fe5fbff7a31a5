#!/usr/bin/env bash
# t4013: reup-pos backup and restore. Backups taken while the till sells restore to a
# journal that verify finds intact; bad files (truncated, random, an issuer backup, a
# journal edited in the backup, a newer schema) are refused with their exit codes and
# nothing changed; a restore while another reup-pos has the journal open is refused (6);
# and the cashier's attack, restoring an older backup to hide the sales made since, is
# exposed by verify and verify --strict through the heads the issuer saw.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
J=$T/pos.db
sum_journal() { cat "$J" "$J-wal" 2>/dev/null | sha256sum | cut -d' ' -f1; }

expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321
expect_exit 0 $POS shift open --cashier 1001 --pin 4321 --float 100.00
expect_exit 0 $POS sell --serial "$(serial_n 1)" --cash 50
expect_exit 0 $POS backup --out "$T/first.backup"
expect_eq "$(stat -c %a "$T/first.backup")" 600 "mode of the backup"
expect_exit 2 $POS backup --out "$T/first.backup"
expect_err "exists already"

# backups while the till sells: each is a journal that verify finds intact
( for n in 2 3 4 5 6 7; do $POS sell --serial "$(serial_n "$n")" --cash 50 > /dev/null 2>&1 || echo "sale $n: $?"; done ) > "$T/sales.err" &
spid=$!
on_exit 'kill -KILL "${spid:-}"'
k=0
while kill -0 "$spid" 2>/dev/null && [ "$k" -lt 40 ]; do
  k=$((k + 1))
  $POS backup --out "$T/during$k.backup" > /dev/null 2>> "$T/backup.err" || echo "backup $k failed" >> "$T/backup.err"
done
wait "$spid"
expect_eq "$(cat "$T/sales.err")" "" "sales while backups were taken"
expect_eq "$(cat "$T/backup.err" 2>/dev/null)" "" "backups while the till sold"
checks=$((checks + 1))
[ "$k" -ge 2 ] || fail "only $k backups were taken while the till sold"
expect_exit 0 $POS backup --out "$T/last.backup"
sum_before=$(sum_journal)

# bad files: refused, nothing changed
head -c 30000 "$T/last.backup" > "$T/truncated.backup"
head -c 100000 /dev/urandom > "$T/random.backup"
"$I" backup --dir "$S" --out "$T/issuer.backup" > /dev/null
cp "$T/last.backup" "$T/edited.backup"
sqlite3 "$T/edited.backup" "UPDATE sale SET amount_cents = 1 WHERE id = 2"
cp "$T/last.backup" "$T/newer.backup"
sqlite3 "$T/newer.backup" "PRAGMA user_version = 99"
for f in truncated random issuer; do
  expect_exit 2 $POS restore --from "$T/$f.backup"
  expect_err "nothing done"
  expect_eq "$(sum_journal)" "$sum_before" "the journal after the $f file"
done
expect_err "made by reup-issuer, not by reup-pos"
expect_exit 2 "$I" restore --dir "$S" --from "$T/last.backup"
expect_err "made by reup-pos, not by reup-issuer"
expect_exit 1 $POS restore --from "$T/edited.backup"
expect_err "sale 2 has another amount than the journal"
expect_eq "$(sum_journal)" "$sum_before" "the journal after the edited backup"
expect_exit 4 $POS restore --from "$T/newer.backup"
expect_err "newer reup-pos"
expect_eq "$(sum_journal)" "$sum_before" "the journal after the newer schema"
expect_eq "$(find "$T" -maxdepth 1 -name '.*tmp-*' | wc -l)" 0 "temporary files left beside the journal"

# another reup-pos has the journal open: a sale waiting for a stopped issuer
kill -STOP "$ISSUER_PID"
on_exit 'kill -CONT "${ISSUER_PID:-}"'
$POS sell --serial "$(serial_n 8)" --cash 50 > "$T/held.out" 2>&1 &
hpid=$!
on_exit 'kill -KILL "${hpid:-}"'
sleep 1
expect_exit 6 $POS restore --from "$T/last.backup"
expect_err "in use"
kill -CONT "$ISSUER_PID"
wait "$hpid"
expect_eq "$?" 0 "the sale held while the restore was refused"
expect_exit 0 $POS backup --out "$T/latest.backup"

# every backup taken while the till sold restores and verifies locally
for b in "$T"/during*.backup; do
  expect_exit 0 $POS restore --from "$b"
  expect_eq "$(stat -c %a "$J")" 600 "mode of the restored journal"
done

# the attack: the first backup put back to hide the sales made since; the issuer saw them
expect_exit 0 $POS restore --from "$T/first.backup"
expect_out "run reup-pos verify"
expect_exit 1 $POS verify
expect_err "not the one the issuer saw: .*rolled back"
expect_exit 1 $POS verify --strict
expect_err "rolled back"
# with the issuer unreachable only --strict fails
kill -STOP "$ISSUER_PID"
TIMEOUT_MS=1000 CONNECT_MS=500 pos_conf "https://127.0.0.1:$ISSUER_PORT"
expect_exit 1 $POS verify --strict
expect_exit 0 $POS verify
expect_err "checked locally only"
kill -CONT "$ISSUER_PID"
pos_conf "https://127.0.0.1:$ISSUER_PORT"

# the latest backup: every head the issuer saw, so verify --strict passes
expect_exit 0 $POS restore --from "$T/latest.backup"
expect_exit 0 $POS verify --strict
expect_out "holds every journal head the issuer saw"
expect_exit 0 $POS report --x --json
expect_jq '.sales_count == 8'
finish
