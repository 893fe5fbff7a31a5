/*
 * common/stopsignal.c - SIGTERM and SIGINT for the servers.
 */
#include <pthread.h>
#include "common/stopsignal.h"
#include "common/banned.h"

void stopsignal_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

const char *stopsignal_wait(const sigset_t *set)
{
    int sig = 0;
    sigwait(set, &sig);
    return sig == SIGINT ? "SIGINT" : "SIGTERM";
}
