/*
 * db/uselock.h - who uses the SQLite database of a folder, so that restore never replaces
 * one a program has open.
 *
 * Every program that opens the database holds a shared flock(2) of the folder it lives
 * in for as long as it has it open; restore takes the lock exclusively, without waiting,
 * before it renames a copy into place. The folder is locked rather than the file: a
 * rename swaps the file, the folder stays, and SQLite's own (fcntl) locks on the file are
 * left alone. The lock goes with the process: a program killed with SIGKILL leaves none.
 */
#ifndef REUP_DB_USELOCK_H
#define REUP_DB_USELOCK_H
#include <stddef.h>
#include "common/status.h"

/* Lock folder DIR, shared (a user) or EXCLUSIVE (restore), without waiting; *FD gets the
 * lock's descriptor for uselock_release() (-1 when a shared lock could not be taken on a
 * folder its user may not read: then it goes without). RU_ERR_DECLINED when the other kind is held
 * (ERR says by whom: a user, or a restore); RU_ERR_NOT_FOUND, RU_ERR_IO. */
enum ru_status uselock_take(const char *dir, int exclusive, int *fd, char *err, size_t errlen) RU_WARN_UNUSED;

/* Shared, on the folder that holds database file PATH. */
enum ru_status uselock_take_file(const char *path, int *fd, char *err, size_t errlen) RU_WARN_UNUSED;

/* Let go; -1 does nothing. */
void uselock_release(int fd);

#endif
