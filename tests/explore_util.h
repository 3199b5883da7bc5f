/*
 * explore_util.h — shared by the tests of explore's reduction
 * (tests/test_explore_reduce.c, tests/test_explore_clock.c). Header-only
 * (static functions): each test binary includes it once.
 *   - outset: the outcomes a search saw, all and failing ones, each once;
 *     assert_same_set sorts two sets in place and fails the test, naming the
 *     program and bound, unless they are equal.
 *   - record_footprints: one run of main_fn under so with a footprint hook;
 *     every step's footprint and the thread that ended it land in fps[] and
 *     fp_cur[] (nfps of them, the first FP_SEEN_MAX).
 */
#ifndef EXPLORE_UTIL_H
#define EXPLORE_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched/fl_sched.h"

#define OUTSET_MAX 512
typedef struct outset {
    long v[OUTSET_MAX];
    int n;
    long fail[OUTSET_MAX];
    int nfail;
    unsigned kinds; /* the test's own classification of what it saw */
} outset;

static inline void outset_add(long *a, int *n, long v)
{
    for (int i = 0; i < *n; i++)
        if (a[i] == v) return;
    assert_true(*n < OUTSET_MAX);
    a[(*n)++] = v;
}

static inline int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static inline void assert_same_set(long *a, int na, long *b, int nb, const char *what, const char *prog,
                                   uint32_t bound)
{
    qsort(a, (size_t)na, sizeof *a, cmp_long);
    qsort(b, (size_t)nb, sizeof *b, cmp_long);
    if (na != nb || memcmp(a, b, (size_t)na * sizeof *a) != 0)
        fail_msg("%s, bound %u: %s differ: reduced saw %d, unreduced %d", prog, bound, what, na, nb);
}

#define FP_SEEN_MAX 128
static fl_sched_footprint fps[FP_SEEN_MAX];
static int fp_cur[FP_SEEN_MAX], nfps;

static inline void fp_hook(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp)
{
    (void)ud;
    (void)step;
    if (nfps < FP_SEEN_MAX) {
        fps[nfps] = *fp;
        fp_cur[nfps++] = cur;
    }
}

static inline void fp_step_hook(void *ud, uint64_t step, int cur, const int *r, int n, int chosen, bool followed)
{
    (void)ud; (void)step; (void)cur; (void)r; (void)n; (void)chosen; (void)followed;
}

static inline void record_footprints(const fl_sched_opts *so, void (*main_fn)(void *))
{
    nfps = 0;
    fl_sched_hook hook = { .step = fp_step_hook, .footprint = fp_hook };
    fl_sched_result res;
    assert_int_equal(fl_sched_run_ex(so, NULL, main_fn, NULL, &res, &hook), 0);
    assert_int_equal(res.status, FL_SCHED_OK);
    fl_sched_result_free(&res);
}

#endif
