/*
 * interpose_int.h — private to the interposer: the side table of program
 * objects and the controlled implementations behind the exported names.
 *
 * Every function here runs on a controlled thread (fl_sched_controlled()),
 * so it holds the baton: between two scheduling points nothing else runs
 * program code, and plain reads and writes of the records are atomic with
 * respect to the program. State changes are therefore made between points;
 * a point (fl_sched_point, fl_sched_wait_on, fl_sched_wake) may let any
 * other thread run, so code re-reads a record's state after each one.
 *
 * Blocking: each record has a futex word, bumped on every change a waiter
 * may wait for (unlock, post, signal, arrival). A waiter reads the word,
 * checks its condition, and waits on that value; a change made while it
 * was between the check and the wait makes the wait return at once.
 */
#ifndef FL_INTERPOSE_INT_H
#define FL_INTERPOSE_INT_H

#include "interpose/fl_interpose.h"
#include "real/fl_real.h"
#include "sched/fl_sched.h"
#include "sv_plat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef enum fl_interpose__kind {
    FL_INTERPOSE__MUTEX = 1,
    FL_INTERPOSE__COND,
    FL_INTERPOSE__RWLOCK,
    FL_INTERPOSE__BARRIER,
    FL_INTERPOSE__SEM,
    FL_INTERPOSE__ONCE,
    FL_INTERPOSE__SPIN,
    FL_INTERPOSE__THREAD,
    FL_INTERPOSE__PTID,        /* pthread_t -> its thread record (arg) */
} fl_interpose__kind;

/* Mutex types (as PTHREAD_MUTEX_*, ADAPTIVE folded into NORMAL). */
enum { FL_INTERPOSE__NORMAL = 0, FL_INTERPOSE__RECURSIVE = 1, FL_INTERPOSE__ERRORCHECK = 2 };

typedef struct fl_interpose__obj {
    const void *addr;
    fl_interpose__kind kind;
    int id;                    /* number within its kind in this run */
    _Atomic uint32_t word;     /* bumped on every change waiters wait for */
    int owner;                 /* mutex, spin, rwlock writer: thread id or -1 */
    int count;                 /* mutex: recursion depth; rwlock: readers */
    int type;                  /* mutex type */
    int last_reader;           /* rwlock: a reader, for reports */
    clockid_t clock;           /* cond: clock of timedwait's absolute time */
    unsigned value;            /* sem: value; barrier: parties */
    unsigned arrived;          /* barrier */
    uint32_t round;            /* barrier: completed rounds */
    int state;                 /* once: 0 none, 1 running, 2 done */
    /* thread */
    void *(*fn)(void *);
    void *arg;
    void *ret;
    void *handle;              /* sv_thread * */
    unsigned long pt;          /* pthread_t */
    bool detached;
    int (*c11fn)(void *);      /* thrd_create's start routine (fn is NULL then) */
} fl_interpose__obj;

/* Counters (interpose_table.c). */
extern fl_interpose_stats fl_interpose__stats;

/* Find or create the record for addr (kind must match a live record's;
 * a record of another kind at the same address is replaced, as the program
 * reused the memory). *fresh tells a new record. Aborts on OOM. */
fl_interpose__obj *fl_interpose__get(const void *addr, fl_interpose__kind kind, bool *fresh);
/* The record of addr if there is one of that kind, else NULL. */
fl_interpose__obj *fl_interpose__find(const void *addr, fl_interpose__kind kind);
/* Forget addr's record (destroy). */
void fl_interpose__drop(const void *addr);
/* A thread record by pthread_t value. */
fl_interpose__obj *fl_interpose__thread_by_pt(unsigned long pt);

/* Time. Virtual deadline (ns, the run's clock) for an absolute time of
 * clock clk; SV_FOREVER for NULL. */
int64_t fl_interpose__deadline(clockid_t clk, const struct timespec *abstime);
/* The virtual clock as clock clk reads it. */
struct timespec fl_interpose__now(clockid_t clk);

/* The calling controlled thread's id. */
static inline int fl_interpose__me(void) { return fl_sched_current(); }

/* Block until the record's word moves from w (or deadline). */
int fl_interpose__wait(fl_interpose__obj *o, uint32_t w, int64_t deadline, const char *kind, int holder);
/* Bump the word and wake up to n waiters (n < 0: all). A scheduling point. */
void fl_interpose__notify(fl_interpose__obj *o, int n);

/* ---- the controlled implementations (return pthread-style codes) ---- */
int fl_interpose__mutex_init(void *m, int type);
int fl_interpose__mutex_destroy(void *m);
int fl_interpose__mutex_lock(void *m, int64_t deadline, bool try);
int fl_interpose__mutex_unlock(void *m);
int fl_interpose__cond_init(void *c, clockid_t clk);
int fl_interpose__cond_destroy(void *c);
int fl_interpose__cond_wait(void *c, void *m, clockid_t clk, const struct timespec *abstime);
int fl_interpose__cond_signal(void *c, bool all);
int fl_interpose__rw_init(void *rw);
int fl_interpose__rw_destroy(void *rw);
int fl_interpose__rw_lock(void *rw, bool write, int64_t deadline, bool try);
int fl_interpose__rw_unlock(void *rw);
int fl_interpose__barrier_init(void *b, unsigned count);
int fl_interpose__barrier_destroy(void *b);
int fl_interpose__barrier_wait(void *b);
int fl_interpose__sem_init(void *s, unsigned value);
int fl_interpose__sem_destroy(void *s);
int fl_interpose__sem_wait(void *s, int64_t deadline, bool try);
int fl_interpose__sem_post(void *s);
int fl_interpose__sem_value(void *s, int *out);
int fl_interpose__spin_lock(void *s, bool try);
int fl_interpose__spin_unlock(void *s);
int fl_interpose__once(void *once, void (*init)(void));
int fl_interpose__create(unsigned long *pt, bool detached, void *(*fn)(void *), void *arg, int (*c11fn)(void *));
int fl_interpose__join(unsigned long pt, void **ret);
int fl_interpose__detach(unsigned long pt);
_Noreturn void fl_interpose__exit(void *ret);
void fl_interpose__sleep_until(int64_t deadline);
void fl_interpose__sleep_ns(int64_t ns);
void fl_interpose__yield(void);

/* The mutex type a statically initialised pthread_mutex_t carries. */
int fl_interpose__static_type(const void *m);

/* ---- the exported wrappers (interpose_wrap*.c; not under ASan/TSan) ---- */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FL_INTERPOSE__EXPORT 0
#else
#define FL_INTERPOSE__EXPORT 1
#endif

/* Each wrapper is two functions. The exported one jumps through the
 * dispatch table fl_interpose__d: while no controlled run is live its
 * entries are the C library's functions, so a call costs what a call
 * through the PLT costs (one load, one indirect jump). While a run is live
 * (fl_sched_live_hook), the entries are the slow halves (fl_interpose__s_*),
 * which pass through too unless the caller is a controlled thread. */
extern fl_real_table fl_interpose__d __attribute__((visibility("hidden"))); /* one rip-relative jump */
#define FL_INTERPOSE__D(name) __atomic_load_n(&fl_interpose__d.name, __ATOMIC_RELAXED)

/* The slow half of the test (interpose_wrap.c): a run is live, or the table
 * is not set yet. Resolves the C library first if a constructor of another
 * library calls us before ours ran. True when the caller is a controlled
 * thread. */
bool fl_interpose__slow(void);

/* In a slow half: pass to the C library unless the caller is controlled. */
#define FL_INTERPOSE__PASS(name, ...)                                                               \
    do {                                                                                           \
        if (!fl_interpose__slow()) return fl_real.name(__VA_ARGS__);                               \
    } while (0)

/* sem_* and sleeping calls answer -1 and errno. */
int fl_interpose__errno(int e);

/* Every wrapped name; each has a slow half fl_interpose__s_NAME of the C
 * library function's type. */
#define FL_INTERPOSE__NAMES(X) \
    X(pthread_create) \
    X(pthread_join) \
    X(pthread_detach) \
    X(pthread_exit) \
    X(pthread_once) \
    X(pthread_mutex_init) \
    X(pthread_mutex_destroy) \
    X(pthread_mutex_lock) \
    X(pthread_mutex_trylock) \
    X(pthread_mutex_timedlock) \
    X(pthread_mutex_unlock) \
    X(pthread_cond_init) \
    X(pthread_cond_destroy) \
    X(pthread_cond_wait) \
    X(pthread_cond_timedwait) \
    X(pthread_cond_clockwait) \
    X(pthread_cond_signal) \
    X(pthread_cond_broadcast) \
    X(pthread_rwlock_init) \
    X(pthread_rwlock_destroy) \
    X(pthread_rwlock_rdlock) \
    X(pthread_rwlock_tryrdlock) \
    X(pthread_rwlock_timedrdlock) \
    X(pthread_rwlock_wrlock) \
    X(pthread_rwlock_trywrlock) \
    X(pthread_rwlock_timedwrlock) \
    X(pthread_rwlock_unlock) \
    X(pthread_barrier_init) \
    X(pthread_barrier_destroy) \
    X(pthread_barrier_wait) \
    X(pthread_spin_init) \
    X(pthread_spin_destroy) \
    X(pthread_spin_lock) \
    X(pthread_spin_trylock) \
    X(pthread_spin_unlock) \
    X(sem_init) \
    X(sem_destroy) \
    X(sem_wait) \
    X(sem_trywait) \
    X(sem_timedwait) \
    X(sem_post) \
    X(sem_getvalue) \
    X(sched_yield) \
    X(sleep) \
    X(usleep) \
    X(nanosleep) \
    X(clock_nanosleep) \
    X(clock_gettime) \
    X(gettimeofday) \
    X(time) \

#define FL_INTERPOSE__DECL(n) __typeof__(*((fl_real_table *)0)->n) fl_interpose__s_##n;
FL_INTERPOSE__NAMES(FL_INTERPOSE__DECL)
#undef FL_INTERPOSE__DECL

#endif
