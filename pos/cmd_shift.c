/*
 * reup-pos cashier, shift, report - who works the till, the shift, its X and Z reports.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pos/cmd.h"
#include "pos/pinentry.h"
#include "common/money.h"
#include "common/banned.h"

#define USAGE_CASHIER                                                                               \
    "usage: reup-pos cashier add --id ID --name NAME --role cashier|manager [--pin -]\n"            \
    "                            [--manager MANAGER_ID [--manager-pin -]]\n"                        \
    "       reup-pos cashier role ID cashier|manager --manager MANAGER_ID [--pin -]\n"              \
    "       reup-pos cashier pin ID --manager MANAGER_ID [--manager-pin -] [--pin -]\n"             \
    "       reup-pos cashier unlock ID --manager MANAGER_ID [--pin -]\n"                            \
    "  a manager approves every change of a cashier, except the first manager of an empty\n"        \
    "  journal. --pin is the new PIN (add, pin), or the manager's (role, unlock); --manager-pin\n"  \
    "  is the manager's where a new PIN is given too. Each PIN is typed at the terminal, or read\n" \
    "  as one line of standard input with -; when both are -, the manager's PIN is the first\n"     \
    "  line and the new PIN the second.\n"
#define USAGE_SHIFT                                                                            \
    "usage: reup-pos shift open --cashier ID [--pin -] --float AMOUNT [--training] [--json]\n" \
    "       reup-pos shift close --counted AMOUNT [--json]\n"                                  \
    "  the PIN is typed at the terminal, or with --pin - read from standard input\n"
#define USAGE_REPORT "usage: reup-pos report --x | --z [N] [--json]\n"

/* 1 when ID is 1 to 32 letters, digits, - or _. */
static int id_ok(const char *id)
{
    return *id && strlen(id) <= 32 &&
           strspn(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == strlen(id);
}

/* Manager BY approves WHAT with the PIN of PIN_OPTION: EXIT_OK, or the exit code after a
 * message. */
static int approve(struct till *t, const char *by, const char *pin_option, const char *what,
                   struct till_cashier *approval)
{
    int code = check_pin(t, by, pin_option, 1, approval);
    if (code == CHECK_NOT_MANAGER) {
        fprintf(stderr, "reup-pos: cashier %s is not a manager: only a manager %s\n", by, what);
        code = EXIT_USAGE;
    }
    return code;
}

/* The exit code of a change of cashier ID that ended in RC, after a message. */
static int changed(struct till *t, const char *id, enum ru_status rc)
{
    if (rc == RU_ERR_EXISTS)
        fprintf(stderr, "reup-pos: cashier %s exists already\n", id);
    else if (rc == RU_ERR_NOT_FOUND)
        fprintf(stderr, "reup-pos: there is no cashier %s\n", id);
    else if (rc == RU_ERR_INVALID)
        fprintf(stderr, "reup-pos: %s: give --manager ID\n", till_errmsg(t));
    else if (rc != RU_OK)
        fprintf(stderr, "reup-pos: %s\n", till_errmsg(t));
    return rc == RU_OK                                   ? EXIT_OK
           : rc == RU_ERR_EXISTS || rc == RU_ERR_INVALID ? EXIT_USAGE
           : rc == RU_ERR_NOT_FOUND                      ? EXIT_NOT_FOUND
                                                         : EXIT_SYSTEM;
}

/* The new PIN of cashier ID from --pin (typed twice at a terminal) into PIN. */
static int new_pin(const struct args *a, const char *id, char pin[PIN_MAX + 1])
{
    char prompt[80];
    snprintf(prompt, sizeof(prompt), "PIN of the new cashier %.32s: ", id);
    if (strcmp(a->positional[0], "add"))
        snprintf(prompt, sizeof(prompt), "new PIN of cashier %.32s: ", id);
    return pin_entry(args_get(a, "pin"), prompt, 1, pin);
}

/* Add a cashier, or (pin) give one a new PIN: a manager approves, with the PIN of
 * --manager-pin, before the new PIN is asked for. */
static int cashier_set(const struct args *a, const char *id)
{
    const char *by = args_get(a, "manager"), *role = args_get(a, "role");
    int add = !strcmp(a->positional[0], "add");
    if (!id_ok(id))
        return usage_error(USAGE_CASHIER, "--id is 1 to 32 letters, digits, - or _");
    if (!add && !by)
        return usage_error(USAGE_CASHIER, "a manager changes a PIN: give --manager ID");
    struct till *t = NULL;
    int code = open_till_local(&t);
    if (code != EXIT_OK)
        return code;
    char pin[PIN_MAX + 1];
    struct till_cashier approval;
    if (by && (code = approve(t, by, args_get(a, "manager-pin"), add ? "adds a cashier" : "changes a PIN",
                              &approval)) != EXIT_OK) {
        till_free(t);
        return code;
    }
    if ((code = new_pin(a, id, pin)) != EXIT_OK) {
        till_free(t);
        return code;
    }
    enum ru_status rc = add ? till_cashier_add(t, id, args_get(a, "name"), !strcmp(role, "manager"), pin,
                                               by ? &approval : NULL)
                            : till_cashier_set_pin(t, id, pin, by ? &approval : NULL);
    explicit_bzero(pin, sizeof(pin));
    if (rc == RU_OK && add)
        printf("cashier %s (%s) added as %s%s%s\n", id, args_get(a, "name"), role,
               by ? ", approved by manager " : "", by ? by : "");
    else if (rc == RU_OK)
        printf("cashier %s has a new PIN, approved by manager %s\n", id, by);
    code = changed(t, id, rc);
    till_free(t);
    return code;
}

static int cashier_add(const struct args *a)
{
    if (!args_get(a, "id") || !args_get(a, "name") || !args_get(a, "role"))
        return usage_error(USAGE_CASHIER, "give add, --id, --name and --role");
    const char *role = args_get(a, "role");
    if (strcmp(role, "cashier") && strcmp(role, "manager"))
        return usage_error(USAGE_CASHIER, "--role is cashier or manager");
    return cashier_set(a, args_get(a, "id"));
}

/* A manager lifts a cashier's lock after wrong PINs, or makes a cashier a manager or not. */
static int cashier_approved(const struct args *a)
{
    const char *id = a->positional[1], *by = args_get(a, "manager");
    int unlock = !strcmp(a->positional[0], "unlock");
    const char *role = unlock ? NULL : a->positional[2];
    if (!unlock && strcmp(role, "cashier") && strcmp(role, "manager"))
        return usage_error(USAGE_CASHIER, "a role is cashier or manager");
    if (!by)
        return usage_error(USAGE_CASHIER, unlock ? "a manager unlocks a cashier: give --manager ID"
                                                 : "a manager changes a role: give --manager ID");
    struct till *t = NULL;
    int code = open_till_local(&t);
    if (code != EXIT_OK)
        return code;
    struct till_cashier approval;
    if ((code = approve(t, by, args_get(a, "pin"), unlock ? "unlocks a cashier" : "changes a role",
                        &approval)) == EXIT_OK) {
        enum ru_status rc = unlock ? till_cashier_unlock(t, id, &approval)
                                   : till_cashier_set_role(t, id, !strcmp(role, "manager"), &approval);
        if (rc == RU_OK && unlock)
            printf("cashier %s unlocked by manager %s: the count of wrong PINs starts again\n", id, by);
        else if (rc == RU_OK)
            printf("cashier %s is now a %s, approved by manager %s\n", id, role, by);
        code = changed(t, id, rc);
    }
    till_free(t);
    return code;
}

int cmd_cashier(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "id name role pin manager manager-pin", "help", 3, &a, err, sizeof(err)) !=
        RU_OK)
        return usage_error(USAGE_CASHIER, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_CASHIER, stdout);
        return EXIT_OK;
    }
    const char *what = a.npositional ? a.positional[0] : "";
    if (a.npositional == 1 && !strcmp(what, "add"))
        return cashier_add(&a);
    if (a.npositional == 2 && !strcmp(what, "unlock"))
        return cashier_approved(&a);
    if (a.npositional == 3 && !strcmp(what, "role"))
        return cashier_approved(&a);
    if (a.npositional == 2 && !strcmp(what, "pin"))
        return cashier_set(&a, a.positional[1]);
    return usage_error(USAGE_CASHIER,
                       "give add; unlock or pin and the cashier's ID; or role, the ID and the role");
}

static int shift_open(const struct args *a)
{
    long long float_cents;
    if (!args_get(a, "cashier") || !args_get(a, "float"))
        return usage_error(USAGE_SHIFT, "give --cashier and --float");
    if (money_parse(args_get(a, "float"), &float_cents) != RU_OK)
        return usage_error(USAGE_SHIFT, "--float is an amount such as 100 or 100.00");
    struct till *t = NULL;
    int code = open_till_local(&t);
    if (code != EXIT_OK)
        return code;
    long long id = 0;
    enum ru_status rc;
    struct till_cashier who;
    if ((code = check_pin(t, args_get(a, "cashier"), args_get(a, "pin"), 0, &who)) != EXIT_OK) {
        /* check_pin said why */
    } else if ((rc = till_shift_open(t, &who, float_cents, args_has(a, "training"), &id)) == RU_OK) {
        char f[32];
        money_format(float_cents, f, sizeof(f));
        if (args_has(a, "json"))
            json_emit(json_pack("{s:s,s:I,s:s,s:I,s:b}", "status", "open", "shift_id", (json_int_t)id,
                                "cashier", args_get(a, "cashier"), "float_cents", (json_int_t)float_cents,
                                "training", args_has(a, "training")));
        else
            printf("shift %lld open for cashier %s with a float of %s%s\n", id, args_get(a, "cashier"), f,
                   args_has(a, "training") ? " (TRAINING: nothing reaches the issuer)" : "");
    } else if (rc == RU_ERR_EXISTS) {
        code = fail(EXIT_USAGE, "shift_open", "a shift is open already: close it first");
    } else {
        code = fail(EXIT_SYSTEM, "journal", "%s", till_errmsg(t));
    }
    till_free(t);
    return code;
}

/* A report as JSON, or in words for people. */
static void print_report(const char *json, int as_json)
{
    if (as_json) {
        json_emit_text(json); /* the journal's own bytes: a Z report reprints identically */
        return;
    }
    json_t *o = json_loads(json, JSON_DECODE_ANY, NULL);
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        char amount[32];
        if (json_is_integer(v) && strstr(key, "_cents")) {
            money_format(json_integer_value(v), amount, sizeof(amount));
            printf("%-22s %12s\n", key, amount);
        } else if (json_is_array(v)) {
            size_t i;
            json_t *p;
            json_array_foreach(v, i, p)
            {
                money_format(json_integer_value(json_object_get(p, "cents")), amount, sizeof(amount));
                printf("  plan %-8s %5lld  %12s\n", json_string_value(json_object_get(p, "plan")),
                       (long long)json_integer_value(json_object_get(p, "count")), amount);
            }
        } else {
            char *t = json_dumps(v, JSON_ENCODE_ANY);
            printf("%-22s %12s\n", key, t ? t : "");
            free(t);
        }
    }
    json_decref(o);
}

static int shift_close(const struct args *a)
{
    long long counted;
    if (!args_get(a, "counted") || money_parse(args_get(a, "counted"), &counted) != RU_OK)
        return usage_error(USAGE_SHIFT, "--counted is the cash counted in the drawer, such as 140.00");
    struct till *t = NULL;
    int code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    char *json = NULL, why[300];
    enum ru_status rc = till_shift_close(t, counted, &json, why, sizeof(why));
    if (rc == RU_OK) {
        print_report(json, 1);
        if (why[0])
            fprintf(stderr,
                    "reup-pos: the issuer did not get the journal head (%s): it goes with the next request\n",
                    why);
    } else if (rc == RU_ERR_NOT_FOUND)
        code = fail(EXIT_USAGE, "no_shift", "no shift is open");
    else
        code = fail(EXIT_SYSTEM, "journal", "%s", till_errmsg(t));
    free(json);
    till_free(t);
    return code;
}

int cmd_shift(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "cashier pin float counted", "training json help", 1, &a, err, sizeof(err)) !=
        RU_OK)
        return usage_error(USAGE_SHIFT, err);
    if (a.npositional == 1 && !strcmp(a.positional[0], "open"))
        return shift_open(&a);
    if (a.npositional == 1 && !strcmp(a.positional[0], "close"))
        return shift_close(&a);
    return usage_error(USAGE_SHIFT, "give open or close");
}

int cmd_report(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "", "x z json help", 1, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_REPORT, err);
    if (args_has(&a, "x") == args_has(&a, "z") || (args_has(&a, "x") && a.npositional))
        return usage_error(USAGE_REPORT, "give --x, or --z with an optional number");
    long long number = 0;
    if (a.npositional) {
        char *end;
        number = strtoll(a.positional[0], &end, 10);
        if (*end || number <= 0)
            return usage_error(USAGE_REPORT, "the Z report's number is a whole number from 1");
    }
    struct till *t = NULL;
    int code = open_till_local(&t);
    if (code != EXIT_OK)
        return code;
    char *json = NULL;
    enum ru_status rc = args_has(&a, "x") ? till_report_x(t, &json) : till_zreport(t, number, &json);
    if (rc == RU_OK)
        print_report(json, args_has(&a, "json") || args_has(&a, "z"));
    else if (rc == RU_ERR_NOT_FOUND && args_has(&a, "x"))
        code = fail(EXIT_NOT_FOUND, "no_shift", "no shift is open");
    else if (rc == RU_ERR_NOT_FOUND)
        code = fail(EXIT_NOT_FOUND, "no_zreport", "there is no such Z report");
    else
        code = fail(EXIT_SYSTEM, "journal", "%s", till_errmsg(t));
    free(json);
    till_free(t);
    return code;
}
