/*
 * test_scenario_refusals.c — scenarios that cannot run as written are
 * refused (never a pass), a refusal expected with `expect refused` passes,
 * a livelocked case ends at its first seed, and the runner's snapshots feed
 * `expect count` / `expect children` and the children_view invariant. Real
 * runs of libsv on the controlled scheduler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runner/fl_runner.h"
#include "scenario/fl_scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fl_scenario *parse(const char *text) {
    fl_scenario *s = NULL;
    fl_lex_diag d = {0};
    int r = fl_scenario_parse_str("r.scn", text, strlen(text), &s, &d);
    if (r) fprintf(stderr, "%s\n", d.text);
    assert_int_equal(r, 0);
    return s;
}

static int run1(const fl_scenario *s, fl_runner_out *o) {
    fl_runner_params p = {.seed = 1, .strategy = FL_SCHED_STRAT_RANDOM};
    return fl_runner_run(s, &p, o);
}

/* One run of text (seed 1) holds every invariant and expectation; the
 * output is returned for more checks (free it with fl_runner_out_free). */
static fl_runner_out run_clean(const char *text) {
    fl_scenario *s = parse(text);
    fl_runner_out o;
    assert_int_equal(run1(s, &o), 0);
    if (o.verdict.n) fl_oracle_verdict_print(&o.verdict, stderr);
    assert_int_equal(o.verdict.n, 0);
    fl_scenario_free(s);
    return o;
}

/* 17 supervisors nested under the root: libsv refuses the tree. */
static char *deep_tree(const char *extra) {
    size_t cap = 4096, len = 0;
    char *t = malloc(cap);
    len += (size_t)snprintf(t + len, cap - len, "run seeds=3 duration=100ms\nsupervisor root\n");
    int ind = 2;
    for (int i = 0; i < 17; i++, ind += 2) len += (size_t)snprintf(t + len, cap - len, "%*ssupervisor s%d\n", ind, "", i);
    len += (size_t)snprintf(t + len, cap - len, "%*sworker w\n%*swork 10ms\n%s", ind, "", ind + 2, "", extra);
    return t;
}

static void test_refused_tree(void **state) {
    char *t = deep_tree("expect refused EINVAL\n");
    fl_scenario *s = parse(t);
    fl_runner_out o;
    assert_int_equal(run1(s, &o), 0);
    assert_int_equal(o.verdict.n, 0); /* the refusal was the point */
    fl_runner_out_free(&o);
    fl_scenario_free(s);
    free(t);
    /* the same refusal expected with another error: an expectation failure */
    t = deep_tree("expect refused ENOMEM\n");
    s = parse(t);
    assert_int_equal(run1(s, &o), 0);
    assert_non_null(fl_oracle_verdict_find(&o.verdict, FL_ORACLE_INV_EXPECTATION));
    fl_runner_out_free(&o);
    fl_scenario_free(s);
    free(t);
    /* without `expect refused` the parser refuses it (file:line:col) */
    t = deep_tree("");
    fl_lex_diag d = {0};
    assert_int_equal(fl_scenario_parse_str("r.scn", t, strlen(t), &s, &d), -EINVAL);
    assert_non_null(strstr(d.text, "r.scn:19:"));
    assert_non_null(strstr(d.text, "levels of nested supervisors"));
    free(t);
}

/* A livelock (a loop that never lets time pass) ends its case at the first
 * seed: later seeds would each cost a whole budget. */
static void test_livelock_stops_the_case(void **state) {
    fl_scenario *s = parse("run seeds=50 budget=2000 duration=200ms\n"
                           "supervisor root\n  worker spin\n    loop\n      yield\n    end\n");
    fl_runner_opts o = {.strategy = -1};
    fl_case c;
    assert_int_equal(fl_runner_case(s, &o, &c), 0);
    assert_false(c.passed);
    assert_int_equal(c.runs, 1);
    assert_string_equal(c.invariant, "shutdown_completes");
    fl_runner_case_free(&c);
    fl_scenario_free(s);
}

/* The views expected at a time, and the always-on children_view check on a
 * run with a pending retry (the snapshots see restarting). */
static void test_views(void **state) {
    fl_runner_out o = run_clean("run seeds=1 duration=1s\n"
                                "supervisor root backoff=300ms..300ms intensity=5\n"
                                "  worker a\n    crash \"x\" on 1\n    loop\n      work 50ms\n    end\n"
                                "  worker b\n    loop\n      work 50ms\n    end\n"
                                "at 800ms stop\n"
                                "expect children a:restarting b:running at 100ms\n"
                                "expect count specs=2 active=1 workers=2 at 100ms\n"
                                "expect children a:running b:running at 500ms\n");
    fl_runner_out_free(&o);
    fl_scenario *s;
    /* a wrong view is named with its line */
    s = parse("run seeds=1 duration=1s\nsupervisor root\n  worker a\n    loop\n      work 50ms\n    end\n"
              "expect children none at 100ms\n");
    assert_int_equal(run1(s, &o), 0);
    const fl_oracle_violation *v = fl_oracle_verdict_find(&o.verdict, FL_ORACLE_INV_EXPECTATION);
    assert_non_null(v);
    assert_non_null(strstr(v->message, "r.scn:7:1: expect children none"));
    assert_non_null(strstr(v->message, "got a:running"));
    fl_runner_out_free(&o);
    fl_scenario_free(s);
}

/* simple_one_for_one through the runner: instances with their arguments. */
static void test_instances(void **state) {
    fl_runner_out o = run_clean("run seeds=1 duration=1s\n"
                                "supervisor pool strategy=simple_one_for_one intensity=3\n"
                                "  worker w\n    crash \"arg 7\" arg 7 on 1\n    loop\n      work 50ms\n    end\n"
                                "at 10ms start_instance w arg=1 result=ok\n"
                                "at 20ms start_instance w arg=7 result=ok\n"
                                "at 300ms terminate_instance w 2 result=ok\n"
                                "at 310ms terminate_instance w 9 result=not_found\n"
                                "at 800ms stop\n"
                                "expect crashes w = 1\nexpect restarts w = 1\n"
                                "expect count specs=1 active=1 at 400ms\n");
    size_t inst2 = 0;
    for (size_t i = 0; i < o.ntrace; i++) inst2 += o.trace[i].ev.instance == 2;
    assert_true(inst2 > 0);
    fl_runner_out_free(&o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_tree),
        cmocka_unit_test(test_livelock_stops_the_case),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_instances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
