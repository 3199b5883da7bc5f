/*
 * test_sched_pos.c — POS, partial-order sampling (Yuan, Yang, Gu, CAV 2018),
 * pinned property by property:
 *  - at every decision the runnable thread of highest priority runs;
 *  - after a transition, its thread's priority is drawn afresh, and so is
 *    the priority of every thread whose pending operation conflicts with
 *    the transition's footprint; every other thread keeps its priority;
 *  - what that buys: a thread stopped at an operation independent of
 *    another thread's steps is held off for a long stretch with
 *    probability about 1/(stretch+1), where random needs 2^-stretch; when
 *    the operation conflicts, POS is back to a coin per step;
 *  - a pos run replays exactly from its schedule string (origin "pos"), and
 *    the same seed gives the same run.
 * White box where the property is about the scheduler's state: the step
 * hook reads the run's priorities (sched_int.h) at every decision. Every
 * figure comes from fixed seeds, so each assertion has one outcome; the
 * bounds leave a wide margin around the expected rates.
 */
#include "sched_util.h"
#include "sched/fl_sched.h"
#include "sched/sched_int.h"

/* ---- the program ------------------------------------------------------------------- */

enum { STRETCH = 10 };

/* Thread x reads the counter, stops at a signal of cond `xc`, reads it
 * again; thread y signals `yc` and bumps the counter STRETCH times. With
 * xc != yc, x's pending operation is independent of y's steps; with
 * xc == yc, it conflicts with every one of them. */
typedef struct hold {
    sv_cond a, b;
    bool same;     /* x signals the cond y signals */
    int counter;
    int before, after; /* the counter as x saw it around its signal */
} hold;

static void *hold_x(void *p)
{
    hold *h = p;
    h->before = h->counter;
    sv_cond_signal(h->same ? &h->b : &h->a);
    h->after = h->counter;
    return NULL;
}

static void *hold_y(void *p)
{
    hold *h = p;
    for (int i = 0; i < STRETCH; i++) {
        sv_cond_signal(&h->b);
        h->counter++;
    }
    return NULL;
}

static void hold_main(void *arg)
{
    hold *h = arg;
    sv_cond_init(&h->a);
    sv_cond_init(&h->b);
    h->counter = 0;
    h->before = h->after = -1;
    sv_thread *tx, *ty;
    assert_int_equal(sv_thread_create(&tx, hold_x, h, "x"), 0);
    assert_int_equal(sv_thread_create(&ty, hold_y, h, "y"), 0);
    sv_thread_join(tx, SV_FOREVER);
    sv_thread_join(ty, SV_FOREVER);
    sv_cond_destroy(&h->a);
    sv_cond_destroy(&h->b);
}

/* ---- observing the priorities at each decision ------------------------------------ */

typedef struct pos_obs {
    uint64_t prio[16];  /* each thread's priority after the previous decision */
    bool seen[16];
    uint32_t kept, redrawn; /* other threads' priorities kept / drawn afresh */
    char why[256];
} pos_obs;

static void obs_fail(pos_obs *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void obs_fail(pos_obs *o, const char *fmt, ...)
{
    if (o->why[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
}

/* At the step hook the decision is made: priorities are updated for the
 * transition of thread `cur` that just ended (its footprint is still in
 * thr[cur]->fp) and `chosen` was picked under them. */
static void obs_step(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed)
{
    (void)followed;
    pos_obs *o = ud;
    const fl_sched__run *r = fl_sched__R;
    int best = runnable[0];
    for (int i = 1; i < n; i++)
        if (r->thr[runnable[i]]->pos_prio > r->thr[best]->pos_prio) best = runnable[i];
    if (chosen != best)
        obs_fail(o, "step %llu: thread %d runs, thread %d has the highest priority", (unsigned long long)step, chosen,
                 best);
    for (int i = 0; i < r->nalive; i++) {
        const fl_sched__thr *t = r->alive[i];
        if (t->id >= 16 || !o->seen[t->id] || cur < 0) continue;
        bool same = t->pos_prio == o->prio[t->id];
        if (t->id == cur) {
            if (same) obs_fail(o, "step %llu: thread %d kept its priority after its own step", (unsigned long long)step, cur);
            continue;
        }
        fl_sched_footprint p;
        fl_sched__pending_fp(t, &p);
        bool conflict = !fl_sched_footprint_independent(&r->thr[cur]->fp, &p);
        if (conflict && same)
            obs_fail(o, "step %llu: thread %d conflicts with thread %d's step and kept its priority",
                     (unsigned long long)step, t->id, cur);
        if (!conflict && !same)
            obs_fail(o, "step %llu: thread %d is independent of thread %d's step and its priority changed",
                     (unsigned long long)step, t->id, cur);
        o->kept += !conflict;
        o->redrawn += conflict;
    }
    for (int t = 0; t < r->nthr && t < 16; t++) {
        o->prio[t] = r->thr[t]->pos_prio;
        o->seen[t] = r->thr[t]->state != FL_SCHED__T_DONE;
    }
}

/* One pos run of hold_main; true when x was held off for the whole stretch. */
static bool hold_run(fl_sched_strategy st, uint64_t seed, bool same, pos_obs *o)
{
    hold h = { .same = same };
    fl_sched_hook hk = { .step = obs_step, .ud = o };
    fl_sched_opts op = { .strategy = st, .seed = seed };
    fl_sched_result res;
    assert_int_equal(fl_sched_run_ex(&op, NULL, hold_main, &h, &res, o ? &hk : NULL), 0);
    assert_int_equal(res.status, FL_SCHED_OK);
    assert_int_equal(h.counter, STRETCH);
    fl_sched_result_free(&res);
    return h.after - h.before == STRETCH;
}

/* The highest priority always runs; a step re-draws its own thread and the
 * threads that conflict with it, and nobody else. Both kinds occur. */
static void test_priorities_follow_conflicts(void **st)
{
    (void)st;
    uint32_t kept = 0, redrawn = 0;
    for (int same = 0; same < 2; same++)
        for (uint64_t seed = 1; seed <= 200; seed++) {
            pos_obs o;
            memset(&o, 0, sizeof o);
            (void)hold_run(FL_SCHED_STRAT_POS, seed, same, &o);
            if (o.why[0]) fail_msg("seed %llu%s: %s", (unsigned long long)seed, same ? " (same cond)" : "", o.why);
            kept += o.kept;
            redrawn += o.redrawn;
        }
    assert_true(kept > 100);
    assert_true(redrawn > 100);
}

/* What keeping a priority buys, measured over fixed seeds: x is held off
 * while y takes all STRETCH steps. POS: once x is parked at its signal, its
 * priority is fixed while y's is redrawn at each step, so y keeps going for
 * all of them with probability about 1/(STRETCH+1); x must first get there
 * before y's first increment (about half the runs), so about
 * 1/(2(STRETCH+1)) of runs overall (measured: 104 of 2,000, about 1/19);
 * random: about 2^-STRETCH; POS with x conflicting with y's steps: back to
 * random's odds. */
static void test_independent_thread_is_held_off(void **st)
{
    (void)st;
    enum { SEEDS = 2000 };
    uint32_t pos = 0, rnd = 0, pos_same = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        pos += hold_run(FL_SCHED_STRAT_POS, seed, false, NULL);
        rnd += hold_run(FL_SCHED_STRAT_RANDOM, seed, false, NULL);
        pos_same += hold_run(FL_SCHED_STRAT_POS, seed, true, NULL);
    }
    print_message("held off for %d steps in %d runs: pos %u, random %u, pos with a conflict %u\n", STRETCH, SEEDS, pos,
                  rnd, pos_same);
    assert_true(pos >= SEEDS / 40);      /* expected about SEEDS/22 */
    assert_true(rnd <= SEEDS / 200);     /* expected about SEEDS/1024 */
    assert_true(pos_same <= SEEDS / 200);
}

/* The CHOICES field of an fl1: string (after STRATEGY.SEED.DEPTH.K.FLAGS.PREEMPTIONS.). */
static const char *choices_of(const char *s)
{
    for (int dots = 0; *s && dots < 6; s++) dots += *s == '.';
    return s;
}

/* The same seed gives the same run; the recorded schedule names pos and
 * replays to the same schedule; different seeds give different choices. */
static void test_pos_replays_exactly(void **st)
{
    (void)st;
    int distinct = 0;
    char *first = NULL;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        hold h = { .same = false };
        fl_sched_opts op = { .strategy = FL_SCHED_STRAT_POS, .seed = seed };
        fl_sched_result a, b, again;
        run_ok(&op, hold_main, &h, &a);
        run_ok(&op, hold_main, &h, &b);
        assert_string_equal(a.schedule, b.schedule);
        assert_true(strncmp(a.schedule, "fl1:pos.", 8) == 0);
        fl_sched_opts rp = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = a.schedule };
        run_ok(&rp, hold_main, &h, &again);
        assert_int_equal(again.status, FL_SCHED_OK);
        assert_string_equal(again.schedule, a.schedule);
        if (!first) first = strdup(choices_of(a.schedule));
        else distinct += strcmp(first, choices_of(a.schedule)) != 0;
        fl_sched_result_free(&a);
        fl_sched_result_free(&b);
        fl_sched_result_free(&again);
    }
    free(first);
    assert_true(distinct > 0); /* the seed matters */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priorities_follow_conflicts),
        cmocka_unit_test(test_independent_thread_is_held_off),
        cmocka_unit_test(test_pos_replays_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
