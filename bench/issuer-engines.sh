#!/usr/bin/env bash
# bench/issuer-engines.sh - the activation host on both ledger engines, as recorded in
# docs/benchmarks.md (issue 13).
#
# Builds bench-issuer in Release, starts a private PostgreSQL cluster (tests/tools/pg-lib.sh:
# unix socket in a folder under /tmp, fsync=on, synchronous_commit=on: every answered
# activation is on the disk, as SQLite's synchronous=FULL), then runs, back to back in each
# round, bench-issuer on SQLite, on PostgreSQL with one node and on PostgreSQL with two
# nodes (two servers in the bench's process, each with its own copy of the state
# directory and port, the terminals spread over them). Every run starts from a fresh
# state directory and database; TLS, a keep-alive connection per terminal, 1, 8 and 32
# terminals. Prints a Markdown table of the medians of the rounds, then each round's
# rows; the raw output stays in BUILD/issuer-engines/. The cluster is stopped and removed
# on every path out. About 3 minutes with the defaults on 2 cores.
#
# usage: bench/issuer-engines.sh [--rounds N] [--seconds S] [--levels 1,8,32] [--writers N]
#                                [--build DIR] [--quick]
#   --rounds   rounds of the three runs (default 3)
#   --seconds  seconds per concurrency level (default 8)
#   --writers  writers of each PostgreSQL node (default: reup-issuer serve's)
#   --build    build directory (default: build-bench in the repository)
#   --quick    one round of 2 s per level: a smoke run of the script, not figures to quote
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
ROUNDS=3
SECONDS_PER_LEVEL=8
LEVELS=1,8,32
WRITERS=
while [ $# -gt 0 ]; do
  case $1 in
  --rounds) ROUNDS=$2; shift 2 ;;
  --seconds) SECONDS_PER_LEVEL=$2; shift 2 ;;
  --levels) LEVELS=$2; shift 2 ;;
  --writers) WRITERS=$2; shift 2 ;;
  --build) BUILD=$2; shift 2 ;;
  --quick) ROUNDS=1; SECONDS_PER_LEVEL=2; shift ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "issuer-engines.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ && $SECONDS_PER_LEVEL =~ ^[1-9][0-9]*$ ]] ||
  { echo "issuer-engines.sh: --rounds and --seconds take whole numbers from 1" >&2; exit 2; }
# enough cards for the fastest engine at every level: about 12,000 activations/s of them
CARDS=$((SECONDS_PER_LEVEL * 12000 + 10000))
[ "$CARDS" -le 1000000 ] || CARDS=1000000

say() { echo "issuer-engines.sh: $*" >&2; }

# cleanup on every path, last registered first (pg-lib.sh registers the cluster's removal)
. "$ROOT/tests/tools/on-exit.sh"
trap 'exit 130' INT TERM
. "$ROOT/tests/tools/pg-lib.sh"

say "building bench-issuer (Release) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DREUP_BENCH=ON >/dev/null
cmake --build "$BUILD" -j2 --target bench-issuer >/dev/null
BIN=$BUILD/bin/bench-issuer
OUT=$BUILD/issuer-engines
rm -rf "$OUT"
mkdir -p "$OUT"

# The settings every answered activation's durability rests on, and what
# docs/operations.md recommends for the issuer's ledger.
PG_SETTINGS=("fsync = on" "synchronous_commit = on" "full_page_writes = on")
say "starting a PostgreSQL cluster (${PG_SETTINGS[*]})"
pg_start bench "${PG_SETTINGS[@]}" || exit 1
for s in fsync synchronous_commit full_page_writes wal_sync_method; do
  echo "$s=$(pg_psql bench -c "SHOW $s")"
done >"$OUT/pg-settings.txt"
PG_VERSION=$(pg_psql bench -c "SHOW server_version")

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

# run ROUND CONFIG: one bench-issuer run into OUT/CONFIG-rROUND.md
run() {
  local round=$1 config=$2 dir=$OUT/state-$2-r$1 args=()
  case $config in
  sqlite) ;;
  pg1 | pg2)
    local db=${config}_r$round
    args=(--database "$(pg_createdb bench "$db")")
    [ "$config" = pg1 ] || args+=(--nodes 2)
    [ -z "$WRITERS" ] || args+=(--writers "$WRITERS")
    args+=(--box 100 --warmup 100)
    ;;
  esac
  say "round $round: $config"
  "$BIN" --seconds "$SECONDS_PER_LEVEL" --levels "$LEVELS" --cards "$CARDS" --dir "$dir" "${args[@]}" \
    >"$OUT/$config-r$round.md" 2>"$OUT/$config-r$round.log" ||
    { say "bench-issuer failed ($config, round $round):"; cat "$OUT/$config-r$round.log" >&2; exit 1; }
  rm -rf "$dir" "$dir".node*
  [ "$config" = sqlite ] || pg_psql bench -c "DROP DATABASE ${config}_r$round" >/dev/null
}

for round in $(seq 1 "$ROUNDS"); do
  for config in sqlite pg1 pg2; do run "$round" "$config"; done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

name() {
  case $1 in
  sqlite) echo "SQLite" ;;
  pg1) echo "PostgreSQL, 1 node" ;;
  pg2) echo "PostgreSQL, 2 nodes" ;;
  esac
}
# the rows of bench-issuer's table: terminals | activations/s | p50 | p99 | requests | errors | batches | reruns
rows() { grep -E '^\| [0-9]+ \|' "$OUT/$1-r$2.md" | tr -d ' ' | sed 's/^|//; s/|$//'; }
# median CONFIG TERMINALS COLUMN: the median of the rounds
median() {
  local r
  for r in $(seq 1 "$ROUNDS"); do rows "$1" "$r" | awk -F'|' -v t="$2" -v c="$3" '$1 == t { print $c }'; done |
    sort -g | awk '{ v[n++] = $1 } END { if (n) print v[int((n - 1) / 2)] }'
}

echo "Command: \`bench/issuer-engines.sh --rounds $ROUNDS --seconds $SECONDS_PER_LEVEL\`$([ -z "$WRITERS" ] || echo " --writers $WRITERS")  "
echo "Tree: commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -z "$(git -C "$ROOT" status --porcelain -- issuer bench 2>/dev/null)" ] || echo ", with uncommitted changes in issuer/ or bench/")  "
echo "Started $STARTED; load average before $LOAD_BEFORE, after $LOAD_AFTER ($(nproc) cores)  "
echo "PostgreSQL $PG_VERSION: $(tr '\n' ' ' <"$OUT/pg-settings.txt")"
echo
echo "| ledger | terminals | activations/s | p50 (ms) | p99 (ms) |"
echo "| --- | --- | --- | --- | --- |"
for config in sqlite pg1 pg2; do
  for t in ${LEVELS//,/ }; do
    echo "| $(name $config) | $t | $(median $config "$t" 2) | $(median $config "$t" 3) | $(median $config "$t" 4) |"
  done
done
echo
echo "Each round (activations/s, p50 ms, p99 ms, errors, batches committed, batch runs redone):"
echo
echo "| round | ledger | terminals | activations/s | p50 (ms) | p99 (ms) | errors | batches | reruns |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq 1 "$ROUNDS"); do
  for config in sqlite pg1 pg2; do
    rows $config "$round" | awk -F'|' -v r="$round" -v n="$(name $config)" \
      '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r, n, $1, $2, $3, $4, $6, $7, $8 }'
  done
done
