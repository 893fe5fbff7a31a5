/*
 * printing/printjob.h - one document to a print queue, start to end: a temporary file
 * with no name for documents that hold PINs, and sending a job and following it, with a
 * job that cannot print now cancelled rather than left to print later by surprise.
 */
#ifndef REUP_PRINTING_PRINTJOB_H
#define REUP_PRINTING_PRINTJOB_H
#include <stdio.h>
#include "printing/cupsprint.h"

/* A read-write temporary file under $TMPDIR (else /tmp) that has no name from the start
 * (O_TMPFILE, or a name removed at once), mode 0600: whatever happens to the program,
 * nothing is left behind. NULL with ERR saying why. */
FILE *printjob_tmpfile(char *err, size_t errlen);

/* Send DOC to P with options O, follow the job to its end, and cancel it when it is
 * stopped or too slow (TIMEOUT_S). Returns how it ended: COMPLETED; FAILED (nothing
 * printed: refused, aborted, cancelled by us); UNSENT (the server went away before the
 * job existed); UNKNOWN (the job may have printed). MSG says why in plain words;
 * *CUPS_JOB is CUPS's id (0: none). PROGRESS (may be NULL) is called while waiting. */
enum cupsprint_end printjob_send(struct cupsprint *p, FILE *doc, const struct cupsprint_options *o,
                                 int timeout_s, void (*progress)(void *ctx), void *ctx, int *cups_job,
                                 char *msg, size_t msglen);
#endif
