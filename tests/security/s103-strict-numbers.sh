#!/usr/bin/env bash
# s103: numbers from outside are plain decimal only (common/decimal.h), in reup-locate
# serve's query strings and on reup-locate's command line.
# Attack: numbers that strtod/strtol would take: hex ("0x1p3", "0X10"), exponents
# ("1e1"), "inf", "nan", a leading '+', leading or trailing spaces, a lone or trailing
# '.', the empty text. Against the web API each must get 400 bad_parameter with the
# field named in the message (lat, lon, k, radius, limit); against the CLI's position
# ("LAT,LON"), -k, --radius and serve's --rate and --threads each must exit 2 (usage)
# before anything is looked up or listened on. Plain numbers still work on both.
. "$(dirname "$0")/../cli/lib.sh"
L=$REUP_LOCATE
"$L" serve --listen 127.0.0.1:0 --web "" --rate 0 > "$T/serve.out" 2> "$T/serve.log" &
pid=$!
on_exit "kill -TERM $pid; wait $pid"
port=$(wait_port "$T/serve.out")
[ -n "$port" ] || { fail "serve did not start: $(cat "$T/serve.log")"; finish; exit 1; }
B=http://127.0.0.1:$port

# refused QUERY FIELD: 400 bad_parameter naming FIELD
refused() {
  local code
  code=$(curl -s --max-time 5 -o "$T/out" -w '%{http_code}' "$B$1")
  checks=$((checks + 1))
  [ "$code" = 400 ] || fail "$1: HTTP $code, wanted 400: $(head -c 200 "$T/out")"
  expect_jq ".error.code == \"bad_parameter\" and (.error.message | startswith(\"$2 must be\"))"
}
# URL-encoded: hex, hex float, exponents, inf, nan, '+', spaces, points, empty
for n in 0x1p3 0X10 1e1 1E-1 inf -inf nan NaN %2B5 %205 5%20 +5 .5 5. -.5 "" 5,0 1_0 -- %EF%BC%95; do
  refused "/api/v1/stores?lat=$n&lon=1" lat
  refused "/api/v1/stores?lat=1&lon=$n" lon
  refused "/api/v1/stores?q=82901&k=$n" k
  # ("5 mi" is a distance: a space may stand between the number and its unit)
  [ "$n" = 5%20 ] || refused "/api/v1/stores?q=82901&radius=${n}mi" radius
  refused "/api/v1/places?prefix=rock&limit=$n" limit
done
refused "/api/v1/stores?q=82901&k=5.0" k
refused "/api/v1/stores?q=82901&radius=%2025mi" radius
# a position in q that is not plain decimal is a bad query, not a place to look up
for q in 0x1p3,5 %2B5,3 1e1,5 nan,1 1,inf; do
  code=$(curl -s -o "$T/out" -w '%{http_code}' "$B/api/v1/stores?q=$q")
  checks=$((checks + 1)); [ "$code" = 400 ] || fail "q=$q: HTTP $code, wanted 400"
  expect_jq '.error.code == "bad_query" and (.error.message | test("position"))'
done
# plain numbers still answer
for qs in "lat=41.58&lon=-109.2&k=3&radius=25.5mi" "lat=-33.9&lon=151&k=05" "q=41.58,-109.2&radius=40km"; do
  code=$(curl -s -o "$T/out" -w '%{http_code}' "$B/api/v1/stores?$qs")
  checks=$((checks + 1)); [ "$code" = 200 ] || fail "$qs: HTTP $code, wanted 200: $(head -c 200 "$T/out")"
done

# the command line: exit 2 (usage), stdout empty
usage() {
  expect_exit 2 "$@"
  checks=$((checks + 1)); [ ! -s "$T/out" ] || fail "stdout not empty for: $*"
}
for n in 0x1p3 0X10 1e1 inf nan +5 " 5" "5 " .5 5. "" 5.0; do
  usage "$L" -k "$n" "Rock Springs, WY"
  expect_err '-k takes a whole number'
  case $n in "5 " | 5.0) ;; *)
    usage "$L" --radius "${n}mi" "Rock Springs, WY"
    expect_err '--radius takes a distance' ;;
  esac
  usage "$L" serve --listen 127.0.0.1:0 --web "" --rate "$n"
  expect_err '--rate takes a whole number'
  usage "$L" serve --listen 127.0.0.1:0 --web "" --threads "$n"
  expect_err '--threads takes a whole number'
done
for q in "0x1p3,5" "+5,3" "5,+3" "1e1,5" "nan,1" "1,inf" "0X10 5" ".5,3" "5.,3" "-inf 5"; do
  usage "$L" -- "$q"
  expect_err 'position'
done
expect_exit 0 "$L" --json -k 2 --radius 2500.5mi 41.58,-109.2
expect_jq '(.stores | length) == 2 and .origin.kind == "position"'
finish
