#!/usr/bin/env bash
# t1008: the offline map's place labels, GET /api/v1/labels on reup-locate serve.
# Covers: around Copenhagen at a low zoom the big places only (Copenhagen, Malmö, none
# under 10,000 people), at a close zoom the small ones too; most populous first; never
# more than 200 labels, even for the whole world at zoom 20; every label inside its box,
# also for a box across the antimeridian; a label's rank never above the zoom; every bad
# parameter 400 with its code, the JSON error and Cache-Control as the other endpoints;
# the rate limit (429); a database of schema version 2 (imported before the labels):
# served with a log line, stores found, labels 503 labels_unavailable, and labelled
# after an import migrates it and a SIGHUP reopens it.
. "$(dirname "$0")/lib.sh"
L=$REUP_LOCATE
DB=$REUP_LOCATOR_DB
"$L" serve --db "$DB" --listen 127.0.0.1:0 > "$T/serve.out" 2> "$T/serve.log" &
pid=$!
on_exit 'kill -KILL "${pid:-}"'
port=$(wait_port "$T/serve.out")
[ -n "$port" ] || { fail "serve did not start: $(cat "$T/serve.log")"; finish; exit 1; }
B=http://127.0.0.1:$port
# every label inside WEST SOUTH EAST NORTH, at most 200, ranks <= ZOOM, most populous first
expect_view() {
  expect_jq "(.labels | length) <= 200 and .zoom == $5"
  expect_jq "all(.labels[]; .lat >= $2 and .lat <= $4 and ($1 <= $3 and .lon >= $1 and .lon <= $3 or $1 > $3 and (.lon >= $1 or .lon <= $3)))"
  expect_jq "all(.labels[]; .rank >= 0 and .rank <= $5)"
  expect_jq '[.labels[].population] == ([.labels[].population] | sort | reverse)'
}

# Copenhagen and Malmö in a view of about 1100 by 900 pixels at zoom 6
get "$B/api/v1/labels?bbox=10.5,54.5,16.5,57.5&zoom=6"
expect_code 200 "zoom 6"
expect_view 10.5 54.5 16.5 57.5 6
expect_jq 'any(.labels[]; .name == "Copenhagen" and .id == 2618425)'
expect_jq 'any(.labels[]; .name == "Malmö")'
expect_jq 'all(.labels[]; .population >= 10000)'
expect_jq '.labels[0].name == "Copenhagen"'
expect_header 'Content-Type: application/json'
expect_header 'Cache-Control: no-store'
# the same city block by block at zoom 13: small places appear
get "$B/api/v1/labels?bbox=12.45,55.62,12.7,55.75&zoom=13"
expect_code 200 "zoom 13"
expect_view 12.45 55.62 12.7 55.75 13
expect_jq 'any(.labels[]; .name == "Copenhagen")'
expect_jq 'any(.labels[]; .population < 5000)'
expect_jq '(.labels | length) > 5'
# wide views stay within 200
for view in "-180,-90,180,90&zoom=20" "-180,-85,180,85&zoom=2" "-10,35,30,60&zoom=9" "-125,25,-65,50&zoom=12"; do
  get "$B/api/v1/labels?bbox=$view"
  expect_code 200 "$view"
  IFS=', ' read -r w s e n <<< "${view%%&*}"
  expect_view "$w" "$s" "$e" "$n" "${view##*=}"
done
get "$B/api/v1/labels?bbox=-180,-90,180,90&zoom=20"
expect_jq '(.labels | length) == 200'
# Fiji, across the antimeridian
get "$B/api/v1/labels?bbox=170,-25,-170,-10&zoom=6"
expect_code 200 "antimeridian"
expect_view 170 -25 -170 -10 6
expect_jq 'any(.labels[]; .name == "Suva")'

while read -r qs want; do
  get "$B/api/v1/labels?$qs"
  expect_code 400 "$qs"
  expect_jq ".error.code == \"$want\" and (.error.message | length) > 10"
done <<'EOF2'
zoom=5 missing_parameter
bbox=12,55,13,56 missing_parameter
bbox=12,55,13,56&zoom=21 bad_parameter
bbox=12,55,13,56&zoom=-1 bad_parameter
bbox=12,55,13,56&zoom=5.0 bad_parameter
bbox=12,55,13,56&zoom=+5 bad_parameter
bbox=12,55,13,56&zoom=0x5 bad_parameter
bbox=1e1,55,13,56&zoom=5 bad_parameter
bbox=0x1p3,55,13,56&zoom=5 bad_parameter
bbox=inf,55,13,56&zoom=5 bad_parameter
bbox=nan,55,13,56&zoom=5 bad_parameter
bbox=12,55,13&zoom=5 bad_parameter
bbox=12,55,13,56,1&zoom=5 bad_parameter
bbox=12,,13,56&zoom=5 bad_parameter
bbox=12,55,13,56,&zoom=5 bad_parameter
bbox=12,56,13,55&zoom=5 bad_parameter
bbox=-181,55,13,56&zoom=5 bad_parameter
bbox=12,-91,13,56&zoom=5 bad_parameter
bbox=12,55,13,90.5&zoom=5 bad_parameter
bbox=12,55,13,56&zoom=5&zoom=6 bad_parameter
bbox=12,55,13,56&zoom=5&q=x unknown_parameter
EOF2
get "$B/api/v1/labels?bbox=12%2C55%2C13%2C56&zoom=5"
expect_code 200 "%2C"

# the rate limit applies
"$L" serve --db "$DB" --listen 127.0.0.1:0 --rate 1 > "$T/slow.out" 2> "$T/slow.log" &
slow=$!
on_exit 'kill -KILL "${slow:-}"'
sport=$(wait_port "$T/slow.out")
codes=$(for _ in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null -w '%{http_code} ' "http://127.0.0.1:$sport/api/v1/labels?bbox=12,55,13,56&zoom=8"; done)
checks=$((checks + 1))
[ "$(echo "$codes" | tr ' ' '\n' | grep -c 429)" -ge 4 ] || fail "rate limit: too few 429 in '$codes'"
kill -TERM "$slow"; wait "$slow" || true

# a database imported before the labels (schema version 2)
cp "$DB" "$T/old.db"
sqlite3 "$T/old.db" "DROP TABLE label_box; PRAGMA user_version = 2;"
expect_exit 0 "$L" --db "$T/old.db" --json -k 2 "Rock Springs, WY"
expect_jq '(.stores | length) == 2'
"$L" serve --db "$T/old.db" --listen 127.0.0.1:0 > "$T/old.out" 2> "$T/old.log" &
old=$!
on_exit 'kill -KILL "${old:-}"'
oport=$(wait_port "$T/old.out")
checks=$((checks + 1))
grep -q "imported before place labels (schema version 2)" "$T/old.log" || fail "no log line for the old database: $(cat "$T/old.log")"
get "http://127.0.0.1:$oport/api/v1/labels?bbox=12,55,13,56&zoom=8"
expect_code 503 "old database"
expect_jq '.error.code == "labels_unavailable"'
get "http://127.0.0.1:$oport/api/v1/stores?q=Rock+Springs%2C+WY&k=2"
expect_code 200 "stores on the old database"
# an import (of anything) migrates it and labels its places; SIGHUP serves them
expect_exit 0 "$L" import --db "$T/old.db" --countries "$REUP_SOURCE_DIR/data/geonames/countryInfo.txt"
expect_eq "$(sqlite3 "$T/old.db" 'PRAGMA user_version')" 3 "schema version after the import"
kill -HUP "$old"
for _ in $(seq 50); do
  get "http://127.0.0.1:$oport/api/v1/labels?bbox=12,55,13,56&zoom=8"
  [ "$code" = 200 ] && break
  sleep 0.1
done
expect_code 200 "old database after import and SIGHUP"
expect_jq 'any(.labels[]; .name == "Copenhagen")'
kill -TERM "$old"; wait "$old" || true
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
expect_eq "$rc" 0 "exit status after SIGTERM"
finish
