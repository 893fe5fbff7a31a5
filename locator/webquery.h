/*
 * locator/webquery.h - the query strings of the web API, read into requests with every
 * value checked: /api/v1/stores?q=TEXT&k=N&radius=25mi&chain=NAME (or lat=&lon= instead
 * of q), /api/v1/places?prefix=TEXT&limit=N and /api/v1/labels?bbox=W,S,E,N&zoom=Z; and the path of a request
 * target for the page's files. Pure: no I/O, no allocation.
 */
#ifndef REUP_LOCATOR_WEBQUERY_H
#define REUP_LOCATOR_WEBQUERY_H
#include <stddef.h>
#include "common/status.h"

#define WEBQUERY_MAX       1024 /* bytes of a query string */
#define WEBQUERY_TEXT_MAX  200  /* bytes of q, prefix, chain after decoding */
#define WEBQUERY_K_MAX     50
#define WEBQUERY_K_DEFAULT 5
#define WEBQUERY_LIMIT_MAX 20

struct webquery_stores {
    char q[WEBQUERY_TEXT_MAX + 1]; /* a place, a postal code, or "LAT,LON" built from lat= and lon= */
    size_t k;
    double radius_m;                   /* 0: no limit */
    char chain[WEBQUERY_TEXT_MAX + 1]; /* "": every chain */
};

struct webquery_places {
    char prefix[WEBQUERY_TEXT_MAX + 1];
    size_t limit;
};

struct webquery_labels {
    double west, south, east, north; /* west > east: the box crosses the antimeridian */
    int zoom;                        /* 0 .. WEBQUERY_ZOOM_MAX */
};
#define WEBQUERY_ZOOM_MAX 20

/* Why a query string was refused: a stable code, the parameter, words for people. */
struct webquery_error {
    int http_status;  /* 400 or 413 */
    const char *code; /* "missing_parameter", "bad_parameter", "unknown_parameter", "query_too_long" */
    char message[160];
};

/* Parse QS (without the '?', may be empty), LEN bytes. RU_ERR_INVALID with E filled. */
enum ru_status webquery_stores_parse(const char *qs, size_t len, struct webquery_stores *out,
                                     struct webquery_error *e) RU_WARN_UNUSED;
enum ru_status webquery_places_parse(const char *qs, size_t len, struct webquery_places *out,
                                     struct webquery_error *e) RU_WARN_UNUSED;
/* bbox: four plain decimals WEST,SOUTH,EAST,NORTH (longitudes -180..180, latitudes
 * -90..90, south <= north; west > east for a box across the antimeridian); zoom: a whole
 * number 0..20. Both required. */
enum ru_status webquery_labels_parse(const char *qs, size_t len, struct webquery_labels *out,
                                     struct webquery_error *e) RU_WARN_UNUSED;

/* The path of the request target TARGET (as sent, up to its '?') %-decoded once into OUT
 * (CAP bytes with the NUL). RU_ERR_INVALID unless it starts with '/' (so "../x",
 * "-private/x", "*" and "http://host/x" are refused), every %XX is well formed, nothing
 * decodes to a NUL, another control character or a backslash, and it fits. '+' stays
 * '+'. What OUT holds on failure is unspecified. */
enum ru_status webquery_path(const char *target, char *out, size_t cap) RU_WARN_UNUSED;
#endif
