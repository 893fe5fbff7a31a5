/*
 * pos/till.h - the counter's application layer, the only door to the journal: signing in
 * and a manager's approval, cashiers, shifts and their reports, selling on the exactly-once
 * flow of docs/design.md with the issuer's client, receipts and on-demand cards through
 * CUPS, voids, the store-and-forward outbox, recovery and verify. The screen (ui.c) and the
 * commands (cmd_*.c) are views over it: no SQL, no wire format. Training shifts never reach
 * the issuer.
 */
#ifndef REUP_POS_TILL_H
#define REUP_POS_TILL_H
#include <stddef.h>
#include "common/status.h"
#include "pos/config.h"
#include "common/cardnum.h"
#include "pos/records.h"

struct till;

/* Open the journal and the issuer client of CFG (copied) and run recovery (every sale
 * left 'sending' becomes reversal_pending) before anything else. ERR says what failed:
 * RU_ERR_INVALID (configuration: the credentials are wrong or open to group or others,
 * the CA is writable by them, or the journal is open to them), RU_ERR_DB (journal). */
enum ru_status till_open(const struct pos_config *cfg, struct till **out, char *err,
                         size_t errlen) RU_WARN_UNUSED;
/* A till on CFG's journal alone: no issuer client, no recovery (a selling till's sale in
 * flight is not touched). For what never asks the issuer (cashiers, opening a shift,
 * reports) and for the thread that prints receipts behind the screen (its own journal
 * connection: SQLite's are per thread). The calls that ask the issuer (quote, sell, void,
 * sync, the anchor, reachable) are for till_open()'s tills. Errors as till_open(). */
enum ru_status till_open_local(const struct pos_config *cfg, struct till **out, char *err,
                               size_t errlen) RU_WARN_UNUSED;
void till_free(struct till *t);

/* The journal's words for the last failure of a call on T. Never NULL. */
const char *till_errmsg(const struct till *t);

/* A cashier signed in with their PIN, or a manager who approved. */
struct till_cashier {
    char id[33];
    int manager;
};

/* Check cashier ID's PIN now (5 wrong in a row lock for 15 minutes; each count is an entry
 * of the journal, so a lock holds across restarts). RU_OK: OUT is who signed in, and their
 * role. RU_ERR_INVALID: a wrong PIN, counted; RU_ERR_NOT_FOUND: no such cashier (the same
 * words: no hint which numbers exist); RU_ERR_LIMIT: locked, the PIN not even checked;
 * RU_ERR_DB. MSG says what happened in the journal's words (the lock's end included). */
enum ru_status till_sign_in(struct till *t, const char *id, const char *pin, struct till_cashier *out,
                            char *msg, size_t msglen) RU_WARN_UNUSED;

/* A manager's approval, decided here alone: till_sign_in() of MANAGER, who must be a
 * manager. RU_ERR_DECLINED when the PIN is right but MANAGER is not one (MSG says so);
 * else as till_sign_in(). OUT is what the calls below that need an approval take. */
enum ru_status till_approve(struct till *t, const char *manager, const char *pin, struct till_cashier *out,
                            char *msg, size_t msglen) RU_WARN_UNUSED;

/* The approval of the open shift's cashier, who signed in with a PIN to open it: RU_OK
 * when a manager; RU_ERR_NOT_FOUND no shift open; RU_ERR_DECLINED not a manager. */
enum ru_status till_approve_by_shift(struct till *t, struct till_cashier *out) RU_WARN_UNUSED;

/* Cashiers: add one (PIN: 4 to 12 digits), change a role or a PIN, lift a lock and the count
 * of wrong PINs, each approved by manager BY (till_approve()); only the first manager of an
 * empty journal is added with BY NULL. RU_ERR_EXISTS, RU_ERR_NOT_FOUND, RU_ERR_INVALID (BY
 * missing or not a manager, a PIN of the wrong form: till_errmsg() says), RU_ERR_DB. */
enum ru_status till_cashier_add(struct till *t, const char *id, const char *name, int manager,
                                const char *pin, const struct till_cashier *by) RU_WARN_UNUSED;
enum ru_status till_cashier_set_role(struct till *t, const char *id, int manager,
                                     const struct till_cashier *by) RU_WARN_UNUSED;
enum ru_status till_cashier_set_pin(struct till *t, const char *id, const char *pin,
                                    const struct till_cashier *by) RU_WARN_UNUSED;
enum ru_status till_cashier_unlock(struct till *t, const char *id,
                                   const struct till_cashier *by) RU_WARN_UNUSED;

/* Open a shift for WHO (signed in) with FLOAT_CENTS in the drawer; *ID its number.
 * RU_ERR_EXISTS when one is open; RU_ERR_DB. */
enum ru_status till_shift_open(struct till *t, const struct till_cashier *who, long long float_cents,
                               int training, long long *id) RU_WARN_UNUSED;
/* The open shift; RU_ERR_NOT_FOUND when none. */
enum ru_status till_shift_current(struct till *t, struct pos_shift *out) RU_WARN_UNUSED;
/* Close the open shift with the cash counted: its Z report is numbered and kept, never to
 * change, with the journal's head; *JSON is it (free()). Then the head goes to the issuer
 * at once; when it could not, UNSENT says why (it goes with the next request), else it is
 * "". RU_ERR_NOT_FOUND no shift open. */
enum ru_status till_shift_close(struct till *t, long long counted_cents, char **json, char *unsent,
                                size_t unsentlen) RU_WARN_UNUSED;
/* The open shift's running totals (X report) as JSON (free()); RU_ERR_NOT_FOUND no shift. */
enum ru_status till_report_x(struct till *t, char **json) RU_WARN_UNUSED;
/* Z report NUMBER (0: the last) as kept (free()); RU_ERR_NOT_FOUND. */
enum ru_status till_zreport(struct till *t, long long number, char **json) RU_WARN_UNUSED;

/* How the till stands. */
struct till_status {
    int shift_open;
    struct pos_shift shift; /* when open */
    unsigned long pending;  /* outbox items not yet acknowledged, receipts included */
};
enum ru_status till_status(struct till *t, struct till_status *out) RU_WARN_UNUSED;

/* Replay the whole chain against the tables (journal.h, journal_verify()): RU_OK, or
 * RU_ERR_INVALID with WHY naming the first difference; RU_ERR_DB (till_errmsg()). */
enum ru_status till_verify(struct till *t, char *why, size_t whylen) RU_WARN_UNUSED;

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

/* Void sale ID (approved, this shift, within the void window) with manager BY's approval
 * (till_approve(), till_approve_by_shift()). The void is recorded and sent; unacknowledged
 * it waits in the outbox. Its receipt is queued as a sale's is. RU_ERR_DECLINED (BY is no
 * manager's approval), RU_ERR_NOT_FOUND, RU_ERR_INVALID (not voidable); OUT->message says
 * why. */
enum ru_status till_void(struct till *t, long long id, const struct till_cashier *by,
                         struct till_result *out) RU_WARN_UNUSED;

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

/* 1 when the issuer answers GET /v1/health; then the catalog kept for training shifts
 * is refreshed too. */
int till_issuer_reachable(struct till *t);

/* Whether the issuer answered the last request: 1, 0, or -1 before the first. */
int till_last_answered(const struct till *t);

/* Print the receipt of sale ID again. */
enum ru_status till_reprint(struct till *t, long long id, char *msg, size_t msglen) RU_WARN_UNUSED;
#endif
