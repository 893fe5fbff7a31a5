/*
 * common/jsonwriter.h - JSON written straight into a strbuf, for answers made many
 * thousands of times a second: no tree of nodes, no hashing of keys, numbers without
 * printf. Pretty (two-space indent, as jansson's JSON_INDENT(2)) or compact. The first
 * error sticks: check jsonw_status() once at the end.
 */
#ifndef REUP_COMMON_JSONWRITER_H
#define REUP_COMMON_JSONWRITER_H
#include "common/status.h"
#include "common/strbuf.h"

#define JSONW_MAX_DEPTH 16

struct jsonw {
    struct strbuf *out;
    int pretty;
    int depth;
    int count[JSONW_MAX_DEPTH];  /* members written so far at each open level */
    char close[JSONW_MAX_DEPTH]; /* and the bracket that ends it */
    enum ru_status rc;
};

void jsonw_init(struct jsonw *w, struct strbuf *out, int pretty);
enum ru_status jsonw_status(const struct jsonw *w);

/* KEY is the member's name inside an object, NULL inside an array or at the top. */
void jsonw_object(struct jsonw *w, const char *key);
void jsonw_array(struct jsonw *w, const char *key);
void jsonw_end(struct jsonw *w); /* closes the innermost object or array */
/* S is UTF-8; control characters, quotes and backslashes are escaped. */
void jsonw_string(struct jsonw *w, const char *key, const char *s);
void jsonw_int(struct jsonw *w, const char *key, long long v);
/* V rounded to 9 decimals, trailing zeros dropped but one ("41.0"); null when not finite
 * or beyond ±9e9. */
void jsonw_real(struct jsonw *w, const char *key, double v);
/* TEXT, already valid JSON, as it is. */
void jsonw_raw(struct jsonw *w, const char *key, const char *text);
#endif
