/*
 * runtime.h — private to libsv's runtime (runtime.c: supervisor lifecycle,
 * loop and events; worker.c: incarnations and the trampoline; admin.c:
 * admin requests; spec.c: spec copies).
 *
 * Threads and what runs where:
 *  - A root supervisor runs its loop on its own thread ("sv:NAME"), created
 *    by sv_sup_start. A nested supervisor runs its loop on the thread of the
 *    child incarnation that holds it ("sv:ID"). Core steps, starts (init
 *    hooks, "sv.start"), stops, joins, LOG, the log sink and most events run
 *    on a supervisor's loop thread.
 *  - A worker incarnation runs the trampoline on its own thread ("sv:ID");
 *    it emits CRASH/EXIT (and ESCALATED for a nested supervisor that ended
 *    on its own) and pushes its report.
 *
 * Lock order: sup->req_lock and sup->own_lock are never held while taking
 * another lock. tree->lock is innermost: held only to number and deliver an
 * event (user hooks run under it) and, on a worker, to emit + push its report
 * atomically with respect to the supervisor closing its queue.
 *
 * Lifetimes (reference counts, whoever drops the last frees):
 *  - sv__tree: one reference per supervisor of the tree.
 *  - sv_sup: one for its holder (the user handle of a root; the incarnation
 *    running a nested one), one per child incarnation alive, and one per
 *    handle that sv_sup_child gave out (taken on the parent's loop thread
 *    while the holding incarnation is listed, so never from zero).
 *  - sv_worker (one incarnation): three references — SUP (the supervisor,
 *    until it joined or abandoned the thread), THREAD (the thread, until its
 *    last access), QUEUE (the report, until popped; dropped by the thread
 *    itself when it did not push). So a report stays valid until popped and
 *    the thread joined or abandoned, and an abandoned thread that ends late
 *    touches only memory it still holds a reference to.
 */
#ifndef SV_RUNTIME_H
#define SV_RUNTIME_H

#include "core.h"
#include "crash.h"
#include "hmap.h"
#include "queue.h"
#include "sv.h"
#include "sv_plat.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV__MAX_DEPTH 16 /* nesting limit of supervisor specs */

/* ---- spec copies (spec.c) ------------------------------------------------- */

typedef struct sv__sspec sv__sspec;

typedef struct sv__cspec {
    sv_core_child c; /* id, restart, shutdown, shutdown_ms, significant, is_sup */
    sv_worker_fn fn;
    void *arg;
    sv_init_fn init;
    sv__sspec *sup; /* owned deep copy, or NULL */
} sv__cspec;

struct sv__sspec {
    char name[SV_ID_MAX];
    sv_core_cfg cfg;
    uint32_t flags;
    sv_log_fn log; /* as given (NULL: inherit) */
    void *log_ud;
    sv_event_fn on_event;
    void *event_ud;
    size_t n;
    sv__cspec ch[]; /* start order */
};

/* Validate and deep-copy a user spec. 0, -EINVAL, -ENOMEM. */
int sv__sspec_from_user(const sv_sup_spec *u, int depth, sv__sspec **out);
int sv__cspec_from_user(const sv_child_spec *u, int depth, sv__cspec *out);
int sv__sspec_dup(const sv__sspec *src, sv__sspec **out);
void sv__sspec_free(sv__sspec *s);  /* s may be NULL */
void sv__cspec_clear(sv__cspec *c); /* frees c->sup */
/* True if spec or a nested one asks for SV_SUP_CATCH_SIGNALS. */
bool sv__sspec_catches(const sv__sspec *s);

/* ---- the tree, supervisors, incarnations --------------------------------- */

typedef struct sv__tree {
    sv_mutex lock;  /* the event lock */
    uint64_t seq;   /* under lock */
    bool closed;    /* under lock: the root ended; no event is delivered after */
    _Atomic uint32_t refs;
} sv__tree;

typedef struct sv__slot {
    const sv__cspec *spec; /* borrowed from sup->spec (static children and
                              instances: the template), or &own */
    sv__cspec own;         /* dynamic children (start_child) */
    bool owned;
    uint32_t no;           /* the core's slot number (key in sup->slots) */
    void *arg;             /* passed to fn and init: spec->arg, or the instance's */
    sv_worker *live; /* incarnations started and not yet joined/abandoned */
} sv__slot;

/* Stop word of an incarnation. */
enum { SV__RUN = 0, SV__SLEEP = 1, SV__STOP = 2 };

struct sv_worker {
    sv_report rep;       /* the exit report's storage */
    sv__crash_ctx crash; /* unwind point, used on the worker's thread only */
    _Atomic uint32_t stop;  /* SV__RUN / SV__SLEEP / SV__STOP */
    _Atomic uint32_t ack;   /* 1: STARTED emitted; 2: the worker waits for it */
    _Atomic uint32_t ended; /* the body is over (set before the report) */
    _Atomic uint32_t refs;  /* SUP + THREAD + QUEUE, see above */
    sv_sup *sup;            /* holds a reference */
    sv_sup *nested;         /* the nested supervisor it runs (holds it), or NULL */
    sv_worker_fn fn;
    void *arg;
    uint32_t slot, inc;
    uint32_t inst;          /* instance number (simple_one_for_one), else 0 */
    sv_thread *thread;
    sv_worker *next; /* slot's live list; supervisor thread only */
    char id[SV_ID_MAX];
};

typedef struct sv__req sv__req;

struct sv_sup {
    _Atomic uint32_t refs;
    sv__tree *tree;
    sv__sspec *spec; /* owned */
    const char *name;
    sv_sup *parent;  /* nested: the parent (alive while this runs) */
    sv_event_fn on_event; /* resolved (inherited) hooks */
    void *event_ud;
    sv_log_fn log;
    void *log_ud;
    bool catch_signals;

    /* supervisor thread only */
    sv_core *core;
    sv_queue *q;
    sv__hmap slots;   /* hash(slot number) -> sv__slot *, owned */
    sv_worker *cur;   /* the report being handled (its LOG action) */
    sv__slot *pending;    /* start_child: slot to bind to the core's new child */
    size_t pending_n0;    /* sv_core_nchildren before that request */
    bool pending_bound;   /* the core took it (the slot table owns it now) */
    uint32_t pending_no;  /* its slot number, once bound */
    bool shutdown_fed;
    bool closed;      /* under tree->lock: no more reports pushed */

    /* requests from other threads */
    _Atomic uint32_t stop_req;
    _Atomic uint32_t req_pending;
    sv_mutex req_lock;
    sv_cond req_cond;
    sv__req *req_head, *req_tail; /* under req_lock */
    bool req_closed;              /* under req_lock */

    /* results */
    _Atomic uint32_t init_state; /* 0 pending, 1 ok, 2 failed (init_err) */
    int init_err;
    _Atomic uint32_t done;       /* 1: the loop ended (exit_reason) */
    int exit_reason;

    /* root only */
    sv_thread *thread;
    sv_mutex own_lock;
    bool joined; /* under own_lock */
};

/* runtime.c */
int sv__sup_new(sv__sspec *spec, sv__tree *tree, sv_sup *parent, sv_sup **out); /* takes spec */
void sv__sup_put(sv_sup *s);
void sv__sup_run(sv_sup *s); /* the loop; returns when it exited */
/* Emit one event (inst: the instance number, 0 for static children and
 * supervisor-level events). */
void sv__ev_emit(sv_sup *s, sv_event_kind k, const char *child, uint32_t inc, uint32_t inst, int reason, int err,
                 int64_t detail_ns, const char *msg, const char *bt);
/* Same, tree->lock held by the caller. */
void sv__ev_emit_locked(sv_sup *s, sv_event_kind k, const char *child, uint32_t inc, uint32_t inst, int reason,
                        int err, int64_t detail_ns, const char *msg, const char *bt);
/* The instance number of a slot: slot + 1 under simple_one_for_one, else 0. */
static inline uint32_t sv__inst(const sv_sup *s, uint32_t slot) { return s->spec->cfg.simple ? slot + 1 : 0; }
/* > 0 while the calling thread runs user code that libsv called with a
 * supervisor's locks held or on a supervisor's thread (event hook, log sink,
 * init hook, a supervisor loop): admin calls there are refused (-EDEADLK). */
extern _Thread_local unsigned sv__hook_depth;
void sv__feed(sv_sup *s, const sv_core_in *in, int *reply);
void sv__wait_word(_Atomic uint32_t *w, uint32_t while_eq);
sv__slot *sv__slot_get(sv_sup *s, uint32_t slot); /* NULL: no such slot */
int sv__slots_reserve(sv_sup *s, size_t n);       /* room for n more: 0, -ENOMEM */
void sv__slot_put(sv_sup *s, sv__slot *sl);       /* room reserved; key sl->no */

/* worker.c */
/* START action: 0 or err; *ignored when the init hook said SV_IGNORE. */
int sv__inc_start(sv_sup *s, uint32_t slot, uint32_t inc, bool *ignored);
bool sv__inc_stop(sv_sup *s, uint32_t slot, uint32_t inc);  /* STOP action: unstopped */
void sv__worker_put(sv_worker *w);
/* Release every incarnation still listed in a slot (abandon). */
void sv__slot_abandon_all(sv_sup *s, sv__slot *sl);

/* admin.c */
void sv__admin_serve(sv_sup *s);
void sv__admin_close(sv_sup *s);

#endif
