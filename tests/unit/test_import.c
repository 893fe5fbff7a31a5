/*
 * tests/unit/test_import.c - importing gazetteer files and store lists.
 *
 * Covers: a full import and its counts; re-import updates by id and never duplicates
 * (stores and places, whose old names are replaced); a bad row fails the whole import
 * and writes nothing, with line number and reason; --skip-bad leaves it out; a fatal CSV
 * header problem; a missing file; feature classes; an import killed with SIGKILL in the
 * middle leaves the database exactly as it was.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "tests/fixture.h"
#include "db/db.h"
#include "locator/import.h"
#include "locator/locator_db.h"

struct bad_log {
    int count;
    unsigned long last_line;
    char last_why[256];
};

static void on_bad(void *ctx, const char *file, unsigned long line, const char *why)
{
    struct bad_log *b = ctx;
    (void)file;
    b->count++;
    b->last_line = line;
    snprintf(b->last_why, sizeof(b->last_why), "%s", why);
}

static long long count(struct db *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(db_prepare(db, sql, &st), RU_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static struct db *open_db(const char *name)
{
    struct db *db = NULL;
    assert_int_equal(db_open(test_path(name), DB_CREATE, locator_migrations, &db), RU_OK);
    return db;
}

static enum ru_status import(struct db *db, enum import_flags flags, struct bad_log *log,
                             enum import_kind kind, const char *path)
{
    struct importer *imp;
    assert_int_equal(importer_new(db, flags, on_bad, log, &imp), RU_OK);
    enum ru_status rc = importer_file(imp, kind, path);
    if (rc == RU_OK)
        rc = importer_commit(imp);
    importer_free(imp);
    return rc;
}

static void write_fixture(void)
{
    test_write(test_path("places.txt"), fixture_places);
    test_write(test_path("countries.txt"), fixture_countries);
    test_write(test_path("admin1.txt"), fixture_admin1);
    test_write(test_path("postal.txt"), fixture_postal);
    test_write(test_path("stores.csv"), fixture_stores);
}

static void test_full_import(void **state)
{
    (void)state;
    struct bad_log log = {0};
    struct importer *imp;
    write_fixture();
    struct db *db = open_db("full.db");
    assert_int_equal(importer_new(db, 0, on_bad, &log, &imp), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_COUNTRIES, test_path("countries.txt")), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_ADMIN1, test_path("admin1.txt")), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_PLACES, test_path("places.txt")), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_POSTAL, test_path("postal.txt")), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_STORES, test_path("stores.csv")), RU_OK);
    assert_int_equal(importer_commit(imp), RU_OK);
    const struct import_stats *s = importer_stats(imp);
    assert_int_equal(s->countries, 5);
    assert_int_equal(s->admin1, 8);
    assert_int_equal(s->places, 12);
    assert_int_equal(s->postal, 2);
    assert_int_equal(s->stores_added, 3);
    assert_int_equal(s->stores_updated, 0);
    assert_int_equal(log.count, 0);
    importer_free(imp);

    assert_int_equal(count(db, "SELECT count(*) FROM place"), 12);
    assert_int_equal(count(db, "SELECT count(*) FROM store"), 3);
    assert_int_equal(count(db, "SELECT count(*) FROM chain"), 2);
    /* name, ASCII name and alternates folded; repeats kept once */
    assert_int_equal(count(db, "SELECT count(*) FROM place_name WHERE place = 6"), 3);
    assert_int_equal(count(db, "SELECT is_primary FROM place_name WHERE folded = 'kobenhavn'"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM place_name WHERE place = 7 AND folded = 'zurich'"), 1);
    /* extras kept as JSON, empty ones left out */
    assert_int_equal(
        count(db, "SELECT json_extract(extras, '$.phone') = '555-0101' FROM store WHERE id = 'S1'"), 1);
    assert_int_equal(count(db, "SELECT extras IS NULL FROM store WHERE id = 'S2'"), 1);
    assert_int_equal(count(db, "SELECT address = '2760 N Dirksen Pkwy, Suite 1' FROM store WHERE id = 'S2'"),
                     1);
    /* both spatial indexes were built in the same transaction */
    assert_int_equal(count(db, "SELECT count FROM geoindex WHERE point_set = 1"), 3);
    assert_int_equal(count(db, "SELECT count FROM geoindex WHERE point_set = 2"), 12);
    /* the distinct folded primary names: springfield bigtown smallville copenhagen zurich tromso paris "rock
     * springs" */
    assert_int_equal(count(db, "SELECT count(*) FROM name_trigram"), 9);
    db_free(db);
}

static void test_reimport_updates(void **state)
{
    (void)state;
    struct bad_log log = {0};
    write_fixture();
    struct db *db = open_db("re.db");
    assert_int_equal(import(db, 0, &log, IMPORT_STORES, test_path("stores.csv")), RU_OK);
    assert_int_equal(import(db, 0, &log, IMPORT_PLACES, test_path("places.txt")), RU_OK);
    long long names = count(db, "SELECT count(*) FROM place_name");

    test_write(test_path("stores2.csv"),
               "id,chain,name,address,city,region,postal,country,lat,lon\n"
               "S1,Walmart,Walmart Rock Springs West,9 New Rd,Rock Springs,WY,82901,US,41.61,-109.26\n"
               "S4,Walmart,Walmart Casper,1 A St,Casper,WY,82601,US,42.85,-106.3\n");
    struct importer *imp;
    assert_int_equal(importer_new(db, 0, on_bad, &log, &imp), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_STORES, test_path("stores2.csv")), RU_OK);
    assert_int_equal(importer_commit(imp), RU_OK);
    assert_int_equal(importer_stats(imp)->stores_added, 1);
    assert_int_equal(importer_stats(imp)->stores_updated, 1);
    importer_free(imp);
    assert_int_equal(count(db, "SELECT count(*) FROM store"), 4);
    assert_int_equal(count(db, "SELECT count(*) FROM store WHERE id = 'S1'"), 1);
    assert_int_equal(
        count(db, "SELECT name = 'Walmart Rock Springs West' AND extras IS NULL FROM store WHERE id = 'S1'"),
        1);
    assert_int_equal(count(db, "SELECT count FROM geoindex WHERE point_set = 1"), 4);

    /* the same places again: nothing doubles */
    assert_int_equal(import(db, 0, &log, IMPORT_PLACES, test_path("places.txt")), RU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM place"), 12);
    assert_int_equal(count(db, "SELECT count(*) FROM place_name"), names);
    /* a place whose alternate names changed loses the old ones */
    test_write(test_path("places2.txt"), PLACE("6", "Copenhagen", "Copenhagen", "Kobenhavn", "55.67594",
                                               "12.56553", "DK", "17", "1200000"));
    assert_int_equal(import(db, 0, &log, IMPORT_PLACES, test_path("places2.txt")), RU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM place_name WHERE folded = 'kopenhagen'"), 0);
    assert_int_equal(count(db, "SELECT population FROM place_name WHERE folded = 'kobenhavn'"), 1200000);
    assert_int_equal(count(db, "SELECT count(*) FROM place"), 12);
    assert_int_equal(log.count, 0);
    db_free(db);

    /* the same place twice in one import into an empty database: the later names win */
    struct db *db2 = open_db("twice.db");
    struct importer *imp2;
    test_write(test_path("old.txt"), PLACE("50", "Oldtown", "Oldtown", "Altname", "1", "1", "US", "WY", "5"));
    test_write(test_path("new.txt"), PLACE("50", "Newtown", "Newtown", "", "1", "1", "US", "WY", "5"));
    assert_int_equal(importer_new(db2, 0, on_bad, &log, &imp2), RU_OK);
    assert_int_equal(importer_file(imp2, IMPORT_PLACES, test_path("old.txt")), RU_OK);
    assert_int_equal(importer_file(imp2, IMPORT_PLACES, test_path("new.txt")), RU_OK);
    assert_int_equal(importer_commit(imp2), RU_OK);
    importer_free(imp2);
    assert_int_equal(count(db2, "SELECT count(*) FROM place_name WHERE folded IN ('oldtown', 'altname')"), 0);
    assert_int_equal(count(db2, "SELECT count(*) FROM place_name WHERE folded = 'newtown'"), 1);
    db_free(db2);
}

static void test_bad_row_fails_whole_import(void **state)
{
    (void)state;
    struct bad_log log = {0};
    write_fixture();
    struct db *db = open_db("bad.db");
    assert_int_equal(import(db, 0, &log, IMPORT_STORES, test_path("stores.csv")), RU_OK);
    test_write(test_path("bad.csv"), "id,chain,name,address,city,region,postal,country,lat,lon\n"
                                     "B1,Walmart,Good One,1 St,Town,WY,1,US,41,-109\n"
                                     "B2,Walmart,Bad Lat,1 St,Town,WY,1,US,95,-109\n"
                                     "B3,Walmart,Good Two,1 St,Town,WY,1,US,42,-109\n");
    assert_int_equal(import(db, 0, &log, IMPORT_STORES, test_path("bad.csv")), RU_ERR_INVALID);
    assert_int_equal(log.count, 1);
    assert_int_equal(log.last_line, 3);
    assert_non_null(strstr(log.last_why, "lat"));
    /* nothing of that file landed, the earlier import is intact */
    assert_int_equal(count(db, "SELECT count(*) FROM store"), 3);
    assert_int_equal(count(db, "SELECT count FROM geoindex WHERE point_set = 1"), 3);

    /* with --skip-bad the good rows land and the bad one is still reported */
    log.count = 0;
    assert_int_equal(import(db, IMPORT_SKIP_BAD, &log, IMPORT_STORES, test_path("bad.csv")), RU_OK);
    assert_int_equal(log.count, 1);
    assert_int_equal(count(db, "SELECT count(*) FROM store"), 5);
    assert_int_equal(count(db, "SELECT count(*) FROM store WHERE id = 'B2'"), 0);

    /* every bad gazetteer row is reported, not only the first */
    log.count = 0;
    test_write(
        test_path("badplaces.txt"),
        PLACE("20", "Goodplace", "Goodplace", "", "10", "10", "US", "WY",
              "5") "21\tToo few columns\n" PLACE("22", "Badlat", "Badlat", "", "100", "10", "US", "WY", "5")
            PLACE("x", "Badid", "Badid", "", "10", "10", "US", "WY", "5"));
    assert_int_equal(import(db, 0, &log, IMPORT_PLACES, test_path("badplaces.txt")), RU_ERR_INVALID);
    assert_int_equal(log.count, 3);
    assert_int_equal(log.last_line, 4);
    assert_int_equal(count(db, "SELECT count(*) FROM place"), 0);
    db_free(db);
}

static void test_fatal_and_missing(void **state)
{
    (void)state;
    struct bad_log log = {0};
    struct importer *imp;
    struct db *db = open_db("fatal.db");
    test_write(test_path("nolat.csv"),
               "id,chain,name,address,city,region,postal,country,lon\nA,B,C,D,E,F,G,US,1\n");
    assert_int_equal(importer_new(db, IMPORT_SKIP_BAD, on_bad, &log, &imp), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_STORES, test_path("nolat.csv")), RU_ERR_INVALID);
    assert_non_null(strstr(importer_errmsg(imp), "'lat'"));
    assert_int_equal(importer_file(imp, IMPORT_PLACES, test_path("does-not-exist.txt")), RU_ERR_NOT_FOUND);
    assert_non_null(strstr(importer_errmsg(imp), "does-not-exist.txt"));
    importer_free(imp);
    assert_int_equal(count(db, "SELECT count(*) FROM store"), 0);
    db_free(db);
}

static void test_feature_classes(void **state)
{
    (void)state;
    struct bad_log log = {0};
    struct importer *imp;
    struct db *db = open_db("features.db");
    test_write(
        test_path("features.txt"),
        PLACE("30", "Town", "Town", "", "1", "1", "US", "WY",
              "5") "31\tLake Ness\tLake Ness\t\t1\t1\tH\tLK\tUS\t\tWY\t\t\t\t0\t\t0\tUTC\t2024-01-01\n");
    assert_int_equal(importer_new(db, 0, on_bad, &log, &imp), RU_OK);
    assert_int_equal(importer_file(imp, IMPORT_PLACES, test_path("features.txt")), RU_OK);
    assert_int_equal(importer_commit(imp), RU_OK);
    assert_int_equal(importer_stats(imp)->places, 1);
    assert_int_equal(importer_stats(imp)->skipped_rows, 1);
    importer_free(imp);
    assert_int_equal(import(db, IMPORT_ALL_FEATURES, &log, IMPORT_PLACES, test_path("features.txt")), RU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM place"), 2);
    db_free(db);
}

static void test_killed_import_leaves_nothing(void **state)
{
    (void)state;
    struct bad_log log = {0};
    write_fixture();
    const char *dbpath = test_path("killed.db");
    struct db *db = NULL;
    assert_int_equal(db_open(dbpath, DB_CREATE, locator_migrations, &db), RU_OK);
    assert_int_equal(import(db, 0, &log, IMPORT_STORES, test_path("stores.csv")), RU_OK);
    db_free(db);

    /* A store list big enough that the import is still writing when it is killed. */
    FILE *f = fopen(test_path("big.csv"), "w");
    assert_non_null(f);
    fprintf(f, "id,chain,name,address,city,region,postal,country,lat,lon\n");
    uint64_t seed = 1;
    for (int i = 0; i < 400000; i++)
        fprintf(f, "K%07d,Chain %d,Store %d,%d Main St,Town,WY,82901,US,%.5f,%.5f\n", i, i % 7, i, i,
                test_uniform(&seed) * 170 - 85, test_uniform(&seed) * 360 - 180);
    assert_int_equal(fclose(f), 0);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct db *cdb = NULL;
        if (db_open(dbpath, 0, locator_migrations, &cdb) != RU_OK)
            _exit(3);
        struct importer *imp;
        if (importer_new(cdb, 0, NULL, NULL, &imp) != RU_OK)
            _exit(4);
        if (importer_file(imp, IMPORT_STORES, test_path("big.csv")) != RU_OK || importer_commit(imp) != RU_OK)
            _exit(5);
        _exit(0);
    }
    /* Wait until the child has written a good part of the transaction, then kill it. */
    struct stat sb;
    char wal[600];
    snprintf(wal, sizeof(wal), "%s-wal", dbpath);
    for (int i = 0; i < 6000; i++) {
        if (stat(wal, &sb) == 0 && sb.st_size > 4 * 1024 * 1024)
            break;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status)); /* killed mid-import, not finished */

    assert_int_equal(db_open(dbpath, 0, locator_migrations, &db), RU_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM store"), 3);
    assert_int_equal(count(db, "SELECT count FROM geoindex WHERE point_set = 1"), 3);
    sqlite3_stmt *st;
    assert_int_equal(db_prepare(db, "PRAGMA integrity_check", &st), RU_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_import),
        cmocka_unit_test(test_reimport_updates),
        cmocka_unit_test(test_bad_row_fails_whole_import),
        cmocka_unit_test(test_fatal_and_missing),
        cmocka_unit_test(test_feature_classes),
        cmocka_unit_test(test_killed_import_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
