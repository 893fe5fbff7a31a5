/*
 * tests/fuzz/fuzz_redeemform.c - libFuzzer target for what the redemption page takes from
 * the outside. The input is read as a form body, a query string, a Cookie header, a
 * Content-Type and an Origin. An accepted form has a csrf of 32 lowercase hex digits or
 * none, an account within 64 bytes without blanks at either end, and encodes to the JSON
 * POST /v1/redemptions parses; a refused one says why and leaves nothing behind. A
 * query's lang is 2 or 3 lowercase letters or nothing. A cookie's token is well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "issuer/api.h"
#include "issuer/redeemform.h"
#include "common/wipe.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lowercase_hex(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static void check_form(const struct redeemform *f)
{
    size_t n = strlen(f->account);
    if ((*f->csrf && !lowercase_hex(f->csrf, REDEEMFORM_TOKEN_HEX)) || n > REDEEMFORM_ACCOUNT_MAX ||
        strlen(f->pin) > REDEEMFORM_PIN_MAX || (n && (f->account[0] == ' ' || f->account[n - 1] == ' ')) ||
        (f->intent != REDEEMFORM_REDEEM && f->intent != REDEEMFORM_SWITCH))
        abort();
    char *json = NULL;
    if (redeemform_redemption_json(f, &json) != RU_OK)
        abort(); /* every accepted value is UTF-8 that JSON can hold */
    struct redemption_request rq;
    struct request_error e;
    if (request_parse_redemption(json, strlen(json), &rq, &e) == RU_OK && strcmp(rq.account, f->account) != 0)
        abort();
    wipe(&rq, sizeof(rq));
    wipe_free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct redeemform f;
    const char *why = NULL;
    char token[REDEEMFORM_TOKEN_HEX + 1];
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (redeemform_parse_body(text, size, &f, &why) == RU_OK)
        check_form(&f);
    else if (!why || !*why || f.csrf[0] || f.pin[0] || f.account[0])
        abort();
    redeemform_release(&f);
    why = NULL;
    if (redeemform_parse_query(text, size, &f, &why) == RU_OK) {
        size_t n = strlen(f.lang);
        if (n && ((n != 2 && n != 3) || strspn(f.lang, "abcdefghijklmnopqrstuvwxyz") != n))
            abort();
        if (f.csrf[0] || f.account[0])
            abort(); /* the query string carries neither */
    } else if (!why || !*why) {
        abort();
    }
    redeemform_release(&f);
    if (redeemform_cookie_token(text, token) == RU_OK ? !lowercase_hex(token, REDEEMFORM_TOKEN_HEX)
                                                      : token[0] != '\0')
        abort();
    if (redeemform_is_form_type(text) &&
        strncasecmp(text + strspn(text, " \t"), "application/x-www-form-urlencoded", 33) != 0)
        abort();
    /* an Origin that is accepted is absent, "null" or the host's own */
    if (redeemform_same_origin(text, "127.0.0.1:8443", NULL) && strcmp(text, "null") != 0 &&
        strcasecmp(text, "https://127.0.0.1:8443") != 0)
        abort();
    free(text);
    return 0;
}
