#!/usr/bin/env bash
# t2002: reup-print against a private cupsd (tests/tools/cups-sandbox.sh) whose queue
# `cards` copies every document into a folder. Covers: one card (-h and $CUPS_SERVER);
# a 250-card batch in jobs of 50: five documents arrive holding every serial exactly once,
# and the ledger agrees (250 printed, 5 completed jobs of 50 with their CUPS ids); a
# second run is refused, --resume has nothing left, --reprint prints exactly the cards
# named (and counts their second print); an unknown queue (exit 3) and a server that is
# not there (exit 5); the ledger holds no PIN; no temporary file is left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/cups-sandbox.sh"
I=${REUP_ISSUER:?}
P=${REUP_PRINT:?}
S=$T/state
L=$T/ledger.db
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
issuer_init "$S" >/dev/null
"$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" batch create --dir "$S" --plan 1y --count 250 --out "$T/b.csv" >/dev/null
cups_start "$T/cups" || { fail "the private cupsd did not start"; finish; exit 1; }
docs() { ls "$CUPS_DIR"/out/job-*.pdf 2>/dev/null | wc -l; }
# the serials of the batch found in the documents that arrived, one a line, sorted
printed() { cups_printed_serials | grep -Fxf <(tail -n +2 "$T/b.csv" | cut -d, -f1) | sort; }
q() { sqlite3 "$L" "$1"; }

serial=$(sed -n 2p "$T/b.csv" | cut -d, -f1)
pin=$(sed -n 2p "$T/b.csv" | cut -d, -f2)
expect_exit 0 "$P" card --serial "$serial" --pin "$pin" --plan 1y --printer cards -h "$CUPS_HOST"
expect_out "printed card \*+$(echo "$serial" | cut -c13-16) on 'cards'"
expect_eq "$(docs)" 1 "documents after one card"
expect_eq "$(printed)" "$serial" "the card that arrived"
CUPS_SERVER=$CUPS_DIR/sock expect_exit 0 "$P" card --serial "$serial" --pin "$pin" --plan 1y --printer cards
expect_eq "$(docs)" 2 "documents after a card through \$CUPS_SERVER"
rm -f "$CUPS_DIR"/out/job-*.pdf

expect_exit 0 "$P" batch "$T/b.csv" --layout cr80 --printer cards -h "$CUPS_HOST" --job-size 50 --ledger "$L"
expect_out "250 cards sent in 5 jobs this run; 250 printed, 0 to go, 0 possibly printed"
expect_eq "$(docs)" 5 "documents of a 250-card batch in jobs of 50"
tail -n +2 "$T/b.csv" | cut -d, -f1 | sort > "$T/all"
printed > "$T/got"
checks=$((checks + 1))
diff -q "$T/all" "$T/got" >/dev/null || fail "the serials that arrived are not the batch, once each: $(diff "$T/all" "$T/got" | head -5)"
for f in "$CUPS_DIR"/out/job-*.pdf; do
  expect_eq "$(pdfinfo "$f" | awk '/^Pages:/ {print $2}')" 50 "pages of $(basename "$f")"
done
expect_eq "$(q "SELECT status, count(*) FROM card GROUP BY status")" "printed|250" "cards in the ledger"
expect_eq "$(q "SELECT count(*), min(cards), max(cards) FROM job WHERE state = 'completed' AND cups_job > 0")" "5|50|50" "jobs in the ledger"
expect_eq "$(q "SELECT count(DISTINCT job) FROM card")" 5 "cards spread over the jobs"

expect_exit 2 "$P" batch "$T/b.csv" --layout cr80 --printer cards -h "$CUPS_HOST" --ledger "$L"
expect_err "was printed before \(250 printed, 0 to go"
expect_exit 0 "$P" batch "$T/b.csv" --layout cr80 --printer cards -h "$CUPS_HOST" --ledger "$L" --resume
expect_out "0 cards sent in 0 jobs"
expect_eq "$(docs)" 5 "documents after a resume with nothing left"

s2=$(sed -n 3p "$T/b.csv" | cut -d, -f1) s9=$(sed -n 10p "$T/b.csv" | cut -d, -f1)
expect_exit 0 "$P" batch "$T/b.csv" --layout cr80 --printer cards -h "$CUPS_HOST" --ledger "$L" --reprint "$s2,$s9"
expect_out "2 cards sent in 1 jobs"
expect_eq "$(docs)" 6 "documents after a reprint"
expect_eq "$(printed | uniq -d | tr '\n' ' ')" "$(printf '%s\n' "$s2" "$s9" | sort | tr '\n' ' ')" "serials printed twice"
expect_eq "$(q "SELECT count(*) FROM card WHERE prints = 2")" 2 "cards with a second print"
expect_exit 2 "$P" batch "$T/b.csv" --layout cr80 --printer cards -h "$CUPS_HOST" --ledger "$L" --reprint 4242999999999991
expect_err "not in batch B000001"

expect_exit 3 "$P" batch "$T/b.csv" --layout cr80 --printer nosuch -h "$CUPS_HOST" --ledger "$T/l2.db"
expect_err "there is no print queue 'nosuch'"
free_port=$((CUPS_PORT + 1))
expect_exit 5 "$P" card --serial "$serial" --pin "$pin" --plan 1y --printer cards -h "127.0.0.1:$free_port"
expect_err "cannot be reached"

checks=$((checks + 1))
leaked=0
for p in $(tail -n +2 "$T/b.csv" | cut -d, -f2); do grep -qa "$p" "$L" && leaked=$((leaked + 1)); done
[ "$leaked" -eq 0 ] || fail "$leaked PINs are in the print ledger"
checks=$((checks + 1))
[ -z "$(ls -A "$TMPDIR")" ] || fail "temporary files left: $(ls -A "$TMPDIR")"
finish
