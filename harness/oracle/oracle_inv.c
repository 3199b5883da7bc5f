/*
 * oracle_inv.c — the invariant checkers over one indexed trace. Each reads
 * the index (oracle_int.h) and appends violations; none depends on another.
 *
 * "Complete" below means the root supervisor emitted SHUTDOWN: only then are
 * obligations that a later event would meet ("is logged", "is joined")
 * checked; a run cut short is shutdown_completes' finding alone.
 */
#include "oracle/oracle_int.h"

#include <stdio.h>
#include <string.h>

#define NAMEMAX 200

/* Append a violation naming up to three events (FL_ORACLE__NONE entries skipped). */
static void fl_oracle__viol(const fl_oracle__index *x, fl_oracle_verdict *vd, fl_oracle_inv inv, int32_t a, int32_t b,
                      int32_t c, const char *msg) {
    uint64_t seqs[3];
    size_t n = 0;
    int32_t idx[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (idx[i] != FL_ORACLE__NONE && idx[i] >= 0 && (size_t)idx[i] < x->n) seqs[n++] = fl_oracle__seq(x, idx[i]);
    fl_oracle_verdict_add(vd, inv, seqs, n, "%s", msg);
}

static const char *fl_oracle__str(const char *s) { return s ? s : ""; }

static const char *fl_oracle__restart_name(sv_restart r) {
    return r == SV_PERMANENT ? "permanent" : r == SV_TRANSIENT ? "transient" : "temporary";
}

static const char *fl_oracle__strategy_name(sv_strategy s) {
    return s == SV_ONE_FOR_ONE ? "one_for_one" : s == SV_ONE_FOR_ALL ? "one_for_all" : "rest_for_one";
}

static bool fl_oracle__abnormal(int reason) {
    return reason != SV_EXIT_NORMAL && reason != SV_EXIT_SHUTDOWN;
}

/* ---- crash_logged_once ------------------------------------------------------------
 * Every abnormal end report of an incarnation (CRASH, or an EXIT with an
 * abnormal reason) is followed by exactly one LOGGED for the same child and
 * incarnation, carrying the same reason and message and, when the crash
 * carried a backtrace, the same backtrace; a panic or signal crash carries a
 * non-empty backtrace. No LOGGED exists without such a report. */
void fl_oracle__crash_logged_once(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char nm[NAMEMAX], msg[1024];
    for (fl_oracle__walk w = {0}; fl_oracle__walk_next(x, &w);) {
        const fl_oracle__inc *r = w.r;
        fl_oracle__name(x, (int)w.ii, (int)w.ci, r->inc, nm, sizeof nm);
        int32_t rep = fl_oracle__first2(r, SV_EV_CRASH, SV_EV_EXIT);
        int32_t l = r->first[SV_EV_LOGGED];
        uint32_t nl = r->count[SV_EV_LOGGED];
        bool crashed = rep != FL_ORACLE__NONE && fl_oracle__abnormal(x->tr[rep].ev.reason);
        if (!crashed) {
            if (nl) {
                snprintf(msg, sizeof msg, "%s was logged as crashed but reported no crash", nm);
                fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, l, rep, FL_ORACLE__NONE, msg);
            }
            continue;
        }
        const sv_event *ce = &x->tr[rep].ev;
        if (nl == 0) {
            if (x->complete) {
                snprintf(msg, sizeof msg, "crash of %s (%s \"%.200s\") was never logged", nm,
                         sv_exit_name(ce->reason), fl_oracle__str(ce->message));
                fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, rep, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
            }
            continue;
        }
        if (nl > 1) {
            snprintf(msg, sizeof msg, "crash of %s was logged %u times", nm, nl);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, rep, l, r->second[SV_EV_LOGGED], msg);
        }
        const sv_event *le = &x->tr[l].ev;
        if (l < rep) {
            snprintf(msg, sizeof msg, "%s was logged before its crash was reported", nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, l, rep, FL_ORACLE__NONE, msg);
        }
        if (le->reason != ce->reason) {
            snprintf(msg, sizeof msg, "crash of %s logged with reason %s, but it crashed with %s",
                     nm, sv_exit_name(le->reason), sv_exit_name(ce->reason));
            fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, rep, l, FL_ORACLE__NONE, msg);
        }
        if (strcmp(fl_oracle__str(le->message), fl_oracle__str(ce->message)) != 0) {
            snprintf(msg, sizeof msg, "crash of %s logged with message \"%.200s\", but it crashed with \"%.200s\"",
                     nm, fl_oracle__str(le->message), fl_oracle__str(ce->message));
            fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, rep, l, FL_ORACLE__NONE, msg);
        }
        bool need_bt = ce->reason == SV_EXIT_PANIC || ce->reason == SV_EXIT_SIGNAL;
        if (need_bt && !fl_oracle__str(ce->backtrace)[0]) {
            snprintf(msg, sizeof msg, "crash of %s (%s) carries no backtrace", nm, sv_exit_name(ce->reason));
            fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, rep, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
        } else if (fl_oracle__str(ce->backtrace)[0] && strcmp(fl_oracle__str(le->backtrace), fl_oracle__str(ce->backtrace)) != 0) {
            snprintf(msg, sizeof msg, "crash of %s logged %s its backtrace", nm,
                     fl_oracle__str(le->backtrace)[0] ? "with a different backtrace than" : "without");
            fl_oracle__viol(x, vd, FL_ORACLE_INV_CRASH_LOGGED_ONCE, rep, l, FL_ORACLE__NONE, msg);
        }
    }
}

/* ---- joined_before_restart -------------------------------------------------------
 * Every incarnation that ran (STARTED/RESTARTED) gets exactly one JOINED or
 * UNSTOPPED, after it ran; none that never ran does. A JOINED worker
 * incarnation had reported its end (CRASH/EXIT) before, with the reason the
 * JOINED carries: a join that claims a thread it did not see end is no join.
 * No later incarnation of the same child (in the same supervisor instance)
 * STARTs before that JOINED/UNSTOPPED, and no incarnation is started twice
 * while it is alive: two incarnations of one child are never alive
 * together. */
void fl_oracle__joined_before_restart(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char nm[NAMEMAX], msg[512];
    for (fl_oracle__walk w = {0}; fl_oracle__walk_next(x, &w);) {
        const fl_oracle__child *c = w.c;
        const fl_oracle__inc *r = w.r;
        fl_oracle__name(x, (int)w.ii, (int)w.ci, r->inc, nm, sizeof nm);
        int32_t run = fl_oracle__running(r), term = fl_oracle__term(r);
        uint32_t nt = r->count[SV_EV_JOINED] + r->count[SV_EV_UNSTOPPED];
        if (run == FL_ORACLE__NONE) {
            if (nt) {
                snprintf(msg, sizeof msg, "%s was joined but never ran", nm);
                fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, term, r->first[SV_EV_START], FL_ORACLE__NONE, msg);
            }
            continue;
        }
        if (nt > 1) {
            int32_t j = r->first[SV_EV_JOINED], u = r->first[SV_EV_UNSTOPPED];
            int32_t again = r->count[SV_EV_JOINED] > 1 ? r->second[SV_EV_JOINED]
                          : r->count[SV_EV_UNSTOPPED] > 1 ? r->second[SV_EV_UNSTOPPED]
                          : j > u ? j : u; /* one of each: the later one */
            snprintf(msg, sizeof msg, "%s was joined/abandoned %u times", nm, nt);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, term, again, FL_ORACLE__NONE, msg);
        }
        if (term < run) {
            snprintf(msg, sizeof msg, "%s was joined before it was running", nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, term, run, FL_ORACLE__NONE, msg);
        }
        if (nt == 0 && x->complete) {
            snprintf(msg, sizeof msg, "%s ran but was never joined nor reported unstopped", nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, run, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
        }
        const fl_oracle__pchild *pc = fl_oracle__pchild_of(x, (int)w.ii, (int)w.ci);
        int32_t end = fl_oracle__end(r), joined = r->first[SV_EV_JOINED];
        if (joined != FL_ORACLE__NONE && !(pc && pc->nested >= 0)) {
            if (end == FL_ORACLE__NONE && x->complete) {
                snprintf(msg, sizeof msg, "%s was reported joined, but its thread never ended (no exit or crash)", nm);
                fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, run, joined, FL_ORACLE__NONE, msg);
            } else if (end != FL_ORACLE__NONE && end > joined) {
                snprintf(msg, sizeof msg, "%s was reported joined before its thread ended", nm);
                fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, joined, end, FL_ORACLE__NONE, msg);
            } else if (end != FL_ORACLE__NONE && x->tr[end].ev.reason != x->tr[joined].ev.reason) {
                snprintf(msg, sizeof msg, "%s was reported joined with reason %s, but it ended with %s: "
                         "the join did not see its thread end", nm, sv_exit_name(x->tr[joined].ev.reason),
                         sv_exit_name(x->tr[end].ev.reason));
                fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, end, joined, FL_ORACLE__NONE, msg);
            }
        }
        if (r->count[SV_EV_START] > 1 && r->second[SV_EV_START] < term) {
            snprintf(msg, sizeof msg, "%s was started again while alive: two threads run it", nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, run, r->second[SV_EV_START], FL_ORACLE__NONE, msg);
        }
        for (size_t j = w.k + 1; j < c->n; j++) {
            int32_t s = c->incs[j].first[SV_EV_START];
            if (s == FL_ORACLE__NONE || s > term) continue; /* FL_ORACLE__NONE: never joined */
            snprintf(msg, sizeof msg, "%s#%u started while %s was still alive (not joined)",
                     c->id, c->incs[j].inc, nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_JOINED_BEFORE_RESTART, run, s, FL_ORACLE__NONE, msg);
            break;
        }
    }
}

/* ---- restart_policy ----------------------------------------------------------------
 * (a) A cause to restart child c is: an incarnation of c that ended on its
 *     own (its end report before any stop request) with a reason its restart
 *     type restarts (permanent: any; transient: abnormal; temporary: never),
 *     or a failed start of a non-temporary c (it is retried). Every cause is
 *     followed by a later START of c in the same supervisor instance — unless
 *     the supervisor had a reason to stop (it decided to exit, was asked to,
 *     or its parent was) before it could act on the cause (fl_oracle__excused:
 *     all virtual time from the cause to that reason was spent inside other
 *     starts and stops, or under a pending backoff), or the failed start was
 *     an admin call's (not retried), or an admin call terminated or deleted
 *     the child while its restart was pending (CHILD_TERMINATED /
 *     CHILD_REMOVED after the cause: the retry is cancelled).
 * (b) Every START of c after its first incarnation has a cause: c's previous
 *     incarnation is a cause as above, or a sibling's cause lies after the
 *     previous incarnation started (or before, when the supervisor's
 *     RESTART decision on it came after: a crash during the initial start)
 *     and the strategy's set of that sibling includes c (one_for_all: all; rest_for_one: those after it; never a
 *     temporary child), or the START is part of an admin call on c.
 * (c) Every START has exactly one outcome after it (STARTED/RESTARTED, or
 *     START_FAILED); no incarnation is started twice; nothing is started
 *     after the supervisor decided to exit (INTENSITY_EXCEEDED,
 *     AUTO_SHUTDOWN) or exited. */

/* Index of the cause incarnation r gives its child, or FL_ORACLE__NONE. */
static int32_t fl_oracle__cause(const fl_oracle__index *x, sv_restart rt, const fl_oracle__inc *r) {
    if (r->count[SV_EV_START_FAILED]) return rt == SV_TEMPORARY ? FL_ORACLE__NONE : r->first[SV_EV_START_FAILED];
    if (!fl_oracle__spontaneous(r)) return FL_ORACLE__NONE;
    return fl_oracle__restartable(rt, fl_oracle__end_reason(x, r)) ? fl_oracle__end(r) : FL_ORACLE__NONE;
}

/* Does a restart of sibling `from` also restart `to` under strategy s? */
static bool fl_oracle__in_set(sv_strategy s, const fl_oracle__child *from, const fl_oracle__child *to) {
    if (to->restart == SV_TEMPORARY || from == to) return false;
    if (s == SV_ONE_FOR_ALL) return true;
    if (s == SV_REST_FOR_ONE) return to->order > from->order;
    return false;
}

static bool fl_oracle__sibling_cause(const fl_oracle__index *x, int ii, int ci, int32_t lo, int32_t hi) {
    const fl_oracle__inst *in = &x->inst[ii];
    if (in->psup < 0) return true; /* unknown policy: cannot judge */
    sv_strategy s = x->pol->sups[in->psup].strategy;
    for (size_t d = 0; d < in->n; d++) {
        if (!fl_oracle__in_set(s, &in->ch[d], &in->ch[ci])) continue;
        for (size_t k = 0; k < in->ch[d].n; k++) {
            const fl_oracle__inc *r = &in->ch[d].incs[k];
            int32_t t = fl_oracle__cause(x, in->ch[d].restart, r);
            if (t == FL_ORACLE__NONE || t >= hi) continue;
            /* The cause came after c's previous incarnation started, or
             * before it but the supervisor decided on it only after (a
             * sibling that crashed while the supervisor was still starting
             * its children: OTP restarts the group once it is up). */
            int32_t decided = r->first[SV_EV_RESTART];
            if (t > lo || (decided != FL_ORACLE__NONE && decided > lo && decided < hi)) return true;
        }
    }
    return false;
}

static const char *fl_oracle__how(const fl_oracle__index *x, const fl_oracle__inc *r, char *buf, size_t cap) {
    if (r->count[SV_EV_START_FAILED]) snprintf(buf, cap, "failed to start");
    else if (fl_oracle__end(r) == FL_ORACLE__NONE) snprintf(buf, cap, "had not ended");
    else snprintf(buf, cap, "ended (%s)%s", sv_exit_name(fl_oracle__end_reason(x, r)),
                  fl_oracle__spontaneous(r) ? "" : " after a stop request");
    return buf;
}

void fl_oracle__restart_policy(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char nm[NAMEMAX], how[64], msg[640];
    for (fl_oracle__walk w = {0}; fl_oracle__walk_next(x, &w);) {
        const fl_oracle__inst *in = w.in;
        const fl_oracle__child *c = w.c;
        if (c->pc < 0) continue; /* not in the policy: nothing to judge against */
        int32_t decided = fl_oracle__min(in->intensity, fl_oracle__min(in->auto_sd, in->shutdown));
        const fl_oracle__inc *r = w.r;
        int32_t s = r->first[SV_EV_START];
        fl_oracle__name(x, (int)w.ii, (int)w.ci, r->inc, nm, sizeof nm);
        uint32_t nrun = r->count[SV_EV_STARTED] > r->count[SV_EV_RESTARTED] ? r->count[SV_EV_STARTED]
                                                                            : r->count[SV_EV_RESTARTED];
        if (r->count[SV_EV_START] > 1 || nrun > 1) {
            uint32_t times = r->count[SV_EV_START] > nrun ? r->count[SV_EV_START] : nrun;
            snprintf(msg, sizeof msg, "%s was started %u times", nm, times);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_RESTART_POLICY, s, r->count[SV_EV_START] > 1 ? r->second[SV_EV_START]
                            : fl_oracle__min(r->second[SV_EV_STARTED], r->second[SV_EV_RESTARTED]), FL_ORACLE__NONE, msg);
        }
        int32_t outcome = fl_oracle__min(fl_oracle__min(fl_oracle__running(r), r->first[SV_EV_START_FAILED]),
                                         r->first[SV_EV_START_IGNORED]);
        if (outcome != FL_ORACLE__NONE && (s == FL_ORACLE__NONE || outcome < s)) {
            snprintf(msg, sizeof msg, "%s %s without being started", nm,
                     outcome == r->first[SV_EV_START_FAILED] ? "failed to start" : "ran");
            fl_oracle__viol(x, vd, FL_ORACLE_INV_RESTART_POLICY, outcome, s, FL_ORACLE__NONE, msg);
        } else if (s != FL_ORACLE__NONE && outcome == FL_ORACLE__NONE && x->complete) {
            snprintf(msg, sizeof msg, "the start of %s never completed (neither started nor start_failed)", nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_RESTART_POLICY, s, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
        } else if (r->count[SV_EV_START_FAILED] && fl_oracle__running(r) != FL_ORACLE__NONE) {
            snprintf(msg, sizeof msg, "%s both failed to start and ran", nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_RESTART_POLICY, r->first[SV_EV_START_FAILED], fl_oracle__running(r), FL_ORACLE__NONE, msg);
        }
        if (s != FL_ORACLE__NONE && s > decided) {
            snprintf(msg, sizeof msg, "%s was started after %s %s", nm, in->name,
                     decided == in->shutdown ? "shut down" : "decided to shut down");
            fl_oracle__viol(x, vd, FL_ORACLE_INV_RESTART_POLICY, decided, s, FL_ORACLE__NONE, msg);
        }
        /* (b) every restart has a cause */
        if (s != FL_ORACLE__NONE && w.k > 0 && !fl_oracle__in_admin(x, (int)w.ii, c->id, s)) {
            const fl_oracle__inc *p = &c->incs[w.k - 1];
            int32_t own = fl_oracle__cause(x, c->restart, p);
            int32_t lo = p->first[SV_EV_START];
            bool ok = (own != FL_ORACLE__NONE && own < s) || lo == FL_ORACLE__NONE ||
                      fl_oracle__sibling_cause(x, (int)w.ii, (int)w.ci, lo, s);
            if (!ok) {
                snprintf(msg, sizeof msg,
                         "%s was started but nothing calls for it: #%u %s and %s is %s under %s",
                         nm, p->inc, fl_oracle__how(x, p, how, sizeof how), c->id,
                         fl_oracle__restart_name(c->restart),
                         in->psup >= 0 ? fl_oracle__strategy_name(x->pol->sups[in->psup].strategy) : "?");
                fl_oracle__viol(x, vd, FL_ORACLE_INV_RESTART_POLICY, fl_oracle__end(p), s, FL_ORACLE__NONE, msg);
            }
        }
        /* (a) every cause is followed by a start */
        int32_t t = fl_oracle__cause(x, c->restart, r);
        if (t == FL_ORACLE__NONE || !x->complete) continue;
        bool restarted = fl_oracle__next(x, (int)w.ii, (int)w.ci, SV_EV_START, t) != FL_ORACLE__NONE;
        if (restarted || fl_oracle__excused(x, (int)w.ii, t)) continue;
        /* terminate_child / delete_child cancelled the pending restart */
        if (fl_oracle__next(x, (int)w.ii, (int)w.ci, SV_EV_CHILD_TERMINATED, t) != FL_ORACLE__NONE ||
            fl_oracle__next(x, (int)w.ii, (int)w.ci, SV_EV_CHILD_REMOVED, t) != FL_ORACLE__NONE)
            continue;
        if (r->count[SV_EV_START_FAILED] && fl_oracle__in_admin(x, (int)w.ii, c->id, t)) continue;
        snprintf(msg, sizeof msg, "%s %s and %s restarts it, but it was never restarted",
                 nm, fl_oracle__how(x, r, how, sizeof how), fl_oracle__restart_name(c->restart));
        fl_oracle__viol(x, vd, FL_ORACLE_INV_RESTART_POLICY, t, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
    }
}

/* ---- no_lost_report ------------------------------------------------------------------
 * Every incarnation reports its end at most once (CRASH or EXIT). Every end
 * report is consumed exactly once: a crash report is logged at most once,
 * and one that came after a stop request is logged (its only trace); an end
 * that came on its own is acted upon — the supervisor's next action on that
 * incarnation (STOP_REQUESTED: the join of a restart, a plain join, or an
 * intensity shutdown) comes at once, i.e. all virtual time between the end
 * and that action was spent inside other starts and stops; a temporary
 * child's own end is followed by CHILD_REMOVED (unless the supervisor was
 * stopping, as in restart_policy). */
void fl_oracle__no_lost_report(const fl_oracle__index *x, fl_oracle_verdict *vd) {
    char nm[NAMEMAX], msg[512];
    for (fl_oracle__walk w = {0}; fl_oracle__walk_next(x, &w);) {
        const fl_oracle__child *c = w.c;
        const fl_oracle__inc *r = w.r;
        fl_oracle__name(x, (int)w.ii, (int)w.ci, r->inc, nm, sizeof nm);
        uint32_t nrep = r->count[SV_EV_CRASH] + r->count[SV_EV_EXIT];
        int32_t rep = fl_oracle__first2(r, SV_EV_CRASH, SV_EV_EXIT);
        if (nrep > 1) {
            int32_t again = r->count[SV_EV_CRASH] > 1 ? r->second[SV_EV_CRASH]
                          : r->count[SV_EV_EXIT] > 1 ? r->second[SV_EV_EXIT]
                          : (rep == r->first[SV_EV_CRASH] ? r->first[SV_EV_EXIT] : r->first[SV_EV_CRASH]);
            snprintf(msg, sizeof msg, "%s reported its end %u times", nm, nrep);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_NO_LOST_REPORT, rep, again, FL_ORACLE__NONE, msg);
        }
        if (rep == FL_ORACLE__NONE) continue;
        bool crash = fl_oracle__abnormal(x->tr[rep].ev.reason);
        uint32_t nl = r->count[SV_EV_LOGGED];
        if (crash && nl > 1) {
            snprintf(msg, sizeof msg, "crash report of %s was consumed %u times", nm, nl);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_NO_LOST_REPORT, r->first[SV_EV_LOGGED], r->second[SV_EV_LOGGED], FL_ORACLE__NONE, msg);
        }
        if (!fl_oracle__spontaneous(r)) {
            if (crash && nl == 0 && x->complete) {
                snprintf(msg, sizeof msg, "crash report of %s (after its stop request) was never popped", nm);
                fl_oracle__viol(x, vd, FL_ORACLE_INV_NO_LOST_REPORT, rep, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
            }
            continue;
        }
        int32_t st = r->first[SV_EV_STOP_REQUESTED];
        if (st == FL_ORACLE__NONE ? x->complete : !fl_oracle__busy(x, (int)w.ii, rep, st)) {
            snprintf(msg, sizeof msg, st == FL_ORACLE__NONE
                     ? "end report of %s (%s) was lost: the supervisor never acted on it"
                     : "end report of %s (%s) was lost: the supervisor stayed idle and acted on it only when it stopped the child later",
                     nm, sv_exit_name(x->tr[rep].ev.reason));
            fl_oracle__viol(x, vd, FL_ORACLE_INV_NO_LOST_REPORT, rep, st, FL_ORACLE__NONE, msg);
            continue;
        }
        if (c->restart == SV_TEMPORARY && c->pc >= 0 && x->complete &&
            fl_oracle__next(x, (int)w.ii, (int)w.ci, SV_EV_CHILD_REMOVED, rep) == FL_ORACLE__NONE &&
            !fl_oracle__excused(x, (int)w.ii, rep)) {
            snprintf(msg, sizeof msg, "%s (temporary) ended but was never removed", nm);
            fl_oracle__viol(x, vd, FL_ORACLE_INV_NO_LOST_REPORT, rep, FL_ORACLE__NONE, FL_ORACLE__NONE, msg);
        }
    }
}
