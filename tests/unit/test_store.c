/*
 * tests/unit/test_store.c - the ledger's typed calls (issuer/store.h) on a real engine, and
 * the schema checks of opening a state directory.
 *
 * Covers: a new ledger has no schema (version 0) until store_migrate() brings it to the
 * latest; settings and the serial sequence (taken in blocks); plans, terminals, batches and
 * cards with their unique keys (RU_ERR_EXISTS, nothing half-written); a card through sale,
 * return, block and redemption with the rows changed counted; subscriptions extended from
 * the later of now and their expiry; requests (NULL columns read as ""), refusals within
 * a window, journal heads and anomalies, the audit log and the report as JSON keyed by
 * column (the subscriptions' current 0, not null, when there are none); a savepoint undone
 * or kept, a transaction rolled back. On PostgreSQL when REUP_TEST_PG_HOST is set
 * (tests/tools/with-pg.sh), else SQLite.
 * SQLite alone: a version-1 ledger is refused by every command (older schema, run init
 * --upgrade) until ledger_upgrade() brings it to the latest, keeping its requests, each
 * now its terminal's; a ledger of a newer schema is refused and left alone; opening does
 * not migrate; store_open() picks PostgreSQL for postgresql:// and postgres:// targets.
 */
#include <jansson.h>
#include <sys/stat.h>
#include <time.h>
#include "tests/testlib.h"
#include "issuer/activation.h"
#include "issuer/ledger.h"
#include "issuer/store.h"
#include "db/db.h"

/* The SQLite migrations, embedded in the issuer library. */
extern const char *const issuer_sqlite_migrations[];

static const unsigned char mac1[32] = {1}, mac2[32] = {2}, secret[SECRET_BYTES] = {7};

/* A fresh empty ledger: a PostgreSQL database (REUP_TEST_PG_HOST) or an SQLite file. */
static struct store *fresh(const char *name)
{
    const char *uri = test_database(name);
    struct store *s = NULL;
    enum ru_status rc = store_open(uri ? uri : test_path(name), 1, &s);
    if (rc != RU_OK)
        fail_msg("store_open %s: %s", name, s ? store_errmsg(s) : "out of memory");
    return s;
}

static void test_schema_and_settings(void **state)
{
    (void)state;
    struct store *s = fresh("schema");
    int v = -1;
    long long n;
    assert_int_equal(store_schema_version(s, &v), RU_OK);
    assert_int_equal(v, 0);
    assert_int_equal(store_schema_latest(s), 3);
    assert_int_equal(store_migrate(s), RU_OK);
    assert_int_equal(store_schema_version(s, &v), RU_OK);
    assert_int_equal(v, 3);
    assert_int_equal(store_migrate(s), RU_OK); /* up to date: nothing to do */
    assert_int_equal(store_settings_init(s, 42), RU_OK);
    assert_int_equal(store_settings_init(s, 43), RU_ERR_EXISTS);
    assert_int_equal(store_prefix(s, &n), RU_OK);
    assert_int_equal(n, 42);
    assert_int_equal(store_sequence_take(s, 1000, &n), RU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_sequence_take(s, 1, &n), RU_OK);
    assert_int_equal(n, 1001);
    assert_int_equal(store_sequence_take(s, 1, &n), RU_OK);
    assert_int_equal(n, 1002);
    store_close(s);
}

static void test_rows(void **state)
{
    (void)state;
    struct store *s = fresh("rows");
    char cur[4], store_id[65], expires[32], later[32], serial[CARD_DIGITS + 1], plan[17];
    unsigned char got[SECRET_BYTES];
    int months;
    long long price, n, oldest;
    assert_int_equal(store_migrate(s), RU_OK);
    assert_int_equal(store_settings_init(s, 4242), RU_OK);

    /* plans and terminals, with their keys */
    assert_int_equal(store_plan_insert(s, "1y", 12, 3999, "USD", ""), RU_OK);
    assert_int_equal(store_plan_insert(s, "1y", 1, 1, "EUR", ""), RU_ERR_EXISTS);
    assert_int_equal(store_plan_insert(s, "0m", 1, 100, "EUR", "00012345678905"), RU_OK);
    assert_int_equal(store_plan_get(s, "1y", &months, &price, cur), RU_OK);
    assert_true(months == 12 && price == 3999 && !strcmp(cur, "USD"));
    assert_int_equal(store_plan_get(s, "9y", &months, &price, cur), RU_ERR_NOT_FOUND);
    struct plan_list l;
    assert_int_equal(store_plan_list(s, &l), RU_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.plans[0].code, "0m"); /* by code */
    assert_string_equal(l.plans[0].gtin, "00012345678905");
    assert_true(l.plans[1].months == 12 && l.plans[1].price == 3999);
    plan_list_release(&l);
    assert_int_equal(store_terminal_insert(s, "T1", "WM00001", secret), RU_OK);
    assert_int_equal(store_terminal_insert(s, "T1", "WM00002", secret), RU_ERR_EXISTS);
    assert_int_equal(store_terminal_get(s, "T1", got, store_id), RU_OK);
    assert_memory_equal(got, secret, SECRET_BYTES);
    assert_string_equal(store_id, "WM00001");
    assert_int_equal(store_terminal_get(s, "T9", got, store_id), RU_ERR_NOT_FOUND);
    /* a rotation: the terminal of that store alone, and SQLite has no one to tell */
    unsigned char rotated[SECRET_BYTES];
    memset(rotated, 0xa5, sizeof(rotated));
    assert_int_equal(store_terminal_rotate(s, "T1", "WM00002", rotated), RU_ERR_NOT_FOUND);
    assert_int_equal(store_terminal_rotate(s, "T9", "WM00001", rotated), RU_ERR_NOT_FOUND);
    assert_int_equal(store_terminal_get(s, "T1", got, store_id), RU_OK);
    assert_memory_equal(got, secret, SECRET_BYTES);
    assert_int_equal(store_terminal_rotate(s, "T1", "WM00001", rotated), RU_OK);
    assert_int_equal(store_terminal_get(s, "T1", got, store_id), RU_OK);
    assert_memory_equal(got, rotated, SECRET_BYTES);
    assert_int_equal(store_terminal_rotate(s, "T1", "WM00001", secret), RU_OK);
    if (!strcmp(store_engine(s), "sqlite")) {
        /* another connection listening hears of it at the commit (on SQLite: not which
         * terminal; PostgreSQL's is unit_engine_pg's) */
        struct store *ear = NULL;
        char heard[80];
        assert_int_equal(store_open(test_path("rows"), 0, &ear), RU_OK);
        assert_int_equal(store_can_listen(ear), 1);
        assert_int_equal(store_terminal_listen(ear), RU_OK);
        assert_int_equal(store_terminal_heard(ear, 50, heard, sizeof(heard)), RU_OK);
        assert_string_equal(heard, "");
        assert_int_equal(store_begin(s), RU_OK);
        assert_int_equal(store_terminal_rotate(s, "T1", "WM00001", rotated), RU_OK);
        assert_int_equal(store_terminal_heard(ear, 50, heard, sizeof(heard)), RU_OK);
        assert_string_equal(heard, "");
        assert_int_equal(store_commit(s), RU_OK);
        assert_int_equal(store_terminal_heard(ear, 2000, heard, sizeof(heard)), RU_OK);
        assert_string_equal(heard, "*");
        assert_int_equal(store_terminal_rotate(s, "T1", "WM00001", secret), RU_OK);
        assert_int_equal(store_terminal_heard(ear, 2000, heard, sizeof(heard)), RU_OK);
        assert_string_equal(heard, "*");
        store_close(ear);
    }

    /* a batch and its cards; a PIN's HMAC is unique */
    assert_int_equal(store_batch_count(s, &n), RU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_batch_insert(s, "B000001", "1y", 2), RU_OK);
    assert_int_equal(store_batch_count(s, &n), RU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_card_insert(s, "4242000000000018", "1y", "B000001", mac1, 32), RU_OK);
    assert_int_equal(store_card_insert(s, "4242000000000026", "1y", "B000001", mac1, 32), RU_ERR_EXISTS);
    assert_int_equal(store_card_insert(s, "4242000000000026", "1y", "B000001", mac2, 32), RU_OK);
    struct store_card c;
    assert_int_equal(store_card_show(s, "4242000000000018", &c), RU_OK);
    assert_true(!strcmp(c.status, "issued") && !strcmp(c.plan, "1y") && !*c.activated_at && !*c.store_id);
    assert_int_equal(store_card_show(s, "4242999999999991", &c), RU_ERR_NOT_FOUND);

    /* sold, returned, sold again, redeemed */
    struct store_sale sale;
    assert_int_equal(store_card_for_sale(s, "4242000000000018", &sale), RU_OK);
    assert_true(!strcmp(sale.status, "issued") && sale.price_cents == 3999 && !strcmp(sale.currency, "USD"));
    assert_int_equal(store_card_for_sale(s, "4242999999999991", &sale), RU_ERR_NOT_FOUND);
    assert_int_equal(store_card_activate(s, "WM00001", "4242000000000018"), RU_OK);
    assert_int_equal(store_card_show(s, "4242000000000018", &c), RU_OK);
    assert_true(!strcmp(c.status, "active") && !strcmp(c.store_id, "WM00001") &&
                strlen(c.activated_at) == 20);
    assert_int_equal(store_card_by_pin(s, mac2, 32, serial, plan, &months), RU_ERR_NOT_FOUND); /* not sold */
    assert_int_equal(store_card_return(s, "4242000000000018"), RU_OK);
    assert_int_equal(store_card_show(s, "4242000000000018", &c), RU_OK);
    assert_true(!strcmp(c.status, "issued") && !*c.store_id && !*c.activated_at);
    assert_int_equal(store_card_activate(s, "WM00001", "4242000000000018"), RU_OK);
    assert_int_equal(store_card_by_pin(s, mac1, 32, serial, plan, &months), RU_OK);
    assert_true(!strcmp(serial, "4242000000000018") && !strcmp(plan, "1y") && months == 12);
    int redeemed = 1;
    assert_int_equal(store_card_redeemed(s, serial, &redeemed), RU_OK);
    assert_int_equal(redeemed, 0);
    assert_int_equal(store_card_redeem(s, serial, "alice"), RU_OK);
    assert_int_equal(store_card_redeemed(s, serial, &redeemed), RU_OK);
    assert_int_equal(redeemed, 1);
    assert_int_equal(store_card_redeemed(s, "4242999999999991", &redeemed), RU_OK);
    assert_int_equal(redeemed, 0);
    /* blocking leaves the redeemed card alone and counts the rows it changed */
    assert_int_equal(store_card_block_batch(s, "B000001", &n), RU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_card_block(s, serial, &n), RU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_card_show(s, "4242000000000026", &c), RU_OK);
    assert_string_equal(c.status, "blocked");
    /* an on-demand card, active at once; taken back, it is blocked */
    assert_int_equal(store_card_insert_active(s, "4242000000000034", "1y", mac1, 32, "WM00001"),
                     RU_ERR_EXISTS);
    unsigned char mac3[32] = {3};
    assert_int_equal(store_card_insert_active(s, "4242000000000034", "1y", mac3, 32, "WM00001"), RU_OK);
    assert_int_equal(store_card_show(s, "4242000000000034", &c), RU_OK);
    assert_true(!strcmp(c.status, "active") && !strcmp(c.store_id, "WM00001"));
    assert_int_equal(store_card_block_active(s, "4242000000000034"), RU_OK);
    assert_int_equal(store_card_show(s, "4242000000000034", &c), RU_OK);
    assert_string_equal(c.status, "blocked");

    /* a subscription runs from now, then from its expiry */
    assert_int_equal(store_subscription_extend(s, "alice", 12, expires), RU_OK);
    assert_int_equal(strlen(expires), 20);
    assert_int_equal(store_subscription_extend(s, "alice", 1, later), RU_OK);
    assert_true(strcmp(later, expires) > 0);

    /* requests: what was asked, and NULLs read as "" and 0 */
    struct store_request_row row = {.request_id = "r1",
                                    .kind = "activation",
                                    .terminal = "T1",
                                    .store_id = "WM00001",
                                    .serial = "4242000000000018",
                                    .currency = "USD",
                                    .has_amount = 1,
                                    .amount = 3999,
                                    .state = "active",
                                    .http_status = 201,
                                    .answer = "{\"a\":1}"};
    assert_int_equal(store_request_insert(s, &row), RU_OK);
    assert_int_equal(store_request_insert(s, &row), RU_ERR_EXISTS);
    row.terminal = "T2"; /* the same id from another terminal is another request */
    row.serial = row.currency = NULL;
    row.has_amount = 0;
    row.kind = "reversal";
    row.state = "reversed";
    assert_int_equal(store_request_insert(s, &row), RU_OK);
    struct store_request r;
    assert_int_equal(store_request_get(s, "WM00001", "T1", "r1", &r), RU_OK);
    assert_true(!strcmp(r.kind, "activation") && !strcmp(r.serial, "4242000000000018") && r.amount == 3999 &&
                !strcmp(r.currency, "USD") && !*r.plan && r.http_status == 201 &&
                !strcmp(r.answer, "{\"a\":1}") && r.age_s >= 0 && r.age_s < 60);
    store_request_release(&r);
    assert_int_equal(store_request_get(s, "WM00001", "T2", "r1", &r), RU_OK);
    assert_true(!strcmp(r.kind, "reversal") && !*r.serial && r.amount == 0 && !*r.currency);
    store_request_release(&r);
    assert_int_equal(store_request_get(s, "WM00002", "T1", "r1", &r), RU_ERR_NOT_FOUND);
    assert_int_equal(store_request_set_state(s, "WM00001", "T1", "r1", "voided"), RU_OK);
    assert_int_equal(store_request_get(s, "WM00001", "T1", "r1", &r), RU_OK);
    assert_string_equal(r.state, "voided");
    store_request_release(&r);

    /* refusals within the window */
    assert_int_equal(store_refusals(s, "address:x", 900, &n, &oldest), RU_OK);
    assert_true(n == 0 && oldest == 0);
    assert_int_equal(store_refusal_insert(s, "address:x"), RU_OK);
    assert_int_equal(store_refusal_insert(s, "address:x"), RU_OK);
    assert_int_equal(store_refusal_insert(s, "address:y"), RU_OK);
    assert_int_equal(store_refusals(s, "address:x", 900, &n, &oldest), RU_OK);
    assert_int_equal(n, 2);
    assert_true(oldest > (long long)time(NULL) - 60 && oldest <= (long long)time(NULL) + 1);

    /* journal heads */
    struct auth_head h5 = {.seq = 5}, h6 = {.seq = 6}, got_h, list[4];
    memset(h5.hash, 'a', 64);
    memset(h6.hash, 'b', 64);
    size_t k;
    int seen = 1;
    assert_int_equal(store_head_latest(s, "WM00001", "T1", &got_h), RU_ERR_NOT_FOUND);
    assert_int_equal(store_head_insert(s, "WM00001", "T1", &h6, "head"), RU_OK);
    assert_int_equal(store_head_insert(s, "WM00001", "T1", &h5, "anomaly"), RU_OK);
    assert_int_equal(store_head_insert(s, "WM00001", "T1", &h5, "anomaly"), RU_OK);
    assert_int_equal(store_head_latest(s, "WM00001", "T1", &got_h), RU_OK);
    assert_true(got_h.seq == 6 && !strcmp(got_h.hash, h6.hash));
    assert_int_equal(store_head_seen(s, "WM00001", "T1", &h6, &seen), RU_OK);
    assert_int_equal(seen, 1);
    assert_int_equal(store_head_seen(s, "WM00001", "T1", &h5, &seen), RU_OK);
    assert_int_equal(seen, 0); /* an anomaly is not a head */
    assert_int_equal(store_head_list(s, "WM00001", "T1", 0, 0, 100, list, 4, &k), RU_OK);
    assert_true(k == 1 && list[0].seq == 6);
    assert_int_equal(store_head_list(s, "WM00001", "T1", 1, 0, 100, list, 4, &k), RU_OK);
    assert_true(k == 1 && list[0].seq == 5); /* distinct */
    assert_int_equal(store_head_list(s, "WM00001", "T1", 0, 6, 100, list, 4, &k), RU_OK);
    assert_int_equal(k, 0);

    /* the audit log and the report, keyed by column */
    json_t *rows;
    assert_int_equal(store_audit_append(s, "operator", "plan add", NULL, NULL, "ok", "1y"), RU_OK);
    assert_int_equal(store_audit_append(s, "terminal:T1", "activate", "4242000000000018", "r1", "ok", "201"),
                     RU_OK);
    assert_int_equal(store_audit_list(s, NULL, &rows), RU_OK);
    assert_int_equal(json_array_size(rows), 2);
    json_t *a0 = json_array_get(rows, 0);
    assert_true(json_is_integer(json_object_get(a0, "id")) && json_is_null(json_object_get(a0, "serial")) &&
                json_is_null(json_object_get(a0, "request_id")) &&
                !strcmp(json_string_value(json_object_get(a0, "detail")), "1y"));
    assert_int_equal(json_object_size(a0), 8);
    json_decref(rows);
    assert_int_equal(store_audit_list(s, "2999-01-01", &rows), RU_OK);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    assert_int_equal(store_report_rows(s, STORE_REPORT_CARDS, &rows), RU_OK);
    assert_int_equal(json_array_size(rows), 2); /* 1y blocked, 1y redeemed */
    assert_true(json_integer_value(json_object_get(json_array_get(rows, 0), "count")) == 2 &&
                !strcmp(json_string_value(json_object_get(json_array_get(rows, 1), "status")), "redeemed"));
    json_decref(rows);
    assert_int_equal(store_report_rows(s, STORE_REPORT_REQUESTS, &rows), RU_OK);
    assert_int_equal(json_array_size(rows), 2);
    assert_true(json_is_integer(json_object_get(json_array_get(rows, 0), "http_status")));
    json_decref(rows);
    assert_int_equal(store_report_rows(s, STORE_REPORT_SUBSCRIPTIONS, &rows), RU_OK);
    assert_true(json_integer_value(json_object_get(json_array_get(rows, 0), "accounts")) == 1 &&
                json_integer_value(json_object_get(json_array_get(rows, 0), "current")) == 1);
    json_decref(rows);
    assert_int_equal(store_report_rows(s, STORE_REPORT_TERMINALS, &rows), RU_OK);
    assert_int_equal(json_object_size(json_array_get(rows, 0)), 3);
    json_decref(rows);
    store_close(s);

    /* no subscription yet: current is 0, not null */
    s = fresh("empty");
    assert_int_equal(store_migrate(s), RU_OK);
    assert_int_equal(store_report_rows(s, STORE_REPORT_SUBSCRIPTIONS, &rows), RU_OK);
    assert_true(json_integer_value(json_object_get(json_array_get(rows, 0), "accounts")) == 0 &&
                json_is_integer(json_object_get(json_array_get(rows, 0), "current")));
    json_decref(rows);
    store_close(s);
}

static void test_transactions(void **state)
{
    (void)state;
    struct store *s = fresh("txn");
    int months;
    long long price;
    char cur[4];
    assert_int_equal(store_migrate(s), RU_OK);
    /* rolled back: nothing */
    assert_int_equal(store_begin(s), RU_OK);
    assert_int_equal(store_plan_insert(s, "a", 1, 1, "USD", ""), RU_OK);
    store_rollback(s);
    assert_int_equal(store_plan_get(s, "a", &months, &price, cur), RU_ERR_NOT_FOUND);
    store_rollback(s); /* none open: nothing happens */
    /* a savepoint undone, one kept, a failed statement inside one: the rest commits */
    assert_int_equal(store_begin(s), RU_OK);
    assert_int_equal(store_plan_insert(s, "b", 1, 1, "USD", ""), RU_OK);
    assert_int_equal(store_savepoint(s), RU_OK);
    assert_int_equal(store_plan_insert(s, "c", 1, 1, "USD", ""), RU_OK);
    assert_int_equal(store_release(s, 1), RU_OK);
    assert_int_equal(store_savepoint(s), RU_OK);
    assert_int_equal(store_plan_insert(s, "b", 1, 1, "USD", ""), RU_ERR_EXISTS);
    assert_int_equal(store_release(s, 1), RU_OK);
    assert_int_equal(store_savepoint(s), RU_OK);
    assert_int_equal(store_plan_insert(s, "d", 1, 1, "USD", ""), RU_OK);
    assert_int_equal(store_release(s, 0), RU_OK);
    assert_int_equal(store_commit(s), RU_OK);
    assert_int_equal(store_plan_get(s, "b", &months, &price, cur), RU_OK);
    assert_int_equal(store_plan_get(s, "c", &months, &price, cur), RU_ERR_NOT_FOUND);
    assert_int_equal(store_plan_get(s, "d", &months, &price, cur), RU_OK);
    store_close(s);
}

/* The engine follows the target; the PostgreSQL one is asked only for what it is. */
static void test_target(void **state)
{
    (void)state;
    assert_true(store_target_is_pg("postgresql:///reup?host=/tmp"));
    assert_true(store_target_is_pg("postgres://db.example/reup"));
    assert_false(store_target_is_pg("/var/lib/reup/issuer/issuer.db"));
    assert_false(store_target_is_pg("postgresql:/x"));
    struct store *s = NULL;
    assert_int_equal(store_open(test_path("nothing-here.db"), 0, &s), RU_ERR_NOT_FOUND);
    assert_non_null(strstr(store_errmsg(s), "nothing-here.db"));
    assert_string_equal(store_engine(s), "sqlite");
    store_close(s);
    assert_int_not_equal(store_open("postgresql:///x?host=/nonexistent-dir", 0, &s), RU_OK);
    assert_string_equal(store_engine(s), "postgresql");
    assert_true(*store_errmsg(s));
    store_close(s);
}

/* An SQLite state directory whose issuer.db holds schema version VERSION (made here with
 * the first VERSION migrations), with a request row of version 1. */
static const char *sqlite_dir(const char *name, int version)
{
    static char dir[512];
    char dbp[600], keyp[600];
    unsigned char key[SECRET_BYTES] = {0};
    snprintf(dir, sizeof(dir), "%s", test_path(name));
    snprintf(dbp, sizeof(dbp), "%s/issuer.db", dir);
    snprintf(keyp, sizeof(keyp), "%s/issuer.key", dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(secret_file_create(keyp, key, sizeof(key)), RU_OK);
    const char *mig[8] = {NULL};
    for (int i = 0; i < version && i < 3; i++)
        mig[i] = issuer_sqlite_migrations[i];
    struct db *db;
    assert_int_equal(db_open(dbp, DB_CREATE, mig, &db), RU_OK);
    if (version == 1)
        assert_int_equal(
            db_exec(db, "INSERT INTO request VALUES ('00000000-0000-4000-8000-000000000050',"
                        " 'activation', 'T1', 'WM00001', '4242000000000018', NULL, 3999, 'USD',"
                        " 'active', 201, '{\"old\":1}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"),
            RU_OK);
    if (version > 3)
        assert_int_equal(db_exec(db, "PRAGMA user_version = 4"), RU_OK);
    db_free(db);
    assert_int_equal(chmod(dbp, 0600), 0);
    return dir;
}

static int schema_of(const char *dir)
{
    char dbp[600];
    struct db *db;
    snprintf(dbp, sizeof(dbp), "%s/issuer.db", dir);
    assert_int_equal(db_open(dbp, DB_NO_MIGRATE, NULL, &db), RU_OK);
    int v = db_schema_version(db);
    db_free(db);
    return v;
}

/* A ledger of schema version 1 (request ids global): refused until upgraded, which keeps
 * its requests, each now its terminal's. */
static void test_upgrade(void **state)
{
    (void)state;
    const char *dir = sqlite_dir("v1", 1);
    struct ledger *old = NULL;
    char err[512];
    int from = 0, to = 0;
    assert_int_equal(ledger_open(dir, &old), RU_ERR_SCHEMA);
    assert_non_null(strstr(ledger_errmsg(old), "schema is version 1, this reup-issuer uses 3"));
    assert_non_null(strstr(ledger_errmsg(old), "--upgrade"));
    ledger_free(old);
    assert_int_equal(schema_of(dir), 1); /* opening changed nothing */
    assert_int_equal(ledger_upgrade(dir, &from, &to, err, sizeof(err)), RU_OK);
    assert_true(from == 1 && to == 3);
    assert_int_equal(ledger_upgrade(dir, &from, &to, err, sizeof(err)), RU_OK);
    assert_true(from == 3 && to == 3);
    assert_int_equal(ledger_open(dir, &old), RU_OK);
    const struct activation_caller t1 = {"T1", "WM00001"}, t2 = {"T2", "WM00002"};
    struct activation_request r = {.amount = 3999,
                                   .serial = "4242000000000018",
                                   .currency = "USD",
                                   .request_id = "00000000-0000-4000-8000-000000000050"};
    struct activation_answer a;
    assert_int_equal(activation_activate(old, &t1, &r, &a), RU_OK);
    assert_int_equal(a.http_status, 201);
    assert_string_equal(a.body, "{\"old\":1}"); /* its sender's replay */
    activation_answer_release(&a);
    assert_int_equal(activation_activate(old, &t2, &r, &a), RU_OK);
    assert_int_equal(a.http_status, 404); /* another terminal: a new request, and no such card here */
    activation_answer_release(&a);
    ledger_free(old);
}

/* A ledger a newer program wrote is refused, by commands and by the upgrade alike. */
static void test_newer(void **state)
{
    (void)state;
    const char *dir = sqlite_dir("v4", 4);
    struct ledger *lg = NULL;
    char err[512];
    int from = 0, to = 0;
    assert_int_equal(ledger_open(dir, &lg), RU_ERR_SCHEMA);
    assert_non_null(strstr(ledger_errmsg(lg), "written by a newer reup-issuer"));
    ledger_free(lg);
    assert_int_equal(ledger_upgrade(dir, &from, &to, err, sizeof(err)), RU_ERR_SCHEMA);
    assert_non_null(strstr(err, "newer"));
    assert_int_equal(schema_of(dir), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_and_settings),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_upgrade),
        cmocka_unit_test(test_newer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
