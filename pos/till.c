/*
 * pos/till.c - the counter's application layer over the journal. In the sale flow every
 * step is written to the journal before the next leaves the terminal; an answer that does
 * not come is "unknown", never "failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pos/till.h"
#include "pos/journal.h"
#include "issuer/client.h"
#include "printing/counterprint.h"
#include "common/cardnum.h"
#include "common/privatefile.h"
#include "common/money.h"
#include "common/banned.h"

#define OUTBOX_BATCH      64
#define BACKOFF_MAX_S     300
/* How long the catalog kept in the journal prices sales without asking the issuer again
 * (docs/pos.md, "The catalog kept here"). The issuer checks every amount, so a price
 * changed meanwhile costs one declined sale (422 amount_mismatch), which fetches it anew. */
#define CATALOG_MAX_AGE_S 600

struct till {
    struct pos_config cfg;
    struct journal *j;
    struct issuer_client *c;
    int catalog_fetched; /* in this run */
    /* the card quoted last and its plan: the sale that follows the quote asks no more */
    char quoted_serial[CARD_DIGITS + 1], quoted_plan[17];
    int reachable; /* the last request got an answer: 1, it did not: 0, none yet: -1 */
};

enum ru_status till_open(const struct pos_config *cfg, struct till **out, char *err, size_t errlen)
{
    struct till *t = calloc(1, sizeof(*t));
    if (!t)
        return RU_ERR_NOMEM;
    t->cfg = *cfg;
    t->reachable = -1;
    char terminal[65], store[65];
    struct issuer_client_config cc = {.url = cfg->issuer_url,
                                      .ca_path = cfg->issuer_ca[0] ? cfg->issuer_ca : NULL,
                                      .timeout_ms = cfg->timeout_ms,
                                      .connect_timeout_ms = cfg->connect_timeout_ms};
    /* the credentials are a secret; the CA decides whom the terminal trusts */
    enum ru_status rc = privatefile_check(cfg->credentials, PRIVATEFILE_MISSING_OK, err, errlen);
    if (rc == RU_OK && cfg->issuer_ca[0])
        rc = privatefile_check(cfg->issuer_ca, PRIVATEFILE_MISSING_OK | PRIVATEFILE_WRITE_ONLY, err, errlen);
    if (rc == RU_OK)
        rc = issuer_credentials_load(cfg->credentials, terminal, store, cc.secret, err, errlen);
    if (rc == RU_OK && (strcmp(terminal, cfg->terminal) != 0 || strcmp(store, cfg->store_id) != 0)) {
        snprintf(err, errlen, "the credentials '%s' are for terminal %s of store %s, not %s of %s",
                 cfg->credentials, terminal, store, cfg->terminal, cfg->store_id);
        rc = RU_ERR_INVALID;
    }
    cc.terminal = terminal;
    if (rc == RU_OK && issuer_client_new(&cc, &t->c) != RU_OK) {
        snprintf(err, errlen, "[issuer] url '%s' is not an https:// address", cfg->issuer_url);
        rc = RU_ERR_INVALID;
    }
    explicit_bzero(cc.secret, sizeof(cc.secret));
    if (rc != RU_OK) {
        till_free(t);
        return rc == RU_ERR_NOMEM ? rc : RU_ERR_INVALID;
    }
    unsigned long recovered = 0;
    if ((rc = journal_open(cfg->journal, &t->j)) != RU_OK ||
        (rc = journal_recover(t->j, &recovered)) != RU_OK) {
        snprintf(err, errlen, "%s", journal_errmsg(t->j));
        till_free(t);
        return rc == RU_ERR_INVALID ? rc : RU_ERR_DB;
    }
    *out = t;
    return RU_OK;
}

enum ru_status till_open_local(const struct pos_config *cfg, struct till **out, char *err, size_t errlen)
{
    struct till *t = calloc(1, sizeof(*t));
    if (!t)
        return RU_ERR_NOMEM;
    t->cfg = *cfg;
    t->reachable = -1;
    /* no recovery: the till that sells is running, and its sale in flight is not lost */
    enum ru_status rc = journal_open(cfg->journal, &t->j);
    if (rc != RU_OK) {
        snprintf(err, errlen, "%s", journal_errmsg(t->j));
        till_free(t);
        return rc == RU_ERR_INVALID ? rc : RU_ERR_DB;
    }
    *out = t;
    return RU_OK;
}

void till_free(struct till *t)
{
    if (!t)
        return;
    issuer_client_free(t->c);
    journal_free(t->j);
    free(t);
}

const char *till_errmsg(const struct till *t)
{
    return journal_errmsg(t->j);
}

enum ru_status till_sign_in(struct till *t, const char *id, const char *pin, struct till_cashier *out,
                            char *msg, size_t msglen)
{
    struct pos_pin_check c;
    enum ru_status rc = journal_cashier_check(t->j, id, pin, (long long)time(NULL), &c);
    memset(out, 0, sizeof(*out));
    snprintf(msg, msglen, "%s", rc == RU_OK ? "" : journal_errmsg(t->j));
    if (rc == RU_OK) {
        snprintf(out->id, sizeof(out->id), "%s", id);
        out->manager = c.manager;
    }
    return rc;
}

enum ru_status till_approve(struct till *t, const char *manager, const char *pin, struct till_cashier *out,
                            char *msg, size_t msglen)
{
    enum ru_status rc = till_sign_in(t, manager, pin, out, msg, msglen);
    if (rc == RU_OK && !out->manager) {
        snprintf(msg, msglen, "cashier %s is not a manager", manager);
        return RU_ERR_DECLINED;
    }
    return rc;
}

enum ru_status till_approve_by_shift(struct till *t, struct till_cashier *out)
{
    struct pos_shift sh;
    memset(out, 0, sizeof(*out));
    enum ru_status rc = journal_shift_current(t->j, &sh);
    if (rc == RU_OK && (rc = journal_cashier_role(t->j, sh.cashier, &out->manager)) == RU_OK)
        snprintf(out->id, sizeof(out->id), "%s", sh.cashier);
    if (rc == RU_OK && !out->manager)
        return RU_ERR_DECLINED;
    return rc == RU_OK || rc == RU_ERR_DB ? rc : RU_ERR_NOT_FOUND;
}

/* The manager of approval BY as the journal takes it: NULL when none. */
static const char *approver(const struct till_cashier *by)
{
    return by && by->id[0] ? by->id : NULL;
}

enum ru_status till_cashier_add(struct till *t, const char *id, const char *name, int manager,
                                const char *pin, const struct till_cashier *by)
{
    return journal_cashier_add(t->j, id, name, manager, pin, approver(by));
}

enum ru_status till_cashier_set_role(struct till *t, const char *id, int manager,
                                     const struct till_cashier *by)
{
    return journal_cashier_set_role(t->j, id, manager, approver(by));
}

enum ru_status till_cashier_set_pin(struct till *t, const char *id, const char *pin,
                                    const struct till_cashier *by)
{
    return journal_cashier_set_pin(t->j, id, pin, approver(by));
}

enum ru_status till_cashier_unlock(struct till *t, const char *id, const struct till_cashier *by)
{
    return journal_cashier_unlock(t->j, id, approver(by));
}

enum ru_status till_shift_open(struct till *t, const struct till_cashier *who, long long float_cents,
                               int training, long long *id)
{
    return journal_shift_open(t->j, who->id, float_cents, training, id);
}

enum ru_status till_shift_current(struct till *t, struct pos_shift *out)
{
    return journal_shift_current(t->j, out);
}

static enum ru_status anchor_send(struct till *t, char *why, size_t whylen);

enum ru_status till_shift_close(struct till *t, long long counted_cents, char **json, char *unsent,
                                size_t unsentlen)
{
    enum ru_status rc = journal_shift_close(t->j, counted_cents, json);
    unsent[0] = '\0';
    /* the close's head goes to the issuer now, not with the next sale: the shift's last
     * word is anchored outside the terminal (and on the slip, in its journal_head) */
    if (rc == RU_OK && !t->c)
        snprintf(unsent, unsentlen, "this terminal was opened without the issuer");
    else if (rc == RU_OK && anchor_send(t, unsent, unsentlen) == RU_OK)
        unsent[0] = '\0';
    return rc;
}

enum ru_status till_report_x(struct till *t, char **json)
{
    struct pos_shift sh;
    enum ru_status rc = journal_shift_current(t->j, &sh);
    return rc == RU_OK ? journal_report_x(t->j, sh.id, json) : rc;
}

enum ru_status till_zreport(struct till *t, long long number, char **json)
{
    return journal_zreport(t->j, number, json);
}

enum ru_status till_status(struct till *t, struct till_status *out)
{
    memset(out, 0, sizeof(*out));
    out->shift_open = journal_shift_current(t->j, &out->shift) == RU_OK;
    return journal_outbox_pending(t->j, &out->pending);
}

enum ru_status till_verify(struct till *t, char *why, size_t whylen)
{
    return journal_verify(t->j, why, whylen);
}

/* The end of a request to the issuer, remembering whether it answered. */
static enum ru_status heard(struct till *t, enum ru_status rc)
{
    t->reachable = rc == RU_OK || rc == RU_ERR_DECLINED;
    return rc;
}

/* The client, carrying the journal's head as it is now: every signed request anchors the
 * chain at the issuer (docs/api.md). */
static struct issuer_client *client(struct till *t)
{
    struct auth_head h;
    int known = journal_head(t->j, &h.seq, h.hash) == RU_OK;
    issuer_client_set_journal_head(t->c, known ? &h : NULL);
    return t->c;
}

/* The issuer's reason for a refusal, in its words, into OUT. */
static void refusal(const struct api_error *e, char *out, size_t outlen)
{
    /* cut to fit: the journal keeps what the screen shows */
    if (snprintf(out, outlen, "%s%s%s", *e->message ? e->message : "refused", *e->code ? " - " : "",
                 e->code) < 0)
        *out = '\0';
}

/* Fetch the issuer's catalog into the journal's cache, once a run. */
static enum ru_status fetch_catalog(struct till *t, char *msg, size_t msglen)
{
    struct plan_list l;
    struct api_error e;
    enum ru_status rc = heard(t, issuer_plans(client(t), &l, &e));
    if (rc != RU_OK) {
        if (!e.http_status)
            snprintf(msg, msglen, "the issuer cannot be reached (%s): no sale was made",
                     issuer_client_errmsg(t->c));
        else
            snprintf(msg, msglen, "the issuer's catalog cannot be read (%s): no sale was made",
                     issuer_client_errmsg(t->c));
        return rc == RU_ERR_DECLINED ? rc : RU_ERR_NETWORK;
    }
    struct pos_plan plans[64];
    size_t n = 0;
    for (; n < l.n && n < 64; n++) {
        memcpy(plans[n].code, l.plans[n].code, sizeof(plans[n].code));
        memcpy(plans[n].currency, l.plans[n].currency, sizeof(plans[n].currency));
        plans[n].months = l.plans[n].months;
        plans[n].price_cents = l.plans[n].price;
    }
    plan_list_release(&l);
    t->catalog_fetched = 1;
    return journal_catalog_store(t->j, plans, n);
}

/* 1 when the catalog the journal keeps may price a sale: fetched at most
 * CATALOG_MAX_AGE_S ago. */
static int catalog_fresh(struct till *t)
{
    long long age;
    return (journal_catalog_age(t->j, (long long)time(NULL), &age) == RU_OK && age >= 0 &&
            age <= CATALOG_MAX_AGE_S);
}

/* The plan CODE from the catalog the journal keeps: fetched from the issuer first when it
 * is older than CATALOG_MAX_AGE_S or lacks the plan (a plan new at the issuer), except on a
 * training shift, which never asks the issuer. */
static enum ru_status plan_of(struct till *t, const char *code, int training, struct pos_plan *out, char *msg,
                              size_t msglen)
{
    enum ru_status rc;
    memset(out, 0, sizeof(*out));
    if (!training && !catalog_fresh(t) && (rc = fetch_catalog(t, msg, msglen)) != RU_OK)
        return rc;
    rc = journal_catalog_get(t->j, code, out);
    if (rc == RU_ERR_NOT_FOUND && !training && !t->catalog_fetched) {
        if ((rc = fetch_catalog(t, msg, msglen)) != RU_OK)
            return rc;
        rc = journal_catalog_get(t->j, code, out);
    }
    if (rc == RU_ERR_NOT_FOUND)
        snprintf(msg, msglen,
                 training && !t->catalog_fetched
                     ? "the plan '%s' is not in the catalog kept here (a training shift never asks the "
                       "issuer: make one real sale or run reup-pos status first)"
                     : "the plan '%s' is not in the issuer's catalog",
                 code);
    return rc == RU_ERR_NOT_FOUND ? RU_ERR_INVALID : rc;
}

/* Where the terminal's documents go: the receipt or the card queue of the configuration. */
static struct counterprint_queue queue(const struct till *t, const char *name)
{
    return (struct counterprint_queue){.server = t->cfg.cups_server, .queue = name};
}

/* The receipt of SALE; VOID for the receipt of its void. */
static enum ru_status print_receipt(struct till *t, const struct pos_sale *s, int is_void, char *msg,
                                    size_t msglen)
{
    if (!t->cfg.receipt_printer[0]) {
        snprintf(msg, msglen, "no receipt printer is configured");
        return RU_ERR_NOT_FOUND;
    }
    struct counterprint_sale r = {.store_id = t->cfg.store_id,
                                  .terminal = t->cfg.terminal,
                                  .store_name = t->cfg.store_name,
                                  .store_address = t->cfg.store_address,
                                  .sale_id = s->id,
                                  .when = time(NULL),
                                  .plan = s->plan,
                                  .serial = s->serial,
                                  .auth_code = s->auth_code,
                                  .currency = s->currency,
                                  .amount_cents = s->amount_cents,
                                  .cash_cents = s->cash_cents,
                                  .change_cents = s->change_cents,
                                  .card_tender = s->card_tender,
                                  .training = s->training,
                                  .is_void = is_void};
    struct counterprint_queue q = queue(t, t->cfg.receipt_printer);
    struct counterprint_result res;
    enum ru_status rc = counterprint_receipt(&r, &q, &res);
    snprintf(msg, msglen, "%s", res.message);
    return rc;
}

/* The on-demand card with its PIN straight to the card printer; the PIN is wiped after. */
static enum ru_status print_card(struct till *t, const char *serial, char *pin, const char *plan, int months,
                                 char *msg, size_t msglen)
{
    if (!t->cfg.card_printer[0]) {
        explicit_bzero(pin, strlen(pin));
        snprintf(msg, msglen, "no card printer is configured");
        return RU_ERR_NOT_FOUND;
    }
    struct counterprint_card c = {
        .serial = serial, .pin = pin, .plan = plan, .months = months, .lang = t->cfg.language};
    struct counterprint_queue q = queue(t, t->cfg.card_printer);
    struct counterprint_result res;
    enum ru_status rc = counterprint_card(&t->cfg.card_template, &c, &q, &res);
    snprintf(msg, msglen, "%s", res.message);
    return rc;
}

static void fill(struct till_result *out, const struct pos_sale *s)
{
    out->sale_id = s->id;
    out->state = s->state;
    snprintf(out->serial, sizeof(out->serial), "%s", s->serial);
    snprintf(out->plan, sizeof(out->plan), "%s", s->plan);
    out->amount_cents = s->amount_cents;
    out->change_cents = s->change_cents;
    snprintf(out->currency, sizeof(out->currency), "%s", s->currency);
    snprintf(out->auth_code, sizeof(out->auth_code), "%s", s->auth_code);
}

/* Send the activation (or the on-demand card request) of S and record what came back.
 * *PIN gets an on-demand card's PIN. */
static enum ru_status activate(struct till *t, struct pos_sale *s, char pin[CARD_DIGITS + 1], char *msg,
                               size_t msglen)
{
    struct api_error e;
    struct activation_result act;
    struct ondemand_card card = {0};
    enum ru_status rc;
    if (s->on_demand) {
        struct card_request rq = {.amount = s->amount_cents};
        snprintf(rq.request_id, sizeof(rq.request_id), "%s", s->request_id);
        snprintf(rq.plan, sizeof(rq.plan), "%s", s->plan);
        snprintf(rq.currency, sizeof(rq.currency), "%s", s->currency);
        rc = heard(t, issuer_on_demand(client(t), &rq, &card, &e));
    } else {
        struct activation_request rq = {.amount = s->amount_cents};
        snprintf(rq.request_id, sizeof(rq.request_id), "%s", s->request_id);
        snprintf(rq.serial, sizeof(rq.serial), "%s", s->serial);
        snprintf(rq.currency, sizeof(rq.currency), "%s", s->currency);
        rc = heard(t, issuer_activate(client(t), &rq, &act, &e));
    }
    enum pos_sale_state state;
    const char *serial = NULL, *auth = NULL;
    if (rc == RU_OK) {
        state = SALE_APPROVED;
        serial = s->on_demand ? card.serial : act.serial;
        auth = s->on_demand ? card.auth_code : act.auth_code;
        memcpy(pin, card.pin, CARD_DIGITS + 1);
        snprintf(msg, msglen, "approved");
    } else if (rc == RU_ERR_DECLINED) {
        refusal(&e, msg, msglen);
        state = SALE_DECLINED;
    } else {
        /* no answer is not a refusal: the issuer may have applied it */
        snprintf(msg, msglen,
                 "no answer from the issuer (%s): the sale did not go through; it will be reversed",
                 e.http_status >= 500 ? "it is unavailable" : issuer_client_errmsg(t->c));
        state = SALE_REVERSAL_PENDING;
    }
    rc = journal_sale_state(t->j, s->id, state, serial, auth, msg);
    /* the price kept here is not the issuer's: fetched now that the refusal is written, the
     * sale rung up again is priced right (when this fetch fails, the next refusal tries again) */
    char why[300];
    if (rc == RU_OK && state == SALE_DECLINED && e.http_status == 422 && !strcmp(e.code, "amount_mismatch"))
        fetch_catalog(t, why, sizeof(why));
    if (rc == RU_OK) {
        s->state = state;
        if (serial)
            snprintf(s->serial, sizeof(s->serial), "%s", serial);
        if (auth)
            snprintf(s->auth_code, sizeof(s->auth_code), "%s", auth);
    }
    ondemand_card_release(&card);
    return rc;
}

/* till_quote(); with REUSE, the plan of a card quoted just before is not asked again. */
static enum ru_status quote(struct till *t, const char *serial, const char *plan_code, int training,
                            int reuse, struct pos_plan *out, char *msg, size_t msglen)
{
    char plan[17];
    struct pos_sale earlier;
    if (serial && journal_sale_of_card(t->j, serial, &earlier) == RU_OK) {
        /* a second scan, or a second press of "pay": one card is one sale */
        snprintf(msg, msglen, "the card ending %s is already in sale %lld (%s)", serial + 12, earlier.id,
                 pos_sale_state_name(earlier.state));
        return RU_ERR_EXISTS;
    }
    if (serial && !training && !plan_code && reuse && !strcmp(serial, t->quoted_serial)) {
        /* a card's plan never changes; whether it can be sold, the activation finds out */
        memcpy(plan, t->quoted_plan, sizeof(plan));
    } else if (serial && !training && !plan_code) {
        /* which card is it: the issuer knows its plan */
        struct card_status card;
        struct api_error e;
        enum ru_status rc = heard(t, issuer_card(client(t), serial, &card, &e));
        if (rc == RU_ERR_DECLINED) {
            refusal(&e, msg, msglen);
            return rc;
        }
        if (rc != RU_OK) {
            snprintf(msg, msglen, "the issuer cannot be reached (%s): no sale was made",
                     issuer_client_errmsg(t->c));
            return RU_ERR_NETWORK;
        }
        memcpy(plan, card.plan, sizeof(plan));
        memcpy(t->quoted_serial, serial, sizeof(t->quoted_serial));
        memcpy(t->quoted_plan, plan, sizeof(t->quoted_plan));
    } else {
        snprintf(plan, sizeof(plan), "%s", plan_code ? plan_code : "");
    }
    /* a training shift cannot ask which plan a scanned card is: it takes the first */
    return plan_of(t, plan[0] ? plan : NULL, training, out, msg, msglen);
}

enum ru_status till_quote(struct till *t, const char *serial, const char *plan_code, int training,
                          struct pos_plan *out, char *msg, size_t msglen)
{
    return quote(t, serial, plan_code, training, 0, out, msg, msglen);
}

enum ru_status till_sell(struct till *t, const char *serial, const char *plan_code, long long cash_cents,
                         int card, struct till_result *out)
{
    struct pos_shift sh;
    struct pos_sale s = {0};
    char plan[17] = "", pin[CARD_DIGITS + 1] = "";
    int months = 0;
    memset(out, 0, sizeof(*out));
    if (journal_shift_current(t->j, &sh) != RU_OK) {
        snprintf(out->message, sizeof(out->message), "no shift is open: open one first");
        return RU_ERR_NOT_FOUND;
    }
    s.training = sh.training;
    struct pos_plan plan_info;
    enum ru_status rc =
        quote(t, serial, plan_code, sh.training, 1, &plan_info, out->message, sizeof(out->message));
    t->quoted_serial[0] = '\0'; /* one quote, one sale */
    if (rc != RU_OK)
        return rc;
    snprintf(plan, sizeof(plan), "%s", plan_info.code);
    s.amount_cents = plan_info.price_cents;
    snprintf(s.currency, sizeof(s.currency), "%s", plan_info.currency);
    months = plan_info.months;
    if (!card && cash_cents < s.amount_cents) {
        char price[32], given[32];
        money_format(s.amount_cents, price, sizeof(price));
        money_format(cash_cents, given, sizeof(given));
        snprintf(out->message, sizeof(out->message), "the cash given (%s) is less than the price (%s %s)",
                 given, s.currency, price);
        return RU_ERR_LIMIT;
    }
    s.shift = sh.id;
    s.on_demand = serial == NULL;
    snprintf(s.serial, sizeof(s.serial), "%s", serial ? serial : "");
    snprintf(s.plan, sizeof(s.plan), "%s", plan);
    s.card_tender = card;
    s.cash_cents = card ? 0 : cash_cents;
    s.change_cents = card ? 0 : cash_cents - s.amount_cents;
    if ((rc = journal_sale_begin(t->j, &s)) != RU_OK) {
        snprintf(out->message, sizeof(out->message), "%s", journal_errmsg(t->j));
        return rc;
    }
    if (sh.training) {
        if (s.on_demand)
            snprintf(s.serial, sizeof(s.serial), "0000000000000000");
        snprintf(s.auth_code, sizeof(s.auth_code), "TRAINING");
        rc = journal_sale_state(t->j, s.id, SALE_APPROVED, s.serial, s.auth_code, "training: not sent");
        s.state = SALE_APPROVED;
        snprintf(out->message, sizeof(out->message), "training sale: nothing was sent to the issuer");
    } else {
        rc = activate(t, &s, pin, out->message, sizeof(out->message));
    }
    if (rc != RU_OK) {
        snprintf(out->message, sizeof(out->message), "%s", journal_errmsg(t->j));
        explicit_bzero(pin, sizeof(pin));
        return rc;
    }
    if (s.state == SALE_REVERSAL_PENDING) {
        unsigned long sent, left;
        if (till_sync(t, 0, &sent, &left) != RU_OK)
            snprintf(out->message + strlen(out->message), sizeof(out->message) - strlen(out->message),
                     " (later: the reversal waits)");
    }
    if (s.state == SALE_APPROVED && s.on_demand && !s.training) {
        char why[300];
        int had_pin = pin[0] != '\0'; /* printing wipes the PIN on every path */
        if (!had_pin || print_card(t, s.serial, pin, s.plan, months, why, sizeof(why)) != RU_OK) {
            /* a card nobody can hold is no sale: give the money back and void it */
            rc = journal_sale_state(t->j, s.id, SALE_VOID_PENDING, NULL, NULL,
                                    "the card could not be printed");
            unsigned long sent, left;
            if (rc == RU_OK)
                rc = till_sync(t, 0, &sent, &left);
            if (journal_sale_get(t->j, s.id, &s) == RU_OK)
                fill(out, &s);
            snprintf(out->message, sizeof(out->message),
                     "the card could not be printed (%.200s): the sale was voided, give the money back",
                     had_pin ? why : "the issuer sent no PIN");
            explicit_bzero(pin, sizeof(pin));
            return rc;
        }
    }
    explicit_bzero(pin, sizeof(pin));
    fill(out, &s);
    /* the answer goes back now and the receipt prints behind it (till_print_receipts): a
     * slow or stopped printer never holds the sale's answer, and never undoes the sale */
    if (s.state == SALE_APPROVED && t->cfg.receipt_printer[0]) {
        if (journal_receipt_queue(t->j, s.id) != RU_OK)
            snprintf(out->print_msg, sizeof(out->print_msg), "%s", journal_errmsg(t->j));
        else
            out->receipt_waiting = 1;
    }
    return RU_OK;
}

static time_t utc(const char *iso)
{
    struct tm tm = {0};
    if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* 1 when a receipt of sale ID waits in the outbox. */
static int receipt_waits(struct till *t, long long id)
{
    struct pos_outbox_item items[OUTBOX_BATCH];
    size_t n = 0;
    if (journal_outbox_due(t->j, 0, items, OUTBOX_BATCH, &n) != RU_OK)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].receipt && items[i].sale == id)
            return 1;
    return 0;
}

enum ru_status till_void(struct till *t, long long id, const struct till_cashier *by, struct till_result *out)
{
    struct pos_sale s;
    struct pos_shift sh;
    memset(out, 0, sizeof(*out));
    if (!by || !by->manager || !by->id[0]) {
        snprintf(out->message, sizeof(out->message), "a void needs a manager's approval: nothing was voided");
        return RU_ERR_DECLINED;
    }
    if (journal_sale_get(t->j, id, &s) != RU_OK) {
        snprintf(out->message, sizeof(out->message), "there is no sale %lld", id);
        return RU_ERR_NOT_FOUND;
    }
    const char *why = NULL;
    if (s.state != SALE_APPROVED)
        why = "only an approved sale can be voided";
    else if (journal_shift_current(t->j, &sh) != RU_OK || sh.id != s.shift)
        why = "the sale is not of the open shift";
    else if (time(NULL) - utc(s.created_at) > t->cfg.void_window_s)
        why = "the void window has passed";
    if (why) {
        snprintf(out->message, sizeof(out->message), "sale %lld cannot be voided: %s (it is %s)", id, why,
                 pos_sale_state_name(s.state));
        fill(out, &s);
        return RU_ERR_INVALID;
    }
    /* a training sale never reached the issuer: nothing to send */
    enum ru_status rc = journal_sale_state(t->j, id, s.training ? SALE_VOIDED : SALE_VOID_PENDING, NULL, NULL,
                                           "voided by the cashier");
    unsigned long sent = 0, left = 0;
    if (rc == RU_OK && !s.training)
        rc = till_sync(t, 0, &sent, &left);
    if (rc == RU_OK && (rc = journal_sale_get(t->j, id, &s)) == RU_OK) {
        fill(out, &s);
        snprintf(out->message, sizeof(out->message), "%s",
                 s.state == SALE_VOIDED
                     ? "voided: give the money back"
                     : "voided here: the issuer has not confirmed yet; it will be sent again");
        /* its receipt waits as a sale's does; printed from the outbox, it says VOID (a sale's
         * receipt still waiting prints as that one) */
        if (t->cfg.receipt_printer[0] && !receipt_waits(t, id)) {
            if (journal_receipt_queue(t->j, id) != RU_OK)
                snprintf(out->print_msg, sizeof(out->print_msg), "%s", journal_errmsg(t->j));
            else
                out->receipt_waiting = 1;
        }
    }
    return rc;
}

/* Send one outbox item: 1 acknowledged, 0 not (ERR says why). */
static int forward(struct till *t, const struct pos_outbox_item *it, char *err, size_t errlen)
{
    struct api_error e;
    enum ru_status rc;
    if (it->void_) {
        struct void_request rq = {.reason = "voided at the counter"};
        struct void_result v;
        rc = heard(t, issuer_void(client(t), it->request_id, &rq, &v, &e));
    } else {
        struct reversal_request rq;
        struct reversal_result r;
        snprintf(rq.request_id, sizeof(rq.request_id), "%s", it->request_id);
        rc = heard(t, issuer_reverse(client(t), &rq, &r, &e));
    }
    /* 409: already reversed or voided, or past the window: nothing more to send */
    int done = rc == RU_OK || (rc == RU_ERR_DECLINED && e.http_status == 409);
    if (!done && !e.http_status)
        snprintf(err, errlen, "no answer: %s", issuer_client_errmsg(t->c));
    else if (!done)
        snprintf(err, errlen, "HTTP %d: %s", e.http_status, issuer_client_errmsg(t->c));
    return done;
}

/* A receipt of the outbox: the sale's, or its void's once voided. 1 printed, 0 not (ERR). */
static int print_waiting(struct till *t, const struct pos_outbox_item *it, char *err, size_t errlen)
{
    struct pos_sale sale;
    if (journal_sale_get(t->j, it->sale, &sale) != RU_OK) {
        snprintf(err, errlen, "%s", journal_errmsg(t->j));
        return 0;
    }
    return print_receipt(t, &sale, sale.state == SALE_VOIDED || sale.state == SALE_VOID_PENDING, err,
                         errlen) == RU_OK;
}

/* Work through the outbox items due (all when FORCE) of one side: the receipts, or what
 * goes to the issuer. *DONE counts those finished; LAST gets the last failure's words. */
static enum ru_status drain(struct till *t, int force, int receipts, unsigned long *done, char *last,
                            size_t lastlen)
{
    struct pos_outbox_item items[OUTBOX_BATCH];
    size_t n = 0;
    long long now = (long long)time(NULL);
    *done = 0;
    enum ru_status rc = journal_outbox_due(t->j, force ? 0 : now, items, OUTBOX_BATCH, &n);
    for (size_t i = 0; rc == RU_OK && i < n; i++) {
        char err[300];
        if (items[i].receipt != receipts)
            continue;
        int ok = receipts ? print_waiting(t, &items[i], err, sizeof(err))
                          : forward(t, &items[i], err, sizeof(err));
        if (ok) {
            rc = journal_outbox_done(t->j, &items[i]);
            ++*done;
        } else {
            long long wait = 1LL << (items[i].attempts < 8 ? items[i].attempts : 8);
            rc = journal_outbox_retry(t->j, items[i].id, now + (wait < BACKOFF_MAX_S ? wait : BACKOFF_MAX_S),
                                      err);
            if (last)
                snprintf(last, lastlen, "%s", err);
        }
    }
    return rc;
}

enum ru_status till_sync(struct till *t, int force, unsigned long *sent, unsigned long *left)
{
    enum ru_status rc = drain(t, force, 0, sent, NULL, 0);
    if (rc == RU_OK)
        rc = journal_outbox_pending(t->j, left);
    return rc;
}

enum ru_status till_print_receipts(struct till *t, int force, unsigned long *printed, char *why,
                                   size_t whylen)
{
    if (whylen)
        *why = '\0';
    if (!t->cfg.receipt_printer[0]) {
        *printed = 0;
        return RU_OK; /* they wait until a printer is configured */
    }
    enum ru_status rc = drain(t, force, 1, printed, why, whylen);
    if (rc != RU_OK)
        snprintf(why, whylen, "%s", journal_errmsg(t->j));
    return rc;
}

int till_last_answered(const struct till *t)
{
    return t->reachable;
}

enum ru_status till_anchor_check(struct till *t, size_t *checked, char *why, size_t whylen)
{
    struct journal_heads_request rq = {0, API_HEADS_MAX};
    struct api_error e;
    enum ru_status rc = RU_OK;
    *checked = 0;
    /* asked without a head of its own: the answer is what the issuer saw before */
    issuer_client_set_journal_head(t->c, NULL);
    do {
        struct journal_heads page;
        if ((rc = heard(t, issuer_journal_heads(t->c, &rq, &page, &e))) != RU_OK) {
            snprintf(why, whylen, "%s", issuer_client_errmsg(t->c));
            return RU_ERR_NETWORK;
        }
        /* every head that counted; and every anomaly, a head that went back or named another
         * hash: one the chain holds is a request overtaken by a later one, one it does not
         * came from a copy of the journal that went its own way */
        rc = journal_holds(t->j, page.heads, page.n, why, whylen);
        if (rc == RU_OK &&
            (rc = journal_holds(t->j, page.anomalies, page.n_anomalies, why, whylen)) == RU_ERR_INVALID) {
            char inner[400];
            snprintf(inner, sizeof(inner), "%s", why);
            snprintf(why, whylen, "another copy of this journal sent the issuer a head that went back: %s",
                     inner);
        }
        *checked += page.n + page.n_anomalies;
        rq.after = page.next;
        journal_heads_release(&page);
    } while (rc == RU_OK && rq.after);
    return rc == RU_OK || rc == RU_ERR_INVALID ? rc : RU_ERR_DB;
}

static enum ru_status anchor_send(struct till *t, char *why, size_t whylen)
{
    struct auth_head h;
    struct api_error e;
    enum ru_status rc = heard(t, issuer_journal_head(client(t), &h, &e));
    if (rc != RU_OK)
        snprintf(why, whylen, "%s", issuer_client_errmsg(t->c));
    return rc;
}

int till_issuer_reachable(struct till *t)
{
    struct api_error e;
    enum ru_status rc = heard(t, issuer_health(client(t), &e));
    if (rc != RU_OK && rc != RU_ERR_DECLINED)
        return 0;
    int ok = rc == RU_OK;
    char msg[300];
    /* while it answers, refresh the catalog a training shift prices from */
    if (ok && !catalog_fresh(t) && fetch_catalog(t, msg, sizeof(msg)) != RU_OK)
        return 1;
    return ok;
}

enum ru_status till_reprint(struct till *t, long long id, char *msg, size_t msglen)
{
    struct pos_sale s;
    if (journal_sale_get(t->j, id, &s) != RU_OK) {
        snprintf(msg, msglen, "there is no sale %lld", id);
        return RU_ERR_NOT_FOUND;
    }
    return print_receipt(t, &s, s.state == SALE_VOIDED || s.state == SALE_VOID_PENDING, msg, msglen);
}
