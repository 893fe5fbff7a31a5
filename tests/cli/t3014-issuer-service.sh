#!/usr/bin/env bash
# t3014: reup-issuer serve under a service manager (docs/services.md).
# Covers: readiness by sd_notify: READY=1 with MAINPID and a STATUS line arrives once,
# after the TLS port accepts (tests/tools/notifysocket connects the moment it reads it);
# a server that cannot start (no state directory) sends no READY=1; SIGHUP is logged as
# having nothing to reload and the server goes on answering on the connection it had;
# SIGTERM: STOPPING=1, exit 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify-lib.sh"
I=${REUP_ISSUER:?}
S=$T/state
issuer_init "$S" >/dev/null || { fail "cannot init the issuer"; finish; exit 1; }

health() { curl -s -o /dev/null -w '%{http_code}' --cacert "$S/tls/cert.pem" "https://localhost:$port/v1/health"; }

# a server that cannot start says nothing to the manager
expect_no_ready "$I" serve --dir "$T/no-such-dir" --listen 127.0.0.1:0
checks=$((checks + 1))
[ "$rc" -ne 0 ] || fail "serve on a missing state directory exited 0"

serve_notified "$I" serve --dir "$S" --listen 127.0.0.1:0
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
expect_stopping
finish
