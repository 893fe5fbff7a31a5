/*
 * issuer/redeemform.h - what the redemption page (GET and POST /redeem) takes from the
 * outside, and whether to trust it: the address's query string (?pin=...&lang=...), the
 * form it posts (application/x-www-form-urlencoded: csrf, pin, account, intent), its CSRF
 * cookie, and the headers that say where a post comes from.
 *
 * Read strictly: names and values percent-decoded (two hex digits after '%', '+' for a
 * space), each name at most once, each value valid UTF-8 without control characters and
 * within its size. The form refuses a name it does not know; the query string skips one
 * (a link may carry more than the page needs), but not a malformed one. Pure functions on
 * plain values apart from redeemform_token_new(): no I/O, no globals.
 */
#ifndef REUP_ISSUER_REDEEMFORM_H
#define REUP_ISSUER_REDEEMFORM_H
#include <stddef.h>
#include "common/status.h"

#define REDEEMFORM_MAX         4096 /* bytes of a form body or a query string */
#define REDEEMFORM_TOKEN_HEX   32   /* a CSRF token: 128 random bits in lowercase hex */
#define REDEEMFORM_PIN_MAX     40   /* a PIN as typed, its spaces and dashes included */
#define REDEEMFORM_ACCOUNT_MAX 64   /* bytes: what POST /v1/redemptions takes */
#define REDEEMFORM_COOKIE      "__Host-reup_csrf"

enum redeemform_intent {
    REDEEMFORM_REDEEM, /* redeem the PIN (the default) */
    REDEEMFORM_SWITCH, /* only show the page again, in the language of the address */
};

/* Every field "" when it was not sent. */
struct redeemform {
    char csrf[REDEEMFORM_TOKEN_HEX + 1];
    char pin[REDEEMFORM_PIN_MAX + 1];         /* as sent; card_pin_parse() reads it */
    char account[REDEEMFORM_ACCOUNT_MAX + 1]; /* blanks at either end dropped */
    char lang[4];                             /* the query's lang: 2 or 3 lowercase letters */
    enum redeemform_intent intent;
};

/* A POST body of LEN bytes: csrf (32 lowercase hex digits), pin, account and intent
 * ("redeem" or "switch"), nothing else; a field left out is "" (a missing csrf is the
 * caller's to refuse, as a token that differs from the cookie's). RU_OK with *out filled, or RU_ERR_INVALID
 * with *why (static, for the page's log of nothing and the tests) and *out wiped. */
enum ru_status redeemform_parse_body(const char *body, size_t len, struct redeemform *out,
                                     const char **why) RU_WARN_UNUSED;

/* A query string of LEN bytes, without the '?' (NULL or empty: nothing): pin and lang,
 * other names (with a value or bare) skipped. A lang that is not 2 or 3 lowercase letters is left out (the
 * page falls back to Accept-Language). RU_OK, or RU_ERR_INVALID with *why and *out wiped. */
enum ru_status redeemform_parse_query(const char *query, size_t len, struct redeemform *out,
                                      const char **why) RU_WARN_UNUSED;

/* 1 when a Content-Type header value (NULL: none) names
 * application/x-www-form-urlencoded, in any case, with or without parameters. */
int redeemform_is_form_type(const char *content_type);

/* Wipe F (it holds a PIN). Cannot fail. */
void redeemform_release(struct redeemform *f);

/* The token of the REDEEMFORM_COOKIE cookie in the Cookie header COOKIE (NULL: none) into
 * TOKEN: RU_OK only for exactly one such cookie of 32 lowercase hex digits, else
 * RU_ERR_NOT_FOUND with TOKEN "". */
enum ru_status redeemform_cookie_token(const char *cookie,
                                       char token[REDEEMFORM_TOKEN_HEX + 1]) RU_WARN_UNUSED;

/* A new token (secret_random()). RU_ERR_IO when the OS has no randomness to give. */
enum ru_status redeemform_token_new(char token[REDEEMFORM_TOKEN_HEX + 1]) RU_WARN_UNUSED;

/* 1 when the form's token A and the cookie's B are the same well-formed token, compared
 * in constant time; 0 otherwise (either empty included). */
int redeemform_token_match(const char *a, const char *b);

/* 1 when a post with these headers (each NULL when absent) may come from the page itself:
 * Sec-Fetch-Site is not "cross-site", and Origin is absent, "null" (what a browser sends
 * for a page with Referrer-Policy: no-referrer) or "https://" followed by HOST exactly. */
int redeemform_same_origin(const char *origin, const char *host, const char *fetch_site);

/* The body POST /v1/redemptions takes, {"pin": ..., "account": ...}, from F into *JSON
 * (owned: wipe_free() it, it holds the PIN). RU_ERR_NOMEM. */
enum ru_status redeemform_redemption_json(const struct redeemform *f, char **json) RU_WARN_UNUSED;
#endif
