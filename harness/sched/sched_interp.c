/*
 * sched_interp.c — what the interposer (interpose/) needs from the controlled
 * platform beyond the seam: a bare scheduling point, a futex wait that says
 * what it waits for (deadlock reports, the wait-for cycle), the real thread
 * behind a handle, and pthread_exit of a controlled thread.
 */
#include "sched/sched_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool fl_sched_controlled(void)
{
    fl_sched__thr *me = fl_sched__self;
    return me && !me->run->over;
}

uint32_t fl_sched_run_id(void)
{
    fl_sched__thr *me = fl_sched__self;
    return me ? me->run->gen : 0;
}

int64_t fl_sched_clock(void)
{
    fl_sched__thr *me = fl_sched__self;
    return me ? me->run->clock : 0;
}

void fl_sched_point(const char *op, const char *obj)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, op);
    if (obj) snprintf(r->opobj, sizeof r->opobj, "%s", obj);
    fl_sched__touch(me, 0);
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

void fl_sched_point_at(const char *op, const char *obj, const void *word)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, op);
    if (obj) snprintf(r->opobj, sizeof r->opobj, "%s", obj);
    int fid = word ? fl_sched__futex_id(r, word) : -1;
    fl_sched__touch(me, fid < 0 ? 0 : FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_FUTEX, fid));
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

void fl_sched_point_light(const char *op, const char *obj, uint32_t var)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, op);
    if (obj) snprintf(r->opobj, sizeof r->opobj, "%s", obj);
    /* the access follows the point: it belongs to the transition that
     * begins here, whose footprint starts with this operation's keys */
    fl_sched__touch(me, var ? FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_VAR, var) : 0);
    r->light = true; /* consumed by the step's decision */
    fl_sched__point(r, me);
    fl_sched__leave(r);
}

void fl_sched_touch_var(uint32_t var)
{
    /* only the thread holding the baton runs, and only it writes its own
     * footprint between points: no lock needed */
    fl_sched__thr *me = fl_sched__self;
    if (me) fl_sched__touch(me, var ? FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_VAR, var) : 0);
}

int fl_sched_wait_on(_Atomic uint32_t *word, uint32_t expected, int64_t deadline, const fl_sched_waitfor *why)
{
    fl_sched__thr *me;
    fl_sched__run *r = fl_sched__enter(&me, "fwait");
    int fid = fl_sched__futex_id(r, word);
    if (why) snprintf(r->opobj, sizeof r->opobj, "%s%d", why->kind, why->id);
    else snprintf(r->opobj, sizeof r->opobj, "f%d", fid);
    fl_sched__touch(me, fid < 0 ? 0 : FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_FUTEX, fid));
    if (deadline != SV_FOREVER) fl_sched__touch_clock(r, me);
    fl_sched__point(r, me);
    int rc = 0;
    if (atomic_load(word) == expected) {
        if (deadline > r->clock) {
            fl_sched__block(r, me, FL_SCHED__W_FUTEX, word, deadline);
            if (why) me->note = *why;
            fl_sched__point(r, me);
            if (me->timedout) rc = -ETIMEDOUT;
        } else {
            rc = -ETIMEDOUT;
        }
    }
    fl_sched__leave(r);
    return rc;
}

void fl_sched_wake(_Atomic uint32_t *word, int n) { sv_wake(word, n); }

unsigned long fl_sched_thread_pthread(const void *h)
{
    const fl_sched__thr *t = h;
    return (unsigned long)t->pt;
}

bool fl_sched_thread_known(int tid)
{
    fl_sched__thr *me = fl_sched__self;
    if (!me) return false;
    fl_sched__run *r = me->run;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    bool known = false;
    for (int i = 0; i < r->nthr && !known; i++) known = atomic_load(&r->thr[i]->tid) == tid;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
    return known;
}
