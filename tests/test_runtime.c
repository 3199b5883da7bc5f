/*
 * test_runtime.c — libsv's runtime on real threads (POSIX binding): crash
 * capture (panic, error return) with logging, joins and restarts; unstopped
 * workers; start failures and intensity; spec validation; one_for_all;
 * backoff, auto_shutdown, and the worker API. Admin calls, nested
 * supervisors, signals, failpoints and the log format have their own
 * test_runtime_*.c. Recorder and fixture: runtime_util.h.
 */
#include "runtime_util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- workers -------------------------------------------------------------------- */

static int w_return_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) return 7;
    return w_idle(w, arg);
}

static atomic_uint stubborn_release, stubborn_alive;

/* Ignores stop requests until released. */
static int w_stubborn(sv_worker *w, void *arg)
{
    (void)w;
    (void)arg;
    atomic_fetch_add(&stubborn_alive, 1);
    while (!atomic_load(&stubborn_release)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    atomic_fetch_sub(&stubborn_alive, 1);
    return 0;
}

/* ---- crash, log, join, restart ------------------------------------------------------ */

static void test_panic_outside_worker_aborts(void **state)
{
    (void)state;
    assert_null(sv_worker_self());
    pid_t pid = rt_fork_quiet();
    if (pid == 0) sv_panic("not in a worker");
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

static void test_panic_logged_joined_restarted(void **state)
{
    (void)state;
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "idle", w_idle, NULL);
    rt_add(&f, "bomb", w_panic_once, NULL);
    f.s.intensity = 3;
    sv_sup *sup = rt_start(&f);
    assert_crash_cycle("bomb", SV_EXIT_PANIC, "boom 42");
    rec_ev ec = rec_at(rec_find(SV_EV_CRASH, "bomb", 1));
    assert_true(ec.has_bt);
    assert_true(rec_at(rec_find(SV_EV_LOGGED, "bomb", 1)).has_bt);
    assert_true(rec_wait(SV_EV_RESTARTED, "bomb", 2) >= 0); /* emitted just after STARTED */
    assert_int_equal(sv_sup_stop(sup), 0);
    assert_int_equal(sv_sup_stop(sup), 0); /* idempotent */
    int reason = -1;
    assert_int_equal(sv_sup_wait(sup, 0, &reason), 0);
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);
    sv_sup_free(sup);

    /* Children stop in reverse start order; SHUTDOWN is the last event. */
    int sb = rec_find(SV_EV_STOP_REQUESTED, "bomb", 2), si = rec_find(SV_EV_STOP_REQUESTED, "idle", 1);
    assert_true(sb >= 0 && si > sb);
    int shut = rec_find(SV_EV_SHUTDOWN, NULL, 0);
    pthread_mutex_lock(&R.mu);
    size_t n = R.n;
    bool bad_seq = R.bad_seq;
    pthread_mutex_unlock(&R.mu);
    assert_int_equal(shut, (int)n - 1);
    assert_false(bad_seq);
    assert_int_equal(rec_at(0).kind, SV_EV_SUP_START);
    assert_true(atomic_load(&R.log_lines) >= 3); /* logged, joined, restarted, shutdown */
}

static void test_error_return_is_crash(void **state)
{
    (void)state;
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "ret", w_return_once, NULL);
    sv_sup *sup = rt_start(&f);
    assert_crash_cycle("ret", SV_EXIT_ERROR, "returned 7");
    sv_sup_free(sup);
    /* A stopped worker returning 0 ends with reason shutdown, not a crash. */
    int ex = rec_find(SV_EV_EXIT, "ret", 2);
    assert_true(ex >= 0);
    assert_int_equal(rec_at(ex).reason, SV_EXIT_SHUTDOWN);
}

static void test_unstopped_worker(void **state)
{
    (void)state;
    atomic_store(&stubborn_release, 0);
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "stubborn", w_stubborn, NULL)->shutdown_ms = 50;
    rt_add(&f, "bomb", w_panic_once, NULL);
    f.s.strategy = SV_ONE_FOR_ALL;
    f.s.intensity = 5;
    sv_sup *sup = rt_start(&f);

    /* bomb crashes; one_for_all stops stubborn, which does not stop within
     * 50 ms: abandoned, and the supervisor goes on to restart both. */
    int un = rec_wait(SV_EV_UNSTOPPED, "stubborn", 1);
    assert_true(un >= 0);
    assert_int_equal(rec_at(un).reason, SV_EXIT_KILLED);
    assert_true(rec_wait(SV_EV_STARTED, "bomb", 2) > un);
    assert_true(rec_find(SV_EV_STARTED, "stubborn", 2) > un);

    sv_child_info info[2];
    size_t n = 0;
    assert_int_equal(sv_which_children(sup, info, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(info[0].state, SV_CHILD_RUNNING);
    assert_int_equal(info[0].incarnation, 2);

    int64_t t0 = sv_now();
    assert_int_equal(sv_sup_stop(sup), 0);
    assert_true(sv_now() - t0 < 2000 * MS);
    assert_true(rec_find(SV_EV_UNSTOPPED, "stubborn", 2) >= 0);
    sv_sup_free(sup);

    /* The abandoned threads end later without touching freed memory. */
    atomic_store(&stubborn_release, 1);
    int64_t until = sv_deadline_in(5000 * MS);
    while (atomic_load(&stubborn_alive) && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
    assert_int_equal(atomic_load(&stubborn_alive), 0);
    sv_sleep_until(sv_deadline_in(20 * MS)); /* let them leave the trampoline */
}

/* ---- start failures, intensity, bad specs ------------------------------------------- */

static atomic_int init_fail_from;

static int init_fails_later(void *arg, uint32_t inc)
{
    (void)arg;
    return (int)inc >= atomic_load(&init_fail_from) ? -EAGAIN : 0;
}

static void test_start_failures_and_intensity(void **state)
{
    (void)state;
    atomic_store(&init_fail_from, 2);
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "idle", w_idle, NULL);
    rt_add(&f, "flaky", w_crash_always, NULL)->init = init_fails_later;
    f.s.intensity = 3;
    f.s.period_ms = 60000;
    sv_sup *sup = rt_start(&f);
    assert_int_equal(rt_wait_exit(sup, 10000), SV_EXIT_SHUTDOWN);

    int fl = rec_find(SV_EV_START_FAILED, "flaky", 2);
    assert_true(fl >= 0);
    assert_int_equal(rec_at(fl).err, -EAGAIN);
    assert_true(rec_find(SV_EV_START, "flaky", 3) > fl); /* retried */
    assert_true(rec_count(SV_EV_START_FAILED, "flaky") >= 2);
    int ie = rec_find(SV_EV_INTENSITY_EXCEEDED, NULL, 0);
    assert_true(ie > fl);
    /* then everything is stopped and the supervisor exits */
    assert_true(rec_find_from(ie, SV_EV_JOINED, "idle", 1) > ie);
    assert_true(rec_find(SV_EV_SHUTDOWN, NULL, 0) > ie);
    /* admin after exit */
    assert_int_equal(sv_terminate_child(sup, "idle"), -SV_ESHUTDOWN);
    sv_child_counts cnt;
    assert_int_equal(sv_count_children(sup, &cnt), -SV_ESHUTDOWN);
    sv_sup_free(sup);

    /* A first start that fails fails sv_sup_start, after stopping the
     * children already started. */
    rec_reset();
    atomic_store(&init_fail_from, 1);
    sup = NULL;
    assert_int_equal(sv_sup_start(&f.s, &sup), -EAGAIN);
    assert_null(sup);
    assert_true(rec_find(SV_EV_JOINED, "idle", 1) > rec_find(SV_EV_START_FAILED, "flaky", 1));
}

static void test_bad_specs(void **state)
{
    (void)state;
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "a", w_idle, NULL);
    sv_child_spec *b = rt_add(&f, "a", w_idle, NULL);
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&f.s, &sup), -EINVAL); /* duplicate id */
    b->id = "";
    assert_int_equal(sv_sup_start(&f.s, &sup), -EINVAL); /* empty id */
    b->id = "b";
    b->fn = NULL;
    assert_int_equal(sv_sup_start(&f.s, &sup), -EINVAL); /* neither fn nor sup */
    b->fn = w_idle;
    b->sup = &f.s;
    assert_int_equal(sv_sup_start(&f.s, &sup), -EINVAL); /* both (and a cycle) */
    b->sup = NULL;
    b->significant = true;
    assert_int_equal(sv_sup_start(&f.s, &sup), -EINVAL); /* significant permanent */
    assert_null(sup);
}

/* ---- one_for_all ------------------------------------------------------------------ */

static void test_one_for_all(void **state)
{
    (void)state;
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "a", w_idle, NULL);
    rt_add(&f, "b", w_panic_once, NULL);
    rt_add(&f, "c", w_idle, NULL);
    f.s.strategy = SV_ONE_FOR_ALL;
    f.s.intensity = 2;
    sv_sup *sup = rt_start(&f);
    assert_true(rec_wait(SV_EV_STARTED, "c", 2) >= 0);
    sv_sup_free(sup);

    int crash = rec_find(SV_EV_CRASH, "b", 1);
    int sc = rec_find(SV_EV_STOP_REQUESTED, "c", 1), sb = rec_find(SV_EV_STOP_REQUESTED, "b", 1),
        sa = rec_find(SV_EV_STOP_REQUESTED, "a", 1);
    int ta = rec_find(SV_EV_STARTED, "a", 2), tb = rec_find(SV_EV_STARTED, "b", 2),
        tc = rec_find(SV_EV_STARTED, "c", 2);
    assert_true(crash >= 0);
    /* stop in reverse start order, each joined before the next stop */
    assert_true(crash < sc && sc < sb && sb < sa);
    assert_true(rec_find(SV_EV_JOINED, "c", 1) < sb);
    assert_true(rec_find(SV_EV_JOINED, "a", 1) < ta);
    /* start in order */
    assert_true(sa < ta && ta < tb && tb < tc);
    assert_int_equal(rec_count(SV_EV_RESTART, NULL), 1);
}

/* ---- backoff (the timer path), auto_shutdown, worker API --------------------------- */

static void test_backoff_timer(void **state)
{
    (void)state;
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "bomb", w_panic_once, NULL);
    f.s.backoff_min_ms = 30;
    f.s.backoff_max_ms = 30;
    f.s.intensity = 5;
    sv_sup *sup = rt_start(&f);
    int st = rec_wait(SV_EV_STARTED, "bomb", 2);
    assert_true(st >= 0);
    int bo = rec_find(SV_EV_BACKOFF, "bomb", 0);
    assert_true(bo >= 0 && bo < st);
    sv_sup_free(sup);
    assert_int_equal(rec_at(bo).detail_ns, 30 * MS);
    /* the replacement waited for the delay after the join */
    int j = rec_find(SV_EV_JOINED, "bomb", 1);
    assert_true(j >= 0 && j < st);
    assert_true(rec_at(st).time_ns - rec_at(j).time_ns >= 30 * MS);
}

static int w_quit(sv_worker *w, void *arg)
{
    (void)w;
    (void)arg;
    return 0;
}

static void test_auto_shutdown(void **state)
{
    (void)state;
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "idle", w_idle, NULL);
    sv_child_spec *job = rt_add(&f, "job", w_quit, NULL);
    job->restart = SV_TRANSIENT;
    job->significant = true;
    f.s.auto_shutdown = SV_AUTO_ANY_SIGNIFICANT;
    sv_sup *sup = rt_start(&f);
    assert_int_equal(rt_wait_exit(sup, 10000), SV_EXIT_SHUTDOWN);
    assert_int_equal(sv_sup_wait(sup, -1, NULL), 0);
    sv_sup_free(sup);
    int ex = rec_find(SV_EV_EXIT, "job", 1);
    int as = rec_find(SV_EV_AUTO_SHUTDOWN, NULL, 0);
    assert_true(ex >= 0 && as > ex);
    assert_int_equal(rec_at(ex).reason, SV_EXIT_NORMAL);
    assert_true(rec_find(SV_EV_JOINED, "idle", 1) > as);
}

struct api_seen {
    atomic_int ok;
};

static int w_api(sv_worker *w, void *arg)
{
    struct api_seen *seen = arg;
    int good = sv_worker_self() == w && strcmp(sv_worker_id(w), "api") == 0 &&
               sv_worker_incarnation(w) == 1 && !sv_worker_stopping(w) && sv_worker_sleep(w, 1) == 0;
    atomic_store(&seen->ok, good ? 1 : -1);
    int rc = sv_worker_sleep(w, 60000); /* cut short by the stop */
    if (rc == -ECANCELED && sv_worker_stopping(w) && sv_worker_sleep(w, 60000) == -ECANCELED)
        atomic_store(&seen->ok, 2);
    return 0;
}

static void test_worker_api(void **state)
{
    (void)state;
    struct api_seen seen = { 0 };
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "api", w_api, &seen);
    sv_sup *sup = rt_start(&f);
    int64_t until = sv_deadline_in(10000 * MS);
    while (atomic_load(&seen.ok) == 0 && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
    assert_int_equal(atomic_load(&seen.ok), 1);
    int64_t t0 = sv_now();
    sv_sup_free(sup);
    assert_true(sv_now() - t0 < 5000 * MS);
    assert_int_equal(atomic_load(&seen.ok), 2);
    assert_null(sv_worker_self());
}

int main(void)
{
    /* The fork test runs first, while the process has no other thread
     * (ThreadSanitizer cannot start threads in the child of a multi-threaded
     * fork). */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panic_outside_worker_aborts),
        cmocka_unit_test(test_panic_logged_joined_restarted),
        cmocka_unit_test(test_error_return_is_crash),
        cmocka_unit_test(test_unstopped_worker),
        cmocka_unit_test(test_start_failures_and_intensity),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_one_for_all),
        cmocka_unit_test(test_backoff_timer),
        cmocka_unit_test(test_auto_shutdown),
        cmocka_unit_test(test_worker_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
