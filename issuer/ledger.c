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
#include <time.h>
#include <unistd.h>
#include <openssl/hmac.h>
#include "issuer/ledger.h"
#include "issuer/api.h"
#include "issuer/tlscert.h"
#include "common/privatefile.h"
#include "db/uselock.h"
#include "common/banned.h"

#define ID_MAX     64
#define TARGET_MAX 4096

struct ledger {
    struct store *st;
    int lock; /* DIR's use lock (db/uselock.h) on an SQLite ledger, -1 else */
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
    return fail(lg, rc, "%s", store_errmsg(lg->st));
}

void ledger_backoff(int tries)
{
    /* a random wait, so that the transactions that collided do not collide again at once,
     * up to 2^min(tries, 8) times 0.25 ms (64 ms from the eighth try on: eight writers on
     * one hot index page starved one of them within 20 tries at 16 ms) */
    unsigned char r[2];
    if (secret_random(r, sizeof(r)) != RU_OK)
        r[0] = r[1] = 0x80;
    long cap_us = 250L << (tries < 8 ? tries : 8);
    long us = (long)(((unsigned)r[0] << 8 | r[1]) % (unsigned long)cap_us);
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

int ledger_again(struct ledger *lg, enum ru_status rc, int *tries)
{
    if (rc != RU_ERR_RETRY || lg->in_batch || ++*tries >= LEDGER_RETRIES)
        return 0;
    ledger_backoff(*tries);
    return 1;
}

/* DIR/NAME into BUF; 0 when it does not fit. */
static int path_in(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < len;
}

/* A URI libpq takes for PostgreSQL, without a password: those live in ~/.pgpass (or the
 * file PGPASSFILE names), or peer authentication needs none. */
static enum ru_status check_uri(const char *uri, char *err, size_t errlen)
{
    if (!store_target_is_pg(uri)) {
        snprintf(err, errlen,
                 "--database '%.200s' is not a PostgreSQL URI (postgresql://... or postgres://...)", uri);
        return RU_ERR_INVALID;
    }
    const char *auth = strstr(uri, "://") + 3;
    size_t alen = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', alen), *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    int password = colon != NULL;
    for (const char *q = strchr(auth, '?'); q && !password; q = strchr(q + 1, '&'))
        password = !strncmp(q + 1, "password=", 9);
    if (password) {
        snprintf(err, errlen,
                 "--database must not hold a password (it would be kept in a file): put it in ~/.pgpass "
                 "(or the file PGPASSFILE names, mode 0600), or use peer authentication");
        return RU_ERR_INVALID;
    }
    if (strlen(uri) >= TARGET_MAX || strchr(uri, '\n')) {
        snprintf(err, errlen, "--database is not a URI on one line of less than %d bytes", TARGET_MAX);
        return RU_ERR_INVALID;
    }
    return RU_OK;
}

/* The ledger of DIR: the URI in DIR/database when it is there (a private file), else the
 * file DIR/issuer.db (private with its -wal and -shm). */
static enum ru_status ledger_target(const char *dir, char *target, size_t len, char *err, size_t errlen)
{
    char uri_path[4096];
    if (!path_in(uri_path, sizeof(uri_path), dir, "database")) {
        snprintf(err, errlen, "the directory name is too long");
        return RU_ERR_NOT_FOUND;
    }
    FILE *f = fopen(uri_path, "re");
    if (!f && errno != ENOENT) {
        snprintf(err, errlen, "cannot read '%.300s': %s", uri_path, strerror(errno));
        return RU_ERR_IO;
    }
    if (!f) {
        if (!path_in(target, len, dir, "issuer.db")) {
            snprintf(err, errlen, "the directory name is too long");
            return RU_ERR_NOT_FOUND;
        }
        return privatefile_check_db(target, err, errlen);
    }
    enum ru_status rc = privatefile_check(uri_path, 0, err, errlen);
    if (rc == RU_OK && !fgets(target, (int)len, f)) {
        snprintf(err, errlen, "'%.300s' is empty: it names the ledger's database (a postgresql:// URI)",
                 uri_path);
        rc = RU_ERR_INVALID;
    }
    fclose(f);
    if (rc != RU_OK)
        return rc;
    target[strcspn(target, "\r\n")] = '\0';
    if (!store_target_is_pg(target)) {
        snprintf(err, errlen, "'%.300s' does not hold a postgresql:// URI", uri_path);
        return RU_ERR_INVALID;
    }
    return RU_OK;
}

/* What ledger_init() made, to take back when it fails. */
struct made {
    char dir[4096], tls[4096], key[4096], ledger[4096], uri[4096], cert[4096], tkey[4096];
    int has_dir, has_tls, has_key, has_ledger, has_uri, has_cert, has_tkey;
};

static void unmake(const struct made *m)
{
    char side[4200];
    if (m->has_cert)
        unlink(m->cert);
    if (m->has_tkey)
        unlink(m->tkey);
    if (m->has_ledger) {
        unlink(m->ledger);
        snprintf(side, sizeof(side), "%s-wal", m->ledger);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", m->ledger);
        unlink(side);
    }
    if (m->has_uri)
        unlink(m->uri);
    if (m->has_key)
        unlink(m->key);
    if (m->has_tls)
        rmdir(m->tls);
    if (m->has_dir)
        rmdir(m->dir);
}

/* The status of a failed store_open(TARGET): a PostgreSQL server that answers and refuses
 * (credentials, no such database) is the configuration's fault, not the database's. */
static enum ru_status refused(const char *target, enum ru_status rc)
{
    return rc == RU_ERR_DB && store_target_is_pg(target) ? RU_ERR_NOT_FOUND : rc;
}

/* Make the ledger at TARGET: an empty database brought to the latest schema, with its
 * settings. */
static enum ru_status make_ledger(const char *target, unsigned prefix, char *err, size_t errlen)
{
    struct store *st = NULL;
    int version = 0;
    enum ru_status rc = refused(target, store_open(target, 1, &st));
    if (rc == RU_OK && (rc = store_schema_version(st, &version)) == RU_OK && version != 0) {
        snprintf(err, errlen, "the database %s holds a ledger already (schema version %d)", target, version);
        store_close(st);
        return RU_ERR_EXISTS;
    }
    if (rc == RU_OK && (rc = store_migrate(st)) == RU_OK)
        rc = store_settings_init(st, prefix);
    if (rc != RU_OK)
        snprintf(err, errlen, "%s", st ? store_errmsg(st) : "out of memory");
    store_close(st);
    return rc;
}

enum ru_status ledger_init(const char *dir, unsigned prefix, const char *database, char *err, size_t errlen)
{
    struct made m = {0};
    unsigned char key[SECRET_BYTES];
    enum ru_status rc;
    int had_cert, had_tkey;

    if (prefix > CARD_PREFIX_MAX) {
        snprintf(err, errlen, "the issuer prefix must be 0 to 9999");
        return RU_ERR_INVALID;
    }
    if (database && (rc = check_uri(database, err, errlen)) != RU_OK)
        return rc;
    if ((size_t)snprintf(m.dir, sizeof(m.dir), "%s", dir) >= sizeof(m.dir) ||
        !path_in(m.ledger, sizeof(m.ledger), dir, "issuer.db") ||
        !path_in(m.uri, sizeof(m.uri), dir, "database") ||
        !path_in(m.key, sizeof(m.key), dir, "issuer.key") || !path_in(m.tls, sizeof(m.tls), dir, "tls") ||
        !path_in(m.cert, sizeof(m.cert), m.tls, "cert.pem") ||
        !path_in(m.tkey, sizeof(m.tkey), m.tls, "key.pem")) {
        snprintf(err, errlen, "the directory name is too long");
        return RU_ERR_INVALID;
    }
    if (access(m.ledger, F_OK) == 0 || access(m.key, F_OK) == 0 || access(m.uri, F_OK) == 0) {
        snprintf(err, errlen, "'%s' is initialized already", dir);
        return RU_ERR_EXISTS;
    }
    /* An existing folder is closed too: the ledger inside holds terminal secrets. */
    if ((!(m.has_dir = mkdir(dir, 0700) == 0) && errno != EEXIST) || chmod(dir, 0700) != 0 ||
        (!(m.has_tls = mkdir(m.tls, 0700) == 0) && errno != EEXIST) || chmod(m.tls, 0700) != 0) {
        snprintf(err, errlen, "cannot create '%s' with mode 0700: %s", dir, strerror(errno));
        rc = RU_ERR_IO;
        goto undo;
    }
    if ((rc = secret_random(key, sizeof(key))) != RU_OK ||
        (rc = secret_file_create(m.key, key, sizeof(key))) != RU_OK) {
        snprintf(err, errlen, "cannot write the issuer key '%s'", m.key);
        rc = rc == RU_ERR_INVALID ? RU_ERR_EXISTS : RU_ERR_IO;
        goto undo;
    }
    OPENSSL_cleanse(key, sizeof(key));
    m.has_key = 1;
    if (database) {
        char line[TARGET_MAX + 1];
        int n = snprintf(line, sizeof(line), "%s\n", database);
        if ((rc = secret_file_create(m.uri, (const unsigned char *)line, (size_t)n)) != RU_OK) {
            snprintf(err, errlen, "cannot write '%s'", m.uri);
            rc = rc == RU_ERR_INVALID ? RU_ERR_EXISTS : RU_ERR_IO;
            goto undo;
        }
        m.has_uri = 1;
    } else {
        /* The ledger holds terminal secrets: nobody but the issuer reads it. */
        int fd = open(m.ledger, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        m.has_ledger = fd >= 0;
        if (fd < 0 || fchmod(fd, 0600) != 0 || close(fd) != 0) {
            snprintf(err, errlen, "cannot create '%s': %s", m.ledger, strerror(errno));
            rc = RU_ERR_IO;
            goto undo;
        }
    }
    if ((rc = make_ledger(database ? database : m.ledger, prefix, err, errlen)) != RU_OK)
        goto undo;
    had_cert = access(m.cert, F_OK) == 0;
    had_tkey = access(m.tkey, F_OK) == 0;
    if ((rc = tlscert_generate(m.cert, m.tkey)) != RU_OK) {
        m.has_cert = !had_cert;
        m.has_tkey = !had_tkey;
        snprintf(err, errlen, "cannot create the development TLS certificate in '%s'", m.tls);
        goto undo;
    }
    return RU_OK;
undo:
    OPENSSL_cleanse(key, sizeof(key));
    unmake(&m);
    return rc;
}

/* The schema of the open ledger of DIR against this program's. */
static enum ru_status check_schema(struct ledger *lg, const char *dir)
{
    int have, want = store_schema_latest(lg->st);
    enum ru_status rc = store_schema_version(lg->st, &have);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    if (have == 0)
        return fail(lg, RU_ERR_NOT_FOUND, "the ledger of '%s' is empty (no schema): run reup-issuer init",
                    dir);
    if (have < want)
        return fail(
            lg, RU_ERR_SCHEMA,
            "the ledger's schema is version %d, this reup-issuer uses %d: run reup-issuer init --dir %s "
            "--upgrade",
            have, want, dir);
    if (have > want)
        return fail(
            lg, RU_ERR_SCHEMA,
            "the ledger's schema is version %d, written by a newer reup-issuer (this one uses %d): use "
            "that one",
            have, want);
    return RU_OK;
}

static enum ru_status open_dir(const char *dir, int schema, struct ledger **out)
{
    char key_path[4096], target[TARGET_MAX + 2];
    struct ledger *lg = calloc(1, sizeof(*lg));
    if (!lg)
        return RU_ERR_NOMEM;
    lg->lock = -1;
    *out = lg;
    secret_json_wiping(); /* before the server's threads: answers and requests hold PINs */
    if (!path_in(key_path, sizeof(key_path), dir, "issuer.key"))
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
        rc = ledger_target(dir, target, sizeof(target), lg->err, sizeof(lg->err));
    /* held while the ledger is open, so that restore never replaces it under a user */
    if (rc == RU_OK && !store_target_is_pg(target))
        rc = uselock_take(dir, 0, &lg->lock, lg->err, sizeof(lg->err));
    if (rc != RU_OK)
        return rc;
    rc = secret_file_read(key_path, lg->key, sizeof(lg->key));
    if (rc == RU_ERR_INVALID)
        return fail(lg, rc, "'%s' must be 32 bytes that only its owner may read (chmod 600)", key_path);
    if (rc != RU_OK)
        return fail(lg, rc, "cannot read '%s': %s", key_path, strerror(errno));
    if ((rc = store_open(target, 0, &lg->st)) != RU_OK) {
        if (!lg->st)
            return fail(lg, rc, "out of memory");
        return fail_db(lg, refused(target, rc));
    }
    return schema ? check_schema(lg, dir) : RU_OK;
}

enum ru_status ledger_open(const char *dir, struct ledger **out)
{
    return open_dir(dir, 1, out);
}

enum ru_status ledger_upgrade(const char *dir, int *from, int *to, char *err, size_t errlen)
{
    struct ledger *lg = NULL;
    enum ru_status rc = open_dir(dir, 0, &lg);
    int want = lg && lg->st ? store_schema_latest(lg->st) : 0;
    if (rc == RU_OK && (rc = store_schema_version(lg->st, from)) != RU_OK)
        fail_db(lg, rc);
    if (rc == RU_OK && *from == 0)
        rc = fail(lg, RU_ERR_NOT_FOUND, "the ledger of '%s' is empty (no schema): run reup-issuer init", dir);
    if (rc == RU_OK && *from > want)
        rc = check_schema(lg, dir);
    if (rc == RU_OK && *from < want && (rc = store_migrate(lg->st)) != RU_OK)
        fail_db(lg, rc);
    if (rc == RU_OK && (rc = store_schema_version(lg->st, to)) != RU_OK)
        fail_db(lg, rc);
    snprintf(err, errlen, "%s", lg ? lg->err : "out of memory");
    ledger_free(lg);
    return rc;
}

const char *ledger_errmsg(const struct ledger *lg)
{
    /* a failed COMMIT or BEGIN of a caller's transaction is said by the store alone */
    return *lg->err || !lg->st ? lg->err : store_errmsg(lg->st);
}

void ledger_free(struct ledger *lg)
{
    if (!lg)
        return;
    store_close(lg->st);
    uselock_release(lg->lock);
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
    enum ru_status rc = store_audit_append(lg->st, actor, action, serial, request_id, outcome, detail);
    return rc == RU_OK ? RU_OK : fail_db(lg, rc);
}

/* Commit the transaction FN's work is in when RC is RU_OK, else roll it back. */
static enum ru_status end_transaction(struct ledger *lg, enum ru_status rc)
{
    if (rc == RU_OK && (rc = store_commit(lg->st)) != RU_OK)
        fail_db(lg, rc);
    if (rc != RU_OK)
        store_rollback(lg->st);
    return rc;
}

static enum ru_status plan_add_once(struct ledger *lg, const struct ledger_plan *p)
{
    enum ru_status rc = store_begin(lg->st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    rc = store_plan_insert(lg->st, p->code, p->months, p->price_cents, p->currency, p->gtin);
    if (rc == RU_ERR_EXISTS)
        fail(lg, rc, "plan '%s' exists already", p->code);
    else if (rc != RU_OK)
        fail_db(lg, rc);
    if (rc == RU_OK)
        rc = ledger_audit(lg, "operator", "plan add", NULL, NULL, "ok", p->code);
    return end_transaction(lg, rc);
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
    enum ru_status rc;
    int tries = 0;
    do
        rc = plan_add_once(lg, p);
    while (ledger_again(lg, rc, &tries));
    return rc;
}

/* One try of adding TERMINAL of STORE with SECRET, or (ROTATE) of giving it SECRET. */
static enum ru_status terminal_once(struct ledger *lg, const char *terminal, const char *store,
                                    const unsigned char secret[SECRET_BYTES], int rotate)
{
    enum ru_status rc = store_begin(lg->st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    rc = rotate ? store_terminal_rotate(lg->st, terminal, store, secret)
                : store_terminal_insert(lg->st, terminal, store, secret);
    if (rc == RU_ERR_EXISTS)
        fail(lg, rc, "terminal '%s' exists already", terminal);
    else if (rc == RU_ERR_NOT_FOUND)
        fail(lg, rc, "no terminal '%s' of store '%s' (reup-issuer report lists them); nothing done", terminal,
             store);
    else if (rc != RU_OK)
        fail_db(lg, rc);
    if (rc == RU_OK)
        rc = ledger_audit(lg, "operator", rotate ? "terminal rotate" : "terminal add", NULL, NULL, "ok",
                          terminal);
    return end_transaction(lg, rc);
}

/* A fresh secret for TERMINAL of STORE: a new terminal, or (ROTATE) an existing one's. */
static enum ru_status terminal_secret(struct ledger *lg, const char *terminal, const char *store,
                                      unsigned char secret[SECRET_BYTES], int rotate)
{
    if (!valid_id(terminal))
        return fail(lg, RU_ERR_INVALID, "terminal id must be 1 to 64 letters, digits, '-', '_' or '.'");
    if (!valid_id(store))
        return fail(lg, RU_ERR_INVALID, "store id must be 1 to 64 letters, digits, '-', '_' or '.'");
    unsigned char s[SECRET_BYTES];
    enum ru_status rc;
    int tries = 0;
    if ((rc = secret_random(s, sizeof(s))) != RU_OK)
        return fail(lg, rc, "no randomness for the terminal secret");
    do
        rc = terminal_once(lg, terminal, store, s, rotate);
    while (ledger_again(lg, rc, &tries));
    if (rc == RU_OK)
        memcpy(secret, s, sizeof(s));
    OPENSSL_cleanse(s, sizeof(s));
    return rc;
}

enum ru_status ledger_terminal_add(struct ledger *lg, const char *terminal, const char *store,
                                   unsigned char secret[SECRET_BYTES])
{
    return terminal_secret(lg, terminal, store, secret, 0);
}

enum ru_status ledger_terminal_rotate(struct ledger *lg, const char *terminal, const char *store,
                                      unsigned char secret[SECRET_BYTES])
{
    return terminal_secret(lg, terminal, store, secret, 1);
}

enum ru_status ledger_batch_create(struct ledger *lg, const char *plan, unsigned long count,
                                   ledger_card_fn emit, ledger_done_fn done, void *ctx, char batch[16])
{
    enum ru_status rc;
    char id[16], serial[CARD_DIGITS + 1], pin[CARD_DIGITS + 1], detail[64], currency[4];
    unsigned char mac[32];
    unsigned int maclen;
    long long prefix = -1, next = -1, nbatch = -1, price;
    int months;

    if (count < 1 || count > LEDGER_BATCH_MAX)
        return fail(lg, RU_ERR_LIMIT, "a batch has 1 to %d cards", LEDGER_BATCH_MAX);
    if ((rc = store_begin(lg->st)) != RU_OK)
        return fail_db(lg, rc);
    if ((rc = store_plan_get(lg->st, plan, &months, &price, currency)) != RU_OK) {
        if (rc == RU_ERR_NOT_FOUND)
            fail(lg, rc, "no plan '%s': add it with reup-issuer plan add", plan);
        else
            fail_db(lg, rc);
        goto out;
    }
    if ((rc = store_prefix(lg->st, &prefix)) != RU_OK || (rc = store_batch_count(lg->st, &nbatch)) != RU_OK ||
        (rc = store_sequence_take(lg->st, (long long)count, &next)) != RU_OK) {
        fail_db(lg, rc);
        goto out;
    }
    if (prefix < 0 || prefix > CARD_PREFIX_MAX || next < 1) {
        rc = fail(lg, RU_ERR_DB, "the ledger's settings are damaged (prefix %lld, sequence %lld)", prefix,
                  next);
        goto out;
    }
    if ((unsigned long long)next + count - 1 > CARD_SEQUENCE_MAX) {
        rc = fail(lg, RU_ERR_LIMIT, "the serial numbers of prefix %04lld are used up", prefix);
        goto out;
    }
    if (nbatch < 0 || nbatch >= 99999999) {
        rc = fail(lg, RU_ERR_LIMIT, "too many batches");
        goto out;
    }
    snprintf(id, sizeof(id), "B%06d", (int)nbatch + 1);
    if ((rc = store_batch_insert(lg->st, id, plan, (long long)count)) != RU_OK) {
        fail_db(lg, rc);
        goto out;
    }
    for (unsigned long i = 0; i < count; i++) {
        if ((rc = card_serial_make((unsigned)prefix, (uint64_t)next + i, serial)) != RU_OK ||
            (rc = card_pin_generate(pin)) != RU_OK) {
            fail(lg, rc, "cannot make card numbers");
            goto out;
        }
        HMAC(EVP_sha256(), lg->key, sizeof(lg->key), (const unsigned char *)pin, CARD_DIGITS, mac, &maclen);
        rc = store_card_insert(lg->st, serial, plan, id, mac, maclen);
        if (rc == RU_ERR_EXISTS) {
            /* Two equal PINs in 10^15 is a collision worth a new draw, not a failure. */
            i--;
            continue;
        }
        if (rc != RU_OK) {
            fail_db(lg, rc);
            goto out;
        }
        if ((rc = emit(ctx, serial, pin, plan, id)) != RU_OK) {
            fail(lg, rc, "cannot write the batch file");
            goto out;
        }
    }
    snprintf(detail, sizeof(detail), "%s: %lu cards of %s", id, count, plan);
    if ((rc = ledger_audit(lg, "operator", "batch create", NULL, NULL, "ok", detail)) != RU_OK)
        goto out;
    if ((rc = done(ctx)) != RU_OK) {
        fail(lg, rc, "cannot write the batch file");
        goto out;
    }
    if ((rc = store_commit(lg->st)) != RU_OK) {
        fail_db(lg, rc);
        goto out;
    }
    snprintf(batch, 16, "%s", id);
out:
    OPENSSL_cleanse(pin, sizeof(pin));
    if (rc != RU_OK)
        store_rollback(lg->st);
    return rc;
}

enum ru_status ledger_card_json(struct ledger *lg, const char *serial, const char *store, char **json)
{
    struct store_card row;
    enum ru_status rc = store_card_show(lg->st, serial, &row);
    if (rc == RU_ERR_NOT_FOUND)
        return fail(lg, rc, "no card with serial %s", serial);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    struct card_status c = {0};
    memcpy(c.serial, row.serial, sizeof(c.serial));
    memcpy(c.plan, row.plan, sizeof(c.plan));
    memcpy(c.status, row.status, sizeof(c.status));
    /* Only the activating store learns when and where: others see the state alone. */
    c.owner_view = !store || (*row.store_id && strcmp(row.store_id, store) == 0);
    if (c.owner_view) {
        memcpy(c.activated_at, row.activated_at, sizeof(c.activated_at));
        memcpy(c.store_id, row.store_id, sizeof(c.store_id));
    }
    return answer_encode_card_status(&c, json);
}

static enum ru_status card_block_once(struct ledger *lg, const char *serial, const char *batch,
                                      const char *actor, unsigned long *count)
{
    long long n = 0;
    enum ru_status rc = store_begin(lg->st);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    /* A redeemed card has been used: blocking it would change nothing but its history. */
    rc = serial ? store_card_block(lg->st, serial, &n) : store_card_block_batch(lg->st, batch, &n);
    if (rc != RU_OK) {
        fail_db(lg, rc);
    } else if ((*count = (unsigned long)n) == 0) {
        rc = fail(lg, RU_ERR_NOT_FOUND, "no card to block: %s %s is unknown or redeemed",
                  serial ? "serial" : "batch", serial ? serial : batch);
    } else {
        char detail[96];
        snprintf(detail, sizeof(detail), "%lu card%s%s%s", *count, *count == 1 ? "" : "s",
                 batch ? " of batch " : "", batch ? batch : "");
        rc = ledger_audit(lg, actor, "block", serial, NULL, "ok", detail);
    }
    return end_transaction(lg, rc);
}

enum ru_status ledger_card_block(struct ledger *lg, const char *serial, const char *batch, const char *actor,
                                 unsigned long *count)
{
    enum ru_status rc;
    int tries = 0;
    do
        rc = card_block_once(lg, serial, batch, actor, count);
    while (ledger_again(lg, rc, &tries));
    return rc;
}

struct store *ledger_store(struct ledger *lg)
{
    return lg->st;
}

const unsigned char *ledger_key(const struct ledger *lg)
{
    return lg->key;
}

enum ru_status ledger_terminal_get(struct ledger *lg, const char *terminal,
                                   unsigned char secret[SECRET_BYTES], char store[65])
{
    enum ru_status rc = store_terminal_get(lg->st, terminal, secret, store);
    return rc == RU_OK || rc == RU_ERR_NOT_FOUND ? rc : fail_db(lg, rc);
}

enum ru_status ledger_plans_json(struct ledger *lg, char **json)
{
    struct plan_list l = {NULL, 0};
    enum ru_status rc = store_plan_list(lg->st, &l);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    rc = answer_encode_plans(&l, json);
    plan_list_release(&l);
    return rc;
}

enum ru_status ledger_new_active_card(struct ledger *lg, const char *plan, const char *store,
                                      char serial[CARD_DIGITS + 1], char pin[CARD_DIGITS + 1])
{
    unsigned char mac[32];
    unsigned int maclen;
    long long prefix, next;
    enum ru_status rc;
    if ((rc = store_prefix(lg->st, &prefix)) != RU_OK ||
        (rc = store_sequence_take(lg->st, 1, &next)) != RU_OK)
        return fail_db(lg, rc);
    if (prefix < 0 || prefix > CARD_PREFIX_MAX || next < 1)
        return fail(lg, RU_ERR_DB, "the ledger's settings are damaged (prefix %lld, sequence %lld)", prefix,
                    next);
    if ((rc = card_serial_make((unsigned)prefix, (uint64_t)next, serial)) != RU_OK)
        return fail(lg, rc, "the serial numbers of prefix %04lld are used up", prefix);
    /* a PIN whose HMAC is taken already (1 in 10^15) is simply drawn again */
    do {
        if ((rc = card_pin_generate(pin)) != RU_OK)
            return fail(lg, rc, "cannot make card numbers");
        HMAC(EVP_sha256(), lg->key, sizeof(lg->key), (const unsigned char *)pin, CARD_DIGITS, mac, &maclen);
        rc = store_card_insert_active(lg->st, serial, plan, mac, maclen, store);
    } while (rc == RU_ERR_EXISTS);
    return rc == RU_OK ? RU_OK : fail_db(lg, rc);
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
    json_t *rows = NULL;
    enum ru_status rc = store_audit_list(lg->st, since, &rows);
    if (rc != RU_OK)
        return fail_db(lg, rc);
    *json = json_dumps(rows, JSON_COMPACT);
    json_decref(rows);
    return *json ? RU_OK : RU_ERR_NOMEM;
}

enum ru_status ledger_report_json(struct ledger *lg, char **json)
{
    static const struct {
        const char *name;
        enum store_report part;
    } parts[] = {
        {"cards", STORE_REPORT_CARDS},
        {"batches", STORE_REPORT_BATCHES},
        {"terminals", STORE_REPORT_TERMINALS},
        {"requests_24h", STORE_REPORT_REQUESTS},
        {"subscriptions", STORE_REPORT_SUBSCRIPTIONS},
    };
    json_t *root = json_object();
    if (!root)
        return RU_ERR_NOMEM;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        json_t *rows = NULL;
        enum ru_status rc = store_report_rows(lg->st, parts[i].part, &rows);
        if (rc != RU_OK) {
            json_decref(root);
            return fail_db(lg, rc);
        }
        json_object_set_new(root, parts[i].name, rows);
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
