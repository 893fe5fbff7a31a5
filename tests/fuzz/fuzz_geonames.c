/*
 * tests/fuzz/fuzz_geonames.c - libFuzzer target for the GeoNames line parsers.
 * A fresh NUL-terminated copy of the input goes to each of gn_parse_place, gn_parse_admin1,
 * gn_parse_country and gn_parse_postal (they split the line in place); a parsed place has
 * its alternate names walked with gn_next_alternate. Every refusal must leave a
 * NUL-terminated reason, and parsed positions must be in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "locator/geonames.h"
#include "common/banned.h"

#define MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fresh copy for each parser, which writes into its line. */
static char *copy_line(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        abort();
    if (size)
        memcpy(line, data, size);
    line[size] = '\0';
    return line;
}

static void check_why(enum ru_status st, const char *why)
{
    if (st == RU_ERR_INVALID && (!memchr(why, '\0', GEONAMES_WHY_MAX) || !why[0]))
        abort();
}

static int in_range(double lat, double lon)
{
    return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        size = MAX_INPUT;
    char why[GEONAMES_WHY_MAX];
    char *line;
    enum ru_status st;

    line = copy_line(data, size);
    struct gn_place place;
    why[0] = '\0';
    st = gn_parse_place(line, &place, why);
    check_why(st, why);
    if (st == RU_OK) {
        if (!in_range(place.lat, place.lon) || place.id <= 0 || place.population < 0 || !*place.name ||
            !place.ascii || !place.country || !place.admin1 || !place.feature_code)
            abort();
        size_t names = 0;
        char *cur = place.alternates, *alt;
        while ((alt = gn_next_alternate(&cur)) != NULL) {
            if (!*alt || strchr(alt, ','))
                abort();
            if (++names > size)
                abort(); /* more names than bytes: the walk does not advance */
        }
    }
    free(line);

    line = copy_line(data, size);
    struct gn_admin1 admin;
    why[0] = '\0';
    st = gn_parse_admin1(line, &admin, why);
    check_why(st, why);
    if (st == RU_OK && (!*admin.country || !*admin.code || !*admin.name || !admin.ascii))
        abort();
    free(line);

    line = copy_line(data, size);
    struct gn_country country;
    why[0] = '\0';
    st = gn_parse_country(line, &country, why);
    check_why(st, why);
    if (st == RU_OK && (strlen(country.iso) != 2 || !country.iso3 || !*country.name))
        abort();
    free(line);

    line = copy_line(data, size);
    struct gn_postal postal;
    why[0] = '\0';
    st = gn_parse_postal(line, &postal, why);
    check_why(st, why);
    if (st == RU_OK && (!in_range(postal.lat, postal.lon) || strlen(postal.country) != 2 || !*postal.code ||
                        !postal.place || !postal.admin1_name || !postal.admin1))
        abort();
    free(line);

    /* The alternate-name walker on raw input too. */
    line = copy_line(data, size);
    char *cur = line;
    size_t n = 0;
    while (gn_next_alternate(&cur) != NULL)
        if (++n > size)
            abort();
    free(line);
    return 0;
}
