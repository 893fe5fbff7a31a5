/*
 * pos/ui.h - the full-screen terminal at the counter (ncurses), keyboard only: sign in,
 * open the shift, scan and sell, void, reprint, X and Z reports. Every screen shows what
 * the keys do; errors say in plain words what happened and what to do next.
 */
#ifndef REUP_POS_UI_H
#define REUP_POS_UI_H
#include "pos/config.h"
#include "pos/printworker.h"
#include "pos/till.h"

/* Run until the cashier quits (F10 on the sign-in screen). PW prints the receipts of the
 * sales and voids behind the screen (NULL: no receipt printer). Returns 0, or 1 when the
 * terminal cannot be used. */
int ui_run(struct till *t, const struct pos_config *cfg, struct printworker *pw);
#endif
