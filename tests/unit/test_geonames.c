/*
 * tests/unit/test_geonames.c - locator/geonames: the GeoNames line parsers.
 * Covers a real cities500 line (19 tab-separated columns) with every field checked, the
 * ASCII name falling back to the name, alternate names walked with gn_next_alternate
 * (empty entries skipped), and refusals naming their column: wrong column count, bad
 * geonameid, bad latitude/longitude, negative population, empty name, invalid UTF-8.
 * Then admin1CodesASCII lines, countryInfo lines with '#' comments and blank lines
 * (RU_ERR_NOT_FOUND), and postal-code lines (a real US line, a bad latitude).
 */
#include "tests/testlib.h"
#include "locator/geonames.h"
#include "common/banned.h"

#define NCOLS 19

/* The Tromsø row of cities500.txt, with a shorter list of alternate names. */
static const char *const tromso[NCOLS] = {
    "3133895",    "Troms\xC3\xB8",
    "Tromso",     ",Romsa,,TOS,\xD0\xA2\xD1\x80\xD0\xBE\xD0\xBC\xD1\x81\xD0\xB5,",
    "69.6489",    "18.95508",
    "P",          "PPLA",
    "NO",         "",
    "54",         "5401",
    "",           "",
    "64448",      "",
    "-9999",      "Europe/Oslo",
    "2022-08-21",
};

/* Join COLS[0..n) with tabs into BUF, with column REPLACE (if >= 0) set to WITH. */
static char *make_line(char *buf, size_t len, const char *const *cols, int n, int replace, const char *with)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        int k = snprintf(buf + used, len - used, "%s%s", i ? "\t" : "", i == replace ? with : cols[i]);
        assert_true(k >= 0 && (size_t)k < len - used);
        used += (size_t)k;
    }
    return buf;
}

/* A place line with column COL replaced must fail, with a message naming WORD. */
static void place_fails(int col, const char *value, const char *word)
{
    char line[1024], why[GEONAMES_WHY_MAX] = "";
    struct gn_place p;
    memset(&p, 0, sizeof(p));
    p.id = 777;
    make_line(line, sizeof(line), tromso, NCOLS, col, value);
    enum ru_status st = gn_parse_place(line, &p, why);
    if (st != RU_ERR_INVALID || !strstr(why, word))
        print_error("column %d = '%s': status %d, why '%s' (want '%s')\n", col, value, st, why, word);
    assert_int_equal(st, RU_ERR_INVALID);
    assert_non_null(strstr(why, word));
    assert_true(strlen(why) < GEONAMES_WHY_MAX);
    /* *out untouched on failure. */
    assert_int_equal(p.id, 777);
    assert_null(p.name);
}

static void test_place_real_line(void **state)
{
    (void)state;
    char line[1024], why[GEONAMES_WHY_MAX] = "";
    struct gn_place p;
    make_line(line, sizeof(line), tromso, NCOLS, -1, NULL);
    assert_int_equal(gn_parse_place(line, &p, why), RU_OK);
    assert_int_equal(p.id, 3133895);
    assert_string_equal(p.name, "Troms\xC3\xB8");
    assert_string_equal(p.ascii, "Tromso");
    assert_float_equal(p.lat, 69.6489, 1e-12);
    assert_float_equal(p.lon, 18.95508, 1e-12);
    assert_int_equal(p.feature_class, 'P');
    assert_string_equal(p.feature_code, "PPLA");
    assert_string_equal(p.country, "NO");
    assert_string_equal(p.admin1, "54");
    assert_int_equal(p.population, 64448);
    assert_string_equal(p.alternates, tromso[3]);
    /* Strings point into the line, which was split in place. */
    assert_true(p.name > line && p.name < line + sizeof(line));
}

static void test_place_verbatim_line(void **state)
{
    (void)state;
    /* Typed out as it stands in the dump, to check the split without make_line(). */
    char line[] = "5836898\tRock Springs\tRock Springs\tRKS,Rok Springs\t41.58746\t-109.2029\tP\tPPL\t"
                  "US\t\tWY\t037\t\t\t23962\t1947\t1954\tAmerica/Denver\t2017-03-09";
    char why[GEONAMES_WHY_MAX] = "";
    struct gn_place p;
    assert_int_equal(gn_parse_place(line, &p, why), RU_OK);
    assert_int_equal(p.id, 5836898);
    assert_string_equal(p.name, "Rock Springs");
    assert_string_equal(p.alternates, "RKS,Rok Springs");
    assert_float_equal(p.lat, 41.58746, 1e-12);
    assert_float_equal(p.lon, -109.2029, 1e-12);
    assert_string_equal(p.country, "US");
    assert_string_equal(p.admin1, "WY");
    assert_int_equal(p.population, 23962);
}

static void test_place_ascii_fallback(void **state)
{
    (void)state;
    char line[1024], why[GEONAMES_WHY_MAX] = "";
    struct gn_place p;
    make_line(line, sizeof(line), tromso, NCOLS, 2, "");
    assert_int_equal(gn_parse_place(line, &p, why), RU_OK);
    assert_string_equal(p.ascii, "Troms\xC3\xB8");
    assert_string_equal(p.name, "Troms\xC3\xB8");
}

static void test_place_optional_columns(void **state)
{
    (void)state;
    char line[1024], why[GEONAMES_WHY_MAX] = "";
    struct gn_place p;
    /* An empty population is 0; an empty feature class is 0. */
    make_line(line, sizeof(line), tromso, NCOLS, 14, "");
    assert_int_equal(gn_parse_place(line, &p, why), RU_OK);
    assert_int_equal(p.population, 0);
    make_line(line, sizeof(line), tromso, NCOLS, 6, "");
    assert_int_equal(gn_parse_place(line, &p, why), RU_OK);
    assert_int_equal(p.feature_class, 0);
    /* No alternates at all. */
    make_line(line, sizeof(line), tromso, NCOLS, 3, "");
    assert_int_equal(gn_parse_place(line, &p, why), RU_OK);
    assert_string_equal(p.alternates, "");
}

static void test_alternates(void **state)
{
    (void)state;
    char line[1024], why[GEONAMES_WHY_MAX] = "";
    struct gn_place p;
    make_line(line, sizeof(line), tromso, NCOLS, -1, NULL);
    assert_int_equal(gn_parse_place(line, &p, why), RU_OK);
    static const char *const want[] = {"Romsa", "TOS", "\xD0\xA2\xD1\x80\xD0\xBE\xD0\xBC\xD1\x81\xD0\xB5"};
    char *cur = p.alternates, *a;
    size_t n = 0;
    while ((a = gn_next_alternate(&cur)) != NULL) {
        assert_true(n < 3);
        assert_string_equal(a, want[n]);
        n++;
    }
    assert_int_equal(n, 3);
    /* Exhausted stays exhausted. */
    assert_null(gn_next_alternate(&cur));

    char empty[] = "", commas[] = ",,,", one[] = "Solo", tail[] = "a,,b,";
    cur = empty;
    assert_null(gn_next_alternate(&cur));
    cur = commas;
    assert_null(gn_next_alternate(&cur));
    cur = one;
    a = gn_next_alternate(&cur);
    assert_non_null(a);
    assert_string_equal(a, "Solo");
    assert_null(gn_next_alternate(&cur));
    cur = tail;
    assert_string_equal(gn_next_alternate(&cur), "a");
    assert_string_equal(gn_next_alternate(&cur), "b");
    assert_null(gn_next_alternate(&cur));
    cur = NULL;
    assert_null(gn_next_alternate(&cur));
}

static void test_place_column_count(void **state)
{
    (void)state;
    char line[1024], why[GEONAMES_WHY_MAX] = "";
    struct gn_place p;
    make_line(line, sizeof(line), tromso, NCOLS - 1, -1, NULL);
    assert_int_equal(gn_parse_place(line, &p, why), RU_ERR_INVALID);
    assert_non_null(strstr(why, "columns"));
    assert_non_null(strstr(why, "18"));

    char one[] = "just one column", why2[GEONAMES_WHY_MAX] = "";
    assert_int_equal(gn_parse_place(one, &p, why2), RU_ERR_INVALID);
    assert_non_null(strstr(why2, "columns"));

    /* Far too many columns. */
    char many[256] = "";
    size_t used = 0;
    for (int i = 0; i < 40; i++)
        used += (size_t)snprintf(many + used, sizeof(many) - used, "%s1", i ? "\t" : "");
    char why3[GEONAMES_WHY_MAX] = "";
    assert_int_equal(gn_parse_place(many, &p, why3), RU_ERR_INVALID);
    assert_non_null(strstr(why3, "columns"));
}

static void test_place_bad_values(void **state)
{
    (void)state;
    place_fails(0, "abc", "geonameid");
    place_fails(0, "", "geonameid");
    place_fails(0, "0", "geonameid");
    place_fails(0, "-5", "geonameid");
    place_fails(0, "12x", "geonameid");
    place_fails(0, "99999999999999999999999", "geonameid");
    place_fails(1, "", "name");
    place_fails(1, "Troms\xF8", "name"); /* Latin-1, not UTF-8 */
    place_fails(2, "Tromso\xC3", "asciiname");
    place_fails(3, "Romsa,\xFF", "alternatenames");
    place_fails(4, "91", "latitude");
    place_fails(4, "-90.5", "latitude");
    place_fails(4, "abc", "latitude");
    place_fails(4, "", "latitude");
    place_fails(4, "nan", "latitude");
    place_fails(4, "69.6x", "latitude");
    place_fails(5, "180.5", "longitude");
    place_fails(5, "-181", "longitude");
    place_fails(5, "east", "longitude");
    place_fails(5, "inf", "longitude");
    place_fails(14, "-5", "population");
    place_fails(14, "many", "population");
    place_fails(14, "12.5", "population");
}

static void test_admin1(void **state)
{
    (void)state;
    char line[] = "US.WY\tWyoming\tWyoming\t5843591", why[GEONAMES_WHY_MAX] = "";
    struct gn_admin1 a;
    assert_int_equal(gn_parse_admin1(line, &a, why), RU_OK);
    assert_string_equal(a.country, "US");
    assert_string_equal(a.code, "WY");
    assert_string_equal(a.name, "Wyoming");
    assert_string_equal(a.ascii, "Wyoming");

    /* Non-ASCII name, empty ASCII name (falls back), empty geonameid as in real files. */
    char line2[] = "CH.ZH\tZ\xC3\xBCrich\t\t", why2[GEONAMES_WHY_MAX] = "";
    assert_int_equal(gn_parse_admin1(line2, &a, why2), RU_OK);
    assert_string_equal(a.country, "CH");
    assert_string_equal(a.code, "ZH");
    assert_string_equal(a.name, "Z\xC3\xBCrich");
    assert_string_equal(a.ascii, "Z\xC3\xBCrich");

    static const char *const bad[][2] = {
        {"USWY\tWyoming\tWyoming\t1", "code"},      {".WY\tWyoming\tWyoming\t1", "code"},
        {"US.\tWyoming\tWyoming\t1", "code"},       {"US.WY\t\tWyoming\t1", "name"},
        {"US.WY\tWyo\xFFming\tWyoming\t1", "name"}, {"US.WY", "columns"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[128], w[GEONAMES_WHY_MAX] = "";
        snprintf(buf, sizeof(buf), "%s", bad[i][0]);
        assert_int_equal(gn_parse_admin1(buf, &a, w), RU_ERR_INVALID);
        assert_non_null(strstr(w, bad[i][1]));
    }
}

static void test_country(void **state)
{
    (void)state;
    char line[] = "DK\tDNK\t208\t\tDenmark\tCopenhagen\t43094\t5797446\tEU\t.dk\tDKK\tKrone\t45\t"
                  "####\t^(\\d{4})$\tda-DK,en,fo,de-DK\t2623032\tDE\t";
    char why[GEONAMES_WHY_MAX] = "";
    struct gn_country c;
    assert_int_equal(gn_parse_country(line, &c, why), RU_OK);
    assert_string_equal(c.iso, "DK");
    assert_string_equal(c.iso3, "DNK");
    assert_string_equal(c.name, "Denmark");

    char comment[] = "#ISO\tISO3\tISO-Numeric\tfips\tCountry", blank[] = "";
    memset(&c, 0, sizeof(c));
    assert_int_equal(gn_parse_country(comment, &c, why), RU_ERR_NOT_FOUND);
    assert_int_equal(gn_parse_country(blank, &c, why), RU_ERR_NOT_FOUND);
    assert_null(c.iso);

    char bad_iso[] = "DNK\tDNK\t208\t\tDenmark", w1[GEONAMES_WHY_MAX] = "";
    assert_int_equal(gn_parse_country(bad_iso, &c, w1), RU_ERR_INVALID);
    assert_non_null(strstr(w1, "ISO"));
    char no_name[] = "DK\tDNK\t208\t\t", w2[GEONAMES_WHY_MAX] = "";
    assert_int_equal(gn_parse_country(no_name, &c, w2), RU_ERR_INVALID);
    assert_non_null(strstr(w2, "country name"));
    char short_line[] = "DK\tDNK", w3[GEONAMES_WHY_MAX] = "";
    assert_int_equal(gn_parse_country(short_line, &c, w3), RU_ERR_INVALID);
    assert_non_null(strstr(w3, "columns"));
}

static void test_postal(void **state)
{
    (void)state;
    char line[] = "US\t82901\tRock Springs\tWyoming\tWY\tSweetwater\t037\t\t\t41.606\t-109.23\t4";
    char why[GEONAMES_WHY_MAX] = "";
    struct gn_postal p;
    assert_int_equal(gn_parse_postal(line, &p, why), RU_OK);
    assert_string_equal(p.country, "US");
    assert_string_equal(p.code, "82901");
    assert_string_equal(p.place, "Rock Springs");
    assert_string_equal(p.admin1_name, "Wyoming");
    assert_string_equal(p.admin1, "WY");
    assert_float_equal(p.lat, 41.606, 1e-12);
    assert_float_equal(p.lon, -109.23, 1e-12);

    /* As in the shipped US.txt: no county, empty accuracy. */
    char line2[] = "US\t82901\tRock Springs\tWyoming\tWY\t\t\t\t\t41.606\t-109.23\t";
    assert_int_equal(gn_parse_postal(line2, &p, why), RU_OK);
    assert_string_equal(p.code, "82901");

    static const char *const bad[][2] = {
        {"US\t82901\tRock Springs\tWyoming\tWY\t\t\t\t\tnorth\t-109.23\t", "latitude"},
        {"US\t82901\tRock Springs\tWyoming\tWY\t\t\t\t\t95\t-109.23\t", "latitude"},
        {"US\t82901\tRock Springs\tWyoming\tWY\t\t\t\t\t\t-109.23\t", "latitude"},
        {"US\t82901\tRock Springs\tWyoming\tWY\t\t\t\t\t41.606\t-200\t", "longitude"},
        {"USA\t82901\tRock Springs\tWyoming\tWY\t\t\t\t\t41.606\t-109.23\t", "country code"},
        {"US\t\tRock Springs\tWyoming\tWY\t\t\t\t\t41.606\t-109.23\t", "postal code"},
        {"US\t123456789012345678901\tX\tW\tWY\t\t\t\t\t41.606\t-109.23\t", "postal code"},
        {"US\t82901\tRock \xFFSprings\tWyoming\tWY\t\t\t\t\t41.606\t-109.23\t", "place name"},
        {"US\t82901\tRock Springs\t41.606\t-109.23", "columns"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[160], w[GEONAMES_WHY_MAX] = "";
        struct gn_postal q;
        memset(&q, 0, sizeof(q));
        snprintf(buf, sizeof(buf), "%s", bad[i][0]);
        assert_int_equal(gn_parse_postal(buf, &q, w), RU_ERR_INVALID);
        if (!strstr(w, bad[i][1]))
            print_error("line %zu: why '%s' lacks '%s'\n", i, w, bad[i][1]);
        assert_non_null(strstr(w, bad[i][1]));
        assert_null(q.code);
    }
}

static void test_why_is_bounded(void **state)
{
    (void)state;
    /* A huge bad value is quoted only in part: the message fits and stays short. */
    char value[600], line[2048], why[GEONAMES_WHY_MAX];
    memset(value, '9', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    memset(why, 'x', sizeof(why));
    struct gn_place p;
    make_line(line, sizeof(line), tromso, NCOLS, 4, value);
    assert_int_equal(gn_parse_place(line, &p, why), RU_ERR_INVALID);
    assert_non_null(memchr(why, '\0', sizeof(why)));
    assert_non_null(strstr(why, "latitude"));
    assert_true(strlen(why) < 120);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_real_line),
        cmocka_unit_test(test_place_verbatim_line),
        cmocka_unit_test(test_place_ascii_fallback),
        cmocka_unit_test(test_place_optional_columns),
        cmocka_unit_test(test_alternates),
        cmocka_unit_test(test_place_column_count),
        cmocka_unit_test(test_place_bad_values),
        cmocka_unit_test(test_admin1),
        cmocka_unit_test(test_country),
        cmocka_unit_test(test_postal),
        cmocka_unit_test(test_why_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
