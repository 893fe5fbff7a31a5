/* locator/storecsv.c - store list CSV on libcsv. */
#include <csv.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "locator/storecsv.h"
#include "locator/fold.h"
#include "common/banned.h"

enum col {
    C_ID,
    C_CHAIN,
    C_NAME,
    C_ADDRESS,
    C_CITY,
    C_REGION,
    C_POSTAL,
    C_COUNTRY,
    C_LAT,
    C_LON,
    C_REQUIRED
};
static const char *const required[C_REQUIRED] = {"id",     "chain",  "name",    "address", "city",
                                                 "region", "postal", "country", "lat",     "lon"};

struct storecsv {
    struct csv_parser csv;
    storecsv_row_fn on_row;
    storecsv_bad_fn on_bad;
    void *ctx;

    char *fields[STORECSV_MAX_COLUMNS];
    size_t nfields;
    int too_many, too_long;

    int have_header;
    size_t ncols;
    char *colname[STORECSV_MAX_COLUMNS];
    int role[STORECSV_MAX_COLUMNS]; /* enum col, or -1 for an extra */

    unsigned long line, rec_start;
    size_t rec_bytes;
    enum ru_status cb_status; /* first non-OK status of a callback */
    char err[256];
};

static void clear_fields(struct storecsv *p)
{
    for (size_t i = 0; i < p->nfields; i++) {
        free(p->fields[i]);
        p->fields[i] = NULL;
    }
    p->nfields = 0;
    p->too_many = p->too_long = 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
    struct storecsv *p = ctx;
    if (p->nfields == STORECSV_MAX_COLUMNS) {
        p->too_many = 1;
        return;
    }
    if (len > STORECSV_MAX_FIELD) {
        p->too_long = 1;
        len = 0;
    }
    char *f = malloc(len + 1);
    if (!f) {
        p->cb_status = RU_ERR_NOMEM;
        return;
    }
    if (len)
        memcpy(f, data, len);
    f[len] = '\0';
    p->fields[p->nfields++] = f;
}

static enum ru_status fatal(struct storecsv *p, const char *msg)
{
    snprintf(p->err, sizeof(p->err), "line %lu: %s", p->rec_start, msg);
    return RU_ERR_INVALID;
}

static enum ru_status take_header(struct storecsv *p)
{
    char msg[160];
    if (p->too_many)
        return fatal(p, "header has more than 64 columns");
    for (size_t i = 0; i < p->nfields; i++) {
        /* Tolerate a UTF-8 byte order mark and spaces around names. */
        char *name = p->fields[i];
        if (i == 0 && (unsigned char)name[0] == 0xEF && (unsigned char)name[1] == 0xBB &&
            (unsigned char)name[2] == 0xBF)
            memmove(name, name + 3, strlen(name + 3) + 1);
        size_t a = strspn(name, " \t"), n = strlen(name);
        while (n > a && (name[n - 1] == ' ' || name[n - 1] == '\t'))
            n--;
        memmove(name, name + a, n - a);
        name[n - a] = '\0';
        if (!*name || !fold_is_clean_utf8(name, strlen(name))) {
            snprintf(msg, sizeof(msg), "header column %zu has no usable name", i + 1);
            return fatal(p, msg);
        }
        p->role[i] = -1;
        for (int r = 0; r < C_REQUIRED; r++)
            if (strcasecmp(name, required[r]) == 0)
                p->role[i] = r;
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(p->colname[j], name) == 0) {
                snprintf(msg, sizeof(msg), "header names column '%.40s' twice", name);
                return fatal(p, msg);
            }
        p->colname[i] = name;
        p->fields[i] = NULL;
        p->ncols = i + 1;
    }
    p->nfields = 0;
    for (int r = 0; r < C_REQUIRED; r++) {
        int found = 0;
        for (size_t i = 0; i < p->ncols; i++)
            found |= p->role[i] == r;
        if (!found) {
            snprintf(msg, sizeof(msg),
                     "header lacks column '%s' (needs id,chain,name,address,city,region,"
                     "postal,country,lat,lon)",
                     required[r]);
            return fatal(p, msg);
        }
    }
    p->have_header = 1;
    return RU_OK;
}

static int parse_coord(const char *s, double lim, double *out)
{
    char *end;
    if (!*s)
        return 0;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end || errno || !isfinite(v) || v < -lim || v > lim)
        return 0;
    *out = v;
    return 1;
}

/* Validate a record; on success fill ROW (extras in *extras, owned by the caller). */
static int check_row(struct storecsv *p, struct store_row *row, char **extras, char *why, size_t n)
{
    const char *v[C_REQUIRED] = {0};
    if (p->too_many || p->nfields != p->ncols) {
        snprintf(why, n, "has %s%zu fields, the header has %zu", p->too_many ? "more than " : "", p->nfields,
                 p->ncols);
        return 0;
    }
    if (p->too_long) {
        snprintf(why, n, "a field is longer than %d bytes", STORECSV_MAX_FIELD);
        return 0;
    }
    for (size_t i = 0; i < p->ncols; i++) {
        if (!fold_is_clean_utf8(p->fields[i], strlen(p->fields[i]))) {
            snprintf(why, n, "column '%.40s' is not valid UTF-8 text on one line", p->colname[i]);
            return 0;
        }
        if (p->role[i] >= 0)
            v[p->role[i]] = p->fields[i];
    }
    static const int must[] = {C_ID, C_CHAIN, C_NAME};
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
        if (!*v[must[i]]) {
            snprintf(why, n, "column '%s' is empty", required[must[i]]);
            return 0;
        }
    if (strlen(v[C_ID]) > STORECSV_ID_MAX) {
        snprintf(why, n, "id is longer than %d bytes", STORECSV_ID_MAX);
        return 0;
    }
    if (!parse_coord(v[C_LAT], 90, &row->lat)) {
        snprintf(why, n, "lat '%.40s' is not a number from -90 to 90", v[C_LAT]);
        return 0;
    }
    if (!parse_coord(v[C_LON], 180, &row->lon)) {
        snprintf(why, n, "lon '%.40s' is not a number from -180 to 180", v[C_LON]);
        return 0;
    }
    row->id = v[C_ID];
    row->chain = v[C_CHAIN];
    row->name = v[C_NAME];
    row->address = v[C_ADDRESS];
    row->city = v[C_CITY];
    row->region = v[C_REGION];
    row->postal = v[C_POSTAL];
    row->country = v[C_COUNTRY];
    row->line = p->rec_start;

    *extras = NULL;
    json_t *obj = NULL;
    for (size_t i = 0; i < p->ncols; i++) {
        if (p->role[i] >= 0 || !*p->fields[i])
            continue;
        if (!obj && !(obj = json_object()))
            return -1;
        if (json_object_set_new(obj, p->colname[i], json_string(p->fields[i])) != 0) {
            json_decref(obj);
            return -1;
        }
    }
    if (obj) {
        *extras = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
        if (!*extras)
            return -1;
    }
    row->extras_json = *extras;
    return 1;
}

static void on_record(int c, void *ctx)
{
    struct storecsv *p = ctx;
    (void)c;
    if (p->cb_status != RU_OK)
        goto out;
    if (!p->have_header) {
        p->cb_status = take_header(p);
        goto out;
    }
    /* A blank line is no record. */
    if (p->nfields == 1 && !p->fields[0][0])
        goto out;
    struct store_row row;
    char *extras = NULL, why[200];
    int ok = check_row(p, &row, &extras, why, sizeof(why));
    if (ok < 0)
        p->cb_status = RU_ERR_NOMEM;
    else if (ok)
        p->cb_status = p->on_row(p->ctx, &row);
    else
        p->cb_status = p->on_bad(p->ctx, p->rec_start, why);
    free(extras);
out:
    clear_fields(p);
    p->rec_start = p->line + 1;
    p->rec_bytes = 0;
}

enum ru_status storecsv_new(storecsv_row_fn on_row, storecsv_bad_fn on_bad, void *ctx, struct storecsv **out)
{
    struct storecsv *p = calloc(1, sizeof(*p));
    if (!p)
        return RU_ERR_NOMEM;
    if (csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(p);
        return RU_ERR_NOMEM;
    }
    p->on_row = on_row;
    p->on_bad = on_bad;
    p->ctx = ctx;
    p->rec_start = 1;
    *out = p;
    return RU_OK;
}

static enum ru_status parse_bytes(struct storecsv *p, const char *data, size_t len)
{
    size_t done = csv_parse(&p->csv, data, len, on_field, on_record, p);
    if (p->cb_status != RU_OK)
        return p->cb_status;
    if (done != len) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "broken CSV quoting near line %lu (%s); quote fields that "
                 "contain commas as \"like, this\" and double quotes inside them",
                 p->line, csv_strerror(csv_error(&p->csv)));
        return fatal(p, msg);
    }
    return RU_OK;
}

enum ru_status storecsv_feed_line(struct storecsv *p, const char *line, size_t len)
{
    p->line++;
    /* libcsv skips blank lines without a callback; a line fed while no row has begun
     * (pstate 0, ROW_NOT_BEGUN in libcsv) is where the next record starts. */
    if (p->csv.pstate == 0) {
        p->rec_start = p->line;
        p->rec_bytes = 0;
    }
    p->rec_bytes += len + 1;
    if (p->rec_bytes > STORECSV_MAX_RECORD)
        return fatal(p, "record is longer than 1 MiB: an opening quote is probably never closed");
    enum ru_status st = parse_bytes(p, line, len);
    return st != RU_OK ? st : parse_bytes(p, "\n", 1);
}

enum ru_status storecsv_finish(struct storecsv *p)
{
    if (csv_fini(&p->csv, on_field, on_record, p) != 0)
        return fatal(p, "the file ends inside a quoted field: a closing quote is missing");
    if (p->cb_status != RU_OK)
        return p->cb_status;
    if (!p->have_header) {
        snprintf(p->err, sizeof(p->err),
                 "the file is empty: it needs the header "
                 "id,chain,name,address,city,region,postal,country,lat,lon");
        return RU_ERR_INVALID;
    }
    return RU_OK;
}

const char *storecsv_errmsg(const struct storecsv *p)
{
    return p->err;
}

void storecsv_free(struct storecsv *p)
{
    if (!p)
        return;
    clear_fields(p);
    for (size_t i = 0; i < p->ncols; i++)
        free(p->colname[i]);
    csv_free(&p->csv);
    free(p);
}
