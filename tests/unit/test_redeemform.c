/*
 * tests/unit/test_redeemform.c - what the redemption page takes from the outside.
 *
 * Covers: a form body with every field, '+' and %-escapes decoded, the account's blanks at
 * either end dropped, UTF-8 kept; each refusal (a field twice, one the form lacks, a pair
 * without '=', a trailing '&', a bad escape, a raw space or 8-bit byte, an overlong UTF-8
 * form, a control character escaped, an account of 65 bytes, a bad csrf, an unknown
 * intent, more than 4096 bytes) with a reason and the output wiped; the query string
 * (pin and lang kept, other names skipped, a lang that is not 2 or 3 lowercase letters
 * left out, a malformed pin refused); the Content-Type; the CSRF cookie among others,
 * twice or malformed; new tokens; the constant-time match; the origin rule; the JSON
 * body of POST /v1/redemptions made from a form.
 */
#include <stdlib.h>
#include "tests/testlib.h"
#include "issuer/api.h"
#include "issuer/redeemform.h"

#define TOKEN "0123456789abcdef0123456789abcdef"

static void test_body_ok(void **state)
{
    (void)state;
    struct redeemform f;
    const char *why = NULL;
    const char *body =
        "csrf=" TOKEN "&pin=8970+3976-7111+6560&account=+%20J%C3%B8rgen%40example.dk+&intent=redeem";
    assert_int_equal(redeemform_parse_body(body, strlen(body), &f, &why), RU_OK);
    assert_string_equal(f.csrf, TOKEN);
    assert_string_equal(f.pin, "8970 3976-7111 6560");
    assert_string_equal(f.account, "J\xc3\xb8rgen@example.dk");
    assert_int_equal(f.intent, REDEEMFORM_REDEEM);
    const char *sw = "intent=switch&account=&pin=";
    assert_int_equal(redeemform_parse_body(sw, strlen(sw), &f, &why), RU_OK);
    assert_int_equal(f.intent, REDEEMFORM_SWITCH);
    assert_string_equal(f.csrf, "");
    assert_int_equal(redeemform_parse_body("", 0, &f, &why), RU_OK);
    redeemform_release(&f);
}

static void expect_bad_body(const char *body)
{
    struct redeemform f;
    const char *why = NULL;
    if (redeemform_parse_body(body, strlen(body), &f, &why) != RU_ERR_INVALID)
        fail_msg("accepted: %s", body);
    assert_non_null(why);
    assert_true(strlen(why) > 5);
    assert_string_equal(f.pin, "");
    assert_string_equal(f.account, "");
    assert_string_equal(f.csrf, "");
}

static void test_body_refusals(void **state)
{
    (void)state;
    expect_bad_body("pin=1&pin=2");
    expect_bad_body("account=a&account=a");
    expect_bad_body("lang=da");
    expect_bad_body("pin=1&other=2");
    expect_bad_body("pin");
    expect_bad_body("pin=1&");
    expect_bad_body("&pin=1");
    expect_bad_body("pin=1%2");
    expect_bad_body("pin=1%zz");
    expect_bad_body("account=a b");
    expect_bad_body("account=\xc3\xb8");
    expect_bad_body("account=%C0%AF");    /* an overlong '/' */
    expect_bad_body("account=%ED%A0%80"); /* a surrogate */
    expect_bad_body("account=a%0Ab");     /* a line break */
    expect_bad_body("account=a%00b");     /* NUL */
    expect_bad_body("account=%C2%85");    /* C1 control */
    expect_bad_body("csrf=0123456789ABCDEF0123456789ABCDEF");
    expect_bad_body("csrf=0123");
    expect_bad_body("intent=delete");
    char account[128] = "account=";
    memset(account + 8, 'a', 65);
    expect_bad_body(account);
    account[8 + 64] = '\0'; /* 64 bytes: the most */
    struct redeemform f;
    const char *why;
    assert_int_equal(redeemform_parse_body(account, strlen(account), &f, &why), RU_OK);
    assert_int_equal(strlen(f.account), 64);
    char big[REDEEMFORM_MAX + 16];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big, "pin=", 4);
    expect_bad_body(big);
    char nul[] = "pin=1\0&account=x";
    assert_int_equal(redeemform_parse_body(nul, sizeof(nul) - 1, &f, &why), RU_ERR_INVALID);
}

static void test_query(void **state)
{
    (void)state;
    struct redeemform f;
    const char *why = NULL;
    const char *q = "utm_source=card%20x&pin=8970397671116560&debug&lang=da&utm=%zz-not-ours";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_OK);
    assert_string_equal(f.pin, "8970397671116560");
    assert_string_equal(f.lang, "da");
    q = "lang=DA";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_OK);
    assert_string_equal(f.lang, "");
    q = "lang=%0D%0Ax";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_OK);
    assert_string_equal(f.lang, "");
    q = "csrf=" TOKEN "&account=a";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_OK);
    assert_string_equal(f.csrf, "");
    assert_string_equal(f.account, "");
    assert_int_equal(redeemform_parse_query(NULL, 0, &f, &why), RU_OK);
    q = "pin=1%2";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_ERR_INVALID);
    q = "pin=1&pin=2";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_ERR_INVALID);
    q = "pin=1&&lang=da";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_ERR_INVALID);
    q = "pin=12345678901234567890123456789012345678901";
    assert_int_equal(redeemform_parse_query(q, strlen(q), &f, &why), RU_ERR_INVALID);
    redeemform_release(&f);
}

static void test_content_type(void **state)
{
    (void)state;
    assert_true(redeemform_is_form_type("application/x-www-form-urlencoded"));
    assert_true(redeemform_is_form_type(" Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
    assert_false(redeemform_is_form_type("application/x-www-form-urlencodedx"));
    assert_false(redeemform_is_form_type("multipart/form-data; boundary=x"));
    assert_false(redeemform_is_form_type("application/json"));
    assert_false(redeemform_is_form_type(NULL));
}

static void test_cookie(void **state)
{
    (void)state;
    char t[REDEEMFORM_TOKEN_HEX + 1];
    assert_int_equal(redeemform_cookie_token("a=1; __Host-reup_csrf=" TOKEN "; b=2", t), RU_OK);
    assert_string_equal(t, TOKEN);
    assert_int_equal(redeemform_cookie_token("__Host-reup_csrf=" TOKEN, t), RU_OK);
    assert_int_equal(redeemform_cookie_token("__Host-reup_csrf=" TOKEN "; __Host-reup_csrf=" TOKEN, t),
                     RU_ERR_NOT_FOUND);
    assert_string_equal(t, "");
    assert_int_equal(redeemform_cookie_token("__Host-reup_csrf=" TOKEN "0", t), RU_ERR_NOT_FOUND);
    assert_int_equal(redeemform_cookie_token("__Host-reup_csrf=0123456789ABCDEF0123456789ABCDEF", t),
                     RU_ERR_NOT_FOUND);
    assert_int_equal(redeemform_cookie_token("reup_csrf=" TOKEN, t), RU_ERR_NOT_FOUND);
    assert_int_equal(redeemform_cookie_token("x__Host-reup_csrf=" TOKEN, t), RU_ERR_NOT_FOUND);
    assert_int_equal(redeemform_cookie_token(NULL, t), RU_ERR_NOT_FOUND);
}

static void test_tokens(void **state)
{
    (void)state;
    char a[REDEEMFORM_TOKEN_HEX + 1], b[REDEEMFORM_TOKEN_HEX + 1];
    assert_int_equal(redeemform_token_new(a), RU_OK);
    assert_int_equal(redeemform_token_new(b), RU_OK);
    assert_int_equal(strlen(a), REDEEMFORM_TOKEN_HEX);
    assert_int_equal(strspn(a, "0123456789abcdef"), REDEEMFORM_TOKEN_HEX);
    assert_string_not_equal(a, b);
    assert_true(redeemform_token_match(a, a));
    assert_false(redeemform_token_match(a, b));
    assert_false(redeemform_token_match("", ""));
    assert_false(redeemform_token_match(a, NULL));
    assert_false(redeemform_token_match("0123", "0123"));
}

static void test_origin(void **state)
{
    (void)state;
    assert_true(redeemform_same_origin(NULL, "shop.example:8443", NULL));
    assert_true(redeemform_same_origin("null", "shop.example", "same-origin"));
    assert_true(redeemform_same_origin("https://shop.example:8443", "shop.example:8443", "same-origin"));
    assert_true(redeemform_same_origin("https://SHOP.example", "shop.example", "none"));
    assert_false(redeemform_same_origin("https://evil.example", "shop.example", NULL));
    assert_false(redeemform_same_origin("http://shop.example", "shop.example", NULL));
    assert_false(redeemform_same_origin("https://shop.example.evil", "shop.example", NULL));
    assert_false(redeemform_same_origin("https://shop.example", NULL, NULL));
    assert_false(redeemform_same_origin(NULL, "shop.example", "cross-site"));
    assert_false(redeemform_same_origin("https://shop.example", "shop.example", "Cross-Site"));
}

static void test_json(void **state)
{
    (void)state;
    struct redeemform f;
    const char *why;
    const char *body = "pin=8970+3976+7111+6560&account=%22quoted%22+%C3%B8";
    char *json = NULL;
    assert_int_equal(redeemform_parse_body(body, strlen(body), &f, &why), RU_OK);
    assert_int_equal(redeemform_redemption_json(&f, &json), RU_OK);
    struct redemption_request rq;
    struct request_error e;
    assert_int_equal(request_parse_redemption(json, strlen(json), &rq, &e), RU_OK);
    assert_string_equal(rq.pin, "8970397671116560");
    assert_string_equal(rq.account, "\"quoted\" \xc3\xb8");
    free(json);
    redeemform_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_ok), cmocka_unit_test(test_body_refusals),
        cmocka_unit_test(test_query),   cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_cookie),  cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_origin),  cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
