/* issuer/answer.c - the answers of issuer/api.h: encoded on the server's side, read by a
 * field table (jansson) on the terminal's, where they are outside input. */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/api.h"
#include "issuer/api-private.h"
#include "common/wipe.h"
#include "common/banned.h"

/* ---- answer encoders ------------------------------------------------------------------- */

/* A string, or null for "". */
static json_t *text_or_null(const char *s)
{
    return *s ? json_string(s) : json_null();
}

enum ru_status answer_encode_activation(const struct activation_result *a, char **json)
{
    return api_dump(json_pack("{s:s,s:s,s:s,s:s,s:s}", "activation_id", a->activation_id, "serial", a->serial,
                              "plan", a->plan, "auth_code", a->auth_code, "status", a->status),
                    json);
}

enum ru_status answer_encode_ondemand(const struct ondemand_card *a, char **json)
{
    return api_dump(json_pack("{s:s,s:o,s:s,s:s}", "serial", a->serial, "pin", text_or_null(a->pin), "plan",
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
    return api_dump(o, json);
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
    return api_dump(plans ? json_pack("{s:o}", "plans", plans) : NULL, json);
}

enum ru_status answer_encode_void(const struct void_result *a, char **json)
{
    return api_dump(json_pack("{s:s}", "status", a->status), json);
}

enum ru_status answer_encode_reversal(const struct reversal_result *a, char **json)
{
    return api_dump(json_pack("{s:b}", "reversed", a->reversed), json);
}

enum ru_status answer_encode_journal_head(const struct auth_head *a, char **json)
{
    return api_dump(json_pack("{s:I,s:s}", "seq", (json_int_t)a->seq, "hash", a->hash), json);
}

/* Whether A is a page as api.h describes it: each list within API_HEADS_MAX, in order,
 * every head from 1, at most NEXT when there is one, its hash 64 lowercase hex digits. */
static int heads_page_valid(const struct journal_heads *a)
{
    const struct auth_head *lists[2] = {a->heads, a->anomalies};
    size_t counts[2] = {a->n, a->n_anomalies};
    if (a->next < 0)
        return 0;
    for (int l = 0; l < 2; l++) {
        if (counts[l] > API_HEADS_MAX)
            return 0;
        for (size_t i = 0; i < counts[l]; i++) {
            const struct auth_head *h = &lists[l][i], *prev = i ? h - 1 : NULL;
            if (h->seq < 1 || (a->next && h->seq > a->next) || strlen(h->hash) != 64 ||
                strspn(h->hash, "0123456789abcdef") != 64)
                return 0;
            /* heads: each number once; anomalies: distinct, by number then hash */
            if (prev &&
                (l == 0 ? prev->seq >= h->seq
                        : prev->seq > h->seq || (prev->seq == h->seq && strcmp(prev->hash, h->hash) >= 0)))
                return 0;
        }
    }
    return 1;
}

static json_t *heads_json(const struct auth_head *h, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (json_array_append_new(list,
                                  json_pack("{s:I,s:s}", "seq", (json_int_t)h[i].seq, "hash", h[i].hash))) {
            json_decref(list);
            list = NULL;
        }
    return list;
}

enum ru_status answer_encode_journal_heads(const struct journal_heads *a, char **json)
{
    if (!heads_page_valid(a))
        return RU_ERR_INVALID;
    json_t *heads = heads_json(a->heads, a->n), *anomalies = heads_json(a->anomalies, a->n_anomalies);
    json_t *next = a->next ? json_integer(a->next) : json_null();
    if (!heads || !anomalies || !next) {
        json_decref(heads);
        json_decref(anomalies);
        json_decref(next);
        return RU_ERR_NOMEM;
    }
    return api_dump(json_pack("{s:o,s:o,s:o}", "heads", heads, "anomalies", anomalies, "next", next), json);
}

enum ru_status answer_encode_error(const char *code, const char *message, char **json)
{
    return api_dump(json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message), json);
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

/* Object O as a journal head into *out: seq from 1, hash 64 lowercase hex digits. */
static enum ru_status take_head(json_t *o, struct auth_head *out)
{
    static const struct afield f[] = {
        AFIELD_RANGE(struct auth_head, seq, A_LLONG, 1, LLONG_MAX),
        AFIELD(struct auth_head, hash, A_TEXT, 1),
    };
    struct auth_head h;
    enum ru_status rc = take_fields(o, f, NFIELDS(f), &h, sizeof(h));
    if (rc == RU_OK && (strlen(h.hash) != 64 || strspn(h.hash, "0123456789abcdef") != 64))
        rc = RU_ERR_INVALID;
    if (rc == RU_OK)
        *out = h;
    return rc;
}

enum ru_status answer_parse_journal_head(const char *body, size_t len, struct auth_head *out)
{
    json_t *o = load_answer(body, len);
    enum ru_status rc = take_head(o, out);
    json_decref(o);
    return rc;
}

/* The array LIST of heads into *OUT (owned, NULL when empty) and *N. */
static enum ru_status take_heads(json_t *list, struct auth_head **out, size_t *n)
{
    json_t *h;
    size_t i;
    if (!json_is_array(list) || json_array_size(list) > API_HEADS_MAX)
        return RU_ERR_INVALID;
    if (json_array_size(list) && !(*out = calloc(json_array_size(list), sizeof(**out))))
        return RU_ERR_NOMEM;
    json_array_foreach(list, i, h)
    {
        if (take_head(h, &(*out)[i]) != RU_OK)
            return RU_ERR_INVALID;
        (*n)++;
    }
    return RU_OK;
}

enum ru_status answer_parse_journal_heads(const char *body, size_t len, struct journal_heads *out)
{
    struct journal_heads p = {NULL, 0, NULL, 0, 0};
    json_t *o = load_answer(body, len), *next = json_object_get(o, "next");
    enum ru_status rc = take_heads(json_object_get(o, "heads"), &p.heads, &p.n);
    if (rc == RU_OK)
        rc = take_heads(json_object_get(o, "anomalies"), &p.anomalies, &p.n_anomalies);
    if (rc == RU_OK && !json_is_null(next) && (!json_is_integer(next) || json_integer_value(next) < 1))
        rc = RU_ERR_INVALID;
    if (rc == RU_OK && json_is_integer(next))
        p.next = (long long)json_integer_value(next);
    if (rc == RU_OK && !heads_page_valid(&p))
        rc = RU_ERR_INVALID;
    json_decref(o);
    if (rc != RU_OK)
        journal_heads_release(&p);
    else
        *out = p;
    return rc;
}

void journal_heads_release(struct journal_heads *a)
{
    free(a->heads);
    free(a->anomalies);
    memset(a, 0, sizeof(*a));
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
