/*
 * report.h — the run-result model and the report writers (prefix fl_report_).
 *
 * The runner fills an fl_suite; the writers turn it into what CI reads
 * (JUnit XML, TAP 13, JSON) and what people look at (Chrome-trace timelines
 * for Perfetto, a self-contained HTML page, a terminal failure summary).
 *
 * No writer destroys anything. A regular file (or a new name) is replaced
 * atomically: the bytes go to a hidden ".flrep.XXXXXX" in the same directory,
 * renamed over PATH only when complete, so an interrupted run never leaves
 * half a file. A symlink's target is replaced (the link stays). A FIFO, a
 * device, a socket, /dev/fd/N, /proc/self/fd/N, "-" and /dev/stdout are
 * written in place. All writers escape arbitrary bytes (quotes, angle
 * brackets, control bytes, invalid UTF-8) from crash messages and
 * backtraces, and print backtraces symbolized (fl_report_symbolize).
 * Each returns 0 or a negative errno; on failure an atomically replaced PATH
 * is as it was and the temporary is removed.
 */
#ifndef FL_REPORT_H
#define FL_REPORT_H

#include "sv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A copied event: sv_event plus owned strings (the trace outlives the run). */
typedef struct fl_event {
    sv_event ev;        /* ev's string pointers point into the fields below */
    char *sup, *child, *message, *backtrace; /* owned, may be NULL */
    uint32_t thread;    /* optional: 1-based index into the case's threads[] of
                           the thread that emitted the event; 0 = not recorded */
} fl_event;

/* Optional: one thread of a run, for timelines that draw every thread (not
 * only supervisor-managed incarnations): supervisor threads, workers,
 * admin/helper threads, threads a program under `faultline exec` created. */
typedef struct fl_thread {
    const char *name;  /* shown as the lane name, e.g. "main", "sv root", "db#2" */
    int64_t start_ns;  /* virtual time it was created (or first seen) */
    int64_t end_ns;    /* virtual time it ended, or -1: still running at the end */
} fl_thread;

/* Optional: one scheduling step of a run, for timelines that show the
 * interleaving itself (`faultline exec --trace`): at step `step` the thread
 * `thread` stopped at `op` on `obj`, and `next` was given the baton. */
typedef struct fl_step {
    uint64_t step;     /* index of the step in the run, from 0 */
    int64_t time_ns;   /* virtual clock at the step */
    uint32_t thread;   /* 1-based index into the case's threads[] of the thread
                          that stopped here; 0 = none (the run's first step) */
    uint32_t next;     /* 1-based index of the thread given the baton */
    const char *op;    /* "lock", "lock-wait", "cond-wait", "create", … */
    const char *obj;   /* the object ("m3", "c1", "t2"), or NULL / "" */
} fl_step;

/* One scenario, run over many seeds. */
typedef struct fl_case {
    const char *path;      /* scenario file, as given */
    const char *name;      /* scenario name */
    uint32_t runs;         /* seeds run */
    uint32_t failed_runs;  /* runs that violated an invariant/expectation */
    double time_s;         /* wall time for all its runs */
    bool skipped;          /* not run (sharded away is not "skipped": not listed) */
    const char *skip_reason;
    bool expect_fail;      /* known-bad scenario: passes iff some run fails
                              for invariant `expect_invariant` */
    const char *expect_invariant;
    bool passed;           /* final verdict, expect_fail already applied */
    /* The first failing run (or, when none failed, the first run): */
    uint64_t seed;
    const char *invariant; /* name of the violated invariant, NULL if none */
    const char *message;   /* what broke, one or more lines */
    const char *schedule;  /* fl1:... */
    const char *replay;    /* "faultline replay FILE --schedule fl1:..." */
    const fl_event *trace; /* the event trace of that run */
    size_t ntrace;
    int64_t virtual_ns;    /* virtual time at the end of that run */
    const fl_thread *threads; /* optional: every thread of that run, in order of
                                 creation; NULL/0 = not recorded (the HTML
                                 timeline then draws incarnations only) */
    size_t nthreads;
    const fl_step *steps;  /* optional: that run's scheduling steps in order
                              (threads[] must be set); NULL/0 = not recorded */
    size_t nsteps;
} fl_case;

typedef struct fl_suite {
    const char *name;      /* "faultline" */
    const char *strategy;  /* random | pct | rr */
    uint32_t depth;        /* pct depth */
    uint64_t seed_lo, seed_hi; /* seeds [lo, hi) run per scenario */
    const char *shard;     /* "I/N" or NULL */
    int64_t timestamp;     /* unix seconds at the start of the run */
    double time_s;
    fl_case *cases;
    size_t ncases;
    bool interrupted;      /* the run was stopped early (SIGINT/SIGTERM): cases
                              not run are skipped, the writers say so */
} fl_suite;

/* Counts over a suite. */
size_t fl_report_failed(const fl_suite *s);

/* JUnit XML (GitLab/Jenkins/GitHub form). */
int fl_report_junit(const fl_suite *s, const char *path);
/* TAP version 13 with YAML diagnostics, to path ("-" = stdout). */
int fl_report_tap(const fl_suite *s, const char *path);
/* JSON summary; schema in docs/reports.md. */
int fl_report_json(const fl_suite *s, const char *path);
/* Chrome trace event format (Perfetto) for one case, written to
 * DIR/<sanitised scenario path>.json; creates DIR. With threads, one track
 * per thread (its life on the virtual clock); with steps, a second process
 * "scheduling steps" whose clock counts steps (1 µs = 1 step): one track
 * per thread, one slice per step it held the baton, named by the operation
 * it stopped at. */
int fl_report_trace(const fl_case *c, const char *dir);
/* fl_report_trace to DIR/<sanitised name>.json (name instead of c->path:
 * several runs of one case, e.g. "prog.seed-7"). */
int fl_report_trace_named(const fl_case *c, const char *dir, const char *name);
/* Self-contained HTML report (no network). */
int fl_report_html(const fl_suite *s, const char *path);
/* Terminal: one short block per failure (scenario, invariant, seed, replay). */
void fl_report_failures(const fl_suite *s, FILE *out);

/* Escaping helpers, exposed for the fuzz target: write src[0..n) to out. */
void fl_report_xml_escape(FILE *out, const char *src, size_t n);
void fl_report_json_escape(FILE *out, const char *src, size_t n);

/* ---- output paths: pre-flight checks and signal-time cleanup (output.c,
 * path_check.c) ---- */

/* Pre-flight check of one report output path, for the CLI to call for every
 * --junit/--json/--html/--tap path before the first run. Refuses (negative
 * errno, one-line reason "PATH: ..." in err[0..errlen)):
 *   - an empty path (-EINVAL);
 *   - a path that is, or whose symlink target is, one of inputs[0..ninputs)
 *     (same st_dev and st_ino; -EINVAL);
 *   - a directory (-EISDIR);
 *   - a new or regular file whose directory does not exist (-ENOENT), is not
 *     a directory (-ENOTDIR) or is not writable (-EACCES, -EROFS);
 *   - a FIFO/device/descriptor path that is not writable, or a /dev/fd/N
 *     that is not open (-ENOENT).
 * "-" and /dev/stdout are always accepted. Inputs that cannot be stat'ed
 * are ignored. Creates nothing. err may be NULL. 0 when the path is fine. */
int fl_report_path_check(const char *path, const char *const *inputs, size_t ninputs,
                         char *err, size_t errlen);

/* Pre-flight check of the --trace directory: an existing directory must be
 * writable; a missing one must be creatable (its nearest existing ancestor
 * a writable directory). 0, or a negative errno with "DIR: ..." in err. */
int fl_report_dir_check(const char *dir, char *err, size_t errlen);

/* Removes every report temporary that is being written right now (a
 * writer's ".flrep.XXXXXX" between its creation and its rename) and returns
 * how many it removed. Async-signal-safe (atomics and unlink(2) only; errno
 * preserved): the CLI's SIGINT/SIGTERM handler calls it, then restores the
 * default action and re-raises. A writer interrupted this way has no file to
 * rename; the previous report at PATH stays as it was. At most 32
 * concurrent writes are tracked; a 33rd is written untracked. */
int fl_report_cleanup_tmp(void);

/* ---- backtraces (symbolize.c) ---- */

/* Rewrites the frames of a libsv backtrace text (lines like
 * "#3 faultline(+0x327ac) [0x55d0c8a327ac]" or "#1 prog(fn+0x1c) [0x...]")
 * that can be resolved through the module's DWARF (elfutils libdw) into
 * "#3 fn (harness/x.c:42) faultline(+0x327ac) [0x55d0c8a327ac]"; lines it
 * cannot resolve (no debug info, unknown module, other text) are kept as
 * they are. A bare module name is found as the running executable
 * (/proc/self/exe) or a mapped object (/proc/self/maps); a module with a
 * '/' is opened as given. Source paths under the current directory are
 * shown relative to it. Modules are opened once and cached (thread-safe).
 * Returns a malloc'ed NUL-terminated string the caller frees, or NULL when
 * out of memory or bt is NULL. Never fails otherwise. */
char *fl_report_symbolize(const char *bt);

/* Frees the module cache of fl_report_symbolize (for leak checkers and
 * tests); the next call opens modules again. Not concurrently with
 * fl_report_symbolize. */
void fl_report_symbolize_reset(void);

#endif
