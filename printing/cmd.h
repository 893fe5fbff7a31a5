/*
 * printing/cmd.h - what the subcommands of reup-print share: exit codes, the template
 * options, temporary print files and sending one job.
 */
#ifndef REUP_PRINTING_CMD_H
#define REUP_PRINTING_CMD_H
#include <stdio.h>
#include "common/args.h"
#include "common/exitcode.h"
#include "printing/template.h"

/* Exit codes (common/exitcode.h) as reup-print uses them: EXIT_CONFIG, the card template
 * cannot be read, is invalid, or a text does not fit; EXIT_NOT_FOUND, no such print queue;
 * EXIT_NO_ANSWER, no print server: the cards of the job in flight are possibly printed;
 * EXIT_REFUSED, the printer or its queue stopped the run: --resume goes on; EXIT_SYSTEM,
 * disk, database, memory. */

int cmd_card(int argc, char **argv);
int cmd_batch(int argc, char **argv);

/* Print "reup-print: MSG" and the command's usage to stderr; returns EXIT_USAGE. */
int usage_error(const char *usage, const char *msg);

/* The template from --template, or the built-in one; after a message, EXIT_CONFIG. */
int template_from_args(const struct args *a, struct card_template *t);

/* Write an output file atomically: OUT_OPEN creates a temporary file (mode 0600: it
 * holds PINs) beside PATH; OUT_CLOSE closes it and renames it into place when OK, else
 * removes it. Both print a message and return NULL / an exit code on failure. */
FILE *out_open(const char *path);
int out_close(FILE *f, const char *path, int ok);

#endif
