/*
 * tests/unit/test_template.c - the card template file.
 *
 * Covers: the built-in template; a full file (brand, URLs, language, back, colours,
 * plans replacing the default ones, a logo path relative to the file); every refusal
 * names its line and what is wrong (unknown section or key, bad URL pattern, {pin}
 * twice, bad colour, unknown language, bad plan code or months, a plan twice, a line
 * too long, no plans); the redemption URL with a PIN; loading a missing file.
 */
#include "tests/testlib.h"
#include "printing/template.h"

static void test_default(void **state)
{
    (void)state;
    struct card_template t;
    char url[256];
    template_default(&t);
    assert_string_equal(t.language, "en");
    assert_non_null(template_plan(&t, "1y"));
    assert_int_equal(template_plan(&t, "1y")->months, 12);
    assert_null(template_plan(&t, "5y"));
    assert_int_equal(template_redeem_url(&t, "1234567890123452", url, sizeof(url)), RU_OK);
    assert_string_equal(url, "https://my.example.com/redeem?pin=1234567890123452");
    assert_int_equal(template_redeem_url(&t, "1234567890123452", url, 20), RU_ERR_LIMIT);
}

static void test_full_file(void **state)
{
    (void)state;
    struct card_template t;
    char err[300];
    const char *text = "; a comment\n"
                       "[card]\n"
                       "brand = Fjordtel\n"
                       "redeem_url = https://fjord.example/indlos/{pin}/nu\n"
                       "support_url = https://fjord.example/hjaelp\n"
                       "locator_url = https://fjord.example/butikker\n"
                       "language = da\n"
                       "back = yes\n"
                       "logo = art/logo.png\n"
                       "[colours]\n"
                       "brand = #0B5FFF\n"
                       "text = #000000\n"
                       "[plans]\n"
                       "3m = 3\n"
                       "1y = 12\n";
    assert_int_equal(template_parse(text, "/srv/cards", &t, err, sizeof(err)), RU_OK);
    assert_string_equal(t.brand, "Fjordtel");
    assert_string_equal(t.language, "da");
    assert_int_equal(t.back, 1);
    assert_string_equal(t.logo, "/srv/cards/art/logo.png");
    assert_true(t.brand_colour.r < 0.05 && t.brand_colour.b > 0.99);
    assert_int_equal(t.nplans, 2);
    assert_null(template_plan(&t, "1m")); /* the default plans are replaced */
    assert_int_equal(template_plan(&t, "3m")->months, 3);
    char url[256];
    assert_int_equal(template_redeem_url(&t, "1234567890123452", url, sizeof(url)), RU_OK);
    assert_string_equal(url, "https://fjord.example/indlos/1234567890123452/nu");
}

static void refused(const char *text, const char *want)
{
    struct card_template t;
    char err[300] = "";
    template_default(&t);
    struct card_template before = t;
    assert_int_equal(template_parse(text, NULL, &t, err, sizeof(err)), RU_ERR_INVALID);
    if (!strstr(err, want))
        fail_msg("'%s' lacks '%s'", err, want);
    assert_memory_equal(&t, &before, sizeof(t)); /* untouched on failure */
}

static void test_refusals(void **state)
{
    (void)state;
    refused("[card]\nbrand = X\n[fonts]\nsize = 3\n", "line 4: unknown section [fonts]");
    refused("[card]\ncolour = red\n", "line 2: unknown key 'colour'");
    refused("[card]\nredeem_url = https://x.example/reup\n", "hold {pin} once");
    refused("[card]\nredeem_url = https://x.example/{pin}/{pin}\n", "hold {pin} once");
    refused("[card]\nredeem_url = ftp://x.example/{pin}\n", "https://");
    refused("[card]\nsupport_url = x.example\n", "support_url must start with https://");
    refused("[card]\nlanguage = de\n", "language 'de' is not one we print");
    refused("[card]\nback = maybe\n", "back must be yes or no");
    refused("[colours]\nbrand = blue\n", "line 2: colour brand must be #rrggbb");
    refused("[colours]\nbrand = #12345g\n", "colour brand must be #rrggbb");
    refused("[colours]\nbackground = #ffffff\n", "unknown colour 'background'");
    refused("[plans]\n1 year = 12\n", "plan code '1 year'");
    refused("[plans]\n1y = twelve\n", "plan 1y: the months");
    refused("[plans]\n1y = 0\n", "from 1 to 120");
    refused("[plans]\n1y = 121\n", "from 1 to 120");
    refused("[plans]\n1y = 12\n1y = 12\n", "line 3: plan 1y is listed twice");
    refused("[card]\nnot a pair\n", "line 2: not KEY = VALUE");
    /* invalid UTF-8: a stray byte, a cut sequence, an overlong '/', a surrogate, past U+10FFFF */
    refused("[card]\nbrand = Re\xffUp\n", "line 2: brand is not valid UTF-8 (byte 3)");
    refused("[card]\nbrand = Caf\xc3\n", "line 2: brand is not valid UTF-8");
    refused("[card]\nbrand = \xc0\xaf\n", "brand is not valid UTF-8 (byte 1)");
    refused("[card]\nbrand = \xed\xa0\x80\n", "brand is not valid UTF-8");
    refused("[card]\nbrand = \xf4\x90\x80\x80\n", "brand is not valid UTF-8");
    char longline[400];
    snprintf(longline, sizeof(longline), "[card]\nbrand = %0250d\n", 7);
    refused(longline, "line 2: longer than 190 bytes");
    /* well-formed UTF-8 of every length is taken */
    struct card_template t;
    char err[300] = "";
    assert_int_equal(template_parse("[card]\nbrand = K\xc3\xb8"
                                    "benhavn \xe2\x82\xac \xf0\x9f\x93\x9e\n",
                                    NULL, &t, err, sizeof(err)),
                     RU_OK);
}

static void test_load(void **state)
{
    (void)state;
    struct card_template t;
    char err[600];
    assert_int_equal(template_load(test_path("none.ini"), &t, err, sizeof(err)), RU_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "cannot open the template"));
    test_write(test_path("t.ini"), "[card]\nbrand = Nordlys\nlogo = logo.png\n");
    assert_int_equal(template_load(test_path("t.ini"), &t, err, sizeof(err)), RU_OK);
    assert_string_equal(t.brand, "Nordlys");
    assert_string_equal(t.logo, test_path("logo.png"));
    test_write(test_path("bad.ini"), "[card]\nlanguage = fr\n");
    assert_int_equal(template_load(test_path("bad.ini"), &t, err, sizeof(err)), RU_ERR_INVALID);
    assert_non_null(strstr(err, "bad.ini: line 2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
