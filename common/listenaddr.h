/*
 * common/listenaddr.h - where a server listens: "HOST:PORT" with a numeric IPv4 host, or
 * "[HOST]:PORT" with a numeric IPv6 host; "[::]" listens on IPv6 and IPv4 alike.
 * Strict: no names (nothing is looked up), no zone ("%eth0"), no IPv4-mapped IPv6 host,
 * a port of 1 to 5 digits from 0 to 65535 (0 picks a free one), nothing around.
 */
#ifndef REUP_COMMON_LISTENADDR_H
#define REUP_COMMON_LISTENADDR_H
#include <sys/socket.h>
#include "common/status.h"

struct listenaddr {
    struct sockaddr_storage addr; /* a sockaddr_in or a sockaddr_in6 */
    socklen_t len;
    int ipv6;       /* 1: AF_INET6 */
    int dual_stack; /* 1: "[::]", IPv4 clients too on the one socket */
};

/* Parse TEXT into *OUT. RU_ERR_INVALID with *WHY (static text) saying what is wrong;
 * *OUT is unchanged on failure. */
enum ru_status listenaddr_parse(const char *text, struct listenaddr *out, const char **why) RU_WARN_UNUSED;
#endif
