/* issuer/engine-sqlite.c - the ledger on SQLite (DIR/issuer.db): engine.h's statements. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "issuer/engine.h"
#include "db/db.h"
#include "common/banned.h"

/* The migrations, embedded from issuer/schema/sqlite/ (issuer/CMakeLists.txt). */
extern const char *const issuer_sqlite_migrations[];

/* The time the ledger writes: UTC, RFC 3339. */
#define NOW      "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
#define NOW_UNIX "CAST(strftime('%s', 'now') AS INTEGER)"

/* Each statement and what it does, for messages ("FILE: reading the card: ..."). */
static const struct {
    const char *sql, *what;
} queries[Q_COUNT] = {
    [Q_SETTINGS_INIT] = {"INSERT INTO setting(key, value) VALUES ('prefix', ?1), ('next_sequence', '1')",
                         "writing settings"},
    [Q_SETTING_PREFIX] = {"SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'prefix'",
                          "reading settings"},
    /* the column is TEXT: the sum is stored as its digits, as the first value was */
    [Q_SEQUENCE_TAKE] = {"UPDATE setting SET value = CAST(value AS INTEGER) + ?1 WHERE key = 'next_sequence'"
                         " RETURNING CAST(value AS INTEGER) - ?1",
                         "advancing the sequence"},
    [Q_PLAN_INSERT] = {"INSERT INTO plan(code, months, price_cents, currency, gtin, created_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, " NOW ")",
                       "adding the plan"},
    [Q_PLAN_GET] = {"SELECT months, price_cents, currency FROM plan WHERE code = ?1", "reading the plan"},
    [Q_PLAN_LIST] = {"SELECT code, months, price_cents, currency, gtin FROM plan ORDER BY code",
                     "reading plans"},
    [Q_TERMINAL_INSERT] = {"INSERT INTO terminal(id, store_id, secret, created_at) VALUES (?1, ?2, ?3, " NOW
                           ")",
                           "adding the terminal"},
    [Q_TERMINAL_GET] = {"SELECT secret, store_id FROM terminal WHERE id = ?1", "reading terminals"},
    [Q_TERMINAL_ROTATE] = {"UPDATE terminal SET secret = ?3 WHERE id = ?1 AND store_id = ?2 RETURNING id",
                           "changing the terminal's secret"},
    [Q_BATCH_COUNT] = {"SELECT count(*) FROM batch", "reading batches"},
    [Q_BATCH_INSERT] = {"INSERT INTO batch(id, plan, count, created_at) VALUES (?1, ?2, ?3, " NOW ")",
                        "adding the batch"},
    [Q_CARD_INSERT] = {"INSERT INTO card(serial, plan, batch, pin_hmac) VALUES (?1, ?2, ?3, ?4)",
                       "adding a card"},
    [Q_CARD_INSERT_ACTIVE] =
        {"INSERT INTO card(serial, plan, batch, pin_hmac, status, store_id, activated_at)"
         " VALUES (?1, ?2, NULL, ?3, 'active', ?4, " NOW ")",
         "adding a card"},
    [Q_CARD_SHOW] = {"SELECT serial, plan, status, activated_at, store_id FROM card WHERE serial = ?1",
                     "reading the card"},
    [Q_CARD_BLOCK] = {"UPDATE card SET status = 'blocked' WHERE serial = ?1 AND status <> 'redeemed'",
                      "blocking"},
    [Q_CARD_BLOCK_BATCH] = {"UPDATE card SET status = 'blocked' WHERE batch = ?1 AND status <> 'redeemed'",
                            "blocking"},
    [Q_CARD_FOR_SALE] = {"SELECT c.status, c.plan, p.price_cents, p.currency FROM card c"
                         " JOIN plan p ON p.code = c.plan WHERE c.serial = ?1",
                         "reading the card"},
    [Q_CARD_ACTIVATE] = {"UPDATE card SET status = 'active', store_id = ?1, activated_at = " NOW
                         " WHERE serial = ?2 AND status = 'issued'",
                         "activating the card"},
    [Q_CARD_REDEEMED] = {"SELECT status = 'redeemed' FROM card WHERE serial = ?1", "reading the card"},
    [Q_CARD_RETURN] = {"UPDATE card SET status = 'issued', store_id = NULL, activated_at = NULL"
                       " WHERE serial = ?1 AND status = 'active'",
                       "taking the card back"},
    [Q_CARD_BLOCK_ACTIVE] = {"UPDATE card SET status = 'blocked' WHERE serial = ?1 AND status = 'active'",
                             "taking the card back"},
    [Q_CARD_BY_PIN] = {"SELECT c.serial, c.plan, p.months FROM card c JOIN plan p ON p.code = c.plan"
                       " WHERE c.pin_hmac = ?1 AND c.status = 'active'",
                       "reading the card"},
    [Q_CARD_REDEEM] = {"UPDATE card SET status = 'redeemed', redeemed_at = " NOW
                       ", account = ?2 WHERE serial = ?1",
                       "redeeming"},
    [Q_SUBSCRIPTION_EXTEND] =
        {"INSERT INTO subscription(account, expires_at)"
         " VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', printf('+%d months', ?2)))"
         " ON CONFLICT(account) DO UPDATE SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
         " max(expires_at, " NOW "), printf('+%d months', ?2))"
         " RETURNING expires_at",
         "redeeming"},
    [Q_REQUEST_GET] = {"SELECT kind, plan, serial, amount, currency, state, http_status, answer,"
                       " CAST(strftime('%s', 'now') - strftime('%s', created_at) AS INTEGER)"
                       " FROM request WHERE store_id = ?1 AND terminal = ?2 AND request_id = ?3",
                       "reading a request"},
    [Q_REQUEST_INSERT] = {"INSERT INTO request(request_id, kind, terminal, store_id, serial, plan, amount,"
                          " currency, state, http_status, answer, created_at, changed_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " NOW ", " NOW ")",
                          "recording the request"},
    [Q_REQUEST_SET_STATE] = {"UPDATE request SET state = ?1, changed_at = " NOW
                             " WHERE store_id = ?2 AND terminal = ?3 AND request_id = ?4",
                             "recording the request"},
    [Q_REFUSALS] = {"SELECT count(*), min(at) FROM redemption_refusal"
                    " WHERE subject = ?1 AND at > " NOW_UNIX " - ?2",
                    "reading refusals"},
    [Q_REFUSAL_INSERT] = {"INSERT INTO redemption_refusal(subject, at) VALUES (?1, " NOW_UNIX ")",
                          "counting a refusal"},
    [Q_HEAD_LATEST] = {"SELECT seq, hash FROM journal_head WHERE store_id = ?1 AND terminal = ?2"
                       " AND kind = 'head' ORDER BY seq DESC LIMIT 1",
                       "reading heads"},
    [Q_HEAD_SEEN] = {"SELECT 1 FROM journal_head WHERE store_id = ?1 AND terminal = ?2 AND kind = 'head'"
                     " AND seq = ?3 AND hash = ?4",
                     "reading heads"},
    [Q_HEAD_INSERT] = {"INSERT INTO journal_head (store_id, terminal, seq, hash, kind, seen_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, " NOW ")",
                       "recording a journal head"},
    /* heads are read along the table's index alone; anomalies, rare, sorted by hash */
    [Q_HEAD_LIST] = {"SELECT seq, hash FROM journal_head WHERE store_id = ?1 AND terminal = ?2"
                     " AND kind = 'head' AND seq > ?3 AND seq <= ?4 ORDER BY seq LIMIT ?5",
                     "reading heads"},
    [Q_ANOMALY_LIST] = {"SELECT DISTINCT seq, hash FROM journal_head WHERE store_id = ?1 AND terminal = ?2"
                        " AND kind = 'anomaly' AND seq > ?3 AND seq <= ?4 ORDER BY seq, hash LIMIT ?5",
                        "reading heads"},
    [Q_AUDIT_INSERT] = {"INSERT INTO audit(at, actor, action, serial, request_id, outcome, detail)"
                        " VALUES (" NOW ", ?1, ?2, ?3, ?4, ?5, ?6)",
                        "writing the audit log"},
    [Q_AUDIT_LIST] = {"SELECT id, at, actor, action, serial, request_id, outcome, detail FROM audit"
                      " WHERE ?1 IS NULL OR at >= ?1 ORDER BY id",
                      "reading the audit log"},
    [Q_REPORT_CARDS] = {"SELECT plan, status, count(*) AS count FROM card GROUP BY plan, status"
                        " ORDER BY plan, status",
                        "reading the report"},
    [Q_REPORT_BATCHES] = {"SELECT id, plan, count, created_at FROM batch ORDER BY id", "reading the report"},
    [Q_REPORT_TERMINALS] = {"SELECT id, store_id, created_at FROM terminal ORDER BY id",
                            "reading the report"},
    [Q_REPORT_REQUESTS] = {"SELECT kind, state, http_status, count(*) AS count FROM request"
                           " WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')"
                           " GROUP BY kind, state, http_status ORDER BY kind, state, http_status",
                           "reading the report"},
    [Q_REPORT_SUBSCRIPTIONS] = {"SELECT count(*) AS accounts, coalesce(sum(expires_at > " NOW
                                "), 0) AS current"
                                " FROM subscription",
                                "reading the report"},
};

struct engine {
    struct db *db;
    sqlite3_stmt *stmt[Q_COUNT]; /* prepared at first use, kept for the connection's life */
    sqlite3_stmt *cur;           /* the statement run() started, until finish() */
    int pending;                 /* run() stepped to a row that next() has not handed out */
    int done;                    /* cur has no more rows */
    long long changes;
    int rotated; /* a terminal's secret changed in the open transaction: announce it at the commit */
    int ear;     /* listen(): an inotify descriptor on the ledger's folder, else -1 */
};

/* Terminal rotations are announced by closing the file "LEDGER-rotated" after the commit:
 * a serve of the same ledger (on this machine: SQLite has no other) watches for that with
 * inotify. The file holds nothing; its mode is 0600 like everything in the folder. */
static void rotated_path(struct engine *e, char *out, size_t len)
{
    snprintf(out, len, "%s-rotated", db_path(e->db));
}

static void announce(struct engine *e)
{
    char path[PATH_MAX + 16];
    rotated_path(e, path, sizeof(path));
    e->rotated = 0;
    /* a failure here would need a folder SQLite cannot write its WAL in either: the
     * rotation stands, and a serve's cache forgets the old secret within its time to live */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

/* SQLite's result of the last call as a status, with the message "FILE: WHAT: why". */
static enum ru_status fail(struct engine *e, const char *what)
{
    int x = sqlite3_extended_errcode(db_sqlite(e->db));
    enum ru_status rc = db_fail(e->db, what);
    if (x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_UNIQUE)
        return RU_ERR_EXISTS;
    if ((x & 0xff) == SQLITE_NOMEM)
        return RU_ERR_NOMEM;
    return rc;
}

static enum ru_status sq_open(const char *target, int create, struct engine **out)
{
    struct engine *e = calloc(1, sizeof(*e));
    if (!e)
        return RU_ERR_NOMEM;
    e->ear = -1;
    enum ru_status rc = db_open(target, DB_SYNC_FULL | DB_NO_MIGRATE | (create ? DB_CREATE : 0),
                                issuer_sqlite_migrations, &e->db);
    if (!e->db) {
        free(e);
        return RU_ERR_NOMEM;
    }
    /* Writes are short, but a batch or several writers may queue: waiting beats failing
     * a terminal's request. */
    if (db_sqlite(e->db))
        sqlite3_busy_timeout(db_sqlite(e->db), 30000);
    *out = e;
    return rc;
}

static void sq_finish(struct engine *e);

static void sq_close(struct engine *e)
{
    if (!e)
        return;
    sq_finish(e);
    for (int q = 0; q < Q_COUNT; q++)
        sqlite3_finalize(e->stmt[q]);
    if (e->ear >= 0)
        close(e->ear);
    db_free(e->db);
    free(e);
}

static const char *sq_errmsg(const struct engine *e)
{
    return db_errmsg(e->db);
}

static enum ru_status sq_schema_version(struct engine *e, int *version)
{
    *version = db_schema_version(e->db);
    return *version < 0 ? fail(e, "reading the schema version") : RU_OK;
}

static int sq_schema_latest(void)
{
    int n = 0;
    while (issuer_sqlite_migrations[n])
        n++;
    return n;
}

static enum ru_status sq_migrate(struct engine *e)
{
    return db_migrate(e->db, issuer_sqlite_migrations);
}

static enum ru_status sq_begin(struct engine *e)
{
    return db_begin(e->db);
}

static enum ru_status sq_commit(struct engine *e)
{
    enum ru_status rc = db_commit(e->db);
    if (rc == RU_OK && e->rotated)
        announce(e);
    return rc;
}

static void sq_rollback(struct engine *e)
{
    e->rotated = 0;
    db_rollback(e->db);
}

static enum ru_status sq_savepoint(struct engine *e)
{
    return db_exec(e->db, "SAVEPOINT call");
}

static enum ru_status sq_release(struct engine *e, int undo)
{
    enum ru_status rc = undo ? db_exec(e->db, "ROLLBACK TO call") : RU_OK;
    enum ru_status rel = db_exec(e->db, "RELEASE call");
    return rc != RU_OK ? rc : rel;
}

static enum ru_status sq_run(struct engine *e, enum query q, const struct value *params, int n)
{
    sqlite3 *conn = db_sqlite(e->db);
    if ((unsigned)q >= Q_COUNT || !queries[q].sql)
        return RU_ERR_INVALID;
    sq_finish(e);
    e->rotated |= q == Q_TERMINAL_ROTATE;
    if (!e->stmt[q] && sqlite3_prepare_v3(conn, queries[q].sql, -1, SQLITE_PREPARE_PERSISTENT, &e->stmt[q],
                                          NULL) != SQLITE_OK)
        return fail(e, "preparing a statement");
    sqlite3_stmt *st = e->stmt[q];
    int r = SQLITE_OK;
    /* copied: later rows may read a parameter again after the caller's text is gone */
    for (int i = 0; i < n && r == SQLITE_OK; i++) {
        const struct value *v = &params[i];
        switch (v->type) {
        case VAL_NULL: r = sqlite3_bind_null(st, i + 1); break;
        case VAL_INT: r = sqlite3_bind_int64(st, i + 1, v->i); break;
        case VAL_TEXT: r = sqlite3_bind_text(st, i + 1, v->text, -1, SQLITE_TRANSIENT); break;
        case VAL_BLOB: r = sqlite3_bind_blob(st, i + 1, v->blob, (int)v->len, SQLITE_TRANSIENT); break;
        }
    }
    if (r == SQLITE_OK) {
        r = sqlite3_step(st);
        if (r == SQLITE_ROW || r == SQLITE_DONE) {
            e->cur = st;
            e->pending = r == SQLITE_ROW;
            e->done = r == SQLITE_DONE;
            return RU_OK;
        }
    }
    enum ru_status rc = fail(e, queries[q].what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_next(struct engine *e, enum ru_status *rc)
{
    if (rc)
        *rc = RU_OK;
    if (!e->cur || e->done)
        return 0;
    if (e->pending) {
        e->pending = 0;
        return 1;
    }
    int r = sqlite3_step(e->cur);
    if (r == SQLITE_ROW)
        return 1;
    e->done = 1;
    if (r != SQLITE_DONE && rc)
        *rc = fail(e, "reading rows");
    return 0;
}

static void sq_finish(struct engine *e)
{
    if (!e->cur)
        return;
    sqlite3_reset(e->cur);
    sqlite3_clear_bindings(e->cur);
    e->cur = NULL;
    e->pending = e->done = 0;
    e->changes = sqlite3_changes64(db_sqlite(e->db));
    /* a rotation outside a transaction committed with the reset */
    if (e->rotated && sqlite3_get_autocommit(db_sqlite(e->db)))
        announce(e);
}

static int sq_column_count(struct engine *e)
{
    return e->cur ? sqlite3_column_count(e->cur) : 0;
}

static const char *sq_column_name(struct engine *e, int i)
{
    return sqlite3_column_name(e->cur, i);
}

static enum value_type sq_column_type(struct engine *e, int i)
{
    switch (sqlite3_column_type(e->cur, i)) {
    case SQLITE_NULL: return VAL_NULL;
    case SQLITE_INTEGER: return VAL_INT;
    case SQLITE_BLOB: return VAL_BLOB;
    default: return VAL_TEXT;
    }
}

static long long sq_column_int(struct engine *e, int i)
{
    return sqlite3_column_int64(e->cur, i);
}

static const char *sq_column_text(struct engine *e, int i)
{
    return (const char *)sqlite3_column_text(e->cur, i);
}

static const void *sq_column_blob(struct engine *e, int i, size_t *len)
{
    const void *p = sqlite3_column_blob(e->cur, i);
    *len = (size_t)sqlite3_column_bytes(e->cur, i);
    return p;
}

static long long sq_changes(struct engine *e)
{
    return e->changes;
}

static enum ru_status sq_listen(struct engine *e)
{
    char folder[PATH_MAX];
    snprintf(folder, sizeof(folder), "%s", db_path(e->db));
    char *slash = strrchr(folder, '/');
    if (slash)
        *slash = '\0';
    if (e->ear < 0 && (e->ear = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
        return RU_ERR_IO;
    if (inotify_add_watch(e->ear, slash ? folder : ".", IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
        close(e->ear);
        e->ear = -1;
        return RU_ERR_IO;
    }
    return RU_OK;
}

static enum ru_status sq_heard(struct engine *e, int timeout_ms, char *terminal, size_t len)
{
    char path[PATH_MAX + 16];
    /* events carry the name of the file within the folder */
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    *terminal = '\0';
    if (e->ear < 0)
        return RU_ERR_IO;
    struct pollfd p = {.fd = e->ear, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) < 0 && errno != EINTR)
        return RU_ERR_IO;
    rotated_path(e, path, sizeof(path));
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    ssize_t n;
    while ((n = read(e->ear, buf, sizeof(buf))) > 0)
        for (char *at = buf; at < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)(void *)at;
            if ((ev->len && !strcmp(ev->name, name)) || (ev->mask & IN_Q_OVERFLOW))
                snprintf(terminal, len, "*"); /* which terminal is not said: all of them */
            at += sizeof(*ev) + ev->len;
        }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
        return RU_ERR_IO;
    return RU_OK;
}

const struct engine_ops engine_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .schema_version = sq_schema_version,
    .schema_latest = sq_schema_latest,
    .migrate = sq_migrate,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .run = sq_run,
    .next = sq_next,
    .finish = sq_finish,
    .column_count = sq_column_count,
    .column_name = sq_column_name,
    .column_type = sq_column_type,
    .column_int = sq_column_int,
    .column_text = sq_column_text,
    .column_blob = sq_column_blob,
    .changes = sq_changes,
    .listen = sq_listen,
    .heard = sq_heard,
};
