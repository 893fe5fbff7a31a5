/*
 * tests/unit/test_batchread.c - reading the issuer's batch file.
 *
 * Covers: a good row; each refusal with its reason (field count, serial not 16 digits,
 * wrong Luhn digit, PIN not 16 digits, wrong Damm digit, bad plan and batch codes);
 * a file read as a stream: header checked, bad rows reported with their line number
 * while reading goes on, an over-long line, the end.
 */
#include "tests/testlib.h"
#include "printing/batchread.h"

#define SERIAL "4242000000000018"

static char pin[CARD_DIGITS + 1];

static int setup(void **state)
{
    (void)state;
    return card_pin_generate(pin) == RU_OK ? 0 : -1;
}

static void refused(const char *line, const char *want)
{
    struct batchrow row;
    const char *why = "";
    assert_int_equal(batchread_parse_line(line, strlen(line), &row, &why), RU_ERR_INVALID);
    if (!strstr(why, want))
        fail_msg("'%s': '%s' lacks '%s'", line, why, want);
}

static void test_lines(void **state)
{
    (void)state;
    char line[200], badpin[CARD_DIGITS + 1];
    struct batchrow row;
    const char *why;
    snprintf(line, sizeof(line), "%s,%s,1y,B000001", SERIAL, pin);
    assert_int_equal(batchread_parse_line(line, strlen(line), &row, &why), RU_OK);
    assert_string_equal(row.serial, SERIAL);
    assert_string_equal(row.pin, pin);
    assert_string_equal(row.plan, "1y");
    assert_string_equal(row.batch, "B000001");

    refused("4242000000000018,1y,B1", "fewer than 4 fields");
    snprintf(line, sizeof(line), "%s,%s,1y,B1,extra", SERIAL, pin);
    refused(line, "more than 4 fields");
    snprintf(line, sizeof(line), "424200000000001,%s,1y,B1", pin);
    refused(line, "the serial is not 16 digits");
    snprintf(line, sizeof(line), "4242000000000019,%s,1y,B1", pin);
    refused(line, "Luhn");
    refused(SERIAL ",123456789012345,1y,B1", "the PIN is not 16 digits");
    memcpy(badpin, pin, sizeof(badpin));
    badpin[15] = (char)('0' + (badpin[15] - '0' + 1) % 10);
    snprintf(line, sizeof(line), "%s,%s,1y,B1", SERIAL, badpin);
    refused(line, "Damm");
    snprintf(line, sizeof(line), "%s,%s,,B1", SERIAL, pin);
    refused(line, "plan or batch code");
    snprintf(line, sizeof(line), "%s,%s,1 y,B1", SERIAL, pin);
    refused(line, "plan or batch code");
    snprintf(line, sizeof(line), "%s,%s,1y,B1234567890123456789012345678901234", SERIAL, pin);
    refused(line, "plan or batch code");
}

static void test_file(void **state)
{
    (void)state;
    char text[2000], err[300], lng[400];
    struct batchread *b = NULL;
    struct batchrow row;
    memset(lng, '7', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = '\0';
    snprintf(text, sizeof(text),
             "serial,pin,plan,batch\n%s,%s,1y,B1\nnonsense\n%s\n4242000000000026,%s,1y,B1\n", SERIAL, pin,
             lng, pin);
    test_write(test_path("b.csv"), text);
    assert_int_equal(batchread_open(test_path("b.csv"), &b, err, sizeof(err)), RU_OK);
    assert_int_equal(batchread_next(b, &row, err, sizeof(err)), RU_OK);
    assert_int_equal(batchread_line(b), 2);
    assert_int_equal(batchread_next(b, &row, err, sizeof(err)), RU_ERR_INVALID);
    assert_int_equal(batchread_line(b), 3);
    assert_non_null(strstr(err, "fewer than 4 fields"));
    assert_int_equal(batchread_next(b, &row, err, sizeof(err)), RU_ERR_INVALID);
    assert_non_null(strstr(err, "longer than"));
    assert_int_equal(batchread_next(b, &row, err, sizeof(err)), RU_OK);
    assert_string_equal(row.serial, "4242000000000026");
    assert_int_equal(batchread_line(b), 5);
    assert_int_equal(batchread_next(b, &row, err, sizeof(err)), RU_ERR_NOT_FOUND);
    batchread_free(b);

    test_write(test_path("nohdr.csv"), "4242000000000018,x,1y,B1\n");
    assert_int_equal(batchread_open(test_path("nohdr.csv"), &b, err, sizeof(err)), RU_ERR_INVALID);
    assert_non_null(strstr(err, ":1: the first line must be"));
    assert_int_equal(batchread_open(test_path("missing.csv"), &b, err, sizeof(err)), RU_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
