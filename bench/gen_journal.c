/*
 * bench/gen_journal.c - a terminal's journal with N sales already in it, written through
 * the journal's own calls (so `reup-pos verify` passes on it): cashier 1 (a manager, PIN
 * 1234), the catalog of bench/pos.sh (plan 1y, 12 months, USD 39.99), shifts of SHIFT
 * sales each closed with a Z report, and one shift left open for the sales to measure.
 * Every sale is an approved cash sale of a card that no batch holds.
 *
 * Each call commits with synchronous=FULL, so write it where a sync costs nothing (a
 * tmpfs such as /dev/shm) and copy it where it is used: the copy is the same journal.
 *
 * usage: gen-journal JOURNAL N [SHIFT]   (JOURNAL must not exist; SHIFT defaults to 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pos/journal.h"
#include "common/cardnum.h"
#include "common/banned.h"

static int fail(struct journal *j, const char *what)
{
    fprintf(stderr, "gen-journal: %s: %s\n", what, j ? journal_errmsg(j) : "out of memory");
    journal_free(j);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: gen-journal JOURNAL N [SHIFT]\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10), per_shift = argc == 4 ? strtol(argv[3], NULL, 10) : 1000;
    if (n < 0 || per_shift < 1 || access(argv[1], F_OK) == 0) {
        fprintf(stderr, "gen-journal: give a journal that does not exist yet, N >= 0 and SHIFT >= 1\n");
        return 2;
    }
    struct journal *j = NULL;
    if (journal_open(argv[1], &j) != RU_OK)
        return fail(j, "opening");
    struct pos_plan plan = {.code = "1y", .months = 12, .price_cents = 3999, .currency = "USD"};
    long long shift = 0;
    if (journal_cashier_add(j, "1", "Bench", 1, "1234", NULL) != RU_OK ||
        journal_catalog_store(j, &plan, 1) != RU_OK || journal_shift_open(j, "1", 10000, 0, &shift) != RU_OK)
        return fail(j, "setting up");
    for (long i = 0; i < n; i++) {
        /* 4243...: outside the issuer's batches (4242...), Luhn-valid like a real serial */
        char serial[CARD_DIGITS + 1];
        if (card_serial_make(4243, (uint64_t)i, serial) != RU_OK)
            return fail(j, "numbering a card");
        struct pos_sale s = {.shift = shift, .amount_cents = 3999, .cash_cents = 4000, .change_cents = 1};
        snprintf(s.serial, sizeof(s.serial), "%s", serial);
        snprintf(s.plan, sizeof(s.plan), "1y");
        snprintf(s.currency, sizeof(s.currency), "USD");
        char auth[24];
        snprintf(auth, sizeof(auth), "G%08ld", i);
        if (journal_sale_begin(j, &s) != RU_OK ||
            journal_sale_state(j, s.id, SALE_APPROVED, NULL, auth, "approved") != RU_OK)
            return fail(j, "writing a sale");
        if ((i + 1) % per_shift == 0) {
            char *z = NULL;
            if (journal_shift_close(j, 10000 + 3999LL * per_shift, &z) != RU_OK ||
                journal_shift_open(j, "1", 10000, 0, &shift) != RU_OK)
                return fail(j, "closing a shift");
            free(z);
        }
    }
    journal_free(j);
    return 0;
}
