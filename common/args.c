/*
 * common/args.c - subcommand options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/args.h"
#include "common/banned.h"

/* 1 when NAME is a word of the space-separated LIST. */
static int listed(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; len && (p = strstr(p, name)) != NULL; p += len)
        if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return 1;
    return 0;
}

enum ru_status args_parse(int argc, char **argv, const char *valued, const char *flags, int max_positional,
                          struct args *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *name = !strncmp(arg, "--", 2)                 ? arg + 2
                           : (arg[0] == '-' && arg[1] && !arg[2]) ? arg + 1
                                                                  : NULL;
        if (!name) {
            if (arg[0] == '-' && arg[1]) {
                snprintf(err, errlen, "unknown option '%.100s'", arg);
                return RU_ERR_INVALID;
            }
            if (a->npositional >= max_positional || a->npositional == 4) {
                snprintf(err, errlen, "unexpected argument '%.100s'", arg);
                return RU_ERR_INVALID;
            }
            a->positional[a->npositional++] = arg;
            continue;
        }
        int takes_value = listed(valued, name);
        if (!takes_value && !listed(flags, name)) {
            snprintf(err, errlen, "unknown option '%.100s'", arg);
            return RU_ERR_INVALID;
        }
        if (a->n == ARGS_MAX) {
            snprintf(err, errlen, "too many options");
            return RU_ERR_INVALID;
        }
        if (takes_value && i + 1 >= argc) {
            snprintf(err, errlen, "option '%.100s' needs a value", arg);
            return RU_ERR_INVALID;
        }
        a->names[a->n] = name;
        a->values[a->n++] = takes_value ? argv[++i] : "";
    }
    return RU_OK;
}

const char *args_get(const struct args *a, const char *name)
{
    for (int i = a->n - 1; i >= 0; i--)
        if (!strcmp(a->names[i], name))
            return a->values[i];
    return NULL;
}

int args_has(const struct args *a, const char *name)
{
    return args_get(a, name) != NULL;
}

enum ru_status args_number(const struct args *a, const char *name, long long min, long long max,
                           long long default_value, long long *out, char *err, size_t errlen)
{
    const char *text = args_get(a, name);
    if (!text) {
        *out = default_value;
        return RU_OK;
    }
    char *end;
    errno = 0;
    long long v = *text ? strtoll(text, &end, 10) : 0;
    if (!*text || *end || errno || v < min || v > max) {
        snprintf(err, errlen, "--%s takes a whole number from %lld to %lld, not '%.40s'", name, min, max,
                 text);
        return RU_ERR_INVALID;
    }
    *out = v;
    return RU_OK;
}
