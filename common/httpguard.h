/*
 * common/httpguard.h - a deadline for each request of a libmicrohttpd server: a client
 * that dribbles its headers or body (slowloris) is cut once the request has taken
 * longer than the limit to arrive, however often it sends a byte. libmicrohttpd's own
 * timeout counts only silence, which a byte now and then resets.
 *
 * A request's clock starts when its connection opens and again once the previous answer
 * has gone; it stops when the whole request is in (the server's handler has it all).
 * One thread checks the clocks four times a second and shuts the late connections'
 * sockets down, which libmicrohttpd then closes and cleans up in its own thread.
 */
#ifndef REUP_COMMON_HTTPGUARD_H
#define REUP_COMMON_HTTPGUARD_H
#include <microhttpd.h>
#include "common/status.h"

struct httpguard;

/* A guard giving each request TIMEOUT_S seconds to arrive, with its thread running.
 * RU_ERR_NOMEM, or RU_ERR_IO when the thread cannot start. */
enum ru_status httpguard_new(unsigned timeout_s, struct httpguard **out) RU_WARN_UNUSED;

/* MHD_OPTION_NOTIFY_CONNECTION's callback, with the guard as its closure: tracks each
 * connection from open to close. */
void httpguard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);

/* The whole request of C is in: its clock stops. Call from the access handler. */
void httpguard_received(struct MHD_Connection *c);

/* The answer of C has gone (or the request ended): the next request's clock starts.
 * Call from MHD_OPTION_NOTIFY_COMPLETED's callback. */
void httpguard_answered(struct MHD_Connection *c);

/* Stop the thread and free G; after MHD_stop_daemon (every connection closed). NULL does
 * nothing. */
void httpguard_free(struct httpguard *g);
#endif
