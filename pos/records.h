/*
 * pos/records.h - what the journal keeps, as the till's callers see it: the states of a
 * sale, a shift, a plan of the catalog. The journal (pos/journal.h) stores them; the views
 * (ui.c, cmd_*.c) get them from the till (pos/till.h) alone.
 */
#ifndef REUP_POS_RECORDS_H
#define REUP_POS_RECORDS_H

enum pos_sale_state {
    SALE_SENDING,
    SALE_APPROVED,
    SALE_DECLINED,
    SALE_REVERSAL_PENDING,
    SALE_REVERSED,
    SALE_VOID_PENDING,
    SALE_VOIDED,
    SALE_STATES
};

/* "sending", "approved", ... Cannot fail. */
const char *pos_sale_state_name(enum pos_sale_state s);

struct pos_shift {
    long long id;
    char cashier[33];
    int training;
    long long float_cents;
    char opened_at[24];
};

struct pos_plan {
    char code[17];
    int months;
    long long price_cents;
    char currency[4];
};
#endif
