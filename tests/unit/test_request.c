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
 */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_ok),
        cmocka_unit_test(test_activation_refusals),
        cmocka_unit_test(test_other_bodies),
        cmocka_unit_test(test_json_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
