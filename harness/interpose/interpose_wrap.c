/*
 * interpose_wrap.c — the exported names: pthread_*, sem_*, sleeping, clocks.
 *
 * Each wrapper passes the call to the C library unless the calling thread
 * is a controlled thread of a run in progress (FL_INTERPOSE__PASS); then it
 * calls the controlled implementation. Compiled out under ASan and TSan,
 * whose runtimes intercept these names themselves.
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FL_INTERPOSE__EXPORT 0
#else
#define FL_INTERPOSE__EXPORT 1
#endif

bool fl_interpose_linked(void) { return FL_INTERPOSE__EXPORT; }

#if FL_INTERPOSE__EXPORT

/* The slow half of the test: a run is live. Resolves the C library first if
 * a constructor of another library calls us before ours ran. True when the
 * caller is a controlled thread. Kept out of line so that the pass-through
 * path of every wrapper is two loads, a branch and a tail call. */
__attribute__((noinline, cold)) static bool fl_interpose__slow(void)
{
    if (!fl_real.pthread_mutex_lock) fl_real_init();
    if (atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 || !fl_sched_controlled()) return false;
    fl_interpose__stats.calls++;
    return true;
}

static inline bool fl_interpose__on(void)
{
    return fl_interpose__slow();
}

/* Each wrapper is two functions: the exported one passes to the C library
 * when no run is live (two loads, a branch and a tail call: no stack frame),
 * else calls its out-of-line slow half, which passes too unless the caller
 * is a controlled thread. */
#define FL_INTERPOSE__FAST(name, ...)                                                               \
    do {                                                                                           \
        __typeof__(fl_real.name) fl_interpose__f = fl_real.name;                                   \
        if (__builtin_expect(atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 &&     \
                                 fl_interpose__f != NULL, 1))                                      \
            return fl_interpose__f(__VA_ARGS__);                                                   \
    } while (0)
#define FL_INTERPOSE__PASS(name, ...)                                                               \
    do {                                                                                           \
        if (!fl_interpose__slow()) return fl_real.name(__VA_ARGS__);                               \
    } while (0)

/* sem_* and sleeping calls answer -1 and errno. */
static int fl_interpose__errno(int e)
{
    if (e == 0) return 0;
    errno = e;
    return -1;
}

/* ---- threads ------------------------------------------------------------------ */

int pthread_create(pthread_t *pt, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    FL_INTERPOSE__PASS(pthread_create, pt, attr, fn, arg);
    int ds = PTHREAD_CREATE_JOINABLE;
    if (attr) pthread_attr_getdetachstate(attr, &ds);
    unsigned long id;
    int rc = fl_interpose__create(&id, ds == PTHREAD_CREATE_DETACHED, fn, arg, NULL);
    if (rc == 0) *pt = (pthread_t)id;
    return rc;
}

__attribute__((noinline)) static int fl_interpose__s_pthread_join(pthread_t t, void **ret);
int pthread_join(pthread_t t, void **ret)
{
    FL_INTERPOSE__FAST(pthread_join, t, ret);
    return fl_interpose__s_pthread_join(t, ret);
}
static int fl_interpose__s_pthread_join(pthread_t t, void **ret)
{
    FL_INTERPOSE__PASS(pthread_join, t, ret);
    return fl_interpose__join((unsigned long)t, ret);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_detach(pthread_t t);
int pthread_detach(pthread_t t)
{
    FL_INTERPOSE__FAST(pthread_detach, t);
    return fl_interpose__s_pthread_detach(t);
}
static int fl_interpose__s_pthread_detach(pthread_t t)
{
    FL_INTERPOSE__PASS(pthread_detach, t);
    return fl_interpose__detach((unsigned long)t);
}

void pthread_exit(void *ret)
{
    if (!fl_interpose__on()) {
        if (!fl_real.pthread_exit) fl_real_init();
        fl_real.pthread_exit(ret);
    }
    fl_interpose__exit(ret);
}

int pthread_once(pthread_once_t *once, void (*init)(void))
{
    FL_INTERPOSE__PASS(pthread_once, once, init);
    return fl_interpose__once(once, init);
}

/* ---- mutexes ------------------------------------------------------------------ */

__attribute__((noinline)) static int fl_interpose__s_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    FL_INTERPOSE__FAST(pthread_mutex_init, m, attr);
    return fl_interpose__s_pthread_mutex_init(m, attr);
}
static int fl_interpose__s_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_mutex_init, m, attr);
    int type = PTHREAD_MUTEX_NORMAL;
    if (attr) pthread_mutexattr_gettype(attr, &type);
    fl_real.pthread_mutex_init(m, attr);
    return fl_interpose__mutex_init(m, type == PTHREAD_MUTEX_RECURSIVE    ? FL_INTERPOSE__RECURSIVE
                                       : type == PTHREAD_MUTEX_ERRORCHECK ? FL_INTERPOSE__ERRORCHECK
                                                                          : FL_INTERPOSE__NORMAL);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_destroy(pthread_mutex_t *m)
{
    FL_INTERPOSE__FAST(pthread_mutex_destroy, m);
    return fl_interpose__s_pthread_mutex_destroy(m);
}
static int fl_interpose__s_pthread_mutex_destroy(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_destroy, m);
    int rc = fl_interpose__mutex_destroy(m);
    if (rc == 0) fl_real.pthread_mutex_destroy(m);
    return rc;
}

__attribute__((noinline)) static int fl_interpose__s_pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m)
{
    FL_INTERPOSE__FAST(pthread_mutex_lock, m);
    return fl_interpose__s_pthread_mutex_lock(m);
}
static int fl_interpose__s_pthread_mutex_lock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_lock, m);
    return fl_interpose__mutex_lock(m, SV_FOREVER, false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m)
{
    FL_INTERPOSE__FAST(pthread_mutex_trylock, m);
    return fl_interpose__s_pthread_mutex_trylock(m);
}
static int fl_interpose__s_pthread_mutex_trylock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_trylock, m);
    return fl_interpose__mutex_lock(m, SV_FOREVER, true);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime);
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__FAST(pthread_mutex_timedlock, m, abstime);
    return fl_interpose__s_pthread_mutex_timedlock(m, abstime);
}
static int fl_interpose__s_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_mutex_timedlock, m, abstime);
    return fl_interpose__mutex_lock(m, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m)
{
    FL_INTERPOSE__FAST(pthread_mutex_unlock, m);
    return fl_interpose__s_pthread_mutex_unlock(m);
}
static int fl_interpose__s_pthread_mutex_unlock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_unlock, m);
    return fl_interpose__mutex_unlock(m);
}

/* ---- condition variables -------------------------------------------------------------- */

__attribute__((noinline)) static int fl_interpose__s_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    FL_INTERPOSE__FAST(pthread_cond_init, c, attr);
    return fl_interpose__s_pthread_cond_init(c, attr);
}
static int fl_interpose__s_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_cond_init, c, attr);
    clockid_t clk = CLOCK_REALTIME;
    if (attr) pthread_condattr_getclock(attr, &clk);
    fl_real.pthread_cond_init(c, attr);
    return fl_interpose__cond_init(c, clk);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_destroy(pthread_cond_t *c)
{
    FL_INTERPOSE__FAST(pthread_cond_destroy, c);
    return fl_interpose__s_pthread_cond_destroy(c);
}
static int fl_interpose__s_pthread_cond_destroy(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_destroy, c);
    fl_interpose__cond_destroy(c);
    return fl_real.pthread_cond_destroy(c);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    FL_INTERPOSE__FAST(pthread_cond_wait, c, m);
    return fl_interpose__s_pthread_cond_wait(c, m);
}
static int fl_interpose__s_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_cond_wait, c, m);
    return fl_interpose__cond_wait(c, m, CLOCK_REALTIME, NULL);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime);
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__FAST(pthread_cond_timedwait, c, m, abstime);
    return fl_interpose__s_pthread_cond_timedwait(c, m, abstime);
}
static int fl_interpose__s_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_cond_timedwait, c, m, abstime);
    return fl_interpose__cond_wait(c, m, (clockid_t)-1, abstime);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime);
int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime)
{
    FL_INTERPOSE__FAST(pthread_cond_clockwait, c, m, clk, abstime);
    return fl_interpose__s_pthread_cond_clockwait(c, m, clk, abstime);
}
static int fl_interpose__s_pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_cond_clockwait, c, m, clk, abstime);
    return fl_interpose__cond_wait(c, m, clk, abstime);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_signal(pthread_cond_t *c)
{
    FL_INTERPOSE__FAST(pthread_cond_signal, c);
    return fl_interpose__s_pthread_cond_signal(c);
}
static int fl_interpose__s_pthread_cond_signal(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_signal, c);
    return fl_interpose__cond_signal(c, false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_cond_broadcast(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c)
{
    FL_INTERPOSE__FAST(pthread_cond_broadcast, c);
    return fl_interpose__s_pthread_cond_broadcast(c);
}
static int fl_interpose__s_pthread_cond_broadcast(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_broadcast, c);
    return fl_interpose__cond_signal(c, true);
}

/* ---- rwlocks ------------------------------------------------------------------------------ */

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr);
int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    FL_INTERPOSE__FAST(pthread_rwlock_init, rw, attr);
    return fl_interpose__s_pthread_rwlock_init(rw, attr);
}
static int fl_interpose__s_pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_rwlock_init, rw, attr);
    fl_real.pthread_rwlock_init(rw, attr);
    return fl_interpose__rw_init(rw);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_destroy(pthread_rwlock_t *rw);
int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__FAST(pthread_rwlock_destroy, rw);
    return fl_interpose__s_pthread_rwlock_destroy(rw);
}
static int fl_interpose__s_pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_destroy, rw);
    int rc = fl_interpose__rw_destroy(rw);
    if (rc == 0) fl_real.pthread_rwlock_destroy(rw);
    return rc;
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_rdlock(pthread_rwlock_t *rw);
int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__FAST(pthread_rwlock_rdlock, rw);
    return fl_interpose__s_pthread_rwlock_rdlock(rw);
}
static int fl_interpose__s_pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_rdlock, rw);
    return fl_interpose__rw_lock(rw, false, SV_FOREVER, false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_tryrdlock(pthread_rwlock_t *rw);
int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__FAST(pthread_rwlock_tryrdlock, rw);
    return fl_interpose__s_pthread_rwlock_tryrdlock(rw);
}
static int fl_interpose__s_pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_tryrdlock, rw);
    return fl_interpose__rw_lock(rw, false, SV_FOREVER, true);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime);
int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__FAST(pthread_rwlock_timedrdlock, rw, abstime);
    return fl_interpose__s_pthread_rwlock_timedrdlock(rw, abstime);
}
static int fl_interpose__s_pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_rwlock_timedrdlock, rw, abstime);
    return fl_interpose__rw_lock(rw, false, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_wrlock(pthread_rwlock_t *rw);
int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__FAST(pthread_rwlock_wrlock, rw);
    return fl_interpose__s_pthread_rwlock_wrlock(rw);
}
static int fl_interpose__s_pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_wrlock, rw);
    return fl_interpose__rw_lock(rw, true, SV_FOREVER, false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_trywrlock(pthread_rwlock_t *rw);
int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__FAST(pthread_rwlock_trywrlock, rw);
    return fl_interpose__s_pthread_rwlock_trywrlock(rw);
}
static int fl_interpose__s_pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_trywrlock, rw);
    return fl_interpose__rw_lock(rw, true, SV_FOREVER, true);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime);
int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__FAST(pthread_rwlock_timedwrlock, rw, abstime);
    return fl_interpose__s_pthread_rwlock_timedwrlock(rw, abstime);
}
static int fl_interpose__s_pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_rwlock_timedwrlock, rw, abstime);
    return fl_interpose__rw_lock(rw, true, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_rwlock_unlock(pthread_rwlock_t *rw);
int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__FAST(pthread_rwlock_unlock, rw);
    return fl_interpose__s_pthread_rwlock_unlock(rw);
}
static int fl_interpose__s_pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_unlock, rw);
    return fl_interpose__rw_unlock(rw);
}

/* ---- barriers, spinlocks ------------------------------------------------------------------- */

__attribute__((noinline)) static int fl_interpose__s_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count);
int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count)
{
    FL_INTERPOSE__FAST(pthread_barrier_init, b, attr, count);
    return fl_interpose__s_pthread_barrier_init(b, attr, count);
}
static int fl_interpose__s_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count)
{
    FL_INTERPOSE__PASS(pthread_barrier_init, b, attr, count);
    return fl_interpose__barrier_init(b, count);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_barrier_destroy(pthread_barrier_t *b);
int pthread_barrier_destroy(pthread_barrier_t *b)
{
    FL_INTERPOSE__FAST(pthread_barrier_destroy, b);
    return fl_interpose__s_pthread_barrier_destroy(b);
}
static int fl_interpose__s_pthread_barrier_destroy(pthread_barrier_t *b)
{
    FL_INTERPOSE__PASS(pthread_barrier_destroy, b);
    return fl_interpose__barrier_destroy(b);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_barrier_wait(pthread_barrier_t *b);
int pthread_barrier_wait(pthread_barrier_t *b)
{
    FL_INTERPOSE__FAST(pthread_barrier_wait, b);
    return fl_interpose__s_pthread_barrier_wait(b);
}
static int fl_interpose__s_pthread_barrier_wait(pthread_barrier_t *b)
{
    FL_INTERPOSE__PASS(pthread_barrier_wait, b);
    return fl_interpose__barrier_wait(b);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_spin_init(pthread_spinlock_t *s, int pshared);
int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    FL_INTERPOSE__FAST(pthread_spin_init, s, pshared);
    return fl_interpose__s_pthread_spin_init(s, pshared);
}
static int fl_interpose__s_pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    FL_INTERPOSE__PASS(pthread_spin_init, s, pshared);
    fl_real.pthread_spin_init(s, pshared);
    fl_interpose__drop((const void *)s);
    return 0;
}

__attribute__((noinline)) static int fl_interpose__s_pthread_spin_destroy(pthread_spinlock_t *s);
int pthread_spin_destroy(pthread_spinlock_t *s)
{
    FL_INTERPOSE__FAST(pthread_spin_destroy, s);
    return fl_interpose__s_pthread_spin_destroy(s);
}
static int fl_interpose__s_pthread_spin_destroy(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_destroy, s);
    fl_interpose__drop((const void *)s);
    return 0;
}

__attribute__((noinline)) static int fl_interpose__s_pthread_spin_lock(pthread_spinlock_t *s);
int pthread_spin_lock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__FAST(pthread_spin_lock, s);
    return fl_interpose__s_pthread_spin_lock(s);
}
static int fl_interpose__s_pthread_spin_lock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_lock, s);
    return fl_interpose__spin_lock((void *)s, false);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_spin_trylock(pthread_spinlock_t *s);
int pthread_spin_trylock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__FAST(pthread_spin_trylock, s);
    return fl_interpose__s_pthread_spin_trylock(s);
}
static int fl_interpose__s_pthread_spin_trylock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_trylock, s);
    return fl_interpose__spin_lock((void *)s, true);
}

__attribute__((noinline)) static int fl_interpose__s_pthread_spin_unlock(pthread_spinlock_t *s);
int pthread_spin_unlock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__FAST(pthread_spin_unlock, s);
    return fl_interpose__s_pthread_spin_unlock(s);
}
static int fl_interpose__s_pthread_spin_unlock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_unlock, s);
    return fl_interpose__spin_unlock((void *)s);
}

/* ---- semaphores ------------------------------------------------------------------------------- */

__attribute__((noinline)) static int fl_interpose__s_sem_init(sem_t *s, int pshared, unsigned value);
int sem_init(sem_t *s, int pshared, unsigned value)
{
    FL_INTERPOSE__FAST(sem_init, s, pshared, value);
    return fl_interpose__s_sem_init(s, pshared, value);
}
static int fl_interpose__s_sem_init(sem_t *s, int pshared, unsigned value)
{
    FL_INTERPOSE__PASS(sem_init, s, pshared, value);
    fl_real.sem_init(s, pshared, value);
    return fl_interpose__errno(fl_interpose__sem_init(s, value));
}

__attribute__((noinline)) static int fl_interpose__s_sem_destroy(sem_t *s);
int sem_destroy(sem_t *s)
{
    FL_INTERPOSE__FAST(sem_destroy, s);
    return fl_interpose__s_sem_destroy(s);
}
static int fl_interpose__s_sem_destroy(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_destroy, s);
    fl_interpose__sem_destroy(s);
    return fl_real.sem_destroy(s);
}

__attribute__((noinline)) static int fl_interpose__s_sem_wait(sem_t *s);
int sem_wait(sem_t *s)
{
    FL_INTERPOSE__FAST(sem_wait, s);
    return fl_interpose__s_sem_wait(s);
}
static int fl_interpose__s_sem_wait(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_wait, s);
    return fl_interpose__errno(fl_interpose__sem_wait(s, SV_FOREVER, false));
}

__attribute__((noinline)) static int fl_interpose__s_sem_trywait(sem_t *s);
int sem_trywait(sem_t *s)
{
    FL_INTERPOSE__FAST(sem_trywait, s);
    return fl_interpose__s_sem_trywait(s);
}
static int fl_interpose__s_sem_trywait(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_trywait, s);
    return fl_interpose__errno(fl_interpose__sem_wait(s, SV_FOREVER, true));
}

__attribute__((noinline)) static int fl_interpose__s_sem_timedwait(sem_t *s, const struct timespec *abstime);
int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    FL_INTERPOSE__FAST(sem_timedwait, s, abstime);
    return fl_interpose__s_sem_timedwait(s, abstime);
}
static int fl_interpose__s_sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(sem_timedwait, s, abstime);
    return fl_interpose__errno(fl_interpose__sem_wait(s, fl_interpose__deadline(CLOCK_REALTIME, abstime), false));
}

__attribute__((noinline)) static int fl_interpose__s_sem_post(sem_t *s);
int sem_post(sem_t *s)
{
    FL_INTERPOSE__FAST(sem_post, s);
    return fl_interpose__s_sem_post(s);
}
static int fl_interpose__s_sem_post(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_post, s);
    return fl_interpose__errno(fl_interpose__sem_post(s));
}

__attribute__((noinline)) static int fl_interpose__s_sem_getvalue(sem_t *s, int *v);
int sem_getvalue(sem_t *s, int *v)
{
    FL_INTERPOSE__FAST(sem_getvalue, s, v);
    return fl_interpose__s_sem_getvalue(s, v);
}
static int fl_interpose__s_sem_getvalue(sem_t *s, int *v)
{
    FL_INTERPOSE__PASS(sem_getvalue, s, v);
    return fl_interpose__errno(fl_interpose__sem_value(s, v));
}

/* ---- yielding, sleeping, clocks ------------------------------------------------------------------ */

__attribute__((noinline)) static int fl_interpose__s_sched_yield(void);
int sched_yield(void)
{
    FL_INTERPOSE__FAST(sched_yield);
    return fl_interpose__s_sched_yield();
}
static int fl_interpose__s_sched_yield(void)
{
    FL_INTERPOSE__PASS(sched_yield);
    fl_interpose__yield();
    return 0;
}

__attribute__((noinline)) static unsigned fl_interpose__s_sleep(unsigned s);
unsigned sleep(unsigned s)
{
    FL_INTERPOSE__FAST(sleep, s);
    return fl_interpose__s_sleep(s);
}
static unsigned fl_interpose__s_sleep(unsigned s)
{
    FL_INTERPOSE__PASS(sleep, s);
    fl_interpose__sleep_ns((int64_t)s * 1000000000LL);
    return 0;
}

__attribute__((noinline)) static int fl_interpose__s_usleep(useconds_t us);
int usleep(useconds_t us)
{
    FL_INTERPOSE__FAST(usleep, us);
    return fl_interpose__s_usleep(us);
}
static int fl_interpose__s_usleep(useconds_t us)
{
    FL_INTERPOSE__PASS(usleep, us);
    fl_interpose__sleep_ns((int64_t)us * 1000);
    return 0;
}

__attribute__((noinline)) static int fl_interpose__s_nanosleep(const struct timespec *req, struct timespec *rem);
int nanosleep(const struct timespec *req, struct timespec *rem)
{
    FL_INTERPOSE__FAST(nanosleep, req, rem);
    return fl_interpose__s_nanosleep(req, rem);
}
static int fl_interpose__s_nanosleep(const struct timespec *req, struct timespec *rem)
{
    FL_INTERPOSE__PASS(nanosleep, req, rem);
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L || req->tv_sec < 0) return fl_interpose__errno(EINVAL);
    fl_interpose__sleep_ns((int64_t)req->tv_sec * 1000000000LL + req->tv_nsec);
    if (rem) *rem = (struct timespec){ 0, 0 };
    return 0;
}

static bool fl_interpose__virtual_clock(clockid_t clk)
{
    switch (clk) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME: case CLOCK_TAI:
        return true;
    default:
        return false;
    }
}

__attribute__((noinline)) static int fl_interpose__s_clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem);
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    FL_INTERPOSE__FAST(clock_nanosleep, clk, flags, req, rem);
    return fl_interpose__s_clock_nanosleep(clk, flags, req, rem);
}
static int fl_interpose__s_clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    FL_INTERPOSE__PASS(clock_nanosleep, clk, flags, req, rem);
    if (!fl_interpose__virtual_clock(clk)) return fl_real.clock_nanosleep(clk, flags, req, rem);
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L || req->tv_sec < 0) return EINVAL;
    if (flags & TIMER_ABSTIME) fl_interpose__sleep_until(fl_interpose__deadline(clk, req));
    else fl_interpose__sleep_ns((int64_t)req->tv_sec * 1000000000LL + req->tv_nsec);
    return 0;
}

__attribute__((noinline)) static int fl_interpose__s_clock_gettime(clockid_t clk, struct timespec *ts);
int clock_gettime(clockid_t clk, struct timespec *ts)
{
    FL_INTERPOSE__FAST(clock_gettime, clk, ts);
    return fl_interpose__s_clock_gettime(clk, ts);
}
static int fl_interpose__s_clock_gettime(clockid_t clk, struct timespec *ts)
{
    FL_INTERPOSE__PASS(clock_gettime, clk, ts);
    if (!fl_interpose__virtual_clock(clk)) return fl_real.clock_gettime(clk, ts);
    *ts = fl_interpose__now(clk);
    return 0;
}

__attribute__((noinline)) static int fl_interpose__s_gettimeofday(struct timeval *tv, void *tz);
int gettimeofday(struct timeval *tv, void *tz)
{
    FL_INTERPOSE__FAST(gettimeofday, tv, tz);
    return fl_interpose__s_gettimeofday(tv, tz);
}
static int fl_interpose__s_gettimeofday(struct timeval *tv, void *tz)
{
    FL_INTERPOSE__PASS(gettimeofday, tv, tz);
    struct timespec ts = fl_interpose__now(CLOCK_REALTIME);
    *tv = (struct timeval){ ts.tv_sec, ts.tv_nsec / 1000 }; /* declared nonnull */
    return 0;
}

__attribute__((noinline)) static time_t fl_interpose__s_time(time_t *out);
time_t time(time_t *out)
{
    FL_INTERPOSE__FAST(time, out);
    return fl_interpose__s_time(out);
}
static time_t fl_interpose__s_time(time_t *out)
{
    FL_INTERPOSE__PASS(time, out);
    time_t t = fl_interpose__now(CLOCK_REALTIME).tv_sec;
    if (out) *out = t;
    return t;
}

#endif /* FL_INTERPOSE__EXPORT */
