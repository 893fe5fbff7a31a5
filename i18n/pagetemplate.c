/* i18n/pagetemplate.c - {{t:key}}, {{v:name}}, {{raw:name}} and sections in HTML. */
#include <stdio.h>
#include <string.h>
#include "i18n/pagetemplate.h"
#include "i18n/catalog.h"
#include "common/banned.h"

/* Longest key or value name a tag may hold. */
#define NAME_MAX_LEN 96

struct render {
    const char *lang;
    const struct page_var *vars;
    size_t nvars;
    struct strbuf *out;
    char *err;
    size_t errlen;
};

static const char *value_of(const struct render *r, const char *name)
{
    for (size_t i = 0; i < r->nvars; i++)
        if (r->vars[i].name && !strcmp(r->vars[i].name, name))
            return r->vars[i].value;
    return NULL;
}

enum ru_status pagetemplate_escape(const char *s, struct strbuf *out)
{
    enum ru_status rc = RU_OK;
    for (const char *p = s; *p && rc == RU_OK;) {
        size_t plain = strcspn(p, "&<>\"'");
        rc = strbuf_add(out, p, plain);
        p += plain;
        if (*p && rc == RU_OK) {
            rc = strbuf_adds(out, *p == '&'   ? "&amp;"
                                  : *p == '<' ? "&lt;"
                                  : *p == '>' ? "&gt;"
                                  : *p == '"' ? "&quot;"
                                              : "&#39;");
            p++;
        }
    }
    return rc;
}

static enum ru_status fail(const struct render *r, const char *what, const char *name)
{
    snprintf(r->err, r->errlen, "%s '%.96s'", what, name);
    return RU_ERR_INVALID;
}

/* The catalogue text KEY with its {name} placeholders filled from the values, escaped. */
static enum ru_status text(const struct render *r, const char *key)
{
    const char *t = catalog_text(r->lang, key);
    if (!t)
        return fail(r, "the catalogue has no key", key);
    const char *fill[2 * 16 + 1];
    size_t n = 0;
    for (size_t i = 0; i < r->nvars && n + 2 < sizeof(fill) / sizeof(fill[0]); i++)
        if (r->vars[i].name && r->vars[i].value) {
            fill[n++] = r->vars[i].name;
            fill[n++] = r->vars[i].value;
        }
    fill[n] = NULL;
    struct strbuf filled;
    strbuf_init(&filled, 0);
    enum ru_status rc = catalog_fill(t, fill, &filled);
    if (rc == RU_OK)
        rc = pagetemplate_escape(strbuf_str(&filled), r->out);
    strbuf_release(&filled);
    return rc;
}

/* Renders [P, END) of the template; a section's body is rendered or skipped as a whole. */
static enum ru_status render(const struct render *r, const char *p, const char *end)
{
    while (p < end) {
        const char *open = strstr(p, "{{");
        if (!open || open >= end)
            return strbuf_add(r->out, p, (size_t)(end - p));
        enum ru_status rc = strbuf_add(r->out, p, (size_t)(open - p));
        const char *close = strstr(open + 2, "}}");
        char tag[NAME_MAX_LEN + 8];
        if (rc != RU_OK)
            return rc;
        if (!close || close > end || (size_t)(close - open - 2) >= sizeof(tag))
            return fail(r, "a tag is not closed or too long near", "{{");
        memcpy(tag, open + 2, (size_t)(close - open - 2));
        tag[close - open - 2] = '\0';
        p = close + 2;
        if (!strncmp(tag, "t:", 2)) {
            rc = text(r, tag + 2);
        } else if (!strncmp(tag, "v:", 2) || !strncmp(tag, "raw:", 4)) {
            int raw = tag[0] == 'r';
            const char *name = tag + (raw ? 4 : 2), *v = value_of(r, name);
            if (!v)
                return fail(r, "no value for", name);
            rc = raw ? strbuf_adds(r->out, v) : pagetemplate_escape(v, r->out);
        } else if (tag[0] == '#' || tag[0] == '^') {
            char closing[NAME_MAX_LEN + 16];
            snprintf(closing, sizeof(closing), "{{/%s}}", tag + 1);
            const char *body_end = strstr(p, closing);
            if (!body_end || body_end > end)
                return fail(r, "the section is not closed:", tag);
            const char *v = value_of(r, tag + 1);
            int given = v && *v;
            if (given == (tag[0] == '#'))
                rc = render(r, p, body_end);
            p = body_end + strlen(closing);
        } else {
            return fail(r, "unknown tag", tag);
        }
        if (rc != RU_OK)
            return rc;
    }
    return RU_OK;
}

enum ru_status pagetemplate_render(const char *tmpl, const char *lang, const struct page_var *vars,
                                   size_t nvars, struct strbuf *out, char *err, size_t errlen)
{
    struct render r = {lang, vars, nvars, out, err, errlen};
    if (errlen)
        err[0] = '\0';
    return render(&r, tmpl, tmpl + strlen(tmpl));
}
