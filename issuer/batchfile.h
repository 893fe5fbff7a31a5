/*
 * issuer/batchfile.h - the batch file `serial,pin,plan,batch` that card printing reads.
 * It is the one plain copy of the PINs: written as a new file with mode 0600 under a
 * temporary name, synced and renamed into place just before the ledger commits, so a
 * committed batch always has its file.
 */
#ifndef REUP_ISSUER_BATCHFILE_H
#define REUP_ISSUER_BATCHFILE_H
#include "common/status.h"

struct batchfile;

/* Start PATH (written as PATH.tmp until batchfile_finish). RU_ERR_EXISTS when PATH or
 * PATH.tmp exists (a batch file is never overwritten), RU_ERR_IO. */
enum ru_status batchfile_open(const char *path, struct batchfile **out) RU_WARN_UNUSED;

/* One row; the signature fits ledger_card_fn. RU_ERR_IO. */
enum ru_status batchfile_row(void *bf, const char *serial, const char *pin, const char *plan,
                             const char *batch) RU_WARN_UNUSED;

/* Flush, sync and rename into place; the signature fits ledger_done_fn, so this runs
 * before the ledger commits and a failure rolls the batch back. RU_ERR_IO. */
enum ru_status batchfile_finish(void *bf) RU_WARN_UNUSED;

/* The ledger did not commit after all: remove the file again. */
void batchfile_discard(struct batchfile *bf);

/* Remove the temporary file unless finished, and free. NULL does nothing. */
void batchfile_free(struct batchfile *bf);

#endif
