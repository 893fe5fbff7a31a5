#!/usr/bin/env bash
# s503: a slow client cannot keep a connection slot forever. Attacks, against both
# servers: a connection that sends nothing is closed after --idle-timeout; a slowloris,
# which sends its headers a byte every half second so that it is never silent, is cut
# once its request has taken --request-timeout, for the issuer inside TLS (openssl
# s_client) as well as on the bare TCP connection; a slow body (POST) likewise.
. "$(dirname "$0")/net-lib.sh"
trap '' PIPE

# dribble FD SECONDS: write "X-Slow: aaaa..." a byte each half second to FD until the
# server ends the connection or SECONDS pass; $took_ms says how long the connection lived.
dribble() {
  local fd=$1 t0 end
  t0=$(now_ms)
  end=$((t0 + $2 * 1000))
  printf 'GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&"$fd" 2>/dev/null
  while [ "$(now_ms)" -lt "$end" ]; do
    printf 'a' >&"$fd" 2>/dev/null || break
    closed_within "$fd" 0.5 && break
  done
  took_ms=$(($(now_ms) - t0))
}

for which in locate issuer; do
  # silence: closed by the idle timeout (the request timeout far away)
  start "$which" 127.0.0.1:0 --idle-timeout 2 --request-timeout 600
  hold 1
  t0=$(now_ms)
  checks=$((checks + 1))
  closed_within "${held[0]}" 10 || fail "$which: a silent connection was still open after 10 s (--idle-timeout 2)"
  expect_le "$which: closing a silent connection (--idle-timeout 2)" $(($(now_ms) - t0)) 6000
  expect_served "$which" 127.0.0.1
  kill -TERM "$pid"; wait "$pid" || fail "$which did not exit 0"

  # slowloris: never silent, cut by the request timeout
  start "$which" 127.0.0.1:0 --idle-timeout 600 --request-timeout 2
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  dribble "$fd" 15
  expect_le "$which: a slowloris connection (--request-timeout 2)" "$took_ms" 7000
  exec {fd}>&-
  expect_served "$which" 127.0.0.1
  kill -TERM "$pid"; wait "$pid" || fail "$which did not exit 0"
done

# The same inside TLS: the handshake done, the headers dribbled through s_client.
start issuer 127.0.0.1:0 --idle-timeout 600 --request-timeout 2
# tls_dribble START: over TLS, START then a byte every half second until the server cuts
# the connection (15 s at most); $t0 is when it began
tls_dribble() {
  t0=$(now_ms)
  {
    printf '%b' "$1"
    for _ in $(seq 1 30); do printf 'a' 2>/dev/null || break; sleep 0.5; done
  } | timeout 20 openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$S/tls/cert.pem" \
    > "$T/tls.out" 2> "$T/tls.err"
}
tls_dribble 'GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: '
expect_le "issuer: a slowloris inside TLS (--request-timeout 2)" $(($(now_ms) - t0)) 8000
checks=$((checks + 1))
grep -q 'verify return:1\|depth=0' "$T/tls.err" || fail "the TLS handshake did not complete: $(head -c 300 "$T/tls.err")"

# A slow body: headers complete, the body a byte every half second.
tls_dribble 'POST /v1/redemptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n'
expect_le "issuer: a slow body inside TLS (--request-timeout 2)" $(($(now_ms) - t0)) 8000
kill -TERM "$pid"; wait "$pid" || fail "issuer did not exit 0"
finish
