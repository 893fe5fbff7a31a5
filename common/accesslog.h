/*
 * common/accesslog.h - the servers' one line per request:
 *   TIME WHO METHOD PATH STATUS DURATIONms[ EXTRA]
 * TIME in UTC, PATH as sent (cut, control characters as '?'). Each line is one
 * write(2): server threads do not queue on a FILE's lock, and lines never interleave.
 */
#ifndef REUP_COMMON_ACCESSLOG_H
#define REUP_COMMON_ACCESSLOG_H
#include <stdio.h>
#include <time.h>

/* T0: when the request began (CLOCK_MONOTONIC). WHO, METHOD: "-" when NULL or empty;
 * EXTRA: left out when NULL. A line that cannot be written is dropped. */
void accesslog_line(FILE *log, const struct timespec *t0, const char *who, const char *method,
                    const char *uri, int status, const char *extra);
#endif
