/*
 * sched_ops.c — the controlled binding of the seam (fl_sched__plat_controlled).
 *
 * Each operation takes fl_sched__run.mu, does its part of the model, and passes
 * through one scheduling point (fl_sched__point): before the effect for operations
 * that acquire or observe (lock, join, futex wait, now), after it for those
 * that release or publish (unlock, signal, broadcast, wake, create, detach).
 * Blocking operations mark the caller BLOCKED and pass through further points
 * until woken or timed out. Misuse (unlocking a mutex one does not hold,
 * using an object from another run, joining a detached thread) aborts with a
 * message, as the seam's contract says.
 *
 * Modelling choices: an unlock makes every waiter of the mutex runnable and
 * they compete again (unfair, like real mutexes); cond_signal and futex wake
 * wake the longest waiters first; there are no spurious wake-ups.
 */
#include "sched/sched_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(fl_sched__mtx) <= sizeof(sv_mutex), "scheduler mutex fits in sv_mutex");
_Static_assert(sizeof(fl_sched__cnd) <= sizeof(sv_cond), "scheduler cond fits in sv_cond");

fl_sched__run *fl_sched__enter(fl_sched__thr **me, const char *op)
{
    fl_sched__thr *self = fl_sched__self;
    if (!self)
        fl_sched__fatal("%s called on a thread the controlled platform does not run "
                  "(create threads with sv_thread_create inside fl_sched_run)", op);
    fl_sched__run *r = self->run;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    if (r->over) {
        /* Only a thread that stalled the run gets here: it leaves for good at
         * its first scheduling point after the run ended. */
        fl_sched__self = NULL;
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
        fl_real_thread_exit(NULL);
    }
    *me = self;
    self->nopk = 0;
    self->op_global = false;
    r->op = op;
    r->opobj[0] = '\0';
    return r;
}

void fl_sched__leave(fl_sched__run *r)
{
    if (fl_sched__self) {
        fl_sched__self->nopk = 0;
        fl_sched__self->op_global = false;
    }
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
}

static void fl_sched__fp_add(fl_sched_footprint *fp, uint64_t key)
{
    if (key == 0) {
        fp->global = true;
        return;
    }
    for (uint32_t i = 0; i < fp->n; i++)
        if (fp->key[i] == key) return;
    if (fp->n == FL_SCHED_FP_MAX) fp->global = true;
    else fp->key[fp->n++] = key;
}

void fl_sched__touch(fl_sched__thr *me, uint64_t key)
{
    fl_sched__fp_add(&me->fp, key);
    if (key == 0) me->op_global = true;
    else if (me->nopk < (int)(sizeof me->opk / sizeof me->opk[0])) me->opk[me->nopk++] = key;
    else me->op_global = true;
}

void fl_sched__touch_clock(fl_sched__run *r, fl_sched__thr *me)
{
    /* Without early timers the clock moves only in fl_sched__decide, when no
     * thread is runnable: never between two transitions that were both
     * enabled, so no reordering the reduction makes can change what a
     * transition reads from it. Which timed waiters wake, and who runs
     * next, depends on the deadlines and the thread ids, not on the order
     * the deadlines were armed in. */
    if (!r->clock_free) fl_sched__touch(me, 0);
}

void fl_sched__pending_fp(const fl_sched__thr *t, fl_sched_footprint *out)
{
    *out = (fl_sched_footprint){0};
    if (t->op_global) out->global = true;
    for (int i = 0; i < t->nopk; i++) fl_sched__fp_add(out, t->opk[i]);
}

void fl_sched__fp_restart(fl_sched__thr *me)
{
    fl_sched__pending_fp(me, &me->fp);
}

bool fl_sched_footprint_independent(const fl_sched_footprint *a, const fl_sched_footprint *b)
{
    if (a->global || b->global) return false;
    for (uint32_t i = 0; i < a->n; i++)
        for (uint32_t j = 0; j < b->n; j++)
            if (a->key[i] == b->key[j]) return false;
    return true;
}

/* ---- threads ------------------------------------------------------------- */

static fl_sched__thr *fl_sched__handle(fl_sched__run *r, sv_thread *h, const char *op)
{
    fl_sched__thr *t = (fl_sched__thr *)(void *)h;
    for (int i = 0; t && i < r->nthr; i++)
        if (r->thr[i] == t) {
            if (t->joined || t->detached) fl_sched__fatal("%s: thread %d \"%s\" was already %s", op, t->id, t->name,
                                                   t->joined ? "joined" : "detached");
            return t;
        }
    fl_sched__fatal("%s: not a thread of this controlled run", op);
}

/* Join the real threads of detached threads that ended. Holds the baton but
 * not mu, which those threads need to finish leaving. */
static void fl_sched__reap_zombies(fl_sched__run *r)
{
    while (r->nzombies > 0) {
        fl_sched__thr *z = r->zombies[--r->nzombies];
        fl_sched__leave(r);
        FL_SCHED__PT(fl_real.pthread_join(z->pt, NULL));
        FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
        z->reaped = true;
    }
}

static int fl_sched__c_thread_create(sv_thread **out, void *(*fn)(void *), void *arg, const char *name)
{
    fl_sched__thr *me, *t;
    fl_sched__run *r = fl_sched__enter(&me, "create");
    fl_sched__reap_zombies(r);
    int rc = fl_sched__thread_add(r, fn, arg, name, &t);
    fl_sched__next_cls = 0; /* consumed by the new thread, or dropped with the create */
    if (rc == 0) {
        *out = (sv_thread *)(void *)t;
        snprintf(r->opobj, sizeof r->opobj, "t%d", t->id);
        fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_THREAD, t->id));
    }
    r->op = "create";
    fl_sched__point(r, me);
    fl_sched__leave(r);
    return rc;
}

static int fl_sched__c_thread_join(sv_thread *h, int64_t deadline)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "join");
    fl_sched__thr *t = fl_sched__handle(r, h, "sv_thread_join");
    snprintf(r->opobj, sizeof r->opobj, "t%d", t->id);
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_THREAD, t->id));
    if (deadline != SV_FOREVER) fl_sched__touch_clock(r, me);
    fl_sched__point(r, me);
    if (t->state != FL_SCHED__T_DONE) {
        if (deadline > r->clock || t == me) {
            fl_sched__block(r, me, FL_SCHED__W_JOIN, t, deadline);
            fl_sched__point(r, me);
        }
        if (t->state != FL_SCHED__T_DONE) {
            fl_sched__leave(r);
            return -ETIMEDOUT;
        }
    }
    t->joined = true;
    /* t has left program code; its real thread ends without needing the baton. */
    fl_sched__leave(r);
    FL_SCHED__PT(fl_real.pthread_join(t->pt, NULL));
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    t->reaped = true;
    fl_sched__leave(r);
    return 0;
}

static void fl_sched__c_thread_detach(sv_thread *h)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "detach");
    fl_sched__thr *t = fl_sched__handle(r, h, "sv_thread_detach");
    t->detached = true;
    if (t->state == FL_SCHED__T_DONE) r->zombies[r->nzombies++] = t;
    snprintf(r->opobj, sizeof r->opobj, "t%d", t->id);
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_THREAD, t->id));
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

/* ---- mutex ------------------------------------------------------------------- */

static fl_sched__mtx *fl_sched__mtx_of(fl_sched__run *r, sv_mutex *m, const char *op)
{
    fl_sched__mtx *x = (fl_sched__mtx *)(void *)m->u;
    if (x->magic != FL_SCHED__MTX_MAGIC) fl_sched__fatal("%s: mutex not initialised with sv_mutex_init", op);
    if (x->gen != r->gen) fl_sched__fatal("%s: mutex m%d belongs to an earlier run (initialise it in this one)", op, x->id);
    return x;
}

static void fl_sched__c_mutex_init(sv_mutex *m)
{
    fl_sched__run *r = fl_sched__R;
    if (!r) fl_sched__fatal("sv_mutex_init: no controlled run");
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    fl_sched__mtx *x = (fl_sched__mtx *)(void *)m->u;
    memset(m, 0, sizeof *m);
    x->magic = FL_SCHED__MTX_MAGIC;
    x->gen = r->gen;
    x->id = r->next_mutex_id++;
    x->owner = -1;
    fl_sched__leave(r);
}

static bool fl_sched__has_waiters(fl_sched__run *r, fl_sched__wait w, const void *obj)
{
    for (int i = 0; i < r->nalive; i++)
        if (r->alive[i]->state == FL_SCHED__T_BLOCKED && r->alive[i]->wait == w && r->alive[i]->wobj == obj) return true;
    return false;
}

static void fl_sched__c_mutex_destroy(sv_mutex *m)
{
    fl_sched__run *r = fl_sched__R;
    if (!r) fl_sched__fatal("sv_mutex_destroy: no controlled run");
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    fl_sched__mtx *x = fl_sched__mtx_of(r, m, "sv_mutex_destroy");
    if (x->owner >= 0 || fl_sched__has_waiters(r, FL_SCHED__W_MUTEX, m))
        fl_sched__fatal("sv_mutex_destroy: mutex m%d is locked or awaited", x->id);
    x->magic = 0;
    fl_sched__leave(r);
}

/* Acquire x (storage m) for me, blocking while another thread holds it. A
 * relock by the owner blocks forever: the deadlock report says so. */
static void fl_sched__acquire(fl_sched__run *r, fl_sched__thr *me, sv_mutex *m, fl_sched__mtx *x)
{
    while (x->owner != -1) {
        fl_sched__block(r, me, FL_SCHED__W_MUTEX, m, SV_FOREVER);
        snprintf(r->opobj, sizeof r->opobj, "m%d", x->id);
        fl_sched__point(r, me);
    }
    x->owner = me->id;
}

void fl_sched__wake_all(fl_sched__run *r, fl_sched__wait w, const void *obj)
{
    for (int i = 0; i < r->nalive; i++) {
        fl_sched__thr *t = r->alive[i];
        if (t->state == FL_SCHED__T_BLOCKED && t->wait == w && t->wobj == obj) fl_sched__unblock(t, false);
    }
}

/* Wake up to n waiters on obj, longest waiting first. Returns how many. */
int fl_sched__wake_n(fl_sched__run *r, fl_sched__wait w, const void *obj, int n)
{
    int woken = 0;
    while (woken < n) {
        fl_sched__thr *best = NULL;
        for (int i = 0; i < r->nalive; i++) {
            fl_sched__thr *t = r->alive[i];
            if (t->state == FL_SCHED__T_BLOCKED && t->wait == w && t->wobj == obj && (!best || t->wseq < best->wseq))
                best = t;
        }
        if (!best) break;
        fl_sched__unblock(best, false);
        woken++;
    }
    return woken;
}

static void fl_sched__c_mutex_lock(sv_mutex *m)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "lock");
    fl_sched__mtx *x = fl_sched__mtx_of(r, m, "sv_mutex_lock");
    snprintf(r->opobj, sizeof r->opobj, "m%d", x->id);
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_MUTEX, x->id));
    fl_sched__point(r, me);
    fl_sched__acquire(r, me, m, x);
    fl_sched__leave(r);
}

static void fl_sched__c_mutex_unlock(sv_mutex *m)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "unlock");
    fl_sched__mtx *x = fl_sched__mtx_of(r, m, "sv_mutex_unlock");
    if (x->owner != me->id)
        fl_sched__fatal("sv_mutex_unlock: thread %d \"%s\" unlocks mutex m%d, which %s", me->id, me->name, x->id,
                  x->owner < 0 ? "is not locked" : "another thread holds");
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_MUTEX, x->id));
    x->owner = -1;
    fl_sched__wake_all(r, FL_SCHED__W_MUTEX, m);
    snprintf(r->opobj, sizeof r->opobj, "m%d", x->id);
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

/* ---- condition variable ------------------------------------------------------------ */

static fl_sched__cnd *fl_sched__cnd_of(fl_sched__run *r, sv_cond *c, const char *op)
{
    fl_sched__cnd *x = (fl_sched__cnd *)(void *)c->u;
    if (x->magic != FL_SCHED__CND_MAGIC) fl_sched__fatal("%s: condition not initialised with sv_cond_init", op);
    if (x->gen != r->gen) fl_sched__fatal("%s: condition c%d belongs to an earlier run", op, x->id);
    return x;
}

static void fl_sched__c_cond_init(sv_cond *c)
{
    fl_sched__run *r = fl_sched__R;
    if (!r) fl_sched__fatal("sv_cond_init: no controlled run");
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    memset(c, 0, sizeof *c);
    fl_sched__cnd *x = (fl_sched__cnd *)(void *)c->u;
    x->magic = FL_SCHED__CND_MAGIC;
    x->gen = r->gen;
    x->id = r->next_cond_id++;
    fl_sched__leave(r);
}

static void fl_sched__c_cond_destroy(sv_cond *c)
{
    fl_sched__run *r = fl_sched__R;
    if (!r) fl_sched__fatal("sv_cond_destroy: no controlled run");
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    fl_sched__cnd *x = fl_sched__cnd_of(r, c, "sv_cond_destroy");
    if (fl_sched__has_waiters(r, FL_SCHED__W_COND, c)) fl_sched__fatal("sv_cond_destroy: condition c%d has waiters", x->id);
    x->magic = 0;
    fl_sched__leave(r);
}

static int fl_sched__c_cond_wait(sv_cond *c, sv_mutex *m, int64_t deadline)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "wait");
    fl_sched__cnd *cx = fl_sched__cnd_of(r, c, "sv_cond_wait");
    fl_sched__mtx *mx = fl_sched__mtx_of(r, m, "sv_cond_wait");
    if (mx->owner != me->id)
        fl_sched__fatal("sv_cond_wait: thread %d \"%s\" waits on c%d without holding mutex m%d", me->id, me->name,
                  cx->id, mx->id);
    snprintf(r->opobj, sizeof r->opobj, "c%d m%d", cx->id, mx->id);
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_COND, cx->id));
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_MUTEX, mx->id));
    if (deadline != SV_FOREVER) fl_sched__touch_clock(r, me);
    mx->owner = -1;
    fl_sched__wake_all(r, FL_SCHED__W_MUTEX, m);
    int rc = 0;
    if (deadline > r->clock) {
        fl_sched__block(r, me, FL_SCHED__W_COND, c, deadline);
        me->wmutex_id = mx->id;
        fl_sched__point(r, me);
        if (me->timedout) rc = -ETIMEDOUT;
    } else {
        fl_sched__point(r, me);
        rc = -ETIMEDOUT;
    }
    fl_sched__acquire(r, me, m, mx);
    fl_sched__leave(r);
    return rc;
}

static void fl_sched__c_cond_signal(sv_cond *c)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "signal");
    fl_sched__cnd *x = fl_sched__cnd_of(r, c, "sv_cond_signal");
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_COND, x->id));
    fl_sched__wake_n(r, FL_SCHED__W_COND, c, 1);
    snprintf(r->opobj, sizeof r->opobj, "c%d", x->id);
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

static void fl_sched__c_cond_broadcast(sv_cond *c)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "broadcast");
    fl_sched__cnd *x = fl_sched__cnd_of(r, c, "sv_cond_broadcast");
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_COND, x->id));
    fl_sched__wake_all(r, FL_SCHED__W_COND, c);
    snprintf(r->opobj, sizeof r->opobj, "c%d", x->id);
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

/* ---- futex ---------------------------------------------------------------------- */

/* The seam's futex wait is fl_sched_wait_on with no description. */
static int fl_sched__c_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t deadline)
{
    return fl_sched_wait_on(addr, expected, deadline, NULL);
}

static void fl_sched__c_wake(_Atomic uint32_t *addr, int n)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "fwake");
    int fid = fl_sched__futex_id(r, addr);
    snprintf(r->opobj, sizeof r->opobj, "f%d", fid);
    fl_sched__touch(me, fid < 0 ? 0 : FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_FUTEX, fid));
    if (n > 0) fl_sched__wake_n(r, FL_SCHED__W_FUTEX, addr, n);
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

/* ---- time --------------------------------------------------------------------------- */

static int64_t fl_sched__c_now(void)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "now");
    fl_sched__touch_clock(r, me);
    fl_sched__point(r, me);
    int64_t t = r->clock;
    fl_sched__leave(r);
    return t;
}

static void fl_sched__c_sleep_until(int64_t deadline)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "sleep");
    fl_sched__touch_clock(r, me);
    if (deadline > r->clock) fl_sched__block(r, me, FL_SCHED__W_SLEEP, NULL, deadline);
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

static void fl_sched__c_yield(void)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "yield");
    fl_sched__touch(me, 0);
    fl_sched__strat_yield(r, me);
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

/* libsv's worker trampoline asks, when its thread unwinds, whether the
 * platform ended it (then nothing may be reported: the run is over) or the
 * program did (pthread_exit: a crash to report). */
static bool fl_sched__c_thread_killed(void) { return fl_sched__self == NULL; }

/* libsv names a word it is about to access atomically outside the seam:
 * the word joins the caller's footprint (as a futex word: the same key if
 * the word is also waited on), no scheduling point. A thread that outlived
 * its run (stalled past the watchdog) adds nothing: the run is over. */
static void fl_sched__c_sync(const volatile void *obj)
{
    fl_sched__thr *me = fl_sched__self;
    if (!me) return;
    fl_sched__run *r = me->run;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    int fid = r->over ? -2 : fl_sched__futex_id(r, (const void *)obj);
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
    if (fid != -2) fl_sched__touch(me, fid < 0 ? 0 : FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_FUTEX, fid));
}

const sv_plat_ops fl_sched__plat_controlled = {
    .name = "controlled",
    .thread_create = fl_sched__c_thread_create,
    .thread_join = fl_sched__c_thread_join,
    .thread_detach = fl_sched__c_thread_detach,
    .mutex_init = fl_sched__c_mutex_init,
    .mutex_destroy = fl_sched__c_mutex_destroy,
    .mutex_lock = fl_sched__c_mutex_lock,
    .mutex_unlock = fl_sched__c_mutex_unlock,
    .cond_init = fl_sched__c_cond_init,
    .cond_destroy = fl_sched__c_cond_destroy,
    .cond_wait = fl_sched__c_cond_wait,
    .cond_signal = fl_sched__c_cond_signal,
    .cond_broadcast = fl_sched__c_cond_broadcast,
    .wait = fl_sched__c_wait,
    .wake = fl_sched__c_wake,
    .now = fl_sched__c_now,
    .sleep_until = fl_sched__c_sleep_until,
    .yield = fl_sched__c_yield,
    .alloc = fl_sched__alloc,
    .free = fl_sched__free,
    .thread_killed = fl_sched__c_thread_killed,
    .sync = fl_sched__c_sync,
};
