# tests/tools/on-exit.sh - cleanup on every path, for the tests and the scripts that start
# servers (sourced, not run). on_exit CMD: run CMD (a shell command) when the script ends,
# however it ends; commands run last-registered first, and one that fails does not stop
# the others. Sourcing it sets the EXIT trap.
_on_exit=()
on_exit() { _on_exit+=("$1"); }
_at_exit() {
  local i
  for ((i = ${#_on_exit[@]} - 1; i >= 0; i--)); do eval "${_on_exit[i]}" >/dev/null 2>&1 || true; done
}
trap _at_exit EXIT
# stop_process PID [SECONDS]: SIGTERM, up to SECONDS (default 5) for it to end, then
# SIGKILL; reaps it when it is this shell's child
stop_process() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < ${2:-5} * 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
