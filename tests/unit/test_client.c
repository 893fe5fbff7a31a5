/*
 * tests/unit/test_client.c - the terminal's client against the real activation host,
 * started in this process on a loopback port with its development certificate.
 *
 * Covers: health and the catalog; an activation and its retry over one keep-alive
 * connection (the same answer); a card's status; a wrong secret is an answer (401), not a
 * failure; a certificate that does not verify, and a server that is gone, are "no answer"
 * (RU_ERR_NETWORK) with a reason; credentials files: loaded, refused when others may read them
 * or when they are not what `terminal add` printed.
 */
#include <jansson.h>
#include <sys/stat.h>
#include "tests/testlib.h"
#include "issuer/client.h"
#include "issuer/ledger.h"
#include "issuer/server.h"

static struct server *srv;
static unsigned char secret[SECRET_BYTES];
static char serial[CARD_DIGITS + 1], url[64], ca[512];

static enum ru_status keep(void *ctx, const char *s, const char *pin, const char *plan, const char *batch)
{
    (void)ctx, (void)pin, (void)plan, (void)batch;
    if (!*serial)
        memcpy(serial, s, sizeof(serial));
    return RU_OK;
}

static enum ru_status done(void *ctx)
{
    (void)ctx;
    return RU_OK;
}

static int setup(void **state)
{
    (void)state;
    char err[256], batch[16];
    struct ledger *lg = NULL;
    struct ledger_plan p = {.code = "1y", .months = 12, .price_cents = 3999, .currency = "USD"};
    if (ledger_init(test_path("st"), 4242, err, sizeof(err)) != RU_OK ||
        ledger_open(test_path("st"), &lg) != RU_OK || ledger_plan_add(lg, &p) != RU_OK ||
        ledger_terminal_add(lg, "T1", "WM00001", secret) != RU_OK ||
        ledger_batch_create(lg, "1y", 5, keep, done, NULL, batch) != RU_OK)
        return -1;
    ledger_free(lg);
    struct server_config cfg = {.dir = test_path("st"), .listen = "127.0.0.1:0"};
    if (server_start(&cfg, &srv, err, sizeof(err)) != RU_OK)
        return -1;
    snprintf(url, sizeof(url), "https://localhost:%u", server_port(srv));
    snprintf(ca, sizeof(ca), "%s/tls/cert.pem", test_path("st"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    server_stop(srv);
    return 0;
}

static struct issuer_client *client(const unsigned char *key, const char *ca_path)
{
    struct issuer_client_config cfg = {.url = url, .ca_path = ca_path, .terminal = "T1"};
    memcpy(cfg.secret, key, SECRET_BYTES);
    struct issuer_client *c;
    assert_int_equal(issuer_client_new(&cfg, &c), RU_OK);
    return c;
}

static void test_requests(void **state)
{
    (void)state;
    struct issuer_client *c = client(secret, ca);
    struct issuer_answer a, b;
    assert_int_equal(issuer_client_request(c, "GET", "/v1/health", NULL, &a), RU_OK);
    assert_int_equal(a.http_status, 200);
    assert_string_equal(a.body, "{\"status\":\"ok\"}");
    issuer_answer_release(&a);
    assert_int_equal(issuer_client_request(c, "GET", "/v1/plans", NULL, &a), RU_OK);
    assert_int_equal(a.http_status, 200);
    assert_non_null(strstr(a.body, "\"code\":\"1y\""));
    issuer_answer_release(&a);

    char body[256];
    snprintf(body, sizeof(body),
             "{\"request_id\":\"7f0c2a8e-3d4b-4c1a-9e2f-000000000001\",\"serial\":\"%s\",\"amount\":3999,"
             "\"currency\":\"USD\"}",
             serial);
    assert_int_equal(issuer_client_request(c, "POST", "/v1/activations", body, &a), RU_OK);
    assert_int_equal(a.http_status, 201);
    assert_int_equal(issuer_client_request(c, "POST", "/v1/activations", body, &b), RU_OK);
    assert_int_equal(b.http_status, 201);
    assert_string_equal(a.body, b.body);
    issuer_answer_release(&a);
    issuer_answer_release(&b);

    char path[64];
    snprintf(path, sizeof(path), "/v1/cards/%s", serial);
    assert_int_equal(issuer_client_request(c, "GET", path, NULL, &a), RU_OK);
    json_t *j = json_loads(a.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "active");
    assert_string_equal(json_string_value(json_object_get(j, "store_id")), "WM00001");
    json_decref(j);
    issuer_answer_release(&a);
    issuer_client_free(c);

    /* a wrong secret is answered: the issuer decided */
    unsigned char wrong[SECRET_BYTES];
    memcpy(wrong, secret, sizeof(wrong));
    wrong[0] ^= 1;
    c = client(wrong, ca);
    assert_int_equal(issuer_client_request(c, "GET", "/v1/plans", NULL, &a), RU_OK);
    assert_int_equal(a.http_status, 401);
    assert_non_null(strstr(a.body, "bad_signature"));
    issuer_answer_release(&a);
    issuer_client_free(c);
}

static void test_no_answer(void **state)
{
    (void)state;
    /* another installation's certificate does not vouch for this server */
    char err[256], other[600];
    assert_int_equal(ledger_init(test_path("other"), 1, err, sizeof(err)), RU_OK);
    snprintf(other, sizeof(other), "%s/tls/cert.pem", test_path("other"));
    struct issuer_client *c = client(secret, other);
    struct issuer_answer a;
    assert_int_equal(issuer_client_request(c, "GET", "/v1/health", NULL, &a), RU_ERR_NETWORK);
    assert_non_null(strstr(issuer_client_errmsg(c), "no answer"));
    issuer_client_free(c);

    struct issuer_client_config bad = {.url = "http://localhost:1", .terminal = "T1"};
    assert_int_equal(issuer_client_new(&bad, &c), RU_ERR_INVALID);

    /* a port where nothing listens */
    struct issuer_client_config gone = {.url = "https://127.0.0.1:1", .ca_path = ca, .terminal = "T1"};
    assert_int_equal(issuer_client_new(&gone, &c), RU_OK);
    assert_int_equal(issuer_client_request(c, "GET", "/v1/health", NULL, &a), RU_ERR_NETWORK);
    assert_true(strlen(issuer_client_errmsg(c)) > 10);
    issuer_client_free(c);
}

static void test_credentials(void **state)
{
    (void)state;
    char hex[2 * SECRET_BYTES + 1], json[256], terminal[65], store[65], err[256];
    unsigned char got[SECRET_BYTES];
    secret_hex(secret, sizeof(secret), hex);
    snprintf(json, sizeof(json), "{\"terminal\": \"T1\", \"store\": \"WM00001\", \"secret\": \"%s\"}\n", hex);
    const char *path = test_path("terminal.json");
    test_write(path, json);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(issuer_credentials_load(path, terminal, store, got, err, sizeof(err)), RU_OK);
    assert_string_equal(terminal, "T1");
    assert_string_equal(store, "WM00001");
    assert_memory_equal(got, secret, sizeof(got));
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(issuer_credentials_load(path, terminal, store, got, err, sizeof(err)), RU_ERR_INVALID);
    assert_non_null(strstr(err, "chmod 600"));
    test_write(test_path("bad.json"), "{\"terminal\": \"T1\", \"store\": \"W\", \"secret\": \"xyz\"}");
    assert_int_equal(chmod(test_path("bad.json"), 0600), 0);
    assert_int_equal(issuer_credentials_load(test_path("bad.json"), terminal, store, got, err, sizeof(err)),
                     RU_ERR_INVALID);
    assert_int_equal(issuer_credentials_load(test_path("none.json"), terminal, store, got, err, sizeof(err)),
                     RU_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_no_answer),
        cmocka_unit_test(test_credentials),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
