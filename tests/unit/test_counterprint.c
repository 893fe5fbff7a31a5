/*
 * tests/unit/test_counterprint.c - one card and one receipt at the counter.
 *
 * Covers: a card drawn as a PDF, and as a PNG; the PIN wiped after every call, drawn or
 * refused or not sent; a plan the template lacks refused, or drawn when its length is
 * given; an unknown language refused; a receipt drawn as a PDF, a void's and a training
 * sale's too; a card and a receipt for a print server that cannot be reached end as
 * "no answer" with nothing printed and a reason in words.
 */
#include "tests/testlib.h"
#include "printing/counterprint.h"
#include "common/cardnum.h"

static char serial[CARD_DIGITS + 1], pin[CARD_DIGITS + 1];

static int setup(void **state)
{
    (void)state;
    if (card_serial_make(4242, 7, serial) != RU_OK || card_pin_generate(pin) != RU_OK)
        return -1;
    return 0;
}

static void assert_wiped(const char *p)
{
    for (size_t i = 0; i < CARD_DIGITS; i++)
        assert_int_equal(p[i], 0);
}

/* The first bytes of F, rewound. */
static void assert_starts(FILE *f, const char *magic)
{
    char head[8] = "";
    rewind(f);
    assert_int_equal(fread(head, 1, strlen(magic), f), strlen(magic));
    assert_memory_equal(head, magic, strlen(magic));
}

static enum ru_status draw(const struct card_template *t, const char *plan, int months, const char *lang,
                           int png_dpi, char *msg, size_t msglen)
{
    char p[CARD_DIGITS + 1];
    memcpy(p, pin, sizeof(p));
    struct counterprint_card c = {.serial = serial, .pin = p, .plan = plan, .months = months, .lang = lang};
    FILE *f = tmpfile();
    assert_non_null(f);
    enum ru_status rc = counterprint_card_draw(f, t, &c, png_dpi, msg, msglen);
    assert_wiped(p);
    if (rc == RU_OK)
        assert_starts(f, png_dpi ? "\x89PNG" : "%PDF");
    fclose(f);
    return rc;
}

static void test_card_draw(void **state)
{
    (void)state;
    struct card_template t;
    char msg[300];
    template_default(&t);
    assert_int_equal(draw(&t, "1y", 0, NULL, 0, msg, sizeof(msg)), RU_OK);
    assert_int_equal(draw(&t, "1y", 0, "da", 100, msg, sizeof(msg)), RU_OK);
    /* a plan the template lacks: refused, unless the catalog says how long it is */
    assert_int_equal(draw(&t, "18m", 0, NULL, 0, msg, sizeof(msg)), RU_ERR_INVALID);
    assert_non_null(strstr(msg, "the plan '18m' is not in the card template"));
    assert_int_equal(draw(&t, "18m", 18, NULL, 0, msg, sizeof(msg)), RU_OK);
    assert_int_equal(draw(&t, "1y", 0, "fr", 0, msg, sizeof(msg)), RU_ERR_INVALID);
    assert_non_null(strstr(msg, "'fr'"));
    /* a brand too long for the card: refused before anything is drawn */
    snprintf(t.brand, sizeof(t.brand), "Transcontinental Telecommunications Incorporated");
    assert_int_equal(draw(&t, "1y", 0, NULL, 0, msg, sizeof(msg)), RU_ERR_INVALID);
    assert_non_null(strstr(msg, "does not fit"));
}

static const struct counterprint_queue nowhere = {.server = "127.0.0.1:1", .queue = "cards", .timeout_s = 5};

static void test_card_unreachable(void **state)
{
    (void)state;
    struct card_template t;
    struct counterprint_result res;
    char p[CARD_DIGITS + 1];
    memcpy(p, pin, sizeof(p));
    template_default(&t);
    struct counterprint_card c = {.serial = serial, .pin = p, .plan = "1y"};
    assert_int_equal(counterprint_card(&t, &c, &nowhere, &res), RU_ERR_NETWORK);
    assert_wiped(p);
    assert_int_equal(res.maybe_printed, 0);
    assert_int_equal(res.cups_job, 0);
    assert_non_null(strstr(res.message, "cannot be reached"));
    /* refused before anything is sent: the PIN is wiped all the same */
    memcpy(p, pin, sizeof(p));
    c.plan = "9y";
    assert_int_equal(counterprint_card(&t, &c, &nowhere, &res), RU_ERR_INVALID);
    assert_wiped(p);
}

static void test_receipt(void **state)
{
    (void)state;
    struct counterprint_sale s = {.store_id = "WM00001",
                                  .terminal = "T1",
                                  .sale_id = 7,
                                  .when = 1700000000,
                                  .plan = "1y",
                                  .serial = serial,
                                  .auth_code = "A1B2C3",
                                  .currency = "USD",
                                  .amount_cents = 3999,
                                  .cash_cents = 5000,
                                  .change_cents = 1001};
    for (int kind = 0; kind < 3; kind++) {
        s.is_void = kind == 1;
        s.training = kind == 2;
        FILE *f = tmpfile();
        assert_non_null(f);
        assert_int_equal(counterprint_receipt_draw(f, &s), RU_OK);
        assert_starts(f, "%PDF");
        fclose(f);
    }
    struct counterprint_result res;
    assert_int_equal(counterprint_receipt(&s, &nowhere, &res), RU_ERR_NETWORK);
    assert_int_equal(res.maybe_printed, 0);
    assert_true(res.message[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_draw),
        cmocka_unit_test(test_card_unreachable),
        cmocka_unit_test(test_receipt),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
