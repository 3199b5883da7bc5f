/*
 * test_worker.c — the scripted-worker interpreter and the user-worker
 * registry, run for real: scenarios are parsed, built into a world, and
 * started under libsv on the POSIX seam; the test reads the event trace.
 * Times are real here (a few ms per op), so each test takes well under a
 * second even under TSan.
 */
#include "failpoint/fl_failpoint.h"
#include "scenario/fl_scenario.h"
#include "sv.h"
#include "sv_plat.h"
#include "world/fl_world.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* ---- the trace --------------------------------------------------------------- */

typedef struct rec {
    sv_event_kind kind;
    char sup[64], child[64], msg[SV_MSG_MAX];
    uint32_t inc;
    int reason, err;
    int64_t t;
} rec;

static struct {
    pthread_mutex_t mu;
    rec *v;
    size_t n, cap;
} tr = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void on_event(void *ud, const sv_event *ev) {
    (void)ud;
    if (pthread_mutex_lock(&tr.mu)) abort();
    if (tr.n == tr.cap) {
        tr.cap = tr.cap ? tr.cap * 2 : 256;
        tr.v = realloc(tr.v, tr.cap * sizeof *tr.v);
        if (!tr.v) abort();
    }
    rec *r = &tr.v[tr.n++];
    memset(r, 0, sizeof *r);
    r->kind = ev->kind;
    snprintf(r->sup, sizeof r->sup, "%s", ev->sup ? ev->sup : "");
    snprintf(r->child, sizeof r->child, "%s", ev->child ? ev->child : "");
    snprintf(r->msg, sizeof r->msg, "%s", ev->message ? ev->message : "");
    r->inc = ev->incarnation;
    r->reason = ev->reason;
    r->err = ev->err;
    r->t = ev->time_ns;
    pthread_mutex_unlock(&tr.mu);
}

/* Index of the nth (0-based) event of kind about child (NULL = any) with
 * incarnation inc (0 = any), or -1. */
static long find(sv_event_kind kind, const char *child, uint32_t inc, int nth) {
    long r = -1;
    if (pthread_mutex_lock(&tr.mu)) abort();
    for (size_t i = 0; i < tr.n; i++) {
        rec *e = &tr.v[i];
        if (e->kind != kind || (child && strcmp(e->child, child) != 0) || (inc && e->inc != inc)) continue;
        if (nth-- == 0) {
            r = (long)i;
            break;
        }
    }
    pthread_mutex_unlock(&tr.mu);
    return r;
}

static int count(sv_event_kind kind, const char *child) {
    int n = 0;
    while (find(kind, child, 0, n) >= 0) n++;
    return n;
}

static rec get(long i) {
    assert_true(i >= 0);
    if (pthread_mutex_lock(&tr.mu)) abort();
    rec r = tr.v[i];
    pthread_mutex_unlock(&tr.mu);
    return r;
}

static void nap(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait up to 5 s for the nth event of kind about child. */
static long await_ev(sv_event_kind kind, const char *child, int nth) {
    for (int i = 0; i < 1000; i++) {
        long k = find(kind, child, 0, nth);
        if (k >= 0) return k;
        nap(5);
    }
    fail_msg("timed out waiting for %s of %s", sv_event_kind_name(kind), child ? child : "-");
    return -1;
}

/* ---- one run ----------------------------------------------------------------- */

typedef struct run {
    fl_scenario *s;
    fl_world *w;
    sv_sup *sup;
} run;

static run current;      /* a copy of the run in progress (a failed test's */
static bool has_current; /* own copy dies with its frame): see after_test */

static void start(run *r, const char *text, uint64_t seed) {
    fl_lex_diag d = {0};
    tr.n = 0;
    int e = fl_scenario_parse_str("w.scn", text, strlen(text), &r->s, &d);
    if (e) print_error("%s\n", d.text);
    assert_int_equal(e, 0);
    assert_int_equal(fl_world_build(r->s, seed, &r->w), 0);
    sv_sup_spec spec = *fl_world_spec(r->w);
    spec.on_event = on_event;
    spec.log = sv_log_discard;
    assert_int_equal(sv_sup_start(&spec, &r->sup), 0);
    current = *r;
    has_current = true;
}

static void finish(run *r) {
    has_current = false;
    sv_sup_stop(r->sup);
    fl_world_release(r->w);
    sv_sup_free(r->sup);
    for (int i = 0; i < 1000 && fl_world_inside(r->w) != 0; i++) nap(2); /* abandoned threads leave */
    assert_int_equal(fl_world_inside(r->w), 0);
    fl_world_free(r->w);
    fl_scenario_free(r->s);
}

static int setup(void **state) {
    (void)state;
    return 0;
}

/* After each test: if it failed mid-run, stop and free that run so the next
 * test can build its world. */
static int after_test(void **state) {
    (void)state;
    if (has_current) finish(&current);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    free(tr.v);
    return 0;
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_crash_on_first_incarnation(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  worker a\n"
              "    work 10ms\n"
              "    crash \"boom\" on 1\n"
              "    loop\n"
              "      work 5ms\n"
              "    end\n", 1);
    long c = await_ev(SV_EV_CRASH, "a", 0);
    rec e = get(c);
    assert_int_equal(e.inc, 1);
    assert_int_equal(e.reason, SV_EXIT_PANIC);
    assert_string_equal(e.msg, "boom");
    long rs = await_ev(SV_EV_RESTARTED, "a", 0);
    assert_int_equal(get(rs).inc, 2);
    nap(40);
    assert_int_equal(count(SV_EV_CRASH, "a"), 1); /* incarnation 2 loops on */
    finish(&r);
    long x = find(SV_EV_EXIT, "a", 2, 0);
    assert_int_equal(get(x).reason, SV_EXIT_SHUTDOWN); /* stop ends the loop */
}

static void test_return_and_exit(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=20 period=1s\n"
              "  worker e restart=transient\n"
              "    return error on 1\n"
              "  worker n restart=transient\n"
              "    return 7 on 1\n"
              "    exit normal\n"
              "  worker s restart=transient\n"
              "    exit shutdown\n"
              "  worker f restart=transient\n", 1);
    rec e = get(await_ev(SV_EV_CRASH, "e", 0));
    assert_int_equal(e.reason, SV_EXIT_ERROR);
    e = get(await_ev(SV_EV_CRASH, "n", 0));
    assert_int_equal(e.reason, SV_EXIT_ERROR);
    e = get(await_ev(SV_EV_EXIT, "n", 0)); /* incarnation 2: exit normal */
    assert_int_equal(e.reason, SV_EXIT_NORMAL);
    assert_int_equal(e.inc, 2);
    e = get(await_ev(SV_EV_EXIT, "s", 0));
    assert_int_equal(e.reason, SV_EXIT_SHUTDOWN);
    e = get(await_ev(SV_EV_EXIT, "f", 0)); /* falling off the script */
    assert_int_equal(e.reason, SV_EXIT_NORMAL);
    nap(20);
    assert_int_equal(count(SV_EV_RESTARTED, "s"), 0);
    assert_int_equal(count(SV_EV_RESTARTED, "f"), 0);
    finish(&r);
}

static void test_loop_count_and_failpoint_op(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  worker a restart=transient\n"
              "    loop 3\n"
              "      failpoint a.tick\n"
              "    end\n"
              "    failpoint a.ret\n"
              "failpoint a.tick \"off\"\n"
              "failpoint a.ret \"1*return(42)\"\n", 1);
    rec e = get(await_ev(SV_EV_CRASH, "a", 0)); /* return(42): a crash, reason error */
    assert_int_equal(e.reason, SV_EXIT_ERROR);
    e = get(await_ev(SV_EV_EXIT, "a", 0)); /* incarnation 2: the point is spent */
    assert_int_equal(e.reason, SV_EXIT_NORMAL);
    assert_int_equal(fl_fp_fired("a.tick"), 6);
    assert_int_equal(fl_fp_fired("a.ret"), 1);
    finish(&r);
}

/* `p=` on an op: drawn from the seed, the child, the incarnation and the
 * op, so the same seed takes the same branches. */
static uint64_t ticks_with_seed(uint64_t seed) {
    run r;
    start(&r, "supervisor root\n"
              "  worker a restart=transient\n"
              "    loop 200\n"
              "      failpoint a.tick p=50%\n"
              "    end\n"
              "failpoint a.tick \"off\"\n", seed);
    await_ev(SV_EV_EXIT, "a", 0);
    uint64_t n = fl_fp_fired("a.tick");
    finish(&r);
    return n;
}

static void test_op_probability(void **state) {
    (void)state;
    uint64_t a = ticks_with_seed(5), b = ticks_with_seed(5);
    assert_int_equal(a, b);
    assert_in_range(a, 60, 140);
    bool differs = false;
    for (uint64_t seed = 6; seed < 12 && !differs; seed++) differs = ticks_with_seed(seed) != a;
    assert_true(differs);
}

static void test_failpoint_panic_on_worker(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  worker a\n"
              "    failpoint a.step\n"
              "    loop\n"
              "      work 5ms\n"
              "    end\n"
              "  worker b\n"
              "    loop\n"
              "      work 5ms\n"
              "    end\n"
              "failpoint a.step \"1*panic(step failed)\"\n"
              "failpoint sv.worker \"[worker b] 1*panic(at the trampoline)\"\n", 1);
    rec e = get(await_ev(SV_EV_CRASH, "a", 0));
    assert_int_equal(e.reason, SV_EXIT_PANIC);
    assert_string_equal(e.msg, "failpoint a.step: step failed");
    e = get(await_ev(SV_EV_CRASH, "b", 0));
    assert_string_equal(e.msg, "failpoint sv.worker: at the trampoline");
    assert_int_equal(e.inc, 1);
    await_ev(SV_EV_RESTARTED, "a", 0);
    await_ev(SV_EV_RESTARTED, "b", 0);
    finish(&r);
}

static void test_signal_wait(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  worker b restart=transient\n"
              "    wait go\n"
              "    crash \"after go\" on 1..2\n"
              "    loop\n      work 5ms\n    end\n"
              "  worker a restart=transient\n"
              "    work 30ms\n"
              "    signal go\n"
              "    exit normal\n", 1);
    long x = await_ev(SV_EV_EXIT, "a", 0);
    long c = await_ev(SV_EV_CRASH, "b", 0);
    assert_string_equal(get(c).msg, "after go");
    assert_true(get(c).t >= get(x).t - 5000000); /* b crashed only once a had signalled */
    /* the latch stays set: incarnation 2 of b passes straight through */
    long c2 = await_ev(SV_EV_CRASH, "b", 1);
    assert_int_equal(get(c2).inc, 2);
    finish(&r);
}

static void test_wait_is_stoppable(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root\n"
              "  worker b\n"
              "    wait never\n", 1);
    nap(20);
    sv_sup_stop(r.sup);
    rec e = get(await_ev(SV_EV_EXIT, "b", 0));
    assert_int_equal(e.reason, SV_EXIT_SHUTDOWN);
    assert_int_equal(count(SV_EV_UNSTOPPED, "b"), 0);
    finish(&r);
}

static void test_hang_and_release(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root\n"
              "  worker h shutdown=30ms\n"
              "    hang\n"
              "  worker s shutdown=30ms\n"
              "    loop\n"
              "      work 5ms\n"
              "    end\n"
              "    onstop\n"
              "      work 10s\n"
              "    end\n", 1);
    nap(20);
    sv_sup_stop(r.sup);
    await_ev(SV_EV_UNSTOPPED, "h", 0);
    await_ev(SV_EV_UNSTOPPED, "s", 0);
    int reason;
    assert_int_equal(sv_sup_wait(r.sup, 5000, &reason), 0);
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);
    /* both threads still run the interpreter; release ends them */
    finish(&r);
}

static void test_onstop_crash(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  worker a\n"
              "    loop\n"
              "      work 5ms\n"
              "    end\n"
              "    onstop\n"
              "      work 5ms\n"
              "      crash \"crashed while stopping\"\n"
              "    end\n", 1);
    nap(20);
    sv_sup_stop(r.sup);
    rec e = get(await_ev(SV_EV_CRASH, "a", 0));
    assert_string_equal(e.msg, "crashed while stopping");
    assert_int_equal(count(SV_EV_RESTARTED, "a"), 0);
    finish(&r);
}

static void test_race(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=10\n"
              "  worker a\n    loop\n      work 5ms\n    end\n"
              "  worker b\n    loop\n      work 5ms\n    end\n"
              "  worker c\n    loop\n      work 5ms\n    end\n"
              "race a b c delay=10ms msg=\"all together\"\n", 1);
    rec ea = get(await_ev(SV_EV_CRASH, "a", 0));
    rec eb = get(await_ev(SV_EV_CRASH, "b", 0));
    rec ec = get(await_ev(SV_EV_CRASH, "c", 0));
    assert_string_equal(ea.msg, "all together");
    assert_string_equal(eb.msg, "all together");
    assert_int_equal(ec.inc, 1);
    await_ev(SV_EV_RESTARTED, "a", 0);
    await_ev(SV_EV_RESTARTED, "b", 0);
    await_ev(SV_EV_RESTARTED, "c", 0);
    nap(30);
    assert_int_equal(count(SV_EV_CRASH, NULL), 3); /* only incarnation 1 races */
    finish(&r);
}

static void test_recreate_fault(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=10\n"
              "  worker a\n"
              "    work 5ms\n"
              "    crash \"a\" on 1\n"
              "    loop\n      work 5ms\n    end\n"
              "fault recreate a times=2 err=-12\n", 1);
    long f1 = await_ev(SV_EV_START_FAILED, "a", 0);
    rec e = get(f1);
    assert_int_equal(e.inc, 2);
    assert_int_equal(e.err, -12);
    assert_int_equal(get(await_ev(SV_EV_START_FAILED, "a", 1)).inc, 3);
    assert_int_equal(get(await_ev(SV_EV_RESTARTED, "a", 0)).inc, 4);
    assert_int_equal(count(SV_EV_START_FAILED, "a"), 2);
    finish(&r);
}

static void test_injected_crash(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  worker a\n    loop\n      work 5ms\n    end\n"
              "  user u fn=test.user\n", 1);
    nap(15);
    const fl_scenario_child_decl *a = fl_scenario_child(r.s, "a");
    assert_int_equal(fl_world_crash(r.w, a, "from outside"), 0);
    assert_int_equal(fl_world_crash(r.w, fl_scenario_child(r.s, "u"), "x"), -EINVAL);
    rec e = get(await_ev(SV_EV_CRASH, "a", 0));
    assert_string_equal(e.msg, "from outside");
    await_ev(SV_EV_RESTARTED, "a", 0);
    finish(&r);
}

/* A user worker: counts its runs through its registered arg. */
static _Atomic int user_runs;
static int user_fn(sv_worker *w, void *arg) {
    atomic_fetch_add((_Atomic int *)arg, 1);
    if (fl_fp_eval("user.io")) sv_panic("user io failed");
    while (sv_worker_sleep(w, 5) == 0) {
    }
    return 0;
}

static void test_user_worker(void **state) {
    (void)state;
    atomic_store(&user_runs, 0);
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  user u fn=test.user\n"
              "failpoint user.io \"[worker u] 1*return(1)\"\n", 1);
    rec e = get(await_ev(SV_EV_CRASH, "u", 0));
    assert_string_equal(e.msg, "user io failed");
    await_ev(SV_EV_RESTARTED, "u", 0);
    for (int i = 0; i < 1000 && atomic_load(&user_runs) < 2; i++) nap(5); /* running != scheduled yet */
    assert_int_equal(atomic_load(&user_runs), 2);
    finish(&r);

    fl_scenario *s;
    fl_world *w;
    const char t[] = "supervisor root\n  user v fn=not.registered\n";
    assert_int_equal(fl_scenario_parse_str("w.scn", t, sizeof t - 1, &s, NULL), 0);
    assert_int_equal(fl_fp_set("left.over", "return(1)", NULL), 0);
    assert_int_equal(fl_world_build(s, 1, &w), -ENOENT);
    assert_int_equal(fl_fp_hook("left.over", NULL, 0), 0); /* registry emptied */
    fl_scenario_free(s);
}

static void test_registry(void **state) {
    (void)state;
    sv_worker_fn fn;
    void *arg;
    assert_int_equal(fl_world_lookup_worker("test.user", &fn, &arg), 0);
    assert_ptr_equal(fn, user_fn);
    assert_ptr_equal(arg, &user_runs);
    assert_int_equal(fl_world_register_worker("test.user", user_fn, NULL), -EEXIST);
    assert_int_equal(fl_world_register_worker("bad name", user_fn, NULL), -EINVAL);
    assert_int_equal(fl_world_register_worker("9x", user_fn, NULL), -EINVAL);
    assert_int_equal(fl_world_register_worker("ok", NULL, NULL), -EINVAL);
    assert_int_equal(fl_world_register_worker(NULL, user_fn, NULL), -EINVAL);
    assert_int_equal(fl_world_register_worker("tmp", user_fn, NULL), 0);
    assert_int_equal(fl_world_lookup_worker("tmp", NULL, NULL), 0);
    assert_int_equal(fl_world_unregister_worker("tmp"), 0);
    assert_int_equal(fl_world_unregister_worker("tmp"), -ENOENT);
    assert_int_equal(fl_world_lookup_worker("tmp", &fn, &arg), -ENOENT);
    assert_int_equal(fl_world_lookup_worker(NULL, &fn, &arg), -ENOENT);
}

static void test_dynamic_child_spec(void **state) {
    (void)state;
    run r;
    start(&r, "supervisor root\n"
              "  worker a\n    loop\n      work 5ms\n    end\n"
              "  worker d dynamic\n    work 5ms\n    crash \"d ran\"\n", 1);
    assert_int_equal(fl_world_spec(r.w)->nchildren, 1);
    const fl_scenario_child_decl *d = fl_scenario_child(r.s, "d");
    const sv_child_spec *cs = fl_world_child_spec(r.w, d);
    assert_non_null(cs);
    assert_string_equal(cs->id, "d");
    assert_int_equal(sv_start_child(r.sup, cs), 0);
    assert_string_equal(get(await_ev(SV_EV_CRASH, "d", 0)).msg, "d ran");
    finish(&r);
}

static void test_world_rules(void **state) {
    (void)state;
    const char t[] = "run swarm=on\n"
                     "supervisor root backoff=10ms..20ms\n"
                     "  worker a\n"
                     "  supervisor inner\n"
                     "    worker b\n"
                     "fault recreate a p=80%\n"
                     "failpoint sv.start \"50%return(-11)\"\n"
                     "failpoint x.y \"2*off->return(1)\"\n";
    fl_scenario *s;
    assert_int_equal(fl_scenario_parse_str("w.scn", t, sizeof t - 1, &s, NULL), 0);
    fl_world *w, *w2;
    assert_int_equal(fl_world_build(s, 7, &w), 0);
    assert_int_equal(fl_world_build(s, 8, &w2), -EBUSY);
    assert_ptr_equal(sv__fail, fl_fp_hook);
    const sv_sup_spec *sp = fl_world_spec(w);
    assert_string_equal(sp->name, "root");
    assert_int_equal(sp->backoff_min_ms, 10);
    assert_int_equal(sp->nchildren, 2);
    assert_null(sp->on_event);
    assert_non_null(sp->children[1].sup);
    assert_string_equal(sp->children[1].sup->name, "inner");
    assert_int_equal(sp->children[1].sup->nchildren, 1);
    assert_string_equal(sp->children[1].sup->children[0].id, "b");
    assert_non_null(sp->children[0].init);
    char d7[1024], again[1024];
    fl_world_describe(w, d7, sizeof d7);
    fl_world_free(w);
    assert_int_equal(fl_fp_hook("sv.start", "a", 1) + fl_fp_hook("x.y", NULL, 0), 0);
    assert_int_equal(fl_world_build(s, 7, &w), 0);
    fl_world_describe(w, again, sizeof again);
    assert_string_equal(d7, again); /* the seed decides */
    assert_memory_equal(d7, "swarm: ", 7);
    fl_world_free(w);
    /* some seed picks differently */
    bool differs = false;
    for (uint64_t seed = 1; seed < 40 && !differs; seed++) {
        assert_int_equal(fl_world_build(s, seed, &w), 0);
        fl_world_describe(w, again, sizeof again);
        differs = strcmp(d7, again) != 0;
        fl_world_free(w);
    }
    assert_true(differs);
    fl_scenario_free(s);
    /* without swarm: nothing to describe */
    const char t2[] = "supervisor root\n  worker a\n";
    assert_int_equal(fl_scenario_parse_str("w.scn", t2, sizeof t2 - 1, &s, NULL), 0);
    assert_int_equal(fl_world_build(s, 7, &w), 0);
    assert_int_equal(fl_world_describe(w, d7, sizeof d7), 0);
    assert_string_equal(d7, "");
    fl_world_free(w);
    fl_scenario_free(s);
}

static void test_segv(void **state) {
    (void)state;
    const char *fl = getenv("FL_FLAVOUR");
    if (fl && strcmp(fl, "plain") != 0) {
        /* ASan and TSan own SIGSEGV themselves: catching a real fault is
         * checked in the plain flavour only. */
        skip();
    }
    run r;
    start(&r, "supervisor root intensity=5\n"
              "  worker a\n"
              "    work 5ms\n"
              "    segv on 1\n"
              "    loop\n      work 5ms\n    end\n", 1);
    assert_int_equal(fl_world_spec(r.w)->flags & SV_SUP_CATCH_SIGNALS, SV_SUP_CATCH_SIGNALS);
    rec e = get(await_ev(SV_EV_CRASH, "a", 0));
    assert_int_equal(e.reason, SV_EXIT_SIGNAL);
    await_ev(SV_EV_RESTARTED, "a", 0);
    finish(&r);
}

int main(void) {
    if (fl_world_register_worker("test.user", user_fn, &user_runs)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_crash_on_first_incarnation, after_test),
        cmocka_unit_test_teardown(test_return_and_exit, after_test),
        cmocka_unit_test_teardown(test_loop_count_and_failpoint_op, after_test),
        cmocka_unit_test_teardown(test_op_probability, after_test),
        cmocka_unit_test_teardown(test_failpoint_panic_on_worker, after_test),
        cmocka_unit_test_teardown(test_signal_wait, after_test),
        cmocka_unit_test_teardown(test_wait_is_stoppable, after_test),
        cmocka_unit_test_teardown(test_hang_and_release, after_test),
        cmocka_unit_test_teardown(test_onstop_crash, after_test),
        cmocka_unit_test_teardown(test_race, after_test),
        cmocka_unit_test_teardown(test_recreate_fault, after_test),
        cmocka_unit_test_teardown(test_injected_crash, after_test),
        cmocka_unit_test_teardown(test_user_worker, after_test),
        cmocka_unit_test_teardown(test_registry, after_test),
        cmocka_unit_test_teardown(test_dynamic_child_spec, after_test),
        cmocka_unit_test_teardown(test_world_rules, after_test),
        cmocka_unit_test_teardown(test_segv, after_test),
    };
    int r = cmocka_run_group_tests(tests, setup, teardown);
    fl_world_unregister_all_workers();
    return r;
}
