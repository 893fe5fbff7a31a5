/*
 * common/exitcode.h - the exit codes of all four programs, one table: a number means the
 * same thing in reup-locate, reup-issuer, reup-print and reup-pos, so a script that
 * drives several of them reads every code one way. The table is the contract's
 * (docs/exit-codes.md); 1 is grep's "no": nothing found, or a check that did not pass.
 * Each program uses the codes that can happen to it and lists them in its --help with the
 * EXIT_HELP_* lines below, the words of docs/exit-codes.md (tests/cli/t0001 holds the
 * three to one another).
 */
#ifndef REUP_COMMON_EXITCODE_H
#define REUP_COMMON_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,        /* done or found (a sale approved, stores found, a journal intact) */
    EXIT_NO_MATCH = 1,  /* nothing found (no store in the radius), or a check failed (verify) */
    EXIT_USAGE = 2,     /* bad arguments or bad input, or it exists already: nothing done */
    EXIT_NOT_FOUND = 3, /* the named place, postal code, plan, card, sale, queue... does not exist */
    EXIT_CONFIG = 4,    /* configuration, credentials, database or template missing or wrong */
    EXIT_NO_ANSWER = 5, /* the other side did not answer: the outcome is settled later */
    EXIT_REFUSED = 6,   /* the other side refused: declined, printing stopped, cashier refused */
    EXIT_SYSTEM = 7,    /* a system error: I/O, memory, a database failing once open */
};

/* The --help lines, to be joined into a usage string: EXIT_HELP EXIT_HELP_OK ... */
#define EXIT_HELP           "Exit codes (the same in every reup program, docs/exit-codes.md):\n"
#define EXIT_HELP_OK        "  0  done or found\n"
#define EXIT_HELP_NO_MATCH  "  1  nothing found, or a check failed\n"
#define EXIT_HELP_USAGE     "  2  bad arguments or bad input; nothing done\n"
#define EXIT_HELP_NOT_FOUND "  3  the named thing does not exist\n"
#define EXIT_HELP_CONFIG    "  4  configuration, credentials, database or template missing or wrong\n"
#define EXIT_HELP_NO_ANSWER "  5  the other side did not answer; the outcome is settled later\n"
#define EXIT_HELP_REFUSED   "  6  the other side refused\n"
#define EXIT_HELP_SYSTEM    "  7  system error: I/O, memory\n"
#endif
