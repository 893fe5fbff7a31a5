/*
 * i18n/langpick.h - which of our languages a reader gets.
 *
 * A language named in the address (?lang=da) wins when it is one we speak; else the best
 * of the browser's Accept-Language (RFC 9110 12.5.4: q-values, "da-DK" matches "da",
 * "*" matches the fallback); else English. Parses outside input strictly: a header that
 * does not parse counts as absent. Pure: no I/O, no allocation.
 */
#ifndef REUP_I18N_LANGPICK_H
#define REUP_I18N_LANGPICK_H

/* One of catalog_languages (static). QUERY_LANG and ACCEPT_LANGUAGE may be NULL. */
const char *langpick(const char *query_lang, const char *accept_language);

/* The region of the first range of ACCEPT_LANGUAGE, upper-cased ("US" of "en-US,en;q=0.9")
 * into REGION (3 bytes), or "" when there is none. */
void langpick_region(const char *accept_language, char region[3]);
#endif
