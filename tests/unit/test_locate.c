/*
 * tests/unit/test_locate.c - the locator on the real default database.
 *
 * Covers: each query form (place, postal code, position) gives k stores nearest first
 * with distances that are the haversine distances; k up to 1000; radius; chain filter
 * (folded) and an unknown chain; positions at sea and across the antimeridian; unknown
 * places with suggestions; bad queries and k; a missing database; the index read lazily
 * and preloaded give the same answers and lead with the same suggestions; siblings on
 * three threads sharing one preloaded index answer as one locator does; autocomplete: "Kobe" offers
 * København, "rock spr" Rock Springs, WY, most populous first, nothing for nonsense, a blank prefix refused.
 */
#include <pthread.h>
#include "tests/testlib.h"
#include "locator/locate.h"

static struct locator *loc;

static int setup(void **state)
{
    (void)state;
    return locator_open(REUP_DEFAULT_DB, 0, &loc) == RU_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    locator_free(loc);
    return 0;
}

static void check_sorted(const struct locate_result *r)
{
    for (size_t i = 0; i < r->nstores; i++) {
        double d = geo_distance_m((struct geo_point){r->origin.lat, r->origin.lon},
                                  (struct geo_point){r->stores[i].lat, r->stores[i].lon});
        assert_true(d == r->stores[i].distance_m);
        if (i > 0)
            assert_true(r->stores[i - 1].distance_m <= r->stores[i].distance_m);
    }
}

static void find(const char *q, size_t k, double radius_m, const char *chain, struct locate_result *r)
{
    struct locate_request req = {.query = q, .k = k, .radius_m = radius_m, .chain = chain};
    locate_result_init(r);
    enum ru_status rc = locator_find(loc, &req, r);
    if (rc != RU_OK)
        fail_msg("'%s': status %d: %s", q, rc, locator_errmsg(loc));
    check_sorted(r);
}

static void test_place(void **state)
{
    (void)state;
    struct locate_result r;
    find("Rock Springs, WY", 5, 0, NULL, &r);
    assert_int_equal(r.kind, QUERY_PLACE);
    assert_string_equal(r.origin.name, "Rock Springs");
    assert_string_equal(r.origin.region, "WY");
    assert_int_equal(r.nstores, 5);
    assert_string_equal(r.stores[0].city, "Rock Springs");
    assert_true(r.stores[0].distance_m < 10000);
    locate_result_release(&r);

    find("Springfield", 3, 0, NULL, &r);
    assert_true(r.nalternatives >= 2);
    int il = 0;
    for (size_t i = 0; i < r.nalternatives; i++)
        il |= strcmp(r.alternatives[i].region, "IL") == 0;
    assert_true(il);
    locate_result_release(&r);

    find("København", 3, 0, NULL, &r);
    assert_string_equal(r.origin.country, "DK");
    assert_int_equal(r.nstores, 3);
    locate_result_release(&r);
}

static void test_postal_and_position(void **state)
{
    (void)state;
    struct locate_result r;
    find("82901", 5, 0, NULL, &r);
    assert_int_equal(r.kind, QUERY_POSTAL);
    assert_string_equal(r.origin.name, "Rock Springs");
    assert_string_equal(r.stores[0].city, "Rock Springs");
    locate_result_release(&r);

    find("41.58,-109.2", 5, 0, NULL, &r);
    assert_int_equal(r.kind, QUERY_POSITION);
    assert_string_equal(r.origin.country, "US");
    assert_true(r.origin.lat == 41.58 && r.origin.lon == -109.2);
    assert_string_equal(r.stores[0].city, "Rock Springs");
    locate_result_release(&r);

    /* mid-Pacific, across the antimeridian: the Hawaiian and Alaskan stores */
    find("20,179.9", 10, 0, NULL, &r);
    assert_string_equal(r.origin.country, "");
    assert_int_equal(r.nstores, 10);
    assert_string_equal(r.stores[0].region, "HI");
    locate_result_release(&r);
    find("-89.9,0", 1, 0, NULL, &r);
    assert_int_equal(r.nstores, 1);
    locate_result_release(&r);
}

static void test_k_radius_chain(void **state)
{
    (void)state;
    struct locate_result r;
    find("Rock Springs, WY", 1000, 0, NULL, &r);
    assert_int_equal(r.nstores, 1000);
    locate_result_release(&r);

    find("Rock Springs, WY", 50, 100 * GEO_M_PER_MILE, NULL, &r);
    assert_true(r.nstores >= 2 && r.nstores < 50);
    for (size_t i = 0; i < r.nstores; i++)
        assert_true(r.stores[i].distance_m <= 100 * GEO_M_PER_MILE);
    locate_result_release(&r);

    find("41.58,-109.2", 10, 1000, NULL, &r);
    assert_int_equal(r.nstores, 0);
    locate_result_release(&r);

    find("Rock Springs, WY", 5, 0, "WALMART", &r);
    assert_int_equal(r.nstores, 5);
    assert_string_equal(r.stores[0].chain, "Walmart");
    locate_result_release(&r);

    find("Rock Springs, WY", 5, 0, "No Such Chain", &r);
    assert_true(r.unknown_chain);
    assert_int_equal(r.nstores, 0);
    locate_result_release(&r);
}

static void test_complete(void **state)
{
    (void)state;
    struct gz_completion p[10];
    size_t n = 0;
    assert_int_equal(locator_complete(loc, "Kobe", 10, p, &n), RU_OK);
    int kobenhavn = 0, kobe = 0;
    for (size_t i = 0; i < n; i++) {
        /* offered under the alternate name the prefix matched, in its own spelling */
        kobenhavn |= !strcmp(p[i].place.name, "Copenhagen") && !strcmp(p[i].matched, "København");
        kobe |= !strcmp(p[i].place.name, "Kobe") && !strcmp(p[i].matched, "Kobe");
        if (i)
            assert_true(p[i - 1].place.population >= p[i].place.population); /* most populous first */
    }
    assert_true(kobenhavn);
    assert_true(kobe);
    assert_int_equal(locator_complete(loc, "rock spr", 5, p, &n), RU_OK);
    assert_true(n >= 1);
    int rock_springs = 0;
    for (size_t i = 0; i < n; i++)
        rock_springs |= !strcmp(p[i].place.name, "Rock Springs") && !strcmp(p[i].place.region, "WY") &&
                        !strcmp(p[i].matched, "Rock Springs");
    assert_true(rock_springs);
    assert_int_equal(locator_complete(loc, "zzqxj", 5, p, &n), RU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(locator_complete(loc, "  ", 5, p, &n), RU_ERR_INVALID);
}

static void test_errors(void **state)
{
    (void)state;
    struct locate_result r;
    struct locate_request req = {.query = "Sprngfield", .k = 5};
    locate_result_init(&r);
    assert_int_equal(locator_find(loc, &req, &r), RU_ERR_NOT_FOUND);
    assert_true(r.nsuggestions >= 1);
    assert_string_equal(r.suggestions[0], "Springfield");
    locate_result_release(&r);

    static const char *const bad[] = {"", "   ", "91,0", "0,181", "nan,1", "Rock\x01Springs", "\xff\xfe"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req.query = bad[i];
        enum ru_status rc = locator_find(loc, &req, &r);
        assert_true(rc == RU_ERR_INVALID || rc == RU_ERR_LIMIT);
        assert_true(strlen(locator_errmsg(loc)) > 10);
        locate_result_release(&r);
    }
    char big[10 * 1024];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    req.query = big;
    assert_int_equal(locator_find(loc, &req, &r), RU_ERR_LIMIT);
    locate_result_release(&r);
    req.query = "Rock Springs, WY";
    req.k = 0;
    assert_int_equal(locator_find(loc, &req, &r), RU_ERR_LIMIT);
    req.k = 1001;
    assert_int_equal(locator_find(loc, &req, &r), RU_ERR_LIMIT);
    locate_result_release(&r);

    struct locator *none = NULL;
    assert_int_equal(locator_open(REUP_BINARY_DIR "/no/such.db", 0, &none), RU_ERR_NOT_FOUND);
    assert_non_null(strstr(locator_errmsg(none), "no/such.db"));
    locator_free(none);
}

static void test_preloaded_same(void **state)
{
    (void)state;
    struct locator *pre;
    uint64_t seed = 17;
    assert_int_equal(locator_open(REUP_DEFAULT_DB, LOCATOR_PRELOAD, &pre), RU_OK);
    for (int i = 0; i < 300; i++) {
        char q[64];
        snprintf(q, sizeof(q), "%.5f,%.5f", test_uniform(&seed) * 180 - 90, test_uniform(&seed) * 360 - 180);
        struct locate_request req = {.query = q, .k = 10};
        struct locate_result a, b;
        locate_result_init(&a);
        locate_result_init(&b);
        assert_int_equal(locator_find(loc, &req, &a), RU_OK);
        assert_int_equal(locator_find(pre, &req, &b), RU_OK);
        assert_int_equal(a.nstores, b.nstores);
        for (size_t j = 0; j < a.nstores; j++)
            assert_string_equal(a.stores[j].id, b.stores[j].id);
        locate_result_release(&a);
        locate_result_release(&b);
    }
    /* misspellings: the preloaded name index leads with the same suggestion */
    static const char *const typos[] = {"Sprngfield", "Copenhagn", "Albuquerqe", "Bloomingtn",
                                        "Sacrmento",  "Cincinati", "Minneapols"};
    for (size_t i = 0; i < sizeof(typos) / sizeof(typos[0]); i++) {
        struct locate_request req = {.query = typos[i], .k = 5};
        struct locate_result a, b;
        locate_result_init(&a);
        locate_result_init(&b);
        assert_int_equal(locator_find(loc, &req, &a), RU_ERR_NOT_FOUND);
        assert_int_equal(locator_find(pre, &req, &b), RU_ERR_NOT_FOUND);
        assert_true(a.nsuggestions >= 1 && b.nsuggestions >= 1);
        assert_string_equal(a.suggestions[0], b.suggestions[0]);
        locate_result_release(&a);
        locate_result_release(&b);
    }
    locator_free(pre);
}

/* Siblings on threads of their own, sharing one preloaded index, answer as the
 * locator alone does. */
struct sibling_run {
    struct locator *loc;
    const char *const *queries;
    size_t nqueries;
    char first[8][16];
    int ok;
};

static void *sibling_main(void *arg)
{
    struct sibling_run *run = arg;
    run->ok = 1;
    for (int round = 0; round < 50; round++)
        for (size_t i = 0; i < run->nqueries; i++) {
            struct locate_request req = {.query = run->queries[i], .k = 3};
            struct locate_result r;
            locate_result_init(&r);
            if (locator_find(run->loc, &req, &r) != RU_OK || !r.nstores ||
                strcmp(r.stores[0].id, run->first[i]))
                run->ok = 0;
            locate_result_release(&r);
        }
    return NULL;
}

static void test_siblings(void **state)
{
    (void)state;
    static const char *const queries[] = {"Rock Springs, WY", "82901",     "Springfield, IL", "40.7,-74.0",
                                          "Denver",           "Kobenhavn", "Austin, TX",      "Fairbanks"};
    struct locator *pre;
    assert_int_equal(locator_open(REUP_DEFAULT_DB, LOCATOR_PRELOAD, &pre), RU_OK);
    struct sibling_run runs[3];
    pthread_t th[3];
    for (int t = 0; t < 3; t++) {
        runs[t] = (struct sibling_run){.queries = queries, .nqueries = 8};
        assert_int_equal(locator_open_sibling(pre, &runs[t].loc), RU_OK);
        for (size_t i = 0; i < 8; i++) {
            struct locate_request req = {.query = queries[i], .k = 3};
            struct locate_result r;
            locate_result_init(&r);
            assert_int_equal(locator_find(loc, &req, &r), RU_OK);
            snprintf(runs[t].first[i], sizeof(runs[t].first[i]), "%s", r.stores[0].id);
            locate_result_release(&r);
        }
    }
    for (int t = 0; t < 3; t++)
        assert_int_equal(pthread_create(&th[t], NULL, sibling_main, &runs[t]), 0);
    for (int t = 0; t < 3; t++) {
        pthread_join(th[t], NULL);
        assert_true(runs[t].ok);
        locator_free(runs[t].loc);
    }
    locator_free(pre);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place),          cmocka_unit_test(test_postal_and_position),
        cmocka_unit_test(test_k_radius_chain), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_complete),       cmocka_unit_test(test_preloaded_same),
        cmocka_unit_test(test_siblings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
