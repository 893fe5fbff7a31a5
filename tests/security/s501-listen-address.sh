#!/usr/bin/env bash
# s501: where the servers listen is exactly what --listen says. Attacks: listen addresses
# that a lax parser would take for something else (names looked up, junk after the port,
# signs, hex, out-of-range ports, IPv6 without brackets, zones, IPv4-mapped IPv6, spaces)
# are refused with exit 2 and a message, by both servers, before anything listens.
# Covers too: both serve on [::1], and on [::] for IPv6 and IPv4 clients alike, and print
# "port N" as before; the locator's log names those clients by their addresses.
. "$(dirname "$0")/net-lib.sh"

for which in locate issuer; do
  for bad in 'localhost:8080' '127.0.0.1' '127.0.0.1:' '127.0.0.1:+80' '127.0.0.1:0x50' '127.0.0.1:65536' \
             '127.0.0.1:80 ' ' 127.0.0.1:80' '127.0.0.1:80x' '127.1:80' '::1:8080' '[::1]' '[::1]80' \
             '[fe80::1%lo]:80' '[::ffff:127.0.0.1]:80' '[1.2.3.4]:80' '[::1]:99999' ''; do
    if [ "$which" = locate ]; then
      expect_exit 2 "$REUP_LOCATE" serve --listen "$bad" --web ""
    else
      expect_exit 2 "$REUP_ISSUER" serve --dir "$S" --listen "$bad"
    fi
    expect_err "--listen '.*': "
  done
done

for which in locate issuer; do
  start "$which" '[::1]:0'
  checks=$((checks + 1))
  grep -Eq '^reup-[a-z]+: serving https? on \[::1\]:0.*, port [0-9]+$' "$T/serve.out" ||
    fail "startup line: $(cat "$T/serve.out")"
  expect_served "$which" '[::1]'
  kill -TERM "$pid"; wait "$pid" || fail "$which on [::1] did not exit 0"

  start "$which" '[::]:0'
  expect_served "$which" '[::1]'
  expect_served "$which" 127.0.0.1
  kill -TERM "$pid"; wait "$pid" || fail "$which on [::] did not exit 0"
done
# the locator's log names IPv6 clients, and IPv4 clients of a dual-stack socket, by address
checks=$((checks + 2))
grep -q ' ::1 GET /api/v1/stores' "$T/serve.log" || fail "no log line naming the IPv6 client ::1"
grep -q ' ::ffff:127.0.0.1 GET /api/v1/stores' "$T/serve.log" || fail "no log line naming the IPv4 client of [::]"

finish
