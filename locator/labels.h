/*
 * locator/labels.h - the place labels of the offline map: which GeoNames places to name
 * at which zoom, built at import into label_box (schema 0003), and the labels of one view.
 *
 * Zoom levels are those of web map tiles (256-pixel tiles, 2^z of them across the world
 * at zoom z). A place's rank is the zoom from which it is labelled: walking the places
 * from the most populous down, a place gets the first zoom at which its tile holds fewer
 * than LABELS_PER_TILE labels of its rank or lower. A screen of about 1600x1000 pixels
 * touches at most about 25 tiles, so a view holds about 200 labels at any zoom.
 */
#ifndef REUP_LOCATOR_LABELS_H
#define REUP_LOCATOR_LABELS_H
#include <stddef.h>
#include "common/status.h"
#include "db/db.h"

#define LABELS_MAX      200 /* labels in one answer */
#define LABELS_PER_TILE 8
#define LABELS_TOP_RANK 14 /* places not ranked by then are labelled from this zoom */
#define LABELS_MAX_ZOOM 20
#define LABELS_NAME_MAX 201 /* bytes of a name with its NUL; longer names are cut at a character */

/* A place to rank, most populous first. */
struct labels_point {
    double lat, lon;
};

/* The rank of each of the N places at P (most populous first) into RANK. RU_ERR_NOMEM. */
enum ru_status labels_rank(const struct labels_point *p, size_t n, unsigned char *rank) RU_WARN_UNUSED;

/* Rebuild label_box from the place table, inside the caller's transaction. */
enum ru_status labels_build(struct db *db) RU_WARN_UNUSED;

/* 1 when label_box has no rows but place has (a database migrated from version 2 and
 * not imported since); -1 on a database error. */
int labels_missing(struct db *db);

/* A view: west may exceed east for a box across the antimeridian. */
struct labels_view {
    double west, south, east, north;
    int zoom; /* 0 .. LABELS_MAX_ZOOM */
};

struct label {
    long long id; /* GeoNames geonameid */
    char name[LABELS_NAME_MAX];
    double lat, lon;
    long long population;
    int rank;
};

/* The labels of V: places of rank <= its zoom inside it (edges included), at most
 * LABELS_MAX of them (the lowest ranks, then the most populous), listed most populous
 * first (ties by id). OUT has room for LABELS_MAX. *ST is the prepared query, made on the
 * first call and kept for the next (the caller finalizes it). RU_ERR_DB. */
enum ru_status labels_find(struct db *db, sqlite3_stmt **st, const struct labels_view *v, struct label *out,
                           size_t *n) RU_WARN_UNUSED;
#endif
