/* locator/geo.c - spherical geometry. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "locator/geo.h"
#include "common/banned.h"

#define DEG2RAD (M_PI / 180.0)

int geo_point_valid(struct geo_point p)
{
    return isfinite(p.lat) && isfinite(p.lon) && p.lat >= -90.0 && p.lat <= 90.0 && p.lon >= -180.0 &&
           p.lon <= 180.0;
}

/* Read "A SEP B" where SEP is a comma and/or spaces; both numbers in decimal notation. */
static int split_two_numbers(const char *text, double *a, double *b)
{
    const char *p = text;
    char *end;
    while (isspace((unsigned char)*p))
        p++;
    /* strtod also reads hex floats; a position is decimal. "nan" and "inf" are read, so
     * that they are refused as out of range rather than looked up as place names. */
    if (strpbrk(p, "xX"))
        return 0;
    *a = strtod(p, &end);
    if (end == p)
        return 0;
    p = end;
    int sep = 0;
    while (isspace((unsigned char)*p)) {
        sep = 1;
        p++;
    }
    if (*p == ',') {
        sep = 1;
        p++;
    }
    while (isspace((unsigned char)*p)) {
        sep = 1;
        p++;
    }
    if (!sep)
        return 0;
    *b = strtod(p, &end);
    if (end == p)
        return 0;
    p = end;
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0';
}

int geo_looks_like_point(const char *text)
{
    double a, b;
    return split_two_numbers(text, &a, &b);
}

enum ru_status geo_point_parse(const char *text, struct geo_point *out)
{
    double a, b;
    if (!split_two_numbers(text, &a, &b))
        return RU_ERR_INVALID;
    struct geo_point p = {a, b};
    if (!geo_point_valid(p))
        return RU_ERR_LIMIT;
    *out = p;
    return RU_OK;
}

double geo_distance_m(struct geo_point a, struct geo_point b)
{
    double dlat = (b.lat - a.lat) * DEG2RAD;
    double dlon = (b.lon - a.lon) * DEG2RAD;
    double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
    double h = s1 * s1 + cos(a.lat * DEG2RAD) * cos(b.lat * DEG2RAD) * s2 * s2;
    if (h > 1.0)
        h = 1.0; /* rounding near the antipode */
    return 2.0 * GEO_EARTH_RADIUS_M * asin(sqrt(h));
}

double geo_bearing_deg(struct geo_point a, struct geo_point b)
{
    double p1 = a.lat * DEG2RAD, p2 = b.lat * DEG2RAD;
    double dl = (b.lon - a.lon) * DEG2RAD;
    double y = sin(dl) * cos(p2);
    double x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
    double deg = atan2(y, x) / DEG2RAD;
    deg = fmod(deg + 360.0, 360.0);
    return deg >= 360.0 ? 0.0 : deg;
}

const char *geo_compass8(double bearing_deg)
{
    static const char *const names[] = {"N", "NE", "E", "SE", "S", "SW", "W", "NW"};
    if (!isfinite(bearing_deg))
        return "N";
    double b = fmod(fmod(bearing_deg, 360.0) + 360.0, 360.0);
    return names[(int)((b + 22.5) / 45.0) % 8];
}

void geo_unit_vector(struct geo_point p, double v[3])
{
    double la = p.lat * DEG2RAD, lo = p.lon * DEG2RAD;
    double c = cos(la);
    v[0] = c * cos(lo);
    v[1] = c * sin(lo);
    v[2] = sin(la);
}

double geo_chord2(const double a[3], const double b[3])
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

double geo_chord2_to_m(double chord2)
{
    double half = sqrt(chord2) / 2.0;
    if (half > 1.0)
        half = 1.0;
    return 2.0 * GEO_EARTH_RADIUS_M * asin(half);
}

double geo_m_to_chord2(double distance_m)
{
    double theta = distance_m / GEO_EARTH_RADIUS_M;
    if (theta >= M_PI)
        return 4.0;
    double c = 2.0 * sin(theta / 2.0);
    return c * c;
}

enum ru_status geo_distance_parse(const char *text, double *out_m)
{
    char *end;
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p) && *p != '.')
        return RU_ERR_INVALID;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v) || v <= 0)
        return RU_ERR_INVALID;
    while (isspace((unsigned char)*end))
        end++;
    double mult;
    if (strcmp(end, "mi") == 0)
        mult = GEO_M_PER_MILE;
    else if (strcmp(end, "km") == 0)
        mult = 1000.0;
    else if (strcmp(end, "m") == 0)
        mult = 1.0;
    else
        return RU_ERR_INVALID;
    *out_m = v * mult;
    return RU_OK;
}
