/*
 * bench/inst — what memory-access scheduling points (`faultline cc`,
 * harness/inst/) buy and what they cost, on the planted plain-memory races
 * of examples/race/ run by `faultline exec`.
 *
 *  1. Runs to the first failure, instrumented vs not: for each program and
 *     strategy (random, pct), TRIALS independent trials (trial t starts at
 *     seed 1 + 1000 t), capped at CAP runs; median. Uninstrumented builds
 *     never fail (nothing can switch inside the racy code), so their figure
 *     is "more than CAP" and the ratio printed is an upper bound. Target:
 *     the instrumented median at most 1/10 of the uninstrumented one.
 *  2. The random strategy's preemption rate at light points
 *     (--preempt-rate): median runs to the first failure for a few rates,
 *     summed over the programs (informational; the default,
 *     FL_SCHED_DEFAULT_LIGHT_PPM, was chosen from this table).
 *  3. Cost: runs per second of the fixed twins under `faultline exec`,
 *     instrumented against uninstrumented, interleaved ABAB in rounds;
 *     median of the rounds (informational).
 *
 * The programs are built by examples/race/build.sh into build/race when
 * missing (needs build/faultline and clang). `faultline exec` is compiled
 * out of sanitizer builds; there this bench prints rows saying so.
 */
#include "bench.h"
#include "exec/fl_exec.h"
#include "sched/fl_sched.h"

#include <sys/stat.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BI_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BI_SAN 1
#endif
#endif
#ifndef BI_SAN
#define BI_SAN 0
#endif

static const char *const bi_progs[] = { "reorder", "wrong_lock", "loop_atomicity", "check_act" };
#define BI_NPROG (sizeof bi_progs / sizeof *bi_progs)

static bool bi_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static fl_exec *bi_open(const char *path)
{
    char *argv[] = { (char *)path, NULL };
    fl_exec_opts o = { .argv = argv, .lib = "build/libfaultline.so" };
    fl_exec *e = NULL;
    char err[512];
    if (fl_exec_open(&o, &e, err, sizeof err) < 0) {
        fprintf(stderr, "bench/inst: %s: %s\n", path, err);
        return NULL;
    }
    return e;
}

/* Runs until the first failure from seed0, at most cap; cap + 1 if none. */
static double bi_first(fl_exec *e, fl_sched_strategy s, uint32_t ppm, uint64_t seed0, uint32_t cap, uint64_t *runs)
{
    uint64_t pct_k = 0;
    for (uint32_t i = 0; i < cap; i++) {
        fl_sched_opts so = { .strategy = s, .seed = seed0 + i, .pct_k = pct_k, .light_ppm = ppm };
        fl_exec_result r;
        char err[512];
        if (fl_exec_run(e, &so, &r, err, sizeof err) < 0) {
            bn_check(false, "run failed: %s", err);
            return NAN;
        }
        (*runs)++;
        if (r.choices > pct_k) pct_k = r.choices;
        bool failed = r.failed;
        fl_exec_result_free(&r);
        if (failed) return i + 1;
    }
    return cap + 1;
}

static double bi_median_first(fl_exec *e, fl_sched_strategy s, uint32_t ppm, int trials, uint32_t cap,
                              uint64_t *runs)
{
    double v[64];
    for (int t = 0; t < trials; t++) v[t] = bi_first(e, s, ppm, 1 + 1000 * (uint64_t)t, cap, runs);
    return bn_median(v, (size_t)trials);
}

static double bi_rate(fl_exec *e, int n, uint64_t seed0)
{
    int64_t t0 = bn_now_ns();
    for (int i = 0; i < n; i++) {
        fl_sched_opts so = { .strategy = FL_SCHED_STRAT_RANDOM, .seed = seed0 + (uint64_t)i };
        fl_exec_result r;
        char err[512];
        if (fl_exec_run(e, &so, &r, err, sizeof err) < 0 || r.failed) {
            bn_check(false, "a fixed twin failed or could not run");
            if (r.failed) fl_exec_result_free(&r);
            return NAN;
        }
        fl_exec_result_free(&r);
    }
    return n / ((double)(bn_now_ns() - t0) / 1e9);
}

int main(int argc, char **argv)
{
    bn_args a = bn_parse_args(argc, argv, "memory-access scheduling points: bugs found, preemption rate, cost");
    if (BI_SAN) {
        bn_row_missing(&a, "inst.find", "instrumented runs to first failure", "exec compiled out (sanitizer build)",
                       BN_INFO, 0);
        return bn_finish();
    }
    char path[256];
    snprintf(path, sizeof path, "build/race/%s.inst", bi_progs[BI_NPROG - 1]);
    if (!bi_exists(path) && system("sh examples/race/build.sh build/race build/faultline >&2") != 0) {
        bn_row_missing(&a, "inst.find", "instrumented runs to first failure", "examples/race not built (clang?)",
                       BN_LE, 0.1);
        return bn_finish();
    }
    int trials = a.quick ? 1 : 9;
    uint32_t cap = a.quick ? 20 : 200;
    static const fl_sched_strategy strats[] = { FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT };
    char id[96], fig[160], ot[48], rt[48];

    /* 1. found: instrumented vs not */
    for (size_t p = 0; p < BI_NPROG; p++) {
        char ip[256], pp[256];
        snprintf(ip, sizeof ip, "build/race/%s.inst", bi_progs[p]);
        snprintf(pp, sizeof pp, "build/race/%s", bi_progs[p]);
        fl_exec *ei = bi_open(ip), *ep = bi_open(pp);
        if (!ei || !ep) {
            bn_check(false, "cannot start %s", bi_progs[p]);
            fl_exec_close(ei);
            fl_exec_close(ep);
            continue;
        }
        for (size_t s = 0; s < 2; s++) {
            uint64_t ri = 0, rp = 0;
            double mi = bi_median_first(ei, strats[s], 0, trials, cap, &ri);
            double mp = bi_median_first(ep, strats[s], 0, trials, cap, &rp);
            bn_check(ri > 0 && rp > 0, "no runs happened");
            snprintf(id, sizeof id, "inst.find.%s.%s", bi_progs[p], fl_sched_strategy_name(strats[s]));
            snprintf(fig, sizeof fig, "%s (%s): median runs to 1st failure, faultline cc vs plain cc", bi_progs[p],
                     fl_sched_strategy_name(strats[s]));
            if (mi > cap) snprintf(ot, sizeof ot, "> %u", cap);
            else snprintf(ot, sizeof ot, "%.0f", mi);
            if (mp > cap) snprintf(rt, sizeof rt, "> %u (never)", cap);
            else snprintf(rt, sizeof rt, "%.0f", mp);
            double ratio = mi / mp;
            char rtx[32];
            snprintf(rtx, sizeof rtx, mp > cap ? "< %.3gx" : "%.3gx", ratio);
            bn_row(&a, id, fig, mi, ot, mp, rt, ratio, rtx, BN_LE, 0.1);
            fprintf(stderr, "%s: %llu instrumented runs, %llu plain runs\n", id, (unsigned long long)ri,
                    (unsigned long long)rp);
        }
        fl_exec_close(ei);
        fl_exec_close(ep);
    }

    /* 2. random's rate at light points */
    static const double rates[] = { 0.01, 0.05, 0.1, 0.25, 0.5 };
    size_t nrates = a.quick ? 1 : sizeof rates / sizeof *rates;
    double ref = NAN;
    for (size_t k = 0; k < nrates; k++) {
        double r = a.quick ? 0.1 : rates[k], sum = 0;
        uint64_t runs = 0;
        for (size_t p = 0; p < BI_NPROG; p++) {
            char ip[256];
            snprintf(ip, sizeof ip, "build/race/%s.inst", bi_progs[p]);
            fl_exec *e = bi_open(ip);
            if (!e) continue;
            sum += bi_median_first(e, FL_SCHED_STRAT_RANDOM, (uint32_t)(r * 1e6), trials, cap, &runs);
            fl_exec_close(e);
        }
        if (r == 0.1) ref = sum;
        snprintf(id, sizeof id, "inst.rate.%g", r);
        snprintf(fig, sizeof fig, "random --preempt-rate %g: sum over the 4 races of median runs to 1st failure", r);
        snprintf(ot, sizeof ot, "%.0f runs", sum);
        bn_check(sum > 0 && runs > 0, "rate %g: no runs", r);
        bn_row(&a, id, fig, sum, ot, NAN, "-", NAN, "-", BN_INFO, 0);
    }
    (void)ref;

    /* 3. cost: runs per second, instrumented vs plain (fixed twins) */
    static const char *const cost[] = { "loop_atomicity_fixed", "wrong_lock_fixed" };
    for (size_t p = 0; p < 2; p++) {
        char ip[256], pp[256];
        snprintf(ip, sizeof ip, "build/race/%s.inst", cost[p]);
        snprintf(pp, sizeof pp, "build/race/%s", cost[p]);
        fl_exec *ei = bi_open(ip), *ep = bi_open(pp);
        if (!ei || !ep) {
            bn_check(false, "cannot start %s", cost[p]);
            fl_exec_close(ei);
            fl_exec_close(ep);
            continue;
        }
        int rounds = a.quick ? 1 : 7, n = a.quick ? 5 : 100;
        double vi[16], vp[16], vr[16];
        for (int k = 0; k < rounds; k++) {
            vp[k] = bi_rate(ep, n, 1 + (uint64_t)k * n);
            vi[k] = bi_rate(ei, n, 1 + (uint64_t)k * n);
            vr[k] = vi[k] / vp[k];
        }
        double mi = bn_median(vi, (size_t)rounds), mp = bn_median(vp, (size_t)rounds), mr = bn_median(vr, (size_t)rounds);
        bn_check(bn_sane(mi) && bn_sane(mp), "%s: rates not sane", cost[p]);
        snprintf(id, sizeof id, "inst.cost.%s", cost[p]);
        snprintf(fig, sizeof fig, "%s under exec: runs/s, faultline cc vs plain cc", cost[p]);
        bn_row(&a, id, fig, mi, bn_fmt_rate(ot, sizeof ot, mi, " runs"), mp, bn_fmt_rate(rt, sizeof rt, mp, " runs"), mr,
               NULL, BN_INFO, 0);
        fl_exec_close(ei);
        fl_exec_close(ep);
    }
    return bn_finish();
}
