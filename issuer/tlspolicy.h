/*
 * issuer/tlspolicy.h - which TLS versions and cipher suites the activation host accepts,
 * as a GnuTLS priority string (libmicrohttpd hands it to GnuTLS).
 */
#ifndef REUP_ISSUER_TLSPOLICY_H
#define REUP_ISSUER_TLSPOLICY_H
#include <stddef.h>
#include "common/status.h"

/* TLS 1.3 and 1.2 only; AEAD suites only (no CBC, no SHA-1 MAC), forward secrecy only
 * (no static RSA key exchange), no SHA-1 signatures. What remains, per
 * `gnutls-cli --priority ... --list` on GnuTLS 3.7: TLS 1.3 AES-GCM, CHACHA20-POLY1305 and
 * AES-128-CCM; TLS 1.2 (EC)DHE with AES-GCM, AES-CCM and CHACHA20-POLY1305. */
#define TLSPOLICY_DEFAULT                                                                           \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-SHA1:-AES-128-CBC:-AES-256-CBC:-CAMELLIA-128-CBC:" \
    "-CAMELLIA-256-CBC:-3DES-CBC:-RSA:-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:-SIGN-DSA-SHA1"

/* Whether GnuTLS accepts PRIORITY and it leaves at least one protocol and one cipher
 * suite. RU_OK, or RU_ERR_INVALID with ERR saying where the string goes wrong. */
enum ru_status tlspolicy_check(const char *priority, char *err, size_t errlen) RU_WARN_UNUSED;

#endif
