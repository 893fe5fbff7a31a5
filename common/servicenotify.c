/*
 * common/servicenotify.c - sd_notify(3) for the servers.
 */
#include <stdio.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include "common/servicenotify.h"
#include "common/banned.h"

/* STATE and, when given, STATUS= in one datagram, so the manager never shows the old
 * status beside the new state. Newlines in STATUS would start fields of their own. */
static void notify(const char *state, const char *status)
{
    char msg[600];
    int n = snprintf(msg, sizeof(msg), "%s%s", state, status ? "\nSTATUS=" : "");
    if (n < 0 || (size_t)n >= sizeof(msg))
        return;
    size_t at = (size_t)n;
    for (const char *p = status; p && *p && at + 1 < sizeof(msg); p++)
        msg[at++] = *p == '\n' ? ' ' : *p;
    msg[at] = '\0';
    (void)sd_notify(0, msg);
}

void servicenotify_ready(const char *status)
{
    char state[64];
    /* MAINPID as well: the manager then knows the server even when a wrapper started it */
    snprintf(state, sizeof(state), "READY=1\nMAINPID=%ld", (long)getpid());
    notify(state, status);
}

void servicenotify_reloading(const char *status)
{
    notify("RELOADING=1", status);
}

void servicenotify_stopping(const char *status)
{
    notify("STOPPING=1", status);
}
