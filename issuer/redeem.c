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
#include "common/wipe.h"
#include "common/banned.h"

/* Seconds until SUBJECT may try again, or 0. */
static enum ru_status locked_for(struct store *st, const char *subject, long long *wait_s)
{
    long long count, oldest;
    enum ru_status rc = store_refusals(st, subject, REDEEM_WINDOW_S, &count, &oldest);
    *wait_s = 0;
    if (rc == RU_OK && count >= REDEEM_MAX_REFUSALS) {
        long long now = (long long)time(NULL);
        *wait_s = oldest + REDEEM_WINDOW_S - now;
        if (*wait_s < 1)
            *wait_s = 1;
    }
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

static enum ru_status redeem_once(struct ledger *lg, const char *address, const char *body, size_t len,
                                  struct activation_answer *out, long long *retry_after_s)
{
    struct store *st = ledger_store(lg);
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
    if ((rc = locked_for(st, subj_addr, &wait_a)) != RU_OK ||
        (*account && (rc = locked_for(st, subj_acct, &wait_b)) != RU_OK))
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
    char serial[CARD_DIGITS + 1] = "", plan[17] = "", expires[32] = "";
    int months = 0;
    rc = store_card_by_pin(st, mac, maclen, serial, plan, &months);
    if (rc == RU_ERR_NOT_FOUND) {
        /* unknown, unsold, redeemed or blocked: one answer for all */
        refused = 1;
        rc = activation_answer_error(
            out, 422, "pin_not_accepted",
            "this PIN cannot be redeemed: check it, or ask the store where you bought the card");
        goto out;
    }
    if (rc != RU_OK || (rc = store_card_redeem(st, serial, rq.account)) != RU_OK ||
        (rc = store_subscription_extend(st, rq.account, months, expires)) != RU_OK)
        goto out;
    if ((rc = ledger_audit(lg, "customer", "redeem", serial, NULL, "ok", rq.account)) != RU_OK)
        goto out;
    rc = activation_answer_json(out, 200,
                                json_pack("{s:s,s:s,s:i,s:s}", "account", rq.account, "plan", plan, "months",
                                          months, "expires_at", expires));
out:
    wipe(&rq, sizeof(rq)); /* its PIN, if parsing stopped before the HMAC */
    if (rc == RU_OK && refused) {
        /* the refusal is counted in the same transaction that answers it */
        if ((rc = store_refusal_insert(st, subj_addr)) == RU_OK && *account)
            rc = store_refusal_insert(st, subj_acct);
    }
    return activation_finish(lg, rc, out);
}

enum ru_status redeem(struct ledger *lg, const char *address, const char *body, size_t len,
                      struct activation_answer *out, long long *retry_after_s)
{
    enum ru_status rc;
    int tries = 0;
    do
        rc = redeem_once(lg, address, body, len, out, retry_after_s);
    while (ledger_again(lg, rc, &tries));
    return rc;
}
