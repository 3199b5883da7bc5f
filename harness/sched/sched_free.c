/*
 * sched_free.c — FL_SCHED_STRAT_FREE: the POSIX binding with true concurrency plus
 * seeded random delays (sched_yield, short sleeps) at every seam operation,
 * so that ThreadSanitizer sees the real races a serialised run hides.
 *
 * Objects are POSIX objects and sv_alloc is malloc, so a program that outlives
 * the run keeps working after the binding returns to POSIX. Nothing can be
 * killed: threads that have not ended FL_SCHED__FREE_GRACE_MS after main returned
 * are reported in res->leaked and abandoned (still running); a main that has
 * not returned after FL_SCHED__FREE_LIMIT_MS ends the run with FL_SCHED_BUDGET and
 * is abandoned likewise. No schedule string: free runs are not replayable.
 *
 * fl_sched__fmu guards the thread list; records of abandoned threads are never
 * freed (their trampoline still writes `done`).
 */
#include "sched/sched_int.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FL_SCHED__FREE_GRACE_MS 2000
#define FL_SCHED__FREE_LIMIT_MS 60000

typedef struct fl_sched__fthr {
    int id;
    char name[48];
    sv_thread *pt;             /* the POSIX handle, until joined/detached */
    _Atomic bool done;         /* the program function returned */
    bool joined, detached;     /* by the program, or by the scheduler at the end */
    void *(*fn)(void *);
    void *arg;
} fl_sched__fthr;

static pthread_mutex_t fl_sched__fmu = PTHREAD_MUTEX_INITIALIZER;
static fl_sched__fthr **fl_sched__fthr_list;
static int fl_sched__nfthr, fl_sched__fthr_cap;
static uint64_t fl_sched__free_seed;
static _Atomic uint64_t fl_sched__free_ops;
static _Thread_local uint64_t fl_sched__free_rng[4];

static void fl_sched__perturb(void)
{
    atomic_fetch_add_explicit(&fl_sched__free_ops, 1, memory_order_relaxed);
    if (fl_sched__free_id < 0) return;
    uint64_t x = fl_sched__rng_next(fl_sched__free_rng);
    if ((x & 7) == 0) {
        fl_real.sched_yield();
    } else if ((x & 63) == 1) {
        struct timespec ts = { 0, (long)(1000 + (x >> 40) % 20000) };
        fl_real.nanosleep(&ts, NULL);
    }
}

static void *fl_sched__free_tramp(void *p)
{
    fl_sched__fthr *t = p;
    fl_sched__free_id = t->id;
    fl_sched__rng_seed(fl_sched__free_rng, fl_sched__free_seed ^ ((uint64_t)t->id * 0x9e3779b97f4a7c15ull));
    void *ret = t->fn(t->arg);
    fl_sched__free_id = -1;
    atomic_store(&t->done, true); /* last touch of t */
    return ret;
}

static int fl_sched__free_add(void *(*fn)(void *), void *arg, const char *name, fl_sched__fthr **out)
{
    fl_sched__fthr *t = calloc(1, sizeof *t);
    if (!t) return -ENOMEM;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__fmu));
    if (fl_sched__nfthr == fl_sched__fthr_cap) {
        int nc = fl_sched__fthr_cap ? fl_sched__fthr_cap * 2 : 16;
        fl_sched__fthr **l = realloc(fl_sched__fthr_list, (size_t)nc * sizeof *l);
        if (!l) {
            FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__fmu));
            free(t);
            return -ENOMEM;
        }
        fl_sched__fthr_list = l;
        fl_sched__fthr_cap = nc;
    }
    t->id = fl_sched__nfthr;
    if (name && name[0]) snprintf(t->name, sizeof t->name, "%s", name);
    else snprintf(t->name, sizeof t->name, "thread-%d", t->id);
    t->fn = fn;
    t->arg = arg;
    int rc = sv_plat_posix.thread_create(&t->pt, fl_sched__free_tramp, t, t->name);
    if (rc < 0) {
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__fmu));
        free(t);
        return rc;
    }
    fl_sched__fthr_list[fl_sched__nfthr++] = t;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__fmu));
    *out = t;
    return 0;
}

static int fl_sched__f_thread_create(sv_thread **out, void *(*fn)(void *), void *arg, const char *name)
{
    fl_sched__perturb();
    fl_sched__fthr *t;
    int rc = fl_sched__free_add(fn, arg, name, &t);
    if (rc == 0) *out = (sv_thread *)(void *)t;
    fl_sched__perturb();
    return rc;
}

static int fl_sched__f_thread_join(sv_thread *h, int64_t deadline)
{
    fl_sched__fthr *t = (fl_sched__fthr *)(void *)h;
    fl_sched__perturb();
    int rc = sv_plat_posix.thread_join(t->pt, deadline);
    if (rc == 0) {
        FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__fmu));
        t->joined = true;
        t->pt = NULL;
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__fmu));
    }
    return rc;
}

static void fl_sched__f_thread_detach(sv_thread *h)
{
    fl_sched__fthr *t = (fl_sched__fthr *)(void *)h;
    fl_sched__perturb();
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__fmu));
    t->detached = true;
    sv_thread *pt = t->pt;
    t->pt = NULL;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__fmu));
    sv_plat_posix.thread_detach(pt);
}

static void fl_sched__f_mutex_init(sv_mutex *m) { sv_plat_posix.mutex_init(m); }
static void fl_sched__f_mutex_destroy(sv_mutex *m) { sv_plat_posix.mutex_destroy(m); }
static void fl_sched__f_mutex_lock(sv_mutex *m) { fl_sched__perturb(); sv_plat_posix.mutex_lock(m); }
static void fl_sched__f_mutex_unlock(sv_mutex *m) { sv_plat_posix.mutex_unlock(m); fl_sched__perturb(); }
static void fl_sched__f_cond_init(sv_cond *c) { sv_plat_posix.cond_init(c); }
static void fl_sched__f_cond_destroy(sv_cond *c) { sv_plat_posix.cond_destroy(c); }
static int fl_sched__f_cond_wait(sv_cond *c, sv_mutex *m, int64_t d) { fl_sched__perturb(); return sv_plat_posix.cond_wait(c, m, d); }
static void fl_sched__f_cond_signal(sv_cond *c) { sv_plat_posix.cond_signal(c); fl_sched__perturb(); }
static void fl_sched__f_cond_broadcast(sv_cond *c) { sv_plat_posix.cond_broadcast(c); fl_sched__perturb(); }
static int fl_sched__f_wait(_Atomic uint32_t *a, uint32_t e, int64_t d) { fl_sched__perturb(); return sv_plat_posix.wait(a, e, d); }
static void fl_sched__f_wake(_Atomic uint32_t *a, int n) { sv_plat_posix.wake(a, n); fl_sched__perturb(); }
static int64_t fl_sched__f_now(void) { fl_sched__perturb(); return sv_plat_posix.now(); }
static void fl_sched__f_sleep_until(int64_t d) { fl_sched__perturb(); sv_plat_posix.sleep_until(d); }
static void fl_sched__f_yield(void) { fl_sched__perturb(); sv_plat_posix.yield(); }

static const sv_plat_ops fl_sched__plat_free = {
    .name = "free",
    .thread_create = fl_sched__f_thread_create,
    .thread_join = fl_sched__f_thread_join,
    .thread_detach = fl_sched__f_thread_detach,
    .mutex_init = fl_sched__f_mutex_init,
    .mutex_destroy = fl_sched__f_mutex_destroy,
    .mutex_lock = fl_sched__f_mutex_lock,
    .mutex_unlock = fl_sched__f_mutex_unlock,
    .cond_init = fl_sched__f_cond_init,
    .cond_destroy = fl_sched__f_cond_destroy,
    .cond_wait = fl_sched__f_cond_wait,
    .cond_signal = fl_sched__f_cond_signal,
    .cond_broadcast = fl_sched__f_cond_broadcast,
    .wait = fl_sched__f_wait,
    .wake = fl_sched__f_wake,
    .now = fl_sched__f_now,
    .sleep_until = fl_sched__f_sleep_until,
    .yield = fl_sched__f_yield,
    .alloc = NULL, /* set to the POSIX allocator below */
    .free = NULL,
};

typedef struct fl_sched__free_main {
    void (*fn)(void *);
    void *arg;
} fl_sched__free_main;

static void *fl_sched__free_main_tramp(void *p)
{
    fl_sched__free_main *m = p;
    m->fn(m->arg);
    return NULL;
}

static int64_t fl_sched__mono(void)
{
    struct timespec ts;
    fl_real.clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int fl_sched__free_run(const fl_sched_opts *o, void (*main_fn)(void *), void *arg, fl_sched_result *res)
{
    static sv_plat_ops ops; /* one run at a time: fl_sched_run holds its busy flag */
    ops = fl_sched__plat_free;
    ops.alloc = sv_plat_posix.alloc;
    ops.free = sv_plat_posix.free;
    ops.thread_killed = sv_plat_posix.thread_killed; /* free mode never kills a thread */
    fl_sched__free_seed = o->seed;
    atomic_store(&fl_sched__free_ops, 0);
    fl_sched__free_main m = { main_fn, arg };
    int64_t t0 = fl_sched__mono();
    sv_plat_set(&ops);
    fl_sched__fthr *mt;
    int rc = fl_sched__free_add(fl_sched__free_main_tramp, &m, "main", &mt);
    if (rc < 0) {
        sv_plat_set(NULL);
        res->report = strdup("fl_sched_run: cannot create the main thread");
        return rc;
    }
    int jr = sv_plat_posix.thread_join(mt->pt, t0 + (int64_t)FL_SCHED__FREE_LIMIT_MS * 1000000);
    bool abandon_main = jr != 0;
    if (!abandon_main) {
        mt->joined = true;
        mt->pt = NULL;
    }
    /* grace: wait for the other threads to end */
    int64_t until = fl_sched__mono() + (int64_t)FL_SCHED__FREE_GRACE_MS * 1000000;
    for (;;) {
        bool all = true;
        FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__fmu));
        for (int i = 0; i < fl_sched__nfthr; i++)
            if (!fl_sched__fthr_list[i]->joined && !atomic_load(&fl_sched__fthr_list[i]->done)) all = false;
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__fmu));
        if (all || fl_sched__mono() >= until) break;
        struct timespec ts = { 0, 1000000 };
        fl_real.nanosleep(&ts, NULL);
    }
    sv_plat_set(NULL);
    res->status = abandon_main ? FL_SCHED_BUDGET : FL_SCHED_OK;
    if (abandon_main)
        res->report = strdup("free run: main did not return within 60 s (deadlock or livelock); threads abandoned");
    res->steps = atomic_load(&fl_sched__free_ops);
    res->virtual_ns = fl_sched__mono() - t0;
    res->threads = (uint32_t)fl_sched__nfthr;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__fmu));
    res->leaked = calloc((size_t)fl_sched__nfthr, sizeof *res->leaked);
    for (int i = 0; i < fl_sched__nfthr; i++) {
        fl_sched__fthr *t = fl_sched__fthr_list[i];
        bool ended = t->joined || atomic_load(&t->done);
        if (!ended) {
            if (i > 0 && res->leaked && (res->leaked[res->nleaked] = strdup(t->name))) res->nleaked++;
            if (t->pt && !t->detached) sv_plat_posix.thread_detach(t->pt);
            continue; /* abandoned: t stays allocated */
        }
        if (t->pt && !t->detached) sv_plat_posix.thread_join(t->pt, SV_FOREVER);
        free(t);
    }
    fl_sched__nfthr = 0;
    free(fl_sched__fthr_list);
    fl_sched__fthr_list = NULL;
    fl_sched__fthr_cap = 0;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__fmu));
    return 0;
}
