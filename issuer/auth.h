/*
 * issuer/auth.h - terminal request signatures (docs/design.md, "The activation API").
 *
 *     Authorization: ReUp-HMAC-SHA256 terminal=<id>, ts=<unix seconds>, sig=<hex>
 *
 * sig = hex(HMAC-SHA256(secret, METHOD "\n" PATH "\n" ts "\n" hex(SHA256(body)))), where
 * PATH includes the query string and an empty body hashes the empty string. A request
 * that carries the terminal's journal head
 *
 *     ReUp-Journal-Head: SEQ:HEXHASH
 *
 * signs it too, as a fifth line: ... hex(SHA256(body)) "\n" SEQ ":" HEXHASH. The issuer
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
#define AUTH_HEAD_HEADER  "ReUp-Journal-Head"
#define AUTH_HEAD_MAX     (19 + 1 + 64) /* SEQ:HEXHASH */

struct auth_header {
    char terminal[AUTH_TERMINAL_MAX + 1];
    int64_t ts;
    char sig[AUTH_SIG_HEX + 1]; /* lowercase hex */
};

/* Parse an Authorization header value. Parameters may come in any order, separated by
 * commas and optional spaces; each exactly once. RU_ERR_INVALID with a static reason in
 * *why for another scheme, a missing, repeated or malformed parameter. */
enum ru_status auth_header_parse(const char *value, struct auth_header *out, const char **why) RU_WARN_UNUSED;

/* A journal head: the sequence number of the chain's last entry and that entry's hash. */
struct auth_head {
    long long seq; /* 1 .. LLONG_MAX */
    char hash[65]; /* 64 lowercase hex digits */
};

/* Parse a ReUp-Journal-Head value, strictly: SEQ is 1 to 19 decimal digits without a sign,
 * a space or a leading zero, and at most LLONG_MAX; HEXHASH exactly 64 lowercase hex
 * digits; nothing else. RU_ERR_INVALID with a static reason in *why. */
enum ru_status auth_head_parse(const char *value, struct auth_head *out, const char **why) RU_WARN_UNUSED;

/* H as the header value "SEQ:HEXHASH" (the form auth_head_parse() accepts). */
void auth_head_format(const struct auth_head *h, char out[AUTH_HEAD_MAX + 1]);

/* The signature of a request, as 64 lowercase hex digits in SIG; HEAD is the value of its
 * ReUp-Journal-Head header, or NULL for a request without one (then the canonical string
 * has its four lines). RU_ERR_NOMEM when OpenSSL cannot compute it (SIG is then
 * unusable). */
enum ru_status auth_sign(const unsigned char *secret, size_t secret_len, const char *method, const char *path,
                         int64_t ts, const void *body, size_t body_len, const char *head,
                         char sig[AUTH_SIG_HEX + 1]) RU_WARN_UNUSED;

/* The whole header value for a request, for clients. RU_ERR_NOMEM as auth_sign(). */
enum ru_status auth_header_make(const unsigned char *secret, size_t secret_len, const char *terminal,
                                const char *method, const char *path, int64_t ts, const void *body,
                                size_t body_len, const char *head, char out[AUTH_HEADER_MAX]) RU_WARN_UNUSED;

/* Check H against the request (HEAD as auth_sign()): RU_ERR_LIMIT when h->ts is more than AUTH_WINDOW_S from
 * NOW (clock skew or a replay), RU_ERR_INVALID when the signature does not match or
 * cannot be computed (it fails closed).
 * The comparison takes the same time wherever the signatures differ. */
enum ru_status auth_verify(const struct auth_header *h, const unsigned char *secret, size_t secret_len,
                           const char *method, const char *path, const void *body, size_t body_len,
                           const char *head, int64_t now) RU_WARN_UNUSED;

#endif
