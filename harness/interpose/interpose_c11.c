/*
 * interpose_c11.c — C11 <threads.h> through the same controlled table.
 *
 * glibc's thrd_*, mtx_*, cnd_* and call_once call its pthread internals
 * directly, not through the exported pthread names, so they are wrapped on
 * their own. thrd_t is a pthread_t, mtx_t a pthread_mutex_t, cnd_t a
 * pthread_cond_t and once_flag a pthread_once_t in glibc; tss_* passes
 * through like pthread keys.
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <threads.h>

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

#define FL_INTERPOSE__C11(name, ...)                                                                \
    do {                                                                                           \
        if (__builtin_expect(atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0, 1) ||  \
            !fl_sched_controlled()) {                                                              \
            if (__builtin_expect(fl_real.pthread_mutex_lock == NULL, 0)) fl_real_init();          \
            return fl_real.name(__VA_ARGS__);                                                      \
        }                                                                                          \
        fl_interpose__stats.calls++;                                                               \
    } while (0)

static int fl_interpose__thrd(int rc)
{
    switch (rc) {
    case 0: return thrd_success;
    case EBUSY: return thrd_busy;
    case ETIMEDOUT: return thrd_timedout;
    case ENOMEM: return thrd_nomem;
    default: return thrd_error;
    }
}

int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg)
{
    FL_INTERPOSE__C11(thrd_create, thr, fn, arg);
    unsigned long id;
    int rc = fl_interpose__create(&id, false, NULL, arg, fn);
    if (rc == 0) *thr = (thrd_t)id;
    return rc == 0 ? thrd_success : rc == ENOMEM ? thrd_nomem : thrd_error;
}

int thrd_join(thrd_t thr, int *res)
{
    FL_INTERPOSE__C11(thrd_join, thr, res);
    void *ret;
    int rc = fl_interpose__join((unsigned long)thr, &ret);
    if (rc == 0 && res) *res = (int)(intptr_t)ret;
    return rc == 0 ? thrd_success : thrd_error;
}

int thrd_detach(thrd_t thr)
{
    FL_INTERPOSE__C11(thrd_detach, thr);
    return fl_interpose__detach((unsigned long)thr) == 0 ? thrd_success : thrd_error;
}

void thrd_exit(int res)
{
    if (atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 || !fl_sched_controlled()) {
        if (!fl_real.thrd_exit) fl_real_init();
        fl_real.thrd_exit(res);
        __builtin_unreachable();
    }
    fl_interpose__exit((void *)(intptr_t)res);
}

int thrd_sleep(const struct timespec *d, struct timespec *rem)
{
    FL_INTERPOSE__C11(thrd_sleep, d, rem);
    if (!d || d->tv_nsec < 0 || d->tv_nsec >= 1000000000L || d->tv_sec < 0) return -2;
    fl_interpose__sleep_ns((int64_t)d->tv_sec * 1000000000LL + d->tv_nsec);
    if (rem) *rem = (struct timespec){ 0, 0 };
    return 0;
}

void thrd_yield(void)
{
    if (atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 || !fl_sched_controlled()) {
        if (!fl_real.thrd_yield) fl_real_init();
        fl_real.thrd_yield();
        return;
    }
    fl_interpose__yield();
}

int mtx_init(mtx_t *m, int type)
{
    FL_INTERPOSE__C11(mtx_init, m, type);
    fl_real.mtx_init(m, type);
    return fl_interpose__thrd(fl_interpose__mutex_init(m, (type & mtx_recursive) ? FL_INTERPOSE__RECURSIVE
                                                                                   : FL_INTERPOSE__NORMAL));
}

void mtx_destroy(mtx_t *m)
{
    if (atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 || !fl_sched_controlled()) {
        if (!fl_real.mtx_destroy) fl_real_init();
        fl_real.mtx_destroy(m);
        return;
    }
    fl_interpose__mutex_destroy(m);
}

int mtx_lock(mtx_t *m)
{
    FL_INTERPOSE__C11(mtx_lock, m);
    return fl_interpose__thrd(fl_interpose__mutex_lock(m, SV_FOREVER, false));
}

int mtx_timedlock(mtx_t *__restrict m, const struct timespec *__restrict abstime)
{
    FL_INTERPOSE__C11(mtx_timedlock, m, abstime);
    return fl_interpose__thrd(fl_interpose__mutex_lock(m, fl_interpose__deadline(CLOCK_REALTIME, abstime), false));
}

int mtx_trylock(mtx_t *m)
{
    FL_INTERPOSE__C11(mtx_trylock, m);
    return fl_interpose__thrd(fl_interpose__mutex_lock(m, SV_FOREVER, true));
}

int mtx_unlock(mtx_t *m)
{
    FL_INTERPOSE__C11(mtx_unlock, m);
    return fl_interpose__thrd(fl_interpose__mutex_unlock(m));
}

int cnd_init(cnd_t *c)
{
    FL_INTERPOSE__C11(cnd_init, c);
    fl_real.cnd_init(c);
    return fl_interpose__thrd(fl_interpose__cond_init(c, CLOCK_REALTIME));
}

void cnd_destroy(cnd_t *c)
{
    if (atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 || !fl_sched_controlled()) {
        if (!fl_real.cnd_destroy) fl_real_init();
        fl_real.cnd_destroy(c);
        return;
    }
    fl_interpose__cond_destroy(c);
}

int cnd_signal(cnd_t *c)
{
    FL_INTERPOSE__C11(cnd_signal, c);
    return fl_interpose__thrd(fl_interpose__cond_signal(c, false));
}

int cnd_broadcast(cnd_t *c)
{
    FL_INTERPOSE__C11(cnd_broadcast, c);
    return fl_interpose__thrd(fl_interpose__cond_signal(c, true));
}

int cnd_wait(cnd_t *c, mtx_t *m)
{
    FL_INTERPOSE__C11(cnd_wait, c, m);
    return fl_interpose__thrd(fl_interpose__cond_wait(c, m, CLOCK_REALTIME, NULL));
}

int cnd_timedwait(cnd_t *__restrict c, mtx_t *__restrict m, const struct timespec *__restrict abstime)
{
    FL_INTERPOSE__C11(cnd_timedwait, c, m, abstime);
    return fl_interpose__thrd(fl_interpose__cond_wait(c, m, CLOCK_REALTIME, abstime));
}

void call_once(once_flag *flag, void (*fn)(void))
{
    if (atomic_load_explicit(&fl_sched_live, memory_order_relaxed) == 0 || !fl_sched_controlled()) {
        if (!fl_real.call_once) fl_real_init();
        fl_real.call_once(flag, fn);
        return;
    }
    fl_interpose__once(flag, fn);
}

#endif
