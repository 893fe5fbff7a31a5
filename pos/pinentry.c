/*
 * pos/pinentry.c - a PIN from the terminal without echo, from standard input, or (with a
 * warning) from the arguments. Read a byte at a time with read(2): no stdio buffer keeps
 * a copy that cannot be wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "pos/cmd.h"
#include "pos/pinentry.h"
#include "common/banned.h"

/* The terminal whose echo is off, for the signal handler to turn it on again. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved, tty_quiet;
static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU};

static void on_signal(int sig)
{
    int saved_errno = errno;
    if (tty_fd >= 0)
        tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
    struct sigaction dfl = {.sa_handler = SIG_DFL}, mine;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, &mine);
    raise(sig);
    if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
        /* stop with the echo on; when continued, take the rest of the PIN quietly again */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        sigaction(sig, &mine, NULL);
        if (tty_fd >= 0)
            tcsetattr(tty_fd, TCSAFLUSH, &tty_quiet);
    }
    /* any other signal ends the program as it would have, once this returns */
    errno = saved_errno;
}

/* One line of FD into PIN: 1 read, 0 end of input before a line, -1 longer than
 * PIN_MAX (the rest of the line is read and dropped). */
static int read_line(int fd, char pin[PIN_MAX + 1])
{
    size_t n = 0;
    int line = 0, too_long = 0;
    char c = 0;
    for (;;) {
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        line = 1;
        if (c == '\n')
            break;
        if (c == '\r')
            continue;
        if (n < PIN_MAX)
            pin[n++] = c;
        else
            too_long = 1;
    }
    pin[n] = '\0';
    explicit_bzero(&c, sizeof(c));
    return too_long ? -1 : line;
}

/* Write TEXT to FD whole. */
static void say(int fd, const char *text)
{
    size_t n = strlen(text);
    while (n) {
        ssize_t w = write(fd, text, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        text += w;
        n -= (size_t)w;
    }
}

/* PROMPT on the terminal FD and a line read with the echo off (on again on every path). */
static int ask_quietly(int fd, const char *prompt, char pin[PIN_MAX + 1])
{
    struct sigaction old[sizeof(caught) / sizeof(caught[0])];
    if (tcgetattr(fd, &tty_saved) != 0)
        return 0;
    tty_quiet = tty_saved;
    tty_quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
        sigaction(caught[i], NULL, &old[i]);
        /* a signal the caller ignores stays ignored */
        if (old[i].sa_handler != SIG_IGN)
            sigaction(caught[i], &sa, NULL);
    }
    /* echo off before the prompt: what is typed after the prompt is never shown */
    tty_fd = fd;
    tcsetattr(fd, TCSAFLUSH, &tty_quiet);
    say(fd, prompt);
    int got = read_line(fd, pin);
    tcsetattr(fd, TCSAFLUSH, &tty_saved);
    tty_fd = -1;
    for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
        sigaction(caught[i], &old[i], NULL);
    say(fd, "\n");
    return got;
}

/* 1 when PIN is PIN_MIN to PIN_MAX digits. */
static int pin_ok(const char *pin)
{
    size_t n = strlen(pin);
    return n >= PIN_MIN && n <= PIN_MAX && strspn(pin, "0123456789") == n;
}

static int refuse(const char *why, char pin[PIN_MAX + 1])
{
    explicit_bzero(pin, PIN_MAX + 1);
    return fail(EXIT_USAGE, "bad_pin", "%s", why);
}

int pin_entry(const char *option, const char *prompt, int confirm, char pin[PIN_MAX + 1])
{
    static const char *const bad = "a PIN is 4 to 12 digits";
    pin[0] = '\0';
    if (option && strcmp(option, "-") != 0) {
        fprintf(stderr, "reup-pos: warning: the PIN is visible to other users in the process list; use "
                        "--pin - or type it\n");
        size_t n = strlen(option);
        if (n > PIN_MAX)
            return refuse(bad, pin);
        memcpy(pin, option, n + 1);
        /* argv is the program's own memory: from now on /proc/PID/cmdline no longer shows it */
        explicit_bzero((char *)option, n);
        return pin_ok(pin) ? EXIT_OK : refuse(bad, pin);
    }
    if (option) {
        int got = read_line(STDIN_FILENO, pin);
        if (got <= 0)
            return refuse(got ? bad : "--pin -: no PIN on standard input (one line)", pin);
        return pin_ok(pin) ? EXIT_OK : refuse(bad, pin);
    }
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return refuse("no terminal to type the PIN at: give --pin - and the PIN on standard input", pin);
    int got = ask_quietly(fd, prompt, pin);
    if (got > 0 && pin_ok(pin) && confirm) {
        char again[PIN_MAX + 1];
        got = ask_quietly(fd, "Type it again: ", again);
        if (got > 0 && strcmp(again, pin) != 0)
            got = -2;
        explicit_bzero(again, sizeof(again));
    }
    close(fd);
    if (got == -2)
        return refuse("the two PINs typed differ: nothing was done", pin);
    if (got == 0)
        return refuse("no PIN was typed", pin);
    return got > 0 && pin_ok(pin) ? EXIT_OK : refuse(bad, pin);
}
