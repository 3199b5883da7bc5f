/*
 * plat.c — the POSIX binding of the platform seam (sv_plat.h), the binding
 * switch, and the failpoint hook.
 *
 * Threads are pthreads wrapped in a small sv_thread (start parameters and a
 * name); mutexes and condition variables live inside the caller's sv_mutex /
 * sv_cond storage; wait/wake are the Linux futex (private, FUTEX_WAIT_BITSET
 * with an absolute CLOCK_MONOTONIC deadline); the clock is CLOCK_MONOTONIC.
 * Every op is a thin shim: no locks, no allocation except thread_create's.
 */
#include "sv_plat.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(sv_mutex), "pthread_mutex_t fits in sv_mutex");
_Static_assert(_Alignof(pthread_mutex_t) <= _Alignof(sv_mutex), "sv_mutex alignment");
_Static_assert(sizeof(pthread_cond_t) <= sizeof(sv_cond), "pthread_cond_t fits in sv_cond");
_Static_assert(_Alignof(pthread_cond_t) <= _Alignof(sv_cond), "sv_cond alignment");
_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t), "futex word is 32 bits");

/* ThreadSanitizer intercepts pthread_timedjoin_np but not pthread_clockjoin_np;
 * an unintercepted join would hide the join's happens-before from it. */
#if defined(__SANITIZE_THREAD__)
#define SV__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SV__TSAN 1
#endif
#endif

/* A pthread call that cannot fail but did: the process state is corrupt. */
static _Noreturn void sv__posix_die(const char *what, int err)
{
    fprintf(stderr, "libsv: %s failed: %s\n", what, strerror(err));
    abort();
}

#define SV__CHECK(call)                                                                        \
    do {                                                                                       \
        int sv__e = (call);                                                                    \
        if (sv__e != 0) sv__posix_die(#call, sv__e);                                           \
    } while (0)

static struct timespec sv__ts(int64_t ns)
{
    struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000) };
    return ts;
}

static int64_t sv__posix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- threads ------------------------------------------------------------ */

/* refs: 2 at creation — the handle (dropped by join or detach) and the new
 * thread (dropped once it has read fn/arg/name). Whoever drops the last
 * frees, so detach right after create cannot free what the thread reads. */
struct sv_thread {
    pthread_t pt;
    void *(*fn)(void *);
    void *arg;
    _Atomic uint32_t refs;
    char name[16]; /* the kernel's comm limit, NUL included */
};

static void sv__thread_put(sv_thread *t)
{
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) free(t);
}

static void *sv__thread_main(void *p)
{
    sv_thread *t = p;
    void *(*fn)(void *) = t->fn;
    void *arg = t->arg;
    /* PR_SET_NAME on the calling thread is one cheap syscall, unlike
     * pthread_setname_np from the creator (a /proc write). */
    if (t->name[0]) prctl(PR_SET_NAME, (unsigned long)t->name, 0UL, 0UL, 0UL);
    sv__thread_put(t);
    return fn(arg);
}

static int sv__posix_thread_create(sv_thread **out, void *(*fn)(void *), void *arg, const char *name)
{
    sv_thread *t = malloc(sizeof *t);
    if (!t) return -ENOMEM;
    t->fn = fn;
    t->arg = arg;
    t->name[0] = '\0';
    if (name) {
        strncpy(t->name, name, sizeof t->name - 1);
        t->name[sizeof t->name - 1] = '\0';
    }
    atomic_init(&t->refs, 2);
    int e = pthread_create(&t->pt, NULL, sv__thread_main, t);
    if (e != 0) {
        free(t);
        return e == ENOMEM ? -ENOMEM : -EAGAIN;
    }
    *out = t;
    return 0;
}

static int sv__posix_thread_join(sv_thread *t, int64_t deadline)
{
    int e;
    if (deadline == SV_FOREVER) {
        e = pthread_join(t->pt, NULL);
    } else {
        int64_t now = sv__posix_now();
        if (deadline <= now) {
            e = pthread_tryjoin_np(t->pt, NULL);
            if (e == EBUSY) return -ETIMEDOUT;
        } else {
#ifdef SV__TSAN
            /* timedjoin takes CLOCK_REALTIME: convert the remaining monotonic
             * time, and re-arm if a realtime step ended the wait early. A
             * realtime step backwards lengthens the wait; only this
             * sanitizer build has that weakness. */
            for (;;) {
                struct timespec rt;
                clock_gettime(CLOCK_REALTIME, &rt);
                int64_t left = deadline - now;
                if (left > ((int64_t)1 << 60)) left = (int64_t)1 << 60;
                int64_t abs_rt = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec + left;
                struct timespec ts = sv__ts(abs_rt);
                e = pthread_timedjoin_np(t->pt, NULL, &ts);
                if (e != ETIMEDOUT) break;
                now = sv__posix_now();
                if (now >= deadline) return -ETIMEDOUT;
            }
#else
            struct timespec ts = sv__ts(deadline);
            e = pthread_clockjoin_np(t->pt, NULL, CLOCK_MONOTONIC, &ts);
            if (e == ETIMEDOUT) return -ETIMEDOUT;
#endif
        }
    }
    if (e != 0) sv__posix_die("pthread_join", e);
    /* The thread has ended, so it dropped its reference already. */
    sv__thread_put(t);
    return 0;
}

static void sv__posix_thread_detach(sv_thread *t)
{
    SV__CHECK(pthread_detach(t->pt));
    sv__thread_put(t);
}

/* ---- mutex / cond --------------------------------------------------------- */

static void sv__posix_mutex_init(sv_mutex *m) { SV__CHECK(pthread_mutex_init((pthread_mutex_t *)m->u, NULL)); }
static void sv__posix_mutex_destroy(sv_mutex *m) { SV__CHECK(pthread_mutex_destroy((pthread_mutex_t *)m->u)); }
static void sv__posix_mutex_lock(sv_mutex *m) { SV__CHECK(pthread_mutex_lock((pthread_mutex_t *)m->u)); }
static void sv__posix_mutex_unlock(sv_mutex *m) { SV__CHECK(pthread_mutex_unlock((pthread_mutex_t *)m->u)); }

static void sv__posix_cond_init(sv_cond *c)
{
    pthread_condattr_t a;
    SV__CHECK(pthread_condattr_init(&a));
    SV__CHECK(pthread_condattr_setclock(&a, CLOCK_MONOTONIC));
    SV__CHECK(pthread_cond_init((pthread_cond_t *)c->u, &a));
    SV__CHECK(pthread_condattr_destroy(&a));
}

static void sv__posix_cond_destroy(sv_cond *c) { SV__CHECK(pthread_cond_destroy((pthread_cond_t *)c->u)); }

static int sv__posix_cond_wait(sv_cond *c, sv_mutex *m, int64_t deadline)
{
    pthread_cond_t *pc = (pthread_cond_t *)c->u;
    pthread_mutex_t *pm = (pthread_mutex_t *)m->u;
    if (deadline == SV_FOREVER) {
        SV__CHECK(pthread_cond_wait(pc, pm));
        return 0;
    }
    struct timespec ts = sv__ts(deadline < 0 ? 0 : deadline);
    int e = pthread_cond_timedwait(pc, pm, &ts);
    if (e == ETIMEDOUT) return -ETIMEDOUT;
    if (e != 0) sv__posix_die("pthread_cond_timedwait", e);
    return 0;
}

static void sv__posix_cond_signal(sv_cond *c) { SV__CHECK(pthread_cond_signal((pthread_cond_t *)c->u)); }
static void sv__posix_cond_broadcast(sv_cond *c) { SV__CHECK(pthread_cond_broadcast((pthread_cond_t *)c->u)); }

/* ---- futex ---------------------------------------------------------------- */

static int sv__posix_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t deadline)
{
    struct timespec ts, *tp = NULL;
    if (deadline != SV_FOREVER) {
        ts = sv__ts(deadline < 0 ? 0 : deadline);
        tp = &ts;
    }
    /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time (no
     * FUTEX_CLOCK_REALTIME). EAGAIN (value differed) and EINTR are ordinary
     * early returns: callers re-check. */
    long r = syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, tp,
                     NULL, FUTEX_BITSET_MATCH_ANY);
    if (r == -1 && errno == ETIMEDOUT) return -ETIMEDOUT;
    return 0;
}

static void sv__posix_wake(_Atomic uint32_t *addr, int n)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* ---- time, alloc ------------------------------------------------------------- */

static void sv__posix_sleep_until(int64_t deadline)
{
    if (deadline == SV_FOREVER) {
        for (;;) pause();
    }
    struct timespec ts = sv__ts(deadline < 0 ? 0 : deadline);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

static void sv__posix_yield(void) { sched_yield(); }
static void *sv__posix_alloc(size_t n) { return malloc(n); }
static void sv__posix_free(void *p) { free(p); }

/* A POSIX thread ends early only by its own code (pthread_exit, or a
 * cancellation somebody requested): never by this binding. */
static bool sv__posix_thread_killed(void) { return false; }

const sv_plat_ops sv_plat_posix = {
    .name = "posix",
    .thread_create = sv__posix_thread_create,
    .thread_join = sv__posix_thread_join,
    .thread_detach = sv__posix_thread_detach,
    .mutex_init = sv__posix_mutex_init,
    .mutex_destroy = sv__posix_mutex_destroy,
    .mutex_lock = sv__posix_mutex_lock,
    .mutex_unlock = sv__posix_mutex_unlock,
    .cond_init = sv__posix_cond_init,
    .cond_destroy = sv__posix_cond_destroy,
    .cond_wait = sv__posix_cond_wait,
    .cond_signal = sv__posix_cond_signal,
    .cond_broadcast = sv__posix_cond_broadcast,
    .wait = sv__posix_wait,
    .wake = sv__posix_wake,
    .now = sv__posix_now,
    .sleep_until = sv__posix_sleep_until,
    .yield = sv__posix_yield,
    .alloc = sv__posix_alloc,
    .free = sv__posix_free,
    .thread_killed = sv__posix_thread_killed,
};

const sv_plat_ops *_Atomic sv__plat = &sv_plat_posix;

/* Swap the binding. Only legal while no libsv object exists and no other
 * thread uses the seam (sv_plat.h), so a plain store suffices. */
void sv_plat_set(const sv_plat_ops *ops) { atomic_store_explicit(&sv__plat, ops ? ops : &sv_plat_posix, memory_order_relaxed); }

sv_fail_fn sv__fail;

/* Bind the failpoint hook (NULL: none). Same binding rule as sv_plat_set. */
void sv_fail_set(sv_fail_fn fn) { sv__fail = fn; }
