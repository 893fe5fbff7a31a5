/*
 * i18n/catalog.h - every word a customer reads, in each language we speak.
 *
 * One catalogue a language (i18n/catalog/LANG.json, embedded at build time): a flat JSON
 * object of "key": "text". The card's words (card.*), the locator page's (locate.*), the
 * redemption page's (redeem.*) and what they share (pin.*, plan.*, date.*, lang.*) live
 * side by side, so a text said in two places is translated once. Texts hold placeholders
 * in braces ({url}, {n}); a count has a ".one" and an ".other" key. Every language has
 * exactly the keys English has (tests/unit/test_catalog.c).
 */
#ifndef REUP_I18N_CATALOG_H
#define REUP_I18N_CATALOG_H
#include <stddef.h>
#include "common/status.h"
#include "common/strbuf.h"

/* The languages, as ISO 639-1 codes, NULL-terminated; the first is the fallback. */
extern const char *const catalog_languages[];

/* 1 when LANG is one of catalog_languages. Cannot fail. */
int catalog_known(const char *lang);

/* The text of KEY in LANG (English for an unknown LANG), or NULL for a key no catalogue
 * has. Static: valid for the life of the program. */
const char *catalog_text(const char *lang, const char *key);

/* The text of KEY.one or KEY.other in LANG, as the language says for N things. */
const char *catalog_count(const char *lang, const char *key, long long n);

/* The text of KEY.one or KEY.other for N, its {n} filled with N, into OUT, cut to OUTLEN:
 * "try again in 15 minutes". Cannot fail. */
void catalog_count_text(const char *lang, const char *key, long long n, char *out, size_t outlen);

/* A plan's length as the card and the pages say it, whole years as years: "1 year of
 * service", "3 months of service", "2 års abonnement", into OUT, cut to OUTLEN. */
void catalog_plan(const char *lang, int months, char *out, size_t outlen);

/* TEXT with each {name} replaced by the value VARS gives it (name, value pairs, ending
 * in NULL), appended to OUT. A {name} VARS does not give is kept as it is.
 * RU_ERR_LIMIT / RU_ERR_NOMEM from the buffer. */
enum ru_status catalog_fill(const char *text, const char *const *vars, struct strbuf *out) RU_WARN_UNUSED;

/* A date as LANG writes it in full ("November 25, 2027", "25. november 2027",
 * "25 de noviembre de 2027") into OUT, cut to OUTLEN. Cannot fail. */
void catalog_date(const char *lang, int year, int month, int day, char *out, size_t outlen);

/* The keys of LANG that start with one of PREFIXES (NULL-terminated), as one JSON object
 * safe to place inside an HTML <script> element ("<", ">" and "&" escaped), appended to
 * OUT. RU_ERR_LIMIT / RU_ERR_NOMEM. */
enum ru_status catalog_json(const char *lang, const char *const *prefixes, struct strbuf *out) RU_WARN_UNUSED;

/* The catalogues as parsed: RU_OK, or RU_ERR_INVALID with a message naming the file and
 * the key (a broken catalogue is a build fault; the tests call this). */
enum ru_status catalog_check(char *err, size_t errlen);
#endif
