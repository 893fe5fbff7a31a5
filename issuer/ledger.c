/* issuer/ledger.c - state directory, plans, terminals, batches, cards and the audit log. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/hmac.h>
#include "issuer/ledger.h"
#include "issuer/api.h"
#include "issuer/tlscert.h"
#include "db/db.h"
#include "common/privatefile.h"
#include "common/banned.h"

#define ID_MAX 64

struct ledger {
    struct db *db;
    int in_batch;
    unsigned char key[SECRET_BYTES];
    char err[512];
};

static enum ru_status fail(struct ledger *lg, enum ru_status rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum ru_status fail(struct ledger *lg, enum ru_status rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lg->err, sizeof(lg->err), fmt, ap);
    va_end(ap);
    return rc;
}

static enum ru_status fail_db(struct ledger *lg, enum ru_status rc)
{
    return fail(lg, rc, "%s", db_errmsg(lg->db));
}

/* DIR/NAME into BUF; 0 when it does not fit. */
static int path_in(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < len;
}

enum ru_status ledger_init(const char *dir, unsigned prefix, char *err, size_t errlen)
{
    char db_path[4096], key_path[4096], tls[4096], cert[4096], tkey[4096], prefix_text[8];
    unsigned char key[SECRET_BYTES];
    struct db *db = NULL;
    enum ru_status rc;

    if (prefix > CARD_PREFIX_MAX) {
        snprintf(err, errlen, "the issuer prefix must be 0 to 9999");
        return RU_ERR_INVALID;
    }
    if (!path_in(db_path, sizeof(db_path), dir, "issuer.db") ||
        !path_in(key_path, sizeof(key_path), dir, "issuer.key") || !path_in(tls, sizeof(tls), dir, "tls") ||
        !path_in(cert, sizeof(cert), tls, "cert.pem") || !path_in(tkey, sizeof(tkey), tls, "key.pem")) {
        snprintf(err, errlen, "the directory name is too long");
        return RU_ERR_INVALID;
    }
    if (access(db_path, F_OK) == 0 || access(key_path, F_OK) == 0) {
        snprintf(err, errlen, "'%s' is initialized already", dir);
        return RU_ERR_EXISTS;
    }
    /* An existing folder is closed too: the ledger inside holds terminal secrets. */
    if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || chmod(dir, 0700) != 0 ||
        (mkdir(tls, 0700) != 0 && errno != EEXIST) || chmod(tls, 0700) != 0) {
        snprintf(err, errlen, "cannot create '%s' with mode 0700: %s", dir, strerror(errno));
        return RU_ERR_IO;
    }
    if ((rc = secret_random(key, sizeof(key))) != RU_OK ||
        (rc = secret_file_create(key_path, key, sizeof(key))) != RU_OK) {
        snprintf(err, errlen, "cannot write the issuer key '%s'", key_path);
        return rc == RU_ERR_INVALID ? RU_ERR_EXISTS : RU_ERR_IO;
    }
    /* The ledger holds terminal secrets: nobody but the issuer reads it. */
    int fd = open(db_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0 || close(fd) != 0) {
        snprintf(err, errlen, "cannot create '%s': %s", db_path, strerror(errno));
        return RU_ERR_IO;
    }
    rc = db_open(db_path, DB_SYNC_FULL, issuer_migrations, &db);
    if (rc == RU_OK) {
        snprintf(prefix_text, sizeof(prefix_text), "%04u", prefix);
        sqlite3_stmt *st = NULL;
        rc = db_prepare(db, "INSERT INTO setting(key, value) VALUES ('prefix', ?1), ('next_sequence', '1')",
                        &st);
        if (rc == RU_OK) {
            sqlite3_bind_text(st, 1, prefix_text, -1, SQLITE_STATIC);
            rc = sqlite3_step(st) == SQLITE_DONE ? RU_OK : db_fail(db, "writing settings");
        }
        sqlite3_finalize(st);
    }
    if (rc != RU_OK) {
        snprintf(err, errlen, "%s", db ? db_errmsg(db) : "out of memory");
        db_free(db);
        return rc;
    }
    db_free(db);
    if ((rc = tlscert_generate(cert, tkey)) != RU_OK) {
        snprintf(err, errlen, "cannot create the development TLS certificate in '%s'", tls);
        return rc;
    }
    return RU_OK;
}

enum ru_status ledger_open(const char *dir, struct ledger **out)
{
    char db_path[4096], key_path[4096];
    struct ledger *lg = calloc(1, sizeof(*lg));
    if (!lg)
        return RU_ERR_NOMEM;
    *out = lg;
    secret_json_wiping(); /* before the server's threads: answers and requests hold PINs */
    if (!path_in(db_path, sizeof(db_path), dir, "issuer.db") ||
        !path_in(key_path, sizeof(key_path), dir, "issuer.key"))
        return fail(lg, RU_ERR_NOT_FOUND, "the directory name is too long");
    if (access(key_path, F_OK) != 0 && errno == ENOENT)
        return fail(lg, RU_ERR_NOT_FOUND,
                    "'%s' is not an issuer state directory (no issuer.key): run reup-issuer init --dir %s",
                    dir, dir);
    /* Like ssh with its keys: secrets that others could have read are refused, not used. */
    enum ru_status rc = privatefile_check(dir, 0, lg->err, sizeof(lg->err));
    if (rc == RU_OK)
        rc = privatefile_check(key_path, 0, lg->err, sizeof(lg->err));
    if (rc == RU_OK)
        rc = privatefile_check_db(db_path, lg->err, sizeof(lg->err));
    if (rc != RU_OK)
        return rc;
    rc = secret_file_read(key_path, lg->key, sizeof(lg->key));
    if (rc == RU_ERR_INVALID)
        return fail(lg, rc, "'%s' must be 32 bytes that only its owner may read (chmod 600)", key_path);
    if (rc != RU_OK)
        return fail(lg, rc, "cannot read '%s': %s", key_path, strerror(errno));
    if ((rc = db_open(db_path, DB_SYNC_FULL, issuer_migrations, &lg->db)) != RU_OK)
        return fail(lg, rc, "%s", lg->db ? db_errmsg(lg->db) : "out of memory");
    /* Writes are short, but a batch or several writers may queue: waiting beats failing
     * a terminal's request. */
    sqlite3_busy_timeout(db_sqlite(lg->db), 30000);
    return RU_OK;
}

const char *ledger_errmsg(const struct ledger *lg)
{
    return lg->err;
}

void ledger_free(struct ledger *lg)
{
    if (!lg)
        return;
    db_free(lg->db);
    OPENSSL_cleanse(lg->key, sizeof(lg->key));
    free(lg);
}

/* Ids, plan codes and batch ids: letters, digits, '-', '_' and '.', 1 to ID_MAX bytes. */
static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
            return 0;
    return 1;
}

/* GS1 check digit: weights 3 and 1 from the right, starting next to the check digit. */
static int valid_gtin(const char *g)
{
    size_t n = strlen(g);
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return 0;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)g[i]))
            return 0;
    for (size_t i = 0; i + 1 < n; i++)
        sum += (unsigned)(g[n - 2 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (int)((10 - sum % 10) % 10) == g[n - 1] - '0';
}

enum ru_status ledger_audit(struct ledger *lg, const char *actor, const char *action, const char *serial,
                            const char *request_id, const char *outcome, const char *detail)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(lg->db,
                                   "INSERT INTO audit(at, actor, action, serial, request_id, outcome, detail)"
                                   " VALUES (" LEDGER_NOW ", ?1, ?2, ?3, ?4, ?5, ?6)",
                                   &st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    const char *v[] = {actor, action, serial, request_id, outcome, detail};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? RU_OK : db_fail(lg->db, "writing the audit log");
    sqlite3_finalize(st);
    return rc == RU_OK ? RU_OK : fail_db(lg, rc);
}

/* Run a one-row write; RU_ERR_EXISTS on a uniqueness conflict. */
static enum ru_status step_write(struct ledger *lg, sqlite3_stmt *st, const char *what)
{
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE)
        return RU_OK;
    if (sqlite3_extended_errcode(db_sqlite(lg->db)) == SQLITE_CONSTRAINT_PRIMARYKEY ||
        sqlite3_extended_errcode(db_sqlite(lg->db)) == SQLITE_CONSTRAINT_UNIQUE)
        return RU_ERR_EXISTS;
    return fail_db(lg, db_fail(lg->db, what));
}

enum ru_status ledger_plan_add(struct ledger *lg, const struct ledger_plan *p)
{
    if (!valid_id(p->code) || strlen(p->code) > 16)
        return fail(lg, RU_ERR_INVALID, "plan code '%s' must be 1 to 16 letters, digits, '-', '_' or '.'",
                    p->code);
    if (p->months < 1 || p->months > 1200)
        return fail(lg, RU_ERR_INVALID, "months must be 1 to 1200");
    if (p->price_cents < 0 || p->price_cents > 100000000)
        return fail(lg, RU_ERR_INVALID, "price must be 0 to 100000000 minor units (3999 for 39.99)");
    if (strlen(p->currency) != 3 || !isupper((unsigned char)p->currency[0]) ||
        !isupper((unsigned char)p->currency[1]) || !isupper((unsigned char)p->currency[2]))
        return fail(lg, RU_ERR_INVALID, "currency '%s' must be an ISO 4217 code such as USD", p->currency);
    if (*p->gtin && !valid_gtin(p->gtin))
        return fail(lg, RU_ERR_INVALID, "GTIN '%s' is not 8, 12, 13 or 14 digits with a valid check digit",
                    p->gtin);

    sqlite3_stmt *st = NULL;
    enum ru_status rc;
    if ((rc = db_begin(lg->db)) != RU_OK)
        return fail_db(lg, rc);
    if ((rc = db_prepare(lg->db,
                         "INSERT INTO plan(code, months, price_cents, currency, gtin, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, " LEDGER_NOW ")",
                         &st)) != RU_OK) {
        fail_db(lg, rc);
        goto out;
    }
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, p->months);
    sqlite3_bind_int64(st, 3, p->price_cents);
    sqlite3_bind_text(st, 4, p->currency, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->gtin, -1, SQLITE_STATIC);
    if ((rc = step_write(lg, st, "adding the plan")) == RU_ERR_EXISTS)
        fail(lg, rc, "plan '%s' exists already", p->code);
    if (rc == RU_OK)
        rc = ledger_audit(lg, "operator", "plan add", NULL, NULL, "ok", p->code);
    if (rc == RU_OK && (rc = db_commit(lg->db)) != RU_OK)
        fail_db(lg, rc);
out:
    sqlite3_finalize(st);
    if (rc != RU_OK)
        db_rollback(lg->db);
    return rc;
}

enum ru_status ledger_terminal_add(struct ledger *lg, const char *terminal, const char *store,
                                   unsigned char secret[SECRET_BYTES])
{
    if (!valid_id(terminal))
        return fail(lg, RU_ERR_INVALID, "terminal id must be 1 to 64 letters, digits, '-', '_' or '.'");
    if (!valid_id(store))
        return fail(lg, RU_ERR_INVALID, "store id must be 1 to 64 letters, digits, '-', '_' or '.'");
    unsigned char s[SECRET_BYTES];
    sqlite3_stmt *st = NULL;
    enum ru_status rc;
    if ((rc = secret_random(s, sizeof(s))) != RU_OK)
        return fail(lg, rc, "no randomness for the terminal secret");
    if ((rc = db_begin(lg->db)) != RU_OK)
        return fail_db(lg, rc);
    if ((rc = db_prepare(
             lg->db,
             "INSERT INTO terminal(id, store_id, secret, created_at) VALUES (?1, ?2, ?3, " LEDGER_NOW ")",
             &st)) != RU_OK) {
        fail_db(lg, rc);
        goto out;
    }
    sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, store, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, s, sizeof(s), SQLITE_STATIC);
    if ((rc = step_write(lg, st, "adding the terminal")) == RU_ERR_EXISTS)
        fail(lg, rc, "terminal '%s' exists already", terminal);
    if (rc == RU_OK)
        rc = ledger_audit(lg, "operator", "terminal add", NULL, NULL, "ok", terminal);
    if (rc == RU_OK && (rc = db_commit(lg->db)) != RU_OK)
        fail_db(lg, rc);
out:
    sqlite3_finalize(st);
    if (rc != RU_OK)
        db_rollback(lg->db);
    else
        memcpy(secret, s, sizeof(s));
    OPENSSL_cleanse(s, sizeof(s));
    return rc;
}

/* The single integer of a one-row query with one text parameter; -1 when no row. */
static long long query_int(struct ledger *lg, const char *sql, const char *param, enum ru_status *rc)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if ((*rc = db_prepare(lg->db, sql, &st)) != RU_OK)
        return -1;
    if (param)
        sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (r != SQLITE_DONE)
        *rc = db_fail(lg->db, "reading");
    sqlite3_finalize(st);
    return v;
}

enum ru_status ledger_batch_create(struct ledger *lg, const char *plan, unsigned long count,
                                   ledger_card_fn emit, ledger_done_fn done, void *ctx, char batch[16])
{
    enum ru_status rc;
    sqlite3_stmt *ins = NULL, *upd = NULL;
    char id[16], serial[CARD_DIGITS + 1], pin[CARD_DIGITS + 1], detail[64];
    unsigned char mac[32];
    unsigned int maclen;

    if (count < 1 || count > LEDGER_BATCH_MAX)
        return fail(lg, RU_ERR_LIMIT, "a batch has 1 to %d cards", LEDGER_BATCH_MAX);
    if ((rc = db_begin(lg->db)) != RU_OK)
        return fail_db(lg, rc);
    if (query_int(lg, "SELECT 1 FROM plan WHERE code = ?1", plan, &rc) != 1) {
        if (rc == RU_OK)
            rc = fail(lg, RU_ERR_NOT_FOUND, "no plan '%s': add it with reup-issuer plan add", plan);
        goto out;
    }
    long long prefix =
        query_int(lg, "SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'prefix'", NULL, &rc);
    long long next =
        query_int(lg, "SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'next_sequence'", NULL, &rc);
    long long nbatch = query_int(lg, "SELECT count(*) FROM batch", NULL, &rc);
    if (rc != RU_OK || prefix < 0 || next < 1)
        goto out_db;
    if ((unsigned long long)next + count - 1 > CARD_SEQUENCE_MAX) {
        rc = fail(lg, RU_ERR_LIMIT, "the serial numbers of prefix %04lld are used up", prefix);
        goto out;
    }
    if (nbatch < 0 || nbatch >= 99999999) {
        rc = fail(lg, RU_ERR_LIMIT, "too many batches");
        goto out;
    }
    snprintf(id, sizeof(id), "B%06d", (int)nbatch + 1);

    if ((rc = db_prepare(lg->db,
                         "INSERT INTO batch(id, plan, count, created_at) VALUES (?1, ?2, ?3, " LEDGER_NOW ")",
                         &ins)) != RU_OK)
        goto out_db;
    sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, plan, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 3, (sqlite3_int64)count);
    if ((rc = step_write(lg, ins, "adding the batch")) != RU_OK)
        goto out;
    sqlite3_finalize(ins);
    ins = NULL;

    if ((rc = db_prepare(lg->db, "INSERT INTO card(serial, plan, batch, pin_hmac) VALUES (?1, ?2, ?3, ?4)",
                         &ins)) != RU_OK)
        goto out_db;
    for (unsigned long i = 0; i < count; i++) {
        if ((rc = card_serial_make((unsigned)prefix, (uint64_t)next + i, serial)) != RU_OK ||
            (rc = card_pin_generate(pin)) != RU_OK) {
            fail(lg, rc, "cannot make card numbers");
            goto out;
        }
        HMAC(EVP_sha256(), lg->key, sizeof(lg->key), (const unsigned char *)pin, CARD_DIGITS, mac, &maclen);
        sqlite3_bind_text(ins, 1, serial, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, plan, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 4, mac, (int)maclen, SQLITE_STATIC);
        rc = step_write(lg, ins, "adding a card");
        sqlite3_reset(ins);
        if (rc == RU_ERR_EXISTS) {
            /* Two equal PINs in 10^15 is a collision worth a new draw, not a failure. */
            i--;
            continue;
        }
        if (rc != RU_OK || (rc = emit(ctx, serial, pin, plan, id)) != RU_OK) {
            if (rc != RU_ERR_DB)
                fail(lg, rc, "cannot write the batch file");
            goto out;
        }
    }
    if ((rc = db_prepare(lg->db, "UPDATE setting SET value = ?1 WHERE key = 'next_sequence'", &upd)) != RU_OK)
        goto out_db;
    sqlite3_bind_int64(upd, 1, next + (long long)count);
    if ((rc = step_write(lg, upd, "advancing the sequence")) != RU_OK)
        goto out;
    snprintf(detail, sizeof(detail), "%s: %lu cards of %s", id, count, plan);
    if ((rc = ledger_audit(lg, "operator", "batch create", NULL, NULL, "ok", detail)) != RU_OK)
        goto out;
    if ((rc = done(ctx)) != RU_OK) {
        fail(lg, rc, "cannot write the batch file");
        goto out;
    }
    if ((rc = db_commit(lg->db)) != RU_OK)
        goto out_db;
    snprintf(batch, 16, "%s", id);
    goto out;
out_db:
    if (rc == RU_OK)
        rc = RU_ERR_DB;
    fail_db(lg, rc);
out:
    OPENSSL_cleanse(pin, sizeof(pin));
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    if (rc != RU_OK)
        db_rollback(lg->db);
    return rc;
}

/* Column I of ST's row as text into DST ("" for NULL), cut to LEN. */
static void column_text(sqlite3_stmt *st, int i, char *dst, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, len, "%s", t ? (const char *)t : "");
}

enum ru_status ledger_card_json(struct ledger *lg, const char *serial, const char *store, char **json)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(
        lg->db, "SELECT serial, plan, status, activated_at, store_id FROM card WHERE serial = ?1", &st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(st, 4);
        struct card_status c = {0};
        column_text(st, 0, c.serial, sizeof(c.serial));
        column_text(st, 1, c.plan, sizeof(c.plan));
        column_text(st, 2, c.status, sizeof(c.status));
        /* Only the activating store learns when and where: others see the state alone. */
        c.owner_view = !store || (owner && strcmp(owner, store) == 0);
        if (c.owner_view) {
            column_text(st, 3, c.activated_at, sizeof(c.activated_at));
            column_text(st, 4, c.store_id, sizeof(c.store_id));
        }
        rc = answer_encode_card_status(&c, json);
    } else if (r == SQLITE_DONE) {
        rc = fail(lg, RU_ERR_NOT_FOUND, "no card with serial %s", serial);
    } else {
        rc = fail_db(lg, db_fail(lg->db, "reading the card"));
    }
    sqlite3_finalize(st);
    return rc;
}

enum ru_status ledger_card_block(struct ledger *lg, const char *serial, const char *batch, const char *actor,
                                 unsigned long *count)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc;
    if ((rc = db_begin(lg->db)) != RU_OK)
        return fail_db(lg, rc);
    /* A redeemed card has been used: blocking it would change nothing but its history. */
    rc = db_prepare(lg->db,
                    serial ? "UPDATE card SET status = 'blocked' WHERE serial = ?1 AND status <> 'redeemed'"
                           : "UPDATE card SET status = 'blocked' WHERE batch = ?1 AND status <> 'redeemed'",
                    &st);
    if (rc != RU_OK) {
        fail_db(lg, rc);
        goto out;
    }
    sqlite3_bind_text(st, 1, serial ? serial : batch, -1, SQLITE_STATIC);
    if ((rc = step_write(lg, st, "blocking")) != RU_OK)
        goto out;
    *count = (unsigned long)sqlite3_changes(db_sqlite(lg->db));
    if (*count == 0) {
        rc = fail(lg, RU_ERR_NOT_FOUND, "no card to block: %s %s is unknown or redeemed",
                  serial ? "serial" : "batch", serial ? serial : batch);
        goto out;
    }
    char detail[96];
    snprintf(detail, sizeof(detail), "%lu card%s%s%s", *count, *count == 1 ? "" : "s",
             batch ? " of batch " : "", batch ? batch : "");
    if ((rc = ledger_audit(lg, actor, "block", serial, NULL, "ok", detail)) != RU_OK)
        goto out;
    if ((rc = db_commit(lg->db)) != RU_OK)
        fail_db(lg, rc);
out:
    sqlite3_finalize(st);
    if (rc != RU_OK)
        db_rollback(lg->db);
    return rc;
}

struct db *ledger_db(struct ledger *lg)
{
    return lg->db;
}

const unsigned char *ledger_key(const struct ledger *lg)
{
    return lg->key;
}

enum ru_status ledger_terminal_get(struct ledger *lg, const char *terminal,
                                   unsigned char secret[SECRET_BYTES], char store[65])
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(lg->db, "SELECT secret, store_id FROM terminal WHERE id = ?1", &st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SECRET_BYTES) {
        memcpy(secret, sqlite3_column_blob(st, 0), SECRET_BYTES);
        snprintf(store, 65, "%s", (const char *)sqlite3_column_text(st, 1));
    } else {
        rc = r == SQLITE_ROW || r == SQLITE_DONE ? RU_ERR_NOT_FOUND
                                                 : fail_db(lg, db_fail(lg->db, "reading terminals"));
    }
    sqlite3_finalize(st);
    return rc;
}

enum ru_status ledger_plans_json(struct ledger *lg, char **json)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc =
        db_prepare(lg->db, "SELECT code, months, price_cents, currency, gtin FROM plan ORDER BY code", &st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    struct plan_list l = {NULL, 0};
    size_t cap = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (l.n == cap) {
            struct plan_info *more = realloc(l.plans, (cap = cap ? 2 * cap : 16) * sizeof(*more));
            if (!more) {
                r = SQLITE_NOMEM;
                break;
            }
            l.plans = more;
        }
        struct plan_info *p = &l.plans[l.n++];
        memset(p, 0, sizeof(*p));
        column_text(st, 0, p->code, sizeof(p->code));
        p->months = sqlite3_column_int(st, 1);
        p->price = sqlite3_column_int64(st, 2);
        column_text(st, 3, p->currency, sizeof(p->currency));
        column_text(st, 4, p->gtin, sizeof(p->gtin));
    }
    sqlite3_finalize(st);
    if (r == SQLITE_NOMEM)
        rc = RU_ERR_NOMEM;
    else if (r != SQLITE_DONE)
        rc = fail_db(lg, db_fail(lg->db, "reading plans"));
    else
        rc = answer_encode_plans(&l, json);
    plan_list_release(&l);
    return rc;
}

enum ru_status ledger_new_active_card(struct ledger *lg, const char *plan, const char *store,
                                      char serial[CARD_DIGITS + 1], char pin[CARD_DIGITS + 1])
{
    enum ru_status rc = RU_OK;
    sqlite3_stmt *st = NULL;
    unsigned char mac[32];
    unsigned int maclen;
    long long prefix =
        query_int(lg, "SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'prefix'", NULL, &rc);
    long long next =
        query_int(lg, "SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'next_sequence'", NULL, &rc);
    if (rc != RU_OK || prefix < 0 || next < 1)
        return rc != RU_OK ? rc : RU_ERR_DB;
    if ((rc = card_serial_make((unsigned)prefix, (uint64_t)next, serial)) != RU_OK)
        return rc;
    if ((rc = db_prepare(lg->db, "UPDATE setting SET value = value + 1 WHERE key = 'next_sequence'", &st)) !=
        RU_OK)
        return rc;
    rc = sqlite3_step(st) == SQLITE_DONE ? RU_OK : db_fail(lg->db, "advancing the sequence");
    sqlite3_finalize(st);
    if (rc != RU_OK ||
        (rc = db_prepare(lg->db,
                         "INSERT INTO card(serial, plan, batch, pin_hmac, status, store_id, activated_at)"
                         " VALUES (?1, ?2, NULL, ?3, 'active', ?4, " LEDGER_NOW ")",
                         &st)) != RU_OK)
        return rc;
    /* a PIN whose HMAC is taken already (1 in 10^15) is simply drawn again */
    do {
        if ((rc = card_pin_generate(pin)) != RU_OK)
            break;
        HMAC(EVP_sha256(), lg->key, sizeof(lg->key), (const unsigned char *)pin, CARD_DIGITS, mac, &maclen);
        sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, plan, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, mac, (int)maclen, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, store, -1, SQLITE_STATIC);
        rc = step_write(lg, st, "adding a card");
        sqlite3_reset(st);
    } while (rc == RU_ERR_EXISTS);
    sqlite3_finalize(st);
    return rc;
}

/* Rows of ST as a JSON array of objects keyed by column name (NULL stays null). */
static json_t *rows_json(sqlite3_stmt *st, int *step_rc)
{
    json_t *arr = json_array();
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            int t = sqlite3_column_type(st, i);
            json_t *v = t == SQLITE_NULL      ? json_null()
                        : t == SQLITE_INTEGER ? json_integer((json_int_t)sqlite3_column_int64(st, i))
                                              : json_string((const char *)sqlite3_column_text(st, i));
            json_object_set_new(o, sqlite3_column_name(st, i), v ? v : json_null());
        }
        json_array_append_new(arr, o);
    }
    *step_rc = r;
    return arr;
}

enum ru_status ledger_audit_json(struct ledger *lg, const char *since, char **json)
{
    /* RFC 3339 UTC as written here: YYYY-MM-DDTHH:MM:SSZ, or a date alone */
    if (since) {
        size_t n = strlen(since);
        int ok = n == 10 || n == 20;
        for (size_t i = 0; ok && i < n; i++) {
            char c = since[i];
            ok = (i == 4 || i == 7)     ? c == '-'
                 : i == 10              ? c == 'T'
                 : (i == 13 || i == 16) ? c == ':'
                 : i == 19              ? c == 'Z'
                                        : isdigit((unsigned char)c);
        }
        if (!ok)
            return fail(lg, RU_ERR_INVALID,
                        "--since '%s' is not a UTC time like 2026-11-25T18:00:00Z or a date", since);
    }
    sqlite3_stmt *st = NULL;
    enum ru_status rc =
        db_prepare(lg->db,
                   "SELECT id, at, actor, action, serial, request_id, outcome, detail FROM audit"
                   " WHERE ?1 IS NULL OR at >= ?1 ORDER BY id",
                   &st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    if (since)
        sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
    int r;
    json_t *arr = rows_json(st, &r);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        json_decref(arr);
        return fail_db(lg, db_fail(lg->db, "reading the audit log"));
    }
    *json = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return *json ? RU_OK : RU_ERR_NOMEM;
}

enum ru_status ledger_report_json(struct ledger *lg, char **json)
{
    static const struct {
        const char *name, *sql;
    } parts[] = {
        {"cards",
         "SELECT plan, status, count(*) AS count FROM card GROUP BY plan, status ORDER BY plan, status"},
        {"batches", "SELECT id, plan, count, created_at FROM batch ORDER BY id"},
        {"terminals", "SELECT id, store_id, created_at FROM terminal ORDER BY id"},
        {"requests_24h", "SELECT kind, state, http_status, count(*) AS count FROM request"
                         " WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')"
                         " GROUP BY kind, state, http_status ORDER BY kind, state, http_status"},
        {"subscriptions",
         "SELECT count(*) AS accounts, sum(expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
         " AS current FROM subscription"},
    };
    json_t *root = json_object();
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        sqlite3_stmt *st = NULL;
        int r;
        enum ru_status rc = db_prepare(lg->db, parts[i].sql, &st);
        if (rc != RU_OK) {
            json_decref(root);
            return fail_db(lg, rc);
        }
        json_object_set_new(root, parts[i].name, rows_json(st, &r));
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) {
            json_decref(root);
            return fail_db(lg, db_fail(lg->db, "reading the report"));
        }
    }
    *json = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    return *json ? RU_OK : RU_ERR_NOMEM;
}

void ledger_set_batch(struct ledger *lg, int in_batch)
{
    lg->in_batch = in_batch;
}

int ledger_in_batch(const struct ledger *lg)
{
    return lg->in_batch;
}
