/*
 * core_table.h — private to the supervisor core (core.c, core_policy.c).
 *
 * The core is two state machines over one child table:
 *  - the supervisor's mode (sv__mode) × input kind → handler (core.c), and
 *  - each child's state (sv__cstate) × what happens to it (core.c's verdict
 *    tables: exit verdicts by restart type × exit class, admin verdicts by
 *    child state × admin request).
 * Pure policy arithmetic (intensity ring, backoff, PRNG) lives in
 * core_policy.c and never touches the table.
 */
#ifndef SV_CORE_TABLE_H
#define SV_CORE_TABLE_H

#include "core.h"
#include "hmap.h"
#include "sv_plat.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV__NO_SLOT UINT32_MAX

/* Child states. Invariants:
 *  - RUNNING and EXITED are the only states with a live (started, not yet
 *    stopped/joined) incarnation, and it is always `inc`.
 *  - EXITED exists only while the core is busy: the exit of `inc` was
 *    reported and its join (SV_ACT_STOP) is still to come in this sequence.
 *  - RESTARTING: no live incarnation; the child will be started by a group
 *    execution — its own when retry_at != SV_FOREVER (it is a "head"), else
 *    as a member of the group of a head that covers it.
 *  - A temporary child is never STOPPED or RESTARTING once the core is
 *    running: it is removed (FORGET) when its incarnation ends.
 *  - GONE: a removed child's tombstone. It keeps its slot (the table stays
 *    sorted by slot) but is invisible: find_slot/find_id never return it,
 *    no sequence acts on it, and it is not in the id index. Tombstones are
 *    compacted away at the start of a step taken while not busy, so indexes
 *    held by a sequence (cursor) stay valid while it runs. */
typedef enum sv__cstate {
    SV__C_STOPPED = 0,
    SV__C_RUNNING,
    SV__C_EXITED,
    SV__C_RESTARTING,
    SV__C_GONE,
    SV__C__COUNT
} sv__cstate;

/* Supervisor modes. Every mode but NEW, IDLE and DONE awaits exactly one
 * answer (await != SV__AW_NONE) between steps. */
typedef enum sv__mode {
    SV__M_NEW = 0,     /* created, SV_IN_INIT not yet fed                  */
    SV__M_STARTING,    /* INIT sequence: starting children in order        */
    SV__M_IDLE,        /* running, not busy                                */
    SV__M_GROUP,       /* restart sequence: stop phase, then start phase   */
    SV__M_JOIN,        /* joining an incarnation that ended for good       */
    SV__M_ADMIN_START, /* start_child / restart_child awaiting its START   */
    SV__M_ADMIN_STOP,  /* terminate_child awaiting its STOP                */
    SV__M_SHUTDOWN,    /* stopping every child in reverse start order      */
    SV__M_DONE,        /* SV_ACT_EXIT emitted                              */
    SV__M__COUNT
} sv__mode;

typedef enum sv__await { SV__AW_NONE = 0, SV__AW_START, SV__AW_STOP } sv__await;

typedef struct sv__child {
    sv_core_child spec;   /* id NUL-terminated, validated */
    uint32_t slot;        /* never reused; table is sorted by slot */
    uint32_t inc;         /* last incarnation number given out; 0 = none */
    uint8_t st;           /* sv__cstate */
    bool abandoned;       /* the last stop of `inc` gave up (unstopped) */
    int last_reason;      /* sv_exit of the last reported end of `inc` */
    uint32_t backoff_k;   /* consecutive restarts: backoff exponent */
    int64_t started_at;   /* when `inc` started running */
    int64_t retry_at;     /* head of a scheduled group: due time; else SV_FOREVER */
} sv__child;

struct sv_core {
    sv_core_cfg cfg;
    sv__child *ch;        /* start order == slot order; owned; tombstones included */
    size_t n, cap;        /* entries (live + GONE) / room */
    size_t ngone;         /* GONE entries in ch[0..n) */
    sv__hmap ids;         /* hash(id) -> slot of every live child (not instances) */
    sv_core_child tmpl;   /* cfg.simple: the template of every instance */
    uint32_t next_slot;   /* slots below it existed at some time */

    uint8_t mode;         /* sv__mode */
    uint8_t await;        /* sv__await */
    uint32_t await_slot, await_inc;

    /* sequence registers (meaning depends on mode) */
    size_t cursor;        /* GROUP stop phase / SHUTDOWN: exclusive upper index;
                             GROUP start phase / STARTING: next index */
    bool start_phase;     /* GROUP: in the start phase */
    bool execute;         /* GROUP: run the start phase right after the stop phase */
    uint32_t head_slot;   /* GROUP: the child whose exit/failure caused it */
    uint8_t admin_kind;   /* ADMIN_START: what started it (sv__admin_kind in core_admin.c) */
    int init_err;         /* SHUTDOWN after a failed INIT: error to reply; else 0 */

    /* intensity: ring of the last MaxR restart times (oldest at ring_head) */
    int64_t *ring;        /* owned; NULL when intensity == 0 */
    uint32_t ring_len;
    uint32_t ring_head;
    int64_t period_ns;
    int64_t bo_min_ns, bo_max_ns; /* backoff; bo_min_ns == 0: off */
    uint64_t rng;         /* splitmix64 state */

    int64_t last_now;     /* inputs' now, clamped non-decreasing */
    int64_t deadline;     /* cached min retry_at (SV_FOREVER if none) */
    bool sched_dirty;     /* deadline must be recomputed */
};

/* Actions of the current step (out has SV_CORE_MAX_ACTIONS room). */
typedef struct sv__out {
    sv_core_act *a;
    size_t n;
} sv__out;

static inline bool sv__alive(const sv__child *x)
{
    return x->st == SV__C_RUNNING || x->st == SV__C_EXITED;
}

/* Whether the child's spec stays in the table after its end for good
 * (terminated, transient ended normally, start ignored): not for temporary
 * children, and never for instances. */
static inline bool sv__keeps_spec(const sv_core *c, const sv__child *x)
{
    return x->spec.restart != SV_TEMPORARY && !c->cfg.simple;
}

/* A start error as a negative errno (a positive "error" is still a failure). */
static inline int sv__err(int err)
{
    return err < 0 ? err : -EIO;
}

/* ---- core_table.c: output ------------------------------------------------- */

/* Appends one action (zeroed but for kind/slot/inc) and returns it. */
sv_core_act *sv__core_emit(sv__out *w, sv_core_act_kind kind, uint32_t slot, uint32_t inc);
void sv__core_event(sv__out *w, sv_event_kind ev, uint32_t slot, uint32_t inc, int reason, int64_t detail);
void sv__core_log(sv__out *w, uint32_t slot, uint32_t inc, int reason);
void sv__core_reply(sv__out *w, int err);
/* Emit START of x's next incarnation / STOP of its live one, last in the
 * step, and record the awaited answer. */
void sv__core_start(sv_core *c, sv__child *x, sv__out *w);
void sv__core_stop(sv_core *c, sv__child *x, sv__out *w);

/* ---- core_table.c: the child table ---------------------------------------- */

size_t sv__core_find_slot(const sv_core *c, uint32_t slot); /* index, or c->n */
size_t sv__core_find_id(const sv_core *c, const char *id);  /* index, or c->n */
/* Emit CHILD_REMOVED + FORGET for ch[i] and drop it. */
void sv__core_remove(sv_core *c, size_t i, sv__out *w);
/* Drop ch[i] silently (it becomes a tombstone; indexes do not shift). */
void sv__core_drop(sv_core *c, size_t i);
/* Remove tombstones when they outnumber live children (not while busy). */
void sv__core_compact(sv_core *c);
/* Append a child (room reserved, id indexed unless it is an instance). */
sv__child *sv__core_append(sv_core *c, const sv_core_child *s);
/* Room for one more child in the table and the id index: 0 or -ENOMEM. */
int sv__core_reserve(sv_core *c);
/* Id non-empty and NUL-terminated within SV_ID_MAX, enums in range, not
 * significant-and-permanent. */
bool sv__core_child_valid(const sv_core_child *s);
void sv__core_child_init(sv__child *x, const sv_core_child *s, uint32_t slot);

/* ---- core_table.c: restart groups and retry heads -------------------------- */

/* G(ch[i]) = ch[lo..hi]: one_for_one {i}, rest_for_one i..n-1, one_for_all 0..n-1. */
size_t sv__core_group_lo(const sv_core *c, size_t i);
size_t sv__core_group_hi(const sv_core *c, size_t i);
void sv__core_clear_heads(sv_core *c, size_t lo, size_t hi);
void sv__core_mark_group(sv_core *c, size_t i);
void sv__core_schedule(sv_core *c, size_t i, int64_t now, sv__out *w);
void sv__core_drop_orphans(sv_core *c);

/* ---- core_admin.c ---------------------------------------------------------- */

void sv__core_on_admin(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w);
void sv__core_res_admin_start(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w);
void sv__core_res_admin_stop(sv_core *c, const sv_core_in *in, int64_t now, sv__out *w);

/* ---- core_policy.c ------------------------------------------------------- */

/* True when an exit with this reason is abnormal (a crash): anything but
 * SV_EXIT_NORMAL and SV_EXIT_SHUTDOWN, unknown values included. */
bool sv__core_exit_abnormal(int reason);

/* Record one restart at now. Returns true when it exceeds the intensity:
 * more than MaxR restarts (this one included) within the period, where a
 * past restart at T is within the period at now iff now - T <= MaxT
 * (inclusive, as OTP's `R >= Now - Period`). O(1). */
bool sv__core_intensity_add(sv_core *c, int64_t now);

/* Backoff delay for the next restart of ch (ns, >= 0) and advance its
 * exponent. Only meaningful when backoff is on (bo_min_ns > 0). */
int64_t sv__core_backoff_next(sv_core *c, sv__child *ch);

/* A child exited after running since started_at: reset its backoff exponent
 * when it ran for at least the backoff cap. */
void sv__core_backoff_ran(sv_core *c, sv__child *ch, int64_t now);

/* now + d, saturating at SV_FOREVER (d >= 0). */
int64_t sv__core_add_sat(int64_t now, int64_t d);

/* splitmix64 step. */
uint64_t sv__core_rng_next(uint64_t *state);

#endif
