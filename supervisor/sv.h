/*
 * sv.h — libsv, an Erlang/OTP-style supervisor for worker threads.
 *
 * A supervisor owns an ordered list of children. Each child is a worker
 * function run on its own thread (or a nested supervisor). When a worker
 * crashes — sv_panic(), a non-zero return, or (opt-in) a synchronous signal —
 * its incarnation pushes a crash report onto the supervisor's queue instead
 * of dying silently. The supervisor logs the report, stops and joins the dead
 * incarnation (bounded by the child's shutdown setting), and starts a
 * replacement, following the restart strategy, the child's restart type and
 * the restart-intensity limit. Semantics are OTP's supervisor's wherever OTP
 * has one.
 *
 * Conventions: functions return 0 or a negative errno. Strings passed in are
 * copied unless a comment says otherwise. Handles are opaque.
 *
 * Minimal program:
 *
 *     static int work(sv_worker *w, void *arg) {
 *         while (!sv_worker_stopping(w)) {
 *             if (do_one_thing(arg) < 0) sv_panic("lost the device: %d", errno);
 *             sv_worker_sleep(w, 100);       // wakes early on stop
 *         }
 *         return 0;                           // normal exit
 *     }
 *
 *     sv_child_spec c; sv_child_spec_init(&c, "poller", work, NULL);
 *     sv_sup_spec s;   sv_sup_spec_init(&s, "root");
 *     s.children = &c; s.nchildren = 1;
 *     sv_sup *sup;
 *     if (sv_sup_start(&s, &sup) == 0) { ...; sv_sup_free(sup); }
 */
#ifndef SV_H
#define SV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SV_VERSION "0.1.0"

/* ---- handles ----------------------------------------------------------- */

typedef struct sv_sup sv_sup;       /* a running supervisor */
typedef struct sv_worker sv_worker; /* one incarnation of a worker child */
typedef struct sv_queue sv_queue;   /* the crash-report queue */

/* ---- error codes (negative errno values, returned as -SV_E...) ---------- */
/* The admin error matrix of OTP's supervisor, mapped onto errno values.     */
#define SV_EALREADY_STARTED 114 /* EALREADY: start_child of a running id   */
#define SV_EALREADY_PRESENT 17  /* EEXIST: start_child of a stopped id     */
#define SV_ERUNNING 16          /* EBUSY: delete/restart of a running child */
#define SV_ERESTARTING 115      /* EINPROGRESS: child is being restarted   */
#define SV_ENOT_FOUND 2         /* ENOENT: no child with that id           */
#define SV_ESHUTDOWN 108        /* ESHUTDOWN: supervisor is not running    */
/* Besides: -EOPNOTSUPP for a request that does not fit the supervisor's kind
 * (by-id requests to a simple_one_for_one supervisor, instance requests to
 * another: OTP's {error, simple_one_for_one}), and -EDEADLK for an admin or
 * lifecycle call made from a hook (event hook, log sink, init hook), which
 * would otherwise wait for the thread it runs on. */

/* ---- specs -------------------------------------------------------------- */

typedef enum sv_strategy {
    SV_ONE_FOR_ONE = 0, /* restart only the child that exited */
    SV_ONE_FOR_ALL,     /* stop all (reverse order), restart all (in order) */
    SV_REST_FOR_ONE,    /* stop the child and those started after it */
    SV_SIMPLE_ONE_FOR_ONE, /* dynamic: the spec holds exactly one child, a
                              template; sv_start_instance starts instances of
                              it (each with its own arg), restarted one_for_one;
                              instances are addressed by instance number */
} sv_strategy;

typedef enum sv_restart {
    SV_PERMANENT = 0, /* always restarted */
    SV_TRANSIENT,     /* restarted only after an abnormal exit */
    SV_TEMPORARY,     /* never restarted; removed from the supervisor when it ends */
} sv_restart;

typedef enum sv_shutdown {
    SV_SHUTDOWN_TIMEOUT = 0, /* ask to stop, wait shutdown_ms, then give up */
    SV_SHUTDOWN_BRUTAL,      /* ask to stop, do not wait (join only if already done) */
    SV_SHUTDOWN_INFINITY,    /* ask to stop, wait forever (OTP default for supervisors) */
} sv_shutdown;

typedef enum sv_auto_shutdown {
    SV_AUTO_NEVER = 0,
    SV_AUTO_ANY_SIGNIFICANT, /* shut down when any significant child ends */
    SV_AUTO_ALL_SIGNIFICANT, /* shut down when all significant children ended */
} sv_auto_shutdown;

/* Why an incarnation (or a supervisor) ended. */
typedef enum sv_exit {
    SV_EXIT_NORMAL = 0, /* worker returned 0 */
    SV_EXIT_SHUTDOWN,   /* returned SV_RET_SHUTDOWN, stopped on request, or a
                           nested supervisor exited (intensity, auto_shutdown) */
    SV_EXIT_PANIC,      /* sv_panic() */
    SV_EXIT_ERROR,      /* returned another non-zero value */
    SV_EXIT_SIGNAL,     /* synchronous signal caught (SV_SUP_CATCH_SIGNALS) */
    SV_EXIT_KILLED,     /* did not stop within its shutdown: reported unstopped */
    SV_EXIT_THREAD_EXIT,/* the worker's thread ended inside the body through
                           pthread_exit() or cancellation (pthread_cancel);
                           a crash like any other (needs a binding that can
                           tell, see sv_plat_ops.thread_killed: POSIX can) */
} sv_exit;

/* A worker may return this to end with reason shutdown (normal for transient). */
#define SV_RET_SHUTDOWN (-108)

/* Worker body. Runs on its own thread; returns 0 (normal), SV_RET_SHUTDOWN,
 * or anything else (a crash with reason SV_EXIT_ERROR). */
typedef int (*sv_worker_fn)(sv_worker *w, void *arg);

/* Optional "recreate" hook, run on the supervisor thread before each start
 * of the child (incarnation = 1, 2, ...). Non-zero = the start failed: the
 * supervisor counts it toward intensity and retries later without blocking
 * stop or admin requests. SV_IGNORE = OTP's `ignore`: the child is not
 * started, and that is neither a crash nor a failure (nothing is counted or
 * retried; event start_ignored). A static child keeps its spec and shows
 * SV_CHILD_STOPPED; an instance is removed. The hook must not call libsv's
 * admin or lifecycle functions (they fail with -EDEADLK). */
typedef int (*sv_init_fn)(void *arg, uint32_t incarnation);

/* The init hook's "ignore" answer (outside the errno range). */
#define SV_IGNORE (-0x10000)

struct sv_sup_spec;

typedef struct sv_child_spec {
    const char *id;          /* unique within its supervisor (max 63 bytes); copied */
    sv_worker_fn fn;         /* worker body, or NULL when sup != NULL */
    void *arg;               /* passed to fn and init; not owned */
    sv_init_fn init;         /* optional, see sv_init_fn */
    sv_restart restart;      /* default SV_PERMANENT */
    sv_shutdown shutdown;    /* default SV_SHUTDOWN_TIMEOUT (SV_SHUTDOWN_INFINITY for sup) */
    uint32_t shutdown_ms;    /* with SV_SHUTDOWN_TIMEOUT; default 5000 */
    bool significant;        /* counts for auto_shutdown; transient/temporary only */
    const struct sv_sup_spec *sup; /* non-NULL: child is a nested supervisor
                                      (deep-copied at start) */
} sv_child_spec;

/* ---- events: the one vocabulary of the trace ----------------------------- */

typedef enum sv_event_kind {
    SV_EV_SUP_START = 0,     /* supervisor starting                               */
    SV_EV_START,             /* supervisor starts child incarnation n             */
    SV_EV_STARTED,           /* incarnation n running (thread created, init ok)  */
    SV_EV_START_FAILED,      /* start of incarnation n failed (err, message)     */
    SV_EV_CRASH,             /* worker side: crashed, report pushed (reason, msg, bt) */
    SV_EV_EXIT,              /* worker side: ended without crash (normal/shutdown) */
    SV_EV_LOGGED,            /* supervisor side: crash report popped and logged  */
    SV_EV_STOP_REQUESTED,    /* supervisor asked incarnation n to stop            */
    SV_EV_JOINED,            /* incarnation n's thread joined                    */
    SV_EV_UNSTOPPED,         /* incarnation n did not stop within its shutdown   */
    SV_EV_RESTART,           /* decision: child will be restarted (reason = why)  */
    SV_EV_BACKOFF,           /* restart delayed; detail_ns = delay               */
    SV_EV_RESTARTED,         /* replacement incarnation n running                */
    SV_EV_CHILD_REMOVED,     /* temporary child ended / child deleted            */
    SV_EV_CHILD_TERMINATED,  /* terminate_child: child stopped, spec kept        */
    SV_EV_INTENSITY_EXCEEDED,/* more than MaxR restarts in MaxT                  */
    SV_EV_AUTO_SHUTDOWN,     /* significant child ended, auto_shutdown applies   */
    SV_EV_SHUTDOWN,          /* supervisor exited (reason)                       */
    SV_EV_ESCALATED,         /* nested supervisor's exit reported to its parent  */
    SV_EV_START_IGNORED,     /* incarnation n's init hook said SV_IGNORE: not
                                running, no crash, no restart (follows START) */
    SV_EV__COUNT
} sv_event_kind;

/* One event. Delivered to the event hook in seq order, one at a time (the
 * tree's event lock is held); pointers are valid only during the call.
 * Trace protocol for instances (simple_one_for_one): `child` is the
 * template's id and `instance` (>= 1) names the instance; incarnations count
 * per instance, from 1. Everything said per child holds per (child,
 * instance). `instance` is 0 for static children and supervisor events. */
typedef struct sv_event {
    uint64_t seq;            /* 1, 2, ... per supervisor tree               */
    int64_t time_ns;         /* platform clock (virtual under faultline)     */
    sv_event_kind kind;
    const char *sup;         /* name of the supervisor this is about         */
    const char *child;       /* child id, or NULL for supervisor-level events */
    uint32_t incarnation;    /* 1-based start attempt number; 0 if none      */
    int reason;              /* sv_exit, where the kind has one              */
    int err;                 /* negative errno for *_FAILED, else 0           */
    int64_t detail_ns;       /* BACKOFF delay; else 0                        */
    const char *message;     /* crash/exit message, or NULL                  */
    const char *backtrace;   /* CRASH and LOGGED: backtrace text, or NULL    */
    uint32_t instance;       /* instance number (simple_one_for_one), else 0 */
} sv_event;

typedef void (*sv_event_fn)(void *ud, const sv_event *ev);

/* Log sink: receives every event worth a log line (crash logged, restarts,
 * start failures, unstopped, intensity, shutdown) with a formatted line
 * (no trailing newline). Default: the line on stderr. */
typedef void (*sv_log_fn)(void *ud, const sv_event *ev, const char *line);

/* Name of an event kind ("crash", "joined", ...) / exit reason ("normal",
 * "panic", ...); never NULL, "?" for unknown values. */
const char *sv_event_kind_name(int kind);
/* Whether an event of this kind carries a meaningful `reason`. */
bool sv_event_has_reason(int kind);
const char *sv_exit_name(int reason);

/* Formats ev as the default one-line log format into buf (always NUL-
 * terminated, truncated to cap). Returns the untruncated length. */
size_t sv_event_format(const sv_event *ev, char *buf, size_t cap);

/* ---- supervisor spec ------------------------------------------------------- */

#define SV_SUP_CATCH_SIGNALS 0x1u /* catch SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT
                                     raised in a worker, on an alternate stack */

typedef struct sv_sup_spec {
    const char *name;              /* copied; default "sup" */
    sv_strategy strategy;          /* default SV_ONE_FOR_ONE */
    uint32_t intensity;            /* MaxR, default 1 (0 = never restart) */
    uint32_t period_ms;            /* MaxT, default 5000; 0 is refused (-EINVAL) */
    uint32_t backoff_min_ms;       /* 0 = no backoff (default) */
    uint32_t backoff_max_ms;       /* cap of the exponential delay */
    uint32_t backoff_jitter_pct;   /* 0..100: delay drawn in [d*(1-j), d] */
    uint64_t seed;                 /* jitter PRNG seed */
    sv_auto_shutdown auto_shutdown;
    uint32_t flags;                /* SV_SUP_* */
    const sv_child_spec *children; /* started in this order; copied.
                                      simple_one_for_one: exactly one, the template */
    size_t nchildren;
    sv_log_fn log;                 /* NULL: default stderr sink; inherited by nested */
    void *log_ud;
    sv_event_fn on_event;          /* NULL: none; inherited by nested sups */
    void *event_ud;
} sv_sup_spec;

/* Fill a spec with defaults. Never fails. */
void sv_sup_spec_init(sv_sup_spec *s, const char *name);
/* Fill a child spec with defaults (permanent, timeout 5000 ms). Never fails. */
void sv_child_spec_init(sv_child_spec *c, const char *id, sv_worker_fn fn, void *arg);

/* A log sink that discards everything (for tests and quiet programs). */
void sv_log_discard(void *ud, const sv_event *ev, const char *line);

/* ---- lifecycle ------------------------------------------------------------ */

/* Start a supervisor thread and its children in order. On success *out owns
 * the supervisor (free with sv_sup_free). Fails with -EINVAL (bad spec:
 * duplicate or empty id, fn and sup both/neither set, period_ms 0, nesting
 * deeper than 16, simple_one_for_one without exactly one child), -ENOMEM, -EAGAIN
 * (thread creation), or the error of a child whose first start failed (as in
 * OTP, then already started children are stopped in reverse order). */
int sv_sup_start(const sv_sup_spec *spec, sv_sup **out);

/* Ask the supervisor to stop: children stopped in reverse start order, each
 * bounded by its shutdown; then wait for it to exit. Idempotent. Returns 0,
 * -EDEADLK (nothing done) when called from a hook, or -EINVAL on a nested
 * supervisor's handle (sv_sup_child). */
int sv_sup_stop(sv_sup *s);

/* Wait until the supervisor exits on its own (intensity exceeded,
 * auto_shutdown) or was stopped; timeout_ms < 0 waits forever. 0 and
 * *reason = sv_exit, -ETIMEDOUT, or -EDEADLK from a hook. */
int sv_sup_wait(sv_sup *s, int64_t timeout_ms, int *reason);

/* Stop (if running) and free. s may be NULL. On a nested supervisor's
 * handle (sv_sup_child): the same as sv_sup_release. Must not be called from a hook
 * (it would wait for itself): there it prints a diagnostic and does nothing. */
void sv_sup_free(sv_sup *s);

/* ---- admin (OTP supervisor API); all serialised through the supervisor
 * thread, safe from any thread except the supervisor's own workers' stop path.
 * Each fails with -SV_ESHUTDOWN once the supervisor has exited. ------------- */

int sv_start_child(sv_sup *s, const sv_child_spec *spec); /* -SV_EALREADY_STARTED, -SV_EALREADY_PRESENT, start error */
int sv_terminate_child(sv_sup *s, const char *id);        /* -SV_ENOT_FOUND; temporary: spec removed */
int sv_restart_child(sv_sup *s, const char *id);          /* -SV_ERUNNING, -SV_ERESTARTING, -SV_ENOT_FOUND */
int sv_delete_child(sv_sup *s, const char *id);           /* -SV_ERUNNING, -SV_ERESTARTING, -SV_ENOT_FOUND */
/* Each of the four above: -EOPNOTSUPP on a simple_one_for_one supervisor;
 * -EDEADLK from a hook. */

/* simple_one_for_one (OTP's start_child(Sup, ExtraArgs)): start a new
 * instance of the template, whose fn and init get `arg` (not owned; must
 * outlive the instance) instead of the template's. 0 and *instance (>= 1,
 * never reused by this supervisor), or *instance = 0 when the init hook said
 * SV_IGNORE (nothing is kept). Fails with -EOPNOTSUPP (not simple_one_for_one),
 * -ENOSPC (2^32 - 1 instances were started over the supervisor's life),
 * -ENOMEM, the start error of its first incarnation (nothing kept),
 * -SV_ESHUTDOWN, -EDEADLK. instance may be NULL. */
int sv_start_instance(sv_sup *s, void *arg, uint32_t *instance);
/* Stop an instance (bounded by the template's shutdown) and remove it, as
 * OTP's terminate_child(Sup, Pid). 0, -SV_ENOT_FOUND (no such instance, or
 * it already ended for good), -EOPNOTSUPP, -SV_ESHUTDOWN, -EDEADLK. */
int sv_terminate_instance(sv_sup *s, uint32_t instance);

typedef enum sv_child_state {
    SV_CHILD_RUNNING = 0,
    SV_CHILD_RESTARTING, /* a (re)start failed or is delayed by backoff */
    SV_CHILD_STOPPED,    /* terminated (spec kept) */
    SV_CHILD_UNSTOPPED,  /* last incarnation abandoned, replacement pending */
} sv_child_state;

typedef struct sv_child_info {
    char id[64];             /* instances: the template's id */
    sv_child_state state;
    uint32_t incarnation;
    bool is_supervisor;
    sv_restart restart;
    uint32_t instance;       /* instance number (simple_one_for_one), else 0 */
} sv_child_info;

typedef struct sv_child_counts {
    size_t specs, active, supervisors, workers;
} sv_child_counts;

/* Copy up to cap children (or instances), in start order, into out; *n =
 * number of children (may exceed cap). -EINVAL, -SV_ESHUTDOWN, -EDEADLK. */
int sv_which_children(sv_sup *s, sv_child_info *out, size_t cap, size_t *n);
/* OTP's count_children: specs (1 for simple_one_for_one: the template),
 * active (running), supervisors and workers (children or instances of each
 * type). -EINVAL, -SV_ESHUTDOWN, -EDEADLK. */
int sv_count_children(sv_sup *s, sv_child_counts *out);

/* ---- nested supervisors -----------------------------------------------------
 * OTP addresses a nested supervisor by the pid which_children shows for it;
 * libsv hands out a counted reference to one incarnation of it instead.
 * Every admin function above (and sv_sup_wait) works on such a handle
 * exactly as on a root: calls are marshalled to the nested supervisor's own
 * loop thread, so they are as safe from any thread.
 *
 * Lifetime: the handle names the incarnation that ran when it was looked
 * up. When that incarnation ends (its parent terminated or restarted it,
 * its intensity was exceeded, the tree stopped), every call on the handle
 * fails with -SV_ESHUTDOWN; it never reaches the replacement (OTP: a call
 * to a dead pid). Look the supervisor up again to reach the replacement.
 * The memory stays valid until sv_sup_release, whatever the tree does
 * (release may come after sv_sup_free of the root). sv_sup_stop on it
 * fails with -EINVAL (its parent owns its life: sv_terminate_child);
 * sv_sup_free on it is sv_sup_release. */

/* A new reference to the nested supervisor that the child `id` of parent
 * runs now. 0 and *out (release with sv_sup_release); -SV_ENOT_FOUND (no
 * child with that id), -ENOTDIR (the child is a worker), -SV_ERESTARTING
 * (the child is restarting or unstopped: no incarnation runs),
 * -ESRCH (the child is terminated, or its start said SV_IGNORE),
 * -EOPNOTSUPP (parent is simple_one_for_one), -EINVAL, -SV_ESHUTDOWN
 * (parent has exited), -EDEADLK (from a hook). The nested supervisor may
 * already be exiting on its own: calls on it then fail with -SV_ESHUTDOWN. */
int sv_sup_child(sv_sup *parent, const char *id, sv_sup **out);
/* The same along a path of child ids from root, "a/b": a is a nested
 * supervisor of root, b one of a. Each step is one sv_sup_child (the path
 * is resolved now, step by step; a step's error is returned as is), so the
 * answer describes the incarnations running at lookup time. -EINVAL for an
 * empty path or segment, or a segment of 64 bytes or more. */
int sv_sup_lookup(sv_sup *root, const char *path, sv_sup **out);
/* Drop a reference from sv_sup_child or sv_sup_lookup. s may be NULL.
 * Never blocks; never stops anything. */
void sv_sup_release(sv_sup *s);

/* ---- inside a worker ------------------------------------------------------ */

/* True once the supervisor asked this incarnation to stop. Never fails. */
bool sv_worker_stopping(const sv_worker *w);
/* Sleep up to ms; wakes early when asked to stop: 0 slept, -ECANCELED stop. */
int sv_worker_sleep(sv_worker *w, uint32_t ms);
/* The worker running on this thread, or NULL. */
sv_worker *sv_worker_self(void);
const char *sv_worker_id(const sv_worker *w);
uint32_t sv_worker_incarnation(const sv_worker *w);

/* Crash the calling worker: the message (formatted) and a backtrace go into
 * its crash report, and control unwinds to the worker trampoline (longjmp:
 * no cleanup handlers of the worker run). Called outside a worker: prints
 * and aborts. */
_Noreturn void sv_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void sv_vpanic(const char *fmt, va_list ap);

/* ---- the crash-report queue ------------------------------------------------ *
 * Many producers (crashing workers), one consumer (the supervisor).
 * Contract:
 *  - push never blocks, never allocates, never loses a report: it either
 *    links r (storage owned by the pusher — the incarnation — and which must
 *    stay valid until popped) and returns 0, or returns -EPIPE because the
 *    queue is closed, and the caller keeps r.
 *  - reports from one producer pop in push order (FIFO per producer); no
 *    report pops twice.
 *  - pop waits until a report is there or deadline_ns (platform clock,
 *    INT64_MAX = forever) passes: 0 and *out, or -ETIMEDOUT only when the
 *    queue was empty for the whole wait, or -EPIPE when closed and drained.
 *  - close: later pushes fail with -EPIPE; reports pushed before close
 *    still pop (close drains). Idempotent.
 */
#define SV_MSG_MAX 256
#define SV_BT_MAX 2048

typedef struct sv_report {
    struct sv_report *_Atomic sv__next; /* private link */
    const char *child;      /* id; storage owned by the incarnation */
    uint32_t incarnation;
    int reason;             /* sv_exit */
    int64_t time_ns;
    char message[SV_MSG_MAX];
    char backtrace[SV_BT_MAX];
    void *owner;            /* private to the pusher */
} sv_report;

int sv_queue_new(sv_queue **out);             /* -ENOMEM */
void sv_queue_free(sv_queue *q);              /* q may be NULL; must be empty or closed */
int sv_queue_push(sv_queue *q, sv_report *r); /* 0 or -EPIPE */
int sv_queue_pop(sv_queue *q, int64_t deadline_ns, sv_report **out);
void sv_queue_close(sv_queue *q);

#ifdef __cplusplus
}
#endif
#endif
