#!/usr/bin/env bash
# t2003: printing faults against a private cupsd whose backend fails on demand. Each
# case prints a 250-card batch in jobs of 50 and breaks it at job 3 (2 for the server):
# - the queue stops (as cupsdisable does) with the job waiting: exit 6, the job is
#   cancelled, the ledger shows exactly the 100 cards that printed; cupsenable and
#   --resume finish the batch, every serial once; the same when it runs out of media,
#   told in plain words;
# - the queue stops accepting jobs: exit 6 with the reason; cupsaccept, --resume;
# - the device fails the job (held for retry; aborted under printer-error-policy
#   abort-job): exit 6; --resume;
# - cupsd killed with a job in flight: exit 5, that job's cards "possibly printed";
#   after a restart, --resume lists them and does not print them (the server ran the
#   job again by itself: every serial once), --reprint prints exactly those named; the
#   ledger took nothing from the CUPS job id, which the restarted server reports as done.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/cups-sandbox.sh"
I=${REUP_ISSUER:?}
P=${REUP_PRINT:?}
S=$T/state
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
issuer_init "$S" >/dev/null
"$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" batch create --dir "$S" --plan 1y --count 250 --out "$T/b.csv" >/dev/null
tail -n +2 "$T/b.csv" | cut -d, -f1 | sort > "$T/all"
cups_start "$T/cups" || { fail "the private cupsd did not start"; finish; exit 1; }
printed() { cups_printed_serials | grep -Fxf "$T/all" | sort; }
status() { sqlite3 "$L" "SELECT status || ':' || count(*) FROM card GROUP BY status ORDER BY status" | tr '\n' ' '; }
sock=$CUPS_DIR/sock

# fresh CASE [FAULT]: a new ledger, an empty output folder, the backend's count reset
fresh() {
  L=$T/ledger-$1.db
  rm -f "$CUPS_DIR"/out/job-*.pdf "$CUPS_DIR/count" "$CUPS_DIR/hanging"
  printf '%s\n' "${2:-}" > "$CUPS_DIR/fault"
}
batch() { expect_exit "$1" "$P" batch "$T/b.csv" --layout cr80 --printer cards -h "$CUPS_HOST" --job-size 50 --ledger "$L" "${@:2}"; }
all_once() {
  printed > "$T/got"
  checks=$((checks + 1))
  diff -q "$T/all" "$T/got" >/dev/null || fail "$1: not every serial once: $(diff "$T/all" "$T/got" | head -4)"
}

# 1. the queue stops with the job waiting
fresh stop "3 stop"
batch 6
expect_err "printing stopped: job 3 \(50 cards\) did not print: .*stopped"
expect_err "the job was cancelled"
expect_err "--resume"
expect_eq "$(status)" "failed:50 pending:100 printed:100 " "ledger after the stop"
expect_eq "$(printed | wc -l)" 100 "cards that arrived before the stop"
expect_eq "$(lpstat -h "$sock" -o cards | wc -l)" 0 "jobs left waiting in the queue"
cupsenable -h "$sock" cards
batch 0 --resume
expect_out "150 cards sent in 3 jobs this run; 250 printed, 0 to go"
all_once "stop, then resume"

# 1b. the printer runs out of card stock: told in plain words
fresh media "3 media"
batch 6
expect_err "job 3 \(50 cards\) did not print: .*out of media"
expect_eq "$(status)" "failed:50 pending:100 printed:100 " "ledger after running out of media"
cupsenable -h "$sock" cards
batch 0 --resume
all_once "out of media, then resume"

# 2. the queue stops accepting jobs after job 2
fresh reject "2 reject"
batch 6
expect_err "not accepting jobs"
expect_eq "$(status)" "failed:50 pending:100 printed:100 " "ledger after the queue rejected"
cupsaccept -h "$sock" cards
batch 0 --resume
all_once "reject, then resume"

# 3. the device fails job 3 (default policy: the job is held for a retry)
fresh fail "3 fail"
batch 6
expect_err "job 3 \(50 cards\) did not print: .*(failed|held|device)"
expect_eq "$(status)" "failed:50 pending:100 printed:100 " "ledger after a failed job"
cupsenable -h "$sock" cards
batch 0 --resume
all_once "failed job, then resume"

# 3b. the same under printer-error-policy abort-job
lpadmin -h "$sock" -p cards -o printer-error-policy=abort-job
fresh abort "3 fail"
batch 6
expect_err "job 3 \(50 cards\) did not print: .*abort"
expect_eq "$(status)" "failed:50 pending:100 printed:100 " "ledger after an aborted job"
cupsenable -h "$sock" cards
batch 0 --resume
all_once "aborted job, then resume"
lpadmin -h "$sock" -p cards -o printer-error-policy=retry-job

# 4. cupsd killed with job 2 in flight
fresh kill "2 hang"
"$P" batch "$T/b.csv" --layout cr80 --printer cards -h "$CUPS_HOST" --job-size 50 --ledger "$L" > "$T/kill.out" 2> "$T/kill.err" &
printer=$!
on_exit 'kill -KILL "${printer:-}"'
for _ in $(seq 1 200); do [ -e "$CUPS_DIR/hanging" ] && break; sleep 0.05; done
checks=$((checks + 1)); [ -e "$CUPS_DIR/hanging" ] || fail "job 2 never reached the device"
cups_kill9
rc=0; wait "$printer" || rc=$?
expect_eq "$rc" 5 "exit code when cupsd dies mid-job"
checks=$((checks + 1))
grep -q "job 2 (50 cards) may or may not have printed" "$T/kill.err" || fail "no clear message: $(cat "$T/kill.err")"
expect_eq "$(status)" "pending:150 possibly_printed:50 printed:50 " "ledger after cupsd died"
sqlite3 "$L" "SELECT serial FROM card WHERE status = 'possibly_printed' ORDER BY seq" > "$T/possibly"
cups_restart || fail "cupsd did not come back"
# with DirtyCleanInterval 0 the restarted server runs job 2 again by itself
for _ in $(seq 1 100); do [ "$(ls "$CUPS_DIR"/out/job-*.pdf 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done
batch 0 --resume
expect_err "possibly printed: $(head -1 "$T/possibly") \(job 2\)"
expect_eq "$(grep -c '^possibly printed: ' "$T/err")" 50 "cards listed as possibly printed"
expect_err "50 cards are possibly printed: check the printed stock"
expect_out "150 cards sent in 3 jobs this run; 200 printed, 0 to go, 50 possibly printed"
all_once "cupsd killed, restarted, resume"
# the server says CUPS job 2 completed; the ledger did not take that as our job 2
expect_eq "$(sqlite3 "$L" "SELECT state FROM job WHERE id = 2")" unknown "state of the job in flight"
p1=$(sed -n 1p "$T/possibly") p2=$(sed -n 2p "$T/possibly")
batch 0 --reprint "$p1,$p2"
expect_out "2 cards sent in 1 jobs"
expect_eq "$(printed | uniq -d | tr '\n' ' ')" "$(printf '%s\n' "$p1" "$p2" | sort | tr '\n' ' ')" "cards printed again"
expect_eq "$(sqlite3 "$L" "SELECT count(*) FROM card WHERE status = 'possibly_printed'")" 48 "possibly printed after the reprint"
checks=$((checks + 1))
[ -z "$(ls -A "$TMPDIR")" ] || fail "temporary files left: $(ls -A "$TMPDIR")"
finish
