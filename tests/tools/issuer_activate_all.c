/*
 * tests/tools/issuer_activate_all.c - one terminal activating every card of a batch file.
 *
 * Reads the issuer's batch file (serial,pin,plan,batch), shuffles the serials with SEED
 * so that racing copies of this program meet in different orders, and activates each
 * over one keep-alive connection with a fresh request_id: the i-th request (from 0) has
 * 7d1e0c4a-2b3f-4a5d-8e6f-SSSSIIIIIIII, SSSS the seed modulo 10000 and IIIIIIII i, both
 * zero-padded, so that a test can reverse the ones that got no answer. Prints a line per
 * card as its answer comes:
 *
 *   SERIAL STATUS MS RETRY_AFTER CODE
 *
 * STATUS the HTTP status (0: no answer), MS the wall clock in milliseconds since the
 * epoch when the answer (or its absence) was known, RETRY_AFTER the header's seconds (0:
 * none), CODE the error code of a refusal's body ("-" when none). After a 503 with
 * Retry-After it waits that long (at most 5 s) before the next card, as a terminal that
 * is told to come back later does. Exit 0 when every request got an answer.
 *
 * usage: issuer-activate-all URL CA CREDENTIALS BATCH.csv SEED
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common/cardnum.h"
#include "issuer/client.h"
#include "common/banned.h"

#define MAX_CARDS 100000

static char serials[MAX_CARDS][CARD_DIGITS + 1];

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64: a reproducible order per SEED is all that is needed here */
static unsigned long long next_random(unsigned long long *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: issuer-activate-all URL CA CREDENTIALS BATCH.csv SEED\n");
        return 2;
    }
    struct issuer_client_config cfg = {.url = argv[1], .ca_path = argv[2]};
    char terminal[65], store[65], err[256], line[256];
    if (issuer_credentials_load(argv[3], terminal, store, cfg.secret, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "issuer-activate-all: %s\n", err);
        return 2;
    }
    cfg.terminal = terminal;
    FILE *f = fopen(argv[4], "r");
    if (!f) {
        perror(argv[4]);
        return 2;
    }
    size_t n = 0;
    while (n < MAX_CARDS && fgets(line, sizeof(line), f))
        if (strlen(line) > CARD_DIGITS && line[CARD_DIGITS] == ',') {
            memcpy(serials[n], line, CARD_DIGITS);
            serials[n++][CARD_DIGITS] = '\0';
        }
    fclose(f);
    unsigned long long seed = strtoull(argv[5], NULL, 10), x = seed * 2654435761ULL + 1;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_random(&x) % i);
        char t[CARD_DIGITS + 1];
        memcpy(t, serials[i - 1], sizeof(t));
        memcpy(serials[i - 1], serials[j], sizeof(t));
        memcpy(serials[j], t, sizeof(t));
    }
    struct issuer_client *c;
    if (issuer_client_new(&cfg, &c) != RU_OK) {
        fprintf(stderr, "issuer-activate-all: cannot set up the client\n");
        return 1;
    }
    int unanswered = 0;
    for (size_t i = 0; i < n; i++) {
        char body[256];
        snprintf(
            body, sizeof(body),
            "{\"request_id\":\"7d1e0c4a-2b3f-4a5d-8e6f-%04llu%08zu\",\"serial\":\"%.16s\",\"amount\":3999,"
            "\"currency\":\"USD\"}",
            seed % 10000, i, serials[i]);
        struct issuer_answer a;
        if (issuer_client_request(c, "POST", "/v1/activations", body, &a) != RU_OK) {
            printf("%s 0 %lld 0 -\n", serials[i], now_ms());
            fflush(stdout);
            unanswered++;
            continue;
        }
        struct api_error e = {0};
        if (a.http_status >= 300 && answer_parse_error(a.body, a.len, &e) != RU_OK)
            snprintf(e.code, sizeof(e.code), "?");
        printf("%s %ld %lld %lld %s\n", serials[i], a.http_status, now_ms(), a.retry_after_s,
               *e.code ? e.code : "-");
        fflush(stdout); /* a test watches the progress of the burst */
        if (a.http_status == 503 && a.retry_after_s > 0) {
            struct timespec pause = {a.retry_after_s < 5 ? a.retry_after_s : 5, 0};
            nanosleep(&pause, NULL);
        }
        issuer_answer_release(&a);
    }
    issuer_client_free(c);
    return unanswered ? 1 : 0;
}
