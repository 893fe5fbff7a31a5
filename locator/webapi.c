/*
 * locator/webapi.c - the JSON API over locator_find() and locator_complete().
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "locator/webapi.h"
#include "locator/locate.h"
#include "locator/output.h"
#include "locator/webquery.h"
#include "common/strbuf.h"
#include "common/banned.h"

#define STORES_PATH "/api/v1/stores"
#define PLACES_PATH "/api/v1/places"
#define LABELS_PATH "/api/v1/labels"

/* One opening of the database: its store index, read into memory once by FIRST, and
 * connections sharing it (siblings), each lent to one request at a time. A reload makes
 * a new generation the current one; the old one lives on until the last request holding
 * it gives its connection back, so a request never sees its database change under it. */
struct generation {
    struct locator *first; /* owns the index the siblings borrow: freed last */
    struct locator **idle; /* siblings no request holds; guarded by webapi.lock */
    size_t nidle, cap;     /* guarded by webapi.lock */
    unsigned holders;      /* requests holding it, plus one while current; guarded by webapi.lock */
    struct stat file;      /* the file it was opened on (st_dev, st_ino) */
};

struct webapi {
    char path[4096];
    unsigned connections; /* siblings opened with each generation */
    pthread_mutex_t lock;
    struct generation *current;
};

/* A connection lent to one request, and the generation it belongs to. */
struct lease {
    struct generation *gen;
    struct locator *loc;
};

/* 1 when PATH names the file GEN was opened on: a sibling opened by name between two
 * such checks is on GEN's file, not on one swapped in since with rename(2). */
static int same_file(const char *path, const struct generation *gen)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_dev == gen->file.st_dev && st.st_ino == gen->file.st_ino;
}

/* Keep LOC among GEN's idle siblings; 0 when there is no room (the caller frees it).
 * Called with the lock held. */
static int keep_idle(struct generation *gen, struct locator *loc)
{
    if (gen->nidle == gen->cap) {
        size_t cap = gen->cap ? 2 * gen->cap : 8;
        struct locator **grown = realloc(gen->idle, cap * sizeof(*grown));
        if (!grown)
            return 0;
        gen->idle = grown;
        gen->cap = cap;
    }
    gen->idle[gen->nidle++] = loc;
    return 1;
}

static void generation_free(struct generation *gen)
{
    if (!gen)
        return;
    for (size_t i = 0; i < gen->nidle; i++)
        locator_free(gen->idle[i]);
    free(gen->idle);
    locator_free(gen->first);
    free(gen);
}

/* A sibling of GEN on GEN's own file; NULL when it cannot be opened or the file at the
 * path is another one by now. */
static struct locator *open_sibling(const char *path, const struct generation *gen)
{
    struct locator *loc = NULL;
    if (locator_open_sibling(gen->first, &loc) != RU_OK || !same_file(path, gen)) {
        locator_free(loc);
        return NULL;
    }
    return loc;
}

/* A generation on the file at PATH now, with CONNECTIONS siblings. The file is checked
 * before and after: should another be renamed into place meanwhile, the opening starts
 * again on that one, so FIRST and every sibling are on one file. */
static enum ru_status generation_open(const char *path, unsigned connections, struct generation **out,
                                      char *err, size_t errlen)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        struct generation *gen = calloc(1, sizeof(*gen));
        if (!gen)
            return RU_ERR_NOMEM;
        /* a file missing here is left to locator_open() to name in its message */
        int seen = stat(path, &gen->file) == 0;
        enum ru_status rc = locator_open(path, LOCATOR_PRELOAD, &gen->first);
        if (rc != RU_OK) {
            snprintf(err, errlen, "%s", gen->first ? locator_errmsg(gen->first) : "out of memory");
            generation_free(gen);
            return rc;
        }
        if (!seen) { /* it appeared in between: start again on it */
            generation_free(gen);
            continue;
        }
        gen->holders = 1;
        int complete = 1;
        for (unsigned i = 0; complete && i < connections; i++) {
            struct locator *loc = open_sibling(path, gen);
            complete = loc && keep_idle(gen, loc);
            if (loc && !complete)
                locator_free(loc);
        }
        if (complete && same_file(path, gen)) {
            *out = gen;
            return RU_OK;
        }
        generation_free(gen);
    }
    snprintf(err, errlen,
             "the file kept changing (or its connections could not be opened) while it was read");
    return RU_ERR_DB;
}

enum ru_status webapi_new(const char *db_path, unsigned connections, struct webapi **out, char *err,
                          size_t errlen)
{
    struct webapi *w = calloc(1, sizeof(*w));
    if (!w)
        return RU_ERR_NOMEM;
    snprintf(w->path, sizeof(w->path), "%s", db_path);
    w->connections = connections;
    enum ru_status rc = generation_open(w->path, connections, &w->current, err, errlen);
    if (rc != RU_OK) {
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->lock, NULL);
    *out = w;
    return RU_OK;
}

enum ru_status webapi_reload(struct webapi *w, char *err, size_t errlen)
{
    struct generation *fresh = NULL, *old = NULL;
    /* opened without the lock: requests go on with the current one meanwhile */
    enum ru_status rc = generation_open(w->path, w->connections, &fresh, err, errlen);
    if (rc != RU_OK)
        return rc;
    pthread_mutex_lock(&w->lock);
    old = w->current;
    w->current = fresh;
    if (--old->holders > 0)
        old = NULL; /* the last request holding it frees it */
    pthread_mutex_unlock(&w->lock);
    generation_free(old);
    return RU_OK;
}

void webapi_free(struct webapi *w)
{
    if (!w)
        return;
    generation_free(w->current);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

/* Return L's connection for the next request; the last holder of a generation replaced
 * by a reload frees it. */
static void give_back(struct webapi *w, struct lease *l)
{
    pthread_mutex_lock(&w->lock);
    int kept = l->loc && keep_idle(l->gen, l->loc);
    int last = --l->gen->holders == 0;
    pthread_mutex_unlock(&w->lock);
    if (!kept)
        locator_free(l->loc);
    if (last)
        generation_free(l->gen);
    l->gen = NULL;
    l->loc = NULL;
}

/* A connection of the current generation for one request; RU_ERR_DB when none can be
 * opened. give_back() returns it. */
static enum ru_status borrow(struct webapi *w, struct lease *l)
{
    pthread_mutex_lock(&w->lock);
    l->gen = w->current;
    l->gen->holders++;
    l->loc = l->gen->nidle ? l->gen->idle[--l->gen->nidle] : NULL;
    pthread_mutex_unlock(&w->lock);
    /* more requests at once than connections opened: one more, kept afterwards */
    if (!l->loc && !(l->loc = open_sibling(w->path, l->gen))) {
        give_back(w, l);
        return RU_ERR_DB;
    }
    return RU_OK;
}

int webapi_handles(const char *path)
{
    return !strcmp(path, STORES_PATH) || !strcmp(path, PLACES_PATH) || !strcmp(path, LABELS_PATH);
}

static enum ru_status error_body(int status, const char *code, const char *message, json_t *suggestions,
                                 int *out_status, char **body)
{
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", message);
    if (e && suggestions)
        json_object_set(e, "suggestions", suggestions);
    json_t *root = e ? json_pack("{s:o}", "error", e) : NULL;
    *body = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    *out_status = status;
    return *body ? RU_OK : RU_ERR_NOMEM;
}

/* A 200 with SB's JSON, written with status RC, as *BODY; SB is released. */
static enum ru_status ok_body(struct strbuf *sb, enum ru_status rc, int *status, char **body)
{
    *status = 200;
    *body = rc == RU_OK ? strdup(strbuf_str(sb)) : NULL;
    strbuf_release(sb);
    return *body ? RU_OK : RU_ERR_NOMEM;
}

static enum ru_status stores(struct webapi *w, const char *qs, int *status, char **body)
{
    struct webquery_stores q;
    struct webquery_error e;
    if (webquery_stores_parse(qs, strlen(qs), &q, &e) != RU_OK)
        return error_body(e.http_status, e.code, e.message, NULL, status, body);
    struct locate_request req = {
        .query = q.q, .k = q.k, .radius_m = q.radius_m, .chain = q.chain[0] ? q.chain : NULL};
    struct locate_result res;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    locate_result_init(&res);
    struct lease lease;
    enum ru_status rc = borrow(w, &lease);
    if (rc == RU_OK)
        rc = locator_find(lease.loc, &req, &res);
    char why[200];
    snprintf(why, sizeof(why), "%s", lease.loc ? locator_errmsg(lease.loc) : "");
    if (lease.gen)
        give_back(w, &lease);
    if (rc == RU_OK) {
        rc = output_json(&sb, q.q, &res);
        *status = 200;
        *body = rc == RU_OK ? strdup(strbuf_str(&sb)) : NULL;
        rc = *body ? RU_OK : RU_ERR_NOMEM;
    } else if (rc == RU_ERR_NOT_FOUND) {
        json_t *list = json_array();
        for (size_t i = 0; i < res.nsuggestions; i++)
            json_array_append_new(list, json_string(res.suggestions[i]));
        char msg[WEBQUERY_TEXT_MAX + 80];
        snprintf(msg, sizeof(msg), "no %s called '%s' is known",
                 res.kind == QUERY_POSTAL ? "postal code" : "place", q.q);
        rc = error_body(404, res.kind == QUERY_POSTAL ? "postal_code_not_found" : "place_not_found", msg,
                        list, status, body);
        json_decref(list);
    } else if (rc == RU_ERR_INVALID || rc == RU_ERR_LIMIT) {
        rc = error_body(400, "bad_query", why[0] ? why : "the query cannot be read", NULL, status, body);
    } else {
        rc = error_body(503, "unavailable", "the store database cannot be read; try again later", NULL,
                        status, body);
    }
    locate_result_release(&res);
    strbuf_release(&sb);
    return rc;
}

static enum ru_status places(struct webapi *w, const char *qs, int *status, char **body)
{
    struct webquery_places q;
    struct webquery_error e;
    if (webquery_places_parse(qs, strlen(qs), &q, &e) != RU_OK)
        return error_body(e.http_status, e.code, e.message, NULL, status, body);
    struct gz_completion found[WEBQUERY_LIMIT_MAX];
    size_t n = 0;
    struct lease lease;
    enum ru_status rc = borrow(w, &lease);
    if (rc == RU_OK) {
        rc = locator_complete(lease.loc, q.prefix, q.limit, found, &n);
        give_back(w, &lease);
    }
    if (rc == RU_ERR_INVALID)
        return error_body(400, "bad_parameter", "the prefix holds no letters or digits", NULL, status, body);
    if (rc != RU_OK)
        return error_body(503, "unavailable", "the store database cannot be read; try again later", NULL,
                          status, body);
    struct strbuf sb;
    strbuf_init(&sb, 0);
    return ok_body(&sb, output_places_json(&sb, found, n), status, body);
}

static enum ru_status labels(struct webapi *w, const char *qs, int *status, char **body)
{
    struct webquery_labels q;
    struct webquery_error e;
    if (webquery_labels_parse(qs, strlen(qs), &q, &e) != RU_OK)
        return error_body(e.http_status, e.code, e.message, NULL, status, body);
    struct labels_view view = {
        .west = q.west, .south = q.south, .east = q.east, .north = q.north, .zoom = q.zoom};
    struct label *found = malloc(LABELS_MAX * sizeof(*found));
    if (!found)
        return RU_ERR_NOMEM;
    size_t n = 0;
    struct lease lease;
    enum ru_status rc = borrow(w, &lease);
    if (rc == RU_OK) {
        rc = locator_labels(lease.loc, &view, found, &n);
        give_back(w, &lease);
    }
    if (rc == RU_ERR_NOT_FOUND) {
        free(found);
        return error_body(503, "labels_unavailable",
                          "the store database was imported before place labels; import it again", NULL,
                          status, body);
    }
    if (rc != RU_OK) {
        free(found);
        return error_body(503, "unavailable", "the store database cannot be read; try again later", NULL,
                          status, body);
    }
    struct strbuf sb;
    strbuf_init(&sb, 0);
    rc = output_labels_json(&sb, q.zoom, found, n);
    free(found);
    return ok_body(&sb, rc, status, body);
}

int webapi_has_labels(struct webapi *w)
{
    pthread_mutex_lock(&w->lock);
    int has = locator_has_labels(w->current->first);
    pthread_mutex_unlock(&w->lock);
    return has;
}

enum ru_status webapi_answer(struct webapi *w, const char *path, const char *qs, int *status, char **body)
{
    if (!qs)
        qs = "";
    if (!strcmp(path, STORES_PATH))
        return stores(w, qs, status, body);
    if (!strcmp(path, PLACES_PATH))
        return places(w, qs, status, body);
    if (!strcmp(path, LABELS_PATH))
        return labels(w, qs, status, body);
    return error_body(404, "not_found",
                      "no such path: the API is /api/v1/stores, /api/v1/places and /api/v1/labels", NULL,
                      status, body);
}
