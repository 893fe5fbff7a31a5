/*
 * tests/unit/test_gazetteer.c - place-name ranking rules on a known gazetteer.
 *
 * Covers: the most populous name match wins and the runners-up follow in rank order;
 * a region code or name and a country code, ISO3 code or name narrow the candidates,
 * with commas or without; a match on a name or ASCII name beats an alternate-name match
 * of a bigger place; folding of case and diacritics, alternate names; regions shown as
 * US state codes or names; postal codes with ZIP+4 and a country; suggestions for
 * misspellings, the same from the FTS5 index and the in-memory name index; unknown
 * names.
 */
#include "tests/fixture.h"
#include "db/db.h"
#include "locator/gazetteer.h"
#include "locator/import.h"
#include "locator/locator_db.h"
#include "locator/nameindex.h"

static struct db *db;
static struct gazetteer *gz;

static int setup(void **state)
{
    (void)state;
    struct importer *imp;
    test_write(test_path("places.txt"), fixture_places);
    test_write(test_path("countries.txt"), fixture_countries);
    test_write(test_path("admin1.txt"), fixture_admin1);
    test_write(test_path("postal.txt"), fixture_postal);
    if (db_open(test_path("gz.db"), DB_CREATE, locator_migrations, &db) != RU_OK ||
        importer_new(db, 0, NULL, NULL, &imp) != RU_OK)
        return -1;
    if (importer_file(imp, IMPORT_COUNTRIES, test_path("countries.txt")) != RU_OK ||
        importer_file(imp, IMPORT_ADMIN1, test_path("admin1.txt")) != RU_OK ||
        importer_file(imp, IMPORT_PLACES, test_path("places.txt")) != RU_OK ||
        importer_file(imp, IMPORT_POSTAL, test_path("postal.txt")) != RU_OK || importer_commit(imp) != RU_OK)
        return -1;
    importer_free(imp);
    return gazetteer_open(db, &gz) == RU_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gazetteer_free(gz);
    db_free(db);
    return 0;
}

static long long best(const char *q)
{
    struct gz_match m;
    enum ru_status rc = gazetteer_find_place(gz, q, &m);
    if (rc != RU_OK)
        fail_msg("'%s': status %d", q, rc);
    return m.best.id;
}

static void test_population_decides(void **state)
{
    (void)state;
    struct gz_match m;
    assert_int_equal(gazetteer_find_place(gz, "Springfield", &m), RU_OK);
    assert_int_equal(m.best.id, 3); /* MO, 166,810 */
    assert_string_equal(m.best.region, "MO");
    assert_int_equal(m.nalternatives, 2);
    assert_string_equal(m.alternatives[0].region, "MA"); /* then by population */
    assert_string_equal(m.alternatives[1].region, "IL");
    assert_true(m.alternatives[0].population > m.alternatives[1].population);
    char label[700];
    gz_place_label(&m.alternatives[1], label, sizeof(label));
    assert_string_equal(label, "Springfield, IL, US");
}

static void test_qualifiers_narrow(void **state)
{
    (void)state;
    static const char *const illinois[] = {"Springfield, IL",          "Springfield, Illinois",
                                           "springfield il",           "SPRINGFIELD, IL, US",
                                           "springfield illinois usa", "Springfield, United States, IL",
                                           "  springfield ,  il  "};
    for (size_t i = 0; i < sizeof(illinois) / sizeof(illinois[0]); i++)
        assert_int_equal(best(illinois[i]), 1);
    assert_int_equal(best("Springfield, MA"), 2);
    assert_int_equal(best("Paris, Texas"), 10);
    assert_int_equal(best("paris tx"), 10);
    assert_int_equal(best("Paris, United States"), 10);
    assert_int_equal(best("paris france"), 9);
    assert_int_equal(best("Paris, FRA"), 9);
    assert_int_equal(best("Paris"), 9);
    assert_int_equal(best("rock springs wy"), 11);
    /* a name with a comma of its own is found whole */
    assert_int_equal(best("Bachaw Norte, Kalibo"), 12);
    struct gz_match m;
    assert_int_equal(gazetteer_find_place(gz, "Springfield, TX", &m), RU_ERR_NOT_FOUND);
    assert_int_equal(gazetteer_find_place(gz, "Springfield, DK", &m), RU_ERR_NOT_FOUND);
    assert_int_equal(gazetteer_find_place(gz, "Springfield, IL, US, Earth, Milky Way", &m), RU_ERR_NOT_FOUND);
}

static void test_primary_beats_alternate(void **state)
{
    (void)state;
    /* Bigtown (1,000,000) has the alternate name Smallville; the town called Smallville
     * (10 people) still wins. */
    struct gz_match m;
    assert_int_equal(gazetteer_find_place(gz, "Smallville", &m), RU_OK);
    assert_int_equal(m.best.id, 5);
    assert_int_equal(m.nalternatives, 1);
    assert_string_equal(m.alternatives[0].name, "Bigtown");
    /* an alternate name alone still finds its place */
    assert_int_equal(best("Big Town"), 4);
    assert_int_equal(best("Sprinfild"), 3);
}

static void test_folding_and_alternates(void **state)
{
    (void)state;
    static const char *const cph[] = {"København",  "Kobenhavn",  "KØBENHAVN",
                                      "kopenhagen", "Copenhagen", "copenhagen, dk"};
    for (size_t i = 0; i < sizeof(cph) / sizeof(cph[0]); i++)
        assert_int_equal(best(cph[i]), 6);
    assert_int_equal(best("Zurich"), 7);
    assert_int_equal(best("ZÜRICH"), 7);
    assert_int_equal(best("zuerich"), 7);
    assert_int_equal(best("Tromsø"), 8);
    assert_int_equal(best("tromso"), 8);
    struct gz_match m;
    assert_int_equal(gazetteer_find_place(gz, "København", &m), RU_OK);
    assert_string_equal(m.best.name, "Copenhagen");
    assert_string_equal(m.best.country, "DK");
    assert_string_equal(m.best.region, "Capital Region"); /* numeric code: the name is shown */
    assert_string_equal(m.best.country_name, "Denmark");
    assert_int_equal(gazetteer_find_place(gz, "Tromsø", &m), RU_OK);
    assert_string_equal(m.best.region, ""); /* code 54 has no name in admin1: not shown */
    assert_int_equal(gazetteer_find_place(gz, "Paris", &m), RU_OK);
    assert_string_equal(m.best.region, "Île-de-France");
    assert_int_equal(gazetteer_find_place(gz, "!!!", &m), RU_ERR_INVALID);
}

static void test_postal(void **state)
{
    (void)state;
    struct gz_match m;
    assert_int_equal(gazetteer_find_postal(gz, "82901", &m), RU_OK);
    assert_string_equal(m.best.name, "Rock Springs");
    assert_string_equal(m.best.region, "WY");
    assert_true(m.best.lat > 41.6 && m.best.lat < 41.61);
    assert_int_equal(gazetteer_find_postal(gz, " 82901-1234 ", &m), RU_OK);
    assert_string_equal(m.best.name, "Rock Springs");
    assert_int_equal(gazetteer_find_postal(gz, "82901, US", &m), RU_OK);
    assert_int_equal(gazetteer_find_postal(gz, "82901, DK", &m), RU_ERR_NOT_FOUND);
    assert_int_equal(gazetteer_find_postal(gz, "99999", &m), RU_ERR_NOT_FOUND);
}

static void test_suggestions(void **state)
{
    (void)state;
    char s[GZ_MAX_SUGGESTIONS][GZ_TEXT_MAX];
    size_t n;
    assert_int_equal(gazetteer_suggest(gz, "Sprngfield", s, &n), RU_OK);
    assert_true(n >= 1);
    assert_string_equal(s[0], "Springfield");
    assert_int_equal(gazetteer_suggest(gz, "Smalville, TX", s, &n), RU_OK);
    assert_true(n >= 1);
    assert_string_equal(s[0], "Smallville");
    assert_int_equal(gazetteer_suggest(gz, "Copenhagn", s, &n), RU_OK);
    assert_true(n >= 1);
    assert_string_equal(s[0], "Copenhagen");
    assert_int_equal(gazetteer_suggest(gz, "Qqqqqqqq", s, &n), RU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(gazetteer_suggest(gz, "xy", s, &n), RU_OK);
    assert_int_equal(n, 0);
}

/* The in-memory name index offers the same suggestions as the FTS5 index: on this
 * gazetteer every candidate fits in either's pool, so the lists must be equal. */
static void test_suggestions_from_name_index(void **state)
{
    (void)state;
    static const char *const queries[] = {"Sprngfield", "Smalville, TX", "Copenhagn", "Rok Sprngs",
                                          "Qqqqqqqq",   "springfeld",    "kobenhvn",  "xy"};
    struct name_index *ix;
    assert_int_equal(name_index_build(db, &ix), RU_OK);
    assert_true(name_index_size(ix) > 5);
    for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
        char a[GZ_MAX_SUGGESTIONS][GZ_TEXT_MAX], b[GZ_MAX_SUGGESTIONS][GZ_TEXT_MAX];
        size_t na, nb;
        gazetteer_use_name_index(gz, NULL);
        assert_int_equal(gazetteer_suggest(gz, queries[q], a, &na), RU_OK);
        gazetteer_use_name_index(gz, ix);
        assert_int_equal(gazetteer_suggest(gz, queries[q], b, &nb), RU_OK);
        if (na != nb)
            fail_msg("'%s': %zu suggestions from FTS5, %zu from the name index", queries[q], na, nb);
        for (size_t i = 0; i < na; i++)
            assert_string_equal(a[i], b[i]);
    }
    char s[GZ_MAX_SUGGESTIONS][GZ_TEXT_MAX];
    size_t n;
    assert_int_equal(gazetteer_suggest(gz, "Sprngfield", s, &n), RU_OK);
    assert_true(n >= 1);
    assert_string_equal(s[0], "Springfield");
    gazetteer_use_name_index(gz, NULL);
    name_index_free(ix);
}

static void test_by_id(void **state)
{
    (void)state;
    struct gz_place p;
    assert_int_equal(gazetteer_place_by_id(gz, 11, &p), RU_OK);
    assert_string_equal(p.name, "Rock Springs");
    assert_int_equal(gazetteer_place_by_id(gz, 999, &p), RU_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_population_decides),
        cmocka_unit_test(test_qualifiers_narrow),
        cmocka_unit_test(test_primary_beats_alternate),
        cmocka_unit_test(test_folding_and_alternates),
        cmocka_unit_test(test_postal),
        cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_suggestions_from_name_index),
        cmocka_unit_test(test_by_id),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
