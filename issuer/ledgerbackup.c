/* issuer/ledgerbackup.c - the SQLite ledger of a state directory into a backup file and back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "issuer/ledgerbackup.h"
#include "issuer/ledger.h"
#include "issuer/store.h"
#include "db/backup.h"
#include "db/uselock.h"
#include "common/wipe.h"
#include "common/banned.h"

#define PROGRAM "reup-issuer"
#define TLS_MAX (64 * 1024)
#define PG_ADVICE                                                                                 \
    "its ledger is on PostgreSQL: back it up with PostgreSQL's tools (pg_basebackup, or pg_dump " \
    "of the database) and copy the state directory's files (issuer.key, database, tls/); "        \
    "docs/operations.md, \"Backup and restore\""

static const char *const tls_files[] = {"tls/cert.pem", "tls/key.pem"};

/* DIR/NAME into BUF, or 0. */
static int path_in(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < len;
}

static enum ru_status refuse_pg(const char *dir, const char *what, char *err, size_t errlen)
{
    char uri[4200];
    if (!path_in(uri, sizeof(uri), dir, "database") || access(uri, F_OK) != 0)
        return RU_OK;
    snprintf(err, errlen, "%s of '%s': %s", what, dir, PG_ADVICE);
    return RU_ERR_INVALID;
}

/* The whole of a small file PATH (malloc'd, *len its size); NULL when it is not there. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(TLS_MAX);
    *len = buf ? fread(buf, 1, TLS_MAX, f) : 0;
    if (buf && (ferror(f) || *len == TLS_MAX)) {
        wipe(buf, TLS_MAX);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

enum ru_status ledger_backup(const char *dir, const char *out, char *err, size_t errlen)
{
    enum ru_status rc = refuse_pg(dir, "cannot back up the ledger", err, errlen);
    if (rc != RU_OK)
        return rc;
    /* opened as every command opens it (the folder's and the key's modes checked), but a
     * schema older or newer than this program's is copied all the same: the backup before
     * an upgrade is taken by the program that needs it */
    struct ledger *lg = NULL;
    if ((rc = ledger_open(dir, &lg)) != RU_OK && rc != RU_ERR_SCHEMA) {
        snprintf(err, errlen, "%s", lg ? ledger_errmsg(lg) : "out of memory");
        ledger_free(lg);
        return rc;
    }
    struct db_backup_item items[3] = {{"issuer.key", ledger_key(lg), SECRET_BYTES}};
    unsigned char *tls[2] = {NULL, NULL};
    size_t n = 1;
    char path[4200];
    for (int i = 0; i < 2; i++)
        if (path_in(path, sizeof(path), dir, tls_files[i]) && (tls[i] = slurp(path, &items[n].len)) != NULL) {
            items[n].name = tls_files[i];
            items[n++].value = tls[i];
        }
    if (!path_in(path, sizeof(path), dir, "issuer.db")) {
        snprintf(err, errlen, "the directory name is too long");
        rc = RU_ERR_INVALID;
    } else
        rc = db_backup_write(path, out, PROGRAM, items, n, err, errlen);
    for (int i = 0; i < 2; i++)
        if (tls[i]) {
            wipe(tls[i], TLS_MAX);
            free(tls[i]);
        }
    ledger_free(lg);
    return rc;
}

/* Write LEN bytes to DIR/NAME, mode 0600, through a synced temporary file renamed over it. */
static enum ru_status put_file(const char *dir, const char *name, const void *buf, size_t len, char *err,
                               size_t errlen)
{
    char path[4200], tmp[4300];
    if (!path_in(path, sizeof(path), dir, name) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= sizeof(tmp)) {
        snprintf(err, errlen, "the directory name is too long");
        return RU_ERR_INVALID;
    }
    int fd = mkstemp(tmp);
    int ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        return RU_ERR_IO;
    }
    return RU_OK;
}

/* DIR and DIR/tls as init makes them: there, and mode 0700. MADE counts the folders made
 * (DIR and tls: 2, tls alone: 1), to take back after a failure. */
static enum ru_status make_dirs(const char *dir, int *made, char *err, size_t errlen)
{
    char tls[4200];
    *made = 0;
    if (!path_in(tls, sizeof(tls), dir, "tls")) {
        snprintf(err, errlen, "the directory name is too long");
        return RU_ERR_INVALID;
    }
    int new_dir = mkdir(dir, 0700) == 0;
    if ((!new_dir && errno != EEXIST) || chmod(dir, 0700) != 0) {
        snprintf(err, errlen, "cannot make '%s' with mode 0700: %s", dir, strerror(errno));
        return RU_ERR_IO;
    }
    *made = new_dir;
    int new_tls = mkdir(tls, 0700) == 0;
    *made += new_tls;
    if ((!new_tls && errno != EEXIST) || chmod(tls, 0700) != 0) {
        snprintf(err, errlen, "cannot make '%s' with mode 0700: %s", dir, strerror(errno));
        return RU_ERR_IO;
    }
    return RU_OK;
}

/* The schema version of the copy at PATH, and this program's. */
static enum ru_status schema_of(const char *path, const char *from, int *version, int *latest, char *err,
                                size_t errlen)
{
    struct store *st = NULL;
    enum ru_status rc = store_open(path, 0, &st);
    if (rc == RU_OK)
        rc = store_schema_version(st, version);
    if (rc != RU_OK)
        snprintf(err, errlen, "%s", st ? store_errmsg(st) : "out of memory");
    *latest = st ? store_schema_latest(st) : 0;
    store_close(st);
    if (rc != RU_OK)
        return rc;
    if (*version == 0) {
        snprintf(err, errlen, "'%s' holds no ledger (no schema): nothing done", from);
        return RU_ERR_INVALID;
    }
    if (*version > *latest) {
        snprintf(err, errlen,
                 "'%s' holds a ledger of schema version %d, written by a newer reup-issuer (this one uses "
                 "%d): restore it with that one; nothing done",
                 from, *version, *latest);
        return RU_ERR_SCHEMA;
    }
    return RU_OK;
}

/* Put the checked copy B in place: key first (the old one kept in memory to go back to),
 * then TLS files DIR lacks, then the ledger. */
static enum ru_status install(const char *dir, struct db_backup *b, char *err, size_t errlen)
{
    char key_path[4200], path[4200], ledger[4200];
    size_t len = 0;
    const void *key = db_backup_item(b, "issuer.key", &len);
    unsigned char old[SECRET_BYTES];
    if (!path_in(key_path, sizeof(key_path), dir, "issuer.key") ||
        !path_in(ledger, sizeof(ledger), dir, "issuer.db")) {
        snprintf(err, errlen, "the directory name is too long");
        return RU_ERR_INVALID;
    }
    int had_key = secret_file_read(key_path, old, sizeof(old)) == RU_OK;
    enum ru_status rc = put_file(dir, "issuer.key", key, len, err, errlen);
    for (int i = 0; rc == RU_OK && i < 2; i++) {
        const void *tls = db_backup_item(b, tls_files[i], &len);
        if (tls && path_in(path, sizeof(path), dir, tls_files[i]) && access(path, F_OK) != 0)
            rc = put_file(dir, tls_files[i], tls, len, err, errlen);
    }
    if (rc == RU_OK)
        rc = db_backup_install(b, ledger, err, errlen);
    if (rc != RU_OK && had_key) {
        char ignored[200];
        if (put_file(dir, "issuer.key", old, sizeof(old), ignored, sizeof(ignored)) != RU_OK)
            fprintf(stderr, "reup-issuer: %s\n", ignored);
    }
    wipe(old, sizeof(old));
    return rc;
}

enum ru_status ledger_restore(const char *dir, const char *from, int *version, int *latest, char *err,
                              size_t errlen)
{
    struct db_backup *b = NULL;
    size_t len = 0;
    int lock = -1, made = 0;
    enum ru_status rc = refuse_pg(dir, "cannot restore over the ledger", err, errlen);
    if (rc == RU_OK)
        rc = make_dirs(dir, &made, err, errlen);
    if (rc == RU_OK)
        rc = db_backup_open(from, PROGRAM, dir, &b, err, errlen);
    if (rc == RU_OK && (!db_backup_item(b, "issuer.key", &len) || len != SECRET_BYTES)) {
        snprintf(err, errlen, "'%s' holds no issuer key of %d bytes: not a whole backup; nothing done", from,
                 SECRET_BYTES);
        rc = RU_ERR_INVALID;
    }
    if (rc == RU_OK)
        rc = schema_of(db_backup_path(b), from, version, latest, err, errlen);
    if (rc == RU_OK && (rc = uselock_take(dir, 1, &lock, err, errlen)) == RU_ERR_DECLINED)
        snprintf(err, errlen,
                 "'%s' is in use: reup-issuer serve (or another command) has its ledger open; stop it, then "
                 "restore; nothing done",
                 dir);
    if (rc == RU_OK)
        rc = install(dir, b, err, errlen);
    uselock_release(lock);
    db_backup_free(b);
    if (rc != RU_OK && made) {
        /* nothing changed: the folders made for the restore go again (when still empty) */
        char tls[4200];
        if (path_in(tls, sizeof(tls), dir, "tls"))
            rmdir(tls);
        if (made == 2)
            rmdir(dir);
    }
    return rc;
}
