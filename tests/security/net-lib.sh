# tests/security/net-lib.sh - the network tests' helpers (sourced by s5NN-*.sh, not run):
# starting either server on loopback, one request to it, holding raw connections open.
. "$(dirname "$0")/../cli/lib.sh"
: "${REUP_ISSUER:?}"
S=$T/state
issuer_init "$S" >/dev/null

# start WHICH LISTEN [OPTION...]: start `reup-locate serve` (WHICH=locate, the API alone)
# or `reup-issuer serve` (WHICH=issuer) on LISTEN; sets $pid and $port; killed at exit.
start() {
  local which=$1 listen=$2
  shift 2
  : > "$T/serve.out"
  if [ "$which" = locate ]; then
    "$REUP_LOCATE" serve --listen "$listen" --web "" "$@" > "$T/serve.out" 2>> "$T/serve.log" &
  else
    "$REUP_ISSUER" serve --dir "$S" --listen "$listen" "$@" > "$T/serve.out" 2>> "$T/serve.log" &
  fi
  pid=$!
  on_exit "kill -9 $pid"
  port=$(wait_port "$T/serve.out")
  [ -n "$port" ] || { fail "$which did not start on $listen: $(tail -c 400 "$T/serve.log")"; finish; exit 1; }
}

# probe WHICH HOST [CURL-OPTION...]: one request (the locator's store search, the issuer's
# health) to HOST ("127.0.0.1", "[::1]") on $port: the HTTP status in $status (000 for
# none), curl's exit code in $rc (7: connection refused, 28: timed out).
probe() {
  local which=$1 host=$2
  shift 2
  rc=0
  if [ "$which" = locate ]; then
    status=$(curl -g -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" \
      "http://$host:$port/api/v1/stores?q=Boston") || rc=$?
  else
    status=$(curl -g -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$S/tls/cert.pem" "$@" \
      "https://$host:$port/v1/health") || rc=$?
  fi
}
# expect_served WHICH HOST [CURL-OPTION...]: the probe is answered 200
expect_served() {
  checks=$((checks + 1))
  probe "$@"
  [ "$status" = 200 ] || fail "$1 at $2 ${*:3}: HTTP $status (curl exit $rc), wanted 200"
}

# hold N: open N more raw TCP connections from 127.0.0.1 to $port and keep them (fds in $held).
held=()
hold() {
  local i fd
  for ((i = 0; i < $1; i++)); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" || { fail "connection $i of $1 not opened"; return; }
    held+=("$fd")
  done
}

# closed_within FD SECONDS: 0 when the server ends the connection on FD (end of stream,
# or an answer) within SECONDS; 1 when it is still open then.
closed_within() {
  local st=0
  read -r -t "$2" -u "$1" _ || st=$?
  [ "$st" -le 128 ]
}

now_ms() { date +%s%3N; }
# expect_le WHAT MS LIMIT_MS: a measured duration within its bound
expect_le() { checks=$((checks + 1)); [ "$2" -le "$3" ] || fail "$1 took $2 ms, more than $3"; }
