/*
 * locator/storecsv.h - parser for store lists in CSV (RFC 4180, on libcsv).
 *
 * The header names the columns; id, chain, name, address, city, region, postal, country,
 * lat and lon are required in any order, and every further column (phone, hours, ...) is
 * kept as a JSON object of extras. The caller feeds physical lines; each complete, valid
 * record goes to the row callback, each invalid one to the bad-row callback with the line
 * it starts on and the reason. A broken header or broken quoting stops the file.
 */
#ifndef REUP_LOCATOR_STORECSV_H
#define REUP_LOCATOR_STORECSV_H
#include <stddef.h>
#include "common/status.h"

#define STORECSV_MAX_FIELD   4096 /* bytes in one field */
#define STORECSV_MAX_COLUMNS 64
#define STORECSV_MAX_RECORD  (1 << 20) /* bytes in one record, quoted newlines included */
#define STORECSV_ID_MAX      64

struct storecsv;

struct store_row {
    const char *id, *chain, *name, *address, *city, *region, *postal, *country;
    double lat, lon;
    const char *extras_json; /* {"phone":"..."} of the non-empty extra columns, or NULL */
    unsigned long line;      /* line the record starts on */
};

/* Borrowed row, valid during the call. A status other than RU_OK stops the parse. */
typedef enum ru_status (*storecsv_row_fn)(void *ctx, const struct store_row *row);
typedef enum ru_status (*storecsv_bad_fn)(void *ctx, unsigned long line, const char *why);

enum ru_status storecsv_new(storecsv_row_fn on_row, storecsv_bad_fn on_bad, void *ctx,
                            struct storecsv **out) RU_WARN_UNUSED;

/* Feed the next physical line, without its line ending. RU_ERR_INVALID for a fatal
 * problem (storecsv_errmsg() says which line and what), or a callback's status. */
enum ru_status storecsv_feed_line(struct storecsv *p, const char *line, size_t len) RU_WARN_UNUSED;

/* End of input: flushes the last record. RU_ERR_INVALID for an unterminated quote or a
 * file without a header. */
enum ru_status storecsv_finish(struct storecsv *p) RU_WARN_UNUSED;

/* Message of the last fatal error. Borrowed; never NULL. */
const char *storecsv_errmsg(const struct storecsv *p);

void storecsv_free(struct storecsv *p);

#endif
