/*
 * tests/unit/test_geo.c - locator/geo: great-circle distances against known values
 * (a degree on the equator, pole to pole, across the antimeridian, Nashville to LAX),
 * symmetry and zero distance; initial bearings and the eight-point compass with its
 * boundaries; geo_point_parse (good input, bad syntax, out of range, and numbers that are not plain decimal:
 * "+5", "1e3", hex, NaN and infinity);
 * geo_distance_parse (units, spaces, refusals); chord length conversions and unit vectors.
 */
#include <math.h>
#include "tests/testlib.h"
#include "locator/geo.h"
#include "common/banned.h"

/* The mean radius, written out here rather than taken from the header, so a wrong
 * constant in geo.h shows up as a wrong distance. */
#define R_KM 6371.0088
#define PI   3.14159265358979323846

static struct geo_point pt(double lat, double lon)
{
    struct geo_point p = {lat, lon};
    return p;
}

static void test_radius_constant(void **state)
{
    (void)state;
    assert_float_equal(GEO_EARTH_RADIUS_M, R_KM * 1000.0, 1e-6);
    assert_float_equal(GEO_M_PER_MILE, 1609.344, 1e-9);
}

static void test_degree_on_equator(void **state)
{
    (void)state;
    double want_m = 2.0 * PI * R_KM * 1000.0 / 360.0; /* about 111.195 km */
    assert_float_equal(geo_distance_m(pt(0, 0), pt(0, 1)), want_m, 1e-3);
    assert_float_equal(geo_distance_m(pt(0, 10), pt(0, 11)), want_m, 1e-3);
    /* A degree of latitude is the same length on a sphere, anywhere. */
    assert_float_equal(geo_distance_m(pt(45, 7), pt(46, 7)), want_m, 1e-3);
}

static void test_pole_to_pole(void **state)
{
    (void)state;
    double want_m = PI * R_KM * 1000.0;
    assert_float_equal(geo_distance_m(pt(90, 0), pt(-90, 0)), want_m, 1e-3);
    /* The longitude of a pole does not matter. */
    assert_float_equal(geo_distance_m(pt(90, 123), pt(-90, -45)), want_m, 1e-3);
    /* Antipodes on the equator: half the circumference too. */
    assert_float_equal(geo_distance_m(pt(0, 0), pt(0, 180)), want_m, 1e-3);
}

static void test_across_antimeridian(void **state)
{
    (void)state;
    double want_m = 2.0 * PI * R_KM * 1000.0 / 360.0;
    assert_float_equal(geo_distance_m(pt(0, 179.5), pt(0, -179.5)), want_m, 1e-3);
    assert_float_equal(geo_distance_m(pt(0, -179.5), pt(0, 179.5)), want_m, 1e-3);
    /* 180 and -180 are the same meridian. */
    assert_true(geo_distance_m(pt(10, 180), pt(10, -180)) < 1e-6);
}

static void test_nashville_lax(void **state)
{
    (void)state;
    /* Rosetta Code "Haversine formula": 2887.2599506071106 km with R = 6372.8 km. */
    double want_m = 2887.2599506071106 * 1000.0 * R_KM / 6372.8;
    double got = geo_distance_m(pt(36.12, -86.67), pt(33.94, -118.40));
    assert_float_equal(got, want_m, 1.0);
}

static void test_symmetry_and_zero(void **state)
{
    (void)state;
    uint64_t seed = 42;
    for (int i = 0; i < 1000; i++) {
        struct geo_point a = pt(test_uniform(&seed) * 180 - 90, test_uniform(&seed) * 360 - 180);
        struct geo_point b = pt(test_uniform(&seed) * 180 - 90, test_uniform(&seed) * 360 - 180);
        double ab = geo_distance_m(a, b), ba = geo_distance_m(b, a);
        assert_float_equal(ab, ba, 1e-6);
        assert_true(ab >= 0 && ab <= PI * R_KM * 1000.0 + 1e-3);
        assert_true(geo_distance_m(a, a) < 1e-6);
    }
    assert_true(geo_distance_m(pt(41.58, -109.2), pt(41.58, -109.2)) == 0.0);
}

static void test_bearing_cardinal(void **state)
{
    (void)state;
    assert_float_equal(geo_bearing_deg(pt(0, 0), pt(1, 0)), 0.0, 1e-9);
    assert_float_equal(geo_bearing_deg(pt(0, 0), pt(0, 1)), 90.0, 1e-9);
    assert_float_equal(geo_bearing_deg(pt(0, 0), pt(-1, 0)), 180.0, 1e-9);
    assert_float_equal(geo_bearing_deg(pt(0, 0), pt(0, -1)), 270.0, 1e-9);
    /* East across the antimeridian is still east. */
    assert_float_equal(geo_bearing_deg(pt(0, 179.5), pt(0, -179.5)), 90.0, 1e-9);
    assert_float_equal(geo_bearing_deg(pt(0, -179.5), pt(0, 179.5)), 270.0, 1e-9);
    /* Due north from the southern hemisphere, due south from the northern. */
    assert_float_equal(geo_bearing_deg(pt(-40, 20), pt(-30, 20)), 0.0, 1e-9);
    assert_float_equal(geo_bearing_deg(pt(60, 20), pt(50, 20)), 180.0, 1e-9);
}

static void test_bearing_range(void **state)
{
    (void)state;
    uint64_t seed = 7;
    for (int i = 0; i < 1000; i++) {
        struct geo_point a = pt(test_uniform(&seed) * 170 - 85, test_uniform(&seed) * 360 - 180);
        struct geo_point b = pt(test_uniform(&seed) * 170 - 85, test_uniform(&seed) * 360 - 180);
        double d = geo_bearing_deg(a, b);
        assert_true(d >= 0.0 && d < 360.0);
    }
    /* A bearing just west of north must not come back as 360. */
    double d = geo_bearing_deg(pt(0, 0), pt(1, -1e-13));
    assert_true(d >= 0.0 && d < 360.0);
}

static void test_compass8(void **state)
{
    (void)state;
    assert_string_equal(geo_compass8(0), "N");
    assert_string_equal(geo_compass8(45), "NE");
    assert_string_equal(geo_compass8(90), "E");
    assert_string_equal(geo_compass8(135), "SE");
    assert_string_equal(geo_compass8(180), "S");
    assert_string_equal(geo_compass8(225), "SW");
    assert_string_equal(geo_compass8(270), "W");
    assert_string_equal(geo_compass8(315), "NW");
    /* Sector boundaries sit halfway, at 22.5 + 45k; the boundary belongs to the next sector. */
    assert_string_equal(geo_compass8(22.4999), "N");
    assert_string_equal(geo_compass8(22.5), "NE");
    assert_string_equal(geo_compass8(67.4999), "NE");
    assert_string_equal(geo_compass8(67.5), "E");
    assert_string_equal(geo_compass8(157.4999), "SE");
    assert_string_equal(geo_compass8(157.5), "S");
    assert_string_equal(geo_compass8(292.4999), "W");
    assert_string_equal(geo_compass8(292.5), "NW");
    assert_string_equal(geo_compass8(337.4999), "NW");
    assert_string_equal(geo_compass8(337.5), "N");
    assert_string_equal(geo_compass8(359.9999), "N");
    /* Out of [0, 360): wrapped. */
    assert_string_equal(geo_compass8(360), "N");
    assert_string_equal(geo_compass8(450), "E");
    assert_string_equal(geo_compass8(-10), "N");
    assert_string_equal(geo_compass8(-90), "W");
    assert_string_equal(geo_compass8(-30), "NW");
}

static void test_point_parse_ok(void **state)
{
    (void)state;
    struct geo_point p = {0, 0};
    assert_int_equal(geo_point_parse("41.58,-109.2", &p), RU_OK);
    assert_float_equal(p.lat, 41.58, 1e-12);
    assert_float_equal(p.lon, -109.2, 1e-12);
    assert_int_equal(geo_point_parse("  -33.9 ,  151.2  ", &p), RU_OK);
    assert_float_equal(p.lat, -33.9, 1e-12);
    assert_float_equal(p.lon, 151.2, 1e-12);
    assert_int_equal(geo_point_parse("90,180", &p), RU_OK);
    assert_int_equal(geo_point_parse("-90,-180", &p), RU_OK);
    assert_true(p.lat == -90.0 && p.lon == -180.0);
    assert_int_equal(geo_point_parse("0,0", &p), RU_OK);
    assert_true(p.lat == 0 && p.lon == 0);
}

/* geo.h: "LAT,LON" or "LAT LON": a space alone separates the numbers too. */
static void test_point_parse_space(void **state)
{
    (void)state;
    static const char *const ok[] = {"41.58 -109.2", "41.58   -109.2", " 41.58\t-109.2 "};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct geo_point p = {0, 0};
        assert_true(geo_looks_like_point(ok[i]));
        assert_int_equal(geo_point_parse(ok[i], &p), RU_OK);
        assert_float_equal(p.lat, 41.58, 1e-12);
        assert_float_equal(p.lon, -109.2, 1e-12);
    }
}

static void test_point_parse_syntax(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "41.58",
        "41.58,",
        ",-109.2",
        "41.58,-109.2,3",
        "41.58;-109.2",
        "abc,def",
        "41.58 -109.2 km",
        "Rock Springs",
        "4158-1092",
        "Nancy, FR",
        "nancy 5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct geo_point p = {1.5, 2.5};
        assert_int_equal(geo_point_parse(bad[i], &p), RU_ERR_INVALID);
        /* *out is unchanged on failure. */
        assert_true(p.lat == 1.5 && p.lon == 2.5);
        assert_false(geo_looks_like_point(bad[i]));
    }
}

/* Two tokens that look like numbers but are not plain decimal (common/decimal.h): still
 * shaped like a position, so queries report a bad position, never an unknown place. */
static void test_point_parse_not_plain(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "41.58,-109.2x", "0x10,5", "0x1p3,5", "+5,3",  "5,+3",  "1e3,5",  "5,1E-3",      "1e999,1",
        ".5,3",          "5.,3",   "nan,5",   "5,NaN", "inf,1", "1,-inf", "-Infinity 5", "5 -.5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct geo_point p = {1.5, 2.5};
        if (geo_point_parse(bad[i], &p) != RU_ERR_INVALID)
            fail_msg("'%s' was not refused as malformed", bad[i]);
        assert_true(p.lat == 1.5 && p.lon == 2.5);
        if (!geo_looks_like_point(bad[i]))
            fail_msg("'%s' does not look like a position", bad[i]);
    }
}

static void test_point_parse_range(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "90.0001,0", "-90.5,0", "0,180.0001", "0,-181", "95,10", "10,200", "1000000000000000000000,1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct geo_point p = {1.5, 2.5};
        assert_int_equal(geo_point_parse(bad[i], &p), RU_ERR_LIMIT);
        assert_true(p.lat == 1.5 && p.lon == 2.5);
        /* Still shaped like a position, so queries report it as a bad one. */
        assert_true(geo_looks_like_point(bad[i]));
    }
    assert_false(geo_point_valid(pt(NAN, 0)));
    assert_false(geo_point_valid(pt(0, INFINITY)));
    assert_true(geo_point_valid(pt(-90, 180)));
}

static void test_distance_parse(void **state)
{
    (void)state;
    double m = -1;
    assert_int_equal(geo_distance_parse("25mi", &m), RU_OK);
    assert_float_equal(m, 25 * 1609.344, 1e-6);
    assert_int_equal(geo_distance_parse("40km", &m), RU_OK);
    assert_float_equal(m, 40000.0, 1e-6);
    assert_int_equal(geo_distance_parse("800m", &m), RU_OK);
    assert_float_equal(m, 800.0, 1e-9);
    assert_int_equal(geo_distance_parse("2.5 mi", &m), RU_OK);
    assert_float_equal(m, 2.5 * 1609.344, 1e-6);
    assert_int_equal(geo_distance_parse("0.5km", &m), RU_OK);
    assert_float_equal(m, 500.0, 1e-9);

    static const char *const bad[] = {
        "25",     "-3km",  "0km",     "abc",        "",      "km",    "25 miles",
        "nan km", "infkm", "1e999km", "25mi extra", "0.0mi", ".5km",  "+5km",
        " 5km",   "5km ",  "1e3m",    "0x10km",     "5.mi",  "5\tmi", "-0km",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m = 123.0;
        assert_int_equal(geo_distance_parse(bad[i], &m), RU_ERR_INVALID);
        assert_true(m == 123.0);
    }
}

static void test_chord_round_trip(void **state)
{
    (void)state;
    static const double dists_m[] = {0, 1, 800, 40000, 1e6, 5e6, 1.5e7, 2e7};
    for (size_t i = 0; i < sizeof(dists_m) / sizeof(dists_m[0]); i++) {
        double c2 = geo_m_to_chord2(dists_m[i]);
        assert_true(c2 >= 0 && c2 <= 4.0);
        /* 1 mm, or a relative 1e-9 for long distances. */
        double tol = fmax(1e-3, dists_m[i] * 1e-9);
        assert_float_equal(geo_chord2_to_m(c2), dists_m[i], tol);
    }
    /* Ordering: the key grows with the distance. */
    for (double d = 0; d < 2e7; d += 1e6)
        assert_true(geo_m_to_chord2(d) < geo_m_to_chord2(d + 1e6));
    /* Saturation at the antipode and beyond. */
    double half_m = PI * R_KM * 1000.0;
    assert_float_equal(geo_m_to_chord2(half_m * 1.5), 4.0, 1e-12);
    assert_float_equal(geo_chord2_to_m(4.0), half_m, 1e-3);
    assert_float_equal(geo_chord2_to_m(4.0 + 1e-12), half_m, 1e-3);
}

static void test_unit_vector(void **state)
{
    (void)state;
    uint64_t seed = 99;
    for (int i = 0; i < 1000; i++) {
        struct geo_point a = pt(test_uniform(&seed) * 180 - 90, test_uniform(&seed) * 360 - 180);
        struct geo_point b = pt(test_uniform(&seed) * 180 - 90, test_uniform(&seed) * 360 - 180);
        double va[3], vb[3];
        geo_unit_vector(a, va);
        geo_unit_vector(b, vb);
        assert_float_equal(va[0] * va[0] + va[1] * va[1] + va[2] * va[2], 1.0, 1e-12);
        /* The chord between the vectors agrees with the haversine distance. */
        double c2 = geo_chord2(va, vb);
        assert_float_equal(geo_chord2_to_m(c2), geo_distance_m(a, b), 1e-2);
        assert_float_equal(c2, geo_m_to_chord2(geo_distance_m(a, b)), 1e-9);
    }
    double v[3];
    geo_unit_vector(pt(0, 0), v);
    assert_float_equal(v[0], 1, 1e-15);
    assert_float_equal(v[1], 0, 1e-15);
    assert_float_equal(v[2], 0, 1e-15);
    geo_unit_vector(pt(0, 90), v);
    assert_float_equal(v[1], 1, 1e-15);
    geo_unit_vector(pt(90, 0), v);
    assert_float_equal(v[2], 1, 1e-15);
    assert_true(geo_chord2(v, v) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radius_constant),
        cmocka_unit_test(test_degree_on_equator),
        cmocka_unit_test(test_pole_to_pole),
        cmocka_unit_test(test_across_antimeridian),
        cmocka_unit_test(test_nashville_lax),
        cmocka_unit_test(test_symmetry_and_zero),
        cmocka_unit_test(test_bearing_cardinal),
        cmocka_unit_test(test_bearing_range),
        cmocka_unit_test(test_compass8),
        cmocka_unit_test(test_point_parse_ok),
        cmocka_unit_test(test_point_parse_space),
        cmocka_unit_test(test_point_parse_syntax),
        cmocka_unit_test(test_point_parse_not_plain),
        cmocka_unit_test(test_point_parse_range),
        cmocka_unit_test(test_distance_parse),
        cmocka_unit_test(test_chord_round_trip),
        cmocka_unit_test(test_unit_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
