/*
 * bench/bench_pos.c - one terminal at the counter, as fast as it can go: for each card of
 * a batch file, what happens between the Enter of a scanned serial and the approved sale
 * on screen (the card looked up at the issuer, then the sale recorded, activated and
 * recorded again, each journal write on disk), through the same till the screen uses.
 * Prints p50/p99 of that time and the sales a minute one terminal can ring up.
 *
 * usage: bench-pos CONFIG BATCH.csv N   (a shift must be open in the configured journal)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pos/till.h"
#include "common/banned.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench-pos CONFIG BATCH.csv N\n");
        return 2;
    }
    struct pos_config cfg;
    struct till *t = NULL;
    char err[1400], line[256];
    if (pos_config_load(argv[1], &cfg, err, sizeof(err)) != RU_OK ||
        till_open(&cfg, &t, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "bench-pos: %s\n", err);
        return 1;
    }
    FILE *f = fopen(argv[2], "r");
    long n = strtol(argv[3], NULL, 10), done = 0, failed = 0;
    double *ms = calloc((size_t)n, sizeof(double)), start = now_ms();
    if (!f || !ms || !fgets(line, sizeof(line), f))
        return 1;
    while (done < n && fgets(line, sizeof(line), f)) {
        char serial[CARD_DIGITS + 1];
        memcpy(serial, line, CARD_DIGITS);
        serial[CARD_DIGITS] = '\0';
        struct pos_plan p;
        struct till_result r;
        double t0 = now_ms();
        if (till_quote(t, serial, NULL, 0, &p, err, sizeof(err)) != RU_OK ||
            till_sell(t, serial, NULL, 5000, 0, &r) != RU_OK || r.state != SALE_APPROVED) {
            failed++;
            continue;
        }
        ms[done++] = now_ms() - t0;
    }
    double total_s = (now_ms() - start) / 1e3;
    qsort(ms, (size_t)done, sizeof(double), cmp);
    printf("| %ld | %.2f | %.2f | %.0f | %ld |\n", done, done ? ms[done / 2] : 0,
           done ? ms[(size_t)(done * 0.99)] : 0, done / total_s * 60, failed);
    free(ms);
    fclose(f);
    till_free(t);
    return failed ? 1 : 0;
}
