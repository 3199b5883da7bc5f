/*
 * fl_planted.h — small programs with a known concurrency bug, written only
 * against the platform seam (sv_plat.h), so that they run under the
 * controlled platform (and under FL_SCHED_STRAT_FREE, or POSIX). Prefix fl_planted_.
 *
 * Each program is an `int run(void)` to call on a controlled thread: it
 * creates its threads, joins them and returns 1 when its own assertion saw
 * the bug, 0 otherwise. Bugs that are deadlocks do not return: the run ends
 * with FL_SCHED_DEADLOCK. Every buggy program has a corrected twin named
 * "<name>_ok" that must never fail (false-positive checks, exhaustive proofs).
 *
 *   lost_update     two threads increment a shared counter, each reading it
 *                   under the lock, unlocking, and writing under the lock
 *                   again: an interleaving in the gap loses an update.
 *   lock_order      two threads take mutexes A,B and B,A: deadlock.
 *   missed_wakeup   the notifier signals before the waiter waits and the
 *                   waiter does not check a predicate: the waiter sleeps
 *                   out its whole 1 s timeout (virtual) and reports it.
 *   early_restart   a "supervisor" starts the replacement worker before
 *                   joining the crashed one: two incarnations alive at once,
 *                   caught by an assertion in the worker.
 */
#ifndef FL_PLANTED_H
#define FL_PLANTED_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/fl_sched.h"
#include "sv.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fl_planted {
    const char *name;     /* "lost_update", ..., or "<name>_ok" */
    const char *bug;      /* one line: what goes wrong */
    int (*run)(void);     /* the program: 1 = bug seen, 0 = clean, negative
                             errno = could not create its threads */
    bool deadlock;        /* the bug shows as FL_SCHED_DEADLOCK instead */
    bool buggy;           /* false for the corrected twins */
} fl_planted;

/* The programs, direct. Call on a controlled (or free / POSIX) thread. */
int fl_planted_lost_update(void);
int fl_planted_lock_order(void);
int fl_planted_missed_wakeup(void);
int fl_planted_early_restart(void);
int fl_planted_lost_update_ok(void);
int fl_planted_lock_order_ok(void);
int fl_planted_missed_wakeup_ok(void);
int fl_planted_early_restart_ok(void);

/* The table: all programs (buggy ones first), *n = count. Static storage. */
const fl_planted *fl_planted_list(size_t *n);
/* The program called name, or NULL. */
const fl_planted *fl_planted_find(const char *name);

/* Run p once under opts (fl_sched_run with fl_planted_main as main_fn).
 * Returns 1 if the run failed the way p fails (run() returned 1, or the
 * status is DEADLOCK, or BUDGET/DIVERGED: any non-OK status), 0 if it passed,
 * or the negative errno of fl_sched_run. *res is filled in every case and
 * the caller frees it (fl_sched_result_free). */
int fl_planted_run(const fl_planted *p, const fl_sched_opts *opts, fl_sched_result *res);

/* main_fn adapter for fl_sched_run / fl_explore_run: arg is an fl_planted_ctx
 * whose rc receives p->run()'s result (-1 while it has not returned). */
typedef struct fl_planted_ctx {
    const fl_planted *p;
    int rc;
} fl_planted_ctx;
void fl_planted_main(void *ctx);
/* fl_sched_check_fn for fl_explore_run: ud is the same fl_planted_ctx; says 1 for
 * a failed run and resets ctx->rc for the next. */
int fl_planted_check(void *ctx, const fl_sched_result *res);

/* sv_worker_fn adapter so a runner can register a program as a worker:
 * arg is a const fl_planted *; returns run()'s result (non-zero = crash). */
int fl_planted_worker(sv_worker *w, void *arg);

/* Runs-to-first-failure: run p with seeds seed0, seed0+1, ... (at most
 * max_runs) under strategy (RANDOM, PCT or RR) and depth, until a run
 * fails. For PCT, k is learned across the runs as shuttle does: each run
 * uses the largest step count seen so far (first run: FL_SCHED_DEFAULT_PCT_K).
 * 0 and *out filled (out->schedule malloc'd, NULL if none failed; free with
 * free()), or a negative errno. */
typedef struct fl_planted_hunt {
    bool found;
    uint32_t runs;         /* runs made, the failing one included */
    uint64_t seed;         /* seed of the failing run */
    fl_sched_status status;
    char *schedule;        /* its schedule */
} fl_planted_hunt;
int fl_planted_hunt_run(const fl_planted *p, fl_sched_strategy strategy, uint32_t depth, uint64_t seed0,
                        uint32_t max_runs, fl_planted_hunt *out);

#ifdef __cplusplus
}
#endif
#endif
