/*
 * test_oracle_shutdown.c — the oracle's invariants on how a run ends:
 * no_lost_report (reports never consumed, or pushed twice),
 * no_leaked_thread, shutdown_completes (deadlock, missing or misordered
 * shutdown sweep, events after shutdown or before sup_start) and
 * auto_shutdown with significant children. Each mutated trace violates the
 * invariant it breaks, caught under its name. Traces and helpers:
 * oracle_util.h.
 */
#include "oracle_util.h"

static void test_no_lost_report(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    /* crash report never popped: no log, no restart; the supervisor joins
     * b only at shutdown */
    expect_broken(p.p,
                  edits(OFO,
                        "100 root logged b 1 panic\n100 root restart b 1 panic\n100 root stop_requested b 1\n"
                        "100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                        "",
                        "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n",
                        "2000 root stop_requested b 1\n2000 root joined b 1 panic\n", NULL),
                  8, FL_ORACLE_INV_NO_LOST_REPORT, false);
    /* an exit report that is never acted upon until the final stop */
    expect_broken(p.p,
                  edits(OFO, "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n",
                        "1000 root exit a 1 normal\n2000 root stop_requested a 1\n", "2000 root joined a 1 shutdown",
                        "2000 root joined a 1 normal", NULL),
                  OFO_STOP + 1, FL_ORACLE_INV_NO_LOST_REPORT, false);
    /* a report pushed twice */
    expect_broken(p.p,
                  edits(OFO, "2000 root exit c 1 shutdown\n", "2000 root exit c 1 shutdown\n2000 root exit c 1 shutdown\n",
                        NULL),
                  OFO_STOP, FL_ORACLE_INV_NO_LOST_REPORT, true);
    fl_oracle_policy_free(p.p);
    /* temporary child's exit never consumed */
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_TRANSIENT, SV_PERMANENT, SV_TEMPORARY);
    expect_broken(p.p,
                  edits(TRANS_TEMP,
                        "200 root crash c 1 panic\n200 root logged c 1 panic\n"
                        "200 root stop_requested c 1\n200 root joined c 1 panic\n200 root child_removed c 1 panic\n",
                        "200 root exit c 1 normal\n", "2000 root stop_requested b 1\n",
                        "2000 root stop_requested c 1\n2000 root joined c 1 normal\n2000 root stop_requested b 1\n", NULL),
                  11, FL_ORACLE_INV_NO_LOST_REPORT, true);
    fl_oracle_policy_free(p.p);
}

static void test_no_leaked_thread(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    trace t = parse(OFO);
    const char *names[] = {"root/b#2"};
    fl_oracle_run_info r = run_ok();
    r.stop_seq = OFO_STOP;
    r.leaked = names;
    r.nleaked = 1;
    expect_only_one(p.p, &t, &r, FL_ORACLE_INV_NO_LEAKED_THREAD, "root/b#2");
    trace_free(&t);
    /* never joined nor unstopped (and no report): leaked and unjoined */
    expect_broken(p.p, without(OFO, "2000 root joined c 1 shutdown"), OFO_STOP, FL_ORACLE_INV_NO_LEAKED_THREAD, false);
    /* unstopped is accounted for */
    char *uns = edits(OFO, "2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n", "2000 root unstopped c 1 killed\n",
                      NULL);
    expect_clean(p.p, uns, OFO_STOP);
    free(uns);
    fl_oracle_policy_free(p.p);
}

static void test_shutdown_completes(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    fl_oracle_run_info r = run_ok();
    r.end = FL_ORACLE_END_DEADLOCK;
    r.end_detail = "main blocked in join of root\nroot waits on queue";
    r.stop_returned = false;
    fl_oracle_verdict vd = check_run(p.p, OFO, &r);
    const fl_oracle_violation *v = fl_oracle_verdict_find(&vd, FL_ORACLE_INV_SHUTDOWN_COMPLETES);
    assert_non_null(v);
    assert_non_null(strstr(v->message, "deadlock: main blocked in join of root"));
    fl_oracle_verdict_free(&vd);
    /* no root shutdown */
    expect_broken(p.p, without(OFO, "2000 root shutdown - 0 shutdown"), OFO_STOP, FL_ORACLE_INV_SHUTDOWN_COMPLETES, true);
    /* shutdown sweep in start order */
    expect_broken(p.p,
                  edits(OFO, "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n", "",
                        "2000 root shutdown",
                        "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n"
                        "2000 root shutdown",
                        NULL),
                  OFO_STOP, FL_ORACLE_INV_SHUTDOWN_COMPLETES, true);
    /* an event after shutdown */
    expect_broken(p.p,
                  edits(OFO, "2000 root shutdown - 0 shutdown\n",
                        "2000 root shutdown - 0 shutdown\n2000 root restart a 1 panic\n", NULL),
                  OFO_STOP, FL_ORACLE_INV_SHUTDOWN_COMPLETES, false);
    fl_oracle_policy_free(p.p);
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
    assert_int_equal(fl_oracle_policy_new(&p->sup, &p->p), 0);
}

static void test_auto_shutdown(void **state) {
    pol p;
    pol_auto(&p, SV_AUTO_ANY_SIGNIFICANT);
    expect_clean(p.p, AUTO, 1000);
    /* the supervisor ignores the significant exit */
    expect_broken(p.p,
                  edits_all(AUTO, "100 root auto_shutdown - 0 shutdown\n", "", "100 root stop_requested c", "2000 root stop_requested c", "100 root exit c",
                            "2000 root exit c", "100 root joined c", "2000 root joined c", "100 root stop_requested b",
                            "2000 root stop_requested b", "100 root exit b", "2000 root exit b", "100 root joined b",
                            "2000 root joined b", "100 root shutdown", "2000 root shutdown", NULL),
                  10, FL_ORACLE_INV_SHUTDOWN_COMPLETES, true);
    fl_oracle_policy_free(p.p);
    /* auto_shutdown although the policy says never */
    pol_auto(&p, SV_AUTO_NEVER);
    expect_violation(p.p, AUTO, 1000, FL_ORACLE_INV_SHUTDOWN_COMPLETES, true);
    fl_oracle_policy_free(p.p);
    /* a shutdown with no reason at all (intensity_exceeded missing) */
    pol_perm(&p, SV_ONE_FOR_ONE, 1);
    expect_broken(p.p, without(INTENS, "900 root intensity_exceeded - 0 shutdown"), 1000, FL_ORACLE_INV_SHUTDOWN_COMPLETES,
                  false);
    /* events before sup_start */
    expect_broken(p.p, without(OFO, "0 root sup_start"), OFO_STOP - 1, FL_ORACLE_INV_SHUTDOWN_COMPLETES, true);
    fl_oracle_policy_free(p.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_lost_report),
        cmocka_unit_test(test_no_leaked_thread),
        cmocka_unit_test(test_shutdown_completes),
        cmocka_unit_test(test_auto_shutdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
