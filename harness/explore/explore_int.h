/*
 * explore_int.h — private to explore/: shrink's minimum-preemption phase
 * (shrink_min.c), used by shrink.c.
 */
#ifndef FL_EXPLORE_INT_H
#define FL_EXPLORE_INT_H

#include "explore/fl_explore.h"

/* Highest preemption bound the minimum search tries (bounded search grows
 * roughly as steps^bound). */
#define FL_EXPLORE__MIN_BOUND FL_EXPLORE_SHRINK_MIN_BOUND

typedef struct fl_explore__min {
    char *schedule;     /* strict schedule of a failing run with <= bound
                           preemptions (malloc'd), or NULL: none below best_pre */
    uint32_t bound;     /* its bound (the minimum when proven) */
    uint32_t searched;  /* bounds 0 .. searched-1 were searched completely,
                           without a failure */
    uint32_t runs;      /* callback invocations */
    bool proven;        /* every bound below `bound` was searched completely */
    bool stopped_early; /* the run cap ended a search before it completed */
    bool beyond_limit;  /* bounds 0 .. FL_EXPLORE__MIN_BOUND-1 searched completely,
                           no failure: best_pre is past what was searched */
} fl_explore__min;

/* Search bounds 0, 1, ... below min(best_pre, FL_EXPLORE__MIN_BOUND) for a
 * schedule that fails per the callback; meta gives the origin fields of the
 * candidates. 0 and *out filled (out->schedule owned by the caller), or a
 * negative errno: -ENOTSUP when the callback does not replay in-thread, the
 * callback's own negative return, -ENOMEM. */
int fl_explore__shrink_min(fl_explore_shrink_fails_fn fails, void *ud, const fl_sched_schedule *meta,
                           uint64_t best_pre, uint32_t max_runs, fl_explore__min *out);

#endif
