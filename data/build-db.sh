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
# fold the write-ahead log into the file so the database is one self-contained file
sqlite3 "$out.new" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1 || true
rm -f "$out.new-wal" "$out.new-shm"
mv -f "$out.new" "$out"
