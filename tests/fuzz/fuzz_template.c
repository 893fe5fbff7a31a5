/*
 * tests/fuzz/fuzz_template.c - libFuzzer target for the card template parser.
 * An accepted template must hold a redemption URL with {pin} once that makes a URL for
 * any PIN, a known language, and 1 to 32 plans of 1 to 120 months; a refusal must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "printing/cardtext.h"
#include "printing/template.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct card_template t;
    char err[300] = "";
    if (template_parse(text, "/base", &t, err, sizeof(err)) != RU_OK) {
        if (!err[0])
            abort();
        free(text);
        return 0;
    }
    char url[TEMPLATE_TEXT_MAX + 32];
    const char *at = strstr(t.redeem_url, "{pin}");
    if (!at || strstr(at + 1, "{pin}") ||
        template_redeem_url(&t, "1234567890123452", url, sizeof(url)) != RU_OK)
        abort();
    if (!cardtext_known(t.language) || t.nplans < 1 || t.nplans > TEMPLATE_PLANS_MAX)
        abort();
    for (size_t i = 0; i < t.nplans; i++)
        if (t.plans[i].months < 1 || t.plans[i].months > 120 || !t.plans[i].code[0])
            abort();
    free(text);
    return 0;
}
