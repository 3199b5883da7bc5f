/*
 * sched_report.c — the controlled platform's words: growable strings, fatal
 * misuse, status names, and the reports that describe each thread (what it
 * waits on, who holds what) for deadlock, budget and divergence.
 * All with fl_sched__run.mu held where a run is involved.
 */
#include "sched/sched_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strings, fatal ------------------------------------------------------- */

void fl_sched__str_printf(fl_sched__str *s, const char *fmt, ...)
{
    if (s->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = s->cap - s->n;
        int k = vsnprintf(s->p ? s->p + s->n : NULL, s->p ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) { s->oom = true; return; }
        if (s->p && (size_t)k < room) { s->n += (size_t)k; return; }
        size_t cap = s->cap ? s->cap : 128;
        while (cap < s->n + (size_t)k + 1) cap *= 2;
        char *q = realloc(s->p, cap);
        if (!q) { s->oom = true; return; }
        s->p = q;
        s->cap = cap;
    }
}

char *fl_sched__str_take(fl_sched__str *s)
{
    char *p = s->oom ? NULL : s->p;
    if (s->oom) free(s->p);
    memset(s, 0, sizeof *s);
    return p;
}

_Noreturn void fl_sched__fatal(const char *fmt, ...)
{
    va_list ap;
    fputs("faultline scheduler: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

const char *fl_sched_status_name(fl_sched_status st)
{
    switch (st) {
    case FL_SCHED_OK: return "ok";
    case FL_SCHED_DEADLOCK: return "deadlock";
    case FL_SCHED_BUDGET: return "budget";
    case FL_SCHED_DIVERGED: return "diverged";
    case FL_SCHED_STALLED: return "stalled";
    }
    return "?";
}

/* ---- reports ---------------------------------------------------------------- */

static void fl_sched__deadline_text(int64_t d, fl_sched__str *out)
{
    if (d != SV_FOREVER)
        fl_sched__str_printf(out, " until %lld.%09lld s", (long long)(d / 1000000000), (long long)(d % 1000000000));
}

static bool fl_sched__forever(const fl_sched__thr *t) { return t->deadline == SV_FOREVER; }

void fl_sched__describe(fl_sched__run *r, const fl_sched__thr *t, fl_sched__str *out)
{
    fl_sched__str_printf(out, "thread %d \"%s\": ", t->id, t->name);
    if (t->state == FL_SCHED__T_RUNNABLE) {
        fl_sched__str_printf(out, "runnable");
        return;
    }
    if (t->state == FL_SCHED__T_DONE) {
        fl_sched__str_printf(out, "ended");
        return;
    }
    switch (t->wait) {
    case FL_SCHED__W_MUTEX: {
        const fl_sched__mtx *m = t->wobj;
        fl_sched__str_printf(out, "waits for mutex m%d", m->id);
        if (m->owner == t->id) fl_sched__str_printf(out, ", which it holds itself (relock)");
        else if (m->owner >= 0 && m->owner < r->nthr)
            fl_sched__str_printf(out, ", held by thread %d \"%s\"", m->owner, r->thr[m->owner]->name);
        break;
    }
    case FL_SCHED__W_COND: {
        const fl_sched__cnd *c = t->wobj;
        fl_sched__str_printf(out, "waits on condition c%d (mutex m%d released)", c->id, t->wmutex_id);
        break;
    }
    case FL_SCHED__W_FUTEX: {
        if (t->note.kind) {
            fl_sched__str_printf(out, "waits for %s %d", t->note.kind, t->note.id);
            if (t->note.holder == t->id) fl_sched__str_printf(out, ", which it holds itself");
            else if (t->note.holder >= 0 && t->note.holder < r->nthr)
                fl_sched__str_printf(out, ", held by thread %d \"%s\"", t->note.holder, r->thr[t->note.holder]->name);
            break;
        }
        int id = fl_sched__futex_id(r, t->wobj);
        fl_sched__str_printf(out, "waits on futex word f%d (value %u)", id,
                       (unsigned)atomic_load((_Atomic uint32_t *)(uintptr_t)t->wobj));
        break;
    }
    case FL_SCHED__W_JOIN: {
        const fl_sched__thr *o = t->wobj;
        if (o == t) fl_sched__str_printf(out, "waits to join itself");
        else fl_sched__str_printf(out, "waits to join thread %d \"%s\"", o->id, o->name);
        break;
    }
    case FL_SCHED__W_SLEEP: fl_sched__str_printf(out, fl_sched__forever(t) ? "sleeps forever" : "sleeps"); break;
    case FL_SCHED__W_NONE: fl_sched__str_printf(out, "blocked"); break;
    }
    fl_sched__deadline_text(t->deadline, out);
}

/* The thread t waits for, when that is one thread (a mutex's or a described
 * object's holder, a joined thread); -1 otherwise. */
static int fl_sched__waits_for(const fl_sched__run *r, const fl_sched__thr *t)
{
    if (t->state != FL_SCHED__T_BLOCKED) return -1;
    switch (t->wait) {
    case FL_SCHED__W_MUTEX: return ((const fl_sched__mtx *)t->wobj)->owner;
    case FL_SCHED__W_FUTEX: return t->note.kind ? t->note.holder : -1;
    case FL_SCHED__W_JOIN: return ((const fl_sched__thr *)t->wobj)->id;
    default: return -1;
    }
}

/* "cycle: thread 1 "a" -> thread 2 "b" -> thread 1" when the wait-for graph
 * of the blocked threads has a cycle (each thread waits for at most one). */
static void fl_sched__cycle(fl_sched__run *r, fl_sched__str *s)
{
    for (int i = 0; i < r->nalive; i++) {
        /* walk at most nthr edges from alive[i]; a cycle is found when the
         * walk returns to a thread already on it */
        int start = r->alive[i]->id, cur = start, len = 0;
        while (len <= r->nthr) {
            int nx = fl_sched__waits_for(r, r->thr[cur]);
            if (nx < 0 || nx >= r->nthr) break;
            cur = nx;
            len++;
            if (cur == start) {
                fl_sched__str_printf(s, "  wait-for cycle: ");
                int c = start;
                do {
                    fl_sched__str_printf(s, "thread %d \"%s\" -> ", c, r->thr[c]->name);
                    c = fl_sched__waits_for(r, r->thr[c]);
                } while (c != start);
                fl_sched__str_printf(s, "thread %d\n", start);
                return;
            }
        }
    }
}

void fl_sched__end(fl_sched__run *r, fl_sched_status st, const char *why)
{
    r->status = st;
    if (!why) return;
    fl_sched__str s = {0};
    fl_sched__str_printf(&s, "%s at step %llu, virtual time %lld.%09lld s", why, (unsigned long long)r->steps,
                   (long long)(r->clock / 1000000000), (long long)(r->clock % 1000000000));
    if (st == FL_SCHED_DIVERGED && r->diverge_msg) fl_sched__str_printf(&s, ": %s", r->diverge_msg);
    fl_sched__str_printf(&s, "\n");
    for (int i = 0; i < r->nalive; i++) {
        fl_sched__str_printf(&s, "  ");
        fl_sched__describe(r, r->alive[i], &s);
        fl_sched__str_printf(&s, "\n");
    }
    if (st == FL_SCHED_DEADLOCK) fl_sched__cycle(r, &s);
    free(r->report);
    r->report = fl_sched__str_take(&s);
}

