/*
 * locator/gazetteer.h - turning a place name or postal code into a position.
 *
 * Place queries: "Springfield", "Springfield, IL", "springfield illinois",
 * "SPRINGFIELD, IL, US", "København". Names are compared in folded form (fold.h).
 * Ranking: a match on a place's name or ASCII name beats a match on an alternate name;
 * then the larger population wins; then the lower GeoNames id. Qualifiers after the name
 * (a region code or name, a country code, ISO3 code or name) keep only the places they
 * describe. Unknown names get "did you mean" suggestions from a trigram index.
 */
#ifndef REUP_LOCATOR_GAZETTEER_H
#define REUP_LOCATOR_GAZETTEER_H
#include <stddef.h>
#include "common/status.h"
#include "db/db.h"

#define GZ_TEXT_MAX         200
#define GZ_MAX_ALTERNATIVES 5
#define GZ_MAX_SUGGESTIONS  5

struct gazetteer;

struct gz_place {
    long long id; /* GeoNames id; 0 for a postal code */
    char name[GZ_TEXT_MAX];
    char region[GZ_TEXT_MAX];      /* display form: "WY" for US states, else the name */
    char region_name[GZ_TEXT_MAX]; /* full admin1 name, "" when unknown */
    char country[4];               /* ISO alpha-2 */
    char country_name[GZ_TEXT_MAX];
    double lat, lon;
    long long population;
};

struct gz_match {
    struct gz_place best;
    struct gz_place alternatives[GZ_MAX_ALTERNATIVES]; /* runners-up, distinct labels */
    size_t nalternatives;
};

/* Prepares its statements on DB (which must outlive it). */
enum ru_status gazetteer_open(struct db *db, struct gazetteer **out) RU_WARN_UNUSED;
void gazetteer_free(struct gazetteer *gz);

/* Resolve a place query. RU_ERR_NOT_FOUND when nothing matches (*out untouched),
 * RU_ERR_INVALID for text that folds to nothing, RU_ERR_DB. */
enum ru_status gazetteer_find_place(struct gazetteer *gz, const char *query,
                                    struct gz_match *out) RU_WARN_UNUSED;

/* Resolve a postal code ("82901", "82901-1234"), optionally narrowed by "CODE, COUNTRY".
 * RU_ERR_NOT_FOUND when unknown. */
enum ru_status gazetteer_find_postal(struct gazetteer *gz, const char *query,
                                     struct gz_match *out) RU_WARN_UNUSED;

/* Up to GZ_MAX_SUGGESTIONS place names spelled like the name part of QUERY, closest first.
 * Fills OUT[0..*n). Cannot find any for names under three characters. */
enum ru_status gazetteer_suggest(struct gazetteer *gz, const char *query,
                                 char out[GZ_MAX_SUGGESTIONS][GZ_TEXT_MAX], size_t *n) RU_WARN_UNUSED;

/* Take suggestion candidates from IX (nameindex.h; it must outlive GZ) instead of the
 * database's FTS5 index: the same kind of candidates, far faster once IX is built. */
struct name_index;
void gazetteer_use_name_index(struct gazetteer *gz, const struct name_index *ix);

/* Fill *out with the place whose GeoNames id is ID (for reverse geocoding). */
enum ru_status gazetteer_place_by_id(struct gazetteer *gz, long long id, struct gz_place *out) RU_WARN_UNUSED;

#define GZ_COMPLETE_MAX 50

struct gz_completion {
    struct gz_place place;
    /* The spelling that starts with the prefix: the place's name, or the alternate name
     * the prefix matched ("København" for "Kobe"). */
    char matched[GZ_TEXT_MAX];
};

/* Places whose name or alternate name starts with PREFIX (folded as names are), most
 * populous first, each place once: up to LIMIT (at most GZ_COMPLETE_MAX) into OUT[0..*n).
 * A place matched by its own name is offered under it before any alternate name, the
 * shortest matching alternate otherwise. RU_ERR_INVALID for a prefix that folds to
 * nothing. */
enum ru_status gazetteer_complete(struct gazetteer *gz, const char *prefix, size_t limit,
                                  struct gz_completion *out, size_t *n) RU_WARN_UNUSED;

/* "Springfield, IL, US": name, region and country joined for people. */
void gz_place_label(const struct gz_place *p, char *buf, size_t len);

#endif
