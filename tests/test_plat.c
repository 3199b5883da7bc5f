/*
 * test_plat.c — the POSIX binding of the platform seam: bounded joins,
 * futex wait/wake, timed condition waits, the clock, the binding switch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sv_plat.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/prctl.h>

#define MS ((int64_t)1000000)

static void *run_until_released(void *arg)
{
    _Atomic uint32_t *release = arg;
    while (atomic_load(release) == 0) sv_wait(release, 0, SV_FOREVER);
    return NULL;
}

static void test_join_deadline(void **state)
{
    (void)state;
    _Atomic uint32_t release = 0;
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, run_until_released, &release, "plat-join"), 0);

    /* A deadline in the past polls; a near one waits about that long. */
    assert_int_equal(sv_thread_join(t, sv_now() - MS), -ETIMEDOUT);
    int64_t t0 = sv_now();
    assert_int_equal(sv_thread_join(t, sv_deadline_in(30 * MS)), -ETIMEDOUT);
    int64_t waited = sv_now() - t0;
    assert_true(waited >= 30 * MS);
    assert_true(waited < 2000 * MS);

    atomic_store(&release, 1);
    sv_wake(&release, 1);
    assert_int_equal(sv_thread_join(t, sv_deadline_in(5000 * MS)), 0);
}

static void *return_at_once(void *arg) { return arg; }

static void test_join_forever_and_past(void **state)
{
    (void)state;
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, return_at_once, NULL, NULL), 0);
    assert_int_equal(sv_thread_join(t, SV_FOREVER), 0);

    /* An ended thread joins even with a deadline already passed. */
    assert_int_equal(sv_thread_create(&t, return_at_once, NULL, "x"), 0);
    int rc;
    int64_t until = sv_deadline_in(5000 * MS);
    while ((rc = sv_thread_join(t, 0)) == -ETIMEDOUT && sv_now() < until) sv_yield();
    assert_int_equal(rc, 0);
}

static void *read_name(void *arg)
{
    char *name = arg;
    prctl(PR_GET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
    return NULL;
}

static void test_thread_name(void **state)
{
    (void)state;
    char name[17] = { 0 };
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, read_name, name, "sv:a-rather-long-child-id"), 0);
    assert_int_equal(sv_thread_join(t, SV_FOREVER), 0);
    assert_string_equal(name, "sv:a-rather-lon"); /* 15 bytes: the kernel limit */
}

static _Atomic uint32_t detach_release, detach_done;

static void *detached_body(void *arg)
{
    (void)arg;
    while (atomic_load(&detach_release) == 0) sv_wait(&detach_release, 0, SV_FOREVER);
    atomic_store(&detach_done, 1); /* its last use of the seam is before this */
    sv_plat_posix.wake(&detach_done, 1); /* not via sv__plat: test_binding rebinds it */
    return NULL;
}

static void test_detach(void **state)
{
    (void)state;
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, detached_body, NULL, "plat-detach"), 0);
    sv_thread_detach(t); /* before the thread ends: it frees itself later */
    atomic_store(&detach_release, 1);
    sv_wake(&detach_release, 1);
    while (atomic_load(&detach_done) == 0) sv_wait(&detach_done, 0, sv_deadline_in(10 * MS));
    /* Detached right after create: the wrapper must not read freed memory. */
    assert_int_equal(sv_thread_create(&t, return_at_once, NULL, "plat-detach2"), 0);
    sv_thread_detach(t);
}

static void test_futex_timeout(void **state)
{
    (void)state;
    _Atomic uint32_t w = 7;
    int64_t t0 = sv_now();
    assert_int_equal(sv_wait(&w, 7, t0 + 20 * MS), -ETIMEDOUT);
    assert_true(sv_now() - t0 >= 20 * MS);
    /* Value differs: returns at once with 0. */
    t0 = sv_now();
    assert_int_equal(sv_wait(&w, 8, t0 + 2000 * MS), 0);
    assert_true(sv_now() - t0 < 1000 * MS);
    /* Deadline already passed. */
    assert_int_equal(sv_wait(&w, 7, sv_now() - MS), -ETIMEDOUT);
}

struct waker {
    _Atomic uint32_t word;
    _Atomic uint32_t waiting;
};

static void *wake_later(void *arg)
{
    struct waker *k = arg;
    while (atomic_load(&k->waiting) == 0) sv_yield();
    sv_sleep_until(sv_deadline_in(20 * MS));
    atomic_store(&k->word, 1);
    sv_wake(&k->word, INT32_MAX);
    return NULL;
}

static void test_futex_wake(void **state)
{
    (void)state;
    struct waker k = { 0, 0 };
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, wake_later, &k, "plat-wake"), 0);
    int64_t t0 = sv_now();
    atomic_store(&k.waiting, 1);
    while (atomic_load(&k.word) == 0) assert_int_equal(sv_wait(&k.word, 0, t0 + 5000 * MS), 0);
    assert_true(sv_now() - t0 < 4000 * MS);
    assert_int_equal(sv_thread_join(t, SV_FOREVER), 0);
}

struct condbox {
    sv_mutex m;
    sv_cond c;
    int flag;
};

static void *signal_later(void *arg)
{
    struct condbox *b = arg;
    sv_sleep_until(sv_deadline_in(10 * MS));
    sv_mutex_lock(&b->m);
    b->flag = 1;
    sv_cond_signal(&b->c);
    sv_mutex_unlock(&b->m);
    return NULL;
}

static void test_cond(void **state)
{
    (void)state;
    struct condbox b;
    memset(&b, 0, sizeof b);
    sv_mutex_init(&b.m);
    sv_cond_init(&b.c);

    sv_mutex_lock(&b.m);
    int64_t t0 = sv_now();
    int rc;
    while ((rc = sv_cond_wait(&b.c, &b.m, t0 + 20 * MS)) == 0) {
    }
    assert_int_equal(rc, -ETIMEDOUT);
    assert_true(sv_now() - t0 >= 20 * MS);
    sv_mutex_unlock(&b.m);

    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, signal_later, &b, "plat-cond"), 0);
    sv_mutex_lock(&b.m);
    t0 = sv_now();
    while (!b.flag) assert_int_equal(sv_cond_wait(&b.c, &b.m, t0 + 5000 * MS), 0);
    sv_mutex_unlock(&b.m);
    assert_int_equal(sv_thread_join(t, SV_FOREVER), 0);

    sv_cond_broadcast(&b.c);
    sv_cond_destroy(&b.c);
    sv_mutex_destroy(&b.m);
}

static void test_clock_and_sleep(void **state)
{
    (void)state;
    int64_t a = sv_now(), b = sv_now();
    assert_true(a > 0);
    assert_true(b >= a);
    sv_sleep_until(a + 5 * MS);
    assert_true(sv_now() >= a + 5 * MS);
    sv_sleep_until(a); /* in the past: returns */
    assert_true(sv_deadline_in(-1) == SV_FOREVER);
    assert_true(sv_deadline_in(INT64_MAX - 1) == SV_FOREVER);
    void *p = sv_alloc(16);
    assert_non_null(p);
    sv_free(p);
}

static int fake_fail(const char *point, const char *child, uint32_t inc)
{
    (void)child;
    (void)inc;
    return strcmp(point, "x") == 0 ? -5 : 0;
}

static void test_binding(void **state)
{
    (void)state;
    assert_ptr_equal(sv_plat(), &sv_plat_posix);
    assert_string_equal(sv_plat()->name, "posix");
    sv_plat_ops copy = sv_plat_posix;
    copy.name = "copy";
    sv_plat_set(&copy);
    assert_string_equal(sv_plat()->name, "copy");
    sv_plat_set(NULL);
    assert_ptr_equal(sv_plat(), &sv_plat_posix);

    assert_int_equal(SV_FAILPOINT("x", NULL, 0), 0);
    sv_fail_set(fake_fail);
    assert_int_equal(SV_FAILPOINT("x", NULL, 0), -5);
    assert_int_equal(SV_FAILPOINT("y", "c", 1), 0);
    sv_fail_set(NULL);
    assert_int_equal(SV_FAILPOINT("x", NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_deadline), cmocka_unit_test(test_join_forever_and_past),
        cmocka_unit_test(test_thread_name),   cmocka_unit_test(test_detach),
        cmocka_unit_test(test_futex_timeout), cmocka_unit_test(test_futex_wake),
        cmocka_unit_test(test_cond),          cmocka_unit_test(test_clock_and_sleep),
        cmocka_unit_test(test_binding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
