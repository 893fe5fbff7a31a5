/*
 * locator/query.h - what kind of query a customer typed, and whether it is usable.
 *
 * "41.58,-109.2" is a position, "82901" or "82901-1234" a postal code, anything else
 * a place name. Empty, over-long, invalid UTF-8 and control characters are refused
 * with a reason before any lookup.
 */
#ifndef REUP_LOCATOR_QUERY_H
#define REUP_LOCATOR_QUERY_H
#include <stddef.h>
#include "common/status.h"
#include "locator/geo.h"

#define QUERY_MAX_BYTES 256

enum query_kind { QUERY_PLACE, QUERY_POSTAL, QUERY_POSITION };

struct query {
    enum query_kind kind;
    struct geo_point position; /* QUERY_POSITION only */
};

/* Classify TEXT. RU_ERR_INVALID (empty, bad UTF-8, control characters, or a position
 * that is not two plain decimal numbers: geo.h), RU_ERR_LIMIT (longer than QUERY_MAX_BYTES, or a
 * position out of range); *why gets a static reason. *out is unchanged on failure. */
enum ru_status query_parse(const char *text, struct query *out, const char **why) RU_WARN_UNUSED;

/* Static name of a kind: "place", "postal", "position". */
const char *query_kind_name(enum query_kind k);

#endif
