/* common/jsonwriter.c - JSON text appended to a strbuf as it is written. */
#include <math.h>
#include <string.h>
#include "common/jsonwriter.h"
#include "common/banned.h"

void jsonw_init(struct jsonw *w, struct strbuf *out, int pretty)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->pretty = pretty;
}

enum ru_status jsonw_status(const struct jsonw *w)
{
    return w->rc;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
    if (w->rc == RU_OK)
        w->rc = strbuf_add(w->out, s, n);
}

static void puts_(struct jsonw *w, const char *s)
{
    put(w, s, strlen(s));
}

static void newline(struct jsonw *w, int depth)
{
    static const char spaces[] = "\n                                ";
    if (w->pretty)
        put(w, spaces, 1 + (size_t)(depth < JSONW_MAX_DEPTH ? 2 * depth : 2 * JSONW_MAX_DEPTH));
}

static void quoted(struct jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)(s - run));
        char esc[7] = {'\\', (char)c, 0};
        size_t n = 2;
        if (c == '\n')
            esc[1] = 'n';
        else if (c == '\t')
            esc[1] = 't';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c < 0x20) {
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        put(w, esc, n);
        run = s + 1;
    }
    put(w, run, (size_t)(s - run));
    put(w, "\"", 1);
}

/* The separator and KEY before a value. */
static void member(struct jsonw *w, const char *key)
{
    if (w->depth > 0) {
        if (w->count[w->depth - 1]++)
            put(w, ",", 1);
        newline(w, w->depth);
    }
    if (key) {
        quoted(w, key);
        put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
    }
}

static void open_(struct jsonw *w, const char *key, char bracket, char close)
{
    member(w, key);
    put(w, &bracket, 1);
    if (w->depth == JSONW_MAX_DEPTH) {
        if (w->rc == RU_OK)
            w->rc = RU_ERR_LIMIT;
        return;
    }
    w->close[w->depth] = close;
    w->count[w->depth++] = 0;
}

void jsonw_object(struct jsonw *w, const char *key)
{
    open_(w, key, '{', '}');
}

void jsonw_array(struct jsonw *w, const char *key)
{
    open_(w, key, '[', ']');
}

void jsonw_end(struct jsonw *w)
{
    if (w->depth == 0)
        return;
    if (w->count[--w->depth])
        newline(w, w->depth);
    put(w, &w->close[w->depth], 1);
}

void jsonw_string(struct jsonw *w, const char *key, const char *s)
{
    member(w, key);
    quoted(w, s ? s : "");
}

/* V's digits, most significant first, into the end of BUF; returns where they start. */
static char *digits(unsigned long long v, char *end)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void jsonw_int(struct jsonw *w, const char *key, long long v)
{
    char buf[24], *end = buf + sizeof(buf);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    char *p = digits(u, end);
    if (v < 0)
        *--p = '-';
    member(w, key);
    put(w, p, (size_t)(end - p));
}

void jsonw_real(struct jsonw *w, const char *key, double v)
{
    member(w, key);
    if (!isfinite(v) || fabs(v) > 9e9) {
        puts_(w, "null");
        return;
    }
    long long scaled = llround(fabs(v) * 1e9);
    unsigned long long whole = (unsigned long long)scaled / 1000000000ULL,
                       frac = (unsigned long long)scaled % 1000000000ULL;
    char buf[40], *end = buf + sizeof(buf), *p;
    /* the fraction: nine digits with the trailing zeros dropped, but at least one */
    char f[9];
    for (int i = 8; i >= 0; i--, frac /= 10)
        f[i] = (char)('0' + frac % 10);
    int keep = 9;
    while (keep > 1 && f[keep - 1] == '0')
        keep--;
    end -= keep;
    memcpy(end, f, (size_t)keep);
    *--end = '.';
    p = digits(whole, end);
    if (v < 0 && scaled != 0)
        *--p = '-';
    put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void jsonw_raw(struct jsonw *w, const char *key, const char *text)
{
    member(w, key);
    puts_(w, text);
}
