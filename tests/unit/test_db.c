/*
 * tests/unit/test_db.c - db/db: opening SQLite the one way.
 * Covers DB_CREATE applying migrations (user_version, WAL journal, foreign keys on),
 * reopening with one more migration (only the new one runs), a file newer than the
 * program (RU_ERR_SCHEMA), DB_READONLY on a file that needs migrations (RU_ERR_SCHEMA,
 * file untouched), a missing file without DB_CREATE (RU_ERR_NOT_FOUND, message names the
 * path), a file that is not a database (RU_ERR_DB, message names the path), a failing
 * migration (rolled back whole, user_version unchanged), db_prepare and db_exec failures
 * (RU_ERR_DB with "PATH: message"), transactions (commit, rollback, nested begin, the
 * write lock of BEGIN IMMEDIATE), and db_free(NULL).
 */
#include "tests/testlib.h"
#include "db/db.h"
#include "common/banned.h"

static const char *const two[] = {"CREATE TABLE a(x);", "CREATE TABLE b(y);", NULL};
/* Re-running the first two would fail ("table a already exists"), so a test can tell
 * whether old migrations ran again. */
static const char *const three[] = {"CREATE TABLE a(x);", "CREATE TABLE b(y);",
                                    "CREATE TABLE c(z); INSERT INTO c VALUES (3);", NULL};
static const char *const one[] = {"CREATE TABLE a(x);", NULL};
/* The third creates a table, then fails: the table must not survive. */
static const char *const bad_third[] = {"CREATE TABLE a(x);", "CREATE TABLE b(y);",
                                        "CREATE TABLE c(z); INSERT INTO nowhere VALUES (1);", NULL};

static int table_exists(struct db *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?", &st),
                     RU_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The text of the first column of a one-row query, into BUF. */
static const char *query_text(struct db *db, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(db_prepare(db, sql, &st), RU_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    return buf;
}

static int count_rows(struct db *db, const char *table)
{
    char sql[128], buf[32];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    query_text(db, sql, buf, sizeof(buf));
    return (int)strtol(buf, NULL, 10);
}

/* user_version read straight from the file by another connection. */
static int file_version(const char *path)
{
    sqlite3 *c = NULL;
    sqlite3_stmt *st = NULL;
    int v = -1;
    assert_int_equal(sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(c, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(c);
    return v;
}

static void test_create_applies_migrations(void **state)
{
    (void)state;
    const char *path = test_path("create.db");
    struct db *db = NULL;
    char buf[64];
    db_free(NULL); /* does nothing */
    assert_int_equal(db_open(path, DB_CREATE, two, &db), RU_OK);
    assert_non_null(db);
    assert_int_equal(db_schema_version(db), 2);
    assert_true(table_exists(db, "a"));
    assert_true(table_exists(db, "b"));
    assert_string_equal(query_text(db, "PRAGMA journal_mode", buf, sizeof(buf)), "wal");
    assert_string_equal(query_text(db, "PRAGMA foreign_keys", buf, sizeof(buf)), "1");
    assert_string_equal(db_path(db), path);
    assert_non_null(db_sqlite(db));
    db_free(db);
    assert_int_equal(file_version(path), 2);

    /* Foreign keys are enforced, not just switched on. */
    assert_int_equal(db_open(path, 0, two, &db), RU_OK);
    assert_int_equal(db_exec(db, "CREATE TABLE p(id INTEGER PRIMARY KEY);"
                                 "CREATE TABLE ch(p INTEGER REFERENCES p(id));"),
                     RU_OK);
    assert_int_equal(db_exec(db, "INSERT INTO ch VALUES (42)"), RU_ERR_DB);
    db_free(db);
}

static void test_no_migrations(void **state)
{
    (void)state;
    struct db *db = NULL;
    assert_int_equal(db_open(test_path("none.db"), DB_CREATE, NULL, &db), RU_OK);
    assert_int_equal(db_schema_version(db), 0);
    db_free(db);
}

static void test_reopen_applies_only_new(void **state)
{
    (void)state;
    const char *path = test_path("grow.db");
    struct db *db = NULL;
    assert_int_equal(db_open(path, DB_CREATE, two, &db), RU_OK);
    db_free(db);
    /* Same migrations again: nothing to do. */
    assert_int_equal(db_open(path, 0, two, &db), RU_OK);
    assert_int_equal(db_schema_version(db), 2);
    db_free(db);

    db = NULL;
    enum ru_status st = db_open(path, 0, three, &db);
    if (st != RU_OK)
        print_error("%s\n", db_errmsg(db));
    assert_int_equal(st, RU_OK);
    assert_int_equal(db_schema_version(db), 3);
    assert_true(table_exists(db, "c"));
    /* The new migration ran once. */
    assert_int_equal(count_rows(db, "c"), 1);
    db_free(db);
    assert_int_equal(file_version(path), 3);
}

static void test_newer_file(void **state)
{
    (void)state;
    const char *path = test_path("newer.db");
    struct db *db = NULL;
    assert_int_equal(db_open(path, DB_CREATE, two, &db), RU_OK);
    db_free(db);

    db = NULL;
    assert_int_equal(db_open(path, 0, one, &db), RU_ERR_SCHEMA);
    assert_non_null(db);
    assert_true(strlen(db_errmsg(db)) > 0);
    assert_non_null(strstr(db_errmsg(db), path));
    db_free(db);

    db = NULL;
    assert_int_equal(db_open(path, DB_READONLY, one, &db), RU_ERR_SCHEMA);
    assert_non_null(strstr(db_errmsg(db), path));
    db_free(db);
    /* Nothing was changed. */
    assert_int_equal(file_version(path), 2);
}

static void test_readonly_needs_migrations(void **state)
{
    (void)state;
    const char *path = test_path("old.db");
    struct db *db = NULL;
    assert_int_equal(db_open(path, DB_CREATE, one, &db), RU_OK);
    db_free(db);

    db = NULL;
    assert_int_equal(db_open(path, DB_READONLY, two, &db), RU_ERR_SCHEMA);
    assert_non_null(db);
    assert_non_null(strstr(db_errmsg(db), path));
    db_free(db);
    assert_int_equal(file_version(path), 1);

    /* Read-only at the right version is fine, and really read-only. */
    db = NULL;
    assert_int_equal(db_open(path, DB_READONLY, one, &db), RU_OK);
    assert_int_equal(db_schema_version(db), 1);
    assert_int_equal(db_exec(db, "INSERT INTO a VALUES (1)"), RU_ERR_DB);
    db_free(db);
}

static void test_missing_file(void **state)
{
    (void)state;
    const char *path = test_path("does-not-exist.db");
    struct db *db = NULL;
    assert_int_equal(db_open(path, 0, two, &db), RU_ERR_NOT_FOUND);
    assert_non_null(db);
    assert_non_null(strstr(db_errmsg(db), path));
    db_free(db);
    db = NULL;
    assert_int_equal(db_open(path, DB_READONLY, two, &db), RU_ERR_NOT_FOUND);
    assert_non_null(strstr(db_errmsg(db), path));
    db_free(db);
    /* And the failed opens did not create it. */
    assert_int_not_equal(access(path, F_OK), 0);
}

static void test_not_a_database(void **state)
{
    (void)state;
    const char *path = test_path("garbage.db");
    char junk[4096];
    for (size_t i = 0; i < sizeof(junk) - 1; i++)
        junk[i] = (char)('a' + i % 26);
    junk[sizeof(junk) - 1] = '\0';
    test_write(path, junk);

    static const enum db_flags modes[] = {0, DB_READONLY, DB_CREATE};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        struct db *db = NULL;
        assert_int_equal(db_open(path, modes[i], two, &db), RU_ERR_DB);
        assert_non_null(db);
        const char *msg = db_errmsg(db);
        if (!strstr(msg, path))
            print_error("mode %zu: '%s'\n", i, msg);
        assert_non_null(strstr(msg, path));
        db_free(db);
    }
}

static void test_failing_migration(void **state)
{
    (void)state;
    const char *path = test_path("failmig.db");
    struct db *db = NULL;
    assert_int_equal(db_open(path, DB_CREATE, two, &db), RU_OK);
    db_free(db);

    db = NULL;
    assert_int_equal(db_open(path, 0, bad_third, &db), RU_ERR_DB);
    assert_non_null(db);
    assert_non_null(strstr(db_errmsg(db), path));
    assert_non_null(strstr(db_errmsg(db), "nowhere"));
    db_free(db);
    assert_int_equal(file_version(path), 2);

    /* The part of the migration before the error was rolled back with it. */
    db = NULL;
    assert_int_equal(db_open(path, 0, two, &db), RU_OK);
    assert_int_equal(db_schema_version(db), 2);
    assert_false(table_exists(db, "c"));
    db_free(db);

    /* On a new file, the migrations before the failing one stay applied. */
    const char *fresh = test_path("failmig-fresh.db");
    db = NULL;
    assert_int_equal(db_open(fresh, DB_CREATE, bad_third, &db), RU_ERR_DB);
    db_free(db);
    assert_int_equal(file_version(fresh), 2);
}

static void test_prepare_and_exec_errors(void **state)
{
    (void)state;
    const char *path = test_path("errors.db");
    struct db *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(db_open(path, DB_CREATE, two, &db), RU_OK);
    assert_int_equal(db_prepare(db, "SELECT * FROM no_such_table", &st), RU_ERR_DB);
    const char *msg = db_errmsg(db);
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, "no_such_table"));

    assert_int_equal(db_exec(db, "SELEC 1"), RU_ERR_DB);
    assert_non_null(strstr(db_errmsg(db), path));
    assert_non_null(strstr(db_errmsg(db), "syntax error"));

    /* db_fail records SQLite's current message with what was being done. */
    assert_int_equal(db_prepare(db, "SELECT y FROM a", &st), RU_ERR_DB);
    assert_int_equal(db_fail(db, "reading things"), RU_ERR_DB);
    assert_non_null(strstr(db_errmsg(db), "reading things"));
    assert_non_null(strstr(db_errmsg(db), path));

    /* A good statement still works on the same handle. */
    assert_int_equal(db_prepare(db, "SELECT count(*) FROM a", &st), RU_OK);
    assert_non_null(st);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    sqlite3_finalize(st);
    db_free(db);
}

static void test_transactions(void **state)
{
    (void)state;
    const char *path = test_path("tx.db");
    struct db *db = NULL;
    assert_int_equal(db_open(path, DB_CREATE, two, &db), RU_OK);

    assert_int_equal(db_begin(db), RU_OK);
    assert_int_equal(db_exec(db, "INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);"), RU_OK);
    db_rollback(db);
    assert_int_equal(count_rows(db, "a"), 0);

    assert_int_equal(db_begin(db), RU_OK);
    assert_int_equal(db_exec(db, "INSERT INTO a VALUES (1)"), RU_OK);
    /* No nested transactions. */
    assert_int_equal(db_begin(db), RU_ERR_DB);
    assert_int_equal(db_commit(db), RU_OK);
    assert_int_equal(count_rows(db, "a"), 1);

    /* Rollback and commit with no transaction open. */
    db_rollback(db);
    assert_int_equal(count_rows(db, "a"), 1);
    assert_int_equal(db_commit(db), RU_ERR_DB);
    db_free(db);

    /* Committed data is in the file. */
    db = NULL;
    assert_int_equal(db_open(path, DB_READONLY, two, &db), RU_OK);
    assert_int_equal(count_rows(db, "a"), 1);
    db_free(db);
}

static void test_begin_takes_write_lock(void **state)
{
    (void)state;
    const char *path = test_path("lock.db");
    struct db *a = NULL;
    assert_int_equal(db_open(path, DB_CREATE, two, &a), RU_OK);
    assert_int_equal(db_begin(a), RU_OK);
    /* Another connection cannot write while the first holds BEGIN IMMEDIATE. */
    sqlite3 *c = NULL;
    assert_int_equal(sqlite3_open(path, &c), SQLITE_OK);
    int rc = sqlite3_exec(c, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_close(c);
    db_rollback(a);
    db_free(a);
    assert_int_equal(rc, SQLITE_BUSY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_applies_migrations),
        cmocka_unit_test(test_no_migrations),
        cmocka_unit_test(test_reopen_applies_only_new),
        cmocka_unit_test(test_newer_file),
        cmocka_unit_test(test_readonly_needs_migrations),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test(test_failing_migration),
        cmocka_unit_test(test_prepare_and_exec_errors),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_begin_takes_write_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
