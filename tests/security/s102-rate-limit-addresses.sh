#!/usr/bin/env bash
# s102: the API's rate limit of reup-locate serve holds per client address.
# Attack: two loopback addresses (127.0.0.1 and 127.0.0.2, curl --interface) take turns,
# which once reset each other's bucket (both fell into one slot of a table keyed by a
# hash of the address) and got every answer. With --rate 1 each address must get its
# burst of 2 and then 429 with Retry-After: 1, whatever the other does; a third address
# arriving later still gets its own burst. The log names each client address.
# The table's eviction (many addresses, IPv6 /64 keys) is tested in tests/unit/test_ratelimit.c.
. "$(dirname "$0")/../cli/lib.sh"
"$REUP_LOCATE" serve --listen 127.0.0.1:0 --web "" --rate 1 > "$T/serve.out" 2> "$T/serve.log" &
pid=$!
on_exit "kill -TERM $pid; wait $pid"
port=$(wait_port "$T/serve.out")
[ -n "$port" ] || { fail "serve did not start: $(cat "$T/serve.log")"; finish; exit 1; }
URL="http://127.0.0.1:$port/api/v1/places?prefix=rock"

# ask FROM: one request from the address FROM; its status is appended to $T/FROM
ask() { curl -s --max-time 5 --interface "$1" -o /dev/null -w '%{http_code}\n' "$URL" >> "$T/$1" || echo 000 >> "$T/$1"; }

# 20 turns each, as fast as they come (well under the 20 s that would earn 20 tokens)
start=$(date +%s.%N)
for _ in $(seq 1 20); do ask 127.0.0.1; ask 127.0.0.2; done
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
for a in 127.0.0.1 127.0.0.2; do
  ok=$(grep -c '^200$' "$T/$a" || true)
  limited=$(grep -c '^429$' "$T/$a" || true)
  # the burst, plus one a second that passed, plus one for rounding
  most=$(echo "2 + $elapsed + 1" | bc | cut -d. -f1)
  checks=$((checks + 3))
  [ "$ok" -ge 2 ] || fail "$a: its burst of 2 was refused: $(tr '\n' ' ' < "$T/$a")"
  [ "$ok" -le "$most" ] || fail "$a: $ok answers in ${elapsed}s, at most $most allowed: $(tr '\n' ' ' < "$T/$a")"
  [ $((ok + limited)) -eq 20 ] || fail "$a: answers other than 200 and 429: $(tr '\n' ' ' < "$T/$a")"
done

# the 429 says when to come back
# (on a loaded machine a second may pass and refill the bucket: ask again)
for _ in 1 2 3 4 5; do
  code=$(curl -s --interface 127.0.0.2 -D "$T/headers" -o "$T/out" -w '%{http_code}' "$URL")
  [ "$code" != 429 ] || break
done
checks=$((checks + 1)); [ "$code" = 429 ] || fail "127.0.0.2 was not limited: $code"
expect_header() { checks=$((checks + 1)); grep -qi -- "$1" "$T/headers" || fail "no header /$1/ in: $(cat "$T/headers")"; }
expect_header 'Retry-After: 1'
expect_jq '.error.code == "rate_limited"'

# a newcomer is not hurt by the two spent buckets
for _ in 1 2; do ask 127.0.0.3; done
checks=$((checks + 1))
[ "$(tr '\n' ' ' < "$T/127.0.0.3")" = "200 200 " ] || fail "127.0.0.3 lost its burst: $(tr '\n' ' ' < "$T/127.0.0.3")"

# the log names both clients
checks=$((checks + 2))
grep -q '127\.0\.0\.2 GET /api/v1/places?prefix=rock 429' "$T/serve.log" || fail "no 429 logged for 127.0.0.2: $(tail -3 "$T/serve.log")"
grep -q '127\.0\.0\.1 GET /api/v1/places?prefix=rock 200' "$T/serve.log" || fail "no 200 logged for 127.0.0.1: $(tail -3 "$T/serve.log")"
finish
