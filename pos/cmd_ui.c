/*
 * reup-pos ui - the full-screen terminal at the counter.
 */
#include <stdio.h>
#include <unistd.h>
#include "pos/cmd.h"
#include "pos/ui.h"
#include "common/banned.h"

#define USAGE_UI "usage: reup-pos ui\n"

int cmd_ui(int argc, char **argv)
{
    struct args a;
    char err[300];
    if (args_parse(argc, argv, "", "help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_UI, err);
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "reup-pos: ui needs a terminal; scripts use the other commands\n");
        return EXIT_USAGE;
    }
    struct pos_config cfg;
    struct till *t = NULL;
    int code = load_config(&cfg);
    if (code == EXIT_OK)
        code = open_till(&t);
    if (code != EXIT_OK)
        return code;
    /* receipts print on a thread of their own: the screen never waits for the printer */
    struct printworker *pw = NULL;
    enum ru_status rc = cfg.receipt_printer[0] ? printworker_start(&cfg, &pw, err, sizeof(err)) : RU_OK;
    if (rc != RU_OK) {
        fprintf(stderr, "reup-pos: %s\n", err);
        till_free(t);
        return rc == RU_ERR_INVALID ? EXIT_CONFIG : EXIT_SYSTEM;
    }
    code = ui_run(t, &cfg, pw) == 0 ? EXIT_OK : EXIT_SYSTEM;
    /* the receipt being printed is followed to its end; what is left waits in the outbox */
    printworker_stop(pw);
    till_free(t);
    return code;
}
