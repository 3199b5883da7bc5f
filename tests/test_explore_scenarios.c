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

static void test_same_failure_set(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof planted / sizeof *planted; i++) {
        char src[512], name[64];
        snprintf(src, sizeof src, "%s/known-bad/planted_%s.scn", cli_scenario_dir(), planted[i]);
        snprintf(name, sizeof name, "%s.scn", planted[i]);
        int dropped = 0;
        char *path = cli_copy_without_expect_fail(src, name, &dropped);
        assert_true(dropped >= 1);
        fl_runner_explore_result red = explore(path, 1, 0, true);
        fl_runner_explore_result full = explore(path, 1, 0, false);
        if (!red.complete || !full.complete || red.invariants != full.invariants || red.invariants == 0 ||
            red.runs > full.runs)
            fail_msg("%s, bound 1: reduced %llu schedules (%s), failure set %#x; unreduced %llu (%s), %#x", planted[i],
                     (unsigned long long)red.runs, red.complete ? "complete" : "incomplete", red.invariants,
                     (unsigned long long)full.runs, full.complete ? "complete" : "incomplete", full.invariants);
        assert_true(red.failed > 0 && full.failed > 0);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduced_complete_where_unreduced_is_not),
        cmocka_unit_test(test_same_failure_set),
    };
    return cmocka_run_group_tests(tests, setup, cli_teardown);
}
