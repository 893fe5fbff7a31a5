/*
 * common/inifile.c - inih with line-numbered errors.
 */
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include "common/inifile.h"
#include "common/urltext.h"
#include "common/banned.h"

struct call {
    inifile_fn fn;
    void *ctx;
    char why[INIFILE_WHY_MAX];
};

static int on_value(void *user, const char *section, const char *key, const char *value)
{
    struct call *c = user;
    return c->fn(c->ctx, section, key, value, c->why);
}

enum ru_status inifile_parse(const char *text, inifile_fn fn, void *ctx, char *err, size_t errlen)
{
    unsigned line = 1;
    size_t col = 0;
    for (const char *ch = text; *ch; ch++) {
        if (*ch == '\n') {
            line++;
            col = 0;
        } else if (++col > INIFILE_LINE_MAX) {
            snprintf(err, errlen, "line %u: longer than %d bytes", line, INIFILE_LINE_MAX);
            return RU_ERR_INVALID;
        }
    }
    struct call c = {.fn = fn, .ctx = ctx};
    int bad = ini_parse_string(text, on_value, &c);
    if (bad == 0)
        return RU_OK;
    snprintf(err, errlen, "line %d: %s", bad, c.why[0] ? c.why : "not KEY = VALUE or [SECTION]");
    return RU_ERR_INVALID;
}

int inifile_text(char *dst, size_t cap, const char *value, size_t min_len, const char *name, char *why)
{
    size_t n = strlen(value);
    if (n < min_len || n >= cap) {
        if (min_len)
            snprintf(why, INIFILE_WHY_MAX, "%s must be %zu to %zu bytes", name, min_len, cap - 1);
        else
            snprintf(why, INIFILE_WHY_MAX, "%s is longer than %zu bytes", name, cap - 1);
        return 0;
    }
    for (const unsigned char *c = (const unsigned char *)value; *c;) {
        if (*c < 0x20 || *c == 0x7f) {
            snprintf(why, INIFILE_WHY_MAX, "%s holds a control character", name);
            return 0;
        }
        size_t len = urltext_utf8_sequence(c);
        if (!len) {
            snprintf(why, INIFILE_WHY_MAX, "%s is not valid UTF-8 (byte %zu): save the file as UTF-8", name,
                     (size_t)(c - (const unsigned char *)value) + 1);
            return 0;
        }
        c += len;
    }
    memcpy(dst, value, n + 1);
    return 1;
}
