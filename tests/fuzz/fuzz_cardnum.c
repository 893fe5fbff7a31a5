/*
 * tests/fuzz/fuzz_cardnum.c - libFuzzer target for card serial and PIN parsing.
 * Whatever is accepted must be 16 digits with a valid check digit, and must parse again
 * to itself from its grouped form; whatever is refused must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/cardnum.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(enum ru_status (*parse)(const char *, char *, const char **), const char *text, int luhn)
{
    char out[CARD_DIGITS + 1], again[CARD_DIGITS + 1], grouped[CARD_DIGITS + 4];
    const char *why = NULL;
    if (parse(text, out, &why) != RU_OK) {
        if (!why || !*why)
            abort();
        return;
    }
    if (strlen(out) != CARD_DIGITS || strspn(out, "0123456789") != CARD_DIGITS)
        abort();
    if (luhn ? card_luhn_digit(out, 15) != out[15] - '0' : card_damm_digit(out, CARD_DIGITS) != 0)
        abort();
    card_format_groups(out, grouped);
    if (parse(grouped, again, &why) != RU_OK || strcmp(again, out) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char text[257];
    memcpy(text, data, size);
    text[size] = '\0';
    check(card_serial_parse, text, 1);
    check(card_pin_parse, text, 0);
    return 0;
}
