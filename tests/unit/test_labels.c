/*
 * tests/unit/test_labels.c - the map labels' ranks and the labels of a view.
 *
 * Covers: places at one spot: eight labelled from zoom 0, the rest only from the top
 * rank; places far apart each from zoom 0; 30,000 random places (denser in one corner,
 * as cities are): at every zoom below the top rank no tile holds more than eight labels,
 * and a place ranked r had its tile full one zoom before; labels_find() on a database:
 * only ranks up to the zoom, only places inside the box (edges included), a box across
 * the antimeridian, at most 200 (the lowest ranks kept) listed most populous first.
 */
#include <math.h>
#include "tests/testlib.h"
#include "db/db.h"
#include "locator/labels.h"
#include "locator/locator_db.h"

static void test_one_spot(void **state)
{
    (void)state;
    struct labels_point p[20];
    unsigned char rank[20];
    for (size_t i = 0; i < 20; i++)
        p[i] = (struct labels_point){55.676, 12.566};
    assert_int_equal(labels_rank(p, 20, rank), RU_OK);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(rank[i], i < LABELS_PER_TILE ? 0 : LABELS_TOP_RANK);
    struct labels_point far[2] = {{55.7, 12.6}, {-33.9, 151.2}};
    assert_int_equal(labels_rank(far, 2, rank), RU_OK);
    assert_int_equal(rank[0], 0);
    assert_int_equal(rank[1], 0);
}

static uint64_t tile(const struct labels_point *p, int z)
{
    double n = ldexp(1.0, z), lat = fmax(-85.0511287798, fmin(85.0511287798, p->lat)) * M_PI / 180.0;
    double x = fmax(0, fmin(n - 1, floor((p->lon + 180.0) / 360.0 * n)));
    double y = fmax(0, fmin(n - 1, floor((1.0 - asinh(tan(lat)) / M_PI) / 2.0 * n)));
    return (uint64_t)x << 32 | (uint64_t)y;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_density(void **state)
{
    (void)state;
    enum { N = 30000 };
    struct labels_point *p = malloc(N * sizeof(*p));
    unsigned char *rank = malloc(N);
    uint64_t *keys = malloc(N * sizeof(*keys));
    assert_non_null(p);
    assert_non_null(rank);
    assert_non_null(keys);
    srand(15);
    for (size_t i = 0; i < N; i++) {
        double u = (double)rand() / RAND_MAX, v = (double)rand() / RAND_MAX;
        p[i] = i % 2 ? (struct labels_point){-80 + 160 * u, -180 + 360 * v}
                     : (struct labels_point){50 + 5 * u, 5 + 10 * v};
    }
    assert_int_equal(labels_rank(p, N, rank), RU_OK);
    for (int z = 0; z < LABELS_TOP_RANK; z++) {
        size_t n = 0;
        for (size_t i = 0; i < N; i++)
            if (rank[i] <= z)
                keys[n++] = tile(&p[i], z);
        qsort(keys, n, sizeof(*keys), by_key);
        for (size_t i = LABELS_PER_TILE; i < n; i++)
            if (keys[i] == keys[i - LABELS_PER_TILE])
                fail_msg("zoom %d: a tile holds more than %d labels", z, LABELS_PER_TILE);
    }
    /* a place left out at zoom r-1 was left out for eight more populous places */
    for (size_t i = 0; i < N; i += 97) {
        if (rank[i] == 0)
            continue;
        int z = rank[i] - 1;
        size_t before = 0;
        for (size_t j = 0; j < i; j++)
            before += rank[j] <= z && tile(&p[j], z) == tile(&p[i], z);
        assert_int_equal(before, LABELS_PER_TILE);
    }
    free(p);
    free(rank);
    free(keys);
}

static void add_place(struct db *db, long long id, const char *name, double lat, double lon, long long pop)
{
    sqlite3_stmt *st;
    assert_int_equal(db_prepare(db,
                                "INSERT INTO place(id, name, ascii, country, admin1, lat, lon, population,"
                                " feature) VALUES (?1, ?2, ?2, 'DK', '17', ?3, ?4, ?5, 'PPL')",
                                &st),
                     RU_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, lat);
    sqlite3_bind_double(st, 4, lon);
    sqlite3_bind_int64(st, 5, pop);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void test_find(void **state)
{
    (void)state;
    struct db *db = NULL;
    const char *path = test_path("labels.db");
    unlink(path);
    assert_int_equal(db_open(path, DB_CREATE, locator_migrations, &db), RU_OK);
    assert_int_equal(db_begin(db), RU_OK);
    add_place(db, 1, "Copenhagen", 55.676, 12.566, 1153615);
    add_place(db, 2, "Suva", -18.137, 178.425, 77366);
    add_place(db, 3, "Apia", -13.833, -171.767, 40407);
    /* a crowd of villages around Copenhagen */
    for (int i = 0; i < 500; i++)
        add_place(db, 100 + i, "Village", 55.5 + (i % 25) * 0.02, 12.2 + (i / 25) * 0.04, 600 + i);
    assert_int_equal(labels_build(db), RU_OK);
    assert_int_equal(db_commit(db), RU_OK);
    assert_int_equal(labels_missing(db), 0);

    struct label *out = malloc(LABELS_MAX * sizeof(*out));
    assert_non_null(out);
    sqlite3_stmt *st = NULL;
    size_t n;
    struct labels_view v = {12.0, 55.0, 13.5, 56.5, 0};
    assert_int_equal(labels_find(db, &st, &v, out, &n), RU_OK);
    assert_true(n >= 1 && n <= LABELS_PER_TILE);
    assert_string_equal(out[0].name, "Copenhagen");
    v.zoom = 20;
    assert_int_equal(labels_find(db, &st, &v, out, &n), RU_OK);
    assert_int_equal(n, LABELS_MAX);
    assert_string_equal(out[0].name, "Copenhagen");
    int max_rank = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            assert_true(out[i - 1].population >= out[i].population);
        assert_true(out[i].lat >= 55.0 && out[i].lat <= 56.5 && out[i].lon >= 12.0 && out[i].lon <= 13.5);
        max_rank = out[i].rank > max_rank ? out[i].rank : max_rank;
    }
    /* the 200 kept are the lowest ranks: none left out ranks below the highest kept */
    assert_true(max_rank <= LABELS_TOP_RANK);
    /* edges count as inside: a box that is one point */
    struct labels_view point = {12.566, 55.676, 12.566, 55.676, 20};
    assert_int_equal(labels_find(db, &st, &point, out, &n), RU_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, 1);
    /* across the antimeridian: Suva (east of 170) and Apia (west of -170), not Copenhagen */
    struct labels_view pacific = {170.0, -25.0, -170.0, -10.0, 5};
    assert_int_equal(labels_find(db, &st, &pacific, out, &n), RU_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].name, "Suva");
    assert_string_equal(out[1].name, "Apia");
    struct labels_view empty = {-10.0, -10.0, 10.0, 10.0, 20};
    assert_int_equal(labels_find(db, &st, &empty, out, &n), RU_OK);
    assert_int_equal(n, 0);
    sqlite3_finalize(st);
    free(out);
    db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_one_spot), cmocka_unit_test(test_density),
                                       cmocka_unit_test(test_find)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
