/*
 * fl_scenario.h — the scenario model (prefix fl_scenario_).
 *
 * A scenario file (*.scn, language in docs/scenarios.md) describes ONE
 * behaviour: a supervisor tree whose workers run small scripts (or are C
 * workers registered with fl_world_register_worker), the faults injected into it,
 * timed admin actions, expectations, and run parameters.
 *
 * Two phases:
 *  1. fl_scenario_parse_file / _str: text -> fl_scenario, a tree of plain
 *     structs the runner reads (never writes). Parsing is strict and total:
 *     any input, however malformed, either yields a scenario or fails with
 *     -EINVAL and a diagnostic "file:line:col: expected …".
 *  2. (world/fl_world.h) fl_world_build(s, seed): fl_scenario -> fl_world, everything one run
 *     needs: a ready sv_sup_spec tree whose worker children run the scripted-
 *     worker interpreter (world/) or the registered user worker,
 *     per-child state for this run, init hooks implementing `fault recreate`,
 *     the race barriers, the rendezvous latches, and the failpoint registry
 *     (failpoint/) loaded with the scenario's failpoints plus
 *     FAULTLINE_FAILPOINTS, seeded with `seed`, and bound into libsv with
 *     sv_fail_set. In swarm mode the seed also picks which faults/failpoints
 *     are on (each with probability 1/2) and at what rates (every declared
 *     probability p < 100% becomes a draw in [1, p]; terms without one keep
 *     their meaning).
 *
 * The runner's part of one run (for reference; the runner owns it):
 *     fl_world *w; fl_world_build(s, seed, &w);
 *     sv_sup_spec spec = *fl_world_spec(w);      // shallow copy
 *     spec.on_event = ...; spec.log = ...;       // nested sups inherit them
 *     inside fl_sched_run: sv_sup_start(&spec, &sup); then, in time order,
 *       s->actions[i] at s->actions[i].at_ns (virtual time since start):
 *         FL_SCENARIO_ACT_STOP      -> sv_sup_stop(sup)
 *         FL_SCENARIO_ACT_START     -> sv_start_child(sup, fl_world_child_spec(w, a->child))
 *         FL_SCENARIO_ACT_TERMINATE -> sv_terminate_child(sup, a->child->id)
 *         FL_SCENARIO_ACT_RESTART   -> sv_restart_child(sup, a->child->id)
 *         FL_SCENARIO_ACT_DELETE    -> sv_delete_child(sup, a->child->id)
 *         FL_SCENARIO_ACT_CRASH     -> fl_world_crash(w, a->child, a->msg)
 *       (and checks a->result when a->check_result), `expect state … at T`
 *       at its time, until s->run.duration_ns; then sv_sup_stop if still
 *       running, fl_world_release(w), sv_sup_free, the oracle and the
 *       expectations; finally fl_world_free(w).
 *
 * Names: every supervisor and child name is unique across the whole scenario
 * (the parser rejects duplicates), so a bare name identifies one node.
 * Times in the model are nanoseconds of (virtual) time since the run started.
 * Strings in the model are NUL-terminated and owned by the scenario.
 */
#ifndef FL_SCENARIO_H
#define FL_SCENARIO_H

#include "lex/fl_lex.h"
#include "sched/fl_sched.h"
#include "sv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fl_scenario_sup_decl fl_scenario_sup_decl;
typedef struct fl_scenario_child_decl fl_scenario_child_decl;

/* ---- scripts -------------------------------------------------------------- */

typedef enum fl_scenario_op_kind {
    FL_SCENARIO_OP_WORK = 0,   /* sleep `ns` through sv_worker_sleep (wakes on stop)    */
    FL_SCENARIO_OP_YIELD,      /* sv_yield(): one scheduling point                      */
    FL_SCENARIO_OP_CRASH,      /* sv_panic("%s", str)                                   */
    FL_SCENARIO_OP_RETURN,     /* return `value` from the worker (non-zero = crash,
                         reason error; `return error` is value -EIO)           */
    FL_SCENARIO_OP_EXIT,       /* return `value`: 0 (exit normal) or SV_RET_SHUTDOWN    */
    FL_SCENARIO_OP_HANG,       /* ignore stop forever (until fl_world_release)          */
    FL_SCENARIO_OP_SEGV,       /* a real invalid write (the supervisor of a child whose
                         script has one gets SV_SUP_CATCH_SIGNALS)             */
    FL_SCENARIO_OP_SIGNAL,     /* set the run-wide latch `str` (wakes its waiters)      */
    FL_SCENARIO_OP_WAIT,       /* block until latch `str` is set (wakes on stop)        */
    FL_SCENARIO_OP_LOOP,       /* run body[0..nbody) `count` times (0 = forever)        */
    FL_SCENARIO_OP_FAILPOINT,  /* evaluate worker-side failpoint `str` (fl_fp_eval)   */
} fl_scenario_op_kind;

/* When an op applies. An op whose condition is false is skipped. */
typedef struct fl_scenario_op_when {
    uint32_t inc_min;  /* first incarnation it applies to (default 1)         */
    uint32_t inc_max;  /* last one; 0 = no upper bound (default)              */
    uint32_t p_pct;    /* 1..100: applies with this probability, drawn from
                          the run's seed, child, incarnation and op (default
                          100 = always)                                       */
    bool has_arg;      /* `arg N`: only in simple_one_for_one instances
                          started with arg=N                                  */
    int arg;
} fl_scenario_op_when;

typedef struct fl_scenario_op {
    fl_scenario_op_kind kind;
    int line, col;         /* where it was written */
    fl_scenario_op_when when;
    int64_t ns;            /* WORK: duration */
    int value;             /* RETURN / EXIT: the worker's return value */
    uint32_t count;        /* LOOP: iterations, 0 = forever */
    char *str;             /* CRASH message; SIGNAL/WAIT latch; FAILPOINT name */
    struct fl_scenario_op *body;    /* LOOP body */
    size_t nbody;
} fl_scenario_op;

/* ---- the supervisor tree ---------------------------------------------------- */

typedef enum fl_scenario_child_kind {
    FL_SCENARIO_CHILD_SCRIPT = 0,  /* `worker ID`: script run by the interpreter      */
    FL_SCENARIO_CHILD_USER,        /* `user ID fn=NAME`: a registered C worker         */
    FL_SCENARIO_CHILD_SUP,         /* `supervisor ID`: a nested supervisor             */
} fl_scenario_child_kind;

struct fl_scenario_child_decl {
    fl_scenario_child_kind kind;
    char *id;
    int line, col;
    fl_scenario_sup_decl *parent;   /* the supervisor it is declared in */
    size_t index;          /* position in parent->children */
    sv_restart restart;    /* default SV_PERMANENT */
    sv_shutdown shutdown;  /* default SV_SHUTDOWN_TIMEOUT (INFINITY for sups) */
    uint32_t shutdown_ms;  /* default 5000 */
    bool significant;
    bool dynamic;          /* declared but not started with its supervisor:
                              only a timed `start_child` starts it; omitted
                              from the initial spec's children */
    /* FL_SCENARIO_CHILD_SCRIPT */
    fl_scenario_op *script;         /* run once per incarnation, top to bottom; falling
                              off the end is `exit normal` */
    size_t nscript;
    fl_scenario_op *onstop;         /* `onstop … end`: run instead of returning when a
                              blocking op saw the stop request; its ops ignore
                              stop. Absent: the worker returns SV_RET_SHUTDOWN */
    size_t nonstop;
    /* FL_SCENARIO_CHILD_USER */
    char *fn_name;         /* registered name (default: the id) */
    /* FL_SCENARIO_CHILD_SUP */
    fl_scenario_sup_decl *sup;
};

struct fl_scenario_sup_decl {
    char *name;
    int line, col;
    fl_scenario_child_decl *self;        /* NULL for the root; else the child that holds it */
    sv_strategy strategy;  /* default SV_ONE_FOR_ONE */
    uint32_t intensity;    /* default 1 */
    uint32_t period_ms;    /* default 5000 */
    uint32_t backoff_min_ms, backoff_max_ms; /* `backoff=MIN..MAX`; 0 = none */
    uint32_t jitter_pct;
    sv_auto_shutdown auto_shutdown;
    uint32_t flags;        /* SV_SUP_*: `catch_signals`, or set because a
                              script child has `segv` */
    fl_scenario_child_decl **children;   /* declaration order (dynamic ones included) */
    size_t nchildren;
};

/* ---- faults ------------------------------------------------------------------ */

/* `fault recreate ID [times=N | p=P%] [from=K] [err=E]`: the child's start
 * attempts fail (its init hook returns err). Attempts are numbered like
 * incarnations (1 = the initial start). Failing attempts: K, K+1, ... while
 * fewer than `times` have failed (times = 0: no limit), each one only with
 * probability p. */
typedef struct fl_scenario_fault {
    int line, col;
    fl_scenario_child_decl *child;       /* a worker or user child */
    uint32_t times;        /* default 1 (0 with p= unless times= given) */
    uint32_t p_pct;        /* default 100 */
    uint32_t from;         /* default 2: restarts only, the first start is OK */
    int err;               /* negative errno the init hook returns; default -EAGAIN;
                              `fault ignore` (ignore true): SV_IGNORE */
    bool ignore;           /* `fault ignore ID …`: the init hook says SV_IGNORE
                              (OTP's `ignore`: not started, not a failure) */
} fl_scenario_fault;

/* `failpoint NAME "SPEC"`: SPEC in the grammar of harness/failpoint/fl_failpoint.h,
 * already validated by the parser. */
typedef struct fl_scenario_fp_decl {
    int line, col;
    char *name;
    char *spec;
} fl_scenario_fp_decl;

/* `race ID ID [ID…] [on N] [after DURATION] ["msg"]`: in incarnation N
 * (default 1) of each member, before its script: work `after_ns`, then wait
 * at a barrier shared by all members (through the seam); when the last one
 * arrives all are released together and each crashes with `msg`
 * (default "race"). Members are scripted workers. */
typedef struct fl_scenario_race {
    int line, col;
    fl_scenario_child_decl **members;
    size_t nmembers;       /* >= 2 */
    uint32_t incarnation;
    int64_t after_ns;
    char *msg;
} fl_scenario_race;

/* ---- timed actions ----------------------------------------------------------- */

typedef enum fl_scenario_action_kind {
    FL_SCENARIO_ACT_STOP = 0,   /* `at T stop`: sv_sup_stop(root)                     */
    FL_SCENARIO_ACT_START,      /* `at T start_child [sup=PATH] ID` (so all admin actions) */
    FL_SCENARIO_ACT_TERMINATE,  /* `at T terminate_child ID`                           */
    FL_SCENARIO_ACT_RESTART,    /* `at T restart_child ID`                             */
    FL_SCENARIO_ACT_DELETE,     /* `at T delete_child ID`                              */
    FL_SCENARIO_ACT_CRASH,      /* `at T crash ID ["msg"]`: fl_world_crash; the worker
                          crashes at its next op boundary                     */
    FL_SCENARIO_ACT_EXIT,       /* `at T exit ID [normal|shutdown]`: fl_world_exit; the
                          worker returns 0 / SV_RET_SHUTDOWN at its next op
                          boundary                                            */
    FL_SCENARIO_ACT_START_INSTANCE, /* `at T start_instance ID [arg=N]`: sv_start_instance
                          of the root or `in` (simple_one_for_one; ID its
                          template) with fl_world_instance_arg                */
    FL_SCENARIO_ACT_TERMINATE_INSTANCE, /* `at T terminate_instance ID N`:
                          sv_terminate_instance(root or `in`, N)              */
} fl_scenario_action_kind;

typedef struct fl_scenario_action {
    int line, col;
    fl_scenario_action_kind kind;
    int64_t at_ns;
    fl_scenario_child_decl *child;       /* NULL for STOP. START/TERMINATE/RESTART/DELETE and
                              the instance actions: a child of `in`. CRASH: a
                              scripted worker */
    fl_scenario_sup_decl *in;  /* admin actions: the supervisor addressed with
                              `sup=PATH` right after the action word (a nested
                              one, reached at run time through sv_sup_lookup
                              of the path), or NULL: the root */
    char *msg;             /* CRASH message (default "injected crash") */
    int exit_value;        /* EXIT: 0 (`normal`, the default) or SV_RET_SHUTDOWN */
    int arg;               /* START_INSTANCE: the instance's argument (default 0) */
    uint32_t instance;     /* TERMINATE_INSTANCE: the instance number (libsv numbers
                              instances 1, 2, … in start order, never reused) */
    bool check_result;     /* `result=…` given */
    int result;            /* expected return: 0 (`ok`) or -SV_E… (`already_started`,
                              `already_present`, `running`, `restarting`,
                              `not_found`, `shutdown`), or any negative errno
                              by name (`EINVAL`, `EOPNOTSUPP`, …) or number (`-22`) */
} fl_scenario_action;

/* ---- expectations ------------------------------------------------------------ */

typedef enum fl_scenario_expect_kind {
    FL_SCENARIO_EXP_COUNT = 0,  /* `expect COUNTER ID OP N`                               */
    FL_SCENARIO_EXP_EXIT,       /* `expect exit REASON`: the root supervisor exited with
                          this sv_exit by the end of the run (before the
                          runner's own final stop), or `expect exit none`:
                          it was still running then (exit_reason = -1)        */
    FL_SCENARIO_EXP_STATE,      /* `expect state [sup=PATH] ID STATE [at T]`             */
    FL_SCENARIO_EXP_LOG,        /* `expect log contains|lacks "text"`: over all log lines */
    FL_SCENARIO_EXP_EVENT,      /* `expect [no] event KIND [ID]`: at least one / none     */
    FL_SCENARIO_EXP_FAIL,       /* `expect fail INVARIANT`: known-bad scenario             */
    FL_SCENARIO_EXP_CHILD_COUNT,/* `expect count [sup=PATH] KEY=N… [at T]`: sv_count_children
                          of the root, or of the nested supervisor at PATH
                          (keys specs, active, supervisors, workers) */
    FL_SCENARIO_EXP_CHILDREN,   /* `expect children [sup=PATH] ID:STATES… | none [at T]`:
                          sv_which_children of the root (or PATH) lists exactly these,
                          in this order, each in one of its states         */
    FL_SCENARIO_EXP_ORDER,      /* `expect order start|stop ID ID…`: the first START
                          (start) / last STOP_REQUESTED (stop) of each
                          child, in this order in the trace                */
    FL_SCENARIO_EXP_REFUSED,    /* `expect refused ERR`: sv_sup_start(root) fails with
                          -ERR before anything starts (an invalid spec)     */
} fl_scenario_expect_kind;

/* Counted over the run's trace, for events whose child is the ID (or, for a
 * supervisor ID, events about it as a child of its parent). */
typedef enum fl_scenario_counter {
    FL_SCENARIO_CNT_RESTARTS = 0, /* SV_EV_RESTARTED */
    FL_SCENARIO_CNT_CRASHES,      /* SV_EV_CRASH */
    FL_SCENARIO_CNT_STARTS,       /* SV_EV_STARTED */
    FL_SCENARIO_CNT_START_FAILED, /* SV_EV_START_FAILED */
    FL_SCENARIO_CNT_UNSTOPPED,    /* SV_EV_UNSTOPPED */
    FL_SCENARIO_CNT_JOINED,       /* SV_EV_JOINED */
    FL_SCENARIO_CNT_LOGGED,       /* SV_EV_LOGGED */
} fl_scenario_counter;

typedef enum fl_scenario_cmp { FL_SCENARIO_CMP_EQ = 0, FL_SCENARIO_CMP_NE, FL_SCENARIO_CMP_LT, FL_SCENARIO_CMP_LE, FL_SCENARIO_CMP_GT, FL_SCENARIO_CMP_GE } fl_scenario_cmp;

typedef enum fl_scenario_state {
    FL_SCENARIO_STATE_RUNNING = SV_CHILD_RUNNING,
    FL_SCENARIO_STATE_RESTARTING = SV_CHILD_RESTARTING,
    FL_SCENARIO_STATE_STOPPED = SV_CHILD_STOPPED,
    FL_SCENARIO_STATE_UNSTOPPED = SV_CHILD_UNSTOPPED,
    FL_SCENARIO_STATE_ABSENT = 100, /* not in sv_which_children (deleted, temporary
                              ended, never started, or supervisor gone) */
} fl_scenario_state;

/* A set of states (`running|restarting`): one bit per state. */
#define FL_SCENARIO_STATE_BIT(st) ((st) == FL_SCENARIO_STATE_ABSENT ? 1u << 4 : 1u << (unsigned)(st))

typedef struct fl_scenario_expect {
    int line, col;
    fl_scenario_expect_kind kind;
    fl_scenario_child_decl *child;       /* COUNT/STATE; EVENT: optional (NULL = any).
                              EVENT with a nested supervisor's id: child is
                              its FL_SCENARIO_CHILD_SUP, and an event matches when
                              ev.child OR ev.sup is that name (so both its
                              own INTENSITY_EXCEEDED/SHUTDOWN and its parent's
                              ESCALATED/RESTARTED about it count) */
    fl_scenario_sup_decl *sup;      /* EVENT: set instead of child when ID names the
                              root supervisor (matches ev.sup) */
    fl_scenario_sup_decl *in;  /* STATE, CHILD_COUNT, CHILDREN: the supervisor
                              asked, `sup=PATH` right after the expectation
                              word (a nested one), or NULL: the root */
    fl_scenario_counter counter;    /* COUNT */
    fl_scenario_cmp cmp;            /* COUNT */
    uint32_t n;            /* COUNT */
    int exit_reason;       /* EXIT: sv_exit, or -1 for `none` */
    fl_scenario_state state;        /* STATE: the first state written; checked at at_ns,
                              or at the end of the run (before the runner's
                              final stop) when at_ns < 0 (also CHILD_COUNT,
                              CHILDREN) */
    unsigned states;       /* STATE: every state written (FL_SCENARIO_STATE_BIT) */
    int64_t at_ns;
    int64_t counts[4];     /* CHILD_COUNT: specs, active, supervisors, workers; -1 unchecked */
    fl_scenario_child_decl **list; /* CHILDREN (root children), ORDER: the ids in order */
    unsigned *list_states; /* CHILDREN: per entry, its allowed states (bits) */
    size_t nlist;
    bool stop_order;       /* ORDER: `stop` */
    int err;               /* REFUSED: the negative errno */
    bool negate;           /* LOG: `lacks`; EVENT: `no event` */
    char *text;            /* LOG: the substring; FAIL: the invariant name */
    sv_event_kind event;   /* EVENT */
    bool has_reason;       /* EVENT: `reason=R` given … */
    int reason;            /* … the sv_exit the event must carry */
} fl_scenario_expect;

/* Invariant names accepted by `expect fail` (the oracle's vocabulary). */
#define FL_SCENARIO_INVARIANT_NAMES \
    "crash_logged_once", "joined_before_restart", "restart_policy", "strategy_set", \
    "intensity_shutdown", "no_lost_report", "no_leaked_thread", "shutdown_completes", \
    "event_order", "children_view", "expectation"

/* ---- run parameters ------------------------------------------------------------ */

/* The scheduling strategy is sched/fl_sched.h's fl_sched_strategy; a scenario
 * may name FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT or FL_SCHED_STRAT_RR. */

/* Bits of fl_scenario_run.set: which keys the scenario's `run` line gave (so that CLI
 * flags can tell a default from a scenario's choice). */
#define FL_SCENARIO_RUN_SEEDS    0x01u
#define FL_SCENARIO_RUN_SEED     0x02u
#define FL_SCENARIO_RUN_STRATEGY 0x04u
#define FL_SCENARIO_RUN_DEPTH    0x08u
#define FL_SCENARIO_RUN_BUDGET   0x10u
/* Default step budget per run. The suite's longest run takes under 5,000
 * steps; 50,000 leaves ten times that, and a livelock or lost wake-up in
 * libsv then ends a run in about 0.2 s instead of 0.8 s (the runner also
 * stops a case at its first run that ended in budget or deadlock). A
 * scenario with a large tree raises it with `run budget=N`. */
#define FL_SCENARIO_DEFAULT_BUDGET 50000u
#define FL_SCENARIO_RUN_DURATION 0x20u
#define FL_SCENARIO_RUN_SWARM    0x40u
#define FL_SCENARIO_RUN_TIMERS   0x80u

typedef struct fl_scenario_run {
    uint32_t seeds;        /* runs per scenario; default 100 */
    uint64_t seed;         /* first seed; runs use seed, seed+1, …; default 1 */
    fl_sched_strategy strategy; /* default FL_SCHED_STRAT_RANDOM */
    uint32_t depth;        /* pct bug depth; default 3 */
    uint64_t budget;       /* scheduling-step budget per run; default
                              FL_SCENARIO_DEFAULT_BUDGET */
    int64_t duration_ns;   /* virtual run length; default 2 s */
    bool swarm;            /* default off */
    uint32_t timer_ppm;    /* `timers=P%`: random and pct runs let a sleeper's
                              timer fire before the other threads block, with
                              this chance per step (fl_sched_opts.timer_ppm);
                              default 0: never */
    unsigned set;          /* FL_RUN_* bits */
} fl_scenario_run;

/* ---- the scenario ---------------------------------------------------------------- */

typedef struct fl_scenario {
    char *path;            /* file path, or the name given to parse_str */
    char *title;           /* `scenario "…"`; default: path */
    fl_scenario_run run;
    fl_scenario_sup_decl *root;     /* never NULL in a parsed scenario */
    fl_scenario_fault *faults;      size_t nfaults;
    fl_scenario_fp_decl *failpoints; size_t nfailpoints;
    fl_scenario_race *races;        size_t nraces;
    fl_scenario_action *actions;    size_t nactions;  /* sorted by at_ns, stable */
    fl_scenario_expect *expects;    size_t nexpects;  /* in file order */
    const char *expect_fail; /* invariant of the `expect fail` line, or NULL;
                                points into expects[] */
    int expect_refused;      /* the error of an `expect refused` line, or 0 */
} fl_scenario;

/* Parse the scenario file at path. On success returns 0 and *out (free with
 * fl_scenario_free). Fails with -EINVAL (syntax or semantic error: diag says
 * where and what was expected), -ENOENT/-EACCES/-EISDIR/... (cannot read:
 * diag "path: strerror"), -EFBIG (over 1 MiB), -ENOMEM. *out is untouched on
 * failure; diag may be NULL. */
int fl_scenario_parse_file(const char *path, fl_scenario **out, fl_lex_diag *diag);

/* Same, from memory: text[0..len) (need not be NUL-terminated, may contain
 * NUL bytes, which are errors); name is what diagnostics and s->path say. */
int fl_scenario_parse_str(const char *name, const char *text, size_t len,
                          fl_scenario **out, fl_lex_diag *diag);

/* libsv's limits a scenario must respect to run (checked by the parser,
 * file:line:col diagnostics): supervisors nested at most this deep under
 * the root (sv.h: "nesting deeper than 16" is refused; allowed with
 * `expect refused`), and at most this many children in the tree (each runs
 * on a thread; the controlled scheduler runs FL_SCHED_MAX_THREADS per run,
 * main and the root's thread included). */
#define FL_SCENARIO_MAX_NESTING 16
#define FL_SCENARIO_MAX_CHILDREN (FL_SCHED_MAX_THREADS - 2)

/* The name of an errno that admin results and `expect refused` accept
 * ("EINVAL"), or NULL; err is negative or positive. */
const char *fl_scenario_errno_name(int err);

/* Free a scenario and everything it owns. s may be NULL. */
void fl_scenario_free(fl_scenario *s);

/* Look a node up by name: a child anywhere in the tree / a supervisor
 * (root or nested). NULL if none. */
fl_scenario_child_decl *fl_scenario_child(const fl_scenario *s, const char *id);
fl_scenario_sup_decl *fl_scenario_sup(const fl_scenario *s, const char *name);

/* Names for messages and reports; never NULL ("?" if out of range). */
const char *fl_scenario_counter_name(fl_scenario_counter c);
/* The path of sup from the root, as sv_sup_lookup takes it: the names of
 * the nested supervisors below the root joined by '/' ("inner/leaf"); ""
 * for the root (or NULL). Truncated to cap (always NUL-terminated); returns
 * the untruncated length. */
size_t fl_scenario_sup_path(const fl_scenario_sup_decl *sup, char *buf, size_t cap);
const char *fl_scenario_cmp_name(fl_scenario_cmp c);
const char *fl_scenario_state_name(fl_scenario_state st);
const char *fl_scenario_action_name(fl_scenario_action_kind k);
const char *fl_scenario_strategy_name(fl_sched_strategy k);

#ifdef __cplusplus
}
#endif
#endif
