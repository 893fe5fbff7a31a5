/*
 * common/urltext.h - text as it comes in query strings and forms: percent-decoding
 * (application/x-www-form-urlencoded) and well-formed UTF-8. Each caller adds its own
 * rules on top (which characters a value may hold); these are the parts they share.
 * Pure: no I/O, no allocation.
 */
#ifndef REUP_COMMON_URLTEXT_H
#define REUP_COMMON_URLTEXT_H
#include <stddef.h>

/* The value of the hex digit C (either case), or -1. */
int urltext_hex_digit(char c);

/* Decode LEN bytes of SRC ('+' a space, %XX a byte) into DST, CAP bytes with the NUL
 * added. The decoded length (DST may hold a NUL byte from %00), or -1 for an escape that
 * is not '%' and two hex digits, or a result longer than CAP - 1 bytes. */
long urltext_decode(const char *src, size_t len, char *dst, size_t cap);

/* The length (1 to 4) of the well-formed UTF-8 sequence at S, NUL-terminated, or 0:
 * overlong forms, surrogates and code points past U+10FFFF are not well formed
 * (Unicode table 3-7). A NUL is a sequence of 1. */
size_t urltext_utf8_sequence(const unsigned char *s);
#endif
