/* i18n/langpick.c - the reader's language from the address and Accept-Language. */
#include <string.h>
#include "i18n/langpick.h"
#include "i18n/catalog.h"
#include "common/banned.h"

/* A header longer than any browser sends is not worth reading. */
#define ACCEPT_MAX 1024

struct range {
    char primary[9]; /* lower case; "*" for the wildcard */
    char region[3];  /* upper case, or "" */
    int q;           /* thousandths */
};

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}
static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}
static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); NULL when it is not one. */
static const char *qvalue(const char *p, int *q)
{
    if (*p != '0' && *p != '1')
        return NULL;
    int one = *p++ == '1', frac = 0, digits = 0;
    if (*p == '.')
        for (p++; digits < 3 && *p >= '0' && *p <= '9'; p++, digits++)
            frac = frac * 10 + (*p - '0');
    if (*p >= '0' && *p <= '9')
        return NULL;
    for (; digits < 3; digits++)
        frac *= 10;
    if (one && frac)
        return NULL;
    *q = one ? 1000 : frac;
    return p;
}

/* One element: language-range [ OWS ";" OWS "q=" qvalue ]; NULL when it does not parse. */
static const char *element(const char *p, struct range *r)
{
    size_t n = 0;
    r->region[0] = '\0';
    r->q = 1000;
    if (*p == '*') {
        memcpy(r->primary, "*", 2);
        p++;
    } else {
        while (is_alpha(*p) && n < 8)
            r->primary[n++] = lower(*p++);
        if (!n || is_alpha(*p))
            return NULL;
        r->primary[n] = '\0';
        for (int first = 1; *p == '-'; first = 0) {
            const char *s = ++p;
            while (is_alnum(*p) && p - s < 8)
                p++;
            if (p == s || is_alnum(*p))
                return NULL;
            if (first && p - s == 2 && is_alpha(s[0]) && is_alpha(s[1])) {
                r->region[0] = upper(s[0]);
                r->region[1] = upper(s[1]);
                r->region[2] = '\0';
            }
        }
    }
    p = skip_ows(p);
    if (*p == ';') {
        p = skip_ows(p + 1);
        if ((p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
            return NULL;
        if (!(p = qvalue(p + 2, &r->q)))
            return NULL;
        p = skip_ows(p);
    }
    return p;
}

/* Calls EACH for every element in order; 0 when the header does not parse as a whole. */
static int parse(const char *header, void (*each)(const struct range *, void *), void *ctx)
{
    if (!header || strnlen(header, ACCEPT_MAX + 1) > ACCEPT_MAX)
        return 0;
    /* two passes: nothing is acted on unless the whole header parses */
    for (int pass = 0; pass < 2; pass++) {
        const char *p = skip_ows(header);
        int any = 0;
        while (*p) {
            struct range r;
            if (*p == ',') { /* empty elements are allowed by the list syntax */
                p = skip_ows(p + 1);
                continue;
            }
            if (!(p = element(p, &r)) || (*p && *p != ','))
                return 0;
            any = 1;
            if (pass)
                each(&r, ctx);
        }
        if (!any)
            return 0;
    }
    return 1;
}

struct best {
    const char *lang;
    int q;
};

static void consider(const struct range *r, void *ctx)
{
    struct best *b = ctx;
    const char *lang = !strcmp(r->primary, "*") ? catalog_languages[0] : r->primary;
    for (int i = 0; catalog_languages[i]; i++)
        if (!strcmp(lang, catalog_languages[i]) && r->q > b->q) {
            b->lang = catalog_languages[i];
            b->q = r->q;
        }
}

const char *langpick(const char *query_lang, const char *accept_language)
{
    for (int i = 0; query_lang && catalog_languages[i]; i++)
        if (!strcmp(query_lang, catalog_languages[i]))
            return catalog_languages[i];
    struct best b = {catalog_languages[0], 0};
    if (!parse(accept_language, consider, &b))
        return catalog_languages[0];
    return b.lang;
}

struct first {
    int seen;
    char *region;
};

static void first_region(const struct range *r, void *ctx)
{
    struct first *f = ctx;
    if (!f->seen++)
        memcpy(f->region, r->region, 3);
}

void langpick_region(const char *accept_language, char region[3])
{
    struct first f = {0, region};
    region[0] = '\0';
    if (!parse(accept_language, first_region, &f))
        region[0] = '\0';
}
