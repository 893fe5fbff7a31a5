/*
 * common/decimal.h - numbers as people and query strings write them, read strictly:
 * an optional '-', digits, and optionally '.' and more digits ("41.58", "-109.2", "5").
 * Nothing else is a number here: no '+', no exponent ("1e3"), no hex ("0x1p3"), no
 * "inf" or "nan", no leading '.' or trailing '.', no spaces, no empty text. strtod and
 * strtol read all of those, so every number from outside goes through this instead.
 * Pure: no I/O, no allocation, no locale.
 */
#ifndef REUP_COMMON_DECIMAL_H
#define REUP_COMMON_DECIMAL_H
#include <stddef.h>
#include "common/status.h"

/* The longest number read, in bytes: far more digits than a double holds. */
#define DECIMAL_MAX_LEN 40

/* The length of the plain decimal number TEXT starts with (at most LEN bytes of it):
 * 0 when it starts with none. "25mi" gives 2, "-3.5 km" 4, "1.x" 1, ".5" 0.
 * Cannot fail. */
size_t decimal_span(const char *text, size_t len);

/* LEN bytes of TEXT, all of them one plain decimal number, into *out. RU_ERR_INVALID
 * when they are not (or longer than DECIMAL_MAX_LEN). *out is unchanged on failure. */
enum ru_status decimal_parse_n(const char *text, size_t len, double *out) RU_WARN_UNUSED;

/* The whole NUL-terminated TEXT as a plain decimal number; as decimal_parse_n. */
enum ru_status decimal_parse(const char *text, double *out) RU_WARN_UNUSED;

/* TEXT as a whole number (an optional '-' and digits only) from MIN to MAX.
 * RU_ERR_INVALID for other text (a fraction too), RU_ERR_LIMIT outside MIN..MAX.
 * *out is unchanged on failure. */
enum ru_status decimal_whole(const char *text, long long min, long long max, long long *out) RU_WARN_UNUSED;
#endif
