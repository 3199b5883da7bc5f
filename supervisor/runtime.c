/*
 * runtime.c — supervisors: lifecycle, the loop that drives the pure core,
 * action execution, events and logging. (Incarnations: worker.c; admin
 * requests: admin.c; spec copies: spec.c. Threads, locks and lifetimes:
 * runtime.h.)
 *
 * The loop, on the supervisor's thread: feed SV_IN_INIT; then, while the
 * core is not done, take in priority order a stop request, admin requests,
 * a due timer, or a report popped from the queue (the pop waits until the
 * core's next deadline and is cut short by a kick from a stop or admin
 * request). Every START/STOP action is carried out synchronously and its
 * result fed back at once (sv__feed), so the core is never busy between
 * loop iterations.
 */
#include "runtime.h"

#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- events ------------------------------------------------------------- */

/* Would anyone see this event? (Events nobody sees are not numbered: seq
 * counts delivered events.) */
static bool sv__ev_wanted(const sv_sup *s, sv_event_kind k, int reason)
{
    return s->on_event || (s->log != sv_log_discard && sv__log_wants(k, reason));
}

_Thread_local unsigned sv__hook_depth;

void sv__ev_emit_locked(sv_sup *s, sv_event_kind k, const char *child, uint32_t inc, uint32_t inst, int reason,
                        int err, int64_t detail_ns, const char *msg, const char *bt)
{
    sv__tree *t = s->tree;
    if (t->closed || !sv__ev_wanted(s, k, reason)) return;
    sv_event ev = {
        .seq = ++t->seq,
        .time_ns = sv_now(),
        .kind = k,
        .sup = s->name,
        .child = child,
        .incarnation = inc,
        .reason = reason,
        .err = err,
        .detail_ns = detail_ns,
        .message = msg,
        .backtrace = bt,
        .instance = inst,
    };
    sv__hook_depth++; /* the hooks run with tree->lock held */
    if (s->on_event) s->on_event(s->event_ud, &ev);
    if (s->log != sv_log_discard && sv__log_wants(k, reason)) {
        char line[1536];
        sv_event_format(&ev, line, sizeof line);
        s->log(s->log_ud, &ev, line);
    }
    sv__hook_depth--;
}

void sv__ev_emit(sv_sup *s, sv_event_kind k, const char *child, uint32_t inc, uint32_t inst, int reason, int err,
                 int64_t detail_ns, const char *msg, const char *bt)
{
    if (!sv__ev_wanted(s, k, reason)) return; /* hooks are fixed for s's life */
    sv_mutex_lock(&s->tree->lock);
    sv__ev_emit_locked(s, k, child, inc, inst, reason, err, detail_ns, msg, bt);
    sv_mutex_unlock(&s->tree->lock);
}

void sv__wait_word(_Atomic uint32_t *w, uint32_t while_eq)
{
    while (SV__SYNC(w, atomic_load_explicit(w, memory_order_acquire)) == while_eq) sv_wait(w, while_eq, SV_FOREVER);
}

static void sv__set_word(_Atomic uint32_t *w, uint32_t v)
{
    SV__SYNC(w, atomic_store_explicit(w, v, memory_order_release));
    sv_wake(w, INT32_MAX);
}

/* ---- slots ---------------------------------------------------------------- */

/* The slot table is a hash index (O(1) expected), so its size follows the
 * slots that exist, not the slot numbers ever given out. */
sv__slot *sv__slot_get(sv_sup *s, uint32_t slot)
{
    uint32_t h = sv__hash_u32(slot);
    for (size_t e = sv__hmap_first(&s->slots, h); e != SV__HMAP_END; e = sv__hmap_next(&s->slots, h, e)) {
        sv__slot *sl = (sv__slot *)s->slots.e[e].v;
        if (sl->no == slot) return sl;
    }
    return NULL;
}

int sv__slots_reserve(sv_sup *s, size_t n)
{
    return sv__hmap_reserve(&s->slots, s->slots.n + n);
}

void sv__slot_put(sv_sup *s, sv__slot *sl)
{
    sv__hmap_put(&s->slots, sv__hash_u32(sl->no), (uintptr_t)sl);
}

/* Remove sl from the table and free it (abandoning its incarnations). */
static void sv__slot_forget(sv_sup *s, sv__slot *sl);

static void sv__slot_free(sv_sup *s, sv__slot *sl)
{
    sv__slot_abandon_all(s, sl);
    if (sl->owned) sv__cspec_clear(&sl->own);
    sv_free(sl);
}

static void sv__slot_forget(sv_sup *s, sv__slot *sl)
{
    sv__hmap_del(&s->slots, sv__hash_u32(sl->no), (uintptr_t)sl);
    sv__slot_free(s, sl);
}

static const char *sv__slot_id(sv_sup *s, uint32_t slot)
{
    sv__slot *sl = sv__slot_get(s, slot);
    if (sl) return sl->spec->c.id;
    const sv_core_child *c = sv_core_child_spec(s->core, slot);
    return c ? c->id : NULL;
}

/* ---- supervisor objects --------------------------------------------------- */

static void sv__tree_put(sv__tree *t)
{
    if (SV__SYNC(&t->refs, atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel)) != 1) return;
    sv_mutex_destroy(&t->lock);
    sv_free(t);
}

void sv__sup_put(sv_sup *s)
{
    if (SV__SYNC(&s->refs, atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel)) != 1) return;
    for (size_t i = 0; i < s->slots.cap; i++)
        if (s->slots.e[i].used) sv__slot_free(s, (sv__slot *)s->slots.e[i].v);
    sv__hmap_free(&s->slots);
    sv_queue_free(s->q);
    sv_core_free(s->core);
    sv_cond_destroy(&s->req_cond);
    sv_mutex_destroy(&s->req_lock);
    sv_mutex_destroy(&s->own_lock);
    sv__sspec_free(s->spec);
    sv__tree *t = s->tree;
    sv_free(s);
    sv__tree_put(t);
}

/* A supervisor for spec (taken, also on failure) in tree, holder reference
 * held by the caller. 0, -EINVAL, -ENOMEM. */
int sv__sup_new(sv__sspec *spec, sv__tree *tree, sv_sup *parent, sv_sup **out)
{
    int err = -ENOMEM;
    sv_core_child *cc = NULL;
    sv_sup *s = sv_alloc(sizeof *s);
    if (!s) goto fail;
    memset(s, 0, sizeof *s);
    atomic_init(&s->refs, 1);
    s->spec = spec;
    s->name = spec->name;
    s->parent = parent;
    s->on_event = spec->on_event ? spec->on_event : parent ? parent->on_event : NULL;
    s->event_ud = spec->on_event ? spec->event_ud : parent ? parent->event_ud : NULL;
    s->log = spec->log ? spec->log : parent ? parent->log : sv__log_stderr;
    s->log_ud = spec->log ? spec->log_ud : parent ? parent->log_ud : NULL;
    s->catch_signals = (spec->flags & SV_SUP_CATCH_SIGNALS) != 0;

    if (spec->n) {
        cc = sv_alloc(spec->n * sizeof *cc);
        if (!cc) goto fail_sup;
        for (size_t i = 0; i < spec->n; i++) cc[i] = spec->ch[i].c;
    }
    err = sv_core_new(&spec->cfg, cc, spec->n, &s->core);
    sv_free(cc);
    if (err) goto fail_sup;
    if ((err = sv_queue_new(&s->q))) goto fail_core;
    if ((err = sv__slots_reserve(s, spec->n + 1))) goto fail_queue;
    size_t pos = 0;
    for (size_t i = 0; i < spec->n && !spec->cfg.simple; i++) { /* instances get slots later */
        uint32_t slot;
        err = -EINVAL;
        if (sv_core_child_next(s->core, &pos, &slot, NULL, NULL, NULL) != 0) goto fail_slots;
        err = -ENOMEM;
        sv__slot *sl = sv_alloc(sizeof *sl);
        if (!sl) goto fail_slots;
        memset(sl, 0, sizeof *sl);
        sl->spec = &spec->ch[i];
        sl->arg = spec->ch[i].arg;
        sl->no = slot;
        sv__slot_put(s, sl);
    }
    sv_mutex_init(&s->req_lock);
    sv_cond_init(&s->req_cond);
    sv_mutex_init(&s->own_lock);
    SV__SYNC(&tree->refs, atomic_fetch_add_explicit(&tree->refs, 1, memory_order_relaxed));
    s->tree = tree;
    *out = s;
    return 0;

fail_slots:
    for (size_t i = 0; i < s->slots.cap; i++)
        if (s->slots.e[i].used) sv_free((void *)s->slots.e[i].v);
    sv__hmap_free(&s->slots);
fail_queue:
    sv_queue_free(s->q);
fail_core:
    sv_core_free(s->core);
fail_sup:
    sv_free(s);
fail:
    sv__sspec_free(spec);
    return err;
}

/* ---- action execution ----------------------------------------------------- */

static void sv__do_log(sv_sup *s, const sv_core_act *a)
{
    const char *id = sv__slot_id(s, a->slot);
    if (SV_FAILPOINT("sv.log.skip", id, a->incarnation)) return;
    sv_worker *w = s->cur;
    if (w && w->slot == a->slot && w->inc == a->incarnation)
        sv__ev_emit(s, SV_EV_LOGGED, w->id, w->inc, w->inst, a->reason, 0, 0, w->rep.message, w->rep.backtrace);
    else
        sv__ev_emit(s, SV_EV_LOGGED, id, a->incarnation, sv__inst(s, a->slot), a->reason, 0, 0, NULL, NULL);
}

static void sv__do_exit(sv_sup *s, int reason)
{
    /* No report is pushed after `closed` (workers test it under the same
     * lock), so the drain below sees every report that will ever exist. */
    sv_mutex_lock(&s->tree->lock);
    s->closed = true;
    sv_mutex_unlock(&s->tree->lock);
    sv_queue_close(s->q);
    sv_report *r;
    while (sv_queue_pop(s->q, SV_FOREVER, &r) == 0) {
        sv_worker *w = r->owner;
        if (sv__reason_abnormal(w->rep.reason) && !SV_FAILPOINT("sv.log.skip", w->id, w->inc))
            sv__ev_emit(s, SV_EV_LOGGED, w->id, w->inc, w->inst, w->rep.reason, 0, 0, w->rep.message, w->rep.backtrace);
        sv__worker_put(w);
    }
    sv__ev_emit(s, SV_EV_SHUTDOWN, NULL, 0, 0, reason, 0, 0, NULL, NULL);
    s->exit_reason = reason;
    if (!s->parent) {
        sv_mutex_lock(&s->tree->lock);
        s->tree->closed = true;
        sv_mutex_unlock(&s->tree->lock);
    }
}

static void sv__publish_init(sv_sup *s, int err)
{
    if (SV__SYNC(&s->init_state, atomic_load_explicit(&s->init_state, memory_order_relaxed)) != 0) return;
    s->init_err = err;
    sv__set_word(&s->init_state, err ? 2 : 1);
}

/* start_child: the core appended the new child in the step just taken and
 * asks to START it (the step's last action) — give it the request's slot.
 * Room in the table was reserved before the request was fed. */
static void sv__bind_pending(sv_sup *s, const sv_core_act *act, size_t n)
{
    if (sv_core_nchildren(s->core) > s->pending_n0 && n > 0 && act[n - 1].kind == SV_ACT_START &&
        !sv__slot_get(s, act[n - 1].slot)) {
        s->pending->no = s->pending_no = act[n - 1].slot;
        sv__slot_put(s, s->pending);
        s->pending_bound = true;
    }
    s->pending = NULL; /* bound, or the request made no child: the caller keeps it */
}

/* Feed in, carry out the actions, and feed each START/STOP result back until
 * the sequence ends. *reply (if given) receives the SV_ACT_REPLY. */
void sv__feed(sv_sup *s, const sv_core_in *in, int *reply)
{
    sv_core_act act[SV_CORE_MAX_ACTIONS];
    sv_core_in next;
    for (;;) {
        size_t n = sv_core_step(s->core, in, sv_now(), act);
        if (s->pending) sv__bind_pending(s, act, n);
        bool more = false;
        for (size_t i = 0; i < n; i++) {
            const sv_core_act *a = &act[i];
            switch (a->kind) {
            case SV_ACT_LOG:
                sv__do_log(s, a);
                break;
            case SV_ACT_EVENT:
                sv__ev_emit(s, a->event, a->slot == UINT32_MAX ? NULL : sv__slot_id(s, a->slot), a->incarnation,
                            a->slot == UINT32_MAX ? 0 : sv__inst(s, a->slot), a->reason, 0, a->detail_ns, NULL, NULL);
                break;
            case SV_ACT_START:
                next = (sv_core_in){ .kind = SV_IN_START_RESULT, .slot = a->slot, .incarnation = a->incarnation };
                next.err = sv__inc_start(s, a->slot, a->incarnation, &next.ignored);
                more = true;
                break;
            case SV_ACT_STOP:
                next = (sv_core_in){ .kind = SV_IN_STOP_RESULT, .slot = a->slot, .incarnation = a->incarnation };
                next.unstopped = sv__inc_stop(s, a->slot, a->incarnation);
                more = true;
                break;
            case SV_ACT_FORGET: {
                sv__slot *sl = sv__slot_get(s, a->slot);
                if (sl) sv__slot_forget(s, sl);
                break;
            }
            case SV_ACT_REPLY:
                if (reply) *reply = a->err;
                break;
            case SV_ACT_EXIT:
                sv__do_exit(s, a->reason);
                break;
            }
        }
        if (!more) return;
        in = &next;
    }
}

/* ---- the loop ----------------------------------------------------------------- */

void sv__sup_run(sv_sup *s)
{
    sv__hook_depth++; /* every user call on this thread is a hook: no admin */
    sv__ev_emit(s, SV_EV_SUP_START, NULL, 0, 0, 0, 0, 0, NULL, NULL);
    int init_err = 0;
    sv__feed(s, &(sv_core_in){ .kind = SV_IN_INIT }, &init_err);
    sv__publish_init(s, init_err);
    if (init_err && !sv_core_done(s->core)) sv__feed(s, &(sv_core_in){ .kind = SV_IN_SHUTDOWN }, NULL);

    while (!sv_core_done(s->core)) {
        if (!s->shutdown_fed && SV__SYNC(&s->stop_req, atomic_load_explicit(&s->stop_req, memory_order_acquire))) {
            s->shutdown_fed = true;
            sv__feed(s, &(sv_core_in){ .kind = SV_IN_SHUTDOWN }, NULL);
            continue;
        }
        if (SV__SYNC(&s->req_pending, atomic_load_explicit(&s->req_pending, memory_order_acquire))) {
            sv__admin_serve(s);
            continue;
        }
        int64_t dl = sv_core_next_deadline(s->core);
        if (dl != SV_FOREVER && sv_now() >= dl) {
            sv__feed(s, &(sv_core_in){ .kind = SV_IN_TIMER }, NULL);
            continue;
        }
        sv_report *r;
        if (sv__queue_pop_kick(s->q, dl, &r) == 0) {
            sv_worker *w = r->owner;
            s->cur = w;
            sv__feed(s,
                     &(sv_core_in){ .kind = SV_IN_EXIT, .slot = w->slot, .incarnation = w->inc,
                                    .reason = w->rep.reason },
                     NULL);
            s->cur = NULL;
            sv__worker_put(w);
        }
    }
    /* Every incarnation was joined or abandoned by the shutdown sweep; a
     * core that ended otherwise leaves nothing listed either, but make sure
     * no thread is left unaccounted for. */
    for (size_t i = 0; i < s->slots.cap; i++)
        if (s->slots.e[i].used) sv__slot_abandon_all(s, (sv__slot *)s->slots.e[i].v);
    sv__publish_init(s, -SV_ESHUTDOWN);
    sv__admin_close(s);
    sv__hook_depth--;
    sv__set_word(&s->done, 1);
}

static void *sv__sup_thread_main(void *arg)
{
    sv__sup_run(arg);
    return NULL;
}

/* ---- public lifecycle ------------------------------------------------------------ */

/* Validate and copy spec, start the supervisor thread and (on it) the
 * children in order. On success *out is the caller's (sv_sup_free). On
 * failure nothing is left behind: -EINVAL, -ENOMEM, -EAGAIN, or the first
 * start error of a child (its already started siblings stopped). */
int sv_sup_start(const sv_sup_spec *spec, sv_sup **out)
{
    sv__sspec *ss;
    int err = sv__sspec_from_user(spec, 0, &ss);
    if (err) return err;
    sv__crash_init();
    if (sv__sspec_catches(ss) && (err = sv__crash_signals_install())) goto fail_spec;

    err = -ENOMEM;
    sv__tree *t = sv_alloc(sizeof *t);
    if (!t) goto fail_spec;
    memset(t, 0, sizeof *t);
    sv_mutex_init(&t->lock);
    atomic_init(&t->refs, 1); /* ours until the supervisor holds one */

    sv_sup *s;
    err = sv__sup_new(ss, t, NULL, &s);
    sv__tree_put(t);
    if (err) return err;

    char name[3 + SV_ID_MAX];
    snprintf(name, sizeof name, "sv:%s", s->name);
    if ((err = sv_thread_create(&s->thread, sv__sup_thread_main, s, name))) goto fail_sup;
    sv__wait_word(&s->init_state, 0);
    if (s->init_err) {
        err = s->init_err;
        sv_thread_join(s->thread, SV_FOREVER); /* the loop is ending: init failed */
        goto fail_sup;
    }
    *out = s;
    return 0;

fail_spec:
    sv__sspec_free(ss);
    return err;
fail_sup:
    sv__sup_put(s);
    return err;
}

/* Ask the supervisor to stop and wait until it exited and its thread was
 * joined. Idempotent, callable from several threads. Returns 0. */
int sv_sup_stop(sv_sup *s)
{
    if (sv__hook_depth > 0) return -EDEADLK; /* it would wait for the thread it runs on */
    if (s->parent) return -EINVAL; /* nested: its parent owns its life (terminate_child) */
    if (!SV__SYNC(&s->done, atomic_load_explicit(&s->done, memory_order_acquire))) {
        SV__SYNC(&s->stop_req, atomic_store_explicit(&s->stop_req, 1, memory_order_release));
        sv__queue_kick(s->q);
        sv__wait_word(&s->done, 0);
    }
    sv_mutex_lock(&s->own_lock);
    if (!s->joined) {
        sv_thread_join(s->thread, SV_FOREVER); /* done: the thread is returning */
        s->joined = true;
    }
    sv_mutex_unlock(&s->own_lock);
    return 0;
}

/* Wait for the supervisor to exit (timeout_ms < 0: forever). 0 and *reason,
 * or -ETIMEDOUT. */
int sv_sup_wait(sv_sup *s, int64_t timeout_ms, int *reason)
{
    if (sv__hook_depth > 0) return -EDEADLK;
    int64_t dl = timeout_ms < 0 || timeout_ms > INT64_MAX / 1000000 ? SV_FOREVER
                                                                     : sv_deadline_in(timeout_ms * 1000000);
    while (!SV__SYNC(&s->done, atomic_load_explicit(&s->done, memory_order_acquire))) {
        if (sv_wait(&s->done, 0, dl) == -ETIMEDOUT && !SV__SYNC(&s->done, atomic_load_explicit(&s->done, memory_order_acquire)))
            return -ETIMEDOUT;
    }
    if (reason) *reason = s->exit_reason;
    return 0;
}

/* Stop (if running) and drop the caller's handle. Memory still referenced by
 * an abandoned (unstopped) worker is freed when that worker ends. */
void sv_sup_free(sv_sup *s)
{
    if (!s) return;
    if (sv__hook_depth > 0) {
        fputs("libsv: sv_sup_free called from a hook: ignored (it would deadlock)\n", stderr);
        return;
    }
    if (!s->parent) sv_sup_stop(s); /* nested (sv_sup_child): only a reference */
    sv__sup_put(s);
}
