/*
 * worker.c — the scripted-worker interpreter and the user-worker registry.
 *
 * The interpreter runs a child's script once per incarnation. Every op that
 * can block goes through the seam (sv_worker_sleep, sv_wait, sv_sleep_until,
 * sv_yield), so the controlled scheduler sees it. Between ops it checks, in
 * this order: an fl_world_crash request (crash now), an fl_world_exit
 * request (return now), then the stop request (leave the script). A loop iteration that made no seam call yields, so a
 * script can never spin without a scheduling point.
 *
 * World lifetime: an incarnation counts itself in world->inside from entry
 * until its last access to world memory: it leaves before every return,
 * panic or fault (fl_world__leave), so fl_world_inside() == 0 means no scripted
 * thread will touch the world again.
 *
 * Stop handling: in the main script, a blocking op that sees the stop
 * request ends the script; then the `onstop` block runs if there is one
 * (its ops ignore stop and end only on fl_world_release), else the worker
 * returns SV_RET_SHUTDOWN.
 */
#include "failpoint/fl_failpoint.h"
#include "real/fl_real.h"
#include "lex/fl_lex.h"
#include "rng/fl_rng.h"
#include "world/fl_world.h"
#include "world/world_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the interpreter ----------------------------------------------------------------- */

typedef enum fl_world__flow { FL_WORLD__GO = 0, FL_WORLD__RET, FL_WORLD__STOP } fl_world__flow;

typedef struct fl_world__exec {
    fl_world__wchild *wc;
    sv_worker *w;
    uint32_t inc;
    uint64_t draws;     /* probability draws made so far in this incarnation */
    uint64_t seam;      /* seam calls made so far (loop progress check) */
    bool onstop;        /* running the onstop block: ignore stop */
    int ret;            /* FL_WORLD__RET: the worker's return value */
} fl_world__exec;

static bool fl_world__released(fl_world__exec *x) { return atomic_load(&x->wc->world->released) != 0; }

static void fl_world__leave(fl_world__exec *x) { atomic_fetch_sub_explicit(&x->wc->world->inside, 1, memory_order_release); }

/* Leave the world, then panic with msg (copied first). */
static _Noreturn void fl_world__die(fl_world__exec *x, const char *fmt, const char *a, const char *b) {
    char buf[SV_MSG_MAX];
    snprintf(buf, sizeof buf, fmt, a, b);
    fl_world__leave(x);
    sv_panic("%s", buf);
}

/* Crash now if fl_world_crash asked for it. */
static void fl_world__crash_request(fl_world__exec *x) {
    char *m = atomic_exchange(&x->wc->crash_msg, NULL);
    if (!m) return;
    char buf[SV_MSG_MAX];
    snprintf(buf, sizeof buf, "%s", m);
    free(m);
    fl_world__die(x, "%s%s", buf, "");
}

static fl_world__flow fl_world__boundary(fl_world__exec *x) {
    fl_world__crash_request(x);
    int ex = atomic_exchange(&x->wc->exit_req, 0);
    if (ex) { /* fl_world_exit: end on our own */
        x->ret = ex - 1;
        return FL_WORLD__RET;
    }
    if (!x->onstop && sv_worker_stopping(x->w)) return FL_WORLD__STOP;
    return FL_WORLD__GO;
}

static bool fl_world__applies(fl_world__exec *x, const fl_scenario_op *op) {
    if (op->when.has_arg && op->when.arg != x->wc->inst_arg) return false;
    if (x->inc < op->when.inc_min) return false;
    if (op->when.inc_max && x->inc > op->when.inc_max) return false;
    if (op->when.p_pct >= 100) return true;
    uint64_t h = fl_rng_hash(x->wc->world->seed, x->wc->decl->id);
    h = fl_rng_hash_u64(h, x->inc);
    h = fl_rng_hash_u64(h, ((uint64_t)(uint32_t)op->line << 20) ^ (uint32_t)op->col);
    h = fl_rng_hash_u64(h, x->draws++);
    return h % 100 < op->when.p_pct;
}

/* Sleep until deadline, ignoring stop; ends early on fl_world_release. */
static fl_world__flow fl_world__sleep_ignoring_stop(fl_world__exec *x, int64_t deadline) {
    x->seam++;
    while (sv_now() < deadline) {
        if (fl_world__released(x)) {
            x->ret = SV_RET_SHUTDOWN;
            return FL_WORLD__RET;
        }
        sv_wait(&x->wc->world->released, 0, deadline);
    }
    return FL_WORLD__GO;
}

static fl_world__flow fl_world__work(fl_world__exec *x, int64_t ns) {
    if (x->onstop) return fl_world__sleep_ignoring_stop(x, sv_deadline_in(ns));
    x->seam++;
    int64_t ms = ns / 1000000, rest = ns % 1000000;
    do { /* at least one stop-aware sleep, even for sub-millisecond work */
        uint32_t step = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
        if (sv_worker_sleep(x->w, step) == -ECANCELED) return FL_WORLD__STOP;
        ms -= step;
    } while (ms > 0);
    if (rest) sv_sleep_until(sv_deadline_in(rest));
    return FL_WORLD__GO;
}

/* Block until *word >= target: stop-aware in the main script (polls
 * every FL_WORLD__POLL_NS), release-aware in onstop; crash requests land too. */
static fl_world__flow fl_world__block(fl_world__exec *x, _Atomic uint32_t *word, uint32_t target) {
    for (;;) {
        uint32_t v = atomic_load(word);
        if (v >= target) return FL_WORLD__GO;
        fl_world__flow f = fl_world__boundary(x);
        if (f != FL_WORLD__GO) return f;
        if (x->onstop && fl_world__released(x)) {
            x->ret = SV_RET_SHUTDOWN;
            return FL_WORLD__RET;
        }
        x->seam++; /* only a real wait is a seam call: a set latch passes through */
        sv_wait(word, v, sv_deadline_in(FL_WORLD__POLL_NS));
    }
}

static fl_world__flow fl_world__hang(fl_world__exec *x) {
    x->seam++;
    while (!fl_world__released(x)) sv_wait(&x->wc->world->released, 0, SV_FOREVER);
    x->ret = SV_RET_SHUTDOWN;
    return FL_WORLD__RET;
}

/* A real invalid write; if it did not fault, the worker returns -EFAULT. */
static fl_world__flow fl_world__segv(fl_world__exec *x) {
    fl_world__leave(x);
    fl_fp_segv();
    atomic_fetch_add(&x->wc->world->inside, 1);
    x->ret = -EFAULT;
    return FL_WORLD__RET;
}

/* A worker-side failpoint, acted on here so that a panic or a fault leaves
 * the world first. */
static fl_world__flow fl_world__failpoint_op(fl_world__exec *x, const char *name) {
    fl_fp_hit hit; /* deciding is no seam call: only sleep/yield count as one */
    if (!fl_fp_decide(name, x->wc->decl->id, &hit)) return FL_WORLD__GO;
    switch (hit.action) {
    case FL_FP_RETURN:
        x->ret = hit.value;
        return hit.value ? FL_WORLD__RET : FL_WORLD__GO;
    case FL_FP_PANIC:
        fl_world__die(x, "failpoint %s: %s", name, hit.msg);
    case FL_FP_SLEEP:
        x->seam++;
        sv_sleep_until(sv_deadline_in((int64_t)hit.ms * 1000000));
        return FL_WORLD__GO;
    case FL_FP_YIELD:
        x->seam++;
        sv_yield();
        return FL_WORLD__GO;
    case FL_FP_SEGV:
        return fl_world__segv(x);
    case FL_FP_OFF:
        break;
    }
    return FL_WORLD__GO;
}

static fl_world__flow fl_world__ops(fl_world__exec *x, const fl_scenario_op *ops, size_t n);

static fl_world__flow fl_world__op(fl_world__exec *x, const fl_scenario_op *op) {
    switch (op->kind) {
    case FL_SCENARIO_OP_WORK:
        return fl_world__work(x, op->ns);
    case FL_SCENARIO_OP_YIELD:
        x->seam++;
        sv_yield();
        return FL_WORLD__GO;
    case FL_SCENARIO_OP_CRASH:
        fl_world__die(x, "%s%s", op->str, "");
    case FL_SCENARIO_OP_RETURN:
    case FL_SCENARIO_OP_EXIT:
        x->ret = op->value;
        return FL_WORLD__RET;
    case FL_SCENARIO_OP_HANG:
        return fl_world__hang(x);
    case FL_SCENARIO_OP_SEGV:
        return fl_world__segv(x);
    case FL_SCENARIO_OP_SIGNAL: {
        fl_world__latch *l = fl_world__world_latch(x->wc->world, op->str);
        x->seam++;
        atomic_store(&l->set, 1);
        sv_wake(&l->set, INT32_MAX);
        return FL_WORLD__GO;
    }
    case FL_SCENARIO_OP_WAIT:
        return fl_world__block(x, &fl_world__world_latch(x->wc->world, op->str)->set, 1);
    case FL_SCENARIO_OP_LOOP:
        for (uint32_t i = 0; op->count == 0 || i < op->count; i++) {
            uint64_t seam0 = x->seam;
            fl_world__flow f = fl_world__ops(x, op->body, op->nbody);
            if (f != FL_WORLD__GO) return f;
            if (x->seam == seam0) {
                x->seam++;
                sv_yield();
            }
        }
        return FL_WORLD__GO;
    case FL_SCENARIO_OP_FAILPOINT:
        return fl_world__failpoint_op(x, op->str);
    }
    return FL_WORLD__GO;
}

static fl_world__flow fl_world__ops(fl_world__exec *x, const fl_scenario_op *ops, size_t n) {
    for (size_t i = 0; i < n; i++) {
        fl_world__flow f = fl_world__boundary(x);
        if (f != FL_WORLD__GO) return f;
        if (!fl_world__applies(x, &ops[i])) continue;
        if ((f = fl_world__op(x, &ops[i])) != FL_WORLD__GO) return f;
    }
    return FL_WORLD__GO;
}

/* `race`: work the delay, meet the other members at the barrier, crash. */
static fl_world__flow fl_world__race(fl_world__exec *x) {
    fl_world__race_rt *rc = x->wc->race;
    fl_world__flow f = rc->decl->after_ns ? fl_world__work(x, rc->decl->after_ns) : FL_WORLD__GO;
    if (f != FL_WORLD__GO) return f;
    uint32_t n = (uint32_t)rc->decl->nmembers;
    if (atomic_fetch_add(&rc->arrived, 1) + 1 == n) sv_wake(&rc->arrived, INT32_MAX);
    if ((f = fl_world__block(x, &rc->arrived, n)) != FL_WORLD__GO) return f;
    fl_world__die(x, "%s%s", rc->decl->msg, "");
}

static int fl_world__script(fl_world__exec *x) {
    const fl_scenario_child_decl *c = x->wc->decl;
    fl_world__flow f = FL_WORLD__GO;
    if (x->wc->race && x->inc == x->wc->race->decl->incarnation) f = fl_world__race(x);
    if (f == FL_WORLD__GO) f = fl_world__ops(x, c->script, c->nscript);
    if (f == FL_WORLD__GO) return 0;
    if (f == FL_WORLD__RET) return x->ret;
    if (c->nonstop == 0) return SV_RET_SHUTDOWN;
    x->onstop = true;
    f = fl_world__ops(x, c->onstop, c->nonstop);
    return f == FL_WORLD__RET ? x->ret : SV_RET_SHUTDOWN;
}

int fl_world__script_worker(sv_worker *w, void *arg) {
    fl_world__wchild *wc = arg;
    atomic_fetch_add_explicit(&wc->world->inside, 1, memory_order_relaxed);
    fl_world__exec x = {.wc = wc, .w = w, .inc = sv_worker_incarnation(w)};
    int r = fl_world__script(&x);
    fl_world__leave(&x);
    return r;
}

int fl_world__user_worker(sv_worker *w, void *arg) {
    const fl_world__wchild *wc = arg;
    sv_worker_fn fn = wc->user_fn;
    void *user_arg = wc->user_arg;
    return fn(w, user_arg); /* the world is not touched from here on */
}

/* ---- the user-worker registry ------------------------------------------------------------ */

typedef struct fl_world__reg_worker {
    char name[FL_LEX_ID_MAX + 1];
    sv_worker_fn fn;
    void *arg;
} fl_world__reg_worker;

static struct {
    pthread_mutex_t mu; /* guards v, n */
    fl_world__reg_worker *v;
    size_t n;
} fl_world__workers = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void fl_world__wlock(void) { if (fl_real.pthread_mutex_lock(&fl_world__workers.mu)) abort(); }
static void fl_world__wunlock(void) { if (fl_real.pthread_mutex_unlock(&fl_world__workers.mu)) abort(); }

static bool fl_world__worker_name_ok(const char *name) {
    fl_lex_cur c = {.bol = name, .p = name, .end = name + strlen(name)};
    size_t n = fl_lex_ident_len(&c);
    return n > 0 && n <= FL_LEX_ID_MAX && name[n] == '\0';
}

int fl_world_register_worker(const char *name, sv_worker_fn fn, void *arg) {
    if (!name || !fn || !fl_world__worker_name_ok(name)) return -EINVAL;
    int r = 0;
    fl_world__wlock();
    for (size_t i = 0; i < fl_world__workers.n; i++)
        if (strcmp(fl_world__workers.v[i].name, name) == 0) {
            r = -EEXIST;
            goto out;
        }
    fl_world__reg_worker *nv = realloc(fl_world__workers.v, (fl_world__workers.n + 1) * sizeof *nv);
    if (!nv) {
        r = -ENOMEM;
        goto out;
    }
    fl_world__workers.v = nv;
    snprintf(nv[fl_world__workers.n].name, sizeof nv[0].name, "%s", name);
    nv[fl_world__workers.n].fn = fn;
    nv[fl_world__workers.n].arg = arg;
    fl_world__workers.n++;
out:
    fl_world__wunlock();
    return r;
}

int fl_world_lookup_worker(const char *name, sv_worker_fn *fn, void **arg) {
    int r = -ENOENT;
    if (!name) return r;
    fl_world__wlock();
    for (size_t i = 0; i < fl_world__workers.n; i++)
        if (strcmp(fl_world__workers.v[i].name, name) == 0) {
            if (fn) *fn = fl_world__workers.v[i].fn;
            if (arg) *arg = fl_world__workers.v[i].arg;
            r = 0;
            break;
        }
    fl_world__wunlock();
    return r;
}

int fl_world_unregister_worker(const char *name) {
    int r = -ENOENT;
    if (!name) return r;
    fl_world__wlock();
    for (size_t i = 0; i < fl_world__workers.n; i++)
        if (strcmp(fl_world__workers.v[i].name, name) == 0) {
            fl_world__workers.v[i] = fl_world__workers.v[--fl_world__workers.n];
            r = 0;
            break;
        }
    fl_world__wunlock();
    return r;
}

void fl_world_unregister_all_workers(void) {
    fl_world__wlock();
    free(fl_world__workers.v);
    fl_world__workers.v = NULL;
    fl_world__workers.n = 0;
    fl_world__wunlock();
}
