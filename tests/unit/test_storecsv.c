/*
 * tests/unit/test_storecsv.c - locator/storecsv: store lists in CSV.
 * Covers a header in another order with extra columns (phone, hours) kept as a JSON object
 * (checked with jansson) and omitted when empty; quoted fields with commas and doubled
 * quotes; a quoted field spanning two physical lines (reported at its first line, the next
 * record's line still right); bad rows reported with their line and reason (missing lat,
 * lon 200, empty id, wrong field count, id over 64 bytes) while good rows go on; fatal
 * header problems (a missing required column named in the message, a column named twice,
 * an unnamed column); broken quoting; an unterminated quote at the end; a UTF-8 byte order
 * mark; blank lines (line numbers, and not counted toward the record size limit); empty
 * input; a field over STORECSV_MAX_FIELD; a callback's status stopping the parse.
 */
#include <jansson.h>
#include "tests/testlib.h"
#include "locator/storecsv.h"
#include "common/banned.h"

#define HEADER  "id,chain,name,address,city,region,postal,country,lat,lon"
#define MAX_GOT 32

struct got_row {
    char id[80], chain[64], name[128], address[128], city[64], region[64], postal[32], country[8];
    char extras[256];
    int has_extras;
    double lat, lon;
    unsigned long line;
};

struct got_bad {
    unsigned long line;
    char why[256];
};

struct got {
    struct got_row rows[MAX_GOT];
    size_t nrows;
    struct got_bad bad[MAX_GOT];
    size_t nbad;
    enum ru_status row_status; /* what on_row returns */
    enum ru_status feed_st, finish_st;
    unsigned long failed_line; /* physical line whose feed failed; 0 if none */
    char err[300];
};

static void copy(char *dst, size_t len, const char *src)
{
    assert_non_null(src);
    snprintf(dst, len, "%s", src);
}

static enum ru_status on_row(void *ctx, const struct store_row *r)
{
    struct got *g = ctx;
    assert_true(g->nrows < MAX_GOT);
    struct got_row *o = &g->rows[g->nrows++];
    copy(o->id, sizeof(o->id), r->id);
    copy(o->chain, sizeof(o->chain), r->chain);
    copy(o->name, sizeof(o->name), r->name);
    copy(o->address, sizeof(o->address), r->address);
    copy(o->city, sizeof(o->city), r->city);
    copy(o->region, sizeof(o->region), r->region);
    copy(o->postal, sizeof(o->postal), r->postal);
    copy(o->country, sizeof(o->country), r->country);
    o->has_extras = r->extras_json != NULL;
    copy(o->extras, sizeof(o->extras), r->extras_json ? r->extras_json : "");
    o->lat = r->lat;
    o->lon = r->lon;
    o->line = r->line;
    return g->row_status;
}

static enum ru_status on_bad(void *ctx, unsigned long line, const char *why)
{
    struct got *g = ctx;
    assert_true(g->nbad < MAX_GOT);
    g->bad[g->nbad].line = line;
    copy(g->bad[g->nbad].why, sizeof(g->bad[g->nbad].why), why);
    g->nbad++;
    return RU_OK;
}

/* Feed TEXT line by line (split at '\n'; a final newline ends the last line rather than
 * starting an empty one), then finish. Statuses and the message land in *G. */
static void run(const char *text, struct got *g)
{
    struct storecsv *p = NULL;
    assert_int_equal(storecsv_new(on_row, on_bad, g, &p), RU_OK);
    const char *s = text;
    unsigned long lineno = 0;
    g->feed_st = g->finish_st = RU_OK;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        lineno++;
        g->feed_st = storecsv_feed_line(p, s, len);
        if (g->feed_st != RU_OK) {
            g->failed_line = lineno;
            break;
        }
        s += len + (nl ? 1 : 0);
    }
    if (g->feed_st == RU_OK)
        g->finish_st = storecsv_finish(p);
    const char *msg = storecsv_errmsg(p);
    assert_non_null(msg);
    copy(g->err, sizeof(g->err), msg);
    storecsv_free(p);
}

/* One result at a time, static so that a failing assertion leaks nothing. */
static struct got *new_got(void)
{
    static struct got g;
    memset(&g, 0, sizeof(g));
    return &g;
}

static void test_header_order_and_extras(void **state)
{
    (void)state;
    struct got *g = new_got();
    run("lon,lat,name,id,phone,chain,address,hours,city,region,postal,country\n"
        "-109.2,41.58,Store A,A1,555-1234,Chain,1 Main St,9-5,Rock Springs,WY,82901,US\n"
        "-109.3,41.6,Store B,B2,,Chain,2 Main St,,Green River,WY,82935,US\n"
        "-109.4,41.7,Store C,C3,,Chain,3 Main St,24h,Rawlins,WY,82301,US\n",
        g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nbad, 0);
    assert_int_equal(g->nrows, 3);

    struct got_row *a = &g->rows[0];
    assert_string_equal(a->id, "A1");
    assert_string_equal(a->chain, "Chain");
    assert_string_equal(a->name, "Store A");
    assert_string_equal(a->address, "1 Main St");
    assert_string_equal(a->city, "Rock Springs");
    assert_string_equal(a->region, "WY");
    assert_string_equal(a->postal, "82901");
    assert_string_equal(a->country, "US");
    assert_float_equal(a->lat, 41.58, 1e-12);
    assert_float_equal(a->lon, -109.2, 1e-12);
    assert_int_equal(a->line, 2);

    /* Extras: a JSON object of exactly the extra columns. */
    assert_true(a->has_extras);
    json_error_t jerr;
    json_t *o = json_loads(a->extras, 0, &jerr);
    assert_non_null(o);
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), 2);
    assert_string_equal(json_string_value(json_object_get(o, "phone")), "555-1234");
    assert_string_equal(json_string_value(json_object_get(o, "hours")), "9-5");
    json_decref(o);

    /* All extras empty: no object at all. */
    assert_false(g->rows[1].has_extras);
    assert_string_equal(g->rows[1].city, "Green River");
    assert_int_equal(g->rows[1].line, 3);

    /* Only the non-empty extra. */
    assert_true(g->rows[2].has_extras);
    o = json_loads(g->rows[2].extras, 0, &jerr);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), 1);
    assert_null(json_object_get(o, "phone"));
    assert_string_equal(json_string_value(json_object_get(o, "hours")), "24h");
    json_decref(o);
}

static void test_extras_need_escaping(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER ",note\n"
               "E1,Chain,Store,1 Main,City,WY,82901,US,41,-109,\"say \"\"hi\"\" \\ K\xC3\xB8"
               "benhavn\"\n",
        g);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nrows, 1);
    json_t *o = json_loads(g->rows[0].extras, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "note")), "say \"hi\" \\ K\xC3\xB8"
                                                                       "benhavn");
    json_decref(o);
}

static void test_quoted_fields(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER "\n"
               "X1,Chain,\"Store, \"\"The Best\"\"\",\"1 Main St, Suite 2\",Rock "
               "Springs,WY,\"82901\",US,41.58,-109.2\n"
               "X2,Chain,\"\"\"Quoted\"\"\",2 Main St,Rock Springs,WY,82901,US,\"41.6\",\"-109.3\"\n",
        g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nbad, 0);
    assert_int_equal(g->nrows, 2);
    assert_string_equal(g->rows[0].name, "Store, \"The Best\"");
    assert_string_equal(g->rows[0].address, "1 Main St, Suite 2");
    assert_string_equal(g->rows[0].postal, "82901");
    assert_string_equal(g->rows[1].name, "\"Quoted\"");
    assert_float_equal(g->rows[1].lat, 41.6, 1e-12);
    assert_float_equal(g->rows[1].lon, -109.3, 1e-12);
}

static void test_multiline_record(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER "\n"
               "M1,Chain,\"Two\n"
               "Lines\",1 Main St,Rock Springs,WY,82901,US,41.58,-109.2\n"
               "M2,Chain,After,2 Main St,Rock Springs,WY,82901,US,41.6,-109.3\n"
               "M3,Chain,Last,3 Main St,Rock Springs,WY,82901,US,41.7,-109.4\n",
        g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_OK);
    /* The two-line record is reported once, good or bad, at the line it starts on. */
    assert_int_equal(g->nrows + g->nbad, 3);
    unsigned long m1_line = 0;
    for (size_t i = 0; i < g->nrows; i++)
        if (strcmp(g->rows[i].id, "M1") == 0)
            m1_line = g->rows[i].line;
    if (g->nbad == 1)
        m1_line = g->bad[0].line;
    assert_int_equal(m1_line, 2);
    /* The records after it keep their physical line numbers. */
    struct got_row *m2 = &g->rows[g->nrows - 2], *m3 = &g->rows[g->nrows - 1];
    assert_string_equal(m2->id, "M2");
    assert_int_equal(m2->line, 4);
    assert_string_equal(m3->id, "M3");
    assert_int_equal(m3->line, 5);
}

static void test_bad_rows_reported(void **state)
{
    (void)state;
    char long_id[STORECSV_ID_MAX + 2], max_id[STORECSV_ID_MAX + 1], text[2048];
    memset(long_id, 'L', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    memset(max_id, 'M', sizeof(max_id) - 1);
    max_id[sizeof(max_id) - 1] = '\0';
    snprintf(text, sizeof(text),
             HEADER "\n"
                    "G1,Chain,Good one,1 Main,City,WY,82901,US,41.5,-109.1\n"   /* 2 */
                    "B1,Chain,No lat,1 Main,City,WY,82901,US,,-109.1\n"         /* 3 */
                    "B2,Chain,Lon 200,1 Main,City,WY,82901,US,41.5,200\n"       /* 4 */
                    ",Chain,No id,1 Main,City,WY,82901,US,41.5,-109.1\n"        /* 5 */
                    "B4,Chain,Short,1 Main,City,WY,82901,US,41.5\n"             /* 6 */
                    "%s,Chain,Long id,1 Main,City,WY,82901,US,41.5,-109.1\n"    /* 7 */
                    "B6,Chain,Lat 91,1 Main,City,WY,82901,US,91,-109.1\n"       /* 8 */
                    "B7,Chain,Lat text,1 Main,City,WY,82901,US,north,-109.1\n"  /* 9 */
                    "B8,Chain,Long,1 Main,City,WY,82901,US,41.5,-109.1,extra\n" /* 10 */
                    "B9,,No chain,1 Main,City,WY,82901,US,41.5,-109.1\n"        /* 11 */
                    "G2,Chain,Good two,2 Main,City,WY,82901,US,-41.5,109.1\n"   /* 12 */
                    "%s,Chain,Id of 64,3 Main,City,WY,82901,US,0,0\n",          /* 13 */
             long_id, max_id);
    struct got *g = new_got();
    run(text, g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_OK);

    assert_int_equal(g->nrows, 3);
    assert_string_equal(g->rows[0].id, "G1");
    assert_int_equal(g->rows[0].line, 2);
    assert_string_equal(g->rows[1].id, "G2");
    assert_int_equal(g->rows[1].line, 12);
    assert_float_equal(g->rows[1].lat, -41.5, 1e-12);
    assert_string_equal(g->rows[2].id, max_id);
    assert_int_equal(g->rows[2].line, 13);

    static const struct {
        unsigned long line;
        const char *word;
    } want[] = {
        {3, "lat"}, {4, "lon"}, {5, "id"},      {6, "fields"}, {7, "id"},
        {8, "lat"}, {9, "lat"}, {10, "fields"}, {11, "chain"},
    };
    assert_int_equal(g->nbad, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < g->nbad; i++) {
        if (g->bad[i].line != want[i].line || !strstr(g->bad[i].why, want[i].word))
            print_error("bad row %zu: line %lu '%s', want line %lu and '%s'\n", i, g->bad[i].line,
                        g->bad[i].why, want[i].line, want[i].word);
        assert_int_equal(g->bad[i].line, want[i].line);
        assert_non_null(strstr(g->bad[i].why, want[i].word));
    }
}

static void test_bad_text(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER "\n"
               "U1,Chain,Bad \xFF name,1 Main,City,WY,82901,US,41.5,-109.1\n"
               "U2,Chain,Esc\x1b[31m,1 Main,City,WY,82901,US,41.5,-109.1\n"
               "U3,Chain,Fine,1 Main,City,WY,82901,US,41.5,-109.1\n",
        g);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nbad, 2);
    assert_int_equal(g->bad[0].line, 2);
    assert_non_null(strstr(g->bad[0].why, "name"));
    assert_int_equal(g->bad[1].line, 3);
    assert_non_null(strstr(g->bad[1].why, "name"));
    assert_int_equal(g->nrows, 1);
    assert_string_equal(g->rows[0].id, "U3");
    assert_int_equal(g->rows[0].line, 4);
}

static void test_missing_header_column(void **state)
{
    (void)state;
    struct got *g = new_got();
    run("id,chain,name,address,city,region,country,lat,lon\n"
        "A,Chain,Name,1 Main,City,WY,US,41.5,-109.1\n",
        g);
    assert_int_equal(g->feed_st, RU_ERR_INVALID);
    assert_int_equal(g->failed_line, 1);
    assert_non_null(strstr(g->err, "'postal'"));
    assert_non_null(strstr(g->err, "line 1"));
    assert_int_equal(g->nrows + g->nbad, 0);
}

static void test_duplicate_header_column(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER ",phone,Phone\n", g);
    assert_int_equal(g->feed_st, RU_ERR_INVALID);
    assert_int_equal(g->failed_line, 1);
    assert_non_null(strstr(g->err, "hone"));
    assert_non_null(strstr(g->err, "twice"));

    g = new_got();
    run("id,chain,name,address,city,region,postal,country,lat,lon,ID\n", g);
    assert_int_equal(g->feed_st, RU_ERR_INVALID);
    assert_non_null(strstr(g->err, "twice"));

    /* An unnamed column cannot be kept as an extra either. */
    g = new_got();
    run(HEADER ",,phone\n", g);
    assert_int_equal(g->feed_st, RU_ERR_INVALID);
    assert_non_null(strstr(g->err, "column 11"));
}

static void test_broken_quoting(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER "\n"
               "Q0,Chain,Fine,1 Main,City,WY,82901,US,41.5,-109.1\n"
               "Q1,Chain,Bad\"quote,1 Main,City,WY,82901,US,41.5,-109.1\n",
        g);
    assert_int_equal(g->feed_st, RU_ERR_INVALID);
    assert_int_equal(g->failed_line, 3);
    assert_non_null(strstr(g->err, "line 3"));
    assert_non_null(strstr(g->err, "quot"));
    assert_int_equal(g->nrows, 1);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER "\n"
               "Q0,Chain,Fine,1 Main,City,WY,82901,US,41.5,-109.1\n"
               "Q1,Chain,\"Never closed,1 Main,City,WY,82901,US,41.5,-109.1\n"
               "Q2,Chain,Swallowed,1 Main,City,WY,82901,US,41.5,-109.1\n",
        g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_ERR_INVALID);
    assert_non_null(strstr(g->err, "quote"));
    assert_int_equal(g->nrows, 1);
    assert_string_equal(g->rows[0].id, "Q0");
}

static void test_bom(void **state)
{
    (void)state;
    struct got *g = new_got();
    run("\xEF\xBB\xBF" HEADER "\n"
        "B1,Chain,Store,1 Main,City,WY,82901,US,41.5,-109.1\n",
        g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nbad, 0);
    assert_int_equal(g->nrows, 1);
    assert_string_equal(g->rows[0].id, "B1");
    assert_false(g->rows[0].has_extras);
}

static void test_blank_lines(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER "\n"                                                 /* 1 */
               "\n"                                                 /* 2 */
               "K1,Chain,One,1 Main,City,WY,82901,US,41.5,-109.1\n" /* 3 */
               "\n"                                                 /* 4 */
               "\n"                                                 /* 5 */
               "K2,Chain,Two,2 Main,City,WY,82901,US,41.6,-109.2\n" /* 6 */
               "K3,Chain,Bad,3 Main,City,WY,82901,US,95,-109.2\n"   /* 7 */
               "\n",                                                /* 8 */
        g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nrows, 2);
    assert_int_equal(g->nbad, 1);
    assert_string_equal(g->rows[0].id, "K1");
    assert_string_equal(g->rows[1].id, "K2");
    /* Line numbers count the blank lines: a bad-row report must point at the real line. */
    if (g->rows[0].line != 3 || g->rows[1].line != 6 || g->bad[0].line != 7)
        print_error("lines reported: %lu %lu %lu, want 3 6 7\n", g->rows[0].line, g->rows[1].line,
                    g->bad[0].line);
    assert_int_equal(g->rows[0].line, 3);
    assert_int_equal(g->rows[1].line, 6);
    assert_int_equal(g->bad[0].line, 7);
}

/* STORECSV_MAX_RECORD bounds one record; blank lines between records belong to none,
 * so any number of them is fine. */
static void test_blank_lines_not_a_record(void **state)
{
    (void)state;
    struct got *g = new_got();
    struct storecsv *p = NULL;
    const char *rows[] = {HEADER, "R1,Chain,One,1 Main,City,WY,82901,US,41.5,-109.1",
                          "R2,Chain,Two,2 Main,City,WY,82901,US,41.6,-109.2"};
    const unsigned long blanks = STORECSV_MAX_RECORD + 10;
    enum ru_status st;
    assert_int_equal(storecsv_new(on_row, on_bad, g, &p), RU_OK);
    st = storecsv_feed_line(p, rows[0], strlen(rows[0]));
    if (st == RU_OK)
        st = storecsv_feed_line(p, rows[1], strlen(rows[1]));
    for (unsigned long i = 0; i < blanks && st == RU_OK; i++)
        st = storecsv_feed_line(p, "", 0);
    if (st == RU_OK)
        st = storecsv_feed_line(p, rows[2], strlen(rows[2]));
    if (st == RU_OK)
        st = storecsv_finish(p);
    if (st != RU_OK)
        print_error("%s\n", storecsv_errmsg(p));
    storecsv_free(p);
    assert_int_equal(st, RU_OK);
    assert_int_equal(g->nrows, 2);
    assert_int_equal(g->rows[1].line, 3 + blanks);
}

static void test_empty_input(void **state)
{
    (void)state;
    struct got *g = new_got();
    run("", g);
    assert_int_equal(g->finish_st, RU_ERR_INVALID);
    assert_non_null(strstr(g->err, "header"));

    /* Blank lines only: still no header. */
    g = new_got();
    run("\n\n", g);
    assert_int_equal(g->feed_st, RU_OK);
    assert_int_equal(g->finish_st, RU_ERR_INVALID);

    /* A header alone is a valid, empty list. */
    g = new_got();
    run(HEADER "\n", g);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nrows + g->nbad, 0);
}

static void test_last_line_without_newline(void **state)
{
    (void)state;
    struct got *g = new_got();
    run(HEADER "\nN1,Chain,Last,1 Main,City,WY,82901,US,41.5,-109.1", g);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nrows, 1);
    assert_int_equal(g->rows[0].line, 2);
}

static void test_callback_stops(void **state)
{
    (void)state;
    struct got *g = new_got();
    g->row_status = RU_ERR_DB;
    run(HEADER "\n"
               "S1,Chain,One,1 Main,City,WY,82901,US,41.5,-109.1\n"
               "S2,Chain,Two,2 Main,City,WY,82901,US,41.6,-109.2\n",
        g);
    assert_int_equal(g->feed_st, RU_ERR_DB);
    assert_int_equal(g->failed_line, 2);
    assert_int_equal(g->nrows, 1);
}

static void test_field_too_long(void **state)
{
    (void)state;
    size_t n = STORECSV_MAX_FIELD + 1;
    char *big = malloc(n + 1), *text = malloc(n + 256);
    assert_non_null(big);
    assert_non_null(text);
    memset(big, 'a', n);
    big[n] = '\0';
    snprintf(text, n + 256,
             HEADER "\nT1,Chain,%s,1 Main,City,WY,82901,US,41.5,-109.1\n"
                    "T2,Chain,Ok,1 Main,City,WY,82901,US,41.5,-109.1\n",
             big);
    struct got *g = new_got();
    run(text, g);
    free(big);
    free(text);
    assert_int_equal(g->finish_st, RU_OK);
    assert_int_equal(g->nbad, 1);
    assert_int_equal(g->bad[0].line, 2);
    assert_int_equal(g->nrows, 1);
    assert_int_equal(g->rows[0].line, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_order_and_extras),
        cmocka_unit_test(test_extras_need_escaping),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_multiline_record),
        cmocka_unit_test(test_bad_rows_reported),
        cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_missing_header_column),
        cmocka_unit_test(test_duplicate_header_column),
        cmocka_unit_test(test_broken_quoting),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_blank_lines_not_a_record),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_last_line_without_newline),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_field_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
