/*
 * tests/unit/test_auth.c - terminal request signatures.
 *
 * Covers: signatures equal HMAC-SHA256 over METHOD\nPATH\nts\nhex(SHA256(body)) computed
 * here in one piece (empty body hashes the empty string, the query string is signed);
 * headers made and parsed round trip; parameters in any order, upper-case hex; every
 * malformed header refused with a reason; verification: the ±300 s window at its edges,
 * and a changed method, path, query, body, timestamp or secret is refused.
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
    assert_int_equal(auth_sign(secret, 32, "POST", "/v1/activations", 1767225600, body, strlen(body), got),
                     RU_OK);
    expected("POST", "/v1/activations", 1767225600, body, want);
    assert_string_equal(got, want);
    assert_int_equal(auth_sign(secret, 32, "GET", "/v1/cards/4242000000000018?x=1", 5, NULL, 0, got), RU_OK);
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
        auth_header_make(secret, 32, "T1", "POST", "/v1/activations", 1700000000, "{}", 2, header), RU_OK);
    const char *prefix = "ReUp-HMAC-SHA256 terminal=T1, ts=1700000000, sig=";
    assert_int_equal(strncmp(header, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(header), strlen(prefix) + 64);
    assert_int_equal(auth_header_parse(header, &h, &why), RU_OK);
    assert_string_equal(h.terminal, "T1");
    assert_int_equal(h.ts, 1700000000);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations", "{}", 2, 1700000100), RU_OK);

    /* any order, no spaces, upper-case hex */
    char upper[65], reordered[AUTH_HEADER_MAX];
    for (int i = 0; i < 64; i++)
        upper[i] = (char)((h.sig[i] >= 'a' && h.sig[i] <= 'f') ? h.sig[i] - 32 : h.sig[i]);
    upper[64] = '\0';
    snprintf(reordered, sizeof(reordered), "ReUp-HMAC-SHA256 sig=%s,ts=1700000000,terminal=T1", upper);
    struct auth_header h2;
    assert_int_equal(auth_header_parse(reordered, &h2, &why), RU_OK);
    assert_string_equal(h2.sig, h.sig);
    assert_int_equal(auth_verify(&h2, secret, 32, "POST", "/v1/activations", "{}", 2, 1700000000), RU_OK);
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
    assert_int_equal(auth_header_make(secret, 32, "T1", "POST", path, ts, body, strlen(body), header), RU_OK);
    assert_int_equal(auth_header_parse(header, &h, &why), RU_OK);
    size_t n = strlen(body);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, ts + 300), RU_OK);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, ts - 300), RU_OK);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, ts + 301), RU_ERR_LIMIT);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, ts - 301), RU_ERR_LIMIT);
    assert_int_equal(auth_verify(&h, secret, 32, "GET", path, body, n, ts), RU_ERR_INVALID);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations/9d3e/void", body, n, ts),
                     RU_ERR_INVALID);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", "/v1/activations/9d3f/void?x", body, n, ts),
                     RU_ERR_INVALID);
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n - 1, ts), RU_ERR_INVALID);
    unsigned char other[32];
    memcpy(other, secret, 32);
    other[31] ^= 1;
    assert_int_equal(auth_verify(&h, other, 32, "POST", path, body, n, ts), RU_ERR_INVALID);
    h.ts++;
    assert_int_equal(auth_verify(&h, secret, 32, "POST", path, body, n, ts), RU_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_matches_spec),
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_verify_refuses_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
