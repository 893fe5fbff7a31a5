/*
 * common/stopsignal.c - SIGTERM, SIGINT and SIGHUP for the servers.
 */
#include <pthread.h>
#include "common/stopsignal.h"
#include "common/banned.h"

void stopsignal_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int stopsignal_wait(const sigset_t *set, const char **name)
{
    int sig = SIGTERM; /* sigwait() fails only on a bad set: stop rather than spin */
    (void)sigwait(set, &sig);
    *name = sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
    return sig;
}
