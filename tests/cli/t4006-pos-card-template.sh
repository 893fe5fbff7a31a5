#!/usr/bin/env bash
# t4006: the card template of on-demand cards, named by [printers] card_template in the
# terminal's configuration. Covers: without the key the built-in template (Re-Up), whose QR
# code opens the redemption page of the issuer the till sells for, PIN included; with
# it (a path relative to the configuration) the card that reaches the card queue carries
# the template's brand and its QR code the template's redemption address with a PIN the
# issuer redeems, for a plan the template lacks too (its length from the issuer's
# catalog); a template with a bad line, a missing one, one that group or others may write,
# and an empty value are refused (exit 4) naming the configuration's line and the file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
newest_card() { ls -t "$CUPS_DIR"/out/job-*-cards.pdf | head -1; }

expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321
expect_exit 0 $POS shift open --cashier 1001 --pin 4321 --float 100.00

# without the key: the built-in template
expect_exit 0 $POS sell --on-demand 1y --cash 40 --json
expect_jq '.status == "approved"'
pdftotext "$(newest_card)" "$T/builtin.txt"
checks=$((checks + 2))
grep -q "Re-Up" "$T/builtin.txt" || fail "the built-in card lacks its brand: $(head -c 300 "$T/builtin.txt")"
! grep -q "Kestrel" "$T/builtin.txt" || fail "the built-in card shows another brand"
pdftoppm -r 300 -png "$(newest_card)" "$T/builtin"
qr=$(zbarimg -q "$T"/builtin*.png 2>/dev/null | sed -n 's/^QR-Code://p')
checks=$((checks + 1))
case $qr in
  "https://127.0.0.1:$ISSUER_PORT/redeem?pin="????????????????) ;;
  *) fail "the built-in card's QR code does not open this issuer's redemption page: '$qr'" ;;
esac
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$S/tls/cert.pem" "$qr")" 200 "the redemption page the QR code opens"

# with the key: the template's brand and redemption address on the card
cat > "$T/card.ini" <<'INI'
[card]
brand = Kestrel Mobile
redeem_url = https://kestrel.example/topup?pin={pin}
[plans]
1y = 12
INI
chmod 644 "$T/card.ini"
echo "card_template = card.ini" >> "$T/pos.conf"
line=$(grep -n '^card_template' "$T/pos.conf" | cut -d: -f1)
for plan in 1y 3m; do
  expect_exit 0 $POS sell --on-demand "$plan" --cash 40 --json
  expect_jq ".status == \"approved\" and .plan == \"$plan\""
  pdftotext "$(newest_card)" "$T/$plan.txt"
  checks=$((checks + 1))
  grep -q "Kestrel Mobile" "$T/$plan.txt" || fail "the $plan card lacks the template's brand: $(head -c 300 "$T/$plan.txt")"
  rm -f "$T"/od*.png
  pdftoppm -r 300 -png "$(newest_card)" "$T/od"
  qr=$(zbarimg -q "$T"/od*.png 2>/dev/null | sed -n 's/^QR-Code://p')
  checks=$((checks + 1))
  case $qr in
    https://kestrel.example/topup\?pin=????????????????) ;;
    *) fail "the $plan card's QR code is not the template's address: '$qr'" ;;
  esac
  pin=${qr##*pin=}
  code=$(curl -s -o "$T/redeem" -w '%{http_code}' --cacert "$S/tls/cert.pem" -H 'Content-Type: application/json' \
    --data-binary "{\"pin\":\"$pin\",\"account\":\"bob-$plan@example.com\"}" "https://127.0.0.1:$ISSUER_PORT/v1/redemptions")
  expect_eq "$code" 200 "redemption of the $plan card's PIN"
done
checks=$((checks + 1))
grep -q "3 months" "$T/3m.txt" || fail "the 3m card (a plan the template lacks) lacks its length: $(head -c 300 "$T/3m.txt")"

# refused: a bad line, a missing file, a file others may write, no file at all
printf '[card]\nlanguage = fr\n' > "$T/bad.ini"
chmod 644 "$T/bad.ini"
sed -i 's/^card_template = .*/card_template = bad.ini/' "$T/pos.conf"
expect_exit 4 $POS status
expect_err "pos.conf: line $line: printers.card_template: .*bad.ini: line 2: language 'fr' is not one we print"
sed -i 's/^card_template = .*/card_template = nosuch.ini/' "$T/pos.conf"
expect_exit 4 $POS status
expect_err "pos.conf: line $line: printers.card_template: cannot examine '.*nosuch.ini': No such file"
sed -i 's/^card_template = .*/card_template = card.ini/' "$T/pos.conf"
chmod 664 "$T/card.ini"
expect_exit 4 $POS sell --on-demand 1y --cash 40
expect_err "pos.conf: line $line: printers.card_template: .*card.ini' is mode 0664.*chmod"
chmod 644 "$T/card.ini"
sed -i 's/^card_template = .*/card_template =/' "$T/pos.conf"
expect_exit 4 $POS status
expect_err "pos.conf: line $line: printers.card_template names no file"
expect_eq "$(ls "$CUPS_DIR"/out/job-*-cards.pdf | wc -l)" 3 "cards printed (none while the template was refused)"
finish
