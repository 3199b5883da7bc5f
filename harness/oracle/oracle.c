/*
 * oracle.c — invariant names, verdicts, the policy capture and the trace
 * index. The checkers themselves are in oracle_inv.c.
 */
#include "oracle/oracle_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fl_oracle__inv_names[FL_ORACLE_INV_COUNT] = {
    "crash_logged_once", "joined_before_restart", "restart_policy", "strategy_set",
    "intensity_shutdown", "no_lost_report", "no_leaked_thread", "shutdown_completes",
    "event_order", "children_view", "expectation",
};

const char *fl_oracle_inv_name(int inv) {
    return inv >= 0 && inv < FL_ORACLE_INV_COUNT ? fl_oracle__inv_names[inv] : "?";
}

int fl_oracle_inv_from_name(const char *name) {
    for (int i = 0; name && i < FL_ORACLE_INV_COUNT; i++)
        if (strcmp(name, fl_oracle__inv_names[i]) == 0) return i;
    return -1;
}

const char *fl_oracle_end_name(int end) {
    static const char *const names[] = {"ok", "deadlock", "budget", "diverged", "error"};
    return end >= 0 && end <= FL_ORACLE_END_ERROR ? names[end] : "?";
}

/* ---- verdicts ---------------------------------------------------------------- */

void fl_oracle_verdict_init(fl_oracle_verdict *vd) { memset(vd, 0, sizeof *vd); }

void fl_oracle_verdict_free(fl_oracle_verdict *vd) {
    for (size_t i = 0; i < vd->n; i++) {
        free(vd->v[i].message);
        free(vd->v[i].seqs);
    }
    free(vd->v);
    memset(vd, 0, sizeof *vd);
}

static int fl_oracle__cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int fl_oracle_verdict_add(fl_oracle_verdict *vd, fl_oracle_inv inv, const uint64_t *seqs, size_t nseqs,
                   const char *fmt, ...) {
    fl_oracle_violation v = {.inv = inv};
    if (vd->n == vd->cap) {
        size_t cap = vd->cap ? vd->cap * 2 : 8;
        fl_oracle_violation *nv = realloc(vd->v, cap * sizeof *nv);
        if (!nv) goto fail;
        vd->v = nv;
        vd->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) len = 0;
    v.message = malloc((size_t)len + 1);
    if (!v.message) goto fail;
    va_start(ap, fmt);
    vsnprintf(v.message, (size_t)len + 1, fmt, ap);
    va_end(ap);
    if (nseqs) {
        v.seqs = malloc(nseqs * sizeof *v.seqs);
        if (!v.seqs) goto fail;
        memcpy(v.seqs, seqs, nseqs * sizeof *v.seqs);
        qsort(v.seqs, nseqs, sizeof *v.seqs, fl_oracle__cmp_u64);
        v.nseqs = nseqs;
    }
    vd->v[vd->n++] = v;
    return 0;
fail:
    free(v.message);
    vd->err = -ENOMEM;
    return -ENOMEM;
}

const fl_oracle_violation *fl_oracle_verdict_find(const fl_oracle_verdict *vd, fl_oracle_inv inv) {
    for (size_t i = 0; i < vd->n; i++)
        if (vd->v[i].inv == inv) return &vd->v[i];
    return NULL;
}

const fl_oracle_violation *fl_oracle_verdict_primary(const fl_oracle_verdict *vd) {
    const fl_oracle_violation *best = NULL;
    for (size_t i = 0; i < vd->n; i++) {
        const fl_oracle_violation *v = &vd->v[i];
        if (!best) { best = v; continue; }
        if (!v->nseqs) continue;
        if (!best->nseqs || v->seqs[0] < best->seqs[0] ||
            (v->seqs[0] == best->seqs[0] && v->inv < best->inv))
            best = v;
    }
    return best;
}

void fl_oracle_verdict_print(const fl_oracle_verdict *vd, FILE *out) {
    for (size_t i = 0; i < vd->n; i++) {
        const fl_oracle_violation *v = &vd->v[i];
        fprintf(out, "%s: %s", fl_oracle_inv_name(v->inv), v->message);
        for (size_t j = 0; j < v->nseqs; j++)
            fprintf(out, "%s#%llu", j ? " " : " [events ", (unsigned long long)v->seqs[j]);
        fputs(v->nseqs ? "]\n" : "\n", out);
    }
}

/* ---- policy -------------------------------------------------------------------- */

static int fl_oracle__psup_find(const fl_oracle_policy *p, const char *name) {
    for (size_t i = 0; name && i < p->nsups; i++)
        if (strcmp(p->sups[i].name, name) == 0) return (int)i;
    return -1;
}

static int fl_oracle__add_sup(fl_oracle_policy *p, const sv_sup_spec *s, int parent, int self, int depth);

static int fl_oracle__add_pchild(fl_oracle_policy *p, int si, const sv_child_spec *c, int depth) {
    if (!c->id || !c->id[0] || (!c->fn == !c->sup)) return -EINVAL;
    fl_oracle__psup *ps = &p->sups[si];
    for (size_t i = 0; i < ps->nch; i++)
        if (strcmp(ps->ch[i].id, c->id) == 0) return -EEXIST;
    if (ps->nch == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 4;
        fl_oracle__pchild *nc = realloc(ps->ch, cap * sizeof *nc);
        if (!nc) return -ENOMEM;
        ps->ch = nc;
        ps->cap = cap;
    }
    fl_oracle__pchild pc = {.restart = c->restart, .significant = c->significant, .nested = -1};
    if (!(pc.id = strdup(c->id))) return -ENOMEM;
    size_t at = ps->nch++;
    ps->ch[at] = pc;
    if (c->sup) {
        int r = fl_oracle__add_sup(p, c->sup, si, (int)at, depth + 1);
        if (r < 0) return r;
        p->sups[si].ch[at].nested = r; /* p->sups may have moved */
    }
    return 0;
}

/* Returns the new supervisor's index or a negative errno. */
static int fl_oracle__add_sup(fl_oracle_policy *p, const sv_sup_spec *s, int parent, int self, int depth) {
    const char *name = s->name ? s->name : "sup";
    if (!name[0] || depth > 64 || fl_oracle__psup_find(p, name) >= 0) return -EINVAL;
    if (p->nsups == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        fl_oracle__psup *ns = realloc(p->sups, cap * sizeof *ns);
        if (!ns) return -ENOMEM;
        p->sups = ns;
        p->cap = cap;
    }
    bool simple = s->strategy == SV_SIMPLE_ONE_FOR_ONE;
    fl_oracle__psup ps = {.parent = parent, .self = self, .strategy = simple ? SV_ONE_FOR_ONE : s->strategy,
                    .simple = simple,
                    .intensity = s->intensity, .period_ms = s->period_ms,
                    .auto_shutdown = s->auto_shutdown};
    if (!(ps.name = strdup(name))) return -ENOMEM;
    int si = (int)p->nsups++;
    p->sups[si] = ps;
    for (size_t i = 0; i < s->nchildren; i++) {
        int r = fl_oracle__add_pchild(p, si, &s->children[i], depth);
        if (r < 0) return r == -EEXIST ? -EINVAL : r;
    }
    return si;
}

int fl_oracle_policy_new(const sv_sup_spec *root, fl_oracle_policy **out) {
    fl_oracle_policy *p = calloc(1, sizeof *p);
    if (!p) return -ENOMEM;
    int r = fl_oracle__add_sup(p, root, -1, -1, 0);
    if (r < 0) goto fail;
    *out = p;
    return 0;
fail:
    fl_oracle_policy_free(p);
    return r;
}

int fl_oracle_policy_add_child(fl_oracle_policy *p, const char *sup, const sv_child_spec *c) {
    int si = fl_oracle__psup_find(p, sup);
    if (si < 0) return -ENOENT;
    return fl_oracle__add_pchild(p, si, c, 0);
}

void fl_oracle_policy_free(fl_oracle_policy *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nsups; i++) {
        for (size_t j = 0; j < p->sups[i].nch; j++) free(p->sups[i].ch[j].id);
        free(p->sups[i].ch);
        free(p->sups[i].name);
    }
    free(p->sups);
    free(p);
}

/* ---- the index ------------------------------------------------------------------- */

static bool fl_oracle__streq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static int fl_oracle__new_inst(fl_oracle__index *x, const char *name) {
    if (x->ninst == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 4;
        fl_oracle__inst *ni = realloc(x->inst, cap * sizeof *ni);
        if (!ni) return -ENOMEM;
        x->inst = ni;
        x->cap = cap;
    }
    fl_oracle__inst in = {.name = name, .psup = x->pol ? fl_oracle__psup_find(x->pol, name) : -1,
                    .parent = -1, .holder_child = -1, .sup_start = FL_ORACLE__NONE,
                    .shutdown = FL_ORACLE__NONE, .intensity = FL_ORACLE__NONE, .auto_sd = FL_ORACLE__NONE,
                    .cause = FL_ORACLE__NONE, .stop_trig = FL_ORACLE__NONE};
    x->inst[x->ninst] = in;
    return (int)x->ninst++;
}

/* The latest instance of that name, or -1. */
static int fl_oracle__inst_find(const fl_oracle__index *x, const char *name) {
    for (size_t i = x->ninst; i-- > 0;)
        if (fl_oracle__streq(x->inst[i].name, name)) return (int)i;
    return -1;
}

/* The latest generation of child id (instance: its number, or 0) in the
 * supervisor instance, or -1. */
static int fl_oracle__child_find(const fl_oracle__inst *in, const char *id, uint32_t instance) {
    for (size_t i = in->n; i-- > 0;)
        if (fl_oracle__streq(in->ch[i].id, id) && in->ch[i].instance == instance) return (int)i;
    return -1;
}

/* A new record (the next generation) for child id of instance ii. */
static int fl_oracle__child_new(fl_oracle__index *x, int ii, const char *id, uint32_t instance, uint32_t gen) {
    fl_oracle__inst *in = &x->inst[ii];
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 4;
        fl_oracle__child *nc = realloc(in->ch, cap * sizeof *nc);
        if (!nc) return -ENOMEM;
        in->ch = nc;
        in->cap = cap;
    }
    fl_oracle__child c = {.id = id, .instance = instance, .pc = -1, .gen = gen, .removed = FL_ORACLE__NONE,
                          .last_start = FL_ORACLE__NONE, .restart = SV_PERMANENT};
    size_t unknown_base = 0;
    if (in->psup >= 0) {
        const fl_oracle__psup *ps = &x->pol->sups[in->psup];
        unknown_base = ps->nch;
        for (size_t i = 0; i < ps->nch; i++)
            if (strcmp(ps->ch[i].id, id) == 0) {
                c.pc = (int)i;
                c.restart = ps->ch[i].restart;
            }
    }
    c.order = c.pc >= 0 && gen == 1 && !instance ? (size_t)c.pc : unknown_base + in->n;
    in->ch[in->n] = c;
    return (int)in->n++;
}

/* Was event i inside a start_child admin call for id on instance in? */
static bool fl_oracle__in_admin_start(const fl_oracle__index *x, int in, const char *id, int32_t i) {
    if (!x->run) return false;
    uint64_t seq = x->tr[i].ev.seq;
    for (size_t a = 0; a < x->run->nadmin; a++) {
        const fl_oracle_admin_call *c = &x->run->admin[a];
        if (c->op == FL_ORACLE_ADMIN_START && seq > c->seq_before && seq <= c->seq_after &&
            fl_oracle__streq(c->child, id) && (!c->sup || fl_oracle__streq(c->sup, x->inst[in].name)))
            return true;
    }
    return false;
}

/* The child record event i (about child e->child) belongs to: a START that
 * adds the id anew opens a new generation; any other event goes to the
 * latest generation that has its incarnation and has not yet seen an event
 * of that kind for it (a late report of an older generation's abandoned
 * thread), else the latest generation. Creates records as needed. */
static int fl_oracle__child_get(fl_oracle__index *x, int ii, const sv_event *e, int32_t i) {
    fl_oracle__inst *in = &x->inst[ii];
    int ci = fl_oracle__child_find(in, e->child, e->instance);
    if (ci < 0) return fl_oracle__child_new(x, ii, e->child, e->instance, 1);
    const fl_oracle__child *c = &in->ch[ci];
    if (e->kind == SV_EV_START) {
        bool removed = c->removed != FL_ORACLE__NONE && c->last_start != FL_ORACLE__NONE && c->removed > c->last_start;
        bool readded = c->n && e->incarnation <= c->incs[c->n - 1].inc && fl_oracle__in_admin_start(x, ii, e->child, i);
        return removed || readded ? fl_oracle__child_new(x, ii, e->child, e->instance, c->gen + 1) : ci;
    }
    if (!e->incarnation || (unsigned)e->kind >= SV_EV__COUNT) return ci;
    int any = -1;
    for (int k = ci; k >= 0; k--) {
        const fl_oracle__child *g = &in->ch[k];
        if (!fl_oracle__streq(g->id, e->child) || g->instance != e->instance) continue;
        for (size_t j = 0; j < g->n; j++) {
            if (g->incs[j].inc != e->incarnation || g->incs[j].first[SV_EV_START] == FL_ORACLE__NONE) continue;
            if (!g->incs[j].count[e->kind]) return k;
            if (any < 0) any = k;
        }
    }
    return any >= 0 ? any : ci;
}

static int fl_oracle__inc_get(fl_oracle__child *c, uint32_t inc) {
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->incs[mid].inc < inc) lo = mid + 1;
        else hi = mid;
    }
    if (lo < c->n && c->incs[lo].inc == inc) return (int)lo;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4;
        fl_oracle__inc *ni = realloc(c->incs, cap * sizeof *ni);
        if (!ni) return -ENOMEM;
        c->incs = ni;
        c->cap = cap;
    }
    memmove(&c->incs[lo + 1], &c->incs[lo], (c->n - lo) * sizeof *c->incs);
    fl_oracle__inc r = {.inc = inc, .sup_end = FL_ORACLE__NONE};
    for (int k = 0; k < SV_EV__COUNT; k++) r.first[k] = r.second[k] = FL_ORACLE__NONE;
    c->incs[lo] = r;
    c->n++;
    return (int)lo;
}

/* Worker-side reports of an abandoned (unstopped) incarnation may arrive
 * after its supervisor instance was replaced: attribute them to the latest
 * instance that started that incarnation. */
static int fl_oracle__inst_for_report(const fl_oracle__index *x, const sv_event *e) {
    for (size_t i = x->ninst; i-- > 0;) {
        const fl_oracle__inst *in = &x->inst[i];
        if (!fl_oracle__streq(in->name, e->sup)) continue;
        for (size_t ci = 0; ci < in->n; ci++) {
            if (!fl_oracle__streq(in->ch[ci].id, e->child) || in->ch[ci].instance != e->instance) continue;
            for (size_t k = 0; k < in->ch[ci].n; k++)
                if (in->ch[ci].incs[k].inc == e->incarnation &&
                    in->ch[ci].incs[k].first[SV_EV_START] != FL_ORACLE__NONE)
                    return (int)i;
        }
    }
    return fl_oracle__inst_find(x, e->sup);
}

static void fl_oracle__link_nested(fl_oracle__index *x, int ii, int32_t at) {
    fl_oracle__inst *in = &x->inst[ii];
    if (in->psup < 0 || x->pol->sups[in->psup].parent < 0) return;
    const fl_oracle__psup *ps = &x->pol->sups[in->psup];
    int pi = fl_oracle__inst_find(x, x->pol->sups[ps->parent].name);
    if (pi < 0 || pi == ii) return;
    const char *hid = x->pol->sups[ps->parent].ch[ps->self].id;
    int hc = fl_oracle__child_find(&x->inst[pi], hid, 0);
    in->parent = pi;
    if (hc < 0) return;
    const fl_oracle__child *c = &x->inst[pi].ch[hc];
    for (size_t k = c->n; k-- > 0;)
        if (c->incs[k].first[SV_EV_START] < at) {
            in->holder_child = hc;
            in->holder_inc = c->incs[k].inc;
            return;
        }
}

static void fl_oracle__record(fl_oracle__inc *r, sv_event_kind k, int32_t i) {
    if ((unsigned)k >= SV_EV__COUNT) return; /* unknown kinds are attributed, never counted */
    if (r->count[k]++ == 0) r->first[k] = i;
    else if (r->count[k] == 2) r->second[k] = i;
}

static int fl_oracle__attribute(fl_oracle__index *x, int32_t i) {
    const sv_event *e = &x->tr[i].ev;
    const char *sup = e->sup ? e->sup : "";
    int ii;
    if (e->kind == SV_EV_SUP_START) {
        if ((ii = fl_oracle__new_inst(x, sup)) < 0) return ii;
        x->inst[ii].sup_start = i;
        fl_oracle__link_nested(x, ii, i);
    } else {
        ii = (e->kind == SV_EV_CRASH || e->kind == SV_EV_EXIT) && e->child
                 ? fl_oracle__inst_for_report(x, e) : fl_oracle__inst_find(x, sup);
        if (ii < 0 && (ii = fl_oracle__new_inst(x, sup)) < 0) return ii;
    }
    fl_oracle__inst *in = &x->inst[ii];
    fl_oracle__ref ref = {.inst = ii, .child = -1, .inc = -1};
    if (!e->child) {
        int32_t *slot = e->kind == SV_EV_SHUTDOWN ? &in->shutdown
                      : e->kind == SV_EV_INTENSITY_EXCEEDED ? &in->intensity
                      : e->kind == SV_EV_AUTO_SHUTDOWN ? &in->auto_sd : NULL;
        if (slot && *slot == FL_ORACLE__NONE) *slot = i;
    } else {
        int ci = fl_oracle__child_get(x, ii, e, i);
        if (ci < 0) return ci;
        ref.child = ci;
        fl_oracle__child *cr = &x->inst[ii].ch[ci];
        if (e->kind == SV_EV_START) cr->last_start = i;
        if (e->kind == SV_EV_CHILD_REMOVED) cr->removed = i;
        if (e->incarnation) {
            int k = fl_oracle__inc_get(&x->inst[ii].ch[ci], e->incarnation);
            if (k < 0) return k;
            ref.inc = k;
            fl_oracle__record(&x->inst[ii].ch[ci].incs[k], e->kind, i);
        }
    }
    x->ref[i] = ref;
    return 0;
}

/* Earliest index at which each instance has a reason to stop (its own
 * decision to exit, its parent asking it or stopping, the runner's stop
 * request for the root) and may be stopping (that, or its SHUTDOWN). Parents come before their nested
 * instances, so one pass in creation order suffices. */
static void fl_oracle__stop_triggers(fl_oracle__index *x) {
    for (size_t ii = 0; ii < x->ninst; ii++) {
        fl_oracle__inst *in = &x->inst[ii];
        int32_t t = fl_oracle__min(in->intensity, in->auto_sd);
        if (in->psup >= 0 && x->pol->sups[in->psup].parent < 0) t = fl_oracle__min(t, x->root_stop);
        if (in->parent >= 0) {
            const fl_oracle__inst *p = &x->inst[in->parent];
            if (p->stop_trig != FL_ORACLE__NONE && p->stop_trig > in->sup_start) t = fl_oracle__min(t, p->stop_trig);
            if (in->holder_child >= 0) {
                const fl_oracle__child *hc = &p->ch[in->holder_child];
                for (size_t k = 0; k < hc->n; k++)
                    if (hc->incs[k].inc == in->holder_inc)
                        t = fl_oracle__min(t, hc->incs[k].first[SV_EV_STOP_REQUESTED]);
            }
        }
        in->cause = t;
        in->stop_trig = fl_oracle__min(t, in->shutdown);
        if (in->parent >= 0 && in->holder_child >= 0 && in->shutdown != FL_ORACLE__NONE) {
            fl_oracle__child *hc = &x->inst[in->parent].ch[in->holder_child];
            for (size_t k = 0; k < hc->n; k++)
                if (hc->incs[k].inc == in->holder_inc)
                    hc->incs[k].sup_end = fl_oracle__min(hc->incs[k].sup_end, in->shutdown);
        }
    }
}

int fl_oracle__index_build(fl_oracle__index *x, const fl_oracle_policy *p, const fl_event *tr, size_t n,
                           const fl_oracle_run_info *run) {
    memset(x, 0, sizeof *x);
    x->pol = p;
    x->tr = tr;
    x->n = n;
    x->run = run;
    x->root_stop = FL_ORACLE__NONE;
    if (n >= FL_ORACLE__NONE) return -E2BIG;
    if (n && !(x->ref = calloc(n, sizeof *x->ref))) return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int r = fl_oracle__attribute(x, (int32_t)i);
        if (r < 0) return r;
        if (run && run->stop_requested && x->root_stop == FL_ORACLE__NONE && tr[i].ev.seq > run->stop_seq)
            x->root_stop = (int32_t)i;
    }
    int root = p && p->nsups ? fl_oracle__inst_find(x, p->sups[0].name) : -1;
    x->complete = root >= 0 && x->inst[root].shutdown != FL_ORACLE__NONE;
    fl_oracle__stop_triggers(x);
    return 0;
}

void fl_oracle__index_free(fl_oracle__index *x) {
    for (size_t i = 0; i < x->ninst; i++) {
        for (size_t j = 0; j < x->inst[i].n; j++) free(x->inst[i].ch[j].incs);
        free(x->inst[i].ch);
    }
    free(x->inst);
    free(x->ref);
    memset(x, 0, sizeof *x);
}

/* ---- entry point ------------------------------------------------------------------- */

int fl_oracle_check(const fl_oracle_policy *p, const fl_event *trace, size_t n,
                    const fl_oracle_run_info *run, fl_oracle_verdict *out) {
    static void (*const checkers[])(const fl_oracle__index *, fl_oracle_verdict *) = {
        fl_oracle__crash_logged_once, fl_oracle__joined_before_restart,
        fl_oracle__restart_policy,    fl_oracle__strategy_set,
        fl_oracle__intensity_shutdown, fl_oracle__no_lost_report,
        fl_oracle__no_leaked_thread,  fl_oracle__shutdown_completes,
        fl_oracle__event_order,       fl_oracle__children_view,
    };
    fl_oracle__index x;
    int r = fl_oracle__index_build(&x, p, trace, n, run);
    if (r < 0) goto fail;
    for (size_t i = 0; i < sizeof checkers / sizeof *checkers; i++) checkers[i](&x, out);
    r = out->err;
fail:
    fl_oracle__index_free(&x);
    if (r < 0 && !out->err) out->err = r;
    return r;
}
