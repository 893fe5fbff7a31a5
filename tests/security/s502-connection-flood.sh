#!/usr/bin/env bash
# s502: one client address cannot take every connection of a server. Attack: from
# 127.0.0.1, open and hold as many connections as the per-address limit allows (the
# default 64 for the locator, 4 for the issuer), then one more: that one is closed at
# once, the held ones stay open, and a client at a second loopback address (127.0.0.2)
# is still served. Then the total limit: with --max-connections 4 and no per-address
# limit, 4 held connections from 127.0.0.1 leave 127.0.0.2 unserved (its connection waits
# in the listening queue), and it is served again once they close.
. "$(dirname "$0")/net-lib.sh"

# flood WHICH LIMIT: hold LIMIT connections, then check one more and a second address.
flood() {
  local which=$1 limit=$2 extra t0
  hold "$limit"
  sleep 0.5 # every held connection accepted before the extra one comes
  exec {extra}<>"/dev/tcp/127.0.0.1/$port"
  t0=$(now_ms)
  checks=$((checks + 1))
  closed_within "$extra" 4 || fail "$which: connection $((limit + 1)) from one address was kept open"
  expect_le "$which: closing connection $((limit + 1))" $(($(now_ms) - t0)) 2000
  checks=$((checks + 1))
  closed_within "${held[0]}" 0.3 && fail "$which: a held connection was closed"
  expect_served "$which" 127.0.0.1 --interface 127.0.0.2
  exec {extra}>&-
}

release() {
  local fd
  for fd in "${held[@]}"; do exec {fd}>&-; done
  held=()
  sleep 0.5
}

start locate 127.0.0.1:0
flood locate 64
release
expect_served locate 127.0.0.1
kill -TERM "$pid"; wait "$pid" || fail "locate did not exit 0"

start issuer 127.0.0.1:0 --max-connections-per-address 4
flood issuer 4
release
expect_served issuer 127.0.0.1
kill -TERM "$pid"; wait "$pid" || fail "issuer did not exit 0"

for which in locate issuer; do
  start "$which" 127.0.0.1:0 --max-connections 4 --max-connections-per-address 0
  hold 4
  sleep 0.5
  checks=$((checks + 1))
  probe "$which" 127.0.0.1 --interface 127.0.0.2 --max-time 2
  [ "$status" = 000 ] || fail "$which: served a fifth connection past --max-connections 4 (HTTP $status)"
  release
  expect_served "$which" 127.0.0.1 --interface 127.0.0.2
  kill -TERM "$pid"; wait "$pid" || fail "$which did not exit 0"
done
finish
