/*
 * issuer/activation.h - the exactly-once rules of the activation API (docs/design.md,
 * "The activation API").
 *
 * Each call is one write transaction on the ledger that behaves as if it ran alone
 * (store_begin(): terminals racing for one card, on one node or several, are serialized
 * and exactly one wins; one that a concurrent transaction got in the way of runs again,
 * up to LEDGER_RETRIES times) and produces the HTTP answer to give:
 *
 *  - activate: the same request_id with the same parameters gets the answer it got the
 *    first time, also after a restart (answers are stored with the request); with other
 *    parameters 422 request_id_reused; a request_id that was reversed before it arrived,
 *    or whose activation was reversed or voided since, 409; a card already active,
 *    redeemed or blocked 409; an amount or currency other than the plan's 422; an
 *    unknown serial 404. A terminal acts only for its own store.
 *  - request ids are each terminal's own (store and terminal): the same id from another
 *    terminal is another request, and a void or reversal reaches only the sending
 *    terminal's requests; another terminal's id is answered as one never sent.
 *  - void: within the void window and before redemption the card returns to issued;
 *    voiding again answers the same; a reversed activation 409.
 *  - reverse: undoes an applied activation ({reversed: true}); a voided or refused one
 *    answers {reversed: false}; an unseen request_id is recorded so that the late
 *    activation is refused, and answers {reversed: false}.
 *
 * Error answers are {"error": {"code": "...", "message": "..."}}.
 */
#ifndef REUP_ISSUER_ACTIVATION_H
#define REUP_ISSUER_ACTIVATION_H
#include <jansson.h>
#include "common/status.h"
#include "issuer/ledger.h"
#include "issuer/api.h"

#define ACTIVATION_VOID_WINDOW_S (24 * 3600)

struct activation_answer {
    int http_status;
    char *body; /* owned JSON text */
};

/* Who is asking: the authenticated terminal and its store. */
struct activation_caller {
    const char *terminal;
    const char *store;
};

/* RU_OK with *out set for every answer, success or refusal; RU_ERR_DB, RU_ERR_NETWORK,
 * RU_ERR_NOMEM, or RU_ERR_RETRY (inside a batch, or after LEDGER_RETRIES tries) when no
 * answer could be decided (nothing changed; the server answers 503). */
enum ru_status activation_activate(struct ledger *lg, const struct activation_caller *who,
                                   const struct activation_request *rq,
                                   struct activation_answer *out) RU_WARN_UNUSED;
enum ru_status activation_void(struct ledger *lg, const struct activation_caller *who, const char *request_id,
                               const struct void_request *rq, long long window_s,
                               struct activation_answer *out) RU_WARN_UNUSED;
/* POST /v1/cards: a new card of the plan, issued and activated at once. The first answer
 * carries the PIN; a retry gets the same serial and auth_code with "pin": null. A void or
 * reversal of an on-demand card blocks it: its PIN has left the issuer. */
enum ru_status activation_card(struct ledger *lg, const struct activation_caller *who,
                               const struct card_request *rq, struct activation_answer *out) RU_WARN_UNUSED;
enum ru_status activation_reverse(struct ledger *lg, const struct activation_caller *who,
                                  const struct reversal_request *rq,
                                  struct activation_answer *out) RU_WARN_UNUSED;

void activation_answer_release(struct activation_answer *a);

/* Open the call's transaction (or savepoint, inside a batch: ledger_set_batch()), and
 * close it: commit or release on RU_OK, else roll back and release OUT's body. */
enum ru_status activation_start(struct ledger *lg) RU_WARN_UNUSED;
enum ru_status activation_finish(struct ledger *lg, enum ru_status rc,
                                 struct activation_answer *out) RU_WARN_UNUSED;

/* Set *OUT to STATUS with the JSON of O (the reference to O is taken), or to an error
 * body {"error": {"code", "message"}}. RU_ERR_NOMEM. For every module that answers. */
enum ru_status activation_answer_json(struct activation_answer *out, int status, json_t *o) RU_WARN_UNUSED;
enum ru_status activation_answer_error(struct activation_answer *out, int status, const char *code,
                                       const char *message) RU_WARN_UNUSED;

#endif
