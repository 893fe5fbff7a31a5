/*
 * pos/tillbackup.h - `reup-pos backup` and `restore`: the journal into one file and back.
 *
 * A backup (db/backup.h, program "reup-pos") is the journal as one consistent snapshot
 * taken while the till sells. Restore checks it as `verify` checks a journal (the chain,
 * then every table replayed from it) before it replaces the journal. It cannot tell an
 * honest restore from a cashier hiding sales with an old copy: the journal's anchor at the
 * issuer does (the heads the issuer saw, `verify` and docs/pos.md).
 */
#ifndef REUP_POS_TILLBACKUP_H
#define REUP_POS_TILLBACKUP_H
#include <stddef.h>
#include "common/status.h"
#include "pos/config.h"

/* Copy CFG's journal into the new file OUT (mode 0600, synced, renamed into place).
 * RU_ERR_EXISTS: OUT exists; RU_ERR_NOT_FOUND: no journal yet; RU_ERR_DB, RU_ERR_IO. */
enum ru_status till_backup(const struct pos_config *cfg, const char *out, char *err,
                           size_t errlen) RU_WARN_UNUSED;

/* What a restore put back. */
struct till_restored {
    long long seq;     /* the restored journal's last entry (0: empty) */
    int verify_failed; /* RU_ERR_INVALID came from the replay: the backup's journal was changed */
};

/* Check the backup FROM (integrity, made by reup-pos backup, schema not newer, the chain
 * and the replay of verify) and put it in place of CFG's journal, an older schema brought
 * up to date. Nothing is changed on failure: RU_ERR_INVALID (not a backup, another
 * program's, truncated or corrupt; or, with OUT->verify_failed, a journal that fails
 * verify: ERR names the first difference), RU_ERR_NOT_FOUND (no FROM), RU_ERR_SCHEMA
 * (newer), RU_ERR_DECLINED (another reup-pos has the journal open), RU_ERR_DB, RU_ERR_IO. */
enum ru_status till_restore(const struct pos_config *cfg, const char *from, struct till_restored *out,
                            char *err, size_t errlen) RU_WARN_UNUSED;

#endif
