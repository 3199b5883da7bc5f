/*
 * test_cli.c — the `faultline` command: argument parsing and its messages,
 * sharding (flag and environment), operand expansion, and whole commands
 * through fl_cli_main on scenario files in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_util.h"
#include "sched/fl_sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

static int parse_v(fl_cli_args *c, char *err, size_t errlen, ...) {
    char *argv[CLI_ARGV_MAX];
    va_list ap;
    va_start(ap, errlen);
    int argc = cli_argv_va(argv, va_arg(ap, const char *), ap);
    va_end(ap);
    return fl_cli_parse(argc, argv, c, err, errlen);
}

#define PARSE(c, err, ...) parse_v((c), (err), sizeof(err), __VA_ARGS__, (char *)NULL)

static void expect_error(const char *want, ...) {
    char *argv[CLI_ARGV_MAX];
    va_list ap;
    va_start(ap, want);
    int argc = cli_argv_va(argv, va_arg(ap, const char *), ap);
    va_end(ap);
    fl_cli_args c;
    char err[512] = "";
    assert_int_equal(fl_cli_parse(argc, argv, &c, err, sizeof err), -EINVAL);
    if (strcmp(err, want) != 0) fprintf(stderr, "got  '%s'\nwant '%s'\n", err, want);
    assert_string_equal(err, want);
    fl_cli_free(&c);
}

static const char GOOD[] =
    "scenario \"good\"\n"
    "run seeds=50 duration=500ms\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a\n"
    "    work 100ms on 1\n"
    "    crash \"boom\" on 1\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "expect restarts a = 1\n";

static const char BAD_EXPECT[] =
    "scenario \"wrong\"\n"
    "run seeds=50 duration=500ms\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a\n"
    "    work 100ms on 1\n"
    "    crash \"boom\" on 1\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "expect restarts a = 3\n";

static const char SYNTAX[] =
    "supervisor root strategy=one_for_most\n"
    "  worker a\n";

static int setup(void **state) {
    assert_int_equal(cli_tmpdir_make("fl_test_cli"), 0);
    free(cli_write_tmp("suite/b/good.scn", GOOD));
    free(cli_write_tmp("suite/a/wrong.scn", BAD_EXPECT));
    free(cli_write_tmp("suite/a/notes.txt", "not a scenario"));
    free(cli_write_tmp("suite/c/good2.scn", GOOD));
    free(cli_write_tmp("bad/syntax.scn", SYNTAX));
    free(cli_write_tmp("bad/user.scn", "supervisor root\n  user poller fn=not_registered\n"));
    char *empty = cli_tmp_path("empty");
    mkdir(empty, 0777);
    free(empty);
    return 0;
}

/* ---- parsing ---------------------------------------------------------------- */

static void test_parse_run(void **state) {
    fl_cli_args c;
    char err[256];
    assert_int_equal(PARSE(&c, err, "run", "a.scn", "--seeds", "30", "dir", "--strategy=pct", "--depth", "4",
                           "--budget=999", "--shard", "1/3", "--junit", "j.xml", "--tap", "--json=r.json",
                           "--trace", "tdir", "--html", "r.html", "--", "--odd.scn"), 0);
    assert_int_equal(c.cmd, FL_CLI_CMD_RUN);
    assert_int_equal(c.npaths, 3);
    assert_string_equal(c.paths[0], "a.scn");
    assert_string_equal(c.paths[1], "dir");
    assert_string_equal(c.paths[2], "--odd.scn");
    assert_int_equal(c.seeds, 30);
    assert_int_equal(c.strategy, FL_SCHED_STRAT_PCT);
    assert_int_equal(c.depth, 4);
    assert_int_equal(c.budget, 999);
    assert_true(c.shard_set);
    assert_int_equal(c.shard_index, 1);
    assert_int_equal(c.shard_total, 3);
    assert_string_equal(c.junit, "j.xml");
    assert_string_equal(c.json, "r.json");
    assert_string_equal(c.trace_dir, "tdir");
    assert_string_equal(c.html, "r.html");
    assert_true(c.tap);
    assert_null(c.tap_file);
    fl_cli_free(&c);
    /* --tap FILE.tap (as `make run` passes it), --tap=FILE */
    assert_int_equal(PARSE(&c, err, "run", "--tap", "out/results.tap", "scenarios"), 0);
    assert_string_equal(c.tap_file, "out/results.tap");
    assert_int_equal(c.npaths, 1);
    assert_string_equal(c.paths[0], "scenarios");
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "run", "--tap=r.txt", "scenarios"), 0);
    assert_string_equal(c.tap_file, "r.txt");
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "run", "--tap", "x.scn"), 0);
    assert_null(c.tap_file);
    assert_int_equal(c.npaths, 1);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "replay", "x.scn", "--schedule", "fl1:abc"), 0);
    assert_int_equal(c.cmd, FL_CLI_CMD_REPLAY);
    assert_string_equal(c.schedule, "fl1:abc");
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "--version"), 0);
    assert_int_equal(c.cmd, FL_CLI_CMD_VERSION);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "run", "--help"), 0);
    assert_true(c.help);
    assert_int_equal(c.cmd, FL_CLI_CMD_RUN);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "help", "shrink"), 0);
    assert_true(c.help);
    assert_int_equal(c.cmd, FL_CLI_CMD_SHRINK);
    fl_cli_free(&c);
    /* free runs and their time scale */
    assert_int_equal(PARSE(&c, err, "run", "a.scn", "--strategy", "free", "--time-scale=25"), 0);
    assert_int_equal(c.strategy, FL_SCHED_STRAT_FREE);
    assert_int_equal(c.time_scale, 25);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "run", "a.scn", "--strategy", "free"), 0);
    assert_int_equal(c.time_scale, 0); /* not given: the runner's default */
    fl_cli_free(&c);
    /* explore: bound 0 is a bound, not "not given" */
    assert_int_equal(PARSE(&c, err, "explore", "x.scn", "--bound", "0", "--max-runs=77", "--budget", "5000",
                           "--require-complete", "--no-reduce"), 0);
    assert_int_equal(c.cmd, FL_CLI_CMD_EXPLORE);
    assert_true(c.no_reduce);
    assert_int_equal(c.npaths, 1);
    assert_true(c.bound_set);
    assert_int_equal(c.bound, 0);
    assert_int_equal(c.max_runs, 77);
    assert_int_equal(c.budget, 5000);
    assert_true(c.require_complete);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "explore", "x.scn", "--no-dpor"), 0);
    assert_true(c.no_dpor);
    assert_false(c.no_reduce);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "explore", "--bound=3", "x.scn"), 0);
    assert_true(c.bound_set);
    assert_int_equal(c.bound, 3);
    assert_int_equal(c.max_runs, 0);
    assert_false(c.require_complete);
    assert_false(c.no_reduce);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "explore", "x.scn"), 0);
    assert_false(c.bound_set);
    fl_cli_free(&c);
}

static void test_parse_errors(void **state) {
    expect_error("faultline: --seeds: expected a positive integer, got 'x'", "run", "a", "--seeds", "x", NULL);
    expect_error("faultline: --seeds: expected a positive integer, got '0'", "run", "a", "--seeds=0", NULL);
    expect_error("faultline: --seeds: expected a positive integer, got '-3'", "run", "a", "--seeds", "-3", NULL);
    expect_error("faultline: --seeds: expected a positive integer up to 10000000, got '99999999999'", "run", "a",
                 "--seeds", "99999999999", NULL);
    expect_error("faultline: --depth: expected a positive integer, got '2x'", "run", "a", "--depth", "2x", NULL);
    expect_error("faultline: --strategy: expected random, pct, pos, rr or free, got 'dfs'", "run", "a", "--strategy", "dfs", NULL);
    expect_error("faultline: --time-scale: only with --strategy free (other strategies run on virtual time)", "run", "a",
                 "--time-scale", "5", NULL);
    expect_error("faultline: --time-scale: only with --strategy free (other strategies run on virtual time)", "run", "a",
                 "--strategy", "pct", "--time-scale", "5", NULL);
    expect_error("faultline: --time-scale: expected an integer from 1 to 1000, got '0'", "run", "a", "--strategy=free",
                 "--time-scale", "0", NULL);
    expect_error("faultline: --time-scale: expected an integer from 1 to 1000, got '1001'", "run", "a", "--strategy=free",
                 "--time-scale=1001", NULL);
    expect_error("faultline: --bound: expected an integer from 0 to 64, got '65'", "explore", "a", "--bound", "65", NULL);
    expect_error("faultline: --bound: expected an integer from 0 to 64, got '-1'", "explore", "a", "--bound", "-1", NULL);
    expect_error("faultline: --bound: expected an integer from 0 to 64, got '00x'", "explore", "a", "--bound=00x", NULL);
    expect_error("faultline: --max-runs: expected an integer from 1 to 1000000000, got '0'", "explore", "a",
                 "--max-runs", "0", NULL);
    expect_error("faultline: --require-complete: takes no value", "explore", "a", "--require-complete=yes", NULL);
    expect_error("faultline: --no-reduce: takes no value", "explore", "a", "--no-reduce=1", NULL);
    expect_error("faultline: --no-dpor: takes no value", "explore", "a", "--no-dpor=1", NULL);
    expect_error("faultline: run: unknown option '--no-reduce'; try 'faultline run --help'", "run", "a", "--no-reduce", NULL);
    expect_error("faultline: explore: expected a scenario FILE; try 'faultline explore --help'", "explore", NULL);
    expect_error("faultline: explore: expected one scenario FILE, got 2 operands", "explore", "a", "b", NULL);
    expect_error("faultline: explore: unknown option '--strategy'; try 'faultline explore --help'", "explore", "a",
                 "--strategy", "pct", NULL);
    expect_error("faultline: run: unknown option '--bound'; try 'faultline run --help'", "run", "a", "--bound", "1", NULL);
    expect_error("faultline: --shard: expected I/N with 0 <= I < N (0-based), got '3/3'", "run", "a", "--shard", "3/3", NULL);
    expect_error("faultline: --shard: expected I/N with 0 <= I < N (0-based), got '1/0'", "run", "a", "--shard", "1/0", NULL);
    expect_error("faultline: --shard: expected I/N with 0 <= I < N (0-based), got 'a/b'", "run", "a", "--shard=a/b", NULL);
    expect_error("faultline: --seeds: expected a value", "run", "a", "--seeds", NULL);
    expect_error("faultline: --tap: expected a path after '=', got ''", "run", "a", "--tap=", NULL);
    expect_error("faultline: run: unknown option '--frobnicate'; try 'faultline run --help'", "run", "a", "--frobnicate", NULL);
    expect_error("faultline: run: unknown option '-q'; try 'faultline run --help'", "run", "a", "-q", NULL);
    expect_error("faultline: run: unknown option '-xv'; try 'faultline run --help'", "run", "a", "-xv", NULL);
    expect_error("faultline: --jobs: expected an integer from 1 to 1024, got '0'", "run", "a", "-j", "0", NULL);
    expect_error("faultline: --jobs: expected an integer from 1 to 1024, got 'many'", "run", "a", "--jobs=many", NULL);
    expect_error("faultline: --timeout: expected a duration such as 90s, 500ms, 10m or 0 (none), up to a day, got '10x'",
                 "run", "a", "--timeout", "10x", NULL);
    expect_error("faultline: --timeout: expected a duration such as 90s, 500ms, 10m or 0 (none), up to a day, got '25h'",
                 "run", "a", "--timeout=25h", NULL);
    expect_error("faultline: --color: expected auto, always or never, got 'pink'", "run", "a", "--color=pink", NULL);
    expect_error("faultline: --seed: expected a non-negative integer, got '-1'", "run", "a", "--seed", "-1", NULL);
    expect_error("faultline: --seed: runs exactly one seed; it cannot be combined with --seeds", "run", "a", "--seed",
                 "3", "--seeds", "4", NULL);
    expect_error("faultline: -k: expected a pattern (substring or glob of the path), got ''", "run", "a", "-k", "", NULL);
    expect_error("faultline: replay: unknown option '-j'; try 'faultline replay --help'", "replay", "a", "-j", "2",
                 "--schedule", "s", NULL);
    expect_error("faultline: check: unknown option '--seeds'; try 'faultline check --help'", "check", "a", "--seeds", "3", NULL);
    expect_error("faultline: replay: expected --schedule S (the fl1:… string a failure printed)", "replay", "a.scn", NULL);
    expect_error("faultline: replay: expected one scenario FILE, got 2 operands", "replay", "a", "b", "--schedule", "s", NULL);
    expect_error("faultline: run: expected at least one PATH; try 'faultline run --help'", "run", NULL);
    expect_error("faultline: unknown command 'walk' (expected run, explore, replay, shrink, check or list)", "walk", NULL);
    expect_error("faultline: expected a command (run, explore, replay, shrink, check, list); try 'faultline --help'", NULL);
}

/* ---- sharding ------------------------------------------------------------------ */

static void clear_env(void) {
    const char *v[] = {"TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", "TEST_SHARD_STATUS_FILE",
                       "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", "GTEST_SHARD_STATUS_FILE"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) unsetenv(v[i]);
}

static void test_shard(void **state) {
    fl_cli_args c = {.strategy = -1};
    bool on;
    uint32_t i, t;
    char err[256];
    clear_env();
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), 0);
    assert_false(on);
    setenv("GTEST_TOTAL_SHARDS", "4", 1);
    setenv("GTEST_SHARD_INDEX", "3", 1);
    char *status = cli_tmp_path("gtest_status");
    setenv("GTEST_SHARD_STATUS_FILE", status, 1);
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), 0);
    assert_true(on);
    assert_int_equal(i, 3);
    assert_int_equal(t, 4);
    assert_int_equal(access(status, F_OK), 0); /* touched */
    setenv("TEST_TOTAL_SHARDS", "4", 1);
    setenv("TEST_SHARD_INDEX", "2", 1);
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "disagree"));
    unsetenv("GTEST_TOTAL_SHARDS");
    unsetenv("GTEST_SHARD_INDEX");
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), 0);
    assert_int_equal(i, 2);
    c.shard_set = true; /* the flag wins */
    c.shard_index = 0;
    c.shard_total = 1;
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), 0);
    assert_int_equal(i, 0);
    assert_int_equal(t, 1);
    c.shard_set = false;
    setenv("TEST_SHARD_INDEX", "4", 1);
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), -EINVAL);
    assert_string_equal(err, "faultline: TEST_SHARD_INDEX: expected an integer in [0, 4), got '4'");
    setenv("TEST_TOTAL_SHARDS", "zero", 1);
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), -EINVAL);
    assert_string_equal(err, "faultline: TEST_TOTAL_SHARDS: expected a positive integer, got 'zero'");
    unsetenv("TEST_SHARD_INDEX");
    setenv("TEST_TOTAL_SHARDS", "2", 1);
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), -EINVAL);
    assert_string_equal(err, "faultline: TEST_TOTAL_SHARDS is set but TEST_SHARD_INDEX is not");
    clear_env();
    free(status);
}

/* ---- operands --------------------------------------------------------------------- */

static void test_collect(void **state) {
    char *suite = cli_tmp_path("suite"), *extra = cli_tmp_path("suite/c/good2.scn");
    char *txt = cli_tmp_path("suite/a/notes.txt");
    const char *ops[] = {suite, extra, txt};
    char **files;
    size_t n;
    char err[512];
    assert_int_equal(fl_cli_collect(ops, 3, &files, &n, NULL, err, sizeof err), 0);
    assert_int_equal(n, 4); /* three .scn (the duplicate dropped), then the explicit file */
    assert_non_null(strstr(files[0], "suite/a/wrong.scn"));
    assert_non_null(strstr(files[1], "suite/b/good.scn"));
    assert_non_null(strstr(files[2], "suite/c/good2.scn"));
    assert_non_null(strstr(files[3], "notes.txt"));
    fl_cli_files_free(files, n);
    char *missing = cli_tmp_path("nope"), *empty = cli_tmp_path("empty");
    const char *bad[] = {missing};
    assert_int_equal(fl_cli_collect(bad, 1, &files, &n, NULL, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "nope: No such file or directory"));
    const char *emp[] = {empty};
    assert_int_equal(fl_cli_collect(emp, 1, &files, &n, NULL, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "no *.scn files"));
    free(suite);
    free(extra);
    free(txt);
    free(missing);
    free(empty);
}

/* ---- whole commands ------------------------------------------------------------------ */

static void test_check_and_list(void **state) {
    char *good = cli_tmp_path("suite/b/good.scn"), *bad = cli_tmp_path("bad/syntax.scn"), *suite = cli_tmp_path("suite");
    cli_cap c = CLI("check", good);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "ok "));
    cli_cap_free(&c);
    c = CLI("check", good, bad);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "syntax.scn:1:"));
    assert_non_null(strstr(c.err, "expected"));
    cli_cap_free(&c);
    c = CLI("list", suite);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "0\t"));
    assert_non_null(strstr(c.out, "wrong.scn\tseeds=50 strategy=random"));
    assert_true(strstr(c.out, "wrong.scn") < strstr(c.out, "good.scn"));
    cli_cap_free(&c);
    c = CLI("--version");
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "faultline "));
    cli_cap_free(&c);
    c = CLI("replay", "--help");
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "usage: faultline replay FILE --schedule S"));
    cli_cap_free(&c);
    free(good);
    free(bad);
    free(suite);
}

/* Output paths are checked before the first run: a report path that is an
 * input, or in a directory that does not exist, is exit 2 at once and the
 * input is left as it was; a report error later still prints the summary. */
static void test_report_paths_checked_first(void **state) {
    (void)state;
    char *good = cli_tmp_path("suite/b/good.scn");
    char *before = cli_read_file(good);
    cli_cap c = CLI("run", good, "--seeds", "3", "--json", good);
    cli_expect_rc(&c, 2, "--json naming the scenario");
    assert_non_null(strstr(c.err, "faultline: --json: "));
    assert_null(strstr(c.out, "passed")); /* refused before any run */
    char *after = cli_read_file(good);
    assert_string_equal(before, after);
    free(after);
    cli_cap_free(&c);
    char *nodir = cli_tmp_path("no/such/dir/j.xml");
    c = CLI("run", good, "--seeds", "3", "--junit", nodir);
    cli_expect_rc(&c, 2, "--junit in a missing directory");
    assert_non_null(strstr(c.err, "faultline: --junit: "));
    assert_null(strstr(c.out, "passed"));
    cli_cap_free(&c);
    free(nodir);
    free(before);
    free(good);
}

static void test_run_pass_fail_and_reports(void **state) {
    char *good = cli_tmp_path("suite/b/good.scn"), *wrong = cli_tmp_path("suite/a/wrong.scn");
    char *bad = cli_tmp_path("bad/syntax.scn");
    char *junit = cli_tmp_path("out/j.xml"), *json = cli_tmp_path("out/r.json"), *tdir = cli_tmp_path("out/trace");
    char *outdir = cli_tmp_path("out");
    mkdir(outdir, 0777);
    free(outdir);
    cli_cap c = CLI("run", good, "--seeds", "5", "--junit", junit);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "faultline: 1 passed, 0 failed (1 scenario, 5 runs"));
    assert_int_equal(access(junit, F_OK), 0);
    cli_cap_free(&c);
    c = CLI("run", good, wrong, "--seeds=3", "--json", json, "--trace", tdir, "--strategy=pct");
    assert_int_equal(c.rc, 1);
    assert_non_null(strstr(c.out, "faultline: 1 passed, 1 failed (2 scenarios, 6 runs"));
    assert_non_null(strstr(c.out, "expect restarts a = 3: got 1"));
    const char *rl = strstr(c.out, "faultline replay ");
    assert_non_null(rl);
    assert_int_equal(access(json, F_OK), 0);
    /* replay the printed line: the failure reproduces (exit 1) with its trace */
    const char *s = strstr(rl, "--schedule ") + strlen("--schedule ");
    char sched[4096];
    size_t sl = strcspn(s, " \n");
    memcpy(sched, s, sl);
    sched[sl] = '\0';
    cli_cap_free(&c);
    c = CLI("replay", wrong, "--schedule", sched);
    assert_int_equal(c.rc, 1);
    assert_non_null(strstr(c.out, "#1 t=0.000000000 root sup_start"));
    assert_non_null(strstr(c.out, "FAIL "));
    assert_non_null(strstr(c.out, "expect restarts a = 3: got 1"));
    cli_cap_free(&c);
    /* shrink keeps it failing */
    c = CLI("shrink", wrong, "--schedule", sched);
    if (c.rc != 0) fprintf(stderr, "%s%s", c.out, c.err);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "preemptions "));
    assert_non_null(strstr(c.out, "faultline replay "));
    cli_cap_free(&c);
    /* a bad schedule is bad input */
    c = CLI("replay", wrong, "--schedule", "fl1:nonsense");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "faultline: --schedule: schedule:"));
    cli_cap_free(&c);
    /* a scenario that does not parse: exit 2, no report written */
    char *j2 = cli_tmp_path("out/never.xml");
    c = CLI("run", good, bad, "--junit", j2);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "syntax.scn:1:"));
    assert_int_equal(access(j2, F_OK), -1);
    cli_cap_free(&c);
    /* a scenario that cannot run (unregistered user worker): exit 2 */
    char *user = cli_tmp_path("bad/user.scn");
    c = CLI("run", user, "--seeds", "2");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "bad/user.scn:2:8: unknown user worker 'not_registered'"));
    assert_null(strstr(c.out, "0 of 0"));
    cli_cap_free(&c);
    c = CLI("check", user);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "bad/user.scn:2:8: unknown user worker 'not_registered'"));
    assert_null(strstr(c.out, "ok "));
    cli_cap_free(&c);
    free(user);
    free(j2);
    free(good);
    free(wrong);
    free(bad);
    free(junit);
    free(json);
    free(tdir);
}

/* --strategy free: real threads and real time (scaled), no replay line. */
static void test_run_free(void **state) {
    char *good = cli_tmp_path("suite/b/good.scn"), *wrong = cli_tmp_path("suite/a/wrong.scn");
    char *json = cli_tmp_path("out/free.json");
    char *outdir = cli_tmp_path("out");
    mkdir(outdir, 0777);
    free(outdir);
    cli_cap c = CLI("run", good, "--strategy", "free", "--time-scale", "10", "--seeds=2");
    if (c.rc != 0) fprintf(stderr, "%s%s", c.out, c.err);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "faultline: 1 passed, 0 failed (1 scenario, 2 runs"));
    cli_cap_free(&c);
    /* without --seeds a free run is capped at a few seeds (good.scn says 50) */
    c = CLI("run", good, "--strategy", "free", "--time-scale", "10");
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "(1 scenario, 3 runs"));
    cli_cap_free(&c);
    /* a timing expectation is not judged in a free run (docs/architecture.md) */
    c = CLI("run", wrong, "--strategy", "free", "--time-scale", "10", "--seeds", "1");
    cli_expect_rc(&c, 0, "free run, timing expectation");
    cli_cap_free(&c);
    /* a structural failure: the usual block, but no schedule and no replay command */
    char *silent = cli_write_tmp("free/silent.scn",
                                 "run duration=1s\nsupervisor root intensity=5 period=5s\n  worker a\n"
                                 "    crash \"silent\" on 1\n    loop\n      work 50ms\n    end\n"
                                 "failpoint sv.log.skip \"[worker a] 1*return(1)\"\n");
    c = CLI("run", silent, "--strategy", "free", "--time-scale", "1", "--seeds", "1", "--json", json);
    cli_expect_rc(&c, 1, "free run, structural failure");
    assert_non_null(strstr(c.out, "FAIL "));
    assert_non_null(strstr(c.out, "crash_logged_once"));
    assert_non_null(strstr(c.out, "  replay:    none: a free run (--strategy free) is not replayable"));
    assert_null(strstr(c.out, "faultline replay"));
    assert_null(strstr(c.out, "fl1:"));
    cli_cap_free(&c);
    free(silent);
    char *buf = cli_read_file(json);
    assert_non_null(strstr(buf, "\"strategy\": \"free\""));
    assert_non_null(strstr(buf, "\"replay\": null"));
    assert_null(strstr(buf, "fl1:"));
    free(buf);
    free(good);
    free(wrong);
    free(json);
}

static void test_run_shards(void **state) {
    char *suite = cli_tmp_path("suite");
    size_t total = 0;
    for (int i = 0; i < 2; i++) {
        char shard[16];
        snprintf(shard, sizeof shard, "%d/2", i);
        cli_cap c = CLI("run", suite, "--seeds", "2", "--shard", shard);
        const char *sum = strstr(c.out, "faultline: ");
        assert_non_null(sum);
        unsigned passed, failed, n;
        assert_int_equal(sscanf(sum, "faultline: %u passed, %u failed (%u scenario", &passed, &failed, &n), 3);
        char want[32];
        snprintf(want, sizeof want, "shard %d/2", i);
        assert_non_null(strstr(sum, want));
        total += n;
        cli_cap_free(&c);
    }
    assert_int_equal(total, 3); /* each scenario in exactly one shard */
    clear_env();
    setenv("TEST_TOTAL_SHARDS", "3", 1);
    setenv("TEST_SHARD_INDEX", "2", 1);
    cli_cap c = CLI("run", suite, "--seeds", "2");
    assert_non_null(strstr(c.out, "(1 scenario, shard 2/3, 2 runs"));
    cli_cap_free(&c);
    setenv("TEST_SHARD_INDEX", "7", 1);
    c = CLI("run", suite, "--seeds", "2");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "TEST_SHARD_INDEX"));
    cli_cap_free(&c);
    clear_env();
    free(suite);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_run),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_shard),
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_check_and_list),
        cmocka_unit_test(test_run_pass_fail_and_reports),
        cmocka_unit_test(test_report_paths_checked_first),
        cmocka_unit_test(test_run_free),
        cmocka_unit_test(test_run_shards),
    };
    return cmocka_run_group_tests(tests, setup, cli_teardown);
}
