/*
 * fl_real.h — the C library's own threading, timing and sleeping functions,
 * reached past any interposition (prefix fl_real_).
 *
 * The interpose module defines pthread_mutex_lock and friends in the
 * faultline library, so inside a faultline binary (or a program running
 * under `faultline exec`) a plain call to pthread_mutex_lock lands in the
 * controlled platform. Code of the harness that must never become a
 * scheduling point — the controlled scheduler's own baton and run lock, the
 * failpoint registry's lock — calls these instead. Each pointer is resolved
 * from the C library itself (dlopen of libc.so.6 with RTLD_NOLOAD, then
 * dlsym on that handle), never with RTLD_NEXT, so the answer does not depend
 * on where the interposer sits in the lookup order.
 *
 * Resolution happens once, in a constructor, before main and before any
 * thread exists; fl_real_init() is also safe to call again (idempotent).
 * Failure to resolve a symbol aborts with a message: the process cannot
 * work without its C library.
 */
#ifndef FL_REAL_H
#define FL_REAL_H

/* The table names POSIX types (spinlocks, barriers) and usleep's
 * useconds_t. The harness is compiled with _GNU_SOURCE; a strict-C
 * translation unit that includes this header first gets the C library's
 * default set (_DEFAULT_SOURCE: POSIX 2008 plus usleep). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif

#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include <sys/time.h>
#include <threads.h>

typedef struct fl_real_table {
    int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    int (*pthread_join)(pthread_t, void **);
    int (*pthread_detach)(pthread_t);
    void (*pthread_exit)(void *); /* does not return (no attribute: the interposer stores its own here) */
    int (*pthread_once)(pthread_once_t *, void (*)(void));

    int (*pthread_mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
    int (*pthread_mutex_destroy)(pthread_mutex_t *);
    int (*pthread_mutex_lock)(pthread_mutex_t *);
    int (*pthread_mutex_trylock)(pthread_mutex_t *);
    int (*pthread_mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
    int (*pthread_mutex_unlock)(pthread_mutex_t *);

    int (*pthread_cond_init)(pthread_cond_t *, const pthread_condattr_t *);
    int (*pthread_cond_destroy)(pthread_cond_t *);
    int (*pthread_cond_wait)(pthread_cond_t *, pthread_mutex_t *);
    int (*pthread_cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
    int (*pthread_cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
    int (*pthread_cond_signal)(pthread_cond_t *);
    int (*pthread_cond_broadcast)(pthread_cond_t *);

    int (*pthread_rwlock_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
    int (*pthread_rwlock_destroy)(pthread_rwlock_t *);
    int (*pthread_rwlock_rdlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_tryrdlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
    int (*pthread_rwlock_wrlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_trywrlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
    int (*pthread_rwlock_unlock)(pthread_rwlock_t *);

    int (*pthread_barrier_init)(pthread_barrier_t *, const pthread_barrierattr_t *, unsigned);
    int (*pthread_barrier_destroy)(pthread_barrier_t *);
    int (*pthread_barrier_wait)(pthread_barrier_t *);

    int (*pthread_spin_init)(pthread_spinlock_t *, int);
    int (*pthread_spin_destroy)(pthread_spinlock_t *);
    int (*pthread_spin_lock)(pthread_spinlock_t *);
    int (*pthread_spin_trylock)(pthread_spinlock_t *);
    int (*pthread_spin_unlock)(pthread_spinlock_t *);

    int (*sem_init)(sem_t *, int, unsigned);
    int (*sem_destroy)(sem_t *);
    int (*sem_wait)(sem_t *);
    int (*sem_trywait)(sem_t *);
    int (*sem_timedwait)(sem_t *, const struct timespec *);
    int (*sem_post)(sem_t *);
    int (*sem_getvalue)(sem_t *, int *);

    int (*sched_yield)(void);
    unsigned (*sleep)(unsigned);
    int (*usleep)(unsigned int); /* useconds_t, which strict C hides */
    int (*nanosleep)(const struct timespec *, struct timespec *);
    int (*clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);
    int (*clock_gettime)(clockid_t, struct timespec *);
    int (*gettimeofday)(struct timeval *, void *);
    time_t (*time)(time_t *);

    int (*thrd_create)(thrd_t *, thrd_start_t, void *);
    int (*thrd_join)(thrd_t, int *);
    int (*thrd_detach)(thrd_t);
    void (*thrd_exit)(int);      /* does not return */
    int (*thrd_sleep)(const struct timespec *, struct timespec *);
    void (*thrd_yield)(void);
    int (*mtx_init)(mtx_t *, int);
    void (*mtx_destroy)(mtx_t *);
    int (*mtx_lock)(mtx_t *);
    int (*mtx_timedlock)(mtx_t *__restrict, const struct timespec *__restrict);
    int (*mtx_trylock)(mtx_t *);
    int (*mtx_unlock)(mtx_t *);
    int (*cnd_init)(cnd_t *);
    void (*cnd_destroy)(cnd_t *);
    int (*cnd_signal)(cnd_t *);
    int (*cnd_broadcast)(cnd_t *);
    int (*cnd_wait)(cnd_t *, mtx_t *);
    int (*cnd_timedwait)(cnd_t *__restrict, mtx_t *__restrict, const struct timespec *__restrict);
    void (*call_once)(once_flag *, void (*)(void));
} fl_real_table;

/* The table; every entry is non-NULL once fl_real_init has run (it runs
 * as a constructor). Read-only after that. */
extern fl_real_table fl_real;

/* The C library's pthread_exit, declared so that callers know it does not
 * return (sanitizers unpoison the stack before such a call; a call through
 * the table's pointer would not tell them). */
_Noreturn void fl_real_thread_exit(void *ret);

/* Resolve the table (idempotent, not thread-safe before main; aborts when
 * the C library lacks a symbol). */
void fl_real_init(void);

#endif
