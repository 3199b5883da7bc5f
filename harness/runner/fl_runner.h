/*
 * fl_runner.h — runs scenarios on the controlled scheduler and judges each run
 * with the oracle (prefix fl_runner_).
 *
 * One run = one scenario, one seed, one strategy (or one schedule to
 * replay): build the world (fl_world_build), start the supervisor tree
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
 * One exploration = one scenario over every schedule within a preemption
 * bound (fl_runner_explore, runner_explore.c), each run made and judged as
 * above. A free run (FL_SCHED_STRAT_FREE) runs the tree on real threads in scaled
 * real time, for ThreadSanitizer (fl_runner_run; runner_free.c).
 *
 * Determinism: same binary + scenario + seed + strategy gives the same
 * schedule and the same trace; fl_runner_trace_format prints it byte for byte
 * identically (it omits backtrace text, whose addresses depend on where the
 * binary was loaded).
 *
 * Not thread-safe: one run at a time per process (the scheduler's binding
 * of the platform seam is global).
 */
#ifndef FL_RUNNER_H
#define FL_RUNNER_H

#include "oracle/fl_oracle.h"
#include "report.h"
#include "scenario/fl_scenario.h"
#include "world/fl_world.h"
#include "sched/fl_sched.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>

#define FL_RUNNER_DEFAULT_SEEDS 200u
/* Free runs (FL_SCHED_STRAT_FREE: real threads, real time) cost real time: each
 * lasts the scenario's duration divided by the time scale. Without an
 * explicit seed count they run at most this many seeds per scenario. */
#define FL_RUNNER_FREE_SEEDS 3u
/* Default time scale of free runs: one real nanosecond counts as this many
 * scenario nanoseconds (a scenario's 1 s lasts 500 ms). Higher scales are
 * faster but shrink every real-time margin a scenario has (a 100 ms margin
 * is 10 ms of real time at scale 10), so a loaded machine's wake-up latency
 * starts to fail timing-sensitive checks. */
#define FL_RUNNER_FREE_TIME_SCALE 2u
#define FL_RUNNER_MAX_TIME_SCALE 1000u
/* Free runs are judged with a latency allowance: consecutive events at most
 * FL_RUNNER_FREE_SLACK_REAL_NS apart in real time (20 ms; in scenario time
 * that times the scale, but at most FL_RUNNER_FREE_SLACK_MAX_NS) count as
 * simultaneous, as the virtual clock would show them. See fl_runner_run. */
#define FL_RUNNER_FREE_SLACK_REAL_NS 20000000ll
#define FL_RUNNER_FREE_SLACK_MAX_NS 40000000ll

/* ---- one run --------------------------------------------------------------- */

typedef struct fl_runner_params {
    uint64_t seed;         /* world seed and scheduler seed */
    fl_sched_strategy strategy;  /* FL_SCHED_STRAT_RANDOM, _PCT, _RR, _REPLAY or _FREE */
    uint32_t depth;        /* pct depth (0: scheduler default) */
    uint64_t budget;       /* step budget (0: scheduler default) */
    uint64_t pct_k;        /* pct k, real choices (0: scheduler default) */
    const char *schedule;  /* REPLAY: the fl1: string; seed is taken from it */
    uint32_t time_scale;   /* FREE: scenario ns per real ns, 1 = real time
                              (0: FL_RUNNER_FREE_TIME_SCALE); ignored otherwise */
    struct fl_runner_live *live; /* the pool's shared page of the run in progress
                              (runner_pool.c), or NULL: when set, every
                              scheduling choice of a controlled run is
                              published there as it is made */
} fl_runner_params;

typedef struct fl_runner_out {
    fl_event *trace;       /* owned, seq order */
    size_t ntrace;
    char **log;            /* log lines the sink received (owned) */
    size_t nlog;
    fl_oracle_verdict verdict;    /* oracle + expectations */
    fl_sched_status status;
    char *schedule;        /* fl1: string replaying this run (owned); NULL for
                              a free run, which cannot be replayed */
    char *sched_report;    /* deadlock/budget/divergence text, or NULL (owned) */
    char *describe;        /* swarm choices, "" when none (owned) */
    uint64_t seed, steps, preemptions;
    uint64_t choices;      /* steps with more than one runnable thread (pct's k) */
    int64_t virtual_ns;
    int root_exit;         /* sv_exit of the root by the end of the duration (its
                              start failed: its SHUTDOWN's reason), -1 still running */
    fl_thread *threads;    /* every controlled thread of the run (owned, names
                              too); trace[i].thread indexes it from 1; NULL for free runs */
    size_t nthreads;
} fl_runner_out;

/* Run scenario s once. 0 whenever the run happened (its verdict may hold
 * violations); otherwise a negative errno and nothing ran: -EINVAL (a bad
 * schedule string, or a params error; out->sched_report says what),
 * -ENOENT/-EINVAL/-EBUSY from fl_world_build (message in
 * out->sched_report), -ENOMEM. Free out with fl_runner_out_free in every case.
 *
 * FL_SCHED_STRAT_FREE runs the tree with true concurrency and real time, scaled by
 * p->time_scale (runner_free.c stacks the scaling on the free platform), so
 * ThreadSanitizer sees real races. Such a run has no schedule
 * (out->schedule NULL) and its timing is the machine's: an expectation that
 * depends on timing can fail where a controlled run cannot. The oracle
 * assumes the virtual clock's zero-time reactions, so a free run is judged on
 * its trace with every gap of at most FL_RUNNER_FREE_SLACK_* between
 * consecutive events closed (the trace kept in out has the real times).
 * Threads the free
 * platform abandoned keep the world alive (it is then not freed: a bounded
 * leak, reported by the oracle as no_leaked_thread). */
int fl_runner_run(const fl_scenario *s, const fl_runner_params *p, fl_runner_out *out);
void fl_runner_out_free(fl_runner_out *out);

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
    uint32_t seeds;        /* 0: the scenario's `run seeds=` if given, else 200;
                              free runs: that, but at most FL_RUNNER_FREE_SEEDS */
    int strategy;          /* -1: the scenario's; else FL_SCHED_STRAT_RANDOM/PCT/RR/FREE */
    uint32_t depth;        /* 0: the scenario's */
    uint64_t budget;       /* 0: the scenario's */
    uint64_t pct_k;        /* pct: k of the range's first run (0: the scheduler's default);
                              later runs use the most real choices seen, at least this */
    uint32_t time_scale;   /* free runs (fl_runner_params.time_scale); 0: default */
    bool seed_set;         /* --seed: run exactly one seed, `seed` */
    uint64_t seed;
    bool verbose;          /* fl_runner_case_range: one line per seed in part->verbose */
    /* Called after every run (may be NULL): runs done so far in this case,
     * and whether that run failed. */
    void (*progress)(void *ud, uint32_t runs, bool failed);
    void *progress_ud;
    struct fl_runner_live *live; /* the pool's page (runner_pool.c); NULL otherwise */
    const char *schedule;  /* not NULL: replay this fl1: schedule instead of
                              running seeds (one run, FL_SCHED_STRAT_REPLAY; the
                              seed is the schedule's): `replay` and `shrink` of
                              a scenario that needs its own process */
} fl_runner_opts;

/* Effective run parameters of s under o (seeds, first seed, strategy, depth,
 * budget), as fl_runner_case uses them. o->seed_set: seeds 1, first o->seed. */
void fl_runner_effective(const fl_scenario *s, const fl_runner_opts *o, uint32_t *seeds,
                         uint64_t *first_seed, fl_sched_strategy *strategy, uint32_t *depth,
                         uint64_t *budget);

/* Run s over its seeds and fill c (zeroed first). Every pointer in c is
 * owned by c (free with fl_runner_case_free), path is copied from s->path.
 * Returns 0 (c->passed says the verdict), or a negative errno when a run
 * could not happen (c then describes the error: passed false, invariant
 * NULL, message the reason). */
int fl_runner_case(const fl_scenario *s, const fl_runner_opts *o, fl_case *c);
void fl_runner_case_free(fl_case *c);

/* ---- parts of a case: seed ranges, merged in seed order (runner_case.c) ------- */

/* What one work item (a range of a scenario's seeds) found: c as
 * fl_runner_case fills it but over the range only (its kept run: the run
 * that violated the expected invariant, else the first failing run, else the
 * range's first run), and what the merge needs besides. Owns everything. */
typedef struct fl_runner_part {
    fl_case c;
    int err;               /* 0, or the negative errno that stopped the range
                              (c.message says why) */
    bool hit;              /* known-bad: a run violated the expected invariant
                              (the range stopped there) */
    bool interrupted;      /* stopped at a run boundary by the pool's stop request */
    char *verbose;         /* opts.verbose: "  seed N: pass|FAIL INV\n" per run, or NULL */
    int status;            /* fl_sched_status of the kept run (DIVERGED tells a
                              replay that no longer fits); 0 when it died */
    char *sched_report;    /* the scheduler's report of the kept run, or NULL */
    uint64_t steps, preemptions; /* fl_runner_part_in_child only: of its run, as
                              the live page counted them (a run that died too) */
} fl_runner_part;

/* Run seeds [first + from, first + from + count) of s (first and the seed
 * count as fl_runner_effective says; count is cut at the end) into part
 * (zeroed first; free with fl_runner_part_free). Stops early at a hit of
 * a known-bad scenario, or when o->live asks to stop. 0, or a negative
 * errno when a run could not happen (part->err too). */
int fl_runner_case_range(const fl_scenario *s, const fl_runner_opts *o, uint32_t from, uint32_t count,
                         fl_runner_part *part);

/* Merge parts[0..n) — consecutive ranges of one scenario, in seed order —
 * into c (zeroed first), exactly as fl_runner_case over all of them would
 * have filled it: counts summed up to the range that hit (a known-bad
 * scenario's runs stop there), failed or interrupted; the kept run the
 * first hit, else the first failure, else the first run; the verdict and
 * the known-bad message computed last. Moves what it keeps out of the parts
 * (free them after, as always). Returns the first part's err (0 when none
 * failed to run), -ENOMEM, or -EINVAL when n is 0. */
int fl_runner_merge(fl_runner_part *parts, size_t n, const fl_scenario *s, fl_case *c);
void fl_runner_part_free(fl_runner_part *p);

/* ---- the wire between a pool's child and its parent (runner_wire.c) ----------- */

/* Serialise part into a fresh malloc'd buffer (*buf, *len): native-endian
 * fixed-width integers and length-prefixed strings behind the magic "FLP1";
 * the same binary reads it back (parent and child of one fork). 0 or -ENOMEM. */
int fl_runner_part_encode(const fl_runner_part *part, char **buf, size_t *len);
/* Read buf[0..len) back into part (zeroed first; free with
 * fl_runner_part_free). 0, -EPROTO when the bytes are not one whole, well
 * formed message (truncated, trailing bytes, bad magic, a length past the
 * end), or -ENOMEM; part holds nothing on failure. */
int fl_runner_part_decode(const char *buf, size_t len, fl_runner_part *part);

/* ---- the pool: cases in child processes (runner_pool.c) ----------------------- */

#define FL_RUNNER_CHUNK_SEEDS 256u                 /* seeds per work item */
#define FL_RUNNER_DEFAULT_TIMEOUT_NS 60000000000ll /* per run: 60 s */

typedef struct fl_runner_pool_opts {
    unsigned jobs;          /* child processes at once (>= 1) */
    int64_t timeout_ns;     /* wall time one run (one seed) may take (0: none): the
                               parent kills a child whose current run exceeds it */
    bool fail_fast;         /* stop after the first failing case (in order) */
    volatile sig_atomic_t *stop; /* set (by a signal handler) to stop at the next run
                               boundary; may be NULL */
    /* Called in case order, each case once, as soon as it and every case
     * before it are complete (may be NULL): its index, the merged case and
     * its -v lines (NULL unless opts.verbose). */
    void (*on_case)(void *ud, size_t k, const fl_case *c, const char *verbose);
    /* Called when the pool wakes (at least every 100 ms while work runs; may
     * be NULL): runs finished so far over all cases, cases complete, failed. */
    void (*on_tick)(void *ud, uint64_t runs, size_t done, size_t failed);
    void *ud;
} fl_runner_pool_opts;

/* Run the cases of sc[0..n) under o, in child processes: each scenario's
 * seeds are cut into work items of FL_RUNNER_CHUNK_SEEDS (pct scenarios and
 * free runs stay whole: pct learns its step estimate across seeds), at most
 * po->jobs children run at once, each sends its fl_runner_part back through a
 * pipe (fl_runner_part_encode), and the parts merge in seed order
 * (fl_runner_merge), so cases[] is the same for every jobs count. A child that
 * exceeds po->timeout_ns is killed and one that dies (a signal, a sanitizer's
 * exit) is not lost: its item becomes a failed run (invariant "timeout" or
 * "crash") with the seed in progress and a replay line of the run so far
 * (an open schedule of every choice made until it stopped). cases[0..n)
 * are filled (free each with fl_runner_case_free), errs[k] is the part error
 * of case k (0, or a negative errno: the case could not run). *nrun: cases
 * to report — n, or, with fail_fast, up to the first failing one. A stop
 * request finishes the runs in progress at their boundary; cases not begun
 * are then skipped (skip_reason "interrupted") and *interrupted is set.
 * Returns 0, or a negative errno when the pool itself failed (-ENOMEM, fork
 * or pipe errors). Call only from a single-threaded process (it forks). */
int fl_runner_pool(fl_scenario *const *sc, size_t n, const fl_runner_opts *o, const fl_runner_pool_opts *po,
                   fl_case *cases, int *errs, size_t *nrun, bool *interrupted);

/* True when s must run in a process of its own, one run per process: its
 * tree holds a `user` worker (C code of the user's: its globals are not
 * reset between runs, and an assert or a SIGSEGV in any thread it starts
 * would end the process). The pool then runs one seed per child; replay
 * and shrink run each attempt through fl_runner_part_in_child. */
bool fl_runner_needs_process(const fl_scenario *s);

/* Run fl_runner_case_range(s, o, 0, 1, part) in a forked child, exactly as
 * the pool runs one work item (same child, same live page, same wire):
 * with o->schedule set that is one replay. A child that dies (a signal: an
 * assert, a SIGSEGV in a worker's thread) or exceeds timeout_ns (0: none)
 * yields a failed run with invariant "crash" or "timeout", the seed, the
 * open schedule of the choices made until then with its replay line, and
 * the tail of the child's stdout and stderr in the message (its whole
 * output otherwise goes to this process's stderr once it ended). part is
 * zeroed first; free it with fl_runner_part_free; part->steps and
 * part->preemptions count the run's steps. hook (may be NULL): the child
 * also records every step in detail (fl_explore_rec, in a mapping of its
 * own), told to hook in order once the child ended (what bounded search
 * needs: shrink's last phase). 0, or a negative errno when no child could
 * run (-ENOMEM, fork/pipe/memfd/mmap errors) or, with hook, -E2BIG when the
 * run had more steps than a record holds (hook then told nothing); the
 * run's own errors are in part->err as for fl_runner_case_range. Call from
 * a single-threaded process. */
int fl_runner_part_in_child(const fl_scenario *s, const fl_runner_opts *o, int64_t timeout_ns, const fl_sched_hook *hook,
                            fl_runner_part *part);

/* SIGKILL every child the pool has running. Async-signal-safe: for a
 * second SIGINT/SIGTERM's handler, just before it _exits. Never fails. */
void fl_runner_pool_abort(void);

/* ---- bounded exhaustive search ----------------------------------------------- */

#define FL_RUNNER_EXPLORE_BOUND 2u          /* default preemption bound */
#define FL_RUNNER_EXPLORE_MAX_RUNS 20000u   /* default cap on schedules */

typedef struct fl_runner_explore_opts {
    uint32_t bound;        /* at most this many preemptions per schedule */
    uint64_t max_runs;     /* 0: FL_RUNNER_EXPLORE_MAX_RUNS; reaching it ends the
                              search incomplete */
    uint64_t budget;       /* step budget per run; 0: the scenario's */
    bool no_reduction;     /* run every schedule within the bound (no sleep
                              sets, fl_explore_opts.no_reduction) */
    bool no_dpor;          /* sleep sets only (fl_explore_opts.no_dpor) */
    /* Called after every run (may be NULL): schedules run, failed so far. */
    void (*progress)(void *ud, uint64_t runs, uint64_t failed);
    void *progress_ud;
} fl_runner_explore_opts;

typedef struct fl_runner_explore_result {
    uint64_t runs;         /* schedules run, each exactly once */
    bool complete;         /* every schedule within the bound was run */
    bool max_reached;      /* stopped because max_runs schedules ran */
    uint64_t failed;       /* runs that violated something (known-bad: the
                              search stops at the first that violates INV) */
    bool found;            /* known-bad: a run violated the expected INV */
    uint64_t max_steps;    /* longest run, in scheduling steps */
    uint64_t world_seed;   /* the seed every run's world was built with */
    uint32_t invariants;   /* the failure set: bit (1u << inv) for every
                              fl_oracle_inv some run violated */
} fl_runner_explore_result;

/* Bounded exhaustive search over scenario s (fl_explore_run): run every schedule
 * with at most o->bound preemptions, depth first, each run built and judged
 * exactly as fl_runner_run builds and judges one (same world, same oracle,
 * same expectations); the world seed is the scenario's `run seed=` (default
 * 1), the same in every run. A normal scenario's search goes on after a
 * failure (every failing schedule is counted); a known-bad one (`expect fail
 * INV`) stops at the first run that violates INV and passes then.
 * c is filled as fl_runner_case fills it (zeroed first; free with
 * fl_runner_case_free): runs = schedules run (saturated at UINT32_MAX),
 * passed, and the kept run — the first failing one (known-bad: the first
 * that violated INV), else the first — with its trace, invariant, message,
 * and a strict schedule (origin dfs, SEED = the world seed) with its replay
 * line, which `faultline replay` follows to the same run.
 * Returns 0 (res and c say the verdict), or a negative errno when the search
 * could not run: -EPROTO (the scenario is not deterministic under the
 * scheduler), -ENOENT/-EINVAL (the world cannot be built), -ENOMEM,
 * -EBUSY; c->message then says why. */
int fl_runner_explore(const fl_scenario *s, const fl_runner_explore_opts *o, fl_runner_explore_result *res,
                      fl_case *c);

/* ---- traces ------------------------------------------------------------------ */

/* One line per event: "#SEQ t=SEC.NSEC SUP KIND [child=ID inc=N] [reason=R]
 * [err=E] [delay_ns=D] [msg="…"] [+backtrace]". Deterministic; the
 * backtrace text itself is left out (its frames and addresses depend on the
 * build and on where the binary was loaded). */
void fl_runner_trace_format(const fl_event *trace, size_t n, FILE *out);

/* Copy ev into out, duplicating its strings (out->ev's pointers point at the
 * copies). 0 or -ENOMEM (out then owns nothing). */
int fl_runner_event_copy(fl_event *out, const sv_event *ev);
void fl_runner_event_clear(fl_event *e);

#endif
