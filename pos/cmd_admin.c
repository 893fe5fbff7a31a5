/*
 * reup-pos status, sync, verify - how the terminal stands, sending what waits, checking
 * the journal.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include "pos/cmd.h"
#include "common/banned.h"

#define USAGE_STATUS "usage: reup-pos status [--json]\n"
#define USAGE_SYNC   "usage: reup-pos sync\n"
#define USAGE_VERIFY                                                                           \
    "usage: reup-pos verify [--strict]\n"                                                      \
    "  checks the journal's chain, then that it holds every journal head the issuer saw\n"     \
    "  from this terminal (exit 1 when not: rolled back or rebuilt); when the issuer cannot\n" \
    "  be reached, the check is local only: a warning and exit 0, or exit 1 with --strict\n"

int cmd_status(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "", "json help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_STATUS, err);
    struct till *t = NULL;
    int code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    struct till_status st;
    if (till_status(t, &st) != RU_OK) {
        code = fail(EXIT_SYSTEM, "journal", "%s", till_errmsg(t));
        till_free(t);
        return code;
    }
    const struct pos_shift *sh = &st.shift;
    int open = st.shift_open;
    unsigned long pending = st.pending;
    int reachable = till_issuer_reachable(t);
    till_free(t);
    if (args_has(&a, "json")) {
        json_t *o = json_pack("{s:b,s:I,s:b}", "issuer_reachable", reachable, "pending", (json_int_t)pending,
                              "shift_open", open);
        if (open) {
            json_object_set_new(o, "shift_id", json_integer(sh->id));
            json_object_set_new(o, "cashier", json_string(sh->cashier));
            json_object_set_new(o, "training", json_boolean(sh->training));
        }
        json_emit(o);
    } else {
        printf("issuer: %s\n", reachable ? "reachable" : "NOT REACHABLE: sales cannot be completed");
        if (open)
            printf("shift %lld open, cashier %s%s\n", sh->id, sh->cashier, sh->training ? ", TRAINING" : "");
        else
            printf("no shift open\n");
        printf("reversals and voids waiting for the issuer: %lu\n", pending);
    }
    return EXIT_OK;
}

int cmd_sync(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "", "help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_SYNC, err);
    struct till *t = NULL;
    int code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    unsigned long sent = 0, left = 0, printed = 0;
    char why[300] = "";
    /* the receipts first: they need no network, and are counted in what waits */
    enum ru_status rc = till_print_receipts(t, 1, &printed, why, sizeof(why));
    if (rc == RU_OK && why[0])
        fprintf(stderr, "reup-pos: a receipt did not print: %s\n", why);
    if (rc == RU_OK)
        rc = till_sync(t, 1, &sent, &left);
    if (rc != RU_OK)
        fprintf(stderr, "reup-pos: %s\n", till_errmsg(t));
    till_free(t);
    if (rc != RU_OK)
        return EXIT_SYSTEM;
    /* a receipt printed is counted as sent, as it always was */
    printf("sent %lu, still waiting %lu\n", sent + printed, left);
    return left ? EXIT_NO_ANSWER : EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
    struct args a;
    char err[300], why[600];
    size_t heads = 0;
    if (args_parse(argc, argv, "", "strict help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_VERIFY, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_VERIFY, stdout);
        return EXIT_OK;
    }
    struct till *t = NULL;
    int code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    enum ru_status rc = till_verify(t, why, sizeof(why));
    if (rc == RU_ERR_INVALID)
        fprintf(stderr, "reup-pos: the journal was changed: %s\n", why);
    else if (rc != RU_OK)
        fprintf(stderr, "reup-pos: %s\n", till_errmsg(t));
    else if ((rc = till_anchor_check(t, &heads, why, sizeof(why))) == RU_OK)
        printf("the journal is intact, and holds every journal head the issuer saw (%zu)\n", heads);
    else if (rc == RU_ERR_INVALID)
        fprintf(stderr, "reup-pos: the journal is not the one the issuer saw: %s\n", why);
    else if (rc == RU_ERR_NETWORK) {
        printf("the journal is intact here: its chain and its tables agree\n");
        fprintf(stderr, "reup-pos: checked locally only: the issuer could not be reached (%s)%s\n", why,
                args_has(&a, "strict") ? "" : "; run verify again when it can be");
        rc = args_has(&a, "strict") ? RU_ERR_NETWORK : RU_OK;
    } else
        fprintf(stderr, "reup-pos: %s\n", till_errmsg(t));
    till_free(t);
    /* a journal that does not prove itself, here or against the issuer, is a failed check */
    return rc == RU_OK ? EXIT_OK : rc == RU_ERR_INVALID || rc == RU_ERR_NETWORK ? EXIT_NO_MATCH : EXIT_SYSTEM;
}
