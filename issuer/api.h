/*
 * issuer/api.h - the activation API's wire format (docs/api.md): its requests and answers
 * as typed structures, with the one encoder and the one decoder of each. The server
 * parses requests and encodes answers with them; the terminal's client (issuer/client.h)
 * encodes requests and decodes answers with the same functions, so the JSON is written in
 * one place.
 *
 * Requests are what the issuer takes from the outside: bodies are JSON objects of at most
 * REQUEST_BODY_MAX bytes. Each request parser checks every field for presence, JSON type and
 * value, refuses fields it does not know and duplicate keys, and on failure fills a
 * request_error with the HTTP status and the stable error code the API answers with,
 * naming the field:
 *   413 body_too_large; 400 malformed_json, body_not_object;
 *   422 missing_field, wrong_type, invalid_value, unknown_field.
 * Values come out normalized: UUIDs in lower case, serials and PINs as bare digits.
 *
 * Answers are what a terminal takes from the issuer, outside input to it as well: each
 * answer parser wants a JSON object with every field of docs/api.md of the right type,
 * within the size of its structure and, for text, without control characters, which would
 * reach the cashier's screen (a refusal's message has them turned into spaces and is cut
 * to fit); RU_ERR_INVALID otherwise, the output untouched. Fields it does not know are
 * skipped, so the issuer may add some. Encoders cannot fail but for
 * memory (RU_ERR_NOMEM) and write compact JSON with the fields in the documented order,
 * in an owned string (free() it; wipe_free() for an on-demand card, whose PIN it holds).
 */
#ifndef REUP_ISSUER_API_H
#define REUP_ISSUER_API_H
#include <stddef.h>
#include "common/cardnum.h"
#include "common/status.h"
#include "issuer/auth.h"

#define REQUEST_BODY_MAX   16384
#define REQUEST_UUID_LEN   36
#define REQUEST_AMOUNT_MAX 100000000LL
/* Plans in one catalog answer that a terminal takes; more is not a catalog it can use. */
#define API_PLANS_MAX      256
/* Heads, and anomalies, in one page of GET /v1/terminals/me/journal-heads. */
#define API_HEADS_MAX      1000
/* Bytes of that request's query string ("after=SEQ&limit=N" is at most 36). */
#define API_QUERY_MAX      128

/* ---- requests ------------------------------------------------------------------------ */

struct request_error {
    int http_status;
    char code[32];
    char field[32];
    char message[200];
};

struct activation_request { /* POST /v1/activations */
    char request_id[REQUEST_UUID_LEN + 1];
    char serial[CARD_DIGITS + 1];
    long long amount; /* minor units */
    char currency[4];
};

struct card_request { /* POST /v1/cards: an on-demand card */
    char request_id[REQUEST_UUID_LEN + 1];
    char plan[17];
    long long amount; /* minor units */
    char currency[4];
};

struct reversal_request { /* POST /v1/reversals */
    char request_id[REQUEST_UUID_LEN + 1];
};

struct void_request { /* POST /v1/activations/{request_id}/void */
    char reason[201];
};

struct redemption_request { /* POST /v1/redemptions: customers, never a terminal */
    char pin[CARD_DIGITS + 1];
    char account[65];
};

/* Each: RU_OK with *out filled, or RU_ERR_INVALID with *err filled (*out untouched). */
enum ru_status request_parse_activation(const char *body, size_t len, struct activation_request *out,
                                        struct request_error *err) RU_WARN_UNUSED;
enum ru_status request_parse_card(const char *body, size_t len, struct card_request *out,
                                  struct request_error *err) RU_WARN_UNUSED;
enum ru_status request_parse_reversal(const char *body, size_t len, struct reversal_request *out,
                                      struct request_error *err) RU_WARN_UNUSED;
enum ru_status request_parse_void(const char *body, size_t len, struct void_request *out,
                                  struct request_error *err) RU_WARN_UNUSED;
enum ru_status request_parse_redemption(const char *body, size_t len, struct redemption_request *out,
                                        struct request_error *err) RU_WARN_UNUSED;

/* The bodies a terminal sends, for the parsers above. RU_ERR_NOMEM. */
enum ru_status request_encode_activation(const struct activation_request *rq, char **json) RU_WARN_UNUSED;
enum ru_status request_encode_card(const struct card_request *rq, char **json) RU_WARN_UNUSED;
enum ru_status request_encode_reversal(const struct reversal_request *rq, char **json) RU_WARN_UNUSED;
enum ru_status request_encode_void(const struct void_request *rq, char **json) RU_WARN_UNUSED;

/* GET /v1/terminals/me/journal-heads?after=SEQ&limit=N: one page of the heads a terminal
 * sent, those above sequence number AFTER. */
struct journal_heads_request {
    long long after; /* 0 .. LLONG_MAX; 0 (the default) from the first */
    long limit;      /* 1 .. API_HEADS_MAX (the default) */
};

/* The query string QUERY (LEN bytes, without the '?'; empty or NULL: the defaults), read
 * strictly: only after and limit, each at most once, as decimal digits without a sign,
 * a space or a leading zero, within range. RU_OK, or RU_ERR_INVALID with *err filled:
 *   400 query_too_long (over API_QUERY_MAX bytes), unknown_parameter, bad_parameter. */
enum ru_status request_parse_journal_heads(const char *query, size_t len, struct journal_heads_request *out,
                                           struct request_error *err) RU_WARN_UNUSED;
/* The request's path and query string into PATH (CAP bytes). RU_ERR_INVALID for values out
 * of range, RU_ERR_LIMIT when CAP is too small. */
enum ru_status request_encode_journal_heads(const struct journal_heads_request *rq, char *path,
                                            size_t cap) RU_WARN_UNUSED;

/* True for a UUID in 8-4-4-4-12 hex form (either case). */
int request_is_uuid(const char *s);

/* True when a Content-Type header value (NULL: none) names application/json, in any case,
 * with or without parameters ("application/json; charset=utf-8"); bodies of any other
 * type are answered 415. */
int request_is_json_type(const char *content_type);

/* ---- answers ------------------------------------------------------------------------- */

/* 201 to POST /v1/activations. */
struct activation_result {
    char activation_id[41];
    char serial[CARD_DIGITS + 1];
    char plan[17];
    char auth_code[33];
    char status[16]; /* "active" */
};

/* 201 to POST /v1/cards. The PIN comes in the first answer only: "" when the answer had
 * "pin": null (a retry). Release with ondemand_card_release(), which wipes the PIN. */
struct ondemand_card {
    char serial[CARD_DIGITS + 1];
    char pin[CARD_DIGITS + 1];
    char plan[17];
    char auth_code[33];
};

/* 200 to GET /v1/cards/{serial}. Only the activating store (and the operator) sees when
 * and where: OWNER_VIEW set, with activated_at and store_id ("" for null); other stores
 * get neither field. */
struct card_status {
    char serial[CARD_DIGITS + 1];
    char plan[17];
    char status[16]; /* issued, active, redeemed, blocked */
    int owner_view;
    char activated_at[32];
    char store_id[65];
};

/* One plan of GET /v1/plans. */
struct plan_info {
    char code[17];
    int months;
    long long price; /* minor units, in CURRENCY */
    char currency[4];
    char gtin[15]; /* "" when none */
};

/* 200 to GET /v1/plans: N plans in an owned array (plan_list_release()). */
struct plan_list {
    struct plan_info *plans;
    size_t n;
};

/* 200 to POST /v1/activations/{request_id}/void. */
struct void_result {
    char status[16]; /* "issued" */
};

/* 200 to POST /v1/reversals: whether an applied activation is now undone. */
struct reversal_result {
    int reversed;
};

/* 200 to GET /v1/terminals/me/journal-head: the latest journal head the issuer saw from
 * this terminal, {"seq": N, "hash": "64 lowercase hex"} (struct auth_head). */

/* 200 to GET /v1/terminals/me/journal-heads: one page of what the issuer recorded of this
 * terminal's heads, for sequence numbers above the request's AFTER up to NEXT (or all
 * above when NEXT is 0, the last page): the heads that counted (ascending, each sequence
 * number once) and the anomalies, heads that went back or conflicted (distinct, by
 * sequence number then hash). Owned arrays: journal_heads_release(). Parsed, every
 * sequence number is from 1 and at most NEXT (when not 0), every hash 64 lowercase hex
 * digits, and each list holds at most API_HEADS_MAX. */
struct journal_heads {
    struct auth_head *heads;
    size_t n;
    struct auth_head *anomalies;
    size_t n_anomalies;
    long long next; /* the AFTER of the next page; 0 (null in JSON): none */
};

/* A refusal: {"error": {"code", "message"}} with its HTTP status and, on a 429, the
 * Retry-After header's seconds (0 when none). The status and Retry-After travel in HTTP,
 * not in the body: the client fills them in. */
struct api_error {
    int http_status;
    char code[48];
    char message[256];
    long long retry_after_s;
};

enum ru_status answer_encode_activation(const struct activation_result *a, char **json) RU_WARN_UNUSED;
enum ru_status answer_parse_activation(const char *body, size_t len,
                                       struct activation_result *out) RU_WARN_UNUSED;

/* PIN "" is written as null, the answer to a retry. */
enum ru_status answer_encode_ondemand(const struct ondemand_card *a, char **json) RU_WARN_UNUSED;
enum ru_status answer_parse_ondemand(const char *body, size_t len, struct ondemand_card *out) RU_WARN_UNUSED;
void ondemand_card_release(struct ondemand_card *a);

enum ru_status answer_encode_card_status(const struct card_status *a, char **json) RU_WARN_UNUSED;
enum ru_status answer_parse_card_status(const char *body, size_t len, struct card_status *out) RU_WARN_UNUSED;

/* RU_ERR_INVALID also for more than API_PLANS_MAX plans; RU_ERR_NOMEM. */
enum ru_status answer_encode_plans(const struct plan_list *a, char **json) RU_WARN_UNUSED;
enum ru_status answer_parse_plans(const char *body, size_t len, struct plan_list *out) RU_WARN_UNUSED;
void plan_list_release(struct plan_list *a);

enum ru_status answer_encode_void(const struct void_result *a, char **json) RU_WARN_UNUSED;
enum ru_status answer_parse_void(const char *body, size_t len, struct void_result *out) RU_WARN_UNUSED;

enum ru_status answer_encode_reversal(const struct reversal_result *a, char **json) RU_WARN_UNUSED;
enum ru_status answer_parse_reversal(const char *body, size_t len,
                                     struct reversal_result *out) RU_WARN_UNUSED;

enum ru_status answer_encode_journal_head(const struct auth_head *a, char **json) RU_WARN_UNUSED;
/* RU_ERR_INVALID also for a seq below 1 or a hash that is not 64 lowercase hex digits. */
enum ru_status answer_parse_journal_head(const char *body, size_t len, struct auth_head *out) RU_WARN_UNUSED;

/* RU_ERR_INVALID also for a list out of order or over API_HEADS_MAX; RU_ERR_NOMEM. */
enum ru_status answer_encode_journal_heads(const struct journal_heads *a, char **json) RU_WARN_UNUSED;
enum ru_status answer_parse_journal_heads(const char *body, size_t len,
                                          struct journal_heads *out) RU_WARN_UNUSED;
void journal_heads_release(struct journal_heads *a);

/* The body of a refusal with CODE and MESSAGE. */
enum ru_status answer_encode_error(const char *code, const char *message, char **json) RU_WARN_UNUSED;
/* Code and message of a refusal's body into *out (http_status and retry_after_s are left
 * alone). */
enum ru_status answer_parse_error(const char *body, size_t len, struct api_error *out) RU_WARN_UNUSED;

#endif
