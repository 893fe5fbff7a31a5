/* locator/gazetteer.c - place and postal-code resolution, suggestions. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "locator/gazetteer.h"
#include "locator/nameindex.h"
#include "locator/fold.h"
#include "common/strbuf.h"
#include "common/banned.h"

#define MAX_QUALS       3
#define MAX_TOKENS      16
#define QUAL_MAX        128
#define SUGGEST_POOL    200
#define CANDIDATE_LIMIT "1000"

/* Columns 0-12 are the same for every place-returning statement. */
#define PLACE_COLUMNS                                                \
    "p.id, p.name, p.country, p.admin1, p.lat, p.lon, p.population," \
    " a.name, a.folded, a.ascii_folded, c.name, c.iso3, c.folded"
#define PLACE_JOINS                                                      \
    " LEFT JOIN admin1 a ON a.country = p.country AND a.code = p.admin1" \
    " LEFT JOIN country c ON c.code = p.country"

enum stmt { S_BY_NAME, S_BY_ID, S_POSTAL, S_TRIGRAM, S_PREFIX, S_COUNT };
static const char *const sql[S_COUNT] = {
    [S_BY_NAME] = ("SELECT " PLACE_COLUMNS " FROM place_name n JOIN place p ON p.id = n.place" PLACE_JOINS
                   " WHERE n.folded = ?1 ORDER BY n.is_primary DESC, n.population DESC, p.id"
                   " LIMIT " CANDIDATE_LIMIT),
    [S_BY_ID] = ("SELECT " PLACE_COLUMNS " FROM place p" PLACE_JOINS " WHERE p.id = ?1"),
    /* every name that starts with the prefix is one range of the key; a place once */
    /* spelled comes from the row that max() picks (SQLite's bare-column rule): a primary
     * name first, then the shortest */
    [S_PREFIX] = ("SELECT place, population, max(is_primary * 4096 - length(folded)), spelled"
                  " FROM place_name WHERE folded >= ?1 AND folded < ?2"
                  " GROUP BY place ORDER BY population DESC, place LIMIT ?3"),
    [S_POSTAL] = ("SELECT 0, p.place, p.country, p.admin1, p.lat, p.lon, 0,"
                  " p.admin1_name, NULL, NULL, c.name, c.iso3, c.folded"
                  " FROM postal p LEFT JOIN country c ON c.code = p.country"
                  " WHERE p.code = ?1 ORDER BY p.country, p.place LIMIT " CANDIDATE_LIMIT),
    [S_TRIGRAM] = ("SELECT folded FROM name_trigram WHERE name_trigram MATCH ?1"
                   " ORDER BY rank LIMIT 200"),
};

struct gazetteer {
    struct db *db;
    sqlite3_stmt *st[S_COUNT];
    const struct name_index *names; /* NULL: suggestions from the FTS5 trigram index */
    struct name_index_scratch scratch;
};

void gazetteer_use_name_index(struct gazetteer *gz, const struct name_index *ix)
{
    gz->names = ix;
}

enum ru_status gazetteer_open(struct db *db, struct gazetteer **out)
{
    enum ru_status rc;
    struct gazetteer *gz = calloc(1, sizeof(*gz));
    if (!gz)
        return RU_ERR_NOMEM;
    gz->db = db;
    for (int i = 0; i < S_COUNT; i++)
        if ((rc = db_prepare(db, sql[i], &gz->st[i])) != RU_OK) {
            gazetteer_free(gz);
            return rc;
        }
    *out = gz;
    return RU_OK;
}

void gazetteer_free(struct gazetteer *gz)
{
    if (!gz)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(gz->st[i]);
    name_index_scratch_release(&gz->scratch);
    free(gz);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* Copy SRC into DST of LEN bytes, cut on a character boundary when it does not fit. */
static void copy(char *dst, size_t len, const char *src)
{
    size_t n = fold_utf8_prefix(src, len - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* US states and the like have letter codes people write ("WY"); elsewhere GeoNames codes
 * are numbers nobody knows ("17"), so the region's name is shown instead. */
static int is_letter_code(const char *code)
{
    size_t n = strlen(code);
    if (n < 1 || n > 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)code[i]))
            return 0;
    return 1;
}

static void read_place(sqlite3_stmt *st, struct gz_place *p)
{
    const char *admin1 = col_text(st, 3), *admin1_name = col_text(st, 7);
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(st, 0);
    copy(p->name, sizeof(p->name), col_text(st, 1));
    copy(p->country, sizeof(p->country), col_text(st, 2));
    p->lat = sqlite3_column_double(st, 4);
    p->lon = sqlite3_column_double(st, 5);
    p->population = sqlite3_column_int64(st, 6);
    copy(p->region_name, sizeof(p->region_name), admin1_name);
    /* A numeric code without a name ("54") tells a reader nothing: leave it out. */
    copy(p->region, sizeof(p->region), is_letter_code(admin1) ? admin1 : admin1_name);
    copy(p->country_name, sizeof(p->country_name), col_text(st, 10));
}

static int eq_lower(const char *folded, const char *code)
{
    size_t i;
    for (i = 0; folded[i] && code[i]; i++)
        if (folded[i] != tolower((unsigned char)code[i]))
            return 0;
    return folded[i] == '\0' && code[i] == '\0' && i > 0;
}

/* Does folded qualifier Q describe the region or country of the current row? */
static int qual_matches(sqlite3_stmt *st, const char *q)
{
    const char *country = col_text(st, 2);
    if (eq_lower(q, col_text(st, 3)) || strcmp(q, col_text(st, 8)) == 0 || strcmp(q, col_text(st, 9)) == 0)
        return 1;
    if (eq_lower(q, country) || eq_lower(q, col_text(st, 11)) || strcmp(q, col_text(st, 12)) == 0)
        return 1;
    /* what people call two countries that GeoNames names otherwise */
    return (strcmp(q, "uk") == 0 && strcmp(country, "GB") == 0) ||
           (strcmp(q, "america") == 0 && strcmp(country, "US") == 0);
}

void gz_place_label(const struct gz_place *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s", p->name, *p->region ? ", " : "", p->region, *p->country ? ", " : "",
             p->country);
}

static void add_alternative(struct gz_match *m, const struct gz_place *p)
{
    char a[3 * GZ_TEXT_MAX], b[3 * GZ_TEXT_MAX];
    if (m->nalternatives == GZ_MAX_ALTERNATIVES)
        return;
    gz_place_label(p, a, sizeof(a));
    gz_place_label(&m->best, b, sizeof(b));
    if (strcmp(a, b) == 0)
        return;
    for (size_t i = 0; i < m->nalternatives; i++) {
        gz_place_label(&m->alternatives[i], b, sizeof(b));
        if (strcmp(a, b) == 0)
            return;
    }
    m->alternatives[m->nalternatives++] = *p;
}

/* Run statement S with KEY bound, keep rows that every qualifier describes. */
static enum ru_status collect(struct gazetteer *gz, enum stmt s, const char *key, char quals[][QUAL_MAX],
                              size_t nq, struct gz_match *out)
{
    sqlite3_stmt *st = gz->st[s];
    struct gz_match m;
    int found = 0, r;
    memset(&m, 0, sizeof(m));
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        size_t i;
        for (i = 0; i < nq && qual_matches(st, quals[i]); i++)
            ;
        if (i < nq)
            continue;
        struct gz_place p;
        read_place(st, &p);
        if (!found) {
            m.best = p;
            found = 1;
        } else {
            add_alternative(&m, &p);
        }
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return db_fail(gz->db, "looking up a place");
    if (!found)
        return RU_ERR_NOT_FOUND;
    *out = m;
    return RU_OK;
}

/* Fold into DST. A text whose folded form is longer than any name we keep cannot name a
 * place: RU_ERR_NOT_FOUND, not an error of the query. */
static enum ru_status fold_into(const char *text, size_t len, char *dst, size_t dstlen)
{
    struct strbuf sb;
    strbuf_init(&sb, dstlen - 1);
    enum ru_status rc = fold_text(text, len, &sb);
    if (rc == RU_OK)
        copy(dst, dstlen, strbuf_str(&sb));
    strbuf_release(&sb);
    return rc == RU_ERR_LIMIT ? RU_ERR_NOT_FOUND : rc;
}

/* Join tokens [a, b) with single spaces. */
static void join(char tok[][QUAL_MAX], size_t a, size_t b, char *dst, size_t len)
{
    size_t used = 0;
    dst[0] = '\0';
    for (size_t i = a; i < b && used < len; i++)
        used += (size_t)snprintf(dst + used, len - used, "%s%s", i > a ? " " : "", tok[i]);
}

enum ru_status gazetteer_find_place(struct gazetteer *gz, const char *query, struct gz_match *out)
{
    char quals[MAX_QUALS][QUAL_MAX], name[GZ_TEXT_MAX];
    size_t nq = 0;
    enum ru_status rc;
    const char *comma = strchr(query, ',');

    if (comma) {
        /* "Name, Region, Country": the parts are explicit. */
        if ((rc = fold_into(query, (size_t)(comma - query), name, sizeof(name))) != RU_OK)
            return rc;
        const char *p = comma + 1;
        rc = RU_OK;
        while (p && rc == RU_OK) {
            const char *next = strchr(p, ',');
            size_t len = next ? (size_t)(next - p) : strlen(p);
            if (nq == MAX_QUALS)
                rc = RU_ERR_NOT_FOUND;
            else if ((rc = fold_into(p, len, quals[nq], QUAL_MAX)) == RU_OK && *quals[nq])
                nq++;
            p = next ? next + 1 : NULL;
        }
        if (rc == RU_OK && !*name)
            return RU_ERR_INVALID;
        if (rc == RU_OK)
            rc = collect(gz, S_BY_NAME, name, quals, nq, out);
        if (rc != RU_ERR_NOT_FOUND)
            return rc;
        /* Some names have commas of their own ("Brgy. Bachaw Norte, Kalibo"). */
        if ((rc = fold_into(query, strlen(query), name, sizeof(name))) != RU_OK)
            return rc;
        return collect(gz, S_BY_NAME, name, quals, 0, out);
    }

    /* "springfield il", "rock springs wyoming us": try the whole text as a name, then
     * ever shorter names with the remaining words as one or two qualifiers. */
    char folded[GZ_TEXT_MAX], tok[MAX_TOKENS][QUAL_MAX];
    size_t ntok = 0;
    if ((rc = fold_into(query, strlen(query), folded, sizeof(folded))) != RU_OK)
        return rc;
    if (!*folded)
        return RU_ERR_INVALID;
    if ((rc = collect(gz, S_BY_NAME, folded, quals, 0, out)) != RU_ERR_NOT_FOUND)
        return rc;
    for (char *p = folded; *p;) {
        size_t len = strcspn(p, " ");
        /* more words than a name and its qualifiers ever have: only the whole text counts */
        if (ntok == MAX_TOKENS || len >= QUAL_MAX)
            return RU_ERR_NOT_FOUND;
        snprintf(tok[ntok++], QUAL_MAX, "%.*s", (int)len, p);
        p += len;
        p += *p == ' ';
    }
    for (size_t i = ntok - 1; i >= 1; i--) {
        join(tok, 0, i, name, sizeof(name));
        join(tok, i, ntok, quals[0], QUAL_MAX);
        if ((rc = collect(gz, S_BY_NAME, name, quals, 1, out)) != RU_ERR_NOT_FOUND)
            return rc;
        for (size_t j = i + 1; j < ntok; j++) {
            join(tok, i, j, quals[0], QUAL_MAX);
            join(tok, j, ntok, quals[1], QUAL_MAX);
            if ((rc = collect(gz, S_BY_NAME, name, quals, 2, out)) != RU_ERR_NOT_FOUND)
                return rc;
        }
    }
    return RU_ERR_NOT_FOUND;
}

enum ru_status gazetteer_find_postal(struct gazetteer *gz, const char *query, struct gz_match *out)
{
    char code[32], quals[1][QUAL_MAX];
    size_t nq = 0, n = 0;
    const char *p = query;
    enum ru_status rc;
    while (isspace((unsigned char)*p))
        p++;
    /* Codes are stored as published: upper case, ZIP+4 reduced to the ZIP. */
    for (; *p && *p != ',' && n + 1 < sizeof(code); p++)
        code[n++] = (char)toupper((unsigned char)*p);
    while (n > 0 && isspace((unsigned char)code[n - 1]))
        n--;
    code[n] = '\0';
    if (n == 10 && code[5] == '-')
        code[5] = '\0';
    if (*p == ',') {
        if ((rc = fold_into(p + 1, strlen(p + 1), quals[0], QUAL_MAX)) != RU_OK)
            return rc;
        nq = *quals[0] != '\0';
    }
    return collect(gz, S_POSTAL, code, quals, nq, out);
}

enum ru_status gazetteer_place_by_id(struct gazetteer *gz, long long id, struct gz_place *out)
{
    sqlite3_stmt *st = gz->st[S_BY_ID];
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_place(st, out);
    sqlite3_reset(st);
    if (r == SQLITE_ROW)
        return RU_OK;
    return r == SQLITE_DONE ? RU_ERR_NOT_FOUND : db_fail(gz->db, "looking up a place");
}

enum ru_status gazetteer_complete(struct gazetteer *gz, const char *prefix, size_t limit,
                                  struct gz_completion *out, size_t *n)
{
    char folded[GZ_TEXT_MAX], upper[GZ_TEXT_MAX + 8];
    long long ids[GZ_COMPLETE_MAX];
    char spelled[GZ_COMPLETE_MAX][GZ_TEXT_MAX];
    size_t k = 0;
    *n = 0;
    enum ru_status rc = fold_into(prefix, strlen(prefix), folded, sizeof(folded));
    if (rc != RU_OK)
        return rc;
    if (!*folded)
        return RU_ERR_INVALID;
    /* the largest code point after the prefix bounds every name that starts with it */
    snprintf(upper, sizeof(upper), "%s\xf4\x8f\xbf\xbf", folded);
    sqlite3_stmt *st = gz->st[S_PREFIX];
    sqlite3_bind_text(st, 1, folded, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, upper, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)(limit < GZ_COMPLETE_MAX ? limit : GZ_COMPLETE_MAX));
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *sp = sqlite3_column_text(st, 3);
        /* a database imported before spellings were kept offers the place's name */
        snprintf(spelled[k], GZ_TEXT_MAX, "%s", sp ? (const char *)sp : "");
        ids[k++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return db_fail(gz->db, "completing a place name");
    for (size_t i = 0; i < k; i++) {
        struct gz_completion *c = &out[*n];
        rc = gazetteer_place_by_id(gz, ids[i], &c->place);
        if (rc == RU_ERR_NOT_FOUND)
            continue;
        if (rc != RU_OK)
            return rc;
        snprintf(c->matched, sizeof(c->matched), "%.*s", GZ_TEXT_MAX - 1,
                 *spelled[i] ? spelled[i] : c->place.name);
        ++*n;
    }
    return RU_OK;
}

/* Edit distance with transpositions (optimal string alignment), on bytes. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = a[i - 1] == b[j - 1] ? 0 : 1, v = d[i - 1][j - 1] + c;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

struct scored {
    char folded[GZ_TEXT_MAX];
    size_t dist;
    long long population;
    char label[GZ_TEXT_MAX];
};

static int scored_cmp(const void *x, const void *y)
{
    const struct scored *a = x, *b = y;
    if (a->dist != b->dist)
        return a->dist < b->dist ? -1 : 1;
    return a->population > b->population ? -1 : a->population < b->population;
}

/* Keep candidate F when it is within LIMIT edits of NAME. */
static void consider(struct scored *pool, size_t *npool, const char *name, const char *f, size_t limit)
{
    size_t ln = strlen(name), lf = strlen(f);
    if ((ln > lf ? ln - lf : lf - ln) > limit)
        return; /* it takes at least that many edits */
    size_t dist = edit_distance(name, f);
    if (dist > limit || *npool == SUGGEST_POOL)
        return;
    copy(pool[*npool].folded, GZ_TEXT_MAX, f);
    pool[(*npool)++].dist = dist;
}

enum ru_status gazetteer_suggest(struct gazetteer *gz, const char *query,
                                 char out[GZ_MAX_SUGGESTIONS][GZ_TEXT_MAX], size_t *n)
{
    char name[GZ_TEXT_MAX];
    const char *comma = strchr(query, ',');
    enum ru_status rc = fold_into(query, comma ? (size_t)(comma - query) : strlen(query), name, sizeof(name));
    struct scored *pool = NULL;
    size_t npool = 0;
    struct strbuf match;
    strbuf_init(&match, 4096);
    *n = 0;
    if (rc == RU_ERR_NOT_FOUND)
        return RU_OK; /* too long to be like any name */
    if (rc != RU_OK)
        return rc;
    size_t len = strlen(name);
    if (len < 3)
        return RU_OK;

    pool = calloc(SUGGEST_POOL, sizeof(*pool));
    if (!pool) {
        strbuf_release(&match);
        return RU_ERR_NOMEM;
    }
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (gz->names) {
        const char *cand[SUGGEST_POOL];
        size_t nc = name_index_candidates(gz->names, &gz->scratch, name, cand, SUGGEST_POOL);
        for (size_t i = 0; i < nc; i++)
            consider(pool, &npool, name, cand[i], limit);
    } else {
        /* Any shared trigram makes a candidate; bm25 ranks those sharing the most first. */
        for (size_t i = 0; i + 3 <= len; i++) {
            if (strbuf_addf(&match, "%s\"%.3s\"", i ? " OR " : "", name + i) != RU_OK)
                break;
        }
        sqlite3_stmt *st = gz->st[S_TRIGRAM];
        sqlite3_bind_text(st, 1, strbuf_str(&match), -1, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW && npool < SUGGEST_POOL)
            consider(pool, &npool, name, col_text(st, 0), limit);
        sqlite3_reset(st);
        if (r != SQLITE_DONE && r != SQLITE_ROW) {
            strbuf_release(&match);
            free(pool);
            return db_fail(gz->db, "looking up suggestions");
        }
    }
    strbuf_release(&match);
    /* Show each name as its most populous place spells it. */
    for (size_t i = 0; i < npool; i++) {
        struct gz_match m;
        if (collect(gz, S_BY_NAME, pool[i].folded, NULL, 0, &m) == RU_OK) {
            pool[i].population = m.best.population;
            copy(pool[i].label, GZ_TEXT_MAX, m.best.name);
        } else {
            copy(pool[i].label, GZ_TEXT_MAX, pool[i].folded);
        }
    }
    qsort(pool, npool, sizeof(*pool), scored_cmp);
    for (size_t i = 0; i < npool && *n < GZ_MAX_SUGGESTIONS; i++) {
        size_t j;
        for (j = 0; j < *n && strcmp(out[j], pool[i].label) != 0; j++)
            ;
        if (j == *n)
            copy(out[(*n)++], GZ_TEXT_MAX, pool[i].label);
    }
    free(pool);
    return RU_OK;
}
