/*
 * bench/bench_issuer.c - activations per second and latency of the activation host.
 *
 * Sets up a scratch state directory (a plan, one terminal per client, enough cards) with
 * its ledger on SQLite (DIR/issuer.db) or on a PostgreSQL database (--database URI),
 * starts the issuer's server on a loopback port with TLS, then for each concurrency level
 * runs that many client threads, each with its own keep-alive connection (the terminal's
 * client module), activating distinct cards for a fixed time. Reports activations/s and
 * the p50/p99 latency of each request, from the client's side, as Markdown rows, with
 * the batches the servers committed and how many runs of a batch were redone after a
 * serialization failure (PostgreSQL).
 *
 * A terminal takes its cards from the common stock --box at a time (default 1: every
 * terminal the next card of all), and activates them in order, as a store sells from its
 * own shelf. --warmup N has each terminal of the largest level make N activations first,
 * not measured, as on a ledger that has seen its terminals before.
 *
 * With --nodes N (PostgreSQL only) N servers serve the one ledger, each from its own copy
 * of DIR (DIR, DIR.node2, ...) on its own port, as separate machines would; terminal i
 * talks to node i mod N. The servers run in this process, as threads beside the clients.
 *
 * usage: bench-issuer [--seconds S] [--levels 1,8,32] [--threads N] [--dir SCRATCH]
 *                     [--database URI] [--nodes N] [--writers N] [--batch-max N]
 *                     [--cards N] [--box N] [--warmup N]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "issuer/client.h"
#include "issuer/ledger.h"
#include "issuer/server.h"
#include "common/banned.h"

#define MAX_CLIENTS 64
#define MAX_NODES   8

static char (*serials)[CARD_DIGITS + 1];
static atomic_size_t next_card;
static size_t ncards;
static unsigned char secrets[MAX_CLIENTS][SECRET_BYTES];
static char urls[MAX_NODES][64], ca[4200];
static int nodes = 1;
static size_t box = 1;
static double seconds = 10;

static enum ru_status keep(void *ctx, const char *s, const char *pin, const char *plan, const char *batch)
{
    (void)ctx, (void)pin, (void)plan, (void)batch;
    memcpy(serials[ncards++], s, CARD_DIGITS + 1);
    return RU_OK;
}

static enum ru_status done(void *ctx)
{
    (void)ctx;
    return RU_OK;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct worker {
    int id;
    double *lat_ms;
    size_t n, cap, errors;
    size_t next, end; /* the terminal's box of cards: the next one, and past its last */
};

static void *run(void *arg)
{
    struct worker *w = arg;
    struct issuer_client_config cfg = {.url = urls[w->id % nodes], .ca_path = ca};
    char term[16], body[256], uuid[48];
    snprintf(term, sizeof(term), "B%d", w->id);
    cfg.terminal = term;
    memcpy(cfg.secret, secrets[w->id], SECRET_BYTES);
    struct issuer_client *c;
    if (issuer_client_new(&cfg, &c) != RU_OK)
        return NULL;
    double end = now_s() + seconds;
    while (now_s() < end && w->n < w->cap) {
        if (w->next == w->end) {
            w->next = atomic_fetch_add(&next_card, box);
            w->end = w->next + box;
        }
        size_t card = w->next++;
        if (card >= ncards)
            break;
        snprintf(uuid, sizeof(uuid), "8f0c2a8e-3d4b-4c1a-9e2f-%012u", (unsigned)card);
        snprintf(body, sizeof(body),
                 "{\"request_id\":\"%s\",\"serial\":\"%s\",\"amount\":3999,\"currency\":\"USD\"}", uuid,
                 serials[card]);
        struct issuer_answer a;
        double t0 = now_s();
        enum ru_status rc = issuer_client_request(c, "POST", "/v1/activations", body, &a);
        double ms = (now_s() - t0) * 1e3;
        if (rc != RU_OK || a.http_status != 201) {
            if (!w->errors++)
                fprintf(stderr, "bench-issuer: terminal %s: %s\n", term,
                        rc != RU_OK ? "no answer"
                        : a.body    ? a.body
                                    : "(no body)");
        } else
            w->lat_ms[w->n++] = ms;
        if (rc == RU_OK)
            issuer_answer_release(&a);
    }
    issuer_client_free(c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Copy the state directory FROM (regular files and folders, modes kept) to TO, which
 * must not exist: another node's copy of it. */
static int copy_dir(const char *from, const char *to)
{
    struct stat st;
    if (stat(from, &st) != 0 || mkdir(to, st.st_mode & 07777) != 0)
        return -1;
    DIR *d = opendir(from);
    if (!d)
        return -1;
    int ok = 0;
    for (struct dirent *e; ok == 0 && (e = readdir(d));) {
        char src[4200], dst[4200];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(src, sizeof(src), "%.2000s/%.200s", from, e->d_name);
        snprintf(dst, sizeof(dst), "%.2000s/%.200s", to, e->d_name);
        if (stat(src, &st) != 0) {
            ok = -1;
        } else if (S_ISDIR(st.st_mode)) {
            ok = copy_dir(src, dst);
        } else if (S_ISREG(st.st_mode)) {
            int in = open(src, O_RDONLY | O_CLOEXEC);
            int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
            char buf[8192];
            ssize_t n = 0;
            while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                    n = -1;
            if (in < 0 || out < 0 || n < 0)
                ok = -1;
            if (in >= 0)
                close(in);
            if (out >= 0 && close(out) != 0)
                ok = -1;
        }
    }
    closedir(d);
    return ok;
}

/* What N terminals did at once, each until the time is up or it made CAP activations:
 * the latencies of the approved ones, sorted (free()), how many failed, how long. */
struct result {
    double *lat_ms;
    size_t total, errors;
    double elapsed;
};

static struct result run_level(int n, size_t cap)
{
    struct worker w[MAX_CLIENTS];
    pthread_t th[MAX_CLIENTS];
    struct result r = {0};
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){.id = i, .cap = cap};
        w[i].lat_ms = malloc(w[i].cap * sizeof(double));
    }
    double start = now_s();
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, run, &w[i]);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    r.elapsed = now_s() - start;
    for (int i = 0; i < n; i++)
        r.total += w[i].n, r.errors += w[i].errors;
    r.lat_ms = malloc((r.total ? r.total : 1) * sizeof(double));
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        memcpy(r.lat_ms + k, w[i].lat_ms, w[i].n * sizeof(double));
        k += w[i].n;
        free(w[i].lat_ms);
    }
    qsort(r.lat_ms, r.total, sizeof(double), cmp);
    return r;
}

static void batch_counts(struct server **srv, unsigned long long *batches, unsigned long long *retries)
{
    *batches = *retries = 0;
    for (int i = 0; i < nodes; i++) {
        unsigned long long b, r;
        server_batch_counts(srv[i], &b, &r);
        *batches += b;
        *retries += r;
    }
}

int main(int argc, char **argv)
{
    const char *levels = "1,8,32", *dir = "build-bench/issuer-bench", *database = NULL;
    unsigned threads = 0, writers = 0, batch_max = 0;
    unsigned long cards = 400000, warmup = 0;
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v || !strcmp(argv[i], "--help")) {
            fprintf(stderr,
                    "usage: bench-issuer [--seconds S] [--levels 1,8,32] [--threads N] [--dir SCRATCH]\n"
                    "                    [--database URI] [--nodes N] [--writers N] [--batch-max N]\n"
                    "                    [--cards N]\n");
            return 2;
        }
        if (!strcmp(argv[i], "--seconds"))
            seconds = strtod(v, NULL);
        else if (!strcmp(argv[i], "--levels"))
            levels = v;
        else if (!strcmp(argv[i], "--dir"))
            dir = v;
        else if (!strcmp(argv[i], "--threads"))
            threads = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(argv[i], "--database"))
            database = v;
        else if (!strcmp(argv[i], "--nodes"))
            nodes = (int)strtol(v, NULL, 10);
        else if (!strcmp(argv[i], "--writers"))
            writers = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(argv[i], "--batch-max"))
            batch_max = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(argv[i], "--cards"))
            cards = strtoul(v, NULL, 10);
        else if (!strcmp(argv[i], "--box"))
            box = strtoul(v, NULL, 10);
        else if (!strcmp(argv[i], "--warmup"))
            warmup = strtoul(v, NULL, 10);
        else {
            fprintf(stderr, "bench-issuer: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (nodes < 1 || nodes > MAX_NODES || (nodes > 1 && !database) || cards < 1 || cards > LEDGER_BATCH_MAX ||
        box < 1 || box > 10000 || warmup > 10000) {
        fprintf(
            stderr,
            "bench-issuer: --nodes takes 1 to %d (above 1 with --database only), --cards 1 to %d, --box 1 to "
            "10000, --warmup 0 to 10000\n",
            MAX_NODES, LEDGER_BATCH_MAX);
        return 2;
    }
    char err[512], batch[16];
    struct ledger *lg = NULL;
    struct ledger_plan p = {.code = "1y", .months = 12, .price_cents = 3999, .currency = "USD"};
    serials = calloc(cards, sizeof(*serials));
    double t0 = now_s();
    if (ledger_init(dir, 4242, database, err, sizeof(err)) != RU_OK || ledger_open(dir, &lg) != RU_OK ||
        ledger_plan_add(lg, &p) != RU_OK) {
        fprintf(stderr,
                "bench-issuer: cannot set up %s (it must not exist, nor the database hold a ledger): %s\n",
                dir, lg ? ledger_errmsg(lg) : err);
        return 1;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        char term[16];
        snprintf(term, sizeof(term), "B%d", i);
        if (ledger_terminal_add(lg, term, "WM00001", secrets[i]) != RU_OK)
            return 1;
    }
    if (ledger_batch_create(lg, "1y", cards, keep, done, NULL, batch) != RU_OK) {
        fprintf(stderr, "bench-issuer: cannot make the cards: %s\n", ledger_errmsg(lg));
        return 1;
    }
    ledger_free(lg);
    fprintf(stderr, "bench-issuer: %s ledger with %zu cards set up in %.1f s\n",
            database ? "PostgreSQL" : "SQLite", ncards, now_s() - t0);

    struct server *srv[MAX_NODES];
    for (int i = 0; i < nodes; i++) {
        char node_dir[4200];
        snprintf(node_dir, sizeof(node_dir), "%.4000s.node%d", dir, i + 1);
        if (i > 0 && copy_dir(dir, node_dir) != 0) {
            fprintf(stderr, "bench-issuer: cannot copy %s to %s: %s\n", dir, node_dir, strerror(errno));
            return 1;
        }
        struct server_config cfg = {.dir = i ? node_dir : dir,
                                    .listen = "127.0.0.1:0",
                                    .threads = threads,
                                    .writers = writers,
                                    .batch_max = batch_max};
        if (server_start(&cfg, &srv[i], err, sizeof(err)) != RU_OK) {
            fprintf(stderr, "bench-issuer: %s\n", err);
            return 1;
        }
        snprintf(urls[i], sizeof(urls[i]), "https://127.0.0.1:%u", server_port(srv[i]));
    }
    snprintf(ca, sizeof(ca), "%.4000s/tls/cert.pem", dir);
    fprintf(stderr, "bench-issuer: %d node%s, %u writer%s each\n", nodes, nodes > 1 ? "s" : "",
            server_writers(srv[0]), server_writers(srv[0]) > 1 ? "s" : "");
    if (warmup) {
        int most = 0;
        for (const char *l = levels; *l; l += strcspn(l, ",") + (l[strcspn(l, ",")] == ',')) {
            int n = (int)strtol(l, NULL, 10);
            most = n > most && n <= MAX_CLIENTS ? n : most;
        }
        struct result r = run_level(most, warmup);
        fprintf(stderr, "bench-issuer: warm-up: %zu activations by %d terminals, %zu errors\n", r.total, most,
                r.errors);
        free(r.lat_ms);
    }
    printf("| terminals | activations/s | p50 (ms) | p99 (ms) | requests | errors | batches | reruns |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (const char *l = levels; *l;) {
        int n = (int)strtol(l, NULL, 10);
        if (n < 1 || n > MAX_CLIENTS)
            break;
        unsigned long long b0, r0, b1, r1;
        batch_counts(srv, &b0, &r0);
        struct result r = run_level(n, 200000);
        batch_counts(srv, &b1, &r1);
        printf("| %d | %.0f | %.2f | %.2f | %zu | %zu | %llu | %llu |\n", n, (double)r.total / r.elapsed,
               r.total ? r.lat_ms[r.total / 2] : 0.0,
               r.total ? r.lat_ms[(size_t)((double)r.total * 0.99)] : 0.0, r.total, r.errors, b1 - b0,
               r1 - r0);
        fflush(stdout);
        free(r.lat_ms);
        if (atomic_load(&next_card) >= ncards)
            fprintf(stderr, "bench-issuer: the cards ran out at %d terminals: give more with --cards\n", n);
        const char *comma = strchr(l, ',');
        l = comma ? comma + 1 : l + strlen(l);
    }
    for (int i = 0; i < nodes; i++)
        server_stop(srv[i]);
    free(serials);
    return 0;
}
