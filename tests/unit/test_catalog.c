/*
 * tests/unit/test_catalog.c - the catalogues, choosing a language and the page templates.
 *
 * Covers: every language has exactly English's keys, with the same placeholders, no empty
 * text, both forms of every count (and the check catches a missing key, an extra key and a
 * changed placeholder); the embedded copy is the file; Accept-Language with q-values,
 * regions, the wildcard, ?lang winning, and headers that do not parse; counts, dates,
 * placeholders, plan lengths, JSON for inside <script>; templates: texts, values, escaping, sections and
 * faults.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "tests/testlib.h"
#include "i18n/catalog.h"
#include "i18n/langpick.h"
#include "i18n/pagetemplate.h"

static json_t *load(const char *lang)
{
    char path[512];
    json_error_t e;
    snprintf(path, sizeof(path), "%s/i18n/catalog/%s.json", REUP_SOURCE_DIR, lang);
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(root))
        fail_msg("%s: line %d: %s", path, e.line, e.text);
    return root;
}

/* The {name}s of TEXT, sorted and joined, into OUT. */
static void placeholders(const char *text, char *out, size_t outlen)
{
    char names[16][64];
    size_t n = 0;
    for (const char *p = strchr(text, '{'); p && n < 16; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            break;
        snprintf(names[n++], 64, "%.*s", (int)(close - p - 1), p + 1);
    }
    qsort(names, n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), outlen - strlen(out), "%s,", names[i]);
}

/* What is wrong with OTHER against EN, into WHY; 0 when nothing is. */
static int differs(json_t *en, json_t *other, const char *lang, char *why, size_t whylen)
{
    const char *key;
    json_t *v;
    char a[100], b[100];
    json_object_foreach(en, key, v)
    {
        json_t *o = json_object_get(other, key);
        if (!json_is_string(o)) {
            snprintf(why, whylen, "%s misses %s", lang, key);
            return 1;
        }
        if (!*json_string_value(o)) {
            snprintf(why, whylen, "%s has an empty %s", lang, key);
            return 1;
        }
        placeholders(json_string_value(v), a, sizeof(a));
        placeholders(json_string_value(o), b, sizeof(b));
        if (strcmp(a, b) != 0) {
            snprintf(why, whylen, "%s's %s has placeholders {%s}, English's {%s}", lang, key, b, a);
            return 1;
        }
    }
    json_object_foreach(other, key, v)
    {
        if (!json_object_get(en, key)) {
            snprintf(why, whylen, "%s has %s, which English has not", lang, key);
            return 1;
        }
    }
    return 0;
}

static void test_every_language_has_every_key(void **state)
{
    (void)state;
    char why[512], err[256];
    assert_int_equal(catalog_check(err, sizeof(err)), RU_OK);
    json_t *en = load("en");
    const char *key;
    json_t *v;
    json_object_foreach(en, key, v)
    {
        size_t n = strlen(key);
        if (!json_is_string(v) || !*json_string_value(v))
            fail_msg("en: %s is not a text", key);
        /* a count has both forms */
        if (n > 4 && !strcmp(key + n - 4, ".one")) {
            char other[160];
            snprintf(other, sizeof(other), "%.*s.other", (int)(n - 4), key);
            if (!json_object_get(en, other))
                fail_msg("en has %s without %s", key, other);
        }
    }
    for (int m = 1; m <= 12; m++) {
        char k[24];
        snprintf(k, sizeof(k), "date.month.%d", m);
        assert_non_null(json_object_get(en, k));
    }
    for (int i = 0; catalog_languages[i]; i++) {
        json_t *other = load(catalog_languages[i]);
        if (differs(en, other, catalog_languages[i], why, sizeof(why)))
            fail_msg("%s", why);
        /* the programs read the embedded copy: it must be this file */
        json_object_foreach(other, key, v)
        {
            assert_string_equal(catalog_text(catalog_languages[i], key), json_string_value(v));
        }
        json_decref(other);
    }
    json_decref(en);
}

static void test_the_check_can_fail(void **state)
{
    (void)state;
    char why[512];
    json_t *en = load("en"), *da = load("da");
    assert_int_equal(differs(en, da, "da", why, sizeof(why)), 0);
    json_t *missing = json_deep_copy(da);
    json_object_del(missing, "pin.label");
    assert_int_equal(differs(en, missing, "da", why, sizeof(why)), 1);
    assert_string_equal(why, "da misses pin.label");
    json_t *extra = json_deep_copy(da);
    json_object_set_new(extra, "locate.only_danish", json_string("x"));
    assert_int_equal(differs(en, extra, "da", why, sizeof(why)), 1);
    json_t *renamed = json_deep_copy(da);
    json_object_set_new(renamed, "card.step1", json_string("Gå til {adresse}"));
    assert_int_equal(differs(en, renamed, "da", why, sizeof(why)), 1);
    assert_non_null(strstr(why, "placeholders"));
    json_decref(missing);
    json_decref(extra);
    json_decref(renamed);
    json_decref(en);
    json_decref(da);
}

static void test_langpick(void **state)
{
    (void)state;
    assert_string_equal(langpick(NULL, NULL), "en");
    assert_string_equal(langpick(NULL, "da"), "da");
    assert_string_equal(langpick(NULL, "da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7"), "da");
    assert_string_equal(langpick(NULL, "en-US,en;q=0.9,es;q=0.8"), "en");
    assert_string_equal(langpick(NULL, "fr-FR,fr;q=0.9,es;q=0.5,da;q=0.4"), "es");
    assert_string_equal(langpick(NULL, "de, da;q=0.2, es;q=0.3"), "es");
    assert_string_equal(langpick(NULL, "ES-mx"), "es");
    assert_string_equal(langpick(NULL, "fr, *;q=0.1"), "en");
    assert_string_equal(langpick(NULL, "da;q=0, es;q=0.001"), "es");
    assert_string_equal(langpick(NULL, "fr"), "en");
    /* the address wins, when it names a language we speak */
    assert_string_equal(langpick("es", "da"), "es");
    assert_string_equal(langpick("fr", "da"), "da");
    assert_string_equal(langpick("", "da"), "da");
    assert_string_equal(langpick("DA", "es"), "es");
    /* a header that does not parse counts as absent, as a whole */
    const char *bad[] = {"da;q=2", "da;q=1.5", "da;q=0.0001", "da;x=1",    "da q=0.5",    "da-",
                         "-da",    "da--DK",   "daaaaaaaaa",  "da;q=",     "da,,es;q=x",  "",
                         " ",      ",",        "da\r\n",      "d\xc3\xa5", "da-DKXXXXXXX"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (strcmp(langpick(NULL, bad[i]), "en") != 0)
            fail_msg("'%s' was taken", bad[i]);
    char longest[1100];
    memset(longest, ' ', sizeof(longest) - 3);
    memcpy(longest + sizeof(longest) - 3, "da", 3);
    assert_string_equal(langpick(NULL, longest), "en");
    assert_string_equal(langpick(NULL, longest + 100), "da");

    char region[3];
    langpick_region("en-US,en;q=0.9", region);
    assert_string_equal(region, "US");
    langpick_region("da-dk", region);
    assert_string_equal(region, "DK");
    langpick_region("es-419", region);
    assert_string_equal(region, "");
    langpick_region("en", region);
    assert_string_equal(region, "");
    langpick_region("en-US;q=2", region);
    assert_string_equal(region, "");
}

static void test_words(void **state)
{
    (void)state;
    char out[96];
    assert_string_equal(catalog_count("da", "plan.months", 1), "1 måneds abonnement");
    assert_string_equal(catalog_count("es", "plan.years", 2), "{n} años de servicio");
    assert_string_equal(catalog_count("en", "plan.years", 0), "{n} years of service");
    assert_null(catalog_text("da", "no.such.key"));
    assert_string_equal(catalog_text("fr", "pin.label"), "PIN");
    assert_int_equal(catalog_known("da"), 1);
    assert_int_equal(catalog_known("fr"), 0);
    assert_int_equal(catalog_known(NULL), 0);
    catalog_count_text("da", "redeem.locked.retry", 15, out, sizeof(out));
    assert_non_null(strstr(out, "15"));
    assert_null(strstr(out, "{n}"));
    /* the plan's length as the card and the redemption page say it */
    const struct {
        const char *lang;
        int months;
        const char *text;
    } plans[] = {{"da", 12, "1 års abonnement"},    {"da", 24, "2 års abonnement"},
                 {"es", 3, "3 meses de servicio"},  {"es", 1, "1 mes de servicio"},
                 {"en", 24, "2 years of service"},  {"en", 1, "1 month of service"},
                 {"en", 18, "18 months of service"}};
    for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
        catalog_plan(plans[i].lang, plans[i].months, out, sizeof(out));
        assert_string_equal(out, plans[i].text);
    }
    catalog_date("en", 2027, 11, 25, out, sizeof(out));
    assert_string_equal(out, "November 25, 2027");
    catalog_date("da", 2027, 11, 25, out, sizeof(out));
    assert_string_equal(out, "25. november 2027");
    catalog_date("es", 2027, 1, 5, out, sizeof(out));
    assert_string_equal(out, "5 de enero de 2027");
    catalog_date("da", 2027, 5, 1, out, 6);
    assert_string_equal(out, "1. ma");

    struct strbuf sb;
    strbuf_init(&sb, 0);
    const char *vars[] = {"n", "12", "url", "x{y}", NULL};
    assert_int_equal(catalog_fill("{n} of {url} {unknown} {n", vars, &sb), RU_OK);
    assert_string_equal(strbuf_str(&sb), "12 of x{y} {unknown} {n");
    strbuf_reset(&sb);
    const char *prefixes[] = {"plan.", "lang.", NULL};
    assert_int_equal(catalog_json("es", prefixes, &sb), RU_OK);
    json_t *back = json_loads(strbuf_str(&sb), 0, NULL);
    assert_non_null(back);
    assert_int_equal(json_object_size(back), 5);
    assert_string_equal(json_string_value(json_object_get(back, "lang.name")), "Español");
    json_decref(back);
    strbuf_release(&sb);
}

static void test_template(void **state)
{
    (void)state;
    char err[256];
    struct strbuf sb;
    strbuf_init(&sb, 0);
    const struct page_var vars[] = {
        {"lang", "da"}, {"n", "3"},        {"who", "<b>\"O'Hara\" & co</b>"}, {"json", "{\"a\":\"\\u003c\"}"},
        {"empty", ""},  {"cur_da", "true"}};
    assert_int_equal(pagetemplate_render("<html lang=\"{{v:lang}}\"><p>{{t:plan.months.other}}</p>"
                                         "<i title=\"{{v:who}}\">{{raw:json}}</i>"
                                         "{{#cur_da}}[da]{{/cur_da}}{{#cur_es}}[es]{{/cur_es}}"
                                         "{{^empty}}[none]{{/empty}}{{#empty}}[some]{{/empty}} {{ not a tag",
                                         "da", vars, 6, &sb, err, sizeof(err)),
                     RU_ERR_INVALID);
    strbuf_reset(&sb);
    assert_int_equal(pagetemplate_render("<html lang=\"{{v:lang}}\"><p>{{t:plan.months.other}}</p>"
                                         "<i title=\"{{v:who}}\">{{raw:json}}</i>"
                                         "{{#cur_da}}[da]{{/cur_da}}{{#cur_es}}[es]{{/cur_es}}"
                                         "{{^empty}}[none]{{/empty}}{{#empty}}[some]{{/empty}}.",
                                         "da", vars, 6, &sb, err, sizeof(err)),
                     RU_OK);
    assert_string_equal(strbuf_str(&sb), "<html lang=\"da\"><p>3 måneders abonnement</p>"
                                         "<i title=\"&lt;b&gt;&quot;O&#39;Hara&quot; &amp; co&lt;/b&gt;\">"
                                         "{\"a\":\"\\u003c\"}</i>[da][none].");
    const char *faults[][2] = {{"{{t:no.such}}", "no key"},
                               {"{{v:nobody}}", "no value"},
                               {"{{#n}}open", "not closed"},
                               {"{{x:n}}", "unknown tag"},
                               {"{{v:n", "not closed"}};
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        strbuf_reset(&sb);
        assert_int_equal(pagetemplate_render(faults[i][0], "en", vars, 6, &sb, err, sizeof(err)),
                         RU_ERR_INVALID);
        if (!strstr(err, faults[i][1]))
            fail_msg("'%s' said '%s'", faults[i][0], err);
    }
    strbuf_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_language_has_every_key),
        cmocka_unit_test(test_the_check_can_fail),
        cmocka_unit_test(test_langpick),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
