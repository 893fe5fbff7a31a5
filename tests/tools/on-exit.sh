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
