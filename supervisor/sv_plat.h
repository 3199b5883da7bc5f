/*
 * sv_plat.h — the platform seam of libsv.
 *
 * libsv reaches threads, locks, condition waits, futex-style wait/wake,
 * clocks, sleeps and allocation only through the operations below. The
 * default binding is POSIX (pthreads, Linux futex, CLOCK_MONOTONIC, malloc).
 * faultline binds the controlled platform instead, where every operation is a
 * scheduling point and time is virtual; tests bind failing allocators or
 * thread creators for fault sweeps. Worker code that wants to be controlled
 * too uses these calls (sv_mutex_lock, sv_yield, ...) instead of pthreads.
 *
 * Binding: sv_plat_set() swaps the whole table. It must be called while no
 * libsv object exists and no other thread uses the seam (at start-up, or
 * between harness runs). Objects created under one binding must be destroyed
 * under the same one.
 *
 * Times are nanoseconds on the binding's monotonic clock; a deadline is an
 * absolute time; SV_FOREVER never passes.
 */
#ifndef SV_PLAT_H
#define SV_PLAT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SV_FOREVER INT64_MAX

/* Storage for a mutex / condition variable, embedded by the user, so that
 * init cannot fail for lack of memory. Each binding keeps its state inside. */
typedef struct sv_mutex { _Alignas(16) unsigned char u[64]; } sv_mutex;
typedef struct sv_cond { _Alignas(16) unsigned char u[64]; } sv_cond;

typedef struct sv_thread sv_thread; /* binding-defined, allocated by create */

typedef struct sv_plat_ops {
    const char *name; /* "posix", "controlled", ... */

    /* Create a thread running fn(arg). name (copied, may be NULL) is for
     * diagnostics. 0 and *out, or -EAGAIN / -ENOMEM. */
    int (*thread_create)(sv_thread **out, void *(*fn)(void *), void *arg, const char *name);
    /* Wait until t has ended or deadline passes. 0: ended, t freed.
     * -ETIMEDOUT: still running, t still valid (join again or detach). */
    int (*thread_join)(sv_thread *t, int64_t deadline);
    /* Give t up: its resources are freed when it ends. t invalid after. */
    void (*thread_detach)(sv_thread *t);

    /* Mutex: non-recursive. lock/unlock cannot fail (misuse aborts). */
    void (*mutex_init)(sv_mutex *m);
    void (*mutex_destroy)(sv_mutex *m);
    void (*mutex_lock)(sv_mutex *m);
    void (*mutex_unlock)(sv_mutex *m);

    /* Condition variable. wait returns 0 when woken (spuriously too), or
     * -ETIMEDOUT once deadline passed. The mutex is held on return. */
    void (*cond_init)(sv_cond *c);
    void (*cond_destroy)(sv_cond *c);
    int (*cond_wait)(sv_cond *c, sv_mutex *m, int64_t deadline);
    void (*cond_signal)(sv_cond *c);
    void (*cond_broadcast)(sv_cond *c);

    /* Futex-style: block while *addr == expected, until woken by wake() on
     * the same address or deadline passes. 0 (woken, or *addr differed),
     * -ETIMEDOUT. Spurious returns allowed: callers re-check. */
    int (*wait)(_Atomic uint32_t *addr, uint32_t expected, int64_t deadline);
    /* Wake up to n waiters on addr (INT32_MAX: all). */
    void (*wake)(_Atomic uint32_t *addr, int n);

    int64_t (*now)(void);               /* monotonic time */
    void (*sleep_until)(int64_t deadline);
    void (*yield)(void);                /* a scheduling point, nothing else */

    void *(*alloc)(size_t n);           /* NULL on failure */
    void (*free)(void *p);

    /* Optional (may be NULL). Called on a thread that is unwinding out of a
     * libsv worker function (pthread_exit or cancellation inside the body):
     * true when the binding itself is ending the thread (a controlled run
     * killing its threads), false when the worker's own code did. Only a
     * binding that provides it gets such ends reported as crashes; with NULL
     * libsv cannot tell, so it reports nothing and calls no other operation
     * of the seam on that thread. POSIX: always false (only the worker's own
     * code can end a thread it did not create). */
    bool (*thread_killed)(void);

    /* Optional (may be NULL; POSIX: NULL). Called just before libsv makes a
     * synchronising atomic access to the word at obj (its lock-free queue,
     * stop and acknowledgement flags, reference counts) outside the
     * operations above. The controlled platform records it in the calling
     * thread's footprint, so that explore's reduction never commutes two
     * steps that synchronise through that word (docs/scheduler.md,
     * "Reduction"). No scheduling point; must not block. */
    void (*sync)(const volatile void *obj);
} sv_plat_ops;

/* The POSIX binding (the default). */
extern const sv_plat_ops sv_plat_posix;

/* The binding in force. Never NULL. Atomic (relaxed) because a thread that
 * a run abandoned may still read it while sv_plat_set rebinds: it then sees
 * either table, both valid for its lifetime (they are static). On x86-64 and
 * arm64 a relaxed load is a plain load. */
extern const sv_plat_ops *_Atomic sv__plat;
static inline const sv_plat_ops *sv__ops(void) { return atomic_load_explicit(&sv__plat, memory_order_relaxed); }

/* Bind ops (NULL: POSIX). See the binding rule above. */
void sv_plat_set(const sv_plat_ops *ops);
static inline const sv_plat_ops *sv_plat(void) { return sv__ops(); }

/* Short forms used throughout libsv and by controlled worker code. */
static inline int sv_thread_create(sv_thread **t, void *(*fn)(void *), void *a, const char *n) { return sv__ops()->thread_create(t, fn, a, n); }
static inline int sv_thread_join(sv_thread *t, int64_t deadline) { return sv__ops()->thread_join(t, deadline); }
static inline void sv_thread_detach(sv_thread *t) { sv__ops()->thread_detach(t); }
static inline void sv_mutex_init(sv_mutex *m) { sv__ops()->mutex_init(m); }
static inline void sv_mutex_destroy(sv_mutex *m) { sv__ops()->mutex_destroy(m); }
static inline void sv_mutex_lock(sv_mutex *m) { sv__ops()->mutex_lock(m); }
static inline void sv_mutex_unlock(sv_mutex *m) { sv__ops()->mutex_unlock(m); }
static inline void sv_cond_init(sv_cond *c) { sv__ops()->cond_init(c); }
static inline void sv_cond_destroy(sv_cond *c) { sv__ops()->cond_destroy(c); }
static inline int sv_cond_wait(sv_cond *c, sv_mutex *m, int64_t d) { return sv__ops()->cond_wait(c, m, d); }
static inline void sv_cond_signal(sv_cond *c) { sv__ops()->cond_signal(c); }
static inline void sv_cond_broadcast(sv_cond *c) { sv__ops()->cond_broadcast(c); }
static inline int sv_wait(_Atomic uint32_t *a, uint32_t e, int64_t d) { return sv__ops()->wait(a, e, d); }
static inline void sv_wake(_Atomic uint32_t *a, int n) { sv__ops()->wake(a, n); }
static inline int64_t sv_now(void) { return sv__ops()->now(); }
static inline void sv_sleep_until(int64_t d) { sv__ops()->sleep_until(d); }
static inline void sv_yield(void) { sv__ops()->yield(); }
static inline void *sv_alloc(size_t n) { return sv__ops()->alloc(n); }
static inline void sv_free(void *p) { sv__ops()->free(p); }
/* libsv's own atomics name their word to the binding (sv_plat_ops.sync);
 * SV__SYNC(obj, expr) is expr, preceded by that call. One load and branch
 * when the binding has no sync (POSIX). */
static inline void sv__sync(const volatile void *obj) {
    const sv_plat_ops *o = sv__ops();
    if (o->sync) o->sync(obj);
}
#define SV__SYNC(obj, expr) (sv__sync(obj), (expr))

/* now + ns, saturating at SV_FOREVER. */
static inline int64_t sv_deadline_in(int64_t ns) {
    int64_t t = sv_now();
    return (ns < 0 || t > SV_FOREVER - ns) ? SV_FOREVER : t + ns;
}


/* ---- fault-injection seam ------------------------------------------------
 * Named failpoints inside libsv. NULL in production (one load and branch per
 * point); faultline binds it to its failpoint registry (sv_fail_set, same
 * binding rule as sv_plat_set). The hook returns 0 for "no fault", else a
 * value the point interprets as below. It may also act itself (sleep, yield,
 * sv_panic on a worker thread) before returning.
 *
 *   point               where                        non-zero return means
 *   "sv.start"          supervisor, before a start   start fails with that (negative) error
 *   "sv.report.lose"    worker, before pushing       the exit report is not pushed   (planted bug)
 *   "sv.log.skip"       supervisor, logging a crash  the crash is not logged          (planted bug)
 *   "sv.join.skip"      supervisor, stopping         the join is skipped: replacement
 *                                                    starts before the old one ended (planted bug)
 *   "sv.restart.double" supervisor, starting         the incarnation is started twice (planted bug)
 *   "sv.worker"         worker, at the trampoline    a worker-side point: the hook may crash it
 *
 * child/incarnation name the child concerned (NULL/0 at supervisor level). */
typedef int (*sv_fail_fn)(const char *point, const char *child, uint32_t incarnation);
extern sv_fail_fn sv__fail;
void sv_fail_set(sv_fail_fn fn);
#define SV_FAILPOINT(point, child, inc) (sv__fail ? sv__fail((point), (child), (inc)) : 0)

#ifdef __cplusplus
}
#endif
#endif
