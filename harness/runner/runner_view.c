/*
 * runner_view.c — snapshots of each supervisor's own view of its children
 * (sv_which_children, sv_count_children), taken by the run's main at
 * quiescent points, for the oracle's children_view invariant and the
 * scenario's `expect count` / `expect children` lines. Nested supervisors
 * are reached through sv_sup_lookup of their path at each time point (a
 * handle names one incarnation, so none is kept across time points).
 *
 * Quiescent: libsv serves these requests on the supervisor's thread only
 * between core sequences, so each answer describes the core at one point
 * where no sequence is in flight; the events emitted while main waited for
 * it are those with seq in (seq_before, seq_after]. A snapshot is
 * which_children, count_children, which_children: the counts are
 * comparable with the list only if both lists are equal.
 */
#include "runner/runner_int.h"

#include "sv_plat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Ask sup for its children into a fresh array (*out, *n). 0 or an error
 * (-SV_ESHUTDOWN once the root exited, -ENOMEM). */
static int fl_runner__which(sv_sup *sup, sv_child_info **out, size_t *n) {
    size_t cap = 16;
    for (;;) {
        sv_child_info *v = malloc(cap * sizeof *v);
        if (!v) return -ENOMEM;
        size_t got = 0;
        int r = sv_which_children(sup, v, cap, &got);
        if (r < 0) {
            free(v);
            return r;
        }
        if (got <= cap) {
            *out = v;
            *n = got;
            return 0;
        }
        free(v);
        cap = got + 16; /* it grew meanwhile: ask again with room */
    }
}

int fl_runner__reach(sv_sup *root, const fl_scenario_sup_decl *in, sv_sup **out) {
    *out = root;
    if (!root) return -SV_ESHUTDOWN;
    if (!in || !in->self) return 0;
    char path[(FL_SCENARIO_MAX_NESTING + 1) * 64];
    if (fl_scenario_sup_path(in, path, sizeof path) >= sizeof path) return -ENAMETOOLONG;
    *out = NULL;
    return sv_sup_lookup(root, path, out);
}

void fl_runner__let_go(sv_sup *root, sv_sup *h) {
    if (h && h != root) sv_sup_release(h);
}

int fl_runner__snapshot(fl_runner__ctx *c, sv_sup *sup, const char *name, int64_t at) {
    if (!sup || c->oom) return -1;
    if (c->nsnaps == c->snapcap) {
        size_t cap = c->snapcap ? c->snapcap * 2 : 16;
        fl_oracle_snapshot *ns = realloc(c->snaps, cap * sizeof *ns);
        if (!ns) {
            c->oom = true;
            return -1;
        }
        c->snaps = ns;
        c->snapcap = cap;
    }
    fl_oracle_snapshot sn = {.sup = name, .at_ns = at};
    sv_child_info *again = NULL, *first = NULL;
    size_t n2 = 0;
    sn.seq_before = atomic_load_explicit(&c->last_seq, memory_order_relaxed);
    if (fl_runner__which(sup, &first, &sn.n) < 0) return -1;
    sn.have_counts = sv_count_children(sup, &sn.counts) == 0;
    bool counted = sn.have_counts;
    if (fl_runner__which(sup, &again, &n2) == 0)
        counted = counted && n2 == sn.n && memcmp(first, again, sn.n * sizeof *first) == 0;
    else
        counted = false;
    sn.seq_after = atomic_load_explicit(&c->last_seq, memory_order_relaxed);
    free(again);
    sn.children = first;
    sn.counted = counted;
    c->snaps[c->nsnaps] = sn;
    return (int)c->nsnaps++;
}

void fl_runner__snapshots_free(fl_runner__ctx *c) {
    for (size_t i = 0; i < c->nsnaps; i++) free((void *)c->snaps[i].children);
    free(c->snaps);
    c->snaps = NULL;
    c->nsnaps = c->snapcap = 0;
}

static bool fl_runner__view_expect(const fl_scenario_expect *e) {
    return e->kind == FL_SCENARIO_EXP_CHILD_COUNT || e->kind == FL_SCENARIO_EXP_CHILDREN;
}

int64_t fl_runner__view_next(const fl_runner__ctx *c) {
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < c->s->nexpects; i++) {
        const fl_scenario_expect *e = &c->s->expects[i];
        if (fl_runner__view_expect(e) && e->at_ns >= 0 && c->snap_of[i] < 0 && e->at_ns < next) next = e->at_ns;
    }
    return next;
}

/* Does expectation e want a snapshot of d now? */
static bool fl_runner__view_wants(const fl_runner__ctx *c, size_t i, const fl_scenario_sup_decl *d, int64_t at,
                                  bool at_end) {
    const fl_scenario_expect *e = &c->s->expects[i];
    return fl_runner__view_expect(e) && c->snap_of[i] < 0 && (e->in ? e->in : c->s->root) == d &&
           (at_end ? e->at_ns < 0 : e->at_ns == at);
}

/* Snapshot d if wanted, then its nested supervisors. */
static void fl_runner__view_sup(fl_runner__ctx *c, sv_sup *root, const fl_scenario_sup_decl *d, int64_t at,
                                bool at_end, bool periodic) {
    bool want = periodic;
    for (size_t i = 0; i < c->s->nexpects && !want; i++) want = fl_runner__view_wants(c, i, d, at, at_end);
    sv_sup *h;
    if (want && fl_runner__reach(root, d, &h) == 0) {
        int k = fl_runner__snapshot(c, h, d->name, at);
        fl_runner__let_go(root, h);
        for (size_t i = 0; k >= 0 && i < c->s->nexpects; i++)
            if (fl_runner__view_wants(c, i, d, at, at_end)) c->snap_of[i] = k;
    }
    for (size_t i = 0; i < d->nchildren; i++)
        if (d->children[i]->kind == FL_SCENARIO_CHILD_SUP)
            fl_runner__view_sup(c, root, d->children[i]->sup, at, at_end, periodic);
}

void fl_runner__view_at(fl_runner__ctx *c, sv_sup *sup, int64_t at, bool at_end, bool periodic) {
    if (sup) fl_runner__view_sup(c, sup, c->s->root, at, at_end, periodic);
}

void fl_runner__observe_states(fl_runner__ctx *c, sv_sup *sup, bool at_end, int64_t at) {
    sv_child_info info[64];
    size_t n = 0;
    bool have = false;
    for (size_t i = 0; i < c->s->nexpects; i++) {
        const fl_scenario_expect *e = &c->s->expects[i];
        if (e->kind != FL_SCENARIO_EXP_STATE || (at_end ? e->at_ns >= 0 : e->at_ns != at)) continue;
        if (!have && !e->in) {
            if (!sup || sv_which_children(sup, info, 64, &n) < 0) n = 0;
            if (n > 64) n = 64;
            have = true;
        }
        c->states[i] = FL_SCENARIO_STATE_ABSENT;
        const sv_child_info *v = info;
        size_t vn = n;
        sv_child_info nested[64];
        sv_sup *h;
        if (e->in) { /* a nested supervisor's view: asked for this line alone */
            vn = 0;
            if (fl_runner__reach(sup, e->in, &h) == 0) {
                if (sv_which_children(h, nested, 64, &vn) < 0) vn = 0;
                fl_runner__let_go(sup, h);
            }
            v = nested;
            if (vn > 64) vn = 64;
        }
        for (size_t k = 0; k < vn; k++)
            if (strcmp(v[k].id, e->child->id) == 0) c->states[i] = (fl_scenario_state)v[k].state;
    }
}
