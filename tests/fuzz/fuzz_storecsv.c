/*
 * tests/fuzz/fuzz_storecsv.c - libFuzzer target for the store-list CSV parser.
 * Splits the input at '\n' and feeds each piece as a physical line, then finishes.
 * The row callback touches every field, checks coordinates and parses extras_json with
 * jansson (it must be a JSON object when present); the bad-row callback touches its
 * reason. Every fatal error must leave a message.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "locator/storecsv.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    size_t rows, bad, bytes;
    unsigned long last_line;
};

static enum ru_status on_row(void *ctx, const struct store_row *r)
{
    struct seen *s = ctx;
    const char *f[] = {r->id, r->chain, r->name, r->address, r->city, r->region, r->postal, r->country};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (!f[i])
            abort();
        s->bytes += strlen(f[i]);
    }
    if (!*r->id || strlen(r->id) > STORECSV_ID_MAX || !*r->chain || !*r->name)
        abort();
    if (!(r->lat >= -90 && r->lat <= 90 && r->lon >= -180 && r->lon <= 180))
        abort();
    if (r->line == 0)
        abort();
    if (r->extras_json) {
        json_error_t err;
        json_t *o = json_loads(r->extras_json, 0, &err);
        if (!o || !json_is_object(o) || json_object_size(o) == 0)
            abort();
        json_decref(o);
    }
    s->last_line = r->line;
    s->rows++;
    return RU_OK;
}

static enum ru_status on_bad(void *ctx, unsigned long line, const char *why)
{
    struct seen *s = ctx;
    if (!why || !*why || line == 0)
        abort();
    s->bytes += strlen(why);
    s->bad++;
    return RU_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen seen = {0};
    struct storecsv *p = NULL;
    if (storecsv_new(on_row, on_bad, &seen, &p) != RU_OK)
        return 0;
    const char *text = (const char *)data;
    size_t at = 0;
    enum ru_status st = RU_OK;
    while (at < size && st == RU_OK) {
        const char *nl = memchr(text + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : size - at;
        st = storecsv_feed_line(p, text + at, len);
        at += len + (nl ? 1 : 0);
    }
    if (st == RU_OK)
        st = storecsv_finish(p);
    if (st == RU_ERR_INVALID && !*storecsv_errmsg(p))
        abort();
    storecsv_free(p);
    return 0;
}
