/* issuer/store.c - typed calls on the named statements of issuer/engine.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/store.h"
#include "issuer/engine.h"
#include "common/banned.h"

struct store {
    const struct engine_ops *ops;
    struct engine *e;
    int bare; /* savepoints off (store_set_savepoints()) */
};

int store_target_is_pg(const char *target)
{
    return !strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11);
}

enum ru_status store_open(const char *target, int create, struct store **out)
{
    struct store *s = calloc(1, sizeof(*s));
    if (!s)
        return RU_ERR_NOMEM;
    s->ops = store_target_is_pg(target) ? &engine_pg : &engine_sqlite;
    enum ru_status rc = s->ops->open(target, create, &s->e);
    if (!s->e) {
        free(s);
        return RU_ERR_NOMEM;
    }
    *out = s;
    return rc;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    s->ops->close(s->e);
    free(s);
}

const char *store_errmsg(const struct store *s)
{
    return s->ops->errmsg(s->e);
}

const char *store_engine(const struct store *s)
{
    return s->ops->name;
}

enum ru_status store_schema_version(struct store *s, int *version)
{
    return s->ops->schema_version(s->e, version);
}

int store_schema_latest(const struct store *s)
{
    return s->ops->schema_latest();
}

enum ru_status store_migrate(struct store *s)
{
    return s->ops->migrate(s->e);
}

enum ru_status store_begin(struct store *s)
{
    return s->ops->begin(s->e);
}

enum ru_status store_commit(struct store *s)
{
    return s->ops->commit(s->e);
}

void store_rollback(struct store *s)
{
    s->ops->rollback(s->e);
}

void store_set_savepoints(struct store *s, int on)
{
    s->bare = !on;
}

enum ru_status store_savepoint(struct store *s)
{
    return s->bare ? RU_OK : s->ops->savepoint(s->e);
}

enum ru_status store_release(struct store *s, int undo)
{
    if (s->bare)
        return undo ? RU_ERR_DB : RU_OK;
    return s->ops->release(s->e, undo);
}

/* A text parameter (NULL: NULL); a function, so that arrays pass without a warning. */
static struct value T(const char *text) {
    return VAL_T(text);
}

#define NPARAMS(p) ((int)(sizeof(p) / sizeof((p)[0])))

/* Run Q for its effect alone, now. */
static enum ru_status
run_now(struct store *s, enum query q, const struct value *p, int n)
{
    enum ru_status rc = s->ops->run(s->e, q, p, n);
    if (rc == RU_OK)
        s->ops->finish(s->e);
    return rc;
}

/* Run Q for its effect alone; without savepoints, sent without waiting where the engine
 * can (store_set_savepoints()). */
static enum ru_status exec(struct store *s, enum query q, const struct value *p, int n)
{
    return s->bare && s->ops->send ? s->ops->send(s->e, q, p, n) : run_now(s, q, p, n);
}

/* Run Q and step to its first row: RU_OK with the row there (read it, then finish()),
 * RU_ERR_NOT_FOUND with the statement finished already, or a failure. */
static enum ru_status first_row(struct store *s, enum query q, const struct value *p, int n)
{
    enum ru_status rc = s->ops->run(s->e, q, p, n);
    if (rc != RU_OK)
        return rc;
    if (s->ops->next(s->e, &rc))
        return RU_OK;
    s->ops->finish(s->e);
    return rc == RU_OK ? RU_ERR_NOT_FOUND : rc;
}

/* Column I as text into DST, "" for NULL, cut to LEN. */
static void text(struct store *s, int i, char *dst, size_t len)
{
    const char *t = s->ops->column_text(s->e, i);
    snprintf(dst, len, "%s", t ? t : "");
}

/* The one integer of a one-row statement. */
static enum ru_status one_int(struct store *s, enum query q, const struct value *p, int n, long long *v)
{
    enum ru_status rc = first_row(s, q, p, n);
    if (rc == RU_OK) {
        *v = s->ops->column_int(s->e, 0);
        s->ops->finish(s->e);
    }
    return rc == RU_ERR_NOT_FOUND ? RU_ERR_DB : rc;
}

enum ru_status store_settings_init(struct store *s, unsigned prefix)
{
    char text4[8];
    snprintf(text4, sizeof(text4), "%04u", prefix);
    const struct value p[] = {T(text4)};
    return exec(s, Q_SETTINGS_INIT, p, NPARAMS(p));
}

enum ru_status store_prefix(struct store *s, long long *prefix)
{
    return one_int(s, Q_SETTING_PREFIX, NULL, 0, prefix);
}

enum ru_status store_sequence_take(struct store *s, long long count, long long *first)
{
    const struct value p[] = {VAL_I(count)};
    return one_int(s, Q_SEQUENCE_TAKE, p, NPARAMS(p), first);
}

enum ru_status store_plan_insert(struct store *s, const char *code, int months, long long price_cents,
                                 const char *currency, const char *gtin)
{
    const struct value p[] = {T(code), VAL_I(months), VAL_I(price_cents), T(currency), T(gtin)};
    return exec(s, Q_PLAN_INSERT, p, NPARAMS(p));
}

enum ru_status store_plan_get(struct store *s, const char *code, int *months, long long *price_cents,
                              char currency[4])
{
    const struct value p[] = {T(code)};
    enum ru_status rc = first_row(s, Q_PLAN_GET, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    *months = (int)s->ops->column_int(s->e, 0);
    *price_cents = s->ops->column_int(s->e, 1);
    text(s, 2, currency, 4);
    s->ops->finish(s->e);
    return RU_OK;
}

enum ru_status store_plan_list(struct store *s, struct plan_list *out)
{
    struct plan_list l = {NULL, 0};
    size_t cap = 0;
    enum ru_status rc = s->ops->run(s->e, Q_PLAN_LIST, NULL, 0);
    if (rc != RU_OK)
        return rc;
    while (s->ops->next(s->e, &rc)) {
        if (l.n == cap) {
            struct plan_info *more = realloc(l.plans, (cap = cap ? 2 * cap : 16) * sizeof(*more));
            if (!more) {
                rc = RU_ERR_NOMEM;
                break;
            }
            l.plans = more;
        }
        struct plan_info *pl = &l.plans[l.n++];
        memset(pl, 0, sizeof(*pl));
        text(s, 0, pl->code, sizeof(pl->code));
        pl->months = (int)s->ops->column_int(s->e, 1);
        pl->price = s->ops->column_int(s->e, 2);
        text(s, 3, pl->currency, sizeof(pl->currency));
        text(s, 4, pl->gtin, sizeof(pl->gtin));
    }
    s->ops->finish(s->e);
    if (rc != RU_OK)
        plan_list_release(&l);
    else
        *out = l;
    return rc;
}

enum ru_status store_terminal_insert(struct store *s, const char *id, const char *store_id,
                                     const unsigned char secret[SECRET_BYTES])
{
    const struct value p[] = {T(id), T(store_id), VAL_B(secret, SECRET_BYTES)};
    return exec(s, Q_TERMINAL_INSERT, p, NPARAMS(p));
}

enum ru_status store_terminal_rotate(struct store *s, const char *id, const char *store_id,
                                     const unsigned char secret[SECRET_BYTES])
{
    const struct value p[] = {T(id), T(store_id), VAL_B(secret, SECRET_BYTES)};
    enum ru_status rc = first_row(s, Q_TERMINAL_ROTATE, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    s->ops->finish(s->e);
    return RU_OK;
}

int store_can_listen(const struct store *s)
{
    return s->ops->listen != NULL;
}

enum ru_status store_terminal_listen(struct store *s)
{
    return s->ops->listen ? s->ops->listen(s->e) : RU_ERR_INVALID;
}

enum ru_status store_terminal_heard(struct store *s, int timeout_ms, char *terminal, size_t len)
{
    return s->ops->heard ? s->ops->heard(s->e, timeout_ms, terminal, len) : RU_ERR_INVALID;
}

enum ru_status store_terminal_get(struct store *s, const char *id, unsigned char secret[SECRET_BYTES],
                                  char store_id[65])
{
    const struct value p[] = {T(id)};
    enum ru_status rc = first_row(s, Q_TERMINAL_GET, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    size_t len = 0;
    const void *b = s->ops->column_blob(s->e, 0, &len);
    if (b && len == SECRET_BYTES) {
        memcpy(secret, b, SECRET_BYTES);
        text(s, 1, store_id, 65);
    } else {
        rc = RU_ERR_NOT_FOUND; /* the schema holds it to 32 bytes: never here */
    }
    s->ops->finish(s->e);
    return rc;
}

enum ru_status store_batch_count(struct store *s, long long *n)
{
    return one_int(s, Q_BATCH_COUNT, NULL, 0, n);
}

enum ru_status store_batch_insert(struct store *s, const char *id, const char *plan, long long count)
{
    const struct value p[] = {T(id), T(plan), VAL_I(count)};
    return exec(s, Q_BATCH_INSERT, p, NPARAMS(p));
}

enum ru_status store_card_insert(struct store *s, const char *serial, const char *plan, const char *batch,
                                 const unsigned char *mac, size_t len)
{
    const struct value p[] = {T(serial), T(plan), T(batch), VAL_B(mac, len)};
    return exec(s, Q_CARD_INSERT, p, NPARAMS(p));
}

enum ru_status store_card_insert_active(struct store *s, const char *serial, const char *plan,
                                        const unsigned char *mac, size_t len, const char *store_id)
{
    const struct value p[] = {T(serial), T(plan), VAL_B(mac, len), T(store_id)};
    return exec(s, Q_CARD_INSERT_ACTIVE, p, NPARAMS(p));
}

enum ru_status store_card_show(struct store *s, const char *serial, struct store_card *out)
{
    const struct value p[] = {T(serial)};
    enum ru_status rc = first_row(s, Q_CARD_SHOW, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    text(s, 0, out->serial, sizeof(out->serial));
    text(s, 1, out->plan, sizeof(out->plan));
    text(s, 2, out->status, sizeof(out->status));
    text(s, 3, out->activated_at, sizeof(out->activated_at));
    text(s, 4, out->store_id, sizeof(out->store_id));
    s->ops->finish(s->e);
    return RU_OK;
}

/* Run the write Q with one text parameter; *n gets the rows it changed. */
static enum ru_status write_count(struct store *s, enum query q, const char *param, long long *n)
{
    const struct value p[] = {T(param)};
    enum ru_status rc = run_now(s, q, p, NPARAMS(p));
    if (rc == RU_OK && n)
        *n = s->ops->changes(s->e);
    return rc;
}

enum ru_status store_card_block(struct store *s, const char *serial, long long *n)
{
    return write_count(s, Q_CARD_BLOCK, serial, n);
}

enum ru_status store_card_block_batch(struct store *s, const char *batch, long long *n)
{
    return write_count(s, Q_CARD_BLOCK_BATCH, batch, n);
}

enum ru_status store_card_for_sale(struct store *s, const char *serial, struct store_sale *out)
{
    const struct value p[] = {T(serial)};
    enum ru_status rc = first_row(s, Q_CARD_FOR_SALE, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    text(s, 0, out->status, sizeof(out->status));
    text(s, 1, out->plan, sizeof(out->plan));
    out->price_cents = s->ops->column_int(s->e, 2);
    text(s, 3, out->currency, sizeof(out->currency));
    s->ops->finish(s->e);
    return RU_OK;
}

void store_card_for_sale_ahead(struct store *s, const char *serial)
{
    const struct value p[] = {T(serial)};
    if (s->ops->ahead)
        (void)s->ops->ahead(s->e, Q_CARD_FOR_SALE, p, NPARAMS(p)); /* a failure is the next call's */
}

enum ru_status store_card_activate(struct store *s, const char *store_id, const char *serial)
{
    const struct value p[] = {T(store_id), T(serial)};
    return exec(s, Q_CARD_ACTIVATE, p, NPARAMS(p));
}

enum ru_status store_card_redeemed(struct store *s, const char *serial, int *redeemed)
{
    const struct value p[] = {T(serial)};
    enum ru_status rc = first_row(s, Q_CARD_REDEEMED, p, NPARAMS(p));
    *redeemed = 0;
    if (rc == RU_ERR_NOT_FOUND)
        return RU_OK;
    if (rc != RU_OK)
        return rc;
    *redeemed = s->ops->column_int(s->e, 0) != 0;
    s->ops->finish(s->e);
    return RU_OK;
}

enum ru_status store_card_return(struct store *s, const char *serial)
{
    return write_count(s, Q_CARD_RETURN, serial, NULL);
}

enum ru_status store_card_block_active(struct store *s, const char *serial)
{
    return write_count(s, Q_CARD_BLOCK_ACTIVE, serial, NULL);
}

enum ru_status store_card_by_pin(struct store *s, const unsigned char *mac, size_t len,
                                 char serial[CARD_DIGITS + 1], char plan[17], int *months)
{
    const struct value p[] = {VAL_B(mac, len)};
    enum ru_status rc = first_row(s, Q_CARD_BY_PIN, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    text(s, 0, serial, CARD_DIGITS + 1);
    text(s, 1, plan, 17);
    *months = (int)s->ops->column_int(s->e, 2);
    s->ops->finish(s->e);
    return RU_OK;
}

enum ru_status store_card_redeem(struct store *s, const char *serial, const char *account)
{
    const struct value p[] = {T(serial), T(account)};
    return exec(s, Q_CARD_REDEEM, p, NPARAMS(p));
}

enum ru_status store_subscription_extend(struct store *s, const char *account, int months, char expires[32])
{
    const struct value p[] = {T(account), VAL_I(months)};
    enum ru_status rc = first_row(s, Q_SUBSCRIPTION_EXTEND, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc == RU_ERR_NOT_FOUND ? RU_ERR_DB : rc;
    text(s, 0, expires, 32);
    s->ops->finish(s->e);
    return RU_OK;
}

enum ru_status store_request_get(struct store *s, const char *store_id, const char *terminal,
                                 const char *request_id, struct store_request *out)
{
    const struct value p[] = {T(store_id), T(terminal), T(request_id)};
    memset(out, 0, sizeof(*out));
    enum ru_status rc = first_row(s, Q_REQUEST_GET, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    text(s, 0, out->kind, sizeof(out->kind));
    text(s, 1, out->plan, sizeof(out->plan));
    text(s, 2, out->serial, sizeof(out->serial));
    out->amount = s->ops->column_type(s->e, 3) == VAL_NULL ? 0 : s->ops->column_int(s->e, 3);
    text(s, 4, out->currency, sizeof(out->currency));
    text(s, 5, out->state, sizeof(out->state));
    out->http_status = (int)s->ops->column_int(s->e, 6);
    const char *answer = s->ops->column_text(s->e, 7);
    out->answer = strdup(answer ? answer : "");
    out->age_s = s->ops->column_int(s->e, 8);
    s->ops->finish(s->e);
    return out->answer ? RU_OK : RU_ERR_NOMEM;
}

void store_request_release(struct store_request *r)
{
    free(r->answer);
    r->answer = NULL;
}

enum ru_status store_request_insert(struct store *s, const struct store_request_row *r)
{
    const struct value p[] = {T(r->request_id),
                              T(r->kind),
                              T(r->terminal),
                              T(r->store_id),
                              T(r->serial),
                              T(r->plan),
                              r->has_amount ? VAL_I(r->amount) : T(NULL),
                              T(r->currency),
                              T(r->state),
                              VAL_I(r->http_status),
                              T(r->answer)};
    return exec(s, Q_REQUEST_INSERT, p, NPARAMS(p));
}

enum ru_status store_request_set_state(struct store *s, const char *store_id, const char *terminal,
                                       const char *request_id, const char *state)
{
    const struct value p[] = {T(state), T(store_id), T(terminal), T(request_id)};
    return exec(s, Q_REQUEST_SET_STATE, p, NPARAMS(p));
}

enum ru_status store_refusals(struct store *s, const char *subject, long long window_s, long long *count,
                              long long *oldest)
{
    const struct value p[] = {T(subject), VAL_I(window_s)};
    enum ru_status rc = first_row(s, Q_REFUSALS, p, NPARAMS(p));
    *count = *oldest = 0;
    if (rc != RU_OK)
        return rc == RU_ERR_NOT_FOUND ? RU_ERR_DB : rc;
    *count = s->ops->column_int(s->e, 0);
    if (s->ops->column_type(s->e, 1) != VAL_NULL)
        *oldest = s->ops->column_int(s->e, 1);
    s->ops->finish(s->e);
    return RU_OK;
}

enum ru_status store_refusal_insert(struct store *s, const char *subject)
{
    const struct value p[] = {T(subject)};
    return exec(s, Q_REFUSAL_INSERT, p, NPARAMS(p));
}

/* The current row's (seq, hash) into H; 0 when the hash is not 64 characters. */
static int read_head(struct store *s, struct auth_head *h)
{
    const char *hash = s->ops->column_text(s->e, 1);
    if (!hash || strlen(hash) != 64)
        return 0; /* the table's CHECK holds it to 64: never here */
    h->seq = s->ops->column_int(s->e, 0);
    memcpy(h->hash, hash, 64);
    h->hash[64] = '\0';
    return 1;
}

enum ru_status store_head_latest(struct store *s, const char *store_id, const char *terminal,
                                 struct auth_head *out)
{
    const struct value p[] = {T(store_id), T(terminal)};
    enum ru_status rc = first_row(s, Q_HEAD_LATEST, p, NPARAMS(p));
    if (rc != RU_OK)
        return rc;
    if (!read_head(s, out))
        rc = RU_ERR_NOT_FOUND;
    s->ops->finish(s->e);
    return rc;
}

enum ru_status store_head_seen(struct store *s, const char *store_id, const char *terminal,
                               const struct auth_head *h, int *seen)
{
    const struct value p[] = {T(store_id), T(terminal), VAL_I(h->seq), T(h->hash)};
    enum ru_status rc = first_row(s, Q_HEAD_SEEN, p, NPARAMS(p));
    *seen = rc == RU_OK;
    if (rc == RU_OK)
        s->ops->finish(s->e);
    return rc == RU_ERR_NOT_FOUND ? RU_OK : rc;
}

enum ru_status store_head_insert(struct store *s, const char *store_id, const char *terminal,
                                 const struct auth_head *h, const char *kind)
{
    const struct value p[] = {T(store_id), T(terminal), VAL_I(h->seq), T(h->hash), T(kind)};
    return exec(s, Q_HEAD_INSERT, p, NPARAMS(p));
}

enum ru_status store_head_list(struct store *s, const char *store_id, const char *terminal, int anomalies,
                               long long after, long long upto, struct auth_head *heads, size_t max,
                               size_t *n)
{
    const struct value p[] = {T(store_id), T(terminal), VAL_I(after), VAL_I(upto), VAL_I((long long)max)};
    enum ru_status rc = s->ops->run(s->e, anomalies ? Q_ANOMALY_LIST : Q_HEAD_LIST, p, NPARAMS(p));
    *n = 0;
    if (rc != RU_OK)
        return rc;
    while (*n < max && s->ops->next(s->e, &rc))
        if (read_head(s, &heads[*n]))
            (*n)++;
    s->ops->finish(s->e);
    return rc;
}

enum ru_status store_audit_append(struct store *s, const char *actor, const char *action, const char *serial,
                                  const char *request_id, const char *outcome, const char *detail)
{
    const struct value p[] = {T(actor), T(action), T(serial), T(request_id), T(outcome), T(detail)};
    return exec(s, Q_AUDIT_INSERT, p, NPARAMS(p));
}

/* The rows of Q as a JSON array of objects keyed by column name (NULL stays null). */
static enum ru_status rows_json(struct store *s, enum query q, const struct value *p, int n, json_t **rows)
{
    enum ru_status rc = s->ops->run(s->e, q, p, n);
    if (rc != RU_OK)
        return rc;
    json_t *arr = json_array();
    while (arr && s->ops->next(s->e, &rc)) {
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o) != 0) {
            rc = RU_ERR_NOMEM;
            break;
        }
        for (int i = 0; i < s->ops->column_count(s->e); i++) {
            enum value_type t = s->ops->column_type(s->e, i);
            const char *txt = t == VAL_TEXT ? s->ops->column_text(s->e, i) : NULL;
            json_t *v = t == VAL_INT ? json_integer((json_int_t)s->ops->column_int(s->e, i))
                        : txt        ? json_string(txt)
                                     : json_null();
            if (!v || json_object_set_new(o, s->ops->column_name(s->e, i), v) != 0) {
                rc = RU_ERR_NOMEM;
                break;
            }
        }
        if (rc != RU_OK)
            break;
    }
    s->ops->finish(s->e);
    if (!arr && rc == RU_OK)
        rc = RU_ERR_NOMEM;
    if (rc != RU_OK) {
        json_decref(arr);
        return rc;
    }
    *rows = arr;
    return RU_OK;
}

enum ru_status store_audit_list(struct store *s, const char *since, json_t **rows)
{
    const struct value p[] = {T(since)};
    return rows_json(s, Q_AUDIT_LIST, p, NPARAMS(p), rows);
}

enum ru_status store_report_rows(struct store *s, enum store_report part, json_t **rows)
{
    static const enum query q[] = {
        [STORE_REPORT_CARDS] = Q_REPORT_CARDS,
        [STORE_REPORT_BATCHES] = Q_REPORT_BATCHES,
        [STORE_REPORT_TERMINALS] = Q_REPORT_TERMINALS,
        [STORE_REPORT_REQUESTS] = Q_REPORT_REQUESTS,
        [STORE_REPORT_SUBSCRIPTIONS] = Q_REPORT_SUBSCRIPTIONS,
    };
    if ((unsigned)part >= sizeof(q) / sizeof(q[0]))
        return RU_ERR_INVALID;
    return rows_json(s, q[part], NULL, 0, rows);
}
