/*
 * explore_dpor.c — the races of one run, for dynamic partial-order
 * reduction (Flanagan & Godefroid, POPL 2005) under a preemption bound
 * (Coons, Musuvathi & McKinley, OOPSLA 2013); explore.c turns each race into
 * backtrack points.
 *
 * Happens-before over the run's transitions is tracked with vector clocks
 * indexed by thread: a transition is ordered after its thread's previous
 * one and after every earlier transition it depends on. Dependence is the
 * reduction's (fl_sched_footprint_independent): a shared object, or a
 * global footprint. Since every access to one object depends on every other,
 * the last access to an object carries the clocks of all before it, and the
 * last global transition those of everything before it; so a transition
 * joins, per object in its footprint, the clock of the object's last access,
 * and the clock of the last global transition (a global one joins every
 * thread's clock).
 *
 * Transition i (thread p) races with a later transition j (thread q ≠ p)
 * when they are dependent and i does not happen before q's previous
 * transition: then the order of i and j could be reversed by running q (or
 * something that enables it) before i. The candidates are exactly the last
 * dependent transition per object of j's footprint, the last global one,
 * and, for a global j, every other thread's last transition: any earlier
 * dependent transition happens before one of these. Every candidate that
 * races is reported — more than the one Flanagan & Godefroid need, which
 * costs schedules but not soundness.
 *
 * One dependence the footprints do not carry, because it is about the
 * preemption bound and not the state: transitions that block their thread
 * until a deadline (fl_sched_footprint.timed) commute as to the state, but
 * which of two of them came last decides whether going on after the clock
 * wakes them costs a preemption (docs/scheduler.md, "The cost of the
 * move"). Here they share a pseudo-object, the timer, so their order is a
 * race the search reverses — a "bound dependence" in Coons et al.'s terms.
 */
#include "explore/explore_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Per object (open addressing on the key): its last access and that
 * access's clock. */
typedef struct fl_explore__oslot {
    uint64_t key;     /* 0: empty */
    size_t last;      /* step of the last access */
} fl_explore__oslot;

typedef struct fl_explore__vcs {
    int nt;                 /* threads (clock width) */
    uint32_t *thr;          /* thr[t*nt ..]: thread t's clock after its last transition */
    uint32_t *ev;           /* ev[j*nt ..]: transition j's clock */
    uint32_t *idx;          /* idx[j]: transition j's position in its thread (from 1) */
    size_t *last_of;        /* last_of[t]: thread t's last transition, SIZE_MAX none */
    fl_explore__oslot *obj;
    size_t ocap;            /* power of two */
} fl_explore__vcs;

static fl_explore__oslot *fl_explore__oget(fl_explore__vcs *v, uint64_t key)
{
    size_t m = v->ocap - 1, h = (size_t)(key * 0x9e3779b97f4a7c15ull) & m;
    while (v->obj[h].key && v->obj[h].key != key) h = (h + 1) & m;
    if (!v->obj[h].key) {
        v->obj[h].key = key;
        v->obj[h].last = SIZE_MAX;
    }
    return &v->obj[h];
}

/* The keys transition fp stands for here: its objects, and the timer when
 * it blocked until a deadline. Returns how many (at most FL_SCHED_FP_MAX + 1). */
#define FL_EXPLORE__TIMER_KEY FL_SCHED_OBJ_KEY(0xffu, 0)
static uint32_t fl_explore__keys(const fl_sched_footprint *fp, uint64_t *k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < fp->n; i++) k[n++] = fp->key[i];
    if (fp->timed) k[n++] = FL_EXPLORE__TIMER_KEY;
    return n;
}

static void fl_explore__join(uint32_t *c, const uint32_t *d, int nt)
{
    for (int t = 0; t < nt; t++)
        if (d[t] > c[t]) c[t] = d[t];
}

/* True when transition i happens before the state c (a thread's clock). */
static bool fl_explore__hb(const fl_explore__vcs *v, const int *tid, size_t i, const uint32_t *c)
{
    return c[tid[i]] >= v->idx[i];
}

/* Clocks kept per run at most (n transitions × threads), 64 MiB of them. */
#define FL_EXPLORE__MAX_CLOCKS (16u << 20)

int fl_explore__races(size_t n, const fl_explore__alt *tr, fl_explore__race_fn fn, void *ud)
{
    if (n == 0) return 0;
    int nt = 0;
    for (size_t j = 0; j < n; j++)
        if (tr[j].tid + 1 > nt) nt = tr[j].tid + 1;
    if (n > FL_EXPLORE__MAX_CLOCKS / (size_t)nt) return -E2BIG;
    size_t keys = 0;
    for (size_t j = 0; j < n; j++) keys += tr[j].fp.n + 1;
    fl_explore__vcs v = { .nt = nt, .ocap = 16 };
    while (v.ocap < 2 * keys + 2) v.ocap *= 2;
    int *tid = malloc(n * sizeof *tid);
    uint32_t *c = calloc((size_t)nt, sizeof *c);
    v.thr = calloc((size_t)nt * (size_t)nt, sizeof *v.thr);
    v.ev = calloc(n * (size_t)nt, sizeof *v.ev);
    v.idx = calloc(n, sizeof *v.idx);
    v.last_of = malloc((size_t)nt * sizeof *v.last_of);
    v.obj = calloc(v.ocap, sizeof *v.obj);
    int rc = -ENOMEM;
    if (!tid || !c || !v.thr || !v.ev || !v.idx || !v.last_of || !v.obj) goto out;
    for (int t = 0; t < nt; t++) v.last_of[t] = SIZE_MAX;
    size_t last_global = SIZE_MAX;
    for (size_t j = 0; j < n; j++) tid[j] = tr[j].tid;
    for (size_t j = 0; j < n; j++) {
        int q = tid[j];
        const fl_sched_footprint *fp = &tr[j].fp;
        uint64_t key[FL_SCHED_FP_MAX + 1];
        uint32_t nkey = fl_explore__keys(fp, key);
        const uint32_t *before = v.thr + (size_t)q * (size_t)nt; /* q's knowledge before j */
        /* races: the candidates that do not happen before q's previous transition */
        if (fp->global) {
            for (int t = 0; t < nt; t++) {
                size_t i = v.last_of[t];
                if (t != q && i != SIZE_MAX && !fl_explore__hb(&v, tid, i, before)) fn(ud, i, j);
            }
        } else {
            for (uint32_t k = 0; k < nkey; k++) {
                size_t i = fl_explore__oget(&v, key[k])->last;
                if (i != SIZE_MAX && tid[i] != q && !fl_explore__hb(&v, tid, i, before)) fn(ud, i, j);
            }
            if (last_global != SIZE_MAX && tid[last_global] != q && !fl_explore__hb(&v, tid, last_global, before))
                fn(ud, last_global, j);
        }
        /* j's clock: after q's previous transition and everything it depends on */
        memcpy(c, before, (size_t)nt * sizeof *c);
        if (fp->global) {
            for (int t = 0; t < nt; t++) fl_explore__join(c, v.thr + (size_t)t * (size_t)nt, nt);
        } else {
            for (uint32_t k = 0; k < nkey; k++) {
                size_t i = fl_explore__oget(&v, key[k])->last;
                if (i != SIZE_MAX) fl_explore__join(c, v.ev + i * (size_t)nt, nt);
            }
            if (last_global != SIZE_MAX) fl_explore__join(c, v.ev + last_global * (size_t)nt, nt);
        }
        c[q]++;
        v.idx[j] = c[q];
        memcpy(v.ev + j * (size_t)nt, c, (size_t)nt * sizeof *c);
        memcpy(v.thr + (size_t)q * (size_t)nt, c, (size_t)nt * sizeof *c);
        v.last_of[q] = j;
        if (fp->global) last_global = j;
        else
            for (uint32_t k = 0; k < nkey; k++) fl_explore__oget(&v, key[k])->last = j;
    }
    rc = 0;
out:
    free(tid);
    free(c);
    free(v.thr);
    free(v.ev);
    free(v.idx);
    free(v.last_of);
    free(v.obj);
    return rc;
}
