/* common/urltext.c - percent-decoding and UTF-8 sequences. */
#include "common/urltext.h"
#include "common/banned.h"

int urltext_hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

long urltext_decode(const char *src, size_t len, char *dst, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)src[i];
        if (c == '+')
            c = ' ';
        else if (c == '%') {
            int h = i + 2 < len ? urltext_hex_digit(src[i + 1]) : -1,
                l = i + 2 < len ? urltext_hex_digit(src[i + 2]) : -1;
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (n + 1 >= cap)
            return -1;
        dst[n++] = (char)c;
    }
    if (!cap)
        return -1;
    dst[n] = '\0';
    return (long)n;
}

size_t urltext_utf8_sequence(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    unsigned lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
    unsigned hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
    for (size_t i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
        if (s[i] < lo || s[i] > hi)
            return 0;
    return n;
}
