/*
 * issuer/api.c - the activation API's wire format on jansson: requests validated by a
 * field table (the server's side), answers read by another (the terminal's side), and the
 * encoders of both, each written once.
 */
#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "issuer/api.h"
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

/* ---- encoders ------------------------------------------------------------------------ */

/* Compact JSON of O (its reference taken) into *JSON: the bytes the API has always sent. */
static enum ru_status dump(json_t *o, char **json)
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

/* A string, or null for "". */
static json_t *text_or_null(const char *s)
{
    return *s ? json_string(s) : json_null();
}

enum ru_status request_encode_activation(const struct activation_request *rq, char **json)
{
    return dump(json_pack("{s:s,s:s,s:I,s:s}", "request_id", rq->request_id, "serial", rq->serial, "amount",
                          (json_int_t)rq->amount, "currency", rq->currency),
                json);
}

enum ru_status request_encode_card(const struct card_request *rq, char **json)
{
    return dump(json_pack("{s:s,s:s,s:I,s:s}", "request_id", rq->request_id, "plan", rq->plan, "amount",
                          (json_int_t)rq->amount, "currency", rq->currency),
                json);
}

enum ru_status request_encode_reversal(const struct reversal_request *rq, char **json)
{
    return dump(json_pack("{s:s}", "request_id", rq->request_id), json);
}

enum ru_status request_encode_void(const struct void_request *rq, char **json)
{
    return dump(json_pack("{s:s}", "reason", rq->reason), json);
}

enum ru_status answer_encode_activation(const struct activation_result *a, char **json)
{
    return dump(json_pack("{s:s,s:s,s:s,s:s,s:s}", "activation_id", a->activation_id, "serial", a->serial,
                          "plan", a->plan, "auth_code", a->auth_code, "status", a->status),
                json);
}

enum ru_status answer_encode_ondemand(const struct ondemand_card *a, char **json)
{
    return dump(json_pack("{s:s,s:o,s:s,s:s}", "serial", a->serial, "pin", text_or_null(a->pin), "plan",
                          a->plan, "auth_code", a->auth_code),
                json);
}

enum ru_status answer_encode_card_status(const struct card_status *a, char **json)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "serial", a->serial, "plan", a->plan, "status", a->status);
    if (o && a->owner_view &&
        (json_object_set_new(o, "activated_at", text_or_null(a->activated_at)) != 0 ||
         json_object_set_new(o, "store_id", text_or_null(a->store_id)) != 0)) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, json);
}

enum ru_status answer_encode_plans(const struct plan_list *a, char **json)
{
    json_t *plans = json_array();
    for (size_t i = 0; plans && i < a->n; i++) {
        const struct plan_info *p = &a->plans[i];
        if (json_array_append_new(plans, json_pack("{s:s,s:i,s:I,s:s,s:s}", "code", p->code, "months",
                                                   p->months, "price", (json_int_t)p->price, "currency",
                                                   p->currency, "gtin", p->gtin)) != 0) {
            json_decref(plans);
            plans = NULL;
        }
    }
    return dump(plans ? json_pack("{s:o}", "plans", plans) : NULL, json);
}

enum ru_status answer_encode_void(const struct void_result *a, char **json)
{
    return dump(json_pack("{s:s}", "status", a->status), json);
}

enum ru_status answer_encode_reversal(const struct reversal_result *a, char **json)
{
    return dump(json_pack("{s:b}", "reversed", a->reversed), json);
}

enum ru_status answer_encode_error(const char *code, const char *message, char **json)
{
    return dump(json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message), json);
}

/* ---- answer parsers ------------------------------------------------------------------ */

enum akind {
    A_TEXT,      /* a string that fits, without NUL */
    A_TEXT_NULL, /* the same, or null for "" */
    A_CUT,       /* a string, cut to fit */
    A_INT,       /* an integer within MIN .. MAX, into an int */
    A_LLONG,     /* the same, into a long long */
    A_BOOL,      /* true or false, into an int */
};

struct afield {
    const char *name;
    enum akind kind;
    size_t offset, size;
    int required;
    long long min, max;
};

#define AFIELD(type, member, kind, required)                                               \
    {                                                                                      \
#member, kind, offsetof(type, member), sizeof(((type *)0)->member), required, 0, 0 \
    }
#define AFIELD_RANGE(type, member, kind, min, max)                                      \
    {                                                                                   \
#member, kind, offsetof(type, member), sizeof(((type *)0)->member), 1, min, max \
    }

/* The field F of O into OUT; *SEEN says whether it was there. */
static enum ru_status take_answer(const struct afield *f, json_t *o, char *out, int *seen)
{
    json_t *v = json_object_get(o, f->name);
    char *dst = out + f->offset;
    *seen = v != NULL;
    if (!v)
        return f->required ? RU_ERR_INVALID : RU_OK;
    switch (f->kind) {
    case A_TEXT_NULL:
        if (json_is_null(v)) {
            dst[0] = '\0';
            return RU_OK;
        }
        /* fall through */
    case A_TEXT:
    case A_CUT: {
        if (!json_is_string(v))
            return RU_ERR_INVALID;
        size_t n = json_string_length(v);
        const char *s = json_string_value(v);
        if (strlen(s) != n || (n >= f->size && f->kind != A_CUT))
            return RU_ERR_INVALID;
        if (n >= f->size) /* cut where a UTF-8 character starts, so the rest stays text */
            for (n = f->size - 1; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
                ;
        /* what the issuer says reaches the cashier's screen: no terminal control codes */
        for (size_t i = 0; i < n; i++) {
            int control = (unsigned char)s[i] < 0x20 || s[i] == 0x7f;
            if (control && f->kind != A_CUT)
                return RU_ERR_INVALID;
            dst[i] = control ? ' ' : s[i];
        }
        dst[n] = '\0';
        return RU_OK;
    }
    case A_INT:
    case A_LLONG: {
        if (!json_is_integer(v))
            return RU_ERR_INVALID;
        json_int_t x = json_integer_value(v);
        if (x < f->min || x > f->max)
            return RU_ERR_INVALID;
        if (f->kind == A_INT) {
            int i = (int)x;
            memcpy(dst, &i, sizeof(i));
        } else {
            long long ll = (long long)x;
            memcpy(dst, &ll, sizeof(ll));
        }
        return RU_OK;
    }
    case A_BOOL: {
        if (!json_is_boolean(v))
            return RU_ERR_INVALID;
        int b = json_is_true(v);
        memcpy(dst, &b, sizeof(b));
        return RU_OK;
    }
    }
    return RU_ERR_INVALID;
}

/* The fields of object O into OUT (zeroed first). */
static enum ru_status take_fields(json_t *o, const struct afield *f, size_t n, void *out, size_t out_size)
{
    memset(out, 0, out_size);
    if (!json_is_object(o))
        return RU_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        int there;
        if (take_answer(&f[i], o, out, &there) != RU_OK)
            return RU_ERR_INVALID;
    }
    return RU_OK;
}

/* Parse BODY (an object, duplicate keys refused; NULL when it is not) for an answer. */
static json_t *load_answer(const char *body, size_t len)
{
    json_t *o = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* BODY by the field table into OUT, through a scratch copy wiped after (a PIN). */
static enum ru_status parse_answer(const char *body, size_t len, const struct afield *f, size_t n, void *out,
                                   size_t out_size)
{
    char tmp[512];
    if (out_size > sizeof(tmp))
        return RU_ERR_INVALID;
    json_t *o = load_answer(body, len);
    enum ru_status rc = take_fields(o, f, n, tmp, out_size);
    if (rc == RU_OK)
        memcpy(out, tmp, out_size);
    wipe(tmp, out_size);
    json_decref(o);
    return rc;
}

#define NFIELDS(f) (sizeof(f) / sizeof((f)[0]))

enum ru_status answer_parse_activation(const char *body, size_t len, struct activation_result *out)
{
    static const struct afield f[] = {
        AFIELD(struct activation_result, activation_id, A_TEXT, 1),
        AFIELD(struct activation_result, serial, A_TEXT, 1),
        AFIELD(struct activation_result, plan, A_TEXT, 1),
        AFIELD(struct activation_result, auth_code, A_TEXT, 1),
        AFIELD(struct activation_result, status, A_TEXT, 1),
    };
    return parse_answer(body, len, f, NFIELDS(f), out, sizeof(*out));
}

enum ru_status answer_parse_ondemand(const char *body, size_t len, struct ondemand_card *out)
{
    static const struct afield f[] = {
        AFIELD(struct ondemand_card, serial, A_TEXT, 1),
        AFIELD(struct ondemand_card, pin, A_TEXT_NULL, 1),
        AFIELD(struct ondemand_card, plan, A_TEXT, 1),
        AFIELD(struct ondemand_card, auth_code, A_TEXT, 1),
    };
    return parse_answer(body, len, f, NFIELDS(f), out, sizeof(*out));
}

void ondemand_card_release(struct ondemand_card *a)
{
    wipe(a, sizeof(*a));
}

enum ru_status answer_parse_card_status(const char *body, size_t len, struct card_status *out)
{
    static const struct afield f[] = {
        AFIELD(struct card_status, serial, A_TEXT, 1),
        AFIELD(struct card_status, plan, A_TEXT, 1),
        AFIELD(struct card_status, status, A_TEXT, 1),
    };
    static const struct afield owner[] = {
        AFIELD(struct card_status, activated_at, A_TEXT_NULL, 0),
        AFIELD(struct card_status, store_id, A_TEXT_NULL, 0),
    };
    struct card_status tmp;
    int seen = 0;
    json_t *o = load_answer(body, len);
    enum ru_status rc = take_fields(o, f, NFIELDS(f), &tmp, sizeof(tmp));
    for (size_t i = 0; rc == RU_OK && i < NFIELDS(owner); i++) {
        int there;
        rc = take_answer(&owner[i], o, (char *)&tmp, &there);
        seen += there;
    }
    json_decref(o);
    if (rc != RU_OK)
        return rc;
    tmp.owner_view = seen > 0;
    *out = tmp;
    return RU_OK;
}

enum ru_status answer_parse_plans(const char *body, size_t len, struct plan_list *out)
{
    static const struct afield f[] = {
        AFIELD(struct plan_info, code, A_TEXT, 1),
        AFIELD_RANGE(struct plan_info, months, A_INT, 0, INT_MAX),
        AFIELD_RANGE(struct plan_info, price, A_LLONG, 0, REQUEST_AMOUNT_MAX),
        AFIELD(struct plan_info, currency, A_TEXT, 1),
        AFIELD(struct plan_info, gtin, A_TEXT, 0),
    };
    json_t *o = load_answer(body, len), *list = json_object_get(o, "plans"), *p;
    struct plan_list l = {NULL, 0};
    enum ru_status rc = RU_ERR_INVALID;
    size_t i;
    if (!json_is_array(list) || json_array_size(list) > API_PLANS_MAX)
        goto out;
    rc = RU_ERR_NOMEM;
    if (json_array_size(list) && !(l.plans = calloc(json_array_size(list), sizeof(*l.plans))))
        goto out;
    rc = RU_OK;
    json_array_foreach(list, i, p)
    {
        if ((rc = take_fields(p, f, NFIELDS(f), &l.plans[i], sizeof(l.plans[i]))) != RU_OK)
            goto out;
        l.n++;
    }
out:
    json_decref(o);
    if (rc != RU_OK)
        plan_list_release(&l);
    else
        *out = l;
    return rc;
}

void plan_list_release(struct plan_list *a)
{
    free(a->plans);
    a->plans = NULL;
    a->n = 0;
}

enum ru_status answer_parse_void(const char *body, size_t len, struct void_result *out)
{
    static const struct afield f[] = {AFIELD(struct void_result, status, A_TEXT, 1)};
    return parse_answer(body, len, f, NFIELDS(f), out, sizeof(*out));
}

enum ru_status answer_parse_reversal(const char *body, size_t len, struct reversal_result *out)
{
    static const struct afield f[] = {AFIELD(struct reversal_result, reversed, A_BOOL, 1)};
    return parse_answer(body, len, f, NFIELDS(f), out, sizeof(*out));
}

enum ru_status answer_parse_error(const char *body, size_t len, struct api_error *out)
{
    static const struct afield f[] = {
        AFIELD(struct api_error, code, A_TEXT, 1),
        AFIELD(struct api_error, message, A_CUT, 1),
    };
    struct api_error tmp;
    json_t *o = load_answer(body, len);
    enum ru_status rc = take_fields(json_object_get(o, "error"), f, NFIELDS(f), &tmp, sizeof(tmp));
    json_decref(o);
    if (rc != RU_OK)
        return rc;
    memcpy(out->code, tmp.code, sizeof(out->code));
    memcpy(out->message, tmp.message, sizeof(out->message));
    return RU_OK;
}
