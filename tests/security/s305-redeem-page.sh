#!/usr/bin/env bash
# s305: the redemption page (GET and POST /redeem) against a customer's attackers.
# Attacks, with curl over TLS:
#  - cross-site posting: the victim's cookie with the attacker's own token (a second
#    browser's), no token, a forged token; the right pair sent from another Origin or
#    with Sec-Fetch-Site: cross-site: all 403, the victim's card still active;
#  - markup in what the page shows back (the account, a typed PIN, ?lang): escaped, never
#    markup; ?lang with a CR LF and a header after it adds no header;
#  - guessing PINs through the page and the API in turns: one lockout counts both, the
#    sixth attempt on either is 429 with Retry-After;
#  - a body past 16 kB (413) and a form past 4096 bytes (400), the server still serving;
#  - a PIN in the address: neither the PIN nor any query string of /redeem in the log.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/issuer-lib.sh"
. "$(dirname "$0")/../cli/redeem-lib.sh"
state_init
serve
base=https://127.0.0.1:$port
sell "$S" 0
status_of() { "$I" card show "$(serial "$1")" --dir "$S" | jq -r .status; }

# as JAR: a request with browser JAR's cookies
as() { local jar=$1; shift; get "$@" --cacert "$S/tls/cert.pem" -b "$T/$jar" -c "$T/$jar"; }
token() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/out"; }
as victim "$base/redeem"
victim=$(token)
as attacker "$base/redeem"
attacker=$(token)
checks=$((checks + 1)); [ -n "$victim" ] && [ "$victim" != "$attacker" ] || fail "two browsers got the same token: $victim"
redeem=(--data-urlencode "pin=$(pin 0)" --data-urlencode "account=mallory@example.com")

# --- cross-site posting ------------------------------------------------------------------
as victim "$base/redeem" --data-urlencode "csrf=$attacker" "${redeem[@]}"
expect_code 403 "the victim's cookie with the attacker's token"
as victim "$base/redeem" "${redeem[@]}"
expect_code 403 "the victim's cookie without a token"
forged=${victim:0:31}$([ "${victim:31:1}" = 0 ] && echo 1 || echo 0) # one digit off
as victim "$base/redeem" --data-urlencode "csrf=$forged" "${redeem[@]}"
expect_code 403 "a forged token"
as victim "$base/redeem" -H 'Origin: https://attacker.example' --data-urlencode "csrf=$victim" "${redeem[@]}"
expect_code 403 "the right pair from another Origin"
as victim "$base/redeem" -H 'Origin: http://127.0.0.1:'"$port" --data-urlencode "csrf=$victim" "${redeem[@]}"
expect_code 403 "the right pair from the same host without TLS"
as victim "$base/redeem" -H 'Sec-Fetch-Site: cross-site' --data-urlencode "csrf=$victim" "${redeem[@]}"
expect_code 403 "the right pair with Sec-Fetch-Site: cross-site"
expect_eq "$(status_of 0)" active "the victim's card after the cross-site posts"

# --- markup shown back -------------------------------------------------------------------
as victim "$base/redeem?lang=%22%3E%3Cscript%3Ealert(1)%3C/script%3E" --data-urlencode "csrf=$victim" \
  --data-urlencode 'pin="><img src=x onerror=alert(1)>' --data-urlencode 'account="><script>alert(2)</script>'
expect_code 422 "markup in the fields"
checks=$((checks + 1))
! grep -Eq '<script>alert|<img src=x' "$T/out" || fail "markup came back as markup: $(grep -E '<script>alert|<img src=x' "$T/out" | head -2)"
checks=$((checks + 1))
grep -Fq 'value="&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' "$T/out" || fail "the account is not shown back escaped"
as victim "$base/redeem?lang=da%0D%0AX-Injected:%201"
expect_code 200 "a header in ?lang"
checks=$((checks + 1))
! grep -qi '^X-Injected' "$T/headers" || fail "?lang added a header"

# --- one lockout for the page and the API -----------------------------------------------
for n in 1 2 3; do
  as victim "$base/redeem" --data-urlencode "csrf=$victim" --data-urlencode "pin=$(pin "$n")" --data-urlencode "account=x$n"
  expect_code 422 "unsold PIN $n through the page"
done
for n in 4 5; do
  CT=application/json api T1 POST /v1/redemptions "{\"pin\":\"$(pin "$n")\",\"account\":\"y$n\"}"
  expect_code 422 "unsold PIN $n through the API"
done
as victim "$base/redeem" --data-urlencode "csrf=$victim" "${redeem[@]}"
expect_code 429 "the sixth attempt, through the page"
expect_header '^Retry-After: [0-9]'
CT=application/json api T1 POST /v1/redemptions "{\"pin\":\"$(pin 0)\",\"account\":\"z\"}"
expect_code 429 "the seventh, through the API"
expect_eq "$(status_of 0)" active "the sold card tried while locked out"

# --- sizes ---------------------------------------------------------------------------------
head -c 20000 /dev/zero | tr '\0' a >"$T/big"
as victim "$base/redeem" --data-urlencode "csrf=$victim" --data-urlencode "account@$T/big"
expect_code 413 "a body past 16 kB"
as victim "$base/redeem" --data-urlencode "csrf=$victim" --data-urlencode "account=$(head -c 5000 "$T/big")"
expect_code 400 "a form past 4096 bytes"
as victim "$base/redeem"
expect_code 200 "the page after the large bodies"

# --- the log -------------------------------------------------------------------------------
as victim "$base/redeem?pin=$(pin 6)&lang=es"
expect_code 200 "a PIN in the address"
expect_log_clean "$T/serve.log" 6
finish
