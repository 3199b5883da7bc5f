/*
 * test_planted.c — the planted bugs are found, replayed and shrunk:
 *  - random and pct find every one within the stated number of seeds;
 *  - the printed schedule replays the same failure 100 times out of 100;
 *  - shrink gives a schedule no longer than the input that still fails;
 *  - bounded exhaustive search finds each at the least preemption bound it
 *    needs and proves the corrected twins clean within bound 2.
 * Seeds are deterministic: the counts below are what this code does, with
 * margin for future changes of the programs' step counts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "explore/fl_explore.h"
#include "planted/fl_planted.h"
#include "sched/fl_sched.h"

static const char *const bugs[] = { "lost_update", "lock_order", "missed_wakeup", "early_restart" };
#define NBUGS (sizeof bugs / sizeof bugs[0])

/* Hunt from several starting seeds; every hunt must succeed within max. */
static void expect_found(const char *name, fl_sched_strategy s, uint32_t depth, uint32_t max)
{
    const fl_planted *p = fl_planted_find(name);
    assert_non_null(p);
    for (uint64_t seed0 = 0; seed0 < 3000; seed0 += 1000) {
        fl_planted_hunt h;
        assert_int_equal(fl_planted_hunt_run(p, s, depth, seed0, max, &h), 0);
        if (!h.found)
            fail_msg("%s d=%u did not find %s within %u seeds from seed %llu", fl_sched_strategy_name(s), depth, name, max,
                     (unsigned long long)seed0);
        assert_int_equal(h.status, p->deadlock ? FL_SCHED_DEADLOCK : FL_SCHED_OK);
        assert_non_null(h.schedule);
        free(h.schedule);
    }
}

/* random finds each planted bug within 30 seeds */
static void test_random_finds_all_within_30_seeds(void **st)
{
    (void)st;
    for (size_t i = 0; i < NBUGS; i++) expect_found(bugs[i], FL_SCHED_STRAT_RANDOM, 0, 30);
}

/* pct d=2 finds each planted bug within 50 seeds */
static void test_pct_d2_finds_all_within_50_seeds(void **st)
{
    (void)st;
    for (size_t i = 0; i < NBUGS; i++) expect_found(bugs[i], FL_SCHED_STRAT_PCT, 2, 50);
}

/* pct d=3 finds each planted bug within 40 seeds */
static void test_pct_d3_finds_all_within_40_seeds(void **st)
{
    (void)st;
    for (size_t i = 0; i < NBUGS; i++) expect_found(bugs[i], FL_SCHED_STRAT_PCT, 3, 40);
}

/* The corrected twins never fail: 100 seeds of random and of pct each. */
static void test_twins_never_fail(void **st)
{
    (void)st;
    size_t n;
    const fl_planted *all = fl_planted_list(&n);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        if (all[i].buggy) continue;
        for (int s = 0; s < 2; s++) {
            fl_planted_hunt h;
            assert_int_equal(fl_planted_hunt_run(&all[i], s ? FL_SCHED_STRAT_PCT : FL_SCHED_STRAT_RANDOM, 3, 0, 100, &h), 0);
            if (h.found) fail_msg("%s failed at seed %llu: %s", all[i].name, (unsigned long long)h.seed, h.schedule);
            assert_int_equal(h.runs, 100);
        }
    }
    assert_null(fl_planted_find("no_such_program"));
    assert_null(fl_planted_find(NULL));
}

/* The schedule a failing run prints replays the same failure 100/100. */
static void test_schedule_replays_failure_100_of_100(void **st)
{
    (void)st;
    for (size_t i = 0; i < NBUGS; i++) {
        const fl_planted *p = fl_planted_find(bugs[i]);
        fl_planted_hunt h;
        assert_int_equal(fl_planted_hunt_run(p, FL_SCHED_STRAT_PCT, 2, 0, 50, &h), 0);
        assert_true(h.found);
        char *trace0 = NULL;
        for (int k = 0; k < 100; k++) {
            fl_sched_opts o = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = h.schedule, .trace = true };
            fl_sched_result res;
            int f = fl_planted_run(p, &o, &res);
            if (f != 1) fail_msg("%s: replay %d of %s did not fail (status %s)", bugs[i], k, h.schedule,
                                 fl_sched_status_name(res.status));
            assert_int_equal(res.status, h.status);
            assert_string_equal(res.schedule, h.schedule);
            if (!trace0) trace0 = strdup(res.trace);
            else assert_string_equal(res.trace, trace0);
            fl_sched_result_free(&res);
        }
        free(trace0);
        free(h.schedule);
    }
}

typedef struct same_way {
    const fl_planted *p;
    fl_sched_status status;
} same_way;

/* The shrink callback: replay and fail the same way (same status, and the
 * program's own assertion for non-deadlock bugs). */
static int fails_same_way(const char *cand, void *ud)
{
    same_way *w = ud;
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = cand };
    fl_sched_result res;
    int f = fl_planted_run(w->p, &o, &res);
    if (f < 0) {
        fl_sched_result_free(&res);
        return f;
    }
    f = f == 1 && res.status == w->status;
    fl_sched_result_free(&res);
    return f;
}

static void test_shrink_no_longer_and_still_fails(void **st)
{
    (void)st;
    for (size_t i = 0; i < NBUGS; i++) {
        const fl_planted *p = fl_planted_find(bugs[i]);
        fl_planted_hunt h;
        assert_int_equal(fl_planted_hunt_run(p, FL_SCHED_STRAT_RANDOM, 0, 100, 50, &h), 0);
        assert_true(h.found);
        same_way w = { p, h.status };
        fl_explore_shrink_result sr;
        char err[200];
        int rc = fl_explore_shrink(h.schedule, fails_same_way, &w, NULL, &sr, err, sizeof err);
        if (rc) fail_msg("shrink %s: %d %s", bugs[i], rc, err);
        printf("  %-14s %zu -> %zu chars, %llu -> %llu steps, %llu -> %llu preemptions (%u runs)\n", bugs[i],
               sr.len_before, sr.len_after, (unsigned long long)sr.steps_before, (unsigned long long)sr.steps_after,
               (unsigned long long)sr.preempt_before, (unsigned long long)sr.preempt_after, sr.runs);
        assert_true(strlen(sr.schedule) <= strlen(h.schedule));
        assert_int_equal(sr.len_before, strlen(h.schedule));
        assert_int_equal(sr.len_after, strlen(sr.schedule));
        assert_true(sr.preempt_after <= sr.preempt_before);
        assert_true(sr.preempt_after < sr.preempt_before || sr.steps_after <= sr.steps_before);
        assert_true(sr.strict);
        /* the planted bugs need at most 2 preemptions; random found them with more */
        assert_true(sr.preempt_after <= 2);
        assert_true(sr.preempt_before > sr.preempt_after);
        for (int k = 0; k < 10; k++) assert_int_equal(fails_same_way(sr.schedule, &w), 1);
        /* shrinking the result again cannot make it longer */
        fl_explore_shrink_result again;
        assert_int_equal(fl_explore_shrink(sr.schedule, fails_same_way, &w, NULL, &again, err, sizeof err), 0);
        assert_true(again.len_after <= sr.len_after);
        fl_explore_shrink_result_free(&again);
        fl_explore_shrink_result_free(&sr);
        free(h.schedule);
    }
}

static void test_shrink_rejects_bad_input(void **st)
{
    (void)st;
    same_way w = { fl_planted_find("lost_update_ok"), FL_SCHED_OK };
    fl_explore_shrink_result sr;
    char err[200];
    assert_int_equal(fl_explore_shrink("fl1:garbage", fails_same_way, &w, NULL, &sr, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "schedule:1:5: unknown strategy 'garbage'"));
    assert_null(sr.schedule);
    /* a schedule that does not fail */
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RANDOM, .seed = 1 };
    fl_sched_result res;
    assert_int_equal(fl_planted_run(w.p, &o, &res), 0);
    assert_int_equal(fl_explore_shrink(res.schedule, fails_same_way, &w, NULL, &sr, err, sizeof err), -ESRCH);
    assert_non_null(strstr(err, "does not fail"));
    fl_sched_result_free(&res);
}

/* Exhaustive search: no bug at bound 0 except the missed wake-up (which a
 * plain sequential order shows), every bug at bound 1, twins clean at 2. */
static void test_explore(void **st)
{
    (void)st;
    size_t n;
    const fl_planted *all = fl_planted_list(&n);
    for (size_t i = 0; i < n; i++) {
        fl_planted_ctx ctx = { &all[i], -1 };
        for (uint32_t bound = 0; bound <= 2; bound++) {
            if (all[i].buggy && bound == 2) continue;
            fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true };
            fl_explore_result er;
            char err[200];
            int rc = fl_explore_run(&eo, fl_planted_main, &ctx, fl_planted_check, &ctx, &er, err, sizeof err);
            if (rc) fail_msg("explore %s: %d %s", all[i].name, rc, err);
            assert_true(er.complete);
            assert_true(er.runs >= 1);
            bool expect_fail = all[i].buggy && (bound >= 1 || strcmp(all[i].name, "missed_wakeup") == 0);
            if (expect_fail != (er.failures > 0))
                fail_msg("explore %s bound %u: %llu failures in %llu runs", all[i].name, bound,
                         (unsigned long long)er.failures, (unsigned long long)er.runs);
            if (er.first_failure) {
                /* the reported schedule replays the failure */
                fl_sched_opts o = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = er.first_failure };
                fl_sched_result res;
                assert_int_equal(fl_planted_run(&all[i], &o, &res), 1);
                assert_int_equal(strncmp(er.first_failure, "fl1:dfs.", 8), 0);
                assert_true(res.preemptions <= bound);
                fl_sched_result_free(&res);
            }
            fl_explore_result_free(&er);
        }
    }
    /* stopping at the first failure leaves the search incomplete */
    fl_planted_ctx ctx = { fl_planted_find("lost_update"), -1 };
    fl_explore_opts eo = { .preemption_bound = 2 };
    fl_explore_result er;
    assert_int_equal(fl_explore_run(&eo, fl_planted_main, &ctx, fl_planted_check, &ctx, &er, NULL, 0), 0);
    assert_int_equal(er.failures, 1);
    assert_false(er.complete);
    fl_explore_result_free(&er);
    /* a run budget ends it incomplete too */
    fl_planted_ctx ok = { fl_planted_find("lost_update_ok"), -1 };
    eo = (fl_explore_opts){ .preemption_bound = 2, .max_runs = 5, .keep_going = true };
    assert_int_equal(fl_explore_run(&eo, fl_planted_main, &ok, fl_planted_check, &ok, &er, NULL, 0), 0);
    assert_int_equal(er.runs, 5);
    assert_false(er.complete);
    fl_explore_result_free(&er);
}

static void test_worker_adapter(void **st)
{
    (void)st;
    /* under POSIX the twin runs for real and passes */
    assert_int_equal(fl_planted_worker(NULL, (void *)fl_planted_find("early_restart_ok")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_finds_all_within_30_seeds),
        cmocka_unit_test(test_pct_d2_finds_all_within_50_seeds),
        cmocka_unit_test(test_pct_d3_finds_all_within_40_seeds),
        cmocka_unit_test(test_twins_never_fail),
        cmocka_unit_test(test_schedule_replays_failure_100_of_100),
        cmocka_unit_test(test_shrink_no_longer_and_still_fails),
        cmocka_unit_test(test_shrink_rejects_bad_input),
        cmocka_unit_test(test_explore),
        cmocka_unit_test(test_worker_adapter),
    };
    return cmocka_run_group_tests_name("planted", tests, NULL, NULL);
}
