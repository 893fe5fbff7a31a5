#!/usr/bin/env bash
# t3012: reup-issuer backup and restore. A backup taken in the middle of a burst of
# activations against the running daemon holds every activation answered before it
# began, and restores into a stopped issuer whose ledger checks out; bad files (truncated,
# random, a ledger copied by hand, another program's) and a restore while serve runs are
# refused with exit 2 or 6 and nothing changed; files are mode 0600.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
A=${REUP_ACTIVATE_ALL:?}
S=$T/state
issuer_world "$S" T1 || { fail "no issuer"; finish; exit 1; }
"$I" batch create --dir "$S" --plan 1y --count 1500 --out "$T/batch.csv" >/dev/null
serve_start "$S"
pid=$SERVE_PID port=$SERVE_PORT

"$A" "https://127.0.0.1:$port" "$S/tls/cert.pem" "$T/T1.json" "$T/batch.csv" 1 > "$T/burst.out" 2> "$T/burst.err" &
apid=$!
on_exit 'kill -KILL "${apid:-}"'
# the backup starts once a few hundred activations are answered, while the rest go on
for _ in $(seq 1 600); do [ "$(wc -l < "$T/burst.out")" -ge 300 ] && break; sleep 0.05; done
began=$(date +%s%3N)
expect_exit 0 "$I" backup --dir "$S" --out "$T/mid.backup"
ended=$(date +%s%3N)
expect_eq "$(stat -c %a "$T/mid.backup")" 600 "mode of the backup"
checks=$((checks + 1))
wait "$apid" || fail "not every activation was answered: $(head -c 300 "$T/burst.err")"
expect_eq "$(awk '$2 == 201' "$T/burst.out" | wc -l)" 1500 "activations answered 201"
awk -v t="$began" '$2 == 201 && $3 < t { print $1 }' "$T/burst.out" | sort > "$T/before"
awk -v t="$ended" '$2 == 201 && $3 > t { print $1 }' "$T/burst.out" | sort > "$T/after"
checks=$((checks + 1))
[ "$(wc -l < "$T/before")" -ge 300 ] && [ "$(wc -l < "$T/after")" -ge 1 ] ||
  fail "the backup was not taken in the middle of the burst: $(wc -l < "$T/before") before, $(wc -l < "$T/after") after"

# while serve runs: a restore is refused, nothing changed
sum_state() { sha256sum "$S/issuer.db" "$S/issuer.key" "$S/tls/cert.pem" "$S/tls/key.pem" | awk '{print $1}'; }
expect_exit 6 "$I" restore --dir "$S" --from "$T/mid.backup"
expect_err "in use.*serve"

kill -TERM "$pid"
wait "$pid"
expect_eq "$?" 0 "serve exit status after SIGTERM"
SERVE_PID=
sum_before=$(sum_state)

# the backup restored into a new directory
R=$T/restored
expect_exit 0 "$I" restore --dir "$R" --from "$T/mid.backup"
expect_eq "$(ledger_integrity "$R")" ok "integrity of the restored ledger"
expect_eq "$(stat -c %a "$R" "$R/tls" "$R/issuer.db" "$R/issuer.key" "$R/tls/cert.pem" "$R/tls/key.pem" | sort -u | tr '\n' ' ')" \
  "600 700 " "modes of the restored directory"
cmp -s "$S/issuer.key" "$R/issuer.key" || fail "the restored issuer key is not the issuer's"
checks=$((checks + 1))
sqlite3 "$R/issuer.db" "SELECT serial FROM card WHERE status = 'active'" | sort > "$T/restored-active"
expect_eq "$(comm -23 "$T/before" "$T/restored-active" | wc -l)" 0 "activations answered before the backup began that the backup lacks"
expect_eq "$(comm -12 "$T/after" "$T/restored-active" | wc -l)" 0 "activations answered after the backup ended that it holds"
expect_eq "$(sqlite3 "$R/issuer.db" "SELECT count(*) FROM sqlite_master WHERE name = 'backup_manifest'")" 0 "manifest left in the restored ledger"
expect_exit 0 "$I" report --dir "$R"
run "$I" card show --dir "$R" "$(head -n 1 "$T/before")"
expect_jq '.status == "active"'

# a backup never overwrites a file
expect_exit 2 "$I" backup --dir "$S" --out "$T/mid.backup"
expect_err "exists already"

# bad files: refused, exit 2, nothing changed
head -c 40000 "$T/mid.backup" > "$T/truncated.backup"
head -c 200000 /dev/urandom > "$T/random.backup"
cp "$R/issuer.db" "$T/plain.backup"
sqlite3 "$T/other.backup" "CREATE TABLE backup_manifest (name TEXT PRIMARY KEY, value BLOB); INSERT INTO backup_manifest VALUES ('program', 'reup-pos')"
for f in truncated random plain other; do
  expect_exit 2 "$I" restore --dir "$S" --from "$T/$f.backup"
  expect_err "nothing done"
  expect_eq "$(sum_state)" "$sum_before" "the state directory after the $f file"
done
expect_err "made by reup-pos, not by reup-issuer"
expect_exit 2 "$I" restore --dir "$T/none" --from "$T/random.backup"
expect_eq "$(ls -d "$T/none" 2>/dev/null | wc -l)" 0 "a directory made by a refused restore"
expect_exit 2 "$I" restore --dir "$S" --from "$T/plain.backup"
expect_err "without a manifest"
expect_eq "$(find "$S" -name '*.tmp-*' | wc -l)" 0 "temporary files left in the state directory"

# schema versions: newer refused (exit 4), older restored with the advice to upgrade
cp "$T/mid.backup" "$T/newer.backup"
sqlite3 "$T/newer.backup" "PRAGMA user_version = 99"
expect_exit 4 "$I" restore --dir "$S" --from "$T/newer.backup"
expect_err "newer reup-issuer"
expect_eq "$(sum_state)" "$sum_before" "the state directory after the newer schema"
cp "$T/mid.backup" "$T/older.backup"
sqlite3 "$T/older.backup" "PRAGMA user_version = 2"
expect_exit 0 "$I" restore --dir "$T/old" --from "$T/older.backup"
expect_out "init --dir .* --upgrade"
# a ledger of an older schema is backed up all the same (the backup before init --upgrade)
expect_exit 0 "$I" backup --dir "$T/old" --out "$T/older-again.backup"

# the restore over the directory it was taken from; serve on it sells again a card whose
# activation came after the backup (the restored key and terminal secret check out)
expect_exit 0 "$I" restore --dir "$S" --from "$T/mid.backup"
expect_eq "$(ledger_integrity "$S")" ok "integrity after the restore in place"
expect_eq "$(sqlite3 "$S/issuer.db" "SELECT count(*) FROM card WHERE status = 'active'")" "$(wc -l < "$T/restored-active")" "active cards after the restore in place"
serve_start "$S"
grep "^$(head -n 1 "$T/after")," "$T/batch.csv" > "$T/again.csv"
"$A" "https://127.0.0.1:$SERVE_PORT" "$S/tls/cert.pem" "$T/T1.json" "$T/again.csv" 7 > "$T/again.out"
expect_eq "$(awk '{ print $2 }' "$T/again.out")" 201 "an activation lost with the restore, made again"
finish
