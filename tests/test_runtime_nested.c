/*
 * test_runtime_nested.c — supervisors nested as children on real threads:
 * intensity exceeded in the inner supervisor escalates to the parent, which
 * restarts it until its own intensity is exceeded; a stop reaches the
 * nested children in reverse order before the parent joins the nested
 * supervisor. Recorder and fixture: runtime_util.h.
 */
#include "runtime_util.h"

/* A nested supervisor spec "sub" without hooks of its own (they are
 * inherited from the parent) over the given children. */
static void sub_init(sv_sup_spec *sub, sv_child_spec *kids, size_t n)
{
    sv_sup_spec_init(sub, "sub");
    sub->children = kids;
    sub->nchildren = n;
}

static void test_nested_escalation(void **state)
{
    (void)state;
    sv_child_spec inner;
    sv_child_spec_init(&inner, "leaf", w_crash_always, NULL);
    sv_sup_spec sub;
    sub_init(&sub, &inner, 1);
    sub.intensity = 1;
    sub.period_ms = 60000;

    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "idle", w_idle, NULL);
    sv_child_spec *subsup = rt_add(&f, "subsup", NULL, NULL);
    subsup->sup = &sub;
    assert_int_equal(subsup->shutdown, SV_SHUTDOWN_INFINITY);
    f.s.intensity = 1;
    f.s.period_ms = 60000;
    sv_sup *sup = rt_start(&f);
    assert_int_equal(rt_wait_exit(sup, 10000), SV_EXIT_SHUTDOWN);
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
    sv_child_spec inner[2];
    sv_child_spec_init(&inner[0], "l1", w_idle, NULL);
    sv_child_spec_init(&inner[1], "l2", w_idle, NULL);
    sv_sup_spec sub;
    sub_init(&sub, inner, 2);
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "subsup", NULL, NULL)->sup = &sub;
    rt_add(&f, "w", w_idle, NULL);
    sv_sup *sup = rt_start(&f);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_escalation),
        cmocka_unit_test(test_nested_stop_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
