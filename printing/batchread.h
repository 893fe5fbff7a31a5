/*
 * printing/batchread.h - reading the issuer's batch file (`serial,pin,plan,batch`)
 * as a stream, one checked row at a time: the Luhn digit of the serial, the Damm digit
 * of the PIN, the form of the plan and batch codes. Rows are not kept.
 */
#ifndef REUP_PRINTING_BATCHREAD_H
#define REUP_PRINTING_BATCHREAD_H
#include <stddef.h>
#include "common/cardnum.h"
#include "common/status.h"

#define BATCHREAD_CODE_MAX 32
#define BATCHREAD_HEADER   "serial,pin,plan,batch"

struct batchrow {
    char serial[CARD_DIGITS + 1];
    char pin[CARD_DIGITS + 1];
    char plan[BATCHREAD_CODE_MAX + 1];
    char batch[BATCHREAD_CODE_MAX + 1];
};

struct batchread;

/* Open PATH and check its header line. RU_ERR_NOT_FOUND, RU_ERR_IO, RU_ERR_INVALID (not
 * a batch file); ERR says which. */
enum ru_status batchread_open(const char *path, struct batchread **out, char *err,
                              size_t errlen) RU_WARN_UNUSED;

/* The next row. RU_OK; RU_ERR_INVALID for a bad row, with the reason in ERR (read on,
 * the next call gives the next row); RU_ERR_NOT_FOUND at the end; RU_ERR_IO. */
enum ru_status batchread_next(struct batchread *b, struct batchrow *row, char *err,
                              size_t errlen) RU_WARN_UNUSED;

/* The line number of the row last returned. Cannot fail. */
unsigned long batchread_line(const struct batchread *b);

/* Free B. Cannot fail. */
void batchread_free(struct batchread *b);

/* Parse one line (no newline). RU_ERR_INVALID with a static reason in *why. */
enum ru_status batchread_parse_line(const char *line, size_t len, struct batchrow *row,
                                    const char **why) RU_WARN_UNUSED;
#endif
