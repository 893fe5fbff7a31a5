/*
 * db/db.h - the one way every part of Re-Up opens SQLite.
 *
 * A database is opened in WAL mode with foreign keys on and a busy timeout, brought up
 * to date by numbered migrations (PRAGMA user_version), and reports errors as
 * "FILE: SQLite message" so a message always says which database failed.
 */
#ifndef REUP_DB_DB_H
#define REUP_DB_DB_H
#include <sqlite3.h>
#include "common/status.h"

struct db;

enum db_flags {
    DB_READONLY = 1 << 0,  /* open an existing database for reading only */
    DB_CREATE = 1 << 1,    /* create the file if it does not exist */
    DB_SYNC_FULL = 1 << 2, /* synchronous=FULL: a commit is on disk when it returns */
    DB_NO_MIGRATE = 1 << 3 /* leave the schema as it is: the caller checks db_schema_version()
                            * and runs db_migrate() when it decides to */
};

/* Migrations are a NULL-terminated array of SQL scripts; script i (0-based) brings the
 * schema from user_version i to i+1. Each runs in its own transaction.
 * Like sqlite3_open(), *out is set even on failure (except RU_ERR_NOMEM, which leaves it
 * untouched) so that db_errmsg() can say why; the caller db_free()s it either way.
 * RU_ERR_NOT_FOUND: no such file and no DB_CREATE. RU_ERR_SCHEMA: written by a newer
 * program, or (read-only) needs migrations it cannot apply. */
enum ru_status db_open(const char *path, enum db_flags flags, const char *const *migrations,
                       struct db **out) RU_WARN_UNUSED;

/* Closes the database; db_free(NULL) does nothing. */
void db_free(struct db *db);

/* The connection, borrowed, for sqlite3_* calls on prepared statements. */
sqlite3 *db_sqlite(struct db *db);
/* The file name given to db_open(). Borrowed. */
const char *db_path(const struct db *db);

/* "PATH: message" for the last failure on this handle. Borrowed; valid until the next
 * call on the handle. Never NULL. */
const char *db_errmsg(const struct db *db);

/* Record a failure of this handle with SQLite's current message and return RU_ERR_DB.
 * For callers that step statements themselves. */
enum ru_status db_fail(struct db *db, const char *what);

/* Prepare one statement; RU_ERR_DB with db_errmsg() set on failure. The statement is the
 * caller's to sqlite3_finalize(). */
enum ru_status db_prepare(struct db *db, const char *sql, sqlite3_stmt **out) RU_WARN_UNUSED;

/* Run SQL that returns no rows (several statements allowed). Use only for fixed SQL:
 * values always go through prepared statements. */
enum ru_status db_exec(struct db *db, const char *sql) RU_WARN_UNUSED;

/* Transactions. db_begin() takes the write lock at once (BEGIN IMMEDIATE). */
enum ru_status db_begin(struct db *db) RU_WARN_UNUSED;
enum ru_status db_commit(struct db *db) RU_WARN_UNUSED;
/* Roll back if a transaction is open; cannot fail in a way a caller can act on. */
void db_rollback(struct db *db);

/* Schema version (user_version) after migrations; -1 when it cannot be read. */
int db_schema_version(struct db *db);

/* Apply the migrations the database has not seen yet (as db_open() does without
 * DB_NO_MIGRATE). RU_ERR_SCHEMA when it was written by a newer program. */
enum ru_status db_migrate(struct db *db, const char *const *migrations) RU_WARN_UNUSED;

#endif
