/*
 * tests/unit/test_ratelimit.c - the API's rate limit per client address.
 *
 * Covers: one address gets its burst (2 x RATE), then waits 1/RATE a token; two
 * addresses taking turns each get their own burst and never reset each other; keys
 * (IPv4 whole, IPv6 by /64, IPv4-mapped IPv6 as IPv4, IPv4 never equal to an IPv6
 * prefix, unknown families all one key); a table overrun by far more addresses than it
 * has slots: no spent bucket is dropped, the newcomers share one overflow bucket, and
 * once buckets have refilled newcomers get buckets of their own again.
 */
#include <arpa/inet.h>
#include "tests/testlib.h"
#include "locator/ratelimit.h"

static struct ratelimit rl;

static struct ratelimit_key v4(const char *text)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
    struct ratelimit_key k;
    ratelimit_key_of((const struct sockaddr *)&a, &k);
    return k;
}

static struct ratelimit_key v6(const char *text)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    assert_int_equal(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
    struct ratelimit_key k;
    ratelimit_key_of((const struct sockaddr *)&a, &k);
    return k;
}

/* The Nth of many distinct IPv4 keys (10.x.y.z). */
static struct ratelimit_key nth(unsigned n)
{
    char text[32];
    snprintf(text, sizeof(text), "10.%u.%u.%u", (n >> 16) & 255, (n >> 8) & 255, n & 255);
    return v4(text);
}

static int same(struct ratelimit_key a, struct ratelimit_key b)
{
    return !memcmp(&a, &b, sizeof(a));
}

static void test_burst_and_refill(void **state)
{
    (void)state;
    ratelimit_init(&rl, 10);
    struct ratelimit_key a = v4("127.0.0.1");
    for (int i = 0; i < 20; i++)
        assert_true(ratelimit_take(&rl, &a, 100.0));
    assert_false(ratelimit_take(&rl, &a, 100.0));
    assert_false(ratelimit_take(&rl, &a, 100.05));
    assert_true(ratelimit_take(&rl, &a, 100.11));
    assert_false(ratelimit_take(&rl, &a, 100.11));
    /* a clock read before another thread's does not mint tokens or take them */
    assert_false(ratelimit_take(&rl, &a, 99.0));
    assert_true(ratelimit_take(&rl, &a, 110.0));
}

static void test_two_addresses_taking_turns(void **state)
{
    (void)state;
    ratelimit_init(&rl, 1);
    struct ratelimit_key a = v4("127.0.0.1"), b = v4("127.0.0.2");
    int ok_a = 0, ok_b = 0;
    for (int i = 0; i < 1000; i++) {
        ok_a += ratelimit_take(&rl, &a, 5.0 + i * 1e-4);
        ok_b += ratelimit_take(&rl, &b, 5.0 + i * 1e-4);
    }
    /* 2 each, and the 0.1 s that passed added no whole token */
    assert_int_equal(ok_a, 2);
    assert_int_equal(ok_b, 2);
}

static void test_keys(void **state)
{
    (void)state;
    assert_false(same(v4("127.0.0.1"), v4("127.0.0.2")));
    assert_true(same(v4("192.0.2.7"), v4("192.0.2.7")));
    assert_true(same(v6("2001:db8:1:2::1"), v6("2001:db8:1:2:ffff:ffff:ffff:fffe")));
    assert_false(same(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1")));
    assert_true(same(v6("::ffff:192.0.2.7"), v4("192.0.2.7")));
    assert_false(same(v6("0102:0304::"), v4("1.2.3.4")));
    assert_false(same(v6("::"), v4("0.0.0.0")));
    struct sockaddr unknown = {.sa_family = AF_UNIX};
    struct ratelimit_key k1, k2;
    ratelimit_key_of(&unknown, &k1);
    ratelimit_key_of(NULL, &k2);
    assert_true(same(k1, k2));
    /* the /64 is one client: its addresses share one budget */
    ratelimit_init(&rl, 1);
    struct ratelimit_key x = v6("2001:db8::1"), y = v6("2001:db8::2");
    assert_true(ratelimit_take(&rl, &x, 1.0));
    assert_true(ratelimit_take(&rl, &y, 1.0));
    assert_false(ratelimit_take(&rl, &x, 1.0));
}

static void test_many_addresses(void **state)
{
    (void)state;
    ratelimit_init(&rl, 1);
    const unsigned n = 4 * RATELIMIT_SLOTS;
    unsigned allowed = 0;
    /* every address spends its whole burst at once */
    for (unsigned i = 0; i < n; i++) {
        struct ratelimit_key k = nth(i);
        allowed += ratelimit_take(&rl, &k, 10.0);
        allowed += ratelimit_take(&rl, &k, 10.0);
    }
    /* at most a burst per slot, and one for the overflow bucket they share */
    assert_true(allowed <= 2 * RATELIMIT_SLOTS + 2);
    assert_true(allowed >= RATELIMIT_SLOTS);
    /* no spent bucket was dropped: the first addresses are still refused, and so is
     * every newcomer, the overflow bucket being spent too */
    for (unsigned i = 0; i < 64; i++) {
        struct ratelimit_key k = nth(i), fresh = nth(n + i);
        assert_false(ratelimit_take(&rl, &k, 10.0));
        assert_false(ratelimit_take(&rl, &fresh, 10.0));
    }
    /* two seconds later every bucket is full again: newcomers get their own */
    for (unsigned i = 0; i < 64; i++) {
        struct ratelimit_key fresh = nth(2 * n + i);
        assert_true(ratelimit_take(&rl, &fresh, 12.5));
        assert_true(ratelimit_take(&rl, &fresh, 12.5));
        assert_false(ratelimit_take(&rl, &fresh, 12.5));
    }
    struct ratelimit_key first = nth(0);
    assert_true(ratelimit_take(&rl, &first, 12.5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_burst_and_refill),
                                       cmocka_unit_test(test_two_addresses_taking_turns),
                                       cmocka_unit_test(test_keys), cmocka_unit_test(test_many_addresses)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
