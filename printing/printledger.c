/*
 * printing/printledger.c - the print ledger's SQL. Every change of a job and its cards
 * is one transaction with synchronous=FULL: after a crash the ledger tells exactly what
 * was sent and what completed.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "printing/printledger.h"
#include "db/db.h"
#include "common/banned.h"

#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

extern const char *const print_migrations[];

static const char *const status_names[] = {"pending", "queued", "printed", "failed", "possibly_printed"};

struct printledger {
    struct db *db;
    sqlite3_stmt *add, *card;
};

const char *printledger_status_name(enum printledger_status s)
{
    return s >= 0 && s < PRINTLEDGER_STATUSES ? status_names[s] : "?";
}

static enum printledger_status status_of(const unsigned char *text)
{
    for (int i = 0; i < PRINTLEDGER_STATUSES; i++)
        if (text && !strcmp((const char *)text, status_names[i]))
            return (enum printledger_status)i;
    return PRINTLEDGER_PENDING;
}

enum ru_status printledger_open(const char *path, struct printledger **out)
{
    struct printledger *lg = calloc(1, sizeof(*lg));
    if (!lg)
        return RU_ERR_NOMEM;
    *out = lg;
    enum ru_status rc = db_open(path, DB_CREATE | DB_SYNC_FULL, print_migrations, &lg->db);
    if (rc != RU_OK)
        return rc;
    if ((rc = db_prepare(lg->db,
                         "INSERT INTO card (serial, batch, seq, changed_at) VALUES (?1, ?2, ?3, " NOW ")"
                         " ON CONFLICT (serial) DO NOTHING RETURNING 1",
                         &lg->add)) != RU_OK ||
        (rc = db_prepare(lg->db, "SELECT status, job, batch FROM card WHERE serial = ?1", &lg->card)) !=
            RU_OK)
        return rc;
    return RU_OK;
}

const char *printledger_errmsg(const struct printledger *lg)
{
    return lg->db ? db_errmsg(lg->db) : "out of memory";
}

void printledger_free(struct printledger *lg)
{
    if (!lg)
        return;
    sqlite3_finalize(lg->add);
    sqlite3_finalize(lg->card);
    db_free(lg->db);
    free(lg);
}

enum ru_status printledger_begin(struct printledger *lg)
{
    return db_begin(lg->db);
}

enum ru_status printledger_commit(struct printledger *lg)
{
    return db_commit(lg->db);
}

void printledger_rollback(struct printledger *lg)
{
    db_rollback(lg->db);
}

enum ru_status printledger_add(struct printledger *lg, const char *serial, const char *batch,
                               unsigned long seq)
{
    sqlite3_stmt *s = lg->add;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, batch, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return RU_OK;
    if (rc != SQLITE_DONE)
        return db_fail(lg->db, "recording a card");
    /* known already: fine when it is the same batch */
    s = lg->card;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, serial, -1, SQLITE_STATIC);
    enum ru_status out = RU_OK;
    if (sqlite3_step(s) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 2), batch) != 0)
        out = RU_ERR_EXISTS;
    sqlite3_reset(s);
    return out;
}

/* Run SQL with ?1 bound to TEXT and ?2 to N; fixed SQL only. */
static enum ru_status run(struct printledger *lg, const char *sql, const char *text, long long n)
{
    sqlite3_stmt *s;
    enum ru_status rc = db_prepare(lg->db, sql, &s);
    if (rc != RU_OK)
        return rc;
    if (text)
        sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, n);
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        ;
    rc = r == SQLITE_DONE ? RU_OK : db_fail(lg->db, "updating the print ledger");
    sqlite3_finalize(s);
    return rc;
}

enum ru_status printledger_settle(struct printledger *lg, const char *batch, unsigned long *cards)
{
    enum ru_status rc = db_begin(lg->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    rc = db_prepare(lg->db,
                    "UPDATE card SET status = 'possibly_printed', changed_at = " NOW
                    " WHERE status = 'queued' AND batch = ?1",
                    &s);
    if (rc == RU_OK) {
        sqlite3_bind_text(s, 1, batch, -1, SQLITE_STATIC);
        rc = sqlite3_step(s) == SQLITE_DONE ? RU_OK : db_fail(lg->db, "settling unfinished jobs");
        *cards = (unsigned long)sqlite3_changes(db_sqlite(lg->db));
        sqlite3_finalize(s);
    }
    if (rc == RU_OK)
        rc = run(lg,
                 "UPDATE job SET state = 'unknown', finished_at = " NOW
                 ", message = 'the run sending it ended "
                 "before the job did' WHERE state IN ('sending', 'queued') AND batch = ?1",
                 batch, 0);
    if (rc == RU_OK)
        return db_commit(lg->db);
    db_rollback(lg->db);
    return rc;
}

enum ru_status printledger_card(struct printledger *lg, const char *serial, enum printledger_status *status,
                                long long *job)
{
    sqlite3_stmt *s = lg->card;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, serial, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    enum ru_status rc = RU_ERR_NOT_FOUND;
    if (r == SQLITE_ROW) {
        *status = status_of(sqlite3_column_text(s, 0));
        *job = sqlite3_column_int64(s, 1);
        rc = RU_OK;
    } else if (r != SQLITE_DONE) {
        rc = db_fail(lg->db, "reading a card");
    }
    sqlite3_reset(s);
    return rc;
}

enum ru_status printledger_counts(struct printledger *lg, const char *batch,
                                  unsigned long counts[PRINTLEDGER_STATUSES])
{
    sqlite3_stmt *s;
    enum ru_status rc =
        db_prepare(lg->db, "SELECT status, count(*) FROM card WHERE batch = ?1 GROUP BY status", &s);
    if (rc != RU_OK)
        return rc;
    memset(counts, 0, sizeof(unsigned long) * PRINTLEDGER_STATUSES);
    sqlite3_bind_text(s, 1, batch, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        counts[status_of(sqlite3_column_text(s, 0))] = (unsigned long)sqlite3_column_int64(s, 1);
    rc = r == SQLITE_DONE ? RU_OK : db_fail(lg->db, "counting cards");
    sqlite3_finalize(s);
    return rc;
}

enum ru_status printledger_each(struct printledger *lg, const char *batch, enum printledger_status status,
                                void (*fn)(void *ctx, const char *serial, long long job), void *ctx)
{
    sqlite3_stmt *s;
    enum ru_status rc =
        db_prepare(lg->db, "SELECT serial, job FROM card WHERE batch = ?1 AND status = ?2 ORDER BY seq", &s);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(s, 1, batch, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, printledger_status_name(status), -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1));
    rc = r == SQLITE_DONE ? RU_OK : db_fail(lg->db, "listing cards");
    sqlite3_finalize(s);
    return rc;
}

enum ru_status printledger_job_start(struct printledger *lg, const char *batch, const char *printer,
                                     const char *server, const char (*serials)[CARD_DIGITS + 1], size_t n,
                                     long long *job)
{
    sqlite3_stmt *s = NULL;
    enum ru_status rc = db_begin(lg->db);
    if (rc != RU_OK)
        return rc;
    rc = db_prepare(lg->db,
                    "INSERT INTO job (batch, printer, server, cards, state, created_at)"
                    " VALUES (?1, ?2, ?3, ?4, 'sending', " NOW ")",
                    &s);
    if (rc == RU_OK) {
        sqlite3_bind_text(s, 1, batch, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, printer, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, server, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, (sqlite3_int64)n);
        rc = sqlite3_step(s) == SQLITE_DONE ? RU_OK : db_fail(lg->db, "recording a print job");
        sqlite3_finalize(s);
        s = NULL;
    }
    long long id = sqlite3_last_insert_rowid(db_sqlite(lg->db));
    if (rc == RU_OK)
        rc = db_prepare(lg->db,
                        "UPDATE card SET status = 'queued', job = ?2, changed_at = " NOW " WHERE serial = ?1",
                        &s);
    for (size_t i = 0; rc == RU_OK && i < n; i++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, serials[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, id);
        if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(db_sqlite(lg->db)) != 1)
            rc = db_fail(lg->db, "queueing a card");
    }
    sqlite3_finalize(s);
    if (rc == RU_OK && (rc = db_commit(lg->db)) == RU_OK) {
        *job = id;
        return RU_OK;
    }
    db_rollback(lg->db);
    return rc;
}

enum ru_status printledger_job_queued(struct printledger *lg, long long job, int cups_job)
{
    sqlite3_stmt *s;
    enum ru_status rc =
        db_prepare(lg->db, "UPDATE job SET state = 'queued', cups_job = ?2 WHERE id = ?1", &s);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_int64(s, 1, job);
    sqlite3_bind_int(s, 2, cups_job);
    rc = sqlite3_step(s) == SQLITE_DONE ? RU_OK : db_fail(lg->db, "recording a print job");
    sqlite3_finalize(s);
    return rc;
}

enum ru_status printledger_job_end(struct printledger *lg, long long job, enum printledger_end end,
                                   const char *message)
{
    static const char *const job_state[] = {"completed", "failed", "unknown"};
    static const char *const card_sql[] = {
        "UPDATE card SET status = 'printed', prints = prints + 1, changed_at = " NOW " WHERE job = ?2",
        "UPDATE card SET status = 'failed', changed_at = " NOW " WHERE job = ?2",
        "UPDATE card SET status = 'possibly_printed', changed_at = " NOW " WHERE job = ?2"};
    enum ru_status rc = db_begin(lg->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s;
    rc = db_prepare(lg->db, "UPDATE job SET state = ?1, message = ?3, finished_at = " NOW " WHERE id = ?2",
                    &s);
    if (rc == RU_OK) {
        sqlite3_bind_text(s, 1, job_state[end], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, job);
        if (message)
            sqlite3_bind_text(s, 3, message, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s) == SQLITE_DONE ? RU_OK : db_fail(lg->db, "ending a print job");
        sqlite3_finalize(s);
    }
    if (rc == RU_OK)
        rc = run(lg, card_sql[end], NULL, job);
    if (rc == RU_OK)
        return db_commit(lg->db);
    db_rollback(lg->db);
    return rc;
}
