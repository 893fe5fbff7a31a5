/* locator/geoindex.c - implicit k-d tree on unit vectors, best-first exact k-NN. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "locator/geoindex.h"
#include "common/banned.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "stored indexes are little-endian; add byte swapping for this host"
#endif

/* Chord keys within this slack of the k-th best are kept and settled by haversine.
 * The relative part covers rounding of the two formulas (about 1e-15), the absolute part
 * rounding of the unit vectors for points a few metres apart (chord error ~1e-22). */
#define SLACK_REL 1e-9
#define SLACK_ABS 1e-18

struct geoindex {
    size_t n;
    unsigned leaf_size;
    unsigned depth;
    uint32_t nleaves;
    size_t nnodes;
    float *boxes;               /* in memory: 6 per node (min xyz, max xyz), node (d, j) at (1 << d) - 1 + j;
                                   NULL while lazy */
    struct geoindex_point *pts; /* in memory: all points in leaf order, or NULL (lazy) */
    double *xyz;

    /* Blocks: band b covers levels [band_start[b], band_start[b] + band_levels[b]); each
     * node at a band's first level roots one block, numbered from band_first[b]. */
    unsigned nbands;
    unsigned band_start[8], band_levels[8];
    uint32_t band_first[8];
    uint32_t nblocks;
    float **blocks; /* lazy: blocks read so far (NULL: not yet) */

    geoindex_fetch_fn fetch;
    geoindex_fetch_block_fn fetch_block;
    void *ctx;
};

struct heap_entry {
    double d2;
    uint32_t node;
};

struct cand {
    double c2;
    struct geoindex_point pt;
};

static unsigned depth_for(size_t n, unsigned leaf_size)
{
    unsigned d = 0;
    while (((n + ((size_t)1 << d) - 1) >> d) > leaf_size)
        d++;
    return d;
}

static size_t range_lo(size_t n, unsigned d, size_t j)
{
    /* j <= 2^32 and n < 2^32, so the product fits in 64 bits. */
    return (size_t)(((uint64_t)j * (uint64_t)n) >> d);
}

size_t geoindex_count(const struct geoindex *ix)
{
    return ix->n;
}
uint32_t geoindex_leaf_count(const struct geoindex *ix)
{
    return ix->nleaves;
}

size_t geoindex_leaf_start(const struct geoindex *ix, uint32_t leaf)
{
    return range_lo(ix->n, ix->depth, leaf);
}

uint32_t geoindex_block_count(const struct geoindex *ix)
{
    return ix->nblocks;
}

/* Where node NODE lives: its block and its index inside the block. */
static void locate_node(const struct geoindex *ix, uint32_t node, uint32_t *block, uint32_t *local)
{
    unsigned d = 31u - (unsigned)__builtin_clz(node + 1);
    uint32_t j = node + 1 - ((uint32_t)1 << d);
    unsigned b = 0;
    while (b + 1 < ix->nbands && ix->band_start[b + 1] <= d)
        b++;
    unsigned rel = d - ix->band_start[b];
    *block = ix->band_first[b] + (j >> rel);
    *local = ((uint32_t)1 << rel) - 1 + (j & (((uint32_t)1 << rel) - 1));
}

/* The band of BLOCK, and the global index of the block's root node. */
static unsigned block_band(const struct geoindex *ix, uint32_t block, uint32_t *root)
{
    unsigned b = 0;
    while (b + 1 < ix->nbands && ix->band_first[b + 1] <= block)
        b++;
    *root = ((uint32_t)1 << ix->band_start[b]) - 1 + (block - ix->band_first[b]);
    return b;
}

/* Global node index of local node LOCAL of the block rooted at global node ROOT. */
static uint32_t block_node(uint32_t root, uint32_t local)
{
    unsigned rel = 31u - (unsigned)__builtin_clz(local + 1);
    uint32_t pos = local + 1 - ((uint32_t)1 << rel);
    unsigned d = 31u - (unsigned)__builtin_clz(root + 1);
    uint32_t j = root + 1 - ((uint32_t)1 << d);
    return ((uint32_t)1 << (d + rel)) - 1 + (j << rel) + pos;
}

static size_t block_bytes(const struct geoindex *ix, unsigned band)
{
    return (((size_t)1 << ix->band_levels[band]) - 1) * GEOINDEX_NODE_BYTES;
}

size_t geoindex_block_bytes_max(const struct geoindex *ix)
{
    size_t most = 0;
    for (unsigned b = 0; b < ix->nbands; b++)
        most = block_bytes(ix, b) > most ? block_bytes(ix, b) : most;
    return most;
}

void geoindex_encode_block(const struct geoindex *ix, uint32_t block, unsigned char *out, size_t *len)
{
    uint32_t root;
    unsigned b = block_band(ix, block, &root);
    *len = block_bytes(ix, b);
    for (uint32_t i = 0; i < *len / GEOINDEX_NODE_BYTES; i++)
        memcpy(out + (size_t)i * GEOINDEX_NODE_BYTES, ix->boxes + 6 * (size_t)block_node(root, i),
               GEOINDEX_NODE_BYTES);
}

static enum ru_status alloc_shape(size_t n, unsigned leaf_size, struct geoindex **out)
{
    if (leaf_size < 1 || n > UINT32_MAX)
        return RU_ERR_INVALID;
    struct geoindex *ix = calloc(1, sizeof(*ix));
    if (!ix)
        return RU_ERR_NOMEM;
    ix->n = n;
    ix->leaf_size = leaf_size;
    ix->depth = depth_for(n, leaf_size);
    ix->nleaves = (uint32_t)1 << ix->depth;
    ix->nnodes = 2 * (size_t)ix->nleaves - 1;
    /* Bands of GEOINDEX_BLOCK_LEVELS levels ending at the leaves; the top band takes the
     * remainder, so leaf-level blocks are always whole subtrees. */
    unsigned levels = ix->depth + 1, top = levels % GEOINDEX_BLOCK_LEVELS;
    top = top ? top : GEOINDEX_BLOCK_LEVELS;
    for (unsigned start = 0, b = 0; start < levels; b++) {
        ix->band_start[b] = start;
        ix->band_levels[b] = b == 0 ? top : GEOINDEX_BLOCK_LEVELS;
        ix->band_first[b] = ix->nblocks;
        ix->nblocks += (uint32_t)1 << start;
        start += ix->band_levels[b];
        ix->nbands = b + 1;
    }
    *out = ix;
    return RU_OK;
}

/* ---- building ---- */

struct bpoint {
    double v[3];
    struct geoindex_point p;
};

static float round_down(double x)
{
    float f = (float)x;
    return (double)f > x ? nextafterf(f, -INFINITY) : f;
}

static float round_up(double x)
{
    float f = (float)x;
    return (double)f < x ? nextafterf(f, INFINITY) : f;
}

static void set_box(float *box, const struct bpoint *b, size_t lo, size_t hi, double ext[3])
{
    double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t i = lo; i < hi; i++)
        for (int a = 0; a < 3; a++) {
            if (b[i].v[a] < mn[a])
                mn[a] = b[i].v[a];
            if (b[i].v[a] > mx[a])
                mx[a] = b[i].v[a];
        }
    for (int a = 0; a < 3; a++) {
        /* An empty node gets an inverted box, whose distance is infinite. */
        box[a] = lo < hi ? round_down(mn[a]) : INFINITY;
        box[3 + a] = lo < hi ? round_up(mx[a]) : -INFINITY;
        ext[a] = lo < hi ? mx[a] - mn[a] : 0;
    }
}

/* Partially sort b[lo, hi) on axis a so that b[k] holds the element of that rank.
 * Three-way partitioning: the run equal to the pivot is never empty, so every round
 * shrinks the range, also with many equal coordinates. */
static void select_nth(struct bpoint *b, size_t lo, size_t hi, size_t k, int a)
{
    while (hi - lo > 1) {
        size_t m = lo + (hi - lo) / 2;
        /* median of three as the pivot keeps sorted input from going quadratic */
        double x = b[lo].v[a], y = b[m].v[a], z = b[hi - 1].v[a];
        double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            double v = b[i].v[a];
            struct bpoint t;
            if (v < pivot) {
                t = b[lt];
                b[lt++] = b[i];
                b[i++] = t;
            } else if (v > pivot) {
                t = b[--gt];
                b[gt] = b[i];
                b[i] = t;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;
    }
}

static void build_node(struct geoindex *ix, struct bpoint *b, unsigned d, size_t j)
{
    size_t lo = range_lo(ix->n, d, j), hi = range_lo(ix->n, d, j + 1);
    size_t node = ((size_t)1 << d) - 1 + j;
    double ext[3];
    set_box(ix->boxes + 6 * node, b, lo, hi, ext);
    if (d == ix->depth)
        return;
    int axis = ext[0] >= ext[1] ? (ext[0] >= ext[2] ? 0 : 2) : (ext[1] >= ext[2] ? 1 : 2);
    size_t mid = range_lo(ix->n, d + 1, 2 * j + 1);
    if (mid > lo && mid < hi)
        select_nth(b, lo, hi, mid, axis);
    build_node(ix, b, d + 1, 2 * j);
    build_node(ix, b, d + 1, 2 * j + 1);
}

enum ru_status geoindex_build(struct geoindex_point *pts, size_t n, unsigned leaf_size, struct geoindex **out)
{
    struct geoindex *ix = NULL;
    struct bpoint *b = NULL;
    enum ru_status st;
    for (size_t i = 0; i < n; i++)
        if (!geo_point_valid((struct geo_point){pts[i].lat, pts[i].lon}))
            return RU_ERR_INVALID;
    if ((st = alloc_shape(n, leaf_size, &ix)) != RU_OK)
        return st;
    ix->boxes = malloc(ix->nnodes * 6 * sizeof(float));
    b = malloc((n ? n : 1) * sizeof(*b));
    ix->pts = malloc((n ? n : 1) * sizeof(*ix->pts));
    ix->xyz = malloc((n ? n : 1) * 3 * sizeof(double));
    if (!b || !ix->boxes || !ix->pts || !ix->xyz) {
        free(b);
        geoindex_free(ix);
        return RU_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        b[i].p = pts[i];
        geo_unit_vector((struct geo_point){pts[i].lat, pts[i].lon}, b[i].v);
    }
    build_node(ix, b, 0, 0);
    for (size_t i = 0; i < n; i++) {
        pts[i] = b[i].p;
        ix->pts[i] = b[i].p;
        memcpy(ix->xyz + 3 * i, b[i].v, sizeof(b[i].v));
    }
    free(b);
    *out = ix;
    return RU_OK;
}

/* ---- storage ---- */

void geoindex_encode_points(const struct geoindex_point *pts, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++, out += GEOINDEX_POINT_BYTES) {
        memcpy(out, &pts[i].lat, 8);
        memcpy(out + 8, &pts[i].lon, 8);
        memcpy(out + 16, &pts[i].row, 4);
        memcpy(out + 20, &pts[i].rank, 4);
        memcpy(out + 24, &pts[i].tag, 4);
    }
}

enum ru_status geoindex_decode_points(const unsigned char *in, size_t len, struct geoindex_point *out,
                                      size_t max, size_t *n)
{
    if (len % GEOINDEX_POINT_BYTES || len / GEOINDEX_POINT_BYTES > max)
        return RU_ERR_INVALID;
    size_t cnt = len / GEOINDEX_POINT_BYTES;
    for (size_t i = 0; i < cnt; i++, in += GEOINDEX_POINT_BYTES) {
        struct geoindex_point p;
        memcpy(&p.lat, in, 8);
        memcpy(&p.lon, in + 8, 8);
        memcpy(&p.row, in + 16, 4);
        memcpy(&p.rank, in + 20, 4);
        memcpy(&p.tag, in + 24, 4);
        if (!geo_point_valid((struct geo_point){p.lat, p.lon}))
            return RU_ERR_INVALID;
        out[i] = p;
    }
    *n = cnt;
    return RU_OK;
}

enum ru_status geoindex_open_lazy(size_t n, unsigned leaf_size, geoindex_fetch_fn fetch_leaf,
                                  geoindex_fetch_block_fn fetch_block, void *ctx, struct geoindex **out)
{
    struct geoindex *ix = NULL;
    enum ru_status st = alloc_shape(n, leaf_size, &ix);
    if (st != RU_OK)
        return st;
    ix->blocks = calloc(ix->nblocks, sizeof(*ix->blocks));
    if (!ix->blocks) {
        geoindex_free(ix);
        return RU_ERR_NOMEM;
    }
    ix->fetch = fetch_leaf;
    ix->fetch_block = fetch_block;
    ix->ctx = ctx;
    *out = ix;
    return RU_OK;
}

/* Block BLOCK's boxes, read through the callback the first time and kept. */
static enum ru_status load_block(const struct geoindex *ix, uint32_t block, const float **out)
{
    if (!ix->blocks[block]) {
        uint32_t root;
        size_t want = block_bytes(ix, block_band(ix, block, &root)), len;
        const void *bytes;
        enum ru_status st = ix->fetch_block(ix->ctx, block, &bytes, &len);
        if (st != RU_OK)
            return st;
        if (len != want)
            return RU_ERR_INVALID;
        float *f = malloc(want);
        if (!f)
            return RU_ERR_NOMEM;
        memcpy(f, bytes, want);
        ix->blocks[block] = f;
    }
    *out = ix->blocks[block];
    return RU_OK;
}

/* The six floats of NODE's box, from memory or from its block; NULL with *st set when
 * the block cannot be read. */
static const float *node_box(const struct geoindex *ix, uint32_t node, enum ru_status *st)
{
    if (ix->boxes)
        return ix->boxes + 6 * (size_t)node;
    uint32_t block, local;
    const float *f;
    locate_node(ix, node, &block, &local);
    if ((*st = load_block(ix, block, &f)) != RU_OK)
        return NULL;
    return f + 6 * (size_t)local;
}

enum ru_status geoindex_preload(struct geoindex *ix)
{
    enum ru_status st = RU_OK;
    if (ix->pts)
        return RU_OK;
    float *boxes = malloc(ix->nnodes * 6 * sizeof(float));
    struct geoindex_point *leafbuf = NULL, *pts = malloc((ix->n ? ix->n : 1) * sizeof(*pts));
    double *xyz = malloc((ix->n ? ix->n : 1) * 3 * sizeof(double));
    if (!boxes || !pts || !xyz) {
        st = RU_ERR_NOMEM;
        goto fail;
    }
    for (uint32_t block = 0; block < ix->nblocks; block++) {
        const float *f;
        uint32_t root;
        size_t count = block_bytes(ix, block_band(ix, block, &root)) / GEOINDEX_NODE_BYTES;
        if ((st = load_block(ix, block, &f)) != RU_OK)
            goto fail;
        for (uint32_t i = 0; i < count; i++)
            memcpy(boxes + 6 * (size_t)block_node(root, i), f + 6 * (size_t)i, GEOINDEX_NODE_BYTES);
        free(ix->blocks[block]);
        ix->blocks[block] = NULL;
    }
    /* Through a leaf-sized buffer: a damaged leaf may hold more points than its range. */
    if (!(leafbuf = malloc(ix->leaf_size * sizeof(*leafbuf)))) {
        st = RU_ERR_NOMEM;
        goto fail;
    }
    for (uint32_t leaf = 0; leaf < ix->nleaves; leaf++) {
        size_t lo = geoindex_leaf_start(ix, leaf), hi = geoindex_leaf_start(ix, leaf + 1), got = 0;
        if (lo == hi)
            continue;
        st = ix->fetch(ix->ctx, leaf, leafbuf, &got);
        if (st == RU_OK && got != hi - lo)
            st = RU_ERR_INVALID;
        if (st != RU_OK)
            goto fail;
        memcpy(pts + lo, leafbuf, got * sizeof(*leafbuf));
    }
    free(leafbuf);
    leafbuf = NULL;
    for (size_t i = 0; i < ix->n; i++)
        geo_unit_vector((struct geo_point){pts[i].lat, pts[i].lon}, xyz + 3 * i);
    ix->boxes = boxes;
    ix->pts = pts;
    ix->xyz = xyz;
    return RU_OK;
fail:
    free(leafbuf);
    leafbuf = NULL;
    free(boxes);
    free(pts);
    free(xyz);
    return st;
}

void geoindex_free(struct geoindex *ix)
{
    if (!ix)
        return;
    free(ix->boxes);
    free(ix->pts);
    free(ix->xyz);
    for (uint32_t i = 0; ix->blocks && i < ix->nblocks; i++)
        free(ix->blocks[i]);
    free(ix->blocks);
    free(ix);
}

/* ---- searching ---- */

void geoindex_scratch_init(struct geoindex_scratch *s)
{
    memset(s, 0, sizeof(*s));
}

void geoindex_scratch_release(struct geoindex_scratch *s)
{
    free(s->heap);
    free(s->cand);
    free(s->leafbuf);
    free(s->hits);
    geoindex_scratch_init(s);
}

static int reserve(void **p, size_t *alloc, size_t need, size_t elem)
{
    if (need <= *alloc)
        return 1;
    size_t n = *alloc ? *alloc : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return 0;
    *p = q;
    *alloc = n;
    return 1;
}

static double box_d2(const float *box, const double q[3])
{
    double s = 0;
    for (int a = 0; a < 3; a++) {
        double lo = box[a], hi = box[3 + a], d = 0;
        if (q[a] < lo)
            d = lo - q[a];
        else if (q[a] > hi)
            d = q[a] - hi;
        s += d * d;
    }
    return s;
}

struct search {
    struct geoindex_scratch *s;
    struct cand *cand;
    size_t ncand;
    size_t k;
    double limit; /* chord bound from the radius, slack included */
    double thr;   /* current pruning bound */
    int nomem;
};

static void update_thr(struct search *x)
{
    double t = x->limit;
    if (x->k > 0 && x->ncand >= x->k) {
        double kth = x->cand[x->k - 1].c2 * (1 + SLACK_REL) + SLACK_ABS;
        if (kth < t)
            t = kth;
    }
    x->thr = t;
}

/* Keep candidates sorted by (chord, rank); drop the tail that fell out of the slack. */
static void offer(struct search *x, double c2, const struct geoindex_point *p)
{
    if (c2 > x->thr)
        return;
    struct geoindex_scratch *s = x->s;
    if (!reserve(&s->cand, &s->cand_alloc, x->ncand + 1, sizeof(struct cand))) {
        x->nomem = 1;
        return;
    }
    x->cand = s->cand;
    size_t i = x->ncand;
    while (i > 0 &&
           (x->cand[i - 1].c2 > c2 || (x->cand[i - 1].c2 == c2 && x->cand[i - 1].pt.rank > p->rank))) {
        x->cand[i] = x->cand[i - 1];
        i--;
    }
    x->cand[i].c2 = c2;
    x->cand[i].pt = *p;
    x->ncand++;
    update_thr(x);
    while (x->ncand > x->k && x->cand[x->ncand - 1].c2 > x->thr)
        x->ncand--;
}

static void heap_push(struct heap_entry *h, size_t *n, double d2, uint32_t node)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p].d2 <= d2)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i].d2 = d2;
    h[i].node = node;
}

static struct heap_entry heap_pop(struct heap_entry *h, size_t *n)
{
    struct heap_entry top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1].d2 < h[c].d2)
            c++;
        if (h[c].d2 >= last.d2)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = last;
    return top;
}

static enum ru_status scan_leaf(const struct geoindex *ix, struct search *x, uint32_t leaf, const double q[3],
                                const struct geoindex_query *qq)
{
    size_t lo = geoindex_leaf_start(ix, leaf), hi = geoindex_leaf_start(ix, leaf + 1);
    x->s->leaves_visited++;
    if (ix->pts) {
        for (size_t i = lo; i < hi; i++) {
            if (qq->filter_tag && ix->pts[i].tag != qq->tag)
                continue;
            offer(x, geo_chord2(q, ix->xyz + 3 * i), &ix->pts[i]);
        }
        return RU_OK;
    }
    struct geoindex_scratch *s = x->s;
    if (!reserve((void **)&s->leafbuf, &s->leafbuf_alloc, ix->leaf_size, sizeof(*s->leafbuf)))
        return RU_ERR_NOMEM;
    size_t got = 0;
    enum ru_status st = ix->fetch(ix->ctx, leaf, s->leafbuf, &got);
    if (st != RU_OK)
        return st;
    if (got != hi - lo)
        return RU_ERR_INVALID;
    for (size_t i = 0; i < got; i++) {
        if (qq->filter_tag && s->leafbuf[i].tag != qq->tag)
            continue;
        double v[3];
        geo_unit_vector((struct geo_point){s->leafbuf[i].lat, s->leafbuf[i].lon}, v);
        offer(x, geo_chord2(q, v), &s->leafbuf[i]);
    }
    return RU_OK;
}

static int hit_cmp(const void *a, const void *b)
{
    const struct geoindex_hit *x = a, *y = b;
    if (x->distance_m != y->distance_m)
        return x->distance_m < y->distance_m ? -1 : 1;
    return x->pt.rank < y->pt.rank ? -1 : x->pt.rank > y->pt.rank;
}

enum ru_status geoindex_search(const struct geoindex *ix, struct geoindex_scratch *s,
                               const struct geoindex_query *q, const struct geoindex_hit **hits, size_t *n)
{
    struct search x = {.s = s, .k = q->k};
    double qv[3];
    enum ru_status st = RU_OK;
    size_t nheap = 0;

    s->leaves_visited = 0;
    x.cand = s->cand;
    x.limit = q->max_m > 0 ? geo_m_to_chord2(q->max_m) * (1 + SLACK_REL) + SLACK_ABS : 8.0;
    update_thr(&x);
    geo_unit_vector(q->origin, qv);
    /* The heap never holds more than one entry per node. */
    if (!reserve(&s->heap, &s->heap_alloc, ix->nnodes, sizeof(struct heap_entry)))
        return RU_ERR_NOMEM;
    struct heap_entry *heap = s->heap;

    const float *box;
    if (q->k > 0 && ix->n > 0) {
        if (!(box = node_box(ix, 0, &st)))
            return st;
        heap_push(heap, &nheap, box_d2(box, qv), 0);
    }
    while (nheap > 0) {
        struct heap_entry e = heap_pop(heap, &nheap);
        uint32_t node = e.node;
        double d2 = e.d2;
        /* Walk down toward the nearer child, leaving the farther one on the heap. */
        while (d2 <= x.thr) {
            if (node >= ix->nleaves - 1) {
                st = scan_leaf(ix, &x, node - (ix->nleaves - 1), qv, q);
                if (st != RU_OK)
                    return st;
                if (x.nomem)
                    return RU_ERR_NOMEM;
                break;
            }
            uint32_t l = 2 * node + 1, r = l + 1;
            if (!(box = node_box(ix, l, &st)))
                return st;
            double dl = box_d2(box, qv);
            if (!(box = node_box(ix, r, &st)))
                return st;
            double dr = box_d2(box, qv);
            if (dr < dl) {
                uint32_t tn = l;
                l = r;
                r = tn;
                double td = dl;
                dl = dr;
                dr = td;
            }
            if (dr <= x.thr)
                heap_push(heap, &nheap, dr, r);
            node = l;
            d2 = dl;
        }
        if (nheap > 0 && heap[0].d2 > x.thr)
            break;
    }

    /* Settle by haversine and rank; apply the radius exactly. */
    if (!reserve((void **)&s->hits, &s->hits_alloc, x.ncand + 1, sizeof(*s->hits)))
        return RU_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < x.ncand; i++) {
        double dm = geo_distance_m(q->origin, (struct geo_point){x.cand[i].pt.lat, x.cand[i].pt.lon});
        if (q->max_m > 0 && dm > q->max_m)
            continue;
        s->hits[m].pt = x.cand[i].pt;
        s->hits[m].distance_m = dm;
        m++;
    }
    qsort(s->hits, m, sizeof(*s->hits), hit_cmp);
    *hits = s->hits;
    *n = m < q->k ? m : q->k;
    return RU_OK;
}
