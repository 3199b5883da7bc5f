/*
 * oracle_shutdown.c — the checker shutdown_completes: runs end normally,
 * every supervisor instance shuts down for a reason with no child alive,
 * stopping its children in reverse start order, and auto_shutdown happens
 * exactly when the policy asks. Stop-block helpers: oracle_seq.c.
 */
#include "oracle/oracle_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAMEMAX 200

/* ---- shutdown_completes -----------------------------------------------------------------
 * The run ended normally (no deadlock, budget or divergence; sv_sup_stop
 * returned); unless its start failed, the root emitted SHUTDOWN; every
 * supervisor instance that started emitted SHUTDOWN, with no child alive at
 * that point and no supervisor-side event of it after, and only for a reason
 * (a stop request for it or its parent, intensity_exceeded, auto_shutdown,
 * a failed initial start); AUTO_SHUTDOWN exactly when the policy asks; the
 * final stop of an instance not ended by intensity stopped the children
 * still alive in reverse start order. */
/* auto_shutdown. A significant child's end that ends it for good: it came on
 * its own with a reason its restart type does not restart, and was joined.
 * Such an end of incarnation r (of child ci) at index e. */
static int32_t fl_oracle__final_end(const fl_oracle__index *x, int in, int ci, const fl_oracle__inc *r) {
    const fl_oracle__child *c = &x->inst[in].ch[ci];
    if (!fl_oracle__spontaneous(r) || fl_oracle__restartable(c->restart, fl_oracle__end_reason(x, r))) return FL_ORACLE__NONE;
    return fl_oracle__term(r) == FL_ORACLE__NONE ? FL_ORACLE__NONE : fl_oracle__term(r);
}

/* Is significant child ci still active just before i: an incarnation alive,
 * or its last incarnation a cause of a restart still to come? */
static bool fl_oracle__active_at(const fl_oracle__index *x, int in, int ci, int32_t i) {
    const fl_oracle__child *c = &x->inst[in].ch[ci];
    const fl_oracle__inc *last = NULL;
    for (size_t k = 0; k < c->n; k++) {
        if (fl_oracle__alive_at(&c->incs[k], i)) return true;
        if (c->incs[k].first[SV_EV_START] < i) last = &c->incs[k];
    }
    if (!last) return false;
    if (last->first[SV_EV_START_FAILED] < i) return c->restart != SV_TEMPORARY;
    int32_t e = fl_oracle__end(last);
    return e < i && fl_oracle__spontaneous(last) && fl_oracle__restartable(c->restart, fl_oracle__end_reason(x, last));
}

/* AUTO_SHUTDOWN happens exactly when the policy asks: only with
 * any_significant (a significant child ended for good before it) or
 * all_significant (and no significant child is still active); and with
 * any_significant, every such end is followed by AUTO_SHUTDOWN unless the
 * supervisor was already stopping (as in restart_policy). */
static void fl_oracle__auto_shutdown(const fl_oracle__index *x, fl_oracle_verdict *vd, int in) {
    const fl_oracle__inst *s = &x->inst[in];
    sv_auto_shutdown mode = x->pol->sups[s->psup].auto_shutdown;
    char nm[NAMEMAX], msg[512];
    int32_t d = s->auto_sd;
    if (d != FL_ORACLE__NONE) {
        bool ended = false, active = false;
        for (size_t ci = 0; ci < s->n; ci++) {
            const fl_oracle__pchild *pc = fl_oracle__pchild_of(x, in, (int)ci);
            if (!pc || !pc->significant) continue;
            for (size_t k = 0; k < s->ch[ci].n; k++)
                ended |= fl_oracle__final_end(x, in, (int)ci, &s->ch[ci].incs[k]) < d;
            active |= fl_oracle__active_at(x, in, (int)ci, d);
        }
        const char *why = mode == SV_AUTO_NEVER ? "its auto_shutdown is never"
                        : !ended ? "no significant child had ended for good"
                        : mode == SV_AUTO_ALL_SIGNIFICANT && active ? "a significant child was still active (all_significant)"
                        : NULL;
        if (why) {
            snprintf(msg, sizeof msg, "%s shut down automatically, but %s", s->name, why);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, d, FL_ORACLE__NONE, msg);
        }
    }
    if (mode != SV_AUTO_ANY_SIGNIFICANT || !x->complete) return;
    for (size_t ci = 0; ci < s->n; ci++) {
        const fl_oracle__pchild *pc = fl_oracle__pchild_of(x, in, (int)ci);
        if (!pc || !pc->significant) continue;
        for (size_t k = 0; k < s->ch[ci].n; k++) {
            int32_t e = fl_oracle__final_end(x, in, (int)ci, &s->ch[ci].incs[k]);
            if (e == FL_ORACLE__NONE || (d != FL_ORACLE__NONE && d > e) || fl_oracle__excused(x, in, e)) continue;
            snprintf(msg, sizeof msg, "significant %s ended for good under any_significant, but %s did not shut down",
                     fl_oracle__name(x, in, (int)ci, s->ch[ci].incs[k].inc, nm, sizeof nm), s->name);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, e, FL_ORACLE__NONE, msg);
            return;
        }
    }
}

/* A start of instance in failed and was not retried (no RESTART decision
 * for it before SHUTDOWN) outside an admin call: its initial start failed. */
static bool fl_oracle__init_failed(const fl_oracle__index *x, int in) {
    const fl_oracle__inst *s = &x->inst[in];
    for (size_t ci = 0; ci < s->n; ci++)
        for (size_t k = 0; k < s->ch[ci].n; k++) {
            const fl_oracle__inc *r = &s->ch[ci].incs[k];
            int32_t f = r->first[SV_EV_START_FAILED];
            if (f != FL_ORACLE__NONE && f < s->shutdown && !(r->first[SV_EV_RESTART] < s->shutdown) &&
                !fl_oracle__in_admin(x, in, s->ch[ci].id, f))
                return true;
        }
    return false;
}

void fl_oracle__shutdown_completes(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char nm[NAMEMAX], msg[1024];
    const fl_oracle_run_info *run = x->run;
    if (run && run->end != FL_ORACLE_END_OK) {
        /* The whole scheduler report: for a deadlock it names each blocked
         * thread and what it waits on, which is what the user needs. */
        const char *d = run->end_detail ? run->end_detail : "";
        fl_oracle_verdict_add(vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, NULL, 0, "the run ended in %s%s%s", fl_oracle_end_name(run->end),
                       *d ? ": " : "", d);
        return;
    }
    if (run && run->stop_requested && !run->stop_returned) {
        fl_oracle_verdict_add(vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, NULL, 0, "sv_sup_stop of the root never returned");
        return;
    }
    if (!x->complete && !(run && run->start_failed)) {
        fl_oracle_verdict_add(vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, NULL, 0, "the root supervisor %s never emitted shutdown",
                       x->pol && x->pol->nsups ? x->pol->sups[0].name : "?");
        return;
    }
    for (size_t ii = 0; ii < x->ninst; ii++) {
        const fl_oracle__inst *s = &x->inst[ii];
        int32_t first = FL_ORACLE__NONE;
        for (int32_t i = 0; (size_t)i < x->n && first == FL_ORACLE__NONE; i++)
            if (x->ref[i].inst == (int)ii && fl_oracle__kind(x, i) != SV_EV_CRASH && fl_oracle__kind(x, i) != SV_EV_EXIT)
                first = i;
        if (first != FL_ORACLE__NONE && first != s->sup_start) {
            snprintf(msg, sizeof msg, "supervisor %s emitted %s before sup_start", s->name,
                     sv_event_kind_name(fl_oracle__kind(x, first)));
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, first, FL_ORACLE__NONE, msg);
        }
        if (s->shutdown != FL_ORACLE__NONE && !(s->cause <= s->shutdown) && !fl_oracle__init_failed(x, (int)ii)) {
            snprintf(msg, sizeof msg, "supervisor %s shut down on its own with no reason: no stop request, "
                     "intensity_exceeded, auto_shutdown or failed initial start", s->name);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, s->shutdown, FL_ORACLE__NONE, msg);
        }
        if (s->psup >= 0) fl_oracle__auto_shutdown(x, vd, (int)ii);
        if (s->shutdown == FL_ORACLE__NONE) {
            if (s->sup_start != FL_ORACLE__NONE) {
                snprintf(msg, sizeof msg, "supervisor %s started but never shut down", s->name);
                fl_oracle__viol2(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, s->sup_start, FL_ORACLE__NONE, msg);
            }
            continue;
        }
        for (size_t ci = 0; ci < s->n; ci++)
            for (size_t k = 0; k < s->ch[ci].n; k++) {
                const fl_oracle__inc *r = &s->ch[ci].incs[k];
                if (fl_oracle__running(r) > s->shutdown || !fl_oracle__alive_at(r, s->shutdown)) continue;
                snprintf(msg, sizeof msg, "%s shut down while %s was still alive", s->name,
                         fl_oracle__name(x, (int)ii, (int)ci, r->inc, nm, sizeof nm));
                fl_oracle__viol2(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, fl_oracle__running(r), s->shutdown, msg);
            }
        for (int32_t i = s->shutdown + 1; (size_t)i < x->n; i++) {
            sv_event_kind k = fl_oracle__kind(x, i);
            if (x->ref[i].inst != (int)ii || k == SV_EV_CRASH || k == SV_EV_EXIT || k == SV_EV_ESCALATED) continue;
            snprintf(msg, sizeof msg, "%s emitted %s after it shut down", s->name, sv_event_kind_name(k));
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, s->shutdown, i, msg);
            break;
        }
        if (s->intensity != FL_ORACLE__NONE || s->psup < 0) continue;
        /* the final sweep: the stop block that ends at SHUTDOWN */
        int32_t b = s->shutdown;
        for (int32_t i = s->shutdown - 1; i >= 0; i--) {
            if (x->ref[i].inst != (int)ii) continue;
            sv_event_kind k = fl_oracle__kind(x, i);
            if (fl_oracle__transparent(k)) continue;
            if (!(fl_oracle__stop_kind(k) || k == SV_EV_CHILD_REMOVED)) break;
            b = i;
        }
        /* it cannot begin before the instance had a reason to stop: an admin
         * terminate just before is not part of it */
        if (s->cause != FL_ORACLE__NONE && s->cause > b && s->cause <= s->shutdown) b = s->cause;
        int *want = fl_oracle__ids(x, (int)ii, vd);
        if (!want) return;
        size_t nwant = fl_oracle__alive_desc(x, (int)ii, b, 0, want);
        char what[NAMEMAX];
        snprintf(what, sizeof what, "the shutdown of %s", s->name);
        fl_oracle__expect_stops(x, vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES, (int)ii, b, s->shutdown, want, nwant, b, what);
        free(want);
    }
}
