/*
 * tests/unit/test_engine_pg.c - issuer/engine-pg.c: the ledger's engine on a real
 * PostgreSQL server, the one REUP_TEST_DATABASE names (tests/tools/with-pg.sh starts a
 * private cluster and sets it). Without it the test fails: it cannot pass unrun.
 * Each run works in databases of its own, made next to REUP_TEST_DATABASE and dropped
 * at the end.
 *
 * Covers: connection failures (no server: RU_ERR_NETWORK naming host and port, never the
 * password; a server that accepts but never answers: RU_ERR_NETWORK within the default
 * connect_timeout; no such database: RU_ERR_DB), a multi-host URI with
 * target_session_attrs=read-write whose first host is gone; migrations from 0 to the
 * latest, run again (nothing to do), by two engines at once (one waits for the other),
 * and refused on a newer schema; every named statement with its documented columns and
 * types; RU_ERR_EXISTS on a duplicate (the transaction goes on); a failed statement
 * rolls the transaction back at commit; savepoints; writes sent without waiting (send():
 * their failure is the next read's or the commit's) and reads sent ahead (ahead(): taken
 * by the same statement, forgotten at a write); the append-only audit log and journal
 * heads (privileges and triggers); two SERIALIZABLE transactions writing the same card
 * (RU_ERR_RETRY at the write, at the row lock, and at the commit); a terminated session
 * (RU_ERR_NETWORK, then the next call reconnects and prepares again); a server gone without
 * an error (a relay that closes, or warns as an immediate shutdown does, then closes:
 * RU_ERR_NETWORK too, also at a commit).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <libpq-fe.h>
#include "tests/testlib.h"
#include "issuer/engine.h"
#include "common/banned.h"

static const struct engine_ops *const ops = &engine_pg;
static PGconn *admin; /* to REUP_TEST_DATABASE: makes and drops the databases below */
static char host[256], port[16], user[128];
static char db[64], db_uri[1024];   /* the database of this run */
static char db2[64], db2_uri[1024]; /* an empty one, for racing migrations */
static struct engine *e1;
static unsigned char ran[Q_COUNT]; /* statements run at least once */

/* VALUE percent-encoded into a URI. */
static void encode(char *out, size_t len, const char *value)
{
    size_t n = 0;
    for (const char *p = value; *p && n + 4 < len; p++) {
        if (isalnum((unsigned char)*p) || strchr("-._~", *p))
            out[n++] = *p;
        else
            n += (size_t)snprintf(out + n, len - n, "%%%02X", (unsigned char)*p);
    }
    out[n] = '\0';
}

/* A URI of database NAME on the test server, with EXTRA query parameters ("" or "&k=v"). */
static void uri_of(char *out, size_t len, const char *name, const char *host_list, const char *extra)
{
    char h[768], u[384];
    encode(h, sizeof(h), host_list);
    encode(u, sizeof(u), user);
    int n = snprintf(out, len, "postgresql:///%s?host=%s&port=%s&user=%s%s", name, h, port, u, extra);
    if (n < 0 || (size_t)n >= len)
        fail_msg("the URI of database %s does not fit in %zu bytes", name, len);
}

static void admin_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

/* The SQLSTATE and message SQL fails with on C (it must fail). */
static void admin_fails(PGconn *c, const char *sql, const char *sqlstate, const char *message)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_FATAL_ERROR)
        fail_msg("'%s' did not fail", sql);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!state || strcmp(state, sqlstate) != 0 || !strstr(PQresultErrorMessage(r), message))
        fail_msg("'%s': expected %s '%s', got %s", sql, sqlstate, message, PQresultErrorMessage(r));
    PQclear(r);
}

static PGconn *connect_raw(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("%s: %s", uri, PQerrorMessage(c));
    return c;
}

static struct engine *open_ok(const char *uri)
{
    struct engine *e = NULL;
    enum ru_status rc = ops->open(uri, 0, &e);
    if (rc != RU_OK)
        fail_msg("open %s: %s (%s)", uri, ru_status_str(rc), e ? ops->errmsg(e) : "");
    return e;
}

static enum ru_status run(struct engine *e, enum query q, const struct value *p, int n)
{
    ran[q] = 1;
    return ops->run(e, q, p, n);
}

#define P(...)                             \
    ((const struct value[]){__VA_ARGS__}), \
        (int)(sizeof((const struct value[]){__VA_ARGS__}) / sizeof(struct value))

static void run_ok(struct engine *e, enum query q, const struct value *p, int n)
{
    enum ru_status rc = run(e, q, p, n);
    if (rc != RU_OK)
        fail_msg("statement %d: %s: %s", (int)q, ru_status_str(rc), ops->errmsg(e));
}

/* A write: its rows changed. */
static long long write_ok(struct engine *e, enum query q, const struct value *p, int n)
{
    enum ru_status rc;
    run_ok(e, q, p, n);
    assert_int_equal(ops->next(e, &rc), 0);
    ops->finish(e);
    return ops->changes(e);
}

/* Runs Q and steps to its first row, which must be there. */
static void row_ok(struct engine *e, enum query q, const struct value *p, int n)
{
    enum ru_status rc;
    run_ok(e, q, p, n);
    assert_int_equal(ops->next(e, &rc), 1);
    assert_int_equal(rc, RU_OK);
}

/* Runs Q, which must find no row. */
static void no_row(struct engine *e, enum query q, const struct value *p, int n)
{
    enum ru_status rc;
    run_ok(e, q, p, n);
    assert_int_equal(ops->next(e, &rc), 0);
    assert_int_equal(rc, RU_OK);
    ops->finish(e);
}

/* The current row's columns are named as COLS says, "name:type" with type i, t, b or n
 * (NULL), comma-separated. */
static void columns(struct engine *e, const char *cols)
{
    char buf[512], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", cols);
    int i = 0;
    for (char *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save), i++) {
        char *colon = strchr(c, ':');
        *colon = '\0';
        enum value_type want = colon[1] == 'i'   ? VAL_INT
                               : colon[1] == 't' ? VAL_TEXT
                               : colon[1] == 'b' ? VAL_BLOB
                                                 : VAL_NULL;
        assert_non_null(ops->column_name(e, i));
        if (strcmp(ops->column_name(e, i), c) != 0)
            fail_msg("column %d is '%s', not '%s'", i, ops->column_name(e, i), c);
        if (ops->column_type(e, i) != want)
            fail_msg("column %s has type %d, not %d", c, ops->column_type(e, i), want);
    }
    assert_int_equal(ops->column_count(e), i);
}

static int is_time(const char *t)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    if (!t || strlen(t) != sizeof(pattern) - 1)
        return 0;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != pattern[i])
            return 0;
    return 1;
}

static void now_text(char out[32], long offset_s)
{
    time_t t = time(NULL) + offset_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void test_connect_errors(void **state)
{
    (void)state;
    struct engine *e = NULL;
    char uri[1024];

    /* nobody listens on port 1 */
    assert_int_equal(ops->open("postgresql://reup:s3cret-word@127.0.0.1:1/reup", 0, &e), RU_ERR_NETWORK);
    assert_non_null(strstr(ops->errmsg(e), "host 127.0.0.1 port 1"));
    assert_null(strstr(ops->errmsg(e), "s3cret-word"));
    assert_null(strchr(ops->errmsg(e), '\n'));
    ops->close(e);

    /* a server that takes the connection and never says a word: the default
     * connect_timeout (5 s) ends the wait */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s, 4), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    snprintf(uri, sizeof(uri), "postgresql://127.0.0.1:%d/reup", ntohs(a.sin_port));
    time_t t0 = time(NULL);
    assert_int_equal(ops->open(uri, 0, &e), RU_ERR_NETWORK);
    assert_true(time(NULL) - t0 >= 4 && time(NULL) - t0 <= 7);
    assert_non_null(strstr(ops->errmsg(e), "127.0.0.1"));
    ops->close(e);
    /* the URI's own connect_timeout wins (libpq's least is 2 s) */
    snprintf(uri, sizeof(uri), "postgresql://127.0.0.1:%d/reup?connect_timeout=2", ntohs(a.sin_port));
    t0 = time(NULL);
    assert_int_equal(ops->open(uri, 0, &e), RU_ERR_NETWORK);
    assert_true(time(NULL) - t0 <= 3);
    ops->close(e);
    close(s);

    /* a server that answers and refuses */
    uri_of(uri, sizeof(uri), "reup_no_such_database", host, "");
    assert_int_equal(ops->open(uri, 0, &e), RU_ERR_DB);
    assert_non_null(strstr(ops->errmsg(e), host));
    assert_non_null(strstr(ops->errmsg(e), "reup_no_such_database"));
    ops->close(e);

    /* the first host is gone, the second is the primary */
    char hosts[600];
    snprintf(hosts, sizeof(hosts), "%s/gone,%s", test_dir(), host);
    uri_of(uri, sizeof(uri), db, hosts, "&target_session_attrs=read-write");
    e = open_ok(uri);
    row_ok(e, Q_REPORT_SUBSCRIPTIONS, NULL, 0);
    ops->finish(e);
    ops->close(e);
}

struct migrator {
    enum ru_status rc;
    char err[1024];
};

static void *migrate_db2(void *arg)
{
    struct migrator *m = arg;
    struct engine *e = NULL;
    if ((m->rc = ops->open(db2_uri, 0, &e)) == RU_OK)
        m->rc = ops->migrate(e);
    snprintf(m->err, sizeof(m->err), "%s", e ? ops->errmsg(e) : "");
    ops->close(e);
    return NULL;
}

static void test_migrate(void **state)
{
    (void)state;
    int v = -1, latest = ops->schema_latest();
    assert_true(latest >= 1);
    e1 = open_ok(db_uri);
    assert_int_equal(ops->schema_version(e1, &v), RU_OK);
    assert_int_equal(v, 0);
    assert_int_equal(ops->migrate(e1), RU_OK);
    assert_int_equal(ops->schema_version(e1, &v), RU_OK);
    assert_int_equal(v, latest);
    assert_int_equal(ops->migrate(e1), RU_OK); /* nothing left to do */
    assert_int_equal(ops->schema_version(e1, &v), RU_OK);
    assert_int_equal(v, latest);

    /* two nodes upgrading one empty ledger at once: the second waits, then finds it done
     * (without the lock, one of them would fail on tables that exist already) */
    pthread_t t[2];
    struct migrator m[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, migrate_db2, &m[i]), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (m[i].rc != RU_OK)
            fail_msg("migrating at once: %s", m[i].err);
    }

    /* a ledger written by a newer program is refused, and left alone */
    PGconn *c = connect_raw(db2_uri);
    char sql[96];
    snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", latest + 1);
    admin_exec(c, sql);
    struct engine *e = open_ok(db2_uri);
    assert_int_equal(ops->schema_version(e, &v), RU_OK);
    assert_int_equal(v, latest + 1);
    assert_int_equal(ops->migrate(e), RU_ERR_SCHEMA);
    assert_non_null(strstr(ops->errmsg(e), "newer"));
    assert_int_equal(ops->schema_version(e, &v), RU_OK);
    assert_int_equal(v, latest + 1);
    ops->close(e);
    PQfinish(c);
}

static const unsigned char pin1[32] = {1, 0, 255}, pin2[32] = {2, 0, 255}, pin3[32] = {3}, pin100[32] = {100};
/* pointers, not arrays: VAL_T() tests its argument for NULL */
static const char *const hash_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                         *const hash_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                         *const hash_c = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

static void test_settings_plans_terminals(void **state)
{
    (void)state;
    struct engine *e = e1;
    enum ru_status rc;

    assert_int_equal(write_ok(e, Q_SETTINGS_INIT, P(VAL_T("0042"))), 2);
    assert_int_equal(run(e, Q_SETTINGS_INIT, P(VAL_T("0042"))), RU_ERR_EXISTS);
    row_ok(e, Q_SETTING_PREFIX, NULL, 0);
    columns(e, "prefix:i");
    assert_int_equal(ops->column_int(e, 0), 42);
    ops->finish(e);
    row_ok(e, Q_SEQUENCE_TAKE, P(VAL_I(10)));
    columns(e, "first:i");
    assert_int_equal(ops->column_int(e, 0), 1);
    ops->finish(e);
    row_ok(e, Q_SEQUENCE_TAKE, P(VAL_I(5)));
    assert_int_equal(ops->column_int(e, 0), 11);
    ops->finish(e);

    /* before any subscription: current is 0, not NULL */
    row_ok(e, Q_REPORT_SUBSCRIPTIONS, NULL, 0);
    columns(e, "accounts:i,current:i");
    assert_int_equal(ops->column_int(e, 0), 0);
    assert_int_equal(ops->column_int(e, 1), 0);
    ops->finish(e);

    assert_int_equal(
        write_ok(e, Q_PLAN_INSERT, P(VAL_T("1y"), VAL_I(12), VAL_I(3999), VAL_T("USD"), VAL_T(""))), 1);
    assert_int_equal(write_ok(e, Q_PLAN_INSERT,
                              P(VAL_T("1m"), VAL_I(1), VAL_I(499), VAL_T("EUR"), VAL_T("4006381333931"))),
                     1);
    /* a plan that exists already */
    assert_int_equal(run(e, Q_PLAN_INSERT, P(VAL_T("1y"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     RU_ERR_EXISTS);
    row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
    columns(e, "months:i,price_cents:i,currency:t");
    assert_int_equal(ops->column_int(e, 0), 12);
    assert_int_equal(ops->column_int(e, 1), 3999);
    assert_string_equal(ops->column_text(e, 2), "USD");
    ops->finish(e);
    no_row(e, Q_PLAN_GET, P(VAL_T("zz")));
    row_ok(e, Q_PLAN_LIST, NULL, 0);
    columns(e, "code:t,months:i,price_cents:i,currency:t,gtin:t");
    assert_string_equal(ops->column_text(e, 0), "1m"); /* ORDER BY code */
    assert_string_equal(ops->column_text(e, 4), "4006381333931");
    assert_int_equal(ops->next(e, &rc), 1);
    assert_string_equal(ops->column_text(e, 0), "1y");
    assert_string_equal(ops->column_text(e, 4), "");
    assert_int_equal(ops->next(e, &rc), 0);
    assert_int_equal(rc, RU_OK);
    ops->finish(e);

    unsigned char secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (unsigned char)(i * 37 + (i == 5 ? 0 : 1)); /* a NUL byte and bytes over 127 */
    secret[5] = 0;
    assert_int_equal(write_ok(e, Q_TERMINAL_INSERT, P(VAL_T("T1"), VAL_T("S1"), VAL_B(secret, 32))), 1);
    assert_int_equal(run(e, Q_TERMINAL_INSERT, P(VAL_T("T1"), VAL_T("S2"), VAL_B(secret, 32))),
                     RU_ERR_EXISTS);
    row_ok(e, Q_TERMINAL_GET, P(VAL_T("T1")));
    columns(e, "secret:b,store_id:t");
    size_t len = 0;
    const void *blob = ops->column_blob(e, 0, &len);
    assert_int_equal(len, 32);
    assert_memory_equal(blob, secret, 32);
    assert_string_equal(ops->column_text(e, 1), "S1");
    ops->finish(e);
    no_row(e, Q_TERMINAL_GET, P(VAL_T("T9")));
    /* a rotation: the terminal of that store alone, heard by a listening connection at
     * its commit */
    struct engine *ear = open_ok(db_uri);
    char heard[80];
    assert_int_equal(ops->listen(ear), RU_OK);
    unsigned char fresh[32];
    memset(fresh, 0xa5, sizeof(fresh));
    no_row(e, Q_TERMINAL_ROTATE, P(VAL_T("T1"), VAL_T("S2"), VAL_B(fresh, 32)));
    no_row(e, Q_TERMINAL_ROTATE, P(VAL_T("T9"), VAL_T("S1"), VAL_B(fresh, 32)));
    assert_int_equal(ops->heard(ear, 100, heard, sizeof(heard)), RU_OK);
    assert_string_equal(heard, "");
    row_ok(e, Q_TERMINAL_ROTATE, P(VAL_T("T1"), VAL_T("S1"), VAL_B(fresh, 32)));
    assert_string_equal(ops->column_text(e, 0), "T1");
    ops->finish(e);
    assert_int_equal(ops->heard(ear, 5000, heard, sizeof(heard)), RU_OK);
    assert_string_equal(heard, "T1");
    row_ok(e, Q_TERMINAL_GET, P(VAL_T("T1")));
    assert_memory_equal(ops->column_blob(e, 0, &len), fresh, 32);
    ops->finish(e);
    /* inside a transaction it is heard at the commit, not before */
    assert_int_equal(ops->begin(e), RU_OK);
    row_ok(e, Q_TERMINAL_ROTATE, P(VAL_T("T1"), VAL_T("S1"), VAL_B(secret, 32)));
    ops->finish(e);
    assert_int_equal(ops->heard(ear, 200, heard, sizeof(heard)), RU_OK);
    assert_string_equal(heard, "");
    assert_int_equal(ops->commit(e), RU_OK);
    assert_int_equal(ops->heard(ear, 5000, heard, sizeof(heard)), RU_OK);
    assert_string_equal(heard, "T1");
    ops->close(ear);
    /* a failed write names the constraint, never the row with its secret */
    assert_int_equal(run(e, Q_TERMINAL_INSERT, P(VAL_T("T5"), VAL_T(NULL), VAL_B(secret, 32))), RU_ERR_DB);
    assert_non_null(strstr(ops->errmsg(e), "store_id"));
    assert_null(strstr(ops->errmsg(e), "\\x01"));
    assert_null(strstr(ops->errmsg(e), "T5"));

    /* a call with the wrong number of parameters is a mistake, said plainly */
    assert_int_equal(ops->run(e, Q_PLAN_GET, NULL, 0), RU_ERR_DB);
    assert_non_null(strstr(ops->errmsg(e), "parameters"));
}

static void test_cards(void **state)
{
    (void)state;
    struct engine *e = e1;
    char now[32], later[32];

    row_ok(e, Q_BATCH_COUNT, NULL, 0);
    columns(e, "n:i");
    assert_int_equal(ops->column_int(e, 0), 0);
    ops->finish(e);
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(write_ok(e, Q_BATCH_INSERT, P(VAL_T("B000001"), VAL_T("1y"), VAL_I(3))), 1);
    assert_int_equal(
        write_ok(e, Q_CARD_INSERT, P(VAL_T("S001"), VAL_T("1y"), VAL_T("B000001"), VAL_B(pin1, 32))), 1);
    /* a PIN drawn twice is RU_ERR_EXISTS, and the transaction goes on: a new PIN is drawn */
    assert_int_equal(run(e, Q_CARD_INSERT, P(VAL_T("S002"), VAL_T("1y"), VAL_T("B000001"), VAL_B(pin1, 32))),
                     RU_ERR_EXISTS);
    assert_int_equal(
        write_ok(e, Q_CARD_INSERT, P(VAL_T("S002"), VAL_T("1y"), VAL_T("B000001"), VAL_B(pin2, 32))), 1);
    assert_int_equal(
        write_ok(e, Q_CARD_INSERT, P(VAL_T("S003"), VAL_T("1y"), VAL_T("B000001"), VAL_B(pin3, 32))), 1);
    assert_int_equal(ops->commit(e), RU_OK);
    row_ok(e, Q_BATCH_COUNT, NULL, 0);
    assert_int_equal(ops->column_int(e, 0), 1);
    ops->finish(e);

    now_text(now, -2);
    assert_int_equal(
        write_ok(e, Q_CARD_INSERT_ACTIVE, P(VAL_T("S100"), VAL_T("1m"), VAL_B(pin100, 32), VAL_T("S1"))), 1);
    assert_int_equal(
        run(e, Q_CARD_INSERT_ACTIVE, P(VAL_T("S101"), VAL_T("1m"), VAL_B(pin100, 32), VAL_T("S1"))),
        RU_ERR_EXISTS);
    row_ok(e, Q_CARD_SHOW, P(VAL_T("S100")));
    columns(e, "serial:t,plan:t,status:t,activated_at:t,store_id:t");
    assert_string_equal(ops->column_text(e, 2), "active");
    assert_true(is_time(ops->column_text(e, 3)));
    now_text(later, 2);
    assert_true(strcmp(ops->column_text(e, 3), now) >= 0 && strcmp(ops->column_text(e, 3), later) <= 0);
    ops->finish(e);
    row_ok(e, Q_CARD_SHOW, P(VAL_T("S001")));
    columns(e, "serial:t,plan:t,status:t,activated_at:n,store_id:n");
    assert_null(ops->column_text(e, 3));
    ops->finish(e);
    no_row(e, Q_CARD_SHOW, P(VAL_T("S999")));

    /* a sale, taken back */
    assert_int_equal(ops->begin(e), RU_OK);
    row_ok(e, Q_CARD_FOR_SALE, P(VAL_T("S001")));
    columns(e, "status:t,plan:t,price_cents:i,currency:t");
    assert_string_equal(ops->column_text(e, 0), "issued");
    assert_int_equal(ops->column_int(e, 2), 3999);
    ops->finish(e);
    assert_int_equal(write_ok(e, Q_CARD_ACTIVATE, P(VAL_T("S1"), VAL_T("S001"))), 1);
    assert_int_equal(write_ok(e, Q_CARD_ACTIVATE, P(VAL_T("S1"), VAL_T("S001"))), 0);
    assert_int_equal(ops->commit(e), RU_OK);
    row_ok(e, Q_CARD_REDEEMED, P(VAL_T("S001")));
    columns(e, "redeemed:i");
    assert_int_equal(ops->column_int(e, 0), 0);
    ops->finish(e);
    assert_int_equal(write_ok(e, Q_CARD_RETURN, P(VAL_T("S001"))), 1);
    assert_int_equal(write_ok(e, Q_CARD_RETURN, P(VAL_T("S001"))), 0);
    row_ok(e, Q_CARD_SHOW, P(VAL_T("S001")));
    assert_string_equal(ops->column_text(e, 2), "issued");
    assert_int_equal(ops->column_type(e, 4), VAL_NULL);
    ops->finish(e);
    assert_int_equal(write_ok(e, Q_CARD_BLOCK_ACTIVE, P(VAL_T("S100"))), 1);

    /* a redemption */
    no_row(e, Q_CARD_BY_PIN, P(VAL_B(pin2, 32))); /* not sold yet */
    assert_int_equal(write_ok(e, Q_CARD_ACTIVATE, P(VAL_T("S1"), VAL_T("S002"))), 1);
    assert_int_equal(ops->begin(e), RU_OK);
    row_ok(e, Q_CARD_BY_PIN, P(VAL_B(pin2, 32)));
    columns(e, "serial:t,plan:t,months:i");
    assert_string_equal(ops->column_text(e, 0), "S002");
    assert_string_equal(ops->column_text(e, 1), "1y");
    assert_int_equal(ops->column_int(e, 2), 12);
    ops->finish(e);
    assert_int_equal(write_ok(e, Q_CARD_REDEEM, P(VAL_T("S002"), VAL_T("acct1"))), 1);
    assert_int_equal(ops->commit(e), RU_OK);
    row_ok(e, Q_CARD_REDEEMED, P(VAL_T("S002")));
    assert_int_equal(ops->column_int(e, 0), 1);
    ops->finish(e);

    /* blocking leaves a redeemed card alone */
    assert_int_equal(write_ok(e, Q_CARD_BLOCK, P(VAL_T("S002"))), 0);
    assert_int_equal(write_ok(e, Q_CARD_BLOCK, P(VAL_T("S003"))), 1);
    assert_int_equal(write_ok(e, Q_CARD_BLOCK_BATCH, P(VAL_T("B000001"))), 2);

    row_ok(e, Q_REPORT_CARDS, NULL, 0);
    columns(e, "plan:t,status:t,count:i");
    assert_string_equal(ops->column_text(e, 0), "1m");
    assert_string_equal(ops->column_text(e, 1), "blocked");
    ops->finish(e);
    row_ok(e, Q_REPORT_BATCHES, NULL, 0);
    columns(e, "id:t,plan:t,count:i,created_at:t");
    assert_int_equal(ops->column_int(e, 2), 3);
    assert_true(is_time(ops->column_text(e, 3)));
    ops->finish(e);
    row_ok(e, Q_REPORT_TERMINALS, NULL, 0);
    columns(e, "id:t,store_id:t,created_at:t");
    ops->finish(e);
}

static void test_subscriptions(void **state)
{
    (void)state;
    struct engine *e = e1;
    char now[32];
    now_text(now, 0);
    /* a new account: now plus 12 months */
    row_ok(e, Q_SUBSCRIPTION_EXTEND, P(VAL_T("acct1"), VAL_I(12)));
    columns(e, "expires_at:t");
    const char *t = ops->column_text(e, 0);
    assert_true(is_time(t));
    assert_true(strncmp(t, now, 4) > 0);
    ops->finish(e);

    /* months count as SQLite's do; a later expiry is extended, a past one starts now */
    PGconn *c = connect_raw(db_uri);
    admin_exec(c, "INSERT INTO subscription VALUES ('acct2', '2031-01-31T10:00:00Z'),"
                  " ('acct3', '2001-01-31T10:00:00Z')");
    PQfinish(c);
    row_ok(e, Q_SUBSCRIPTION_EXTEND, P(VAL_T("acct2"), VAL_I(1)));
    assert_string_equal(ops->column_text(e, 0), "2031-03-03T10:00:00Z");
    ops->finish(e);
    row_ok(e, Q_SUBSCRIPTION_EXTEND, P(VAL_T("acct3"), VAL_I(1)));
    assert_true(strcmp(ops->column_text(e, 0), now) > 0);
    ops->finish(e);

    row_ok(e, Q_REPORT_SUBSCRIPTIONS, NULL, 0);
    assert_int_equal(ops->column_int(e, 0), 3);
    assert_int_equal(ops->column_int(e, 1), 3);
    ops->finish(e);
}

static void test_requests_and_refusals(void **state)
{
    (void)state;
    struct engine *e = e1;
    assert_int_equal(
        write_ok(e, Q_REQUEST_INSERT,
                 P(VAL_T("r1"), VAL_T("activation"), VAL_T("T1"), VAL_T("S1"), VAL_T("S001"), VAL_T(NULL),
                   VAL_I(3999), VAL_T("USD"), VAL_T("active"), VAL_I(201), VAL_T("{\"a\":1}"))),
        1);
    assert_int_equal(run(e, Q_REQUEST_INSERT,
                         P(VAL_T("r1"), VAL_T("activation"), VAL_T("T1"), VAL_T("S1"), VAL_T("S001"),
                           VAL_T(NULL), VAL_I(3999), VAL_T("USD"), VAL_T("active"), VAL_I(201), VAL_T("{}"))),
                     RU_ERR_EXISTS);
    /* the same request id from another terminal is another request */
    struct value nul = {.type = VAL_NULL};
    assert_int_equal(write_ok(e, Q_REQUEST_INSERT,
                              P(VAL_T("r1"), VAL_T("reversal"), VAL_T("T2"), VAL_T("S1"), nul, nul, nul, nul,
                                VAL_T("reversed"), VAL_I(200), VAL_T("{}"))),
                     1);
    row_ok(e, Q_REQUEST_GET, P(VAL_T("S1"), VAL_T("T1"), VAL_T("r1")));
    columns(e, "kind:t,plan:n,serial:t,amount:i,currency:t,state:t,http_status:i,answer:t,age_s:i");
    assert_int_equal(ops->column_int(e, 3), 3999);
    assert_int_equal(ops->column_int(e, 6), 201);
    assert_string_equal(ops->column_text(e, 7), "{\"a\":1}");
    assert_true(ops->column_int(e, 8) >= 0 && ops->column_int(e, 8) <= 2);
    ops->finish(e);
    PGconn *c = connect_raw(db_uri);
    admin_exec(c,
               "UPDATE request SET created_at = to_char((now() - interval '100 seconds') AT TIME ZONE 'UTC',"
               " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') WHERE terminal = 'T1'");
    PQfinish(c);
    assert_int_equal(
        write_ok(e, Q_REQUEST_SET_STATE, P(VAL_T("voided"), VAL_T("S1"), VAL_T("T1"), VAL_T("r1"))), 1);
    row_ok(e, Q_REQUEST_GET, P(VAL_T("S1"), VAL_T("T1"), VAL_T("r1")));
    assert_string_equal(ops->column_text(e, 5), "voided");
    assert_true(ops->column_int(e, 8) >= 99 && ops->column_int(e, 8) <= 102);
    ops->finish(e);
    no_row(e, Q_REQUEST_GET, P(VAL_T("S2"), VAL_T("T1"), VAL_T("r1")));

    row_ok(e, Q_REPORT_REQUESTS, NULL, 0);
    columns(e, "kind:t,state:t,http_status:i,count:i");
    assert_string_equal(ops->column_text(e, 0), "activation");
    assert_int_equal(ops->column_int(e, 3), 1);
    ops->finish(e);

    row_ok(e, Q_REFUSALS, P(VAL_T("address:x"), VAL_I(900)));
    columns(e, "count:i,oldest:n");
    assert_int_equal(ops->column_int(e, 0), 0);
    ops->finish(e);
    long long t0 = (long long)time(NULL);
    assert_int_equal(write_ok(e, Q_REFUSAL_INSERT, P(VAL_T("address:x"))), 1);
    assert_int_equal(write_ok(e, Q_REFUSAL_INSERT, P(VAL_T("address:x"))), 1);
    row_ok(e, Q_REFUSALS, P(VAL_T("address:x"), VAL_I(900)));
    columns(e, "count:i,oldest:i");
    assert_int_equal(ops->column_int(e, 0), 2);
    assert_true(ops->column_int(e, 1) >= t0 - 1 && ops->column_int(e, 1) <= t0 + 2);
    ops->finish(e);
    row_ok(e, Q_REFUSALS, P(VAL_T("address:y"), VAL_I(900)));
    assert_int_equal(ops->column_int(e, 0), 0);
    ops->finish(e);
}

static void test_heads_and_audit(void **state)
{
    (void)state;
    struct engine *e = e1;
    enum ru_status rc;
    no_row(e, Q_HEAD_LATEST, P(VAL_T("S1"), VAL_T("T1")));
    assert_int_equal(
        write_ok(e, Q_HEAD_INSERT, P(VAL_T("S1"), VAL_T("T1"), VAL_I(1), VAL_T(hash_a), VAL_T("head"))), 1);
    assert_int_equal(
        write_ok(e, Q_HEAD_INSERT, P(VAL_T("S1"), VAL_T("T1"), VAL_I(2), VAL_T(hash_b), VAL_T("head"))), 1);
    for (int i = 0; i < 2; i++)
        assert_int_equal(write_ok(e, Q_HEAD_INSERT,
                                  P(VAL_T("S1"), VAL_T("T1"), VAL_I(2), VAL_T(hash_c), VAL_T("anomaly"))),
                         1);
    /* the table's CHECKs hold */
    assert_int_equal(
        run(e, Q_HEAD_INSERT, P(VAL_T("S1"), VAL_T("T1"), VAL_I(3), VAL_T("short"), VAL_T("head"))),
        RU_ERR_DB);
    row_ok(e, Q_HEAD_LATEST, P(VAL_T("S1"), VAL_T("T1")));
    columns(e, "seq:i,hash:t");
    assert_int_equal(ops->column_int(e, 0), 2);
    assert_string_equal(ops->column_text(e, 1), hash_b);
    ops->finish(e);
    row_ok(e, Q_HEAD_SEEN, P(VAL_T("S1"), VAL_T("T1"), VAL_I(1), VAL_T(hash_a)));
    assert_int_equal(ops->column_int(e, 0), 1);
    ops->finish(e);
    no_row(e, Q_HEAD_SEEN, P(VAL_T("S1"), VAL_T("T1"), VAL_I(1), VAL_T(hash_b)));
    row_ok(e, Q_HEAD_LIST, P(VAL_T("S1"), VAL_T("T1"), VAL_I(0), VAL_I(LLONG_MAX), VAL_I(10)));
    columns(e, "seq:i,hash:t");
    assert_int_equal(ops->column_int(e, 0), 1);
    assert_int_equal(ops->next(e, &rc), 1);
    assert_int_equal(ops->column_int(e, 0), 2);
    assert_int_equal(ops->next(e, &rc), 0);
    ops->finish(e);
    row_ok(e, Q_HEAD_LIST, P(VAL_T("S1"), VAL_T("T1"), VAL_I(1), VAL_I(LLONG_MAX), VAL_I(1)));
    assert_int_equal(ops->column_int(e, 0), 2);
    assert_int_equal(ops->next(e, &rc), 0);
    ops->finish(e);
    row_ok(e, Q_ANOMALY_LIST, P(VAL_T("S1"), VAL_T("T1"), VAL_I(0), VAL_I(LLONG_MAX), VAL_I(10)));
    columns(e, "seq:i,hash:t");
    assert_string_equal(ops->column_text(e, 1), hash_c);
    assert_int_equal(ops->next(e, &rc), 0); /* DISTINCT */
    ops->finish(e);

    assert_int_equal(
        write_ok(e, Q_AUDIT_INSERT,
                 P(VAL_T("operator"), VAL_T("plan add"), VAL_T(NULL), VAL_T(NULL), VAL_T("ok"), VAL_T("1y"))),
        1);
    assert_int_equal(write_ok(e, Q_AUDIT_INSERT,
                              P(VAL_T("terminal:T1"), VAL_T("activate"), VAL_T("S001"), VAL_T("r1"),
                                VAL_T("ok"), VAL_T("201"))),
                     1);
    row_ok(e, Q_AUDIT_LIST, P(VAL_T(NULL)));
    columns(e, "id:i,at:t,actor:t,action:t,serial:n,request_id:n,outcome:t,detail:t");
    long long id = ops->column_int(e, 0);
    assert_true(is_time(ops->column_text(e, 1)));
    assert_int_equal(ops->next(e, &rc), 1);
    columns(e, "id:i,at:t,actor:t,action:t,serial:t,request_id:t,outcome:t,detail:t");
    assert_true(ops->column_int(e, 0) > id); /* ORDER BY id */
    assert_int_equal(ops->next(e, &rc), 0);
    ops->finish(e);
    char today[32];
    now_text(today, -86400);
    today[10] = '\0'; /* a date alone */
    const char *since = today;
    row_ok(e, Q_AUDIT_LIST, P(VAL_T(since)));
    ops->finish(e);
    no_row(e, Q_AUDIT_LIST, P(VAL_T("2999-01-01")));
}

static void test_transactions(void **state)
{
    (void)state;
    struct engine *e = e1;
    /* a statement that fails (a CHECK) spoils its transaction: the commit says so */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(ops->begin(e), RU_ERR_DB); /* one at a time */
    assert_int_equal(write_ok(e, Q_PLAN_INSERT, P(VAL_T("t1"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     1);
    assert_int_equal(run(e, Q_PLAN_INSERT, P(VAL_T("t2"), VAL_I(0), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     RU_ERR_DB);
    assert_non_null(strstr(ops->errmsg(e), "months"));
    assert_int_equal(ops->commit(e), RU_ERR_DB);
    ops->rollback(e); /* nothing left to roll back: does nothing */
    no_row(e, Q_PLAN_GET, P(VAL_T("t1")));

    /* rollback */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(write_ok(e, Q_PLAN_INSERT, P(VAL_T("t1"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     1);
    ops->rollback(e);
    no_row(e, Q_PLAN_GET, P(VAL_T("t1")));

    /* savepoints: undone, kept, and undone after a failed statement (a batch goes on) */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(ops->savepoint(e), RU_OK);
    assert_int_equal(write_ok(e, Q_PLAN_INSERT, P(VAL_T("sp1"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     1);
    assert_int_equal(ops->release(e, 1), RU_OK);
    assert_int_equal(ops->savepoint(e), RU_OK);
    assert_int_equal(write_ok(e, Q_PLAN_INSERT, P(VAL_T("sp2"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     1);
    assert_int_equal(ops->release(e, 0), RU_OK);
    assert_int_equal(ops->savepoint(e), RU_OK);
    assert_int_equal(run(e, Q_PLAN_INSERT, P(VAL_T("sp3"), VAL_I(0), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     RU_ERR_DB);
    assert_int_equal(ops->release(e, 1), RU_OK);
    assert_int_equal(write_ok(e, Q_PLAN_INSERT, P(VAL_T("sp4"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     1);
    assert_int_equal(ops->commit(e), RU_OK);
    no_row(e, Q_PLAN_GET, P(VAL_T("sp1")));
    row_ok(e, Q_PLAN_GET, P(VAL_T("sp2")));
    ops->finish(e);
    no_row(e, Q_PLAN_GET, P(VAL_T("sp3")));
    row_ok(e, Q_PLAN_GET, P(VAL_T("sp4")));
    ops->finish(e);
    assert_int_equal(ops->savepoint(e), RU_ERR_DB); /* outside a transaction */
}

/* send(): inside a transaction a write goes out without waiting, with the next statement
 * that waits or with the commit; the first failure among them is that call's and loses
 * the transaction (a CHECK, a must-write row that exists: RU_ERR_EXISTS), whether the
 * next call is a read or the commit; outside a transaction it runs at once; more than
 * the queue holds goes out in several round trips; a rollback drops what waits; each
 * time the connection is usable after. */
static void test_send(void **state)
{
    (void)state;
    struct engine *e = e1;
    char buf[16];
    const char *code = buf;
    assert_non_null(ops->send);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd0"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("sd0")));
    ops->finish(e);

    /* sent, seen by the next read of the transaction, with savepoint commands queued too */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(ops->savepoint(e), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd1"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(ops->release(e, 0), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd2"), VAL_I(2), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("sd2")));
    assert_int_equal(ops->column_int(e, 0), 2);
    ops->finish(e);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd3"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(ops->commit(e), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("sd1")));
    ops->finish(e);
    row_ok(e, Q_PLAN_GET, P(VAL_T("sd3")));
    ops->finish(e);

    /* a failure among the queued writes is the next read's, and the commit's */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd4"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd5"), VAL_I(0), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd6"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(run(e, Q_PLAN_GET, P(VAL_T("sd4"))), RU_ERR_DB);
    assert_non_null(strstr(ops->errmsg(e), "months"));
    assert_int_equal(ops->commit(e), RU_ERR_DB);
    no_row(e, Q_PLAN_GET, P(VAL_T("sd4")));
    no_row(e, Q_PLAN_GET, P(VAL_T("sd6")));

    /* found by the commit itself, which then leaves no transaction open */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd7"), VAL_I(0), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(ops->commit(e), RU_ERR_DB);
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd10"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd1"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    assert_int_equal(ops->commit(e), RU_ERR_EXISTS);
    no_row(e, Q_PLAN_GET, P(VAL_T("sd7")));
    no_row(e, Q_PLAN_GET, P(VAL_T("sd10"))); /* nothing of that transaction committed */

    /* more than the queue holds */
    assert_int_equal(ops->begin(e), RU_OK);
    for (int i = 0; i < 150; i++) {
        snprintf(buf, sizeof(buf), "many%d", i);
        assert_int_equal(
            ops->send(e, Q_PLAN_INSERT, P(VAL_T(code), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    }
    assert_int_equal(ops->commit(e), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("many0")));
    ops->finish(e);
    row_ok(e, Q_PLAN_GET, P(VAL_T("many149")));
    ops->finish(e);

    /* ahead(): a read sent before another is taken by its own run(), with the same
     * parameters only, and is forgotten at a write (which may change what it read) */
    assert_non_null(ops->ahead);
    assert_int_equal(ops->ahead(e, Q_PLAN_GET, P(VAL_T("sd2"))), RU_OK); /* outside: nothing */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(ops->ahead(e, Q_PLAN_GET, P(VAL_T("sd2"))), RU_OK);
    row_ok(e, Q_SETTING_PREFIX, NULL, 0);
    ops->finish(e);
    row_ok(e, Q_PLAN_GET, P(VAL_T("sd2")));
    assert_int_equal(ops->column_int(e, 0), 2);
    ops->finish(e);
    assert_int_equal(ops->ahead(e, Q_PLAN_GET, P(VAL_T("sd2"))), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("sd1"))); /* other parameters */
    assert_int_equal(ops->column_int(e, 0), 1);
    ops->finish(e);
    assert_int_equal(ops->ahead(e, Q_PLAN_GET, P(VAL_T("ah1"))), RU_OK);
    row_ok(e, Q_SETTING_PREFIX, NULL, 0); /* the read ahead is done: no such plan yet */
    ops->finish(e);
    assert_int_equal(write_ok(e, Q_PLAN_INSERT, P(VAL_T("ah1"), VAL_I(3), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     1);
    row_ok(e, Q_PLAN_GET, P(VAL_T("ah1")));
    assert_int_equal(ops->column_int(e, 0), 3);
    ops->finish(e);
    assert_int_equal(ops->ahead(e, Q_PLAN_GET, P(VAL_T("ah2"))), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("ah2"), VAL_I(4), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("ah2")));
    assert_int_equal(ops->column_int(e, 0), 4);
    ops->finish(e);
    assert_int_equal(ops->ahead(e, Q_PLAN_GET, P(VAL_T("sd2"))), RU_OK); /* never taken */
    assert_int_equal(ops->commit(e), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("ah2")));
    ops->finish(e);

    /* a rollback drops what waits */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(
        ops->send(e, Q_PLAN_INSERT, P(VAL_T("sd8"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), RU_OK);
    ops->rollback(e);
    no_row(e, Q_PLAN_GET, P(VAL_T("sd8")));
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(write_ok(e, Q_PLAN_INSERT, P(VAL_T("sd9"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))),
                     1);
    assert_int_equal(ops->commit(e), RU_OK);
}

static void test_append_only(void **state)
{
    (void)state;
    PGconn *c = connect_raw(db_uri);
    static const char *const tables[] = {"audit", "journal_head"}, *const columns_of[] = {"actor", "kind"};
    for (int i = 0; i < 2; i++) {
        char sql[128];
        /* no privilege, not even the owner's, even for a change of no row */
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = 'x' WHERE false", tables[i], columns_of[i]);
        admin_fails(c, sql, "42501", "permission denied");
        snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i]);
        admin_fails(c, sql, "42501", "permission denied");
        snprintf(sql, sizeof(sql), "TRUNCATE %s", tables[i]);
        admin_fails(c, sql, "42501", "permission denied");
        /* and with them granted back, the triggers refuse, again even a change of no row */
        snprintf(sql, sizeof(sql), "GRANT UPDATE, DELETE, TRUNCATE ON %s TO CURRENT_USER", tables[i]);
        admin_exec(c, sql);
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = 'x'", tables[i], columns_of[i]);
        admin_fails(c, sql, "23001", "append-only");
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE false", tables[i]);
        admin_fails(c, sql, "23001", "append-only");
        snprintf(sql, sizeof(sql), "TRUNCATE %s", tables[i]);
        admin_fails(c, sql, "23001", "append-only");
        snprintf(sql, sizeof(sql), "REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM CURRENT_USER", tables[i]);
        admin_exec(c, sql);
    }
    PQfinish(c);
    /* the rows are all there */
    enum ru_status rc;
    int n = 0;
    run_ok(e1, Q_AUDIT_LIST, P(VAL_T(NULL)));
    while (ops->next(e1, &rc))
        n++;
    ops->finish(e1);
    assert_int_equal(n, 2);
}

/* Backends of this run's database waiting for a lock. */
static int lock_waiters(void)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_stat_activity WHERE datname = '%s' AND wait_event_type = 'Lock'", db);
    PGresult *r = PQexec(admin, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    int n = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

struct locker {
    struct engine *e;
    enum ru_status rc;
};

/* Sells card R001 in a transaction of its own; what the row lock said in rc. */
static void *sell_r001(void *arg)
{
    struct locker *l = arg;
    if ((l->rc = ops->begin(l->e)) == RU_OK &&
        (l->rc = ops->run(l->e, Q_CARD_FOR_SALE, P(VAL_T("R001")))) == RU_OK)
        ops->finish(l->e);
    ops->rollback(l->e);
    return NULL;
}

static void test_serializable(void **state)
{
    (void)state;
    static const unsigned char pin[32] = {42};
    struct engine *a = e1, *b = open_ok(db_uri);
    assert_int_equal(
        write_ok(a, Q_CARD_INSERT, P(VAL_T("R001"), VAL_T("1y"), VAL_T("B000001"), VAL_B(pin, 32))), 1);

    /* two nodes sell the same card: the second's write fails, and its retry sees the sale */
    assert_int_equal(ops->begin(a), RU_OK);
    assert_int_equal(ops->begin(b), RU_OK);
    row_ok(b, Q_CARD_SHOW, P(VAL_T("R001")));
    assert_string_equal(ops->column_text(b, 2), "issued");
    ops->finish(b);
    row_ok(a, Q_CARD_FOR_SALE, P(VAL_T("R001")));
    ops->finish(a);
    assert_int_equal(write_ok(a, Q_CARD_ACTIVATE, P(VAL_T("S1"), VAL_T("R001"))), 1);
    assert_int_equal(ops->commit(a), RU_OK);
    assert_int_equal(run(b, Q_CARD_ACTIVATE, P(VAL_T("S2"), VAL_T("R001"))), RU_ERR_RETRY);
    ops->rollback(b);
    assert_int_equal(ops->begin(b), RU_OK);
    row_ok(b, Q_CARD_FOR_SALE, P(VAL_T("R001")));
    assert_string_equal(ops->column_text(b, 0), "active");
    ops->finish(b);
    ops->rollback(b);

    /* the second waits on the first's row lock, then fails when the first commits */
    assert_int_equal(write_ok(a, Q_CARD_RETURN, P(VAL_T("R001"))), 1);
    assert_int_equal(ops->begin(a), RU_OK);
    row_ok(a, Q_CARD_FOR_SALE, P(VAL_T("R001")));
    ops->finish(a);
    struct locker l = {b, RU_OK};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sell_r001, &l), 0);
    for (int i = 0; i < 500 && lock_waiters() == 0; i++)
        usleep(10000);
    assert_int_equal(lock_waiters(), 1);
    assert_int_equal(write_ok(a, Q_CARD_ACTIVATE, P(VAL_T("S1"), VAL_T("R001"))), 1);
    assert_int_equal(ops->commit(a), RU_OK);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(l.rc, RU_ERR_RETRY);

    /* write skew, found at the commit: both count the batches to name a new one */
    enum ru_status rc;
    assert_int_equal(ops->begin(a), RU_OK);
    assert_int_equal(ops->begin(b), RU_OK);
    row_ok(a, Q_BATCH_COUNT, NULL, 0);
    ops->finish(a);
    row_ok(b, Q_BATCH_COUNT, NULL, 0);
    ops->finish(b);
    assert_int_equal(write_ok(a, Q_BATCH_INSERT, P(VAL_T("B000002"), VAL_T("1y"), VAL_I(1))), 1);
    rc = run(b, Q_BATCH_INSERT, P(VAL_T("B000003"), VAL_T("1y"), VAL_I(1)));
    assert_int_equal(rc, RU_OK);
    ops->finish(b);
    assert_int_equal(ops->commit(a), RU_OK);
    assert_int_equal(ops->commit(b), RU_ERR_RETRY);
    ops->rollback(b);
    ops->close(b);
}

/* Ends every session of this run's database but the admin's, and waits until they are gone. */
static void terminate_sessions(void)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = '%s'"
             " AND pid <> pg_backend_pid()",
             db);
    admin_exec(admin, sql);
}

static void test_reconnect(void **state)
{
    (void)state;
    struct engine *e = e1;
    row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
    ops->finish(e);

    /* outside a transaction: this call fails, the next one connects again and prepares
     * its statement again */
    terminate_sessions();
    assert_int_equal(run(e, Q_PLAN_GET, P(VAL_T("1y"))), RU_ERR_NETWORK);
    assert_non_null(strstr(ops->errmsg(e), host));
    row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
    assert_int_equal(ops->column_int(e, 0), 12);
    ops->finish(e);

    /* inside one: every call fails until the rollback, then begin() connects again */
    assert_int_equal(ops->begin(e), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
    ops->finish(e);
    terminate_sessions();
    assert_int_equal(run(e, Q_PLAN_GET, P(VAL_T("1y"))), RU_ERR_NETWORK);
    assert_int_equal(run(e, Q_PLAN_GET, P(VAL_T("1y"))), RU_ERR_NETWORK);
    assert_int_equal(ops->commit(e), RU_ERR_NETWORK);
    ops->rollback(e);
    assert_int_equal(ops->begin(e), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
    ops->finish(e);
    assert_int_equal(ops->commit(e), RU_OK);

    /* a commit whose connection is gone: its outcome is unknown, RU_ERR_NETWORK */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(
        write_ok(e, Q_PLAN_INSERT, P(VAL_T("lost"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), 1);
    terminate_sessions();
    assert_int_equal(ops->commit(e), RU_ERR_NETWORK);
    ops->rollback(e);
    no_row(e, Q_PLAN_GET, P(VAL_T("lost")));

    /* a session ended while idle is found by begin(), which starts afresh by itself */
    terminate_sessions();
    assert_int_equal(ops->begin(e), RU_OK);
    row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
    ops->finish(e);
    assert_int_equal(ops->commit(e), RU_OK);
}

/* A relay to the server's socket from one of its own, one connection at a time, that the
 * test can cut without an error from the server, as when its postgres is killed (the
 * relay just closes), or stopped at once with pg_ctl -m immediate (the backend sends a
 * WARNING, then closes: libpq's send then fails while there is still a message to read,
 * and it makes an error of its own without marking the connection bad). The next
 * connection is relayed again. */
struct relay {
    int listener;
    char dir[256];
    atomic_int cut, stop; /* cut: 1 to close, 2 to warn and close */
    pthread_t thread;
};

/* The NoticeResponse a backend sends when the server is stopped at once. */
static const char immediate_warning[] = "N\0\0\0\x58"
                                        "SWARNING\0VWARNING\0C57P01\0"
                                        "Mterminating connection due to immediate shutdown command\0";

static void *relay_run(void *arg)
{
    struct relay *r = arg;
    while (!atomic_load(&r->stop)) {
        struct pollfd l = {r->listener, POLLIN, 0};
        if (poll(&l, 1, 20) != 1)
            continue;
        int client = accept(r->listener, NULL, NULL), server = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        int len = snprintf(a.sun_path, sizeof(a.sun_path), "%s/.s.PGSQL.%s", host, port);
        if (client < 0 || server < 0 || len < 0 || (size_t)len >= sizeof(a.sun_path) ||
            connect(server, (struct sockaddr *)&a, sizeof(a)) != 0) {
            close(client);
            close(server);
            continue;
        }
        struct pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        char buf[8192];
        for (int open = 1; open && !atomic_load(&r->stop) && !atomic_load(&r->cut);) {
            if (poll(p, 2, 20) < 1)
                continue;
            for (int i = 0; i < 2 && open; i++) {
                if (!p[i].revents)
                    continue;
                ssize_t n = read(p[i].fd, buf, sizeof(buf));
                open = n > 0 && write(p[1 - i].fd, buf, (size_t)n) == n;
            }
        }
        if (atomic_load(&r->cut) == 2 &&
            write(client, immediate_warning, sizeof(immediate_warning)) != (ssize_t)sizeof(immediate_warning))
            fprintf(stderr, "relay: cannot send the warning\n");
        close(client);
        close(server);
        atomic_store(&r->cut, 0);
    }
    return NULL;
}

static void relay_start(struct relay *r)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(r->dir, sizeof(r->dir), "%s", test_dir());
    assert_true((size_t)snprintf(a.sun_path, sizeof(a.sun_path), "%s/.s.PGSQL.%s", r->dir, port) <
                sizeof(a.sun_path));
    r->listener = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(r->listener, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(r->listener, 4), 0);
    assert_int_equal(pthread_create(&r->thread, NULL, relay_run, r), 0);
}

/* Cuts the connection relayed now (HOW: 1 closes, 2 warns and closes), and waits until
 * it is. */
static void relay_cut(struct relay *r, int how)
{
    atomic_store(&r->cut, how);
    while (atomic_load(&r->cut))
        usleep(1000);
}

static void test_server_gone(void **state)
{
    (void)state;
    static struct relay r;
    char uri[1024];
    relay_start(&r);
    uri_of(uri, sizeof(uri), db, r.dir, "");
    struct engine *e = open_ok(uri);
    row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
    ops->finish(e);

    /* the server goes without an error: still RU_ERR_NETWORK (after a warning, from an
     * error libpq made without a SQLSTATE nor marking the connection bad), and the next
     * call connects again */
    for (int how = 1; how <= 2; how++) {
        relay_cut(&r, how);
        assert_int_equal(run(e, Q_PLAN_GET, P(VAL_T("1y"))), RU_ERR_NETWORK);
        assert_non_null(strstr(ops->errmsg(e), r.dir));
        row_ok(e, Q_PLAN_GET, P(VAL_T("1y")));
        ops->finish(e);
    }

    /* in a transaction, up to its commit */
    assert_int_equal(ops->begin(e), RU_OK);
    assert_int_equal(
        write_ok(e, Q_PLAN_INSERT, P(VAL_T("gone"), VAL_I(1), VAL_I(1), VAL_T("USD"), VAL_T(""))), 1);
    relay_cut(&r, 2);
    assert_int_equal(ops->commit(e), RU_ERR_NETWORK);
    ops->rollback(e);
    no_row(e, Q_PLAN_GET, P(VAL_T("gone")));
    ops->close(e);
    atomic_store(&r.stop, 1);
    assert_int_equal(pthread_join(r.thread, NULL), 0);
    close(r.listener);
}

static void test_every_statement_ran(void **state)
{
    (void)state;
    for (int q = 0; q < Q_COUNT; q++)
        if (!ran[q])
            fail_msg("statement %d was not tried", q);
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("REUP_TEST_DATABASE");
    admin = PQconnectdb(base);
    if (PQstatus(admin) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to REUP_TEST_DATABASE: %s", PQerrorMessage(admin));
        return -1;
    }
    snprintf(host, sizeof(host), "%s", PQhost(admin));
    snprintf(port, sizeof(port), "%s", PQport(admin));
    snprintf(user, sizeof(user), "%s", PQuser(admin));
    snprintf(db, sizeof(db), "reup_engine_%ld", (long)getpid());
    snprintf(db2, sizeof(db2), "reup_engine_%ld_b", (long)getpid());
    char sql[160];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    admin_exec(admin, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db2);
    admin_exec(admin, sql);
    uri_of(db_uri, sizeof(db_uri), db, host, "");
    uri_of(db2_uri, sizeof(db2_uri), db2, host, "");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char sql[160];
    ops->close(e1);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    admin_exec(admin, sql);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db2);
    admin_exec(admin, sql);
    PQfinish(admin);
    return 0;
}

int main(void)
{
    if (!getenv("REUP_TEST_DATABASE") || !*getenv("REUP_TEST_DATABASE")) {
        fprintf(stderr,
                "test_engine_pg: REUP_TEST_DATABASE is not set: it needs a PostgreSQL server;"
                " run it as tests/tools/with-pg.sh %s\n",
                "tests/test_engine_pg");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate),
        cmocka_unit_test(test_connect_errors),
        cmocka_unit_test(test_settings_plans_terminals),
        cmocka_unit_test(test_cards),
        cmocka_unit_test(test_subscriptions),
        cmocka_unit_test(test_requests_and_refusals),
        cmocka_unit_test(test_heads_and_audit),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_send),
        cmocka_unit_test(test_append_only),
        cmocka_unit_test(test_serializable),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_server_gone),
        cmocka_unit_test(test_every_statement_ran),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
