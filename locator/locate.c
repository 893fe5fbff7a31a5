/* locator/locate.c - query -> origin -> nearest stores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "locator/locate.h"
#include "locator/nameindex.h"
#include "locator/fold.h"
#include "locator/geoindex.h"
#include "locator/labels.h"
#include "locator/locator_db.h"
#include "db/db.h"
#include "common/strbuf.h"
#include "common/banned.h"

/* A position within this distance of a known place is described by that place. */
#define NEAR_PLACE_M 50000.0

struct locator {
    struct db *db;
    struct gazetteer *gz;
    struct locator_index *stores, *places; /* NULL when the database has none */
    struct name_index *names;              /* preloaded: suggestion candidates in memory */
    int borrowed;                          /* stores and names belong to the locator this is a sibling of */
    int places_tried;                      /* places are opened on the first position query */
    int no_labels;                         /* schema version 2: no label_box */
    sqlite3_stmt *label_stmt;              /* made by the first labels_find() */
    struct geoindex_scratch scratch;
    sqlite3_stmt *store_stmt, *chain_stmt;
    char err[512];
};

static enum ru_status fail(struct locator *loc, enum ru_status rc, const char *msg)
{
    snprintf(loc->err, sizeof(loc->err), "%s", msg);
    return rc;
}

/* A new locator with its own connection to PATH and its statements; no store index yet. */
static enum ru_status open_connection(const char *path, struct locator **out)
{
    enum ru_status rc;
    struct locator *loc = calloc(1, sizeof(*loc));
    if (!loc)
        return RU_ERR_NOMEM;
    geoindex_scratch_init(&loc->scratch);
    *out = loc;
    /* A database of version 2 (before the labels) still answers everything else: the
     * read-only connection cannot migrate it, and a server must not refuse to start. */
    rc = db_open(path, DB_READONLY | DB_NO_MIGRATE, locator_migrations, &loc->db);
    if (rc == RU_OK) {
        int version = db_schema_version(loc->db);
        loc->no_labels = version == LOCATOR_SCHEMA_LABELS - 1;
        if (version != LOCATOR_SCHEMA_LABELS && !loc->no_labels) {
            /* opened again as usual for db_open()'s own refusal and its words */
            db_free(loc->db);
            loc->db = NULL;
            rc = db_open(path, DB_READONLY, locator_migrations, &loc->db);
        }
    }
    if (rc != RU_OK)
        return fail(loc, rc, loc->db ? db_errmsg(loc->db) : "out of memory");
    if ((rc = gazetteer_open(loc->db, &loc->gz)) != RU_OK ||
        (rc = db_prepare(loc->db,
                         "SELECT s.id, c.name, s.name, s.address, s.city, s.region, s.postal,"
                         " s.country, s.lat, s.lon, s.extras FROM store s JOIN chain c ON c.id = s.chain"
                         " WHERE s.rowid = ?1",
                         &loc->store_stmt)) != RU_OK ||
        (rc = db_prepare(loc->db, "SELECT id FROM chain WHERE folded = ?1", &loc->chain_stmt)) != RU_OK)
        return fail(loc, rc, db_errmsg(loc->db));
    return RU_OK;
}

enum ru_status locator_open_sibling(const struct locator *first, struct locator **out)
{
    enum ru_status rc = open_connection(db_path(first->db), out);
    if (rc == RU_OK) {
        (*out)->stores = first->stores;
        (*out)->names = first->names;
        (*out)->borrowed = 1;
        if (first->names)
            gazetteer_use_name_index((*out)->gz, first->names);
    }
    return rc;
}

enum ru_status locator_open(const char *path, enum locator_flags flags, struct locator **out)
{
    enum ru_status rc = open_connection(path, out);
    if (rc != RU_OK)
        return rc;
    struct locator *loc = *out;
    rc = locator_index_open(loc->db, LOCATOR_SET_STORES, flags & LOCATOR_PRELOAD, &loc->stores);
    if (rc != RU_OK && rc != RU_ERR_NOT_FOUND)
        return fail(loc, rc,
                    rc == RU_ERR_DB ? db_errmsg(loc->db) : "the store index is damaged; re-run the import");
    if (flags & LOCATOR_PRELOAD) {
        if ((rc = name_index_build(loc->db, &loc->names)) != RU_OK)
            return fail(loc, rc, rc == RU_ERR_DB ? db_errmsg(loc->db) : "out of memory");
        gazetteer_use_name_index(loc->gz, loc->names);
    }
    return RU_OK;
}

const char *locator_errmsg(const struct locator *loc)
{
    return loc->err;
}

void locator_free(struct locator *loc)
{
    if (!loc)
        return;
    sqlite3_finalize(loc->store_stmt);
    sqlite3_finalize(loc->chain_stmt);
    sqlite3_finalize(loc->label_stmt);
    if (!loc->borrowed) {
        locator_index_free(loc->stores);
        name_index_free(loc->names);
    }
    locator_index_free(loc->places);
    gazetteer_free(loc->gz);
    geoindex_scratch_release(&loc->scratch);
    db_free(loc->db);
    free(loc);
}

void locate_result_init(struct locate_result *r)
{
    memset(r, 0, sizeof(*r));
}

static void free_store(struct locate_store *s)
{
    free(s->id);
    free(s->chain);
    free(s->name);
    free(s->address);
    free(s->city);
    free(s->region);
    free(s->postal);
    free(s->country);
    free(s->extras_json);
}

void locate_result_release(struct locate_result *r)
{
    for (size_t i = 0; i < r->nstores; i++)
        free_store(&r->stores[i]);
    free(r->stores);
    locate_result_init(r);
}

/* Describe a bare position by the nearest known place, when there is one nearby. */
static enum ru_status describe_position(struct locator *loc, struct geo_point p, struct gz_place *out)
{
    memset(out, 0, sizeof(*out));
    out->lat = p.lat;
    out->lon = p.lon;
    snprintf(out->name, sizeof(out->name), "%.5f,%.5f", p.lat, p.lon);
    if (!loc->places_tried) {
        loc->places_tried = 1;
        enum ru_status rc = locator_index_open(loc->db, LOCATOR_SET_PLACES, 0, &loc->places);
        if (rc != RU_OK && rc != RU_ERR_NOT_FOUND)
            return fail(loc, rc,
                        rc == RU_ERR_DB ? db_errmsg(loc->db)
                                        : "the place index is damaged; re-run the import");
    }
    if (!loc->places)
        return RU_OK;
    struct geoindex_query q = {.origin = p, .k = 1, .max_m = NEAR_PLACE_M};
    const struct geoindex_hit *hits;
    size_t n;
    enum ru_status rc = geoindex_search(locator_index_tree(loc->places), &loc->scratch, &q, &hits, &n);
    if (rc != RU_OK || n == 0)
        return rc;
    struct gz_place near;
    if ((rc = gazetteer_place_by_id(loc->gz, hits[0].pt.row, &near)) != RU_OK)
        return rc == RU_ERR_NOT_FOUND ? RU_OK : rc;
    snprintf(out->region, sizeof(out->region), "%s", near.region);
    snprintf(out->region_name, sizeof(out->region_name), "%s", near.region_name);
    snprintf(out->country, sizeof(out->country), "%s", near.country);
    snprintf(out->country_name, sizeof(out->country_name), "%s", near.country_name);
    snprintf(out->name, sizeof(out->name), "near %.*s",
             (int)fold_utf8_prefix(near.name, sizeof(out->name) - 6), near.name);
    return RU_OK;
}

enum ru_status locator_resolve(struct locator *loc, const char *text, struct locate_result *out)
{
    struct query q;
    const char *why;
    enum ru_status rc = query_parse(text, &q, &why);
    if (rc != RU_OK)
        return fail(loc, rc, why);
    out->kind = q.kind;
    if (q.kind == QUERY_POSITION)
        return describe_position(loc, q.position, &out->origin);

    struct gz_match m;
    rc = q.kind == QUERY_POSTAL ? gazetteer_find_postal(loc->gz, text, &m)
                                : gazetteer_find_place(loc->gz, text, &m);
    if (rc == RU_ERR_NOT_FOUND && q.kind == QUERY_PLACE) {
        enum ru_status s2 = gazetteer_suggest(loc->gz, text, out->suggestions, &out->nsuggestions);
        if (s2 != RU_OK)
            return fail(loc, s2, db_errmsg(loc->db));
    }
    if (rc == RU_ERR_INVALID)
        return fail(loc, rc, "the query has no letters or digits to look up");
    if (rc == RU_ERR_DB)
        return fail(loc, rc, db_errmsg(loc->db));
    if (rc != RU_OK && rc != RU_ERR_NOT_FOUND)
        return fail(loc, rc, ru_status_str(rc));
    if (rc != RU_OK)
        return rc;
    out->origin = m.best;
    memcpy(out->alternatives, m.alternatives, sizeof(m.alternatives));
    out->nalternatives = m.nalternatives;
    return RU_OK;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static enum ru_status load_store(struct locator *loc, const struct geoindex_hit *h, struct geo_point origin,
                                 struct locate_store *s)
{
    sqlite3_stmt *st = loc->store_stmt;
    enum ru_status rc = RU_OK;
    memset(s, 0, sizeof(*s));
    sqlite3_bind_int64(st, 1, h->pt.row);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        s->id = dup_col(st, 0);
        s->chain = dup_col(st, 1);
        s->name = dup_col(st, 2);
        s->address = dup_col(st, 3);
        s->city = dup_col(st, 4);
        s->region = dup_col(st, 5);
        s->postal = dup_col(st, 6);
        s->country = dup_col(st, 7);
        s->extras_json = dup_col(st, 10);
        if (!s->id || !s->chain || !s->name || !s->address || !s->city || !s->region || !s->postal ||
            !s->country)
            rc = RU_ERR_NOMEM;
    } else {
        /* the index and the table come from one transaction; a miss means damage */
        rc = r == SQLITE_DONE
                 ? fail(loc, RU_ERR_INVALID, "the store index does not match the stores; re-run the import")
                 : fail(loc, db_fail(loc->db, "reading a store"), db_errmsg(loc->db));
    }
    sqlite3_reset(st);
    s->lat = h->pt.lat;
    s->lon = h->pt.lon;
    s->distance_m = h->distance_m;
    s->bearing_deg = geo_bearing_deg(origin, (struct geo_point){h->pt.lat, h->pt.lon});
    return rc;
}

/* Chain id by folded name; 0 when unknown. */
static enum ru_status find_chain(struct locator *loc, const char *name, uint32_t *id)
{
    struct strbuf f;
    strbuf_init(&f, 512);
    enum ru_status rc = fold_text(name, strlen(name), &f);
    if (rc == RU_ERR_LIMIT) {
        /* longer than any chain name an import accepts: no such chain */
        strbuf_release(&f);
        *id = 0;
        return RU_OK;
    }
    if (rc != RU_OK) {
        strbuf_release(&f);
        return fail(loc, RU_ERR_INVALID, "the chain name is not valid UTF-8 text");
    }
    sqlite3_stmt *st = loc->chain_stmt;
    sqlite3_bind_text(st, 1, strbuf_str(&f), -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    *id = r == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    strbuf_release(&f);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return fail(loc, db_fail(loc->db, "reading chains"), db_errmsg(loc->db));
    return RU_OK;
}

static enum ru_status find(struct locator *loc, const struct locate_request *req, struct locate_result *out)
{
    enum ru_status rc;
    if (req->k < 1 || req->k > LOCATE_MAX_K)
        return fail(loc, RU_ERR_LIMIT, "k must be from 1 to 1000");
    if ((rc = locator_resolve(loc, req->query, out)) != RU_OK)
        return rc;

    struct geoindex_query q = {
        .origin = {out->origin.lat, out->origin.lon}, .k = req->k, .max_m = req->radius_m};
    if (req->chain) {
        if ((rc = find_chain(loc, req->chain, &q.tag)) != RU_OK)
            return rc;
        q.filter_tag = 1;
        if (!q.tag) {
            out->unknown_chain = 1;
            return RU_OK;
        }
    }
    if (!loc->stores)
        return RU_OK;

    const struct geoindex_hit *hits;
    size_t n;
    if ((rc = geoindex_search(locator_index_tree(loc->stores), &loc->scratch, &q, &hits, &n)) != RU_OK)
        return fail(loc, rc,
                    rc == RU_ERR_DB ? db_errmsg(loc->db) : "the store index is damaged; re-run the import");
    if (n == 0)
        return RU_OK;
    out->stores = calloc(n, sizeof(*out->stores));
    if (!out->stores)
        return RU_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        rc = load_store(loc, &hits[i], q.origin, &out->stores[i]);
        out->nstores = i + 1;
        if (rc != RU_OK)
            return rc;
    }
    return RU_OK;
}

enum ru_status locator_find(struct locator *loc, const struct locate_request *req, struct locate_result *out)
{
    /* One read transaction for the whole answer: the lookups see one snapshot and pay
     * for the WAL read lock once instead of once per row. */
    if (sqlite3_exec(db_sqlite(loc->db), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return fail(loc, db_fail(loc->db, "starting a read"), db_errmsg(loc->db));
    enum ru_status rc = find(loc, req, out);
    sqlite3_exec(db_sqlite(loc->db), "COMMIT", NULL, NULL, NULL);
    return rc;
}

enum ru_status locator_complete(struct locator *loc, const char *prefix, size_t limit,
                                struct gz_completion *out, size_t *n)
{
    return gazetteer_complete(loc->gz, prefix, limit, out, n);
}

int locator_has_labels(const struct locator *loc)
{
    return !loc->no_labels;
}

enum ru_status locator_labels(struct locator *loc, const struct labels_view *view, struct label *out,
                              size_t *n)
{
    if (loc->no_labels)
        return fail(loc, RU_ERR_NOT_FOUND,
                    "the database was imported before place labels (schema version 3): import it again");
    enum ru_status rc = labels_find(loc->db, &loc->label_stmt, view, out, n);
    return rc == RU_OK ? rc : fail(loc, rc, rc == RU_ERR_DB ? db_errmsg(loc->db) : "out of memory");
}
