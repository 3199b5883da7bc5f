/*
 * test_runtime_otp.c — OTP parity on real threads: simple_one_for_one
 * instances, the init hook's SV_IGNORE, period 0 refused, workers that end
 * through pthread_exit or cancellation, and admin calls from hooks.
 *
 * Waits are bounded polls (rec_wait, wait_until), never timing assertions.
 */
#include "runtime_util.h"

#include <errno.h>

/* Instance of the last event of each kind, and events seen per instance. */
static _Atomic uint32_t last_instance[SV_EV__COUNT];

static void inst_hook(void *ud, const sv_event *e)
{
    rec_hook(ud, e);
    atomic_store(&last_instance[e->kind], e->instance);
}

static void otp_spec(sv_sup_spec *s, const char *name, sv_child_spec *kids, size_t n)
{
    spec_init(s, name, kids, n);
    s->on_event = inst_hook;
    for (int k = 0; k < SV_EV__COUNT; k++) atomic_store(&last_instance[k], 0);
}

/* Poll which_children until pred holds (10 s bound). */
static bool wait_count(sv_sup *sup, size_t want_active)
{
    int64_t until = sv_deadline_in(10000 * MS);
    sv_child_counts k;
    do {
        if (sv_count_children(sup, &k) == 0 && k.active == want_active) return true;
        sv_sleep_until(sv_deadline_in(MS));
    } while (sv_now() < until);
    return false;
}

/* ---- period 0 ------------------------------------------------------------------ */

static void period_zero_is_refused(void **state)
{
    sv_child_spec c;
    sv_child_spec_init(&c, "a", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "p0", &c, 1);
    s.period_ms = 0;
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL);
    assert_null(sup);
    s.period_ms = 1;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    sv_sup_free(sup);
}

/* ---- simple_one_for_one ----------------------------------------------------------- */

typedef struct inst_arg {
    _Atomic int runs;    /* incarnations that ran */
    int crash_first;     /* 1: panic on the first incarnation */
} inst_arg;

static int w_instance(sv_worker *w, void *arg)
{
    inst_arg *a = arg;
    int run = atomic_fetch_add(&a->runs, 1);
    if (a->crash_first && run == 0) sv_panic("instance crash");
    return w_idle(w, NULL);
}

/* Poll until a's workers ran `want` times (10 s bound); exact afterwards. */
static bool wait_runs(inst_arg *a, int want)
{
    int64_t until = sv_deadline_in(10000 * MS);
    while (atomic_load(&a->runs) < want && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
    return atomic_load(&a->runs) == want;
}

static sv_sup *start_simple(sv_child_spec *tmpl, sv_restart restart)
{
    rec_reset();
    sv_child_spec_init(tmpl, "tmpl", w_instance, NULL);
    tmpl->restart = restart;
    tmpl->shutdown_ms = 2000;
    sv_sup_spec s;
    otp_spec(&s, "dyn", tmpl, 1);
    s.strategy = SV_SIMPLE_ONE_FOR_ONE;
    s.intensity = 10;
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    return sup;
}

static void simple_spec_needs_one_template(void **state)
{
    rec_reset();
    sv_child_spec c[2];
    sv_child_spec_init(&c[0], "a", w_idle, NULL);
    sv_child_spec_init(&c[1], "b", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "dyn", c, 2);
    s.strategy = SV_SIMPLE_ONE_FOR_ONE;
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL);
    s.nchildren = 0;
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL);
    s.nchildren = 1;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    sv_child_counts k;
    assert_int_equal(sv_count_children(sup, &k), 0);
    assert_int_equal(k.specs, 1); /* the template; no instance yet */
    assert_int_equal(k.active, 0);
    assert_int_equal(rec_count(SV_EV_START, NULL), 0);
    sv_sup_free(sup);
}

static void instances_start_list_and_terminate(void **state)
{
    sv_child_spec tmpl;
    sv_sup *sup = start_simple(&tmpl, SV_PERMANENT);
    inst_arg a[3] = { 0 };
    uint32_t id[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sv_start_instance(sup, &a[i], &id[i]), 0);
        assert_true(id[i] >= 1);
        assert_int_equal(atomic_load(&last_instance[SV_EV_STARTED]), id[i]);
    }
    assert_true(id[0] != id[1] && id[1] != id[2] && id[0] != id[2]);
    assert_true(wait_count(sup, 3));
    for (int i = 0; i < 3; i++) assert_true(wait_runs(&a[i], 1)); /* each got its own arg */

    sv_child_info info[4];
    size_t n;
    assert_int_equal(sv_which_children(sup, info, 4, &n), 0);
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(info[i].id, "tmpl");
        assert_int_equal(info[i].instance, id[i]);
        assert_int_equal(info[i].state, SV_CHILD_RUNNING);
        assert_int_equal(info[i].incarnation, 1);
    }
    sv_child_counts k;
    assert_int_equal(sv_count_children(sup, &k), 0);
    assert_int_equal(k.specs, 1);
    assert_int_equal(k.active, 3);
    assert_int_equal(k.workers, 3);

    /* OTP's error for by-id requests on a simple_one_for_one supervisor */
    assert_int_equal(sv_terminate_child(sup, "tmpl"), -EOPNOTSUPP);
    assert_int_equal(sv_restart_child(sup, "tmpl"), -EOPNOTSUPP);
    assert_int_equal(sv_delete_child(sup, "tmpl"), -EOPNOTSUPP);
    assert_int_equal(sv_start_child(sup, &tmpl), -EOPNOTSUPP);

    assert_int_equal(sv_terminate_instance(sup, id[1]), 0);
    assert_int_equal(atomic_load(&last_instance[SV_EV_CHILD_REMOVED]), id[1]);
    assert_int_equal(atomic_load(&last_instance[SV_EV_JOINED]), id[1]);
    assert_int_equal(sv_terminate_instance(sup, id[1]), -SV_ENOT_FOUND); /* removed, not kept */
    assert_int_equal(sv_terminate_instance(sup, 0), -SV_ENOT_FOUND);
    assert_int_equal(sv_which_children(sup, info, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(info[0].instance, id[0]);
    assert_int_equal(info[1].instance, id[2]);
    sv_sup_free(sup);
    /* at shutdown both remaining instances were stopped and joined */
    assert_int_equal(rec_count(SV_EV_JOINED, "tmpl"), 3);
}

static void instance_requests_refused_on_static_supervisor(void **state)
{
    sv_child_spec c;
    sv_child_spec_init(&c, "a", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "static", &c, 1);
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    uint32_t inst = 99;
    assert_int_equal(sv_start_instance(sup, NULL, &inst), -EOPNOTSUPP);
    assert_int_equal(inst, 0);
    assert_int_equal(sv_terminate_instance(sup, 1), -EOPNOTSUPP);
    sv_sup_free(sup);
}

static void permanent_instance_restarts_with_its_own_arg(void **state)
{
    sv_child_spec tmpl;
    sv_sup *sup = start_simple(&tmpl, SV_PERMANENT);
    inst_arg calm = { 0 }, crashy = { .crash_first = 1 };
    uint32_t i1, i2;
    assert_int_equal(sv_start_instance(sup, &calm, &i1), 0);
    assert_int_equal(sv_start_instance(sup, &crashy, &i2), 0);
    assert_true(rec_wait(SV_EV_RESTARTED, "tmpl", 2) >= 0);
    assert_int_equal(atomic_load(&last_instance[SV_EV_RESTARTED]), i2);
    assert_int_equal(atomic_load(&last_instance[SV_EV_CRASH]), i2);
    assert_true(wait_count(sup, 2));
    assert_true(wait_runs(&crashy, 2));
    assert_true(wait_runs(&calm, 1)); /* one_for_one: the other one untouched */
    sv_sup_free(sup);
}

static void temporary_instance_is_removed_when_it_ends(void **state)
{
    sv_child_spec tmpl;
    sv_sup *sup = start_simple(&tmpl, SV_TEMPORARY);
    inst_arg crashy = { .crash_first = 1 };
    uint32_t i1;
    assert_int_equal(sv_start_instance(sup, &crashy, &i1), 0);
    assert_true(rec_wait(SV_EV_CHILD_REMOVED, "tmpl", 1) >= 0);
    assert_int_equal(atomic_load(&last_instance[SV_EV_CHILD_REMOVED]), i1);
    assert_int_equal(rec_count(SV_EV_RESTART, "tmpl"), 0);
    sv_child_counts k;
    assert_int_equal(sv_count_children(sup, &k), 0);
    assert_int_equal(k.workers, 0);
    uint32_t i2;
    assert_int_equal(sv_start_instance(sup, &crashy, &i2), 0);
    assert_true(i2 > i1); /* numbers are never reused */
    sv_sup_free(sup);
}

/* Intensity counts across instances: MaxR 1, two instances crash. */
static void intensity_counts_across_instances(void **state)
{
    rec_reset();
    sv_child_spec tmpl;
    sv_child_spec_init(&tmpl, "tmpl", w_instance, NULL);
    sv_sup_spec s;
    otp_spec(&s, "dyn", &tmpl, 1);
    s.strategy = SV_SIMPLE_ONE_FOR_ONE;
    s.intensity = 1;
    s.period_ms = 3600 * 1000;
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    inst_arg a = { .crash_first = 1 }, b = { .crash_first = 1 };
    assert_int_equal(sv_start_instance(sup, &a, NULL), 0);
    assert_true(rec_wait(SV_EV_RESTARTED, "tmpl", 2) >= 0);
    int rc = sv_start_instance(sup, &b, NULL);
    assert_true(rc == 0 || rc == -SV_ESHUTDOWN);
    int reason = -1;
    assert_int_equal(sv_sup_wait(sup, 10000, &reason), 0);
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);
    assert_true(rec_find(SV_EV_INTENSITY_EXCEEDED, NULL, 0) >= 0);
    sv_sup_free(sup);
}

/* ---- SV_IGNORE ------------------------------------------------------------------ */

static _Atomic int init_calls;

static int init_ignore(void *arg, uint32_t inc)
{
    atomic_fetch_add(&init_calls, 1);
    return SV_IGNORE;
}

static void static_child_ignore_keeps_spec_not_running(void **state)
{
    rec_reset();
    atomic_store(&init_calls, 0);
    sv_child_spec c[2];
    sv_child_spec_init(&c[0], "ign", w_idle, NULL);
    c[0].init = init_ignore;
    sv_child_spec_init(&c[1], "b", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", c, 2);
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), 0); /* not a failure */
    sv_child_info info[2];
    size_t n;
    assert_int_equal(sv_which_children(sup, info, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(info[0].state, SV_CHILD_STOPPED);
    assert_int_equal(info[1].state, SV_CHILD_RUNNING);
    assert_true(rec_find(SV_EV_START_IGNORED, "ign", 1) >= 0);
    assert_true(rec_find(SV_EV_STARTED, "ign", 0) < 0);
    assert_int_equal(rec_count(SV_EV_START_FAILED, NULL), 0);
    assert_int_equal(sv_restart_child(sup, "ign"), 0); /* ignored again: still fine */
    assert_int_equal(atomic_load(&init_calls), 2);
    assert_int_equal(sv_delete_child(sup, "ign"), 0);   /* kept as a stopped spec */
    c[0].id = "late";
    assert_int_equal(sv_start_child(sup, &c[0]), 0);   /* OTP: {ok, undefined}, spec kept */
    assert_int_equal(sv_which_children(sup, info, 2, &n), 0);
    assert_string_equal(info[1].id, "late");
    assert_int_equal(info[1].state, SV_CHILD_STOPPED);
    assert_int_equal(rec_count(SV_EV_RESTART, NULL), 0);
    sv_sup_free(sup);
}

static int init_ignore_odd(void *arg, uint32_t inc)
{
    return ((inst_arg *)arg)->crash_first ? SV_IGNORE : 0;
}

static void ignored_instance_is_not_kept(void **state)
{
    sv_child_spec tmpl;
    rec_reset();
    sv_child_spec_init(&tmpl, "tmpl", w_instance, NULL);
    tmpl.init = init_ignore_odd;
    sv_sup_spec s;
    otp_spec(&s, "dyn", &tmpl, 1);
    s.strategy = SV_SIMPLE_ONE_FOR_ONE;
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    inst_arg ign = { .crash_first = 1 }, ok = { 0 };
    uint32_t i1 = 77, i2 = 0;
    assert_int_equal(sv_start_instance(sup, &ign, &i1), 0);
    assert_int_equal(i1, 0);
    assert_int_equal(sv_start_instance(sup, &ok, &i2), 0);
    assert_true(i2 > 0);
    sv_child_counts k;
    assert_int_equal(sv_count_children(sup, &k), 0);
    assert_int_equal(k.workers, 1);
    assert_int_equal(atomic_load(&ign.runs), 0);
    assert_true(rec_find(SV_EV_START_IGNORED, "tmpl", 1) >= 0);
    sv_sup_free(sup);
}

/* ---- pthread_exit and cancellation ------------------------------------------------ */

static int w_pthread_exit_once(sv_worker *w, void *arg)
{
    if (sv_worker_incarnation(w) == 1) pthread_exit(NULL);
    return w_idle(w, arg);
}

static int w_cancel_once(sv_worker *w, void *arg)
{
    if (sv_worker_incarnation(w) == 1) {
        pthread_cancel(pthread_self());
        pthread_testcancel();
    }
    return w_idle(w, arg);
}

static void worker_ending_by_unwind_is_a_crash(const char *id, sv_worker_fn fn)
{
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, id, fn, NULL);
    f.s.intensity = 5;
    sv_sup *sup = rt_start(&f);
    assert_crash_cycle(id, SV_EXIT_THREAD_EXIT, "pthread_exit or cancellation");
    rec_ev c = rec_at(rec_find(SV_EV_CRASH, id, 1));
    assert_false(c.has_bt); /* the stack was unwound */
    assert_true(rec_wait(SV_EV_RESTARTED, id, 2) >= 0);
    sv_sup_free(sup);
    assert_string_equal(sv_exit_name(SV_EXIT_THREAD_EXIT), "thread_exit");
}

static void pthread_exit_in_worker_is_a_crash(void **state)
{
    worker_ending_by_unwind_is_a_crash("px", w_pthread_exit_once);
}

static void cancellation_in_worker_is_a_crash(void **state)
{
    worker_ending_by_unwind_is_a_crash("cx", w_cancel_once);
}

/* ---- admin calls from hooks ------------------------------------------------------- */

static sv_sup *_Atomic hook_sup;
static _Atomic int hook_rc_which = 1, hook_rc_stop = 1, hook_rc_start = 1, init_rc = 1;

static void admin_hook(void *ud, const sv_event *e)
{
    rec_hook(ud, e);
    sv_sup *s = atomic_load(&hook_sup);
    if (!s || e->kind != SV_EV_STARTED) return;
    size_t n;
    atomic_store(&hook_rc_which, sv_which_children(s, NULL, 0, &n));
    atomic_store(&hook_rc_stop, sv_sup_stop(s));
    sv_child_spec c;
    sv_child_spec_init(&c, "x", w_idle, NULL);
    atomic_store(&hook_rc_start, sv_start_child(s, &c));
}

static int init_admin(void *arg, uint32_t inc)
{
    sv_sup *s = atomic_load(&hook_sup);
    if (s) {
        sv_child_counts k;
        atomic_store(&init_rc, sv_count_children(s, &k));
    }
    return 0;
}

static void admin_from_hooks_fails_with_edeadlk(void **state)
{
    rec_reset();
    atomic_store(&hook_sup, NULL);
    sv_child_spec c;
    sv_child_spec_init(&c, "a", w_idle, NULL);
    c.init = init_admin;
    sv_sup_spec s;
    spec_init(&s, "root", &c, 1);
    s.on_event = admin_hook;
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    atomic_store(&hook_sup, sup);
    assert_int_equal(sv_restart_child(sup, "a"), -SV_ERUNNING); /* from here: fine */
    assert_int_equal(sv_terminate_child(sup, "a"), 0);
    assert_int_equal(sv_restart_child(sup, "a"), 0); /* init hook and STARTED hook run */
    assert_int_equal(atomic_load(&init_rc), -EDEADLK);
    assert_int_equal(atomic_load(&hook_rc_which), -EDEADLK);
    assert_int_equal(atomic_load(&hook_rc_stop), -EDEADLK);
    assert_int_equal(atomic_load(&hook_rc_start), -EDEADLK);
    atomic_store(&hook_sup, NULL);
    size_t n;
    assert_int_equal(sv_which_children(sup, NULL, 0, &n), 0); /* the supervisor is fine */
    assert_int_equal(n, 1);
    sv_sup_free(sup);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(period_zero_is_refused),
        cmocka_unit_test(simple_spec_needs_one_template),
        cmocka_unit_test(instances_start_list_and_terminate),
        cmocka_unit_test(instance_requests_refused_on_static_supervisor),
        cmocka_unit_test(permanent_instance_restarts_with_its_own_arg),
        cmocka_unit_test(temporary_instance_is_removed_when_it_ends),
        cmocka_unit_test(intensity_counts_across_instances),
        cmocka_unit_test(static_child_ignore_keeps_spec_not_running),
        cmocka_unit_test(ignored_instance_is_not_kept),
        cmocka_unit_test(pthread_exit_in_worker_is_a_crash),
        cmocka_unit_test(cancellation_in_worker_is_a_crash),
        cmocka_unit_test(admin_from_hooks_fails_with_edeadlk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
