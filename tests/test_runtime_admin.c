/*
 * test_runtime_admin.c — libsv's admin API on a running supervisor:
 * start_child, terminate_child, restart_child, delete_child,
 * which_children and count_children with their error codes, also after
 * stop; and admin calls from several threads at once. Recorder and
 * fixture: runtime_util.h.
 */
#include "runtime_util.h"

#include <errno.h>

/* A root supervisor running one idle child, "first". */
static sv_sup *start_first(rt_fix *f)
{
    rt_begin(f);
    rt_add(f, "first", w_idle, NULL);
    return rt_start(f);
}

static void test_admin(void **state)
{
    (void)state;
    rt_fix f;
    sv_sup *sup = start_first(&f);

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
    rt_fix f;
    sv_sup *sup = start_first(&f);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin),
        cmocka_unit_test(test_admin_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
