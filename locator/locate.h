/*
 * locator/locate.h - the store locator: a query in, the nearest stores out.
 *
 * A locator is the database opened once with its gazetteer and spatial indexes; each
 * locator_find() resolves the query (place, postal code or position) to an origin and
 * returns the exact k nearest stores by great-circle distance, ties by store id.
 * Not thread-safe: one locator per thread (or a lock around it).
 */
#ifndef REUP_LOCATOR_LOCATE_H
#define REUP_LOCATOR_LOCATE_H
#include <stddef.h>
#include "common/status.h"
#include "locator/gazetteer.h"
#include "locator/labels.h"
#include "locator/query.h"

#define LOCATE_MAX_K 1000

struct locator;

enum locator_flags {
    LOCATOR_PRELOAD = 1 << 0, /* read the whole store index, and the place names for
                                 suggestions, into memory (servers, benchmarks) */
};

/* Open the database at PATH read-only. RU_ERR_NOT_FOUND when the file does not exist,
 * RU_ERR_SCHEMA for a database of another version, RU_ERR_DB when it is not a locator
 * database; locator_open_errmsg() of *out says why (free it with locator_free()). */
enum ru_status locator_open(const char *path, enum locator_flags flags, struct locator **out) RU_WARN_UNUSED;

/* A second locator on FIRST's database with a connection of its own, for another
 * thread. It shares FIRST's store index, which is only read once preloaded: FIRST must
 * have been opened with LOCATOR_PRELOAD and must outlive it. As locator_open(). */
enum ru_status locator_open_sibling(const struct locator *first, struct locator **out) RU_WARN_UNUSED;
const char *locator_errmsg(const struct locator *loc);
void locator_free(struct locator *loc);

struct locate_request {
    const char *query;
    size_t k;          /* 1 .. LOCATE_MAX_K */
    double radius_m;   /* <= 0: no limit */
    const char *chain; /* NULL: every chain */
};

struct locate_store {
    char *id, *chain, *name, *address, *city, *region, *postal, *country;
    char *extras_json; /* NULL when the store has no extra columns */
    double lat, lon;
    double distance_m;
    double bearing_deg;
};

struct locate_result {
    enum query_kind kind;
    struct gz_place origin; /* for a position: the nearest known place's names, if close */
    struct gz_place alternatives[GZ_MAX_ALTERNATIVES];
    size_t nalternatives;
    char suggestions[GZ_MAX_SUGGESTIONS][GZ_TEXT_MAX]; /* set when the place is unknown */
    size_t nsuggestions;
    int unknown_chain;           /* the chain filter names no chain in the database */
    struct locate_store *stores; /* owned; nearest first */
    size_t nstores;
};

/* Caller-owned result; locate_result_release() frees what locator_find() put in it. */
void locate_result_init(struct locate_result *r);
void locate_result_release(struct locate_result *r);

/* RU_OK (possibly with no stores: none within the radius or of the chain),
 * RU_ERR_NOT_FOUND (place or postal code unknown; suggestions filled for places),
 * RU_ERR_INVALID / RU_ERR_LIMIT (bad query or parameters; locator_errmsg() says why),
 * RU_ERR_DB / RU_ERR_NOMEM. */
/* Places whose name starts with PREFIX, most populous first (autocomplete): see
 * gazetteer_complete(). */
enum ru_status locator_complete(struct locator *loc, const char *prefix, size_t limit,
                                struct gz_completion *out, size_t *n) RU_WARN_UNUSED;

enum ru_status locator_find(struct locator *loc, const struct locate_request *req,
                            struct locate_result *out) RU_WARN_UNUSED;

/* Only the origin step of locator_find(), for callers that resolve names alone. */
enum ru_status locator_resolve(struct locator *loc, const char *query,
                               struct locate_result *out) RU_WARN_UNUSED;

/* 0 when the database is of schema version 2, made before the place labels: everything
 * but locator_labels() works on it. */
int locator_has_labels(const struct locator *loc);

/* The map labels of VIEW (labels_find()) into OUT (room for LABELS_MAX). RU_ERR_NOT_FOUND
 * when the database has no labels (locator_has_labels()), RU_ERR_DB, RU_ERR_NOMEM;
 * locator_errmsg() says why. */
enum ru_status locator_labels(struct locator *loc, const struct labels_view *view, struct label *out,
                              size_t *n) RU_WARN_UNUSED;

#endif
