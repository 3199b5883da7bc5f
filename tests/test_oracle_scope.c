/*
 * test_oracle_scope.c — the oracle's precision and its newer invariants:
 * incarnations scoped by generation of a child id (delete + start_child,
 * a temporary child started again), a crash during the initial start that
 * restarts the group (OTP), trees wider than any fixed table, event_order,
 * and children_view (snapshots of which_children / count_children checked
 * against the trace). Traces and helpers: oracle_util.h.
 */
#include "oracle_util.h"

/* ---- generations ------------------------------------------------------------------ */

/* a crashes and is restarted (#2), is terminated and deleted, started again
 * with start_child: libsv numbers it from 1 again; it crashes again (#1 of
 * the new generation) and is restarted (#2). Re-added, it is last in start
 * order, so the shutdown stops it first. */
static const char READD[] = START3
    "100 root crash a 1 panic\n100 root logged a 1 panic\n100 root restart a 1 panic\n"
    "100 root stop_requested a 1\n100 root joined a 1 panic\n"
    "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n"
    "200 root stop_requested a 2\n200 root exit a 2 shutdown\n200 root joined a 2 shutdown\n"
    "200 root child_terminated a 2 shutdown\n"
    "250 root child_removed a 2 shutdown\n"
    "300 root start a 1\n300 root started a 1\n"
    "400 root crash a 1 panic\n400 root logged a 1 panic\n400 root restart a 1 panic\n"
    "400 root stop_requested a 1\n400 root joined a 1 panic\n"
    "400 root start a 2\n400 root started a 2\n400 root restarted a 2\n"
    "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n"
    "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n"
    "2000 root stop_requested b 1\n2000 root exit b 1 shutdown\n2000 root joined b 1 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";
#define READD_STOP 36

static fl_oracle_run_info readd_run(fl_oracle_admin_call *calls) {
    fl_oracle_run_info r = run_ok();
    r.stop_seq = READD_STOP;
    calls[0] = (fl_oracle_admin_call){.op = FL_ORACLE_ADMIN_TERMINATE, .sup = "root", .child = "a", .seq_before = 15, .seq_after = 19};
    calls[1] = (fl_oracle_admin_call){.op = FL_ORACLE_ADMIN_DELETE, .sup = "root", .child = "a", .seq_before = 19, .seq_after = 20};
    calls[2] = (fl_oracle_admin_call){.op = FL_ORACLE_ADMIN_START, .sup = "root", .child = "a", .seq_before = 20, .seq_after = 22};
    r.admin = calls;
    r.nadmin = 3;
    return r;
}

static void test_readded_id_is_a_new_generation(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 5);
    fl_oracle_admin_call calls[3];
    fl_oracle_run_info r = readd_run(calls);
    fl_oracle_verdict vd = check_run(p.p, READD, &r);
    print_verdict(&vd);
    assert_int_equal(vd.n, 0);
    fl_oracle_verdict_free(&vd);
    /* the same numbers without a removal or a start_child call in between
     * are one generation: #1 and #2 started twice */
    char *m = without(READD, "250 root child_removed a 2 shutdown");
    r.nadmin = 1;
    vd = check_run(p.p, m, &r);
    assert_non_null(fl_oracle_verdict_find(&vd, FL_ORACLE_INV_RESTART_POLICY));
    fl_oracle_verdict_free(&vd);
    free(m);
    fl_oracle_policy_free(p.p);
}

/* A temporary child ends, is removed, and is started again by start_child:
 * a new generation numbered from 1, which ends and is removed again. */
static const char TEMP_AGAIN[] =
    "0 root sup_start\n0 root start a 1\n0 root started a 1\n0 root start b 1\n0 root started b 1\n"
    "0 root start c 1\n0 root started c 1\n"
    "100 root exit c 1 normal\n100 root stop_requested c 1\n100 root joined c 1 normal\n"
    "100 root child_removed c 1 normal\n"
    "300 root start c 1\n300 root started c 1\n"
    "400 root exit c 1 normal\n400 root stop_requested c 1\n400 root joined c 1 normal\n"
    "400 root child_removed c 1 normal\n"
    "2000 root stop_requested b 1\n2000 root exit b 1 shutdown\n2000 root joined b 1 shutdown\n"
    "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";

static void test_temporary_started_again(void **state) {
    pol p;
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_PERMANENT, SV_PERMANENT, SV_TEMPORARY);
    fl_oracle_admin_call call = {.op = FL_ORACLE_ADMIN_START, .sup = "root", .child = "c", .seq_before = 11, .seq_after = 13};
    fl_oracle_run_info r = run_ok();
    r.stop_seq = 17;
    r.admin = &call;
    r.nadmin = 1;
    fl_oracle_verdict vd = check_run(p.p, TEMP_AGAIN, &r);
    print_verdict(&vd);
    assert_int_equal(vd.n, 0);
    fl_oracle_verdict_free(&vd);
    fl_oracle_policy_free(p.p);
}

/* ---- a crash during the initial start ---------------------------------------------- */

/* a crashes before b and c are started; once up, the supervisor restarts
 * the whole group (one_for_all) / a and those after it (rest_for_one). */
static const char INIT_CRASH[] =
    "0 root sup_start\n0 root start a 1\n0 root started a 1\n0 root crash a 1 panic\n"
    "0 root start b 1\n0 root started b 1\n0 root start c 1\n0 root started c 1\n"
    "0 root logged a 1 panic\n0 root restart a 1 panic\n"
    "0 root stop_requested c 1\n0 root exit c 1 shutdown\n0 root joined c 1 shutdown\n"
    "0 root stop_requested b 1\n0 root exit b 1 shutdown\n0 root joined b 1 shutdown\n"
    "0 root stop_requested a 1\n0 root joined a 1 panic\n"
    "0 root start a 2\n0 root started a 2\n0 root restarted a 2\n"
    "0 root start b 2\n0 root started b 2\n0 root restarted b 2\n"
    "0 root start c 2\n0 root started c 2\n0 root restarted c 2\n"
    "2000 root stop_requested c 2\n2000 root exit c 2 shutdown\n2000 root joined c 2 shutdown\n"
    "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n"
    "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n"
    "2000 root shutdown - 0 shutdown\n";

static void test_crash_during_initial_start(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ALL, 5);
    expect_clean(p.p, INIT_CRASH, 27);
    fl_oracle_policy_free(p.p);
    pol_perm(&p, SV_REST_FOR_ONE, 5);
    expect_clean(p.p, INIT_CRASH, 27);
    /* under one_for_one the same restarts of b and c have no cause */
    fl_oracle_policy_free(p.p);
    pol_perm(&p, SV_ONE_FOR_ONE, 5);
    expect_violation(p.p, INIT_CRASH, 27, FL_ORACLE_INV_RESTART_POLICY, false);
    fl_oracle_policy_free(p.p);
}

/* ---- no fixed tables ---------------------------------------------------------------- */

#define WIDE 300

static void test_wide_tree(void **state) {
    static sv_child_spec ch[WIDE];
    static char ids[WIDE][16];
    sv_sup_spec sup;
    sv_sup_spec_init(&sup, "root");
    for (int i = 0; i < WIDE; i++) {
        snprintf(ids[i], sizeof ids[i], "w%03d", i);
        sv_child_spec_init(&ch[i], ids[i], worker, NULL);
    }
    sup.children = ch;
    sup.nchildren = WIDE;
    fl_oracle_policy *p;
    assert_int_equal(fl_oracle_policy_new(&sup, &p), 0);
    size_t cap = (size_t)WIDE * 240 + 100, len = 0;
    char *t = malloc(cap);
    len += (size_t)snprintf(t + len, cap - len, "0 root sup_start\n");
    for (int i = 0; i < WIDE; i++)
        len += (size_t)snprintf(t + len, cap - len, "0 root start %s 1\n0 root started %s 1\n", ids[i], ids[i]);
    for (int i = WIDE; i-- > 0;)
        len += (size_t)snprintf(t + len, cap - len, "9 root stop_requested %s 1\n9 root exit %s 1 shutdown\n"
                                "9 root joined %s 1 shutdown\n", ids[i], ids[i], ids[i]);
    snprintf(t + len, cap - len, "9 root shutdown - 0 shutdown\n");
    expect_clean(p, t, 2 * WIDE + 1);
    /* the two first-stopped children swapped: out of reverse start order */
    char *m = edits(t, "9 root stop_requested w299 1\n9 root exit w299 1 shutdown\n9 root joined w299 1 shutdown\n",
                    "", "9 root joined w298 1 shutdown\n",
                    "9 root joined w298 1 shutdown\n9 root stop_requested w299 1\n9 root exit w299 1 shutdown\n"
                    "9 root joined w299 1 shutdown\n", NULL);
    expect_broken(p, m, 2 * WIDE + 1, FL_ORACLE_INV_SHUTDOWN_COMPLETES, true);
    free(t);
    fl_oracle_policy_free(p);
}

/* ---- event_order -------------------------------------------------------------------- */

static void test_event_order(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    /* b's crash reported before its STARTED */
    expect_broken(p.p, edits(OFO, "0 root started b 1\n", "0 root crash b 1 panic\n0 root started b 1\n",
                             "100 root crash b 1 panic\n", "", NULL),
                  OFO_STOP, FL_ORACLE_INV_EVENT_ORDER, false);
    /* the restart decided before b#1 ended */
    expect_broken(p.p, edits(OFO, "100 root crash b 1 panic\n100 root logged b 1 panic\n100 root restart b 1 panic\n",
                             "100 root restart b 1 panic\n100 root crash b 1 panic\n100 root logged b 1 panic\n", NULL),
                  OFO_STOP, FL_ORACLE_INV_EVENT_ORDER, false);
    /* joined before it was asked to stop */
    expect_broken(p.p, edits(OFO, "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n",
                             "2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n2000 root stop_requested c 1\n", NULL),
                  OFO_STOP, FL_ORACLE_INV_EVENT_ORDER, false);
    fl_oracle_policy_free(p.p);
}

/* ---- children_view ------------------------------------------------------------------- */

static sv_child_info info(const char *id, sv_child_state st, uint32_t inc) {
    sv_child_info i;
    memset(&i, 0, sizeof i);
    snprintf(i.id, sizeof i.id, "%s", id);
    i.state = st;
    i.incarnation = inc;
    return i;
}

/* The run r over text passes children_view (ok) or breaks it; a break's
 * message contains `part` when given. */
static void expect_cv(const fl_oracle_policy *p, const char *text, const fl_oracle_run_info *r, bool ok,
                      const char *part) {
    fl_oracle_verdict vd = check_run(p, text, r);
    const fl_oracle_violation *v = fl_oracle_verdict_find(&vd, FL_ORACLE_INV_CHILDREN_VIEW);
    if (ok && v) print_verdict(&vd);
    assert_true(ok ? v == NULL : v != NULL);
    if (v && part) assert_non_null(strstr(v->message, part));
    fl_oracle_verdict_free(&vd);
}

/* OFO with one snapshot of root whose window is (before, after]. */
static void expect_view(const fl_oracle_policy *p, const char *text, const sv_child_info *ch, size_t n, uint64_t before,
                        uint64_t after, const sv_child_counts *counts, bool ok) {
    fl_oracle_snapshot sn = {.sup = "root", .at_ns = 50000000, .seq_before = before, .seq_after = after,
                             .children = ch, .n = n, .counted = counts != NULL, .have_counts = counts != NULL};
    if (counts) sn.counts = *counts;
    fl_oracle_run_info r = run_ok();
    r.stop_seq = OFO_STOP;
    r.snaps = &sn;
    r.nsnaps = 1;
    expect_cv(p, text, &r, ok, NULL);
}

static void test_children_view(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    sv_child_info up[3] = {info("a", SV_CHILD_RUNNING, 1), info("b", SV_CHILD_RUNNING, 1), info("c", SV_CHILD_RUNNING, 1)};
    sv_child_counts k = {.specs = 3, .active = 3, .workers = 3};
    expect_view(p.p, OFO, up, 3, 7, 7, &k, true);
    /* a running child shown restarting */
    sv_child_info bad = up[1];
    up[1].state = SV_CHILD_RESTARTING;
    expect_view(p.p, OFO, up, 3, 7, 7, NULL, false);
    up[1] = bad;
    /* out of start order */
    sv_child_info swapped[3] = {up[1], up[0], up[2]};
    expect_view(p.p, OFO, swapped, 3, 7, 7, NULL, false);
    /* a running child missing */
    expect_view(p.p, OFO, up, 2, 7, 7, NULL, false);
    /* after b's restart: incarnation 2; the old number is wrong */
    expect_view(p.p, OFO, up, 3, 15, 15, NULL, false);
    up[1].incarnation = 2;
    expect_view(p.p, OFO, up, 3, 15, 15, NULL, true);
    /* the window covers the restart: b#1 shown running before it, fine */
    up[1].incarnation = 1;
    expect_view(p.p, OFO, up, 3, 7, 15, NULL, true);
    /* count_children counting a child that is not running */
    up[1].incarnation = 2;
    k.active = 2;
    expect_view(p.p, OFO, up, 3, 15, 15, &k, false);
    fl_oracle_policy_free(p.p);
}

/* one_for_all: a crashes; b does not stop in time and is abandoned; the
 * group waits in backoff. Then a shows restarting, b unstopped. */
static const char ABANDON[] = START3
    "100 root crash a 1 panic\n100 root logged a 1 panic\n100 root restart a 1 panic\n"
    "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
    "100 root stop_requested b 1\n200 root unstopped b 1 killed\n"
    "200 root stop_requested a 1\n200 root joined a 1 panic\n"
    "200 root backoff a 1 panic\n";

static void test_children_view_unstopped(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ALL, 3);
    sv_child_info v[3] = {info("a", SV_CHILD_RESTARTING, 1), info("b", SV_CHILD_UNSTOPPED, 1),
                          info("c", SV_CHILD_RESTARTING, 1)};
    sv_child_counts k = {.specs = 3, .active = 0, .workers = 3};
    expect_view(p.p, ABANDON, v, 3, 18, 18, &k, true);
    v[1].state = SV_CHILD_RESTARTING; /* an abandoned incarnation must show unstopped */
    expect_view(p.p, ABANDON, v, 3, 18, 18, NULL, false);
    v[1].state = SV_CHILD_UNSTOPPED;
    v[0].state = SV_CHILD_UNSTOPPED; /* a was joined, not abandoned */
    expect_view(p.p, ABANDON, v, 3, 18, 18, NULL, false);
    v[0].state = SV_CHILD_RESTARTING;
    k.active = 1; /* active must not count restarting or unstopped children */
    expect_view(p.p, ABANDON, v, 3, 18, 18, &k, false);
    fl_oracle_policy_free(p.p);
}

/* Views of a nested supervisor are judged against its own records (by its
 * name), and an empty simple_one_for_one supervisor counts its template. */
static const char NESTED_UP[] =
    "0 root sup_start\n0 root start w 1\n0 root started w 1\n0 root start inner 1\n"
    "0 inner sup_start\n0 inner start x 1\n0 inner started x 1\n0 root started inner 1\n";

/* One snapshot sn over a run that was never asked to stop. */
static void expect_snap(const fl_oracle_policy *p, const char *text, const fl_oracle_snapshot *sn, bool ok) {
    fl_oracle_run_info r = run_ok();
    r.stop_requested = false;
    r.snaps = sn;
    r.nsnaps = 1;
    expect_cv(p, text, &r, ok, NULL);
}

static void test_children_view_nested(void **state) {
    pol p;
    pol_nested(&p);
    sv_child_info x = info("x", SV_CHILD_RUNNING, 1);
    sv_child_counts k = {.specs = 1, .active = 1, .workers = 1};
    fl_oracle_snapshot sn = {.sup = "inner", .seq_before = 8, .seq_after = 8, .children = &x, .n = 1,
                             .counted = true, .have_counts = true, .counts = k};
    expect_snap(p.p, NESTED_UP, &sn, true);
    x.state = SV_CHILD_STOPPED; /* x runs in inner */
    expect_snap(p.p, NESTED_UP, &sn, false);
    x.state = SV_CHILD_RUNNING;
    sn.sup = "root"; /* root has no child x running; w and inner run and are not listed */
    expect_snap(p.p, NESTED_UP, &sn, false);
    fl_oracle_policy_free(p.p);

    sv_child_spec t;
    sv_child_spec_init(&t, "t", worker, NULL);
    sv_sup_spec pool;
    sv_sup_spec_init(&pool, "root");
    pool.strategy = SV_SIMPLE_ONE_FOR_ONE;
    pool.children = &t;
    pool.nchildren = 1;
    fl_oracle_policy *pp;
    assert_int_equal(fl_oracle_policy_new(&pool, &pp), 0);
    fl_oracle_snapshot empty = {.sup = "root", .seq_before = 1, .seq_after = 1, .counted = true,
                                .have_counts = true, .counts = {.specs = 1}};
    expect_snap(pp, "0 root sup_start\n", &empty, true);
    empty.counts.specs = 0;
    expect_snap(pp, "0 root sup_start\n", &empty, false);
    fl_oracle_policy_free(pp);
}

/* Admin answers: each call that answered ok shows its effect in its window,
 * emitted by the supervisor it was made on. */
static void test_admin_answers(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 5);
    fl_oracle_admin_call calls[3];
    fl_oracle_run_info r = readd_run(calls);
    expect_cv(p.p, READD, &r, true, NULL);
    /* each call said to be made on another supervisor: its events are root's */
    for (int k = 0; k < 3; k++) {
        calls[k].sup = "inner";
        expect_cv(p.p, READD, &r, k == 0, "answered ok"); /* terminate: a ran in no `inner` (nothing to show) */
        calls[k].sup = "root";
    }
    /* terminate answered ok while a#2 ran, but no child_terminated */
    char *m = without(READD, "200 root child_terminated a 2 shutdown");
    expect_cv(p.p, m, &r, false, "answered ok");
    free(m);
    /* an error answer claims nothing */
    calls[1].result = -SV_ERUNNING;
    m = without(READD, "250 root child_removed a 2 shutdown");
    r.nadmin = 2;
    expect_cv(p.p, m, &r, true, NULL);
    calls[1].result = 0;
    expect_cv(p.p, m, &r, false, "answered ok");
    free(m);
    fl_oracle_policy_free(p.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readded_id_is_a_new_generation),
        cmocka_unit_test(test_temporary_started_again),
        cmocka_unit_test(test_crash_during_initial_start),
        cmocka_unit_test(test_wide_tree),
        cmocka_unit_test(test_event_order),
        cmocka_unit_test(test_children_view),
        cmocka_unit_test(test_children_view_unstopped),
        cmocka_unit_test(test_admin_answers),
        cmocka_unit_test(test_children_view_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
