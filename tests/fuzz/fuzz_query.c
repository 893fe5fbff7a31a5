/*
 * tests/fuzz/fuzz_query.c - libFuzzer target for what a customer types.
 * Feeds the input (a NUL-terminated copy, at most 4096 bytes) to query_parse, fold_text
 * (into a capped strbuf, then again on its own output: folding is idempotent),
 * geo_point_parse, geo_looks_like_point and geo_distance_parse, and checks the contracts
 * that hold for any input: a reason on every refusal, *out untouched on failure, parsed
 * positions in range and written in plain decimal (no '+', exponent, hex, nan or inf),
 * distances positive and finite.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "locator/fold.h"
#include "locator/geo.h"
#include "locator/query.h"
#include "common/banned.h"

#define MAX_INPUT 4096
#define FOLD_CAP  1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        size = MAX_INPUT;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';

    /* Classification: a reason on every refusal, nothing written to *out. */
    struct query q, before;
    memset(&q, 0x5A, sizeof(q));
    before = q;
    const char *why = NULL;
    enum ru_status st = query_parse(text, &q, &why);
    if (st != RU_OK) {
        if (!why || !*why || memcmp(&q, &before, sizeof(q)) != 0)
            abort();
    } else {
        if (strlen(text) > QUERY_MAX_BYTES)
            abort();
        if (q.kind == QUERY_POSITION && !geo_point_valid(q.position))
            abort();
        if (!*query_kind_name(q.kind))
            abort();
    }

    /* Folding the whole buffer (NULs included), then folding the result again. */
    struct strbuf a, b;
    strbuf_init(&a, FOLD_CAP);
    strbuf_init(&b, FOLD_CAP);
    st = fold_text(text, size, &a);
    if (st == RU_OK) {
        if (a.len > FOLD_CAP || strlen(strbuf_str(&a)) != a.len)
            abort();
        if (fold_text(strbuf_str(&a), a.len, &b) != RU_OK || strcmp(strbuf_str(&a), strbuf_str(&b)) != 0)
            abort();
    } else if (st == RU_ERR_INVALID) {
        if (a.len != 0 || fold_is_utf8(text, size))
            abort();
    }
    strbuf_release(&a);
    strbuf_release(&b);
    (void)fold_is_clean_utf8(text, size);

    /* Positions and distances. */
    struct geo_point p = {1234.0, 5678.0};
    st = geo_point_parse(text, &p);
    if (st == RU_OK && (!geo_point_valid(p) || strpbrk(text, "+eExXnNiI")))
        abort();
    if (st != RU_OK && (p.lat != 1234.0 || p.lon != 5678.0))
        abort();
    if (st == RU_ERR_LIMIT && !geo_looks_like_point(text))
        abort();
    double m = -1.0;
    st = geo_distance_parse(text, &m);
    if (st == RU_OK && (!(isfinite(m) && m > 0) || text[0] == ' ' || text[0] == '+' || text[0] == '.'))
        abort();
    if (st != RU_OK && m != -1.0)
        abort();

    free(text);
    return 0;
}
