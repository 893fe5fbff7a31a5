/* i18n/catalog.c - the catalogues, parsed once from the copies embedded at build time. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "i18n/catalog.h"
#include "common/banned.h"

/* embedded by i18n/CMakeLists.txt in this order */
extern const char *const i18n_catalogs[];
const char *const catalog_languages[] = {"en", "da", "es", NULL};
#define LANGUAGES 3

static json_t *catalogs[LANGUAGES];
static char load_error[256];
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

/* A catalogue must be an object of strings; the first fault is kept for catalog_check(). */
static void load(void)
{
    for (int i = 0; i < LANGUAGES; i++) {
        json_error_t e;
        json_t *root = json_loads(i18n_catalogs[i], JSON_REJECT_DUPLICATES, &e);
        const char *key;
        json_t *v;
        if (!json_is_object(root)) {
            if (!load_error[0])
                snprintf(load_error, sizeof(load_error), "i18n/catalog/%s.json: line %d: %s",
                         catalog_languages[i], e.line, root ? "not a JSON object" : e.text);
            json_decref(root);
            root = json_object();
        }
        json_object_foreach(root, key, v)
        {
            if (!json_is_string(v) && !load_error[0])
                snprintf(load_error, sizeof(load_error), "i18n/catalog/%s.json: %.100s is not a string",
                         catalog_languages[i], key);
        }
        catalogs[i] = root;
    }
}

static json_t *catalog_of(const char *lang)
{
    pthread_once(&loaded, load);
    for (int i = 0; i < LANGUAGES; i++)
        if (lang && !strcmp(lang, catalog_languages[i]))
            return catalogs[i];
    return catalogs[0];
}

int catalog_known(const char *lang)
{
    for (int i = 0; lang && catalog_languages[i]; i++)
        if (!strcmp(lang, catalog_languages[i]))
            return 1;
    return 0;
}

const char *catalog_text(const char *lang, const char *key)
{
    const char *s = json_string_value(json_object_get(catalog_of(lang), key));
    /* a key missing from one language shows in English rather than not at all */
    return s ? s : json_string_value(json_object_get(catalog_of("en"), key));
}

const char *catalog_count(const char *lang, const char *key, long long n)
{
    /* English, Danish and Spanish all say "one" for exactly 1 and "other" for the rest */
    char full[160];
    snprintf(full, sizeof(full), "%s.%s", key, n == 1 ? "one" : "other");
    return catalog_text(lang, full);
}

enum ru_status catalog_fill(const char *text, const char *const *vars, struct strbuf *out)
{
    enum ru_status rc = RU_OK;
    for (const char *p = text; *p && rc == RU_OK;) {
        const char *close = *p == '{' ? strchr(p + 1, '}') : NULL;
        const char *value = NULL;
        if (close)
            for (const char *const *v = vars; v && v[0]; v += 2)
                if (strlen(v[0]) == (size_t)(close - p - 1) &&
                    !strncmp(v[0], p + 1, (size_t)(close - p - 1))) {
                    value = v[1];
                    break;
                }
        if (value) {
            rc = strbuf_adds(out, value);
            p = close + 1;
        } else {
            size_t n = strcspn(p + 1, "{") + 1;
            rc = strbuf_add(out, p, n);
            p += n;
        }
    }
    return rc;
}

/* TEXT filled from VARS into OUT, cut to OUTLEN; 0 when it could not be (out of memory). */
static int fill_into(const char *text, const char *const *vars, char *out, size_t outlen)
{
    struct strbuf sb;
    strbuf_init(&sb, 4096);
    int ok = outlen && catalog_fill(text, vars, &sb) == RU_OK;
    if (ok)
        snprintf(out, outlen, "%s", strbuf_str(&sb));
    strbuf_release(&sb);
    return ok;
}

void catalog_count_text(const char *lang, const char *key, long long n, char *out, size_t outlen)
{
    char num[24];
    snprintf(num, sizeof(num), "%lld", n);
    const char *vars[] = {"n", num, NULL};
    if (!fill_into(catalog_count(lang, key, n), vars, out, outlen) && outlen)
        snprintf(out, outlen, "%s", num);
}

void catalog_plan(const char *lang, int months, char *out, size_t outlen)
{
    if (months % 12 == 0)
        catalog_count_text(lang, "plan.years", months / 12, out, outlen);
    else
        catalog_count_text(lang, "plan.months", months, out, outlen);
}

void catalog_date(const char *lang, int year, int month, int day, char *out, size_t outlen)
{
    char key[24], d[16], y[16];
    snprintf(key, sizeof(key), "date.month.%d", month);
    snprintf(d, sizeof(d), "%d", day);
    snprintf(y, sizeof(y), "%d", year);
    const char *name = catalog_text(lang, key);
    const char *vars[] = {"month", name ? name : "?", "day", d, "year", y, NULL};
    if (!fill_into(catalog_text(lang, "date.long"), vars, out, outlen) && outlen)
        snprintf(out, outlen, "%04d-%02d-%02d", year, month, day);
}

/* JSON text for inside <script>: jansson's own escaping, then the three characters an HTML
 * parser would act on as \u escapes, which JSON reads back as the same characters. */
static enum ru_status add_script_safe(struct strbuf *out, const char *json)
{
    enum ru_status rc = RU_OK;
    for (const char *p = json; *p && rc == RU_OK; p++)
        rc = *p == '<'   ? strbuf_adds(out, "\\u003c")
             : *p == '>' ? strbuf_adds(out, "\\u003e")
             : *p == '&' ? strbuf_adds(out, "\\u0026")
                         : strbuf_addch(out, *p);
    return rc;
}

enum ru_status catalog_json(const char *lang, const char *const *prefixes, struct strbuf *out)
{
    json_t *part = json_object();
    const char *key;
    json_t *v;
    if (!part)
        return RU_ERR_NOMEM;
    json_object_foreach(catalog_of(lang), key, v)
    {
        for (const char *const *p = prefixes; p && *p; p++)
            if (!strncmp(key, *p, strlen(*p)) && json_object_set(part, key, v) != 0) {
                json_decref(part);
                return RU_ERR_NOMEM;
            }
    }
    char *text = json_dumps(part, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(part);
    if (!text)
        return RU_ERR_NOMEM;
    enum ru_status rc = add_script_safe(out, text);
    free(text);
    return rc;
}

enum ru_status catalog_check(char *err, size_t errlen)
{
    pthread_once(&loaded, load);
    if (load_error[0]) {
        snprintf(err, errlen, "%s", load_error);
        return RU_ERR_INVALID;
    }
    return RU_OK;
}
