/*
 * explore.c — bounded exhaustive DFS over schedules (see fl_explore.h).
 *
 * Per run, the step hook records for every step: the thread that reached it
 * (cur), the runnable ids, the choice, and whether a prefix choice was
 * followed. Alternatives at a step are ordered [default, others ascending];
 * the chosen one's position says which remain untried, so the DFS needs no
 * memory across runs beyond the prefix it builds.
 */
#include "explore/explore_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/fl_sched.h"

typedef struct fl_explore__dstep {
    int cur, chosen;
    size_t off;   /* runnable ids at ids[off .. off+n) */
    int n;
    bool followed;
    fl_sched_footprint end;   /* of cur's transition that ended at this step */
} fl_explore__dstep;

/* A node of the current DFS path (one per step): the alternatives run at it
 * so far, in DFS order; the last one is the path's choice. a[0] is always
 * the non-preemptive default (a node is created by a run that reached it
 * past its prefix, which follows the default); the sleep-set argument's
 * case (b) and DPOR's scan of untried alternatives rely on it. Nodes
 * persist across runs: a run replays the path up to its branch depth. With DPOR,
 * bt is the backtrack set — the threads the races seen so far ask to try
 * here (bit t for thread t < 64; bt_all: every runnable one). */
typedef struct fl_explore__node {
    fl_explore__alt *a;
    int n, cap;
    uint64_t bt;
    bool bt_all;
    uint64_t slept;   /* DPOR: asleep here, counted in `pruned` once (t < 64) */
} fl_explore__node;

/* A sleeping thread and where its transition is recorded (nodes[node].a[alt]).
 * by_block: it sleeps because that transition left it blocked or done, not
 * because it was the running thread there (rule (b), below). */
typedef struct fl_explore__sleeper {
    int tid;
    int alt;
    size_t node;
    bool by_block;
} fl_explore__sleeper;

typedef struct fl_explore__span {
    size_t off, n;
} fl_explore__span;

typedef struct fl_explore__dfs {
    fl_explore__dstep *st;
    size_t nst, stcap;
    int *ids;
    size_t nids, idcap;
    fl_sched_footprint pend;  /* reported by the footprint hook for the next step */
    bool have_pend;
    bool oom;
    /* across runs */
    fl_explore__node *nodes;
    size_t nnodes, nodecap;
    size_t branch;            /* depth of the last backtrack; SIZE_MAX: first run */
    /* per run, from the analysis */
    fl_explore__alt *tr;      /* tr[i]: the transition chosen at step i */
    size_t trcap;
    fl_explore__sleeper *sl;  /* every step's sleep set, one after the other */
    size_t nsl, slcap;
    fl_explore__span *ss;     /* ss[i]: step i's sleep set in sl[] */
    size_t sscap;
    size_t redundant;         /* first step whose choice was asleep; SIZE_MAX: none */
} fl_explore__dfs;

static void fl_explore__fp_hook(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp)
{
    fl_explore__dfs *d = ud;
    (void)step;
    (void)cur;
    d->pend = *fp;
    d->have_pend = true;
}

static void fl_explore__dfs_hook(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed)
{
    fl_explore__dfs *d = ud;
    (void)step;
    if (d->oom) return;
    if (d->nst == d->stcap) {
        size_t nc = d->stcap ? d->stcap * 2 : 256;
        fl_explore__dstep *p = realloc(d->st, nc * sizeof *p);
        if (!p) { d->oom = true; return; }
        d->st = p;
        d->stcap = nc;
    }
    if (d->nids + (size_t)n > d->idcap) {
        size_t nc = d->idcap ? d->idcap * 2 : 1024;
        while (nc < d->nids + (size_t)n) nc *= 2;
        int *p = realloc(d->ids, nc * sizeof *p);
        if (!p) { d->oom = true; return; }
        d->ids = p;
        d->idcap = nc;
    }
    memcpy(d->ids + d->nids, runnable, (size_t)n * sizeof *runnable);
    fl_sched_footprint end = { .global = true }; /* unknown: dependent with everything */
    if (d->have_pend) end = d->pend;
    d->have_pend = false;
    d->st[d->nst++] = (fl_explore__dstep){ cur, chosen, d->nids, n, followed, end };
    d->nids += (size_t)n;
}

static bool fl_explore__has(const int *ids, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id) return true;
    return false;
}

/* Alternatives at step s in DFS order: the default first, then ascending. */
static int fl_explore__order(const fl_explore__dfs *d, const fl_explore__dstep *s, int *out)
{
    const int *r = d->ids + s->off;
    int def = fl_explore__has(r, s->n, s->cur) ? s->cur : r[0];
    int k = 0;
    out[k++] = def;
    for (int i = 0; i < s->n; i++)
        if (r[i] != def) out[k++] = r[i];
    return k;
}

static bool fl_explore__asleep(const fl_explore__dfs *d, fl_explore__span sp, int tid)
{
    for (size_t k = 0; k < sp.n; k++)
        if (d->sl[sp.off + k].tid == tid) return true;
    return false;
}

static int fl_explore__grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q) return -ENOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

static int fl_explore__alt_push(fl_explore__node *nd, const fl_explore__alt *a)
{
    if (nd->n == nd->cap) {
        int nc = nd->cap ? nd->cap * 2 : 2;
        fl_explore__alt *p = realloc(nd->a, (size_t)nc * sizeof *p);
        if (!p) return -ENOMEM;
        nd->a = p;
        nd->cap = nc;
    }
    nd->a[nd->n++] = *a;
    return 0;
}

static int fl_explore__sleep_push(fl_explore__dfs *d, fl_explore__sleeper x)
{
    if (fl_explore__grow((void **)&d->sl, &d->slcap, d->nsl + 1, sizeof *d->sl) < 0) return -ENOMEM;
    d->sl[d->nsl++] = x;
    return 0;
}

/* After a run: the transition each step's choice executed (its footprint is
 * the one its thread reported at its next scheduling point; unknown — global
 * — when the run ended first), the path's nodes, and every step's sleep set.
 *
 * Sleep sets (Godefroid 1996), restricted to stay sound under the
 * preemption bound. A thread x run at node i before the path's choice goes
 * to sleep below i when its transition there is independent of the choice's,
 * and stays asleep while every later choice is independent of it; a
 * schedule that runs x while it sleeps is equivalent (same steps, the
 * independent ones swapped) to one that ran x at node i, explored earlier.
 * That schedule must not cost more preemptions, or the bound could exclude
 * it: moving x's step up to node i adds none when x was the running thread
 * at node i (the non-preemptive default) or when x's transition leaves x
 * blocked or done (docs/scheduler.md, "Reduction", has the count). Any
 * other alternative never sleeps: moving it earlier can add a preemption.
 * And a thread x asleep for the second reason wakes at a path transition
 * that blocks its own thread until a deadline (fp.timed) and leaves x the
 * only runnable thread, when the clock's next move would wake that thread
 * together with another: in the equivalent schedule, where x ran earlier,
 * the woken thread is the running one the next choice may preempt
 * (fl_explore__costly_swap). */
/* Whether moving x (thread xtid, its transition's footprint xfp) to before
 * the transition chosen at step i can cost a preemption (docs/scheduler.md,
 * "The cost of the move"): that transition blocks its thread w until a
 * deadline, x is then the only runnable thread (st[i + 1]), and the clock,
 * moving once x has run too, reaches w's deadline and wakes another thread
 * with w (x included). ends[t]: the footprint of thread t's transition that
 * ended last at or before step i (NULL: none); a blocked thread is still
 * blocked as that transition left it, no thread being runnable but x. */
static bool fl_explore__costly_swap(const fl_explore__dfs *d, size_t i, const fl_sched_footprint *xfp, int xtid,
                                    const fl_sched_footprint *const *ends, int nthr)
{
    const fl_sched_footprint *w = &d->tr[i].fp;
    if (!w->timed || i + 1 >= d->nst || d->st[i + 1].n != 1 || d->ids[d->st[i + 1].off] != xtid) return false;
    bool tie = false;
    if (xfp->timed) {
        if (xfp->until < w->until) return false; /* the clock stops short of w's deadline */
        tie = xfp->until == w->until;
    }
    for (int t = 0; t < nthr; t++) {
        if (t == d->st[i].chosen || t == xtid || !ends[t] || !ends[t]->timed) continue;
        if (ends[t]->until < w->until) return false;
        tie |= ends[t]->until == w->until;
    }
    return tie;
}

static int fl_explore__analyse(fl_explore__dfs *d, bool reduce)
{
    size_t nst = d->nst;
    int maxid = 0;
    for (size_t i = 0; i < nst; i++) {
        if (d->st[i].cur > maxid) maxid = d->st[i].cur;
        if (d->st[i].chosen > maxid) maxid = d->st[i].chosen;
    }
    fl_explore__alt *nxt = malloc(((size_t)maxid + 1) * sizeof *nxt);
    if (!nxt || fl_explore__grow((void **)&d->tr, &d->trcap, nst + 1, sizeof *d->tr) < 0) {
        free(nxt);
        return -ENOMEM;
    }
    for (int t = 0; t <= maxid; t++) nxt[t] = (fl_explore__alt){ t, false, { .global = true } };
    for (size_t i = nst; i-- > 0;) {
        const fl_explore__dstep *s = &d->st[i];
        d->tr[i] = nxt[s->chosen];
        if (s->cur >= 0)
            nxt[s->cur] = (fl_explore__alt){ s->cur, !fl_explore__has(d->ids + s->off, s->n, s->cur), s->end };
    }
    free(nxt);
    /* nodes: a new depth gets its first alternative, the branch depth its next */
    if (fl_explore__grow((void **)&d->nodes, &d->nodecap, nst, sizeof *d->nodes) < 0) return -ENOMEM;
    for (size_t i = 0; i < nst; i++) {
        if (i >= d->nnodes) {
            d->nodes[i] = (fl_explore__node){0};
            d->nnodes = i + 1;
            if (fl_explore__alt_push(&d->nodes[i], &d->tr[i]) < 0) return -ENOMEM;
        } else if (i == d->branch) {
            if (fl_explore__alt_push(&d->nodes[i], &d->tr[i]) < 0) return -ENOMEM;
        }
    }
    if (fl_explore__grow((void **)&d->ss, &d->sscap, nst + 1, sizeof *d->ss) < 0) return -ENOMEM;
    const fl_sched_footprint **ends = calloc((size_t)maxid + 1, sizeof *ends);
    if (!ends) return -ENOMEM;
    d->nsl = 0;
    d->redundant = SIZE_MAX;
    fl_explore__span prev = { 0, 0 };
    for (size_t i = 0; i < nst; i++) {
        d->ss[i] = prev;
        if (!reduce) continue;
        const fl_explore__dstep *s = &d->st[i];
        if (s->cur >= 0) ends[s->cur] = &s->end;
        if (fl_explore__asleep(d, prev, s->chosen)) {
            d->redundant = i; /* below i, everything is equivalent to runs made */
            for (size_t j = i + 1; j < nst; j++) d->ss[j] = (fl_explore__span){ 0, 0 };
            break;
        }
        size_t noff = d->nsl;
        const fl_sched_footprint *ti = &d->tr[i].fp;
        for (size_t k = 0; k < prev.n; k++) {
            fl_explore__sleeper x = d->sl[prev.off + k];
            const fl_sched_footprint *xfp = &d->nodes[x.node].a[x.alt].fp;
            if (x.by_block && fl_explore__costly_swap(d, i, xfp, x.tid, ends, maxid + 1)) continue;
            if (fl_sched_footprint_independent(xfp, ti) && fl_explore__sleep_push(d, x) < 0) goto oom;
        }
        const fl_explore__node *nd = &d->nodes[i];
        bool cur_runnable = fl_explore__has(d->ids + s->off, s->n, s->cur);
        for (int k = 0; k + 1 < nd->n; k++) {
            const fl_explore__alt *x = &nd->a[k];
            bool running = x->tid == s->cur && cur_runnable;
            bool eligible =
                running || (x->blocked_after && !fl_explore__costly_swap(d, i, &x->fp, x->tid, ends, maxid + 1));
            if (!eligible || x->tid == s->chosen || !fl_sched_footprint_independent(&x->fp, ti)) continue;
            if (fl_explore__asleep(d, (fl_explore__span){ noff, d->nsl - noff }, x->tid)) continue;
            if (fl_explore__sleep_push(d, (fl_explore__sleeper){ x->tid, k, i, !running }) < 0) goto oom;
        }
        prev = (fl_explore__span){ noff, d->nsl - noff };
    }
    free(ends);
    return 0;
oom:
    free(ends);
    return -ENOMEM;
}

/* ---- DPOR: backtrack sets from races ------------------------------------------ */

/* Node x is asked to run thread q: q itself when it could run there, else
 * every thread that could (q's step can come earlier only after one of them
 * enables it). */
static void fl_explore__bt_add(fl_explore__dfs *d, size_t x, int q)
{
    fl_explore__node *nd = &d->nodes[x];
    const fl_explore__dstep *s = &d->st[x];
    const int *r = d->ids + s->off;
    if (fl_explore__has(r, s->n, q)) {
        if (q < 64) nd->bt |= 1ull << q;
        else nd->bt_all = true;
        return;
    }
    for (int k = 0; k < s->n; k++) {
        if (r[k] < 64) nd->bt |= 1ull << r[k];
        else nd->bt_all = true;
    }
}

/* Transition i races with the later j: try j's thread before i — at i
 * (Flanagan & Godefroid), and at the step where i's thread was last
 * switched in, the point Coons et al. add because under a preemption bound
 * the switch at i may cost a preemption the bound does not have, where
 * switching to j's thread instead of i's at the start of its block costs
 * none more than the schedule already run. */
static void fl_explore__race(void *ud, size_t i, size_t j)
{
    fl_explore__dfs *d = ud;
    int q = d->tr[j].tid;
    fl_explore__bt_add(d, i, q);
    size_t c = i;
    while (c > 0 && d->st[c - 1].chosen == d->st[i].chosen) c--;
    if (c != i) fl_explore__bt_add(d, c, q);
}

/* After the analysis: every race of the run adds its backtrack points. A
 * run too long to analyse asks for every alternative at every step. */
static int fl_explore__dpor(fl_explore__dfs *d)
{
    int rc = fl_explore__races(d->nst, d->tr, fl_explore__race, d);
    if (rc == -E2BIG) {
        for (size_t i = 0; i < d->nst; i++) d->nodes[i].bt_all = true;
        rc = 0;
    }
    return rc;
}

/* With DPOR, alternative q at node nd is still to run: a race asked for it
 * and it has not run there. */
static bool fl_explore__wanted(const fl_explore__node *nd, int q)
{
    for (int k = 0; k < nd->n; k++)
        if (nd->a[k].tid == q) return false;
    return nd->bt_all || (q < 64 && (nd->bt >> q & 1));
}

/* The next prefix after this run, into *next: the deepest step (not below a
 * redundant one) with an alternative after the path's choice (with DPOR:
 * one a race asked for that has not run there), within the bound and not
 * asleep. 0: the search is complete. */
static int fl_explore__backtrack(fl_explore__dfs *d, uint32_t bound, bool dpor, fl_sched_schedule *next,
                                 uint64_t *pruned)
{
    size_t top = d->redundant == SIZE_MAX ? d->nst : d->redundant + 1;
    uint64_t *pre = malloc((d->nst + 1) * sizeof *pre);
    int *order = NULL;
    if (!pre) return -ENOMEM;
    int maxn = 1;
    pre[0] = 0;
    for (size_t i = 0; i < d->nst; i++) {
        const fl_explore__dstep *s = &d->st[i];
        bool cur_runnable = fl_explore__has(d->ids + s->off, s->n, s->cur);
        pre[i + 1] = pre[i] + (cur_runnable && s->chosen != s->cur);
        if (s->n > maxn) maxn = s->n;
    }
    order = malloc((size_t)maxn * sizeof *order);
    if (!order) {
        free(pre);
        return -ENOMEM;
    }
    int found = 0;
    for (size_t i = top; i-- > 0 && !found;) {
        const fl_explore__dstep *s = &d->st[i];
        bool cur_runnable = fl_explore__has(d->ids + s->off, s->n, s->cur);
        int k = fl_explore__order(d, s, order);
        int p = 0;
        while (p < k && order[p] != s->chosen) p++;
        for (int q = dpor ? 0 : p + 1; q < k; q++) {
            if (dpor && !fl_explore__wanted(&d->nodes[i], order[q])) continue;
            uint64_t cost = pre[i] + (cur_runnable && order[q] != s->cur);
            if (cost > bound) continue;
            if (fl_explore__asleep(d, d->ss[i], order[q])) {
                uint64_t bit = order[q] < 64 ? 1ull << order[q] : 0;
                if (!dpor || !(d->nodes[i].slept & bit)) (*pruned)++;
                d->nodes[i].slept |= bit;
                continue;
            }
            for (size_t j = 0; j < i; j++)
                if (fl_sched_schedule_push(next, (uint32_t)d->st[j].chosen) < 0) goto oom;
            if (fl_sched_schedule_push(next, (uint32_t)order[q]) < 0) goto oom;
            for (size_t j = i + 1; j < d->nnodes; j++) free(d->nodes[j].a);
            d->nnodes = i + 1;
            d->branch = i;
            found = 1;
            break;
        }
    }
    free(order);
    free(pre);
    return found;
oom:
    free(order);
    free(pre);
    return -ENOMEM;
}

static void fl_explore__emsg(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

typedef struct fl_explore__inproc {
    void (*main_fn)(void *);
    void *arg;
    bool symmetric;
} fl_explore__inproc;

static int fl_explore__inproc_run(void *ud, const fl_sched_schedule *prefix, const fl_sched_hook *hook,
                                  uint64_t step_budget, fl_sched_result *res)
{
    const fl_explore__inproc *p = ud;
    fl_sched_opts so = { .strategy = FL_SCHED_STRAT_REPLAY, .step_budget = step_budget, .symmetric = p->symmetric };
    return fl_sched_run_ex(&so, prefix, p->main_fn, p->arg, res, hook);
}

int fl_explore_run(const fl_explore_opts *opts, void (*main_fn)(void *), void *arg, fl_sched_check_fn check,
               void *ud, fl_explore_result *out, char *err, size_t errlen)
{
    fl_explore__inproc p = { main_fn, arg, opts && opts->symmetric };
    return fl_explore_search(opts, fl_explore__inproc_run, &p, check, ud, out, err, errlen);
}

int fl_explore_search(const fl_explore_opts *opts, fl_explore_run_fn run, void *run_ud, fl_sched_check_fn check,
                      void *ud, fl_explore_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    fl_explore_opts o = { .preemption_bound = 2 };
    if (opts) o = *opts;
    uint64_t max_runs = o.max_runs ? o.max_runs : 100000;
    fl_sched_schedule prefix = { .strategy = FL_SCHED_STRAT_DFS, .flags = FL_SCHED_SCHEDULE_OPEN };
    fl_explore__dfs d = { .branch = SIZE_MAX };
    bool reduce = !o.no_reduction;
    bool dpor = reduce && !o.no_dpor;
    out->reduced = reduce;
    out->dpor = dpor;
    int rc = 0;
    for (;;) {
        if (out->runs >= max_runs) break;
        fl_sched_hook hook = { .step = fl_explore__dfs_hook, .ud = &d, .footprint = fl_explore__fp_hook };
        fl_sched_result res;
        memset(&res, 0, sizeof res);
        d.nst = d.nids = 0;
        d.have_pend = false;
        rc = run(run_ud, &prefix, &hook, o.step_budget, &res);
        if (rc < 0) {
            fl_explore__emsg(err, errlen, res.report ? res.report : "explore: the run could not start");
            fl_sched_result_free(&res);
            goto done;
        }
        out->runs++;
        if (res.steps > out->max_steps) out->max_steps = res.steps;
        int f = check(ud, &res);
        if (f < 0) {
            rc = f;
            fl_explore__emsg(err, errlen, "explore: the check failed");
            fl_sched_result_free(&res);
            goto done;
        }
        if (f == 1) {
            out->failures++;
            if (!out->first_failure) {
                out->first_failure = res.schedule;
                out->first_status = res.status;
                res.schedule = NULL;
            }
        }
        fl_sched_result_free(&res);
        if (d.oom) {
            rc = -ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < d.nst && i < prefix.steps; i++)
            if (!d.st[i].followed) {
                char m[160];
                snprintf(m, sizeof m, "explore: the program is not deterministic: step %zu of a replayed prefix "
                         "named thread %d, which could not run", i, d.st[i].chosen);
                fl_explore__emsg(err, errlen, m);
                rc = -EPROTO;
                goto done;
            }
        if (f == 1 && !o.keep_going) break;
        if ((rc = fl_explore__analyse(&d, reduce)) < 0) goto done;
        if (dpor && (rc = fl_explore__dpor(&d)) < 0) goto done;
        if (d.redundant != SIZE_MAX) out->redundant++;
        fl_sched_schedule next = { .strategy = FL_SCHED_STRAT_DFS, .flags = FL_SCHED_SCHEDULE_OPEN };
        int b = fl_explore__backtrack(&d, o.preemption_bound, dpor, &next, &out->pruned);
        if (b < 0) {
            rc = b;
            fl_sched_schedule_free(&next);
            goto done;
        }
        fl_sched_schedule_free(&prefix);
        prefix = next;
        if (b == 0) {
            out->complete = true;
            break;
        }
    }
done:
    fl_sched_schedule_free(&prefix);
    free(d.st);
    free(d.ids);
    for (size_t i = 0; i < d.nnodes; i++) free(d.nodes[i].a);
    free(d.nodes);
    free(d.tr);
    free(d.sl);
    free(d.ss);
    if (rc < 0) fl_explore_result_free(out);
    return rc;
}

void fl_explore_result_free(fl_explore_result *out)
{
    if (!out) return;
    free(out->first_failure);
    memset(out, 0, sizeof *out);
}
