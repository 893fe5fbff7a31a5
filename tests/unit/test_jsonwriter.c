/*
 * tests/unit/test_jsonwriter.c - JSON written straight into a buffer.
 *
 * Covers: nesting of objects and arrays, empty ones, pretty (two-space indent) and
 * compact layout, escaping of quotes, backslashes and control characters with UTF-8
 * passed through, integers to the extremes, reals rounded to nine decimals with
 * trailing zeros dropped (and null when not finite or too large), raw JSON, a nesting
 * deeper than the limit refused; everything written parses back to what was put in.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>
#include "tests/testlib.h"
#include "common/jsonwriter.h"

static const char *real_text(struct strbuf *sb, double v)
{
    struct jsonw w;
    strbuf_reset(sb);
    jsonw_init(&w, sb, 0);
    jsonw_real(&w, NULL, v);
    assert_int_equal(jsonw_status(&w), RU_OK);
    return strbuf_str(sb);
}

static void test_reals(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    assert_string_equal(real_text(&sb, 41.58746), "41.58746");
    assert_string_equal(real_text(&sb, -109.2029), "-109.2029");
    assert_string_equal(real_text(&sb, 3.96900654046041), "3.96900654");
    assert_string_equal(real_text(&sb, 258.8057450259), "258.805745026");
    assert_string_equal(real_text(&sb, 41.0), "41.0");
    assert_string_equal(real_text(&sb, 0.0), "0.0");
    assert_string_equal(real_text(&sb, -0.0000000001), "0.0");
    assert_string_equal(real_text(&sb, -0.5), "-0.5");
    assert_string_equal(real_text(&sb, 0.000000001), "0.000000001");
    assert_string_equal(real_text(&sb, 0.9999999999), "1.0");
    assert_string_equal(real_text(&sb, 20037.508342789), "20037.508342789");
    assert_string_equal(real_text(&sb, 1e10), "null");
    assert_string_equal(real_text(&sb, NAN), "null");
    assert_string_equal(real_text(&sb, INFINITY), "null");
    /* every value reads back within half a unit of the ninth decimal */
    uint64_t seed = 5;
    for (int i = 0; i < 10000; i++) {
        double v = (test_uniform(&seed) - 0.5) * 40000.0;
        double back = strtod(real_text(&sb, v), NULL);
        assert_true(fabs(back - v) <= 0.5e-9 + 1e-12 * fabs(v));
    }
    strbuf_release(&sb);
}

static void test_layout_and_escapes(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    for (int pretty = 0; pretty <= 1; pretty++) {
        struct jsonw w;
        strbuf_reset(&sb);
        jsonw_init(&w, &sb, pretty);
        jsonw_object(&w, NULL);
        jsonw_string(&w, "q", "Rock \"Springs\"\\ WY\n\t\x01 København");
        jsonw_array(&w, "empty");
        jsonw_end(&w);
        jsonw_object(&w, "none");
        jsonw_end(&w);
        jsonw_array(&w, "list");
        jsonw_int(&w, NULL, -9223372036854775807LL - 1);
        jsonw_int(&w, NULL, 9223372036854775807LL);
        jsonw_real(&w, NULL, 1.5);
        jsonw_raw(&w, NULL, "{\"a\":[1,2]}");
        jsonw_end(&w);
        jsonw_end(&w);
        assert_int_equal(jsonw_status(&w), RU_OK);
        if (pretty)
            assert_string_equal(strbuf_str(&sb),
                                "{\n"
                                "  \"q\": \"Rock \\\"Springs\\\"\\\\ WY\\n\\t\\u0001 København\",\n"
                                "  \"empty\": [],\n"
                                "  \"none\": {},\n"
                                "  \"list\": [\n"
                                "    -9223372036854775808,\n"
                                "    9223372036854775807,\n"
                                "    1.5,\n"
                                "    {\"a\":[1,2]}\n"
                                "  ]\n"
                                "}");
        else
            assert_string_equal(strbuf_str(&sb),
                                "{\"q\":\"Rock \\\"Springs\\\"\\\\ WY\\n\\t\\u0001 København\","
                                "\"empty\":[],\"none\":{},\"list\":[-9223372036854775808,"
                                "9223372036854775807,1.5,{\"a\":[1,2]}]}");
        json_error_t e;
        json_t *back = json_loads(strbuf_str(&sb), 0, &e);
        assert_non_null(back);
        assert_string_equal(json_string_value(json_object_get(back, "q")),
                            "Rock \"Springs\"\\ WY\n\t\x01 København");
        json_decref(back);
    }
    strbuf_release(&sb);
}

static void test_too_deep(void **state)
{
    (void)state;
    struct strbuf sb;
    struct jsonw w;
    strbuf_init(&sb, 0);
    jsonw_init(&w, &sb, 0);
    for (int i = 0; i <= JSONW_MAX_DEPTH; i++)
        jsonw_array(&w, NULL);
    assert_int_equal(jsonw_status(&w), RU_ERR_LIMIT);
    strbuf_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reals),
        cmocka_unit_test(test_layout_and_escapes),
        cmocka_unit_test(test_too_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
