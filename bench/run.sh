#!/bin/sh
# bench/run.sh - the store-locator benchmark, end to end, as recorded in docs/benchmarks.md.
#
# Builds a Release tree, times the import of cities500 on its own, builds one locator
# database with the real 3,814 stores and one with N synthetic stores (gen-stores, seed
# 1), runs bench-locate on both and prints Markdown tables (latency per store set and
# query set, sizes and build times, and each target with whether it was met). Raw
# key=value results stay in BUILD/bench-results/. Takes about 2 minutes for N = 1,000,000
# on 2 cores.
#
# usage: bench/run.sh [--data DIR] [--build DIR] [--count N] [--seed S] [--quick]
#   --data   a folder in the GeoNames/store-list layout (default: the shipped data/,
#            decompressed into the build folder)
#   --build  build directory (default: build-bench in the repository)
#   --count  synthetic stores (default 1000000)
#   --quick  small query counts: a smoke run of the script, not figures to quote
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=
BUILD=$ROOT/build-bench
COUNT=1000000
SEED=1
QUERIES=100000      # k-NN queries on the index, per query set
FIND=10000          # locator_find() queries, per query set
REPEAT=3            # timed passes of the k-NN and locator_find() queries (medians reported)
VERIFY=1000         # answers checked by brute force, per query set
RTREE=2000          # R*Tree baseline queries, per query set
CLI=200             # reup-locate processes, per query set
NAMES=1000          # place names resolved
IMPORT_REPS=3       # cities500 imports (the median is reported)

while [ $# -gt 0 ]; do
    case $1 in
    --data) DATA=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --quick) QUERIES=2000; FIND=1000; REPEAT=1; VERIFY=200; RTREE=200; CLI=20; NAMES=200; IMPORT_REPS=1; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done

if [ -z "$DATA" ]; then
    # The shipped data, as the default database is built from it.
    DATA=$BUILD/data
    mkdir -p "$DATA/geonames/postal"
    xz -dc "$ROOT/data/geonames/cities500.txt.xz" > "$DATA/geonames/cities500.txt"
    xz -dc "$ROOT/data/geonames/postal/US.txt.xz" > "$DATA/geonames/postal/US.txt"
    cp "$ROOT/data/geonames/countryInfo.txt" "$ROOT/data/geonames/admin1CodesASCII.txt" "$DATA/geonames/"
    cp "$ROOT/data/stores-walmart-us.csv" "$DATA/"
fi
GN=$DATA/geonames
SYN=1m # the synthetic database: BUILD/bench-1m.db
[ "$COUNT" = 1000000 ] || SYN=syn$COUNT
for f in "$GN/countryInfo.txt" "$GN/admin1CodesASCII.txt" "$GN/cities500.txt" \
         "$GN/postal/US.txt" "$DATA/stores-walmart-us.csv"; do
    [ -r "$f" ] || { echo "run.sh: cannot read '$f'; give the data folder with --data" >&2; exit 2; }
done

say() { echo "run.sh: $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# val FILE KEY: the value of KEY in a key=value file
val() { sed -n "s/^$2=//p" "$1" | head -n 1; }
fmt() { awk -v x="$1" -v p="${2:-1}" 'BEGIN { if (x == "") print "n/a"; else printf "%.*f", p, x }'; }
mib() { awk -v x="$1" 'BEGIN { printf "%.1f MiB", x / 1048576 }'; }
size_of() { stat -c %s "$1"; }
# met VALUE LIMIT: "met" when VALUE <= LIMIT
met() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "" && v + 0 <= l + 0) ? "met" : "**not met**" }'; }
thousands() { awk -v n="$1" 'BEGIN { s = n ""; o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.0f×", a / b }'; }

RES=$BUILD/bench-results
mkdir -p "$RES"
BIN=$BUILD/bin

# The tree that is measured: the commit, and whether the library had uncommitted changes.
TREE="commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -z "$(git -C "$ROOT" status --porcelain -- common db locator 2>/dev/null)" ] ||
    TREE="$TREE with uncommitted changes in common/, db/ or locator/"
say "building (Release) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target reup-locate gen-stores bench-locate >/dev/null

# 1. cities500 alone: countries + admin1 + places into a fresh database, IMPORT_REPS times.
: > "$RES/cities-import.txt"
i=0
while [ $i -lt $IMPORT_REPS ]; do
    rm -f "$BUILD/bench-cities.db" "$BUILD/bench-cities.db-wal" "$BUILD/bench-cities.db-shm"
    say "importing cities500 into a fresh database ($((i + 1))/$IMPORT_REPS)"
    t0=$(now)
    "$BIN/reup-locate" import --db "$BUILD/bench-cities.db" --countries "$GN/countryInfo.txt" \
        --admin1 "$GN/admin1CodesASCII.txt" --places "$GN/cities500.txt" >&2
    secs "$t0" "$(now)" >> "$RES/cities-import.txt"
    echo >> "$RES/cities-import.txt"
    i=$((i + 1))
done
CITIES_S=$(sort -n "$RES/cities-import.txt" | awk 'NF { v[n++] = $1 } END { print v[int((n - 1) / 2)] }')
CITIES_ALL=$(sort -n "$RES/cities-import.txt" | tr '\n' ' ')

# 2. Two databases from that gazetteer plus the US postal codes: real stores, synthetic stores.
#    The store import is timed on its own (it includes rebuilding the indexes).
make_db() { # make_db NAME STORES-CSV
    db=$BUILD/bench-$1.db
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$BUILD/bench-cities.db" "$db"
    "$BIN/reup-locate" import --db "$db" --postal "$GN/postal/US.txt" >&2
    say "importing $2"
    t0=$(now)
    "$BIN/reup-locate" import --db "$db" --stores "$2" >&2
    secs "$t0" "$(now)" > "$RES/$1-stores-import.txt"
    size_of "$db" > "$RES/$1-db-size.txt"
}

make_db real "$DATA/stores-walmart-us.csv"

say "generating $COUNT synthetic stores (seed $SEED)"
t0=$(now)
"$BIN/gen-stores" --places "$GN/cities500.txt" --count "$COUNT" --seed "$SEED" --out "$BUILD/bench-stores-$COUNT.csv"
GEN_S=$(secs "$t0" "$(now)")
make_db $SYN "$BUILD/bench-stores-$COUNT.csv"

# 3. The benchmark proper, on each database.
for set in real $SYN; do
    say "bench-locate on bench-$set.db"
    rc=0
    "$BIN/bench-locate" --db "$BUILD/bench-$set.db" --cli "$BIN/reup-locate" --seed "$SEED" \
        --queries $QUERIES --find-queries $FIND --verify $VERIFY --rtree-queries $RTREE \
        --cli-queries $CLI --names $NAMES --index-builds 3 --repeat $REPEAT > "$RES/$set.txt" || rc=$?
    [ $rc -le 1 ] || { say "bench-locate failed on bench-$set.db (exit $rc)"; exit 1; }
done

# 4. Tables.
R=$RES/real.txt
M=$RES/$SYN.txt
{
echo "Command: \`bench/run.sh\`$( [ "$COUNT" = 1000000 ] || echo " --count $COUNT")  "
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM, $(uname -sr); $("$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")" --version | head -n 1); SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)  "
echo "Date: $(date -u +%Y-%m-%d); tree: $TREE (as built)  "
echo "Queries per set: $QUERIES k-NN and $FIND locator_find (each timed in $REPEAT passes; median over the passes), $RTREE R*Tree, $CLI CLI processes; k = $(val "$M" k); seed $SEED"
echo
echo "| stores | query set | geoindex k=10 median / p99 (µs) | locator_find median / p99 (µs) | R*Tree median / p99 (µs) | R*Tree ÷ geoindex (median / p99) | CLI median / p99 (ms) | mismatches (brute force / R*Tree / locator_find) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for set in real $SYN; do
    F=$RES/$set.txt
    label=$(thousands "$(val "$F" stores)")
    for q in near anywhere; do
        echo "| $label | $q | $(fmt "$(val "$F" $q.geoindex.median_us)" 2) / $(fmt "$(val "$F" $q.geoindex.p99_us)" 2)" \
             "| $(fmt "$(val "$F" $q.find.median_us)") / $(fmt "$(val "$F" $q.find.p99_us)")" \
             "| $(fmt "$(val "$F" $q.rtree.median_us)") / $(fmt "$(val "$F" $q.rtree.p99_us)")" \
             "| $(ratio "$(val "$F" $q.rtree.median_us)" "$(val "$F" $q.geoindex_rtree_queries.median_us)") / $(ratio "$(val "$F" $q.rtree.p99_us)" "$(val "$F" $q.geoindex_rtree_queries.p99_us)")" \
             "| $(fmt "$(val "$F" $q.cli.median_ms)") / $(fmt "$(val "$F" $q.cli.p99_ms)")" \
             "| $(val "$F" $q.verify.mismatches) of $(val "$F" $q.verify.queries) / $(val "$F" $q.rtree.mismatches) of $(val "$F" $q.rtree.n) / $(val "$F" $q.find.mismatches) of $(val "$F" $q.find.n) |"
    done
done
echo
echo "| stores | store import incl. index rebuild (s) | index build alone, median (ms) | index preload (ms) | database size | of which store index | R*Tree build, in memory (s) | place names median / p99 (µs) | CLI start floor, \`--version\` median (ms) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for set in real $SYN; do
    F=$RES/$set.txt
    echo "| $(thousands "$(val "$F" stores)") | $(cat "$RES/$set-stores-import.txt") | $(fmt "$(val "$F" index_build.median_ms)") | $(fmt "$(val "$F" index.load_ms)")" \
         "| $(mib "$(cat "$RES/$set-db-size.txt")") | $(mib "$(val "$F" db.store_index_bytes)") | $(fmt "$(val "$F" rtree.build_s)" 2)" \
         "| $(fmt "$(val "$F" names.median_us)") / $(fmt "$(val "$F" names.p99_us)") | $(fmt "$(val "$F" cli_start.median_ms)") |"
done
echo
echo "cities500 import (countries + admin1 + 199,568 places, fresh database, wall clock incl. process): median $CITIES_S s of $IMPORT_REPS runs ($CITIES_ALL s). gen-stores for $COUNT stores: $GEN_S s."
echo "Answers checked by brute force with equal distances among the k+1 nearest (the id tie-break decides): $(val "$M" near.verify.with_ties) near, $(val "$M" anywhere.verify.with_ties) anywhere ($(thousands "$(val "$M" stores)") stores)."
echo "Place names not found (of $(val "$M" names.n)): $(val "$M" names.notfound). In a warm process (memory already mapped, so without the first-touch page faults a fresh process pays), one CLI run's work on $(thousands "$(val "$M" stores)") stores: locator_open $(fmt "$(val "$M" open.locator_open.median_ms)") ms, first locator_find $(fmt "$(val "$M" open.first_find.median_ms)") ms, locator_free $(fmt "$(val "$M" open.locator_free.median_ms)") ms (medians)."
echo
echo "| target ($(val "$M" stores) stores, both query sets) | measured | verdict |"
echo "| --- | --- | --- |"
worst() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
g50=$(worst "$(val "$M" near.geoindex.median_us)" "$(val "$M" anywhere.geoindex.median_us)")
g99=$(worst "$(val "$M" near.geoindex.p99_us)" "$(val "$M" anywhere.geoindex.p99_us)")
c50=$(worst "$(val "$M" near.cli.median_ms)" "$(val "$M" anywhere.cli.median_ms)")
n50=$(val "$M" names.median_us)
mm=$(awk -v a="$(val "$R" mismatches)" -v b="$(val "$M" mismatches)" 'BEGIN { print a + b }')
echo "| in-process k=10 median ≤ 5 µs | $(fmt "$g50" 2) µs (worse set) | $(met "$g50" 5) |"
echo "| in-process k=10 p99 ≤ 50 µs | $(fmt "$g99" 2) µs (worse set) | $(met "$g99" 50) |"
echo "| one \`reup-locate\` process, median ≤ 10 ms | $(fmt "$c50") ms (worse set) | $(met "$c50" 10) |"
echo "| place-name resolution median ≤ 50 µs | $(fmt "$n50") µs | $(met "$n50" 50) |"
echo "| import of cities500 ≤ 5 s | $CITIES_S s | $(met "$CITIES_S" 5) |"
echo "| every answer exact | $mm mismatches (both store sets) | $(met "$mm" 0) |"
} | tee "$RES/results.md"
