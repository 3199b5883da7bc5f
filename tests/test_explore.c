/*
 * test_explore.c — `faultline explore` and fl_runner_explore: bounded
 * exhaustive search over a scenario's schedules, end to end.
 *
 *   - the known-bad planted lost update is FOUND (exit 0) with bound 1, and
 *     the dfs schedule it prints replays (`faultline replay`) to the same
 *     failure, byte for byte on every replay;
 *   - the same scenario as a user writes it (no `expect fail`) fails (exit
 *     1): the complete search counts its failing schedules, keeps the first
 *     (the very schedule the known-bad search stopped at) with a replay line
 *     that reproduces the message `explore` printed;
 *   - the corrected twin is proved within bound 1 (complete, 0 failed), bound
 *     0 covers fewer schedules, --max-runs makes the search incomplete and
 *     says so (exit 0, or 1 with --require-complete);
 *   - the world seed: a scenario whose outcome depends on its seed (a
 *     `p=50%` crash) is explored with `run seed=7`; the kept schedule carries
 *     seed 7, so its replay builds the same world (with seed 0, which a DFS
 *     schedule would otherwise carry, the scenario passes);
 *   - bad input: missing file, syntax error, unregistered worker, a worker
 *     that is not deterministic (-EPROTO) — all exit 2 with a message.
 *
 * Scenario files are read from FL_SCENARIO_DIR, else ./scenarios (make test
 * runs from the repository root). Bound 1 keeps every search under ~1,000
 * schedules: about 1 s under TSan on 2 cores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_util.h"
#include "runner/fl_runner.h"
#include "sched/fl_sched.h"
#include "sv_plat.h"
#include "world/fl_world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------------------- */

static void expect_has(const char *text, const char *needle) {
    if (!strstr(text, needle)) fail_msg("'%s' not found in:\n%s", needle, text);
}

static int setup(void **state) {
    return cli_tmpdir_make("fl_test_explore");
}

/* scenarios/REL copied to tmpdir/name without its `expect fail` line. */
static char *copy_without_expect_fail(const char *rel, const char *name) {
    char src[512];
    snprintf(src, sizeof src, "%s/%s", cli_scenario_dir(), rel);
    int dropped;
    char *p = cli_copy_without_expect_fail(src, name, &dropped);
    assert_true(dropped >= 1);
    return p;
}

/* "N" of "…: X: N schedules" / "complete: N schedule" in the summary line. */
static unsigned long long summary_num(const char *out, const char *after) {
    char *sum = cli_line_after(out, "faultline: explore ");
    const char *p = strstr(sum, after);
    if (!p) fail_msg("'%s' not in summary '%s'", after, sum);
    unsigned long long n = strtoull(p + strlen(after), NULL, 10);
    free(sum);
    return n;
}

/* ---- the planted lost update ----------------------------------------------------- */

static char known_bad_schedule[512];

static void test_known_bad_found_and_replayed(void **state) {
    char path[512];
    snprintf(path, sizeof path, "%s/known-bad/planted_lost_update.scn", cli_scenario_dir());
    cli_cap c = CLI("explore", path, "--bound", "1");
    cli_expect_rc(&c, 0, "explore known-bad");
    expect_has(c.out, "\nFOUND ");
    expect_has(c.out, "  invariant: expectation (expected: known-bad scenario)\n");
    expect_has(c.out, "expect crashes p = 0: got 1");
    expect_has(c.out, "PASS (known-bad: failed as expected), incomplete: stopped at schedule ");
    char *sched = cli_replay_schedule(c.out, path);
    assert_int_equal(strncmp(sched, "fl1:dfs.1.", 10), 0); /* found by the DFS, world seed 1 */
    snprintf(known_bad_schedule, sizeof known_bad_schedule, "%s", sched);
    cli_cap_free(&c);
    /* the dfs schedule replays to the same failure, identically each time */
    char *first = NULL;
    for (int i = 0; i < 5; i++) {
        cli_cap r = CLI("replay", path, "--schedule", sched);
        cli_expect_rc(&r, 1, "replay of the dfs schedule");
        expect_has(r.out, "FAIL ");
        expect_has(r.out, "expect crashes p = 0: got 1");
        expect_has(r.out, "expected to fail expectation, and it did");
        if (!first) first = strdup(r.out);
        else assert_string_equal(r.out, first);
        cli_cap_free(&r);
    }
    free(first);
    free(sched);
}

static void test_user_scenario_fails_complete(void **state) {
    char *path = copy_without_expect_fail("known-bad/planted_lost_update.scn", "lost_update.scn");
    cli_cap c = CLI("explore", path, "--bound", "1");
    cli_expect_rc(&c, 1, "explore lost_update");
    expect_has(c.out, "\nFAIL ");
    expect_has(c.out, "  invariant: expectation\n");
    expect_has(c.out, ": FAIL, complete: ");
    unsigned long long runs = summary_num(c.out, "complete: ");
    unsigned long long failed = summary_num(c.out, "preemption); ");
    assert_true(failed >= 1);
    assert_true(failed < runs); /* most schedules keep the update */
    char seedline[96];
    snprintf(seedline, sizeof seedline, "  seed:      1 (%llu of %llu runs failed)\n", failed, runs);
    expect_has(c.out, seedline);
    char *msg = cli_line_after(c.out, "  message:   ");
    char *sched = cli_replay_schedule(c.out, path);
    /* the first failing schedule in DFS order is the one the known-bad
     * search stopped at (same world, same choices) */
    if (known_bad_schedule[0]) assert_string_equal(sched, known_bad_schedule);
    cli_cap_free(&c);
    cli_cap r = CLI("replay", path, "--schedule", sched);
    cli_expect_rc(&r, 1, "replay");
    expect_has(r.out, msg); /* the violation explore printed */
    cli_cap_free(&r);
    free(msg);
    free(sched);
    free(path);
}

static void test_twin_proved_and_incomplete(void **state) {
    char path[512];
    snprintf(path, sizeof path, "%s/planted/lost_update_ok.scn", cli_scenario_dir());
    cli_cap c = CLI("explore", path, "--bound", "1");
    cli_expect_rc(&c, 0, "explore twin");
    expect_has(c.out, ": PASS, complete: ");
    expect_has(c.out, "(all with at most 1 preemption); 0 failed");
    assert_null(strstr(c.out, "FAIL"));
    unsigned long long b1 = summary_num(c.out, "complete: ");
    cli_cap_free(&c);
    c = CLI("explore", path, "--bound=0");
    cli_expect_rc(&c, 0, "explore twin, bound 0");
    unsigned long long b0 = summary_num(c.out, "complete: ");
    assert_true(b0 >= 1);
    assert_true(b0 < b1);
    cli_cap_free(&c);
    c = CLI("explore", path, "--bound", "1", "--max-runs", "5");
    cli_expect_rc(&c, 0, "explore twin, incomplete");
    expect_has(c.out, ": PASS, incomplete: 5 schedules, --max-runs reached before all with at most 1 preemption ran; 0 failed");
    cli_cap_free(&c);
    c = CLI("explore", path, "--bound", "1", "--max-runs", "5", "--require-complete");
    cli_expect_rc(&c, 1, "explore twin, incomplete, --require-complete");
    expect_has(c.out, ": FAIL, incomplete: 5 schedules");
    expect_has(c.out, "--require-complete: the search is incomplete");
    cli_cap_free(&c);
    /* the twin declared known-bad: no schedule within the bound fails, which
     * is the scenario's failure (a complete search says so) */
    char *twin = cli_read_file(path), *text = NULL;
    assert_true(asprintf(&text, "%sexpect fail expectation\n", twin) > 0);
    char *kb = cli_write_tmp("twin_known_bad.scn", text);
    free(text);
    free(twin);
    c = CLI("explore", kb, "--bound", "1");
    cli_expect_rc(&c, 1, "explore twin as known-bad");
    char want[160];
    snprintf(want, sizeof want, "expected a run to fail expectation, but none of %llu schedules (complete search, at "
             "most 1 preemption) did", b1);
    expect_has(c.out, want);
    expect_has(c.out, ": FAIL (known-bad: did not fail as expected), complete: ");
    assert_null(strstr(c.out, "FOUND"));
    cli_cap_free(&c);
    free(kb);
    /* a large enough cli_cap does not make a complete search incomplete */
    char cap_s[32];
    snprintf(cap_s, sizeof cap_s, "%llu", b1);
    c = CLI("explore", path, "--bound", "1", "--max-runs", cap_s, "--require-complete");
    cli_expect_rc(&c, 0, "explore twin, cli_cap = count");
    expect_has(c.out, ": PASS, complete: ");
    cli_cap_free(&c);
}

/* ---- the world seed ---------------------------------------------------------------- */

static const char COIN[] =
    "scenario \"coin\"\n"
    "run seed=%d duration=100ms\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a restart=temporary\n"
    "    crash \"coin\" p=50%%\n"
    "    exit normal\n"
    "expect crashes a = 0\n";

static bool coin_fails(int seed) {
    char text[512];
    snprintf(text, sizeof text, COIN, seed);
    fl_scenario *s = cli_parse_scenario("coin.scn", text);
    fl_runner_params p = {.seed = (uint64_t)seed, .strategy = FL_SCHED_STRAT_RANDOM};
    fl_runner_out o;
    assert_int_equal(fl_runner_run(s, &p, &o), 0);
    bool failed = o.verdict.n > 0;
    fl_runner_out_free(&o);
    fl_scenario_free(s);
    return failed;
}

static void test_world_seed_in_schedule(void **state) {
    /* the premise: this scenario's outcome is the world seed's */
    assert_false(coin_fails(0));
    assert_true(coin_fails(7));
    char text[512];
    snprintf(text, sizeof text, COIN, 7);
    char *path = cli_write_tmp("coin.scn", text);
    fl_scenario *s = NULL;
    fl_lex_diag d = {0};
    assert_int_equal(fl_scenario_parse_file(path, &s, &d), 0);
    fl_runner_explore_opts o = {.bound = 1};
    fl_runner_explore_result res;
    fl_case k;
    assert_int_equal(fl_runner_explore(s, &o, &res, &k), 0);
    assert_true(res.complete);
    assert_false(res.max_reached);
    assert_false(res.found);
    assert_int_equal(res.world_seed, 7);
    assert_int_equal(res.failed, res.runs); /* seed 7 crashes on every schedule */
    assert_int_equal(k.runs, res.runs);
    assert_int_equal(k.failed_runs, res.failed);
    assert_false(k.passed);
    assert_int_equal(k.seed, 7);
    assert_string_equal(k.invariant, "expectation");
    assert_non_null(k.schedule);
    assert_non_null(k.replay);
    assert_true(k.ntrace > 0);
    fl_sched_schedule sc;
    assert_int_equal(fl_sched_schedule_parse(k.schedule, &sc, NULL, 0), 0);
    assert_int_equal(sc.strategy, FL_SCHED_STRAT_DFS);
    assert_int_equal(sc.seed, 7);
    assert_int_equal(sc.flags & FL_SCHED_SCHEDULE_OPEN, 0); /* strict: replay checks every step */
    fl_sched_schedule_free(&sc);
    /* replaying it builds the seed-7 world and makes the same run */
    fl_runner_params p = {.strategy = FL_SCHED_STRAT_REPLAY, .schedule = k.schedule};
    fl_runner_out out;
    assert_int_equal(fl_runner_run(s, &p, &out), 0);
    assert_int_equal(out.status, FL_SCHED_OK);
    assert_int_equal(out.seed, 7);
    assert_non_null(fl_oracle_verdict_find(&out.verdict, FL_ORACLE_INV_EXPECTATION));
    assert_int_equal(out.ntrace, k.ntrace);
    for (size_t i = 0; i < out.ntrace; i++) {
        assert_int_equal(out.trace[i].ev.kind, k.trace[i].ev.kind);
        assert_int_equal(out.trace[i].ev.time_ns, k.trace[i].ev.time_ns);
    }
    fl_runner_out_free(&out);
    fl_runner_case_free(&k);
    /* and through the command line */
    cli_cap c = CLI("explore", path, "--bound", "1");
    cli_expect_rc(&c, 1, "explore coin");
    expect_has(c.out, "(world seed 7,");
    char *sched = cli_replay_schedule(c.out, path);
    assert_int_equal(strncmp(sched, "fl1:dfs.7.", 10), 0);
    cli_cap_free(&c);
    c = CLI("replay", path, "--schedule", sched);
    cli_expect_rc(&c, 1, "replay coin");
    expect_has(c.out, "expect crashes a = 0: got 1");
    cli_cap_free(&c);
    free(sched);
    fl_scenario_free(s);
    free(path);
}

/* ---- bad input ----------------------------------------------------------------------- */

/* Creates a helper thread on every other call: the same schedule does not
 * give the same run, which explore must refuse rather than report nonsense. */
static void *nondet_helper(void *arg) {
    (void)arg;
    sv_yield();
    return NULL;
}

static int nondet_worker(sv_worker *w, void *arg) {
    static int calls;
    (void)w;
    (void)arg;
    for (int i = 0; i < (calls++ % 2) * 2; i++) {
        sv_thread *t;
        if (sv_thread_create(&t, nondet_helper, NULL, "helper") == 0) sv_thread_join(t, SV_FOREVER);
    }
    return 0;
}

static void test_bad_input(void **state) {
    cli_cap c = CLI("explore", "/nonexistent/x.scn");
    cli_expect_rc(&c, 2, "missing file");
    expect_has(c.err, "/nonexistent/x.scn");
    cli_cap_free(&c);
    char *syn = cli_write_tmp("syntax.scn", "supervisor root strategy=one_for_most\n  worker a\n");
    c = CLI("explore", syn);
    cli_expect_rc(&c, 2, "syntax error");
    expect_has(c.err, "syntax.scn:1:");
    expect_has(c.err, "expected");
    assert_null(strstr(c.out, "exploring"));
    cli_cap_free(&c);
    char *user = cli_write_tmp("user.scn", "supervisor root\n  user p fn=not_registered\n");
    c = CLI("explore", user);
    cli_expect_rc(&c, 2, "unregistered worker");
    expect_has(c.err, "user.scn:2:8: unknown user worker 'not_registered'");
    cli_cap_free(&c);
    assert_int_equal(fl_world_register_worker("test.nondet", nondet_worker, NULL), 0);
    char *nd = cli_write_tmp("nondet.scn",
                         "scenario \"not deterministic\"\n"
                         "run duration=100ms\n"
                         "supervisor root\n"
                         "  user p fn=test.nondet restart=temporary\n");
    c = CLI("explore", nd, "--bound", "1");
    cli_expect_rc(&c, 2, "non-deterministic scenario");
    expect_has(c.err, "not deterministic");
    cli_cap_free(&c);
    fl_world_unregister_worker("test.nondet");
    c = CLI("explore", syn, user);
    cli_expect_rc(&c, 2, "two operands");
    expect_has(c.err, "faultline: explore: expected one scenario FILE, got 2 operands");
    cli_cap_free(&c);
    c = CLI("explore", syn, "--seeds", "3");
    cli_expect_rc(&c, 2, "--seeds");
    expect_has(c.err, "faultline: explore: unknown option '--seeds'");
    cli_cap_free(&c);
    c = CLI("explore", "--help");
    cli_expect_rc(&c, 0, "--help");
    expect_has(c.out, "usage: faultline explore FILE [--bound P] [--max-runs N]");
    cli_cap_free(&c);
    free(syn);
    free(user);
    free(nd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_bad_found_and_replayed),
        cmocka_unit_test(test_user_scenario_fails_complete),
        cmocka_unit_test(test_twin_proved_and_incomplete),
        cmocka_unit_test(test_world_seed_in_schedule),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, cli_teardown);
}
