/*
 * pos/printworker.h - the receipts printed behind the counter's screen. One thread with a
 * till of its own (till_open_local: its own journal connection) prints the outbox's
 * receipts when told, so the screen shows a sale's answer at once and takes the next keys
 * while a slow or stopped printer works or waits. What it has not printed waits in the
 * outbox, as every receipt does, for the next try or `reup-pos sync`.
 */
#ifndef REUP_POS_PRINTWORKER_H
#define REUP_POS_PRINTWORKER_H
#include <stddef.h>
#include "common/status.h"
#include "pos/config.h"

struct printworker;

/* Start the thread on CFG (copied). RU_ERR_NOMEM, RU_ERR_INVALID or RU_ERR_DB (ERR says
 * why: as till_open_local), RU_ERR_IO (no thread). */
enum ru_status printworker_start(const struct pos_config *cfg, struct printworker **out, char *err,
                                 size_t errlen) RU_WARN_UNUSED;

/* Print what is due now (all that waits when FORCE) as soon as the thread is free.
 * Returns at once. */
void printworker_kick(struct printworker *w, int force);

/* Why the last receipt did not print, into OUT ("" when the last one printed, or while
 * none was tried); 1 while a receipt is being printed. */
int printworker_state(struct printworker *w, char *out, size_t outlen);

/* Finish the receipt being printed (a CUPS job is followed to its end, not abandoned), end
 * the thread, free W. NULL does nothing. */
void printworker_stop(struct printworker *w);
#endif
