/*
 * issuer/engine-pg.c - the ledger on PostgreSQL, through libpq (issuer/engine.h).
 *
 * One struct engine is one libpq connection. Named statements are prepared on it the
 * first time they run, and again after a reconnection (a new server session knows none).
 * Parameters go as text, blobs as binary bytea; results come back as text, with bytea
 * decoded on demand. Every result is read whole: the ledger's statements return one row
 * or a listing the caller turns into one JSON text anyway.
 *
 * Inside a transaction, savepoint commands and the statements of send() go out without
 * waiting for their results (libpq's pipeline mode): they travel with the next statement
 * whose rows are wanted, or with the COMMIT, in one round trip, and the first of them to
 * fail is that call's failure.
 *
 * A connection that breaks makes the call in progress fail with RU_ERR_NETWORK; the next
 * call that may start afresh (begin(), or a statement outside a transaction) reconnects
 * with PQreset(), which walks a multi-host URI again and so finds the new primary after a
 * failover (target_session_attrs=read-write).
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "issuer/engine.h"
#include "common/banned.h"

/* The migrations under issuer/schema/postgresql/, embedded by issuer/CMakeLists.txt. */
extern const char *const issuer_pg_migrations[];

/* The database's clock, as the ledger writes times: UTC, to the second. */
#define NOW_TEXT "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Whole Unix seconds, cut like SQLite's strftime('%s') (extract() would round). */
#define NOW_UNIX "floor(extract(epoch FROM now()))::bigint"
/* The UTC timestamp T plus $2 months, as SQLite's '+N months' counts them: the day of the
 * month is kept and a day past the month's end runs into the next one (01-31 plus one
 * month is 03-03 or 03-02), where PostgreSQL's own interval arithmetic would stop at the
 * month's last day. */
#define ADD_MONTHS(t)                                                                                       \
    "(SELECT to_char(date_trunc('month', t) + make_interval(months => $2::int) + (t - date_trunc('month', " \
    "t)), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM (SELECT " t " AS t) AS base)"

/* Each named statement: its SQL, how many parameters it takes, and, for an INSERT that
 * skips a row breaking a unique key (ON CONFLICT DO NOTHING), how many rows it must
 * write: fewer is RU_ERR_EXISTS. Skipping instead of failing keeps the transaction
 * usable, as SQLite's statement-level constraint errors do: the ledger draws a new PIN
 * when one collides and goes on in the same transaction. */
static const struct statement {
    const char *sql;
    int nparams;
    int must_write;
} statements[] = {
    [Q_SETTINGS_INIT] = {"INSERT INTO setting(key, value) VALUES ('prefix', $1), ('next_sequence', '1')"
                         " ON CONFLICT DO NOTHING",
                         1, 2},
    [Q_SETTING_PREFIX] = {"SELECT value::bigint AS prefix FROM setting WHERE key = 'prefix'", 0, 0},
    [Q_SEQUENCE_TAKE] = {"UPDATE setting SET value = (value::bigint + $1::bigint)::text"
                         " WHERE key = 'next_sequence' RETURNING value::bigint - $1::bigint AS first",
                         1, 0},
    [Q_PLAN_INSERT] = {"INSERT INTO plan(code, months, price_cents, currency, gtin, created_at)"
                       " VALUES ($1, $2, $3, $4, $5, " NOW_TEXT ") ON CONFLICT DO NOTHING",
                       5, 1},
    [Q_PLAN_GET] = {"SELECT months, price_cents, currency FROM plan WHERE code = $1", 1, 0},
    [Q_PLAN_LIST] = {"SELECT code, months, price_cents, currency, gtin FROM plan ORDER BY code", 0, 0},
    [Q_TERMINAL_INSERT] = {"INSERT INTO terminal(id, store_id, secret, created_at)"
                           " VALUES ($1, $2, $3, " NOW_TEXT ") ON CONFLICT DO NOTHING",
                           3, 1},
    [Q_TERMINAL_GET] = {"SELECT secret, store_id FROM terminal WHERE id = $1", 1, 0},
    [Q_TERMINAL_ROTATE] =
        {"WITH t AS (UPDATE terminal SET secret = $3 WHERE id = $1 AND store_id = $2 RETURNING id)"
         " SELECT id, pg_notify('reup_terminal', id) FROM t",
         3, 0},
    [Q_BATCH_COUNT] = {"SELECT count(*) AS n FROM batch", 0, 0},
    [Q_BATCH_INSERT] = {"INSERT INTO batch(id, plan, count, created_at) VALUES ($1, $2, $3, " NOW_TEXT ")"
                        " ON CONFLICT DO NOTHING",
                        3, 1},
    [Q_CARD_INSERT] = {"INSERT INTO card(serial, plan, batch, pin_hmac) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT DO NOTHING",
                       4, 1},
    [Q_CARD_INSERT_ACTIVE] =
        {"INSERT INTO card(serial, plan, batch, pin_hmac, status, store_id, activated_at)"
         " VALUES ($1, $2, NULL, $3, 'active', $4, " NOW_TEXT ") ON CONFLICT DO NOTHING",
         4, 1},
    [Q_CARD_SHOW] = {"SELECT serial, plan, status, activated_at, store_id FROM card WHERE serial = $1", 1, 0},
    [Q_CARD_BLOCK] = {"UPDATE card SET status = 'blocked' WHERE serial = $1 AND status <> 'redeemed'", 1, 0},
    [Q_CARD_BLOCK_BATCH] = {"UPDATE card SET status = 'blocked' WHERE batch = $1 AND status <> 'redeemed'", 1,
                            0},
    /* The row locks make a second node selling the same card wait for the first, then
     * fail with a serialization failure (RU_ERR_RETRY), instead of both deciding on the
     * card as they found it. */
    [Q_CARD_FOR_SALE] = {"SELECT c.status, c.plan, p.price_cents, p.currency FROM card c"
                         " JOIN plan p ON p.code = c.plan WHERE c.serial = $1 FOR UPDATE OF c",
                         1, 0},
    [Q_CARD_ACTIVATE] = {"UPDATE card SET status = 'active', store_id = $1, activated_at = " NOW_TEXT
                         " WHERE serial = $2 AND status = 'issued'",
                         2, 0},
    [Q_CARD_REDEEMED] = {"SELECT (status = 'redeemed')::int AS redeemed FROM card WHERE serial = $1", 1, 0},
    [Q_CARD_RETURN] = {"UPDATE card SET status = 'issued', store_id = NULL, activated_at = NULL"
                       " WHERE serial = $1 AND status = 'active'",
                       1, 0},
    [Q_CARD_BLOCK_ACTIVE] = {"UPDATE card SET status = 'blocked' WHERE serial = $1 AND status = 'active'", 1,
                             0},
    [Q_CARD_BY_PIN] = {"SELECT c.serial, c.plan, p.months FROM card c JOIN plan p ON p.code = c.plan"
                       " WHERE c.pin_hmac = $1 AND c.status = 'active' FOR UPDATE OF c",
                       1, 0},
    [Q_CARD_REDEEM] = {"UPDATE card SET status = 'redeemed', redeemed_at = " NOW_TEXT ", account = $2"
                       " WHERE serial = $1",
                       2, 0},
    /* Times of this format compare as text in time order (the column is COLLATE "C"). */
    [Q_SUBSCRIPTION_EXTEND] =
        {"INSERT INTO subscription AS s (account, expires_at)"
         " VALUES ($1, " ADD_MONTHS(
             "(now() AT TIME ZONE 'UTC')") ")"
                                           " ON CONFLICT (account) DO UPDATE SET expires_at = " ADD_MONTHS(
                                               "greatest(s.expires_at, " NOW_TEXT
                                               ")::timestamp") " RETURNING expires_at",
         2, 0},
    [Q_REQUEST_GET] = {"SELECT kind, plan, serial, amount, currency, state, http_status, answer, " NOW_UNIX
                       " - floor(extract(epoch FROM created_at::timestamptz))::bigint AS age_s FROM request"
                       " WHERE store_id = $1 AND terminal = $2 AND request_id = $3 FOR UPDATE",
                       3, 0},
    [Q_REQUEST_INSERT] = {"INSERT INTO request(request_id, kind, terminal, store_id, serial, plan, amount,"
                          " currency, state, http_status, answer, created_at, changed_at)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, " NOW_TEXT ", " NOW_TEXT ")"
                          " ON CONFLICT DO NOTHING",
                          11, 1},
    [Q_REQUEST_SET_STATE] = {"UPDATE request SET state = $1, changed_at = " NOW_TEXT
                             " WHERE store_id = $2 AND terminal = $3 AND request_id = $4",
                             4, 0},
    [Q_REFUSALS] = {"SELECT count(*) AS count, min(at) AS oldest FROM redemption_refusal"
                    " WHERE subject = $1 AND at > " NOW_UNIX " - $2::bigint",
                    2, 0},
    [Q_REFUSAL_INSERT] = {"INSERT INTO redemption_refusal(subject, at) VALUES ($1, " NOW_UNIX ")", 1, 0},
    [Q_HEAD_LATEST] = {"SELECT seq, hash FROM journal_head WHERE store_id = $1 AND terminal = $2"
                       " AND kind = 'head' ORDER BY seq DESC LIMIT 1",
                       2, 0},
    [Q_HEAD_SEEN] =
        {"SELECT 1 AS seen FROM journal_head WHERE store_id = $1 AND terminal = $2 AND kind = 'head'"
         " AND seq = $3 AND hash = $4 LIMIT 1",
         4, 0},
    [Q_HEAD_INSERT] = {"INSERT INTO journal_head(store_id, terminal, seq, hash, kind, seen_at)"
                       " VALUES ($1, $2, $3, $4, $5, " NOW_TEXT ")",
                       5, 0},
    [Q_HEAD_LIST] = {"SELECT seq, hash FROM journal_head WHERE store_id = $1 AND terminal = $2"
                     " AND kind = 'head' AND seq > $3 AND seq <= $4 ORDER BY seq LIMIT $5",
                     5, 0},
    [Q_ANOMALY_LIST] = {"SELECT DISTINCT seq, hash FROM journal_head WHERE store_id = $1 AND terminal = $2"
                        " AND kind = 'anomaly' AND seq > $3 AND seq <= $4 ORDER BY seq, hash LIMIT $5",
                        5, 0},
    [Q_AUDIT_INSERT] = {"INSERT INTO audit(at, actor, action, serial, request_id, outcome, detail)"
                        " VALUES (" NOW_TEXT ", $1, $2, $3, $4, $5, $6)",
                        6, 0},
    [Q_AUDIT_LIST] = {"SELECT id, at, actor, action, serial, request_id, outcome, detail FROM audit"
                      " WHERE $1::text IS NULL OR at >= $1::text ORDER BY id",
                      1, 0},
    /* count(*) is bigint already; the report's JSON gets integers from it, as from SQLite. */
    [Q_REPORT_CARDS] = {"SELECT plan, status, count(*) AS count FROM card GROUP BY plan, status"
                        " ORDER BY plan, status",
                        0, 0},
    [Q_REPORT_BATCHES] = {"SELECT id, plan, count, created_at FROM batch ORDER BY id", 0, 0},
    [Q_REPORT_TERMINALS] = {"SELECT id, store_id, created_at FROM terminal ORDER BY id", 0, 0},
    /* 24 hours, not '1 day': a day of the session's time zone can have 23 or 25. */
    [Q_REPORT_REQUESTS] = {"SELECT kind, state, http_status, count(*) AS count FROM request"
                           " WHERE created_at >= to_char((now() - interval '24 hours') AT TIME ZONE 'UTC',"
                           " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                           " GROUP BY kind, state, http_status ORDER BY kind, state, http_status",
                           0, 0},
    [Q_REPORT_SUBSCRIPTIONS] = {"SELECT count(*) AS accounts, count(*) FILTER (WHERE expires_at > " NOW_TEXT
                                ") AS current FROM subscription",
                                0, 0},
};
_Static_assert(sizeof(statements) / sizeof(statements[0]) == Q_COUNT,
               "every enum query of issuer/engine.h needs its SQL here");

/* Result type OIDs (catalog/pg_type.h, fixed since forever; libpq-dev ships no server
 * headers). */
#define OID_BYTEA 17
#define OID_INT8  20
#define OID_INT2  21
#define OID_INT4  23

/* Serializes migrations of one database across processes and nodes (an arbitrary key:
 * "reup" in ASCII). */
#define MIGRATE_LOCK "1919252848"

#define PARAMS_MAX 16
#define QUEUED_MAX 64

struct engine {
    PGconn *conn;
    char where[256]; /* "PostgreSQL at host H port P", for messages */
    int in_tx;       /* inside begin() .. commit()/rollback() */
    int lost;        /* the connection broke: reconnect before the next fresh start */
    /* Commands of the transaction sent without waiting for their results (libpq's
     * pipeline mode, on while any is): savepoint commands and the statements of send().
     * Their results are read, in order, by the next call that waits for the server (run,
     * commit), in the same round trip: a round trip costs more than such a command. */
    struct queued {
        int q;        /* the statement, or -1 for a savepoint command */
        int prepares; /* the statement's preparation, not the statement */
        int strict;   /* its strict form (send()) */
        int ahead;    /* the statement of ahead(): its result is kept */
    } queued[QUEUED_MAX];
    int nqueued;
    /* the statement sent by ahead(), its parameters as sent, and its result once read */
    int ahead_q; /* -1: none */
    char ahead_key[512];
    size_t ahead_len;
    PGresult *ahead_res;
    unsigned char prepared[Q_COUNT];
    unsigned char prepared_strict[Q_COUNT]; /* the strict forms, for send() (below) */
    /* the statement being read */
    PGresult *res;
    int row, nrows;
    unsigned char **blobs; /* decoded bytea of the current row, per column, or NULL */
    size_t *blob_lens;
    long long changes;
    char err[1024];
};

static enum ru_status fail(struct engine *e, enum ru_status rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum ru_status fail(struct engine *e, enum ru_status rc, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(e->err, sizeof(e->err), "%s: ", e->where);
    va_start(ap, fmt);
    vsnprintf(e->err + n, sizeof(e->err) - (size_t)n, fmt, ap);
    va_end(ap);
    /* libpq's messages run over several lines (a HINT, "FATAL:  "): the issuer's are one
     * line, so every run of white space becomes one space */
    char *w = e->err;
    for (const char *r = e->err; *r; r++)
        if (!isspace((unsigned char)*r) || (w > e->err && w[-1] != ' '))
            *w++ = isspace((unsigned char)*r) ? ' ' : *r;
    while (w > e->err && w[-1] == ' ')
        w--;
    *w = '\0';
    return rc;
}

/* "PostgreSQL at host H port P" from the connection's own options (the URI with libpq's
 * defaults and PG* variables applied): names the servers, never the password. */
static void describe(struct engine *e)
{
    const char *host = NULL, *hostaddr = NULL, *port = NULL;
    PQconninfoOption *opts = e->conn ? PQconninfo(e->conn) : NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!strcmp(o->keyword, "host") && o->val && *o->val)
            host = o->val;
        else if (!strcmp(o->keyword, "hostaddr") && o->val && *o->val)
            hostaddr = o->val;
        else if (!strcmp(o->keyword, "port") && o->val && *o->val)
            port = o->val;
    }
    if (!host)
        host = hostaddr ? hostaddr : e->conn ? PQhost(e->conn) : NULL;
    if (!port)
        port = e->conn ? PQport(e->conn) : NULL;
    snprintf(e->where, sizeof(e->where), "PostgreSQL at host %s port %s", host && *host ? host : "(default)",
             port && *port ? port : "5432");
    PQconninfoFree(opts);
}

/* Options the ledger wants unless the URI says otherwise (they come before it: libpq lets
 * the later dbname=URI override them). A server that is gone must give an error, not a
 * hang: connect_timeout bounds each connection attempt, keepalives and tcp_user_timeout
 * find a TCP peer that stopped answering mid-statement. */
static const char *const keywords[] = {"connect_timeout",           "keepalives",       "keepalives_idle",
                                       "keepalives_interval",       "keepalives_count", "tcp_user_timeout",
                                       "fallback_application_name", "dbname",           NULL};

/* Connect to TARGET (or only ask whether a server is there) with the options above. */
#define OPTION_VALUES(target)                                            \
    {                                                                    \
        "5", "1", "10", "5", "3", "15000", "reup-issuer", (target), NULL \
    }

static PGconn *connect_to(const char *target)
{
    const char *values[] = OPTION_VALUES(target);
    _Static_assert(sizeof(values) == sizeof(keywords), "a value for each keyword");
    return PQconnectdbParams(keywords, values, 1);
}

static PGPing ping(const char *target)
{
    const char *values[] = OPTION_VALUES(target);
    return PQpingParams(keywords, values, 1);
}

/* Whether a server answered the failed connection attempt: then it refused (a password,
 * a database that does not exist, a role), and trying again will not help. The server's
 * own messages are "SEVERITY:  text", with two spaces, in every language; libpq's are
 * not. A server that is starting, stopping or recovering also answers, but that passes:
 * PQping() calls it a rejection. A standby refused for target_session_attrs=read-write is
 * libpq's verdict, hence counted as no answer: a failover will bring a primary. */
static int server_refused(PGconn *conn, const char *target)
{
    if (!strstr(PQerrorMessage(conn), ":  ") && !PQconnectionNeedsPassword(conn))
        return 0;
    PGPing p = ping(target);
    return p != PQPING_REJECT && p != PQPING_NO_RESPONSE;
}

/* The server's notices ("relation exists, skipping") are not the issuer's to print: its
 * messages are on stderr and say what the operator must know. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg, (void)message;
}

static enum ru_status pg_open(const char *target, int create, struct engine **out)
{
    (void)create; /* the database is made by its administrator (createdb) */
    struct engine *e = calloc(1, sizeof(*e));
    *out = e;
    if (!e)
        return RU_ERR_NOMEM;
    snprintf(e->where, sizeof(e->where), "PostgreSQL");
    e->ahead_q = -1;
    e->conn = connect_to(target);
    if (!e->conn)
        return fail(e, RU_ERR_NOMEM, "out of memory");
    describe(e);
    PQsetNoticeProcessor(e->conn, ignore_notice, NULL); /* kept by PQreset() */
    if (PQstatus(e->conn) != CONNECTION_OK)
        return fail(e, server_refused(e->conn, target) ? RU_ERR_DB : RU_ERR_NETWORK, "cannot connect: %s",
                    PQerrorMessage(e->conn));
    return RU_OK;
}

static void end_statement(struct engine *e)
{
    if (e->blobs) {
        for (int i = 0; i < PQnfields(e->res); i++)
            PQfreemem(e->blobs[i]);
        free(e->blobs);
        free(e->blob_lens);
        e->blobs = NULL;
        e->blob_lens = NULL;
    }
    PQclear(e->res);
    e->res = NULL;
    e->row = -1;
    e->nrows = 0;
}

/* Forget the statement sent ahead and its result (read, or to come). */
static void clear_ahead(struct engine *e)
{
    PQclear(e->ahead_res);
    e->ahead_res = NULL;
    e->ahead_q = -1;
    for (int i = 0; i < e->nqueued; i++)
        e->queued[i].ahead = 0;
}

static void pg_close(struct engine *e)
{
    if (!e)
        return;
    end_statement(e);
    clear_ahead(e);
    PQfinish(e->conn);
    free(e);
}

static const char *pg_errmsg(const struct engine *e)
{
    return e->err;
}

/* The status of a finished command, its message in e->err. WHAT says what was run. */
static enum ru_status check(struct engine *e, PGresult *res, const char *what)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return RU_OK;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* the server's own words, without the statement's text, a trigger's context or the
     * DETAIL: that one shows the failing row, and a terminal's row holds its secret.
     * libpq's message when libpq made the error. */
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(e->conn);
    enum ru_status rc = RU_ERR_DB;
    /* Every error the server sends has a SQLSTATE: one without is libpq's own, and says
     * that the conversation with the server failed (it closed the connection, a send or a
     * receive failed), sometimes before libpq marks the connection bad. 57P0x: the
     * session ended (a terminated backend, a shutdown, a crash, a failover); class 08: the
     * connection itself failed. */
    if (!state || PQstatus(e->conn) != CONNECTION_OK || !strncmp(state, "57P0", 4) ||
        !strncmp(state, "08", 2))
        rc = RU_ERR_NETWORK;
    else if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
        rc = RU_ERR_RETRY;
    else if (!strcmp(state, "23505"))
        rc = RU_ERR_EXISTS;
    if (rc == RU_ERR_NETWORK)
        e->lost = 1;
    return fail(e, rc, "%s: %s", what, msg);
}

/* Run SQL (no parameters, any number of statements) and check it. */
static enum ru_status exec(struct engine *e, const char *sql, const char *what)
{
    PGresult *res = PQexec(e->conn, sql);
    enum ru_status rc = check(e, res, what);
    PQclear(res);
    return rc;
}

/* Make sure the connection is usable for a fresh start: a transaction or a statement on
 * its own. Outside a transaction nothing is lost by connecting again. */
static enum ru_status usable(struct engine *e)
{
    if (!e->lost && PQstatus(e->conn) == CONNECTION_OK)
        return RU_OK;
    if (e->in_tx)
        return fail(e, RU_ERR_NETWORK, "the connection was lost in the transaction");
    PQreset(e->conn);
    /* the server side of prepared statements went with the old session */
    memset(e->prepared, 0, sizeof(e->prepared));
    memset(e->prepared_strict, 0, sizeof(e->prepared_strict));
    describe(e);
    if (PQstatus(e->conn) != CONNECTION_OK)
        return fail(e, RU_ERR_NETWORK, "cannot connect again: %s", PQerrorMessage(e->conn));
    e->lost = 0;
    return RU_OK;
}

static enum ru_status pg_begin(struct engine *e)
{
    enum ru_status rc;
    if (e->in_tx)
        return fail(e, RU_ERR_DB, "a transaction is open already");
    if ((rc = usable(e)) != RU_OK)
        return rc;
    rc = exec(e, "BEGIN ISOLATION LEVEL SERIALIZABLE", "starting a transaction");
    /* A connection that died while idle (a server restart, a failover, a terminated
     * session) is only found out here; nothing was done on it yet, so one more try on a
     * new connection costs the caller nothing. */
    if (rc == RU_ERR_NETWORK && (rc = usable(e)) == RU_OK)
        rc = exec(e, "BEGIN ISOLATION LEVEL SERIALIZABLE", "starting a transaction");
    e->in_tx = rc == RU_OK;
    return rc;
}

/* Read the results of the queued commands and of the sync that ends them (which the
 * caller sent), then leave pipeline mode. The status of the first that failed (those
 * after it the server skipped), its message in e->err; the last command's result, when
 * all succeeded and the caller wants it, in *last (PQclear() it). */
static enum ru_status drain(struct engine *e, PGresult **last)
{
    enum ru_status rc = RU_OK;
    int got = 0, nulls = 0;
    if (last)
        *last = NULL;
    /* a result per command and a NULL after it, then the sync's; a broken connection
     * ends it early */
    while (nulls < 2) {
        PGresult *r = PQgetResult(e->conn);
        if (!r) {
            if (PQstatus(e->conn) != CONNECTION_OK)
                break;
            nulls++;
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        const struct queued *c = got < e->nqueued ? &e->queued[got] : NULL;
        got++;
        if (c && c->prepares && st != PGRES_COMMAND_OK)
            (c->strict ? e->prepared_strict : e->prepared)[c->q] = 0; /* set when sent */
        if (st != PGRES_PIPELINE_ABORTED && rc == RU_OK) {
            rc = check(e, r,
                       !c || c->q < 0 ? "running a savepoint command"
                       : c->prepares  ? "preparing a statement"
                                      : "running a statement");
        }
        if (last && got == e->nqueued && rc == RU_OK)
            *last = r;
        else if (c && c->ahead && rc == RU_OK && !e->ahead_res)
            e->ahead_res = r;
        else
            PQclear(r);
    }
    if (rc == RU_OK && got < e->nqueued)
        rc = check(e, NULL, "reading the results");
    e->nqueued = 0;
    if (!PQexitPipelineMode(e->conn)) {
        if (rc == RU_OK)
            rc = check(e, NULL, "ending a pipeline");
        e->lost = 1; /* a connection left in pipeline mode is of no more use */
    }
    if (rc != RU_OK && last) {
        PQclear(*last);
        *last = NULL;
    }
    return rc;
}

/* Read the results of what is queued now, in a round trip of its own. */
static enum ru_status flush(struct engine *e)
{
    if (!PQpipelineSync(e->conn))
        return check(e, NULL, "sending a statement");
    return drain(e, NULL);
}

/* Note that a command was sent in pipeline mode; when the queue is full, wait for what
 * is in it (the transaction goes on in another pipeline). */
static enum ru_status queue(struct engine *e, int q, int prepares, int strict, int ahead)
{
    e->queued[e->nqueued++] = (struct queued){q, prepares, strict, ahead};
    /* room for a statement and its preparation */
    return e->nqueued < QUEUED_MAX - 2 ? RU_OK : flush(e);
}

/* Pipeline mode, for commands sent without waiting: entered once per batch of them. */
static enum ru_status pipeline(struct engine *e)
{
    if (PQpipelineStatus(e->conn) != PQ_PIPELINE_OFF || PQenterPipelineMode(e->conn))
        return RU_OK;
    return check(e, NULL, "entering pipeline mode");
}

static enum ru_status pg_commit(struct engine *e)
{
    clear_ahead(e);
    if (!e->in_tx)
        return fail(e, RU_ERR_DB, "no transaction to commit");
    if (e->lost) {
        e->in_tx = 0;
        return fail(e, RU_ERR_NETWORK, "the connection was lost in the transaction");
    }
    PGresult *res = NULL;
    enum ru_status rc;
    if (e->nqueued) {
        /* after what is queued, in the same round trip */
        rc = PQsendQueryParams(e->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) && PQpipelineSync(e->conn)
                 ? RU_OK
                 : check(e, NULL, "committing");
        e->queued[e->nqueued++] = (struct queued){-1, 0, 0, 0};
        if (rc == RU_OK)
            rc = drain(e, &res);
        else
            e->lost = 1;
    } else {
        res = PQexec(e->conn, "COMMIT");
        rc = check(e, res, "committing");
    }
    /* COMMIT of a transaction that had failed ends it with ROLLBACK, and says so only
     * in its command tag */
    if (rc == RU_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = fail(e, RU_ERR_DB, "committing: the transaction was rolled back after an error");
    PQclear(res);
    /* whatever the outcome, the transaction is over (after a lost connection, maybe
     * committed: the caller cannot tell); a command queued before COMMIT that failed
     * made the server skip the COMMIT, so the transaction is rolled back here */
    e->in_tx = 0;
    PGTransactionStatusType ts = PQtransactionStatus(e->conn);
    if (rc != RU_OK && !e->lost && (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)) {
        res = PQexec(e->conn, "ROLLBACK");
        check(e, res, "rolling back"); /* only to notice a lost connection */
        PQclear(res);
    }
    return rc;
}

static void pg_rollback(struct engine *e)
{
    end_statement(e);
    clear_ahead(e);
    /* what is queued is undone by the rollback anyway; its results are read first */
    if (e->nqueued && !e->lost && (!PQpipelineSync(e->conn) || drain(e, NULL) == RU_ERR_NETWORK))
        e->lost = 1;
    e->nqueued = 0;
    if (!e->in_tx)
        return;
    e->in_tx = 0;
    PGTransactionStatusType ts = PQtransactionStatus(e->conn);
    if (!e->lost && (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)) {
        PGresult *res = PQexec(e->conn, "ROLLBACK");
        check(e, res, "rolling back"); /* only to notice a lost connection */
        PQclear(res);
    }
}

/* Send savepoint command SQL without waiting for it (above). */
static enum ru_status send_command(struct engine *e, const char *sql)
{
    enum ru_status rc;
    clear_ahead(e); /* read before what the command starts or ends */
    if (!e->in_tx || e->lost)
        return fail(e, e->lost ? RU_ERR_NETWORK : RU_ERR_DB, "a savepoint needs a transaction");
    if ((rc = pipeline(e)) != RU_OK)
        return rc;
    if (!PQsendQueryParams(e->conn, sql, 0, NULL, NULL, NULL, NULL, 0))
        return check(e, NULL, "sending a savepoint command");
    return queue(e, -1, 0, 0, 0);
}

/* The savepoint and its release are sent without waiting: an error of theirs (only a
 * lost connection or an aborted transaction can make one) is the next statement's or the
 * commit's, and the transaction is then lost as a whole anyway. */
static enum ru_status pg_savepoint(struct engine *e)
{
    return send_command(e, "SAVEPOINT call");
}

static enum ru_status pg_release(struct engine *e, int undo)
{
    enum ru_status rc;
    if (undo && (rc = send_command(e, "ROLLBACK TO SAVEPOINT call")) != RU_OK)
        return rc;
    return send_command(e, "RELEASE SAVEPOINT call");
}

/* Prepare Q on this connection unless it is already. */
static enum ru_status prepare(struct engine *e, enum query q, const char *name)
{
    if (e->prepared[q])
        return RU_OK;
    PGresult *res = PQprepare(e->conn, name, statements[q].sql, 0, NULL);
    enum ru_status rc = check(e, res, "preparing a statement");
    PQclear(res);
    e->prepared[q] = rc == RU_OK;
    return rc;
}

/* Statement Q with its parameters as libpq takes them. */
struct call {
    const char *values[PARAMS_MAX];
    int lengths[PARAMS_MAX], formats[PARAMS_MAX], n;
    char ints[PARAMS_MAX][24], name[16];
};

static enum ru_status prepare_call(struct engine *e, enum query q, const struct value *params, int n,
                                   struct call *c)
{
    end_statement(e);
    if ((unsigned)q >= Q_COUNT || !statements[q].sql)
        return fail(e, RU_ERR_DB, "no statement %d", (int)q);
    if (n != statements[q].nparams || n > PARAMS_MAX)
        return fail(e, RU_ERR_DB, "statement %d takes %d parameters, not %d", (int)q, statements[q].nparams,
                    n);
    c->n = n;
    for (int i = 0; i < n; i++) {
        const struct value *v = &params[i];
        c->lengths[i] = 0;
        c->formats[i] = 0;
        switch (v->type) {
        case VAL_NULL: c->values[i] = NULL; break;
        case VAL_INT:
            snprintf(c->ints[i], sizeof(c->ints[i]), "%lld", v->i);
            c->values[i] = c->ints[i];
            break;
        case VAL_TEXT: c->values[i] = v->text; break;
        case VAL_BLOB:
            /* bytea in binary format is the bytes themselves: nothing to escape */
            c->values[i] = v->len ? v->blob : "";
            c->lengths[i] = (int)v->len;
            c->formats[i] = 1;
            break;
        }
    }
    snprintf(c->name, sizeof(c->name), "q%d", (int)q);
    return RU_OK;
}

/* The strict form of Q, for send(): an INSERT that skips a row breaking a unique key (ON
 * CONFLICT DO NOTHING) fails instead (23505, RU_ERR_EXISTS). Sent without waiting, the
 * skip would only be seen after the statements behind it, a COMMIT among them, had run;
 * the failure makes the server skip them. Other statements are the same. */
static void strict_sql(enum query q, char *out, size_t len)
{
    static const char skip[] = " ON CONFLICT DO NOTHING";
    size_t n = strlen(statements[q].sql), k = sizeof(skip) - 1;
    if (statements[q].must_write && n > k && !strcmp(statements[q].sql + n - k, skip))
        n -= k;
    snprintf(out, len, "%.*s", (int)n, statements[q].sql);
}

/* Send the call's strict form in pipeline mode (its preparation first, when this
 * connection has not had it yet). queue() may have read what was queued and left
 * pipeline mode: each send enters it again. */
static enum ru_status send_call(struct engine *e, enum query q, const struct call *c)
{
    enum ru_status rc;
    char name[16];
    snprintf(name, sizeof(name), "s%d", (int)q);
    if (!e->prepared_strict[q]) {
        char sql[2048];
        strict_sql(q, sql, sizeof(sql));
        if ((rc = pipeline(e)) != RU_OK)
            return rc;
        if (!PQsendPrepare(e->conn, name, sql, 0, NULL))
            return check(e, NULL, "sending a statement");
        e->prepared_strict[q] = 1; /* drain() takes it back if the server refuses */
        if ((rc = queue(e, (int)q, 1, 1, 0)) != RU_OK)
            return rc;
    }
    if ((rc = pipeline(e)) != RU_OK)
        return rc;
    if (!PQsendQueryPrepared(e->conn, name, c->n, c->values, c->lengths, c->formats, 0))
        return check(e, NULL, "sending a statement");
    return queue(e, (int)q, 0, 1, 0);
}

/* The statement the caller waits for, after what is queued, in the same round trip. */
static enum ru_status run_queued(struct engine *e, enum query q, const struct call *c, PGresult **res)
{
    enum ru_status rc;
    if (!e->prepared[q]) {
        if ((rc = pipeline(e)) != RU_OK)
            return rc;
        if (!PQsendPrepare(e->conn, c->name, statements[q].sql, 0, NULL))
            return check(e, NULL, "sending a statement");
        e->prepared[q] = 1; /* drain() takes it back if the server refuses */
        if ((rc = queue(e, (int)q, 1, 0, 0)) != RU_OK)
            return rc;
    }
    if ((rc = pipeline(e)) != RU_OK)
        return rc;
    if (!PQsendQueryPrepared(e->conn, c->name, c->n, c->values, c->lengths, c->formats, 0))
        return check(e, NULL, "sending a statement");
    e->queued[e->nqueued++] = (struct queued){(int)q, 0, 0, 0};
    if (!PQpipelineSync(e->conn))
        return check(e, NULL, "sending a statement");
    return drain(e, res);
}

/* The call's parameters as one byte string, to know a statement sent ahead again: 0 when
 * they do not fit in LEN. */
static size_t call_key(const struct call *c, char *out, size_t len)
{
    size_t n = 0;
    for (int i = 0; i < c->n; i++) {
        size_t l = !c->values[i] ? 0 : c->formats[i] ? (size_t)c->lengths[i] : strlen(c->values[i]);
        if (n + l + 16 > len)
            return 0;
        n += (size_t)snprintf(out + n, len - n, "%c%zu:", c->values[i] ? 'v' : 'n', l);
        memcpy(out + n, c->values[i] ? c->values[i] : "", l);
        n += l;
    }
    return n ? n : 1;
}

/* Inside a transaction, Q sent now without waiting (queued: it goes with the next round
 * trip); the run() of Q with the same parameters, later in the transaction, then takes
 * its result without a round trip of its own. One at a time; forgotten at the end of the
 * transaction. Outside one, nothing is done. */
static enum ru_status pg_ahead(struct engine *e, enum query q, const struct value *params, int n)
{
    struct call c;
    enum ru_status rc;
    clear_ahead(e);
    if (!e->in_tx || e->lost)
        return RU_OK;
    if ((rc = prepare_call(e, q, params, n, &c)) != RU_OK)
        return rc;
    if (!(e->ahead_len = call_key(&c, e->ahead_key, sizeof(e->ahead_key))))
        return RU_OK;
    if (!e->prepared[q]) {
        if ((rc = pipeline(e)) != RU_OK)
            return rc;
        if (!PQsendPrepare(e->conn, c.name, statements[q].sql, 0, NULL))
            return check(e, NULL, "sending a statement");
        e->prepared[q] = 1; /* drain() takes it back if the server refuses */
        if ((rc = queue(e, (int)q, 1, 0, 0)) != RU_OK)
            return rc;
    }
    if ((rc = pipeline(e)) != RU_OK)
        return rc;
    if (!PQsendQueryPrepared(e->conn, c.name, c.n, c.values, c.lengths, c.formats, 0))
        return check(e, NULL, "sending a statement");
    e->ahead_q = (int)q;
    return queue(e, (int)q, 0, 0, 1);
}

/* The result of the statement sent ahead, into *RES, when CALL is that statement again
 * (read now when it is still queued, with what is queued before it); *RES NULL when it is
 * not. The failure of what was queued, when reading it fails. */
static enum ru_status take_ahead(struct engine *e, enum query q, const struct call *c, PGresult **res)
{
    char key[sizeof(e->ahead_key)];
    size_t len;
    enum ru_status rc = RU_OK;
    *res = NULL;
    if (e->ahead_q != (int)q || !(len = call_key(c, key, sizeof(key))) || len != e->ahead_len ||
        memcmp(key, e->ahead_key, len) != 0) {
        clear_ahead(e);
        return RU_OK;
    }
    for (int i = 0; i < e->nqueued && !e->ahead_res; i++)
        if (e->queued[i].ahead) {
            rc = flush(e);
            break;
        }
    *res = rc == RU_OK ? e->ahead_res : NULL;
    e->ahead_res = NULL;
    clear_ahead(e);
    return rc;
}

static enum ru_status pg_run(struct engine *e, enum query q, const struct value *params, int n)
{
    struct call c;
    enum ru_status rc;
    PGresult *res = NULL;
    if ((rc = prepare_call(e, q, params, n, &c)) != RU_OK || (rc = usable(e)) != RU_OK)
        return rc;
    /* what was sent ahead is taken by its own statement, and stands until a write */
    if (e->ahead_q >= 0 && e->ahead_q != (int)q && strncmp(statements[q].sql, "SELECT", 6) != 0)
        clear_ahead(e);
    if (e->ahead_q >= 0 && e->ahead_q == (int)q && (rc = take_ahead(e, q, &c, &res)) != RU_OK)
        return rc;
    if (res) {
        /* sent ahead, read with an earlier round trip */
    } else if (e->nqueued) {
        if ((rc = run_queued(e, q, &c, &res)) != RU_OK)
            return rc;
    } else {
        if ((rc = prepare(e, q, c.name)) != RU_OK)
            return rc;
        res = PQexecPrepared(e->conn, c.name, n, c.values, c.lengths, c.formats, 0);
        if ((rc = check(e, res, "running a statement")) != RU_OK) {
            PQclear(res);
            return rc;
        }
    }
    const char *tuples = PQcmdTuples(res);
    e->changes = *tuples ? strtoll(tuples, NULL, 10) : 0;
    if (statements[q].must_write && e->changes < statements[q].must_write) {
        PQclear(res);
        return fail(e, RU_ERR_EXISTS, "the row exists already");
    }
    e->res = res;
    e->nrows = PQntuples(res);
    e->row = -1;
    return RU_OK;
}

/* Inside a transaction, statement Q for its effect alone, sent without waiting (above):
 * its failure is the next waiting call's. Outside one, as run() and finish(). */
static enum ru_status pg_send(struct engine *e, enum query q, const struct value *params, int n)
{
    struct call c;
    enum ru_status rc;
    if (!e->in_tx) {
        if ((rc = pg_run(e, q, params, n)) == RU_OK)
            end_statement(e);
        return rc;
    }
    if (e->lost)
        return fail(e, RU_ERR_NETWORK, "the connection was lost in the transaction");
    clear_ahead(e); /* read before this write */
    if ((rc = prepare_call(e, q, params, n, &c)) != RU_OK)
        return rc;
    e->changes = -1; /* not known before the results are read */
    return send_call(e, q, &c);
}

static int pg_next(struct engine *e, enum ru_status *rc)
{
    *rc = RU_OK;
    if (!e->res)
        return 0;
    if (e->blobs)
        for (int i = 0; i < PQnfields(e->res); i++) {
            PQfreemem(e->blobs[i]);
            e->blobs[i] = NULL;
        }
    if (e->row + 1 >= e->nrows) {
        e->row = e->nrows;
        return 0;
    }
    e->row++;
    return 1;
}

static void pg_finish(struct engine *e)
{
    end_statement(e);
}

/* Whether column I of the current row exists. */
static int have(struct engine *e, int i)
{
    return e->res && e->row >= 0 && e->row < e->nrows && i >= 0 && i < PQnfields(e->res);
}

static int pg_column_count(struct engine *e)
{
    return e->res ? PQnfields(e->res) : 0;
}

static const char *pg_column_name(struct engine *e, int i)
{
    return e->res && i >= 0 && i < PQnfields(e->res) ? PQfname(e->res, i) : NULL;
}

static enum value_type pg_column_type(struct engine *e, int i)
{
    if (!have(e, i) || PQgetisnull(e->res, e->row, i))
        return VAL_NULL;
    switch (PQftype(e->res, i)) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8: return VAL_INT;
    case OID_BYTEA: return VAL_BLOB;
    default: return VAL_TEXT;
    }
}

static long long pg_column_int(struct engine *e, int i)
{
    if (!have(e, i) || PQgetisnull(e->res, e->row, i))
        return 0;
    return strtoll(PQgetvalue(e->res, e->row, i), NULL, 10);
}

static const char *pg_column_text(struct engine *e, int i)
{
    if (!have(e, i) || PQgetisnull(e->res, e->row, i))
        return NULL;
    return PQgetvalue(e->res, e->row, i);
}

static const void *pg_column_blob(struct engine *e, int i, size_t *len)
{
    *len = 0;
    if (!have(e, i) || PQgetisnull(e->res, e->row, i))
        return NULL;
    if (PQftype(e->res, i) != OID_BYTEA) {
        *len = (size_t)PQgetlength(e->res, e->row, i);
        return PQgetvalue(e->res, e->row, i);
    }
    if (!e->blobs) {
        int n = PQnfields(e->res);
        e->blobs = calloc((size_t)n, sizeof(*e->blobs));
        e->blob_lens = calloc((size_t)n, sizeof(*e->blob_lens));
        if (!e->blobs || !e->blob_lens) {
            free(e->blobs);
            free(e->blob_lens);
            e->blobs = NULL;
            e->blob_lens = NULL;
            return NULL;
        }
    }
    if (!e->blobs[i])
        e->blobs[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(e->res, e->row, i), &e->blob_lens[i]);
    *len = e->blobs[i] ? e->blob_lens[i] : 0;
    return e->blobs[i];
}

static long long pg_changes(struct engine *e)
{
    return e->changes;
}

static int pg_schema_latest(void)
{
    int n = 0;
    while (issuer_pg_migrations[n])
        n++;
    return n;
}

/* The version in schema_version, 0 when there is no such table yet. */
static enum ru_status read_version(struct engine *e, int *version)
{
    PGresult *res = PQexec(e->conn, "SELECT to_regclass('schema_version') IS NOT NULL");
    enum ru_status rc = check(e, res, "reading the schema version");
    int exists = rc == RU_OK && PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    *version = 0;
    if (rc != RU_OK || !exists)
        return rc;
    res = PQexec(e->conn, "SELECT version FROM schema_version");
    if ((rc = check(e, res, "reading the schema version")) == RU_OK && PQntuples(res) == 1)
        *version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10); /* an integer column */
    PQclear(res);
    return rc;
}

static enum ru_status pg_schema_version(struct engine *e, int *version)
{
    enum ru_status rc;
    *version = 0;
    if (e->in_tx)
        return fail(e, RU_ERR_DB, "the schema version is read outside a transaction");
    if ((rc = usable(e)) != RU_OK)
        return rc;
    return read_version(e, version);
}

/* Apply the migrations the ledger has not seen, each in its own transaction, so a crash
 * leaves the schema at some whole version. Two nodes upgrading at once take turns on an
 * advisory lock, and the second then finds the work done. READ COMMITTED, so that what
 * the first committed while the second waited is seen after the wait. */
static enum ru_status pg_migrate(struct engine *e)
{
    int latest = pg_schema_latest(), have_v;
    enum ru_status rc;
    if (e->in_tx)
        return fail(e, RU_ERR_DB, "migrations run outside a transaction");
    if ((rc = usable(e)) != RU_OK)
        return rc;
    for (;;) {
        char bump[80];
        if ((rc = exec(e, "BEGIN ISOLATION LEVEL READ COMMITTED", "starting a migration")) != RU_OK)
            return rc;
        e->in_tx = 1;
        if ((rc = exec(e, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")",
                       "waiting for other migrations")) != RU_OK ||
            (rc = exec(e,
                       "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL,"
                       " one boolean PRIMARY KEY DEFAULT true CHECK (one));"
                       " INSERT INTO schema_version(version) VALUES (0) ON CONFLICT DO NOTHING",
                       "creating the schema version")) != RU_OK ||
            (rc = read_version(e, &have_v)) != RU_OK)
            break;
        if (have_v > latest) {
            rc = fail(e, RU_ERR_SCHEMA,
                      "schema version %d is newer than this program knows (%d); use a newer program", have_v,
                      latest);
            break;
        }
        if (have_v == latest)
            return pg_commit(e);
        snprintf(bump, sizeof(bump), "UPDATE schema_version SET version = %d", have_v + 1);
        char what[64];
        snprintf(what, sizeof(what), "migrating to schema version %d", have_v + 1);
        if ((rc = exec(e, issuer_pg_migrations[have_v], what)) != RU_OK ||
            (rc = exec(e, bump, what)) != RU_OK || (rc = pg_commit(e)) != RU_OK)
            break;
    }
    pg_rollback(e);
    return rc;
}

static enum ru_status pg_listen(struct engine *e)
{
    enum ru_status rc = usable(e);
    return rc != RU_OK ? rc : exec(e, "LISTEN reup_terminal", "listening for terminal rotations");
}

static enum ru_status pg_heard(struct engine *e, int timeout_ms, char *terminal, size_t len)
{
    *terminal = '\0';
    PGnotify *n = PQnotifies(e->conn);
    if (!n) {
        struct pollfd p = {.fd = PQsocket(e->conn), .events = POLLIN};
        if (p.fd < 0)
            return fail(e, RU_ERR_NETWORK, "the connection is gone");
        int r = poll(&p, 1, timeout_ms);
        if (r < 0 && errno != EINTR)
            return fail(e, RU_ERR_NETWORK, "cannot wait for notifications: %s", strerror(errno));
        if (r > 0 && (!PQconsumeInput(e->conn) || PQstatus(e->conn) != CONNECTION_OK)) {
            e->lost = 1;
            return fail(e, RU_ERR_NETWORK, "the connection broke: %s", PQerrorMessage(e->conn));
        }
        n = PQnotifies(e->conn);
    }
    if (n) {
        snprintf(terminal, len, "%s", n->extra);
        PQfreemem(n);
    }
    return RU_OK;
}

const struct engine_ops engine_pg = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .schema_version = pg_schema_version,
    .schema_latest = pg_schema_latest,
    .migrate = pg_migrate,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .run = pg_run,
    .send = pg_send,
    .ahead = pg_ahead,
    .next = pg_next,
    .finish = pg_finish,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .column_type = pg_column_type,
    .column_int = pg_column_int,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .changes = pg_changes,
    .listen = pg_listen,
    .heard = pg_heard,
};
