/*
 * reup-locate - find the nearest Re-Up stores to a city, postal code or position;
 * `reup-locate import` builds the database. Parses arguments, calls libreup_locator,
 * turns statuses into the documented exit codes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "locator/import.h"
#include "locator/locate.h"
#include "locator/locator_db.h"
#include "locator/output.h"
#include "locator/webserver.h"
#include "common/decimal.h"
#include "common/exitcode.h"
#include "common/netlimits.h"
#include "common/servicenotify.h"
#include "common/strbuf.h"
#include "common/stopsignal.h"
#include "common/banned.h"

#define USAGE_EXIT_LOCATE                                                                          \
    EXIT_HELP EXIT_HELP_OK EXIT_HELP_NO_MATCH EXIT_HELP_USAGE EXIT_HELP_NOT_FOUND EXIT_HELP_CONFIG \
        EXIT_HELP_SYSTEM                                                                           \
        "A search exits 1 when no store is within the radius or of the chain (--json and\n"        \
        "--geojson still print the answer), 3 when the place or postal code is unknown, 4\n"       \
        "when the database is missing or not a locator database.\n"

#define USAGE_LOCATE                                                                          \
    "usage: reup-locate [options] QUERY\n"                                                    \
    "       reup-locate import [--db PATH] [--skip-bad] [--all-features] FILE-OPTIONS...\n"   \
    "       reup-locate serve [--listen ADDR:PORT] [--db PATH] [--web DIR] [options]\n"       \
    "\n"                                                                                      \
    "Finds the nearest stores selling Re-Up cards. QUERY is a place (\"Rock Springs, WY\",\n" \
    "\"springfield il\", \"Kobenhavn\"), a postal code (\"82901\") or a position\n"           \
    "(\"41.58,-109.2\").\n"                                                                   \
    "\n"                                                                                      \
    "Options:\n"                                                                              \
    "  -k N             how many stores (1-1000, default 5)\n"                                \
    "  --radius DIST    only stores within DIST: 25mi, 40km, 800m\n"                          \
    "  --units mi|km    distance unit (default: mi for places in the US, else km)\n"          \
    "  --chain NAME     only stores of this chain\n"                                          \
    "  --json           JSON for programs (schema in docs/locator.md)\n"                      \
    "  --geojson        GeoJSON FeatureCollection of the origin and the stores\n"             \
    "  --db PATH        the database (default: $REUP_LOCATOR_DB, then the built-in path)\n"   \
    "  -h, --help       this help;  --version  the version\n"                                 \
    "Numbers (positions, -k, --radius) are plain decimal: 41.58, -109.2, 25 (no '+',\n"       \
    "exponents, hex, inf or nan).\n"                                                          \
    "import builds the database; serve answers the web API and page (docs/locator.md).\n"     \
    "reup-locate import --help and reup-locate serve --help show their options.\n"            \
    "\n" USAGE_EXIT_LOCATE

#define USAGE_IMPORT                                                                        \
    "usage: reup-locate import [--db PATH] [--skip-bad] [--all-features] FILE-OPTIONS...\n" \
    "\n"                                                                                    \
    "Loads GeoNames files and store lists into the database in one transaction: all of\n"   \
    "them land, or none. Importing again updates rows by id.\n"                             \
    "\n"                                                                                    \
    "File options (each may be repeated; \"-\" reads standard input):\n"                    \
    "  --countries FILE   GeoNames countryInfo.txt\n"                                       \
    "  --admin1 FILE      GeoNames admin1CodesASCII.txt\n"                                  \
    "  --places FILE      GeoNames cities500.txt, allCountries.txt or a country file\n"     \
    "  --postal FILE      GeoNames postal-code dump (US.txt, allCountries.txt)\n"           \
    "  --stores FILE      CSV with header id,chain,name,address,city,region,postal,\n"      \
    "                     country,lat,lon (further columns are kept as extras)\n"           \
    "Other options:\n"                                                                      \
    "  --skip-bad         leave bad rows out (reported) instead of failing the import\n"    \
    "  --all-features     keep every GeoNames feature class, not only populated places\n"   \
    "\n" EXIT_HELP EXIT_HELP_OK EXIT_HELP_USAGE EXIT_HELP_CONFIG EXIT_HELP_SYSTEM           \
    "An input file that is missing or malformed, or has bad rows, is exit 2: nothing is\n"  \
    "imported. A database that cannot be opened or written is exit 4.\n"

static const char *database_path(const char *opt)
{
    const char *env = getenv("REUP_LOCATOR_DB");
    if (opt)
        return opt;
    return env && *env ? env : REUP_LOCATOR_DEFAULT_DB;
}

/* The exit code when the database cannot be opened: it is missing, unreadable, not a
 * locator database or not writable, which the message names. */
static int open_failed(enum ru_status rc)
{
    return rc == RU_ERR_NOMEM ? EXIT_SYSTEM : EXIT_CONFIG;
}

static int usage_error(const char *msg, const char *usage)
{
    fprintf(stderr, "reup-locate: %s\n\n%s", msg, usage);
    return EXIT_USAGE;
}

/* The value of option ARGV[*i]; NULL (after a message) when it is missing. */
static const char *value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "reup-locate: option '%s' needs a value\n", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* ---- import ---- */

struct bad_report {
    unsigned long shown;
};

static void on_bad(void *ctx, const char *file, unsigned long line, const char *why)
{
    struct bad_report *br = ctx;
    /* Show the first hundred; the count at the end says how many there were. */
    if (br->shown++ < 100)
        fprintf(stderr, "reup-locate: %s:%lu: %s\n", file, line, why);
}

static int cmd_import(int argc, char **argv)
{
    static const struct {
        const char *opt;
        enum import_kind kind;
    } kinds[] = {{"--countries", IMPORT_COUNTRIES},
                 {"--admin1", IMPORT_ADMIN1},
                 {"--places", IMPORT_PLACES},
                 {"--postal", IMPORT_POSTAL},
                 {"--stores", IMPORT_STORES}};
    const char *dbopt = NULL;
    enum import_flags flags = 0;
    int nfiles = 0;

    for (int i = 1; i < argc; i++) {
        int known = 0;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(USAGE_IMPORT, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--db")) {
            if (!(dbopt = value(argc, argv, &i)))
                return EXIT_USAGE;
            known = 1;
        } else if (!strcmp(argv[i], "--skip-bad")) {
            flags |= IMPORT_SKIP_BAD;
            known = 1;
        } else if (!strcmp(argv[i], "--all-features")) {
            flags |= IMPORT_ALL_FEATURES;
            known = 1;
        }
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            if (!strcmp(argv[i], kinds[k].opt)) {
                if (!value(argc, argv, &i))
                    return EXIT_USAGE;
                nfiles++;
                known = 1;
            }
        if (!known) {
            char msg[300];
            snprintf(msg, sizeof(msg), "unknown import option '%.200s'", argv[i]);
            return usage_error(msg, USAGE_IMPORT);
        }
    }
    if (nfiles == 0)
        return usage_error("import needs at least one file option", USAGE_IMPORT);

    const char *path = database_path(dbopt);
    struct db *db = NULL;
    struct importer *imp = NULL;
    struct bad_report br = {0};
    int code = EXIT_OK;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    enum ru_status rc = db_open(path, DB_CREATE, locator_migrations, &db);
    if (rc != RU_OK) {
        fprintf(stderr, "reup-locate: cannot open the database: %s\n", db ? db_errmsg(db) : "out of memory");
        db_free(db);
        return open_failed(rc);
    }
    if ((rc = importer_new(db, flags, on_bad, &br, &imp)) != RU_OK) {
        fprintf(stderr, "reup-locate: cannot start the import: %s\n", db_errmsg(db));
        db_free(db);
        return open_failed(rc);
    }
    for (int i = 1; i < argc; i++)
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            if (!strcmp(argv[i], kinds[k].opt)) {
                rc = importer_file(imp, kinds[k].kind, argv[++i]);
                if (rc != RU_OK) {
                    fprintf(stderr, "reup-locate: %s\n", importer_errmsg(imp));
                    code = rc == RU_ERR_DB || rc == RU_ERR_NOMEM ? EXIT_SYSTEM : EXIT_USAGE;
                    fprintf(stderr, "reup-locate: nothing was imported\n");
                    goto out;
                }
                break;
            }
    rc = importer_commit(imp);
    const struct import_stats *s = importer_stats(imp);
    if (rc != RU_OK) {
        fprintf(stderr, "reup-locate: %s\n", importer_errmsg(imp));
        code = rc == RU_ERR_INVALID ? EXIT_USAGE : EXIT_SYSTEM;
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("imported into %s in %.1f s: %lu places (%lu names), %lu regions, %lu countries, "
           "%lu postal codes, %lu stores added, %lu updated",
           path, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, s->places,
           s->names, s->admin1, s->countries, s->postal, s->stores_added, s->stores_updated);
    if (s->bad_rows)
        printf(", %lu bad rows left out", s->bad_rows);
    if (s->skipped_rows)
        printf(", %lu non-place features skipped", s->skipped_rows);
    printf("\n");
out:
    importer_free(imp);
    db_free(db);
    return code;
}

/* ---- queries ---- */

static int cmd_locate(int argc, char **argv)
{
    struct locate_request req = {.k = 5};
    const char *dbopt = NULL, *radius = NULL;
    enum output_units units = UNITS_AUTO;
    int json = 0, geojson = 0;
    struct strbuf query, out;
    int code;
    strbuf_init(&query, 64 * 1024);
    strbuf_init(&out, 0);

    int options_done = 0, words = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (options_done) {
            goto query_word;
        } else if (!strcmp(a, "--")) {
            options_done = 1; /* what follows is the query, even "-33.9,151.2" */
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(USAGE_LOCATE, stdout);
            code = EXIT_OK;
            goto out;
        } else if (!strcmp(a, "--version")) {
            printf("reup-locate %s\n", REUP_VERSION);
            code = EXIT_OK;
            goto out;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--geojson")) {
            geojson = 1;
        } else if (!strcmp(a, "-k") || !strcmp(a, "--radius") || !strcmp(a, "--units") ||
                   !strcmp(a, "--chain") || !strcmp(a, "--db")) {
            if (!(v = value(argc, argv, &i))) {
                code = EXIT_USAGE;
                goto out;
            }
            if (!strcmp(a, "-k")) {
                long long k;
                if (decimal_whole(v, 1, LOCATE_MAX_K, &k) != RU_OK) {
                    code = usage_error("-k takes a whole number from 1 to 1000", USAGE_LOCATE);
                    goto out;
                }
                req.k = (size_t)k;
            } else if (!strcmp(a, "--radius")) {
                radius = v;
                if (geo_distance_parse(v, &req.radius_m) != RU_OK) {
                    code = usage_error("--radius takes a distance with its unit: 25mi, 40km or 800m",
                                       USAGE_LOCATE);
                    goto out;
                }
            } else if (!strcmp(a, "--units")) {
                if (strcmp(v, "mi") && strcmp(v, "km")) {
                    code = usage_error("--units takes mi or km", USAGE_LOCATE);
                    goto out;
                }
                units = v[0] == 'm' ? UNITS_MI : UNITS_KM;
            } else if (!strcmp(a, "--chain")) {
                req.chain = v;
            } else {
                dbopt = v;
            }
        } else if (a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9') && a[1] != '.') {
            char msg[300];
            snprintf(msg, sizeof(msg), "unknown option '%.200s'", a);
            code = usage_error(msg, USAGE_LOCATE);
            goto out;
        } else {
        query_word:
            /* Words of an unquoted query are joined: reup-locate Rock Springs, WY */
            words++;
            if ((query.len && strbuf_addch(&query, ' ') != RU_OK) || strbuf_adds(&query, a) != RU_OK) {
                code = usage_error("the query is too long (at most 256 bytes)", USAGE_LOCATE);
                goto out;
            }
        }
    }
    if (!words) {
        code = usage_error("no query given: type a city, a postal code or a position", USAGE_LOCATE);
        goto out;
    }
    if (json && geojson) {
        code = usage_error("choose one of --json and --geojson", USAGE_LOCATE);
        goto out;
    }

    const char *path = database_path(dbopt);
    struct locator *loc = NULL;
    struct locate_result res;
    locate_result_init(&res);
    enum ru_status rc = locator_open(path, 0, &loc);
    if (rc != RU_OK) {
        fprintf(stderr, "reup-locate: cannot use the store database: %s\n",
                loc ? locator_errmsg(loc) : "out of memory");
        fprintf(stderr, "reup-locate: build it with ./setup.sh (or reup-locate import, see --help), "
                        "or point --db or REUP_LOCATOR_DB at one\n");
        locator_free(loc);
        code = open_failed(rc);
        goto out;
    }
    req.query = strbuf_str(&query);
    rc = locator_find(loc, &req, &res);
    switch (rc) {
    case RU_OK: break;
    case RU_ERR_NOT_FOUND:
        fprintf(stderr, "reup-locate: no %s called '%s' is known",
                res.kind == QUERY_POSTAL ? "postal code" : "place", req.query);
        for (size_t i = 0; i < res.nsuggestions; i++)
            fprintf(stderr, "%s%s", i ? ", " : "; did you mean: ", res.suggestions[i]);
        fprintf(stderr, "%s\n", res.nsuggestions ? "?" : "");
        code = EXIT_NOT_FOUND;
        goto done;
    case RU_ERR_INVALID:
    case RU_ERR_LIMIT:
        fprintf(stderr, "reup-locate: %s\n", *locator_errmsg(loc) ? locator_errmsg(loc) : ru_status_str(rc));
        code = EXIT_USAGE;
        goto done;
    default:
        fprintf(stderr, "reup-locate: cannot search the store database: %s\n",
                *locator_errmsg(loc) ? locator_errmsg(loc) : ru_status_str(rc));
        code = EXIT_SYSTEM;
        goto done;
    }

    if (json)
        rc = output_json(&out, req.query, &res);
    else if (geojson)
        rc = output_geojson(&out, req.query, &res);
    else if (res.nstores)
        rc = output_table(&out, req.query, &res, output_units_for(&res, units));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-locate: %s\n", ru_status_str(rc));
        code = EXIT_SYSTEM;
        goto done;
    }
    fputs(strbuf_str(&out), stdout);
    code = res.nstores ? EXIT_OK : EXIT_NO_MATCH;
    if (!res.nstores) {
        char label[3 * GZ_TEXT_MAX];
        gz_place_label(&res.origin, label, sizeof(label));
        if (res.unknown_chain)
            fprintf(stderr, "reup-locate: no chain called '%s' is in the database\n", req.chain);
        else if (req.radius_m > 0)
            fprintf(stderr, "reup-locate: no store within %s of %s; try a larger --radius\n", radius, label);
        else
            fprintf(stderr, "reup-locate: the database has no stores%s\n", req.chain ? " of that chain" : "");
    }
done:
    locate_result_release(&res);
    locator_free(loc);
out:
    strbuf_release(&query);
    strbuf_release(&out);
    return code;
}

#define USAGE_SERVE                                                                                \
    "usage: reup-locate serve [--listen 127.0.0.1:8080] [--db PATH] [--web DIR] [--threads N]\n"   \
    "                         [--rate N] [--tiles URL [--tiles-attribution TEXT]]\n"               \
    "                         [connection limits and timeouts, below]\n"                           \
    "  --listen ADDR:PORT  where to answer (default 127.0.0.1:8080; port 0 picks a free one):\n"   \
    "                      a numeric IPv4 address, or IPv6 in brackets ([::1]:8080); [::]\n"       \
    "                      takes IPv6 and IPv4 clients alike\n"                                    \
    "  --web DIR           the page's files (default: the page built with the program, when\n"     \
    "                      there; \"\" for the API alone)\n"                                       \
    "  --threads N         worker threads (default: one a processor)\n"                            \
    "  --rate N            API requests a second per client address, an IPv6 client by its /64\n"  \
    "                      (default 100; 0: no limit)\n"                                           \
    "  --tiles URL         an online tile layer under the map's offline borders:\n"                \
    "                      https://tile.openstreetmap.org/{z}/{x}/{y}.png\n" NETLIMITS_USAGE       \
    "SIGTERM or SIGINT: stop listening, finish the requests in flight (up to\n"                    \
    "--shutdown-timeout), then exit 0. SIGHUP: open the database at its path again (a new\n"       \
    "file renamed into place), keeping every connection; a file that cannot be used is\n"          \
    "refused and the old one kept. Tells systemd (sd_notify) when it is ready. docs/locator.md.\n" \
    "\n" EXIT_HELP EXIT_HELP_OK EXIT_HELP_USAGE EXIT_HELP_CONFIG EXIT_HELP_SYSTEM

/* reup-locate serve: the web API (and page) until SIGTERM. */

/* The log line for a database of schema version 2: it serves everything but labels. */
static void warn_unlabelled(struct webserver *srv, const char *db_path)
{
    if (!webserver_has_labels(srv))
        fprintf(stderr,
                "reup-locate: %s was imported before place labels (schema version 2): /api/v1/labels "
                "answers 503 labels_unavailable until it is imported again\n",
                db_path);
}
static int cmd_serve(int argc, char **argv)
{
    struct webserver_config cfg = {
        .listen = "127.0.0.1:8080", .log = stderr, .rate = 100, .limits = NETLIMITS_DEFAULTS};
    /* the page built beside the program, when it was built */
    cfg.web_dir = access(REUP_WEB_DEFAULT_DIR "/index.html", R_OK) == 0 ? REUP_WEB_DEFAULT_DIR : NULL;
    const char *dbopt = NULL;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help")) {
            fputs(USAGE_SERVE, stdout);
            return EXIT_OK;
        }
        char msg[200];
        enum ru_status lim = !v || strncmp(a, "--", 2)
                                 ? RU_ERR_NOT_FOUND
                                 : netlimits_option(&cfg.limits, a + 2, v, msg, sizeof(msg));
        if (lim == RU_ERR_INVALID)
            return usage_error(msg, USAGE_SERVE);
        if (lim == RU_OK)
            continue;
        if (!v ||
            (strcmp(a, "--listen") && strcmp(a, "--db") && strcmp(a, "--web") && strcmp(a, "--threads") &&
             strcmp(a, "--rate") && strcmp(a, "--tiles") && strcmp(a, "--tiles-attribution")))
            return usage_error(v ? "unknown option" : "an option needs a value", USAGE_SERVE);
        if (!strcmp(a, "--listen"))
            cfg.listen = v;
        else if (!strcmp(a, "--db"))
            dbopt = v;
        else if (!strcmp(a, "--web"))
            cfg.web_dir = v;
        else if (!strcmp(a, "--tiles"))
            cfg.tiles_url = v;
        else if (!strcmp(a, "--tiles-attribution"))
            cfg.tiles_attribution = v;
        else if (!strcmp(a, "--rate")) {
            long long t;
            if (decimal_whole(v, 0, 1000000, &t) != RU_OK)
                return usage_error("--rate takes a whole number from 0 (no limit) to 1000000", USAGE_SERVE);
            cfg.rate = (unsigned)t;
        } else {
            long long t;
            if (decimal_whole(v, 1, 64, &t) != RU_OK)
                return usage_error("--threads takes a whole number from 1 to 64", USAGE_SERVE);
            cfg.threads = (unsigned)t;
        }
    }
    cfg.db_path = database_path(dbopt);
    sigset_t set;
    stopsignal_block(&set);
    struct webserver *srv = NULL;
    char err[600];
    enum ru_status rc = webserver_start(&cfg, &srv, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-locate: %s\n", err);
        return rc == RU_ERR_INVALID                    ? EXIT_USAGE
               : rc == RU_ERR_IO || rc == RU_ERR_NOMEM ? EXIT_SYSTEM /* cannot listen */
                                                       : open_failed(rc);
    }
    /* "port N" ends the line: scripts read the port picked for port 0 from there */
    printf("reup-locate: serving http on %s (%s%s), port %u\n", cfg.listen,
           cfg.web_dir && *cfg.web_dir ? "the page from " : "the API alone",
           cfg.web_dir && *cfg.web_dir ? cfg.web_dir : "", webserver_port(srv));
    fflush(stdout);
    warn_unlabelled(srv, cfg.db_path);
    char status[600];
    snprintf(status, sizeof(status), "serving http on %s, port %u, from %s", cfg.listen, webserver_port(srv),
             cfg.db_path);
    servicenotify_ready(status);
    const char *name;
    while (stopsignal_wait(&set, &name) == SIGHUP) {
        servicenotify_reloading("reopening the store database");
        rc = webserver_reload(srv, err, sizeof(err));
        if (rc == RU_OK)
            fprintf(stderr,
                    "reup-locate: %s: reopened the store database %s; requests under way finish on "
                    "the one before\n",
                    name, cfg.db_path);
        if (rc == RU_OK)
            warn_unlabelled(srv, cfg.db_path);
        else
            fprintf(stderr,
                    "reup-locate: %s: %s refused (%s), still serving the store database opened "
                    "before\n",
                    name, cfg.db_path, err);
        snprintf(status, sizeof(status), "serving http on %s, port %u, from %s%s", cfg.listen,
                 webserver_port(srv), cfg.db_path,
                 rc == RU_OK ? "" : " (the last reload was refused: see the log)");
        servicenotify_ready(status);
    }
    servicenotify_stopping("finishing requests in flight");
    fprintf(stderr, "reup-locate: %s: finishing requests in flight, then stopping\n", name);
    webserver_stop(srv);
    return EXIT_OK;
}

/* A first argument that is none of these is the start of a query. */
static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {{"import", cmd_import}, {"serve", cmd_serve}};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    return cmd_locate(argc, argv);
}
