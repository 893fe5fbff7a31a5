#!/usr/bin/env bash
# t1006: the locator page (web/) in headless Chromium against reup-locate serve on a
# loopback port: Rock Springs, WY gives the stores within the default 100 miles in the
# list and as markers plus the origin on the map, in distance order; København offered for
# "Kobe" and chosen by keyboard, no store within 100 miles of it, how far the nearest is
# and "Show the nearest anyway"; "Did you mean"; no results in a radius; the keyboard
# alone; back and reload; phone width; use my location; the server gone. Screenshots land in
# build/tests/artifacts/t1006/. The checks are in tests/web/page.mjs.
. "$(dirname "$0")/lib.sh"
: "${REUP_WEB_DIR:?}"
A=${REUP_TEST_ARTIFACTS:-$T/artifacts}/t1006
"$REUP_LOCATE" serve --listen 127.0.0.1:0 --web "$REUP_WEB_DIR" --rate 0 > "$T/serve.out" 2> "$T/serve.log" &
pid=$!
on_exit 'kill -KILL "$pid"'
port=$(wait_port "$T/serve.out")
[ -n "$port" ] || { fail "serve did not start: $(cat "$T/serve.log")"; finish; exit 1; }
checks=$((checks + 1))
# page.mjs bounds each step and the whole run; timeout(1) is the last word should it hang
timeout -k 5 240 node "$REUP_SOURCE_DIR/tests/web/page.mjs" "http://127.0.0.1:$port" "$A" "$pid" ||
  { fail "the page's checks failed"; finish; exit 1; }
# the page's test stopped the server with SIGTERM: it must have ended cleanly
checks=$((checks + 1))
wait "$pid" || fail "serve exited $? after SIGTERM"
checks=$((checks + 1))
grep -q ' GET /api/v1/stores?q=Rock+Springs%2C+WY&k=5&radius=100mi 200 ' "$T/serve.log" || fail "no log line of the page's search"
finish
