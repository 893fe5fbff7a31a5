/*
 * issuer/redeem.h - customers redeem a PIN: POST /v1/redemptions.
 *
 * Customer-facing, so no terminal signature but a lockout: every refused redemption
 * (malformed, bad check digit, unknown, unsold, already redeemed or blocked card) counts
 * against the account and against the client address; after REDEEM_MAX_REFUSALS within
 * REDEEM_WINDOW_S, further attempts get 429 with Retry-After until the oldest refusal
 * leaves the window. The refusals are kept in the ledger, so a restart does not reset
 * them. No answer tells a wrong PIN from an unsold, redeemed or blocked one.
 * A redemption extends the account's subscription by the plan's months from the later
 * of now and its current expiry.
 */
#ifndef REUP_ISSUER_REDEEM_H
#define REUP_ISSUER_REDEEM_H
#include <stddef.h>
#include "common/status.h"
#include "issuer/activation.h"
#include "issuer/ledger.h"

#define REDEEM_MAX_REFUSALS 5
#define REDEEM_WINDOW_S     900

/* Decide one redemption request from ADDRESS (the client's IP address as text) with the
 * raw BODY. RU_OK with *out set (200, 400, 413, 422 or 429; *retry_after_s > 0 with 429),
 * RU_ERR_DB / RU_ERR_NOMEM when nothing could be decided. */
enum ru_status redeem(struct ledger *lg, const char *address, const char *body, size_t len,
                      struct activation_answer *out, long long *retry_after_s) RU_WARN_UNUSED;

#endif
