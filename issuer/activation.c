/* issuer/activation.c - activations, voids and reversals, exactly once. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/activation.h"
#include "issuer/api-private.h"
#include "db/db.h"
#include "common/wipe.h"
#include "common/banned.h"

void activation_answer_release(struct activation_answer *a)
{
    wipe_free(a->body); /* an on-demand card's answer holds its PIN */
    a->body = NULL;
}

/* Set *OUT to STATUS with *TEXT (owned: taken) when the encoder gave RC. */
static enum ru_status answer_encoded(struct activation_answer *out, int status, enum ru_status rc,
                                     char **text)
{
    if (rc != RU_OK)
        return rc;
    out->http_status = status;
    out->body = *text;
    *text = NULL;
    return RU_OK;
}

enum ru_status activation_answer_json(struct activation_answer *out, int status, json_t *o)
{
    char *text = NULL;
    enum ru_status rc = api_dump(o, &text);
    return answer_encoded(out, status, rc, &text);
}

enum ru_status activation_answer_error(struct activation_answer *out, int status, const char *code,
                                       const char *message)
{
    char *text = NULL;
    return answer_encoded(out, status, answer_encode_error(code, message, &text), &text);
}

static enum ru_status answer_text(struct activation_answer *out, int status, const char *text)
{
    out->http_status = status;
    out->body = strdup(text);
    return out->body ? RU_OK : RU_ERR_NOMEM;
}

static enum ru_status answer_void(struct activation_answer *out)
{
    struct void_result v = {.status = "issued"};
    char *text = NULL;
    return answer_encoded(out, 200, answer_encode_void(&v, &text), &text);
}

static enum ru_status answer_reversal(struct activation_answer *out, int reversed)
{
    struct reversal_result r = {.reversed = reversed};
    char *text = NULL;
    return answer_encoded(out, 200, answer_encode_reversal(&r, &text), &text);
}

/* The stored request row of the caller's request_id, if any: request ids are each
 * terminal's own, so another terminal's row is never seen. */
struct stored {
    int found;
    char kind[16], serial[CARD_DIGITS + 1], plan[17], currency[4], state[16];
    long long amount, age_s;
    int http_status;
    char *answer; /* owned */
};

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, len, "%s", t ? (const char *)t : "");
}

static enum ru_status load(struct db *db, const struct activation_caller *who, const char *request_id,
                           struct stored *s)
{
    sqlite3_stmt *st = NULL;
    memset(s, 0, sizeof(*s));
    enum ru_status rc = db_prepare(db,
                                   "SELECT kind, plan, serial, amount, currency, state, http_status, answer,"
                                   " CAST(strftime('%s', 'now') - strftime('%s', created_at) AS INTEGER)"
                                   " FROM request WHERE store_id = ?1 AND terminal = ?2 AND request_id = ?3",
                                   &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, who->store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, who->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, request_id, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        s->found = 1;
        copy_col(st, 0, s->kind, sizeof(s->kind));
        copy_col(st, 1, s->plan, sizeof(s->plan));
        copy_col(st, 2, s->serial, sizeof(s->serial));
        s->amount = sqlite3_column_int64(st, 3);
        copy_col(st, 4, s->currency, sizeof(s->currency));
        copy_col(st, 5, s->state, sizeof(s->state));
        s->http_status = sqlite3_column_int(st, 6);
        s->answer = strdup((const char *)sqlite3_column_text(st, 7));
        s->age_s = sqlite3_column_int64(st, 8);
        if (!s->answer)
            rc = RU_ERR_NOMEM;
    } else if (r != SQLITE_DONE) {
        rc = db_fail(db, "reading a request");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Run SQL with text parameters (NULL binds NULL); one statement, no rows. */
static enum ru_status exec(struct db *db, const char *sql, int n, const char *const *params)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(db, sql, &st);
    if (rc != RU_OK)
        return rc;
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(db, "writing");
    sqlite3_finalize(st);
    return rc;
}

/* What a request asked for, as recorded. */
struct asked {
    const char *serial, *plan, *currency;
    long long amount;
};

static enum ru_status record(struct db *db, const char *request_id, const char *kind,
                             const struct activation_caller *who, const struct asked *q, const char *state,
                             int http_status, const char *answer)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc =
        db_prepare(db,
                   "INSERT INTO request(request_id, kind, terminal, store_id, serial, plan, amount,"
                   " currency, state, http_status, answer, created_at, changed_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " LEDGER_NOW ", " LEDGER_NOW ")",
                   &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, who->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, who->store, -1, SQLITE_STATIC);
    if (q) {
        sqlite3_bind_text(st, 5, q->serial, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, q->plan, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, q->amount);
        sqlite3_bind_text(st, 8, q->currency, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, 9, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, http_status);
    sqlite3_bind_text(st, 11, answer, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(db, "recording the request");
    sqlite3_finalize(st);
    return rc;
}

/* Six characters a cashier can read out: no 0/O or 1/I. */
static enum ru_status auth_code(char *out)
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char r[6];
    if (secret_random(r, sizeof(r)) != RU_OK)
        return RU_ERR_IO;
    for (int i = 0; i < 6; i++)
        out[i] = alphabet[r[i] % 32];
    out[6] = '\0';
    return RU_OK;
}

/* Decide a new activation; *state gets "active" or "refused". */
static enum ru_status decide(struct db *db, const struct activation_caller *who,
                             const struct activation_request *rq, struct activation_answer *out,
                             const char **state)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(db,
                                   "SELECT c.status, c.plan, p.price_cents, p.currency FROM card c"
                                   " JOIN plan p ON p.code = c.plan WHERE c.serial = ?1",
                                   &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, rq->serial, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    char status[16] = "", plan[17] = "", currency[4] = "";
    long long price = 0;
    if (r == SQLITE_ROW) {
        copy_col(st, 0, status, sizeof(status));
        copy_col(st, 1, plan, sizeof(plan));
        price = sqlite3_column_int64(st, 2);
        copy_col(st, 3, currency, sizeof(currency));
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_fail(db, "reading the card");

    *state = "refused";
    if (r == SQLITE_DONE)
        return activation_answer_error(out, 404, "card_not_found", "no card has this serial");
    if (rq->amount != price || strcmp(rq->currency, currency) != 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "the plan %s costs %lld %s", plan, price, currency);
        return activation_answer_error(out, 422, "amount_mismatch", msg);
    }
    if (!strcmp(status, "active"))
        return activation_answer_error(out, 409, "card_already_active", "the card is active already");
    if (!strcmp(status, "redeemed"))
        return activation_answer_error(out, 409, "card_redeemed", "the card has been redeemed");
    if (!strcmp(status, "blocked"))
        return activation_answer_error(out, 409, "card_blocked",
                                       "the card is blocked (lost or stolen stock)");

    struct activation_result a = {.status = "active"};
    if ((rc = auth_code(a.auth_code)) != RU_OK)
        return rc;
    snprintf(a.activation_id, sizeof(a.activation_id), "act_%.8s%.4s", rq->request_id, rq->request_id + 9);
    memcpy(a.serial, rq->serial, sizeof(a.serial));
    memcpy(a.plan, plan, sizeof(a.plan));
    const char *p[] = {who->store, rq->serial};
    if ((rc = exec(db,
                   "UPDATE card SET status = 'active', store_id = ?1, activated_at = " LEDGER_NOW
                   " WHERE serial = ?2 AND status = 'issued'",
                   2, p)) != RU_OK)
        return rc;
    *state = "active";
    char *text = NULL;
    return answer_encoded(out, 201, answer_encode_activation(&a, &text), &text);
}

/* Whether the card has been redeemed: then its sale can no longer be taken back. */
static enum ru_status card_redeemed(struct db *db, const char *serial, int *redeemed)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(db, "SELECT status = 'redeemed' FROM card WHERE serial = ?1", &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    *redeemed = r == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RU_OK : db_fail(db, "reading the card");
}

/* Take back what request S did to its card: a sold card returns to stock; an on-demand
 * card is blocked, since its PIN has already left the issuer. */
static enum ru_status undo_card(struct db *db, const struct stored *s, const char *const *serial)
{
    return exec(db,
                !strcmp(s->kind, "card")
                    ? "UPDATE card SET status = 'blocked' WHERE serial = ?1 AND status = 'active'"
                    : "UPDATE card SET status = 'issued', store_id = NULL, activated_at = NULL"
                      " WHERE serial = ?1 AND status = 'active'",
                1, serial);
}

/* Each call is a transaction of its own, or a savepoint of the caller's batch. */
enum ru_status activation_start(struct ledger *lg)
{
    return ledger_in_batch(lg) ? db_exec(ledger_db(lg), "SAVEPOINT call") : db_begin(ledger_db(lg));
}

/* The common end of a void and a reversal: take the card back, mark the request with
 * STATE and audit it. */
static enum ru_status take_back(struct ledger *lg, const struct activation_caller *who,
                                const struct stored *s, const char *request_id, const char *state,
                                const char *actor, const char *action, const char *detail)
{
    struct db *db = ledger_db(lg);
    const char *serial[] = {s->serial}, *update[] = {state, who->store, who->terminal, request_id};
    enum ru_status rc;
    if ((rc = undo_card(db, s, serial)) != RU_OK ||
        (rc = exec(db,
                   "UPDATE request SET state = ?1, changed_at = " LEDGER_NOW
                   " WHERE store_id = ?2 AND terminal = ?3 AND request_id = ?4",
                   4, update)) != RU_OK ||
        (rc = ledger_audit(lg, actor, action, s->serial, request_id, "ok", detail)) != RU_OK)
        return rc;
    return RU_OK;
}

/* Commit (or release the savepoint), or roll back and drop the answer. */
enum ru_status activation_finish(struct ledger *lg, enum ru_status rc, struct activation_answer *out)
{
    struct db *db = ledger_db(lg);
    if (ledger_in_batch(lg)) {
        if (rc != RU_OK && db_exec(db, "ROLLBACK TO call") != RU_OK)
            rc = RU_ERR_DB;
        if (db_exec(db, "RELEASE call") != RU_OK && rc == RU_OK)
            rc = RU_ERR_DB;
    } else {
        if (rc == RU_OK)
            rc = db_commit(db);
        if (rc != RU_OK)
            db_rollback(db);
    }
    if (rc != RU_OK)
        activation_answer_release(out);
    return rc;
}

enum ru_status activation_activate(struct ledger *lg, const struct activation_caller *who,
                                   const struct activation_request *rq, struct activation_answer *out)
{
    struct db *db = ledger_db(lg);
    struct stored s;
    const char *state = NULL;
    enum ru_status rc;
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    if ((rc = load(db, who, rq->request_id, &s)) != RU_OK)
        goto out;
    if (s.found) {
        if (!strcmp(s.kind, "reversal"))
            rc = activation_answer_error(out, 409, "request_reversed",
                                         "this request_id was reversed: use a new one");
        else if (strcmp(s.kind, "activation") || strcmp(s.serial, rq->serial) || s.amount != rq->amount ||
                 strcmp(s.currency, rq->currency))
            rc = activation_answer_error(out, 422, "request_id_reused",
                                         "this request_id was used with other parameters");
        else if (!strcmp(s.state, "reversed"))
            rc = activation_answer_error(out, 409, "request_reversed", "this activation was reversed");
        else if (!strcmp(s.state, "voided"))
            rc = activation_answer_error(out, 409, "activation_voided", "this activation was voided");
        else
            rc = answer_text(out, s.http_status, s.answer); /* a retry: the same answer */
        goto out;
    }
    if ((rc = decide(db, who, rq, out, &state)) != RU_OK)
        goto out;
    struct asked q = {.serial = rq->serial, .currency = rq->currency, .amount = rq->amount};
    if ((rc = record(db, rq->request_id, "activation", who, &q, state, out->http_status, out->body)) != RU_OK)
        goto out;
    char detail[64];
    snprintf(detail, sizeof(detail), "%d", out->http_status);
    char actor[80];
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    rc = ledger_audit(lg, actor, "activate", rq->serial, rq->request_id,
                      !strcmp(state, "active") ? "ok" : "refused", detail);
out:
    free(s.answer);
    return activation_finish(lg, rc, out);
}

enum ru_status activation_void(struct ledger *lg, const struct activation_caller *who, const char *request_id,
                               const struct void_request *rq, long long window_s,
                               struct activation_answer *out)
{
    struct db *db = ledger_db(lg);
    struct stored s;
    enum ru_status rc;
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    if ((rc = load(db, who, request_id, &s)) != RU_OK)
        goto out;
    if (!s.found || !strcmp(s.kind, "reversal")) {
        rc = activation_answer_error(out, 404, "activation_not_found",
                                     "this terminal has no activation with this request_id");
        goto out;
    }
    if (!strcmp(s.state, "voided")) {
        rc = answer_void(out);
        goto out;
    }
    if (!strcmp(s.state, "reversed") || !strcmp(s.state, "refused")) {
        rc = activation_answer_error(
            out, 409, !strcmp(s.state, "reversed") ? "activation_reversed" : "activation_refused",
            "there is no activation in force to void");
        goto out;
    }
    int redeemed;
    if ((rc = card_redeemed(db, s.serial, &redeemed)) != RU_OK)
        goto out;
    if (redeemed) {
        rc = activation_answer_error(out, 409, "card_redeemed",
                                     "the card has been redeemed: it cannot be voided");
        goto out;
    }
    if (s.age_s > window_s) {
        rc = activation_answer_error(out, 409, "void_window_passed",
                                     "the void window of this activation has passed");
        goto out;
    }
    char actor[80];
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    if ((rc = take_back(lg, who, &s, request_id, "voided", actor, "void", rq->reason)) == RU_OK)
        rc = answer_void(out);
out:
    free(s.answer);
    return activation_finish(lg, rc, out);
}

enum ru_status activation_reverse(struct ledger *lg, const struct activation_caller *who,
                                  const struct reversal_request *rq, struct activation_answer *out)
{
    struct db *db = ledger_db(lg);
    struct stored s;
    enum ru_status rc;
    char actor[80];
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    if ((rc = load(db, who, rq->request_id, &s)) != RU_OK)
        goto out;
    if (!s.found) {
        /* Never seen from this terminal: remember it, so that the activation is refused if
         * it arrives late. Another terminal's request of the same id is not touched. */
        if ((rc = answer_reversal(out, 0)) != RU_OK ||
            (rc = record(db, rq->request_id, "reversal", who, NULL, "reversed", out->http_status,
                         out->body)) != RU_OK ||
            (rc = ledger_audit(lg, actor, "reverse", NULL, rq->request_id, "ok", "unseen: recorded")) !=
                RU_OK)
            goto out;
        goto out;
    }
    if (!strcmp(s.kind, "reversal") || !strcmp(s.state, "voided") || !strcmp(s.state, "refused")) {
        rc = answer_reversal(out, 0);
        goto out;
    }
    if (!strcmp(s.state, "reversed")) {
        rc = answer_reversal(out, 1);
        goto out;
    }
    int redeemed;
    if ((rc = card_redeemed(db, s.serial, &redeemed)) != RU_OK)
        goto out;
    if (redeemed) {
        rc = activation_answer_error(out, 409, "card_redeemed",
                                     "the card has been redeemed: the activation stands");
        goto out;
    }
    if ((rc = take_back(lg, who, &s, rq->request_id, "reversed", actor, "reverse", "undone")) == RU_OK)
        rc = answer_reversal(out, 1);
out:
    free(s.answer);
    return activation_finish(lg, rc, out);
}

enum ru_status activation_card(struct ledger *lg, const struct activation_caller *who,
                               const struct card_request *rq, struct activation_answer *out)
{
    struct db *db = ledger_db(lg);
    struct stored s;
    sqlite3_stmt *st = NULL;
    enum ru_status rc;
    char actor[80], *stored_answer = NULL;
    struct ondemand_card card = {0};
    const char *state = "refused";
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    if ((rc = load(db, who, rq->request_id, &s)) != RU_OK)
        goto out;
    if (s.found) {
        if (!strcmp(s.kind, "reversal") || !strcmp(s.state, "reversed"))
            rc = activation_answer_error(out, 409, "request_reversed",
                                         "this request_id was reversed: use a new one");
        else if (strcmp(s.kind, "card") || strcmp(s.plan, rq->plan) || s.amount != rq->amount ||
                 strcmp(s.currency, rq->currency))
            rc = activation_answer_error(out, 422, "request_id_reused",
                                         "this request_id was used with other parameters");
        else if (!strcmp(s.state, "voided"))
            rc = activation_answer_error(out, 409, "activation_voided", "this card was voided");
        else
            rc = answer_text(out, s.http_status, s.answer); /* a retry: the same card, the PIN not again */
        goto out;
    }
    if ((rc = db_prepare(db, "SELECT price_cents, currency FROM plan WHERE code = ?1", &st)) != RU_OK)
        goto out;
    sqlite3_bind_text(st, 1, rq->plan, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    long long price = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    char currency[4] = "";
    if (r == SQLITE_ROW)
        copy_col(st, 1, currency, sizeof(currency));
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE) {
        rc = db_fail(db, "reading the plan");
        goto out;
    }
    if (r == SQLITE_DONE) {
        rc = activation_answer_error(out, 404, "plan_not_found", "no plan has this code");
    } else if (rq->amount != price || strcmp(rq->currency, currency) != 0) {
        rc = activation_answer_error(out, 422, "amount_mismatch",
                                     "amount and currency must be the plan's price");
    } else if ((rc = ledger_new_active_card(lg, rq->plan, who->store, card.serial, card.pin)) == RU_OK &&
               (rc = auth_code(card.auth_code)) == RU_OK) {
        state = "active";
        memcpy(card.plan, rq->plan, sizeof(card.plan));
        char *text = NULL;
        rc = answer_encoded(out, 201, answer_encode_ondemand(&card, &text), &text);
        /* what a retry gets: the same card, but the PIN is sent only once */
        wipe(card.pin, sizeof(card.pin));
        if (rc == RU_OK)
            rc = answer_encode_ondemand(&card, &stored_answer);
    }
    if (rc != RU_OK)
        goto out;
    struct asked q = {.serial = *card.serial ? card.serial : NULL,
                      .plan = rq->plan,
                      .currency = rq->currency,
                      .amount = rq->amount};
    if ((rc = record(db, rq->request_id, "card", who, &q, state, out->http_status,
                     stored_answer ? stored_answer : out->body)) != RU_OK)
        goto out;
    rc = ledger_audit(lg, actor, "card", *card.serial ? card.serial : NULL, rq->request_id,
                      !strcmp(state, "active") ? "ok" : "refused", rq->plan);
out:
    ondemand_card_release(&card);
    free(stored_answer);
    free(s.answer);
    return activation_finish(lg, rc, out);
}
