# tests/cli/notify-lib.sh - a server under a stand-in service manager, for the readiness
# tests (sourced after lib.sh): tests/tools/notifysocket listens on $NOTIFY_SOCKET and
# writes what the server sends to a file, each message its lines then "--".
N=${REUP_NOTIFYSOCKET:?}

# listen SOCKET OUT [PORT_FILE]: a notify socket writing to OUT (connecting to the port
# in PORT_FILE when READY=1 comes); stopped when the script ends
listen() {
  "$N" "$1" "$2" ${3:+"$3"} >"$2.ready" 2>&1 &
  on_exit "kill $!"
  for _ in $(seq 1 200); do grep -q ready "$2.ready" && return; sleep 0.05; done
  fail "notifysocket did not start: $(cat "$2.ready")"; finish; exit 1
}
# wait_msg OUT PATTERN N: wait (60 s at most) until OUT holds N lines matching PATTERN
wait_msg() {
  for _ in $(seq 1 1200); do [ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0; sleep 0.05; done
  return 1
}
# expect_no_ready CMD...: run a server that must fail to start, with a notify socket;
# its exit code in $rc; it must not have sent READY=1
expect_no_ready() {
  listen "$T/bad.sock" "$T/bad.msgs"
  rc=0
  NOTIFY_SOCKET=$T/bad.sock "$@" >/dev/null 2>"$T/bad.log" || rc=$?
  sleep 0.2
  checks=$((checks + 1))
  ! grep -q 'READY=1' "$T/bad.msgs" || fail "a server that did not start sent READY=1: $(cat "$T/bad.msgs")"
}
# serve_notified CMD...: start a server (output in $T/serve.out, log in $T/serve.log)
# with a notify socket writing to $T/msgs; $pid, $port. Its first message must be
# READY=1 with its MAINPID, and the port must accept the moment it comes.
serve_notified() {
  listen "$T/n.sock" "$T/msgs" "$T/serve.out"
  NOTIFY_SOCKET=$T/n.sock "$@" >"$T/serve.out" 2>"$T/serve.log" &
  pid=$!
  on_exit "kill -KILL $pid"
  wait_msg "$T/msgs" '^READY=1$' 1 || fail "no READY=1 within 60 s: $(cat "$T/serve.log")"
  port=$(wait_port "$T/serve.out")
  [ -n "$port" ] || { fail "serve did not start: $(cat "$T/serve.log")"; finish; exit 1; }
  checks=$((checks + 1))
  [ "$(head -n 1 "$T/msgs")" = READY=1 ] || fail "the first message is not READY=1: $(cat "$T/msgs")"
  checks=$((checks + 1))
  [ "$(sed -n '/^--$/q;p' "$T/msgs" | grep -c '^CONNECT ok$')" = 1 ] ||
    fail "the port did not accept when READY=1 came: $(cat "$T/msgs")"
  expect_eq "$(grep -m1 '^MAINPID=' "$T/msgs")" "MAINPID=$pid" "MAINPID"
}
# expect_stopping: SIGTERM the server of serve_notified: exit 0 and STOPPING=1
expect_stopping() {
  kill -TERM "$pid"
  rc=0; wait "$pid" || rc=$?
  expect_eq "$rc" 0 "exit after SIGTERM"
  checks=$((checks + 1))
  wait_msg "$T/msgs" '^STOPPING=1$' 1 || fail "no STOPPING=1 on SIGTERM: $(tail -5 "$T/msgs")"
}
