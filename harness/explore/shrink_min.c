/*
 * shrink_min.c — shrink's last phase: the fewest preemptions a failure
 * needs, found by bounded search (iterative deepening on the preemption
 * bound, 0, 1, 2, ... below the best failing schedule's count) over the
 * same program, judged by the same callback (see fl_explore.h).
 *
 * Each search run is an open candidate handed to the caller's `fails`
 * callback; the run's steps reach the search's hook through the capture
 * slot (fl_sched_capture.hook): the scheduler calls it when the callback
 * replays in-thread with fl_sched_run; a callback that replays in a child
 * process fetches it (fl_explore_shrink_hook), has the child record the
 * steps (fl_explore_rec) and tells them to it after the run, and fills the
 * slot's result (fl_explore_shrink_report). A complete search at bound B
 * without a failure proves that no schedule with at most B preemptions
 * fails (the reduced search is complete for the bound: docs/scheduler.md,
 * "Reduction").
 */
#include "explore/explore_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct fl_explore__mrun {
    fl_explore_shrink_fails_fn fails;
    void *ud;
    const fl_sched_schedule *meta;
    int last;            /* the callback's verdict on the last run */
    const fl_sched_hook *inner; /* the search's hook of the run in flight */
    uint64_t told;       /* steps told to it in that run */
} fl_explore__mrun;

/* The hook handed to the callback: the search's, counting the steps, so a
 * run reported without its steps (a callback that does not pass the hook
 * on) is caught rather than taken for a run with no alternatives. */
static void fl_explore__mstep(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed)
{
    fl_explore__mrun *m = ud;
    m->told++;
    m->inner->step(m->inner->ud, step, cur, runnable, n, chosen, followed);
}

static void fl_explore__mfp(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp)
{
    fl_explore__mrun *m = ud;
    if (m->inner->footprint) m->inner->footprint(m->inner->ud, step, cur, fp);
}

static int fl_explore__mrun_fn(void *ud, const fl_sched_schedule *prefix, const fl_sched_hook *hook,
                               uint64_t step_budget, fl_sched_result *res)
{
    fl_explore__mrun *m = ud;
    (void)step_budget;
    fl_sched_schedule cand = *m->meta;
    cand.runs = prefix->runs;
    cand.nruns = prefix->nruns;
    cand.runs_cap = prefix->runs_cap;
    cand.steps = prefix->steps;
    cand.flags = FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED;
    cand.end = FL_SCHED_OK;
    cand.preemptions = 0;
    char *str = fl_sched_schedule_format(&cand);
    if (!str) {
        res->report = strdup("shrink: out of memory");
        return -ENOMEM;
    }
    fl_sched_hook counted = { .step = fl_explore__mstep, .ud = m, .footprint = fl_explore__mfp };
    m->inner = hook;
    m->told = 0;
    fl_sched_capture cap = { .candidate = str, .hook = &counted };
    fl_sched_capture *saved = fl_sched_capture_set(&cap);
    m->last = m->fails(str, m->ud);
    fl_sched_capture_set(saved);
    free(str);
    if (m->last < 0) {
        free(cap.canonical);
        res->report = strdup("shrink: the callback failed");
        return m->last;
    }
    if (!cap.canonical) { /* neither replayed in-thread nor reported: no steps seen */
        res->report = strdup("shrink: the callback reported no run");
        return -ENOTSUP;
    }
    if (m->told != cap.steps) { /* the search would miss alternatives: no proof from it */
        free(cap.canonical);
        res->report = strdup("shrink: the run's steps did not all reach the search");
        return -ENOTSUP;
    }
    res->schedule = cap.canonical;
    res->status = cap.status;
    res->steps = cap.steps;
    res->preemptions = cap.preemptions;
    return 0;
}

static int fl_explore__mcheck(void *ud, const fl_sched_result *res)
{
    (void)res;
    const fl_explore__mrun *m = ud;
    return m->last == 1;
}

int fl_explore__shrink_min(fl_explore_shrink_fails_fn fails, void *ud, const fl_sched_schedule *meta,
                           uint64_t best_pre, uint32_t max_runs, fl_explore__min *out)
{
    memset(out, 0, sizeof *out);
    fl_explore__mrun m = { fails, ud, meta, 0, NULL, 0 };
    uint32_t top = best_pre > FL_EXPLORE__MIN_BOUND ? FL_EXPLORE__MIN_BOUND : (uint32_t)best_pre;
    for (uint32_t b = 0; b < top; b++) {
        if (out->runs >= max_runs) {
            out->stopped_early = true;
            return 0;
        }
        fl_explore_opts eo = { .preemption_bound = b, .max_runs = max_runs - out->runs };
        fl_explore_result r;
        int rc = fl_explore_search(&eo, fl_explore__mrun_fn, &m, fl_explore__mcheck, &m, &r, NULL, 0);
        if (rc < 0) return rc;
        out->runs += (uint32_t)r.runs;
        if (r.first_failure) {
            out->schedule = r.first_failure;
            r.first_failure = NULL;
            out->bound = b;
            out->proven = true; /* every bound below b was searched completely */
            fl_explore_result_free(&r);
            return 0;
        }
        bool complete = r.complete;
        fl_explore_result_free(&r);
        if (!complete) {
            out->stopped_early = true;
            return 0;
        }
        out->searched = b + 1;
    }
    /* no failure below best_pre: best_pre itself is the minimum, if every
     * lower bound was searched */
    out->proven = top == best_pre;
    out->beyond_limit = !out->proven;
    out->bound = (uint32_t)best_pre;
    return 0;
}
