/*
 * interpose_rw.c — rwlocks, barriers, semaphores and once under control.
 *
 * rwlock: readers share, a writer excludes; waiting writers do not block new
 * readers (glibc's default, PTHREAD_RWLOCK_PREFER_READER_NP). A reader that
 * asks for the write lock waits for itself: the deadlock report says so.
 * Barrier: the last of `count` arrivals completes the round, wakes the rest,
 * and gets PTHREAD_BARRIER_SERIAL_THREAD. Semaphore: value and waiters.
 * once: the first caller runs init through the C library's own
 * pthread_once (so the object is done for uncontrolled code too); callers
 * arriving while init is running (it reached a scheduling point) wait. A
 * once that is already done costs no scheduling point, so a process that
 * already ran it behaves as a fresh one.
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <stdio.h>

int fl_interpose__rw_init(void *rw)
{
    fl_interpose__obj *o = fl_interpose__get(rw, FL_INTERPOSE__RWLOCK, NULL);
    if (o->owner >= 0 || o->count > 0) return EBUSY;
    return 0;
}

int fl_interpose__rw_destroy(void *rw)
{
    fl_interpose__obj *o = fl_interpose__find(rw, FL_INTERPOSE__RWLOCK);
    if (o && (o->owner >= 0 || o->count > 0)) return EBUSY;
    fl_interpose__drop(rw);
    return 0;
}

int fl_interpose__rw_lock(void *rw, bool write, int64_t deadline, bool try)
{
    fl_interpose__obj *o = fl_interpose__get(rw, FL_INTERPOSE__RWLOCK, NULL);
    char lbl[24];
    snprintf(lbl, sizeof lbl, "rw%d", o->id);
    fl_sched_point_at(write ? (try ? "trywrlock" : "wrlock") : (try ? "tryrdlock" : "rdlock"), lbl, &o->word);
    int me = fl_interpose__me();
    for (;;) {
        o = fl_interpose__get(rw, FL_INTERPOSE__RWLOCK, NULL);
        uint32_t w = atomic_load(&o->word);
        if (o->owner == me) return EDEADLK; /* glibc answers so for a relock by the writer */
        bool ok = write ? (o->owner < 0 && o->count == 0) : o->owner < 0;
        if (ok) {
            if (write) o->owner = me;
            else {
                o->count++;
                o->last_reader = me;
            }
            return 0;
        }
        if (try) return EBUSY;
        int holder = o->owner >= 0 ? o->owner : o->last_reader;
        if (fl_interpose__wait(o, w, deadline, "rwlock", holder) == -ETIMEDOUT) {
            o = fl_interpose__get(rw, FL_INTERPOSE__RWLOCK, NULL);
            bool now_ok = write ? (o->owner < 0 && o->count == 0) : o->owner < 0;
            if (!now_ok) return ETIMEDOUT;
        }
    }
}

int fl_interpose__rw_unlock(void *rw)
{
    fl_interpose__obj *o = fl_interpose__get(rw, FL_INTERPOSE__RWLOCK, NULL);
    int me = fl_interpose__me();
    if (o->owner == me) o->owner = -1;
    else if (o->count > 0) {
        o->count--;
        if (o->last_reader == me) o->last_reader = -1;
    } else
        return EPERM;
    fl_interpose__notify(o, -1);
    return 0;
}

/* ---- barriers ------------------------------------------------------------------ */

int fl_interpose__barrier_init(void *b, unsigned count)
{
    if (count == 0) return EINVAL;
    fl_interpose__obj *o = fl_interpose__get(b, FL_INTERPOSE__BARRIER, NULL);
    o->value = count;
    o->arrived = 0;
    return 0;
}

int fl_interpose__barrier_destroy(void *b)
{
    fl_interpose__obj *o = fl_interpose__find(b, FL_INTERPOSE__BARRIER);
    if (o && o->arrived > 0) return EBUSY;
    fl_interpose__drop(b);
    return 0;
}

int fl_interpose__barrier_wait(void *b)
{
    fl_interpose__obj *o = fl_interpose__find(b, FL_INTERPOSE__BARRIER);
    if (!o) return EINVAL; /* never initialised */
    char lbl[24];
    snprintf(lbl, sizeof lbl, "b%d", o->id);
    fl_sched_point_at("barrier", lbl, &o->word);
    o = fl_interpose__find(b, FL_INTERPOSE__BARRIER);
    if (!o) return EINVAL;
    uint32_t round = o->round;
    if (++o->arrived == o->value) {
        o->arrived = 0;
        o->round++;
        fl_interpose__notify(o, -1);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    for (;;) {
        uint32_t w = atomic_load(&o->word);
        if (o->round != round) return 0;
        fl_interpose__wait(o, w, SV_FOREVER, "barrier", -1);
        o = fl_interpose__find(b, FL_INTERPOSE__BARRIER);
        if (!o) return 0;
    }
}

/* ---- semaphores (return 0 or an errno value; the wrapper sets errno) -------------- */

int fl_interpose__sem_init(void *s, unsigned value)
{
    fl_interpose__obj *o = fl_interpose__get(s, FL_INTERPOSE__SEM, NULL);
    o->value = value;
    return 0;
}

int fl_interpose__sem_destroy(void *s)
{
    fl_interpose__drop(s);
    return 0;
}

static fl_interpose__obj *fl_interpose__sem(void *s)
{
    bool fresh;
    fl_interpose__obj *o = fl_interpose__get(s, FL_INTERPOSE__SEM, &fresh);
    if (fresh) { /* initialised before the run: take its value from the C library */
        int v = 0;
        fl_real.sem_getvalue(s, &v);
        o->value = v > 0 ? (unsigned)v : 0;
    }
    return o;
}

int fl_interpose__sem_wait(void *s, int64_t deadline, bool try)
{
    fl_interpose__obj *o = fl_interpose__sem(s);
    char lbl[24];
    snprintf(lbl, sizeof lbl, "sem%d", o->id);
    fl_sched_point_at(try ? "sem_trywait" : "sem_wait", lbl, &o->word);
    for (;;) {
        o = fl_interpose__sem(s);
        uint32_t w = atomic_load(&o->word);
        if (o->value > 0) {
            o->value--;
            return 0;
        }
        if (try) return EAGAIN;
        if (fl_interpose__wait(o, w, deadline, "semaphore", -1) == -ETIMEDOUT) {
            o = fl_interpose__sem(s);
            if (o->value == 0) return ETIMEDOUT;
        }
    }
}

int fl_interpose__sem_post(void *s)
{
    fl_interpose__obj *o = fl_interpose__sem(s);
    o->value++;
    fl_interpose__notify(o, 1);
    return 0;
}

int fl_interpose__sem_value(void *s, int *out)
{
    fl_interpose__obj *o = fl_interpose__sem(s);
    *out = (int)o->value;
    fl_sched_point_at("sem_getvalue", NULL, &o->word);
    return 0;
}

/* ---- once --------------------------------------------------------------------------- */

/* glibc: a pthread_once_t that is done holds 2 (__PTHREAD_ONCE_DONE). */
#define FL_INTERPOSE__ONCE_DONE 2

int fl_interpose__once(void *once, void (*init)(void))
{
    if (__atomic_load_n((int *)once, __ATOMIC_ACQUIRE) == FL_INTERPOSE__ONCE_DONE) return 0;
    fl_interpose__obj *o = fl_interpose__get(once, FL_INTERPOSE__ONCE, NULL);
    int me = fl_interpose__me();
    while (o->state == 1) {
        uint32_t w = atomic_load(&o->word);
        o->arrived++; /* waiters, so that an uncontended once makes no point */
        fl_interpose__wait(o, w, SV_FOREVER, "once", o->owner);
        o = fl_interpose__get(once, FL_INTERPOSE__ONCE, NULL);
        o->arrived--;
    }
    if (o->state == 2) return 0;
    o->state = 1;
    o->owner = me;
    fl_real.pthread_once(once, init);
    o = fl_interpose__get(once, FL_INTERPOSE__ONCE, NULL);
    o->state = 2;
    o->owner = -1;
    if (o->arrived > 0) fl_interpose__notify(o, -1);
    return 0;
}
