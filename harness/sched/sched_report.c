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
    free(r->report);
    r->report = fl_sched__str_take(&s);
}

