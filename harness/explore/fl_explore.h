/*
 * fl_explore.h — search over schedules: bounded exhaustive DFS and shrinking
 * (prefix fl_explore_).
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
 *
 * Reduction (on unless opts.no_reduction): sleep sets (Godefroid 1996) over
 * the footprints the scheduler reports for each step (fl_sched_footprint):
 * an alternative is not run when it is equivalent — the same steps, the
 * independent ones in another order — to a schedule already run that has
 * no more preemptions. With them, dynamic partial-order reduction (Flanagan
 * & Godefroid 2005, with the bounded variant's extra backtrack points of
 * Coons, Musuvathi & McKinley 2013; off with opts.no_dpor): an alternative
 * is run only where a race seen in some run asks for it. `complete` then means: every schedule within the
 * bound was run or is equivalent to one that was, so a complete reduced
 * search finds every failure the unreduced one finds. The argument, and
 * its assumption (shared plain memory is accessed race-free, i.e. ordered
 * by the seam's synchronisation — the same assumption under which
 * scheduling only at seam calls is complete, as in CHESS), is in
 * docs/scheduler.md, "Reduction".
 */
#ifndef FL_EXPLORE_H
#define FL_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/fl_sched.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fl_explore_opts {
    uint32_t preemption_bound; /* at most this many preemptions per schedule */
    uint64_t max_runs;         /* 0 = 100000; reaching it ends the search incomplete */
    uint64_t step_budget;      /* per run; 0 = FL_SCHED_DEFAULT_BUDGET */
    bool keep_going;           /* false: stop at the first failing run */
    bool no_reduction;         /* true: run every schedule within the bound (no
                                  sleep sets, no DPOR); the default reduces, see above */
    bool no_dpor;              /* true: sleep sets only, without dynamic
                                  partial-order reduction (for comparison) */
    bool symmetric;            /* fl_explore_run: runs with fl_sched_opts.symmetric
                                  (the program promises that threads of one class
                                  are interchangeable); fl_explore_search leaves it
                                  to the run function */
} fl_explore_opts;

typedef struct fl_explore_result {
    uint64_t runs;             /* schedules run (distinct) */
    bool complete;             /* every schedule within the bound was run */
    uint64_t failures;         /* runs the check judged failed */
    char *first_failure;       /* strict schedule (origin dfs) of the first, or NULL */
    fl_sched_status first_status;
    uint64_t max_steps;        /* longest run seen */
    bool reduced;              /* sleep-set reduction was on */
    bool dpor;                 /* dynamic partial-order reduction was on too */
    uint64_t pruned;           /* alternatives skipped: asleep (equivalent to one run) */
    uint64_t redundant;        /* runs whose tail ran a sleeping thread (their
                                  subtrees are skipped) */
} fl_explore_result;

/* Explore main_fn(arg) under opts (NULL: bound 2, defaults). check judges
 * each run (and resets the program's state, see fl_sched_check_fn). 0 and
 * *out filled (free with fl_explore_result_free), or a negative errno:
 * -EPROTO (the program is not deterministic), -EINVAL/-EBUSY/-ENOMEM from
 * fl_sched_run, or check's negative return; err (may be NULL) gets a message. */
int fl_explore_run(const fl_explore_opts *opts, void (*main_fn)(void *), void *arg, fl_sched_check_fn check,
               void *ud, fl_explore_result *out, char *err, size_t errlen);

/* One run of a search: run the program once with prefix (an open DFS
 * schedule: follow its choices, then the non-preemptive default) and hook
 * (call hook->step for every step, in order, as fl_sched_run_ex does), and
 * fill res (status, schedule, steps at least). 0, or a negative errno with
 * res->report saying why. For programs run elsewhere (one process per run,
 * exec/), the steps may be recorded there and replayed into the hook. */
typedef int (*fl_explore_run_fn)(void *ud, const fl_sched_schedule *prefix, const fl_sched_hook *hook,
                                 uint64_t step_budget, fl_sched_result *res);

/* fl_explore_run over any run function (same options, check and result). */
int fl_explore_search(const fl_explore_opts *opts, fl_explore_run_fn run, void *run_ud, fl_sched_check_fn check,
                      void *ud, fl_explore_result *out, char *err, size_t errlen);

/* Free out->first_failure and zero *out. out may be NULL. */
void fl_explore_result_free(fl_explore_result *out);

/* ---- steps across a process boundary (explore_rec.c) ---- */
/*
 * A search needs every step of a run, in order, with its footprint (the
 * hook of fl_explore_run_fn). A run that happens in a child process (exec/:
 * one process per run; runner/: a scenario with user workers) records them
 * there: the child's scheduler hook (fl_explore_rec_hook, or the two
 * functions called from the child's own hook) appends to a fl_explore_rec in
 * memory both processes see (MAP_SHARED, mapped before the fork); the parent
 * tells them to the search's hook once the child ended, with
 * fl_explore_rec_replay. A child that died leaves the steps up to its death.
 * Bounded search (`exec --explore`) and shrink's last phase (exec --shrink,
 * shrink of a scenario with user workers) use this one mechanism.
 */
#define FL_EXPLORE_REC_STEPS (1u << 18) /* steps recorded; a longer run sets overflow */
#define FL_EXPLORE_REC_IDS (1u << 20)   /* their runnable ids, in all */

typedef struct fl_explore_rec_step {
    int32_t cur, chosen, n;    /* as fl_sched_hook.step; n ids follow in ids[] */
    uint32_t followed;
    fl_sched_footprint fp;     /* of cur's transition that ended at this step */
} fl_explore_rec_step;

typedef struct fl_explore_rec {
    uint32_t nsteps, nids;
    uint32_t overflow;         /* 1: a step did not fit; it and later ones are missing */
    fl_sched_footprint pend;   /* reported for the step about to be recorded */
    fl_explore_rec_step steps[FL_EXPLORE_REC_STEPS];
    int32_t ids[FL_EXPLORE_REC_IDS];
} fl_explore_rec;

/* Empty r for the next run. Never fails. */
void fl_explore_rec_reset(fl_explore_rec *r);
/* Record the footprint the scheduler reports just before a step, and the
 * step itself (its runnable ids copied). A step that does not fit sets
 * r->overflow; never fails otherwise. Called in the child, in the hook. */
void fl_explore_rec_footprint(fl_explore_rec *r, const fl_sched_footprint *fp);
void fl_explore_rec_push(fl_explore_rec *r, int cur, const int *runnable, int n, int chosen, bool followed);
/* A hook (step and footprint, ud = r) that records into r. */
fl_sched_hook fl_explore_rec_hook(fl_explore_rec *r);
/* Tell steps[0..nsteps) (their runnable ids in ids[0..nids)) to hook in
 * order, footprint before step, as the scheduler would have; hook may be
 * NULL. A footprint with more than FL_SCHED_FP_MAX keys is told as global
 * (steps[] is corrected in place). 0, or -1 when the ids do not add up. */
int fl_explore_rec_replay(fl_explore_rec_step *steps, uint32_t nsteps, const int32_t *ids, uint32_t nids,
                          const fl_sched_hook *hook);

/* ---- shrink ---- */
/*
 * shrink.h — reduce a failing schedule to a smaller one that fails the same
 * way.
 *
 * Candidates are open schedules (FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED): a
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
 * counts, and continues from the strict schedule; a callback that runs it
 * in another process reports the same with fl_explore_shrink_report. If
 * the callback does neither, the candidate's own switches and length stand
 * in for them.
 *
 * The result is never longer than the input: it is the smallest failing
 * run's strict schedule when that fits, else its open form, else the input.
 *
 * The edits stop at a local minimum. A last phase searches
 * (fl_explore_search, with reduction) every schedule with 0, 1, ...
 * preemptions — up to FL_EXPLORE_SHRINK_MIN_BOUND, below the best count
 * found — for one that fails the same way, and shrinks that one again: the
 * result then has the fewest preemptions any failing schedule has
 * (min_proven), unless max_runs ended the search first (stopped_early) or
 * the best count is past the limit (beyond_limit). All within max_runs.
 * The search needs every step of each run: it gets them through the
 * calling thread's capture slot (fl_sched_capture.hook) when the callback
 * replays in-thread with fl_sched_run; a callback that replays in another
 * process passes fl_explore_shrink_hook(candidate) to the child's recorder
 * (fl_explore_rec) and reports the run with fl_explore_shrink_report. A
 * callback that does neither gets no last phase (min_searched 0).
 */
#define FL_EXPLORE_SHRINK_MIN_BOUND 3u /* highest bound the last phase searches */
/* Replay candidate (FL_SCHED_STRAT_REPLAY) and say whether it fails the same way
 * as the original: 1 yes, 0 no, negative errno to abort the shrink. */
typedef int (*fl_explore_shrink_fails_fn)(const char *candidate, void *ud);

typedef struct fl_explore_shrink_opts {
    uint32_t max_runs;  /* callback invocations; 0 = 2000 */
} fl_explore_shrink_opts;

typedef struct fl_explore_shrink_result {
    char *schedule;                   /* the smallest failing schedule (malloc'd) */
    size_t len_before, len_after;     /* string lengths */
    uint64_t steps_before, steps_after;
    uint64_t preempt_before, preempt_after;
    uint64_t switches_before, switches_after; /* context switches in the choices */
    uint32_t runs;                    /* callback invocations */
    uint32_t accepted;                /* candidates that improved the result */
    int strict;                       /* 1: schedule is a strict, fully recorded one */
    int min_proven;                   /* 1: preempt_after is the fewest preemptions
                                         any failing schedule has (the bounded
                                         search below it was complete) */
    int stopped_early;                /* 1: max_runs ended that search first */
    int beyond_limit;                 /* 1: no failure with fewer than
                                         FL_EXPLORE_SHRINK_MIN_BOUND preemptions,
                                         and preempt_after is more: bounds past
                                         the limit were not searched */
    uint32_t min_searched;            /* bounds 0 .. min_searched-1 searched
                                         completely, none failing (0: none) */
    uint32_t min_runs;                /* callback invocations of that search */
} fl_explore_shrink_result;

/* Shrink schedule. 0 and *out filled (free with fl_explore_shrink_result_free);
 * -EINVAL: schedule does not parse (err says where); -ESRCH: the input
 * itself does not fail per the callback; a negative errno from the callback;
 * -ENOMEM. err (may be NULL) receives a message on failure. opts may be NULL. */
int fl_explore_shrink(const char *schedule, fl_explore_shrink_fails_fn fails, void *ud, const fl_explore_shrink_opts *opts,
              fl_explore_shrink_result *out, char *err, size_t errlen);

/* Free out->schedule and zero *out. out may be NULL. */
void fl_explore_shrink_result_free(fl_explore_shrink_result *out);

/* For a fails callback that replays candidate in another process: the hook
 * shrink's last phase wants told every step of that run (pass it to the
 * child's recorder: fl_exec_run_hooked, fl_runner_part_in_child), or NULL
 * when it wants none. NULL too when the calling thread is not inside
 * fl_explore_shrink's call of the callback for exactly candidate. */
const fl_sched_hook *fl_explore_shrink_hook(const char *candidate);

/* For the same callback, once the run is over: what the run was — the
 * schedule that replays it (strict, or the open schedule of the choices of
 * a run that died), its steps and preemptions and the scheduler's status —
 * so that shrink compares real counts, continues from that schedule, and
 * runs its last phase. schedule NULL: nothing is reported. Copies schedule;
 * a no-op outside the call for candidate (as fl_explore_shrink_hook). 0 or
 * -ENOMEM. */
int fl_explore_shrink_report(const char *candidate, const char *schedule, uint64_t steps, uint64_t preemptions,
                             fl_sched_status status);

#ifdef __cplusplus
}
#endif
#endif
