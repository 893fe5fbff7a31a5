/*
 * tests/unit/test_redeempage.c - the redemption page's HTML, without HTTP.
 *
 * Covers: the form with a PIN from the address (masked but for its last four digits, sent
 * hidden) and without (a field to type it); the form's action and links keeping ?lang only
 * when the address chose it; each field problem tied to its field (aria-describedby,
 * aria-invalid, autofocus) with the status 422; the checks before redeeming (empty, a
 * wrong check digit, an account too long) counting nothing; the answers of the redemption
 * rules: 200 the plan in years or months and the new expiry as a date in English, Danish
 * and Spanish, 422 the one refusal on the PIN field with the PIN gone, 429 the wait in
 * minutes rounded up, anything else unavailable; 403, 400, 413, 503 pages; markup escaped;
 * every language's page and the style sheet, script and icon.
 */
#include <stdlib.h>
#include "tests/testlib.h"
#include "issuer/redeempage.h"

#define TOKEN "0123456789abcdef0123456789abcdef"
#define PIN   "8970397671116560"

static char *render(const struct redeempage *p)
{
    struct strbuf sb;
    strbuf_init(&sb, 1 << 20);
    assert_int_equal(redeempage_render(p, &sb), RU_OK);
    return sb.buf; /* owned by the caller */
}

static void expect_in(const char *html, const char *what)
{
    if (!strstr(html, what))
        fail_msg("the page lacks '%s':\n%s", what, html);
}

static void expect_not_in(const char *html, const char *what)
{
    if (strstr(html, what))
        fail_msg("the page holds '%s'", what);
}

static void test_form(void **state)
{
    (void)state;
    struct redeempage p = {.view = REDEEMPAGE_FORM, .lang = "en", .csrf = TOKEN, .pin = PIN};
    char *html = render(&p);
    assert_int_equal(redeempage_status(&p), 200);
    expect_in(html, "<html lang=\"en\">");
    expect_in(html, "<title>Redeem your Re-Up card</title>");
    expect_in(html, "\u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 6560");
    expect_in(html, "ending in 6560");
    expect_in(html, "<input type=\"hidden\" name=\"pin\" value=\"" PIN "\">");
    expect_in(html, "<input type=\"hidden\" name=\"csrf\" value=\"" TOKEN "\">");
    expect_in(html, "action=\"/redeem\"");
    expect_in(
        html,
        "<a href=\"/redeem?lang=en\" hreflang=\"en\" lang=\"en\" data-lang=\"en\" aria-current=\"true\">");
    expect_not_in(html, "id=\"pin\""); /* no field: the PIN is known */
    expect_in(html, "autocomplete=\"username\"");
    free(html);
    struct redeempage q = {.view = REDEEMPAGE_FORM, .lang = "da", .lang_in_address = 1, .csrf = TOKEN};
    html = render(&q);
    expect_in(html, "<html lang=\"da\">");
    expect_in(html, "action=\"/redeem?lang=da\"");
    expect_in(html, "<input id=\"pin\" name=\"pin\" type=\"text\" inputmode=\"numeric\"");
    expect_in(html, "aria-describedby=\"pin-hint\"");
    expect_not_in(html, "aria-invalid");
    expect_not_in(html, "autofocus");
    expect_in(html, "Indl\xc3\xb8s");
    free(html);
}

static void test_checks(void **state)
{
    (void)state;
    struct redeempage p = {.view = REDEEMPAGE_FORM, .lang = "en", .csrf = TOKEN};
    assert_true(redeempage_check(&p, "8970 3976 7111 6560", "alice@example.com"));
    assert_string_equal(p.pin, PIN);
    struct redeempage e = {.view = REDEEMPAGE_FORM, .lang = "en", .csrf = TOKEN, .account = ""};
    assert_false(redeempage_check(&e, "", ""));
    assert_int_equal(e.pin_problem, REDEEMPAGE_EMPTY);
    assert_int_equal(e.account_problem, REDEEMPAGE_EMPTY);
    assert_int_equal(redeempage_status(&e), 422);
    char *html = render(&e);
    expect_in(html, "<p class=\"error\" id=\"pin-error\">Enter the PIN from your card.</p>");
    expect_in(html, "aria-invalid=\"true\" aria-describedby=\"pin-error pin-hint\" autofocus>");
    expect_in(html, "aria-invalid=\"true\" aria-describedby=\"account-error account-hint\" autofocus>");
    free(html);
    struct redeempage t = {
        .view = REDEEMPAGE_FORM, .lang = "es", .csrf = TOKEN, .pin_typed = "8970397671116561"};
    assert_false(redeempage_check(&t, "8970397671116561", "a"));
    assert_int_equal(t.pin_problem, REDEEMPAGE_INVALID);
    assert_int_equal(t.account_problem, REDEEMPAGE_NONE);
    assert_string_equal(t.pin, "");
    html = render(&t);
    expect_in(html, "value=\"8970397671116561\"");
    expect_in(html, "El PIN tiene un error");
    free(html);
    char long_account[80];
    memset(long_account, 'a', 65);
    long_account[65] = '\0';
    struct redeempage l = {.view = REDEEMPAGE_FORM, .lang = "en"};
    assert_false(redeempage_check(&l, PIN, long_account));
    assert_int_equal(l.account_problem, REDEEMPAGE_INVALID);
}

static void test_done(void **state)
{
    (void)state;
    static const struct {
        const char *lang;
        int months;
        const char *plan, *date;
    } cases[] = {
        {"en", 12, "1 year of service added to alice@example.com.",
         "Your subscription now runs until December 6, 2027."},
        {"en", 3, "3 months of service added to", "December 6, 2027"},
        {"en", 1, "1 month of service added to", "December 6, 2027"},
        {"da", 24, "2 \xc3\xa5rs abonnement er lagt til alice@example.com.", "til 6. december 2027."},
        {"es", 12,
         "1 a\xc3\xb1o de servicio a\xc3\xb1"
         "adido a alice@example.com.",
         "hasta el 6 de diciembre de 2027."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct redeempage p = {
            .view = REDEEMPAGE_FORM, .lang = cases[i].lang, .csrf = TOKEN, .account = "alice@example.com"};
        char body[160];
        snprintf(body, sizeof(body),
                 "{\"account\":\"alice@example.com\",\"plan\":\"x\",\"months\":%d,\"expires_at\":\"2027-12-"
                 "06T10:00:00Z\"}",
                 cases[i].months);
        redeempage_answer(&p, 200, body, 0);
        assert_int_equal(p.view, REDEEMPAGE_DONE);
        assert_int_equal(redeempage_status(&p), 200);
        char *html = render(&p);
        expect_in(html, cases[i].plan);
        expect_in(html, cases[i].date);
        expect_in(html, "id=\"result\"");
        expect_not_in(html, "<form");
        if (!strcmp(cases[i].lang, "en"))
            expect_in(html, "<title>Your card is redeemed \u2013 Redeem your Re-Up card</title>");
        free(html);
    }
    /* no expiry in the answer: the months alone */
    struct redeempage p = {.view = REDEEMPAGE_FORM, .lang = "en", .account = "a"};
    redeempage_answer(&p, 200, "{\"months\":12,\"expires_at\":\"soon\"}", 0);
    char *html = render(&p);
    expect_in(html, "1 year of service added to a.");
    expect_not_in(html, "runs until");
    free(html);
}

static void test_refusal_and_lockout(void **state)
{
    (void)state;
    struct redeempage p = {
        .view = REDEEMPAGE_FORM, .lang = "da", .csrf = TOKEN, .pin = PIN, .account = "a@b"};
    redeempage_answer(&p, 422, "{\"error\":{\"code\":\"pin_not_accepted\",\"message\":\"x\"}}", 0);
    assert_int_equal(p.view, REDEEMPAGE_FORM);
    assert_int_equal(redeempage_status(&p), 422);
    char *html = render(&p);
    expect_in(html, "Denne PIN-kode kan ikke indl\xc3\xb8ses.");
    expect_in(html, "aria-describedby=\"pin-error pin-hint\" autofocus");
    expect_in(html, "value=\"a@b\"");
    expect_not_in(html, PIN);
    free(html);
    static const struct {
        long long s;
        const char *lang, *words;
    } waits[] = {
        {900, "en", "Try again in 15 minutes."},
        {841, "en", "Try again in 15 minutes."},
        {60, "en", "Try again in 1 minute."},
        {61, "da", "Pr\xc3\xb8v igen om 2 minutter."},
        {1, "es", "Int\xc3\xa9ntelo de nuevo dentro de 1 minuto."},
    };
    for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
        struct redeempage l = {.view = REDEEMPAGE_FORM, .lang = waits[i].lang, .csrf = TOKEN};
        redeempage_answer(&l, 429, "{\"error\":{\"code\":\"too_many_attempts\",\"message\":\"x\"}}",
                          waits[i].s);
        assert_int_equal(redeempage_status(&l), 429);
        html = render(&l);
        expect_in(html, waits[i].words);
        expect_not_in(html, "<form");
        free(html);
    }
    struct redeempage u = {.view = REDEEMPAGE_FORM, .lang = "en"};
    redeempage_answer(&u, 503, NULL, 0);
    assert_int_equal(redeempage_status(&u), 503);
    redeempage_answer(&u, 200, "not json", 0);
    assert_int_equal(u.view, REDEEMPAGE_UNAVAILABLE);
}

static void test_other_views(void **state)
{
    (void)state;
    struct redeempage x = {.view = REDEEMPAGE_EXPIRED, .lang = "en", .lang_in_address = 1};
    assert_int_equal(redeempage_status(&x), 403);
    char *html = render(&x);
    expect_in(html, "Reload the page");
    expect_in(html, "<title>This page has expired \u2013 Redeem your Re-Up card</title>");
    expect_in(html, "href=\"/redeem?lang=en\"");
    free(html);
    struct redeempage b = {.view = REDEEMPAGE_BAD_FORM, .lang = "es", .status = 413};
    assert_int_equal(redeempage_status(&b), 413);
    html = render(&b);
    expect_in(html, "No se pudo leer el formulario");
    free(html);
    struct redeempage markup = {.view = REDEEMPAGE_FORM,
                                .lang = "en",
                                .csrf = "\"><b>",
                                .account = "<script>",
                                .pin_typed = "'\"&",
                                .pin_problem = REDEEMPAGE_INVALID};
    html = render(&markup);
    expect_not_in(html, "<script>");
    expect_not_in(html, "<b>");
    expect_in(html, "value=\"&#39;&quot;&amp;\"");
    free(html);
}

static void test_every_language_and_asset(void **state)
{
    (void)state;
    static const char *const langs[] = {"en", "da", "es"};
    for (int v = REDEEMPAGE_FORM; v <= REDEEMPAGE_UNAVAILABLE; v++)
        for (size_t i = 0; i < 3; i++) {
            struct redeempage p = {.view = (enum redeempage_view)v,
                                   .lang = langs[i],
                                   .csrf = TOKEN,
                                   .months = 6,
                                   .retry_after_s = 100};
            char *html = render(&p);
            char want[32];
            snprintf(want, sizeof(want), "<html lang=\"%s\">", langs[i]);
            expect_in(html, want);
            expect_not_in(html, "{{");
            expect_not_in(html, "style=");
            expect_not_in(html, "<script>");
            free(html);
        }
    const char *type = NULL;
    const char *css = redeempage_asset("/redeem.css", &type);
    assert_non_null(css);
    assert_string_equal(type, "text/css; charset=utf-8");
    assert_non_null(strstr(css, ".result"));
    assert_non_null(redeempage_asset("/redeem.js", &type));
    assert_string_equal(type, "text/javascript; charset=utf-8");
    assert_non_null(redeempage_asset("/redeem-icon.svg", &type));
    assert_null(redeempage_asset("/redeem.html", &type));
    assert_null(redeempage_asset("/redeem", &type));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form),        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_done),        cmocka_unit_test(test_refusal_and_lockout),
        cmocka_unit_test(test_other_views), cmocka_unit_test(test_every_language_and_asset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
