/*
 * tests/unit/test_query.c - locator/query: classifying what a customer typed.
 * Covers positions ("41.58,-109.2", "41.58 -109.2", spaces around), postal codes
 * ("82901", "82901-1234", "82901, US"), place names (including "1600 Main", which has
 * letters), and refusals with their status and a non-empty reason: empty, blank, commas
 * only, over QUERY_MAX_BYTES (and 10 kB), invalid UTF-8, control characters, positions
 * out of range, or not plain decimal ("nan,1", "0x1p3,5", "+5,3"). *out is unchanged on failure;
 * query_kind_name.
 */
#include "tests/testlib.h"
#include "locator/query.h"
#include "common/banned.h"

static void expect_kind(const char *text, enum query_kind kind)
{
    struct query q;
    const char *why = NULL;
    memset(&q, 0, sizeof(q));
    q.kind = (enum query_kind)99;
    enum ru_status st = query_parse(text, &q, &why);
    if (st != RU_OK || q.kind != kind)
        print_error("query_parse(\"%s\") = %d kind %d (%s), want kind %s\n", text, st, (int)q.kind,
                    why ? why : "", query_kind_name(kind));
    assert_int_equal(st, RU_OK);
    assert_int_equal(q.kind, kind);
}

static void expect_position(const char *text, double lat, double lon)
{
    struct query q;
    const char *why = NULL;
    memset(&q, 0, sizeof(q));
    enum ru_status st = query_parse(text, &q, &why);
    if (st != RU_OK || q.kind != QUERY_POSITION)
        print_error("query_parse(\"%s\") = %d kind %d (%s), want a position\n", text, st, (int)q.kind,
                    why ? why : "");
    assert_int_equal(st, RU_OK);
    assert_int_equal(q.kind, QUERY_POSITION);
    assert_float_equal(q.position.lat, lat, 1e-12);
    assert_float_equal(q.position.lon, lon, 1e-12);
}

static void expect_error(const char *text, enum ru_status want)
{
    struct query q;
    const char *why = NULL;
    memset(&q, 0xA5, sizeof(q));
    struct query before = q;
    enum ru_status st = query_parse(text, &q, &why);
    assert_int_equal(st, want);
    assert_non_null(why);
    assert_true(strlen(why) > 0);
    /* *out unchanged on failure. */
    assert_memory_equal(&q, &before, sizeof(q));
}

static void test_positions(void **state)
{
    (void)state;
    expect_position("41.58,-109.2", 41.58, -109.2);
    expect_position(" -33.9, 151.2 ", -33.9, 151.2);
    expect_position("0,0", 0, 0);
    expect_position("90,-180", 90, -180);
}

/* query.h: "LAT LON" with a space is a position too (geo.h, geo_point_parse). */
static void test_position_space_separated(void **state)
{
    (void)state;
    expect_position("41.58 -109.2", 41.58, -109.2);
}

static void test_postal(void **state)
{
    (void)state;
    expect_kind("82901", QUERY_POSTAL);
    expect_kind("82901-1234", QUERY_POSTAL);
    expect_kind("82901, US", QUERY_POSTAL);
    expect_kind(" 2100 ", QUERY_POSTAL);     /* Danish: four digits */
    expect_kind("1000000000", QUERY_POSTAL); /* ten digits */
}

static void test_places(void **state)
{
    (void)state;
    expect_kind("Rock Springs, WY", QUERY_PLACE);
    expect_kind("K\xC3\xB8"
                "benhavn",
                QUERY_PLACE);
    expect_kind("Zurich", QUERY_PLACE);
    expect_kind("1600 Main", QUERY_PLACE); /* digits, then letters: not a postal code */
    expect_kind("St. Louis", QUERY_PLACE);
    expect_kind("Nancy", QUERY_PLACE);                    /* starts like "nan" */
    expect_kind("Infiesto", QUERY_PLACE);                 /* starts like "inf" */
    expect_kind("12", QUERY_PLACE);                       /* too short for a postal code */
    expect_kind("12345678901", QUERY_PLACE);              /* too long for one */
    expect_kind("\xE6\x9D\xB1\xE4\xBA\xAC", QUERY_PLACE); /* 東京 */
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(query_kind_name(QUERY_PLACE), "place");
    assert_string_equal(query_kind_name(QUERY_POSTAL), "postal");
    assert_string_equal(query_kind_name(QUERY_POSITION), "position");
}

static void test_empty(void **state)
{
    (void)state;
    expect_error("", RU_ERR_INVALID);
    expect_error("   ", RU_ERR_INVALID);
    expect_error(",,", RU_ERR_INVALID);
    expect_error(" , ", RU_ERR_INVALID);
}

static void test_length(void **state)
{
    (void)state;
    char buf[QUERY_MAX_BYTES + 2];
    /* Exactly the limit is allowed. */
    memset(buf, 'a', QUERY_MAX_BYTES);
    buf[QUERY_MAX_BYTES] = '\0';
    expect_kind(buf, QUERY_PLACE);
    /* One more byte is not. */
    memset(buf, 'a', QUERY_MAX_BYTES + 1);
    buf[QUERY_MAX_BYTES + 1] = '\0';
    expect_error(buf, RU_ERR_LIMIT);

    char *big = malloc(10 * 1024 + 1);
    assert_non_null(big);
    memset(big, 'x', 10 * 1024);
    big[10 * 1024] = '\0';
    struct query q;
    const char *why = NULL;
    enum ru_status st = query_parse(big, &q, &why);
    free(big);
    assert_int_equal(st, RU_ERR_LIMIT);
    assert_non_null(why);
    assert_true(strlen(why) > 0);
}

static void test_encoding(void **state)
{
    (void)state;
    expect_error("\xff\xfe", RU_ERR_INVALID);
    expect_error("Z\xC3", RU_ERR_INVALID);
    expect_error("Rock\x01Springs", RU_ERR_INVALID);
    expect_error("Rock\x1b[2JSprings", RU_ERR_INVALID);
    expect_error("Rock\xC2\x85Springs", RU_ERR_INVALID); /* C1 control */
    expect_error("82901\n", RU_ERR_INVALID);
}

static void test_position_range(void **state)
{
    (void)state;
    expect_error("95,10", RU_ERR_LIMIT);
    expect_error("10,200", RU_ERR_LIMIT);
    expect_error("-90.001,0", RU_ERR_LIMIT);
    /* not plain decimal (common/decimal.h): a malformed position, not a place name */
    static const char *const not_plain[] = {"nan,1", "1,inf", "0x1p3,5", "+5,3", "1e1,5", "5, .5", "5.,5"};
    for (size_t i = 0; i < sizeof(not_plain) / sizeof(not_plain[0]); i++)
        expect_error(not_plain[i], RU_ERR_INVALID);
}

static void test_why_differs(void **state)
{
    (void)state;
    /* The reasons say what is wrong, so they differ between kinds of failure. */
    struct query q;
    const char *w_empty = NULL, *w_long = NULL, *w_utf8 = NULL, *w_range = NULL;
    char buf[QUERY_MAX_BYTES + 2];
    memset(buf, 'a', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    assert_int_equal(query_parse("", &q, &w_empty), RU_ERR_INVALID);
    assert_int_equal(query_parse(buf, &q, &w_long), RU_ERR_LIMIT);
    assert_int_equal(query_parse("\xff", &q, &w_utf8), RU_ERR_INVALID);
    assert_int_equal(query_parse("95,10", &q, &w_range), RU_ERR_LIMIT);
    assert_string_not_equal(w_empty, w_long);
    assert_string_not_equal(w_empty, w_utf8);
    assert_string_not_equal(w_long, w_range);
    assert_non_null(strstr(w_long, "256"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions),      cmocka_unit_test(test_position_space_separated),
        cmocka_unit_test(test_postal),         cmocka_unit_test(test_places),
        cmocka_unit_test(test_kind_names),     cmocka_unit_test(test_empty),
        cmocka_unit_test(test_length),         cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_position_range), cmocka_unit_test(test_why_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
