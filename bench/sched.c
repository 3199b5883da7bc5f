/*
 * bench/sched — the controlled scheduler and the platform seam, against
 * floors measured in the same process, interleaved.
 *
 * 1. Steps per second of the controlled scheduler (fl_sched_run, strategy
 *    rr: every step hands the baton to the other thread) on a two-thread
 *    program that does nothing but sv_yield(), against the floor: two real
 *    threads passing a baton with raw futex wait/wake, the least a
 *    one-runs-at-a-time scheduler on real threads must do per switch.
 *    Both run with all their threads on one CPU (see s_steps). Strategy
 *    random is shown too (about half its steps keep the baton).
 * 2. Seeds per second of a five-worker crash scenario through the real
 *    runner API (fl_runner_case, what `faultline run` calls). The target is
 *    absolute (DESIGN); the ratio column compares with the ideal of the same
 *    repetition: the scenario's steps per seed at the one-CPU futex hand-off
 *    rate.
 * 3. The seam's cost: an uncontended mutex lock+unlock pair through
 *    sv_mutex_lock/unlock (POSIX binding: two indirect calls into thin shims)
 *    against pthread_mutex_lock/unlock called directly, with a second thread
 *    alive so glibc takes its multi-threaded (atomic) path, as in libsv. An
 *    A/A row (direct against direct, another mutex) shows what "measurable"
 *    means on this machine.
 */
#include "bench.h"
#include "runner/fl_runner.h"
#include "sched/fl_sched.h"
#include "sv.h"
#include "sv_plat.h"

/* ---- 1. steps per second ----------------------------------------------------- */

/* The floor: two threads, one word; thread id runs while turn == id. */
typedef struct ho_run {
    _Atomic uint32_t turn;
    uint32_t n; /* hand-offs per thread */
} ho_run;

typedef struct ho_arg {
    ho_run *run;
    uint32_t id;
} ho_arg;

static void *ho_thread(void *p) {
    ho_arg *a = p;
    ho_run *run = a->run;
    for (uint32_t i = 0; i < run->n; i++) {
        uint32_t t;
        while ((t = atomic_load_explicit(&run->turn, memory_order_acquire)) != a->id)
            bn_futex_wait(&run->turn, t);
        atomic_store_explicit(&run->turn, !a->id, memory_order_release);
        bn_futex_wake(&run->turn, 1);
    }
    return NULL;
}

/* Hand-offs per second over 2n hand-offs (threads created inside the timed
 * span, as fl_sched_run creates its own). */
static double ho_once(uint32_t n) {
    ho_run run = {.n = n};
    ho_arg a0 = {&run, 0}, a1 = {&run, 1};
    pthread_t t0, t1;
    int64_t s = bn_now_ns();
    BN_PT(pthread_create(&t0, NULL, ho_thread, &a0));
    BN_PT(pthread_create(&t1, NULL, ho_thread, &a1));
    BN_PT(pthread_join(t0, NULL));
    BN_PT(pthread_join(t1, NULL));
    return 2.0 * n / ((double)(bn_now_ns() - s) / 1e9);
}

/* The controlled program: main and one child each yield n times. */
static void *ys_child(void *arg) {
    uint32_t n = *(uint32_t *)arg;
    for (uint32_t i = 0; i < n; i++) sv_yield();
    return NULL;
}

static void ys_main(void *arg) {
    sv_thread *t;
    if (sv_thread_create(&t, ys_child, arg, "yielder") != 0) return;
    uint32_t n = *(uint32_t *)arg;
    for (uint32_t i = 0; i < n; i++) sv_yield();
    sv_thread_join(t, SV_FOREVER);
}

/* Steps per second of one controlled run; *steps gets the step count.
 * NAN if the run failed. */
static double ys_once(fl_sched_strategy st, uint64_t seed, uint32_t n, uint64_t *steps) {
    fl_sched_opts o;
    memset(&o, 0, sizeof o);
    o.strategy = st;
    o.seed = seed;
    o.step_budget = 4ull * n + 1000;
    fl_sched_result res;
    int64_t s = bn_now_ns();
    int rc = fl_sched_run(&o, ys_main, &n, &res);
    int64_t e = bn_now_ns();
    *steps = res.steps;
    bool ok = rc == 0 && res.status == FL_SCHED_OK;
    if (!ok)
        fprintf(stderr, "fl_sched_run: rc %d, status %s: %s\n", rc, fl_sched_status_name(res.status),
                res.report ? res.report : "");
    fl_sched_result_free(&res);
    return ok ? (double)*steps / ((double)(e - s) / 1e9) : NAN;
}

static void s_steps(const bn_args *a) {
    const int pairs = a->quick ? 1 : 7;
    const uint32_t n = a->quick ? 500 : 20000;
    double rr[16], rnd[16], fl[16], q_rr[16], q_rnd[16];
    uint64_t steps = 0, st_rnd = 0;
    /* Both sides on one CPU (threads inherit the creator's affinity): a
     * baton scheduler runs one thread at a time, and across CPUs every hand-
     * off pays an IPI and an idle wake-up whose cost swings 4x with where
     * the kernel happens to put the two threads, run to run. */
    cpu_set_t saved;
    bool pinned = bn_pin_self(&saved);
    fprintf(stderr, "steps: %s\n", pinned ? "every thread on the last CPU" : "not pinned");
    ho_once(n / 10); /* warm-up */
    ys_once(FL_SCHED_STRAT_RR, 1, n / 10, &steps);
    bool ok = true;
    for (int i = 0; i < pairs; i++) {
        if (i & 1) {
            fl[i] = ho_once(n);
            rnd[i] = ys_once(FL_SCHED_STRAT_RANDOM, (uint64_t)i + 1, n, &st_rnd);
            rr[i] = ys_once(FL_SCHED_STRAT_RR, 1, n, &steps);
        } else {
            rr[i] = ys_once(FL_SCHED_STRAT_RR, 1, n, &steps);
            rnd[i] = ys_once(FL_SCHED_STRAT_RANDOM, (uint64_t)i + 1, n, &st_rnd);
            fl[i] = ho_once(n);
        }
        ok = ok && steps >= 2ull * n && st_rnd >= 2ull * n;
        q_rr[i] = rr[i] / fl[i];
        q_rnd[i] = rnd[i] / fl[i];
        fprintf(stderr, "steps pair %d: rr %.0f/s (%llu steps), random %.0f/s, futex floor %.0f/s"
                        " (rr %.2fx)\n",
                i, rr[i], (unsigned long long)steps, rnd[i], fl[i], q_rr[i]);
    }
    bn_unpin_self(pinned, &saved);
    bn_check(ok, "controlled runs took fewer steps than the yields they contain");
    double mrr = bn_median(rr, (size_t)pairs), mrnd = bn_median(rnd, (size_t)pairs);
    double mfl = bn_median(fl, (size_t)pairs);
    double qrr = bn_median(q_rr, (size_t)pairs), qrnd = bn_median(q_rnd, (size_t)pairs);
    bn_check(bn_sane(mrr) && bn_sane(mfl) && bn_sane(qrr), "steps/s figures not sane");
    char ob[48], fb[48], ft[96];
    snprintf(ft, sizeof ft, "futex hand-off %s", bn_fmt_rate(fb, sizeof fb, mfl, " switches"));
    bn_row(a, "sched.steps.rr", "controlled scheduler steps/s (rr: every step switches)", mrr,
           bn_fmt_rate(ob, sizeof ob, mrr, " steps"), mfl, ft, qrr, NULL, BN_GE, 0.5);
    bn_row(a, "sched.steps.random", "controlled scheduler steps/s (random)", mrnd,
           bn_fmt_rate(ob, sizeof ob, mrnd, " steps"), mfl, ft, qrnd, NULL, BN_INFO, 0);
}

/* ---- 2. seeds per second through the runner ---------------------------------- */

/* Five workers under one_for_one, each crashing once at its own time; every
 * crash must be logged, joined and restarted (the oracle checks each run). */
static const char ss_scenario[] =
    "scenario \"bench: five workers, each crashes once\"\n"
    "run seeds=200 duration=1s\n"
    "supervisor root strategy=one_for_one intensity=10 period=5s\n"
    "  worker w1\n    work 100ms on 1\n    crash \"w1 down\" on 1\n    loop\n      work 50ms\n    end\n"
    "  worker w2\n    work 150ms on 1\n    crash \"w2 down\" on 1\n    loop\n      work 50ms\n    end\n"
    "  worker w3\n    work 200ms on 1\n    return error on 1\n    loop\n      work 50ms\n    end\n"
    "  worker w4\n    work 250ms on 1\n    crash \"w4 down\" on 1\n    loop\n      work 50ms\n    end\n"
    "  worker w5\n    work 300ms on 1\n    crash \"w5 down\" on 1\n    loop\n      work 50ms\n    end\n"
    "at 600ms stop\n"
    "expect crashes w1 = 1\nexpect crashes w2 = 1\nexpect crashes w3 = 1\n"
    "expect crashes w4 = 1\nexpect crashes w5 = 1\n"
    "expect restarts w1 = 1\nexpect restarts w2 = 1\nexpect restarts w3 = 1\n"
    "expect restarts w4 = 1\nexpect restarts w5 = 1\n"
    "expect exit shutdown\n";

static void s_seeds(const bn_args *a) {
    const int reps = a->quick ? 1 : 5;
    const uint32_t seeds = a->quick ? 20 : 600;
    fl_scenario *sc = NULL;
    fl_lex_diag d;
    int rc = fl_scenario_parse_str("bench-five-workers", ss_scenario, sizeof ss_scenario - 1, &sc, &d);
    if (!bn_check(rc == 0, "bench scenario does not parse: %s", d.text)) {
        bn_row_missing(a, "sched.seeds", "seeds/s, five-worker crash scenario (runner)",
                       "scenario parse failed", BN_MIN, 1000);
        return;
    }
    /* Steps of a seed (untimed), for the ideal rate: a seed whose every step
     * cost one futex hand-off. */
    uint64_t steps = 0;
    const uint32_t probe = a->quick ? 3 : 20;
    for (uint32_t i = 0; i < probe; i++) {
        fl_runner_params p = {.seed = 1 + i, .strategy = FL_SCHED_STRAT_RANDOM};
        fl_runner_out o;
        rc = fl_runner_run(sc, &p, &o);
        bn_check(rc == 0 && o.verdict.n == 0 && o.status == FL_SCHED_OK,
                 "bench scenario seed %u: rc %d, %zu violations, status %d", 1 + i, rc, o.verdict.n,
                 (int)o.status);
        steps += o.steps;
        fl_runner_out_free(&o);
    }
    double steps_per_seed = (double)steps / probe;
    /* The ratio column compares with the ideal of the same repetition: a
     * seed whose every step costs one futex hand-off between two threads on
     * one CPU (fl_sched_run keeps a run's threads on one CPU itself). */
    double rate[16], ideal[16], q[16];
    bool ok = true;
    for (int r = 0; r < reps; r++) {
        fl_runner_opts o = {.seeds = seeds, .strategy = FL_SCHED_STRAT_RANDOM};
        fl_case c;
        int64_t t0 = bn_now_ns();
        rc = fl_runner_case(sc, &o, &c);
        int64_t t1 = bn_now_ns();
        ok = ok && rc == 0 && c.passed && c.runs == seeds;
        if (!(rc == 0 && c.passed))
            fprintf(stderr, "runner case: rc %d, passed %d, runs %u: %s\n", rc, c.passed, c.runs,
                    c.message ? c.message : "");
        fl_runner_case_free(&c);
        rate[r] = seeds / ((double)(t1 - t0) / 1e9);
        cpu_set_t saved;
        bool pinned = bn_pin_self(&saved);
        ideal[r] = ho_once(a->quick ? 500 : 20000) / steps_per_seed;
        bn_unpin_self(pinned, &saved);
        q[r] = rate[r] / ideal[r];
        fprintf(stderr, "seeds rep %d: %.0f seeds/s; ideal %.0f seeds/s (%.0f steps/seed at the one-CPU"
                        " futex hand-off rate): %.2fx\n",
                r, rate[r], ideal[r], steps_per_seed, q[r]);
    }
    bn_check(ok, "runner: the five-worker scenario failed or ran short");
    fl_scenario_free(sc);
    double m = bn_median(rate, (size_t)reps), mi = bn_median(ideal, (size_t)reps);
    double mq = bn_median(q, (size_t)reps);
    bn_check(bn_sane(m) && bn_sane(mi) && bn_sane(mq), "seeds/s figures not sane");
    char ob[48], ib[48], it[96];
    snprintf(it, sizeof it, "ideal %s (%.0f steps/seed)", bn_fmt_rate(ib, sizeof ib, mi, " seeds"),
             steps_per_seed);
    bn_row_unit(a, "sched.seeds", "seeds/s, five-worker crash scenario (runner)", m,
                bn_fmt_rate(ob, sizeof ob, m, " seeds"), mi, it, mq, NULL, BN_MIN, 1000, " seeds/s");
}

/* ---- 3. the seam's indirect calls ----------------------------------------------- */

enum { SM_BATCH = 1000 };

static double sm_direct(pthread_mutex_t *m) {
    int64_t t0 = bn_now_ns();
    for (int i = 0; i < SM_BATCH; i++) {
        pthread_mutex_lock(m);
        pthread_mutex_unlock(m);
    }
    return (double)(bn_now_ns() - t0) / SM_BATCH;
}

static double sm_seam(sv_mutex *m) {
    int64_t t0 = bn_now_ns();
    for (int i = 0; i < SM_BATCH; i++) {
        sv_mutex_lock(m);
        sv_mutex_unlock(m);
    }
    return (double)(bn_now_ns() - t0) / SM_BATCH;
}

static _Atomic uint32_t sm_never;

static void *sm_idle(void *arg) {
    while (!atomic_load(&sm_never)) bn_futex_wait(&sm_never, 0);
    return arg;
}

static void s_seam(const bn_args *a) {
    const int rounds = a->quick ? 1 : 9, per = a->quick ? 20 : 300;
    pthread_t idle;
    BN_PT(pthread_create(&idle, NULL, sm_idle, NULL)); /* glibc: multi-threaded lock path */
    pthread_mutex_t d1 = PTHREAD_MUTEX_INITIALIZER, d2 = PTHREAD_MUTEX_INITIALIZER;
    sv_mutex sm;
    sv_mutex_init(&sm);
    double *x1 = bn_xcalloc((size_t)per, sizeof(double)), *x2 = bn_xcalloc((size_t)per, sizeof(double));
    double *xs = bn_xcalloc((size_t)per, sizeof(double));
    double m1[16], ms[16], qs[16], qaa[16];
    for (int i = 0; i < per; i++) { /* warm-up */
        sm_direct(&d1);
        sm_seam(&sm);
    }
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < per; i++) {
            if (i & 1) {
                x2[i] = sm_direct(&d2);
                xs[i] = sm_seam(&sm);
                x1[i] = sm_direct(&d1);
            } else {
                x1[i] = sm_direct(&d1);
                xs[i] = sm_seam(&sm);
                x2[i] = sm_direct(&d2);
            }
        }
        m1[r] = bn_median(x1, (size_t)per);
        ms[r] = bn_median(xs, (size_t)per);
        double m2 = bn_median(x2, (size_t)per);
        qs[r] = ms[r] / m1[r];
        qaa[r] = m2 / m1[r];
        fprintf(stderr, "seam round %d: direct %.2f ns, seam %.2f ns (%.3fx), direct again %.2f ns (A/A %.3fx)\n",
                r, m1[r], ms[r], qs[r], m2, qaa[r]);
    }
    atomic_store(&sm_never, 1);
    bn_futex_wake(&sm_never, 1);
    BN_PT(pthread_join(idle, NULL));
    sv_mutex_destroy(&sm);
    double o = bn_median(ms, (size_t)rounds), d = bn_median(m1, (size_t)rounds);
    double q = bn_median(qs, (size_t)rounds), aa = bn_median(qaa, (size_t)rounds);
    bn_check(bn_sane(o) && bn_sane(d) && bn_sane(q) && bn_sane(aa), "seam figures not sane");
    char ob[48], db[48], dt[96];
    snprintf(dt, sizeof dt, "pthread direct %s", bn_fmt_ns(db, sizeof db, d));
    bn_row(a, "seam.mutex", "seam mutex lock+unlock (POSIX binding)", o, bn_fmt_ns(ob, sizeof ob, o), d,
           dt, q, NULL, BN_LE, 1.05);
    bn_row(a, "seam.mutex.aa", "A/A check: pthread direct vs itself", d, bn_fmt_ns(ob, sizeof ob, d), d,
           dt, aa, NULL, BN_INFO, 0);
    free(x1);
    free(x2);
    free(xs);
}

int main(int argc, char **argv) {
    bn_args a = bn_parse_args(argc, argv,
                              "controlled scheduler steps/s vs futex hand-off, seeds/s, seam cost");
    s_steps(&a);
    s_seeds(&a);
    s_seam(&a);
    return bn_finish();
}
