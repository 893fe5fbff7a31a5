/*
 * issuer/client.h - talking to the activation host, for terminals (the POS) and tests.
 *
 * One keep-alive HTTPS connection (libcurl) with the certificate verified against a CA
 * file, every request signed as auth.h describes. The answer to a request is either an
 * HTTP answer (any status: the issuer decided something) or no answer at all: connection
 * refused, TLS failure, timeout, a broken connection. The POS must treat the second kind
 * as "unknown", never as "failed": the request may have been applied.
 *
 * The typed calls (issuer_activate() and the rest) speak the API of docs/api.md through
 * issuer/api.h, the same encoders and parsers the issuer uses: the terminal writes no
 * JSON of its own. Each ends in one of three ways:
 *   RU_OK            the issuer answered with the documented success and *out holds it;
 *   RU_ERR_DECLINED  the issuer answered and refused (a status below 500 other than the
 *                    success): *err holds its status, code, message and Retry-After (code
 *                    and message "" when the body is not the documented error);
 *   RU_ERR_NETWORK   no usable answer: none at all, one over ISSUER_CLIENT_ANSWER_MAX, a
 *                    5xx (the issuer could not decide), or a success whose body is not as
 *                    documented. err->http_status is the status that came (0: none) and
 *                    issuer_client_errmsg() says what happened. A write may have been
 *                    applied: the POS reverses or sends it again, never drops it.
 * and, before anything is sent, RU_ERR_INVALID (a request_id that is not a UUID, a serial
 * that is not a card serial), RU_ERR_NOMEM, RU_ERR_LIMIT. *err is zeroed first on every
 * path; *out is written only on RU_OK.
 */
#ifndef REUP_ISSUER_CLIENT_H
#define REUP_ISSUER_CLIENT_H
#include <stddef.h>
#include "common/status.h"
#include "issuer/api.h"
#include "issuer/secret.h"

#define ISSUER_CLIENT_ANSWER_MAX (256 * 1024)

struct issuer_client;

struct issuer_client_config {
    const char *url;      /* "https://127.0.0.1:8443" (no trailing slash) */
    const char *ca_path;  /* PEM file of the issuer's CA or certificate; NULL: the system's */
    const char *terminal; /* the terminal id */
    unsigned char secret[SECRET_BYTES];
    long timeout_ms;         /* whole request; 0: 10 s */
    long connect_timeout_ms; /* 0: 3 s */
};

/* RU_ERR_INVALID for a URL that is not https://. */
enum ru_status issuer_client_new(const struct issuer_client_config *cfg,
                                 struct issuer_client **out) RU_WARN_UNUSED;
void issuer_client_free(struct issuer_client *c);

struct issuer_answer {
    long http_status;
    char *body; /* owned, NUL-terminated */
    size_t len;
    long long retry_after_s; /* the Retry-After header in seconds; 0 when none */
};

/* The journal head H to send with every request from now on, as ReUp-Journal-Head (signed
 * with it: auth.h); NULL: none, the requests are signed as without. The POS sets its head
 * before each request; the client knows nothing of journals. */
void issuer_client_set_journal_head(struct issuer_client *c, const struct auth_head *h);

/* Send METHOD PATH with BODY (NULL: none), signed with the current time: the raw layer
 * under the typed calls, for tests and tools that send what no terminal would.
 * RU_OK: an HTTP answer is in *out (free with issuer_answer_release()).
 * RU_ERR_NETWORK: no answer (issuer_client_errmsg() says why); RU_ERR_LIMIT: an answer over
 * ISSUER_CLIENT_ANSWER_MAX. */
enum ru_status issuer_client_request(struct issuer_client *c, const char *method, const char *path,
                                     const char *body, struct issuer_answer *out) RU_WARN_UNUSED;
const char *issuer_client_errmsg(const struct issuer_client *c);
void issuer_answer_release(struct issuer_answer *a);

/* POST /v1/activations: the card RQ->serial sold for its plan's price. */
enum ru_status issuer_activate(struct issuer_client *c, const struct activation_request *rq,
                               struct activation_result *out, struct api_error *err) RU_WARN_UNUSED;

/* POST /v1/cards: an on-demand card, issued and activated at once. *out holds the PIN
 * ("" on a retry): ondemand_card_release() it. */
enum ru_status issuer_on_demand(struct issuer_client *c, const struct card_request *rq,
                                struct ondemand_card *out, struct api_error *err) RU_WARN_UNUSED;

/* POST /v1/activations/{REQUEST_ID}/void. */
enum ru_status issuer_void(struct issuer_client *c, const char *request_id, const struct void_request *rq,
                           struct void_result *out, struct api_error *err) RU_WARN_UNUSED;

/* POST /v1/reversals: undo an activation whose answer never came. */
enum ru_status issuer_reverse(struct issuer_client *c, const struct reversal_request *rq,
                              struct reversal_result *out, struct api_error *err) RU_WARN_UNUSED;

/* GET /v1/cards/{SERIAL}: the card's plan and status. */
enum ru_status issuer_card(struct issuer_client *c, const char *serial, struct card_status *out,
                           struct api_error *err) RU_WARN_UNUSED;

/* GET /v1/plans: the catalog; *out is owned (plan_list_release()). */
enum ru_status issuer_plans(struct issuer_client *c, struct plan_list *out,
                            struct api_error *err) RU_WARN_UNUSED;

/* GET /v1/terminals/me/journal-head: the latest journal head the issuer saw from this
 * terminal. A head set with issuer_client_set_journal_head() is recorded before the answer
 * is made; RU_ERR_DECLINED with err->http_status 404 when the issuer never saw one. */
enum ru_status issuer_journal_head(struct issuer_client *c, struct auth_head *out,
                                   struct api_error *err) RU_WARN_UNUSED;

/* GET /v1/terminals/me/journal-heads?after=&limit=: one page of the heads the issuer
 * recorded of this terminal (issuer/api.h); *out is owned (journal_heads_release()). An
 * answer with a head at or below RQ->after, or a next page that does not go forward, is
 * not as documented (RU_ERR_NETWORK), so that walking the pages always ends. */
enum ru_status issuer_journal_heads(struct issuer_client *c, const struct journal_heads_request *rq,
                                    struct journal_heads *out, struct api_error *err) RU_WARN_UNUSED;

/* GET /v1/health: RU_OK when the issuer answers 200. */
enum ru_status issuer_health(struct issuer_client *c, struct api_error *err) RU_WARN_UNUSED;

/* Read the credentials `reup-issuer terminal add` printed, from a file that only its
 * owner may read: {"terminal", "store", "secret": 64 hex}. ERR says what is wrong. */
enum ru_status issuer_credentials_load(const char *path, char terminal[65], char store[65],
                                       unsigned char secret[SECRET_BYTES], char *err,
                                       size_t errlen) RU_WARN_UNUSED;

#endif
