/*
 * tests/unit/test_wipe.c - secrets zeroed before their memory is reused or freed.
 *
 * Covers, by effect where the memory is still ours to read: wipe() zeroes; a secret
 * strbuf zeroes its whole allocation on reset, keeps its content whole when growing
 * moves it, and stays secret after release; a plain strbuf is unchanged. Freed blocks
 * cannot be read, so for wipe_free() and jansson's allocators the tests check that they
 * are installed and that freeing through them is sound, also for a block jansson
 * allocated before they were installed.
 */
#include <jansson.h>
#include "tests/testlib.h"
#include "common/strbuf.h"
#include "common/wipe.h"
#include "issuer/secret.h"

static int all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_wipe(void **state)
{
    (void)state;
    char pin[17] = "8016346913780125";
    wipe(pin, sizeof(pin));
    assert_true(all_zero(pin, sizeof(pin)));
    wipe(NULL, 4);
    wipe_free(NULL);
    char *heap = strdup("8016346913780125");
    assert_non_null(heap);
    wipe_free(heap); /* a block of strdup: ASan would report a bad free */
}

static void test_secret_strbuf(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init_secret(&sb, 1 << 16);
    assert_int_equal(strbuf_adds(&sb, "{\"pin\":\"8016346913780125\"}"), RU_OK);
    /* growing moves the content: it arrives whole */
    for (int i = 0; i < 200; i++)
        assert_int_equal(strbuf_adds(&sb, "8016346913780125"), RU_OK);
    assert_int_equal(strncmp(strbuf_str(&sb), "{\"pin\":\"8016346913780125\"}8016", 30), 0);
    assert_int_equal(sb.len, 26 + 200 * 16);
    strbuf_reset(&sb);
    assert_non_null(sb.buf);
    assert_true(all_zero(sb.buf, sb.alloc)); /* the whole allocation, not just the first byte */
    strbuf_release(&sb);
    assert_true(sb.secret); /* released, still a secret buffer for its next use */
    assert_int_equal(strbuf_adds(&sb, "1234"), RU_OK);
    strbuf_release(&sb);

    struct strbuf plain;
    strbuf_init(&plain, 0);
    assert_int_equal(strbuf_adds(&plain, "abc"), RU_OK);
    strbuf_reset(&plain);
    assert_string_equal(plain.buf + 1, "bc"); /* a plain buffer only ends at 0 */
    strbuf_release(&plain);
}

static void test_json_allocators(void **state)
{
    (void)state;
    json_t *before = json_pack("{s:s}", "pin", "8016346913780125");
    assert_non_null(before);
    secret_json_wiping();
    secret_json_wiping(); /* once per process: the second call changes nothing */
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    assert_ptr_equal(m, malloc);
    assert_ptr_equal(f, wipe_free);
    json_decref(before); /* allocated by plain malloc, freed through wipe_free */
    json_t *after = json_pack("{s:s}", "pin", "8016346913780125");
    char *text = json_dumps(after, JSON_COMPACT);
    assert_string_equal(text, "{\"pin\":\"8016346913780125\"}");
    free(text); /* json_dumps's text may go to plain free() as ever */
    json_decref(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_secret_strbuf),
        cmocka_unit_test(test_json_allocators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
