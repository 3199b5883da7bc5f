/*
 * sched_int.h — private to the controlled platform (the files of sched/).
 * Search drivers (explore/) reach it only through fl_sched.h's
 * fl_sched_run_ex, fl_sched_hook and fl_sched_capture_set.
 *
 * Locking: one pthread mutex, fl_sched__run.mu, guards every field of the run and
 * of its threads, and the scheduler state stored inside sv_mutex/sv_cond
 * storage. The baton: only the thread whose id is fl_sched__run.cur runs program
 * code; every other controlled thread sleeps in its own slot (fl_sched__thr.sm/sc/
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

#include "real/fl_real.h"
#include "sched/fl_sched.h"
#include "sv_plat.h"

/* ---- a growable string ---------------------------------------------------- */

typedef struct fl_sched__str {
    char *p;
    size_t n, cap;
    bool oom;
} fl_sched__str;

void fl_sched__str_printf(fl_sched__str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand over the text (NULL after an allocation failure or when empty and
 * keep_empty is false) and reset s. */
char *fl_sched__str_take(fl_sched__str *s);

/* Fatal misuse of the seam under the controlled platform: prints and aborts. */
_Noreturn void fl_sched__fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A pthread call that cannot fail: on failure the process state is corrupt. */
#define FL_SCHED__PT(call)                                                                           \
    do {                                                                                       \
        int fl_sched__e = (call);                                                                    \
        if (fl_sched__e != 0) fl_sched__fatal("%s failed: error %d", #call, fl_sched__e);                        \
    } while (0)

/* ---- threads ---------------------------------------------------------------- */

typedef enum fl_sched__tstate { FL_SCHED__T_RUNNABLE, FL_SCHED__T_BLOCKED, FL_SCHED__T_DONE } fl_sched__tstate;
typedef enum fl_sched__wait { FL_SCHED__W_NONE, FL_SCHED__W_MUTEX, FL_SCHED__W_COND, FL_SCHED__W_FUTEX, FL_SCHED__W_JOIN, FL_SCHED__W_SLEEP } fl_sched__wait;

typedef struct fl_sched__run fl_sched__run;

typedef struct fl_sched__thr {
    int id;                 /* index in fl_sched__run.thr; 0 = main */
    fl_sched__run *run;     /* the run it belongs to (outlives it when stalled) */
    fl_sched_waitfor note;  /* W_FUTEX from fl_sched_wait_on: what it waits for */
    char name[48];
    pthread_t pt;
    _Atomic int tid;        /* kernel thread id, set when it starts (0 before) */
    int64_t born, died;     /* virtual times of creation and end (died -1: alive) */
    bool started;           /* pt is a real thread the scheduler must join */
    bool reaped;            /* pt joined already */
    pthread_mutex_t sm;     /* the slot: go under sm, waited on with sc */
    pthread_cond_t sc;
    bool go;
    fl_sched__tstate state;
    fl_sched__wait wait;          /* what a BLOCKED thread waits for */
    const void *wobj;       /* sv_mutex / sv_cond storage, futex word, or fl_sched__thr */
    int wmutex_id;          /* FL_SCHED__W_COND: the mutex released by the wait */
    int64_t deadline;       /* SV_FOREVER: none */
    uint64_t wseq;          /* block order: wake-ups are FIFO */
    bool timedout;          /* the last block ended by its deadline */
    bool killed;            /* run over: leave at the next wake-up */
    bool detached, joined;  /* the program gave up / consumed the handle */
    void *(*fn)(void *);
    void *arg;
    uint64_t cls;           /* symmetry class (fl_sched_next_thread_class); 0: none */
    bool ran;               /* has been given the baton (chosen at a step) */
    uint32_t low_prio;      /* pct: 0 = high band, else lowered to this */
    uint64_t pos_prio;      /* pos: priority of its pending event (higher runs first) */
    fl_sched_footprint fp;  /* objects touched since it was last given the baton */
    uint64_t opk[3];        /* objects of the seam operation it is inside (kept
                               in fp across that operation's scheduling points) */
    int nopk;               /* 0 outside a seam operation */
    bool op_global;
} fl_sched__thr;

/* Scheduler state kept inside sv_mutex / sv_cond storage (both start with
 * magic, gen, id). gen must equal the run's: objects do not outlive a run. */
#define FL_SCHED__MTX_MAGIC 0x6d74786cu /* "lxtm" */
#define FL_SCHED__CND_MAGIC 0x646e636cu /* "lcnd" */
typedef struct fl_sched__mtx { uint32_t magic, gen; int id, owner; } fl_sched__mtx;
typedef struct fl_sched__cnd { uint32_t magic, gen; int id; } fl_sched__cnd;

/* ---- the run ------------------------------------------------------------------ */


typedef struct fl_sched__blk fl_sched__blk;

struct fl_sched__run {
    pthread_mutex_t mu;
    pthread_cond_t host_cv;       /* fl_sched_run's thread waits here for `over` */
    uint32_t gen;                 /* run generation, stamped into sv_mutex/sv_cond */
    int cpu;                      /* CPU every controlled thread is pinned to; -1: none */

    /* strategy */
    fl_sched_strategy strategy;         /* RANDOM, PCT, POS, RR or REPLAY */
    uint64_t seed;
    uint32_t depth;
    uint64_t pct_k;
    uint64_t budget;
    uint32_t light_ppm;           /* RANDOM at light points (fl_sched_opts.light_ppm) */
    bool light;                   /* the current step is a light point */
    uint64_t rng[4];              /* xoshiro256** */
    int *pct_high;                /* pct high band, highest priority first */
    int npct_high;
    uint64_t pct_change[64];      /* change-point steps; label = index + 1 */
    uint32_t npct_change;
    const fl_sched_schedule *replay;    /* REPLAY input */
    bool replay_open;
    size_t rp_run;                /* replay cursor: run index, offset in it */
    uint64_t rp_off;
    char *diverge_msg;

    /* threads */
    fl_sched__thr **thr;                /* by id */
    int nthr, cap;
    fl_sched__thr **alive;              /* not DONE, ascending id */
    int nalive;
    int *scratch;                 /* runnable ids, capacity cap */
    int *hook_ids;                /* symmetric: the hook's runnable ids, capacity cap */
    bool symmetric;               /* fl_sched_opts.symmetric */
    fl_sched__thr **zombies;            /* DONE + detached, real thread not joined */
    int nzombies;
    int cur;                      /* baton holder; -1: nobody */
    bool over;
    fl_sched_status status;
    char *report;

    /* time and counters */
    uint64_t steps, preempt;
    uint64_t choices;             /* steps with more than one runnable thread */
    int64_t clock;
    bool main_done;
    uint64_t main_done_step;
    int64_t main_done_clock;
    uint64_t wseq;
    int next_mutex_id, next_cond_id;
    const void **futex_addr;      /* futex word -> id (index), for reports */
    int nfutex, futex_cap;

    /* recording */
    fl_sched_schedule rec;
    bool rec_oom;
    bool tracing;
    fl_sched__str trace;
    const char *op;               /* current step's operation, for the trace */
    char opobj[40];
    bool clock_moved;

    fl_sched_hook hook;

    void (*main_fn)(void *);
    void *main_arg;

    /* watchdog (host thread): steps seen at the last tick, and when */
    uint32_t watchdog_ms;
    uint32_t timer_ppm;           /* early timers (fl_sched_opts.timer_ppm) */
    bool clock_free;              /* no early timer can fire in this run: the clock
                                     moves only at a point where no thread is
                                     runnable, so reading it or arming a deadline
                                     adds nothing to a footprint (fl_sched__touch_clock) */
    bool stalled;                 /* ended STALLED: the run is never freed */
};

/* The run in progress (NULL between runs) and the calling controlled thread. */
extern fl_sched__run *fl_sched__R;
extern _Thread_local fl_sched__thr *fl_sched__self;
extern _Thread_local int fl_sched__free_id; /* free mode: thread id, -1 outside */

/* Core (sched_core.c). All with r->mu held. */
/* A scheduling point: returns with mu held when me goes on, or with mu
 * released when me is DONE (its last point, at exit). */
void fl_sched__point(fl_sched__run *r, fl_sched__thr *me);
void fl_sched__block(fl_sched__run *r, fl_sched__thr *me, fl_sched__wait w, const void *obj, int64_t deadline);
void fl_sched__unblock(fl_sched__thr *t, bool timedout);
void fl_sched__thread_done(fl_sched__run *r, fl_sched__thr *me);      /* exit bookkeeping + last point; releases mu */
int fl_sched__thread_add(fl_sched__run *r, void *(*fn)(void *), void *arg, const char *name, fl_sched__thr **out);
void *fl_sched__trampoline(void *p);
int fl_sched__futex_id(fl_sched__run *r, const void *addr);
void fl_sched__describe(fl_sched__run *r, const fl_sched__thr *t, fl_sched__str *out); /* "thread 1 \"a\": waits ..." */
/* End the run with st; why (NULL: no report) heads a report listing every
 * live thread (sched_report.c). */
void fl_sched__end(fl_sched__run *r, fl_sched_status st, const char *why);

/* Entering and leaving a seam operation (sched_ops.c): enter locks the
 * caller's run (a thread of a run that is over exits there) and names the
 * operation for the trace. */
fl_sched__run *fl_sched__enter(fl_sched__thr **me, const char *op);
void fl_sched__leave(fl_sched__run *r);
/* The operation me is inside touches key (FL_SCHED_OBJ_KEY), or, with
 * key == 0, something without a stable identity (a global footprint). */
void fl_sched__touch(fl_sched__thr *me, uint64_t key);
/* The operation me is inside reads the virtual clock or arms a deadline
 * (now, sleep_until, a timed wait): nothing when r->clock_free, else a
 * global footprint (an early timer can move the clock at any step).
 * docs/scheduler.md, "Reduction", has the argument. */
void fl_sched__touch_clock(fl_sched__run *r, fl_sched__thr *me);
/* A new transition of me begins (it was just given the baton, or passed a
 * point): fp restarts with the objects of the operation it is inside. */
void fl_sched__fp_restart(fl_sched__thr *me);
/* The objects of the seam operation t is stopped inside — its pending
 * transition as far as it is known before it runs: the operation's keys, or
 * global. A thread that has not started has an empty one. */
void fl_sched__pending_fp(const fl_sched__thr *t, fl_sched_footprint *out);
/* Make every thread blocked on (w, obj) runnable / up to n of them, longest
 * waiting first; returns how many. With mu held. */
void fl_sched__wake_all(fl_sched__run *r, fl_sched__wait w, const void *obj);
int fl_sched__wake_n(fl_sched__run *r, fl_sched__wait w, const void *obj, int n);

/* The class the next thread the calling thread creates gets (sched_core.c). */
extern _Thread_local uint64_t fl_sched__next_cls;

/* Strategies (sched_strategy.c). With r->mu held. */
void fl_sched__strat_init(fl_sched__run *r);
void fl_sched__strat_thread_new(fl_sched__run *r, fl_sched__thr *t);
void fl_sched__strat_yield(fl_sched__run *r, fl_sched__thr *me);
/* Pick among ids[0..n-1] (ascending, n >= 1) for the step r->steps; me may
 * be blocked or done. Returns the chosen id, or -1 after recording a
 * divergence in r->diverge_msg. *followed: replay followed its record. */
int fl_sched__strat_pick(fl_sched__run *r, fl_sched__thr *me, const int *ids, int n, bool *followed);
/* Replay bookkeeping: true when a strict replay has no recorded step left. */
bool fl_sched__strat_replay_exhausted(const fl_sched__run *r);
uint64_t fl_sched__rng_next(uint64_t s[4]);
void fl_sched__rng_seed(uint64_t s[4], uint64_t seed);
uint64_t fl_sched__rng_below(uint64_t s[4], uint64_t n); /* uniform in [0, n), n >= 1 */

/* The controlled and free seam bindings (sched_ops.c, sched_free.c). */
extern const sv_plat_ops fl_sched__plat_controlled;
int fl_sched__free_run(const fl_sched_opts *o, void (*main_fn)(void *), void *arg, fl_sched_result *res);

/* Shared by sched_core.c and sched_run.c. */
extern _Thread_local fl_sched_capture *fl_sched__capture_slot; /* fl_sched_capture_set */
extern atomic_flag fl_sched__busy;     /* a run is in progress in this process */
extern atomic_bool fl_sched__tainted;  /* a stalled run left a thread running: no more runs */
extern uint32_t fl_sched__gen;         /* run generations, stamped into seam objects */
void fl_sched__set_live(bool live);    /* fl_sched_live and the live hooks */
void fl_sched__post(fl_sched__thr *t); /* give t its slot's go */

/* Watchdog (sched_watchdog.c): wait on host_cv until the run is over or the
 * baton holder stalls; with mu held. */
void fl_sched__host_wait(fl_sched__run *r);

/* Allocation tracking shared by both bindings (sched_alloc.c). */
void fl_sched__alloc_begin(void);
void fl_sched__alloc_end(size_t *live_allocs, size_t *live_bytes, bool release);
void *fl_sched__alloc(size_t n);
void fl_sched__free(void *p);



#endif
