/*
 * common/inifile.c - inih with line-numbered errors.
 */
#include <ini.h>
#include <stdio.h>
#include "common/inifile.h"
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
