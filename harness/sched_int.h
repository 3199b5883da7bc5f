/*
 * sched_int.h — private to the controlled platform (harness/sched_*.c) and to
 * shrink.c / explore.c, which drive it through fl__sched_run_ex.
 *
 * Locking: one pthread mutex, fl__run.mu, guards every field of the run and
 * of its threads, and the scheduler state stored inside sv_mutex/sv_cond
 * storage. The baton: only the thread whose id is fl__run.cur runs program
 * code; every other controlled thread sleeps in its own slot (fl__thr.sm/sc/
 * go, a binary semaphore made of a mutex and a condition variable) until cur
 * names it or it is killed. A hand-off sets cur under mu, releases mu, then
 * posts the next thread's slot, so the woken thread never finds mu taken.
 * Everything is mutex + condition variable so that ThreadSanitizer sees each
 * hand-off as a happens-before edge. Lock order: mu before a slot's sm (in
 * practice never nested). The allocation list has its own lock (amu, a leaf
 * lock: nothing is taken while holding it), because sv_alloc is not a
 * scheduling point and is also used by free-mode threads.
 */
#ifndef FL_SCHED_INT_H
#define FL_SCHED_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fl_sched.h"
#include "schedule.h"
#include "sv_plat.h"

/* ---- a growable string ---------------------------------------------------- */

typedef struct fl__str {
    char *p;
    size_t n, cap;
    bool oom;
} fl__str;

void fl__str_printf(fl__str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand over the text (NULL after an allocation failure or when empty and
 * keep_empty is false) and reset s. */
char *fl__str_take(fl__str *s);

/* Fatal misuse of the seam under the controlled platform: prints and aborts. */
_Noreturn void fl__fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A pthread call that cannot fail: on failure the process state is corrupt. */
#define FL__PT(call)                                                                           \
    do {                                                                                       \
        int fl__e = (call);                                                                    \
        if (fl__e != 0) fl__fatal("%s failed: error %d", #call, fl__e);                        \
    } while (0)

/* ---- threads ---------------------------------------------------------------- */

typedef enum fl__tstate { FL__T_RUNNABLE, FL__T_BLOCKED, FL__T_DONE } fl__tstate;
typedef enum fl__wait { FL__W_NONE, FL__W_MUTEX, FL__W_COND, FL__W_FUTEX, FL__W_JOIN, FL__W_SLEEP } fl__wait;

typedef struct fl__thr {
    int id;                 /* index in fl__run.thr; 0 = main */
    char name[48];
    pthread_t pt;
    bool started;           /* pt is a real thread the scheduler must join */
    bool reaped;            /* pt joined already */
    pthread_mutex_t sm;     /* the slot: go under sm, waited on with sc */
    pthread_cond_t sc;
    bool go;
    fl__tstate state;
    fl__wait wait;          /* what a BLOCKED thread waits for */
    const void *wobj;       /* sv_mutex / sv_cond storage, futex word, or fl__thr */
    int wmutex_id;          /* FL__W_COND: the mutex released by the wait */
    int64_t deadline;       /* SV_FOREVER: none */
    uint64_t wseq;          /* block order: wake-ups are FIFO */
    bool timedout;          /* the last block ended by its deadline */
    bool killed;            /* run over: leave at the next wake-up */
    bool detached, joined;  /* the program gave up / consumed the handle */
    void *(*fn)(void *);
    void *arg;
    uint32_t low_prio;      /* pct: 0 = high band, else lowered to this */
} fl__thr;

/* Scheduler state kept inside sv_mutex / sv_cond storage (both start with
 * magic, gen, id). gen must equal the run's: objects do not outlive a run. */
#define FL__MTX_MAGIC 0x6d74786cu /* "lxtm" */
#define FL__CND_MAGIC 0x646e636cu /* "lcnd" */
typedef struct fl__mtx { uint32_t magic, gen; int id, owner; } fl__mtx;
typedef struct fl__cnd { uint32_t magic, gen; int id; } fl__cnd;

/* ---- the run ------------------------------------------------------------------ */

/* Explore's window on each step (called with mu held, never for FREE). */
typedef struct fl__hook {
    void (*step)(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen,
                 bool followed);
    void *ud;
} fl__hook;

typedef struct fl__blk fl__blk;

typedef struct fl__run {
    pthread_mutex_t mu;
    pthread_cond_t host_cv;       /* fl_sched_run's thread waits here for `over` */
    uint32_t gen;                 /* run generation, stamped into sv_mutex/sv_cond */
    int cpu;                      /* CPU every controlled thread is pinned to; -1: none */

    /* strategy */
    fl_strategy strategy;         /* RANDOM, PCT, RR or REPLAY */
    uint64_t seed;
    uint32_t depth;
    uint64_t pct_k;
    uint64_t budget;
    uint64_t rng[4];              /* xoshiro256** */
    int *pct_high;                /* pct high band, highest priority first */
    int npct_high;
    uint64_t pct_change[64];      /* change-point steps; label = index + 1 */
    uint32_t npct_change;
    const fl_schedule *replay;    /* REPLAY input */
    bool replay_open;
    size_t rp_run;                /* replay cursor: run index, offset in it */
    uint64_t rp_off;
    char *diverge_msg;

    /* threads */
    fl__thr **thr;                /* by id */
    int nthr, cap;
    fl__thr **alive;              /* not DONE, ascending id */
    int nalive;
    int *scratch;                 /* runnable ids, capacity cap */
    fl__thr **zombies;            /* DONE + detached, real thread not joined */
    int nzombies;
    int cur;                      /* baton holder; -1: nobody */
    bool over;
    fl_sched_status status;
    char *report;

    /* time and counters */
    uint64_t steps, preempt;
    int64_t clock;
    bool main_done;
    uint64_t main_done_step;
    int64_t main_done_clock;
    uint64_t wseq;
    int next_mutex_id, next_cond_id;
    const void **futex_addr;      /* futex word -> id (index), for reports */
    int nfutex, futex_cap;

    /* recording */
    fl_schedule rec;
    bool rec_oom;
    bool tracing;
    fl__str trace;
    const char *op;               /* current step's operation, for the trace */
    char opobj[40];
    bool clock_moved;

    fl__hook hook;

    void (*main_fn)(void *);
    void *main_arg;
} fl__run;

/* The run in progress (NULL between runs) and the calling controlled thread. */
extern fl__run *fl__R;
extern _Thread_local fl__thr *fl__self;
extern _Thread_local int fl__free_id; /* free mode: thread id, -1 outside */

/* Core (sched_core.c). All with r->mu held. */
/* A scheduling point: returns with mu held when me goes on, or with mu
 * released when me is DONE (its last point, at exit). */
void fl__point(fl__run *r, fl__thr *me);
void fl__block(fl__run *r, fl__thr *me, fl__wait w, const void *obj, int64_t deadline);
void fl__unblock(fl__thr *t, bool timedout);
void fl__thread_done(fl__run *r, fl__thr *me);      /* exit bookkeeping + last point; releases mu */
int fl__thread_add(fl__run *r, void *(*fn)(void *), void *arg, const char *name, fl__thr **out);
void *fl__trampoline(void *p);
int fl__futex_id(fl__run *r, const void *addr);
void fl__describe(fl__run *r, const fl__thr *t, fl__str *out); /* "thread 1 \"a\": waits ..." */
/* End the run with st; why (NULL: no report) heads a report listing every
 * live thread (sched_report.c). */
void fl__end(fl__run *r, fl_sched_status st, const char *why);

/* Strategies (sched_strategy.c). With r->mu held. */
void fl__strat_init(fl__run *r);
void fl__strat_thread_new(fl__run *r, fl__thr *t);
void fl__strat_yield(fl__run *r, fl__thr *me);
/* Pick among ids[0..n-1] (ascending, n >= 1) for the step r->steps; me may
 * be blocked or done. Returns the chosen id, or -1 after recording a
 * divergence in r->diverge_msg. *followed: replay followed its record. */
int fl__strat_pick(fl__run *r, fl__thr *me, const int *ids, int n, bool *followed);
/* Replay bookkeeping: true when a strict replay has no recorded step left. */
bool fl__strat_replay_exhausted(const fl__run *r);
uint64_t fl__rng_next(uint64_t s[4]);
void fl__rng_seed(uint64_t s[4], uint64_t seed);
uint64_t fl__rng_below(uint64_t s[4], uint64_t n); /* uniform in [0, n), n >= 1 */

/* The controlled and free seam bindings (sched_ops.c, sched_free.c). */
extern const sv_plat_ops fl__plat_controlled;
int fl__free_run(const fl_sched_opts *o, void (*main_fn)(void *), void *arg, fl_sched_result *res);

/* Allocation tracking shared by both bindings (sched_alloc.c). */
void fl__alloc_begin(void);
void fl__alloc_end(size_t *live_allocs, size_t *live_bytes, bool release);
void *fl__alloc(size_t n);
void fl__free(void *p);

/* One run with a pre-parsed replay schedule and a step hook (explore uses
 * an open schedule as its DFS prefix). replay may be NULL unless
 * o->strategy == FL_STRAT_REPLAY; o->schedule is then ignored. */
int fl__sched_run_ex(const fl_sched_opts *o, const fl_schedule *replay, void (*main_fn)(void *),
                     void *arg, fl_sched_result *res, const fl__hook *hook);

/* Shrink's capture of canonical schedules: while set on a thread, every
 * REPLAY run of exactly `candidate` on that thread stores its result here. */
typedef struct fl__capture {
    const char *candidate;
    char *canonical;          /* malloc'd strict schedule of the last such run */
    uint64_t steps, preemptions;
    fl_sched_status status;
} fl__capture;
extern _Thread_local fl__capture *fl__shrink_capture;

#endif
