/*
 * bench/bench_issuer.c - activations per second and latency of the activation host.
 *
 * Sets up a scratch state directory (a plan, one terminal per client, enough cards),
 * starts the issuer's server on a loopback port with TLS, then for each concurrency level
 * runs that many client threads, each with its own keep-alive connection (the terminal's
 * client module), activating distinct cards for a fixed time. Reports activations/s and
 * the p50/p99 latency of each request, from the client's side, as Markdown rows.
 *
 * usage: bench-issuer [--seconds S] [--levels 1,8,32] [--threads N] [--dir SCRATCH]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "issuer/client.h"
#include "issuer/ledger.h"
#include "issuer/server.h"
#include "common/banned.h"

#define MAX_CLIENTS 64
#define CARDS       400000

static char (*serials)[CARD_DIGITS + 1];
static atomic_size_t next_card;
static size_t ncards;
static unsigned char secrets[MAX_CLIENTS][SECRET_BYTES];
static char url[64], ca[4200];
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
};

static void *run(void *arg)
{
    struct worker *w = arg;
    struct issuer_client_config cfg = {.url = url, .ca_path = ca};
    char term[16], body[256], uuid[48];
    snprintf(term, sizeof(term), "B%d", w->id);
    cfg.terminal = term;
    memcpy(cfg.secret, secrets[w->id], SECRET_BYTES);
    struct issuer_client *c;
    if (issuer_client_new(&cfg, &c) != RU_OK)
        return NULL;
    double end = now_s() + seconds;
    while (now_s() < end && w->n < w->cap) {
        size_t card = atomic_fetch_add(&next_card, 1);
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
        if (rc != RU_OK || a.http_status != 201)
            w->errors++;
        else
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

int main(int argc, char **argv)
{
    const char *levels = "1,8,32", *dir = "build-bench/issuer-bench";
    unsigned threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds"))
            seconds = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--levels"))
            levels = argv[i + 1];
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--threads"))
            threads = (unsigned)strtoul(argv[i + 1], NULL, 10);
    }
    char err[512], batch[16];
    struct ledger *lg = NULL;
    struct ledger_plan p = {.code = "1y", .months = 12, .price_cents = 3999, .currency = "USD"};
    serials = calloc(CARDS, sizeof(*serials));
    if (ledger_init(dir, 4242, NULL, err, sizeof(err)) != RU_OK || ledger_open(dir, &lg) != RU_OK ||
        ledger_plan_add(lg, &p) != RU_OK) {
        fprintf(stderr, "bench-issuer: cannot set up %s (it must not exist): %s\n", dir, err);
        return 1;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        char term[16];
        snprintf(term, sizeof(term), "B%d", i);
        if (ledger_terminal_add(lg, term, "WM00001", secrets[i]) != RU_OK)
            return 1;
    }
    if (ledger_batch_create(lg, "1y", CARDS, keep, done, NULL, batch) != RU_OK)
        return 1;
    ledger_free(lg);
    struct server *srv;
    struct server_config cfg = {.dir = dir, .listen = "127.0.0.1:0", .threads = threads};
    if (server_start(&cfg, &srv, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "bench-issuer: %s\n", err);
        return 1;
    }
    snprintf(url, sizeof(url), "https://127.0.0.1:%u", server_port(srv));
    snprintf(ca, sizeof(ca), "%.4000s/tls/cert.pem", dir);
    printf("| terminals | activations/s | p50 (ms) | p99 (ms) | requests | errors |\n| --- | --- | --- | --- "
           "| --- | --- |\n");
    for (const char *l = levels; *l;) {
        int n = (int)strtol(l, NULL, 10);
        if (n < 1 || n > MAX_CLIENTS)
            break;
        struct worker w[MAX_CLIENTS];
        pthread_t th[MAX_CLIENTS];
        for (int i = 0; i < n; i++) {
            w[i] = (struct worker){.id = i, .cap = 200000};
            w[i].lat_ms = malloc(w[i].cap * sizeof(double));
        }
        double t0 = now_s();
        for (int i = 0; i < n; i++)
            pthread_create(&th[i], NULL, run, &w[i]);
        for (int i = 0; i < n; i++)
            pthread_join(th[i], NULL);
        double elapsed = now_s() - t0;
        size_t total = 0, errors = 0;
        for (int i = 0; i < n; i++)
            total += w[i].n, errors += w[i].errors;
        double *all = malloc((total ? total : 1) * sizeof(double));
        size_t k = 0;
        for (int i = 0; i < n; i++) {
            memcpy(all + k, w[i].lat_ms, w[i].n * sizeof(double));
            k += w[i].n;
            free(w[i].lat_ms);
        }
        qsort(all, total, sizeof(double), cmp);
        printf("| %d | %.0f | %.2f | %.2f | %zu | %zu |\n", n, (double)total / elapsed,
               total ? all[total / 2] : 0.0, total ? all[(size_t)((double)total * 0.99)] : 0.0, total,
               errors);
        fflush(stdout);
        free(all);
        const char *comma = strchr(l, ',');
        l = comma ? comma + 1 : l + strlen(l);
    }
    server_stop(srv);
    free(serials);
    return 0;
}
