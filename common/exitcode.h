/*
 * common/exitcode.h - the exit codes of all four programs, one table: a number means the
 * same thing in reup-locate, reup-issuer, reup-print and reup-pos, so a script that
 * drives several of them reads every code one way. Each program uses the codes that can
 * happen to it and lists them in its --help with the EXIT_HELP_* lines below, the words
 * of docs/exit-codes.md (tests/cli/t0001 holds the three to one another).
 */
#ifndef REUP_COMMON_EXITCODE_H
#define REUP_COMMON_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,          /* done (a sale: approved; a search: stores found) */
    EXIT_FAILED = 1,      /* a system, database or disk error; a journal that fails its check */
    EXIT_USAGE = 2,       /* usage error or bad input; the message names it */
    EXIT_CONFIG = 3,      /* configuration or state missing, invalid, or open to group or others */
    EXIT_NOT_FOUND = 4,   /* no such place, store, plan, card, batch, sale, cashier or queue */
    EXIT_STOPPED = 5,     /* the printer or its queue stopped the run: nothing in doubt */
    EXIT_UNREACHABLE = 6, /* no answer from the issuer or the print server */
    EXIT_LOCKED = 7,      /* locked after too many wrong PINs */
    EXIT_DECLINED = 8,    /* the issuer declined */
    EXIT_EXISTS = 9,      /* it exists already */
};

/* The --help lines, to be joined into a usage string: EXIT_HELP EXIT_HELP_OK ... */
#define EXIT_HELP             "Exit codes (the same in every reup program, docs/exit-codes.md):\n"
#define EXIT_HELP_OK          "  0  done\n"
#define EXIT_HELP_FAILED      "  1  failed: a system, database or disk error\n"
#define EXIT_HELP_USAGE       "  2  usage error or bad input; the message names it\n"
#define EXIT_HELP_CONFIG      "  3  configuration or state missing, invalid, or open to group or others\n"
#define EXIT_HELP_NOT_FOUND   "  4  not found\n"
#define EXIT_HELP_STOPPED     "  5  printing stopped by the printer or its queue; nothing in doubt\n"
#define EXIT_HELP_UNREACHABLE "  6  no answer from the issuer or the print server\n"
#define EXIT_HELP_LOCKED      "  7  locked after too many wrong PINs\n"
#define EXIT_HELP_DECLINED    "  8  declined by the issuer\n"
#define EXIT_HELP_EXISTS      "  9  exists already\n"
#endif
