/*
 * fuzz_core.c — the supervisor's pure core (supervisor/core.h).
 *
 * The input decodes (api_fuzzer style, fuzz_input.h) into a supervisor
 * config and initial children, then a program of events fed to
 * sv_core_step the way the runtime would: exits of any slot/incarnation with
 * any reason (current, stale, never existed), shutdown, admin start/
 * terminate/restart/delete with ids from a small set, time advancing by
 * fuzz-chosen amounts (timers fire when sv_core_next_deadline() is reached),
 * early timers, and answers to every START/STOP (fuzz-chosen start errors,
 * unstopped stops). Every input ends with a shutdown driven to EXIT.
 *
 * After every step it checks, independently of the model:
 *  - protocol: at most one START/STOP, and only as the last action;
 *    sv_core_busy() exactly when one was emitted; nothing after EXIT but one
 *    REPLY(-SV_ESHUTDOWN) per input; results nobody asked for → 0 actions;
 *    an admin request while busy → REPLY(-EBUSY) and still busy;
 *  - incarnations: each START is the child's previous incarnation + 1; never
 *    START a child whose last started incarnation is not yet stopped/joined
 *    (two live incarnations); STOP only the live incarnation; EXIT only when
 *    no incarnation is live;
 *  - order: inside one sequence, STOPs in strictly reverse start order
 *    (decreasing slot), STARTs in strictly increasing slot, no STOP after a
 *    START unless the step began a shutdown;
 *  - a temporary child is started once only; a transient or temporary
 *    child's normal/shutdown exit starts nothing;
 * and against the reference model (core_model.h): every action (kind, slot,
 * incarnation, event, reason, error; a BACKOFF delay within its jitter
 * bounds), the child table (sv_core_child_at: order, slots, ids, states,
 * incarnations), and sv_core_next_deadline(). The model checks intensity by
 * brute force: INTENSITY_EXCEEDED exactly when a restart makes MaxR + 1
 * within MaxT.
 * Any mismatch prints the step and both action lists, then aborts; with
 * FUZZ_CORE_TRACE=1 in the environment every step is printed.
 * Budget: FZC_MAX_OPS operations and FZC_MAX_STEPS core steps per input.
 */
#include "core.h"
#include "core_model.h"
#include "fuzz_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZC_MAX_OPS 256
#define FZC_MAX_STEPS 4000
#define FZC_MAX_SLOTS (CM_MAX_CHILDREN * 4)
#define FZC_NIDS 8

static const char *const fzc_ids[FZC_NIDS] = {"c0", "c1", "c2", "c3", "c4", "c5", "x", "worker.long-id_7"};

typedef struct fzc {
    sv_core *core;
    cm_model m;
    int64_t now;
    uint64_t steps;
    /* runtime view, by slot */
    uint32_t started[FZC_MAX_SLOTS]; /* last incarnation START'ed */
    uint32_t live[FZC_MAX_SLOTS];    /* started and not yet stopped/joined; 0 none */
    bool temporary[FZC_MAX_SLOTS];
    uint32_t awaited_slot, awaited_inc;
    sv_core_act_kind awaited;        /* START, STOP, or LOG meaning "none" */
    /* the current sequence (from an idle input to idle again) */
    uint32_t seq_last_stop, seq_last_start;
    bool seq_started, seq_stopped;
    uint32_t seq_no_start_slot;      /* transient/temporary normal exit: no START of it */
    bool done;
    fz_in *in;
} fzc;

static const char *fzc__kind(sv_core_act_kind k) {
    static const char *const n[] = {"LOG", "EVENT", "START", "STOP", "FORGET", "REPLY", "EXIT"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

static const char *fzc__event(sv_event_kind e) {
    static const char *const n[] = {
        "SUP_START", "START", "STARTED", "START_FAILED", "CRASH", "EXIT", "LOGGED",
        "STOP_REQUESTED", "JOINED", "UNSTOPPED", "RESTART", "BACKOFF", "RESTARTED",
        "CHILD_REMOVED", "CHILD_TERMINATED", "INTENSITY_EXCEEDED", "AUTO_SHUTDOWN", "SHUTDOWN",
        "ESCALATED"};
    return (unsigned)e < sizeof n / sizeof n[0] ? n[e] : "?";
}

static void fzc__print(const char *who, const sv_core_act *a, size_t n) {
    fprintf(stderr, "  %s (%zu):\n", who, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "    %-6s slot %-10u inc %-4u event %-22s reason %d err %d detail %lld\n",
                fzc__kind(a[i].kind), a[i].slot, a[i].incarnation,
                a[i].kind == SV_ACT_EVENT ? fzc__event(a[i].event) : "-", a[i].reason,
                a[i].err, (long long)a[i].detail_ns);
}

static void fzc__input(const sv_core_in *in, int64_t now) {
    static const char *const n[] = {"INIT", "EXIT", "START_RESULT", "STOP_RESULT", "TIMER",
                                    "SHUTDOWN", "START_CHILD", "TERMINATE_CHILD",
                                    "RESTART_CHILD", "DELETE_CHILD"};
    fprintf(stderr, "  input %s slot %u inc %u reason %d err %d unstopped %d id %s at %lld\n",
            (unsigned)in->kind < 10 ? n[in->kind] : "?", in->slot, in->incarnation, in->reason,
            in->err, in->unstopped,
            in->kind == SV_IN_START_CHILD ? (in->child ? in->child->id : "(null)")
                                          : (in->id ? in->id : "(null)"),
            (long long)now);
}

#define FZC_FAIL(f, in, got, ngot, ...)                                                            \
    do {                                                                                           \
        fprintf(stderr, "fuzz_core: step %llu: ", (unsigned long long)(f)->steps);                \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        fzc__input((in), (f)->now);                                                                \
        fzc__print("core", (got), (ngot));                                                         \
        fzc__print("model", (f)->m.out, (f)->m.nout);                                              \
        abort();                                                                                   \
    } while (0)

/* Model-independent invariants over one step's actions. */
static void fzc__invariants(fzc *f, const sv_core_in *in, const sv_core_act *a, size_t n,
                            bool was_done) {
    if (was_done) {
        if (n != 1 || a[0].kind != SV_ACT_REPLY || a[0].err != -SV_ESHUTDOWN)
            FZC_FAIL(f, in, a, n, "after EXIT an input must get exactly REPLY(-SV_ESHUTDOWN)");
        return;
    }
    /* a failed start may begin a shutdown (failed INIT, intensity) */
    bool shutdown_began = in->kind == SV_IN_START_RESULT && in->err != 0;
    for (size_t i = 0; i < n; i++) {
        const sv_core_act *x = &a[i];
        bool answer = x->kind == SV_ACT_START || x->kind == SV_ACT_STOP;
        if (answer && i != n - 1)
            FZC_FAIL(f, in, a, n, "%s is not the last action of its step", fzc__kind(x->kind));
        if (x->kind == SV_ACT_EVENT &&
            (x->event == SV_EV_INTENSITY_EXCEEDED || x->event == SV_EV_AUTO_SHUTDOWN))
            shutdown_began = true;
        if (x->kind == SV_ACT_START || x->kind == SV_ACT_STOP || x->kind == SV_ACT_FORGET ||
            x->kind == SV_ACT_LOG) {
            if (x->slot >= FZC_MAX_SLOTS)
                FZC_FAIL(f, in, a, n, "action for slot %u that was never created", x->slot);
        }
        switch (x->kind) {
        case SV_ACT_START:
            if (f->live[x->slot])
                FZC_FAIL(f, in, a, n, "START slot %u inc %u while inc %u is still live", x->slot,
                         x->incarnation, f->live[x->slot]);
            if (x->incarnation != f->started[x->slot] + 1)
                FZC_FAIL(f, in, a, n, "START slot %u inc %u, previous start was inc %u", x->slot,
                         x->incarnation, f->started[x->slot]);
            if (f->temporary[x->slot] && x->incarnation != 1)
                FZC_FAIL(f, in, a, n, "temporary child slot %u restarted", x->slot);
            if (x->slot == f->seq_no_start_slot)
                FZC_FAIL(f, in, a, n, "slot %u restarted after a normal end it must not restart",
                         x->slot);
            if (f->seq_started && x->slot <= f->seq_last_start)
                FZC_FAIL(f, in, a, n, "START slot %u after slot %u: not in start order", x->slot,
                         f->seq_last_start);
            f->started[x->slot] = x->incarnation;
            f->seq_started = true;
            f->seq_last_start = x->slot;
            break;
        case SV_ACT_STOP:
            if (f->live[x->slot] == 0 || f->live[x->slot] != x->incarnation)
                FZC_FAIL(f, in, a, n, "STOP slot %u inc %u, live incarnation is %u", x->slot,
                         x->incarnation, f->live[x->slot]);
            if (f->seq_started && !shutdown_began)
                FZC_FAIL(f, in, a, n, "STOP after a START in the same sequence");
            if (shutdown_began) {
                f->seq_stopped = false; /* a new (shutdown) order starts here */
                f->seq_started = false;
            }
            if (f->seq_stopped && x->slot >= f->seq_last_stop)
                FZC_FAIL(f, in, a, n, "STOP slot %u after slot %u: not reverse start order",
                         x->slot, f->seq_last_stop);
            f->seq_stopped = true;
            f->seq_last_stop = x->slot;
            break;
        case SV_ACT_EXIT:
            for (uint32_t s = 0; s < FZC_MAX_SLOTS; s++)
                if (f->live[s])
                    FZC_FAIL(f, in, a, n, "EXIT while slot %u inc %u is live (not joined)", s,
                             f->live[s]);
            if (i != n - 1)
                FZC_FAIL(f, in, a, n, "EXIT is not the last action");
            break;
        default:
            break;
        }
    }
    bool busy = n > 0 && (a[n - 1].kind == SV_ACT_START || a[n - 1].kind == SV_ACT_STOP);
    if (sv_core_busy(f->core) != busy)
        FZC_FAIL(f, in, a, n, "sv_core_busy() = %d after a step %s an answer",
                 sv_core_busy(f->core), busy ? "awaiting" : "not awaiting");
    bool exited = n > 0 && a[n - 1].kind == SV_ACT_EXIT;
    if (sv_core_done(f->core) != exited)
        FZC_FAIL(f, in, a, n, "sv_core_done() = %d, EXIT emitted: %d", sv_core_done(f->core),
                 exited);
}

static void fzc__compare(fzc *f, const sv_core_in *in, const sv_core_act *a, size_t n) {
    cm_model *m = &f->m;
    if (m->overflow)
        FZC_FAIL(f, in, a, n, "model overflow");
    if (n != m->nout)
        FZC_FAIL(f, in, a, n, "core emitted %zu actions, model %zu", n, m->nout);
    for (size_t i = 0; i < n; i++) {
        const sv_core_act *x = &a[i], *y = &m->out[i];
        bool same = x->kind == y->kind && x->slot == y->slot && x->incarnation == y->incarnation;
        switch (x->kind) {
        case SV_ACT_EVENT:
            same = same && x->event == y->event && x->reason == y->reason;
            if (same && x->event == SV_EV_BACKOFF) {
                if (x->detail_ns < y->detail_ns || x->detail_ns > cm_backoff_hi)
                    FZC_FAIL(f, in, a, n, "BACKOFF delay %lld outside [%lld, %lld]",
                             (long long)x->detail_ns, (long long)y->detail_ns,
                             (long long)cm_backoff_hi);
                cm_set_due(m, x->slot, f->now, x->detail_ns);
            } else {
                same = same && x->detail_ns == 0;
            }
            break;
        case SV_ACT_LOG:
        case SV_ACT_EXIT: same = same && x->reason == y->reason; break;
        case SV_ACT_REPLY: same = same && x->err == y->err; break;
        default: break;
        }
        if (!same)
            FZC_FAIL(f, in, a, n, "action %zu differs from the model", i);
    }
}

/* The child table and the deadline against the model. */
static void fzc__table(fzc *f, const sv_core_in *in, const sv_core_act *a, size_t n) {
    cm_model *m = &f->m;
    if (sv_core_nchildren(f->core) != m->n)
        FZC_FAIL(f, in, a, n, "core has %zu children, model %zu", sv_core_nchildren(f->core),
                 m->n);
    for (size_t i = 0; i < m->n; i++) {
        uint32_t slot, inc;
        const sv_core_child *spec;
        sv_child_state st;
        if (sv_core_child_at(f->core, i, &slot, &spec, &st, &inc) != 0)
            FZC_FAIL(f, in, a, n, "child_at(%zu) failed", i);
        const cm_child *x = &m->ch[i];
        if (slot != x->slot || inc != x->inc || st != cm_pub_state(x) ||
            strcmp(spec->id, x->spec.id) != 0 || spec->restart != x->spec.restart)
            FZC_FAIL(f, in, a, n,
                     "child %zu: core slot %u id %s inc %u state %d; model slot %u id %s inc %u "
                     "state %d",
                     i, slot, spec->id, inc, (int)st, x->slot, x->spec.id, x->inc,
                     (int)cm_pub_state(x));
        if (sv_core_child_spec(f->core, slot) != spec)
            FZC_FAIL(f, in, a, n, "child_spec(%u) does not find child %zu", slot, i);
    }
    if (sv_core_child_at(f->core, m->n, NULL, NULL, NULL, NULL) != -ENOENT)
        FZC_FAIL(f, in, a, n, "child_at past the end is not -ENOENT");
    if (sv_core_next_deadline(f->core) != cm_deadline(m))
        FZC_FAIL(f, in, a, n, "next deadline %lld, model %lld",
                 (long long)sv_core_next_deadline(f->core), (long long)cm_deadline(m));
}

/* One step, checked. Updates the runtime view from the actions. */
static void fzc__step(fzc *f, const sv_core_in *in) {
    sv_core_act a[SV_CORE_MAX_ACTIONS];
    bool was_done = sv_core_done(f->core);
    memset(a, 0xa5, sizeof a);
    size_t n = sv_core_step(f->core, in, f->now, a);
    f->steps++;
    static int trace = -1;
    if (trace < 0)
        trace = getenv("FUZZ_CORE_TRACE") != NULL;
    if (trace) {
        fprintf(stderr, "step %llu:", (unsigned long long)f->steps);
        fzc__input(in, f->now);
        fzc__print("core", a, n < SV_CORE_MAX_ACTIONS ? n : SV_CORE_MAX_ACTIONS);
    }
    if (n > SV_CORE_MAX_ACTIONS)
        FZC_FAIL(f, in, a, 0, "step returned %zu actions", n);
    cm_step(&f->m, in, f->now);
    fzc__invariants(f, in, a, n, was_done);
    fzc__compare(f, in, a, n);
    fzc__table(f, in, a, n);
    f->awaited = SV_ACT_LOG;
    if (n > 0 && (a[n - 1].kind == SV_ACT_START || a[n - 1].kind == SV_ACT_STOP)) {
        f->awaited = a[n - 1].kind;
        f->awaited_slot = a[n - 1].slot;
        f->awaited_inc = a[n - 1].incarnation;
    }
    if (n > 0 && a[n - 1].kind == SV_ACT_EXIT)
        f->done = true;
}

/* Answer the awaited START/STOP until the core is idle. */
static void fzc__settle(fzc *f) {
    while (f->awaited != SV_ACT_LOG && f->steps < FZC_MAX_STEPS) {
        sv_core_in in = {.slot = f->awaited_slot, .incarnation = f->awaited_inc};
        if (f->awaited == SV_ACT_START) {
            static const int errs[] = {-EAGAIN, -ENOMEM, 5, -EIO};
            uint8_t b = fz_byte(f->in);
            in.kind = SV_IN_START_RESULT;
            in.err = (b & 7) == 7 ? errs[(b >> 3) & 3] : 0;
            if (in.err == 0)
                f->live[in.slot] = in.incarnation;
        } else {
            in.kind = SV_IN_STOP_RESULT;
            in.unstopped = (fz_byte(f->in) & 15) == 15;
            f->live[in.slot] = 0;
        }
        /* now and then, a result nobody asked for first: ignored */
        if (fz_left(f->in) % 13 == 0) {
            sv_core_in bogus = in;
            bogus.incarnation++;
            sv_core_act a[SV_CORE_MAX_ACTIONS];
            size_t n = sv_core_step(f->core, &bogus, f->now, a);
            if (n != 0 || !sv_core_busy(f->core))
                FZC_FAIL(f, &bogus, a, n, "a result for the wrong incarnation was not ignored");
        }
        /* and an admin request that breaks the protocol: refused, nothing changes */
        if (fz_left(f->in) % 17 == 1) {
            sv_core_in admin = {.kind = SV_IN_RESTART_CHILD, .id = fzc_ids[0]};
            sv_core_act a[SV_CORE_MAX_ACTIONS];
            size_t n = sv_core_step(f->core, &admin, f->now, a);
            if (n != 1 || a[0].kind != SV_ACT_REPLY || a[0].err != -EBUSY ||
                !sv_core_busy(f->core))
                FZC_FAIL(f, &admin, a, n, "an admin request while busy was not refused with -EBUSY");
        }
        fzc__step(f, &in);
    }
    if (f->awaited != SV_ACT_LOG) {
        fprintf(stderr, "fuzz_core: step budget exhausted while busy (%llu steps)\n",
                (unsigned long long)f->steps);
        abort();
    }
}

/* An idle input: starts a new sequence. */
static void fzc__feed(fzc *f, const sv_core_in *in) {
    f->seq_started = f->seq_stopped = false;
    f->seq_no_start_slot = UINT32_MAX;
    if (in->kind == SV_IN_EXIT && in->reason >= SV_EXIT_NORMAL && in->reason <= SV_EXIT_SHUTDOWN &&
        in->slot < FZC_MAX_SLOTS) {
        const cm_child *x = cm__get(&f->m, in->slot);
        if (x && x->spec.restart != SV_PERMANENT)
            f->seq_no_start_slot = in->slot;
    }
    fzc__step(f, in);
    fzc__settle(f);
}

/* Move the clock to t, firing every timer that falls due on the way. */
static void fzc__advance(fzc *f, int64_t t) {
    while (!f->done && f->steps < FZC_MAX_STEPS) {
        int64_t d = sv_core_next_deadline(f->core);
        if (d > t)
            break;
        if (d > f->now)
            f->now = d;
        sv_core_in in = {.kind = SV_IN_TIMER};
        uint64_t before = f->steps;
        fzc__feed(f, &in);
        if (sv_core_next_deadline(f->core) <= f->now && f->steps == before + 1 &&
            f->m.nout == 0)
            break; /* a due timer that does nothing would loop: the model agreed, stop */
    }
    if (t > f->now)
        f->now = t;
}

static int64_t fzc__delta(fzc *f) {
    int64_t period = (int64_t)f->m.cfg.period_ms * 1000000;
    switch (fz_byte(f->in) % 10) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 1000000;
    case 3: return period / 2;
    case 4: return period;
    case 5: return period + 1;
    case 6: return 1000000000;
    case 7: return (int64_t)fz_u32(f->in, 0, 100) * 1000000;
    case 8: return (int64_t)f->m.cfg.backoff_min_ms * 1000000;
    default: return 60ll * 1000000000;
    }
}

static void fzc__child(fz_in *in, sv_core_child *c, const char *id) {
    uint8_t b = fz_byte(in);
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    c->restart = (sv_restart)(b % 3);
    c->shutdown = (sv_shutdown)((b >> 2) % 3);
    c->shutdown_ms = (b >> 4) * 100u;
    c->significant = (b & 0x40) && c->restart != SV_PERMANENT;
    c->is_sup = (b & 0x80) != 0;
}

static void fzc__run(fz_in *in) {
    static fzc f; /* large: keep it off the stack */
    memset(&f, 0, sizeof f);
    f.in = in;
    f.awaited = SV_ACT_LOG;

    static const uint32_t periods[] = {0, 1, 10, 100, 1000, 5000};
    static const uint32_t bo_mins[] = {0, 0, 0, 1, 10, 100};
    static const uint32_t bo_maxs[] = {0, 5, 50, 1000};
    static const uint32_t jitters[] = {0, 10, 50, 100};
    sv_core_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    uint8_t b = fz_byte(in);
    cfg.strategy = (sv_strategy)(b % 3);
    cfg.auto_shutdown = (sv_auto_shutdown)((b >> 2) % 3);
    cfg.intensity = fz_u32(in, 0, 5);
    cfg.period_ms = periods[fz_pick(in, 6)];
    uint8_t bo = fz_byte(in);
    cfg.backoff_min_ms = bo_mins[bo % 6];
    cfg.backoff_max_ms = bo_maxs[(bo >> 3) % 4];
    cfg.backoff_jitter_pct = jitters[(bo >> 5) % 4];
    cfg.seed = fz_range(in, 0, UINT64_MAX);

    sv_core_child kids[6];
    size_t nk = fz_pick(in, 7);
    for (size_t i = 0; i < nk; i++)
        fzc__child(in, &kids[i], fzc_ids[i]);

    /* now and then a bad config: both must refuse it */
    uint8_t bad = fz_byte(in);
    if ((bad & 0xf) == 0xf) {
        switch ((bad >> 4) % 4) {
        case 0: cfg.strategy = (sv_strategy)7; break;
        case 1: cfg.backoff_jitter_pct = 101; break;
        case 2:
            if (nk >= 2)
                memcpy(kids[1].id, kids[0].id, sizeof kids[0].id);
            else
                cfg.auto_shutdown = (sv_auto_shutdown)9;
            break;
        default:
            if (nk) {
                kids[0].restart = SV_PERMANENT;
                kids[0].significant = true;
            } else {
                cfg.strategy = (sv_strategy)3;
            }
            break;
        }
    }
    int mrc = cm_init(&f.m, &cfg, kids, nk);
    int crc = sv_core_new(&cfg, kids, nk, &f.core);
    if (mrc != crc) {
        fprintf(stderr, "fuzz_core: sv_core_new returned %d, expected %d\n", crc, mrc);
        abort();
    }
    if (crc != 0)
        return;
    for (size_t i = 0; i < nk; i++)
        f.temporary[i] = kids[i].restart == SV_TEMPORARY;
    f.now = (int64_t)fz_u32(in, 0, 1000) * 1000000000;

    /* an admin request or shutdown before INIT */
    if ((fz_byte(in) & 7) == 7) {
        sv_core_in pre = {.kind = SV_IN_DELETE_CHILD, .id = "c0"};
        fzc__feed(&f, &pre);
    }
    sv_core_in init = {.kind = SV_IN_INIT};
    fzc__feed(&f, &init);

    for (unsigned op = 0; op < FZC_MAX_OPS && !fz_empty(in) && !f.done &&
                          f.steps < FZC_MAX_STEPS;
         op++) {
        uint8_t o = fz_byte(in);
        int64_t t = f.now + fzc__delta(&f);
        fzc__advance(&f, t);
        if (f.done)
            break;
        sv_core_in ev;
        memset(&ev, 0, sizeof ev);
        sv_core_child spec;
        switch (o % 12) {
        case 0: case 1: case 2: case 3: case 4: { /* exit of some incarnation */
            uint32_t slot;
            if (f.m.n && (o & 0x80) == 0)
                slot = f.m.ch[fz_pick(in, (unsigned)f.m.n)].slot;
            else
                slot = fz_u32(in, 0, f.m.next_slot + 1);
            uint32_t cur = slot < FZC_MAX_SLOTS ? f.m.last_inc[slot] : 0;
            static const int reasons[] = {SV_EXIT_NORMAL, SV_EXIT_SHUTDOWN, SV_EXIT_PANIC,
                                          SV_EXIT_ERROR,  SV_EXIT_SIGNAL,   SV_EXIT_KILLED,
                                          99,             -1};
            uint8_t r = fz_byte(in);
            ev.kind = SV_IN_EXIT;
            ev.slot = slot;
            ev.reason = reasons[r & 7];
            switch ((r >> 3) & 7) {
            case 0: ev.incarnation = cur ? cur - 1 : 0; break;
            case 1: ev.incarnation = cur + 1; break;
            case 2: ev.incarnation = 0; break;
            default: ev.incarnation = cur; break;
            }
            break;
        }
        case 5: /* an early timer: nothing is due */
            ev.kind = SV_IN_TIMER;
            break;
        case 6: { /* start_child */
            if (f.m.next_slot >= FZC_MAX_SLOTS - 1)
                continue;
            unsigned k = fz_pick(in, FZC_NIDS + 2);
            fzc__child(in, &spec, k < FZC_NIDS ? fzc_ids[k] : "");
            if (k == FZC_NIDS + 1) /* an id without a terminator in SV_ID_MAX */
                memset(spec.id, 'z', sizeof spec.id);
            ev.kind = SV_IN_START_CHILD;
            ev.child = &spec;
            f.temporary[f.m.next_slot] = spec.restart == SV_TEMPORARY;
            break;
        }
        case 7: case 8: case 9: { /* terminate / restart / delete */
            static const sv_core_in_kind kinds[] = {SV_IN_TERMINATE_CHILD, SV_IN_RESTART_CHILD,
                                                    SV_IN_DELETE_CHILD};
            ev.kind = kinds[o % 12 - 7];
            unsigned k = fz_pick(in, FZC_NIDS + 1);
            ev.id = k < FZC_NIDS ? fzc_ids[k] : NULL;
            break;
        }
        case 10: /* a result nobody asked for, while idle */ {
            ev.kind = (o & 0x10) ? SV_IN_START_RESULT : SV_IN_STOP_RESULT;
            ev.slot = f.m.n ? f.m.ch[0].slot : 0;
            ev.incarnation = f.m.n ? f.m.ch[0].inc : 1;
            sv_core_act a[SV_CORE_MAX_ACTIONS];
            size_t n = sv_core_step(f.core, &ev, f.now, a);
            if (n != 0 || sv_core_busy(f.core))
                FZC_FAIL(&f, &ev, a, n, "an unasked-for result while idle was not ignored");
            continue;
        }
        default:
            if ((o & 0x30) != 0x30)
                continue; /* shutdown is rare: it ends the program */
            ev.kind = SV_IN_SHUTDOWN;
            break;
        }
        fzc__feed(&f, &ev);
    }
    /* every program ends with a complete shutdown */
    if (!f.done) {
        sv_core_in sd = {.kind = SV_IN_SHUTDOWN};
        fzc__feed(&f, &sd);
        if (!f.done) {
            fprintf(stderr, "fuzz_core: shutdown did not complete (%llu steps)\n",
                    (unsigned long long)f.steps);
            abort();
        }
    }
    /* after EXIT: every input is refused */
    sv_core_in late = {.kind = SV_IN_RESTART_CHILD, .id = "c0"};
    fzc__step(&f, &late);
    if (sv_core_next_deadline(f.core) != SV_FOREVER) {
        fprintf(stderr, "fuzz_core: a deadline after EXIT\n");
        abort();
    }
    sv_core_free(f.core);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096)
        return 0;
    fz_in in = fz_init(data, size);
    fzc__run(&in);
    return 0;
}
