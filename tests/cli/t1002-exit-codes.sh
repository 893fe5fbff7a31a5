#!/usr/bin/env bash
# t1002: reup-locate's exit codes and messages for every failure.
# Covers (docs/exit-codes.md): 0 found; 1 none within the radius / unknown chain (--json
# still prints the empty answer); 2 usage errors (unknown option, bad -k, bad --radius,
# bad --units, no query, --json with --geojson), invalid positions (latitude, longitude,
# NaN), empty, 10 kB, invalid UTF-8 and control-character queries; 3 unknown place with
# suggestions, unknown postal code; 4 missing database (the message says how to build it),
# a file that is not a database, $REUP_LOCATOR_DB and --db precedence; --help and --version.
. "$(dirname "$0")/lib.sh"
L=$REUP_LOCATE

expect_exit 0 "$L" --help
expect_out '^usage: reup-locate'
expect_out 'Exit codes'
expect_exit 0 "$L" --version
expect_out '^reup-locate [0-9]'

expect_exit 1 "$L" --radius 1mi "41.58,-109.2"
expect_err 'no store within 1mi'
expect_exit 1 "$L" --chain "No Such Chain" "Rock Springs, WY"
expect_err "no chain called 'No Such Chain'"
expect_exit 1 "$L" --json --radius 1mi "41.58,-109.2"
expect_jq '.stores == []'

expect_exit 2 "$L" --bogus "Rock Springs"
expect_err "unknown option '--bogus'"
expect_err '^usage:'
for k in 0 1001 abc -3 ""; do expect_exit 2 "$L" -k "$k" "Rock Springs"; expect_err '\-k takes'; done
for r in 25 25furlongs -3km abc; do expect_exit 2 "$L" --radius "$r" "Rock Springs"; expect_err 'radius'; done
expect_exit 2 "$L" --units parsecs "Rock Springs"
expect_exit 2 "$L"
expect_err 'no query'
expect_exit 2 "$L" -k
expect_err 'needs a value'
expect_exit 2 "$L" --json --geojson "Rock Springs"
for q in "91,0" "-90.5,10" "0,181" "10,-180.01" "nan,5" "5,NaN" "inf,1"; do
  expect_exit 2 "$L" -- "$q"
  expect_err 'out of range|position'
done
expect_exit 2 "$L" ""
expect_err 'empty'
expect_exit 2 "$L" "   "
big=$(head -c 10240 /dev/zero | tr '\0' 'a')
expect_exit 2 "$L" "$big"
expect_err 'too long'
expect_exit 2 "$L" "$(printf 'Rock\xffSprings')"
expect_err 'UTF-8'
expect_exit 2 "$L" "$(printf 'Rock\001Springs')"
expect_err 'control'
expect_exit 2 "$L" "$(printf 'Rock\033[2JSprings')"

expect_exit 3 "$L" Sprngfield
expect_err "no place called 'Sprngfield'.*did you mean: Springfield"
expect_exit 3 "$L" "Qxzqxzqxz"
expect_err "no place called"
expect_exit 3 "$L" 00000
expect_err "no postal code called '00000'"
# queries that fold longer than any name are unknown places, said so plainly
expect_exit 3 "$L" "$(printf 'ab %.0s' $(seq 1 80))"
expect_err "no place called"
expect_exit 3 "$L" "$(printf '\xef\xb7\xba%.0s' $(seq 1 11))"
expect_err "no place called"
expect_exit 3 "$L" "Springfield, $(printf 'x%.0s' $(seq 1 150))"
expect_err "no place called"
expect_exit 3 "$L" "$(printf 'w%s %.0s' $(seq 1 20))"
expect_exit 1 "$L" --chain "$(printf '\xef\xb7\xba%.0s' $(seq 1 30))" "Rock Springs, WY"
expect_err "no chain called"

expect_exit 4 "$L" --db "$T/missing.db" "Rock Springs"
expect_err "missing.db"
expect_err "setup.sh|import"
echo "this is not a database, just text that is long enough to look like a header page" > "$T/junk.db"
expect_exit 4 "$L" --db "$T/junk.db" "Rock Springs"
expect_err "junk.db"
REUP_LOCATOR_DB="$T/missing-env.db" expect_exit 4 "$L" "Rock Springs"
expect_err "missing-env.db"
# --db wins over the environment
REUP_LOCATOR_DB="$T/missing-env.db" expect_exit 0 "$L" --db "$REUP_LOCATOR_DB" "Rock Springs, WY"

# nothing on stdout when it fails
expect_exit 3 "$L" --json Sprngfield
checks=$((checks + 1)); [ ! -s "$T/out" ] || fail "stdout not empty for an unknown place"

finish
