/*
 * tests/fuzz/fuzz_listenaddr.c - libFuzzer target for the servers' listen addresses and
 * the numbers of their limit options. An accepted address must print back (inet_ntop,
 * brackets for IPv6) to text that parses to the same address; a refusal must say why and
 * leave the output alone. An accepted number must be the input's digits.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/listenaddr.h"
#include "common/netlimits.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_address(const char *text)
{
    struct listenaddr a, again, before;
    memset(&a, 0x5a, sizeof(a));
    before = a;
    const char *why = NULL;
    if (listenaddr_parse(text, &a, &why) != RU_OK) {
        if (!why || !*why || memcmp(&a, &before, sizeof(a)) != 0)
            abort();
        return;
    }
    char host[INET6_ADDRSTRLEN], round[80];
    unsigned port;
    if (a.ipv6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a.addr;
        if (s6->sin6_family != AF_INET6 || !inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host)))
            abort();
        port = ntohs(s6->sin6_port);
        snprintf(round, sizeof(round), "[%s]:%u", host, port);
        if (a.dual_stack != IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
            abort();
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a.addr;
        if (s4->sin_family != AF_INET || a.dual_stack ||
            !inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host)))
            abort();
        port = ntohs(s4->sin_port);
        snprintf(round, sizeof(round), "%s:%u", host, port);
    }
    if (listenaddr_parse(round, &again, &why) != RU_OK || again.len != a.len ||
        memcmp(&again.addr, &a.addr, a.len) != 0)
        abort();
}

static void check_number(const char *text)
{
    unsigned v = 12345;
    if (netlimits_number(text, 0, 100000, &v) != RU_OK) {
        if (v != 12345)
            abort();
        return;
    }
    char back[16];
    snprintf(back, sizeof(back), "%u", v);
    /* leading zeros are the only difference allowed */
    const char *digits = text + strspn(text, "0");
    if (strcmp(*digits ? digits : "0", back) != 0 || v > 100000)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char text[257];
    memcpy(text, data, size);
    text[size] = '\0';
    check_address(text);
    check_number(text);
    return 0;
}
