/*
 * real.c — resolving the C library's own functions (see fl_real.h).
 */
#include "real/fl_real.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

fl_real_table fl_real;

_Noreturn void fl_real_thread_exit(void *ret)
{
    if (!fl_real.pthread_exit) fl_real_init();
    fl_real.pthread_exit(ret);
    __builtin_unreachable();
}

static void *fl_real__sym(void *libc, const char *name)
{
    void *p = dlsym(libc, name);
    if (!p) {
        /* write(2): stdio may itself be unusable this early */
        static const char pre[] = "faultline: cannot resolve the C library's ";
        (void)!write(2, pre, sizeof pre - 1);
        (void)!write(2, name, strlen(name));
        (void)!write(2, "\n", 1);
        abort();
    }
    return p;
}

#define FL_REAL__GET(field) *(void **)(&fl_real.field) = fl_real__sym(libc, #field)

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
/* Under ASan and TSan nothing of ours interposes these names (the wrappers
 * are compiled out), and the sanitizer runtimes must see every thread,
 * lock and wait: the table holds the names as linked, which are the
 * runtimes' interceptors. Going around them to the C library would hide
 * threads from the sanitizer and break it. */
__attribute__((constructor(101))) void fl_real_init(void)
{
#define FL_REAL__SAME(field) fl_real.field = field;
    FL_REAL__SAME(pthread_create) FL_REAL__SAME(pthread_join) FL_REAL__SAME(pthread_detach)
    FL_REAL__SAME(pthread_exit) FL_REAL__SAME(pthread_once) FL_REAL__SAME(pthread_mutex_init)
    FL_REAL__SAME(pthread_mutex_destroy) FL_REAL__SAME(pthread_mutex_trylock) FL_REAL__SAME(pthread_mutex_timedlock)
    FL_REAL__SAME(pthread_mutex_unlock) FL_REAL__SAME(pthread_cond_init) FL_REAL__SAME(pthread_cond_destroy)
    FL_REAL__SAME(pthread_cond_wait) FL_REAL__SAME(pthread_cond_timedwait) FL_REAL__SAME(pthread_cond_clockwait)
    FL_REAL__SAME(pthread_cond_signal) FL_REAL__SAME(pthread_cond_broadcast) FL_REAL__SAME(pthread_rwlock_init)
    FL_REAL__SAME(pthread_rwlock_destroy) FL_REAL__SAME(pthread_rwlock_rdlock) FL_REAL__SAME(pthread_rwlock_tryrdlock)
    FL_REAL__SAME(pthread_rwlock_timedrdlock) FL_REAL__SAME(pthread_rwlock_wrlock) FL_REAL__SAME(pthread_rwlock_trywrlock)
    FL_REAL__SAME(pthread_rwlock_timedwrlock) FL_REAL__SAME(pthread_rwlock_unlock) FL_REAL__SAME(pthread_barrier_init)
    FL_REAL__SAME(pthread_barrier_destroy) FL_REAL__SAME(pthread_barrier_wait) FL_REAL__SAME(pthread_spin_init)
    FL_REAL__SAME(pthread_spin_destroy) FL_REAL__SAME(pthread_spin_lock) FL_REAL__SAME(pthread_spin_trylock)
    FL_REAL__SAME(pthread_spin_unlock) FL_REAL__SAME(sem_init) FL_REAL__SAME(sem_destroy) FL_REAL__SAME(sem_wait)
    FL_REAL__SAME(sem_trywait) FL_REAL__SAME(sem_timedwait) FL_REAL__SAME(sem_post) FL_REAL__SAME(sem_getvalue)
    FL_REAL__SAME(sched_yield) FL_REAL__SAME(sleep) FL_REAL__SAME(usleep) FL_REAL__SAME(nanosleep)
    FL_REAL__SAME(clock_nanosleep) FL_REAL__SAME(clock_gettime) FL_REAL__SAME(time)
    FL_REAL__SAME(thrd_create) FL_REAL__SAME(thrd_join) FL_REAL__SAME(thrd_detach) FL_REAL__SAME(thrd_exit)
    FL_REAL__SAME(thrd_sleep) FL_REAL__SAME(thrd_yield) FL_REAL__SAME(mtx_init) FL_REAL__SAME(mtx_destroy)
    FL_REAL__SAME(mtx_timedlock) FL_REAL__SAME(mtx_trylock) FL_REAL__SAME(mtx_unlock) FL_REAL__SAME(cnd_init)
    FL_REAL__SAME(cnd_destroy) FL_REAL__SAME(cnd_signal) FL_REAL__SAME(cnd_broadcast) FL_REAL__SAME(cnd_wait)
    FL_REAL__SAME(cnd_timedwait) FL_REAL__SAME(call_once) FL_REAL__SAME(mtx_lock)
    fl_real.gettimeofday = (int (*)(struct timeval *, void *))gettimeofday;
    (void)fl_real__sym;
    FL_REAL__SAME(pthread_mutex_lock) /* last: it is the "resolved" flag */
#undef FL_REAL__SAME
}
#else
__attribute__((constructor(101))) void fl_real_init(void)
{
    if (fl_real.pthread_mutex_lock) return;
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    if (!libc) libc = RTLD_NEXT; /* a static C library: nothing interposes it */
    FL_REAL__GET(pthread_create);
    FL_REAL__GET(pthread_join);
    FL_REAL__GET(pthread_detach);
    FL_REAL__GET(pthread_exit);
    FL_REAL__GET(pthread_once);
    FL_REAL__GET(pthread_mutex_init);
    FL_REAL__GET(pthread_mutex_destroy);
    FL_REAL__GET(pthread_mutex_trylock);
    FL_REAL__GET(pthread_mutex_timedlock);
    FL_REAL__GET(pthread_mutex_unlock);
    FL_REAL__GET(pthread_cond_init);
    FL_REAL__GET(pthread_cond_destroy);
    FL_REAL__GET(pthread_cond_wait);
    FL_REAL__GET(pthread_cond_timedwait);
    FL_REAL__GET(pthread_cond_clockwait);
    FL_REAL__GET(pthread_cond_signal);
    FL_REAL__GET(pthread_cond_broadcast);
    FL_REAL__GET(pthread_rwlock_init);
    FL_REAL__GET(pthread_rwlock_destroy);
    FL_REAL__GET(pthread_rwlock_rdlock);
    FL_REAL__GET(pthread_rwlock_tryrdlock);
    FL_REAL__GET(pthread_rwlock_timedrdlock);
    FL_REAL__GET(pthread_rwlock_wrlock);
    FL_REAL__GET(pthread_rwlock_trywrlock);
    FL_REAL__GET(pthread_rwlock_timedwrlock);
    FL_REAL__GET(pthread_rwlock_unlock);
    FL_REAL__GET(pthread_barrier_init);
    FL_REAL__GET(pthread_barrier_destroy);
    FL_REAL__GET(pthread_barrier_wait);
    FL_REAL__GET(pthread_spin_init);
    FL_REAL__GET(pthread_spin_destroy);
    FL_REAL__GET(pthread_spin_lock);
    FL_REAL__GET(pthread_spin_trylock);
    FL_REAL__GET(pthread_spin_unlock);
    FL_REAL__GET(sem_init);
    FL_REAL__GET(sem_destroy);
    FL_REAL__GET(sem_wait);
    FL_REAL__GET(sem_trywait);
    FL_REAL__GET(sem_timedwait);
    FL_REAL__GET(sem_post);
    FL_REAL__GET(sem_getvalue);
    FL_REAL__GET(sched_yield);
    FL_REAL__GET(sleep);
    FL_REAL__GET(usleep);
    FL_REAL__GET(nanosleep);
    FL_REAL__GET(clock_nanosleep);
    FL_REAL__GET(clock_gettime);
    FL_REAL__GET(gettimeofday);
    FL_REAL__GET(time);
    FL_REAL__GET(thrd_create);
    FL_REAL__GET(thrd_join);
    FL_REAL__GET(thrd_detach);
    FL_REAL__GET(thrd_exit);
    FL_REAL__GET(thrd_sleep);
    FL_REAL__GET(thrd_yield);
    FL_REAL__GET(mtx_init);
    FL_REAL__GET(mtx_destroy);
    FL_REAL__GET(mtx_lock);
    FL_REAL__GET(mtx_timedlock);
    FL_REAL__GET(mtx_trylock);
    FL_REAL__GET(mtx_unlock);
    FL_REAL__GET(cnd_init);
    FL_REAL__GET(cnd_destroy);
    FL_REAL__GET(cnd_signal);
    FL_REAL__GET(cnd_broadcast);
    FL_REAL__GET(cnd_wait);
    FL_REAL__GET(cnd_timedwait);
    FL_REAL__GET(call_once);
    /* last: it is the "resolved" flag */
    FL_REAL__GET(pthread_mutex_lock);
}
#endif
