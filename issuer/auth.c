/* issuer/auth.c - HMAC-SHA256 request signatures. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include "issuer/auth.h"
#include "issuer/secret.h"
#include "common/banned.h"

/* "name=value" where value runs to the next comma; returns the end of the value. */
static const char *param(const char *p, const char **name, size_t *nlen, const char **val, size_t *vlen)
{
    *name = p;
    while (*p && *p != '=' && *p != ',')
        p++;
    *nlen = (size_t)(p - *name);
    if (*p != '=')
        return NULL;
    *val = ++p;
    while (*p && *p != ',' && *p != ' ')
        p++;
    *vlen = (size_t)(p - *val);
    return p;
}

enum ru_status auth_header_parse(const char *value, struct auth_header *out, const char **why)
{
    struct auth_header h;
    int seen_t = 0, seen_ts = 0, seen_sig = 0;
    size_t scheme = strlen(AUTH_SCHEME);
    memset(&h, 0, sizeof(h));
    if (strlen(value) > AUTH_HEADER_MAX) {
        *why = "the Authorization header is too long";
        return RU_ERR_INVALID;
    }
    if (strncmp(value, AUTH_SCHEME, scheme) != 0 || value[scheme] != ' ') {
        *why = "the Authorization header must use the ReUp-HMAC-SHA256 scheme";
        return RU_ERR_INVALID;
    }
    const char *p = value + scheme;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *name, *val;
        size_t nlen, vlen;
        if (!(p = param(p, &name, &nlen, &val, &vlen)) || vlen == 0) {
            *why = "the Authorization header has a parameter without a value";
            return RU_ERR_INVALID;
        }
        if (nlen == 8 && !memcmp(name, "terminal", 8)) {
            if (seen_t++ || vlen > AUTH_TERMINAL_MAX) {
                *why = "terminal is repeated or longer than 64 characters";
                return RU_ERR_INVALID;
            }
            memcpy(h.terminal, val, vlen);
        } else if (nlen == 2 && !memcmp(name, "ts", 2)) {
            char num[24], *end;
            if (seen_ts++ || vlen >= sizeof(num)) {
                *why = "ts is repeated or too long";
                return RU_ERR_INVALID;
            }
            memcpy(num, val, vlen);
            num[vlen] = '\0';
            errno = 0;
            long long t = strtoll(num, &end, 10);
            if (*end || errno || t < 0 || !isdigit((unsigned char)num[0])) {
                *why = "ts must be the time in whole Unix seconds";
                return RU_ERR_INVALID;
            }
            h.ts = t;
        } else if (nlen == 3 && !memcmp(name, "sig", 3)) {
            if (seen_sig++ || vlen != AUTH_SIG_HEX) {
                *why = "sig must be 64 hex digits, once";
                return RU_ERR_INVALID;
            }
            for (size_t i = 0; i < vlen; i++) {
                if (!isxdigit((unsigned char)val[i])) {
                    *why = "sig must be 64 hex digits";
                    return RU_ERR_INVALID;
                }
                h.sig[i] = (char)tolower((unsigned char)val[i]);
            }
        } else {
            *why = "the Authorization header has an unknown parameter";
            return RU_ERR_INVALID;
        }
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if (*p) {
            *why = "Authorization parameters must be separated by commas";
            return RU_ERR_INVALID;
        }
    }
    if (!seen_t || !seen_ts || !seen_sig) {
        *why = "the Authorization header needs terminal, ts and sig";
        return RU_ERR_INVALID;
    }
    *out = h;
    return RU_OK;
}

enum ru_status auth_head_parse(const char *value, struct auth_head *out, const char **why)
{
    struct auth_head h;
    size_t digits = strspn(value, "0123456789");
    const char *hex = value + digits + 1;
    if (digits == 0 || digits > 19 || value[0] == '0' || value[digits] != ':') {
        *why = "ReUp-Journal-Head must be SEQ:HEXHASH, SEQ a whole number from 1 without a sign";
        return RU_ERR_INVALID;
    }
    if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64) {
        *why = "ReUp-Journal-Head's hash must be 64 lowercase hex digits";
        return RU_ERR_INVALID;
    }
    errno = 0;
    h.seq = strtoll(value, NULL, 10);
    if (errno) {
        *why = "ReUp-Journal-Head's sequence number is too large";
        return RU_ERR_INVALID;
    }
    memcpy(h.hash, hex, 65);
    *out = h;
    return RU_OK;
}

void auth_head_format(const struct auth_head *h, char out[AUTH_HEAD_MAX + 1])
{
    snprintf(out, AUTH_HEAD_MAX + 1, "%lld:%.64s", h->seq, h->hash);
}

enum ru_status auth_sign(const unsigned char *secret, size_t secret_len, const char *method, const char *path,
                         int64_t ts, const void *body, size_t body_len, const char *head,
                         char sig[AUTH_SIG_HEX + 1])
{
    unsigned char digest[32], mac[32];
    char body_hex[65], ts_line[64];
    EVP_Digest(body_len ? body : "", body_len, digest, NULL, EVP_sha256(), NULL);
    secret_hex(digest, sizeof(digest), body_hex);
    /* METHOD \n PATH \n ts \n hex(SHA256(body)) [\n HEAD], fed in pieces: PATH may be long */
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    size_t maclen = 0;
    int ok = 0;
    snprintf(ts_line, sizeof(ts_line), "\n%" PRId64 "\n", ts);
    memset(mac, 0, sizeof(mac));
    if (ctx && EVP_MAC_init(ctx, secret, secret_len, params)) {
        EVP_MAC_update(ctx, (const unsigned char *)method, strlen(method));
        EVP_MAC_update(ctx, (const unsigned char *)"\n", 1);
        EVP_MAC_update(ctx, (const unsigned char *)path, strlen(path));
        EVP_MAC_update(ctx, (const unsigned char *)ts_line, strlen(ts_line));
        EVP_MAC_update(ctx, (const unsigned char *)body_hex, 64);
        if (head) { /* the fifth line: only with the header, so older requests sign as before */
            EVP_MAC_update(ctx, (const unsigned char *)"\n", 1);
            EVP_MAC_update(ctx, (const unsigned char *)head, strlen(head));
        }
        ok = EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) && maclen == sizeof(mac);
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(hmac);
    if (!ok)
        return RU_ERR_NOMEM;
    secret_hex(mac, sizeof(mac), sig);
    return RU_OK;
}

enum ru_status auth_header_make(const unsigned char *secret, size_t secret_len, const char *terminal,
                                const char *method, const char *path, int64_t ts, const void *body,
                                size_t body_len, const char *head, char out[AUTH_HEADER_MAX])
{
    char sig[AUTH_SIG_HEX + 1];
    enum ru_status rc = auth_sign(secret, secret_len, method, path, ts, body, body_len, head, sig);
    if (rc == RU_OK)
        snprintf(out, AUTH_HEADER_MAX, AUTH_SCHEME " terminal=%.64s, ts=%" PRId64 ", sig=%s", terminal, ts,
                 sig);
    return rc;
}

enum ru_status auth_verify(const struct auth_header *h, const unsigned char *secret, size_t secret_len,
                           const char *method, const char *path, const void *body, size_t body_len,
                           const char *head, int64_t now)
{
    if (h->ts > now + AUTH_WINDOW_S || h->ts < now - AUTH_WINDOW_S)
        return RU_ERR_LIMIT;
    char want[AUTH_SIG_HEX + 1];
    if (auth_sign(secret, secret_len, method, path, h->ts, body, body_len, head, want) != RU_OK)
        return RU_ERR_INVALID;
    return CRYPTO_memcmp(want, h->sig, AUTH_SIG_HEX) == 0 ? RU_OK : RU_ERR_INVALID;
}
