/* issuer/activation.c - activations, voids and reversals, exactly once. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/activation.h"
#include "issuer/api-private.h"
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
    struct store_request r;
};

static enum ru_status load(struct store *st, const struct activation_caller *who, const char *request_id,
                           struct stored *s)
{
    enum ru_status rc = store_request_get(st, who->store, who->terminal, request_id, &s->r);
    s->found = rc == RU_OK;
    return rc == RU_ERR_NOT_FOUND ? RU_OK : rc;
}

/* What a request asked for, as recorded. */
struct asked {
    const char *serial, *plan, *currency;
    long long amount;
};

static enum ru_status record(struct store *st, const char *request_id, const char *kind,
                             const struct activation_caller *who, const struct asked *q, const char *state,
                             int http_status, const char *answer)
{
    struct store_request_row r = {.request_id = request_id,
                                  .kind = kind,
                                  .terminal = who->terminal,
                                  .store_id = who->store,
                                  .state = state,
                                  .http_status = http_status,
                                  .answer = answer};
    if (q) {
        r.serial = q->serial;
        r.plan = q->plan;
        r.currency = q->currency;
        r.has_amount = 1;
        r.amount = q->amount;
    }
    return store_request_insert(st, &r);
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
static enum ru_status decide(struct store *st, const struct activation_caller *who,
                             const struct activation_request *rq, struct activation_answer *out,
                             const char **state)
{
    struct store_sale card;
    enum ru_status rc = store_card_for_sale(st, rq->serial, &card);
    if (rc != RU_OK && rc != RU_ERR_NOT_FOUND)
        return rc;
    *state = "refused";
    if (rc == RU_ERR_NOT_FOUND)
        return activation_answer_error(out, 404, "card_not_found", "no card has this serial");
    if (rq->amount != card.price_cents || strcmp(rq->currency, card.currency) != 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "the plan %s costs %lld %s", card.plan, card.price_cents, card.currency);
        return activation_answer_error(out, 422, "amount_mismatch", msg);
    }
    if (!strcmp(card.status, "active"))
        return activation_answer_error(out, 409, "card_already_active", "the card is active already");
    if (!strcmp(card.status, "redeemed"))
        return activation_answer_error(out, 409, "card_redeemed", "the card has been redeemed");
    if (!strcmp(card.status, "blocked"))
        return activation_answer_error(out, 409, "card_blocked",
                                       "the card is blocked (lost or stolen stock)");

    struct activation_result a = {.status = "active"};
    if ((rc = auth_code(a.auth_code)) != RU_OK)
        return rc;
    snprintf(a.activation_id, sizeof(a.activation_id), "act_%.8s%.4s", rq->request_id, rq->request_id + 9);
    memcpy(a.serial, rq->serial, sizeof(a.serial));
    memcpy(a.plan, card.plan, sizeof(a.plan));
    if ((rc = store_card_activate(st, who->store, rq->serial)) != RU_OK)
        return rc;
    *state = "active";
    char *text = NULL;
    return answer_encoded(out, 201, answer_encode_activation(&a, &text), &text);
}

/* Take back what request S did to its card: a sold card returns to stock; an on-demand
 * card is blocked, since its PIN has already left the issuer. */
static enum ru_status undo_card(struct store *st, const struct stored *s)
{
    return !strcmp(s->r.kind, "card") ? store_card_block_active(st, s->r.serial)
                                      : store_card_return(st, s->r.serial);
}

/* Each call is a transaction of its own, or a savepoint of the caller's batch. */
enum ru_status activation_start(struct ledger *lg)
{
    return ledger_in_batch(lg) ? store_savepoint(ledger_store(lg)) : store_begin(ledger_store(lg));
}

/* The common end of a void and a reversal: take the card back, mark the request with
 * STATE and audit it. */
static enum ru_status take_back(struct ledger *lg, const struct activation_caller *who,
                                const struct stored *s, const char *request_id, const char *state,
                                const char *actor, const char *action, const char *detail)
{
    struct store *st = ledger_store(lg);
    enum ru_status rc;
    if ((rc = undo_card(st, s)) != RU_OK ||
        (rc = store_request_set_state(st, who->store, who->terminal, request_id, state)) != RU_OK ||
        (rc = ledger_audit(lg, actor, action, s->r.serial, request_id, "ok", detail)) != RU_OK)
        return rc;
    return RU_OK;
}

/* Commit (or release the savepoint), or roll back and drop the answer. */
enum ru_status activation_finish(struct ledger *lg, enum ru_status rc, struct activation_answer *out)
{
    struct store *st = ledger_store(lg);
    if (ledger_in_batch(lg)) {
        enum ru_status rel = store_release(st, rc != RU_OK);
        if (rc == RU_OK)
            rc = rel;
    } else {
        if (rc == RU_OK)
            rc = store_commit(st);
        if (rc != RU_OK)
            store_rollback(st);
    }
    if (rc != RU_OK)
        activation_answer_release(out);
    return rc;
}

static enum ru_status activate_once(struct ledger *lg, const struct activation_caller *who,
                                    const struct activation_request *rq, struct activation_answer *out)
{
    struct store *st = ledger_store(lg);
    struct stored s;
    const char *state = NULL;
    enum ru_status rc;
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    store_card_for_sale_ahead(st, rq->serial); /* what decide() reads, with load()'s round trip */
    if ((rc = load(st, who, rq->request_id, &s)) != RU_OK)
        goto out;
    if (s.found) {
        if (!strcmp(s.r.kind, "reversal"))
            rc = activation_answer_error(out, 409, "request_reversed",
                                         "this request_id was reversed: use a new one");
        else if (strcmp(s.r.kind, "activation") || strcmp(s.r.serial, rq->serial) ||
                 s.r.amount != rq->amount || strcmp(s.r.currency, rq->currency))
            rc = activation_answer_error(out, 422, "request_id_reused",
                                         "this request_id was used with other parameters");
        else if (!strcmp(s.r.state, "reversed"))
            rc = activation_answer_error(out, 409, "request_reversed", "this activation was reversed");
        else if (!strcmp(s.r.state, "voided"))
            rc = activation_answer_error(out, 409, "activation_voided", "this activation was voided");
        else
            rc = answer_text(out, s.r.http_status, s.r.answer); /* a retry: the same answer */
        goto out;
    }
    if ((rc = decide(st, who, rq, out, &state)) != RU_OK)
        goto out;
    struct asked q = {.serial = rq->serial, .currency = rq->currency, .amount = rq->amount};
    if ((rc = record(st, rq->request_id, "activation", who, &q, state, out->http_status, out->body)) != RU_OK)
        goto out;
    char detail[64];
    snprintf(detail, sizeof(detail), "%d", out->http_status);
    char actor[80];
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    rc = ledger_audit(lg, actor, "activate", rq->serial, rq->request_id,
                      !strcmp(state, "active") ? "ok" : "refused", detail);
out:
    store_request_release(&s.r);
    return activation_finish(lg, rc, out);
}

static enum ru_status void_once(struct ledger *lg, const struct activation_caller *who,
                                const char *request_id, const struct void_request *rq, long long window_s,
                                struct activation_answer *out)
{
    struct store *st = ledger_store(lg);
    struct stored s;
    enum ru_status rc;
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    if ((rc = load(st, who, request_id, &s)) != RU_OK)
        goto out;
    if (!s.found || !strcmp(s.r.kind, "reversal")) {
        rc = activation_answer_error(out, 404, "activation_not_found",
                                     "this terminal has no activation with this request_id");
        goto out;
    }
    if (!strcmp(s.r.state, "voided")) {
        rc = answer_void(out);
        goto out;
    }
    if (!strcmp(s.r.state, "reversed") || !strcmp(s.r.state, "refused")) {
        rc = activation_answer_error(
            out, 409, !strcmp(s.r.state, "reversed") ? "activation_reversed" : "activation_refused",
            "there is no activation in force to void");
        goto out;
    }
    int redeemed;
    if ((rc = store_card_redeemed(st, s.r.serial, &redeemed)) != RU_OK)
        goto out;
    if (redeemed) {
        rc = activation_answer_error(out, 409, "card_redeemed",
                                     "the card has been redeemed: it cannot be voided");
        goto out;
    }
    if (s.r.age_s > window_s) {
        rc = activation_answer_error(out, 409, "void_window_passed",
                                     "the void window of this activation has passed");
        goto out;
    }
    char actor[80];
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    if ((rc = take_back(lg, who, &s, request_id, "voided", actor, "void", rq->reason)) == RU_OK)
        rc = answer_void(out);
out:
    store_request_release(&s.r);
    return activation_finish(lg, rc, out);
}

static enum ru_status reverse_once(struct ledger *lg, const struct activation_caller *who,
                                   const struct reversal_request *rq, struct activation_answer *out)
{
    struct store *st = ledger_store(lg);
    struct stored s;
    enum ru_status rc;
    char actor[80];
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    if ((rc = load(st, who, rq->request_id, &s)) != RU_OK)
        goto out;
    if (!s.found) {
        /* Never seen from this terminal: remember it, so that the activation is refused if
         * it arrives late. Another terminal's request of the same id is not touched. */
        if ((rc = answer_reversal(out, 0)) != RU_OK ||
            (rc = record(st, rq->request_id, "reversal", who, NULL, "reversed", out->http_status,
                         out->body)) != RU_OK ||
            (rc = ledger_audit(lg, actor, "reverse", NULL, rq->request_id, "ok", "unseen: recorded")) !=
                RU_OK)
            goto out;
        goto out;
    }
    if (!strcmp(s.r.kind, "reversal") || !strcmp(s.r.state, "voided") || !strcmp(s.r.state, "refused")) {
        rc = answer_reversal(out, 0);
        goto out;
    }
    if (!strcmp(s.r.state, "reversed")) {
        rc = answer_reversal(out, 1);
        goto out;
    }
    int redeemed;
    if ((rc = store_card_redeemed(st, s.r.serial, &redeemed)) != RU_OK)
        goto out;
    if (redeemed) {
        rc = activation_answer_error(out, 409, "card_redeemed",
                                     "the card has been redeemed: the activation stands");
        goto out;
    }
    if ((rc = take_back(lg, who, &s, rq->request_id, "reversed", actor, "reverse", "undone")) == RU_OK)
        rc = answer_reversal(out, 1);
out:
    store_request_release(&s.r);
    return activation_finish(lg, rc, out);
}

static enum ru_status card_once(struct ledger *lg, const struct activation_caller *who,
                                const struct card_request *rq, struct activation_answer *out)
{
    struct store *st = ledger_store(lg);
    struct stored s;
    enum ru_status rc;
    char actor[80], *stored_answer = NULL;
    struct ondemand_card card = {0};
    const char *state = "refused";
    snprintf(actor, sizeof(actor), "terminal:%s", who->terminal);
    out->body = NULL;
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    if ((rc = load(st, who, rq->request_id, &s)) != RU_OK)
        goto out;
    if (s.found) {
        if (!strcmp(s.r.kind, "reversal") || !strcmp(s.r.state, "reversed"))
            rc = activation_answer_error(out, 409, "request_reversed",
                                         "this request_id was reversed: use a new one");
        else if (strcmp(s.r.kind, "card") || strcmp(s.r.plan, rq->plan) || s.r.amount != rq->amount ||
                 strcmp(s.r.currency, rq->currency))
            rc = activation_answer_error(out, 422, "request_id_reused",
                                         "this request_id was used with other parameters");
        else if (!strcmp(s.r.state, "voided"))
            rc = activation_answer_error(out, 409, "activation_voided", "this card was voided");
        else
            rc =
                answer_text(out, s.r.http_status, s.r.answer); /* a retry: the same card, the PIN not again */
        goto out;
    }
    int months;
    long long price = 0;
    char currency[4] = "";
    if ((rc = store_plan_get(st, rq->plan, &months, &price, currency)) != RU_OK && rc != RU_ERR_NOT_FOUND)
        goto out;
    if (rc == RU_ERR_NOT_FOUND) {
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
    if ((rc = record(st, rq->request_id, "card", who, &q, state, out->http_status,
                     stored_answer ? stored_answer : out->body)) != RU_OK)
        goto out;
    rc = ledger_audit(lg, actor, "card", *card.serial ? card.serial : NULL, rq->request_id,
                      !strcmp(state, "active") ? "ok" : "refused", rq->plan);
out:
    ondemand_card_release(&card);
    free(stored_answer);
    store_request_release(&s.r);
    return activation_finish(lg, rc, out);
}

enum ru_status activation_activate(struct ledger *lg, const struct activation_caller *who,
                                   const struct activation_request *rq, struct activation_answer *out)
{
    enum ru_status rc;
    int tries = 0;
    do
        rc = activate_once(lg, who, rq, out);
    while (ledger_again(lg, rc, &tries));
    return rc;
}

enum ru_status activation_void(struct ledger *lg, const struct activation_caller *who, const char *request_id,
                               const struct void_request *rq, long long window_s,
                               struct activation_answer *out)
{
    enum ru_status rc;
    int tries = 0;
    do
        rc = void_once(lg, who, request_id, rq, window_s, out);
    while (ledger_again(lg, rc, &tries));
    return rc;
}

enum ru_status activation_reverse(struct ledger *lg, const struct activation_caller *who,
                                  const struct reversal_request *rq, struct activation_answer *out)
{
    enum ru_status rc;
    int tries = 0;
    do
        rc = reverse_once(lg, who, rq, out);
    while (ledger_again(lg, rc, &tries));
    return rc;
}

enum ru_status activation_card(struct ledger *lg, const struct activation_caller *who,
                               const struct card_request *rq, struct activation_answer *out)
{
    enum ru_status rc;
    int tries = 0;
    do
        rc = card_once(lg, who, rq, out);
    while (ledger_again(lg, rc, &tries));
    return rc;
}
