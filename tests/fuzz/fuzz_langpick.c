/*
 * tests/fuzz/fuzz_langpick.c - libFuzzer target for Accept-Language and ?lang.
 * Whatever comes in, the answer is one of our languages, the region two capital letters
 * or nothing, and the address's language wins whenever it is one of ours.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "i18n/catalog.h"
#include "i18n/langpick.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char region[3];
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *lang = langpick(NULL, text);
    if (!catalog_known(lang))
        abort();
    /* the first bytes as the address's ?lang= */
    char query[4] = {0};
    memcpy(query, text, size < 3 ? size : 2);
    const char *chosen = langpick(query, text);
    if (catalog_known(query) ? strcmp(chosen, query) != 0 : strcmp(chosen, lang) != 0)
        abort();
    langpick_region(text, region);
    if (region[0] &&
        (strlen(region) != 2 || region[0] < 'A' || region[0] > 'Z' || region[1] < 'A' || region[1] > 'Z'))
        abort();
    free(text);
    return 0;
}
