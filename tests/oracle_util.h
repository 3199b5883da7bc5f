/*
 * oracle_util.h — shared by the oracle's tests (tests/test_oracle*.c), which
 * run the oracle over hand-written traces. Header-only (static functions):
 * each test binary includes it once.
 *
 * Trace text, one event a line:  TIME_MS SUP KIND [CHILD|- [INC [REASON]]]
 * CRASH and LOGGED get message "boom" and a backtrace automatically; seq is
 * the line number (1-based). A mutation is a text edit of a correct trace
 * (edits, edits_all, without); expect_broken checks that the oracle names
 * the invariant the mutant breaks (and, with `only`, nothing else).
 *
 * The correct traces below (one per strategy and exit path) are the bases
 * of the mutations; each *_STOP is the seq of the last event before the
 * runner's stop request.
 */
#ifndef ORACLE_UTIL_H
#define ORACLE_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "oracle/fl_oracle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- trace text ------------------------------------------------------------ */

typedef struct trace {
    fl_event *ev;
    size_t n;
} trace;

static inline int kind_of(const char *name) {
    for (int k = 0; k < SV_EV__COUNT; k++)
        if (strcmp(sv_event_kind_name(k), name) == 0) return k;
    fail_msg("unknown event kind '%s'", name);
    return -1;
}

static inline int reason_of(const char *name) {
    for (int r = 0; r <= SV_EXIT_KILLED; r++)
        if (strcmp(sv_exit_name(r), name) == 0) return r;
    fail_msg("unknown reason '%s'", name);
    return -1;
}

static inline char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static inline trace parse(const char *text) {
    trace t = {0};
    char *copy = strdup(text), *save = NULL;
    size_t cap = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char sup[64], kind[64], child[64] = "-", reason[64] = "";
        long long ms;
        unsigned inc = 0;
        int got = sscanf(line, "%lld %63s %63s %63s %u %63s", &ms, sup, kind, child, &inc, reason);
        assert_true(got >= 3);
        if (t.n == cap) {
            cap = cap ? cap * 2 : 32;
            t.ev = realloc(t.ev, cap * sizeof *t.ev);
        }
        fl_event *e = &t.ev[t.n];
        memset(e, 0, sizeof *e);
        e->ev.seq = t.n + 1;
        e->ev.time_ns = ms * 1000000;
        e->ev.kind = (sv_event_kind)kind_of(kind);
        e->sup = strdup(sup);
        e->child = strcmp(child, "-") ? strdup(child) : NULL;
        e->ev.incarnation = inc;
        e->ev.reason = reason[0] ? reason_of(reason) : 0;
        if (e->ev.kind == SV_EV_CRASH || e->ev.kind == SV_EV_LOGGED) {
            e->message = dup_or_null("boom");
            e->backtrace = dup_or_null("#0 worker_fn+0x10\n#1 trampoline+0x20\n");
        }
        e->ev.sup = e->sup;
        e->ev.child = e->child;
        e->ev.message = e->message;
        e->ev.backtrace = e->backtrace;
        t.n++;
    }
    free(copy);
    return t;
}

static inline void trace_free(trace *t) {
    for (size_t i = 0; i < t->n; i++) {
        free(t->ev[i].sup);
        free(t->ev[i].child);
        free(t->ev[i].message);
        free(t->ev[i].backtrace);
    }
    free(t->ev);
    memset(t, 0, sizeof *t);
}

/* Text edits: each returns a fresh string the caller frees. */
static inline char *without(const char *text, const char *line) { /* drop the first line equal to `line` */
    size_t ll = strlen(line);
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == ll && memcmp(p, line, ll) == 0) {
            char *out = malloc(strlen(text) + 1);
            memcpy(out, text, (size_t)(p - text));
            strcpy(out + (p - text), e ? e + 1 : "");
            return out;
        }
        p += len + (e ? 1 : 0);
    }
    fail_msg("line '%s' not in the trace", line);
    return NULL;
}

static inline char *replace(const char *text, const char *from, const char *to) { /* first occurrence */
    const char *at = strstr(text, from);
    if (!at) fail_msg("'%s' not in the trace", from);
    char *out = malloc(strlen(text) + strlen(to) + 1);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    return out;
}

static inline char *replace_all(const char *text, const char *from, const char *to) {
    char *cur = strdup(text);
    size_t off = 0;
    for (char *at; (at = strstr(cur + off, from));) {
        size_t pos = (size_t)(at - cur);
        char *next = malloc(strlen(cur) + strlen(to) + 1);
        memcpy(next, cur, pos);
        strcpy(next + pos, to);
        strcat(next, at + strlen(from));
        free(cur);
        cur = next;
        off = pos + strlen(to);
    }
    return cur;
}

/* A copy of text with each (from, to) pair of the NULL-terminated list
 * replaced in turn: at its first occurrence (edits) or at every one
 * (edits_all). The caller frees. A `from` that edits cannot find fails the
 * test. */
static inline char *edits_v(const char *text, bool all, va_list ap) {
    char *cur = strdup(text);
    for (const char *from; (from = va_arg(ap, const char *));) {
        const char *to = va_arg(ap, const char *);
        char *next = all ? replace_all(cur, from, to) : replace(cur, from, to);
        free(cur);
        cur = next;
    }
    return cur;
}

static inline char *edits(const char *text, ...) __attribute__((sentinel));
static inline char *edits(const char *text, ...) {
    va_list ap;
    va_start(ap, text);
    char *out = edits_v(text, false, ap);
    va_end(ap);
    return out;
}

static inline char *edits_all(const char *text, ...) __attribute__((sentinel));
static inline char *edits_all(const char *text, ...) {
    va_list ap;
    va_start(ap, text);
    char *out = edits_v(text, true, ap);
    va_end(ap);
    return out;
}

/* ---- policies ----------------------------------------------------------------- */

static inline int worker(sv_worker *w, void *arg) { return 0; }

typedef struct pol {
    sv_child_spec ch[4];
    sv_sup_spec sup;
    sv_child_spec inner_ch[2];
    sv_sup_spec inner;
    fl_oracle_policy *p;
} pol;

/* root with children a, b, c (restart types given), strategy, intensity. */
static inline void pol_make(pol *p, sv_strategy st, uint32_t intensity, uint32_t period_ms,
                     sv_restart ra, sv_restart rb, sv_restart rc) {
    memset(p, 0, sizeof *p);
    const char *ids[3] = {"a", "b", "c"};
    sv_restart rs[3] = {ra, rb, rc};
    for (int i = 0; i < 3; i++) {
        sv_child_spec_init(&p->ch[i], ids[i], worker, NULL);
        p->ch[i].restart = rs[i];
    }
    sv_sup_spec_init(&p->sup, "root");
    p->sup.strategy = st;
    p->sup.intensity = intensity;
    p->sup.period_ms = period_ms;
    p->sup.children = p->ch;
    p->sup.nchildren = 3;
    assert_int_equal(fl_oracle_policy_new(&p->sup, &p->p), 0);
}

/* root over permanent a, b, c with the given strategy and intensity, period 5000 ms. */
static inline void pol_perm(pol *p, sv_strategy st, uint32_t intensity) {
    pol_make(p, st, intensity, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
}

/* root(one_for_one, intensity 3/5000): w (worker), inner (supervisor,
 * permanent) with x (worker); inner intensity 1/5000. */
static inline void pol_nested(pol *p) {
    memset(p, 0, sizeof *p);
    sv_child_spec_init(&p->inner_ch[0], "x", worker, NULL);
    sv_sup_spec_init(&p->inner, "inner");
    p->inner.intensity = 1;
    p->inner.children = p->inner_ch;
    p->inner.nchildren = 1;
    sv_child_spec_init(&p->ch[0], "w", worker, NULL);
    sv_child_spec_init(&p->ch[1], "inner", NULL, NULL);
    p->ch[1].sup = &p->inner;
    p->ch[1].shutdown = SV_SHUTDOWN_INFINITY;
    sv_sup_spec_init(&p->sup, "root");
    p->sup.intensity = 3;
    p->sup.children = p->ch;
    p->sup.nchildren = 2;
    assert_int_equal(fl_oracle_policy_new(&p->sup, &p->p), 0);
}

static inline fl_oracle_run_info run_ok(void) {
    fl_oracle_run_info r = {.end = FL_ORACLE_END_OK, .stop_requested = true, .stop_seq = 0, .stop_returned = true};
    return r;
}

/* Runs the oracle; returns the verdict (caller frees). stop_at: seq of the
 * last event before the runner's stop request (0: stop requested before
 * anything, i.e. never used as an excuse in these traces). */
static inline fl_oracle_verdict check_run(const fl_oracle_policy *p, const char *text, const fl_oracle_run_info *run) {
    trace t = parse(text);
    fl_oracle_verdict vd;
    fl_oracle_verdict_init(&vd);
    assert_int_equal(fl_oracle_check(p, t.ev, t.n, run, &vd), 0);
    trace_free(&t);
    return vd;
}

static inline fl_oracle_verdict check(const fl_oracle_policy *p, const char *text, uint64_t stop_at) {
    fl_oracle_run_info r = run_ok();
    r.stop_seq = stop_at;
    return check_run(p, text, &r);
}

static inline void print_verdict(const fl_oracle_verdict *vd) {
    if (vd->n) fl_oracle_verdict_print(vd, stderr);
}

static inline void expect_clean(const fl_oracle_policy *p, const char *text, uint64_t stop_at) {
    fl_oracle_verdict vd = check(p, text, stop_at);
    print_verdict(&vd);
    assert_int_equal(vd.n, 0);
    fl_oracle_verdict_free(&vd);
}

static inline bool all_are(const fl_oracle_verdict *vd, fl_oracle_inv inv) {
    for (size_t i = 0; i < vd->n; i++)
        if (vd->v[i].inv != inv) return false;
    return true;
}

/* The mutated trace violates inv (and, when only is set, nothing else). */
static inline void expect_violation(const fl_oracle_policy *p, const char *text, uint64_t stop_at, fl_oracle_inv inv, bool only) {
    fl_oracle_verdict vd = check(p, text, stop_at);
    if (!fl_oracle_verdict_find(&vd, inv) || (only && !all_are(&vd, inv))) {
        fprintf(stderr, "expected %s%s; got:\n", fl_oracle_inv_name(inv), only ? " only" : "");
        fl_oracle_verdict_print(&vd, stderr);
    }
    assert_non_null(fl_oracle_verdict_find(&vd, inv));
    if (only) assert_true(all_are(&vd, inv));
    const fl_oracle_violation *v = fl_oracle_verdict_find(&vd, inv);
    assert_true(v->message && v->message[0]);
    fl_oracle_verdict_free(&vd);
}

/* expect_violation over a mutant text (from edits, without, ...), which
 * it frees. */
static inline void expect_broken(const fl_oracle_policy *p, char *mutant, uint64_t stop_at, fl_oracle_inv inv, bool only) {
    expect_violation(p, mutant, stop_at, inv, only);
    free(mutant);
}

/* The oracle over the parsed trace t and run r finds exactly one
 * violation: inv, with `part` in its message. */
static inline void expect_only_one(const fl_oracle_policy *p, const trace *t, const fl_oracle_run_info *r, fl_oracle_inv inv,
                                   const char *part) {
    fl_oracle_verdict vd;
    fl_oracle_verdict_init(&vd);
    assert_int_equal(fl_oracle_check(p, t->ev, t->n, r, &vd), 0);
    assert_int_equal(vd.n, 1);
    assert_int_equal(vd.v[0].inv, inv);
    assert_non_null(strstr(vd.v[0].message, part));
    fl_oracle_verdict_free(&vd);
}

/* ---- correct traces ------------------------------------------------------------ */

#define START3 \
    "0 root sup_start\n" \
    "0 root start a 1\n0 root started a 1\n" \
    "0 root start b 1\n0 root started b 1\n" \
    "0 root start c 1\n0 root started c 1\n"

/* one_for_one: b crashes and is restarted alone; then the runner stops. */
static const char OFO[] = START3
    "100 root crash b 1 panic\n"
    "100 root logged b 1 panic\n"
    "100 root restart b 1 panic\n"
    "100 root stop_requested b 1\n"
    "100 root joined b 1 panic\n"
    "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n"
    "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n"
    "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n"
    "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";
#define OFO_STOP 17 /* last event before the runner's stop */

/* one_for_all: b crashes; c, b (join), a stopped in reverse; a, b, c started. */
static const char OFA[] = START3
    "100 root crash b 1 error\n"
    "100 root logged b 1 error\n"
    "100 root restart b 1 error\n"
    "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
    "100 root stop_requested b 1\n100 root joined b 1 error\n"
    "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n"
    "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n"
    "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n"
    "100 root start c 2\n100 root started c 2\n100 root restarted c 2\n"
    "2000 root stop_requested c 2\n2000 root exit c 2 shutdown\n2000 root joined c 2 shutdown\n"
    "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n"
    "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";
#define OFA_STOP 28

/* rest_for_one: b crashes; c and b stopped, b and c started; a untouched. */
static const char RFO[] = START3
    "100 root crash b 1 panic\n"
    "100 root logged b 1 panic\n"
    "100 root restart b 1 panic\n"
    "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
    "100 root stop_requested b 1\n100 root joined b 1 panic\n"
    "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n"
    "100 root start c 2\n100 root started c 2\n100 root restarted c 2\n"
    "2000 root stop_requested c 2\n2000 root exit c 2 shutdown\n2000 root joined c 2 shutdown\n"
    "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n"
    "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";
#define RFO_STOP 22

/* intensity 1 in 5000 ms: a crashes twice within 1 s -> shut down. */
static const char INTENS[] = START3
    "100 root crash a 1 panic\n100 root logged a 1 panic\n100 root restart a 1 panic\n"
    "100 root stop_requested a 1\n100 root joined a 1 panic\n"
    "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n"
    "900 root crash a 2 panic\n900 root logged a 2 panic\n"
    "900 root intensity_exceeded - 0 shutdown\n"
    "900 root stop_requested c 1\n900 root exit c 1 shutdown\n900 root joined c 1 shutdown\n"
    "900 root stop_requested b 1\n900 root exit b 1 shutdown\n900 root joined b 1 shutdown\n"
    "900 root stop_requested a 2\n900 root joined a 2 panic\n"
    "900 root shutdown - 0 shutdown\n";

/* transient a exits normally (not restarted, joined); temporary c crashes
 * (logged, joined, removed). */
static const char TRANS_TEMP[] = START3
    "100 root exit a 1 normal\n"
    "100 root stop_requested a 1\n100 root joined a 1 normal\n"
    "200 root crash c 1 panic\n200 root logged c 1 panic\n"
    "200 root stop_requested c 1\n200 root joined c 1 panic\n200 root child_removed c 1 panic\n"
    "2000 root stop_requested b 1\n2000 root exit b 1 shutdown\n2000 root joined b 1 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";
#define TT_STOP 15

/* nested: inner's x crashes twice -> inner exceeds intensity, escalates;
 * root restarts inner (a new instance). */
static const char NESTED[] =
    "0 root sup_start\n"
    "0 root start w 1\n0 root started w 1\n"
    "0 root start inner 1\n0 inner sup_start\n0 inner start x 1\n0 inner started x 1\n0 root started inner 1\n"
    "100 inner crash x 1 panic\n100 inner logged x 1 panic\n100 inner restart x 1 panic\n"
    "100 inner stop_requested x 1\n100 inner joined x 1 panic\n"
    "100 inner start x 2\n100 inner started x 2\n100 inner restarted x 2\n"
    "200 inner crash x 2 panic\n200 inner logged x 2 panic\n200 inner intensity_exceeded - 0 shutdown\n"
    "200 inner stop_requested x 2\n200 inner joined x 2 panic\n"
    "200 inner shutdown - 0 shutdown\n200 root escalated inner 1 shutdown\n"
    "200 root exit inner 1 shutdown\n"
    "200 root restart inner 1 shutdown\n"
    "200 root stop_requested inner 1\n200 root joined inner 1 shutdown\n"
    "200 root start inner 2\n200 inner sup_start\n200 inner start x 1\n200 inner started x 1\n"
    "200 root started inner 2\n200 root restarted inner 2\n"
    "2000 root stop_requested inner 2\n2000 inner stop_requested x 1\n2000 inner exit x 1 shutdown\n"
    "2000 inner joined x 1 shutdown\n2000 inner shutdown - 0 shutdown\n2000 root exit inner 2 shutdown\n"
    "2000 root joined inner 2 shutdown\n"
    "2000 root stop_requested w 1\n2000 root exit w 1 shutdown\n2000 root joined w 1 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";
#define NESTED_STOP 33

#endif
