/*
 * locator/webquery.c - query strings: split on '&', decode '+' and %XX, check each value;
 * and the path of a request target, decoded once.
 */
#include <stdio.h>
#include <string.h>
#include "locator/webquery.h"
#include "locator/geo.h"
#include "common/decimal.h"
#include "common/urltext.h"
#include "common/banned.h"

static enum ru_status refuse(struct webquery_error *e, int status, const char *code, const char *fmt,
                             const char *arg)
{
    e->http_status = status;
    e->code = code;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(e->message, sizeof(e->message), fmt, arg);
#pragma GCC diagnostic pop
    return RU_ERR_INVALID;
}

/* Decode LEN bytes of SRC into DST (CAP bytes with the NUL); 0 when malformed, too long,
 * or holding a NUL or another control character. */
static int decode(const char *src, size_t len, char *dst, size_t cap)
{
    long n = urltext_decode(src, len, dst, cap);
    for (long i = 0; i < n; i++)
        if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
            return 0;
    return n >= 0;
}

struct param {
    const char *name;
    char *value; /* WEBQUERY_TEXT_MAX + 1 bytes */
    int seen;
};

/* Split QS into the named PARAMS; an unknown or repeated name is refused. */
static enum ru_status split(const char *qs, size_t len, struct param *params, size_t n,
                            struct webquery_error *e)
{
    if (len > WEBQUERY_MAX)
        return refuse(e, 413, "query_too_long", "the query string is longer than %s bytes", "1024");
    for (size_t start = 0; start < len;) {
        size_t end = start;
        while (end < len && qs[end] != '&')
            end++;
        if (end > start) {
            const char *eq = memchr(qs + start, '=', end - start);
            size_t klen = eq ? (size_t)(eq - (qs + start)) : end - start;
            char key[32];
            if (!decode(qs + start, klen, key, sizeof(key)))
                return refuse(e, 400, "bad_parameter", "a parameter name is malformed%s", "");
            struct param *p = NULL;
            for (size_t i = 0; i < n && !p; i++)
                if (!strcmp(params[i].name, key))
                    p = &params[i];
            if (!p)
                return refuse(e, 400, "unknown_parameter", "unknown parameter '%s'", key);
            if (p->seen)
                return refuse(e, 400, "bad_parameter", "the parameter '%s' is given twice", key);
            p->seen = 1;
            const char *v = eq ? eq + 1 : qs + end;
            if (!decode(v, (size_t)(qs + end - v), p->value, WEBQUERY_TEXT_MAX + 1))
                return refuse(e, 400, "bad_parameter", "the value of '%s' is malformed or too long", key);
        }
        start = end + 1;
    }
    return RU_OK;
}

/* A whole number from MIN to MAX in plain decimal (common/decimal.h), else 0. */
static int whole(const char *text, long min, long max, long *out)
{
    long long v;
    if (decimal_whole(text, min, max, &v) != RU_OK)
        return 0;
    *out = (long)v;
    return 1;
}

static int coordinate(const char *text, double limit, double *out)
{
    double v;
    if (decimal_parse(text, &v) != RU_OK || v < -limit || v > limit)
        return 0;
    *out = v;
    return 1;
}

enum ru_status webquery_stores_parse(const char *qs, size_t len, struct webquery_stores *out,
                                     struct webquery_error *e)
{
    char q[WEBQUERY_TEXT_MAX + 1] = "", k[WEBQUERY_TEXT_MAX + 1] = "", radius[WEBQUERY_TEXT_MAX + 1] = "",
                               chain[WEBQUERY_TEXT_MAX + 1] = "", lat[WEBQUERY_TEXT_MAX + 1] = "",
                               lon[WEBQUERY_TEXT_MAX + 1] = "";
    struct param p[] = {{"q", q, 0},         {"k", k, 0},     {"radius", radius, 0},
                        {"chain", chain, 0}, {"lat", lat, 0}, {"lon", lon, 0}};
    enum ru_status rc = split(qs, len, p, sizeof(p) / sizeof(p[0]), e);
    if (rc != RU_OK)
        return rc;
    struct webquery_stores r = {.k = WEBQUERY_K_DEFAULT};
    long kv;
    double la, lo;
    if (p[4].seen || p[5].seen) {
        if (p[0].seen)
            return refuse(e, 400, "bad_parameter", "give q, or lat and lon, not both%s", "");
        if (!p[4].seen || !p[5].seen)
            return refuse(e, 400, "missing_parameter", "give lat and lon together (a position)%s", "");
        if (!coordinate(lat, 90, &la))
            return refuse(e, 400, "bad_parameter",
                          "lat must be a latitude from -90 to 90 in plain decimal (41.58)%s", "");
        if (!coordinate(lon, 180, &lo))
            return refuse(e, 400, "bad_parameter",
                          "lon must be a longitude from -180 to 180 in plain decimal (-109.2)%s", "");
        snprintf(r.q, sizeof(r.q), "%.6f,%.6f", la, lo);
    } else {
        if (!p[0].seen || !q[0])
            return refuse(e, 400, "missing_parameter", "give q (a city, a postal code) or lat and lon%s", "");
        memcpy(r.q, q, sizeof(r.q));
    }
    if (p[1].seen) {
        if (!whole(k, 1, WEBQUERY_K_MAX, &kv))
            return refuse(e, 400, "bad_parameter", "k must be a whole number from 1 to %s, in plain decimal",
                          "50");
        r.k = (size_t)kv;
    }
    if (p[2].seen && (geo_distance_parse(radius, &r.radius_m) != RU_OK || r.radius_m <= 0))
        return refuse(e, 400, "bad_parameter",
                      "radius must be a plain decimal distance with its unit: 25mi, 40km or 800m%s", "");
    memcpy(r.chain, chain, sizeof(r.chain));
    *out = r;
    return RU_OK;
}

enum ru_status webquery_places_parse(const char *qs, size_t len, struct webquery_places *out,
                                     struct webquery_error *e)
{
    char prefix[WEBQUERY_TEXT_MAX + 1] = "", limit[WEBQUERY_TEXT_MAX + 1] = "";
    struct param p[] = {{"prefix", prefix, 0}, {"limit", limit, 0}};
    enum ru_status rc = split(qs, len, p, 2, e);
    if (rc != RU_OK)
        return rc;
    struct webquery_places r = {.limit = 10};
    long lv;
    if (!p[0].seen || !prefix[0])
        return refuse(e, 400, "missing_parameter", "give prefix, the start of a place name%s", "");
    memcpy(r.prefix, prefix, sizeof(r.prefix));
    if (p[1].seen) {
        if (!whole(limit, 1, WEBQUERY_LIMIT_MAX, &lv))
            return refuse(e, 400, "bad_parameter",
                          "limit must be a whole number from 1 to %s, in plain decimal", "20");
        r.limit = (size_t)lv;
    }
    *out = r;
    return RU_OK;
}

/* TEXT's comma-separated plain decimals: exactly N of them into OUT, else 0. */
static int decimals(const char *text, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(text, ",");
        if ((text[len] == ',') != (i + 1 < n) || decimal_parse_n(text, len, &out[i]) != RU_OK)
            return 0;
        text += len + 1;
    }
    return 1;
}

enum ru_status webquery_labels_parse(const char *qs, size_t len, struct webquery_labels *out,
                                     struct webquery_error *e)
{
    char bbox[WEBQUERY_TEXT_MAX + 1] = "", zoom[WEBQUERY_TEXT_MAX + 1] = "";
    struct param p[] = {{"bbox", bbox, 0}, {"zoom", zoom, 0}};
    enum ru_status rc = split(qs, len, p, 2, e);
    if (rc != RU_OK)
        return rc;
    if (!p[0].seen || !p[1].seen)
        return refuse(e, 400, "missing_parameter", "give bbox=WEST,SOUTH,EAST,NORTH and zoom%s", "");
    double v[4];
    if (!decimals(bbox, v, 4))
        return refuse(e, 400, "bad_parameter",
                      "bbox must be four plain decimals WEST,SOUTH,EAST,NORTH (12.4,55.6,12.7,55.8)%s", "");
    if (v[0] < -180 || v[0] > 180 || v[2] < -180 || v[2] > 180 || v[1] < -90 || v[1] > 90 || v[3] < -90 ||
        v[3] > 90)
        return refuse(e, 400, "bad_parameter",
                      "bbox longitudes must be from -180 to 180 and latitudes from -90 to 90%s", "");
    if (v[1] > v[3])
        return refuse(e, 400, "bad_parameter", "bbox's south must not be north of its north%s", "");
    long z;
    if (!whole(zoom, 0, WEBQUERY_ZOOM_MAX, &z))
        return refuse(e, 400, "bad_parameter", "zoom must be a whole number from 0 to %s, in plain decimal",
                      "20");
    *out = (struct webquery_labels){.west = v[0], .south = v[1], .east = v[2], .north = v[3], .zoom = (int)z};
    return RU_OK;
}

enum ru_status webquery_path(const char *target, char *out, size_t cap)
{
    size_t n = 0;
    if (target[0] != '/' || !cap)
        return RU_ERR_INVALID;
    for (const char *p = target; *p && *p != '?'; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int h = urltext_hex_digit(p[1]), l = h < 0 ? -1 : urltext_hex_digit(p[2]);
            if (l < 0)
                return RU_ERR_INVALID;
            c = h * 16 + l;
            p += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '\\' || n + 1 >= cap)
            return RU_ERR_INVALID;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return RU_OK;
}
