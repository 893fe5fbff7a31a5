/*
 * tests/unit/test_listenaddr.c - the servers' listen addresses and limit options.
 *
 * Covers: IPv4 and bracketed IPv6 addresses with their ports, "[::]" as dual stack, port
 * 0 and 65535; every refusal (no port, names, junk around, signs, hex, spaces, port out
 * of range, IPv6 without brackets, zones, IPv4-mapped, IPv4 in brackets) with its reason
 * and the output untouched; the limit options' numbers (digits alone, ranges, 0 where it
 * means no limit) names that are not theirs; a zeroed set of limits
 * standing for the defaults.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include "tests/testlib.h"
#include "common/listenaddr.h"
#include "common/netlimits.h"

static void test_ipv4(void **state)
{
    (void)state;
    struct listenaddr a;
    const char *why = NULL;
    assert_int_equal(listenaddr_parse("127.0.0.1:8080", &a, &why), RU_OK);
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a.addr;
    assert_int_equal(s4->sin_family, AF_INET);
    assert_int_equal(ntohs(s4->sin_port), 8080);
    assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000001);
    assert_int_equal(a.len, sizeof(struct sockaddr_in));
    assert_false(a.ipv6);
    assert_false(a.dual_stack);
    assert_int_equal(listenaddr_parse("0.0.0.0:0", &a, &why), RU_OK);
    assert_int_equal(ntohs(s4->sin_port), 0);
    assert_int_equal(listenaddr_parse("10.1.2.3:65535", &a, &why), RU_OK);
    assert_int_equal(ntohs(s4->sin_port), 65535);
}

static void test_ipv6(void **state)
{
    (void)state;
    struct listenaddr a;
    const char *why = NULL;
    assert_int_equal(listenaddr_parse("[::1]:8443", &a, &why), RU_OK);
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a.addr;
    assert_int_equal(s6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(s6->sin6_port), 8443);
    assert_true(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
    assert_int_equal(a.len, sizeof(struct sockaddr_in6));
    assert_true(a.ipv6);
    assert_false(a.dual_stack);
    assert_int_equal(listenaddr_parse("[::]:0", &a, &why), RU_OK);
    assert_true(a.ipv6);
    assert_true(a.dual_stack);
    assert_int_equal(listenaddr_parse("[2001:db8::42]:80", &a, &why), RU_OK);
    assert_false(a.dual_stack);
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text, *reason;
    } bad[] = {
        {"", "port is missing"},
        {"127.0.0.1", "port is missing"},
        {"127.0.0.1:", "port must be"},
        {":8080", "IPv4"},
        {"localhost:8080", "not looked up"},
        {"127.0.0.1:+80", "port must be"},
        {"127.0.0.1:-1", "port must be"},
        {"127.0.0.1:0x50", "port must be"},
        {"127.0.0.1: 80", "port must be"},
        {"127.0.0.1:80 ", "port must be"},
        {" 127.0.0.1:80", "IPv4"},
        {"127.0.0.1:65536", "port must be"},
        {"127.0.0.1:000080", "port must be"},
        {"127.0.0.1:99999999999999999999", "port must be"},
        {"127.1:80", "IPv4"},
        {"127.0.0.01:80", "IPv4"},
        {"::1:80", "brackets"},
        {"[::1]", "[IPV6]:PORT"},
        {"[::1]80", "[IPV6]:PORT"},
        {"[::1:80", "[IPV6]:PORT"},
        {"[]:80", "IPv6"},
        {"[1.2.3.4]:80", "IPv6"},
        {"[fe80::1%lo]:80", "IPv6"},
        {"[::ffff:127.0.0.1]:80", "IPv4-mapped"},
        {"[::1]:80:80", "port must be"},
        {"[0000000000000000000000000000000000000000000000000000::1]:80", "IPv6"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct listenaddr a, before;
        memset(&a, 0x5a, sizeof(a));
        before = a;
        const char *why = NULL;
        assert_int_equal(listenaddr_parse(bad[i].text, &a, &why), RU_ERR_INVALID);
        assert_non_null(why);
        if (!strstr(why, bad[i].reason))
            fail_msg("'%s': reason '%s' lacks '%s'", bad[i].text, why, bad[i].reason);
        assert_memory_equal(&a, &before, sizeof(a));
    }
}

static void test_limit_options(void **state)
{
    (void)state;
    struct netlimits l = NETLIMITS_DEFAULTS, before;
    char err[200] = "";
    assert_int_equal(l.max_connections, 1000);
    assert_int_equal(l.max_per_address, 64);
    assert_int_equal(l.shutdown_timeout_s, 5);
    assert_int_equal(netlimits_option(&l, "max-connections-per-address", "0", err, sizeof(err)), RU_OK);
    assert_int_equal(l.max_per_address, 0);
    assert_int_equal(netlimits_option(&l, "max-connections", "100000", err, sizeof(err)), RU_OK);
    assert_int_equal(l.max_connections, 100000);
    assert_int_equal(netlimits_option(&l, "idle-timeout", "7", err, sizeof(err)), RU_OK);
    assert_int_equal(l.idle_timeout_s, 7);
    assert_int_equal(netlimits_option(&l, "request-timeout", "86400", err, sizeof(err)), RU_OK);
    assert_int_equal(l.request_timeout_s, 86400);
    assert_int_equal(netlimits_option(&l, "shutdown-timeout", "0", err, sizeof(err)), RU_OK);
    assert_int_equal(l.shutdown_timeout_s, 0);
    static const char *const junk[] = {"", "+5", "-1", " 5", "5 ", "0x10", "1e3", "5.0", "5s", "99999999999"};
    before = l;
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        err[0] = '\0';
        assert_int_equal(netlimits_option(&l, "idle-timeout", junk[i], err, sizeof(err)), RU_ERR_INVALID);
        assert_non_null(strstr(err, "--idle-timeout takes a whole number from 1 to 86400"));
    }
    assert_int_equal(netlimits_option(&l, "max-connections", "0", err, sizeof(err)), RU_ERR_INVALID);
    assert_int_equal(netlimits_option(&l, "max-connections", "100001", err, sizeof(err)), RU_ERR_INVALID);
    assert_int_equal(netlimits_option(&l, "idle-timeout", "0", err, sizeof(err)), RU_ERR_INVALID);
    assert_int_equal(netlimits_option(&l, "shutdown-timeout", "86401", err, sizeof(err)), RU_ERR_INVALID);
    assert_memory_equal(&l, &before, sizeof(l));
    err[0] = '\0';
    assert_int_equal(netlimits_option(&l, "listen", "5", err, sizeof(err)), RU_ERR_NOT_FOUND);
    assert_int_equal(netlimits_option(&l, "max-connection", "5", err, sizeof(err)), RU_ERR_NOT_FOUND);
    assert_string_equal(err, "");
    /* a caller that set no limits gets the defaults; one that set any keeps its own */
    struct netlimits zero = {0}, one = {.max_connections = 3};
    assert_int_equal(netlimits_or_defaults(&zero).max_per_address, 64);
    assert_int_equal(netlimits_or_defaults(&zero).request_timeout_s, 30);
    assert_int_equal(netlimits_or_defaults(&one).max_connections, 3);
    assert_int_equal(netlimits_or_defaults(&one).max_per_address, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_limit_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
