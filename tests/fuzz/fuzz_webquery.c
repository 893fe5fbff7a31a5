/*
 * tests/fuzz/fuzz_webquery.c - libFuzzer target for the web API's query strings.
 * An accepted stores query has a q without control characters, k in range and a radius
 * that is a number; an accepted places query a prefix and a limit in range; a refusal
 * has a status, a code and words; an accepted labels query a box of finite coordinates
 * in range with south <= north and a zoom from 0 to 20. The strict number parser behind lat, lon, k, radius
 * and limit (common/decimal.h) is fed the same bytes: what it takes is plain decimal,
 * checked here by a second, simpler reading, and finite; a refusal leaves *out alone.
 * So is the path decoder of the page's files (webquery_path).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "locator/webquery.h"
#include "common/decimal.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused(const struct webquery_error *e)
{
    if ((e->http_status != 400 && e->http_status != 413) || !e->code || !e->message[0])
        abort();
}

/* 1 when the LEN bytes at P are '-'? digits ('.' digits)?: the grammar, read again. */
static int plain(const char *p, size_t len)
{
    size_t i = len && p[0] == '-', d = 0, f = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9')
        i++, d++;
    if (i < len && p[i] == '.') {
        i++;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++, f++;
        if (!f)
            return 0;
    }
    return d && i == len;
}

static void numbers(const char *p, size_t size)
{
    double v = 0.25;
    if (decimal_parse_n(p, size, &v) == RU_OK) {
        if (!plain(p, size) || size > DECIMAL_MAX_LEN || !isfinite(v))
            abort();
    } else if (v != 0.25 || (plain(p, size) && size <= DECIMAL_MAX_LEN)) {
        abort();
    }
    size_t n = decimal_span(p, size);
    if (n > size || (n && !plain(p, n)))
        abort();
    char text[DECIMAL_MAX_LEN + 8];
    if (size < sizeof(text)) {
        memcpy(text, p, size);
        text[size] = '\0';
        long long w = 42;
        enum ru_status st = decimal_whole(text, -1000, 1000, &w);
        if (st == RU_OK && (!plain(text, strlen(text)) || strchr(text, '.') || w < -1000 || w > 1000))
            abort();
        if (st != RU_OK && w != 42)
            abort();
    }
}

/* A request target's path: accepted ones start with '/', fit, and hold no control
 * character or backslash. */
static void paths(const char *p, size_t size)
{
    char target[1100], out[401];
    if (size >= sizeof(target))
        return;
    memcpy(target, p, size);
    target[size] = '\0';
    if (webquery_path(target, out, sizeof(out)) != RU_OK)
        return;
    size_t n = strlen(out);
    if (out[0] != '/' || n >= sizeof(out))
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f || out[i] == '\\')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct webquery_stores s;
    struct webquery_places p;
    struct webquery_labels l;
    struct webquery_error e;
    const char *qs = (const char *)data;
    numbers(qs, size);
    paths(qs, size);
    if (webquery_stores_parse(qs, size, &s, &e) == RU_OK) {
        if (!s.q[0] || s.k < 1 || s.k > WEBQUERY_K_MAX || !isfinite(s.radius_m) || s.radius_m < 0)
            abort();
        for (const unsigned char *c = (const unsigned char *)s.q; *c; c++)
            if (*c < 0x20)
                abort();
    } else {
        refused(&e);
    }
    if (webquery_places_parse(qs, size, &p, &e) == RU_OK) {
        if (!p.prefix[0] || p.limit < 1 || p.limit > WEBQUERY_LIMIT_MAX)
            abort();
    } else {
        refused(&e);
    }
    if (webquery_labels_parse(qs, size, &l, &e) == RU_OK) {
        if (!isfinite(l.west) || !isfinite(l.east) || !isfinite(l.south) || !isfinite(l.north) ||
            fabs(l.west) > 180 || fabs(l.east) > 180 || l.south < -90 || l.north > 90 || l.south > l.north ||
            l.zoom < 0 || l.zoom > WEBQUERY_ZOOM_MAX)
            abort();
    } else {
        refused(&e);
    }
    return 0;
}
