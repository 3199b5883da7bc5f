/*
 * test_explore_scenarios.c — explore's reduction on the scenario suite
 * (fl_runner_explore, docs/scheduler.md "Reduction"): the planted bugs and
 * their twins, as scenario files, searched with and without sleep sets.
 *
 *   - Complete where it was not: with the run cap set to the number of
 *     schedules the reduced search needs, the reduced search is complete
 *     and the unreduced one stops incomplete at the cap (max_reached); the
 *     uncapped unreduced search is complete and needed more. If the
 *     reduction became a no-op, or stopped being complete, this fails.
 *   - Same failures: each known-bad planted scenario, its `expect fail`
 *     line dropped (so the search goes on past the first failure), has the
 *     same failure set — the invariants some run violated — reduced and
 *     unreduced, both complete, and it is not empty; the twins fail
 *     neither way. If the reduction pruned a schedule it must not, the
 *     sets differ.
 *   - libsv's own scenarios reduce: nearly every supervisor transition
 *     reads the virtual clock, which is not an object in a search (no
 *     early timers). Known-bad ones (`expect fail` dropped) have the same,
 *     non-empty failure set both ways, passing ones none; at bound 1 the
 *     reduced search runs strictly fewer schedules. If clock reads became
 *     global again, or the reduction lost a failure, this fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_util.h"
#include "runner/fl_runner.h"
#include "world/fl_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const planted[] = { "lost_update", "lock_order", "missed_wakeup", "early_restart" };

static int setup(void **state)
{
    (void)state;
    fl_world_builtin_register(); /* the planted programs, as `user` workers */
    return cli_tmpdir_make("fl_test_explore_scn");
}

/* Explore path at bound under max_runs (0: the default cap), reduced or not. */
static fl_runner_explore_result explore(const char *path, uint32_t bound, uint64_t max_runs, bool reduce)
{
    fl_scenario *s = NULL;
    if (fl_scenario_parse_file(path, &s, NULL) < 0) fail_msg("%s does not parse", path);
    fl_runner_explore_opts o = { .bound = bound, .max_runs = max_runs ? max_runs : 1000000, .no_reduction = !reduce };
    fl_runner_explore_result r;
    fl_case c;
    int rc = fl_runner_explore(s, &o, &r, &c);
    if (rc != 0) fail_msg("%s: explore %d: %s", path, rc, c.message ? c.message : "?");
    fl_runner_case_free(&c);
    fl_scenario_free(s);
    return r;
}

static void test_reduced_complete_where_unreduced_is_not(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof planted / sizeof *planted; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/planted/%s_ok.scn", cli_scenario_dir(), planted[i]);
        fl_runner_explore_result red = explore(path, 1, 0, true);
        assert_true(red.complete);
        fl_runner_explore_result capped = explore(path, 1, red.runs, false);
        fl_runner_explore_result full = explore(path, 1, 0, false);
        if (capped.complete || !capped.max_reached || !full.complete || full.runs <= red.runs)
            fail_msg("%s, bound 1: reduced complete in %llu schedules; unreduced at that cap: %s; uncapped: %llu (%s)",
                     planted[i], (unsigned long long)red.runs, capped.complete ? "complete" : "incomplete",
                     (unsigned long long)full.runs, full.complete ? "complete" : "incomplete");
        assert_int_equal(red.failed, 0);
        assert_int_equal(full.failed, 0);
    }
}

/* Explore scenarios/rel at bound 1 reduced and unreduced (a known-bad one
 * as a copy without its `expect fail` line, named name): both complete,
 * the same failure set, empty unless known-bad, and the reduced search no
 * larger — strictly smaller when strict. */
static void same_failures(const char *rel, const char *name, bool strict)
{
    char src[512];
    snprintf(src, sizeof src, "%s/%s", cli_scenario_dir(), rel);
    bool bad = strncmp(rel, "known-bad/", 10) == 0;
    int dropped = 0;
    char *path = bad ? cli_copy_without_expect_fail(src, name, &dropped) : strdup(src);
    assert_non_null(path);
    assert_true(!bad || dropped >= 1);
    fl_runner_explore_result red = explore(path, 1, 0, true);
    fl_runner_explore_result full = explore(path, 1, 0, false);
    if (!red.complete || !full.complete || red.invariants != full.invariants || (red.invariants != 0) != bad ||
        red.runs > full.runs || (strict && red.runs == full.runs))
        fail_msg("%s, bound 1: reduced %llu schedules (%s), failure set %#x; unreduced %llu (%s), %#x", rel,
                 (unsigned long long)red.runs, red.complete ? "complete" : "incomplete", red.invariants,
                 (unsigned long long)full.runs, full.complete ? "complete" : "incomplete", full.invariants);
    assert_true(!bad || (red.failed > 0 && full.failed > 0));
    free(path);
}

static void test_same_failure_set(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof planted / sizeof *planted; i++) {
        char rel[128], name[64];
        snprintf(rel, sizeof rel, "known-bad/planted_%s.scn", planted[i]);
        snprintf(name, sizeof name, "%s.scn", planted[i]);
        same_failures(rel, name, false);
    }
}

/* scenarios/rel; known-bad ones (in libsv, a planted failpoint or a broken
 * worker) fail on every schedule, the others on none. */
static const char *const libsv_scn[] = {
    "known-bad/crash_not_logged.scn", "known-bad/double_restart.scn",  "known-bad/lost_report.scn",
    "known-bad/restart_without_join.scn", "known-bad/wrong_expectation.scn", "races/stop_during_restart.scn",
    "backoff/delays_restart.scn",
};

static void test_libsv_scenarios_reduce(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof libsv_scn / sizeof *libsv_scn; i++)
        same_failures(libsv_scn[i], strrchr(libsv_scn[i], '/') + 1, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduced_complete_where_unreduced_is_not),
        cmocka_unit_test(test_same_failure_set),
        cmocka_unit_test(test_libsv_scenarios_reduce),
    };
    return cmocka_run_group_tests(tests, setup, cli_teardown);
}
