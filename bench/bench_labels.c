/*
 * bench/bench_labels.c - GET /api/v1/labels in process: webapi_answer() (parsing, the
 * R*Tree search, the JSON) timed over random views of a 1280x800-pixel map at several
 * zoom levels, each view centred on a random place (where people look at maps), and
 * the median, 90th and 99th percentile and the labels a view got, as a Markdown table.
 *
 *   bench-labels --db DB [--views N] [--seed S]
 *
 * Exit codes: 0 done, 1 a view was not answered 200 or got over 200 labels, 2 usage
 * error, 4 the database cannot be opened.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "bench/bench_rng.h"
#include "db/db.h"
#include "locator/locator_db.h"
#include "locator/webapi.h"
#include "common/banned.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Web Mercator: latitude <-> y in world pixels at zoom Z. */
static double lat_to_y(double lat, int z)
{
    double r = fmax(-85.05, fmin(85.05, lat)) * BENCH_PI / 180.0;
    return (1.0 - asinh(tan(r)) / BENCH_PI) / 2.0 * 256.0 * ldexp(1.0, z);
}

static double y_to_lat(double y, int z)
{
    double n = BENCH_PI * (1.0 - 2.0 * y / (256.0 * ldexp(1.0, z)));
    return atan(sinh(n)) * 180.0 / BENCH_PI;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    size_t views = 2000;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            path = argv[++i];
        else if (!strcmp(argv[i], "--views") && i + 1 < argc)
            views = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench-labels --db DB [--views N] [--seed S]\n");
            return 2;
        }
    }
    if (!path || !views) {
        fprintf(stderr, "usage: bench-labels --db DB [--views N] [--seed S]\n");
        return 2;
    }
    /* the views' centres: the places' positions */
    struct db *db = NULL;
    sqlite3_stmt *st = NULL;
    double *lat = NULL, *lon = NULL;
    size_t nplaces = 0, alloc = 0;
    if (db_open(path, DB_READONLY | DB_NO_MIGRATE, locator_migrations, &db) != RU_OK ||
        db_prepare(db, "SELECT lat, lon FROM place", &st) != RU_OK) {
        fprintf(stderr, "bench-labels: %s\n", db ? db_errmsg(db) : "out of memory");
        db_free(db);
        return 4;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (nplaces == alloc) {
            alloc = alloc ? 2 * alloc : 4096;
            lat = realloc(lat, alloc * sizeof(*lat));
            lon = realloc(lon, alloc * sizeof(*lon));
            if (!lat || !lon)
                return 4;
        }
        lat[nplaces] = sqlite3_column_double(st, 0);
        lon[nplaces++] = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    db_free(db);
    if (!nplaces) {
        fprintf(stderr, "bench-labels: %s has no places\n", path);
        return 4;
    }
    struct webapi *api = NULL;
    char err[600];
    if (webapi_new(path, 1, &api, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "bench-labels: %s\n", err);
        return 4;
    }
    static const int zooms[] = {2, 4, 6, 8, 10, 12, 14, 16};
    double *ns = malloc(views * sizeof(*ns)), *all = malloc(views * 8 * sizeof(*all));
    size_t nall = 0;
    int bad = 0;
    struct rng r;
    rng_seed(&r, seed);
    printf("| zoom | views | median | p90 | p99 | labels a view (mean) |\n| ---: | ---: | ---: | ---: | ---: "
           "| ---: |\n");
    for (size_t zi = 0; zi < sizeof(zooms) / sizeof(zooms[0]); zi++) {
        int z = zooms[zi];
        size_t labels = 0;
        for (size_t v = 0; v < views; v++) {
            size_t p = (size_t)(rng_uniform(&r) * (double)nplaces) % nplaces;
            double half_w = 640.0 / 256.0 * 360.0 / ldexp(1.0, z) / 2.0, y = lat_to_y(lat[p], z);
            double west = lon[p] - half_w, east = lon[p] + half_w;
            if (half_w >= 180.0)
                west = -180.0, east = 180.0;
            if (west < -180.0)
                west += 360.0;
            if (east > 180.0)
                east -= 360.0;
            double north = y_to_lat(fmax(0.0, y - 400.0), z);
            double south = y_to_lat(fmin(256.0 * ldexp(1.0, z), y + 400.0), z);
            char qs[200];
            snprintf(qs, sizeof(qs), "bbox=%.6f,%.6f,%.6f,%.6f&zoom=%d", west, south, east, north, z);
            int status = 0;
            char *body = NULL;
            double t0 = now_ns();
            enum ru_status rc = webapi_answer(api, "/api/v1/labels", qs, &status, &body);
            ns[v] = now_ns() - t0;
            all[nall++] = ns[v];
            json_t *root = rc == RU_OK ? json_loads(body, 0, NULL) : NULL;
            size_t n = json_array_size(json_object_get(root, "labels"));
            if (status != 200 || !root || n > 200) {
                fprintf(stderr, "bench-labels: %s: HTTP %d, %zu labels\n", qs, status, n);
                bad = 1;
            }
            labels += n;
            json_decref(root);
            free(body);
        }
        qsort(ns, views, sizeof(*ns), cmp_double);
        printf("| %d | %zu | %.3f ms | %.3f ms | %.3f ms | %.1f |\n", z, views, ns[views / 2] / 1e6,
               ns[views * 9 / 10] / 1e6, ns[views * 99 / 100] / 1e6, (double)labels / (double)views);
    }
    qsort(all, nall, sizeof(*all), cmp_double);
    printf("| all | %zu | %.3f ms | %.3f ms | %.3f ms | |\n", nall, all[nall / 2] / 1e6,
           all[nall * 9 / 10] / 1e6, all[nall * 99 / 100] / 1e6);
    webapi_free(api);
    free(ns);
    free(all);
    free(lat);
    free(lon);
    return bad;
}
