/*
 * runner_int.h — private to the runner (runner.c, runner_case.c,
 * runner_explore.c, runner_free.c): one run split into its phases, so that a
 * caller other than fl_runner_run (fl_explore_run's main_fn and check) can drive
 * the run itself.
 *
 * A run, by phase:
 *   fl_runner__begin   on an uncontrolled thread: build the world, the spec
 *                      with the runner's event hook and log sink;
 *   fl_runner__main    the main_fn of fl_sched_run / fl_explore_run (controlled
 *                      thread 0, or the free platform's main thread);
 *   fl_runner__judge   back on the uncontrolled thread, with the scheduler's
 *                      result: oracle + expectations into out;
 *   fl_runner__end     hand the trace and log to out, free the rest.
 * begin must be followed by end whatever happened in between; end is
 * idempotent (a zeroed context is "ended").
 */
#ifndef FL_RUNNER_INT_H
#define FL_RUNNER_INT_H

#include "runner/fl_runner.h"
#include "explore/fl_explore.h"

#include <stdatomic.h>
#include <sys/types.h>

typedef struct fl_runner__ctx {
    const fl_scenario *s;
    fl_world *w;
    sv_sup_spec spec;
    bool free_run;        /* FL_SCHED_STRAT_FREE: real threads that may outlive the run */
    bool abandoned;       /* free run: the platform left threads running, which
                             may still use the world: it is never freed */
    uint32_t time_scale;  /* free runs: scenario ns per real ns (>= 1); 0: none */
    /* written by the hooks (event lock held) */
    fl_event *trace;
    size_t ntrace, cap;
    char **log;
    size_t nlog, logcap;
    _Atomic uint64_t last_seq;
    bool oom;
    /* written by main */
    fl_oracle_run_info info;
    fl_oracle_admin_call *admin;
    size_t nadmin;
    fl_scenario_state *states;   /* per expects[] index: what `expect state` saw */
    fl_oracle_snapshot *snaps;  /* the supervisors' views, at quiescent points (runner_view.c) */
    size_t nsnaps, snapcap;
    int64_t snap_period;        /* periodic snapshots every this many ns; 0 none */
    int *snap_of;               /* per expects[] index: its snapshot in snaps, -1 none */
    char **mismatch;    /* `result=` mismatches, formatted */
    size_t nmismatch;
    int root_exit;
    bool main_done;
    bool begun;         /* begin succeeded or failed part-way: end has work */
} fl_runner__ctx;

/* Prepare c (zeroed first) for one run of s with world seed `seed`; out must
 * be initialised (fl_runner__out_init). 0, or a negative errno with
 * out->sched_report saying why when it is the user's doing (an unregistered
 * worker, a malformed FAULTLINE_FAILPOINTS). Call fl_runner__end after, in
 * every case. */
int fl_runner__begin(fl_runner__ctx *c, const fl_scenario *s, uint64_t seed, fl_runner_out *out);

/* main_fn of the run; arg is the fl_runner__ctx. */
void fl_runner__main(void *arg);

/* Judge the run that fl_sched_run / fl_explore_run made of c (res: its result;
 * free_run: an FL_SCHED_STRAT_FREE run): run the oracle and the
 * expectations into out->verdict and copy the run's numbers, schedule and
 * report into out. 0, or -ENOMEM. */
int fl_runner__judge(fl_runner__ctx *c, const fl_sched_result *res, bool free_run, fl_runner_out *out);

/* Move the trace and the log into out (when out is not NULL; else free
 * them) and free everything else c owns; c is zeroed. Safe on a zeroed c. */
void fl_runner__end(fl_runner__ctx *c, fl_runner_out *out);

/* Zero out and initialise its verdict (root_exit -1). */
void fl_runner__out_init(fl_runner_out *out);

/* printf into a fresh malloc'd string, NULL on ENOMEM. */
char *fl_runner__strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Move run r into case c as its recorded run (trace, schedule, replay line
 * when r has a schedule); inv (may be NULL) is the violation to name: c
 * gets its invariant and the message of every violation of r, inv first.
 * 0 or -ENOMEM (runner_case.c). */
/* Free a case's threads (names owned) and zero them. */
void fl_runner__threads_free(fl_case *c);

int fl_runner__record(fl_case *c, fl_runner_out *r, const fl_oracle_violation *inv);

/* c's fields that describe scenario s, not its runs (path, name, known-bad
 * invariant). 0 or -ENOMEM (runner_case.c). */
int fl_runner__case_head(const fl_scenario *s, fl_case *c);

/* The command line that reruns exactly one seed of path (`faultline run PATH
 * --seed N --strategy S [--depth D [--pct-k K]] [--budget B]`), with the same
 * environment prefix as fl_runner_replay_line. Malloc'd, NULL on ENOMEM. */
char *fl_runner__rerun_line(const char *path, uint64_t seed, int strategy, uint32_t depth, uint64_t pct_k,
                            uint64_t budget);

/* ---- the pool's live page (runner_pool.c writes the parent's side) -------------- */

/* One page per pool slot, mmap'd MAP_SHARED before the fork, so the parent
 * can read what the child was doing after it killed it (or saw it die).
 * The child writes: the run's parameters before each run, every scheduling
 * choice as it is made (run-length encoded, by the step hook on controlled
 * threads, which the baton serialises), the counters after each run. The
 * parent reads the counters while the child runs (relaxed atomics, progress
 * only) and the rest only after waitpid (the child is gone). */
#define FL_RUNNER__LIVE_RUNS 32768u
struct fl_runner_live {
    _Atomic int stop;              /* parent -> child: stop at the next run boundary */
    _Atomic uint32_t runs_done;    /* runs finished in the current item */
    _Atomic uint32_t failed_runs;
    bool active;                   /* a run is in progress (params below are its) */
    uint64_t seed, pct_k, budget;
    uint32_t depth;
    int strategy;                  /* fl_sched_strategy */
    uint32_t flags;                /* FL_SCHED_SCHEDULE_TIMERS when the run lets timers fire early */
    bool overflow;                 /* more switches than runs[] holds */
    uint64_t steps, preemptions;   /* of the run so far (a preemption: switching
                                      away from a thread that could go on) */
    fl_explore_rec *rec;           /* not NULL: every step in detail too, for a
                                      search in the parent (its own MAP_SHARED
                                      mapping, fl_runner_part_in_child) */
    size_t nruns;
    fl_sched_schedule_run runs[FL_RUNNER__LIVE_RUNS];
};

/* The live page's hook functions (runner.c): the step one publishes the
 * choice, counts steps and preemptions, and records the step in detail
 * when l->rec is set; the footprint one records the footprint then. */
void fl_runner__live_step(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed);
void fl_runner__live_fp(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp);

/* ---- work items in child processes (runner_child.c; runner_pool.c) -------------- */

/* One child process running a work item, seen from the parent. */
typedef struct fl_runner__slot {
    pid_t pid;             /* 0: free */
    int fd;
    size_t item;
    char *buf;
    size_t n, cap;
    int64_t deadline;      /* monotonic ns; INT64_MAX: none. Moved on to now +
                              timeout each time the child finishes a run
                              (live->runs_done changes): the timeout bounds
                              one run, not the item, so a slow or loaded
                              machine stretches an item but never times a
                              healthy run out; a run that never ends does */
    uint32_t seen_done;    /* live->runs_done when deadline was last set */
    bool timed_out, discard;
    struct fl_runner_live *live;
    int out;               /* memfd the child's stdout and stderr go to (a
                              scenario with user workers), or -1: inherited */
    bool captured;         /* the running child writes into out */
} fl_runner__slot;

/* Monotonic clock, ns. */
int64_t fl_runner__mono_ns(void);

/* The child's side: run seeds [from, from + count) of s under o with the
 * live page, send the part down fd, exit. cpu >= 0 binds it to that CPU;
 * outfd >= 0 becomes its stdout and stderr. Never returns. */
void fl_runner__child(const fl_scenario *s, const fl_runner_opts *o, uint32_t from, uint32_t count,
                      struct fl_runner_live *live, int fd, int cpu, int outfd) __attribute__((noreturn));

/* Read what sl's child sent so far into sl->buf (non-blocking fd): 1 at
 * EOF or a broken pipe, 0 when it would block, -ENOMEM. */
int fl_runner__read(fl_runner__slot *sl);

/* Empty sl's output memfd (size and shared offset) for its next child. */
void fl_runner__output_reset(fl_runner__slot *sl);

/* File the part of sl's child, reaped with status: the one it sent, or one
 * made from its live page ("crash"/"timeout", with the output's tail when
 * captured) when it died, timed out or sent nothing well-formed. 0 or
 * -ENOMEM. */
int fl_runner__finish(const fl_scenario *s, fl_runner__slot *sl, int status, int64_t timeout_ns, bool verbose,
                      fl_runner_part *part);

/* ---- snapshots (runner_view.c) ------------------------------------------------------ */

/* Periodic snapshots: one every FL_RUNNER__SNAP_PERIOD_NS of virtual time,
 * at most FL_RUNNER__SNAP_MAX per run (the period grows for long runs). */
#define FL_RUNNER__SNAP_PERIOD_NS 100000000ll
#define FL_RUNNER__SNAP_MAX 32

/* On main: ask sup (the root, or a nested supervisor's handle; name: its
 * name) for which_children, count_children and which_children, record them
 * with the seq window as c->snaps[i]; at is the virtual time from the run's
 * start. i, or -1 (that supervisor already exited, or out of memory:
 * c->oom). */
int fl_runner__snapshot(fl_runner__ctx *c, sv_sup *sup, const char *name, int64_t at);
/* The supervisor `in` declares, reached now from root: root itself for the
 * root (or NULL), else a new handle from sv_sup_lookup of its path. 0, or
 * the lookup's error (-SV_ERESTARTING, -ESRCH, -SV_ESHUTDOWN, …). Give the
 * handle back with fl_runner__let_go. */
int fl_runner__reach(sv_sup *root, const fl_scenario_sup_decl *in, sv_sup **out);
void fl_runner__let_go(sv_sup *root, sv_sup *h);
/* Free c's snapshots. */
void fl_runner__snapshots_free(fl_runner__ctx *c);
/* The next time (from the start) an `expect count` / `expect children`
 * wants a supervisor's view, INT64_MAX if none. */
int64_t fl_runner__view_next(const fl_runner__ctx *c);
/* At time point `at` (at_end: the end of the run's duration): for each
 * supervisor of the tree (the root, then the nested ones depth first),
 * take a snapshot if one is periodic now or an expectation on it wants
 * one, and give it to those expectations (c->snap_of). A nested supervisor
 * that is not running then (restarting, stopped, gone) is skipped. */
void fl_runner__view_at(fl_runner__ctx *c, sv_sup *sup, int64_t at, bool at_end, bool periodic);

/* On main, at time point at (at_end: the end of the run): for each `expect
 * state` due then, the state its supervisor (the root, or the nested one
 * at its sup=PATH, looked up now) shows for its child into c->states[i]
 * (absent when not listed or that supervisor is not running). */
void fl_runner__observe_states(fl_runner__ctx *c, sv_sup *sup, bool at_end, int64_t at);

/* ---- free runs (runner_free.c) ---------------------------------------------------- */

/* Stack a time-scaling layer on the binding in force (the free platform's):
 * clock reads return t0 + (real - t0) * scale and every deadline is mapped
 * back to real time, so a scenario's 1 s lasts 1/scale s. Every other
 * operation goes to the binding below unchanged. Must be called by the run's
 * main thread before it creates any thread and before any libsv object
 * exists (the seam's binding rule); the layer stays bound until the free run
 * unbinds the platform. scale 1 (or 0) binds nothing. Never fails. */
void fl_runner__time_scale(uint32_t scale);

#endif
