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
    int c11;                   /* thrd_create: int (*)(void *) start routine */
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

#endif
