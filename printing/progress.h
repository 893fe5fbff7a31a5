/*
 * printing/progress.h - progress of a long run on standard error: a bar redrawn in place
 * on a terminal (cards done, cards/s, time left), a plain line every few seconds
 * otherwise.
 */
#ifndef REUP_PRINTING_PROGRESS_H
#define REUP_PRINTING_PROGRESS_H
#include <stdio.h>

struct progress {
    FILE *out;
    int tty;
    unsigned long total, done;
    double start, last;
    const char *what; /* "printed", "rendered" */
};

/* Start counting towards TOTAL on OUT. Cannot fail. */
void progress_init(struct progress *p, FILE *out, unsigned long total, const char *what);

/* DONE cards so far; redraws when it is time to. Cannot fail. */
void progress_update(struct progress *p, unsigned long done);

/* Redraw now, whatever the time (a job is waiting, say). Cannot fail. */
void progress_tick(struct progress *p);

/* Final line. Cannot fail. */
void progress_finish(struct progress *p);
#endif
