/*
 * sched_core.c — the controlled platform's core: the baton, the scheduling
 * point (choice, virtual clock, deadlock / budget / grace), controlled
 * threads. The run lifecycle (fl_sched_run) is sched_run.c; reports are
 * sched_report.c.
 *
 * Invariants (all under fl_sched__run.mu):
 *  - exactly one thread has id == cur and it alone runs program code; cur is
 *    -1 only once the run is over;
 *  - a thread is in alive[] iff its state is not DONE;
 *  - a RUNNABLE thread has wait == FL_SCHED__W_NONE; a BLOCKED one has a wait kind
 *    and, unless deadline == SV_FOREVER, is woken (timedout) once clock
 *    reaches deadline;
 *  - clock only moves forward, and only when no thread is runnable.
 */
#include "sched/sched_int.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

fl_sched__run *fl_sched__R;
_Thread_local fl_sched__thr *fl_sched__self;
_Thread_local int fl_sched__free_id = -1;
_Thread_local fl_sched_capture *fl_sched__capture_slot;

fl_sched_capture *fl_sched_capture_set(fl_sched_capture *cap) {
    fl_sched_capture *prev = fl_sched__capture_slot;
    fl_sched__capture_slot = cap;
    return prev;
}

atomic_int fl_sched_live;
static void (*fl_sched__live_hooks[FL_SCHED_LIVE_HOOKS])(bool live);

void fl_sched_live_hook(void (*fn)(bool live))
{
    for (int i = 0; fn && i < FL_SCHED_LIVE_HOOKS; i++) {
        if (fl_sched__live_hooks[i] == fn) return;
        if (!fl_sched__live_hooks[i]) {
            fl_sched__live_hooks[i] = fn;
            return;
        }
    }
}

void fl_sched__set_live(bool live)
{
    atomic_store(&fl_sched_live, live ? 1 : 0);
    for (int i = 0; i < FL_SCHED_LIVE_HOOKS && fl_sched__live_hooks[i]; i++) fl_sched__live_hooks[i](live);
}
atomic_flag fl_sched__busy = ATOMIC_FLAG_INIT;
/* Set for good once a run ended STALLED: its thread still runs program code
 * somewhere in this process, so no further run can be trusted here. */
atomic_bool fl_sched__tainted;

uint32_t fl_sched__gen;


void fl_sched_yield(void) { sv_yield(); }

int fl_sched_current(void)
{
    if (fl_sched__self) return fl_sched__self->id;
    return fl_sched__free_id;
}

/* ---- threads -------------------------------------------------------------- */

int fl_sched__thread_add(fl_sched__run *r, void *(*fn)(void *), void *arg, const char *name, fl_sched__thr **out)
{
    if (r->nthr >= FL_SCHED_MAX_THREADS) return -EAGAIN;
    if (r->nthr == r->cap) {
        int nc = r->cap ? r->cap * 2 : 16;
        fl_sched__thr **t = realloc(r->thr, (size_t)nc * sizeof *t);
        if (!t) return -ENOMEM;
        r->thr = t;
        fl_sched__thr **a = realloc(r->alive, (size_t)nc * sizeof *a);
        if (!a) return -ENOMEM;
        r->alive = a;
        int *s = realloc(r->scratch, (size_t)nc * sizeof *s);
        if (!s) return -ENOMEM;
        r->scratch = s;
        int *hi = realloc(r->hook_ids, (size_t)nc * sizeof *hi);
        if (!hi) return -ENOMEM;
        r->hook_ids = hi;
        int *h = realloc(r->pct_high, (size_t)nc * sizeof *h);
        if (!h) return -ENOMEM;
        r->pct_high = h;
        fl_sched__thr **z = realloc(r->zombies, (size_t)nc * sizeof *z);
        if (!z) return -ENOMEM;
        r->zombies = z;
        r->cap = nc;
    }
    fl_sched__thr *t = calloc(1, sizeof *t);
    if (!t) return -ENOMEM;
    t->id = r->nthr;
    t->run = r;
    t->born = r->clock;
    t->died = -1;
    t->note.holder = -1;
    if (name && name[0]) snprintf(t->name, sizeof t->name, "%s", name);
    else snprintf(t->name, sizeof t->name, "thread-%d", t->id);
    FL_SCHED__PT(fl_real.pthread_mutex_init(&t->sm, NULL));
    FL_SCHED__PT(fl_real.pthread_cond_init(&t->sc, NULL));
    t->state = FL_SCHED__T_RUNNABLE;
    t->deadline = SV_FOREVER;
    t->fn = fn;
    t->arg = arg;
    t->cls = fl_sched__next_cls; /* named by the creator just before (0: none) */
    /* The new thread takes mu before touching anything, and mu is held.
     * All controlled threads share one CPU: only one runs at a time, and a
     * hand-off on one CPU avoids a cross-CPU wake-up (measured: about 4x
     * more runs per second on two cores). Best effort. */
    pthread_attr_t attr;
    FL_SCHED__PT(pthread_attr_init(&attr));
    if (r->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(r->cpu, &set);
        (void)pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    }
    int e = fl_real.pthread_create(&t->pt, &attr, fl_sched__trampoline, t);
    if (e == EINVAL && r->cpu >= 0) { /* the CPU is not ours to use after all */
        r->cpu = -1;
        FL_SCHED__PT(pthread_attr_destroy(&attr));
        FL_SCHED__PT(pthread_attr_init(&attr));
        e = fl_real.pthread_create(&t->pt, &attr, fl_sched__trampoline, t);
    }
    FL_SCHED__PT(pthread_attr_destroy(&attr));
    if (e != 0) {
        FL_SCHED__PT(fl_real.pthread_cond_destroy(&t->sc));
        FL_SCHED__PT(fl_real.pthread_mutex_destroy(&t->sm));
        free(t);
        return e == ENOMEM ? -ENOMEM : -EAGAIN;
    }
    t->started = true;
    if (r->hook.thread) r->hook.thread(r->hook.ud, t->id, t->name, t->born, -1);
    r->thr[r->nthr++] = t;
    r->alive[r->nalive++] = t;
    fl_sched__strat_thread_new(r, t);
    *out = t;
    return 0;
}

/* Leave for good: the run is over and this thread was killed where it waited
 * for the baton. No program code runs again on it; pthread_exit unwinds only
 * C frames without cleanup handlers (see sched.h). */
static _Noreturn void fl_sched__die(fl_sched__run *r)
{
    fl_sched__self = NULL;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
    fl_real_thread_exit(NULL);
}

void fl_sched__post(fl_sched__thr *t)
{
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&t->sm));
    t->go = true;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&t->sm));
    FL_SCHED__PT(fl_real.pthread_cond_signal(&t->sc));
}

/* (Spinning before the sleep was measured: slower on two cores.) */
static void fl_sched__slot_wait(fl_sched__thr *t)
{
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&t->sm));
    while (!t->go) FL_SCHED__PT(fl_real.pthread_cond_wait(&t->sc, &t->sm));
    t->go = false;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&t->sm));
}

/* With mu held: wait until cur names me (returns with mu held) or I am
 * killed (never returns). post, if set, is the thread just given the baton:
 * posted once mu is released. */
static void fl_sched__wait_turn(fl_sched__run *r, fl_sched__thr *me, fl_sched__thr *post)
{
    while (r->cur != me->id && !me->killed) {
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
        if (post) {
            fl_sched__post(post);
            post = NULL;
        }
        fl_sched__slot_wait(me);
        FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    }
    if (me->killed) fl_sched__die(r);
}

/* The program's thread left its function by unwinding (pthread_exit, or a
 * cancellation): it is DONE for joiners and the scheduler, as if it had
 * returned. Inner cleanup handlers (libsv's worker trampoline reports the
 * end as a crash) ran before this one, still as a controlled thread. A
 * thread the scheduler kills itself (fl_sched__die) has no self by then. */
static void fl_sched__unwound(void *p)
{
    fl_sched__thr *me = p;
    if (fl_sched__self != me) return;
    fl_sched__run *r = me->run;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    fl_sched__thread_done(r, me); /* releases mu */
    fl_sched__self = NULL;
}

void *fl_sched__trampoline(void *p)
{
    fl_sched__thr *me = p;
    fl_sched__run *r = fl_sched__R;
    fl_sched__self = me;
    atomic_store(&me->tid, (int)gettid());
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    fl_sched__wait_turn(r, me, NULL);
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
    void *ret;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* The sanitizers lose track of the stack when glibc jumps to a cleanup
     * buffer during forced unwinding; their builds have no interposer, so
     * a program's pthread_exit never reaches a controlled thread there. */
    (void)fl_sched__unwound;
    ret = me->fn(me->arg);
#else
    pthread_cleanup_push(fl_sched__unwound, me);
    ret = me->fn(me->arg);
    pthread_cleanup_pop(0);
#endif
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    fl_sched__thread_done(r, me); /* releases mu */
    fl_sched__self = NULL;
    return ret;
}

void fl_sched__unblock(fl_sched__thr *t, bool timedout)
{
    t->state = FL_SCHED__T_RUNNABLE;
    t->wait = FL_SCHED__W_NONE;
    t->wobj = NULL;
    t->deadline = SV_FOREVER;
    t->timedout = timedout;
    t->note = (fl_sched_waitfor){ NULL, 0, -1 };
}

void fl_sched__block(fl_sched__run *r, fl_sched__thr *me, fl_sched__wait w, const void *obj, int64_t deadline)
{
    me->state = FL_SCHED__T_BLOCKED;
    me->wait = w;
    me->wobj = obj;
    me->deadline = deadline;
    if (deadline != SV_FOREVER) { /* reported at this point, then cleared */
        me->fp.timed = true;
        me->fp.until = deadline;
    }
    me->wseq = ++r->wseq;
    me->timedout = false;
    static const char *const names[] = { "blocked", "lock-wait", "cond-wait", "fwait-block", "join-wait", "sleep" };
    r->op = names[w];
}

void fl_sched__thread_done(fl_sched__run *r, fl_sched__thr *me)
{
    me->state = FL_SCHED__T_DONE;
    me->died = r->clock;
    if (r->hook.thread) r->hook.thread(r->hook.ud, me->id, me->name, me->born, me->died);
    int j = 0;
    for (int i = 0; i < r->nalive; i++)
        if (r->alive[i] != me) r->alive[j++] = r->alive[i];
    r->nalive = j;
    for (int i = 0; i < r->nalive; i++) {
        fl_sched__thr *t = r->alive[i];
        if (t->state == FL_SCHED__T_BLOCKED && t->wait == FL_SCHED__W_JOIN && t->wobj == me) fl_sched__unblock(t, false);
    }
    if (me->id == 0) {
        r->main_done = true;
        r->main_done_step = r->steps;
        r->main_done_clock = r->clock;
    }
    if (me->detached) r->zombies[r->nzombies++] = me;
    fl_sched__touch(me, FL_SCHED_OBJ_KEY(FL_SCHED_OBJ_THREAD, me->id));
    /* The grace rule counts steps from main's exit (main_done_step): that
     * step must sit at the same place in every schedule the reduction
     * calls equivalent, so main's last transition commutes with nothing. */
    if (me->id == 0) fl_sched__touch(me, 0);
    r->op = "exit";
    r->opobj[0] = '\0';
    fl_sched__point(r, me);
}

int fl_sched__futex_id(fl_sched__run *r, const void *addr)
{
    for (int i = 0; i < r->nfutex; i++)
        if (r->futex_addr[i] == addr) return i;
    if (r->nfutex == r->futex_cap) {
        int nc = r->futex_cap ? r->futex_cap * 2 : 8;
        const void **p = realloc(r->futex_addr, (size_t)nc * sizeof *p);
        if (!p) return -1;
        r->futex_addr = p;
        r->futex_cap = nc;
    }
    r->futex_addr[r->nfutex] = addr;
    return r->nfutex++;
}

/* ---- the scheduling point ---------------------------------------------------- */

static int fl_sched__collect(fl_sched__run *r)
{
    int n = 0;
    for (int i = 0; i < r->nalive; i++)
        if (r->alive[i]->state == FL_SCHED__T_RUNNABLE) r->scratch[n++] = r->alive[i]->id;
    return n;
}

/* A timer that fires before every runnable thread has blocked: the sleeper
 * (or timed waiter) with the earliest deadline wakes now, as if the others
 * had been slow, and the clock moves to its deadline. Under RANDOM and PCT
 * it happens with probability timer_ppm per step that has a timed sleeper
 * (0: never, the default: time passes only when every thread is blocked);
 * under REPLAY of a schedule recorded so (FL_SCHED_SCHEDULE_TIMERS) when the
 * recorded choice names such a sleeper (the early wake-up is recorded as the
 * choice of that thread). Returns the
 * thread made runnable, or NULL. With mu held. */
static fl_sched__thr *fl_sched__early_timer(fl_sched__run *r)
{
    fl_sched__thr *t = NULL;
    for (int i = 0; i < r->nalive; i++) {
        fl_sched__thr *a = r->alive[i];
        if (a->state == FL_SCHED__T_BLOCKED && a->deadline != SV_FOREVER && (!t || a->deadline < t->deadline)) t = a;
    }
    if (!t) return NULL;
    if (r->strategy == FL_SCHED_STRAT_REPLAY) {
        if (!(r->replay->flags & FL_SCHED_SCHEDULE_TIMERS) || r->rp_run >= r->replay->nruns) return NULL;
        int want = (int)r->replay->runs[r->rp_run].tid;
        if (want >= r->nthr) return NULL;
        fl_sched__thr *w = r->thr[want];
        if (w->state != FL_SCHED__T_BLOCKED || w->deadline == SV_FOREVER) return NULL;
        t = w;
    } else if (r->timer_ppm == 0 || !fl_sched_strategy_seeded(r->strategy) ||
               fl_sched__rng_below(r->rng, 1000000) >= r->timer_ppm) {
        return NULL;
    }
    if (t->deadline > r->clock) {
        r->clock = t->deadline;
        r->clock_moved = true;
    }
    fl_sched__unblock(t, true);
    return t;
}

_Thread_local uint64_t fl_sched__next_cls;

void fl_sched_next_thread_class(uint64_t cls)
{
    fl_sched__next_cls = cls;
}

/* Symmetry (fl_sched_opts.symmetric): the runnable ids of this step as the
 * search driver sees them — of the threads that have never run and share a
 * class, only the first in scratch order (the lowest id: the one the open
 * replay's default would take) stays; every other thread stays. With mu held. */
static const int *fl_sched__sym_collapse(fl_sched__run *r, int n, int *out_n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        const fl_sched__thr *t = r->thr[r->scratch[i]];
        bool dup = false;
        for (int j = 0; j < i && t->cls && !t->ran && !dup; j++) {
            const fl_sched__thr *u = r->thr[r->scratch[j]];
            dup = !u->ran && u->cls == t->cls;
        }
        if (!dup) r->hook_ids[k++] = t->id;
    }
    *out_n = k;
    return r->hook_ids;
}

/* Choose who runs after the current step, or NULL when the run is over. */
static fl_sched__thr *fl_sched__decide(fl_sched__run *r, fl_sched__thr *me)
{
    int n;
    bool light = r->light; /* consumed: whoever steps next did not set it */
    r->light = false;
    r->clock_moved = false;
    while ((n = fl_sched__collect(r)) == 0) {
        if (r->nalive == 0) {
            fl_sched__end(r, FL_SCHED_OK, NULL);
            return NULL;
        }
        int64_t d = SV_FOREVER;
        for (int i = 0; i < r->nalive; i++)
            if (r->alive[i]->deadline < d) d = r->alive[i]->deadline;
        bool beyond = r->main_done && (r->main_done_clock > SV_FOREVER - FL_SCHED_GRACE_NS ||
                                       d > r->main_done_clock + FL_SCHED_GRACE_NS);
        if (d == SV_FOREVER || beyond) {
            if (r->main_done) fl_sched__end(r, FL_SCHED_OK, NULL);
            else fl_sched__end(r, FL_SCHED_DEADLOCK, "deadlock: no thread can run and no deadline is pending");
            return NULL;
        }
        if (d > r->clock) {
            r->clock = d;
            r->clock_moved = true;
        }
        for (int i = 0; i < r->nalive; i++) {
            fl_sched__thr *t = r->alive[i];
            if (t->state == FL_SCHED__T_BLOCKED && t->deadline <= r->clock) fl_sched__unblock(t, true);
        }
    }
    if (r->main_done && r->steps - r->main_done_step >= FL_SCHED_GRACE_STEPS) {
        fl_sched__end(r, FL_SCHED_OK, NULL);
        return NULL;
    }
    if (r->strategy == FL_SCHED_STRAT_REPLAY && !r->replay_open) {
        if (fl_sched__strat_replay_exhausted(r)) {
            if (r->replay->end == FL_SCHED_BUDGET && !r->main_done) {
                fl_sched__end(r, FL_SCHED_BUDGET, "step budget exhausted (as recorded)");
            } else {
                fl_sched__str m = {0};
                fl_sched__str_printf(&m, "the program continues past the %llu recorded steps (the recorded run ended: %s)",
                               (unsigned long long)r->replay->steps, fl_sched_status_name(r->replay->end));
                free(r->diverge_msg);
                r->diverge_msg = fl_sched__str_take(&m);
                fl_sched__end(r, FL_SCHED_DIVERGED, "replay diverged");
            }
            return NULL;
        }
    } else if (r->steps >= r->budget) {
        if (r->main_done) fl_sched__end(r, FL_SCHED_OK, NULL);
        else fl_sched__end(r, FL_SCHED_BUDGET, "step budget exhausted (livelock or runaway program)");
        return NULL;
    }
    bool followed = true;
    fl_sched__thr *early = fl_sched__early_timer(r);
    if (early) n = fl_sched__collect(r); /* it is runnable now */
    int id;
    if (early && r->strategy != FL_SCHED_STRAT_REPLAY) {
        /* The sleeper runs now (the schedule records the early wake-up as its
         * choice). PCT still takes this choice's change point, if it is one:
         * the thread it would have run drops, so no change point is lost;
         * POS still re-draws the priorities the step that ran disturbed. */
        if (r->strategy == FL_SCHED_STRAT_PCT || r->strategy == FL_SCHED_STRAT_POS)
            (void)fl_sched__strat_pick(r, me, r->scratch, n, &followed);
        id = early->id;
    }
    /* A light point under random: most of the time the caller goes on. */
    else if (light && r->strategy == FL_SCHED_STRAT_RANDOM && me && me->state == FL_SCHED__T_RUNNABLE &&
             (r->light_ppm == FL_SCHED_LIGHT_NEVER ||
              (r->light_ppm < 1000000u && fl_sched__rng_below(r->rng, 1000000u) >= r->light_ppm)))
        id = me->id;
    else
        id = fl_sched__strat_pick(r, me, r->scratch, n, &followed);
    if (id < 0) {
        fl_sched__end(r, FL_SCHED_DIVERGED, "replay diverged");
        return NULL;
    }
    bool me_runnable = me && me->state == FL_SCHED__T_RUNNABLE;
    if (me_runnable && id != me->id) r->preempt++;
    if (n > 1) r->choices++;
    if (r->hook.op) r->hook.op(r->hook.ud, r->steps, r->op ? r->op : "?", r->opobj, r->clock);
    if (r->hook.footprint && me) r->hook.footprint(r->hook.ud, r->steps, me->id, &me->fp);
    if (r->hook.step) {
        int hn = n;
        const int *hids = r->symmetric ? fl_sched__sym_collapse(r, n, &hn) : r->scratch;
        r->hook.step(r->hook.ud, r->steps, me ? me->id : -1, hids, hn, id, followed);
    }
    r->thr[id]->ran = true;
    if (me) fl_sched__fp_restart(me);
    if (fl_sched_schedule_push(&r->rec, (uint32_t)id) < 0) r->rec_oom = true;
    if (r->tracing) {
        fl_sched__str_printf(&r->trace, "%llu %d %s%s%s -> %d", (unsigned long long)r->steps, me ? me->id : -1,
                       r->op ? r->op : "?", r->opobj[0] ? " " : "", r->opobj, id);
        if (r->clock_moved) fl_sched__str_printf(&r->trace, " @%lld", (long long)r->clock);
        fl_sched__str_printf(&r->trace, "\n");
    }
    r->steps++;
    return r->thr[id];
}

void fl_sched__point(fl_sched__run *r, fl_sched__thr *me)
{
    fl_sched__thr *next = fl_sched__decide(r, me);
    if (!next) {
        r->over = true;
        r->cur = -1;
        FL_SCHED__PT(fl_real.pthread_cond_signal(&r->host_cv));
        if (me->state != FL_SCHED__T_DONE) fl_sched__wait_turn(r, me, NULL); /* returns only by dying */
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
        return;
    }
    if (next == me) return;
    r->cur = next->id;
    if (me->state == FL_SCHED__T_DONE) {
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
        fl_sched__post(next);
        return;
    }
    fl_sched__wait_turn(r, me, next);
}
