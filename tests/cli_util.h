/*
 * cli_util.h — shared by the tests that drive the `faultline` command and
 * the runner end to end (tests/test_cli.c, test_planted_cli.c,
 * test_explore.c, test_runner.c). Header-only (static functions): each test
 * binary includes it once.
 *
 * CLI("run", path, ...) runs fl_cli_main("faultline", args...) with stdout
 * and stderr captured through tmpfile()s (real files, as a user's shell would
 * see them: not a tty, so no progress line) into a cli_cap; the caller frees
 * it with cli_cap_free. Every helper fails the test (cmocka) rather than
 * return an error, except cli_tmpdir_make, which is a group setup step.
 *
 * The temporary directory: cli_tmpdir_make("fl_test_x") in the group setup
 * creates /tmp/fl_test_x.XXXXXX; cli_teardown (a cmocka group teardown)
 * removes it with everything in it. cli_tmp_path/cli_write_tmp/
 * cli_copy_without_expect_fail name files inside it and return malloc'd
 * paths the caller frees.
 *
 * Scenario files of the repository are read from FL_SCENARIO_DIR, else
 * ./scenarios (make test runs the binaries from the repository root).
 */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli/fl_cli.h"
#include "scenario/fl_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* argv slots, "faultline" and the terminating NULL included */
#define CLI_ARGV_MAX 40

/* ---- running the command ----------------------------------------------------- */

typedef struct cli_cap {
    int rc;
    char *out, *err; /* malloc'd, NUL-terminated */
} cli_cap;

/* All of f (written, or opened for reading) as a malloc'd NUL-terminated
 * string; closes f. */
static inline char *cli_read_all(FILE *f) {
    assert_non_null(f);
    assert_int_equal(fflush(f), 0);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The contents of the file at path, malloc'd; fails the test if it cannot
 * be opened. */
static inline char *cli_read_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    return cli_read_all(f);
}

/* argv = {"faultline", first, the rest of ap up to NULL, NULL}; returns
 * argc. argv has CLI_ARGV_MAX slots. */
static inline int cli_argv_va(char **argv, const char *first, va_list ap) {
    int argc = 0;
    argv[argc++] = "faultline";
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        assert_true(argc < CLI_ARGV_MAX - 1);
        argv[argc++] = (char *)a;
    }
    argv[argc] = NULL;
    return argc;
}

/* fl_cli_main("faultline", first, ..., NULL) with out and err captured. */
static inline cli_cap cli_run(const char *first, ...) {
    char *argv[CLI_ARGV_MAX];
    va_list ap;
    va_start(ap, first);
    int argc = cli_argv_va(argv, first, ap);
    va_end(ap);
    FILE *o = tmpfile(), *e = tmpfile();
    assert_non_null(o);
    assert_non_null(e);
    cli_cap c;
    c.rc = fl_cli_main(argc, argv, o, e);
    c.out = cli_read_all(o);
    c.err = cli_read_all(e);
    return c;
}
#define CLI(...) cli_run(__VA_ARGS__, (const char *)NULL)

static inline void cli_cap_free(cli_cap *c) {
    free(c->out);
    free(c->err);
}

/* Asserts the exit status; first prints the command's output (labelled
 * what) when it is not want. */
static inline void cli_expect_rc(const cli_cap *c, int want, const char *what) {
    if (c->rc != want) fprintf(stderr, "--- %s: exit %d\n--- stdout:\n%s--- stderr:\n%s---\n", what, c->rc, c->out, c->err);
    assert_int_equal(c->rc, want);
}

/* ---- reading its output ------------------------------------------------------- */

/* The rest of the first line of text that starts with prefix (at a line
 * start), malloc'd; fails the test when there is none. */
static inline char *cli_line_after(const char *text, const char *prefix) {
    size_t pl = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, pl) == 0) {
            char *s = strndup(p + pl, strcspn(p + pl, "\n"));
            assert_non_null(s);
            return s;
        }
    fail_msg("no line starting with '%s' in:\n%s", prefix, text);
    return NULL;
}

/* The S of a "faultline replay PATH --schedule S" line, which must name
 * path; malloc'd. */
static inline char *cli_schedule_of(const char *line, const char *path) {
    char want[600];
    snprintf(want, sizeof want, "faultline replay %s --schedule ", path);
    if (strncmp(line, want, strlen(want)) != 0) fail_msg("replay line '%s' does not start with '%s'", line, want);
    char *s = strdup(line + strlen(want));
    assert_non_null(s);
    return s;
}

/* The schedule of out's "  replay:    faultline replay PATH --schedule S"
 * line, which must name path; malloc'd. */
static inline char *cli_replay_schedule(const char *out, const char *path) {
    char *line = cli_line_after(out, "  replay:    ");
    char *s = cli_schedule_of(line, path);
    free(line);
    return s;
}

/* ---- files ---------------------------------------------------------------------- */

static inline const char *cli_scenario_dir(void) {
    const char *d = getenv("FL_SCENARIO_DIR");
    return d ? d : "scenarios";
}

/* The test's temporary directory (empty until cli_tmpdir_make). */
static inline char *cli_tmpdir(void) {
    static char dir[256];
    return dir;
}

/* Creates /tmp/NAME.XXXXXX as the temporary directory: 0, or -1 if it
 * cannot. For a cmocka group setup. */
static inline int cli_tmpdir_make(const char *name) {
    char *d = cli_tmpdir();
    snprintf(d, 256, "/tmp/%s.XXXXXX", name);
    return mkdtemp(d) ? 0 : -1;
}

/* cmocka group teardown: removes the temporary directory and its files. */
static inline int cli_teardown(void **state) {
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cli_tmpdir());
    return system(cmd) == 0 ? 0 : -1;
}

/* tmpdir/rel, malloc'd. */
static inline char *cli_tmp_path(const char *rel) {
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", cli_tmpdir(), rel) > 0);
    return p;
}

/* tmpdir/rel holding text (its directories made as needed); malloc'd path. */
static inline char *cli_write_tmp(const char *rel, const char *text) {
    char *p = cli_tmp_path(rel);
    for (char *s = p + strlen(cli_tmpdir()) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0777);
        *s = '/';
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return p;
}

/* src copied to tmpdir/name without its `expect fail` lines: the scenario as
 * its user wrote it, before filing it under known-bad. *ndropped = how many
 * lines were dropped (the caller asserts on it). Returns the malloc'd path. */
static inline char *cli_copy_without_expect_fail(const char *src, const char *name, int *ndropped) {
    FILE *in = fopen(src, "r");
    if (!in) fail_msg("cannot open %s (run from the repository root or set FL_SCENARIO_DIR)", src);
    char *dst = cli_tmp_path(name);
    FILE *out = fopen(dst, "w");
    assert_non_null(out);
    char line[1024];
    *ndropped = 0;
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "expect fail ", 12) == 0) ++*ndropped;
        else fputs(line, out);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    return dst;
}

/* ---- scenarios in memory ---------------------------------------------------------- */

/* text parsed as a scenario file called name; fails the test (printing the
 * diagnostic) unless it parses. The caller frees it with fl_scenario_free. */
static inline fl_scenario *cli_parse_scenario(const char *name, const char *text) {
    fl_scenario *s = NULL;
    fl_lex_diag d = {0};
    int r = fl_scenario_parse_str(name, text, strlen(text), &s, &d);
    if (r != 0) fprintf(stderr, "%s\n", d.text);
    assert_int_equal(r, 0);
    return s;
}

#endif
