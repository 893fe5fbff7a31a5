#!/usr/bin/env bash
# t3002: the real activation host (reup-issuer serve) over TLS on a loopback port.
# Covers: health; the plan catalog; an on-demand card (PIN once); redemption and its
# lockout (one answer for wrong, unsold and redeemed PINs, 429 with Retry-After); activation, its retry (the same answer), the same
# request_id with other parameters (422), a second activation of an active card (409);
# card status per store; void (other store 404, own store 200, twice 200); reversal of an
# unseen request_id refusing the late activation, reversal after activation, void of a
# reversed activation (409); `card show` while serve runs; authentication: missing,
# malformed, unknown terminal, bad signature (a changed body), stale timestamp; limits:
# 16 kB body (413), malformed JSON (400), wrong type (422 naming the field), unknown path
# (404), wrong method (405 with Allow); one log line per request; kill -9 during a burst
# of activations, restart, every answered activation present and none half-applied;
# SIGTERM stops cleanly. Signatures are computed here with the openssl command.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
S=$T/state
issuer_init "$S" >/dev/null
"$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" terminal add --dir "$S" --store WM00001 --terminal T1 > "$T/t1.json"
"$I" terminal add --dir "$S" --store WM00002 --terminal T2 > "$T/t2.json"
"$I" batch create --dir "$S" --plan 1y --count 400 --out "$T/batch.csv" >/dev/null
serial() { sed -n "$(($1 + 2))p" "$T/batch.csv" | cut -d, -f1; }

on_exit 'kill -KILL "${pid:-}"'
start() {
  "$I" serve --dir "$S" --listen 127.0.0.1:0 > "$T/serve.out" 2>> "$T/serve.log" &
  pid=$!
  port=$(wait_port "$T/serve.out")
  [ -n "$port" ] || { fail "server did not start: $(cat "$T/serve.log")"; finish; exit 1; }
}
start

# api TERMINAL METHOD PATH [BODY [TS_OFFSET [SIGN_BODY]]]: the answer body in $T/out, status in $code
api() {
  local term=$1 m=$2 p=$3 body=${4:-} off=${5:-0} signed=${6-${4:-}}
  local secret ts h sig
  secret=$(jq -r .secret "$T/$(echo "$term" | tr 'T' 't').json" 2>/dev/null || echo 00)
  ts=$(( $(date +%s) + off ))
  h=$(printf '%s' "$signed" | openssl dgst -sha256 -r | cut -d' ' -f1)
  sig=$(printf '%s\n%s\n%s\n%s' "$m" "$p" "$ts" "$h" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$secret" -r | cut -d' ' -f1)
  local args=(-s -o "$T/out" -w '%{http_code}' --cacert "$S/tls/cert.pem" -X "$m"
              -H "Authorization: ReUp-HMAC-SHA256 terminal=$term, ts=$ts, sig=$sig")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code=$(curl "${args[@]}" "https://127.0.0.1:$port$p")
}
expect_code() { checks=$((checks + 1)); [ "$code" = "$1" ] || fail "HTTP $code, wanted $1: $(head -c 300 "$T/out")"; }
act() { printf '{"request_id":"%s","serial":"%s","amount":%s,"currency":"USD"}' "$1" "$2" "${3:-3999}"; }
U1=5f0c2a8e-3d4b-4c1a-9e2f-000000000001 U2=5f0c2a8e-3d4b-4c1a-9e2f-000000000002 U3=5f0c2a8e-3d4b-4c1a-9e2f-000000000003
U4=5f0c2a8e-3d4b-4c1a-9e2f-000000000004 U5=5f0c2a8e-3d4b-4c1a-9e2f-000000000005

code=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$S/tls/cert.pem" "https://localhost:$port/v1/health")
expect_code 200
expect_jq '.status == "ok"'
api T1 GET /v1/plans
expect_code 200
expect_jq '.plans == [{"code":"1y","months":12,"price":3999,"currency":"USD","gtin":""}]'

s0=$(serial 0)
api T1 POST /v1/activations "$(act $U1 "$s0")"
expect_code 201
expect_jq ".status == \"active\" and .serial == \"$s0\" and .plan == \"1y\" and (.auth_code | length) == 6 and (.activation_id | type) == \"string\""
cp "$T/out" "$T/first"
api T1 POST /v1/activations "$(act $U1 "$s0")"
expect_code 201
checks=$((checks + 1)); cmp -s "$T/out" "$T/first" || fail "a retry got another answer"
api T1 POST /v1/activations "$(act $U1 "$s0" 4000)"
expect_code 422
expect_jq '.error.code == "request_id_reused"'
api T2 POST /v1/activations "$(act $U2 "$s0")"
expect_code 409
expect_jq '.error.code == "card_already_active"'
api T1 GET "/v1/cards/$s0"
expect_code 200
expect_jq ".status == \"active\" and .store_id == \"WM00001\" and (.activated_at | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$\"))"
api T2 GET "/v1/cards/$s0"
expect_code 200
expect_jq '.status == "active" and (has("store_id") | not)'
expect_exit 0 "$I" card show "$s0" --dir "$S"   # while serve runs
expect_jq '.status == "active"'

api T2 POST "/v1/activations/$U1/void" '{"reason":"not ours"}'
expect_code 404
api T1 POST "/v1/activations/$U1/void" '{"reason":"customer changed their mind"}'
expect_code 200
expect_jq '.status == "issued"'
api T1 POST "/v1/activations/$U1/void" '{"reason":"again"}'
expect_code 200
api T1 GET "/v1/cards/$s0"
expect_jq '.status == "issued"'

s1=$(serial 1)
api T1 POST /v1/reversals "{\"request_id\":\"$U3\"}"
expect_code 200
expect_jq '.reversed == false'
api T1 POST /v1/activations "$(act $U3 "$s1")"
expect_code 409
expect_jq '.error.code == "request_reversed"'
api T1 POST /v1/activations "$(act $U4 "$s1")"
expect_code 201
api T1 POST /v1/reversals "{\"request_id\":\"$U4\"}"
expect_code 200
expect_jq '.reversed == true'
api T1 GET "/v1/cards/$s1"
expect_jq '.status == "issued"'
api T1 POST "/v1/activations/$U4/void" '{"reason":"late"}'
expect_code 409

# an on-demand card: the PIN once, a retry gets the card without it
U6=5f0c2a8e-3d4b-4c1a-9e2f-000000000006
api T1 POST /v1/cards "{\"request_id\":\"$U6\",\"plan\":\"1y\",\"amount\":3999,\"currency\":\"USD\"}"
expect_code 201
expect_jq '(.serial | test("^[0-9]{16}$")) and (.pin | test("^[0-9]{16}$")) and .plan == "1y" and (.auth_code | length) == 6'
cp "$T/out" "$T/card1"
api T1 POST /v1/cards "{\"request_id\":\"$U6\",\"plan\":\"1y\",\"amount\":3999,\"currency\":\"USD\"}"
expect_code 201
checks=$((checks + 1))
jq -e --slurpfile a "$T/card1" '.pin == null and .serial == $a[0].serial and .auth_code == $a[0].auth_code' "$T/out" >/dev/null ||
  fail "retry of an on-demand card: $(cat "$T/out")"
checks=$((checks + 1))
if ledger_sql "$S" "select answer from request" | grep -q "$(jq -r .pin "$T/card1")"; then fail "a PIN is stored"; fi

# authentication
code=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$S/tls/cert.pem" "https://127.0.0.1:$port/v1/plans")
expect_code 401
expect_jq '.error.code == "missing_authorization"'
code=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$S/tls/cert.pem" -H 'Authorization: Basic eDp5' "https://127.0.0.1:$port/v1/plans")
expect_code 401
expect_jq '.error.code == "bad_authorization"'
api T9 GET /v1/plans
expect_code 401
expect_jq '.error.code == "unknown_terminal"'
s2=$(serial 2)
api T1 POST /v1/activations "$(act $U5 "$s2")" 0 "$(act $U5 "$s2" 1)"
expect_code 401
expect_jq '.error.code == "bad_signature"'
api T1 POST /v1/activations "$(act $U5 "$s2")" -400
expect_code 401
expect_jq '.error.code == "stale_timestamp"'
api T1 GET "/v1/cards/$s2"
expect_jq '.status == "issued"'

# limits and errors
big=$(head -c 17000 /dev/zero | tr '\0' ' ')
api T1 POST /v1/activations "{\"request_id\":\"$U5\"$big}"
expect_code 413
api T1 POST /v1/activations '{"request_id":'
expect_code 400
expect_jq '.error.code == "malformed_json"'
api T1 POST /v1/activations "{\"request_id\":\"$U5\",\"serial\":\"$s2\",\"amount\":\"3999\",\"currency\":\"USD\"}"
expect_code 422
expect_jq '.error.code == "wrong_type" and (.error.message | test("amount"))'
api T1 GET /v1/nothing
expect_code 404
api T1 GET /v1/activations
expect_code 405
checks=$((checks + 1))
curl -s -D "$T/headers" -o /dev/null --cacert "$S/tls/cert.pem" "https://127.0.0.1:$port/v1/reversals" >/dev/null
grep -qi '^Allow: POST' "$T/headers" || fail "405 without Allow: POST"
checks=$((checks + 1))
if grep -Eqi 'sqlite|/tmp/|\.c:[0-9]' "$T/out"; then fail "an error body leaks internals"; fi
checks=$((checks + 1))
grep -q " T1 POST /v1/activations 201 [0-9.]*ms $U1" "$T/serve.log" || fail "no log line for the activation: $(tail -3 "$T/serve.log")"

# redemption: customers, no signature; one answer for wrong, unsold and redeemed PINs;
# five refusals from an address lock it out (429 with Retry-After), also for good PINs
pin() { sed -n "$(($1 + 2))p" "$T/batch.csv" | cut -d, -f2; }
redeem() {
  code=$(curl -s -o "$T/out" -D "$T/rheaders" -w '%{http_code}' --cacert "$S/tls/cert.pem" \
    -H 'Content-Type: application/json' --data-binary "{\"pin\":\"$1\",\"account\":\"$2\"}" \
    "https://127.0.0.1:$port/v1/redemptions")
}
U7=5f0c2a8e-3d4b-4c1a-9e2f-000000000007 U8=5f0c2a8e-3d4b-4c1a-9e2f-000000000008
api T1 POST /v1/activations "$(act $U7 "$(serial 3)")"
expect_code 201
api T1 POST /v1/activations "$(act $U8 "$(serial 5)")"
expect_code 201
redeem "$(pin 3)" alice@example.com
expect_code 200
expect_jq '.account == "alice@example.com" and .plan == "1y" and .months == 12 and (.expires_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))'
y1=$(jq -r .expires_at "$T/out" | cut -c1-4)
checks=$((checks + 1)); [ "$y1" -eq $(( $(date -u +%Y) + 1 )) ] || fail "a year's plan should expire next year: $y1"
api T1 GET "/v1/cards/$(serial 3)"
expect_jq '.status == "redeemed"'
redeem "$(pin 3)" alice@example.com          # refusal 1: redeemed already
expect_code 422
cp "$T/out" "$T/redeemed"
redeem "$(pin 4)" alice@example.com          # refusal 2: unsold
expect_code 422
checks=$((checks + 1)); cmp -s "$T/out" "$T/redeemed" || fail "an unsold PIN is answered differently from a redeemed one"
redeem 0000000000000000 bob                  # refusal 3: unknown (0...0 has a valid Damm digit)
checks=$((checks + 1)); cmp -s "$T/out" "$T/redeemed" || fail "an unknown PIN is answered differently"
redeem 1234567890123456 bob                  # refusal 4: bad check digit
expect_code 422
redeem "$(pin 4)" carol                      # refusal 5
redeem "$(pin 5)" dave                       # a good PIN, but the address is locked out
expect_code 429
expect_jq '.error.code == "too_many_attempts"'
checks=$((checks + 1)); grep -Eqi '^Retry-After: [0-9]+' "$T/rheaders" || fail "429 without Retry-After"
api T1 GET "/v1/cards/$(serial 5)"
expect_jq '.status == "active"'

# kill -9 in the middle of a burst: everything answered is there, nothing half-applied
: > "$T/answered"
(
  for n in $(seq 10 250); do
    u=$(printf '6f0c2a8e-3d4b-4c1a-9e2f-%012d' "$n")
    api T1 POST /v1/activations "$(act "$u" "$(serial "$n")")" 2>/dev/null || break
    [ "$code" = 201 ] && echo "$(serial "$n")" >> "$T/answered"
  done
) &
burst=$!
on_exit 'kill -KILL "${burst:-}"'
for _ in $(seq 1 200); do [ "$(wc -l < "$T/answered")" -ge 20 ] && break; sleep 0.05; done
kill -9 "$pid"; wait "$pid" 2>/dev/null
wait "$burst" 2>/dev/null
answered=$(wc -l < "$T/answered")
checks=$((checks + 1)); [ "$answered" -ge 20 ] || fail "only $answered activations before the kill"
start
missing=0
while read -r s; do
  api T1 GET "/v1/cards/$s"
  jq -e '.status == "active"' "$T/out" >/dev/null || missing=$((missing + 1))
done < "$T/answered"
checks=$((checks + 1)); [ "$missing" -eq 0 ] || fail "$missing answered activations lost after kill -9"
# every request in force has its card sold (active or redeemed), every active card a request in force
checks=$((checks + 1))
[ "$(ledger_sql "$S" "select count(*) from request r join card c on c.serial = r.serial
   where r.state = 'active' and c.status not in ('active', 'redeemed')")" = 0 ] || fail "a request in force without its card after kill -9"
checks=$((checks + 1))
[ "$(ledger_sql "$S" "select count(*) from card c where c.status = 'active' and not exists
   (select 1 from request r where r.serial = c.serial and r.state = 'active')")" = 0 ] || fail "an active card without a request after kill -9"
checks=$((checks + 1))
[ "$(ledger_integrity "$S")" = ok ] || fail "ledger damaged"

# SIGTERM: finish and exit 0
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
checks=$((checks + 1)); [ "$rc" -eq 0 ] || fail "serve exited $rc on SIGTERM"
expect_err_file() { :; }
checks=$((checks + 1)); grep -q 'SIGTERM: finishing requests in flight' "$T/serve.log" || fail "no shutdown message"

finish
