/*
 * locator/webapi.c - the JSON API over locator_find() and locator_complete().
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "locator/webapi.h"
#include "locator/locate.h"
#include "locator/output.h"
#include "locator/webquery.h"
#include "common/strbuf.h"
#include "common/banned.h"

#define STORES_PATH "/api/v1/stores"
#define PLACES_PATH "/api/v1/places"

/* Each server thread has a locator of its own (one SQLite connection can serve one
 * thread at a time), all sharing the store index of the first, read into memory once. */
struct webapi {
    struct locator *first;
    pthread_key_t key;    /* the calling thread's locator */
    pthread_mutex_t lock; /* guards siblings */
    struct locator **siblings;
    size_t nsiblings, cap;
};

enum ru_status webapi_new(const char *db_path, struct webapi **out, char *err, size_t errlen)
{
    struct webapi *w = calloc(1, sizeof(*w));
    if (!w)
        return RU_ERR_NOMEM;
    enum ru_status rc = locator_open(db_path, LOCATOR_PRELOAD, &w->first);
    if (rc == RU_OK && pthread_key_create(&w->key, NULL) != 0)
        rc = RU_ERR_NOMEM;
    if (rc != RU_OK) {
        snprintf(err, errlen, "%s", w->first ? locator_errmsg(w->first) : "out of memory");
        locator_free(w->first);
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->lock, NULL);
    *out = w;
    return RU_OK;
}

void webapi_free(struct webapi *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nsiblings; i++)
        locator_free(w->siblings[i]);
    free(w->siblings);
    locator_free(w->first);
    pthread_key_delete(w->key);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

/* The calling thread's locator, opened on its first request; NULL when it cannot be. */
static struct locator *thread_locator(struct webapi *w)
{
    struct locator *loc = pthread_getspecific(w->key);
    if (loc)
        return loc;
    if (locator_open_sibling(w->first, &loc) != RU_OK) {
        locator_free(loc);
        return NULL;
    }
    pthread_mutex_lock(&w->lock);
    if (w->nsiblings == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 8;
        struct locator **grown = realloc(w->siblings, cap * sizeof(*grown));
        if (grown) {
            w->siblings = grown;
            w->cap = cap;
        }
    }
    int kept = w->nsiblings < w->cap;
    if (kept)
        w->siblings[w->nsiblings++] = loc;
    pthread_mutex_unlock(&w->lock);
    if (!kept) {
        locator_free(loc);
        return NULL;
    }
    /* should this fail, the thread's next request opens another, kept here as well */
    (void)pthread_setspecific(w->key, loc);
    return loc;
}

int webapi_handles(const char *path)
{
    return !strcmp(path, STORES_PATH) || !strcmp(path, PLACES_PATH);
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
    struct locator *loc = thread_locator(w);
    enum ru_status rc = loc ? locator_find(loc, &req, &res) : RU_ERR_DB;
    char why[200];
    snprintf(why, sizeof(why), "%s", loc ? locator_errmsg(loc) : "");
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
    struct locator *loc = thread_locator(w);
    enum ru_status rc = loc ? locator_complete(loc, q.prefix, q.limit, found, &n) : RU_ERR_DB;
    if (rc == RU_ERR_INVALID)
        return error_body(400, "bad_parameter", "the prefix holds no letters or digits", NULL, status, body);
    if (rc != RU_OK)
        return error_body(503, "unavailable", "the store database cannot be read; try again later", NULL,
                          status, body);
    struct strbuf sb;
    strbuf_init(&sb, 0);
    rc = output_places_json(&sb, found, n);
    *status = 200;
    *body = rc == RU_OK ? strdup(strbuf_str(&sb)) : NULL;
    strbuf_release(&sb);
    return *body ? RU_OK : RU_ERR_NOMEM;
}

enum ru_status webapi_answer(struct webapi *w, const char *path, const char *qs, int *status, char **body)
{
    if (!qs)
        qs = "";
    if (!strcmp(path, STORES_PATH))
        return stores(w, qs, status, body);
    if (!strcmp(path, PLACES_PATH))
        return places(w, qs, status, body);
    return error_body(404, "not_found", "no such path: the API is /api/v1/stores and /api/v1/places", NULL,
                      status, body);
}
