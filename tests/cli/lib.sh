# tests/cli/lib.sh - helpers for the black-box CLI tests (sourced, not run).
# Environment from ctest: REUP_LOCATE (the program), REUP_LOCATOR_DB (default database),
# REUP_SOURCE_DIR, REUP_TEST_TMP (scratch space).
set -u
: "${REUP_LOCATE:?}" "${REUP_LOCATOR_DB:?}" "${REUP_SOURCE_DIR:?}"
mkdir -p "${REUP_TEST_TMP:-/tmp}"
T=$(mktemp -d "${REUP_TEST_TMP:-/tmp}/$(basename "$0" .sh).XXXXXX")
# on_exit CMD (tests/tools/on-exit.sh): whatever a test starts (a server, cupsd, tmux) is
# stopped when the script ends, on every path, so a failing test fails in seconds instead
# of leaving a server that ctest waits for. $T, registered first, goes last.
. "$(dirname "${BASH_SOURCE[0]}")/../tools/on-exit.sh"
on_exit 'rm -rf "$T"'
# wait_port FILE: wait (60 s at most: an ASan build on a loaded machine starts slowly) for a server's
# "... port N" line in FILE; prints N, or nothing when it did not come.
wait_port() {
  local _i
  for _i in $(seq 1 1200); do grep -q 'port [0-9]' "$1" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/.*port \([0-9]*\)$/\1/p' "$1" 2>/dev/null | head -n 1
}
failures=0
checks=0

# The issuer's ledger: SQLite (DIR/issuer.db) as before, or, when the test runs under
# tests/tools/with-pg.sh (REUP_TEST_PG_HOST set), a fresh database of its private
# PostgreSQL cluster for each issuer_init. $T/ledgers maps each DIR to its URI (a file, so
# an init in a subshell counts too).
# issuer_init DIR [ARG...]: reup-issuer init --dir DIR ARG... on the engine of the run
issuer_init() {
  local dir=$1 db n
  shift
  if [ -n "${REUP_TEST_PG_HOST:-}" ]; then
    n=1
    [ ! -f "$T/ledgers" ] || n=$(($(wc -l <"$T/ledgers") + 1))
    db=$(basename "$0" .sh | tr -c 'a-z0-9\n' _ | cut -c 1-40)_$$_$n
    createdb -h "$REUP_TEST_PG_HOST" -U "${REUP_TEST_PG_USER:?}" "$db" ||
      { echo "issuer_init: createdb $db failed" >&2; return 4; }
    printf '%s\t%s\n' "$dir" "postgresql:///$db?host=$REUP_TEST_PG_HOST&user=$REUP_TEST_PG_USER" >>"$T/ledgers"
    set -- --database "$(ledger_uri "$dir")" "$@"
  fi
  "${REUP_ISSUER:?}" init --dir "$dir" "$@"
}
# ledger_uri DIR: the PostgreSQL URI of DIR's ledger; nothing for SQLite
ledger_uri() {
  [ ! -f "$T/ledgers" ] || awk -F '\t' -v d="$1" '$1 == d { u = $2 } END { if (u != "") print u }' "$T/ledgers"
}
# on_postgres DIR: DIR's ledger is on PostgreSQL
on_postgres() { [ -n "$(ledger_uri "$1")" ]; }
# ledger_sql DIR SQL: one statement on DIR's ledger, rows as `a|b` lines on both engines
ledger_sql() {
  local uri
  uri=$(ledger_uri "$1")
  if [ -n "$uri" ]; then
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$uri" -c "$2"
  else
    sqlite3 "$1/issuer.db" "$2"
  fi
}
# ledger_integrity DIR: prints ok when the ledger's storage checks out (SQLite:
# integrity_check; PostgreSQL: pg_amcheck of every table and index, as the superuser)
ledger_integrity() {
  local uri db
  uri=$(ledger_uri "$1")
  db=${uri#postgresql:///}
  if [ -z "$uri" ]; then
    sqlite3 "$1/issuer.db" "PRAGMA integrity_check"
  elif "${REUP_TEST_PG_BINDIR:?}/pg_amcheck" --install-missing -h "$REUP_TEST_PG_HOST" \
    -U "${REUP_TEST_PG_SUPERUSER:?}" "${db%%\?*}" >&2; then
    echo ok
  fi
}
# sign_as CREDS METHOD PATH BODY: the Authorization header's value for the terminal of the
# credentials file CREDS, signed now
sign_as() {
  local secret ts h sig
  secret=$(jq -r .secret "$1")
  ts=$(date +%s)
  h=$(printf '%s' "$4" | openssl dgst -sha256 -r | cut -d' ' -f1)
  sig=$(printf '%s\n%s\n%s\n%s' "$2" "$3" "$ts" "$h" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$secret" -r | cut -d' ' -f1)
  printf 'ReUp-HMAC-SHA256 terminal=%s, ts=%s, sig=%s' "$(jq -r .terminal "$1")" "$ts" "$sig"
}
# issuer_world DIR TERMINAL...: an issuer in DIR with plan 1y (39.99 USD) and each
# TERMINAL of store WM00001, its credentials in $T/TERMINAL.json (mode 0600)
issuer_world() {
  local dir=$1 t
  shift
  issuer_init "$dir" >/dev/null &&
    "${REUP_ISSUER:?}" plan add --dir "$dir" --code 1y --months 12 --price 3999 --currency USD >/dev/null || return 1
  for t in "$@"; do
    "${REUP_ISSUER:?}" terminal add --dir "$dir" --store WM00001 --terminal "$t" >"$T/$t.json" &&
      chmod 600 "$T/$t.json" || return 1
  done
}
# serve_start DIR: reup-issuer serve of DIR on a free loopback port, killed when the test
# ends; SERVE_PID and SERVE_PORT tell which (a server that does not start ends the test)
serve_start() {
  "${REUP_ISSUER:?}" serve --dir "$1" --listen 127.0.0.1:0 >"$T/serve.out" 2>>"$T/serve.log" &
  SERVE_PID=$!
  on_exit 'kill -KILL "${SERVE_PID:-}"'
  SERVE_PORT=$(wait_port "$T/serve.out")
  [ -n "$SERVE_PORT" ] || { fail "serve did not start: $(cat "$T/serve.log")"; finish; exit 1; }
}
# ledger_text DIR: everything stored in DIR's ledger as text, to search for what must not
# be there (SQLite: the file and its WAL, checkpointed; PostgreSQL: pg_dump)
ledger_text() {
  local uri
  uri=$(ledger_uri "$1")
  if [ -n "$uri" ]; then
    "${REUP_TEST_PG_BINDIR:?}/pg_dump" -d "$uri"
  else
    sqlite3 "$1/issuer.db" "PRAGMA wal_checkpoint" >/dev/null
    cat "$1/issuer.db" "$1"/issuer.db-wal 2>/dev/null
  fi
}

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# run CMD...: runs it with stdout in $T/out, stderr in $T/err, exit code in $rc
run() { rc=0; "$@" >"$T/out" 2>"$T/err" || rc=$?; }

# expect_exit CODE CMD...: the command must exit with CODE
expect_exit() {
  local want=$1; shift
  run "$@"; checks=$((checks + 1))
  [ "$rc" -eq "$want" ] || fail "exit $rc, wanted $want: $* (stderr: $(head -c 300 "$T/err"))"
}

# expect_out PATTERN / expect_err PATTERN: extended regexp in stdout / stderr of the last run
expect_out() { checks=$((checks + 1)); grep -Eq -- "$1" "$T/out" || fail "stdout lacks /$1/: $(head -c 400 "$T/out")"; }
expect_err() { checks=$((checks + 1)); grep -Eq -- "$1" "$T/err" || fail "stderr lacks /$1/: $(head -c 400 "$T/err")"; }
# expect_jq FILTER: the jq filter is true on stdout of the last run
# expect_eq GOT WANTED WHAT
expect_eq() { checks=$((checks + 1)); [ "$1" = "$2" ] || fail "$3: got '$1', wanted '$2'"; }
expect_jq() { checks=$((checks + 1)); jq -e "$1" "$T/out" >/dev/null || fail "jq '$1' is not true on: $(head -c 400 "$T/out")"; }
# get URL [CURL OPTIONS]: an HTTP request; body in $T/out, headers in $T/headers, status
# in $code. expect_code STATUS [WHAT], expect_header REGEXP: checks on the last one.
get() { code=$(curl -s -o "$T/out" -D "$T/headers" -w '%{http_code}' "$@"); }
expect_code() { checks=$((checks + 1)); [ "$code" = "$1" ] || fail "HTTP $code, wanted $1${2:+ for $2}: $(head -c 300 "$T/out")"; }
expect_header() { checks=$((checks + 1)); grep -qi -- "$1" "$T/headers" || fail "no header /$1/ in: $(cat "$T/headers")"; }

finish() {
  echo "$checks checks, $failures failed"
  [ "$failures" -eq 0 ]
}
