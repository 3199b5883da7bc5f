/*
 * bench/restart — restart latency of libsv on real threads (POSIX seam)
 * against the bare floor, measured in the same process, interleaved.
 *
 * Latency = from a worker's crash (the instant before it calls sv_panic or
 * returns an error) to its replacement running (the first instruction of the
 * new incarnation's fn). Both timestamps are CLOCK_MONOTONIC, taken by the two
 * incarnations themselves.
 *
 * The floor does the least any supervisor must: a floor supervisor thread
 * blocked in pthread_join on the worker; the worker "crashes" by returning
 * from its thread; the floor supervisor joins it, pthread_creates the
 * replacement and waits (futex) until it signals it runs — the same hand-
 * shake the libsv worker below uses.
 *
 * Samples alternate floor / libsv-return / libsv-panic one restart at a time
 * (order reversed every other sample), so drift cancels. Each incarnation
 * parks on a futex gate before crashing; the main thread opens one gate at a
 * time and waits for the replacement, so exactly one restart is in flight.
 *
 * Second part: the cost per restart with 500 and with 20,000 back-to-back
 * restarts inside one intensity period (intensity 40,000 in one hour). The
 * core keeps the last MaxR restart times in a ring, so the cost per restart
 * must not grow with the number of restarts in the window (OTP's list
 * filter is O(restarts in the window)).
 */
#include "bench.h"
#include "sv.h"

enum { RS_FLOOR = 0, RS_RETURN, RS_PANIC, RS_NSIDES };

/* One side's incarnation handshake. Exactly one incarnation of a side is
 * alive at a time (that is the supervisor's invariant 2; for the floor it is
 * by construction), so `started` also names the live incarnation. */
typedef struct rs_side {
    _Atomic uint32_t started; /* incarnations that reached their first instruction */
    _Atomic uint32_t gate;    /* incarnation j (0-based) crashes once gate > j */
    _Atomic int finish;       /* set before the last gate opens: park instead */
    _Atomic int64_t t_start;  /* entry time of the latest incarnation */
    _Atomic int64_t t_crash;  /* crash time of the previous incarnation */
} rs_side;

/* Runs at an incarnation's entry (t_entry = its first instruction). Parks on
 * the gate; returns true when the incarnation must crash now, false when the
 * benchmark is over. */
static bool rs_incarnation(rs_side *s, int64_t t_entry) {
    uint32_t j = atomic_load_explicit(&s->started, memory_order_relaxed);
    atomic_store_explicit(&s->t_start, t_entry, memory_order_relaxed);
    bn_publish(&s->started, j + 1);
    bn_wait_at_least(&s->gate, j + 1);
    if (atomic_load(&s->finish)) return false;
    atomic_store_explicit(&s->t_crash, bn_now_ns(), memory_order_relaxed);
    return true;
}

/* ---- the floor -------------------------------------------------------------- */

static void *rs_floor_worker(void *arg) {
    int64_t t = bn_now_ns();
    rs_incarnation(arg, t);
    return NULL; /* the "crash": the thread ends */
}

static void *rs_floor_sup(void *arg) {
    rs_side *s = arg;
    pthread_t t;
    BN_PT(pthread_create(&t, NULL, rs_floor_worker, s));
    for (;;) {
        BN_PT(pthread_join(t, NULL));
        if (atomic_load(&s->finish)) return NULL;
        uint32_t n = atomic_load(&s->started);
        BN_PT(pthread_create(&t, NULL, rs_floor_worker, s));
        bn_wait_at_least(&s->started, n + 1);
    }
}

/* ---- libsv -------------------------------------------------------------------- */

typedef struct rs_sv_arg {
    rs_side *side;
    bool panic; /* crash by sv_panic, else by returning an error */
} rs_sv_arg;

static int rs_sv_worker(sv_worker *w, void *arg) {
    int64_t t = bn_now_ns();
    rs_sv_arg *a = arg;
    if (!rs_incarnation(a->side, t)) {
        while (!sv_worker_stopping(w)) sv_worker_sleep(w, 1000);
        return 0;
    }
    if (a->panic) sv_panic("bench crash");
    return -1;
}

static int rs_sv_start(sv_sup **out, const char *name, rs_sv_arg *a) {
    sv_child_spec c;
    sv_child_spec_init(&c, "w", rs_sv_worker, a);
    sv_sup_spec s;
    sv_sup_spec_init(&s, name);
    s.intensity = 100000; /* never reached: about 10,700 restarts in all */
    s.period_ms = 1000;
    s.children = &c;
    s.nchildren = 1;
    s.log = sv_log_discard;
    return sv_sup_start(&s, out);
}

/* ---- latency ------------------------------------------------------------------ */

/* Opens the live incarnation's gate and waits for its replacement; returns the
 * crash-to-running latency in ns. */
static double rs_one(rs_side *s) {
    uint32_t k = atomic_load(&s->started);
    bn_publish(&s->gate, k);
    bn_wait_at_least(&s->started, k + 1);
    return (double)(atomic_load_explicit(&s->t_start, memory_order_relaxed) -
                    atomic_load_explicit(&s->t_crash, memory_order_relaxed));
}

static void rs_finish(rs_side *s) {
    atomic_store(&s->finish, 1);
    bn_publish(&s->gate, atomic_load(&s->started) + 1000000);
}

static const char *const rs_name[RS_NSIDES] = {"floor", "libsv return", "libsv sv_panic"};

static void rs_latency(const bn_args *a) {
    const int rounds = a->quick ? 1 : 15, per = a->quick ? 40 : 700, warm = a->quick ? 5 : 100;
    rs_side side[RS_NSIDES];
    memset(side, 0, sizeof side);
    rs_sv_arg sva[RS_NSIDES] = {{NULL, false}, {&side[RS_RETURN], false}, {&side[RS_PANIC], true}};
    sv_sup *sup[RS_NSIDES] = {NULL, NULL, NULL};
    pthread_t fsup;

    BN_PT(pthread_create(&fsup, NULL, rs_floor_sup, &side[RS_FLOOR]));
    int rc1 = rs_sv_start(&sup[RS_RETURN], "bench-ret", &sva[RS_RETURN]);
    int rc2 = rc1 ? rc1 : rs_sv_start(&sup[RS_PANIC], "bench-panic", &sva[RS_PANIC]);
    if (rc1 || rc2) {
        bn_check(false, "sv_sup_start failed: %d %d", rc1, rc2);
        bn_row_missing(a, "restart.p50", "restart latency p50 (crash -> replacement running)",
                       "sv_sup_start failed", BN_LE, 1.3);
        rs_finish(&side[RS_FLOOR]);
        BN_PT(pthread_join(fsup, NULL));
        sv_sup_free(sup[RS_RETURN]);
        return;
    }
    for (int k = 0; k < RS_NSIDES; k++) bn_wait_at_least(&side[k].started, 1);

    double *lat[RS_NSIDES], *p50[RS_NSIDES], *p99[RS_NSIDES];
    for (int k = 0; k < RS_NSIDES; k++) {
        lat[k] = bn_xcalloc((size_t)per, sizeof(double));
        p50[k] = bn_xcalloc((size_t)rounds, sizeof(double));
        p99[k] = bn_xcalloc((size_t)rounds, sizeof(double));
    }
    double *r50[RS_NSIDES], *r99[RS_NSIDES]; /* per-round ratios to the floor */
    for (int k = 1; k < RS_NSIDES; k++) {
        r50[k] = bn_xcalloc((size_t)rounds, sizeof(double));
        r99[k] = bn_xcalloc((size_t)rounds, sizeof(double));
    }
    for (int i = 0; i < warm; i++)
        for (int k = 0; k < RS_NSIDES; k++) rs_one(&side[k]);
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < per; i++) {
            for (int j = 0; j < RS_NSIDES; j++) {
                int k = (i & 1) ? RS_NSIDES - 1 - j : j; /* ABC CBA ABC ... */
                lat[k][i] = rs_one(&side[k]);
            }
        }
        for (int k = 0; k < RS_NSIDES; k++) {
            p99[k][r] = bn_quantile(lat[k], (size_t)per, 0.99);
            p50[k][r] = bn_quantile(lat[k], (size_t)per, 0.50);
        }
        for (int k = 1; k < RS_NSIDES; k++) {
            r50[k][r] = p50[k][r] / p50[RS_FLOOR][r];
            r99[k][r] = p99[k][r] / p99[RS_FLOOR][r];
        }
        fprintf(stderr, "round %d: p50 floor %.0f ns, return %.0f ns (%.2fx), panic %.0f ns (%.2fx);"
                        " p99 floor %.0f, return %.0f, panic %.0f\n",
                r, p50[0][r], p50[1][r], r50[1][r], p50[2][r], r50[2][r], p99[0][r], p99[1][r],
                p99[2][r]);
    }
    for (int k = 0; k < RS_NSIDES; k++) {
        rs_finish(&side[k]);
        if (k == RS_FLOOR) BN_PT(pthread_join(fsup, NULL));
        else sv_sup_free(sup[k]);
    }
    uint32_t expect = (uint32_t)(1 + warm + rounds * per);
    for (int k = 0; k < RS_NSIDES; k++)
        bn_check(atomic_load(&side[k].started) == expect, "%s: %u incarnations ran, expected %u",
                 rs_name[k], atomic_load(&side[k].started), expect);

    double fl50 = bn_median(p50[RS_FLOOR], (size_t)rounds);
    double fl99 = bn_median(p99[RS_FLOOR], (size_t)rounds);
    char o[64], f[64];
    for (int k = 1; k < RS_NSIDES; k++) {
        double o50 = bn_median(p50[k], (size_t)rounds), o99 = bn_median(p99[k], (size_t)rounds);
        double q50 = bn_median(r50[k], (size_t)rounds), q99 = bn_median(r99[k], (size_t)rounds);
        bn_check(bn_sane(o50) && bn_sane(fl50) && bn_sane(q50), "%s p50 not sane", rs_name[k]);
        bn_check(bn_sane(o99) && bn_sane(fl99) && o99 >= o50, "%s p99 not sane", rs_name[k]);
        char fig[128], id[32], ft[80];
        const char *how = k == RS_PANIC ? "sv_panic" : "return error";
        snprintf(id, sizeof id, "restart.%s.p50", k == RS_PANIC ? "panic" : "return");
        snprintf(fig, sizeof fig, "restart latency p50, crash by %s", how);
        snprintf(ft, sizeof ft, "join+create %s", bn_fmt_ns(f, sizeof f, fl50));
        bn_row(a, id, fig, o50, bn_fmt_ns(o, sizeof o, o50), fl50, ft, q50, NULL, BN_LE, 1.3);
        snprintf(id, sizeof id, "restart.%s.p99", k == RS_PANIC ? "panic" : "return");
        snprintf(fig, sizeof fig, "restart latency p99, crash by %s", how);
        snprintf(ft, sizeof ft, "join+create %s", bn_fmt_ns(f, sizeof f, fl99));
        bn_row(a, id, fig, o99, bn_fmt_ns(o, sizeof o, o99), fl99, ft, q99, NULL, BN_INFO, 0);
    }
    for (int k = 0; k < RS_NSIDES; k++) {
        free(lat[k]);
        free(p50[k]);
        free(p99[k]);
        if (k) {
            free(r50[k]);
            free(r99[k]);
        }
    }
}

/* ---- cost per restart vs restarts inside one intensity period ----------------- */

typedef struct rs_flat {
    uint32_t n;               /* restarts to run */
    _Atomic uint32_t count;   /* incarnations so far */
    _Atomic int64_t t0, t1;   /* first crash; n-th replacement running */
    _Atomic uint32_t done;
} rs_flat;

static int rs_flat_worker(sv_worker *w, void *arg) {
    rs_flat *f = arg;
    uint32_t c = atomic_fetch_add(&f->count, 1);
    if (c < f->n) {
        if (c == 0) atomic_store(&f->t0, bn_now_ns());
        return -1;
    }
    if (c == f->n) {
        atomic_store(&f->t1, bn_now_ns());
        bn_publish(&f->done, 1);
    }
    while (!sv_worker_stopping(w)) sv_worker_sleep(w, 1000);
    return 0;
}

/* Per-restart cost (ns) of n back-to-back restarts under one supervisor whose
 * intensity window holds all of them; NAN on failure. */
static double rs_flat_run(uint32_t n) {
    rs_flat f = {.n = n};
    sv_child_spec c;
    sv_child_spec_init(&c, "w", rs_flat_worker, &f);
    sv_sup_spec s;
    sv_sup_spec_init(&s, "bench-flat");
    s.intensity = 40000;     /* above every n used here */
    s.period_ms = 3600000;   /* one hour: every restart stays in the window */
    s.children = &c;
    s.nchildren = 1;
    s.log = sv_log_discard;
    sv_sup *sup;
    int rc = sv_sup_start(&s, &sup);
    if (rc) {
        bn_check(false, "sv_sup_start (flat, n=%u): %d", n, rc);
        return NAN;
    }
    bn_wait_at_least(&f.done, 1);
    int reason = -1;
    bool alive = sv_sup_wait(sup, 0, &reason) == -ETIMEDOUT;
    sv_sup_free(sup);
    if (!bn_check(alive, "flat n=%u: supervisor exited (reason %d): intensity hit?", n, reason))
        return NAN;
    return (double)(atomic_load(&f.t1) - atomic_load(&f.t0)) / n;
}

static void rs_flatness(const bn_args *a) {
    const uint32_t small = a->quick ? 20 : 500, large = a->quick ? 400 : 20000;
    const int rounds = a->quick ? 1 : 3, flank = 2; /* per round: A A B A A */
    double ratio[3], costb[3], costa[3], av[2 * 2];
    rs_flat_run(small); /* warm-up: thread stacks, allocator */
    for (int r = 0; r < rounds; r++) {
        av[0] = rs_flat_run(small);
        av[1] = rs_flat_run(small);
        costb[r] = rs_flat_run(large);
        av[2] = rs_flat_run(small);
        av[3] = rs_flat_run(small);
        costa[r] = bn_median(av, 2 * flank);
        ratio[r] = costb[r] / costa[r];
        fprintf(stderr, "flat round %d: %u restarts %.0f ns each, %u restarts %.0f ns each (%.3fx)\n",
                r, small, costa[r], large, costb[r], ratio[r]);
    }
    double ca = bn_median(costa, (size_t)rounds), cb = bn_median(costb, (size_t)rounds);
    double q = bn_median(ratio, (size_t)rounds);
    bn_check(bn_sane(ca) && bn_sane(cb) && bn_sane(q), "flatness figures not sane");
    char o[64], f[64], ft[96], fig[128];
    snprintf(fig, sizeof fig, "cost per restart, %u vs %u restarts in one period", large, small);
    snprintf(ft, sizeof ft, "%u in period: %s", small, bn_fmt_ns(f, sizeof f, ca));
    bn_row(a, "restart.flat", fig, cb, bn_fmt_ns(o, sizeof o, cb), ca, ft, q, NULL, BN_WITHIN, 0.2);
}

int main(int argc, char **argv) {
    bn_args a = bn_parse_args(argc, argv,
                              "restart latency (libsv vs join+create floor) and intensity flatness");
    rs_latency(&a);
    rs_flatness(&a);
    return bn_finish();
}
