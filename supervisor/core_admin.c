/*
 * core_admin.c — the supervisor core's admin requests (OTP's start_child,
 * terminate_child, restart_child, delete_child, and for simple_one_for_one
 * supervisors start/terminate of instances), decided by two tables:
 * sv__admin (supervisor kind × target row × request) and sv__started
 * (what asked for the start × its result). Served only when the core is idle.
 */
#include "core_table.h"

#include "sv_plat.h"

#include <errno.h>
#include <string.h>

/* Verdicts (> 0); a value <= 0 is the reply itself. */
enum { SV__V_NOOP = 1, SV__V_STOP, SV__V_CANCEL, SV__V_START, SV__V_FORGET, SV__V_ADD };

/* Requests: the four by-id calls in sv_core_in_kind order, then start
 * (SV_IN_START_CHILD without a spec) and terminate of an instance. */
enum {
    SV__RQ_START = 0, SV__RQ_TERMINATE, SV__RQ_RESTART, SV__RQ_DELETE,
    SV__RQ_START_INST, SV__RQ_TERM_INST, SV__RQ__COUNT
};

/* Rows: the target child's state, or ABSENT when the request names no live
 * child (or is not looked up at all: the request does not fit the kind). */
#define SV__ROW_ABSENT SV__C__COUNT

#define SV__NOSUP (-EOPNOTSUPP)
#define SV__SIMPLE_ROW(term) {SV__NOSUP, SV__NOSUP, SV__NOSUP, SV__NOSUP, SV__V_ADD, (term)}

/* Admin verdict: [simple][row][request]. EXITED is never consulted (admin
 * is refused while busy); it reads as RUNNING. GONE is never a target. As
 * OTP: a simple_one_for_one supervisor answers every by-id request with an
 * error (ours: -EOPNOTSUPP), a static one every instance request. */
static const int sv__admin[2][SV__C__COUNT + 1][SV__RQ__COUNT] = {
    [false] = {
        /*                     start_child           terminate     restart          delete           start/term_inst */
        [SV__C_STOPPED]    = {-SV_EALREADY_PRESENT, SV__V_NOOP,   SV__V_START,     SV__V_FORGET,    SV__NOSUP, SV__NOSUP},
        [SV__C_RUNNING]    = {-SV_EALREADY_STARTED, SV__V_STOP,   -SV_ERUNNING,    -SV_ERUNNING,    SV__NOSUP, SV__NOSUP},
        [SV__C_EXITED]     = {-SV_EALREADY_STARTED, SV__V_STOP,   -SV_ERUNNING,    -SV_ERUNNING,    SV__NOSUP, SV__NOSUP},
        [SV__C_RESTARTING] = {-SV_EALREADY_PRESENT, SV__V_CANCEL, -SV_ERESTARTING, -SV_ERESTARTING, SV__NOSUP, SV__NOSUP},
        [SV__C_GONE]       = {SV__V_ADD, -SV_ENOT_FOUND, -SV_ENOT_FOUND, -SV_ENOT_FOUND, SV__NOSUP, SV__NOSUP},
        [SV__ROW_ABSENT]   = {SV__V_ADD, -SV_ENOT_FOUND, -SV_ENOT_FOUND, -SV_ENOT_FOUND, SV__NOSUP, SV__NOSUP},
    },
    [true] = {
        [SV__C_STOPPED]    = SV__SIMPLE_ROW(SV__V_FORGET),
        [SV__C_RUNNING]    = SV__SIMPLE_ROW(SV__V_STOP),
        [SV__C_EXITED]     = SV__SIMPLE_ROW(SV__V_STOP),
        [SV__C_RESTARTING] = SV__SIMPLE_ROW(SV__V_CANCEL),
        [SV__C_GONE]       = SV__SIMPLE_ROW(-SV_ENOT_FOUND),
        [SV__ROW_ABSENT]   = SV__SIMPLE_ROW(-SV_ENOT_FOUND),
    },
};

/* What an admin START answers: restart_child, start_child of a new static
 * child, or a new instance. */
enum { SV__AK_RESTART = 0, SV__AK_NEW, SV__AK_INSTANCE, SV__AK__COUNT };
enum { SV__SR_OK = 0, SV__SR_IGNORED, SV__SR_FAILED, SV__SR__COUNT };
enum { SV__KEEP_RUNNING = 0, SV__KEEP_STOPPED, SV__DROP };

/* Start result × what started it → what becomes of the child. As OTP: a
 * new static child whose first start fails is not kept, one that says
 * "ignore" is kept (not running); an instance is kept only running. */
static const uint8_t sv__started[SV__AK__COUNT][SV__SR__COUNT] = {
    /*                  ok                ignored           failed */
    [SV__AK_RESTART]  = {SV__KEEP_RUNNING, SV__KEEP_STOPPED, SV__KEEP_STOPPED},
    [SV__AK_NEW]      = {SV__KEEP_RUNNING, SV__KEEP_STOPPED, SV__DROP},
    [SV__AK_INSTANCE] = {SV__KEEP_RUNNING, SV__DROP,         SV__DROP},
};

/* start_child / start of an instance: append a new slot and start it. */
static void sv__admin_add(sv_core *c, const sv_core_child *s, sv__out *w)
{
    if (c->next_slot == SV__NO_SLOT) {
        sv__core_reply(w, -ENOSPC);
        return;
    }
    int err = sv__core_reserve(c);
    if (err < 0) {
        sv__core_reply(w, err); /* no state change */
        return;
    }
    sv__child *x = sv__core_append(c, s);
    c->mode = SV__M_ADMIN_START;
    c->admin_kind = c->cfg.simple ? SV__AK_INSTANCE : SV__AK_NEW;
    sv__core_start(c, x, w);
}

/* The target of a request: by id, by instance number, or none (ABSENT)
 * when the request does not fit the supervisor's kind. */
static size_t sv__admin_target(const sv_core *c, int rq, const sv_core_in *in)
{
    if (c->cfg.simple)
        return rq == SV__RQ_TERM_INST && in->instance > 0 ? sv__core_find_slot(c, in->instance - 1) : c->n;
    if (rq >= SV__RQ_START_INST)
        return c->n;
    return sv__core_find_id(c, rq == SV__RQ_START ? in->child->id : in->id);
}

/* Requests that name a static child need a valid spec / an id. */
static bool sv__admin_well_formed(const sv_core *c, int rq, const sv_core_in *in)
{
    if (c->cfg.simple || rq >= SV__RQ_START_INST)
        return true;
    return rq == SV__RQ_START ? in->child && sv__core_child_valid(in->child) : in->id != NULL;
}

void sv__core_on_admin(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    int rq = in->kind == SV_IN_TERMINATE_CHILD && in->instance > 0 ? SV__RQ_TERM_INST
             : in->kind == SV_IN_START_CHILD && !in->child && c->cfg.simple ? SV__RQ_START_INST
                                                                             : (int)(in->kind - SV_IN_START_CHILD);
    if (!sv__admin_well_formed(c, rq, in)) {
        sv__core_reply(w, -EINVAL);
        return;
    }
    size_t i = sv__admin_target(c, rq, in);
    sv__child *x = i < c->n ? &c->ch[i] : NULL;
    int v = sv__admin[c->cfg.simple][x ? x->st : SV__ROW_ABSENT][rq];
    switch (v) {
    case SV__V_NOOP:
        sv__core_reply(w, 0);
        break;
    case SV__V_STOP:
        c->mode = SV__M_ADMIN_STOP;
        sv__core_stop(c, x, w);
        break;
    case SV__V_CANCEL: {
        bool head = x->retry_at != SV_FOREVER;
        x->st = SV__C_STOPPED;
        x->retry_at = SV_FOREVER;
        c->sched_dirty = true;
        if (head)
            sv__core_drop_orphans(c);
        if (sv__keeps_spec(c, x))
            sv__core_event(w, SV_EV_CHILD_TERMINATED, x->slot, x->inc, SV_EXIT_SHUTDOWN, 0);
        else
            sv__core_remove(c, i, w);
        sv__core_reply(w, 0);
        break;
    }
    case SV__V_START:
        c->mode = SV__M_ADMIN_START;
        c->admin_kind = SV__AK_RESTART;
        sv__core_start(c, x, w);
        break;
    case SV__V_FORGET:
        sv__core_remove(c, i, w);
        sv__core_reply(w, 0);
        break;
    case SV__V_ADD:
        sv__admin_add(c, c->cfg.simple ? &c->tmpl : in->child, w);
        break;
    default:
        sv__core_reply(w, v);
        break;
    }
}

void sv__core_res_admin_start(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    size_t i = sv__core_find_slot(c, in->slot);
    sv__child *x = &c->ch[i];
    int r = in->err != 0 ? SV__SR_FAILED : in->ignored ? SV__SR_IGNORED : SV__SR_OK;
    c->mode = SV__M_IDLE;
    switch (sv__started[c->admin_kind][r]) {
    case SV__KEEP_RUNNING:
        x->st = SV__C_RUNNING;
        x->started_at = now;
        x->abandoned = false;
        break;
    case SV__KEEP_STOPPED:
        x->st = SV__C_STOPPED;
        break;
    default:
        /* the spec is discarded: no CHILD_REMOVED, it never ran */
        sv__core_emit(w, SV_ACT_FORGET, x->slot, x->inc);
        sv__core_drop(c, i);
        break;
    }
    sv__core_reply(w, r == SV__SR_FAILED ? sv__err(in->err) : 0);
}

void sv__core_res_admin_stop(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    size_t i = sv__core_find_slot(c, in->slot);
    sv__child *x = &c->ch[i];
    c->mode = SV__M_IDLE;
    x->abandoned = in->unstopped;
    x->st = SV__C_STOPPED;
    x->last_reason = SV_EXIT_SHUTDOWN;
    if (sv__keeps_spec(c, x))
        sv__core_event(w, SV_EV_CHILD_TERMINATED, x->slot, x->inc, SV_EXIT_SHUTDOWN, 0);
    else
        sv__core_remove(c, i, w);
    sv__core_reply(w, 0);
}
