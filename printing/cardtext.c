/*
 * printing/cardtext.c - the card's words in English, Danish and Spanish.
 */
#include <stdio.h>
#include <string.h>
#include "printing/cardtext.h"
#include "common/banned.h"

struct language {
    const char *code;
    const char *text[CARDTEXT_KEYS];
    /* plan lengths: one year, N years, one month, N months (N as %d) */
    const char *year1, *years, *month1, *months;
};

static const struct language languages[] = {
    {"en",
     {
         [CARDTEXT_TITLE] = "Prepaid renewal card",
         [CARDTEXT_PIN_LABEL] = "PIN",
         [CARDTEXT_STEP1] = "Go to {url} and log in, or scan the code.",
         [CARDTEXT_STEP2] = "Enter the PIN shown above.",
         [CARDTEXT_STEP3] = "Your subscription is renewed at once.",
         [CARDTEXT_LOCATOR] = "Find a store near you: {locator}",
         [CARDTEXT_TERMS] = "Keep this card until the PIN is redeemed. Not redeemable for cash. Valid only "
                            "when activated at purchase. Help: {support}",
         [CARDTEXT_BACK_TITLE] = "How to renew",
         [CARDTEXT_BACK_BODY] = "The PIN on the front renews your {brand} phone subscription. Lost or "
                                "stolen cards cannot be replaced. Questions: {support}",
     },
     "1 year of service",
     "%d years of service",
     "1 month of service",
     "%d months of service"},
    {"da",
     {
         [CARDTEXT_TITLE] = "Forudbetalt fornyelseskort",
         [CARDTEXT_PIN_LABEL] = "PIN-kode",
         [CARDTEXT_STEP1] = "Gå til {url} og log ind, eller scan koden.",
         [CARDTEXT_STEP2] = "Indtast PIN-koden ovenfor.",
         [CARDTEXT_STEP3] = "Dit abonnement er fornyet med det samme.",
         [CARDTEXT_LOCATOR] = "Find en butik nær dig: {locator}",
         [CARDTEXT_TERMS] = "Gem kortet, til PIN-koden er indløst. Kan ikke ombyttes til kontanter. "
                            "Gyldigt, når det er aktiveret ved købet. Hjælp: {support}",
         [CARDTEXT_BACK_TITLE] = "Sådan fornyer du",
         [CARDTEXT_BACK_BODY] = "PIN-koden på forsiden fornyer dit {brand}-telefonabonnement. Mistede "
                                "eller stjålne kort erstattes ikke. Spørgsmål: {support}",
     },
     "1 års abonnement",
     "%d års abonnement",
     "1 måneds abonnement",
     "%d måneders abonnement"},
    {"es",
     {
         [CARDTEXT_TITLE] = "Tarjeta de recarga prepago",
         [CARDTEXT_PIN_LABEL] = "PIN",
         [CARDTEXT_STEP1] = "Visite {url} e inicie sesión, o escanee el código.",
         [CARDTEXT_STEP2] = "Introduzca el PIN que aparece arriba.",
         [CARDTEXT_STEP3] = "Su suscripción se renueva al instante.",
         [CARDTEXT_LOCATOR] = "Encuentre una tienda cerca de usted: {locator}",
         [CARDTEXT_TERMS] = "Conserve esta tarjeta hasta canjear el PIN. No canjeable por dinero en "
                            "efectivo. Válida solo si se activa en la compra. Ayuda: {support}",
         [CARDTEXT_BACK_TITLE] = "Cómo renovar",
         [CARDTEXT_BACK_BODY] = "El PIN del anverso renueva su suscripción telefónica de {brand}. Las "
                                "tarjetas perdidas o robadas no se reemplazan. Preguntas: {support}",
     },
     "1 año de servicio",
     "%d años de servicio",
     "1 mes de servicio",
     "%d meses de servicio"},
};

const char *const cardtext_languages[] = {"en", "da", "es", NULL};

static const struct language *find(const char *lang)
{
    for (size_t i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
        if (lang && !strcmp(languages[i].code, lang))
            return &languages[i];
    return NULL;
}

int cardtext_known(const char *lang)
{
    return find(lang) != NULL;
}

const char *cardtext_get(const char *lang, enum cardtext_key key)
{
    const struct language *l = find(lang);
    return l && key >= 0 && key < CARDTEXT_KEYS ? l->text[key] : NULL;
}

void cardtext_plan(const char *lang, int months, char *out, size_t outlen)
{
    const struct language *l = find(lang);
    if (!l)
        l = &languages[0];
    /* the pattern is one of our own constants, chosen here */
    const char *pattern =
        months % 12 == 0 ? (months == 12 ? l->year1 : l->years) : (months == 1 ? l->month1 : l->months);
    int n = months % 12 == 0 ? months / 12 : months;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(out, outlen, pattern, n);
#pragma GCC diagnostic pop
}
