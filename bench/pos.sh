#!/bin/bash
# bench/pos.sh - one terminal against the local issuer, as recorded in docs/benchmarks.md.
#
# Builds a Release tree, sets up an issuer state directory (one plan, three terminals, a
# batch of cards) and starts `reup-issuer serve` on a loopback port with TLS, then:
# 1. a journal of terminal T1 with SMALL sales (`reup-pos sell`, the first of which also
#    fetches the catalog), and one of terminal T2 with BIG sales already in it, written
#    by gen-journal on a tmpfs and copied here (`reup-pos verify` must pass on it, timed);
# 2. REPEAT rounds of, in turn: one fresh `curl --cacert ... https://127.0.0.1:PORT/v1/health`
#    process (the baseline: process start and one TLS request), one `reup-pos sell`
#    process on the small journal, one on the big journal; each timed from fork to exit,
#    p50/p99. Interleaved so that other load on the machine weighs on all three alike.
#    Every journal write is synchronous=FULL, on the disk of the work folder;
# 3. bench-pos: N sales through the till in one process (terminal T3), as the screen
#    makes them: the time from the Enter of a scanned serial to the approved sale,
#    p50/p99, and sales a minute.
# Prints Markdown rows.
#
# usage: bench/pos.sh [--build DIR] [--count N] [--repeat R] [--small S] [--big B] [--work DIR]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
N=1000
REPEAT=100
SMALL=10
BIG=100000
WORK=${TMPDIR:-/tmp}
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --count) N=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --small) SMALL=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "pos.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DREUP_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target reup-issuer reup-pos bench-pos gen-journal >/dev/null
W=$(mktemp -d "$WORK/pos-bench.XXXXXX")
SHM=$(mktemp -d /dev/shm/pos-bench.XXXXXX 2>/dev/null || mktemp -d "$WORK/pos-gen.XXXXXX")
I=$BUILD/bin/reup-issuer
"$I" init --dir "$W/st" >/dev/null
"$I" plan add --dir "$W/st" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" batch create --dir "$W/st" --plan 1y --count $((N + SMALL + 2 * REPEAT)) --out "$W/b.csv" >/dev/null
"$I" serve --dir "$W/st" --listen 127.0.0.1:0 > "$W/serve.out" 2> "$W/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$W" "$SHM"' EXIT
for _ in $(seq 1 100); do grep -q port "$W/serve.out" && break; sleep 0.05; done
port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$W/serve.out")
tail -n +2 "$W/b.csv" | cut -d, -f1 > "$W/serials"
cards() { sed -n "$1,$2p" "$W/serials"; }
# conf T: terminal T's configuration, journal T.db
conf() {
    "$I" terminal add --dir "$W/st" --store WM00001 --terminal "$1" > "$W/$1.json"
    chmod 600 "$W/$1.json"
    printf '[store]\nid = WM00001\nterminal = %s\n[issuer]\nurl = https://127.0.0.1:%s\nca = st/tls/cert.pem\n' \
        "$1" "$port" > "$W/$1.conf"
    printf 'credentials = %s.json\n[journal]\npath = %s.db\n' "$1" "$1" >> "$W/$1.conf"
}
POS=$BUILD/bin/reup-pos
conf T1
conf T2
conf T3
for t in T1 T3; do
    $POS --config "$W/$t.conf" cashier add --id 1 --name Bench --role manager --pin 1234 >/dev/null 2>&1
    $POS --config "$W/$t.conf" shift open --cashier 1 --pin 1234 --float 100 >/dev/null 2>&1
done
for s in $(cards 1 "$SMALL"); do $POS --config "$W/T1.conf" sell --serial "$s" --cash 50 >/dev/null; done
# the big journal: written where a sync is free, used where it is not
t0=$(date +%s%N)
"$BUILD/bin/gen-journal" "$SHM/T2.db" "$BIG"
gen_s=$(( ($(date +%s%N) - t0) / 1000000 ))
cp "$SHM/T2.db" "$W/T2.db"
rm -rf "$SHM"
t0=$(date +%s%N)
$POS --config "$W/T2.conf" verify >/dev/null
verify_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# the rounds
: > "$W/curl.us"; : > "$W/small.us"; : > "$W/big.us"
fail=0
timed() { # OUT CMD...: the command's time from fork to exit in µs, appended to OUT
    local out=$1 t0; shift
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || fail=$((fail + 1))
    echo $(( ($(date +%s%N) - t0) / 1000 )) >> "$out"
}
paste -d' ' <(cards $((SMALL + 1)) $((SMALL + REPEAT))) <(cards $((SMALL + REPEAT + 1)) $((SMALL + 2 * REPEAT))) |
while read -r a b; do
    timed "$W/curl.us" curl -sf --cacert "$W/st/tls/cert.pem" "https://127.0.0.1:$port/v1/health"
    timed "$W/small.us" $POS --config "$W/T1.conf" sell --serial "$a" --cash 50
    timed "$W/big.us" $POS --config "$W/T2.conf" sell --serial "$b" --cash 50
    echo "$fail" > "$W/failed"
done
failed=$(cat "$W/failed")
p() { # FILE Q: the Q-quantile of FILE in ms
    sort -n "$1" | awk -v q="$2" '{ v[NR] = $1 } END { i = q == 0.5 ? int((NR + 1) / 2) : int(NR * q); if (i < 1) i = 1; printf "%.2f", v[i] / 1000 }'
}
base=$(p "$W/curl.us" 0.5)
echo "| how | sales in the journal before | runs | p50 ms | p99 ms | p50 ÷ curl p50 |"
echo "| --- | --- | --- | --- | --- | --- |"
row() { echo "| $1 | $2 | $REPEAT | $(p "$3" 0.5) | $(p "$3" 0.99) | $(awk -v a="$(p "$3" 0.5)" -v b="$base" 'BEGIN { printf "%.2f", a / b }') |"; }
row "curl, one TLS request to /v1/health (baseline)" - "$W/curl.us"
row "\`reup-pos sell\`, a process a sale" "$SMALL" "$W/small.us"
row "\`reup-pos sell\`, a process a sale" "$BIG" "$W/big.us"
echo
echo "failed runs: $failed; gen-journal of $BIG sales: $gen_s ms; reup-pos verify of it: $verify_ms ms"
echo
echo "| how | sales | p50 ms | p99 ms | sales/min | failed |"
echo "| --- | --- | --- | --- | --- | --- |"
(head -n 1 "$W/b.csv"; tail -n "$N" "$W/b.csv") > "$W/bench.csv"
printf '| till in one process (the screen) '
"$BUILD/bin/bench-pos" "$W/T3.conf" "$W/bench.csv" "$N"
