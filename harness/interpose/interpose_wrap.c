/*
 * interpose_wrap.c — the exported names, part one: threads, mutexes and
 * condition variables; the dispatch table all wrappers jump through.
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


bool fl_interpose_linked(void) { return FL_INTERPOSE__EXPORT; }

#if FL_INTERPOSE__EXPORT

/* The slow half of the test: a run is live, or the table is not set yet.
 * Resolves the C library first if a constructor of another library calls us
 * before ours ran. True when the caller is a controlled thread. */
__attribute__((noinline)) bool fl_interpose__slow(void)
{
    if (!fl_real.pthread_mutex_lock) fl_real_init();
    if (atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 || !fl_sched_controlled()) return false;
    fl_interpose__stats.calls++;
    return true;
}

int fl_interpose__errno(int e)
{
    if (e == 0) return 0;
    errno = e;
    return -1;
}

/* ---- threads ------------------------------------------------------------------ */

int fl_interpose__s_pthread_create(pthread_t *pt, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    FL_INTERPOSE__PASS(pthread_create, pt, attr, fn, arg);
    int ds = PTHREAD_CREATE_JOINABLE;
    if (attr) pthread_attr_getdetachstate(attr, &ds);
    unsigned long id;
    int rc = fl_interpose__create(&id, ds == PTHREAD_CREATE_DETACHED, fn, arg, NULL);
    if (rc == 0) *pt = (pthread_t)id;
    return rc;
}
int pthread_create(pthread_t *pt, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    return FL_INTERPOSE__D(pthread_create)(pt, attr, fn, arg);
}

int fl_interpose__s_pthread_join(pthread_t t, void **ret)
{
    FL_INTERPOSE__PASS(pthread_join, t, ret);
    return fl_interpose__join((unsigned long)t, ret);
}
int pthread_join(pthread_t t, void **ret)
{
    return FL_INTERPOSE__D(pthread_join)(t, ret);
}

int fl_interpose__s_pthread_detach(pthread_t t)
{
    FL_INTERPOSE__PASS(pthread_detach, t);
    return fl_interpose__detach((unsigned long)t);
}
int pthread_detach(pthread_t t)
{
    return FL_INTERPOSE__D(pthread_detach)(t);
}

void fl_interpose__s_pthread_exit(void *ret)
{
    if (!fl_interpose__slow()) fl_real.pthread_exit(ret);
    fl_interpose__exit(ret);
}
void pthread_exit(void *ret)
{
    FL_INTERPOSE__D(pthread_exit)(ret);
    __builtin_unreachable();
}

int fl_interpose__s_pthread_once(pthread_once_t *once, void (*init)(void))
{
    FL_INTERPOSE__PASS(pthread_once, once, init);
    return fl_interpose__once(once, init);
}
int pthread_once(pthread_once_t *once, void (*init)(void))
{
    return FL_INTERPOSE__D(pthread_once)(once, init);
}

/* ---- mutexes ------------------------------------------------------------------ */

int fl_interpose__s_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_mutex_init, m, attr);
    int type = PTHREAD_MUTEX_NORMAL;
    if (attr) pthread_mutexattr_gettype(attr, &type);
    fl_real.pthread_mutex_init(m, attr);
    return fl_interpose__mutex_init(m, type == PTHREAD_MUTEX_RECURSIVE    ? FL_INTERPOSE__RECURSIVE
                                       : type == PTHREAD_MUTEX_ERRORCHECK ? FL_INTERPOSE__ERRORCHECK
                                                                          : FL_INTERPOSE__NORMAL);
}
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    return FL_INTERPOSE__D(pthread_mutex_init)(m, attr);
}

int fl_interpose__s_pthread_mutex_destroy(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_destroy, m);
    int rc = fl_interpose__mutex_destroy(m);
    if (rc == 0) fl_real.pthread_mutex_destroy(m);
    return rc;
}
int pthread_mutex_destroy(pthread_mutex_t *m)
{
    return FL_INTERPOSE__D(pthread_mutex_destroy)(m);
}

int fl_interpose__s_pthread_mutex_lock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_lock, m);
    return fl_interpose__mutex_lock(m, SV_FOREVER, false);
}
int pthread_mutex_lock(pthread_mutex_t *m)
{
    return FL_INTERPOSE__D(pthread_mutex_lock)(m);
}

int fl_interpose__s_pthread_mutex_trylock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_trylock, m);
    return fl_interpose__mutex_lock(m, SV_FOREVER, true);
}
int pthread_mutex_trylock(pthread_mutex_t *m)
{
    return FL_INTERPOSE__D(pthread_mutex_trylock)(m);
}

int fl_interpose__s_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_mutex_timedlock, m, abstime);
    return fl_interpose__mutex_lock(m, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    return FL_INTERPOSE__D(pthread_mutex_timedlock)(m, abstime);
}

int fl_interpose__s_pthread_mutex_unlock(pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_mutex_unlock, m);
    return fl_interpose__mutex_unlock(m);
}
int pthread_mutex_unlock(pthread_mutex_t *m)
{
    return FL_INTERPOSE__D(pthread_mutex_unlock)(m);
}

/* ---- condition variables -------------------------------------------------------------- */

int fl_interpose__s_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_cond_init, c, attr);
    clockid_t clk = CLOCK_REALTIME;
    if (attr) pthread_condattr_getclock(attr, &clk);
    fl_real.pthread_cond_init(c, attr);
    return fl_interpose__cond_init(c, clk);
}
int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    return FL_INTERPOSE__D(pthread_cond_init)(c, attr);
}

int fl_interpose__s_pthread_cond_destroy(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_destroy, c);
    fl_interpose__cond_destroy(c);
    return fl_real.pthread_cond_destroy(c);
}
int pthread_cond_destroy(pthread_cond_t *c)
{
    return FL_INTERPOSE__D(pthread_cond_destroy)(c);
}

int fl_interpose__s_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    FL_INTERPOSE__PASS(pthread_cond_wait, c, m);
    return fl_interpose__cond_wait(c, m, CLOCK_REALTIME, NULL);
}
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return FL_INTERPOSE__D(pthread_cond_wait)(c, m);
}

int fl_interpose__s_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_cond_timedwait, c, m, abstime);
    return fl_interpose__cond_wait(c, m, (clockid_t)-1, abstime);
}
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    return FL_INTERPOSE__D(pthread_cond_timedwait)(c, m, abstime);
}

int fl_interpose__s_pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_cond_clockwait, c, m, clk, abstime);
    return fl_interpose__cond_wait(c, m, clk, abstime);
}
int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime)
{
    return FL_INTERPOSE__D(pthread_cond_clockwait)(c, m, clk, abstime);
}

int fl_interpose__s_pthread_cond_signal(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_signal, c);
    return fl_interpose__cond_signal(c, false);
}
int pthread_cond_signal(pthread_cond_t *c)
{
    return FL_INTERPOSE__D(pthread_cond_signal)(c);
}

int fl_interpose__s_pthread_cond_broadcast(pthread_cond_t *c)
{
    FL_INTERPOSE__PASS(pthread_cond_broadcast, c);
    return fl_interpose__cond_signal(c, true);
}
int pthread_cond_broadcast(pthread_cond_t *c)
{
    return FL_INTERPOSE__D(pthread_cond_broadcast)(c);
}

/* ---- the dispatch table -------------------------------------------------------------------------- */

/* Point every entry at the C library (live == false) or at the slow halves
 * (a run is starting). The scheduler calls it before a run's first
 * controlled thread exists and after its last one stopped running program
 * code; other threads may be calling through the table meanwhile: each
 * entry is one aligned pointer, stored atomically. */
static void fl_interpose__switch(bool live)
{
    if (!fl_real.pthread_mutex_lock) fl_real_init();
#define FL_INTERPOSE__SET(n) __atomic_store_n(&fl_interpose__d.n, live ? fl_interpose__s_##n : fl_real.n, __ATOMIC_RELAXED);
    FL_INTERPOSE__NAMES(FL_INTERPOSE__SET)
#undef FL_INTERPOSE__SET
}

/* Until the constructor below runs, every entry is its slow half (which
 * resolves the C library): a constructor of another library may call us
 * first. */
fl_real_table fl_interpose__d = {
#define FL_INTERPOSE__INIT(n) .n = fl_interpose__s_##n,
    FL_INTERPOSE__NAMES(FL_INTERPOSE__INIT)
#undef FL_INTERPOSE__INIT
};

__attribute__((constructor(102))) static void fl_interpose__init(void)
{
    fl_interpose__switch(false);
    fl_sched_live_hook(fl_interpose__switch);
}

#endif /* FL_INTERPOSE__EXPORT */
