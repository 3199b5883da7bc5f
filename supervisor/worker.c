/*
 * worker.c — incarnations: starting one (START action), stopping and
 * joining it (STOP action), the worker trampoline, and the worker-side API.
 *
 * Event order per incarnation, and how it is kept: START, then STARTED or
 * START_FAILED, are emitted by the supervisor; the worker emits its end
 * (CRASH/EXIT) only after STARTED was emitted (the `ack` word), so a worker
 * that ends at once cannot overtake its STARTED. STOP_REQUESTED, then JOINED
 * or UNSTOPPED, are emitted by the supervisor around the join.
 */
#include "runtime.h"

#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Joining an incarnation whose body already ended (it crashed or returned
 * and is only leaving its thread) waits at least this long even under a
 * brutal or short shutdown, so a dead worker is not misreported as unstopped.
 * Still bounded. */
#define SV__ENDED_GRACE_NS ((int64_t)1000 * 1000000)

/* ---- references ------------------------------------------------------------ */

static void sv__worker_free(sv_worker *w)
{
    sv_sup *s = w->sup, *n = w->nested;
    sv_free(w);
    if (n) sv__sup_put(n);
    sv__sup_put(s);
}

static void sv__worker_drop(sv_worker *w, uint32_t k)
{
    if (SV__SYNC(&w->refs, atomic_fetch_sub_explicit(&w->refs, k, memory_order_acq_rel)) == k) sv__worker_free(w);
}

void sv__worker_put(sv_worker *w) { sv__worker_drop(w, 1); }

/* Thread name "sv:ID" (the POSIX binding cuts it to the kernel's 15 bytes;
 * other bindings see it whole). */
static void sv__thread_name(char out[3 + SV_ID_MAX], const char *id)
{
    memcpy(out, "sv:", 3);
    size_t n = strnlen(id, SV_ID_MAX - 1);
    memcpy(out + 3, id, n);
    out[3 + n] = '\0';
}

/* ---- worker-side API --------------------------------------------------------- */

/* True once the supervisor asked this incarnation to stop. Never fails. */
bool sv_worker_stopping(const sv_worker *w)
{
    return SV__SYNC(&w->stop, atomic_load_explicit(&w->stop, memory_order_acquire)) == SV__STOP;
}

/* Sleep up to ms on the stop word: 0 after the time, -ECANCELED as soon as a
 * stop is requested (also if it already was). Only w's own thread calls it. */
int sv_worker_sleep(sv_worker *w, uint32_t ms)
{
    int64_t dl = sv_deadline_in((int64_t)ms * 1000000);
    for (;;) {
        uint32_t v = SV__SYNC(&w->stop, atomic_load_explicit(&w->stop, memory_order_acquire));
        if (v == SV__STOP) return -ECANCELED;
        if (v == SV__RUN && !SV__SYNC(&w->stop, atomic_compare_exchange_strong_explicit(&w->stop, &v, SV__SLEEP, memory_order_acq_rel,
                                                                     memory_order_acquire)))
            continue;
        int rc = sv_wait(&w->stop, SV__SLEEP, dl);
        v = SV__SLEEP;
        if (!SV__SYNC(&w->stop, atomic_compare_exchange_strong_explicit(&w->stop, &v, SV__RUN, memory_order_acq_rel,
                                                     memory_order_acquire)))
            return -ECANCELED; /* only a stop changes SLEEP */
        if (rc == -ETIMEDOUT || (dl != SV_FOREVER && sv_now() >= dl)) return 0;
    }
}

/* The incarnation whose body runs on this thread, or NULL (also on a
 * thread running a nested supervisor's loop). */
sv_worker *sv_worker_self(void)
{
    sv__crash_ctx *c = sv__crash_cur;
    return c ? c->owner : NULL;
}

/* w's child id (valid while w runs) and incarnation number. */
const char *sv_worker_id(const sv_worker *w) { return w->id; }
uint32_t sv_worker_incarnation(const sv_worker *w) { return w->inc; }

/* ---- the trampoline ---------------------------------------------------------------- */

/* The body ended: emit the end and push the report, unless the supervisor
 * already closed its queue (then nobody will pop it). */
static void sv__worker_finish(sv_worker *w, bool report, bool escalated)
{
    sv_sup *s = w->sup;
    bool pushed = false, wake = false;
    SV__SYNC(&w->ended, atomic_store_explicit(&w->ended, 1, memory_order_release));
    if (report) {
        w->rep.time_ns = sv_now();
        uint32_t a = 0;
        if (SV__SYNC(&w->ack, atomic_compare_exchange_strong_explicit(&w->ack, &a, 2, memory_order_acq_rel, memory_order_acquire)))
            sv__wait_word(&w->ack, 2);
        bool lose = SV_FAILPOINT("sv.report.lose", w->id, w->inc) != 0;
        bool crash = sv__reason_abnormal(w->rep.reason);
        const char *msg = w->rep.message[0] ? w->rep.message : NULL;
        const char *bt = crash && w->rep.backtrace[0] ? w->rep.backtrace : NULL;
        sv_mutex_lock(&s->tree->lock);
        if (!s->closed) {
            if (escalated)
                sv__ev_emit_locked(s, SV_EV_ESCALATED, w->id, w->inc, w->inst, SV_EXIT_SHUTDOWN, 0, 0, NULL, NULL);
            sv__ev_emit_locked(s, crash ? SV_EV_CRASH : SV_EV_EXIT, w->id, w->inc, w->inst, w->rep.reason, 0, 0, msg, bt);
            if (!lose) {
                int rc = sv__queue_push_nowake(s->q, &w->rep);
                pushed = rc >= 0;
                wake = rc == 1;
            }
        }
        sv_mutex_unlock(&s->tree->lock);
        /* Wake the supervisor only now, or it would wake to a held lock.
         * s (and its queue) stays alive: w holds a reference to it until
         * the drop below. */
        if (wake) sv__queue_wake(s->q);
    }
    sv__worker_drop(w, pushed ? 1 : 2); /* THREAD, and QUEUE unless pushed */
}

/* Cleanup handler of the trampoline: runs only when the thread unwinds out
 * of the body — pthread_exit() or an acted-upon cancellation (glibc runs
 * cleanup handlers on that forced unwind). The body's frames are gone; the
 * worker struct is not (the thread still holds its THREAD reference). When
 * the binding says the worker's own code ended the thread, it is reported
 * like any crash (reason SV_EXIT_THREAD_EXIT, no backtrace: the stack is
 * unwound) and the references are dropped, so nothing leaks. When the
 * binding ended it (or cannot tell), nothing of the seam is touched. A
 * nested supervisor's loop is supervisor code: never reported. */
static void sv__worker_unwound(void *arg)
{
    sv_worker *w = arg;
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old); /* no second cancellation while reporting */
    w->crash.armed = 0;
    sv__crash_thread_leave(&w->crash);
    bool (*killed)(void) = sv__ops()->thread_killed;
    if (w->nested || !killed || killed()) return;
    w->rep.reason = SV_EXIT_THREAD_EXIT;
    snprintf(w->rep.message, sizeof w->rep.message, "worker thread ended by pthread_exit or cancellation");
    w->rep.backtrace[0] = '\0';
    sv__worker_finish(w, true, false);
}

static void *sv__worker_main(void *arg)
{
    sv_worker *w = arg;
    volatile bool escalated = false; /* written after sigsetjmp */
    sv__crash_thread_enter(&w->crash);
    pthread_cleanup_push(sv__worker_unwound, w);
    if (sigsetjmp(w->crash.jb, w->crash.catch_signals) == 0) {
        w->crash.armed = 1;
        int ret = SV_FAILPOINT("sv.worker", w->id, w->inc);
        if (ret != 0) {
            snprintf(w->rep.message, sizeof w->rep.message, "failpoint sv.worker: %d", ret);
        } else if (w->nested) {
            /* Supervisor code is not a worker: sv_panic there aborts, and a
             * fault there is not caught. */
            w->crash.armed = 0;
            sv__crash_cur = NULL;
            sv__sup_run(w->nested);
            escalated = !w->nested->shutdown_fed;
            ret = SV_RET_SHUTDOWN;
        } else {
            ret = w->fn(w, w->arg);
            if (ret != 0 && ret != SV_RET_SHUTDOWN)
                snprintf(w->rep.message, sizeof w->rep.message, "worker returned %d", ret);
        }
        w->crash.armed = 0;
        w->rep.reason = ret == SV_RET_SHUTDOWN || (ret == 0 && sv_worker_stopping(w)) ? SV_EXIT_SHUTDOWN
                        : ret == 0                                                    ? SV_EXIT_NORMAL
                                                                                      : SV_EXIT_ERROR;
    }
    pthread_cleanup_pop(0);
    /* Here after the body, sv_panic or a caught signal (reason, message and
     * backtrace already written). */
    sv__crash_thread_leave(&w->crash);
    bool report = true;
    if (w->nested && SV__SYNC(&w->nested->init_state, atomic_load_explicit(&w->nested->init_state, memory_order_acquire)) != 1) {
        /* It never started (a failpoint ended it first, or its init failed):
         * the supervisor reports START_FAILED, there is nothing to report. */
        if (SV__SYNC(&w->nested->init_state, atomic_load_explicit(&w->nested->init_state, memory_order_relaxed)) == 0) {
            w->nested->init_err = -ECANCELED;
            SV__SYNC(&w->nested->init_state, atomic_store_explicit(&w->nested->init_state, 2, memory_order_release));
            sv_wake(&w->nested->init_state, INT32_MAX);
        }
        report = false;
    }
    sv__worker_finish(w, report, escalated);
    return NULL;
}

/* ---- START ---------------------------------------------------------------------- */

static int sv__as_err(int v) { return v == 0 ? 0 : v < 0 ? v : -EIO; }

/* Create incarnation inc of sl and its thread; for a nested supervisor, wait
 * until its children started. Listed in sl->live on success. */
static int sv__inc_launch(sv_sup *s, sv__slot *sl, uint32_t slot, uint32_t inc, sv_worker **out)
{
    const sv__cspec *cs = sl->spec;
    sv_worker *w = sv_alloc(sizeof *w + (s->catch_signals ? SV__ALTSTACK_SIZE : 0));
    if (!w) return -ENOMEM;
    memset(w, 0, sizeof *w);
    atomic_init(&w->refs, 3);
    SV__SYNC(&s->refs, atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed));
    w->sup = s;
    w->fn = cs->fn;
    w->arg = sl->arg;
    w->slot = slot;
    w->inc = inc;
    w->inst = sv__inst(s, slot);
    memcpy(w->id, cs->c.id, sizeof w->id);
    w->rep.child = w->id;
    w->rep.incarnation = inc;
    w->rep.reason = SV_EXIT_NORMAL;
    w->rep.owner = w;
    w->crash.catch_signals = s->catch_signals;
    w->crash.rep = &w->rep;
    w->crash.owner = w;
    w->crash.altstack = s->catch_signals ? (void *)(w + 1) : NULL;

    int err;
    if (cs->sup) {
        sv__sspec *copy;
        if ((err = sv__sspec_dup(cs->sup, &copy))) goto fail;
        if ((err = sv__sup_new(copy, s->tree, s, &w->nested))) goto fail;
    }
    char name[3 + SV_ID_MAX];
    sv__thread_name(name, w->id);
    if ((err = sv_thread_create(&w->thread, sv__worker_main, w, name))) goto fail;
    if (w->nested) {
        sv__wait_word(&w->nested->init_state, 0);
        if ((err = w->nested->init_err)) {
            sv_thread_join(w->thread, SV_FOREVER); /* its loop has ended: init failed */
            sv__worker_drop(w, 1);
            return err;
        }
    }
    w->next = sl->live;
    sl->live = w;
    *out = w;
    return 0;

fail:
    sv__worker_free(w);
    return err;
}

/* Tell the worker that its STARTED was emitted. */
static void sv__inc_ack(sv_worker *w)
{
    if (SV__SYNC(&w->ack, atomic_exchange_explicit(&w->ack, 1, memory_order_acq_rel)) == 2) sv_wake(&w->ack, 1);
}

int sv__inc_start(sv_sup *s, uint32_t slot, uint32_t inc, bool *ignored)
{
    sv__slot *sl = sv__slot_get(s, slot);
    const sv_core_child *cc = sl ? &sl->spec->c : sv_core_child_spec(s->core, slot);
    const char *id = cc ? cc->id : NULL;
    sv__ev_emit(s, SV_EV_START, id, inc, sv__inst(s, slot), 0, 0, 0, NULL, NULL);
    int err = sl ? sv__as_err(SV_FAILPOINT("sv.start", id, inc)) : -ENOMEM;
    *ignored = false;
    if (!err && sl->spec->init) {
        int r = sl->spec->init(sl->arg, inc); /* a hook: sv__hook_depth > 0 here */
        if (r == SV_IGNORE) {
            sv__ev_emit(s, SV_EV_START_IGNORED, id, inc, sv__inst(s, slot), 0, 0, 0, NULL, NULL);
            *ignored = true;
            return 0;
        }
        err = sv__as_err(r);
    }
    sv_worker *w = NULL;
    if (!err) err = sv__inc_launch(s, sl, slot, inc, &w);
    if (err) {
        sv__ev_emit(s, SV_EV_START_FAILED, id, inc, sv__inst(s, slot), 0, err, 0, NULL, NULL);
        return err;
    }
    sv__ev_emit(s, SV_EV_STARTED, id, inc, sv__inst(s, slot), 0, 0, 0, NULL, NULL);
    sv__inc_ack(w);
    if (SV_FAILPOINT("sv.restart.double", id, inc) && sv__inc_launch(s, sl, slot, inc, &w) == 0) {
        /* planted bug: a second thread for the same incarnation */
        sv__ev_emit(s, SV_EV_START, id, inc, sv__inst(s, slot), 0, 0, 0, NULL, NULL);
        sv__ev_emit(s, SV_EV_STARTED, id, inc, sv__inst(s, slot), 0, 0, 0, NULL, NULL);
        sv__inc_ack(w);
    }
    return 0;
}

/* ---- STOP ------------------------------------------------------------------------- */

static void sv__request_stop(sv_worker *w)
{
    if (SV__SYNC(&w->stop, atomic_exchange_explicit(&w->stop, SV__STOP, memory_order_acq_rel)) == SV__SLEEP) sv_wake(&w->stop, 1);
    if (w->nested) {
        SV__SYNC(&w->nested->stop_req, atomic_store_explicit(&w->nested->stop_req, 1, memory_order_release));
        sv__queue_kick(w->nested->q);
    }
}

static int64_t sv__stop_deadline(const sv_core_child *c)
{
    switch (c->shutdown) {
    case SV_SHUTDOWN_BRUTAL: return sv_now();
    case SV_SHUTDOWN_INFINITY: return SV_FOREVER;
    default: return sv_deadline_in((int64_t)c->shutdown_ms * 1000000);
    }
}

bool sv__inc_stop(sv_sup *s, uint32_t slot, uint32_t inc)
{
    sv__slot *sl = sv__slot_get(s, slot);
    const sv_core_child *cc = sl ? &sl->spec->c : sv_core_child_spec(s->core, slot);
    const char *id = cc ? cc->id : NULL;
    sv__ev_emit(s, SV_EV_STOP_REQUESTED, id, inc, sv__inst(s, slot), 0, 0, 0, NULL, NULL);
    if (!sl) return false;
    for (sv_worker *w = sl->live; w; w = w->next)
        if (w->inc == inc) sv__request_stop(w);
    bool skip = SV_FAILPOINT("sv.join.skip", id, inc) != 0;
    int64_t dl = sv__stop_deadline(cc);
    bool unstopped = false;
    for (sv_worker **pp = &sl->live; *pp;) {
        sv_worker *w = *pp;
        if (w->inc != inc) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        if (skip) {
            /* planted bug: claim the join, leave the thread running */
            sv_thread_detach(w->thread);
            sv__ev_emit(s, SV_EV_JOINED, id, inc, sv__inst(s, slot), SV_EXIT_SHUTDOWN, 0, 0, NULL, NULL);
        } else {
            int64_t d = dl;
            if (d != SV_FOREVER && SV__SYNC(&w->ended, atomic_load_explicit(&w->ended, memory_order_acquire))) {
                int64_t grace = sv_deadline_in(SV__ENDED_GRACE_NS);
                if (d < grace) d = grace;
            }
            if (sv_thread_join(w->thread, d) == 0) {
                sv__ev_emit(s, SV_EV_JOINED, id, inc, sv__inst(s, slot), w->rep.reason, 0, 0, NULL, NULL);
            } else {
                sv_thread_detach(w->thread);
                sv__ev_emit(s, SV_EV_UNSTOPPED, id, inc, sv__inst(s, slot), SV_EXIT_KILLED, 0, 0, NULL, NULL);
                unstopped = true;
            }
        }
        sv__worker_drop(w, 1); /* SUP */
    }
    return unstopped;
}

void sv__slot_abandon_all(sv_sup *s, sv__slot *sl)
{
    (void)s;
    while (sl->live) {
        sv_worker *w = sl->live;
        sl->live = w->next;
        sv__request_stop(w);
        sv_thread_detach(w->thread);
        sv__worker_drop(w, 1);
    }
}
