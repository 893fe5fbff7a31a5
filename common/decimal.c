/*
 * common/decimal.c - strict decimal numbers. The syntax is checked here byte by byte;
 * only text that passed is handed to strtod (in the C locale, so '.' is the point),
 * which then reads exactly that text and rounds correctly.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/decimal.h"
#include "common/banned.h"

static size_t digits(const char *text, size_t len)
{
    size_t n = 0;
    while (n < len && text[n] >= '0' && text[n] <= '9')
        n++;
    return n;
}

size_t decimal_span(const char *text, size_t len)
{
    size_t i = len && text[0] == '-' ? 1 : 0;
    size_t whole = digits(text + i, len - i);
    if (!whole)
        return 0;
    i += whole;
    /* a point counts only with a digit after it: "5." is 5 and a stray '.' */
    if (i + 1 < len && text[i] == '.') {
        size_t frac = digits(text + i + 1, len - i - 1);
        if (frac)
            i += 1 + frac;
    }
    return i;
}

enum ru_status decimal_parse_n(const char *text, size_t len, double *out)
{
    char buf[DECIMAL_MAX_LEN + 1];
    if (!len || len > DECIMAL_MAX_LEN || decimal_span(text, len) != len)
        return RU_ERR_INVALID;
    memcpy(buf, text, len);
    buf[len] = '\0';
    double v = strtod(buf, NULL);
    /* 40 digits stay far below DBL_MAX: a check for what cannot happen, kept cheap */
    if (!isfinite(v))
        return RU_ERR_INVALID;
    *out = v;
    return RU_OK;
}

enum ru_status decimal_parse(const char *text, double *out)
{
    return decimal_parse_n(text, strlen(text), out);
}

enum ru_status decimal_whole(const char *text, long long min, long long max, long long *out)
{
    size_t len = strlen(text), i = len && text[0] == '-' ? 1 : 0;
    if (i == len || digits(text + i, len - i) != len - i)
        return RU_ERR_INVALID;
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno == ERANGE || v < min || v > max)
        return RU_ERR_LIMIT;
    *out = v;
    return RU_OK;
}
