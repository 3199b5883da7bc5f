/*
 * shrink.h — reduce a failing schedule to a smaller one that fails the same
 * way (prefix fl_shrink_).
 *
 * Candidates are open schedules (FL_SCHEDULE_OPEN | FL_SCHEDULE_EDITED): a
 * prefix of choices, after which — and wherever a recorded choice names a
 * thread that cannot run — the non-preemptive default continues (keep the
 * current thread, else the lowest runnable id). They replay deterministically.
 * Edits, tried in rounds until none helps: cut the tail (every prefix, or a
 * binary search on the prefix length past 64 runs), delete one run of
 * choices, give a run to the thread of the run before or after it (removing
 * a context switch), give a run to any other thread of the list, swap two
 * neighbouring runs, halve a run.
 *
 * "Smaller" is lexicographic on (preemptions, steps) of the run a candidate
 * produces, then on string length. Those numbers come from the run itself:
 * when the callback replays the candidate with fl_sched_run on the calling
 * thread (the normal case), the shrinker sees that run's strict schedule and
 * counts, and continues from the strict schedule. If the callback runs it
 * some other way (a subprocess), the candidate's own switches and length
 * stand in for them.
 *
 * The result is never longer than the input: it is the smallest failing
 * run's strict schedule when that fits, else its open form, else the input.
 */
#ifndef FL_SHRINK_H
#define FL_SHRINK_H

#include <stddef.h>
#include <stdint.h>

#include "schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Replay candidate (FL_STRAT_REPLAY) and say whether it fails the same way
 * as the original: 1 yes, 0 no, negative errno to abort the shrink. */
typedef int (*fl_shrink_fails_fn)(const char *candidate, void *ud);

typedef struct fl_shrink_opts {
    uint32_t max_runs;  /* callback invocations; 0 = 2000 */
} fl_shrink_opts;

typedef struct fl_shrink_result {
    char *schedule;                   /* the smallest failing schedule (malloc'd) */
    size_t len_before, len_after;     /* string lengths */
    uint64_t steps_before, steps_after;
    uint64_t preempt_before, preempt_after;
    uint64_t switches_before, switches_after; /* context switches in the choices */
    uint32_t runs;                    /* callback invocations */
    uint32_t accepted;                /* candidates that improved the result */
    int strict;                       /* 1: schedule is a strict, fully recorded one */
} fl_shrink_result;

/* Shrink schedule. 0 and *out filled (free with fl_shrink_result_free);
 * -EINVAL: schedule does not parse (err says where); -ESRCH: the input
 * itself does not fail per the callback; a negative errno from the callback;
 * -ENOMEM. err (may be NULL) receives a message on failure. opts may be NULL. */
int fl_shrink(const char *schedule, fl_shrink_fails_fn fails, void *ud, const fl_shrink_opts *opts,
              fl_shrink_result *out, char *err, size_t errlen);

/* Free out->schedule and zero *out. out may be NULL. */
void fl_shrink_result_free(fl_shrink_result *out);

#ifdef __cplusplus
}
#endif
#endif
