/*
 * pos/printworker.c - one thread, one till, one mutex. The screen's thread never waits on
 * the printer: it only sets a flag under the mutex; the lock is never held while printing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pos/printworker.h"
#include "pos/till.h"
#include "common/banned.h"

struct printworker {
    struct till *t; /* used by the thread alone */
    pthread_t thread;
    pthread_mutex_t lock; /* the fields below */
    pthread_cond_t wake;
    int due, force, stop, busy;
    char problem[300];
};

static void *run(void *arg)
{
    struct printworker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->due && !w->stop)
            pthread_cond_wait(&w->wake, &w->lock);
        if (!w->due)
            break;
        int force = w->force;
        w->due = w->force = 0;
        w->busy = 1;
        pthread_mutex_unlock(&w->lock);
        unsigned long printed = 0;
        char why[300] = "";
        enum ru_status rc = till_print_receipts(w->t, force, &printed, why, sizeof(why));
        pthread_mutex_lock(&w->lock);
        w->busy = 0;
        /* the journal's failure is worth telling too: the receipts wait either way */
        snprintf(w->problem, sizeof(w->problem), "%s",
                 rc == RU_OK || why[0] ? why : "the journal cannot be read");
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

enum ru_status printworker_start(const struct pos_config *cfg, struct printworker **out, char *err,
                                 size_t errlen)
{
    struct printworker *w = calloc(1, sizeof(*w));
    if (!w)
        return RU_ERR_NOMEM;
    enum ru_status rc = till_open_local(cfg, &w->t, err, errlen);
    if (rc != RU_OK) {
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        snprintf(err, errlen, "cannot start the thread that prints receipts");
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        till_free(w->t);
        free(w);
        return RU_ERR_IO;
    }
    *out = w;
    return RU_OK;
}

void printworker_kick(struct printworker *w, int force)
{
    pthread_mutex_lock(&w->lock);
    w->due = 1;
    w->force |= force;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

int printworker_state(struct printworker *w, char *out, size_t outlen)
{
    pthread_mutex_lock(&w->lock);
    snprintf(out, outlen, "%s", w->problem);
    int busy = w->busy;
    pthread_mutex_unlock(&w->lock);
    return busy;
}

void printworker_stop(struct printworker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    till_free(w->t);
    free(w);
}
