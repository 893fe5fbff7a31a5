/*
 * pos/journal.h - the terminal's journal (SQLite via db/, schema/): cashiers, shifts, sales
 * and their states, the store-and-forward outbox, the catalog, Z reports, and the
 * hash-chained entries they are made of. Every change is first an entry of the chain that
 * holds every column it sets; the tables are that entry applied, by the same code that
 * `reup-pos verify` replays the whole chain with. Each call is one transaction with
 * synchronous=FULL: when it returns, the change is on disk.
 */
#ifndef REUP_POS_JOURNAL_H
#define REUP_POS_JOURNAL_H
#include <stddef.h>
#include <stdint.h>
#include "common/cardnum.h"
#include "common/status.h"
#include "issuer/auth.h"
#include "pos/records.h"

struct journal;

struct pos_sale {
    long long id;
    char request_id[37];
    long long shift;
    int on_demand;
    char serial[CARD_DIGITS + 1]; /* "" until known */
    char plan[17];
    long long amount_cents;
    char currency[4];
    int card_tender; /* 0 cash, 1 card (external) */
    long long cash_cents, change_cents;
    enum pos_sale_state state;
    char auth_code[33];
    char message[200];
    int training;
    char created_at[24];
};

/* Open (creating it, mode 0600) the journal at PATH. The handle is set even on failure,
 * for journal_errmsg(); free it either way. RU_ERR_INVALID when the journal or its -wal
 * or -shm is open to group or others (the message names the file, its mode and the
 * chmod to run); RU_ERR_DB, RU_ERR_SCHEMA. */
enum ru_status journal_open(const char *path, struct journal **out) RU_WARN_UNUSED;
const char *journal_errmsg(const struct journal *j);
void journal_free(struct journal *j);

/* Cashiers. PIN: 4 to 12 digits, kept as a salted PBKDF2 hash. Adding a cashier, changing
 * a role or a PIN and unlocking are approved by manager BY, whose PIN the caller checked;
 * only the first cashier of an empty journal, a manager, is added with BY NULL. RU_ERR_INVALID
 * (the words on the handle) when BY is not a manager or is missing; RU_ERR_EXISTS. */
enum ru_status journal_cashier_add(struct journal *j, const char *id, const char *name, int manager,
                                   const char *pin, const char *by) RU_WARN_UNUSED;
/* Make cashier ID a manager or not, approved by BY. RU_ERR_NOT_FOUND, RU_ERR_INVALID. */
enum ru_status journal_cashier_set_role(struct journal *j, const char *id, int manager,
                                        const char *by) RU_WARN_UNUSED;
/* Give cashier ID a new PIN, approved by BY. RU_ERR_NOT_FOUND, RU_ERR_INVALID. */
enum ru_status journal_cashier_set_pin(struct journal *j, const char *id, const char *pin,
                                       const char *by) RU_WARN_UNUSED;
#define JOURNAL_PIN_TRIES  5         /* wrong PINs in a row that lock a cashier */
#define JOURNAL_PIN_LOCK_S (15 * 60) /* for this long */

/* What a PIN check found. */
struct pos_pin_check {
    int manager;            /* the cashier's role */
    int failures;           /* wrong PINs in a row now: 0 after a right one */
    long long locked_until; /* unix seconds; 0 when not locked */
};

/* Check cashier ID's PIN at NOW (unix seconds: time(NULL), given so that the end of a lock
 * can be tested). RU_OK: right, and the count of wrong PINs starts again. RU_ERR_INVALID:
 * wrong, and counted; the JOURNAL_PIN_TRIES-th in a row locks ID until NOW +
 * JOURNAL_PIN_LOCK_S. RU_ERR_LIMIT: ID is locked, and the PIN is not even checked.
 * RU_ERR_NOT_FOUND: no such cashier. OUT is filled in each of these cases, and
 * journal_errmsg() says in words what happened (the same words for a wrong PIN and an
 * unknown cashier). Each change of the count or the lock is a journal entry, so a lock
 * holds across restarts. RU_ERR_DB. */
enum ru_status journal_cashier_check(struct journal *j, const char *id, const char *pin, long long now,
                                     struct pos_pin_check *out) RU_WARN_UNUSED;

/* Lift cashier ID's lock and its count of wrong PINs, for manager BY (whose PIN the caller
 * checked); journaled. RU_ERR_NOT_FOUND; RU_ERR_INVALID when BY is not a manager. */
enum ru_status journal_cashier_unlock(struct journal *j, const char *id, const char *by) RU_WARN_UNUSED;

/* *MANAGER: whether cashier ID is a manager. RU_ERR_NOT_FOUND. */
enum ru_status journal_cashier_role(struct journal *j, const char *id, int *manager) RU_WARN_UNUSED;

/* Open a shift. RU_ERR_EXISTS when one is open. */
enum ru_status journal_shift_open(struct journal *j, const char *cashier, long long float_cents, int training,
                                  long long *shift) RU_WARN_UNUSED;
/* The open shift; RU_ERR_NOT_FOUND when none. */
enum ru_status journal_shift_current(struct journal *j, struct pos_shift *out) RU_WARN_UNUSED;

/* Record a new sale in state 'sending' with a fresh request_id (S->id and S->request_id
 * are filled in). */
enum ru_status journal_sale_begin(struct journal *j, struct pos_sale *s) RU_WARN_UNUSED;

/* Move sale ID to STATE with what the issuer answered (each may be NULL). Moving to
 * reversal_pending or void_pending also queues the reversal or void in the outbox, in
 * the same transaction. */
enum ru_status journal_sale_state(struct journal *j, long long id, enum pos_sale_state state,
                                  const char *serial, const char *auth_code,
                                  const char *message) RU_WARN_UNUSED;

/* Sale ID; RU_ERR_NOT_FOUND. */
enum ru_status journal_sale_get(struct journal *j, long long id, struct pos_sale *out) RU_WARN_UNUSED;

/* The latest sale of card SERIAL that is approved or still open (sending, reversal or
 * void pending), for refusing a card twice; RU_ERR_NOT_FOUND. */
enum ru_status journal_sale_of_card(struct journal *j, const char *serial,
                                    struct pos_sale *out) RU_WARN_UNUSED;

/* Replace the cached catalog with the N PLANS; the same plans again renew only the time
 * they were fetched (one entry of the chain). */
enum ru_status journal_catalog_store(struct journal *j, const struct pos_plan *plans,
                                     size_t n) RU_WARN_UNUSED;
/* Plan CODE of the cached catalog (NULL: the first by code); RU_ERR_NOT_FOUND. */
enum ru_status journal_catalog_get(struct journal *j, const char *code, struct pos_plan *out) RU_WARN_UNUSED;
/* *AGE_S: seconds from the oldest fetch of the cached catalog to NOW (unix seconds; less
 * than 0 when the clock went back). RU_ERR_NOT_FOUND when nothing is cached. */
enum ru_status journal_catalog_age(struct journal *j, long long now, long long *age_s) RU_WARN_UNUSED;

/* Every 'sending' sale (a run ended between recording and hearing back) becomes
 * reversal_pending with its reversal queued: before any new sale. *N counts them. */
enum ru_status journal_recover(struct journal *j, unsigned long *n) RU_WARN_UNUSED;

struct pos_outbox_item {
    long long id, sale;
    int void_;   /* a void (else a reversal) */
    int receipt; /* a receipt to print (neither) */
    int attempts;
    char request_id[37];
    char serial[CARD_DIGITS + 1];
};

/* Items due at NOW (unix seconds, 0: all), oldest first, up to MAX into OUT. */
enum ru_status journal_outbox_due(struct journal *j, long long now, struct pos_outbox_item *out, size_t max,
                                  size_t *n) RU_WARN_UNUSED;
/* Queue the receipt of sale ID for printing again. */
enum ru_status journal_receipt_queue(struct journal *j, long long id) RU_WARN_UNUSED;

/* Acknowledged: done, and its sale reversed or voided (a receipt: printed). */
enum ru_status journal_outbox_done(struct journal *j, const struct pos_outbox_item *it) RU_WARN_UNUSED;
/* Not yet: try again at NEXT_AT. */
enum ru_status journal_outbox_retry(struct journal *j, long long id, long long next_at,
                                    const char *error) RU_WARN_UNUSED;
/* Items not yet acknowledged. */
enum ru_status journal_outbox_pending(struct journal *j, unsigned long *n) RU_WARN_UNUSED;

/* The running totals of shift SHIFT as JSON (X report), owned by the caller (free()). */
enum ru_status journal_report_x(struct journal *j, long long shift, char **json) RU_WARN_UNUSED;

/* Close the open shift with the counted cash: its Z report is numbered and stored, never
 * to change; *JSON is it (free()). RU_ERR_NOT_FOUND when no shift is open. */
enum ru_status journal_shift_close(struct journal *j, long long counted_cents, char **json) RU_WARN_UNUSED;

/* Z report NUMBER (0: the last) as stored; RU_ERR_NOT_FOUND. */
enum ru_status journal_zreport(struct journal *j, long long number, char **json) RU_WARN_UNUSED;

/* The chain's head: the sequence number and hash (64 lowercase hex digits) of its last
 * entry, what the terminal sends the issuer as ReUp-Journal-Head. RU_ERR_NOT_FOUND for an
 * empty chain, RU_ERR_DB. */
enum ru_status journal_head(struct journal *j, long long *seq, char hash[65]) RU_WARN_UNUSED;

/* Whether the chain holds each of the N entries HEADS name by number and hash (the heads
 * the issuer saw), one indexed lookup each: RU_OK, or RU_ERR_INVALID with WHY naming the
 * first it does not hold and how: the chain ends before it (rolled back) or that entry has
 * another hash (rebuilt, or an older copy restored and written to). RU_ERR_DB. */
enum ru_status journal_holds(struct journal *j, const struct auth_head *heads, size_t n, char *why,
                             size_t whylen) RU_WARN_UNUSED;

/* Check the entry chain (every hash), replay every entry into a fresh database (from the
 * checkpoint of a journal migrated from schema 1 or 2), and compare every column of every
 * row of the projected tables with the live ones. RU_OK, or RU_ERR_INVALID with WHY naming
 * the first difference: the entry, or the table, row and column with both values. */
enum ru_status journal_verify(struct journal *j, char *why, size_t whylen) RU_WARN_UNUSED;
#endif
