#!/usr/bin/env bash
# t3005: a failover under load. A PostgreSQL primary with a synchronous standby (private
# clusters, tests/tools/pg-lib.sh); the ledger's URI names both (target_session_attrs=
# read-write); two `reup-issuer serve` nodes; four terminals, two on each node, race over
# the same cards. The primary is killed with -9 in the middle of the burst and, a moment
# later, the standby promoted. Covers: the nodes reconnect by themselves (same processes)
# and answer 201 again within seconds; the terminals run to the end of their cards;
# answers are 201, 409 card_already_active, or, only between the kill and the node's
# first 201 after the promotion, 503 `unavailable` with Retry-After (or no answer); every
# activation answered 201, before or after the kill, is active on the promoted server; no
# card has two 'activate ok' audit lines; each request that got 503 or no answer is
# reversed as a POS would (POST /v1/reversals, answered 200), after which the active cards
# are exactly those answered 201; both nodes then stop cleanly on SIGTERM. Prints how long
# the nodes answered 503 and how many.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/pg-lib.sh"
. "$(dirname "$0")/nodes-lib.sh"
A=${REUP_ACTIVATE_ALL:?}
export LC_ALL=C # sort and join agree on the order
S=$T/state
CARDS=1000
started=$(now_ms)

pg_start_primary p || { fail "the primary did not start"; finish; exit 1; }
pg_start_standby p s || { fail "the standby did not start"; finish; exit 1; }
pg_createdb p ledger >/dev/null || { fail "createdb on the primary"; finish; exit 1; }
M=$(pg_multihost_uri ledger p s)
P=$(pg_uri s ledger) # the standby, to be promoted
expect_exit 0 "$I" init --dir "$S" --database "$M"
"$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null
for n in 1 2 3 4; do
  "$I" terminal add --dir "$S" --store WM00001 --terminal "T$n" >"$T/T$n.json"
  chmod 600 "$T/T$n.json"
done
"$I" batch create --dir "$S" --plan 1y --count $CARDS --out "$T/batch.csv" >/dev/null
node_dir "$S" "$T/n1" && node_dir "$S" "$T/n2" || { fail "copying the state directory"; finish; exit 1; }
node_start n1 "$T/n1" && node_start n2 "$T/n2" || { fail "the nodes did not start"; finish; exit 1; }
node_of() { [ "$1" -le 2 ] && echo n1 || echo n2; }
pid_n1=${NODE_PID[n1]} pid_n2=${NODE_PID[n2]}

pids=()
on_exit 'kill -KILL "${pids[@]}"'
for n in 1 2 3 4; do
  "$A" "$(node_url "$(node_of $n)")" "$S/tls/cert.pem" "$T/T$n.json" "$T/batch.csv" "$n" >"$T/t$n.out" 2>"$T/t$n.err" &
  pids+=($!)
done
checks=$((checks + 1))
wait_lines $((CARDS * 4 / 5)) "$T/t1.out" "$T/t2.out" "$T/t3.out" "$T/t4.out" || fail "the terminals did not get $((CARDS * 4 / 5)) answers"
before_kill=$(cat "$T"/t?.out | wc -l)
t_kill=$(now_ms)
pg_kill9 p || fail "the primary survived kill -9"
sleep 1
t_promote=$(now_ms)
pg_promote s || fail "the standby was not promoted"
t_promoted=$(now_ms)
for n in 1 2 3 4; do wait "${pids[$((n - 1))]}"; done
t_end=$(now_ms)
expect_eq "${NODE_PID[n1]} ${NODE_PID[n2]}" "$pid_n1 $pid_n2" "the nodes' processes"
checks=$((checks + 1))
kill -0 "$pid_n1" && kill -0 "$pid_n2" || fail "a node is gone"

# every line: SERIAL STATUS MS RETRY_AFTER CODE TERMINAL NODE INDEX
for n in 1 2 3 4; do awk -v t=$n -v node="$(node_of $n)" '{ print $0, t, node, NR - 1 }' "$T/t$n.out"; done >"$T/all"
expect_eq "$(wc -l <"$T/all")" $((CARDS * 4)) "answers (every terminal to the end of its cards)"
expect_eq "$(awk '!($2 == 201 || ($2 == 409 && $5 == "card_already_active") || $2 == 503 || $2 == 0)' "$T/all" | wc -l)" 0 \
  "answers other than 201, 409 card_already_active, 503 or none: $(awk '!($2 == 201 || $2 == 409 || $2 == 503 || $2 == 0)' "$T/all" | head -3 | tr '\n' ';')"
expect_eq "$(awk '$2 == 503 && !($4 == 1 && $5 == "unavailable")' "$T/all" | wc -l)" 0 "503s without Retry-After: 1 and code unavailable"
# the switch, per node: from the kill to its first 201 after the promotion
declare -A back
for node in n1 n2; do
  b=$(awk -v node=$node -v p="$t_promote" '$7 == node && $2 == 201 && $3 > p { print $3 }' "$T/all" | sort -n | head -1)
  checks=$((checks + 1))
  if [ -z "$b" ]; then
    fail "node $node answered no 201 after the promotion"
    b=$t_end
  elif [ $((b - t_promoted)) -gt 10000 ]; then
    fail "node $node answered its first 201 $((b - t_promoted)) ms after the promotion"
  fi
  back[$node]=$b
  expect_eq "$(awk -v node=$node -v k="$t_kill" -v b="$b" '$7 == node && ($2 == 503 || $2 == 0) && ($3 < k || $3 > b)' "$T/all" | wc -l)" 0 \
    "node $node: 503s or no answers outside the switch"
done
n503=$(awk '$2 == 503' "$T/all" | wc -l)
n0=$(awk '$2 == 0' "$T/all" | wc -l)
checks=$((checks + 1))
[ "$n503" -gt 0 ] || fail "no 503 at all: the kill was not mid-burst"
first503=$(awk '$2 == 503 { print $3 }' "$T/all" | sort -n | head -1)
last503=$(awk '$2 == 503 { print $3 }' "$T/all" | sort -n | tail -1)
checks=$((checks + 1))
[ "$(awk -v p="$t_promote" '$2 == 201 && $3 > p' "$T/all" | wc -l)" -gt 100 ] ||
  fail "fewer than 100 activations after the promotion: the burst did not go on"

# the promoted server holds every activation answered 201
awk '$2 == 201 { print $1 }' "$T/all" | sort >"$T/won"
expect_eq "$(uniq -d "$T/won" | wc -l)" 0 "serials answered 201 twice"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$P" -c "SELECT serial FROM card WHERE status = 'active'" | sort >"$T/active"
expect_eq "$(comm -23 "$T/won" "$T/active" | wc -l)" 0 "cards answered 201 and not active on the promoted server"
expect_eq "$(psql -X -q -At -d "$P" -c "SELECT pg_is_in_recovery()")" f "the standby promoted"
expect_exit 0 "$I" audit --dir "$T/n2"
expect_jq '[.[] | select(.action == "activate" and .outcome == "ok") | .serial] | (length == (unique | length))'

# the POS's "no answer": each request that got 503 or none is reversed, answered 200
awk '$2 == 503 || $2 == 0 { print $6, $7, $8, $1 }' "$T/all" >"$T/unanswered"
: >"$T/reversed"
while read -r t node i serial; do
  signed "$node" "$T/T$t.json" POST /v1/reversals "{\"request_id\":\"$(request_id "$t" "$i")\"}"
  checks=$((checks + 1))
  [ "$code" = 200 ] || fail "reversal of T$t's request $i on $node: HTTP $code: $(head -c 200 "$T/out")"
  [ "$(jq -r .reversed "$T/out")" = true ] && echo "$serial" >>"$T/reversed"
done <"$T/unanswered"
applied=$(wc -l <"$T/reversed")
psql -X -q -At -v ON_ERROR_STOP=1 -d "$M" -c "SELECT serial FROM card WHERE status = 'active'" | sort >"$T/active.after"
expect_eq "$(comm -3 "$T/won" "$T/active.after" | wc -l)" 0 "active cards other than those answered 201, after the reversals"
expect_exit 0 "$I" audit --dir "$T/n1"
expect_jq "[.[] | select(.action == \"activate\" and .outcome == \"ok\")] | length == $(($(wc -l <"$T/won") + applied))"
expect_jq "[.[] | select(.action == \"reverse\" and .outcome == \"ok\" and .serial != null)] | length == $applied"
# both nodes stop cleanly after all that (under ASan: no leak, no error at exit)
for node in n1 n2; do
  kill -TERM "${NODE_PID[$node]}"
  rc=0
  wait "${NODE_PID[$node]}" || rc=$?
  expect_eq "$rc" 0 "node $node's exit status after SIGTERM ($(grep -v ' [0-9]\{3\} [0-9.]*ms' "$T/$node.log" | tail -2 | tr '\n' ' '))"
done

{
  echo "t3005: $before_kill answers before the kill; promoted $((t_promote - t_kill)) ms after the kill, in $((t_promoted - t_promote)) ms"
  echo "t3005: 503 answered from $((first503 - t_kill)) to $((last503 - t_kill)) ms after the kill ($((last503 - first503)) ms): $n503 answers 503 ($(awk -v p="$t_promoted" '$2 == 503 && $3 > p' "$T/all" | wc -l) after the promotion), $n0 no answer"
  echo "t3005: first 201 after the kill: node n1 $((back[n1] - t_kill)) ms, n2 $((back[n2] - t_kill)) ms ($((back[n1] - t_promoted)) and $((back[n2] - t_promoted)) ms after the promotion)"
  echo "t3005: $(wc -l <"$T/won") activations answered 201, $(awk -v p="$t_promote" '$2 == 201 && $3 > p' "$T/all" | wc -l) of them after the promotion; of $((n503 + n0)) reversed, $applied had been applied"
  echo "t3005: $(($(now_ms) - started)) ms in all"
} >&2
finish
