/*
 * interpose_sync.c — mutexes, condition variables and spinlocks under
 * control (see interpose_int.h for the waiting discipline).
 *
 * Mutex model: one owner and a recursion count; an unlock makes every
 * waiter runnable and they compete again (unfair, as real mutexes are). A
 * NORMAL mutex relocked by its owner blocks forever, which the deadlock
 * report names ("waits for mutex 0, which it holds itself"); RECURSIVE
 * counts; ERRORCHECK answers EDEADLK. Unlocking a mutex one does not hold
 * answers EPERM (undefined for NORMAL mutexes; we pick the checked answer).
 *
 * Condition model: a wait bumps nothing; it releases the mutex, then waits
 * on the condition's word as read before the release, so a signal sent
 * after the release cannot be lost. signal wakes the longest waiter;
 * waiters between release and wait see the word move and return (a
 * spurious wake-up, which POSIX allows and real code must tolerate).
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <stdio.h>

/* glibc's pthread_mutex_t: __data.__kind holds the type set by the static
 * initialisers (PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP, …). */
int fl_interpose__static_type(const void *m)
{
    int kind = ((const pthread_mutex_t *)m)->__data.__kind & 3;
    return kind == PTHREAD_MUTEX_RECURSIVE ? FL_INTERPOSE__RECURSIVE
         : kind == PTHREAD_MUTEX_ERRORCHECK ? FL_INTERPOSE__ERRORCHECK
                                            : FL_INTERPOSE__NORMAL;
}

static fl_interpose__obj *fl_interpose__mutex(void *m)
{
    bool fresh;
    fl_interpose__obj *o = fl_interpose__get(m, FL_INTERPOSE__MUTEX, &fresh);
    if (fresh) o->type = fl_interpose__static_type(m);
    return o;
}

static void fl_interpose__label(char *buf, size_t n, const char *k, const fl_interpose__obj *o)
{
    snprintf(buf, n, "%s%d", k, o->id);
}

int fl_interpose__mutex_init(void *m, int type)
{
    bool fresh;
    fl_interpose__obj *o = fl_interpose__get(m, FL_INTERPOSE__MUTEX, &fresh);
    if (!fresh && (o->owner >= 0)) return EBUSY;
    o->type = type;
    o->owner = -1;
    o->count = 0;
    return 0;
}

int fl_interpose__mutex_destroy(void *m)
{
    fl_interpose__obj *o = fl_interpose__find(m, FL_INTERPOSE__MUTEX);
    if (o && o->owner >= 0) return EBUSY;
    fl_interpose__drop(m);
    return 0;
}

/* Take o for me or report why not: 0, EBUSY (held by another), EDEADLK. */
static int fl_interpose__take(fl_interpose__obj *o, int me)
{
    if (o->owner < 0) {
        o->owner = me;
        o->count = 1;
        return 0;
    }
    if (o->owner == me) {
        if (o->type == FL_INTERPOSE__RECURSIVE) {
            o->count++;
            return 0;
        }
        if (o->type == FL_INTERPOSE__ERRORCHECK) return EDEADLK;
    }
    return EBUSY;
}

int fl_interpose__mutex_lock(void *m, int64_t deadline, bool try)
{
    fl_interpose__obj *o = fl_interpose__mutex(m);
    char lbl[24];
    fl_interpose__label(lbl, sizeof lbl, "m", o);
    fl_sched_point_at(try ? "trylock" : "lock", lbl, &o->word);
    int me = fl_interpose__me();
    for (;;) {
        o = fl_interpose__mutex(m);
        uint32_t w = atomic_load(&o->word);
        int rc = fl_interpose__take(o, me);
        if (rc != EBUSY || try) return rc;
        if (fl_interpose__wait(o, w, deadline, "mutex", o->owner) == -ETIMEDOUT) {
            o = fl_interpose__mutex(m);
            rc = fl_interpose__take(o, me);
            return rc == EBUSY ? ETIMEDOUT : rc;
        }
    }
}

int fl_interpose__mutex_unlock(void *m)
{
    fl_interpose__obj *o = fl_interpose__mutex(m);
    if (o->owner != fl_interpose__me()) return EPERM;
    if (--o->count > 0) {
        fl_sched_point_at("unlock", NULL, &o->word);
        return 0;
    }
    o->owner = -1;
    fl_interpose__notify(o, -1);
    return 0;
}

/* ---- condition variables ---------------------------------------------------- */

int fl_interpose__cond_init(void *c, clockid_t clk)
{
    fl_interpose__obj *o = fl_interpose__get(c, FL_INTERPOSE__COND, NULL);
    o->clock = clk;
    return 0;
}

int fl_interpose__cond_destroy(void *c)
{
    fl_interpose__drop(c);
    return 0;
}

int fl_interpose__cond_wait(void *c, void *m, clockid_t clk, const struct timespec *abstime)
{
    fl_interpose__obj *co = fl_interpose__get(c, FL_INTERPOSE__COND, NULL);
    fl_interpose__obj *mo = fl_interpose__mutex(m);
    int me = fl_interpose__me();
    if (mo->owner != me) return EPERM;
    if (clk == (clockid_t)-1) clk = co->clock;
    int64_t deadline = fl_interpose__deadline(clk, abstime);
    uint32_t w = atomic_load(&co->word);
    int depth = mo->count;
    mo->owner = -1;
    mo->count = 0;
    fl_interpose__notify(mo, -1); /* the release: a scheduling point */
    co = fl_interpose__get(c, FL_INTERPOSE__COND, NULL);
    int rc = fl_interpose__wait(co, w, deadline, "condition", -1) == -ETIMEDOUT ? ETIMEDOUT : 0;
    for (;;) { /* reacquire, whatever the deadline says */
        mo = fl_interpose__mutex(m);
        uint32_t mw = atomic_load(&mo->word);
        if (mo->owner < 0) {
            mo->owner = me;
            mo->count = depth;
            return rc;
        }
        fl_interpose__wait(mo, mw, SV_FOREVER, "mutex", mo->owner);
    }
}

int fl_interpose__cond_signal(void *c, bool all)
{
    fl_interpose__obj *o = fl_interpose__get(c, FL_INTERPOSE__COND, NULL);
    fl_interpose__notify(o, all ? -1 : 1);
    return 0;
}

/* ---- spinlocks: blocking mutexes to the scheduler (a spin that cannot end
 * until another thread runs is equivalent to a block, and blocking keeps
 * deadlocks visible) ---------------------------------------------------------- */

int fl_interpose__spin_lock(void *s, bool try)
{
    bool fresh;
    fl_interpose__obj *o = fl_interpose__get(s, FL_INTERPOSE__SPIN, &fresh);
    char lbl[24];
    fl_interpose__label(lbl, sizeof lbl, "s", o);
    fl_sched_point_at(try ? "spin_trylock" : "spin_lock", lbl, &o->word);
    int me = fl_interpose__me();
    for (;;) {
        o = fl_interpose__get(s, FL_INTERPOSE__SPIN, NULL);
        uint32_t w = atomic_load(&o->word);
        if (o->owner < 0) {
            o->owner = me;
            return 0;
        }
        if (try) return EBUSY;
        fl_interpose__wait(o, w, SV_FOREVER, "spinlock", o->owner);
    }
}

int fl_interpose__spin_unlock(void *s)
{
    fl_interpose__obj *o = fl_interpose__get(s, FL_INTERPOSE__SPIN, NULL);
    o->owner = -1;
    fl_interpose__notify(o, -1);
    return 0;
}
