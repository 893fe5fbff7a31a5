/*
 * tests/unit/test_journal.c - the terminal's journal.
 *
 * Covers: cashiers (PIN checked, no PIN column in plain text), one open shift at a time;
 * a sale's states and the outbox (reversal and void queued with the state, done, retried);
 * recovery of 'sending' sales; X and Z reports (training sales out of the totals, voids
 * counted, expected cash and over/short); Z reports numbered and immutable; verify: an
 * intact journal, then each kind of tampering named: an edited sale, a deleted journal
 * entry, an edited entry, an edited Z report, a sale added behind the journal's back;
 * wrong PINs: counted, five in a row lock the cashier for 15 minutes (the clock given to
 * the check), a right PIN resets the count, the lock survives reopening the journal, ends
 * on time, a manager lifts it, each change is in the chain and a lock lifted behind the
 * journal's back is named; the journal made 0600 and refused when group or others may
 * read it or its -wal or -shm. The projection: every write replays into the same tables
 * (role and PIN changes too, each approved by a manager, the first manager excepted); a
 * journal of schema 1 or 2, written as the programs before the projection wrote it, is migrated
 * with one checkpoint, keeps its sales, Z report and PINs, verifies, and an edit of an old
 * row after the migration is named; a forged mark asks for no second checkpoint.
 */

extern const char *const pos_migrations[];
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/testlib.h"
#include "pos/journal.h"

/* A clock for the PIN checks: 2026-11-30 12:00:00 UTC. */
#define NOW 1796040000LL

static struct journal *fresh(const char *name)
{
    struct journal *j = NULL;
    assert_int_equal(journal_open(test_path(name), &j), RU_OK);
    return j;
}

static long long sell(struct journal *j, long long shift, const char *serial, long long amount, int training,
                      enum pos_sale_state end)
{
    struct pos_sale s = {.shift = shift, .amount_cents = amount, .cash_cents = 5000, .training = training};
    snprintf(s.serial, sizeof(s.serial), "%s", serial);
    snprintf(s.plan, sizeof(s.plan), "%s", amount == 3999 ? "1y" : "3m");
    snprintf(s.currency, sizeof(s.currency), "USD");
    s.change_cents = s.cash_cents - amount;
    assert_int_equal(journal_sale_begin(j, &s), RU_OK);
    assert_int_equal(strlen(s.request_id), 36);
    if (end != SALE_SENDING)
        assert_int_equal(journal_sale_state(j, s.id, end, NULL, "AB12CD", NULL), RU_OK);
    return s.id;
}

/* Run SQL on the journal's file behind its back. */
static void tamper(const char *name, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(test_path(name), &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
}

static void expect_tampered(struct journal *j, const char *want)
{
    char why[400] = "";
    if (journal_verify(j, why, sizeof(why)) != RU_ERR_INVALID)
        fail_msg("tampering not found, wanted '%s'", want);
    if (!strstr(why, want))
        fail_msg("'%s' lacks '%s'", why, want);
}

static void test_life(void **state)
{
    (void)state;
    struct journal *j = fresh("life.db");
    struct pos_pin_check c = {.manager = -1};
    long long shift, other;
    assert_int_equal(journal_cashier_add(j, "1001", "Maria", 1, "4321", NULL), RU_OK);
    assert_int_equal(journal_cashier_add(j, "1001", "Maria", 1, "4321", "1001"), RU_ERR_EXISTS);
    assert_int_equal(journal_cashier_check(j, "1001", "4321", NOW, &c), RU_OK);
    assert_int_equal(c.manager, 1);
    assert_int_equal(journal_cashier_check(j, "1001", "4322", NOW, &c), RU_ERR_INVALID);
    assert_int_equal(journal_cashier_check(j, "9", "4321", NOW, &c), RU_ERR_NOT_FOUND);
    assert_int_equal(journal_shift_open(j, "1001", 10000, 0, &shift), RU_OK);
    assert_int_equal(journal_shift_open(j, "1001", 10000, 0, &other), RU_ERR_EXISTS);

    long long a = sell(j, shift, "4242000000000018", 3999, 0, SALE_APPROVED);
    long long b = sell(j, shift, "4242000000000026", 1299, 0, SALE_APPROVED);
    sell(j, shift, "4242000000000034", 3999, 1, SALE_APPROVED); /* training */
    long long d = sell(j, shift, "4242000000000042", 3999, 0, SALE_SENDING);
    sell(j, shift, "4242000000000059", 3999, 0, SALE_DECLINED);
    assert_int_equal(journal_sale_state(j, b, SALE_VOID_PENDING, NULL, NULL, "void"), RU_OK);

    unsigned long n = 0;
    assert_int_equal(journal_recover(j, &n), RU_OK);
    assert_int_equal(n, 1);
    struct pos_sale s;
    assert_int_equal(journal_sale_get(j, d, &s), RU_OK);
    assert_int_equal(s.state, SALE_REVERSAL_PENDING);
    struct pos_outbox_item items[8];
    size_t k = 0;
    assert_int_equal(journal_outbox_due(j, 0, items, 8, &k), RU_OK);
    assert_int_equal(k, 2);
    assert_true(items[0].void_ && items[0].sale == b);
    assert_true(!items[1].void_ && items[1].sale == d);
    assert_int_equal(journal_outbox_retry(j, items[1].id, 4102444800LL, "no answer"), RU_OK);
    assert_int_equal(journal_outbox_done(j, &items[0]), RU_OK);
    assert_int_equal(journal_outbox_due(j, 1800000000LL, items, 8, &k), RU_OK);
    assert_int_equal(k, 0); /* the reversal waits until its time */
    assert_int_equal(journal_outbox_pending(j, &n), RU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(journal_sale_get(j, b, &s), RU_OK);
    assert_int_equal(s.state, SALE_VOIDED);
    assert_int_equal(journal_sale_of_card(j, "4242000000000018", &s), RU_OK);
    assert_int_equal(s.id, a);
    assert_int_equal(journal_sale_of_card(j, "4242000000000026", &s), RU_ERR_NOT_FOUND);

    char *json = NULL;
    assert_int_equal(journal_shift_close(j, 14000, &json), RU_OK);
    assert_non_null(strstr(json, "\"z_number\": 1"));
    assert_non_null(strstr(json, "\"sales_count\": 1"));
    assert_non_null(strstr(json, "\"sales_cents\": 3999"));
    assert_non_null(strstr(json, "\"voids_count\": 1"));
    assert_non_null(strstr(json, "\"expected_cash_cents\": 13999"));
    assert_non_null(strstr(json, "\"over_short_cents\": 1"));
    char *again = NULL;
    assert_int_equal(journal_zreport(j, 0, &again), RU_OK);
    assert_string_equal(json, again);
    free(json);
    free(again);
    assert_int_equal(journal_shift_close(j, 0, &json), RU_ERR_NOT_FOUND);

    char why[400] = "";
    if (journal_verify(j, why, sizeof(why)) != RU_OK)
        fail_msg("an untouched journal fails: %s", why);
    journal_free(j);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(test_path("life.db"), &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE zreport SET body = 'x'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM entry WHERE seq = 3", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM sale WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_tampering(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *names;
    } cases[] = {
        {"UPDATE sale SET amount_cents = 1 WHERE id = 2", "sale 2 has another amount"},
        {"UPDATE sale SET state = 'voided' WHERE id = 1", "sale 1 has another state"},
        {"DROP TRIGGER entry_no_delete; DELETE FROM entry WHERE seq = 4", "journal entry 4 is missing"},
        {"DROP TRIGGER entry_no_update; UPDATE entry SET body = replace(body, '3999', '1999') WHERE seq = 3",
         "journal entry 3 (sale_begin) was changed"},
        {"DROP TRIGGER zreport_no_update; UPDATE zreport SET body = replace(body, '7998', '7997')",
         "Z report 1 does not match"},
        {"INSERT INTO sale (request_id, shift, kind, plan, amount_cents, currency, tender, cash_cents, "
         "change_cents,"
         " state, created_at, changed_at) VALUES ('x', 1, 'activation', '1y', 1, 'USD', 'cash', 1, 0, "
         "'approved', '',"
         " '')",
         "is not in the journal"},
        {"DROP TRIGGER sale_no_delete; DELETE FROM sale WHERE id = 2",
         "sale 2 is in the journal but not in the sales"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[32];
        long long shift;
        char *json = NULL;
        snprintf(name, sizeof(name), "t%zu.db", i);
        struct journal *j = fresh(name);
        assert_int_equal(journal_cashier_add(j, "1", "A", 1, "1234", NULL), RU_OK);
        assert_int_equal(journal_shift_open(j, "1", 0, 0, &shift), RU_OK);
        sell(j, shift, "4242000000000018", 3999, 0, SALE_APPROVED);
        sell(j, shift, "4242000000000026", 3999, 0, SALE_APPROVED);
        assert_int_equal(journal_shift_close(j, 7998, &json), RU_OK);
        free(json);
        journal_free(j);
        tamper(name, cases[i].sql);
        j = fresh(name);
        expect_tampered(j, cases[i].names);
        journal_free(j);
    }
}

/* A PIN check at time AT must end in WANT with WORDS (when given) in the journal's message. */
static void check_at(struct journal *j, const char *id, const char *pin, long long at, enum ru_status want,
                     const char *words, struct pos_pin_check *c)
{
    enum ru_status rc = journal_cashier_check(j, id, pin, at, c);
    if (rc != want)
        fail_msg("cashier %s, PIN %s at +%llds: %d, wanted %d (%s)", id, pin, at - NOW, rc, want,
                 journal_errmsg(j));
    if (words && !strstr(journal_errmsg(j), words))
        fail_msg("'%s' lacks '%s'", journal_errmsg(j), words);
}

static void test_lockout(void **state)
{
    (void)state;
    struct journal *j = fresh("lock.db");
    struct pos_pin_check c;
    assert_int_equal(journal_cashier_add(j, "1", "Maria", 1, "4321", NULL), RU_OK);
    assert_int_equal(journal_cashier_add(j, "2", "Tom", 0, "1111", "1"), RU_OK);
    /* four wrong, then the right one: the count starts again */
    for (int i = 1; i <= 4; i++) {
        check_at(j, "2", "9999", NOW + i, RU_ERR_INVALID, "do not match", &c);
        assert_int_equal(c.failures, i);
        assert_int_equal(c.locked_until, 0);
    }
    check_at(j, "2", "1111", NOW + 5, RU_OK, NULL, &c);
    assert_int_equal(c.failures, 0);
    /* an unknown cashier gets the same words as a wrong PIN, and counts nothing */
    check_at(j, "3", "1111", NOW + 5, RU_ERR_NOT_FOUND, "cashier 3 and that PIN do not match", &c);
    /* five wrong in a row lock the cashier for 15 minutes from the fifth */
    for (int i = 1; i <= 5; i++)
        check_at(j, "2", "9999", NOW + 10, RU_ERR_INVALID, i < 5 ? "do not match" : "lock the cashier until",
                 &c);
    assert_int_equal(c.failures, 5);
    assert_int_equal(c.locked_until, NOW + 10 + JOURNAL_PIN_LOCK_S);
    /* the right PIN is refused all that time, and more wrong ones do not lengthen it */
    check_at(j, "2", "1111", NOW + 11, RU_ERR_LIMIT,
             "cashier 2 is locked after 5 wrong PINs until 2026-11-30 12:15:10 UTC", &c);
    assert_int_equal(c.locked_until, NOW + 10 + JOURNAL_PIN_LOCK_S);
    check_at(j, "2", "9999", NOW + 500, RU_ERR_LIMIT, NULL, &c);
    /* a restart does not lift it: it is in the journal */
    journal_free(j);
    j = fresh("lock.db");
    check_at(j, "2", "1111", NOW + 9 + JOURNAL_PIN_LOCK_S, RU_ERR_LIMIT, NULL, &c);
    assert_int_equal(c.locked_until, NOW + 10 + JOURNAL_PIN_LOCK_S);
    /* it ends 15 minutes after the fifth wrong PIN; then the count is fresh */
    check_at(j, "2", "9999", NOW + 10 + JOURNAL_PIN_LOCK_S, RU_ERR_INVALID, NULL, &c);
    assert_int_equal(c.failures, 1);
    check_at(j, "2", "1111", NOW + 11 + JOURNAL_PIN_LOCK_S, RU_OK, NULL, &c);
    /* locked again; a manager lifts it at once */
    for (int i = 0; i < 5; i++)
        check_at(j, "2", "0000", NOW + 2000, RU_ERR_INVALID, NULL, &c);
    check_at(j, "2", "1111", NOW + 2001, RU_ERR_LIMIT, NULL, &c);
    assert_int_equal(journal_cashier_unlock(j, "2", "1"), RU_OK);
    assert_int_equal(journal_cashier_unlock(j, "7", "1"), RU_ERR_NOT_FOUND);
    check_at(j, "2", "1111", NOW + 2002, RU_OK, NULL, &c);
    /* every change is in the chain: verify replays it */
    char why[400] = "";
    assert_int_equal(journal_verify(j, why, sizeof(why)), RU_OK);
    for (int i = 0; i < 5; i++)
        check_at(j, "2", "0000", NOW + 3000, RU_ERR_INVALID, NULL, &c);
    assert_int_equal(journal_verify(j, why, sizeof(why)), RU_OK);
    journal_free(j);
    /* a lock lifted behind the journal's back is named */
    tamper("lock.db", "UPDATE cashier SET failed_pins = 0, locked_until = NULL WHERE id = '2'");
    j = fresh("lock.db");
    expect_tampered(j, "cashier 2 has another count of wrong PINs or lock");
    journal_free(j);
}

/* Opening PATH must be refused as open to others, naming the file and the chmod. */
static void expect_refused(const char *path, const char *mode)
{
    struct journal *j = NULL;
    assert_int_equal(journal_open(test_path("modes.db"), &j), RU_ERR_INVALID);
    if (!strstr(journal_errmsg(j), path) || !strstr(journal_errmsg(j), mode) ||
        !strstr(journal_errmsg(j), "chmod 600"))
        fail_msg("'%s' does not name %s, %s and chmod 600", journal_errmsg(j), path, mode);
    journal_free(j);
}

static void test_modes(void **state)
{
    (void)state;
    char wal[600];
    struct stat st;
    mode_t old = umask(0);
    struct journal *j = fresh("modes.db");
    umask(old);
    assert_int_equal(journal_cashier_add(j, "1", "A", 1, "1234", NULL), RU_OK);
    snprintf(wal, sizeof(wal), "%s-wal", test_path("modes.db"));
    assert_int_equal(stat(test_path("modes.db"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    journal_free(j);
    assert_int_equal(chmod(test_path("modes.db"), 0640), 0);
    expect_refused(test_path("modes.db"), "mode 0640");
    assert_int_equal(chmod(test_path("modes.db"), 0600), 0);
    FILE *f = fopen(wal, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(chmod(wal, 0604), 0);
    expect_refused(wal, "mode 0604");
    assert_int_equal(unlink(wal), 0);
    j = fresh("modes.db");
    journal_free(j);
}

static void test_no_pin(void **state)
{
    (void)state;
    struct journal *j = fresh("pin.db");
    assert_int_equal(journal_cashier_add(j, "1", "A", 1, "987654", NULL), RU_OK);
    journal_free(j);
    char *text = NULL;
    FILE *f = fopen(test_path("pin.db"), "rb");
    assert_non_null(f);
    fclose(f);
    /* the cashier's PIN is in neither the database nor its WAL */
    for (int k = 0; k < 2; k++) {
        char path[600];
        snprintf(path, sizeof(path), "%s%s", test_path("pin.db"), k ? "-wal" : "");
        FILE *g = fopen(path, "rb");
        if (!g)
            continue;
        text = calloc(1, 1 << 22);
        size_t n = fread(text, 1, (1 << 22) - 1, g);
        fclose(g);
        for (size_t i = 0; i + 6 <= n; i++)
            assert_false(memcmp(text + i, "987654", 6) == 0);
        free(text);
    }
}

static void test_authority(void **state)
{
    (void)state;
    struct journal *j = fresh("auth.db");
    assert_int_equal(journal_cashier_add(j, "2", "Tom", 0, "1111", NULL), RU_ERR_INVALID);
    assert_non_null(strstr(journal_errmsg(j), "the first cashier of an empty journal is a manager"));
    assert_int_equal(journal_cashier_add(j, "1", "Maria", 1, "4321", NULL), RU_OK);
    assert_int_equal(journal_cashier_add(j, "2", "Tom", 0, "1111", NULL), RU_ERR_INVALID);
    assert_non_null(strstr(journal_errmsg(j), "a manager's approval is needed"));
    assert_int_equal(journal_cashier_add(j, "2", "Tom", 0, "1111", "1"), RU_OK);
    assert_int_equal(journal_cashier_add(j, "3", "Ann", 0, "3333", "2"), RU_ERR_INVALID);
    assert_non_null(strstr(journal_errmsg(j), "cashier 2 is not a manager"));
    assert_int_equal(journal_cashier_set_role(j, "2", 1, "2"), RU_ERR_INVALID);
    assert_int_equal(journal_cashier_set_pin(j, "1", "0000", "2"), RU_ERR_INVALID);
    assert_int_equal(journal_cashier_unlock(j, "1", "2"), RU_ERR_INVALID);
    assert_int_equal(journal_cashier_set_role(j, "9", 1, "1"), RU_ERR_NOT_FOUND);
    assert_int_equal(journal_cashier_set_role(j, "2", 1, "1"), RU_OK);
    assert_int_equal(journal_cashier_set_pin(j, "1", "2468", "2"), RU_OK);
    struct pos_pin_check c;
    assert_int_equal(journal_cashier_check(j, "1", "4321", NOW, &c), RU_ERR_INVALID);
    assert_int_equal(journal_cashier_check(j, "1", "2468", NOW, &c), RU_OK);
    assert_int_equal(journal_cashier_check(j, "2", "1111", NOW, &c), RU_OK);
    assert_true(c.manager);
    struct pos_plan plans[2] = {{"1y", 12, 3999, "USD"}, {"3m", 3, 1299, "USD"}};
    assert_int_equal(journal_catalog_store(j, plans, 2), RU_OK);
    plans[1].price_cents = 1399;
    assert_int_equal(journal_catalog_store(j, plans, 2), RU_OK);
    assert_int_equal(journal_catalog_store(j, plans, 1), RU_OK);
    char why[400] = "";
    if (journal_verify(j, why, sizeof(why)) != RU_OK)
        fail_msg("the approved changes do not replay: %s", why);
    journal_free(j);
    tamper("auth.db", "UPDATE cashier SET role = 'cashier' WHERE id = '2'");
    j = fresh("auth.db");
    expect_tampered(j, "table cashier, row 2, column role: journal says manager, table says cashier");
    journal_free(j);
}

/* What the program wrote before the projection: entry TYPE with BODY chained on PREV. */
static void old_entry(sqlite3 *db, long long seq, const char *type, const char *body, unsigned char prev[32])
{
    char head[96], sql[2048];
    unsigned char hash[32];
    unsigned int len = 0;
    int n = snprintf(head, sizeof(head), "\n%lld\n2026-01-05T10:00:00Z\n%s\n", seq, type);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, prev, 32);
    EVP_DigestUpdate(c, head, (size_t)n);
    EVP_DigestUpdate(c, body, strlen(body));
    EVP_DigestFinal_ex(c, hash, &len);
    EVP_MD_CTX_free(c);
    char hp[65], hh[65];
    for (int i = 0; i < 32; i++) {
        snprintf(hp + 2 * i, 3, "%02x", prev[i]);
        snprintf(hh + 2 * i, 3, "%02x", hash[i]);
    }
    snprintf(sql, sizeof(sql),
             "INSERT INTO entry VALUES (%lld, '2026-01-05T10:00:00Z', '%s', '%s', x'%s', x'%s')", seq, type,
             body, hp, hh);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    memcpy(prev, hash, 32);
}

/* A journal as the program of schema VERSION (1: before the lockout columns, or 2) left
 * it, opened and so migrated by this one. */
static void migrate_from(int version)
{
    sqlite3 *db;
    unlink(test_path("old.db"));
    assert_int_equal(sqlite3_open(test_path("old.db"), &db), SQLITE_OK);
    assert_int_equal(chmod(test_path("old.db"), 0600), 0);
    for (int m = 0; m < version; m++)
        assert_int_equal(sqlite3_exec(db, pos_migrations[m], NULL, NULL, NULL), SQLITE_OK);
    /* a manager with PIN 4321 (PBKDF2-HMAC-SHA256, 100000 rounds, as schema 1 says) */
    unsigned char salt[16] = "0123456789abcdef", hash[32];
    PKCS5_PBKDF2_HMAC("4321", 4, salt, 16, 100000, EVP_sha256(), 32, hash);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        version == 1
                                            ? "INSERT INTO cashier VALUES ('1001', 'Maria', 'manager',"
                                              " ?1, ?2, '2026-01-05T10:00:00Z')"
                                            : "INSERT INTO cashier VALUES ('1001', 'Maria', 'manager',"
                                              " ?1, ?2, '2026-01-05T10:00:00Z', 0, NULL)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(s, 1, salt, 16, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    const char *z = "{\n  \"z_number\": 1,\n  \"sales_cents\": 3999\n}";
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO shift VALUES (1, '1001', 0, 10000, '2026-01-05T10:00:00Z', '2026-01-05T18:00:00Z', "
             "13999, 1);"
             "INSERT INTO sale VALUES (1, 'r1', 1, 'activation', '4242000000000018', '1y', 3999, 'USD', "
             "'cash', 5000,"
             " 1001, 'approved', 'AB12CD', NULL, 0, '2026-01-05T11:00:00Z', '2026-01-05T11:00:01Z');"
             "INSERT INTO zreport VALUES (1, 1, '%s', '2026-01-05T18:00:00Z');"
             "PRAGMA user_version = %d;",
             z, version);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    unsigned char prev[32] = {0};
    old_entry(db, 1, "cashier_add", "{\"id\":\"1001\",\"name\":\"Maria\",\"role\":\"manager\"}", prev);
    old_entry(db, 2, "shift_open", "{\"cashier\":\"1001\",\"float_cents\":10000,\"id\":1,\"training\":false}",
              prev);
    old_entry(db, 3, "sale_begin", "{\"amount_cents\":3999,\"id\":1,\"plan\":\"1y\",\"shift\":1}", prev);
    old_entry(db, 4, "sale_state", "{\"auth_code\":\"AB12CD\",\"id\":1,\"state\":\"approved\"}", prev);
    old_entry(db, 5, "shift_close", "{\"counted_cents\":13999,\"id\":1,\"z_number\":1}", prev);
    sqlite3_close(db);

    /* migrated at opening: one checkpoint, the sale, the Z report and the PIN kept */
    struct journal *j = fresh("old.db");
    struct pos_sale sale;
    assert_int_equal(journal_sale_get(j, 1, &sale), RU_OK);
    assert_int_equal(sale.amount_cents, 3999);
    assert_int_equal(sale.state, SALE_APPROVED);
    char *json = NULL;
    assert_int_equal(journal_zreport(j, 1, &json), RU_OK);
    assert_string_equal(json, z);
    free(json);
    struct pos_pin_check c;
    assert_int_equal(journal_cashier_check(j, "1001", "4321", NOW, &c), RU_OK);
    char why[400] = "";
    if (journal_verify(j, why, sizeof(why)) != RU_OK)
        fail_msg("a migrated journal fails: %s", why);
    /* and goes on: new entries replay on top of the checkpoint */
    long long shift;
    assert_int_equal(journal_cashier_add(j, "2002", "Tom", 0, "1111", "1001"), RU_OK);
    assert_int_equal(journal_shift_open(j, "2002", 5000, 0, &shift), RU_OK);
    assert_int_equal(shift, 2);
    sell(j, shift, "4242000000000026", 1299, 0, SALE_APPROVED);
    if (journal_verify(j, why, sizeof(why)) != RU_OK)
        fail_msg("a migrated journal fails after new sales: %s", why);
    journal_free(j);
    assert_int_equal(sqlite3_open(test_path("old.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), min(seq) FROM entry WHERE type = 'checkpoint'",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    assert_int_equal(sqlite3_column_int(s, 1), 6);
    sqlite3_finalize(s);
    sqlite3_close(db);
    /* a forged mark asks for no second checkpoint: entries that replay exist */
    tamper("old.db", "CREATE TABLE checkpoint_due (reason TEXT); INSERT INTO checkpoint_due VALUES ('x');"
                     "UPDATE sale SET amount_cents = 1 WHERE id = 1");
    j = fresh("old.db");
    expect_tampered(
        j, "sale 1 has another amount than the journal: edited (table sale, row 1, column amount_cents: "
           "journal says 3999, table says 1)");
    journal_free(j);
}

static void test_migration_from_1(void **state)
{
    (void)state;
    migrate_from(1);
}

static void test_migration_from_2(void **state)
{
    (void)state;
    migrate_from(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_life),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_lockout),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_no_pin),
        cmocka_unit_test(test_authority),
        cmocka_unit_test(test_migration_from_1),
        cmocka_unit_test(test_migration_from_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
