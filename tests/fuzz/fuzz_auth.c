/*
 * tests/fuzz/fuzz_auth.c - libFuzzer target for the Authorization header parser.
 * An accepted header has a terminal, a timestamp and 64 lowercase hex digits, and a
 * signature that was not made with the secret never verifies. The same bytes are read as a
 * ReUp-Journal-Head value too: an accepted head is a positive sequence number and 64
 * lowercase hex digits, and formats back to the very bytes it came from.
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
    struct auth_head jh;
    const char *why = NULL;
    if (auth_head_parse(text, &jh, &why) == RU_OK) {
        char back[AUTH_HEAD_MAX + 1];
        auth_head_format(&jh, back);
        if (jh.seq < 1 || strcmp(back, text) != 0 || strspn(jh.hash, "0123456789abcdef") != 64)
            abort();
    } else if (!why || !*why)
        abort();
    why = NULL;
    struct auth_header h;
    if (auth_header_parse(text, &h, &why) != RU_OK) {
        if (!why || !*why)
            abort();
        return 0;
    }
    if (!*h.terminal || h.ts < 0 || strlen(h.sig) != AUTH_SIG_HEX ||
        strspn(h.sig, "0123456789abcdef") != AUTH_SIG_HEX)
        abort();
    char real[AUTH_SIG_HEX + 1];
    if (auth_sign(secret, sizeof(secret), "POST", "/v1/x", h.ts, "{}", 2, NULL, real) != RU_OK)
        abort();
    enum ru_status rc = auth_verify(&h, secret, sizeof(secret), "POST", "/v1/x", "{}", 2, NULL, h.ts);
    if ((rc == RU_OK) != (strcmp(real, h.sig) == 0))
        abort();
    return 0;
}
