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
            if (st == e->state) break;
            char at[48] = "";
            if (e->at_ns >= 0) snprintf(at, sizeof at, " at %lld ns", (long long)e->at_ns);
            snprintf(what, sizeof what, "state %s %s%s", e->child->id, fl_scenario_state_name(e->state), at);
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
                if (trace[k].ev.kind == e->event && fl_oracle__x_about(e, &trace[k].ev)) first = k;
            bool seen = first < n;
            if (seen != e->negate) break;
            const char *id = e->child ? e->child->id : e->sup ? e->sup->name : "";
            snprintf(what, sizeof what, "%sevent %s%s%s", e->negate ? "no " : "", sv_event_kind_name(e->event), *id ? " " : "", id);
            uint64_t seq = seen ? trace[first].ev.seq : 0;
            fl_oracle__x_fail(out, s, e, seen ? &seq : NULL, seen ? 1 : 0, what, seen ? "it happened" : "it never happened");
            break;
        }
        case FL_SCENARIO_EXP_FAIL:
            break;
        }
    }
    return out->err;
}
