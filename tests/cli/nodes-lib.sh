# tests/cli/nodes-lib.sh - several `reup-issuer serve` nodes on one PostgreSQL ledger, for
# the multi-node and failover tests (sourced after tests/cli/lib.sh and
# tests/tools/pg-lib.sh). Every node is killed when the test ends, on every path.
#
#   pg_ledger_env NAME        issuer_init (lib.sh) makes its ledgers on cluster NAME, and
#                             ledger_sql / ledger_integrity read them there
#   node_dir SRC DST          a node's own copy of the state directory SRC (modes kept)
#   node_start NAME DIR       `reup-issuer serve --dir DIR` on a free loopback port:
#                             NODE_PID[NAME], NODE_PORT[NAME]; its log is $T/NAME.log
#   node_url NAME             https://127.0.0.1:PORT
#   node_kill9 NAME           kill -9, and wait until it is gone
#   now_ms                    the wall clock in milliseconds (as issuer-activate-all prints it)
#   wait_lines N FILE...      wait (60 s at most) until the files hold N lines together (named,
#                             not a glob: a background job may not have made its file yet)
#   signed NAME CREDS METHOD PATH [BODY]  a request to node NAME signed with the terminal
#                             credentials file CREDS: status in $code, body in $T/out,
#                             headers in $T/headers; NODE_CA the certificate to trust
#                             (default $T/state/tls/cert.pem)
#   request_id SEED I         the request_id of issuer-activate-all's I-th request
I=${REUP_ISSUER:?}
declare -gA NODE_PID=() NODE_PORT=()

pg_ledger_env() {
  REUP_TEST_PG_HOST=$(pg_host "$1") || return 1
  export REUP_TEST_PG_HOST REUP_TEST_PG_USER=$PG_ROLE REUP_TEST_PG_SUPERUSER=$PG_SUPERUSER \
    REUP_TEST_PG_BINDIR=$_PG_BIN
}

node_dir() { cp -a "$1" "$2"; }

node_start() {
  local name=$1 dir=$2
  shift 2
  "$I" serve --dir "$dir" --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>>"$T/$name.log" &
  NODE_PID[$name]=$!
  on_exit "kill -KILL ${NODE_PID[$name]}"
  NODE_PORT[$name]=$(wait_port "$T/$name.out")
  [ -n "${NODE_PORT[$name]}" ] || { echo "node $name did not start: $(tail -3 "$T/$name.log")" >&2; return 1; }
}

node_url() { echo "https://127.0.0.1:${NODE_PORT[$1]}"; }

node_kill9() {
  kill -KILL "${NODE_PID[$1]}" 2>/dev/null
  wait "${NODE_PID[$1]}" 2>/dev/null
  return 0
}

now_ms() { date +%s%3N; }

wait_lines() {
  local n=$1 _
  shift
  for _ in $(seq 1 1200); do
    [ "$(cat "$@" 2>/dev/null | wc -l)" -ge "$n" ] && return 0
    sleep 0.05
  done
  return 1
}


signed() {
  local node=$1 creds=$2 m=$3 path=$4 body=${5:-}
  local args=(-s -o "$T/out" -D "$T/headers" -w '%{http_code}' --cacert "${NODE_CA:-$T/state/tls/cert.pem}" -X "$m"
    -H "Authorization: $(sign_as "$creds" "$m" "$path" "$body")")
  [ -z "$body" ] || args+=(-H "Content-Type: application/json" --data-binary "$body")
  code=$(curl "${args[@]}" "$(node_url "$node")$path")
}

# request_id SEED I: the request_id of issuer-activate-all's I-th request (from 0) with SEED
request_id() { printf '7d1e0c4a-2b3f-4a5d-8e6f-%04d%08d' "$(($1 % 10000))" "$2"; }
