/*
 * reup-issuer - the card issuer's back office and activation host.
 * Parses arguments, calls libreup_issuer, turns statuses into the documented exit codes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/batchfile.h"
#include "issuer/ledger.h"
#include "issuer/ledgerbackup.h"
#include "issuer/server.h"
#include "common/exitcode.h"
#include "common/netlimits.h"
#include "common/servicenotify.h"
#include "common/stopsignal.h"
#include "common/wipe.h"
#include "common/banned.h"

#define USAGE_EXIT                                                                                    \
    EXIT_HELP EXIT_HELP_OK EXIT_HELP_USAGE EXIT_HELP_NOT_FOUND EXIT_HELP_CONFIG EXIT_HELP_NO_ANSWER   \
        EXIT_HELP_REFUSED EXIT_HELP_SYSTEM                                                            \
        "2 is also a state directory, database ledger, plan, terminal or batch file that\n"           \
        "exists already; 3 no such plan, card or batch; 4 the state directory missing, not\n"         \
        "initialized, or a file of it open to group or others, the PostgreSQL database\n"             \
        "refusing, or a ledger schema older or newer than this program's; 5 no PostgreSQL\n"          \
        "server answers. backup, restore: 2 FILE exists (backup), is not a reup-issuer backup,\n"     \
        "is truncated or corrupt, or the ledger is on PostgreSQL; 4 its schema is newer; 6 restore\n" \
        "while serve (or another command) has DIR's ledger open.\n"

#define USAGE                                                                                             \
    "usage: reup-issuer COMMAND [options]\n"                                                              \
    "\n"                                                                                                  \
    "  init --dir DIR [--prefix NNNN] [--database URI]\n"                                                 \
    "                                           create a state directory (issuer key, development\n"      \
    "                                           TLS certificate) and its ledger: DIR/issuer.db, or the\n" \
    "                                           empty PostgreSQL database of URI (postgresql://...)\n"    \
    "  init --dir DIR --upgrade                 bring the ledger's schema up to date\n"                   \
    "  plan add --code C --months M --price MINOR --currency CUR [--gtin G]\n"                            \
    "  terminal add --store STORE --terminal ID prints the terminal's credentials once (JSON)\n"          \
    "  terminal rotate --store STORE --terminal ID\n"                                                     \
    "                                           new credentials for the terminal, printed once (JSON);\n" \
    "                                           its old secret is refused from then on, by serve too\n"   \
    "  batch create --plan C --count N --out FILE\n"                                                      \
    "                                           N new cards; FILE (mode 0600) is serial,pin,plan,batch\n" \
    "  card show SERIAL                         the card as GET /v1/cards shows it (JSON)\n"              \
    "  card block SERIAL | --batch B            block lost or stolen stock\n"                             \
    "  audit [--since T]                        the audit log (JSON)\n"                                   \
    "  report                                   cards, batches, terminals, requests (JSON)\n"             \
    "  backup --out FILE                        a consistent copy of the SQLite ledger and the issuer\n"  \
    "                                           key, taken while serve runs (FILE new, mode 0600)\n"      \
    "  restore --from FILE                      check a backup, then put it in place of DIR's ledger\n"   \
    "                                           (serve stopped); DIR is made when missing\n"              \
    "  serve [--listen ADDR:PORT] [--threads N] [--writers N] [--void-window SECONDS]\n"                  \
    "        [--tls-priority STRING] [limits below]\n"                                                    \
    "                                           the activation API over HTTPS (docs/api.md) until "       \
    "SIGTERM,\n"                                                                                          \
    "                                           and the customers' redemption page (/redeem);\n"          \
    "                                           TLS 1.2 and 1.3 with AEAD suites unless --tls-priority\n" \
    "                                           (a GnuTLS priority string) says otherwise\n"              \
    "\n"                                                                                                  \
    "serve: --listen takes a numeric IPv4 address (default 127.0.0.1:8443) or IPv6 in\n"                  \
    "brackets ([::1]:8443; [::]:8443 takes IPv6 and IPv4 alike); port 0 picks a free one.\n"              \
    "On SIGTERM or SIGINT it stops listening at once, answers the requests it has (up to\n"               \
    "--shutdown-timeout, then a second for writes just committed), and exits 0. SIGHUP is\n"              \
    "logged and changes nothing. Under systemd (Type=notify) it reports when it is ready.\n"              \
    "--writers (1 to 64): threads that commit writes, each with its own connection to the\n"              \
    "ledger; default 1 on SQLite, which takes no more, and " SERVER_WRITERS_PG_TEXT " on PostgreSQL.\n"   \
    "Limits of serve:\n" NETLIMITS_USAGE "\n"                                                             \
    "Every command but init takes --dir DIR (default: $REUP_ISSUER_DIR, then /var/lib/reup/issuer).\n"    \
    "The directory must be mode 0700, and issuer.db (-wal, -shm), database, issuer.key and serve's\n"     \
    "TLS key 0600: a file group or others may open is refused (exit 4) with the chmod to run.\n"          \
    "--database never holds a password: libpq reads it from ~/.pgpass (or PGPASSFILE), or use peer\n"     \
    "authentication. Every command refuses a ledger whose schema is older (run init --upgrade)\n"         \
    "or newer than this program's.\n"                                                                     \
    "\n"

/* Options of one command: --name value pairs and at most one positional argument. */
struct args {
    const char *names[12], *values[12];
    int n;
    const char *positional;
};

static const char *opt(const struct args *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->names[i], name))
            return a->values[i];
    return NULL;
}

static int usage_error(const char *msg)
{
    /* two strings: together they are longer than a C string literal may be */
    fprintf(stderr, "reup-issuer: %s\n\n%s%s", msg, USAGE, USAGE_EXIT);
    return EXIT_USAGE;
}

/* Options that take no value: given, they read as "yes". */
static int is_flag(const char *name)
{
    return !strcmp(name, "upgrade");
}

/* Parse ARGV into A, accepting only the options in ALLOWED (space-separated). */
static int parse(int argc, char **argv, const char *allowed, struct args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0) {
            if (a->positional)
                return usage_error("too many arguments");
            a->positional = argv[i];
            continue;
        }
        const char *name = argv[i] + 2, *hit = strstr(allowed, name);
        size_t len = strlen(name);
        if (!*name || !hit || (hit != allowed && hit[-1] != ' ') || (hit[len] != ' ' && hit[len] != '\0')) {
            char msg[160];
            snprintf(msg, sizeof(msg), "unknown option '%.100s'", argv[i]);
            return usage_error(msg);
        }
        if (a->n == 12 || (!is_flag(name) && i + 1 >= argc)) {
            char msg[160];
            snprintf(msg, sizeof(msg), "option '%.100s' needs a value", argv[i]);
            return usage_error(msg);
        }
        a->names[a->n] = name;
        a->values[a->n++] = is_flag(name) ? "yes" : argv[++i];
    }
    return EXIT_OK;
}

static const char *state_dir(const struct args *a)
{
    const char *env = getenv("REUP_ISSUER_DIR");
    return opt(a, "dir") ? opt(a, "dir") : env && *env ? env : "/var/lib/reup/issuer";
}

/* A whole number from MIN to MAX, or -1 after a message. */
static long long number(const char *name, const char *text, long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = text && *text ? strtoll(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || v < min || v > max) {
        fprintf(stderr, "reup-issuer: --%s takes a whole number from %lld to %lld\n", name, min, max);
        return -1;
    }
    return v;
}

static int exit_for(enum ru_status rc)
{
    switch (rc) {
    case RU_OK: return EXIT_OK;
    case RU_ERR_INVALID:
    case RU_ERR_LIMIT:
    case RU_ERR_EXISTS: return EXIT_USAGE; /* exists already: nothing done, as bad input */
    case RU_ERR_NOT_FOUND: return EXIT_NOT_FOUND;
    case RU_ERR_SCHEMA: return EXIT_CONFIG;
    case RU_ERR_NETWORK: return EXIT_NO_ANSWER;
    default: return EXIT_SYSTEM;
    }
}

/* Open the ledger of the command's state directory, or say why not. */
static struct ledger *open_ledger(const struct args *a, int *code)
{
    struct ledger *lg = NULL;
    enum ru_status rc = ledger_open(state_dir(a), &lg);
    if (rc == RU_OK)
        return lg;
    fprintf(stderr, "reup-issuer: %s\n", lg ? ledger_errmsg(lg) : "out of memory");
    *code = rc == RU_ERR_DB ? EXIT_SYSTEM : rc == RU_ERR_NETWORK ? EXIT_NO_ANSWER : EXIT_CONFIG;
    ledger_free(lg);
    return NULL;
}

static int finish(struct ledger *lg, enum ru_status rc)
{
    if (rc != RU_OK)
        fprintf(stderr, "reup-issuer: %s%s\n", ledger_errmsg(lg),
                rc == RU_ERR_EXISTS ? "; nothing done" : "");
    ledger_free(lg);
    return exit_for(rc);
}

/* Print the JSON a command produced (when it did), free it, and end the command. */
static int finish_json(struct ledger *lg, enum ru_status rc, char *json)
{
    if (rc == RU_OK)
        printf("%s\n", json);
    free(json);
    return finish(lg, rc);
}

static int cmd_upgrade(const struct args *a)
{
    char err[512];
    int from = 0, to = 0;
    if (opt(a, "prefix") || opt(a, "database"))
        return usage_error("init --upgrade takes --dir alone: the ledger keeps its prefix and database");
    enum ru_status rc = ledger_upgrade(opt(a, "dir"), &from, &to, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-issuer: %s\n", err);
        return rc == RU_ERR_DB ? EXIT_SYSTEM : rc == RU_ERR_NETWORK ? EXIT_NO_ANSWER : EXIT_CONFIG;
    }
    if (from == to)
        printf("%s: schema %d, up to date\n", opt(a, "dir"), to);
    else
        printf("%s: schema %d -> %d\n", opt(a, "dir"), from, to);
    return EXIT_OK;
}

static int cmd_init(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir prefix database upgrade", &a);
    if (code != EXIT_OK)
        return code;
    if (!opt(&a, "dir"))
        return usage_error("init needs --dir DIR");
    if (opt(&a, "upgrade"))
        return cmd_upgrade(&a);
    long long prefix = opt(&a, "prefix") ? number("prefix", opt(&a, "prefix"), 0, 9999) : 4242;
    if (prefix < 0)
        return EXIT_USAGE;
    char err[512];
    const char *database = opt(&a, "database");
    enum ru_status rc = ledger_init(opt(&a, "dir"), (unsigned)prefix, database, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-issuer: %s%s\n", err, rc == RU_ERR_EXISTS ? "; nothing done" : "");
        return rc == RU_ERR_EXISTS || rc == RU_ERR_INVALID ? EXIT_USAGE
               : rc == RU_ERR_NETWORK                      ? EXIT_NO_ANSWER
               : rc == RU_ERR_NOT_FOUND                    ? EXIT_CONFIG
                                                           : EXIT_SYSTEM;
    }
    if (database)
        printf("initialized %s: database (the ledger on %s), issuer.key, tls/cert.pem, tls/key.pem (serial "
               "prefix %04lld)\n",
               opt(&a, "dir"), database, prefix);
    else
        printf("initialized %s: issuer.db, issuer.key, tls/cert.pem, tls/key.pem (serial prefix %04lld)\n",
               opt(&a, "dir"), prefix);
    return EXIT_OK;
}

static int cmd_plan_add(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir code months price currency gtin", &a);
    if (code != EXIT_OK)
        return code;
    if (!opt(&a, "code") || !opt(&a, "months") || !opt(&a, "price") || !opt(&a, "currency"))
        return usage_error("plan add needs --code, --months, --price (minor units) and --currency");
    struct ledger_plan p = {0};
    long long months = number("months", opt(&a, "months"), 1, 1200);
    p.price_cents = number("price", opt(&a, "price"), 0, 100000000);
    if (months < 0 || p.price_cents < 0)
        return EXIT_USAGE;
    p.months = (int)months;
    snprintf(p.code, sizeof(p.code), "%s", opt(&a, "code"));
    snprintf(p.currency, sizeof(p.currency), "%s", opt(&a, "currency"));
    snprintf(p.gtin, sizeof(p.gtin), "%s", opt(&a, "gtin") ? opt(&a, "gtin") : "");
    if (strlen(opt(&a, "code")) >= sizeof(p.code) || strlen(opt(&a, "currency")) >= sizeof(p.currency) ||
        (opt(&a, "gtin") && strlen(opt(&a, "gtin")) >= sizeof(p.gtin)))
        return usage_error("--code is at most 16 characters, --currency 3 letters, --gtin 14 digits");
    struct ledger *lg = open_ledger(&a, &code);
    if (!lg)
        return code;
    enum ru_status rc = ledger_plan_add(lg, &p);
    if (rc == RU_OK)
        printf("plan %s: %d months, %lld minor units of %s\n", p.code, p.months, p.price_cents, p.currency);
    return finish(lg, rc);
}

/* terminal add and terminal rotate (ROTATE): the terminal's credentials, printed once. */
static int terminal_credentials(int argc, char **argv, int rotate)
{
    struct args a;
    int code = parse(argc, argv, "dir store terminal", &a);
    if (code != EXIT_OK)
        return code;
    if (!opt(&a, "store") || !opt(&a, "terminal"))
        return usage_error(rotate ? "terminal rotate needs --store STORE_ID and --terminal TERMINAL_ID"
                                  : "terminal add needs --store STORE_ID and --terminal TERMINAL_ID");
    struct ledger *lg = open_ledger(&a, &code);
    if (!lg)
        return code;
    unsigned char secret[SECRET_BYTES];
    char hex[2 * SECRET_BYTES + 1];
    enum ru_status rc = rotate ? ledger_terminal_rotate(lg, opt(&a, "terminal"), opt(&a, "store"), secret)
                               : ledger_terminal_add(lg, opt(&a, "terminal"), opt(&a, "store"), secret);
    if (rc == RU_OK) {
        secret_hex(secret, sizeof(secret), hex);
        /* ids are checked to be [A-Za-z0-9._-]: nothing to escape; the till's credentials file */
        printf("{\"terminal\": \"%s\", \"store\": \"%s\", \"secret\": \"%s\"}\n", opt(&a, "terminal"),
               opt(&a, "store"), hex);
        wipe(hex, sizeof(hex));
    }
    wipe(secret, sizeof(secret));
    return finish(lg, rc);
}

static int cmd_terminal_add(int argc, char **argv)
{
    return terminal_credentials(argc, argv, 0);
}

static int cmd_terminal_rotate(int argc, char **argv)
{
    return terminal_credentials(argc, argv, 1);
}

static int cmd_batch_create(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir plan count out", &a);
    if (code != EXIT_OK)
        return code;
    if (!opt(&a, "plan") || !opt(&a, "count") || !opt(&a, "out"))
        return usage_error("batch create needs --plan, --count and --out FILE");
    long long count = number("count", opt(&a, "count"), 1, LEDGER_BATCH_MAX);
    if (count < 0)
        return EXIT_USAGE;
    struct ledger *lg = open_ledger(&a, &code);
    if (!lg)
        return code;
    char batch[16];
    enum ru_status rc;
    int tries = 0;
    do {
        /* a batch a concurrent transaction got in the way of is made again, file and all */
        struct batchfile *bf = NULL;
        if ((rc = batchfile_open(opt(&a, "out"), &bf)) != RU_OK) {
            fprintf(stderr, "reup-issuer: %s '%s'%s\n",
                    rc == RU_ERR_EXISTS ? "will not overwrite" : "cannot write", opt(&a, "out"),
                    rc == RU_ERR_EXISTS ? ": it holds PINs; nothing done, choose another --out" : "");
            ledger_free(lg);
            return rc == RU_ERR_EXISTS ? EXIT_USAGE : EXIT_SYSTEM;
        }
        rc = ledger_batch_create(lg, opt(&a, "plan"), (unsigned long)count, batchfile_row, batchfile_finish,
                                 bf, batch);
        if (rc != RU_OK)
            batchfile_discard(bf);
        batchfile_free(bf);
    } while (ledger_again(lg, rc, &tries));
    if (rc == RU_OK)
        printf("batch %s: %lld cards of plan %s in %s (mode 0600: it is the one copy of the PINs)\n", batch,
               count, opt(&a, "plan"), opt(&a, "out"));
    return finish(lg, rc);
}

static int cmd_card_show(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir", &a);
    if (code != EXIT_OK)
        return code;
    char serial[CARD_DIGITS + 1], *json = NULL;
    const char *why;
    if (!a.positional)
        return usage_error("card show needs a SERIAL");
    if (card_serial_parse(a.positional, serial, &why) != RU_OK) {
        fprintf(stderr, "reup-issuer: '%s' is not a card serial: %s\n", a.positional, why);
        return EXIT_USAGE;
    }
    struct ledger *lg = open_ledger(&a, &code);
    if (!lg)
        return code;
    enum ru_status rc = ledger_card_json(lg, serial, NULL, &json);
    return finish_json(lg, rc, json);
}

static int cmd_card_block(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir batch", &a);
    if (code != EXIT_OK)
        return code;
    char serial[CARD_DIGITS + 1];
    const char *why;
    if (!a.positional == !opt(&a, "batch"))
        return usage_error("card block needs a SERIAL or --batch B, not both");
    if (a.positional && card_serial_parse(a.positional, serial, &why) != RU_OK) {
        fprintf(stderr, "reup-issuer: '%s' is not a card serial: %s\n", a.positional, why);
        return EXIT_USAGE;
    }
    struct ledger *lg = open_ledger(&a, &code);
    if (!lg)
        return code;
    unsigned long n = 0;
    enum ru_status rc = ledger_card_block(lg, a.positional ? serial : NULL, opt(&a, "batch"), "operator", &n);
    if (rc == RU_OK)
        printf("blocked %lu card%s\n", n, n == 1 ? "" : "s");
    return finish(lg, rc);
}

static int cmd_serve(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir listen threads writers void-window tls-priority " NETLIMITS_NAMES, &a);
    if (code != EXIT_OK)
        return code;
    struct server_config cfg = {.dir = state_dir(&a),
                                .listen = opt(&a, "listen") ? opt(&a, "listen") : "127.0.0.1:8443",
                                .log = stderr,
                                .limits = NETLIMITS_DEFAULTS,
                                .tls_priority = opt(&a, "tls-priority")};
    for (int i = 0; i < a.n; i++) {
        char msg[200];
        if (netlimits_option(&cfg.limits, a.names[i], a.values[i], msg, sizeof(msg)) == RU_ERR_INVALID)
            return usage_error(msg);
    }
    if (opt(&a, "threads")) {
        long long t = number("threads", opt(&a, "threads"), 1, 64);
        if (t < 0)
            return EXIT_USAGE;
        cfg.threads = (unsigned)t;
    }
    if (opt(&a, "writers")) {
        long long w = number("writers", opt(&a, "writers"), 1, SERVER_WRITERS_MAX);
        if (w < 0)
            return EXIT_USAGE;
        cfg.writers = (unsigned)w;
    }
    if (opt(&a, "void-window")) {
        long long w = number("void-window", opt(&a, "void-window"), 1, 30LL * 24 * 3600);
        if (w < 0)
            return EXIT_USAGE;
        cfg.void_window_s = w;
    }
    sigset_t set;
    stopsignal_block(&set);
    struct server *srv = NULL;
    char err[512];
    enum ru_status rc = server_start(&cfg, &srv, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-issuer: %s\n", err);
        return rc == RU_ERR_INVALID     ? EXIT_USAGE
               : rc == RU_ERR_NOT_FOUND ? EXIT_CONFIG
               : rc == RU_ERR_NETWORK   ? EXIT_NO_ANSWER
                                        : EXIT_SYSTEM;
    }
    printf("reup-issuer: serving https on %s, port %u\n", cfg.listen, server_port(srv));
    fflush(stdout);
    char status[300];
    snprintf(status, sizeof(status), "serving https on %s, port %u", cfg.listen, server_port(srv));
    servicenotify_ready(status);
    const char *name;
    while (stopsignal_wait(&set, &name) == SIGHUP)
        fprintf(stderr,
                "reup-issuer: %s: nothing to reload (restart the service to read new TLS files "
                "or a new database setting); going on\n",
                name);
    servicenotify_stopping("finishing requests in flight");
    fprintf(stderr, "reup-issuer: %s: finishing requests in flight, then stopping\n", name);
    server_stop(srv);
    return EXIT_OK;
}

static int cmd_audit(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir since", &a);
    if (code != EXIT_OK)
        return code;
    struct ledger *lg = open_ledger(&a, &code);
    if (!lg)
        return code;
    char *json = NULL;
    enum ru_status rc = ledger_audit_json(lg, opt(&a, "since"), &json);
    return finish_json(lg, rc, json);
}

static int cmd_report(int argc, char **argv)
{
    struct args a;
    int code = parse(argc, argv, "dir", &a);
    if (code != EXIT_OK)
        return code;
    struct ledger *lg = open_ledger(&a, &code);
    if (!lg)
        return code;
    char *json = NULL;
    enum ru_status rc = ledger_report_json(lg, &json);
    return finish_json(lg, rc, json);
}

static int cmd_backup(int argc, char **argv)
{
    struct args a;
    char err[1200];
    int code = parse(argc, argv, "dir out", &a);
    if (code != EXIT_OK)
        return code;
    if (!opt(&a, "out") || a.positional)
        return usage_error("backup needs --out FILE (a new file)");
    enum ru_status rc = ledger_backup(state_dir(&a), opt(&a, "out"), err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-issuer: %s\n", err);
        return rc == RU_ERR_INVALID || rc == RU_ERR_EXISTS ? EXIT_USAGE
               : rc == RU_ERR_NETWORK                      ? EXIT_NO_ANSWER
               : rc == RU_ERR_DB || rc == RU_ERR_IO        ? EXIT_SYSTEM
                                                           : EXIT_CONFIG;
    }
    printf("backed up %s to %s (mode 0600: it holds the issuer key and the terminals' secrets)\n",
           state_dir(&a), opt(&a, "out"));
    return EXIT_OK;
}

static int cmd_restore(int argc, char **argv)
{
    struct args a;
    char err[1200];
    int version = 0, latest = 0;
    int code = parse(argc, argv, "dir from", &a);
    if (code != EXIT_OK)
        return code;
    if (!opt(&a, "from") || a.positional)
        return usage_error("restore needs --from FILE (a file made by reup-issuer backup)");
    enum ru_status rc = ledger_restore(state_dir(&a), opt(&a, "from"), &version, &latest, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-issuer: %s\n", err);
        return rc == RU_ERR_INVALID     ? EXIT_USAGE
               : rc == RU_ERR_NOT_FOUND ? EXIT_NOT_FOUND
               : rc == RU_ERR_SCHEMA    ? EXIT_CONFIG
               : rc == RU_ERR_DECLINED  ? EXIT_REFUSED
                                        : EXIT_SYSTEM;
    }
    printf("restored %s from %s (schema %d)\n", state_dir(&a), opt(&a, "from"), version);
    if (version < latest)
        printf("its schema is older than this reup-issuer's (%d): run reup-issuer init --dir %s --upgrade "
               "before serve\n",
               latest, state_dir(&a));
    return EXIT_OK;
}

static const struct command {
    const char *name, *sub;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"init", NULL, cmd_init},
    {"plan", "add", cmd_plan_add},
    {"terminal", "add", cmd_terminal_add},
    {"terminal", "rotate", cmd_terminal_rotate},
    {"batch", "create", cmd_batch_create},
    {"card", "show", cmd_card_show},
    {"card", "block", cmd_card_block},
    {"audit", NULL, cmd_audit},
    {"report", NULL, cmd_report},
    {"backup", NULL, cmd_backup},
    {"restore", NULL, cmd_restore},
    {"serve", NULL, cmd_serve},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("no command given");
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(USAGE, stdout);
        fputs(USAGE_EXIT, stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const struct command *c = &commands[i];
        if (strcmp(argv[1], c->name) != 0)
            continue;
        if (!c->sub)
            return c->fn(argc - 2, argv + 2);
        if (argc > 2 && !strcmp(argv[2], c->sub))
            return c->fn(argc - 3, argv + 3);
    }
    char msg[200];
    snprintf(msg, sizeof(msg), "unknown command '%.80s%s%.80s'", argv[1], argc > 2 ? " " : "",
             argc > 2 ? argv[2] : "");
    return usage_error(msg);
}
