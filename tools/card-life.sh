#!/usr/bin/env bash
# tools/card-life.sh - a card's whole life, start to end, on this machine in well under a
# minute: what `./setup.sh run` shows a newcomer.
#
#   tools/card-life.sh [--out DIR] [--keep] [BUILD_DIR]      (BUILD_DIR: default build)
#
# An issuer with two plans and a batch of ten cards; the batch printed as a sheet of card
# stock through a private cupsd; `reup-issuer serve` on loopback; a till (`reup-pos`) that
# opens a shift, sells a card of the sheet for cash and an on-demand card, its receipts and
# the on-demand card printed through the same cupsd; the customer redeeming the PIN scanned
# from the printed card; the Z report; a customer's "enter your city" query of the store
# locator. Everything runs as the calling user (root or not) in a fresh folder (DIR with
# --out, else a new /tmp/reup-card-life.XXXXXX); what it started (cupsd, the issuer) is
# stopped on every path, Ctrl-C included. The folder keeps the printed documents, the Z
# report and the logs; the working files (the issuer's state, the till's journal and
# configuration, cupsd's spool) are removed, or kept in DIR/work with --keep.
# Exit 0: the card's life went as told; 2: bad arguments or build folder; 4: a program the
# run needs is missing; 7: no folder could be made; otherwise the exit code of the step
# that failed (130 after Ctrl-C), whose name and log are on standard error.
set -uo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { echo "usage: tools/card-life.sh [--out DIR] [--keep] [BUILD_DIR]" >&2; exit 2; }
out='' build='' keep=''
while [ $# -gt 0 ]; do
  case $1 in
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) [ -z "$build" ] || usage; build=$1; shift ;;
  esac
done
build=${build:-$src/build}
shown_build=$build # as the caller typed it, for the commands shown at the end

# A build folder without the four programs is refused before anything starts.
for p in reup-issuer reup-print reup-pos reup-locate; do
  if [ ! -x "$build/bin/$p" ]; then
    echo "card-life: '$build/bin/$p' is missing or not executable: build first (./setup.sh build)" >&2
    exit 2
  fi
done
build=$(cd "$build" && pwd)
I=$build/bin/reup-issuer P=$build/bin/reup-print POS_BIN=$build/bin/reup-pos L=$build/bin/reup-locate
for t in cupsd:cups-daemon lpadmin:cups-client lpstat:cups-client pdftoppm:poppler-utils \
  pdftotext:poppler-utils zbarimg:zbar-tools curl:curl jq:jq; do
  command -v "${t%%:*}" >/dev/null 2>&1 ||
    { echo "card-life: ${t%%:*} is missing: apt-get install ${t#*:} (or run ./setup.sh)" >&2; exit 4; }
done

if [ -n "$out" ]; then
  mkdir -p "$out" && [ -z "$(ls -A "$out")" ] ||
    { echo "card-life: --out '$out' must be a new or empty folder" >&2; exit 2; }
  out=$(cd "$out" && pwd)
else
  out=$(mktemp -d "${TMPDIR:-/tmp}/reup-card-life.XXXXXX") ||
    { echo "card-life: cannot make a folder under ${TMPDIR:-/tmp}" >&2; exit 7; }
fi
chmod 0700 "$out" # the printed cards carry PINs
W=$out/work
mkdir -p "$W/tmp" "$out/logs"
export TMPDIR=$W/tmp
# the issuer started here is no service: it must not report readiness to a systemd that
# runs this script
unset NOTIFY_SOCKET

# Whatever starts below is stopped when the script ends, however it ends (on_exit runs
# the last registered first): cupsd, then the issuer, then its log is kept and W removed.
. "$src/tests/tools/on-exit.sh"
[ -n "$keep" ] || on_exit 'rm -rf "$W"'
on_exit 'cp -r "$W/cups/log" "$out/logs/cups" 2>/dev/null'
# Ctrl-C, kill, a closed terminal: end through the EXIT trap, so the same clean-up runs.
# A trap runs inside the redirections of the shell function it interrupts (a step's log):
# fd 9 is the script's own standard error (closed for cupsd and the issuer, which outlive
# the steps that start them).
exec 9>&2
stopped() {
  local m="card-life: stopped by $1 during step ${n:-0} (${STEP:-start}); what it started is stopped, the logs are in $out/logs"
  { echo "$m" >&9; } 2>/dev/null || echo "$m" >&2
  exit "$2"
}
trap 'stopped Ctrl-C 130' INT
trap 'stopped SIGTERM 143' TERM
trap 'stopped SIGHUP 129' HUP
. "$src/tests/tools/cups-sandbox.sh"

# say TEXT: one line of the story. step NAME TEXT: the next step, its log logs/NN-NAME.log
n=0 STEP='' LOG=''
say() { printf '   %s\n' "$*"; }
step() {
  n=$((n + 1)) STEP=$1 LOG=$out/logs/$(printf '%02d' "$n")-$1.log
  printf '%d. %s\n' "$n" "$2"
}
# failed [CODE] WHY: the step did not go as told; ends the run with CODE (default 1)
failed() {
  local code=1
  case $1 in [0-9]*) code=$1; shift ;; esac
  [ "$code" -ne 0 ] || code=1
  echo "card-life: step $n ($STEP) failed: $*" >&2
  [ ! -s "$LOG" ] || { echo "  its log: $LOG; the last lines:" >&2; tail -n 5 "$LOG" | sed 's/^/    /' >&2; }
  echo "  every log is in $out/logs" >&2
  exit "$code"
}
# cmdname CMD...: the command as a person names it: reup-pos cashier add
cmdname() {
  local w a
  w=$(basename "$1")
  shift
  [ "${1:-}" != --config ] || shift 2
  for a in "$@"; do
    case $a in -* | /*) break ;; esac
    w+=" $a"
  done
  echo "$w"
}
# x CMD...: runs CMD, its output and errors appended to the step's log; a failure ends the run
x() {
  local rc=0
  { echo "\$ $*"; "$@"; } >>"$LOG" 2>&1 || rc=$?
  [ $rc -eq 0 ] || failed $rc "'$(cmdname "$@")' exited with $rc"
}
# xo FILE CMD...: as x, standard output into FILE
xo() {
  local f=$1 rc=0
  shift
  { echo "\$ $* > $(basename "$f")"; "$@" >"$f"; } >>"$LOG" 2>&1 || rc=$?
  [ $rc -eq 0 ] || failed $rc "'$(cmdname "$@")' exited with $rc"
}
# printed QUEUE NAME: moves the one document that reached QUEUE since the last call to
# $out/NAME, and prints that path
printed() {
  local f
  f=$(ls "$CUPS_DIR"/out/job-*-"$1".pdf 2>/dev/null | head -n 1)
  [ -n "$f" ] || failed "nothing arrived on the print queue '$1'"
  mv "$f" "$out/$2" && chmod 0600 "$out/$2" && echo "$out/$2"
}
# scan IMAGE SYMBOLOGY: what zbarimg reads in IMAGE of one kind of code (qrcode, code128)
scan() { zbarimg -q --nodbus --raw -Sdisable "-S$2.enable" "$1" 2>>"$LOG"; }
# money CENTS: 3999 -> 39.99
money() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

started=$(date +%s%N)
echo "A Re-Up card's whole life, in $out"

step issuer "The issuer sets up: a state folder, two plans and a batch of ten cards."
S=$W/issuer
x "$I" init --dir "$S"
x "$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD
x "$I" plan add --dir "$S" --code 3m --months 3 --price 1299 --currency USD
x "$I" batch create --dir "$S" --plan 1y --count 10 --out "$W/batch.csv"
batch=$(sed -n 2p "$W/batch.csv" | cut -d, -f4)
say "plans 1y (12 months, USD 39.99) and 3m (3 months, USD 12.99); batch $batch: 10 cards, issued, worth nothing until a till sells them"

step cupsd "A private print server (cupsd) starts, its printers saving each document as a PDF."
cups_start "$W/cups" >>"$LOG" 2>&1 9>&- || failed "cupsd did not start (its log: $out/logs/cups/error_log)"
for q in receipts stock; do cups_add_queue "$q" >>"$LOG" 2>&1 || failed "lpadmin could not add the queue $q"; done
say "cupsd $CUPS_HOST (pid $CUPSD_PID), queues: stock (card stock), cards (the counter's card printer), receipts"

step print "The batch is printed as a sheet of card stock (A4, ten cards) through CUPS."
x "$P" batch "$W/batch.csv" --layout sheet-a4-10 --printer stock -h "$CUPS_HOST" --ledger "$W/print-ledger.db"
sheet=$(printed stock cards-sheet.pdf) || exit $?
say "$(pdfinfo "$sheet" 2>/dev/null | awk '/^Pages:/ {print $2}') page(s): $sheet"

step serve "The issuer's activation host starts on loopback (HTTPS, its own certificate)."
"$I" serve --dir "$S" --listen 127.0.0.1:0 --shutdown-timeout 1 >"$W/serve.out" 2>>"$out/logs/issuer-serve.log" 9>&- &
ISSUER_PID=$!
# issuer_stop: SIGTERM and the shutdown it starts (a second for requests in flight)
issuer_stop() { stop_process "${ISSUER_PID:-}" 5; ISSUER_PID=; }
on_exit issuer_stop
port=
for _ in $(seq 1 400); do
  port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$W/serve.out" 2>/dev/null | head -n 1)
  [ -z "$port" ] || break
  kill -0 "$ISSUER_PID" 2>/dev/null || break
  sleep 0.05
done
LOG=$out/logs/issuer-serve.log
[ -n "$port" ] || failed "reup-issuer serve did not start"
url=https://127.0.0.1:$port
say "$url (pid $ISSUER_PID), certificate $S/tls/cert.pem"

step till "A store's till is set up: Walmart Supercenter in Rock Springs, WY (store WM03813), terminal T1."
xo "$W/t1.json" "$I" terminal add --dir "$S" --store WM03813 --terminal T1
chmod 0600 "$W/t1.json"
cat >"$W/pos.conf" <<CONF
[store]
; the store of the shipped store list that reup-locate finds first for Rock Springs, WY
id = WM03813
terminal = T1
currency = USD
name = Walmart Supercenter in Rock Springs
address = 201 Gateway Blvd, Rock Springs, WY 82901
[issuer]
url = $url
credentials = t1.json
ca = issuer/tls/cert.pem
[printers]
; the private cupsd above: the counter's card printer and the receipt printer
server = $CUPS_HOST
card = cards
receipt = receipts
[journal]
path = pos.db
CONF
chmod 0600 "$W/pos.conf"
POS=("$POS_BIN" --config "$W/pos.conf")
x "${POS[@]}" cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<<4321
x "${POS[@]}" shift open --cashier 1001 --pin - --float 100.00 <<<4321
say "Maria Jensen (manager) opens shift 1 with USD 100.00 in the drawer; a real shift, not training"

step sell "The cashier scans the barcode of the sheet's first card; the customer pays USD 39.99 with a 50."
# the card as the cashier holds it: the top left card of the sheet, its barcode scanned
# (A4 is 595.28 x 841.89 pt; the 2 x 5 cards of 85.6 x 54 mm are centred, edge to edge)
x pdftoppm -r 300 -png -f 1 -l 1 -x 229 -y 159 -W 1011 -H 638 "$sheet" "$W/card1"
card_png=$(ls "$W"/card1*.png)
serial=$(scan "$card_png" code128)
[[ $serial =~ ^[0-9]{16}$ ]] || failed "no serial in the barcode of the sheet's first card: '$serial'"
xo "$W/sale1.json" "${POS[@]}" sell --serial "$serial" --cash 50 --json
jq -e '.status == "approved"' "$W/sale1.json" >/dev/null || failed "the sale was not approved: $(cat "$W/sale1.json")"
receipt1=$(printed receipts receipt-sale-1.pdf) || exit $?
say "card ${serial:0:4} ${serial:4:4} ${serial:8:4} ${serial:12:4}: approved, auth code $(jq -r .auth_code "$W/sale1.json"), change USD $(money "$(jq -r .change_cents "$W/sale1.json")"); now $("$I" card show "$serial" --dir "$S" | jq -r .status) at the issuer"
say "receipt: $receipt1"

step on-demand "A second customer buys a 3-month card (USD 12.99), printed at the counter, and pays with a 20."
xo "$W/sale2.json" "${POS[@]}" sell --on-demand 3m --cash 20 --json
jq -e '.status == "approved"' "$W/sale2.json" >/dev/null || failed "the on-demand sale was not approved: $(cat "$W/sale2.json")"
counter_card=$(printed cards counter-card.pdf) || exit $?
receipt2=$(printed receipts receipt-sale-2.pdf) || exit $?
say "approved, change USD $(money "$(jq -r .change_cents "$W/sale2.json")"); the issuer made a new card (serial ending $(jq -r .serial "$W/sale2.json" | tail -c 5)) and sent its PIN once, straight to the printer"
say "card: $counter_card; receipt: $receipt2"

step redeem "The first customer scans the QR code on the card with a phone and redeems the PIN on the issuer's page."
qr=$(scan "$card_png" qrcode)
pin=${qr##*pin=}
[[ $pin =~ ^[0-9]{16}$ ]] || failed "no PIN in the QR code of the sheet's first card: '$qr'"
# the page the code opens (the card's template names my.example.com: here, this issuer),
# as a browser with JavaScript off uses it: the form, then its post with the page's token
echo "\$ curl --cacert issuer/tls/cert.pem '$url/redeem?pin=************${pin:12:4}'" >>"$LOG"
code=$(curl -sS -o "$W/redeem-form.html" -w '%{http_code}' --cacert "$S/tls/cert.pem" -c "$W/cookies" \
  -K - 2>>"$LOG" <<<"url = \"$url/redeem?pin=$pin\"") || failed "curl could not reach $url"
[ "$code" = 200 ] || failed "the redemption page answered $code"
token=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$W/redeem-form.html")
echo "\$ curl --cacert issuer/tls/cert.pem -b cookies -d csrf=$token -d pin=************${pin:12:4} -d account=alice@example.com $url/redeem" >>"$LOG"
code=$(printf '%s' "$pin" | curl -sS -o "$out/redeemed.html" -w '%{http_code}' --cacert "$S/tls/cert.pem" \
  -b "$W/cookies" --data-urlencode "csrf=$token" --data-urlencode "pin@-" \
  --data-urlencode "account=alice@example.com" "$url/redeem" 2>>"$LOG") || failed "curl could not reach $url"
[ "$code" = 200 ] || failed "the redemption page answered $code: $(sed -n 's/.*class="error"[^>]*>\(.*\)<\/p>.*/\1/p' "$out/redeemed.html")"
say "PIN ************${pin:12:4} from the QR code, GET and POST $url/redeem: 200, the page says"
say "$(sed -n 's/.*<p class="added">\(.*\)<\/p>.*/\1/p' "$out/redeemed.html") $(sed -n 's/.*<p class="expires">\(.*\)<\/p>.*/\1/p' "$out/redeemed.html")"

step close "The shift closes: the cash in the drawer counted, the Z report."
z=$out/z-report-1.json
xo "$z" "${POS[@]}" shift close --counted 152.98 --json
jq -e '.z_number == 1' "$z" >/dev/null || failed "no Z report: $(cat "$z")"
# the Z report as a slip to read too, in the till's currency (USD, pos.conf above)
jq -r 'def usd: (if . < 0 then "-" else "" end) as $sign | (if . < 0 then -. else . end) as $c |
    "USD \($sign)\($c / 100 | floor).\($c % 100 | tostring | if length < 2 then "0" + . else . end)";
  "Z report \(.z_number): shift \(.shift_id), cashier \(.cashier)\(if .training then ", TRAINING" else "" end)",
  "opened \(.opened_at), closed \(.closed_at)",
  "sales           \(.sales_count)   \(.sales_cents | usd)",
  (.by_plan[] | "  plan \(.plan)       \(.count)   \(.cents | usd)"),
  "voids           \(.voids_count)   \(.voids_cents | usd)",
  "float               \(.float_cents | usd)",
  "expected cash       \(.expected_cash_cents | usd)",
  "counted cash        \(.counted_cash_cents | usd)",
  "over/short          \(.over_short_cents | usd)",
  "journal head \(.journal_head.seq):\(.journal_head.hash)"' "$z" >"$out/z-report-1.txt" 2>>"$LOG" ||
  failed "the Z report cannot be read: $(cat "$z")"
say "Z report 1: $(sed -n 's/^sales *//p' "$out/z-report-1.txt" | tr -s ' ' | sed 's/ / sales, /'), cash $(sed -n 's/^counted cash *//p' "$out/z-report-1.txt") counted, over/short $(sed -n 's/^over\/short *//p' "$out/z-report-1.txt")"
say "reup-pos gives the Z report as JSON (it sends none to a printer): $z"

step locate "A customer looking for a store is asked \"enter your city\" and types: Rock Springs, WY."
xo "$W/locate.txt" "$L" "Rock Springs, WY"
say "reup-locate \"Rock Springs, WY\" (the default store database) answers:"
head -n 8 "$W/locate.txt" | sed 's/^/   | /'
! grep -Eq '^ +1 +Walmart Supercenter in Rock Springs ' "$W/locate.txt" ||
  say "the first is the store whose till sold the cards above"

step summary "Where everything is."
state=$("$I" card show "$serial" --dir "$S" | jq -c .)
[ "$(jq -r .status <<<"$state")" = redeemed ] || failed "the card is not redeemed at the issuer: $state"
issuer_stop
cups_stop
elapsed=$((($(date +%s%N) - started) / 1000000))
cat <<END
   the sheet of cards (card stock):  $sheet
   the card printed at the counter:  $counter_card
   the receipts:                     $receipt1
                                     $receipt2
   the Z report:                     $z (and as text: $out/z-report-1.txt)
   the redemption page's answer:     $out/redeemed.html
   the logs:                         $out/logs
   the card sold, $serial, at the issuer: $(jq -r .status <<<"$state")
     $state
   the store locator's map: run $shown_build/bin/reup-locate serve, then open
     http://127.0.0.1:8080/?q=Rock+Springs%2C+WY
Done in $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000))) s. cupsd and the issuer are stopped; the folder
$out stays: delete it when done (the cards in it hold PINs).
END
