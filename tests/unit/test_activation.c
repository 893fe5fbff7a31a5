/*
 * tests/unit/test_activation.c - the exactly-once rules of activations, voids and
 * reversals, on a real ledger in a scratch state directory.
 *
 * Covers: activation and its replay (same answer, also from a new connection as after a
 * restart); the same request_id with other parameters (422); a second activation of an
 * active card (409); amount and currency must match the plan (422); unknown serial (404);
 * blocked card (409); a terminal acts only for its store; void (idempotent, window,
 * other store); reversal before the activation arrives (the late activation is refused),
 * after it (undone), of a voided one ({reversed:false}); void of a reversed one (409);
 * request ids are each terminal's own: another terminal's void and reversal of the same id
 * leave the activation alone, and the same id from two terminals makes two activations;
 * the audit log records each change; 8 processes racing over 1,000 serials activate each
 * card exactly once. Only through the ledger's public calls, so it runs on either engine:
 * on PostgreSQL when REUP_TEST_PG_HOST is set (tests/tools/with-pg.sh), else on SQLite. (A
 * version-1 SQLite ledger through the upgrade: tests/unit/test_store.c.)
 */
#include <jansson.h>
#include <sys/wait.h>
#include "tests/testlib.h"
#include "issuer/activation.h"

static struct ledger *lg;
static char serials[1100][CARD_DIGITS + 1];
static size_t nserials;
static const struct activation_caller t1 = {"T1", "WM00001"}, t2 = {"T2", "WM00002"}, t3 = {"T3", "WM00001"};

static enum ru_status keep(void *ctx, const char *serial, const char *pin, const char *plan,
                           const char *batch)
{
    (void)ctx, (void)pin, (void)plan, (void)batch;
    memcpy(serials[nserials++], serial, CARD_DIGITS + 1);
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
    struct ledger_plan p = {.code = "1y", .months = 12, .price_cents = 3999, .currency = "USD"};
    unsigned char s[SECRET_BYTES];
    if (ledger_init(test_path("st"), 4242, test_database("activation"), err, sizeof(err)) != RU_OK ||
        ledger_open(test_path("st"), &lg) != RU_OK || ledger_plan_add(lg, &p) != RU_OK ||
        ledger_terminal_add(lg, "T1", "WM00001", s) != RU_OK ||
        ledger_terminal_add(lg, "T2", "WM00002", s) != RU_OK ||
        ledger_terminal_add(lg, "T3", "WM00001", s) != RU_OK ||
        ledger_batch_create(lg, "1y", 1100, keep, done, NULL, batch) != RU_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ledger_free(lg);
    return 0;
}

static void uuid(int n, char out[REQUEST_UUID_LEN + 1])
{
    snprintf(out, REQUEST_UUID_LEN + 1, "00000000-0000-4000-8000-%012d", n);
}

static struct activation_request req(int id, const char *serial, long long amount)
{
    struct activation_request r = {.amount = amount};
    uuid(id, r.request_id);
    snprintf(r.serial, sizeof(r.serial), "%s", serial);
    snprintf(r.currency, sizeof(r.currency), "USD");
    return r;
}

/* Answer of one call: status, and the JSON (caller json_decref()s). */
static json_t *activate(const struct activation_caller *who, const struct activation_request *r, int *status)
{
    struct activation_answer a;
    assert_int_equal(activation_activate(lg, who, r, &a), RU_OK);
    *status = a.http_status;
    json_t *j = json_loads(a.body, 0, NULL);
    assert_non_null(j);
    activation_answer_release(&a);
    return j;
}

static const char *error_code(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

static const char *card_status(const char *serial)
{
    static char buf[32];
    char *js;
    assert_int_equal(ledger_card_json(lg, serial, NULL, &js), RU_OK);
    json_t *j = json_loads(js, 0, NULL);
    snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(j, "status")));
    json_decref(j);
    free(js);
    return buf;
}

static void test_activate_and_replay(void **state)
{
    (void)state;
    int st;
    struct activation_request r = req(1, serials[0], 3999);
    json_t *a = activate(&t1, &r, &st);
    assert_int_equal(st, 201);
    assert_string_equal(json_string_value(json_object_get(a, "status")), "active");
    assert_string_equal(json_string_value(json_object_get(a, "plan")), "1y");
    assert_string_equal(json_string_value(json_object_get(a, "serial")), serials[0]);
    assert_int_equal(strlen(json_string_value(json_object_get(a, "auth_code"))), 6);
    assert_string_equal(card_status(serials[0]), "active");

    /* the retry gets the same answer, also through a new connection (a restart) */
    json_t *b = activate(&t1, &r, &st);
    assert_int_equal(st, 201);
    assert_true(json_equal(a, b));
    json_decref(b);
    struct ledger *again;
    assert_int_equal(ledger_open(test_path("st"), &again), RU_OK);
    struct activation_answer ans;
    assert_int_equal(activation_activate(again, &t1, &r, &ans), RU_OK);
    b = json_loads(ans.body, 0, NULL);
    assert_true(json_equal(a, b));
    activation_answer_release(&ans);
    ledger_free(again);
    json_decref(b);
    json_decref(a);

    /* the store sees where and when; another store only the state */
    char *js;
    assert_int_equal(ledger_card_json(lg, serials[0], "WM00001", &js), RU_OK);
    assert_non_null(strstr(js, "\"store_id\":\"WM00001\""));
    free(js);
    assert_int_equal(ledger_card_json(lg, serials[0], "WM00002", &js), RU_OK);
    assert_null(strstr(js, "store_id"));
    free(js);
}

static void test_refusals(void **state)
{
    (void)state;
    int st;
    json_t *j;
    struct activation_request r = req(1, serials[0], 3999);
    r.amount = 4000; /* same request_id, other parameters */
    j = activate(&t1, &r, &st);
    assert_int_equal(st, 422);
    assert_string_equal(error_code(j), "request_id_reused");
    json_decref(j);
    r = req(1, serials[0], 3999);
    j = activate(&t2, &r, &st); /* another terminal's request_id is its own: a new request */
    assert_int_equal(st, 409);
    assert_string_equal(error_code(j), "card_already_active");
    json_decref(j);

    r = req(2, serials[0], 3999); /* a second activation of the active card */
    j = activate(&t2, &r, &st);
    assert_int_equal(st, 409);
    assert_string_equal(error_code(j), "card_already_active");
    json_decref(j);
    j = activate(&t2, &r, &st); /* and its replay: the same refusal */
    assert_int_equal(st, 409);
    json_decref(j);

    r = req(3, serials[1], 3998);
    j = activate(&t1, &r, &st);
    assert_int_equal(st, 422);
    assert_string_equal(error_code(j), "amount_mismatch");
    json_decref(j);
    r = req(4, serials[1], 3999);
    snprintf(r.currency, sizeof(r.currency), "EUR");
    j = activate(&t1, &r, &st);
    assert_int_equal(st, 422);
    json_decref(j);
    assert_string_equal(card_status(serials[1]), "issued");

    char unknown[CARD_DIGITS + 1];
    assert_int_equal(card_serial_make(4242, 99999, unknown), RU_OK);
    r = req(5, unknown, 3999);
    j = activate(&t1, &r, &st);
    assert_int_equal(st, 404);
    assert_string_equal(error_code(j), "card_not_found");
    json_decref(j);

    unsigned long n;
    assert_int_equal(ledger_card_block(lg, serials[2], NULL, "operator", &n), RU_OK);
    r = req(6, serials[2], 3999);
    j = activate(&t1, &r, &st);
    assert_int_equal(st, 409);
    assert_string_equal(error_code(j), "card_blocked");
    json_decref(j);
}

static void test_void(void **state)
{
    (void)state;
    int st;
    struct activation_request r = req(10, serials[10], 3999);
    json_decref(activate(&t1, &r, &st));
    assert_int_equal(st, 201);
    struct void_request v = {.reason = "customer changed their mind"};
    struct activation_answer a;
    assert_int_equal(activation_void(lg, &t2, r.request_id, &v, ACTIVATION_VOID_WINDOW_S, &a), RU_OK);
    assert_int_equal(a.http_status, 404); /* another store's activation */
    activation_answer_release(&a);
    assert_int_equal(activation_void(lg, &t1, r.request_id, &v, -1, &a), RU_OK);
    assert_int_equal(a.http_status, 409); /* outside the window */
    assert_non_null(strstr(a.body, "void_window_passed"));
    activation_answer_release(&a);
    assert_int_equal(activation_void(lg, &t1, r.request_id, &v, ACTIVATION_VOID_WINDOW_S, &a), RU_OK);
    assert_int_equal(a.http_status, 200);
    assert_string_equal(a.body, "{\"status\":\"issued\"}");
    activation_answer_release(&a);
    assert_string_equal(card_status(serials[10]), "issued");
    assert_int_equal(activation_void(lg, &t1, r.request_id, &v, ACTIVATION_VOID_WINDOW_S, &a), RU_OK);
    assert_int_equal(a.http_status, 200); /* voiding again answers the same */
    activation_answer_release(&a);
    /* a reversal of the voided activation changes nothing */
    struct reversal_request rv;
    memcpy(rv.request_id, r.request_id, sizeof(rv.request_id));
    assert_int_equal(activation_reverse(lg, &t1, &rv, &a), RU_OK);
    assert_string_equal(a.body, "{\"reversed\":false}");
    activation_answer_release(&a);
    /* the card sells again under a new request_id */
    r = req(11, serials[10], 3999);
    json_decref(activate(&t2, &r, &st));
    assert_int_equal(st, 201);
}

static void test_reversals(void **state)
{
    (void)state;
    int st;
    struct activation_answer a;
    struct reversal_request rv;
    /* before the activation arrives: recorded, and the late activation is refused */
    uuid(20, rv.request_id);
    assert_int_equal(activation_reverse(lg, &t1, &rv, &a), RU_OK);
    assert_int_equal(a.http_status, 200);
    assert_string_equal(a.body, "{\"reversed\":false}");
    activation_answer_release(&a);
    struct activation_request r = req(20, serials[20], 3999);
    json_t *j = activate(&t1, &r, &st);
    assert_int_equal(st, 409);
    assert_string_equal(error_code(j), "request_reversed");
    json_decref(j);
    assert_string_equal(card_status(serials[20]), "issued");

    /* after it: undone, and saying so again when repeated */
    r = req(21, serials[21], 3999);
    json_decref(activate(&t1, &r, &st));
    assert_int_equal(st, 201);
    uuid(21, rv.request_id);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(activation_reverse(lg, &t1, &rv, &a), RU_OK);
        assert_string_equal(a.body, "{\"reversed\":true}");
        activation_answer_release(&a);
    }
    assert_string_equal(card_status(serials[21]), "issued");
    j = activate(&t1, &r, &st); /* a retry of the reversed activation does not re-apply it */
    assert_int_equal(st, 409);
    json_decref(j);
    assert_string_equal(card_status(serials[21]), "issued");
    /* a void of a reversed activation: 409 */
    struct void_request v = {.reason = "late"};
    assert_int_equal(activation_void(lg, &t1, r.request_id, &v, ACTIVATION_VOID_WINDOW_S, &a), RU_OK);
    assert_int_equal(a.http_status, 409);
    activation_answer_release(&a);

    /* every change is in the audit log */
    char *audit;
    assert_int_equal(ledger_audit_json(lg, NULL, &audit), RU_OK);
    json_t *rows = json_loads(audit, 0, NULL), *row;
    size_t i, reversals = 0;
    assert_true(json_is_array(rows));
    json_array_foreach(rows, i, row) reversals +=
        !strcmp(json_string_value(json_object_get(row, "action")), "reverse");
    assert_true(reversals >= 2);
    json_decref(rows);
    free(audit);
}

static void test_on_demand_card(void **state)
{
    (void)state;
    struct card_request c = {.amount = 3999};
    struct activation_answer a;
    uuid(30, c.request_id);
    snprintf(c.plan, sizeof(c.plan), "1y");
    snprintf(c.currency, sizeof(c.currency), "USD");
    assert_int_equal(activation_card(lg, &t1, &c, &a), RU_OK);
    assert_int_equal(a.http_status, 201);
    json_t *first = json_loads(a.body, 0, NULL);
    activation_answer_release(&a);
    const char *serial = json_string_value(json_object_get(first, "serial"));
    const char *pin = json_string_value(json_object_get(first, "pin"));
    char out[CARD_DIGITS + 1];
    const char *why;
    assert_int_equal(card_serial_parse(serial, out, &why), RU_OK);
    assert_int_equal(card_pin_parse(pin, out, &why), RU_OK);
    assert_int_equal(strlen(json_string_value(json_object_get(first, "auth_code"))), 6);
    assert_string_equal(card_status(serial), "active");

    /* the retry: the same card and auth code, the PIN not again */
    assert_int_equal(activation_card(lg, &t1, &c, &a), RU_OK);
    assert_int_equal(a.http_status, 201);
    json_t *again = json_loads(a.body, 0, NULL);
    activation_answer_release(&a);
    assert_string_equal(json_string_value(json_object_get(again, "serial")), serial);
    assert_true(json_equal(json_object_get(again, "auth_code"), json_object_get(first, "auth_code")));
    assert_true(json_is_null(json_object_get(again, "pin")));
    json_decref(again);

    /* the PIN is neither in the request's stored answer nor in the audit log */
    struct store_request stored;
    char *audit;
    assert_int_equal(store_request_get(ledger_store(lg), t1.store, t1.terminal, c.request_id, &stored),
                     RU_OK);
    assert_non_null(strstr(stored.answer, serial));
    assert_null(strstr(stored.answer, pin));
    store_request_release(&stored);
    assert_int_equal(ledger_audit_json(lg, NULL, &audit), RU_OK);
    assert_null(strstr(audit, pin));
    free(audit);

    /* another plan price, an unknown plan, a reused id */
    c.amount = 100;
    uuid(31, c.request_id);
    assert_int_equal(activation_card(lg, &t1, &c, &a), RU_OK);
    assert_int_equal(a.http_status, 422);
    activation_answer_release(&a);
    c.amount = 3999;
    snprintf(c.plan, sizeof(c.plan), "9y");
    uuid(32, c.request_id);
    assert_int_equal(activation_card(lg, &t1, &c, &a), RU_OK);
    assert_int_equal(a.http_status, 404);
    activation_answer_release(&a);
    snprintf(c.plan, sizeof(c.plan), "1y");
    uuid(30, c.request_id);
    c.amount = 4000;
    assert_int_equal(activation_card(lg, &t1, &c, &a), RU_OK);
    assert_int_equal(a.http_status, 422);
    assert_non_null(strstr(a.body, "request_id_reused"));
    activation_answer_release(&a);
    c.amount = 3999;
    /* the same id from another terminal: a card of its own */
    assert_int_equal(activation_card(lg, &t2, &c, &a), RU_OK);
    assert_int_equal(a.http_status, 201);
    json_t *other = json_loads(a.body, 0, NULL);
    activation_answer_release(&a);
    assert_string_not_equal(json_string_value(json_object_get(other, "serial")), serial);
    assert_true(json_is_string(json_object_get(other, "pin")));
    json_decref(other);

    /* a POS that lost the answer reverses: the card is blocked, its PIN has left us */
    struct reversal_request rv;
    uuid(30, rv.request_id);
    assert_int_equal(activation_reverse(lg, &t1, &rv, &a), RU_OK);
    assert_string_equal(a.body, "{\"reversed\":true}");
    activation_answer_release(&a);
    assert_string_equal(card_status(serial), "blocked");
    assert_int_equal(activation_card(lg, &t1, &c, &a), RU_OK);
    assert_int_equal(a.http_status, 409);
    activation_answer_release(&a);
    json_decref(first);
}

/* A void or reversal from another terminal, of this store or another, names a request of
 * its own, never T1's: T1's activation stands, and T1 can still replay and void it. */
static void test_request_scope(void **state)
{
    (void)state;
    int st;
    struct activation_answer a;
    struct activation_request r = req(40, serials[40], 3999);
    json_t *first = activate(&t1, &r, &st);
    assert_int_equal(st, 201);
    struct reversal_request rv;
    struct void_request v = {.reason = "not mine"};
    memcpy(rv.request_id, r.request_id, sizeof(rv.request_id));
    const struct activation_caller *strangers[] = {&t2, &t3};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(activation_void(lg, strangers[i], r.request_id, &v, ACTIVATION_VOID_WINDOW_S, &a),
                         RU_OK);
        assert_int_equal(a.http_status, 404); /* as for an id never sent */
        assert_non_null(strstr(a.body, "activation_not_found"));
        activation_answer_release(&a);
        assert_int_equal(activation_reverse(lg, strangers[i], &rv, &a), RU_OK);
        assert_string_equal(a.body, "{\"reversed\":false}"); /* as for an id never sent */
        activation_answer_release(&a);
    }
    assert_string_equal(card_status(serials[40]), "active");
    json_t *again = activate(&t1, &r, &st); /* T1's retry: still its first answer */
    assert_int_equal(st, 201);
    assert_true(json_equal(first, again));
    json_decref(again);
    json_decref(first);
    assert_int_equal(activation_void(lg, &t1, r.request_id, &v, ACTIVATION_VOID_WINDOW_S, &a), RU_OK);
    assert_int_equal(a.http_status, 200);
    activation_answer_release(&a);
    assert_string_equal(card_status(serials[40]), "issued");

    /* the same id from two terminals: an activation each, each replayed to its sender */
    struct activation_request r2 = req(41, serials[41], 3999), r3 = req(41, serials[42], 3999);
    json_t *a2 = activate(&t2, &r2, &st);
    assert_int_equal(st, 201);
    json_t *a3 = activate(&t3, &r3, &st);
    assert_int_equal(st, 201);
    assert_string_equal(card_status(serials[41]), "active");
    assert_string_equal(card_status(serials[42]), "active");
    json_t *b2 = activate(&t2, &r2, &st);
    assert_true(json_equal(a2, b2));
    json_decref(b2);
    json_t *b3 = activate(&t3, &r2, &st); /* T3's id with T2's parameters: reused */
    assert_int_equal(st, 422);
    json_decref(b3);
    json_decref(a2);
    json_decref(a3);
    /* T2's tombstone of id 40 refuses T2's late activation of it, and only T2's */
    r = req(40, serials[43], 3999);
    json_t *late = activate(&t2, &r, &st);
    assert_int_equal(st, 409);
    assert_string_equal(error_code(late), "request_reversed");
    json_decref(late);
}

/* 8 processes, each with its own connection, all trying every one of 1,000 cards. */
static void test_race(void **state)
{
    (void)state;
    const int procs = 8, cards = 1000, base = 100;
    pid_t pids[8];
    for (int p = 0; p < procs; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0) {
            struct ledger *mine;
            int won = 0;
            if (ledger_open(test_path("st"), &mine) != RU_OK)
                _exit(255);
            struct activation_caller who = {p % 2 ? "T1" : "T2", p % 2 ? "WM00001" : "WM00002"};
            for (int c = 0; c < cards; c++) {
                /* each process walks the cards from another starting point */
                int card = base + (c + p * 125) % cards;
                struct activation_request r = req(1000000 + p * 10000 + card, serials[card], 3999);
                struct activation_answer a;
                if (activation_activate(mine, &who, &r, &a) != RU_OK) {
                    fprintf(stderr, "racer %d: %s\n", p, ledger_errmsg(mine));
                    _exit(254);
                }
                won += a.http_status == 201;
                if (a.http_status != 201 && a.http_status != 409)
                    _exit(253);
                activation_answer_release(&a);
            }
            ledger_free(mine);
            _exit(won > 250 ? 250 : won); /* exit codes are small: the total is counted below */
        }
    }
    for (int p = 0; p < procs; p++) {
        int status;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 250)
            fail_msg("racer %d: %s %d", p, WIFEXITED(status) ? "exit" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
    /* exactly one winner per card: one live activation among every racer's requests */
    for (int card = base; card < base + cards; card++) {
        int live = 0;
        for (int p = 0; p < procs; p++) {
            struct activation_caller who = {p % 2 ? "T1" : "T2", p % 2 ? "WM00001" : "WM00002"};
            char id[REQUEST_UUID_LEN + 1];
            struct store_request r;
            uuid(1000000 + p * 10000 + card, id);
            assert_int_equal(store_request_get(ledger_store(lg), who.store, who.terminal, id, &r), RU_OK);
            live += !strcmp(r.state, "active");
            store_request_release(&r);
        }
        if (live != 1)
            fail_msg("card %s has %d live activations", serials[card], live);
        assert_string_equal(card_status(serials[card]), "active");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activate_and_replay),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_void),
        cmocka_unit_test(test_reversals),
        cmocka_unit_test(test_on_demand_card),
        cmocka_unit_test(test_request_scope),
        cmocka_unit_test(test_race),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
