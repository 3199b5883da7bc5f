/*
 * test_sched.c — the controlled platform: virtual clock, blocking model,
 * deadlock / budget / leak reports, allocation tracking, determinism,
 * replay and divergence, bad options, and the free (TSan) mode.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "planted.h"
#include "fl_sched.h"
#include "schedule.h"
#include "sv_plat.h"

#define SEC 1000000000ll

static int64_t real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void run_ok(const fl_sched_opts *o, void (*fn)(void *), void *arg, fl_sched_result *res)
{
    int rc = fl_sched_run(o, fn, arg, res);
    if (rc != 0) fail_msg("fl_sched_run: %d %s", rc, res->report ? res->report : "");
}

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
    fl_sched_opts o = { .strategy = FL_STRAT_RANDOM, .seed = 1 };
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
            fl_sched_opts o = { .strategy = (fl_strategy)strat, .seed = seed, .depth = 2 };
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
        fl_sched_opts o = { .strategy = FL_STRAT_RANDOM, .seed = seed };
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
    fl_sched_opts o = { .strategy = FL_STRAT_RR };
    fl_sched_result res;
    int64_t t0 = real_ns();
    run_ok(&o, poll_main, &polls, &res);
    int64_t real = real_ns() - t0;
    assert_int_equal(polls, 100);
    assert_true(res.virtual_ns >= 100 * SEC);
    if (real > SEC / 2) fail_msg("100 one-second polls took %lld ns of real time", (long long)real);
    fl_sched_result_free(&res);
}

static void *sleepy(void *p)
{
    (void)p;
    sv_sleep_until(sv_now() + 10 * SEC);
    return NULL;
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
    fl_sched_opts o = { .strategy = FL_STRAT_PCT, .seed = 5 };
    fl_sched_result res;
    run_ok(&o, join_timeout_main, rc, &res);
    assert_int_equal(rc[0], -ETIMEDOUT);
    assert_int_equal(rc[1], 3);
    assert_int_equal(rc[2], 0);
    assert_int_equal(rc[3], 10);
    fl_sched_result_free(&res);
}

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
    assert_int_equal(fl_planted_hunt_run(p, FL_STRAT_RANDOM, 0, 0, 100, &h), 0);
    assert_true(h.found);
    assert_int_equal(h.status, FL_SCHED_DEADLOCK);
    fl_sched_opts o = { .strategy = FL_STRAT_REPLAY, .schedule = h.schedule };
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

    fl_sched_opts r = { .strategy = FL_STRAT_RR };
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
    fl_sched_opts o = { .strategy = FL_STRAT_RANDOM };
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
    fl_sched_opts o = { .strategy = FL_STRAT_RANDOM, .seed = 3, .step_budget = 1000 };
    fl_sched_result res;
    run_ok(&o, livelock_main, &s, &res);
    assert_int_equal(res.status, FL_SCHED_BUDGET);
    assert_int_equal(res.steps, 1000);
    assert_non_null(strstr(res.report, "step budget exhausted"));
    assert_non_null(strstr(res.report, "thread 1 \"spinner\": runnable"));
    assert_int_equal(res.live_allocs, 1);
    /* the schedule of a budget run replays to the same budget end */
    fl_sched_opts r = { .strategy = FL_STRAT_REPLAY, .schedule = res.schedule };
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
    fl_sched_opts o = { .strategy = FL_STRAT_PCT, .seed = 9 };
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

/* ---- determinism and replay ---------------------------------------------------------- */

typedef struct counter {
    sv_mutex m;
    int n;
} counter;

static void *incr(void *p)
{
    counter *c = p;
    for (int i = 0; i < 3; i++) {
        sv_mutex_lock(&c->m);
        c->n++;
        sv_mutex_unlock(&c->m);
        sv_yield();
    }
    return NULL;
}

static void small_main(void *arg)
{
    counter *c = arg;
    sv_mutex_init(&c->m);
    c->n = 0;
    sv_thread *t[3];
    for (int i = 0; i < 3; i++) assert_int_equal(sv_thread_create(&t[i], incr, c, "incr"), 0);
    for (int i = 0; i < 3; i++) sv_thread_join(t[i], SV_FOREVER);
    sv_mutex_destroy(&c->m);
}

static void test_same_seed_same_run(void **st)
{
    (void)st;
    for (int strat = 0; strat < 3; strat++) {
        counter c;
        fl_sched_opts o = { .strategy = (fl_strategy)strat, .seed = 42, .depth = 3, .trace = true };
        fl_sched_result a, b;
        run_ok(&o, small_main, &c, &a);
        assert_int_equal(c.n, 9);
        run_ok(&o, small_main, &c, &b);
        assert_string_equal(a.schedule, b.schedule);
        assert_non_null(a.trace);
        assert_string_equal(a.trace, b.trace);
        assert_true(a.steps == b.steps && a.preemptions == b.preemptions);
        /* replay: same choices, byte-identical trace */
        fl_sched_opts r = { .strategy = FL_STRAT_REPLAY, .schedule = a.schedule, .trace = true };
        fl_sched_result p;
        run_ok(&r, small_main, &c, &p);
        assert_int_equal(p.status, FL_SCHED_OK);
        assert_string_equal(p.schedule, a.schedule);
        assert_string_equal(p.trace, a.trace);
        fl_sched_result_free(&p);
        fl_sched_result_free(&a);
        fl_sched_result_free(&b);
    }
}

static void test_different_seeds_differ(void **st)
{
    (void)st;
    for (int strat = 0; strat < 2; strat++) {
        char *seen[20];
        int distinct = 0;
        for (uint64_t seed = 0; seed < 20; seed++) {
            counter c;
            fl_sched_opts o = { .strategy = strat ? FL_STRAT_PCT : FL_STRAT_RANDOM, .seed = seed, .depth = 3,
                                .pct_k = 40 };
            fl_sched_result res;
            run_ok(&o, small_main, &c, &res);
            /* compare the choices only: the seed is in the header */
            const char *q = res.schedule;
            for (int dots = 0; dots < 6; dots++) q = strchr(q, '.') + 1;
            char *choices = strdup(q);
            bool dup = false;
            for (int i = 0; i < distinct; i++) dup |= strcmp(seen[i], choices) == 0;
            if (dup) free(choices);
            else seen[distinct++] = choices;
            fl_sched_result_free(&res);
        }
        /* 20 seeds: random gives 20 different interleavings, pct at least 15 */
        if (distinct < (strat ? 15 : 20)) fail_msg("%s: only %d distinct schedules in 20 seeds", strat ? "pct" : "random", distinct);
        for (int i = 0; i < distinct; i++) free(seen[i]);
    }
}

static void other_main(void *arg)
{
    (void)arg;
    sv_thread *t;
    counter c;
    sv_mutex_init(&c.m);
    assert_int_equal(sv_thread_create(&t, incr, &c, "incr"), 0);
    sv_thread_join(t, SV_FOREVER);
    sv_mutex_destroy(&c.m);
}

static void test_replay_divergence_is_reported(void **st)
{
    (void)st;
    counter c;
    fl_sched_opts o = { .strategy = FL_STRAT_RANDOM, .seed = 7 };
    fl_sched_result a;
    run_ok(&o, small_main, &c, &a);
    /* the program changed: a thread the record names does not exist */
    fl_sched_opts r = { .strategy = FL_STRAT_REPLAY, .schedule = a.schedule };
    fl_sched_result d;
    run_ok(&r, other_main, NULL, &d);
    assert_int_equal(d.status, FL_SCHED_DIVERGED);
    assert_non_null(strstr(d.report, "replay diverged at step"));
    assert_non_null(strstr(d.report, "is recorded for thread"));
    fl_sched_result_free(&d);

    /* the record ends early: cut the last run off */
    fl_schedule sc;
    assert_int_equal(fl_schedule_parse(a.schedule, &sc, NULL, 0), 0);
    sc.nruns--;
    char *cut = fl_schedule_format(&sc);
    r.schedule = cut;
    run_ok(&r, small_main, &c, &d);
    assert_int_equal(d.status, FL_SCHED_DIVERGED);
    assert_non_null(strstr(d.report, "the program continues past the"));
    fl_sched_result_free(&d);
    free(cut);

    /* the record is longer than the run */
    sc.nruns++;
    sc.runs[sc.nruns - 1].len += 5;
    char *longer = fl_schedule_format(&sc);
    r.schedule = longer;
    run_ok(&r, small_main, &c, &d);
    assert_int_equal(d.status, FL_SCHED_DIVERGED);
    assert_non_null(strstr(d.report, "but the schedule records"));
    fl_sched_result_free(&d);
    free(longer);

    /* recorded end status differs */
    sc.runs[sc.nruns - 1].len -= 5;
    sc.end = FL_SCHED_DEADLOCK;
    char *dl = fl_schedule_format(&sc);
    r.schedule = dl;
    run_ok(&r, small_main, &c, &d);
    assert_int_equal(d.status, FL_SCHED_DIVERGED);
    assert_non_null(strstr(d.report, "the run ended with ok, the recorded run with deadlock"));
    fl_sched_result_free(&d);
    free(dl);
    fl_schedule_free(&sc);
    fl_sched_result_free(&a);
}

/* ---- options, identity, nesting ---------------------------------------------------------- */

static void nop_main(void *arg) { (void)arg; }

static void test_bad_options(void **st)
{
    (void)st;
    fl_sched_result res;
    fl_sched_opts o = { .strategy = FL_STRAT_REPLAY, .schedule = "fl1:pct.h.3.34.0.2.0x" };
    assert_int_equal(fl_sched_run(&o, nop_main, NULL, &res), -EINVAL);
    assert_non_null(res.report);
    assert_non_null(strstr(res.report, "schedule:1:21: "));
    fl_sched_result_free(&res);
    o.schedule = NULL;
    assert_int_equal(fl_sched_run(&o, nop_main, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    fl_sched_opts p = { .strategy = FL_STRAT_PCT, .depth = 100 };
    assert_int_equal(fl_sched_run(&p, nop_main, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    fl_sched_opts q = { .strategy = FL_STRAT_DFS };
    assert_int_equal(fl_sched_run(&q, nop_main, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    assert_int_equal(fl_sched_run(&q, NULL, NULL, &res), -EINVAL);
    fl_sched_result_free(&res);
    /* an empty program: no steps, ok */
    fl_sched_opts z = { .strategy = FL_STRAT_RANDOM };
    run_ok(&z, nop_main, NULL, &res);
    assert_int_equal(res.status, FL_SCHED_OK);
    assert_int_equal(res.steps, 0);
    fl_sched_result_free(&res);
    fl_sched_result_free(NULL);
}

static void *who(void *p)
{
    *(int *)p = fl_sched_current();
    fl_yield();
    return NULL;
}

static void nested_main(void *arg)
{
    int *ids = arg;
    ids[0] = fl_sched_current();
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, who, &ids[1], NULL), 0);
    sv_thread_join(t, SV_FOREVER);
    fl_sched_opts o = { .strategy = FL_STRAT_RR };
    fl_sched_result res;
    ids[2] = fl_sched_run(&o, nop_main, NULL, &res);
    fl_sched_result_free(&res);
}

static void test_identity_and_nesting(void **st)
{
    (void)st;
    int ids[3] = { -9, -9, -9 };
    assert_int_equal(fl_sched_current(), -1);
    fl_sched_opts o = { .strategy = FL_STRAT_RANDOM };
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
            fl_sched_opts o = { .strategy = FL_STRAT_FREE, .seed = seed };
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
        cmocka_unit_test(test_sleep_costs_no_real_time),
        cmocka_unit_test(test_timeouts_fire_in_deadline_order),
        cmocka_unit_test(test_mixed_timed_and_untimed_waits),
        cmocka_unit_test(test_one_second_poll_costs_microseconds),
        cmocka_unit_test(test_join_timeout),
        cmocka_unit_test(test_deadlock_reports),
        cmocka_unit_test(test_deadlock_futex_and_memory),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_leaked_threads_killed),
        cmocka_unit_test(test_same_seed_same_run),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_replay_divergence_is_reported),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_identity_and_nesting),
        cmocka_unit_test(test_free_mode),
    };
    return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
