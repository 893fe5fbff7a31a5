/*
 * locator/output.h - a locate result as text for people, JSON or GeoJSON for programs.
 * Each function appends to a strbuf; the program decides where it goes.
 * The JSON schema is documented in docs/locator.md.
 */
#ifndef REUP_LOCATOR_OUTPUT_H
#define REUP_LOCATOR_OUTPUT_H
#include "common/status.h"
#include "common/strbuf.h"
#include "locator/locate.h"

enum output_units { UNITS_AUTO, UNITS_MI, UNITS_KM };

/* Miles for an origin in the US, kilometres elsewhere, unless the caller chose. */
enum output_units output_units_for(const struct locate_result *r, enum output_units chosen);

/* The table a person reads: rank, store, address, city, distance, direction; then the
 * runners-up of an ambiguous place. */
enum ru_status output_table(struct strbuf *out, const char *query, const struct locate_result *r,
                            enum output_units units) RU_WARN_UNUSED;
enum ru_status output_json(struct strbuf *out, const char *query,
                           const struct locate_result *r) RU_WARN_UNUSED;
enum ru_status output_geojson(struct strbuf *out, const char *query,
                              const struct locate_result *r) RU_WARN_UNUSED;

/* {"places":[{name, region, region_name, country, country_name, population, id, label,
 * lat, lon}]} for the N PLACES of an autocomplete. */
enum ru_status output_places_json(struct strbuf *out, const struct gz_completion *places,
                                  size_t n) RU_WARN_UNUSED;

/* {"zoom":Z,"labels":[{name, lat, lon, population, rank, id}]} for the N LABELS of a map
 * view (docs/locator.md, "GET /api/v1/labels"). */
enum ru_status output_labels_json(struct strbuf *out, int zoom, const struct label *labels,
                                  size_t n) RU_WARN_UNUSED;

/* Display width of UTF-8 text in terminal columns. */
size_t output_width(const char *s);

#endif
