/* common/cardnum.c - Luhn serials and Damm PINs. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include "common/cardnum.h"
#include "common/wipe.h"
#include "common/banned.h"

/* Damm's quasigroup of order 10 (weakly totally anti-symmetric): every single-digit
 * error and every adjacent transposition changes the result. */
static const unsigned char damm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

int card_damm_digit(const char *digits, size_t n)
{
    unsigned interim = 0;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
        interim = damm[interim][digits[i] - '0'];
    }
    return (int)interim;
}

int card_luhn_digit(const char *digits, size_t n)
{
    unsigned sum = 0;
    /* Double every second digit counting from the right of the payload, which is the
     * digit next to where the check digit will stand. */
    for (size_t i = 0; i < n; i++) {
        char c = digits[n - 1 - i];
        if (c < '0' || c > '9')
            return -1;
        unsigned d = (unsigned)(c - '0');
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (int)((10 - sum % 10) % 10);
}

enum ru_status card_serial_make(unsigned prefix, uint64_t sequence, char out[CARD_DIGITS + 1])
{
    if (prefix > CARD_PREFIX_MAX || sequence > CARD_SEQUENCE_MAX)
        return RU_ERR_LIMIT;
    char buf[CARD_DIGITS + 1];
    unsigned long long seq = (unsigned long long)sequence;
    for (int i = 3; i >= 0; i--, prefix /= 10)
        buf[i] = (char)('0' + prefix % 10);
    for (int i = 14; i >= 4; i--, seq /= 10)
        buf[i] = (char)('0' + seq % 10);
    buf[15] = (char)('0' + card_luhn_digit(buf, 15));
    buf[16] = '\0';
    memcpy(out, buf, sizeof(buf));
    return RU_OK;
}

/* 16 digits with optional single spaces or dashes between them. */
static enum ru_status read_digits(const char *text, char out[CARD_DIGITS + 1], const char **why)
{
    char buf[CARD_DIGITS + 1];
    size_t n = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == CARD_DIGITS) {
                *why = "it has more than 16 digits";
                return RU_ERR_INVALID;
            }
            buf[n++] = *p;
        } else if ((*p == ' ' || *p == '-') && n > 0) {
            continue;
        } else {
            *why = "it may contain only digits, spaces and dashes";
            return RU_ERR_INVALID;
        }
    }
    if (n != CARD_DIGITS) {
        *why = "it has fewer than 16 digits";
        return RU_ERR_INVALID;
    }
    buf[n] = '\0';
    memcpy(out, buf, sizeof(buf));
    return RU_OK;
}

enum ru_status card_serial_parse(const char *text, char out[CARD_DIGITS + 1], const char **why)
{
    char buf[CARD_DIGITS + 1];
    enum ru_status rc = read_digits(text, buf, why);
    if (rc != RU_OK)
        return rc;
    if (card_luhn_digit(buf, 15) != buf[15] - '0') {
        *why = "its check digit is wrong (a misread or mistyped serial)";
        return RU_ERR_INVALID;
    }
    memcpy(out, buf, sizeof(buf));
    return RU_OK;
}

enum ru_status card_pin_parse(const char *text, char out[CARD_DIGITS + 1], const char **why)
{
    char buf[CARD_DIGITS + 1];
    enum ru_status rc = read_digits(text, buf, why);
    if (rc == RU_OK && card_damm_digit(buf, CARD_DIGITS) != 0) {
        *why = "its check digit is wrong (a mistyped PIN)";
        rc = RU_ERR_INVALID;
    }
    if (rc == RU_OK)
        memcpy(out, buf, sizeof(buf));
    wipe(buf, sizeof(buf));
    return rc;
}

enum ru_status card_pin_generate(char out[CARD_DIGITS + 1])
{
    /* Rejection sampling keeps the 15 digits uniform: only values below the largest
     * multiple of 10^15 that fits in 64 bits are used. */
    const uint64_t range = 1000000000000000ULL, limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t v;
    do {
        ssize_t got = getrandom(&v, sizeof(v), 0);
        if (got != (ssize_t)sizeof(v)) {
            if (got < 0 && errno == EINTR)
                continue;
            return RU_ERR_IO;
        }
    } while (v >= limit);
    v %= range;
    for (int i = 14; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
    out[15] = (char)('0' + card_damm_digit(out, 15));
    out[16] = '\0';
    wipe(&v, sizeof(v)); /* what is left of the PIN's random number */
    return RU_OK;
}

void card_format_groups(const char *digits, char out[CARD_DIGITS + 4])
{
    size_t o = 0;
    for (size_t i = 0; i < CARD_DIGITS; i++) {
        if (i && i % 4 == 0)
            out[o++] = ' ';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

void card_mask(const char *digits, char out[CARD_DIGITS + 1])
{
    memset(out, '*', CARD_DIGITS - 4);
    memcpy(out + CARD_DIGITS - 4, digits + CARD_DIGITS - 4, 4);
    out[CARD_DIGITS] = '\0';
}
