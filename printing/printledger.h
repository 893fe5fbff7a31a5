/*
 * printing/printledger.h - the print ledger (SQLite via db/): for every card of every
 * batch seen, whether it is waiting, in a job, printed, failed, or possibly printed;
 * and our own print jobs. Serials only, never PINs. Schema: schema/0001-print-ledger.sql.
 */
#ifndef REUP_PRINTING_PRINTLEDGER_H
#define REUP_PRINTING_PRINTLEDGER_H
#include <stddef.h>
#include "common/cardnum.h"
#include "common/status.h"

struct printledger;

enum printledger_status {
    PRINTLEDGER_PENDING,
    PRINTLEDGER_QUEUED,
    PRINTLEDGER_PRINTED,
    PRINTLEDGER_FAILED,
    PRINTLEDGER_POSSIBLY_PRINTED,
    PRINTLEDGER_STATUSES
};

/* "pending", "queued", "printed", "failed", "possibly_printed". Cannot fail. */
const char *printledger_status_name(enum printledger_status s);

/* Open (creating it and its schema) the ledger at PATH. The handle is set even on
 * failure, for printledger_errmsg(); free it either way. RU_ERR_DB, RU_ERR_SCHEMA. */
enum ru_status printledger_open(const char *path, struct printledger **out) RU_WARN_UNUSED;
const char *printledger_errmsg(const struct printledger *lg);
void printledger_free(struct printledger *lg);

/* Record cards of BATCH: begin, add each (known serials are left as they are), commit.
 * RU_ERR_EXISTS from add when SERIAL is known under another batch. */
enum ru_status printledger_begin(struct printledger *lg) RU_WARN_UNUSED;
enum ru_status printledger_add(struct printledger *lg, const char *serial, const char *batch,
                               unsigned long seq) RU_WARN_UNUSED;
enum ru_status printledger_commit(struct printledger *lg) RU_WARN_UNUSED;
void printledger_rollback(struct printledger *lg);

/* Jobs of BATCH that a run left unfinished (it was killed while sending or waiting):
 * they become 'unknown' and their cards possibly printed. *CARDS counts them. */
enum ru_status printledger_settle(struct printledger *lg, const char *batch,
                                  unsigned long *cards) RU_WARN_UNUSED;

/* The status of SERIAL; RU_ERR_NOT_FOUND when the ledger does not know it. */
enum ru_status printledger_card(struct printledger *lg, const char *serial, enum printledger_status *status,
                                long long *job) RU_WARN_UNUSED;

/* How many cards of BATCH are in each status. */
enum ru_status printledger_counts(struct printledger *lg, const char *batch,
                                  unsigned long counts[PRINTLEDGER_STATUSES]) RU_WARN_UNUSED;

/* Call FN for each card of BATCH in STATUS, in batch order. */
enum ru_status printledger_each(struct printledger *lg, const char *batch, enum printledger_status status,
                                void (*fn)(void *ctx, const char *serial, long long job),
                                void *ctx) RU_WARN_UNUSED;

/* A new job of BATCH to PRINTER on SERVER holding the N SERIALS: the job 'sending', its
 * cards 'queued' in it, in one transaction, before anything goes to the server. */
enum ru_status printledger_job_start(struct printledger *lg, const char *batch, const char *printer,
                                     const char *server, const char (*serials)[CARD_DIGITS + 1], size_t n,
                                     long long *job) RU_WARN_UNUSED;

/* The server took the job as CUPS job CUPS_JOB. */
enum ru_status printledger_job_queued(struct printledger *lg, long long job, int cups_job) RU_WARN_UNUSED;

enum printledger_end {
    PRINTLEDGER_JOB_COMPLETED, /* its cards printed */
    PRINTLEDGER_JOB_FAILED,    /* nothing of it printed: its cards go out again on --resume */
    PRINTLEDGER_JOB_UNKNOWN    /* may have printed: its cards possibly printed */
};

/* The job ended as END; MESSAGE (may be NULL) says how, in words. */
enum ru_status printledger_job_end(struct printledger *lg, long long job, enum printledger_end end,
                                   const char *message) RU_WARN_UNUSED;
#endif
