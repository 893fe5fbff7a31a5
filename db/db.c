/* db/db.c - opening SQLite, migrations and error messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "db/db.h"
#include "common/banned.h"

struct db {
    sqlite3 *conn;
    char *path;
    char err[1024];
};

sqlite3 *db_sqlite(struct db *db)
{
    return db->conn;
}

const char *db_path(const struct db *db)
{
    return db->path;
}

const char *db_errmsg(const struct db *db)
{
    return db->err;
}

enum ru_status db_fail(struct db *db, const char *what)
{
    const char *msg = db->conn ? sqlite3_errmsg(db->conn) : "cannot open";
    if (what && *what)
        snprintf(db->err, sizeof(db->err), "%s: %s: %s", db->path, what, msg);
    else
        snprintf(db->err, sizeof(db->err), "%s: %s", db->path, msg);
    return RU_ERR_DB;
}

enum ru_status db_prepare(struct db *db, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(db->conn, sql, -1, out, NULL) != SQLITE_OK)
        return db_fail(db, "preparing a statement");
    return RU_OK;
}

enum ru_status db_exec(struct db *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(db->err, sizeof(db->err), "%s: %s", db->path, msg ? msg : "error");
        sqlite3_free(msg);
        return RU_ERR_DB;
    }
    return RU_OK;
}

enum ru_status db_begin(struct db *db)
{
    return db_exec(db, "BEGIN IMMEDIATE");
}

enum ru_status db_commit(struct db *db)
{
    return db_exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(db->conn))
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

int db_schema_version(struct db *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Apply the migrations the file has not seen yet, each in its own transaction, so a
 * crash leaves the schema at some whole version. */
static enum ru_status migrate(struct db *db, const char *const *migrations, int readonly)
{
    int have = db_schema_version(db);
    int want = 0;
    if (have < 0)
        return db_fail(db, "reading the schema version");
    while (migrations && migrations[want])
        want++;
    if (have > want) {
        snprintf(db->err, sizeof(db->err),
                 "%s: schema version %d is newer than this program knows (%d); "
                 "use a newer program",
                 db->path, have, want);
        return RU_ERR_SCHEMA;
    }
    if (have == want)
        return RU_OK;
    if (readonly) {
        snprintf(db->err, sizeof(db->err),
                 "%s: schema version %d is older than this program needs (%d); "
                 "re-run the import to upgrade it",
                 db->path, have, want);
        return RU_ERR_SCHEMA;
    }
    for (int v = have; v < want; v++) {
        char bump[64];
        enum ru_status st = db_begin(db);
        if (st != RU_OK)
            return st;
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
        if ((st = db_exec(db, migrations[v])) != RU_OK || (st = db_exec(db, bump)) != RU_OK) {
            db_rollback(db);
            return st;
        }
        if ((st = db_commit(db)) != RU_OK) {
            db_rollback(db);
            return st;
        }
    }
    return RU_OK;
}

enum ru_status db_migrate(struct db *db, const char *const *migrations)
{
    return migrate(db, migrations, 0);
}

enum ru_status db_open(const char *path, enum db_flags flags, const char *const *migrations, struct db **out)
{
    enum ru_status st = RU_OK;
    struct db *db = calloc(1, sizeof(*db));
    if (!db)
        return RU_ERR_NOMEM;
    db->path = strdup(path);
    if (!db->path) {
        free(db);
        return RU_ERR_NOMEM;
    }

    /* SQLite would happily create a file on a read-only open of a missing path in some
     * modes; say "not found" plainly instead. */
    struct stat sb;
    if (!(flags & DB_CREATE) && stat(path, &sb) != 0) {
        snprintf(db->err, sizeof(db->err), "%s: %s", path, strerror(errno));
        st = errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
        goto out;
    }

    int oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->conn, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        st = db_fail(db, "opening");
        goto out;
    }
    sqlite3_extended_result_codes(db->conn, 1);
    sqlite3_busy_timeout(db->conn, 5000);

    /* A file that is not a database fails here, on the first read, with a clear message. */
    if ((st = db_exec(db, "PRAGMA foreign_keys = ON")) != RU_OK)
        goto out;
    /* Readers map the file: large blobs (spatial index boxes) then cost a memcpy instead
     * of one pread per page. */
    if ((flags & DB_READONLY) && (st = db_exec(db, "PRAGMA mmap_size = 1073741824")) != RU_OK)
        goto out;
    if (!(flags & DB_READONLY)) {
        if ((st = db_exec(db, "PRAGMA journal_mode = WAL")) != RU_OK)
            goto out;
        if ((st = db_exec(db, (flags & DB_SYNC_FULL) ? "PRAGMA synchronous = FULL"
                                                     : "PRAGMA synchronous = NORMAL")) != RU_OK)
            goto out;
    }
    if (!(flags & DB_NO_MIGRATE) && (st = migrate(db, migrations, flags & DB_READONLY)) != RU_OK)
        goto out;
out:
    /* Like sqlite3_open(), the handle is returned even on failure: it carries the message. */
    *out = db;
    return st;
}

void db_free(struct db *db)
{
    if (!db)
        return;
    sqlite3_close_v2(db->conn);
    free(db->path);
    free(db);
}
