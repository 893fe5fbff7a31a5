# tests/cli/lib.sh - helpers for the black-box CLI tests (sourced, not run).
# Environment from ctest: REUP_LOCATE (the program), REUP_LOCATOR_DB (default database),
# REUP_SOURCE_DIR, REUP_TEST_TMP (scratch space).
set -u
: "${REUP_LOCATE:?}" "${REUP_LOCATOR_DB:?}" "${REUP_SOURCE_DIR:?}"
mkdir -p "${REUP_TEST_TMP:-/tmp}"
T=$(mktemp -d "${REUP_TEST_TMP:-/tmp}/$(basename "$0" .sh).XXXXXX")
# on_exit CMD: run CMD (a shell command) when the script ends, on every path: whatever a
# test starts (a server, cupsd, tmux) is stopped there, so a failing test fails in seconds
# instead of leaving a server that ctest waits for. Run last-registered first, then $T goes.
_on_exit=()
on_exit() { _on_exit+=("$1"); }
_at_exit() {
  local i
  for ((i = ${#_on_exit[@]} - 1; i >= 0; i--)); do eval "${_on_exit[i]}" >/dev/null 2>&1 || true; done
  rm -rf "$T"
}
trap _at_exit EXIT
# wait_port FILE: wait (20 s at most: a loaded machine starts slowly) for a server's
# "... port N" line in FILE; prints N, or nothing when it did not come.
wait_port() {
  local _i
  for _i in $(seq 1 400); do grep -q 'port [0-9]' "$1" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/.*port \([0-9]*\)$/\1/p' "$1" 2>/dev/null | head -n 1
}
failures=0
checks=0

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
expect_jq() { checks=$((checks + 1)); jq -e "$1" "$T/out" >/dev/null || fail "jq '$1' is not true on: $(head -c 400 "$T/out")"; }

finish() {
  echo "$checks checks, $failures failed"
  [ "$failures" -eq 0 ]
}
