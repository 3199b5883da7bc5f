/*
 * fl_cli.h — the `faultline` command (prefix fl_cli_). harness/main.c only calls
 * fl_cli_main; the pieces are exposed for tests/test_cli.c.
 *
 *   faultline run PATH... [--seeds N] [--strategy random|pct|rr|free] [--depth D]
 *                 [--budget N] [--time-scale X] [--shard I/N] [--junit F]
 *                 [--tap [F.tap]] [--json F] [--trace DIR] [--html F]
 *   faultline explore FILE [--bound P] [--max-runs N] [--budget N] [--require-complete] [--no-reduce] [--no-dpor]
 *   faultline replay FILE --schedule S [--trace DIR]
 *   faultline shrink FILE --schedule S [--max-runs N]
 *   faultline check FILE...
 *   faultline list PATH...
 *   faultline --help | CMD --help | --version
 *
 * Exit status: 0 all passed, 1 a scenario failed (replay: the run violated
 * an invariant or diverged; shrink: the schedule does not fail; explore: a
 * failing schedule was found, or a known-bad scenario's failure was not, or
 * --require-complete and the search stopped at --max-runs), 2 bad usage
 * or bad input (unknown flag, bad number, bad shard, bad schedule string,
 * unreadable, malformed or unrunnable scenario, malformed
 * FAULTLINE_FAILPOINTS) or a report that could not be written. docs/cli.md is the user's page.
 */
#ifndef FL_CLI_H
#define FL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The faultline release (MAJOR.MINOR.PATCH): libfaultline.so's version and
 * SONAME (libfaultline.so.MAJOR) and faultline.pc's Version come from here. */
#define FL_CLI_VERSION "0.1.0"

#define FL_CLI_EXIT_OK 0
#define FL_CLI_EXIT_FAIL 1
#define FL_CLI_EXIT_USAGE 2
#define FL_CLI_MAX_BOUND 64u /* largest --bound */

typedef enum fl_cli_cmd {
    FL_CLI_CMD_NONE = 0, FL_CLI_CMD_RUN, FL_CLI_CMD_REPLAY, FL_CLI_CMD_SHRINK, FL_CLI_CMD_CHECK, FL_CLI_CMD_LIST,
    FL_CLI_CMD_HELP, FL_CLI_CMD_VERSION, FL_CLI_CMD_EXPLORE,
} fl_cli_cmd;

typedef struct fl_cli_args {
    fl_cli_cmd cmd;
    bool help;              /* `CMD --help` (cmd says which; NONE: general) */
    const char **paths;     /* operands, pointing into argv (owned array) */
    size_t npaths;
    uint32_t seeds;         /* 0: not given */
    int strategy;           /* -1: not given; else fl_sched_strategy RANDOM/PCT/RR/FREE */
    uint32_t depth;         /* 0: not given */
    uint64_t budget;        /* 0: not given */
    uint64_t pct_k;         /* run --pct-k: pct's first k (real choices); 0: not given */
    uint32_t time_scale;    /* --time-scale (free runs only); 0: not given */
    bool bound_set;         /* explore --bound given (0 is a valid bound) */
    uint32_t bound;
    uint64_t max_runs;      /* explore, shrink --max-runs; 0: not given */
    bool require_complete;  /* explore --require-complete */
    bool no_reduce;         /* explore --no-reduce: every schedule, no sleep sets */
    bool no_dpor;           /* explore --no-dpor: sleep sets without DPOR */
    bool shard_set;         /* --shard given */
    uint32_t shard_index, shard_total;
    const char *junit, *json, *trace_dir, *html, *schedule;
    bool tap;               /* --tap given */
    const char *tap_file;   /* its file, NULL: stdout */
    unsigned jobs;          /* -j N / --jobs N; 0: not given (online CPUs) */
    bool timeout_set;       /* --timeout given */
    int64_t timeout_ns;     /* its value; 0: no timeout */
    const char **patterns;  /* -k PATTERN (owned array, strings in argv); any matches */
    size_t npatterns;
    bool fail_fast;         /* -x / --fail-fast */
    bool verbose;           /* -v / --verbose */
    int color;              /* FL_CLI_COLOR_* */
    bool seed_set;          /* --seed N */
    uint64_t seed;
} fl_cli_args;

#define FL_CLI_COLOR_AUTO 0   /* colour when stdout is a terminal and NO_COLOR is unset or empty */
#define FL_CLI_COLOR_ALWAYS 1
#define FL_CLI_COLOR_NEVER 2

/* Parse argv[1..argc) (argv[0] is the program). 0 and *out (free with
 * fl_cli_free), or -EINVAL with err = one line naming what and where, e.g.
 * "faultline: --seeds: expected a positive integer, got 'x'", or -ENOMEM.
 * Options may come before, between or after operands, as `--opt VALUE` or
 * `--opt=VALUE`; `--` ends the options. `--tap` alone is TAP on stdout;
 * `--tap=FILE`, or `--tap FILE` when FILE ends in ".tap", writes FILE. */
int fl_cli_parse(int argc, char **argv, fl_cli_args *out, char *err, size_t errlen);
void fl_cli_free(fl_cli_args *c);

/* A duration: digits with an optional unit ms, s (the default), m or h;
 * "0" is zero. 0 and *ns, or -EINVAL (malformed, or above a day). */
int fl_cli_duration(const char *s, int64_t *ns);

/* Whether path is selected by c's -k patterns: no pattern, or any of them
 * matches — a pattern with *, ? or [ as an fnmatch(3) glob over the whole
 * path (`*` crosses '/'), any other as a substring. */
bool fl_cli_selected(const fl_cli_args *c, const char *path);

/* Which shard this process runs: --shard if given, else TEST_TOTAL_SHARDS /
 * TEST_SHARD_INDEX, else GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX (both pairs
 * set and different: an error). Touches TEST_SHARD_STATUS_FILE and
 * GTEST_SHARD_STATUS_FILE when set (creating the file), as the sharding
 * protocol asks. 0 with *on false (no sharding) or *on, *index, *total; or
 * -EINVAL with err naming the variable and value. */
int fl_cli_shard(const fl_cli_args *c, bool *on, uint32_t *index, uint32_t *total, char *err, size_t errlen);

/* Expand operands: a file is taken as is (it must be a regular file); a
 * directory contributes every *.scn below it, recursively, sorted by path
 * (byte order). Duplicates are dropped (first wins). The walk follows
 * symbolic links to directories but enters each directory (device, inode)
 * once: a link back up the tree, or to a directory already walked, is
 * skipped, and so is an entry named *.scn that is not a regular file (a
 * FIFO would block the parse): each with a warning line on warn (may be
 * NULL). 0 and *files (malloc'd array of malloc'd strings, free with
 * fl_cli_files_free), or -errno with err "faultline: PATH: why". */
int fl_cli_collect(const char *const *paths, size_t n, char ***files, size_t *nfiles, FILE *warn, char *err,
                   size_t errlen);
void fl_cli_files_free(char **files, size_t n);

/* Usage text of a command (FL_CLI_CMD_NONE: the overview). */
void fl_cli_usage(fl_cli_cmd cmd, FILE *out);

/* `faultline explore` (cli_explore.c): c is a parsed FL_CLI_CMD_EXPLORE command.
 * Returns the exit status. */
int fl_cli_explore(const fl_cli_args *c, FILE *out, FILE *err);

/* The whole command: returns the exit status. Normal output goes to out,
 * diagnostics and progress to err (progress only when err is a terminal). */
int fl_cli_main(int argc, char **argv, FILE *out, FILE *err);

/* `faultline exec …` (argv[1] is "exec"): whole programs under control,
 * one process per run (cli_exec.c). Exit status as fl_cli_main's. */
int fl_cli_exec_main(int argc, char **argv, FILE *out, FILE *err);

/* `faultline cc CC-ARGS...` (argv[1] is "cc"): clang with the flags of
 * inst/fl_inst.h, and the instrumentation runtime when it links (cli_cc.c).
 * Does not return when clang starts (its exit status is the command's);
 * returns FL_CLI_EXIT_USAGE with a message on err when there is nothing to
 * compile, the runtime archive is missing, or clang cannot be run. */
int fl_cli_cc_main(int argc, char **argv, FILE *out, FILE *err);

#endif
