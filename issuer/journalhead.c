/* issuer/journalhead.c - the terminals' journal heads in the ledger. */
#include <stdio.h>
#include <string.h>
#include "issuer/journalhead.h"
#include "db/db.h"
#include "common/banned.h"

enum ru_status journalhead_get(struct ledger *lg, const char *store, const char *terminal,
                               struct auth_head *out)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(ledger_db(lg),
                                   "SELECT seq, hash FROM journal_head WHERE store_id = ?1 AND terminal = ?2"
                                   " AND kind = 'head' ORDER BY seq DESC LIMIT 1",
                                   &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 64) {
        out->seq = sqlite3_column_int64(st, 0);
        memcpy(out->hash, sqlite3_column_text(st, 1), 64);
        out->hash[64] = '\0';
    } else
        rc = r == SQLITE_ROW || r == SQLITE_DONE ? RU_ERR_NOT_FOUND : db_fail(ledger_db(lg), "reading heads");
    sqlite3_finalize(st);
    return rc;
}

/* 1 when TERMINAL of STORE sent H's sequence number with H's hash before. */
static int seen_before(struct ledger *lg, const char *store, const char *terminal, const struct auth_head *h,
                       enum ru_status *rc)
{
    sqlite3_stmt *st = NULL;
    if ((*rc = db_prepare(ledger_db(lg),
                          "SELECT 1 FROM journal_head WHERE store_id = ?1 AND terminal = ?2 AND kind = 'head'"
                          " AND seq = ?3 AND hash = ?4",
                          &st)) != RU_OK)
        return 0;
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, h->seq);
    sqlite3_bind_text(st, 4, h->hash, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        *rc = db_fail(ledger_db(lg), "reading heads");
    sqlite3_finalize(st);
    return r == SQLITE_ROW;
}

enum ru_status journalhead_record(struct ledger *lg, const char *store, const char *terminal,
                                  const struct auth_head *h)
{
    struct auth_head last;
    enum ru_status rc = journalhead_get(lg, store, terminal, &last);
    const char *kind = "head";
    if (rc == RU_OK && h->seq <= last.seq) {
        /* the same head again (a request sent before the last one answered) changes nothing */
        if (seen_before(lg, store, terminal, h, &rc) || rc != RU_OK)
            return rc;
        kind = "anomaly";
    } else if (rc != RU_OK && rc != RU_ERR_NOT_FOUND)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = db_prepare(ledger_db(lg),
                         "INSERT INTO journal_head (store_id, terminal, seq, hash, kind, seen_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, " LEDGER_NOW ")",
                         &st)) != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, h->seq);
    sqlite3_bind_text(st, 4, h->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? RU_OK : db_fail(ledger_db(lg), "recording a journal head");
    sqlite3_finalize(st);
    if (rc == RU_OK && !strcmp(kind, "anomaly")) {
        char actor[AUTH_TERMINAL_MAX + 16], detail[160];
        snprintf(actor, sizeof(actor), "terminal:%s", terminal);
        snprintf(detail, sizeof(detail), "sent %lld:%.64s after %lld:%.64s", h->seq, h->hash, last.seq,
                 last.hash);
        rc = ledger_audit(lg, actor, "journal head", NULL, NULL, "anomaly", detail);
    }
    return rc;
}
