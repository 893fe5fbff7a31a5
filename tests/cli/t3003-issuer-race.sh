#!/usr/bin/env bash
# t3003: eight terminals race over 1,000 serials against the real daemon over TLS. Each
# activates every card of the batch in its own order with its own request_ids; every
# request gets an answer, every serial is won by exactly one request (201) and refused
# to all the others (409), and the ledger agrees: 1,000 active cards, one live
# activation each, no serial active twice.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
A=${REUP_ACTIVATE_ALL:?}
S=$T/state
issuer_world "$S" T1 T2 T3 T4 T5 T6 T7 T8 || { fail "the issuer could not be set up"; finish; exit 1; }
"$I" batch create --dir "$S" --plan 1y --count 1000 --out "$T/batch.csv" >/dev/null

"$I" serve --dir "$S" --listen 127.0.0.1:0 > "$T/serve.out" 2>> "$T/serve.log" &
pid=$!
on_exit 'kill -KILL "${pid:-}"'
port=$(wait_port "$T/serve.out")
[ -n "$port" ] || { fail "server did not start: $(cat "$T/serve.log")"; finish; exit 1; }

pids=()
on_exit 'kill -KILL "${pids[@]}"'
for n in 1 2 3 4 5 6 7 8; do
  "$A" "https://127.0.0.1:$port" "$S/tls/cert.pem" "$T/T$n.json" "$T/batch.csv" "$n" > "$T/race$n.out" 2> "$T/race$n.err" &
  pids+=($!)
done
for n in 1 2 3 4 5 6 7 8; do
  checks=$((checks + 1))
  wait "${pids[$((n - 1))]}" || fail "terminal T$n: not every request was answered: $(head -c 300 "$T/race$n.err")"
done

cat "$T"/race?.out > "$T/all"
expect_eq "$(wc -l < "$T/all")" 8000 "answers"
expect_eq "$(awk '$2 == 201' "$T/all" | wc -l)" 1000 "activations that won"
expect_eq "$(awk '$2 == 201 { print $1 }' "$T/all" | sort | uniq -d | wc -l)" 0 "serials won twice"
expect_eq "$(awk '$2 == 409' "$T/all" | wc -l)" 7000 "activations refused as already active"
expect_eq "$(awk '$2 != 201 && $2 != 409' "$T/all" | wc -l)" 0 "other answers"
# every terminal both won and lost some: the race was real
for n in 1 2 3 4 5 6 7 8; do
  won=$(awk '$2 == 201' "$T/race$n.out" | wc -l)
  checks=$((checks + 1))
  [ "$won" -gt 0 ] && [ "$won" -lt 1000 ] || fail "T$n won $won of 1000: the terminals did not race"
done

kill -TERM "$pid"
wait "$pid"
expect_eq "$?" 0 "serve exit status after SIGTERM"
expect_eq "$(ledger_sql "$S" "SELECT count(*) FROM card WHERE status = 'active'")" 1000 "active cards"
expect_eq "$(ledger_sql "$S" "SELECT count(*) FROM request WHERE kind = 'activation' AND state = 'active'")" 1000 "live activations"
expect_eq "$(ledger_sql "$S" "SELECT count(*) FROM (SELECT serial FROM request WHERE kind = 'activation' AND state = 'active' GROUP BY serial HAVING count(*) > 1) AS twice")" 0 "serials with two live activations"
expect_eq "$(ledger_integrity "$S")" ok "integrity"
finish
