/*
 * pos/scan.h - what a barcode scanner (or a cashier) typed on the sale screen: a card's
 * serial, a plan code for an on-demand card, or nothing usable. Scanners type the digits
 * and Enter; people add spaces and dashes; some scanners add a prefix symbol identifier
 * (]C0 for Code 128) or a carriage return.
 */
#ifndef REUP_POS_SCAN_H
#define REUP_POS_SCAN_H
#include <stddef.h>
#include "common/cardnum.h"

enum scan_kind {
    SCAN_NOTHING, /* empty, or only blanks */
    SCAN_SERIAL,  /* a serial with a good Luhn digit, in SERIAL */
    SCAN_BAD,     /* digits that are no serial: WHY says why */
    SCAN_WORD     /* something else (a plan code, a command): in WORD */
};

struct scan {
    enum scan_kind kind;
    char serial[CARD_DIGITS + 1];
    char word[33];
    const char *why; /* static */
};

/* Read LEN bytes of LINE (not necessarily NUL-terminated). Cannot fail. */
void scan_read(const char *line, size_t len, struct scan *out);
#endif
