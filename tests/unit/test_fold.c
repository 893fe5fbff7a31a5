/*
 * tests/unit/test_fold.c - locator/fold: the matching form of names and queries.
 * Covers case and accent folding (København, Zürich), letters that do not decompose
 * (ø æ ß ł), apostrophes dropped (ASCII and typographic), punctuation, spaces and control
 * characters collapsed to single spaces with none at the ends, CJK kept, idempotence,
 * appending after existing content, invalid UTF-8 refused with the buffer unchanged, the
 * buffer's cap, and fold_is_utf8 / fold_is_clean_utf8 (C0 and C1 controls, bad encodings).
 */
#include "tests/testlib.h"
#include "locator/fold.h"
#include "common/banned.h"

/* Fold TEXT into a fresh buffer and compare with WANT. */
static void check_fold(const char *text, const char *want)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    enum ru_status st = fold_text(text, strlen(text), &sb);
    int same = strcmp(strbuf_str(&sb), want) == 0;
    if (st != RU_OK || !same)
        print_error("fold(\"%s\") = %d \"%s\", want \"%s\"\n", text, st, strbuf_str(&sb), want);
    strbuf_release(&sb);
    assert_int_equal(st, RU_OK);
    assert_true(same);
}

static void test_kobenhavn(void **state)
{
    (void)state;
    check_fold("K\xC3\xB8"
               "benhavn",
               "kobenhavn"); /* København */
    check_fold("K\xC3\x98"
               "BENHAVN",
               "kobenhavn"); /* KØBENHAVN */
    check_fold("Kobenhavn", "kobenhavn");
    check_fold("KOBENHAVN", "kobenhavn");
}

static void test_accents(void **state)
{
    (void)state;
    check_fold("Z\xC3\xBCrich", "zurich");       /* Zürich, precomposed ü */
    check_fold("Zu\xCC\x88rich", "zurich");      /* Zürich, u + combining diaeresis */
    check_fold("Z\xC3\x9CRICH", "zurich");       /* ZÜRICH */
    check_fold("S\xC3\xA3o Paulo", "sao paulo"); /* São Paulo */
    check_fold("Montr\xC3\xA9"
               "al",
               "montreal"); /* Montréal */
}

static void test_special_letters(void **state)
{
    (void)state;
    check_fold("Stra\xC3\x9F"
               "e",
               "strasse"); /* Straße */
    check_fold("\xC5\x81\xC3\xB3"
               "d\xC5\xBA",
               "lodz");                             /* Łódź */
    check_fold("\xC3\x86r\xC3\xB8", "aero");        /* Ærø */
    check_fold("Troms\xC3\xB8", "tromso");          /* Tromsø */
    check_fold("\xC3\x9Eingvellir", "thingvellir"); /* Þingvellir */
    check_fold("\xC4\x90"
               "akovo",
               "dakovo"); /* Đakovo */
}

static void test_punctuation_and_spaces(void **state)
{
    (void)state;
    check_fold("St. Louis", "st louis");
    check_fold("Coeur d'Alene", "coeur dalene");
    check_fold("Coeur d\xE2\x80\x99"
               "Alene",
               "coeur dalene"); /* right single quote */
    check_fold("  Rock   Springs, WY ", "rock springs wy");
    check_fold("Winston-Salem", "winston salem");
    check_fold("Rock\tSprings\x01WY", "rock springs wy");
    check_fold("...", "");
    check_fold("", "");
    /* The same rules on the non-ASCII path. */
    check_fold("  Z\xC3\xBCrich ,  ZH\xC2\x85"
               "X. ",
               "zurich zh x"); /* with a C1 control */
    check_fold("\xC2\xA0"
               "Malm\xC3\xB6\xC2\xA0",
               "malmo"); /* no-break spaces */
}

static void test_cjk_kept(void **state)
{
    (void)state;
    check_fold("\xE6\x9D\xB1\xE4\xBA\xAC", "\xE6\x9D\xB1\xE4\xBA\xAC"); /* 東京 */
    check_fold("Tokyo \xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD", "tokyo \xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD");
    check_fold("\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", /* Москва */
               "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0");
}

static void test_idempotent(void **state)
{
    (void)state;
    static const char *const names[] = {
        "K\xC3\xB8"
        "benhavn",
        "Z\xC3\xBCrich",
        "St. Louis",
        "Coeur d\xE2\x80\x99"
        "Alene",
        "  Rock   Springs, WY ",
        "Stra\xC3\x9F"
        "e",
        "\xC5\x81\xC3\xB3"
        "d\xC5\xBA",
        "Tokyo \xE6\x9D\xB1\xE4\xBA\xAC",
        "\xEF\xBC\xA1\xEF\xBC\xA2", /* fullwidth ＡＢ */
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct strbuf a, b;
        strbuf_init(&a, 0);
        strbuf_init(&b, 0);
        assert_int_equal(fold_text(names[i], strlen(names[i]), &a), RU_OK);
        assert_int_equal(fold_text(a.buf, a.len, &b), RU_OK);
        assert_string_equal(strbuf_str(&a), strbuf_str(&b));
        strbuf_release(&a);
        strbuf_release(&b);
    }
    /* Compatibility decomposition: fullwidth letters fold to plain ones. */
    check_fold("\xEF\xBC\xA1\xEF\xBC\xA2", "ab");
}

static void test_appends(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    assert_int_equal(strbuf_adds(&sb, "x:"), RU_OK);
    assert_int_equal(fold_text(" St. Louis", 10, &sb), RU_OK);
    assert_string_equal(strbuf_str(&sb), "x:st louis");
    assert_int_equal(fold_text(" Z\xC3\xBCrich", 8, &sb), RU_OK);
    assert_string_equal(strbuf_str(&sb), "x:st louiszurich");
    /* LEN is honoured: only the first 4 bytes. */
    strbuf_reset(&sb);
    assert_int_equal(fold_text("Rock Springs", 4, &sb), RU_OK);
    assert_string_equal(strbuf_str(&sb), "rock");
    strbuf_release(&sb);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xFF",
        "abc\xFE"
        "def",
        "Z\xC3",
        "\xC0\xAF",
        "\xED\xA0\x80",
        "K\xC3\xB8"
        "ben\x80",
        "\xF4\x90\x80\x80",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct strbuf sb;
        strbuf_init(&sb, 0);
        assert_int_equal(strbuf_adds(&sb, "before"), RU_OK);
        assert_int_equal(fold_text(bad[i], strlen(bad[i]), &sb), RU_ERR_INVALID);
        assert_int_equal(sb.len, 6);
        assert_string_equal(strbuf_str(&sb), "before");
        strbuf_release(&sb);
    }
}

static void test_cap(void **state)
{
    (void)state;
    struct strbuf sb;
    /* Exactly at the cap is fine. */
    strbuf_init(&sb, 9);
    assert_int_equal(fold_text("Kobenhavn", 9, &sb), RU_OK);
    assert_string_equal(strbuf_str(&sb), "kobenhavn");
    strbuf_release(&sb);
    strbuf_init(&sb, 9);
    assert_int_equal(fold_text("K\xC3\xB8"
                               "benhavn",
                               10, &sb),
                     RU_OK);
    assert_string_equal(strbuf_str(&sb), "kobenhavn");
    strbuf_release(&sb);

    /* One byte over: RU_ERR_LIMIT. */
    strbuf_init(&sb, 8);
    assert_int_equal(fold_text("Kobenhavn", 9, &sb), RU_ERR_LIMIT);
    strbuf_release(&sb);
    strbuf_init(&sb, 8);
    assert_int_equal(fold_text("K\xC3\xB8"
                               "benhavn",
                               10, &sb),
                     RU_ERR_LIMIT);
    strbuf_release(&sb);
}

/* House style: outputs untouched on failure. Over the cap the buffer keeps what it had,
 * on the non-ASCII path and on the ASCII one alike. */
static void test_cap_leaves_buffer(void **state)
{
    (void)state;
    static const char *const longer[] = {"R\xC3\xB8"
                                         "ck Springs",
                                         "Rock Springs"};
    for (size_t i = 0; i < 2; i++) {
        struct strbuf sb;
        strbuf_init(&sb, 8);
        assert_int_equal(strbuf_adds(&sb, "ab"), RU_OK);
        enum ru_status st = fold_text(longer[i], strlen(longer[i]), &sb);
        char got[16];
        size_t got_len = sb.len;
        snprintf(got, sizeof(got), "%s", strbuf_str(&sb));
        strbuf_release(&sb);
        assert_int_equal(st, RU_ERR_LIMIT);
        assert_string_equal(got, "ab");
        assert_int_equal(got_len, 2);
    }
}

static void test_is_utf8(void **state)
{
    (void)state;
    /* Valid text, with and without controls. */
    assert_true(fold_is_utf8("", 0));
    assert_true(fold_is_clean_utf8("", 0));
    assert_true(fold_is_utf8("Rock Springs", 12));
    assert_true(fold_is_clean_utf8("Rock Springs", 12));
    const char *mixed = "K\xC3\xB8"
                        "benhavn \xE6\x9D\xB1 \xF0\x9F\x8F\xAA"; /* ø, 東, emoji */
    assert_true(fold_is_clean_utf8(mixed, strlen(mixed)));
    assert_true(fold_is_clean_utf8("a\xC2\xA0"
                                   "b",
                                   4)); /* no-break space is not a control */

    /* C0 controls, DEL and C1 controls: UTF-8, but not clean. */
    static const char *const controls[] = {"a\x01"
                                           "b",
                                           "\t",
                                           "line\n",
                                           "\x1b[31m",
                                           "x\x7f",
                                           "x\xC2\x85",
                                           "\xC2\x9B"
                                           "31m",
                                           "\xC2\x80"};
    for (size_t i = 0; i < sizeof(controls) / sizeof(controls[0]); i++) {
        size_t n = strlen(controls[i]);
        assert_true(fold_is_utf8(controls[i], n));
        assert_false(fold_is_clean_utf8(controls[i], n));
    }
    /* An embedded NUL is a control character too, and LEN counts it. */
    assert_true(fold_is_utf8("a\0b", 3));
    assert_false(fold_is_clean_utf8("a\0b", 3));
    assert_true(fold_is_clean_utf8("a\0b", 1));

    /* Broken encodings: stray continuation, truncated sequence, overlong, surrogate,
     * beyond U+10FFFF, bytes that never occur. */
    static const char *const bad[] = {"\x80",         "ab\xE2\x82",       "\xC0\xAF", "\xE0\x80\xAF",
                                      "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF",     "\xFE\xFF"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = strlen(bad[i]);
        assert_false(fold_is_utf8(bad[i], n));
        assert_false(fold_is_clean_utf8(bad[i], n));
    }
    /* A sequence cut by LEN is broken even if the bytes after it would complete it. */
    assert_false(fold_is_utf8("Z\xC3\xBC", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kobenhavn),
        cmocka_unit_test(test_accents),
        cmocka_unit_test(test_special_letters),
        cmocka_unit_test(test_punctuation_and_spaces),
        cmocka_unit_test(test_cjk_kept),
        cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_cap_leaves_buffer),
        cmocka_unit_test(test_is_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
