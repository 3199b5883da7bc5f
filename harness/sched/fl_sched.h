/*
 * fl_sched.h — the controlled platform: a seeded scheduler with a virtual clock
 * that implements libsv's platform seam (sv_plat.h), prefix fl_sched_.
 *
 * Real threads, one runs at a time (all pinned to the CPU the run started
 * on, best effort). The running thread holds the baton; every
 * seam operation (thread create/join/detach, mutex lock/unlock, condition
 * wait/signal/broadcast, futex wait/wake, now, sleep_until, yield, and a
 * thread's exit) is a scheduling point, a "step", where the strategy picks
 * which runnable thread holds the baton next. sv_alloc/sv_free are not
 * scheduling points.
 *
 * Blocking is modelled by the scheduler: a thread waiting for a mutex, a
 * condition, a futex word, a join or a sleep is not runnable until the event
 * or its deadline. Time is virtual: it starts at 0 and moves only when no
 * thread can run, jumping to the earliest deadline, whose waiters then time
 * out. A 1-second poll therefore costs microseconds.
 *
 * A run ends when main_fn has returned and every other thread has ended, or
 *  - DEADLOCK: main_fn has not returned, no thread can run and no deadline is
 *    pending; res->report names each blocked thread and what it waits on;
 *  - BUDGET: opts->step_budget steps were taken before main_fn returned;
 *  - DIVERGED: a replay's recorded choices no longer fit the program;
 *  - grace over: after main_fn returned, the remaining threads run for at
 *    most FL_SCHED_GRACE_STEPS steps and FL_SCHED_GRACE_NS of virtual time
 *    (deadlines further away are not waited for); threads still alive then
 *    are killed and listed in res->leaked (status stays OK).
 * Threads still alive at the end (leaked, deadlocked, over budget) are killed
 * at the scheduling point where they wait: they leave through pthread_exit()
 * from inside the seam call and the scheduler joins them for real. That is
 * acceptable because controlled code is C that holds no resource of the real
 * platform (its locks are the scheduler's, its memory is tracked, see below)
 * and installs no cleanup handlers; a thread's own stack goes with it.
 *
 * Memory: sv_alloc under the controlled binding is tracked per run; every
 * block still allocated when the run ends is freed by the scheduler and
 * counted in res->live_allocs/live_bytes (a clean program ends with 0).
 *
 * Determinism: the same program, opts and seed give the same steps, choices
 * and a byte-identical trace (opts.trace), in every build flavour. Replaying
 * res->schedule reproduces the run exactly.
 *
 * One run at a time per process (the seam binding is global): fl_sched_run
 * called during another run, or from a controlled thread, fails with -EBUSY.
 */
#ifndef FL_SCHED_H
#define FL_SCHED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fl_sched_strategy {
    FL_SCHED_STRAT_RANDOM = 0, /* uniform choice among runnable threads, seeded */
    FL_SCHED_STRAT_PCT,        /* probabilistic concurrency testing, depth d */
    FL_SCHED_STRAT_RR,         /* round robin: next runnable thread by id, every step */
    FL_SCHED_STRAT_REPLAY,     /* follow opts.schedule */
    FL_SCHED_STRAT_FREE,       /* true concurrency (POSIX) + seeded random delays, for TSan */
    FL_SCHED_STRAT_DFS,        /* origin tag of schedules found by fl_explore_run (not an opts value) */
    FL_SCHED_STRAT_POS,        /* partial-order sampling: random priorities, re-drawn on conflict */
} fl_sched_strategy;

typedef enum fl_sched_status {
    FL_SCHED_OK = 0,
    FL_SCHED_DEADLOCK,
    FL_SCHED_BUDGET,
    FL_SCHED_DIVERGED,
    FL_SCHED_STALLED,    /* a controlled thread ran past the watchdog without a
                            scheduling point (uncontrolled code); res.report names it */
} fl_sched_status;

#define FL_SCHED_DEFAULT_BUDGET 1000000u /* steps */
#define FL_SCHED_DEFAULT_DEPTH 3u        /* pct d */
#define FL_SCHED_DEFAULT_PCT_K 100u      /* pct k (real choices) when opts.pct_k == 0 */
#define FL_SCHED_GRACE_STEPS 10000u      /* steps allowed after main_fn returned */
#define FL_SCHED_GRACE_NS 10000000000ll  /* virtual time allowed after main_fn returned */
#define FL_SCHED_DEFAULT_WATCHDOG_MS 5000u /* see fl_sched_opts.watchdog_ms */
#define FL_SCHED_MAX_THREADS 4096        /* threads per run (ids 0..4095) */
#define FL_SCHED_DEFAULT_LIGHT_PPM 100000u /* see fl_sched_opts.light_ppm (10%) */
#define FL_SCHED_LIGHT_NEVER UINT32_MAX  /* light_ppm: random never switches there */

typedef struct fl_sched_opts {
    fl_sched_strategy strategy;  /* RANDOM, PCT, POS, RR, REPLAY or FREE */
    uint64_t seed;         /* RANDOM, PCT, FREE; recorded in the schedule */
    uint32_t depth;        /* PCT d >= 1: d-1 priority change points; 0 = default 3 */
    uint64_t step_budget;  /* 0 = FL_SCHED_DEFAULT_BUDGET; ignored by strict replay */
    const char *schedule;  /* REPLAY: an fl1: string (see fl_sched.h); not kept */
    uint64_t pct_k;        /* PCT: estimated choices of a run (steps where more than
                              one thread can run), over which the change points are
                              spread; 0 = FL_SCHED_DEFAULT_PCT_K. Learn it as shuttle
                              does: pass the largest res.choices seen so far for this
                              program (fl_planted_hunt_run, faultline run and exec do).
                              Not res.steps: change points drawn past the last choice
                              are lost, and a depth-d run then has fewer than d-1.
                              Recorded in the schedule, so replay never depends on it. */
    bool trace;            /* fill res.trace with one line per step */
    uint32_t watchdog_ms;  /* wall-clock time the baton holder may run without a
                              scheduling point before the run ends STALLED;
                              0 = FL_SCHED_DEFAULT_WATCHDOG_MS, UINT32_MAX = off */
    uint32_t timer_ppm;    /* RANDOM, PCT: probability (parts per million) that, at a
                              step with a timed sleeper, the earliest one wakes before
                              the runnable threads block (a sleep used as a
                              synchronisation, a timeout that fires under load);
                              0 = never: virtual time passes only when every thread
                              is blocked. Replay follows the record either way. */
    uint32_t light_ppm;    /* RANDOM: chance, in millionths, that a light point
                              (fl_sched_point_light: instrumented memory accesses)
                              draws the next thread like an ordinary step; otherwise
                              the caller goes on. 0 = FL_SCHED_DEFAULT_LIGHT_PPM,
                              FL_SCHED_LIGHT_NEVER = never; values above 1000000
                              mean always. Other strategies treat light points as
                              ordinary steps; replay follows the record. */
    bool symmetric;        /* search drivers (explore --symmetric): the step hook's
                              runnable list keeps, of the threads that have never
                              run and share a class (fl_sched_next_thread_class),
                              only the lowest id; the program's promise that such
                              threads are interchangeable is docs/scheduler.md's
                              "Symmetry". The run itself is unchanged. */
} fl_sched_opts;

/* One controlled thread of a run, for timelines. */
typedef struct fl_sched_thread_info {
    char name[48];
    int64_t born_ns, died_ns; /* virtual time of its creation / end; died -1: alive at the end */
} fl_sched_thread_info;

typedef struct fl_sched_result {
    fl_sched_status status;
    char *schedule;       /* fl1:... that replays this run (strict form); NULL for
                             FREE runs, which have no schedule guarantee */
    uint64_t steps, preemptions; /* preemption: switching away from a thread
                                    that could have continued */
    uint64_t choices;     /* steps at which more than one thread could run
                             (PCT's k counts these: pass the largest seen) */
    int64_t virtual_ns;   /* virtual clock at the end (FREE: real elapsed ns) */
    char *report;         /* deadlock report (each blocked thread and what it
                             waits on), budget or divergence message, or the
                             error message when fl_sched_run failed; NULL if OK */
    char **leaked;        /* names of threads killed because they outlived
                             main_fn's grace (FREE: still running, not killed) */
    size_t nleaked;
    uint32_t threads;     /* controlled threads created, main included */
    size_t live_allocs, live_bytes; /* sv_alloc blocks the program left
                                       allocated (freed by the scheduler) */
    fl_sched_thread_info *threads_info; /* every controlled thread, by id (creation
                                           order; index = fl_sched_current()); NULL for FREE */
    char *trace;          /* opts.trace: one line per step, "STEP TID OP [OBJ] -> NEXT",
                             plus " @NS" when the virtual clock jumped to NS */
} fl_sched_result;

/* Bind the controlled platform (sv_plat_set), run main_fn(arg) as controlled
 * thread 0 ("main"), run until the end described above, unbind
 * (sv_plat_set(NULL)) and fill *res (zeroed first; free it with
 * fl_sched_result_free whatever the return value). Returns 0 whenever the
 * program ran, whatever its status; or a negative errno and nothing ran:
 * -EINVAL for bad opts or a bad/unparsable schedule (res->report holds the
 * message, e.g. "schedule:1:17: expected base-32 digit"), -EBUSY (a run is
 * in progress), -EAGAIN/-ENOMEM (resources). Must be called on a thread that
 * is not controlled, while no other thread uses the seam. */
int fl_sched_run(const fl_sched_opts *opts, void (*main_fn)(void *), void *arg,
                 fl_sched_result *res);

/* Free everything res owns and zero it. res may be NULL. */
void fl_sched_result_free(fl_sched_result *res);

/* An explicit scheduling point (= sv_yield() under the controlled platform;
 * sched_yield() under POSIX). */
void fl_sched_yield(void);

/* Id of the calling controlled thread (0 = main, then creation order), or -1
 * on a thread the controlled or free platform does not run. */
int fl_sched_current(void);

/* Static description of a status ("ok", "deadlock", "budget", "diverged"). */
const char *fl_sched_status_name(fl_sched_status st);

/* Judge of one run, for fl_explore_run and friends: 1 if the run failed, 0 if it
 * passed, negative errno to stop. Called after every run, on the calling
 * thread; it is also the place to reset the program's state for the next. */
typedef int (*fl_sched_check_fn)(void *ud, const fl_sched_result *res);

/* ---- schedule strings ---- */
/*
 * schedule.h — the schedule string: a versioned, one-line, shell-safe record
 * of the choices a controlled run made (fl_sched_schedule_*).
 *
 *   fl1:STRATEGY.SEED.DEPTH.K.FLAGS.PREEMPTIONS.CHOICES.CHECK
 *
 *   STRATEGY     random | pct | pos | rr | dfs: how the schedule was found
 *                (informational: replay follows CHOICES only)
 *   SEED, DEPTH, K, FLAGS, PREEMPTIONS
 *                numbers in base 32, digits 0-9a-v, most significant first,
 *                no leading zero ("0" is zero)
 *   CHOICES      run-length encoded thread ids: pairs (thread id, run length
 *                - 1), each number a base-32 VLQ (digits 0-f end a number,
 *                g-v carry 4 bits and continue it; least significant first)
 *   CHECK        CRC-32 of every byte before the last '.', 7 base-32 digits
 *
 * Only [a-z0-9.:] occur, so a schedule pastes into any shell unquoted. The
 * encoding is canonical: fl_sched_schedule_format(fl_sched_schedule_parse(s)) == s for
 * every accepted s, and every single-byte change of an accepted string is
 * rejected (CRC-32 detects every error burst of up to 32 bits).
 *
 * FLAGS: bit 0 FL_SCHED_SCHEDULE_OPEN (an open schedule: steps past the recorded
 * choices, and recorded choices that name a thread that cannot run, follow
 * the non-preemptive default; produced by shrink and explore), bit 1
 * FL_SCHED_SCHEDULE_EDITED (choices were edited by shrink, so SEED no longer
 * produces them), bits 2-3 the status the recorded run ended with
 * (fl_sched_status: OK, DEADLOCK, BUDGET; never DIVERGED), bit 4
 * FL_SCHED_SCHEDULE_TIMERS (the run let timers fire early: a recorded choice
 * of a thread in a timed wait wakes it; without the bit such a choice is one
 * that cannot run, as for any edited schedule).
 */
#define FL_SCHED_SCHEDULE_VERSION 1
#define FL_SCHED_SCHEDULE_OPEN 0x1u
#define FL_SCHED_SCHEDULE_EDITED 0x2u
#define FL_SCHED_SCHEDULE_TIMERS 0x10u /* recorded with early timers (timer_ppm > 0): a choice of
                                          a timed sleeper wakes it early on replay */
#define FL_SCHED_SCHEDULE_FLAG_MASK 0x1fu
#define FL_SCHED_SCHEDULE_MAX_THREAD 65535u /* largest thread id a schedule may name */

/* One run of consecutive steps given to the same thread. */
typedef struct fl_sched_schedule_run {
    uint32_t tid;  /* controlled thread id (creation order, main = 0) */
    uint64_t len;  /* >= 1 */
} fl_sched_schedule_run;

/* A decoded schedule. runs is malloc'd and owned (fl_sched_schedule_free). */
typedef struct fl_sched_schedule {
    fl_sched_strategy strategy;    /* origin: RANDOM, PCT, POS, RR or DFS */
    uint64_t seed;
    uint32_t depth;          /* pct d (0 for other strategies) */
    uint64_t pct_k;          /* pct k, real choices (0 for other strategies) */
    uint32_t flags;          /* FL_SCHED_SCHEDULE_OPEN | _EDITED | _TIMERS */
    fl_sched_status end;     /* how the recorded run ended */
    uint64_t preemptions;    /* of the recorded run (0 when unknown: open) */
    fl_sched_schedule_run *runs;
    size_t nruns;
    uint64_t steps;          /* sum of runs[i].len (kept by parse and push) */
    size_t runs_cap;         /* private: allocated length of runs */
} fl_sched_schedule;

/* Decode s into *out (zeroed first). On success 0 and out->runs owned by the
 * caller (fl_sched_schedule_free). On failure -EINVAL (or -ENOMEM), *out left
 * empty, and err (if non-NULL) holds a NUL-terminated message naming the
 * column: "schedule:1:17: expected base-32 digit". Never reads past the
 * terminating NUL; any byte string is safe input. */
int fl_sched_schedule_parse(const char *s, fl_sched_schedule *out, char *err, size_t errlen);

/* Encode sc (runs, strategy, ...; sc->steps is not used) as a
 * fresh malloc'd string the caller frees, or NULL when out of memory or sc
 * is not encodable (a run of length 0, a thread id above
 * FL_SCHED_SCHEDULE_MAX_THREAD, an unknown strategy). */
char *fl_sched_schedule_format(const fl_sched_schedule *sc);

/* Free sc->runs and zero *sc. sc may be NULL. */
void fl_sched_schedule_free(fl_sched_schedule *sc);

/* Append one step given to tid, extending the last run when it is the same
 * thread. 0, or -ENOMEM (sc unchanged). */
int fl_sched_schedule_push(fl_sched_schedule *sc, uint32_t tid);

/* Number of context switches in sc (nruns - 1, or 0). */
uint64_t fl_sched_schedule_switches(const fl_sched_schedule *sc);

/* Name of a strategy as written in schedules and on the command line
 * ("random", "pct", "rr", "replay", "free", "dfs", "pos"), "?" if unknown. */
const char *fl_sched_strategy_name(fl_sched_strategy s);
/* Parse a strategy name; 0 and *out, or -EINVAL. */
int fl_sched_strategy_parse(const char *name, fl_sched_strategy *out);
/* True for the strategies that draw from the seed under the controlled
 * scheduler (random, pct, pos): the ones that may fire timers early
 * (opts.timer_ppm) and whose schedule is a function of the seed. */
bool fl_sched_strategy_seeded(fl_sched_strategy s);

/* ---- for the interposer (interpose/): the program's own objects ---- */

/* Controlled runs in progress in this process (0 or 1). The interposer's
 * pass-through test reads it first: one relaxed load when nothing runs. */
extern atomic_int fl_sched_live;

/* Register fn to be called with true just before a controlled run's first
 * thread starts and with false once no controlled thread runs program code
 * any more (the interposer switches its dispatch table, inst/ its callbacks'
 * flag), on the thread that called fl_sched_run. Up to
 * FL_SCHED_LIVE_HOOKS hooks per process, called in registration order;
 * registering fn again, NULL, or one too many, is ignored. Register before
 * the first run (constructors do). */
#define FL_SCHED_LIVE_HOOKS 4
void fl_sched_live_hook(void (*fn)(bool live));

/* The next thread the calling thread creates (sv_thread_create) gets class
 * cls, 0 = none: threads of one nonzero class are interchangeable for
 * fl_sched_opts.symmetric until they first run. The interposer passes one
 * number per (start routine, argument) pair. The next create consumes it,
 * whether it succeeds or not. No scheduling point. */
void fl_sched_next_thread_class(uint64_t cls);

/* True when the caller is a controlled thread of the run in progress (so a
 * plain pthread call it makes must become a scheduling point). Cheap: a
 * thread-local load. */
bool fl_sched_controlled(void);

/* Number of the run the calling controlled thread belongs to (distinct for
 * every run in a process); 0 when the caller is not controlled. */
uint32_t fl_sched_run_id(void);

/* The virtual clock of the caller's run (no scheduling point). */
int64_t fl_sched_clock(void);

/* True when tid (a kernel thread id) is a thread of the caller's run,
 * ended or not. A thread of the process that is neither one of these nor
 * the host ran outside the scheduler (a raw clone, a library's helper
 * thread): the exec runtime fails such a run as uncontrolled. */
bool fl_sched_thread_known(int tid);

/* One scheduling point of the calling controlled thread. op and obj name it
 * in the step trace ("lock", "m3"); obj may be NULL. The step's footprint is
 * global (dependent with every step): use fl_sched_point_at to name it. */
void fl_sched_point(const char *op, const char *obj);
/* fl_sched_point on the object whose futex word is word (the one the caller
 * waits on with fl_sched_wait_on and wakes with fl_sched_wake): the step's
 * footprint names that word, so explore's reduction can tell it apart. */
void fl_sched_point_at(const char *op, const char *obj, const void *word);

/* A light scheduling point (instrumented loads, stores and atomics, inst/):
 * fl_sched_point, except that under RANDOM the strategy is consulted only
 * with probability opts.light_ppm (else the caller goes on, a step all the
 * same). A step like any other in the schedule, the trace and PCT's count.
 * var names the memory the access after the point touches (its number in
 * the run, from 1; FL_SCHED_OBJ_VAR in the footprint), 0 when unknown (a
 * global footprint): the access is part of the transition that begins here. */
void fl_sched_point_light(const char *op, const char *obj, uint32_t var);
/* The calling controlled thread's current transition touches var (as in
 * fl_sched_point_light) without a scheduling point: an access the filter
 * lets through unscheduled still counts for explore's reduction. No-op
 * for an uncontrolled caller. */
void fl_sched_touch_var(uint32_t var);

/* What a thread blocked by fl_sched_wait_on waits for, for deadlock reports:
 * kind ("mutex", "rwlock", "semaphore", "barrier", "once", "condition"), the
 * object's number in the run, and the controlled thread that holds it (-1:
 * nobody in particular). kind must be a static string. */
typedef struct fl_sched_waitfor {
    const char *kind;
    int id;
    int holder;
} fl_sched_waitfor;

/* The seam's futex wait (sv_wait) with a description: if *word == expected,
 * block until fl_sched_wake(word) or the virtual deadline (SV_FOREVER: none).
 * 0 (woken or *word differed) or -ETIMEDOUT. One scheduling point at least. */
int fl_sched_wait_on(_Atomic uint32_t *word, uint32_t expected, int64_t deadline, const fl_sched_waitfor *why);
/* Wake up to n threads blocked on word, longest waiting first (sv_wake). */
void fl_sched_wake(_Atomic uint32_t *word, int n);

/* The real thread behind a controlled thread handle (from sv_thread_create
 * under the controlled platform), for pthread_self and pthread_equal to
 * agree with what the program's pthread_create returned. */
unsigned long fl_sched_thread_pthread(const void *sv_thread_handle);

/* A controlled thread may end by pthread_exit (the C library's, called
 * while it is still controlled): the scheduler's trampoline catches the
 * unwinding and makes it DONE, after the program's own cleanup handlers. */

/* ---- search drivers (explore/: bounded search, shrink) ---- */

/* Footprint of a transition: the objects a thread touched through the seam
 * from the moment it was given the baton to its next scheduling point (both
 * ends included: the acquiring effect of the operation it resumed in, and
 * the releasing effect of the one it stopped at). Keys are stable across
 * runs of the same prefix: objects are numbered per run in creation / first
 * use order. `global` marks a transition that touched something without a
 * stable identity — an explicit yield, an unnamed fl_sched_point — or more
 * than FL_SCHED_FP_MAX objects, main's exit (the grace after it counts
 * steps), and, only in a run where early timers can fire (timer_ppm under
 * RANDOM, PCT or POS, or a replay of a schedule recorded so), the virtual clock
 * (now, sleeps, timed waits); such a transition is dependent with every
 * other. Otherwise reading the clock or arming a deadline adds nothing:
 * the clock moves only when no thread can run, never between two enabled
 * transitions. `timed`/`until` do not enter independence: a search driver
 * that counts preemptions needs them, because the count after a clock move
 * depends on which thread blocked last. Plain memory is not seen (see
 * docs/scheduler.md, "Reduction": data-race freedom, and the clock's
 * argument). */
#define FL_SCHED_FP_MAX 6
enum { FL_SCHED_OBJ_THREAD = 1, FL_SCHED_OBJ_MUTEX, FL_SCHED_OBJ_COND, FL_SCHED_OBJ_FUTEX, FL_SCHED_OBJ_VAR };
#define FL_SCHED_OBJ_KEY(kind, id) (((uint64_t)(kind) << 32) | (uint32_t)(id))
typedef struct fl_sched_footprint {
    bool global;
    bool timed;                      /* it ended with its thread blocked until an
                                        event or a deadline (a sleep, a timed wait):
                                        the clock's next move may wake it */
    int64_t until;                   /* timed: that deadline (virtual ns) */
    uint32_t n;                      /* keys in key[], distinct */
    uint64_t key[FL_SCHED_FP_MAX];   /* FL_SCHED_OBJ_KEY(kind, id) */
} fl_sched_footprint;

/* A search driver's window on each step (called inside the scheduler, never
 * for FREE; the hook must not call back into the scheduler). footprint (may
 * be NULL) is called just before step for the same step, with the footprint
 * of the transition that thread cur ended at this scheduling point (the one
 * that began when cur was last chosen, or at its start). */
typedef struct fl_sched_hook {
    void (*step)(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen,
                 bool followed);
    void *ud;
    void (*footprint)(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp);
    /* Optional (may be NULL), for timelines of runs that may never return
     * (a whole program under `faultline exec` can die mid-run): thread id
     * was created (died_ns -1) or ended, named as in threads_info, at that
     * virtual time; called as it happens, creation before the thread runs. */
    void (*thread)(void *ud, int id, const char *name, int64_t born_ns, int64_t died_ns);
    /* Optional: just before step (and footprint), the operation cur stopped
     * at ("lock", "lock-wait", "cond-wait", "create", …; static strings),
     * its object ("m3", "" when none) and the virtual clock. */
    void (*op)(void *ud, uint64_t step, const char *op, const char *obj, int64_t clock_ns);
} fl_sched_hook;

/* True when transitions with footprints a and b commute: neither is global
 * and they share no key. */
bool fl_sched_footprint_independent(const fl_sched_footprint *a, const fl_sched_footprint *b);

/* One run with a pre-parsed replay schedule and a step hook (explore uses
 * an open schedule as its DFS prefix). replay may be NULL unless
 * o->strategy == FL_SCHED_STRAT_REPLAY; o->schedule is then ignored. */
int fl_sched_run_ex(const fl_sched_opts *o, const fl_sched_schedule *replay, void (*main_fn)(void *),
                     void *arg, fl_sched_result *res, const fl_sched_hook *hook);

/* Shrink's capture of canonical schedules: while set on a thread, every
 * REPLAY run of exactly `candidate` on that thread stores its result here. */
typedef struct fl_sched_capture {
    const char *candidate;
    const fl_sched_hook *hook; /* if set: that run reports its steps here too */
    char *canonical;          /* malloc'd strict schedule of the last such run */
    uint64_t steps, preemptions;
    fl_sched_status status;
} fl_sched_capture;
/* Set the calling thread's capture slot (NULL: none) and return the previous
 * one, so callers can nest. Never fails. */
fl_sched_capture *fl_sched_capture_set(fl_sched_capture *cap);

#ifdef __cplusplus
}
#endif
#endif
