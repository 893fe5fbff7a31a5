/*
 * tests/unit/test_output.c - locator/output: a hand-built locate_result rendered three ways.
 * Covers output_units_for (miles for the US, kilometres elsewhere, an explicit choice wins);
 * output_json (parsed with jansson: query, origin with its kind, alternatives, every store
 * field, distance_km = distance_m / 1000, extras, control characters escaped);
 * output_geojson (a FeatureCollection of the origin and each store, coordinates [lon, lat]);
 * output_table (store names' visible text, no ESC or other control byte from any field,
 * a long name cut with "…", distances in the chosen unit, extras, "Also:" for alternatives,
 * columns aligned in display width as measured by output_width); output_width itself.
 */
#include <jansson.h>
#include "tests/testlib.h"
#include "locator/output.h"
#include "common/banned.h"

#define ESC_NAME  "Walmart \x1b[31mSupercenter"
#define LONG_NAME "Walmart Neighborhood Market of Greater Sweetwater County and the High Desert Communities"
#define ELLIPSIS  "\xE2\x80\xA6"
#define MILE_M    1609.344

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static void set_place(struct gz_place *p, long long id, const char *name, const char *region,
                      const char *country, double lat, double lon)
{
    memset(p, 0, sizeof(*p));
    p->id = id;
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->region, sizeof(p->region), "%s", region);
    snprintf(p->country, sizeof(p->country), "%s", country);
    p->lat = lat;
    p->lon = lon;
}

static void set_store(struct locate_store *s, const char *id, const char *name, const char *address,
                      const char *city, const char *extras, double lat, double lon, double distance_m,
                      double bearing_deg)
{
    s->id = xstrdup(id);
    s->chain = xstrdup("Walmart");
    s->name = xstrdup(name);
    s->address = xstrdup(address);
    s->city = xstrdup(city);
    s->region = xstrdup("WY");
    s->postal = xstrdup("82901");
    s->country = xstrdup("US");
    s->extras_json = extras ? xstrdup(extras) : NULL;
    s->lat = lat;
    s->lon = lon;
    s->distance_m = distance_m;
    s->bearing_deg = bearing_deg;
}

/* Origin Rock Springs, WY; one alternative; store 1 with a control character in its name
 * and extras, store 2 with a name too long for its column. 10 and 15 miles away. */
static void make_result(struct locate_result *r)
{
    locate_result_init(r);
    r->kind = QUERY_PLACE;
    set_place(&r->origin, 5836898, "Rock Springs", "WY", "US", 41.58746, -109.2029);
    snprintf(r->origin.region_name, sizeof(r->origin.region_name), "Wyoming");
    snprintf(r->origin.country_name, sizeof(r->origin.country_name), "United States");
    set_place(&r->alternatives[0], 5488152, "Rock Springs", "NM", "US", 35.60946, -108.82925);
    r->alternatives[0].population = 567;
    r->nalternatives = 1;
    r->stores = calloc(2, sizeof(*r->stores));
    assert_non_null(r->stores);
    r->nstores = 2;
    set_store(&r->stores[0], "WM1", ESC_NAME, "201 Gateway Blvd", "Rock Springs", "{\"phone\":\"555\"}",
              41.6891, -109.3721, 10 * MILE_M, 315.0);
    set_store(&r->stores[1], "WM2", LONG_NAME, "1 Main St", "Green River", NULL, 41.5285, -109.4662,
              15 * MILE_M, 250.0);
}

static char *render_table(const struct locate_result *r, enum output_units u)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    assert_int_equal(output_table(&sb, "Rock Springs", r, u), RU_OK);
    assert_non_null(sb.buf);
    return sb.buf; /* the caller frees */
}

/* Display width of the first N bytes of S. */
static size_t width_of(const char *s, size_t n)
{
    char buf[1024];
    assert_true(n < sizeof(buf));
    memcpy(buf, s, n);
    buf[n] = '\0';
    return output_width(buf);
}

/* The line of TEXT that contains NEEDLE, copied into BUF (without its newline). */
static const char *line_with(const char *text, const char *needle, char *buf, size_t len)
{
    const char *hit = strstr(text, needle);
    if (!hit)
        return NULL;
    const char *start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(hit, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    assert_true(n < len);
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}

static void test_units_for(void **state)
{
    (void)state;
    struct locate_result r;
    make_result(&r);
    assert_int_equal(output_units_for(&r, UNITS_AUTO), UNITS_MI);
    assert_int_equal(output_units_for(&r, UNITS_KM), UNITS_KM);
    assert_int_equal(output_units_for(&r, UNITS_MI), UNITS_MI);
    snprintf(r.origin.country, sizeof(r.origin.country), "DK");
    assert_int_equal(output_units_for(&r, UNITS_AUTO), UNITS_KM);
    assert_int_equal(output_units_for(&r, UNITS_MI), UNITS_MI);
    assert_int_equal(output_units_for(&r, UNITS_KM), UNITS_KM);
    locate_result_release(&r);
    /* Release leaves an empty result that can be released again. */
    assert_int_equal(r.nstores, 0);
    assert_null(r.stores);
    locate_result_release(&r);
}

static void test_json(void **state)
{
    (void)state;
    struct locate_result r;
    struct strbuf sb;
    make_result(&r);
    strbuf_init(&sb, 0);
    assert_int_equal(output_json(&sb, "Rock Springs", &r), RU_OK);
    /* JSON text never carries a raw control character. */
    assert_null(memchr(sb.buf, 0x1b, sb.len));

    json_error_t err;
    json_t *root = json_loads(sb.buf, 0, &err);
    if (!root)
        print_error("json: %s at line %d\n%s\n", err.text, err.line, sb.buf);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "query")), "Rock Springs");

    json_t *o = json_object_get(root, "origin");
    assert_true(json_is_object(o));
    assert_string_equal(json_string_value(json_object_get(o, "name")), "Rock Springs");
    assert_string_equal(json_string_value(json_object_get(o, "region")), "WY");
    assert_string_equal(json_string_value(json_object_get(o, "country")), "US");
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "place");
    assert_true(json_is_number(json_object_get(o, "lat")));
    assert_float_equal(json_number_value(json_object_get(o, "lat")), r.origin.lat, 1e-9);
    assert_float_equal(json_number_value(json_object_get(o, "lon")), r.origin.lon, 1e-9);

    json_t *alts = json_object_get(root, "alternatives");
    assert_true(json_is_array(alts));
    assert_int_equal(json_array_size(alts), 1);
    json_t *a0 = json_array_get(alts, 0);
    assert_string_equal(json_string_value(json_object_get(a0, "name")), "Rock Springs");
    assert_string_equal(json_string_value(json_object_get(a0, "region")), "NM");

    json_t *stores = json_object_get(root, "stores");
    assert_true(json_is_array(stores));
    assert_int_equal(json_array_size(stores), r.nstores);
    for (size_t i = 0; i < r.nstores; i++) {
        const struct locate_store *s = &r.stores[i];
        json_t *j = json_array_get(stores, i);
        assert_true(json_is_object(j));
        assert_string_equal(json_string_value(json_object_get(j, "id")), s->id);
        assert_string_equal(json_string_value(json_object_get(j, "chain")), s->chain);
        assert_string_equal(json_string_value(json_object_get(j, "name")), s->name);
        assert_string_equal(json_string_value(json_object_get(j, "address")), s->address);
        assert_string_equal(json_string_value(json_object_get(j, "city")), s->city);
        assert_string_equal(json_string_value(json_object_get(j, "region")), s->region);
        assert_string_equal(json_string_value(json_object_get(j, "postal")), s->postal);
        assert_string_equal(json_string_value(json_object_get(j, "country")), s->country);
        assert_float_equal(json_number_value(json_object_get(j, "lat")), s->lat, 1e-9);
        assert_float_equal(json_number_value(json_object_get(j, "lon")), s->lon, 1e-9);
        json_t *d = json_object_get(j, "distance_km");
        assert_true(json_is_number(d));
        assert_float_equal(json_number_value(d), s->distance_m / 1000.0, 1e-9);
    }
    json_t *ex = json_object_get(json_array_get(stores, 0), "extras");
    assert_true(json_is_object(ex));
    assert_string_equal(json_string_value(json_object_get(ex, "phone")), "555");
    /* The long name is whole in JSON: only the table cuts. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(stores, 1), "name")), LONG_NAME);

    json_decref(root);
    strbuf_release(&sb);
    locate_result_release(&r);
}

static void test_geojson(void **state)
{
    (void)state;
    struct locate_result r;
    struct strbuf sb;
    make_result(&r);
    strbuf_init(&sb, 0);
    assert_int_equal(output_geojson(&sb, "Rock Springs", &r), RU_OK);
    json_t *root = json_loads(sb.buf, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "type")), "FeatureCollection");
    json_t *features = json_object_get(root, "features");
    assert_true(json_is_array(features));
    assert_int_equal(json_array_size(features), 1 + r.nstores);
    for (size_t i = 0; i < json_array_size(features); i++) {
        json_t *f = json_array_get(features, i);
        assert_string_equal(json_string_value(json_object_get(f, "type")), "Feature");
        json_t *g = json_object_get(f, "geometry");
        assert_string_equal(json_string_value(json_object_get(g, "type")), "Point");
        json_t *c = json_object_get(g, "coordinates");
        assert_true(json_is_array(c));
        assert_int_equal(json_array_size(c), 2);
        /* GeoJSON order: longitude first. */
        double lat = i == 0 ? r.origin.lat : r.stores[i - 1].lat;
        double lon = i == 0 ? r.origin.lon : r.stores[i - 1].lon;
        assert_float_equal(json_number_value(json_array_get(c, 0)), lon, 1e-9);
        assert_float_equal(json_number_value(json_array_get(c, 1)), lat, 1e-9);
        json_t *p = json_object_get(f, "properties");
        assert_true(json_is_object(p));
        if (i > 0) {
            assert_string_equal(json_string_value(json_object_get(p, "id")), r.stores[i - 1].id);
            assert_float_equal(json_number_value(json_object_get(p, "distance_km")),
                               r.stores[i - 1].distance_m / 1000.0, 1e-9);
        }
    }
    json_decref(root);
    strbuf_release(&sb);
    locate_result_release(&r);
}

static void test_table(void **state)
{
    (void)state;
    struct locate_result r;
    make_result(&r);
    char *t = render_table(&r, UNITS_MI);

    /* Visible text of the names, with the escape byte itself gone. */
    assert_non_null(strstr(t, "Walmart "));
    assert_non_null(strstr(t, "[31mSupercenter"));
    assert_null(strchr(t, 0x1b));
    assert_non_null(strstr(t, "Rock Springs, WY"));
    assert_non_null(strstr(t, "201 Gateway Blvd"));
    assert_non_null(strstr(t, "phone: 555"));

    /* The long name is cut: a prefix of it, then "…", never the whole name. */
    assert_null(strstr(t, LONG_NAME));
    const char *cut = strstr(t, "Walmart Neighborhood");
    assert_non_null(cut);
    const char *ell = strstr(cut, ELLIPSIS);
    assert_non_null(ell);
    size_t kept = (size_t)(ell - cut);
    assert_true(kept >= 20 && kept < strlen(LONG_NAME));
    assert_memory_equal(cut, LONG_NAME, kept);

    /* Distances in miles: 10.0 and 15.0. */
    char want[32];
    snprintf(want, sizeof(want), "%.1f mi", r.stores[0].distance_m / MILE_M);
    assert_non_null(strstr(t, want));
    snprintf(want, sizeof(want), "%.1f mi", r.stores[1].distance_m / MILE_M);
    assert_non_null(strstr(t, want));
    assert_null(strstr(t, " km"));

    assert_non_null(strstr(t, "Also:"));
    assert_non_null(strstr(t, "Rock Springs, NM"));
    free(t);

    /* Kilometres when asked: 16.1 and 24.1. */
    t = render_table(&r, UNITS_KM);
    snprintf(want, sizeof(want), "%.1f km", r.stores[0].distance_m / 1000.0);
    assert_non_null(strstr(t, want));
    assert_non_null(strstr(t, "16.1 km"));
    assert_non_null(strstr(t, "24.1 km"));
    assert_null(strstr(t, " mi "));
    free(t);

    /* No alternatives, no "Also:". */
    r.nalternatives = 0;
    t = render_table(&r, UNITS_MI);
    assert_null(strstr(t, "Also:"));
    free(t);
    locate_result_release(&r);
}

/* Where the distance column ends (in display columns) on the header and each store row:
 * 0 when they all agree, else the first row that does not (after printing the table). */
static size_t misaligned_row(const char *t, const struct locate_result *r)
{
    char line[1024];
    if (!line_with(t, "Distance", line, sizeof(line)))
        return (size_t)-1;
    size_t col = width_of(line, (size_t)(strstr(line, "Distance") - line) + strlen("Distance"));
    for (size_t i = 0; i < r->nstores; i++) {
        char rank[32];
        snprintf(rank, sizeof(rank), "%3zu  ", i + 1);
        const char *row = NULL;
        /* The row is the line that starts with its rank. */
        for (const char *p = t; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
            if (strncmp(p, rank, strlen(rank)) == 0) {
                row = line_with(p, rank, line, sizeof(line));
                break;
            }
        const char *mi = row ? strstr(row, " mi") : NULL;
        if (!mi)
            return i + 1;
        size_t end = width_of(row, (size_t)(mi - row) + 3);
        if (end != col) {
            print_error("row %zu ends its distance at column %zu, the header at %zu:\n%s\n", i + 1, end, col,
                        t);
            return i + 1;
        }
    }
    return 0;
}

static void test_table_aligned(void **state)
{
    (void)state;
    struct locate_result r;
    make_result(&r);
    char *t = render_table(&r, UNITS_MI);
    size_t bad = misaligned_row(t, &r);
    free(t);
    locate_result_release(&r);
    assert_int_equal(bad, 0);
}

/* A control character counts as the one column it is printed as: the widest name having
 * one must not push its row out of line. */
static void test_table_aligned_with_controls(void **state)
{
    (void)state;
    struct locate_result r;
    make_result(&r);
    free(r.stores[1].name);
    r.stores[1].name = xstrdup("Short");
    free(r.stores[0].name);
    r.stores[0].name = xstrdup("Store\x1b\x1b\x1b"
                               "ABCDEFGHIJ");
    char *t = render_table(&r, UNITS_MI);
    int has_esc = strchr(t, 0x1b) != NULL;
    size_t bad = misaligned_row(t, &r);
    free(t);
    locate_result_release(&r);
    assert_false(has_esc);
    assert_int_equal(bad, 0);
}

static void test_table_no_control_bytes(void **state)
{
    (void)state;
    struct locate_result r;
    make_result(&r);
    snprintf(r.origin.name, sizeof(r.origin.name), "Rock\x1b]0;pwned\x07Springs");
    snprintf(r.alternatives[0].name, sizeof(r.alternatives[0].name), "Alt\rName\x1b[2J");
    free(r.stores[0].address);
    r.stores[0].address = xstrdup("201\tGateway\x1b[1A Blvd\xC2\x9B"
                                  "2J");
    free(r.stores[1].city);
    r.stores[1].city = xstrdup("Green\x08River");
    free(r.stores[1].extras_json);
    r.stores[1].extras_json = xstrdup("{\"hours\":\"9-5\\u001b[2J\",\"note\":\"a\\nb\"}");
    char *t = render_table(&r, UNITS_MI);
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        assert_true(*p >= 0x20 || *p == '\n');
        assert_true(*p != 0x7f);
        /* No C1 control (U+0080..U+009F, encoded C2 80..C2 9F) either. */
        if (p[0] == 0xC2)
            assert_false(p[1] >= 0x80 && p[1] <= 0x9F);
    }
    assert_non_null(strstr(t, "hours: 9-5"));
    assert_non_null(strstr(t, "Gateway"));
    free(t);
    locate_result_release(&r);
}

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(output_width(""), 0);
    assert_int_equal(output_width("Rock Springs"), 12);
    assert_int_equal(output_width("K\xC3\xB8"
                                  "benhavn"),
                     9);                                           /* ø is one column */
    assert_int_equal(output_width("\xE6\x9D\xB1\xE4\xBA\xAC"), 4); /* 東京: two wide */
    assert_int_equal(output_width("Zu\xCC\x88rich"), 6);           /* combining mark: 0 */
    assert_int_equal(output_width(ELLIPSIS), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_for),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_geojson),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_aligned),
        cmocka_unit_test(test_table_aligned_with_controls),
        cmocka_unit_test(test_table_no_control_bytes),
        cmocka_unit_test(test_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
