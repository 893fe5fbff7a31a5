/* locator/output.c - table, JSON and GeoJSON renderings of a result. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "locator/output.h"
#include "common/jsonwriter.h"
#include "common/banned.h"

enum output_units output_units_for(const struct locate_result *r, enum output_units chosen)
{
    if (chosen != UNITS_AUTO)
        return chosen;
    return strcmp(r->origin.country, "US") == 0 ? UNITS_MI : UNITS_KM;
}

size_t output_width(const char *s)
{
    size_t w = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_int32_t c;
    utf8proc_ssize_t n;
    while (*p && (n = utf8proc_iterate(p, -1, &c)) > 0) {
        /* control characters are printed as one space each (add_cell) */
        int cw = utf8proc_category(c) == UTF8PROC_CATEGORY_CC ? 1 : utf8proc_charwidth(c);
        w += cw > 0 ? (size_t)cw : 0;
        p += n;
    }
    return w;
}

/* Append S padded or cut to WIDTH columns (0: as it is); control characters become spaces so data
 * can never move the cursor or change the terminal. */
static enum ru_status add_cell(struct strbuf *out, const char *s, size_t width)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t w = 0, total = output_width(s);
    enum ru_status rc = RU_OK;
    utf8proc_int32_t c;
    utf8proc_ssize_t n;
    while (rc == RU_OK && *p && (n = utf8proc_iterate(p, -1, &c)) > 0) {
        int cw = utf8proc_charwidth(c);
        if (cw < 0)
            cw = 0;
        if (width && total > width && w + (size_t)cw > width - 1) {
            rc = strbuf_adds(out, "\xE2\x80\xA6"); /* … */
            w++;
            break;
        }
        if (utf8proc_category(c) == UTF8PROC_CATEGORY_CC) {
            rc = strbuf_addch(out, ' ');
            cw = 1;
        } else {
            rc = strbuf_add(out, p, (size_t)n);
        }
        w += (size_t)cw;
        p += n;
    }
    while (rc == RU_OK && w++ < width)
        rc = strbuf_addch(out, ' ');
    return rc;
}

static void place_label(const struct gz_place *p, char *buf, size_t len)
{
    gz_place_label(p, buf, len);
}

static double in_units(double m, enum output_units u)
{
    return u == UNITS_MI ? m / GEO_M_PER_MILE : m / 1000.0;
}

enum ru_status output_table(struct strbuf *out, const char *query, const struct locate_result *r,
                            enum output_units units)
{
    enum ru_status rc;
    char label[3 * GZ_TEXT_MAX];
    const char *unit = units == UNITS_MI ? "mi" : "km";
    (void)query;
    place_label(&r->origin, label, sizeof(label));
    if ((rc = strbuf_adds(out, "Nearest stores to ")) != RU_OK || (rc = add_cell(out, label, 0)) != RU_OK ||
        (rc = strbuf_addf(out, " (%.4f, %.4f)\n", r->origin.lat, r->origin.lon)) != RU_OK)
        return rc;

    /* Columns as wide as their longest entry, up to a cap, so a table fits a terminal. */
    size_t wname = 5, waddr = 7, wcity = 4;
    for (size_t i = 0; i < r->nstores; i++) {
        const struct locate_store *s = &r->stores[i];
        size_t wn = output_width(s->name), wa = output_width(s->address);
        size_t wc = output_width(s->city) + (*s->region ? 2 + output_width(s->region) : 0);
        wname = wn > wname ? wn : wname;
        waddr = wa > waddr ? wa : waddr;
        wcity = wc > wcity ? wc : wcity;
    }
    wname = wname > 40 ? 40 : wname;
    waddr = waddr > 30 ? 30 : waddr;
    wcity = wcity > 24 ? 24 : wcity;
    if ((rc = strbuf_addf(out, "%3s  ", "#")) != RU_OK || (rc = add_cell(out, "Store", wname)) != RU_OK ||
        (rc = strbuf_adds(out, "  ")) != RU_OK || (rc = add_cell(out, "Address", waddr)) != RU_OK ||
        (rc = strbuf_adds(out, "  ")) != RU_OK || (rc = add_cell(out, "City", wcity)) != RU_OK ||
        (rc = strbuf_addf(out, "  %10s  %s\n", "Distance", "Dir")) != RU_OK)
        return rc;
    for (size_t i = 0; i < r->nstores; i++) {
        const struct locate_store *s = &r->stores[i];
        char city[2 * GZ_TEXT_MAX];
        snprintf(city, sizeof(city), "%s%s%s", s->city, *s->region ? ", " : "", s->region);
        if ((rc = strbuf_addf(out, "%3zu  ", i + 1)) != RU_OK ||
            (rc = add_cell(out, s->name, wname)) != RU_OK || (rc = strbuf_adds(out, "  ")) != RU_OK ||
            (rc = add_cell(out, s->address, waddr)) != RU_OK || (rc = strbuf_adds(out, "  ")) != RU_OK ||
            (rc = add_cell(out, city, wcity)) != RU_OK ||
            (rc = strbuf_addf(out, "  %7.1f %s  %s\n", in_units(s->distance_m, units), unit,
                              geo_compass8(s->bearing_deg))) != RU_OK)
            return rc;
        if (s->extras_json) {
            /* Further columns of the store list (phone, hours) on a line of their own. */
            json_t *ex = json_loads(s->extras_json, 0, NULL);
            const char *key;
            json_t *val;
            int first = 1;
            json_object_foreach(ex, key, val)
            {
                if (!json_is_string(val))
                    continue;
                char cell[600];
                snprintf(cell, sizeof(cell), "%s: %s", key, json_string_value(val));
                if ((rc = strbuf_adds(out, first ? "     " : "; ")) != RU_OK ||
                    (rc = add_cell(out, cell, output_width(cell) > 80 ? 80 : 0)) != RU_OK)
                    break;
                first = 0;
            }
            json_decref(ex);
            if (rc == RU_OK && !first)
                rc = strbuf_addch(out, '\n');
            if (rc != RU_OK)
                return rc;
        }
    }
    if (r->nalternatives) {
        if ((rc = strbuf_adds(out, "Also: ")) != RU_OK)
            return rc;
        for (size_t i = 0; i < r->nalternatives; i++) {
            place_label(&r->alternatives[i], label, sizeof(label));
            if ((rc = strbuf_adds(out, i ? "; " : "")) != RU_OK || (rc = add_cell(out, label, 0)) != RU_OK)
                return rc;
        }
        if ((rc = strbuf_adds(out, " (add the region to choose one: \"Name, ST\")\n")) != RU_OK)
            return rc;
    }
    return RU_OK;
}

static void place_fields(struct jsonw *w, const struct gz_place *p)
{
    jsonw_string(w, "name", p->name);
    jsonw_string(w, "region", p->region);
    jsonw_string(w, "region_name", p->region_name);
    jsonw_string(w, "country", p->country);
    jsonw_string(w, "country_name", p->country_name);
}

static void store_fields(struct jsonw *w, const struct locate_store *s)
{
    jsonw_string(w, "id", s->id);
    jsonw_string(w, "chain", s->chain);
    jsonw_string(w, "name", s->name);
    jsonw_string(w, "address", s->address);
    jsonw_string(w, "city", s->city);
    jsonw_string(w, "region", s->region);
    jsonw_string(w, "postal", s->postal);
    jsonw_string(w, "country", s->country);
}

/* The further columns of the store list, stored as a JSON object: written member by
 * member after reading it back, so a damaged row gives {} and never broken JSON. */
static void extras(struct jsonw *w, const char *stored)
{
    json_t *ex = stored ? json_loads(stored, 0, NULL) : NULL;
    jsonw_object(w, "extras");
    const char *key;
    json_t *v;
    json_object_foreach(ex, key, v)
    {
        if (json_is_string(v)) {
            jsonw_string(w, key, json_string_value(v));
        } else {
            char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            if (text)
                jsonw_raw(w, key, text);
            free(text);
        }
    }
    jsonw_end(w);
    json_decref(ex);
}

static void store_tail(struct jsonw *w, const struct locate_store *s)
{
    jsonw_real(w, "distance_km", s->distance_m / 1000.0);
    jsonw_real(w, "bearing_deg", s->bearing_deg);
    jsonw_string(w, "direction", geo_compass8(s->bearing_deg));
    extras(w, s->extras_json);
}

static enum ru_status finish(struct jsonw *w, int newline)
{
    enum ru_status rc = jsonw_status(w);
    return rc == RU_OK && newline ? strbuf_addch(w->out, '\n') : rc;
}

enum ru_status output_json(struct strbuf *out, const char *query, const struct locate_result *r)
{
    struct jsonw w;
    jsonw_init(&w, out, 1);
    jsonw_object(&w, NULL);
    jsonw_string(&w, "query", query);
    jsonw_object(&w, "origin");
    place_fields(&w, &r->origin);
    jsonw_real(&w, "lat", r->origin.lat);
    jsonw_real(&w, "lon", r->origin.lon);
    jsonw_string(&w, "kind", query_kind_name(r->kind));
    jsonw_end(&w);
    jsonw_array(&w, "alternatives");
    for (size_t i = 0; i < r->nalternatives; i++) {
        jsonw_object(&w, NULL);
        place_fields(&w, &r->alternatives[i]);
        jsonw_int(&w, "population", r->alternatives[i].population);
        jsonw_real(&w, "lat", r->alternatives[i].lat);
        jsonw_real(&w, "lon", r->alternatives[i].lon);
        jsonw_end(&w);
    }
    jsonw_end(&w);
    jsonw_array(&w, "stores");
    for (size_t i = 0; i < r->nstores; i++) {
        jsonw_object(&w, NULL);
        store_fields(&w, &r->stores[i]);
        jsonw_real(&w, "lat", r->stores[i].lat);
        jsonw_real(&w, "lon", r->stores[i].lon);
        store_tail(&w, &r->stores[i]);
        jsonw_end(&w);
    }
    jsonw_end(&w);
    jsonw_end(&w);
    return finish(&w, 1);
}

static void feature_point(struct jsonw *w, double lat, double lon)
{
    jsonw_object(w, NULL);
    jsonw_string(w, "type", "Feature");
    jsonw_object(w, "geometry");
    jsonw_string(w, "type", "Point");
    jsonw_array(w, "coordinates");
    jsonw_real(w, NULL, lon);
    jsonw_real(w, NULL, lat);
    jsonw_end(w);
    jsonw_end(w);
    jsonw_object(w, "properties");
}

enum ru_status output_geojson(struct strbuf *out, const char *query, const struct locate_result *r)
{
    struct jsonw w;
    jsonw_init(&w, out, 1);
    jsonw_object(&w, NULL);
    jsonw_string(&w, "type", "FeatureCollection");
    jsonw_string(&w, "query", query);
    jsonw_array(&w, "features");
    feature_point(&w, r->origin.lat, r->origin.lon);
    place_fields(&w, &r->origin);
    jsonw_string(&w, "role", "origin");
    jsonw_string(&w, "kind", query_kind_name(r->kind));
    jsonw_end(&w);
    jsonw_end(&w);
    for (size_t i = 0; i < r->nstores; i++) {
        feature_point(&w, r->stores[i].lat, r->stores[i].lon);
        jsonw_string(&w, "role", "store");
        jsonw_int(&w, "rank", (long long)i + 1);
        store_fields(&w, &r->stores[i]);
        store_tail(&w, &r->stores[i]);
        jsonw_end(&w);
        jsonw_end(&w);
    }
    jsonw_end(&w);
    jsonw_end(&w);
    return finish(&w, 1);
}

enum ru_status output_places_json(struct strbuf *out, const struct gz_completion *places, size_t n)
{
    struct jsonw w;
    jsonw_init(&w, out, 0);
    jsonw_object(&w, NULL);
    jsonw_array(&w, "places");
    for (size_t i = 0; i < n; i++) {
        const struct gz_place *p = &places[i].place;
        char query[3 * GZ_TEXT_MAX], label[4 * GZ_TEXT_MAX + 8];
        gz_place_label(p, query, sizeof(query));
        if (strcmp(places[i].matched, p->name) != 0)
            snprintf(label, sizeof(label), "%s (%s)", places[i].matched, query);
        else
            snprintf(label, sizeof(label), "%s", query);
        jsonw_object(&w, NULL);
        place_fields(&w, p);
        jsonw_int(&w, "population", p->population);
        jsonw_int(&w, "id", p->id);
        jsonw_string(&w, "matched", places[i].matched);
        jsonw_string(&w, "label", label);
        jsonw_string(&w, "query", query);
        jsonw_real(&w, "lat", p->lat);
        jsonw_real(&w, "lon", p->lon);
        jsonw_end(&w);
    }
    jsonw_end(&w);
    jsonw_end(&w);
    return finish(&w, 0);
}

enum ru_status output_labels_json(struct strbuf *out, int zoom, const struct label *labels, size_t n)
{
    struct jsonw w;
    jsonw_init(&w, out, 0);
    jsonw_object(&w, NULL);
    jsonw_int(&w, "zoom", zoom);
    jsonw_array(&w, "labels");
    for (size_t i = 0; i < n; i++) {
        jsonw_object(&w, NULL);
        jsonw_string(&w, "name", labels[i].name);
        jsonw_real(&w, "lat", labels[i].lat);
        jsonw_real(&w, "lon", labels[i].lon);
        jsonw_int(&w, "population", labels[i].population);
        jsonw_int(&w, "rank", labels[i].rank);
        jsonw_int(&w, "id", labels[i].id);
        jsonw_end(&w);
    }
    jsonw_end(&w);
    jsonw_end(&w);
    return finish(&w, 0);
}
