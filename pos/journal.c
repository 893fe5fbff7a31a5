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
#include "db/uselock.h"
#include "common/banned.h"

#define PIN_ROUNDS 100000
#define HASH_BYTES 32
#define SALT_BYTES 16

extern const char *const pos_migrations[];

static const char *const state_names[] = {"sending",  "approved",     "declined", "reversal_pending",
                                          "reversed", "void_pending", "voided"};

struct journal {
    struct db *db;
    int lock; /* the journal folder's use lock (db/uselock.h): restore waits for nobody */
    char err[400];
    char now[24]; /* the time of the write under way: its entry's and its rows' */
};

static enum ru_status checkpoint_if_due(struct journal *j) RU_WARN_UNUSED;

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
    j->lock = -1;
    enum ru_status rc = uselock_take_file(path, &j->lock, j->err, sizeof(j->err));
    if (rc != RU_OK)
        return rc == RU_ERR_DECLINED ? RU_ERR_DB : rc;
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
    rc = privatefile_check_db(path, j->err, sizeof(j->err));
    if (rc != RU_OK)
        return rc == RU_ERR_INVALID ? rc : RU_ERR_DB;
    rc = db_open(path, DB_CREATE | DB_SYNC_FULL, pos_migrations, &j->db);
    return rc == RU_OK ? checkpoint_if_due(j) : rc;
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
    uselock_release(j->lock);
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

/* N bytes as 2N lowercase hex digits and a NUL in OUT. */
static void hex_n(const unsigned char *bytes, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    out[2 * n] = '\0';
}

static void hex_of(const unsigned char *bytes, char out[2 * HASH_BYTES + 1])
{
    hex_n(bytes, HASH_BYTES, out);
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

enum ru_status journal_holds(struct journal *j, const struct auth_head *heads, size_t n, char *why,
                             size_t whylen)
{
    char at_hash[2 * HASH_BYTES + 1] = "", last_hash[2 * HASH_BYTES + 1];
    long long last = 0;
    size_t i = 0;
    sqlite3_stmt *s = prepare(j, "SELECT hash FROM entry WHERE seq = ?1");
    if (!s)
        return RU_ERR_DB;
    enum ru_status rc = RU_OK;
    for (; i < n && rc == RU_OK; i++) {
        int r;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, heads[i].seq);
        at_hash[0] = '\0';
        if ((r = sqlite3_step(s)) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == HASH_BYTES)
            hex_of(sqlite3_column_blob(s, 0), at_hash);
        else if (r != SQLITE_ROW && r != SQLITE_DONE)
            rc = RU_ERR_DB;
        if (rc == RU_OK && strcmp(at_hash, heads[i].hash) != 0)
            rc = RU_ERR_INVALID;
    }
    sqlite3_finalize(s);
    if (rc != RU_ERR_INVALID)
        return rc;
    const struct auth_head *h = &heads[i - 1];
    /* only now, on the way out: where the chain ends tells a rollback from a rebuild */
    if ((rc = journal_head(j, &last, last_hash)) != RU_OK && rc != RU_ERR_NOT_FOUND)
        return rc;
    if (last < h->seq)
        snprintf(why, whylen,
                 "the issuer saw journal entry %lld, but this journal ends at entry %lld: it was rolled back"
                 " (an older copy restored?)",
                 h->seq, last);
    else
        snprintf(
            why, whylen,
            "journal entry %lld is not the one the issuer saw (its hash %.12s..., the issuer's %.12s...):"
            " the chain was rebuilt, or an older copy restored and written to since",
            h->seq, *at_hash ? at_hash : "none", h->hash);
    return RU_ERR_INVALID;
}

/* Append an entry of TYPE with BODY to the chain, inside the caller's transaction begun by
 * begin(): the entry is stamped with the transaction's time, as are the rows it writes. */
static enum ru_status append(struct journal *j, const char *type, const json_t *body)
{
    unsigned char prev[HASH_BYTES] = {0}, hash[HASH_BYTES];
    long long seq = 1;
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
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
        entry_hash(prev, seq, j->now, type, text, hash);
        s = prepare(j, "INSERT INTO entry (seq, at, type, body, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!s)
            rc = RU_ERR_DB;
        else {
            sqlite3_bind_int64(s, 1, seq);
            sqlite3_bind_text(s, 2, j->now, -1, SQLITE_STATIC);
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

/* Begin a write: the write lock, and the time its entry and rows carry. */
static enum ru_status begin(struct journal *j)
{
    time_t now = time(NULL);
    struct tm tm;
    strftime(j->now, sizeof(j->now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    j->err[0] = '\0';
    return db_begin(j->db);
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

/*
 * The tables are a projection of the entries. Every write builds the entry's body: the
 * rows it inserts, updates or deletes with every column it sets ({"ops": [{"op": "insert",
 * "table": "sale", "row": {...}}, ...]}), appends it to the chain, then applies that body to
 * the tables with apply(), in one transaction. `verify` runs the same apply() over every
 * entry into a fresh database and compares the two column by column, so the projection and
 * the writes cannot drift apart.
 */

/* The tables the entries project, in the order a checkpoint restores them (a row after the
 * rows it refers to). `entry` (the chain itself) and `checkpoint_due` are not projected. */
static const struct projected {
    const char *name, *pk;
    const char *noun, *plural; /* for messages */
} projected[] = {
    {"cashier", "id", "cashier", "cashiers"}, {"shift", "id", "shift", "shifts"},
    {"sale", "id", "sale", "sales"},          {"outbox", "id", "outbox item", "outbox"},
    {"catalog", "code", "plan", "catalog"},   {"zreport", "number", "Z report", "Z reports"},
};
#define PROJECTED (sizeof(projected) / sizeof(projected[0]))

static const struct projected *projected_table(const char *name)
{
    for (size_t i = 0; name && i < PROJECTED; i++)
        if (!strcmp(projected[i].name, name))
            return &projected[i];
    return NULL;
}

/* Blobs (PIN salts and hashes) travel in an entry as {"hex": "..."}. */
static json_t *blob_json(const unsigned char *p, size_t n)
{
    char hex[2 * 64 + 1];
    if (n > 64)
        return NULL;
    hex_n(p, n, hex);
    return json_pack("{s:s}", "hex", hex);
}

/* TEXT as a JSON string; bytes that are not UTF-8 (a message from outside) become '?', in
 * the entry and so in the table alike. */
static json_t *text_json(const char *t)
{
    if (!t)
        return json_null();
    json_t *v = json_string(t);
    if (v)
        return v;
    char *copy = strdup(t);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

/* Column COL of S as JSON: what a checkpoint records of a row. */
static json_t *column_json(sqlite3_stmt *s, int col)
{
    switch (sqlite3_column_type(s, col)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, col));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(s, col));
    case SQLITE_TEXT: return text_json((const char *)sqlite3_column_text(s, col));
    case SQLITE_BLOB: return blob_json(sqlite3_column_blob(s, col), (size_t)sqlite3_column_bytes(s, col));
    default: return json_null();
    }
}

/* Bind JSON value V as parameter I; 0 when it is no value a column takes. */
static int bind_json(sqlite3_stmt *s, int i, json_t *v)
{
    if (json_is_integer(v))
        return sqlite3_bind_int64(s, i, json_integer_value(v)) == SQLITE_OK;
    if (json_is_real(v))
        return sqlite3_bind_double(s, i, json_real_value(v)) == SQLITE_OK;
    if (json_is_boolean(v))
        return sqlite3_bind_int(s, i, json_is_true(v)) == SQLITE_OK;
    if (json_is_string(v))
        return sqlite3_bind_text(s, i, json_string_value(v), (int)json_string_length(v), SQLITE_TRANSIENT) ==
               SQLITE_OK;
    if (json_is_null(v))
        return sqlite3_bind_null(s, i) == SQLITE_OK;
    const char *hex = json_string_value(json_object_get(v, "hex"));
    unsigned char blob[64];
    size_t n = hex ? strlen(hex) / 2 : 0;
    if (!hex || strlen(hex) % 2 || n > sizeof(blob))
        return 0;
    for (size_t k = 0; k < n; k++) {
        unsigned int byte;
        if (sscanf(hex + 2 * k, "%2x", &byte) != 1)
            return 0;
        blob[k] = (unsigned char)byte;
    }
    return sqlite3_bind_blob(s, i, blob, (int)n, SQLITE_TRANSIENT) == SQLITE_OK;
}

/* A column's name as an entry gives it: quoted into SQL, so only [a-z0-9_]. */
static int name_ok(const char *n)
{
    return *n && strlen(n) < 64 && strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(n);
}

/* "" for what is not a JSON string. */
static const char *str(json_t *v)
{
    const char *t = json_string_value(v);
    return t ? t : "";
}

/* A row's key for messages. */
static void key_text(json_t *pk, char *out, size_t outlen)
{
    if (json_is_integer(pk))
        snprintf(out, outlen, "%lld", (long long)json_integer_value(pk));
    else
        snprintf(out, outlen, "%.40s", str(pk));
}

/* One op of an entry on DB: insert, update or delete ROW of TABLE. ERR (ERRLEN) says why
 * when the op is malformed; a refusal of SQLite is on DB's handle. */
static enum ru_status apply_op(struct db *db, json_t *op, char *err, size_t errlen)
{
    const char *kind = json_string_value(json_object_get(op, "op"));
    const struct projected *t = projected_table(json_string_value(json_object_get(op, "table")));
    json_t *row = json_object_get(op, "row"), *pk = json_object_get(row, t ? t->pk : "");
    if (!kind || !t || !json_is_object(row) || !pk || (strcmp(kind, "insert") && json_object_size(row) < 1)) {
        snprintf(err, errlen, "an operation names no known table, row or key");
        return RU_ERR_INVALID;
    }
    int insert = !strcmp(kind, "insert"), update = !strcmp(kind, "update"), del = !strcmp(kind, "delete");
    char sql[2048];
    size_t n = 0;
    if (insert)
        n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO \"%s\" (", t->name);
    else if (update)
        n = (size_t)snprintf(sql, sizeof(sql), "UPDATE \"%s\" SET ", t->name);
    else if (del)
        n = (size_t)snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", t->name);
    else {
        snprintf(err, errlen, "an operation is neither insert, update nor delete");
        return RU_ERR_INVALID;
    }
    const char *col;
    json_t *v;
    int cols = 0;
    json_object_foreach(row, col, v)
    {
        if (!name_ok(col)) {
            snprintf(err, errlen, "a column's name is not one of the journal's");
            return RU_ERR_INVALID;
        }
        if (del || (update && !strcmp(col, t->pk)))
            continue;
        n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, "%s\"%s\"%s", cols ? ", " : "",
                              col, update ? " = ?" : "");
        cols++;
    }
    if (insert) {
        n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, ") VALUES (");
        for (int i = 0; i < cols; i++)
            n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, "%s?", i ? ", " : "");
        n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, ")");
    } else {
        n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, " WHERE \"%s\" = ?", t->pk);
    }
    if (n >= sizeof(sql) || (update && !cols)) {
        snprintf(err, errlen, "an operation is too long or sets nothing");
        return RU_ERR_INVALID;
    }
    sqlite3_stmt *s = NULL;
    enum ru_status rc = db_prepare(db, sql, &s);
    if (rc != RU_OK)
        return rc;
    int i = 1, bound = 1;
    json_object_foreach(row, col, v)
    {
        if (!del && !(update && !strcmp(col, t->pk)))
            bound = bound && bind_json(s, i++, v);
    }
    if (!insert)
        bound = bound && bind_json(s, i, pk);
    int r = bound ? sqlite3_step(s) : SQLITE_MISUSE;
    if (!bound) {
        snprintf(err, errlen, "a value is none a column takes");
        rc = RU_ERR_INVALID;
    } else if ((r & 0xff) == SQLITE_CONSTRAINT) {
        (void)db_fail(db, "applying a journal entry");
        rc = RU_ERR_EXISTS;
    } else if (r != SQLITE_DONE) {
        rc = db_fail(db, "applying a journal entry");
    } else if (!insert && sqlite3_changes(db_sqlite(db)) != 1) {
        char key[64];
        key_text(pk, key, sizeof(key));
        snprintf(err, errlen, "%s %s is not there to %s", t->noun, key, kind);
        rc = RU_ERR_NOT_FOUND;
    }
    sqlite3_finalize(s);
    return rc;
}

/* 1 when cashier ID is a manager on DB. */
static int is_manager(struct db *db, const char *id)
{
    sqlite3_stmt *s = NULL;
    if (!id || db_prepare(db, "SELECT role = 'manager' FROM cashier WHERE id = ?1", &s) != RU_OK)
        return 0;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int yes = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return yes;
}

/* The cashiers on DB (0 on failure). */
static long long cashiers(struct db *db)
{
    sqlite3_stmt *s = NULL;
    if (db_prepare(db, "SELECT count(*) FROM cashier", &s) != RU_OK)
        return 0;
    long long n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return n;
}

/* Who may make the change (docs/pos.md, "Authority"): adding a cashier, changing a role or a
 * PIN and unlocking need a manager ("by"), except the first manager of an empty journal.
 * Checked here, where live writes and the replay both pass. */
static enum ru_status authorised(struct db *db, const char *type, json_t *body, char *err, size_t errlen)
{
    const char *by = json_string_value(json_object_get(body, "by"));
    int needs = !strcmp(type, "cashier_unlock");
    size_t i;
    json_t *op;
    json_array_foreach(json_object_get(body, "ops"), i, op)
    {
        json_t *row = json_object_get(op, "row");
        if (strcmp(str(json_object_get(op, "table")), "cashier"))
            continue;
        if (!strcmp(str(json_object_get(op, "op")), "insert")) {
            if (!by && cashiers(db) == 0 && !strcmp(str(json_object_get(row, "role")), "manager"))
                continue; /* the first manager */
            needs = 1;
        } else if (json_object_get(row, "role") || json_object_get(row, "pin_hash") ||
                   json_object_get(row, "pin_salt")) {
            needs = 1;
        }
    }
    if (!needs || is_manager(db, by))
        return RU_OK;
    if (by)
        snprintf(err, errlen, "cashier %.32s is not a manager: only a manager approves this", by);
    else
        snprintf(err, errlen, "%s",
                 cashiers(db) ? "a manager's approval is needed"
                              : "the first cashier of an empty journal is a manager");
    return RU_ERR_INVALID;
}

/* Apply the body of an entry of TYPE to DB: the one way tables change, live and in replay. */
static enum ru_status apply(struct db *db, const char *type, json_t *body, char *err, size_t errlen)
{
    json_t *ops = json_object_get(body, "ops");
    if (!json_is_array(ops)) {
        snprintf(err, errlen, "the entry holds no operations");
        return RU_ERR_INVALID;
    }
    /* a checkpoint restores the cashiers as they were: no approval to check */
    enum ru_status rc = strcmp(type, "checkpoint") ? authorised(db, type, body, err, errlen) : RU_OK;
    size_t i;
    json_t *op;
    json_array_foreach(ops, i, op)
    {
        if (rc == RU_OK)
            rc = apply_op(db, op, err, errlen);
    }
    return rc;
}

/* One change being written: the entry's body, built op by op. */
struct change {
    json_t *body;
    int broken; /* an allocation failed: nothing is written */
};

static void change_init(struct change *c)
{
    c->body = json_pack("{s:[]}", "ops");
    c->broken = !c->body;
}

/* Add an op on a row of TABLE; ROW is stolen. */
static void change_op(struct change *c, const char *op, const char *table, json_t *row)
{
    json_t *o = row ? json_pack("{s:s,s:s,s:o}", "op", op, "table", table, "row", row) : NULL;
    if (!o || json_array_append_new(json_object_get(c->body, "ops"), o))
        c->broken = 1;
}

/* Set KEY of a row being built (V stolen). */
static void row_set(struct change *c, json_t *row, const char *key, json_t *v)
{
    if (!row || !v || json_object_set_new(row, key, v))
        c->broken = 1;
}

/* Append the change as an entry of TYPE, then apply it to the tables, inside the caller's
 * transaction. Frees C's body. */
static enum ru_status record(struct journal *j, const char *type, struct change *c)
{
    enum ru_status rc = c->broken ? RU_ERR_NOMEM : RU_OK;
    if (rc == RU_OK)
        rc = append(j, type, c->body);
    if (rc == RU_OK)
        rc = apply(j->db, type, c->body, j->err, sizeof(j->err));
    json_decref(c->body);
    c->body = NULL;
    return rc;
}

/* The next free key of TABLE (an integer key): given in the entry, so replay makes the same. */
static long long next_id(struct journal *j, const char *sql)
{
    sqlite3_stmt *s = prepare(j, sql);
    long long id = s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return id;
}

/* Every projected table of DB as {"table": [row, ...]}, for a checkpoint; NULL on failure. */
static json_t *snapshot(struct db *db)
{
    json_t *tables = json_object();
    for (size_t t = 0; tables && t < PROJECTED; t++) {
        char sql[128];
        sqlite3_stmt *s = NULL;
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY \"%s\"", projected[t].name,
                 projected[t].pk);
        json_t *rows = json_array();
        int ok = rows && db_prepare(db, sql, &s) == RU_OK, r;
        while (ok && (r = sqlite3_step(s)) == SQLITE_ROW) {
            json_t *row = json_object();
            for (int c = 0; row && c < sqlite3_column_count(s); c++)
                if (json_object_set_new(row, sqlite3_column_name(s, c), column_json(s, c))) {
                    json_decref(row);
                    row = NULL;
                }
            ok = row && !json_array_append_new(rows, row);
        }
        ok = ok && r == SQLITE_DONE;
        sqlite3_finalize(s);
        if (!ok || json_object_set_new(tables, projected[t].name, rows)) {
            json_decref(tables);
            tables = NULL;
        }
    }
    return tables;
}

/* A checkpoint's snapshot as a body of inserts, for apply(). */
static json_t *checkpoint_ops(json_t *cp)
{
    struct change c;
    change_init(&c);
    json_t *tables = json_object_get(cp, "tables");
    for (size_t t = 0; t < PROJECTED; t++) {
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(tables, projected[t].name), i, row)
        {
            change_op(&c, "insert", projected[t].name, json_incref(row));
        }
    }
    if (c.broken || !json_is_object(tables)) {
        json_decref(c.body);
        return NULL;
    }
    return c.body;
}

/* A journal written before its entries held every column (schema 1 and 2) starts its
 * replay at a checkpoint: the migration marks it due, and the first opening writes it. */
static enum ru_status checkpoint_if_due(struct journal *j)
{
    sqlite3_stmt *s = prepare(j, "SELECT count(*) FROM sqlite_master WHERE name = 'checkpoint_due'");
    int due = s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (!s || !due)
        return s ? RU_OK : RU_ERR_DB;
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    /* only ever once, and only over entries that cannot be replayed */
    s = prepare(j, "SELECT (SELECT count(*) FROM checkpoint_due), (SELECT count(*) FROM entry"
                   " WHERE type = 'checkpoint' OR json_extract(body, '$.ops') IS NOT NULL)");
    if (!s)
        return end(j, RU_ERR_DB);
    int wanted = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) && !sqlite3_column_int(s, 1);
    sqlite3_finalize(s);
    if (wanted) {
        json_t *tables = snapshot(j->db);
        json_t *body = tables ? json_pack("{s:o}", "tables", tables) : NULL;
        rc = body ? append(j, "checkpoint", body) : RU_ERR_NOMEM;
        json_decref(body);
    }
    if (rc == RU_OK)
        rc = db_exec(j->db, "DROP TABLE checkpoint_due");
    return end(j, rc);
}

static void pin_hash(const char *pin, const unsigned char *salt, unsigned char out[HASH_BYTES])
{
    PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, SALT_BYTES, PIN_ROUNDS, EVP_sha256(), HASH_BYTES, out);
}

/* A fresh salt and the hash of PIN into ROW. */
static enum ru_status set_pin(struct change *c, json_t *row, const char *pin)
{
    unsigned char salt[SALT_BYTES], hash[HASH_BYTES];
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return RU_ERR_IO;
    pin_hash(pin, salt, hash);
    row_set(c, row, "pin_salt", blob_json(salt, SALT_BYTES));
    row_set(c, row, "pin_hash", blob_json(hash, HASH_BYTES));
    explicit_bzero(hash, sizeof(hash));
    return RU_OK;
}

/* Write the change on cashier ID of TYPE, approved by BY (NULL: nobody), in a transaction
 * of its own. ROW holds the columns set besides the key, the time and the PIN (stolen). */
static enum ru_status cashier_change(struct journal *j, const char *type, const char *op, const char *id,
                                     json_t *row, const char *pin, const char *by)
{
    struct change c;
    change_init(&c);
    row_set(&c, row, "id", json_string(id));
    /* hashed before the write lock is taken: it takes a while on purpose */
    enum ru_status rc = pin ? set_pin(&c, row, pin) : RU_OK;
    if (rc == RU_OK)
        rc = begin(j);
    if (rc != RU_OK) {
        json_decref(row);
        json_decref(c.body);
        return rc;
    }
    if (!strcmp(op, "insert"))
        row_set(&c, row, "created_at", json_string(j->now));
    change_op(&c, op, "cashier", row);
    if (by)
        row_set(&c, c.body, "by", json_string(by));
    return end(j, record(j, type, &c));
}

enum ru_status journal_cashier_add(struct journal *j, const char *id, const char *name, int manager,
                                   const char *pin, const char *by)
{
    return cashier_change(j, "cashier_add", "insert", id,
                          json_pack("{s:o,s:s,s:i,s:n}", "name", text_json(name), "role",
                                    manager ? "manager" : "cashier", "failed_pins", 0, "locked_until"),
                          pin, by);
}

enum ru_status journal_cashier_set_role(struct journal *j, const char *id, int manager, const char *by)
{
    return cashier_change(j, "cashier_role", "update", id,
                          json_pack("{s:s}", "role", manager ? "manager" : "cashier"), NULL, by);
}

enum ru_status journal_cashier_set_pin(struct journal *j, const char *id, const char *pin, const char *by)
{
    return cashier_change(j, "cashier_pin", "update", id, json_object(), pin, by);
}

/* Cashier ID's count of wrong PINs and lock as they are now, inside the caller's
 * transaction, and as an entry of the chain: 'cashier_unlock' when a manager (UNLOCKED_BY)
 * lifted them, else 'cashier_pins'. */
static enum ru_status set_pins(struct journal *j, const char *id, int failures, long long locked_until,
                               const char *unlocked_by)
{
    struct change c;
    change_init(&c);
    json_t *row = json_pack("{s:s,s:i}", "id", id, "failed_pins", failures);
    row_set(&c, row, "locked_until", locked_until ? json_integer(locked_until) : json_null());
    change_op(&c, "update", "cashier", row);
    if (unlocked_by)
        row_set(&c, c.body, "by", json_string(unlocked_by));
    return record(j, unlocked_by ? "cashier_unlock" : "cashier_pins", &c);
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
    enum ru_status rc = begin(j);
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
    enum ru_status rc = begin(j);
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
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    long long id = next_id(j, "SELECT coalesce(max(id), 0) + 1 FROM shift");
    struct change c;
    change_init(&c);
    change_op(&c, "insert", "shift",
              json_pack("{s:I,s:s,s:i,s:I,s:s,s:n,s:n,s:n}", "id", (json_int_t)id, "cashier", cashier,
                        "training", training ? 1 : 0, "float_cents", (json_int_t)float_cents, "opened_at",
                        j->now, "closed_at", "counted_cents", "z_number"));
    if (!id)
        c.broken = 1;
    if ((rc = end(j, record(j, "shift_open", &c))) == RU_OK)
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
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    long long id = next_id(j, "SELECT coalesce(max(id), 0) + 1 FROM sale");
    struct change c;
    change_init(&c);
    json_t *row =
        json_pack("{s:I,s:s,s:I,s:s,s:o,s:o,s:I,s:o,s:s,s:I,s:I,s:s,s:n,s:n,s:i,s:s,s:s}", "id",
                  (json_int_t)id, "request_id", sale->request_id, "shift", (json_int_t)sale->shift, "kind",
                  sale->on_demand ? "on_demand" : "activation", "serial",
                  sale->serial[0] ? text_json(sale->serial) : json_null(), "plan", text_json(sale->plan),
                  "amount_cents", (json_int_t)sale->amount_cents, "currency", text_json(sale->currency),
                  "tender", sale->card_tender ? "card" : "cash", "cash_cents", (json_int_t)sale->cash_cents,
                  "change_cents", (json_int_t)sale->change_cents, "state", "sending", "auth_code", "message",
                  "training", sale->training ? 1 : 0, "created_at", j->now, "changed_at", j->now);
    change_op(&c, "insert", "sale", row);
    if (!id)
        c.broken = 1;
    if ((rc = end(j, record(j, "sale_begin", &c))) == RU_OK)
        sale->id = id;
    return rc;
}

/* Queue a KIND (reversal, void, receipt) for sale SALE into C. */
static void queue(struct journal *j, struct change *c, long long sale, const char *kind)
{
    long long id = next_id(j, "SELECT coalesce(max(id), 0) + 1 FROM outbox");
    change_op(c, "insert", "outbox",
              json_pack("{s:I,s:s,s:I,s:i,s:i,s:n,s:n}", "id", (json_int_t)id, "kind", kind, "sale",
                        (json_int_t)sale, "attempts", 0, "next_at", 0, "last_error", "done_at"));
    if (!id)
        c->broken = 1;
}

/* The state change into C: what the issuer said (each may be NULL: unchanged), and a
 * reversal or void queued with a pending state. */
static void set_state(struct journal *j, struct change *c, long long id, enum pos_sale_state state,
                      const char *serial, const char *auth_code, const char *message)
{
    json_t *row =
        json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "state", state_names[state], "changed_at", j->now);
    if (serial && *serial)
        row_set(c, row, "serial", text_json(serial));
    if (auth_code)
        row_set(c, row, "auth_code", text_json(auth_code));
    if (message)
        row_set(c, row, "message", text_json(message));
    change_op(c, "update", "sale", row);
    if (state == SALE_REVERSAL_PENDING || state == SALE_VOID_PENDING)
        queue(j, c, id, state == SALE_VOID_PENDING ? "void" : "reversal");
}

enum ru_status journal_sale_state(struct journal *j, long long id, enum pos_sale_state state,
                                  const char *serial, const char *auth_code, const char *message)
{
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    struct change c;
    change_init(&c);
    set_state(j, &c, id, state, serial, auth_code, message);
    return end(j, record(j, "sale_state", &c));
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

/* 1 when the cached catalog is PLANS already (when it was fetched aside). */
static int catalog_same(struct journal *j, const struct pos_plan *plans, size_t n)
{
    if (next_id(j, "SELECT count(*) + 1 FROM catalog") != (long long)n + 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *s =
            prepare(j, "SELECT 1 FROM catalog WHERE code = ?1 AND months = ?2 AND price_cents = ?3"
                       " AND currency = ?4");
        if (!s)
            return 0;
        sqlite3_bind_text(s, 1, plans[i].code, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, plans[i].months);
        sqlite3_bind_int64(s, 3, plans[i].price_cents);
        sqlite3_bind_text(s, 4, plans[i].currency, -1, SQLITE_STATIC);
        int found = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_finalize(s);
        if (!found)
            return 0;
    }
    return 1;
}

enum ru_status journal_catalog_store(struct journal *j, const struct pos_plan *plans, size_t n)
{
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    /* the same catalog again only renews its time: the till fetches it when that is old */
    int same = catalog_same(j, plans, n);
    struct change c;
    change_init(&c);
    sqlite3_stmt *s = prepare(j, "SELECT code FROM catalog ORDER BY code");
    if (!s) {
        json_decref(c.body);
        return end(j, RU_ERR_DB);
    }
    while (sqlite3_step(s) == SQLITE_ROW)
        change_op(&c, same ? "update" : "delete", "catalog",
                  same ? json_pack("{s:o,s:s}", "code", column_json(s, 0), "fetched_at", j->now)
                       : json_pack("{s:o}", "code", column_json(s, 0)));
    sqlite3_finalize(s);
    for (size_t i = 0; !same && i < n; i++)
        change_op(&c, "insert", "catalog",
                  json_pack("{s:o,s:i,s:I,s:o,s:s}", "code", text_json(plans[i].code), "months",
                            plans[i].months, "price_cents", (json_int_t)plans[i].price_cents, "currency",
                            text_json(plans[i].currency), "fetched_at", j->now));
    return end(j, record(j, "catalog", &c));
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

enum ru_status journal_catalog_age(struct journal *j, long long now, long long *age_s)
{
    sqlite3_stmt *s = prepare(j, "SELECT ?1 - CAST(strftime('%s', min(fetched_at)) AS INTEGER) FROM catalog");
    if (!s)
        return RU_ERR_DB;
    sqlite3_bind_int64(s, 1, now);
    enum ru_status rc = RU_ERR_NOT_FOUND;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *age_s = sqlite3_column_int64(s, 0);
        rc = RU_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

enum ru_status journal_recover(struct journal *j, unsigned long *n)
{
    enum ru_status rc = begin(j);
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
    for (size_t i = 0; rc == RU_OK && i < k; i++) {
        struct change c;
        change_init(&c);
        set_state(j, &c, ids[i], SALE_REVERSAL_PENDING, NULL, NULL,
                  "no answer: the terminal stopped while sending");
        rc = record(j, "sale_state", &c);
    }
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
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    struct change c;
    change_init(&c);
    queue(j, &c, id, "receipt");
    return end(j, record(j, "outbox_add", &c));
}

/* Outbox item ID's next count of attempts into ROW. */
static void attempted(struct journal *j, struct change *c, json_t *row, long long id)
{
    sqlite3_stmt *s = prepare(j, "SELECT attempts + 1 FROM outbox WHERE id = ?1");
    if (s)
        sqlite3_bind_int64(s, 1, id);
    row_set(c, row, "attempts",
            json_integer(s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 1));
    sqlite3_finalize(s);
}

enum ru_status journal_outbox_done(struct journal *j, const struct pos_outbox_item *it)
{
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    struct change c;
    change_init(&c);
    json_t *row = json_pack("{s:I,s:s}", "id", (json_int_t)it->id, "done_at", j->now);
    attempted(j, &c, row, it->id);
    change_op(&c, "update", "outbox", row);
    if (!it->receipt)
        set_state(j, &c, it->sale, it->void_ ? SALE_VOIDED : SALE_REVERSED, NULL, NULL, NULL);
    return end(j, record(j, "outbox_done", &c));
}

enum ru_status journal_outbox_retry(struct journal *j, long long id, long long next_at, const char *error)
{
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    struct change c;
    change_init(&c);
    json_t *row = json_pack("{s:I,s:I,s:o}", "id", (json_int_t)id, "next_at", (json_int_t)next_at,
                            "last_error", text_json(error));
    attempted(j, &c, row, id);
    change_op(&c, "update", "outbox", row);
    return end(j, record(j, "outbox_retry", &c));
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
    enum ru_status rc = begin(j);
    if (rc != RU_OK)
        return rc;
    if ((rc = journal_shift_current(j, &sh)) != RU_OK)
        return end(j, rc);
    long long number = next_id(j, "SELECT coalesce(max(number), 0) + 1 FROM zreport");
    json_t *o;
    if ((rc = totals(j, sh.id, &o)) != RU_OK)
        return end(j, rc);
    long long expected = json_integer_value(json_object_get(o, "expected_cash_cents"));
    json_t *z = json_pack("{s:I,s:I,s:s,s:s}", "z_number", (json_int_t)number, "shift_id", (json_int_t)sh.id,
                          "opened_at", sh.opened_at, "closed_at", j->now);
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
    struct change c;
    change_init(&c);
    change_op(&c, "update", "shift",
              json_pack("{s:I,s:s,s:I,s:I}", "id", (json_int_t)sh.id, "closed_at", j->now, "counted_cents",
                        (json_int_t)counted_cents, "z_number", (json_int_t)number));
    change_op(&c, "insert", "zreport",
              json_pack("{s:I,s:I,s:s,s:s}", "number", (json_int_t)number, "shift", (json_int_t)sh.id, "body",
                        body, "created_at", j->now));
    if ((rc = end(j, record(j, "shift_close", &c))) == RU_OK)
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

/* Replay the chain: every entry's hash checked, and from the start (or the checkpoint of a
 * migrated journal) every entry applied to FRESH. */
static enum ru_status replay(struct journal *j, struct db *fresh, char *why, size_t whylen)
{
    sqlite3_stmt *s = prepare(j, "SELECT seq, at, type, body, prev, hash FROM entry ORDER BY seq");
    if (!s)
        return RU_ERR_DB;
    unsigned char last[HASH_BYTES] = {0}, hash[HASH_BYTES];
    long long want = 1;
    int legacy = 0, checkpoint = 0, replayed = 0; /* entries seen of each kind */
    enum ru_status rc = RU_OK;
    while (rc == RU_OK && sqlite3_step(s) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(s, 0);
        const char *at = (const char *)sqlite3_column_text(s, 1),
                   *type = (const char *)sqlite3_column_text(s, 2);
        const char *body = (const char *)sqlite3_column_text(s, 3);
        type = type ? type : "?";
        rc = RU_ERR_INVALID;
        if (seq != want) {
            snprintf(why, whylen, "journal entry %lld is missing (the next is %lld): deleted", want, seq);
            break;
        }
        if (sqlite3_column_bytes(s, 4) != HASH_BYTES || memcmp(sqlite3_column_blob(s, 4), last, HASH_BYTES)) {
            snprintf(why, whylen, "journal entry %lld does not follow entry %lld: the chain is broken", seq,
                     seq - 1);
            break;
        }
        entry_hash(last, seq, at ? at : "", type, body ? body : "", hash);
        memcpy(last, hash, HASH_BYTES);
        want++;
        if (sqlite3_column_bytes(s, 5) != HASH_BYTES || memcmp(sqlite3_column_blob(s, 5), hash, HASH_BYTES)) {
            snprintf(why, whylen, "journal entry %lld (%s) was changed after it was written", seq, type);
            break;
        }
        json_t *b = body ? json_loads(body, 0, NULL) : NULL, *ops = NULL;
        char err[300] = "";
        if (!json_is_object(b)) {
            snprintf(why, whylen, "journal entry %lld (%s) cannot be read", seq, type);
        } else if (!strcmp(type, "checkpoint")) {
            /* written once, by the migration, over entries that cannot be replayed */
            if (checkpoint || replayed)
                snprintf(why, whylen, "journal entry %lld is a checkpoint after entries that replay", seq);
            else if (!(ops = checkpoint_ops(b)))
                snprintf(why, whylen, "journal entry %lld (checkpoint) cannot be read", seq);
            else if ((rc = apply(fresh, type, ops, err, sizeof(err))) != RU_OK)
                snprintf(why, whylen, "journal entry %lld (checkpoint) cannot be replayed: %s", seq,
                         err[0] ? err : db_errmsg(fresh));
            checkpoint = 1;
        } else if (!json_object_get(b, "ops")) {
            /* written before entries held every column: only a checkpoint after it says
             * what the tables held */
            if (checkpoint || replayed)
                snprintf(why, whylen, "journal entry %lld (%s) holds no columns to replay", seq, type);
            else
                rc = RU_OK;
            legacy = 1;
        } else if (legacy && !checkpoint) {
            snprintf(why, whylen, "journal entry %lld (%s) follows older entries without a checkpoint", seq,
                     type);
        } else if ((rc = apply(fresh, type, b, err, sizeof(err))) != RU_OK) {
            snprintf(why, whylen, "journal entry %lld (%s) cannot be replayed: %s", seq, type,
                     err[0] ? err : db_errmsg(fresh));
            rc = RU_ERR_INVALID;
        } else {
            replayed = 1;
        }
        if (rc != RU_OK)
            rc = RU_ERR_INVALID;
        json_decref(ops);
        json_decref(b);
    }
    sqlite3_finalize(s);
    if (rc == RU_OK && legacy && !checkpoint) {
        snprintf(why, whylen, "the journal's older entries have no checkpoint to start the replay from");
        rc = RU_ERR_INVALID;
    }
    return rc;
}

/* Order of two keys as SQLite sorts them: integers before text, text byte by byte. */
static int key_cmp(sqlite3_stmt *a, sqlite3_stmt *b, int col)
{
    int ta = sqlite3_column_type(a, col), tb = sqlite3_column_type(b, col);
    int ra = ta == SQLITE_INTEGER || ta == SQLITE_FLOAT ? 1 : ta == SQLITE_NULL ? 0 : 2;
    int rb = tb == SQLITE_INTEGER || tb == SQLITE_FLOAT ? 1 : tb == SQLITE_NULL ? 0 : 2;
    if (ra != rb || ra == 0)
        return ra - rb;
    if (ra == 1) {
        double x = sqlite3_column_double(a, col), y = sqlite3_column_double(b, col);
        return x < y ? -1 : x > y;
    }
    const unsigned char *x = sqlite3_column_text(a, col), *y = sqlite3_column_text(b, col);
    int r = strcmp((const char *)x, (const char *)y);
    return r < 0 ? -1 : r > 0;
}

static int same_value(sqlite3_stmt *a, sqlite3_stmt *b, int col)
{
    int t = sqlite3_column_type(a, col);
    if (t != sqlite3_column_type(b, col))
        return 0;
    if (t == SQLITE_INTEGER)
        return sqlite3_column_int64(a, col) == sqlite3_column_int64(b, col);
    if (t == SQLITE_FLOAT)
        return sqlite3_column_double(a, col) == sqlite3_column_double(b, col);
    if (t == SQLITE_NULL)
        return 1;
    const void *x =
        t == SQLITE_BLOB ? sqlite3_column_blob(a, col) : (const void *)sqlite3_column_text(a, col);
    const void *y =
        t == SQLITE_BLOB ? sqlite3_column_blob(b, col) : (const void *)sqlite3_column_text(b, col);
    int n = sqlite3_column_bytes(a, col);
    return n == sqlite3_column_bytes(b, col) && (!n || !memcmp(x, y, (size_t)n));
}

/* A value for a message: short, on one line. */
static void value_text(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    int t = sqlite3_column_type(s, col), n = sqlite3_column_bytes(s, col);
    if (t == SQLITE_NULL) {
        snprintf(out, outlen, "NULL");
    } else if (t == SQLITE_BLOB) {
        const unsigned char *p = sqlite3_column_blob(s, col);
        size_t k = 0;
        k += (size_t)snprintf(out, outlen, "x'");
        for (int i = 0; i < n && i < 8 && k + 3 < outlen; i++)
            k += (size_t)snprintf(out + k, outlen - k, "%02x", p[i]);
        snprintf(out + k, k < outlen ? outlen - k : 0, "%s'", n > 8 ? "..." : "");
    } else {
        snprintf(out, outlen, "%.40s%s", (const char *)sqlite3_column_text(s, col), n > 40 ? "..." : "");
        for (char *p = out; *p; p++)
            if (*p == '\n')
                *p = ' ';
    }
}

/* How a message names a column that differs: "has another amount than the journal". */
static const char *difference(const char *table, const char *col, char *buf, size_t buflen)
{
    static const struct {
        const char *table, *col, *words;
    } named[] = {
        {"sale", "amount_cents", "has another amount than the journal"},
        {"sale", "auth_code", "has another auth code than the journal"},
        {"cashier", "failed_pins", "has another count of wrong PINs or lock than the journal"},
        {"cashier", "locked_until", "has another count of wrong PINs or lock than the journal"},
        {"zreport", "body", "does not match its shift's closing entry"},
    };
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (!strcmp(named[i].table, table) && !strcmp(named[i].col, col))
            return named[i].words;
    snprintf(buf, buflen, "has another %s than the journal", col);
    for (char *p = buf; *p; p++)
        if (*p == '_')
            *p = ' ';
    return buf;
}

/* Table T of the live journal against the replay FRESH, row by row in key order. */
static enum ru_status compare_table(struct journal *j, struct db *fresh, const struct projected *t, char *why,
                                    size_t whylen)
{
    char sql[128], key[64], want[64], got[64], words[96];
    snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY \"%s\"", t->name, t->pk);
    sqlite3_stmt *a = NULL, *b = prepare(j, sql);
    if (!b)
        return RU_ERR_DB;
    if (db_prepare(fresh, sql, &a) != RU_OK) {
        sqlite3_finalize(b);
        snprintf(j->err, sizeof(j->err), "%s", db_errmsg(fresh));
        return RU_ERR_DB;
    }
    enum ru_status rc = RU_OK;
    int cols = sqlite3_column_count(a), pk = 0;
    for (int c = 0; c < cols; c++)
        if (!strcmp(sqlite3_column_name(a, c), t->pk))
            pk = c;
    if (cols != sqlite3_column_count(b))
        rc = RU_ERR_INVALID;
    for (int c = 0; rc == RU_OK && c < cols; c++)
        if (strcmp(sqlite3_column_name(a, c), sqlite3_column_name(b, c)))
            rc = RU_ERR_INVALID;
    if (rc != RU_OK)
        snprintf(why, whylen, "table %s has other columns than the journal's", t->name);
    int ra = rc == RU_OK ? sqlite3_step(a) : SQLITE_DONE, rb = rc == RU_OK ? sqlite3_step(b) : SQLITE_DONE;
    while (rc == RU_OK && (ra == SQLITE_ROW || rb == SQLITE_ROW)) {
        int order = ra != SQLITE_ROW ? 1 : rb != SQLITE_ROW ? -1 : key_cmp(a, b, pk);
        if (order) {
            value_text(order < 0 ? a : b, pk, key, sizeof(key));
            if (order < 0)
                snprintf(why, whylen,
                         "%s %s is in the journal but not in the %s table: deleted (table %s, row %s)",
                         t->noun, key, t->plural, t->name, key);
            else
                snprintf(why, whylen, "%s %s is not in the journal: added behind its back (table %s, row %s)",
                         t->noun, key, t->name, key);
            rc = RU_ERR_INVALID;
            break;
        }
        for (int c = 0; c < cols; c++)
            if (!same_value(a, b, c)) {
                const char *col = sqlite3_column_name(a, c);
                value_text(a, pk, key, sizeof(key));
                value_text(a, c, want, sizeof(want));
                value_text(b, c, got, sizeof(got));
                snprintf(why, whylen,
                         "%s %s %s: edited (table %s, row %s, column %s: journal says %s, table says %s)",
                         t->noun, key, difference(t->name, col, words, sizeof(words)), t->name, key, col,
                         want, got);
                rc = RU_ERR_INVALID;
                break;
            }
        ra = sqlite3_step(a);
        rb = sqlite3_step(b);
    }
    if (rc == RU_OK && (ra != SQLITE_DONE || rb != SQLITE_DONE))
        rc = db_fail(j->db, "reading the journal");
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    return rc;
}

enum ru_status journal_verify(struct journal *j, char *why, size_t whylen)
{
    struct db *fresh = NULL;
    /* the projection the entries make, from nothing, with the same schema */
    enum ru_status rc = db_open(":memory:", DB_CREATE, pos_migrations, &fresh);
    if (rc != RU_OK) {
        snprintf(j->err, sizeof(j->err), "cannot replay the journal: %s",
                 fresh ? db_errmsg(fresh) : "out of memory");
        db_free(fresh);
        return rc == RU_ERR_INVALID ? RU_ERR_DB : rc;
    }
    /* one snapshot of the chain and the tables */
    if ((rc = db_exec(j->db, "BEGIN")) == RU_OK) {
        if ((rc = db_exec(fresh, "BEGIN")) == RU_OK)
            rc = replay(j, fresh, why, whylen);
        for (size_t t = 0; rc == RU_OK && t < PROJECTED; t++)
            rc = compare_table(j, fresh, &projected[t], why, whylen);
        db_rollback(fresh);
        db_rollback(j->db);
    }
    db_free(fresh);
    return rc;
}
