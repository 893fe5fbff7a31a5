/* issuer/api.c - the requests of issuer/api.h: validated by a field table (jansson) on the
 * server's side, encoded on the terminal's. */
#include <ctype.h>
#include <limits.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "issuer/api.h"
#include "issuer/api-private.h"
#include "common/decimal.h"
#include "common/wipe.h"
#include "common/banned.h"

enum kind { K_UUID, K_SERIAL, K_PIN, K_AMOUNT, K_CURRENCY, K_ID, K_TEXT };

struct field {
    const char *name;
    enum kind kind;
    size_t offset, size; /* where the value goes in the output struct */
    int required;
};

static enum ru_status refuse(struct request_error *err, int status, const char *code, const char *field,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum ru_status refuse(struct request_error *err, int status, const char *code, const char *field,
                             const char *fmt, ...)
{
    va_list ap;
    err->http_status = status;
    snprintf(err->code, sizeof(err->code), "%s", code);
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return RU_ERR_INVALID;
}

int request_is_uuid(const char *s)
{
    if (strlen(s) != REQUEST_UUID_LEN)
        return 0;
    for (int i = 0; i < REQUEST_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int request_is_json_type(const char *content_type)
{
    static const char json[] = "application/json";
    const char *p = content_type;
    if (!p)
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    for (size_t i = 0; i < sizeof(json) - 1; i++, p++)
        if (tolower((unsigned char)*p) != json[i])
            return 0;
    /* the media type ends here: at the end, at its parameters, or at trailing blanks */
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\0' || *p == ';';
}

/* Printable UTF-8 text without control characters, 1 .. SIZE-1 bytes. */
static int clean_text(const char *s, size_t size)
{
    size_t n = strlen(s);
    if (n < 1 || n >= size)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

static enum ru_status take(const struct field *f, json_t *v, char *out, struct request_error *err)
{
    char *dst = out + f->offset;
    const char *why;
    if (f->kind == K_AMOUNT) {
        if (!json_is_integer(v))
            return refuse(err, 422, "wrong_type", f->name,
                          "%s must be a whole number of minor units (3999 for 39.99)", f->name);
        json_int_t a = json_integer_value(v);
        if (a < 0 || a > REQUEST_AMOUNT_MAX)
            return refuse(err, 422, "invalid_value", f->name, "%s must be 0 to %lld", f->name,
                          REQUEST_AMOUNT_MAX);
        long long ll = (long long)a;
        memcpy(dst, &ll, sizeof(ll));
        return RU_OK;
    }
    if (!json_is_string(v))
        return refuse(err, 422, "wrong_type", f->name, "%s must be a string", f->name);
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return refuse(err, 422, "invalid_value", f->name, "%s contains a NUL character", f->name);
    switch (f->kind) {
    case K_UUID:
        if (!request_is_uuid(s))
            return refuse(err, 422, "invalid_value", f->name, "%s must be a UUID (8-4-4-4-12 hex digits)",
                          f->name);
        for (int i = 0; i <= REQUEST_UUID_LEN; i++)
            dst[i] = (char)tolower((unsigned char)s[i]);
        return RU_OK;
    case K_SERIAL:
        if (card_serial_parse(s, dst, &why) != RU_OK)
            return refuse(err, 422, "invalid_value", f->name, "%s is not a card serial: %s", f->name, why);
        return RU_OK;
    case K_PIN:
        if (card_pin_parse(s, dst, &why) != RU_OK)
            return refuse(err, 422, "invalid_value", f->name, "%s is not a PIN: %s", f->name, why);
        return RU_OK;
    case K_CURRENCY:
        if (strlen(s) != 3 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
            !isupper((unsigned char)s[2]))
            return refuse(err, 422, "invalid_value", f->name, "%s must be an ISO 4217 code such as USD",
                          f->name);
        break;
    default:
        if (f->kind == K_ID)
            for (const char *p = s; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
                    return refuse(err, 422, "invalid_value", f->name,
                                  "%s may hold only letters, digits, '-', '_', '.'", f->name);
        if (!clean_text(s, f->size))
            return refuse(err, 422, "invalid_value", f->name,
                          "%s must be 1 to %zu characters without control characters", f->name, f->size - 1);
        break;
    }
    memcpy(dst, s, strlen(s) + 1);
    return RU_OK;
}

/* Parse BODY into OUT (of OUT_SIZE bytes) by the field table. */
static enum ru_status parse(const char *body, size_t len, const struct field *fields, size_t nfields,
                            void *out, size_t out_size, struct request_error *err)
{
    char tmp[1024];
    json_error_t je;
    json_t *root = NULL;
    enum ru_status rc = RU_OK;
    if (len > REQUEST_BODY_MAX)
        return refuse(err, 413, "body_too_large", NULL, "the body is larger than %d bytes", REQUEST_BODY_MAX);
    if (out_size > sizeof(tmp))
        return refuse(err, 500, "internal", NULL, "request too complex");
    if (!(root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je)))
        return refuse(err, 400, "malformed_json", NULL, "the body is not valid JSON (line %d, column %d)",
                      je.line, je.column);
    if (!json_is_object(root)) {
        json_decref(root);
        return refuse(err, 400, "body_not_object", NULL, "the body must be a JSON object");
    }
    memset(tmp, 0, out_size);
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        size_t i;
        for (i = 0; i < nfields && strcmp(fields[i].name, key) != 0; i++)
            ;
        if (i == nfields) {
            char shown[33];
            snprintf(shown, sizeof(shown), "%.32s", key);
            rc = refuse(err, 422, "unknown_field", shown, "unknown field '%s'", shown);
            goto out;
        }
    }
    for (size_t i = 0; i < nfields; i++) {
        if (!(v = json_object_get(root, fields[i].name))) {
            if (fields[i].required) {
                rc = refuse(err, 422, "missing_field", fields[i].name, "%s is required", fields[i].name);
                goto out;
            }
            continue;
        }
        if ((rc = take(&fields[i], v, tmp, err)) != RU_OK)
            goto out;
    }
    memcpy(out, tmp, out_size);
out:
    wipe(tmp, out_size); /* a redemption's PIN */
    json_decref(root);
    return rc;
}

#define FIELD(type, member, kind, required)                                          \
    {                                                                                \
#member, kind, offsetof(type, member), sizeof(((type *)0)->member), required \
    }

enum ru_status request_parse_activation(const char *body, size_t len, struct activation_request *out,
                                        struct request_error *err)
{
    static const struct field f[] = {
        FIELD(struct activation_request, request_id, K_UUID, 1),
        FIELD(struct activation_request, serial, K_SERIAL, 1),
        FIELD(struct activation_request, amount, K_AMOUNT, 1),
        FIELD(struct activation_request, currency, K_CURRENCY, 1),
    };
    return parse(body, len, f, sizeof(f) / sizeof(f[0]), out, sizeof(*out), err);
}

enum ru_status request_parse_card(const char *body, size_t len, struct card_request *out,
                                  struct request_error *err)
{
    static const struct field f[] = {
        FIELD(struct card_request, request_id, K_UUID, 1),
        FIELD(struct card_request, plan, K_ID, 1),
        FIELD(struct card_request, amount, K_AMOUNT, 1),
        FIELD(struct card_request, currency, K_CURRENCY, 1),
    };
    return parse(body, len, f, sizeof(f) / sizeof(f[0]), out, sizeof(*out), err);
}

enum ru_status request_parse_reversal(const char *body, size_t len, struct reversal_request *out,
                                      struct request_error *err)
{
    static const struct field f[] = {FIELD(struct reversal_request, request_id, K_UUID, 1)};
    return parse(body, len, f, sizeof(f) / sizeof(f[0]), out, sizeof(*out), err);
}

enum ru_status request_parse_void(const char *body, size_t len, struct void_request *out,
                                  struct request_error *err)
{
    static const struct field f[] = {FIELD(struct void_request, reason, K_TEXT, 1)};
    return parse(body, len, f, sizeof(f) / sizeof(f[0]), out, sizeof(*out), err);
}

enum ru_status request_parse_redemption(const char *body, size_t len, struct redemption_request *out,
                                        struct request_error *err)
{
    static const struct field f[] = {
        FIELD(struct redemption_request, pin, K_PIN, 1),
        FIELD(struct redemption_request, account, K_TEXT, 1),
    };
    return parse(body, len, f, sizeof(f) / sizeof(f[0]), out, sizeof(*out), err);
}

/* ---- request encoders ------------------------------------------------------------------ */

enum ru_status api_dump(json_t *o, char **json)
{
    if (!o)
        return RU_ERR_NOMEM;
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        return RU_ERR_NOMEM;
    *json = text;
    return RU_OK;
}

enum ru_status request_encode_activation(const struct activation_request *rq, char **json)
{
    return api_dump(json_pack("{s:s,s:s,s:I,s:s}", "request_id", rq->request_id, "serial", rq->serial,
                              "amount", (json_int_t)rq->amount, "currency", rq->currency),
                    json);
}

enum ru_status request_encode_card(const struct card_request *rq, char **json)
{
    return api_dump(json_pack("{s:s,s:s,s:I,s:s}", "request_id", rq->request_id, "plan", rq->plan, "amount",
                              (json_int_t)rq->amount, "currency", rq->currency),
                    json);
}

enum ru_status request_encode_reversal(const struct reversal_request *rq, char **json)
{
    return api_dump(json_pack("{s:s}", "request_id", rq->request_id), json);
}

enum ru_status request_encode_void(const struct void_request *rq, char **json)
{
    return api_dump(json_pack("{s:s}", "reason", rq->reason), json);
}

/* ---- the journal heads' query string ----------------------------------------------------- */

/* VALUE (LEN bytes) as decimal digits without a sign, a space or a leading zero, MIN..MAX. */
static int query_number(const char *value, size_t len, long long min, long long max, long long *out)
{
    char digits[24];
    long long v;
    if (len < 1 || len >= sizeof(digits) || (len > 1 && value[0] == '0'))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (value[i] < '0' || value[i] > '9')
            return 0;
    memcpy(digits, value, len);
    digits[len] = '\0';
    if (decimal_whole(digits, min, max, &v) != RU_OK)
        return 0;
    *out = v;
    return 1;
}

enum ru_status request_parse_journal_heads(const char *query, size_t len, struct journal_heads_request *out,
                                           struct request_error *err)
{
    struct journal_heads_request rq = {0, API_HEADS_MAX};
    int seen_after = 0, seen_limit = 0;
    if (len > API_QUERY_MAX)
        return refuse(err, 400, "query_too_long", NULL, "the query string is longer than %d bytes",
                      API_QUERY_MAX);
    for (size_t at = 0; at < len;) {
        const char *p = query + at;
        size_t n = 0, name = 0;
        while (at + n < len && p[n] != '&')
            n++;
        while (name < n && p[name] != '=')
            name++;
        const char *value = p + name + 1;
        size_t vlen = name < n ? n - name - 1 : 0;
        long long v;
        if (name == 5 && !strncmp(p, "after", 5)) {
            if (seen_after++ || !query_number(value, vlen, 0, LLONG_MAX, &rq.after))
                return refuse(err, 400, "bad_parameter", "after",
                              "after must come once, as a sequence number: 0 to %lld in decimal digits",
                              LLONG_MAX);
        } else if (name == 5 && !strncmp(p, "limit", 5)) {
            if (seen_limit++ || !query_number(value, vlen, 1, API_HEADS_MAX, &v))
                return refuse(err, 400, "bad_parameter", "limit",
                              "limit must come once, as 1 to %d in decimal digits", API_HEADS_MAX);
            rq.limit = (long)v;
        } else {
            return refuse(err, 400, "unknown_parameter", NULL,
                          "the query string may hold only after and limit (docs/api.md)");
        }
        at += n;
        if (at < len && ++at == len) /* past the '&': one must follow it */
            return refuse(err, 400, "bad_parameter", NULL, "the query string ends with '&'");
    }
    *out = rq;
    return RU_OK;
}

enum ru_status request_encode_journal_heads(const struct journal_heads_request *rq, char *path, size_t cap)
{
    if (rq->after < 0 || rq->limit < 1 || rq->limit > API_HEADS_MAX)
        return RU_ERR_INVALID;
    int n = snprintf(path, cap, "/v1/terminals/me/journal-heads?after=%lld&limit=%ld", rq->after, rq->limit);
    return n < 0 || (size_t)n >= cap ? RU_ERR_LIMIT : RU_OK;
}
