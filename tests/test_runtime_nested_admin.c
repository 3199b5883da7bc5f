/*
 * test_runtime_nested_admin.c — reaching a nested supervisor from its
 * parent (sv_sup_child, sv_sup_lookup, sv_sup_release) on real threads:
 * admin calls on the handle act on the nested supervisor (events carry its
 * name); a handle names one incarnation, so after its parent terminated or
 * restarted it the old handle answers -SV_ESHUTDOWN and a new lookup reaches
 * the replacement; the lookup's errors (worker, unknown id, terminated,
 * restarting, bad path). Recorder and fixture: runtime_util.h.
 */
#include "runtime_util.h"

#include <errno.h>

/* The tree root { sub "sub" { l1, l2 }, w }, both of sub's children idle. */
typedef struct nest_fix {
    rt_fix f;
    sv_child_spec kids[2];
    sv_sup_spec sub;
} nest_fix;

static sv_sup *nest_start(nest_fix *n)
{
    sv_child_spec_init(&n->kids[0], "l1", w_idle, NULL);
    sv_child_spec_init(&n->kids[1], "l2", w_idle, NULL);
    sv_sup_spec_init(&n->sub, "sub");
    n->sub.children = n->kids;
    n->sub.nchildren = 2;
    n->sub.intensity = 5;
    rt_begin(&n->f);
    n->f.s.intensity = 5;
    rt_add(&n->f, "subsup", NULL, NULL)->sup = &n->sub;
    rt_add(&n->f, "w", w_idle, NULL);
    return rt_start(&n->f);
}

/* Child i of which_children(s): its state; fails the test if absent. */
static sv_child_state state_of(sv_sup *s, const char *id)
{
    sv_child_info info[8];
    size_t n = 0;
    assert_int_equal(sv_which_children(s, info, 8, &n), 0);
    for (size_t i = 0; i < n && i < 8; i++)
        if (strcmp(info[i].id, id) == 0) return info[i].state;
    fail_msg("%s not listed", id);
    return SV_CHILD_STOPPED;
}

static void test_admin_on_nested(void **state)
{
    (void)state;
    nest_fix n;
    sv_sup *root = nest_start(&n);
    sv_sup *sub = NULL;
    assert_int_equal(sv_sup_child(root, "subsup", &sub), 0);
    assert_non_null(sub);
    assert_ptr_not_equal(sub, root);

    /* the nested supervisor's own view, not the root's */
    sv_child_counts k;
    assert_int_equal(sv_count_children(sub, &k), 0);
    assert_int_equal(k.specs, 2);
    assert_int_equal(k.workers, 2);
    assert_int_equal(k.supervisors, 0);

    assert_int_equal(sv_terminate_child(sub, "l1"), 0);
    int t = rec_find(SV_EV_CHILD_TERMINATED, "l1", 0);
    assert_true(t >= 0);
    assert_string_equal(rec_at(t).sup, "sub");
    assert_int_equal(state_of(sub, "l1"), SV_CHILD_STOPPED);
    assert_int_equal(state_of(sub, "l2"), SV_CHILD_RUNNING);
    assert_int_equal(sv_terminate_child(root, "l1"), -SV_ENOT_FOUND); /* not the root's child */
    assert_int_equal(sv_restart_child(sub, "l2"), -SV_ERUNNING);
    assert_int_equal(sv_restart_child(sub, "l1"), 0);
    int st = rec_find(SV_EV_STARTED, "l1", 2);
    assert_true(st >= 0);
    assert_string_equal(rec_at(st).sup, "sub");
    assert_int_equal(sv_terminate_child(sub, "l2"), 0);
    assert_int_equal(sv_delete_child(sub, "l2"), 0);
    assert_int_equal(sv_count_children(sub, &k), 0);
    assert_int_equal(k.specs, 1);

    /* lookups that fail, and a handle that cannot stop its supervisor */
    sv_sup *x = root;
    assert_int_equal(sv_sup_child(root, "w", &x), -ENOTDIR);
    assert_null(x);
    assert_int_equal(sv_sup_child(root, "nope", &x), -SV_ENOT_FOUND);
    assert_int_equal(sv_sup_child(root, NULL, &x), -EINVAL);
    assert_int_equal(sv_sup_stop(sub), -EINVAL);
    assert_int_equal(state_of(root, "subsup"), SV_CHILD_RUNNING);
    sv_sup_release(sub);
    sv_sup_free(root);
}

/* The nested supervisor is terminated and restarted between two lookups:
 * the first handle keeps answering -SV_ESHUTDOWN (it names the incarnation
 * that ended), the second reaches the replacement. The first handle is
 * released after the root was freed. */
static void test_nested_restarted_between_lookups(void **state)
{
    (void)state;
    nest_fix n;
    sv_sup *root = nest_start(&n);
    sv_sup *old = NULL, *cur = NULL;
    assert_int_equal(sv_sup_child(root, "subsup", &old), 0);
    assert_int_equal(sv_terminate_child(old, "l1"), 0);

    assert_int_equal(sv_terminate_child(root, "subsup"), 0);
    assert_int_equal(sv_sup_child(root, "subsup", &cur), -ESRCH);
    assert_null(cur);
    assert_int_equal(sv_terminate_child(old, "l2"), -SV_ESHUTDOWN);
    sv_child_counts k;
    assert_int_equal(sv_count_children(old, &k), -SV_ESHUTDOWN);
    int reason = -1;
    assert_int_equal(sv_sup_wait(old, 0, &reason), 0); /* that incarnation is over */
    assert_int_equal(reason, SV_EXIT_SHUTDOWN);

    assert_int_equal(sv_restart_child(root, "subsup"), 0);
    assert_int_equal(sv_sup_child(root, "subsup", &cur), 0);
    assert_ptr_not_equal(cur, old);
    /* the replacement started from the spec: l1 runs again, at its first
     * incarnation of this supervisor incarnation */
    assert_int_equal(state_of(cur, "l1"), SV_CHILD_RUNNING);
    assert_int_equal(sv_terminate_child(cur, "l2"), 0);
    assert_int_equal(sv_terminate_child(old, "l1"), -SV_ESHUTDOWN);
    assert_int_equal(rec_count(SV_EV_SUP_START, NULL), 3); /* root, sub twice */
    sv_sup_release(cur);
    sv_sup_free(root);
    sv_sup_release(old); /* after the whole tree is gone */
}

/* Two levels: root { a { b { x } } }, reached by path. */
static void test_lookup_path(void **state)
{
    (void)state;
    sv_child_spec x, bch, ach;
    sv_child_spec_init(&x, "x", w_idle, NULL);
    sv_sup_spec b, a;
    sv_sup_spec_init(&b, "bsup");
    b.children = &x;
    b.nchildren = 1;
    sv_child_spec_init(&bch, "b", NULL, NULL);
    bch.sup = &b;
    sv_sup_spec_init(&a, "asup");
    a.children = &bch;
    a.nchildren = 1;
    sv_child_spec_init(&ach, "a", NULL, NULL);
    ach.sup = &a;
    rt_fix f;
    rt_begin(&f);
    f.k[0] = ach;
    f.s.nchildren = 1;
    sv_sup *root = rt_start(&f);

    sv_sup *h = NULL;
    assert_int_equal(sv_sup_lookup(root, "a/b", &h), 0);
    sv_child_info info[2];
    size_t nn = 0;
    assert_int_equal(sv_which_children(h, info, 2, &nn), 0);
    assert_int_equal(nn, 1);
    assert_string_equal(info[0].id, "x");
    assert_int_equal(sv_terminate_child(h, "x"), 0);
    int t = rec_find(SV_EV_CHILD_TERMINATED, "x", 0);
    assert_true(t >= 0);
    assert_string_equal(rec_at(t).sup, "bsup");
    sv_sup_release(h);

    sv_sup *e = root;
    assert_int_equal(sv_sup_lookup(root, "a", &e), 0);
    sv_sup_release(e);
    assert_int_equal(sv_sup_lookup(root, "a/x", &e), -SV_ENOT_FOUND);
    assert_null(e);
    assert_int_equal(sv_sup_lookup(root, "a/b/x", &e), -ENOTDIR);
    assert_int_equal(sv_sup_lookup(root, "a//b", &e), -EINVAL);
    assert_int_equal(sv_sup_lookup(root, "", &e), -EINVAL);
    assert_int_equal(sv_sup_lookup(root, "b", &e), -SV_ENOT_FOUND); /* paths start at root's children */
    sv_sup_free(root);
}

/* A nested supervisor waiting for its restart (backoff) has no incarnation
 * to reach: -SV_ERESTARTING. Its only child crashes at once and sub's
 * intensity is 0, so every incarnation of sub escalates at once. */
static void test_lookup_restarting(void **state)
{
    (void)state;
    sv_child_spec leaf;
    sv_child_spec_init(&leaf, "leaf", w_crash_always, NULL);
    sv_sup_spec sub;
    sv_sup_spec_init(&sub, "sub");
    sub.children = &leaf;
    sub.nchildren = 1;
    sub.intensity = 0;
    rt_fix f;
    rt_begin(&f);
    f.s.intensity = 100;
    f.s.backoff_min_ms = f.s.backoff_max_ms = 60000;
    rt_add(&f, "subsup", NULL, NULL)->sup = &sub;
    sv_sup *root = rt_start(&f);
    assert_true(rec_wait(SV_EV_BACKOFF, "subsup", 1) >= 0);
    sv_sup *h = root;
    assert_int_equal(sv_sup_child(root, "subsup", &h), -SV_ERESTARTING);
    assert_null(h);
    assert_int_equal(sv_sup_lookup(root, "subsup", &h), -SV_ERESTARTING);
    sv_sup_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_on_nested),
        cmocka_unit_test(test_nested_restarted_between_lookups),
        cmocka_unit_test(test_lookup_path),
        cmocka_unit_test(test_lookup_restarting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
