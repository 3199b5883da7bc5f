/*
 * oracle_view.c — two checkers: event_order (the life of one incarnation,
 * in order) and children_view (what a supervisor says of its children,
 * sv_which_children / sv_count_children and its admin answers, against the
 * trace so far).
 */
#include "oracle/oracle_int.h"

#include <stdio.h>
#include <string.h>

#define NAMEMAX 200

/* ---- event_order -------------------------------------------------------------------
 * Per incarnation (of one generation of a child): every event of it comes
 * after its START; STARTED / RESTARTED / START_FAILED / START_IGNORED after
 * START; the worker's end report (CRASH / EXIT) only after it ran (STARTED
 * or RESTARTED); STOP_REQUESTED only after it ran; JOINED / UNSTOPPED after
 * its STOP_REQUESTED; the RESTART decision after its end report or failed
 * start. Incarnations of one child START in increasing order. (LOGGED after
 * the crash, and joins after running, are crash_logged_once's and
 * joined_before_restart's.) Each incarnation reports its first misordered
 * pair only. */
void fl_oracle__event_order(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char nm[NAMEMAX], msg[600];
    for (fl_oracle__walk w = {0}; fl_oracle__walk_next(x, &w);) {
        const fl_oracle__inc *r = w.r;
        int32_t start = r->first[SV_EV_START];
        int32_t bad = FL_ORACLE__NONE, before = FL_ORACLE__NONE;
        const char *what = NULL;
        if (start != FL_ORACLE__NONE) {
            for (int k = 0; k < SV_EV__COUNT && bad == FL_ORACLE__NONE; k++)
                if (k != SV_EV_START && r->first[k] < start) {
                    bad = r->first[k], before = start, what = "before its start";
                }
        }
        int32_t ran = fl_oracle__running(r);
        int32_t end = fl_oracle__first2(r, SV_EV_CRASH, SV_EV_EXIT);
        int32_t stop = r->first[SV_EV_STOP_REQUESTED], term = fl_oracle__term(r);
        int32_t over = fl_oracle__min(end, r->first[SV_EV_START_FAILED]);
        if (bad == FL_ORACLE__NONE && end != FL_ORACLE__NONE && ran != FL_ORACLE__NONE && end < ran)
            bad = end, before = ran, what = "before it was reported running (started)";
        if (bad == FL_ORACLE__NONE && stop != FL_ORACLE__NONE && ran != FL_ORACLE__NONE && stop < ran)
            bad = stop, before = ran, what = "asked to stop before it was running";
        if (bad == FL_ORACLE__NONE && term != FL_ORACLE__NONE && stop != FL_ORACLE__NONE && term < stop)
            bad = term, before = stop, what = "joined or abandoned before it was asked to stop";
        if (bad == FL_ORACLE__NONE && r->first[SV_EV_RESTART] != FL_ORACLE__NONE && over != FL_ORACLE__NONE &&
            r->first[SV_EV_RESTART] < over)
            bad = r->first[SV_EV_RESTART], before = over, what = "restart decided before it ended";
        if (bad == FL_ORACLE__NONE && w.k > 0) {
            int32_t prev = w.c->incs[w.k - 1].first[SV_EV_START];
            if (start != FL_ORACLE__NONE && prev != FL_ORACLE__NONE && start < prev)
                bad = start, before = prev, what = "started before the incarnation before it";
        }
        if (bad == FL_ORACLE__NONE) continue;
        fl_oracle__name(x, (int)w.ii, (int)w.ci, r->inc, nm, sizeof nm);
        snprintf(msg, sizeof msg, "%s: %s came %s (%s #%llu)", nm, sv_event_kind_name(fl_oracle__kind(x, bad)), what,
                 sv_event_kind_name(fl_oracle__kind(x, before)), (unsigned long long)fl_oracle__seq(x, before));
        fl_oracle__viol2(x, vd, FL_ORACLE_INV_EVENT_ORDER, bad, before, msg);
    }
}

/* ---- children_view -----------------------------------------------------------------
 * Each snapshot (fl_oracle_snapshot) must agree with the trace at some cut
 * c in its window (events [0, c) happened; c from the first event after
 * seq_before to the first after seq_after), all entries at the same cut:
 * see the protocol comment in fl_oracle.h. The counts are compared with the
 * list itself. */

/* What the trace says of one child record at cut c. */
typedef struct fl_oracle__cview {
    uint32_t inc;     /* last incarnation started before c, 0 none */
    bool running;     /* that one ran and was not joined/abandoned before c */
    bool abandoned;   /* the last joined-or-abandoned one was abandoned, and no
                         start since ran or was ignored */
} fl_oracle__cview;

static fl_oracle__cview fl_oracle__view_at(const fl_oracle__child *c, int32_t cut) {
    fl_oracle__cview v = {0};
    for (size_t k = 0; k < c->n; k++) {
        const fl_oracle__inc *r = &c->incs[k];
        if (r->first[SV_EV_START] >= cut) continue;
        v.inc = r->inc;
        int32_t ran = fl_oracle__running(r), term = fl_oracle__term(r);
        v.running = ran < cut && !(term < cut) && !(r->first[SV_EV_START_FAILED] < cut);
        if (ran < cut || r->first[SV_EV_START_IGNORED] < cut) v.abandoned = false; /* a start that did not fail */
        if (r->first[SV_EV_UNSTOPPED] < cut) v.abandoned = true;
    }
    return v;
}

/* The record child id (instance: its number, else 0) names at cut c in
 * supervisor instance in: the latest generation started before c, else the
 * latest one that exists. -1 none. */
static int fl_oracle__view_child(const fl_oracle__inst *in, const char *id, uint32_t instance, int32_t cut) {
    int any = -1;
    for (size_t ci = in->n; ci-- > 0;) {
        const fl_oracle__child *c = &in->ch[ci];
        if (strcmp(c->id, id) != 0 || c->instance != instance) continue;
        if (any < 0) any = (int)ci;
        if (c->n && c->incs[0].first[SV_EV_START] < cut) return (int)ci;
    }
    return any;
}

static const char *fl_oracle__state_name(sv_child_state st) {
    switch (st) {
    case SV_CHILD_RUNNING: return "running";
    case SV_CHILD_RESTARTING: return "restarting";
    case SV_CHILD_STOPPED: return "stopped";
    case SV_CHILD_UNSTOPPED: return "unstopped";
    }
    return "?";
}

/* Does the snapshot agree with the trace at cut c? If not, why (into why). */
static bool fl_oracle__view_ok(const fl_oracle__index *x, const fl_oracle_snapshot *sn, int32_t cut, char *why,
                               size_t cap) {
    int ii = -1;
    for (size_t i = 0; i < x->ninst; i++)
        if (strcmp(x->inst[i].name, sn->sup) == 0 && x->inst[i].sup_start < cut) ii = (int)i;
    if (ii < 0) return true; /* nothing of it in the trace: nothing to compare */
    const fl_oracle__inst *in = &x->inst[ii];
    size_t last_order = 0;
    for (size_t e = 0; e < sn->n; e++) {
        const sv_child_info *ci = &sn->children[e];
        int k = fl_oracle__view_child(in, ci->id, ci->instance, cut);
        if (k < 0) continue; /* never in the trace (never started): nothing to compare */
        const fl_oracle__child *c = &in->ch[k];
        fl_oracle__cview v = fl_oracle__view_at(c, cut);
        const char *bad = NULL;
        char tmp[160];
        if (e > 0 && c->order <= last_order) bad = "listed out of start order";
        else if (ci->incarnation != v.inc) {
            snprintf(tmp, sizeof tmp, "shown at incarnation %u, but its last start was #%u", ci->incarnation, v.inc);
            bad = tmp;
        } else if (ci->state == SV_CHILD_RUNNING && !v.running) bad = "shown running, but its incarnation is not running";
        else if (ci->state != SV_CHILD_RUNNING && v.running) bad = "shown not running, but its incarnation runs";
        else if (ci->state == SV_CHILD_UNSTOPPED && !v.abandoned) bad = "shown unstopped, but it is not abandoned (none was, or a later start ran or was ignored)";
        else if (ci->state == SV_CHILD_RESTARTING && v.abandoned)
            bad = "shown restarting, but its last incarnation was abandoned (must show unstopped)";
        last_order = c->order;
        if (bad) {
            char nm[NAMEMAX];
            snprintf(why, cap, "%s %s: %s", fl_oracle__name(x, ii, k, 0, nm, sizeof nm), fl_oracle__state_name(ci->state), bad);
            return false;
        }
    }
    /* every child with a running incarnation is listed */
    for (size_t k = 0; k < in->n; k++) {
        const fl_oracle__child *c = &in->ch[k];
        if (fl_oracle__view_child(in, c->id, c->instance, cut) != (int)k || !fl_oracle__view_at(c, cut).running) continue;
        bool listed = false;
        for (size_t e = 0; e < sn->n && !listed; e++)
            listed = strcmp(sn->children[e].id, c->id) == 0 && sn->children[e].instance == c->instance;
        if (!listed) {
            char nm[NAMEMAX];
            snprintf(why, cap, "%s runs, but which_children does not list it", fl_oracle__name(x, ii, (int)k, 0, nm, sizeof nm));
            return false;
        }
    }
    return true;
}

/* Is the supervisor named `name` simple_one_for_one (per the policy)? Then
 * count_children shows one spec, the template, whatever it lists. */
static bool fl_oracle__view_simple(const fl_oracle__index *x, const char *name, const fl_oracle_snapshot *sn) {
    for (size_t i = 0; x->pol && i < x->pol->nsups; i++)
        if (x->pol->sups[i].name && strcmp(x->pol->sups[i].name, name) == 0) return x->pol->sups[i].simple;
    return sn->n && sn->children[0].instance; /* no policy: as its entries say */
}

static void fl_oracle__view_counts(const fl_oracle__index *x, const fl_oracle_snapshot *sn, char *why, size_t cap) {
    size_t running = 0, sups = 0;
    for (size_t e = 0; e < sn->n; e++) {
        running += sn->children[e].state == SV_CHILD_RUNNING;
        sups += sn->children[e].is_supervisor;
    }
    const sv_child_counts *k = &sn->counts;
    why[0] = '\0';
    if (k->active != running)
        snprintf(why, cap, "count_children says %zu active, but which_children lists %zu running", k->active, running);
    else if (k->supervisors != sups || k->workers != sn->n - sups)
        snprintf(why, cap, "count_children says %zu supervisors and %zu workers, which_children lists %zu and %zu",
                 k->supervisors, k->workers, sups, sn->n - sups);
    else if (fl_oracle__view_simple(x, sn->sup, sn)) {
        if (k->specs != 1)
            snprintf(why, cap, "count_children says %zu specs, but a simple_one_for_one supervisor has one (the template)",
                     k->specs);
    } else if (k->specs != sn->n)
        snprintf(why, cap, "count_children says %zu specs, which_children lists %zu children", k->specs, sn->n);
}

static int32_t fl_oracle__index_after(const fl_oracle__index *x, uint64_t seq) {
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->tr[mid].ev.seq <= seq) lo = mid + 1;
        else hi = mid;
    }
    return (int32_t)lo;
}

/* ---- admin answers (part of children_view) ------------------------------------------
 * An admin call that answered 0 is the supervisor saying what it did to
 * its child; the events of its window (seq_before, seq_after] must show it,
 * emitted by the supervisor the call was made on (for a nested one: the
 * incarnation the runner looked up by path, named like it): start_child,
 * restart_child and start_instance a START of the child; delete_child a
 * CHILD_REMOVED; terminate_child and terminate_instance a CHILD_TERMINATED
 * or CHILD_REMOVED, when the trace says an incarnation of it ran as the
 * call began (terminating a stopped child is a no-op with no event). */
static bool fl_oracle__admin_shown(const fl_oracle__index *x, const fl_oracle_admin_call *a, int32_t lo, int32_t hi) {
    for (int32_t i = lo; i < hi; i++) {
        const sv_event *e = &x->tr[i].ev;
        if (!e->child || !e->sup || strcmp(e->child, a->child) != 0 || strcmp(e->sup, a->sup) != 0) continue;
        if (a->instance && e->instance != a->instance) continue;
        bool start = e->kind == SV_EV_START, removed = e->kind == SV_EV_CHILD_REMOVED;
        switch (a->op) {
        case FL_ORACLE_ADMIN_START:
        case FL_ORACLE_ADMIN_RESTART: if (start) return true; break;
        case FL_ORACLE_ADMIN_DELETE: if (removed) return true; break;
        default: if (removed || e->kind == SV_EV_CHILD_TERMINATED) return true; break;
        }
    }
    return false;
}

/* Did an incarnation of a's child run in a's supervisor at cut? */
static bool fl_oracle__admin_target_ran(const fl_oracle__index *x, const fl_oracle_admin_call *a, int32_t cut) {
    int ii = -1;
    for (size_t i = 0; i < x->ninst; i++)
        if (strcmp(x->inst[i].name, a->sup) == 0 && x->inst[i].sup_start < cut) ii = (int)i;
    if (ii < 0) return false;
    int k = fl_oracle__view_child(&x->inst[ii], a->child, a->instance, cut);
    return k >= 0 && fl_oracle__view_at(&x->inst[ii].ch[k], cut).running;
}

static int32_t fl_oracle__index_after(const fl_oracle__index *x, uint64_t seq);

static void fl_oracle__admin_answers(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    static const char *const ops[] = {"start_child", "terminate_child", "restart_child", "delete_child"};
    char msg[600];
    for (size_t k = 0; k < x->run->nadmin; k++) {
        const fl_oracle_admin_call *a = &x->run->admin[k];
        if (a->result != 0 || !a->sup || !a->child || (unsigned)a->op > FL_ORACLE_ADMIN_DELETE) continue;
        int32_t lo = fl_oracle__index_after(x, a->seq_before), hi = fl_oracle__index_after(x, a->seq_after);
        bool term = a->op == FL_ORACLE_ADMIN_TERMINATE;
        if (term && !fl_oracle__admin_target_ran(x, a, lo)) continue;
        if (fl_oracle__admin_shown(x, a, lo, hi)) continue;
        snprintf(msg, sizeof msg, "%s %s on %s answered ok, but %s emitted no %s about it during the call",
                 ops[a->op], a->child, a->sup, a->sup,
                 a->op == FL_ORACLE_ADMIN_DELETE ? "child_removed"
                 : term                         ? "child_terminated or child_removed"
                                                : "start");
        fl_oracle__viol2(x, vd, FL_ORACLE_INV_CHILDREN_VIEW, lo < (int32_t)x->n ? lo : FL_ORACLE__NONE,
                         FL_ORACLE__NONE, msg);
        return; /* one report per run */
    }
}

void fl_oracle__children_view(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    if (!x->run) return;
    fl_oracle__admin_answers(x, vd);
    char why[400], msg[600];
    for (size_t s = 0; s < x->run->nsnaps; s++) {
        const fl_oracle_snapshot *sn = &x->run->snaps[s];
        if (!sn->sup) continue;
        int32_t lo = fl_oracle__index_after(x, sn->seq_before), hi = fl_oracle__index_after(x, sn->seq_after);
        bool ok = false;
        char other[400];
        for (int32_t cut = lo; cut <= hi && !ok; cut++) /* why: as at the first cut */
            ok = fl_oracle__view_ok(x, sn, cut, cut == lo ? why : other, cut == lo ? sizeof why : sizeof other);
        if (!ok) {
            snprintf(msg, sizeof msg, "at %.3f s, which_children of %s disagrees with the trace: %s",
                     (double)sn->at_ns / 1e9, sn->sup, why);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_CHILDREN_VIEW, lo < (int32_t)x->n ? lo : FL_ORACLE__NONE,
                              FL_ORACLE__NONE, msg);
            return; /* one report per run: later snapshots usually repeat it */
        }
        if (!sn->counted) continue;
        fl_oracle__view_counts(x, sn, why, sizeof why);
        if (why[0]) {
            snprintf(msg, sizeof msg, "at %.3f s, %s: %s", (double)sn->at_ns / 1e9, sn->sup, why);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_CHILDREN_VIEW, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
            return;
        }
    }
}
