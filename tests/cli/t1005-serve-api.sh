#!/usr/bin/env bash
# t1005: reup-locate serve on a loopback port, its JSON API and static files.
# Covers: stores by place (the same JSON as reup-locate --json), by postal code, by
# lat/lon, with k, radius and chain; an unknown place (404 place_not_found with
# suggestions), an unknown postal code; every bad parameter and unreadable query (400
# with its exact code) and a query string too long (413); places autocomplete ("Kobe"
# offers København in its own spelling, with the query that finds it; most populous
# first); unknown paths 404, other methods 405 with Allow; connections kept alive;
# static files with Content-Security-Policy and Cache-Control, gzip when accepted, no
# traversal, no hidden files, no listing; the page's /config.json with and without a
# tile layer (and the policy allowing it), bad --tiles and --web refused (2), a missing
# database (4) and a port in use (7) refused; a rate limit
# per client address (429 with Retry-After); one log line per request; SIGTERM stops it
# with exit 0. Not covered: 503, which needs a database that fails under a running
# server.
. "$(dirname "$0")/lib.sh"
L=$REUP_LOCATE
W=$T/web
mkdir -p "$W/sub"
printf '<!doctype html><title>Re-Up stores</title><p>page</p>\n' > "$W/index.html"
gzip -k "$W/index.html"
printf 'console.log(1)\n' > "$W/app.js"
printf 'secret\n' > "$W/.env"
printf 'secret\n' > "$T/outside.txt"
"$L" serve --listen 127.0.0.1:0 --web "$W" > "$T/serve.out" 2> "$T/serve.log" &
pid=$!
on_exit 'kill -KILL "${pid:-}"'
port=$(wait_port "$T/serve.out")
[ -n "$port" ] || { fail "serve did not start: $(cat "$T/serve.log")"; finish; exit 1; }
B=http://127.0.0.1:$port

get "$B/api/v1/stores?q=Rock+Springs%2C+WY&k=5"
expect_code 200
expect_jq '(.stores | length) == 5 and .origin.name == "Rock Springs"'
expect_jq '[.stores[].distance_km] == ([.stores[].distance_km] | sort)'
expect_header 'Content-Type: application/json'
expect_header 'Cache-Control: no-store'
"$L" --json -k 5 "Rock Springs, WY" > "$T/cli.json"
checks=$((checks + 1))
[ "$(jq -c .stores "$T/out")" = "$(jq -c .stores "$T/cli.json")" ] || fail "the API's stores differ from reup-locate --json"
get "$B/api/v1/stores?q=82901&k=3"
expect_code 200
expect_jq '(.stores | length) == 3 and .origin.kind == "postal"'
get "$B/api/v1/stores?lat=41.58&lon=-109.2&radius=25mi"
expect_code 200
expect_jq '.origin.kind == "position" and all(.stores[]; .distance_km <= 40.3343)'
get "$B/api/v1/stores?q=Chicago%2C+IL&chain=walmart&k=2"
expect_code 200
expect_jq '(.stores | length) == 2 and all(.stores[]; .chain == "Walmart")'
get "$B/api/v1/stores?q=Springfeld%2C+IL"
expect_code 404
expect_jq '.error.code == "place_not_found" and (.error.suggestions | index("Springfield")) != null'

# each bad request with the code it must get (path, then code)
while read -r path want; do
  get "$B$path"
  expect_code 400
  expect_jq ".error.code == \"$want\" and (.error.message | length) > 10"
done <<'BAD'
/api/v1/stores? missing_parameter
/api/v1/stores?k=5 missing_parameter
/api/v1/stores?lat=1 missing_parameter
/api/v1/stores?q=a&k=0 bad_parameter
/api/v1/stores?q=a&k=51 bad_parameter
/api/v1/stores?q=a&k=abc bad_parameter
/api/v1/stores?q=a&radius=5 bad_parameter
/api/v1/stores?q=a&radius=-5mi bad_parameter
/api/v1/stores?lat=95&lon=0 bad_parameter
/api/v1/stores?lat=1&lon=x bad_parameter
/api/v1/stores?q=a&lat=1&lon=1 bad_parameter
/api/v1/stores?q=%ZZ bad_parameter
/api/v1/stores?q=Rock%01Springs bad_parameter
/api/v1/stores?q=a&q=b bad_parameter
/api/v1/stores?q=a&sort=x unknown_parameter
/api/v1/stores?q=%20%20 bad_query
/api/v1/stores?q=12.5,300 bad_query
/api/v1/places?prefix= missing_parameter
/api/v1/places?prefix=ro&limit=0 bad_parameter
/api/v1/places?prefix=ro&limit=21 bad_parameter
/api/v1/places?prefix=ro&x=1 unknown_parameter
BAD
get "$B/api/v1/stores?q=00000"
expect_code 404
expect_jq '.error.code == "postal_code_not_found"'
get "$B/api/v1/stores?q=$(head -c 1100 /dev/zero | tr '\0' a)"
expect_code 413
expect_jq '.error.code == "query_too_long"'

get "$B/api/v1/places?prefix=Kobe&limit=5"
expect_code 200
expect_jq '(.places | length) == 5 and any(.places[]; .country == "DK" and .name == "Copenhagen" and .matched == "København" and .label == "København (Copenhagen, Capital Region, DK)")'
expect_jq 'any(.places[]; .name == "Kobe" and .matched == "Kobe" and .label == .query)'
expect_jq '[.places[].population] == ([.places[].population] | sort | reverse)'
# the query a suggestion carries finds that place
q=$(jq -r '.places[] | select(.matched == "København") | .query | @uri' "$T/out")
get "$B/api/v1/stores?q=$q&k=1"
expect_code 200
expect_jq '.origin.name == "Copenhagen" and .origin.country == "DK"'
get "$B/api/v1/places?prefix=rock+spr"
expect_code 200
expect_jq 'any(.places[]; .label == "Rock Springs, WY, US")'
get "$B/api/v1/places?limit=3"
expect_code 400
get "$B/api/v1/places?prefix=%2C%2C"
expect_code 400

get "$B/api/v2/stores"
expect_code 404
get -X POST "$B/api/v1/stores?q=a"
expect_code 405
expect_header 'Allow: GET, HEAD'

get "$B/"
expect_code 200
expect_out "Re-Up stores"
expect_header "Content-Security-Policy: default-src 'self'"
expect_header 'Cache-Control: no-cache'
expect_header 'Content-Type: text/html'
get -H 'Accept-Encoding: gzip' "$B/index.html"
expect_code 200
expect_header 'Content-Encoding: gzip'
checks=$((checks + 1)); gunzip -c "$T/out" | grep -q "Re-Up stores" || fail "the gzip copy is not the page"
get "$B/app.js"
expect_code 200
expect_header 'Content-Type: text/javascript'
expect_header 'Cache-Control: public, max-age=3600'
for p in "/.env" "/../outside.txt" "/%2e%2e/outside.txt" "/sub/" "/sub" "/nothing.html"; do
  get --path-as-is "$B$p"
  expect_code 404
done

# connections are kept: a second request (an error among them) needs no new connection
connects=$(curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects} ' "$B/api/v1/stores?q=82901" \
  "$B/api/v1/stores?q=82901&k=0" "$B/api/v1/places?prefix=rock")
checks=$((checks + 1)); [ "$connects" = "1 0 0 " ] || fail "keep-alive: connections made per request: '$connects'"

# without a tile layer the page's settings say so; a bad tile URL or a folder without
# the page is a usage error before anything listens
get "$B/config.json"
expect_code 200
expect_jq '.tiles == null'
expect_exit 2 "$L" serve --listen 127.0.0.1:0 --tiles 'ftp://tiles.example.org/{z}/{x}/{y}.png'
expect_err 'is not a tile URL'
expect_exit 2 "$L" serve --listen 127.0.0.1:0 --tiles "https://tiles.example.org/{z}/{x}/{y}.png'; script-src *"
expect_exit 2 "$L" serve --listen 127.0.0.1:0 --web "$T/sub-missing"
expect_err 'index.html cannot be read'
# a database that is not there is configuration (4); a port already taken, a system error (7)
expect_exit 4 timeout 10 "$L" serve --listen 127.0.0.1:0 --db "$T/missing.db"
expect_err 'missing.db'
expect_exit 7 timeout 10 "$L" serve --listen "127.0.0.1:$port" --web ""
expect_err "cannot listen on 127.0.0.1:$port"

# a client that asks too often: its burst, then 429 with Retry-After, then again after a while
# (with an online tile layer configured: the page's settings and the policy allow it)
"$L" serve --listen 127.0.0.1:0 --rate 1 --web "$W" --tiles 'https://{s}.tile.example.org/{z}/{x}/{y}.png' \
  --tiles-attribution 'Tiles © Example' > "$T/slow.out" 2> "$T/slow.log" &
slow=$!
on_exit 'kill -KILL "${slow:-}"'
sport=$(wait_port "$T/slow.out")
codes=$(for _ in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null -w '%{http_code} ' "http://127.0.0.1:$sport/api/v1/places?prefix=rock"; done)
checks=$((checks + 2))
case $codes in "200 200 "*) ;; *) fail "rate limit: the burst of 2 was refused: '$codes'" ;; esac
[ "$(echo "$codes" | tr ' ' '\n' | grep -c 429)" -ge 5 ] || fail "rate limit: too few 429 in '$codes'"
# a 429 to read (on a loaded machine a second may pass and refill the bucket: ask again)
for _ in 1 2 3 4 5; do
  get "http://127.0.0.1:$sport/api/v1/places?prefix=rock"
  [ "$code" != 429 ] || break
done
expect_code 429
expect_jq '.error.code == "rate_limited"'
expect_header 'Retry-After: 1'
get "http://127.0.0.1:$sport/config.json"
expect_code 200
expect_jq '.tiles.url == "https://{s}.tile.example.org/{z}/{x}/{y}.png" and .tiles.attribution == "Tiles © Example"'
expect_header "Content-Security-Policy: default-src 'self'; img-src 'self' data: https://\\*.tile.example.org; style-src"
sleep 1.2
get "http://127.0.0.1:$sport/api/v1/places?prefix=rock"
expect_code 200
kill -TERM "$slow"; wait "$slow"

checks=$((checks + 1))
grep -q 'GET /api/v1/stores?q=Rock+Springs%2C+WY&k=5 200' "$T/serve.log" || fail "no log line for the first request: $(head -3 "$T/serve.log")"
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
checks=$((checks + 1)); [ "$rc" -eq 0 ] || fail "serve exited $rc after SIGTERM"
finish
