/*
 * common/privatefile.h - files and folders only their owner may touch: terminal secrets,
 * keys, ledgers and journals. Checked the way ssh checks its keys, before the program
 * relies on what they hold.
 */
#ifndef REUP_COMMON_PRIVATEFILE_H
#define REUP_COMMON_PRIVATEFILE_H
#include <stddef.h>
#include "common/status.h"

enum privatefile_flags {
    PRIVATEFILE_MISSING_OK = (1 << 0), /* a file that does not exist passes (a journal's -wal) */
    PRIVATEFILE_WRITE_ONLY = (1 << 1), /* refuse only group or other write bits (a configuration) */
};

/* Check that PATH (a regular file or a folder) is not open to group or others: no bit of
 * 077 set, or with PRIVATEFILE_WRITE_ONLY none of 022. Symbolic links are followed, so the
 * file actually read is the one checked. RU_OK; RU_ERR_INVALID when the mode is too open,
 * with ERR naming the file, its mode and the chmod that fixes it; RU_ERR_NOT_FOUND or
 * RU_ERR_IO when it cannot be examined (ERR says why). */
enum ru_status privatefile_check(const char *path, enum privatefile_flags flags, char *err,
                                 size_t errlen) RU_WARN_UNUSED;

/* privatefile_check on an SQLite database and its -wal and -shm files, which hold the
 * same rows. */
enum ru_status privatefile_check_db(const char *path, char *err, size_t errlen) RU_WARN_UNUSED;

#endif
