/*
 * bench/bench_locate.c - bench-locate: latency and exactness of the store locator.
 *
 * On one locator database (built by `reup-locate import`) this measures, per query set:
 * the pure k-nearest search of the preloaded store index (geoindex_search), the whole
 * locator_find() of a position query (which also reads the k store rows), the classic
 * SQLite R*Tree expanding-box search as a baseline, and optionally one `reup-locate`
 * process per query; then place-name resolution (gazetteer_find_place) on names drawn
 * from the database, and optionally the index build alone (locator_db_build_index() in
 * a transaction that is rolled back).
 *
 * Two query sets, both deterministic for a seed: "near" (populated places of the
 * countries that have stores, drawn in proportion to population, with ~2 km of jitter)
 * and "anywhere" (fixed hard cases - poles, both sides of the antimeridian, mid-Pacific,
 * South Atlantic - then points uniform on the sphere, where indexes fall over).
 *
 * Exactness: the first --verify answers of each set are compared with a brute-force
 * haversine scan (ties by id rank; answers with equal distances among the k+1 nearest
 * are counted as with_ties), every R*Tree answer and the first --verify locator_find()
 * answers with the index's. Mismatches are counted and must be 0.
 *
 * Results go to standard output as key=value lines (bench/run.sh makes the table from
 * them); progress goes to standard error. Latencies are per query with CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "db/db.h"
#include "locator/gazetteer.h"
#include "locator/geo.h"
#include "locator/geoindex.h"
#include "locator/locate.h"
#include "locator/locator_db.h"
#include "bench/bench_rng.h"
#include "common/banned.h"

extern char **environ;

#define USAGE                                                                             \
    "usage: bench-locate --db DB [options]\n"                                             \
    "\n"                                                                                  \
    "Benchmarks the store locator on DB (a database built by `reup-locate import`).\n"    \
    "Results are printed as key=value lines; progress goes to standard error.\n"          \
    "\n"                                                                                  \
    "Options (counts are per query set; 0 skips that part):\n"                            \
    "  --queries N        k-NN queries timed on the index (default 20000)\n"              \
    "  --find-queries N   locator_find() queries (default 10000)\n"                       \
    "  --verify N         answers checked against a brute-force scan (default 1000)\n"    \
    "  --rtree-queries N  R*Tree baseline queries (default 2000)\n"                       \
    "  --cli PATH         also time one PATH process per query (reup-locate)\n"           \
    "  --cli-queries N    processes per set (default 200)\n"                              \
    "  --names N          place names to resolve (default 1000)\n"                        \
    "  --index-builds N   time the store index build N times, rolled back (default 0)\n"  \
    "  --repeat R         timed passes of the index and locator_find() queries; each\n"   \
    "                     figure is the median over the passes (default 3)\n"             \
    "  -k K               neighbours per query (default 10)\n"                            \
    "  --seed S           query seed (default 1)\n"                                       \
    "\n"                                                                                  \
    "Exit codes: 0 done and every answer exact, 1 done with mismatches, 2 usage error,\n" \
    "4 the database cannot be read, 5 a benchmark step failed.\n"

enum exit_code { EXIT_EXACT = 0, EXIT_MISMATCH = 1, EXIT_USAGE = 2, EXIT_NO_DB = 4, EXIT_FAILED = 5 };

#define DEG2RAD        (BENCH_PI / 180.0)
#define NEAR_JITTER_KM 2.0
#define KM_PER_DEG     111.19492664455873
/* The R*Tree search starts with a box of +-RTREE_D0_DEG degrees around the query. */
#define RTREE_D0_DEG   0.05
/* Above this many stores the brute force prefilters by chord length (see brute_force). */
#define BRUTE_FULL_MAX 200000
#define MAX_PASSES     100

struct options {
    const char *db, *cli;
    size_t queries, find_queries, verify, rtree_queries, cli_queries, names, index_builds, k, repeat;
    uint64_t seed;
};

/* Every store in id order: index = rank, the index's tie-break. */
struct stores {
    size_t n;
    double *lat, *lon, *xyz;
    uint32_t *row;
    char **id;
    uint32_t *rank_of_row; /* by store rowid; UINT32_MAX for none */
    size_t max_row;
};

struct qset {
    const char *name;
    struct geo_point *q;
    size_t n;
    /* The index's answers to the first nkeep queries: rows and distances, k per query. */
    size_t nkeep;
    uint32_t *rows;
    double *dist;
    size_t *count;
};

/* ---- small helpers ---- */

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of V[0..n) (sorts V). */
static double percentile(double *v, size_t n, double p, int sorted)
{
    if (n == 0)
        return NAN;
    if (!sorted)
        qsort(v, n, sizeof(*v), cmp_double);
    size_t r = (size_t)ceil(p * (double)n);
    return v[r == 0 ? 0 : r - 1];
}

/* Statistics of one timed pass over a query set. */
struct pass_stats {
    double median, p99, mean, max;
};

static struct pass_stats pass_stats(double *ns, size_t n)
{
    struct pass_stats st = {0};
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ns[i];
    qsort(ns, n, sizeof(*ns), cmp_double);
    st.median = percentile(ns, n, 0.5, 1);
    st.p99 = percentile(ns, n, 0.99, 1);
    st.mean = n ? sum / (double)n : NAN;
    st.max = n ? ns[n - 1] : NAN;
    return st;
}

/* key.median_UNIT, key.p99_UNIT, key.mean_UNIT, key.max_UNIT and key.n of NP passes of
 * N samples each: every figure is the median over the passes (the max the largest), so
 * one pass disturbed by another process on a shared machine does not decide it. With
 * more than one pass, key.p99_range_UNIT gives the smallest and largest p99. */
static void report_passes(const char *key, struct pass_stats *ps, size_t np, size_t n, double per_unit,
                          const char *unit)
{
    double med[MAX_PASSES], p99[MAX_PASSES], mean[MAX_PASSES], mx = 0;
    if (np == 0 || n == 0 || np > MAX_PASSES)
        return;
    for (size_t i = 0; i < np; i++) {
        med[i] = ps[i].median;
        p99[i] = ps[i].p99;
        mean[i] = ps[i].mean;
        if (ps[i].max > mx)
            mx = ps[i].max;
    }
    printf("%s.median_%s=%.3f\n", key, unit, percentile(med, np, 0.5, 0) / per_unit);
    printf("%s.p99_%s=%.3f\n", key, unit, percentile(p99, np, 0.5, 0) / per_unit);
    printf("%s.mean_%s=%.3f\n", key, unit, percentile(mean, np, 0.5, 0) / per_unit);
    printf("%s.max_%s=%.3f\n", key, unit, mx / per_unit);
    if (np > 1)
        printf("%s.p99_range_%s=%.3f..%.3f\n", key, unit, p99[0] / per_unit, p99[np - 1] / per_unit);
    printf("%s.n=%zu\n%s.passes=%zu\n", key, n, key, np);
    fflush(stdout);
}

/* One pass of N samples in ns (sorts them). */
static void report(const char *key, double *ns, size_t n, double per_unit, const char *unit)
{
    struct pass_stats st = pass_stats(ns, n);
    report_passes(key, &st, 1, n, per_unit, unit);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "bench-locate: out of memory\n");
        exit(EXIT_FAILED);
    }
    return p;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > SIZE_MAX / 64)
        return 0;
    *out = (size_t)v;
    return 1;
}

/* ---- loading the stores and the places ---- */

static enum ru_status load_stores(struct db *db, struct stores *s)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc;
    size_t alloc = 0;
    int r;
    memset(s, 0, sizeof(*s));
    /* Same order as locator_db_build_index(): rank = position in id order. */
    if ((rc = db_prepare(db, "SELECT rowid, id, lat, lon FROM store ORDER BY id", &st)) != RU_OK)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->n == alloc) {
            alloc = alloc ? 2 * alloc : 4096;
            s->lat = realloc(s->lat, alloc * sizeof(double));
            s->lon = realloc(s->lon, alloc * sizeof(double));
            s->xyz = realloc(s->xyz, 3 * alloc * sizeof(double));
            s->row = realloc(s->row, alloc * sizeof(uint32_t));
            s->id = realloc(s->id, alloc * sizeof(char *));
            if (!s->lat || !s->lon || !s->xyz || !s->row || !s->id) {
                sqlite3_finalize(st);
                return RU_ERR_NOMEM;
            }
        }
        sqlite3_int64 row = sqlite3_column_int64(st, 0);
        s->row[s->n] = (uint32_t)row;
        s->id[s->n] = strdup((const char *)sqlite3_column_text(st, 1));
        s->lat[s->n] = sqlite3_column_double(st, 2);
        s->lon[s->n] = sqlite3_column_double(st, 3);
        geo_unit_vector((struct geo_point){s->lat[s->n], s->lon[s->n]}, s->xyz + 3 * s->n);
        if ((size_t)row > s->max_row)
            s->max_row = (size_t)row;
        s->n++;
    }
    rc = r == SQLITE_DONE ? RU_OK : db_fail(db, "reading stores");
    sqlite3_finalize(st);
    if (rc != RU_OK)
        return rc;
    s->rank_of_row = xcalloc(s->max_row + 1, sizeof(uint32_t));
    for (size_t i = 0; i <= s->max_row; i++)
        s->rank_of_row[i] = UINT32_MAX;
    for (size_t i = 0; i < s->n; i++)
        s->rank_of_row[s->row[i]] = (uint32_t)i;
    return RU_OK;
}

static void stores_release(struct stores *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->id[i]);
    free(s->id);
    free(s->lat);
    free(s->lon);
    free(s->xyz);
    free(s->row);
    free(s->rank_of_row);
}

/* The id of the store with rowid ROW, "?" for none. Borrowed. */
static const char *id_of_row(const struct stores *s, uint32_t row)
{
    return row <= s->max_row && s->rank_of_row[row] != UINT32_MAX ? s->id[s->rank_of_row[row]] : "?";
}

/* Move P by NORTH_KM and EAST_KM on a local flat map, keeping it a valid position. */
static struct geo_point jitter(struct geo_point p, double north_km, double east_km)
{
    double c = cos(p.lat * DEG2RAD);
    double lat = p.lat + north_km / KM_PER_DEG;
    double lon = p.lon + east_km / (KM_PER_DEG * (c > 0.01 ? c : 0.01));
    if (lat > 90.0)
        lat = 90.0;
    if (lat < -90.0)
        lat = -90.0;
    lon = fmod(lon + 180.0, 360.0);
    if (lon < 0)
        lon += 360.0;
    return (struct geo_point){lat, lon - 180.0};
}

/* Near queries: places of the stores' countries, in proportion to population, jittered. */
static enum ru_status make_near(struct db *db, size_t n, uint64_t seed, struct qset *qs)
{
    sqlite3_stmt *st = NULL;
    struct geo_point *pl = NULL;
    double *cum = NULL, sum = 0;
    size_t np = 0, alloc = 0;
    enum ru_status rc;
    int r;

    rc = db_prepare(db,
                    "SELECT lat, lon, population FROM place WHERE population > 0 AND country IN"
                    " (SELECT DISTINCT country FROM store) ORDER BY id",
                    &st);
    if (rc != RU_OK)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (np == alloc) {
            alloc = alloc ? 2 * alloc : 4096;
            pl = realloc(pl, alloc * sizeof(*pl));
            cum = realloc(cum, alloc * sizeof(*cum));
            if (!pl || !cum) {
                sqlite3_finalize(st);
                return RU_ERR_NOMEM;
            }
        }
        pl[np].lat = sqlite3_column_double(st, 0);
        pl[np].lon = sqlite3_column_double(st, 1);
        sum += (double)sqlite3_column_int64(st, 2);
        cum[np++] = sum;
    }
    rc = r == SQLITE_DONE ? RU_OK : db_fail(db, "reading places");
    sqlite3_finalize(st);
    if (rc == RU_OK && np == 0) {
        fprintf(stderr, "bench-locate: no populated places in the stores' countries\n");
        rc = RU_ERR_NOT_FOUND;
    }
    if (rc != RU_OK) {
        free(pl);
        free(cum);
        return rc;
    }

    struct rng g;
    rng_seed(&g, seed * 2 + 1);
    qs->name = "near";
    qs->n = n;
    qs->q = xcalloc(n, sizeof(*qs->q));
    for (size_t i = 0; i < n; i++) {
        double u = rng_uniform(&g) * sum;
        size_t lo = 0, hi = np - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        double dn = NEAR_JITTER_KM * rng_normal(&g), de = NEAR_JITTER_KM * rng_normal(&g);
        qs->q[i] = jitter(pl[lo], dn, de);
    }
    free(pl);
    free(cum);
    return RU_OK;
}

/* Anywhere queries: the hard cases first, then uniform on the sphere. */
static void make_anywhere(size_t n, uint64_t seed, struct qset *qs)
{
    /* Poles; both sides of the antimeridian; mid-Pacific (Point Nemo among them); the
     * South Atlantic; other empty areas (Southern Ocean, Antarctica, Arctic Ocean). */
    static const struct geo_point hard[] = {
        {90, 0},       {-90, 0},        {90, 180},        {-90, -180},  {89.99, -135},  {-89.99, 45},
        {0, 180},      {0, -180},       {0, 179.99},      {0, -179.99}, {65.8, 179.99}, {65.8, -179.99},
        {51.5, 180},   {-16.5, 179.99}, {-16.5, -179.99}, {-40, 180},   {-40, -179.99}, {71.0, -179.99},
        {-60, 179.99}, {0, -160},       {10, -150},       {-30, -140},  {20, -170},     {-48.8767, -123.3933},
        {-30, -15},    {-45, -20},      {-10, -20},       {-55, -30},   {-40, 80},      {-65, 100},
        {80, 0},       {-75, -100},
    };
    size_t nh = sizeof(hard) / sizeof(hard[0]);
    struct rng g;
    rng_seed(&g, seed * 2 + 2);
    qs->name = "anywhere";
    qs->n = n;
    qs->q = xcalloc(n, sizeof(*qs->q));
    for (size_t i = 0; i < n; i++) {
        if (i < nh) {
            qs->q[i] = hard[i];
            continue;
        }
        double z = 2.0 * rng_uniform(&g) - 1.0;
        double lon = 360.0 * rng_uniform(&g) - 180.0;
        qs->q[i] = (struct geo_point){asin(z) / DEG2RAD, lon};
    }
}

/* ---- k-NN on the index ---- */

static enum ru_status time_geoindex(const struct geoindex *ix, struct qset *qs, const struct options *o)
{
    struct geoindex_scratch sc;
    double *ns = xcalloc(qs->n, sizeof(double)), *best = xcalloc(qs->n, sizeof(double));
    struct pass_stats *ps = xcalloc(o->repeat, sizeof(*ps)), *ps_sub = xcalloc(o->repeat, sizeof(*ps));
    size_t nsub = o->rtree_queries < qs->n ? o->rtree_queries : qs->n;
    double *sub = xcalloc(nsub, sizeof(double));
    double leaves = 0;
    enum ru_status rc = RU_OK;
    geoindex_scratch_init(&sc);
    /* Pass 0 warms the caches; passes 1..repeat are timed. */
    for (size_t pass = 0; pass <= o->repeat && rc == RU_OK; pass++) {
        for (size_t i = 0; i < qs->n; i++) {
            struct geoindex_query q = {.origin = qs->q[i], .k = o->k};
            const struct geoindex_hit *hits;
            size_t n;
            double t0 = now_ns();
            rc = geoindex_search(ix, &sc, &q, &hits, &n);
            double t1 = now_ns();
            if (rc != RU_OK)
                break;
            if (pass == 0)
                continue;
            ns[i] = t1 - t0;
            if (pass == 1 || ns[i] < best[i])
                best[i] = ns[i];
            if (pass > 1)
                continue;
            leaves += (double)sc.leaves_visited;
            if (i < qs->nkeep) {
                qs->count[i] = n;
                for (size_t j = 0; j < n; j++) {
                    qs->rows[i * o->k + j] = hits[j].pt.row;
                    qs->dist[i * o->k + j] = hits[j].distance_m;
                }
            }
        }
        if (pass > 0 && rc == RU_OK) {
            /* The same statistics on the queries the R*Tree runs, for a like-for-like ratio. */
            memcpy(sub, ns, nsub * sizeof(double));
            ps_sub[pass - 1] = pass_stats(sub, nsub);
            ps[pass - 1] = pass_stats(ns, qs->n);
        }
    }
    if (rc == RU_OK) {
        /* The slowest query by its best time over the passes: slow by itself, not by bad luck. */
        size_t worst = 0;
        for (size_t i = 1; i < qs->n; i++)
            if (best[i] > best[worst])
                worst = i;
        char key[64];
        snprintf(key, sizeof(key), "%s.geoindex", qs->name);
        printf("%s.leaves_mean=%.1f\n", key, leaves / (double)qs->n);
        printf("%s.slowest_query=%.6f,%.6f (best of %zu: %.1f us)\n", key, qs->q[worst].lat, qs->q[worst].lon,
               o->repeat, best[worst] / 1e3);
        report_passes(key, ps, o->repeat, qs->n, 1e3, "us");
        snprintf(key, sizeof(key), "%s.geoindex_rtree_queries", qs->name);
        report_passes(key, ps_sub, o->repeat, nsub, 1e3, "us");
    }
    geoindex_scratch_release(&sc);
    free(ns);
    free(best);
    free(ps);
    free(ps_sub);
    free(sub);
    return rc;
}

/* ---- brute force ---- */

struct best {
    double d;
    uint32_t rank;
};

/* Insert (d, rank) into the sorted top-K list B of *n entries. */
static void best_offer(struct best *b, size_t *n, size_t k, double d, uint32_t rank)
{
    if (*n == k && (d > b[k - 1].d || (d == b[k - 1].d && rank > b[k - 1].rank)))
        return;
    size_t i = *n < k ? (*n)++ : k - 1;
    while (i > 0 && (b[i - 1].d > d || (b[i - 1].d == d && b[i - 1].rank > rank))) {
        b[i] = b[i - 1];
        i--;
    }
    b[i].d = d;
    b[i].rank = rank;
}

/* The exact k nearest by haversine, ties by rank. Up to BRUTE_FULL_MAX stores every one
 * gets a haversine distance. Above, a first pass finds the k-th smallest squared chord
 * and only stores within a generous margin of it (relative 1e-6, absolute 1e-14, i.e.
 * more than half a metre: far beyond rounding) get a haversine distance. */
static size_t brute_force(const struct stores *s, struct geo_point q, size_t k, struct best *out,
                          double *chord_top)
{
    size_t n = 0;
    if (s->n <= BRUTE_FULL_MAX) {
        for (size_t i = 0; i < s->n; i++)
            best_offer(out, &n, k, geo_distance_m(q, (struct geo_point){s->lat[i], s->lon[i]}), (uint32_t)i);
        return n;
    }
    double qv[3], thr = INFINITY;
    size_t nc = 0;
    geo_unit_vector(q, qv);
    for (size_t i = 0; i < s->n; i++) {
        double c = geo_chord2(qv, s->xyz + 3 * i);
        if (nc == k && c >= chord_top[k - 1])
            continue;
        size_t j = nc < k ? nc++ : k - 1;
        while (j > 0 && chord_top[j - 1] > c) {
            chord_top[j] = chord_top[j - 1];
            j--;
        }
        chord_top[j] = c;
    }
    if (nc == k)
        thr = chord_top[k - 1] * (1 + 1e-6) + 1e-14;
    for (size_t i = 0; i < s->n; i++)
        if (geo_chord2(qv, s->xyz + 3 * i) <= thr)
            best_offer(out, &n, k, geo_distance_m(q, (struct geo_point){s->lat[i], s->lon[i]}), (uint32_t)i);
    return n;
}

static size_t verify_brute(const struct stores *s, const struct qset *qs, const struct options *o)
{
    size_t nv = o->verify < qs->nkeep ? o->verify : qs->nkeep, bad = 0, ties = 0;
    /* One more than k, to see ties across the k-th place too. */
    struct best *b = xcalloc(o->k + 1, sizeof(*b));
    double *chord_top = xcalloc(o->k + 1, sizeof(double));
    double t0 = now_ns();
    for (size_t i = 0; i < nv; i++) {
        size_t n1 = brute_force(s, qs->q[i], o->k + 1, b, chord_top), n = n1 < o->k ? n1 : o->k;
        int ok = n == qs->count[i], tie = 0;
        for (size_t j = 0; ok && j < n; j++) {
            uint32_t row = qs->rows[i * o->k + j];
            ok = row <= s->max_row && s->rank_of_row[row] == b[j].rank && qs->dist[i * o->k + j] == b[j].d;
        }
        for (size_t j = 1; j < n1; j++)
            tie |= b[j].d == b[j - 1].d;
        ties += (size_t)tie;
        if (!ok && bad++ < 5) {
            fprintf(stderr, "bench-locate: %s query %zu (%.17g,%.17g): index and brute force differ\n",
                    qs->name, i, qs->q[i].lat, qs->q[i].lon);
            for (size_t j = 0; j < o->k; j++)
                fprintf(stderr, "  %zu: index %s %.6f m | brute %s %.6f m\n", j,
                        j < qs->count[i] ? id_of_row(s, qs->rows[i * o->k + j]) : "-",
                        j < qs->count[i] ? qs->dist[i * o->k + j] : 0.0, j < n ? s->id[b[j].rank] : "-",
                        j < n ? b[j].d : 0.0);
        }
    }
    printf(
        "%s.verify.queries=%zu\n%s.verify.mismatches=%zu\n%s.verify.with_ties=%zu\n%s.verify.seconds=%.1f\n",
        qs->name, nv, qs->name, bad, qs->name, ties, qs->name, (now_ns() - t0) / 1e9);
    free(b);
    free(chord_top);
    return bad;
}

/* ---- the R*Tree baseline ---- */

struct rtree {
    sqlite3 *db;
    sqlite3_stmt *count, *fetch;
    struct best *cand;
    size_t cand_alloc;
};

struct box {
    double lat0, lat1, lon0, lon1;
};

/* Boxes covering lat +-DLAT, lon +-DLON (degrees): the whole longitude range when the
 * latitude span reaches a pole or DLON reaches 180, two boxes across the antimeridian. */
static size_t make_boxes(struct geo_point p, double dlat, double dlon, struct box out[2])
{
    double a = p.lat - dlat, b = p.lat + dlat;
    if (a <= -90.0 || b >= 90.0 || !(dlon < 180.0)) {
        out[0] = (struct box){a < -90.0 ? -90.0 : a, b > 90.0 ? 90.0 : b, -180.0, 180.0};
        return 1;
    }
    double l0 = p.lon - dlon, l1 = p.lon + dlon;
    if (l0 < -180.0) {
        out[0] = (struct box){a, b, l0 + 360.0, 180.0};
        out[1] = (struct box){a, b, -180.0, l1};
        return 2;
    }
    if (l1 > 180.0) {
        out[0] = (struct box){a, b, l0, 180.0};
        out[1] = (struct box){a, b, -180.0, l1 - 360.0};
        return 2;
    }
    out[0] = (struct box){a, b, l0, l1};
    return 1;
}

static int whole_world(const struct box *bx, size_t nb)
{
    return nb == 1 && bx[0].lat0 <= -90.0 && bx[0].lat1 >= 90.0 && bx[0].lon0 <= -180.0 &&
           bx[0].lon1 >= 180.0;
}

static void bind_box(sqlite3_stmt *st, const struct box *b)
{
    sqlite3_bind_double(st, 1, b->lat0);
    sqlite3_bind_double(st, 2, b->lat1);
    sqlite3_bind_double(st, 3, b->lon0);
    sqlite3_bind_double(st, 4, b->lon1);
}

static enum ru_status rtree_open(const char *path, struct rtree *rt)
{
    char *err = NULL;
    memset(rt, 0, sizeof(*rt));
    /* The R*Tree lives in a separate in-memory database (the product schema stays as it
     * is); the store table is read from the locator database attached beside it. */
    if (sqlite3_open_v2(":memory:", &rt->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rt->db, "ATTACH ?1 AS loc", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        goto fail;
    double t0 = now_ns();
    if (sqlite3_exec(rt->db,
                     "PRAGMA loc.cache_size = -1048576;"
                     "CREATE VIRTUAL TABLE main.store_rtree USING rtree(id, minlat, maxlat, minlon, maxlon);"
                     "BEGIN;"
                     "INSERT INTO main.store_rtree SELECT rowid, lat, lat, lon, lon FROM loc.store;"
                     "COMMIT;",
                     NULL, NULL, &err) != SQLITE_OK)
        goto fail;
    printf("rtree.build_s=%.2f\n", (now_ns() - t0) / 1e9);
    if (sqlite3_prepare_v2(rt->db,
                           "SELECT count(*) FROM store_rtree WHERE minlat <= ?2 AND maxlat >= ?1"
                           " AND minlon <= ?4 AND maxlon >= ?3",
                           -1, &rt->count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            rt->db,
            "SELECT s.rowid, s.lat, s.lon FROM store_rtree r JOIN loc.store s ON s.rowid = r.id"
            " WHERE r.minlat <= ?2 AND r.maxlat >= ?1 AND r.minlon <= ?4 AND r.maxlon >= ?3",
            -1, &rt->fetch, NULL) != SQLITE_OK)
        goto fail;
    return RU_OK;
fail:
    fprintf(stderr, "bench-locate: R*Tree baseline: %s\n", err ? err : sqlite3_errmsg(rt->db));
    sqlite3_free(err);
    return RU_ERR_DB;
}

static void rtree_close(struct rtree *rt)
{
    sqlite3_finalize(rt->count);
    sqlite3_finalize(rt->fetch);
    sqlite3_close(rt->db);
    free(rt->cand);
}

/* Stores in the boxes, k best by (haversine, rank) into OUT; *total gets how many were seen. */
static enum ru_status rtree_fetch(struct rtree *rt, const struct stores *s, struct geo_point q,
                                  const struct box *bx, size_t nb, size_t k, struct best *out, size_t *n,
                                  size_t *total)
{
    *n = 0;
    *total = 0;
    for (size_t b = 0; b < nb; b++) {
        bind_box(rt->fetch, &bx[b]);
        int r;
        while ((r = sqlite3_step(rt->fetch)) == SQLITE_ROW) {
            sqlite3_int64 row = sqlite3_column_int64(rt->fetch, 0);
            struct geo_point p = {sqlite3_column_double(rt->fetch, 1), sqlite3_column_double(rt->fetch, 2)};
            uint32_t rank = (size_t)row <= s->max_row ? s->rank_of_row[row] : UINT32_MAX;
            best_offer(out, n, k, geo_distance_m(q, p), rank);
            (*total)++;
        }
        sqlite3_reset(rt->fetch);
        if (r != SQLITE_DONE)
            return RU_ERR_DB;
    }
    return RU_OK;
}

/* The classic expanding-box k-NN: grow a +-d box (longitude widened by 1/cos(lat)) until
 * it holds k stores, take the k-th distance D among them, then search the bounding box of
 * the spherical cap of radius D (which holds every store within D) for the exact answer. */
static enum ru_status rtree_knn(struct rtree *rt, const struct stores *s, struct geo_point q, size_t k,
                                struct best *out, size_t *n, size_t *seen)
{
    struct box bx[2];
    size_t nb;
    double d = RTREE_D0_DEG;
    enum ru_status rc;
    for (;;) {
        double c = cos(q.lat * DEG2RAD);
        double dlon = c > 1e-9 ? d / c : 360.0;
        nb = make_boxes(q, d, dlon, bx);
        sqlite3_int64 cnt = 0;
        for (size_t b = 0; b < nb; b++) {
            bind_box(rt->count, &bx[b]);
            if (sqlite3_step(rt->count) != SQLITE_ROW) {
                sqlite3_reset(rt->count);
                return RU_ERR_DB;
            }
            cnt += sqlite3_column_int64(rt->count, 0);
            sqlite3_reset(rt->count);
        }
        if ((size_t)cnt >= k || whole_world(bx, nb))
            break;
        d *= 2;
    }
    size_t total;
    if ((rc = rtree_fetch(rt, s, q, bx, nb, k, out, n, &total)) != RU_OK)
        return rc;
    *seen = total;
    if (*n < k || whole_world(bx, nb))
        return RU_OK; /* the whole world was searched */

    /* The cap of radius D: latitude +-D; longitude +-asin(sin D / cos lat), the exact
     * extent of a cap that does not hold a pole. Widened a little against rounding. */
    double r = out[k - 1].d * (1 + 1e-9) / GEO_EARTH_RADIUS_M + 1e-12;
    double dlat = r / DEG2RAD + 1e-9, dlon = 360.0;
    double sl = sin(r) / cos(q.lat * DEG2RAD);
    if (r < BENCH_PI / 2 && sl < 1.0)
        dlon = asin(sl) / DEG2RAD + 1e-9;
    nb = make_boxes(q, dlat, dlon, bx);
    rc = rtree_fetch(rt, s, q, bx, nb, k, out, n, &total);
    *seen += total;
    return rc;
}

static size_t time_rtree(struct rtree *rt, const struct stores *s, struct qset *qs, const struct options *o,
                         int *failed)
{
    size_t nq = o->rtree_queries < qs->nkeep ? o->rtree_queries : qs->nkeep, bad = 0;
    double *ns = xcalloc(nq, sizeof(double)), seen_sum = 0;
    struct best *b = xcalloc(o->k, sizeof(*b));
    for (size_t i = 0; i < nq; i++) {
        size_t n = 0, seen = 0;
        double t0 = now_ns();
        enum ru_status rc = rtree_knn(rt, s, qs->q[i], o->k, b, &n, &seen);
        ns[i] = now_ns() - t0;
        seen_sum += (double)seen;
        if (rc != RU_OK) {
            fprintf(stderr, "bench-locate: R*Tree query failed: %s\n", sqlite3_errmsg(rt->db));
            *failed = 1;
            break;
        }
        int ok = n == qs->count[i];
        for (size_t j = 0; ok && j < n; j++) {
            uint32_t row = qs->rows[i * o->k + j];
            ok = s->rank_of_row[row] == b[j].rank;
        }
        if (!ok && bad++ < 5)
            fprintf(stderr, "bench-locate: %s query %zu (%.17g,%.17g): R*Tree and index differ\n", qs->name,
                    i, qs->q[i].lat, qs->q[i].lon);
    }
    char key[64];
    snprintf(key, sizeof(key), "%s.rtree", qs->name);
    printf("%s.candidates_mean=%.1f\n%s.mismatches=%zu\n", key, seen_sum / (double)nq, key, bad);
    report(key, ns, nq, 1e3, "us");
    free(ns);
    free(b);
    return bad;
}

/* ---- locator_find ---- */

static size_t time_find(struct locator *loc, const struct stores *s, struct qset *qs, const struct options *o,
                        int *failed)
{
    size_t nq = o->find_queries < qs->n ? o->find_queries : qs->n, bad = 0;
    size_t nv = o->verify < qs->nkeep ? o->verify : qs->nkeep;
    double *ns = xcalloc(nq, sizeof(double));
    struct pass_stats *ps = xcalloc(o->repeat, sizeof(*ps));
    /* Pass 0 warms the caches on part of the set; passes 1..repeat are timed. */
    for (size_t pass = 0; pass <= o->repeat; pass++) {
        size_t lim = pass == 0 ? (nq < 2000 ? nq : 2000) : nq;
        for (size_t i = 0; i < lim; i++) {
            char text[80];
            snprintf(text, sizeof(text), "%.17g,%.17g", qs->q[i].lat, qs->q[i].lon);
            struct locate_request req = {.query = text, .k = o->k};
            struct locate_result res;
            locate_result_init(&res);
            double t0 = now_ns();
            enum ru_status rc = locator_find(loc, &req, &res);
            double t1 = now_ns();
            if (rc != RU_OK) {
                fprintf(stderr, "bench-locate: locator_find('%s'): %s: %s\n", text, ru_status_str(rc),
                        locator_errmsg(loc));
                locate_result_release(&res);
                *failed = 1;
                free(ns);
                free(ps);
                return bad;
            }
            if (pass > 0)
                ns[i] = t1 - t0;
            if (pass == 1) {
                int ok = i >= nv || res.nstores == qs->count[i];
                for (size_t j = 0; i < nv && ok && j < res.nstores; j++) {
                    uint32_t row = qs->rows[i * o->k + j];
                    ok = !strcmp(res.stores[j].id, id_of_row(s, row)) &&
                         res.stores[j].distance_m == qs->dist[i * o->k + j];
                }
                if (!ok && bad++ < 5)
                    fprintf(stderr, "bench-locate: %s query %zu (%s): locator_find and index differ\n",
                            qs->name, i, text);
            }
            locate_result_release(&res);
        }
        if (pass > 0)
            ps[pass - 1] = pass_stats(ns, nq);
    }
    char key[64];
    snprintf(key, sizeof(key), "%s.find", qs->name);
    printf("%s.mismatches=%zu\n", key, bad);
    report_passes(key, ps, o->repeat, nq, 1e3, "us");
    free(ns);
    free(ps);
    return bad;
}

/* ---- one reup-locate process per query ---- */

/* Run ARGV[0] with standard output and error on /dev/null; its exit code, or -1. */
static int run_quiet(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0)
        return -1;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_cli(const char *cli, const char *db, const char *k, const char *query)
{
    char *argv[] = {(char *)cli, "--db", (char *)db, "-k", (char *)k, (char *)query, NULL};
    return run_quiet(argv);
}

/* The floor under every CLI figure: starting `reup-locate --version` (loader, libraries). */
static void time_cli_start(const struct options *o)
{
    size_t nq = o->cli_queries;
    double *ns = xcalloc(nq, sizeof(double));
    char *argv[] = {(char *)o->cli, "--version", NULL};
    for (size_t i = 0; i < nq; i++) {
        double t0 = now_ns();
        (void)run_quiet(argv);
        ns[i] = now_ns() - t0;
    }
    report("cli_start", ns, nq, 1e6, "ms");
    free(ns);
}

/* What one CLI run does after starting, in process: open the locator without preloading,
 * answer one query, close. Warmer than a fresh process (the allocator has its memory). */
static void time_open_phases(const struct qset *qs, const struct options *o, int *failed)
{
    size_t nq = 20 < qs->n ? 20 : qs->n;
    double *open_ns = xcalloc(nq, sizeof(double)), *find_ns = xcalloc(nq, sizeof(double));
    double *free_ns = xcalloc(nq, sizeof(double));
    for (size_t i = 0; i < nq; i++) {
        struct locator *loc = NULL;
        struct locate_result res;
        char text[80];
        snprintf(text, sizeof(text), "%.6f,%.6f", qs->q[i].lat, qs->q[i].lon);
        struct locate_request req = {.query = text, .k = o->k};
        locate_result_init(&res);
        double t0 = now_ns();
        enum ru_status rc = locator_open(o->db, 0, &loc);
        double t1 = now_ns();
        if (rc == RU_OK)
            rc = locator_find(loc, &req, &res);
        double t2 = now_ns();
        locate_result_release(&res);
        locator_free(loc);
        double t3 = now_ns();
        if (rc != RU_OK) {
            fprintf(stderr, "bench-locate: open and find '%s': %s\n", text, ru_status_str(rc));
            *failed = 1;
        }
        open_ns[i] = t1 - t0;
        find_ns[i] = t2 - t1;
        free_ns[i] = t3 - t2;
    }
    report("open.locator_open", open_ns, nq, 1e6, "ms");
    report("open.first_find", find_ns, nq, 1e6, "ms");
    report("open.locator_free", free_ns, nq, 1e6, "ms");
    free(open_ns);
    free(find_ns);
    free(free_ns);
}

static void time_cli(const struct qset *qs, const struct options *o, int *failed)
{
    size_t nq = o->cli_queries < qs->n ? o->cli_queries : qs->n, fails = 0;
    double *ns = xcalloc(nq, sizeof(double));
    char k[24];
    snprintf(k, sizeof(k), "%zu", o->k);
    for (size_t i = 0; i < 5 && i < nq; i++) { /* warm the page cache and the loader */
        char text[80];
        snprintf(text, sizeof(text), "%.6f,%.6f", qs->q[i].lat, qs->q[i].lon);
        (void)run_cli(o->cli, o->db, k, text);
    }
    for (size_t i = 0; i < nq; i++) {
        char text[80];
        snprintf(text, sizeof(text), "%.6f,%.6f", qs->q[i].lat, qs->q[i].lon);
        double t0 = now_ns();
        int code = run_cli(o->cli, o->db, k, text);
        ns[i] = now_ns() - t0;
        if (code != 0 && fails++ < 5)
            fprintf(stderr, "bench-locate: %s --db %s -k %s %s: exit %d\n", o->cli, o->db, k, text, code);
    }
    if (fails)
        *failed = 1;
    char key[64];
    snprintf(key, sizeof(key), "%s.cli", qs->name);
    printf("%s.failures=%zu\n", key, fails);
    report(key, ns, nq, 1e6, "ms");
    free(ns);
}

/* ---- place names ---- */

static enum ru_status time_names(struct db *db, const struct options *o, int *failed)
{
    static const char *const fixed[] = {
        "Springfield, IL",     "springfield illinois",
        "SPRINGFIELD, IL, US", "Springfield",
        "Rock Springs, WY",    "København",
        "Kobenhavn",           "Paris",
        "Paris, TX",           "London, GB",
        "Portland, OR",        "Portland, ME",
        "Sao Paulo",           "Tokyo",
        "Mexico City",         "Kansas City, MO",
    };
    size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
    sqlite3_stmt *st = NULL;
    struct gazetteer *gz = NULL;
    char **names = NULL;
    size_t nn = 0, total = 0;
    double *ns = NULL;
    enum ru_status rc;
    int r;

    /* Every populated place with its region label; names are drawn uniformly from them. */
    if ((rc = db_prepare(db,
                         "SELECT p.name, p.country, p.admin1, a.name FROM place p LEFT JOIN admin1 a"
                         " ON a.country = p.country AND a.code = p.admin1 ORDER BY p.id",
                         &st)) != RU_OK)
        return rc;
    size_t alloc = 0;
    char **all = NULL;
    struct rng g;
    rng_seed(&g, o->seed * 2 + 3);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *cc = (const char *)sqlite3_column_text(st, 1);
        const char *a1 = (const char *)sqlite3_column_text(st, 2);
        const char *a1name = (const char *)sqlite3_column_text(st, 3);
        char buf[600];
        /* Three shapes in turn: "Name", "Name, CC", "Name, ST" (US) / "Name, Region". */
        switch (total % 3) {
        case 0: snprintf(buf, sizeof(buf), "%.200s", name); break;
        case 1: snprintf(buf, sizeof(buf), "%.200s, %s", name, cc); break;
        default:
            snprintf(buf, sizeof(buf), "%.200s, %.200s", name, !strcmp(cc, "US") || !a1name ? a1 : a1name);
            break;
        }
        if (total == alloc) {
            alloc = alloc ? 2 * alloc : 65536;
            all = realloc(all, alloc * sizeof(*all));
            if (!all) {
                sqlite3_finalize(st);
                return RU_ERR_NOMEM;
            }
        }
        all[total++] = strdup(buf);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return db_fail(db, "reading places");
    nn = o->names + nfixed;
    names = xcalloc(nn, sizeof(*names));
    for (size_t i = 0; i < nn; i++)
        names[i] = i < nfixed ? (char *)fixed[i] : (total ? all[rng_next(&g) % total] : (char *)fixed[0]);

    if ((rc = gazetteer_open(db, &gz)) != RU_OK)
        goto out;
    ns = xcalloc(nn, sizeof(double));
    for (int pass = 0; pass < 2; pass++) { /* pass 0: cold SQLite cache; pass 1: warm */
        size_t notfound = 0;
        for (size_t i = 0; i < nn; i++) {
            struct gz_match m;
            double t0 = now_ns();
            enum ru_status s = gazetteer_find_place(gz, names[i], &m);
            ns[i] = now_ns() - t0;
            if (s == RU_ERR_NOT_FOUND) {
                if (pass == 0 && notfound < 5)
                    fprintf(stderr, "bench-locate: place '%s' not found\n", names[i]);
                notfound++;
            } else if (s != RU_OK) {
                fprintf(stderr, "bench-locate: place '%s': %s\n", names[i], ru_status_str(s));
                *failed = 1;
            }
        }
        printf("names%s.notfound=%zu\n", pass == 0 ? ".cold" : "", notfound);
        report(pass == 0 ? "names.cold" : "names", ns, nn, 1e3, "us");
    }
out:
    gazetteer_free(gz);
    for (size_t i = 0; i < total; i++)
        free(all[i]);
    free(all);
    free(names);
    free(ns);
    return rc;
}

/* ---- the index build alone ---- */

static enum ru_status time_index_build(const struct options *o)
{
    struct db *db = NULL;
    enum ru_status rc = db_open(o->db, 0, locator_migrations, &db);
    double *ns = xcalloc(o->index_builds, sizeof(double));
    if (rc != RU_OK) {
        fprintf(stderr, "bench-locate: cannot open '%s' for writing: %s\n", o->db,
                db ? db_errmsg(db) : "out of memory");
        goto out;
    }
    for (size_t i = 0; i < o->index_builds; i++) {
        /* Built inside a transaction that is rolled back: the database is left as it was. */
        if ((rc = db_begin(db)) != RU_OK)
            goto out;
        double t0 = now_ns();
        rc = locator_db_build_index(db, LOCATOR_SET_STORES);
        ns[i] = now_ns() - t0;
        db_rollback(db);
        if (rc != RU_OK) {
            fprintf(stderr, "bench-locate: index build: %s\n", db_errmsg(db));
            goto out;
        }
    }
    report("index_build", ns, o->index_builds, 1e6, "ms");
out:
    free(ns);
    db_free(db);
    return rc;
}

/* ---- database size ---- */

static void report_sizes(struct db *db)
{
    sqlite3_stmt *st = NULL;
    /* Whole file from the page count. */
    if (db_prepare(db, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size", &st) ==
            RU_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        printf("db.bytes=%lld\n", (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    st = NULL;
    /* The store index alone: its node boxes and its leaves (payload bytes; the places
     * index shares the tables). */
    if (db_prepare(
            db,
            "SELECT (SELECT sum(length(boxes)) FROM geoindex_node WHERE key >= ?1 << 32 AND key < (?1 + 1) "
            "<< 32) +"
            " (SELECT sum(length(points)) FROM geoindex_leaf WHERE key >= ?1 << 32 AND key < (?1 + 1) << 32)",
            &st) == RU_OK) {
        sqlite3_bind_int(st, 1, LOCATOR_SET_STORES);
        if (sqlite3_step(st) == SQLITE_ROW)
            printf("db.store_index_bytes=%lld\n", (long long)sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
}

/* ---- main ---- */

static int usage_error(const char *msg)
{
    fprintf(stderr, "bench-locate: %s\n\n%s", msg, USAGE);
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct {
        const char *name;
        size_t offset;
    } counts[] = {
        {"--queries", offsetof(struct options, queries)},
        {"--find-queries", offsetof(struct options, find_queries)},
        {"--verify", offsetof(struct options, verify)},
        {"--rtree-queries", offsetof(struct options, rtree_queries)},
        {"--cli-queries", offsetof(struct options, cli_queries)},
        {"--names", offsetof(struct options, names)},
        {"--index-builds", offsetof(struct options, index_builds)},
        {"-k", offsetof(struct options, k)},
        {"--repeat", offsetof(struct options, repeat)},
    };
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t *count = NULL;
        char msg[300];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(USAGE, stdout);
            return -1;
        }
        for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
            if (!strcmp(a, counts[c].name))
                count = (size_t *)((char *)o + counts[c].offset);
        if (!count && strcmp(a, "--db") && strcmp(a, "--cli") && strcmp(a, "--seed")) {
            snprintf(msg, sizeof(msg), "unknown option '%.200s'", a);
            return usage_error(msg);
        }
        if (!v) {
            snprintf(msg, sizeof(msg), "option '%s' needs a value", a);
            return usage_error(msg);
        }
        if (!strcmp(a, "--db")) {
            o->db = v;
        } else if (!strcmp(a, "--cli")) {
            o->cli = v;
        } else if (!strcmp(a, "--seed")) {
            size_t seed;
            if (!parse_size(v, &seed))
                return usage_error("--seed takes a non-negative whole number");
            o->seed = seed;
        } else if (!parse_size(v, count)) {
            snprintf(msg, sizeof(msg), "%s takes a non-negative whole number", a);
            return usage_error(msg);
        }
    }
    if (!o->db)
        return usage_error("--db is required");
    if (o->repeat < 1 || o->repeat > MAX_PASSES)
        return usage_error("--repeat takes a whole number from 1 to 100");
    if (o->k < 1 || o->k > LOCATE_MAX_K)
        return usage_error("-k takes a whole number from 1 to 1000");
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {.queries = 20000,
                        .find_queries = 10000,
                        .verify = 1000,
                        .rtree_queries = 2000,
                        .cli_queries = 200,
                        .names = 1000,
                        .k = 10,
                        .repeat = 3,
                        .seed = 1};
    struct db *db = NULL;
    struct locator_index *li = NULL;
    struct locator *loc = NULL;
    struct stores s = {0};
    struct qset sets[2] = {{0}, {0}};
    struct rtree rt = {0};
    size_t mismatches = 0;
    int failed = 0, code;
    enum ru_status rc;

    if ((code = parse_args(argc, argv, &o)) != 0)
        return code < 0 ? EXIT_EXACT : code;

    if (o.index_builds > 0) {
        fprintf(stderr, "bench-locate: timing the store index build (%zu times)\n", o.index_builds);
        if (time_index_build(&o) != RU_OK)
            return EXIT_FAILED;
    }

    rc = db_open(o.db, DB_READONLY, locator_migrations, &db);
    if (rc != RU_OK) {
        fprintf(stderr, "bench-locate: cannot open the database: %s\n", db ? db_errmsg(db) : "out of memory");
        db_free(db);
        return EXIT_NO_DB;
    }
    fprintf(stderr, "bench-locate: loading stores and making queries\n");
    if ((rc = load_stores(db, &s)) != RU_OK || (rc = make_near(db, o.queries, o.seed, &sets[0])) != RU_OK) {
        fprintf(stderr, "bench-locate: %s: %s\n", ru_status_str(rc), db_errmsg(db));
        code = EXIT_FAILED;
        goto out;
    }
    make_anywhere(o.queries, o.seed, &sets[1]);
    printf("stores=%zu\nk=%zu\nseed=%llu\n", s.n, o.k, (unsigned long long)o.seed);
    report_sizes(db);

    double t0 = now_ns();
    if ((rc = locator_index_open(db, LOCATOR_SET_STORES, 1, &li)) != RU_OK) {
        fprintf(stderr, "bench-locate: cannot open the store index: %s\n", ru_status_str(rc));
        code = EXIT_FAILED;
        goto out;
    }
    printf("index.load_ms=%.1f\n", (now_ns() - t0) / 1e6);

    for (int i = 0; i < 2; i++) {
        struct qset *qs = &sets[i];
        qs->nkeep = o.verify > o.rtree_queries ? o.verify : o.rtree_queries;
        if (qs->nkeep > qs->n)
            qs->nkeep = qs->n;
        qs->rows = xcalloc(qs->nkeep * o.k, sizeof(uint32_t));
        qs->dist = xcalloc(qs->nkeep * o.k, sizeof(double));
        qs->count = xcalloc(qs->nkeep, sizeof(size_t));
        fprintf(stderr, "bench-locate: %s: %zu index queries\n", qs->name, qs->n);
        if ((rc = time_geoindex(locator_index_tree(li), qs, &o)) != RU_OK) {
            fprintf(stderr, "bench-locate: index search: %s\n", ru_status_str(rc));
            code = EXIT_FAILED;
            goto out;
        }
        fprintf(stderr, "bench-locate: %s: brute-force check\n", qs->name);
        mismatches += verify_brute(&s, qs, &o);
    }
    locator_index_free(li);
    li = NULL;

    if (o.rtree_queries > 0) {
        fprintf(stderr, "bench-locate: building the R*Tree baseline\n");
        if (rtree_open(o.db, &rt) != RU_OK) {
            code = EXIT_FAILED;
            goto out;
        }
        for (int i = 0; i < 2; i++) {
            fprintf(stderr, "bench-locate: %s: R*Tree queries\n", sets[i].name);
            mismatches += time_rtree(&rt, &s, &sets[i], &o, &failed);
        }
        rtree_close(&rt);
        memset(&rt, 0, sizeof(rt));
    }

    if (o.find_queries > 0) {
        if ((rc = locator_open(o.db, LOCATOR_PRELOAD, &loc)) != RU_OK) {
            fprintf(stderr, "bench-locate: locator_open: %s\n", locator_errmsg(loc));
            code = EXIT_FAILED;
            goto out;
        }
        for (int i = 0; i < 2; i++) {
            fprintf(stderr, "bench-locate: %s: locator_find queries\n", sets[i].name);
            mismatches += time_find(loc, &s, &sets[i], &o, &failed);
        }
        locator_free(loc);
        loc = NULL;
    }

    if (o.names > 0) {
        fprintf(stderr, "bench-locate: place names\n");
        if (time_names(db, &o, &failed) != RU_OK) {
            fprintf(stderr, "bench-locate: place names: %s\n", db_errmsg(db));
            failed = 1;
        }
    }

    if (o.cli && o.cli_queries > 0) {
        fprintf(stderr, "bench-locate: %zu reup-locate --version processes\n", o.cli_queries);
        time_cli_start(&o);
        for (int i = 0; i < 2; i++) {
            fprintf(stderr, "bench-locate: %s: %zu reup-locate processes\n", sets[i].name, o.cli_queries);
            time_cli(&sets[i], &o, &failed);
        }
        fprintf(stderr, "bench-locate: open, one query, close, in process\n");
        time_open_phases(&sets[0], &o, &failed);
    }

    printf("mismatches=%zu\n", mismatches);
    code = failed ? EXIT_FAILED : mismatches ? EXIT_MISMATCH : EXIT_EXACT;
out:
    if (rt.db)
        rtree_close(&rt);
    locator_free(loc);
    locator_index_free(li);
    for (int i = 0; i < 2; i++) {
        free(sets[i].q);
        free(sets[i].rows);
        free(sets[i].dist);
        free(sets[i].count);
    }
    stores_release(&s);
    db_free(db);
    return code;
}
