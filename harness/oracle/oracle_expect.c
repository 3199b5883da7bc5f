/*
 * oracle_expect.c — judging a scenario's expectations (fl_oracle.h).
 */
#include "oracle/fl_oracle.h"

#include <stdio.h>
#include <string.h>

static bool fl_oracle__x_eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* Counters count these kinds. */
static const sv_event_kind fl_oracle__x_counted[] = {
    [FL_SCENARIO_CNT_RESTARTS] = SV_EV_RESTARTED, [FL_SCENARIO_CNT_CRASHES] = SV_EV_CRASH,
    [FL_SCENARIO_CNT_STARTS] = SV_EV_STARTED,     [FL_SCENARIO_CNT_START_FAILED] = SV_EV_START_FAILED,
    [FL_SCENARIO_CNT_UNSTOPPED] = SV_EV_UNSTOPPED, [FL_SCENARIO_CNT_JOINED] = SV_EV_JOINED,
    [FL_SCENARIO_CNT_LOGGED] = SV_EV_LOGGED,
};

static bool fl_oracle__x_cmp(uint64_t got, fl_scenario_cmp op, uint64_t want) {
    switch (op) {
    case FL_SCENARIO_CMP_EQ: return got == want;
    case FL_SCENARIO_CMP_NE: return got != want;
    case FL_SCENARIO_CMP_LT: return got < want;
    case FL_SCENARIO_CMP_LE: return got <= want;
    case FL_SCENARIO_CMP_GT: return got > want;
    case FL_SCENARIO_CMP_GE: return got >= want;
    }
    return false;
}

/* Is ev about the node the expectation names? A child: events whose child
 * is its id; a nested supervisor also its own supervisor-level events; the
 * root (e->sup): its supervisor-level events. No node: every event. */
static bool fl_oracle__x_about(const fl_scenario_expect *e, const sv_event *ev) {
    if (e->child) {
        if (fl_oracle__x_eq(ev->child, e->child->id)) return true;
        return e->child->kind == FL_SCENARIO_CHILD_SUP && e->child->sup && !ev->child && fl_oracle__x_eq(ev->sup, e->child->sup->name);
    }
    if (e->sup) return !ev->child && fl_oracle__x_eq(ev->sup, e->sup->name);
    return true;
}

static void fl_oracle__x_fail(fl_oracle_verdict *out, const fl_scenario *s, const fl_scenario_expect *e, const uint64_t *seqs,
                       size_t nseqs, const char *what, const char *got) {
    fl_oracle_verdict_add(out, FL_ORACLE_INV_EXPECTATION, seqs, nseqs, "%s:%d:%d: expect %s: %s", s->path, e->line, e->col, what, got);
}

/* "running|restarting" for a set of state bits. */
static void fl_oracle__x_states(unsigned set, char *buf, size_t cap) {
    static const fl_scenario_state all[] = {FL_SCENARIO_STATE_RUNNING, FL_SCENARIO_STATE_RESTARTING, FL_SCENARIO_STATE_STOPPED,
                                            FL_SCENARIO_STATE_UNSTOPPED, FL_SCENARIO_STATE_ABSENT};
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof all / sizeof all[0] && len < cap; k++)
        if (set & FL_SCENARIO_STATE_BIT(all[k]))
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "|" : "", fl_scenario_state_name(all[k]));
}

/* `expect count` / `expect children` against the view of its supervisor (the root, or sup=PATH) at its time. */
static void fl_oracle__x_view(fl_oracle_verdict *out, const fl_scenario *s, const fl_scenario_expect *e,
                              const fl_oracle_snapshot *sn) {
    char what[512], got[512], sup[300] = "";
    size_t len = 0;
    if (e->in) {
        memcpy(sup, " sup=", 6);
        fl_scenario_sup_path(e->in, sup + 5, sizeof sup - 5);
    }
    if (e->kind == FL_SCENARIO_EXP_CHILD_COUNT) {
        static const char *const keys[] = {"specs", "active", "supervisors", "workers"};
        len = (size_t)snprintf(what, sizeof what, "count%s", sup);
        for (int k = 0; k < 4; k++)
            if (e->counts[k] >= 0) len += (size_t)snprintf(what + len, sizeof what - len, " %s=%lld", keys[k], (long long)e->counts[k]);
        if (sn && sn->have_counts) {
            size_t v[4] = {sn->counts.specs, sn->counts.active, sn->counts.supervisors, sn->counts.workers};
            bool ok = true;
            for (int k = 0; k < 4; k++) ok &= e->counts[k] < 0 || (size_t)e->counts[k] == v[k];
            if (ok) return;
            snprintf(got, sizeof got, "got specs=%zu active=%zu supervisors=%zu workers=%zu", v[0], v[1], v[2], v[3]);
        } else {
            snprintf(got, sizeof got, "never observed (that supervisor was not running)");
        }
    } else {
        len = (size_t)snprintf(what, sizeof what, "children%s", sup);
        for (size_t k = 0; k < e->nlist && len < sizeof what; k++) {
            char set[80];
            fl_oracle__x_states(e->list_states[k], set, sizeof set);
            len += (size_t)snprintf(what + len, sizeof what - len, " %s:%s", e->list[k]->id, set);
        }
        if (!e->nlist) snprintf(what + len, sizeof what - len, " none");
        if (sn) {
            bool ok = sn->n == e->nlist;
            for (size_t k = 0; ok && k < e->nlist; k++)
                ok = strcmp(sn->children[k].id, e->list[k]->id) == 0 &&
                     (e->list_states[k] & FL_SCENARIO_STATE_BIT((fl_scenario_state)sn->children[k].state));
            if (ok) return;
            size_t g = (size_t)snprintf(got, sizeof got, "got");
            for (size_t k = 0; k < sn->n && g < sizeof got; k++)
                g += (size_t)snprintf(got + g, sizeof got - g, " %s:%s", sn->children[k].id,
                                      fl_scenario_state_name((fl_scenario_state)sn->children[k].state));
            if (!sn->n) snprintf(got + g, sizeof got - g, " none");
        } else {
            snprintf(got, sizeof got, "never observed (that supervisor was not running)");
        }
    }
    if (e->at_ns >= 0) snprintf(what + strlen(what), sizeof what - strlen(what), " at %lld ns", (long long)e->at_ns);
    fl_oracle__x_fail(out, s, e, NULL, 0, what, got);
}

/* `expect order start|stop A B …`: the first START (last STOP_REQUESTED)
 * of each, in that order. */
static void fl_oracle__x_order(fl_oracle_verdict *out, const fl_scenario *s, const fl_scenario_expect *e,
                               const fl_event *trace, size_t n) {
    char what[512], got[256];
    sv_event_kind kind = e->stop_order ? SV_EV_STOP_REQUESTED : SV_EV_START;
    size_t prev = 0;
    const char *prev_id = NULL;
    size_t len = (size_t)snprintf(what, sizeof what, "order %s", e->stop_order ? "stop" : "start");
    for (size_t k = 0; k < e->nlist && len < sizeof what; k++)
        len += (size_t)snprintf(what + len, sizeof what - len, " %s", e->list[k]->id);
    for (size_t k = 0; k < e->nlist; k++) {
        size_t at = n;
        for (size_t i = 0; i < n; i++)
            if (trace[i].ev.kind == kind && fl_oracle__x_eq(trace[i].ev.child, e->list[k]->id)) {
                at = i;
                if (!e->stop_order) break; /* first start; last stop */
            }
        if (at == n) {
            snprintf(got, sizeof got, "%s never had a %s event", e->list[k]->id, sv_event_kind_name(kind));
            fl_oracle__x_fail(out, s, e, NULL, 0, what, got);
            return;
        }
        if (k > 0 && at < prev) {
            uint64_t seqs[2] = {trace[at].ev.seq, trace[prev].ev.seq};
            snprintf(got, sizeof got, "%s came before %s", e->list[k]->id, prev_id);
            fl_oracle__x_fail(out, s, e, seqs, 2, what, got);
            return;
        }
        prev = at;
        prev_id = e->list[k]->id;
    }
}

int fl_oracle_expect(const fl_scenario *s, const fl_event *trace, size_t n, const fl_oracle_observed *obs,
                     fl_oracle_verdict *out) {
    char what[256], got[256];
    for (size_t i = 0; i < s->nexpects; i++) {
        const fl_scenario_expect *e = &s->expects[i];
        switch (e->kind) {
        case FL_SCENARIO_EXP_COUNT: {
            uint64_t cnt = 0;
            for (size_t k = 0; k < n; k++)
                if (trace[k].ev.kind == fl_oracle__x_counted[e->counter] && fl_oracle__x_eq(trace[k].ev.child, e->child->id)) cnt++;
            if (fl_oracle__x_cmp(cnt, e->cmp, e->n)) break;
            snprintf(what, sizeof what, "%s %s %s %u", fl_scenario_counter_name(e->counter), e->child->id, fl_scenario_cmp_name(e->cmp), e->n);
            snprintf(got, sizeof got, "got %llu", (unsigned long long)cnt);
            fl_oracle__x_fail(out, s, e, NULL, 0, what, got);
            break;
        }
        case FL_SCENARIO_EXP_EXIT: {
            if (obs->root_exit == e->exit_reason) break;
            snprintf(what, sizeof what, "exit %s", e->exit_reason < 0 ? "none" : sv_exit_name(e->exit_reason));
            if (obs->root_exit >= 0) snprintf(got, sizeof got, "the root exited with %s", sv_exit_name(obs->root_exit));
            else snprintf(got, sizeof got, "%s", obs->root_exit == -2 ? "not observed: the run was cut short"
                                                                      : "the root was still running at the end");
            fl_oracle__x_fail(out, s, e, NULL, 0, what, got);
            break;
        }
        case FL_SCENARIO_EXP_STATE: {
            fl_scenario_state st = obs->states ? obs->states[i] : (fl_scenario_state)-1;
            unsigned want = e->states ? e->states : FL_SCENARIO_STATE_BIT(e->state);
            if (st != (fl_scenario_state)-1 && (want & FL_SCENARIO_STATE_BIT(st))) break;
            char at[48] = "", set[80];
            if (e->at_ns >= 0) snprintf(at, sizeof at, " at %lld ns", (long long)e->at_ns);
            fl_oracle__x_states(want, set, sizeof set);
            snprintf(what, sizeof what, "state %s %s%s", e->child->id, set, at);
            snprintf(got, sizeof got, "%s%s", st == (fl_scenario_state)-1 ? "never observed (the run ended first)" : "it was ",
                     st == (fl_scenario_state)-1 ? "" : fl_scenario_state_name(st));
            fl_oracle__x_fail(out, s, e, NULL, 0, what, got);
            break;
        }
        case FL_SCENARIO_EXP_LOG: {
            bool found = false;
            for (size_t k = 0; k < obs->nlog && !found; k++) found = obs->log[k] && strstr(obs->log[k], e->text);
            if (found != e->negate) break;
            snprintf(what, sizeof what, "log %s \"%.200s\"", e->negate ? "lacks" : "contains", e->text);
            fl_oracle__x_fail(out, s, e, NULL, 0, what, e->negate ? "a log line contains it" : "no log line contains it");
            break;
        }
        case FL_SCENARIO_EXP_EVENT: {
            size_t first = n;
            for (size_t k = 0; k < n && first == n; k++)
                if (trace[k].ev.kind == e->event && fl_oracle__x_about(e, &trace[k].ev) &&
                    (!e->has_reason || trace[k].ev.reason == e->reason))
                    first = k;
            bool seen = first < n;
            if (seen != e->negate) break;
            const char *id = e->child ? e->child->id : e->sup ? e->sup->name : "";
            snprintf(what, sizeof what, "%sevent %s%s%s%s%s", e->negate ? "no " : "", sv_event_kind_name(e->event),
                     *id ? " " : "", id, e->has_reason ? " reason=" : "", e->has_reason ? sv_exit_name(e->reason) : "");
            uint64_t seq = seen ? trace[first].ev.seq : 0;
            fl_oracle__x_fail(out, s, e, seen ? &seq : NULL, seen ? 1 : 0, what, seen ? "it happened" : "it never happened");
            break;
        }
        case FL_SCENARIO_EXP_FAIL:
            break;
        case FL_SCENARIO_EXP_CHILD_COUNT:
        case FL_SCENARIO_EXP_CHILDREN:
            fl_oracle__x_view(out, s, e, obs->snaps ? obs->snaps[i] : NULL);
            break;
        case FL_SCENARIO_EXP_ORDER:
            fl_oracle__x_order(out, s, e, trace, n);
            break;
        case FL_SCENARIO_EXP_REFUSED:
            if (obs->start_err == e->err) break;
            snprintf(what, sizeof what, "refused %s", fl_scenario_errno_name(e->err) ? fl_scenario_errno_name(e->err) : "?");
            if (obs->start_err) snprintf(got, sizeof got, "sv_sup_start failed with %d", obs->start_err);
            else snprintf(got, sizeof got, "sv_sup_start accepted the tree");
            fl_oracle__x_fail(out, s, e, NULL, 0, what, got);
            break;
        }
    }
    return out->err;
}
