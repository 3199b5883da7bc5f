/*
 * interpose_thread.c — threads, sleeping and yielding under control.
 *
 * A thread the program creates is a controlled thread (sv_thread_create
 * under the controlled platform); its pthread_t is the real thread's, so
 * pthread_self and pthread_equal (passed through) agree with it. Its record
 * exists before the thread does and the thread reaches it through its start
 * argument (the scheduler may run the new thread to completion inside the
 * creator's `create` scheduling point); join finds it through the pthread_t,
 * which maps to the newest thread that had it.
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The calling thread's own record (NULL for threads the interposer did not
 * create, such as main): where pthread_exit leaves its value. */
static _Thread_local fl_interpose__obj *fl_interpose__my;

typedef struct fl_interpose__start {
    fl_interpose__obj *rec;
} fl_interpose__start;

static void *fl_interpose__tramp(void *p)
{
    fl_interpose__obj *rec = ((fl_interpose__start *)p)->rec;
    free(p);
    fl_interpose__my = rec;
    void *ret = rec->c11fn ? (void *)(intptr_t)rec->c11fn(rec->arg) : rec->fn(rec->arg);
    rec->ret = ret;
    fl_interpose__my = NULL;
    return ret;
}

/* Symmetry class of a thread (fl_sched_next_thread_class): one number per
 * (start routine, argument value) pair, from 1, in first-seen order, kept
 * for the life of the process (so the same pair has the same class in every
 * run); 0 once the table is full (no class: never merged). Creation happens
 * under the baton, one thread at a time: no lock. */
#define FL_INTERPOSE__CLASSES 64
static uint64_t fl_interpose__class(uintptr_t fn, uintptr_t arg)
{
    static struct { uintptr_t fn, arg; } cls[FL_INTERPOSE__CLASSES];
    static int ncls;
    for (int i = 0; i < ncls; i++)
        if (cls[i].fn == fn && cls[i].arg == arg) return (uint64_t)i + 1;
    if (ncls == FL_INTERPOSE__CLASSES) return 0;
    cls[ncls].fn = fn;
    cls[ncls].arg = arg;
    return (uint64_t)++ncls;
}

int fl_interpose__create(unsigned long *pt, bool detached, void *(*fn)(void *), void *arg, int (*c11fn)(void *))
{
    fl_interpose__start *st = malloc(sizeof *st);
    if (!st) return EAGAIN;
    /* The record is keyed by an odd number, never an object's address: a
     * pthread_t is reused by the C library once its thread ended, so it
     * only maps to the record (a PTID entry, replaced by each new thread). */
    uint64_t seq = ++fl_interpose__stats.threads;
    fl_interpose__obj *o = fl_interpose__get((const void *)(uintptr_t)(seq << 1 | 1), FL_INTERPOSE__THREAD, NULL);
    o->fn = fn;
    o->c11fn = c11fn;
    o->arg = arg;
    o->detached = detached;
    st->rec = o;
    char name[32];
    snprintf(name, sizeof name, "t%llu", (unsigned long long)seq);
    sv_thread *h;
    fl_sched_next_thread_class(fl_interpose__class(fn ? (uintptr_t)fn : (uintptr_t)c11fn, (uintptr_t)arg));
    if (sv_thread_create(&h, fl_interpose__tramp, st, name) < 0) {
        free(st);
        fl_interpose__drop(o->addr);
        return EAGAIN;
    }
    o = fl_interpose__get((const void *)(uintptr_t)(seq << 1 | 1), FL_INTERPOSE__THREAD, NULL);
    o->handle = h;
    o->pt = fl_sched_thread_pthread(h);
    fl_interpose__obj *map = fl_interpose__get((const void *)(uintptr_t)o->pt, FL_INTERPOSE__PTID, NULL);
    map->arg = o;
    *pt = o->pt;
    if (detached) sv_thread_detach(h);
    return 0;
}

fl_interpose__obj *fl_interpose__thread_by_pt(unsigned long pt)
{
    fl_interpose__obj *map = fl_interpose__find((const void *)(uintptr_t)pt, FL_INTERPOSE__PTID);
    return map ? map->arg : NULL;
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

/* The thread stays controlled while it unwinds: the program's cleanup
 * handlers (and libsv's, for a worker) run as scheduled code, then the
 * scheduler's trampoline makes it DONE (fl_sched.h). */
_Noreturn void fl_interpose__exit(void *ret)
{
    if (fl_interpose__my) fl_interpose__my->ret = ret;
    fl_interpose__my = NULL;
    fl_real_thread_exit(ret);
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
