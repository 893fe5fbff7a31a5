/* issuer/redeem.c - redemptions with a lockout. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "issuer/redeem.h"
#include "issuer/api.h"
#include "db/db.h"
#include "common/wipe.h"
#include "common/banned.h"

/* Seconds until SUBJECT may try again, or 0. */
static enum ru_status locked_for(struct db *db, const char *subject, long long *wait_s)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(db,
                                   "SELECT count(*), min(at) FROM redemption_refusal"
                                   " WHERE subject = ?1 AND at > CAST(strftime('%s', 'now') AS INTEGER) - ?2",
                                   &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, REDEEM_WINDOW_S);
    *wait_s = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) >= REDEEM_MAX_REFUSALS) {
        long long oldest = sqlite3_column_int64(st, 1);
        long long now = (long long)time(NULL);
        *wait_s = oldest + REDEEM_WINDOW_S - now;
        if (*wait_s < 1)
            *wait_s = 1;
    }
    sqlite3_finalize(st);
    return RU_OK;
}

static enum ru_status count_refusal(struct db *db, const char *subject)
{
    sqlite3_stmt *st = NULL;
    enum ru_status rc = db_prepare(
        db, "INSERT INTO redemption_refusal(subject, at) VALUES (?1, CAST(strftime('%s', 'now') AS INTEGER))",
        &st);
    if (rc != RU_OK)
        return rc;
    sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(db, "counting a refusal");
    sqlite3_finalize(st);
    return rc;
}

/* The account named in BODY, if it is there and a short string, for the lockout even of
 * a body that fails validation. */
static void account_of(const char *body, size_t len, char account[65])
{
    account[0] = '\0';
    json_t *root = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    json_t *a = json_is_object(root) ? json_object_get(root, "account") : NULL;
    if (json_is_string(a) && json_string_length(a) < 65)
        snprintf(account, 65, "%s", json_string_value(a));
    json_decref(root);
}

enum ru_status redeem(struct ledger *lg, const char *address, const char *body, size_t len,
                      struct activation_answer *out, long long *retry_after_s)
{
    struct db *db = ledger_db(lg);
    char account[65], subj_acct[80], subj_addr[80];
    struct redemption_request rq;
    struct request_error e;
    enum ru_status rc;
    long long wait_a = 0, wait_b = 0;
    int refused = 0;
    out->body = NULL;
    *retry_after_s = 0;
    if (len > REQUEST_BODY_MAX)
        return activation_answer_error(out, 413, "body_too_large", "the body is larger than 16384 bytes");
    account_of(body, len, account);
    snprintf(subj_acct, sizeof(subj_acct), "account:%s", account);
    snprintf(subj_addr, sizeof(subj_addr), "address:%.64s", address);
    if ((rc = activation_start(lg)) != RU_OK)
        return rc;
    /* the lockout comes before anything is looked at */
    if ((rc = locked_for(db, subj_addr, &wait_a)) != RU_OK ||
        (*account && (rc = locked_for(db, subj_acct, &wait_b)) != RU_OK))
        goto out;
    if (wait_a || wait_b) {
        *retry_after_s = wait_a > wait_b ? wait_a : wait_b;
        rc = activation_answer_error(out, 429, "too_many_attempts",
                                     "too many refused redemptions: try again later");
        goto out;
    }
    if (request_parse_redemption(body, len, &rq, &e) != RU_OK) {
        refused = 1;
        rc = activation_answer_error(out, e.http_status, e.code, e.message);
        goto out;
    }
    unsigned char mac[32];
    unsigned int maclen;
    HMAC(EVP_sha256(), ledger_key(lg), SECRET_BYTES, (const unsigned char *)rq.pin, CARD_DIGITS, mac,
         &maclen);
    OPENSSL_cleanse(rq.pin, sizeof(rq.pin));
    sqlite3_stmt *st = NULL;
    if ((rc = db_prepare(db,
                         "SELECT c.serial, c.plan, p.months FROM card c JOIN plan p ON p.code = c.plan"
                         " WHERE c.pin_hmac = ?1 AND c.status = 'active'",
                         &st)) != RU_OK)
        goto out;
    sqlite3_bind_blob(st, 1, mac, (int)maclen, SQLITE_STATIC);
    int r = sqlite3_step(st);
    char serial[CARD_DIGITS + 1] = "", plan[17] = "";
    int months = 0;
    if (r == SQLITE_ROW) {
        snprintf(serial, sizeof(serial), "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(plan, sizeof(plan), "%s", (const char *)sqlite3_column_text(st, 1));
        months = sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE) {
        rc = db_fail(db, "reading the card");
        goto out;
    }
    if (r == SQLITE_DONE) {
        /* unknown, unsold, redeemed or blocked: one answer for all */
        refused = 1;
        rc = activation_answer_error(
            out, 422, "pin_not_accepted",
            "this PIN cannot be redeemed: check it, or ask the store where you bought the card");
        goto out;
    }
    char mod[32];
    snprintf(mod, sizeof(mod), "+%d months", months);
    const char *sql[] = {
        "UPDATE card SET status = 'redeemed', redeemed_at = " LEDGER_NOW ", account = ?2 WHERE serial = ?1",
        "INSERT INTO subscription(account, expires_at) VALUES (?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?3))"
        " ON CONFLICT(account) DO UPDATE SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
        " max(expires_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), ?3)",
    };
    for (int i = 0; i < 2 && rc == RU_OK; i++) {
        if ((rc = db_prepare(db, sql[i], &st)) != RU_OK)
            break;
        sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rq.account, -1, SQLITE_STATIC);
        if (i == 1)
            sqlite3_bind_text(st, 3, mod, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, "redeeming");
        sqlite3_finalize(st);
    }
    if (rc != RU_OK)
        goto out;
    char expires[32] = "";
    if ((rc = db_prepare(db, "SELECT expires_at FROM subscription WHERE account = ?1", &st)) != RU_OK)
        goto out;
    sqlite3_bind_text(st, 1, rq.account, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(expires, sizeof(expires), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if ((rc = ledger_audit(lg, "customer", "redeem", serial, NULL, "ok", rq.account)) != RU_OK)
        goto out;
    rc = activation_answer_json(out, 200,
                                json_pack("{s:s,s:s,s:i,s:s}", "account", rq.account, "plan", plan, "months",
                                          months, "expires_at", expires));
out:
    wipe(&rq, sizeof(rq)); /* its PIN, if parsing stopped before the HMAC */
    if (rc == RU_OK && refused) {
        /* the refusal is counted in the same transaction that answers it */
        if ((rc = count_refusal(db, subj_addr)) == RU_OK && *account)
            rc = count_refusal(db, subj_acct);
    }
    return activation_finish(lg, rc, out);
}
