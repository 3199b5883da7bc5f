/*
 * cli_exec.c — `faultline exec [options] -- PROG [ARGS...]`: an unmodified
 * program many times under the controlled scheduler, one process per run
 * (exec/). Its own parser: the options are `run`'s where they mean the same
 * thing, plus the replay and shrink modes.
 *
 *   faultline exec [--seeds N | --seed N] [--strategy random|pct|rr]
 *                  [--depth D] [--budget STEPS] [--watchdog MS] [--timeout MS]
 *                  [--preempt-rate P]
 *                  [--keep-going] [--junit F] [--json F] [--html F] [--tap[=F]]
 *                  [--trace DIR] -- PROG [ARGS...]
 *   faultline exec --schedule fl1:… [--trace DIR] -- PROG [ARGS...]           (replay)
 *   faultline exec --shrink [--max-runs N] --schedule fl1:… [--trace DIR] -- PROG [ARGS...]  (shrink)
 *   faultline exec --explore [--bound B] [--max-runs N] [--no-reduce | --no-dpor] [--symmetric] -- PROG [ARGS...]
 *
 * --trace DIR writes the kept run's Chrome trace (each further failing run's
 * too with --keep-going; the replayed, shrunk or first failing explored run's
 * in the other modes): cli_xtrace.c.
 *
 * Exit 0: every run passed; 1: a run failed (or the replayed one fails);
 * 2: bad usage, or PROG cannot run under control.
 */
#include "cli/cli_int.h"
#include "exec/fl_exec.h"
#include "explore/fl_explore.h"
#include "report.h"
#include "sched/fl_sched.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct fl_cli__xargs {
    uint32_t seeds;
    bool seed_set;
    uint64_t seed;
    fl_sched_strategy strategy;
    uint32_t depth;
    uint64_t budget;
    uint32_t watchdog_ms, timeout_ms;
    uint32_t timer_ppm;
    uint32_t light_ppm;   /* --preempt-rate, in millionths; 0 = the default */
    const char *schedule;
    bool shrink, keep_going, explore, help;
    bool no_reduce;       /* --explore --no-reduce: no sleep sets */
    bool no_dpor;         /* --explore --no-dpor: sleep sets without DPOR */
    bool symmetric;       /* --explore --symmetric: the program's promise (docs/scheduler.md) */
    uint32_t bound;
    uint64_t max_runs;
    const char *junit, *json, *html, *tap_file;
    bool tap;
    const char *trace; /* --trace DIR */
    char **prog;       /* argv after "--" */
} fl_cli__xargs;

static const char fl_cli__xhelp[] =
    "Run an unmodified, dynamically linked program under the controlled scheduler, one\n"
    "fresh process per run; a run fails when it exits non-zero, dies by a signal,\n"
    "deadlocks, exhausts the step budget or runs uncontrolled (docs/pthread.md).\n\n"
    "  --seeds N           runs (default 200); --seed N runs exactly that seed\n"
    "  --strategy S        random | pct | pos | rr (default random)\n"
    "  --depth D           pct bug depth\n"
    "  --budget N          scheduling steps per run before it counts as a livelock\n"
    "  --watchdog MS       time a thread may go without a scheduling point: its CPU time\n"
    "                      while runnable, wall time while blocked (5000)\n"
    "  --timeout MS        wall time of one run (60000)\n"
    "  --timer-rate P%     chance a sleeper's timer fires before the others block (2%)\n"
    "  --preempt-rate P    random: chance of a switch at an instrumented access (0.1)\n"
    "  --keep-going        run every seed, not only up to the first failure\n"
    "  --schedule S        replay one recorded run; with --shrink, reduce it (at most\n"
    "                      --max-runs N replays, default 2000)\n"
    "  --explore           every schedule within --bound P preemptions (2), --max-runs N\n"
    "  --no-reduce         with --explore: no sleep-set reduction (every schedule runs)\n"
    "  --no-dpor           with --explore: sleep sets only, no dynamic partial-order reduction\n"
    "  --symmetric         with --explore: you promise that threads created with the same\n"
    "                      start routine and argument are interchangeable; of those\n"
    "                      not yet started, only one is tried at each choice\n"
    "  --junit F, --json F, --html F, --tap[=F]   reports, as for `run`\n"
    "  --trace DIR         the kept run's Chrome-trace (Perfetto) timeline: a track per thread\n"
    "                      and the run's scheduling steps (with --keep-going, every failing run)\n\n"
    "Exit: 0 every run passed, 1 a run failed, 2 bad usage or a program that cannot\n"
    "run under control.\n";

static int fl_cli__xusage(FILE *err, const char *fmt, const char *arg)
{
    fputs("faultline exec: ", err);
    fprintf(err, fmt, arg);
    fputs("\nusage: faultline exec [--seeds N | --seed N] [--strategy random|pct|rr] [--depth D]\n"
          "                      [--budget STEPS] [--watchdog MS] [--timeout MS] [--timer-rate P%]\n"
          "                      [--preempt-rate P]\n"
          "                      [--keep-going]\n"
          "                      [--junit F] [--json F] [--html F] [--tap[=F]] [--trace DIR] -- PROG [ARGS...]\n"
          "       faultline exec [--shrink [--max-runs N]] --schedule fl1:... [--trace DIR] -- PROG [ARGS...]\n"
          "       faultline exec --explore [--bound B] [--max-runs N] [--no-reduce | --no-dpor] [--symmetric] [--trace DIR]\n"
          "                      -- PROG [ARGS...]\n",
          err);
    return FL_CLI_EXIT_USAGE;
}

static int fl_cli__xnum(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || s[0] == '-' || v > max) return -1;
    *out = v;
    return 0;
}

static int fl_cli__xparse(int argc, char **argv, fl_cli__xargs *x, FILE *err)
{
    memset(x, 0, sizeof *x);
    x->strategy = FL_SCHED_STRAT_RANDOM;
    x->seeds = 200;
    x->bound = 2;
    x->timer_ppm = FL_EXEC_DEFAULT_TIMER_PPM;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            if (i + 1 >= argc) return fl_cli__xusage(err, "%sno program after --", "");
            x->prog = argv + i + 1;
            return 0;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            x->help = true;
            return 0;
        }
        if (strcmp(a, "--keep-going") == 0) { x->keep_going = true; continue; }
        if (strcmp(a, "--shrink") == 0) { x->shrink = true; continue; }
        if (strcmp(a, "--explore") == 0) { x->explore = true; continue; }
        if (strcmp(a, "--no-reduce") == 0) { x->no_reduce = true; continue; }
        if (strcmp(a, "--no-dpor") == 0) { x->no_dpor = true; continue; }
        if (strcmp(a, "--symmetric") == 0) { x->symmetric = true; continue; }
        if (strcmp(a, "--tap") == 0) { x->tap = true; continue; }
        if (strncmp(a, "--tap=", 6) == 0) { x->tap = true; x->tap_file = a + 6; continue; }
        if (a[0] != '-' ) return fl_cli__xusage(err, "expected an option or --, got '%s' (put the program after --)", a);
        if (!v) return fl_cli__xusage(err, "%s needs a value", a);
        i++;
        if (strcmp(a, "--seeds") == 0) {
            if (fl_cli__xnum(v, 100000000, &n) < 0 || n == 0) return fl_cli__xusage(err, "--seeds: expected a count from 1, got '%s'", v);
            x->seeds = (uint32_t)n;
        } else if (strcmp(a, "--seed") == 0) {
            if (fl_cli__xnum(v, UINT64_MAX, &n) < 0) return fl_cli__xusage(err, "--seed: expected a number, got '%s'", v);
            x->seed = n;
            x->seed_set = true;
        } else if (strcmp(a, "--strategy") == 0) {
            fl_sched_strategy s;
            if (fl_sched_strategy_parse(v, &s) < 0 || (!fl_sched_strategy_seeded(s) && s != FL_SCHED_STRAT_RR))
                return fl_cli__xusage(err, "--strategy: expected random, pct, pos or rr, got '%s'", v);
            x->strategy = s;
        } else if (strcmp(a, "--depth") == 0) {
            if (fl_cli__xnum(v, 64, &n) < 0 || n == 0) return fl_cli__xusage(err, "--depth: expected 1..64, got '%s'", v);
            x->depth = (uint32_t)n;
        } else if (strcmp(a, "--budget") == 0) {
            if (fl_cli__xnum(v, UINT64_MAX, &n) < 0 || n == 0) return fl_cli__xusage(err, "--budget: expected a step count, got '%s'", v);
            x->budget = n;
        } else if (strcmp(a, "--watchdog") == 0) {
            if (fl_cli__xnum(v, 3600000, &n) < 0 || n == 0) return fl_cli__xusage(err, "--watchdog: expected milliseconds, got '%s'", v);
            x->watchdog_ms = (uint32_t)n;
        } else if (strcmp(a, "--timeout") == 0) {
            if (fl_cli__xnum(v, 86400000, &n) < 0 || n == 0) return fl_cli__xusage(err, "--timeout: expected milliseconds, got '%s'", v);
            x->timeout_ms = (uint32_t)n;
        } else if (strcmp(a, "--preempt-rate") == 0) {
            /* random's chance of a switch at an instrumented memory access
             * (programs built with `faultline cc`); 0 = never */
            char *end;
            errno = 0;
            double p = strtod(v, &end);
            if (errno || end == v || *end || !(p >= 0.0 && p <= 1.0))
                return fl_cli__xusage(err, "--preempt-rate: expected a probability from 0 to 1, got '%s'", v);
            uint32_t ppm = (uint32_t)(p * 1e6 + 0.5);
            x->light_ppm = p == 0.0 ? FL_SCHED_LIGHT_NEVER : ppm ? ppm : 1;
        } else if (strcmp(a, "--bound") == 0) {
            if (fl_cli__xnum(v, FL_CLI_MAX_BOUND, &n) < 0) return fl_cli__xusage(err, "--bound: expected 0..64 preemptions, got '%s'", v);
            x->bound = (uint32_t)n;
        } else if (strcmp(a, "--max-runs") == 0) {
            if (fl_cli__xnum(v, UINT64_MAX, &n) < 0 || n == 0) return fl_cli__xusage(err, "--max-runs: expected a count, got '%s'", v);
            x->max_runs = n;
        } else if (strcmp(a, "--timer-rate") == 0) {
            char *end;
            errno = 0;
            double pc = strtod(v, &end);
            if (errno || end == v || (*end && strcmp(end, "%") != 0) || pc < 0 || pc > 100)
                return fl_cli__xusage(err, "--timer-rate: expected a percentage 0..100 (e.g. 2%%), got '%s'", v);
            x->timer_ppm = (uint32_t)(pc * 10000.0 + 0.5);
        } else if (strcmp(a, "--schedule") == 0) {
            x->schedule = v;
        } else if (strcmp(a, "--junit") == 0) {
            x->junit = v;
        } else if (strcmp(a, "--json") == 0) {
            x->json = v;
        } else if (strcmp(a, "--html") == 0) {
            x->html = v;
        } else if (strcmp(a, "--trace") == 0) {
            x->trace = v;
        } else {
            return fl_cli__xusage(err, "unknown option '%s'", a);
        }
    }
    return fl_cli__xusage(err, "%sexpected -- PROG [ARGS...]", "");
}

/* ---- words ----------------------------------------------------------------------- */

static void fl_cli__xquote(FILE *out, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("@%+=:,./_-", *p))) plain = false;
    if (plain) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (const char *p = s; *p; p++) {
        if (*p == '\'') fputs("'\\''", out);
        else fputc(*p, out);
    }
    fputc('\'', out);
}

/* "PROGNAME exec [--shrink ]--schedule S -- PROG ARGS" into a malloc'd string. */
static char *fl_cli__xline(const char *self, const char *mode, const char *schedule, char **prog)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    fl_cli__xquote(f, self);
    fprintf(f, " exec %s--schedule %s --", mode, schedule);
    for (char **a = prog; *a; a++) {
        fputc(' ', f);
        fl_cli__xquote(f, *a);
    }
    fclose(f);
    return buf;
}

static void fl_cli__xtail(FILE *out, const char *text)
{
    if (!text || !*text) return;
    /* the last lines, indented; at most 12 */
    const char *end = text + strlen(text), *p = end;
    if (p > text && p[-1] == '\n') p--;
    for (int lines = 0; p > text; p--)
        if (p[-1] == '\n' && ++lines == 12) break;
    fputs("  output:\n", out);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
        fprintf(out, "    | %.*s\n", (int)k, p);
        p += k + (nl ? 1 : 0);
    }
}

static void fl_cli__xreport(FILE *out, const char *text)
{
    if (!text || !*text) return;
    fputs("  scheduler:\n", out);
    const char *p = text, *end = text + strlen(text);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
        fprintf(out, "    %.*s\n", (int)k, p);
        p += k + (nl ? 1 : 0);
    }
}

static void fl_cli__xfail(FILE *out, const char *self, char **prog, const char *label, const fl_exec_result *r)
{
    fprintf(out, "\nFAIL %s (%s): %s\n", prog[0], label, r->reason);
    fl_cli__xreport(out, r->report);
    fl_cli__xtail(out, r->output);
    if (r->schedule) {
        char *rl = fl_cli__xline(self, "", r->schedule, prog);
        char *sl = fl_cli__xline(self, "--shrink ", r->schedule, prog);
        if (rl) fprintf(out, "  replay:    %s\n", rl);
        if (sl) fprintf(out, "  shrink:    %s\n", sl);
        free(rl);
        free(sl);
    } else {
        fputs("  replay:    none (the run recorded no schedule)\n", out);
    }
}

/* ---- reports ----------------------------------------------------------------------------- */

static int fl_cli__xreports(const fl_cli__xargs *x, const fl_suite *s, FILE *err)
{
    int bad = 0;
    struct { const char *path; int (*fn)(const fl_suite *, const char *); const char *flag; } w[] = {
        {x->junit, fl_report_junit, "--junit"}, {x->json, fl_report_json, "--json"},
        {x->html, fl_report_html, "--html"}, {x->tap ? (x->tap_file ? x->tap_file : "-") : NULL, fl_report_tap, "--tap"},
    };
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
        int r;
        if (w[i].path && (r = w[i].fn(s, w[i].path)) < 0) {
            fprintf(err, "faultline exec: %s %s: %s\n", w[i].flag, w[i].path, strerror(-r));
            bad = 1;
        }
    }
    return bad;
}

static double fl_cli__xnow(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The seed a schedule records (0 when it does not parse), for otherData. */
static uint64_t fl_cli__xseed(const char *schedule)
{
    fl_sched_schedule sc;
    uint64_t seed = 0;
    if (schedule && fl_sched_schedule_parse(schedule, &sc, NULL, 0) == 0) {
        seed = sc.seed;
        fl_sched_schedule_free(&sc);
    }
    return seed;
}

/* The trace of run r into --trace DIR, named name, with its replay line. */
static int fl_cli__xtrace_run(const fl_exec_result *r, const fl_cli__xargs *x, const char *self, const char *name,
                              uint64_t seed, FILE *err)
{
    char *rl = r->schedule ? fl_cli__xline(self, "", r->schedule, x->prog) : NULL;
    int rc = fl_cli__xtrace(r, x->trace, x->prog[0], name, seed, rl, err);
    free(rl);
    return rc;
}

/* ---- modes ------------------------------------------------------------------------------------ */

static int fl_cli__xone(fl_exec *e, const fl_cli__xargs *x, const char *self, FILE *out, FILE *err)
{
    fl_sched_opts so = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = x->schedule, .watchdog_ms = x->watchdog_ms,
                         .trace = x->trace && !x->shrink };
    fl_exec_result r;
    char msg[1024];
    if (fl_exec_run(e, &so, &r, msg, sizeof msg) < 0) {
        fprintf(err, "%s\n", msg);
        return FL_CLI_EXIT_USAGE;
    }
    if (!x->shrink) {
        int rc = r.failed ? FL_CLI_EXIT_FAIL : FL_CLI_EXIT_OK;
        if (r.failed) fl_cli__xfail(out, self, x->prog, "replay", &r);
        else fprintf(out, "PASS %s (replay): %llu steps, %llu preemptions\n", x->prog[0],
                     (unsigned long long)r.steps, (unsigned long long)r.preemptions);
        if (x->trace && !r.schedule) r.schedule = strdup(x->schedule); /* a replay that died: the one given */
        if (x->trace && fl_cli__xtrace_run(&r, x, self, x->prog[0], fl_cli__xseed(r.schedule), err) < 0) rc = FL_CLI_EXIT_USAGE;
        fl_exec_result_free(&r);
        return rc;
    }
    if (!r.failed) {
        fprintf(err, "faultline exec --shrink: the given schedule does not fail; nothing to shrink\n");
        fl_exec_result_free(&r);
        return FL_CLI_EXIT_FAIL;
    }
    fl_cli__xshrink st = { e, x->watchdog_ms, r.reason };
    fl_explore_shrink_result sr;
    fl_explore_shrink_opts sho = { .max_runs = x->max_runs > UINT32_MAX ? UINT32_MAX : (uint32_t)x->max_runs };
    int rc = fl_explore_shrink(x->schedule, fl_cli__xshrink_fails, &st, &sho, &sr, msg, sizeof msg);
    if (rc < 0) {
        fprintf(err, "faultline exec --shrink: %s\n", msg);
        fl_exec_result_free(&r);
        return FL_CLI_EXIT_USAGE;
    }
    fprintf(out, "shrunk %s: %s\n", x->prog[0], r.reason);
    fprintf(out, "  steps:       %llu -> %llu\n  preemptions: %llu -> %llu\n  tries:       %u\n",
            (unsigned long long)sr.steps_before, (unsigned long long)sr.steps_after,
            (unsigned long long)sr.preempt_before, (unsigned long long)sr.preempt_after, (unsigned)sr.runs);
    fl_cli__shrink_min(out, "  minimum:     ", &sr);
    char *rl = fl_cli__xline(self, "", sr.schedule, x->prog);
    if (rl) fprintf(out, "  replay:      %s\n", rl);
    free(rl);
    int ret = FL_CLI_EXIT_FAIL;
    if (x->trace) { /* the shrunk run, once more, traced */
        fl_exec_result t;
        so.schedule = sr.schedule;
        so.trace = true;
        if (fl_exec_run(e, &so, &t, msg, sizeof msg) < 0) {
            fprintf(err, "%s\n", msg);
            ret = FL_CLI_EXIT_USAGE;
        } else {
            if (fl_cli__xtrace_run(&t, x, self, x->prog[0], fl_cli__xseed(t.schedule), err) < 0) ret = FL_CLI_EXIT_USAGE;
            fl_exec_result_free(&t);
        }
    }
    fl_explore_shrink_result_free(&sr);
    fl_exec_result_free(&r);
    return ret;
}

static int fl_cli__xmany(fl_exec *e, const fl_cli__xargs *x, const char *self, FILE *out, FILE *err)
{
    double t0 = fl_cli__xnow();
    uint64_t first = x->seed_set ? x->seed : 1, n = x->seed_set ? 1 : x->seeds, runs = 0, failed = 0;
    uint64_t pct_k = 0;
    fl_case c = { .path = x->prog[0], .name = "exec" };
    char *reason = NULL, *message = NULL, *schedule = NULL, *replay = NULL, label[64];
    int rc = FL_CLI_EXIT_OK;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t seed = first + i;
        fl_sched_opts so = { .strategy = x->strategy, .seed = seed, .depth = x->depth, .pct_k = pct_k,
                             .step_budget = x->budget, .watchdog_ms = x->watchdog_ms, .timer_ppm = x->timer_ppm,
                             .light_ppm = x->light_ppm, .trace = x->trace != NULL };
        fl_exec_result r;
        char msg[1024];
        if (fl_exec_run(e, &so, &r, msg, sizeof msg) < 0) {
            fprintf(err, "%s\n", msg);
            rc = FL_CLI_EXIT_USAGE;
            break;
        }
        runs++;
        if (r.choices > pct_k) pct_k = r.choices; /* PCT's k: the most real choices a run made so far */
        if (r.failed) {
            failed++;
            if (failed == 1) {
                snprintf(label, sizeof label, "seed %llu", (unsigned long long)seed);
                fl_cli__xfail(out, self, x->prog, label, &r);
                c.seed = seed;
                reason = strdup(r.reason);
                message = fl_cli__xmessage(&r);
                if (r.schedule) {
                    schedule = strdup(r.schedule);
                    replay = fl_cli__xline(self, "", r.schedule, x->prog);
                }
            }
            rc = FL_CLI_EXIT_FAIL;
        }
        /* the kept run's trace (the first run's until one fails: the first
         * failure replaces it), and every further failing run's by seed */
        if (x->trace && (i == 0 || r.failed)) {
            char name[64];
            snprintf(name, sizeof name, "%.40s.seed-%llu", x->prog[0], (unsigned long long)seed);
            bool kept = i == 0 || (r.failed && failed == 1);
            if (fl_cli__xtrace_run(&r, x, self, kept ? x->prog[0] : name, seed, err) < 0) rc = FL_CLI_EXIT_USAGE;
        }
        fl_exec_result_free(&r);
        if (rc == FL_CLI_EXIT_USAGE || (failed && !x->keep_going)) break;
    }
    c.runs = (uint32_t)runs;
    c.failed_runs = (uint32_t)failed;
    c.passed = failed == 0 && rc != FL_CLI_EXIT_USAGE;
    c.invariant = reason;
    c.message = message;
    c.schedule = schedule;
    c.replay = replay;
    c.time_s = fl_cli__xnow() - t0;
    fl_suite s = { .name = "faultline exec", .strategy = fl_sched_strategy_name(x->strategy), .depth = x->depth,
                   .seed_lo = first, .seed_hi = first + runs, .timestamp = (int64_t)time(NULL),
                   .time_s = c.time_s, .cases = &c, .ncases = 1 };
    if (rc != FL_CLI_EXIT_USAGE && fl_cli__xreports(x, &s, err)) rc = FL_CLI_EXIT_USAGE;
    fprintf(out, "faultline exec: %llu of %llu runs failed (%s, %s, %.2f s)\n", (unsigned long long)failed,
            (unsigned long long)runs, x->prog[0], fl_sched_strategy_name(x->strategy), c.time_s);
    free(reason);
    free(message);
    free(schedule);
    free(replay);
    return rc;
}

/* ---- bounded search: each schedule a fresh process ------------------------------------------ */

typedef struct fl_cli__xsearch {
    fl_exec *e;
    const fl_cli__xargs *x;
    fl_exec_result last;
    fl_exec_result first_fail;
} fl_cli__xsearch;

static int fl_cli__xrun(void *ud, const fl_sched_schedule *prefix, const fl_sched_hook *hook, uint64_t budget,
                        fl_sched_result *res)
{
    fl_cli__xsearch *xs = ud;
    char *s = fl_sched_schedule_format(prefix);
    if (!s) return -ENOMEM;
    fl_sched_opts so = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = s, .step_budget = budget,
                         .watchdog_ms = xs->x->watchdog_ms, .trace = xs->x->trace != NULL,
                         .symmetric = xs->x->symmetric };
    char err[512];
    fl_exec_result_free(&xs->last);
    int rc = fl_exec_run_hooked(xs->e, &so, hook, &xs->last, err, sizeof err);
    free(s);
    if (rc < 0) {
        res->report = strdup(err);
        return rc;
    }
    res->status = xs->last.status;
    res->steps = xs->last.steps;
    res->preemptions = xs->last.preemptions;
    res->schedule = xs->last.schedule ? strdup(xs->last.schedule) : NULL;
    return 0;
}

static int fl_cli__xcheck(void *ud, const fl_sched_result *res)
{
    (void)res;
    fl_cli__xsearch *xs = ud;
    if (xs->last.failed && !xs->first_fail.reason) {
        xs->first_fail = xs->last; /* keep the first failure's words */
        memset(&xs->last, 0, sizeof xs->last);
        return 1;
    }
    return xs->last.failed;
}

static int fl_cli__xexplore(fl_exec *e, const fl_cli__xargs *x, const char *self, FILE *out, FILE *err)
{
    fl_cli__xsearch xs = { .e = e, .x = x };
    fl_explore_opts eo = { .preemption_bound = x->bound, .max_runs = x->max_runs ? x->max_runs : 20000,
                           .step_budget = x->budget, .keep_going = x->keep_going, .no_reduction = x->no_reduce,
                           .no_dpor = x->no_dpor };
    fl_explore_result r;
    char msg[1024];
    int rc = fl_explore_search(&eo, fl_cli__xrun, &xs, fl_cli__xcheck, &xs, &r, msg, sizeof msg);
    if (rc < 0) {
        fprintf(err, "faultline exec --explore: %s\n", msg);
        fl_exec_result_free(&xs.last);
        fl_exec_result_free(&xs.first_fail);
        return FL_CLI_EXIT_USAGE;
    }
    if (r.failures) fl_cli__xfail(out, self, x->prog, "explore", &xs.first_fail);
    bool bad_trace = r.failures && x->trace && fl_cli__xtrace_run(&xs.first_fail, x, self, x->prog[0], fl_cli__xseed(xs.first_fail.schedule), err) < 0;
    fprintf(out, "faultline exec --explore: %s, bound %u: %llu schedules, %s, %llu failed\n", x->prog[0], x->bound,
            (unsigned long long)r.runs,
            r.complete ? "complete" : r.failures && !x->keep_going ? "stopped at the first failure" : "incomplete (--max-runs reached)",
            (unsigned long long)r.failures);
    rc = bad_trace ? FL_CLI_EXIT_USAGE : r.failures ? FL_CLI_EXIT_FAIL : FL_CLI_EXIT_OK;
    fl_explore_result_free(&r);
    fl_exec_result_free(&xs.last);
    fl_exec_result_free(&xs.first_fail);
    return rc;
}

int fl_cli_exec_main(int argc, char **argv, FILE *out, FILE *err)
{
    fl_cli__xargs x;
    int rc = fl_cli__xparse(argc, argv, &x, err);
    if (rc) return rc;
    if (x.help) {
        fputs("usage: faultline exec [options] -- PROG [ARGS...]\n"
              "       faultline exec [--shrink [--max-runs N]] --schedule S [--trace DIR] -- PROG [ARGS...]\n"
              "       faultline exec --explore [--bound P] [--max-runs N] [--no-reduce | --no-dpor] [--symmetric] [--trace DIR]\n"
              "                      -- PROG [ARGS...]\n", out);
        fputs(fl_cli__xhelp, out);
        return FL_CLI_EXIT_OK;
    }
    if (x.shrink && !x.schedule) return fl_cli__xusage(err, "%s--shrink needs --schedule", "");
    char dmsg[512];
    if (x.trace && fl_report_dir_check(x.trace, dmsg, sizeof dmsg) < 0) {
        fprintf(err, "faultline exec: --trace: %s\n", dmsg);
        return FL_CLI_EXIT_USAGE;
    }
    if (x.explore && (x.schedule || x.shrink)) return fl_cli__xusage(err, "%s--explore takes no --schedule or --shrink", "");
    if ((x.no_reduce || x.no_dpor || x.symmetric) && !x.explore)
        return fl_cli__xusage(err, "%s--no-reduce, --no-dpor and --symmetric only apply to --explore", "");
    if (x.schedule) {
        char e2[256];
        fl_sched_schedule sc;
        if (fl_sched_schedule_parse(x.schedule, &sc, e2, sizeof e2) < 0)
            return fl_cli__xusage(err, "--schedule: %s", e2);
        fl_sched_schedule_free(&sc);
    }
    fl_exec_opts o = { .argv = x.prog, .timeout_ms = x.timeout_ms };
    fl_exec *e;
    char msg[1024];
    if ((rc = fl_exec_open(&o, &e, msg, sizeof msg)) < 0) {
        fprintf(err, "faultline exec: %s\n", msg);
        return FL_CLI_EXIT_USAGE;
    }
    const char *self = argc > 0 ? argv[0] : "faultline";
    rc = x.explore ? fl_cli__xexplore(e, &x, self, out, err)
       : x.schedule ? fl_cli__xone(e, &x, self, out, err) : fl_cli__xmany(e, &x, self, out, err);
    fl_exec_close(e);
    return rc;
}
