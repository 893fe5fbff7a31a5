# tests/cli/redeem-lib.sh - for the tests of the redemption page (sourced after lib.sh):
# cards of a batch, sold as a till sells them, and the log checked for PINs.
# serial N, pin N: card N of the batch file $T/batch.csv (from 0)
serial() { sed -n "$(($1 + 2))p" "$T/batch.csv" | cut -d, -f1; }
pin() { sed -n "$(($1 + 2))p" "$T/batch.csv" | cut -d, -f2; }
# redeem_world DIR COUNT: issuer_world DIR T1 with COUNT cards of plan 1y in $T/batch.csv,
# served (serve_start); $base is its URL
redeem_world() {
  issuer_world "$1" T1 || { fail "issuer_world"; finish; exit 1; }
  "${REUP_ISSUER:?}" batch create --dir "$1" --plan 1y --count "$2" --out "$T/batch.csv" >/dev/null
  serve_start "$1"
  base=https://127.0.0.1:$SERVE_PORT
}
# sell DIR N: card N activated at terminal T1 of the server at $base (DIR's certificate)
sell() {
  local body
  body=$(printf '{"request_id":"5f0c2a8e-3d4b-4c1a-9e2f-%012d","serial":"%s","amount":3999,"currency":"USD"}' "$2" "$(serial "$2")")
  code=$(curl -s -o "$T/out" -w '%{http_code}' --cacert "$1/tls/cert.pem" -H 'Content-Type: application/json' \
    -H "Authorization: $(sign_as "$T/T1.json" POST /v1/activations "$body")" --data-binary "$body" "$base/v1/activations")
  expect_code 201 "selling card $2"
}
# expect_log_clean LOG LAST: LOG has a line of /redeem, and neither a query string of
# /redeem nor the PIN of any card 0 .. LAST
expect_log_clean() {
  local n
  checks=$((checks + 1))
  grep -q ' /redeem [0-9]' "$1" || fail "no log line of /redeem: $(tail -3 "$1")"
  checks=$((checks + 1))
  ! grep -q '/redeem?' "$1" || fail "a query string of /redeem is logged: $(grep '/redeem?' "$1" | head -2)"
  for n in $(seq 0 "$2"); do
    checks=$((checks + 1))
    ! grep -q "$(pin "$n")" "$1" || fail "PIN $n is in the log"
  done
}
