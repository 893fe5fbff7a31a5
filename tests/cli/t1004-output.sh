#!/usr/bin/env bash
# t1004: the output formats of reup-locate.
# Covers: the --json schema of the issue (every field, types, distance_km with at least
# 3 decimals of precision and equal to the haversine distance, stores ascending, ties by
# id); --geojson FeatureCollection; the table (header, ranks, units, directions); the
# nearest store to a store's own position is that store at distance 0.
. "$(dirname "$0")/lib.sh"
L=$REUP_LOCATE

expect_exit 0 "$L" --json -k 10 "Rock Springs, WY"
expect_jq 'has("query") and has("origin") and has("alternatives") and has("stores")'
expect_jq '.origin | (.name|type) == "string" and (.region|type) == "string" and (.country|type) == "string" and (.lat|type) == "number" and (.lon|type) == "number" and (.kind|type) == "string"'
expect_jq 'all(.stores[]; (.id|type) == "string" and (.chain|type) == "string" and (.name|type) == "string" and (.address|type) == "string" and (.city|type) == "string" and (.region|type) == "string" and (.postal|type) == "string" and (.country|type) == "string" and (.lat|type) == "number" and (.lon|type) == "number" and (.distance_km|type) == "number")'
expect_jq '[.stores[].distance_km] as $d | $d == ($d | sort)'
# distance_km is the haversine distance at R = 6371.0088 km, to well under a metre
expect_jq '.origin as $o | all(.stores[]; ((((.lat - $o.lat) * 0.017453292519943295 / 2 | sin) as $a | (((.lon - $o.lon) * 0.017453292519943295 / 2) | sin) as $b | ($a*$a + ($o.lat*0.017453292519943295|cos) * (.lat*0.017453292519943295|cos) * $b*$b) | sqrt | asin * 2 * 6371.0088) - .distance_km | fabs) < 0.0005)'
# at least three decimals: not rounded to whole or tenths of kilometres
expect_jq 'any(.stores[]; (.distance_km * 1000 | floor) != (.distance_km * 10 | floor) * 100)'

expect_exit 0 "$L" --geojson -k 3 "Rock Springs, WY"
expect_jq '.type == "FeatureCollection" and (.features | length) == 4'
expect_jq '.features[0].properties.role == "origin" and all(.features[1:][]; .properties.role == "store" and .geometry.type == "Point")'
expect_jq '.features[1].geometry.coordinates[0] < -100 and .features[1].geometry.coordinates[1] > 40'
expect_jq '[.features[1:][].properties.rank] == [1,2,3]'

# a store's own position: that store first, at distance 0; ties broken by id
pos=$(sqlite3 "$REUP_LOCATOR_DB" "select lat || ',' || lon from store where id = 'WM00100'")
expect_exit 0 "$L" --json -k 3 -- "$pos"
expect_jq '.stores[0].distance_km == 0'
same=$(sqlite3 "$REUP_LOCATOR_DB" "select min(a.id) || ' ' || a.lat || ',' || a.lon from store a join store b on a.lat = b.lat and a.lon = b.lon and a.id <> b.id")
if [ -n "${same%% *}" ]; then
  expect_exit 0 "$L" --json -k 2 -- "${same#* }"
  expect_jq ".stores[0].id == \"${same%% *}\" and .stores[0].distance_km == .stores[1].distance_km and .stores[0].id < .stores[1].id"
fi

expect_exit 0 "$L" "Rock Springs, WY"
expect_out '^Nearest stores to Rock Springs, WY, US'
expect_out '^  #  Store'
expect_out '^  5  '
checks=$((checks + 1)); [ "$(grep -c ' mi  ' "$T/out")" -eq 5 ] || fail "table should have 5 rows in miles"

finish
