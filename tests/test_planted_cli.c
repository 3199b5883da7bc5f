/*
 * test_planted_cli.c — the planted bugs found, replayed and shrunk from the
 * command line as a new user would (issue 3), through fl_cli_main only:
 *
 *   1. `faultline run scenarios/known-bad/planted_X.scn` passes (exit 0):
 *      the planted bug is found for the invariant the file names;
 *   2. the same scenario as a user writes it — the program's contract
 *      without `expect fail` — fails: exit 1, the invariant, and a
 *      `replay:    faultline replay FILE --schedule fl1:…` line;
 *   3. that replay line, run REPLAYS (100) times, fails every time for
 *      the same invariant with byte-identical output (trace + verdict),
 *      and the verdict message is the one `run` printed;
 *   4. `faultline shrink` on it prints a schedule no longer than the input
 *      and no bigger (fewer preemptions, or as many and no more steps),
 *      and replaying the shrunk schedule fails the same invariant;
 * for each of the four programs. Also: the corrected twins in
 * scenarios/planted/ pass, the built-in names are registered by fl_cli_main
 * without displacing a worker the embedding program registered first, and
 * an unknown planted name is a clean exit 2.
 *
 * REPLAYS is 100 in every flavour, TSan included: a replay of these runs
 * costs well under a millisecond plain and a few ms under TSan, so the
 * whole binary stays around 6 s under TSan on 2 cores (measured); no
 * FL_FLAVOUR scaling is needed.
 *
 * Scenario files are read from FL_SCENARIO_DIR, else ./scenarios (make test
 * runs the binaries from the repository root). out/err of every command go
 * through tmpfile()s, as a user's shell would see them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_util.h"
#include "world/fl_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the command's output ------------------------------------------------ */

/* The fl1: schedule at the end of a "faultline replay PATH --schedule S"
 * line, which must name path. malloc'd. */
static char *schedule_of(const char *line, const char *path) {
    char *s = cli_schedule_of(line, path);
    assert_true(strncmp(s, "fl1:", 4) == 0);
    assert_null(strchr(s, ' '));
    return s;
}

#define REPLAYS 100u

static int setup(void **state) {
    return cli_tmpdir_make("fl_test_planted");
}

/* Copy src to tmpdir/name without its `expect fail` line: the scenario as
 * its user wrote it, before filing it under known-bad. Returns the path. */
static char *user_copy(const char *src, const char *name) {
    int dropped;
    char *dst = cli_copy_without_expect_fail(src, name, &dropped);
    assert_int_equal(dropped, 1);
    return dst;
}

/* ---- the whole user journey, per planted program ------------------------------------ */

typedef struct planted_case {
    const char *program; /* planted.c name */
    const char *inv;     /* the invariant its known-bad scenario names */
} planted_case;

static void journey(const planted_case *pc) {
    char *kb = NULL, *user_name = NULL, *prefix = NULL;
    assert_true(asprintf(&kb, "%s/known-bad/planted_%s.scn", cli_scenario_dir(), pc->program) > 0);
    assert_true(asprintf(&user_name, "%s.scn", pc->program) > 0);

    /* 1. the known-bad scenario: the bug is found for the invariant it names */
    cli_cap c = CLI("run", kb);
    cli_expect_rc(&c, 0, kb);
    assert_non_null(strstr(c.out, "faultline: 1 passed, 0 failed (1 scenario,"));
    cli_cap_free(&c);

    /* 2. the user's scenario (the contract, no `expect fail`) fails */
    char *scn = user_copy(kb, user_name);
    c = CLI("run", scn);
    cli_expect_rc(&c, 1, scn);
    assert_true(asprintf(&prefix, "FAIL %s (", scn) > 0);
    free(cli_line_after(c.out, prefix));
    char *inv = cli_line_after(c.out, "  invariant: ");
    assert_string_equal(inv, pc->inv);
    char *message = cli_line_after(c.out, "  message:   ");
    size_t ml = strlen(message); /* `run` shows the first violation; " …" says more follow */
    if (ml > 4 && strcmp(message + ml - 4, " \xe2\x80\xa6") == 0) message[ml - 4] = '\0';
    char *replay_line = cli_line_after(c.out, "  replay:    ");
    char *sched = schedule_of(replay_line, scn);
    assert_non_null(strstr(c.out, "faultline: 0 passed, 1 failed (1 scenario,"));
    assert_string_equal(c.err, "");
    cli_cap_free(&c);

    /* 3. the printed line replays the same failure, byte for byte, every time */
    char *verdict = NULL;
    assert_true(asprintf(&verdict, "FAIL %s (seed ", scn) > 0);
    char *first = NULL;
    unsigned n = REPLAYS;
    for (unsigned i = 0; i < n; i++) {
        c = CLI("replay", scn, "--schedule", sched);
        cli_expect_rc(&c, 1, "replay");
        assert_string_equal(c.err, "");
        if (!first) {
            char *v = cli_line_after(c.out, verdict); /* "N): INV" */
            char *colon = strstr(v, "): ");
            assert_non_null(colon);
            assert_string_equal(colon + 3, pc->inv);
            free(v);
            assert_non_null(strstr(c.out, message)); /* the violation `run` reported */
            assert_non_null(strstr(c.out, " sup_start\n")); /* the trace is there */
            assert_null(strstr(c.out, "DIVERGED"));
            first = c.out;
            c.out = NULL;
        } else if (strcmp(c.out, first) != 0) {
            fprintf(stderr, "replay %u differs:\n--- first:\n%s--- now:\n%s", i, first, c.out);
            fail();
        }
        cli_cap_free(&c);
    }

    /* 4. shrink: no longer, no worse, and still failing the same way */
    c = CLI("shrink", scn, "--schedule", sched);
    cli_expect_rc(&c, 0, "shrink");
    char *said = NULL;
    assert_true(asprintf(&said, "shrinking %s: it fails %s on the given schedule", scn, pc->inv) > 0);
    free(cli_line_after(c.out, said));
    char *sizes = cli_line_after(c.out, "preemptions ");
    unsigned long long p0, p1, s0, s1, l0, l1, nrep;
    if (sscanf(sizes, "%llu -> %llu, steps %llu -> %llu, schedule length %llu -> %llu (%llu replays)", &p0, &p1,
               &s0, &s1, &l0, &l1, &nrep) != 7)
        fail_msg("unexpected shrink summary: '%s'", sizes);
    char *shrunk_line = cli_line_after(c.out, "faultline replay ");
    char full[4096];
    snprintf(full, sizeof full, "faultline replay %s", shrunk_line);
    char *shrunk = schedule_of(full, scn);
    cli_cap_free(&c);
    assert_int_equal(l0, strlen(sched));
    assert_int_equal(l1, strlen(shrunk));
    assert_true(strlen(shrunk) <= strlen(sched));
    assert_true(p1 <= p0);
    assert_true(p1 < p0 || s1 <= s0);
    assert_true(nrep > 0);

    c = CLI("replay", scn, "--schedule", shrunk);
    cli_expect_rc(&c, 1, "replay of the shrunk schedule");
    char *v = cli_line_after(c.out, verdict);
    char *colon = strstr(v, "): ");
    assert_non_null(colon);
    assert_string_equal(colon + 3, pc->inv);
    assert_null(strstr(c.out, "DIVERGED"));
    free(v);
    cli_cap_free(&c);
    /* and the shrunk one is as deterministic as the original */
    cli_cap again = CLI("replay", scn, "--schedule", shrunk);
    c = CLI("replay", scn, "--schedule", shrunk);
    assert_string_equal(c.out, again.out);
    cli_cap_free(&again);
    cli_cap_free(&c);

    print_message("%s: found (%s), %u identical replays, shrunk: preemptions %llu -> %llu, steps %llu -> %llu, "
                  "length %llu -> %llu in %llu replays\n",
                  pc->program, pc->inv, n, p0, p1, s0, s1, l0, l1, nrep);
    free(shrunk);
    free(shrunk_line);
    free(sizes);
    free(said);
    free(first);
    free(verdict);
    free(sched);
    free(replay_line);
    free(message);
    free(inv);
    free(scn);
    free(prefix);
    free(user_name);
    free(kb);
}

static void test_lost_update(void **state) {
    journey(&(planted_case){"lost_update", "expectation"});
}
static void test_lock_order(void **state) {
    journey(&(planted_case){"lock_order", "no_leaked_thread"});
}
static void test_missed_wakeup(void **state) {
    journey(&(planted_case){"missed_wakeup", "expectation"});
}
static void test_early_restart(void **state) {
    journey(&(planted_case){"early_restart", "expectation"});
}

/* ---- the twins, the registry, bad names ------------------------------------------------ */

/* The twins' scenarios run user workers, so every seed is a child process
 * forked from this binary. Under ASan each child's exit runs LeakSanitizer
 * over the heap it inherited, which here (after the hunts above) is this
 * test process's whole heap: 300 seeds x 4 took 71 s on a quiet machine and
 * past 600 s at load 15. Under the sanitizers this test runs the first 60
 * seeds of each; the full 300 run under ASan+UBSan in the suite stage
 * (mk/stage-suite.sh, the faultline binary, a small parent heap) and
 * unsanitized here. */
static void test_twins_pass(void **state) {
    char *dir = NULL;
    assert_true(asprintf(&dir, "%s/planted", cli_scenario_dir()) > 0);
    const char *fl = getenv("FL_FLAVOUR");
    bool sanitized = fl && strcmp(fl, "plain") != 0;
    cli_cap c = sanitized ? CLI("run", dir, "--seeds", "60") : CLI("run", dir);
    cli_expect_rc(&c, 0, dir);
    assert_non_null(strstr(c.out, "faultline: 4 passed, 0 failed (4 scenarios,"));
    cli_cap_free(&c);
    free(dir);
}

static int mine(sv_worker *w, void *arg) { return 0; }

static void test_builtin_names(void **state) {
    static const char *names[] = {"planted.lost_update",    "planted.lock_order",   "planted.missed_wakeup",
                                  "planted.early_restart",  "planted.lost_update_ok", "planted.lock_order_ok",
                                  "planted.missed_wakeup_ok", "planted.early_restart_ok"};
    fl_world_unregister_all_workers();
    /* the embedding program's own worker under a built-in name wins */
    int token;
    assert_int_equal(fl_world_register_worker("planted.lost_update", mine, &token), 0);
    cli_cap c = CLI("--version");
    cli_expect_rc(&c, 0, "--version");
    cli_cap_free(&c);
    sv_worker_fn fn;
    void *arg;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        assert_int_equal(fl_world_lookup_worker(names[i], &fn, &arg), 0);
        if (i == 0) {
            assert_ptr_equal(fn, mine);
            assert_ptr_equal(arg, &token);
        } else {
            assert_ptr_not_equal(fn, mine);
            assert_non_null(arg);
        }
    }
    /* idempotent: a second command registers nothing twice and fails nothing */
    c = CLI("--version");
    cli_expect_rc(&c, 0, "--version");
    cli_cap_free(&c);
    fl_world_unregister_all_workers();
    c = CLI("--version"); /* and again after the registry was emptied */
    cli_cap_free(&c);
    assert_int_equal(fl_world_lookup_worker("planted.lost_update", &fn, &arg), 0);
    assert_ptr_not_equal(fn, mine);
}

static void test_unknown_planted(void **state) {
    char *scn = cli_write_tmp("nope.scn",
                              "scenario \"typo\"\nsupervisor root\n  user p fn=planted.lost_updat restart=temporary\n");
    cli_cap c = CLI("run", scn);
    cli_expect_rc(&c, 2, scn);
    assert_non_null(strstr(c.err, "unknown user worker"));
    cli_cap_free(&c);
    free(scn);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_names),   cmocka_unit_test(test_unknown_planted),
        cmocka_unit_test(test_lost_update),     cmocka_unit_test(test_lock_order),
        cmocka_unit_test(test_missed_wakeup),   cmocka_unit_test(test_early_restart),
        cmocka_unit_test(test_twins_pass),
    };
    return cmocka_run_group_tests(tests, setup, cli_teardown);
}
