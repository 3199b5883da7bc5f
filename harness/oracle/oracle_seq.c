/*
 * oracle_seq.c — the checkers about sequences of supervisor actions:
 * strategy_set, intensity_shutdown, no_leaked_thread, shutdown_completes.
 *
 * A supervisor's own actions on its children come in blocks: a "stop block"
 * (STOP_REQUESTED / JOINED / UNSTOPPED, with CHILD_REMOVED of temporary
 * bystanders) and a "start block" (START / STARTED / RESTARTED /
 * START_FAILED). A block is the maximal run of such events of one instance,
 * read past worker-side reports (CRASH, EXIT) and LOGGED, which the
 * supervisor does not order; any other event of the instance ends it.
 * (shutdown_completes, which uses the same stop-block helpers, is in
 * oracle_shutdown.c.)
 */
#include "oracle/oracle_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAMEMAX 200
#define LISTMAX 400

bool fl_oracle__stop_kind(sv_event_kind k) {
    return k == SV_EV_STOP_REQUESTED || k == SV_EV_JOINED || k == SV_EV_UNSTOPPED;
}

static bool fl_oracle__start_kind(sv_event_kind k) {
    return k == SV_EV_START || k == SV_EV_STARTED || k == SV_EV_RESTARTED || k == SV_EV_START_FAILED;
}

/* Events a block reads past: the supervisor does not order them. */
bool fl_oracle__transparent(sv_event_kind k) {
    return k == SV_EV_CRASH || k == SV_EV_EXIT || k == SV_EV_LOGGED;
}

/* Index one past the end of the block of kind `stop` (else start) that
 * begins at or after `from` in instance in. */
static int32_t fl_oracle__block_end(const fl_oracle__index *x, int in, int32_t from, bool stop) {
    int32_t i = from;
    for (; (size_t)i < x->n; i++) {
        if (x->ref[i].inst != in) continue;
        sv_event_kind k = fl_oracle__kind(x, i);
        if (fl_oracle__transparent(k)) continue;
        if (stop ? (fl_oracle__stop_kind(k) || k == SV_EV_CHILD_REMOVED) : fl_oracle__start_kind(k)) continue;
        break;
    }
    return i;
}

/* Is the incarnation record alive (ran, not yet joined/abandoned) just
 * before index i? */
bool fl_oracle__alive_at(const fl_oracle__inc *r, int32_t i) {
    int32_t run = fl_oracle__running(r), term = fl_oracle__term(r);
    return run < i && (term == FL_ORACLE__NONE || term >= i);
}

/* Child ci's incarnation alive just before i had already reported its end:
 * the supervisor's stop of it is only a join, whose place in a sweep does
 * not matter. */
static bool fl_oracle__dead_at(const fl_oracle__index *x, int in, int ci, int32_t i) {
    const fl_oracle__child *c = &x->inst[in].ch[ci];
    for (size_t k = 0; k < c->n; k++)
        if (fl_oracle__alive_at(&c->incs[k], i)) return fl_oracle__end(&c->incs[k]) < i;
    return false;
}

/* Children of instance in, with an incarnation alive at i and order >= lo,
 * in descending start order, into out (room for every child record of the
 * instance: fl_oracle__ids); returns how many. */
size_t fl_oracle__alive_desc(const fl_oracle__index *x, int in, int32_t i, size_t lo, int *out) {
    const fl_oracle__inst *s = &x->inst[in];
    size_t n = 0;
    for (size_t ci = 0; ci < s->n; ci++) {
        if (s->ch[ci].order < lo) continue;
        for (size_t k = 0; k < s->ch[ci].n; k++)
            if (fl_oracle__alive_at(&s->ch[ci].incs[k], i)) {
                out[n++] = (int)ci;
                break;
            }
    }
    for (size_t a = 1; a < n; a++) /* insertion sort, descending order */
        for (size_t b = a; b > 0 && s->ch[out[b - 1]].order < s->ch[out[b]].order; b--) {
            int t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

/* Room for one int per child record of instance in (at least one), or
 * NULL: the caller then skips its check (no verdict is better than a false
 * one; the run's verdict records -ENOMEM). */
int *fl_oracle__ids(const fl_oracle__index *x, int in, fl_oracle_verdict *vd) {
    int *v = malloc((x->inst[in].n + 1) * sizeof *v);
    if (!v) vd->err = -ENOMEM;
    return v;
}

static void fl_oracle__list(const fl_oracle__inst *s, const int *ids, size_t n, char *buf, size_t cap) {
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", s->ch[ids[i]].id);
}

/* The children joined/abandoned in [from, end) of instance in, in order
 * (out has room for end - from). */
static size_t fl_oracle__joined_seq(const fl_oracle__index *x, int in, int32_t from, int32_t end, int *out) {
    size_t n = 0;
    for (int32_t i = from; i < end; i++) {
        sv_event_kind k = fl_oracle__kind(x, i);
        if (x->ref[i].inst == in && x->ref[i].child >= 0 && (k == SV_EV_JOINED || k == SV_EV_UNSTOPPED))
            out[n++] = x->ref[i].child;
    }
    return n;
}

/* Compare the stops of [from, end) with the expected list (descending start
 * order): the same children, and the ones still running at `from` stopped in
 * that order (an already ended one is only joined, anywhere in the block).
 * On mismatch append a violation of inv. */
bool fl_oracle__expect_stops(const fl_oracle__index *x, fl_oracle_verdict *vd, fl_oracle_inv inv, int in, int32_t from,
                              int32_t end, const int *want, size_t nwant, int32_t cause,
                              const char *what) {
    size_t room = (size_t)(end > from ? end - from : 0) + 1;
    int *got = malloc(room * sizeof *got), *lw = malloc((nwant + 1) * sizeof *lw), *lg = malloc(room * sizeof *lg);
    if (!got || !lw || !lg) {
        free(got), free(lw), free(lg);
        vd->err = -ENOMEM;
        return true;
    }
    size_t ngot = fl_oracle__joined_seq(x, in, from, end, got), nlw = 0, nlg = 0;
    bool same = ngot == nwant;
    for (size_t i = 0; same && i < nwant; i++) {
        bool found = false;
        for (size_t j = 0; j < ngot && !found; j++) found = got[j] == want[i];
        same = found;
    }
    for (size_t i = 0; same && i < nwant; i++)
        if (!fl_oracle__dead_at(x, in, want[i], from)) lw[nlw++] = want[i];
    for (size_t i = 0; same && i < ngot; i++)
        if (!fl_oracle__dead_at(x, in, got[i], from)) lg[nlg++] = got[i];
    bool ok = same && nlw == nlg && memcmp(lw, lg, nlw * sizeof *lw) == 0;
    if (!ok) {
        char w[LISTMAX], g[LISTMAX], msg[1100];
        fl_oracle__list(&x->inst[in], want, nwant, w, sizeof w);
        fl_oracle__list(&x->inst[in], got, ngot, g, sizeof g);
        snprintf(msg, sizeof msg, "%s should stop [%s] in reverse start order, but stopped [%s]", what, w, g);
        fl_oracle__viol2(x, vd, inv, cause, end < (int32_t)x->n ? end : FL_ORACLE__NONE, msg);
    }
    free(got), free(lw), free(lg);
    return ok;
}

static const char *fl_oracle__strategy_name(sv_strategy s) {
    return s == SV_ONE_FOR_ONE ? "one_for_one" : s == SV_ONE_FOR_ALL ? "one_for_all" : "rest_for_one";
}

/* Lowest start order of the group of child ci under strategy s. */
static size_t fl_oracle__group_lo(const fl_oracle__inst *s, sv_strategy st, int ci) {
    return st == SV_ONE_FOR_ALL ? 0 : s->ch[ci].order;
}

/* ---- strategy_set ------------------------------------------------------------------
 * (1) After each RESTART decision for child h (not one caused by a failed
 *     start), before the supervisor does anything else, it stops exactly the
 *     members of h's group that are alive (h's own ended incarnation
 *     included, as a join), in reverse start order: one_for_one {h},
 *     rest_for_one h and every child after it, one_for_all every child.
 * (2) A group's start phase is a run of STARTs in increasing start order
 *     (a START whose order does not increase begins the next group; under
 *     one_for_one every START is its own group). A group that restarts
 *     something (a START of a child that had an earlier incarnation, outside
 *     admin calls, before the supervisor began to stop) starts exactly the
 *     existing non-temporary children from its first one on: one_for_all
 *     all of them (so it begins with the first), rest_for_one the first and
 *     every one after it. A START_FAILED cuts the group short (the rest is
 *     retried later). Existing: started before and not removed since. */
static void fl_oracle__restart_stops(const fl_oracle__index *x, fl_oracle_verdict *vd, int32_t d) {
    char nm[NAMEMAX], what[NAMEMAX + 64];
    fl_oracle__ref rf = x->ref[d];
    const fl_oracle__inst *s = &x->inst[rf.inst];
    sv_strategy st = x->pol->sups[s->psup].strategy;
    int *want = fl_oracle__ids(x, rf.inst, vd);
    if (!want) return;
    size_t nwant = fl_oracle__alive_desc(x, rf.inst, d, fl_oracle__group_lo(s, st, rf.child), want);
    if (st == SV_ONE_FOR_ONE) { /* only h itself */
        size_t j = 0;
        for (size_t i = 0; i < nwant; i++)
            if (want[i] == rf.child) want[j++] = want[i];
        nwant = j;
    }
    int32_t end = fl_oracle__block_end(x, rf.inst, d + 1, true);
    if (end <= s->stop_trig) { /* else a shutdown took over the block */
        snprintf(what, sizeof what, "restart of %s under %s",
                 fl_oracle__name(x, rf.inst, rf.child, 0, nm, sizeof nm), fl_oracle__strategy_name(st));
        fl_oracle__expect_stops(x, vd, FL_ORACLE_INV_STRATEGY_SET, rf.inst, d + 1, end, want, nwant, d, what);
    }
    free(want);
}

/* Does child ci of instance in exist (started, not removed since) at i? */
static bool fl_oracle__exists(const fl_oracle__index *x, int in, int ci, int32_t i) {
    int32_t started = FL_ORACLE__NONE, removed = FL_ORACLE__NONE;
    for (int32_t j = 0; j < i; j++) {
        if (x->ref[j].inst != in || x->ref[j].child != ci) continue;
        if (fl_oracle__kind(x, j) == SV_EV_START && started == FL_ORACLE__NONE) started = j;
        if (fl_oracle__kind(x, j) == SV_EV_CHILD_REMOVED) removed = j;
    }
    return started != FL_ORACLE__NONE && (removed == FL_ORACLE__NONE || removed < started);
}

typedef struct fl_oracle__group {
    int32_t first;       /* index of its first START */
    int *got;            /* the children started, in order (room: fl_oracle__ids) */
    size_t ngot;
    bool restart, admin, failed;
} fl_oracle__group;

static void fl_oracle__group_check(const fl_oracle__index *x, fl_oracle_verdict *vd, int in, const fl_oracle__group *g) {
    const fl_oracle__inst *s = &x->inst[in];
    sv_strategy st = x->pol->sups[s->psup].strategy;
    if (!g->ngot || !g->restart || g->admin || g->first >= s->stop_trig || st == SV_ONE_FOR_ONE) return;
    size_t lo = st == SV_ONE_FOR_ALL ? 0 : s->ch[g->got[0]].order;
    int *want = fl_oracle__ids(x, in, vd);
    if (!want) return;
    size_t nwant = 0;
    for (size_t ord = lo;; ord++) { /* ascending start order */
        int found = -1;
        bool more = false;
        for (size_t ci = 0; ci < s->n; ci++) {
            if (s->ch[ci].order == ord) found = (int)ci;
            more |= s->ch[ci].order > ord;
        }
        if (found >= 0 && s->ch[found].restart != SV_TEMPORARY && s->ch[found].pc >= 0 &&
            (found == g->got[0] || fl_oracle__exists(x, in, found, g->first)))
            want[nwant++] = found;
        if (!more) break;
    }
    size_t cmp = g->failed && g->ngot < nwant ? g->ngot : nwant;
    if (g->ngot == cmp && memcmp(g->got, want, cmp * sizeof *want) == 0) {
        free(want);
        return;
    }
    char w[LISTMAX], gs[LISTMAX], msg[1100];
    fl_oracle__list(s, want, nwant, w, sizeof w);
    fl_oracle__list(s, g->got, g->ngot, gs, sizeof gs);
    snprintf(msg, sizeof msg, "%s restart of %s should start [%s] in start order, but started [%s]",
             fl_oracle__strategy_name(st), s->name, w, gs);
    fl_oracle__viol2(x, vd, FL_ORACLE_INV_STRATEGY_SET, g->first, FL_ORACLE__NONE, msg);
    free(want);
}

void fl_oracle__strategy_set(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    for (size_t ii = 0; ii < x->ninst; ii++) {
        const fl_oracle__inst *s = &x->inst[ii];
        if (s->psup < 0) continue;
        sv_strategy st = x->pol->sups[s->psup].strategy;
        int *got = fl_oracle__ids(x, (int)ii, vd);
        if (!got) return;
        fl_oracle__group g = {.got = got};
        for (int32_t i = 0; (size_t)i < x->n; i++) {
            fl_oracle__ref rf = x->ref[i];
            if (rf.inst != (int)ii) continue;
            sv_event_kind k = fl_oracle__kind(x, i);
            if (fl_oracle__transparent(k) || k == SV_EV_STARTED || k == SV_EV_RESTARTED) continue;
            if (k == SV_EV_START_FAILED) {
                g.failed = true;
                continue;
            }
            if (k == SV_EV_START && rf.child >= 0) {
                const fl_oracle__child *c = &s->ch[rf.child];
                if (g.ngot && (st == SV_ONE_FOR_ONE || g.failed || s->ch[g.got[g.ngot - 1]].order >= c->order ||
                               g.ngot > s->n)) {
                    fl_oracle__group_check(x, vd, (int)ii, &g);
                    g.ngot = 0;
                }
                if (!g.ngot) g = (fl_oracle__group){.first = i, .got = got};
                g.got[g.ngot++] = rf.child;
                g.restart |= rf.inc > 0;
                g.admin |= fl_oracle__in_admin(x, (int)ii, c->id, i);
                continue;
            }
            fl_oracle__group_check(x, vd, (int)ii, &g);
            g.ngot = 0;
            if (k == SV_EV_RESTART && rf.child >= 0 && rf.inc >= 0 && i < s->stop_trig &&
                !s->ch[rf.child].incs[rf.inc].count[SV_EV_START_FAILED])
                fl_oracle__restart_stops(x, vd, i);
        }
        fl_oracle__group_check(x, vd, (int)ii, &g);
        free(got);
    }
}

/* ---- intensity_shutdown -----------------------------------------------------------------
 * Per supervisor instance, independently of libsv's ring: every RESTART and
 * INTENSITY_EXCEEDED is a restart decision at its time t. With n = 1 + the
 * RESTART decisions at t' where t - t' is within the period (both t - t' <
 * MaxT and t - t' <= MaxT are accepted at the exact boundary), a RESTART
 * needs n <= MaxR and an INTENSITY_EXCEEDED needs n > MaxR. Every restart
 * (a START of a child that had an earlier incarnation, outside admin calls)
 * was decided by a RESTART since that earlier incarnation started (so it was
 * counted), and no restart is decided twice (one RESTART per incarnation,
 * one INTENSITY_EXCEEDED per instance). After INTENSITY_EXCEEDED: every child alive then is stopped in
 * reverse start order, the supervisor emits SHUTDOWN (reason shutdown), and
 * a nested supervisor's exit is reported to its parent (ESCALATED). */
static bool fl_oracle__escalated(const fl_oracle__index *x, int in, int32_t after) {
    const fl_oracle__inst *s = &x->inst[in];
    for (int32_t i = after + 1; (size_t)i < x->n; i++) {
        if (fl_oracle__kind(x, i) != SV_EV_ESCALATED) continue;
        fl_oracle__ref r = x->ref[i];
        if (r.inst == in) return true;
        if (s->parent >= 0 && r.inst == s->parent && r.child == s->holder_child) return true;
    }
    return false;
}

static void fl_oracle__intensity_window(const fl_oracle__index *x, fl_oracle_verdict *vd, int in) {
    const fl_oracle__inst *s = &x->inst[in];
    const fl_oracle__psup *ps = &x->pol->sups[s->psup];
    int64_t period = (int64_t)ps->period_ms * 1000000;
    char msg[512];
    for (int32_t d = 0; (size_t)d < x->n; d++) {
        sv_event_kind k = fl_oracle__kind(x, d);
        if (x->ref[d].inst != in || (k != SV_EV_RESTART && k != SV_EV_INTENSITY_EXCEEDED)) continue;
        int64_t t = x->tr[d].ev.time_ns;
        uint32_t strict = 1, incl = 1;
        for (int32_t r = 0; r < d; r++) {
            if (x->ref[r].inst != in || fl_oracle__kind(x, r) != SV_EV_RESTART) continue;
            int64_t age = t - x->tr[r].ev.time_ns;
            strict += age < period;
            incl += age <= period;
        }
        if (k == SV_EV_RESTART && strict > ps->intensity) {
            snprintf(msg, sizeof msg,
                     "%s restarted a child as restart %u within %u ms, but intensity allows %u: it must shut down",
                     s->name, strict, ps->period_ms, ps->intensity);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, d, FL_ORACLE__NONE, msg);
        } else if (k == SV_EV_INTENSITY_EXCEEDED && incl <= ps->intensity) {
            snprintf(msg, sizeof msg,
                     "%s declared intensity exceeded at restart %u within %u ms, but intensity allows %u",
                     s->name, incl, ps->period_ms, ps->intensity);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, d, FL_ORACLE__NONE, msg);
        }
    }
}

static void fl_oracle__intensity_counted(const fl_oracle__index *x, fl_oracle_verdict *vd, int in) {
    const fl_oracle__inst *s = &x->inst[in];
    char nm[NAMEMAX], msg[512];
    int32_t first_ie = FL_ORACLE__NONE;
    for (int32_t i = 0; (size_t)i < x->n; i++) {
        if (x->ref[i].inst != in || fl_oracle__kind(x, i) != SV_EV_INTENSITY_EXCEEDED) continue;
        if (first_ie == FL_ORACLE__NONE) { first_ie = i; continue; }
        snprintf(msg, sizeof msg, "%s declared intensity exceeded twice", s->name);
        fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, first_ie, i, msg);
        break;
    }
    for (size_t ci = 0; ci < s->n; ci++)
        for (size_t k = 0; k < s->ch[ci].n; k++) {
            const fl_oracle__inc *r = &s->ch[ci].incs[k];
            if (r->count[SV_EV_RESTART] < 2) continue;
            snprintf(msg, sizeof msg, "the restart of %s was decided %u times: counted more than once toward intensity",
                     fl_oracle__name(x, in, (int)ci, r->inc, nm, sizeof nm), r->count[SV_EV_RESTART]);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, r->first[SV_EV_RESTART], r->second[SV_EV_RESTART], msg);
        }
    for (size_t ci = 0; ci < s->n; ci++)
        for (size_t k = 1; k < s->ch[ci].n; k++) {
            int32_t st = s->ch[ci].incs[k].first[SV_EV_START];
            int32_t lo = s->ch[ci].incs[k - 1].first[SV_EV_START];
            if (st == FL_ORACLE__NONE || lo == FL_ORACLE__NONE || fl_oracle__in_admin(x, in, s->ch[ci].id, st)) continue;
            bool decided = false;
            for (int32_t i = lo + 1; i < st && !decided; i++)
                decided = x->ref[i].inst == in && fl_oracle__kind(x, i) == SV_EV_RESTART;
            if (decided) continue;
            snprintf(msg, sizeof msg, "%s was restarted without a RESTART decision: not counted toward intensity",
                     fl_oracle__name(x, in, (int)ci, s->ch[ci].incs[k].inc, nm, sizeof nm));
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, lo, st, msg);
        }
}

void fl_oracle__intensity_shutdown(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char msg[512];
    for (size_t ii = 0; ii < x->ninst; ii++) {
        const fl_oracle__inst *s = &x->inst[ii];
        if (s->psup < 0) continue;
        fl_oracle__intensity_window(x, vd, (int)ii);
        fl_oracle__intensity_counted(x, vd, (int)ii);
        int32_t d = s->intensity;
        if (d == FL_ORACLE__NONE) continue;
        int *want = fl_oracle__ids(x, (int)ii, vd);
        if (!want) return;
        size_t nwant = fl_oracle__alive_desc(x, (int)ii, d, 0, want);
        int32_t end = s->shutdown != FL_ORACLE__NONE ? s->shutdown : (int32_t)x->n;
        char what[NAMEMAX];
        snprintf(what, sizeof what, "%s, intensity exceeded,", s->name);
        fl_oracle__expect_stops(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, (int)ii, d + 1, end, want, nwant, d, what);
        free(want);
        if (s->shutdown == FL_ORACLE__NONE) {
            if (x->complete) {
                snprintf(msg, sizeof msg, "%s exceeded its intensity but never shut down", s->name);
                fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, d, FL_ORACLE__NONE, msg);
            }
            continue;
        }
        if (x->tr[s->shutdown].ev.reason != SV_EXIT_SHUTDOWN) {
            snprintf(msg, sizeof msg, "%s exceeded its intensity but exited with reason %s, not shutdown",
                     s->name, sv_exit_name(x->tr[s->shutdown].ev.reason));
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, d, s->shutdown, msg);
        }
        if (s->parent >= 0 && x->complete && !fl_oracle__escalated(x, (int)ii, d)) {
            snprintf(msg, sizeof msg, "nested %s exceeded its intensity but its parent %s was never told (no escalated)",
                     s->name, x->inst[s->parent].name);
            fl_oracle__viol2(x, vd, FL_ORACLE_INV_INTENSITY_SHUTDOWN, d, s->shutdown, msg);
        }
    }
}

/* ---- no_leaked_thread ------------------------------------------------------------------
 * No thread outlived the run (the scheduler's leaked list is empty), and in a
 * complete run every incarnation that ran was joined or reported unstopped. */
void fl_oracle__no_leaked_thread(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char nm[NAMEMAX], msg[512];
    if (x->run && x->run->nleaked) {
        size_t len = 0;
        char names[LISTMAX] = "";
        for (size_t i = 0; i < x->run->nleaked && len < sizeof names; i++)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                                    x->run->leaked[i] ? x->run->leaked[i] : "?");
        snprintf(msg, sizeof msg, "%zu thread(s) still alive after the run: %s", x->run->nleaked, names);
        fl_oracle_verdict_add(vd, FL_ORACLE_INV_NO_LEAKED_THREAD, NULL, 0, "%s", msg);
    }
    if (!x->complete) return;
    for (size_t ii = 0; ii < x->ninst; ii++)
        for (size_t ci = 0; ci < x->inst[ii].n; ci++)
            for (size_t k = 0; k < x->inst[ii].ch[ci].n; k++) {
                const fl_oracle__inc *r = &x->inst[ii].ch[ci].incs[k];
                int32_t run = fl_oracle__running(r);
                if (run == FL_ORACLE__NONE || fl_oracle__term(r) != FL_ORACLE__NONE) continue;
                snprintf(msg, sizeof msg, "%s ran and was neither joined nor reported unstopped: its thread leaked",
                         fl_oracle__name(x, (int)ii, (int)ci, r->inc, nm, sizeof nm));
                fl_oracle__viol2(x, vd, FL_ORACLE_INV_NO_LEAKED_THREAD, run, FL_ORACLE__NONE, msg);
            }
}

