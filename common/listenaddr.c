/* common/listenaddr.c - the servers' listen addresses, parsed without a lookup. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include "common/listenaddr.h"
#include "common/banned.h"

/* "0" .. "65535", digits alone: no sign, space or base prefix. -1 when not. */
static long parse_port(const char *p)
{
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > 5 || p[n] != '\0')
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v <= 65535 ? v : -1;
}

enum ru_status listenaddr_parse(const char *text, struct listenaddr *out, const char **why)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *colon, *start = text;
    size_t hl;
    int v6 = text[0] == '[';
    if (v6) {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':') {
            *why = "give [IPV6]:PORT, the port after the closing bracket and a colon: [::1]:8080";
            return RU_ERR_INVALID;
        }
        start = text + 1;
        hl = (size_t)(close - start);
        colon = close + 1;
    } else {
        colon = strchr(text, ':');
        if (!colon) {
            *why = "the port is missing: give ADDRESS:PORT, e.g. 127.0.0.1:8080";
            return RU_ERR_INVALID;
        }
        if (strchr(colon + 1, ':')) {
            *why = "an IPv6 address goes in brackets: [::1]:8080";
            return RU_ERR_INVALID;
        }
        hl = (size_t)(colon - text);
    }
    long port = parse_port(colon + 1);
    if (port < 0) {
        *why = "the port must be a whole number from 0 to 65535 (0 picks a free one)";
        return RU_ERR_INVALID;
    }
    if (hl == 0 || hl >= sizeof(host)) {
        *why =
            v6 ? "not a numeric IPv6 address in the brackets" : "not a numeric IPv4 address before the port";
        return RU_ERR_INVALID;
    }
    memcpy(host, start, hl);
    host[hl] = '\0';
    struct listenaddr a;
    memset(&a, 0, sizeof(a));
    if (v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.addr;
        if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
            *why = "not a numeric IPv6 address in the brackets (names are not looked up)";
            return RU_ERR_INVALID;
        }
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
            *why = "an IPv4-mapped IPv6 address: give the IPv4 address itself, e.g. 127.0.0.1:8080";
            return RU_ERR_INVALID;
        }
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        a.len = sizeof(*s6);
        a.ipv6 = 1;
        a.dual_stack = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&a.addr;
        if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
            *why = "not a numeric IPv4 address before the port (names are not looked up; IPv6 goes in "
                   "brackets)";
            return RU_ERR_INVALID;
        }
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        a.len = sizeof(*s4);
    }
    *out = a;
    return RU_OK;
}
