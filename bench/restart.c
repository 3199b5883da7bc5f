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
 * Second part: the cost per restart when 500 and when 20,000 restarts fall
 * inside one intensity period (intensity 40,000 in one hour), interleaved in
 * blocks (see rs_flatness). The core keeps the last MaxR restart times in a
 * ring (supervisor/core_policy.c), so the cost per restart must not grow
 * with the number of restarts in the window (OTP's list filter is
 * O(restarts in the window)).
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

/* The rows: medians over rounds of each side's p50/p99 and of its per-round
 * ratios to the floor. */
static void rs_report(const bn_args *a, double *p50[RS_NSIDES], double *p99[RS_NSIDES],
                      double *r50[RS_NSIDES], double *r99[RS_NSIDES], size_t rounds) {
    double fl50 = bn_median(p50[RS_FLOOR], rounds);
    double fl99 = bn_median(p99[RS_FLOOR], rounds);
    char o[64], f[64];
    for (int k = 1; k < RS_NSIDES; k++) {
        double o50 = bn_median(p50[k], rounds), o99 = bn_median(p99[k], rounds);
        double q50 = bn_median(r50[k], rounds), q99 = bn_median(r99[k], rounds);
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
}

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
        bn_row_missing(a, "restart.return.p50", "restart latency p50, crash by return error",
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

    rs_report(a, p50, p99, r50, r99, (size_t)rounds);
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

/* ---- cost per restart vs restarts inside one intensity period ----------------- *
 * Two supervisors (intensity 40,000 in one hour, so every restart stays in
 * the window and none is refused) run restarts in blocks of RF_BLOCK,
 * interleaved block by block: "small" is replaced by a fresh supervisor
 * every 500 restarts, so its window never holds more than 500; "large" runs
 * 20,000 restarts under one supervisor. The cost per restart of large's
 * blocks once its window holds over 10,000 restarts is compared with
 * small's. A block: the main thread opens the gate of the parked
 * incarnation; the next RF_BLOCK - 1 incarnations crash at once; the last
 * one notes the time and parks. */

enum { RF_BLOCK = 100 };

typedef struct rf_side {
    _Atomic uint32_t started;  /* incarnations that reached fn */
    _Atomic uint32_t gate;     /* incarnation j crashes once gate > j */
    _Atomic uint32_t target;   /* the incarnation count that ends the block */
    _Atomic uint32_t reached;  /* futex word: target reached */
    _Atomic int64_t t_end;
    _Atomic int finish;
} rf_side;

static int rf_worker(sv_worker *w, void *arg) {
    rf_side *s = arg;
    uint32_t j = atomic_fetch_add(&s->started, 1);
    if (j + 1 == atomic_load(&s->target)) {
        atomic_store(&s->t_end, bn_now_ns());
        bn_publish(&s->reached, j + 1);
    }
    for (uint32_t g; (g = atomic_load(&s->gate)) <= j && !atomic_load(&s->finish);)
        bn_futex_wait(&s->gate, g);
    if (atomic_load(&s->finish)) {
        while (!sv_worker_stopping(w)) sv_worker_sleep(w, 1000);
        return 0;
    }
    return -1;
}

static int rf_start(sv_sup **out, rf_side *s) {
    memset(s, 0, sizeof *s);
    atomic_store(&s->target, 1);
    sv_child_spec c;
    sv_child_spec_init(&c, "w", rf_worker, s);
    sv_sup_spec sp;
    sv_sup_spec_init(&sp, "bench-flat");
    sp.intensity = 40000;   /* above every count used here */
    sp.period_ms = 3600000; /* one hour: every restart stays in the window */
    sp.children = &c;
    sp.nchildren = 1;
    sp.log = sv_log_discard;
    int rc = sv_sup_start(&sp, out);
    if (rc == 0) bn_wait_at_least(&s->reached, 1);
    return rc;
}

/* Stops and frees; false if the supervisor had exited (intensity hit). */
static bool rf_stop(sv_sup *sup, rf_side *s) {
    int reason = -1;
    bool alive = sv_sup_wait(sup, 0, &reason) == -ETIMEDOUT;
    atomic_store(&s->finish, 1);
    bn_publish(&s->gate, UINT32_MAX / 2);
    sv_sup_free(sup);
    return bn_check(alive, "flat: a supervisor exited on its own (reason %d)", reason);
}

/* One block of n restarts; cost per restart in ns. */
static double rf_block(rf_side *s, uint32_t n) {
    uint32_t k = atomic_load(&s->started);
    atomic_store(&s->target, k + n);
    int64_t t0 = bn_now_ns();
    bn_publish(&s->gate, k + n - 1);
    bn_wait_at_least(&s->reached, k + n);
    return (double)(atomic_load(&s->t_end) - t0) / n;
}

static void rs_flatness(const bn_args *a) {
    const uint32_t small_per_sup = a->quick ? 100 : 500, large_total = a->quick ? 400 : 20000;
    const uint32_t blk = a->quick ? 20 : RF_BLOCK, nblocks = large_total / blk;
    rf_side ss, sl;
    sv_sup *sup_s = NULL, *sup_l = NULL;
    int rc = rf_start(&sup_s, &ss);
    if (rc == 0) rc = rf_start(&sup_l, &sl);
    if (!bn_check(rc == 0, "flat: sv_sup_start failed: %d", rc)) {
        if (sup_s) rf_stop(sup_s, &ss);
        bn_row_missing(a, "restart.flat", "cost per restart, 20000 vs 500 restarts in one period",
                       "sv_sup_start failed", BN_WITHIN, 0.2);
        return;
    }
    double *cs = bn_xcalloc(nblocks, sizeof(double)), *cl = bn_xcalloc(nblocks, sizeof(double));
    double *cl1 = bn_xcalloc(nblocks, sizeof(double));
    size_t ncl = 0, ncl1 = 0;
    bool ok = true;
    for (uint32_t b = 0; b < nblocks && ok; b++) {
        if (atomic_load(&ss.started) - 1 >= small_per_sup) { /* window full: a fresh supervisor */
            ok = rf_stop(sup_s, &ss) && rf_start(&sup_s, &ss) == 0;
            if (!ok) {
                sup_s = NULL;
                break;
            }
        }
        double x, y;
        if (b & 1) {
            y = rf_block(&sl, blk);
            x = rf_block(&ss, blk);
        } else {
            x = rf_block(&ss, blk);
            y = rf_block(&sl, blk);
        }
        cs[b] = x;
        if ((b + 1) * blk > large_total / 2) cl[ncl++] = y; /* window holds over half */
        else cl1[ncl1++] = y;
    }
    uint32_t large_done = atomic_load(&sl.started) - 1;
    if (sup_s) ok = rf_stop(sup_s, &ss) && ok;
    ok = rf_stop(sup_l, &sl) && ok;
    bn_check(!ok || large_done == large_total, "flat: %u restarts in the large window, expected %u",
             large_done, large_total);
    double ms = bn_median(cs, nblocks), ml = bn_median(cl, ncl), ml1 = bn_median(cl1, ncl1);
    double q = ml / ms;
    fprintf(stderr, "flat: per restart, window <= %u: %.0f ns; window %u..%u: %.0f ns; window %u..%u:"
                    " %.0f ns (%.3fx)\n",
            small_per_sup, ms, 0, large_total / 2, ml1, large_total / 2, large_total, ml, q);
    bn_check(ok && bn_sane(ms) && bn_sane(ml) && bn_sane(q), "flatness figures not sane");
    char o[64], f[64], ft[96], fig[128];
    snprintf(fig, sizeof fig, "cost per restart, %u vs %u restarts in one period", large_total,
             small_per_sup);
    snprintf(ft, sizeof ft, "<= %u in period: %s", small_per_sup, bn_fmt_ns(f, sizeof f, ms));
    bn_row(a, "restart.flat", fig, ml, bn_fmt_ns(o, sizeof o, ml), ms, ft, q, NULL, BN_WITHIN, 0.2);
    free(cs);
    free(cl);
    free(cl1);
}

int main(int argc, char **argv) {
    bn_args a = bn_parse_args(argc, argv,
                              "restart latency (libsv vs join+create floor) and intensity flatness");
    rs_latency(&a);
    rs_flatness(&a);
    return bn_finish();
}
