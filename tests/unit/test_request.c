/*
 * tests/unit/test_request.c - request bodies of the activation API.
 *
 * Covers: each body type parses and normalizes (UUID case, grouped serials); and each
 * refusal with its HTTP status, stable code and field: too large (413), not JSON, not an
 * object, duplicate keys (400), missing field, wrong JSON type (strings for numbers,
 * fractions for minor units), out-of-range amounts, bad currency, serial with a wrong
 * Luhn digit, PIN with a wrong Damm digit, bad UUID, unknown field, NUL and control
 * characters in text (422). A refused parse leaves the output untouched. The
 * Content-Type a body must declare: application/json in any case, with parameters.
 * Every request and answer structure of issuer/api.h round-trips (encode, parse, equal),
 * the encoders write the bytes of docs/api.md, and the answer parsers refuse what the
 * contract does not allow (wrong types, too long, control characters, too many plans)
 * while a refusal's message is cut and cleaned rather than lost.
 */
#include <stdlib.h>
#include "tests/testlib.h"
#include "issuer/api.h"

#define UUID "5F0C2A8E-3D4B-4C1A-9E2F-0123456789AB"

static void expect_refusal(const char *body, int status, const char *code, const char *field)
{
    struct activation_request a;
    struct request_error err;
    memset(&a, 0x5a, sizeof(a));
    struct activation_request before = a;
    if (request_parse_activation(body, strlen(body), &a, &err) != RU_ERR_INVALID)
        fail_msg("accepted: %s", body);
    if (err.http_status != status || strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0)
        fail_msg("%s: got %d %s '%s' (%s), wanted %d %s '%s'", body, err.http_status, err.code, err.field,
                 err.message, status, code, field);
    assert_true(strlen(err.message) > 5);
    assert_memory_equal(&a, &before, sizeof(a));
}

static void test_activation_ok(void **state)
{
    (void)state;
    struct activation_request a;
    struct request_error err;
    const char *body = "{\"request_id\":\"" UUID
                       "\",\"serial\":\"4242 0000 0000 0018\",\"amount\":3999,\"currency\":\"USD\"}";
    assert_int_equal(request_parse_activation(body, strlen(body), &a, &err), RU_OK);
    assert_string_equal(a.request_id, "5f0c2a8e-3d4b-4c1a-9e2f-0123456789ab");
    assert_string_equal(a.serial, "4242000000000018");
    assert_int_equal(a.amount, 3999);
    assert_string_equal(a.currency, "USD");
}

static void test_activation_refusals(void **state)
{
    (void)state;
    const char *ok_tail = ",\"amount\":3999,\"currency\":\"USD\"}";
    char body[512];
    expect_refusal("{\"request_id\":", 400, "malformed_json", "");
    expect_refusal("[1,2]", 400, "body_not_object", "");
    expect_refusal("\"text\"", 400, "body_not_object", "");
    expect_refusal("{\"request_id\":\"" UUID "\",\"request_id\":\"" UUID "\"}", 400, "malformed_json", "");
    expect_refusal("{\"serial\":\"4242000000000018\",\"amount\":3999,\"currency\":\"USD\"}", 422,
                   "missing_field", "request_id");
    snprintf(body, sizeof(body), "{\"request_id\":\"" UUID "\",\"serial\":\"4242000000000018\"%s",
             ",\"currency\":\"USD\"}");
    expect_refusal(body, 422, "missing_field", "amount");
    snprintf(body, sizeof(body), "{\"request_id\":\"not-a-uuid\",\"serial\":\"4242000000000018\"%s", ok_tail);
    expect_refusal(body, 422, "invalid_value", "request_id");
    snprintf(body, sizeof(body), "{\"request_id\":\"" UUID "\",\"serial\":\"4242000000000019\"%s", ok_tail);
    expect_refusal(body, 422, "invalid_value", "serial");
    snprintf(body, sizeof(body), "{\"request_id\":\"" UUID "\",\"serial\":4242000000000018%s", ok_tail);
    expect_refusal(body, 422, "wrong_type", "serial");
    expect_refusal("{\"request_id\":\"" UUID
                   "\",\"serial\":\"4242000000000018\",\"amount\":\"3999\",\"currency\":\"USD\"}",
                   422, "wrong_type", "amount");
    expect_refusal("{\"request_id\":\"" UUID
                   "\",\"serial\":\"4242000000000018\",\"amount\":39.99,\"currency\":\"USD\"}",
                   422, "wrong_type", "amount");
    expect_refusal("{\"request_id\":\"" UUID
                   "\",\"serial\":\"4242000000000018\",\"amount\":-1,\"currency\":\"USD\"}",
                   422, "invalid_value", "amount");
    expect_refusal("{\"request_id\":\"" UUID
                   "\",\"serial\":\"4242000000000018\",\"amount\":3999,\"currency\":\"usd\"}",
                   422, "invalid_value", "currency");
    expect_refusal("{\"request_id\":\"" UUID
                   "\",\"serial\":\"4242000000000018\",\"amount\":3999,\"currency\":\"USD\","
                   "\"tip\":1}",
                   422, "unknown_field", "tip");
    expect_refusal("{\"request_id\":\"" UUID
                   "\",\"serial\":\"4242\\u00000000000000018\",\"amount\":3999,\"currency\":"
                   "\"USD\"}",
                   400, "malformed_json", ""); /* a NUL inside a string is not accepted JSON here */
    /* 16 kB is the limit */
    char *big = malloc(REQUEST_BODY_MAX + 2);
    memset(big, ' ', REQUEST_BODY_MAX + 1);
    big[0] = '{';
    big[REQUEST_BODY_MAX] = '}';
    big[REQUEST_BODY_MAX + 1] = '\0';
    expect_refusal(big, 413, "body_too_large", "");
    free(big);
}

static void test_other_bodies(void **state)
{
    (void)state;
    struct request_error err;
    struct redemption_request r;
    char pin[CARD_DIGITS + 1];
    assert_int_equal(card_pin_generate(pin), RU_OK);
    char body[256];
    snprintf(body, sizeof(body), "{\"pin\":\"%.4s %.4s %.4s %.4s\",\"account\":\"alice@example.com\"}", pin,
             pin + 4, pin + 8, pin + 12);
    assert_int_equal(request_parse_redemption(body, strlen(body), &r, &err), RU_OK);
    assert_string_equal(r.pin, pin);
    assert_string_equal(r.account, "alice@example.com");
    pin[3] = (char)(pin[3] == '9' ? '0' : pin[3] + 1);
    snprintf(body, sizeof(body), "{\"pin\":\"%s\",\"account\":\"alice\"}", pin);
    assert_int_equal(request_parse_redemption(body, strlen(body), &r, &err), RU_ERR_INVALID);
    assert_string_equal(err.field, "pin");
    assert_non_null(strstr(err.message, "check digit"));
    snprintf(body, sizeof(body), "{\"pin\":\"%s\",\"account\":\"a\\u0007b\"}", "0000000000000000");
    assert_int_equal(request_parse_redemption(body, strlen(body), &r, &err), RU_ERR_INVALID);

    struct card_request c;
    const char *cb = "{\"request_id\":\"" UUID "\",\"plan\":\"1y\",\"amount\":3999,\"currency\":\"USD\"}";
    assert_int_equal(request_parse_card(cb, strlen(cb), &c, &err), RU_OK);
    assert_string_equal(c.plan, "1y");
    cb = "{\"request_id\":\"" UUID "\",\"plan\":\"1 y\",\"amount\":3999,\"currency\":\"USD\"}";
    assert_int_equal(request_parse_card(cb, strlen(cb), &c, &err), RU_ERR_INVALID);
    assert_string_equal(err.field, "plan");

    struct reversal_request rv;
    const char *rb = "{\"request_id\":\"" UUID "\"}";
    assert_int_equal(request_parse_reversal(rb, strlen(rb), &rv, &err), RU_OK);
    assert_int_equal(request_parse_reversal("{}", 2, &rv, &err), RU_ERR_INVALID);
    assert_string_equal(err.code, "missing_field");

    struct void_request v;
    const char *vb = "{\"reason\":\"customer changed their mind\"}";
    assert_int_equal(request_parse_void(vb, strlen(vb), &v, &err), RU_OK);
    assert_string_equal(v.reason, "customer changed their mind");
    vb = "{\"reason\":\"\"}";
    assert_int_equal(request_parse_void(vb, strlen(vb), &v, &err), RU_ERR_INVALID);
    assert_true(request_is_uuid(UUID));
    assert_false(request_is_uuid("5F0C2A8E-3D4B-4C1A-9E2F-0123456789AG"));
}

static void test_json_type(void **state)
{
    (void)state;
    const char *yes[] = {"application/json",
                         "Application/JSON",
                         "application/json; charset=utf-8",
                         "application/json;charset=UTF-8",
                         " application/json ",
                         "application/json\t;q=1"};
    const char *no[] = {NULL,
                        "",
                        "text/plain",
                        "application/jsonx",
                        "application/json-patch+json",
                        "application/x-www-form-urlencoded",
                        "application/jso",
                        "json",
                        "application/json, text/plain",
                        "text/plain; application/json"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(request_is_json_type(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(request_is_json_type(no[i]));
}

/* Field F of X and Y equal; structures with padding are compared field by field. */
#define SAME_TEXT(x, y, f) assert_string_equal((x).f, (y).f)
#define SAME_INT(x, y, f)  assert_int_equal((x).f, (y).f)

/* ENCODED's JSON is EXPECT byte for byte; ENCODED is freed. */
static void expect_bytes(char *encoded, const char *expect)
{
    assert_non_null(encoded);
    assert_string_equal(encoded, expect);
    free(encoded);
}

static void test_request_round_trips(void **state)
{
    (void)state;
    struct request_error e;
    char *j = NULL;

    struct activation_request a = {.request_id = "5f0c2a8e-3d4b-4c1a-9e2f-000000000001",
                                   .serial = "4242000000000018",
                                   .amount = 3999,
                                   .currency = "USD"},
                              a2;
    assert_int_equal(request_encode_activation(&a, &j), RU_OK);
    assert_int_equal(request_parse_activation(j, strlen(j), &a2, &e), RU_OK);
    SAME_TEXT(a, a2, request_id);
    SAME_TEXT(a, a2, serial);
    SAME_INT(a, a2, amount);
    SAME_TEXT(a, a2, currency);
    expect_bytes(j,
                 "{\"request_id\":\"5f0c2a8e-3d4b-4c1a-9e2f-000000000001\",\"serial\":\"4242000000000018\","
                 "\"amount\":3999,\"currency\":\"USD\"}");

    struct card_request c = {.request_id = "5f0c2a8e-3d4b-4c1a-9e2f-000000000006",
                             .plan = "1y",
                             .amount = 3999,
                             .currency = "USD"},
                        c2;
    assert_int_equal(request_encode_card(&c, &j), RU_OK);
    assert_int_equal(request_parse_card(j, strlen(j), &c2, &e), RU_OK);
    SAME_TEXT(c, c2, request_id);
    SAME_TEXT(c, c2, plan);
    SAME_INT(c, c2, amount);
    SAME_TEXT(c, c2, currency);
    expect_bytes(j,
                 "{\"request_id\":\"5f0c2a8e-3d4b-4c1a-9e2f-000000000006\",\"plan\":\"1y\",\"amount\":3999,"
                 "\"currency\":\"USD\"}");

    struct reversal_request r = {.request_id = "5f0c2a8e-3d4b-4c1a-9e2f-000000000004"}, r2;
    assert_int_equal(request_encode_reversal(&r, &j), RU_OK);
    assert_int_equal(request_parse_reversal(j, strlen(j), &r2, &e), RU_OK);
    assert_memory_equal(&r, &r2, sizeof(r));
    expect_bytes(j, "{\"request_id\":\"5f0c2a8e-3d4b-4c1a-9e2f-000000000004\"}");

    struct void_request v = {.reason = "customer changed their mind \"now\""}, v2;
    assert_int_equal(request_encode_void(&v, &j), RU_OK);
    assert_int_equal(request_parse_void(j, strlen(j), &v2, &e), RU_OK);
    assert_memory_equal(&v, &v2, sizeof(v));
    expect_bytes(j, "{\"reason\":\"customer changed their mind \\\"now\\\"\"}");
}

static void same_card_status(const struct card_status *x, const struct card_status *y)
{
    SAME_TEXT(*x, *y, serial);
    SAME_TEXT(*x, *y, plan);
    SAME_TEXT(*x, *y, status);
    SAME_INT(*x, *y, owner_view);
    SAME_TEXT(*x, *y, activated_at);
    SAME_TEXT(*x, *y, store_id);
}

static void test_answer_round_trips(void **state)
{
    (void)state;
    char *j = NULL;

    struct activation_result a = {.activation_id = "act_5f0c2a8e3d4b",
                                  .serial = "4242000000000018",
                                  .plan = "1y",
                                  .auth_code = "79WVTJ",
                                  .status = "active"},
                             a2;
    assert_int_equal(answer_encode_activation(&a, &j), RU_OK);
    assert_int_equal(answer_parse_activation(j, strlen(j), &a2), RU_OK);
    assert_memory_equal(&a, &a2, sizeof(a));
    expect_bytes(j, "{\"activation_id\":\"act_5f0c2a8e3d4b\",\"serial\":\"4242000000000018\",\"plan\":\"1y\","
                    "\"auth_code\":\"79WVTJ\",\"status\":\"active\"}");

    struct ondemand_card o = {.serial = "4242000000000406",
                              .pin = "8016346913780125",
                              .plan = "1y",
                              .auth_code = "K7QX2M"},
                         o2;
    assert_int_equal(answer_encode_ondemand(&o, &j), RU_OK);
    assert_int_equal(answer_parse_ondemand(j, strlen(j), &o2), RU_OK);
    assert_memory_equal(&o, &o2, sizeof(o));
    expect_bytes(j, "{\"serial\":\"4242000000000406\",\"pin\":\"8016346913780125\",\"plan\":\"1y\","
                    "\"auth_code\":\"K7QX2M\"}");
    ondemand_card_release(&o2);
    assert_string_equal(o2.pin, ""); /* wiped */
    memset(o.pin, 0, sizeof(o.pin)); /* a retry: the PIN is not sent again */
    assert_int_equal(answer_encode_ondemand(&o, &j), RU_OK);
    assert_int_equal(answer_parse_ondemand(j, strlen(j), &o2), RU_OK);
    assert_memory_equal(&o, &o2, sizeof(o));
    expect_bytes(j,
                 "{\"serial\":\"4242000000000406\",\"pin\":null,\"plan\":\"1y\",\"auth_code\":\"K7QX2M\"}");

    struct card_status cs = {.serial = "4242000000000018",
                             .plan = "1y",
                             .status = "active",
                             .owner_view = 1,
                             .activated_at = "2026-11-25T18:27:21Z",
                             .store_id = "WM00001"},
                       cs2;
    assert_int_equal(answer_encode_card_status(&cs, &j), RU_OK);
    assert_int_equal(answer_parse_card_status(j, strlen(j), &cs2), RU_OK);
    same_card_status(&cs, &cs2);
    expect_bytes(j, "{\"serial\":\"4242000000000018\",\"plan\":\"1y\",\"status\":\"active\","
                    "\"activated_at\":\"2026-11-25T18:27:21Z\",\"store_id\":\"WM00001\"}");
    cs =
        (struct card_status){.serial = "4242000000000018", .plan = "1y", .status = "issued", .owner_view = 1};
    assert_int_equal(answer_encode_card_status(&cs, &j), RU_OK);
    assert_int_equal(answer_parse_card_status(j, strlen(j), &cs2), RU_OK);
    same_card_status(&cs, &cs2);
    expect_bytes(
        j, "{\"serial\":\"4242000000000018\",\"plan\":\"1y\",\"status\":\"issued\",\"activated_at\":null,"
           "\"store_id\":null}");
    cs.owner_view = 0; /* another store sees the state alone */
    assert_int_equal(answer_encode_card_status(&cs, &j), RU_OK);
    assert_int_equal(answer_parse_card_status(j, strlen(j), &cs2), RU_OK);
    same_card_status(&cs, &cs2);
    expect_bytes(j, "{\"serial\":\"4242000000000018\",\"plan\":\"1y\",\"status\":\"issued\"}");

    struct plan_info plans[] = {
        {.code = "1y", .months = 12, .price = 3999, .currency = "USD", .gtin = ""},
        {.code = "3m", .months = 3, .price = 1299, .currency = "USD", .gtin = "12345670"},
    };
    struct plan_list l = {plans, 2}, l2;
    assert_int_equal(answer_encode_plans(&l, &j), RU_OK);
    assert_int_equal(answer_parse_plans(j, strlen(j), &l2), RU_OK);
    assert_int_equal(l2.n, 2);
    for (size_t i = 0; i < 2; i++) {
        SAME_TEXT(plans[i], l2.plans[i], code);
        SAME_INT(plans[i], l2.plans[i], months);
        SAME_INT(plans[i], l2.plans[i], price);
        SAME_TEXT(plans[i], l2.plans[i], currency);
        SAME_TEXT(plans[i], l2.plans[i], gtin);
    }
    plan_list_release(&l2);
    assert_null(l2.plans);
    expect_bytes(
        j, "{\"plans\":[{\"code\":\"1y\",\"months\":12,\"price\":3999,\"currency\":\"USD\",\"gtin\":\"\"},"
           "{\"code\":\"3m\",\"months\":3,\"price\":1299,\"currency\":\"USD\",\"gtin\":\"12345670\"}]}");
    l.n = 0;
    assert_int_equal(answer_encode_plans(&l, &j), RU_OK);
    assert_int_equal(answer_parse_plans(j, strlen(j), &l2), RU_OK);
    assert_int_equal(l2.n, 0);
    expect_bytes(j, "{\"plans\":[]}");

    struct void_result v = {.status = "issued"}, v2;
    assert_int_equal(answer_encode_void(&v, &j), RU_OK);
    assert_int_equal(answer_parse_void(j, strlen(j), &v2), RU_OK);
    assert_memory_equal(&v, &v2, sizeof(v));
    expect_bytes(j, "{\"status\":\"issued\"}");

    for (int b = 0; b < 2; b++) {
        struct reversal_result r = {.reversed = b}, r2;
        assert_int_equal(answer_encode_reversal(&r, &j), RU_OK);
        assert_int_equal(answer_parse_reversal(j, strlen(j), &r2), RU_OK);
        assert_int_equal(r2.reversed, b);
        expect_bytes(j, b ? "{\"reversed\":true}" : "{\"reversed\":false}");
    }

    struct auth_head h = {.seq = 12,
                          .hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
                     h2;
    assert_int_equal(answer_encode_journal_head(&h, &j), RU_OK);
    assert_int_equal(answer_parse_journal_head(j, strlen(j), &h2), RU_OK);
    assert_true(h2.seq == h.seq);
    assert_string_equal(h2.hash, h.hash);
    expect_bytes(
        j, "{\"seq\":12,\"hash\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}");

    static const char ha[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                      hb[] = "a0a1a2a3a4a5a6a7a8a9b0b1b2b3b4b5b6b7b8b9c0c1c2c3c4c5c6c7c8c9d0d1";
    struct auth_head hs[2] = {{3, ""}, {9, ""}}, an[2] = {{4, ""}, {4, ""}};
    for (int i = 0; i < 2; i++) {
        memcpy(hs[i].hash, i ? hb : ha, 65);
        memcpy(an[i].hash, i ? hb : ha, 65);
    }
    for (int last = 0; last < 2; last++) {
        struct journal_heads p = {hs, 2, an, 2, last ? 0 : 9}, p2;
        assert_int_equal(answer_encode_journal_heads(&p, &j), RU_OK);
        assert_int_equal(answer_parse_journal_heads(j, strlen(j), &p2), RU_OK);
        assert_int_equal(p2.n, 2);
        assert_int_equal(p2.n_anomalies, 2);
        for (int i = 0; i < 2; i++) {
            assert_true(p2.heads[i].seq == hs[i].seq && p2.anomalies[i].seq == an[i].seq);
            assert_string_equal(p2.heads[i].hash, hs[i].hash);
            assert_string_equal(p2.anomalies[i].hash, an[i].hash);
        }
        assert_true(p2.next == p.next);
        journal_heads_release(&p2);
        assert_null(p2.heads);
        char want[512];
        snprintf(want, sizeof(want),
                 "{\"heads\":[{\"seq\":3,\"hash\":\"%s\"},{\"seq\":9,\"hash\":\"%s\"}],"
                 "\"anomalies\":[{\"seq\":4,\"hash\":\"%s\"},{\"seq\":4,\"hash\":\"%s\"}],\"next\":%s}",
                 ha, hb, ha, hb, last ? "null" : "9");
        expect_bytes(j, want);
    }
    struct journal_heads none = {NULL, 0, NULL, 0, 0}, none2;
    assert_int_equal(answer_encode_journal_heads(&none, &j), RU_OK);
    assert_int_equal(answer_parse_journal_heads(j, strlen(j), &none2), RU_OK);
    assert_true(none2.n == 0 && none2.n_anomalies == 0 && none2.next == 0);
    expect_bytes(j, "{\"heads\":[],\"anomalies\":[],\"next\":null}");
    /* what the parser would refuse is not encoded either */
    struct journal_heads backwards = {an, 2, NULL, 0, 0}, past = {hs, 2, NULL, 0, 5};
    assert_int_equal(answer_encode_journal_heads(&backwards, &j), RU_ERR_INVALID);
    assert_int_equal(answer_encode_journal_heads(&past, &j), RU_ERR_INVALID);

    struct api_error e = {.http_status = 409, .retry_after_s = 7};
    assert_int_equal(answer_encode_error("card_already_active", "the card is active already", &j), RU_OK);
    assert_int_equal(answer_parse_error(j, strlen(j), &e), RU_OK);
    assert_string_equal(e.code, "card_already_active");
    assert_string_equal(e.message, "the card is active already");
    assert_int_equal(e.http_status, 409); /* from HTTP, left alone */
    assert_int_equal(e.retry_after_s, 7);
    expect_bytes(j,
                 "{\"error\":{\"code\":\"card_already_active\",\"message\":\"the card is active already\"}}");
}

static void expect_bad_answer(const char *body)
{
    struct activation_result a;
    memset(&a, 0x5a, sizeof(a));
    struct activation_result before = a;
    if (answer_parse_activation(body, strlen(body), &a) != RU_ERR_INVALID)
        fail_msg("accepted: %s", body);
    assert_memory_equal(&a, &before, sizeof(a));
}

static void test_answer_refusals(void **state)
{
    (void)state;
    expect_bad_answer("");
    expect_bad_answer("[]");
    expect_bad_answer("{\"activation_id\":\"a\",\"serial\":\"4242000000000018\",\"plan\":\"1y\"}");
    expect_bad_answer(
        "{\"activation_id\":\"a\",\"serial\":4242000000000018,\"plan\":\"1y\",\"auth_code\":\"X\","
        "\"status\":\"active\"}");
    expect_bad_answer("{\"activation_id\":\"a\",\"serial\":\"42420000000000180\",\"plan\":\"1y\","
                      "\"auth_code\":\"X\",\"status\":\"active\"}");
    expect_bad_answer("{\"activation_id\":\"a\",\"serial\":\"4242000000000018\",\"plan\":\"1y\","
                      "\"auth_code\":\"\\u001b[2J\",\"status\":\"active\"}");
    expect_bad_answer(
        "{\"activation_id\":\"a\",\"serial\":\"4242\\u0000\",\"plan\":\"1y\",\"auth_code\":\"X\","
        "\"status\":\"active\"}");
    expect_bad_answer("{\"activation_id\":\"a\",\"activation_id\":\"b\",\"serial\":\"4242000000000018\","
                      "\"plan\":\"1y\",\"auth_code\":\"X\",\"status\":\"active\"}");
    /* a field the contract does not name is skipped: the issuer may add some */
    struct activation_result a;
    const char *more =
        "{\"activation_id\":\"a\",\"serial\":\"4242000000000018\",\"plan\":\"1y\",\"auth_code\":"
        "\"X\",\"status\":\"active\",\"new\":[1]}";
    assert_int_equal(answer_parse_activation(more, strlen(more), &a), RU_OK);

    struct plan_list l;
    const char *neg = "{\"plans\":[{\"code\":\"1y\",\"months\":12,\"price\":-1,\"currency\":\"USD\"}]}";
    assert_int_equal(answer_parse_plans(neg, strlen(neg), &l), RU_ERR_INVALID);
    const char *frac = "{\"plans\":[{\"code\":\"1y\",\"months\":12,\"price\":39.99,\"currency\":\"USD\"}]}";
    assert_int_equal(answer_parse_plans(frac, strlen(frac), &l), RU_ERR_INVALID);
    assert_int_equal(answer_parse_plans("{\"plans\":{}}", 12, &l), RU_ERR_INVALID);
    char *many = malloc(64 * (API_PLANS_MAX + 2));
    assert_non_null(many);
    size_t n = (size_t)snprintf(many, 16, "{\"plans\":[");
    for (int i = 0; i <= API_PLANS_MAX; i++)
        n += (size_t)snprintf(many + n, 64,
                              "%s{\"code\":\"p%d\",\"months\":1,\"price\":1,\"currency\":\"USD\"}",
                              i ? "," : "", i);
    snprintf(many + n, 4, "]}");
    assert_int_equal(answer_parse_plans(many, strlen(many), &l), RU_ERR_INVALID);
    free(many);

    struct reversal_result r;
    assert_int_equal(answer_parse_reversal("{\"reversed\":1}", 14, &r), RU_ERR_INVALID);

    struct auth_head h;
    static const char *const bad_heads[] = {
        "{\"seq\":0,\"hash\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}",
        "{\"seq\":\"1\",\"hash\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}",
        "{\"seq\":1,\"hash\":\"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\"}",
        "{\"seq\":1,\"hash\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0\"}",
        "{\"seq\":1}",
    };
    for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++)
        assert_int_equal(answer_parse_journal_head(bad_heads[i], strlen(bad_heads[i]), &h), RU_ERR_INVALID);

    struct journal_heads p;
    static const char *const bad_pages[] = {
        "{\"heads\":[],\"anomalies\":[]}",
        "{\"heads\":[],\"next\":null}",
        "{\"anomalies\":[],\"next\":null}",
        "{\"heads\":{},\"anomalies\":[],\"next\":null}",
        "{\"heads\":[],\"anomalies\":[],\"next\":0}",
        "{\"heads\":[],\"anomalies\":[],\"next\":\"5\"}",
        "{\"heads\":[],\"anomalies\":[],\"next\":1.5}",
        "{\"heads\":[{\"seq\":0,\"hash\":"
        "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}],"
        "\"anomalies\":[],\"next\":null}",
        /* a head past next, heads out of order, one number twice, anomalies repeated */
        "{\"heads\":[{\"seq\":6,\"hash\":"
        "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}],"
        "\"anomalies\":[],\"next\":5}",
        "{\"heads\":[{\"seq\":6,\"hash\":"
        "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"},"
        "{\"seq\":5,\"hash\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}],"
        "\"anomalies\":[],\"next\":null}",
        "{\"heads\":[{\"seq\":5,\"hash\":"
        "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"},"
        "{\"seq\":5,\"hash\":\"a0a1a2a3a4a5a6a7a8a9b0b1b2b3b4b5b6b7b8b9c0c1c2c3c4c5c6c7c8c9d0d1\"}],"
        "\"anomalies\":[],\"next\":null}",
        "{\"heads\":[],\"anomalies\":[{\"seq\":5,\"hash\":"
        "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"},"
        "{\"seq\":5,\"hash\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}],\"next\":"
        "null}",
    };
    for (size_t i = 0; i < sizeof(bad_pages) / sizeof(bad_pages[0]); i++)
        if (answer_parse_journal_heads(bad_pages[i], strlen(bad_pages[i]), &p) != RU_ERR_INVALID)
            fail_msg("accepted: %s", bad_pages[i]);
    many = malloc(100 * (API_HEADS_MAX + 2));
    assert_non_null(many);
    size_t at = (size_t)snprintf(many, 16, "{\"heads\":[");
    for (int i = 0; i <= API_HEADS_MAX; i++)
        at += (size_t)snprintf(many + at, 100, "%s{\"seq\":%d,\"hash\":\"%064d\"}", i ? "," : "", i + 1, 0);
    snprintf(many + at, 40, "],\"anomalies\":[],\"next\":null}");
    assert_int_equal(answer_parse_journal_heads(many, strlen(many), &p), RU_ERR_INVALID);
    free(many);

    /* a refusal's message: control characters become spaces, a long one is cut, not lost */
    struct api_error e = {0};
    char body[1024];
    snprintf(body, sizeof(body), "{\"error\":{\"code\":\"x\",\"message\":\"a\\u001b[2Jb%0600d\"}}", 0);
    assert_int_equal(answer_parse_error(body, strlen(body), &e), RU_OK);
    assert_int_equal(strncmp(e.message, "a [2Jb000", 9), 0);
    assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
    /* cut where a character starts: what is kept is still UTF-8, and encodes again */
    snprintf(body, sizeof(body), "{\"error\":{\"code\":\"x\",\"message\":\"%0254d\u00e9\"}}", 0);
    assert_int_equal(answer_parse_error(body, strlen(body), &e), RU_OK);
    assert_int_equal(strlen(e.message), 254);
    char *j = NULL;
    assert_int_equal(answer_encode_error(e.code, e.message, &j), RU_OK);
    free(j);
    assert_int_equal(answer_parse_error("{\"error\":\"x\"}", 13, &e), RU_ERR_INVALID);
}

static void expect_bad_query(const char *q, const char *code)
{
    struct journal_heads_request rq = {77, 77};
    struct request_error e;
    if (request_parse_journal_heads(q, strlen(q), &rq, &e) != RU_ERR_INVALID)
        fail_msg("accepted: ?%s", q);
    assert_int_equal(e.http_status, 400);
    assert_string_equal(e.code, code);
    assert_true(rq.after == 77 && rq.limit == 77);
}

static void test_heads_query(void **state)
{
    (void)state;
    struct journal_heads_request rq;
    struct request_error e;
    char path[96];
    assert_int_equal(request_parse_journal_heads(NULL, 0, &rq, &e), RU_OK);
    assert_true(rq.after == 0 && rq.limit == API_HEADS_MAX);
    assert_int_equal(request_parse_journal_heads("limit=7&after=9223372036854775807", 33, &rq, &e), RU_OK);
    assert_true(rq.after == 9223372036854775807LL && rq.limit == 7);
    /* LEN bytes only: what follows is not read */
    assert_int_equal(request_parse_journal_heads("after=12&limit=3", 8, &rq, &e), RU_OK);
    assert_true(rq.after == 12 && rq.limit == API_HEADS_MAX);
    assert_int_equal(request_parse_journal_heads("after=0", 7, &rq, &e), RU_OK);
    assert_true(rq.after == 0);
    rq = (struct journal_heads_request){42, 5};
    assert_int_equal(request_encode_journal_heads(&rq, path, sizeof(path)), RU_OK);
    assert_string_equal(path, "/v1/terminals/me/journal-heads?after=42&limit=5");
    struct journal_heads_request back;
    assert_int_equal(
        request_parse_journal_heads(strchr(path, '?') + 1, strlen(strchr(path, '?') + 1), &back, &e), RU_OK);
    assert_true(back.after == 42 && back.limit == 5);
    assert_int_equal(request_encode_journal_heads(&rq, path, 20), RU_ERR_LIMIT);
    rq.limit = API_HEADS_MAX + 1;
    assert_int_equal(request_encode_journal_heads(&rq, path, sizeof(path)), RU_ERR_INVALID);
    rq = (struct journal_heads_request){-1, 5};
    assert_int_equal(request_encode_journal_heads(&rq, path, sizeof(path)), RU_ERR_INVALID);

    expect_bad_query("after=-1", "bad_parameter");
    expect_bad_query("after=-0", "bad_parameter");
    expect_bad_query("after=007", "bad_parameter");
    expect_bad_query("after=+7", "bad_parameter");
    expect_bad_query("after=7 ", "bad_parameter");
    expect_bad_query("after=7.0", "bad_parameter");
    expect_bad_query("after=1e3", "bad_parameter");
    expect_bad_query("after=0x10", "bad_parameter");
    expect_bad_query("after=%37", "bad_parameter");
    expect_bad_query("after=9223372036854775808", "bad_parameter");
    expect_bad_query("after=99999999999999999999999", "bad_parameter");
    expect_bad_query("after=", "bad_parameter");
    expect_bad_query("after", "bad_parameter");
    expect_bad_query("after==1", "bad_parameter");
    expect_bad_query("after=1&after=1", "bad_parameter");
    expect_bad_query("limit=0", "bad_parameter");
    expect_bad_query("limit=1001", "bad_parameter");
    expect_bad_query("limit=1&limit=2", "bad_parameter");
    expect_bad_query("after=1&", "bad_parameter");
    expect_bad_query("&after=1", "unknown_parameter");
    expect_bad_query("after=1&&limit=1", "unknown_parameter");
    expect_bad_query("before=1", "unknown_parameter");
    expect_bad_query("AFTER=1", "unknown_parameter");
    expect_bad_query("afterx=1", "unknown_parameter");
    expect_bad_query("=1", "unknown_parameter");
    char longq[API_QUERY_MAX + 8];
    memset(longq, '1', sizeof(longq) - 1);
    longq[sizeof(longq) - 1] = '\0';
    memcpy(longq, "after=", 6);
    expect_bad_query(longq, "query_too_long");
    char nul[] = "after=1\0limit=2";
    assert_int_equal(request_parse_journal_heads(nul, sizeof(nul) - 1, &rq, &e), RU_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_ok),       cmocka_unit_test(test_activation_refusals),
        cmocka_unit_test(test_other_bodies),        cmocka_unit_test(test_json_type),
        cmocka_unit_test(test_request_round_trips), cmocka_unit_test(test_answer_round_trips),
        cmocka_unit_test(test_answer_refusals),     cmocka_unit_test(test_heads_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
