/*
 * test_oracle_restart.c — the oracle's invariants on the path from a crash
 * to its restart: crash_logged_once (with the backtrace),
 * joined_before_restart, restart_policy, strategy_set and
 * intensity_shutdown, including the intensity window's boundary. Each
 * mutated trace violates the invariant it breaks, caught under its name.
 * Traces and helpers: oracle_util.h.
 */
#include "oracle_util.h"

/* Intensity boundary: restarts exactly one period apart are accepted either
 * as inside or outside the window; one ms inside is not. */
static const char BOUNDARY[] = START3
    "1000 root crash a 1 panic\n1000 root logged a 1 panic\n1000 root restart a 1 panic\n"
    "1000 root stop_requested a 1\n1000 root joined a 1 panic\n"
    "1000 root start a 2\n1000 root started a 2\n1000 root restarted a 2\n"
    "6000 root crash a 2 panic\n6000 root logged a 2 panic\n6000 root restart a 2 panic\n"
    "6000 root stop_requested a 2\n6000 root joined a 2 panic\n"
    "6000 root start a 3\n6000 root started a 3\n6000 root restarted a 3\n"
    "9000 root stop_requested c 1\n9000 root exit c 1 shutdown\n9000 root joined c 1 shutdown\n"
    "9000 root stop_requested b 1\n9000 root exit b 1 shutdown\n9000 root joined b 1 shutdown\n"
    "9000 root stop_requested a 3\n9000 root exit a 3 shutdown\n9000 root joined a 3 shutdown\n"
    "9000 root shutdown - 0 shutdown\n";

static void test_intensity_window(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 1);
    expect_clean(p.p, BOUNDARY, 23);
    expect_broken(p.p, edits_all(BOUNDARY, "6000 ", "5999 ", NULL), 23, FL_ORACLE_INV_INTENSITY_SHUTDOWN, true);
    /* declaring intensity exceeded when the first restart left the window */
    expect_broken(p.p, edits_all(INTENS, "900 ", "6000 ", NULL), 1000, FL_ORACLE_INV_INTENSITY_SHUTDOWN, true);
    fl_oracle_policy_free(p.p);
}

/* ---- mutations: one invariant each ------------------------------------------------- */

static void test_crash_logged_once(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    /* logged twice */
    expect_broken(p.p, edits(OFO, "100 root logged b 1 panic\n", "100 root logged b 1 panic\n100 root logged b 1 panic\n", NULL),
                  OFO_STOP + 1, FL_ORACLE_INV_CRASH_LOGGED_ONCE, false);
    /* logged with another reason */
    expect_broken(p.p, edits(OFO, "100 root logged b 1 panic", "100 root logged b 1 error", NULL),
                  OFO_STOP, FL_ORACLE_INV_CRASH_LOGGED_ONCE, true);
    /* never logged (the report itself was consumed: this is a logging bug) */
    expect_broken(p.p, without(OFO, "100 root logged b 1 panic"), OFO_STOP - 1, FL_ORACLE_INV_CRASH_LOGGED_ONCE, false);
    /* logged without a crash */
    expect_broken(p.p, edits(OFO, "2000 root stop_requested c 1\n", "1500 root logged c 1 panic\n2000 root stop_requested c 1\n", NULL),
                  OFO_STOP + 1, FL_ORACLE_INV_CRASH_LOGGED_ONCE, true);
    fl_oracle_policy_free(p.p);
}

static void test_crash_logged_backtrace(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    trace t = parse(OFO);
    for (size_t i = 0; i < t.n; i++)
        if (t.ev[i].ev.kind == SV_EV_LOGGED) { /* the supervisor dropped the backtrace */
            free(t.ev[i].backtrace);
            t.ev[i].backtrace = NULL;
            t.ev[i].ev.backtrace = NULL;
        }
    fl_oracle_run_info r = run_ok();
    r.stop_seq = OFO_STOP;
    expect_only_one(p.p, &t, &r, FL_ORACLE_INV_CRASH_LOGGED_ONCE, "backtrace");
    trace_free(&t);
    fl_oracle_policy_free(p.p);
}

static void test_joined_before_restart(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    /* the replacement starts before the old incarnation is joined */
    expect_broken(p.p,
                  edits(OFO, "100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                        "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n100 root joined b 1 panic\n", NULL),
                  OFO_STOP, FL_ORACLE_INV_JOINED_BEFORE_RESTART, false);
    /* the join skipped entirely */
    expect_broken(p.p, without(OFO, "100 root joined b 1 panic"), OFO_STOP - 1, FL_ORACLE_INV_JOINED_BEFORE_RESTART, false);
    /* a join that did not wait: the thread ends after it, or never */
    expect_broken(p.p,
                  edits(OFO, "2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n",
                        "2000 root joined a 1 shutdown\n2000 root exit a 1 shutdown\n", NULL),
                  OFO_STOP, FL_ORACLE_INV_JOINED_BEFORE_RESTART, false);
    expect_broken(p.p, without(OFO, "2000 root exit a 1 shutdown"), OFO_STOP, FL_ORACLE_INV_JOINED_BEFORE_RESTART, true);
    /* joined twice */
    expect_broken(p.p,
                  edits(OFO, "2000 root joined a 1 shutdown\n", "2000 root joined a 1 shutdown\n2000 root joined a 1 shutdown\n",
                        NULL),
                  OFO_STOP, FL_ORACLE_INV_JOINED_BEFORE_RESTART, false);
    fl_oracle_policy_free(p.p);
}

static void test_restart_policy(void **state) {
    pol p;
    /* permanent crash never restarted */
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    expect_broken(p.p,
                  edits(OFO,
                        "100 root restart b 1 panic\n100 root stop_requested b 1\n100 root joined b 1 panic\n"
                        "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                        "100 root stop_requested b 1\n100 root joined b 1 panic\n",
                        "2000 root stop_requested b 2\n2000 root exit b 2 shutdown\n2000 root joined b 2 shutdown\n", "",
                        NULL),
                  12, FL_ORACLE_INV_RESTART_POLICY, true);
    fl_oracle_policy_free(p.p);
    /* transient exit normal restarted; temporary crash restarted */
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_TRANSIENT, SV_PERMANENT, SV_TEMPORARY);
    expect_broken(p.p,
                  edits(TRANS_TEMP, "100 root joined a 1 normal\n",
                        "100 root joined a 1 normal\n100 root restart a 1 normal\n100 root start a 2\n100 root started a 2\n",
                        "2000 root shutdown",
                        "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n2000 root shutdown",
                        NULL),
                  TT_STOP + 3, FL_ORACLE_INV_RESTART_POLICY, true);
    expect_broken(p.p,
                  edits(TRANS_TEMP, "200 root child_removed c 1 panic\n",
                        "200 root restart c 1 panic\n200 root start c 2\n200 root started c 2\n", "2000 root shutdown",
                        "2000 root stop_requested c 2\n2000 root exit c 2 shutdown\n2000 root joined c 2 shutdown\n2000 root shutdown",
                        NULL),
                  TT_STOP + 2, FL_ORACLE_INV_RESTART_POLICY, false);
    fl_oracle_policy_free(p.p);
    /* a restart after intensity exceeded */
    pol_perm(&p, SV_ONE_FOR_ONE, 1);
    expect_broken(p.p,
                  edits(INTENS, "900 root shutdown - 0 shutdown\n",
                        "900 root start a 3\n900 root started a 3\n900 root stop_requested a 3\n900 root exit a 3 shutdown\n"
                        "900 root joined a 3 shutdown\n900 root shutdown - 0 shutdown\n",
                        NULL),
                  1000, FL_ORACLE_INV_RESTART_POLICY, false);
    fl_oracle_policy_free(p.p);
}

static void test_strategy_set(void **state) {
    pol p;
    /* one_for_all that forgets to stop a */
    pol_perm(&p, SV_ONE_FOR_ALL, 3);
    expect_broken(p.p,
                  edits(OFA,
                        "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n"
                        "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n",
                        "",
                        "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n",
                        "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n", NULL),
                  OFA_STOP - 6, FL_ORACLE_INV_STRATEGY_SET, true);
    /* stops in start order instead of reverse */
    expect_broken(p.p,
                  edits(OFA,
                        "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
                        "100 root stop_requested b 1\n100 root joined b 1 error\n"
                        "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n",
                        "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n"
                        "100 root stop_requested b 1\n100 root joined b 1 error\n"
                        "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n",
                        NULL),
                  OFA_STOP, FL_ORACLE_INV_STRATEGY_SET, true);
    /* starts out of order */
    expect_broken(p.p,
                  edits(OFA,
                        "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n"
                        "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n",
                        "100 root start b 2\n100 root started b 2\n100 root restarted b 2\n"
                        "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n",
                        NULL),
                  OFA_STOP, FL_ORACLE_INV_STRATEGY_SET, true);
    fl_oracle_policy_free(p.p);
    /* one_for_one that also stops and restarts c */
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    expect_broken(p.p,
                  edits(OFO,
                        "100 root stop_requested b 1\n100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n"
                        "100 root restarted b 2\n",
                        "100 root stop_requested c 1\n100 root exit c 1 shutdown\n100 root joined c 1 shutdown\n"
                        "100 root stop_requested b 1\n100 root joined b 1 panic\n100 root start b 2\n100 root started b 2\n"
                        "100 root restarted b 2\n"
                        "100 root start c 2\n100 root started c 2\n100 root restarted c 2\n",
                        "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n",
                        "2000 root stop_requested c 2\n2000 root exit c 2 shutdown\n2000 root joined c 2 shutdown\n", NULL),
                  OFO_STOP + 6, FL_ORACLE_INV_STRATEGY_SET, false);
    fl_oracle_policy_free(p.p);
    /* rest_for_one that restarts a as well */
    pol_perm(&p, SV_REST_FOR_ONE, 3);
    expect_broken(p.p,
                  edits(RFO, "100 root stop_requested b 1\n100 root joined b 1 panic\n",
                        "100 root stop_requested b 1\n100 root joined b 1 panic\n"
                        "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n",
                        "100 root start b 2\n",
                        "100 root start a 2\n100 root started a 2\n100 root restarted a 2\n100 root start b 2\n",
                        "2000 root stop_requested a 1\n2000 root exit a 1 shutdown\n2000 root joined a 1 shutdown\n",
                        "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n", NULL),
                  RFO_STOP + 6, FL_ORACLE_INV_STRATEGY_SET, false);
    fl_oracle_policy_free(p.p);
}

static void test_intensity_shutdown(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 1);
    /* the second crash restarted although it exceeds 1 restart in 5 s */
    expect_broken(p.p,
                  edits(INTENS, "900 root intensity_exceeded - 0 shutdown\n",
                        "900 root restart a 2 panic\n900 root stop_requested a 2\n900 root joined a 2 panic\n"
                        "900 root start a 3\n900 root started a 3\n900 root restarted a 3\n",
                        "900 root stop_requested a 2\n900 root joined a 2 panic\n900 root shutdown",
                        "900 root stop_requested a 3\n900 root exit a 3 shutdown\n900 root joined a 3 shutdown\n900 root shutdown",
                        NULL),
                  1000, FL_ORACLE_INV_INTENSITY_SHUTDOWN, false);
    /* intensity exceeded, but children stopped in start order */
    expect_broken(p.p,
                  edits(INTENS,
                        "900 root stop_requested c 1\n900 root exit c 1 shutdown\n900 root joined c 1 shutdown\n"
                        "900 root stop_requested b 1\n900 root exit b 1 shutdown\n900 root joined b 1 shutdown\n",
                        "900 root stop_requested b 1\n900 root exit b 1 shutdown\n900 root joined b 1 shutdown\n"
                        "900 root stop_requested c 1\n900 root exit c 1 shutdown\n900 root joined c 1 shutdown\n",
                        NULL),
                  1000, FL_ORACLE_INV_INTENSITY_SHUTDOWN, true);
    fl_oracle_policy_free(p.p);
    /* nested: no escalation reported */
    pol_nested(&p);
    expect_broken(p.p, without(NESTED, "200 root escalated inner 1 shutdown"), NESTED_STOP - 1,
                  FL_ORACLE_INV_INTENSITY_SHUTDOWN, true);
    fl_oracle_policy_free(p.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intensity_window),
        cmocka_unit_test(test_crash_logged_once),
        cmocka_unit_test(test_crash_logged_backtrace),
        cmocka_unit_test(test_joined_before_restart),
        cmocka_unit_test(test_restart_policy),
        cmocka_unit_test(test_strategy_set),
        cmocka_unit_test(test_intensity_shutdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
