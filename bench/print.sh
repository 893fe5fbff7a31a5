#!/bin/bash
# bench/print.sh - rendering card stock to PDF, as recorded in docs/benchmarks.md.
#
# Builds reup-print and reup-issuer in a Release tree, makes a 10,000-card batch with
# reup-issuer, and renders its first 1,000 and all 10,000 cards with `reup-print batch
# --out` in the cr80 layout and the 10-up A4 sheet, REPEAT times each, under
# /usr/bin/time: cards/s (median), elapsed and CPU seconds, peak memory, PDF bytes a
# card. Then the same 1,000 cards through glabels-3-batch with the equivalent template
# in bench/glabels/ (skipped with a note when glabels is not installed: it is a large
# package the project does not need). Prints Markdown rows.
#
# usage: bench/print.sh [--build DIR] [--repeat N] [--no-glabels]
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
REPEAT=3
GLABELS=1
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --no-glabels) GLABELS=0; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "print.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target reup-print reup-issuer >/dev/null
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$BUILD/bin/reup-issuer" init --dir "$W/st" >/dev/null
"$BUILD/bin/reup-issuer" plan add --dir "$W/st" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$BUILD/bin/reup-issuer" batch create --dir "$W/st" --plan 1y --count 10000 --out "$W/b10000.csv" >/dev/null
head -1001 "$W/b10000.csv" > "$W/b1000.csv"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run NAME N CMD...: REPEAT timed runs; prints a Markdown row
run() {
    local name=$1 n=$2 out=$3; shift 3
    : > "$W/times"
    for _ in $(seq 1 "$REPEAT"); do
        rm -f "$out"
        /usr/bin/time -f "%e %U %S %M" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; return 1; }
        cat "$W/t" >> "$W/times"
    done
    local e u s m bytes
    e=$(awk '{print $1}' "$W/times" | median)
    u=$(awk '{print $2}' "$W/times" | median)
    s=$(awk '{print $3}' "$W/times" | median)
    m=$(awk '{print $4}' "$W/times" | sort -n | tail -1)
    bytes=$(stat -c %s "$out")
    printf '| %s | %s | %.0f | %.2f | %.2f | %.1f | %.0f | %s |\n' "$name" "$n" "$(echo "$n / $e" | bc -l)" "$e" \
        "$(echo "$u + $s" | bc -l)" "$(echo "$m / 1024" | bc -l)" "$(echo "$bytes / $n" | bc -l)" \
        "$(awk '{print $1}' "$W/times" | tr '\n' ' ')"
}

echo "| renderer, layout | cards | cards/s (median) | elapsed s | CPU s | peak MiB | PDF bytes/card | elapsed of each run |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for n in 1000 10000; do
    for layout in cr80 sheet-a4-10; do
        run "reup-print, $layout" "$n" "$W/out.pdf" "$BUILD/bin/reup-print" batch "$W/b$n.csv" --layout "$layout" --out "$W/out.pdf"
    done
done
if [ "$GLABELS" = 1 ] && command -v glabels-3-batch >/dev/null; then
    # gLabels 3 takes a barcode's data from one field only: the QR code's URL is a column
    awk -F, -v OFS=, 'NR == 1 { print $0, "qr"; next } { print $0, "https://my.example.com/redeem?pin=" $2 }' \
        "$W/b1000.csv" > "$W/gl1000.csv"
    sed "s|@CSV@|$W/gl1000.csv|" "$ROOT/bench/glabels/card.glabels.in" > "$W/card.glabels"
    # it saves the document's template under the user's config folder: keep that in $W
    XDG_CONFIG_HOME=$W/config run "glabels-3-batch, cr80" 1000 "$W/gl.pdf" glabels-3-batch -o "$W/gl.pdf" "$W/card.glabels"
else
    echo "(glabels-3-batch not run: apt-get install glabels to compare)"
fi
