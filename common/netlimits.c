/* common/netlimits.c - the servers' connection limits and timeouts as options. */
#include <stdio.h>
#include <string.h>
#include "common/netlimits.h"
#include "common/banned.h"

enum ru_status netlimits_number(const char *text, unsigned min, unsigned max, unsigned *out)
{
    size_t n = strspn(text, "0123456789");
    if (n == 0 || n > 10 || text[n] != '\0')
        return RU_ERR_INVALID;
    unsigned long long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(text[i] - '0');
    if (v < min || v > max)
        return RU_ERR_INVALID;
    *out = (unsigned)v;
    return RU_OK;
}

struct netlimits netlimits_or_defaults(const struct netlimits *l)
{
    static const struct netlimits zero, defaults = NETLIMITS_DEFAULTS;
    return memcmp(l, &zero, sizeof(zero)) == 0 ? defaults : *l;
}

enum ru_status netlimits_option(struct netlimits *l, const char *name, const char *value, char *err,
                                size_t errlen)
{
    /* the ranges: a day for any timeout; a connection needs a file descriptor */
    static const struct {
        const char *name;
        size_t offset;
        unsigned min, max;
        const char *unit;
    } opts[] = {
        {"max-connections", offsetof(struct netlimits, max_connections), 1, 100000, ""},
        {"max-connections-per-address", offsetof(struct netlimits, max_per_address), 0, 100000,
         " (0: no limit)"},
        {"idle-timeout", offsetof(struct netlimits, idle_timeout_s), 1, 86400, " seconds"},
        {"request-timeout", offsetof(struct netlimits, request_timeout_s), 1, 86400, " seconds"},
        {"shutdown-timeout", offsetof(struct netlimits, shutdown_timeout_s), 0, 86400, " seconds"},
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        if (strcmp(name, opts[i].name) != 0)
            continue;
        unsigned v;
        if (netlimits_number(value, opts[i].min, opts[i].max, &v) != RU_OK) {
            snprintf(err, errlen, "--%s takes a whole number from %u to %u%s, in digits alone, not '%.40s'",
                     name, opts[i].min, opts[i].max, opts[i].unit, value);
            return RU_ERR_INVALID;
        }
        memcpy((char *)l + opts[i].offset, &v, sizeof(v));
        return RU_OK;
    }
    return RU_ERR_NOT_FOUND;
}
