/*
 * tests/unit/test_cardnum.c - card serials (Luhn) and PINs (Damm).
 *
 * Covers: published check-digit examples; every single-digit error and every adjacent
 * transposition in a serial and in a PIN is caught (the PIN by Damm, the serial's single
 * errors by Luhn); serials built from prefix and sequence, with their ranges; parsing as
 * typed (spaces, dashes) and every refusal with its reason; generated PINs are valid,
 * 16 digits, and spread over all digits; grouping and masking.
 */
#include "tests/testlib.h"
#include "common/cardnum.h"

static void test_published_examples(void **state)
{
    (void)state;
    assert_int_equal(card_luhn_digit("7992739871", 10), 3); /* the classic Luhn example */
    assert_int_equal(card_damm_digit("572", 3), 4);         /* Damm's own example */
    assert_int_equal(card_damm_digit("5724", 4), 0);
    assert_int_equal(card_luhn_digit("12a", 3), -1);
    assert_int_equal(card_damm_digit("1 2", 3), -1);
}

static void test_serial_make(void **state)
{
    (void)state;
    char s[CARD_DIGITS + 1];
    assert_int_equal(card_serial_make(4242, 1, s), RU_OK);
    assert_int_equal(strlen(s), 16);
    assert_memory_equal(s, "424200000000001", 15);
    assert_int_equal(s[15] - '0', card_luhn_digit(s, 15));
    assert_int_equal(card_serial_make(9999, CARD_SEQUENCE_MAX, s), RU_OK);
    assert_memory_equal(s, "999999999999999", 15);
    assert_int_equal(card_serial_make(10000, 1, s), RU_ERR_LIMIT);
    assert_int_equal(card_serial_make(1, CARD_SEQUENCE_MAX + 1, s), RU_ERR_LIMIT);
    const char *why;
    char back[CARD_DIGITS + 1];
    assert_int_equal(card_serial_make(1, 123456789, s), RU_OK);
    assert_int_equal(card_serial_parse(s, back, &why), RU_OK);
    assert_string_equal(back, s);
}

/* Every single wrong digit, and every swap of two different adjacent digits. */
static void test_errors_caught(void **state)
{
    (void)state;
    char pin[CARD_DIGITS + 1], serial[CARD_DIGITS + 1], bad[CARD_DIGITS + 1], out[CARD_DIGITS + 1];
    const char *why;
    uint64_t seed = 9;
    for (int round = 0; round < 50; round++) {
        assert_int_equal(card_pin_generate(pin), RU_OK);
        assert_int_equal(
            card_serial_make(1000 + (unsigned)round, test_rand(&seed) % CARD_SEQUENCE_MAX, serial), RU_OK);
        for (int i = 0; i < CARD_DIGITS; i++) {
            for (char d = '0'; d <= '9'; d++) {
                if (d == pin[i])
                    continue;
                memcpy(bad, pin, sizeof(bad));
                bad[i] = d;
                assert_int_equal(card_pin_parse(bad, out, &why), RU_ERR_INVALID);
                assert_non_null(strstr(why, "check digit"));
                if (d != serial[i]) {
                    memcpy(bad, serial, sizeof(bad));
                    bad[i] = d;
                    assert_int_equal(card_serial_parse(bad, out, &why), RU_ERR_INVALID);
                }
            }
            if (i + 1 < CARD_DIGITS && pin[i] != pin[i + 1]) {
                memcpy(bad, pin, sizeof(bad));
                bad[i] = pin[i + 1];
                bad[i + 1] = pin[i];
                assert_int_equal(card_pin_parse(bad, out, &why), RU_ERR_INVALID);
            }
        }
    }
}

static void test_parse_as_typed(void **state)
{
    (void)state;
    char s[CARD_DIGITS + 1], out[CARD_DIGITS + 1], grouped[CARD_DIGITS + 4];
    const char *why;
    assert_int_equal(card_serial_make(4242, 77, s), RU_OK);
    card_format_groups(s, grouped);
    assert_int_equal(strlen(grouped), 19);
    assert_int_equal(grouped[4], ' ');
    assert_int_equal(grouped[14], ' ');
    assert_int_equal(card_serial_parse(grouped, out, &why), RU_OK);
    assert_string_equal(out, s);
    char dashed[40];
    snprintf(dashed, sizeof(dashed), "  %.4s-%.4s-%.4s-%.4s", s, s + 4, s + 8, s + 12);
    assert_int_equal(card_serial_parse(dashed, out, &why), RU_OK);
    assert_string_equal(out, s);

    static const char *const bad[] = {
        "", "123", "12345678901234567", "1234 5678 9012 345x", "-1234567890123456", "１２３４"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_int_equal(card_serial_parse(bad[i], out, &why), RU_ERR_INVALID);
        assert_non_null(why);
        assert_int_equal(card_pin_parse(bad[i], out, &why), RU_ERR_INVALID);
    }
    assert_int_equal(card_serial_parse("12345678901234567", out, &why), RU_ERR_INVALID);
    assert_non_null(strstr(why, "more than 16"));
    assert_int_equal(card_serial_parse("123", out, &why), RU_ERR_INVALID);
    assert_non_null(strstr(why, "fewer than 16"));
}

static void test_generated_pins(void **state)
{
    (void)state;
    char pin[CARD_DIGITS + 1], out[CARD_DIGITS + 1], prev[CARD_DIGITS + 1] = "";
    const char *why;
    unsigned counts[15][10] = {{0}};
    for (int i = 0; i < 20000; i++) {
        assert_int_equal(card_pin_generate(pin), RU_OK);
        assert_int_equal(strlen(pin), 16);
        assert_int_equal(card_pin_parse(pin, out, &why), RU_OK);
        assert_string_not_equal(pin, prev);
        memcpy(prev, pin, sizeof(prev));
        for (int p = 0; p < 15; p++)
            counts[p][pin[p] - '0']++;
    }
    /* 2,000 expected per digit and position; uniform draws stay far inside 1,700..2,300 */
    for (int p = 0; p < 15; p++)
        for (int d = 0; d < 10; d++)
            assert_in_range(counts[p][d], 1700, 2300);
}

static void test_mask(void **state)
{
    (void)state;
    char m[CARD_DIGITS + 1];
    card_mask("4242000000000771", m);
    assert_string_equal(m, "************0771");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_examples), cmocka_unit_test(test_serial_make),
        cmocka_unit_test(test_errors_caught),      cmocka_unit_test(test_parse_as_typed),
        cmocka_unit_test(test_generated_pins),     cmocka_unit_test(test_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
