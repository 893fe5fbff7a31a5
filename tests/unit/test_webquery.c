/*
 * tests/unit/test_webquery.c - the web API's query strings.
 *
 * Covers: q with '+' and %XX (UTF-8 København), k, radius in mi/km/m, chain; lat and lon
 * instead of q; defaults; each refusal with its status and code: missing q, q and lat
 * together, lat/lon out of range or not numbers, numbers that are not plain decimal
 * ("0x1p3", "+5", "1e1", "inf", spaces, empty) in lat, lon, k, radius and limit, each
 * refusal naming its field, k out of range, a radius without a
 * unit, an unknown or repeated parameter, malformed escapes, a control character, a
 * value or a query string too long (413); places: prefix, limit, their refusals; the path
 * of a request target decoded once, and every target that is not a plain path refused.
 */
#include "tests/testlib.h"
#include "locator/webquery.h"

static void stores_ok(const char *qs, struct webquery_stores *out)
{
    struct webquery_error e;
    if (webquery_stores_parse(qs, strlen(qs), out, &e) != RU_OK)
        fail_msg("'%s' refused: %s", qs, e.message);
}

static void stores_refused(const char *qs, int status, const char *code, const char *words)
{
    struct webquery_stores out;
    struct webquery_error e;
    assert_int_equal(webquery_stores_parse(qs, strlen(qs), &out, &e), RU_ERR_INVALID);
    assert_int_equal(e.http_status, status);
    assert_string_equal(e.code, code);
    if (!strstr(e.message, words))
        fail_msg("'%s': '%s' lacks '%s'", qs, e.message, words);
}

static void places_refused(const char *qs, const char *words)
{
    struct webquery_places r;
    struct webquery_error e;
    if (webquery_places_parse(qs, strlen(qs), &r, &e) != RU_ERR_INVALID)
        fail_msg("'%s' was taken", qs);
    assert_int_equal(e.http_status, 400);
    assert_string_equal(e.code, "bad_parameter");
    if (!strstr(e.message, words))
        fail_msg("'%s': message '%s' lacks '%s'", qs, e.message, words);
}

static void test_stores(void **state)
{
    (void)state;
    struct webquery_stores r;
    stores_ok("q=Rock+Springs%2C+WY&k=5", &r);
    assert_string_equal(r.q, "Rock Springs, WY");
    assert_int_equal(r.k, 5);
    assert_true(r.radius_m == 0);
    assert_string_equal(r.chain, "");
    stores_ok("q=K%C3%B8benhavn", &r);
    assert_string_equal(r.q, "København");
    assert_int_equal(r.k, WEBQUERY_K_DEFAULT);
    stores_ok("q=82901&radius=25mi&chain=Walmart&k=50", &r);
    assert_true(r.radius_m > 40233 && r.radius_m < 40234);
    assert_string_equal(r.chain, "Walmart");
    stores_ok("lat=41.58&lon=-109.2&radius=40km", &r);
    assert_string_equal(r.q, "41.580000,-109.200000");
    assert_true(r.radius_m == 40000);
    stores_ok("q=x&&k=1&", &r);

    stores_refused("", 400, "missing_parameter", "give q");
    stores_refused("k=5", 400, "missing_parameter", "give q");
    stores_refused("q=", 400, "missing_parameter", "give q");
    stores_refused("q=a&lat=1&lon=2", 400, "bad_parameter", "not both");
    stores_refused("lat=91&lon=2", 400, "bad_parameter", "latitude");
    stores_refused("lat=1&lon=x", 400, "bad_parameter", "longitude");
    stores_refused("lat=nan&lon=1", 400, "bad_parameter", "latitude");
    /* numbers in plain decimal only (common/decimal.h), each refusal naming its field */
    static const char *const not_plain[] = {"0x1p3", "%2B5", "1e1", "inf", "-inf", "%205", "",
                                            ".5",    "5.",   "1_0", "5,0", "--5",  "0X10"};
    for (size_t i = 0; i < sizeof(not_plain) / sizeof(not_plain[0]); i++) {
        char qs[200];
        snprintf(qs, sizeof(qs), "lat=%s&lon=1", not_plain[i]);
        stores_refused(qs, 400, "bad_parameter", "lat must be");
        snprintf(qs, sizeof(qs), "lat=1&lon=%s", not_plain[i]);
        stores_refused(qs, 400, "bad_parameter", "lon must be");
        snprintf(qs, sizeof(qs), "q=a&k=%s", not_plain[i]);
        stores_refused(qs, 400, "bad_parameter", "k must be");
        snprintf(qs, sizeof(qs), "q=a&radius=%smi", not_plain[i]);
        stores_refused(qs, 400, "bad_parameter", "radius must be");
        snprintf(qs, sizeof(qs), "prefix=a&limit=%s", not_plain[i]);
        places_refused(qs, "limit must be");
    }
    stores_refused("lat=5%20&lon=1", 400, "bad_parameter", "lat must be");
    stores_refused("q=a&k=5%20", 400, "bad_parameter", "k must be");
    stores_refused("q=a&k=5.0", 400, "bad_parameter", "k must be");
    stores_refused("q=a&k=%2B5", 400, "bad_parameter", "k must be");
    stores_refused("q=a&radius=%2B25mi", 400, "bad_parameter", "radius must be");
    stores_refused("lat=1", 400, "missing_parameter", "together");
    stores_refused("lon=1", 400, "missing_parameter", "together");
    stores_refused("q=a&k=0", 400, "bad_parameter", "k must be");
    stores_refused("q=a&k=51", 400, "bad_parameter", "k must be");
    stores_refused("q=a&k=5x", 400, "bad_parameter", "k must be");
    stores_refused("q=a&radius=25", 400, "bad_parameter", "radius");
    stores_refused("q=a&sort=name", 400, "unknown_parameter", "'sort'");
    stores_refused("q=a&q=b", 400, "bad_parameter", "twice");
    stores_refused("q=%ZZ", 400, "bad_parameter", "malformed");
    stores_refused("q=abc%2", 400, "bad_parameter", "malformed");
    stores_refused("q=a%0Ab", 400, "bad_parameter", "malformed");
    stores_refused("q=a%00b", 400, "bad_parameter", "malformed");
    char big[WEBQUERY_TEXT_MAX + 10];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big, "q=", 2);
    stores_refused(big, 400, "bad_parameter", "too long");
    char huge[WEBQUERY_MAX + 10];
    memset(huge, 'a', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    stores_refused(huge, 413, "query_too_long", "longer than");
}

static void test_places(void **state)
{
    (void)state;
    struct webquery_places r;
    struct webquery_error e;
    assert_int_equal(webquery_places_parse("prefix=Kobe", 11, &r, &e), RU_OK);
    assert_string_equal(r.prefix, "Kobe");
    assert_int_equal(r.limit, 10);
    assert_int_equal(webquery_places_parse("prefix=rock+s&limit=20", 22, &r, &e), RU_OK);
    assert_string_equal(r.prefix, "rock s");
    assert_int_equal(r.limit, 20);
    assert_int_equal(webquery_places_parse("limit=5", 7, &r, &e), RU_ERR_INVALID);
    assert_string_equal(e.code, "missing_parameter");
    assert_int_equal(webquery_places_parse("prefix=a&limit=21", 17, &r, &e), RU_ERR_INVALID);
    assert_string_equal(e.code, "bad_parameter");
    assert_int_equal(webquery_places_parse("prefix=a&q=b", 12, &r, &e), RU_ERR_INVALID);
    assert_string_equal(e.code, "unknown_parameter");
}

static void test_target_path(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(webquery_path("/", out, sizeof(out)), RU_OK);
    assert_string_equal(out, "/");
    assert_int_equal(webquery_path("/vendor/leaflet.js?v=1", out, sizeof(out)), RU_OK);
    assert_string_equal(out, "/vendor/leaflet.js");
    assert_int_equal(webquery_path("/a%20b+c%2e%2E%2f", out, sizeof(out)), RU_OK);
    assert_string_equal(out, "/a b+c../");
    /* decoded once: "%252e" is the name "%2e" */
    assert_int_equal(webquery_path("/%252e%252e", out, sizeof(out)), RU_OK);
    assert_string_equal(out, "/%2e%2e");
    static const char *const bad[] = {"",      "../outside.txt", "-private/x", "*",      "http://h/x", "/%00",
                                      "/a%0a", "/a%7f",          "/a\\b",      "/a%5cb", "/%",         "/%2",
                                      "/%zz",  "/%2g",           "/a\x01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (webquery_path(bad[i], out, sizeof(out)) != RU_ERR_INVALID)
            fail_msg("'%s' was taken", bad[i]);
    /* the path and its NUL must fit */
    assert_int_equal(webquery_path("/123456789012345678901234567890", out, sizeof(out)), RU_OK);
    assert_int_equal(webquery_path("/1234567890123456789012345678901", out, sizeof(out)), RU_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_stores), cmocka_unit_test(test_places),
                                       cmocka_unit_test(test_target_path)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
