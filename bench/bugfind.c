/*
 * bench/bugfind — how many runs each way of testing needs before a planted
 * concurrency bug (harness/planted/fl_planted.h) first shows.
 *
 * For every buggy planted program, over many independent trials:
 *   - pct and random: fl_planted_hunt_run (controlled scheduler, seeds
 *     seed0, seed0+1, ...; each trial starts from its own seed0), capped;
 *   - free-running stress: the program called again and again on real
 *     threads under the plain POSIX binding — no scheduler, no injected
 *     delays — until its own assertion fires, capped. A lock-order deadlock
 *     on real threads never returns: a run that has not returned after
 *     FREE_HANG_MS (2 s: far beyond any run's length, even on a loaded
 *     machine) counts as the deadlock found, and its threads are left
 *     blocked (they hold nothing the next run uses: all state is on their
 *     stacks). A missed wake-up returns after its 1 s timeout, with its
 *     own verdict.
 * Reported: median runs to the first failure (a trial that hit the cap
 * counts as "more than the cap") and the success rate within the cap. The
 * target: pct's median is at most 1/10 of free-running's. When free running
 * never failed within its cap, pct_median / cap is an upper bound of the
 * ratio and that bound is what is judged.
 *
 * pct and random are seeded, so their figures are exactly reproducible;
 * free-running is not (that is the point).
 */
#include "bench.h"
#include "planted/fl_planted.h"
#include "sched/fl_sched.h"

#define FREE_HANG_MS 2000

/* Under ThreadSanitizer a free-running lock-order program is reported by
 * TSan's own deadlock detector (that is its bug), which ends the process: the
 * free-running side of such programs is skipped in TSan builds. */
#if defined(__SANITIZE_THREAD__)
#define BF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BF_TSAN 1
#endif
#endif
#ifndef BF_TSAN
#define BF_TSAN 0
#endif

/* ---- free-running stress -------------------------------------------------- */

typedef struct bf_free_run {
    const fl_planted *p;
    _Atomic int rc;
} bf_free_run;

static void *bf_free_thread(void *arg) {
    bf_free_run *r = arg;
    atomic_store(&r->rc, r->p->run());
    return NULL;
}

/* Runs abandoned in a real deadlock, kept reachable (leak checkers). */
static bf_free_run *bf_abandoned[64];
static size_t bf_nabandoned;

/* One free run: 1 the bug showed, 0 clean, negative errno on setup failure. */
static int bf_free_once(const fl_planted *p) {
    bf_free_run *r = bn_xcalloc(1, sizeof *r);
    r->p = p;
    atomic_init(&r->rc, -1);
    pthread_t t;
    int e = pthread_create(&t, NULL, bf_free_thread, r);
    if (e) {
        free(r);
        return -e;
    }
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += (long)FREE_HANG_MS * 1000000;
    dl.tv_sec += dl.tv_nsec / 1000000000;
    dl.tv_nsec %= 1000000000;
    e = pthread_timedjoin_np(t, NULL, &dl);
    if (e == ETIMEDOUT) {
        if (p->deadlock) { /* hung for good: that is the bug; abandon it (and r) */
            BN_PT(pthread_detach(t));
            if (bf_nabandoned < sizeof bf_abandoned / sizeof bf_abandoned[0])
                bf_abandoned[bf_nabandoned++] = r;
            return 1;
        }
        BN_PT(pthread_join(t, NULL)); /* e.g. a missed wake-up sleeping out its timeout */
    } else if (e) {
        BN_PT(e);
    }
    int rc = atomic_load(&r->rc);
    free(r);
    return rc;
}

/* Runs to the first failure (found) or max_runs (not found). */
static uint32_t bf_free_hunt(const fl_planted *p, uint32_t max_runs, bool *found, int *err) {
    *found = false;
    *err = 0;
    for (uint32_t i = 1; i <= max_runs; i++) {
        int rc = bf_free_once(p);
        if (rc < 0) {
            *err = rc;
            return i;
        }
        if (rc == 1) {
            *found = true;
            return i;
        }
    }
    return max_runs;
}

/* ---- one program, three ways ------------------------------------------------- */

enum { BF_PCT = 0, BF_RANDOM, BF_FREE, BF_NWAYS };
static const char *const bf_way[BF_NWAYS] = {"pct", "random", "free"};

typedef struct bf_way_stats {
    double median; /* INFINITY when most trials hit the cap */
    int found, trials;
    uint32_t cap;
} bf_way_stats;

static const char *bf_fmt_runs(char *buf, size_t cap, const bf_way_stats *s) {
    if (s->trials == 0) snprintf(buf, cap, "skipped");
    else if (isinf(s->median)) snprintf(buf, cap, "> %u runs (%d/%d)", s->cap, s->found, s->trials);
    else snprintf(buf, cap, "%.1f runs (%d/%d)", s->median, s->found, s->trials);
    return buf;
}

static void bf_program(const bn_args *a, const fl_planted *p) {
    const int trials[BF_NWAYS] = {a->quick ? 3 : 31, a->quick ? 3 : 31, a->quick ? 2 : 11};
    const uint32_t cap[BF_NWAYS] = {a->quick ? 300 : 3000, a->quick ? 300 : 3000, a->quick ? 30 : 3000};
    bf_way_stats st[BF_NWAYS];
    for (int w = 0; w < BF_NWAYS; w++) {
        st[w] = (bf_way_stats){NAN, 0, trials[w], cap[w]};
        if (BF_TSAN && w == BF_FREE && p->deadlock) {
            fprintf(stderr, "%s free: skipped under ThreadSanitizer\n", p->name);
            st[w].trials = 0;
            continue;
        }
        double *runs = bn_xcalloc((size_t)trials[w], sizeof(double));
        int64_t t0 = bn_now_ns();
        bool failed = false;
        for (int t = 0; t < trials[w] && !failed; t++) {
            bool found = false;
            uint32_t n = 0;
            if (w == BF_FREE) {
                int err;
                n = bf_free_hunt(p, cap[w], &found, &err);
                failed = !bn_check(err == 0, "%s free run: setup failed %d", p->name, err);
            } else {
                fl_planted_hunt h;
                uint64_t seed0 = 1 + (uint64_t)t * 1000003u;
                int rc = fl_planted_hunt_run(p, w == BF_PCT ? FL_SCHED_STRAT_PCT : FL_SCHED_STRAT_RANDOM, 0, seed0,
                                             cap[w], &h);
                failed = !bn_check(rc == 0, "%s %s hunt: %d", p->name, bf_way[w], rc);
                found = h.found;
                n = h.runs;
                free(h.schedule);
            }
            runs[t] = found ? (double)n : INFINITY;
            st[w].found += found;
        }
        st[w].median = failed ? NAN : bn_median(runs, (size_t)trials[w]);
        fprintf(stderr, "%s %s: median %g runs, found in %d/%d trials (cap %u), %.2f s\n", p->name,
                bf_way[w], st[w].median, st[w].found, trials[w], cap[w],
                (double)(bn_now_ns() - t0) / 1e9);
        free(runs);
    }
    const bf_way_stats *fr = &st[BF_FREE];
    char ob[64], fb[64], ft[96], fig[128], id[64], rt[32];
    snprintf(ft, sizeof ft, "free %s", bf_fmt_runs(fb, sizeof fb, fr));
    for (int w = BF_PCT; w <= BF_RANDOM; w++) {
        const bf_way_stats *s = &st[w];
        double ratio = NAN;
        const char *rtext = NULL;
        if (isfinite(s->median) && isfinite(fr->median)) {
            ratio = s->median / fr->median;
        } else if (isfinite(s->median) && isinf(fr->median)) {
            ratio = s->median / fr->cap; /* an upper bound */
            snprintf(rt, sizeof rt, "< %.3gx", ratio);
            rtext = rt;
        }
        snprintf(id, sizeof id, "bugfind.%s.%s", p->name, bf_way[w]);
        snprintf(fig, sizeof fig, "%s: runs to 1st failure, %s vs free-running", p->name, bf_way[w]);
        bn_row(a, id, fig, s->median, bf_fmt_runs(ob, sizeof ob, s), fr->median, ft, ratio, rtext,
               w == BF_PCT ? BN_LE : BN_INFO, w == BF_PCT ? 0.1 : 0);
    }
    if (a->quick) /* seeded, hence deterministic: pct must find each planted bug */
        bn_check(st[BF_PCT].found > 0, "%s: pct never found the planted bug in %d x %u runs", p->name,
                 trials[BF_PCT], cap[BF_PCT]);
}

/* The corrected twins must never fail (a false positive would make every
 * figure above meaningless). */
static void bf_twins(const bn_args *a, const fl_planted *list, size_t n) {
    const uint32_t runs = a->quick ? 50 : 300;
    for (size_t i = 0; i < n; i++) {
        if (list[i].buggy) continue;
        for (int w = BF_PCT; w <= BF_RANDOM; w++) {
            fl_planted_hunt h;
            int rc = fl_planted_hunt_run(&list[i], w == BF_PCT ? FL_SCHED_STRAT_PCT : FL_SCHED_STRAT_RANDOM, 0, 7,
                                         runs, &h);
            bn_check(rc == 0 && !h.found, "%s failed under %s (run %u, rc %d): a false positive",
                     list[i].name, bf_way[w], h.runs, rc);
            free(h.schedule);
        }
    }
}

int main(int argc, char **argv) {
    bn_args a = bn_parse_args(argc, argv,
                              "runs to first failure on planted bugs: pct / random / free-running");
    size_t n;
    const fl_planted *list = fl_planted_list(&n);
    bf_twins(&a, list, n);
    int programs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!list[i].buggy) continue;
        bf_program(&a, &list[i]);
        programs++;
    }
    bn_check(programs >= 4, "only %d planted programs", programs);
    return bn_finish();
}
