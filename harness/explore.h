/*
 * explore.h — bounded exhaustive search over schedules (prefix fl_explore_).
 *
 * Stateless depth-first search with a preemption bound (iterative context
 * bounding, as in CHESS): every run replays a prefix of choices and then
 * follows the non-preemptive default (keep the current thread, else the
 * lowest runnable id); after each run the deepest step with an untried
 * runnable alternative, whose preemptions stay within the bound, becomes the
 * next prefix. Every schedule with at most `preemption_bound` preemptions is
 * run exactly once. It suits small programs: the count grows roughly as
 * steps^bound.
 *
 * The program must be deterministic under the seam (same choices → same
 * runs); the search checks this and fails with -EPROTO otherwise.
 */
#ifndef FL_EXPLORE_H
#define FL_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_sched.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fl_explore_opts {
    uint32_t preemption_bound; /* at most this many preemptions per schedule */
    uint64_t max_runs;         /* 0 = 100000; reaching it ends the search incomplete */
    uint64_t step_budget;      /* per run; 0 = FL_SCHED_DEFAULT_BUDGET */
    bool keep_going;           /* false: stop at the first failing run */
} fl_explore_opts;

typedef struct fl_explore_result {
    uint64_t runs;             /* schedules run (distinct) */
    bool complete;             /* every schedule within the bound was run */
    uint64_t failures;         /* runs the check judged failed */
    char *first_failure;       /* strict schedule (origin dfs) of the first, or NULL */
    fl_sched_status first_status;
    uint64_t max_steps;        /* longest run seen */
} fl_explore_result;

/* Explore main_fn(arg) under opts (NULL: bound 2, defaults). check judges
 * each run (and resets the program's state, see fl_run_check_fn). 0 and
 * *out filled (free with fl_explore_result_free), or a negative errno:
 * -EPROTO (the program is not deterministic), -EINVAL/-EBUSY/-ENOMEM from
 * fl_sched_run, or check's negative return; err (may be NULL) gets a message. */
int fl_explore(const fl_explore_opts *opts, void (*main_fn)(void *), void *arg, fl_run_check_fn check,
               void *ud, fl_explore_result *out, char *err, size_t errlen);

/* Free out->first_failure and zero *out. out may be NULL. */
void fl_explore_result_free(fl_explore_result *out);

#ifdef __cplusplus
}
#endif
#endif
