/*
 * reup-pos sell, void, reprint - a sale at the counter, taking it back, its receipt again.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pos/cmd.h"
#include "common/cardnum.h"
#include "common/money.h"
#include "common/banned.h"

#define USAGE_SELL                                                                             \
    "usage: reup-pos sell (--serial S | --on-demand PLAN) (--cash AMOUNT | --card) [--json]\n" \
    "  --serial S       the card's serial as scanned or typed (spaces and dashes allowed)\n"   \
    "  --on-demand P    a new card of plan P, printed here with its PIN\n"                     \
    "  --cash AMOUNT    cash given, as 50 or 50.00; --card: paid by card elsewhere\n"

#define USAGE_VOID                                                                            \
    "usage: reup-pos void SALE_ID [--manager ID [--pin -]] [--json]\n"                        \
    "  a manager approves: the open shift's cashier when a manager, else --manager ID with\n" \
    "  the manager's PIN typed at the terminal, or with --pin - read from standard input\n"
#define USAGE_REPRINT "usage: reup-pos reprint SALE_ID\n"

static int exit_for_sale(enum pos_sale_state s)
{
    return s == SALE_APPROVED || s == SALE_VOIDED || s == SALE_VOID_PENDING ? EXIT_OK
           : s == SALE_DECLINED                                             ? EXIT_REFUSED
                                                                            : EXIT_NO_ANSWER;
}

static void show(const struct till_result *r, int json)
{
    char masked[CARD_DIGITS + 1] = "", amount[32], change[32];
    if (r->serial[0])
        card_mask(r->serial, masked);
    money_format(r->amount_cents, amount, sizeof(amount));
    money_format(r->change_cents, change, sizeof(change));
    if (json) {
        json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:s}", "sale_id", (json_int_t)r->sale_id,
                              "status", pos_sale_state_name(r->state), "serial", masked, "plan", r->plan,
                              "amount_cents", (json_int_t)r->amount_cents, "change_cents",
                              (json_int_t)r->change_cents, "currency", r->currency, "auth_code", r->auth_code,
                              "message", r->message, "receipt", r->receipt_waiting ? "waiting" : "none");
        if (o && r->print_msg[0])
            json_object_set_new(o, "print_message", json_string(r->print_msg));
        /* a sale that did not go through says so as every refusal does */
        if (o && (r->state == SALE_DECLINED || r->state == SALE_REVERSAL_PENDING))
            json_object_set_new(o, "error",
                                json_pack("{s:s,s:s}", "code",
                                          r->state == SALE_DECLINED ? "declined" : "no_answer", "message",
                                          r->message));
        json_emit(o);
        return;
    }
    printf("sale %lld: %s\n", r->sale_id, r->message);
    if (r->state == SALE_APPROVED)
        printf("card %s, plan %s, %s %s, change %s, auth %s\n", masked, r->plan, r->currency, amount, change,
               r->auth_code);
    if (r->print_msg[0])
        printf("the receipt cannot be printed (%s): reprint it with reup-pos reprint %lld\n", r->print_msg,
               r->sale_id);
    fflush(stdout);
}

/* After the answer is out: print the receipts waiting (this one's among them), so a script
 * reads the answer before the printer is done; one that does not print waits for sync. */
static void print_behind(struct till *t, const struct till_result *r)
{
    unsigned long printed = 0;
    char why[300];
    if (!r->receipt_waiting)
        return;
    if (till_print_receipts(t, 0, &printed, why, sizeof(why)) != RU_OK || why[0])
        fprintf(stderr, "reup-pos: a receipt did not print (%s): it waits; reup-pos sync prints it\n", why);
}

int cmd_sell(int argc, char **argv)
{
    struct args a;
    char err[300], serial[CARD_DIGITS + 1];
    const char *why;
    long long cash = 0;
    if (args_parse(argc, argv, "serial on-demand cash", "card json help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_SELL, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_SELL, stdout);
        return EXIT_OK;
    }
    if (args_has(&a, "serial") == args_has(&a, "on-demand") || args_has(&a, "cash") == args_has(&a, "card"))
        return usage_error(USAGE_SELL, "give one of --serial and --on-demand, and one of --cash and --card");
    if (args_has(&a, "serial") && card_serial_parse(args_get(&a, "serial"), serial, &why) != RU_OK)
        return fail(EXIT_USAGE, "bad_serial",
                    "the serial '%.40s' is wrong: %s; scan it again. Nothing was sent.",
                    args_get(&a, "serial"), why);
    if (args_has(&a, "cash") && money_parse(args_get(&a, "cash"), &cash) != RU_OK)
        return fail(EXIT_USAGE, "bad_amount", "--cash '%.40s' is not an amount such as 50 or 50.00",
                    args_get(&a, "cash"));
    struct till *t = NULL;
    int code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    struct till_result r;
    enum ru_status rc = till_sell(t, args_has(&a, "serial") ? serial : NULL, args_get(&a, "on-demand"), cash,
                                  args_has(&a, "card"), &r);
    if (rc == RU_OK) {
        show(&r, args_has(&a, "json"));
        print_behind(t, &r);
    }
    till_free(t);
    switch (rc) {
    case RU_OK: return exit_for_sale(r.state);
    case RU_ERR_NETWORK: return fail(EXIT_NO_ANSWER, "no_answer", "%s", r.message);
    case RU_ERR_NOT_FOUND: return fail(EXIT_USAGE, "no_shift", "%s; nothing was sent", r.message);
    case RU_ERR_EXISTS: return fail(EXIT_USAGE, "card_in_sale", "%s; nothing was sent", r.message);
    case RU_ERR_LIMIT: return fail(EXIT_USAGE, "cash_short", "%s; nothing was sent", r.message);
    case RU_ERR_INVALID: return fail(EXIT_REFUSED, "unknown_plan", "%s", r.message);
    case RU_ERR_DECLINED: return fail(EXIT_REFUSED, "declined", "%s", r.message);
    default: return fail(EXIT_SYSTEM, "journal", "%s", r.message);
    }
}

/* SALE_ID as a positive number, or 0 after a message. */
static long long sale_id(const struct args *a, const char *usage)
{
    char *end;
    long long id = a->npositional ? strtoll(a->positional[0], &end, 10) : 0;
    if (!a->npositional || *end || id <= 0) {
        usage_error(usage, "give the sale's number");
        return 0;
    }
    return id;
}

int cmd_void(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "manager pin", "json help", 1, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_VOID, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_VOID, stdout);
        return EXIT_OK;
    }
    long long id = sale_id(&a, USAGE_VOID);
    if (!id)
        return EXIT_USAGE;
    struct till *t = NULL;
    int code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    /* a manager approves: the open shift's cashier when a manager, else --manager --pin */
    struct till_cashier by;
    if (args_has(&a, "manager")) {
        if ((code = check_pin(t, args_get(&a, "manager"), args_get(&a, "pin"), 1, &by)) != EXIT_OK) {
            till_free(t);
            if (code == CHECK_NOT_MANAGER)
                return fail(EXIT_REFUSED, "not_manager",
                            "that is not a manager's number and PIN: nothing was voided");
            fprintf(stderr, "reup-pos: no manager's approval: nothing was voided\n");
            return code;
        }
    } else if (till_approve_by_shift(t, &by) != RU_OK) {
        till_free(t);
        return fail(EXIT_USAGE, "no_approval", "a void needs a manager's approval: --manager ID");
    }
    struct till_result r;
    enum ru_status rc = till_void(t, id, &by, &r);
    if (rc == RU_OK) {
        show(&r, args_has(&a, "json"));
        print_behind(t, &r);
    }
    till_free(t);
    if (rc == RU_OK)
        return EXIT_OK;
    return rc == RU_ERR_NOT_FOUND  ? fail(EXIT_NOT_FOUND, "no_sale", "%s", r.message)
           : rc == RU_ERR_DECLINED ? fail(EXIT_REFUSED, "not_manager", "%s", r.message)
           : rc == RU_ERR_INVALID  ? fail(EXIT_USAGE, "not_voidable", "%s", r.message)
                                   : fail(EXIT_SYSTEM, "journal", "%s", r.message);
}

int cmd_reprint(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "", "help", 1, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_REPRINT, err);
    long long id = sale_id(&a, USAGE_REPRINT);
    if (!id)
        return EXIT_USAGE;
    struct till *t = NULL;
    int code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    enum ru_status rc = till_reprint(t, id, err, sizeof(err));
    till_free(t);
    if (rc == RU_OK) {
        printf("receipt of sale %lld printed\n", id);
        return EXIT_OK;
    }
    fprintf(stderr, "reup-pos: %s\n", err);
    return rc == RU_ERR_NOT_FOUND ? EXIT_NOT_FOUND : EXIT_SYSTEM;
}
