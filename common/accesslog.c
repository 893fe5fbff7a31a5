/* common/accesslog.c - one request line, written at once. */
#include <unistd.h>
#include "common/accesslog.h"
#include "common/banned.h"

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

void accesslog_line(FILE *log, const struct timespec *t0, const char *who, const char *method,
                    const char *uri, int status, const char *extra)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
    char when[32], path[160], line[512];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    size_t i;
    for (i = 0; uri && uri[i] && i + 1 < sizeof(path); i++)
        path[i] = (unsigned char)uri[i] < 0x20 ? '?' : uri[i];
    path[i] = '\0';
    int n = snprintf(line, sizeof(line), "%s %s %s %s %d %.3fms%s%s\n", when, or_dash(who), or_dash(method),
                     path, status, ms, extra ? " " : "", extra ? extra : "");
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    if (len && write(fileno(log), line, len) < 0) {
        /* a lost log line is no reason to fail the answer */
    }
}
