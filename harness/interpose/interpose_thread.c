/*
 * interpose_thread.c — threads, sleeping and yielding under control.
 *
 * A thread the program creates is a controlled thread (sv_thread_create
 * under the controlled platform); its pthread_t is the real thread's, so
 * pthread_self and pthread_equal (passed through) agree with it. The thread
 * record is keyed by that pthread_t and created by whichever side gets
 * there first: the creator after sv_thread_create returns, or the new
 * thread itself if it already ended (its return value must be kept) — the
 * scheduler may run the new thread to completion inside the creator's
 * `create` scheduling point.
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct fl_interpose__start {
    void *(*fn)(void *);
    int (*c11fn)(void *);
    void *arg;
} fl_interpose__start;

static fl_interpose__obj *fl_interpose__self_rec(void)
{
    return fl_interpose__get((const void *)(uintptr_t)pthread_self(), FL_INTERPOSE__THREAD, NULL);
}

static void *fl_interpose__tramp(void *p)
{
    fl_interpose__start st = *(fl_interpose__start *)p;
    free(p);
    void *ret = st.c11fn ? (void *)(intptr_t)st.c11fn(st.arg) : st.fn(st.arg);
    fl_interpose__self_rec()->ret = ret;
    return ret;
}

int fl_interpose__create(unsigned long *pt, bool detached, void *(*fn)(void *), void *arg, int (*c11fn)(void *))
{
    fl_interpose__start *st = malloc(sizeof *st);
    if (!st) return EAGAIN;
    *st = (fl_interpose__start){ fn, c11fn, arg };
    char name[32];
    snprintf(name, sizeof name, "t%llu", (unsigned long long)++fl_interpose__stats.threads);
    sv_thread *h;
    int rc = sv_thread_create(&h, fl_interpose__tramp, st, name);
    if (rc < 0) {
        free(st);
        return EAGAIN;
    }
    unsigned long id = fl_sched_thread_pthread(h);
    fl_interpose__obj *o = fl_interpose__get((const void *)(uintptr_t)id, FL_INTERPOSE__THREAD, NULL);
    o->handle = h;
    o->pt = id;
    *pt = id;
    if (detached) {
        o->detached = true;
        sv_thread_detach(h);
    }
    return 0;
}

int fl_interpose__join(unsigned long pt, void **ret)
{
    if (pt == (unsigned long)pthread_self()) return EDEADLK;
    fl_interpose__obj *o = fl_interpose__thread_by_pt(pt);
    if (!o || !o->handle) return ESRCH;
    if (o->detached) return EINVAL;
    sv_thread_join((sv_thread *)o->handle, SV_FOREVER);
    o = fl_interpose__thread_by_pt(pt);
    if (ret) *ret = o ? o->ret : NULL;
    fl_interpose__drop((const void *)(uintptr_t)pt); /* a second join answers ESRCH */
    return 0;
}

int fl_interpose__detach(unsigned long pt)
{
    fl_interpose__obj *o = fl_interpose__thread_by_pt(pt);
    if (!o || !o->handle) return ESRCH;
    if (o->detached) return EINVAL;
    o->detached = true;
    sv_thread_detach((sv_thread *)o->handle);
    return 0;
}

_Noreturn void fl_interpose__exit(void *ret)
{
    fl_interpose__self_rec()->ret = ret;
    fl_sched_thread_exit();
}

/* ---- sleeping, yielding ------------------------------------------------------ */

void fl_interpose__sleep_until(int64_t deadline)
{
    if (deadline <= fl_sched_clock()) fl_sched_point("sleep", NULL);
    else sv_sleep_until(deadline);
}

void fl_interpose__sleep_ns(int64_t ns)
{
    if (ns <= 0) {
        fl_sched_point("sleep", NULL);
        return;
    }
    int64_t now = fl_sched_clock();
    fl_interpose__sleep_until(ns > SV_FOREVER - now ? SV_FOREVER : now + ns);
}

void fl_interpose__yield(void) { sv_yield(); }
