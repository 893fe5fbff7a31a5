/* locator/locator_db.c - storing and opening the spatial indexes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "locator/locator_db.h"
#include "common/banned.h"

struct locator_index {
    struct db *db;
    sqlite3_stmt *leaf_stmt, *block_stmt;
    unsigned char *block; /* the last block read, owned */
    size_t block_alloc;
    enum locator_point_set set;
    struct geoindex *tree;
};

/* Rows of geoindex_node and geoindex_leaf: the set in the high half, the block or leaf
 * number in the low half. */
static sqlite3_int64 index_key(enum locator_point_set set, uint32_t number)
{
    return ((sqlite3_int64)set << 32) | number;
}

static const char *points_sql(enum locator_point_set set)
{
    /* rank = position in id order, so equal distances list the lower id first */
    return set == LOCATOR_SET_STORES ? "SELECT rowid, lat, lon, chain FROM store ORDER BY id"
                                     : "SELECT id, lat, lon, 0 FROM place ORDER BY id";
}

/* Insert (KEY, LEN bytes at BYTES) with ST, an INSERT of two parameters. */
static enum ru_status put_row(struct db *db, sqlite3_stmt *st, sqlite3_int64 key, const void *bytes,
                              size_t len)
{
    sqlite3_bind_int64(st, 1, key);
    sqlite3_bind_blob64(st, 2, bytes, len, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RU_OK : db_fail(db, "writing the index");
}

enum ru_status locator_db_build_index(struct db *db, enum locator_point_set set)
{
    sqlite3_stmt *st = NULL;
    struct geoindex_point *pts = NULL;
    struct geoindex *tree = NULL;
    unsigned char *buf = NULL;
    size_t n = 0, alloc = 0;
    enum ru_status rc;
    int s;

    if ((rc = db_prepare(db, points_sql(set), &st)) != RU_OK)
        goto out;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 4096;
            struct geoindex_point *p = realloc(pts, na * sizeof(*p));
            if (!p) {
                rc = RU_ERR_NOMEM;
                goto out;
            }
            pts = p;
            alloc = na;
        }
        pts[n].row = (uint32_t)sqlite3_column_int64(st, 0);
        pts[n].lat = sqlite3_column_double(st, 1);
        pts[n].lon = sqlite3_column_double(st, 2);
        pts[n].tag = (uint32_t)sqlite3_column_int64(st, 3);
        pts[n].rank = (uint32_t)n;
        n++;
    }
    if (s != SQLITE_DONE) {
        rc = db_fail(db, "reading points for the index");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = geoindex_build(pts, n, LOCATOR_LEAF_SIZE, &tree)) != RU_OK)
        goto out;

    /* Replace the set's old blocks and leaves. */
    static const char *const clear[] = {"DELETE FROM geoindex_leaf WHERE key >= ?1 AND key < ?2",
                                        "DELETE FROM geoindex_node WHERE key >= ?1 AND key < ?2"};
    for (size_t c = 0; c < sizeof(clear) / sizeof(clear[0]); c++) {
        if ((rc = db_prepare(db, clear[c], &st)) != RU_OK)
            goto out;
        sqlite3_bind_int64(st, 1, index_key(set, 0));
        sqlite3_bind_int64(st, 2, index_key(set + 1, 0));
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = db_fail(db, "clearing the old index");
            goto out;
        }
        sqlite3_finalize(st);
        st = NULL;
    }

    /* One buffer serves leaves and blocks: whichever is larger. */
    size_t leaf_bytes = (size_t)LOCATOR_LEAF_SIZE * GEOINDEX_POINT_BYTES;
    size_t block_bytes = geoindex_block_bytes_max(tree);
    if (!(buf = malloc(leaf_bytes > block_bytes ? leaf_bytes : block_bytes))) {
        rc = RU_ERR_NOMEM;
        goto out;
    }
    if ((rc = db_prepare(db, "INSERT INTO geoindex_leaf(key, points) VALUES (?1, ?2)", &st)) != RU_OK)
        goto out;
    for (uint32_t leaf = 0; leaf < geoindex_leaf_count(tree); leaf++) {
        size_t lo = geoindex_leaf_start(tree, leaf), hi = geoindex_leaf_start(tree, leaf + 1);
        if (lo == hi)
            continue;
        geoindex_encode_points(pts + lo, hi - lo, buf);
        if ((rc = put_row(db, st, index_key(set, leaf), buf, (hi - lo) * GEOINDEX_POINT_BYTES)) != RU_OK)
            goto out;
    }
    sqlite3_finalize(st);
    if ((rc = db_prepare(db, "INSERT INTO geoindex_node(key, boxes) VALUES (?1, ?2)", &st)) != RU_OK)
        goto out;
    for (uint32_t block = 0; block < geoindex_block_count(tree); block++) {
        size_t len;
        geoindex_encode_block(tree, block, buf, &len);
        if ((rc = put_row(db, st, index_key(set, block), buf, len)) != RU_OK)
            goto out;
    }
    sqlite3_finalize(st);
    st = NULL;

    if ((rc = db_prepare(db,
                         "INSERT OR REPLACE INTO geoindex(point_set, count, leaf_size, built_at)"
                         " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                         &st)) != RU_OK)
        goto out;
    sqlite3_bind_int(st, 1, set);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
    sqlite3_bind_int(st, 3, LOCATOR_LEAF_SIZE);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = db_fail(db, "writing the index");
        goto out;
    }
    rc = RU_OK;
out:
    sqlite3_finalize(st);
    geoindex_free(tree);
    free(pts);
    free(buf);
    return rc;
}

static enum ru_status fetch_leaf(void *ctx, uint32_t leaf, struct geoindex_point *buf, size_t *n)
{
    struct locator_index *li = ctx;
    sqlite3_stmt *st = li->leaf_stmt;
    enum ru_status rc = RU_ERR_INVALID;
    sqlite3_bind_int64(st, 1, index_key(li->set, leaf));
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        rc = geoindex_decode_points(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), buf,
                                    LOCATOR_LEAF_SIZE, n);
    } else if (s == SQLITE_DONE) {
        *n = 0; /* empty leaves are not stored */
        rc = RU_OK;
    } else {
        rc = db_fail(li->db, "reading the index");
    }
    sqlite3_reset(st);
    return rc;
}

static enum ru_status fetch_block(void *ctx, uint32_t block, const void **bytes, size_t *len)
{
    struct locator_index *li = ctx;
    sqlite3_stmt *st = li->block_stmt;
    enum ru_status rc = RU_OK;
    sqlite3_bind_int64(st, 1, index_key(li->set, block));
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        /* copied out so that the statement can be reset and no read stays open */
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (n > li->block_alloc) {
            unsigned char *p = realloc(li->block, n);
            if (!p)
                rc = RU_ERR_NOMEM;
            else {
                li->block = p;
                li->block_alloc = n;
            }
        }
        if (rc == RU_OK) {
            if (n)
                memcpy(li->block, sqlite3_column_blob(st, 0), n);
            *bytes = li->block;
            *len = n;
        }
    } else {
        rc = s == SQLITE_DONE ? RU_ERR_INVALID : db_fail(li->db, "reading the index");
    }
    sqlite3_reset(st);
    return rc;
}

enum ru_status locator_index_open(struct db *db, enum locator_point_set set, int preload,
                                  struct locator_index **out)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc;
    struct locator_index *li = calloc(1, sizeof(*li));
    if (!li)
        return RU_ERR_NOMEM;
    li->db = db;
    li->set = set;
    if ((rc = db_prepare(db, "SELECT count, leaf_size FROM geoindex WHERE point_set = ?1", &st)) != RU_OK)
        goto out;
    sqlite3_bind_int(st, 1, set);
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        rc = RU_ERR_NOT_FOUND;
        goto out;
    }
    if (s != SQLITE_ROW) {
        rc = db_fail(db, "reading the index");
        goto out;
    }
    sqlite3_int64 count = sqlite3_column_int64(st, 0);
    int leaf_size = sqlite3_column_int(st, 1);
    if (count < 0 || count > UINT32_MAX || leaf_size != LOCATOR_LEAF_SIZE) {
        rc = RU_ERR_INVALID;
        goto out;
    }
    if ((rc = db_prepare(db, "SELECT points FROM geoindex_leaf WHERE key = ?1", &li->leaf_stmt)) != RU_OK ||
        (rc = db_prepare(db, "SELECT boxes FROM geoindex_node WHERE key = ?1", &li->block_stmt)) != RU_OK)
        goto out;
    if ((rc = geoindex_open_lazy((size_t)count, (unsigned)leaf_size, fetch_leaf, fetch_block, li,
                                 &li->tree)) != RU_OK)
        goto out;
    if (preload && (rc = geoindex_preload(li->tree)) != RU_OK)
        goto out;
out:
    sqlite3_finalize(st);
    if (rc != RU_OK) {
        locator_index_free(li);
        return rc;
    }
    *out = li;
    return RU_OK;
}

const struct geoindex *locator_index_tree(const struct locator_index *li)
{
    return li->tree;
}

void locator_index_free(struct locator_index *li)
{
    if (!li)
        return;
    geoindex_free(li->tree);
    sqlite3_finalize(li->leaf_stmt);
    sqlite3_finalize(li->block_stmt);
    free(li->block);
    free(li);
}
