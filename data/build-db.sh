#!/bin/sh
# Build the default locator database from the shipped data.
# usage: build-db.sh REUP_LOCATE DATA_DIR OUT_DB
# The database is built under a temporary name and renamed into place, so an
# interrupted build never leaves a half-built default behind.
set -eu
locate=$1 data=$2 out=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/reup-db.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
xz -dc "$data/geonames/cities500.txt.xz" > "$tmp/cities500.txt"
xz -dc "$data/geonames/postal/US.txt.xz" > "$tmp/US.txt"
mkdir -p "$(dirname "$out")"
rm -f "$out.new" "$out.new-wal" "$out.new-shm"
"$locate" import --db "$out.new" \
    --countries "$data/geonames/countryInfo.txt" \
    --admin1 "$data/geonames/admin1CodesASCII.txt" \
    --places "$tmp/cities500.txt" \
    --postal "$tmp/US.txt" \
    --stores "$data/stores-walmart-us.csv"
# One self-contained file in rollback-journal mode: readers then need no -wal or -shm
# files beside it (the default may live in a read-only folder). An import switches it
# back to WAL.
sqlite3 "$out.new" "PRAGMA journal_mode = DELETE;" >/dev/null
rm -f "$out.new-wal" "$out.new-shm"
# a log left beside an older database must not meet the new one
rm -f "$out-wal" "$out-shm"
mv -f "$out.new" "$out"
