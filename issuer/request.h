/*
 * issuer/request.h - the activation API's request bodies, validated field by field.
 *
 * Bodies are JSON objects of at most REQUEST_BODY_MAX bytes. Each parser checks every
 * field for presence, JSON type and value, refuses fields it does not know and
 * duplicate keys, and on failure fills a request_error with the HTTP status and the
 * stable error code the API answers with, naming the field:
 *   413 body_too_large; 400 malformed_json, body_not_object;
 *   422 missing_field, wrong_type, invalid_value, unknown_field.
 * Values come out normalized: UUIDs in lower case, serials and PINs as bare digits.
 */
#ifndef REUP_ISSUER_REQUEST_H
#define REUP_ISSUER_REQUEST_H
#include <stddef.h>
#include "common/cardnum.h"
#include "common/status.h"

#define REQUEST_BODY_MAX   16384
#define REQUEST_UUID_LEN   36
#define REQUEST_AMOUNT_MAX 100000000LL

struct request_error {
    int http_status;
    char code[32];
    char field[32];
    char message[200];
};

struct activation_request { /* POST /v1/activations */
    char request_id[REQUEST_UUID_LEN + 1];
    char serial[CARD_DIGITS + 1];
    long long amount;
    char currency[4];
};

struct card_request { /* POST /v1/cards */
    char request_id[REQUEST_UUID_LEN + 1];
    char plan[17];
    long long amount;
    char currency[4];
};

struct reversal_request { /* POST /v1/reversals */
    char request_id[REQUEST_UUID_LEN + 1];
};

struct void_request { /* POST /v1/activations/{request_id}/void */
    char reason[201];
};

struct redemption_request { /* POST /v1/redemptions */
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

/* True for a UUID in 8-4-4-4-12 hex form (either case). */
int request_is_uuid(const char *s);

/* True when a Content-Type header value (NULL: none) names application/json, in any case,
 * with or without parameters ("application/json; charset=utf-8"); bodies of any other
 * type are answered 415. */
int request_is_json_type(const char *content_type);

#endif
