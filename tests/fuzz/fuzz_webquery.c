/*
 * tests/fuzz/fuzz_webquery.c - libFuzzer target for the web API's query strings.
 * An accepted stores query has a q without control characters, k in range and a radius
 * that is a number; an accepted places query a prefix and a limit in range; a refusal
 * has a status, a code and words.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "locator/webquery.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused(const struct webquery_error *e)
{
    if ((e->http_status != 400 && e->http_status != 413) || !e->code || !e->message[0])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct webquery_stores s;
    struct webquery_places p;
    struct webquery_error e;
    const char *qs = (const char *)data;
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
    return 0;
}
