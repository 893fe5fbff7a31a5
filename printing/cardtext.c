/*
 * printing/cardtext.c - the card's words: the catalogue's card.* texts (i18n/catalog/).
 */
#include <stdio.h>
#include <string.h>
#include "printing/cardtext.h"
#include "i18n/catalog.h"
#include "common/banned.h"

static const char *const keys[CARDTEXT_KEYS] = {
    [CARDTEXT_TITLE] = "card.title",         [CARDTEXT_PIN_LABEL] = "pin.label",
    [CARDTEXT_STEP1] = "card.step1",         [CARDTEXT_STEP2] = "card.step2",
    [CARDTEXT_STEP3] = "card.step3",         [CARDTEXT_LOCATOR] = "card.locator",
    [CARDTEXT_TERMS] = "card.terms",         [CARDTEXT_BACK_TITLE] = "card.back_title",
    [CARDTEXT_BACK_BODY] = "card.back_body",
};

const char *const *const cardtext_languages = catalog_languages;

int cardtext_known(const char *lang)
{
    return catalog_known(lang);
}

const char *cardtext_get(const char *lang, enum cardtext_key key)
{
    return catalog_known(lang) && key >= 0 && key < CARDTEXT_KEYS ? catalog_text(lang, keys[key]) : NULL;
}
