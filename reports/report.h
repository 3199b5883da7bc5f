/*
 * report.h — the run-result model and the report writers (prefix fl_report_).
 *
 * The runner fills an fl_suite; the writers turn it into what CI reads
 * (JUnit XML, TAP 14, JSON) and what people look at (Chrome-trace timelines
 * for Perfetto, a self-contained HTML page, a terminal failure summary).
 *
 * Every file writer is atomic: it writes PATH.tmp.<pid> and renames it over
 * PATH only when complete, so an interrupted run never leaves half a file.
 * All writers escape arbitrary bytes (quotes, angle brackets, control bytes,
 * invalid UTF-8) from crash messages and backtraces.
 * Each returns 0 or a negative errno; on failure nothing is left at PATH that
 * was not there before (the temporary is removed).
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
} fl_event;

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
/* TAP version 14, to path ("-" = stdout). */
int fl_report_tap(const fl_suite *s, const char *path);
/* JSON summary; schema in docs/reports.md. */
int fl_report_json(const fl_suite *s, const char *path);
/* Chrome trace event format (Perfetto) for one case, written to
 * DIR/<sanitised scenario path>.json; creates DIR. */
int fl_report_trace(const fl_case *c, const char *dir);
/* Self-contained HTML report (no network). */
int fl_report_html(const fl_suite *s, const char *path);
/* Terminal: one short block per failure (scenario, invariant, seed, replay). */
void fl_report_failures(const fl_suite *s, FILE *out);

/* Escaping helpers, exposed for the fuzz target: write src[0..n) to out. */
void fl_report_xml_escape(FILE *out, const char *src, size_t n);
void fl_report_json_escape(FILE *out, const char *src, size_t n);

#endif
