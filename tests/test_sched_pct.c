/*
 * test_sched_pct.c — PCT as published (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, ASPLOS 2010), pinned property by property:
 *  - the d-1 change points are distinct, drawn uniformly over [0, k);
 *  - a change point takes effect only at a real choice (a step where two or
 *    more threads can run), the one whose number (counting real choices
 *    only) it names — also when an early timer wakes a sleeper there; the
 *    thread that would have run drops to the change point's label, below
 *    every thread never lowered, and the highest-priority runnable thread
 *    runs (the lowered one still does if every other runnable thread was
 *    lowered to a smaller label);
 *  - a new thread gets a uniformly random rank among the threads never
 *    lowered (not always the highest or the lowest);
 *  - the guarantee: a depth-1 bug among n threads is found with probability
 *    at least 1/n per run, a depth-2 bug with probability at least
 *    1/(n k).
 * White box where the property is about the scheduler's state: the step
 * hook reads the run's PCT state (sched_int.h) at every decision. Every
 * figure comes from fixed seeds, so each assertion has one outcome; the
 * statistical bounds are set so that a correct implementation passes them
 * by a wide margin (chi-square at p = 0.001, four standard deviations).
 */
#include "sched_util.h"
#include "planted/fl_planted.h"
#include "sched/fl_sched.h"
#include "sched/sched_int.h"

#include <math.h>

/* ---- the programs ---------------------------------------------------------------- */

typedef struct mixed {
    sv_mutex m;
    int n;
} mixed;

static void *mixed_worker(void *p)
{
    mixed *s = p;
    for (int i = 0; i < 6; i++) {
        sv_mutex_lock(&s->m); /* blocks while another holds it: steps with one runnable thread */
        s->n++;
        sv_mutex_unlock(&s->m);
    }
    return NULL;
}

static void *mixed_sleeper(void *p)
{
    mixed *s = p;
    for (int i = 0; i < 3; i++) {
        sv_sleep_until(sv_now() + 1000000); /* a timed sleeper: early wake-ups happen here */
        sv_mutex_lock(&s->m);
        s->n++;
        sv_mutex_unlock(&s->m);
    }
    return NULL;
}

/* Three workers contending for one mutex and a sleeper: real choices, steps
 * with a single runnable thread, and (with timer_ppm) early timers. */
static void mixed_main(void *arg)
{
    mixed *s = arg;
    sv_mutex_init(&s->m);
    s->n = 0;
    sv_thread *t[4];
    for (int i = 0; i < 3; i++) assert_int_equal(sv_thread_create(&t[i], mixed_worker, s, "worker"), 0);
    assert_int_equal(sv_thread_create(&t[3], mixed_sleeper, s, "sleeper"), 0);
    for (int i = 0; i < 4; i++) sv_thread_join(t[i], SV_FOREVER);
    sv_mutex_destroy(&s->m);
}

/* ---- observing the run's PCT state at each decision ------------------------------- */

typedef struct pct_obs {
    uint32_t low[16];    /* each thread's low_prio after the previous decision */
    int nseen;
    uint64_t nchoices;   /* real choices so far, counted here from the hook's n */
    bool check_best;     /* no early timers: the chosen thread is the best */
    uint32_t fired;      /* change points seen taking effect */
    char why[256];       /* first violation, "" if none */
} pct_obs;

static bool in_ids(const int *ids, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id) return true;
    return false;
}

static void obs_fail(pct_obs *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void obs_fail(pct_obs *o, const char *fmt, ...)
{
    if (o->why[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
}

/* The highest-priority runnable thread under the run's current priorities:
 * the never-lowered ones in their order, then the lowered, highest label first. */
static int obs_best(const fl_sched__run *r, const int *ids, int n)
{
    for (int i = 0; i < r->npct_high; i++)
        if (in_ids(ids, n, r->pct_high[i])) return r->pct_high[i];
    int best = -1;
    uint32_t bp = 0;
    for (int i = 0; i < n; i++)
        if (r->thr[ids[i]]->low_prio > bp) {
            bp = r->thr[ids[i]]->low_prio;
            best = ids[i];
        }
    return best;
}

static void obs_step(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed)
{
    (void)cur; (void)followed;
    pct_obs *o = ud;
    const fl_sched__run *r = fl_sched__R;
    uint32_t label = 0;
    for (uint32_t i = 0; n > 1 && i < r->npct_change; i++)
        if (r->pct_change[i] == o->nchoices) label = i + 1;
    int changed = -1, nchanged = 0;
    for (int t = 0; t < r->nthr && t < 16; t++) {
        uint32_t before = t < o->nseen ? o->low[t] : 0;
        if (r->thr[t]->low_prio != before) {
            changed = t;
            nchanged++;
        }
        o->low[t] = r->thr[t]->low_prio;
    }
    o->nseen = r->nthr < 16 ? r->nthr : 16;
    if (!label && nchanged)
        obs_fail(o, "step %llu: thread %d lowered at a step that is no change point (%d runnable, choice %llu)",
                 (unsigned long long)step, changed, n, (unsigned long long)o->nchoices);
    if (label) {
        o->fired++;
        if (nchanged != 1 || o->low[changed] != label)
            obs_fail(o, "step %llu: change point %u (choice %llu) lowered %d threads", (unsigned long long)step, label,
                     (unsigned long long)o->nchoices, nchanged);
        else if (!in_ids(runnable, n, changed))
            obs_fail(o, "step %llu: change point %u lowered thread %d, which could not run", (unsigned long long)step,
                     label, changed);
        for (int i = 0; i < r->npct_high; i++)
            if (r->pct_high[i] == changed) obs_fail(o, "step %llu: a lowered thread kept its rank", (unsigned long long)step);
    }
    if (o->check_best && chosen != obs_best(r, runnable, n))
        obs_fail(o, "step %llu: thread %d runs, thread %d has the highest priority", (unsigned long long)step, chosen,
                 obs_best(r, runnable, n));
    o->nchoices += n > 1;
}

/* Change points fire exactly at the real choice they name, whatever the
 * depth, with and without early timers; k learned as callers learn it. */
static void test_change_points_only_at_real_choices(void **st)
{
    (void)st;
    uint32_t fired = 0, drawn = 0;
    uint64_t single = 0, steps = 0;
    for (uint32_t timers = 0; timers < 2; timers++)
        for (uint32_t d = 2; d <= 4; d++) {
            uint64_t k = 0;
            for (uint64_t seed = 1; seed <= 200; seed++) {
                mixed s;
                pct_obs o = { .check_best = !timers };
                fl_sched_hook h = { .step = obs_step, .ud = &o };
                fl_sched_opts op = { .strategy = FL_SCHED_STRAT_PCT, .seed = seed, .depth = d, .pct_k = k,
                                     .timer_ppm = timers ? 300000 : 0 };
                fl_sched_result res;
                assert_int_equal(fl_sched_run_ex(&op, NULL, mixed_main, &s, &res, &h), 0);
                if (o.why[0]) fail_msg("d=%u seed %llu%s: %s", d, (unsigned long long)seed, timers ? " (timers)" : "", o.why);
                assert_int_equal(res.status, FL_SCHED_OK);
                assert_int_equal(s.n, 21);
                assert_int_equal(res.choices, o.nchoices);
                drawn += d - 1;
                fired += o.fired;
                single += res.steps - res.choices;
                steps += res.steps;
                if (res.choices > k) k = res.choices;
                /* replay is exact: the recorded schedule gives the same run */
                fl_sched_opts rp = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = res.schedule };
                fl_sched_result again;
                assert_int_equal(fl_sched_run(&rp, mixed_main, &s, &again), 0);
                assert_int_equal(again.status, FL_SCHED_OK);
                assert_string_equal(again.schedule, res.schedule);
                fl_sched_result_free(&again);
                fl_sched_result_free(&res);
            }
        }
    /* the program has steps with one runnable thread (else counting choices
     * and counting steps would agree and nothing would be shown) */
    assert_true(single * 10 > steps);
    /* most change points land inside the run (k is the most choices seen) */
    assert_true(fired * 2 > drawn);
}

/* ---- where change points are drawn --------------------------------------------- */

typedef struct draw_obs {
    bool taken;
    uint32_t n;
    uint64_t at[64];
    uint64_t k;
} draw_obs;

static void draw_step(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed)
{
    (void)step; (void)cur; (void)runnable; (void)n; (void)chosen; (void)followed;
    draw_obs *o = ud;
    if (o->taken) return;
    const fl_sched__run *r = fl_sched__R;
    o->taken = true;
    o->n = r->npct_change;
    o->k = r->pct_k;
    memcpy(o->at, r->pct_change, sizeof o->at);
}

static void *nothing(void *p)
{
    return p;
}

static void one_thread_main(void *arg)
{
    (void)arg;
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, nothing, NULL, "t"), 0);
    sv_thread_join(t, SV_FOREVER);
}

/* Pearson's chi-square of counts against a uniform expectation. */
static double chi_square(const uint32_t *count, int nb, double expect)
{
    double x = 0;
    for (int i = 0; i < nb; i++) x += (count[i] - expect) * (count[i] - expect) / expect;
    return x;
}

/* d-1 distinct change points, each uniform over [0, k): k = 12, d = 2 and
 * d = 4, 4000 seeds each; chi-square with 11 degrees of freedom below
 * 31.26 (p = 0.001), every value seen, none outside. */
static void test_change_points_uniform_over_k(void **st)
{
    (void)st;
    enum { K = 12, SEEDS = 4000 };
    for (uint32_t d = 2; d <= 4; d += 2) {
        uint32_t count[K] = { 0 }, total = 0;
        for (uint64_t seed = 0; seed < SEEDS; seed++) {
            draw_obs o = { 0 };
            fl_sched_hook h = { .step = draw_step, .ud = &o };
            fl_sched_opts op = { .strategy = FL_SCHED_STRAT_PCT, .seed = seed, .depth = d, .pct_k = K };
            fl_sched_result res;
            assert_int_equal(fl_sched_run_ex(&op, NULL, one_thread_main, NULL, &res, &h), 0);
            fl_sched_result_free(&res);
            assert_true(o.taken);
            assert_int_equal(o.k, K);
            assert_int_equal(o.n, d - 1);
            for (uint32_t i = 0; i < o.n; i++) {
                assert_true(o.at[i] < K);
                for (uint32_t j = 0; j < i; j++) assert_true(o.at[i] != o.at[j]);
                count[o.at[i]]++;
                total++;
            }
        }
        for (int b = 0; b < K; b++) assert_true(count[b] > 0);
        double x = chi_square(count, K, (double)total / K);
        if (x >= 31.26) fail_msg("d=%u: change points not uniform over [0, %d): chi-square %.1f", d, K, x);
    }
}

/* ---- priorities of new threads ------------------------------------------------- */

typedef struct rank_obs {
    int seen;           /* threads seen so far (ids are given in creation order) */
    int rank[8];        /* rank of thread i among the never-lowered, at its first step */
    int band[8];        /* size of that band then */
} rank_obs;

static void rank_step(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed)
{
    (void)step; (void)cur; (void)chosen; (void)followed;
    rank_obs *o = ud;
    const fl_sched__run *r = fl_sched__R;
    for (int i = 0; i < n; i++) {
        int id = runnable[i];
        if (id < o->seen || id >= 8) continue;
        o->seen = id + 1;
        o->band[id] = r->npct_high;
        o->rank[id] = -1;
        for (int j = 0; j < r->npct_high; j++)
            if (r->pct_high[j] == id) o->rank[id] = j;
    }
}

static void *brief(void *p)
{
    sv_mutex *m = p;
    sv_mutex_lock(m);
    sv_mutex_unlock(m);
    return NULL;
}

static void four_main(void *arg)
{
    (void)arg;
    sv_mutex m;
    sv_mutex_init(&m);
    sv_thread *t[4];
    for (int i = 0; i < 4; i++) assert_int_equal(sv_thread_create(&t[i], brief, &m, "w"), 0);
    for (int i = 0; i < 4; i++) sv_thread_join(t[i], SV_FOREVER);
    sv_mutex_destroy(&m);
}

/* The main thread and four workers created one after another, pct d=1 (no
 * change points): thread i arrives among i never-lowered threads and takes
 * each of the i+1 ranks with the same probability. 3000 seeds; chi-square
 * below the p = 0.001 critical value for i degrees of freedom. */
static void test_new_threads_take_a_uniform_rank(void **st)
{
    (void)st;
    enum { SEEDS = 3000 };
    static const double crit[5] = { 0, 10.83, 13.82, 16.27, 18.47 };
    uint32_t count[5][5] = { { 0 } };
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        rank_obs o = { 0 };
        fl_sched_hook h = { .step = rank_step, .ud = &o };
        fl_sched_opts op = { .strategy = FL_SCHED_STRAT_PCT, .seed = seed, .depth = 1 };
        fl_sched_result res;
        assert_int_equal(fl_sched_run_ex(&op, NULL, four_main, NULL, &res, &h), 0);
        fl_sched_result_free(&res);
        assert_int_equal(o.seen, 5);
        for (int i = 1; i < 5; i++) {
            assert_int_equal(o.band[i], i + 1);
            assert_true(o.rank[i] >= 0 && o.rank[i] <= i);
            count[i][o.rank[i]]++;
        }
    }
    for (int i = 1; i < 5; i++) {
        double x = chi_square(count[i], i + 1, (double)SEEDS / (i + 1));
        if (x >= crit[i]) fail_msg("thread %d: rank not uniform over %d places: chi-square %.1f", i, i + 1, x);
    }
}

/* ---- the guarantee ------------------------------------------------------------- */

typedef struct order {
    sv_mutex m;
    int x;
    int bug;
} order;

static void *order_first(void *p)
{
    order *s = p;
    sv_mutex_lock(&s->m);
    s->x = 1;
    sv_mutex_unlock(&s->m);
    return NULL;
}

static void *order_second(void *p)
{
    order *s = p;
    sv_mutex_lock(&s->m);
    s->bug |= s->x == 0; /* created second, must not run first */
    sv_mutex_unlock(&s->m);
    return NULL;
}

/* A depth-1 bug (one ordering constraint: the thread created second acts
 * before the one created first), n = 3 threads. */
static void order_main(void *arg)
{
    order *s = arg;
    sv_mutex_init(&s->m);
    s->x = s->bug = 0;
    sv_thread *a, *b;
    assert_int_equal(sv_thread_create(&a, order_first, s, "first"), 0);
    assert_int_equal(sv_thread_create(&b, order_second, s, "second"), 0);
    sv_thread_join(a, SV_FOREVER);
    sv_thread_join(b, SV_FOREVER);
    sv_mutex_destroy(&s->m);
}

/* Hits over seeds of pct depth d, with k learned as callers learn it
 * (*kmax: the largest). p: a planted program (its own check), else main_fn
 * with *bug set by the run. */
static uint32_t hunt(const fl_planted *p, void (*main_fn)(void *), void *arg, const int *bug, uint32_t d,
                     uint32_t seeds, uint64_t *kmax)
{
    uint32_t hits = 0;
    uint64_t k = 0;
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        fl_sched_opts op = { .strategy = FL_SCHED_STRAT_PCT, .seed = seed, .depth = d, .pct_k = k };
        fl_sched_result res;
        if (p) {
            int rc = fl_planted_run(p, &op, &res);
            assert_true(rc >= 0);
            hits += rc == 1;
        } else {
            run_ok(&op, main_fn, arg, &res);
            hits += *bug != 0;
        }
        if (res.choices > k) k = res.choices;
        fl_sched_result_free(&res);
    }
    *kmax = k;
    return hits;
}

/* At least p*N hits, less four standard deviations of a binomial(N, p). */
static void expect_at_least(const char *what, uint32_t hits, uint32_t n, double p)
{
    double floor = n * p - 4 * sqrt(n * p * (1 - p));
    if (hits < floor) fail_msg("%s: %u hits in %u runs, the guarantee p >= %.4f allows no fewer than %.0f", what, hits, n, p, floor);
}

/* 1/(n k^(d-1)) for a bug of depth d among n threads and k choices:
 * depth 1 with pct d=1, depth 2 with pct d=2. Neither is found by d=1's
 * fixed priorities alone when new threads always went to one end (depth 1)
 * or when change points never took effect (depth 2: d=1 never finds it). */
static void test_the_guarantee_holds(void **st)
{
    (void)st;
    enum { SEEDS = 3000 };
    uint64_t k;
    order o;
    memset(&o, 0, sizeof o); /* hunt's runs set it up; zeroed so no path reads garbage */
    uint32_t h1 = hunt(NULL, order_main, &o, &o.bug, 1, SEEDS, &k);
    expect_at_least("depth-1 bug, pct d=1", h1, SEEDS, 1.0 / 3);
    /* depth 2: the planted lost update (two increments with a gap between
     * read and write; main and two threads) */
    const fl_planted *lu = fl_planted_find("lost_update");
    assert_non_null(lu);
    assert_int_equal(hunt(lu, NULL, NULL, NULL, 1, 200, &k), 0); /* no ordering of priorities alone shows it */
    uint32_t h2 = hunt(lu, NULL, NULL, NULL, 2, SEEDS, &k);
    assert_true(k > 1);
    expect_at_least("depth-2 bug, pct d=2", h2, SEEDS, 1.0 / (3.0 * (double)k));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_change_points_only_at_real_choices),
        cmocka_unit_test(test_change_points_uniform_over_k),
        cmocka_unit_test(test_new_threads_take_a_uniform_rank),
        cmocka_unit_test(test_the_guarantee_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
