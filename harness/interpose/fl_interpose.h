/*
 * fl_interpose.h — plain POSIX threading, timing and sleeping calls of any
 * code in the process, mapped onto the controlled platform (prefix
 * fl_interpose_).
 *
 * The faultline library defines pthread_create, pthread_mutex_lock, …,
 * sem_wait, nanosleep, clock_gettime, thrd_create, mtx_lock, … (the full
 * list is in docs/pthread.md). Symbol interposition does the rest: in a
 * faultline binary, and in a program started by `faultline exec` (which
 * preloads the library), every call to those names lands here first.
 *  - Outside a controlled run, or on a thread the run does not control, a
 *    call passes straight to the C library (fl_real): one global load and a
 *    branch, then the real function.
 *  - On a controlled thread it becomes a scheduling point, and blocking
 *    calls block on the virtual clock, so the scheduler chooses every
 *    interleaving and sees every deadlock (with who holds what).
 *
 * Objects are found by address in a side table, created at first use (so
 * statically initialised ones — PTHREAD_MUTEX_INITIALIZER and its recursive
 * and error-checking variants, PTHREAD_COND_INITIALIZER, … — work), and
 * forgotten when the next controlled run starts. The program's own object
 * storage is never used for controlled state, whatever its size, so objects
 * larger or smaller than the seam's work alike; init and destroy are also
 * passed to the C library so an object stays valid for uncontrolled use.
 *
 * Time under control is virtual and deterministic: CLOCK_MONOTONIC reads
 * FL_INTERPOSE_MONO_BASE_S + virtual time, CLOCK_REALTIME, gettimeofday and
 * time read FL_INTERPOSE_EPOCH_S + virtual time; CPU-time clocks pass
 * through. TLS keys (pthread_key_*, tss_*) and pthread_self/equal pass
 * through: they cannot change an interleaving.
 *
 * Sanitizer builds (ASan, TSan) keep their own interceptors for these names:
 * there the exported wrappers are compiled out (fl_interpose_linked() is
 * false) and only seam code is controlled.
 */
#ifndef FL_INTERPOSE_H
#define FL_INTERPOSE_H

#include <stdbool.h>
#include <stdint.h>

#define FL_INTERPOSE_EPOCH_S 1767225600LL  /* 2026-01-01T00:00:00Z */
#define FL_INTERPOSE_MONO_BASE_S 1000LL

/* True when this build exports the wrappers (not under a sanitizer). */
bool fl_interpose_linked(void);

/* Counters of the controlled calls made in this process (for tests and the
 * exec runtime's statistics). Not synchronised across processes. */
typedef struct fl_interpose_stats {
    uint64_t calls;        /* interposed calls that went to the controlled platform */
    uint64_t threads;      /* threads created through pthread_create / thrd_create */
    uint64_t objects;      /* side-table records created */
} fl_interpose_stats;
void fl_interpose_stats_get(fl_interpose_stats *out);

#endif
