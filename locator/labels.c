/* locator/labels.c - ranking places for the map's labels, and the labels of a view. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "locator/labels.h"
#include "common/banned.h"

/* Web Mercator stops here: the tiles are square. */
#define MERCATOR_MAX_LAT 85.0511287798

static uint64_t tile_of(const struct labels_point *p, int zoom)
{
    double n = ldexp(1.0, zoom);
    double lat = fmax(-MERCATOR_MAX_LAT, fmin(MERCATOR_MAX_LAT, p->lat)) * M_PI / 180.0;
    double x = floor((p->lon + 180.0) / 360.0 * n), y = floor((1.0 - asinh(tan(lat)) / M_PI) / 2.0 * n);
    x = fmax(0, fmin(n - 1, x));
    y = fmax(0, fmin(n - 1, y));
    return ((uint64_t)x << 32 | (uint64_t)y) + 1; /* 0 marks a free slot */
}

enum ru_status labels_rank(const struct labels_point *p, size_t n, unsigned char *rank)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    uint64_t *keys = malloc(cap * sizeof(*keys));
    unsigned *counts = malloc(cap * sizeof(*counts));
    if (!keys || !counts) {
        free(keys);
        free(counts);
        return RU_ERR_NOMEM;
    }
    memset(rank, LABELS_TOP_RANK, n);
    unsigned char *ranked = calloc(n ? n : 1, 1);
    if (!ranked) {
        free(keys);
        free(counts);
        return RU_ERR_NOMEM;
    }
    for (int z = 0; z < LABELS_TOP_RANK; z++) {
        memset(keys, 0, cap * sizeof(*keys));
        for (size_t i = 0; i < n; i++) {
            uint64_t key = tile_of(&p[i], z);
            size_t slot = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
            while (keys[slot] && keys[slot] != key)
                slot = (slot + 1) & (cap - 1);
            if (!keys[slot]) {
                keys[slot] = key;
                counts[slot] = 0;
            }
            /* a place labelled from a lower zoom stays labelled and fills its tile */
            if (!ranked[i] && counts[slot] < LABELS_PER_TILE) {
                ranked[i] = 1;
                rank[i] = (unsigned char)z;
            }
            if (ranked[i])
                counts[slot]++;
        }
    }
    free(ranked);
    free(keys);
    free(counts);
    return RU_OK;
}

/* The Z-order (Morton) key of P on a 65,536 x 65,536 grid: near keys, near places. */
static uint32_t z_order(const struct labels_point *p)
{
    uint32_t x = (uint32_t)fmin(65535.0, fmax(0.0, (p->lon + 180.0) / 360.0 * 65536.0));
    uint32_t y = (uint32_t)fmin(65535.0, fmax(0.0, (p->lat + 90.0) / 180.0 * 65536.0)), key = 0;
    for (int i = 0; i < 16; i++)
        key |= ((x >> i) & 1u) << (2 * i) | ((y >> i) & 1u) << (2 * i + 1);
    return key;
}

struct keyed {
    uint32_t key;
    uint32_t index;
};

static int by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    return x->key != y->key ? (x->key > y->key) - (x->key < y->key)
                            : (x->index > y->index) - (x->index < y->index);
}

enum ru_status labels_build(struct db *db)
{
    sqlite3_stmt *st = NULL;
    struct labels_point *pts = NULL;
    long long *ids = NULL;
    unsigned char *rank = NULL;
    struct keyed *order = NULL;
    size_t n = 0, alloc = 0;
    enum ru_status rc;
    int s;
    if ((rc = db_prepare(db, "SELECT id, lat, lon FROM place ORDER BY population DESC, id", &st)) != RU_OK)
        goto out;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 4096;
            struct labels_point *p = realloc(pts, na * sizeof(*p));
            if (p)
                pts = p;
            long long *q = realloc(ids, na * sizeof(*q));
            if (q)
                ids = q;
            if (!p || !q) {
                rc = RU_ERR_NOMEM;
                goto out;
            }
            alloc = na;
        }
        ids[n] = sqlite3_column_int64(st, 0);
        pts[n].lat = sqlite3_column_double(st, 1);
        pts[n].lon = sqlite3_column_double(st, 2);
        n++;
    }
    if (s != SQLITE_DONE) {
        rc = db_fail(db, "reading places for the labels");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!(rank = malloc(n ? n : 1))) {
        rc = RU_ERR_NOMEM;
        goto out;
    }
    if ((rc = labels_rank(pts, n, rank)) != RU_OK || (rc = db_exec(db, "DELETE FROM label_box")) != RU_OK)
        goto out;
    /* Inserted in population order the R*Tree's boxes sprawl (a small view then costs
     * milliseconds); in Z-order its nodes hold neighbours (a tenth of a millisecond). */
    if (!(order = malloc((n ? n : 1) * sizeof(*order)))) {
        rc = RU_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (struct keyed){z_order(&pts[i]), (uint32_t)i};
    qsort(order, n, sizeof(*order), by_key);
    if ((rc = db_prepare(db, "INSERT INTO label_box VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?4)", &st)) != RU_OK)
        goto out;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k].index;
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_double(st, 2, pts[i].lon);
        sqlite3_bind_double(st, 3, pts[i].lat);
        sqlite3_bind_int(st, 4, rank[i]);
        s = sqlite3_step(st);
        sqlite3_reset(st);
        if (s != SQLITE_DONE) {
            rc = db_fail(db, "writing the labels");
            goto out;
        }
    }
    rc = RU_OK;
out:
    sqlite3_finalize(st);
    free(pts);
    free(ids);
    free(rank);
    free(order);
    return rc;
}

int labels_missing(struct db *db)
{
    sqlite3_stmt *st = NULL;
    if (db_prepare(db, "SELECT NOT EXISTS (SELECT 1 FROM label_box) AND EXISTS (SELECT 1 FROM place)", &st) !=
        RU_OK)
        return -1;
    int r = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    if (r < 0)
        db_fail(db, "reading the labels");
    sqlite3_finalize(st);
    return r;
}

/* The rowid-sized R*Tree boxes are 32-bit floats rounded outwards: the place's own
 * position decides what is inside. */
static const char find_sql[] =
    "SELECT p.id, p.name, p.lat, p.lon, p.population, b.min_zoom FROM label_box b"
    " JOIN place p ON p.id = b.place"
    " WHERE b.min_zoom >= ?1 AND b.max_zoom <= ?6 AND b.max_lon >= ?2 AND b.min_lon <= ?4"
    " AND b.max_lat >= ?3 AND b.min_lat <= ?5"
    " AND p.lon BETWEEN ?2 AND ?4 AND p.lat BETWEEN ?3 AND ?5";

/* Rows one search over every rank reads before giving way to a search a rank at a time:
 * a view far larger than its zoom (the whole world at zoom 20) would hold thousands. */
#define ONE_SEARCH_ROWS 2000

static int by_rank(const void *a, const void *b)
{
    const struct label *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->population != y->population)
        return x->population > y->population ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int by_population(const void *a, const void *b)
{
    const struct label *x = a, *y = b;
    if (x->population != y->population)
        return x->population > y->population ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* SRC cut to fit DST (LABELS_NAME_MAX) at a character boundary. */
static void copy_name(char *dst, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    if (len >= LABELS_NAME_MAX) {
        len = LABELS_NAME_MAX - 1;
        while (len && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Append the rows of ST's search for ranks LO..HI in box B (west, east) of V to *FOUND.
 * 0 when ROW_CAP rows are reached first (the search stops there). */
struct found {
    struct label *l;
    size_t n, alloc;
};

static enum ru_status search(struct db *db, sqlite3_stmt *q, const double box[2], const struct labels_view *v,
                             int lo, int hi, struct found *f, size_t row_cap, int *complete)
{
    enum ru_status rc = RU_OK;
    int s;
    sqlite3_bind_int(q, 1, lo);
    sqlite3_bind_double(q, 2, box[0]);
    sqlite3_bind_double(q, 3, v->south);
    sqlite3_bind_double(q, 4, box[1]);
    sqlite3_bind_double(q, 5, v->north);
    sqlite3_bind_int(q, 6, hi);
    *complete = 1;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        if (f->n >= row_cap) {
            *complete = 0;
            break;
        }
        if (f->n == f->alloc) {
            size_t na = f->alloc ? 2 * f->alloc : 256;
            struct label *grown = realloc(f->l, na * sizeof(*grown));
            if (!grown) {
                rc = RU_ERR_NOMEM;
                break;
            }
            f->l = grown;
            f->alloc = na;
        }
        struct label *l = &f->l[f->n++];
        l->id = sqlite3_column_int64(q, 0);
        copy_name(l->name, (const char *)sqlite3_column_text(q, 1));
        l->lat = sqlite3_column_double(q, 2);
        l->lon = sqlite3_column_double(q, 3);
        l->population = sqlite3_column_int64(q, 4);
        l->rank = sqlite3_column_int(q, 5);
    }
    if (rc == RU_OK && *complete && s != SQLITE_DONE)
        rc = db_fail(db, "reading the labels");
    sqlite3_reset(q);
    return rc;
}

enum ru_status labels_find(struct db *db, sqlite3_stmt **st, const struct labels_view *v, struct label *out,
                           size_t *n)
{
    enum ru_status rc;
    if (!*st && (rc = db_prepare(db, find_sql, st)) != RU_OK)
        return rc;
    /* a box across the antimeridian is searched as its two halves */
    double boxes[2][2] = {{v->west, v->east}, {-180.0, v->east}};
    size_t nboxes = 1;
    if (v->west > v->east) {
        boxes[0][1] = 180.0;
        nboxes = 2;
    }
    struct found f = {0};
    int top = v->zoom < LABELS_TOP_RANK ? v->zoom : LABELS_TOP_RANK, complete = 1;
    rc = RU_OK;
    /* One search over every rank answers a view of about the zoom's size; a larger one
     * is searched a rank at a time from the lowest, until a whole rank fills the answer
     * (higher ones cannot get in then). Both keep the same labels. */
    for (size_t b = 0; b < nboxes && rc == RU_OK && complete; b++)
        rc = search(db, *st, boxes[b], v, 0, top, &f, ONE_SEARCH_ROWS, &complete);
    if (rc == RU_OK && !complete) {
        f.n = 0;
        for (int level = 0; level <= top && f.n < LABELS_MAX && rc == RU_OK; level++)
            for (size_t b = 0; b < nboxes && rc == RU_OK; b++)
                rc = search(db, *st, boxes[b], v, level, level, &f, (size_t)-1, &complete);
    }
    if (rc == RU_OK) {
        if (f.n > LABELS_MAX) {
            qsort(f.l, f.n, sizeof(*f.l), by_rank);
            f.n = LABELS_MAX;
        }
        if (f.n)
            memcpy(out, f.l, f.n * sizeof(*f.l));
        qsort(out, f.n, sizeof(*out), by_population);
        *n = f.n;
    }
    free(f.l);
    return rc;
}
