/*
 * pos/journal.c - the journal's SQL, its hash chain and its replay.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include "pos/journal.h"
#include "db/db.h"
#include "common/privatefile.h"
#include "common/banned.h"

#define NOW        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
#define PIN_ROUNDS 100000
#define HASH_BYTES 32
#define SALT_BYTES 16

extern const char *const pos_migrations[];

static const char *const state_names[] = {"sending",  "approved",     "declined", "reversal_pending",
                                          "reversed", "void_pending", "voided"};

struct journal {
    struct db *db;
    char err[400];
};

const char *pos_sale_state_name(enum pos_sale_state s)
{
    return s >= 0 && s < SALE_STATES ? state_names[s] : "?";
}

static enum pos_sale_state state_of(const char *text)
{
    for (int i = 0; i < SALE_STATES; i++)
        if (text && !strcmp(text, state_names[i]))
            return (enum pos_sale_state)i;
    return SALE_SENDING;
}

enum ru_status journal_open(const char *path, struct journal **out)
{
    struct journal *j = calloc(1, sizeof(*j));
    if (!j)
        return RU_ERR_NOMEM;
    *out = j;
    /* created here rather than by SQLite so that it is its owner's alone whatever the umask;
     * SQLite gives its -wal and -shm the database's mode */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    else if (errno != EEXIST) {
        snprintf(j->err, sizeof(j->err), "cannot create the journal '%s': %s", path, strerror(errno));
        return RU_ERR_DB;
    }
    /* it holds money and the cashiers' PIN hashes */
    enum ru_status rc = privatefile_check_db(path, j->err, sizeof(j->err));
    if (rc != RU_OK)
        return rc == RU_ERR_INVALID ? rc : RU_ERR_DB;
    return db_open(path, DB_CREATE | DB_SYNC_FULL, pos_migrations, &j->db);
}

const char *journal_errmsg(const struct journal *j)
{
    return j->err[0] ? j->err : j->db ? db_errmsg(j->db) : "out of memory";
}

void journal_free(struct journal *j)
{
    if (!j)
        return;
    db_free(j->db);
    free(j);
}

/* Prepare SQL or fail the journal's call. */
static sqlite3_stmt *prepare(struct journal *j, const char *sql)
{
    sqlite3_stmt *s = NULL;
    j->err[0] = '\0';
    return db_prepare(j->db, sql, &s) == RU_OK ? s : NULL;
}

/* Step S to the end; RU_OK or RU_ERR_DB. Finalizes S. */
static enum ru_status finish(struct journal *j, sqlite3_stmt *s)
{
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        ;
    enum ru_status rc = r == SQLITE_DONE ? RU_OK : db_fail(j->db, "writing the journal");
    sqlite3_finalize(s);
    return rc;
}

static void text_col(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

static void entry_hash(const unsigned char prev[HASH_BYTES], long long seq, const char *at, const char *type,
                       const char *body, unsigned char out[HASH_BYTES])
{
    char head[96];
    int n = snprintf(head, sizeof(head), "\n%lld\n%s\n%s\n", seq, at, type);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int len = 0;
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, prev, HASH_BYTES);
    EVP_DigestUpdate(c, head, (size_t)n);
    EVP_DigestUpdate(c, body, strlen(body));
    EVP_DigestFinal_ex(c, out, &len);
    EVP_MD_CTX_free(c);
}

static void hex_of(const unsigned char *bytes, char out[2 * HASH_BYTES + 1])
{
    for (int i = 0; i < HASH_BYTES; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

enum ru_status journal_head(struct journal *j, long long *seq, char hash[2 * HASH_BYTES + 1])
{
    sqlite3_stmt *s = prepare(j, "SELECT seq, hash FROM entry ORDER BY seq DESC LIMIT 1");
    if (!s)
        return RU_ERR_DB;
    int r = sqlite3_step(s);
    enum ru_status rc = r == SQLITE_ROW ? RU_OK : r == SQLITE_DONE ? RU_ERR_NOT_FOUND : RU_ERR_DB;
    if (rc == RU_OK && sqlite3_column_bytes(s, 1) != HASH_BYTES)
        rc = RU_ERR_DB;
    if (rc == RU_OK) {
        *seq = sqlite3_column_int64(s, 0);
        hex_of(sqlite3_column_blob(s, 1), hash);
    }
    sqlite3_finalize(s);
    return rc;
}

enum ru_status journal_holds(struct journal *j, long long seq, const char *hash, char *why, size_t whylen)
{
    long long last = 0;
    char last_hash[2 * HASH_BYTES + 1], at_hash[2 * HASH_BYTES + 1] = "";
    enum ru_status rc = journal_head(j, &last, last_hash);
    if (rc != RU_OK && rc != RU_ERR_NOT_FOUND)
        return rc;
    if (last < seq) {
        snprintf(why, whylen,
                 "the issuer saw journal entry %lld, but this journal ends at entry %lld: it was rolled back"
                 " (an older copy restored?)",
                 seq, last);
        return RU_ERR_INVALID;
    }
    sqlite3_stmt *s = prepare(j, "SELECT hash FROM entry WHERE seq = ?1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_int64(s, 1, seq);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == HASH_BYTES)
        hex_of(sqlite3_column_blob(s, 0), at_hash);
    sqlite3_finalize(s);
    if (strcmp(at_hash, hash) != 0) {
        snprintf(
            why, whylen,
            "journal entry %lld is not the one the issuer saw (its hash %.12s..., the issuer's %.12s...):"
            " the chain was rebuilt, or an older copy restored and written to since",
            seq, *at_hash ? at_hash : "none", hash);
        return RU_ERR_INVALID;
    }
    return RU_OK;
}

/* Append an entry of TYPE with BODY (stolen) to the chain, inside the caller's transaction. */
static enum ru_status append(struct journal *j, const char *type, json_t *body)
{
    unsigned char prev[HASH_BYTES] = {0}, hash[HASH_BYTES];
    long long seq = 1;
    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(body);
    if (!text)
        return RU_ERR_NOMEM;
    sqlite3_stmt *s = prepare(j, "SELECT seq, hash FROM entry ORDER BY seq DESC LIMIT 1");
    enum ru_status rc = s ? RU_OK : RU_ERR_DB;
    if (s && sqlite3_step(s) == SQLITE_ROW) {
        seq = sqlite3_column_int64(s, 0) + 1;
        if (sqlite3_column_bytes(s, 1) == HASH_BYTES)
            memcpy(prev, sqlite3_column_blob(s, 1), HASH_BYTES);
    }
    sqlite3_finalize(s);
    if (rc == RU_OK) {
        entry_hash(prev, seq, at, type, text, hash);
        s = prepare(j, "INSERT INTO entry (seq, at, type, body, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!s)
            rc = RU_ERR_DB;
        else {
            sqlite3_bind_int64(s, 1, seq);
            sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
            sqlite3_bind_blob(s, 5, prev, HASH_BYTES, SQLITE_STATIC);
            sqlite3_bind_blob(s, 6, hash, HASH_BYTES, SQLITE_STATIC);
            rc = finish(j, s);
        }
    }
    free(text);
    return rc;
}

/* Commit when RC is RU_OK, else roll back; returns RC or the commit's failure. */
static enum ru_status end(struct journal *j, enum ru_status rc)
{
    if (rc == RU_OK)
        rc = db_commit(j->db);
    if (rc != RU_OK)
        db_rollback(j->db);
    return rc;
}

static void pin_hash(const char *pin, const unsigned char *salt, unsigned char out[HASH_BYTES])
{
    PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, SALT_BYTES, PIN_ROUNDS, EVP_sha256(), HASH_BYTES, out);
}

enum ru_status journal_cashier_add(struct journal *j, const char *id, const char *name, int manager,
                                   const char *pin)
{
    unsigned char salt[SALT_BYTES], hash[HASH_BYTES];
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return RU_ERR_IO;
    pin_hash(pin, salt, hash);
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s = prepare(j, "INSERT INTO cashier (id, name, role, pin_salt, pin_hash, created_at)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, " NOW ")");
    if (!s)
        return end(j, RU_ERR_DB);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, manager ? "manager" : "cashier", -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, salt, SALT_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, hash, HASH_BYTES, SQLITE_STATIC);
    int r = sqlite3_step(s);
    sqlite3_finalize(s);
    if ((r & 0xff) == SQLITE_CONSTRAINT)
        return end(j, RU_ERR_EXISTS);
    rc = r == SQLITE_DONE ? RU_OK : db_fail(j->db, "adding a cashier");
    if (rc == RU_OK)
        rc = append(
            j, "cashier_add",
            json_pack("{s:s,s:s,s:s}", "id", id, "name", name, "role", manager ? "manager" : "cashier"));
    return end(j, rc);
}

/* Cashier ID's count of wrong PINs and lock as they are now, inside the caller's
 * transaction, and as an entry of the chain: 'cashier_unlock' when a manager (UNLOCKED_BY)
 * lifted them, else 'cashier_pins'. */
static enum ru_status set_pins(struct journal *j, const char *id, int failures, long long locked_until,
                               const char *unlocked_by)
{
    sqlite3_stmt *s =
        prepare(j, "UPDATE cashier SET failed_pins = ?2, locked_until = nullif(?3, 0) WHERE id = ?1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, failures);
    sqlite3_bind_int64(s, 3, locked_until);
    enum ru_status rc = finish(j, s);
    if (rc == RU_OK && sqlite3_changes(db_sqlite(j->db)) != 1)
        rc = RU_ERR_NOT_FOUND;
    if (rc == RU_OK) {
        json_t *b = json_pack("{s:s,s:i,s:I}", "id", id, "failures", failures, "locked_until",
                              (json_int_t)locked_until);
        if (b && unlocked_by)
            json_object_set_new(b, "by", json_string(unlocked_by));
        rc = append(j, unlocked_by ? "cashier_unlock" : "cashier_pins", b);
    }
    return rc;
}

/* "2026-11-30 14:35:07 UTC" */
static void utc_time(long long t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    strftime(out, outlen, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&tt, &tm));
}

/* The words for a refused PIN check, on the handle. */
static void pin_refusal(struct journal *j, const char *id, enum ru_status rc, const struct pos_pin_check *c)
{
    char until[40];
    utc_time(c->locked_until, until, sizeof(until));
    if (c->locked_until && rc == RU_ERR_LIMIT)
        snprintf(j->err, sizeof(j->err),
                 "cashier %.32s is locked after %d wrong PINs until %s: a manager can unlock it", id,
                 JOURNAL_PIN_TRIES, until);
    else if (c->locked_until)
        snprintf(j->err, sizeof(j->err),
                 "cashier %.32s and that PIN do not match: %d wrong PINs in a row lock the cashier until %s",
                 id, JOURNAL_PIN_TRIES, until);
    else if (rc == RU_ERR_INVALID && c->failures > 1)
        snprintf(
            j->err, sizeof(j->err),
            "cashier %.32s and that PIN do not match (%d wrong in a row: at %d the cashier is locked for "
            "%d minutes)",
            id, c->failures, JOURNAL_PIN_TRIES, JOURNAL_PIN_LOCK_S / 60);
    else
        snprintf(j->err, sizeof(j->err), "cashier %.32s and that PIN do not match", id);
}

enum ru_status journal_cashier_check(struct journal *j, const char *id, const char *pin, long long now,
                                     struct pos_pin_check *out)
{
    memset(out, 0, sizeof(*out));
    /* one transaction from reading the count to writing it: guesses made at the same time
     * are each counted */
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s = prepare(j, "SELECT role, pin_salt, pin_hash, failed_pins, coalesce(locked_until, 0)"
                                 " FROM cashier WHERE id = ?1");
    if (!s)
        return end(j, RU_ERR_DB);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int failures = 0;
    long long until = 0;
    rc = RU_ERR_NOT_FOUND;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 1) == SALT_BYTES &&
        sqlite3_column_bytes(s, 2) == HASH_BYTES) {
        out->manager = !strcmp((const char *)sqlite3_column_text(s, 0), "manager");
        failures = sqlite3_column_int(s, 3);
        until = sqlite3_column_int64(s, 4);
        if (until > now) {
            out->failures = failures;
            out->locked_until = until;
            rc = RU_ERR_LIMIT;
        } else {
            unsigned char hash[HASH_BYTES];
            pin_hash(pin, sqlite3_column_blob(s, 1), hash);
            rc = CRYPTO_memcmp(hash, sqlite3_column_blob(s, 2), HASH_BYTES) == 0 ? RU_OK : RU_ERR_INVALID;
            explicit_bzero(hash, sizeof(hash));
        }
    }
    sqlite3_finalize(s);
    enum ru_status w = RU_OK;
    if (rc == RU_OK && (failures || until)) {
        w = set_pins(j, id, 0, 0, NULL);
    } else if (rc == RU_ERR_INVALID) {
        /* a lock that has run out leaves a fresh count */
        out->failures = (until ? 0 : failures) + 1;
        out->locked_until = out->failures >= JOURNAL_PIN_TRIES ? now + JOURNAL_PIN_LOCK_S : 0;
        w = set_pins(j, id, out->failures, out->locked_until, NULL);
    }
    if ((w = end(j, w)) != RU_OK)
        return w;
    if (rc != RU_OK)
        pin_refusal(j, id, rc, out);
    return rc;
}

enum ru_status journal_cashier_unlock(struct journal *j, const char *id, const char *by)
{
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    return end(j, set_pins(j, id, 0, 0, by));
}

enum ru_status journal_cashier_role(struct journal *j, const char *id, int *manager)
{
    sqlite3_stmt *s = prepare(j, "SELECT role FROM cashier WHERE id = ?1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    enum ru_status rc = RU_ERR_NOT_FOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *manager = !strcmp((const char *)sqlite3_column_text(s, 0), "manager");
        rc = RU_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

enum ru_status journal_shift_open(struct journal *j, const char *cashier, long long float_cents, int training,
                                  long long *shift)
{
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s = prepare(j, "INSERT INTO shift (cashier, training, float_cents, opened_at)"
                                 " VALUES (?1, ?2, ?3, " NOW ")");
    if (!s)
        return end(j, RU_ERR_DB);
    sqlite3_bind_text(s, 1, cashier, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, training);
    sqlite3_bind_int64(s, 3, float_cents);
    int r = sqlite3_step(s);
    sqlite3_finalize(s);
    if ((r & 0xff) == SQLITE_CONSTRAINT)
        return end(j, RU_ERR_EXISTS);
    if (r != SQLITE_DONE)
        return end(j, db_fail(j->db, "opening a shift"));
    long long id = sqlite3_last_insert_rowid(db_sqlite(j->db));
    rc = append(j, "shift_open",
                json_pack("{s:I,s:s,s:I,s:b}", "id", (json_int_t)id, "cashier", cashier, "float_cents",
                          (json_int_t)float_cents, "training", training));
    if ((rc = end(j, rc)) == RU_OK)
        *shift = id;
    return rc;
}

enum ru_status journal_shift_current(struct journal *j, struct pos_shift *out)
{
    sqlite3_stmt *s = prepare(j, "SELECT id, cashier, training, float_cents, opened_at FROM shift"
                                 " WHERE closed_at IS NULL");
    if (!s)
        return RU_ERR_DB;
    enum ru_status rc = RU_ERR_NOT_FOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        text_col(s, 1, out->cashier, sizeof(out->cashier));
        out->training = sqlite3_column_int(s, 2);
        out->float_cents = sqlite3_column_int64(s, 3);
        text_col(s, 4, out->opened_at, sizeof(out->opened_at));
        rc = RU_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

enum ru_status journal_sale_begin(struct journal *j, struct pos_sale *sale)
{
    uuid_t u;
    uuid_generate_random(u);
    uuid_unparse_lower(u, sale->request_id);
    sale->state = SALE_SENDING;
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s = prepare(
        j,
        "INSERT INTO sale (request_id, shift, kind, serial, plan, amount_cents, currency, tender, cash_cents,"
        " change_cents, state, training, created_at, changed_at)"
        " VALUES (?1, ?2, ?3, nullif(?4, ''), ?5, ?6, ?7, ?8, ?9, ?10, 'sending', ?11, " NOW ", " NOW ")");
    if (!s)
        return end(j, RU_ERR_DB);
    sqlite3_bind_text(s, 1, sale->request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, sale->shift);
    sqlite3_bind_text(s, 3, sale->on_demand ? "on_demand" : "activation", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, sale->serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, sale->plan, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, sale->amount_cents);
    sqlite3_bind_text(s, 7, sale->currency, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, sale->card_tender ? "card" : "cash", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, sale->cash_cents);
    sqlite3_bind_int64(s, 10, sale->change_cents);
    sqlite3_bind_int(s, 11, sale->training);
    if ((rc = finish(j, s)) != RU_OK)
        return end(j, rc);
    sale->id = sqlite3_last_insert_rowid(db_sqlite(j->db));
    rc = append(j, "sale_begin",
                json_pack("{s:I,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:I,s:I,s:b}", "id", (json_int_t)sale->id,
                          "request_id", sale->request_id, "shift", (json_int_t)sale->shift, "kind",
                          sale->on_demand ? "on_demand" : "activation", "serial", sale->serial, "plan",
                          sale->plan, "amount_cents", (json_int_t)sale->amount_cents, "currency",
                          sale->currency, "tender", sale->card_tender ? "card" : "cash", "cash_cents",
                          (json_int_t)sale->cash_cents, "change_cents", (json_int_t)sale->change_cents,
                          "training", sale->training));
    return end(j, rc);
}

static enum ru_status queue(struct journal *j, long long sale, const char *kind)
{
    sqlite3_stmt *s = prepare(j, "INSERT INTO outbox (kind, sale, next_at) VALUES (?1, ?2, 0)");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, sale);
    return finish(j, s);
}

/* The state change, inside the caller's transaction. */
static enum ru_status set_state(struct journal *j, long long id, enum pos_sale_state state,
                                const char *serial, const char *auth_code, const char *message)
{
    sqlite3_stmt *s = prepare(j, "UPDATE sale SET state = ?2, serial = coalesce(nullif(?3, ''), serial),"
                                 " auth_code = coalesce(?4, auth_code), message = coalesce(?5, message),"
                                 " changed_at = " NOW " WHERE id = ?1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state_names[state], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, serial ? serial : "", -1, SQLITE_STATIC);
    if (auth_code)
        sqlite3_bind_text(s, 4, auth_code, -1, SQLITE_STATIC);
    if (message)
        sqlite3_bind_text(s, 5, message, -1, SQLITE_STATIC);
    enum ru_status rc = finish(j, s);
    if (rc == RU_OK && sqlite3_changes(db_sqlite(j->db)) != 1)
        rc = RU_ERR_NOT_FOUND;
    if (rc == RU_OK && (state == SALE_REVERSAL_PENDING || state == SALE_VOID_PENDING))
        rc = queue(j, id, state == SALE_VOID_PENDING ? "void" : "reversal");
    if (rc == RU_OK) {
        json_t *b = json_pack("{s:I,s:s}", "id", (json_int_t)id, "state", state_names[state]);
        if (b && serial && *serial)
            json_object_set_new(b, "serial", json_string(serial));
        if (b && auth_code)
            json_object_set_new(b, "auth_code", json_string(auth_code));
        rc = append(j, "sale_state", b);
    }
    return rc;
}

enum ru_status journal_sale_state(struct journal *j, long long id, enum pos_sale_state state,
                                  const char *serial, const char *auth_code, const char *message)
{
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    return end(j, set_state(j, id, state, serial, auth_code, message));
}

enum ru_status journal_sale_get(struct journal *j, long long id, struct pos_sale *o)
{
    sqlite3_stmt *s =
        prepare(j, "SELECT id, request_id, shift, kind, coalesce(serial, ''), plan, amount_cents,"
                   " currency, tender, cash_cents, change_cents, state, coalesce(auth_code, ''),"
                   " coalesce(message, ''), training, created_at FROM sale WHERE id = ?1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    enum ru_status rc = RU_ERR_NOT_FOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        memset(o, 0, sizeof(*o));
        o->id = sqlite3_column_int64(s, 0);
        text_col(s, 1, o->request_id, sizeof(o->request_id));
        o->shift = sqlite3_column_int64(s, 2);
        o->on_demand = !strcmp((const char *)sqlite3_column_text(s, 3), "on_demand");
        text_col(s, 4, o->serial, sizeof(o->serial));
        text_col(s, 5, o->plan, sizeof(o->plan));
        o->amount_cents = sqlite3_column_int64(s, 6);
        text_col(s, 7, o->currency, sizeof(o->currency));
        o->card_tender = !strcmp((const char *)sqlite3_column_text(s, 8), "card");
        o->cash_cents = sqlite3_column_int64(s, 9);
        o->change_cents = sqlite3_column_int64(s, 10);
        o->state = state_of((const char *)sqlite3_column_text(s, 11));
        text_col(s, 12, o->auth_code, sizeof(o->auth_code));
        text_col(s, 13, o->message, sizeof(o->message));
        o->training = sqlite3_column_int(s, 14);
        text_col(s, 15, o->created_at, sizeof(o->created_at));
        rc = RU_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

enum ru_status journal_sale_of_card(struct journal *j, const char *serial, struct pos_sale *out)
{
    sqlite3_stmt *s = prepare(j, "SELECT id FROM sale WHERE serial = ?1 AND state IN ('sending', 'approved',"
                                 " 'reversal_pending', 'void_pending') ORDER BY id DESC LIMIT 1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_text(s, 1, serial, -1, SQLITE_STATIC);
    long long id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return id ? journal_sale_get(j, id, out) : RU_ERR_NOT_FOUND;
}

enum ru_status journal_catalog_store(struct journal *j, const struct pos_plan *plans, size_t n)
{
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s = prepare(j, "DELETE FROM catalog");
    rc = s ? finish(j, s) : RU_ERR_DB;
    for (size_t i = 0; rc == RU_OK && i < n; i++) {
        if (!(s = prepare(j, "INSERT INTO catalog (code, months, price_cents, currency, fetched_at)"
                             " VALUES (?1, ?2, ?3, ?4, " NOW ")")))
            rc = RU_ERR_DB;
        else {
            sqlite3_bind_text(s, 1, plans[i].code, -1, SQLITE_STATIC);
            sqlite3_bind_int(s, 2, plans[i].months);
            sqlite3_bind_int64(s, 3, plans[i].price_cents);
            sqlite3_bind_text(s, 4, plans[i].currency, -1, SQLITE_STATIC);
            rc = finish(j, s);
        }
    }
    return end(j, rc);
}

enum ru_status journal_catalog_get(struct journal *j, const char *code, struct pos_plan *out)
{
    sqlite3_stmt *s = prepare(j, "SELECT code, months, price_cents, currency FROM catalog"
                                 " WHERE ?1 IS NULL OR code = ?1 ORDER BY code LIMIT 1");
    if (!s)
        return RU_ERR_DB;
    if (code)
        sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    enum ru_status rc = RU_ERR_NOT_FOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        text_col(s, 0, out->code, sizeof(out->code));
        out->months = sqlite3_column_int(s, 1);
        out->price_cents = sqlite3_column_int64(s, 2);
        text_col(s, 3, out->currency, sizeof(out->currency));
        rc = RU_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

enum ru_status journal_recover(struct journal *j, unsigned long *n)
{
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s = prepare(j, "SELECT id FROM sale WHERE state = 'sending' ORDER BY id");
    if (!s)
        return end(j, RU_ERR_DB);
    long long ids[256];
    size_t k = 0;
    *n = 0;
    while (k < 256 && sqlite3_step(s) == SQLITE_ROW)
        ids[k++] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    for (size_t i = 0; rc == RU_OK && i < k; i++)
        rc = set_state(j, ids[i], SALE_REVERSAL_PENDING, NULL, NULL,
                       "no answer: the terminal stopped while sending");
    if ((rc = end(j, rc)) == RU_OK)
        *n = (unsigned long)k;
    /* more than 256 at once cannot happen on one terminal; go round again if it did */
    return rc == RU_OK && k == 256 ? journal_recover(j, n) : rc;
}

enum ru_status journal_outbox_due(struct journal *j, long long now, struct pos_outbox_item *out, size_t max,
                                  size_t *n)
{
    sqlite3_stmt *s =
        prepare(j, "SELECT o.id, o.sale, o.kind, o.attempts, s.request_id, coalesce(s.serial, '')"
                   " FROM outbox o JOIN sale s ON s.id = o.sale"
                   " WHERE o.done_at IS NULL AND (?1 = 0 OR o.next_at <= ?1) ORDER BY o.id LIMIT ?2");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
    *n = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        struct pos_outbox_item *it = &out[(*n)++];
        it->id = sqlite3_column_int64(s, 0);
        it->sale = sqlite3_column_int64(s, 1);
        it->void_ = !strcmp((const char *)sqlite3_column_text(s, 2), "void");
        it->receipt = !strcmp((const char *)sqlite3_column_text(s, 2), "receipt");
        it->attempts = sqlite3_column_int(s, 3);
        text_col(s, 4, it->request_id, sizeof(it->request_id));
        text_col(s, 5, it->serial, sizeof(it->serial));
    }
    enum ru_status rc = r == SQLITE_DONE ? RU_OK : db_fail(j->db, "reading the outbox");
    sqlite3_finalize(s);
    return rc;
}

enum ru_status journal_receipt_queue(struct journal *j, long long id)
{
    return queue(j, id, "receipt");
}

enum ru_status journal_outbox_done(struct journal *j, const struct pos_outbox_item *it)
{
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    sqlite3_stmt *s =
        prepare(j, "UPDATE outbox SET done_at = " NOW ", attempts = attempts + 1 WHERE id = ?1");
    if (!s)
        return end(j, RU_ERR_DB);
    sqlite3_bind_int64(s, 1, it->id);
    rc = finish(j, s);
    if (rc == RU_OK && !it->receipt)
        rc = set_state(j, it->sale, it->void_ ? SALE_VOIDED : SALE_REVERSED, NULL, NULL, NULL);
    return end(j, rc);
}

enum ru_status journal_outbox_retry(struct journal *j, long long id, long long next_at, const char *error)
{
    sqlite3_stmt *s =
        prepare(j, "UPDATE outbox SET attempts = attempts + 1, next_at = ?2, last_error = ?3 WHERE id = ?1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, next_at);
    sqlite3_bind_text(s, 3, error, -1, SQLITE_TRANSIENT);
    return finish(j, s);
}

enum ru_status journal_outbox_pending(struct journal *j, unsigned long *n)
{
    sqlite3_stmt *s = prepare(j, "SELECT count(*) FROM outbox WHERE done_at IS NULL");
    if (!s)
        return RU_ERR_DB;
    enum ru_status rc = sqlite3_step(s) == SQLITE_ROW ? RU_OK : db_fail(j->db, "reading the outbox");
    *n = (unsigned long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

/* The totals of SHIFT: sales completed (approved), voids, by plan, cash expected. */
static enum ru_status totals(struct journal *j, long long shift, json_t **out)
{
    sqlite3_stmt *s =
        prepare(j, "SELECT id, cashier, training, float_cents, opened_at, closed_at, counted_cents"
                   " FROM shift WHERE id = ?1");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_int64(s, 1, shift);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return RU_ERR_NOT_FOUND;
    }
    long long float_cents = sqlite3_column_int64(s, 3);
    json_t *o =
        json_pack("{s:I,s:s,s:b,s:s,s:I}", "shift_id", (json_int_t)shift, "cashier",
                  (const char *)sqlite3_column_text(s, 1), "training", sqlite3_column_int(s, 2), "opened_at",
                  (const char *)sqlite3_column_text(s, 4), "float_cents", (json_int_t)float_cents);
    sqlite3_finalize(s);
    if (!o)
        return RU_ERR_NOMEM;
    /* training sales stay out of every total */
    s = prepare(j, "SELECT"
                   " count(*) FILTER (WHERE state = 'approved'),"
                   " coalesce(sum(amount_cents) FILTER (WHERE state = 'approved'), 0),"
                   " count(*) FILTER (WHERE state IN ('voided', 'void_pending')),"
                   " coalesce(sum(amount_cents) FILTER (WHERE state IN ('voided', 'void_pending')), 0),"
                   " coalesce(sum(amount_cents) FILTER (WHERE state = 'approved' AND tender = 'cash'), 0),"
                   " coalesce(sum(amount_cents) FILTER (WHERE state = 'approved' AND tender = 'card'), 0),"
                   " count(*) FILTER (WHERE state IN ('reversal_pending', 'sending')),"
                   " count(*) FILTER (WHERE state = 'declined')"
                   " FROM sale WHERE shift = ?1 AND training = 0");
    if (!s) {
        json_decref(o);
        return RU_ERR_DB;
    }
    sqlite3_bind_int64(s, 1, shift);
    sqlite3_step(s);
    long long cash = sqlite3_column_int64(s, 4);
    json_object_set_new(o, "sales_count", json_integer(sqlite3_column_int64(s, 0)));
    json_object_set_new(o, "sales_cents", json_integer(sqlite3_column_int64(s, 1)));
    json_object_set_new(o, "voids_count", json_integer(sqlite3_column_int64(s, 2)));
    json_object_set_new(o, "voids_cents", json_integer(sqlite3_column_int64(s, 3)));
    json_object_set_new(o, "cash_sales_cents", json_integer(cash));
    json_object_set_new(o, "card_sales_cents", json_integer(sqlite3_column_int64(s, 5)));
    json_object_set_new(o, "not_completed_count", json_integer(sqlite3_column_int64(s, 6)));
    json_object_set_new(o, "declined_count", json_integer(sqlite3_column_int64(s, 7)));
    json_object_set_new(o, "expected_cash_cents", json_integer(float_cents + cash));
    sqlite3_finalize(s);
    s = prepare(j, "SELECT plan, count(*), sum(amount_cents) FROM sale WHERE shift = ?1 AND training = 0"
                   " AND state = 'approved' GROUP BY plan ORDER BY plan");
    json_t *plans = json_array();
    if (!s) {
        json_decref(o);
        json_decref(plans);
        return RU_ERR_DB;
    }
    sqlite3_bind_int64(s, 1, shift);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(plans,
                              json_pack("{s:s,s:I,s:I}", "plan", (const char *)sqlite3_column_text(s, 0),
                                        "count", (json_int_t)sqlite3_column_int64(s, 1), "cents",
                                        (json_int_t)sqlite3_column_int64(s, 2)));
    sqlite3_finalize(s);
    json_object_set_new(o, "by_plan", plans);
    *out = o;
    return RU_OK;
}

static enum ru_status dump(json_t *o, char **json)
{
    *json = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *json ? RU_OK : RU_ERR_NOMEM;
}

enum ru_status journal_report_x(struct journal *j, long long shift, char **json)
{
    json_t *o;
    enum ru_status rc = totals(j, shift, &o);
    if (rc != RU_OK)
        return rc;
    json_object_set_new(o, "report", json_string("X"));
    return dump(o, json);
}

enum ru_status journal_shift_close(struct journal *j, long long counted_cents, char **json)
{
    struct pos_shift sh;
    enum ru_status rc = db_begin(j->db);
    if (rc != RU_OK)
        return rc;
    if ((rc = journal_shift_current(j, &sh)) != RU_OK)
        return end(j, rc);
    sqlite3_stmt *s = prepare(j, "SELECT coalesce(max(number), 0) + 1, " NOW " FROM zreport");
    if (!s)
        return end(j, RU_ERR_DB);
    sqlite3_step(s);
    long long number = sqlite3_column_int64(s, 0);
    char closed_at[24];
    text_col(s, 1, closed_at, sizeof(closed_at));
    sqlite3_finalize(s);
    json_t *o;
    if ((rc = totals(j, sh.id, &o)) != RU_OK)
        return end(j, rc);
    long long expected = json_integer_value(json_object_get(o, "expected_cash_cents"));
    json_t *z = json_pack("{s:I,s:I,s:s,s:s}", "z_number", (json_int_t)number, "shift_id", (json_int_t)sh.id,
                          "opened_at", sh.opened_at, "closed_at", closed_at);
    json_object_update_missing(z, o);
    json_decref(o);
    json_object_set_new(z, "counted_cash_cents", json_integer(counted_cents));
    json_object_set_new(z, "over_short_cents", json_integer(counted_cents - expected));
    /* the chain up to the closing entry, on the paper slip too: a second anchor */
    long long head_seq = 0;
    char head_hash[2 * HASH_BYTES + 1];
    if ((rc = journal_head(j, &head_seq, head_hash)) == RU_OK)
        json_object_set_new(z, "journal_head",
                            json_pack("{s:I,s:s}", "seq", (json_int_t)head_seq, "hash", head_hash));
    else if (rc != RU_ERR_NOT_FOUND) {
        json_decref(z);
        return end(j, rc);
    }
    char *body = json_dumps(z, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(z);
    if (!body)
        return end(j, RU_ERR_NOMEM);
    s = prepare(j, "UPDATE shift SET closed_at = ?2, counted_cents = ?3, z_number = ?4 WHERE id = ?1");
    if (s) {
        sqlite3_bind_int64(s, 1, sh.id);
        sqlite3_bind_text(s, 2, closed_at, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, counted_cents);
        sqlite3_bind_int64(s, 4, number);
        rc = finish(j, s);
    } else {
        rc = RU_ERR_DB;
    }
    if (rc == RU_OK &&
        (s = prepare(j, "INSERT INTO zreport (number, shift, body, created_at) VALUES (?1, ?2, ?3, ?4)"))) {
        sqlite3_bind_int64(s, 1, number);
        sqlite3_bind_int64(s, 2, sh.id);
        sqlite3_bind_text(s, 3, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, closed_at, -1, SQLITE_STATIC);
        rc = finish(j, s);
    } else if (rc == RU_OK) {
        rc = RU_ERR_DB;
    }
    if (rc == RU_OK) {
        unsigned char h[HASH_BYTES];
        char hex[2 * HASH_BYTES + 1];
        unsigned int hl = 0;
        EVP_Digest(body, strlen(body), h, &hl, EVP_sha256(), NULL);
        hex_of(h, hex);
        rc = append(j, "shift_close",
                    json_pack("{s:I,s:I,s:I,s:s}", "id", (json_int_t)sh.id, "counted_cents",
                              (json_int_t)counted_cents, "z_number", (json_int_t)number, "z_sha256", hex));
    }
    if ((rc = end(j, rc)) == RU_OK)
        *json = body;
    else
        free(body);
    return rc;
}

enum ru_status journal_zreport(struct journal *j, long long number, char **json)
{
    sqlite3_stmt *s = prepare(j, number > 0 ? "SELECT body FROM zreport WHERE number = ?1"
                                            : "SELECT body FROM zreport ORDER BY number DESC LIMIT 1");
    if (!s)
        return RU_ERR_DB;
    if (number > 0)
        sqlite3_bind_int64(s, 1, number);
    enum ru_status rc = RU_ERR_NOT_FOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *json = strdup((const char *)sqlite3_column_text(s, 0));
        rc = *json ? RU_OK : RU_ERR_NOMEM;
    }
    sqlite3_finalize(s);
    return rc;
}

/* What the entries say of one sale. */
struct replayed {
    int seen;
    char request_id[37], serial[CARD_DIGITS + 1], plan[17], auth_code[33];
    long long shift, amount_cents;
    enum pos_sale_state state;
};

struct replay {
    struct replayed *sales;
    size_t cap;
    json_t *zsums;    /* z_number -> sha256 of its report */
    json_t *cashiers; /* id -> [wrong PINs in a row, locked until] */
};

static struct replayed *replayed_sale(struct replay *r, long long id)
{
    if (id < 1 || id > 100000000)
        return NULL;
    if ((size_t)id >= r->cap) {
        size_t cap = (size_t)id * 2;
        struct replayed *s = realloc(r->sales, cap * sizeof(*s));
        if (!s)
            return NULL;
        memset(s + r->cap, 0, (cap - r->cap) * sizeof(*s));
        r->sales = s;
        r->cap = cap;
    }
    return &r->sales[id];
}

static void copy_str(json_t *o, const char *key, char *out, size_t outlen)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (v)
        snprintf(out, outlen, "%s", v);
}

/* Apply entry TYPE with BODY; 0 when the body is not what the type needs. */
static int apply(struct replay *r, const char *type, json_t *b)
{
    long long id = json_integer_value(json_object_get(b, "id"));
    if (!strcmp(type, "sale_begin") || !strcmp(type, "sale_state")) {
        struct replayed *s = replayed_sale(r, id);
        if (!s)
            return 0;
        if (type[5] == 'b') {
            memset(s, 0, sizeof(*s));
            s->seen = 1;
            copy_str(b, "request_id", s->request_id, sizeof(s->request_id));
            copy_str(b, "serial", s->serial, sizeof(s->serial));
            copy_str(b, "plan", s->plan, sizeof(s->plan));
            s->shift = json_integer_value(json_object_get(b, "shift"));
            s->amount_cents = json_integer_value(json_object_get(b, "amount_cents"));
            s->state = SALE_SENDING;
            return 1;
        }
        if (!s->seen)
            return 0;
        s->state = state_of(json_string_value(json_object_get(b, "state")));
        copy_str(b, "serial", s->serial, sizeof(s->serial));
        copy_str(b, "auth_code", s->auth_code, sizeof(s->auth_code));
        return 1;
    }
    if (!strcmp(type, "shift_close")) {
        char key[32];
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_object_get(b, "z_number")));
        json_object_set(r->zsums, key, json_object_get(b, "z_sha256"));
        return 1;
    }
    const char *cashier = json_string_value(json_object_get(b, "id"));
    if (!strcmp(type, "cashier_add"))
        return cashier && !json_object_set_new(r->cashiers, cashier, json_pack("[i,i]", 0, 0));
    if (!strcmp(type, "cashier_pins") || !strcmp(type, "cashier_unlock"))
        return cashier && json_object_get(r->cashiers, cashier) &&
               !json_object_set_new(
                   r->cashiers, cashier,
                   json_pack("[O,O]", json_object_get(b, "failures"), json_object_get(b, "locked_until")));
    return !strcmp(type, "shift_open");
}

/* The chain, entry by entry, replayed into R. */
static enum ru_status check_chain(struct journal *j, struct replay *r, char *why, size_t whylen)
{
    sqlite3_stmt *s = prepare(j, "SELECT seq, at, type, body, prev, hash FROM entry ORDER BY seq");
    if (!s)
        return RU_ERR_DB;
    unsigned char last[HASH_BYTES] = {0}, hash[HASH_BYTES];
    long long want = 1;
    enum ru_status rc = RU_OK;
    while (rc == RU_OK && sqlite3_step(s) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(s, 0);
        const char *at = (const char *)sqlite3_column_text(s, 1),
                   *type = (const char *)sqlite3_column_text(s, 2);
        const char *body = (const char *)sqlite3_column_text(s, 3);
        rc = RU_ERR_INVALID;
        if (seq != want)
            snprintf(why, whylen, "journal entry %lld is missing (the next is %lld): deleted", want, seq);
        else if (sqlite3_column_bytes(s, 4) != HASH_BYTES ||
                 memcmp(sqlite3_column_blob(s, 4), last, HASH_BYTES))
            snprintf(why, whylen, "journal entry %lld does not follow entry %lld: the chain is broken", seq,
                     seq - 1);
        else {
            entry_hash(last, seq, at ? at : "", type ? type : "", body ? body : "", hash);
            json_t *b = body ? json_loads(body, 0, NULL) : NULL;
            if (sqlite3_column_bytes(s, 5) != HASH_BYTES ||
                memcmp(sqlite3_column_blob(s, 5), hash, HASH_BYTES))
                snprintf(why, whylen, "journal entry %lld (%s) was changed after it was written", seq,
                         type ? type : "?");
            else if (!b || !apply(r, type, b))
                snprintf(why, whylen, "journal entry %lld (%s) cannot be read", seq, type ? type : "?");
            else
                rc = RU_OK;
            json_decref(b);
            memcpy(last, hash, HASH_BYTES);
            want++;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

/* The sale table against the replay. */
static enum ru_status check_sales(struct journal *j, struct replay *r, char *why, size_t whylen)
{
    sqlite3_stmt *s =
        prepare(j, "SELECT id, request_id, shift, coalesce(serial, ''), plan, amount_cents, state,"
                   " coalesce(auth_code, '') FROM sale ORDER BY id");
    if (!s)
        return RU_ERR_DB;
    enum ru_status rc = RU_OK;
    long long expect_next = 1;
    while (rc == RU_OK && sqlite3_step(s) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(s, 0);
        for (; expect_next < id && rc == RU_OK; expect_next++)
            if ((size_t)expect_next < r->cap && r->sales[expect_next].seen) {
                snprintf(why, whylen, "sale %lld is in the journal but not in the sales table: deleted",
                         expect_next);
                rc = RU_ERR_INVALID;
            }
        expect_next = id + 1;
        if (rc != RU_OK)
            break;
        struct replayed *p = (size_t)id < r->cap ? &r->sales[id] : NULL;
        const char *what = NULL;
        if (!p || !p->seen)
            what = "is not in the journal: added behind its back";
        else if (strcmp(p->request_id, (const char *)sqlite3_column_text(s, 1)))
            what = "has another request_id than the journal";
        else if (p->shift != sqlite3_column_int64(s, 2))
            what = "has another shift than the journal";
        else if (strcmp(p->serial, (const char *)sqlite3_column_text(s, 3)))
            what = "has another serial than the journal";
        else if (strcmp(p->plan, (const char *)sqlite3_column_text(s, 4)))
            what = "has another plan than the journal";
        else if (p->amount_cents != sqlite3_column_int64(s, 5))
            what = "has another amount than the journal";
        else if (strcmp(state_names[p->state], (const char *)sqlite3_column_text(s, 6)))
            what = "has another state than the journal";
        else if (strcmp(p->auth_code, (const char *)sqlite3_column_text(s, 7)))
            what = "has another auth code than the journal";
        if (what) {
            snprintf(why, whylen, "sale %lld %s: edited", id, what);
            rc = RU_ERR_INVALID;
        }
    }
    sqlite3_finalize(s);
    for (; rc == RU_OK && (size_t)expect_next < r->cap; expect_next++)
        if (r->sales[expect_next].seen) {
            snprintf(why, whylen, "sale %lld is in the journal but not in the sales table: deleted",
                     expect_next);
            rc = RU_ERR_INVALID;
        }
    return rc;
}

/* Every Z report against the digest its shift's closing entry recorded. */
static enum ru_status check_zreports(struct journal *j, struct replay *r, char *why, size_t whylen)
{
    sqlite3_stmt *s = prepare(j, "SELECT number, body FROM zreport ORDER BY number");
    if (!s)
        return RU_ERR_DB;
    enum ru_status rc = RU_OK;
    while (rc == RU_OK && sqlite3_step(s) == SQLITE_ROW) {
        char key[32], hex[2 * HASH_BYTES + 1];
        unsigned char h[HASH_BYTES];
        unsigned int hl = 0;
        const char *body = (const char *)sqlite3_column_text(s, 1);
        snprintf(key, sizeof(key), "%lld", (long long)sqlite3_column_int64(s, 0));
        EVP_Digest(body, strlen(body), h, &hl, EVP_sha256(), NULL);
        hex_of(h, hex);
        const char *want = json_string_value(json_object_get(r->zsums, key));
        if (!want || strcmp(want, hex)) {
            snprintf(why, whylen, "Z report %s does not match its shift's closing entry: edited", key);
            rc = RU_ERR_INVALID;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

/* Every cashier's count of wrong PINs and lock against the replay: a lock lifted behind
 * the journal's back is named. */
static enum ru_status check_cashiers(struct journal *j, struct replay *r, char *why, size_t whylen)
{
    sqlite3_stmt *s =
        prepare(j, "SELECT id, failed_pins, coalesce(locked_until, 0) FROM cashier ORDER BY id");
    if (!s)
        return RU_ERR_DB;
    enum ru_status rc = RU_OK;
    size_t rows = 0;
    while (rc == RU_OK && sqlite3_step(s) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        json_t *p = json_object_get(r->cashiers, id);
        rows++;
        const char *what = NULL;
        if (!p)
            what = "is not in the journal: added behind its back";
        else if (json_integer_value(json_array_get(p, 0)) != sqlite3_column_int64(s, 1) ||
                 json_integer_value(json_array_get(p, 1)) != sqlite3_column_int64(s, 2))
            what = "has another count of wrong PINs or lock than the journal";
        if (what) {
            snprintf(why, whylen, "cashier %.32s %s: edited", id, what);
            rc = RU_ERR_INVALID;
        }
    }
    sqlite3_finalize(s);
    if (rc == RU_OK && rows != json_object_size(r->cashiers)) {
        snprintf(why, whylen, "a cashier is in the journal but not in the cashiers table: deleted");
        rc = RU_ERR_INVALID;
    }
    return rc;
}

enum ru_status journal_verify(struct journal *j, char *why, size_t whylen)
{
    struct replay r = {.zsums = json_object(), .cashiers = json_object()};
    enum ru_status rc = db_exec(j->db, "BEGIN");
    if (rc == RU_OK) {
        rc = check_chain(j, &r, why, whylen);
        if (rc == RU_OK)
            rc = check_sales(j, &r, why, whylen);
        if (rc == RU_OK)
            rc = check_zreports(j, &r, why, whylen);
        if (rc == RU_OK)
            rc = check_cashiers(j, &r, why, whylen);
        db_rollback(j->db);
    }
    free(r.sales);
    json_decref(r.zsums);
    json_decref(r.cashiers);
    return rc;
}
