#!/bin/sh
# bench/web.sh - load benchmark of the store locator's web API (`reup-locate serve`), as
# recorded in docs/benchmarks.md (issue 6).
#
# Builds a Release tree, takes the 1,000,000-store database of bench/run.sh
# (BUILD/bench-1m.db; built the same way when missing or of an older schema), starts
# `reup-locate serve` on a loopback port without the rate limit and the per-address
# connection limit (--rate 0 --max-connections-per-address 0: wrk's connections all come
# from one address) and loads
# GET /api/v1/stores with wrk (installed with apt-get when missing) through
# bench/web/stores.lua, which cycles through the 1,000 places of bench/web/cities.txt
# (k=5; every 5th request with a radius, every 10th with a chain). For each server
# thread count and each round:
# 1. a warm-up and check pass, wrk counting the answers by status: every good request
#    must be answered 200, and the bad ones 400, 404 or 413;
# 2. the good mix alone at 16 and at 64 connections (wrk -t2 --latency);
# 3. 48 connections of the good mix alongside a second wrk (-t1) with 16 connections of
#    bad requests (unknown parameter, k=999, no q, a query string over 1,024 bytes, a
#    misspelt place, malformed percent-encoding), to compare with the 64 good ones of 2.
# Each run waits for the machine to be quiet first (a minute at most), and a run during
# which other processes used more than 15 % of a core is repeated (twice at most; the
# disturbed runs are kept beside it). Prints Markdown tables of the medians over the
# rounds and whether each target is met; raw wrk output and key=value results stay in
# BUILD/web-results/ (or --out).
# Takes about 6 minutes on 2 cores, plus about a minute when the database is built.
#
# usage: bench/web.sh [--build DIR] [--commit REV] [--db PATH] [--threads "2 4"]
#                     [--duration S] [--rounds R] [--retries N] [--bin FILE] [--out DIR]
#                     [--perf] [--quick]
#   --build     build directory (default: build-bench in the repository)
#   --commit    measure this commit rather than the work tree (exported with git archive
#               and built in BUILD/commit-REV), e.g. while the work tree holds
#               unfinished changes
#   --db        the store database (default: BUILD/bench-1m.db, bench/run.sh's, when
#               this build can read it, else BUILD[/commit-REV]/bench-1m.db, built as
#               bench/run.sh builds it when missing or of an older schema)
#   --threads   the server thread counts to measure (default "2 4")
#   --duration  seconds per wrk run (default 10)
#   --rounds    rounds (default 3; medians reported)
#   --retries   times a disturbed run is repeated (default 2)
#   --bin       measure this reup-locate, built elsewhere (a change not yet committed,
#               say), instead of building one; give --db unless BUILD/bench-1m.db suits
#   --out       folder of the raw results (default BUILD/web-results; emptied first)
#   --perf      then record the server (perf record -g) during one more run of the good
#               mix and one of the good and bad mix, 64 connections, first thread count;
#               reports in the results folder, perf-*.report.txt
#   --quick     one round of 3-second runs with 2 threads: a smoke run of the script,
#               not figures to quote
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
COMMIT=
DB=
THREADS="2 4"
DURATION=10
ROUNDS=3
WARM=5              # seconds of the warm-up and check pass
PERF=0
QUICK=0
BINARY=
RES=
CONNS="16 64"       # connections of the good mix alone
GOOD_WITH_BAD=48    # good connections alongside the bad ones ...
BAD_CONNS=16        # ... and bad connections: 64 in all, as the good mix alone
DISTURBED=0.15      # other processes' CPU, in cores, above which a run is repeated
RETRIES=2

while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --commit) COMMIT=$2; shift 2 ;;
    --db) DB=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --perf) PERF=1; shift ;;
    --retries) RETRIES=$2; shift 2 ;;
    --bin) BINARY=$2; shift 2 ;;
    --out) RES=$2; shift 2 ;;
    --quick) DURATION=3; ROUNDS=1; THREADS=2; WARM=2; QUICK=1; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "web.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac

say() { echo "web.sh: $*" >&2; }
# val FILE KEY: the value of KEY in a key=value file
val() { sed -n "s/^$2=//p" "$1" | head -n 1; }
# median: of the numbers on standard input (the lower middle of an even count)
median() { sort -n | awk 'NF { v[n++] = $1 } END { if (n) print v[int((n - 1) / 2)] }'; }
fmt() { awk -v x="$1" -v p="${2:-1}" 'BEGIN { if (x == "") print "n/a"; else printf "%.*f", p, x }'; }
thousands() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }
verdict() { if [ "$1" = 1 ]; then echo met; else echo "**not met**"; fi; }

# wrk and GNU time (for wrk's CPU time), installed as setup.sh installs packages.
missing=
for p in wrk time; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The tree that is measured.
mkdir -p "$BUILD"
if [ -n "$BINARY" ]; then
    [ -x "$BINARY" ] || { echo "web.sh: '$BINARY' is not a program" >&2; exit 2; }
    BIN=$(cd "$(dirname "$BINARY")" && pwd)
    TREE_BUILD=$BUILD
    TREE="the program $BINARY (not built by this script)"
elif [ -n "$COMMIT" ]; then
    rev=$(git -C "$ROOT" rev-parse --short "$COMMIT^{commit}")
    SRC=$BUILD/commit-$rev/src
    TREE_BUILD=$BUILD/commit-$rev
    if [ ! -f "$SRC/CMakeLists.txt" ]; then
        mkdir -p "$SRC"
        git -C "$ROOT" archive "$rev" | tar -x -C "$SRC"
    fi
    TREE="commit $rev (exported with git archive, the work tree aside)"
else
    SRC=$ROOT
    TREE_BUILD=$BUILD
    TREE="commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    [ -z "$(git -C "$ROOT" status --porcelain -- common db locator 2>/dev/null)" ] ||
        TREE="$TREE with uncommitted changes in common/, db/ or locator/"
fi
if [ -z "$BINARY" ]; then
    say "building (Release) in $TREE_BUILD"
    cmake -S "$SRC" -B "$TREE_BUILD" -DCMAKE_BUILD_TYPE=Release -DREUP_BENCH=ON >/dev/null
    cmake --build "$TREE_BUILD" -j "$(nproc)" --target reup-locate gen-stores >/dev/null
    BIN=$TREE_BUILD/bin
fi

# The database: bench/run.sh's (BUILD/bench-1m.db) when this build can read it, else
# built the same way beside the build: the shipped gazetteer and US postal codes and
# 1,000,000 stores from gen-stores with seed 1.
DB_GIVEN=$DB
usable() { [ -s "$1" ] && "$BIN/reup-locate" --db "$1" -k 1 "41.58,-109.2" >/dev/null 2>&1; }
if [ -z "$DB" ]; then
    DB=$TREE_BUILD/bench-1m.db
    ! usable "$BUILD/bench-1m.db" || DB=$BUILD/bench-1m.db
fi
if ! usable "$DB"; then
    [ -z "$DB_GIVEN" ] || { say "cannot use '$DB':"; "$BIN/reup-locate" --db "$DB" -k 1 "41.58,-109.2" >/dev/null || true; exit 1; }
    [ -x "$BIN/gen-stores" ] || { say "no database this program can read: give one with --db"; exit 2; }
    [ ! -s "$DB" ] || say "$DB is not readable by this build (an older schema?): building it again"
    DATA=$BUILD/data
    GN=$DATA/geonames
    if [ ! -s "$GN/postal/US.txt" ]; then
        say "decompressing the shipped data into $DATA"
        mkdir -p "$GN/postal"
        xz -dc "$ROOT/data/geonames/cities500.txt.xz" > "$GN/cities500.txt"
        xz -dc "$ROOT/data/geonames/postal/US.txt.xz" > "$GN/postal/US.txt"
        cp "$ROOT/data/geonames/countryInfo.txt" "$ROOT/data/geonames/admin1CodesASCII.txt" "$GN/"
    fi
    STORES=$TREE_BUILD/bench-stores-1000000.csv
    if [ ! -s "$STORES" ]; then
        say "generating 1000000 synthetic stores (seed 1)"
        "$BIN/gen-stores" --places "$GN/cities500.txt" --count 1000000 --seed 1 --out "$STORES.tmp"
        mv "$STORES.tmp" "$STORES"
    fi
    say "building $DB"
    rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
    "$BIN/reup-locate" import --db "$DB.tmp" --countries "$GN/countryInfo.txt" \
        --admin1 "$GN/admin1CodesASCII.txt" --places "$GN/cities500.txt" >&2
    "$BIN/reup-locate" import --db "$DB.tmp" --postal "$GN/postal/US.txt" >&2
    "$BIN/reup-locate" import --db "$DB.tmp" --stores "$STORES" >&2
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.tmp-wal" "$DB.tmp-shm"
    mv "$DB.tmp" "$DB"
fi

[ -n "$RES" ] || RES=$BUILD/web-results
mkdir -p "$RES"
rm -f "$RES"/*.txt "$RES"/*.time "$RES"/*.md "$RES"/*.data "$RES"/*.log
LUA=$ROOT/bench/web/stores.lua
CITIES=$ROOT/bench/web/cities.txt
LOG=$RES/serve.log      # the server's request log (truncated before each run)
SERVER=
BADWRK=
URL=

stop_server() {
    [ -n "$BADWRK" ] && kill "$BADWRK" 2>/dev/null
    BADWRK=
    [ -n "$SERVER" ] || return 0
    kill -TERM "$SERVER" 2>/dev/null || true
    rc=0
    wait "$SERVER" || rc=$?
    SERVER=
    [ $rc -eq 0 ] || { say "reup-locate serve exited with status $rc on SIGTERM"; echo "exit=$rc" >> "$RES/server-exits.txt"; }
}
trap 'stop_server' EXIT
trap 'exit 130' INT TERM

# start_server THREADS: reup-locate serve on a free loopback port; sets SERVER and URL.
start_server() {
    : > "$RES/serve.out"
    : > "$LOG"
    "$BIN/reup-locate" serve --listen 127.0.0.1:0 --db "$DB" --threads "$1" --rate 0 \
        --max-connections-per-address 0 > "$RES/serve.out" 2>> "$LOG" &
    SERVER=$!
    i=0
    # the port is printed once the database is open and the socket listens
    until grep -q 'port [0-9]' "$RES/serve.out"; do
        kill -0 "$SERVER" 2>/dev/null || { say "reup-locate serve did not start:"; tail -n 5 "$LOG" >&2; exit 1; }
        i=$((i + 1))
        [ $i -lt 600 ] || { say "reup-locate serve did not start in 60 s"; exit 1; }
        sleep 0.1
    done
    URL=http://127.0.0.1:$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$RES/serve.out")
}

# Busy CPU time of the machine and of one process, in clock ticks.
cpu_total() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)

# time_wait: TCP connections of the machine in TIME-WAIT (many when the server closes
# a connection after each answer: they then slow down opening new ones)
time_wait() { ss -tan state time-wait 2>/dev/null | tail -n +2 | wc -l; }

# wait_quiet: until the machine has been idle (under DISTURBED cores busy) for a
# second, the idle server aside; a minute at most.
wait_quiet() {
    q=0
    while [ $q -lt 30 ]; do
        c0=$(cpu_total); s0=$(cpu_of "$SERVER")
        sleep 1
        c1=$(cpu_total); s1=$(cpu_of "$SERVER")
        awk -v c="$((c1 - c0 - s1 + s0))" -v hz="$TICK" -v l="$DISTURBED" 'BEGIN { exit !(c / hz <= l) }' && return 0
        [ $q -gt 0 ] || say "waiting for the machine to be quiet"
        q=$((q + 1))
        sleep 1
    done
    say "the machine stayed busy; measuring anyway"
}

# wrk_run NAME MIX CONNECTIONS WRK-THREADS SECONDS [count]: one wrk run into NAME.txt,
# its CPU time into NAME.time.
wrk_run() {
    env WEB_MIX="$2" WEB_CITIES="$CITIES" ${6:+WEB_COUNT=1} \
        /usr/bin/time -f 'wrk.cpu_s=%U %S' -o "$RES/$1.time" \
        wrk -t"$4" -c"$3" -d"$5s" --latency -s "$LUA" "$URL" > "$RES/$1.txt" 2>&1 ||
        say "wrk failed in $1 (see $RES/$1.txt)"
}

# measure NAME CONNECTIONS [BAD-NAME]: the good mix on CONNECTIONS connections, and with
# BAD-NAME a second wrk of bad requests on BAD_CONNS connections at the same time (its
# output in BAD-NAME.txt). Adds to NAME.txt the CPU used by the server, by wrk and by
# everything else (in cores), the TIME-WAIT connections before the run and the server's
# answers by status; repeats the run when everything else used more than DISTURBED
# cores.
measure() {
    attempt=0
    while :; do
        wait_quiet
        : > "$LOG"
        tw=$(time_wait)
        c0=$(cpu_total); s0=$(cpu_of "$SERVER"); t0=$(date +%s.%N)
        if [ -n "${3:-}" ]; then
            wrk_run "$3" bad "$BAD_CONNS" 1 "$DURATION" &
            BADWRK=$!
            wrk_run "$1" good "$2" 2 "$DURATION"
            wait "$BADWRK" || true
            BADWRK=
        else
            wrk_run "$1" good "$2" 2 "$DURATION"
        fi
        c1=$(cpu_total); s1=$(cpu_of "$SERVER"); t1=$(date +%s.%N)
        w=$(cat "$RES/$1.time" ${3:+"$RES/$3.time"} | sed -n 's/^wrk.cpu_s=//p' |
            awk '{ s += $1 + $2 } END { print s + 0 }')
        awk -v c="$c1" -v c0="$c0" -v s="$s1" -v s0="$s0" -v w="$w" -v t="$t1" -v t0="$t0" -v hz="$TICK" 'BEGIN {
            el = t - t0; all = (c - c0) / hz; srv = (s - s0) / hz; o = all - srv - w; if (o < 0) o = 0
            printf "cpu.elapsed_s=%.2f\ncpu.server_cores=%.2f\ncpu.wrk_cores=%.2f\ncpu.others_cores=%.2f\n", el, srv / el, w / el, o / el
        }' >> "$RES/$1.txt"
        echo "tcp.time_wait_before=$tw" >> "$RES/$1.txt"
        awk '{ n[$5]++ } END { for (s in n) printf "server.status.%s=%d\n", s, n[s] }' "$LOG" | sort >> "$RES/$1.txt"
        kill -0 "$SERVER" 2>/dev/null || { say "reup-locate serve died during $1:"; tail -n 5 "$LOG" >&2; exit 1; }
        others=$(val "$RES/$1.txt" cpu.others_cores)
        if awk -v o="$others" -v l="$DISTURBED" 'BEGIN { exit !(o > l) }' && [ "$attempt" -lt "$RETRIES" ]; then
            attempt=$((attempt + 1))
            say "$1: other processes used $others cores: disturbed, repeating it ($attempt of $RETRIES)"
            for f in "$RES/$1".txt "$RES/$1".time ${3:+"$RES/$3.txt" "$RES/$3.time"}; do
                [ ! -f "$f" ] || mv "$f" "${f%.*}.disturbed$attempt.${f##*.}"
            done
            echo "$1 $others" >> "$RES/disturbed.txt"
            continue
        fi
        echo "repeats=$attempt" >> "$RES/$1.txt"
        break
    done
}

: > "$RES/disturbed.txt"
: > "$RES/server-exits.txt"
round=1
while [ $round -le "$ROUNDS" ]; do
    for th in $THREADS; do
        say "round $round of $ROUNDS, $th server threads"
        start_server "$th"
        # Does the server keep a connection open after an answer (HTTP/1.1 keep-alive)?
        [ -s "$RES/keepalive.txt" ] || ! command -v curl >/dev/null ||
            curl -sS -o /dev/null -D - "$URL/api/v1/stores?q=Rock+Springs%2C+WY&k=5" |
            sed -n 's/\r$//; s/^[Cc]onnection: *//p' > "$RES/keepalive.txt"
        # Warm-up (first touches of the mapped database) and the check of every answer.
        wrk_run "check-t$th-r$round-good" good 16 2 "$WARM" count
        awk '{ t = $6; sub("ms", "", t); n[$5]++; sum[$5] += t; if (t + 0 > max[$5]) max[$5] = t + 0 }
             END { for (s in n) printf "server.%s.n=%d\nserver.%s.mean_ms=%.3f\nserver.%s.max_ms=%.3f\n", s, n[s], s, sum[s] / n[s], s, max[s] }' \
            "$LOG" >> "$RES/check-t$th-r$round-good.txt"
        : > "$LOG"
        wrk_run "check-t$th-r$round-bad" bad 4 1 "$WARM" count
        awk '{ t = $6; sub("ms", "", t); n[$5]++; sum[$5] += t; if (t + 0 > max[$5]) max[$5] = t + 0 }
             END { for (s in n) printf "server.%s.n=%d\nserver.%s.mean_ms=%.3f\nserver.%s.max_ms=%.3f\n", s, n[s], s, sum[s] / n[s], s, max[s] }' \
            "$LOG" >> "$RES/check-t$th-r$round-bad.txt"
        for c in $CONNS; do
            say "  good mix, $c connections"
            measure "t$th-c$c-r$round" "$c"
        done
        say "  good mix on $GOOD_WITH_BAD connections with bad requests on $BAD_CONNS"
        measure "t$th-mixed-r$round" "$GOOD_WITH_BAD" "t$th-mixed-bad-r$round"
        stop_server
    done
    round=$((round + 1))
done

if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
    th=${THREADS%% *}
    start_server "$th"
    wrk_run "perf-warm" good 16 2 "$WARM"
    for what in good mixed; do
        say "perf record of the server: $what, 64 connections, $th threads"
        wait_quiet
        perf record -F 999 -g -p "$SERVER" -o "$RES/perf-$what.data" -- sleep "$DURATION" 2> "$RES/perf-$what.log" &
        pp=$!
        if [ $what = mixed ]; then
            wrk_run "perf-mixed-bad" bad "$BAD_CONNS" 1 "$DURATION" &
            BADWRK=$!
            wrk_run "perf-mixed" good "$GOOD_WITH_BAD" 2 "$DURATION"
            wait "$BADWRK" || true
            BADWRK=
        else
            wrk_run "perf-good" good 64 2 "$DURATION"
        fi
        wait $pp || true
        # where the server's CPU goes: by library, then by function
        { perf report -i "$RES/perf-$what.data" --stdio --no-children --sort dso -g none
          perf report -i "$RES/perf-$what.data" --stdio --no-children --sort dso,sym -g none --percent-limit 0.5
        } 2>/dev/null | grep -v '^$' > "$RES/perf-$what.report.txt" || true
    done
    stop_server
fi

# Tables: medians over the rounds.
# med PREFIX KEY: the median of KEY over the rounds' PREFIX-rR.txt files
med() {
    r=1
    while [ $r -le "$ROUNDS" ]; do
        [ ! -f "$RES/$1-r$r.txt" ] || val "$RES/$1-r$r.txt" "$2"
        r=$((r + 1))
    done | median
}
# each PREFIX KEY [DECIMALS]: the rounds' values of KEY, in order
each() {
    r=1
    while [ $r -le "$ROUNDS" ]; do
        [ ! -f "$RES/$1-r$r.txt" ] || { fmt "$(val "$RES/$1-r$r.txt" "$2")" "${3:-0}"; echo; }
        r=$((r + 1))
    done | paste -sd',' | sed 's/,/, /g'
}
# sum PREFIX KEY: KEY added up over the rounds
sum() {
    r=1
    while [ $r -le "$ROUNDS" ]; do
        [ ! -f "$RES/$1-r$r.txt" ] || val "$RES/$1-r$r.txt" "$2"
        r=$((r + 1))
    done | awk '{ s += $1 } END { print s + 0 }'
}
# statuses FILE: the answers counted by wrk in a check pass, "200 ×N, 404 ×M"
statuses() { sed -n 's/^web\.status\.\([0-9]*\)=\(.*\)/\1 ×\2/p' "$1" | paste -sd',' | sed 's/,/, /g'; }

{
opts=
[ -z "$COMMIT" ] || opts="$opts --commit $COMMIT"
[ "$THREADS" = "2 4" ] || opts="$opts --threads \"$THREADS\""
[ "$DURATION" = 10 ] || opts="$opts --duration $DURATION"
[ "$ROUNDS" = 3 ] || opts="$opts --rounds $ROUNDS"
[ "$QUICK" = 0 ] || opts=" --quick$([ -z "$COMMIT" ] || echo " --commit $COMMIT")"
[ -z "$BINARY" ] || opts="$opts --bin $BINARY --db $DB"
echo "Command: \`bench/web.sh$opts\`  "
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM, $(uname -sr); $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2); server and wrk on the same cores  "
echo "Date: $(date -u '+%Y-%m-%d %H:%M') UTC; tree: $TREE; database: $(basename "$DB") ($(thousands "$(sqlite3 "$DB" 'select count(*) from store' 2>/dev/null || echo 0)") stores)  "
echo "Runs: $DURATION s each, wrk -t2 --latency; medians of $ROUNDS round(s); runs repeated because other processes used over $DISTURBED cores: $(wc -l < "$RES/disturbed.txt")"
echo
echo "| server threads | connections | requests/s | p50 (ms) | p99 (ms) | non-2xx | CPU: server / wrk / others (cores) | rounds: requests/s | rounds: p99 (ms) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for th in $THREADS; do
    for c in $CONNS; do
        p=t$th-c$c
        echo "| $th | $c | $(thousands "$(med "$p" web.rps)") | $(fmt "$(med "$p" web.p50_ms)" 2) | $(fmt "$(med "$p" web.p99_ms)" 2)" \
             "| $(sum "$p" web.non2xx) | $(fmt "$(med "$p" cpu.server_cores)" 2) / $(fmt "$(med "$p" cpu.wrk_cores)" 2) / $(fmt "$(med "$p" cpu.others_cores)" 2)" \
             "| $(each "$p" web.rps) | $(each "$p" web.p99_ms 2) |"
    done
done
echo
echo "Bad requests alongside ($GOOD_WITH_BAD connections of the good mix with wrk -t2 and $BAD_CONNS of bad requests with a second wrk -t1, against the good mix alone on 64):"
echo
echo "| server threads | load | good requests/s | good p50 (ms) | good p99 (ms) | good non-2xx | bad requests/s | bad p50 / p99 (ms) | rounds: good p99 (ms) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for th in $THREADS; do
    p=t$th-c64
    echo "| $th | 64 good | $(thousands "$(med "$p" web.rps)") | $(fmt "$(med "$p" web.p50_ms)" 2) | $(fmt "$(med "$p" web.p99_ms)" 2) | $(sum "$p" web.non2xx) | – | – | $(each "$p" web.p99_ms 2) |"
    p=t$th-mixed
    echo "| $th | $GOOD_WITH_BAD good + $BAD_CONNS bad | $(thousands "$(med "$p" web.rps)") | $(fmt "$(med "$p" web.p50_ms)" 2) | $(fmt "$(med "$p" web.p99_ms)" 2) | $(sum "$p" web.non2xx)" \
         "| $(thousands "$(med "t$th-mixed-bad" web.rps)") | $(fmt "$(med "t$th-mixed-bad" web.p50_ms)" 2) / $(fmt "$(med "t$th-mixed-bad" web.p99_ms)" 2) | $(each "$p" web.p99_ms 2) |"
done
echo
th1=${THREADS%% *}
echo "Check passes (not timed; wrk reading every answer), $th1 threads, round 1: good mix $(statuses "$RES/check-t$th1-r1-good.txt"); bad mix $(statuses "$RES/check-t$th1-r1-bad.txt").  "
printf "Server time per answer in those passes (request log, mean / max ms):"
for kind in good bad; do
    F=$RES/check-t$th1-r1-$kind.txt
    for s in $(sed -n 's/^server\.\([0-9]*\)\.n=.*/\1/p' "$F" | sort -u); do
        printf " %s %s %s / %s;" "$kind" "$s" "$(fmt "$(val "$F" "server.$s.mean_ms")" 3)" "$(fmt "$(val "$F" "server.$s.max_ms")" 1)"
    done
done
echo "  "
if [ "$(cat "$RES/keepalive.txt" 2>/dev/null)" = close ]; then
    echo "Keep-alive: **no**: every answer carries \`Connection: close\`, so each request opens a new TCP connection (TIME-WAIT connections before the runs: $(med "t$th1-c64" tcp.time_wait_before) median)."
fi
[ ! -s "$RES/server-exits.txt" ] || echo "Server exits other than 0 on SIGTERM: $(wc -l < "$RES/server-exits.txt")"
echo
echo "| target | $(for th in $THREADS; do printf '%s threads | ' "$th"; done | sed 's/ | $//') |"
echo "| --- |$(for th in $THREADS; do printf ' --- |'; done)"
for c in $CONNS; do
    printf '| ≥ 10,000 requests/s at %s connections |' "$c"
    for th in $THREADS; do v=$(med "t$th-c$c" web.rps); printf ' %s: %s |' "$(thousands "$v")" "$(verdict "$(awk -v v="$v" 'BEGIN { print (v + 0 >= 10000) }')")"; done
    echo
    printf '| p99 < 10 ms at %s connections |' "$c"
    for th in $THREADS; do v=$(med "t$th-c$c" web.p99_ms); printf ' %s ms: %s |' "$(fmt "$v" 2)" "$(verdict "$(awk -v v="$v" 'BEGIN { print (v != "" && v + 0 < 10) }')")"; done
    echo
done
printf '| good mix answered 200 only (all runs) |'
for th in $THREADS; do
    n=0
    for c in $CONNS; do n=$((n + $(sum "t$th-c$c" web.non2xx))); done
    n=$((n + $(sum "t$th-mixed" web.non2xx)))
    printf ' %s non-2xx: %s |' "$n" "$(verdict "$([ $n -eq 0 ] && echo 1 || echo 0)")"
done
echo
printf '| bad requests do not slow the good ones: good p50 and p99 with the bad load ≤ 1.1 × alone (64 connections in both) |'
for th in $THREADS; do
    a50=$(med "t$th-c64" web.p50_ms); a99=$(med "t$th-c64" web.p99_ms)
    m50=$(med "t$th-mixed" web.p50_ms); m99=$(med "t$th-mixed" web.p99_ms)
    printf ' p50 %s vs %s, p99 %s vs %s ms: %s |' "$(fmt "$m50" 2)" "$(fmt "$a50" 2)" "$(fmt "$m99" 2)" "$(fmt "$a99" 2)" \
        "$(verdict "$(awk -v a="$a50" -v b="$a99" -v c="$m50" -v d="$m99" 'BEGIN { print (c + 0 <= 1.1 * a && d + 0 <= 1.1 * b) }')")"
done
echo
} | tee "$RES/results.md"
