/*
 * sched_core.c — the controlled platform's core: the baton, the scheduling
 * point (choice, virtual clock, deadlock / budget / grace), controlled
 * threads, and the run lifecycle (fl_sched_run). Reports: sched_report.c.
 *
 * Invariants (all under fl__run.mu):
 *  - exactly one thread has id == cur and it alone runs program code; cur is
 *    -1 only once the run is over;
 *  - a thread is in alive[] iff its state is not DONE;
 *  - a RUNNABLE thread has wait == FL__W_NONE; a BLOCKED one has a wait kind
 *    and, unless deadline == SV_FOREVER, is woken (timedout) once clock
 *    reaches deadline;
 *  - clock only moves forward, and only when no thread is runnable.
 */
#include "sched_int.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fl__run *fl__R;
_Thread_local fl__thr *fl__self;
_Thread_local int fl__free_id = -1;
_Thread_local fl__capture *fl__shrink_capture;

static atomic_flag fl__busy = ATOMIC_FLAG_INIT;

static uint32_t fl__gen;


void fl_yield(void) { sv_yield(); }

int fl_sched_current(void)
{
    if (fl__self) return fl__self->id;
    return fl__free_id;
}

/* ---- threads -------------------------------------------------------------- */

int fl__thread_add(fl__run *r, void *(*fn)(void *), void *arg, const char *name, fl__thr **out)
{
    if (r->nthr >= FL_SCHED_MAX_THREADS) return -EAGAIN;
    if (r->nthr == r->cap) {
        int nc = r->cap ? r->cap * 2 : 16;
        fl__thr **t = realloc(r->thr, (size_t)nc * sizeof *t);
        if (!t) return -ENOMEM;
        r->thr = t;
        fl__thr **a = realloc(r->alive, (size_t)nc * sizeof *a);
        if (!a) return -ENOMEM;
        r->alive = a;
        int *s = realloc(r->scratch, (size_t)nc * sizeof *s);
        if (!s) return -ENOMEM;
        r->scratch = s;
        int *h = realloc(r->pct_high, (size_t)nc * sizeof *h);
        if (!h) return -ENOMEM;
        r->pct_high = h;
        fl__thr **z = realloc(r->zombies, (size_t)nc * sizeof *z);
        if (!z) return -ENOMEM;
        r->zombies = z;
        r->cap = nc;
    }
    fl__thr *t = calloc(1, sizeof *t);
    if (!t) return -ENOMEM;
    t->id = r->nthr;
    if (name && name[0]) snprintf(t->name, sizeof t->name, "%s", name);
    else snprintf(t->name, sizeof t->name, "thread-%d", t->id);
    FL__PT(pthread_mutex_init(&t->sm, NULL));
    FL__PT(pthread_cond_init(&t->sc, NULL));
    t->state = FL__T_RUNNABLE;
    t->deadline = SV_FOREVER;
    t->fn = fn;
    t->arg = arg;
    /* The new thread takes mu before touching anything, and mu is held.
     * All controlled threads share one CPU: only one runs at a time, and a
     * hand-off on one CPU avoids a cross-CPU wake-up (measured: about 4x
     * more runs per second on two cores). Best effort. */
    pthread_attr_t attr;
    FL__PT(pthread_attr_init(&attr));
    if (r->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(r->cpu, &set);
        (void)pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    }
    int e = pthread_create(&t->pt, &attr, fl__trampoline, t);
    if (e == EINVAL && r->cpu >= 0) { /* the CPU is not ours to use after all */
        r->cpu = -1;
        FL__PT(pthread_attr_destroy(&attr));
        FL__PT(pthread_attr_init(&attr));
        e = pthread_create(&t->pt, &attr, fl__trampoline, t);
    }
    FL__PT(pthread_attr_destroy(&attr));
    if (e != 0) {
        FL__PT(pthread_cond_destroy(&t->sc));
        FL__PT(pthread_mutex_destroy(&t->sm));
        free(t);
        return e == ENOMEM ? -ENOMEM : -EAGAIN;
    }
    t->started = true;
    r->thr[r->nthr++] = t;
    r->alive[r->nalive++] = t;
    fl__strat_thread_new(r, t);
    *out = t;
    return 0;
}

/* Leave for good: the run is over and this thread was killed where it waited
 * for the baton. No program code runs again on it; pthread_exit unwinds only
 * C frames without cleanup handlers (see sched.h). */
static _Noreturn void fl__die(fl__run *r)
{
    fl__self = NULL;
    FL__PT(pthread_mutex_unlock(&r->mu));
    pthread_exit(NULL);
}

static void fl__post(fl__thr *t)
{
    FL__PT(pthread_mutex_lock(&t->sm));
    t->go = true;
    FL__PT(pthread_mutex_unlock(&t->sm));
    FL__PT(pthread_cond_signal(&t->sc));
}

/* (Spinning before the sleep was measured: slower on two cores.) */
static void fl__slot_wait(fl__thr *t)
{
    FL__PT(pthread_mutex_lock(&t->sm));
    while (!t->go) FL__PT(pthread_cond_wait(&t->sc, &t->sm));
    t->go = false;
    FL__PT(pthread_mutex_unlock(&t->sm));
}

/* With mu held: wait until cur names me (returns with mu held) or I am
 * killed (never returns). post, if set, is the thread just given the baton:
 * posted once mu is released. */
static void fl__wait_turn(fl__run *r, fl__thr *me, fl__thr *post)
{
    while (r->cur != me->id && !me->killed) {
        FL__PT(pthread_mutex_unlock(&r->mu));
        if (post) {
            fl__post(post);
            post = NULL;
        }
        fl__slot_wait(me);
        FL__PT(pthread_mutex_lock(&r->mu));
    }
    if (me->killed) fl__die(r);
}

void *fl__trampoline(void *p)
{
    fl__thr *me = p;
    fl__run *r = fl__R;
    fl__self = me;
    FL__PT(pthread_mutex_lock(&r->mu));
    fl__wait_turn(r, me, NULL);
    FL__PT(pthread_mutex_unlock(&r->mu));
    void *ret = me->fn(me->arg);
    FL__PT(pthread_mutex_lock(&r->mu));
    fl__thread_done(r, me); /* releases mu */
    fl__self = NULL;
    return ret;
}

void fl__unblock(fl__thr *t, bool timedout)
{
    t->state = FL__T_RUNNABLE;
    t->wait = FL__W_NONE;
    t->wobj = NULL;
    t->deadline = SV_FOREVER;
    t->timedout = timedout;
}

void fl__block(fl__run *r, fl__thr *me, fl__wait w, const void *obj, int64_t deadline)
{
    me->state = FL__T_BLOCKED;
    me->wait = w;
    me->wobj = obj;
    me->deadline = deadline;
    me->wseq = ++r->wseq;
    me->timedout = false;
    static const char *const names[] = { "blocked", "lock-wait", "cond-wait", "fwait-block", "join-wait", "sleep" };
    r->op = names[w];
}

void fl__thread_done(fl__run *r, fl__thr *me)
{
    me->state = FL__T_DONE;
    int j = 0;
    for (int i = 0; i < r->nalive; i++)
        if (r->alive[i] != me) r->alive[j++] = r->alive[i];
    r->nalive = j;
    for (int i = 0; i < r->nalive; i++) {
        fl__thr *t = r->alive[i];
        if (t->state == FL__T_BLOCKED && t->wait == FL__W_JOIN && t->wobj == me) fl__unblock(t, false);
    }
    if (me->id == 0) {
        r->main_done = true;
        r->main_done_step = r->steps;
        r->main_done_clock = r->clock;
    }
    if (me->detached) r->zombies[r->nzombies++] = me;
    r->op = "exit";
    r->opobj[0] = '\0';
    fl__point(r, me);
}

int fl__futex_id(fl__run *r, const void *addr)
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

static int fl__collect(fl__run *r)
{
    int n = 0;
    for (int i = 0; i < r->nalive; i++)
        if (r->alive[i]->state == FL__T_RUNNABLE) r->scratch[n++] = r->alive[i]->id;
    return n;
}

/* Choose who runs after the current step, or NULL when the run is over. */
static fl__thr *fl__decide(fl__run *r, fl__thr *me)
{
    int n;
    r->clock_moved = false;
    while ((n = fl__collect(r)) == 0) {
        if (r->nalive == 0) {
            fl__end(r, FL_SCHED_OK, NULL);
            return NULL;
        }
        int64_t d = SV_FOREVER;
        for (int i = 0; i < r->nalive; i++)
            if (r->alive[i]->deadline < d) d = r->alive[i]->deadline;
        bool beyond = r->main_done && (r->main_done_clock > SV_FOREVER - FL_SCHED_GRACE_NS ||
                                       d > r->main_done_clock + FL_SCHED_GRACE_NS);
        if (d == SV_FOREVER || beyond) {
            if (r->main_done) fl__end(r, FL_SCHED_OK, NULL);
            else fl__end(r, FL_SCHED_DEADLOCK, "deadlock: no thread can run and no deadline is pending");
            return NULL;
        }
        if (d > r->clock) {
            r->clock = d;
            r->clock_moved = true;
        }
        for (int i = 0; i < r->nalive; i++) {
            fl__thr *t = r->alive[i];
            if (t->state == FL__T_BLOCKED && t->deadline <= r->clock) fl__unblock(t, true);
        }
    }
    if (r->main_done && r->steps - r->main_done_step >= FL_SCHED_GRACE_STEPS) {
        fl__end(r, FL_SCHED_OK, NULL);
        return NULL;
    }
    if (r->strategy == FL_STRAT_REPLAY && !r->replay_open) {
        if (fl__strat_replay_exhausted(r)) {
            if (r->replay->end == FL_SCHED_BUDGET && !r->main_done) {
                fl__end(r, FL_SCHED_BUDGET, "step budget exhausted (as recorded)");
            } else {
                fl__str m = {0};
                fl__str_printf(&m, "the program continues past the %llu recorded steps (the recorded run ended: %s)",
                               (unsigned long long)r->replay->steps, fl_sched_status_name(r->replay->end));
                free(r->diverge_msg);
                r->diverge_msg = fl__str_take(&m);
                fl__end(r, FL_SCHED_DIVERGED, "replay diverged");
            }
            return NULL;
        }
    } else if (r->steps >= r->budget) {
        if (r->main_done) fl__end(r, FL_SCHED_OK, NULL);
        else fl__end(r, FL_SCHED_BUDGET, "step budget exhausted (livelock or runaway program)");
        return NULL;
    }
    bool followed = true;
    int id = fl__strat_pick(r, me, r->scratch, n, &followed);
    if (id < 0) {
        fl__end(r, FL_SCHED_DIVERGED, "replay diverged");
        return NULL;
    }
    bool me_runnable = me && me->state == FL__T_RUNNABLE;
    if (me_runnable && id != me->id) r->preempt++;
    if (r->hook.step) r->hook.step(r->hook.ud, r->steps, me ? me->id : -1, r->scratch, n, id, followed);
    if (fl_schedule_push(&r->rec, (uint32_t)id) < 0) r->rec_oom = true;
    if (r->tracing) {
        fl__str_printf(&r->trace, "%llu %d %s%s%s -> %d", (unsigned long long)r->steps, me ? me->id : -1,
                       r->op ? r->op : "?", r->opobj[0] ? " " : "", r->opobj, id);
        if (r->clock_moved) fl__str_printf(&r->trace, " @%lld", (long long)r->clock);
        fl__str_printf(&r->trace, "\n");
    }
    r->steps++;
    return r->thr[id];
}

void fl__point(fl__run *r, fl__thr *me)
{
    fl__thr *next = fl__decide(r, me);
    if (!next) {
        r->over = true;
        r->cur = -1;
        FL__PT(pthread_cond_signal(&r->host_cv));
        if (me->state != FL__T_DONE) fl__wait_turn(r, me, NULL); /* returns only by dying */
        FL__PT(pthread_mutex_unlock(&r->mu));
        return;
    }
    if (next == me) return;
    r->cur = next->id;
    if (me->state == FL__T_DONE) {
        FL__PT(pthread_mutex_unlock(&r->mu));
        fl__post(next);
        return;
    }
    fl__wait_turn(r, me, next);
}

/* ---- run lifecycle ----------------------------------------------------------- */

static void *fl__main_tramp(void *p)
{
    fl__run *r = p;
    r->main_fn(r->main_arg);
    return NULL;
}

static void fl__fill_result(fl__run *r, fl_sched_result *res)
{
    res->status = r->status;
    res->steps = r->steps;
    res->preemptions = r->preempt;
    res->virtual_ns = r->clock;
    res->threads = (uint32_t)r->nthr;
    res->report = r->report;
    r->report = NULL;
    if (r->tracing) res->trace = fl__str_take(&r->trace);
    /* leaked: alive at the end of a run whose main returned */
    if (r->main_done && r->nalive > 0) {
        res->leaked = calloc((size_t)r->nalive, sizeof *res->leaked);
        for (int i = 0; res->leaked && i < r->nalive; i++) {
            res->leaked[i] = strdup(r->alive[i]->name);
            if (res->leaked[i]) res->nleaked++;
        }
    }
    fl_schedule sc = r->rec;
    sc.flags &= FL_SCHEDULE_EDITED;
    sc.end = r->status == FL_SCHED_DIVERGED ? FL_SCHED_OK : r->status;
    if (r->status == FL_SCHED_DIVERGED) sc.flags |= FL_SCHEDULE_OPEN;
    sc.preemptions = r->preempt;
    if (!r->rec_oom) res->schedule = fl_schedule_format(&sc);
}

/* Strict replay: the run must have ended exactly where and how the record did. */
static void fl__check_replay_end(fl__run *r)
{
    if (r->strategy != FL_STRAT_REPLAY || r->replay_open || r->status == FL_SCHED_DIVERGED) return;
    fl__str m = {0};
    if (!fl__strat_replay_exhausted(r))
        fl__str_printf(&m, "the run ended (%s) at step %llu but the schedule records %llu steps",
                       fl_sched_status_name(r->status), (unsigned long long)r->steps,
                       (unsigned long long)r->replay->steps);
    else if (r->status != r->replay->end)
        fl__str_printf(&m, "the run ended with %s, the recorded run with %s", fl_sched_status_name(r->status),
                       fl_sched_status_name(r->replay->end));
    else if (r->preempt != r->replay->preemptions)
        fl__str_printf(&m, "the run made %llu preemptions, the recorded run %llu",
                       (unsigned long long)r->preempt, (unsigned long long)r->replay->preemptions);
    else
        return;
    free(r->diverge_msg);
    r->diverge_msg = fl__str_take(&m);
    fl__end(r, FL_SCHED_DIVERGED, "replay diverged");
}

static void fl__run_free(fl__run *r)
{
    for (int i = 0; i < r->nthr; i++) {
        FL__PT(pthread_cond_destroy(&r->thr[i]->sc));
        FL__PT(pthread_mutex_destroy(&r->thr[i]->sm));
        free(r->thr[i]);
    }
    free(r->thr);
    free(r->alive);
    free(r->scratch);
    free(r->pct_high);
    free(r->zombies);
    free(r->futex_addr);
    free(r->report);
    free(r->diverge_msg);
    free(fl__str_take(&r->trace));
    fl_schedule_free(&r->rec);
    FL__PT(pthread_cond_destroy(&r->host_cv));
    FL__PT(pthread_mutex_destroy(&r->mu));
    free(r);
}

static int fl__bad(fl_sched_result *res, const char *msg)
{
    res->report = strdup(msg);
    return -EINVAL;
}

int fl__sched_run_ex(const fl_sched_opts *o, const fl_schedule *replay, void (*main_fn)(void *), void *arg,
                     fl_sched_result *res, const fl__hook *hook)
{
    memset(res, 0, sizeof *res);
    if (!o || !main_fn) return fl__bad(res, "fl_sched_run: opts and main_fn are required");
    if (o->strategy != FL_STRAT_FREE && o->strategy != FL_STRAT_RANDOM && o->strategy != FL_STRAT_PCT && o->strategy != FL_STRAT_RR &&
        o->strategy != FL_STRAT_REPLAY)
        return fl__bad(res, "fl_sched_run: unknown strategy");
    if (o->strategy == FL_STRAT_REPLAY && !replay)
        return fl__bad(res, "fl_sched_run: strategy replay needs a schedule");
    if (o->strategy == FL_STRAT_PCT && o->depth > 64)
        return fl__bad(res, "fl_sched_run: pct depth must be 1..64");
    if (fl__self || fl__free_id >= 0 || atomic_flag_test_and_set(&fl__busy)) {
        res->report = strdup("fl_sched_run: another run is in progress");
        return -EBUSY;
    }
    int rc;
    if (o->strategy == FL_STRAT_FREE) {
        rc = fl__free_run(o, main_fn, arg, res);
        atomic_flag_clear(&fl__busy);
        return rc;
    }
    rc = -ENOMEM;
    fl__run *r = calloc(1, sizeof *r);
    if (!r) goto fail_busy;
    FL__PT(pthread_mutex_init(&r->mu, NULL));
    FL__PT(pthread_cond_init(&r->host_cv, NULL));
    r->gen = ++fl__gen;
    r->cpu = sched_getcpu();
    r->strategy = o->strategy;
    r->budget = o->step_budget ? o->step_budget : FL_SCHED_DEFAULT_BUDGET;
    r->tracing = o->trace;
    r->main_fn = main_fn;
    r->main_arg = arg;
    if (hook) r->hook = *hook;
    if (replay) {
        r->replay = replay;
        r->replay_open = (replay->flags & FL_SCHEDULE_OPEN) != 0;
        r->rec.strategy = replay->strategy;
        r->rec.seed = replay->seed;
        r->rec.depth = replay->depth;
        r->rec.pct_k = replay->pct_k;
        r->rec.flags = replay->flags & FL_SCHEDULE_EDITED;
    } else {
        r->seed = o->seed;
        r->depth = o->depth ? o->depth : FL_SCHED_DEFAULT_DEPTH;
        r->pct_k = o->pct_k ? o->pct_k : FL_SCHED_DEFAULT_PCT_K;
        r->rec.strategy = o->strategy;
        r->rec.seed = o->seed;
        if (o->strategy == FL_STRAT_PCT) {
            r->rec.depth = r->depth;
            r->rec.pct_k = r->pct_k;
        }
    }
    fl__strat_init(r);
    fl__alloc_begin();
    fl__R = r;
    sv_plat_set(&fl__plat_controlled);

    FL__PT(pthread_mutex_lock(&r->mu));
    fl__thr *main_t;
    r->cur = 0;
    rc = fl__thread_add(r, fl__main_tramp, r, "main", &main_t);
    if (rc < 0) {
        FL__PT(pthread_mutex_unlock(&r->mu));
        sv_plat_set(NULL);
        fl__R = NULL;
        fl__alloc_end(NULL, NULL, true);
        res->report = strdup("fl_sched_run: cannot create the main thread");
        goto fail_run;
    }
    while (!r->over) FL__PT(pthread_cond_wait(&r->host_cv, &r->mu));
    for (int i = 0; i < r->nalive; i++) r->alive[i]->killed = true;
    FL__PT(pthread_mutex_unlock(&r->mu));
    /* No thread runs program code now and alive[] no longer changes. */
    for (int i = 0; i < r->nalive; i++) fl__post(r->alive[i]);
    for (int i = 0; i < r->nthr; i++)
        if (r->thr[i]->started && !r->thr[i]->reaped) {
            FL__PT(pthread_join(r->thr[i]->pt, NULL));
            r->thr[i]->reaped = true;
        }
    sv_plat_set(NULL);
    fl__R = NULL;
    fl__alloc_end(&res->live_allocs, &res->live_bytes, true);
    fl__check_replay_end(r);
    fl__fill_result(r, res);
    fl__run_free(r);
    atomic_flag_clear(&fl__busy);
    return 0;

fail_run:
    fl__run_free(r);
fail_busy:
    atomic_flag_clear(&fl__busy);
    return rc;
}

int fl_sched_run(const fl_sched_opts *opts, void (*main_fn)(void *), void *arg, fl_sched_result *res)
{
    fl_schedule sc;
    char err[256];
    if (!opts || opts->strategy != FL_STRAT_REPLAY) return fl__sched_run_ex(opts, NULL, main_fn, arg, res, NULL);
    memset(res, 0, sizeof *res);
    if (!opts->schedule) return fl__bad(res, "fl_sched_run: strategy replay needs a schedule");
    int rc = fl_schedule_parse(opts->schedule, &sc, err, sizeof err);
    if (rc < 0) {
        res->report = strdup(rc == -ENOMEM ? "fl_sched_run: out of memory" : err);
        return rc;
    }
    rc = fl__sched_run_ex(opts, &sc, main_fn, arg, res, NULL);
    fl__capture *cap = fl__shrink_capture;
    if (rc == 0 && cap && cap->candidate && strcmp(cap->candidate, opts->schedule) == 0) {
        free(cap->canonical);
        cap->canonical = res->schedule ? strdup(res->schedule) : NULL;
        cap->steps = res->steps;
        cap->preemptions = res->preemptions;
        cap->status = res->status;
    }
    fl_schedule_free(&sc);
    return rc;
}

void fl_sched_result_free(fl_sched_result *res)
{
    if (!res) return;
    free(res->schedule);
    free(res->report);
    free(res->trace);
    for (size_t i = 0; i < res->nleaked; i++) free(res->leaked[i]);
    free(res->leaked);
    memset(res, 0, sizeof *res);
}
