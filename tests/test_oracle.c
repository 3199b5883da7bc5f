/*
 * test_oracle.c — the oracle over hand-written traces: a correct trace per
 * strategy (and per exit path) passes every invariant; the API around it:
 * invariant names, verdicts, policy errors, admin calls and dynamic
 * children; garbage traces never crash it. The mutations that violate each
 * invariant: test_oracle_restart.c and test_oracle_shutdown.c. Traces and
 * helpers: oracle_util.h.
 */
#include "oracle_util.h"

static void test_correct_traces_pass(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    expect_clean(p.p, OFO, OFO_STOP);
    fl_oracle_policy_free(p.p);
    pol_perm(&p, SV_ONE_FOR_ALL, 3);
    expect_clean(p.p, OFA, OFA_STOP);
    fl_oracle_policy_free(p.p);
    pol_perm(&p, SV_REST_FOR_ONE, 3);
    expect_clean(p.p, RFO, RFO_STOP);
    fl_oracle_policy_free(p.p);
    pol_perm(&p, SV_ONE_FOR_ONE, 1);
    expect_clean(p.p, INTENS, 1000);
    fl_oracle_policy_free(p.p);
    pol_make(&p, SV_ONE_FOR_ONE, 3, 5000, SV_TRANSIENT, SV_PERMANENT, SV_TEMPORARY);
    expect_clean(p.p, TRANS_TEMP, TT_STOP);
    fl_oracle_policy_free(p.p);
    pol_nested(&p);
    expect_clean(p.p, NESTED, NESTED_STOP);
    fl_oracle_policy_free(p.p);
}

/* ---- API details ------------------------------------------------------------------ */

static void test_names_and_verdicts(void **state) {
    for (int i = 0; i < FL_ORACLE_INV_COUNT; i++) assert_int_equal(fl_oracle_inv_from_name(fl_oracle_inv_name(i)), i);
    assert_int_equal(fl_oracle_inv_from_name("nope"), -1);
    assert_string_equal(fl_oracle_inv_name(FL_ORACLE_INV_COUNT), "?");
    fl_oracle_verdict vd;
    fl_oracle_verdict_init(&vd);
    uint64_t s1[] = {9, 4};
    uint64_t s2[] = {2};
    assert_int_equal(fl_oracle_verdict_add(&vd, FL_ORACLE_INV_STRATEGY_SET, s1, 2, "x %d", 1), 0);
    assert_int_equal(fl_oracle_verdict_add(&vd, FL_ORACLE_INV_NO_LEAKED_THREAD, NULL, 0, "leak"), 0);
    assert_int_equal(fl_oracle_verdict_add(&vd, FL_ORACLE_INV_RESTART_POLICY, s2, 1, "y"), 0);
    assert_int_equal(vd.v[0].seqs[0], 4); /* sorted */
    assert_string_equal(vd.v[0].message, "x 1");
    assert_int_equal(fl_oracle_verdict_primary(&vd)->inv, FL_ORACLE_INV_RESTART_POLICY);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fl_oracle_verdict_print(&vd, f);
    fclose(f);
    assert_string_equal(buf, "strategy_set: x 1 [events #4 #9]\nno_leaked_thread: leak\nrestart_policy: y [events #2]\n");
    free(buf);
    fl_oracle_verdict_free(&vd);
    assert_int_equal(vd.n, 0);
}

static void test_policy_errors(void **state) {
    sv_child_spec c[2];
    sv_child_spec_init(&c[0], "a", worker, NULL);
    sv_child_spec_init(&c[1], "a", worker, NULL);
    sv_sup_spec s;
    sv_sup_spec_init(&s, "root");
    s.children = c;
    s.nchildren = 2;
    fl_oracle_policy *p = NULL;
    assert_int_equal(fl_oracle_policy_new(&s, &p), -EINVAL); /* duplicate id */
    s.nchildren = 1;
    assert_int_equal(fl_oracle_policy_new(&s, &p), 0);
    sv_child_spec d;
    sv_child_spec_init(&d, "dyn", worker, NULL);
    assert_int_equal(fl_oracle_policy_add_child(p, "root", &d), 0);
    assert_int_equal(fl_oracle_policy_add_child(p, "root", &d), -EEXIST);
    assert_int_equal(fl_oracle_policy_add_child(p, "nope", &d), -ENOENT);
    fl_oracle_policy_free(p);
}

/* A dynamic child started by an admin call and restarted later is judged by
 * its own policy; events inside the admin call need no cause. */
static void test_admin_and_dynamic(void **state) {
    pol p;
    pol_perm(&p, SV_ONE_FOR_ONE, 3);
    sv_child_spec d;
    sv_child_spec_init(&d, "d", worker, NULL);
    d.restart = SV_TRANSIENT;
    assert_int_equal(fl_oracle_policy_add_child(p.p, "root", &d), 0);
    const char *text = START3
        "100 root stop_requested a 1\n100 root exit a 1 shutdown\n100 root joined a 1 shutdown\n100 root child_terminated a 1 shutdown\n"
        "200 root start a 2\n200 root started a 2\n"
        "300 root start d 1\n300 root started d 1\n"
        "400 root crash d 1 panic\n400 root logged d 1 panic\n400 root restart d 1 panic\n"
        "400 root stop_requested d 1\n400 root joined d 1 panic\n"
        "400 root start d 2\n400 root started d 2\n400 root restarted d 2\n"
        "2000 root stop_requested d 2\n2000 root exit d 2 shutdown\n2000 root joined d 2 shutdown\n"
        "2000 root stop_requested c 1\n2000 root exit c 1 shutdown\n2000 root joined c 1 shutdown\n"
        "2000 root stop_requested b 1\n2000 root exit b 1 shutdown\n2000 root joined b 1 shutdown\n"
        "2000 root stop_requested a 2\n2000 root exit a 2 shutdown\n2000 root joined a 2 shutdown\n"
        "2000 root shutdown - 0 shutdown\n";
    fl_oracle_admin_call calls[] = {
        {FL_ORACLE_ADMIN_TERMINATE, "root", "a", 7, 11, 0, 0},
        {FL_ORACLE_ADMIN_RESTART, "root", "a", 11, 13, 0, 0},
        {FL_ORACLE_ADMIN_START, "root", "d", 13, 15, 0, 0},
    };
    fl_oracle_run_info r = run_ok();
    r.stop_seq = 23;
    r.admin = calls;
    r.nadmin = 3;
    fl_oracle_verdict vd = check_run(p.p, text, &r);
    print_verdict(&vd);
    assert_int_equal(vd.n, 0);
    fl_oracle_verdict_free(&vd);
    /* without the admin record, a's restart has no cause */
    r.nadmin = 0;
    vd = check_run(p.p, text, &r);
    assert_non_null(fl_oracle_verdict_find(&vd, FL_ORACLE_INV_RESTART_POLICY));
    fl_oracle_verdict_free(&vd);
    fl_oracle_policy_free(p.p);
}

/* Arbitrary traces (unknown kinds, reasons and names, zero incarnations,
 * time going backwards) never crash the oracle or read out of bounds. */
static void test_garbage_traces(void **state) {
    pol p;
    pol_nested(&p);
    const char *sups[] = {"root", "inner", "ghost", NULL};
    const char *kids[] = {"w", "inner", "x", "zz", NULL};
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    int rounds = getenv("FL_FLAVOUR") && strcmp(getenv("FL_FLAVOUR"), "plain") ? 100 : 400;
    for (int round = 0; round < rounds; round++) {
        size_t n = 1 + round % 60;
        fl_event *ev = calloc(n, sizeof *ev);
        for (size_t i = 0; i < n; i++) {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
            sv_event *e = &ev[i].ev;
            e->seq = i + 1;
            e->time_ns = (int64_t)(rng % 5000) * 1000000 - 1000000;
            e->kind = (sv_event_kind)(rng % (SV_EV__COUNT + 2));
            e->sup = sups[(rng >> 8) % 4];
            e->child = kids[(rng >> 12) % 5];
            e->incarnation = (uint32_t)((rng >> 16) % 4);
            e->reason = (int)((rng >> 20) % 8) - 1;
            e->message = (rng >> 24) & 1 ? "m" : NULL;
            e->backtrace = (rng >> 25) & 1 ? "#0 x\n" : NULL;
        }
        const char *leaked[] = {"t"};
        fl_oracle_admin_call adm = {FL_ORACLE_ADMIN_RESTART, "root", "w", 2, 5, 0, 0};
        fl_oracle_run_info r = {.end = (fl_oracle_end)(round % 5), .stop_requested = round & 1, .stop_seq = (uint64_t)round % 7,
                         .stop_returned = true, .leaked = leaked, .nleaked = (size_t)(round % 2),
                         .admin = &adm, .nadmin = 1};
        fl_oracle_verdict vd;
        fl_oracle_verdict_init(&vd);
        assert_int_equal(fl_oracle_check(p.p, ev, n, &r, &vd), 0);
        for (size_t i = 0; i < vd.n; i++) assert_true(vd.v[i].inv < FL_ORACLE_INV_EXPECTATION);
        fl_oracle_verdict_free(&vd);
        free(ev);
    }
    fl_oracle_policy_free(p.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_traces_pass),
        cmocka_unit_test(test_names_and_verdicts),
        cmocka_unit_test(test_policy_errors),
        cmocka_unit_test(test_admin_and_dynamic),
        cmocka_unit_test(test_garbage_traces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
