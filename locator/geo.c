/* locator/geo.c - spherical geometry. */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include "locator/geo.h"
#include "common/decimal.h"
#include "common/banned.h"

#define DEG2RAD (M_PI / 180.0)

int geo_point_valid(struct geo_point p)
{
    return isfinite(p.lat) && isfinite(p.lon) && p.lat >= -90.0 && p.lat <= 90.0 && p.lon >= -180.0 &&
           p.lon <= 180.0;
}

/* The end of the token at P when it looks like a number, as someone typing a position
 * may write one, plain or not ("41.58", "+5", "1e3", "0x1p3", "nan", "-inf"); NULL for
 * a word. Such tokens make a query a position, so that a malformed one is refused as a
 * position rather than looked up as a place name. */
static const char *numberish_end(const char *p)
{
    static const char *const words[] = {"nan", "inf", "infinity"};
    const char *q = p + (*p == '-' || *p == '+'), *end = p + strcspn(p, ", \t\n\v\f\r");
    if (isdigit((unsigned char)q[0]) || (q[0] == '.' && isdigit((unsigned char)q[1])))
        return end;
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t i = 0;
        while (q + i < end && words[w][i] && tolower((unsigned char)q[i]) == words[w][i])
            i++;
        if (q + i == end && !words[w][i])
            return end;
    }
    return NULL;
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* Find "A SEP B" in TEXT, SEP a comma and/or spaces, A and B tokens that look like
 * numbers; 0 when TEXT has another shape. */
static int split_two_tokens(const char *text, const char *a[2], const char *b[2])
{
    a[0] = skip_space(text);
    if (!(a[1] = numberish_end(a[0])))
        return 0;
    const char *p = skip_space(a[1]);
    if (*p == ',')
        p = skip_space(p + 1);
    if (p == a[1])
        return 0; /* no separator */
    b[0] = p;
    if (!(b[1] = numberish_end(b[0])))
        return 0;
    return *skip_space(b[1]) == '\0';
}

int geo_looks_like_point(const char *text)
{
    const char *a[2], *b[2];
    return split_two_tokens(text, a, b);
}

enum ru_status geo_point_parse(const char *text, struct geo_point *out)
{
    const char *a[2], *b[2];
    struct geo_point p;
    if (!split_two_tokens(text, a, b) || decimal_parse_n(a[0], (size_t)(a[1] - a[0]), &p.lat) != RU_OK ||
        decimal_parse_n(b[0], (size_t)(b[1] - b[0]), &p.lon) != RU_OK)
        return RU_ERR_INVALID;
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
    size_t n = decimal_span(text, strlen(text));
    double v;
    if (!n || decimal_parse_n(text, n, &v) != RU_OK || v <= 0)
        return RU_ERR_INVALID;
    const char *end = text + n;
    while (*end == ' ')
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
