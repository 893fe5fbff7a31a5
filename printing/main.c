/*
 * reup-print - renders Re-Up cards and prints them, one at the counter or a batch of
 * card stock, through CUPS. Subcommands in cmd_card.c and cmd_batch.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "printing/cmd.h"
#include "common/banned.h"

#define USAGE_EXIT                                                                                  \
    EXIT_HELP EXIT_HELP_OK EXIT_HELP_USAGE EXIT_HELP_NOT_FOUND EXIT_HELP_CONFIG EXIT_HELP_NO_ANSWER \
        EXIT_HELP_REFUSED EXIT_HELP_SYSTEM                                                          \
        "3 is no such print queue; 4 the card template (unreadable, invalid, or a text that\n"      \
        "does not fit); after 5 (no print server) the cards of the job in flight are possibly\n"    \
        "printed; 6 is printing stopped by the printer or queue: fix it, then --resume.\n"

#define USAGE                                                                                     \
    "usage: reup-print COMMAND [options]\n"                                                       \
    "\n"                                                                                          \
    "  card --serial S --pin P --plan C [--lang L] [--back]\n"                                    \
    "       (--out card.pdf | --png card.png | --printer QUEUE)   one card\n"                     \
    "  batch FILE.csv --layout L (--out batch.pdf | --printer QUEUE)\n"                           \
    "       [--job-size N] [--resume] [--reprint SERIALS]          a batch file of reup-issuer\n" \
    "\n"                                                                                          \
    "reup-print COMMAND --help shows a command's options. docs/printing.md has the rest.\n"       \
    "\n" USAGE_EXIT

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {{"card", cmd_card}, {"batch", cmd_batch}};

int usage_error(const char *usage, const char *msg)
{
    fprintf(stderr, "reup-print: %s\n\n%s", msg, usage);
    return EXIT_USAGE;
}

int template_from_args(const struct args *a, struct card_template *t)
{
    char err[600];
    const char *path = args_get(a, "template");
    if (!path) {
        template_default(t);
        return EXIT_OK;
    }
    if (template_load(path, t, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", err);
        return EXIT_CONFIG;
    }
    return EXIT_OK;
}

/* the output being written, removed when a signal ends the program */
static char temp_name[4096];

static void on_signal(int sig)
{
    /* a document with PINs must not outlive the program half-written */
    if (temp_name[0])
        unlink(temp_name);
    signal(sig, SIG_DFL);
    raise(sig);
}

FILE *out_open(const char *path)
{
    /* one output at a time: the temporary file is known to the signal handler */
    snprintf(temp_name, sizeof(temp_name), "%.4000s.tmp-XXXXXX", path);
    int fd = mkstemp(temp_name);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        fprintf(stderr, "reup-print: cannot write '%s': %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(temp_name);
        }
        temp_name[0] = '\0';
    }
    return f;
}

int out_close(FILE *f, const char *path, int ok)
{
    if (ok && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        ok = 0;
    if (fclose(f) != 0)
        ok = 0;
    if (ok && rename(temp_name, path) == 0) {
        temp_name[0] = '\0';
        return EXIT_OK;
    }
    int e = errno;
    unlink(temp_name);
    temp_name[0] = '\0';
    if (ok) {
        fprintf(stderr, "reup-print: cannot write '%s': %s\n", path, strerror(e));
        return EXIT_SYSTEM;
    }
    return EXIT_SYSTEM;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 2, argv + 2);
    char msg[160];
    snprintf(msg, sizeof(msg), "unknown command '%.100s'", argv[1]);
    return usage_error(USAGE, msg);
}
