/*
 * bench/search — search power (issue 12 part 2), measured:
 *   1. PCT as published, and POS, vs random: median runs to the first
 *      failure over trials, pct d=2, pct d=3 and pos against random, on the
 *      planted seam programs
 *      (in-process) and on examples/pthread through `faultline exec`
 *      (fl_exec_open / fl_exec_run, one process per run). k is learned
 *      across runs as the largest number of real choices seen (pos has no
 *      parameter). Target: no worse than random (ratio <= 1). With it, the figures that explain
 *      the medians: the failure probability of one run for each way over a
 *      fixed number of runs (k learned the same way), and k itself, against
 *      the guarantee 1/(n k^(d-1)) for a bug of depth d among n threads.
 *   2. Reduction: schedules explored to complete bound 1 and bound 2 with
 *      sleep sets, and with sleep sets + DPOR, against without, on the planted programs and the pthread
 *      examples; the ratio, and a check that both find the same failures
 *      (same verdict set; a difference is a bench failure).
 * Seeded strategies and exhaustive search: every figure is reproducible.
 * The examples are built with examples/pthread/build.sh into
 * BUILD/examples/pthread when missing.
 */
#include "bench.h"
#include "exec/fl_exec.h"
#include "explore/fl_explore.h"
#include "planted/fl_planted.h"
#include "sched/fl_sched.h"

#include <sys/stat.h>

static const char *bs_build = "build";

/* ---- runs to the first failure ------------------------------------------------ */

typedef struct bs_target {
    const char *name;
    const fl_planted *p; /* in-process, or */
    fl_exec *e;          /* a whole program, run as `faultline exec` runs it */
} bs_target;

/* One run: 1 failed, 0 passed, negative errno. *choices: real choices made.
 * Whole programs get exec's default early-timer rate, as `faultline exec`
 * gives them (a sleep used as synchronisation can be outrun). */
static int bs_run(const bs_target *t, const fl_sched_opts *so, uint64_t *choices)
{
    if (t->p) {
        fl_sched_result res;
        int rc = fl_planted_run(t->p, so, &res);
        *choices = res.choices;
        fl_sched_result_free(&res);
        return rc;
    }
    fl_sched_opts xo = *so;
    xo.timer_ppm = FL_EXEC_DEFAULT_TIMER_PPM;
    fl_exec_result res;
    char err[256];
    int rc = fl_exec_run(t->e, &xo, &res, err, sizeof err);
    if (rc < 0) {
        bn_check(false, "%s: %s", t->name, err);
        return rc;
    }
    bn_check(res.choices <= res.steps, "%s: %llu choices in %llu steps", t->name, (unsigned long long)res.choices,
             (unsigned long long)res.steps);
    *choices = res.choices;
    int failed = res.failed;
    fl_exec_result_free(&res);
    return failed;
}

/* Runs until the first failure (seeds seed0, seed0+1, ...), at most cap. */
static uint32_t bs_hunt(const bs_target *t, fl_sched_strategy st, uint32_t depth, uint64_t seed0, uint32_t cap,
                        bool *found)
{
    uint64_t k = 0;
    *found = false;
    for (uint32_t i = 0; i < cap; i++) {
        fl_sched_opts so = { .strategy = st, .seed = seed0 + i, .depth = depth, .pct_k = k };
        uint64_t ch = 0;
        int rc = bs_run(t, &so, &ch);
        if (ch > k) k = ch;
        if (rc < 0) return cap;
        if (rc == 1) {
            *found = true;
            return i + 1;
        }
    }
    return cap;
}

enum { BS_RANDOM, BS_PCT2, BS_PCT3, BS_POS, BS_NWAYS };
static const char *const bs_way[BS_NWAYS] = { "random", "pct d=2", "pct d=3", "pos" };
static const fl_sched_strategy bs_strat[BS_NWAYS] = { FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT, FL_SCHED_STRAT_PCT,
                                                      FL_SCHED_STRAT_POS };
static const uint32_t bs_depth[BS_NWAYS] = { 0, 2, 3, 0 };

/* The failure probability of one run: failures in `runs` runs (seeds 1..),
 * k learned across them as in a hunt. *kmax: the largest k. */
static double bs_rate(const bs_target *t, fl_sched_strategy st, uint32_t depth, uint32_t runs, uint64_t *kmax)
{
    uint64_t k = 0;
    uint32_t failed = 0;
    for (uint32_t i = 0; i < runs; i++) {
        fl_sched_opts so = { .strategy = st, .seed = 1 + i, .depth = depth, .pct_k = k };
        uint64_t ch = 0;
        int rc = bs_run(t, &so, &ch);
        if (rc < 0) return NAN;
        failed += rc == 1;
        if (ch > k) k = ch;
    }
    *kmax = k;
    return (double)failed / runs;
}

static void bs_rates(const bn_args *a, const bs_target *t, uint32_t runs)
{
    double p[BS_NWAYS];
    uint64_t k[BS_NWAYS];
    for (int w = 0; w < BS_NWAYS; w++)
        p[w] = bs_rate(t, bs_strat[w], bs_depth[w], runs, &k[w]);
    fprintf(stderr, "%s: failure probability of one run (%u runs): random %.3f, pct d=2 %.3f, pct d=3 %.3f, pos %.3f; "
            "k (most real choices in a run) %llu under pct d=3, %llu under random\n", t->name, runs, p[BS_RANDOM],
            p[BS_PCT2], p[BS_PCT3], p[BS_POS], (unsigned long long)k[BS_PCT3], (unsigned long long)k[BS_RANDOM]);
    char id[96], fig[160], ot[64], rt[64];
    snprintf(id, sizeof id, "search.rate.%s", t->name);
    snprintf(fig, sizeof fig, "%s: failure probability of one run, pct d=3 vs random (k=%llu)", t->name,
             (unsigned long long)k[BS_PCT3]);
    snprintf(ot, sizeof ot, "%.3f (d=2 %.3f)", p[BS_PCT3], p[BS_PCT2]);
    snprintf(rt, sizeof rt, "random %.3f", p[BS_RANDOM]);
    bn_row(a, id, fig, p[BS_PCT3], ot, p[BS_RANDOM], rt, p[BS_RANDOM] > 0 ? p[BS_PCT3] / p[BS_RANDOM] : NAN, NULL,
           BN_INFO, 0);
}

static void bs_pct_vs_random(const bn_args *a, const bs_target *t, int trials, uint32_t cap)
{
    double med[BS_NWAYS];
    int found[BS_NWAYS];
    for (int w = 0; w < BS_NWAYS; w++) {
        double *runs = bn_xcalloc((size_t)trials, sizeof(double));
        found[w] = 0;
        for (int i = 0; i < trials; i++) {
            bool f;
            uint32_t n = bs_hunt(t, bs_strat[w], bs_depth[w], 1 + (uint64_t)i * 1000003u, cap, &f);
            runs[i] = f ? (double)n : INFINITY;
            found[w] += f;
        }
        med[w] = bn_median(runs, (size_t)trials);
        fprintf(stderr, "%s %s: median %g runs to the first failure, found in %d/%d trials (cap %u)\n", t->name,
                bs_way[w], med[w], found[w], trials, cap);
        free(runs);
    }
    for (int w = BS_PCT2; w < BS_NWAYS; w++) {
        char id[96], fig[160], ot[64], rt[64];
        if (w == BS_POS) snprintf(id, sizeof id, "search.pos.%s", t->name);
        else snprintf(id, sizeof id, "search.pct%u.%s", bs_depth[w], t->name);
        snprintf(fig, sizeof fig, "%s: median runs to 1st failure, %s vs random", t->name, bs_way[w]);
        snprintf(ot, sizeof ot, "%g runs (%d/%d)", med[w], found[w], trials);
        snprintf(rt, sizeof rt, "random %g runs (%d/%d)", med[BS_RANDOM], found[BS_RANDOM], trials);
        double ratio = isfinite(med[w]) && isfinite(med[BS_RANDOM]) ? med[w] / med[BS_RANDOM]
                       : isfinite(med[w]) ? 0 : NAN;
        bn_row(a, id, fig, med[w], ot, med[BS_RANDOM], rt, ratio, NULL, BN_LE, 1.0);
    }
}

/* ---- explored schedules, reduced vs not --------------------------------------------- */

typedef struct bs_xs {
    const bs_target *t;
    fl_planted_ctx ctx;
    fl_exec_result last;
    uint64_t verdicts;    /* bit (status * 4 + failed) for every run seen failing */
} bs_xs;

static int bs_xrun(void *ud, const fl_sched_schedule *prefix, const fl_sched_hook *hook, uint64_t budget,
                   fl_sched_result *res)
{
    bs_xs *x = ud;
    fl_sched_opts so = { .strategy = FL_SCHED_STRAT_REPLAY, .step_budget = budget };
    if (x->t->p) return fl_sched_run_ex(&so, prefix, fl_planted_main, &x->ctx, res, hook);
    char *s = fl_sched_schedule_format(prefix);
    if (!s) return -ENOMEM;
    so.schedule = s;
    char err[256];
    fl_exec_result_free(&x->last);
    int rc = fl_exec_run_hooked(x->t->e, &so, hook, &x->last, err, sizeof err);
    free(s);
    if (rc < 0) return rc;
    res->status = x->last.status;
    res->steps = x->last.steps;
    res->preemptions = x->last.preemptions;
    return 0;
}

static int bs_xcheck(void *ud, const fl_sched_result *res)
{
    bs_xs *x = ud;
    int f = x->t->p ? fl_planted_check(&x->ctx, res) : x->last.failed;
    if (f < 0) return f;
    int code = x->t->p ? (int)res->status : (int)x->last.end * 8 + (int)x->last.status;
    if (f == 1) x->verdicts |= 1ull << (code & 63);
    return f;
}

/* runs[0]: unreduced; [1]: sleep sets; [2]: sleep sets + DPOR */
static void bs_reduction(const bn_args *a, const bs_target *t, uint32_t bound, uint64_t max_runs)
{
    uint64_t runs[3], verdicts[3];
    bool complete[3];
    for (int red = 0; red < 3; red++) {
        bs_xs x = { .t = t, .ctx = { t->p, -1 } };
        fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true, .no_reduction = red == 0,
                               .no_dpor = red == 1, .max_runs = max_runs };
        fl_explore_result r;
        char err[256] = "";
        int rc = fl_explore_search(&eo, bs_xrun, &x, bs_xcheck, &x, &r, err, sizeof err);
        fl_exec_result_free(&x.last);
        if (!bn_check(rc == 0, "%s bound %u: explore %d %s", t->name, bound, rc, err)) return;
        runs[red] = r.runs;
        complete[red] = r.complete;
        verdicts[red] = x.verdicts;
        fl_explore_result_free(&r);
    }
    fprintf(stderr, "%s bound %u: %llu schedules with sleep sets + dpor%s, %llu with sleep sets%s, %llu unreduced%s, "
            "failures %s\n", t->name, bound, (unsigned long long)runs[2], complete[2] ? "" : " (incomplete)",
            (unsigned long long)runs[1], complete[1] ? "" : " (incomplete)", (unsigned long long)runs[0],
            complete[0] ? "" : " (incomplete)",
            verdicts[0] == verdicts[1] && verdicts[0] == verdicts[2] ? "the same" : "DIFFER");
    for (int red = 1; red < 3; red++) {
        if (complete[0] && complete[red])
            bn_check(verdicts[0] == verdicts[red], "%s bound %u: %s and unreduced searches found different failures",
                     t->name, bound, red == 2 ? "dpor" : "sleep sets");
        char id[96], fig[160], ot[64], rt[64];
        snprintf(id, sizeof id, "search.reduce.%sb%u.%s", red == 2 ? "dpor." : "", bound, t->name);
        snprintf(fig, sizeof fig, "%s: schedules to complete bound %u, %s vs none", t->name, bound,
                 red == 2 ? "sleep sets + dpor" : "sleep sets");
        snprintf(ot, sizeof ot, "%llu%s", (unsigned long long)runs[red], complete[red] ? "" : "+ (cap)");
        snprintf(rt, sizeof rt, "%llu%s", (unsigned long long)runs[0], complete[0] ? "" : "+ (cap)");
        bn_row(a, id, fig, (double)runs[red], ot, (double)runs[0], rt, (double)runs[red] / (double)runs[0], NULL,
               BN_LE, 1.0);
    }
}

/* ---- whole programs ---------------------------------------------------------- */

static const char *const bs_examples[] = { "lost_update", "lock_order", "missed_wakeup", "cond_misuse",
                                           "atomicity2", "rwlock", "semaphore", "c11threads" };
/* examples/race, built with `faultline cc` (NAME.inst): plain-memory races. */
static const char *const bs_races[] = { "reorder", "wrong_lock", "loop_atomicity", "check_act" };

static bool bs_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Builds DIR with SCRIPT when PROBE is missing; false if it is still missing. */
static bool bs_built(const char *probe, const char *script, const char *dir, const char *extra)
{
    if (bs_exists(probe)) return true;
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sh %s %s %s >/dev/null 2>&1", script, dir, extra);
    if (system(cmd) != 0 || !bs_exists(probe)) {
        fprintf(stderr, "%s: build failed, skipped\n", script);
        return false;
    }
    return true;
}

static void bs_whole(const bn_args *a, const char *prog, const char *name, bool pct, bool reduce, int trials,
                     uint32_t cap)
{
    char lib[600];
    snprintf(lib, sizeof lib, "%s/libfaultline.so", bs_build);
    char *args[] = { (char *)prog, NULL };
    fl_exec_opts eo = { .argv = args, .lib = lib, .timeout_ms = 20000 };
    fl_exec *e;
    char err[256];
    if (!bn_check(fl_exec_open(&eo, &e, err, sizeof err) == 0, "exec %s: %s", prog, err)) return;
    bs_target t = { name, NULL, e };
    if (pct) {
        bs_pct_vs_random(a, &t, trials, cap);
        bs_rates(a, &t, a->quick ? 20 : 200);
    }
    if (reduce) bs_reduction(a, &t, 1, a->quick ? 2000 : 20000);
    fl_exec_close(e);
}

/* Own options, taken out of argv before bn_parse_args sees it:
 *   --only=pct | --only=reduce   one half of the bench
 *   --trials=N                   trials per median (default 21, 11 for exec) */
static int bs_own_args(int argc, char **argv, bool *pct, bool *reduce, int *trials)
{
    int j = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only=pct") == 0) *reduce = false;
        else if (strcmp(argv[i], "--only=reduce") == 0) *pct = false;
        else if (strncmp(argv[i], "--trials=", 9) == 0 && atoi(argv[i] + 9) > 0) *trials = atoi(argv[i] + 9);
        else argv[j++] = argv[i];
    }
    argv[j] = NULL;
    return j;
}

int main(int argc, char **argv)
{
    bool pct = true, reduce = true;
    int ntrials = 0;
    argc = bs_own_args(argc, argv, &pct, &reduce, &ntrials);
    bn_args a = bn_parse_args(argc, argv, "search power: pct and pos vs random, sleep-set reduction "
                                          "(own options: --only=pct|reduce, --trials=N)");
    const char *b = getenv("BENCH_BUILD");
    if (!b) b = getenv("BUILD");
    if (b && *b) bs_build = b;
    int trials = ntrials ? ntrials : a.quick ? 5 : 21;
    int xtrials = ntrials ? ntrials : a.quick ? 3 : 11;
    uint32_t cap = a.quick ? 300 : 2000;
    uint32_t xcap = a.quick ? 100 : 500;
    size_t n;
    const fl_planted *list = fl_planted_list(&n);
    for (size_t i = 0; i < n; i++) {
        bs_target t = { list[i].name, &list[i], NULL };
        if (pct && list[i].buggy) {
            bs_pct_vs_random(&a, &t, trials, cap);
            bs_rates(&a, &t, a.quick ? 50 : 1000);
        }
        for (uint32_t bound = 1; reduce && bound <= 2; bound++) bs_reduction(&a, &t, bound, 200000);
    }
    char dir[512], prog[700], name[64], fl[600];
    snprintf(dir, sizeof dir, "%s/examples/pthread", bs_build);
    snprintf(prog, sizeof prog, "%s/lost_update", dir);
    if (bs_built(prog, "examples/pthread/build.sh", dir, ""))
        for (size_t i = 0; i < sizeof bs_examples / sizeof *bs_examples; i++) {
            snprintf(prog, sizeof prog, "%s/%s", dir, bs_examples[i]);
            snprintf(name, sizeof name, "exec.%s", bs_examples[i]);
            if (bs_exists(prog)) bs_whole(&a, prog, name, pct, reduce, xtrials, xcap);
        }
    if (!pct) return bn_finish();
    snprintf(dir, sizeof dir, "%s/race", bs_build);
    snprintf(fl, sizeof fl, "%s/faultline", bs_build);
    snprintf(prog, sizeof prog, "%s/%s.inst", dir, bs_races[0]);
    if (bs_built(prog, "examples/race/build.sh", dir, fl))
        for (size_t i = 0; i < sizeof bs_races / sizeof *bs_races; i++) {
            snprintf(prog, sizeof prog, "%s/%s.inst", dir, bs_races[i]);
            snprintf(name, sizeof name, "inst.%s", bs_races[i]);
            if (bs_exists(prog)) bs_whole(&a, prog, name, true, false, xtrials, xcap);
        }
    return bn_finish();
}
