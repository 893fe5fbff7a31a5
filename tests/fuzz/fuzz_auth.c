/*
 * tests/fuzz/fuzz_auth.c - libFuzzer target for the Authorization header parser.
 * An accepted header has a terminal, a timestamp and 64 lowercase hex digits, and a
 * signature that was not made with the secret never verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/auth.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char secret[32] = {1, 2, 3};
    char text[AUTH_HEADER_MAX + 64];
    if (size >= sizeof(text))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct auth_header h;
    const char *why = NULL;
    if (auth_header_parse(text, &h, &why) != RU_OK) {
        if (!why || !*why)
            abort();
        return 0;
    }
    if (!*h.terminal || h.ts < 0 || strlen(h.sig) != AUTH_SIG_HEX ||
        strspn(h.sig, "0123456789abcdef") != AUTH_SIG_HEX)
        abort();
    char real[AUTH_SIG_HEX + 1];
    if (auth_sign(secret, sizeof(secret), "POST", "/v1/x", h.ts, "{}", 2, real) != RU_OK)
        abort();
    enum ru_status rc = auth_verify(&h, secret, sizeof(secret), "POST", "/v1/x", "{}", 2, h.ts);
    if ((rc == RU_OK) != (strcmp(real, h.sig) == 0))
        abort();
    return 0;
}
