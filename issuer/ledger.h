/*
 * issuer/ledger.h - the card issuer's state directory and ledger.
 *
 * A state directory holds issuer.key (32 random bytes, mode 0600: the key of the PIN
 * HMACs), for development tls/cert.pem and tls/key.pem, and the ledger: either issuer.db
 * (SQLite, WAL, synchronous=FULL, mode 0600) or, when the file `database` (mode 0600, one
 * line) is there, the PostgreSQL database its URI names. The ledger keeps plans,
 * terminals, batches and cards (issuer/store.h); a card's PIN is kept only as
 * HMAC-SHA256(issuer key, PIN). Every state change is appended to the audit log in the
 * same transaction.
 */
#ifndef REUP_ISSUER_LEDGER_H
#define REUP_ISSUER_LEDGER_H
#include <stddef.h>
#include "common/cardnum.h"
#include "common/status.h"
#include "issuer/secret.h"
#include "issuer/store.h"

struct ledger;

/* How many times a transaction that a concurrent one got in the way of (RU_ERR_RETRY,
 * PostgreSQL) runs again before the call gives up with that status. */
#define LEDGER_RETRIES 20

/* Create the state directory DIR (mode 0700, also when it exists already) with its key,
 * TLS key (mode 0600 whatever the umask) and ledger, serials starting with PREFIX. The
 * ledger is DIR/issuer.db, or with DATABASE (a postgresql:// or postgres:// URI) that
 * PostgreSQL database, which must exist and hold no ledger yet; the URI is kept in
 * DIR/database. RU_ERR_INVALID (a bad prefix or URI, or one holding a password),
 * RU_ERR_EXISTS (DIR initialized already, or the database holds a ledger), RU_ERR_NETWORK
 * (no PostgreSQL server answers), RU_ERR_DB, RU_ERR_IO; on failure what init made is
 * removed again and ERR says why. */
enum ru_status ledger_init(const char *dir, unsigned prefix, const char *database, char *err,
                           size_t errlen) RU_WARN_UNUSED;

/* Run the migrations DIR's ledger has not had; *from and *to get its schema version
 * before and after (equal: it was up to date). The failures of ledger_open(), but never
 * RU_ERR_SCHEMA for an older schema; ERR says why. */
enum ru_status ledger_upgrade(const char *dir, int *from, int *to, char *err, size_t errlen) RU_WARN_UNUSED;

/* Open an initialized state directory. On failure *out is still set (NULL only for
 * RU_ERR_NOMEM) so ledger_errmsg() can say why: RU_ERR_NOT_FOUND (not initialized),
 * RU_ERR_INVALID (the directory, issuer.key, database, or issuer.db with its -wal and
 * -shm open to group or others: the message names the file and the chmod to run),
 * RU_ERR_SCHEMA (the ledger's schema is older than this program's: the message says to
 * run init --upgrade; or newer), RU_ERR_NETWORK (no PostgreSQL server answers: the
 * message names the host), RU_ERR_DB. */
enum ru_status ledger_open(const char *dir, struct ledger **out) RU_WARN_UNUSED;
const char *ledger_errmsg(const struct ledger *lg);
void ledger_free(struct ledger *lg);

struct ledger_plan {
    char code[17];
    int months;
    long long price_cents;
    char currency[4];
    char gtin[15];
};

/* RU_ERR_INVALID (ledger_errmsg() names the field), RU_ERR_EXISTS, RU_ERR_DB. */
enum ru_status ledger_plan_add(struct ledger *lg, const struct ledger_plan *p) RU_WARN_UNUSED;

/* A new terminal of STORE with a fresh secret, written to SECRET. RU_ERR_INVALID for an
 * empty or over-long id, RU_ERR_EXISTS. */
enum ru_status ledger_terminal_add(struct ledger *lg, const char *terminal, const char *store,
                                   unsigned char secret[SECRET_BYTES]) RU_WARN_UNUSED;

/* A fresh secret for the existing TERMINAL of STORE, written to SECRET; the old secret is
 * refused from the commit on (a running serve hears of it: termcache.h). Audited.
 * RU_ERR_INVALID for a malformed id, RU_ERR_NOT_FOUND for no such terminal of STORE. */
enum ru_status ledger_terminal_rotate(struct ledger *lg, const char *terminal, const char *store,
                                      unsigned char secret[SECRET_BYTES]) RU_WARN_UNUSED;

/* Called once per new card, inside the batch's transaction, before it commits; a status
 * other than RU_OK rolls the whole batch back. */
typedef enum ru_status (*ledger_card_fn)(void *ctx, const char *serial, const char *pin, const char *plan,
                                         const char *batch);

/* Called after the last card, just before the commit; a failure rolls the batch back. */
typedef enum ru_status (*ledger_done_fn)(void *ctx);

/* COUNT (1 .. LEDGER_BATCH_MAX) new cards of PLAN in state issued, in one transaction.
 * The batch id goes to BATCH. RU_ERR_NOT_FOUND (no such plan), RU_ERR_LIMIT, RU_ERR_DB, or
 * a callback's status. RU_ERR_RETRY: a concurrent transaction got in the way and nothing
 * is in the ledger, but the callbacks have seen cards: start their output again, then
 * call again. */
#define LEDGER_BATCH_MAX 1000000
enum ru_status ledger_batch_create(struct ledger *lg, const char *plan, unsigned long count,
                                   ledger_card_fn emit, ledger_done_fn done, void *ctx,
                                   char batch[16]) RU_WARN_UNUSED;

/* Inside the caller's transaction: one new card of PLAN, already active for STORE (an
 * on-demand card), with the next serial and a fresh PIN (only its HMAC is kept).
 * RU_ERR_LIMIT when the serials are used up, RU_ERR_DB. */
enum ru_status ledger_new_active_card(struct ledger *lg, const char *plan, const char *store,
                                      char serial[CARD_DIGITS + 1], char pin[CARD_DIGITS + 1]) RU_WARN_UNUSED;

/* The card as GET /v1/cards/{serial} shows it, as a JSON object: serial, plan, status,
 * and activated_at and store_id (null until activated) when STORE is NULL (the operator)
 * or the activating store. Owned string in *json (free()). RU_ERR_NOT_FOUND. */
enum ru_status ledger_card_json(struct ledger *lg, const char *serial, const char *store,
                                char **json) RU_WARN_UNUSED;

/* Block one card (SERIAL) or every card of a batch (BATCH); redeemed cards stay redeemed.
 * *count gets how many changed. RU_ERR_NOT_FOUND when nothing matches. */
enum ru_status ledger_card_block(struct ledger *lg, const char *serial, const char *batch, const char *actor,
                                 unsigned long *count) RU_WARN_UNUSED;

/* A terminal's secret and store. RU_ERR_NOT_FOUND for an unknown terminal. */
enum ru_status ledger_terminal_get(struct ledger *lg, const char *terminal,
                                   unsigned char secret[SECRET_BYTES], char store[65]) RU_WARN_UNUSED;

/* The catalog as GET /v1/plans answers it: {"plans":[{code, months, price, currency,
 * gtin}]}, owned text in *json (free()). */
enum ru_status ledger_plans_json(struct ledger *lg, char **json) RU_WARN_UNUSED;

/* The audit log from SINCE (RFC 3339, NULL for all) on, oldest first, as a JSON array
 * of {id, at, actor, action, serial, request_id, outcome, detail}. RU_ERR_INVALID for a
 * SINCE that is not an RFC 3339 UTC time. Owned text in *json. */
enum ru_status ledger_audit_json(struct ledger *lg, const char *since, char **json) RU_WARN_UNUSED;

/* The back office's overview: cards by plan and status, batches, terminals, requests in
 * the last 24 hours by outcome, subscriptions. A JSON object; owned text in *json. */
enum ru_status ledger_report_json(struct ledger *lg, char **json) RU_WARN_UNUSED;

/* Group commit: while a batch is open (the caller holds one write transaction), the
 * activation and redemption calls run each in a savepoint of it instead of a
 * transaction of their own, and nothing is on disk before the caller commits. */
void ledger_set_batch(struct ledger *lg, int in_batch);
int ledger_in_batch(const struct ledger *lg);

/* Whether a call whose transaction ended with RC runs again: RU_ERR_RETRY (a concurrent
 * transaction got in the way, PostgreSQL), outside a batch (there the batch's owner runs
 * the whole batch again), fewer than LEDGER_RETRIES times so far (counted in *TRIES, 0
 * at first), after ledger_backoff(). The ledger_* calls that write do this themselves
 * (but batch_create). */
int ledger_again(struct ledger *lg, enum ru_status rc, int *tries);

/* Before try TRIES + 1 of a transaction that a concurrent one got in the way of: a short
 * random wait, longer the more tries failed (up to 64 ms), so that the two do not meet
 * again at once. ledger_again() waits so itself. */
void ledger_backoff(int tries);

/* For the other issuer modules: the ledger's store (borrowed), the issuer key, and one row
 * of the audit log inside the caller's transaction. */
struct store *ledger_store(struct ledger *lg);
const unsigned char *ledger_key(const struct ledger *lg);
enum ru_status ledger_audit(struct ledger *lg, const char *actor, const char *action, const char *serial,
                            const char *request_id, const char *outcome, const char *detail) RU_WARN_UNUSED;

#endif
