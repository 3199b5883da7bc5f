/*
 * test_sweep.c — SQLite-style fault sweeps through the platform seam: fail
 * the Nth sv_alloc (then the Nth thread_create), N = 1, 2, ..., each time
 * running sv_sup_start + one crash and restart + sv_sup_stop, until a run
 * meets no injected fault. Every run must end in a clean error or a clean
 * success, free everything it allocated, and never hang.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sv.h"
#include "sv_plat.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MS ((int64_t)1000000)

static atomic_long n_alloc, n_create, outstanding;
static long fail_alloc_at, fail_create_at; /* 0: never */
static atomic_int injected;

static void *sweep_alloc(size_t n)
{
    if (atomic_fetch_add(&n_alloc, 1) + 1 == fail_alloc_at) {
        atomic_store(&injected, 1);
        return NULL;
    }
    void *p = malloc(n);
    if (p) atomic_fetch_add(&outstanding, 1);
    return p;
}

static void sweep_free(void *p)
{
    if (!p) return;
    atomic_fetch_sub(&outstanding, 1);
    free(p);
}

static int sweep_create(sv_thread **out, void *(*fn)(void *), void *arg, const char *name)
{
    if (atomic_fetch_add(&n_create, 1) + 1 == fail_create_at) {
        atomic_store(&injected, 1);
        return -EAGAIN;
    }
    return sv_plat_posix.thread_create(out, fn, arg, name);
}

static sv_plat_ops sweep_ops;

static atomic_int restarted; /* "once" running again after its crash */

static void on_event(void *ud, const sv_event *ev)
{
    (void)ud;
    if (ev->kind == SV_EV_STARTED && ev->child && strcmp(ev->child, "once") == 0 && ev->incarnation >= 2)
        atomic_store(&restarted, 1);
}

static int w_idle(sv_worker *w, void *arg)
{
    (void)arg;
    while (sv_worker_sleep(w, 1000) == 0) {
    }
    return 0;
}

static int w_panic_once(sv_worker *w, void *arg)
{
    if (sv_worker_incarnation(w) == 1) sv_panic("first incarnation crashes");
    return w_idle(w, arg);
}

/* One run. Returns true if a fault was injected during it. */
static bool run_once(int expect_err)
{
    atomic_store(&n_alloc, 0);
    atomic_store(&n_create, 0);
    atomic_store(&injected, 0);
    atomic_store(&restarted, 0);
    sv_child_spec k[2];
    sv_child_spec_init(&k[0], "idle", w_idle, NULL);
    sv_child_spec_init(&k[1], "once", w_panic_once, NULL);
    sv_sup_spec s;
    sv_sup_spec_init(&s, "sweep");
    s.children = k;
    s.nchildren = 2;
    s.intensity = 10;
    s.on_event = on_event;
    s.log = sv_log_discard;

    sv_plat_set(&sweep_ops);
    sv_sup *sup = NULL;
    int rc = sv_sup_start(&s, &sup);
    if (rc == 0) {
        /* A failed restart is retried: the child comes back either way. */
        int64_t until = sv_deadline_in(10000 * MS);
        while (!atomic_load(&restarted) && sv_now() < until) sv_sleep_until(sv_deadline_in(MS));
        int ok = atomic_load(&restarted);
        int64_t t0 = sv_now();
        sv_sup_free(sup);
        sv_plat_set(NULL);
        assert_true(ok);
        assert_true(sv_now() - t0 < 5000 * MS);
    } else {
        sv_plat_set(NULL);
        assert_int_equal(rc, expect_err);
        assert_null(sup);
        assert_true(atomic_load(&injected));
    }
    assert_int_equal(atomic_load(&outstanding), 0);
    return atomic_load(&injected);
}

static void test_alloc_sweep(void **state)
{
    (void)state;
    sweep_ops = sv_plat_posix;
    sweep_ops.name = "sweep-alloc";
    sweep_ops.alloc = sweep_alloc;
    sweep_ops.free = sweep_free;
    fail_create_at = 0;
    long n;
    for (n = 1; n < 1000; n++) {
        fail_alloc_at = n;
        if (!run_once(-ENOMEM)) break;
    }
    print_message("alloc sweep: %ld runs\n", n);
    assert_true(n > 5);   /* the sweep went through real allocation sites */
    assert_true(n < 1000); /* and ended with a fault-free run */
}

static void test_thread_create_sweep(void **state)
{
    (void)state;
    sweep_ops = sv_plat_posix;
    sweep_ops.name = "sweep-create";
    sweep_ops.alloc = sweep_alloc;
    sweep_ops.free = sweep_free;
    sweep_ops.thread_create = sweep_create;
    fail_alloc_at = 0;
    long n;
    for (n = 1; n < 100; n++) {
        fail_create_at = n;
        if (!run_once(-EAGAIN)) break;
    }
    /* supervisor thread, two children, the restart: four creations */
    assert_int_equal(n, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_sweep),
        cmocka_unit_test(test_thread_create_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
