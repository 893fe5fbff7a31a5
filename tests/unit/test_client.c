/*
 * tests/unit/test_client.c - the terminal's client against the real activation host,
 * started in this process on a loopback port with its development certificate.
 *
 * Covers: health and the catalog; an activation and its retry over one keep-alive
 * connection (the same answer); a card's status; a wrong secret is an answer (401), not a
 * failure; a certificate that does not verify, and a server that is gone, are "no answer"
 * (RU_ERR_NETWORK) with a reason; credentials files: loaded, refused when others may read them
 * or when they are not what `terminal add` printed. The typed calls: plans, a card's
 * status, an activation and its void, a reversal, an on-demand card with its PIN and its
 * retry without; refusals are RU_ERR_DECLINED with the issuer's status, code and message
 * (and Retry-After, read from a 429), no answer is RU_ERR_NETWORK with no status. The
 * journal head: none seen is a 404; a head sent with a read and with the journal-head call
 * itself is recorded; a lower one, or another hash at the same sequence number, never
 * refuses the request, is kept as an anomaly and leaves the latest head alone; the table
 * refuses UPDATE and DELETE. Every head and anomaly, a page at a time: all in one page,
 * one head a page with the anomalies in its range, distinct and in order; a query string
 * that is not plain decimal after and limit is a 400 naming what is wrong; more anomalies
 * than a page holds end it before their number, or at it when they all share one.
 */
#include <jansson.h>
#include <sys/stat.h>
#include "tests/testlib.h"
#include "issuer/client.h"
#include "issuer/journalhead.h"
#include "issuer/ledger.h"
#include "issuer/server.h"
#include "db/db.h"

static struct server *srv;
static unsigned char secret[SECRET_BYTES];
static char serial[CARD_DIGITS + 1], serial2[CARD_DIGITS + 1], url[64], ca[512];

static enum ru_status keep(void *ctx, const char *s, const char *pin, const char *plan, const char *batch)
{
    (void)ctx, (void)pin, (void)plan, (void)batch;
    if (!*serial)
        memcpy(serial, s, sizeof(serial));
    else if (!*serial2)
        memcpy(serial2, s, sizeof(serial2));
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
    if (ledger_init(test_path("st"), 4242, NULL, err, sizeof(err)) != RU_OK ||
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
    assert_int_equal(ledger_init(test_path("other"), 1, NULL, err, sizeof(err)), RU_OK);
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

static void test_typed_calls(void **state)
{
    (void)state;
    struct issuer_client *c = client(secret, ca);
    struct api_error e;
    assert_int_equal(issuer_health(c, &e), RU_OK);

    struct plan_list l;
    assert_int_equal(issuer_plans(c, &l, &e), RU_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.plans[0].code, "1y");
    assert_int_equal(l.plans[0].price, 3999);
    assert_int_equal(l.plans[0].months, 12);
    plan_list_release(&l);

    struct card_status cs;
    assert_int_equal(issuer_card(c, serial2, &cs, &e), RU_OK);
    assert_string_equal(cs.status, "issued");
    assert_false(cs.owner_view); /* not this store's card (yet): the state alone */
    assert_int_equal(issuer_card(c, "4242000000000010", &cs, &e), RU_ERR_INVALID); /* a wrong Luhn digit */
    assert_int_equal(issuer_card(c, "4242000000000000", &cs, &e), RU_ERR_DECLINED);
    assert_int_equal(e.http_status, 404);
    assert_string_equal(e.code, "card_not_found");

    struct activation_request rq = {.amount = 3999, .currency = "USD"};
    snprintf(rq.request_id, sizeof(rq.request_id), "7f0c2a8e-3d4b-4c1a-9e2f-000000000010");
    memcpy(rq.serial, serial2, sizeof(rq.serial));
    struct activation_result a;
    assert_int_equal(issuer_activate(c, &rq, &a, &e), RU_OK);
    assert_string_equal(a.serial, serial2);
    assert_string_equal(a.status, "active");
    assert_int_equal(strlen(a.auth_code), 6);
    assert_int_equal(issuer_card(c, serial2, &cs, &e), RU_OK);
    assert_true(cs.owner_view);
    assert_string_equal(cs.store_id, "WM00001");
    assert_true(strlen(cs.activated_at) == 20);

    /* the same card again under another request_id: the issuer answers and refuses */
    snprintf(rq.request_id, sizeof(rq.request_id), "7f0c2a8e-3d4b-4c1a-9e2f-000000000011");
    memset(&a, 0x5a, sizeof(a));
    assert_int_equal(issuer_activate(c, &rq, &a, &e), RU_ERR_DECLINED);
    assert_int_equal(e.http_status, 409);
    assert_string_equal(e.code, "card_already_active");
    assert_true(strlen(e.message) > 5);
    assert_int_equal((unsigned char)a.serial[0], 0x5a); /* untouched */

    struct void_request vr = {.reason = "voided at the counter"};
    struct void_result v;
    assert_int_equal(issuer_void(c, "7f0c2a8e-3d4b-4c1a-9e2f-000000000010", &vr, &v, &e), RU_OK);
    assert_string_equal(v.status, "issued");
    assert_int_equal(issuer_void(c, "not-a-uuid", &vr, &v, &e), RU_ERR_INVALID);
    assert_int_equal(issuer_void(c, "7f0c2a8e-3d4b-4c1a-9e2f-0000000000ff", &vr, &v, &e), RU_ERR_DECLINED);
    assert_int_equal(e.http_status, 404);
    assert_string_equal(e.code, "activation_not_found");

    struct reversal_request rr = {.request_id = "7f0c2a8e-3d4b-4c1a-9e2f-000000000012"};
    struct reversal_result r = {.reversed = 1};
    assert_int_equal(issuer_reverse(c, &rr, &r, &e), RU_OK);
    assert_false(r.reversed); /* never seen: recorded, nothing to undo */

    struct card_request cr = {.request_id = "7f0c2a8e-3d4b-4c1a-9e2f-000000000013",
                              .plan = "1y",
                              .amount = 3999,
                              .currency = "USD"};
    struct ondemand_card oc, again;
    assert_int_equal(issuer_on_demand(c, &cr, &oc, &e), RU_OK);
    assert_int_equal(strlen(oc.pin), CARD_DIGITS);
    assert_int_equal(issuer_on_demand(c, &cr, &again, &e), RU_OK);
    assert_string_equal(again.serial, oc.serial);
    assert_string_equal(again.pin, ""); /* the PIN leaves the issuer once */
    ondemand_card_release(&oc);
    assert_string_equal(oc.pin, "");
    cr.amount = 1;
    snprintf(cr.request_id, sizeof(cr.request_id), "7f0c2a8e-3d4b-4c1a-9e2f-000000000014");
    assert_int_equal(issuer_on_demand(c, &cr, &oc, &e), RU_ERR_DECLINED);
    assert_int_equal(e.http_status, 422);
    assert_string_equal(e.code, "amount_mismatch");

    /* Retry-After reaches the caller: the sixth wrong PIN of an account within the window */
    struct issuer_answer ans;
    const char *wrong = "{\"pin\":\"0000 0000 0000 0000\",\"account\":\"retry@example.com\"}";
    for (int i = 0; i < 6; i++) {
        assert_int_equal(issuer_client_request(c, "POST", "/v1/redemptions", wrong, &ans), RU_OK);
        if (i < 5)
            issuer_answer_release(&ans);
    }
    assert_int_equal(ans.http_status, 429);
    assert_true(ans.retry_after_s > 0);
    issuer_answer_release(&ans);
    issuer_client_free(c);

    /* a server that is gone: no answer, no status */
    struct issuer_client_config gone = {.url = "https://127.0.0.1:1", .ca_path = ca, .terminal = "T1"};
    assert_int_equal(issuer_client_new(&gone, &c), RU_OK);
    assert_int_equal(issuer_plans(c, &l, &e), RU_ERR_NETWORK);
    assert_int_equal(e.http_status, 0);
    assert_int_equal(issuer_activate(c, &rq, &a, &e), RU_ERR_NETWORK);
    issuer_client_free(c);
}

static struct auth_head head_of(long long seq, char fill)
{
    struct auth_head h = {.seq = seq};
    memset(h.hash, fill, 64);
    h.hash[64] = '\0';
    return h;
}

static void test_journal_head(void **state)
{
    (void)state;
    struct issuer_client *c = client(secret, ca);
    struct api_error e;
    struct auth_head got, h5 = head_of(5, 'a'), h7 = head_of(7, 'b'), h6 = head_of(6, 'c'),
                          h7x = head_of(7, 'd');
    assert_int_equal(issuer_journal_head(c, &got, &e), RU_ERR_DECLINED);
    assert_int_equal(e.http_status, 404);
    assert_string_equal(e.code, "journal_head_not_found");

    struct plan_list l;
    issuer_client_set_journal_head(c, &h5);
    assert_int_equal(issuer_plans(c, &l, &e), RU_OK);
    plan_list_release(&l);
    issuer_client_set_journal_head(c, &h7);
    assert_int_equal(issuer_journal_head(c, &got, &e), RU_OK);
    assert_true(got.seq == 7 && !strcmp(got.hash, h7.hash));

    /* going back is never refused, and changes nothing */
    issuer_client_set_journal_head(c, &h6);
    assert_int_equal(issuer_plans(c, &l, &e), RU_OK);
    plan_list_release(&l);
    struct reversal_request rr = {.request_id = "7f0c2a8e-3d4b-4c1a-9e2f-000000000020"};
    struct reversal_result r;
    assert_int_equal(issuer_reverse(c, &rr, &r, &e), RU_OK);
    issuer_client_set_journal_head(c, &h7x);
    assert_int_equal(issuer_journal_head(c, &got, &e), RU_OK);
    assert_true(got.seq == 7 && !strcmp(got.hash, h7.hash));
    issuer_client_set_journal_head(c, NULL);
    assert_int_equal(issuer_journal_head(c, &got, &e), RU_OK);
    assert_true(got.seq == 7 && !strcmp(got.hash, h7.hash));
    issuer_client_free(c);

    /* the ledger file itself (SQLite): the order the heads came in, and the table refusing
     * edits */
    struct db *db;
    sqlite3_stmt *st;
    assert_int_equal(db_open(test_path("st/issuer.db"), DB_NO_MIGRATE, NULL, &db), RU_OK);
    assert_int_equal(db_prepare(db,
                                "SELECT group_concat(seq || kind, ' ') FROM"
                                " (SELECT seq, kind FROM journal_head ORDER BY id)",
                                &st),
                     RU_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    /* the reversal's head (6 again) was seen before as an anomaly: kept once more */
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "5head 7head 6anomaly 6anomaly 7anomaly");
    sqlite3_finalize(st);
    assert_int_not_equal(db_exec(db, "UPDATE journal_head SET seq = 1"), RU_OK);
    assert_int_not_equal(db_exec(db, "DELETE FROM journal_head"), RU_OK);
    db_free(db);
}

/* A page of COUNT heads from HEADS as "SEQx SEQx ...", x the hash's first digit. */
static const char *heads_text(const struct auth_head *heads, size_t count)
{
    static char text[256];
    size_t n = 0;
    text[0] = '\0';
    for (size_t i = 0; i < count && n < sizeof(text) - 32; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%lld%c", i ? " " : "", heads[i].seq,
                              heads[i].hash[0]);
    return text;
}

/* One page after AFTER of LIMIT through the client; its lists as text. */
static void expect_page(struct issuer_client *c, long long after, long limit, const char *heads,
                        const char *anomalies, long long next)
{
    struct journal_heads_request rq = {after, limit};
    struct journal_heads p;
    struct api_error e;
    assert_int_equal(issuer_journal_heads(c, &rq, &p, &e), RU_OK);
    assert_string_equal(heads_text(p.heads, p.n), heads);
    assert_string_equal(heads_text(p.anomalies, p.n_anomalies), anomalies);
    assert_true(p.next == next);
    journal_heads_release(&p);
}

static void test_journal_heads(void **state)
{
    (void)state;
    struct issuer_client *c = client(secret, ca);
    struct issuer_answer a;
    /* what test_journal_head left: heads 5a 7b, anomalies 6c (twice) and 7d */
    expect_page(c, 0, API_HEADS_MAX, "5a 7b", "6c 7d", 0);
    expect_page(c, 0, 1, "5a", "", 5);
    expect_page(c, 5, 1, "7b", "6c 7d", 7);
    expect_page(c, 7, 1, "", "", 0);
    expect_page(c, 6, 2, "7b", "7d", 0);

    static const char *const bad[][2] = {
        {"after=-1", "bad_parameter"},
        {"after=01", "bad_parameter"},
        {"after=+1", "bad_parameter"},
        {"after=1e3", "bad_parameter"},
        {"after=%201", "bad_parameter"},
        {"after=0x1", "bad_parameter"},
        {"after=", "bad_parameter"},
        {"after", "bad_parameter"},
        {"after=1&after=2", "bad_parameter"},
        {"after=9223372036854775808", "bad_parameter"},
        {"limit=0", "bad_parameter"},
        {"limit=1001", "bad_parameter"},
        {"limit=1.5", "bad_parameter"},
        {"after=1&", "bad_parameter"},
        {"after=1&&limit=2", "unknown_parameter"},
        {"x=1", "unknown_parameter"},
        {"After=1", "unknown_parameter"},
        {"after=1;limit=2", "bad_parameter"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[256];
        struct api_error e = {0};
        snprintf(path, sizeof(path), "/v1/terminals/me/journal-heads?%s", bad[i][0]);
        assert_int_equal(issuer_client_request(c, "GET", path, NULL, &a), RU_OK);
        if (a.http_status != 400 || answer_parse_error(a.body, a.len, &e) != RU_OK ||
            strcmp(e.code, bad[i][1]))
            fail_msg("?%s: HTTP %ld %s", bad[i][0], a.http_status, a.body);
        issuer_answer_release(&a);
    }
    char longq[256];
    snprintf(longq, sizeof(longq), "/v1/terminals/me/journal-heads?after=%0130d", 1);
    assert_int_equal(issuer_client_request(c, "GET", longq, NULL, &a), RU_OK);
    assert_int_equal(a.http_status, 400);
    assert_non_null(strstr(a.body, "query_too_long"));
    issuer_answer_release(&a);
    /* no query string: every head from the first */
    assert_int_equal(issuer_client_request(c, "GET", "/v1/terminals/me/journal-heads", NULL, &a), RU_OK);
    assert_int_equal(a.http_status, 200);
    issuer_answer_release(&a);
    assert_int_equal(issuer_client_request(c, "POST", "/v1/terminals/me/journal-heads", "{}", &a), RU_OK);
    assert_int_equal(a.http_status, 405);
    issuer_answer_release(&a);

    /* more anomalies than a page holds, all at number 6, inserted against hash order */
    struct ledger *lg;
    struct journal_heads p;
    struct db *db;
    assert_int_equal(db_open(test_path("st/issuer.db"), DB_NO_MIGRATE, NULL, &db), RU_OK);
    assert_int_equal(
        db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001)"
                    " INSERT INTO journal_head (store_id, terminal, seq, hash, kind, seen_at)"
                    " SELECT 'WM00001', 'T1', 6, printf('e%063d', 2000 - i), 'anomaly', 'now' FROM n"),
        RU_OK);
    db_free(db);
    assert_int_equal(ledger_open(test_path("st"), &lg), RU_OK);
    assert_int_equal(journalhead_list(lg, "WM00001", "T1", 0, API_HEADS_MAX, &p), RU_OK);
    assert_string_equal(heads_text(p.heads, p.n), "5a");
    assert_int_equal(p.n_anomalies, 0);
    assert_true(p.next == 5);
    journal_heads_release(&p);
    assert_int_equal(journalhead_list(lg, "WM00001", "T1", 5, API_HEADS_MAX, &p), RU_OK);
    assert_int_equal(p.n, 0);
    assert_int_equal(p.n_anomalies, API_HEADS_MAX);
    assert_true(p.next == 6 && p.anomalies[0].seq == 6 && p.anomalies[0].hash[0] == 'c');
    for (size_t i = 1; i < p.n_anomalies; i++)
        assert_true(strcmp(p.anomalies[i - 1].hash, p.anomalies[i].hash) < 0);
    journal_heads_release(&p);
    ledger_free(lg);
    /* and through the client, the page that says so parses */
    expect_page(c, 6, API_HEADS_MAX, "7b", "7d", 0);
    struct journal_heads_request rq = {5, API_HEADS_MAX};
    struct api_error e;
    assert_int_equal(issuer_journal_heads(c, &rq, &p, &e), RU_OK);
    assert_int_equal(p.n_anomalies, API_HEADS_MAX);
    journal_heads_release(&p);
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
        cmocka_unit_test(test_requests),      cmocka_unit_test(test_no_answer),
        cmocka_unit_test(test_typed_calls),   cmocka_unit_test(test_journal_head),
        cmocka_unit_test(test_journal_heads), cmocka_unit_test(test_credentials),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
