/*
 * pos/pinentry.h - how reup-pos takes a cashier's or manager's PIN without showing it to
 * other users: typed at the terminal without echo, or one line of standard input with
 * `--pin -`. `--pin VALUE` still works, for test scripts, with a warning: every user of
 * the machine can read a process's arguments.
 */
#ifndef REUP_POS_PINENTRY_H
#define REUP_POS_PINENTRY_H

#define PIN_MIN 4
#define PIN_MAX 12

/* The PIN into PIN (4 to 12 digits). OPTION is the value of --pin: "-" reads one line of
 * standard input; another value is the PIN itself (a warning on stderr, and the argument
 * is wiped from the process's arguments); NULL asks at the terminal (/dev/tty) with
 * PROMPT, echo off until the line is read or a signal ends or stops the program, and
 * CONFIRM asks a second time. EXIT_OK (0), else a message is on stderr and the exit code
 * is EXIT_USAGE. The caller wipes PIN with explicit_bzero. */
int pin_entry(const char *option, const char *prompt, int confirm, char pin[PIN_MAX + 1]);
#endif
