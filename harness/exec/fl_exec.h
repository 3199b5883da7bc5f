/*
 * fl_exec.h — whole unmodified programs under the controlled scheduler, one
 * process per run (prefix fl_exec_).
 *
 * The host side (this process) starts PROG once with the faultline library
 * preloaded (LD_PRELOAD) and two pipe descriptors in FAULTLINE_EXEC_FD. In
 * PROG, the library's __libc_start_main hook (exec_child.c) becomes a fork
 * server before main runs: for every run request it forks a fresh child,
 * which runs PROG's main as the first controlled thread of fl_sched_run
 * (every thread PROG creates is controlled through the interposer), with
 * its stdout and stderr captured. The server answers with how the child
 * ended (exit code, signal, deadlock, budget, stall), what the scheduler
 * said, the schedule that replays the run, and the tail of its output.
 * Globals start fresh in every run (each is a new fork of the pristine
 * server), and a crash ends only that run.
 *
 * A program that never starts the server (statically linked, setuid, or
 * one that does not go through __libc_start_main) is refused: fl_exec_open
 * fails and says why, so nothing it did is ever counted as a pass.
 */
#ifndef FL_EXEC_H
#define FL_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/fl_sched.h"

typedef struct fl_exec fl_exec;

/* Default early-timer rate (fl_sched_opts.timer_ppm) of `faultline exec`:
 * sleeps used as synchronisation are common in real code, and a wake-up
 * that comes before the other threads block is an interleaving the machine
 * can produce (docs/pthread.md). 2% per step with a timed sleeper. Benches
 * and tests that measure what exec finds pass it too. */
#define FL_EXEC_DEFAULT_TIMER_PPM 20000u

typedef struct fl_exec_opts {
    char *const *argv;      /* PROG and its arguments (argv[0] is run via PATH) */
    const char *lib;        /* the faultline shared library to preload; NULL: found
                               beside the running binary or in ../lib (see fl_exec_lib) */
    uint32_t timeout_ms;    /* wall-clock limit of one run; 0 = 60000 */
} fl_exec_opts;

/* How one run ended, from the host's point of view. */
typedef enum fl_exec_end {
    FL_EXEC_EXITED = 0,     /* the program exited (code) */
    FL_EXEC_SIGNALED,       /* killed by a signal (code = signal number) */
    FL_EXEC_RUN_OVER,       /* the scheduler ended the run: deadlock, budget, stall
                               (status says which; the program never exited) */
    FL_EXEC_TIMEOUT,        /* the wall-clock limit killed it */
} fl_exec_end;

/* One scheduling step of a traced run (so->trace): thread cur stopped at
 * op on obj (the scheduler's names: "lock", "cond-wait", "m3", …) and next
 * was given the baton. */
#define FL_EXEC_MAX_OPS (1u << 17) /* steps a traced run records */
typedef struct fl_exec_op {
    uint64_t step;
    int64_t clock_ns;       /* virtual clock at the step */
    int32_t cur, next;      /* controlled thread ids; cur -1: none */
    char op[16];
    char obj[40];
} fl_exec_op;

typedef struct fl_exec_result {
    fl_exec_end end;
    int code;               /* exit code or signal number */
    fl_sched_status status; /* the scheduler's verdict when it ended the run, else OK */
    bool failed;            /* exit code != 0, a signal, deadlock, budget, stall, timeout */
    char *reason;           /* one line: "assertion failure (SIGABRT)", "exit code 3",
                               "deadlock", …; NULL when passed */
    char *schedule;         /* fl1: string that replays this run; NULL if none */
    char *report;           /* the scheduler's report (deadlock, stall), or NULL */
    char *output;           /* the tail of the run's stdout+stderr (at most 4 KiB) */
    uint64_t steps, preemptions;
    uint64_t choices;       /* steps at which more than one thread could run: what
                               PCT's estimate k counts (fl_sched_result.choices) */
    uint32_t threads;
    /* a traced run only (so->trace), recorded as it happened, so a run that
     * died has them too: every controlled thread by id (died_ns -1: alive
     * when the run ended), and the steps in order (ops_cut: more than
     * FL_EXEC_MAX_OPS, the rest not recorded). NULL/0 otherwise. */
    fl_sched_thread_info *lives;
    uint32_t nlives;
    fl_exec_op *ops;
    uint32_t nops;
    bool ops_cut;
} fl_exec_result;

/* Start PROG as a fork server. 0 and *out, or a negative errno with err
 * filled: -ENOENT (PROG or the library not found), -ENOEXEC (PROG did not
 * load the faultline runtime: statically linked, setuid, …), -ENOMEM. */
int fl_exec_open(const fl_exec_opts *o, fl_exec **out, char *err, size_t errlen);

/* One run under so (strategy RANDOM, PCT, RR, or REPLAY with so->schedule;
 * seed, depth, pct_k, step_budget, watchdog_ms, light_ppm as in fl_sched_opts;
 * so->trace: also record res->lives and res->ops, for a timeline). 0 and
 * *res (free with fl_exec_result_free), or a negative errno with err filled
 * when the server itself failed (it is restarted on the next call). */
int fl_exec_run(fl_exec *e, const fl_sched_opts *so, fl_exec_result *res, char *err, size_t errlen);

/* fl_exec_run that also tells hook (if not NULL) every step of the run in
 * detail, in order, after the run (what bounded search needs; the child
 * records them, so this costs more than a plain run). */
int fl_exec_run_hooked(fl_exec *e, const fl_sched_opts *so, const fl_sched_hook *hook, fl_exec_result *res, char *err,
                       size_t errlen);

void fl_exec_result_free(fl_exec_result *res);

/* Stop the server and free e. e may be NULL. */
void fl_exec_close(fl_exec *e);

/* The library fl_exec_open preloads when opts.lib is NULL: $FAULTLINE_LIB,
 * else libfaultline.so beside /proc/self/exe, else ../lib/libfaultline.so
 * from it. Writes the path into buf; 0 or -ENOENT. */
int fl_exec_lib(char *buf, size_t cap);

/* A file of faultline's installation: $ENV_VAR when env_var names a set
 * variable, else NAME beside /proc/self/exe, else ../lib/NAME from it
 * (fl_exec_lib is this for libfaultline.so; `faultline cc` finds its
 * runtime archive so). Writes the path into buf; 0 or -ENOENT. */
int fl_exec_find(const char *name, const char *env_var, char *buf, size_t cap);

#endif
