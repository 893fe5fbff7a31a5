/*
 * common/stopsignal.h - how the servers wait for their signals: SIGTERM or SIGINT (stop)
 * and SIGHUP (reload), blocked in every thread (so the server's threads never take them),
 * waited for in the main thread.
 */
#ifndef REUP_COMMON_STOPSIGNAL_H
#define REUP_COMMON_STOPSIGNAL_H
#include <signal.h>

/* Block SIGTERM, SIGINT and SIGHUP into SET and ignore SIGPIPE; call before starting
 * threads. A SIGHUP then never ends the server, whether it reloads or not. Cannot fail. */
void stopsignal_block(sigset_t *set);

/* Wait for one of SET: its number (SIGTERM, SIGINT, SIGHUP), its name in *NAME
 * ("SIGTERM"). Cannot fail. */
int stopsignal_wait(const sigset_t *set, const char **name);
#endif
