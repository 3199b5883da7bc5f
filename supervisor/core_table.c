/*
 * core_table.c — the supervisor core's child table and output helpers:
 * emitting actions, finding and removing children, restart groups and
 * retry heads. Shared by core.c (sequences) and core_admin.c (admin).
 */
#include "core_table.h"

#include <string.h>

/* ---- output ---------------------------------------------------------------- */

/* No step emits more than 5 actions; the bound check only guards the array. */
sv_core_act *sv__core_emit(sv__out *w, sv_core_act_kind kind, uint32_t slot, uint32_t inc)
{
    sv_core_act *a = &w->a[w->n < SV_CORE_MAX_ACTIONS ? w->n++ : SV_CORE_MAX_ACTIONS - 1];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->slot = slot;
    a->incarnation = inc;
    return a;
}

void sv__core_event(sv__out *w, sv_event_kind ev, uint32_t slot, uint32_t inc, int reason, int64_t detail)
{
    sv_core_act *a = sv__core_emit(w, SV_ACT_EVENT, slot, inc);
    a->event = ev;
    a->reason = reason;
    a->detail_ns = detail;
}

void sv__core_log(sv__out *w, uint32_t slot, uint32_t inc, int reason)
{
    sv__core_emit(w, SV_ACT_LOG, slot, inc)->reason = reason;
}

void sv__core_reply(sv__out *w, int err)
{
    sv__core_emit(w, SV_ACT_REPLY, SV__NO_SLOT, 0)->err = err;
}

/* Starts the next incarnation of x; the caller's sequence awaits it. */
void sv__core_start(sv_core *c, sv__child *x, sv__out *w)
{
    if (++x->inc == 0)
        x->inc = 1; /* 0 means "none"; wrapping takes 2^32 starts */
    c->await = SV__AW_START;
    c->await_slot = x->slot;
    c->await_inc = x->inc;
    sv__core_emit(w, SV_ACT_START, x->slot, x->inc);
}

/* Stops (or, if it already ended, joins) x's live incarnation. */
void sv__core_stop(sv_core *c, sv__child *x, sv__out *w)
{
    c->await = SV__AW_STOP;
    c->await_slot = x->slot;
    c->await_inc = x->inc;
    sv__core_emit(w, SV_ACT_STOP, x->slot, x->inc);
}
/* ---- the table ------------------------------------------------------------- */

/* Index of the live child in slot, or c->n. The table is sorted by slot
 * (tombstones keep theirs). */
size_t sv__core_find_slot(const sv_core *c, uint32_t slot)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ch[mid].slot < slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < c->n && c->ch[lo].slot == slot && c->ch[lo].st != SV__C_GONE) ? lo : c->n;
}

/* Through the id index: candidates with the id's hash, checked by name.
 * Instances are not indexed, so they are never found by id. */
size_t sv__core_find_id(const sv_core *c, const char *id)
{
    if (strnlen(id, SV_ID_MAX) >= SV_ID_MAX)
        return c->n;
    uint32_t h = sv__hash_str(id, SV_ID_MAX);
    for (size_t e = sv__hmap_first(&c->ids, h); e != SV__HMAP_END; e = sv__hmap_next(&c->ids, h, e)) {
        size_t i = sv__core_find_slot(c, (uint32_t)c->ids.e[e].v);
        if (i < c->n && strcmp(c->ch[i].spec.id, id) == 0)
            return i;
    }
    return c->n;
}

void sv__core_drop(sv_core *c, size_t i)
{
    sv__child *x = &c->ch[i];
    if (!c->cfg.simple)
        sv__hmap_del(&c->ids, sv__hash_str(x->spec.id, SV_ID_MAX), x->slot);
    if (x->retry_at != SV_FOREVER)
        c->sched_dirty = true;
    x->retry_at = SV_FOREVER;
    x->st = SV__C_GONE;
    c->ngone++;
}

/* Emits CHILD_REMOVED and FORGET for ch[i] and drops it from the table. */
void sv__core_remove(sv_core *c, size_t i, sv__out *w)
{
    sv__child *x = &c->ch[i];
    sv__core_event(w, SV_EV_CHILD_REMOVED, x->slot, x->inc, x->last_reason, 0);
    sv__core_emit(w, SV_ACT_FORGET, x->slot, x->inc);
    sv__core_drop(c, i);
}

/* Amortised O(1) per removal: runs only when tombstones >= live children,
 * and costs O(entries). */
void sv__core_compact(sv_core *c)
{
    if (c->ngone == 0 || c->ngone < c->n - c->ngone)
        return;
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->ch[i].st != SV__C_GONE)
            c->ch[k++] = c->ch[i];
    c->n = k;
    c->ngone = 0;
}

int sv__core_reserve(sv_core *c)
{
    if (!c->cfg.simple && sv__hmap_reserve(&c->ids, c->n - c->ngone + 1) < 0)
        return -ENOMEM;
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

sv__child *sv__core_append(sv_core *c, const sv_core_child *s)
{
    sv__child *x = &c->ch[c->n++];
    sv__core_child_init(x, s, c->next_slot++);
    if (!c->cfg.simple)
        sv__hmap_put(&c->ids, sv__hash_str(x->spec.id, SV_ID_MAX), x->slot);
    return x;
}

bool sv__core_child_valid(const sv_core_child *s)
{
    size_t len = strnlen(s->id, SV_ID_MAX);
    if (len == 0 || len >= SV_ID_MAX)
        return false;
    if ((unsigned)s->restart > SV_TEMPORARY || (unsigned)s->shutdown > SV_SHUTDOWN_INFINITY)
        return false;
    return !(s->significant && s->restart == SV_PERMANENT); /* OTP rejects it */
}

void sv__core_child_init(sv__child *x, const sv_core_child *s, uint32_t slot)
{
    memset(x, 0, sizeof *x);
    x->spec = *s;
    memset(x->spec.id, 0, sizeof x->spec.id);
    memcpy(x->spec.id, s->id, strnlen(s->id, SV_ID_MAX));
    x->slot = slot;
    x->st = SV__C_STOPPED;
    x->last_reason = SV_EXIT_NORMAL;
    x->retry_at = SV_FOREVER;
}

/* ---- groups and retry heads -------------------------------------------------- */

size_t sv__core_group_lo(const sv_core *c, size_t i)
{
    return c->cfg.strategy == SV_ONE_FOR_ALL ? 0 : i;
}

size_t sv__core_group_hi(const sv_core *c, size_t i)
{
    return c->cfg.strategy == SV_ONE_FOR_ONE ? i : c->n - 1;
}

void sv__core_clear_heads(sv_core *c, size_t lo, size_t hi)
{
    for (size_t i = lo; i <= hi && i < c->n; i++) {
        if (c->ch[i].retry_at != SV_FOREVER) {
            c->ch[i].retry_at = SV_FOREVER;
            c->sched_dirty = true; /* the deadline is recomputed only then */
        }
    }
}

/* Marks every non-live, non-temporary member of G(i) RESTARTING. */
void sv__core_mark_group(sv_core *c, size_t i)
{
    size_t hi = sv__core_group_hi(c, i);
    for (size_t k = sv__core_group_lo(c, i); k <= hi; k++) {
        sv__child *x = &c->ch[k];
        if (!sv__alive(x) && x->st != SV__C_GONE && x->spec.restart != SV_TEMPORARY)
            x->st = SV__C_RESTARTING;
    }
}

/* Makes ch[i] the head of a retry due at now (+ backoff when on). */
void sv__core_schedule(sv_core *c, size_t i, int64_t now, sv__out *w)
{
    sv__child *x = &c->ch[i];
    int64_t delay = c->bo_min_ns > 0 ? sv__core_backoff_next(c, x) : 0;
    x->retry_at = sv__core_add_sat(now, delay);
    c->sched_dirty = true;
    if (c->bo_min_ns > 0)
        sv__core_event(w, SV_EV_BACKOFF, x->slot, x->inc, x->last_reason, delay);
}

/* After a head was cancelled: a RESTARTING child that no head covers would
 * wait forever; it becomes STOPPED (as OTP leaves such children undefined). */
void sv__core_drop_orphans(sv_core *c)
{
    bool any_head = false, seen_head = false;
    for (size_t i = 0; i < c->n; i++)
        any_head |= c->ch[i].retry_at != SV_FOREVER;
    for (size_t i = 0; i < c->n; i++) {
        sv__child *x = &c->ch[i];
        if (x->retry_at != SV_FOREVER) {
            seen_head = true;
            continue;
        }
        bool covered = c->cfg.strategy == SV_ONE_FOR_ALL ? any_head
                       : c->cfg.strategy == SV_REST_FOR_ONE ? seen_head : false;
        if (x->st == SV__C_RESTARTING && !covered)
            x->st = SV__C_STOPPED;
    }
}

