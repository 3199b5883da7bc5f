/*
 * explore_rec.c — a run's steps recorded in a child process and told to a
 * search's hook in the parent (see fl_explore.h, "Steps across a process
 * boundary"). Used by exec/ (one process per run) and runner/ (a scenario
 * with user workers), so that bounded search and shrink's last phase work
 * on runs that happen in another process.
 *
 * Invariant: steps[0..nsteps) and ids[0..nids) are in step order, and the
 * runnable ids of steps[i] are the steps[i].n ids that follow those of
 * steps[0..i); a step that does not fit sets overflow and is dropped with
 * every later one, so what is recorded is always a prefix of the run.
 */
#include "explore/explore_int.h"

#include <string.h>

void fl_explore_rec_reset(fl_explore_rec *r)
{
    r->nsteps = r->nids = r->overflow = 0;
    r->pend = (fl_sched_footprint){ .global = true };
}

void fl_explore_rec_footprint(fl_explore_rec *r, const fl_sched_footprint *fp) { r->pend = *fp; }

void fl_explore_rec_push(fl_explore_rec *r, int cur, const int *runnable, int n, int chosen, bool followed)
{
    if (r->overflow || n < 0 || r->nsteps >= FL_EXPLORE_REC_STEPS || r->nids + (uint32_t)n > FL_EXPLORE_REC_IDS) {
        r->overflow = 1;
        return;
    }
    r->steps[r->nsteps++] = (fl_explore_rec_step){ cur, chosen, n, followed, r->pend };
    /* a step whose footprint was not reported conflicts with everything */
    r->pend = (fl_sched_footprint){ .global = true };
    memcpy(r->ids + r->nids, runnable, (size_t)n * sizeof *runnable);
    r->nids += (uint32_t)n;
}

static void fl_explore__rec_step_fn(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen,
                                    bool followed)
{
    (void)step;
    fl_explore_rec_push(ud, cur, runnable, n, chosen, followed);
}

static void fl_explore__rec_fp_fn(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp)
{
    (void)step, (void)cur;
    fl_explore_rec_footprint(ud, fp);
}

fl_sched_hook fl_explore_rec_hook(fl_explore_rec *r)
{
    return (fl_sched_hook){ .step = fl_explore__rec_step_fn, .ud = r, .footprint = fl_explore__rec_fp_fn };
}

int fl_explore_rec_replay(fl_explore_rec_step *steps, uint32_t nsteps, const int32_t *ids, uint32_t nids,
                          const fl_sched_hook *hook)
{
    size_t off = 0;
    for (uint32_t i = 0; i < nsteps; i++) {
        if (steps[i].n < 0 || off + (size_t)steps[i].n > nids) return -1;
        if (!hook || !hook->step) {
            off += (size_t)steps[i].n;
            continue;
        }
        if (hook->footprint && steps[i].cur >= 0) {
            if (steps[i].fp.n > FL_SCHED_FP_MAX) steps[i].fp = (fl_sched_footprint){ .global = true };
            hook->footprint(hook->ud, i, steps[i].cur, &steps[i].fp);
        }
        hook->step(hook->ud, i, steps[i].cur, (const int *)(ids + off), steps[i].n, steps[i].chosen,
                   steps[i].followed != 0);
        off += (size_t)steps[i].n;
    }
    return 0;
}
