/*
 * tests/fuzz/fuzz_scan.c - libFuzzer target for scanner input on the sale screen.
 * A serial read must be 16 digits with a good Luhn digit; a word only the allowed
 * characters; a refusal must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pos/scan.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scan s;
    scan_read((const char *)data, size, &s);
    switch (s.kind) {
    case SCAN_SERIAL:
        if (strlen(s.serial) != CARD_DIGITS || card_luhn_digit(s.serial, 15) != s.serial[15] - '0')
            abort();
        break;
    case SCAN_WORD:
        if (!s.word[0] ||
            strspn(s.word, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") !=
                strlen(s.word))
            abort();
        break;
    case SCAN_BAD:
        if (!s.why || !*s.why)
            abort();
        break;
    case SCAN_NOTHING: break;
    }
    return 0;
}
