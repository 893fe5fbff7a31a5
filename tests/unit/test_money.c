/*
 * tests/unit/test_money.c - amounts as typed and printed.
 *
 * Covers: whole amounts, one and two decimals, zero, the largest amount; refusals (sign,
 * three decimals, separators, empty, letters, a second point, too large); formatting of
 * positive, negative and small amounts, and parse(format(x)) == x.
 */
#include "tests/testlib.h"
#include "common/money.h"

static void test_parse(void **state)
{
    (void)state;
    long long c = -1;
    assert_int_equal(money_parse("40", &c), RU_OK);
    assert_int_equal(c, 4000);
    assert_int_equal(money_parse("40.5", &c), RU_OK);
    assert_int_equal(c, 4050);
    assert_int_equal(money_parse("39.99", &c), RU_OK);
    assert_int_equal(c, 3999);
    assert_int_equal(money_parse("0.01", &c), RU_OK);
    assert_int_equal(c, 1);
    assert_int_equal(money_parse(".50", &c), RU_OK);
    assert_int_equal(c, 50);
    assert_int_equal(money_parse("1000000.00", &c), RU_OK);
    assert_int_equal(c, MONEY_MAX_CENTS);
    c = 7;
    const char *bad[] = {
        "-1", "+1", "1.234", "1,000", "", ".", "1e3", "1.2.3", "1000000.01", "99999999999999999999", "4O"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (money_parse(bad[i], &c) != RU_ERR_INVALID)
            fail_msg("'%s' was taken", bad[i]);
        assert_int_equal(c, 7);
    }
}

static void test_format(void **state)
{
    (void)state;
    char b[32];
    money_format(3999, b, sizeof(b));
    assert_string_equal(b, "39.99");
    money_format(5, b, sizeof(b));
    assert_string_equal(b, "0.05");
    money_format(-150, b, sizeof(b));
    assert_string_equal(b, "-1.50");
    for (long long v = 0; v < 100000; v += 37) {
        long long back;
        money_format(v, b, sizeof(b));
        assert_int_equal(money_parse(b, &back), RU_OK);
        assert_int_equal(back, v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_parse), cmocka_unit_test(test_format)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
