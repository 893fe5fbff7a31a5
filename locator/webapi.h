/*
 * locator/webapi.h - the store locator's JSON API, without HTTP: a path and a query
 * string in, a status and a JSON body out (docs/locator.md, "Web API").
 *
 *   GET /api/v1/stores?q=TEXT&k=N&radius=25mi&chain=NAME   (or lat=&lon= instead of q)
 *   GET /api/v1/places?prefix=TEXT&limit=N
 *   GET /api/v1/labels?bbox=WEST,SOUTH,EAST,NORTH&zoom=Z
 *
 * The store index is read into memory once; each request borrows a database connection
 * of its own, so requests run side by side. webapi_reload() opens the file at the path
 * again (a new one swapped in with rename(2)) while requests go on: each finishes on the
 * database it began with.
 */
#ifndef REUP_LOCATOR_WEBAPI_H
#define REUP_LOCATOR_WEBAPI_H
#include <stddef.h>
#include "common/status.h"

struct webapi;

/* Open the database at DB_PATH for the API, with CONNECTIONS connections ready (one for
 * each request served at once: more are opened when needed). ERR says why not:
 * RU_ERR_NOT_FOUND, RU_ERR_SCHEMA, RU_ERR_DB, RU_ERR_NOMEM. */
enum ru_status webapi_new(const char *db_path, unsigned connections, struct webapi **out, char *err,
                          size_t errlen) RU_WARN_UNUSED;

/* Open the database at W's path again and answer from it from now on; requests under
 * way finish on the one they began with, which is then closed. When the file cannot be
 * opened or is not a locator database, nothing changes: the status and ERR say why, as
 * webapi_new(). Called from one thread at a time (requests may run meanwhile). */
enum ru_status webapi_reload(struct webapi *w, char *err, size_t errlen) RU_WARN_UNUSED;
void webapi_free(struct webapi *w);

/* 0 when the current database was imported before the place labels (schema version 2):
 * /api/v1/labels then answers 503 labels_unavailable. Cannot fail. */
int webapi_has_labels(struct webapi *w);

/* 1 when PATH is one of the API's. Cannot fail. */
int webapi_handles(const char *path);

/* The answer to GET PATH?QS (QS without '?', may be NULL): *STATUS and *BODY (JSON,
 * owned: free()). Errors are {"error":{"code","message"[,"suggestions"]}} with 400,
 * 404, 413 or 503. RU_ERR_NOMEM when no body could be made. */
enum ru_status webapi_answer(struct webapi *w, const char *path, const char *qs, int *status,
                             char **body) RU_WARN_UNUSED;
#endif
