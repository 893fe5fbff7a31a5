/*
 * pos/ui.c - the counter's screens. The till does the work; this file only asks, shows
 * and keeps one sale (one card) in the basket until it is paid or cleared.
 */
#include <ctype.h>
#include <curses.h>
#include <jansson.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pos/ui.h"
#include "pos/printworker.h"
#include "pos/scan.h"
#include "common/cardnum.h"
#include "common/money.h"
#include "common/banned.h"

enum tone { TONE_INFO, TONE_GOOD, TONE_BAD };

struct ui {
    struct till *t;
    const struct pos_config *cfg;
    struct printworker *pw;  /* prints the receipts behind the screen; NULL: no receipt printer */
    struct till_cashier who; /* signed in; "" none */
    struct pos_shift shift;
    int has_shift;
    char msg[400];
    enum tone tone;
    /* the basket: one card */
    int has_item;
    char serial[CARD_DIGITS + 1]; /* "" for an on-demand card */
    struct pos_plan plan;
};

static void say(struct ui *u, enum tone tone, const char *text)
{
    snprintf(u->msg, sizeof(u->msg), "%s", text);
    u->tone = tone;
}

/* The frame: title, status, message line and the keys of this screen. */
static void frame(struct ui *u, const char *title, const char *keys)
{
    struct till_status st;
    erase();
    attron(A_REVERSE);
    mvprintw(0, 0, " Re-Up POS  %-12s store %s  terminal %s%*s", title, u->cfg->store_id, u->cfg->terminal,
             COLS > 60 ? COLS - 60 : 0, "");
    attroff(A_REVERSE);
    if (u->has_shift)
        mvprintw(1, 1, "Cashier %s%s  shift %lld%s", u->who.id, u->who.manager ? " (manager)" : "",
                 u->shift.id, u->shift.training ? "   *** TRAINING: nothing is sent to the issuer ***" : "");
    int answered = till_last_answered(u->t);
    mvprintw(2, 1, "Issuer: %s",
             answered == 1   ? "reachable"
             : answered == 0 ? "NOT REACHABLE"
                             : "not asked yet");
    if (till_status(u->t, &st) == RU_OK && st.pending)
        printw("   Reversals/voids waiting for the issuer: %lu (F8 sends them now)", st.pending);
    char problem[300] = "";
    if (u->pw && !printworker_state(u->pw, problem, sizeof(problem)) && problem[0])
        mvprintw(3, 1, "Receipt printer: %.*s. The receipt waits (F8 tries again).",
                 COLS > 60 ? COLS - 60 : 1, problem);
    if (u->msg[0]) {
        if (u->tone == TONE_BAD)
            attron(A_BOLD);
        mvprintw(LINES - 3, 1, "%s%.*s",
                 u->tone == TONE_BAD    ? "!! "
                 : u->tone == TONE_GOOD ? "OK "
                                        : "",
                 COLS - 5, u->msg);
        attroff(A_BOLD);
    }
    attron(A_REVERSE);
    mvprintw(LINES - 1, 0, " %-*.*s", COLS - 1, COLS - 1, keys);
    attroff(A_REVERSE);
}

/* Read a line at ROW after LABEL into BUF; '*' for SECRET. Returns '\n' when entered,
 * 27 for Escape, or the function key pressed. */
static int ask(int row, const char *label, char *buf, size_t cap, int secret)
{
    size_t n = strlen(buf);
    for (;;) {
        mvprintw(row, 1, "%s ", label);
        clrtoeol();
        for (size_t i = 0; i < n; i++)
            addch(secret ? '*' : (unsigned char)buf[i]);
        refresh();
        int k = getch();
        if (k == '\n' || k == '\r' || k == KEY_ENTER)
            return '\n';
        if (k == 27 || (k >= KEY_F(1) && k <= KEY_F(12)))
            return k;
        if ((k == KEY_BACKSPACE || k == 127 || k == 8) && n)
            buf[--n] = '\0';
        else if (k >= 32 && k < 127 && n + 1 < cap) {
            buf[n++] = (char)k;
            buf[n] = '\0';
        }
    }
}

/* Cashier ID's PIN checked now, as a sign-in or (APPROVAL) a manager's approval: 1 when
 * right with WHO, else 0 with the till's words (a wrong PIN counted, a lock and when it
 * ends, not a manager) on the message line. */
static int pin_checked(struct ui *u, const char *id, const char *pin, int approval, struct till_cashier *who)
{
    char why[300];
    enum ru_status rc = approval ? till_approve(u->t, id, pin, who, why, sizeof(why))
                                 : till_sign_in(u->t, id, pin, who, why, sizeof(why));
    if (rc == RU_OK)
        return 1;
    char m[400];
    if (rc == RU_ERR_DB)
        snprintf(m, sizeof(m), "The journal cannot be read. Call support.");
    else if (rc == RU_ERR_DECLINED)
        snprintf(m, sizeof(m), "That is not a manager's number and PIN: nothing was done.");
    else
        snprintf(m, sizeof(m), "%c%s.%s", toupper((unsigned char)why[0]), why + 1,
                 rc == RU_ERR_LIMIT ? "" : " Try again, or ask a manager.");
    say(u, TONE_BAD, m);
    return 0;
}

static int signin(struct ui *u)
{
    for (;;) {
        char id[33] = "", pin[16] = "";
        frame(u, "sign in", "Enter: next   Esc: clear   F10: quit");
        mvprintw(4, 1, "Sign in with your cashier number and PIN.");
        refresh();
        int k = ask(6, "Cashier:", id, sizeof(id), 0);
        if (k == KEY_F(10))
            return 0;
        if (k != '\n' || !id[0])
            continue;
        k = ask(7, "PIN:    ", pin, sizeof(pin), 1);
        struct till_cashier who;
        int ok = k == '\n' && pin_checked(u, id, pin, 0, &who);
        explicit_bzero(pin, sizeof(pin));
        if (k == KEY_F(10))
            return 0;
        if (!ok)
            continue;
        u->who = who;
        say(u, TONE_GOOD, "Signed in.");
        return 1;
    }
}

static int open_shift(struct ui *u)
{
    if (till_shift_current(u->t, &u->shift) == RU_OK) {
        u->has_shift = 1;
        if (strcmp(u->shift.cashier, u->who.id) != 0 && !u->who.manager) {
            char m[200];
            snprintf(m, sizeof(m),
                     "Shift %lld is open for cashier %s: they (or a manager) must close it first.",
                     u->shift.id, u->shift.cashier);
            say(u, TONE_BAD, m);
            u->has_shift = 0;
            return 0;
        }
        return 1;
    }
    for (;;) {
        char amount[24] = "";
        frame(u, "open shift", "Enter: open the shift   Esc: sign out");
        mvprintw(4, 1, "No shift is open. Count the float in the drawer and type it (for example 100.00).");
        int k = ask(6, "Float:", amount, sizeof(amount), 0);
        if (k != '\n')
            return 0;
        long long cents;
        if (money_parse(amount, &cents) != RU_OK) {
            say(u, TONE_BAD, "That is not an amount: type it as 100 or 100.00.");
            continue;
        }
        long long id;
        if (till_shift_open(u->t, &u->who, cents, 0, &id) != RU_OK) {
            say(u, TONE_BAD, "The shift could not be opened: the journal cannot be written. Call support.");
            return 0;
        }
        if (till_shift_current(u->t, &u->shift) != RU_OK)
            return 0;
        u->has_shift = 1;
        say(u, TONE_GOOD, "Shift open. Scan a card to start a sale.");
        return 1;
    }
}

/* A manager's approval into BY: the cashier signed in when a manager, or a manager who
 * signs for it. */
static int approved_by_manager(struct ui *u, struct till_cashier *by)
{
    if (u->who.manager) {
        *by = u->who;
        return 1;
    }
    char id[33] = "", pin[16] = "";
    mvprintw(10, 1, "A manager must approve this.");
    int ok = ask(11, "Manager:", id, sizeof(id), 0) == '\n' &&
             ask(12, "PIN:    ", pin, sizeof(pin), 1) == '\n' && pin_checked(u, id, pin, 1, by);
    explicit_bzero(pin, sizeof(pin));
    return ok;
}

static void show_result(struct ui *u, enum ru_status rc, const struct till_result *r)
{
    char m[400], change[32], amount[32];
    money_format(r->change_cents, change, sizeof(change));
    money_format(r->amount_cents, amount, sizeof(amount));
    if (rc != RU_OK)
        snprintf(m, sizeof(m), "Not sold: %s", r->message);
    else if (r->state == SALE_APPROVED)
        snprintf(m, sizeof(m), "APPROVED sale %lld: %s %s, CHANGE %s, auth %s.%s", r->sale_id, r->currency,
                 amount, change, r->auth_code,
                 r->receipt_waiting || !u->cfg->receipt_printer[0]
                     ? ""
                     : " The receipt cannot be printed: reprint it later (F7).");
    else if (r->state == SALE_DECLINED)
        snprintf(m, sizeof(m), "DECLINED: %s. Give the money back.", r->message);
    else
        snprintf(m, sizeof(m), "NOT COMPLETED: %s. Give the money back.", r->message);
    say(u, rc == RU_OK && r->state == SALE_APPROVED ? TONE_GOOD : TONE_BAD, m);
}

static void pay(struct ui *u, int card)
{
    char cash[24] = "";
    long long cents = 0;
    if (!u->has_item) {
        say(u, TONE_INFO, "Nothing to pay: scan a card first.");
        return;
    }
    if (!card) {
        if (ask(8, "Cash given:", cash, sizeof(cash), 0) != '\n')
            return;
        if (money_parse(cash, &cents) != RU_OK || cents < u->plan.price_cents) {
            say(u, TONE_BAD, "Type the cash given, at least the price (for example 50.00).");
            return;
        }
    }
    mvprintw(9, 1, "Activating ...");
    refresh();
    struct till_result r;
    enum ru_status rc =
        till_sell(u->t, u->serial[0] ? u->serial : NULL, u->serial[0] ? NULL : u->plan.code, cents, card, &r);
    /* paid or not, the basket is empty now: a second Enter does not sell again */
    u->has_item = 0;
    show_result(u, rc, &r);
    if (rc == RU_OK && r.receipt_waiting && u->pw)
        printworker_kick(u->pw, 0);
}

static void void_sale(struct ui *u)
{
    char id[16] = "";
    struct till_cashier by;
    if (ask(8, "Void sale number:", id, sizeof(id), 0) != '\n' || !id[0] || !approved_by_manager(u, &by))
        return;
    struct till_result r;
    enum ru_status rc = till_void(u->t, strtoll(id, NULL, 10), &by, &r);
    if (rc == RU_OK && r.receipt_waiting && u->pw)
        printworker_kick(u->pw, 0);
    char m[400];
    snprintf(m, sizeof(m), "%s%s", rc == RU_OK ? "VOID: " : "", r.message);
    say(u, rc == RU_OK ? TONE_GOOD : TONE_BAD, m);
}

static void report(struct ui *u, const char *json, const char *title)
{
    frame(u, title, "any key: back");
    json_t *o = json_loads(json, 0, NULL);
    const char *key;
    json_t *v;
    int row = 4;
    json_object_foreach(o, key, v)
    {
        char text[64] = "";
        if (json_is_integer(v) && strstr(key, "_cents"))
            money_format(json_integer_value(v), text, sizeof(text));
        else if (json_is_integer(v))
            snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
        else if (json_is_string(v))
            snprintf(text, sizeof(text), "%s", json_string_value(v));
        else if (json_is_boolean(v))
            snprintf(text, sizeof(text), "%s", json_is_true(v) ? "yes" : "no");
        else
            continue;
        if (row < LINES - 4)
            mvprintw(row++, 2, "%-22s %s", key, text);
    }
    json_decref(o);
    refresh();
    getch();
}

static int close_shift(struct ui *u)
{
    char counted[24] = "";
    if (ask(8, "Cash counted in the drawer:", counted, sizeof(counted), 0) != '\n')
        return 0;
    long long cents;
    if (money_parse(counted, &cents) != RU_OK) {
        say(u, TONE_BAD, "That is not an amount: type it as 140 or 140.00.");
        return 0;
    }
    char *json = NULL, unsent[300];
    if (till_shift_close(u->t, cents, &json, unsent, sizeof(unsent)) != RU_OK) {
        say(u, TONE_BAD, "The shift could not be closed: the journal cannot be written. Call support.");
        return 0;
    }
    report(u, json, "Z report");
    free(json);
    u->has_shift = 0;
    say(u, TONE_GOOD,
        unsent[0] ? "Shift closed. The Z report is kept; the issuer gets its journal head with the next sale."
                  : "Shift closed. The Z report is kept; reprint it with reup-pos report --z.");
    return 1;
}

static void sale_screen(struct ui *u)
{
    for (;;) {
        char line[80] = "", price[32];
        frame(u, "sale",
              "Enter: add/pay cash  F3: card paid  F4: void  F5: X report  F6: close shift  F7: reprint  F8: "
              "send "
              "waiting  Esc: clear  F10: sign out");
        mvprintw(4, 1, "Scan a card, or type its serial; for a new card printed here, type its plan (%s).",
                 "1y");
        if (u->has_item) {
            char masked[CARD_DIGITS + 1] = "new card";
            if (u->serial[0])
                card_mask(u->serial, masked);
            money_format(u->plan.price_cents, price, sizeof(price));
            mvprintw(6, 1, "1 x Re-Up card %-16s plan %-6s %s %s", masked, u->plan.code, u->plan.currency,
                     price);
            mvprintw(7, 1, "Press Enter to take cash, F3 when paid by card, Esc to clear.");
        }
        refresh();
        int k = ask(LINES - 5, "Scan:", line, sizeof(line), 0);
        if (k == KEY_F(10))
            return;
        if (k == 27) {
            u->has_item = 0;
            say(u, TONE_INFO, "Cleared.");
            continue;
        }
        if (k == KEY_F(3)) {
            pay(u, 1);
            continue;
        }
        if (k == KEY_F(4)) {
            void_sale(u);
            continue;
        }
        if (k == KEY_F(5)) {
            char *json = NULL;
            if (till_report_x(u->t, &json) == RU_OK)
                report(u, json, "X report");
            free(json);
            continue;
        }
        if (k == KEY_F(6)) {
            struct till_cashier by;
            if (approved_by_manager(u, &by) && close_shift(u))
                return;
            continue;
        }
        if (k == KEY_F(7)) {
            char id[16] = "", why[300];
            if (ask(8, "Reprint receipt of sale:", id, sizeof(id), 0) == '\n')
                say(u,
                    till_reprint(u->t, strtoll(id, NULL, 10), why, sizeof(why)) == RU_OK ? TONE_GOOD
                                                                                         : TONE_BAD,
                    why[0] ? why : "Receipt printed.");
            continue;
        }
        if (k == KEY_F(8)) {
            unsigned long sent = 0, left = 0;
            char m[120];
            if (u->pw)
                printworker_kick(u->pw, 1);
            if (till_sync(u->t, 1, &sent, &left) == RU_OK)
                snprintf(m, sizeof(m), "Sent %lu; %lu still waiting for the issuer.", sent, left);
            else
                snprintf(m, sizeof(m), "The journal cannot be read. Call support.");
            say(u, left ? TONE_BAD : TONE_GOOD, m);
            continue;
        }
        if (k != '\n')
            continue;
        struct scan s;
        scan_read(line, strlen(line), &s);
        if (s.kind == SCAN_NOTHING) {
            if (u->has_item)
                pay(u, 0);
            else
                say(u, TONE_INFO, "Nothing to pay: scan a card first.");
            continue;
        }
        if (s.kind == SCAN_BAD) {
            char m[200];
            snprintf(m, sizeof(m), "That is not a card: %s. Scan it again.", s.why);
            say(u, TONE_BAD, m);
            continue;
        }
        const char *serial = s.kind == SCAN_SERIAL ? s.serial : NULL;
        if (u->has_item && serial && !strcmp(serial, u->serial)) {
            say(u, TONE_INFO, "That card is in the sale already.");
            continue;
        }
        if (u->has_item) {
            say(u, TONE_BAD, "One card a sale: pay for this one, or clear it with Esc.");
            continue;
        }
        char why[300] = "";
        struct pos_plan p;
        mvprintw(8, 1, "Looking the card up ...");
        refresh();
        if (till_quote(u->t, serial, serial ? NULL : s.word, u->shift.training, &p, why, sizeof(why)) !=
            RU_OK) {
            say(u, TONE_BAD, why);
            continue;
        }
        u->has_item = 1;
        u->plan = p;
        snprintf(u->serial, sizeof(u->serial), "%s", serial ? serial : "");
        say(u, TONE_INFO, "Card added.");
    }
}

int ui_run(struct till *t, const struct pos_config *cfg, struct printworker *pw)
{
    struct ui u = {.t = t, .cfg = cfg, .pw = pw};
    setlocale(LC_ALL, "");
    if (!initscr())
        return 1;
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    till_issuer_reachable(t);
    while (signin(&u)) {
        if (open_shift(&u))
            sale_screen(&u);
        u.who = (struct till_cashier){0};
        u.has_shift = 0;
        u.has_item = 0;
    }
    endwin();
    return 0;
}
