#!/usr/bin/env bash
# t3016: the redemption page in headless Chromium against reup-issuer serve on a loopback
# port, from a printed card: reup-print prints a card whose QR code points at this
# issuer, pdftoppm and zbarimg read the code back, and the browser opens it, trusting the
# issuer's own certificate by its public key (the SPKI pin), no other. The checks are in
# tests/web/redeem.mjs: the address loses the PIN, the PIN masked, the keyboard alone
# (Tab, type, Enter), the success in Danish with the plan and the date, the same PIN
# again refused, the lockout in words, a redemption with JavaScript off, the language
# switcher keeping the PIN, axe-core on the form and the results, 360 px without
# horizontal scrolling, no CSP violation; screenshots in build/tests/artifacts/t3016/.
# Here: the ledger has the two cards redeemed and the third not, the date the page gave is
# the ledger's, and the log holds no PIN and no query string of /redeem.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/redeem-lib.sh"
I=${REUP_ISSUER:?}
P=${REUP_PRINT:?}
A=${REUP_TEST_ARTIFACTS:-$T/artifacts}/t3016
S=$T/state
mkdir -p "$A"
redeem_world "$S" 12
# cards 0-3 sold at terminal T1; 4-11 never sold (their PINs are refused like wrong ones)
for n in 0 1 2 3; do sell "$S" "$n"; done

# each sold card printed with this issuer's page in its QR code, and the code read back
printf '[card]\nredeem_url = %s/redeem?pin={pin}\nlanguage = da\n' "$base" >"$T/card.ini"
urls=()
for n in 0 1 2 3; do
  expect_exit 0 "$P" card --serial "$(serial "$n")" --pin - --plan 1y --template "$T/card.ini" --out "$T/card$n.pdf" <<<"$(pin "$n")"
  pdftoppm -r 300 -png -f 1 -l 1 "$T/card$n.pdf" "$T/card$n"
  urls[n]=$(zbarimg -q --nodbus --raw -Sdisable -Sqrcode.enable "$T/card$n"-*.png 2>/dev/null)
  expect_eq "${urls[n]}" "$base/redeem?pin=$(pin "$n")" "the QR code of card $n"
done
cp "$T/card0"-*.png "$A/card0.png"

# the certificate trusted by its public key alone
spki=$(openssl x509 -in "$S/tls/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)
wrong=()
for n in 4 5 6 7; do wrong+=("$(pin "$n")"); done
checks=$((checks + 1))
# redeem.mjs bounds each step and the whole run; timeout(1) is the last word should it hang
REUP_SPKI=$spki REUP_STATE=$S REUP_SERIALS="$(serial 0) $(serial 1) $(serial 2) $(serial 3)" \
  REUP_WRONG_PINS="${wrong[*]}" REUP_LOCKED_PIN=$(pin 2) \
  timeout -k 5 120 node "$REUP_SOURCE_DIR/tests/web/redeem.mjs" "${urls[0]}" "${urls[1]}" "${urls[3]}" "$A" ||
  fail "the page's checks failed"

# the ledger: cards 0 and 1 redeemed, 2 (tried while locked out) and 3 (switched only) not
for n in 0 1; do expect_eq "$("$I" card show "$(serial "$n")" --dir "$S" | jq -r .status)" redeemed "card $n"; done
for n in 2 3; do expect_eq "$("$I" card show "$(serial "$n")" --dir "$S" | jq -r .status)" active "card $n"; done
# the date the Danish page gave is the ledger's new expiry of that account
expires=$(ledger_sql "$S" "select expires_at from subscription where account = '+45 12 34 56 78'")
maaneder=(januar februar marts april maj juni juli august september oktober november december)
m=$((10#${expires:5:2}))
expect_eq "$(jq -r .da_date "$A/texts.json" 2>/dev/null)" "$((10#${expires:8:2})). ${maaneder[m - 1]} ${expires:0:4}" \
  "the date on the Danish page"
checks=$((checks + 1))
grep -q ' POST /redeem 429 ' "$T/serve.log" || fail "no log line of the lockout"
expect_log_clean "$T/serve.log" 11
for f in redeem-da-form.png redeem-da-360.png redeem-da-done.png redeem-locked-360.png; do
  checks=$((checks + 1))
  [ -s "$A/$f" ] || fail "no screenshot $f"
done
finish
