/*
 * common/servicenotify.h - what a server tells its service manager (systemd's
 * Type=notify, sd_notify(3)): ready, reloading, stopping, and a one-line status for
 * `systemctl status`. Without $NOTIFY_SOCKET (started by hand, by a test, by another
 * supervisor) each call does nothing.
 */
#ifndef REUP_COMMON_SERVICENOTIFY_H
#define REUP_COMMON_SERVICENOTIFY_H

/* The server answers: its socket accepts, with everything it needs loaded. STATUS (may
 * be NULL) is the line `systemctl status` shows. A message that cannot be sent is
 * dropped: the manager then times the start out, which says more than a log line would. */
void servicenotify_ready(const char *status);

/* A reload has begun (RELOADING=1); servicenotify_ready() ends it. */
void servicenotify_reloading(const char *status);

/* The shutdown has begun (STOPPING=1). */
void servicenotify_stopping(const char *status);
#endif
