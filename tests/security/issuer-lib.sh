# tests/security/issuer-lib.sh - for the s3NN attacks on reup-issuer (sourced after
# tests/cli/lib.sh): a fresh state directory with a plan, terminals and a batch, a server
# that is stopped on every path, and signed requests.
I=${REUP_ISSUER:?}
S=$T/state
# state_init: state directory $S with plan 1y, terminals T1 (store WM00001), T2 (WM00002)
# and T3 (WM00001), and 20 cards in $T/batch.csv
state_init() {
  issuer_init "$S" >/dev/null &&
    "$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null &&
    "$I" terminal add --dir "$S" --store WM00001 --terminal T1 >"$T/T1.json" &&
    "$I" terminal add --dir "$S" --store WM00002 --terminal T2 >"$T/T2.json" &&
    "$I" terminal add --dir "$S" --store WM00001 --terminal T3 >"$T/T3.json" &&
    "$I" batch create --dir "$S" --plan 1y --count 20 --out "$T/batch.csv" >/dev/null ||
    { fail "cannot set up the state directory"; finish; exit 1; }
}
serial() { sed -n "$(($1 + 2))p" "$T/batch.csv" | cut -d, -f1; }

# serve [OPTION...]: start reup-issuer serve on a free loopback port; $pid, $port. The
# server is killed when the script ends, whatever happens.
serve() {
  : >"$T/serve.out"
  "$I" serve --dir "$S" --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>>"$T/serve.log" &
  pid=$!
  on_exit "kill -9 $pid"
  port=$(wait_port "$T/serve.out")
  [ -n "$port" ] || { fail "serve did not start: $(tail -3 "$T/serve.log")"; finish; exit 1; }
}
# stop: SIGTERM the server and wait for it
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }

# sign TERMINAL METHOD PATH BODY: the Authorization header's value, signed now
sign() { sign_as "$T/$1.json" "$2" "$3" "$4"; }
# api TERMINAL METHOD PATH [BODY [CURL_OPTION...]]: a signed request; body in $T/out,
# headers in $T/headers, status in $code. A body goes as Content-Type $CT (default
# application/json; CT= sends none).
api() {
  local term=$1 m=$2 p=$3 body=${4:-}
  shift 3; [ $# -gt 0 ] && shift
  local args=(-s -o "$T/out" -D "$T/headers" -w '%{http_code}' --cacert "$S/tls/cert.pem" -X "$m"
              -H "Authorization: $(sign "$term" "$m" "$p" "$body")")
  [ -n "$body" ] && args+=(-H "Content-Type: ${CT-application/json}" --data-binary "$body")
  code=$(curl "${args[@]}" "$@" "https://127.0.0.1:$port$p")
}
expect_code() { checks=$((checks + 1)); [ "$code" = "$1" ] || fail "HTTP $code, wanted $1: $(head -c 300 "$T/out")"; }
act() { printf '{"request_id":"%s","serial":"%s","amount":3999,"currency":"USD"}' "$1" "$2"; }
