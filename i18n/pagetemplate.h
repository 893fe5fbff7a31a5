/*
 * i18n/pagetemplate.h - HTML pages from a template, a language and a few values.
 *
 * In the template:
 *   {{t:key}}        the catalogue's text for KEY in the language, its {name} placeholders
 *                    filled from the values, HTML-escaped
 *   {{v:name}}       a value, HTML-escaped
 *   {{raw:name}}     a value as it is: only for values the program built safe for the
 *                    place they go (catalog_json() inside <script>)
 *   {{#name}}...{{/name}}  kept when the value is given and not empty
 *   {{^name}}...{{/name}}  kept when it is not
 * Sections do not nest with the same name. Everything else is copied as it is.
 */
#ifndef REUP_I18N_PAGETEMPLATE_H
#define REUP_I18N_PAGETEMPLATE_H
#include <stddef.h>
#include "common/status.h"
#include "common/strbuf.h"

struct page_var {
    const char *name;
    const char *value;
};

/* Render TMPL in LANG with VARS (NVARS of them) onto OUT. RU_ERR_INVALID with ERR saying
 * what is wrong for an unknown key, a {{v:}} without a value or an unclosed section (a
 * template fault, found by the tests); RU_ERR_LIMIT / RU_ERR_NOMEM from the buffer. */
enum ru_status pagetemplate_render(const char *tmpl, const char *lang, const struct page_var *vars,
                                   size_t nvars, struct strbuf *out, char *err, size_t errlen) RU_WARN_UNUSED;

/* S HTML-escaped (& < > " ') onto OUT. */
enum ru_status pagetemplate_escape(const char *s, struct strbuf *out) RU_WARN_UNUSED;
#endif
