#!/usr/bin/env bash
# t0002: tools/card-life.sh, the README's first command (`./setup.sh run` runs it after the
# build), on the programs of this build. Covers: the whole life in under 60 s (wall time),
# exit 0; each document it names is there and is a PDF with the right text: the sheet of
# ten cards with the card sold on it, the on-demand card, two receipts with the masked
# serials, amounts and change; the Z report's totals; the locator's answer for Rock
# Springs, WY; the card sold is redeemed through the issuer's redemption page, whose
# answer is kept without a PIN (also at the issuer's ledger kept with --keep); its working
# files removed, nothing it started left running. Failures: a build folder without
# the programs (exit 2, nothing made); a till that fails mid-way, with cupsd and the issuer
# running (its exit code, the step and its log named, everything stopped); Ctrl-C to its
# process group mid-way (exit 130, everything stopped); a bad argument.
. "$(dirname "$0")/lib.sh"
LIFE=$REUP_SOURCE_DIR/tools/card-life.sh
B=$(dirname "$(dirname "$REUP_ISSUER")")
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
# running DIR: the processes whose command line names DIR (cupsd's configuration, the
# issuer's state folder), one a line
running() { pgrep -af -- "$1" | grep -v pgrep || true; }
expect_nothing_running() {
  checks=$((checks + 1))
  local left
  left=$(running "$1")
  [ -z "$left" ] || fail "$2: still running: $left"
}
pdftext() { pdftotext -layout "$1" - 2>/dev/null; }
is_pdf() { checks=$((checks + 1)); [ "$(head -c 5 "$1" 2>/dev/null)" = "%PDF-" ] && pdfinfo "$1" >/dev/null 2>&1 || fail "$1 is not a PDF"; }
has_text() { checks=$((checks + 1)); pdftext "$1" | grep -Eq -- "$2" || fail "$(basename "$1") lacks /$2/: $(pdftext "$1" | head -c 300)"; }

# the whole life
O=$T/life
t0=$(date +%s%N)
run bash "$LIFE" --out "$O" "$B"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "card-life: exit $rc in $ms ms"
expect_eq "$rc" 0 "exit of the whole life (stderr: $(head -c 600 "$T/err"))"
checks=$((checks + 1)); [ "$ms" -lt 60000 ] || fail "the whole life took $ms ms, not under a minute"
cp "$T/out" "$T/life.out"
serial=$(sed -n 's/.*the card sold, \([0-9]\{16\}\), at the issuer: \(.*\)$/\1/p' "$T/life.out")
state=$(sed -n 's/.*the card sold, [0-9]\{16\}, at the issuer: \(.*\)$/\1/p' "$T/life.out")
checks=$((checks + 1)); [[ $serial =~ ^4242[0-9]{12}$ ]] || fail "no serial of the card sold in: $(tail -n 15 "$T/life.out")"
expect_eq "$state" redeemed "the sold card's final state as told"
expect_out '"status":"redeemed"'
expect_out "1 year of service added to alice@example\.com\. Your subscription now runs until [A-Z][a-z]+ [0-9]{1,2}, [0-9]{4}\."
expect_out "$O/redeemed\.html"
checks=$((checks + 1))
grep -q '<p class="added">1 year of service added to alice@example.com.</p>' "$O/redeemed.html" ||
  fail "the redemption page's answer: $(sed -n '/<main>/,/<\/main>/p' "$O/redeemed.html" | head -c 400)"
checks=$((checks + 1))
! grep -q 'name="pin"' "$O/redeemed.html" || fail "the page kept holds a PIN field"
expect_out "http://127\.0\.0\.1:8080/\?q=Rock\+Springs%2C\+WY"
expect_out "reup-locate serve"
grouped=$(echo "$serial" | sed 's/\(....\)\(....\)\(....\)\(....\)/\1 \2 \3 \4/')
for f in cards-sheet.pdf counter-card.pdf receipt-sale-1.pdf receipt-sale-2.pdf; do
  expect_out "$O/$f"
  is_pdf "$O/$f"
done
expect_eq "$(pdfinfo "$O/cards-sheet.pdf" | awk '/^Pages:/ {print $2}')" 1 "pages of the sheet"
expect_eq "$(pdftext "$O/cards-sheet.pdf" | grep -oE '4242 [0-9]{4} [0-9]{4} [0-9]{4}' | sort -u | wc -l)" 10 "cards on the sheet"
has_text "$O/cards-sheet.pdf" "$grouped"
has_text "$O/cards-sheet.pdf" "1 year of service"
has_text "$O/counter-card.pdf" "3 months of service"
has_text "$O/counter-card.pdf" "PIN"
od=$(pdftext "$O/counter-card.pdf" | grep -oE '4242 [0-9]{4} [0-9]{4} [0-9]{4}' | tr -d ' ')
checks=$((checks + 1)); [[ $od =~ ^4242[0-9]{12}$ && $od != "$serial" ]] || fail "the counter card's serial: '$od'"
expect_out "made a new card \(serial ending ${od:12:4}\)"
has_text "$O/receipt-sale-1.pdf" "Card +\*{12}${serial:12:4}"
has_text "$O/receipt-sale-1.pdf" "Amount USD 39\.99"
has_text "$O/receipt-sale-1.pdf" "Walmart Supercenter in Rock Springs"
has_text "$O/receipt-sale-1.pdf" "Store WM03813 Terminal T1"
has_text "$O/receipt-sale-1.pdf" "Change 10\.01"
has_text "$O/receipt-sale-2.pdf" "Card +\*{12}${od:12:4}"
has_text "$O/receipt-sale-2.pdf" "plan 3m"
has_text "$O/receipt-sale-2.pdf" "Amount USD 12\.99"
checks=$((checks + 1))
! pdftext "$O/receipt-sale-1.pdf" | grep -q "$serial" || fail "a receipt shows the whole serial"
expect_out "$O/z-report-1\.json"
run jq . "$O/z-report-1.json"
expect_jq '.z_number == 1 and .training == false and .sales_count == 2 and .sales_cents == 5298'
expect_jq '.expected_cash_cents == 15298 and .counted_cash_cents == 15298 and .over_short_cents == 0'
expect_jq '.by_plan == [{"plan":"1y","count":1,"cents":3999},{"plan":"3m","count":1,"cents":1299}]'
checks=$((checks + 1)); grep -q "expected cash       USD 152.98" "$O/z-report-1.txt" || fail "the Z report's text: $(cat "$O/z-report-1.txt")"
checks=$((checks + 1)); grep -Eq '^ +\| +1 +Walmart Supercenter in Rock Springs' "$T/life.out" ||
  fail "the locator's answer for Rock Springs, WY is not shown: $(grep -A3 'Rock Springs, WY\.' "$T/life.out")"
checks=$((checks + 1)); grep -q "the first is the store whose till sold the cards above" "$T/life.out" ||
  fail "the locator's first store is not the one that sold the card"
checks=$((checks + 1)); [ ! -e "$O/work" ] || fail "the working files are left: $(ls "$O/work")"
checks=$((checks + 1)); [ "$(stat -c %a "$O")" = 700 ] || fail "the folder of printed PINs is mode $(stat -c %a "$O")"
expect_nothing_running "$O" "after the whole life"
# the story, not a wall of logs: numbered steps of a line or two each
checks=$((checks + 1)); [ "$(wc -l <"$T/life.out")" -le 60 ] || fail "$(wc -l <"$T/life.out") lines of output"

# --keep: the issuer's own ledger says the sold card is redeemed, the on-demand one active
expect_exit 0 bash "$LIFE" --keep --out "$T/kept" "$B"
s=$(sed -n 's/.*the card sold, \([0-9]\{16\}\),.*/\1/p' "$T/out")
expect_exit 0 "$REUP_ISSUER" card show "$s" --dir "$T/kept/work/issuer"
expect_jq '.status == "redeemed" and .store_id == "WM03813"'
expect_exit 0 "$REUP_ISSUER" card show "$od" --dir "$T/kept/work/issuer"
expect_jq '.status == "active" and .plan == "3m"'
expect_nothing_running "$T/kept" "after a kept run"
# no PIN in what it says or logs: the batch's (the batch file kept) and the counter card's
pdftoppm -r 300 -png "$T/kept/counter-card.pdf" "$T/od"
od_pin=$(zbarimg -q --raw "$T"/od*.png 2>/dev/null | sed -n 's/.*pin=\([0-9]*\).*/\1/p')
checks=$((checks + 1)); [[ $od_pin =~ ^[0-9]{16}$ ]] || fail "no PIN in the counter card's QR code: '$od_pin'"
checks=$((checks + 1))
{ echo "$od_pin"; tail -n +2 "$T/kept/work/batch.csv" | cut -d, -f2; } >"$T/pins"
found=$(grep -rlaF -f "$T/pins" "$T/kept/logs" "$T/out" "$T/err" 2>/dev/null)
[ -z "$found" ] || fail "a PIN is in: $found"

# a build folder without the programs: refused before anything is made
mkdir -p "$T/empty/bin"
expect_exit 2 bash "$LIFE" --out "$T/o-empty" "$T/empty"
expect_err "$T/empty/bin/reup-issuer' is missing or not executable: build first"
checks=$((checks + 1)); [ ! -e "$T/o-empty" ] || fail "a refused run made its folder"
expect_exit 2 bash "$LIFE" --nosuch
expect_err "usage: tools/card-life.sh"

# a till that fails mid-way (exit 7), cupsd and the issuer running: the step, its log,
# the till's exit code, and everything stopped
mkdir -p "$T/bad/bin"
for p in reup-issuer reup-print reup-locate; do ln -s "$B/bin/$p" "$T/bad/bin/$p"; done
printf '#!/bin/sh\necho "reup-pos: the journal cannot be opened" >&2\nexit 7\n' >"$T/bad/bin/reup-pos"
chmod +x "$T/bad/bin/reup-pos"
expect_exit 7 bash "$LIFE" --out "$T/o-bad" "$T/bad"
expect_err "step 5 \(till\) failed: 'reup-pos cashier add' exited with 7"
expect_err "its log: $T/o-bad/logs/05-till\.log"
expect_err "the journal cannot be opened"
expect_out "cupsd 127\.0\.0\.1:[0-9]+ \(pid [0-9]+\)"
expect_out "https://127\.0\.0\.1:[0-9]+ \(pid"
checks=$((checks + 1)); [ -f "$T/o-bad/logs/05-till.log" ] || fail "the failed step's log is missing"
checks=$((checks + 1)); [ ! -e "$T/o-bad/work" ] || fail "a failed run left its working files"
expect_nothing_running "$T/o-bad" "after a failed step"

# Ctrl-C while the till works (its own process group, as at a terminal): exit 130,
# everything stopped
printf '#!/bin/sh\nexec sleep 30\n' >"$T/bad/bin/reup-pos"
# (env: a command started with & ignores SIGINT, and a shell cannot trap what it
# was started ignoring)
setsid env --default-signal=INT bash "$LIFE" --out "$T/o-int" "$T/bad" >"$T/int.out" 2>"$T/int.err" &
pid=$!
on_exit 'kill -KILL -- -"$pid"'
for _ in $(seq 1 600); do grep -q "^5\. " "$T/int.out" && break; sleep 0.05; done
sleep 0.3
checks=$((checks + 1)); [ -n "$(running "$T/o-int/work/cups")" ] || fail "no cupsd while the till works: $(cat "$T/int.out" "$T/int.err")"
kill -INT -- -"$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "$rc" 130 "exit after Ctrl-C"
checks=$((checks + 1)); grep -q "card-life: stopped by Ctrl-C during step 5 (till); what it started is stopped" "$T/int.err" ||
  fail "what Ctrl-C says: $(cat "$T/int.err")"
expect_nothing_running "$T/o-int" "after Ctrl-C"
checks=$((checks + 1)); [ ! -e "$T/o-int/work" ] || fail "Ctrl-C left the working files"
checks=$((checks + 1)); [ -d "$T/o-int/logs" ] || fail "Ctrl-C removed the logs"
finish
