/*
 * test_explore_reduce.c — explore's sleep-set reduction (fl_explore.h,
 * docs/scheduler.md "Reduction") against the unreduced search.
 *
 * For every program and bound 0, 1, 2, both searches run to completion
 * (keep_going) and record every outcome they saw: for the planted programs
 * (status, verdict); for the small programs below, the value main computes
 * from the order in which the threads did their work. The test holds:
 *   - both searches are complete;
 *   - the reduced one never runs more schedules, and runs strictly fewer on
 *     the programs built to have independent steps (if the reduction broke
 *     into a no-op, this fails);
 *   - the set of failing outcomes is the same (if the reduction pruned a
 *     schedule it must not, this fails), and for the small programs the set
 *     of all outcomes is the same.
 * One program ("late_swap") is the shape for which a naive sleep set under
 * a preemption bound is incomplete (docs/scheduler.md): the reduced search
 * must still see all of its outcomes at bound 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "explore/fl_explore.h"
#include "explore_util.h"
#include "planted/fl_planted.h"
#include "sched/fl_sched.h"
#include "sv_plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small seam programs ------------------------------------------------------ */

/* Shared by the programs; reset by main at the start of every run. */
static sv_mutex g_log_mu, g_own[4];
static long g_log;      /* base-5 digits: which thread logged, in order */
static long g_outcome;

static void log_me(long id)
{
    sv_mutex_lock(&g_log_mu);
    g_log = g_log * 5 + id;
    sv_mutex_unlock(&g_log_mu);
}

/* Each thread works on its own mutex twice, then logs once: most steps are
 * independent, the logs are not. */
static void *w_private(void *arg)
{
    long id = (long)(intptr_t)arg;
    for (int k = 0; k < 2; k++) {
        sv_mutex_lock(&g_own[id]);
        sv_mutex_unlock(&g_own[id]);
    }
    log_me(id);
    return NULL;
}

static void main_private3(void *arg)
{
    (void)arg;
    g_log = 0;
    sv_mutex_init(&g_log_mu);
    sv_thread *t[3];
    for (long i = 1; i <= 3; i++) sv_mutex_init(&g_own[i]);
    for (long i = 0; i < 3; i++) sv_thread_create(&t[i], w_private, (void *)(intptr_t)(i + 1), "w");
    for (int i = 0; i < 3; i++) sv_thread_join(t[i], SV_FOREVER);
    g_outcome = g_log;
}

/* A works on its own mutex, then logs; B only logs. Moving A's private step
 * before B's log is independent, but can cost a preemption more — the case
 * that breaks a naive sleep set under a bound. */
static void *w_late_a(void *arg)
{
    (void)arg;
    sv_mutex_lock(&g_own[0]);
    sv_mutex_unlock(&g_own[0]);
    log_me(1);
    log_me(1);
    return NULL;
}

static void *w_late_b(void *arg)
{
    (void)arg;
    log_me(2);
    return NULL;
}

static void main_late_swap(void *arg)
{
    (void)arg;
    g_log = 0;
    sv_mutex_init(&g_log_mu);
    sv_mutex_init(&g_own[0]);
    sv_thread *a, *b;
    sv_thread_create(&a, w_late_a, NULL, "a");
    sv_thread_create(&b, w_late_b, NULL, "b");
    sv_thread_join(a, SV_FOREVER);
    sv_thread_join(b, SV_FOREVER);
    g_outcome = g_log;
}

/* A lost update between two of three threads; the third is independent. */
static long g_counter;
static void *w_inc(void *arg)
{
    (void)arg;
    sv_mutex_lock(&g_log_mu);
    long v = g_counter;
    sv_mutex_unlock(&g_log_mu);
    sv_mutex_lock(&g_log_mu);
    g_counter = v + 1;
    sv_mutex_unlock(&g_log_mu);
    return NULL;
}

static void main_lost3(void *arg)
{
    (void)arg;
    g_counter = 0;
    g_log = 0;
    sv_mutex_init(&g_log_mu);
    sv_mutex_init(&g_own[2]);
    sv_thread *t[3];
    sv_thread_create(&t[0], w_inc, NULL, "i1");
    sv_thread_create(&t[1], w_inc, NULL, "i2");
    sv_thread_create(&t[2], w_private, (void *)(intptr_t)2, "p");
    for (int i = 0; i < 3; i++) sv_thread_join(t[i], SV_FOREVER);
    g_outcome = g_counter * 1000 + g_log;
}

/* Plain memory seen as instrumented code sees it (inst/: a light point
 * before each access, naming the variable): each thread works on its own
 * variable, then read-modify-writes the shared one. The private steps are
 * independent; the shared loads and stores are not, and an unnamed access
 * (no key in the footprint) would let the reduction commute them and lose
 * the outcomes of a lost update. */
static long g_var[4];
static void *w_vars(void *arg)
{
    long id = (long)(intptr_t)arg;
    for (int k = 0; k < 2; k++) {
        fl_sched_point_light("store", "own", (uint32_t)(10 + id));
        g_var[id]++;
    }
    fl_sched_point_light("load", "x", 1);
    long v = g_log;
    fl_sched_point_light("store", "x", 1);
    g_log = v * 5 + id;
    return NULL;
}

static void main_vars3(void *arg)
{
    (void)arg;
    g_log = 0;
    memset(g_var, 0, sizeof g_var);
    sv_thread *t[3];
    for (long i = 0; i < 3; i++) sv_thread_create(&t[i], w_vars, (void *)(intptr_t)(i + 1), "v");
    for (int i = 0; i < 3; i++) sv_thread_join(t[i], SV_FOREVER);
    g_outcome = g_log;
}

/* Symmetry (fl_sched_opts.symmetric): three identical incrementers (one
 * class: same routine, same argument, which the program treats alike) and
 * one that reads the counter (its own class). The outcome — the counter and
 * what the reader saw — must be the same set with symmetry as without. */
static void *w_peek(void *arg)
{
    (void)arg;
    sv_mutex_lock(&g_log_mu);
    g_log = g_counter;
    sv_mutex_unlock(&g_log_mu);
    return NULL;
}

static void main_sym(void *arg)
{
    (void)arg;
    g_counter = 0;
    g_log = 0;
    sv_mutex_init(&g_log_mu);
    sv_thread *t[4];
    for (int i = 0; i < 3; i++) {
        fl_sched_next_thread_class(1);
        sv_thread_create(&t[i], w_inc, NULL, "i");
    }
    fl_sched_next_thread_class(2);
    sv_thread_create(&t[3], w_peek, NULL, "p");
    for (int i = 0; i < 4; i++) sv_thread_join(t[i], SV_FOREVER);
    g_outcome = g_counter * 1000 + g_log;
}

typedef struct prog {
    const char *name;
    void (*main_fn)(void *);
    long bad;              /* outcome that counts as a failure */
    bool must_reduce;      /* bound >= 1 must run strictly fewer schedules */
} prog;

static const prog progs[] = {
    { "private3", main_private3, 1 * 25 + 2 * 5 + 3, true },
    { "late_swap", main_late_swap, 2 * 25 + 1 * 5 + 1, false },
    { "lost3", main_lost3, 1000 + 2, true },
    { "vars3", main_vars3, 3, true },
};

static int check_prog(void *ud, const fl_sched_result *res)
{
    const prog *p = ((void **)ud)[0];
    outset *o = ((void **)ud)[1];
    long v = res->status == FL_SCHED_OK ? g_outcome : -1 - (long)res->status;
    outset_add(o->v, &o->n, v);
    bool failed = v == p->bad || res->status != FL_SCHED_OK;
    if (failed) outset_add(o->fail, &o->nfail, v);
    return failed;
}

static void explore_prog(const prog *p, uint32_t bound, bool reduce, outset *o, fl_explore_result *r)
{
    memset(o, 0, sizeof *o);
    void *ud[2] = { (void *)p, o };
    fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true, .no_reduction = !reduce };
    char err[256] = "";
    int rc = fl_explore_run(&eo, p->main_fn, NULL, check_prog, ud, r, err, sizeof err);
    if (rc != 0) fail_msg("%s: explore %d: %s", p->name, rc, err);
    assert_true(r->complete);
    assert_int_equal(r->reduced, reduce);
}

static void test_small_programs_same_outcomes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
        for (uint32_t bound = 0; bound <= 2; bound++) {
            outset red, full;
            fl_explore_result rr, rf;
            explore_prog(&progs[i], bound, true, &red, &rr);
            explore_prog(&progs[i], bound, false, &full, &rf);
            assert_true(rr.runs <= rf.runs);
            if (progs[i].must_reduce && bound >= 1 && rr.runs >= rf.runs)
                fail_msg("%s, bound %u: reduction ran %llu schedules, unreduced %llu", progs[i].name, bound,
                         (unsigned long long)rr.runs, (unsigned long long)rf.runs);
            assert_same_set(red.v, red.n, full.v, full.n, "outcomes", progs[i].name, bound);
            assert_same_set(red.fail, red.nfail, full.fail, full.nfail, "failing outcomes", progs[i].name, bound);
            assert_int_equal(rr.failures > 0, rf.failures > 0);
            fl_explore_result_free(&rr);
            fl_explore_result_free(&rf);
        }
}

static void test_symmetry_same_outcomes(void **state)
{
    (void)state;
    const prog p = { "sym", main_sym, 2000 + 2, true };
    for (uint32_t bound = 0; bound <= 2; bound++) {
        outset o[2];
        fl_explore_result r[2];
        for (int sym = 0; sym < 2; sym++) {
            memset(&o[sym], 0, sizeof o[sym]);
            void *ud[2] = { (void *)&p, &o[sym] };
            fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true, .symmetric = sym };
            char err[256] = "";
            if (fl_explore_run(&eo, p.main_fn, NULL, check_prog, ud, &r[sym], err, sizeof err) != 0)
                fail_msg("sym: explore: %s", err);
            assert_true(r[sym].complete);
        }
        if (r[1].runs >= r[0].runs)
            fail_msg("sym, bound %u: %llu schedules with symmetry, %llu without", bound,
                     (unsigned long long)r[1].runs, (unsigned long long)r[0].runs);
        assert_same_set(o[1].v, o[1].n, o[0].v, o[0].n, "outcomes", "sym", bound);
        assert_same_set(o[1].fail, o[1].nfail, o[0].fail, o[0].nfail, "failing outcomes", "sym", bound);
        fl_explore_result_free(&r[0]);
        fl_explore_result_free(&r[1]);
    }
}

/* ---- the planted programs ----------------------------------------------------- */

typedef struct pl_ud {
    fl_planted_ctx ctx;
    outset *o;
} pl_ud;

static int check_planted(void *ud, const fl_sched_result *res)
{
    pl_ud *u = ud;
    int f = fl_planted_check(&u->ctx, res);
    if (f < 0) return f;
    long v = (long)res->status * 10 + (u->ctx.rc < 0 ? 9 : u->ctx.rc);
    outset_add(u->o->v, &u->o->n, v);
    if (f == 1) outset_add(u->o->fail, &u->o->nfail, v);
    u->ctx.rc = -1;
    return f;
}

static void test_planted_same_failures(void **state)
{
    (void)state;
    size_t n;
    const fl_planted *list = fl_planted_list(&n);
    uint64_t total_red = 0, total_full = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t bound = 0; bound <= 2; bound++) {
            outset red, full;
            fl_explore_result rr, rf;
            for (int reduce = 1; reduce >= 0; reduce--) {
                outset *o = reduce ? &red : &full;
                fl_explore_result *r = reduce ? &rr : &rf;
                memset(o, 0, sizeof *o);
                pl_ud u = { { &list[i], -1 }, o };
                fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true, .no_reduction = !reduce };
                char err[256] = "";
                int rc = fl_explore_run(&eo, fl_planted_main, &u.ctx, check_planted, &u, r, err, sizeof err);
                if (rc != 0) fail_msg("%s: explore %d: %s", list[i].name, rc, err);
                assert_true(r->complete);
            }
            assert_true(rr.runs <= rf.runs);
            total_red += rr.runs;
            total_full += rf.runs;
            assert_same_set(red.fail, red.nfail, full.fail, full.nfail, "failing outcomes", list[i].name, bound);
            assert_int_equal(rr.failures > 0, rf.failures > 0);
            if (!list[i].buggy) assert_int_equal(rr.failures, 0);
            fl_explore_result_free(&rr);
            fl_explore_result_free(&rf);
        }
    assert_true(total_red < total_full);
}

/* ---- footprints ------------------------------------------------------------------ */

static void *w_lock_own(void *arg)
{
    (void)arg;
    sv_mutex_lock(&g_own[1]);
    sv_mutex_unlock(&g_own[1]);
    sv_yield();
    return NULL;
}

static void main_fp(void *arg)
{
    (void)arg;
    sv_mutex_init(&g_own[0]);
    sv_mutex_init(&g_own[1]);
    sv_thread *t;
    sv_mutex_lock(&g_own[0]);
    sv_mutex_unlock(&g_own[0]);
    sv_thread_create(&t, w_lock_own, NULL, "w");
    sv_thread_join(t, SV_FOREVER);
}

static const fl_sched_opts rr_opts = { .strategy = FL_SCHED_STRAT_RR };

/* The hook names what each step touched: main's lock/unlock of m0, the
 * create of thread 1, the worker's m1, a global yield, the join. */
static void test_footprints_reported(void **state)
{
    (void)state;
    record_footprints(&rr_opts, main_fp);
    uint64_t m0 = FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_MUTEX, 0), m1 = FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_MUTEX, 1);
    uint64_t t1 = FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_THREAD, 1);
    bool seen_m0 = false, seen_m1_w = false, seen_create = false, seen_global_w = false;
    for (int i = 0; i < nfps; i++)
        for (uint32_t k = 0; k < fps[i].n; k++) {
            seen_m0 |= fp_cur[i] == 0 && fps[i].key[k] == m0;
            seen_m1_w |= fp_cur[i] == 1 && fps[i].key[k] == m1;
            seen_create |= fp_cur[i] == 0 && fps[i].key[k] == t1;
        }
    for (int i = 0; i < nfps; i++) seen_global_w |= fp_cur[i] == 1 && fps[i].global;
    assert_true(seen_m0 && seen_m1_w && seen_create && seen_global_w);
    fl_sched_footprint a = { .n = 1, .key = { m0 } }, b = { .n = 1, .key = { m1 } }, g = { .global = true };
    assert_true(fl_sched_footprint_independent(&a, &b));
    assert_false(fl_sched_footprint_independent(&a, &a));
    assert_false(fl_sched_footprint_independent(&a, &g));
}

/* Instrumented accesses name their variable: the transition that begins at
 * a light point (the access follows it) carries the variable's key, and an
 * access made without a point (fl_sched_touch_var) counts too. */
static void *w_light(void *arg)
{
    (void)arg;
    fl_sched_touch_var(7);
    fl_sched_point_light("load", "v3", 3);
    g_var[0]++;
    sv_mutex_lock(&g_own[1]);
    sv_mutex_unlock(&g_own[1]);
    return NULL;
}

static void main_light(void *arg)
{
    (void)arg;
    sv_mutex_init(&g_own[1]);
    sv_thread *t;
    sv_thread_create(&t, w_light, NULL, "w");
    sv_thread_join(t, SV_FOREVER);
}

static void test_light_points_name_their_variable(void **state)
{
    (void)state;
    record_footprints(&rr_opts, main_light);
    uint64_t v3 = FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_VAR, 3), v7 = FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_VAR, 7);
    uint64_t m1 = FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_MUTEX, 0);
    bool v7_ends = false, v3_with_m1 = false;
    for (int i = 0; i < nfps; i++) {
        if (fp_cur[i] != 1 || fps[i].global) continue;
        bool h3 = false, h7 = false, hm = false;
        for (uint32_t k = 0; k < fps[i].n; k++) {
            h3 |= fps[i].key[k] == v3;
            h7 |= fps[i].key[k] == v7;
            hm |= fps[i].key[k] == m1;
        }
        v7_ends |= h7 && h3;    /* the transition that stops at the point */
        v3_with_m1 |= h3 && hm; /* the one from the point to the lock */
    }
    assert_true(v7_ends);
    assert_true(v3_with_m1);
}

/* ---- shrink reaches the minimum ------------------------------------------------ */

static int shrink_fails(const char *candidate, void *ud)
{
    const fl_planted *p = ud;
    fl_sched_opts so = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = candidate };
    fl_sched_result res;
    int rc = fl_planted_run(p, &so, &res);
    fl_sched_result_free(&res);
    return rc < 0 ? rc : rc == 1;
}

/* Fewest preemptions a failure of p needs, by complete unreduced DFS. */
static uint32_t min_preemptions(const fl_planted *p)
{
    for (uint32_t b = 0; b <= 3; b++) {
        fl_planted_ctx ctx = { p, -1 };
        fl_explore_opts eo = { .preemption_bound = b, .no_reduction = true };
        fl_explore_result r;
        assert_int_equal(fl_explore_run(&eo, fl_planted_main, &ctx, fl_planted_check, &ctx, &r, NULL, 0), 0);
        bool found = r.failures > 0;
        fl_explore_result_free(&r);
        if (found) return b;
    }
    fail_msg("%s: no failure within 3 preemptions", p->name);
    return 0;
}

/* A random failing schedule (several preemptions) shrinks to exactly the
 * minimum DFS proves, and says it is proven. */
static void test_shrink_reaches_minimum(void **state)
{
    (void)state;
    size_t n;
    const fl_planted *list = fl_planted_list(&n);
    for (size_t i = 0; i < n; i++) {
        if (!list[i].buggy) continue;
        uint32_t want = min_preemptions(&list[i]);
        fl_planted_hunt h;
        assert_int_equal(fl_planted_hunt_run(&list[i], FL_SCHED_STRAT_RANDOM, 0, 11, 500, &h), 0);
        assert_true(h.found);
        fl_explore_shrink_result sr;
        char err[256] = "";
        int rc = fl_explore_shrink(h.schedule, shrink_fails, (void *)&list[i], NULL, &sr, err, sizeof err);
        if (rc != 0) fail_msg("%s: shrink %d: %s", list[i].name, rc, err);
        if (sr.preempt_after != want || !sr.min_proven)
            fail_msg("%s: shrink left %llu preemptions (proven %d, stopped early %d), the minimum is %u",
                     list[i].name, (unsigned long long)sr.preempt_after, sr.min_proven, sr.stopped_early, want);
        assert_true(sr.len_after <= sr.len_before);
        assert_int_equal(shrink_fails(sr.schedule, (void *)&list[i]), 1);
        fl_explore_shrink_result_free(&sr);
        free(h.schedule);
    }
}

/* A run cap too small for the search: the shrink says it stopped early. */
static void test_shrink_says_stopped_early(void **state)
{
    (void)state;
    const fl_planted *p = fl_planted_find("early_restart");
    assert_non_null(p);
    fl_planted_hunt h;
    assert_int_equal(fl_planted_hunt_run(p, FL_SCHED_STRAT_RANDOM, 0, 11, 500, &h), 0);
    assert_true(h.found);
    fl_explore_shrink_opts so = { .max_runs = 40 };
    fl_explore_shrink_result sr;
    assert_int_equal(fl_explore_shrink(h.schedule, shrink_fails, (void *)p, &so, &sr, NULL, 0), 0);
    assert_true(sr.runs <= 41);
    if (sr.preempt_after > 0) assert_true(sr.min_proven || sr.stopped_early || sr.runs >= 40);
    fl_explore_shrink_result_free(&sr);
    free(h.schedule);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_footprints_reported),
        cmocka_unit_test(test_small_programs_same_outcomes),
        cmocka_unit_test(test_light_points_name_their_variable),
        cmocka_unit_test(test_symmetry_same_outcomes),
        cmocka_unit_test(test_planted_same_failures),
        cmocka_unit_test(test_shrink_reaches_minimum),
        cmocka_unit_test(test_shrink_says_stopped_early),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
