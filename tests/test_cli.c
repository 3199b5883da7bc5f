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

#include "cli.h"
#include "fl_sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

static int parse_v(fl_cli *c, char *err, size_t errlen, ...) {
    char *argv[32];
    int argc = 0;
    argv[argc++] = "faultline";
    va_list ap;
    va_start(ap, errlen);
    for (char *a; (a = va_arg(ap, char *));) argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return fl_cli_parse(argc, argv, c, err, errlen);
}

#define PARSE(c, err, ...) parse_v((c), (err), sizeof(err), __VA_ARGS__, (char *)NULL)

static void expect_error(const char *want, ...) {
    char *argv[32];
    int argc = 0;
    argv[argc++] = "faultline";
    va_list ap;
    va_start(ap, want);
    for (char *a; (a = va_arg(ap, char *));) argv[argc++] = a;
    va_end(ap);
    fl_cli c;
    char err[512] = "";
    assert_int_equal(fl_cli_parse(argc, argv, &c, err, sizeof err), -EINVAL);
    if (strcmp(err, want) != 0) fprintf(stderr, "got  '%s'\nwant '%s'\n", err, want);
    assert_string_equal(err, want);
    fl_cli_free(&c);
}

static char tmpdir[256];

static void write_file(const char *rel, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    for (char *s = p + strlen(tmpdir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0777);
        *s = '/';
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *path(const char *rel) {
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", tmpdir, rel) > 0);
    return p;
}

typedef struct cap {
    char *out, *err;
    int rc;
} cap;

static cap run_cli(int n, char **args) {
    char *argv[40];
    argv[0] = "faultline";
    for (int i = 0; i < n; i++) argv[i + 1] = args[i];
    argv[n + 1] = NULL;
    cap c = {0};
    size_t lo = 0, le = 0;
    FILE *o = open_memstream(&c.out, &lo), *e = open_memstream(&c.err, &le);
    c.rc = fl_cli_main(n + 1, argv, o, e);
    fclose(o);
    fclose(e);
    return c;
}

static void cap_free(cap *c) {
    free(c->out);
    free(c->err);
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
    snprintf(tmpdir, sizeof tmpdir, "/tmp/fl_test_cli.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    write_file("suite/b/good.scn", GOOD);
    write_file("suite/a/wrong.scn", BAD_EXPECT);
    write_file("suite/a/notes.txt", "not a scenario");
    write_file("suite/c/good2.scn", GOOD);
    write_file("bad/syntax.scn", SYNTAX);
    write_file("bad/user.scn", "supervisor root\n  user poller fn=not_registered\n");
    char *empty = path("empty");
    mkdir(empty, 0777);
    free(empty);
    return 0;
}

static int teardown(void **state) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- parsing ---------------------------------------------------------------- */

static void test_parse_run(void **state) {
    fl_cli c;
    char err[256];
    assert_int_equal(PARSE(&c, err, "run", "a.scn", "--seeds", "30", "dir", "--strategy=pct", "--depth", "4",
                           "--budget=999", "--shard", "1/3", "--junit", "j.xml", "--tap", "--json=r.json",
                           "--trace", "tdir", "--html", "r.html", "--", "--odd.scn"), 0);
    assert_int_equal(c.cmd, FL_CMD_RUN);
    assert_int_equal(c.npaths, 3);
    assert_string_equal(c.paths[0], "a.scn");
    assert_string_equal(c.paths[1], "dir");
    assert_string_equal(c.paths[2], "--odd.scn");
    assert_int_equal(c.seeds, 30);
    assert_int_equal(c.strategy, FL_STRAT_PCT);
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
    assert_int_equal(c.cmd, FL_CMD_REPLAY);
    assert_string_equal(c.schedule, "fl1:abc");
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "--version"), 0);
    assert_int_equal(c.cmd, FL_CMD_VERSION);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "run", "--help"), 0);
    assert_true(c.help);
    assert_int_equal(c.cmd, FL_CMD_RUN);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "help", "shrink"), 0);
    assert_true(c.help);
    assert_int_equal(c.cmd, FL_CMD_SHRINK);
    fl_cli_free(&c);
    /* free runs and their time scale */
    assert_int_equal(PARSE(&c, err, "run", "a.scn", "--strategy", "free", "--time-scale=25"), 0);
    assert_int_equal(c.strategy, FL_STRAT_FREE);
    assert_int_equal(c.time_scale, 25);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "run", "a.scn", "--strategy", "free"), 0);
    assert_int_equal(c.time_scale, 0); /* not given: the runner's default */
    fl_cli_free(&c);
    /* explore: bound 0 is a bound, not "not given" */
    assert_int_equal(PARSE(&c, err, "explore", "x.scn", "--bound", "0", "--max-runs=77", "--budget", "5000",
                           "--require-complete"), 0);
    assert_int_equal(c.cmd, FL_CMD_EXPLORE);
    assert_int_equal(c.npaths, 1);
    assert_true(c.bound_set);
    assert_int_equal(c.bound, 0);
    assert_int_equal(c.max_runs, 77);
    assert_int_equal(c.budget, 5000);
    assert_true(c.require_complete);
    fl_cli_free(&c);
    assert_int_equal(PARSE(&c, err, "explore", "--bound=3", "x.scn"), 0);
    assert_true(c.bound_set);
    assert_int_equal(c.bound, 3);
    assert_int_equal(c.max_runs, 0);
    assert_false(c.require_complete);
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
    expect_error("faultline: --strategy: expected random, pct, rr or free, got 'dfs'", "run", "a", "--strategy", "dfs", NULL);
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
    expect_error("faultline: run: unknown option '-x'; try 'faultline run --help'", "run", "a", "-x", NULL);
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
    fl_cli c = {.strategy = -1};
    bool on;
    uint32_t i, t;
    char err[256];
    clear_env();
    assert_int_equal(fl_cli_shard(&c, &on, &i, &t, err, sizeof err), 0);
    assert_false(on);
    setenv("GTEST_TOTAL_SHARDS", "4", 1);
    setenv("GTEST_SHARD_INDEX", "3", 1);
    char *status = path("gtest_status");
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
    char *suite = path("suite"), *extra = path("suite/c/good2.scn"), *txt = path("suite/a/notes.txt");
    const char *ops[] = {suite, extra, txt};
    char **files;
    size_t n;
    char err[512];
    assert_int_equal(fl_cli_collect(ops, 3, &files, &n, err, sizeof err), 0);
    assert_int_equal(n, 4); /* three .scn (the duplicate dropped), then the explicit file */
    assert_non_null(strstr(files[0], "suite/a/wrong.scn"));
    assert_non_null(strstr(files[1], "suite/b/good.scn"));
    assert_non_null(strstr(files[2], "suite/c/good2.scn"));
    assert_non_null(strstr(files[3], "notes.txt"));
    fl_cli_files_free(files, n);
    char *missing = path("nope"), *empty = path("empty");
    const char *bad[] = {missing};
    assert_int_equal(fl_cli_collect(bad, 1, &files, &n, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "nope: No such file or directory"));
    const char *emp[] = {empty};
    assert_int_equal(fl_cli_collect(emp, 1, &files, &n, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "no *.scn files"));
    free(suite);
    free(extra);
    free(txt);
    free(missing);
    free(empty);
}

/* ---- whole commands ------------------------------------------------------------------ */

static void test_check_and_list(void **state) {
    char *good = path("suite/b/good.scn"), *bad = path("bad/syntax.scn"), *suite = path("suite");
    cap c = run_cli(2, (char *[]){"check", good});
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "ok "));
    cap_free(&c);
    c = run_cli(3, (char *[]){"check", good, bad});
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "syntax.scn:1:"));
    assert_non_null(strstr(c.err, "expected"));
    cap_free(&c);
    c = run_cli(2, (char *[]){"list", suite});
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "0\t"));
    assert_non_null(strstr(c.out, "wrong.scn\tseeds=50 strategy=random"));
    assert_true(strstr(c.out, "wrong.scn") < strstr(c.out, "good.scn"));
    cap_free(&c);
    c = run_cli(1, (char *[]){"--version"});
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "faultline "));
    cap_free(&c);
    c = run_cli(2, (char *[]){"replay", "--help"});
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "usage: faultline replay FILE --schedule S"));
    cap_free(&c);
    free(good);
    free(bad);
    free(suite);
}

static void test_run_pass_fail_and_reports(void **state) {
    char *good = path("suite/b/good.scn"), *wrong = path("suite/a/wrong.scn"), *bad = path("bad/syntax.scn");
    char *junit = path("out/j.xml"), *json = path("out/r.json"), *tdir = path("out/trace");
    char *outdir = path("out");
    mkdir(outdir, 0777);
    free(outdir);
    cap c = run_cli(6, (char *[]){"run", good, "--seeds", "5", "--junit", junit});
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "faultline: 1 passed, 0 failed (1 scenario, 5 runs"));
    assert_int_equal(access(junit, F_OK), 0);
    cap_free(&c);
    c = run_cli(9, (char *[]){"run", good, wrong, "--seeds=3", "--json", json, "--trace", tdir, "--strategy=pct"});
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
    cap_free(&c);
    c = run_cli(4, (char *[]){"replay", wrong, "--schedule", sched});
    assert_int_equal(c.rc, 1);
    assert_non_null(strstr(c.out, "#1 t=0.000000000 root sup_start"));
    assert_non_null(strstr(c.out, "FAIL "));
    assert_non_null(strstr(c.out, "expect restarts a = 3: got 1"));
    cap_free(&c);
    /* shrink keeps it failing */
    c = run_cli(4, (char *[]){"shrink", wrong, "--schedule", sched});
    if (c.rc != 0) fprintf(stderr, "%s%s", c.out, c.err);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "preemptions "));
    assert_non_null(strstr(c.out, "faultline replay "));
    cap_free(&c);
    /* a bad schedule is bad input */
    c = run_cli(4, (char *[]){"replay", wrong, "--schedule", "fl1:nonsense"});
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "faultline: --schedule: schedule:"));
    cap_free(&c);
    /* a scenario that does not parse: exit 2, no report written */
    char *j2 = path("out/never.xml");
    c = run_cli(5, (char *[]){"run", good, bad, "--junit", j2});
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "syntax.scn:1:"));
    assert_int_equal(access(j2, F_OK), -1);
    cap_free(&c);
    /* a scenario that cannot run (unregistered user worker): exit 2 */
    char *user = path("bad/user.scn");
    c = run_cli(4, (char *[]){"run", user, "--seeds", "2"});
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "not registered"));
    cap_free(&c);
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
    char *good = path("suite/b/good.scn"), *wrong = path("suite/a/wrong.scn"), *json = path("out/free.json");
    char *outdir = path("out");
    mkdir(outdir, 0777);
    free(outdir);
    cap c = run_cli(7, (char *[]){"run", good, "--strategy", "free", "--time-scale", "10", "--seeds=2"});
    if (c.rc != 0) fprintf(stderr, "%s%s", c.out, c.err);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "faultline: 1 passed, 0 failed (1 scenario, 2 runs"));
    cap_free(&c);
    /* without --seeds a free run is capped at a few seeds (good.scn says 50) */
    c = run_cli(6, (char *[]){"run", good, "--strategy", "free", "--time-scale", "10"});
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "(1 scenario, 3 runs"));
    cap_free(&c);
    /* a failure: the usual block, but no schedule and no replay command */
    c = run_cli(10, (char *[]){"run", wrong, "--strategy", "free", "--time-scale", "10", "--seeds", "1", "--json", json});
    if (c.rc != 1) fprintf(stderr, "%s%s", c.out, c.err);
    assert_int_equal(c.rc, 1);
    assert_non_null(strstr(c.out, "FAIL "));
    assert_non_null(strstr(c.out, "expect restarts a = 3: got 1"));
    assert_non_null(strstr(c.out, "  replay:    none: a free run (--strategy free) is not replayable"));
    assert_null(strstr(c.out, "faultline replay"));
    assert_null(strstr(c.out, "fl1:"));
    cap_free(&c);
    FILE *f = fopen(json, "r");
    assert_non_null(f);
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "\"strategy\": \"free\""));
    assert_non_null(strstr(buf, "\"replay\": null"));
    assert_null(strstr(buf, "fl1:"));
    free(good);
    free(wrong);
    free(json);
}

static void test_run_shards(void **state) {
    char *suite = path("suite");
    size_t total = 0;
    for (int i = 0; i < 2; i++) {
        char shard[16];
        snprintf(shard, sizeof shard, "%d/2", i);
        cap c = run_cli(6, (char *[]){"run", suite, "--seeds", "2", "--shard", shard});
        const char *sum = strstr(c.out, "faultline: ");
        assert_non_null(sum);
        unsigned passed, failed, n;
        assert_int_equal(sscanf(sum, "faultline: %u passed, %u failed (%u scenario", &passed, &failed, &n), 3);
        char want[32];
        snprintf(want, sizeof want, "shard %d/2", i);
        assert_non_null(strstr(sum, want));
        total += n;
        cap_free(&c);
    }
    assert_int_equal(total, 3); /* each scenario in exactly one shard */
    clear_env();
    setenv("TEST_TOTAL_SHARDS", "3", 1);
    setenv("TEST_SHARD_INDEX", "2", 1);
    cap c = run_cli(4, (char *[]){"run", suite, "--seeds", "2"});
    assert_non_null(strstr(c.out, "(1 scenario, shard 2/3, 2 runs"));
    cap_free(&c);
    setenv("TEST_SHARD_INDEX", "7", 1);
    c = run_cli(4, (char *[]){"run", suite, "--seeds", "2"});
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "TEST_SHARD_INDEX"));
    cap_free(&c);
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
        cmocka_unit_test(test_run_free),
        cmocka_unit_test(test_run_shards),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
