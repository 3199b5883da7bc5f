/*
 * runtime_util.h — shared by the tests of libsv's runtime on real threads
 * (tests/test_runtime*.c). Header-only (static functions): each test binary
 * includes it once.
 *
 * The event hook records every event of the supervisors under test into one
 * process-wide trace R (mutex-protected: workers, supervisors and the test
 * thread all touch it); the rec_* queries answer "where is the first event
 * of this kind/child/incarnation", so tests assert on the order of events.
 *
 * rt_fix builds the usual root supervisor spec: rt_begin() clears the trace
 * and initialises the spec with the recorder's hooks, rt_add() appends a
 * child (tweak the returned spec before rt_start), rt_start() starts it and
 * fails the test unless that succeeds. The fixture owns the child specs, so
 * it must live as long as the supervisor does.
 */
#ifndef RUNTIME_UTIL_H
#define RUNTIME_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sv.h"
#include "sv_plat.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MS ((int64_t)1000000)

/* ---- the trace recorder ----------------------------------------------------- */

#define REC_MAX 4096

typedef struct rec_ev {
    uint64_t seq;
    sv_event_kind kind;
    char sup[64], child[64];
    uint32_t inc;
    int reason, err;
    int64_t time_ns, detail_ns;
    char msg[SV_MSG_MAX];
    bool has_bt;
} rec_ev;

typedef struct rec {
    pthread_mutex_t mu; /* guards everything below but log_lines */
    rec_ev ev[REC_MAX];
    size_t n;
    bool bad_seq; /* seq not 1, 2, 3, ... */
    atomic_uint log_lines;
} rec;

static rec R = { .mu = PTHREAD_MUTEX_INITIALIZER };

static inline void rec_reset(void)
{
    pthread_mutex_lock(&R.mu);
    R.n = 0;
    R.bad_seq = false;
    atomic_store(&R.log_lines, 0);
    pthread_mutex_unlock(&R.mu);
}

static inline void rec_hook(void *ud, const sv_event *e)
{
    (void)ud;
    pthread_mutex_lock(&R.mu);
    if (R.n < REC_MAX) {
        rec_ev *r = &R.ev[R.n];
        if (e->seq != (R.n ? R.ev[R.n - 1].seq + 1 : e->seq)) R.bad_seq = true;
        memset(r, 0, sizeof *r);
        r->seq = e->seq;
        r->kind = e->kind;
        snprintf(r->sup, sizeof r->sup, "%s", e->sup ? e->sup : "");
        snprintf(r->child, sizeof r->child, "%s", e->child ? e->child : "");
        r->inc = e->incarnation;
        r->reason = e->reason;
        r->err = e->err;
        r->time_ns = e->time_ns;
        r->detail_ns = e->detail_ns;
        snprintf(r->msg, sizeof r->msg, "%s", e->message ? e->message : "");
        r->has_bt = e->backtrace && e->backtrace[0];
        R.n++;
    }
    pthread_mutex_unlock(&R.mu);
}

static inline void rec_log(void *ud, const sv_event *ev, const char *line)
{
    (void)ud;
    (void)ev;
    if (line && line[0]) atomic_fetch_add(&R.log_lines, 1);
}

/* Index of the first event at or after `from` matching kind/child/inc
 * (child NULL, inc 0: any), or -1. */
static inline int rec_find_from(int from, sv_event_kind kind, const char *child, uint32_t inc)
{
    int found = -1;
    pthread_mutex_lock(&R.mu);
    for (size_t i = from < 0 ? 0 : (size_t)from; i < R.n; i++) {
        const rec_ev *r = &R.ev[i];
        if (r->kind == kind && (!child || strcmp(r->child, child) == 0) && (!inc || r->inc == inc)) {
            found = (int)i;
            break;
        }
    }
    pthread_mutex_unlock(&R.mu);
    return found;
}

static inline int rec_find(sv_event_kind kind, const char *child, uint32_t inc)
{
    return rec_find_from(0, kind, child, inc);
}

static inline int rec_count(sv_event_kind kind, const char *child)
{
    int n = 0;
    pthread_mutex_lock(&R.mu);
    for (size_t i = 0; i < R.n; i++)
        if (R.ev[i].kind == kind && (!child || strcmp(R.ev[i].child, child) == 0)) n++;
    pthread_mutex_unlock(&R.mu);
    return n;
}

static inline rec_ev rec_at(int i)
{
    pthread_mutex_lock(&R.mu);
    rec_ev e = R.ev[i];
    pthread_mutex_unlock(&R.mu);
    return e;
}

/* Wait until an event matching appears; its index, or -1 after 10 s. */
static inline int rec_wait(sv_event_kind kind, const char *child, uint32_t inc)
{
    int64_t until = sv_deadline_in(10000 * MS);
    int i;
    while ((i = rec_find(kind, child, inc)) < 0 && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
    return i;
}

static inline void spec_init(sv_sup_spec *s, const char *name, sv_child_spec *kids, size_t n)
{
    sv_sup_spec_init(s, name);
    s->children = kids;
    s->nchildren = n;
    s->on_event = rec_hook;
    s->log = rec_log;
}

/* ---- the root supervisor fixture ------------------------------------------------- */

#define RT_KIDS 8

typedef struct rt_fix {
    sv_child_spec k[RT_KIDS]; /* s.children points here */
    sv_sup_spec s;
} rt_fix;

/* Clears the trace; f->s becomes "root" with no children and the recorder's
 * hooks. Set strategy, intensity, ... on f->s before rt_start. */
static inline void rt_begin(rt_fix *f)
{
    rec_reset();
    memset(f, 0, sizeof *f);
    spec_init(&f->s, "root", f->k, 0);
}

/* Appends a child with the defaults of sv_child_spec_init; the returned spec
 * may be changed until rt_start. */
static inline sv_child_spec *rt_add(rt_fix *f, const char *id, sv_worker_fn fn, void *arg)
{
    assert_true(f->s.nchildren < RT_KIDS);
    sv_child_spec *c = &f->k[f->s.nchildren++];
    sv_child_spec_init(c, id, fn, arg);
    return c;
}

/* Starts the supervisor of f->s; the test fails unless that returns 0. The
 * caller frees the result with sv_sup_free. */
static inline sv_sup *rt_start(rt_fix *f)
{
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&f->s, &sup), 0);
    return sup;
}

/* Waits (sv_sup_wait, up to timeout_ms) for the supervisor to exit on its
 * own; fails the test unless it does; its exit reason. */
static inline int rt_wait_exit(sv_sup *sup, int64_t timeout_ms)
{
    int reason = -1;
    assert_int_equal(sv_sup_wait(sup, timeout_ms, &reason), 0);
    return reason;
}

/* fork() after flushing stdio, with the child's stderr sent to /dev/null
 * (it is about to die noisily); fails the test if fork fails. Returns the
 * child's pid in the parent and 0 in the child. Fork while the process has
 * no other thread: ThreadSanitizer cannot start threads in the child of a
 * multi-threaded fork, so fork tests run first in their binary. */
static inline pid_t rt_fork_quiet(void)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
    }
    return pid;
}

/* ---- workers -------------------------------------------------------------------- */

static inline int w_idle(sv_worker *w, void *arg)
{
    (void)arg;
    while (sv_worker_sleep(w, 1000) == 0) {
    }
    return 0;
}

/* Panics on its first incarnation only. */
static inline int w_panic_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) sv_panic("boom %d", 42);
    return w_idle(w, arg);
}

static inline int w_crash_always(sv_worker *w, void *arg)
{
    (void)arg;
    sv_panic("always (%u)", sv_worker_incarnation(w));
}

/* ---- assertions ------------------------------------------------------------------- */

/* Check crash < logged < joined < (re)started-of-next for child c, inc 1. */
static inline void assert_crash_cycle(const char *c, int reason, const char *msg_part)
{
    int crash = rec_wait(SV_EV_CRASH, c, 1);
    int next = rec_wait(SV_EV_STARTED, c, 2);
    assert_true(crash >= 0);
    assert_true(next >= 0);
    int logged = rec_find(SV_EV_LOGGED, c, 1);
    int joined = rec_find(SV_EV_JOINED, c, 1);
    int start2 = rec_find(SV_EV_START, c, 2);
    assert_true(logged >= 0);
    assert_true(joined >= 0);
    assert_true(crash < logged);
    assert_true(logged < joined);
    assert_true(joined < start2);
    assert_true(start2 < next);
    rec_ev ec = rec_at(crash), el = rec_at(logged), ej = rec_at(joined);
    assert_int_equal(ec.reason, reason);
    assert_int_equal(el.reason, reason);
    assert_int_equal(ej.reason, reason);
    assert_non_null(strstr(ec.msg, msg_part));
    assert_string_equal(ec.msg, el.msg);
    assert_int_equal(rec_count(SV_EV_LOGGED, c), 1);
    assert_int_equal(rec_count(SV_EV_CRASH, c), 1);
}

#endif
