/*
 * tests/unit/test_geoindex.c - the k-d tree against a brute-force haversine scan.
 *
 * Covers: the oracle (10,000+ random positions world-wide plus the poles, both sides of
 * the antimeridian and positions exactly on stores, k = 10, every id in order) on the real
 * store list and on a synthetic set with clusters, exact duplicates and points on the
 * antimeridian and the poles; radius and tag filters; k larger than the set; an empty
 * index; lazily fetched leaves give the same answers as leaves in memory; leaf codec.
 */
#include <math.h>
#include "tests/testlib.h"
#include "locator/geoindex.h"
#include "locator/storecsv.h"
#include "common/textfile.h"

struct set {
    struct geoindex_point *pts;
    size_t n, alloc;
};

static void add(struct set *s, double lat, double lon, uint32_t tag)
{
    if (s->n == s->alloc) {
        s->alloc = s->alloc ? 2 * s->alloc : 1024;
        s->pts = realloc(s->pts, s->alloc * sizeof(*s->pts));
        assert_non_null(s->pts);
    }
    s->pts[s->n] = (struct geoindex_point){
        .lat = lat, .lon = lon, .row = (uint32_t)s->n + 1, .rank = (uint32_t)s->n, .tag = tag};
    s->n++;
}

static enum ru_status csv_row(void *ctx, const struct store_row *r)
{
    add(ctx, r->lat, r->lon, 1);
    return RU_OK;
}

static enum ru_status csv_bad(void *ctx, unsigned long line, const char *why)
{
    (void)ctx;
    fail_msg("shipped store list line %lu: %s", line, why);
    return RU_ERR_INVALID;
}

static void load_real_stores(struct set *s)
{
    struct textfile *tf;
    struct storecsv *p;
    char *line;
    size_t len;
    assert_int_equal(textfile_open(REUP_SOURCE_DIR "/data/stores-walmart-us.csv", 1 << 20, &tf), RU_OK);
    assert_int_equal(storecsv_new(csv_row, csv_bad, s, &p), RU_OK);
    while (textfile_next(tf, &line, &len) == RU_OK)
        assert_int_equal(storecsv_feed_line(p, line, len), RU_OK);
    assert_int_equal(storecsv_finish(p), RU_OK);
    storecsv_free(p);
    textfile_free(tf);
    assert_int_equal(s->n, 3814);
}

/* Clusters, uniform scatter, exact duplicates, the antimeridian and the poles. */
static void make_synthetic(struct set *s, size_t n, uint64_t seed)
{
    while (s->n < n) {
        double u = test_uniform(&seed);
        if (u < 0.5) {
            double clat = floor(test_uniform(&seed) * 8) * 20 - 70,
                   clon = floor(test_uniform(&seed) * 12) * 30 - 165;
            add(s, fmax(-90, fmin(90, clat + (test_uniform(&seed) - 0.5))),
                clon + (test_uniform(&seed) - 0.5), (uint32_t)(s->n % 3));
        } else if (u < 0.8) {
            double z = 2 * test_uniform(&seed) - 1;
            add(s, asin(z) * 180 / M_PI, test_uniform(&seed) * 360 - 180, (uint32_t)(s->n % 3));
        } else if (u < 0.9 && s->n > 0) {
            struct geoindex_point d = s->pts[(size_t)(test_uniform(&seed) * (double)s->n)];
            add(s, d.lat, d.lon, (uint32_t)(s->n % 3)); /* same spot, another id */
        } else if (u < 0.95) {
            add(s, test_uniform(&seed) * 10 - 5, test_uniform(&seed) < 0.5 ? 180.0 : -180.0,
                (uint32_t)(s->n % 3));
        } else {
            add(s, test_uniform(&seed) < 0.5 ? 90.0 : -90.0, test_uniform(&seed) * 360 - 180,
                (uint32_t)(s->n % 3));
        }
    }
}

struct ref {
    double d;
    uint32_t rank, row;
};

static int ref_cmp(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Brute force: every point's haversine distance; the k best by (distance, rank). */
static size_t brute(const struct set *s, const struct geoindex_query *q, struct ref *out)
{
    size_t m = 0;
    int keep_all = q->k >= s->n;
    for (size_t i = 0; i < s->n; i++) {
        if (q->filter_tag && s->pts[i].tag != q->tag)
            continue;
        double d = geo_distance_m(q->origin, (struct geo_point){s->pts[i].lat, s->pts[i].lon});
        if (q->max_m > 0 && d > q->max_m)
            continue;
        struct ref r = {d, s->pts[i].rank, s->pts[i].row};
        if (keep_all) {
            out[m++] = r;
            continue;
        }
        if (m == q->k && ref_cmp(&r, &out[m - 1]) >= 0)
            continue;
        size_t j = m < q->k ? m++ : m - 1;
        while (j > 0 && ref_cmp(&r, &out[j - 1]) < 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = r;
    }
    if (keep_all)
        qsort(out, m, sizeof(*out), ref_cmp);
    return m < q->k ? m : q->k;
}

static size_t check(const struct geoindex *ix, struct geoindex_scratch *sc, const struct set *s,
                    const struct geoindex_query *q, struct ref *buf)
{
    const struct geoindex_hit *hits;
    size_t n, want = brute(s, q, buf);
    assert_int_equal(geoindex_search(ix, sc, q, &hits, &n), RU_OK);
    if (n != want)
        fail_msg("at %.6f,%.6f k=%zu: %zu hits, brute force %zu", q->origin.lat, q->origin.lon, q->k, n,
                 want);
    for (size_t i = 0; i < n; i++)
        if (hits[i].pt.row != buf[i].row)
            fail_msg("at %.9f,%.9f hit %zu is row %u (%.6f m), brute force row %u (%.6f m)", q->origin.lat,
                     q->origin.lon, i, hits[i].pt.row, hits[i].distance_m, buf[i].row, buf[i].d);
    return n;
}

/* 10,000 random positions uniform on the sphere, then the hard places. */
static void oracle(const struct set *s, const struct geoindex *ix, uint64_t seed)
{
    struct geoindex_scratch sc;
    struct ref *buf = malloc(s->n * sizeof(*buf) + 1);
    geoindex_scratch_init(&sc);
    size_t checked = 0;
    for (int i = 0; i < 10000; i++) {
        double z = 2 * test_uniform(&seed) - 1;
        struct geoindex_query q = {.origin = {asin(z) * 180 / M_PI, test_uniform(&seed) * 360 - 180},
                                   .k = 10};
        checked += check(ix, &sc, s, &q, buf) > 0;
    }
    static const double hard[][2] = {{90, 0},     {-90, 0},        {89.9999, 45},   {-89.9999, -120},
                                     {0, 180},    {0, -180},       {0, 179.9999},   {0, -179.9999},
                                     {65, 179.5}, {65, -179.5},    {-15, 180},      {51.5, -0.0001},
                                     {0, 0},      {-45, -179.999}, {71.3, -156.78}, {19.7, -155.1}};
    for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++) {
        struct geoindex_query q = {.origin = {hard[i][0], hard[i][1]}, .k = 10};
        checked += check(ix, &sc, s, &q, buf) > 0;
    }
    /* Exactly on points: distance 0 and duplicates, settled by rank. */
    for (size_t i = 0; i < s->n; i += s->n / 200 + 1) {
        struct geoindex_query q = {.origin = {s->pts[i].lat, s->pts[i].lon}, .k = 10};
        checked += check(ix, &sc, s, &q, buf) > 0;
    }
    assert_true(checked >= 10000);
    geoindex_scratch_release(&sc);
    free(buf);
}

static void test_oracle_real_stores(void **state)
{
    (void)state;
    struct set s = {0};
    struct geoindex *ix;
    load_real_stores(&s);
    struct set copy = s;
    copy.pts = malloc(s.n * sizeof(*s.pts));
    memcpy(copy.pts, s.pts, s.n * sizeof(*s.pts));
    assert_int_equal(geoindex_build(copy.pts, copy.n, 16, &ix), RU_OK);
    assert_int_equal(geoindex_count(ix), 3814);
    oracle(&s, ix, 42);
    geoindex_free(ix);
    free(copy.pts);
    free(s.pts);
}

static void test_oracle_synthetic(void **state)
{
    (void)state;
    struct set s = {0};
    struct geoindex *ix;
    make_synthetic(&s, 8000, 7);
    struct geoindex_point *copy = malloc(s.n * sizeof(*copy));
    memcpy(copy, s.pts, s.n * sizeof(*copy));
    assert_int_equal(geoindex_build(copy, s.n, 16, &ix), RU_OK);
    oracle(&s, ix, 99);
    geoindex_free(ix);
    free(copy);
    free(s.pts);
}

static void test_radius_tag_and_k(void **state)
{
    (void)state;
    struct set s = {0};
    struct geoindex *ix;
    struct geoindex_scratch sc;
    uint64_t seed = 5;
    make_synthetic(&s, 8000, 11);
    struct ref *buf = malloc(s.n * sizeof(*buf));
    struct geoindex_point *copy = malloc(s.n * sizeof(*copy));
    memcpy(copy, s.pts, s.n * sizeof(*copy));
    assert_int_equal(geoindex_build(copy, s.n, 4, &ix), RU_OK);
    geoindex_scratch_init(&sc);
    for (int i = 0; i < 2000; i++) {
        double z = 2 * test_uniform(&seed) - 1;
        struct geoindex_query q = {.origin = {asin(z) * 180 / M_PI, test_uniform(&seed) * 360 - 180},
                                   .k = 1 + (size_t)(test_uniform(&seed) * 50),
                                   .max_m = i % 2 ? test_uniform(&seed) * 3e6 : 0,
                                   .tag = (uint32_t)(i % 3),
                                   .filter_tag = i % 4 == 0};
        check(ix, &sc, &s, &q, buf);
    }
    /* k larger than the set returns every point, nearest first */
    struct geoindex_query all = {.origin = {10, 10}, .k = s.n + 5};
    assert_int_equal(check(ix, &sc, &s, &all, buf), s.n);
    /* a radius that holds nothing */
    struct geoindex_query none = {.origin = {0, -140}, .k = 10, .max_m = 1, .filter_tag = 1, .tag = 77};
    assert_int_equal(check(ix, &sc, &s, &none, buf), 0);
    geoindex_scratch_release(&sc);
    geoindex_free(ix);
    free(copy);
    free(buf);
    free(s.pts);
}

static void test_empty_and_invalid(void **state)
{
    (void)state;
    struct geoindex *ix;
    struct geoindex_scratch sc;
    const struct geoindex_hit *hits;
    size_t n = 99;
    geoindex_scratch_init(&sc);
    assert_int_equal(geoindex_build(NULL, 0, 16, &ix), RU_OK);
    struct geoindex_query q = {.origin = {1, 2}, .k = 10};
    assert_int_equal(geoindex_search(ix, &sc, &q, &hits, &n), RU_OK);
    assert_int_equal(n, 0);
    geoindex_free(ix);
    /* k = 0 asks for nothing and gets nothing, from a fresh scratch */
    struct geoindex_point few[3] = {
        {.lat = 1, .lon = 1}, {.lat = 2, .lon = 2, .rank = 1}, {.lat = 3, .lon = 3, .rank = 2}};
    struct geoindex_scratch fresh;
    geoindex_scratch_init(&fresh);
    assert_int_equal(geoindex_build(few, 3, 2, &ix), RU_OK);
    q.k = 0;
    n = 99;
    assert_int_equal(geoindex_search(ix, &fresh, &q, &hits, &n), RU_OK);
    assert_int_equal(n, 0);
    geoindex_scratch_release(&fresh);
    geoindex_free(ix);
    struct geoindex_point bad = {.lat = 91, .lon = 0};
    assert_int_equal(geoindex_build(&bad, 1, 16, &ix), RU_ERR_INVALID);
    struct geoindex_point one = {.lat = 1, .lon = 1};
    assert_int_equal(geoindex_build(&one, 1, 0, &ix), RU_ERR_INVALID);
    geoindex_scratch_release(&sc);
}

/* Leaves and node blocks served from their encoded bytes, as the database serves them. */
struct store {
    unsigned char *bytes;
    size_t *off, *len;
    unsigned fetches;
    unsigned char **blocks;
    size_t *block_len;
    unsigned block_fetches;
    int damage; /* serve blocks one byte short */
};

static enum ru_status fetch_block(void *ctx, uint32_t block, const void **bytes, size_t *len)
{
    struct store *st = ctx;
    st->block_fetches++;
    *bytes = st->blocks[block];
    *len = st->block_len[block] - (st->damage ? 1 : 0);
    return RU_OK;
}

static enum ru_status fetch(void *ctx, uint32_t leaf, struct geoindex_point *buf, size_t *n)
{
    struct store *st = ctx;
    st->fetches++;
    return geoindex_decode_points(st->bytes + st->off[leaf], st->len[leaf], buf, 16, n);
}

static void test_lazy_equals_memory(void **state)
{
    (void)state;
    struct set s = {0};
    struct geoindex *mem, *lazy;
    struct geoindex_scratch a, b;
    uint64_t seed = 3;
    make_synthetic(&s, 30000, 13);
    assert_int_equal(geoindex_build(s.pts, s.n, 16, &mem), RU_OK);
    /* s.pts is now in leaf order: encode each leaf */
    uint32_t nl = geoindex_leaf_count(mem);
    struct store st = {.bytes = malloc(s.n * GEOINDEX_POINT_BYTES),
                       .off = calloc(nl, sizeof(size_t)),
                       .len = calloc(nl, sizeof(size_t))};
    for (uint32_t l = 0; l < nl; l++) {
        size_t lo = geoindex_leaf_start(mem, l), hi = geoindex_leaf_start(mem, l + 1);
        st.off[l] = lo * GEOINDEX_POINT_BYTES;
        st.len[l] = (hi - lo) * GEOINDEX_POINT_BYTES;
        geoindex_encode_points(s.pts + lo, hi - lo, st.bytes + st.off[l]);
    }
    uint32_t nb = geoindex_block_count(mem);
    st.blocks = calloc(nb, sizeof(*st.blocks));
    st.block_len = calloc(nb, sizeof(*st.block_len));
    for (uint32_t k = 0; k < nb; k++) {
        st.blocks[k] = malloc(geoindex_block_bytes_max(mem));
        geoindex_encode_block(mem, k, st.blocks[k], &st.block_len[k]);
        assert_true(st.block_len[k] > 0 && st.block_len[k] <= geoindex_block_bytes_max(mem));
        assert_int_equal(st.block_len[k] % GEOINDEX_NODE_BYTES, 0);
    }
    /* a damaged block fails the search instead of answering wrongly */
    st.damage = 1;
    assert_int_equal(geoindex_open_lazy(s.n, 16, fetch, fetch_block, &st, &lazy), RU_OK);
    {
        struct geoindex_query q = {.origin = {1, 2}, .k = 3};
        const struct geoindex_hit *h;
        size_t n;
        geoindex_scratch_init(&a);
        assert_int_equal(geoindex_search(lazy, &a, &q, &h, &n), RU_ERR_INVALID);
        geoindex_scratch_release(&a);
        geoindex_free(lazy);
    }
    st.damage = 0;
    st.block_fetches = 0;
    assert_int_equal(geoindex_open_lazy(s.n, 16, fetch, fetch_block, &st, &lazy), RU_OK);
    geoindex_scratch_init(&a);
    geoindex_scratch_init(&b);
    for (int i = 0; i < 3000; i++) {
        double z = 2 * test_uniform(&seed) - 1;
        struct geoindex_query q = {.origin = {asin(z) * 180 / M_PI, test_uniform(&seed) * 360 - 180},
                                   .k = 10};
        const struct geoindex_hit *h1, *h2;
        size_t n1, n2;
        assert_int_equal(geoindex_search(mem, &a, &q, &h1, &n1), RU_OK);
        assert_int_equal(geoindex_search(lazy, &b, &q, &h2, &n2), RU_OK);
        assert_int_equal(n1, n2);
        for (size_t j = 0; j < n1; j++) {
            assert_int_equal(h1[j].pt.row, h2[j].pt.row);
            assert_true(h1[j].distance_m == h2[j].distance_m);
        }
        /* a search reads a handful of leaves, not the index */
        assert_true(b.leaves_visited < nl / 4);
    }
    /* blocks are read once and kept: 3000 searches read fewer blocks than there are */
    assert_true(st.block_fetches > 0 && st.block_fetches <= nb);
    assert_true(st.fetches > 0);
    /* preloading reads every leaf once and then answers the same */
    assert_int_equal(geoindex_preload(lazy), RU_OK);
    unsigned before = st.fetches;
    struct geoindex_query q = {.origin = {-33.9, 151.2}, .k = 10};
    const struct geoindex_hit *h1, *h2;
    size_t n1, n2;
    assert_int_equal(geoindex_search(mem, &a, &q, &h1, &n1), RU_OK);
    assert_int_equal(geoindex_search(lazy, &b, &q, &h2, &n2), RU_OK);
    assert_int_equal(st.fetches, before);
    assert_int_equal(n1, n2);
    for (size_t j = 0; j < n1; j++)
        assert_int_equal(h1[j].pt.row, h2[j].pt.row);
    geoindex_scratch_release(&a);
    geoindex_scratch_release(&b);
    geoindex_free(mem);
    geoindex_free(lazy);
    free(st.bytes);
    free(st.off);
    free(st.len);
    for (uint32_t k = 0; k < nb; k++)
        free(st.blocks[k]);
    free(st.blocks);
    free(st.block_len);
    free(s.pts);
}

static void test_codec(void **state)
{
    (void)state;
    struct geoindex_point in[2] = {
        {.lat = -89.5, .lon = 179.25, .row = 7, .rank = 3, .tag = 9},
        {.lat = 12.3456789012, .lon = -0.5, .row = UINT32_MAX, .rank = 0, .tag = 0}};
    unsigned char buf[2 * GEOINDEX_POINT_BYTES];
    struct geoindex_point out[2];
    size_t n;
    geoindex_encode_points(in, 2, buf);
    assert_int_equal(geoindex_decode_points(buf, sizeof(buf), out, 2, &n), RU_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(&in[1].lat, &out[1].lat, sizeof(double));
    assert_int_equal(out[0].row, 7);
    assert_int_equal(out[0].rank, 3);
    assert_int_equal(out[0].tag, 9);
    assert_int_equal(out[1].row, UINT32_MAX);
    assert_int_equal(geoindex_decode_points(buf, sizeof(buf) - 1, out, 2, &n), RU_ERR_INVALID);
    assert_int_equal(geoindex_decode_points(buf, sizeof(buf), out, 1, &n), RU_ERR_INVALID);
    double bad = 200;
    memcpy(buf + 8, &bad, sizeof(bad));
    assert_int_equal(geoindex_decode_points(buf, sizeof(buf), out, 2, &n), RU_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle_real_stores), cmocka_unit_test(test_oracle_synthetic),
        cmocka_unit_test(test_radius_tag_and_k),   cmocka_unit_test(test_empty_and_invalid),
        cmocka_unit_test(test_lazy_equals_memory), cmocka_unit_test(test_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
