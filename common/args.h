/*
 * common/args.h - the options of one subcommand: "--name value" pairs, flags without
 * a value, and positional arguments, checked against the names the command accepts.
 */
#ifndef REUP_COMMON_ARGS_H
#define REUP_COMMON_ARGS_H
#include <stddef.h>
#include "common/status.h"

#define ARGS_MAX 24

struct args {
    const char *names[ARGS_MAX], *values[ARGS_MAX]; /* borrowed from argv; a flag's value is "" */
    int n;
    const char *positional[4];
    int npositional;
};

/* Parse ARGV. VALUED and FLAGS list the accepted names, space-separated, without dashes
 * ("dir listen", "resume back"); an option is written --name, or -n for a one-letter
 * name. RU_ERR_INVALID with ERR saying what is wrong: an unknown option, a missing
 * value, too many arguments (more than MAX_POSITIONAL). */
enum ru_status args_parse(int argc, char **argv, const char *valued, const char *flags, int max_positional,
                          struct args *a, char *err, size_t errlen) RU_WARN_UNUSED;

/* The value of NAME (the last one given), or NULL. Borrowed from argv. */
const char *args_get(const struct args *a, const char *name);

/* 1 when NAME was given. Cannot fail. */
int args_has(const struct args *a, const char *name);

/* NAME's value as a whole number from MIN to MAX into *OUT; DEFAULT_VALUE when absent.
 * RU_ERR_INVALID with ERR naming the option. */
enum ru_status args_number(const struct args *a, const char *name, long long min, long long max,
                           long long default_value, long long *out, char *err, size_t errlen) RU_WARN_UNUSED;
#endif
