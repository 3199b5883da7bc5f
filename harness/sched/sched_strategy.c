/*
 * sched_strategy.c — who runs next: random, pct, pos, rr, replay (strict or
 * open), and the seeded generator they share. Called with fl_sched__run.mu held.
 *
 * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): every
 * thread gets a distinct random priority when created (a random place in the
 * "high band", among the threads never lowered); d-1 change points are drawn
 * uniformly among the first k *choices* (steps where more than one thread
 * can run — Coyote and shuttle count the same way), with labels 1..d-1; at
 * the choice numbered by change point i, the thread that would run drops to
 * priority i, below every high-band thread. The runnable thread of highest
 * priority always runs. For a bug of depth d among n threads and k choices,
 * one run finds it with probability at least 1/(n k^(d-1)). k is an estimate
 * (opts.pct_k): the caller learns it as the largest res.choices seen
 * (faultline run, faultline exec and fl_planted_hunt_run do); the first run
 * of a hunt, with no estimate yet, uses FL_SCHED_DEFAULT_PCT_K.
 * An explicit yield moves the yielding thread to the bottom of the high band,
 * so that a spin-wait does not starve the thread it waits for forever.
 *
 * POS, partial-order sampling (Yuan, Yang, Gu, CAV 2018): every pending
 * transition has a random priority and the runnable thread whose pending
 * transition has the highest runs. After a transition runs, its thread's
 * next transition draws a fresh priority, and so does every other thread
 * whose pending transition conflicts with the one that ran (shares an
 * object with its footprint, or either is global); the others keep theirs.
 * A thread that only ever does independent work thus keeps its place, so a
 * thread can be held off for a long stretch (what random rarely does) while
 * racing steps are reshuffled at every conflict (what PCT, with d-1 change
 * points per run, rarely does). No parameter; no guarantee in terms of a
 * bug depth. The pending transition is known only by the seam operation a
 * thread is stopped in (fl_sched__pending_fp); what it touches after that
 * operation is not, so conflicts are judged on the operation's objects.
 */
#include "sched/sched_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- xoshiro256** seeded through splitmix64 --------------------------------- */

static uint64_t fl_sched__splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void fl_sched__rng_seed(uint64_t s[4], uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) s[i] = fl_sched__splitmix(&x);
}

static uint64_t fl_sched__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t fl_sched__rng_next(uint64_t s[4])
{
    uint64_t out = fl_sched__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = fl_sched__rotl(s[3], 45);
    return out;
}

uint64_t fl_sched__rng_below(uint64_t s[4], uint64_t n)
{
    /* Lemire's multiply-shift with rejection: unbiased. */
    uint64_t x = fl_sched__rng_next(s);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t t = (0 - n) % n;
        while (lo < t) {
            x = fl_sched__rng_next(s);
            m = (__uint128_t)x * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* ---- strategy hooks ------------------------------------------------------------ */

void fl_sched__strat_init(fl_sched__run *r)
{
    fl_sched__rng_seed(r->rng, r->seed);
    r->npct_change = 0;
    if (r->strategy != FL_SCHED_STRAT_PCT) return;
    uint32_t want = r->depth - 1;
    if ((uint64_t)want > r->pct_k) want = (uint32_t)r->pct_k;
    while (r->npct_change < want) {
        uint64_t c = fl_sched__rng_below(r->rng, r->pct_k);
        bool dup = false;
        for (uint32_t i = 0; i < r->npct_change; i++) dup |= r->pct_change[i] == c;
        if (!dup) r->pct_change[r->npct_change++] = c;
    }
}

void fl_sched__strat_thread_new(fl_sched__run *r, fl_sched__thr *t)
{
    if (r->strategy == FL_SCHED_STRAT_POS) t->pos_prio = fl_sched__rng_next(r->rng);
    if (r->strategy != FL_SCHED_STRAT_PCT) return;
    int pos = (int)fl_sched__rng_below(r->rng, (uint64_t)r->npct_high + 1);
    memmove(r->pct_high + pos + 1, r->pct_high + pos, (size_t)(r->npct_high - pos) * sizeof *r->pct_high);
    r->pct_high[pos] = t->id;
    r->npct_high++;
}

static void fl_sched__pct_remove(fl_sched__run *r, int id)
{
    int j = 0;
    for (int i = 0; i < r->npct_high; i++)
        if (r->pct_high[i] != id) r->pct_high[j++] = r->pct_high[i];
    r->npct_high = j;
}

void fl_sched__strat_yield(fl_sched__run *r, fl_sched__thr *me)
{
    if (r->strategy != FL_SCHED_STRAT_PCT || me->low_prio) return;
    fl_sched__pct_remove(r, me->id);
    r->pct_high[r->npct_high++] = me->id;
}

static bool fl_sched__in(const int *ids, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id) return true;
    return false;
}

/* The runnable thread of highest priority: the high band in order, then
 * the lowered ones, highest label first. */
static int fl_sched__pct_best(const fl_sched__run *r, const int *ids, int n)
{
    for (int i = 0; i < r->npct_high; i++)
        if (fl_sched__in(ids, n, r->pct_high[i])) return r->pct_high[i];
    int best = ids[0];
    uint32_t bp = 0;
    for (int i = 0; i < n; i++) {
        uint32_t p = r->thr[ids[i]]->low_prio;
        if (p > bp) { bp = p; best = ids[i]; }
    }
    return best;
}

/* Change points count only real choices (n > 1), as Coyote and shuttle do:
 * a change point at a step where one thread can run would be wasted. At
 * change point c the thread that would run now — the runnable thread of
 * highest priority — drops to priority c + 1, below every never-lowered
 * thread; then the runnable thread of highest priority runs. That is
 * another thread unless every other runnable one was lowered already, to a
 * smaller label (as in the paper: priority c + 1 beats 1..c). r->choices
 * numbers the choices (the caller counts this one after the pick). An
 * early timer's step calls this too, for the change point alone
 * (fl_sched__decide). tests/test_sched_pct.c pins these properties. */
static int fl_sched__pct_pick(fl_sched__run *r, const int *ids, int n)
{
    int best = fl_sched__pct_best(r, ids, n);
    if (n < 2) return best;
    for (uint32_t c = 0; c < r->npct_change; c++)
        if (r->pct_change[c] == r->choices) {
            fl_sched__thr *t = r->thr[best];
            if (!t->low_prio) fl_sched__pct_remove(r, t->id);
            t->low_prio = c + 1;
            best = fl_sched__pct_best(r, ids, n);
        }
    return best;
}

/* POS: me's transition (footprint me->fp) just ran. Its successor draws a
 * fresh priority, and so does every thread whose pending transition
 * conflicts with it; then the runnable thread of highest priority runs
 * (lowest id on a tie, which 2^-64 draws make academic). */
static int fl_sched__pos_pick(fl_sched__run *r, fl_sched__thr *me, const int *ids, int n)
{
    if (me) {
        me->pos_prio = fl_sched__rng_next(r->rng);
        for (int i = 0; i < r->nalive; i++) {
            fl_sched__thr *t = r->alive[i];
            fl_sched_footprint p;
            if (t == me) continue;
            fl_sched__pending_fp(t, &p);
            if (!fl_sched_footprint_independent(&me->fp, &p)) t->pos_prio = fl_sched__rng_next(r->rng);
        }
    }
    int best = ids[0];
    for (int i = 1; i < n; i++)
        if (r->thr[ids[i]]->pos_prio > r->thr[best]->pos_prio) best = ids[i];
    return best;
}

bool fl_sched__strat_replay_exhausted(const fl_sched__run *r)
{
    return r->rp_run >= r->replay->nruns;
}

/* The non-preemptive default: keep the current thread, else the lowest id. */
static int fl_sched__default(const fl_sched__thr *me, const int *ids)
{
    if (me && me->state == FL_SCHED__T_RUNNABLE) return me->id;
    return ids[0];
}

static int fl_sched__replay_pick(fl_sched__run *r, fl_sched__thr *me, const int *ids, int n, bool *followed)
{
    const fl_sched_schedule *sc = r->replay;
    if (r->rp_run >= sc->nruns) return fl_sched__default(me, ids); /* open tail */
    int tid = (int)sc->runs[r->rp_run].tid;
    if (++r->rp_off == sc->runs[r->rp_run].len) {
        r->rp_run++;
        r->rp_off = 0;
    }
    if (fl_sched__in(ids, n, tid)) return tid;
    if (r->replay_open) {
        *followed = false;
        return fl_sched__default(me, ids);
    }
    fl_sched__str m = {0};
    fl_sched__str_printf(&m, "step %llu is recorded for thread %d, ", (unsigned long long)r->steps, tid);
    if (tid >= r->nthr) fl_sched__str_printf(&m, "which does not exist (%d threads so far)", r->nthr);
    else fl_sched__describe(r, r->thr[tid], &m);
    fl_sched__str_printf(&m, "; runnable:");
    for (int i = 0; i < n; i++) fl_sched__str_printf(&m, " %d", ids[i]);
    free(r->diverge_msg);
    r->diverge_msg = fl_sched__str_take(&m);
    return -1;
}

int fl_sched__strat_pick(fl_sched__run *r, fl_sched__thr *me, const int *ids, int n, bool *followed)
{
    *followed = true;
    switch (r->strategy) {
    case FL_SCHED_STRAT_RANDOM:
        return ids[fl_sched__rng_below(r->rng, (uint64_t)n)];
    case FL_SCHED_STRAT_RR: {
        int after = me ? me->id : -1;
        for (int i = 0; i < n; i++)
            if (ids[i] > after) return ids[i];
        return ids[0];
    }
    case FL_SCHED_STRAT_PCT:
        return fl_sched__pct_pick(r, ids, n);
    case FL_SCHED_STRAT_POS:
        return fl_sched__pos_pick(r, me, ids, n);
    case FL_SCHED_STRAT_REPLAY:
        return fl_sched__replay_pick(r, me, ids, n, followed);
    case FL_SCHED_STRAT_FREE:
    case FL_SCHED_STRAT_DFS:
        break;
    }
    fl_sched__fatal("no strategy %d in the controlled scheduler", (int)r->strategy);
}
