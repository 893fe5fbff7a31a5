#!/usr/bin/env bash
# t1001: every query form of reup-locate against the default database.
# Covers: places with region and country in every spelling of the issue, ambiguous names
# with their runners-up, diacritics and alternate names (København, Kobenhavn, Zurich,
# Tromsø), postal codes (also ZIP+4), positions, an unquoted multi-word query, the default
# database found without flags, -k, --radius, --units, --chain.
. "$(dirname "$0")/lib.sh"
L=$REUP_LOCATE

for q in "Rock Springs, WY" "rock springs wy" "Rock Springs, Wyoming" "ROCK SPRINGS, WY, US"; do
  expect_exit 0 "$L" --json "$q"
  expect_jq '.origin.name == "Rock Springs" and .origin.region == "WY" and .origin.country == "US" and .origin.kind == "place"'
  expect_jq '.stores | length == 5'
  expect_jq '.stores[0].city == "Rock Springs"'
done

# the default database: no --db, no environment
(unset REUP_LOCATOR_DB; expect_exit 0 "$L" "Rock Springs, WY"; expect_out 'Rock Springs'; finish >/dev/null) || fail "default database not found without flags"

for q in "Springfield, IL" "Springfield, Illinois" "springfield il" "SPRINGFIELD, IL, US"; do
  expect_exit 0 "$L" --json "$q"
  expect_jq '.origin.name == "Springfield" and .origin.region == "IL"'
done
expect_exit 0 "$L" Springfield
expect_out '^Also: .*Springfield, MA, US.*Springfield, IL, US'
expect_exit 0 "$L" --json Springfield
expect_jq '.origin.region == "MO"'
expect_jq '[.alternatives[].region] | index("IL") != null'
expect_jq '[.alternatives[].population] as $p | $p == ($p | sort | reverse)'

for q in "København" "Kobenhavn" "KØBENHAVN"; do
  expect_exit 0 "$L" --json "$q"
  expect_jq '.origin.name == "Copenhagen" and .origin.country == "DK"'
done
expect_exit 0 "$L" --json Zurich
expect_jq '.origin.name == "Zürich" and .origin.country == "CH"'
expect_exit 0 "$L" --json Tromsø
expect_jq '.origin.name == "Tromsø" and .origin.country == "NO"'
expect_exit 0 "$L" Tromsø
expect_out ' km '   # outside the US: kilometres

expect_exit 0 "$L" --json 82901
expect_jq '.origin.kind == "postal" and .origin.name == "Rock Springs" and .stores[0].city == "Rock Springs"'
expect_exit 0 "$L" --json 82901-1234
expect_jq '.origin.kind == "postal"'

expect_exit 0 "$L" --json "41.58,-109.2"
expect_jq '.origin.kind == "position" and .origin.lat == 41.58 and .origin.lon == -109.2 and .origin.country == "US"'
expect_exit 0 "$L" --json "41.58 -109.2"
expect_jq '.origin.kind == "position"'
expect_exit 0 "$L" --json -- "-33.87,151.21"
expect_jq '.origin.kind == "position" and (.stores | length == 5)'

# words of an unquoted query are joined
expect_exit 0 "$L" --json Rock Springs, WY
expect_jq '.query == "Rock Springs, WY" and .origin.region == "WY"'

expect_exit 0 "$L" -k 12 --json "Rock Springs, WY"
expect_jq '.stores | length == 12'
expect_jq '[.stores[].distance_km] as $d | $d == ($d | sort)'
expect_exit 0 "$L" --radius 100mi -k 50 --json "Rock Springs, WY"
expect_jq '(.stores | length) >= 2 and (.stores | length) < 50 and all(.stores[]; .distance_km <= 160.9344)'
expect_exit 0 "$L" --radius 161km -k 50 --json "Rock Springs, WY"
expect_jq 'all(.stores[]; .distance_km <= 161)'
expect_exit 0 "$L" --units km "Rock Springs, WY"
expect_out ' km '
expect_exit 0 "$L" "Rock Springs, WY"
expect_out ' mi '
expect_out '^  1  Walmart'
expect_out ' (N|NE|E|SE|S|SW|W|NW)$'
expect_exit 0 "$L" --chain walmart --json "Rock Springs, WY"
expect_jq 'all(.stores[]; .chain == "Walmart")'

finish
