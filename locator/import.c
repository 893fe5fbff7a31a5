/* locator/import.c - gazetteer and store imports, one transaction each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "locator/import.h"
#include "locator/fold.h"
#include "locator/geonames.h"
#include "locator/labels.h"
#include "locator/locator_db.h"
#include "locator/storecsv.h"
#include "common/strbuf.h"
#include "common/textfile.h"
#include "common/banned.h"

#define MAX_LINE            (1 << 20)
#define MAX_NAMES_PER_PLACE 2048

enum stmt {
    S_PLACE,
    S_DEL_NAMES,
    S_NAME,
    S_ADMIN1,
    S_COUNTRY,
    S_POSTAL,
    S_CHAIN_GET,
    S_CHAIN_ADD,
    S_STORE_GET,
    S_STORE_PUT,
    S_COUNT
};

static const char *const sql[S_COUNT] = {
    [S_PLACE] = ("INSERT INTO place(id, name, ascii, country, admin1, lat, lon, population, feature)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO UPDATE SET"
                 " name = ?2, ascii = ?3, country = ?4, admin1 = ?5, lat = ?6, lon = ?7,"
                 " population = ?8, feature = ?9"),
    [S_DEL_NAMES] = "DELETE FROM place_name WHERE place = ?1",
    /* Of the spellings that fold alike ("Kobenhavn", "Köbenhavn", "København") the one
     * greatest in code-point order is kept: it has the accented letters, and lower case
     * rather than capitals. */
    [S_NAME] = ("INSERT INTO place_name(folded, is_primary, population, place, spelled)"
                " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET spelled = excluded.spelled"
                " WHERE excluded.spelled > spelled"),
    [S_ADMIN1] = "INSERT OR REPLACE INTO admin1(country, code, name, folded, ascii_folded)"
                 " VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_COUNTRY] = "INSERT OR REPLACE INTO country(code, iso3, name, folded) VALUES (?1, ?2, ?3, ?4)",
    [S_POSTAL] = ("INSERT OR REPLACE INTO postal(country, code, place, admin1, admin1_name, lat, lon)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    [S_CHAIN_GET] = "SELECT id FROM chain WHERE folded = ?1",
    [S_CHAIN_ADD] = "INSERT INTO chain(name, folded) VALUES (?1, ?2)",
    [S_STORE_GET] = "SELECT 1 FROM store WHERE id = ?1",
    [S_STORE_PUT] = ("INSERT INTO store(id, chain, name, address, city, region, postal, country,"
                     " lat, lon, extras) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                     " ON CONFLICT(id) DO UPDATE SET chain = ?2, name = ?3, address = ?4,"
                     " city = ?5, region = ?6, postal = ?7, country = ?8, lat = ?9, lon = ?10,"
                     " extras = ?11"),
};

struct importer {
    struct db *db;
    enum import_flags flags;
    import_bad_fn on_bad;
    void *ctx;
    sqlite3_stmt *st[S_COUNT];
    struct import_stats stats;
    int in_tx;
    int had_places; /* names of re-imported places must be replaced, not added */
    int touched_places, touched_stores;
    const char *file; /* being read, for bad-row reports */
    char last_chain[256];
    sqlite3_int64 last_chain_id;
    struct strbuf fold;
    char *names[MAX_NAMES_PER_PLACE]; /* folded names of the current place, to skip repeats */
    size_t nnames;
    size_t nprimary; /* names[0..nprimary) are the place's name and ASCII name */
    char err[512];
};

static enum ru_status fail_db(struct importer *imp, enum ru_status rc)
{
    snprintf(imp->err, sizeof(imp->err), "%s", db_errmsg(imp->db));
    return rc;
}

enum ru_status importer_new(struct db *db, enum import_flags flags, import_bad_fn on_bad, void *ctx,
                            struct importer **out)
{
    enum ru_status rc;
    struct importer *imp = calloc(1, sizeof(*imp));
    if (!imp)
        return RU_ERR_NOMEM;
    imp->db = db;
    imp->flags = flags;
    imp->on_bad = on_bad;
    imp->ctx = ctx;
    strbuf_init(&imp->fold, 4096);
    for (int i = 0; i < S_COUNT; i++)
        if ((rc = db_prepare(db, sql[i], &imp->st[i])) != RU_OK)
            goto fail;
    /* Names arrive in file order, not key order: a cache that holds the name index keeps
     * those inserts from rereading pages (SQLite's default is 2 MB). */
    if ((rc = db_exec(db, "PRAGMA cache_size = -262144")) != RU_OK)
        goto fail;
    if ((rc = db_begin(db)) != RU_OK)
        goto fail;
    imp->in_tx = 1;

    sqlite3_stmt *q = NULL;
    if ((rc = db_prepare(db, "SELECT EXISTS (SELECT 1 FROM place)", &q)) != RU_OK)
        goto fail;
    imp->had_places = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    *out = imp;
    return RU_OK;
fail:
    fail_db(imp, rc);
    importer_free(imp);
    return rc;
}

static int failing(const struct importer *imp)
{
    return imp->stats.bad_rows > 0 && !(imp->flags & IMPORT_SKIP_BAD);
}

static void report_bad(struct importer *imp, unsigned long line, const char *why)
{
    imp->stats.bad_rows++;
    if (imp->on_bad)
        imp->on_bad(imp->ctx, imp->file, line, why);
}

static enum ru_status step_done(struct importer *imp, enum stmt s)
{
    int r = sqlite3_step(imp->st[s]);
    sqlite3_reset(imp->st[s]);
    if (r != SQLITE_DONE && r != SQLITE_ROW) {
        db_fail(imp->db, "writing");
        return fail_db(imp, RU_ERR_DB);
    }
    return RU_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Fold TEXT into imp->fold; "" when it folds to nothing. */
static enum ru_status fold(struct importer *imp, const char *text)
{
    strbuf_reset(&imp->fold);
    return fold_text(text, strlen(text), &imp->fold);
}

/* Bind the folded form of TEXT as parameter I of ST. */
static enum ru_status bind_folded(struct importer *imp, sqlite3_stmt *st, int i, const char *text)
{
    enum ru_status rc = fold(imp, text);
    if (rc == RU_OK)
        bind_text(st, i, strbuf_str(&imp->fold));
    return rc;
}

static void forget_names(struct importer *imp)
{
    for (size_t i = 0; i < imp->nnames; i++)
        free(imp->names[i]);
    imp->nnames = 0;
    imp->nprimary = 0;
}

/* Add one folded name of PLACE unless it folds to nothing or was added already (then
 * only its spelling may change). */
static enum ru_status add_name(struct importer *imp, const struct gn_place *p, const char *name, int primary)
{
    enum ru_status rc = fold(imp, name);
    if (rc == RU_ERR_LIMIT)
        return RU_OK; /* an absurdly long alternate name is not worth a lookup */
    if (rc != RU_OK)
        return rc;
    const char *f = strbuf_str(&imp->fold);
    if (!*f)
        return RU_OK;
    size_t i = 0;
    while (i < imp->nnames && strcmp(imp->names[i], f) != 0)
        i++;
    int seen = i < imp->nnames;
    /* A name the primary names already cover stays primary, in the name's own spelling;
     * an alternate seen before may still get a better spelling from this one. */
    if (seen && (primary || i < imp->nprimary))
        return RU_OK;
    if (!seen && imp->nnames < MAX_NAMES_PER_PLACE && !(imp->names[imp->nnames] = strdup(f)))
        return RU_ERR_NOMEM;
    if (!seen && imp->nnames < MAX_NAMES_PER_PLACE)
        imp->nnames++;
    if (primary)
        imp->nprimary = imp->nnames;
    sqlite3_stmt *st = imp->st[S_NAME];
    sqlite3_bind_text(st, 1, f, (int)imp->fold.len, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, primary);
    sqlite3_bind_int64(st, 3, p->population);
    sqlite3_bind_int64(st, 4, p->id);
    bind_text(st, 5, name);
    imp->stats.names += !seen;
    return step_done(imp, S_NAME);
}

static enum ru_status put_place(struct importer *imp, struct gn_place *p)
{
    enum ru_status rc;
    sqlite3_stmt *st = imp->st[S_PLACE];
    sqlite3_bind_int64(st, 1, p->id);
    bind_text(st, 2, p->name);
    bind_text(st, 3, p->ascii);
    bind_text(st, 4, p->country);
    bind_text(st, 5, p->admin1);
    sqlite3_bind_double(st, 6, p->lat);
    sqlite3_bind_double(st, 7, p->lon);
    sqlite3_bind_int64(st, 8, p->population);
    char feature[16];
    snprintf(feature, sizeof(feature), "%c.%.10s", p->feature_class ? p->feature_class : '-',
             p->feature_code);
    bind_text(st, 9, feature);
    if ((rc = step_done(imp, S_PLACE)) != RU_OK)
        return rc;
    if (imp->had_places) {
        sqlite3_bind_int64(imp->st[S_DEL_NAMES], 1, p->id);
        if ((rc = step_done(imp, S_DEL_NAMES)) != RU_OK)
            return rc;
    }
    forget_names(imp);
    if ((rc = add_name(imp, p, p->name, 1)) != RU_OK || (rc = add_name(imp, p, p->ascii, 1)) != RU_OK)
        return rc;
    char *cur = p->alternates, *alt;
    while ((alt = gn_next_alternate(&cur)) != NULL)
        if ((rc = add_name(imp, p, alt, 0)) != RU_OK)
            return rc;
    imp->stats.places++;
    imp->touched_places = 1;
    /* from now on a place may already have names, even in a database that was empty */
    imp->had_places = 1;
    return RU_OK;
}

static enum ru_status put_admin1(struct importer *imp, const struct gn_admin1 *a)
{
    enum ru_status rc;
    sqlite3_stmt *st = imp->st[S_ADMIN1];
    bind_text(st, 1, a->country);
    bind_text(st, 2, a->code);
    bind_text(st, 3, a->name);
    if ((rc = bind_folded(imp, st, 4, a->name)) != RU_OK || (rc = bind_folded(imp, st, 5, a->ascii)) != RU_OK)
        return rc;
    imp->stats.admin1++;
    return step_done(imp, S_ADMIN1);
}

static enum ru_status put_country(struct importer *imp, const struct gn_country *c)
{
    enum ru_status rc;
    sqlite3_stmt *st = imp->st[S_COUNTRY];
    bind_text(st, 1, c->iso);
    bind_text(st, 2, c->iso3);
    bind_text(st, 3, c->name);
    if ((rc = bind_folded(imp, st, 4, c->name)) != RU_OK)
        return rc;
    imp->stats.countries++;
    return step_done(imp, S_COUNTRY);
}

static enum ru_status put_postal(struct importer *imp, const struct gn_postal *p)
{
    sqlite3_stmt *st = imp->st[S_POSTAL];
    bind_text(st, 1, p->country);
    bind_text(st, 2, p->code);
    bind_text(st, 3, p->place);
    bind_text(st, 4, p->admin1);
    bind_text(st, 5, p->admin1_name);
    sqlite3_bind_double(st, 6, p->lat);
    sqlite3_bind_double(st, 7, p->lon);
    imp->stats.postal++;
    return step_done(imp, S_POSTAL);
}

/* One line of a tab-separated GeoNames file. */
static enum ru_status gazetteer_line(struct importer *imp, enum import_kind kind, char *line,
                                     unsigned long lineno)
{
    char why[GEONAMES_WHY_MAX];
    enum ru_status rc;
    union {
        struct gn_place place;
        struct gn_admin1 admin1;
        struct gn_country country;
        struct gn_postal postal;
    } u;
    if (kind != IMPORT_COUNTRIES && line[0] == '\0')
        return RU_OK;
    switch (kind) {
    case IMPORT_PLACES: rc = gn_parse_place(line, &u.place, why); break;
    case IMPORT_ADMIN1: rc = gn_parse_admin1(line, &u.admin1, why); break;
    case IMPORT_COUNTRIES: rc = gn_parse_country(line, &u.country, why); break;
    default: rc = gn_parse_postal(line, &u.postal, why); break;
    }
    if (rc == RU_ERR_NOT_FOUND)
        return RU_OK; /* comment */
    if (rc != RU_OK) {
        report_bad(imp, lineno, why);
        return RU_OK;
    }
    if (failing(imp))
        return RU_OK; /* the import will be rolled back: only look for more bad rows */
    switch (kind) {
    case IMPORT_PLACES:
        if (u.place.feature_class != 'P' && !(imp->flags & IMPORT_ALL_FEATURES)) {
            imp->stats.skipped_rows++;
            return RU_OK;
        }
        rc = put_place(imp, &u.place);
        break;
    case IMPORT_ADMIN1: rc = put_admin1(imp, &u.admin1); break;
    case IMPORT_COUNTRIES: rc = put_country(imp, &u.country); break;
    default: rc = put_postal(imp, &u.postal); break;
    }
    if (rc == RU_ERR_LIMIT) {
        report_bad(imp, lineno, "a name is too long to index (over 4 KiB when folded)");
        return RU_OK;
    }
    return rc;
}

static enum ru_status chain_id(struct importer *imp, const char *name, sqlite3_int64 *id)
{
    enum ru_status rc;
    if (imp->last_chain_id && strcmp(imp->last_chain, name) == 0) {
        *id = imp->last_chain_id;
        return RU_OK;
    }
    if ((rc = fold(imp, name)) != RU_OK)
        return rc;
    sqlite3_stmt *get = imp->st[S_CHAIN_GET];
    bind_text(get, 1, strbuf_str(&imp->fold));
    int r = sqlite3_step(get);
    *id = r == SQLITE_ROW ? sqlite3_column_int64(get, 0) : 0;
    sqlite3_reset(get);
    if (r != SQLITE_ROW && r != SQLITE_DONE) {
        db_fail(imp->db, "reading chains");
        return fail_db(imp, RU_ERR_DB);
    }
    if (!*id) {
        sqlite3_stmt *add = imp->st[S_CHAIN_ADD];
        bind_text(add, 1, name);
        bind_text(add, 2, strbuf_str(&imp->fold));
        if ((rc = step_done(imp, S_CHAIN_ADD)) != RU_OK)
            return rc;
        *id = sqlite3_last_insert_rowid(db_sqlite(imp->db));
    }
    snprintf(imp->last_chain, sizeof(imp->last_chain), "%s", name);
    imp->last_chain_id = *id;
    return RU_OK;
}

static enum ru_status store_row(void *ctx, const struct store_row *r)
{
    struct importer *imp = ctx;
    enum ru_status rc;
    sqlite3_int64 chain;
    if (failing(imp))
        return RU_OK;
    if ((rc = chain_id(imp, r->chain, &chain)) == RU_ERR_LIMIT) {
        report_bad(imp, r->line, "chain is too long to index (over 4 KiB when folded)");
        return RU_OK;
    }
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *get = imp->st[S_STORE_GET];
    bind_text(get, 1, r->id);
    int exists = sqlite3_step(get) == SQLITE_ROW;
    sqlite3_reset(get);
    sqlite3_stmt *st = imp->st[S_STORE_PUT];
    bind_text(st, 1, r->id);
    sqlite3_bind_int64(st, 2, chain);
    bind_text(st, 3, r->name);
    bind_text(st, 4, r->address);
    bind_text(st, 5, r->city);
    bind_text(st, 6, r->region);
    bind_text(st, 7, r->postal);
    bind_text(st, 8, r->country);
    sqlite3_bind_double(st, 9, r->lat);
    sqlite3_bind_double(st, 10, r->lon);
    if (r->extras_json)
        bind_text(st, 11, r->extras_json);
    else
        sqlite3_bind_null(st, 11);
    if ((rc = step_done(imp, S_STORE_PUT)) != RU_OK)
        return rc;
    if (exists)
        imp->stats.stores_updated++;
    else
        imp->stats.stores_added++;
    imp->touched_stores = 1;
    return RU_OK;
}

static enum ru_status store_bad(void *ctx, unsigned long line, const char *why)
{
    report_bad(ctx, line, why);
    return RU_OK;
}

enum ru_status importer_file(struct importer *imp, enum import_kind kind, const char *path)
{
    struct textfile *tf = NULL;
    struct storecsv *csv = NULL;
    enum ru_status rc;
    char *line;
    size_t len;

    imp->file = path;
    if ((rc = textfile_open(path, MAX_LINE, &tf)) != RU_OK) {
        snprintf(imp->err, sizeof(imp->err), "%s: cannot read it (%s)", path,
                 rc == RU_ERR_NOT_FOUND ? "no such file" : "input/output error");
        return rc;
    }
    if (kind == IMPORT_STORES && (rc = storecsv_new(store_row, store_bad, imp, &csv)) != RU_OK)
        goto out;
    while ((rc = textfile_next(tf, &line, &len)) != RU_ERR_NOT_FOUND) {
        if (rc == RU_ERR_LIMIT) {
            if (kind == IMPORT_STORES) {
                snprintf(imp->err, sizeof(imp->err), "%s:%lu: line is longer than 1 MiB", path,
                         textfile_lineno(tf));
                rc = RU_ERR_INVALID;
                goto out;
            }
            report_bad(imp, textfile_lineno(tf), "line is longer than 1 MiB");
            continue;
        }
        if (rc != RU_OK) {
            snprintf(imp->err, sizeof(imp->err), "%s: read error", path);
            goto out;
        }
        if (kind == IMPORT_STORES)
            rc = storecsv_feed_line(csv, line, len);
        else
            rc = gazetteer_line(imp, kind, line, textfile_lineno(tf));
        if (rc != RU_OK)
            goto fail;
    }
    rc = kind == IMPORT_STORES ? storecsv_finish(csv) : RU_OK;
    if (rc != RU_OK)
        goto fail;
    goto out;
fail:
    if (rc == RU_ERR_INVALID && csv)
        snprintf(imp->err, sizeof(imp->err), "%s: %s", path, storecsv_errmsg(csv));
    else if (rc == RU_ERR_NOMEM)
        snprintf(imp->err, sizeof(imp->err), "out of memory");
    else if (rc == RU_ERR_INVALID)
        snprintf(imp->err, sizeof(imp->err), "%s: invalid text", path);
out:
    storecsv_free(csv);
    textfile_free(tf);
    imp->file = NULL;
    return rc;
}

enum ru_status importer_commit(struct importer *imp)
{
    enum ru_status rc;
    if (failing(imp)) {
        snprintf(imp->err, sizeof(imp->err),
                 "%lu bad row%s: nothing was imported; fix %s or use --skip-bad to leave %s out",
                 imp->stats.bad_rows, imp->stats.bad_rows == 1 ? "" : "s",
                 imp->stats.bad_rows == 1 ? "it" : "them", imp->stats.bad_rows == 1 ? "it" : "them");
        db_rollback(imp->db);
        imp->in_tx = 0;
        return RU_ERR_INVALID;
    }
    if (imp->touched_places) {
        if ((rc = db_exec(imp->db, "DELETE FROM name_trigram;"
                                   "INSERT INTO name_trigram(folded)"
                                   " SELECT DISTINCT folded FROM place_name WHERE is_primary = 1;")) != RU_OK)
            return fail_db(imp, rc);
        if ((rc = locator_db_build_index(imp->db, LOCATOR_SET_PLACES)) != RU_OK)
            return fail_db(imp, rc);
    }
    if (imp->touched_stores && (rc = locator_db_build_index(imp->db, LOCATOR_SET_STORES)) != RU_OK)
        return fail_db(imp, rc);
    /* new places, or a database migrated from version 2 whose places have no labels yet */
    int unlabelled = imp->touched_places ? 1 : labels_missing(imp->db);
    if (unlabelled < 0)
        return fail_db(imp, RU_ERR_DB);
    if (unlabelled && (rc = labels_build(imp->db)) != RU_OK)
        return fail_db(imp, rc);
    if ((rc = db_commit(imp->db)) != RU_OK)
        return fail_db(imp, rc);
    imp->in_tx = 0;
    return RU_OK;
}

const struct import_stats *importer_stats(const struct importer *imp)
{
    return &imp->stats;
}

const char *importer_errmsg(const struct importer *imp)
{
    return imp->err;
}

void importer_free(struct importer *imp)
{
    if (!imp)
        return;
    if (imp->in_tx)
        db_rollback(imp->db);
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(imp->st[i]);
    forget_names(imp);
    strbuf_release(&imp->fold);
    free(imp);
}
