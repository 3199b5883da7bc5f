/*
 * interpose_wrap_sync.c — the exported names, part two: rwlocks, barriers,
 * spinlocks, semaphores (the pattern is interpose_wrap.c's).
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>

#if FL_INTERPOSE__EXPORT

/* ---- rwlocks ------------------------------------------------------------------------------ */

int fl_interpose__s_pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    FL_INTERPOSE__PASS(pthread_rwlock_init, rw, attr);
    fl_real.pthread_rwlock_init(rw, attr);
    return fl_interpose__rw_init(rw);
}
int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    return FL_INTERPOSE__D(pthread_rwlock_init)(rw, attr);
}

int fl_interpose__s_pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_destroy, rw);
    int rc = fl_interpose__rw_destroy(rw);
    if (rc == 0) fl_real.pthread_rwlock_destroy(rw);
    return rc;
}
int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    return FL_INTERPOSE__D(pthread_rwlock_destroy)(rw);
}

int fl_interpose__s_pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_rdlock, rw);
    return fl_interpose__rw_lock(rw, false, SV_FOREVER, false);
}
int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    return FL_INTERPOSE__D(pthread_rwlock_rdlock)(rw);
}

int fl_interpose__s_pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_tryrdlock, rw);
    return fl_interpose__rw_lock(rw, false, SV_FOREVER, true);
}
int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    return FL_INTERPOSE__D(pthread_rwlock_tryrdlock)(rw);
}

int fl_interpose__s_pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_rwlock_timedrdlock, rw, abstime);
    return fl_interpose__rw_lock(rw, false, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}
int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    return FL_INTERPOSE__D(pthread_rwlock_timedrdlock)(rw, abstime);
}

int fl_interpose__s_pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_wrlock, rw);
    return fl_interpose__rw_lock(rw, true, SV_FOREVER, false);
}
int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    return FL_INTERPOSE__D(pthread_rwlock_wrlock)(rw);
}

int fl_interpose__s_pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_trywrlock, rw);
    return fl_interpose__rw_lock(rw, true, SV_FOREVER, true);
}
int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    return FL_INTERPOSE__D(pthread_rwlock_trywrlock)(rw);
}

int fl_interpose__s_pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(pthread_rwlock_timedwrlock, rw, abstime);
    return fl_interpose__rw_lock(rw, true, fl_interpose__deadline(CLOCK_REALTIME, abstime), false);
}
int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
    return FL_INTERPOSE__D(pthread_rwlock_timedwrlock)(rw, abstime);
}

int fl_interpose__s_pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    FL_INTERPOSE__PASS(pthread_rwlock_unlock, rw);
    return fl_interpose__rw_unlock(rw);
}
int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    return FL_INTERPOSE__D(pthread_rwlock_unlock)(rw);
}

/* ---- barriers, spinlocks ------------------------------------------------------------------- */

int fl_interpose__s_pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count)
{
    FL_INTERPOSE__PASS(pthread_barrier_init, b, attr, count);
    return fl_interpose__barrier_init(b, count);
}
int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count)
{
    return FL_INTERPOSE__D(pthread_barrier_init)(b, attr, count);
}

int fl_interpose__s_pthread_barrier_destroy(pthread_barrier_t *b)
{
    FL_INTERPOSE__PASS(pthread_barrier_destroy, b);
    return fl_interpose__barrier_destroy(b);
}
int pthread_barrier_destroy(pthread_barrier_t *b)
{
    return FL_INTERPOSE__D(pthread_barrier_destroy)(b);
}

int fl_interpose__s_pthread_barrier_wait(pthread_barrier_t *b)
{
    FL_INTERPOSE__PASS(pthread_barrier_wait, b);
    return fl_interpose__barrier_wait(b);
}
int pthread_barrier_wait(pthread_barrier_t *b)
{
    return FL_INTERPOSE__D(pthread_barrier_wait)(b);
}

int fl_interpose__s_pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    FL_INTERPOSE__PASS(pthread_spin_init, s, pshared);
    fl_real.pthread_spin_init(s, pshared);
    fl_interpose__drop((const void *)s);
    return 0;
}
int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    return FL_INTERPOSE__D(pthread_spin_init)(s, pshared);
}

int fl_interpose__s_pthread_spin_destroy(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_destroy, s);
    fl_interpose__drop((const void *)s);
    return 0;
}
int pthread_spin_destroy(pthread_spinlock_t *s)
{
    return FL_INTERPOSE__D(pthread_spin_destroy)(s);
}

int fl_interpose__s_pthread_spin_lock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_lock, s);
    return fl_interpose__spin_lock((void *)s, false);
}
int pthread_spin_lock(pthread_spinlock_t *s)
{
    return FL_INTERPOSE__D(pthread_spin_lock)(s);
}

int fl_interpose__s_pthread_spin_trylock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_trylock, s);
    return fl_interpose__spin_lock((void *)s, true);
}
int pthread_spin_trylock(pthread_spinlock_t *s)
{
    return FL_INTERPOSE__D(pthread_spin_trylock)(s);
}

int fl_interpose__s_pthread_spin_unlock(pthread_spinlock_t *s)
{
    FL_INTERPOSE__PASS(pthread_spin_unlock, s);
    return fl_interpose__spin_unlock((void *)s);
}
int pthread_spin_unlock(pthread_spinlock_t *s)
{
    return FL_INTERPOSE__D(pthread_spin_unlock)(s);
}

/* ---- semaphores ------------------------------------------------------------------------------- */

int fl_interpose__s_sem_init(sem_t *s, int pshared, unsigned value)
{
    FL_INTERPOSE__PASS(sem_init, s, pshared, value);
    fl_real.sem_init(s, pshared, value);
    return fl_interpose__errno(fl_interpose__sem_init(s, value));
}
int sem_init(sem_t *s, int pshared, unsigned value)
{
    return FL_INTERPOSE__D(sem_init)(s, pshared, value);
}

int fl_interpose__s_sem_destroy(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_destroy, s);
    fl_interpose__sem_destroy(s);
    return fl_real.sem_destroy(s);
}
int sem_destroy(sem_t *s)
{
    return FL_INTERPOSE__D(sem_destroy)(s);
}

int fl_interpose__s_sem_wait(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_wait, s);
    return fl_interpose__errno(fl_interpose__sem_wait(s, SV_FOREVER, false));
}
int sem_wait(sem_t *s)
{
    return FL_INTERPOSE__D(sem_wait)(s);
}

int fl_interpose__s_sem_trywait(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_trywait, s);
    return fl_interpose__errno(fl_interpose__sem_wait(s, SV_FOREVER, true));
}
int sem_trywait(sem_t *s)
{
    return FL_INTERPOSE__D(sem_trywait)(s);
}

int fl_interpose__s_sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    FL_INTERPOSE__PASS(sem_timedwait, s, abstime);
    return fl_interpose__errno(fl_interpose__sem_wait(s, fl_interpose__deadline(CLOCK_REALTIME, abstime), false));
}
int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    return FL_INTERPOSE__D(sem_timedwait)(s, abstime);
}

int fl_interpose__s_sem_post(sem_t *s)
{
    FL_INTERPOSE__PASS(sem_post, s);
    return fl_interpose__errno(fl_interpose__sem_post(s));
}
int sem_post(sem_t *s)
{
    return FL_INTERPOSE__D(sem_post)(s);
}

int fl_interpose__s_sem_getvalue(sem_t *s, int *v)
{
    FL_INTERPOSE__PASS(sem_getvalue, s, v);
    return fl_interpose__errno(fl_interpose__sem_value(s, v));
}
int sem_getvalue(sem_t *s, int *v)
{
    return FL_INTERPOSE__D(sem_getvalue)(s, v);
}

#endif /* FL_INTERPOSE__EXPORT */
