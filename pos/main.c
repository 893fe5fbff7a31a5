/*
 * reup-pos - the cashier's terminal: sells and activates Re-Up cards, prints the card and
 * a receipt, voids, shift reports. Subcommands in cmd_*.c; this file dispatches and holds
 * what they share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "pos/cmd.h"
#include "pos/pinentry.h"
#include "common/banned.h"

#define USAGE_EXIT                                                                                 \
    EXIT_HELP EXIT_HELP_OK EXIT_HELP_NO_MATCH EXIT_HELP_USAGE EXIT_HELP_NOT_FOUND EXIT_HELP_CONFIG \
        EXIT_HELP_NO_ANSWER EXIT_HELP_REFUSED EXIT_HELP_SYSTEM                                     \
        "0 is also a sale approved; 1 a journal that fails verify; 2 also a wrong check digit,\n"  \
        "no open shift, too little cash; 3 no such sale, cashier or Z report; after 5 the sale\n"  \
        "is not completed (its reversal is on its way), or sync has items waiting; 6 a declined\n" \
        "sale, or the cashier refused: a number and PIN that do not match, or locked; restore\n"   \
        "while another reup-pos has the journal open.\n"

#define USAGE                                                                                       \
    "usage: reup-pos [--config FILE] COMMAND [options]\n"                                           \
    "\n"                                                                                            \
    "  ui                                          the full-screen terminal for the counter\n"      \
    "  cashier add --id ID --name NAME --role cashier|manager [--pin -]\n"                          \
    "      [--manager ID [--manager-pin -]]        a manager approves (not the first manager)\n"    \
    "  cashier role ID cashier|manager --manager ID [--pin -]\n"                                    \
    "  cashier pin ID --manager ID [--manager-pin -] [--pin -]\n"                                   \
    "  cashier unlock ID --manager ID [--pin -]    lift a lock after wrong PINs\n"                  \
    "  shift open --cashier ID [--pin -] --float AMOUNT [--training] [--json]\n"                    \
    "  shift close --counted AMOUNT [--json]       closes the shift, prints its Z report\n"         \
    "  sell (--serial S | --on-demand PLAN) (--cash AMOUNT | --card) [--json]\n"                    \
    "  void SALE_ID [--manager ID [--pin -]] [--json]\n"                                            \
    "  reprint SALE_ID                             the receipt again\n"                             \
    "  report --x | --z [N] [--json]               running totals, or Z report N (the last)\n"      \
    "  status [--json]                             shift, pending reversals, issuer reachable\n"    \
    "  sync                                        print waiting receipts, send waiting\n"          \
    "                                              reversals and voids now\n"                       \
    "  verify [--strict]                           replay the journal against its tables, then\n"   \
    "                                              check it holds every head the issuer saw\n"      \
    "  backup --out FILE                           a consistent copy of the journal (FILE new,\n"   \
    "                                              mode 0600), taken while the till sells\n"        \
    "  restore --from FILE                         check a backup as verify does, then put it in\n" \
    "                                              place of the journal (no other reup-pos open)\n" \
    "\n"                                                                                            \
    "PINs are typed at the terminal (not shown), or with --pin - read as one line of standard\n"    \
    "input; --pin PIN works but other users see it in the process list. 5 wrong PINs in a row\n"    \
    "lock a cashier for 15 minutes. The configuration must not be writable, the credentials and\n"  \
    "the journal not readable, by group or others.\n"                                               \
    "--json: one JSON object on standard output on every exit, a refusal or an error as\n"          \
    "{\"status\": ..., \"error\": {\"code\": ..., \"message\": ...}} (codes: docs/pos.md).\n"       \
    "A sale's answer comes first; its receipt prints after it (and waits when it cannot).\n"        \
    "--config: default /etc/reup/pos.conf, then $XDG_CONFIG_HOME/reup/pos.conf. docs/pos.md.\n"     \
    "\n" USAGE_EXIT

const char *config_option;
int json_output;
static int json_printed; /* the one object of --json went out */

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {{"cashier", cmd_cashier}, {"shift", cmd_shift},     {"sell", cmd_sell},
                {"void", cmd_void},       {"reprint", cmd_reprint}, {"report", cmd_report},
                {"status", cmd_status},   {"sync", cmd_sync},       {"verify", cmd_verify},
                {"backup", cmd_backup},   {"restore", cmd_restore}, {"ui", cmd_ui}};

void json_emit_text(const char *text)
{
    puts(text);
    fflush(stdout);
    json_printed = 1;
}

void json_emit(json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_emit_text(text ? text : "{}");
    free(text);
    json_decref(obj);
}

/* The error object of --json, once a run. */
static void json_error(int exit_code, const char *code, const char *message)
{
    if (!json_output || json_printed)
        return;
    const char *status = exit_code == EXIT_NO_MATCH                             ? "failed"
                         : exit_code == EXIT_NO_ANSWER                          ? "no_answer"
                         : exit_code == EXIT_CONFIG || exit_code == EXIT_SYSTEM ? "error"
                                                                                : "refused";
    json_emit(json_pack("{s:s,s:{s:s,s:s}}", "status", status, "error", "code", code, "message", message));
}

int fail(int exit_code, const char *code, const char *fmt, ...)
{
    char msg[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "reup-pos: %s\n", msg);
    json_error(exit_code, code, msg);
    return exit_code;
}

int usage_error(const char *usage, const char *msg)
{
    fprintf(stderr, "reup-pos: %s\n\n%s", msg, usage ? usage : USAGE);
    json_error(EXIT_USAGE, "usage", msg);
    return EXIT_USAGE;
}

int load_config(struct pos_config *cfg)
{
    char path[1024], err[1400];
    pos_config_path(config_option, path, sizeof(path));
    if (pos_config_load(path, cfg, err, sizeof(err)) != RU_OK)
        return fail(EXIT_CONFIG, "config", "%s", err);
    return EXIT_OK;
}

/* The till of the configuration, whole or (LOCAL) on the journal alone. */
static int opened(int local, struct till **t)
{
    struct pos_config cfg;
    char err[1400];
    int code = load_config(&cfg);
    if (code != EXIT_OK)
        return code;
    enum ru_status rc =
        local ? till_open_local(&cfg, t, err, sizeof(err)) : till_open(&cfg, t, err, sizeof(err));
    if (rc != RU_OK)
        return rc == RU_ERR_INVALID ? fail(EXIT_CONFIG, "config", "%s", err)
                                    : fail(EXIT_SYSTEM, "journal", "%s", err);
    return EXIT_OK;
}

int open_till(struct till **t)
{
    return opened(0, t);
}

int open_till_local(struct till **t)
{
    return opened(1, t);
}

int check_pin(struct till *t, const char *id, const char *pin_option, int approval, struct till_cashier *who)
{
    char pin[PIN_MAX + 1], prompt[80], msg[400];
    snprintf(prompt, sizeof(prompt), "PIN of cashier %.32s: ", id);
    int code = pin_entry(pin_option, prompt, 0, pin);
    if (code != EXIT_OK)
        return code;
    enum ru_status rc = approval ? till_approve(t, id, pin, who, msg, sizeof(msg))
                                 : till_sign_in(t, id, pin, who, msg, sizeof(msg));
    explicit_bzero(pin, sizeof(pin));
    if (rc == RU_OK)
        return EXIT_OK;
    if (rc == RU_ERR_DECLINED)
        return CHECK_NOT_MANAGER;
    /* a wrong PIN, an unknown number (the same words: no hint which numbers exist) or a
     * lock: the till refuses the cashier */
    if (rc == RU_ERR_LIMIT)
        return fail(EXIT_REFUSED, "locked", "%s (reup-pos cashier unlock %s --manager MANAGER_ID)", msg, id);
    if (rc == RU_ERR_INVALID || rc == RU_ERR_NOT_FOUND)
        return fail(EXIT_REFUSED, "pin_refused", "%s", msg);
    return fail(EXIT_SYSTEM, "journal", "%s", msg);
}

int main(int argc, char **argv)
{
    /* the journal, its -wal and -shm and any file made here hold money or secrets */
    umask(077);
    int i = 1;
    while (i + 1 < argc && !strcmp(argv[i], "--config")) {
        config_option = argv[i + 1];
        i += 2;
    }
    if (i >= argc || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
        fputs(USAGE, i >= argc ? stderr : stdout);
        return i >= argc ? EXIT_USAGE : EXIT_OK;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (!strcmp(argv[i], commands[k].name)) {
            /* --config may also come after the command */
            for (int a = i + 1; a + 1 < argc; a++)
                if (!strcmp(argv[a], "--config")) {
                    config_option = argv[a + 1];
                    for (int b = a; b + 2 < argc; b++)
                        argv[b] = argv[b + 2];
                    argc -= 2;
                    break;
                }
            for (int a = i + 1; a < argc; a++)
                json_output |= !strcmp(argv[a], "--json");
            int code = commands[k].fn(argc - i - 1, argv + i + 1);
            /* a path that forgot its object still gives scripts one */
            if (code != EXIT_OK)
                json_error(code, "failed", "the command failed: see the message on standard error");
            return code;
        }
    char msg[160];
    snprintf(msg, sizeof(msg), "unknown command '%.100s'", argv[i]);
    return usage_error(NULL, msg);
}
