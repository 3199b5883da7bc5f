/*
 * test_sched.c — the controlled platform's virtual clock and blocking
 * model: long sleeps and one-second polls cost no real time, deadlines fire
 * in order at exactly their time, timed and untimed condition and futex
 * waits mix, joins time out. Deadlock, budget and leak reports:
 * test_sched_failures.c; determinism and replay: test_sched_replay.c;
 * options, nesting and the free mode: test_sched_api.c.
 */
#include "sched_util.h"

/* ---- virtual clock ---------------------------------------------------------- */

static void long_sleep_main(void *arg)
{
    int64_t *woke = arg;
    int64_t t0 = sv_now();
    sv_sleep_until(t0 + 1000 * SEC);
    *woke = sv_now() - t0;
}

static void test_sleep_costs_no_real_time(void **st)
{
    (void)st;
    int64_t woke = 0;
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RANDOM, .seed = 1 };
    fl_sched_result res;
    int64_t t0 = real_ns();
    run_ok(&o, long_sleep_main, &woke, &res);
    int64_t real = real_ns() - t0;
    assert_int_equal(res.status, FL_SCHED_OK);
    assert_true(woke == 1000 * SEC);
    assert_true(res.virtual_ns == 1000 * SEC);
    /* 1000 s of virtual time: well under a second of real time, even under TSan */
    if (real > SEC / 2) fail_msg("a 1000 s virtual sleep took %lld ns of real time", (long long)real);
    fl_sched_result_free(&res);
}

typedef struct order_log {
    sv_mutex m;
    int order[3];
    int64_t at[3];
    int n;
} order_log;

typedef struct sleeper {
    order_log *log;
    int id;
    int64_t secs;
} sleeper;

static void *sleeper_fn(void *p)
{
    sleeper *s = p;
    sv_sleep_until(s->secs * SEC);
    int64_t now = sv_now();
    sv_mutex_lock(&s->log->m);
    s->log->order[s->log->n] = s->id;
    s->log->at[s->log->n++] = now;
    sv_mutex_unlock(&s->log->m);
    return NULL;
}

static void deadline_order_main(void *arg)
{
    order_log *log = arg;
    sv_mutex_init(&log->m);
    sleeper s[3] = { { log, 0, 3 }, { log, 1, 1 }, { log, 2, 2 } };
    sv_thread *t[3];
    for (int i = 0; i < 3; i++) assert_int_equal(sv_thread_create(&t[i], sleeper_fn, &s[i], "sleeper"), 0);
    for (int i = 0; i < 3; i++) assert_int_equal(sv_thread_join(t[i], SV_FOREVER), 0);
    sv_mutex_destroy(&log->m);
}

static void test_timeouts_fire_in_deadline_order(void **st)
{
    (void)st;
    for (int strat = 0; strat < 3; strat++) {
        for (uint64_t seed = 0; seed < 10; seed++) {
            order_log log = { .n = 0 };
            fl_sched_opts o = { .strategy = (fl_sched_strategy)strat, .seed = seed, .depth = 2 };
            fl_sched_result res;
            run_ok(&o, deadline_order_main, &log, &res);
            assert_int_equal(res.status, FL_SCHED_OK);
            assert_int_equal(log.n, 3);
            /* deadlines 1 s, 2 s, 3 s fire in that order, at exactly that time */
            assert_int_equal(log.order[0], 1);
            assert_int_equal(log.order[1], 2);
            assert_int_equal(log.order[2], 0);
            assert_true(log.at[0] == 1 * SEC && log.at[1] == 2 * SEC && log.at[2] == 3 * SEC);
            fl_sched_result_free(&res);
        }
    }
}

typedef struct mixed {
    sv_mutex m;
    sv_cond c;
    int rc_untimed, rc_timed, rc_futex_timed;
    int64_t t_untimed, t_timed, t_futex;
    _Atomic uint32_t word;
} mixed;

static void *untimed_waiter(void *p)
{
    mixed *x = p;
    sv_mutex_lock(&x->m);
    x->rc_untimed = sv_cond_wait(&x->c, &x->m, SV_FOREVER);
    x->t_untimed = sv_now();
    sv_mutex_unlock(&x->m);
    return NULL;
}

static void *timed_waiter(void *p)
{
    mixed *x = p;
    sv_mutex_lock(&x->m);
    x->rc_timed = sv_cond_wait(&x->c, &x->m, 2 * SEC);
    x->t_timed = sv_now();
    sv_mutex_unlock(&x->m);
    return NULL;
}

static void *futex_waiter(void *p)
{
    mixed *x = p;
    x->rc_futex_timed = sv_wait(&x->word, 0, 4 * SEC);
    x->t_futex = sv_now();
    return NULL;
}

static void mixed_main(void *arg)
{
    mixed *x = arg;
    sv_mutex_init(&x->m);
    sv_cond_init(&x->c);
    sv_thread *a, *b, *f;
    assert_int_equal(sv_thread_create(&a, untimed_waiter, x, "untimed"), 0);
    assert_int_equal(sv_thread_create(&b, timed_waiter, x, "timed"), 0);
    assert_int_equal(sv_thread_create(&f, futex_waiter, x, "futex"), 0);
    sv_sleep_until(5 * SEC);
    sv_mutex_lock(&x->m);
    sv_cond_broadcast(&x->c);
    sv_mutex_unlock(&x->m);
    sv_thread_join(a, SV_FOREVER);
    sv_thread_join(b, SV_FOREVER);
    sv_thread_join(f, SV_FOREVER);
    sv_cond_destroy(&x->c);
    sv_mutex_destroy(&x->m);
}

static void test_mixed_timed_and_untimed_waits(void **st)
{
    (void)st;
    for (uint64_t seed = 0; seed < 20; seed++) {
        mixed x;
        memset(&x, 0, sizeof x);
        fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RANDOM, .seed = seed };
        fl_sched_result res;
        run_ok(&o, mixed_main, &x, &res);
        assert_int_equal(res.status, FL_SCHED_OK);
        assert_int_equal(x.rc_timed, -ETIMEDOUT);
        assert_true(x.t_timed == 2 * SEC);
        assert_int_equal(x.rc_futex_timed, -ETIMEDOUT);
        assert_true(x.t_futex == 4 * SEC);
        assert_int_equal(x.rc_untimed, 0);
        assert_true(x.t_untimed == 5 * SEC);
        fl_sched_result_free(&res);
    }
}

/* A supervisor-style poll loop: 100 polls of one second each. */
static void poll_main(void *arg)
{
    int *polls = arg;
    sv_mutex m;
    sv_cond c;
    sv_mutex_init(&m);
    sv_cond_init(&c);
    sv_mutex_lock(&m);
    for (int i = 0; i < 100; i++)
        if (sv_cond_wait(&c, &m, sv_deadline_in(SEC)) == -ETIMEDOUT) (*polls)++;
    sv_mutex_unlock(&m);
    sv_cond_destroy(&c);
    sv_mutex_destroy(&m);
}

static void test_one_second_poll_costs_microseconds(void **st)
{
    (void)st;
    int polls = 0;
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RR };
    fl_sched_result res;
    int64_t t0 = real_ns();
    run_ok(&o, poll_main, &polls, &res);
    int64_t real = real_ns() - t0;
    assert_int_equal(polls, 100);
    assert_true(res.virtual_ns >= 100 * SEC);
    if (real > SEC / 2) fail_msg("100 one-second polls took %lld ns of real time", (long long)real);
    fl_sched_result_free(&res);
}

static void join_timeout_main(void *arg)
{
    int *rc = arg;
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, sleepy, NULL, "sleepy"), 0);
    rc[0] = sv_thread_join(t, sv_deadline_in(3 * SEC));
    rc[1] = (int)(sv_now() / SEC);
    rc[2] = sv_thread_join(t, SV_FOREVER);
    rc[3] = (int)(sv_now() / SEC);
}

static void test_join_timeout(void **st)
{
    (void)st;
    int rc[4];
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_PCT, .seed = 5 };
    fl_sched_result res;
    run_ok(&o, join_timeout_main, rc, &res);
    assert_int_equal(rc[0], -ETIMEDOUT);
    assert_int_equal(rc[1], 3);
    assert_int_equal(rc[2], 0);
    assert_int_equal(rc[3], 10);
    fl_sched_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sleep_costs_no_real_time),
        cmocka_unit_test(test_timeouts_fire_in_deadline_order),
        cmocka_unit_test(test_mixed_timed_and_untimed_waits),
        cmocka_unit_test(test_one_second_poll_costs_microseconds),
        cmocka_unit_test(test_join_timeout),
    };
    return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
