/*
 * printing/cupsprint.h - sending a PDF to a CUPS queue and following the job to its end,
 * through libcups's destination API. Everything that can go wrong is told in plain words:
 * the queue is missing, stopped or not accepting jobs, out of media, the job was aborted,
 * the server cannot be reached.
 */
#ifndef REUP_PRINTING_CUPSPRINT_H
#define REUP_PRINTING_CUPSPRINT_H
#include <stddef.h>
#include <stdio.h>
#include "common/status.h"

struct cupsprint;

/* Connect to queue QUEUE on SERVER ("host:port" or a socket path; NULL: $CUPS_SERVER,
 * then the system's default). RU_ERR_NOT_FOUND: no such queue; RU_ERR_IO: the server
 * cannot be reached. ERR says which. */
enum ru_status cupsprint_open(const char *server, const char *queue, struct cupsprint **out, char *err,
                              size_t errlen) RU_WARN_UNUSED;
void cupsprint_free(struct cupsprint *p);

/* The server as connected to, for the ledger and messages (borrowed). */
const char *cupsprint_server(const struct cupsprint *p);

struct cupsprint_options {
    const char *job_name; /* our own job id: "reup B000001 job 7" */
    const char *media;    /* PWG media name; NULL: the queue's default */
    int copies;           /* 1 when 0 */
};

/* Create a job and send the PDF in DOC (read from its start) as its one document.
 * *JOB_ID is CUPS's id once the job exists (0 before). RU_ERR_INVALID: the queue refused
 * the job (not accepting jobs, bad options), nothing will print; RU_ERR_IO: the server
 * went away or the document was not fully sent. */
enum ru_status cupsprint_submit(struct cupsprint *p, FILE *doc, const struct cupsprint_options *o,
                                int *job_id, char *err, size_t errlen) RU_WARN_UNUSED;

enum cupsprint_end {
    CUPSPRINT_COMPLETED, /* printed */
    CUPSPRINT_FAILED,    /* aborted or canceled: nothing to trust as printed */
    CUPSPRINT_STOPPED,   /* waiting and not going to print by itself: printer stopped, job held */
    CUPSPRINT_TIMEOUT,   /* still not finished after the time allowed */
    CUPSPRINT_UNKNOWN,   /* no answer from the server, or the id now names another job */
    CUPSPRINT_UNSENT     /* the server could not be reached to create the job: nothing printed */
};

/* Wait for job JOB_ID, named JOB_NAME, to end: poll its state and the printer's.
 * Returns how it ended with the reasons in plain words in MSG; PROGRESS (may be NULL)
 * is called about every second while waiting. */
enum cupsprint_end cupsprint_wait(struct cupsprint *p, int job_id, const char *job_name, int timeout_s,
                                  void (*progress)(void *ctx), void *ctx, char *msg, size_t msglen);

/* Cancel job JOB_ID. RU_OK when the server took it; RU_ERR_IO otherwise. */
enum ru_status cupsprint_cancel(struct cupsprint *p, int job_id) RU_WARN_UNUSED;
#endif
