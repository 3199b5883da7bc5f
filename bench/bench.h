/*
 * bench.h — helpers shared by the bench/ programs (prefix bn_).
 *
 * Every bench/X.c is its own program (the Makefile links each one alone), so
 * the shared code lives here as static inline functions.
 *
 * Rules every bench program follows:
 *  - each figure is a ratio against a floor or a peer measured in the same
 *    process, in the same run, interleaved (ABAB) with ours so that drift of a
 *    shared, noisy machine hits both sides alike;
 *  - figures are medians (p99 where asked) over repeated rounds, never one
 *    absolute time;
 *  - `--quick` runs a tiny version and checks only that the output is sane
 *    (finite, positive, the work really happened); it never judges a target,
 *    so it cannot become a timed test.
 *
 * Output protocol (stdout, read by mk/bench.sh): one line per figure,
 *   ROW \t id \t figure \t ours \t ours_text \t ref \t ref_text \t ratio \t
 *       ratio_text \t op \t target \t target_text \t met
 * where op is "<=", ">=" (the ratio against the target), "within" (|ratio - 1|
 * <= target), "min" (an absolute target that the design states as such:
 * ours >= target; the ratio column still shows ours against a same-run
 * floor) or "info" (no target), and met is "yes", "no" or "-". Everything else a bench prints goes
 * to stderr (mk/bench.sh keeps it in out/bench/<name>.log).
 */
#ifndef BENCH_H
#define BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* CPU_SET, pthread_setaffinity_np (the Makefile defines it too) */
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h> /* after the libc headers: it must not come before sched.h */

/* ---- clock and spinning --------------------------------------------------- */

/* CLOCK_MONOTONIC in ns (vDSO; comparable across threads and cores). */
static inline int64_t bn_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void bn_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Keeps the compiler from deleting a computation whose result is unused. */
static inline void bn_escape(void *p) { __asm__ __volatile__("" : : "g"(p) : "memory"); }

/* ---- raw futex (the floors use it; libsv reaches its own through the seam) - */

/* Block while *addr == expected (spurious returns allowed: callers loop). */
static inline void bn_futex_wait(_Atomic uint32_t *addr, uint32_t expected) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static inline void bn_futex_wake(_Atomic uint32_t *addr, int n) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Wait (futex) until *addr >= target; returns the value seen. */
static inline uint32_t bn_wait_at_least(_Atomic uint32_t *addr, uint32_t target) {
    for (;;) {
        uint32_t v = atomic_load_explicit(addr, memory_order_acquire);
        if ((int32_t)(v - target) >= 0) return v;
        bn_futex_wait(addr, v);
    }
}

/* Store v (release) and wake every waiter. */
static inline void bn_publish(_Atomic uint32_t *addr, uint32_t v) {
    atomic_store_explicit(addr, v, memory_order_release);
    bn_futex_wake(addr, INT_MAX);
}

/* A pthread call that cannot fail: abort with its name if it does. */
#define BN_PT(call)                                                              \
    do {                                                                         \
        int bn__rc = (call);                                                     \
        if (bn__rc != 0) {                                                       \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,        \
                    strerror(bn__rc));                                           \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* ---- placement -------------------------------------------------------------- */

/* Pin thread t to cpu. False when the machine has no such CPU or the
 * affinity call is refused (then nothing changed). */
static inline bool bn_pin(pthread_t t, int cpu) {
    if (cpu < 0 || sysconf(_SC_NPROCESSORS_ONLN) <= cpu) return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(t, sizeof set, &set) == 0;
}

/* Pin the calling thread (and so every thread it creates from now on) to
 * the last CPU; *saved keeps the old mask for bn_unpin_self. False when not
 * pinned (one CPU, or affinity refused). */
static inline bool bn_pin_self(cpu_set_t *saved) {
    int cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
    return cpu > 0 && pthread_getaffinity_np(pthread_self(), sizeof *saved, saved) == 0 &&
           bn_pin(pthread_self(), cpu);
}

static inline void bn_unpin_self(bool pinned, const cpu_set_t *saved) {
    if (pinned) BN_PT(pthread_setaffinity_np(pthread_self(), sizeof *saved, saved));
}

/* ---- statistics ----------------------------------------------------------- */

static inline int bn__cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (0..1, nearest rank) of v[0..n); sorts v in place. NAN if
 * n == 0. */
static inline double bn_quantile(double *v, size_t n, double q) {
    if (n == 0) return NAN;
    qsort(v, n, sizeof *v, bn__cmp_double);
    size_t k = (size_t)ceil(q * (double)n);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

/* Median of v[0..n) (mean of the middle two for even n); sorts v. */
static inline double bn_median(double *v, size_t n) {
    if (n == 0) return NAN;
    qsort(v, n, sizeof *v, bn__cmp_double);
    return (n & 1) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* min and max of v[0..n) without reordering it. */
static inline void bn_minmax(const double *v, size_t n, double *lo, double *hi) {
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < *lo) *lo = v[i];
        if (v[i] > *hi) *hi = v[i];
    }
}

static inline void *bn_xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "bench: out of memory (%zu x %zu)\n", n, size);
        exit(3);
    }
    return p;
}

/* ---- command line and sanity ---------------------------------------------- */

typedef struct bn_args {
    bool quick; /* tiny version + sanity checks only */
    const char *prog;
} bn_args;

/* Parses argv: --quick, --help. Bad usage prints a message and exits 2. */
static inline bn_args bn_parse_args(int argc, char **argv, const char *what) {
    bn_args a = {false, argv[0]};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            a.quick = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: %s [--quick]\n  %s\n"
                   "  --quick  a tiny run that only checks the output is sane\n",
                   argv[0], what);
            exit(0);
        } else {
            fprintf(stderr, "%s: unknown argument '%s' (expected --quick or --help)\n",
                    argv[0], argv[i]);
            exit(2);
        }
    }
    return a;
}

static int bn__insane; /* number of failed sanity checks */

/* A sanity check: on failure print why and remember it (exit status 1). */
static inline bool bn_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool bn_check(bool ok, const char *fmt, ...) {
    if (ok) return true;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: insane: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    bn__insane++;
    return false;
}

/* A measured value is sane when finite and > 0. */
static inline bool bn_sane(double v) { return isfinite(v) && v > 0; }

/* Exit status of a bench: 1 if any sanity check failed. */
static inline int bn_finish(void) {
    if (bn__insane) fprintf(stderr, "bench: %d sanity check(s) failed\n", bn__insane);
    return bn__insane ? 1 : 0;
}

/* ---- rows ------------------------------------------------------------------ */

typedef enum bn_op { BN_LE = 0, BN_GE, BN_WITHIN, BN_MIN, BN_INFO } bn_op;

/* Formats a duration in ns with a readable unit into buf. */
static inline const char *bn_fmt_ns(char *buf, size_t cap, double ns) {
    if (!isfinite(ns)) snprintf(buf, cap, "n/a");
    else if (ns < 1e3) snprintf(buf, cap, "%.1f ns", ns);
    else if (ns < 1e6) snprintf(buf, cap, "%.2f us", ns / 1e3);
    else if (ns < 1e9) snprintf(buf, cap, "%.2f ms", ns / 1e6);
    else snprintf(buf, cap, "%.2f s", ns / 1e9);
    return buf;
}

/* Formats a rate (per second) with k/M suffixes. */
static inline const char *bn_fmt_rate(char *buf, size_t cap, double per_s, const char *unit) {
    if (!isfinite(per_s)) snprintf(buf, cap, "n/a");
    else if (per_s >= 1e6) snprintf(buf, cap, "%.2f M%s/s", per_s / 1e6, unit);
    else if (per_s >= 1e4) snprintf(buf, cap, "%.1f k%s/s", per_s / 1e3, unit);
    else if (per_s >= 1e2) snprintf(buf, cap, "%.0f%s/s", per_s, unit);
    else snprintf(buf, cap, "%.1f%s/s", per_s, unit);
    return buf;
}

static inline void bn__field(const char *s) {
    for (; *s; s++) putchar(*s == '\t' || *s == '\n' ? ' ' : *s);
    putchar('\t');
}

/* Whether (ours, ratio) meets (op, target). NAN never meets. */
static inline bool bn_met(double ours, double ratio, bn_op op, double target) {
    switch (op) {
    case BN_LE: return !isnan(ratio) && ratio <= target;
    case BN_GE: return !isnan(ratio) && ratio >= target;
    case BN_WITHIN: return !isnan(ratio) && fabs(ratio - 1.0) <= target;
    case BN_MIN: return !isnan(ours) && ours >= target;
    case BN_INFO: return true;
    }
    return false;
}

/* Print one row. ratio_text NULL: "%.3gx" of ratio. unit: appended to the
 * target of BN_MIN ("1000 seeds/s"). In --quick mode, met is always "-": a
 * smoke run never judges a target. */
static inline void bn_row_unit(const bn_args *a, const char *id, const char *figure, double ours,
                               const char *ours_text, double ref, const char *ref_text,
                               double ratio, const char *ratio_text, bn_op op, double target,
                               const char *unit) {
    static const char *const opname[] = {"<=", ">=", "within", "min", "info"};
    char rbuf[32], tbuf[48];
    if (!ratio_text) {
        if (isfinite(ratio)) snprintf(rbuf, sizeof rbuf, "%.3gx", ratio);
        else snprintf(rbuf, sizeof rbuf, "n/a");
        ratio_text = rbuf;
    }
    switch (op) {
    case BN_LE: snprintf(tbuf, sizeof tbuf, "<= %gx", target); break;
    case BN_GE: snprintf(tbuf, sizeof tbuf, ">= %gx", target); break;
    case BN_WITHIN: snprintf(tbuf, sizeof tbuf, "1 +/- %g", target); break;
    case BN_MIN: snprintf(tbuf, sizeof tbuf, ">= %g%s", target, unit ? unit : ""); break;
    case BN_INFO: snprintf(tbuf, sizeof tbuf, "-"); break;
    }
    const char *met = (op == BN_INFO || a->quick) ? "-" : bn_met(ours, ratio, op, target) ? "yes" : "no";
    fputs("ROW\t", stdout);
    bn__field(id);
    bn__field(figure);
    printf("%.6g\t", ours);
    bn__field(ours_text);
    printf("%.6g\t", ref);
    bn__field(ref_text);
    printf("%.6g\t", ratio);
    bn__field(ratio_text);
    bn__field(opname[op]);
    printf("%.6g\t", target);
    bn__field(tbuf);
    fputs(met, stdout);
    putchar('\n');
    fflush(stdout);
}

static inline void bn_row(const bn_args *a, const char *id, const char *figure, double ours,
                          const char *ours_text, double ref, const char *ref_text,
                          double ratio, const char *ratio_text, bn_op op, double target) {
    bn_row_unit(a, id, figure, ours, ours_text, ref, ref_text, ratio, ratio_text, op, target, NULL);
}

/* A row for a bench part that could not run (component missing, setup
 * failed): shows up in the table as not met, with the reason. */
static inline void bn_row_missing(const bn_args *a, const char *id, const char *figure,
                                  const char *why, bn_op op, double target) {
    bn_row(a, id, figure, NAN, why, NAN, "-", NAN, "n/a", op, target);
}

#endif
