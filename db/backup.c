/* db/backup.c - online copies of an SQLite database with a manifest, and putting one back. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "db/backup.h"
#include "common/wipe.h"
#include "common/banned.h"

#define ITEMS_MAX 16

struct db_backup {
    char path[4200];
    int installed;
    size_t n;
    char *names[ITEMS_MAX];
    unsigned char *values[ITEMS_MAX];
    size_t lens[ITEMS_MAX];
};

static enum ru_status sqlite_fail(sqlite3 *c, const char *path, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s: %s", path, what, c ? sqlite3_errmsg(c) : "out of memory");
    return RU_ERR_DB;
}

enum ru_status db_backup_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return RU_ERR_IO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? RU_OK : RU_ERR_IO;
}

static enum ru_status sync_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot sync '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return RU_ERR_IO;
    }
    close(fd);
    return RU_OK;
}

/* The folder of PATH into BUF. */
static const char *folder_of(const char *path, char *buf, size_t len)
{
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", path);
    /* dirname() may return a string of its own ("."): copied back into BUF */
    snprintf(buf, len, "%s", dirname(copy));
    return buf;
}

/* A new empty file, mode 0600, named after NEAR in the folder DIR: its name into PATH. */
static enum ru_status temp_file(const char *dir, const char *tag, char *path, size_t len, char *err,
                                size_t errlen)
{
    if ((size_t)snprintf(path, len, "%s/.%s.tmp-XXXXXX", dir, tag) >= len) {
        snprintf(err, errlen, "the path '%.200s' is too long", dir);
        return RU_ERR_INVALID;
    }
    int fd = mkstemp(path);
    if (fd < 0 || fchmod(fd, 0600) != 0) {
        snprintf(err, errlen, "cannot create a file in '%s': %s", dir, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return RU_ERR_IO;
    }
    close(fd);
    return RU_OK;
}

/* Every page of SRC into the open DST in one step: one read transaction on SRC, a
 * snapshot that WAL writers go on committing beside. */
static enum ru_status copy_pages(sqlite3 *src, const char *src_path, sqlite3 *dst, char *err, size_t errlen)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        return sqlite_fail(dst, src_path, "copying", err, errlen);
    int step = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "%s: %s", src_path, sqlite3_errstr(step));
        return (step & 0xff) == SQLITE_NOTADB || (step & 0xff) == SQLITE_CORRUPT ? RU_ERR_INVALID : RU_ERR_DB;
    }
    return RU_OK;
}

static enum ru_status exec(sqlite3 *c, const char *path, const char *sql, char *err, size_t errlen)
{
    if (sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sqlite_fail(c, path, sql, err, errlen);
    return RU_OK;
}

static enum ru_status add_manifest(sqlite3 *c, const char *path, const char *program,
                                   const struct db_backup_item *items, size_t n, char *err, size_t errlen)
{
    enum ru_status rc = exec(
        c, path, "CREATE TABLE backup_manifest (name TEXT PRIMARY KEY, value BLOB NOT NULL)", err, errlen);
    sqlite3_stmt *st = NULL;
    if (rc == RU_OK && sqlite3_prepare_v2(c, "INSERT INTO backup_manifest (name, value) VALUES (?, ?)", -1,
                                          &st, NULL) != SQLITE_OK)
        rc = sqlite_fail(c, path, "writing the manifest", err, errlen);
    for (size_t i = 0; rc == RU_OK && i <= n; i++) {
        const char *name = i == 0 ? "program" : items[i - 1].name;
        const void *value = i == 0 ? program : items[i - 1].value;
        size_t len = i == 0 ? strlen(program) : items[i - 1].len;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sqlite_fail(c, path, "writing the manifest", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

enum ru_status db_backup_write(const char *src, const char *out, const char *program,
                               const struct db_backup_item *items, size_t n, char *err, size_t errlen)
{
    char dir[4096], tmp[4200];
    struct stat sb;
    if (lstat(out, &sb) == 0) {
        snprintf(err, errlen, "'%s' exists already: choose another name (a backup never overwrites a file)",
                 out);
        return RU_ERR_EXISTS;
    }
    if (stat(src, &sb) != 0) {
        snprintf(err, errlen, "cannot read '%s': %s", src, strerror(errno));
        return errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
    }
    enum ru_status rc = temp_file(folder_of(out, dir, sizeof(dir)), "backup", tmp, sizeof(tmp), err, errlen);
    if (rc != RU_OK)
        return rc;
    sqlite3 *s = NULL, *d = NULL;
    if (sqlite3_open_v2(src, &s, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        rc = sqlite_fail(s, src, "opening", err, errlen);
    else if (sqlite3_open_v2(tmp, &d, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        rc = sqlite_fail(d, tmp, "opening", err, errlen);
    if (rc == RU_OK) {
        sqlite3_busy_timeout(s, 10000);
        sqlite3_busy_timeout(d, 10000);
        rc = copy_pages(s, src, d, err, errlen);
    }
    /* one file, nothing beside it: a copy that is moved around stays whole */
    if (rc == RU_OK)
        rc = exec(d, tmp, "PRAGMA journal_mode = DELETE", err, errlen);
    if (rc == RU_OK)
        rc = add_manifest(d, tmp, program, items, n, err, errlen);
    sqlite3_close_v2(s);
    if (d && sqlite3_close(d) != SQLITE_OK && rc == RU_OK)
        rc = sqlite_fail(d, tmp, "closing", err, errlen);
    if (rc == RU_OK)
        rc = sync_file(tmp, err, errlen);
    /* link(2), not rename(2): a file that appeared at OUT meanwhile is not overwritten */
    if (rc == RU_OK && link(tmp, out) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", out, strerror(errno));
        rc = errno == EEXIST ? RU_ERR_EXISTS : RU_ERR_IO;
    }
    unlink(tmp);
    if (rc == RU_OK && db_backup_sync_dir(dir) != RU_OK) {
        snprintf(err, errlen, "cannot sync the folder '%s': %s", dir, strerror(errno));
        rc = RU_ERR_IO;
    }
    return rc;
}

/* The manifest of the copy C into B, then out of the copy with its pages zeroed. */
static enum ru_status take_manifest(sqlite3 *c, struct db_backup *b, const char *from, const char *program,
                                    char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c, "SELECT name, value FROM backup_manifest", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen,
                 "'%s' is not a backup made by %s backup (an SQLite database without a manifest: another "
                 "program's file, or a database copied by hand); nothing done",
                 from, program);
        return RU_ERR_INVALID;
    }
    enum ru_status rc = RU_OK;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && b->n < ITEMS_MAX) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        const void *value = sqlite3_column_blob(st, 1);
        b->names[b->n] = strdup(name ? name : "");
        b->values[b->n] = malloc(len + 1);
        if (!b->names[b->n] || !b->values[b->n]) {
            free(b->names[b->n]);
            free(b->values[b->n]);
            rc = RU_ERR_NOMEM;
            break;
        }
        if (len)
            memcpy(b->values[b->n], value, len);
        b->values[b->n][len] = '\0';
        b->lens[b->n++] = len;
    }
    if (rc == RU_OK && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sqlite_fail(c, from, "reading the manifest", err, errlen);
    sqlite3_finalize(st);
    if (rc != RU_OK)
        return rc;
    size_t len = 0;
    const char *who = db_backup_item(b, "program", &len);
    if (!who || len != strlen(program) || memcmp(who, program, len) != 0) {
        snprintf(err, errlen, "'%s' is a backup made by %.40s, not by %s: nothing done", from,
                 who ? who : "an unknown program", program);
        return RU_ERR_INVALID;
    }
    return exec(c, from, "PRAGMA secure_delete = ON; DROP TABLE backup_manifest", err, errlen);
}

/* PRAGMA integrity_check of C: RU_ERR_INVALID with its first complaint. */
static enum ru_status integrity(sqlite3 *c, const char *from, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = RU_OK;
    if (sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
        rc = RU_ERR_INVALID;
    else if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        const char *why =
            sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : sqlite3_errmsg(c);
        snprintf(err, errlen, "'%s' is damaged (truncated or corrupt): %.300s; nothing done", from, why);
        rc = RU_ERR_INVALID;
    }
    if (rc == RU_ERR_INVALID && !st)
        snprintf(err, errlen, "'%s' is damaged (truncated or corrupt): %.300s; nothing done", from,
                 sqlite3_errmsg(c));
    sqlite3_finalize(st);
    return rc;
}

enum ru_status db_backup_open(const char *from, const char *program, const char *dir, struct db_backup **out,
                              char *err, size_t errlen)
{
    *out = NULL;
    struct stat sb;
    if (stat(from, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "cannot read '%s': %s", from, errno ? strerror(errno) : "not a file");
        return errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_INVALID;
    }
    struct db_backup *b = calloc(1, sizeof(*b));
    if (!b)
        return RU_ERR_NOMEM;
    enum ru_status rc = temp_file(dir, "restore", b->path, sizeof(b->path), err, errlen);
    if (rc != RU_OK) {
        free(b);
        return rc;
    }
    sqlite3 *s = NULL, *d = NULL;
    if (sqlite3_open_v2(from, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        rc = sqlite_fail(s, from, "opening", err, errlen);
    else if (sqlite3_open_v2(b->path, &d, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        rc = sqlite_fail(d, b->path, "opening", err, errlen);
    if (rc == RU_OK && (rc = copy_pages(s, from, d, err, errlen)) == RU_ERR_INVALID)
        snprintf(err, errlen,
                 "'%s' is not an SQLite database, or a damaged one (truncated or corrupt): nothing done",
                 from);
    if (rc == RU_OK)
        rc = integrity(d, from, err, errlen);
    if (rc == RU_OK)
        rc = take_manifest(d, b, from, program, err, errlen);
    sqlite3_close_v2(s);
    sqlite3_close_v2(d);
    if (rc != RU_OK) {
        db_backup_free(b);
        return rc;
    }
    *out = b;
    return RU_OK;
}

const char *db_backup_path(const struct db_backup *b)
{
    return b->path;
}

const void *db_backup_item(const struct db_backup *b, const char *name, size_t *len)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->names[i], name)) {
            *len = b->lens[i];
            return b->values[i];
        }
    return NULL;
}

/* Fold DEST's WAL into it and remove the WAL and its index: nothing of the old file may
 * meet the new one. */
static enum ru_status retire(const char *dest, char *err, size_t errlen)
{
    char side[4200];
    struct stat sb;
    if (stat(dest, &sb) == 0) {
        sqlite3 *c = NULL;
        enum ru_status rc = RU_OK;
        if (sqlite3_open_v2(dest, &c, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            rc = sqlite_fail(c, dest, "opening", err, errlen);
        else
            rc = exec(c, dest, "PRAGMA wal_checkpoint(TRUNCATE)", err, errlen);
        sqlite3_close_v2(c);
        if (rc != RU_OK)
            return rc;
    }
    for (int i = 0; i < 2; i++) {
        snprintf(side, sizeof(side), "%s%s", dest, i ? "-shm" : "-wal");
        if (unlink(side) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot remove '%s': %s", side, strerror(errno));
            return RU_ERR_IO;
        }
    }
    return RU_OK;
}

enum ru_status db_backup_install(struct db_backup *b, const char *dest, char *err, size_t errlen)
{
    char dir[4096];
    sqlite3 *c = NULL;
    enum ru_status rc = RU_OK;
    if (sqlite3_open_v2(b->path, &c, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        rc = sqlite_fail(c, b->path, "opening", err, errlen);
    else
        rc = exec(c, b->path, "PRAGMA journal_mode = WAL", err, errlen);
    if (c && sqlite3_close(c) != SQLITE_OK && rc == RU_OK)
        rc = sqlite_fail(c, b->path, "closing", err, errlen);
    if (rc == RU_OK)
        rc = sync_file(b->path, err, errlen);
    if (rc == RU_OK)
        rc = retire(dest, err, errlen);
    if (rc == RU_OK && rename(b->path, dest) != 0) {
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s", b->path, dest, strerror(errno));
        rc = RU_ERR_IO;
    }
    if (rc != RU_OK)
        return rc;
    b->installed = 1;
    if (db_backup_sync_dir(folder_of(dest, dir, sizeof(dir))) != RU_OK) {
        snprintf(err, errlen, "cannot sync the folder '%s': %s", dir, strerror(errno));
        return RU_ERR_IO;
    }
    return RU_OK;
}

void db_backup_free(struct db_backup *b)
{
    if (!b)
        return;
    if (!b->installed) {
        static const char *const sides[] = {"-journal", "-wal", "-shm"};
        char side[4300];
        unlink(b->path);
        for (int i = 0; i < 3; i++) {
            snprintf(side, sizeof(side), "%s%s", b->path, sides[i]);
            unlink(side);
        }
    }
    for (size_t i = 0; i < b->n; i++) {
        wipe(b->values[i], b->lens[i]);
        free(b->values[i]);
        free(b->names[i]);
    }
    free(b);
}
