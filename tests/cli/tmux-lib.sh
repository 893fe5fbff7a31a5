# tests/cli/tmux-lib.sh - a program on a terminal of its own (a tmux pane named pos), for
# the POS tests; sourced after lib.sh.
# pos_tmux CMD: run CMD in a 120x30 pane, stopped when the test ends; screen: what it shows;
# keys KEY...: type; wait_for TEXT [TENTHS]: until the pane shows TEXT (TENTHS of a second:
# $SCREEN_TENTHS, 100 unless set), giving up early once $T/ui.done exists (the screen's
# program ended); expect_screen TEXT: the same, as a check.
export TMUX_TMPDIR=$T
pos_tmux() {
  tmux new-session -d -s pos -x 120 -y 30 "$1"
  on_exit "tmux kill-server"
}
screen() { tmux capture-pane -p -t pos 2>/dev/null; }
keys() { tmux send-keys -t pos "$@"; }
wait_for() {
  local _i
  for _i in $(seq 1 "${2:-${SCREEN_TENTHS:-100}}"); do
    screen | grep -qF -- "$1" && return 0
    [ -e "$T/ui.done" ] && return 1
    sleep 0.1
  done
  return 1
}
expect_screen() { checks=$((checks + 1)); wait_for "$1" || fail "the screen does not show '$1': $(screen)"; }
