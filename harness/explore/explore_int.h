/*
 * explore_int.h — private to explore/: shrink's minimum-preemption phase
 * (shrink_min.c), used by shrink.c; the race analysis of dynamic
 * partial-order reduction (explore_dpor.c), used by explore.c.
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

/* One transition of a run (or one alternative run at a DFS node): thread
 * tid took the step, and the transition it then executed had footprint fp
 * and left it blocked or done (blocked_after) or still runnable. */
typedef struct fl_explore__alt {
    int tid;
    bool blocked_after;
    fl_sched_footprint fp;
} fl_explore__alt;

/* Transition i races with the later transition j (explore_dpor.c). */
typedef void (*fl_explore__race_fn)(void *ud, size_t i, size_t j);

/* Reports through fn races of the run tr[0..n-1] (tr[j]: the transition
 * taken at step j): every pair whose order another schedule could reverse
 * is reported, or happens before a reported one. A reported pair (i, j) has
 * i < j, different threads, dependent footprints, and i not happening
 * before the transition of j's thread that precedes j; the candidates are
 * the last dependent transitions (per object, the last global one, and for
 * a global j each thread's last). 0, -ENOMEM, or -E2BIG when the
 * run is too long to analyse (n × threads clocks past a fixed cap; the
 * caller then treats every alternative as needed). */
int fl_explore__races(size_t n, const fl_explore__alt *tr, fl_explore__race_fn fn, void *ud);

#endif
