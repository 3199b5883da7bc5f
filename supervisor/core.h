/*
 * core.h — the supervisor's pure state machine (private to libsv, but driven
 * directly by unit tests and fuzz targets).
 *
 * No threads, no clock reads, no I/O, no allocation in steady state (only
 * sv_core_new and admin start_child grow the child table, through the seam's
 * allocator). Input: one sv_core_in plus `now`. Output: a short list of
 * actions, which the runtime carries out in order.
 *
 * The step protocol — it keeps every decision here and the runtime trivial:
 *  - At most one action per step needs an answer: SV_ACT_START or SV_ACT_STOP.
 *    If present it is the last action, and the runtime must feed its result
 *    (SV_IN_START_RESULT / SV_IN_STOP_RESULT, same slot and incarnation) as
 *    the very next input. So multi-child operations (one_for_all: stop all in
 *    reverse, start all in order) unfold one child per step, and the core is
 *    "busy" until the sequence completes: sv_core_busy() says so, and the
 *    runtime feeds nothing else meanwhile.
 *  - When not busy, the runtime waits for the earliest of: an exit report
 *    (SV_IN_EXIT), an admin request, a shutdown request, or
 *    sv_core_next_deadline() — at which it feeds SV_IN_TIMER. Failed starts
 *    are retried from SV_IN_TIMER (deadline = now, or now + backoff), so a
 *    retry never blocks a stop or admin request that is already waiting.
 *  - SV_ACT_EXIT is the last action of the last step; after it every input is
 *    answered with SV_ACT_REPLY(-SV_ESHUTDOWN) and nothing else.
 *
 * Incarnations: every start attempt of a child gets the next incarnation
 * number (1, 2, ...), failed ones included. An SV_IN_EXIT for an incarnation
 * that is not the slot's current running one (it was already being stopped,
 * or is stale) is logged if abnormal and otherwise ignored.
 *
 * Slots: a child lives in a slot (index) from its creation to its deletion;
 * a slot number is never reused while the core lives. Start order is the
 * order of creation (initial children in spec order, then start_child).
 *
 * Instances (cfg.simple, OTP's simple_one_for_one): each SV_IN_START_CHILD
 * adds a child that copies the template, with instance
 * number slot + 1 (child = NULL; a spec is refused there, as every by-id
 * request, with -EOPNOTSUPP); instances are found only by SV_IN_TERMINATE_CHILD with in->instance.
 * They restart one_for_one; an instance that ends for good (temporary, a
 * transient's normal end, terminated, a start that said "ignore") is
 * removed, never kept stopped.
 *
 * Costs: lookup by id is a hash index (O(1) expected), by slot a binary
 * search; removal leaves a tombstone that the next idle step compacts once
 * tombstones outnumber live children (O(1) amortised per removal).
 */
#ifndef SV_CORE_H
#define SV_CORE_H

#include "sv.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sv_core sv_core;

#define SV_CORE_MAX_ACTIONS 16
#define SV_ID_MAX 64

typedef struct sv_core_cfg {
    sv_strategy strategy;
    uint32_t intensity; /* MaxR */
    uint32_t period_ms; /* MaxT */
    uint32_t backoff_min_ms, backoff_max_ms, backoff_jitter_pct;
    uint64_t seed;      /* jitter PRNG */
    sv_auto_shutdown auto_shutdown;
    bool simple;        /* simple_one_for_one: strategy must be one_for_one and
                           sv_core_new gets exactly one child, the template;
                           the table starts empty and every SV_IN_START_CHILD
                           adds an instance of the template (see below) */
} sv_core_cfg;

typedef struct sv_core_child {
    char id[SV_ID_MAX];
    sv_restart restart;
    sv_shutdown shutdown;
    uint32_t shutdown_ms;
    bool significant;
    bool is_sup;
} sv_core_child;

typedef enum sv_core_in_kind {
    SV_IN_INIT = 0,       /* start the initial children in order           */
    SV_IN_EXIT,           /* slot/inc ended with reason (from the queue)    */
    SV_IN_START_RESULT,   /* answer to SV_ACT_START: err 0 ok, <0 failed    */
    SV_IN_STOP_RESULT,    /* answer to SV_ACT_STOP: unstopped = gave up     */
    SV_IN_TIMER,          /* sv_core_next_deadline() reached                */
    SV_IN_SHUTDOWN,       /* stop the supervisor (owner or parent)          */
    SV_IN_START_CHILD,    /* admin; child = the spec (simple: NULL = instance) */
    SV_IN_TERMINATE_CHILD,/* admin; id                                      */
    SV_IN_RESTART_CHILD,  /* admin; id                                      */
    SV_IN_DELETE_CHILD,   /* admin; id                                      */
} sv_core_in_kind;

typedef struct sv_core_in {
    sv_core_in_kind kind;
    uint32_t slot;
    uint32_t incarnation;
    int reason;       /* SV_IN_EXIT: sv_exit */
    int err;          /* SV_IN_START_RESULT */
    bool unstopped;   /* SV_IN_STOP_RESULT */
    const sv_core_child *child; /* SV_IN_START_CHILD */
    const char *id;   /* TERMINATE/RESTART/DELETE */
    bool ignored;     /* SV_IN_START_RESULT: the start said "ignore" (err 0):
                         the child is not running, and that is no failure */
    uint32_t instance;/* SV_IN_TERMINATE_CHILD of an instance (simple): its
                         number; 0 = by id */
} sv_core_in;

typedef enum sv_core_act_kind {
    SV_ACT_LOG = 0, /* log the exit report of slot/inc (emit SV_EV_LOGGED)   */
    SV_ACT_EVENT,   /* emit event `event` about slot/inc (reason, detail_ns) */
    SV_ACT_START,   /* start incarnation inc of slot; answer START_RESULT    */
    SV_ACT_STOP,    /* stop + join slot/inc, bounded by its shutdown; answer
                       STOP_RESULT. For an incarnation that already exited
                       this is just the join. */
    SV_ACT_FORGET,  /* slot deleted: the runtime drops its per-slot state   */
    SV_ACT_REPLY,   /* result of the admin/init input: err                 */
    SV_ACT_EXIT,    /* supervisor done, reason; all children stopped       */
} sv_core_act_kind;

typedef struct sv_core_act {
    sv_core_act_kind kind;
    uint32_t slot;        /* UINT32_MAX for supervisor-level */
    uint32_t incarnation;
    sv_event_kind event;  /* SV_ACT_EVENT */
    int reason;           /* EVENT, EXIT */
    int err;              /* REPLY */
    int64_t detail_ns;    /* EVENT (BACKOFF delay) */
} sv_core_act;

/* Create a core with the given flags and initial children (copied, start
 * order = array order). -EINVAL on a bad config (duplicate/empty id,
 * significant permanent child), -ENOMEM. *out owned by the caller. */
int sv_core_new(const sv_core_cfg *cfg, const sv_core_child *children, size_t n, sv_core **out);
void sv_core_free(sv_core *c);

/* Feed one input at time now (ns, non-decreasing across calls). Writes up to
 * SV_CORE_MAX_ACTIONS actions to out; returns how many. Never fails: invalid
 * inputs (unknown slot, a result nobody asked for) are ignored (0 actions),
 * and admin inputs answer with SV_ACT_REPLY. */
size_t sv_core_step(sv_core *c, const sv_core_in *in, int64_t now, sv_core_act *out);

/* True while a START/STOP answer is awaited (see the step protocol). */
bool sv_core_busy(const sv_core *c);
/* True after SV_ACT_EXIT was emitted. */
bool sv_core_done(const sv_core *c);
/* Earliest time SV_IN_TIMER is wanted, or SV_FOREVER (INT64_MAX). */
int64_t sv_core_next_deadline(const sv_core *c);

/* Read-only views for which_children / count_children / the harness. */
size_t sv_core_nchildren(const sv_core *c); /* in start order */
/* Walk the children in start order: set *pos = 0, then each call fills the
 * outputs as sv_core_child_at does for the next child and advances *pos;
 * -ENOENT after the last. O(1) amortised per call (sv_core_child_at is O(n)
 * while removed children await compaction). */
int sv_core_child_next(const sv_core *c, size_t *pos, uint32_t *slot, const sv_core_child **spec,
                       sv_child_state *state, uint32_t *incarnation);
/* i-th child in start order: its slot, spec, state and current incarnation.
 * Returns -ENOENT when i >= nchildren. */
int sv_core_child_at(const sv_core *c, size_t i, uint32_t *slot, const sv_core_child **spec,
                     sv_child_state *state, uint32_t *incarnation);
/* The child with this id (not for simple_one_for_one: instances share the
 * template's id), as sv_core_child_at fills it; O(1) expected. -ENOENT. */
int sv_core_child_find(const sv_core *c, const char *id, uint32_t *slot, const sv_core_child **spec,
                       sv_child_state *state, uint32_t *incarnation);
/* Spec of a slot, or NULL if the slot is unknown/deleted. */
const sv_core_child *sv_core_child_spec(const sv_core *c, uint32_t slot);

#endif
