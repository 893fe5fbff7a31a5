#!/usr/bin/env bash
# s304: requests that two HTTP readers could read two ways are refused, not guessed at.
# Attacks, as raw requests over TLS (openssl s_client) and with curl:
#  - two Authorization headers (a valid signature first, another after): 400
#    ambiguous_request, nothing applied (libmicrohttpd alone would use the first);
#  - two Content-Length headers with a second request hidden behind the shorter one
#    (libmicrohttpd alone reads the first length and serves the hidden request): one 400
#    answer, then the connection closes, the hidden request never served; the same with
#    Content-Length and Transfer-Encoding together, and with two equal lengths;
#  - POST bodies that are not declared application/json (none, text/plain, a form,
#    application/jsonx), on a terminal endpoint and on /v1/redemptions: 415, nothing
#    applied; "Application/JSON; charset=utf-8" is accepted;
#  - a wrong method on every kind of path: 405 with an Allow header naming the right one;
#  - a journal head (ReUp-Journal-Head) added to a request signed without it (401), in
#    another form than SEQ:64-lowercase-hex (400 bad_journal_head), or given twice (400
#    ambiguous_request).
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/issuer-lib.sh"
state_init
serve
U1=8b1c2a8e-3d4b-4c1a-9e2f-000000000001 U2=8b1c2a8e-3d4b-4c1a-9e2f-000000000002
card_status() { CT= api T1 GET "/v1/cards/$1"; jq -r .status "$T/out"; }
expect_card() { checks=$((checks + 1)); [ "$(card_status "$1")" = "$2" ] || fail "card $1 is $(jq -r .status "$T/out"), wanted $2"; }

# raw FILE: send the bytes of FILE over one TLS connection; all that came back in $T/raw
raw() {
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost -quiet -ign_eof \
    <"$1" >"$T/raw" 2>/dev/null
}
# (an answer's body has no newline: the next status line may follow it on its line)
answers() { grep -o 'HTTP/1\.1 [0-9][0-9][0-9] ' "$T/raw" | wc -l; }
expect_raw() {
  checks=$((checks + 1))
  [ "$(answers)" = 1 ] && grep -q "^HTTP/1.1 $1 " "$T/raw" && grep -q "\"code\":\"$2\"" "$T/raw" ||
    fail "wanted exactly one $1 $2, got: $(grep -E '^HTTP|code' "$T/raw" | tr -d '\r' | head -6)"
}

# two Authorization headers: the first a good signature of T1's activation
s0=$(serial 0)
body=$(act $U1 "$s0")
auth=$(sign T1 POST /v1/activations "$body")
code=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$S/tls/cert.pem" -H "Authorization: $auth" \
  -H "Authorization: $(sign T2 POST /v1/activations "$body")" -H 'Content-Type: application/json' \
  --data-binary "$body" "https://127.0.0.1:$port/v1/activations")
expect_code 400
expect_jq '.error.code == "ambiguous_request"'
printf 'POST /v1/activations HTTP/1.1\r\nHost: localhost\r\nAuthorization: %s\r\nContent-Type: application/json\r\nAuthorization: ReUp-HMAC-SHA256 terminal=T2, ts=1, sig=00\r\nContent-Length: %d\r\n\r\n%s' \
  "$auth" "${#body}" "$body" >"$T/req"
raw "$T/req"
expect_raw 400 ambiguous_request
expect_card "$s0" issued
# control: the same signed request with one Authorization header is applied
api T1 POST /v1/activations "$body"
expect_code 201

# a request smuggled behind two Content-Length headers
hidden='GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n'
printf "POST /v1/redemptions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 47\r\n\r\n{}$hidden" >"$T/req"
raw "$T/req"
expect_raw 400 ambiguous_request
checks=$((checks + 1)); grep -qi '^Connection: close' "$T/raw" || fail "the connection stays open after an ambiguous request"
checks=$((checks + 1)); ! grep -q '"status":"ok"' "$T/raw" || fail "the hidden request was served"
printf "POST /v1/redemptions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}" >"$T/req"
raw "$T/req"
expect_raw 400 ambiguous_request
printf "POST /v1/redemptions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n$hidden" >"$T/req"
raw "$T/req"
expect_raw 400 ambiguous_request
checks=$((checks + 1)); ! grep -q '"status":"ok"' "$T/raw" || fail "the hidden request was served"
# control: one Content-Length, then a second request on the same connection: both served
printf "POST /v1/redemptions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >"$T/req"
raw "$T/req"
checks=$((checks + 1)); [ "$(answers)" = 2 ] && grep -q '"status":"ok"' "$T/raw" || fail "two plain requests on one connection: $(grep '^HTTP' "$T/raw")"

# bodies not declared as JSON: 415 before anything is parsed or applied
s1=$(serial 1)
for type in '' 'text/plain' 'application/x-www-form-urlencoded' 'application/jsonx' 'json'; do
  CT=$type api T1 POST /v1/activations "$(act $U2 "$s1")"
  expect_code 415
  expect_jq '.error.code == "unsupported_media_type"'
done
expect_card "$s1" issued
CT='Application/JSON; charset=utf-8' api T1 POST /v1/activations "$(act $U2 "$s1")"
expect_code 201
CT='text/plain' api T1 POST "/v1/activations/$U2/void" '{"reason":"typed wrong"}'
expect_code 415
expect_card "$s1" active
pin=$(sed -n 4p "$T/batch.csv" | cut -d, -f2)
for type in '' 'text/plain'; do
  args=(-s -o "$T/out" -w '%{http_code}' --cacert "$S/tls/cert.pem" -H "Content-Type: $type"
        --data-binary "{\"pin\":\"$pin\",\"account\":\"mallory\"}")
  code=$(curl "${args[@]}" "https://127.0.0.1:$port/v1/redemptions")
  expect_code 415
done
expect_card "$s1" active

# every 405 names the method the path takes
while read -r method path allow; do
  code=$(curl -s -o "$T/out" -D "$T/headers" -w '%{http_code}' --cacert "$S/tls/cert.pem" -X "$method" \
    "https://127.0.0.1:$port$path")
  expect_code 405
  checks=$((checks + 1)); grep -qi "^Allow: $allow" "$T/headers" || fail "$method $path: 405 without Allow: $allow"
done <<EOT
POST /v1/health GET
DELETE /v1/health GET
GET /v1/redemptions POST
PUT /v1/redemptions POST
GET /v1/activations POST
POST /v1/plans GET
POST /v1/cards/$s1 GET
GET /v1/activations/$U2/void POST
EOT

# the journal head: signed with the request, once, in its one form
head="7:$(printf 'a%.0s' $(seq 64))"
api T1 GET /v1/plans "" -H "ReUp-Journal-Head: $head"
expect_code 401 # a head added to a request signed without it: not covered, refused
expect_jq '.error.code == "bad_signature"'
for bad in "+7:${head#*:}" "07:${head#*:}" "7:${head#*:}0" "7:$(printf 'A%.0s' $(seq 64))" "7 ${head#*:}" "0:${head#*:}"; do
  api T1 GET /v1/plans "" -H "ReUp-Journal-Head: $bad"
  expect_code 400
  expect_jq '.error.code == "bad_journal_head"'
done
api T1 GET /v1/plans "" -H "ReUp-Journal-Head: $head" -H "ReUp-Journal-Head: $head"
expect_code 400
expect_jq '.error.code == "ambiguous_request"'
stop
finish
