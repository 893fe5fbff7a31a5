/* issuer/journalhead.c - the terminals' journal heads in the ledger. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Up to MAX rows of ST (seq, hash; its parameters bound) into HEADS; their count in *n. */
static enum ru_status read_heads(struct ledger *lg, sqlite3_stmt *st, struct auth_head *heads, size_t max,
                                 size_t *n)
{
    int r;
    *n = 0;
    while (*n < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != 64)
            continue; /* the table's CHECK holds it to 64: never here */
        heads[*n].seq = sqlite3_column_int64(st, 0);
        memcpy(heads[*n].hash, sqlite3_column_text(st, 1), 64);
        heads[*n].hash[64] = '\0';
        (*n)++;
    }
    return *n == max || r == SQLITE_DONE ? RU_OK : db_fail(ledger_db(lg), "reading heads");
}

/* The heads (ANOMALIES: the distinct anomalies) of TERMINAL of STORE with seq in
 * (AFTER, UPTO], by seq then hash, at most MAX of them, into HEADS. Heads are read along
 * the index alone; anomalies, rare, are sorted by hash within the range. */
static enum ru_status list_kind(struct ledger *lg, const char *store, const char *terminal, int anomalies,
                                long long after, long long upto, struct auth_head *heads, size_t max,
                                size_t *n)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(
        ledger_db(lg),
        anomalies ? "SELECT DISTINCT seq, hash FROM journal_head WHERE store_id = ?1 AND terminal = ?2"
                    " AND kind = 'anomaly' AND seq > ?3 AND seq <= ?4 ORDER BY seq, hash LIMIT ?5"
                  : "SELECT seq, hash FROM journal_head WHERE store_id = ?1 AND terminal = ?2"
                    " AND kind = 'head' AND seq > ?3 AND seq <= ?4 ORDER BY seq LIMIT ?5",
        &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, store, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, after);
    sqlite3_bind_int64(st, 4, upto);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)max);
    rc = read_heads(lg, st, heads, max, n);
    sqlite3_finalize(st);
    return rc;
}

enum ru_status journalhead_list(struct ledger *lg, const char *store, const char *terminal, long long after,
                                long limit, struct journal_heads *out)
{
    struct journal_heads p = {NULL, 0, NULL, 0, 0};
    size_t want = limit < 1 ? 1 : limit > API_HEADS_MAX ? API_HEADS_MAX : (size_t)limit;
    enum ru_status rc = RU_ERR_NOMEM;
    /* one more anomaly than a page holds, to know where the page must end */
    if (!(p.heads = calloc(want, sizeof(*p.heads))) ||
        !(p.anomalies = calloc(API_HEADS_MAX + 1, sizeof(*p.anomalies))))
        goto out;
    if ((rc = list_kind(lg, store, terminal, 0, after, LLONG_MAX, p.heads, want, &p.n)) != RU_OK)
        goto out;
    /* a full page ends at its last head; the next one starts after it */
    long long upto = p.n == want ? p.heads[p.n - 1].seq : LLONG_MAX;
    if ((rc = list_kind(lg, store, terminal, 1, after, upto, p.anomalies, API_HEADS_MAX + 1,
                        &p.n_anomalies)) != RU_OK)
        goto out;
    p.next = p.n == want ? upto : 0;
    if (p.n_anomalies > API_HEADS_MAX) {
        /* end before the number of the first anomaly left out; when every one shares the
         * first number, end at it: the chain holds at most one of its hashes, so those
         * listed already tell */
        long long cut = p.anomalies[API_HEADS_MAX].seq;
        p.next = cut - 1 > after ? cut - 1 : cut;
        while (p.n && p.heads[p.n - 1].seq > p.next)
            p.n--;
        p.n_anomalies = API_HEADS_MAX;
        while (p.n_anomalies && p.anomalies[p.n_anomalies - 1].seq > p.next)
            p.n_anomalies--;
    }
out:
    if (rc == RU_OK)
        *out = p;
    else
        journal_heads_release(&p);
    return rc;
}
