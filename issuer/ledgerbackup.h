/*
 * issuer/ledgerbackup.h - `reup-issuer backup` and `restore`: the SQLite ledger of a state
 * directory, with what it needs to be used again, into one file and back.
 *
 * A backup (db/backup.h, program "reup-issuer") holds the ledger as one consistent
 * snapshot taken while `serve` commits, and in its manifest the issuer key (without it no
 * PIN of the ledger can be checked) and the TLS certificate and key of DIR/tls when they
 * are there (terminals trust that certificate: a restored issuer on a new machine must
 * present it). A PostgreSQL ledger is not copied here: its own tools (pg_basebackup,
 * pg_dump) do that.
 */
#ifndef REUP_ISSUER_LEDGERBACKUP_H
#define REUP_ISSUER_LEDGERBACKUP_H
#include <stddef.h>
#include "common/status.h"

/* Copy DIR's ledger and key into the new file OUT (mode 0600, synced, renamed into
 * place), whatever its schema version. RU_ERR_INVALID: DIR's ledger is on PostgreSQL
 * (ERR names the tools to use); RU_ERR_EXISTS: OUT exists; the failures of ledger_open()
 * but RU_ERR_SCHEMA; RU_ERR_DB, RU_ERR_IO. */
enum ru_status ledger_backup(const char *dir, const char *out, char *err, size_t errlen) RU_WARN_UNUSED;

/* Check the backup FROM (integrity, made by reup-issuer backup, schema not newer) and put
 * its ledger and key in DIR (made, mode 0700, when missing), its TLS files only where DIR
 * has none (a certificate renewed since the backup stays). *VERSION and *LATEST get the
 * backup's schema version and this program's (older: run init --upgrade). Nothing is
 * changed on failure: RU_ERR_INVALID (not a backup, another program's, truncated or
 * corrupt, or DIR's ledger on PostgreSQL), RU_ERR_NOT_FOUND (no FROM), RU_ERR_SCHEMA
 * (newer), RU_ERR_DECLINED (DIR in use: serve or another command has the ledger open),
 * RU_ERR_DB, RU_ERR_IO. ERR says why. */
enum ru_status ledger_restore(const char *dir, const char *from, int *version, int *latest, char *err,
                              size_t errlen) RU_WARN_UNUSED;

#endif
