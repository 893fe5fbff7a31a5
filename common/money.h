/*
 * common/money.h - amounts as typed and printed: "39.99" <-> 3999 minor units. Two
 * decimals (the currencies the stores use); never floating point.
 */
#ifndef REUP_COMMON_MONEY_H
#define REUP_COMMON_MONEY_H
#include <stddef.h>
#include "common/status.h"

#define MONEY_MAX_CENTS 100000000LL /* 1,000,000.00 */

/* "40", "40.5", "40.50", "0.99" into cents. RU_ERR_INVALID for anything else: a sign,
 * more than two decimals, no digits, separators, over MONEY_MAX_CENTS. */
enum ru_status money_parse(const char *text, long long *cents) RU_WARN_UNUSED;

/* "39.99", "-0.50". Cannot fail; cut to OUTLEN. */
void money_format(long long cents, char *out, size_t outlen);
#endif
