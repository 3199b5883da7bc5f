/*
 * core.c — the supervisor's pure state machine (contract: core.h).
 *
 * Structure: sv_core_step() clamps `now`, checks that a START/STOP result
 * answers the awaited action, and dispatches through sv__table[mode][input].
 * Each handler either finishes in this step or emits exactly one START or
 * STOP last and records what it awaits; the matching result handler resumes
 * the sequence. Per-child decisions come from two verdict tables:
 * sv__restarts (restart type × exit class) and sv__admin (child state ×
 * admin request).
 *
 * Decisions that OTP leaves implicit, made here (see also core_table.h):
 *  - Group G(x) of a child x: one_for_one {x}; rest_for_one x and every
 *    child after it; one_for_all every child. As in OTP, a group restart
 *    starts EVERY non-temporary member of G, also members that were STOPPED
 *    (terminated, transient ended normally); temporary members alive at the
 *    time are stopped and removed.
 *  - Stops of a group or of a shutdown run in reverse start order over every
 *    live incarnation, the exited one included (its STOP is just the join).
 *  - One restart is counted toward intensity, with one SV_EV_RESTART, when a
 *    crash is to be restarted and when a restart's start fails (the failure
 *    commits to one more attempt); timer-driven retries count nothing more.
 *    A restart that would exceed the intensity emits SV_EV_INTENSITY_EXCEEDED
 *    instead of SV_EV_RESTART.
 *  - Intensity window (core_policy.c): a past restart at T still counts at
 *    now iff now - T <= MaxT (inclusive, OTP's `R >= Now - Period`, at ns
 *    resolution instead of OTP's whole seconds). MaxR = 0: every restart
 *    exceeds. Memory: 8 bytes × MaxR, allocated by sv_core_new.
 *  - Backoff (off when backoff_min_ms == 0): every restart, first included,
 *    waits min(max, min·2^k), k = the child's consecutive restart attempts
 *    (failed starts included), jittered down to (1 - j/100) of that; k goes
 *    back to 0 when the exiting incarnation had run >= max(min, max) ms. A
 *    crash's group is stopped at once; only its start phase waits.
 *  - A failed restart start is retried from SV_IN_TIMER, never in the same
 *    step (deadline = now, or now + backoff). One TIMER input runs one due
 *    group (earliest, then lowest index); others stay due.
 *  - Out-of-protocol inputs: while busy, anything but the awaited answer is
 *    ignored, except admin which gets REPLY(-EBUSY); before SV_IN_INIT admin
 *    gets REPLY(-EAGAIN) and SV_IN_SHUTDOWN exits at once. An EXIT of a
 *    slot that was deleted is still LOGged if abnormal; an unknown reason
 *    counts as abnormal; a START_RESULT err > 0 is a failure (-EIO).
 */
#include "core_table.h"

#include "sv_plat.h"

#include <errno.h>
#include <string.h>

typedef void (*sv__handler)(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w);

static void sv__group_next(sv_core *c, int64_t now, sv__out *w);
static void sv__sweep_next(sv_core *c, sv__out *w);

/* ---- sequences ---------------------------------------------------------------- */

/* Stop every live child in reverse start order, then EXIT(shutdown). Pending
 * retries are cancelled. */
static void sv__begin_shutdown(sv_core *c, sv__out *w)
{
    c->mode = SV__M_SHUTDOWN;
    c->cursor = c->n;
    if (c->n > 0)
        sv__core_clear_heads(c, 0, c->n - 1);
    sv__sweep_next(c, w);
}

static void sv__sweep_next(sv_core *c, sv__out *w)
{
    while (c->cursor > 0) {
        sv__child *x = &c->ch[--c->cursor];
        if (sv__alive(x)) {
            sv__core_stop(c, x, w);
            return;
        }
        if (x->st == SV__C_RESTARTING)
            x->st = SV__C_STOPPED;
    }
    if (c->init_err != 0)
        sv__core_reply(w, c->init_err);
    sv__core_emit(w, SV_ACT_EXIT, SV__NO_SLOT, 0)->reason = SV_EXIT_SHUTDOWN;
    c->mode = SV__M_DONE;
}

/* Restart sequence for G(ch[i]): stop phase (reverse), then either the start
 * phase (execute) or a scheduled retry headed by ch[i]. */
static void sv__begin_group(sv_core *c, size_t i, bool execute, int64_t now, sv__out *w)
{
    c->mode = SV__M_GROUP;
    c->head_slot = c->ch[i].slot;
    c->start_phase = false;
    c->execute = execute;
    sv__core_clear_heads(c, sv__core_group_lo(c, i), sv__core_group_hi(c, i));
    c->cursor = sv__core_group_hi(c, i) + 1;
    sv__group_next(c, now, w);
}

/* Invariants: the head is never removed during its group (it is not
 * temporary) and is looked up by slot on every call; removals (temporary
 * bystanders) happen only at the stop cursor, so the indexes below the
 * cursor stay valid while the stop phase walks down. */
static void sv__group_next(sv_core *c, int64_t now, sv__out *w)
{
    size_t h = sv__core_find_slot(c, c->head_slot);
    size_t lo = sv__core_group_lo(c, h);
    if (!c->start_phase) {
        while (c->cursor > lo) {
            sv__child *x = &c->ch[--c->cursor];
            if (sv__alive(x)) {
                sv__core_stop(c, x, w);
                return;
            }
        }
        sv__core_mark_group(c, h);
        if (!c->execute) {
            sv__core_schedule(c, h, now, w);
            c->mode = SV__M_IDLE;
            return;
        }
        c->start_phase = true;
        c->cursor = lo;
    }
    for (size_t hi = sv__core_group_hi(c, h); c->cursor <= hi; c->cursor++) {
        if (c->ch[c->cursor].spec.restart != SV_TEMPORARY && c->ch[c->cursor].st != SV__C_GONE) {
            sv__core_start(c, &c->ch[c->cursor], w);
            return;
        }
    }
    c->mode = SV__M_IDLE;
}

/* A restart's start of ch[i] failed: count it, then retry later (never in
 * this step, so waiting stop/admin requests go first). */
static void sv__start_failed(sv_core *c, size_t i, int64_t now, sv__out *w)
{
    sv__child *x = &c->ch[i];
    x->st = SV__C_RESTARTING;
    x->last_reason = SV_EXIT_ERROR;
    if (sv__core_intensity_add(c, now)) {
        sv__core_event(w, SV_EV_INTENSITY_EXCEEDED, SV__NO_SLOT, 0, SV_EXIT_SHUTDOWN, 0);
        sv__begin_shutdown(c, w);
        return;
    }
    sv__core_event(w, SV_EV_RESTART, x->slot, x->inc, SV_EXIT_ERROR, 0);
    sv__core_clear_heads(c, sv__core_group_lo(c, i), sv__core_group_hi(c, i));
    sv__core_mark_group(c, i);
    sv__core_schedule(c, i, now, w);
    c->mode = SV__M_IDLE;
}

/* ---- handlers: supervisor mode × input ------------------------------------------ */

static void sv__on_init(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    c->mode = SV__M_STARTING;
    c->cursor = 0;
    if (c->n > 0) {
        sv__core_start(c, &c->ch[0], w);
        return;
    }
    sv__core_reply(w, 0);
    c->mode = SV__M_IDLE;
}

static void sv__res_init(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    sv__child *x = &c->ch[c->cursor];
    if (in->err != 0) {
        x->st = SV__C_STOPPED;
        c->init_err = sv__err(in->err);
        sv__begin_shutdown(c, w);
        return;
    }
    x->st = in->ignored ? SV__C_STOPPED : SV__C_RUNNING; /* "ignore": kept, not running */
    x->started_at = now;
    if (++c->cursor < c->n) {
        sv__core_start(c, &c->ch[c->cursor], w);
        return;
    }
    sv__core_reply(w, 0);
    c->mode = SV__M_IDLE;
}

/* Restart verdict: restart type × exit abnormal. */
static const bool sv__restarts[SV_TEMPORARY + 1][2] = {
    [SV_PERMANENT] = {true, true},
    [SV_TRANSIENT] = {false, true},
    [SV_TEMPORARY] = {false, false},
};

static void sv__on_exit(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    if (in->slot >= c->next_slot || in->incarnation == 0)
        return; /* never existed */
    bool abnormal = sv__core_exit_abnormal(in->reason);
    size_t i = sv__core_find_slot(c, in->slot);
    sv__child *x = i < c->n ? &c->ch[i] : NULL;
    if (x && in->incarnation > x->inc)
        return; /* never existed */
    if (abnormal)
        sv__core_log(w, in->slot, in->incarnation, in->reason);
    if (!x || x->st != SV__C_RUNNING || in->incarnation != x->inc)
        return; /* stale: deleted slot, or not the current running incarnation */
    x->st = SV__C_EXITED;
    x->last_reason = in->reason;
    if (!sv__restarts[x->spec.restart][abnormal]) {
        c->mode = SV__M_JOIN;
        sv__core_stop(c, x, w);
        return;
    }
    sv__core_backoff_ran(c, x, now);
    if (sv__core_intensity_add(c, now)) {
        sv__core_event(w, SV_EV_INTENSITY_EXCEEDED, SV__NO_SLOT, 0, SV_EXIT_SHUTDOWN, 0);
        sv__begin_shutdown(c, w);
        return;
    }
    sv__core_event(w, SV_EV_RESTART, x->slot, x->inc, in->reason, 0);
    sv__begin_group(c, i, c->bo_min_ns == 0, now, w);
}

static bool sv__significant_active(const sv_core *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->ch[i].spec.significant && c->ch[i].st != SV__C_STOPPED && c->ch[i].st != SV__C_GONE)
            return true;
    return false;
}

/* The incarnation that ended for good is joined: drop or keep the child,
 * then apply auto_shutdown if it was significant. */
static void sv__res_join(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    size_t i = sv__core_find_slot(c, in->slot);
    sv__child *x = &c->ch[i];
    bool significant = x->spec.significant;
    x->abandoned = in->unstopped;
    x->st = SV__C_STOPPED;
    if (!sv__keeps_spec(c, x))
        sv__core_remove(c, i, w);
    c->mode = SV__M_IDLE;
    if (!significant || c->cfg.auto_shutdown == SV_AUTO_NEVER)
        return;
    if (c->cfg.auto_shutdown == SV_AUTO_ALL_SIGNIFICANT && sv__significant_active(c))
        return;
    sv__core_event(w, SV_EV_AUTO_SHUTDOWN, SV__NO_SLOT, 0, SV_EXIT_SHUTDOWN, 0);
    sv__begin_shutdown(c, w);
}

static void sv__res_group_stop(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    size_t i = sv__core_find_slot(c, in->slot);
    sv__child *x = &c->ch[i];
    x->abandoned = in->unstopped;
    if (x->spec.restart == SV_TEMPORARY)
        sv__core_remove(c, i, w); /* bystander: never restarted */
    else
        x->st = SV__C_RESTARTING;
    sv__group_next(c, now, w);
}

static void sv__res_group_start(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    size_t i = sv__core_find_slot(c, in->slot);
    sv__child *x = &c->ch[i];
    if (in->err != 0) {
        sv__start_failed(c, i, now, w);
        return;
    }
    x->abandoned = false;
    c->cursor++;
    if (in->ignored) {
        /* OTP: a restart that says "ignore" leaves the child not running
         * (an instance is removed); the group goes on. */
        x->st = SV__C_STOPPED;
        if (!sv__keeps_spec(c, x))
            sv__core_remove(c, i, w);
        sv__group_next(c, now, w);
        return;
    }
    x->st = SV__C_RUNNING;
    x->started_at = now;
    sv__core_event(w, SV_EV_RESTARTED, x->slot, x->inc, SV_EXIT_NORMAL, 0);
    sv__group_next(c, now, w);
}

/* Due retry with the earliest time (lowest index on ties): run its group. */
static void sv__on_timer(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    size_t best = c->n;
    for (size_t i = 0; i < c->n; i++)
        if (c->ch[i].retry_at <= now && (best == c->n || c->ch[i].retry_at < c->ch[best].retry_at))
            best = i;
    if (best < c->n)
        sv__begin_group(c, best, true, now, w);
}

static void sv__on_shutdown(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    sv__begin_shutdown(c, w);
}

static void sv__res_sweep(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    sv__child *x = &c->ch[sv__core_find_slot(c, in->slot)];
    x->abandoned = in->unstopped;
    x->st = SV__C_STOPPED;
    sv__sweep_next(c, w);
}

static void sv__reply_busy(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    sv__core_reply(w, -EBUSY); /* protocol violation: nothing changes */
}

static void sv__reply_not_started(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    sv__core_reply(w, -EAGAIN); /* admin before SV_IN_INIT */
}

static void sv__reply_shutdown(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    sv__core_reply(w, -SV_ESHUTDOWN);
}

#define SV__IN_COUNT (SV_IN_DELETE_CHILD + 1)
#define SV__ADMIN_ROW(h) [SV_IN_START_CHILD] = (h), [SV_IN_TERMINATE_CHILD] = (h), \
                         [SV_IN_RESTART_CHILD] = (h), [SV_IN_DELETE_CHILD] = (h)

/* Supervisor mode × input. NULL: the input is ignored in that mode (0
 * actions). Results reach a handler only when they answer the awaited
 * START/STOP (same slot and incarnation); any other result is ignored. */
static const sv__handler sv__table[SV__M__COUNT][SV__IN_COUNT] = {
    [SV__M_NEW] = {[SV_IN_INIT] = sv__on_init, [SV_IN_SHUTDOWN] = sv__on_shutdown,
                   SV__ADMIN_ROW(sv__reply_not_started)},
    [SV__M_STARTING] = {[SV_IN_START_RESULT] = sv__res_init, SV__ADMIN_ROW(sv__reply_busy)},
    [SV__M_IDLE] = {[SV_IN_EXIT] = sv__on_exit, [SV_IN_TIMER] = sv__on_timer,
                    [SV_IN_SHUTDOWN] = sv__on_shutdown, SV__ADMIN_ROW(sv__core_on_admin)},
    [SV__M_GROUP] = {[SV_IN_START_RESULT] = sv__res_group_start,
                     [SV_IN_STOP_RESULT] = sv__res_group_stop, SV__ADMIN_ROW(sv__reply_busy)},
    [SV__M_JOIN] = {[SV_IN_STOP_RESULT] = sv__res_join, SV__ADMIN_ROW(sv__reply_busy)},
    [SV__M_ADMIN_START] = {[SV_IN_START_RESULT] = sv__core_res_admin_start, SV__ADMIN_ROW(sv__reply_busy)},
    [SV__M_ADMIN_STOP] = {[SV_IN_STOP_RESULT] = sv__core_res_admin_stop, SV__ADMIN_ROW(sv__reply_busy)},
    [SV__M_SHUTDOWN] = {[SV_IN_STOP_RESULT] = sv__res_sweep, SV__ADMIN_ROW(sv__reply_busy)},
    [SV__M_DONE] = {sv__reply_shutdown, sv__reply_shutdown, sv__reply_shutdown, sv__reply_shutdown,
                    sv__reply_shutdown, sv__reply_shutdown, SV__ADMIN_ROW(sv__reply_shutdown)},
};

/* ---- public API ---------------------------------------------------------------------- */

/* Contract in core.h. Copies cfg and children; the core owns its table and
 * intensity ring (8 × MaxR bytes), all through sv_alloc. -EINVAL: NULL
 * cfg/out, children NULL with n > 0, n >= UINT32_MAX, strategy/auto_shutdown
 * out of range, jitter > 100, or a bad child (see sv__core_child_valid) or a
 * duplicate id. -ENOMEM: an allocation failed (nothing is left allocated).
 * backoff_max_ms below backoff_min_ms is taken as backoff_min_ms. */
int sv_core_new(const sv_core_cfg *cfg, const sv_core_child *children, size_t n, sv_core **out)
{
    if (!cfg || !out || (n > 0 && !children) || n >= SV__NO_SLOT)
        return -EINVAL;
    if ((unsigned)cfg->strategy > SV_REST_FOR_ONE || (unsigned)cfg->auto_shutdown > SV_AUTO_ALL_SIGNIFICANT ||
        cfg->backoff_jitter_pct > 100 || (cfg->simple && (cfg->strategy != SV_ONE_FOR_ONE || n != 1)))
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!sv__core_child_valid(&children[i]))
            return -EINVAL;
    size_t cap = n < 4 ? 4 : n;
    if (cap > SIZE_MAX / sizeof(sv__child))
        return -ENOMEM;
#if SIZE_MAX / 8 < UINT32_MAX
    if (cfg->intensity > SIZE_MAX / sizeof(int64_t))
        return -ENOMEM;
#endif

    sv_core *c = sv_alloc(sizeof *c);
    if (!c)
        goto fail;
    memset(c, 0, sizeof *c);
    c->ch = sv_alloc(cap * sizeof *c->ch);
    if (!c->ch)
        goto fail_core;
    if (cfg->intensity > 0) {
        c->ring = sv_alloc((size_t)cfg->intensity * sizeof *c->ring);
        if (!c->ring)
            goto fail_table;
    }
    c->cfg = *cfg;
    c->cap = cap;
    if (cfg->simple) {
        sv__child t;
        sv__core_child_init(&t, &children[0], 0);
        c->tmpl = t.spec; /* validated, id NUL-padded; no instance yet */
    } else {
        if (sv__hmap_reserve(&c->ids, n) < 0)
            goto fail_ring;
        for (size_t i = 0; i < n; i++) {
            if (sv__core_find_id(c, children[i].id) < c->n) { /* duplicate id */
                sv_core_free(c);
                return -EINVAL;
            }
            sv__core_append(c, &children[i]);
        }
    }
    c->mode = SV__M_NEW;
    c->period_ns = (int64_t)cfg->period_ms * 1000000;
    c->bo_min_ns = (int64_t)cfg->backoff_min_ms * 1000000;
    c->bo_max_ns = (int64_t)(cfg->backoff_max_ms > cfg->backoff_min_ms ? cfg->backoff_max_ms
                                                                         : cfg->backoff_min_ms) * 1000000;
    c->rng = cfg->seed;
    c->last_now = INT64_MIN;
    c->deadline = SV_FOREVER;
    *out = c;
    return 0;

fail_ring:
    sv_free(c->ring);
fail_table:
    sv_free(c->ch);
fail_core:
    sv_free(c);
fail:
    return -ENOMEM;
}

/* Frees everything the core owns. c may be NULL. Never fails. */
void sv_core_free(sv_core *c)
{
    if (!c)
        return;
    sv__hmap_free(&c->ids);
    sv_free(c->ring);
    sv_free(c->ch);
    sv_free(c);
}

/* Contract in core.h. Never fails and never allocates, except that
 * SV_IN_START_CHILD may grow the table (on failure: REPLY(-ENOMEM), no
 * change). NULL c/in/out: 0 actions. Pointers into the core previously
 * returned by sv_core_child_at/sv_core_child_spec are invalid after a step. */
size_t sv_core_step(sv_core *c, const sv_core_in *in, int64_t now, sv_core_act *out)
{
    if (!c || !in || !out)
        return 0;
    if (now < c->last_now)
        now = c->last_now; /* contract: non-decreasing; keep the ring sorted */
    c->last_now = now;
    sv__out w = {out, 0};
    unsigned kind = (unsigned)in->kind;
    if (kind >= SV__IN_COUNT) {
        if (c->mode == SV__M_DONE)
            sv__reply_shutdown(c, in, now, &w); /* after EXIT: every input */
        return w.n;
    }
    if (c->mode != SV__M_DONE && (kind == SV_IN_START_RESULT || kind == SV_IN_STOP_RESULT)) {
        unsigned want = kind == SV_IN_START_RESULT ? SV__AW_START : SV__AW_STOP;
        if (c->await != want || in->slot != c->await_slot || in->incarnation != c->await_inc)
            return 0; /* nobody asked for this result */
        c->await = SV__AW_NONE;
    } else if (c->await == SV__AW_NONE) {
        sv__core_compact(c); /* no sequence holds an index now */
    }
    sv__handler h = sv__table[c->mode][kind];
    if (h)
        h(c, in, now, &w);
    if (c->sched_dirty) {
        c->deadline = SV_FOREVER;
        for (size_t i = 0; i < c->n; i++)
            if (c->ch[i].retry_at < c->deadline)
                c->deadline = c->ch[i].retry_at;
        c->sched_dirty = false;
    }
    return w.n;
}

/* Read-only views; NULL-safe (false, false, SV_FOREVER, 0, -ENOENT, NULL). */
bool sv_core_busy(const sv_core *c)
{
    return c && c->await != SV__AW_NONE;
}

bool sv_core_done(const sv_core *c)
{
    return c && c->mode == SV__M_DONE;
}

int64_t sv_core_next_deadline(const sv_core *c)
{
    return (c && c->mode != SV__M_DONE) ? c->deadline : SV_FOREVER;
}

size_t sv_core_nchildren(const sv_core *c)
{
    return c ? c->n - c->ngone : 0;
}

static void sv__child_view(const sv__child *x, uint32_t *slot, const sv_core_child **spec,
                           sv_child_state *state, uint32_t *incarnation)
{
    static const sv_child_state pub[SV__C__COUNT] = {
        [SV__C_STOPPED] = SV_CHILD_STOPPED,
        [SV__C_RUNNING] = SV_CHILD_RUNNING,
        [SV__C_EXITED] = SV_CHILD_RUNNING,
        [SV__C_RESTARTING] = SV_CHILD_RESTARTING,
    };
    if (slot)
        *slot = x->slot;
    if (spec)
        *spec = &x->spec;
    if (state)
        *state = (x->st == SV__C_RESTARTING && x->abandoned) ? SV_CHILD_UNSTOPPED : pub[x->st];
    if (incarnation)
        *incarnation = x->inc;
}

int sv_core_child_next(const sv_core *c, size_t *pos, uint32_t *slot, const sv_core_child **spec,
                       sv_child_state *state, uint32_t *incarnation)
{
    if (!c || !pos)
        return -ENOENT;
    while (*pos < c->n && c->ch[*pos].st == SV__C_GONE)
        ++*pos;
    if (*pos >= c->n)
        return -ENOENT;
    sv__child_view(&c->ch[(*pos)++], slot, spec, state, incarnation);
    return 0;
}

/* State: RUNNING (also an exited incarnation not yet joined, only visible
 * while busy), RESTARTING (waiting for a retry of its own or of its group),
 * UNSTOPPED (RESTARTING whose last incarnation was abandoned), STOPPED.
 * incarnation: the last one given out (0 = never started). Any out pointer
 * may be NULL. */
int sv_core_child_at(const sv_core *c, size_t i, uint32_t *slot, const sv_core_child **spec,
                     sv_child_state *state, uint32_t *incarnation)
{
    if (!c || i >= c->n - c->ngone)
        return -ENOENT;
    size_t pos = c->ngone ? 0 : i; /* with tombstones: walk to the i-th live child */
    for (size_t k = c->ngone ? 0 : i; k <= i; k++)
        sv_core_child_next(c, &pos, slot, spec, state, incarnation);
    return 0;
}

int sv_core_child_find(const sv_core *c, const char *id, uint32_t *slot, const sv_core_child **spec,
                       sv_child_state *state, uint32_t *incarnation)
{
    size_t i = c && id && !c->cfg.simple ? sv__core_find_id(c, id) : (c ? c->n : 0);
    if (!c || i >= c->n)
        return -ENOENT;
    sv__child_view(&c->ch[i], slot, spec, state, incarnation);
    return 0;
}

const sv_core_child *sv_core_child_spec(const sv_core *c, uint32_t slot)
{
    if (!c)
        return NULL;
    size_t i = sv__core_find_slot(c, slot);
    return i < c->n ? &c->ch[i].spec : NULL;
}

