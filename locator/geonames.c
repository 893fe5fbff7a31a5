/* locator/geonames.c - GeoNames line parsers. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "locator/geonames.h"
#include "locator/fold.h"
#include "common/banned.h"

#define MAX_COLS 24

/* Split at tabs; returns the column count (more than MAX_COLS counts as MAX_COLS + 1). */
static int split_tabs(char *line, char *cols[MAX_COLS])
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == MAX_COLS)
            return MAX_COLS + 1;
        cols[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    if (!*s)
        return 0;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int parse_ll(const char *s, long long *out)
{
    char *end;
    if (!*s)
        return 0;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno)
        return 0;
    *out = v;
    return 1;
}

/* Messages quote at most 40 bytes of the offending value: enough to find it, never a flood. */
static enum ru_status bad(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static enum ru_status bad(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, GEONAMES_WHY_MAX, fmt, ap);
    va_end(ap);
    return RU_ERR_INVALID;
}

static enum ru_status want_cols(int got, int want, char *why)
{
    if (got >= want && got <= MAX_COLS)
        return RU_OK;
    if (got > MAX_COLS)
        return bad(why, "expected %d tab-separated columns, found more than %d", want, MAX_COLS);
    return bad(why, "expected %d tab-separated columns, found %d", want, got);
}

static enum ru_status check_text(const char *col, const char *value, int required, char *why)
{
    if (required && !*value)
        return bad(why, "%s is empty", col);
    /* Real dumps carry stray C1 controls inside names; folding turns them into spaces
     * and output never prints them raw, so only broken encoding is refused. */
    if (!fold_is_utf8(value, strlen(value)))
        return bad(why, "%s is not valid UTF-8", col);
    return RU_OK;
}

static enum ru_status check_position(const char *slat, const char *slon, double *lat, double *lon, char *why)
{
    if (!parse_double(slat, lat) || *lat < -90 || *lat > 90)
        return bad(why, "latitude '%.40s' is not a number from -90 to 90", slat);
    if (!parse_double(slon, lon) || *lon < -180 || *lon > 180)
        return bad(why, "longitude '%.40s' is not a number from -180 to 180", slon);
    return RU_OK;
}

enum ru_status gn_parse_place(char *line, struct gn_place *out, char why[GEONAMES_WHY_MAX])
{
    char *c[MAX_COLS];
    struct gn_place p;
    enum ru_status st;
    int n = split_tabs(line, c);
    if ((st = want_cols(n, 19, why)) != RU_OK)
        return st;
    if (!parse_ll(c[0], &p.id) || p.id <= 0 || p.id > 0x7fffffff)
        return bad(why, "geonameid '%.40s' is not a positive whole number", c[0]);
    if ((st = check_text("name", c[1], 1, why)) != RU_OK ||
        (st = check_text("asciiname", c[2], 0, why)) != RU_OK ||
        (st = check_text("alternatenames", c[3], 0, why)) != RU_OK)
        return st;
    if ((st = check_position(c[4], c[5], &p.lat, &p.lon, why)) != RU_OK)
        return st;
    if (strlen(c[6]) > 1)
        return bad(why, "feature class '%.40s' is not one letter", c[6]);
    if ((st = check_text("country code", c[8], 0, why)) != RU_OK ||
        (st = check_text("admin1 code", c[10], 0, why)) != RU_OK ||
        (st = check_text("feature code", c[7], 0, why)) != RU_OK)
        return st;
    if (strlen(c[8]) > 3)
        return bad(why, "country code '%.40s' is longer than 3 letters", c[8]);
    p.population = 0;
    if (*c[14] && (!parse_ll(c[14], &p.population) || p.population < 0))
        return bad(why, "population '%.40s' is not a whole number of 0 or more", c[14]);
    p.name = c[1];
    p.ascii = *c[2] ? c[2] : c[1];
    p.alternates = c[3];
    p.feature_class = c[6][0];
    p.feature_code = c[7];
    p.country = c[8];
    p.admin1 = c[10];
    *out = p;
    return RU_OK;
}

enum ru_status gn_parse_admin1(char *line, struct gn_admin1 *out, char why[GEONAMES_WHY_MAX])
{
    char *c[MAX_COLS];
    enum ru_status st;
    int n = split_tabs(line, c);
    if ((st = want_cols(n, 3, why)) != RU_OK)
        return st;
    char *dot = strchr(c[0], '.');
    if (!dot || dot == c[0] || !dot[1])
        return bad(why, "code '%.40s' is not COUNTRY.CODE (like US.WY)", c[0]);
    if ((st = check_text("code", c[0], 1, why)) != RU_OK ||
        (st = check_text("name", c[1], 1, why)) != RU_OK ||
        (st = check_text("ascii name", c[2], 0, why)) != RU_OK)
        return st;
    *dot = '\0';
    out->country = c[0];
    out->code = dot + 1;
    out->name = c[1];
    out->ascii = *c[2] ? c[2] : c[1];
    return RU_OK;
}

enum ru_status gn_parse_country(char *line, struct gn_country *out, char why[GEONAMES_WHY_MAX])
{
    char *c[MAX_COLS];
    enum ru_status st;
    if (line[0] == '#' || line[0] == '\0')
        return RU_ERR_NOT_FOUND;
    int n = split_tabs(line, c);
    if ((st = want_cols(n, 5, why)) != RU_OK)
        return st;
    if (strlen(c[0]) != 2)
        return bad(why, "ISO code '%.40s' is not two letters", c[0]);
    if ((st = check_text("ISO code", c[0], 1, why)) != RU_OK ||
        (st = check_text("ISO3 code", c[1], 0, why)) != RU_OK ||
        (st = check_text("country name", c[4], 1, why)) != RU_OK)
        return st;
    out->iso = c[0];
    out->iso3 = c[1];
    out->name = c[4];
    return RU_OK;
}

enum ru_status gn_parse_postal(char *line, struct gn_postal *out, char why[GEONAMES_WHY_MAX])
{
    char *c[MAX_COLS];
    struct gn_postal p;
    enum ru_status st;
    int n = split_tabs(line, c);
    if ((st = want_cols(n, 11, why)) != RU_OK)
        return st;
    if ((st = check_text("country code", c[0], 1, why)) != RU_OK ||
        (st = check_text("postal code", c[1], 1, why)) != RU_OK ||
        (st = check_text("place name", c[2], 0, why)) != RU_OK ||
        (st = check_text("admin name1", c[3], 0, why)) != RU_OK ||
        (st = check_text("admin code1", c[4], 0, why)) != RU_OK)
        return st;
    if (strlen(c[0]) != 2)
        return bad(why, "country code '%.40s' is not two letters", c[0]);
    if (strlen(c[1]) > 20)
        return bad(why, "postal code '%.40s' is longer than 20 characters", c[1]);
    if ((st = check_position(c[9], c[10], &p.lat, &p.lon, why)) != RU_OK)
        return st;
    p.country = c[0];
    p.code = c[1];
    p.place = c[2];
    p.admin1_name = c[3];
    p.admin1 = c[4];
    *out = p;
    return RU_OK;
}

char *gn_next_alternate(char **cursor)
{
    char *p = *cursor;
    while (p && *p == ',')
        p++;
    if (!p || !*p)
        return NULL;
    char *comma = strchr(p, ',');
    if (comma) {
        *comma = '\0';
        *cursor = comma + 1;
    } else {
        *cursor = NULL;
    }
    return p;
}
