/*
 * test_cli_pool.c — `faultline run` in child processes: the part
 * serialisation (round trip, malformed input), -j N giving -j 1's output
 * and reports, a spinning worker killed by --timeout with a replay line, a
 * worker that aborts becoming a failed case, the symlink-loop and FIFO-safe
 * walk, -k / -x / -v / --seed, FAULTLINE_FAILPOINTS in replay lines, and
 * SIGINT stopping at a run boundary with interrupted reports.
 * No assertion depends on how long anything took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_util.h"
#include "runner/fl_runner.h"
#include "runner/runner_int.h" /* fl_runner__rerun_line */
#include "world/fl_world.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- user workers of this binary ------------------------------------------------- */

/* Spins without ever reaching a scheduling point: only a timeout from
 * outside ends it. */
static int spin_worker(sv_worker *w, void *arg) {
    (void)w, (void)arg;
    for (volatile unsigned long i = 0;; i++) {}
    return 0;
}

static int abort_worker(sv_worker *w, void *arg) {
    (void)w, (void)arg;
    abort();
}

static const char FAILING[] =
    "scenario \"wrong\"\n"
    "run seeds=40 duration=500ms\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a\n"
    "    work 100ms on 1\n"
    "    crash \"boom\" on 1\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "expect restarts a = 3\n";

static const char PASSING[] =
    "scenario \"good\"\n"
    "run seeds=30 duration=500ms\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a\n"
    "    work 100ms on 1\n"
    "    crash \"boom\" on 1\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "expect restarts a = 1\n";

static const char FAILPOINTED[] =
    "scenario \"fp\"\n"
    "run seeds=3 duration=500ms\n"
    "supervisor root intensity=5 period=5s\n"
    "  worker a\n"
    "    failpoint app.step\n"
    "    loop\n"
    "      work 50ms\n"
    "    end\n"
    "expect crashes a = 0\n";

static int setup(void **state) {
    (void)state;
    if (cli_tmpdir_make("fl_test_cli_pool") < 0) return -1;
    fl_world_register_worker("test.spin", spin_worker, NULL);
    fl_world_register_worker("test.abort", abort_worker, NULL);
    free(cli_write_tmp("s/a/fail.scn", FAILING));
    free(cli_write_tmp("s/b/good.scn", PASSING));
    free(cli_write_tmp("s/c/good2.scn", PASSING));
    free(cli_write_tmp("spin/spin.scn", "scenario \"spins\"\nrun seeds=5\nsupervisor root\n  user s fn=test.spin\n"));
    free(cli_write_tmp("abort/abort.scn", "scenario \"aborts\"\nrun seeds=5\nsupervisor root\n  user s fn=test.abort\n"));
    free(cli_write_tmp("fp/fp.scn", FAILPOINTED));
    return 0;
}

/* text without the numbers that depend on time: "%.1f s" figures and
 * "time"/"timestamp" JSON members are cut out. */
static char *untimed(const char *text) {
    char *o = strdup(text), *w = o;
    assert_non_null(o);
    for (const char *p = text; *p;) {
        if (strncmp(p, "\"time", 5) == 0) { /* JSON "time_s": 1.2, "timestamp": … */
            while (*p && *p != ',' && *p != '\n') p++;
            continue;
        }
        if (strncmp(p, "timestamp=\"", 11) == 0 || strncmp(p, "time=\"", 6) == 0) { /* JUnit attributes */
            p = strchr(p, '"') + 1;
            while (*p && *p != '"') p++;
            continue;
        }
        if (strncmp(p, " runs, ", 7) == 0) { /* the summary's "N runs, T s, R runs/s)" */
            while (*p && *p != ')') p++;
            continue;
        }
        *w++ = *p++;
    }
    *w = '\0';
    return o;
}

/* ---- the wire ---------------------------------------------------------------------- */

static void test_wire_round_trip(void **state) {
    (void)state;
    fl_event ev[2];
    sv_event e0 = {.seq = 1, .time_ns = 5, .kind = SV_EV_CRASH, .sup = "root", .child = "a", .incarnation = 2,
                   .reason = SV_EXIT_PANIC, .err = -5, .detail_ns = 9, .message = "it's \"odd\"\n\x01", .backtrace = "#0 f\n"};
    sv_event e1 = {.seq = 2, .time_ns = 7, .kind = SV_EV_SHUTDOWN, .sup = "root"};
    assert_int_equal(fl_runner_event_copy(&ev[0], &e0), 0);
    assert_int_equal(fl_runner_event_copy(&ev[1], &e1), 0);
    fl_runner_part p = {.err = -2, .hit = true, .interrupted = true, .verbose = "  seed 3: pass\n",
                        .status = FL_SCHED_DIVERGED, .sched_report = "replay diverged at step 4"};
    p.c = (fl_case){.path = "x.scn", .name = "X", .runs = 7, .failed_runs = 3, .time_s = 1.25, .skipped = false,
                    .expect_fail = true, .expect_invariant = "restart_policy", .passed = true, .seed = 1ull << 40,
                    .invariant = "restart_policy", .message = "m\nn", .schedule = "fl1:x", .replay = NULL,
                    .trace = ev, .ntrace = 2, .virtual_ns = -3};
    char *buf;
    size_t len;
    assert_int_equal(fl_runner_part_encode(&p, &buf, &len), 0);
    fl_runner_part q;
    assert_int_equal(fl_runner_part_decode(buf, len, &q), 0);
    assert_int_equal(q.err, -2);
    assert_true(q.hit && q.interrupted);
    assert_string_equal(q.verbose, p.verbose);
    assert_int_equal(q.status, FL_SCHED_DIVERGED);
    assert_string_equal(q.sched_report, p.sched_report);
    assert_string_equal(q.c.path, "x.scn");
    assert_string_equal(q.c.name, "X");
    assert_int_equal(q.c.runs, 7);
    assert_int_equal(q.c.failed_runs, 3);
    assert_true(q.c.time_s == 1.25);
    assert_true(q.c.expect_fail && q.c.passed && !q.c.skipped);
    assert_null(q.c.skip_reason);
    assert_null(q.c.replay);
    assert_string_equal(q.c.message, "m\nn");
    assert_int_equal(q.c.seed, 1ull << 40);
    assert_int_equal(q.c.virtual_ns, -3);
    assert_int_equal(q.c.ntrace, 2);
    assert_int_equal(q.c.trace[0].ev.kind, SV_EV_CRASH);
    assert_int_equal(q.c.trace[0].ev.err, -5);
    assert_int_equal(q.c.trace[0].ev.detail_ns, 9);
    assert_string_equal(q.c.trace[0].ev.message, e0.message);
    assert_string_equal(q.c.trace[0].ev.backtrace, e0.backtrace);
    assert_ptr_equal(q.c.trace[0].ev.child, q.c.trace[0].child);
    assert_null(q.c.trace[1].ev.child);
    /* the same bytes again: encoding is a function of the part */
    char *buf2;
    size_t len2;
    assert_int_equal(fl_runner_part_encode(&q, &buf2, &len2), 0);
    assert_int_equal(len2, len);
    assert_memory_equal(buf2, buf, len);
    free(buf2);
    fl_runner_part_free(&q);
    /* every truncation, a trailing byte, a bad magic: -EPROTO, nothing leaked */
    for (size_t n = 0; n < len; n++) assert_int_equal(fl_runner_part_decode(buf, n, &q), -EPROTO);
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    assert_int_equal(fl_runner_part_decode(longer, len + 1, &q), -EPROTO);
    longer[0] = 'X';
    assert_int_equal(fl_runner_part_decode(longer, len, &q), -EPROTO);
    free(longer);
    free(buf);
    fl_runner_event_clear(&ev[0]);
    fl_runner_event_clear(&ev[1]);
}

/* ---- -j ------------------------------------------------------------------------------ */

static void test_jobs_same_output(void **state) {
    (void)state;
    char *dir = cli_tmp_path("s"), *j1 = cli_tmp_path("j1.json"), *j2 = cli_tmp_path("j2.json");
    char *x1 = cli_tmp_path("j1.xml"), *x2 = cli_tmp_path("j2.xml");
    /* 600 seeds: three items of FL_RUNNER_CHUNK_SEEDS per scenario, merged */
    cli_cap a = CLI("run", dir, "-j", "1", "--seeds", "600", "-v", "--json", j1, "--junit", x1);
    cli_cap b = CLI("run", dir, "-j3", "--seeds", "600", "-v", "--json", j2, "--junit", x2);
    cli_expect_rc(&a, 1, "-j 1");
    cli_expect_rc(&b, 1, "-j 3");
    char *ua = untimed(a.out), *ub = untimed(b.out);
    assert_string_equal(ua, ub);
    assert_non_null(strstr(a.out, "  seed 1: FAIL expectation\n"));
    assert_non_null(strstr(a.out, "  seed 600: pass\n"));
    assert_non_null(strstr(a.out, "faultline: 2 passed, 1 failed (3 scenarios, 1800 runs"));
    free(ua);
    free(ub);
    const char *pairs[][2] = {{j1, j2}, {x1, x2}};
    for (size_t i = 0; i < 2; i++) {
        char *fa = cli_read_file(pairs[i][0]), *fb = cli_read_file(pairs[i][1]);
        ua = untimed(fa);
        ub = untimed(fb);
        assert_string_equal(ua, ub);
        free(ua), free(ub), free(fa), free(fb);
    }
    /* and the same case as the in-process runner over all 600 seeds */
    char *fail = cli_tmp_path("s/a/fail.scn");
    fl_scenario *s = NULL;
    assert_int_equal(fl_scenario_parse_file(fail, &s, NULL), 0);
    fl_runner_opts o = {.seeds = 600, .strategy = -1};
    fl_case k;
    assert_int_equal(fl_runner_case(s, &o, &k), 0);
    char want[1200];
    snprintf(want, sizeof want, "  seed:      %llu (%u of %u runs failed)\n  replay:    %s\n", (unsigned long long)k.seed,
             k.failed_runs, k.runs, k.replay);
    assert_non_null(strstr(a.out, want));
    fl_runner_case_free(&k);
    fl_scenario_free(s);
    cli_cap_free(&a);
    cli_cap_free(&b);
    free(dir), free(j1), free(j2), free(x1), free(x2), free(fail);
}

/* ---- never hang, never die ------------------------------------------------------------ */

static void test_timeout_kills_spinner(void **state) {
    (void)state;
    char *spin = cli_tmp_path("spin/spin.scn"), *good = cli_tmp_path("s/b/good.scn"), *json = cli_tmp_path("spin.json");
    cli_cap c = CLI("run", spin, good, "--timeout", "1s", "-j", "2", "--json", json);
    cli_expect_rc(&c, 1, "spinner");
    assert_non_null(strstr(c.out, "FAIL "));
    assert_non_null(strstr(c.out, "  invariant: timeout\n"));
    assert_non_null(strstr(c.out, "timed out after 1 s in seed 1"));
    assert_non_null(strstr(c.out, "faultline: 1 passed, 1 failed (2 scenarios"));
    /* the replay line follows the choices up to the stuck step */
    char *line = cli_line_after(c.out, "  replay:    ");
    assert_non_null(strstr(line, "replay "));
    assert_non_null(strstr(line, "spin.scn --schedule fl1:random.1."));
    free(line);
    char *j = cli_read_file(json);
    assert_non_null(strstr(j, "\"invariant\": \"timeout\""));
    free(j);
    cli_cap_free(&c);
    free(spin), free(good), free(json);
}

/* --timeout bounds one run, not the child's whole item: a pct scenario is
 * one item of all its seeds, which together outlast the timeout while each
 * run takes milliseconds. It must pass (a loaded CI machine stretches items,
 * not runs). The timeout is 5 s, far above one run even under TSan on a
 * loaded machine (a run there has taken over 500 ms); the seeds make the
 * item outlast it (plain: ~2,700 runs/s; TSan ~30). Skipped when the item
 * ran within the timeout anyway (nothing shown then). */
static void test_timeout_is_per_run(void **state) {
    (void)state;
    const char *fl = getenv("FL_FLAVOUR");
    bool sanitized = fl && strcmp(fl, "plain") != 0;
    char text[512];
    snprintf(text, sizeof text,
             "scenario \"many seeds\"\nrun seeds=%d strategy=pct duration=500ms\n"
             "supervisor root intensity=5 period=5s\n  worker a\n"
             "    work 100ms on 1\n    crash \"boom\" on 1\n"
             "    loop\n      work 50ms\n    end\n", sanitized ? 600 : 16000);
    char *many = cli_write_tmp("many/many.scn", text);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cli_cap c = CLI("run", many, "--timeout", "5s", "-j", "1");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cli_expect_rc(&c, 0, "many short runs");
    assert_null(strstr(c.out, "timeout"));
    cli_cap_free(&c);
    free(many);
    int64_t ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (ms < 5000) skip();
}

static void test_abort_is_a_failed_case(void **state) {
    (void)state;
    char *ab = cli_tmp_path("abort/abort.scn"), *good = cli_tmp_path("s/b/good.scn");
    cli_cap c = CLI("run", good, ab, "-j", "1");
    cli_expect_rc(&c, 1, "abort");
    assert_non_null(strstr(c.out, "  invariant: crash\n"));
    assert_non_null(strstr(c.out, "died of signal 6 (SIGABRT: Aborted) in seed 1"));
    assert_non_null(strstr(c.out, "abort.scn --schedule fl1:random.1."));
    assert_non_null(strstr(c.out, "faultline: 1 passed, 1 failed (2 scenarios"));
    cli_cap_free(&c);
    free(ab), free(good);
}

static void test_walk_loops_and_fifos(void **state) {
    (void)state;
    char *d = cli_tmp_path("walk"), *sub = cli_tmp_path("walk/sub"), *up = cli_tmp_path("walk/sub/up");
    char *fifo = cli_tmp_path("walk/pipe.scn"), *side = cli_tmp_path("walk/side");
    free(cli_write_tmp("walk/sub/one.scn", PASSING));
    assert_int_equal(symlink("..", up), 0);          /* a loop */
    assert_int_equal(symlink("sub", side), 0);       /* the same directory twice */
    assert_int_equal(mkfifo(fifo, 0600), 0);         /* would block the parse */
    cli_cap c = CLI("list", d);
    cli_expect_rc(&c, 0, "list");
    assert_non_null(strstr(c.out, "0\t"));
    assert_null(strstr(c.out, "1\t"));
    assert_non_null(strstr(c.err, "pipe.scn: skipped: not a regular file"));
    assert_non_null(strstr(c.err, "skipped: a symbolic link to a directory already walked"));
    cli_cap_free(&c);
    c = CLI("check", d);
    cli_expect_rc(&c, 0, "check");
    cli_cap_free(&c);
    c = CLI("run", d, "--seeds", "2");
    cli_expect_rc(&c, 0, "run");
    assert_non_null(strstr(c.out, "1 passed, 0 failed (1 scenario, 2 runs"));
    cli_cap_free(&c);
    c = CLI("run", fifo);
    cli_expect_rc(&c, 2, "run fifo");
    assert_non_null(strstr(c.err, "pipe.scn: not a regular file"));
    cli_cap_free(&c);
    free(d), free(sub), free(up), free(fifo), free(side);
}

/* ---- everyday flags ----------------------------------------------------------------------- */

static void test_select_failfast_seed(void **state) {
    (void)state;
    char *dir = cli_tmp_path("s");
    cli_cap c = CLI("list", dir, "-k", "good");
    cli_expect_rc(&c, 0, "list -k");
    assert_null(strstr(c.out, "fail.scn"));
    assert_non_null(strstr(c.out, "0\t"));
    assert_non_null(strstr(c.out, "1\t"));
    cli_cap_free(&c);
    c = CLI("run", dir, "-k", "*/c/*.scn", "-k", "nothing");
    cli_expect_rc(&c, 0, "run -k glob");
    assert_non_null(strstr(c.out, "1 passed, 0 failed (1 scenario,"));
    cli_cap_free(&c);
    c = CLI("run", dir, "-k", "zzz");
    cli_expect_rc(&c, 2, "run -k none");
    assert_non_null(strstr(c.err, "-k selects none of the 3 scenarios"));
    cli_cap_free(&c);
    /* -x: a/fail.scn is first and fails; nothing after it is reported */
    c = CLI("run", dir, "-x", "-j", "2");
    cli_expect_rc(&c, 1, "-x");
    assert_non_null(strstr(c.out, "0 passed, 1 failed, 2 not run (-x: stopped at the first failure) (1 scenario"));
    cli_cap_free(&c);
    /* --seed: exactly that seed */
    c = CLI("run", dir, "-k", "fail", "--seed", "17", "-v");
    cli_expect_rc(&c, 1, "--seed");
    assert_non_null(strstr(c.out, "  seed 17: FAIL expectation\n"));
    assert_non_null(strstr(c.out, "(1 of 1 runs failed)"));
    cli_cap_free(&c);
    /* colour only when asked (stdout here is a file) */
    c = CLI("run", dir, "-k", "good2");
    assert_null(strchr(c.out, '\033'));
    cli_cap_free(&c);
    c = CLI("run", dir, "-k", "good2", "--color=always");
    assert_non_null(strstr(c.out, "\033[32m1 passed"));
    cli_cap_free(&c);
    free(dir);
}

/* ---- replay lines carry the environment --------------------------------------------------- */

static void test_replay_line_env(void **state) {
    (void)state;
    char *fp = cli_tmp_path("fp/fp.scn");
    setenv("FAULTLINE_FAILPOINTS", "app.step=panic(it's env)", 1);
    cli_cap c = CLI("run", fp, "-j", "1");
    cli_expect_rc(&c, 1, "env failpoint");
    char *line = cli_line_after(c.out, "  replay:    ");
    const char *want = "FAULTLINE_FAILPOINTS='app.step=panic(it'\\''s env)' faultline replay ";
    if (strncmp(line, want, strlen(want)) != 0) fail_msg("replay line: %s", line);
    /* run what it says: the same failure, not a divergence */
    char *sched = strstr(line, "--schedule ") + strlen("--schedule ");
    cli_cap r = CLI("replay", fp, "--schedule", sched);
    cli_expect_rc(&r, 1, "replay with env");
    assert_non_null(strstr(r.out, "FAIL "));
    assert_null(strstr(r.out, "DIVERGED"));
    cli_cap_free(&r);
    unsetenv("FAULTLINE_FAILPOINTS");
    r = CLI("replay", fp, "--schedule", sched);
    assert_null(strstr(r.out, "FAIL "));
    cli_cap_free(&r);
    free(line);
    cli_cap_free(&c);
    free(fp);
}

/* A pct rerun line names the k its seed ran with, and --pct-k makes the one
 * seed run with exactly that k: the schedule it records carries it. */
static void test_pct_rerun_names_k(void **state) {
    (void)state;
    char *line = fl_runner__rerun_line("a b.scn", 7, FL_SCHED_STRAT_PCT, 3, 42, 900);
    assert_non_null(line);
    assert_string_equal(line, "faultline run 'a b.scn' --seed 7 --strategy pct --depth 3 --pct-k 42 --budget 900");
    free(line);
    char *f = cli_tmp_path("s/a/fail.scn");
    cli_cap c = CLI("run", f, "--strategy", "pct", "--seed", "5", "--pct-k", "42", "-j", "1");
    cli_expect_rc(&c, 1, "pct with k");
    if (!strstr(c.out, "--schedule fl1:pct.5.3.1a.")) /* k 42, in base 32 */ fail_msg("k not used as given:\n%s", c.out);
    cli_cap_free(&c);
    c = CLI("run", f, "--strategy", "random", "--pct-k", "42");
    cli_expect_rc(&c, 2, "pct-k with random");
    assert_non_null(strstr(c.err, "--pct-k: only for pct runs"));
    cli_cap_free(&c);
    c = CLI("run", f, "--pct-k", "0");
    cli_expect_rc(&c, 2, "pct-k 0");
    cli_cap_free(&c);
    free(f);
}

/* --strategy pos runs the scenario under partial-order sampling: the
 * failure's replay line carries a pos schedule, and replaying it gives the
 * same failure. The rerun line for a pos seed names the strategy. */
static void test_pos_runs_and_replays(void **state) {
    (void)state;
    char *line0 = fl_runner__rerun_line("a.scn", 9, FL_SCHED_STRAT_POS, 0, 0, 0);
    assert_non_null(line0);
    assert_string_equal(line0, "faultline run a.scn --seed 9 --strategy pos");
    free(line0);
    char *f = cli_tmp_path("s/a/fail.scn");
    cli_cap c = CLI("run", f, "--strategy", "pos", "-j", "1");
    cli_expect_rc(&c, 1, "pos");
    char *sched = cli_replay_schedule(c.out, f);
    if (strncmp(sched, "fl1:pos.", 8) != 0) fail_msg("not a pos schedule: %s", sched);
    cli_cap r = CLI("replay", f, "--schedule", sched);
    cli_expect_rc(&r, 1, "replay of a pos schedule");
    assert_non_null(strstr(r.out, "FAIL "));
    assert_null(strstr(r.out, "DIVERGED"));
    cli_cap_free(&r);
    free(sched);
    cli_cap_free(&c);
    free(f);
}

/* ---- interrupts ------------------------------------------------------------------------------ */

static void test_sigint_stops_and_reports(void **state) {
    (void)state;
    char *dir = cli_tmp_path("s"), *json = cli_tmp_path("int.json"), *outp = cli_tmp_path("int.out"),
         *errp = cli_tmp_path("int.err");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *o = fopen(outp, "w"), *e = fopen(errp, "w");
        char *argv[] = {"faultline", "run", dir, "-j", "1", "--seeds", "10000000", "-v", "--json", json, NULL};
        setvbuf(o, NULL, _IONBF, 0);
        setenv("FAULTLINE_PROGRESS_INTERVAL", "0.1", 1); /* a progress line once runs are under way */
        _exit(fl_cli_main(10, argv, o, e));
    }
    /* wait for the run to be under way: its first progress line (at most a
     * minute: then the interrupt is sent anyway, before any run) */
    for (int i = 0; i < 6000; i++) {
        char *e = access(errp, R_OK) == 0 ? cli_read_file(errp) : NULL; /* the child may not have made it yet */
        bool going = e && strstr(e, "faultline: progress: ");
        free(e);
        if (going) break;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGINT);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    char *j = cli_read_file(json), *o = cli_read_file(outp);
    assert_non_null(strstr(j, "\"interrupted\": true"));
    assert_non_null(strstr(o, "faultline: interrupted: "));
    free(j), free(o);
    free(dir), free(json), free(outp), free(errp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_round_trip),
        cmocka_unit_test(test_jobs_same_output),
        cmocka_unit_test(test_timeout_kills_spinner),
        cmocka_unit_test(test_timeout_is_per_run),
        cmocka_unit_test(test_abort_is_a_failed_case),
        cmocka_unit_test(test_walk_loops_and_fifos),
        cmocka_unit_test(test_select_failfast_seed),
        cmocka_unit_test(test_replay_line_env),
        cmocka_unit_test(test_pct_rerun_names_k),
        cmocka_unit_test(test_pos_runs_and_replays),
        cmocka_unit_test(test_sigint_stops_and_reports),
    };
    return cmocka_run_group_tests(tests, setup, cli_teardown);
}
