/*
 * tests/fuzz/fuzz_request.c - libFuzzer target for the request body parsers.
 * Every body goes to every parser: an accepted one has normalized, valid fields; a
 * refused one has a status from the documented set, a code and a message. The input is
 * also read as a Content-Type value: an accepted one starts with application/json; and as
 * the journal heads' query string: an accepted one has values in range and encodes back to
 * a path whose query string reads the same, a refused one is a 400.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "issuer/api.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused(const struct request_error *e)
{
    int s = e->http_status;
    if ((s != 400 && s != 413 && s != 422) || !*e->code || !*e->message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    struct request_error e;
    struct activation_request a;
    struct card_request c;
    struct reversal_request r;
    struct void_request v;
    struct redemption_request d;
    const char *why;
    char tmp[CARD_DIGITS + 1];
    if (request_parse_activation(body, size, &a, &e) == RU_OK) {
        if (!request_is_uuid(a.request_id) || card_serial_parse(a.serial, tmp, &why) != RU_OK ||
            a.amount < 0 || strlen(a.currency) != 3)
            abort();
    } else {
        refused(&e);
    }
    if (request_parse_card(body, size, &c, &e) != RU_OK)
        refused(&e);
    if (request_parse_reversal(body, size, &r, &e) != RU_OK)
        refused(&e);
    else if (!request_is_uuid(r.request_id))
        abort();
    if (request_parse_void(body, size, &v, &e) != RU_OK)
        refused(&e);
    if (request_parse_redemption(body, size, &d, &e) == RU_OK) {
        if (card_pin_parse(d.pin, tmp, &why) != RU_OK || !*d.account)
            abort();
    } else {
        refused(&e);
    }
    struct journal_heads_request q, q2;
    char path[96];
    if (request_parse_journal_heads(body, size, &q, &e) == RU_OK) {
        const char *qs;
        if (q.after < 0 || q.limit < 1 || q.limit > API_HEADS_MAX ||
            request_encode_journal_heads(&q, path, sizeof(path)) != RU_OK || !(qs = strchr(path, '?')) ||
            request_parse_journal_heads(qs + 1, strlen(qs + 1), &q2, &e) != RU_OK || q.after != q2.after ||
            q.limit != q2.limit)
            abort();
    } else if (e.http_status != 400 || !*e.code || !*e.message) {
        abort();
    }
    char *type = malloc(size + 1);
    if (!type)
        return 0;
    memcpy(type, data, size);
    type[size] = '\0';
    const char *media = type + strspn(type, " \t");
    if (request_is_json_type(type) && strncasecmp(media, "application/json", 16) != 0)
        abort();
    free(type);
    return 0;
}
