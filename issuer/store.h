/*
 * issuer/store.h - the ledger's rows as typed calls, on either database engine.
 *
 * The rest of issuer/ reads and writes the ledger through these functions only; each runs
 * one named statement of issuer/engine.h (the SQL lives in issuer/engine-sqlite.c and
 * issuer/engine-pg.c). A store is one connection, used by one thread at a time.
 *
 * Every call returns the statuses of engine.h: RU_OK; RU_ERR_EXISTS (a unique or primary
 * key), RU_ERR_RETRY (a concurrent transaction got in the way: roll back, run the whole
 * transaction again), RU_ERR_NETWORK (PostgreSQL went away), RU_ERR_NOMEM, RU_ERR_DB;
 * and RU_ERR_NOT_FOUND where said. store_errmsg() then says what failed, naming the file or
 * the host (not for RU_ERR_NOT_FOUND, which is the caller's to word).
 * Times are UTC text 'YYYY-MM-DDTHH:MM:SSZ'. Text out-parameters are cut to their size,
 * "" for NULL.
 */
#ifndef REUP_ISSUER_STORE_H
#define REUP_ISSUER_STORE_H
#include <stddef.h>
#include <jansson.h>
#include "common/cardnum.h"
#include "common/status.h"
#include "issuer/api.h"
#include "issuer/auth.h"
#include "issuer/secret.h"

struct store;

/* Whether TARGET names a PostgreSQL database (postgresql:// or postgres://) rather than
 * an SQLite file. */
int store_target_is_pg(const char *target);

/* Connect to the ledger at TARGET: a PostgreSQL URI or the path of an SQLite file
 * (created when CREATE). Opening changes nothing: the schema is checked with
 * store_schema_version() and brought up to date by store_migrate(). *out is set even on
 * failure (but RU_ERR_NOMEM) for store_errmsg(); store_close() it either way.
 * RU_ERR_NETWORK when no PostgreSQL server answers, RU_ERR_NOT_FOUND for an SQLite file
 * that is not there (and no CREATE), RU_ERR_DB. */
enum ru_status store_open(const char *target, int create, struct store **out) RU_WARN_UNUSED;
void store_close(struct store *s);
const char *store_errmsg(const struct store *s);
/* "sqlite" or "postgresql". */
const char *store_engine(const struct store *s);

/* The schema version of the ledger (0: none yet), the latest this program knows, and the
 * migrations up to it, each in a transaction of its own. */
enum ru_status store_schema_version(struct store *s, int *version) RU_WARN_UNUSED;
int store_schema_latest(const struct store *s);
enum ru_status store_migrate(struct store *s) RU_WARN_UNUSED;

/* A write transaction that behaves as if it ran alone; commit, or roll back (safe to call
 * when none is open). Inside one, one savepoint at a time (the server's group commit:
 * each request in a savepoint of the batch's transaction); release it, rolling back to it
 * first when UNDO. */
enum ru_status store_begin(struct store *s) RU_WARN_UNUSED;
enum ru_status store_commit(struct store *s) RU_WARN_UNUSED;
void store_rollback(struct store *s);
enum ru_status store_savepoint(struct store *s) RU_WARN_UNUSED;
enum ru_status store_release(struct store *s, int undo) RU_WARN_UNUSED;

/* Savepoints off (ON 0) or on again (1, the default), for a batch that runs first
 * without a savepoint per request and, when one of its requests must be undone, runs again
 * with them. Off, store_savepoint() and store_release() without UNDO do nothing and
 * store_release() with UNDO fails (RU_ERR_DB, nothing undone); and inside a transaction a
 * write whose result is only its status (every call here but those that count or return
 * rows) may be sent without waiting for the server (PostgreSQL), its failure then
 * returned by the next call that waits (a read or the commit): either way one failure
 * loses the whole transaction. */
void store_set_savepoints(struct store *s, int on);

/* Settings: the issuer prefix (0 to 9999) and the serial sequence, first 1. */
enum ru_status store_settings_init(struct store *s, unsigned prefix) RU_WARN_UNUSED;
enum ru_status store_prefix(struct store *s, long long *prefix) RU_WARN_UNUSED;
/* Take COUNT sequence numbers: *first gets the first of them. */
enum ru_status store_sequence_take(struct store *s, long long count, long long *first) RU_WARN_UNUSED;

/* Plans. store_plan_get: RU_ERR_NOT_FOUND. store_plan_list: every plan by code, into *out
 * (plan_list_release()). */
enum ru_status store_plan_insert(struct store *s, const char *code, int months, long long price_cents,
                                 const char *currency, const char *gtin) RU_WARN_UNUSED;
enum ru_status store_plan_get(struct store *s, const char *code, int *months, long long *price_cents,
                              char currency[4]) RU_WARN_UNUSED;
enum ru_status store_plan_list(struct store *s, struct plan_list *out) RU_WARN_UNUSED;

/* Terminals. store_terminal_get: RU_ERR_NOT_FOUND for an unknown one. */
enum ru_status store_terminal_insert(struct store *s, const char *id, const char *store_id,
                                     const unsigned char secret[SECRET_BYTES]) RU_WARN_UNUSED;
enum ru_status store_terminal_get(struct store *s, const char *id, unsigned char secret[SECRET_BYTES],
                                  char store_id[65]) RU_WARN_UNUSED;
/* Give terminal ID of store STORE_ID the secret SECRET. RU_ERR_NOT_FOUND: no such
 * terminal of that store. On PostgreSQL every store_terminal_listen() connection hears of
 * it at the commit. */
enum ru_status store_terminal_rotate(struct store *s, const char *id, const char *store_id,
                                     const unsigned char secret[SECRET_BYTES]) RU_WARN_UNUSED;
/* Hearing of rotations (engine.h, listen and heard): whether the engine can
 * (store_can_listen()), start on this store (then used for nothing else), and wait up to
 * TIMEOUT_MS for one: TERMINAL the id, "*" when any terminal's may have changed (SQLite),
 * "" when none came; RU_ERR_NETWORK or RU_ERR_IO when the connection or the watch broke
 * and rotations may have gone unheard. */
int store_can_listen(const struct store *s);
enum ru_status store_terminal_listen(struct store *s) RU_WARN_UNUSED;
enum ru_status store_terminal_heard(struct store *s, int timeout_ms, char *terminal,
                                    size_t len) RU_WARN_UNUSED;

/* Batches and cards. The PIN's HMAC (MAC, LEN bytes) is unique: RU_ERR_EXISTS when
 * another card has it. */
enum ru_status store_batch_count(struct store *s, long long *n) RU_WARN_UNUSED;
enum ru_status store_batch_insert(struct store *s, const char *id, const char *plan,
                                  long long count) RU_WARN_UNUSED;
enum ru_status store_card_insert(struct store *s, const char *serial, const char *plan, const char *batch,
                                 const unsigned char *mac, size_t len) RU_WARN_UNUSED;
/* An on-demand card: active for STORE_ID from now, in no batch. */
enum ru_status store_card_insert_active(struct store *s, const char *serial, const char *plan,
                                        const unsigned char *mac, size_t len,
                                        const char *store_id) RU_WARN_UNUSED;

struct store_card {
    char serial[CARD_DIGITS + 1];
    char plan[17];
    char status[16]; /* issued, active, redeemed, blocked */
    char activated_at[32];
    char store_id[65];
};
/* RU_ERR_NOT_FOUND. */
enum ru_status store_card_show(struct store *s, const char *serial, struct store_card *out) RU_WARN_UNUSED;
/* Block the card, or every card of BATCH, unless redeemed; *n gets how many changed. */
enum ru_status store_card_block(struct store *s, const char *serial, long long *n) RU_WARN_UNUSED;
enum ru_status store_card_block_batch(struct store *s, const char *batch, long long *n) RU_WARN_UNUSED;

/* A card as a sale sees it: its status, plan and the plan's price. RU_ERR_NOT_FOUND. On
 * PostgreSQL the card's row is locked until the transaction ends. */
struct store_sale {
    char status[16];
    char plan[17];
    long long price_cents;
    char currency[4];
};
enum ru_status store_card_for_sale(struct store *s, const char *serial,
                                   struct store_sale *out) RU_WARN_UNUSED;
/* Inside a transaction, the read of store_card_for_sale(SERIAL) sent ahead, so that it
 * travels with the next read (PostgreSQL: one round trip for both); the call itself then
 * takes its answer. Locks the card's row from now on. Nothing on SQLite. */
void store_card_for_sale_ahead(struct store *s, const char *serial);
/* 'issued' to 'active' for STORE_ID, now; nothing when the card is not 'issued'. */
enum ru_status store_card_activate(struct store *s, const char *store_id, const char *serial) RU_WARN_UNUSED;
/* *redeemed: 1 when the card is redeemed, 0 otherwise (also when there is no such card). */
enum ru_status store_card_redeemed(struct store *s, const char *serial, int *redeemed) RU_WARN_UNUSED;
/* An active card taken back: to 'issued' (no store, no time), or (an on-demand card, its
 * PIN out) to 'blocked'. Nothing when it is not 'active'. */
enum ru_status store_card_return(struct store *s, const char *serial) RU_WARN_UNUSED;
enum ru_status store_card_block_active(struct store *s, const char *serial) RU_WARN_UNUSED;
/* The active card whose PIN has this HMAC: its serial, plan and the plan's months.
 * RU_ERR_NOT_FOUND (no card, or not active). Locked like store_card_for_sale(). */
enum ru_status store_card_by_pin(struct store *s, const unsigned char *mac, size_t len,
                                 char serial[CARD_DIGITS + 1], char plan[17], int *months) RU_WARN_UNUSED;
enum ru_status store_card_redeem(struct store *s, const char *serial, const char *account) RU_WARN_UNUSED;
/* Extend ACCOUNT's subscription by MONTHS from the later of now and its expiry (a new
 * account: from now); its new expiry into EXPIRES. */
enum ru_status store_subscription_extend(struct store *s, const char *account, int months,
                                         char expires[32]) RU_WARN_UNUSED;

/* A terminal request, keyed by (store_id, terminal, request_id). */
struct store_request {
    char kind[16]; /* activation, card, reversal */
    char plan[17]; /* "" when none */
    char serial[CARD_DIGITS + 1];
    long long amount; /* 0 when none */
    char currency[4];
    char state[16]; /* active, voided, reversed, refused */
    int http_status;
    char *answer;    /* owned: store_request_release() */
    long long age_s; /* seconds since it was recorded */
};
/* RU_ERR_NOT_FOUND: this terminal never sent it. Locked like store_card_for_sale(). */
enum ru_status store_request_get(struct store *s, const char *store_id, const char *terminal,
                                 const char *request_id, struct store_request *out) RU_WARN_UNUSED;
void store_request_release(struct store_request *r);

/* What a new request row holds; NULL serial, plan and currency are NULL, as is AMOUNT
 * without HAS_AMOUNT. */
struct store_request_row {
    const char *request_id, *kind, *terminal, *store_id;
    const char *serial, *plan, *currency;
    int has_amount;
    long long amount;
    const char *state;
    int http_status;
    const char *answer;
};
enum ru_status store_request_insert(struct store *s, const struct store_request_row *r) RU_WARN_UNUSED;
enum ru_status store_request_set_state(struct store *s, const char *store_id, const char *terminal,
                                       const char *request_id, const char *state) RU_WARN_UNUSED;

/* Refused redemptions of SUBJECT within the last WINDOW_S seconds: how many, and the
 * Unix time of the oldest (0 when none). */
enum ru_status store_refusals(struct store *s, const char *subject, long long window_s, long long *count,
                              long long *oldest) RU_WARN_UNUSED;
enum ru_status store_refusal_insert(struct store *s, const char *subject) RU_WARN_UNUSED;

/* Journal heads (issuer/journalhead.h). store_head_latest: the kind 'head' row of the
 * highest seq, RU_ERR_NOT_FOUND when none. store_head_seen: *seen 1 when a kind 'head' row
 * has H's seq and hash. store_head_insert: KIND "head" or "anomaly". store_head_list: up
 * to MAX (seq, hash) with AFTER < seq <= UPTO, by seq: kind 'head', or with ANOMALIES the
 * distinct anomalies by seq then hash; their number in *n. */
enum ru_status store_head_latest(struct store *s, const char *store_id, const char *terminal,
                                 struct auth_head *out) RU_WARN_UNUSED;
enum ru_status store_head_seen(struct store *s, const char *store_id, const char *terminal,
                               const struct auth_head *h, int *seen) RU_WARN_UNUSED;
enum ru_status store_head_insert(struct store *s, const char *store_id, const char *terminal,
                                 const struct auth_head *h, const char *kind) RU_WARN_UNUSED;
enum ru_status store_head_list(struct store *s, const char *store_id, const char *terminal, int anomalies,
                               long long after, long long upto, struct auth_head *heads, size_t max,
                               size_t *n) RU_WARN_UNUSED;

/* The audit log: one row appended (at now), and the rows from SINCE (NULL: all) on,
 * oldest first, as a JSON array of {id, at, actor, action, serial, request_id, outcome,
 * detail} (NULL columns null) into *rows (json_decref()). */
enum ru_status store_audit_append(struct store *s, const char *actor, const char *action, const char *serial,
                                  const char *request_id, const char *outcome,
                                  const char *detail) RU_WARN_UNUSED;
enum ru_status store_audit_list(struct store *s, const char *since, json_t **rows) RU_WARN_UNUSED;

/* One part of the back office's report as a JSON array of objects keyed by column:
 * cards {plan, status, count}, batches {id, plan, count, created_at}, terminals {id,
 * store_id, created_at}, requests of the last 24 hours {kind, state, http_status, count},
 * subscriptions [{accounts, current}]. */
enum store_report {
    STORE_REPORT_CARDS,
    STORE_REPORT_BATCHES,
    STORE_REPORT_TERMINALS,
    STORE_REPORT_REQUESTS,
    STORE_REPORT_SUBSCRIPTIONS
};
enum ru_status store_report_rows(struct store *s, enum store_report part, json_t **rows) RU_WARN_UNUSED;

#endif
