/*
 * common/money.c - amounts in minor units.
 */
#include <stdio.h>
#include "common/money.h"
#include "common/banned.h"

enum ru_status money_parse(const char *text, long long *cents)
{
    long long whole = 0, frac = 0;
    int digits = 0, decimals = -1;
    for (const char *p = text; *p; p++) {
        if (*p == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return RU_ERR_INVALID;
        if (decimals >= 0) {
            if (++decimals > 2)
                return RU_ERR_INVALID;
            frac = frac * 10 + (*p - '0');
        } else {
            if (whole > MONEY_MAX_CENTS / 100)
                return RU_ERR_INVALID;
            whole = whole * 10 + (*p - '0');
        }
        digits++;
    }
    if (!digits)
        return RU_ERR_INVALID;
    if (decimals == 1)
        frac *= 10;
    long long v = whole * 100 + frac;
    if (v > MONEY_MAX_CENTS)
        return RU_ERR_INVALID;
    *cents = v;
    return RU_OK;
}

void money_format(long long cents, char *out, size_t outlen)
{
    unsigned long long a = cents < 0 ? (unsigned long long)-cents : (unsigned long long)cents;
    snprintf(out, outlen, "%s%llu.%02llu", cents < 0 ? "-" : "", a / 100, a % 100);
}
