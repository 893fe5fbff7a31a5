#!/usr/bin/env bash
# t3006: the issuer's PostgreSQL server goes away and comes back (a private cluster,
# tests/tools/pg-lib.sh), with a real reup-pos selling (tests/cli/pos-lib.sh). Covers:
#  a. `reup-issuer serve` with the cluster stopped: exit 5, the message names the server's
#     socket folder, and nothing of it is left listening;
#  b. the cluster stopped (pg_ctl stop -m fast) under a running serve: every request that
#     needs the ledger (GET /v1/plans, GET /v1/cards/{serial}, POST /v1/activations, POST
#     /v1/redemptions), the first after the loss and the next ones, is answered 503
#     `unavailable` with Retry-After: 1 (the redemption page's post: its "try again" page,
#     the form itself 200), GET /v1/health 200, and the same process keeps
#     serving; once the cluster is started again, the same requests are answered 201 and
#     200 within seconds, without a restart: the 503s applied nothing;
#  c. reup-pos: a sale whose activation is being committed when the database stops (its
#     commit waits for a synchronous standby that is not there, then the server stops):
#     the issuer answers 503, the sale ends "no answer" (exit 5, reversal_pending) though
#     the activation did commit; a sale while the database is down makes no sale at all
#     (the card's lookup gets 503: exit 5, nothing sent); sync cannot deliver the reversal
#     yet. Once the cluster is back the card of the first sale is active, sync drains the
#     queue, status shows nothing waiting and the card is issued again, for sale anew.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/pg-lib.sh"
. "$(dirname "$0")/nodes-lib.sh"
started=$(now_ms)

pg_start db || { fail "the cluster did not start"; finish; exit 1; }
pg_ledger_env db
# the issuer on the cluster (issuer_init), serving, and the POS with its cupsd
. "$(dirname "$0")/pos-lib.sh"
on_postgres "$S" || { fail "the ledger is not on the cluster"; finish; exit 1; }
NODE_PORT[issuer]=$ISSUER_PORT
NODE_CA=$S/tls/cert.pem
pid=$ISSUER_PID
serial1=$(serial_n 1) pin1=$(awk -F, 'NR == 2 { print $2 }' "$T/b.csv")
serial2=$(serial_n 2) serial3=$(serial_n 3) serial4=$(serial_n 4)
expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321
expect_exit 0 $POS shift open --cashier 1001 --pin 4321 --float 100
expect_exit 0 $POS sell --serial "$serial1" --cash 40 --json
expect_jq '.status == "approved"'

# c, first half: a sale whose activation is being committed when the database stops.
# Its card row is locked meanwhile (a psql session), so that the journal head the sale's
# lookup sent is recorded first; then commits are made to wait for a standby that is not
# there (synchronous_standby_names) and the lock let go: the activation is committed on
# the server but not answered. The setting is reset for the next start.
lock_session() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$(ledger_uri "$S")"; }
# count_backends WHERE: sessions of the cluster matching WHERE
count_backends() { pg_psql db -c "SELECT count(*) FROM pg_stat_activity WHERE $1"; }
# until_backends N WHERE: wait (10 s at most) until N sessions match WHERE; prints the count
until_backends() {
  local got _
  for _ in $(seq 1 200); do
    got=$(count_backends "$2") && [ "$got" = "$1" ] && break
    sleep 0.05
  done
  echo "$got"
}
mkfifo "$T/lock.sql"
lock_session <"$T/lock.sql" >"$T/lock.out" 2>&1 &
lock_pid=$!
on_exit "kill -KILL $lock_pid"
exec 7>"$T/lock.sql"
echo "BEGIN; SELECT serial FROM card WHERE serial = '$serial3' FOR UPDATE;" >&7
expect_eq "$(until_backends 1 "state = 'idle in transaction' AND application_name = 'psql'")" 1 "the card row locked"
$POS sell --serial "$serial3" --cash 40 --json >"$T/sale3.out" 2>"$T/sale3.err" &
sale_pid=$!
on_exit "kill -KILL $sale_pid"
expect_eq "$(until_backends 1 "wait_event_type = 'Lock' AND application_name = 'reup-issuer'")" 1 \
  "the activation waiting for the card row"
expect_exit 0 pg_psql db -c "ALTER SYSTEM SET synchronous_standby_names = 'nobody'" -c "SELECT pg_reload_conf()"
# commits wait from the moment the checkpointer has the new setting: a probe's commit hangs
rc=0
for _ in $(seq 1 20); do
  rc=0
  # a commit that writes (not a temporary table: its removal at exit would wait as well)
  timeout 0.5 psql -X -q -h "$(pg_host db)" -U "$PG_SUPERUSER" -d postgres -c "COMMENT ON DATABASE postgres IS 'probe'" \
    >/dev/null 2>&1 || rc=$?
  [ $rc = 124 ] && break
done
expect_eq "$rc" 124 "a probe's commit waiting for the standby"
echo "ROLLBACK;" >&7
exec 7>&-
expect_eq "$(until_backends 1 "wait_event = 'SyncRep' AND application_name = 'reup-issuer'")" 1 \
  "the issuer's commit waiting for the standby"
expect_exit 0 pg_psql db -c "ALTER SYSTEM RESET synchronous_standby_names"

# the database goes away under the running issuer
expect_exit 0 pg_stop db
t_down=$(now_ms)
rc=0
wait $sale_pid || rc=$?
expect_eq "$rc" 5 "the sale whose commit was cut: exit status ($(head -c 300 "$T/sale3.err"))"
checks=$((checks + 1))
jq -e '.status == "reversal_pending"' "$T/sale3.out" >/dev/null || fail "the sale whose commit was cut: $(head -c 300 "$T/sale3.out")"
sale3=$(jq -r .sale_id "$T/sale3.out")

# a. serve cannot start without it
t0=$(now_ms)
"$I" serve --dir "$S" --listen 127.0.0.1:0 >"$T/a.out" 2>"$T/a.err" &
apid=$!
on_exit "kill -KILL $apid"
rc=0
for _ in $(seq 1 400); do kill -0 $apid 2>/dev/null || break; sleep 0.05; done
wait $apid || rc=$?
a_ms=$(($(now_ms) - t0))
expect_eq "$rc" 5 "serve with the database down: exit status ($(head -c 300 "$T/a.err"))"
checks=$((checks + 1))
grep -qF "$(pg_host db)" "$T/a.err" || fail "the message does not name the socket folder $(pg_host db): $(head -c 300 "$T/a.err")"
expect_eq "$(grep -c 'port [0-9]' "$T/a.out")" 0 "serve with the database down: said it serves"
# no process serving this state directory listens, other than the running issuer
listening=
for p in $(ss -ltnpH | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
  [ "$p" != "$pid" ] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$S" && listening="$listening $p"
done
expect_eq "$listening" "" "processes of this state directory listening"

# b. every request that needs the ledger is 503 unavailable with Retry-After, three times over
expect_unavailable() {
  checks=$((checks + 1))
  [ "$code" = 503 ] && jq -e '.error.code == "unavailable"' "$T/out" >/dev/null &&
    tr -d '\r' <"$T/headers" | grep -qix 'retry-after: 1' ||
    fail "$1 with the database down: HTTP $code, headers $(grep -i retry-after "$T/headers" | tr -d '\r'), body $(head -c 200 "$T/out")"
}
act_id=5f0c2a8e-3d4b-4c1a-9e2f-000000003006
act_body="{\"request_id\":\"$act_id\",\"serial\":\"$serial2\",\"amount\":3999,\"currency\":\"USD\"}"
redeem_body="{\"pin\":\"$pin1\",\"account\":\"outage@example.com\"}"
redeem() {
  code=$(curl -s -o "$T/out" -D "$T/headers" -w '%{http_code}' --cacert "$NODE_CA" -H "Content-Type: application/json" \
    --data-binary "$redeem_body" "$(node_url issuer)/v1/redemptions")
}
n503=0
for round in 1 2 3; do
  signed issuer "$T/t1.json" GET /v1/plans
  expect_unavailable "GET /v1/plans (round $round)"
  signed issuer "$T/t1.json" GET "/v1/cards/$serial1"
  expect_unavailable "GET /v1/cards (round $round)"
  signed issuer "$T/t1.json" POST /v1/activations "$act_body"
  expect_unavailable "POST /v1/activations (round $round)"
  redeem
  expect_unavailable "POST /v1/redemptions (round $round)"
  # the redemption page: its form needs no ledger, its post does, and says so in HTML
  code=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$NODE_CA" -c "$T/jar" -b "$T/jar" "$(node_url issuer)/redeem")
  expect_eq "$code" 200 "GET /redeem with the database down (round $round)"
  tok=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/out")
  code=$(curl -s -o "$T/out" -D "$T/headers" -w '%{http_code}' --cacert "$NODE_CA" -b "$T/jar" --data-urlencode "csrf=$tok" \
    --data-urlencode "pin=$pin1" --data-urlencode "account=outage@example.com" "$(node_url issuer)/redeem")
  checks=$((checks + 1))
  [ "$code" = 503 ] && grep -q 'Please try again' "$T/out" && tr -d '\r' <"$T/headers" | grep -qix 'retry-after: 1' ||
    fail "POST /redeem with the database down (round $round): HTTP $code, $(grep -o '<h2[^<]*<' "$T/out")"
  n503=$((n503 + 5))
done
code=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$NODE_CA" "$(node_url issuer)/v1/health")
expect_eq "$code" 200 "GET /v1/health with the database down"

# c. a sale while the database is down: the card's lookup gets 503, no sale is made
sales=$(sqlite3 "$T/pos.db" "SELECT count(*) FROM sale")
expect_exit 5 $POS sell --serial "$serial4" --cash 40 --json
expect_jq '.status == "no_answer"'
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM sale")" "$sales" "sales made while the database is down"
expect_exit 0 $POS status --json
expect_jq '.pending == 1'
expect_exit 5 $POS sync
expect_out "sent 0, still waiting 1"
checks=$((checks + 1))
kill -0 "$pid" 2>/dev/null || fail "the issuer is gone after $(($(now_ms) - t_down)) ms without its database"

# the database is back: the same process answers again within seconds
pg_restart db || fail "the cluster did not start again"
t_up=$(now_ms)
tries=0
for _ in $(seq 1 100); do
  signed issuer "$T/t1.json" POST /v1/activations "$act_body"
  tries=$((tries + 1))
  [ "$code" = 503 ] || break
  sleep 0.1
done
back_ms=$(($(now_ms) - t_up))
expect_eq "$code" 201 "the activation sent during the outage, again once the database is back ($(head -c 200 "$T/out"))"
checks=$((checks + 1))
[ "$back_ms" -le 10000 ] || fail "the first 201 came $back_ms ms after the database was back"
signed issuer "$T/t1.json" GET /v1/plans
expect_eq "$code" 200 "GET /v1/plans once the database is back"
redeem
expect_eq "$code" 200 "the redemption refused 503 during the outage, once the database is back ($(head -c 200 "$T/out"))"
expect_eq "$(card_status "$serial2")" active "the card of the activation sent during the outage"
expect_eq "$(ledger_sql "$S" "SELECT count(*) FROM redemption_refusal")" 0 "refusals counted for the 503s"
expect_eq "$(ledger_sql "$S" "SELECT count(*) FROM request WHERE request_id = '$act_id'")" 1 "requests recorded for the activation sent 4 times"
checks=$((checks + 1))
kill -0 "$pid" 2>/dev/null || fail "the issuer is gone"

# the POS: the sale cut at its commit did activate the card; its reversal goes, nothing
# waits, the card is for sale again
expect_eq "$(card_status "$serial3")" active "the card whose activation was answered 503 at its commit"
expect_eq "$(card_status "$serial4")" issued "the card the POS could not sell during the outage"
expect_exit 0 $POS sync
expect_out "sent 1, still waiting 0"
expect_exit 0 $POS status --json
expect_jq '.pending == 0'
expect_eq "$(sqlite3 "$T/pos.db" "SELECT state FROM sale WHERE id = $sale3")" reversed "the sale made during the outage"
expect_eq "$(card_status "$serial3")" issued "the card after the reversal"
expect_exit 0 $POS sell --serial "$serial3" --cash 40 --json
expect_jq '.status == "approved"'
expect_eq "$(card_status "$serial3")" active "the card sold again"
expect_eq "$(ledger_integrity "$S")" ok "integrity"
down_lines=$(awk '$5 == 503' "$T/serve.log" | wc -l)

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "$rc" 0 "the issuer's exit status after SIGTERM"
{
  echo "t3006: serve with the database down exited 5 in $a_ms ms"
  echo "t3006: database down for $((t_up - t_down)) ms: the issuer answered 503 $down_lines times ($n503 from this test, the rest the POS's), and its first 201 came $back_ms ms after the restart (try $tries)"
  echo "t3006: $(($(now_ms) - started)) ms in all"
} >&2
finish
