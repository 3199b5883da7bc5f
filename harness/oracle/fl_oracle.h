/*
 * fl_oracle.h — the invariants faultline checks on every run (prefix fl_oracle_).
 *
 * The oracle is pure: it reads one run's event trace (fl_event, the copied
 * sv_event of reports/report.h), the policy that was run (built from the
 * sv_sup_spec tree) and how the run ended, and returns the violations it
 * found. It knows nothing of libsv's internals: each invariant is a small,
 * independent checker over the trace.
 *
 * The trace protocol the checkers rely on (libsv's side of the contract):
 *  - A supervisor instance begins with SUP_START(sup) and ends with
 *    SHUTDOWN(sup, reason). A nested supervisor restarted by its parent is a
 *    new instance of the same name; child incarnations restart at 1 in it.
 *  - Generations. A child id added anew to an instance — start_child after
 *    delete_child, after a temporary child ended and was removed
 *    (CHILD_REMOVED), or after its first start failed and libsv dropped the
 *    spec — is a new child: libsv numbers its incarnations from 1 again. The
 *    oracle scopes incarnations by generation of the id: a START that comes
 *    after the id's CHILD_REMOVED, or inside a start_child call for an id
 *    that already has incarnations, opens the next generation, and every
 *    later event naming the id belongs to the latest generation that has
 *    that incarnation (a late report of an older generation's abandoned
 *    thread still finds its own). Everything below says "child" for one
 *    generation of a child.
 *  - Every start attempt of child c is START(c, k), then STARTED(c, k) or
 *    RESTARTED(c, k) ("running") or START_FAILED(c, k). k = 1, 2, … per
 *    attempt, failed ones included.
 *  - A running incarnation's thread ends once: worker side, CRASH(c, k,
 *    reason, message, backtrace) for an abnormal end, EXIT(c, k, reason) for
 *    normal/shutdown, emitted before the report is pushed. The supervisor
 *    pops a crash report and emits LOGGED(c, k) with the same reason, message
 *    and backtrace.
 *  - The supervisor asks a running incarnation to stop with STOP_REQUESTED
 *    and ends every running incarnation's life with exactly one JOINED or
 *    UNSTOPPED (it gave up waiting).
 *  - INTENSITY_EXCEEDED / AUTO_SHUTDOWN (sup-level) precede the stops of a
 *    supervisor that exits on its own; SHUTDOWN is its last event. A nested
 *    supervisor runs on the thread of its parent's child incarnation: its
 *    exit on its own is reported to the parent as ESCALATED(parent, child)
 *    (or ESCALATED(nested) — both are accepted), then that child's EXIT.
 *  - RESTART(c, k, reason) is the decision to restart after c#k ended (or
 *    failed to start); one per restart counted toward intensity, or
 *    INTENSITY_EXCEEDED instead when the restart would exceed it. Its time
 *    is when the supervisor decided (the window is computed from those).
 *    A crash that comes while the supervisor still starts its children is
 *    decided on once it is up: under one_for_all / rest_for_one that
 *    restarts the group, siblings started after the crash included (OTP).
 *  - Per incarnation the order is START, then its outcome (STARTED /
 *    RESTARTED, START_FAILED, START_IGNORED); CRASH / EXIT only after it
 *    ran; STOP_REQUESTED after it ran; JOINED / UNSTOPPED after its
 *    STOP_REQUESTED; RESTART after its end or failed start. Incarnations of
 *    one child start in increasing order.
 *  - Between two core sequences the supervisor's own view
 *    (sv_which_children, sv_count_children) agrees with the trace so far:
 *    listed in start order, each child's last incarnation, RUNNING only
 *    when that incarnation runs (started, not yet joined), UNSTOPPED
 *    exactly when it is not running and its last joined-or-abandoned
 *    incarnation was abandoned (no start since ran or was ignored),
 *    RESTARTING only when not running and not abandoned; every running
 *    child listed; count_children active = the RUNNING entries, specs =
 *    entries, supervisors + workers = specs. Asked of the root and of each
 *    running nested supervisor. An admin call that answered 0 shows its
 *    effect in its window, emitted by the supervisor it was made on (START;
 *    CHILD_REMOVED for delete; CHILD_TERMINATED or CHILD_REMOVED for a
 *    terminate of a child that ran).
 *
 * Invariant names (exactly these strings; also accepted by `expect fail`):
 *   crash_logged_once, joined_before_restart, restart_policy, strategy_set,
 *   intensity_shutdown, no_lost_report, no_leaked_thread, shutdown_completes,
 *   event_order, children_view, expectation.  What each checks precisely: see docs/cli.md ("The oracle")
 *   and the comment above each checker in oracle.c.
 */
#ifndef FL_ORACLE_H
#define FL_ORACLE_H

#include "report.h"
#include "sv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "scenario/fl_scenario.h"

typedef enum fl_oracle_inv {
    FL_ORACLE_INV_CRASH_LOGGED_ONCE = 0,
    FL_ORACLE_INV_JOINED_BEFORE_RESTART,
    FL_ORACLE_INV_RESTART_POLICY,
    FL_ORACLE_INV_STRATEGY_SET,
    FL_ORACLE_INV_INTENSITY_SHUTDOWN,
    FL_ORACLE_INV_NO_LOST_REPORT,
    FL_ORACLE_INV_NO_LEAKED_THREAD,
    FL_ORACLE_INV_SHUTDOWN_COMPLETES,
    FL_ORACLE_INV_EVENT_ORDER,
    FL_ORACLE_INV_CHILDREN_VIEW,
    FL_ORACLE_INV_EXPECTATION,
    FL_ORACLE_INV_COUNT
} fl_oracle_inv;

/* Name of an invariant ("crash_logged_once", …); "?" when out of range. */
const char *fl_oracle_inv_name(int inv);
/* The invariant with that exact name, or -1. */
int fl_oracle_inv_from_name(const char *name);

/* ---- violations ------------------------------------------------------------ */

/* One broken invariant: its name, what broke (one line, owned) and the seq
 * numbers of the events that broke it (owned, ascending, may be empty). */
typedef struct fl_oracle_violation {
    fl_oracle_inv inv;
    char *message;
    uint64_t *seqs;
    size_t nseqs;
} fl_oracle_violation;

/* The violations of one run, in the order the checkers found them (checkers
 * run in fl_oracle_inv order). err is sticky: -ENOMEM once an append failed (the
 * verdict then holds what fit). Zero-initialise or fl_oracle_verdict_init. */
typedef struct fl_oracle_verdict {
    fl_oracle_violation *v;
    size_t n, cap;
    int err;
} fl_oracle_verdict;

void fl_oracle_verdict_init(fl_oracle_verdict *vd);
/* Frees every violation; vd is empty and reusable after. */
void fl_oracle_verdict_free(fl_oracle_verdict *vd);
/* Append a violation: seqs[0..nseqs) copied and sorted, the message
 * formatted. Returns 0 or -ENOMEM (also recorded in vd->err). */
int fl_oracle_verdict_add(fl_oracle_verdict *vd, fl_oracle_inv inv, const uint64_t *seqs, size_t nseqs,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The first violation of inv, or NULL. */
const fl_oracle_violation *fl_oracle_verdict_find(const fl_oracle_verdict *vd, fl_oracle_inv inv);
/* The violation to report first: the one whose earliest event is earliest
 * (violations without events last; ties: fl_oracle_inv order), or NULL if none. */
const fl_oracle_violation *fl_oracle_verdict_primary(const fl_oracle_verdict *vd);
/* Writes "INV: message [events #a #b]" per violation, one a line. */
void fl_oracle_verdict_print(const fl_oracle_verdict *vd, FILE *out);

/* ---- the policy ------------------------------------------------------------- */

typedef struct fl_oracle_policy fl_oracle_policy;

/* Capture the policy of a supervisor tree: per supervisor its name,
 * strategy, intensity, period, backoff cap, and its children in start order
 * (id, restart type, shutdown, nested supervisor). Everything is copied; the
 * spec may be freed after. Supervisor names must be unique across the tree
 * (-EINVAL otherwise, and for a NULL/empty name or id). 0 and *out (free with
 * fl_oracle_policy_free), or -EINVAL, -ENOMEM. */
int fl_oracle_policy_new(const sv_sup_spec *root, fl_oracle_policy **out);
/* Append a dynamic child (started later with sv_start_child) to supervisor
 * sup's start order. Its nested spec, if any, is captured too. 0, -ENOENT
 * (no such supervisor), -EEXIST (id already there), -EINVAL, -ENOMEM. */
int fl_oracle_policy_add_child(fl_oracle_policy *p, const char *sup, const sv_child_spec *c);
void fl_oracle_policy_free(fl_oracle_policy *p); /* p may be NULL */

/* ---- how the run ended ---------------------------------------------------------- */

typedef enum fl_oracle_end {
    FL_ORACLE_END_OK = 0,    /* main function returned, every thread accounted for */
    FL_ORACLE_END_DEADLOCK,  /* no runnable thread and no pending deadline */
    FL_ORACLE_END_BUDGET,    /* step budget exhausted (livelock or too long) */
    FL_ORACLE_END_DIVERGED,  /* replay: the recorded choices no longer fit */
    FL_ORACLE_END_ERROR,     /* the harness itself failed (setup, out of memory) */
} fl_oracle_end;

const char *fl_oracle_end_name(int end);

/* An admin call the runner made: the events it caused have seq in
 * (seq_before, seq_after] (admin calls are synchronous). */
typedef enum fl_oracle_admin_op {
    FL_ORACLE_ADMIN_START = 0, FL_ORACLE_ADMIN_TERMINATE, FL_ORACLE_ADMIN_RESTART, FL_ORACLE_ADMIN_DELETE,
} fl_oracle_admin_op;

typedef struct fl_oracle_admin_call {
    fl_oracle_admin_op op;
    const char *sup;     /* supervisor it was made on */
    const char *child;   /* child id (an instance: its template's id) */
    uint64_t seq_before, seq_after;
    int result;          /* what the call returned */
    uint32_t instance;   /* the instance it started or terminated, else 0 */
} fl_oracle_admin_call;

/* What a supervisor said of itself at a quiescent point: the runner's main
 * asked sv_which_children, sv_count_children and sv_which_children again
 * (libsv serves such requests only between core sequences). Events
 * emitted meanwhile have seq in (seq_before, seq_after]; the answer holds
 * at some point in there. */
typedef struct fl_oracle_snapshot {
    const char *sup;               /* the supervisor asked */
    int64_t at_ns;                 /* virtual time of the request (from the run's start) */
    uint64_t seq_before, seq_after;
    const sv_child_info *children; /* the first answer, in start order */
    size_t n;                      /* entries in children (all of them) */
    bool have_counts;              /* count_children answered (counts valid) */
    bool counted;                  /* and both which answers were equal: counts
                                      is comparable with children */
    sv_child_counts counts;
} fl_oracle_snapshot;

typedef struct fl_oracle_run_info {
    fl_oracle_end end;
    const char *end_detail;        /* scheduler's report, or NULL */
    const char *const *leaked;     /* names of threads still alive at the end */
    size_t nleaked;
    bool start_failed;             /* sv_sup_start(root) returned an error */
    int start_err;
    bool stop_requested;           /* the runner called sv_sup_stop(root) … */
    uint64_t stop_seq;             /* … when the last emitted event was stop_seq */
    bool stop_returned;            /* sv_sup_stop returned (the run did not
                                      end inside it) */
    const fl_oracle_admin_call *admin;
    size_t nadmin;
    const fl_oracle_snapshot *snaps; /* in the order taken; may be NULL */
    size_t nsnaps;
} fl_oracle_run_info;

/* Check every invariant (all but `expectation`) over trace[0..n) (seq
 * ascending, as delivered) for a run of policy p that ended as run says;
 * append violations to out. Returns 0, or -ENOMEM (out holds what was found
 * so far; out->err set). Never reads outside its arguments. */
int fl_oracle_check(const fl_oracle_policy *p, const fl_event *trace, size_t n,
                    const fl_oracle_run_info *run, fl_oracle_verdict *out);

/* ---- expectations ---- */
/*
 * oracle_expect.h — a scenario's `expect` lines, judged over one run
 * (prefix fl_oracle_expect). Every failed expectation is a violation of the
 * invariant `expectation`, its message naming the scenario line:
 *   "FILE:LINE:COL: expect restarts w = 3: got 2".
 * `expect fail INV` is not judged here: it is the runner's verdict rule.
 */
/* What the runner observed besides the trace. */
typedef struct fl_oracle_observed {
    int root_exit;              /* sv_exit of the root by the end of the run's
                                   duration; -1 still running; -2 not observed
                                   (the run was cut short) */
    const fl_scenario_state *states;     /* per s->expects[i] (FL_SCENARIO_EXP_STATE): the state
                                   sv_which_children reported at its time, or
                                   (fl_scenario_state)-1 when the time was never reached */
    const char *const *log;     /* every line the log sink received */
    size_t nlog;
    const fl_oracle_snapshot *const *snaps; /* per s->expects[i] (CHILD_COUNT, CHILDREN):
                                   its supervisor's view (the root's, or the
                                   nested one at its sup=PATH) taken at its
                                   time, or NULL when never taken (that
                                   supervisor was not running then) */
    int start_err;              /* what sv_sup_start(root) returned (0: it started) */
} fl_oracle_observed;

/* Judge every expectation of s over trace[0..n) and obs; append violations
 * to out. 0, or -ENOMEM (also in out->err). */
int fl_oracle_expect(const fl_scenario *s, const fl_event *trace, size_t n, const fl_oracle_observed *obs,
                     fl_oracle_verdict *out);

#endif
