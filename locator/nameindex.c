/* locator/nameindex.c - in-memory trigram postings over the distinct place names. */
#include <stdlib.h>
#include <string.h>
#include "locator/nameindex.h"
#include "common/banned.h"

#define MAX_QUERY_GRAMS 256 /* a folded query is under GZ_TEXT_MAX bytes */
#define MAX_LEN_GAP     255

struct name_index {
    char *text;         /* the names, each ending in NUL */
    uint32_t *name_at;  /* where name i starts in text */
    uint16_t *name_len; /* its length in bytes */
    size_t nnames;
    uint32_t *gram;  /* distinct trigrams, ascending */
    uint32_t *start; /* the names of gram[i]: post[start[i] .. start[i + 1]) */
    uint32_t *post;
    size_t ngrams;
};

/* A trigram as a number: its three bytes, high to low. */
static uint32_t gram_at(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    return (uint32_t)u[0] << 16 | (uint32_t)u[1] << 8 | u[2];
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The distinct trigrams of S (LEN bytes) into OUT, ascending; how many. */
static size_t grams_of(const char *s, size_t len, uint32_t out[MAX_QUERY_GRAMS])
{
    size_t n = 0;
    for (size_t i = 0; i + 3 <= len && n < MAX_QUERY_GRAMS; i++)
        out[n++] = gram_at(s + i);
    qsort(out, n, sizeof(*out), cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!u || out[u - 1] != out[i])
            out[u++] = out[i];
    return u;
}

void name_index_free(struct name_index *ix)
{
    if (!ix)
        return;
    free(ix->text);
    free(ix->name_at);
    free(ix->name_len);
    free(ix->gram);
    free(ix->start);
    free(ix->post);
    free(ix);
}

size_t name_index_size(const struct name_index *ix)
{
    return ix->nnames;
}

/* Read the names into IX->text, name_at and name_len. */
static enum ru_status read_names(struct db *db, struct name_index *ix)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(db, "SELECT folded FROM name_trigram", &st);
    if (rc != RU_OK)
        return rc;
    size_t text_len = 0, text_cap = 0, cap = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        size_t len = name ? strlen(name) : 0;
        if (len < 3 || len > UINT16_MAX)
            continue; /* no trigram to find it by */
        if (ix->nnames == cap) {
            cap = cap ? 2 * cap : 65536;
            uint32_t *at = realloc(ix->name_at, cap * sizeof(*at));
            if (at)
                ix->name_at = at;
            uint16_t *ln = realloc(ix->name_len, cap * sizeof(*ln));
            if (ln)
                ix->name_len = ln;
            if (!at || !ln) {
                rc = RU_ERR_NOMEM;
                break;
            }
        }
        if (text_len + len + 1 > text_cap) {
            text_cap = text_cap ? 2 * text_cap : 1 << 21;
            while (text_len + len + 1 > text_cap)
                text_cap *= 2;
            char *t = realloc(ix->text, text_cap);
            if (!t || text_cap > UINT32_MAX) {
                if (t)
                    ix->text = t;
                rc = RU_ERR_NOMEM;
                break;
            }
            ix->text = t;
        }
        memcpy(ix->text + text_len, name, len + 1);
        ix->name_at[ix->nnames] = (uint32_t)text_len;
        ix->name_len[ix->nnames++] = (uint16_t)len;
        text_len += len + 1;
    }
    if (rc == RU_OK && r != SQLITE_DONE)
        rc = db_fail(db, "reading the place names");
    sqlite3_finalize(st);
    return rc;
}

/* Postings: every (trigram, name) pair sorted, then cut into one run per trigram. */
static enum ru_status build_postings(struct name_index *ix)
{
    size_t npairs = 0, cap = 0;
    uint64_t *pairs = NULL;
    for (size_t i = 0; i < ix->nnames; i++) {
        uint32_t g[MAX_QUERY_GRAMS];
        size_t n = grams_of(ix->text + ix->name_at[i], ix->name_len[i], g);
        if (npairs + n > cap) {
            cap = cap ? 2 * cap : 1 << 20;
            uint64_t *p = realloc(pairs, cap * sizeof(*p));
            if (!p) {
                free(pairs);
                return RU_ERR_NOMEM;
            }
            pairs = p;
        }
        for (size_t j = 0; j < n; j++)
            pairs[npairs++] = (uint64_t)g[j] << 32 | (uint32_t)i;
    }
    if (npairs) /* a database without places has none, and qsort() takes no NULL */
        qsort(pairs, npairs, sizeof(*pairs), cmp_u64);
    size_t ngrams = 0;
    for (size_t i = 0; i < npairs; i++)
        ngrams += !i || pairs[i] >> 32 != pairs[i - 1] >> 32;
    ix->gram = malloc((ngrams ? ngrams : 1) * sizeof(*ix->gram));
    ix->start = malloc((ngrams + 1) * sizeof(*ix->start));
    ix->post = malloc((npairs ? npairs : 1) * sizeof(*ix->post));
    if (!ix->gram || !ix->start || !ix->post) {
        free(pairs);
        return RU_ERR_NOMEM;
    }
    for (size_t i = 0; i < npairs; i++) {
        if (!i || pairs[i] >> 32 != pairs[i - 1] >> 32) {
            ix->gram[ix->ngrams] = (uint32_t)(pairs[i] >> 32);
            ix->start[ix->ngrams++] = (uint32_t)i;
        }
        ix->post[i] = (uint32_t)pairs[i];
    }
    ix->start[ix->ngrams] = (uint32_t)npairs;
    free(pairs);
    return RU_OK;
}

enum ru_status name_index_build(struct db *db, struct name_index **out)
{
    struct name_index *ix = calloc(1, sizeof(*ix));
    if (!ix)
        return RU_ERR_NOMEM;
    enum ru_status rc = read_names(db, ix);
    if (rc == RU_OK)
        rc = build_postings(ix);
    if (rc != RU_OK) {
        name_index_free(ix);
        return rc;
    }
    *out = ix;
    return RU_OK;
}

void name_index_scratch_release(struct name_index_scratch *s)
{
    free(s->count);
    free(s->touched);
    memset(s, 0, sizeof(*s));
}

struct candidate {
    uint32_t name;
    uint16_t shared, gap;
};

static int candidate_cmp(const void *x, const void *y)
{
    const struct candidate *a = x, *b = y;
    if (a->shared != b->shared)
        return a->shared > b->shared ? -1 : 1;
    if (a->gap != b->gap)
        return a->gap < b->gap ? -1 : 1;
    return a->name < b->name ? -1 : a->name > b->name;
}

static uint16_t len_gap(const struct name_index *ix, uint32_t name, size_t len)
{
    size_t l = ix->name_len[name], d = l > len ? l - len : len - l;
    return (uint16_t)(d < MAX_LEN_GAP ? d : MAX_LEN_GAP);
}

size_t name_index_candidates(const struct name_index *ix, struct name_index_scratch *s, const char *folded,
                             const char **out, size_t max)
{
    if (s->size != ix->nnames) {
        name_index_scratch_release(s);
        s->count = calloc(ix->nnames ? ix->nnames : 1, sizeof(*s->count));
        s->touched = malloc((ix->nnames ? ix->nnames : 1) * sizeof(*s->touched));
        if (!s->count || !s->touched) {
            name_index_scratch_release(s);
            return 0;
        }
        s->size = ix->nnames;
    }
    size_t len = strlen(folded), ntouched = 0;
    uint32_t g[MAX_QUERY_GRAMS];
    size_t ng = grams_of(folded, len, g);
    for (size_t i = 0; i < ng; i++) {
        /* the postings of g[i], when a name has it */
        size_t lo = 0, hi = ix->ngrams;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ix->gram[mid] < g[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == ix->ngrams || ix->gram[lo] != g[i])
            continue;
        for (uint32_t p = ix->start[lo]; p < ix->start[lo + 1]; p++) {
            uint32_t name = ix->post[p];
            if (!s->count[name]++)
                s->touched[ntouched++] = name;
        }
    }
    /* The cut: the fewest shared trigrams, and at that count the largest length gap,
     * that still keeps MAX names; found by counting, since common trigrams touch tens of
     * thousands of names. */
    size_t by_shared[MAX_QUERY_GRAMS + 1] = {0}, by_gap[MAX_LEN_GAP + 1] = {0};
    for (size_t i = 0; i < ntouched; i++)
        by_shared[s->count[s->touched[i]]]++;
    size_t shared_cut = ng, above = 0;
    while (shared_cut > 0 && above + by_shared[shared_cut] < max)
        above += by_shared[shared_cut--]; /* at 0: every name touched fits */
    for (size_t i = 0; i < ntouched; i++)
        if (s->count[s->touched[i]] == shared_cut)
            by_gap[len_gap(ix, s->touched[i], len)]++;
    size_t gap_cut = 0, room = max > above ? max - above : 0, taken = 0;
    while (gap_cut < MAX_LEN_GAP && taken + by_gap[gap_cut] < room)
        taken += by_gap[gap_cut++];
    struct candidate picked[512];
    size_t n = 0, at_cut = room - taken;
    if (max > sizeof(picked) / sizeof(picked[0]))
        max = sizeof(picked) / sizeof(picked[0]);
    for (size_t i = 0; i < ntouched; i++) {
        uint32_t name = s->touched[i];
        uint16_t shared = s->count[name], gap = len_gap(ix, name, len);
        s->count[name] = 0;
        int keep = shared > shared_cut || (shared == shared_cut && gap < gap_cut);
        if (!keep && shared == shared_cut && gap == gap_cut && at_cut > 0) {
            keep = 1;
            at_cut--;
        }
        if (keep && n < max)
            picked[n++] = (struct candidate){name, shared, gap};
    }
    qsort(picked, n, sizeof(*picked), candidate_cmp);
    for (size_t i = 0; i < n; i++)
        out[i] = ix->text + ix->name_at[picked[i].name];
    return n;
}
