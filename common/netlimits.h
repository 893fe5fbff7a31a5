/*
 * common/netlimits.h - what one client, and all clients together, may hold of a server:
 * connections, how long a connection may stay silent or take to send its request, and how
 * long a stopping server still gives the requests in flight. reup-locate serve and
 * reup-issuer serve take the same options, parsed here.
 */
#ifndef REUP_COMMON_NETLIMITS_H
#define REUP_COMMON_NETLIMITS_H
#include <stddef.h>
#include "common/status.h"

struct netlimits {
    unsigned max_connections;    /* all clients together */
    unsigned max_per_address;    /* one client address; 0: no limit */
    unsigned idle_timeout_s;     /* a connection silent this long is closed */
    unsigned request_timeout_s;  /* a request (headers and body) must arrive within this */
    unsigned shutdown_timeout_s; /* on SIGTERM, requests in flight get this long; then cut */
};

#define NETLIMITS_DEFAULTS                                                                             \
    {                                                                                                  \
        .max_connections = 1000, .max_per_address = 64, .idle_timeout_s = 30, .request_timeout_s = 30, \
        .shutdown_timeout_s = 5                                                                        \
    }

/* The options' names, for an accepted-names list. */
#define NETLIMITS_NAMES \
    "max-connections max-connections-per-address idle-timeout request-timeout shutdown-timeout"

/* The options in a program's --help, each line indented two spaces. */
#define NETLIMITS_USAGE                                                                     \
    "  --max-connections N connections open at once, all clients together (default 1000)\n" \
    "  --max-connections-per-address N\n"                                                   \
    "                      connections open at once from one address (default 64; 0: no\n"  \
    "                      limit); one more is closed at once\n"                            \
    "  --idle-timeout SECONDS\n"                                                            \
    "                      close a connection silent this long (default 30)\n"              \
    "  --request-timeout SECONDS\n"                                                         \
    "                      close a connection whose request (headers and body) has not\n"   \
    "                      all come this long after it began (default 30)\n"                \
    "  --shutdown-timeout SECONDS\n"                                                        \
    "                      on SIGTERM, give requests in flight this long, then cut them\n"  \
    "                      (default 5); the listening socket closes at once\n"

/* When NAME (without dashes: "idle-timeout") is one of the options above, parse VALUE into
 * *L: RU_OK, or RU_ERR_INVALID with ERR naming the option and its range (*L unchanged).
 * Numbers are decimal digits alone: no sign, space, base prefix or fraction.
 * RU_ERR_NOT_FOUND (ERR untouched) when NAME is not one of them. */
enum ru_status netlimits_option(struct netlimits *l, const char *name, const char *value, char *err,
                                size_t errlen) RU_WARN_UNUSED;

/* *L, or NETLIMITS_DEFAULTS when *L is all zero (a caller that set no limits). Cannot fail. */
struct netlimits netlimits_or_defaults(const struct netlimits *l);

/* Parse TEXT, decimal digits alone, as a whole number from MIN to MAX into *OUT. RU_ERR_INVALID
 * (*OUT unchanged) for anything else. */
enum ru_status netlimits_number(const char *text, unsigned min, unsigned max, unsigned *out) RU_WARN_UNUSED;
#endif
