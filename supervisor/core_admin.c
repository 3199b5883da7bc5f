/*
 * core_admin.c — the supervisor core's admin requests (OTP's start_child,
 * terminate_child, restart_child, delete_child), decided by the table
 * sv__admin (child state × request). Served only when the core is idle.
 */
#include "core_table.h"

#include "sv_plat.h"

#include <errno.h>
#include <string.h>

enum { SV__V_NOOP = 1, SV__V_STOP, SV__V_CANCEL, SV__V_START, SV__V_FORGET };
#define SV__ADMIN(k) ((k) - SV_IN_START_CHILD)

/* Admin verdict: child state × request → action (> 0) or reply (<= 0).
 * EXITED is never consulted (admin is refused while busy); it reads as
 * RUNNING. */
static const int sv__admin[SV__C__COUNT][4] = {
    /*                     start_child            terminate     restart           delete */
    [SV__C_STOPPED]    = {-SV_EALREADY_PRESENT, SV__V_NOOP,   SV__V_START,      SV__V_FORGET},
    [SV__C_RUNNING]    = {-SV_EALREADY_STARTED, SV__V_STOP,   -SV_ERUNNING,     -SV_ERUNNING},
    [SV__C_EXITED]     = {-SV_EALREADY_STARTED, SV__V_STOP,   -SV_ERUNNING,     -SV_ERUNNING},
    [SV__C_RESTARTING] = {-SV_EALREADY_PRESENT, SV__V_CANCEL, -SV_ERESTARTING,  -SV_ERESTARTING},
};

static int sv__grow(sv_core *c)
{
    if (c->n < c->cap)
        return 0;
    if (c->cap > SIZE_MAX / 2 / sizeof c->ch[0])
        return -ENOMEM;
    size_t cap = c->cap * 2;
    sv__child *ch = sv_alloc(cap * sizeof *ch);
    if (!ch)
        return -ENOMEM;
    memcpy(ch, c->ch, c->n * sizeof *ch);
    sv_free(c->ch);
    c->ch = ch;
    c->cap = cap;
    return 0;
}

/* start_child of an id not present: append a new slot and start it. */
static void sv__admin_add(sv_core *c, const sv_core_child *s, sv__out *w)
{
    if (c->next_slot == SV__NO_SLOT) {
        sv__core_reply(w, -ENOSPC);
        return;
    }
    int err = sv__grow(c);
    if (err < 0) {
        sv__core_reply(w, err); /* no state change */
        return;
    }
    sv__child *x = &c->ch[c->n++];
    sv__core_child_init(x, s, c->next_slot++);
    c->mode = SV__M_ADMIN_START;
    c->admin_new = true;
    sv__core_start(c, x, w);
}

void sv__core_on_admin(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    bool add = in->kind == SV_IN_START_CHILD;
    if (add ? (!in->child || !sv__core_child_valid(in->child)) : !in->id) {
        sv__core_reply(w, -EINVAL);
        return;
    }
    size_t i = sv__core_find_id(c, add ? in->child->id : in->id);
    if (i == c->n) {
        if (add)
            sv__admin_add(c, in->child, w);
        else
            sv__core_reply(w, -SV_ENOT_FOUND);
        return;
    }
    sv__child *x = &c->ch[i];
    int v = sv__admin[x->st][SV__ADMIN(in->kind)];
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
        sv__core_event(w, SV_EV_CHILD_TERMINATED, x->slot, x->inc, SV_EXIT_SHUTDOWN, 0);
        sv__core_reply(w, 0);
        break;
    }
    case SV__V_START:
        c->mode = SV__M_ADMIN_START;
        c->admin_new = false;
        sv__core_start(c, x, w);
        break;
    case SV__V_FORGET:
        sv__core_remove(c, i, w);
        sv__core_reply(w, 0);
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
    c->mode = SV__M_IDLE;
    if (in->err == 0) {
        x->st = SV__C_RUNNING;
        x->started_at = now;
        x->abandoned = false;
        sv__core_reply(w, 0);
        return;
    }
    if (c->admin_new) {
        /* the spec is discarded: no CHILD_REMOVED, it never ran */
        sv__core_emit(w, SV_ACT_FORGET, x->slot, x->inc);
        memmove(&c->ch[i], &c->ch[i + 1], (c->n - i - 1) * sizeof c->ch[0]);
        c->n--;
    } else {
        x->st = SV__C_STOPPED;
    }
    sv__core_reply(w, sv__err(in->err));
}

void sv__core_res_admin_stop(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w)
{
    size_t i = sv__core_find_slot(c, in->slot);
    sv__child *x = &c->ch[i];
    c->mode = SV__M_IDLE;
    x->abandoned = in->unstopped;
    x->st = SV__C_STOPPED;
    x->last_reason = SV_EXIT_SHUTDOWN;
    if (x->spec.restart == SV_TEMPORARY)
        sv__core_remove(c, i, w);
    else
        sv__core_event(w, SV_EV_CHILD_TERMINATED, x->slot, x->inc, SV_EXIT_SHUTDOWN, 0);
    sv__core_reply(w, 0);
}

