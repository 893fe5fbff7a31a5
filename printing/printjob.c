/*
 * printing/printjob.c - temporary print files and whole jobs.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "printing/printjob.h"
#include "common/banned.h"

FILE *printjob_tmpfile(char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        /* a file system without O_TMPFILE: a name for as long as it takes to remove it */
        char path[4096];
        snprintf(path, sizeof(path), "%.4000s/reup-print-XXXXXX", dir);
        fd = mkstemp(path);
        if (fd >= 0)
            unlink(path);
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w+b") : NULL;
    if (!f) {
        snprintf(err, errlen, "cannot create a temporary file in %s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

enum cupsprint_end printjob_send(struct cupsprint *p, FILE *doc, const struct cupsprint_options *o,
                                 int timeout_s, void (*progress)(void *ctx), void *ctx, int *cups_job,
                                 char *msg, size_t msglen)
{
    enum ru_status rc = cupsprint_submit(p, doc, o, cups_job, msg, msglen);
    if (rc == RU_ERR_INVALID)
        return CUPSPRINT_FAILED;
    if (rc != RU_OK)
        return *cups_job ? CUPSPRINT_UNKNOWN : CUPSPRINT_UNSENT;
    enum cupsprint_end end = cupsprint_wait(p, *cups_job, o->job_name, timeout_s, progress, ctx, msg, msglen);
    if (end == CUPSPRINT_STOPPED || end == CUPSPRINT_TIMEOUT) {
        size_t used = strlen(msg);
        int cancelled = cupsprint_cancel(p, *cups_job) == RU_OK;
        snprintf(msg + used, msglen - used, "; the job %s",
                 cancelled ? "was cancelled" : "could not be cancelled");
        end = cancelled ? CUPSPRINT_FAILED : CUPSPRINT_UNKNOWN;
    }
    return end;
}
