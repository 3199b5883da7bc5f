/*
 * interpose.c — what plain pthread code costs and gains under faultline:
 *  - the pass-through cost of an interposed mutex lock+unlock outside a
 *    controlled run, against the C library's own functions called as a
 *    dynamically linked program calls them (through a pointer reloaded per
 *    call, like the PLT), interleaved ABA in one process (target <= 1.05x);
 *  - runs per second of `faultline exec` on a small two-thread program,
 *    the whole process pinned to one CPU (target >= 500 runs/s), with a
 *    native fork+exec of the same program as the floor it stands on;
 *  - runs to the first failure on a planted lost update: exec with pct and
 *    random against the same binary run natively (stress), medians over
 *    trials (target: pct needs <= 1/10 of the runs stress needs).
 * The program under test is this binary itself (`--child lu|fixed`): plain
 * pthread code that knows nothing of faultline.
 */
#include "bench.h"

#include <assert.h>
#include <sys/wait.h>

#include "exec/fl_exec.h"
#include "real/fl_real.h"

/* ---- the program under test ------------------------------------------------------------ */

static pthread_mutex_t ch_m = PTHREAD_MUTEX_INITIALIZER;
static int ch_counter;
static bool ch_buggy;

static void *ch_worker(void *a)
{
    pthread_mutex_lock(&ch_m);
    int v = ch_counter;
    if (ch_buggy) { /* read and write in two critical sections: a lost update */
        pthread_mutex_unlock(&ch_m);
        pthread_mutex_lock(&ch_m);
    }
    ch_counter = v + 1;
    pthread_mutex_unlock(&ch_m);
    return a;
}

static int ch_main(const char *mode)
{
    ch_buggy = strcmp(mode, "lu") == 0;
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, ch_worker, NULL);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    if (ch_counter != 2) abort();
    return 0;
}

/* ---- pass-through ------------------------------------------------------------------------ */

/* The floor is glibc reached the way any dynamically linked program
 * reaches it: a call into a PLT stub, which loads the function's address
 * and jumps (`jmp *GOT`). The pointers are re-read every call (volatile),
 * as the PLT re-reads the GOT; hoisting them out of the loop would measure
 * a call no real program makes. */
static int (*volatile pt_lock)(pthread_mutex_t *);
static int (*volatile pt_unlock)(pthread_mutex_t *);
/* A PLT stub: a call here, then `jmp *pointer` into glibc. */
__attribute__((noinline)) static int plt_lock(pthread_mutex_t *m) { return pt_lock(m); }
__attribute__((noinline)) static int plt_unlock(pthread_mutex_t *m) { return pt_unlock(m); }

static double pt_loop(bool real, pthread_mutex_t *m, int n)
{
    int64_t t0 = bn_now_ns();
    if (real)
        for (int i = 0; i < n; i++) {
            plt_lock(m);
            plt_unlock(m);
        }
    else
        for (int i = 0; i < n; i++) {
            pthread_mutex_lock(m);
            pthread_mutex_unlock(m);
        }
    return (double)(bn_now_ns() - t0) / n;
}

static void b_passthrough(const bn_args *a)
{
    int n = a->quick ? 20000 : 2000000, rounds = a->quick ? 3 : 11;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    double ours[16], ref[16], q[16], aa[16];
    pt_lock = fl_real.pthread_mutex_lock;
    pt_unlock = fl_real.pthread_mutex_unlock;
    pt_loop(true, &m, n / 4);
    pt_loop(false, &m, n / 4);
    for (int r = 0; r < rounds; r++) {
        double r1 = pt_loop(true, &m, n), o = pt_loop(false, &m, n), r2 = pt_loop(true, &m, n);
        ours[r] = o;
        ref[r] = (r1 + r2) / 2;
        q[r] = o / ref[r];
        aa[r] = r2 / r1;
        fprintf(stderr, "pass-through round %d: glibc %.2f ns, interposed %.2f ns (%.3fx), A/A %.3fx\n", r, r1, o, q[r],
                aa[r]);
    }
    double mo = bn_median(ours, (size_t)rounds), mr = bn_median(ref, (size_t)rounds);
    double mq = bn_median(q, (size_t)rounds), maa = bn_median(aa, (size_t)rounds);
    bn_check(bn_sane(mo) && bn_sane(mr) && bn_sane(mq), "pass-through figures not sane");
    char ob[48], rb[48], rt[96];
    snprintf(rt, sizeof rt, "glibc via PLT-like call %s", bn_fmt_ns(rb, sizeof rb, mr));
    bn_row(a, "interpose.passthrough", "interposed mutex lock+unlock outside a run", mo, bn_fmt_ns(ob, sizeof ob, mo),
           mr, rt, mq, NULL, BN_LE, 1.05);
    bn_row(a, "interpose.passthrough.aa", "A/A check: glibc direct vs itself", mr, bn_fmt_ns(ob, sizeof ob, mr), mr, rt,
           maa, NULL, BN_INFO, 0);
}

/* ---- exec ------------------------------------------------------------------------------------ */

/* Native runs of PROG --child MODE: fork+exec+wait; true when it failed. */
static bool native_run(const char *prog, const char *mode)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(prog, prog, "--child", mode, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static double now_s(void) { return (double)bn_now_ns() / 1e9; }

static void b_exec_rate(const bn_args *a, const char *self)
{
    cpu_set_t saved;
    bool pinned = bn_pin_self(&saved);
    char *argv[] = { (char *)self, "--child", "fixed", NULL };
    fl_exec_opts o = { .argv = argv };
    fl_exec *e;
    char err[512];
    if (fl_exec_open(&o, &e, err, sizeof err) < 0) {
        fprintf(stderr, "exec: %s\n", err);
        bn_row_missing(a, "exec.rate", "faultline exec runs/s, two-thread program, one CPU", err, BN_MIN, 500);
        bn_unpin_self(pinned, &saved);
        return;
    }
    int n = a->quick ? 20 : 400, rounds = a->quick ? 2 : 5;
    double ours[8], ref[8], q[8];
    for (int r = 0; r < rounds; r++) {
        double t0 = now_s();
        int failed = 0;
        for (int i = 0; i < n; i++) {
            fl_sched_opts so = { .strategy = FL_SCHED_STRAT_RANDOM, .seed = (uint64_t)(r * n + i + 1) };
            fl_exec_result res;
            if (fl_exec_run(e, &so, &res, err, sizeof err) < 0) {
                fprintf(stderr, "exec run: %s\n", err);
                failed++;
                continue;
            }
            failed += res.failed;
            fl_exec_result_free(&res);
        }
        ours[r] = n / (now_s() - t0);
        bn_check(failed == 0, "exec: the fixed program failed %d runs", failed);
        t0 = now_s();
        for (int i = 0; i < n / 4; i++) native_run(self, "fixed");
        ref[r] = (n / 4) / (now_s() - t0);
        q[r] = ours[r] / ref[r];
        fprintf(stderr, "exec round %d: %.0f runs/s under control, %.0f native fork+exec/s (%.3fx)\n", r, ours[r],
                ref[r], q[r]);
    }
    fl_exec_close(e);
    bn_unpin_self(pinned, &saved);
    double mo = bn_median(ours, (size_t)rounds), mr = bn_median(ref, (size_t)rounds), mq = bn_median(q, (size_t)rounds);
    bn_check(bn_sane(mo) && bn_sane(mr), "exec rate figures not sane");
    char ob[48], rb[64];
    snprintf(rb, sizeof rb, "native fork+exec %.0f/s", mr);
    bn_row_unit(a, "exec.rate", pinned ? "faultline exec runs/s, two-thread program, one CPU"
                                       : "faultline exec runs/s, two-thread program (not pinned)",
                mo, bn_fmt_rate(ob, sizeof ob, mo, "runs"), mr, rb, mq, NULL, BN_MIN, 500, " runs/s");
}

/* Runs until the first failure (cap), under exec with strategy s from seed0. */
static double exec_ttf(fl_exec *e, fl_sched_strategy s, uint64_t seed0, int cap)
{
    uint64_t k = 0;
    for (int i = 1; i <= cap; i++) {
        fl_sched_opts so = { .strategy = s, .seed = seed0 + (uint64_t)i, .pct_k = k };
        fl_exec_result res;
        char err[512];
        if (fl_exec_run(e, &so, &res, err, sizeof err) < 0) return NAN;
        bool f = res.failed;
        if (res.steps > k) k = res.steps;
        fl_exec_result_free(&res);
        if (f) return i;
    }
    return cap;
}

static void b_bugfind(const bn_args *a, const char *self)
{
    char *argv[] = { (char *)self, "--child", "lu", NULL };
    fl_exec_opts o = { .argv = argv };
    fl_exec *e;
    char err[512];
    if (fl_exec_open(&o, &e, err, sizeof err) < 0) {
        bn_row_missing(a, "exec.bugfind.pct", "runs to first failure, lost update: exec pct vs native stress", err, BN_LE, 0.1);
        return;
    }
    int trials = a->quick ? 2 : 7, cap = a->quick ? 200 : 3000;
    double pct[8], rnd[8], nat[8];
    for (int t = 0; t < trials; t++) {
        pct[t] = exec_ttf(e, FL_SCHED_STRAT_PCT, (uint64_t)t * 100000, cap);
        rnd[t] = exec_ttf(e, FL_SCHED_STRAT_RANDOM, (uint64_t)t * 100000, cap);
        int i = 1;
        while (i < (a->quick ? 50 : cap) && !native_run(self, "lu")) i++;
        nat[t] = i;
        fprintf(stderr, "bugfind trial %d: pct %.0f, random %.0f, native stress %.0f runs\n", t, pct[t], rnd[t], nat[t]);
    }
    fl_exec_close(e);
    double mp = bn_median(pct, (size_t)trials), mr = bn_median(rnd, (size_t)trials), mn = bn_median(nat, (size_t)trials);
    bn_check(bn_sane(mp) && bn_sane(mr) && bn_sane(mn), "bugfind figures not sane");
    char ob[48], nb[64];
    snprintf(nb, sizeof nb, "native stress %.0f runs%s", mn, mn >= cap ? " (cap: never found)" : "");
    snprintf(ob, sizeof ob, "%.0f runs", mp);
    bn_row(a, "exec.bugfind.pct", "runs to first failure, lost update: exec pct vs native stress", mp, ob, mn, nb,
           mp / mn, NULL, BN_LE, 0.1);
    snprintf(ob, sizeof ob, "%.0f runs", mr);
    bn_row(a, "exec.bugfind.random", "runs to first failure, lost update: exec random vs native stress", mr, ob, mn,
           nb, mr / mn, NULL, BN_LE, 0.1);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0) return ch_main(argv[2]);
    bn_args a = bn_parse_args(argc, argv, "interposed pthread pass-through cost, faultline exec runs/s and bug finding");
    b_passthrough(&a);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return 1;
    self[n] = '\0';
    b_exec_rate(&a, self);
    b_bugfind(&a, self);
    return bn_finish();
}
