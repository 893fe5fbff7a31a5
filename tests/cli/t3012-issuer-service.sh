#!/usr/bin/env bash
# t3012: reup-issuer serve under a service manager (docs/services.md).
# Covers: readiness by sd_notify: READY=1 with MAINPID and a STATUS line arrives once,
# after the TLS port accepts (tests/tools/notifysocket connects the moment it reads it);
# a server that cannot start (no state directory) sends no READY=1; SIGHUP is logged as
# having nothing to reload and the server goes on answering on the connection it had;
# SIGTERM: STOPPING=1, exit 0.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
N=${REUP_NOTIFYSOCKET:?}
S=$T/state
issuer_init "$S" >/dev/null || { fail "cannot init the issuer"; finish; exit 1; }

# listen SOCKET OUT [PORT_FILE]: a notify socket; $npid
listen() {
  "$N" "$1" "$2" ${3:+"$3"} >"$2.ready" 2>&1 &
  npid=$!
  on_exit "kill $npid"
  for _ in $(seq 1 200); do grep -q ready "$2.ready" && return; sleep 0.05; done
  fail "notifysocket did not start: $(cat "$2.ready")"; finish; exit 1
}
# wait_msg OUT PATTERN N: wait (60 s at most) until OUT holds N lines matching PATTERN
wait_msg() {
  for _ in $(seq 1 1200); do [ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0; sleep 0.05; done
  return 1
}
health() { curl -s -o /dev/null -w '%{http_code}' --cacert "$S/tls/cert.pem" "https://localhost:$port/v1/health"; }

# a server that cannot start says nothing to the manager
listen "$T/bad.sock" "$T/bad.msgs"
rc=0
NOTIFY_SOCKET=$T/bad.sock "$I" serve --dir "$T/no-such-dir" --listen 127.0.0.1:0 >/dev/null 2>"$T/bad.log" || rc=$?
checks=$((checks + 1))
[ "$rc" -ne 0 ] || fail "serve on a missing state directory exited 0"
sleep 0.2
checks=$((checks + 1))
! grep -q 'READY=1' "$T/bad.msgs" || fail "a server that did not start sent READY=1: $(cat "$T/bad.msgs")"

listen "$T/n.sock" "$T/msgs" "$T/serve.out"
NOTIFY_SOCKET=$T/n.sock "$I" serve --dir "$S" --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.log" &
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
checks=$((checks + 1))
grep -q "^STATUS=serving https on 127.0.0.1:0, port $port$" "$T/msgs" || fail "no STATUS line: $(cat "$T/msgs")"
expect_eq "$(health)" 200 "health once ready"

# SIGHUP: logged, nothing else; a connection held across it still answers
coproc KEPT { openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$S/tls/cert.pem" 2>/dev/null; }
on_exit "kill $KEPT_PID"
kept() {
  local line
  printf 'GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n' >&"${KEPT[1]}"
  IFS= read -r -t 30 line <&"${KEPT[0]}"
  status=${line%$'\r'}
  while IFS= read -r -t 5 line <&"${KEPT[0]}"; do [ "${line%$'\r'}" = '' ] && break; done
  while IFS= read -r -t 0.5 line <&"${KEPT[0]}"; do :; done
}
kept
expect_eq "$status" "HTTP/1.1 200 OK" "the kept connection before SIGHUP"
kill -HUP "$pid"
for _ in $(seq 1 200); do grep -q 'SIGHUP' "$T/serve.log" && break; sleep 0.05; done
checks=$((checks + 1))
grep -q 'reup-issuer: SIGHUP: nothing to reload' "$T/serve.log" || fail "no log line for SIGHUP: $(cat "$T/serve.log")"
checks=$((checks + 1))
kill -0 "$pid" 2>/dev/null || fail "SIGHUP ended the server"
kept
expect_eq "$status" "HTTP/1.1 200 OK" "the kept connection after SIGHUP"
expect_eq "$(health)" 200 "health after SIGHUP"
checks=$((checks + 1))
! grep -qE '^(RELOADING|STOPPING)=1$' "$T/msgs" || fail "SIGHUP sent more than nothing: $(cat "$T/msgs")"

# SIGTERM: STOPPING=1, exit 0
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
expect_eq "$rc" 0 "exit after SIGTERM"
wait_msg "$T/msgs" '^STOPPING=1$' 1 || fail "no STOPPING=1 on SIGTERM: $(tail -5 "$T/msgs")"
finish
