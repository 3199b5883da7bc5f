/*
 * test_explore_clock.c — the virtual clock in explore's reduction
 * (docs/scheduler.md, "Reduction", "The clock is not an object").
 *
 * Without early timers the clock moves only when no thread can run, so a
 * transition that reads it (now, a sleep, a timed wait) adds nothing to its
 * footprint; with early timers it stays global; main's exit is global (the
 * grace after it counts steps). The test holds:
 *   - the footprints say so (a change that made clock reads global again,
 *     or dropped the early-timer case, fails here);
 *   - on programs whose threads read the clock and sleep, reduced and
 *     unreduced searches at bounds 0 and 1 are complete and see the same
 *     set of outcomes — the order of the threads' work and every clock
 *     value they read — and the same failing ones, and at bound >= 1 the
 *     reduced search runs strictly fewer schedules (a no-op reduction
 *     fails);
 *   - one of them ("race") is built so that the clock order matters: a
 *     timed wait whose deadline depends on the schedule (through a mutex
 *     held across a sleep) races with a signal sent at the same virtual
 *     instant; its outcomes (woken or timed out, the flag seen, the times)
 *     all appear in both searches;
 *   - another ("tie") is the shape in which swapping two sleeps changes
 *     which thread the clock's move finds "running", and so the preemption
 *     cost: without explore's rule for it, the reduced search loses an
 *     outcome at bound 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "explore/fl_explore.h"
#include "explore_util.h"
#include "sched/fl_sched.h"
#include "sv_plat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ll

/* ---- programs ------------------------------------------------------------------ */

/* Shared by the programs; reset by main at the start of every run. g_seen
 * folds in, in program order of each thread's slot, what the threads saw. */
static sv_mutex g_log_mu, g_own[4], g_m;
static sv_cond g_c;
static long g_log;           /* base-5 digits: which thread logged, in order */
static long g_seen[4][4];    /* per thread: clock values (ms) and results */
static int g_flag;
static long g_outcome;

static void log_me(long id)
{
    sv_mutex_lock(&g_log_mu);
    g_log = g_log * 5 + id;
    sv_mutex_unlock(&g_log_mu);
}

static long fold(void)
{
    unsigned long v = (unsigned long)g_log; /* wraps: a hash, not a number */
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++) v = v * 31 + (unsigned long)g_seen[i][k];
    return (long)v;
}

static void reset(void)
{
    g_log = 0;
    g_flag = 0;
    memset(g_seen, 0, sizeof g_seen);
    sv_mutex_init(&g_log_mu);
    for (int i = 0; i < 4; i++) sv_mutex_init(&g_own[i]);
}

/* Reads the clock, sleeps d ms from then, reads it again, works on its own
 * mutex, logs. Threads 1 and 2 sleep to the same deadline (a tie: their
 * logs come in either order), thread 3 wakes first. */
static void *w_sleeper(void *arg)
{
    long id = (long)(intptr_t)arg;
    static const long d[4] = { 0, 10, 10, 5 };
    int64_t t0 = sv_now();
    sv_sleep_until(t0 + d[id] * MS);
    int64_t t1 = sv_now();
    sv_mutex_lock(&g_own[id]);
    sv_mutex_unlock(&g_own[id]);
    g_seen[id][0] = (long)(t0 / MS);
    g_seen[id][1] = (long)(t1 / MS);
    g_seen[id][2] = (long)(sv_now() / MS);
    log_me(id);
    return NULL;
}

static void main_sleepers(void *arg)
{
    (void)arg;
    reset();
    sv_thread *t[3];
    for (long i = 0; i < 3; i++) sv_thread_create(&t[i], w_sleeper, (void *)(intptr_t)(i + 1), "s");
    for (int i = 0; i < 3; i++) sv_thread_join(t[i], SV_FOREVER);
    g_outcome = fold();
}

/* Holds g_m across a 5 ms sleep: a waiter that locks g_m after it starts
 * its wait at 5 ms instead of 0. */
static void *w_holder(void *arg)
{
    (void)arg;
    sv_mutex_lock(&g_m);
    sv_sleep_until(sv_now() + 5 * MS);
    sv_mutex_unlock(&g_m);
    return NULL;
}

/* Waits on g_c for g_flag with a deadline 10 ms from when it got g_m:
 * at 0 the deadline ties with the signaller's wake-up (a timeout, and the
 * flag seen depends on who takes g_m first), at 5 the signal comes first. */
static void *w_waiter(void *arg)
{
    (void)arg;
    sv_mutex_lock(&g_m);
    int64_t t0 = sv_now();
    int rc = 0;
    while (!g_flag && rc == 0) rc = sv_cond_wait(&g_c, &g_m, t0 + 10 * MS);
    g_seen[1][0] = (long)(t0 / MS);
    g_seen[1][1] = rc == -ETIMEDOUT;
    g_seen[1][2] = g_flag;
    g_seen[1][3] = (long)(sv_now() / MS);
    sv_mutex_unlock(&g_m);
    log_me(1);
    return NULL;
}

static void *w_signaller(void *arg)
{
    (void)arg;
    sv_sleep_until(10 * MS);
    sv_mutex_lock(&g_m);
    g_flag = 1;
    sv_cond_signal(&g_c);
    sv_mutex_unlock(&g_m);
    g_seen[2][0] = (long)(sv_now() / MS);
    log_me(2);
    return NULL;
}

/* Independent of the others: reads the clock around work on its own mutex. */
static void *w_reader(void *arg)
{
    (void)arg;
    int64_t a = sv_now();
    sv_mutex_lock(&g_own[3]);
    sv_mutex_unlock(&g_own[3]);
    g_seen[3][0] = (long)(a / MS);
    g_seen[3][1] = (long)(sv_now() / MS);
    return NULL;
}

static void main_race(void *arg)
{
    (void)arg;
    reset();
    sv_mutex_init(&g_m);
    sv_cond_init(&g_c);
    sv_thread *t[4];
    sv_thread_create(&t[0], w_holder, NULL, "h");
    sv_thread_create(&t[1], w_waiter, NULL, "w");
    sv_thread_create(&t[2], w_signaller, NULL, "s");
    sv_thread_create(&t[3], w_reader, NULL, "r");
    for (int i = 0; i < 4; i++) sv_thread_join(t[i], SV_FOREVER);
    sv_cond_destroy(&g_c);
    g_outcome = fold();
}

/* Two sleepers tie at 10 ms (w, q) while x sleeps to 20 ms, and the thread
 * that blocks last before the clock moves decides the preemption cost of
 * what follows: when it is w, w wakes with the tie and goes on for free,
 * so q first costs a preemption; when it is x (still asleep), q first is
 * free. Main holds a gate per thread so that at bound 0 the only choice
 * is the order of x's and w's sleeps; q's log coming first is reachable
 * at bound 0 only through w, x. A sleep set that let x sleep across w
 * (independent: no shared object) would skip that order and lose the
 * outcome: a thread asleep because its step blocks must wake at a step
 * that blocks until a deadline (docs/scheduler.md, "Reduction"). */
static sv_mutex g_gate[3];

static void *w_tie(void *arg)
{
    long id = (long)(intptr_t)arg; /* 1 x, 2 w, 3 q */
    static const long until[4] = { 0, 20, 10, 10 };
    if (id < 3) sv_mutex_lock(&g_gate[id]);
    sv_sleep_until(until[id] * MS);
    log_me(id);
    if (id < 3) sv_mutex_unlock(&g_gate[id]);
    return NULL;
}

static void main_tie(void *arg)
{
    (void)arg;
    reset();
    sv_mutex_init(&g_gate[1]);
    sv_mutex_init(&g_gate[2]);
    sv_mutex_lock(&g_gate[1]);
    sv_mutex_lock(&g_gate[2]);
    sv_thread *t[3];
    for (long i = 0; i < 3; i++) sv_thread_create(&t[i], w_tie, (void *)(intptr_t)(i + 1), "t");
    sv_sleep_until(5 * MS); /* x and w wait at their gates, q sleeps to 10 */
    sv_mutex_unlock(&g_gate[1]);
    sv_mutex_unlock(&g_gate[2]);
    for (int i = 0; i < 3; i++) sv_thread_join(t[i], SV_FOREVER);
    g_outcome = fold();
}

typedef struct prog {
    const char *name;
    void (*main_fn)(void *);
    int min_outcomes; /* distinct outcomes the unreduced search must see */
    unsigned kinds;   /* outset.kinds each search must see at bound >= 1 */
    uint32_t max_bound; /* kept small for the sanitizer builds (the race at
                           bound 2: 32,528 schedules unreduced) */
} prog;

static const prog progs[] = {
    { "sleepers", main_sleepers, 2, 0, 1 },
    { "race", main_race, 3, 7, 1 },
    { "tie", main_tie, 2, 0, 1 },
};

/* A failure, for the failing sets: the waiter timed out although it saw
 * the flag set (the signal lost the tie), or the run did not end OK. */
static int check_prog(void *ud, const fl_sched_result *res)
{
    outset *o = ud;
    long v = res->status == FL_SCHED_OK ? g_outcome : -1 - (long)res->status;
    outset_add(o->v, &o->n, v);
    bool failed = res->status != FL_SCHED_OK || (g_seen[1][1] == 1 && g_seen[1][2] == 1);
    if (failed) outset_add(o->fail, &o->nfail, v);
    if (res->status == FL_SCHED_OK) o->kinds |= g_seen[1][1] == 0 ? 1u : g_seen[1][2] == 0 ? 2u : 4u;
    return failed;
}

static void explore_prog(const prog *p, uint32_t bound, bool reduce, outset *o, fl_explore_result *r)
{
    memset(o, 0, sizeof *o);
    fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true, .no_reduction = !reduce };
    char err[256] = "";
    int rc = fl_explore_run(&eo, p->main_fn, NULL, check_prog, o, r, err, sizeof err);
    if (rc != 0) fail_msg("%s: explore %d: %s", p->name, rc, err);
    assert_true(r->complete);
}

static void test_clock_programs_same_outcomes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
        for (uint32_t bound = 0; bound <= progs[i].max_bound; bound++) {
            outset red, full;
            fl_explore_result rr, rf;
            explore_prog(&progs[i], bound, true, &red, &rr);
            explore_prog(&progs[i], bound, false, &full, &rf);
            if (rr.runs > rf.runs || (bound >= 1 && rr.runs >= rf.runs))
                fail_msg("%s, bound %u: reduction ran %llu schedules, unreduced %llu", progs[i].name, bound,
                         (unsigned long long)rr.runs, (unsigned long long)rf.runs);
            unsigned kinds = bound >= 1 ? progs[i].kinds : 0;
            if (full.n < progs[i].min_outcomes || (full.kinds & kinds) != kinds || (red.kinds & kinds) != kinds)
                fail_msg("%s, bound %u: %d outcomes, kinds %#x reduced, %#x unreduced (the program lost its race)",
                         progs[i].name, bound, full.n, red.kinds, full.kinds);
            if (getenv("FL_TEST_VERBOSE"))
                fprintf(stderr, "%s bound %u: %llu / %llu schedules, %d outcomes, %d failing\n", progs[i].name, bound,
                        (unsigned long long)rr.runs, (unsigned long long)rf.runs, full.n, full.nfail);
            assert_same_set(red.v, red.n, full.v, full.n, "outcomes", progs[i].name, bound);
            assert_same_set(red.fail, red.nfail, full.fail, full.nfail, "failing outcomes", progs[i].name, bound);
            fl_explore_result_free(&rr);
            fl_explore_result_free(&rf);
        }
}

/* ---- footprints ------------------------------------------------------------------ */

/* main returns while its thread still sleeps: main's exit is a step
 * (when main ends last, the run ends at it and no footprint is reported). */
static void *w_late(void *arg)
{
    (void)arg;
    sv_sleep_until(sv_now() + MS);
    (void)sv_now();
    return NULL;
}

static void main_leaves(void *arg)
{
    (void)arg;
    sv_thread *t;
    sv_thread_create(&t, w_late, NULL, "late");
    sv_thread_detach(t);
}

/* Without early timers no sleeper's transition is global, and main's last
 * one (its exit) is; with early timers (every seeded strategy: RANDOM, PCT,
 * POS with timer_ppm) the sleepers' clock reads are global again. */
static void test_clock_footprints(void **state)
{
    (void)state;
    fl_sched_opts rr = { .strategy = FL_SCHED_STRAT_RR };
    record_footprints(&rr, main_sleepers);
    for (int i = 0; i < nfps; i++)
        if (fp_cur[i] != 0 && fps[i].global) fail_msg("step %d: thread %d's footprint is global", i, fp_cur[i]);
    record_footprints(&rr, main_leaves);
    int last_main = -1;
    for (int i = 0; i < nfps; i++) {
        if (fp_cur[i] == 0) last_main = i;
        else assert_false(fps[i].global);
    }
    assert_true(last_main >= 0 && fps[last_main].global);
    static const fl_sched_strategy seeded[] = { FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT, FL_SCHED_STRAT_POS };
    for (size_t k = 0; k < sizeof seeded / sizeof seeded[0]; k++) {
        bool global_sleeper = false;
        for (uint64_t seed = 1; seed <= 4 && !global_sleeper; seed++) {
            fl_sched_opts tm = { .strategy = seeded[k], .seed = seed, .timer_ppm = 500000 };
            record_footprints(&tm, main_sleepers);
            for (int i = 0; i < nfps; i++) global_sleeper |= fp_cur[i] != 0 && fps[i].global;
        }
        if (!global_sleeper) fail_msg("%s with early timers: no sleeper's clock read was global",
                                      fl_sched_strategy_name(seeded[k]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_footprints),
        cmocka_unit_test(test_clock_programs_same_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
