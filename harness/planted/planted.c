/*
 * planted.c — the planted-bug programs (see fl_planted.h). Only seam calls, all
 * state on the stack of run(): every thread is joined before run() returns,
 * and a killed run (deadlock) never touches that stack again.
 *
 * Shared fields are only read and written under the program's mutex, so the
 * programs are free of data races in the C11 sense: under FL_SCHED_STRAT_FREE the
 * bugs are logic races, and ThreadSanitizer must stay silent.
 */
#include "planted/fl_planted.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sv_plat.h"

#define FL_PLANTED__SECOND 1000000000ll

/* Create n threads running fn(args[i]), join them all. 0 or negative errno
 * (threads already created are joined before returning). */
static int fl_planted__spawn_join(int n, void *(*fn)(void *), void *const *args, const char *const *names)
{
    sv_thread *t[4];
    int made = 0, rc = 0;
    for (; made < n; made++) {
        rc = sv_thread_create(&t[made], fn, args[made], names[made]);
        if (rc < 0) break;
    }
    for (int i = 0; i < made; i++) sv_thread_join(t[i], SV_FOREVER);
    return rc;
}

/* ---- lost update ------------------------------------------------------------ */

typedef struct fl_planted__lu {
    sv_mutex m;
    int counter;
} fl_planted__lu;

static void *fl_planted__lu_gap(void *a)
{
    fl_planted__lu *s = a;
    sv_mutex_lock(&s->m);
    int v = s->counter;
    sv_mutex_unlock(&s->m); /* the gap: the other thread may read the same v */
    sv_mutex_lock(&s->m);
    s->counter = v + 1;
    sv_mutex_unlock(&s->m);
    return NULL;
}

static void *fl_planted__lu_whole(void *a)
{
    fl_planted__lu *s = a;
    sv_mutex_lock(&s->m);
    int v = s->counter;
    s->counter = v + 1;
    sv_mutex_unlock(&s->m);
    return NULL;
}

static int fl_planted__lost_update(void *(*fn)(void *))
{
    fl_planted__lu s = { .counter = 0 };
    sv_mutex_init(&s.m);
    void *args[2] = { &s, &s };
    const char *names[2] = { "inc-a", "inc-b" };
    int rc = fl_planted__spawn_join(2, fn, args, names);
    sv_mutex_lock(&s.m);
    int lost = s.counter != 2;
    sv_mutex_unlock(&s.m);
    sv_mutex_destroy(&s.m);
    return rc < 0 ? rc : lost;
}

int fl_planted_lost_update(void) { return fl_planted__lost_update(fl_planted__lu_gap); }
int fl_planted_lost_update_ok(void) { return fl_planted__lost_update(fl_planted__lu_whole); }

/* ---- lock order ----------------------------------------------------------------- */

typedef struct fl_planted__lo {
    sv_mutex a, b;
    int done;
} fl_planted__lo;

typedef struct fl_planted__lo_arg {
    fl_planted__lo *s;
    sv_mutex *first, *second;
} fl_planted__lo_arg;

static void *fl_planted__lo_thread(void *p)
{
    fl_planted__lo_arg *a = p;
    sv_mutex_lock(a->first);
    sv_mutex_lock(a->second);
    a->s->done++;
    sv_mutex_unlock(a->second);
    sv_mutex_unlock(a->first);
    return NULL;
}

static int fl_planted__lock_order(bool consistent)
{
    fl_planted__lo s = { .done = 0 };
    sv_mutex_init(&s.a);
    sv_mutex_init(&s.b);
    fl_planted__lo_arg x = { &s, &s.a, &s.b };
    fl_planted__lo_arg y = { &s, consistent ? &s.a : &s.b, consistent ? &s.b : &s.a };
    void *args[2] = { &x, &y };
    const char *names[2] = { "a-then-b", consistent ? "a-then-b-too" : "b-then-a" };
    int rc = fl_planted__spawn_join(2, fl_planted__lo_thread, args, names);
    sv_mutex_destroy(&s.a);
    sv_mutex_destroy(&s.b);
    return rc < 0 ? rc : 0;
}

int fl_planted_lock_order(void) { return fl_planted__lock_order(false); }
int fl_planted_lock_order_ok(void) { return fl_planted__lock_order(true); }

/* ---- missed wake-up ------------------------------------------------------------------ */

typedef struct fl_planted__mw {
    sv_mutex m;
    sv_cond c;
    int ready;
    int missed;
    bool check_predicate;
} fl_planted__mw;

static void *fl_planted__mw_waiter(void *p)
{
    fl_planted__mw *s = p;
    int64_t deadline = sv_deadline_in(FL_PLANTED__SECOND);
    sv_mutex_lock(&s->m);
    if (s->check_predicate) {
        while (!s->ready)
            if (sv_cond_wait(&s->c, &s->m, deadline) == -ETIMEDOUT) break;
        s->missed = !s->ready;
    } else {
        /* the bug: no predicate, so a signal sent before this wait is lost */
        s->missed = sv_cond_wait(&s->c, &s->m, deadline) == -ETIMEDOUT;
    }
    sv_mutex_unlock(&s->m);
    return NULL;
}

static void *fl_planted__mw_notifier(void *p)
{
    fl_planted__mw *s = p;
    sv_mutex_lock(&s->m);
    s->ready = 1;
    sv_cond_signal(&s->c);
    sv_mutex_unlock(&s->m);
    return NULL;
}

static int fl_planted__missed_wakeup(bool check_predicate)
{
    fl_planted__mw s = { .ready = 0, .missed = 0, .check_predicate = check_predicate };
    sv_mutex_init(&s.m);
    sv_cond_init(&s.c);
    sv_thread *w, *n;
    int rc = sv_thread_create(&w, fl_planted__mw_waiter, &s, "waiter");
    if (rc == 0) {
        rc = sv_thread_create(&n, fl_planted__mw_notifier, &s, "notifier");
        if (rc == 0) sv_thread_join(n, SV_FOREVER);
        sv_thread_join(w, SV_FOREVER);
    }
    sv_mutex_lock(&s.m);
    int missed = s.missed;
    sv_mutex_unlock(&s.m);
    sv_cond_destroy(&s.c);
    sv_mutex_destroy(&s.m);
    return rc < 0 ? rc : missed;
}

int fl_planted_missed_wakeup(void) { return fl_planted__missed_wakeup(false); }
int fl_planted_missed_wakeup_ok(void) { return fl_planted__missed_wakeup(true); }

/* ---- early restart ----------------------------------------------------------------------- */

typedef struct fl_planted__er {
    sv_mutex m;
    sv_cond c;
    int crashed;  /* the crash report of incarnation 1 */
    int alive;    /* incarnations between start and exit */
    int overlap;  /* the assertion: two incarnations alive together */
} fl_planted__er;

typedef struct fl_planted__er_arg {
    fl_planted__er *s;
    int incarnation;
} fl_planted__er_arg;

static void *fl_planted__er_worker(void *p)
{
    fl_planted__er_arg *a = p;
    fl_planted__er *s = a->s;
    sv_mutex_lock(&s->m);
    if (++s->alive > 1) s->overlap = 1;
    sv_mutex_unlock(&s->m);
    sv_yield(); /* work */
    if (a->incarnation == 1) {
        sv_mutex_lock(&s->m); /* crash: push the report */
        s->crashed = 1;
        sv_cond_signal(&s->c);
        sv_mutex_unlock(&s->m);
    }
    sv_mutex_lock(&s->m); /* the trampoline's way out */
    s->alive--;
    sv_mutex_unlock(&s->m);
    return NULL;
}

static int fl_planted__early_restart(bool join_first)
{
    fl_planted__er s = { .crashed = 0, .alive = 0, .overlap = 0 };
    sv_mutex_init(&s.m);
    sv_cond_init(&s.c);
    fl_planted__er_arg a1 = { &s, 1 }, a2 = { &s, 2 };
    sv_thread *w1, *w2;
    int rc = sv_thread_create(&w1, fl_planted__er_worker, &a1, "worker#1");
    if (rc == 0) {
        sv_mutex_lock(&s.m);
        while (!s.crashed) sv_cond_wait(&s.c, &s.m, SV_FOREVER);
        sv_mutex_unlock(&s.m);
        if (join_first) sv_thread_join(w1, SV_FOREVER);
        rc = sv_thread_create(&w2, fl_planted__er_worker, &a2, "worker#2");
        if (!join_first) sv_thread_join(w1, SV_FOREVER); /* the bug: too late */
        if (rc == 0) sv_thread_join(w2, SV_FOREVER);
    }
    sv_mutex_lock(&s.m);
    int overlap = s.overlap;
    sv_mutex_unlock(&s.m);
    sv_cond_destroy(&s.c);
    sv_mutex_destroy(&s.m);
    return rc < 0 ? rc : overlap;
}

int fl_planted_early_restart(void) { return fl_planted__early_restart(false); }
int fl_planted_early_restart_ok(void) { return fl_planted__early_restart(true); }

/* ---- table and drivers ------------------------------------------------------------------------ */

static const fl_planted fl_planted__programs[] = {
    { "lost_update", "read under the lock, unlock, write under the lock: an update is lost",
      fl_planted_lost_update, false, true },
    { "lock_order", "two threads take two mutexes in opposite orders: deadlock", fl_planted_lock_order, true,
      true },
    { "missed_wakeup", "signal before wait without a predicate: the waiter sleeps out its timeout",
      fl_planted_missed_wakeup, false, true },
    { "early_restart", "the replacement starts before the crashed worker is joined: two incarnations alive",
      fl_planted_early_restart, false, true },
    { "lost_update_ok", "increment entirely under the lock", fl_planted_lost_update_ok, false, false },
    { "lock_order_ok", "both threads take A before B", fl_planted_lock_order_ok, false, false },
    { "missed_wakeup_ok", "wait in a loop on a predicate", fl_planted_missed_wakeup_ok, false, false },
    { "early_restart_ok", "join the crashed worker, then start the replacement", fl_planted_early_restart_ok,
      false, false },
};

const fl_planted *fl_planted_list(size_t *n)
{
    *n = sizeof fl_planted__programs / sizeof fl_planted__programs[0];
    return fl_planted__programs;
}

const fl_planted *fl_planted_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof fl_planted__programs / sizeof fl_planted__programs[0]; i++)
        if (strcmp(fl_planted__programs[i].name, name) == 0) return &fl_planted__programs[i];
    return NULL;
}

void fl_planted_main(void *ctx)
{
    fl_planted_ctx *c = ctx;
    c->rc = c->p->run();
}

int fl_planted_check(void *ctx, const fl_sched_result *res)
{
    fl_planted_ctx *c = ctx;
    int rc = c->rc;
    c->rc = -1;
    if (rc < -1) return rc; /* the program could not set up (negative errno) */
    return rc == 1 || res->status != FL_SCHED_OK;
}

int fl_planted_worker(sv_worker *w, void *arg)
{
    const fl_planted *p = arg;
    return p->run();
}

int fl_planted_run(const fl_planted *p, const fl_sched_opts *opts, fl_sched_result *res)
{
    fl_planted_ctx c = { p, -1 };
    int rc = fl_sched_run(opts, fl_planted_main, &c, res);
    if (rc < 0) return rc;
    return fl_planted_check(&c, res);
}

int fl_planted_hunt_run(const fl_planted *p, fl_sched_strategy strategy, uint32_t depth, uint64_t seed0,
                        uint32_t max_runs, fl_planted_hunt *out)
{
    memset(out, 0, sizeof *out);
    uint64_t k = 0;
    for (uint32_t i = 0; i < max_runs; i++) {
        fl_sched_opts o = { .strategy = strategy, .seed = seed0 + i, .depth = depth, .pct_k = k };
        fl_sched_result res;
        int rc = fl_planted_run(p, &o, &res);
        out->runs = i + 1;
        if (rc < 0) {
            fl_sched_result_free(&res);
            return rc;
        }
        if (res.choices > k) k = res.choices;
        if (rc == 1) {
            out->found = true;
            out->seed = seed0 + i;
            out->status = res.status;
            out->schedule = res.schedule;
            res.schedule = NULL;
            fl_sched_result_free(&res);
            return 0;
        }
        fl_sched_result_free(&res);
    }
    return 0;
}
