/*
 * printing/progress.c - the progress bar.
 */
#include <time.h>
#include <unistd.h>
#include "printing/progress.h"
#include "common/banned.h"

#define BAR_WIDTH 30

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void progress_init(struct progress *p, FILE *out, unsigned long total, const char *what)
{
    *p = (struct progress){.out = out, .tty = isatty(fileno(out)), .total = total, .what = what};
    p->start = p->last = now_s();
}

static void draw(struct progress *p, double t)
{
    double elapsed = t - p->start;
    double rate = elapsed > 0 ? p->done / elapsed : 0;
    double left = rate > 0 ? (p->total - p->done) / rate : 0;
    if (p->tty) {
        char bar[BAR_WIDTH + 1];
        int full = p->total ? (int)(BAR_WIDTH * (double)p->done / p->total) : BAR_WIDTH;
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < full ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fprintf(p->out, "\r[%s] %lu/%lu cards %s, %.0f cards/s, %02d:%02d left ", bar, p->done, p->total,
                p->what, rate, (int)left / 60, (int)left % 60);
    } else {
        fprintf(p->out, "progress: %lu/%lu cards %s, %.0f cards/s, %.0f s left\n", p->done, p->total, p->what,
                rate, left);
    }
    fflush(p->out);
    p->last = t;
}

void progress_update(struct progress *p, unsigned long done)
{
    p->done = done;
    double t = now_s();
    if (t - p->last >= (p->tty ? 0.2 : 5.0))
        draw(p, t);
}

void progress_tick(struct progress *p)
{
    draw(p, now_s());
}

void progress_finish(struct progress *p)
{
    double t = now_s();
    draw(p, t);
    if (p->tty)
        fputc('\n', p->out);
}
