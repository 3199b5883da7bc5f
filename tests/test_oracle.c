/*
 * test_oracle.c — the oracle over hand-written traces: a correct trace per
 * strategy (and per exit path) passes every invariant; mutated traces
 * violate exactly the invariant they break, caught under its name.
 *
 * Trace text, one event a line:  TIME_MS SUP KIND [CHILD|- [INC [REASON]]]
 * CRASH and LOGGED get message "boom" and a backtrace automatically; seq is
 * the line number (1-based).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "oracle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- trace text ------------------------------------------------------------ */

typedef struct trace {
    fl_event *ev;
    size_t n;
} trace;

static int kind_of(const char *name) {
    for (int k = 0; k < SV_EV__COUNT; k++)
        if (strcmp(sv_event_kind_name(k), name) == 0) return k;
    fail_msg("unknown event kind '%s'", name);
    return -1;
}

static int reason_of(const char *name) {
    for (int r = 0; r <= SV_EXIT_KILLED; r++)
        if (strcmp(sv_exit_name(r), name) == 0) return r;
    fail_msg("unknown reason '%s'", name);
    return -1;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static trace parse(const char *text) {
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

static void trace_free(trace *t) {
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
static char *without(const char *text, const char *line) { /* drop the first line equal to `line` */
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

static char *replace(const char *text, const char *from, const char *to) { /* first occurrence */
    const char *at = strstr(text, from);
    if (!at) fail_msg("'%s' not in the trace", from);
    char *out = malloc(strlen(text) + strlen(to) + 1);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    return out;
}

static char *replace_all(const char *text, const char *from, const char *to) {
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

/* ---- policies ----------------------------------------------------------------- */

static int worker(sv_worker *w, void *arg) { return 0; }

typedef struct pol {
    sv_child_spec ch[4];
    sv_sup_spec sup;
    sv_child_spec inner_ch[2];
    sv_sup_spec inner;
    fl_policy *p;
} pol;

/* root with children a, b, c (restart types given), strategy, intensity. */
static void pol_make(pol *p, sv_strategy st, uint32_t intensity, uint32_t period_ms,
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
    assert_int_equal(fl_policy_new(&p->sup, &p->p), 0);
}

/* root(one_for_one, intensity 3/5000): w (worker), inner (supervisor,
 * permanent) with x (worker); inner intensity 1/5000. */
static void pol_nested(pol *p) {
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
    assert_int_equal(fl_policy_new(&p->sup, &p->p), 0);
}

static fl_run_info run_ok(void) {
    fl_run_info r = {.end = FL_END_OK, .stop_requested = true, .stop_seq = 0, .stop_returned = true};
    return r;
}

/* Runs the oracle; returns the verdict (caller frees). stop_at: seq of the
 * last event before the runner's stop request (0: stop requested before
 * anything, i.e. never used as an excuse in these traces). */
static fl_verdict check_run(const fl_policy *p, const char *text, const fl_run_info *run) {
    trace t = parse(text);
    fl_verdict vd;
    fl_verdict_init(&vd);
    assert_int_equal(fl_oracle_check(p, t.ev, t.n, run, &vd), 0);
    trace_free(&t);
    return vd;
}

static fl_verdict check(const fl_policy *p, const char *text, uint64_t stop_at) {
    fl_run_info r = run_ok();
    r.stop_seq = stop_at;
    return check_run(p, text, &r);
}

static void print_verdict(const fl_verdict *vd) {
    if (vd->n) fl_verdict_print(vd, stderr);
}

static void expect_clean(const fl_policy *p, const char *text, uint64_t stop_at) {
    fl_verdict vd = check(p, text, stop_at);
    print_verdict(&vd);
    assert_int_equal(vd.n, 0);
    fl_verdict_free(&vd);
}

static bool all_are(const fl_verdict *vd, fl_inv inv) {
    for (size_t i = 0; i < vd->n; i++)
        if (vd->v[i].inv != inv) return false;
    return true;
}

/* The mutated trace violates inv (and, when only is set, nothing else). */
static void expect_violation(const fl_policy *p, const char *text, uint64_t stop_at, fl_inv inv, bool only) {
    fl_verdict vd = check(p, text, stop_at);
    if (!fl_verdict_find(&vd, inv) || (only && !all_are(&vd, inv))) {
        fprintf(stderr, "expected %s%s; got:\n", fl_inv_name(inv), only ? " only" : "");
        fl_verdict_print(&vd, stderr);
    }
    assert_non_null(fl_verdict_find(&vd, inv));
    if (only) assert_true(all_are(&vd, inv));
    const fl_violation *v = fl_verdict_find(&vd, inv);
    assert_true(v->message && v->message[0]);
    fl_verdict_free(&vd);
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

static void test_correct_traces_pass(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    expect_clean(p.p, OFO, OFO_STOP);
    fl_policy_free(p.p);
    pol_make(&p, SV_ONE_FOR_ALL, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    expect_clean(p.p, OFA, OFA_STOP);
    fl_policy_free(p.p);
    pol_make(&p, SV_REST_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    expect_clean(p.p, RFO, RFO_STOP);
    fl_policy_free(p.p);
    pol_make(&p, SV_ONE_FOR_ONE, 1, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    expect_clean(p.p, INTENS, 1000);
    fl_policy_free(p.p);
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_TRANSIENT, SV_PERMANENT, SV_TEMPORARY);
    expect_clean(p.p, TRANS_TEMP, TT_STOP);
    fl_policy_free(p.p);
    pol_nested(&p);
    expect_clean(p.p, NESTED, NESTED_STOP);
    fl_policy_free(p.p);
}

/* Intensity boundary: restarts exactly one period apart are accepted either
 * as inside or outside the window; one ms inside is not. */
static const char BOUNDARY[] = START3
    "1000 root crash a 1 panic\n1000 root logged a 1 panic\n1000 root restart a 1 panic\n"
    "1000 root stop_requested a 1\n1000 root joined a 1 panic\n"
    "1000 root start a 2\n1000 root started a 2\n1000 root restarted a 2\n"
    "6000 root crash a 2 panic\n6000 root logged a 2 panic\n6000 root restart a 2 panic\n"
    "6000 root stop_requested a 2\n6000 root joined a 2 panic\n"
    "6000 root start a 3\n6000 root started a 3\n6000 root restarted a 3\n"
    "9000 root stop_requested c 1\n9000 root exit c 1 shutdown\n9000 root joined c 1 shutdown\n"
    "9000 root stop_requested b 1\n9000 root exit b 1 shutdown\n9000 root joined b 1 shutdown\n"
    "9000 root stop_requested a 3\n9000 root exit a 3 shutdown\n9000 root joined a 3 shutdown\n"
    "9000 root shutdown - 0 shutdown\n";

static void test_intensity_window(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 1, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    expect_clean(p.p, BOUNDARY, 23);
    char *in = replace_all(BOUNDARY, "6000 ", "5999 ");
    expect_violation(p.p, in, 23, FL_INV_INTENSITY_SHUTDOWN, true);
    free(in);
    /* declaring intensity exceeded when the first restart left the window */
    char *early = replace_all(INTENS, "900 ", "6000 ");
    expect_violation(p.p, early, 1000, FL_INV_INTENSITY_SHUTDOWN, true);
    free(early);
    fl_policy_free(p.p);
}

/* ---- mutations: one invariant each ------------------------------------------------- */

static void test_crash_logged_once(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    /* logged twice */
    char *twice = replace(OFO, "100 root logged b 1 panic\n", "100 root logged b 1 panic\n100 root logged b 1 panic\n");
    expect_violation(p.p, twice, OFO_STOP + 1, FL_INV_CRASH_LOGGED_ONCE, false);
    free(twice);
    /* logged with another reason */
    char *reason = replace(OFO, "100 root logged b 1 panic", "100 root logged b 1 error");
    expect_violation(p.p, reason, OFO_STOP, FL_INV_CRASH_LOGGED_ONCE, true);
    free(reason);
    /* never logged (the report itself was consumed: this is a logging bug) */
    char *skip = without(OFO, "100 root logged b 1 panic");
    expect_violation(p.p, skip, OFO_STOP - 1, FL_INV_CRASH_LOGGED_ONCE, false);
    free(skip);
    /* logged without a crash */
    char *phantom = replace(OFO, "2000 root stop_requested c 1\n", "1500 root logged c 1 panic\n2000 root stop_requested c 1\n");
    expect_violation(p.p, phantom, OFO_STOP + 1, FL_INV_CRASH_LOGGED_ONCE, true);
    free(phantom);
    fl_policy_free(p.p);
}

static void test_crash_logged_backtrace(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    trace t = parse(OFO);
    for (size_t i = 0; i < t.n; i++)
        if (t.ev[i].ev.kind == SV_EV_LOGGED) { /* the supervisor dropped the backtrace */
            free(t.ev[i].backtrace);
            t.ev[i].backtrace = NULL;
            t.ev[i].ev.backtrace = NULL;
        }
    fl_run_info r = run_ok();
    r.stop_seq = OFO_STOP;
    fl_verdict vd;
    fl_verdict_init(&vd);
    assert_int_equal(fl_oracle_check(p.p, t.ev, t.n, &r, &vd), 0);
    assert_int_equal(vd.n, 1);
    assert_int_equal(vd.v[0].inv, FL_INV_CRASH_LOGGED_ONCE);
    assert_non_null(strstr(vd.v[0].message, "backtrace"));
    fl_verdict_free(&vd);
    trace_free(&t);
    fl_policy_free(p.p);
}

static void test_joined_before_restart(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    /* the replacement starts before the old incarnation is joined */
    char *early = replace(OFO, "100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                          "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n100 root joined b 1 panic\n");
    expect_violation(p.p, early, OFO_STOP, FL_INV_JOINED_BEFORE_RESTART, false);
    free(early);
    /* the join skipped entirely */
    char *skip = without(OFO, "100 root joined b 1 panic");
    expect_violation(p.p, skip, OFO_STOP - 1, FL_INV_JOINED_BEFORE_RESTART, false);
    free(skip);
    /* a join that did not wait: the thread ends after it, or never */
    char *late = replace(OFO, "2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n", "2000 root joined a 1 shutdown\n2000 root exit a 1 shutdown\n");
    expect_violation(p.p, late, OFO_STOP, FL_INV_JOINED_BEFORE_RESTART, false);
    free(late);
    char *never = without(OFO, "2000 root exit a 1 shutdown");
    expect_violation(p.p, never, OFO_STOP, FL_INV_JOINED_BEFORE_RESTART, true);
    free(never);
    /* joined twice */
    char *twice = replace(OFO, "2000 root joined a 1 shutdown\n", "2000 root joined a 1 shutdown\n2000 root joined a 1 shutdown\n");
    expect_violation(p.p, twice, OFO_STOP, FL_INV_JOINED_BEFORE_RESTART, false);
    free(twice);
    fl_policy_free(p.p);
}

static void test_restart_policy(void **state) {
    pol p;
    /* permanent crash never restarted */
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    char *norestart = replace(OFO, "100 root restart b 1 panic\n100 root stop_requested b 1\n100 root joined b 1 panic\n"
                              "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                              "100 root stop_requested b 1\n100 root joined b 1 panic\n");
    char *n2 = replace(norestart, "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n", "");
    expect_violation(p.p, n2, 12, FL_INV_RESTART_POLICY, true);
    free(norestart);
    free(n2);
    fl_policy_free(p.p);
    /* transient exit normal restarted; temporary crash restarted */
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_TRANSIENT, SV_PERMANENT, SV_TEMPORARY);
    char *tr = replace(TRANS_TEMP, "100 root joined a 1 normal\n",
                       "100 root joined a 1 normal\n100 root restart a 1 normal\n100 root start a 2\n100 root started a 2\n");
    char *tr2 = replace(tr, "2000 root shutdown", "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n2000 root shutdown");
    expect_violation(p.p, tr2, TT_STOP + 3, FL_INV_RESTART_POLICY, true);
    free(tr);
    free(tr2);
    char *tm = replace(TRANS_TEMP, "200 root child_removed c 1 panic\n", "200 root restart c 1 panic\n200 root start c 2\n200 root started c 2\n");
    char *tm2 = replace(tm, "2000 root shutdown", "2000 root stop_requested c 2\n2000 root exit c 2 shutdown\n2000 root joined c 2 shutdown\n2000 root shutdown");
    expect_violation(p.p, tm2, TT_STOP + 2, FL_INV_RESTART_POLICY, false);
    free(tm);
    free(tm2);
    fl_policy_free(p.p);
    /* a restart after intensity exceeded */
    pol_make(&p, SV_ONE_FOR_ONE, 1, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    char *after = replace(INTENS, "900 root shutdown - 0 shutdown\n",
                          "900 root start a 3\n900 root started a 3\n900 root stop_requested a 3\n900 root exit a 3 shutdown\n"
                          "900 root joined a 3 shutdown\n900 root shutdown - 0 shutdown\n");
    expect_violation(p.p, after, 1000, FL_INV_RESTART_POLICY, false);
    free(after);
    fl_policy_free(p.p);
}

static void test_strategy_set(void **state) {
    pol p;
    /* one_for_all that forgets to stop a */
    pol_make(&p, SV_ONE_FOR_ALL, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    char *miss = replace(OFA, "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n"
                         "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n", "");
    char *miss2 = replace(miss, "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n",
                          "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n");
    expect_violation(p.p, miss2, OFA_STOP - 6, FL_INV_STRATEGY_SET, true);
    free(miss);
    free(miss2);
    /* stops in start order instead of reverse */
    char *order = replace(OFA, "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
                          "100 root stop_requested b 1\n100 root joined b 1 error\n"
                          "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n",
                          "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n"
                          "100 root stop_requested b 1\n100 root joined b 1 error\n"
                          "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n");
    expect_violation(p.p, order, OFA_STOP, FL_INV_STRATEGY_SET, true);
    free(order);
    /* starts out of order */
    char *starts = replace(OFA, "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n"
                           "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                           "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n"
                           "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n");
    expect_violation(p.p, starts, OFA_STOP, FL_INV_STRATEGY_SET, true);
    free(starts);
    fl_policy_free(p.p);
    /* one_for_one that also stops and restarts c */
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    char *extra = replace(OFO, "100 root stop_requested b 1\n100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                          "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
                          "100 root stop_requested b 1\n100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n100 root restarted b 2\n"
                          "100 root start c 2\n100 root started c 2\n100 root restarted c 2\n");
    char *extra2 = replace(extra, "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n",
                           "2000 root stop_requested c 2\n2000 root exit c 2 shutdown\n2000 root joined c 2 shutdown\n");
    expect_violation(p.p, extra2, OFO_STOP + 6, FL_INV_STRATEGY_SET, false);
    free(extra);
    free(extra2);
    fl_policy_free(p.p);
    /* rest_for_one that restarts a as well */
    pol_make(&p, SV_REST_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    char *rfo = replace(RFO, "100 root stop_requested b 1\n100 root joined b 1 panic\n",
                        "100 root stop_requested b 1\n100 root joined b 1 panic\n"
                        "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n");
    char *rfo2 = replace(rfo, "100 root start b 2\n", "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n100 root start b 2\n");
    char *rfo3 = replace(rfo2, "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n",
                         "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n");
    expect_violation(p.p, rfo3, RFO_STOP + 6, FL_INV_STRATEGY_SET, false);
    free(rfo);
    free(rfo2);
    free(rfo3);
    fl_policy_free(p.p);
}

static void test_intensity_shutdown(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 1, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    /* the second crash restarted although it exceeds 1 restart in 5 s */
    char *over = replace(INTENS, "900 root intensity_exceeded - 0 shutdown\n",
                         "900 root restart a 2 panic\n900 root stop_requested a 2\n900 root joined a 2 panic\n"
                         "900 root start a 3\n900 root started a 3\n900 root restarted a 3\n");
    char *over2 = replace(over, "900 root stop_requested a 2\n900 root joined a 2 panic\n900 root shutdown",
                          "900 root stop_requested a 3\n900 root exit a 3 shutdown\n900 root joined a 3 shutdown\n900 root shutdown");
    expect_violation(p.p, over2, 1000, FL_INV_INTENSITY_SHUTDOWN, false);
    free(over);
    free(over2);
    /* intensity exceeded, but children stopped in start order */
    char *order = replace(INTENS, "900 root stop_requested c 1\n900 root exit c 1 shutdown\n900 root joined c 1 shutdown\n"
                          "900 root stop_requested b 1\n900 root exit b 1 shutdown\n900 root joined b 1 shutdown\n",
                          "900 root stop_requested b 1\n900 root exit b 1 shutdown\n900 root joined b 1 shutdown\n"
                          "900 root stop_requested c 1\n900 root exit c 1 shutdown\n900 root joined c 1 shutdown\n");
    expect_violation(p.p, order, 1000, FL_INV_INTENSITY_SHUTDOWN, true);
    free(order);
    fl_policy_free(p.p);
    /* nested: no escalation reported */
    pol_nested(&p);
    char *noesc = without(NESTED, "200 root escalated inner 1 shutdown");
    expect_violation(p.p, noesc, NESTED_STOP - 1, FL_INV_INTENSITY_SHUTDOWN, true);
    free(noesc);
    fl_policy_free(p.p);
}

static void test_no_lost_report(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    /* crash report never popped: no log, no restart; the supervisor joins
     * b only at shutdown */
    char *lost = replace(OFO, "100 root logged b 1 panic\n100 root restart b 1 panic\n100 root stop_requested b 1\n"
                         "100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n100 root restarted b 2\n", "");
    char *lost2 = replace(lost, "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n",
                          "2000 root stop_requested b 1\n2000 root joined b 1 panic\n");
    expect_violation(p.p, lost2, 8, FL_INV_NO_LOST_REPORT, false);
    free(lost);
    free(lost2);
    /* an exit report that is never acted upon until the final stop */
    char *idle = replace(OFO, "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n", "1000 root exit a 1 normal\n2000 root stop_requested a 1\n");
    char *idle2 = replace(idle, "2000 root joined a 1 shutdown", "2000 root joined a 1 normal");
    expect_violation(p.p, idle2, OFO_STOP + 1, FL_INV_NO_LOST_REPORT, false);
    free(idle);
    free(idle2);
    /* a report pushed twice */
    char *dup = replace(OFO, "2000 root exit c 1 shutdown\n", "2000 root exit c 1 shutdown\n2000 root exit c 1 shutdown\n");
    expect_violation(p.p, dup, OFO_STOP, FL_INV_NO_LOST_REPORT, true);
    free(dup);
    fl_policy_free(p.p);
    /* temporary child's exit never consumed */
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_TRANSIENT, SV_PERMANENT, SV_TEMPORARY);
    char *temp = replace(TRANS_TEMP, "200 root crash c 1 panic\n200 root logged c 1 panic\n"
                         "200 root stop_requested c 1\n200 root joined c 1 panic\n200 root child_removed c 1 panic\n",
                         "200 root exit c 1 normal\n");
    char *temp2 = replace(temp, "2000 root stop_requested b 1\n", "2000 root stop_requested c 1\n2000 root joined c 1 normal\n2000 root stop_requested b 1\n");
    expect_violation(p.p, temp2, 11, FL_INV_NO_LOST_REPORT, true);
    free(temp);
    free(temp2);
    fl_policy_free(p.p);
}

static void test_no_leaked_thread(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    trace t = parse(OFO);
    const char *names[] = {"root/b#2"};
    fl_run_info r = run_ok();
    r.stop_seq = OFO_STOP;
    r.leaked = names;
    r.nleaked = 1;
    fl_verdict vd;
    fl_verdict_init(&vd);
    assert_int_equal(fl_oracle_check(p.p, t.ev, t.n, &r, &vd), 0);
    assert_int_equal(vd.n, 1);
    assert_int_equal(vd.v[0].inv, FL_INV_NO_LEAKED_THREAD);
    assert_non_null(strstr(vd.v[0].message, "root/b#2"));
    fl_verdict_free(&vd);
    trace_free(&t);
    /* never joined nor unstopped (and no report): leaked and unjoined */
    char *unj = without(OFO, "2000 root joined c 1 shutdown");
    expect_violation(p.p, unj, OFO_STOP, FL_INV_NO_LEAKED_THREAD, false);
    free(unj);
    /* unstopped is accounted for */
    char *uns = replace(OFO, "2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n", "2000 root unstopped c 1 killed\n");
    expect_clean(p.p, uns, OFO_STOP);
    free(uns);
    fl_policy_free(p.p);
}

static void test_shutdown_completes(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    fl_run_info r = run_ok();
    r.end = FL_END_DEADLOCK;
    r.end_detail = "main blocked in join of root\nroot waits on queue";
    r.stop_returned = false;
    fl_verdict vd = check_run(p.p, OFO, &r);
    const fl_violation *v = fl_verdict_find(&vd, FL_INV_SHUTDOWN_COMPLETES);
    assert_non_null(v);
    assert_non_null(strstr(v->message, "deadlock: main blocked in join of root"));
    fl_verdict_free(&vd);
    /* no root shutdown */
    char *noend = without(OFO, "2000 root shutdown - 0 shutdown");
    expect_violation(p.p, noend, OFO_STOP, FL_INV_SHUTDOWN_COMPLETES, true);
    free(noend);
    /* shutdown sweep in start order */
    char *order = replace(OFO, "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n", "");
    char *order2 = replace(order, "2000 root shutdown", "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n2000 root shutdown");
    expect_violation(p.p, order2, OFO_STOP, FL_INV_SHUTDOWN_COMPLETES, true);
    free(order);
    free(order2);
    /* an event after shutdown */
    char *late = replace(OFO, "2000 root shutdown - 0 shutdown\n", "2000 root shutdown - 0 shutdown\n2000 root restart a 1 panic\n");
    expect_violation(p.p, late, OFO_STOP, FL_INV_SHUTDOWN_COMPLETES, false);
    free(late);
    fl_policy_free(p.p);
}

/* auto_shutdown=any_significant: transient significant a exits normally ->
 * joined, auto_shutdown, the others stopped in reverse order. */
static const char AUTO[] = START3
    "100 root exit a 1 normal\n"
    "100 root stop_requested a 1\n100 root joined a 1 normal\n"
    "100 root auto_shutdown - 0 shutdown\n"
    "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
    "100 root stop_requested b 1\n100 root exit b 1 shutdown\n100 root joined b 1 shutdown\n"
    "100 root shutdown - 0 shutdown\n";

static void pol_auto(pol *p, sv_auto_shutdown mode) {
    memset(p, 0, sizeof *p);
    const char *ids[3] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) sv_child_spec_init(&p->ch[i], ids[i], worker, NULL);
    p->ch[0].restart = SV_TRANSIENT;
    p->ch[0].significant = true;
    sv_sup_spec_init(&p->sup, "root");
    p->sup.intensity = 3;
    p->sup.auto_shutdown = mode;
    p->sup.children = p->ch;
    p->sup.nchildren = 3;
    assert_int_equal(fl_policy_new(&p->sup, &p->p), 0);
}

static void test_auto_shutdown(void **state) {
    pol p;
    pol_auto(&p, SV_AUTO_ANY_SIGNIFICANT);
    expect_clean(p.p, AUTO, 1000);
    /* the supervisor ignores the significant exit */
    char *ignored = replace(AUTO, "100 root auto_shutdown - 0 shutdown\n", "");
    char *ig2 = replace_all(ignored, "100 root stop_requested c", "2000 root stop_requested c");
    char *ig3 = replace_all(ig2, "100 root exit c", "2000 root exit c");
    char *ig4 = replace_all(ig3, "100 root joined c", "2000 root joined c");
    char *ig5 = replace_all(ig4, "100 root stop_requested b", "2000 root stop_requested b");
    char *ig6 = replace_all(ig5, "100 root exit b", "2000 root exit b");
    char *ig7 = replace_all(ig6, "100 root joined b", "2000 root joined b");
    char *ig8 = replace_all(ig7, "100 root shutdown", "2000 root shutdown");
    expect_violation(p.p, ig8, 10, FL_INV_SHUTDOWN_COMPLETES, true);
    char *v[] = {ignored, ig2, ig3, ig4, ig5, ig6, ig7, ig8};
    for (size_t i = 0; i < 8; i++) free(v[i]);
    fl_policy_free(p.p);
    /* auto_shutdown although the policy says never */
    pol_auto(&p, SV_AUTO_NEVER);
    expect_violation(p.p, AUTO, 1000, FL_INV_SHUTDOWN_COMPLETES, true);
    fl_policy_free(p.p);
    /* a shutdown with no reason at all (intensity_exceeded missing) */
    pol_make(&p, SV_ONE_FOR_ONE, 1, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    char *noreason = without(INTENS, "900 root intensity_exceeded - 0 shutdown");
    expect_violation(p.p, noreason, 1000, FL_INV_SHUTDOWN_COMPLETES, false);
    free(noreason);
    /* events before sup_start */
    char *nostart = without(OFO, "0 root sup_start");
    expect_violation(p.p, nostart, OFO_STOP - 1, FL_INV_SHUTDOWN_COMPLETES, true);
    free(nostart);
    fl_policy_free(p.p);
}

/* ---- API details ------------------------------------------------------------------ */

static void test_names_and_verdicts(void **state) {
    for (int i = 0; i < FL_INV__COUNT; i++) assert_int_equal(fl_inv_from_name(fl_inv_name(i)), i);
    assert_int_equal(fl_inv_from_name("nope"), -1);
    assert_string_equal(fl_inv_name(FL_INV__COUNT), "?");
    fl_verdict vd;
    fl_verdict_init(&vd);
    uint64_t s1[] = {9, 4};
    uint64_t s2[] = {2};
    assert_int_equal(fl_verdict_add(&vd, FL_INV_STRATEGY_SET, s1, 2, "x %d", 1), 0);
    assert_int_equal(fl_verdict_add(&vd, FL_INV_NO_LEAKED_THREAD, NULL, 0, "leak"), 0);
    assert_int_equal(fl_verdict_add(&vd, FL_INV_RESTART_POLICY, s2, 1, "y"), 0);
    assert_int_equal(vd.v[0].seqs[0], 4); /* sorted */
    assert_string_equal(vd.v[0].message, "x 1");
    assert_int_equal(fl_verdict_primary(&vd)->inv, FL_INV_RESTART_POLICY);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fl_verdict_print(&vd, f);
    fclose(f);
    assert_string_equal(buf, "strategy_set: x 1 [events #4 #9]\nno_leaked_thread: leak\nrestart_policy: y [events #2]\n");
    free(buf);
    fl_verdict_free(&vd);
    assert_int_equal(vd.n, 0);
}

static void test_policy_errors(void **state) {
    sv_child_spec c[2];
    sv_child_spec_init(&c[0], "a", worker, NULL);
    sv_child_spec_init(&c[1], "a", worker, NULL);
    sv_sup_spec s;
    sv_sup_spec_init(&s, "root");
    s.children = c;
    s.nchildren = 2;
    fl_policy *p = NULL;
    assert_int_equal(fl_policy_new(&s, &p), -EINVAL); /* duplicate id */
    s.nchildren = 1;
    assert_int_equal(fl_policy_new(&s, &p), 0);
    sv_child_spec d;
    sv_child_spec_init(&d, "dyn", worker, NULL);
    assert_int_equal(fl_policy_add_child(p, "root", &d), 0);
    assert_int_equal(fl_policy_add_child(p, "root", &d), -EEXIST);
    assert_int_equal(fl_policy_add_child(p, "nope", &d), -ENOENT);
    fl_policy_free(p);
}

/* A dynamic child started by an admin call and restarted later is judged by
 * its own policy; events inside the admin call need no cause. */
static void test_admin_and_dynamic(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_PERMANENT);
    sv_child_spec d;
    sv_child_spec_init(&d, "d", worker, NULL);
    d.restart = SV_TRANSIENT;
    assert_int_equal(fl_policy_add_child(p.p, "root", &d), 0);
    const char *text = START3
        "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n100 root child_terminated a 1 shutdown\n"
        "200 root start a 2\n200 root started a 2\n"
        "300 root start d 1\n300 root started d 1\n"
        "400 root crash d 1 panic\n400 root logged d 1 panic\n400 root restart d 1 panic\n"
        "400 root stop_requested d 1\n400 root joined d 1 panic\n"
        "400 root start d 2\n400 root started d 2\n400 root restarted d 2\n"
        "2000 root stop_requested d 2\n2000 root exit d 2 shutdown\n2000 root joined d 2 shutdown\n"
        "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n"
        "2000 root stop_requested b 1\n2000 root exit b 1 shutdown\n2000 root joined b 1 shutdown\n"
        "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n"
        "2000 root shutdown - 0 shutdown\n";
    fl_admin_call calls[] = {
        {FL_ADMIN_TERMINATE, "root", "a", 7, 11, 0},
        {FL_ADMIN_RESTART, "root", "a", 11, 13, 0},
        {FL_ADMIN_START, "root", "d", 13, 15, 0},
    };
    fl_run_info r = run_ok();
    r.stop_seq = 23;
    r.admin = calls;
    r.nadmin = 3;
    fl_verdict vd = check_run(p.p, text, &r);
    print_verdict(&vd);
    assert_int_equal(vd.n, 0);
    fl_verdict_free(&vd);
    /* without the admin record, a's restart has no cause */
    r.nadmin = 0;
    vd = check_run(p.p, text, &r);
    assert_non_null(fl_verdict_find(&vd, FL_INV_RESTART_POLICY));
    fl_verdict_free(&vd);
    fl_policy_free(p.p);
}

/* Arbitrary traces (unknown kinds, reasons and names, zero incarnations,
 * time going backwards) never crash the oracle or read out of bounds. */
static void test_garbage_traces(void **state) {
    pol p;
    pol_nested(&p);
    const char *sups[] = {"root", "inner", "ghost", NULL};
    const char *kids[] = {"w", "inner", "x", "zz", NULL};
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    int rounds = getenv("FL_FLAVOUR") && strcmp(getenv("FL_FLAVOUR"), "plain") ? 100 : 400;
    for (int round = 0; round < rounds; round++) {
        size_t n = 1 + round % 60;
        fl_event *ev = calloc(n, sizeof *ev);
        for (size_t i = 0; i < n; i++) {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
            sv_event *e = &ev[i].ev;
            e->seq = i + 1;
            e->time_ns = (int64_t)(rng % 5000) * 1000000 - 1000000;
            e->kind = (sv_event_kind)(rng % (SV_EV__COUNT + 2));
            e->sup = sups[(rng >> 8) % 4];
            e->child = kids[(rng >> 12) % 5];
            e->incarnation = (uint32_t)((rng >> 16) % 4);
            e->reason = (int)((rng >> 20) % 8) - 1;
            e->message = (rng >> 24) & 1 ? "m" : NULL;
            e->backtrace = (rng >> 25) & 1 ? "#0 x\n" : NULL;
        }
        const char *leaked[] = {"t"};
        fl_admin_call adm = {FL_ADMIN_RESTART, "root", "w", 2, 5, 0};
        fl_run_info r = {.end = (fl_run_end)(round % 5), .stop_requested = round & 1, .stop_seq = (uint64_t)round % 7,
                         .stop_returned = true, .leaked = leaked, .nleaked = (size_t)(round % 2),
                         .admin = &adm, .nadmin = 1};
        fl_verdict vd;
        fl_verdict_init(&vd);
        assert_int_equal(fl_oracle_check(p.p, ev, n, &r, &vd), 0);
        for (size_t i = 0; i < vd.n; i++) assert_true(vd.v[i].inv < FL_INV_EXPECTATION);
        fl_verdict_free(&vd);
        free(ev);
    }
    fl_policy_free(p.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_traces_pass),
        cmocka_unit_test(test_intensity_window),
        cmocka_unit_test(test_crash_logged_once),
        cmocka_unit_test(test_crash_logged_backtrace),
        cmocka_unit_test(test_joined_before_restart),
        cmocka_unit_test(test_restart_policy),
        cmocka_unit_test(test_strategy_set),
        cmocka_unit_test(test_intensity_shutdown),
        cmocka_unit_test(test_no_lost_report),
        cmocka_unit_test(test_no_leaked_thread),
        cmocka_unit_test(test_shutdown_completes),
        cmocka_unit_test(test_names_and_verdicts),
        cmocka_unit_test(test_policy_errors),
        cmocka_unit_test(test_admin_and_dynamic),
        cmocka_unit_test(test_garbage_traces),
        cmocka_unit_test(test_auto_shutdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
