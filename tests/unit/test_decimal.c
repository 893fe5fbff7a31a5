/*
 * tests/unit/test_decimal.c - strict decimal numbers.
 *
 * Covers: plain numbers (whole, with a fraction, negative, leading zeros, the longest
 * allowed); every form strtod or strtol would take and we refuse (sign '+', exponents,
 * hex, inf, nan, spaces, empty, a bare or trailing point, a second point, too long);
 * decimal_span on a number followed by a unit; whole numbers in and out of range and
 * with a fraction; *out unchanged on every refusal.
 */
#include "tests/testlib.h"
#include "common/decimal.h"

static const char *const refused[] = {
    "",
    " ",
    "+5",
    " 5",
    "5 ",
    "5\n",
    "\t5",
    "-",
    "--5",
    "+-5",
    ".5",
    "-.5",
    "5.",
    "5..0",
    "5.0.1",
    "1e3",
    "1E3",
    "1e-3",
    "0x10",
    "0X1p3",
    "0x1p3",
    "inf",
    "-inf",
    "INF",
    "infinity",
    "nan",
    "NaN",
    "nan(1)",
    "5,0",
    "1_000",
    "٣",
    "5%",
    "0b101",
    "1 000",
    "12abc",
    "abc",
    "\xef\xbc\x95", /* a fullwidth digit five */
    "1234567890123456789012345678901234567890.5",
};

static void test_parse_plain(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double want;
    } ok[] = {{"0", 0},
              {"5", 5},
              {"-5", -5},
              {"41.58", 41.58},
              {"-109.2", -109.2},
              {"007", 7},
              {"-0", 0},
              {"0.000001", 1e-6},
              {"90", 90},
              {"180.000", 180},
              {"123456789012345678901234567890.123456789", 123456789012345678901234567890.123456789}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = -1234;
        if (decimal_parse(ok[i].text, &v) != RU_OK)
            fail_msg("'%s' was refused", ok[i].text);
        assert_float_equal(v, ok[i].want, 1e-9 * (1 + (ok[i].want < 0 ? -ok[i].want : ok[i].want)));
    }
}

static void test_parse_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        double v = 7.5;
        if (decimal_parse(refused[i], &v) != RU_ERR_INVALID)
            fail_msg("'%s' was taken", refused[i]);
        assert_true(v == 7.5);
    }
    /* a NUL inside the bytes given is not a digit either */
    double v = 7.5;
    assert_int_equal(decimal_parse_n("5\0"
                                     "5",
                                     3, &v),
                     RU_ERR_INVALID);
    assert_int_equal(decimal_parse_n("55", 0, &v), RU_ERR_INVALID);
    assert_true(v == 7.5);
    assert_int_equal(decimal_parse_n("55x", 2, &v), RU_OK);
    assert_true(v == 55.0);
}

static void test_span(void **state)
{
    (void)state;
    assert_int_equal(decimal_span("25mi", 4), 2);
    assert_int_equal(decimal_span("-3.5 km", 7), 4);
    assert_int_equal(decimal_span("1.x", 3), 1);
    assert_int_equal(decimal_span("5.", 2), 1);
    assert_int_equal(decimal_span("1e3", 3), 1);
    assert_int_equal(decimal_span(".5", 2), 0);
    assert_int_equal(decimal_span("+5", 2), 0);
    assert_int_equal(decimal_span("-", 1), 0);
    assert_int_equal(decimal_span("", 0), 0);
    /* LEN bounds the scan, even inside a number */
    assert_int_equal(decimal_span("12345", 3), 3);
    assert_int_equal(decimal_span("1.5", 2), 1);
}

static void test_whole(void **state)
{
    (void)state;
    long long v = -9;
    assert_int_equal(decimal_whole("5", 1, 50, &v), RU_OK);
    assert_int_equal(v, 5);
    assert_int_equal(decimal_whole("050", 1, 50, &v), RU_OK);
    assert_int_equal(v, 50);
    assert_int_equal(decimal_whole("-3", -5, 5, &v), RU_OK);
    assert_int_equal(v, -3);
    v = 99;
    assert_int_equal(decimal_whole("0", 1, 50, &v), RU_ERR_LIMIT);
    assert_int_equal(decimal_whole("51", 1, 50, &v), RU_ERR_LIMIT);
    assert_int_equal(decimal_whole("99999999999999999999999", 1, 50, &v), RU_ERR_LIMIT);
    assert_int_equal(decimal_whole("-99999999999999999999999", -5, 50, &v), RU_ERR_LIMIT);
    assert_int_equal(decimal_whole("5.0", 1, 50, &v), RU_ERR_INVALID);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (decimal_whole(refused[i], -1000000, 1000000, &v) != RU_ERR_INVALID)
            fail_msg("'%s' was taken as a whole number", refused[i]);
    assert_int_equal(v, 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_parse_plain),
                                       cmocka_unit_test(test_parse_refused), cmocka_unit_test(test_span),
                                       cmocka_unit_test(test_whole)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
