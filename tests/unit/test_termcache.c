/*
 * tests/unit/test_termcache.c - the server's cache of terminals' secrets.
 *
 * Covers: a terminal kept is found with its secret and store, another is not; a newer put
 * replaces the older; an entry older than the time to live is not found, nor anything with
 * a time to live of 0; ids that are empty or longer than AUTH_TERMINAL_MAX are never kept;
 * with more terminals than slots every lookup finds its own terminal's secret or nothing,
 * never another's; several threads at once; a rotation heard (forget) drops the terminal,
 * and a secret read before it is not kept after it; an untrusted cache finds and keeps
 * nothing.
 */
#include <pthread.h>
#include <unistd.h>
#include "tests/testlib.h"
#include "issuer/termcache.h"

static void secret_of(int n, unsigned char out[SECRET_BYTES])
{
    for (int i = 0; i < SECRET_BYTES; i++)
        out[i] = (unsigned char)(n * 31 + i);
}

static void test_get_put(void **state)
{
    (void)state;
    struct termcache *c;
    unsigned char s1[SECRET_BYTES], s2[SECRET_BYTES], got[SECRET_BYTES];
    char store[65] = "untouched";
    secret_of(1, s1);
    secret_of(2, s2);
    assert_int_equal(termcache_new(60, &c), RU_OK);
    assert_int_equal(termcache_get(c, "T1", got, store), 0);
    assert_string_equal(store, "untouched");
    termcache_put(c, termcache_generation(c), "T1", s1, "WM00001");
    assert_int_equal(termcache_get(c, "T1", got, store), 1);
    assert_memory_equal(got, s1, SECRET_BYTES);
    assert_string_equal(store, "WM00001");
    assert_int_equal(termcache_get(c, "T2", got, store), 0);
    assert_int_equal(termcache_get(c, "T", got, store), 0);
    termcache_put(c, termcache_generation(c), "T1", s2, "WM00002");
    assert_int_equal(termcache_get(c, "T1", got, store), 1);
    assert_memory_equal(got, s2, SECRET_BYTES);
    assert_string_equal(store, "WM00002");

    char longest[AUTH_TERMINAL_MAX + 2];
    memset(longest, 'L', sizeof(longest));
    longest[AUTH_TERMINAL_MAX] = '\0';
    termcache_put(c, termcache_generation(c), longest, s1, "WM00001");
    assert_int_equal(termcache_get(c, longest, got, store), 1);
    longest[AUTH_TERMINAL_MAX] = 'L';
    longest[AUTH_TERMINAL_MAX + 1] = '\0';
    termcache_put(c, termcache_generation(c), longest, s1, "WM00001");
    assert_int_equal(termcache_get(c, longest, got, store), 0);
    termcache_put(c, termcache_generation(c), "", s1, "WM00001");
    assert_int_equal(termcache_get(c, "", got, store), 0);
    termcache_free(c);
    termcache_free(NULL);
}

static void test_expiry(void **state)
{
    (void)state;
    struct termcache *c, *none;
    unsigned char s[SECRET_BYTES], got[SECRET_BYTES];
    char store[65];
    secret_of(3, s);
    assert_int_equal(termcache_new(1, &c), RU_OK);
    assert_int_equal(termcache_new(0, &none), RU_OK);
    termcache_put(c, termcache_generation(c), "T1", s, "WM00001");
    termcache_put(none, termcache_generation(none), "T1", s, "WM00001");
    assert_int_equal(termcache_get(c, "T1", got, store), 1);
    assert_int_equal(termcache_get(none, "T1", got, store), 0);
    usleep(1100 * 1000);
    assert_int_equal(termcache_get(c, "T1", got, store), 0);
    termcache_free(c);
    termcache_free(none);
}

static void test_rotation(void **state)
{
    (void)state;
    struct termcache *c;
    unsigned char old[SECRET_BYTES], fresh[SECRET_BYTES], got[SECRET_BYTES];
    char store[65];
    secret_of(4, old);
    secret_of(5, fresh);
    assert_int_equal(termcache_new(60, &c), RU_OK);
    termcache_put(c, termcache_generation(c), "T1", old, "WM00001");
    termcache_put(c, termcache_generation(c), "T2", old, "WM00001");
    /* a request read the old secret, then the rotation was heard, then it would keep it */
    unsigned long before = termcache_generation(c);
    termcache_forget(c, "T1");
    assert_int_equal(termcache_get(c, "T1", got, store), 0);
    assert_int_equal(termcache_get(c, "T2", got, store), 1);
    termcache_put(c, before, "T1", old, "WM00001");
    assert_int_equal(termcache_get(c, "T1", got, store), 0);
    termcache_put(c, termcache_generation(c), "T1", fresh, "WM00001");
    assert_int_equal(termcache_get(c, "T1", got, store), 1);
    assert_memory_equal(got, fresh, SECRET_BYTES);
    /* not trusted: nothing found, nothing kept, and what was kept is gone for good */
    termcache_trust(c, 0);
    assert_int_equal(termcache_get(c, "T2", got, store), 0);
    termcache_put(c, termcache_generation(c), "T3", old, "WM00001");
    termcache_trust(c, 1);
    assert_int_equal(termcache_get(c, "T2", got, store), 0);
    assert_int_equal(termcache_get(c, "T3", got, store), 0);
    termcache_free(c);
}

/* Twice as many terminals as slots: each lookup gives its own terminal's entry or none. */
static void test_crowded(void **state)
{
    (void)state;
    struct termcache *c;
    unsigned char s[SECRET_BYTES], got[SECRET_BYTES];
    char id[32], store[65], want[65];
    int hits = 0;
    assert_int_equal(termcache_new(60, &c), RU_OK);
    for (int n = 0; n < 2 * TERMCACHE_SLOTS; n++) {
        snprintf(id, sizeof(id), "POS-%d", n);
        snprintf(want, sizeof(want), "S%d", n);
        secret_of(n, s);
        termcache_put(c, termcache_generation(c), id, s, want);
    }
    for (int n = 0; n < 2 * TERMCACHE_SLOTS; n++) {
        snprintf(id, sizeof(id), "POS-%d", n);
        snprintf(want, sizeof(want), "S%d", n);
        secret_of(n, s);
        if (termcache_get(c, id, got, store)) {
            hits++;
            assert_memory_equal(got, s, SECRET_BYTES);
            assert_string_equal(store, want);
        }
    }
    assert_true(hits > 0 && hits <= TERMCACHE_SLOTS);
    termcache_free(c);
}

static struct termcache *shared;

static void *hammer(void *arg)
{
    int base = *(int *)arg, bad = 0;
    unsigned char s[SECRET_BYTES], got[SECRET_BYTES];
    char id[32], store[65], want[65];
    for (int i = 0; i < 20000; i++) {
        int n = base + i % 300;
        snprintf(id, sizeof(id), "T%d", n);
        snprintf(want, sizeof(want), "S%d", n);
        secret_of(n, s);
        if (i % 3 == 0)
            termcache_put(shared, termcache_generation(shared), id, s, want);
        else if (termcache_get(shared, id, got, store) &&
                 (memcmp(got, s, SECRET_BYTES) != 0 || strcmp(store, want) != 0))
            bad++;
    }
    return bad ? arg : NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    int base[4] = {0, 100, 200, 300};
    assert_int_equal(termcache_new(60, &shared), RU_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &base[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_null(r);
    }
    termcache_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put), cmocka_unit_test(test_expiry),  cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_crowded), cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
