/*
 * tests/fuzz/fuzz_answer.c - libFuzzer target for the answer parsers of issuer/api.h, the
 * issuer's answers as a terminal reads them (outside input to the POS). Every input goes
 * to every parser: an accepted answer has text that fits, ends in NUL and holds no control
 * character, at most API_PLANS_MAX plans with prices in minor units from 0, a journal head
 * with a sequence number from 1 and 64 lowercase hex digits, a page of journal heads
 * (each list within API_HEADS_MAX, in order, none past the next page), and encodes
 * back to JSON that parses to the same values; a refused one leaves the output untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/api.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* S is a string within its N bytes, without control characters. */
static void clean(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    if (len == n)
        abort();
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            abort();
}
#define CLEAN(x) clean((x), sizeof(x))

/* Encoding gave RC and *J; parse it back with PARSE into OUT. */
#define BACK(rc, j, parse, out)                                     \
    do {                                                            \
        if ((rc) != RU_OK || parse((j), strlen(j), (out)) != RU_OK) \
            abort();                                                \
        free(j);                                                    \
    } while (0)

static void activation(const char *body, size_t size)
{
    struct activation_result a, b;
    char *j = NULL;
    memset(&a, 0x5a, sizeof(a));
    if (answer_parse_activation(body, size, &a) != RU_OK) {
        for (size_t i = 0; i < sizeof(a); i++)
            if (((unsigned char *)&a)[i] != 0x5a)
                abort();
        return;
    }
    CLEAN(a.activation_id), CLEAN(a.serial), CLEAN(a.plan), CLEAN(a.auth_code), CLEAN(a.status);
    BACK(answer_encode_activation(&a, &j), j, answer_parse_activation, &b);
    if (memcmp(&a, &b, sizeof(a)) != 0)
        abort();
}

static void ondemand(const char *body, size_t size)
{
    struct ondemand_card a, b;
    char *j = NULL;
    if (answer_parse_ondemand(body, size, &a) != RU_OK)
        return;
    CLEAN(a.serial), CLEAN(a.pin), CLEAN(a.plan), CLEAN(a.auth_code);
    BACK(answer_encode_ondemand(&a, &j), j, answer_parse_ondemand, &b);
    if (strcmp(a.serial, b.serial) || strcmp(a.pin, b.pin) || strcmp(a.plan, b.plan) ||
        strcmp(a.auth_code, b.auth_code))
        abort();
    ondemand_card_release(&a);
    ondemand_card_release(&b);
}

static void card(const char *body, size_t size)
{
    struct card_status a, b;
    char *j = NULL;
    if (answer_parse_card_status(body, size, &a) != RU_OK)
        return;
    CLEAN(a.serial), CLEAN(a.plan), CLEAN(a.status), CLEAN(a.activated_at), CLEAN(a.store_id);
    BACK(answer_encode_card_status(&a, &j), j, answer_parse_card_status, &b);
    if (strcmp(a.serial, b.serial) || strcmp(a.plan, b.plan) || strcmp(a.status, b.status) ||
        a.owner_view != b.owner_view || strcmp(a.activated_at, b.activated_at) ||
        strcmp(a.store_id, b.store_id))
        abort();
}

static void plans(const char *body, size_t size)
{
    struct plan_list a, b;
    char *j = NULL;
    if (answer_parse_plans(body, size, &a) != RU_OK)
        return;
    if (a.n > API_PLANS_MAX)
        abort();
    for (size_t i = 0; i < a.n; i++) {
        CLEAN(a.plans[i].code), CLEAN(a.plans[i].currency), CLEAN(a.plans[i].gtin);
        if (a.plans[i].price < 0 || a.plans[i].price > REQUEST_AMOUNT_MAX || a.plans[i].months < 0)
            abort();
    }
    BACK(answer_encode_plans(&a, &j), j, answer_parse_plans, &b);
    if (a.n != b.n)
        abort();
    for (size_t i = 0; i < a.n; i++)
        if (strcmp(a.plans[i].code, b.plans[i].code) || a.plans[i].months != b.plans[i].months ||
            a.plans[i].price != b.plans[i].price || strcmp(a.plans[i].currency, b.plans[i].currency) ||
            strcmp(a.plans[i].gtin, b.plans[i].gtin))
            abort();
    plan_list_release(&a);
    plan_list_release(&b);
}

static void small(const char *body, size_t size)
{
    struct void_result v, v2;
    struct reversal_result r, r2;
    struct api_error e = {0}, e2 = {0};
    char *j = NULL;
    if (answer_parse_void(body, size, &v) == RU_OK) {
        CLEAN(v.status);
        BACK(answer_encode_void(&v, &j), j, answer_parse_void, &v2);
        if (strcmp(v.status, v2.status))
            abort();
    }
    if (answer_parse_reversal(body, size, &r) == RU_OK) {
        if (r.reversed != 0 && r.reversed != 1)
            abort();
        BACK(answer_encode_reversal(&r, &j), j, answer_parse_reversal, &r2);
        if (r.reversed != r2.reversed)
            abort();
    }
    struct auth_head h, h2;
    if (answer_parse_journal_head(body, size, &h) == RU_OK) {
        if (h.seq < 1 || strlen(h.hash) != 64 || strspn(h.hash, "0123456789abcdef") != 64)
            abort();
        BACK(answer_encode_journal_head(&h, &j), j, answer_parse_journal_head, &h2);
        if (h.seq != h2.seq || strcmp(h.hash, h2.hash))
            abort();
    }
    if (answer_parse_error(body, size, &e) == RU_OK) {
        CLEAN(e.code), CLEAN(e.message);
        BACK(answer_encode_error(e.code, e.message, &j), j, answer_parse_error, &e2);
        if (strcmp(e.code, e2.code) || strcmp(e.message, e2.message))
            abort();
    }
}

static void heads(const char *body, size_t size)
{
    struct journal_heads a, b;
    char *j = NULL;
    if (answer_parse_journal_heads(body, size, &a) != RU_OK)
        return;
    const struct auth_head *lists[2] = {a.heads, a.anomalies};
    size_t counts[2] = {a.n, a.n_anomalies};
    for (int l = 0; l < 2; l++) {
        if (counts[l] > API_HEADS_MAX)
            abort();
        for (size_t i = 0; i < counts[l]; i++) {
            const struct auth_head *h = &lists[l][i];
            if (h->seq < 1 || (a.next && h->seq > a.next) || strlen(h->hash) != 64 ||
                strspn(h->hash, "0123456789abcdef") != 64 || (i && h[-1].seq > h->seq) ||
                (i && l == 0 && h[-1].seq == h->seq))
                abort();
        }
    }
    BACK(answer_encode_journal_heads(&a, &j), j, answer_parse_journal_heads, &b);
    if (a.n != b.n || a.n_anomalies != b.n_anomalies || a.next != b.next)
        abort();
    for (size_t i = 0; i < a.n; i++)
        if (a.heads[i].seq != b.heads[i].seq || strcmp(a.heads[i].hash, b.heads[i].hash))
            abort();
    for (size_t i = 0; i < a.n_anomalies; i++)
        if (a.anomalies[i].seq != b.anomalies[i].seq || strcmp(a.anomalies[i].hash, b.anomalies[i].hash))
            abort();
    journal_heads_release(&a);
    journal_heads_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    activation(body, size);
    ondemand(body, size);
    card(body, size);
    plans(body, size);
    small(body, size);
    heads(body, size);
    return 0;
}
