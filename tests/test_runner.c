/*
 * test_runner.c — the runner over real runs of libsv on the controlled
 * scheduler: verdicts, known-bad scenarios, expectations, determinism and
 * replay, and the small helpers (trace format, replay line, defaults).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_util.h"
#include "runner/fl_runner.h"
#include "sv_plat.h"
#include "world/fl_world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *format(const fl_event *t, size_t n) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fl_runner_trace_format(t, n, f);
    fclose(f);
    return buf;
}

static fl_runner_out run_seed(const fl_scenario *s, uint64_t seed, fl_sched_strategy st) {
    fl_runner_params p = {.seed = seed, .strategy = st, .budget = 200000};
    fl_runner_out o;
    int r = fl_runner_run(s, &p, &o);
    if (r != 0) fprintf(stderr, "run: %s\n", o.sched_report ? o.sched_report : strerror(-r));
    assert_int_equal(r, 0);
    return o;
}

static const char ONE_FOR_ALL[] =
    "scenario \"one_for_all restarts the group\"\n"
    "run seeds=5 duration=1s\n"
    "supervisor root strategy=one_for_all intensity=5 period=5s\n"
    "  worker a\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "  worker b\n"
    "    work 100ms on 1\n"
    "    crash \"b broke\" on 1\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "  worker c\n"
    "    loop\n"
    "      work 30ms\n"
    "    end\n"
    "at 500ms stop\n"
    "expect crashes b = 1\n"
    "expect restarts a = 1\n"
    "expect restarts b = 1\n"
    "expect restarts c = 1\n"
    "expect log contains \"b broke\"\n"
    "expect event restart b\n"
    "expect no event intensity_exceeded\n"
    "expect state c running at 300ms\n"
    "expect exit shutdown\n";

static void test_passing_run(void **state) {
    fl_scenario *s = cli_parse_scenario("ofa.scn", ONE_FOR_ALL);
    fl_sched_strategy strats[] = {FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT, FL_SCHED_STRAT_RR};
    for (int k = 0; k < 3; k++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            fl_runner_out o = run_seed(s, seed, strats[k]);
            if (o.verdict.n) fl_oracle_verdict_print(&o.verdict, stderr);
            assert_int_equal(o.verdict.n, 0);
            assert_int_equal(o.status, FL_SCHED_OK);
            assert_true(o.ntrace > 20);
            assert_int_equal(o.trace[0].ev.kind, SV_EV_SUP_START);
            assert_int_equal(o.trace[o.ntrace - 1].ev.kind, SV_EV_SHUTDOWN);
            assert_non_null(o.schedule);
            assert_int_equal(strncmp(o.schedule, "fl1:", 4), 0);
            assert_int_equal(o.root_exit, SV_EXIT_SHUTDOWN);
            assert_true(o.nlog > 0);
            assert_int_equal(o.seed, seed);
            fl_runner_out_free(&o);
        }
    fl_scenario_free(s);
}

/* Same seed and strategy -> byte-identical trace; the recorded schedule
 * replays it exactly, with the same verdict. */
static void test_determinism_and_replay(void **state) {
    fl_scenario *s = cli_parse_scenario("ofa.scn", ONE_FOR_ALL);
    fl_sched_strategy strats[] = {FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT};
    for (int k = 0; k < 2; k++) {
        fl_runner_out a = run_seed(s, 7, strats[k]), b = run_seed(s, 7, strats[k]);
        char *ta = format(a.trace, a.ntrace), *tb = format(b.trace, b.ntrace);
        assert_string_equal(ta, tb);
        assert_string_equal(a.schedule, b.schedule);
        fl_runner_params p = {.strategy = FL_SCHED_STRAT_REPLAY, .schedule = a.schedule};
        fl_runner_out r;
        assert_int_equal(fl_runner_run(s, &p, &r), 0);
        assert_int_equal(r.status, FL_SCHED_OK);
        assert_int_equal(r.seed, 7);
        char *tr = format(r.trace, r.ntrace);
        assert_string_equal(ta, tr);
        assert_int_equal(r.verdict.n, 0);
        free(ta);
        free(tb);
        free(tr);
        fl_runner_out_free(&a);
        fl_runner_out_free(&b);
        fl_runner_out_free(&r);
    }
    fl_scenario_free(s);
}

static void test_bad_schedule(void **state) {
    fl_scenario *s = cli_parse_scenario("ofa.scn", ONE_FOR_ALL);
    fl_runner_params p = {.strategy = FL_SCHED_STRAT_REPLAY, .schedule = "fl1:garbage"};
    fl_runner_out o;
    assert_int_equal(fl_runner_run(s, &p, &o), -EINVAL);
    assert_non_null(o.sched_report);
    assert_non_null(strstr(o.sched_report, "schedule"));
    fl_runner_out_free(&o);
    fl_scenario_free(s);
}

static const char KNOWN_BAD[] =
    "scenario \"a skipped log is caught\"\n"
    "run seeds=10 duration=1s\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a\n"
    "    work 100ms on 1\n"
    "    crash \"silent\" on 1\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "failpoint sv.log.skip \"[worker a] 1*return(1)\"\n"
    "at 500ms stop\n"
    "expect fail crash_logged_once\n";

static void test_known_bad_case(void **state) {
    fl_scenario *s = cli_parse_scenario("kb.scn", KNOWN_BAD);
    fl_runner_opts o = {.strategy = -1};
    fl_case c;
    assert_int_equal(fl_runner_case(s, &o, &c), 0);
    assert_true(c.passed);
    assert_true(c.expect_fail);
    assert_string_equal(c.expect_invariant, "crash_logged_once");
    assert_string_equal(c.invariant, "crash_logged_once");
    assert_int_equal(c.runs, 1); /* stops at the first seed that fails it */
    assert_non_null(strstr(c.message, "never logged"));
    assert_non_null(c.replay);
    assert_int_equal(strncmp(c.replay, "faultline replay kb.scn --schedule fl1:", 39), 0);
    assert_true(c.ntrace > 0);
    fl_runner_case_free(&c);
    fl_scenario_free(s);
    /* the same scenario expecting another invariant does not pass */
    char *text = strdup(KNOWN_BAD);
    char *at = strstr(text, "expect fail crash_logged_once");
    strcpy(at, "expect fail strategy_set\n");
    s = cli_parse_scenario("kb2.scn", text);
    o.seeds = 3;
    assert_int_equal(fl_runner_case(s, &o, &c), 0);
    assert_false(c.passed);
    assert_int_equal(c.runs, 3);
    assert_int_equal(c.failed_runs, 3);
    assert_non_null(strstr(c.message, "expected a run to fail strategy_set, but none of 3 seeds did"));
    assert_non_null(strstr(c.message, "crash_logged_once"));
    fl_runner_case_free(&c);
    fl_scenario_free(s);
    free(text);
}

static const char FAILING[] =
    "scenario \"a wrong expectation fails every seed\"\n"
    "run seeds=4 duration=500ms\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a\n"
    "    work 100ms on 1\n"
    "    crash \"x\" on 1\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "  worker b\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "at 200ms restart_child b result=ok\n"
    "expect restarts a = 2\n"
    "expect state b stopped at 300ms\n"
    "expect log lacks \"x\"\n"
    "expect event unstopped a\n"
    "expect exit panic\n";

static void test_failing_case_and_expectations(void **state) {
    fl_scenario *s = cli_parse_scenario("fail.scn", FAILING);
    fl_runner_opts o = {.strategy = -1};
    fl_case c;
    assert_int_equal(fl_runner_case(s, &o, &c), 0);
    assert_false(c.passed);
    assert_int_equal(c.runs, 4);
    assert_int_equal(c.failed_runs, 4);
    assert_int_equal(c.seed, 1);
    assert_string_equal(c.invariant, "expectation");
    const char *want[] = {
        "fail.scn:15:1: expect restarts a = 2: got 1",
        "fail.scn:16:1: expect state b stopped at 300000000 ns: it was running",
        "fail.scn:17:1: expect log lacks \"x\": a log line contains it",
        "fail.scn:18:1: expect event unstopped a: it never happened",
        "fail.scn:19:1: expect exit panic: the root was still running at the end",
        "fail.scn:14:1: at 200000000 ns restart_child b returned -16, expected 0",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!strstr(c.message, want[i])) fprintf(stderr, "missing '%s' in:\n%s\n", want[i], c.message);
        assert_non_null(strstr(c.message, want[i]));
    }
    /* the replay line reproduces the same verdict */
    const char *sched = strstr(c.replay, "--schedule ") + strlen("--schedule ");
    fl_runner_params p = {.strategy = FL_SCHED_STRAT_REPLAY, .schedule = sched};
    fl_runner_out r;
    assert_int_equal(fl_runner_run(s, &p, &r), 0);
    assert_non_null(fl_oracle_verdict_find(&r.verdict, FL_ORACLE_INV_EXPECTATION));
    assert_int_equal(r.verdict.n, 6);
    fl_runner_out_free(&r);
    fl_runner_case_free(&c);
    fl_scenario_free(s);
}

/* sv_sup_start fails (the first start of b fails): the run is judged, the
 * root counts as exited with its SHUTDOWN's reason. */
static void test_start_failure(void **state) {
    fl_scenario *s = cli_parse_scenario("init.scn",
                           "run seeds=3 duration=500ms\n"
                           "supervisor root\n"
                           "  worker a\n    loop\n      work 50ms\n    end\n"
                           "  worker b\n    loop\n      work 50ms\n    end\n"
                           "fault recreate b from=1\n"
                           "expect start_failed b = 1\n"
                           "expect restarts a = 0\n"
                           "expect exit shutdown\n");
    for (uint64_t seed = 1; seed <= 3; seed++) {
        fl_runner_out o = run_seed(s, seed, FL_SCHED_STRAT_RANDOM);
        if (o.verdict.n) fl_oracle_verdict_print(&o.verdict, stderr);
        assert_int_equal(o.verdict.n, 0);
        assert_int_equal(o.root_exit, SV_EXIT_SHUTDOWN);
        fl_runner_out_free(&o);
    }
    fl_scenario_free(s);
}

static void test_effective_params(void **state) {
    fl_scenario *s = cli_parse_scenario("d.scn", "supervisor root\n  worker a\n    work 10ms\n");
    uint32_t seeds, depth;
    uint64_t first, budget;
    fl_sched_strategy st;
    fl_runner_opts o = {.strategy = -1};
    fl_runner_effective(s, &o, &seeds, &first, &st, &depth, &budget);
    assert_int_equal(seeds, FL_RUNNER_DEFAULT_SEEDS);
    assert_int_equal(st, FL_SCHED_STRAT_RANDOM);
    assert_int_equal(first, s->run.seed);
    o.seeds = 9;
    o.strategy = FL_SCHED_STRAT_PCT;
    o.depth = 4;
    o.budget = 1234;
    fl_runner_effective(s, &o, &seeds, &first, &st, &depth, &budget);
    assert_int_equal(seeds, 9);
    assert_int_equal(st, FL_SCHED_STRAT_PCT);
    assert_int_equal(depth, 4);
    assert_int_equal(budget, 1234);
    fl_scenario_free(s);
    s = cli_parse_scenario("e.scn", "run seeds=17 strategy=rr\nsupervisor root\n  worker a\n    work 10ms\n");
    o = (fl_runner_opts){.strategy = -1};
    fl_runner_effective(s, &o, &seeds, &first, &st, &depth, &budget);
    assert_int_equal(seeds, 17);
    assert_int_equal(st, FL_SCHED_STRAT_RR);
    /* free runs cost real time: a few seeds unless asked for more */
    o.strategy = FL_SCHED_STRAT_FREE;
    fl_runner_effective(s, &o, &seeds, &first, &st, &depth, &budget);
    assert_int_equal(st, FL_SCHED_STRAT_FREE);
    assert_int_equal(seeds, FL_RUNNER_FREE_SEEDS);
    o.seeds = 40;
    fl_runner_effective(s, &o, &seeds, &first, &st, &depth, &budget);
    assert_int_equal(seeds, 40);
    fl_scenario_free(s);
}

/* FL_SCHED_STRAT_FREE: real threads, real time divided by the time scale; judged
 * by the same oracle; no schedule. */
/* A user worker that ignores stop for ever (blocked on a word nobody wakes). */
static _Atomic uint32_t never_woken;
static int stuck_worker(sv_worker *w, void *arg) {
    (void)w;
    (void)arg;
    for (;;) sv_wait(&never_woken, 0, SV_FOREVER);
    return 0;
}

/* A free run cannot kill: a thread that never ends is abandoned, reported,
 * and its world is kept (the thread may still use it), which ends this
 * process's runs with a message saying why. MUST be the last test of this
 * binary: no world can be built after it. */
static void test_free_run_abandons(void **state) {
    assert_int_equal(fl_world_register_worker("test.stuck", stuck_worker, NULL), 0);
    fl_scenario *s = cli_parse_scenario("stuck.scn",
                                        "run duration=200ms\nsupervisor root\n  user p fn=test.stuck shutdown=100ms\n");
    fl_runner_params p = {.seed = 1, .strategy = FL_SCHED_STRAT_FREE, .time_scale = 10};
    fl_runner_out o;
    assert_int_equal(fl_runner_run(s, &p, &o), 0);
    assert_non_null(fl_oracle_verdict_find(&o.verdict, FL_ORACLE_INV_NO_LEAKED_THREAD));
    fl_runner_out_free(&o);
    assert_int_equal(fl_runner_run(s, &p, &o), -EBUSY);
    assert_non_null(o.sched_report);
    if (!strstr(o.sched_report, "the free run of stuck.scn left threads running in its world"))
        fail_msg("unexpected: %s", o.sched_report);
    fl_runner_out_free(&o);
    fl_scenario_free(s);
}

static void test_free_run_time_scale(void **state) {
    fl_scenario *s = cli_parse_scenario("free.scn",
                           "run duration=1s\n"
                           "supervisor root intensity=5 period=5s\n"
                           "  worker a\n"
                           "    work 100ms on 1\n"
                           "    crash \"boom\" on 1\n"
                           "    loop\n"
                           "      work 50ms\n"
                           "    end\n"
                           "  worker b\n"
                           "    loop\n"
                           "      work 30ms\n"
                           "    end\n"
                           "expect crashes a = 1\n"
                           "expect restarts a = 1\n"
                           "expect restarts b = 0\n"
                           "expect log contains \"boom\"\n");
    /* scale 10: a scenario second lasts ~100 ms of real time. Nothing here
     * depends on how long that took: the scaled clock never fires a
     * deadline early, so the run ends at least 1 scenario second after it
     * began, however loaded the machine */
    fl_runner_params p = {.seed = 3, .strategy = FL_SCHED_STRAT_FREE, .time_scale = 10};
    fl_runner_out o;
    assert_int_equal(fl_runner_run(s, &p, &o), 0);
    if (o.verdict.n) fl_oracle_verdict_print(&o.verdict, stderr);
    assert_int_equal(o.verdict.n, 0);
    assert_null(o.schedule); /* not replayable: never a made-up schedule */
    assert_int_equal(o.seed, 3);
    assert_true(o.ntrace >= 2);
    assert_int_equal(o.trace[o.ntrace - 1].ev.kind, SV_EV_SHUTDOWN);
    assert_true(o.virtual_ns >= 1000000000ll); /* reported in scenario time */
    fl_runner_out_free(&o);
    fl_scenario_free(s);
    /* scale 1 is real time: the run lasts at least its 200 ms */
    s = cli_parse_scenario("free1.scn",
                           "run duration=200ms\nsupervisor root\n  worker a\n    loop\n      work 20ms\n    end\n");
    p.time_scale = 1;
    assert_int_equal(fl_runner_run(s, &p, &o), 0);
    assert_int_equal(o.verdict.n, 0);
    assert_true(o.virtual_ns >= 200000000ll);
    fl_runner_out_free(&o);
    fl_scenario_free(s);
}

/* Free runs are judged on order and content only: an expectation that
 * depends on timing is not judged (it would fail on a loaded machine), a
 * structural violation is. */
static void test_free_run_judges_structure(void **state) {
    fl_scenario *s = cli_parse_scenario("counts.scn",
                           "run duration=200ms\nsupervisor root\n  worker a\n    loop\n      work 20ms\n    end\n"
                           "expect restarts a = 7\n");
    fl_runner_params p = {.seed = 1, .strategy = FL_SCHED_STRAT_FREE, .time_scale = 1};
    fl_runner_out o;
    assert_int_equal(fl_runner_run(s, &p, &o), 0);
    assert_int_equal(o.verdict.n, 0);
    fl_runner_out_free(&o);
    fl_scenario_free(s);
    /* the planted bug that skips logging a crash: crash_logged_once */
    s = cli_parse_scenario("silent.scn",
                           "run duration=1s\nsupervisor root intensity=5 period=5s\n  worker a\n"
                           "    crash \"silent\" on 1\n    loop\n      work 50ms\n    end\n"
                           "failpoint sv.log.skip \"[worker a] 1*return(1)\"\n");
    assert_int_equal(fl_runner_run(s, &p, &o), 0);
    assert_non_null(fl_oracle_verdict_find(&o.verdict, FL_ORACLE_INV_CRASH_LOGGED_ONCE));
    fl_runner_out_free(&o);
    fl_scenario_free(s);
}

static void test_replay_line_and_format(void **state) {
    char *l = fl_runner_replay_line("scenarios/a.scn", "fl1:x");
    assert_string_equal(l, "faultline replay scenarios/a.scn --schedule fl1:x");
    free(l);
    l = fl_runner_replay_line("my dir/it's.scn", "fl1:x");
    assert_string_equal(l, "faultline replay 'my dir/it'\\''s.scn' --schedule fl1:x");
    free(l);
    sv_event e = {.seq = 3, .time_ns = 1500000001, .kind = SV_EV_CRASH, .sup = "root", .child = "a",
                  .incarnation = 2, .reason = SV_EXIT_PANIC, .message = "say \"hi\"\n", .backtrace = "#0 x\n#1 y\n"};
    fl_event fe;
    assert_int_equal(fl_runner_event_copy(&fe, &e), 0);
    assert_ptr_not_equal(fe.ev.message, e.message);
    char *t = format(&fe, 1);
    assert_string_equal(t, "#3 t=1.500000001 root crash child=a inc=2 reason=panic msg=\"say \\\"hi\\\"\\n\" +backtrace\n");
    free(t);
    fl_runner_event_clear(&fe);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passing_run),
        cmocka_unit_test(test_determinism_and_replay),
        cmocka_unit_test(test_bad_schedule),
        cmocka_unit_test(test_known_bad_case),
        cmocka_unit_test(test_failing_case_and_expectations),
        cmocka_unit_test(test_start_failure),
        cmocka_unit_test(test_effective_params),
        cmocka_unit_test(test_replay_line_and_format),
        cmocka_unit_test(test_free_run_time_scale),
        cmocka_unit_test(test_free_run_judges_structure),
        cmocka_unit_test(test_free_run_abandons), /* last: see there */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
