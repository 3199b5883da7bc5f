/*
 * explore.c — bounded exhaustive DFS over schedules (see fl_explore.h).
 *
 * Per run, the step hook records for every step: the thread that reached it
 * (cur), the runnable ids, the choice, and whether a prefix choice was
 * followed. Alternatives at a step are ordered [default, others ascending];
 * the chosen one's position says which remain untried, so the DFS needs no
 * memory across runs beyond the prefix it builds.
 */
#include "explore/fl_explore.h"

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
} fl_explore__dstep;

typedef struct fl_explore__dfs {
    fl_explore__dstep *st;
    size_t nst, stcap;
    int *ids;
    size_t nids, idcap;
    bool oom;
} fl_explore__dfs;

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
    d->st[d->nst++] = (fl_explore__dstep){ cur, chosen, d->nids, n, followed };
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

/* The next prefix after this run, into *next. false: the search is complete. */
static int fl_explore__backtrack(const fl_explore__dfs *d, uint32_t bound, fl_sched_schedule *next)
{
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
    for (size_t i = d->nst; i-- > 0 && !found;) {
        const fl_explore__dstep *s = &d->st[i];
        bool cur_runnable = fl_explore__has(d->ids + s->off, s->n, s->cur);
        int k = fl_explore__order(d, s, order);
        int p = 0;
        while (p < k && order[p] != s->chosen) p++;
        for (int q = p + 1; q < k; q++) {
            uint64_t cost = pre[i] + (cur_runnable && order[q] != s->cur);
            if (cost > bound) continue;
            for (size_t j = 0; j < i; j++)
                if (fl_sched_schedule_push(next, (uint32_t)d->st[j].chosen) < 0) goto oom;
            if (fl_sched_schedule_push(next, (uint32_t)order[q]) < 0) goto oom;
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
} fl_explore__inproc;

static int fl_explore__inproc_run(void *ud, const fl_sched_schedule *prefix, const fl_sched_hook *hook,
                                  uint64_t step_budget, fl_sched_result *res)
{
    const fl_explore__inproc *p = ud;
    fl_sched_opts so = { .strategy = FL_SCHED_STRAT_REPLAY, .step_budget = step_budget };
    return fl_sched_run_ex(&so, prefix, p->main_fn, p->arg, res, hook);
}

int fl_explore_run(const fl_explore_opts *opts, void (*main_fn)(void *), void *arg, fl_sched_check_fn check,
               void *ud, fl_explore_result *out, char *err, size_t errlen)
{
    fl_explore__inproc p = { main_fn, arg };
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
    fl_explore__dfs d = {0};
    int rc = 0;
    for (;;) {
        if (out->runs >= max_runs) break;
        fl_sched_hook hook = { fl_explore__dfs_hook, &d };
        fl_sched_result res;
        memset(&res, 0, sizeof res);
        d.nst = d.nids = 0;
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
        fl_sched_schedule next = { .strategy = FL_SCHED_STRAT_DFS, .flags = FL_SCHED_SCHEDULE_OPEN };
        int b = fl_explore__backtrack(&d, o.preemption_bound, &next);
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
    if (rc < 0) fl_explore_result_free(out);
    return rc;
}

void fl_explore_result_free(fl_explore_result *out)
{
    if (!out) return;
    free(out->first_failure);
    memset(out, 0, sizeof *out);
}
