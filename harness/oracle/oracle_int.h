/*
 * oracle_int.h — private to the oracle (oracle.c, oracle_help.c, oracle_inv.c,
 * oracle_seq.c, oracle_shutdown.c, oracle_view.c): the policy
 * tables and the per-run index of a trace (prefix fl_oracle__).
 *
 * The index only groups events; it draws no conclusion. Every event of the
 * trace is attributed to one supervisor instance (SUP_START opens an
 * instance; a nested supervisor restarted by its parent is a new instance of
 * the same name), and, when it names a child, to that child's record in the
 * instance and to the incarnation record. An incarnation record keeps, per
 * event kind, the index of its first and second occurrence and the count.
 */
#ifndef FL_ORACLE_INT_H
#define FL_ORACLE_INT_H

#include "oracle/fl_oracle.h"

#define FL_ORACLE__NONE INT32_MAX /* "no such event": compares after every index */

/* ---- policy ---- */
typedef struct fl_oracle__pchild {
    char *id;
    sv_restart restart;
    bool significant;
    int nested; /* policy supervisor index, or -1 for a worker */
} fl_oracle__pchild;

typedef struct fl_oracle__psup {
    char *name;
    int parent;       /* policy index, -1 for the root */
    int self;         /* index of the child holding it in parent's children */
    sv_strategy strategy;  /* simple_one_for_one is kept as one_for_one (its
                              restarts are), with simple set */
    bool simple;
    uint32_t intensity, period_ms;
    sv_auto_shutdown auto_shutdown;
    fl_oracle__pchild *ch;
    size_t nch, cap;
} fl_oracle__psup;

struct fl_oracle_policy {
    fl_oracle__psup *sups;
    size_t nsups, cap;
};

/* ---- index of one trace ---- */
typedef struct fl_oracle__inc {
    uint32_t inc;
    int32_t first[SV_EV__COUNT];  /* trace index, FL_ORACLE__NONE if none */
    int32_t second[SV_EV__COUNT];
    uint32_t count[SV_EV__COUNT];
    int32_t sup_end;    /* a nested supervisor child: its instance's SHUTDOWN */
} fl_oracle__inc;

/* One child record = one generation of a child id in one supervisor
 * instance: from the START that added the id (or the first event naming it)
 * until it was removed. A START that adds the id anew — after its
 * CHILD_REMOVED, or inside a start_child admin call of an id that already
 * has incarnations (a first start that failed and was dropped) — opens the
 * next generation, a new record: libsv numbers incarnations from 1 again
 * there, so (id, incarnation) names an incarnation only within a generation. */
typedef struct fl_oracle__child {
    const char *id;     /* points into the trace */
    uint32_t instance;  /* simple_one_for_one: the instance number (its own
                           record, in instance order), else 0 */
    int pc;             /* index in the policy supervisor's children, -1 unknown
                           (an instance: its template) */
    uint32_t gen;       /* generation of the id in this instance: 1, 2, … */
    int32_t removed;    /* its last CHILD_REMOVED, or FL_ORACLE__NONE */
    int32_t last_start; /* its last START, or FL_ORACLE__NONE */
    size_t order;       /* start order: policy index, unknown ones and later
                           generations (appended by libsv) after */
    sv_restart restart; /* from policy; SV_PERMANENT when unknown */
    fl_oracle__inc *incs;     /* ascending by inc */
    size_t n, cap;
} fl_oracle__child;

typedef struct fl_oracle__inst {
    const char *name;
    int psup;            /* policy index, -1 unknown */
    int parent;          /* parent instance, -1 root / unknown */
    int holder_child;    /* child in parent instance running it, -1 */
    uint32_t holder_inc; /* its incarnation */
    int32_t sup_start, shutdown, intensity, auto_sd; /* first index or FL_ORACLE__NONE */
    int32_t cause;       /* earliest reason to stop: its decision to exit
                            (intensity, auto_shutdown), a stop request for it
                            (runner, parent) or its parent stopping */
    int32_t stop_trig;   /* earliest index from which it may be stopping:
                            cause, or its own SHUTDOWN */
    fl_oracle__child *ch;
    size_t n, cap;
} fl_oracle__inst;

typedef struct fl_oracle__ref {
    int inst;  /* -1 never (every event has an instance) */
    int child; /* -1 for supervisor-level events */
    int inc;   /* index into child's incs, -1 when incarnation is 0 */
} fl_oracle__ref;

typedef struct fl_oracle__index {
    const fl_oracle_policy *pol;
    const fl_event *tr;
    size_t n;
    const fl_oracle_run_info *run;
    fl_oracle__ref *ref;       /* per event */
    fl_oracle__inst *inst;
    size_t ninst, cap;
    int32_t root_stop;   /* first index after the runner's stop request */
    bool complete;       /* the root instance emitted SHUTDOWN */
} fl_oracle__index;

int fl_oracle__index_build(fl_oracle__index *x, const fl_oracle_policy *p, const fl_event *tr, size_t n,
                           const fl_oracle_run_info *run);
void fl_oracle__index_free(fl_oracle__index *x);

/* Helpers over the index. */
static inline sv_event_kind fl_oracle__kind(const fl_oracle__index *x, int32_t i) { return x->tr[i].ev.kind; }
static inline uint64_t fl_oracle__seq(const fl_oracle__index *x, int32_t i) { return x->tr[i].ev.seq; }
static inline int32_t fl_oracle__min(int32_t a, int32_t b) { return a < b ? a : b; }
/* First of two kinds for an incarnation. */
static inline int32_t fl_oracle__first2(const fl_oracle__inc *c, sv_event_kind a, sv_event_kind b) {
    return fl_oracle__min(c->first[a], c->first[b]);
}
/* Index of the event that made the incarnation "running", or FL_ORACLE__NONE. */
static inline int32_t fl_oracle__running(const fl_oracle__inc *c) { return fl_oracle__first2(c, SV_EV_STARTED, SV_EV_RESTARTED); }
/* The incarnation's end report: CRASH or EXIT (for a nested supervisor
 * child also ESCALATED or the SHUTDOWN of the instance it ran), or FL_ORACLE__NONE. */
int32_t fl_oracle__end(const fl_oracle__inc *c);
/* Its supervisor-side end: JOINED or UNSTOPPED, or FL_ORACLE__NONE. */
static inline int32_t fl_oracle__term(const fl_oracle__inc *c) { return fl_oracle__first2(c, SV_EV_JOINED, SV_EV_UNSTOPPED); }
/* True when the end report came before any stop request: the child ended on
 * its own. */
bool fl_oracle__spontaneous(const fl_oracle__inc *c);
/* The exit reason of its end report, or -1. */
int fl_oracle__end_reason(const fl_oracle__index *x, const fl_oracle__inc *c);
/* Whether the child's restart type restarts an exit with this reason. */
bool fl_oracle__restartable(sv_restart r, int reason);
/* True when instance `in` may legitimately not have acted on a cause at
 * index i: its stop trigger came before i, or came while the supervisor
 * could not yet act (the virtual time between i and the trigger is covered
 * by its starts and stops in progress, plus a pending backoff delay). */
bool fl_oracle__excused(const fl_oracle__index *x, int in, int32_t i);
/* True when all the virtual time from event i to event j was spent by
 * instance `in` inside starts and stops, so it could not act before j. */
bool fl_oracle__busy(const fl_oracle__index *x, int in, int32_t i, int32_t j);
/* True when event i falls inside an admin call on child id of instance in. */
bool fl_oracle__in_admin(const fl_oracle__index *x, int in, const char *id, int32_t i);
/* First index after `after` of an event of that kind about child ci of
 * instance in (any incarnation), or FL_ORACLE__NONE. */
int32_t fl_oracle__next(const fl_oracle__index *x, int in, int ci, sv_event_kind kind, int32_t after);
/* The policy record of a child, or NULL. */
const fl_oracle__pchild *fl_oracle__pchild_of(const fl_oracle__index *x, int in, int child);
/* Append a violation of inv naming events a and b (FL_ORACLE__NONE: none). */
void fl_oracle__viol2(const fl_oracle__index *x, fl_oracle_verdict *vd, fl_oracle_inv inv, int32_t a, int32_t b,
                      const char *msg);
/* "sup/child#k" into buf. */
const char *fl_oracle__name(const fl_oracle__index *x, int in, int child, uint32_t inc, char *buf, size_t cap);

/* A walk over every incarnation record of the index, in index order:
 * instance by instance, child by child, incarnation by ascending
 * incarnation. Start from a zeroed walk:
 *     for (fl_oracle__walk w = {0}; fl_oracle__walk_next(x, &w);) ...
 * After each true return, in/c/r point at the current instance, child and
 * incarnation record, and ii/ci/k are their indices (x->inst[ii].ch[ci]
 * .incs[k]). `continue` in the loop body moves to the next incarnation. */
typedef struct fl_oracle__walk {
    size_t ii, ci, k;
    const fl_oracle__inst *in;
    const fl_oracle__child *c;
    const fl_oracle__inc *r; /* NULL before the first step */
} fl_oracle__walk;

static inline bool fl_oracle__walk_next(const fl_oracle__index *x, fl_oracle__walk *w) {
    if (w->r) w->k++;
    for (; w->ii < x->ninst; w->ii++, w->ci = 0, w->k = 0) {
        const fl_oracle__inst *in = &x->inst[w->ii];
        for (; w->ci < in->n; w->ci++, w->k = 0) {
            if (w->k < in->ch[w->ci].n) {
                w->in = in;
                w->c = &in->ch[w->ci];
                w->r = &w->c->incs[w->k];
                return true;
            }
        }
    }
    return false;
}

/* Stop blocks (oracle_seq.c), shared with shutdown_completes. */
bool fl_oracle__stop_kind(sv_event_kind k);   /* STOP_REQUESTED, JOINED, UNSTOPPED */
bool fl_oracle__transparent(sv_event_kind k); /* CRASH, EXIT, LOGGED: a block reads past them */
/* Incarnation r ran before i and was not joined or abandoned before i. */
bool fl_oracle__alive_at(const fl_oracle__inc *r, int32_t i);
/* Children of instance in alive at i with start order >= lo, descending
 * start order, into out (room: fl_oracle__ids); how many. */
size_t fl_oracle__alive_desc(const fl_oracle__index *x, int in, int32_t i, size_t lo, int *out);
/* Room for one int per child record of instance in, or NULL (vd->err set). */
int *fl_oracle__ids(const fl_oracle__index *x, int in, fl_oracle_verdict *vd);
/* The stops in [from, end) are want[0..nwant) in reverse start order (an
 * ended one only joined anywhere); else a violation of inv. */
bool fl_oracle__expect_stops(const fl_oracle__index *x, fl_oracle_verdict *vd, fl_oracle_inv inv, int in, int32_t from,
                             int32_t end, const int *want, size_t nwant, int32_t cause, const char *what);

/* The checkers (oracle_inv.c), one per invariant, in fl_oracle_inv order. */
void fl_oracle__crash_logged_once(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__joined_before_restart(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__restart_policy(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__strategy_set(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__intensity_shutdown(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__no_lost_report(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__no_leaked_thread(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__shutdown_completes(const fl_oracle__index *x, fl_oracle_verdict *vd);
void fl_oracle__event_order(const fl_oracle__index *x, fl_oracle_verdict *vd);   /* oracle_view.c */
void fl_oracle__children_view(const fl_oracle__index *x, fl_oracle_verdict *vd); /* oracle_view.c */

#endif
