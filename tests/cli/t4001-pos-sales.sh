#!/usr/bin/env bash
# t4001: reup-pos end to end against the real issuer over TLS and a private cupsd.
# Covers: cashiers and shifts (a wrong PIN refused; --pin PIN warned about); a sale:
# approved, the card active at the issuer for this store, change given, the receipt
# printed with the serial masked and the auth code; a double scan of the same card
# refused with nothing sent; a bad check digit and too little cash refused with nothing
# sent; a blocked card declined (exit 6); an on-demand card: printed, its QR code
# decoding to a PIN that the issuer redeems, and that PIN nowhere in the journal, its
# WAL, temporary files or the CUPS spool; a void needs a manager and makes the card
# issued again; a receipt that does not print waits and prints with sync; X report; Z
# report: its totals equal the sum of the sales, numbered, reprinted identically; status;
# training: approved without the issuer, TRAINING on the slip, out of the totals; verify:
# intact, then an edited sale is named.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
docs() { ls "$CUPS_DIR"/out/job-*-"$1".pdf 2>/dev/null | wc -l; }

expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321
expect_err "warning: the PIN is visible to other users in the process list; use --pin - or type it"
expect_exit 0 $POS cashier add --id 2002 --name "Tom Berg" --role cashier --pin 1111 --manager 1001 --manager-pin 4321
expect_exit 2 $POS cashier add --id 2002 --name "Again" --role cashier --pin 1111 --manager 1001 --manager-pin 4321
expect_exit 2 $POS sell --serial "$(serial_n 1)" --cash 50
expect_err "no shift is open"
expect_exit 6 $POS shift open --cashier 2002 --pin 9999 --float 100.00
expect_err "cashier 2002 and that PIN do not match"
expect_exit 0 $POS shift open --cashier 2002 --pin 1111 --float 100.00
expect_exit 2 $POS shift open --cashier 1001 --pin 4321 --float 100.00

s1=$(serial_n 1)
expect_exit 0 $POS sell --serial "$(echo "$s1" | sed 's/\(....\)/\1 /g')" --cash 50 --json
expect_jq '.status == "approved" and .sale_id == 1 and .amount_cents == 3999 and .change_cents == 1001'
expect_jq ".serial == \"************${s1:12:4}\" and (.auth_code | length) == 6 and .receipt == \"waiting\""
auth1=$(jq -r .auth_code "$T/out")
expect_eq "$(card_status "$s1")" active "the sold card at the issuer"
expect_eq "$("$I" card show "$s1" --dir "$S" | jq -r .store_id)" WM00001 "the card's store"
expect_eq "$(docs receipts)" 1 "receipts printed"
pdftotext "$(ls "$CUPS_DIR"/out/job-*-receipts.pdf)" "$T/r1.txt"
checks=$((checks + 4))
grep -q "\*\*\*\*\*\*\*\*\*\*\*\*${s1:12:4}" "$T/r1.txt" || fail "the receipt lacks the masked serial"
grep -q "$auth1" "$T/r1.txt" || fail "the receipt lacks the auth code"
grep -q "USD 39.99" "$T/r1.txt" && grep -Eq "Change +10.01" "$T/r1.txt" || fail "the receipt lacks amount or change"
! grep -q "$s1" "$T/r1.txt" || fail "the receipt shows the whole serial"

# a double scan, a misread, too little cash: refused, nothing sent
expect_exit 2 $POS sell --serial "$s1" --cash 50
expect_err "already in sale 1"
expect_exit 2 $POS sell --serial "${s1:0:15}$(( (${s1:15:1} + 1) % 10 ))" --cash 50
expect_err "check digit"
expect_exit 2 $POS sell --serial "$(serial_n 2)" --cash 39.98
expect_err "less than the price"
expect_eq "$(card_status "$(serial_n 2)")" issued "a card refused for too little cash"
# a blocked card: declined by the issuer
"$I" card block "$(serial_n 3)" --dir "$S" >/dev/null
expect_exit 6 $POS sell --serial "$(serial_n 3)" --cash 40 --json
expect_jq '.status == "declined"'

# an on-demand card: printed with its PIN, which the issuer redeems; the PIN is kept nowhere
expect_exit 0 $POS sell --on-demand 3m --cash 20 --json
expect_jq '.status == "approved" and .amount_cents == 1299 and .change_cents == 701 and .plan == "3m"'
od_sale=$(jq -r .sale_id "$T/out")
expect_eq "$(docs cards)" 1 "on-demand cards printed"
pdftoppm -r 300 -png "$(ls "$CUPS_DIR"/out/job-*-cards.pdf)" "$T/od"
qr=$(zbarimg -q "$T"/od*.png 2>/dev/null | sed -n 's/^QR-Code://p')
pin=${qr##*pin=}
checks=$((checks + 1)); [ ${#pin} -eq 16 ] || fail "the on-demand card's QR code holds no PIN: '$qr'"
code=$(curl -s -o "$T/redeem" -w '%{http_code}' --cacert "$S/tls/cert.pem" -H 'Content-Type: application/json' \
  --data-binary "{\"pin\":\"$pin\",\"account\":\"alice@example.com\"}" "https://127.0.0.1:$ISSUER_PORT/v1/redemptions")
expect_eq "$code" 200 "redemption of the printed PIN"
checks=$((checks + 1))
found=$(grep -rlaF "$pin" "$T/pos.db"* "$TMPDIR" "$CUPS_DIR/spool" 2>/dev/null)
[ -z "$found" ] || fail "the PIN was found in: $found"

# a void needs a manager; it makes the card issued again
expect_exit 2 $POS void 1
expect_err "needs a manager"
expect_exit 6 $POS void 1 --manager 1001 --pin 0000
expect_exit 0 $POS void 1 --manager 1001 --pin 4321 --json
expect_jq '.status == "voided"'
expect_eq "$(card_status "$s1")" issued "the voided card at the issuer"
expect_exit 2 $POS void 1 --manager 1001 --pin 4321

s4=$(serial_n 4)
expect_exit 0 $POS sell --serial "$s4" --card --json
expect_jq '.status == "approved" and .change_cents == 0'
expect_exit 0 $POS report --x --json
expect_jq '.sales_count == 2 and .sales_cents == 5298 and .voids_count == 1 and .voids_cents == 3999'
expect_jq '.expected_cash_cents == 11299 and .declined_count == 1 and (.by_plan | length) == 2'
expect_exit 0 $POS status --json
expect_jq '.issuer_reachable == true and .pending == 0 and .shift_open == true'

# the Z report: numbered, its totals the sum of the sales, reprinted identically
expect_exit 0 $POS shift close --counted 113.00
cp "$T/out" "$T/z1.json"
expect_jq '.z_number == 1 and .sales_count == 2 and .sales_cents == (1299 + 3999) and .voids_count == 1'
expect_jq '.float_cents == 10000 and .expected_cash_cents == 11299 and .counted_cash_cents == 11300 and .over_short_cents == 1'
expect_jq '.by_plan == [{"plan":"1y","count":1,"cents":3999},{"plan":"3m","count":1,"cents":1299}]'
expect_exit 0 $POS report --z
checks=$((checks + 1)); cmp -s "$T/out" "$T/z1.json" || fail "report --z differs from the Z report printed at close"
expect_exit 0 $POS report --z 1
checks=$((checks + 1)); cmp -s "$T/out" "$T/z1.json" || fail "report --z 1 differs"
expect_exit 3 $POS report --z 2

# training: approved without the issuer, marked on the slip, out of the totals
expect_exit 0 $POS shift open --cashier 1001 --pin 4321 --float 50 --training
s5=$(serial_n 5)
expect_exit 0 $POS sell --serial "$s5" --cash 40 --json
expect_jq '.status == "approved" and .auth_code == "TRAINING"'
expect_eq "$(card_status "$s5")" issued "a card sold in training at the issuer"
pdftotext "$(ls -t "$CUPS_DIR"/out/job-*-receipts.pdf | head -1)" - | grep -q TRAINING
checks=$((checks + 1)); [ $? -eq 0 ] || fail "the training receipt does not say TRAINING"
# a receipt that does not print never undoes the sale: it waits and prints later
cupsdisable -h "$CUPS_DIR/sock" receipts
before=$(docs receipts)
expect_exit 0 $POS sell --serial "$(serial_n 6)" --cash 40 --json
expect_jq '.status == "approved" and .receipt == "waiting"'
expect_err "receipt did not print .*stopped"
expect_exit 0 $POS status --json
expect_jq '.pending == 1'
cupsenable -h "$CUPS_DIR/sock" receipts
expect_exit 0 $POS sync
expect_out "sent 1, still waiting 0"
expect_eq "$(docs receipts)" "$((before + 1))" "receipts after sync"
expect_exit 0 $POS shift close --counted 50
expect_jq '.z_number == 2 and .training == true and .sales_count == 0 and .expected_cash_cents == 5000'

# the journal: intact, then an edited sale is named
expect_exit 0 $POS verify
sqlite3 "$T/pos.db" "UPDATE sale SET amount_cents = 1 WHERE id = 2"
expect_exit 1 $POS verify
expect_err "sale 2 has another amount than the journal"
finish
