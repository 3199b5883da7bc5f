/*
 * cli_explore.c — `faultline explore FILE` (fl_cli.h): bounded exhaustive
 * search over one scenario's schedules through fl_runner_explore, with
 * the same failure block and replay line as `run`.
 *
 * Output (stdout): a header line naming the search, the failure block of
 * the first failing schedule (known-bad: a FOUND block for the schedule that
 * violated the expected invariant), then one summary line that always says
 * `complete` or `incomplete`, so a CI log tells a proof from a sample:
 *
 *   faultline: explore F: PASS, complete: 56 schedules (all with at most 2 preemptions), 0 failed, 0.1 s
 *   faultline: explore F: PASS, incomplete: 20000 schedules, --max-runs reached before all with at most 2 preemptions ran; 0 failed, 9.8 s
 *   faultline: explore F: FAIL, complete: 56 schedules (…), 12 failed (violated: expectation), 0.1 s
 */
#include "cli/cli_int.h"

#include "failpoint/fl_failpoint.h"
#include "runner/fl_runner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fl_cli__xprogress {
    FILE *err;
    bool tty;
} fl_cli__xprogress;

static void fl_cli__xprogress_run(void *ud, uint64_t runs, uint64_t failed) {
    fl_cli__xprogress *p = ud;
    if (!p->tty || runs % 64 != 0) return;
    fprintf(p->err, "\r\033[K[explore] %llu schedules, %llu failed", (unsigned long long)runs,
            (unsigned long long)failed);
    fflush(p->err);
}

/* The first line of s, control bytes as \xNN (a crash message must not
 * drive the terminal), " …" when more lines follow. */
static void fl_cli__xline(FILE *out, const char *s) {
    for (; *s && *s != '\n'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f) fprintf(out, "\\x%02x", ch);
        else fputc(ch, out);
    }
    if (*s == '\n' && s[1]) fputs(" \xe2\x80\xa6", out);
}

/* A known-bad scenario's expected failure, found: shown like a failure
 * block, headed FOUND, because its replay line is what the user came for. */
static void fl_cli__found(const fl_case *c, uint64_t runs, FILE *out) {
    fputs("\nFOUND ", out);
    fl_cli__xline(out, c->path);
    if (c->name) {
        fputs(" (", out);
        fl_cli__xline(out, c->name);
        fputc(')', out);
    }
    fprintf(out, "\n  invariant: %s (expected: known-bad scenario)\n", c->invariant ? c->invariant : "?");
    if (c->message) {
        fputs("  message:   ", out);
        fl_cli__xline(out, c->message);
        fputc('\n', out);
    }
    fprintf(out, "  seed:      %llu (schedule %llu of the search)\n", (unsigned long long)c->seed,
            (unsigned long long)runs);
    if (c->replay) {
        fputs("  replay:    ", out);
        fl_cli__xline(out, c->replay);
        fputc('\n', out);
    }
}

int fl_cli_explore(const fl_cli_args *c, FILE *out, FILE *err) {
    fl_scenario *s = NULL;
    fl_lex_diag d = {0};
    if (fl_fp_env_check(&d) != 0) {
        fprintf(err, "%s\n", d.text[0] ? d.text : "faultline: FAULTLINE_FAILPOINTS is malformed");
        return FL_CLI_EXIT_USAGE;
    }
    if (fl_scenario_parse_file(c->paths[0], &s, &d) < 0) {
        fprintf(err, "%s\n", d.text[0] ? d.text : c->paths[0]);
        return FL_CLI_EXIT_USAGE;
    }
    if (fl_cli__check_workers(s, err)) {
        fl_scenario_free(s);
        return FL_CLI_EXIT_USAGE;
    }
    uint32_t bound = c->bound_set ? c->bound : FL_RUNNER_EXPLORE_BOUND;
    uint64_t max_runs = c->max_runs ? c->max_runs : FL_RUNNER_EXPLORE_MAX_RUNS;
    fl_cli__xprogress pg = {.err = err, .tty = isatty(fileno(err)) == 1};
    fl_runner_explore_opts o = {.bound = bound, .max_runs = max_runs, .budget = c->budget, .no_reduction = c->no_reduce,
                                .no_dpor = c->no_dpor,
                                .progress = fl_cli__xprogress_run, .progress_ud = &pg};
    fl_runner_explore_result res;
    fl_case k;
    fprintf(out, "exploring %s: every schedule with at most %u preemption%s (world seed %llu, at most %llu schedules)\n",
            s->path, bound, bound == 1 ? "" : "s", (unsigned long long)s->run.seed, (unsigned long long)max_runs);
    fflush(out);
    int r = fl_runner_explore(s, &o, &res, &k);
    if (pg.tty) fputs("\r\033[K", err);
    int rc;
    if (r < 0) {
        fprintf(err, "faultline: explore %s: %s\n", s->path, k.message ? k.message : strerror(-r));
        if (r == -EPROTO)
            fputs("faultline: explore needs a scenario that behaves the same on the same schedule "
                  "(no real clock, no unseeded randomness, no threads outside the seam)\n", err);
        rc = FL_CLI_EXIT_USAGE;
        goto done;
    }
    if (res.found) fl_cli__found(&k, res.runs, out);
    fl_suite suite = {.name = "faultline", .strategy = "dfs", .cases = &k, .ncases = 1,
                      .seed_lo = res.world_seed, .seed_hi = res.world_seed + 1, .time_s = k.time_s};
    fl_report_failures(&suite, out);
    char extent[160];
    if (res.complete)
        snprintf(extent, sizeof extent, "complete: %llu schedule%s (all with at most %u preemption%s)",
                 (unsigned long long)res.runs, res.runs == 1 ? "" : "s", bound, bound == 1 ? "" : "s");
    else if (res.found)
        snprintf(extent, sizeof extent, "incomplete: stopped at schedule %llu, the first that fails %s",
                 (unsigned long long)res.runs, k.expect_invariant);
    else
        snprintf(extent, sizeof extent, "incomplete: %llu schedules, --max-runs reached before all with at most %u preemption%s ran",
                 (unsigned long long)res.runs, bound, bound == 1 ? "" : "s");
    /* the failure set, to compare searches (e.g. against --no-reduce) */
    char viol[256] = "";
    size_t vl = 0;
    for (int i = 0; i < FL_ORACLE_INV_COUNT && vl + 40 < sizeof viol; i++)
        if (res.invariants & (1u << i))
            vl += (size_t)snprintf(viol + vl, sizeof viol - vl, "%s%s", vl ? " " : " (violated: ", fl_oracle_inv_name(i));
    if (vl) snprintf(viol + vl, sizeof viol - vl, ")");
    bool fail_incomplete = k.passed && c->require_complete && !res.complete && !res.found;
    rc = !k.passed || fail_incomplete ? FL_CLI_EXIT_FAIL : FL_CLI_EXIT_OK;
    fprintf(out, "faultline: explore %s: %s%s, %s; %llu failed%s, %.1f s\n", s->path, rc ? "FAIL" : "PASS",
            k.expect_fail ? (res.found ? " (known-bad: failed as expected)" : " (known-bad: did not fail as expected)") : "",
            extent, (unsigned long long)res.failed, viol, k.time_s);
    if (fail_incomplete)
        fputs("faultline: explore: --require-complete: the search is incomplete (raise --max-runs or lower --bound)\n", out);
done:
    fl_runner_case_free(&k);
    fl_scenario_free(s);
    return rc;
}
