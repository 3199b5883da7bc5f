/*
 * test_sched_api.c — the controlled platform's entry points: bad options
 * rejected with a diagnostic, an empty program, thread identity, nested
 * runs refused and the POSIX platform bound again afterwards; and the free
 * (TSan) mode running the planted programs without a schedule.
 */
#include "sched_util.h"
#include "planted/fl_planted.h"

/* ---- options, identity, nesting ---------------------------------------------------------- */

static void nop_main(void *arg) { (void)arg; }

static void test_bad_options(void **st)
{
    (void)st;
    fl_sched_result res;
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = "fl1:pct.h.3.34.0.2.0x" };
    assert_int_equal(fl_sched_run(&o, nop_main, NULL, &res), -EINVAL);
    assert_non_null(res.report);
    assert_non_null(strstr(res.report, "schedule:1:21: "));
    fl_sched_result_free(&res);
    o.schedule = NULL;
    assert_int_equal(fl_sched_run(&o, nop_main, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    fl_sched_opts p = { .strategy = FL_SCHED_STRAT_PCT, .depth = 100 };
    assert_int_equal(fl_sched_run(&p, nop_main, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    fl_sched_opts q = { .strategy = FL_SCHED_STRAT_DFS };
    assert_int_equal(fl_sched_run(&q, nop_main, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    assert_int_equal(fl_sched_run(&q, NULL, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    /* an empty program: no steps, ok */
    fl_sched_opts z = { .strategy = FL_SCHED_STRAT_RANDOM };
    run_ok(&z, nop_main, NULL, &res);
    assert_int_equal(res.status, FL_SCHED_OK);
    assert_int_equal(res.steps, 0);
    fl_sched_result_free(&res);
    fl_sched_result_free(NULL);
}

static void *who(void *p)
{
    *(int *)p = fl_sched_current();
    fl_sched_yield();
    return NULL;
}

static void nested_main(void *arg)
{
    int *ids = arg;
    ids[0] = fl_sched_current();
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, who, &ids[1], NULL), 0);
    sv_thread_join(t, SV_FOREVER);
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RR };
    fl_sched_result res;
    ids[2] = fl_sched_run(&o, nop_main, NULL, &res);
    fl_sched_result_free(&res);
}

static void test_identity_and_nesting(void **st)
{
    (void)st;
    int ids[3] = { -9, -9, -9 };
    assert_int_equal(fl_sched_current(), -1);
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RANDOM };
    fl_sched_result res;
    run_ok(&o, nested_main, ids, &res);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 1);
    assert_int_equal(ids[2], -EBUSY);
    assert_string_equal(sv_plat()->name, "posix"); /* unbound afterwards */
    fl_sched_result_free(&res);
}

/* ---- free mode ----------------------------------------------------------------------------- */

static void test_free_mode(void **st)
{
    (void)st;
    const char *names[] = { "lost_update", "early_restart", "lost_update_ok", "lock_order_ok", "missed_wakeup_ok",
                            "early_restart_ok" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const fl_planted *p = fl_planted_find(names[i]);
        assert_non_null(p);
        for (uint64_t seed = 0; seed < 5; seed++) {
            fl_sched_opts o = { .strategy = FL_SCHED_STRAT_FREE, .seed = seed };
            fl_sched_result res;
            int rc = fl_planted_run(p, &o, &res);
            assert_true(rc == 0 || rc == 1);
            if (!p->buggy) assert_int_equal(rc, 0);
            assert_int_equal(res.status, FL_SCHED_OK);
            assert_null(res.schedule);
            assert_int_equal(res.nleaked, 0);
            assert_true(res.steps > 0);
            fl_sched_result_free(&res);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_identity_and_nesting),
        cmocka_unit_test(test_free_mode),
    };
    return cmocka_run_group_tests_name("sched_api", tests, NULL, NULL);
}
