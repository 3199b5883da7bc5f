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

static inline bool fl_interpose__on(void)
{
    if (__builtin_expect(atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0, 1)) return false;
    if (!fl_sched_controlled()) return false;
    fl_interpose__stats.calls++;
    return true;
}

/* Pass to the C library unless controlled (resolving it first if a
 * constructor of another library calls us before ours ran). */
#define FL_INTERPOSE__PASS(name, ...)                                                               \
    do {                                                                                           \
        if (!fl_interpose__on()) {                                                                 \
            if (__builtin_expect(fl_real.pthread_mutex_lock == NULL, 0)) fl_real_init();          \
            return fl_real.name(__VA_ARGS__);                                                      \
        }                                                                                          \
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

int pthread_join(pthread_t t, void **ret)
{
    FL_INTERPOSE__PASS(pthread_join, t, ret);
    return fl_interpose__join((unsigned long)t, ret);
}

int pthread_detach(pthread_t t)
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

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_mutex_init, m, attr);
    int type = PTHREAD_MUTEX_NORMAL;
    if (attr) pthread_mutexattr_gettype(attr, &type);
    fl_real.pthread_mutex_init(m, attr);
    return fl_interpose__mutex_init(m, type == PTHREAD_MUTEX_RECURSIVE    ? FL_INTERPOSE__RECURSIVE
                                       : type == PTHREAD_MUTEX_ERRORCHECK ? FL_INTERPOSE__ERRORCHECK
                                                                          : FL_INTERPOSE__NORMAL);
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_destroy, m);
    int rc = fl_interpose__mutex_destroy(m);
    if (rc == 0) fl_real.pthread_mutex_destroy(m);
    return rc;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_lock, m);
    return fl_interpose__mutex_lock(m, SV_FOREVER, false);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_trylock, m);
    return fl_interpose__mutex_lock(m, SV_FOREVER, true);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_mutex_timedlock, m, abstime);
    return fl_interpose__mutex_lock(m, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_unlock, m);
    return fl_interpose__mutex_unlock(m);
}

/* ---- condition variables -------------------------------------------------------------- */

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_cond_init, c, attr);
    clockid_t clk = CLOCK_REALTIME;
    if (attr) pthread_condattr_getclock(attr, &clk);
    fl_real.pthread_cond_init(c, attr);
    return fl_interpose__cond_init(c, clk);
}

int pthread_cond_destroy(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_destroy, c);
    fl_interpose__cond_destroy(c);
    return fl_real.pthread_cond_destroy(c);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_cond_wait, c, m);
    return fl_interpose__cond_wait(c, m, CLOCK_REALTIME, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_cond_timedwait, c, m, abstime);
    return fl_interpose__cond_wait(c, m, (clockid_t)-1, abstime);
}

int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_cond_clockwait, c, m, clk, abstime);
    return fl_interpose__cond_wait(c, m, clk, abstime);
}

int pthread_cond_signal(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_signal, c);
    return fl_interpose__cond_signal(c, false);
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_broadcast, c);
    return fl_interpose__cond_signal(c, true);
}

/* ---- rwlocks ------------------------------------------------------------------------------ */

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_rwlock_init, rw, attr);
    fl_real.pthread_rwlock_init(rw, attr);
    return fl_interpose__rw_init(rw);
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_destroy, rw);
    int rc = fl_interpose__rw_destroy(rw);
    if (rc == 0) fl_real.pthread_rwlock_destroy(rw);
    return rc;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_rdlock, rw);
    return fl_interpose__rw_lock(rw, false, SV_FOREVER, false);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_tryrdlock, rw);
    return fl_interpose__rw_lock(rw, false, SV_FOREVER, true);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_rwlock_timedrdlock, rw, abstime);
    return fl_interpose__rw_lock(rw, false, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_wrlock, rw);
    return fl_interpose__rw_lock(rw, true, SV_FOREVER, false);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_trywrlock, rw);
    return fl_interpose__rw_lock(rw, true, SV_FOREVER, true);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_rwlock_timedwrlock, rw, abstime);
    return fl_interpose__rw_lock(rw, true, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_unlock, rw);
    return fl_interpose__rw_unlock(rw);
}

/* ---- barriers, spinlocks ------------------------------------------------------------------- */

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count)
{
    FL_INTERPOSE__PASS(pthread_barrier_init, b, attr, count);
    return fl_interpose__barrier_init(b, count);
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
    FL_INTERPOSE__PASS(pthread_barrier_destroy, b);
    return fl_interpose__barrier_destroy(b);
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
    FL_INTERPOSE__PASS(pthread_barrier_wait, b);
    return fl_interpose__barrier_wait(b);
}

int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    FL_INTERPOSE__PASS(pthread_spin_init, s, pshared);
    fl_real.pthread_spin_init(s, pshared);
    fl_interpose__drop((const void *)s);
    return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_destroy, s);
    fl_interpose__drop((const void *)s);
    return 0;
}

int pthread_spin_lock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_lock, s);
    return fl_interpose__spin_lock((void *)s, false);
}

int pthread_spin_trylock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_trylock, s);
    return fl_interpose__spin_lock((void *)s, true);
}

int pthread_spin_unlock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_unlock, s);
    return fl_interpose__spin_unlock((void *)s);
}

/* ---- semaphores ------------------------------------------------------------------------------- */

int sem_init(sem_t *s, int pshared, unsigned value)
{
    FL_INTERPOSE__PASS(sem_init, s, pshared, value);
    fl_real.sem_init(s, pshared, value);
    return fl_interpose__errno(fl_interpose__sem_init(s, value));
}

int sem_destroy(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_destroy, s);
    fl_interpose__sem_destroy(s);
    return fl_real.sem_destroy(s);
}

int sem_wait(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_wait, s);
    return fl_interpose__errno(fl_interpose__sem_wait(s, SV_FOREVER, false));
}

int sem_trywait(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_trywait, s);
    return fl_interpose__errno(fl_interpose__sem_wait(s, SV_FOREVER, true));
}

int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(sem_timedwait, s, abstime);
    return fl_interpose__errno(fl_interpose__sem_wait(s, fl_interpose__deadline(CLOCK_REALTIME, abstime), false));
}

int sem_post(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_post, s);
    return fl_interpose__errno(fl_interpose__sem_post(s));
}

int sem_getvalue(sem_t *s, int *v)
{
    FL_INTERPOSE__PASS(sem_getvalue, s, v);
    return fl_interpose__errno(fl_interpose__sem_value(s, v));
}

/* ---- yielding, sleeping, clocks ------------------------------------------------------------------ */

int sched_yield(void)
{
    FL_INTERPOSE__PASS(sched_yield);
    fl_interpose__yield();
    return 0;
}

unsigned sleep(unsigned s)
{
    FL_INTERPOSE__PASS(sleep, s);
    fl_interpose__sleep_ns((int64_t)s * 1000000000LL);
    return 0;
}

int usleep(useconds_t us)
{
    FL_INTERPOSE__PASS(usleep, us);
    fl_interpose__sleep_ns((int64_t)us * 1000);
    return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
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

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    FL_INTERPOSE__PASS(clock_nanosleep, clk, flags, req, rem);
    if (!fl_interpose__virtual_clock(clk)) return fl_real.clock_nanosleep(clk, flags, req, rem);
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L || req->tv_sec < 0) return EINVAL;
    if (flags & TIMER_ABSTIME) fl_interpose__sleep_until(fl_interpose__deadline(clk, req));
    else fl_interpose__sleep_ns((int64_t)req->tv_sec * 1000000000LL + req->tv_nsec);
    return 0;
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
    FL_INTERPOSE__PASS(clock_gettime, clk, ts);
    if (!fl_interpose__virtual_clock(clk)) return fl_real.clock_gettime(clk, ts);
    *ts = fl_interpose__now(clk);
    return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    FL_INTERPOSE__PASS(gettimeofday, tv, tz);
    struct timespec ts = fl_interpose__now(CLOCK_REALTIME);
    *tv = (struct timeval){ ts.tv_sec, ts.tv_nsec / 1000 }; /* declared nonnull */
    return 0;
}

time_t time(time_t *out)
{
    FL_INTERPOSE__PASS(time, out);
    time_t t = fl_interpose__now(CLOCK_REALTIME).tv_sec;
    if (out) *out = t;
    return t;
}

#endif /* FL_INTERPOSE__EXPORT */
