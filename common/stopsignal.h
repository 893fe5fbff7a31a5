/*
 * common/stopsignal.h - how the servers wait for SIGTERM or SIGINT: blocked in every
 * thread (so the server's threads never take them), waited for in the main thread.
 */
#ifndef REUP_COMMON_STOPSIGNAL_H
#define REUP_COMMON_STOPSIGNAL_H
#include <signal.h>

/* Block SIGTERM and SIGINT into SET and ignore SIGPIPE; call before starting threads.
 * Cannot fail. */
void stopsignal_block(sigset_t *set);

/* Wait for one of SET; its name ("SIGTERM", "SIGINT"). Cannot fail. */
const char *stopsignal_wait(const sigset_t *set);
#endif
