/*
 * runner.h — runs scenarios on the controlled scheduler and judges each run
 * with the oracle (prefix fl_runner_, fl_trace_).
 *
 * One run = one scenario, one seed, one strategy (or one schedule to
 * replay): build the world (fl_scenario_build), start the supervisor tree
 * inside fl_sched_run, carry out the scenario's timed actions on the virtual
 * clock, stop the tree at the end of the run's duration (unless it exited on
 * its own), then check the trace with the oracle (fl_oracle_check) and the
 * scenario's expectations (fl_oracle_expect).
 *
 * One case = one scenario over its seeds: the first failing run is kept
 * (trace, invariant, message, schedule, replay line). A known-bad scenario
 * (`expect fail INV`) passes iff some seed's run violates INV; the runs stop
 * at the first such seed.
 *
 * Determinism: same binary + scenario + seed + strategy gives the same
 * schedule and the same trace; fl_trace_format prints it byte for byte
 * identically (it omits backtrace text, whose addresses depend on where the
 * binary was loaded).
 *
 * Not thread-safe: one run at a time per process (the scheduler's binding
 * of the platform seam is global).
 */
#ifndef FL_RUNNER_H
#define FL_RUNNER_H

#include "oracle.h"
#include "report.h"
#include "scenario.h"
#include "fl_sched.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FL_RUNNER_DEFAULT_SEEDS 200u

/* ---- one run --------------------------------------------------------------- */

typedef struct fl_run_params {
    uint64_t seed;         /* world seed and scheduler seed */
    fl_strategy strategy;  /* FL_STRAT_RANDOM, _PCT, _RR, or _REPLAY */
    uint32_t depth;        /* pct depth (0: scheduler default) */
    uint64_t budget;       /* step budget (0: scheduler default) */
    uint64_t pct_k;        /* pct step estimate (0: scheduler default) */
    const char *schedule;  /* REPLAY: the fl1: string; seed is taken from it */
} fl_run_params;

typedef struct fl_run_out {
    fl_event *trace;       /* owned, seq order */
    size_t ntrace;
    char **log;            /* log lines the sink received (owned) */
    size_t nlog;
    fl_verdict verdict;    /* oracle + expectations */
    fl_sched_status status;
    char *schedule;        /* fl1: string replaying this run (owned), or NULL */
    char *sched_report;    /* deadlock/budget/divergence text, or NULL (owned) */
    char *describe;        /* swarm choices, "" when none (owned) */
    uint64_t seed, steps, preemptions;
    int64_t virtual_ns;
    int root_exit;         /* sv_exit of the root by the end of the duration (its
                              start failed: its SHUTDOWN's reason), -1 still running */
} fl_run_out;

/* Run scenario s once. 0 whenever the run happened (its verdict may hold
 * violations); otherwise a negative errno and nothing ran: -EINVAL (a bad
 * schedule string, or a params error; out->sched_report says what),
 * -ENOENT/-EINVAL/-EBUSY from fl_scenario_build (message in
 * out->sched_report), -ENOMEM. Free out with fl_run_out_free in every case. */
int fl_runner_run(const fl_scenario *s, const fl_run_params *p, fl_run_out *out);
void fl_run_out_free(fl_run_out *out);

/* The replay command line for a schedule: "faultline replay PATH --schedule S"
 * with PATH shell-quoted when needed. Malloc'd, NULL on ENOMEM. */
char *fl_runner_replay_line(const char *path, const char *schedule);
/* Name the replay line starts with (default "faultline"): the basename of
 * argv0, so a user's own binary with its registered workers prints a line
 * that runs itself. Keeps a pointer into argv0 (which must outlive the
 * runner); call once at start-up, before any run. Never fails. */
void fl_runner_set_program(const char *argv0);

/* ---- one case --------------------------------------------------------------- */

typedef struct fl_runner_opts {
    uint32_t seeds;        /* 0: the scenario's `run seeds=` if given, else 200 */
    int strategy;          /* -1: the scenario's; else FL_STRAT_RANDOM/PCT/RR */
    uint32_t depth;        /* 0: the scenario's */
    uint64_t budget;       /* 0: the scenario's */
    /* Called after every run (may be NULL): runs done so far in this case,
     * and whether that run failed. */
    void (*progress)(void *ud, uint32_t runs, bool failed);
    void *progress_ud;
} fl_runner_opts;

/* Effective run parameters of s under o (seeds, first seed, strategy, depth,
 * budget), as fl_runner_case uses them. */
void fl_runner_effective(const fl_scenario *s, const fl_runner_opts *o, uint32_t *seeds,
                         uint64_t *first_seed, fl_strategy *strategy, uint32_t *depth,
                         uint64_t *budget);

/* Run s over its seeds and fill c (zeroed first). Every pointer in c is
 * owned by c (free with fl_runner_case_free), path is copied from s->path.
 * Returns 0 (c->passed says the verdict), or a negative errno when a run
 * could not happen (c then describes the error: passed false, invariant
 * NULL, message the reason). */
int fl_runner_case(const fl_scenario *s, const fl_runner_opts *o, fl_case *c);
void fl_runner_case_free(fl_case *c);

/* ---- traces ------------------------------------------------------------------ */

/* One line per event: "#SEQ t=SEC.NSEC SUP KIND [child=ID inc=N] [reason=R]
 * [err=E] [delay_ns=D] [msg="…"] [+backtrace]". Deterministic; the
 * backtrace text itself is left out (its frames and addresses depend on the
 * build and on where the binary was loaded). */
void fl_trace_format(const fl_event *trace, size_t n, FILE *out);

/* Copy ev into out, duplicating its strings (out->ev's pointers point at the
 * copies). 0 or -ENOMEM (out then owns nothing). */
int fl_event_copy(fl_event *out, const sv_event *ev);
void fl_event_clear(fl_event *e);

#endif
