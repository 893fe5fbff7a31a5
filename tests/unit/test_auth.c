/*
 * tests/unit/test_auth.c - terminal request signatures.
 *
 * Covers: signatures equal HMAC-SHA256 over METHOD\nPATH\nts\nhex(SHA256(body)) computed
 * here in one piece (empty body hashes the empty string, the query string is signed);
 * headers made and parsed round trip; parameters in any order, upper-case hex; every
 * malformed header refused with a reason; verification: the ±300 s window at its edges,
 * and a changed method, path, query, body, timestamp or secret is refused. The journal
 * head: signed as a fifth line, a changed, added or dropped head refused, no head = the
 * four lines as before; its parser strict (digits without sign or leading zero, 64
 * lowercase hex digits, nothing else).
 */
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "tests/testlib.h"
#include "issuer/auth.h"
#include "issuer/secret.h"

static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";

/* The specification, written out in one piece. */
static void expected(const char *method, const char *path, int64_t ts, const char *body, char out[65])
{
    unsigned char d[32], mac[32];
    char hex[65], msg[2048];
    unsigned int n;
    EVP_Digest(body, strlen(body), d, NULL, EVP_sha256(), NULL);
    secret_hex(d, 32, hex);
    snprintf(msg, sizeof(msg), "%s\n%s\n%" PRId64 "\n%s", method, path, ts, hex);
    HMAC(EVP_sha256(), secret, sizeof(secret), (const unsigned char *)msg, strlen(msg), mac, &n);
    secret_hex(mac, 32, out);
}

static void test_sign_matches_spec(void **state)
{
    (void)state;
    char got[65], want[65];
    const char *body =
        "{\"request_id\":\"5f0c\",\"serial\":\"4242000000000018\",\"amount\":3999,\"currency\":\"USD\"}";
    assert_int_equal(
        auth_sign(secret, 32, "POST", "/v1/activations", 1767225600, body, strlen(body), NULL, got), RU_OK);
    expected("POST", "/v1/activations", 1767225600, body, want);
    assert_string_equal(got, want);
    assert_int_equal(auth_sign(secret, 32, "GET", "/v1/cards/4242000000000018?x=1", 5, NULL, 0, NULL, got),
                     RU_OK);
    expected("GET", "/v1/cards/4242000000000018?x=1", 5, "", want);
    assert_string_equal(got, want);
    /* the SHA-256 of the empty string is what an empty body signs */
    unsigned char d[32];
    char hex[65];
    EVP_Digest("", 0, d, NULL, EVP_sha256(), NULL);
    secret_hex(d, 32, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_header_round_trip(void **state)
{
    (void)state;
    char header[AUTH_HEADER_MAX];
    struct auth_header h;
    const char *why = NULL;
    assert_int_equal(
        auth_header_make(secret, 32, "T1", "POST", "/v1/activations", 1700000000, "{}", 2, NULL, header),
        RU_OK);
    const char *prefix = "ReUp-HMAC-SHA256 terminal=T1, ts=1700000000, sig=";
    assert_int_equal(strncmp(header, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(header), strlen(prefix) + 64);
    assert_int_equal(auth_header_parse(header, &h, &why), RU_OK);
    assert_string_equal(h.terminal, "T1");
    assert_int_equal(h.ts, 1700000000);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations", "{}", 2, NULL, 1700000100),
                     RU_OK);

    /* any order, no spaces, upper-case hex */
    char upper[65], reordered[AUTH_HEADER_MAX];
    for (int i = 0; i < 64; i++)
        upper[i] = (char)((h.sig[i] >= 'a' && h.sig[i] <= 'f') ? h.sig[i] - 32 : h.sig[i]);
    upper[64] = '\0';
    snprintf(reordered, sizeof(reordered), "ReUp-HMAC-SHA256 sig=%s,ts=1700000000,terminal=T1", upper);
    struct auth_header h2;
    assert_int_equal(auth_header_parse(reordered, &h2, &why), RU_OK);
    assert_string_equal(h2.sig, h.sig);
    assert_int_equal(auth_verify(&h2, secret, 32, "POST", "/v1/activations", "{}", 2, NULL, 1700000000),
                     RU_OK);
}

static void test_bad_headers(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "Basic dXNlcjpwYXNz",
        "ReUp-HMAC-SHA256",
        "ReUp-HMAC-SHA256 terminal=T1, ts=1",
        "ReUp-HMAC-SHA256 terminal=T1, ts=1, sig=abc",
        "ReUp-HMAC-SHA256 terminal=T1, ts=-5, sig="
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ReUp-HMAC-SHA256 terminal=T1, ts=12x, sig="
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ReUp-HMAC-SHA256 terminal=T1, ts=1, sig="
        "000000000000000000000000000000000000000000000000000000000000000g",
        "ReUp-HMAC-SHA256 terminal=T1, terminal=T2, ts=1, sig="
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ReUp-HMAC-SHA256 terminal=T1, ts=1, sig="
        "0000000000000000000000000000000000000000000000000000000000000000, x=1",
        "ReUp-HMAC-SHA256 terminal=, ts=1, sig="
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ReUp-HMAC-SHA256 terminal=T1 ts=1 sig="
        "0000000000000000000000000000000000000000000000000000000000000000",
        "reup-hmac-sha256 terminal=T1, ts=1, sig="
        "0000000000000000000000000000000000000000000000000000000000000000",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct auth_header h;
        const char *why = NULL;
        if (auth_header_parse(bad[i], &h, &why) != RU_ERR_INVALID)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(why);
    }
    char huge[AUTH_HEADER_MAX + 10];
    memset(huge, 'a', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    struct auth_header h;
    const char *why;
    assert_int_equal(auth_header_parse(huge, &h, &why), RU_ERR_INVALID);
}

static void test_verify_refuses_changes(void **state)
{
    (void)state;
    const int64_t ts = 1767225600;
    char header[AUTH_HEADER_MAX];
    struct auth_header h;
    const char *why;
    const char *body = "{\"reason\":\"customer changed mind\"}";
    const char *path = "/v1/activations/9d3f/void";
    assert_int_equal(auth_header_make(secret, 32, "T1", "POST", path, ts, body, strlen(body), NULL, header),
                     RU_OK);
    assert_int_equal(auth_header_parse(header, &h, &why), RU_OK);
    size_t n = strlen(body);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, NULL, ts + 300), RU_OK);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, NULL, ts - 300), RU_OK);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, NULL, ts + 301), RU_ERR_LIMIT);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, NULL, ts - 301), RU_ERR_LIMIT);
    assert_int_equal(auth_verify(&h, secret, 32, "GET", path, body, n, NULL, ts), RU_ERR_INVALID);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations/9d3e/void", body, n, NULL, ts),
                     RU_ERR_INVALID);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations/9d3f/void?x", body, n, NULL, ts),
                     RU_ERR_INVALID);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n - 1, NULL, ts), RU_ERR_INVALID);
    unsigned char other[32];
    memcpy(other, secret, 32);
    other[31] ^= 1;
    assert_int_equal(auth_verify(&h, other, 32, "POST", path, body, n, NULL, ts), RU_ERR_INVALID);
    h.ts++;
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, NULL, ts), RU_ERR_INVALID);
}

static const char head_hex[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

static void test_head_signed_as_fifth_line(void **state)
{
    (void)state;
    char head[AUTH_HEAD_MAX + 1], got[65], want[65], msg[512];
    unsigned char d[32], mac[32];
    char hex[65];
    unsigned int n;
    struct auth_head h = {.seq = 42};
    memcpy(h.hash, head_hex, 65);
    auth_head_format(&h, head);
    assert_string_equal(head, "42:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    assert_int_equal(auth_sign(secret, 32, "GET", "/v1/plans", 7, NULL, 0, head, got), RU_OK);
    EVP_Digest("", 0, d, NULL, EVP_sha256(), NULL);
    secret_hex(d, 32, hex);
    snprintf(msg, sizeof(msg), "GET\n/v1/plans\n7\n%s\n%s", hex, head);
    HMAC(EVP_sha256(), secret, sizeof(secret), (const unsigned char *)msg, strlen(msg), mac, &n);
    secret_hex(mac, 32, want);
    assert_string_equal(got, want);
    /* without the header: the four lines, unchanged */
    assert_int_equal(auth_sign(secret, 32, "GET", "/v1/plans", 7, NULL, 0, NULL, got), RU_OK);
    expected("GET", "/v1/plans", 7, "", want);
    assert_string_equal(got, want);
}

static void test_verify_refuses_changed_head(void **state)
{
    (void)state;
    char header[AUTH_HEADER_MAX], head[AUTH_HEAD_MAX + 1], other[AUTH_HEAD_MAX + 1];
    struct auth_header h;
    const char *why;
    struct auth_head jh = {.seq = 1000};
    memcpy(jh.hash, head_hex, 65);
    auth_head_format(&jh, head);
    assert_int_equal(
        auth_header_make(secret, 32, "T1", "POST", "/v1/activations", 100, "{}", 2, head, header), RU_OK);
    assert_int_equal(auth_header_parse(header, &h, &why), RU_OK);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations", "{}", 2, head, 100), RU_OK);
    /* a rolled-back terminal cannot put an older head on a request signed with another */
    jh.seq = 999;
    auth_head_format(&jh, other);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations", "{}", 2, other, 100),
                     RU_ERR_INVALID);
    jh.seq = 1000;
    jh.hash[63] = '9';
    auth_head_format(&jh, other);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations", "{}", 2, other, 100),
                     RU_ERR_INVALID);
    /* dropped, or added to a request signed without it */
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations", "{}", 2, NULL, 100),
                     RU_ERR_INVALID);
    assert_int_equal(
        auth_header_make(secret, 32, "T1", "POST", "/v1/activations", 100, "{}", 2, NULL, header), RU_OK);
    assert_int_equal(auth_header_parse(header, &h, &why), RU_OK);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations", "{}", 2, head, 100),
                     RU_ERR_INVALID);
}

static void test_head_parse(void **state)
{
    (void)state;
    struct auth_head h;
    const char *why = NULL;
    char text[160];
    snprintf(text, sizeof(text), "1:%s", head_hex);
    assert_int_equal(auth_head_parse(text, &h, &why), RU_OK);
    assert_int_equal(h.seq, 1);
    assert_string_equal(h.hash, head_hex);
    snprintf(text, sizeof(text), "9223372036854775807:%s", head_hex);
    assert_int_equal(auth_head_parse(text, &h, &why), RU_OK);
    assert_true(h.seq == 9223372036854775807LL);
    static const char *const bad_seq[] = {
        "0", "01", "+1", "-1", " 1", "1 ", "", "9223372036854775808", "1x", "0x1", "12345678901234567890"};
    for (size_t i = 0; i < sizeof(bad_seq) / sizeof(bad_seq[0]); i++) {
        snprintf(text, sizeof(text), "%s:%s", bad_seq[i], head_hex);
        why = NULL;
        assert_int_equal(auth_head_parse(text, &h, &why), RU_ERR_INVALID);
        assert_non_null(why);
    }
    static const char *const bad_hash[] = {
        "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",  /* upper case */
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0",   /* 63 */
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a081", /* 65 */
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ",
        ""};
    for (size_t i = 0; i < sizeof(bad_hash) / sizeof(bad_hash[0]); i++) {
        snprintf(text, sizeof(text), "7:%s", bad_hash[i]);
        why = NULL;
        assert_int_equal(auth_head_parse(text, &h, &why), RU_ERR_INVALID);
        assert_non_null(why);
    }
    snprintf(text, sizeof(text), "7::%s", head_hex);
    assert_int_equal(auth_head_parse(text, &h, &why), RU_ERR_INVALID);
    assert_int_equal(auth_head_parse(head_hex, &h, &why), RU_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_matches_spec),
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_verify_refuses_changes),
        cmocka_unit_test(test_head_signed_as_fifth_line),
        cmocka_unit_test(test_verify_refuses_changed_head),
        cmocka_unit_test(test_head_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
