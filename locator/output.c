/* locator/output.c - table, JSON and GeoJSON renderings of a result. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "locator/output.h"
#include "common/banned.h"

#define REAL_FLAGS JSON_REAL_PRECISION(15)

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

static json_t *place_json(const struct gz_place *p, int with_population)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "region", json_string(p->region));
    json_object_set_new(o, "region_name", json_string(p->region_name));
    json_object_set_new(o, "country", json_string(p->country));
    json_object_set_new(o, "country_name", json_string(p->country_name));
    if (with_population)
        json_object_set_new(o, "population", json_integer(p->population));
    return o;
}

static json_t *store_props(const struct locate_store *s, json_t *o)
{
    json_object_set_new(o, "id", json_string(s->id));
    json_object_set_new(o, "chain", json_string(s->chain));
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "address", json_string(s->address));
    json_object_set_new(o, "city", json_string(s->city));
    json_object_set_new(o, "region", json_string(s->region));
    json_object_set_new(o, "postal", json_string(s->postal));
    json_object_set_new(o, "country", json_string(s->country));
    return o;
}

static void store_tail(const struct locate_store *s, json_t *o)
{
    json_object_set_new(o, "distance_km", json_real(s->distance_m / 1000.0));
    json_object_set_new(o, "bearing_deg", json_real(s->bearing_deg));
    json_object_set_new(o, "direction", json_string(geo_compass8(s->bearing_deg)));
    json_t *ex = s->extras_json ? json_loads(s->extras_json, 0, NULL) : NULL;
    json_object_set_new(o, "extras", ex ? ex : json_object());
}

static enum ru_status dump(struct strbuf *out, json_t *root)
{
    if (!root)
        return RU_ERR_NOMEM;
    char *text = json_dumps(root, JSON_INDENT(2) | REAL_FLAGS);
    json_decref(root);
    if (!text)
        return RU_ERR_NOMEM;
    enum ru_status rc = strbuf_adds(out, text);
    free(text);
    return rc == RU_OK ? strbuf_addch(out, '\n') : rc;
}

enum ru_status output_json(struct strbuf *out, const char *query, const struct locate_result *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "query", json_string(query));
    json_t *origin = place_json(&r->origin, 0);
    json_object_set_new(origin, "lat", json_real(r->origin.lat));
    json_object_set_new(origin, "lon", json_real(r->origin.lon));
    json_object_set_new(origin, "kind", json_string(query_kind_name(r->kind)));
    json_object_set_new(root, "origin", origin);
    json_t *alts = json_array();
    for (size_t i = 0; i < r->nalternatives; i++) {
        json_t *a = place_json(&r->alternatives[i], 1);
        json_object_set_new(a, "lat", json_real(r->alternatives[i].lat));
        json_object_set_new(a, "lon", json_real(r->alternatives[i].lon));
        json_array_append_new(alts, a);
    }
    json_object_set_new(root, "alternatives", alts);
    json_t *stores = json_array();
    for (size_t i = 0; i < r->nstores; i++) {
        json_t *o = store_props(&r->stores[i], json_object());
        json_object_set_new(o, "lat", json_real(r->stores[i].lat));
        json_object_set_new(o, "lon", json_real(r->stores[i].lon));
        store_tail(&r->stores[i], o);
        json_array_append_new(stores, o);
    }
    json_object_set_new(root, "stores", stores);
    return dump(out, root);
}

static json_t *point(double lat, double lon)
{
    json_t *g = json_object();
    json_object_set_new(g, "type", json_string("Point"));
    json_object_set_new(g, "coordinates", json_pack("[f, f]", lon, lat));
    return g;
}

static json_t *feature(json_t *geometry, json_t *props)
{
    json_t *f = json_object();
    json_object_set_new(f, "type", json_string("Feature"));
    json_object_set_new(f, "geometry", geometry);
    json_object_set_new(f, "properties", props);
    return f;
}

enum ru_status output_geojson(struct strbuf *out, const char *query, const struct locate_result *r)
{
    json_t *root = json_object(), *features = json_array();
    json_object_set_new(root, "type", json_string("FeatureCollection"));
    json_object_set_new(root, "query", json_string(query));
    json_t *op = place_json(&r->origin, 0);
    json_object_set_new(op, "role", json_string("origin"));
    json_object_set_new(op, "kind", json_string(query_kind_name(r->kind)));
    json_array_append_new(features, feature(point(r->origin.lat, r->origin.lon), op));
    for (size_t i = 0; i < r->nstores; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "role", json_string("store"));
        json_object_set_new(p, "rank", json_integer((json_int_t)i + 1));
        store_props(&r->stores[i], p);
        store_tail(&r->stores[i], p);
        json_array_append_new(features, feature(point(r->stores[i].lat, r->stores[i].lon), p));
    }
    json_object_set_new(root, "features", features);
    return dump(out, root);
}

enum ru_status output_places_json(struct strbuf *out, const struct gz_completion *places, size_t n)
{
    json_t *root = json_object(), *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct gz_place *p = &places[i].place;
        char query[3 * GZ_TEXT_MAX], label[4 * GZ_TEXT_MAX + 8];
        json_t *o = place_json(p, 1);
        gz_place_label(p, query, sizeof(query));
        if (strcmp(places[i].matched, p->name) != 0)
            snprintf(label, sizeof(label), "%s (%s)", places[i].matched, query);
        else
            snprintf(label, sizeof(label), "%s", query);
        json_object_set_new(o, "id", json_integer(p->id));
        json_object_set_new(o, "matched", json_string(places[i].matched));
        json_object_set_new(o, "label", json_string(label));
        json_object_set_new(o, "query", json_string(query));
        json_object_set_new(o, "lat", json_real(p->lat));
        json_object_set_new(o, "lon", json_real(p->lon));
        json_array_append_new(list, o);
    }
    json_object_set_new(root, "places", list);
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    enum ru_status rc = text ? strbuf_adds(out, text) : RU_ERR_NOMEM;
    free(text);
    return rc;
}
