/*
 * tests/testlib.h - helpers shared by the cmocka unit tests: scratch folders, files,
 * and the project's paths (compiled in by tests/CMakeLists.txt).
 */
#ifndef REUP_TESTS_TESTLIB_H
#define REUP_TESTS_TESTLIB_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* A fresh folder under $TMPDIR (or /tmp) for one test executable; removed at exit. */
static char testlib_dir[256];

static void testlib_cleanup(void)
{
    char cmd[300];
    if (testlib_dir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testlib_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", testlib_dir);
    }
}

static inline const char *test_dir(void)
{
    if (!testlib_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(testlib_dir, sizeof(testlib_dir), "%s/reup-test.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(testlib_dir)) {
            perror("mkdtemp");
            exit(1);
        }
        atexit(testlib_cleanup);
    }
    return testlib_dir;
}

/* A path inside test_dir(), in a static ring of buffers (enough for one statement). */
static inline const char *test_path(const char *name)
{
    static char bufs[8][512];
    static int i;
    char *b = bufs[i++ % 8];
    snprintf(b, 512, "%s/%s", test_dir(), name);
    return b;
}

/* The database for a ledger a test makes (ledger_init()'s DATABASE): NULL, SQLite in the
 * state directory, unless REUP_TEST_PG_HOST is set (tests/tools/with-pg.sh); then a fresh
 * empty PostgreSQL database made with createdb as REUP_TEST_PG_USER, named after NAME
 * (letters, digits, '_') and the process, its URI in a static ring of buffers. */
static inline const char *test_database(const char *name)
{
    static char bufs[4][768];
    static int i;
    const char *host = getenv("REUP_TEST_PG_HOST"), *user = getenv("REUP_TEST_PG_USER");
    if (!host || !*host)
        return NULL;
    if (!user || !*user)
        user = "reup";
    char db[128], cmd[1024];
    snprintf(db, sizeof(db), "reup_%s_%ld", name, (long)getpid());
    snprintf(cmd, sizeof(cmd), "createdb -h '%s' -U '%s' '%s'", host, user, db);
    if (system(cmd) != 0) {
        fprintf(stderr, "test_database: %s failed\n", cmd);
        exit(1);
    }
    char *b = bufs[i++ % 4];
    snprintf(b, 768, "postgresql:///%s?host=%s&user=%s", db, host, user);
    return b;
}

static inline void test_write(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
    assert_int_equal(fclose(f), 0);
}

/* A deterministic generator for test data (splitmix64). */
static inline uint64_t test_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double test_uniform(uint64_t *s)
{
    return (double)(test_rand(s) >> 11) / 9007199254740992.0;
}

#endif
