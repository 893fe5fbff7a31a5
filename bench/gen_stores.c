/*
 * bench/gen_stores.c - gen-stores: a deterministic synthetic store list for benchmarks.
 *
 * Reads a GeoNames places file (cities500.txt) and writes N stores in the store-list CSV
 * format that `reup-locate import --stores` reads. Each store belongs to a real place
 * chosen with probability proportional to its population and sits a Gaussian offset
 * away from it (sigma 1 km + sqrt(population)/250 km, so a city of a million spreads over
 * about 5 km), which gives the dense cores and empty oceans of a real network. Stores
 * are spread over five chains so that --chain filters can be exercised; ids SYN0000001...
 * are unique and depend only on the row number. One store in a hundred shares the exact
 * position of the store before it (several chains in one mall), so that equal distances
 * and the id tie-break are exercised. The same file, count and seed always give
 * byte-identical output (xoshiro256** seeded by splitmix64; no rand(), no clock).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/textfile.h"
#include "locator/geonames.h"
#include "bench/bench_rng.h"
#include "common/banned.h"

#define USAGE                                                                               \
    "usage: gen-stores --places FILE --count N [--seed S] [--out FILE]\n"                   \
    "\n"                                                                                    \
    "Writes N synthetic stores (CSV: id,chain,name,address,city,region,postal,country,\n"   \
    "lat,lon,phone) clustered around the places of FILE (GeoNames cities500.txt format),\n" \
    "places chosen in proportion to their population. Deterministic for a given seed\n"     \
    "(default 1). --out defaults to standard output.\n"                                     \
    "\n"                                                                                    \
    "Exit codes: 0 written, 2 usage error, 5 the places file is missing or unreadable,\n"   \
    "6 the output cannot be written.\n"

enum exit_code { EXIT_DONE = 0, EXIT_USAGE = 2, EXIT_BAD_INPUT = 5, EXIT_WRITE = 6 };

#define KM_PER_DEG      111.19492664455873 /* 2*pi*6371.0088/360 */
#define MAX_LINE        (1 << 20)
#define SAME_SITE_SHARE 0.01 /* stores at the exact position of the store before them */

/* ---- places ---- */

struct place {
    char *name; /* owned */
    char country[4];
    char admin1[24];
    double lat, lon;
    long long population;
};

struct places {
    struct place *v;
    size_t n, alloc;
    double *cum; /* cum[i] = population of places 0..i */
};

static void places_release(struct places *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->v[i].name);
    free(ps->v);
    free(ps->cum);
}

/* Read every populated place with a population; 0 or a message on stderr. */
static int read_places(const char *path, struct places *ps)
{
    struct textfile *tf = NULL;
    enum ru_status rc = textfile_open(path, MAX_LINE, &tf);
    unsigned long bad = 0;
    if (rc != RU_OK) {
        fprintf(stderr, "gen-stores: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        char *line, why[GEONAMES_WHY_MAX];
        size_t len;
        struct gn_place p;
        rc = textfile_next(tf, &line, &len);
        if (rc == RU_ERR_NOT_FOUND)
            break;
        if (rc != RU_OK || gn_parse_place(line, &p, why) != RU_OK) {
            bad++;
            continue;
        }
        if (p.population <= 0)
            continue;
        if (ps->n == ps->alloc) {
            size_t na = ps->alloc ? 2 * ps->alloc : 1 << 16;
            struct place *nv = realloc(ps->v, na * sizeof(*nv));
            if (!nv)
                goto nomem;
            ps->v = nv;
            ps->alloc = na;
        }
        struct place *d = &ps->v[ps->n];
        if (!(d->name = strdup(p.name)))
            goto nomem;
        snprintf(d->country, sizeof(d->country), "%s", p.country);
        snprintf(d->admin1, sizeof(d->admin1), "%s", p.admin1);
        d->lat = p.lat;
        d->lon = p.lon;
        d->population = p.population;
        ps->n++;
    }
    textfile_free(tf);
    tf = NULL;
    if (bad)
        fprintf(stderr, "gen-stores: %s: %lu unreadable lines skipped\n", path, bad);
    if (ps->n == 0) {
        fprintf(stderr, "gen-stores: '%s' has no places with a population\n", path);
        return -1;
    }
    if (!(ps->cum = malloc(ps->n * sizeof(*ps->cum))))
        goto nomem;
    double sum = 0;
    for (size_t i = 0; i < ps->n; i++) {
        sum += (double)ps->v[i].population;
        ps->cum[i] = sum;
    }
    return 0;
nomem:
    textfile_free(tf);
    fprintf(stderr, "gen-stores: out of memory reading '%s'\n", path);
    return -1;
}

/* A place index drawn with probability proportional to population. */
static size_t pick_place(const struct places *ps, struct rng *r)
{
    double u = rng_uniform(r) * ps->cum[ps->n - 1];
    size_t lo = 0, hi = ps->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ps->cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---- output ---- */

static const struct {
    const char *name;
    double share;
} chains[] = {
    {"Re-Up Mart", 0.40},    {"QuickStop", 0.25}, {"FreshFuel", 0.15},
    {"Corner Market", 0.12}, {"ValuDrug", 0.08},
};
#define NCHAINS (sizeof(chains) / sizeof(chains[0]))

static const char *const streets[] = {"Main St",   "Market St", "Station Rd", "High St",
                                      "Church St", "Park Ave",  "Mill Rd",    "Oak Ave"};

/* One CSV field, quoted when it holds a comma, a quote or a line break. */
static void put_field(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static size_t pick_chain(struct rng *r)
{
    double u = rng_uniform(r), acc = 0;
    for (size_t i = 0; i < NCHAINS; i++) {
        acc += chains[i].share;
        if (u < acc)
            return i;
    }
    return NCHAINS - 1;
}

/* Move P by NORTH_KM and EAST_KM on a local flat map; wrap longitude, reflect at the poles. */
static void offset(const struct place *p, double north_km, double east_km, double *lat, double *lon)
{
    double la = p->lat + north_km / KM_PER_DEG;
    double c = cos(p->lat * BENCH_PI / 180.0);
    double lo = p->lon + east_km / (KM_PER_DEG * (c > 0.01 ? c : 0.01));
    if (la > 90.0) {
        la = 180.0 - la;
        lo += 180.0;
    } else if (la < -90.0) {
        la = -180.0 - la;
        lo += 180.0;
    }
    lo = fmod(lo + 180.0, 360.0);
    if (lo < 0)
        lo += 360.0;
    lo -= 180.0;
    /* Printed with six decimals: keep the rounded value in range too. */
    if (la > 89.999999)
        la = 89.999999;
    if (la < -89.999999)
        la = -89.999999;
    if (lo >= 179.9999995)
        lo = -180.0;
    *lat = la;
    *lon = lo;
}

static int write_stores(FILE *f, const struct places *ps, unsigned long count, uint64_t seed)
{
    struct rng r;
    const struct place *p = NULL;
    double lat = 0, lon = 0;
    rng_seed(&r, seed);
    int width = 7;
    for (unsigned long c = count; c >= 10000000UL; c /= 10)
        width++;
    fputs("id,chain,name,address,city,region,postal,country,lat,lon,phone\n", f);
    for (unsigned long i = 1; i <= count; i++) {
        /* A few stores share the previous store's exact position (several chains in one
         * mall): equal distances, so answers depend on the id tie-break. */
        if (!p || rng_uniform(&r) >= SAME_SITE_SHARE) {
            p = &ps->v[pick_place(ps, &r)];
            double sigma_km = 1.0 + sqrt((double)p->population) / 250.0;
            double north = sigma_km * rng_normal(&r), east = sigma_km * rng_normal(&r);
            offset(p, north, east, &lat, &lon);
        }
        size_t chain = pick_chain(&r);
        unsigned house = 1 + (unsigned)(rng_next(&r) % 9999);
        const char *street = streets[rng_next(&r) % (sizeof(streets) / sizeof(streets[0]))];
        unsigned postal = (unsigned)(rng_next(&r) % 100000);
        unsigned phone = (unsigned)(rng_next(&r) % 10000000);
        char id[32], name[512], address[64], postal_s[8], lat_s[32], lon_s[32], phone_s[32];

        snprintf(id, sizeof(id), "SYN%0*lu", width, i);
        snprintf(name, sizeof(name), "%s %.400s", chains[chain].name, p->name);
        snprintf(address, sizeof(address), "%u %s", house, street);
        snprintf(postal_s, sizeof(postal_s), "%05u", postal);
        snprintf(lat_s, sizeof(lat_s), "%.6f", lat);
        snprintf(lon_s, sizeof(lon_s), "%.6f", lon);
        snprintf(phone_s, sizeof(phone_s), "+1 555 %03u %04u", phone / 10000, phone % 10000);
        put_field(f, id, 0);
        put_field(f, chains[chain].name, 0);
        put_field(f, name, 0);
        put_field(f, address, 0);
        put_field(f, p->name, 0);
        put_field(f, p->admin1, 0);
        put_field(f, postal_s, 0);
        put_field(f, p->country, 0);
        put_field(f, lat_s, 0);
        put_field(f, lon_s, 0);
        put_field(f, phone_s, 1);
    }
    return ferror(f) ? -1 : 0;
}

static int parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > max)
        return 0;
    *out = v;
    return 1;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "gen-stores: %s\n\n%s", msg, USAGE);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    const char *places_path = NULL, *out_path = "-";
    unsigned long long count = 0, seed = 1;
    int have_count = 0;
    struct places ps = {0};
    FILE *f = NULL;
    int code = EXIT_DONE;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(USAGE, stdout);
            return EXIT_DONE;
        }
        if (strcmp(a, "--places") && strcmp(a, "--count") && strcmp(a, "--seed") && strcmp(a, "--out")) {
            char msg[300];
            snprintf(msg, sizeof(msg), "unknown option '%.200s'", a);
            return usage_error(msg);
        }
        if (i + 1 >= argc) {
            char msg[300];
            snprintf(msg, sizeof(msg), "option '%s' needs a value", a);
            return usage_error(msg);
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--places")) {
            places_path = v;
        } else if (!strcmp(a, "--out")) {
            out_path = v;
        } else if (!strcmp(a, "--count")) {
            if (!parse_ulong(v, 4000000000ULL, &count) || count == 0)
                return usage_error("--count takes a whole number from 1 to 4000000000");
            have_count = 1;
        } else if (!parse_ulong(v, UINT64_MAX, &seed)) {
            return usage_error("--seed takes a non-negative whole number");
        }
    }
    if (!places_path || !have_count)
        return usage_error("--places and --count are required");

    if (read_places(places_path, &ps) != 0) {
        code = EXIT_BAD_INPUT;
        goto out;
    }
    f = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "gen-stores: cannot write '%s': %s\n", out_path, strerror(errno));
        code = EXIT_WRITE;
        goto out;
    }
    if (write_stores(f, &ps, (unsigned long)count, seed) != 0 || fflush(f) != 0) {
        fprintf(stderr, "gen-stores: writing '%s' failed: %s\n", out_path, strerror(errno));
        code = EXIT_WRITE;
    }
out:
    if (f && f != stdout && fclose(f) != 0 && code == EXIT_DONE) {
        fprintf(stderr, "gen-stores: writing '%s' failed: %s\n", out_path, strerror(errno));
        code = EXIT_WRITE;
    }
    places_release(&ps);
    return code;
}
