#!/usr/bin/env bash
# t3004: two `reup-issuer serve` nodes, each with its own copy of the state directory, on
# one PostgreSQL ledger (a private cluster, tests/tools/pg-lib.sh). Covers:
#  a. eight terminals, four on each node, race over the same 1,000 cards, each in its own
#     order: exactly one 201 per card over all eight, every other answer 409; the ledger,
#     read with reup-issuer from either node, has 1,000 active cards and 1,000
#     'activate ok' audit lines, one per card;
#  b. the redemption lockout is counted once across nodes: 12 wrong PINs for one account
#     sent at once, alternating nodes: exactly 5 answered 422, the rest 429, 5 refusals of
#     the account in the ledger, and the next attempt is 429 on either node;
#  c. kill -9 of one node mid-burst (four terminals on each, each on cards of its own):
#     the other node's terminals finish with only 201s; every card answered 201 by either
#     node is active; a card whose request got no answer is active or issued, active for
#     at most one request per terminal of the killed node (the one in flight).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/pg-lib.sh"
. "$(dirname "$0")/nodes-lib.sh"
A=${REUP_ACTIVATE_ALL:?}
export LC_ALL=C # sort and join agree on the order
S=$T/state
started=$(now_ms)

pg_start db || { fail "the cluster did not start"; finish; exit 1; }
pg_ledger_env db
issuer_world "$S" T1 T2 T3 T4 T5 T6 T7 T8 || { fail "the issuer could not be set up on PostgreSQL"; finish; exit 1; }
"$I" batch create --dir "$S" --plan 1y --count 1000 --out "$T/race.csv" >/dev/null
"$I" batch create --dir "$S" --plan 1y --count 2000 --out "$T/burst.csv" >/dev/null
node_dir "$S" "$T/n1" && node_dir "$S" "$T/n2" || { fail "copying the state directory"; finish; exit 1; }
expect_eq "$(stat -c %a "$T/n2" "$T/n2/issuer.key" "$T/n2/database" | tr '\n' ' ')" "700 600 600 " "the copy's modes"
node_start n1 "$T/n1" && node_start n2 "$T/n2" || { fail "the nodes did not start"; finish; exit 1; }
node_of() { [ "$1" -le 4 ] && echo n1 || echo n2; }
CA=$S/tls/cert.pem

# a. the race over both nodes
t0=$(now_ms)
pids=()
on_exit 'kill -KILL "${pids[@]}"'
for n in 1 2 3 4 5 6 7 8; do
  "$A" "$(node_url "$(node_of $n)")" "$CA" "$T/T$n.json" "$T/race.csv" "$n" >"$T/race$n.out" 2>"$T/race$n.err" &
  pids+=($!)
done
for n in 1 2 3 4 5 6 7 8; do
  checks=$((checks + 1))
  wait "${pids[$((n - 1))]}" || fail "race: terminal T$n: not every request was answered: $(head -c 300 "$T/race$n.err")"
done
race_ms=$(($(now_ms) - t0))
cat "$T"/race?.out >"$T/race.all"
expect_eq "$(wc -l <"$T/race.all")" 8000 "race: answers"
expect_eq "$(awk '$2 == 201' "$T/race.all" | wc -l)" 1000 "race: activations that won"
expect_eq "$(awk '$2 == 201 { print $1 }' "$T/race.all" | sort | uniq -d | wc -l)" 0 "race: serials won twice"
expect_eq "$(awk '$2 == 409 && $5 == "card_already_active"' "$T/race.all" | wc -l)" 7000 "race: refused as already active"
expect_eq "$(awk '$2 != 201 && $2 != 409' "$T/race.all" | wc -l)" 0 "race: other answers (503, no answer)"
# the race was between the nodes: each node won cards and lost cards
declare -A won
for node in n1 n2; do
  if [ $node = n1 ]; then files="$T/race1.out $T/race2.out $T/race3.out $T/race4.out"; else files="$T/race5.out $T/race6.out $T/race7.out $T/race8.out"; fi
  # shellcheck disable=SC2086
  won[$node]=$(cat $files | awk '$2 == 201' | wc -l)
  checks=$((checks + 1))
  [ "${won[$node]}" -gt 0 ] && [ "${won[$node]}" -lt 1000 ] || fail "race: node $node won ${won[$node]} of 1000: the nodes did not race"
done
# the ledger, through reup-issuer, from either node
expect_exit 0 "$I" report --dir "$T/n2"
expect_jq '(.cards | map(select(.status == "active")) | map(.count) | add) == 1000'
expect_exit 0 "$I" audit --dir "$T/n1"
expect_jq '[.[] | select(.action == "activate" and .outcome == "ok")] | length == 1000'
expect_jq '[.[] | select(.action == "activate" and .outcome == "ok") | .serial] | unique | length == 1000'
expect_jq '[.[] | select(.action == "activate" and .outcome == "refused")] | length == 7000'
s1=$(awk '$2 == 201 { print $1; exit }' "$T/race1.out")
s8=$(awk '$2 == 201 { print $1; exit }' "$T/race8.out")
expect_exit 0 "$I" card show "$s1" --dir "$T/n2"
expect_jq '.status == "active" and .store_id == "WM00001"'
expect_exit 0 "$I" card show "$s8" --dir "$T/n1"
expect_jq '.status == "active" and .store_id == "WM00001"'

# b. the lockout, counted once across the nodes: wrong PINs (of cards not sold: refused as
# any wrong PIN is) for one account, 12 at once, six on each node
pin=$(awk -F, 'NR == 2 { print $2 }' "$T/burst.csv")
account=lockout@example.com
curl -s --parallel --parallel-immediate --parallel-max 12 --cacert "$CA" -H "Content-Type: application/json" \
  --data-binary "{\"pin\":\"$pin\",\"account\":\"$account\"}" -o "$T/redeem_#1_#2" \
  -w '%{url} %{http_code} %header{retry-after}\n' \
  "https://127.0.0.1:{${NODE_PORT[n1]},${NODE_PORT[n2]}}/v1/redemptions?try=[1-6]" >"$T/redeem.all"
expect_eq "$(wc -l <"$T/redeem.all")" 12 "lockout: answers"
expect_eq "$(awk '$2 == 422' "$T/redeem.all" | wc -l)" 5 "lockout: refusals counted (422)"
expect_eq "$(awk '$2 == 429 && $3 >= 1' "$T/redeem.all" | wc -l)" 7 "lockout: locked out (429 with Retry-After)"
checks=$((checks + 1))
for f in "$T"/redeem_*; do
  jq -e '.error.code == "pin_not_accepted" or .error.code == "too_many_attempts"' "$f" >/dev/null ||
    fail "lockout: an answer of $(basename "$f"): $(head -c 200 "$f")"
done
expect_eq "$(ledger_sql "$S" "SELECT count(*) FROM redemption_refusal WHERE subject = 'account:$account'")" 5 \
  "lockout: the account's refusals in the ledger"
for node in n1 n2; do
  checks=$((checks + 1))
  c=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$CA" -H "Content-Type: application/json" \
    --data-binary "{\"pin\":\"$pin\",\"account\":\"$account\"}" "$(node_url $node)/v1/redemptions")
  [ "$c" = 429 ] || fail "lockout: the next attempt on $node: HTTP $c, wanted 429: $(head -c 200 "$T/out")"
done
lock_by_node=$(awk '$2 == 422 { split($1, u, ":"); split(u[3], p, "/"); n[p[1] == "'"${NODE_PORT[n1]}"'" ? "n1" : "n2"]++ }
  END { printf "n1 %d, n2 %d", n["n1"], n["n2"] }' "$T/redeem.all")

# c. kill -9 of node n1 mid-burst; each terminal on 250 cards of its own
for n in 1 2 3 4 5 6 7 8; do
  awk -v n=$n 'NR > 1 && (NR - 2) % 8 == n - 1' "$T/burst.csv" >"$T/slice$n.csv"
done
pids=()
for n in 1 2 3 4 5 6 7 8; do
  "$A" "$(node_url "$(node_of $n)")" "$CA" "$T/T$n.json" "$T/slice$n.csv" "$((n + 10))" >"$T/burst$n.out" 2>"$T/burst$n.err" &
  pids+=($!)
done
checks=$((checks + 1))
wait_lines 200 "$T/burst1.out" "$T/burst2.out" "$T/burst3.out" "$T/burst4.out" || fail "burst: node n1's terminals did not get 200 answers"
t_kill=$(now_ms)
node_kill9 n1
for n in 1 2 3 4 5 6 7 8; do
  rc=0
  wait "${pids[$((n - 1))]}" || rc=$?
  checks=$((checks + 1))
  if [ "$n" -gt 4 ] && [ $rc -ne 0 ]; then fail "burst: terminal T$n on node n2: not every request was answered"; fi
done
checks=$((checks + 1))
kill -0 "${NODE_PID[n2]}" 2>/dev/null || fail "burst: node n2 is gone"
cat "$T"/burst[1234].out >"$T/burst.n1"
cat "$T"/burst[5678].out >"$T/burst.n2"
expect_eq "$(wc -l <"$T/burst.n2") $(awk '$2 == 201' "$T/burst.n2" | wc -l)" "1000 1000" "burst: node n2's answers, 201s"
expect_eq "$(wc -l <"$T/burst.n1")" 1000 "burst: node n1's terminals went through their cards"
expect_eq "$(awk '$2 != 201 && $2 != 0' "$T/burst.n1" | wc -l)" 0 "burst: node n1's answers other than 201 or none"
n1_won=$(awk '$2 == 201' "$T/burst.n1" | wc -l)
n1_lost=$(awk '$2 == 0' "$T/burst.n1" | wc -l)
checks=$((checks + 1))
[ "$n1_won" -ge 200 ] && [ "$n1_lost" -gt 0 ] || fail "burst: node n1 answered $n1_won and left $n1_lost: not killed mid-burst"
# answered before the kill: none after it
expect_eq "$(awk -v k="$t_kill" '$2 == 201 && $3 > k + 1000' "$T/burst.n1" | wc -l)" 0 "burst: n1's 201s long after its kill"
# the ledger
ledger_sql "$S" "SELECT serial || ' ' || status FROM card WHERE batch = 'B000002'" | sort >"$T/burst.ledger"
cat "$T/burst.n1" "$T/burst.n2" | awk '{ print $1, $2 }' | sort >"$T/burst.answers"
join "$T/burst.answers" "$T/burst.ledger" >"$T/burst.joined"
expect_eq "$(wc -l <"$T/burst.joined")" 2000 "burst: cards"
expect_eq "$(awk '$2 == 201 && $3 != "active"' "$T/burst.joined" | wc -l)" 0 "burst: cards answered 201 and not active"
expect_eq "$(awk '$2 == 0 && $3 != "active" && $3 != "issued"' "$T/burst.joined" | wc -l)" 0 \
  "burst: unanswered cards neither active nor issued"
lost_active=$(awk '$2 == 0 && $3 == "active"' "$T/burst.joined" | wc -l)
checks=$((checks + 1))
[ "$lost_active" -le 4 ] || fail "burst: $lost_active unanswered requests were applied: more than the 4 in flight"
expect_eq "$(ledger_sql "$S" "SELECT count(*) FROM audit a JOIN card c ON c.serial = a.serial
  WHERE c.batch = 'B000002' AND a.action = 'activate' AND a.outcome = 'ok'")" "$((1000 + n1_won + lost_active))" \
  "burst: 'activate ok' audit lines"
expect_exit 0 "$I" report --dir "$T/n2"
expect_jq "(.cards | map(select(.status == \"active\")) | map(.count) | add) == $((2000 + n1_won + lost_active))"
expect_eq "$(ledger_integrity "$S")" ok "integrity"

kill -TERM "${NODE_PID[n2]}"
rc=0
wait "${NODE_PID[n2]}" || rc=$?
expect_eq "$rc" 0 "node n2's exit status after SIGTERM"
{
  echo "t3004: race: 8,000 activations over 2 nodes in ${race_ms} ms, cards won by node n1 ${won[n1]}, n2 ${won[n2]}"
  echo "t3004: lockout: 12 wrong PINs at once: 422 by node: $lock_by_node; the rest 429"
  echo "t3004: kill -9 of n1 after it answered $n1_won: $n1_lost requests unanswered, $lost_active of them applied"
  echo "t3004: $(($(now_ms) - started)) ms in all"
} >&2
finish
