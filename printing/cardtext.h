/*
 * printing/cardtext.h - every word printed on a card, in each language we print.
 *
 * The words are the catalogue's (i18n/catalog.h), shared with the pages where they say
 * the same thing. Texts are UTF-8 with placeholders the renderer fills: {url} (the
 * redemption address as a person types it), {locator}, {support}, {brand}. No I/O.
 */
#ifndef REUP_PRINTING_CARDTEXT_H
#define REUP_PRINTING_CARDTEXT_H
#include <stddef.h>

enum cardtext_key {
    CARDTEXT_TITLE,
    CARDTEXT_PIN_LABEL,
    CARDTEXT_STEP1,
    CARDTEXT_STEP2,
    CARDTEXT_STEP3,
    CARDTEXT_LOCATOR,
    CARDTEXT_TERMS,
    CARDTEXT_BACK_TITLE,
    CARDTEXT_BACK_BODY,
    CARDTEXT_KEYS
};

/* The languages, as ISO 639-1 codes, NULL-terminated. */
extern const char *const *const cardtext_languages;

/* 1 when LANG is one of cardtext_languages. Cannot fail. */
int cardtext_known(const char *lang);

/* The text KEY in LANG (static), or NULL for an unknown language. */
const char *cardtext_get(const char *lang, enum cardtext_key key);

#endif
