/*
 * test_runtime_failpoints.c — each failpoint libsv offers through
 * sv_fail_set (sv_plat.h) does what its contract says on real threads:
 * sv.start fails a start that is retried, sv.worker ends an incarnation
 * before its function runs, sv.log.skip, sv.restart.double,
 * sv.report.lose and sv.join.skip plant the bugs the oracle must catch.
 * Recorder and fixture: runtime_util.h.
 */
#include "runtime_util.h"

#include <time.h>

static atomic_int fn_runs_x;

static int fail_hook(const char *point, const char *child, uint32_t inc)
{
    if (!child) return 0;
    if (!strcmp(point, "sv.start") && !strcmp(child, "s") && inc == 2) return -5;
    if (!strcmp(point, "sv.report.lose") && !strcmp(child, "lose") && inc == 1) return 1;
    if (!strcmp(point, "sv.log.skip") && !strcmp(child, "quiet") && inc == 1) return 1;
    if (!strcmp(point, "sv.join.skip") && !strcmp(child, "slow") && inc == 1) return 1;
    if (!strcmp(point, "sv.restart.double") && !strcmp(child, "twice") && inc == 1) return 1;
    if (!strcmp(point, "sv.worker") && !strcmp(child, "x") && inc == 1) return 9;
    return 0;
}

static int w_count_x(sv_worker *w, void *arg)
{
    atomic_fetch_add(&fn_runs_x, 1);
    return w_idle(w, arg);
}

static atomic_int slow_alive, slow_release;

/* Incarnation 1 ignores stop until the test releases it: a gate, not a
 * timed sleep, so "still running" holds however slow the machine is. */
static int w_slow(sv_worker *w, void *arg)
{
    if (sv_worker_incarnation(w) == 1) {
        atomic_fetch_add(&slow_alive, 1);
        struct timespec ts = { 0, 1000000 };
        while (!atomic_load(&slow_release)) nanosleep(&ts, NULL);
        atomic_fetch_sub(&slow_alive, 1);
        return 0;
    }
    return w_idle(w, arg);
}

/* Wait (up to 10 s) until incarnation 1 of slow is inside its body. */
static bool slow_entered(void)
{
    struct timespec ts = { 0, 1000000 };
    for (int i = 0; i < 10000 && atomic_load(&slow_alive) == 0; i++) nanosleep(&ts, NULL);
    return atomic_load(&slow_alive) == 1;
}

static void test_failpoints(void **state)
{
    (void)state;
    sv_fail_set(fail_hook);
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "s", w_panic_once, NULL);
    rt_add(&f, "lose", w_panic_once, NULL);
    rt_add(&f, "quiet", w_panic_once, NULL);
    rt_add(&f, "slow", w_slow, NULL);
    rt_add(&f, "twice", w_idle, NULL);
    rt_add(&f, "x", w_count_x, NULL);
    f.s.intensity = 20;
    sv_sup *sup = rt_start(&f);

    /* sv.start: the start fails with the hook's error, and is retried */
    int fs = rec_wait(SV_EV_START_FAILED, "s", 2);
    assert_true(fs >= 0);
    assert_int_equal(rec_at(fs).err, -5);
    assert_true(rec_wait(SV_EV_STARTED, "s", 3) > fs);
    /* sv.worker: the hook's value ends incarnation 1 before fn runs */
    int cx = rec_wait(SV_EV_CRASH, "x", 1);
    assert_true(cx >= 0);
    assert_int_equal(rec_at(cx).reason, SV_EXIT_ERROR);
    assert_string_equal(rec_at(cx).msg, "failpoint sv.worker: 9");
    assert_true(rec_wait(SV_EV_STARTED, "x", 2) > cx);
    /* sv.log.skip: crashed, joined and restarted, never logged */
    assert_true(rec_wait(SV_EV_STARTED, "quiet", 2) >= 0);
    assert_true(rec_find(SV_EV_CRASH, "quiet", 1) >= 0);
    assert_int_equal(rec_find(SV_EV_LOGGED, "quiet", 1), -1);
    /* sv.restart.double: incarnation 1 of twice started twice */
    assert_int_equal(rec_count(SV_EV_STARTED, "twice"), 2);
    assert_int_equal(rec_count(SV_EV_START, "twice"), 2);
    /* sv.report.lose: the crash is emitted but never reaches the supervisor */
    assert_true(rec_wait(SV_EV_CRASH, "lose", 1) >= 0);
    /* sv.join.skip: terminate claims the join while the thread still runs;
     * the replacement starts before the old incarnation ended */
    assert_true(slow_entered());
    assert_int_equal(sv_terminate_child(sup, "slow"), 0);
    assert_true(rec_find(SV_EV_JOINED, "slow", 1) >= 0);
    assert_int_equal(sv_restart_child(sup, "slow"), 0);
    int st2 = rec_find(SV_EV_STARTED, "slow", 2);
    assert_true(st2 >= 0);
    assert_int_equal(atomic_load(&slow_alive), 1);
    atomic_store(&slow_release, 1);
    int ex1 = rec_wait(SV_EV_EXIT, "slow", 1);
    assert_true(ex1 > st2);

    sv_sup_free(sup);
    sv_fail_set(NULL);
    assert_int_equal(rec_find(SV_EV_LOGGED, "lose", 1), -1);
    assert_int_equal(rec_find(SV_EV_START, "lose", 2), -1);
    assert_true(rec_find(SV_EV_JOINED, "lose", 1) >= 0);
    assert_int_equal(rec_count(SV_EV_JOINED, "twice"), 2);
    assert_int_equal(atomic_load(&fn_runs_x), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
