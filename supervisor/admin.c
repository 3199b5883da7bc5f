/*
 * admin.c — OTP's admin API (start/terminate/restart/delete_child,
 * which_children, count_children), serialised through the supervisor thread.
 *
 * A caller puts a request (on its own stack) on the supervisor's list under
 * req_lock, raises req_pending, kicks the queue so a waiting pop returns,
 * and sleeps on req_cond until the supervisor marks the request done. The
 * supervisor serves the list between core sequences (never while the core
 * is busy) and touches a request for the last time when it sets done under
 * req_lock. Once the supervisor has exited, requests are refused with
 * -SV_ESHUTDOWN (req_closed).
 */
#include "runtime.h"

#include <errno.h>
#include <string.h>

enum { SV__OP_CORE = 0, SV__OP_WHICH, SV__OP_COUNT, SV__OP_SUP };

struct sv__req {
    int op;
    sv_core_in in;          /* SV__OP_CORE */
    sv__slot *slot;         /* START_CHILD: handed over when the core takes it */
    bool slot_taken;
    uint32_t instance;      /* START_CHILD of an instance: its number if it
                               is still there (0: the start said ignore) */
    sv_child_info *info;    /* SV__OP_WHICH */
    size_t cap, *n;
    sv_child_counts *counts; /* SV__OP_COUNT */
    const char *id;         /* SV__OP_SUP: the nested supervisor's child id … */
    sv_sup **sup;           /* … and where its new reference goes */
    int result;
    bool done; /* under req_lock */
    sv__req *next;
};

/* Invariant: a request is served by s's loop thread, which takes
 * tree->lock to emit events; a hook runs on that thread or under that lock,
 * so a request made from a hook would wait for itself: refused. */
static int sv__submit(sv_sup *s, sv__req *r)
{
    if (sv__hook_depth > 0) return -EDEADLK;
    sv_mutex_lock(&s->req_lock);
    if (s->req_closed) {
        sv_mutex_unlock(&s->req_lock);
        return -SV_ESHUTDOWN;
    }
    r->next = NULL;
    if (s->req_tail)
        s->req_tail->next = r;
    else
        s->req_head = r;
    s->req_tail = r;
    SV__SYNC(&s->req_pending, atomic_store_explicit(&s->req_pending, 1, memory_order_release));
    sv_mutex_unlock(&s->req_lock);
    sv__queue_kick(s->q);
    sv_mutex_lock(&s->req_lock);
    while (!r->done) sv_cond_wait(&s->req_cond, &s->req_lock, SV_FOREVER);
    sv_mutex_unlock(&s->req_lock);
    return r->result;
}

static void sv__req_finish(sv_sup *s, sv__req *r, int result)
{
    sv_mutex_lock(&s->req_lock);
    r->result = result;
    r->done = true;
    sv_cond_broadcast(&s->req_cond);
    sv_mutex_unlock(&s->req_lock);
}

/* On s's loop thread, between core sequences: a new reference to the
 * nested supervisor that child id's current incarnation runs. The
 * incarnation cannot be joined meanwhile (only this thread joins), and it
 * holds the nested supervisor, so taking a reference here is safe. */
static int sv__nested_ref(sv_sup *s, const char *id, sv_sup **out)
{
    uint32_t slot, inc;
    sv_child_state st;
    const sv_core_child *cs;
    if (s->spec->cfg.simple) return -EOPNOTSUPP;
    if (sv_core_child_find(s->core, id, &slot, &cs, &st, &inc) != 0) return -SV_ENOT_FOUND;
    if (!cs->is_sup) return -ENOTDIR;
    if (st == SV_CHILD_RESTARTING || st == SV_CHILD_UNSTOPPED) return -SV_ERESTARTING;
    if (st != SV_CHILD_RUNNING) return -ESRCH; /* terminated, or its start said ignore */
    sv__slot *sl = sv__slot_get(s, slot);
    for (sv_worker *w = sl ? sl->live : NULL; w; w = w->next)
        if (w->inc == inc && w->nested) {
            atomic_fetch_add_explicit(&w->nested->refs, 1, memory_order_relaxed);
            *out = w->nested;
            return 0;
        }
    return -ESRCH;
}

static int sv__admin_do(sv_sup *s, sv__req *r)
{
    sv_core *c = s->core;
    if (r->op != SV__OP_CORE && sv_core_done(c)) return -SV_ESHUTDOWN;
    switch (r->op) {
    case SV__OP_WHICH: {
        size_t pos = 0, i = 0;
        const sv_core_child *cs;
        sv_child_info o;
        uint32_t slot;
        for (; i < r->cap && sv_core_child_next(c, &pos, &slot, &cs, &o.state, &o.incarnation) == 0; i++) {
            memcpy(r->info[i].id, cs->id, sizeof o.id);
            r->info[i].state = o.state;
            r->info[i].incarnation = o.incarnation;
            r->info[i].is_supervisor = cs->is_sup;
            r->info[i].restart = cs->restart;
            r->info[i].instance = sv__inst(s, slot);
        }
        *r->n = sv_core_nchildren(c);
        return 0;
    }
    case SV__OP_COUNT: {
        sv_child_counts k = { 0 };
        const sv_core_child *cs;
        sv_child_state st;
        for (size_t pos = 0; sv_core_child_next(c, &pos, NULL, &cs, &st, NULL) == 0;) {
            k.specs++;
            if (st == SV_CHILD_RUNNING) k.active++;
            if (cs->is_sup)
                k.supervisors++;
            else
                k.workers++;
        }
        if (s->spec->cfg.simple) k.specs = 1; /* OTP: the template is the one spec */
        *r->counts = k;
        return 0;
    }
    case SV__OP_SUP:
        return sv__nested_ref(s, r->id, r->sup);
    default: {
        int result = -EIO;
        if (r->slot) {
            /* room for the new slot now, so binding it cannot fail */
            int err = sv__slots_reserve(s, 1);
            if (err) return err;
            s->pending = r->slot;
            s->pending_n0 = sv_core_nchildren(c);
            s->pending_bound = false;
        }
        sv__feed(s, &r->in, &result);
        if (r->slot) r->slot_taken = s->pending_bound;
        /* r->slot may be freed by now (the start failed or said ignore) */
        if (r->slot_taken && sv__slot_get(s, s->pending_no)) r->instance = sv__inst(s, s->pending_no);
        s->pending = NULL;
        return result;
    }
    }
}

void sv__admin_serve(sv_sup *s)
{
    sv_mutex_lock(&s->req_lock);
    sv__req *r = s->req_head;
    s->req_head = s->req_tail = NULL;
    SV__SYNC(&s->req_pending, atomic_store_explicit(&s->req_pending, 0, memory_order_relaxed));
    sv_mutex_unlock(&s->req_lock);
    while (r) {
        sv__req *next = r->next; /* r is the caller's once done */
        sv__req_finish(s, r, sv__admin_do(s, r));
        r = next;
    }
}

void sv__admin_close(sv_sup *s)
{
    sv_mutex_lock(&s->req_lock);
    s->req_closed = true;
    for (sv__req *r = s->req_head; r; r = r->next) {
        r->result = -SV_ESHUTDOWN;
        r->done = true;
    }
    s->req_head = s->req_tail = NULL;
    sv_cond_broadcast(&s->req_cond);
    sv_mutex_unlock(&s->req_lock);
}

static void sv__slot_discard(sv__slot *sl)
{
    sv__cspec_clear(&sl->own);
    sv_free(sl);
}

/* Add and start a child (spec copied). 0; -SV_EALREADY_STARTED /
 * -SV_EALREADY_PRESENT (id in use); -EINVAL (bad spec); -ENOMEM; the start
 * error of its first incarnation (the spec is then dropped, as in OTP);
 * -SV_ESHUTDOWN. */
int sv_start_child(sv_sup *s, const sv_child_spec *spec)
{
    sv__slot *sl = sv_alloc(sizeof *sl);
    if (!sl) return -ENOMEM;
    memset(sl, 0, sizeof *sl);
    int err = sv__cspec_from_user(spec, 0, &sl->own);
    if (!err && sl->own.sup && sv__sspec_catches(sl->own.sup)) err = sv__crash_signals_install();
    if (err) {
        sv__slot_discard(sl);
        return err;
    }
    sl->owned = true;
    sl->spec = &sl->own;
    sl->arg = sl->own.arg;
    sv__req r = { .op = SV__OP_CORE, .slot = sl };
    r.in = (sv_core_in){ .kind = SV_IN_START_CHILD, .child = &sl->own.c };
    err = sv__submit(s, &r);
    if (!r.slot_taken) sv__slot_discard(sl);
    return err;
}

static int sv__by_id(sv_sup *s, sv_core_in_kind kind, const char *id)
{
    if (!id) return -EINVAL;
    sv__req r = { .op = SV__OP_CORE };
    r.in = (sv_core_in){ .kind = kind, .id = id };
    return sv__submit(s, &r);
}

/* Stop a child, keep its spec (a temporary child's spec is removed).
 * 0, -SV_ENOT_FOUND, -SV_ESHUTDOWN. */
int sv_terminate_child(sv_sup *s, const char *id) { return sv__by_id(s, SV_IN_TERMINATE_CHILD, id); }

/* Start a terminated child again. 0, -SV_ERUNNING, -SV_ERESTARTING,
 * -SV_ENOT_FOUND, its start error, -SV_ESHUTDOWN. */
int sv_restart_child(sv_sup *s, const char *id) { return sv__by_id(s, SV_IN_RESTART_CHILD, id); }

/* Remove a terminated child's spec. 0, -SV_ERUNNING, -SV_ERESTARTING,
 * -SV_ENOT_FOUND, -SV_ESHUTDOWN. */
int sv_delete_child(sv_sup *s, const char *id) { return sv__by_id(s, SV_IN_DELETE_CHILD, id); }

/* Snapshot of the children in start order (up to cap into out; *n = all). */
int sv_which_children(sv_sup *s, sv_child_info *out, size_t cap, size_t *n)
{
    if ((cap && !out) || !n) return -EINVAL;
    sv__req r = { .op = SV__OP_WHICH, .info = out, .cap = cap, .n = n };
    return sv__submit(s, &r);
}

/* Counts as OTP's count_children: specs, active (running), supervisors,
 * workers. */
int sv_count_children(sv_sup *s, sv_child_counts *out)
{
    if (!out) return -EINVAL;
    sv__req r = { .op = SV__OP_COUNT, .counts = out };
    return sv__submit(s, &r);
}

/* A new instance of the template (simple_one_for_one). The request's slot
 * borrows the template spec from the supervisor's own copy. */
int sv_start_instance(sv_sup *s, void *arg, uint32_t *instance)
{
    if (instance) *instance = 0;
    if (!s->spec->cfg.simple) return -EOPNOTSUPP;
    if (sv__hook_depth > 0) return -EDEADLK;
    sv__slot *sl = sv_alloc(sizeof *sl);
    if (!sl) return -ENOMEM;
    memset(sl, 0, sizeof *sl);
    sl->spec = &s->spec->ch[0];
    sl->arg = arg;
    sv__req r = { .op = SV__OP_CORE, .slot = sl };
    r.in = (sv_core_in){ .kind = SV_IN_START_CHILD };
    int err = sv__submit(s, &r);
    if (!r.slot_taken) {
        sv_free(sl);
        return err;
    }
    /* Taken: the slot is the supervisor's (freed by it if the start failed
     * or said ignore). The answer tells which. */
    if (err == 0 && instance) *instance = r.instance;
    return err;
}

/* Stop and remove one instance. */
int sv_terminate_instance(sv_sup *s, uint32_t instance)
{
    if (instance == 0) return -SV_ENOT_FOUND;
    sv__req r = { .op = SV__OP_CORE };
    r.in = (sv_core_in){ .kind = SV_IN_TERMINATE_CHILD, .instance = instance };
    return sv__submit(s, &r);
}

/* A reference to the nested supervisor child id of parent runs now. */
int sv_sup_child(sv_sup *parent, const char *id, sv_sup **out)
{
    if (!parent || !id || !out) return -EINVAL;
    *out = NULL;
    sv__req r = { .op = SV__OP_SUP, .id = id, .sup = out };
    return sv__submit(parent, &r);
}

/* Walk path one id at a time with sv_sup_child, releasing each step's
 * reference once the next one is held. */
int sv_sup_lookup(sv_sup *root, const char *path, sv_sup **out)
{
    if (!root || !path || !out || !*path) return -EINVAL;
    *out = NULL;
    sv_sup *cur = root;
    const char *p = path;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        char id[SV_ID_MAX];
        if (len == 0 || len >= sizeof id) {
            if (cur != root) sv_sup_release(cur);
            return -EINVAL;
        }
        memcpy(id, p, len);
        id[len] = '\0';
        sv_sup *next;
        int err = sv_sup_child(cur, id, &next);
        if (cur != root) sv_sup_release(cur);
        if (err) return err;
        cur = next;
        if (!slash) break;
        p = slash + 1;
    }
    *out = cur;
    return 0;
}

/* Drop a reference from sv_sup_child / sv_sup_lookup. Never blocks on the
 * supervisor: the last reference frees memory only. */
void sv_sup_release(sv_sup *s)
{
    if (s) sv__sup_put(s);
}
