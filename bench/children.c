/*
 * bench/children — cost per child of start_child + terminate_child when a
 * supervisor holds 1,000 and when it holds 10,000 children (POSIX seam, real
 * threads), as a ratio measured in the same run.
 *
 * A round fills one supervisor with N temporary children (sv_start_child,
 * each a thread that sleeps until asked to stop), then terminates them in
 * start order (sv_terminate_child by id; a temporary child's spec is
 * removed). Start order is the worst case for a table that shifts on
 * removal, and every call looks its child up by id: a linear scan or a
 * shifting removal makes the cost per child grow with N. libsv keeps an id
 * hash index and tombstones (supervisor/core_table.c), so it must stay flat:
 * target cost(10,000) / cost(1,000) <= 1.3.
 *
 * Rounds alternate the two sizes (ABAB) so drift of a busy machine hits
 * both; figures are medians of the per-round cost per child.
 * --quick: 20 and 200 children, one round each, sanity only.
 */
#include "bench.h"
#include "sv.h"

static int ch_worker(sv_worker *w, void *arg)
{
    (void)arg;
    while (sv_worker_sleep(w, 60000) == 0) {
    }
    return 0;
}

/* ---- the floor: bare threads, same shape --------------------------------- */

/* N threads each parked on its own futex word; then, in start order, wake
 * one and join it. What any thread supervisor pays the kernel and libc for
 * N live threads, whatever its bookkeeping. */
typedef struct fl_slot {
    _Atomic uint32_t stop;
    pthread_t t;
} fl_slot;

static void *fl_thread(void *arg)
{
    fl_slot *sl = arg;
    bn_wait_at_least(&sl->stop, 1);
    return NULL;
}

static double fl_round(size_t n)
{
    fl_slot *sl = bn_xcalloc(n, sizeof *sl);
    int64_t t0 = bn_now_ns();
    for (size_t i = 0; i < n; i++) BN_PT(pthread_create(&sl[i].t, NULL, fl_thread, &sl[i]));
    for (size_t i = 0; i < n; i++) {
        bn_publish(&sl[i].stop, 1);
        BN_PT(pthread_join(sl[i].t, NULL));
    }
    int64_t t1 = bn_now_ns();
    free(sl);
    return (double)(t1 - t0) / (double)n;
}

/* One round: ns per child (start + terminate), or NAN on a failure. */
static double ch_round(size_t n)
{
    sv_sup_spec s;
    sv_sup_spec_init(&s, "bench");
    s.log = sv_log_discard;
    sv_sup *sup;
    if (sv_sup_start(&s, &sup) != 0) return NAN;
    char id[32];
    sv_child_spec c;
    bool ok = true;
    int64_t t0 = bn_now_ns();
    for (size_t i = 0; i < n && ok; i++) {
        snprintf(id, sizeof id, "c%zu", i);
        sv_child_spec_init(&c, id, ch_worker, NULL);
        c.restart = SV_TEMPORARY;
        ok = sv_start_child(sup, &c) == 0;
    }
    for (size_t i = 0; i < n && ok; i++) {
        snprintf(id, sizeof id, "c%zu", i);
        ok = sv_terminate_child(sup, id) == 0;
    }
    int64_t t1 = bn_now_ns();
    sv_child_counts k = { 0 };
    ok = ok && sv_count_children(sup, &k) == 0 && k.specs == 0;
    sv_sup_free(sup);
    bn_check(ok, "round of %zu children: a start/terminate failed or children were left", n);
    return ok ? (double)(t1 - t0) / (double)n : NAN;
}

int main(int argc, char **argv)
{
    bn_args a = bn_parse_args(argc, argv,
                              "cost per child of start_child + terminate_child at 1,000 vs 10,000 children");
    const size_t small = a.quick ? 20 : 1000, large = a.quick ? 200 : 10000;
    const int rounds = a.quick ? 1 : 3;
    double vs[8], vl[8], fs[8], fl[8];
    ch_round(small); /* warm-up: thread stacks, allocator */
    for (int r = 0; r < rounds; r++) {
        bool flip = r & 1;
        if (flip) vl[r] = ch_round(large), fl[r] = fl_round(large);
        vs[r] = ch_round(small);
        fs[r] = fl_round(small);
        if (!flip) vl[r] = ch_round(large), fl[r] = fl_round(large);
        fprintf(stderr, "round %d: libsv %zu: %.0f ns/child, %zu: %.0f; floor %zu: %.0f, %zu: %.0f\n", r, small,
                vs[r], large, vl[r], small, fs[r], large, fl[r]);
    }
    size_t nr = (size_t)rounds;
    double ms = bn_median(vs, nr), ml = bn_median(vl, nr), fms = bn_median(fs, nr), fml = bn_median(fl, nr);
    bn_check(bn_sane(ms) && bn_sane(ml) && bn_sane(fms) && bn_sane(fml), "costs not finite/positive");
    char t1[32], t2[32], fig[112];
    /* The raw growth includes the kernel's and libc's own cost of many live
     * threads (the floor shows it); libsv's share is the growth beyond the
     * floor's, measured in the same rounds. */
    snprintf(fig, sizeof fig, "libsv start+terminate per child, %zu vs %zu children", large, small);
    bn_row(&a, "children.raw", fig, ml, bn_fmt_ns(t1, sizeof t1, ml), ms, bn_fmt_ns(t2, sizeof t2, ms), ml / ms,
           NULL, BN_INFO, 0);
    snprintf(fig, sizeof fig, "bare pthread create+join per thread, %zu vs %zu threads", large, small);
    bn_row(&a, "children.floor", fig, fml, bn_fmt_ns(t1, sizeof t1, fml), fms, bn_fmt_ns(t2, sizeof t2, fms),
           fml / fms, NULL, BN_INFO, 0);
    double growth = (ml / ms) / (fml / fms);
    snprintf(fig, sizeof fig, "libsv per-child growth %zu -> %zu children, beyond the floor's", small, large);
    snprintf(t1, sizeof t1, "%.3gx", ml / ms);
    snprintf(t2, sizeof t2, "floor %.3gx", fml / fms);
    bn_row(&a, "children.flat", fig, ml / ms, t1, fml / fms, t2, growth, NULL, BN_LE, 1.3);
    return bn_finish();
}
