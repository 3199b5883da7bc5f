/*
 * test_sched_replay.c — the determinism contract of the controlled
 * platform: the same seed gives the same schedule and a byte-identical
 * trace, and replays to it; different seeds give different interleavings;
 * a replay that diverges from its record says where and how.
 */
#include "sched_util.h"
#include "sched/fl_sched.h"

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
        fl_sched_opts o = { .strategy = (fl_sched_strategy)strat, .seed = 42, .depth = 3, .trace = true };
        fl_sched_result a, b;
        run_ok(&o, small_main, &c, &a);
        assert_int_equal(c.n, 9);
        run_ok(&o, small_main, &c, &b);
        assert_string_equal(a.schedule, b.schedule);
        assert_non_null(a.trace);
        assert_string_equal(a.trace, b.trace);
        assert_true(a.steps == b.steps && a.preemptions == b.preemptions);
        /* replay: same choices, byte-identical trace */
        fl_sched_opts r = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = a.schedule, .trace = true };
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
            fl_sched_opts o = { .strategy = strat ? FL_SCHED_STRAT_PCT : FL_SCHED_STRAT_RANDOM, .seed = seed, .depth = 3,
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

/* Replaying the schedule sc against small_main diverges, with a report
 * that contains `why`. */
static void expect_diverged(const fl_sched_schedule *sc, counter *c, const char *why)
{
    char *text = fl_sched_schedule_format(sc);
    fl_sched_opts r = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = text };
    fl_sched_result d;
    run_ok(&r, small_main, c, &d);
    assert_int_equal(d.status, FL_SCHED_DIVERGED);
    assert_non_null(strstr(d.report, why));
    fl_sched_result_free(&d);
    free(text);
}

static void test_replay_divergence_is_reported(void **st)
{
    (void)st;
    counter c;
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RANDOM, .seed = 7 };
    fl_sched_result a;
    run_ok(&o, small_main, &c, &a);
    /* the program changed: a thread the record names does not exist */
    fl_sched_opts r = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = a.schedule };
    fl_sched_result d;
    run_ok(&r, other_main, NULL, &d);
    assert_int_equal(d.status, FL_SCHED_DIVERGED);
    assert_non_null(strstr(d.report, "replay diverged at step"));
    assert_non_null(strstr(d.report, "is recorded for thread"));
    fl_sched_result_free(&d);

    /* the record ends early: cut the last run off */
    fl_sched_schedule sc;
    assert_int_equal(fl_sched_schedule_parse(a.schedule, &sc, NULL, 0), 0);
    sc.nruns--;
    expect_diverged(&sc, &c, "the program continues past the");

    /* the record is longer than the run */
    sc.nruns++;
    sc.runs[sc.nruns - 1].len += 5;
    expect_diverged(&sc, &c, "but the schedule records");

    /* recorded end status differs */
    sc.runs[sc.nruns - 1].len -= 5;
    sc.end = FL_SCHED_DEADLOCK;
    expect_diverged(&sc, &c, "the run ended with ok, the recorded run with deadlock");
    fl_sched_schedule_free(&sc);
    fl_sched_result_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_run),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_replay_divergence_is_reported),
    };
    return cmocka_run_group_tests_name("sched_replay", tests, NULL, NULL);
}
