/*
 * locator/geoindex.h - exact k-nearest-neighbour search on the sphere.
 *
 * Points are kept as unit vectors in an implicit, balanced k-d tree whose every node has
 * a tight bounding box. The straight-line (chord) distance between unit vectors grows
 * with the great-circle distance, so a best-first search on boxes finds the k nearest
 * points with no special case for the antimeridian or the poles. Near-ties in the chord
 * key are kept and settled by the haversine distance on the stored latitude and longitude
 * and then by the point's rank (its position in the caller's tie-break order), so answers
 * equal a brute-force haversine scan exactly.
 *
 * The tree's shape depends only on the point count and the leaf size: leaf j of a tree of
 * depth D holds points [(j*n)>>D, ((j+1)*n)>>D) of the build order. Node boxes are kept in
 * blocks, each a subtree of up to GEOINDEX_BLOCK_LEVELS levels (about 6 KB). Leaves and
 * blocks are either all in memory or fetched one at a time through callbacks, so a
 * command-line run reads a handful of leaves and blocks of a million-point index stored
 * in SQLite instead of the whole tree.
 */
#ifndef REUP_LOCATOR_GEOINDEX_H
#define REUP_LOCATOR_GEOINDEX_H
#include <stddef.h>
#include <stdint.h>
#include "common/status.h"
#include "locator/geo.h"

struct geoindex;

struct geoindex_point {
    double lat, lon;
    uint32_t row;  /* the caller's row id */
    uint32_t rank; /* tie-break order: lower rank first among equal distances */
    uint32_t tag;  /* a filterable attribute (the store's chain) */
};

/* Bytes of one point in a serialized leaf, and of one serialized node box. */
#define GEOINDEX_POINT_BYTES  28
#define GEOINDEX_NODE_BYTES   24
#define GEOINDEX_BLOCK_LEVELS 8

/* Fetches leaf LEAF into BUF (room for the tree's leaf size), setting *n. */
typedef enum ru_status (*geoindex_fetch_fn)(void *ctx, uint32_t leaf, struct geoindex_point *buf, size_t *n);
/* Fetches node block BLOCK as geoindex_encode_block() wrote it: its bytes are borrowed
 * until the next call. */
typedef enum ru_status (*geoindex_fetch_block_fn)(void *ctx, uint32_t block, const void **bytes, size_t *len);

/* Build from N points, reordering PTS into leaf order (leaf j's points are then the
 * contiguous run described above). The index copies what it needs. n may be 0.
 * RU_ERR_NOMEM; RU_ERR_INVALID for a point out of range or leaf_size < 1. */
enum ru_status geoindex_build(struct geoindex_point *pts, size_t n, unsigned leaf_size,
                              struct geoindex **out) RU_WARN_UNUSED;

/* Node blocks, for storage: their count, the largest block's size in bytes, and one
 * block's boxes (little-endian floats, outward-rounded) written to OUT with *len bytes.
 * Only for an index whose boxes are in memory (built or preloaded). Cannot fail. */
uint32_t geoindex_block_count(const struct geoindex *ix);
size_t geoindex_block_bytes_max(const struct geoindex *ix);
void geoindex_encode_block(const struct geoindex *ix, uint32_t block, unsigned char *out, size_t *len);

/* Encode/decode one leaf's points (GEOINDEX_POINT_BYTES each). Cannot fail / RU_ERR_INVALID
 * on a length that is not a whole number of points or a point out of range. */
void geoindex_encode_points(const struct geoindex_point *pts, size_t n, unsigned char *out);
enum ru_status geoindex_decode_points(const unsigned char *in, size_t len, struct geoindex_point *out,
                                      size_t max, size_t *n) RU_WARN_UNUSED;

/* Open a stored index of N points without reading it: blocks and leaves come from the
 * callbacks as searches need them (blocks are kept once read). RU_ERR_INVALID for a
 * shape no index can have. A fetched block of the wrong size fails the search with
 * RU_ERR_INVALID. */
enum ru_status geoindex_open_lazy(size_t n, unsigned leaf_size, geoindex_fetch_fn fetch_leaf,
                                  geoindex_fetch_block_fn fetch_block, void *ctx,
                                  struct geoindex **out) RU_WARN_UNUSED;

/* Load every block and leaf through the index's callbacks and keep them in memory;
 * afterwards the callbacks are not used again. */
enum ru_status geoindex_preload(struct geoindex *ix) RU_WARN_UNUSED;

size_t geoindex_count(const struct geoindex *ix);
uint32_t geoindex_leaf_count(const struct geoindex *ix);
/* First point (in build order) of LEAF; geoindex_leaf_start(ix, leaf_count) == count. */
size_t geoindex_leaf_start(const struct geoindex *ix, uint32_t leaf);

void geoindex_free(struct geoindex *ix);

struct geoindex_hit {
    struct geoindex_point pt;
    double distance_m; /* haversine */
};

struct geoindex_query {
    struct geo_point origin;
    size_t k;     /* at most this many hits */
    double max_m; /* only points within this distance; <= 0 for no limit */
    uint32_t tag; /* only points with this tag, when filter_tag is set */
    int filter_tag;
};

/* Caller-owned scratch space for searches, reused between them so a search allocates
 * nothing once warm. One scratch per thread. */
struct geoindex_scratch {
    void *heap;
    size_t heap_alloc;
    void *cand;
    size_t cand_alloc;
    struct geoindex_point *leafbuf;
    size_t leafbuf_alloc;
    struct geoindex_hit *hits; /* results of the last search, owned here */
    size_t hits_alloc;
    size_t leaves_visited; /* statistics of the last search */
};
void geoindex_scratch_init(struct geoindex_scratch *s);
void geoindex_scratch_release(struct geoindex_scratch *s);

/* The k nearest points to Q->origin ordered by (distance, rank): *hits points into
 * the scratch (valid until its next use), *n is how many (fewer than k when the index or
 * the radius holds fewer). RU_ERR_NOMEM, or a failure from the fetch callback. */
enum ru_status geoindex_search(const struct geoindex *ix, struct geoindex_scratch *s,
                               const struct geoindex_query *q, const struct geoindex_hit **hits,
                               size_t *n) RU_WARN_UNUSED;

#endif
