/* pos/tillbackup.c - the journal into a backup file and back, checked as verify checks it. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include "pos/tillbackup.h"
#include "pos/journal.h"
#include "db/backup.h"
#include "db/uselock.h"
#include "common/banned.h"

#define PROGRAM "reup-pos"

enum ru_status till_backup(const struct pos_config *cfg, const char *out, char *err, size_t errlen)
{
    return db_backup_write(cfg->journal, out, PROGRAM, NULL, 0, err, errlen);
}

/* The copy at PATH opened as the till opens its journal (migrated when older), verified,
 * and its head into OUT. */
static enum ru_status check_copy(const char *path, const char *from, struct till_restored *out, char *err,
                                 size_t errlen)
{
    struct journal *j = NULL;
    char why[600], hash[65];
    enum ru_status rc = journal_open(path, &j);
    if (rc == RU_ERR_SCHEMA)
        snprintf(err, errlen,
                 "'%s' holds a journal written by a newer reup-pos (%s): restore it with that one; "
                 "nothing done",
                 from, j ? journal_errmsg(j) : "");
    else if (rc != RU_OK)
        snprintf(err, errlen, "%s", j ? journal_errmsg(j) : "out of memory");
    if (rc == RU_OK && (rc = journal_verify(j, why, sizeof(why))) == RU_ERR_INVALID) {
        out->verify_failed = 1;
        snprintf(err, errlen, "the journal in '%s' was changed: %s; nothing done", from, why);
    } else if (rc != RU_OK && rc != RU_ERR_SCHEMA && j && !*err)
        snprintf(err, errlen, "%s", journal_errmsg(j));
    if (rc == RU_OK) {
        enum ru_status h = journal_head(j, &out->seq, hash);
        if (h == RU_ERR_NOT_FOUND)
            out->seq = 0;
        else if (h != RU_OK)
            rc = h;
    }
    journal_free(j);
    return rc;
}

enum ru_status till_restore(const struct pos_config *cfg, const char *from, struct till_restored *out,
                            char *err, size_t errlen)
{
    char copy[sizeof(cfg->journal)];
    struct db_backup *b = NULL;
    int lock = -1;
    memset(out, 0, sizeof(*out));
    *err = '\0';
    snprintf(copy, sizeof(copy), "%s", cfg->journal);
    const char *dir = dirname(copy);
    enum ru_status rc = db_backup_open(from, PROGRAM, dir, &b, err, errlen);
    if (rc == RU_OK)
        rc = check_copy(db_backup_path(b), from, out, err, errlen);
    if (rc == RU_OK && (rc = uselock_take(dir, 1, &lock, err, errlen)) == RU_ERR_DECLINED)
        snprintf(err, errlen,
                 "the journal '%s' is in use: another reup-pos (the counter's screen, a sale) has it open; "
                 "close it, then restore; nothing done",
                 cfg->journal);
    if (rc == RU_OK)
        rc = db_backup_install(b, cfg->journal, err, errlen);
    uselock_release(lock);
    db_backup_free(b);
    return rc;
}
