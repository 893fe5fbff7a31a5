#!/usr/bin/env bash
# s504: SIGTERM stops a server promptly and cleanly, whatever the clients do. Attacks,
# against both servers with --shutdown-timeout 2: a request held half-sent across the
# SIGTERM cannot keep the server alive (cut when the bound expires, exit 0 within the
# bound and a margin); a connection attempted just after the SIGTERM is refused at once
# (the listening socket is closed), not left hanging. And a request that completes
# during the wait is still answered 200, the server exiting as soon as it is done.
. "$(dirname "$0")/net-lib.sh"
trap '' PIPE

# send WHICH TEXT...: a client that writes each TEXT in turn, a second apart, on one
# connection (TLS for the issuer), its answer in $T/answer; runs in the background.
send() {
  local which=$1
  shift
  {
    for part in "$@"; do printf '%b' "$part" 2>/dev/null || break; sleep 1; done
    sleep 4
  } | if [ "$which" = locate ]; then
    timeout 15 curl -s --max-time 15 telnet://127.0.0.1:"$port" > "$T/answer" 2>/dev/null
  else
    timeout 15 openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$S/tls/cert.pem" > "$T/answer" 2>/dev/null
  fi
}

# stop_timed BOUND_MS: SIGTERM, then a new connection at once (must be refused quickly),
# then the exit (0, within BOUND_MS).
stop_timed() {
  local t0 st=0
  t0=$(now_ms)
  kill -TERM "$pid"
  sleep 0.3
  probe "$which" 127.0.0.1
  checks=$((checks + 1))
  [ "$rc" = 7 ] || fail "$which: a connection just after SIGTERM: curl exit $rc (HTTP $status), wanted 7 (refused)"
  wait "$pid" || st=$?
  checks=$((checks + 1))
  [ "$st" = 0 ] || fail "$which: exit $st after SIGTERM, wanted 0"
  expect_le "$which: stopping" $(($(now_ms) - t0)) "$1"
}

path_of() { [ "$1" = locate ] && echo '/api/v1/stores?q=Boston' || echo /v1/health; }

for which in locate issuer; do
  # a request that never completes: cut at the bound (2 s; the issuer adds 1 s for
  # writes just committed)
  start "$which" 127.0.0.1:0 --shutdown-timeout 2
  send "$which" "GET $(path_of "$which") HTTP/1.1\r\nHost: x\r\n" &
  client=$!
  on_exit "kill $client"
  sleep 1.5
  stop_timed 7000
  wait "$client"

  # a request completed during the wait: answered, and the server goes at once after
  start "$which" 127.0.0.1:0 --shutdown-timeout 10
  send "$which" "GET $(path_of "$which") HTTP/1.1\r\nHost: x\r\n" "\r\n" &
  client=$!
  on_exit "kill $client"
  sleep 0.5
  stop_timed 6000
  wait "$client"
  checks=$((checks + 1))
  grep -q '^HTTP/1.1 200' "$T/answer" || fail "$which: the request in flight at SIGTERM was not answered 200: $(head -c 300 "$T/answer")"
done
finish
