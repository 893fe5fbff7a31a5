#!/usr/bin/env bash
# s301: reup-issuer serve speaks TLS 1.2 and 1.3 only, with AEAD suites only.
# Attacks: a TLS 1.0 and a TLS 1.1 handshake, and a TLS 1.2 handshake offering only a
# CBC-SHA1 suite (ECDHE-ECDSA-AES128-SHA), each from openssl s_client at security level 0
# so that the refusal provably comes from the server; all must fail, while TLS 1.2 and
# 1.3 succeed. Control: with --tls-priority opening TLS 1.0 and CBC-SHA1 the same
# handshakes succeed (the client could have connected), and a priority string GnuTLS
# refuses stops serve with exit 2 and a message naming it.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/issuer-lib.sh"
issuer_init "$S" >/dev/null || { fail "init"; finish; exit 1; }

# hello VERSION_FLAG [CIPHERS]: a handshake; the session's protocol and cipher in $T/tls,
# success in $ok (1: a cipher was agreed)
hello() {
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost "$1" \
    -cipher "${2:-DEFAULT}@SECLEVEL=0" </dev/null >"$T/tls" 2>&1
  ok=0
  grep -Eq '^New, TLSv[0-9.]+, Cipher is [A-Z0-9_-]+$' "$T/tls" && ok=1
}
refused() { checks=$((checks + 1)); hello "$@"; [ "$ok" = 0 ] || fail "handshake $* accepted: $(grep -E 'Protocol|Cipher' "$T/tls" | head -3)"; }
accepted() {
  checks=$((checks + 1)); hello "$1" "${3:-}"
  # TLS 1.3 sessions are printed without the Protocol line
  [ "$ok" = 1 ] && grep -Eq "Protocol +: $2\$|^New, $2, " "$T/tls" || fail "handshake $1 failed: $(grep -E 'Protocol|Cipher|alert' "$T/tls" | head -3)"
}

serve
refused -tls1
refused -tls1_1
refused -tls1_2 ECDHE-ECDSA-AES128-SHA
refused -tls1_2 ECDHE-ECDSA-AES256-SHA
accepted -tls1_2 TLSv1.2
accepted -tls1_3 TLSv1.3
accepted -tls1_2 TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256
# the API answers over the accepted versions
checks=$((checks + 1))
curl -s --tlsv1.2 --tls-max 1.2 --cacert "$S/tls/cert.pem" "https://127.0.0.1:$port/v1/health" | grep -q '"ok"' ||
  fail "no answer over TLS 1.2"
stop

# control: the same client gets through when the operator opens the old versions
serve --tls-priority 'NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:+SHA1:+AES-128-CBC'
accepted -tls1 TLSv1
accepted -tls1_1 TLSv1.1
accepted -tls1_2 TLSv1.2 ECDHE-ECDSA-AES128-SHA
stop

# a string GnuTLS refuses: a configuration error, not a crash
expect_exit 2 timeout 10 "$I" serve --dir "$S" --listen 127.0.0.1:0 --tls-priority 'NORMAL:+NO-SUCH-THING'
expect_err "tls-priority 'NORMAL:\+NO-SUCH-THING'.*at: \+NO-SUCH-THING"
expect_exit 2 timeout 10 "$I" serve --dir "$S" --listen 127.0.0.1:0 --tls-priority 'NONE'
expect_err "tls-priority 'NONE'"

finish
