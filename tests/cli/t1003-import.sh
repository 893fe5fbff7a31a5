#!/usr/bin/env bash
# t1003: reup-locate import as an operator uses it.
# Covers: building a database from the shipped data files; the new database answers;
# re-importing the same store list updates by id (no duplicates); extra CSV columns are
# kept and shown; a bad row fails the import with file:line: reason and exit 2, nothing
# written; --skip-bad imports the rest; a missing input file; a CSV header without lat;
# usage errors; an import killed with SIGKILL leaves the database as it was.
. "$(dirname "$0")/lib.sh"
L=$REUP_LOCATE
D=$REUP_SOURCE_DIR/data
db=$T/loc.db

xz -dc "$D/geonames/postal/US.txt.xz" > "$T/US.txt"
expect_exit 0 "$L" import --db "$db" --countries "$D/geonames/countryInfo.txt" \
  --admin1 "$D/geonames/admin1CodesASCII.txt" --postal "$T/US.txt" --stores "$D/stores-walmart-us.csv"
expect_out '3814 stores added'
expect_exit 0 "$L" --db "$db" --json 82901
expect_jq '.stores[0].city == "Rock Springs"'
n() { sqlite3 "$db" "$1"; }
checks=$((checks + 1)); [ "$(n 'select count(*) from store')" = 3814 ] || fail "store count after import"

# the same list again: updated, not duplicated
expect_exit 0 "$L" import --db "$db" --stores "$D/stores-walmart-us.csv"
expect_out '0 stores added, 3814 updated'
checks=$((checks + 1)); [ "$(n 'select count(*) from store')" = 3814 ] || fail "re-import duplicated stores"

# extra columns are kept and shown
cat > "$T/extra.csv" <<'CSV'
id,chain,name,address,city,region,postal,country,lat,lon,phone,hours
X1,Corner Shop,Corner Shop Rock Springs,"12 K St, Unit 4",Rock Springs,WY,82901,US,41.59,-109.21,307-555-0100,8-20
CSV
expect_exit 0 "$L" import --db "$db" --stores "$T/extra.csv"
expect_exit 0 "$L" --db "$db" -k 1 --chain "corner shop" --json 82901
expect_jq '.stores[0].id == "X1" and .stores[0].extras.phone == "307-555-0100" and .stores[0].extras.hours == "8-20" and .stores[0].address == "12 K St, Unit 4"'
expect_exit 0 "$L" --db "$db" -k 1 --chain "corner shop" 82901
expect_out 'phone: 307-555-0100'

# a name longer than the fields it is shown in is cut between characters, never inside one
long=$(printf '\xc3\x84%.0s' $(seq 1 120))
printf '900001\t%s\t%s\t\t41.6\t-109.2\tP\tPPL\tUS\t\tWY\t\t\t\t10\t\t0\tUTC\t2024-01-01\n' "$long" "$long" > "$T/long.txt"
expect_exit 0 "$L" import --db "$db" --places "$T/long.txt"
expect_exit 0 "$L" --db "$db" --json "$long"
expect_jq '(.origin.name | length) > 50 and (.origin.name | test("^Ä+$"))'
expect_exit 0 "$L" --db "$db" --json "41.6,-109.2"
expect_jq '.origin.name | startswith("near Ä")'

# a bad row fails the whole import
cat > "$T/bad.csv" <<'CSV'
id,chain,name,address,city,region,postal,country,lat,lon
G1,Walmart,Good,1 A St,Town,WY,82901,US,41.6,-109.2
B1,Walmart,Bad,1 A St,Town,WY,82901,US,41.6,-209.2
G2,Walmart,Good 2,1 A St,Town,WY,82901,US,41.7,-109.2
CSV
expect_exit 2 "$L" import --db "$db" --stores "$T/bad.csv"
expect_err 'bad.csv:3: lon .-209.2. is not a number'
expect_err 'nothing was imported|--skip-bad'
checks=$((checks + 1)); [ "$(n "select count(*) from store where id like 'G%'")" = 0 ] || fail "bad import wrote rows"
expect_exit 0 "$L" import --db "$db" --skip-bad --stores "$T/bad.csv"
expect_err 'bad.csv:3:'
expect_out '2 stores added.*1 bad rows left out'

expect_exit 2 "$L" import --db "$db" --stores "$T/nope.csv"
expect_err 'nope.csv'
printf 'id,chain,name,address,city,region,postal,country,lon\n' > "$T/nolat.csv"
expect_exit 2 "$L" import --db "$db" --stores "$T/nolat.csv"
expect_err "lacks column 'lat'"
printf 'id,chain,name,address,city,region,postal,country,lat,lon\nQ1,"Walmart,Name,A,B,C,D,US,1,2\n' > "$T/quote.csv"
expect_exit 2 "$L" import --db "$db" --stores "$T/quote.csv"
expect_err 'quote'
expect_exit 2 "$L" import --db "$db"
expect_err 'at least one file'
expect_exit 2 "$L" import --db "$db" --frobnicate x
expect_exit 4 "$L" import --db "$T/no/such/dir/x.db" --stores "$D/stores-walmart-us.csv"

# kill -9 in the middle of a large import: the database is as before
awk 'BEGIN { srand(1); print "id,chain,name,address,city,region,postal,country,lat,lon";
  for (i = 0; i < 300000; i++) printf "K%07d,Kchain,Store %d,1 Main St,Town,WY,82901,US,%.5f,%.5f\n", i, i, rand()*170-85, rand()*360-180 }' > "$T/big.csv"
before=$(n 'select count(*) from store')
"$L" import --db "$db" --stores "$T/big.csv" >/dev/null 2>&1 &
pid=$!
on_exit 'kill -KILL "${pid:-}"'
for _ in $(seq 1 2000); do
  [ -f "$db-wal" ] && [ "$(stat -c %s "$db-wal")" -gt 4000000 ] && break
  sleep 0.01
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
checks=$((checks + 1)); [ "$(n 'select count(*) from store')" = "$before" ] || fail "killed import left rows behind"
checks=$((checks + 1)); [ "$(n 'pragma integrity_check')" = ok ] || fail "database damaged after kill"
expect_exit 0 "$L" --db "$db" --json 82901
expect_jq '.stores | length == 5'

finish
