/*
 * issuer/engine.h - what the ledger needs from a database engine, and nothing more.
 *
 * Two engines implement it: issuer/engine-sqlite.c (the embedded default: DIR/issuer.db)
 * and issuer/engine-pg.c (PostgreSQL through libpq). Every SQL text of the issuer lives in
 * those two files (and their migrations under issuer/schema/sqlite/ and
 * issuer/schema/postgresql/); issuer/store.c runs the named statements below and gives
 * the rest of issuer/ typed functions, so no other module sees SQL.
 *
 * Both engines keep the same tables and columns (docs/design.md, "The ledger"): times
 * are TEXT in UTC as 'YYYY-MM-DDTHH:MM:SSZ', integers 64-bit, blobs bytes (bytea), so the
 * audit log and the report read the same on both.
 *
 * Transactions: begin() opens a write transaction that behaves as if it ran alone
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: ISOLATION LEVEL SERIALIZABLE). When PostgreSQL
 * finds that a concurrent transaction (on any node) made it impossible to go on
 * (serialization failure 40001, deadlock 40P01), the statement or the commit returns
 * RU_ERR_RETRY: the caller rolls back and runs the whole transaction again.
 * A statement outside begin() runs on its own (autocommit), for reads.
 *
 * Statuses of every call: RU_OK; RU_ERR_EXISTS (a unique or primary key would be broken:
 * SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL 23505); RU_ERR_RETRY (above);
 * RU_ERR_NETWORK (PostgreSQL: no connection, or it broke: the outcome of a commit in
 * flight is unknown; the next call reconnects by itself); RU_ERR_SCHEMA; RU_ERR_NOMEM;
 * RU_ERR_DB (anything else). errmsg() says what failed, naming the file or the host.
 */
#ifndef REUP_ISSUER_ENGINE_H
#define REUP_ISSUER_ENGINE_H
#include <stddef.h>
#include "common/status.h"

/* The named statements. Parameters in order (type), then the columns of each row.
 * "now" is the database's clock: UTC text 'YYYY-MM-DDTHH:MM:SSZ' for the *_at columns,
 * Unix seconds where said. */
enum query {
    /* settings (key, value TEXT) */
    Q_SETTINGS_INIT,  /* (prefix TEXT '0042'): inserts ('prefix', prefix), ('next_sequence', '1') */
    Q_SETTING_PREFIX, /* () -> (prefix INT) */
    Q_SEQUENCE_TAKE,  /* (count INT) -> (first INT): next_sequence += count, returns the old value */
    /* plans */
    Q_PLAN_INSERT, /* (code, months INT, price_cents INT, currency, gtin), created_at now */
    Q_PLAN_GET,    /* (code) -> (months INT, price_cents INT, currency) */
    Q_PLAN_LIST,   /* () -> (code, months INT, price_cents INT, currency, gtin) ORDER BY code */
    /* terminals */
    Q_TERMINAL_INSERT, /* (id, store_id, secret BLOB), created_at now */
    Q_TERMINAL_GET,    /* (id) -> (secret BLOB, store_id) */
    Q_TERMINAL_ROTATE, /* (id, store_id, secret BLOB) -> (id) of the terminal given the new secret (no row:
                        * no such terminal of that store); PostgreSQL: also NOTIFY reup_terminal with the id,
                        * which listen() connections hear when the transaction commits */
    /* batches and cards */
    Q_BATCH_COUNT,        /* () -> (n INT) */
    Q_BATCH_INSERT,       /* (id, plan, count INT), created_at now */
    Q_CARD_INSERT,        /* (serial, plan, batch, pin_hmac BLOB): status 'issued' */
    Q_CARD_INSERT_ACTIVE, /* (serial, plan, pin_hmac BLOB, store_id): status 'active', activated_at now, batch
                             NULL */
    Q_CARD_SHOW,          /* (serial) -> (serial, plan, status, activated_at|NULL, store_id|NULL) */
    Q_CARD_BLOCK,         /* (serial): 'blocked' unless 'redeemed'; changes() = rows */
    Q_CARD_BLOCK_BATCH,   /* (batch): 'blocked' every card of it not 'redeemed'; changes() = rows */
    Q_CARD_FOR_SALE,      /* (serial) -> (status, plan, price_cents INT, currency) card joined with its plan;
                           * PostgreSQL: FOR UPDATE OF the card row */
    Q_CARD_ACTIVATE,      /* (store_id, serial): 'active', store_id, activated_at now WHERE status 'issued' */
    Q_CARD_REDEEMED,      /* (serial) -> (redeemed INT 0/1) */
    Q_CARD_RETURN,        /* (serial): back to 'issued', store_id and activated_at NULL, WHERE 'active' */
    Q_CARD_BLOCK_ACTIVE,  /* (serial): 'blocked' WHERE 'active' (an on-demand card taken back) */
    Q_CARD_BY_PIN,        /* (pin_hmac BLOB) -> (serial, plan, months INT) of the 'active' card with it;
                           * PostgreSQL: FOR UPDATE OF the card row */
    Q_CARD_REDEEM,        /* (serial, account): 'redeemed', redeemed_at now, account */
    /* subscriptions */
    Q_SUBSCRIPTION_EXTEND, /* (account, months INT) -> (expires_at): insert now + months, or set
                            * max(expires_at, now) + months; returns the new expires_at */
    /* terminal requests, keyed by (store_id, terminal, request_id) */
    Q_REQUEST_GET,    /* (store_id, terminal, request_id) -> (kind, plan|NULL, serial|NULL, amount INT|NULL,
                       * currency|NULL, state, http_status INT, answer, age_s INT: now - created_at in
                       * seconds); PostgreSQL: FOR UPDATE */
    Q_REQUEST_INSERT, /* (request_id, kind, terminal, store_id, serial|NULL, plan|NULL, amount INT|NULL,
                       * currency|NULL, state, http_status INT, answer): created_at, changed_at now */
    Q_REQUEST_SET_STATE, /* (state, store_id, terminal, request_id): changed_at now */
    /* redemption lockout */
    Q_REFUSALS,       /* (subject, window_s INT) -> (count INT, oldest INT|NULL): refusals of subject
                       * with at > now_unix - window_s; oldest is their least at (Unix seconds) */
    Q_REFUSAL_INSERT, /* (subject): at = now, Unix seconds */
    /* journal heads */
    Q_HEAD_LATEST,  /* (store_id, terminal) -> (seq INT, hash) the kind 'head' row of highest seq */
    Q_HEAD_SEEN,    /* (store_id, terminal, seq INT, hash) -> (1) if a kind 'head' row has both */
    Q_HEAD_INSERT,  /* (store_id, terminal, seq INT, hash, kind 'head'|'anomaly'), seen_at now */
    Q_HEAD_LIST,    /* (store_id, terminal, after INT, upto INT, limit INT) -> (seq INT, hash): kind
                     * 'head', after < seq <= upto, ORDER BY seq LIMIT limit */
    Q_ANOMALY_LIST, /* same parameters -> DISTINCT (seq INT, hash) of kind 'anomaly', ORDER BY seq, hash */
    /* the audit log, append-only */
    Q_AUDIT_INSERT, /* (actor, action, serial|NULL, request_id|NULL, outcome, detail|NULL), at now */
    Q_AUDIT_LIST,   /* (since|NULL) -> (id INT, at, actor, action, serial, request_id, outcome, detail)
                     * WHERE since IS NULL OR at >= since ORDER BY id */
    /* the back office's report: rows read by column name (engine_ops.column_name) */
    Q_REPORT_CARDS,         /* () -> (plan, status, count INT) GROUP BY plan, status ORDER BY plan, status */
    Q_REPORT_BATCHES,       /* () -> (id, plan, count INT, created_at) ORDER BY id */
    Q_REPORT_TERMINALS,     /* () -> (id, store_id, created_at) ORDER BY id */
    Q_REPORT_REQUESTS,      /* () -> (kind, state, http_status INT, count INT) of the last 24 hours, grouped
                             * and ordered by kind, state, http_status */
    Q_REPORT_SUBSCRIPTIONS, /* () -> (accounts INT, current INT: expires_at > now; 0, not NULL, when none) */
    Q_COUNT
};

enum value_type { VAL_NULL, VAL_INT, VAL_TEXT, VAL_BLOB };

/* One parameter. Text and blobs are borrowed until the call returns. */
struct value {
    enum value_type type;
    long long i;
    const char *text;
    const void *blob;
    size_t len;
};

#define VAL_I(x)    ((struct value){.type = VAL_INT, .i = (x)})
#define VAL_T(s)    ((struct value){.type = (s) ? VAL_TEXT : VAL_NULL, .text = (s)})
#define VAL_B(p, n) ((struct value){.type = VAL_BLOB, .blob = (p), .len = (n)})

struct engine; /* one connection to one ledger; used by one thread at a time */

struct engine_ops {
    const char *name; /* "sqlite" or "postgresql" */

    /* Connect to the ledger at TARGET (SQLite: the file, created when CREATE; PostgreSQL:
     * a libpq URI, the database existing). *out is set even on failure (but RU_ERR_NOMEM),
     * for errmsg(); close() it either way. PostgreSQL: RU_ERR_NETWORK when no server
     * answers (the message names the host and port), RU_ERR_DB when it answers but refuses
     * (authentication, no such database: the message says which). */
    enum ru_status (*open)(const char *target, int create, struct engine **out);
    void (*close)(struct engine *e);
    const char *(*errmsg)(const struct engine *e);

    /* Schema: the version the ledger is at (0: no schema yet), the latest this program
     * knows, and the migrations from the current version up to the latest, each in its
     * own transaction. */
    enum ru_status (*schema_version)(struct engine *e, int *version);
    int (*schema_latest)(void);
    enum ru_status (*migrate)(struct engine *e);

    /* Transactions (see above) and, inside one, one savepoint at a time. */
    enum ru_status (*begin)(struct engine *e);
    enum ru_status (*commit)(struct engine *e);
    void (*rollback)(struct engine *e);
    enum ru_status (*savepoint)(struct engine *e);
    /* Release the savepoint; when UNDO, roll back to it first. */
    enum ru_status (*release)(struct engine *e, int undo);

    /* Run statement Q with N parameters. Rows are then read one at a time with next()
     * (1: a row is there, 0: no more, or a status through *rc), and the statement ends
     * with finish(), which must be called after every successful run(). */
    enum ru_status (*run)(struct engine *e, enum query q, const struct value *params, int n);
    /* Inside a transaction, statement Q for its effect alone, sent without waiting for the
     * server: its failure (RU_ERR_EXISTS for must-write rows too) is returned by the next
     * call that waits (run, commit) and loses the transaction; changes() is not known.
     * Outside a transaction: run() and finish(). NULL: the engine has no such thing (use
     * run()). PostgreSQL: libpq's pipeline mode, so that a request's writes and the next
     * read take one round trip. */
    enum ru_status (*send)(struct engine *e, enum query q, const struct value *params, int n);
    /* Inside a transaction, statement Q sent now, without waiting: a run() of Q with the
     * same parameters later in the transaction takes its result without a round trip of
     * its own (PostgreSQL: it travels with the round trip of the run() before, so that a
     * request's two reads take one). One at a time; another run() of Q forgets it, as
     * does the end of the transaction. A failure of it is that of the next call that
     * waits. Outside a transaction nothing is done. NULL: the engine has no such thing. */
    enum ru_status (*ahead)(struct engine *e, enum query q, const struct value *params, int n);
    int (*next)(struct engine *e, enum ru_status *rc);
    void (*finish)(struct engine *e);
    /* Of the current row: */
    int (*column_count)(struct engine *e);
    const char *(*column_name)(struct engine *e, int i);
    enum value_type (*column_type)(struct engine *e, int i); /* VAL_NULL for NULL */
    long long (*column_int)(struct engine *e, int i);
    const char *(*column_text)(struct engine *e, int i); /* borrowed until next()/finish() */
    const void *(*column_blob)(struct engine *e, int i, size_t *len);
    /* Rows changed by the last finished write. */
    long long (*changes)(struct engine *e);

    /* Rotations of terminals' secrets committed by any connection, for the server's cache
     * of secrets (issuer/termcache.h). listen(): from now on this connection (used for
     * nothing else) hears of each. heard(): waits up to TIMEOUT_MS for one; TERMINAL gets
     * the id of a terminal whose secret changed, "*" when the engine cannot say which (any
     * may have), "" when none came. RU_ERR_NETWORK (PostgreSQL) or RU_ERR_IO: the
     * connection or the watch broke, and what it missed is unknown. PostgreSQL: LISTEN
     * reup_terminal, any node. SQLite: the rotation's commit closes the file
     * "LEDGER-rotated" beside the ledger (issuer.db-rotated), watched with inotify. */
    enum ru_status (*listen)(struct engine *e);
    enum ru_status (*heard)(struct engine *e, int timeout_ms, char *terminal, size_t len);
};

extern const struct engine_ops engine_sqlite;
extern const struct engine_ops engine_pg;

#endif
