/*
 * pos/cmd.h - what the subcommands of reup-pos share: exit codes, the configuration,
 * opening the till, JSON or words on standard output.
 */
#ifndef REUP_POS_CMD_H
#define REUP_POS_CMD_H
#include <jansson.h>
#include "common/args.h"
#include "common/exitcode.h"
#include "pos/till.h"

/* Exit codes (common/exitcode.h) as reup-pos uses them: EXIT_OK, a sale approved;
 * EXIT_NO_MATCH, verify found the journal changed; EXIT_USAGE, also a serial's check
 * digit, no open shift, too little cash; EXIT_NOT_FOUND, no such sale, cashier or Z report;
 * EXIT_CONFIG, the configuration or the credentials are missing or wrong; EXIT_NO_ANSWER,
 * the issuer did not answer: the sale is not completed; EXIT_REFUSED, the issuer declined
 * the sale, or the till refuses the cashier (a wrong PIN or number, a lock); EXIT_SYSTEM,
 * the journal cannot be read or written. */

int cmd_cashier(int argc, char **argv);
int cmd_shift(int argc, char **argv);
int cmd_sell(int argc, char **argv);
int cmd_void(int argc, char **argv);
int cmd_reprint(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_ui(int argc, char **argv);

/* The --config given before the command (NULL: the default places). */
extern const char *config_option;

/* --json was given (main() looks before the command parses): every exit then prints
 * exactly one JSON object on stdout, an error's too (docs/pos.md). */
extern int json_output;

/* Print OBJ (taken; NULL: out of memory, "{}") as the command's JSON object on stdout. */
void json_emit(json_t *obj);

/* Print TEXT, one JSON object already written, as the command's object. */
void json_emit_text(const char *text);

/* Print "reup-pos: MESSAGE" to stderr and, with --json, {"status": ..., "error": {"code":
 * CODE, "message": MESSAGE}} on stdout, the status from EXIT_CODE: "failed" (1),
 * "refused" (2, 3, 6), "no_answer" (5), "error" (4, 7). CODE is one of docs/pos.md's
 * stable names. Only the first error of a run prints its object. Returns EXIT_CODE. */
int fail(int exit_code, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Print "reup-pos: MSG" and USAGE to stderr (with --json, the error object on stdout);
 * EXIT_USAGE. */
int usage_error(const char *usage, const char *msg);

/* Load the configuration; after a message, EXIT_CONFIG. */
int load_config(struct pos_config *cfg);

/* Load the configuration and open the till (recovery included); after a message, the
 * exit code. */
int open_till(struct till **t);

/* The till on the journal alone (till_open_local), for commands that never talk to the
 * issuer; after a message, the exit code. */
int open_till_local(struct till **t);

/* Returned by check_pin() for an approval given by a cashier who is not a manager, without
 * a message: the command says what was refused, and with which exit code. */
#define CHECK_NOT_MANAGER (-1)

/* Sign cashier ID in on T with the PIN of PIN_OPTION (the value of --pin, or NULL: typed at
 * the terminal; pinentry.h), or with APPROVAL as a manager's approval (till_approve). EXIT_OK
 * with WHO; CHECK_NOT_MANAGER; else, after a message (fail()), EXIT_USAGE (no PIN),
 * EXIT_REFUSED (a wrong PIN, no such cashier, or locked) or EXIT_SYSTEM. */
int check_pin(struct till *t, const char *id, const char *pin_option, int approval, struct till_cashier *who);
#endif
