/*
 * core_harness.h — drives the supervisor core (supervisor/core.h) the way
 * the runtime does, for tests/test_core*.c. Header-only (static functions):
 * each test binary includes it once.
 *
 * h_feed() steps one input and then answers every START/STOP the core asks
 * for (start failures and unstopped stops come from a small script), until
 * the core is no longer busy. Every action is appended to h->trace as a
 * compact word list ("LOG b#1 EV:restart b#1 STOP b#1 START b#2 ...") and
 * checked against the step protocol and the never-two-alive rule as it
 * happens; a violation fails the test at once with the trace so far.
 *
 * Allocation goes through a counting wrapper bound with sv_plat_set() for
 * the whole binary (h_plat_bind/h_plat_unbind), so tests can fail the Nth
 * allocation and check that nothing leaks.
 */
#ifndef CORE_HARNESS_H
#define CORE_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "sv_plat.h"

#define MS(x) ((int64_t)(x) * 1000000)
#define H_SLOTS 512
#define H_TRACE 16384

/* ---- counting allocator ---------------------------------------------------- */

static const sv_plat_ops *h_real_plat;
static sv_plat_ops h_plat;
static long h_allocs, h_live, h_fail_at = -1; /* fail the allocation numbered h_fail_at */

static inline void *h_alloc(size_t n)
{
    if (h_fail_at >= 0 && h_allocs++ == h_fail_at)
        return NULL;
    void *p = h_real_plat->alloc(n);
    if (p)
        h_live++;
    return p;
}

static inline void h_free_mem(void *p)
{
    if (p)
        h_live--;
    h_real_plat->free(p);
}

static inline int h_plat_bind(void **state)
{
    (void)state;
    h_real_plat = sv_plat();
    h_plat = *h_real_plat;
    h_plat.alloc = h_alloc;
    h_plat.free = h_free_mem;
    sv_plat_set(&h_plat);
    return 0;
}

static inline int h_plat_unbind(void **state)
{
    (void)state;
    sv_plat_set(h_real_plat);
    return 0;
}

/* Fail the n-th allocation from now on (0 = the next one); -1: none. */
static inline void h_fail_alloc(long n)
{
    h_allocs = 0;
    h_fail_at = n;
}

/* ---- the harness ----------------------------------------------------------- */

typedef struct h_rule {
    char id[SV_ID_MAX];
    uint32_t inc;  /* 0: any incarnation */
    int err;       /* START: error to answer */
    int times;     /* < 0: forever */
    bool unstop;   /* STOP rule instead of START */
} h_rule;

typedef struct h_t {
    sv_core *c;
    int64_t now;
    char names[H_SLOTS][SV_ID_MAX]; /* slot -> id, learned as slots appear */
    uint32_t live[H_SLOTS];         /* slot -> live incarnation (started, not stopped) */
    uint32_t last_start[H_SLOTS];   /* slot -> last incarnation started */
    h_rule rules[16];
    size_t nrules;
    char trace[H_TRACE];            /* actions of the last h_feed */
    sv_core_act acts[256];          /* the same, raw */
    size_t nacts;
    int64_t backoffs[64];           /* detail_ns of each EV:backoff of the last h_feed */
    size_t nbackoffs;
    bool exited;
    uint64_t chaos;                 /* != 0: random answers and junk while busy */
} h_t;

static h_t H;

static inline sv_core_cfg h_cfg(sv_strategy s)
{
    sv_core_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.strategy = s;
    cfg.intensity = 1000;
    cfg.period_ms = 5000;
    return cfg;
}

/* "id[:temp|:trans|:perm][:sig][:sup]" */
static inline sv_core_child h_child(const char *word)
{
    sv_core_child ch;
    memset(&ch, 0, sizeof ch);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", word);
    char *save = NULL;
    char *tok = strtok_r(buf, ":", &save);
    snprintf(ch.id, sizeof ch.id, "%s", tok ? tok : "");
    ch.shutdown_ms = 5000;
    while ((tok = strtok_r(NULL, ":", &save))) {
        if (!strcmp(tok, "temp")) ch.restart = SV_TEMPORARY;
        else if (!strcmp(tok, "trans")) ch.restart = SV_TRANSIENT;
        else if (!strcmp(tok, "perm")) ch.restart = SV_PERMANENT;
        else if (!strcmp(tok, "sig")) ch.significant = true;
        else if (!strcmp(tok, "sup")) ch.is_sup = true;
        else fail_msg("bad child word '%s'", word);
    }
    return ch;
}

static inline void h_learn_names(h_t *h)
{
    size_t n = sv_core_nchildren(h->c);
    for (size_t i = 0; i < n; i++) {
        uint32_t slot;
        const sv_core_child *spec;
        assert_int_equal(sv_core_child_at(h->c, i, &slot, &spec, NULL, NULL), 0);
        if (slot < H_SLOTS)
            snprintf(h->names[slot], sizeof h->names[slot], "%s", spec->id);
    }
}

/* Creates the core over the children listed in `spec` (space-separated words). */
static inline void h_setup(h_t *h, const sv_core_cfg *cfg, const char *spec)
{
    memset(h, 0, sizeof *h);
    sv_core_child kids[32];
    size_t n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
        kids[n++] = h_child(w);
    assert_int_equal(sv_core_new(cfg, kids, n, &h->c), 0);
    h_learn_names(h);
}

static inline void h_teardown_core(h_t *h)
{
    sv_core_free(h->c);
    h->c = NULL;
}

/* cmocka teardown: frees the test's core (also after a failed assertion)
 * and fails the test if any allocation is still live. */
static inline int h_teardown(void **state)
{
    (void)state;
    h_teardown_core(&H);
    h_fail_at = -1;
    if (h_live != 0) {
        print_error("%ld allocation(s) leaked\n", h_live);
        h_live = 0;
        return -1;
    }
    return 0;
}

static inline void h_rule_add(h_t *h, const char *id, uint32_t inc, int err, int times, bool unstop)
{
    assert_true(h->nrules < sizeof h->rules / sizeof h->rules[0]);
    h_rule *r = &h->rules[h->nrules++];
    snprintf(r->id, sizeof r->id, "%s", id);
    r->inc = inc;
    r->err = err;
    r->times = times;
    r->unstop = unstop;
}

/* START of id (incarnation inc, 0 = any) fails with err, `times` times (<0: always). */
static inline void h_fail_start(h_t *h, const char *id, uint32_t inc, int err, int times)
{
    h_rule_add(h, id, inc, err, times, false);
}

static inline void h_unstop(h_t *h, const char *id, uint32_t inc)
{
    h_rule_add(h, id, inc, 0, 1, true);
}

static inline h_rule *h_match(h_t *h, uint32_t slot, uint32_t inc, bool unstop)
{
    for (size_t i = 0; i < h->nrules; i++) {
        h_rule *r = &h->rules[i];
        if (r->unstop == unstop && r->times != 0 && !strcmp(r->id, h->names[slot]) &&
            (r->inc == 0 || r->inc == inc)) {
            if (r->times > 0)
                r->times--;
            return r;
        }
    }
    return NULL;
}

static inline const char *h_evname(sv_event_kind k)
{
    switch (k) {
    case SV_EV_RESTART: return "restart";
    case SV_EV_BACKOFF: return "backoff";
    case SV_EV_RESTARTED: return "restarted";
    case SV_EV_CHILD_REMOVED: return "child_removed";
    case SV_EV_CHILD_TERMINATED: return "child_terminated";
    case SV_EV_INTENSITY_EXCEEDED: return "intensity_exceeded";
    case SV_EV_AUTO_SHUTDOWN: return "auto_shutdown";
    default: return "FORBIDDEN"; /* the runtime's events: the core must not emit them */
    }
}

static inline void h_append(h_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void h_append(h_t *h, const char *fmt, ...)
{
    size_t len = strlen(h->trace);
    if (len > 0 && len + 1 < sizeof h->trace)
        h->trace[len++] = ' ', h->trace[len] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->trace + len, sizeof h->trace - len, fmt, ap);
    va_end(ap);
}

static inline const char *h_slotname(h_t *h, uint32_t slot)
{
    return slot < H_SLOTS && h->names[slot][0] ? h->names[slot] : "?";
}

/* Records and checks one step's actions. */
static inline void h_check_step(h_t *h, const sv_core_act *a, size_t n)
{
    assert_true(n <= SV_CORE_MAX_ACTIONS);
    for (size_t i = 0; i < n; i++) {
        const sv_core_act *x = &a[i];
        bool last = i + 1 == n;
        if (h->nacts < sizeof h->acts / sizeof h->acts[0])
            h->acts[h->nacts++] = *x;
        if (x->slot != UINT32_MAX && x->slot >= H_SLOTS)
            fail_msg("slot %u out of harness range; trace: %s", x->slot, h->trace);
        const char *nm = h_slotname(h, x->slot);
        switch (x->kind) {
        case SV_ACT_LOG:
            h_append(h, "LOG %s#%u", nm, x->incarnation);
            break;
        case SV_ACT_EVENT:
            if (x->slot == UINT32_MAX)
                h_append(h, "EV:%s", h_evname(x->event));
            else
                h_append(h, "EV:%s %s#%u", h_evname(x->event), nm, x->incarnation);
            if (x->event == SV_EV_BACKOFF && h->nbackoffs < 64)
                h->backoffs[h->nbackoffs++] = x->detail_ns;
            break;
        case SV_ACT_START:
            h_append(h, "START %s#%u", nm, x->incarnation);
            if (!last) fail_msg("START not last; trace: %s", h->trace);
            if (h->live[x->slot]) fail_msg("two incarnations alive; trace: %s", h->trace);
            if (x->incarnation != h->last_start[x->slot] + 1)
                fail_msg("incarnation skipped; trace: %s", h->trace);
            h->last_start[x->slot] = x->incarnation;
            break;
        case SV_ACT_STOP:
            h_append(h, "STOP %s#%u", nm, x->incarnation);
            if (!last) fail_msg("STOP not last; trace: %s", h->trace);
            if (h->live[x->slot] != x->incarnation)
                fail_msg("STOP of a dead incarnation; trace: %s", h->trace);
            break;
        case SV_ACT_FORGET:
            h_append(h, "FORGET %s", nm);
            if (h->live[x->slot]) fail_msg("FORGET of a live slot; trace: %s", h->trace);
            break;
        case SV_ACT_REPLY:
            h_append(h, "REPLY %d", x->err);
            break;
        case SV_ACT_EXIT:
            h_append(h, "EXIT %s", x->reason == SV_EXIT_SHUTDOWN ? "shutdown" : "?");
            if (!last) fail_msg("EXIT not last; trace: %s", h->trace);
            for (size_t s = 0; s < H_SLOTS; s++)
                if (h->live[s]) fail_msg("EXIT with %s#%u alive; trace: %s", h->names[s], h->live[s], h->trace);
            h->exited = true;
            break;
        default:
            fail_msg("unknown action %d", (int)x->kind);
        }
    }
    bool wants = n > 0 && (a[n - 1].kind == SV_ACT_START || a[n - 1].kind == SV_ACT_STOP);
    if (sv_core_busy(h->c) != wants)
        fail_msg("busy() disagrees with the last action; trace: %s", h->trace);
    if (sv_core_done(h->c) != h->exited)
        fail_msg("done() disagrees with EXIT; trace: %s", h->trace);
}

static inline size_t h_step_raw(h_t *h, const sv_core_in *in, sv_core_act *out)
{
    size_t n = sv_core_step(h->c, in, h->now, out);
    h_learn_names(h);
    return n;
}

static inline uint64_t h_rand(h_t *h, uint64_t n)
{
    uint64_t z = (h->chaos += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) % n;
}

/* While an answer to `want` is awaited, inputs other than that answer must
 * change nothing: admin gets REPLY(-EBUSY), anything else no action. */
static inline void h_junk_while_busy(h_t *h, const sv_core_in *want)
{
    if (h_rand(h, 3) != 0)
        return;
    sv_core_in j;
    memset(&j, 0, sizeof j);
    j.kind = (sv_core_in_kind)h_rand(h, 11); /* 10 is out of range */
    j.slot = want->slot + (uint32_t)h_rand(h, 2);
    j.incarnation = want->incarnation + 1 + (uint32_t)h_rand(h, 2);
    j.reason = SV_EXIT_PANIC;
    j.id = "a";
    sv_core_child spec = h_child("zz");
    j.child = &spec;
    if ((j.kind == SV_IN_START_RESULT || j.kind == SV_IN_STOP_RESULT) && h_rand(h, 2)) {
        /* right slot and incarnation, wrong kind of answer */
        j.kind = want->kind == SV_IN_START_RESULT ? SV_IN_STOP_RESULT : SV_IN_START_RESULT;
        j.incarnation = want->incarnation;
        j.slot = want->slot;
    }
    sv_core_act a[SV_CORE_MAX_ACTIONS];
    size_t n = sv_core_step(h->c, &j, h->now, a);
    bool admin = j.kind >= SV_IN_START_CHILD && j.kind <= SV_IN_DELETE_CHILD;
    if (admin) {
        if (n != 1 || a[0].kind != SV_ACT_REPLY || a[0].err != -EBUSY)
            fail_msg("admin while busy: %zu actions; trace: %s", n, h->trace);
    } else if (n != 0) {
        fail_msg("input kind %d while busy produced %zu actions; trace: %s", (int)j.kind, n, h->trace);
    }
    if (!sv_core_busy(h->c))
        fail_msg("junk input ended the wait; trace: %s", h->trace);
}

/* Feeds `in`, answers the core until it is idle; returns the trace. */
static inline const char *h_feed(h_t *h, const sv_core_in *in)
{
    h->trace[0] = '\0';
    h->nacts = 0;
    h->nbackoffs = 0;
    sv_core_act a[SV_CORE_MAX_ACTIONS];
    size_t n = h_step_raw(h, in, a);
    h_check_step(h, a, n);
    for (int guard = 0; n > 0 && (a[n - 1].kind == SV_ACT_START || a[n - 1].kind == SV_ACT_STOP); guard++) {
        if (guard > 100000)
            fail_msg("core never became idle; trace: %s", h->trace);
        sv_core_in r;
        memset(&r, 0, sizeof r);
        r.slot = a[n - 1].slot;
        r.incarnation = a[n - 1].incarnation;
        r.kind = a[n - 1].kind == SV_ACT_START ? SV_IN_START_RESULT : SV_IN_STOP_RESULT;
        if (h->chaos)
            h_junk_while_busy(h, &r);
        if (a[n - 1].kind == SV_ACT_START) {
            h_rule *rule = h_match(h, r.slot, r.incarnation, false);
            r.kind = SV_IN_START_RESULT;
            r.err = rule ? rule->err : 0;
            if (h->chaos && h_rand(h, 8) == 0)
                r.err = h_rand(h, 2) ? -EAGAIN : 3; /* a positive error is a failure too */
            if (!r.err)
                h->live[r.slot] = r.incarnation;
        } else {
            r.kind = SV_IN_STOP_RESULT;
            r.unstopped = h_match(h, r.slot, r.incarnation, true) != NULL;
            if (h->chaos && h_rand(h, 8) == 0)
                r.unstopped = true;
            h->live[r.slot] = 0;
        }
        n = h_step_raw(h, &r, a);
        h_check_step(h, a, n);
    }
    return h->trace;
}

static inline sv_core_in h_in(sv_core_in_kind kind)
{
    sv_core_in in;
    memset(&in, 0, sizeof in);
    in.kind = kind;
    return in;
}

static inline const char *h_simple(h_t *h, sv_core_in_kind kind)
{
    sv_core_in in = h_in(kind);
    return h_feed(h, &in);
}

#define h_init(h) h_simple((h), SV_IN_INIT)
#define h_timer(h) h_simple((h), SV_IN_TIMER)
#define h_shutdown(h) h_simple((h), SV_IN_SHUTDOWN)

/* h_setup, then INIT answered: every child running (unless a rule fails a start). */
static inline void h_setup_init(h_t *h, const sv_core_cfg *cfg, const char *spec)
{
    h_setup(h, cfg, spec);
    h_init(h);
}

/* h_setup_init on H with the defaults of h_cfg(s). */
static inline void h_setup_running(sv_strategy s, const char *spec)
{
    sv_core_cfg cfg = h_cfg(s);
    h_setup_init(&H, &cfg, spec);
}

/* Index of id in start order, or -1. */
static inline int h_index(h_t *h, const char *id)
{
    size_t n = sv_core_nchildren(h->c);
    for (size_t i = 0; i < n; i++) {
        const sv_core_child *spec;
        assert_int_equal(sv_core_child_at(h->c, i, NULL, &spec, NULL, NULL), 0);
        if (!strcmp(spec->id, id))
            return (int)i;
    }
    return -1;
}

static inline uint32_t h_slot(h_t *h, const char *id)
{
    for (uint32_t s = 0; s < H_SLOTS; s++)
        if (!strcmp(h->names[s], id))
            return s;
    fail_msg("no slot for %s", id);
    return 0;
}

static inline uint32_t h_inc(h_t *h, const char *id)
{
    int i = h_index(h, id);
    assert_true(i >= 0);
    uint32_t inc;
    assert_int_equal(sv_core_child_at(h->c, (size_t)i, NULL, NULL, NULL, &inc), 0);
    return inc;
}

/* State of id; -1 when absent. */
static inline int h_state(h_t *h, const char *id)
{
    int i = h_index(h, id);
    if (i < 0)
        return -1;
    sv_child_state st;
    assert_int_equal(sv_core_child_at(h->c, (size_t)i, NULL, NULL, &st, NULL), 0);
    return (int)st;
}

/* The worker id#inc ended with reason (inc 0: the current incarnation). */
static inline const char *h_exit_inc(h_t *h, const char *id, uint32_t inc, int reason)
{
    sv_core_in in = h_in(SV_IN_EXIT);
    in.slot = h_slot(h, id);
    in.incarnation = inc ? inc : h_inc(h, id);
    in.reason = reason;
    return h_feed(h, &in);
}

#define h_exit(h, id, reason) h_exit_inc((h), (id), 0, (reason))

static inline const char *h_admin(h_t *h, sv_core_in_kind kind, const char *id)
{
    sv_core_in in = h_in(kind);
    in.id = id;
    return h_feed(h, &in);
}

static inline const char *h_start_child(h_t *h, const char *word)
{
    sv_core_child ch = h_child(word);
    sv_core_in in = h_in(SV_IN_START_CHILD);
    in.child = &ch;
    return h_feed(h, &in);
}

#endif
