/*
 * test_runtime.c — libsv's runtime on real threads (POSIX binding): crash
 * capture (panic, error return, signals), logging, joins, restarts,
 * unstopped workers, start failures and intensity, nested supervisors and
 * escalation, one_for_all, the admin API. The event hook records the trace;
 * assertions are about its order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sv.h"
#include "sv_plat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
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
    pthread_mutex_t mu;
    rec_ev ev[REC_MAX];
    size_t n;
    bool bad_seq; /* seq not 1, 2, 3, ... */
    atomic_uint log_lines;
} rec;

static rec R;

static void rec_reset(void)
{
    pthread_mutex_lock(&R.mu);
    R.n = 0;
    R.bad_seq = false;
    atomic_store(&R.log_lines, 0);
    pthread_mutex_unlock(&R.mu);
}

static void rec_hook(void *ud, const sv_event *e)
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

static void rec_log(void *ud, const sv_event *ev, const char *line)
{
    (void)ud;
    (void)ev;
    if (line && line[0]) atomic_fetch_add(&R.log_lines, 1);
}

/* Index of the first event at or after `from` matching kind/child/inc
 * (child NULL, inc 0: any), or -1. */
static int rec_find_from(int from, sv_event_kind kind, const char *child, uint32_t inc)
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

static int rec_find(sv_event_kind kind, const char *child, uint32_t inc)
{
    return rec_find_from(0, kind, child, inc);
}

static int rec_count(sv_event_kind kind, const char *child)
{
    int n = 0;
    pthread_mutex_lock(&R.mu);
    for (size_t i = 0; i < R.n; i++)
        if (R.ev[i].kind == kind && (!child || strcmp(R.ev[i].child, child) == 0)) n++;
    pthread_mutex_unlock(&R.mu);
    return n;
}

static rec_ev rec_at(int i)
{
    pthread_mutex_lock(&R.mu);
    rec_ev e = R.ev[i];
    pthread_mutex_unlock(&R.mu);
    return e;
}

/* Wait until an event matching appears; its index, or -1 after 10 s. */
static int rec_wait(sv_event_kind kind, const char *child, uint32_t inc)
{
    int64_t until = sv_deadline_in(10000 * MS);
    int i;
    while ((i = rec_find(kind, child, inc)) < 0 && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
    return i;
}

static void spec_init(sv_sup_spec *s, const char *name, sv_child_spec *kids, size_t n)
{
    sv_sup_spec_init(s, name);
    s->children = kids;
    s->nchildren = n;
    s->on_event = rec_hook;
    s->log = rec_log;
}

/* ---- workers -------------------------------------------------------------------- */

static int w_idle(sv_worker *w, void *arg)
{
    (void)arg;
    while (sv_worker_sleep(w, 1000) == 0) {
    }
    return 0;
}

/* Panics on its first incarnation only. */
static int w_panic_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) sv_panic("boom %d", 42);
    return w_idle(w, arg);
}

static int w_return_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) return 7;
    return w_idle(w, arg);
}

static atomic_uint stubborn_release, stubborn_alive;

/* Ignores stop requests until released. */
static int w_stubborn(sv_worker *w, void *arg)
{
    (void)w;
    (void)arg;
    atomic_fetch_add(&stubborn_alive, 1);
    while (!atomic_load(&stubborn_release)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    atomic_fetch_sub(&stubborn_alive, 1);
    return 0;
}

static int w_crash_always(sv_worker *w, void *arg)
{
    (void)arg;
    sv_panic("always (%u)", sv_worker_incarnation(w));
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_panic_outside_worker_aborts(void **state)
{
    (void)state;
    assert_null(sv_worker_self());
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        sv_panic("not in a worker");
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

/* Check crash < logged < joined < (re)started-of-next for child c, inc 1. */
static void assert_crash_cycle(const char *c, int reason, const char *msg_part)
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

static void test_panic_logged_joined_restarted(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "idle", w_idle, NULL);
    sv_child_spec_init(&k[1], "bomb", w_panic_once, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    s.intensity = 3;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    assert_crash_cycle("bomb", SV_EXIT_PANIC, "boom 42");
    rec_ev ec = rec_at(rec_find(SV_EV_CRASH, "bomb", 1));
    assert_true(ec.has_bt);
    assert_true(rec_at(rec_find(SV_EV_LOGGED, "bomb", 1)).has_bt);
    assert_true(rec_find(SV_EV_RESTARTED, "bomb", 2) >= 0);
    assert_int_equal(sv_sup_stop(sup), 0);
    assert_int_equal(sv_sup_stop(sup), 0); /* idempotent */
    int reason = -1;
    assert_int_equal(sv_sup_wait(sup, 0, &reason), 0);
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);
    sv_sup_free(sup);

    /* Children stop in reverse start order; SHUTDOWN is the last event. */
    int sb = rec_find(SV_EV_STOP_REQUESTED, "bomb", 2), si = rec_find(SV_EV_STOP_REQUESTED, "idle", 1);
    assert_true(sb >= 0 && si > sb);
    int shut = rec_find(SV_EV_SHUTDOWN, NULL, 0);
    pthread_mutex_lock(&R.mu);
    size_t n = R.n;
    bool bad_seq = R.bad_seq;
    pthread_mutex_unlock(&R.mu);
    assert_int_equal(shut, (int)n - 1);
    assert_false(bad_seq);
    assert_int_equal(rec_at(0).kind, SV_EV_SUP_START);
    assert_true(atomic_load(&R.log_lines) >= 3); /* logged, joined, restarted, shutdown */
}

static void test_error_return_is_crash(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec k;
    sv_child_spec_init(&k, "ret", w_return_once, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", &k, 1);
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    assert_crash_cycle("ret", SV_EXIT_ERROR, "returned 7");
    sv_sup_free(sup);
    /* A stopped worker returning 0 ends with reason shutdown, not a crash. */
    int ex = rec_find(SV_EV_EXIT, "ret", 2);
    assert_true(ex >= 0);
    assert_int_equal(rec_at(ex).reason, SV_EXIT_SHUTDOWN);
}

static void test_unstopped_worker(void **state)
{
    (void)state;
    rec_reset();
    atomic_store(&stubborn_release, 0);
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "stubborn", w_stubborn, NULL);
    k[0].shutdown_ms = 50;
    sv_child_spec_init(&k[1], "bomb", w_panic_once, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    s.strategy = SV_ONE_FOR_ALL;
    s.intensity = 5;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);

    /* bomb crashes; one_for_all stops stubborn, which does not stop within
     * 50 ms: abandoned, and the supervisor goes on to restart both. */
    int un = rec_wait(SV_EV_UNSTOPPED, "stubborn", 1);
    assert_true(un >= 0);
    assert_int_equal(rec_at(un).reason, SV_EXIT_KILLED);
    assert_true(rec_wait(SV_EV_STARTED, "bomb", 2) > un);
    assert_true(rec_find(SV_EV_STARTED, "stubborn", 2) > un);

    sv_child_info info[2];
    size_t n = 0;
    assert_int_equal(sv_which_children(sup, info, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(info[0].state, SV_CHILD_RUNNING);
    assert_int_equal(info[0].incarnation, 2);

    int64_t t0 = sv_now();
    assert_int_equal(sv_sup_stop(sup), 0);
    assert_true(sv_now() - t0 < 2000 * MS);
    assert_true(rec_find(SV_EV_UNSTOPPED, "stubborn", 2) >= 0);
    sv_sup_free(sup);

    /* The abandoned threads end later without touching freed memory. */
    atomic_store(&stubborn_release, 1);
    int64_t until = sv_deadline_in(5000 * MS);
    while (atomic_load(&stubborn_alive) && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
    assert_int_equal(atomic_load(&stubborn_alive), 0);
    sv_sleep_until(sv_deadline_in(20 * MS)); /* let them leave the trampoline */
}

static atomic_int init_fail_from;

static int init_fails_later(void *arg, uint32_t inc)
{
    (void)arg;
    return (int)inc >= atomic_load(&init_fail_from) ? -EAGAIN : 0;
}

static void test_start_failures_and_intensity(void **state)
{
    (void)state;
    rec_reset();
    atomic_store(&init_fail_from, 2);
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "idle", w_idle, NULL);
    sv_child_spec_init(&k[1], "flaky", w_crash_always, NULL);
    k[1].init = init_fails_later;
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    s.intensity = 3;
    s.period_ms = 60000;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    int reason = -1;
    assert_int_equal(sv_sup_wait(sup, 10000, &reason), 0);
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);

    int f = rec_find(SV_EV_START_FAILED, "flaky", 2);
    assert_true(f >= 0);
    assert_int_equal(rec_at(f).err, -EAGAIN);
    assert_true(rec_find(SV_EV_START, "flaky", 3) > f); /* retried */
    assert_true(rec_count(SV_EV_START_FAILED, "flaky") >= 2);
    int ie = rec_find(SV_EV_INTENSITY_EXCEEDED, NULL, 0);
    assert_true(ie > f);
    /* then everything is stopped and the supervisor exits */
    assert_true(rec_find_from(ie, SV_EV_JOINED, "idle", 1) > ie);
    assert_true(rec_find(SV_EV_SHUTDOWN, NULL, 0) > ie);
    /* admin after exit */
    assert_int_equal(sv_terminate_child(sup, "idle"), -SV_ESHUTDOWN);
    sv_child_counts cnt;
    assert_int_equal(sv_count_children(sup, &cnt), -SV_ESHUTDOWN);
    sv_sup_free(sup);

    /* A first start that fails fails sv_sup_start, after stopping the
     * children already started. */
    rec_reset();
    atomic_store(&init_fail_from, 1);
    sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), -EAGAIN);
    assert_null(sup);
    assert_true(rec_find(SV_EV_JOINED, "idle", 1) > rec_find(SV_EV_START_FAILED, "flaky", 1));
}

static void test_bad_specs(void **state)
{
    (void)state;
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "a", w_idle, NULL);
    sv_child_spec_init(&k[1], "a", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    sv_sup *sup = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL); /* duplicate id */
    k[1].id = "";
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL); /* empty id */
    k[1].id = "b";
    k[1].fn = NULL;
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL); /* neither fn nor sup */
    k[1].fn = w_idle;
    k[1].sup = &s;
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL); /* both (and a cycle) */
    k[1].sup = NULL;
    k[1].significant = true;
    assert_int_equal(sv_sup_start(&s, &sup), -EINVAL); /* significant permanent */
    assert_null(sup);
}

static void test_one_for_all(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec k[3];
    sv_child_spec_init(&k[0], "a", w_idle, NULL);
    sv_child_spec_init(&k[1], "b", w_panic_once, NULL);
    sv_child_spec_init(&k[2], "c", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", k, 3);
    s.strategy = SV_ONE_FOR_ALL;
    s.intensity = 2;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    assert_true(rec_wait(SV_EV_STARTED, "c", 2) >= 0);
    sv_sup_free(sup);

    int crash = rec_find(SV_EV_CRASH, "b", 1);
    int sc = rec_find(SV_EV_STOP_REQUESTED, "c", 1), sb = rec_find(SV_EV_STOP_REQUESTED, "b", 1),
        sa = rec_find(SV_EV_STOP_REQUESTED, "a", 1);
    int ta = rec_find(SV_EV_STARTED, "a", 2), tb = rec_find(SV_EV_STARTED, "b", 2),
        tc = rec_find(SV_EV_STARTED, "c", 2);
    assert_true(crash >= 0);
    /* stop in reverse start order, each joined before the next stop */
    assert_true(crash < sc && sc < sb && sb < sa);
    assert_true(rec_find(SV_EV_JOINED, "c", 1) < sb);
    assert_true(rec_find(SV_EV_JOINED, "a", 1) < ta);
    /* start in order */
    assert_true(sa < ta && ta < tb && tb < tc);
    assert_int_equal(rec_count(SV_EV_RESTART, NULL), 1);
}

static void test_admin(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec k;
    sv_child_spec_init(&k, "first", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", &k, 1);
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);

    sv_child_spec d;
    sv_child_spec_init(&d, "dyn", w_idle, NULL);
    assert_int_equal(sv_start_child(sup, &d), 0);
    assert_int_equal(sv_start_child(sup, &d), -SV_EALREADY_STARTED);
    sv_child_spec t;
    sv_child_spec_init(&t, "temp", w_idle, NULL);
    t.restart = SV_TEMPORARY;
    assert_int_equal(sv_start_child(sup, &t), 0);
    sv_child_spec bad;
    sv_child_spec_init(&bad, "", w_idle, NULL);
    assert_int_equal(sv_start_child(sup, &bad), -EINVAL);

    sv_child_info info[4];
    size_t n = 0;
    assert_int_equal(sv_which_children(sup, info, 4, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(info[0].id, "first");
    assert_string_equal(info[1].id, "dyn");
    assert_string_equal(info[2].id, "temp");
    assert_int_equal(info[1].state, SV_CHILD_RUNNING);
    assert_int_equal(info[1].incarnation, 1);
    assert_int_equal(info[2].restart, SV_TEMPORARY);
    assert_false(info[1].is_supervisor);
    assert_int_equal(sv_which_children(sup, info, 1, &n), 0); /* cap < n */
    assert_int_equal(n, 3);

    sv_child_counts c;
    assert_int_equal(sv_count_children(sup, &c), 0);
    assert_int_equal(c.specs, 3);
    assert_int_equal(c.active, 3);
    assert_int_equal(c.workers, 3);
    assert_int_equal(c.supervisors, 0);

    assert_int_equal(sv_delete_child(sup, "dyn"), -SV_ERUNNING);
    assert_int_equal(sv_restart_child(sup, "dyn"), -SV_ERUNNING);
    assert_int_equal(sv_terminate_child(sup, "dyn"), 0);
    assert_true(rec_find(SV_EV_JOINED, "dyn", 1) >= 0);
    assert_int_equal(sv_start_child(sup, &d), -SV_EALREADY_PRESENT);
    assert_int_equal(sv_which_children(sup, info, 4, &n), 0);
    assert_int_equal(info[1].state, SV_CHILD_STOPPED);
    assert_int_equal(sv_restart_child(sup, "dyn"), 0);
    assert_true(rec_find(SV_EV_STARTED, "dyn", 2) >= 0);
    assert_int_equal(sv_terminate_child(sup, "dyn"), 0);
    assert_int_equal(sv_delete_child(sup, "dyn"), 0);
    assert_int_equal(sv_delete_child(sup, "dyn"), -SV_ENOT_FOUND);
    assert_int_equal(sv_terminate_child(sup, "nope"), -SV_ENOT_FOUND);
    /* a temporary child's spec goes with its termination */
    assert_int_equal(sv_terminate_child(sup, "temp"), 0);
    assert_int_equal(sv_count_children(sup, &c), 0);
    assert_int_equal(c.specs, 1);
    /* an id can be reused after delete */
    assert_int_equal(sv_start_child(sup, &d), 0);
    assert_int_equal(sv_count_children(sup, &c), 0);
    assert_int_equal(c.specs, 2);
    assert_int_equal(c.active, 2);

    sv_sup_stop(sup);
    assert_int_equal(sv_start_child(sup, &t), -SV_ESHUTDOWN);
    assert_int_equal(sv_which_children(sup, info, 4, &n), -SV_ESHUTDOWN);
    assert_int_equal(sv_delete_child(sup, "first"), -SV_ESHUTDOWN);
    sv_sup_free(sup);
    sv_sup_free(NULL);
}

/* Admin calls from several threads at once while a child crash-loops. */
struct admin_arg {
    sv_sup *sup;
    int id;
    int failures;
};

static void *admin_thread(void *p)
{
    struct admin_arg *a = p;
    char id[16];
    snprintf(id, sizeof id, "t%d", a->id);
    sv_child_spec c;
    sv_child_spec_init(&c, id, w_idle, NULL);
    for (int i = 0; i < 20; i++) {
        if (sv_start_child(a->sup, &c) != 0) a->failures++;
        if (sv_terminate_child(a->sup, id) != 0) a->failures++;
        if (sv_delete_child(a->sup, id) != 0) a->failures++;
    }
    return NULL;
}

static void test_admin_concurrent(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec k;
    sv_child_spec_init(&k, "first", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", &k, 1);
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    pthread_t th[3];
    struct admin_arg a[3];
    for (int i = 0; i < 3; i++) {
        a[i] = (struct admin_arg){ sup, i, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, admin_thread, &a[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(a[i].failures, 0);
    }
    sv_child_counts c;
    assert_int_equal(sv_count_children(sup, &c), 0);
    assert_int_equal(c.specs, 1);
    sv_sup_free(sup);
}

static void test_nested_escalation(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec inner;
    sv_child_spec_init(&inner, "leaf", w_crash_always, NULL);
    sv_sup_spec sub;
    sv_sup_spec_init(&sub, "sub"); /* hooks inherited */
    sub.children = &inner;
    sub.nchildren = 1;
    sub.intensity = 1;
    sub.period_ms = 60000;

    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "idle", w_idle, NULL);
    sv_child_spec_init(&k[1], "subsup", NULL, NULL);
    k[1].sup = &sub;
    assert_int_equal(k[1].shutdown, SV_SHUTDOWN_INFINITY);
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    s.intensity = 1;
    s.period_ms = 60000;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    int reason = -1;
    assert_int_equal(sv_sup_wait(sup, 10000, &reason), 0);
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);
    sv_sup_free(sup);

    /* sub: leaf crashes twice -> intensity -> sub shuts down -> escalated,
     * the parent's child ends with reason shutdown and is restarted. */
    int ie = rec_find(SV_EV_INTENSITY_EXCEEDED, NULL, 0);
    assert_true(ie >= 0);
    assert_string_equal(rec_at(ie).sup, "sub");
    int sd = rec_find_from(ie, SV_EV_SHUTDOWN, NULL, 0);
    assert_true(sd > ie);
    assert_string_equal(rec_at(sd).sup, "sub");
    int esc = rec_find(SV_EV_ESCALATED, "subsup", 1);
    assert_true(esc > sd);
    assert_string_equal(rec_at(esc).sup, "root");
    int ex = rec_find(SV_EV_EXIT, "subsup", 1);
    assert_true(ex > esc);
    assert_int_equal(rec_at(ex).reason, SV_EXIT_SHUTDOWN);
    assert_int_equal(rec_at(ex).reason, SV_EXIT_SHUTDOWN);
    int rs = rec_find(SV_EV_RESTART, "subsup", 1);
    assert_true(rs > ex);
    assert_true(rec_find(SV_EV_STARTED, "subsup", 2) > rs);
    /* the second instance escalates too: the root's intensity is exceeded */
    assert_true(rec_find(SV_EV_ESCALATED, "subsup", 2) > rs);
    int rie = rec_find_from(rs, SV_EV_INTENSITY_EXCEEDED, NULL, 0);
    while (rie >= 0 && strcmp(rec_at(rie).sup, "root") != 0)
        rie = rec_find_from(rie + 1, SV_EV_INTENSITY_EXCEEDED, NULL, 0);
    assert_true(rie >= 0);
    /* every crash of leaf was logged exactly once */
    assert_int_equal(rec_count(SV_EV_CRASH, "leaf"), rec_count(SV_EV_LOGGED, "leaf"));
    assert_int_equal(rec_count(SV_EV_SUP_START, NULL), 3);
}

static void test_nested_stop_order(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec inner[2];
    sv_child_spec_init(&inner[0], "l1", w_idle, NULL);
    sv_child_spec_init(&inner[1], "l2", w_idle, NULL);
    sv_sup_spec sub;
    sv_sup_spec_init(&sub, "sub");
    sub.children = inner;
    sub.nchildren = 2;
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "subsup", NULL, NULL);
    k[0].sup = &sub;
    sv_child_spec_init(&k[1], "w", w_idle, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    /* nested children started before the parent's STARTED of the nested child */
    assert_true(rec_find(SV_EV_STARTED, "l2", 1) < rec_find(SV_EV_STARTED, "subsup", 1));
    sv_child_counts c;
    assert_int_equal(sv_count_children(sup, &c), 0);
    assert_int_equal(c.supervisors, 1);
    assert_int_equal(c.workers, 1);
    sv_sup_free(sup);

    int sw = rec_find(SV_EV_STOP_REQUESTED, "w", 1);
    int ss = rec_find(SV_EV_STOP_REQUESTED, "subsup", 1);
    int s2 = rec_find(SV_EV_STOP_REQUESTED, "l2", 1), s1 = rec_find(SV_EV_STOP_REQUESTED, "l1", 1);
    int j1 = rec_find(SV_EV_JOINED, "l1", 1);
    int subdown = rec_find(SV_EV_SHUTDOWN, NULL, 0);
    int js = rec_find(SV_EV_JOINED, "subsup", 1);
    assert_true(sw >= 0 && sw < ss);
    assert_true(ss < s2 && s2 < s1 && s1 < j1 && j1 < subdown && subdown < js);
    assert_string_equal(rec_at(subdown).sup, "sub");
    assert_int_equal(rec_find(SV_EV_ESCALATED, NULL, 0), -1); /* stopped, not escalated */
}

/* ---- signals ------------------------------------------------------------------------ */

static void *guard_page;

static int w_segv_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) *(volatile int *)guard_page = 1; /* a real fault */
    return w_idle(w, arg);
}

static int w_fpe_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) raise(SIGFPE);
    return w_idle(w, arg);
}

static void test_signals_caught(void **state)
{
    (void)state;
    rec_reset();
    guard_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(guard_page != MAP_FAILED);
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "segv", w_segv_once, NULL);
    sv_child_spec_init(&k[1], "fpe", w_fpe_once, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    s.flags = SV_SUP_CATCH_SIGNALS;
    s.intensity = 5;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    assert_crash_cycle("segv", SV_EXIT_SIGNAL, "SIGSEGV");
    assert_crash_cycle("fpe", SV_EXIT_SIGNAL, "SIGFPE");
    assert_true(rec_at(rec_find(SV_EV_CRASH, "segv", 1)).has_bt);
    sv_sup_free(sup);
    munmap(guard_page, 4096);
}

/* Without the flag a fault is not swallowed: the process dies of it, also
 * when another supervisor of the process installed the handlers. */
static void test_signal_not_caught_without_flag(void **state)
{
    (void)state;
    guard_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(guard_page != MAP_FAILED);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        sv_child_spec ki, ks;
        sv_child_spec_init(&ki, "idle", w_idle, NULL);
        sv_child_spec_init(&ks, "segv", w_segv_once, NULL);
        sv_sup_spec catching, plain;
        sv_sup_spec_init(&catching, "catching");
        catching.children = &ki;
        catching.nchildren = 1;
        catching.flags = SV_SUP_CATCH_SIGNALS; /* installs the handlers */
        catching.log = sv_log_discard;
        sv_sup_spec_init(&plain, "plain");
        plain.children = &ks;
        plain.nchildren = 1;
        plain.log = sv_log_discard;
        sv_sup *a, *b;
        if (sv_sup_start(&catching, &a) != 0 || sv_sup_start(&plain, &b) != 0) _exit(3);
        sleep(5);
        _exit(77); /* survived: wrong */
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    /* Killed by SIGSEGV; under ASan its own SEGV report exits with 1. */
    assert_false(WIFEXITED(st) && (WEXITSTATUS(st) == 77 || WEXITSTATUS(st) == 3 || WEXITSTATUS(st) == 0));
    if (WIFSIGNALED(st)) assert_int_equal(WTERMSIG(st), SIGSEGV);
    munmap(guard_page, 4096);
}


/* ---- failpoints: each planted bug does what sv_plat.h says ------------------------ */

static atomic_int fn_runs_x;

static int fail_hook(const char *point, const char *child, uint32_t inc)
{
    if (!child) return 0;
    if (!strcmp(point, "sv.start") && !strcmp(child, "s") && inc == 2) return -5;
    if (!strcmp(point, "sv.report.lose") && !strcmp(child, "lose") && inc == 1) return 1;
    if (!strcmp(point, "sv.log.skip") && !strcmp(child, "quiet") && inc == 1) return 1;
    if (!strcmp(point, "sv.join.skip") && !strcmp(child, "slow") && inc == 1) return 1;
    if (!strcmp(point, "sv.restart.double") && !strcmp(child, "twice") && inc == 1) return 1;
    if (!strcmp(point, "sv.worker") && !strcmp(child, "x") && inc == 1) return 9;
    return 0;
}

static int w_count_x(sv_worker *w, void *arg)
{
    atomic_fetch_add(&fn_runs_x, 1);
    return w_idle(w, arg);
}

static atomic_int slow_alive;

/* Incarnation 1 ignores stop for 100 ms. */
static int w_slow(sv_worker *w, void *arg)
{
    if (sv_worker_incarnation(w) == 1) {
        atomic_fetch_add(&slow_alive, 1);
        struct timespec ts = { 0, 100 * 1000000 };
        nanosleep(&ts, NULL);
        atomic_fetch_sub(&slow_alive, 1);
        return 0;
    }
    return w_idle(w, arg);
}

static void test_failpoints(void **state)
{
    (void)state;
    rec_reset();
    sv_fail_set(fail_hook);
    sv_child_spec k[6];
    sv_child_spec_init(&k[0], "s", w_panic_once, NULL);
    sv_child_spec_init(&k[1], "lose", w_panic_once, NULL);
    sv_child_spec_init(&k[2], "quiet", w_panic_once, NULL);
    sv_child_spec_init(&k[3], "slow", w_slow, NULL);
    sv_child_spec_init(&k[4], "twice", w_idle, NULL);
    sv_child_spec_init(&k[5], "x", w_count_x, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", k, 6);
    s.intensity = 20;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);

    /* sv.start: the start fails with the hook's error, and is retried */
    int f = rec_wait(SV_EV_START_FAILED, "s", 2);
    assert_true(f >= 0);
    assert_int_equal(rec_at(f).err, -5);
    assert_true(rec_wait(SV_EV_STARTED, "s", 3) > f);
    /* sv.worker: the hook's value ends incarnation 1 before fn runs */
    int cx = rec_wait(SV_EV_CRASH, "x", 1);
    assert_true(cx >= 0);
    assert_int_equal(rec_at(cx).reason, SV_EXIT_ERROR);
    assert_string_equal(rec_at(cx).msg, "failpoint sv.worker: 9");
    assert_true(rec_wait(SV_EV_STARTED, "x", 2) > cx);
    /* sv.log.skip: crashed, joined and restarted, never logged */
    assert_true(rec_wait(SV_EV_STARTED, "quiet", 2) >= 0);
    assert_true(rec_find(SV_EV_CRASH, "quiet", 1) >= 0);
    assert_int_equal(rec_find(SV_EV_LOGGED, "quiet", 1), -1);
    /* sv.restart.double: incarnation 1 of twice started twice */
    assert_int_equal(rec_count(SV_EV_STARTED, "twice"), 2);
    assert_int_equal(rec_count(SV_EV_START, "twice"), 2);
    /* sv.report.lose: the crash is emitted but never reaches the supervisor */
    assert_true(rec_wait(SV_EV_CRASH, "lose", 1) >= 0);
    /* sv.join.skip: terminate claims the join while the thread still runs;
     * the replacement starts before the old incarnation ended */
    assert_int_equal(sv_terminate_child(sup, "slow"), 0);
    assert_true(rec_find(SV_EV_JOINED, "slow", 1) >= 0);
    assert_int_equal(sv_restart_child(sup, "slow"), 0);
    int st2 = rec_find(SV_EV_STARTED, "slow", 2);
    assert_true(st2 >= 0);
    assert_int_equal(atomic_load(&slow_alive), 1);
    int ex1 = rec_wait(SV_EV_EXIT, "slow", 1);
    assert_true(ex1 > st2);

    sv_sup_free(sup);
    sv_fail_set(NULL);
    assert_int_equal(rec_find(SV_EV_LOGGED, "lose", 1), -1);
    assert_int_equal(rec_find(SV_EV_START, "lose", 2), -1);
    assert_true(rec_find(SV_EV_JOINED, "lose", 1) >= 0);
    assert_int_equal(rec_count(SV_EV_JOINED, "twice"), 2);
    assert_int_equal(atomic_load(&fn_runs_x), 1);
}

/* ---- backoff (the timer path), auto_shutdown, worker API --------------------------- */

static void test_backoff_timer(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec k;
    sv_child_spec_init(&k, "bomb", w_panic_once, NULL);
    sv_sup_spec s;
    spec_init(&s, "root", &k, 1);
    s.backoff_min_ms = 30;
    s.backoff_max_ms = 30;
    s.intensity = 5;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    int st = rec_wait(SV_EV_STARTED, "bomb", 2);
    assert_true(st >= 0);
    int bo = rec_find(SV_EV_BACKOFF, "bomb", 0);
    assert_true(bo >= 0 && bo < st);
    sv_sup_free(sup);
    assert_int_equal(rec_at(bo).detail_ns, 30 * MS);
    /* the replacement waited for the delay after the join */
    int j = rec_find(SV_EV_JOINED, "bomb", 1);
    assert_true(j >= 0 && j < st);
    assert_true(rec_at(st).time_ns - rec_at(j).time_ns >= 30 * MS);
}

static int w_quit(sv_worker *w, void *arg)
{
    (void)w;
    (void)arg;
    return 0;
}

static void test_auto_shutdown(void **state)
{
    (void)state;
    rec_reset();
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "idle", w_idle, NULL);
    sv_child_spec_init(&k[1], "job", w_quit, NULL);
    k[1].restart = SV_TRANSIENT;
    k[1].significant = true;
    sv_sup_spec s;
    spec_init(&s, "root", k, 2);
    s.auto_shutdown = SV_AUTO_ANY_SIGNIFICANT;
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    int reason = -1;
    assert_int_equal(sv_sup_wait(sup, 10000, &reason), 0);
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);
    assert_int_equal(sv_sup_wait(sup, -1, NULL), 0);
    sv_sup_free(sup);
    int ex = rec_find(SV_EV_EXIT, "job", 1);
    int as = rec_find(SV_EV_AUTO_SHUTDOWN, NULL, 0);
    assert_true(ex >= 0 && as > ex);
    assert_int_equal(rec_at(ex).reason, SV_EXIT_NORMAL);
    assert_true(rec_find(SV_EV_JOINED, "idle", 1) > as);
}

struct api_seen {
    atomic_int ok;
};

static int w_api(sv_worker *w, void *arg)
{
    struct api_seen *seen = arg;
    int good = sv_worker_self() == w && strcmp(sv_worker_id(w), "api") == 0 &&
               sv_worker_incarnation(w) == 1 && !sv_worker_stopping(w) && sv_worker_sleep(w, 1) == 0;
    atomic_store(&seen->ok, good ? 1 : -1);
    int rc = sv_worker_sleep(w, 60000); /* cut short by the stop */
    if (rc == -ECANCELED && sv_worker_stopping(w) && sv_worker_sleep(w, 60000) == -ECANCELED)
        atomic_store(&seen->ok, 2);
    return 0;
}

static void test_worker_api(void **state)
{
    (void)state;
    rec_reset();
    struct api_seen seen = { 0 };
    sv_child_spec k;
    sv_child_spec_init(&k, "api", w_api, &seen);
    sv_sup_spec s;
    spec_init(&s, "root", &k, 1);
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&s, &sup), 0);
    int64_t until = sv_deadline_in(10000 * MS);
    while (atomic_load(&seen.ok) == 0 && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
    assert_int_equal(atomic_load(&seen.ok), 1);
    int64_t t0 = sv_now();
    sv_sup_free(sup);
    assert_true(sv_now() - t0 < 5000 * MS);
    assert_int_equal(atomic_load(&seen.ok), 2);
    assert_null(sv_worker_self());
}

/* ---- the log format ---------------------------------------------------------------- */

static void test_event_format(void **state)
{
    (void)state;
    sv_event ev = { .seq = 12, .time_ns = 3000417000, .kind = SV_EV_LOGGED, .sup = "root", .child = "poller",
                    .incarnation = 3, .reason = SV_EXIT_PANIC, .message = "lost \"it\"\n" };
    char buf[256];
    size_t n = sv_event_format(&ev, buf, sizeof buf);
    assert_string_equal(buf, "sv[root] #12 t=3.000417 logged child=poller inc=3 reason=panic msg=\"lost \\\"it\\\"\\n\"");
    assert_int_equal(n, strlen(buf));
    char small[10];
    assert_int_equal(sv_event_format(&ev, small, sizeof small), n); /* untruncated length */
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(sv_event_format(&ev, NULL, 0), n);

    sv_event bo = { .seq = 1, .kind = SV_EV_BACKOFF, .sup = "s", .child = "c", .incarnation = 2,
                    .detail_ns = 1500000 };
    sv_event_format(&bo, buf, sizeof buf);
    assert_string_equal(buf, "sv[s] #1 t=0.000000 backoff child=c inc=2 delay_ms=1.500");
    sv_event sf = { .seq = 2, .kind = SV_EV_START_FAILED, .sup = "s", .child = "c", .incarnation = 1, .err = -EAGAIN };
    sv_event_format(&sf, buf, sizeof buf);
    assert_non_null(strstr(buf, "start_failed child=c inc=1 err=-11 ("));

    assert_string_equal(sv_event_kind_name(SV_EV_CRASH), "crash");
    assert_string_equal(sv_event_kind_name(SV_EV_JOINED), "joined");
    assert_string_equal(sv_event_kind_name(SV_EV_ESCALATED), "escalated");
    assert_string_equal(sv_event_kind_name(-1), "?");
    assert_string_equal(sv_event_kind_name(SV_EV__COUNT), "?");
    for (int k = 0; k < SV_EV__COUNT; k++) assert_string_not_equal(sv_event_kind_name(k), "?");
    assert_string_equal(sv_exit_name(SV_EXIT_NORMAL), "normal");
    assert_string_equal(sv_exit_name(SV_EXIT_PANIC), "panic");
    assert_string_equal(sv_exit_name(SV_EXIT_KILLED), "killed");
    assert_string_equal(sv_exit_name(99), "?");
    sv_log_discard(NULL, &ev, "x");
}

int main(void)
{
    pthread_mutex_init(&R.mu, NULL);
    /* The fork tests run first, while the process has no other thread
     * (ThreadSanitizer cannot start threads in the child of a multi-threaded
     * fork). */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panic_outside_worker_aborts),
        cmocka_unit_test(test_signal_not_caught_without_flag),
        cmocka_unit_test(test_panic_logged_joined_restarted),
        cmocka_unit_test(test_error_return_is_crash),
        /* before test_unstopped_worker: sv_fail_set must not race with the
         * abandoned threads that test leaves to end on their own */
        cmocka_unit_test(test_failpoints),
        cmocka_unit_test(test_unstopped_worker),
        cmocka_unit_test(test_start_failures_and_intensity),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_one_for_all),
        cmocka_unit_test(test_admin),
        cmocka_unit_test(test_admin_concurrent),
        cmocka_unit_test(test_nested_escalation),
        cmocka_unit_test(test_nested_stop_order),
        cmocka_unit_test(test_signals_caught),
        cmocka_unit_test(test_backoff_timer),
        cmocka_unit_test(test_auto_shutdown),
        cmocka_unit_test(test_worker_api),
        cmocka_unit_test(test_event_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
