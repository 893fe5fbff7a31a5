/*
 * tests/unit/test_till.c - the till as the one door to the journal, on a till of the
 * journal alone (till_open_local: no issuer asked).
 *
 * Covers: signing in (right, wrong, unknown: refused in words); a manager's approval decided
 * by till_approve (a cashier's right PIN is declined, with words); a void refused before the
 * sale is even looked up when the approval is not a manager's; a forged approval refused by
 * the journal all the same; the shift's cashier as the approval only when a manager; shifts,
 * X and Z reports, status and verify through the till.
 */
#include "tests/testlib.h"
#include "pos/till.h"

static struct till *local(const char *name)
{
    struct pos_config cfg;
    struct till *t = NULL;
    char err[400];
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.journal, sizeof(cfg.journal), "%s", test_path(name));
    assert_int_equal(till_open_local(&cfg, &t, err, sizeof(err)), RU_OK);
    return t;
}

static void test_approval(void **state)
{
    (void)state;
    struct till *t = local("approval.db");
    struct till_cashier boss, clerk, who;
    char msg[300];
    /* only the very first manager comes without an approval */
    assert_int_equal(till_cashier_add(t, "1001", "Boss", 1, "4321", NULL), RU_OK);
    assert_int_equal(till_cashier_add(t, "2002", "Clerk", 0, "1111", NULL), RU_ERR_INVALID);
    assert_int_equal(till_approve(t, "1001", "4321", &boss, msg, sizeof(msg)), RU_OK);
    assert_string_equal(boss.id, "1001");
    assert_true(boss.manager);
    assert_int_equal(till_cashier_add(t, "2002", "Clerk", 0, "1111", &boss), RU_OK);
    assert_int_equal(till_cashier_add(t, "2002", "Clerk", 0, "1111", &boss), RU_ERR_EXISTS);

    /* a wrong PIN and an unknown number: refused, in words */
    assert_int_equal(till_sign_in(t, "2002", "9999", &who, msg, sizeof(msg)), RU_ERR_INVALID);
    assert_true(msg[0]);
    assert_int_equal(till_sign_in(t, "7777", "9999", &who, msg, sizeof(msg)), RU_ERR_NOT_FOUND);
    assert_true(msg[0]);
    assert_int_equal(till_sign_in(t, "2002", "1111", &clerk, msg, sizeof(msg)), RU_OK);
    assert_false(clerk.manager);

    /* a cashier's right PIN is no manager's approval */
    assert_int_equal(till_approve(t, "2002", "1111", &who, msg, sizeof(msg)), RU_ERR_DECLINED);
    assert_non_null(strstr(msg, "cashier 2002 is not a manager"));
    struct till_result r;
    assert_int_equal(till_void(t, 99, &clerk, &r), RU_ERR_DECLINED);
    assert_int_equal(till_void(t, 99, NULL, &r), RU_ERR_DECLINED);
    assert_int_equal(till_void(t, 99, &boss, &r), RU_ERR_NOT_FOUND);
    assert_non_null(strstr(r.message, "no sale 99"));
    /* a forged approval: the journal checks the role again */
    struct till_cashier forged = {"2002", 1};
    assert_int_equal(till_cashier_set_role(t, "2002", 1, &forged), RU_ERR_INVALID);
    assert_int_equal(till_cashier_unlock(t, "2002", &clerk), RU_ERR_INVALID);
    assert_int_equal(till_cashier_set_pin(t, "2002", "2222", &boss), RU_OK);
    assert_int_equal(till_sign_in(t, "2002", "2222", &clerk, msg, sizeof(msg)), RU_OK);
    assert_int_equal(till_cashier_set_role(t, "2002", 1, &boss), RU_OK);
    assert_int_equal(till_approve(t, "2002", "2222", &who, msg, sizeof(msg)), RU_OK);
    assert_int_equal(till_cashier_set_role(t, "2002", 0, &boss), RU_OK);
    assert_int_equal(till_cashier_set_role(t, "9999", 0, &boss), RU_ERR_NOT_FOUND);
    assert_int_equal(till_verify(t, msg, sizeof(msg)), RU_OK);
    till_free(t);
}

static void test_shift(void **state)
{
    (void)state;
    struct till *t = local("shift.db");
    struct till_cashier boss, clerk, who;
    struct till_status st;
    char msg[300], *json = NULL;
    long long id = 0;
    assert_int_equal(till_cashier_add(t, "1001", "Boss", 1, "4321", NULL), RU_OK);
    assert_int_equal(till_approve(t, "1001", "4321", &boss, msg, sizeof(msg)), RU_OK);
    assert_int_equal(till_cashier_add(t, "2002", "Clerk", 0, "1111", &boss), RU_OK);
    assert_int_equal(till_sign_in(t, "2002", "1111", &clerk, msg, sizeof(msg)), RU_OK);

    assert_int_equal(till_approve_by_shift(t, &who), RU_ERR_NOT_FOUND);
    assert_int_equal(till_report_x(t, &json), RU_ERR_NOT_FOUND);
    assert_int_equal(till_status(t, &st), RU_OK);
    assert_false(st.shift_open);
    /* the shift's cashier approves only when a manager */
    assert_int_equal(till_shift_open(t, &clerk, 10000, 0, &id), RU_OK);
    assert_int_equal(till_shift_open(t, &boss, 10000, 0, &id), RU_ERR_EXISTS);
    assert_int_equal(till_approve_by_shift(t, &who), RU_ERR_DECLINED);
    assert_int_equal(till_status(t, &st), RU_OK);
    assert_true(st.shift_open);
    assert_int_equal(st.shift.id, id);
    assert_string_equal(st.shift.cashier, "2002");
    assert_int_equal(st.pending, 0);
    assert_int_equal(till_report_x(t, &json), RU_OK);
    assert_non_null(strstr(json, "float_cents"));
    free(json);
    char unsent[300];
    assert_int_equal(till_shift_close(t, 10000, &json, unsent, sizeof(unsent)), RU_OK);
    assert_string_equal(unsent, "this terminal was opened without the issuer");
    assert_non_null(strstr(json, "journal_head"));
    free(json);
    assert_int_equal(till_zreport(t, 0, &json), RU_OK);
    free(json);
    assert_int_equal(till_zreport(t, 2, &json), RU_ERR_NOT_FOUND);
    assert_int_equal(till_shift_close(t, 10000, &json, unsent, sizeof(unsent)), RU_ERR_NOT_FOUND);

    assert_int_equal(till_shift_open(t, &boss, 5000, 1, &id), RU_OK);
    assert_int_equal(till_approve_by_shift(t, &who), RU_OK);
    assert_string_equal(who.id, "1001");
    assert_true(who.manager);
    assert_int_equal(till_verify(t, msg, sizeof(msg)), RU_OK);
    till_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_approval),
        cmocka_unit_test(test_shift),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
