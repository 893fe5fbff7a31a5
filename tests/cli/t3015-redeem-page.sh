#!/usr/bin/env bash
# t3015: the redemption page of reup-issuer serve (GET and POST /redeem) with curl, over
# TLS on a loopback port, JavaScript nowhere. Covers: the page's headers (CSP, no referrer,
# no store, nosniff, Vary and Content-Language, the __Host- CSRF cookie, kept on a second
# visit) on the page, its style sheet, script and icon; the PIN from the address shown
# masked and sent hidden, a link with half a PIN answered with a field to type it; posts
# refused with 403 (no cookie, no token, a token that differs, a cross-site Origin,
# Sec-Fetch-Site: cross-site), 415 (JSON), 400 (a field the form does not have, a field
# twice); a field left empty or a PIN with a wrong check digit answered on its field (422)
# without counting against the customer; a plain form post redeems (the ledger has the
# card redeemed, the page says the plan and the new expiry as a date); the same PIN again
# gets the one refusal; after five refused PINs the sixth attempt gets the lockout (429,
# Retry-After, the wait in minutes in words); Accept-Language da gives Danish, with the
# plan and the date in Danish; ?lang=es wins over it and stays in the form's action; the
# language switch (intent=switch) keeps the PIN in the form and redeems nothing. Neither a
# PIN, a query string of /redeem nor a form's field reaches the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/redeem-lib.sh"
I=${REUP_ISSUER:?}
S=$T/state
redeem_world "$S" 20
for n in 0 1 2; do sell "$S" "$n"; done

# page URL [CURL OPTIONS]: a request with the cookie jar $T/jar; body $T/out, headers $T/headers
page() { get "$@" --cacert "$S/tls/cert.pem" -b "$T/jar" -c "$T/jar"; }
token() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/out"; }
expect_body() { checks=$((checks + 1)); grep -Fq -- "$1" "$T/out" || fail "the page lacks '$1': $(sed -n '/<main>/,/<\/main>/p' "$T/out" | head -c 600)"; }
expect_no_body() { checks=$((checks + 1)); ! grep -Fq -- "$1" "$T/out" || fail "the page holds '$1'"; }
page_headers() {
  expect_header "^Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"$'\r'"\$"
  expect_header '^Referrer-Policy: no-referrer'
  expect_header '^Cache-Control: no-store'
  expect_header '^X-Content-Type-Options: nosniff'
}

# --- the form, its headers and the log -------------------------------------------------
p0=$(pin 0)
page "$base/redeem?pin=$p0"
expect_code 200 "GET /redeem?pin="
page_headers
expect_header '^Content-Type: text/html; charset=utf-8'
expect_header '^Vary: Accept-Language'
expect_header '^Content-Language: en'
expect_header '^Set-Cookie: __Host-reup_csrf=[0-9a-f]\{32\}; Path=/; Secure; HttpOnly; SameSite=Strict'
expect_body '<html lang="en">'
expect_body "•••• •••• •••• ${p0:12:4}"
expect_body "<input type=\"hidden\" name=\"pin\" value=\"$p0\">"
expect_body '<a class="other" href="/redeem">Redeem another card&#39;s PIN</a>' # a fresh form
tok=$(token)
expect_eq "$tok" "$(awk '$6 == "__Host-reup_csrf" { print $7 }' "$T/jar")" "the form's token and the cookie's"
# a browser that has the cookie keeps it: the same token, no new cookie
page "$base/redeem"
expect_eq "$(token)" "$tok" "the token on a second visit"
checks=$((checks + 1)); ! grep -qi '^Set-Cookie' "$T/headers" || fail "a second visit got a new cookie"
expect_body '<input id="pin" name="pin"' # no PIN in the address: a field to type it
for f in redeem.css:text/css redeem.js:text/javascript redeem-icon.svg:image/svg+xml; do
  get "$base/${f%%:*}" --cacert "$S/tls/cert.pem"
  expect_code 200 "/${f%%:*}"
  expect_header "^Content-Type: ${f#*:}"
  page_headers
done
get "$base/redeem.js" --cacert "$S/tls/cert.pem" -X POST
expect_code 405 "POST /redeem.js"
page "$base/redeem?pin=1234-5678" # not a PIN: typed from the card instead
expect_code 200 "a link with half a PIN"
expect_body 'The PIN in the link could not be read'
expect_body 'aria-describedby="pin-error pin-hint" autofocus'
# the switcher's links and the form's action keep ?lang when the address chose it
page "$base/redeem?pin=$p0&lang=da"
expect_body 'action="/redeem?lang=da"'
expect_body '<a class="other" href="/redeem?lang=da">'

# --- posts that do not come from the page ----------------------------------------------
form=(--data-urlencode "csrf=$tok" --data-urlencode "pin=$p0" --data-urlencode "account=alice@example.com")
get "$base/redeem" --cacert "$S/tls/cert.pem" --data-urlencode "pin=$p0" --data-urlencode "account=alice@example.com"
expect_code 403 "a post without cookie or token"
expect_body 'Reload the page'
page_headers
get "$base/redeem" --cacert "$S/tls/cert.pem" "${form[@]}"
expect_code 403 "a post with the token but without the cookie"
page "$base/redeem" --data-urlencode "pin=$p0" --data-urlencode "account=alice@example.com"
expect_code 403 "a post with the cookie but without the token"
page "$base/redeem" --data-urlencode "csrf=$(printf '%032d' 7)" --data-urlencode "pin=$p0" --data-urlencode "account=alice@example.com"
expect_code 403 "a post whose token is not the cookie's"
page "$base/redeem" -H 'Origin: https://evil.example' "${form[@]}"
expect_code 403 "a post with a cross-site Origin"
page "$base/redeem" -H "Origin: https://127.0.0.1:$SERVE_PORT" -H 'Sec-Fetch-Site: cross-site' "${form[@]}"
expect_code 403 "a post with Sec-Fetch-Site: cross-site"
page "$base/redeem" -H 'Content-Type: application/json' --data-binary "{\"pin\":\"$p0\",\"account\":\"a\"}"
expect_code 415 "a JSON post"
page "$base/redeem" "${form[@]}" --data-urlencode "extra=1"
expect_code 400 "a field the form does not have"
page "$base/redeem" --data-urlencode "csrf=$tok" --data-urlencode "pin=$p0" --data-urlencode "account=alice@example.com" --data-urlencode "account=bob"
expect_code 400 "a field twice"
expect_eq "$("$I" card show "$(serial 0)" --dir "$S" | jq -r .status)" active "card 0 after the refused posts"

# --- fields: answered on the field, nothing counted -------------------------------------
page "$base/redeem" --data-urlencode "csrf=$tok" --data-urlencode "pin=$p0" --data-urlencode "account="
expect_code 422 "an empty account"
expect_body 'Enter the phone number or e-mail address of your subscription.'
expect_body 'aria-describedby="account-error account-hint" autofocus'
expect_body "<input type=\"hidden\" name=\"pin\" value=\"$p0\">" # the PIN is kept
bad=${p0:0:15}$(((${p0:15:1} + 1) % 10))
page "$base/redeem" --data-urlencode "csrf=$tok" --data-urlencode "pin=$bad" --data-urlencode "account=alice@example.com"
expect_code 422 "a PIN with a wrong check digit"
expect_body 'This PIN has a typo: check the 16 digits on your card.'
expect_body 'value="alice@example.com"'
expect_eq "$(ledger_sql "$S" "select count(*) from redemption_refusal")" 0 "refusals counted for typos"

# --- a plain form post redeems ---------------------------------------------------------
page "$base/redeem" -H "Origin: https://127.0.0.1:$SERVE_PORT" -H 'Sec-Fetch-Site: same-origin' "${form[@]}"
expect_code 200 "the redemption"
page_headers
expect_body '1 year of service added to alice@example.com.'
expires=$(ledger_sql "$S" "select expires_at from subscription where account = 'alice@example.com'")
months=(January February March April May June July August September October November December)
y=${expires:0:4} m=$((10#${expires:5:2})) d=$((10#${expires:8:2}))
expect_body "Your subscription now runs until ${months[m - 1]} $d, $y."
expect_eq "$("$I" card show "$(serial 0)" --dir "$S" | jq -r .status)" redeemed "card 0 after the form's post"
# the same PIN again: the one refusal, on the PIN field, the PIN to type again
page "$base/redeem" "${form[@]}"
expect_code 422 "the same PIN again"
expect_body 'This PIN cannot be redeemed. Check it, or ask the store where you bought the card.'
expect_body 'aria-describedby="pin-error pin-hint" autofocus'
expect_no_body "$p0"

# --- languages -------------------------------------------------------------------------
page "$base/redeem?pin=$(pin 1)" -H 'Accept-Language: da-DK,da;q=0.9,en;q=0.5'
expect_code 200 "Accept-Language da"
expect_header '^Content-Language: da'
expect_body '<html lang="da">'
expect_body 'Indløs dit Re-Up-kort'
expect_body 'action="/redeem"' # chosen by the browser: the address stays as it was
page "$base/redeem?lang=es" -H 'Accept-Language: da'
expect_header '^Content-Language: es'
expect_body '<html lang="es">'
expect_body 'Canjee su tarjeta Re-Up'
expect_body 'action="/redeem?lang=es"'
# the switcher's post: the page again in Spanish, the PIN in the form, not in the address
page "$base/redeem?lang=es" -H 'Accept-Language: da' --data-urlencode "csrf=$tok" --data-urlencode "pin=$(pin 1)" \
  --data-urlencode "account=" --data-urlencode "intent=switch"
expect_code 200 "intent=switch"
expect_body '<html lang="es">'
expect_body "<input type=\"hidden\" name=\"pin\" value=\"$(pin 1)\">"
expect_no_body 'class="error"'
expect_eq "$("$I" card show "$(serial 1)" --dir "$S" | jq -r .status)" active "card 1 after a language switch"
# a Danish redemption: the plan and the date in Danish
page "$base/redeem" -H 'Accept-Language: da' --data-urlencode "csrf=$tok" --data-urlencode "pin=$(pin 1)" \
  --data-urlencode "account=+4512345678"
expect_code 200 "a Danish redemption"
expires=$(ledger_sql "$S" "select expires_at from subscription where account = '+4512345678'")
maaneder=(januar februar marts april maj juni juli august september oktober november december)
y=${expires:0:4} m=$((10#${expires:5:2})) d=$((10#${expires:8:2}))
expect_body '1 års abonnement er lagt til +4512345678.'
expect_body "Dit abonnement løber nu til $d. ${maaneder[m - 1]} $y."

# --- the lockout: five refused PINs (the redeemed one, then cards never sold), a sixth --
base_refusals=$(ledger_sql "$S" "select count(*) from redemption_refusal where subject = 'address:127.0.0.1'")
expect_eq "$base_refusals" 1 "refusals of this address so far (the redeemed PIN again)"
for n in 3 4 5 6; do
  page "$base/redeem" --data-urlencode "csrf=$tok" --data-urlencode "pin=$(pin "$n")" --data-urlencode "account=carol@example.com"
  expect_code 422 "wrong PIN $((n - 1))"
done
# the fifth refusal of the address came with the last; the sixth attempt is locked out
page "$base/redeem" --data-urlencode "csrf=$tok" --data-urlencode "pin=$(pin 2)" --data-urlencode "account=carol@example.com"
expect_code 429 "the sixth attempt"
page_headers
expect_header '^Retry-After: [0-9]'
wait_s=$(sed -n 's/^Retry-After: \([0-9]*\).*/\1/p' "$T/headers")
expect_body "Too many attempts"
expect_body "Try again in $(((wait_s + 59) / 60)) minutes."
expect_eq "$("$I" card show "$(serial 2)" --dir "$S" | jq -r .status)" active "a sold card tried while locked out"

# --- nothing of the PINs or the forms in the log ---------------------------------------
checks=$((checks + 1))
grep -q ' POST /redeem 429 ' "$T/serve.log" || fail "no log line of the locked-out post"
expect_log_clean "$T/serve.log" 6
checks=$((checks + 1))
! grep -Eq 'csrf|account=|alice@' "$T/serve.log" || fail "a form's fields are in the log"
finish
