/*
 * test_sched_failures.c — what the controlled platform reports when a run
 * goes wrong: deadlocks (a planted lock-order bug, a relock, a futex wait
 * forever) naming every thread and what it waits for, the step budget
 * (livelock) and its replay, leaked threads killed and live allocations
 * counted.
 */
#include "sched_util.h"
#include "planted/fl_planted.h"

/* ---- deadlock, budget, leaks, memory ------------------------------------------------ */

static void relock_main(void *arg)
{
    (void)arg;
    sv_mutex m;
    sv_mutex_init(&m);
    sv_mutex_lock(&m);
    sv_mutex_lock(&m);
}

static void test_deadlock_reports(void **st)
{
    (void)st;
    /* lock order: find a deadlocking seed, then check the report names everyone */
    const fl_planted *p = fl_planted_find("lock_order");
    fl_planted_hunt h;
    assert_int_equal(fl_planted_hunt_run(p, FL_SCHED_STRAT_RANDOM, 0, 0, 100, &h), 0);
    assert_true(h.found);
    assert_int_equal(h.status, FL_SCHED_DEADLOCK);
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = h.schedule };
    fl_sched_result res;
    assert_int_equal(fl_planted_run(p, &o, &res), 1);
    assert_int_equal(res.status, FL_SCHED_DEADLOCK);
    assert_non_null(res.report);
    assert_non_null(strstr(res.report, "deadlock: no thread can run and no deadline is pending at step"));
    assert_non_null(strstr(res.report, "thread 0 \"main\": waits to join thread 1 \"a-then-b\""));
    assert_non_null(strstr(res.report, "thread 1 \"a-then-b\": waits for mutex m1, held by thread 2 \"b-then-a\""));
    assert_non_null(strstr(res.report, "thread 2 \"b-then-a\": waits for mutex m0, held by thread 1 \"a-then-b\""));
    assert_int_equal(res.nleaked, 0);
    fl_sched_result_free(&res);
    free(h.schedule);

    fl_sched_opts r = { .strategy = FL_SCHED_STRAT_RR };
    run_ok(&r, relock_main, NULL, &res);
    assert_int_equal(res.status, FL_SCHED_DEADLOCK);
    assert_non_null(strstr(res.report, "thread 0 \"main\": waits for mutex m0, which it holds itself"));
    fl_sched_result_free(&res);
}

static void futex_forever_main(void *arg)
{
    (void)arg;
    _Atomic uint32_t w = 7;
    void *leak = sv_alloc(100); /* freed by the scheduler when the run is cut */
    (void)leak;
    sv_wait(&w, 7, SV_FOREVER);
}

static void test_deadlock_futex_and_memory(void **st)
{
    (void)st;
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RANDOM };
    fl_sched_result res;
    run_ok(&o, futex_forever_main, NULL, &res);
    assert_int_equal(res.status, FL_SCHED_DEADLOCK);
    assert_non_null(strstr(res.report, "thread 0 \"main\": waits on futex word f0 (value 7)"));
    assert_int_equal(res.live_allocs, 1);
    assert_int_equal(res.live_bytes, 100);
    fl_sched_result_free(&res);
}

typedef struct spin {
    sv_mutex m;
    int stop;
} spin;

static void *spinner(void *p)
{
    spin *s = p;
    char *buf = sv_alloc(64);
    for (;;) {
        sv_mutex_lock(&s->m);
        int stop = s->stop;
        sv_mutex_unlock(&s->m);
        if (stop) break;
        sv_yield();
    }
    sv_free(buf);
    return NULL;
}

static void livelock_main(void *arg)
{
    spin *s = arg;
    sv_mutex_init(&s->m);
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, spinner, s, "spinner"), 0);
    sv_thread_join(t, SV_FOREVER); /* nobody ever sets stop */
}

static void test_budget(void **st)
{
    (void)st;
    spin s = { .stop = 0 };
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RANDOM, .seed = 3, .step_budget = 1000 };
    fl_sched_result res;
    run_ok(&o, livelock_main, &s, &res);
    assert_int_equal(res.status, FL_SCHED_BUDGET);
    assert_int_equal(res.steps, 1000);
    assert_non_null(strstr(res.report, "step budget exhausted"));
    assert_non_null(strstr(res.report, "thread 1 \"spinner\": runnable"));
    assert_int_equal(res.live_allocs, 1);
    /* the schedule of a budget run replays to the same budget end */
    fl_sched_opts r = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = res.schedule };
    fl_sched_result again;
    spin s2 = { .stop = 0 };
    run_ok(&r, livelock_main, &s2, &again);
    assert_int_equal(again.status, FL_SCHED_BUDGET);
    assert_string_equal(again.schedule, res.schedule);
    fl_sched_result_free(&again);
    fl_sched_result_free(&res);
}

static void *stuck_fn(void *p)
{
    _Atomic uint32_t *w = p;
    sv_wait(w, 0, SV_FOREVER);
    return NULL;
}

static void *napper(void *p)
{
    (void)p;
    sv_sleep_until(sv_now() + 3600 * SEC);
    return NULL;
}

static _Atomic uint32_t stuck_word;

static void leaky_main(void *arg)
{
    (void)arg;
    sv_thread *a, *b, *c;
    assert_int_equal(sv_thread_create(&a, stuck_fn, &stuck_word, "stuck"), 0);
    assert_int_equal(sv_thread_create(&b, napper, NULL, "napper"), 0);
    assert_int_equal(sv_thread_create(&c, sleepy, NULL, "sleepy"), 0);
    sv_thread_detach(c); /* ends within the grace: not leaked */
    sv_alloc(10);        /* never freed by the program */
}

static void test_leaked_threads_killed(void **st)
{
    (void)st;
    atomic_store(&stuck_word, 0);
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_PCT, .seed = 9 };
    fl_sched_result res;
    run_ok(&o, leaky_main, NULL, &res);
    assert_int_equal(res.status, FL_SCHED_OK);
    assert_null(res.report);
    assert_int_equal(res.nleaked, 2);
    assert_string_equal(res.leaked[0], "stuck");
    assert_string_equal(res.leaked[1], "napper");
    assert_int_equal(res.threads, 4);
    assert_int_equal(res.live_allocs, 1);
    assert_int_equal(res.live_bytes, 10);
    assert_true(res.virtual_ns == 10 * SEC);
    fl_sched_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadlock_reports),
        cmocka_unit_test(test_deadlock_futex_and_memory),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_leaked_threads_killed),
    };
    return cmocka_run_group_tests_name("sched_failures", tests, NULL, NULL);
}
