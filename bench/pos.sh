#!/bin/bash
# bench/pos.sh - one terminal against the local issuer, as recorded in docs/benchmarks.md.
#
# Builds a Release tree, sets up an issuer state directory (one plan, one terminal, a
# batch of N cards) and starts `reup-issuer serve` on a loopback port with TLS, writes a
# terminal configuration without printers, opens a shift, then:
# 1. bench-pos: N sales through the till in one process, as the screen makes them: the
#    time from the Enter of a scanned serial to the approved sale, p50/p99, and sales a
#    minute;
# 2. `reup-pos sell` as a process per sale (what a script pays), REPEAT sales, p50/p99.
# Prints Markdown rows.
#
# usage: bench/pos.sh [--build DIR] [--count N] [--repeat R]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
N=1000
REPEAT=100
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --count) N=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "pos.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target reup-issuer reup-pos bench-pos >/dev/null
W=$(mktemp -d)
I=$BUILD/bin/reup-issuer
"$I" init --dir "$W/st" >/dev/null
"$I" plan add --dir "$W/st" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" terminal add --dir "$W/st" --store WM00001 --terminal T1 > "$W/t1.json"
chmod 600 "$W/t1.json"
"$I" batch create --dir "$W/st" --plan 1y --count $((N + REPEAT)) --out "$W/b.csv" >/dev/null
"$I" serve --dir "$W/st" --listen 127.0.0.1:0 > "$W/serve.out" 2> "$W/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 1 100); do grep -q port "$W/serve.out" && break; sleep 0.05; done
port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$W/serve.out")
cat > "$W/pos.conf" <<CONF
[store]
id = WM00001
terminal = T1
[issuer]
url = https://127.0.0.1:$port
ca = st/tls/cert.pem
credentials = t1.json
[journal]
path = pos.db
CONF
P="$BUILD/bin/reup-pos --config $W/pos.conf"
$P cashier add --id 1 --name Bench --role manager --pin 1234 >/dev/null
$P shift open --cashier 1 --pin 1234 --float 100 >/dev/null
echo "| how | sales | p50 ms | p99 ms | sales/min | failed |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '| till in one process (the screen) '
"$BUILD/bin/bench-pos" "$W/pos.conf" "$W/b.csv" "$N"
# a process per sale, on the cards bench-pos did not use
tail -n "$REPEAT" "$W/b.csv" | cut -d, -f1 > "$W/rest"
: > "$W/ms"
start=$(date +%s%N)
while read -r s; do
    t0=$(date +%s%N)
    $P sell --serial "$s" --cash 50 >/dev/null
    echo $(( ($(date +%s%N) - t0) / 1000 )) >> "$W/ms"
done < "$W/rest"
total=$(( ($(date +%s%N) - start) / 1000000 ))
sort -n "$W/ms" | awk -v n="$REPEAT" -v total="$total" '{ v[NR] = $1 } END {
    i = int(NR * 0.99); if (i < 1) i = 1
    printf "| reup-pos sell, a process a sale | %d | %.2f | %.2f | %.0f | 0 |\n", n, v[int((NR + 1) / 2)] / 1000,
        v[i] / 1000, n / (total / 1000) * 60 }'
