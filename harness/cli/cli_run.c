/*
 * cli_run.c — `faultline run` (fl_cli.h): select the scenarios (operands,
 * -k, shard), run them in child processes through fl_runner_pool (-j,
 * --timeout, -x, --seed), show progress, per-case lines (-v) and the
 * failure blocks, write the reports, handle SIGINT/SIGTERM.
 *
 * Output order is the cases' order, whatever -j is: the pool hands cases
 * over in order, and everything printed about a case is printed then.
 *
 * Signals: while the pool runs, the first SIGINT or SIGTERM sets a flag the
 * pool relays to its children (they stop at their next run boundary); the
 * reports are then written marked interrupted, the summary printed, and the
 * exit status is 130. A second one kills the children and exits 130 at
 * once (async-signal-safe: kill, write, _exit).
 */
#include "cli/cli_int.h"

#include "runner/fl_runner.h"
#include "sched/fl_sched.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FL_CLI__EXIT_INTERRUPTED 130

/* ---- signals ------------------------------------------------------------------------ */

static volatile sig_atomic_t fl_cli__stop;

static volatile sig_atomic_t fl_cli__writing; /* the reports are being written */

static void fl_cli__on_signal(int sig) {
    (void)sig;
    if (fl_cli__stop || fl_cli__writing) {
        static const char m[] = "\nfaultline: interrupted again: exiting now\n";
        fl_runner_pool_abort();
        fl_report_cleanup_tmp(); /* no half-written report's temporary stays behind */
        if (write(2, m, sizeof m - 1) < 0) {}
        _exit(FL_CLI__EXIT_INTERRUPTED);
    }
    fl_cli__stop = 1;
    static const char m[] = "\nfaultline: interrupted: stopping at the next run boundary (again to exit now)\n";
    if (write(2, m, sizeof m - 1) < 0) {}
}

/* ---- colour, progress ---------------------------------------------------------------- */

typedef struct fl_cli__show {
    FILE *out, *err;       /* out: the human stream (stderr with --tap to stdout) */
    bool color;            /* ANSI colour on out */
    bool tty;              /* err is a terminal: a progress line rewritten in place */
    double interval;       /* not a tty: a progress line every this many seconds (0: never) */
    size_t total;
    double t0, last;
    bool drawn;            /* the tty progress line is on screen */
    const fl_cli_args *c;
} fl_cli__show;

static const char *fl_cli__col(const fl_cli__show *s, const char *code) { return s->color ? code : ""; }
#define FL_CLI__RED "\033[31m"
#define FL_CLI__GREEN "\033[32m"
#define FL_CLI__YELLOW "\033[33m"
#define FL_CLI__OFF "\033[0m"

static void fl_cli__unprogress(fl_cli__show *s) {
    if (s->drawn) {
        fputs("\r\033[K", s->err);
        fflush(s->err);
        s->drawn = false;
    }
}

static void fl_cli__on_tick(void *ud, uint64_t runs, size_t done, size_t failed) {
    fl_cli__show *s = ud;
    double now = fl_cli__now();
    if (s->tty) {
        if (now - s->last < 0.1) return;
        s->last = now;
        fprintf(s->err, "\r\033[K[%zu/%zu] %llu runs, %zu failed, %.0f runs/s", done, s->total,
                (unsigned long long)runs, failed, now > s->t0 ? (double)runs / (now - s->t0) : 0.0);
        fflush(s->err);
        s->drawn = true;
    } else if (s->interval > 0 && now - s->last >= s->interval) {
        s->last = now;
        fprintf(s->err, "faultline: progress: %zu of %zu scenarios done, %llu runs, %zu failed, %.0f s\n", done,
                s->total, (unsigned long long)runs, failed, now - s->t0);
        fflush(s->err);
    }
}

static void fl_cli__on_case(void *ud, size_t k, const fl_case *c, const char *verbose) {
    fl_cli__show *s = ud;
    (void)k;
    if (!s->c->verbose) return;
    fl_cli__unprogress(s);
    const char *word = c->skipped ? "SKIP" : c->passed ? "PASS" : "FAIL";
    const char *col = c->skipped ? FL_CLI__YELLOW : c->passed ? FL_CLI__GREEN : FL_CLI__RED;
    fprintf(s->out, "%s%s%s %s (%u run%s, %u failed%s)\n", fl_cli__col(s, col), word, fl_cli__col(s, FL_CLI__OFF),
            c->path, c->runs, c->runs == 1 ? "" : "s", c->failed_runs,
            c->expect_fail ? c->passed ? "; known-bad: failed as expected" : "; known-bad: did not fail as expected" : "");
    for (const char *p = verbose; p && *p;) {
        size_t n = strcspn(p, "\n");
        bool fail = n > 0 && memmem(p, n, ": FAIL", 6) != NULL;
        fprintf(s->out, "%s%.*s%s\n", fail ? fl_cli__col(s, FL_CLI__RED) : "", (int)n, p,
                fail ? fl_cli__col(s, FL_CLI__OFF) : "");
        p += n + (p[n] == '\n');
    }
    fflush(s->out);
}

/* ---- run ---------------------------------------------------------------------------------- */

static int fl_cli__reports(const fl_cli_args *c, fl_suite *suite, FILE *err) {
    int r, bad = 0;
    struct { const char *path; int (*fn)(const fl_suite *, const char *); const char *flag; } w[] = {
        {c->junit, fl_report_junit, "--junit"},
        {c->json, fl_report_json, "--json"},
        {c->html, fl_report_html, "--html"},
        {c->tap ? (c->tap_file ? c->tap_file : "-") : NULL, fl_report_tap, "--tap"},
    };
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
        if (!w[i].path) continue;
        if ((r = w[i].fn(suite, w[i].path)) < 0) {
            fprintf(err, "faultline: %s %s: %s\n", w[i].flag, w[i].path, strerror(-r));
            bad = r;
        }
    }
    for (size_t i = 0; c->trace_dir && i < suite->ncases; i++)
        if (suite->cases[i].ntrace && (r = fl_report_trace(&suite->cases[i], c->trace_dir)) < 0) {
            fprintf(err, "faultline: --trace %s: %s: %s\n", c->trace_dir, suite->cases[i].path, strerror(-r));
            bad = r;
        }
    return bad;
}

/* The failure blocks of a run. A free run has no schedule, so its blocks
 * have no replay line; each says instead why there is none and what to do,
 * right after the block. */
static void fl_cli__failures(const fl_suite *suite, bool free_run, FILE *out) {
    if (!free_run) {
        fl_report_failures(suite, out);
        return;
    }
    for (size_t i = 0; i < suite->ncases; i++) {
        const fl_case *k = &suite->cases[i];
        if (k->skipped || k->passed) continue;
        fl_suite one = *suite;
        one.cases = (fl_case *)k;
        one.ncases = 1;
        fl_report_failures(&one, out);
        fputs("  replay:    none: a free run (--strategy free) is not replayable (real threads, real time);\n"
              "             run the scenario with --strategy random or pct for a failure that replays\n", out);
    }
}

/* The strategy/depth/seed range a suite reports: common to all cases, or
 * "mixed" (seed range: the union). */
static void fl_cli__suite_params(fl_suite *suite, fl_scenario *const *sc, size_t n, const fl_runner_opts *o) {
    const char *strat = NULL;
    bool mixed = false;
    suite->seed_lo = UINT64_MAX;
    suite->seed_hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t seeds, depth;
        uint64_t first, budget;
        fl_sched_strategy st;
        fl_runner_effective(sc[i], o, &seeds, &first, &st, &depth, &budget);
        const char *name = fl_sched_strategy_name(st);
        if (strat && strcmp(strat, name) != 0) mixed = true;
        strat = name;
        if (st == FL_SCHED_STRAT_PCT) suite->depth = depth;
        if (first < suite->seed_lo) suite->seed_lo = first;
        if (first + seeds > suite->seed_hi) suite->seed_hi = first + seeds;
    }
    suite->strategy = mixed ? "mixed" : strat ? strat : "random";
    if (suite->seed_lo > suite->seed_hi) suite->seed_lo = suite->seed_hi = 0;
}

/* Jobs by default: the CPUs this process may run on. */
static unsigned fl_cli__cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static bool fl_cli__color(const fl_cli_args *c, FILE *out) {
    if (c->color == FL_CLI_COLOR_ALWAYS) return true;
    if (c->color == FL_CLI_COLOR_NEVER) return false;
    const char *nc = getenv("NO_COLOR");
    return !(nc && *nc) && isatty(fileno(out)) == 1;
}

int fl_cli__run(const fl_cli_args *c, FILE *out, FILE *err) {
    char msg[512];
    char **files = NULL;
    size_t nfiles = 0, nsel = 0, nrun = 0;
    fl_scenario **sc = NULL, **sel = NULL;
    fl_case *cases = NULL;
    int *errs = NULL;
    char shard_s[48];
    int rc = FL_CLI_EXIT_USAGE;
    bool on, interrupted = false;
    uint32_t si = 0, st = 1;
    if (fl_cli_shard(c, &on, &si, &st, msg, sizeof msg) < 0) {
        fprintf(err, "%s\n", msg);
        return rc;
    }
    if (fl_cli_collect(c->paths, c->npaths, &files, &nfiles, err, msg, sizeof msg) < 0) {
        fprintf(err, "%s\n", msg);
        return rc;
    }
    if (fl_cli__env_failpoints(err) < 0 || fl_cli__parse_all(files, nfiles, &sc, err) < 0) goto done;
    size_t unknown = 0;
    for (size_t i = 0; i < nfiles; i++) unknown += fl_cli__check_workers(sc[i], err);
    if (unknown) goto done;
    if (!(sel = calloc(nfiles ? nfiles : 1, sizeof *sel))) {
        fprintf(err, "faultline: out of memory\n");
        goto done;
    }
    /* -k first, then the shard over what -k selected (as googletest does) */
    for (size_t i = 0, m = 0; i < nfiles; i++) {
        if (!fl_cli_selected(c, files[i])) continue;
        if (!on || m % st == si) sel[nsel++] = sc[i];
        m++;
    }
    if (c->npatterns && nsel == 0 && !on) {
        fprintf(err, "faultline: run: -k selects none of the %zu scenarios\n", nfiles);
        goto done;
    }
    /* Every output path is checked before the first run: a bad one (a
     * scenario file, a directory, a missing or read-only directory) is exit
     * 2 now, not after the whole suite ran. */
    {
        const char *const outs[][2] = {{c->junit, "--junit"}, {c->json, "--json"}, {c->html, "--html"},
                                       {c->tap ? c->tap_file : NULL, "--tap"}};
        for (size_t i = 0; i < sizeof outs / sizeof *outs; i++)
            if (outs[i][0] && strcmp(outs[i][0], "-") != 0 &&
                fl_report_path_check(outs[i][0], (const char *const *)files, nfiles, msg, sizeof msg) < 0) {
                fprintf(err, "faultline: %s: %s\n", outs[i][1], msg);
                goto done;
            }
        if (c->trace_dir && fl_report_dir_check(c->trace_dir, msg, sizeof msg) < 0) {
            fprintf(err, "faultline: --trace: %s\n", msg);
            goto done;
        }
    }
    if (!(cases = calloc(nsel ? nsel : 1, sizeof *cases)) || !(errs = calloc(nsel ? nsel : 1, sizeof *errs))) {
        fprintf(err, "faultline: out of memory\n");
        goto done;
    }
    FILE *human = c->tap && !c->tap_file ? err : out;
    const char *iv = getenv("FAULTLINE_PROGRESS_INTERVAL");
    fl_cli__show show = {.out = human, .err = err, .color = fl_cli__color(c, human), .tty = isatty(fileno(err)) == 1,
                         .interval = iv ? atof(iv) : 10.0, .total = nsel, .t0 = fl_cli__now(), .c = c};
    show.last = show.t0;
    fl_runner_opts o = {.seeds = c->seeds, .strategy = c->strategy, .depth = c->depth, .budget = c->budget, .pct_k = c->pct_k,
                        .time_scale = c->time_scale, .seed_set = c->seed_set, .seed = c->seed,
                        .verbose = c->verbose};
    fl_runner_pool_opts po = {.jobs = c->jobs ? c->jobs : fl_cli__cpus(),
                              .timeout_ns = c->timeout_set ? c->timeout_ns : FL_RUNNER_DEFAULT_TIMEOUT_NS,
                              .fail_fast = c->fail_fast, .stop = &fl_cli__stop, .on_case = fl_cli__on_case,
                              .on_tick = fl_cli__on_tick, .ud = &show};
    bool free_run = c->strategy == FL_SCHED_STRAT_FREE;
    fl_suite suite = {.name = "faultline", .timestamp = (int64_t)time(NULL)};
    if (on) {
        snprintf(shard_s, sizeof shard_s, "%u/%u", si, st);
        suite.shard = shard_s;
    }
    fl_cli__suite_params(&suite, sel, nsel, &o);
    double t0 = fl_cli__now();
    struct sigaction sa = {.sa_handler = fl_cli__on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    fl_cli__stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int r = fl_runner_pool(sel, nsel, &o, &po, cases, errs, &nrun, &interrupted);
    fl_cli__unprogress(&show);
    if (r < 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        fprintf(err, "faultline: run: %s\n", strerror(-r));
        nrun = 0;
        goto done;
    }
    bool internal = false;
    for (size_t k = 0; k < nrun; k++)
        if (errs[k] < 0) {
            internal = true;
            fprintf(err, "faultline: %s: %s\n", cases[k].path, cases[k].message ? cases[k].message : strerror(-errs[k]));
        }
    suite.time_s = fl_cli__now() - t0;
    suite.cases = cases;
    suite.ncases = nrun;
    suite.interrupted = interrupted;
    /* A signal while the reports are written exits at once, removing the
     * temporaries in flight (the handler stays until the reports are done). */
    fl_cli__writing = 1;
    bool reports_bad = fl_cli__reports(c, &suite, err) < 0;
    fl_cli__writing = 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    fl_cli__failures(&suite, free_run, human);
    size_t failed = fl_report_failed(&suite), skipped = 0;
    uint64_t runs = 0;
    for (size_t i = 0; i < nrun; i++) {
        runs += cases[i].runs;
        skipped += cases[i].skipped;
    }
    char notrun[96] = "";
    if (skipped) snprintf(notrun, sizeof notrun, ", %zu not run", skipped);
    if (nrun < nsel) snprintf(notrun, sizeof notrun, ", %zu not run (-x: stopped at the first failure)", nsel - nrun);
    fprintf(human, "faultline: %s%s%zu passed%s, %s%zu failed%s%s (%zu scenario%s%s%s, %llu runs, %.1f s, %.0f runs/s)\n",
            interrupted ? "interrupted: " : "", fl_cli__col(&show, failed ? "" : FL_CLI__GREEN), nrun - failed - skipped,
            fl_cli__col(&show, failed ? "" : FL_CLI__OFF), fl_cli__col(&show, failed ? FL_CLI__RED : ""), failed,
            fl_cli__col(&show, failed ? FL_CLI__OFF : ""), notrun, nrun, nrun == 1 ? "" : "s", on ? ", shard " : "",
            on ? shard_s : "", (unsigned long long)runs, suite.time_s,
            suite.time_s > 0 ? (double)runs / suite.time_s : 0.0);
    /* a report that could not be written is exit 2, after the summary */
    rc = interrupted ? FL_CLI__EXIT_INTERRUPTED : internal || reports_bad ? FL_CLI_EXIT_USAGE
       : failed ? FL_CLI_EXIT_FAIL : FL_CLI_EXIT_OK;
done:
    for (size_t i = 0; cases && i < nrun; i++) fl_runner_case_free(&cases[i]);
    free(cases);
    free(errs);
    free(sel);
    fl_cli__free_scenarios(sc, nfiles);
    fl_cli_files_free(files, nfiles);
    return rc;
}
