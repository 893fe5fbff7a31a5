/*
 * pos/till.h - selling at the counter: the exactly-once flow of docs/design.md on the journal
 * and the issuer's client, receipts and on-demand cards through CUPS, voids, the
 * store-and-forward outbox, and recovery. Training shifts never reach the issuer.
 */
#ifndef REUP_POS_TILL_H
#define REUP_POS_TILL_H
#include <stddef.h>
#include "common/status.h"
#include "pos/config.h"
#include "pos/journal.h"

struct till;

/* Open the journal and the issuer client of CFG (copied) and run recovery (every sale
 * left 'sending' becomes reversal_pending) before anything else. ERR says what failed:
 * RU_ERR_INVALID (configuration: the credentials are wrong or open to group or others,
 * the CA is writable by them, or the journal is open to them), RU_ERR_DB (journal). */
enum ru_status till_open(const struct pos_config *cfg, struct till **out, char *err,
                         size_t errlen) RU_WARN_UNUSED;
/* A second till on CFG that only prints the receipts waiting in the outbox, for another
 * thread than the one that sells: its own journal connection (SQLite's are per thread),
 * no issuer client, no recovery (the selling till's sale in flight is not touched).
 * Errors as till_open(). */
enum ru_status till_open_printer(const struct pos_config *cfg, struct till **out, char *err,
                                 size_t errlen) RU_WARN_UNUSED;
void till_free(struct till *t);
struct journal *till_journal(struct till *t);

/* How a sale ended, for the screen and --json. */
struct till_result {
    long long sale_id;
    enum pos_sale_state state; /* approved, declined, reversal_pending */
    char serial[CARD_DIGITS + 1];
    char plan[17];
    long long amount_cents, change_cents;
    char currency[4];
    char auth_code[33];
    char message[300];   /* for the cashier, in plain words */
    int receipt_waiting; /* its receipt waits in the outbox: till_print_receipts() prints it */
    char print_msg[300]; /* why it could not be queued, when a printer is configured */
};

/* What a sale of card SERIAL (or an on-demand card of PLAN_CODE) would be: its plan and
 * price, asking the issuer which plan the card is (a TRAINING shift never asks: it takes
 * PLAN_CODE or the first plan kept). Errors as till_sell(), with MSG saying why. */
enum ru_status till_quote(struct till *t, const char *serial, const char *plan_code, int training,
                          struct pos_plan *out, char *msg, size_t msglen) RU_WARN_UNUSED;

/* Sell the card SERIAL (checked digits) for CASH_CENTS (card tender when CARD is set):
 * the plan and price from the issuer's card and catalog. An on-demand card is printed
 * before this returns (no card, no sale); an approved sale's receipt is not: it is queued
 * in the outbox (OUT->receipt_waiting) for till_print_receipts(), so the answer is never
 * held by the printer. RU_OK with OUT filled whatever
 * the issuer said; RU_ERR_NOT_FOUND no open shift; RU_ERR_LIMIT cash below the price;
 * RU_ERR_NETWORK the issuer could not be asked before the sale started (nothing recorded);
 * RU_ERR_DECLINED the issuer refused to say which card it is (unknown card) or to give its
 * catalog; RU_ERR_INVALID a plan not in the catalog; RU_ERR_EXISTS the card is in a sale
 * already (a double scan). OUT->message says why in each case. */
enum ru_status till_sell(struct till *t, const char *serial, const char *plan_code, long long cash_cents,
                         int card, struct till_result *out) RU_WARN_UNUSED;

/* Void sale ID (approved, this shift, within the void window) after a manager's approval
 * (checked by the caller). The void is recorded and sent; unacknowledged it waits in the
 * outbox. Its receipt is queued as a sale's is. RU_ERR_NOT_FOUND, RU_ERR_INVALID (not voidable: MSG says
 * why). */
enum ru_status till_void(struct till *t, long long id, struct till_result *out) RU_WARN_UNUSED;

/* Send the reversals and voids that wait in the outbox (due now, or all when FORCE);
 * receipts are left to till_print_receipts(). *SENT acknowledged, *LEFT outbox items
 * still waiting (receipts included). */
enum ru_status till_sync(struct till *t, int force, unsigned long *sent, unsigned long *left) RU_WARN_UNUSED;

/* Print the receipts waiting in the outbox (due now, or all when FORCE), each as one CUPS
 * job followed to its end; one that does not print waits again (backing off). *PRINTED
 * counts those printed; WHY gets the last failure's words ("" when none). RU_OK also when
 * no receipt printer is configured (they wait); RU_ERR_DB. */
enum ru_status till_print_receipts(struct till *t, int force, unsigned long *printed, char *why,
                                   size_t whylen) RU_WARN_UNUSED;

/* The outside anchor (docs/pos.md): ask the issuer for every journal head it recorded of
 * this terminal, page by page, and check that the journal holds each, the anomalies
 * (heads that went back or conflicted) too; *CHECKED counts them. RU_OK: it holds all
 * (none when the issuer never saw one); RU_ERR_INVALID: it does not (rolled back or
 * rebuilt), WHY names the first head not held; RU_ERR_NETWORK: the issuer could not be
 * asked, WHY says why; RU_ERR_DB. */
enum ru_status till_anchor_check(struct till *t, size_t *checked, char *why, size_t whylen) RU_WARN_UNUSED;

/* Send the journal's head to the issuer now (at a shift's close, with its Z report's
 * head in the chain). RU_OK when the issuer recorded it; else WHY says why. */
enum ru_status till_anchor_send(struct till *t, char *why, size_t whylen) RU_WARN_UNUSED;

/* 1 when the issuer answers GET /v1/health; then the catalog kept for training shifts
 * is refreshed too. */
int till_issuer_reachable(struct till *t);

/* Whether the issuer answered the last request: 1, 0, or -1 before the first. */
int till_last_answered(const struct till *t);

/* Print the receipt of sale ID again. */
enum ru_status till_reprint(struct till *t, long long id, char *msg, size_t msglen) RU_WARN_UNUSED;
#endif
