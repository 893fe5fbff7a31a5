/*
 * locator/geo.h - distances, bearings and positions on the earth's surface.
 * Pure functions on plain values: no I/O, no allocation, no globals.
 * The earth is a sphere of radius GEO_EARTH_RADIUS_M (the IUGG mean radius).
 */
#ifndef REUP_LOCATOR_GEO_H
#define REUP_LOCATOR_GEO_H
#include "common/status.h"

#define GEO_EARTH_RADIUS_M 6371008.8
#define GEO_M_PER_MILE     1609.344

struct geo_point {
    double lat; /* -90 .. 90, north positive */
    double lon; /* -180 .. 180, east positive */
};

/* Parse "LAT,LON" or "LAT LON" (optional spaces around the separator), each number plain
 * decimal (common/decimal.h: "-33.9", not "+5", "1e3", "0x1p3", "nan" or "inf").
 * RU_ERR_INVALID for anything else; RU_ERR_LIMIT for a latitude outside ±90 or a
 * longitude outside ±180. *out is unchanged on failure. */
enum ru_status geo_point_parse(const char *text, struct geo_point *out) RU_WARN_UNUSED;

/* True when TEXT has the shape of a position: two tokens that look like numbers, plain
 * or not, whatever their range ("95,200", "nan,5", "+5 1e3"), so such a query is
 * reported as a bad position rather than looked up as an unknown place. */
int geo_looks_like_point(const char *text);

/* True when the point's coordinates are finite and within range. */
int geo_point_valid(struct geo_point p);

/* Great-circle distance in metres by the haversine formula. Cannot fail. */
double geo_distance_m(struct geo_point a, struct geo_point b);

/* Initial bearing from a to b in degrees, 0 = north, clockwise, in [0, 360). */
double geo_bearing_deg(struct geo_point a, struct geo_point b);

/* Eight-point compass name ("N", "NE", ... "NW") for a bearing in degrees. Static string. */
const char *geo_compass8(double bearing_deg);

/* The point as a unit vector (x toward 0°E on the equator, z toward the north pole). */
void geo_unit_vector(struct geo_point p, double v[3]);

/* Squared straight-line (chord) distance between unit vectors, the index's ordering key:
 * it grows with the great-circle distance. */
double geo_chord2(const double a[3], const double b[3]);

/* Great-circle distance in metres for a squared chord length. */
double geo_chord2_to_m(double chord2);
/* Squared chord length for a great-circle distance in metres (saturates at the antipode). */
double geo_m_to_chord2(double distance_m);

/* Parse a distance with its unit: a plain decimal number (common/decimal.h), optional
 * spaces, then mi, km or m: "25mi", "40km", "500m", "2.5 mi". RU_ERR_INVALID for anything
 * else (".5km", "1e3m", "+5mi", " 5mi") or a distance that is not above zero. */
enum ru_status geo_distance_parse(const char *text, double *out_m) RU_WARN_UNUSED;

#endif
