/*
 * tests/unit/test_printledger.c - the print ledger.
 *
 * Covers: recording a batch (again: nothing changes; a serial of another batch is
 * refused); a job's life: sending -> queued -> completed (cards printed, printed once),
 * failed (cards to send again), unknown (possibly printed); a run that ended mid-job is
 * settled to possibly printed; counts and listing in batch order; the ledger survives
 * reopening; it holds no PIN column.
 */
#include <sqlite3.h>
#include "tests/testlib.h"
#include "printing/printledger.h"

static const char serials[6][CARD_DIGITS + 1] = {"4242000000000018", "4242000000000026", "4242000000000034",
                                                 "4242000000000042", "4242000000000059", "4242000000000067"};

static struct printledger *open_ledger(void)
{
    struct printledger *lg = NULL;
    assert_int_equal(printledger_open(test_path("ledger.db"), &lg), RU_OK);
    return lg;
}

static enum printledger_status status(struct printledger *lg, int i)
{
    enum printledger_status st;
    long long job;
    assert_int_equal(printledger_card(lg, serials[i], &st, &job), RU_OK);
    return st;
}

static void record(struct printledger *lg, int n)
{
    assert_int_equal(printledger_begin(lg), RU_OK);
    for (int i = 0; i < n; i++)
        assert_int_equal(printledger_add(lg, serials[i], "B1", (unsigned long)i + 2), RU_OK);
    assert_int_equal(printledger_commit(lg), RU_OK);
}

static void collect(void *ctx, const char *serial, long long job)
{
    char *out = ctx;
    (void)job;
    strncat(out, serial + 12, 4);
    strncat(out, " ", 2);
}

static void test_life(void **state)
{
    (void)state;
    struct printledger *lg = open_ledger();
    unsigned long counts[PRINTLEDGER_STATUSES], settled;
    long long job1, job2, job3;
    record(lg, 6);
    record(lg, 6); /* again: nothing changes */
    assert_int_equal(printledger_begin(lg), RU_OK);
    assert_int_equal(printledger_add(lg, serials[0], "B2", 2), RU_ERR_EXISTS);
    printledger_rollback(lg);
    assert_int_equal(printledger_counts(lg, "B1", counts), RU_OK);
    assert_int_equal(counts[PRINTLEDGER_PENDING], 6);

    assert_int_equal(printledger_job_start(lg, "B1", "cards", "127.0.0.1:631", serials, 2, &job1), RU_OK);
    assert_int_equal(status(lg, 0), PRINTLEDGER_QUEUED);
    assert_int_equal(status(lg, 2), PRINTLEDGER_PENDING);
    assert_int_equal(printledger_job_queued(lg, job1, 17), RU_OK);
    assert_int_equal(printledger_job_end(lg, job1, PRINTLEDGER_JOB_COMPLETED, NULL), RU_OK);
    assert_int_equal(status(lg, 0), PRINTLEDGER_PRINTED);
    assert_int_equal(status(lg, 1), PRINTLEDGER_PRINTED);

    assert_int_equal(printledger_job_start(lg, "B1", "cards", "s", serials + 2, 2, &job2), RU_OK);
    assert_true(job2 > job1);
    assert_int_equal(printledger_job_end(lg, job2, PRINTLEDGER_JOB_FAILED, "the printer is stopped"), RU_OK);
    assert_int_equal(status(lg, 2), PRINTLEDGER_FAILED);

    assert_int_equal(printledger_job_start(lg, "B1", "cards", "s", serials + 4, 1, &job3), RU_OK);
    assert_int_equal(printledger_job_end(lg, job3, PRINTLEDGER_JOB_UNKNOWN, "the print server went away"),
                     RU_OK);
    assert_int_equal(status(lg, 4), PRINTLEDGER_POSSIBLY_PRINTED);

    /* a run killed while its job was out */
    long long job4;
    assert_int_equal(printledger_job_start(lg, "B1", "cards", "s", serials + 5, 1, &job4), RU_OK);
    printledger_free(lg);
    lg = open_ledger();
    assert_int_equal(status(lg, 5), PRINTLEDGER_QUEUED);
    assert_int_equal(printledger_settle(lg, "B1", &settled), RU_OK);
    assert_int_equal(settled, 1);
    assert_int_equal(status(lg, 5), PRINTLEDGER_POSSIBLY_PRINTED);

    assert_int_equal(printledger_counts(lg, "B1", counts), RU_OK);
    assert_int_equal(counts[PRINTLEDGER_PRINTED], 2);
    assert_int_equal(counts[PRINTLEDGER_FAILED], 2);
    assert_int_equal(counts[PRINTLEDGER_POSSIBLY_PRINTED], 2);
    assert_int_equal(counts[PRINTLEDGER_PENDING] + counts[PRINTLEDGER_QUEUED], 0);
    char listed[100] = "";
    assert_int_equal(printledger_each(lg, "B1", PRINTLEDGER_POSSIBLY_PRINTED, collect, listed), RU_OK);
    assert_string_equal(listed, "0059 0067 ");

    /* a reprint of a printed card counts its second print */
    long long job5;
    assert_int_equal(printledger_job_start(lg, "B1", "cards", "s", serials, 1, &job5), RU_OK);
    assert_int_equal(printledger_job_end(lg, job5, PRINTLEDGER_JOB_COMPLETED, NULL), RU_OK);
    printledger_free(lg);

    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(test_path("ledger.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT prints FROM card WHERE serial = ?1", -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, serials[0], -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 2);
    sqlite3_finalize(s);
    /* serials only: no column could hold a PIN */
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('card') WHERE name LIKE '%pin%'", -1,
                           &s, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_life)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
