/* locator/fold.c - folding names for matching, on utf8proc. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "locator/fold.h"
#include "common/banned.h"

/* Letters that carry their difference in the base letter rather than in a combining
 * mark, so decomposition leaves them alone. Lowercase: folding has happened already. */
static const char *special(utf8proc_int32_t c)
{
    switch (c) {
    case 0x00F8: return "o";  /* ø */
    case 0x00E6: return "ae"; /* æ */
    case 0x0153: return "oe"; /* œ */
    case 0x00F0: return "d";  /* ð */
    case 0x0111: return "d";  /* đ */
    case 0x0142: return "l";  /* ł */
    case 0x00FE: return "th"; /* þ */
    case 0x0131: return "i";  /* dotless ı */
    case 0x0127: return "h";  /* ħ */
    case 0x0167: return "t";  /* ŧ */
    case 0x0138: return "k";  /* ĸ */
    default: return NULL;
    }
}

static int is_apostrophe(utf8proc_int32_t c)
{
    return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC || c == 0x02BB || c == 0x00B4;
}

/* Most names are plain ASCII: fold them without utf8proc's allocation. */
static enum ru_status fold_ascii(const char *text, size_t len, struct strbuf *out)
{
    size_t start = out->len;
    int pending_space = 0;
    enum ru_status st = RU_OK;
    for (size_t i = 0; i < len && st == RU_OK; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\'' || c == '`')
            continue;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
            if (pending_space && out->len > start)
                st = strbuf_addch(out, ' ');
            pending_space = 0;
            if (st == RU_OK)
                st = strbuf_addch(out, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
        } else {
            pending_space = 1;
        }
    }
    if (st != RU_OK) {
        out->len = start;
        if (out->buf)
            out->buf[start] = '\0';
    }
    return st;
}

static int check_utf8(const char *text, size_t len, int allow_controls)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    utf8proc_ssize_t left = (utf8proc_ssize_t)len;
    while (left > 0) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
        if (n <= 0)
            return 0;
        if (!allow_controls && utf8proc_category(c) == UTF8PROC_CATEGORY_CC)
            return 0;
        p += n;
        left -= n;
    }
    return 1;
}

size_t fold_utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    /* step back over continuation bytes to the start of the cut character */
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

int fold_is_clean_utf8(const char *text, size_t len)
{
    return check_utf8(text, len, 0);
}

int fold_is_utf8(const char *text, size_t len)
{
    return check_utf8(text, len, 1);
}

enum ru_status fold_text(const char *text, size_t len, struct strbuf *out)
{
    size_t i;
    for (i = 0; i < len && !((unsigned char)text[i] & 0x80); i++)
        ;
    if (i == len)
        return fold_ascii(text, len, out);

    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &mapped,
                     UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) {
        free(mapped);
        return n == UTF8PROC_ERROR_NOMEM ? RU_ERR_NOMEM : RU_ERR_INVALID;
    }

    enum ru_status st = RU_OK;
    size_t start = out->len;
    int pending_space = 0;
    const utf8proc_uint8_t *p = mapped;
    while (n > 0) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p, n, &c);
        if (k <= 0) {
            st = RU_ERR_INVALID;
            break;
        }
        p += k;
        n -= k;
        if (is_apostrophe(c))
            continue;
        utf8proc_category_t cat = utf8proc_category(c);
        int keep = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO &&
                   !(cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME);
        if (!keep) {
            pending_space = 1;
            continue;
        }
        if (pending_space && out->len > start && (st = strbuf_addch(out, ' ')) != RU_OK)
            break;
        pending_space = 0;
        const char *sp = special(c);
        if (sp) {
            st = strbuf_adds(out, sp);
        } else {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t m = utf8proc_encode_char(c, enc);
            st = strbuf_add(out, enc, (size_t)m);
        }
        if (st != RU_OK)
            break;
    }
    free(mapped);
    if (st != RU_OK) {
        out->len = start;
        if (out->buf)
            out->buf[start] = '\0';
    }
    return st;
}
