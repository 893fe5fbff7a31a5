#!/usr/bin/env bash
# t3013: reup-issuer terminal rotate against a running serve that has the terminal's
# secret cached: right after the rotation the old credentials are refused (401) and the
# new ones work; an unknown terminal, or one of another store, is exit 3 and nothing
# changes; the rotation is audited. Run on SQLite and (pg_) on PostgreSQL, where backup
# and restore are refused with exit 2 and the PostgreSQL tools named.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
A=${REUP_ACTIVATE_ALL:?}
S=$T/state
issuer_world "$S" T1 T2 || { fail "no issuer"; finish; exit 1; }
cp "$T/T1.json" "$T/old.json"
"$I" batch create --dir "$S" --plan 1y --count 6 --out "$T/batch.csv" >/dev/null
for n in 1 2 3 4 5 6; do sed -n "$((n + 1))p" "$T/batch.csv" > "$T/card$n.csv"; done
serial() { cut -d, -f1 "$T/card$1.csv"; }
serve_start "$S"
pid=$SERVE_PID port=$SERVE_PORT
# activate N CREDENTIALS: the HTTP status of activating card N with CREDENTIALS, each
# call with a request_id of its own (the seed, counted in a file: $(activate) is a subshell)
activate() {
  local calls
  calls=$(($(cat "$T/calls" 2>/dev/null || echo 0) + 1))
  echo "$calls" > "$T/calls"
  "$A" "https://127.0.0.1:$port" "$S/tls/cert.pem" "$T/$2" "$T/card$1.csv" "$calls" | awk '{ print $2 }'
}

expect_eq "$(activate 1 old.json)" 201 "activation with the first credentials"
expect_eq "$(activate 2 old.json)" 201 "activation with the first credentials, from the cache"
expect_exit 0 "$I" terminal rotate --dir "$S" --store WM00001 --terminal T1
cp "$T/out" "$T/new.json"
chmod 600 "$T/new.json"
expect_jq '(keys == ["secret", "store", "terminal"]) and .terminal == "T1" and .store == "WM00001" and (.secret | test("^[0-9a-f]{64}$"))'
checks=$((checks + 1))
[ "$(jq -r .secret "$T/new.json")" != "$(jq -r .secret "$T/old.json")" ] || fail "the rotated secret is the old one"
expect_eq "$(activate 3 old.json)" 401 "activation with the old credentials right after the rotation"
expect_eq "$(activate 3 new.json)" 201 "activation with the new credentials"
expect_eq "$(activate 4 old.json)" 401 "the old credentials again"
expect_eq "$(activate 4 T2.json)" 201 "another terminal of the store, untouched"
expect_eq "$("$I" card show --dir "$S" "$(serial 5)" | jq -r .status)" issued "card 5, never activated"

sum=$(ledger_sql "$S" "SELECT id, store_id, hex(secret) FROM terminal ORDER BY id" 2>/dev/null ||
  ledger_sql "$S" "SELECT id, store_id, encode(secret, 'hex') FROM terminal ORDER BY id")
expect_exit 3 "$I" terminal rotate --dir "$S" --store WM00001 --terminal T9
expect_err "no terminal 'T9'"
expect_eq "$(wc -c < "$T/out")" 0 "credentials printed for an unknown terminal"
expect_exit 3 "$I" terminal rotate --dir "$S" --store WM00002 --terminal T1
expect_exit 2 "$I" terminal rotate --dir "$S" --terminal T1
expect_exit 2 "$I" terminal rotate --dir "$S" --store 'W M' --terminal T1
now=$(ledger_sql "$S" "SELECT id, store_id, hex(secret) FROM terminal ORDER BY id" 2>/dev/null ||
  ledger_sql "$S" "SELECT id, store_id, encode(secret, 'hex') FROM terminal ORDER BY id")
expect_eq "$now" "$sum" "terminals after the refused rotations"
expect_eq "$(activate 5 new.json)" 201 "the new credentials after the refused rotations"

expect_exit 0 "$I" audit --dir "$S"
expect_jq '[.[] | select(.action == "terminal rotate" and .detail == "T1" and .actor == "operator")] | length == 1'

if on_postgres "$S"; then
  expect_exit 2 "$I" backup --dir "$S" --out "$T/pg.backup"
  expect_err "pg_basebackup"
  expect_eq "$(ls "$T/pg.backup" 2>/dev/null | wc -l)" 0 "a backup file of a PostgreSQL ledger"
  expect_exit 2 "$I" restore --dir "$S" --from "$T/pg.backup"
  expect_err "pg_basebackup"
fi
kill -TERM "$pid"
wait "$pid"
expect_eq "$?" 0 "serve exit status after SIGTERM"
finish
