/*
 * db/backup.h - a copy of an SQLite database taken while others write to it, and putting
 * one back.
 *
 * A backup is an SQLite file of its own: the database's pages as SQLite's online backup
 * API copied them (one consistent snapshot, while the owner keeps committing in WAL
 * mode), plus a table backup_manifest(name, value) that says which program made it
 * ('program') and holds what else the program needs to use the copy again (a key). A
 * file without that table, or with another program's name, is not taken back.
 */
#ifndef REUP_DB_BACKUP_H
#define REUP_DB_BACKUP_H
#include <stddef.h>
#include "common/status.h"

/* One manifest row. */
struct db_backup_item {
    const char *name;
    const void *value;
    size_t len;
};

/* Copy the database SRC into the new file OUT, mode 0600: written under a temporary name
 * in OUT's folder, made a single file (no -wal), the manifest added (PROGRAM and the N
 * ITEMS), fsynced, renamed to OUT and the folder fsynced, so that OUT is whole or not
 * there. RU_ERR_EXISTS: OUT exists (nothing written); RU_ERR_NOT_FOUND: no SRC; RU_ERR_DB,
 * RU_ERR_IO. ERR says why. */
enum ru_status db_backup_write(const char *src, const char *out, const char *program,
                               const struct db_backup_item *items, size_t n, char *err,
                               size_t errlen) RU_WARN_UNUSED;

struct db_backup;

/* Check the backup FROM and make a private copy of it in folder DIR (next to the database
 * it is to replace, so that the rename is atomic): an SQLite file whose integrity_check
 * passes and whose manifest names PROGRAM. The manifest is read into memory and taken
 * out of the copy (its pages zeroed), so the copy is the database as it was.
 * RU_ERR_INVALID (not an SQLite file, truncated or corrupt, not a backup, another
 * program's: ERR says which), RU_ERR_NOT_FOUND (no FROM), RU_ERR_IO, RU_ERR_DB. *out is
 * NULL on failure. */
enum ru_status db_backup_open(const char *from, const char *program, const char *dir, struct db_backup **out,
                              char *err, size_t errlen) RU_WARN_UNUSED;

/* The copy's file, for the caller's own checks before it is installed. Borrowed. */
const char *db_backup_path(const struct db_backup *b);

/* The manifest's value NAME: borrowed, *len its size. NULL when there is none. */
const void *db_backup_item(const struct db_backup *b, const char *name, size_t *len);

/* Put the copy in place of the database DEST (a folder's lock taken exclusively by the
 * caller: nobody has DEST open): the copy in WAL mode, fsynced; DEST's -wal and -shm
 * folded in and removed (else SQLite would apply the old WAL to the new file); the copy
 * renamed to DEST; the folder fsynced. The copy is then gone. RU_ERR_IO, RU_ERR_DB. */
enum ru_status db_backup_install(struct db_backup *b, const char *dest, char *err,
                                 size_t errlen) RU_WARN_UNUSED;

/* Remove the copy (unless installed), wipe the manifest's values and free. NULL does
 * nothing. */
void db_backup_free(struct db_backup *b);

/* fsync the folder DIR, so that a rename or a new file in it survives a crash. */
enum ru_status db_backup_sync_dir(const char *dir) RU_WARN_UNUSED;

#endif
