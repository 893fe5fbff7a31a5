/*
 * issuer/auth.h - terminal request signatures (DESIGN.md "Terminal authentication").
 *
 *     Authorization: ReUp-HMAC-SHA256 terminal=<id>, ts=<unix seconds>, sig=<hex>
 *
 * sig = hex(HMAC-SHA256(secret, METHOD "\n" PATH "\n" ts "\n" hex(SHA256(body)))), where
 * PATH includes the query string and an empty body hashes the empty string. The issuer
 * verifies with a constant-time comparison and refuses timestamps more than
 * AUTH_WINDOW_S from its clock. The POS signs with the same function.
 */
#ifndef REUP_ISSUER_AUTH_H
#define REUP_ISSUER_AUTH_H
#include <stddef.h>
#include <stdint.h>
#include "common/status.h"

#define AUTH_SCHEME       "ReUp-HMAC-SHA256"
#define AUTH_WINDOW_S     300
#define AUTH_TERMINAL_MAX 64
#define AUTH_SIG_HEX      64
#define AUTH_HEADER_MAX   512

struct auth_header {
    char terminal[AUTH_TERMINAL_MAX + 1];
    int64_t ts;
    char sig[AUTH_SIG_HEX + 1]; /* lowercase hex */
};

/* Parse an Authorization header value. Parameters may come in any order, separated by
 * commas and optional spaces; each exactly once. RU_ERR_INVALID with a static reason in
 * *why for another scheme, a missing, repeated or malformed parameter. */
enum ru_status auth_header_parse(const char *value, struct auth_header *out, const char **why) RU_WARN_UNUSED;

/* The signature of a request, as 64 lowercase hex digits in SIG. RU_ERR_NOMEM when
 * OpenSSL cannot compute it (SIG is then unusable). */
enum ru_status auth_sign(const unsigned char *secret, size_t secret_len, const char *method, const char *path,
                         int64_t ts, const void *body, size_t body_len,
                         char sig[AUTH_SIG_HEX + 1]) RU_WARN_UNUSED;

/* The whole header value for a request, for clients. RU_ERR_NOMEM as auth_sign(). */
enum ru_status auth_header_make(const unsigned char *secret, size_t secret_len, const char *terminal,
                                const char *method, const char *path, int64_t ts, const void *body,
                                size_t body_len, char out[AUTH_HEADER_MAX]) RU_WARN_UNUSED;

/* Check H against the request: RU_ERR_LIMIT when h->ts is more than AUTH_WINDOW_S from
 * NOW (clock skew or a replay), RU_ERR_INVALID when the signature does not match or
 * cannot be computed (it fails closed).
 * The comparison takes the same time wherever the signatures differ. */
enum ru_status auth_verify(const struct auth_header *h, const unsigned char *secret, size_t secret_len,
                           const char *method, const char *path, const void *body, size_t body_len,
                           int64_t now) RU_WARN_UNUSED;

#endif
