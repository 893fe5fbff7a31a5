/*
 * tests/fuzz/fuzz_batchread.c - libFuzzer target for the batch-file row parser.
 * An accepted row must hold a serial with a valid Luhn digit, a PIN with a valid Damm
 * digit, and plan and batch codes of the allowed characters; a refused row must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "printing/batchread.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int code_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= BATCHREAD_CODE_MAX &&
           strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct batchrow row;
    const char *why = NULL;
    if (batchread_parse_line((const char *)data, size, &row, &why) != RU_OK) {
        if (!why || !*why)
            abort();
        return 0;
    }
    if (strlen(row.serial) != CARD_DIGITS || card_luhn_digit(row.serial, 15) != row.serial[15] - '0')
        abort();
    if (strlen(row.pin) != CARD_DIGITS || card_damm_digit(row.pin, CARD_DIGITS) != 0)
        abort();
    if (!code_ok(row.plan) || !code_ok(row.batch))
        abort();
    return 0;
}
