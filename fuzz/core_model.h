/*
 * core_model.h — reference model of the supervisor core's decisions, for
 * fuzz_core.c (prefix cm_). Private to that target: static functions only.
 *
 * Written from the rules in core.h and the decisions listed at the top of
 * supervisor/core.c (OTP semantics), not from its code, and kept in a
 * different shape: children in a plain array in start order, and every
 * multi-child sequence as an explicit plan (a list of slots to stop, then a
 * list to start) computed when the sequence begins. Intensity is checked by
 * brute force over the full list of restart times (the core keeps an O(1)
 * ring). Given the same inputs and answers, the model produces the actions
 * the core must produce; fuzz_core.c compares them one by one.
 *
 * Rules:
 *  - exit of the current running incarnation: restarted iff permanent, or
 *    transient and abnormal (anything but normal/shutdown); temporary never.
 *    Not restarted: join it (STOP), then keep it STOPPED (temporary: remove),
 *    then auto_shutdown if it was significant.
 *  - a restart (a restarted exit, or a failed start inside a restart group)
 *    counts at `now`; more than MaxR counted restarts with now - T <= MaxT
 *    → INTENSITY_EXCEEDED and shutdown; else RESTART and the group:
 *    G(x) = {x} | x and later | all. Stop every live member in reverse start
 *    order (temporaries stopped there are removed), then start every
 *    non-temporary member in start order — now, or when backoff is on, at the
 *    retry time of x (BACKOFF event), from SV_IN_TIMER.
 *  - a failed start in a group: count it; the child heads a retry of its
 *    own group at now (+ backoff); timer retries count nothing more.
 *  - shutdown: stop every live child in reverse start order, then EXIT.
 *  - admin: OTP's error matrix (sv.h), answered with one REPLY.
 */
#ifndef FUZZ_CORE_MODEL_H
#define FUZZ_CORE_MODEL_H

#include "core.h"
#include "sv_plat.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CM_MAX_CHILDREN 64
#define CM_MAX_RESTARTS 4096
#define CM_NO_SLOT UINT32_MAX

typedef enum cm_state { CM_STOPPED, CM_RUNNING, CM_EXITED, CM_RESTARTING } cm_state;

typedef struct cm_child {
    sv_core_child spec;
    uint32_t slot, inc;
    cm_state st;
    bool abandoned;
    int last_reason;
    int64_t due;        /* retry head: due time; else SV_FOREVER */
    uint32_t bo_k;      /* backoff exponent */
    int64_t started_at;
} cm_child;

typedef enum cm_mode {
    CM_NEW, CM_IDLE, CM_INIT, CM_GROUP, CM_JOIN, CM_ADMIN_START, CM_ADMIN_STOP, CM_SHUTDOWN, CM_DONE
} cm_mode;

typedef struct cm_model {
    sv_core_cfg cfg;
    cm_child ch[CM_MAX_CHILDREN]; /* start order == slot order */
    size_t n;
    uint32_t next_slot;
    uint32_t last_inc[CM_MAX_CHILDREN * 4]; /* by slot, kept after deletion */
    cm_mode mode;
    uint32_t plan[CM_MAX_CHILDREN];          /* slots, in the order to act on */
    size_t nplan, iplan;
    bool start_phase, execute, admin_new;
    uint32_t head;
    int init_err;
    int64_t restarts[CM_MAX_RESTARTS];
    size_t nrestarts;
    /* output of the current step */
    sv_core_act out[SV_CORE_MAX_ACTIONS * 2];
    size_t nout;
    bool overflow; /* the model emitted more than the core can */
} cm_model;

static sv_core_act *cm__emit(cm_model *m, sv_core_act_kind k, uint32_t slot, uint32_t inc) {
    if (m->nout >= sizeof m->out / sizeof m->out[0]) {
        m->overflow = true;
        m->nout--;
    }
    sv_core_act *a = &m->out[m->nout++];
    memset(a, 0, sizeof *a);
    a->kind = k;
    a->slot = slot;
    a->incarnation = inc;
    return a;
}

static void cm__event(cm_model *m, sv_event_kind ev, uint32_t slot, uint32_t inc, int reason) {
    sv_core_act *a = cm__emit(m, SV_ACT_EVENT, slot, inc);
    a->event = ev;
    a->reason = reason;
}

static void cm__reply(cm_model *m, int err) { cm__emit(m, SV_ACT_REPLY, CM_NO_SLOT, 0)->err = err; }

static size_t cm__idx(const cm_model *m, uint32_t slot) {
    for (size_t i = 0; i < m->n; i++)
        if (m->ch[i].slot == slot)
            return i;
    return m->n;
}

static cm_child *cm__get(cm_model *m, uint32_t slot) {
    size_t i = cm__idx(m, slot);
    return i < m->n ? &m->ch[i] : NULL;
}

static bool cm__live(const cm_child *x) { return x->st == CM_RUNNING || x->st == CM_EXITED; }

static bool cm__abnormal(int reason) {
    return reason != SV_EXIT_NORMAL && reason != SV_EXIT_SHUTDOWN;
}

static void cm__remove(cm_model *m, uint32_t slot, bool announce) {
    size_t i = cm__idx(m, slot);
    cm_child *x = &m->ch[i];
    if (announce)
        cm__event(m, SV_EV_CHILD_REMOVED, x->slot, x->inc, x->last_reason);
    cm__emit(m, SV_ACT_FORGET, x->slot, x->inc);
    for (size_t k = i + 1; k < m->n; k++)
        m->ch[k - 1] = m->ch[k];
    m->n--;
}

/* Members of G(slot) as an index range [*lo, *hi]. */
static void cm__group(const cm_model *m, uint32_t slot, size_t *lo, size_t *hi) {
    size_t i = cm__idx(m, slot);
    switch (m->cfg.strategy) {
    case SV_ONE_FOR_ONE: *lo = i, *hi = i; break;
    case SV_REST_FOR_ONE: *lo = i, *hi = m->n - 1; break;
    default: *lo = 0, *hi = m->n - 1; break;
    }
}

/* Brute force: would a restart at now make more than MaxR within MaxT? */
static bool cm__count_restart(cm_model *m, int64_t now) {
    uint64_t within = 0;
    uint64_t period_ns = (uint64_t)m->cfg.period_ms * 1000000u;
    for (size_t i = 0; i < m->nrestarts; i++)
        if ((uint64_t)(now - m->restarts[i]) <= period_ns)
            within++;
    if (within + 1 > m->cfg.intensity)
        return true;
    if (m->nrestarts == CM_MAX_RESTARTS) { /* keep the newest half */
        memmove(m->restarts, m->restarts + CM_MAX_RESTARTS / 2,
                CM_MAX_RESTARTS / 2 * sizeof m->restarts[0]);
        m->nrestarts = CM_MAX_RESTARTS / 2;
    }
    m->restarts[m->nrestarts++] = now;
    return false;
}

static void cm__start(cm_model *m, cm_child *x) {
    x->inc++;
    m->last_inc[x->slot] = x->inc;
    cm__emit(m, SV_ACT_START, x->slot, x->inc);
}

static void cm__stop(cm_model *m, cm_child *x) { cm__emit(m, SV_ACT_STOP, x->slot, x->inc); }

/* ---- shutdown -------------------------------------------------------------- */

static void cm__sweep_next(cm_model *m) {
    while (m->iplan < m->nplan) {
        cm_child *x = cm__get(m, m->plan[m->iplan]);
        if (x && cm__live(x)) {
            cm__stop(m, x);
            return;
        }
        if (x && x->st == CM_RESTARTING)
            x->st = CM_STOPPED;
        m->iplan++;
    }
    if (m->init_err)
        cm__reply(m, m->init_err);
    cm__emit(m, SV_ACT_EXIT, CM_NO_SLOT, 0)->reason = SV_EXIT_SHUTDOWN;
    m->mode = CM_DONE;
}

static void cm__begin_shutdown(cm_model *m) {
    m->mode = CM_SHUTDOWN;
    m->nplan = m->iplan = 0;
    for (size_t i = m->n; i-- > 0;) {
        m->ch[i].due = SV_FOREVER;
        m->plan[m->nplan++] = m->ch[i].slot;
    }
    cm__sweep_next(m);
}

/* ---- restart groups -------------------------------------------------------- */

static void cm__mark(cm_model *m, uint32_t slot) {
    size_t lo, hi;
    cm__group(m, slot, &lo, &hi);
    for (size_t k = lo; k <= hi && k < m->n; k++)
        if (!cm__live(&m->ch[k]) && m->ch[k].spec.restart != SV_TEMPORARY)
            m->ch[k].st = CM_RESTARTING;
}

/* Head slot gets a retry at now + backoff. The BACKOFF delay is random
 * (jitter): the model emits its bounds in detail_ns (lo) and reason slot of
 * cm_backoff_hi; fuzz_core.c checks the core's delay against them and sets
 * the due time with cm_set_due. */
static int64_t cm_backoff_hi;
static void cm__schedule(cm_model *m, cm_child *x, int64_t now) {
    if (m->cfg.backoff_min_ms == 0) {
        x->due = now;
        return;
    }
    uint64_t lo = (uint64_t)m->cfg.backoff_min_ms * 1000000u;
    uint64_t hi = (uint64_t)(m->cfg.backoff_max_ms > m->cfg.backoff_min_ms
                                 ? m->cfg.backoff_max_ms
                                 : m->cfg.backoff_min_ms) * 1000000u;
    /* d = min(hi, lo * 2^k) */
    uint64_t d = lo;
    for (uint32_t k = 0; k < x->bo_k && d < hi; k++)
        d = d > hi / 2 ? hi : d * 2;
    if (d > hi)
        d = hi;
    x->bo_k++;
    uint64_t span = (uint64_t)((unsigned __int128)d * m->cfg.backoff_jitter_pct / 100u);
    sv_core_act *a = cm__emit(m, SV_ACT_EVENT, x->slot, x->inc);
    a->event = SV_EV_BACKOFF;
    a->reason = x->last_reason;
    a->detail_ns = (int64_t)(d - span);
    cm_backoff_hi = (int64_t)d;
    x->due = now; /* fixed up by cm_set_due */
}

static void cm_set_due(cm_model *m, uint32_t slot, int64_t now, int64_t delay) {
    cm_child *x = cm__get(m, slot);
    if (x)
        x->due = now > SV_FOREVER - delay ? SV_FOREVER : now + delay;
}

static void cm__group_next(cm_model *m, int64_t now);

static void cm__begin_group(cm_model *m, uint32_t head, bool execute, int64_t now) {
    size_t lo, hi;
    m->mode = CM_GROUP;
    m->head = head;
    m->execute = execute;
    m->start_phase = false;
    cm__group(m, head, &lo, &hi);
    m->nplan = m->iplan = 0;
    for (size_t k = hi + 1; k-- > lo;) {
        m->ch[k].due = SV_FOREVER;
        if (cm__live(&m->ch[k]))
            m->plan[m->nplan++] = m->ch[k].slot;
    }
    cm__group_next(m, now);
}

static void cm__group_next(cm_model *m, int64_t now) {
    if (!m->start_phase) {
        if (m->iplan < m->nplan) {
            cm__stop(m, cm__get(m, m->plan[m->iplan]));
            return;
        }
        cm__mark(m, m->head);
        if (!m->execute) {
            cm__schedule(m, cm__get(m, m->head), now);
            m->mode = CM_IDLE;
            return;
        }
        size_t lo, hi;
        cm__group(m, m->head, &lo, &hi);
        m->start_phase = true;
        m->nplan = m->iplan = 0;
        for (size_t k = lo; k <= hi && k < m->n; k++)
            if (m->ch[k].spec.restart != SV_TEMPORARY)
                m->plan[m->nplan++] = m->ch[k].slot;
    }
    if (m->iplan < m->nplan) {
        cm__start(m, cm__get(m, m->plan[m->iplan]));
        return;
    }
    m->mode = CM_IDLE;
}

static void cm__start_failed(cm_model *m, cm_child *x, int64_t now) {
    x->st = CM_RESTARTING;
    x->last_reason = SV_EXIT_ERROR;
    if (cm__count_restart(m, now)) {
        cm__event(m, SV_EV_INTENSITY_EXCEEDED, CM_NO_SLOT, 0, SV_EXIT_SHUTDOWN);
        cm__begin_shutdown(m);
        return;
    }
    cm__event(m, SV_EV_RESTART, x->slot, x->inc, SV_EXIT_ERROR);
    size_t lo, hi;
    cm__group(m, x->slot, &lo, &hi);
    for (size_t k = lo; k <= hi && k < m->n; k++)
        m->ch[k].due = SV_FOREVER;
    cm__mark(m, x->slot);
    cm__schedule(m, x, now);
    m->mode = CM_IDLE;
}

/* ---- inputs ------------------------------------------------------------------ */

static void cm__exit(cm_model *m, const sv_core_in *in, int64_t now) {
    if (in->slot >= m->next_slot || in->incarnation == 0)
        return;
    cm_child *x = cm__get(m, in->slot);
    if (in->incarnation > m->last_inc[in->slot] && x)
        return; /* an incarnation that never existed */
    bool abnormal = cm__abnormal(in->reason);
    if (abnormal)
        cm__emit(m, SV_ACT_LOG, in->slot, in->incarnation)->reason = in->reason;
    if (!x || x->st != CM_RUNNING || in->incarnation != x->inc)
        return; /* stale */
    x->st = CM_EXITED;
    x->last_reason = in->reason;
    bool restart = x->spec.restart == SV_PERMANENT ||
                   (x->spec.restart == SV_TRANSIENT && abnormal);
    if (!restart) {
        m->mode = CM_JOIN;
        m->head = x->slot;
        cm__stop(m, x);
        return;
    }
    if (m->cfg.backoff_min_ms) {
        uint64_t hi = (uint64_t)(m->cfg.backoff_max_ms > m->cfg.backoff_min_ms
                                     ? m->cfg.backoff_max_ms
                                     : m->cfg.backoff_min_ms) * 1000000u;
        if ((uint64_t)(now - x->started_at) >= hi)
            x->bo_k = 0; /* it ran long enough: back to the shortest delay */
    }
    if (cm__count_restart(m, now)) {
        cm__event(m, SV_EV_INTENSITY_EXCEEDED, CM_NO_SLOT, 0, SV_EXIT_SHUTDOWN);
        cm__begin_shutdown(m);
        return;
    }
    cm__event(m, SV_EV_RESTART, x->slot, x->inc, in->reason);
    cm__begin_group(m, x->slot, m->cfg.backoff_min_ms == 0, now);
}

static void cm__joined(cm_model *m, const sv_core_in *in) {
    cm_child *x = cm__get(m, m->head);
    bool significant = x->spec.significant;
    x->abandoned = in->unstopped;
    x->st = CM_STOPPED;
    if (x->spec.restart == SV_TEMPORARY)
        cm__remove(m, x->slot, true);
    m->mode = CM_IDLE;
    if (!significant || m->cfg.auto_shutdown == SV_AUTO_NEVER)
        return;
    if (m->cfg.auto_shutdown == SV_AUTO_ALL_SIGNIFICANT)
        for (size_t i = 0; i < m->n; i++)
            if (m->ch[i].spec.significant && m->ch[i].st != CM_STOPPED)
                return;
    cm__event(m, SV_EV_AUTO_SHUTDOWN, CM_NO_SLOT, 0, SV_EXIT_SHUTDOWN);
    cm__begin_shutdown(m);
}

static void cm__timer(cm_model *m, int64_t now) {
    cm_child *best = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->ch[i].due <= now && (!best || m->ch[i].due < best->due))
            best = &m->ch[i];
    if (best)
        cm__begin_group(m, best->slot, true, now);
}

static size_t cm__find_id(const cm_model *m, const char *id) {
    if (strnlen(id, SV_ID_MAX) >= SV_ID_MAX)
        return m->n;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->ch[i].spec.id, id) == 0)
            return i;
    return m->n;
}

static bool cm__spec_ok(const sv_core_child *s) {
    size_t len = strnlen(s->id, SV_ID_MAX);
    return len > 0 && len < SV_ID_MAX && (unsigned)s->restart <= SV_TEMPORARY &&
           (unsigned)s->shutdown <= SV_SHUTDOWN_INFINITY &&
           !(s->significant && s->restart == SV_PERMANENT);
}

/* A retry head was cancelled: RESTARTING children no remaining head covers
 * become STOPPED. */
static void cm__orphans(cm_model *m) {
    for (size_t i = 0; i < m->n; i++) {
        cm_child *x = &m->ch[i];
        if (x->st != CM_RESTARTING || x->due != SV_FOREVER)
            continue;
        bool covered = false;
        for (size_t k = 0; k < m->n && !covered; k++) {
            if (m->ch[k].due == SV_FOREVER)
                continue;
            covered = m->cfg.strategy == SV_ONE_FOR_ALL ||
                      (m->cfg.strategy == SV_REST_FOR_ONE && k < i);
        }
        if (!covered)
            x->st = CM_STOPPED;
    }
}

static void cm__admin(cm_model *m, const sv_core_in *in) {
    bool add = in->kind == SV_IN_START_CHILD;
    if (add ? (!in->child || !cm__spec_ok(in->child)) : !in->id) {
        cm__reply(m, -EINVAL);
        return;
    }
    size_t i = cm__find_id(m, add ? in->child->id : in->id);
    if (i == m->n) {
        if (!add) {
            cm__reply(m, -SV_ENOT_FOUND);
            return;
        }
        cm_child *x = &m->ch[m->n++];
        memset(x, 0, sizeof *x);
        x->spec = *in->child;
        memset(x->spec.id, 0, sizeof x->spec.id);
        memcpy(x->spec.id, in->child->id, strnlen(in->child->id, SV_ID_MAX));
        x->slot = m->next_slot++;
        x->st = CM_STOPPED;
        x->last_reason = SV_EXIT_NORMAL;
        x->due = SV_FOREVER;
        m->mode = CM_ADMIN_START;
        m->admin_new = true;
        m->head = x->slot;
        cm__start(m, x);
        return;
    }
    cm_child *x = &m->ch[i];
    bool running = cm__live(x), restarting = x->st == CM_RESTARTING;
    switch (in->kind) {
    case SV_IN_START_CHILD:
        cm__reply(m, running ? -SV_EALREADY_STARTED : -SV_EALREADY_PRESENT);
        return;
    case SV_IN_TERMINATE_CHILD:
        if (running) {
            m->mode = CM_ADMIN_STOP;
            m->head = x->slot;
            cm__stop(m, x);
        } else if (restarting) {
            bool was_head = x->due != SV_FOREVER;
            x->st = CM_STOPPED;
            x->due = SV_FOREVER;
            if (was_head)
                cm__orphans(m);
            cm__event(m, SV_EV_CHILD_TERMINATED, x->slot, x->inc, SV_EXIT_SHUTDOWN);
            cm__reply(m, 0);
        } else {
            cm__reply(m, 0);
        }
        return;
    case SV_IN_RESTART_CHILD:
        if (running || restarting) {
            cm__reply(m, running ? -SV_ERUNNING : -SV_ERESTARTING);
            return;
        }
        m->mode = CM_ADMIN_START;
        m->admin_new = false;
        m->head = x->slot;
        cm__start(m, x);
        return;
    default: /* delete */
        if (running || restarting) {
            cm__reply(m, running ? -SV_ERUNNING : -SV_ERESTARTING);
            return;
        }
        cm__remove(m, x->slot, true);
        cm__reply(m, 0);
        return;
    }
}

/* ---- the step ------------------------------------------------------------------- */

static int64_t cm_deadline(const cm_model *m) {
    int64_t d = SV_FOREVER;
    if (m->mode == CM_DONE)
        return d;
    for (size_t i = 0; i < m->n; i++)
        if (m->ch[i].due < d)
            d = m->ch[i].due;
    return d;
}

static int cm_init(cm_model *m, const sv_core_cfg *cfg, const sv_core_child *ch, size_t n) {
    memset(m, 0, sizeof *m);
    if ((unsigned)cfg->strategy > SV_REST_FOR_ONE ||
        (unsigned)cfg->auto_shutdown > SV_AUTO_ALL_SIGNIFICANT || cfg->backoff_jitter_pct > 100 ||
        n > CM_MAX_CHILDREN)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!cm__spec_ok(&ch[i]))
            return -EINVAL;
        for (size_t k = 0; k < i; k++)
            if (strncmp(ch[k].id, ch[i].id, SV_ID_MAX) == 0)
                return -EINVAL;
    }
    m->cfg = *cfg;
    for (size_t i = 0; i < n; i++) {
        cm_child *x = &m->ch[i];
        x->spec = ch[i];
        memset(x->spec.id, 0, sizeof x->spec.id);
        memcpy(x->spec.id, ch[i].id, strnlen(ch[i].id, SV_ID_MAX));
        x->slot = (uint32_t)i;
        x->st = CM_STOPPED;
        x->last_reason = SV_EXIT_NORMAL;
        x->due = SV_FOREVER;
    }
    m->n = n;
    m->next_slot = (uint32_t)n;
    m->mode = CM_NEW;
    return 0;
}

/* Feed one input (the driver guarantees the protocol: results only when
 * awaited, with the awaited slot/incarnation). Output in m->out. */
static void cm_step(cm_model *m, const sv_core_in *in, int64_t now) {
    m->nout = 0;
    if (m->mode == CM_DONE) {
        cm__reply(m, -SV_ESHUTDOWN);
        return;
    }
    bool admin = in->kind >= SV_IN_START_CHILD && in->kind <= SV_IN_DELETE_CHILD;
    bool result = in->kind == SV_IN_START_RESULT || in->kind == SV_IN_STOP_RESULT;
    if (m->mode == CM_NEW) {
        if (in->kind == SV_IN_INIT) {
            m->mode = CM_INIT;
            m->iplan = 0;
            if (m->n == 0) {
                cm__reply(m, 0);
                m->mode = CM_IDLE;
            } else {
                cm__start(m, &m->ch[0]);
            }
        } else if (in->kind == SV_IN_SHUTDOWN) {
            cm__begin_shutdown(m);
        } else if (admin) {
            cm__reply(m, -EAGAIN);
        }
        return;
    }
    if (m->mode == CM_IDLE) {
        switch (in->kind) {
        case SV_IN_EXIT: cm__exit(m, in, now); break;
        case SV_IN_TIMER: cm__timer(m, now); break;
        case SV_IN_SHUTDOWN: cm__begin_shutdown(m); break;
        default:
            if (admin)
                cm__admin(m, in);
            break;
        }
        return;
    }
    /* busy */
    if (admin) {
        cm__reply(m, -EBUSY);
        return;
    }
    if (!result)
        return;
    cm_child *x = cm__get(m, in->slot);
    switch (m->mode) {
    case CM_INIT:
        if (in->err != 0) {
            x->st = CM_STOPPED;
            m->init_err = in->err < 0 ? in->err : -EIO;
            cm__begin_shutdown(m);
            return;
        }
        x->st = CM_RUNNING;
        x->started_at = now;
        if (++m->iplan < m->n) {
            cm__start(m, &m->ch[m->iplan]);
            return;
        }
        cm__reply(m, 0);
        m->mode = CM_IDLE;
        return;
    case CM_JOIN:
        cm__joined(m, in);
        return;
    case CM_GROUP:
        if (!m->start_phase) {
            x->abandoned = in->unstopped;
            if (x->spec.restart == SV_TEMPORARY)
                cm__remove(m, x->slot, true);
            else
                x->st = CM_RESTARTING;
            m->iplan++;
            cm__group_next(m, now);
            return;
        }
        if (in->err != 0) {
            cm__start_failed(m, x, now);
            return;
        }
        x->st = CM_RUNNING;
        x->started_at = now;
        x->abandoned = false;
        cm__event(m, SV_EV_RESTARTED, x->slot, x->inc, SV_EXIT_NORMAL);
        m->iplan++;
        cm__group_next(m, now);
        return;
    case CM_ADMIN_START:
        m->mode = CM_IDLE;
        if (in->err == 0) {
            x->st = CM_RUNNING;
            x->started_at = now;
            x->abandoned = false;
            cm__reply(m, 0);
            return;
        }
        if (m->admin_new)
            cm__remove(m, x->slot, false); /* never ran: FORGET only */
        else
            x->st = CM_STOPPED;
        cm__reply(m, in->err < 0 ? in->err : -EIO);
        return;
    case CM_ADMIN_STOP:
        m->mode = CM_IDLE;
        x->abandoned = in->unstopped;
        x->st = CM_STOPPED;
        x->last_reason = SV_EXIT_SHUTDOWN;
        if (x->spec.restart == SV_TEMPORARY)
            cm__remove(m, x->slot, true);
        else
            cm__event(m, SV_EV_CHILD_TERMINATED, x->slot, x->inc, SV_EXIT_SHUTDOWN);
        cm__reply(m, 0);
        return;
    case CM_SHUTDOWN:
        x->abandoned = in->unstopped;
        x->st = CM_STOPPED;
        m->iplan++;
        cm__sweep_next(m);
        return;
    default:
        return;
    }
}

/* Public view of a model child, as sv_core_child_at reports it. */
static sv_child_state cm_pub_state(const cm_child *x) {
    switch (x->st) {
    case CM_RUNNING:
    case CM_EXITED: return SV_CHILD_RUNNING;
    case CM_RESTARTING: return x->abandoned ? SV_CHILD_UNSTOPPED : SV_CHILD_RESTARTING;
    default: return SV_CHILD_STOPPED;
    }
}

#endif
