/* issuer/redeemform.c - the redemption page's query string, form, cookie and origin. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include "issuer/redeemform.h"
#include "issuer/secret.h"
#include "common/urltext.h"
#include "common/wipe.h"
#include "common/banned.h"

/* Whether S (N bytes, NUL-terminated) is well-formed UTF-8 without control characters
 * (C0, DEL, C1). */
static int clean_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k) {
        k = urltext_utf8_sequence(s + i);
        if (!k || i + k > n || (k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) ||
            (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0))
            return 0;
    }
    return 1;
}

/* Percent-decode [P, P+N) into OUT (CAP bytes with its NUL). 0 for a bad escape, a value
 * too long, or one that decodes to something clean_utf8() refuses. */
static int decode(const char *p, size_t n, char *out, size_t cap)
{
    /* a raw space, control or 8-bit byte: the browser escapes them all */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
            return 0;
    long len = urltext_decode(p, n, out, cap);
    return len >= 0 && clean_utf8((const unsigned char *)out, (size_t)len);
}

enum field { F_CSRF, F_PIN, F_ACCOUNT, F_INTENT, F_LANG, F_OTHER };

static enum field field_of(const char *name)
{
    static const char *const names[] = {"csrf", "pin", "account", "intent", "lang"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(name, names[i]))
            return (enum field)i;
    return F_OTHER;
}

static int is_token(const char *s)
{
    return strlen(s) == REDEEMFORM_TOKEN_HEX && strspn(s, "0123456789abcdef") == REDEEMFORM_TOKEN_HEX;
}

/* S without blanks at either end, in place. */
static void trim(char *s)
{
    size_t n = strlen(s), start = strspn(s, " \t");
    while (n > start && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
}

/* Each name=value pair of TEXT into OUT; BODY: the form's names only, else the query's. */
static enum ru_status parse(const char *text, size_t len, int body, struct redeemform *out, const char **why)
{
    char name[16], value[REDEEMFORM_ACCOUNT_MAX + 1]; /* the longest value a field takes */
    unsigned seen = 0;
    enum ru_status rc = RU_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    if (len > REDEEMFORM_MAX) {
        *why = "the form is longer than 4096 bytes";
        goto out;
    }
    for (size_t at = 0; at < len;) {
        const char *p = text + at;
        size_t n = 0, eq;
        while (at + n < len && p[n] != '&')
            n++;
        for (eq = 0; eq < n && p[eq] != '='; eq++)
            ;
        if (n == 0 || (eq == n && body)) {
            *why = "a field without '=' (name=value pairs joined by '&')";
            goto out;
        }
        if (eq == n) /* a bare name in a link: not one of ours */
            goto next;
        if (!decode(p, eq, name, sizeof(name)))
            name[0] = '\0'; /* no field has that name */
        enum field f = field_of(name);
        if (body ? f == F_LANG || f == F_OTHER : f != F_PIN && f != F_LANG) {
            if (body) {
                *why = "a field the form does not have";
                goto out;
            }
            f = F_OTHER;
        }
        if (f != F_OTHER) {
            if (seen & (1u << f)) {
                *why = "a field that comes twice";
                goto out;
            }
            seen |= 1u << f;
        }
        size_t caps[] = {sizeof(out->csrf), sizeof(out->pin), sizeof(out->account), 8, 4};
        if (f == F_OTHER) /* a name the query string may carry: its value is not ours to read */
            goto next;
        if (!decode(p + eq + 1, n - eq - 1, value, caps[f])) {
            *why = f == F_ACCOUNT
                       ? "the account is longer than 64 bytes, not UTF-8 or holds control characters"
                       : "a value that is too long, badly escaped, not UTF-8 or holds control characters";
            if (f == F_LANG) /* the page goes on in the browser's language */
                goto next;
            goto out;
        }
        switch (f) {
        case F_CSRF:
            if (!is_token(value)) {
                *why = "csrf is not 32 lowercase hex digits";
                goto out;
            }
            memcpy(out->csrf, value, sizeof(out->csrf));
            break;
        case F_PIN: memcpy(out->pin, value, strlen(value) + 1); break;
        case F_ACCOUNT:
            trim(value);
            memcpy(out->account, value, strlen(value) + 1);
            break;
        case F_INTENT:
            if (!strcmp(value, "redeem"))
                out->intent = REDEEMFORM_REDEEM;
            else if (!strcmp(value, "switch"))
                out->intent = REDEEMFORM_SWITCH;
            else {
                *why = "intent is neither redeem nor switch";
                goto out;
            }
            break;
        case F_LANG:
            if ((strlen(value) == 2 || strlen(value) == 3) &&
                strspn(value, "abcdefghijklmnopqrstuvwxyz") == strlen(value))
                memcpy(out->lang, value, strlen(value) + 1);
            break;
        default: break;
        }
    next:
        at += n;
        if (at < len && ++at == len) {
            *why = "the form ends with '&'";
            goto out;
        }
    }
    rc = RU_OK;
out:
    wipe(value, sizeof(value));
    if (rc != RU_OK)
        redeemform_release(out);
    return rc;
}

enum ru_status redeemform_parse_body(const char *body, size_t len, struct redeemform *out, const char **why)
{
    return parse(body ? body : "", body ? len : 0, 1, out, why);
}

enum ru_status redeemform_parse_query(const char *query, size_t len, struct redeemform *out, const char **why)
{
    return parse(query ? query : "", query ? len : 0, 0, out, why);
}

int redeemform_is_form_type(const char *content_type)
{
    static const char form[] = "application/x-www-form-urlencoded";
    const char *p = content_type ? content_type + strspn(content_type, " \t") : NULL;
    if (!p || strncasecmp(p, form, sizeof(form) - 1) != 0)
        return 0;
    p += sizeof(form) - 1;
    p += strspn(p, " \t");
    return *p == '\0' || *p == ';';
}

void redeemform_release(struct redeemform *f)
{
    wipe(f, sizeof(*f));
}

enum ru_status redeemform_cookie_token(const char *cookie, char token[REDEEMFORM_TOKEN_HEX + 1])
{
    static const char name[] = REDEEMFORM_COOKIE "=";
    int found = 0;
    token[0] = '\0';
    /* "a=1; b=2": pairs joined by ';' and blanks (RFC 6265 5.4) */
    for (const char *p = cookie; p && *p;) {
        p += strspn(p, " \t;");
        size_t n = strcspn(p, ";");
        if (n >= sizeof(name) - 1 && !strncmp(p, name, sizeof(name) - 1)) {
            const char *v = p + sizeof(name) - 1;
            size_t vlen = n - (sizeof(name) - 1);
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (found++ || vlen != REDEEMFORM_TOKEN_HEX) {
                token[0] = '\0';
                return RU_ERR_NOT_FOUND; /* two of them, or not ours: neither is trusted */
            }
            memcpy(token, v, vlen);
            token[vlen] = '\0';
            if (!is_token(token)) {
                token[0] = '\0';
                return RU_ERR_NOT_FOUND;
            }
        }
        p += n;
    }
    return found ? RU_OK : RU_ERR_NOT_FOUND;
}

enum ru_status redeemform_token_new(char token[REDEEMFORM_TOKEN_HEX + 1])
{
    unsigned char raw[REDEEMFORM_TOKEN_HEX / 2];
    if (secret_random(raw, sizeof(raw)) != RU_OK)
        return RU_ERR_IO;
    secret_hex(raw, sizeof(raw), token);
    wipe(raw, sizeof(raw));
    return RU_OK;
}

int redeemform_token_match(const char *a, const char *b)
{
    if (!a || !b || !is_token(a) || !is_token(b))
        return 0;
    return CRYPTO_memcmp(a, b, REDEEMFORM_TOKEN_HEX) == 0;
}

int redeemform_same_origin(const char *origin, const char *host, const char *fetch_site)
{
    static const char https[] = "https://";
    if (fetch_site && !strcasecmp(fetch_site, "cross-site"))
        return 0;
    if (!origin || !strcmp(origin, "null"))
        return 1;
    return host && *host && !strncmp(origin, https, sizeof(https) - 1) &&
           !strcasecmp(origin + sizeof(https) - 1, host);
}

enum ru_status redeemform_redemption_json(const struct redeemform *f, char **json)
{
    json_t *o = json_pack("{s:s,s:s}", "pin", f->pin, "account", f->account);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return RU_ERR_NOMEM;
    *json = text;
    return RU_OK;
}
