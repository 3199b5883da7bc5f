/*
 * test_exec_shrink.c — shrink's last phase (the fewest preemptions, by
 * bounded search) across the process boundary: every attempt runs in a
 * child process, which records its steps for the search (fl_explore_rec)
 * and reports its run to shrink (fl_explore_shrink_report).
 *
 *   1. `faultline exec --shrink` on examples/pthread's lost_update and
 *      lock_order (each bug needs one preemption), from the failing
 *      schedule of a random seed (many preemptions), ends at 1 preemption
 *      with the minimum proven; the shrunk schedule replays to the same
 *      failure, byte for byte, and its replay line is that schedule;
 *   2. the same for a scenario with a user worker (examples/pthread/
 *      lost_update.scn, run by build/examples/pthread_workers) through
 *      `faultline shrink`: a crash stays a crash;
 *   3. with a run budget too small for the search (--max-runs), both say
 *      plainly that it stopped early and claim no minimum, and what they
 *      print still fails the same way.
 *
 * The exec half compiles the two programs with cc into a temporary
 * directory. Everything runs under the plain build only, as the stages that
 * drive these programs do (mk/stage-exec.sh, mk/stage-examples.sh): the
 * exec runtime is compiled out of sanitizer builds, and under ASan the
 * scenario's 500 seeds of lost_update all pass (measured), so there is no
 * failure to shrink. Paths are relative to the repository root, where make
 * test runs the binaries; pthread_workers is found beside this binary's
 * build directory (../examples/). No timing is asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define XS_PLAIN_ONLY 1
#else
#define XS_PLAIN_ONLY 0
#endif

static int xs_setup(void **state) {
    (void)state;
    if (cli_tmpdir_make("fl_test_xshrink") < 0) return -1;
    if (XS_PLAIN_ONLY) return 0;
    static const char *const progs[] = {"lost_update", "lock_order"};
    for (size_t i = 0; i < 2; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "cc -std=c11 -D_GNU_SOURCE -g -O1 -pthread examples/pthread/%s.c -o '%s/%s'", progs[i],
                 cli_tmpdir(), progs[i]);
        if (system(cmd) != 0) return -1;
    }
    return 0;
}

/* "A -> B" after prefix in text: *a, *b. */
static void xs_arrow(const char *text, const char *prefix, unsigned long long *a, unsigned long long *b) {
    char *line = cli_line_after(text, prefix);
    if (sscanf(line, "%llu -> %llu", a, b) != 2) fail_msg("'%s%s': expected 'A -> B'", prefix, line);
    free(line);
}

/* The S of "... --schedule S -- PROG" (exec) or "... --schedule S" (replay), malloc'd. */
static char *xs_schedule(const char *line) {
    const char *p = strstr(line, "--schedule ");
    if (!p) fail_msg("no --schedule in '%s'", line);
    p += strlen("--schedule ");
    char *s = strndup(p, strcspn(p, " \n"));
    assert_non_null(s);
    return s;
}

/* ---- faultline exec --shrink ------------------------------------------------------- */

/* The failing schedule of `faultline exec --seeds 200 -- PROG` (random). */
static char *xs_exec_failure(const char *prog, const char *kind) {
    cli_cap c = CLI("exec", "--seeds", "200", "--", prog);
    cli_expect_rc(&c, 1, "exec finds the bug");
    if (!strstr(c.out, kind)) fail_msg("expected '%s' in:\n%s", kind, c.out);
    char *line = cli_line_after(c.out, "  replay:    ");
    char *s = xs_schedule(line);
    free(line);
    cli_cap_free(&c);
    return s;
}

/* Replay s of prog twice: exit 1, kind, byte-identical, and the replay
 * line is s itself. */
static void xs_exec_replays(const char *prog, const char *s, const char *kind) {
    cli_cap r1 = CLI("exec", "--schedule", s, "--", prog);
    cli_cap r2 = CLI("exec", "--schedule", s, "--", prog);
    cli_expect_rc(&r1, 1, "the shrunk schedule fails");
    if (!strstr(r1.out, kind)) fail_msg("the shrunk schedule does not fail as '%s':\n%s", kind, r1.out);
    assert_string_equal(r1.out, r2.out);
    char *line = cli_line_after(r1.out, "  replay:    ");
    char *again = xs_schedule(line);
    assert_string_equal(again, s);
    free(again);
    free(line);
    cli_cap_free(&r1);
    cli_cap_free(&r2);
}

/* `faultline exec --shrink [--max-runs N]` of the failing schedule of a
 * random seed of prog NAME: *before and *after its preemptions, the shrunk
 * schedule checked to replay (xs_exec_replays); its minimum line, malloc'd. */
static char *xs_exec_shrink(const char *name, const char *kind, const char *max_runs, unsigned long long *before,
                            unsigned long long *after) {
    char *prog = cli_tmp_path(name);
    char *s = xs_exec_failure(prog, kind);
    cli_cap c = max_runs ? CLI("exec", "--shrink", "--max-runs", max_runs, "--schedule", s, "--", prog)
                         : CLI("exec", "--shrink", "--schedule", s, "--", prog);
    cli_expect_rc(&c, 1, "exec --shrink");
    xs_arrow(c.out, "  preemptions: ", before, after);
    char *min = cli_line_after(c.out, "  minimum:     ");
    char *line = cli_line_after(c.out, "  replay:      ");
    char *s2 = xs_schedule(line);
    xs_exec_replays(prog, s2, kind);
    free(s2);
    free(line);
    cli_cap_free(&c);
    free(s);
    free(prog);
    return min;
}

static void xs_exec_min(const char *name, const char *kind) {
    if (XS_PLAIN_ONLY) skip();
    unsigned long long before, after;
    char *min = xs_exec_shrink(name, kind, NULL, &before, &after);
    if (before <= 1 || after != 1) fail_msg("%s: preemptions %llu -> %llu, want more than 1 -> 1", name, before, after);
    if (strncmp(min, "1 preemption, proven:", 21) != 0) fail_msg("%s: minimum not proven: %s", name, min);
    free(min);
}

static void test_exec_shrink_lost_update_proven(void **state) {
    (void)state;
    xs_exec_min("lost_update", "killed by signal 6");
}

static void test_exec_shrink_lock_order_proven(void **state) {
    (void)state;
    xs_exec_min("lock_order", ": deadlock");
}

static void test_exec_shrink_says_stopped_early(void **state) {
    (void)state;
    if (XS_PLAIN_ONLY) skip();
    unsigned long long before, after;
    char *min = xs_exec_shrink("lost_update", "killed by signal 6", "30", &before, &after);
    if (!strstr(min, "not proven: the search stopped early") || strstr(min, ", proven"))
        fail_msg("budget of 30: expected a plain 'stopped early', got: %s", min);
    free(min);
}

/* ---- faultline shrink of a scenario with a user worker ------------------------------ */

#define XS_SCN "examples/pthread/lost_update.scn"

/* build/examples/pthread_workers, beside this binary's tests/ directory. */
static void xs_workers(char *buf, size_t cap) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    assert_non_null(slash);
    *slash = '\0';
    if ((size_t)snprintf(buf, cap, "%.*s/../examples/pthread_workers", (int)(cap > 64 ? cap - 64 : 0), exe) >= cap)
        fail_msg("path too long: %s", exe);
    if (access(buf, X_OK) != 0) fail_msg("%s not built (make all builds it)", buf);
}

/* `pthread_workers ARGS` (stderr dropped): its stdout, malloc'd; *rc its exit status. */
static char *xs_workers_run(const char *args, int *rc) {
    char w[PATH_MAX], cmd[PATH_MAX + 4096];
    xs_workers(w, sizeof w);
    snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", w, args);
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    assert_non_null(m);
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0) fwrite(buf, 1, k, m);
    fclose(m);
    int st = pclose(p);
    *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

/* The failing schedule `run` prints for the scenario (its own seeds, pct). */
static char *xs_scn_failure(void) {
    int rc;
    char *out = xs_workers_run("run " XS_SCN, &rc);
    if (rc != 1) fail_msg("run %s: exit %d, want 1:\n%s", XS_SCN, rc, out);
    char *line = cli_line_after(out, "  replay:    ");
    char *s = xs_schedule(line);
    free(line);
    free(out);
    return s;
}

/* Replay s twice: exit 1, a crash, byte-identical, its replay line s. */
static void xs_scn_replays(const char *s) {
    char args[4096];
    snprintf(args, sizeof args, "replay " XS_SCN " --schedule '%s'", s);
    int rc1, rc2;
    char *r1 = xs_workers_run(args, &rc1), *r2 = xs_workers_run(args, &rc2);
    if (rc1 != 1 || !strstr(r1, "FAIL " XS_SCN " (seed ") || !strstr(r1, "): crash\n"))
        fail_msg("the shrunk schedule does not crash (exit %d):\n%s", rc1, r1);
    assert_int_equal(rc2, 1);
    assert_string_equal(r1, r2);
    char *line = cli_line_after(r1, "replay: ");
    char *again = xs_schedule(line);
    assert_string_equal(again, s);
    free(again);
    free(line);
    free(r1);
    free(r2);
}

/* `faultline shrink [--max-runs N]` of the failing schedule `run` prints:
 * *before and *after its preemptions, the shrunk schedule checked to replay
 * (xs_scn_replays); its minimum line, malloc'd. */
static char *xs_scn_shrink(const char *max_runs, unsigned long long *before, unsigned long long *after) {
    char *s = xs_scn_failure();
    char args[4096];
    snprintf(args, sizeof args, "shrink " XS_SCN " %s%s --schedule '%s'", max_runs ? "--max-runs " : "",
             max_runs ? max_runs : "", s);
    int rc;
    char *out = xs_workers_run(args, &rc);
    if (rc != 0) fail_msg("%s: exit %d:\n%s", args, rc, out);
    assert_non_null(strstr(out, "it fails crash on the given schedule"));
    xs_arrow(out, "preemptions ", before, after);
    char *min = cli_line_after(out, "minimum: ");
    char *line = cli_line_after(out, "pthread_workers replay ");
    char *s2 = xs_schedule(line);
    xs_scn_replays(s2);
    free(s2);
    free(line);
    free(out);
    free(s);
    return min;
}

static void test_shrink_user_worker_proven(void **state) {
    (void)state;
    if (XS_PLAIN_ONLY) skip();
    unsigned long long before, after;
    char *min = xs_scn_shrink(NULL, &before, &after);
    if (before <= 1 || after != 1) fail_msg("preemptions %llu -> %llu, want more than 1 -> 1", before, after);
    if (strncmp(min, "1 preemption, proven:", 21) != 0) fail_msg("minimum not proven: %s", min);
    free(min);
}

static void test_shrink_user_worker_says_stopped_early(void **state) {
    (void)state;
    if (XS_PLAIN_ONLY) skip();
    unsigned long long before, after;
    char *min = xs_scn_shrink("20", &before, &after);
    if (!strstr(min, "not proven: the search stopped early") || strstr(min, ", proven"))
        fail_msg("budget of 20: expected a plain 'stopped early', got: %s", min);
    free(min);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_shrink_lost_update_proven),
        cmocka_unit_test(test_exec_shrink_lock_order_proven),
        cmocka_unit_test(test_exec_shrink_says_stopped_early),
        cmocka_unit_test(test_shrink_user_worker_proven),
        cmocka_unit_test(test_shrink_user_worker_says_stopped_early),
    };
    return cmocka_run_group_tests(tests, xs_setup, cli_teardown);
}
