/*
 * locator/geonames.h - parsers for lines of the GeoNames dump formats.
 *
 * Each parser takes one line (without its newline), splits it in place at tabs and fills
 * a struct whose strings point into the line. Nothing is allocated. A line that is not
 * valid gets RU_ERR_INVALID and a message in WHY naming the column and what was wrong.
 * Layouts follow the dump's readme.txt: cities500/allCountries (19 columns),
 * admin1CodesASCII (4), countryInfo (19, '#' comments) and the postal-code dump (12).
 */
#ifndef REUP_LOCATOR_GEONAMES_H
#define REUP_LOCATOR_GEONAMES_H
#include <stddef.h>
#include "common/status.h"

#define GEONAMES_WHY_MAX 160

struct gn_place {
    long long id;
    const char *name, *ascii;
    char *alternates; /* comma-separated, may be empty */
    double lat, lon;
    char feature_class; /* 'P' for populated places; 0 when empty */
    const char *feature_code, *country, *admin1;
    long long population;
};

struct gn_admin1 {
    const char *country, *code, *name, *ascii;
};

struct gn_country {
    const char *iso, *iso3, *name;
};

struct gn_postal {
    const char *country, *code, *place, *admin1_name, *admin1;
    double lat, lon;
};

enum ru_status gn_parse_place(char *line, struct gn_place *out, char why[GEONAMES_WHY_MAX]) RU_WARN_UNUSED;
enum ru_status gn_parse_admin1(char *line, struct gn_admin1 *out, char why[GEONAMES_WHY_MAX]) RU_WARN_UNUSED;
/* RU_ERR_NOT_FOUND for a comment or blank line, which callers skip. */
enum ru_status gn_parse_country(char *line, struct gn_country *out,
                                char why[GEONAMES_WHY_MAX]) RU_WARN_UNUSED;
enum ru_status gn_parse_postal(char *line, struct gn_postal *out, char why[GEONAMES_WHY_MAX]) RU_WARN_UNUSED;

/* Next name of a comma-separated alternate-name list: returns it NUL-terminated (the
 * comma is overwritten) and advances *cursor; NULL when the list is exhausted. */
char *gn_next_alternate(char **cursor);

#endif
