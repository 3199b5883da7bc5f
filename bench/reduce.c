/*
 * bench/reduce — explore's sleep-set reduction on the scenario suite
 * (issue 12, item 2): schedules to a complete bound 1 and bound 2, reduced
 * against unreduced, on the planted programs as suite scenarios (the
 * known-bad ones with their `expect fail` line dropped, so the search goes
 * on past the first failure and counts every schedule; their fixed twins
 * in scenarios/planted, NAME_ok.scn) and on suite scenarios of libsv itself
 * (two known-bad ones among them: libsv with a planted failpoint, failing
 * on every schedule, so the failure sets are compared there too).
 * Both searches run in this process, one after the other; the figure is a
 * count, not a time, so it is exact and reproducible. A failure set (the
 * invariants some run violated) that differs between the two complete
 * searches is a bench failure (exit 1): the reduction must lose nothing.
 * Target: ratio <= 1 (the reduced search never runs more). Bound 2 on four
 * of them (about a minute, on an idle machine). Symmetry: 8 identical
 * workers (tests/exec/identical.c, built into BUILD/exec-progs when
 * missing) at bound 0, and 3 with a lost update at bounds 1 and 2, through
 * `faultline exec --explore` with and without --symmetric (the failure must
 * be found both ways). --quick: bound 1 on two scenarios, 8 workers at
 * bound 0 capped at 200.
 */
#include "bench.h"
#include "runner/fl_runner.h"
#include "world/fl_world.h"

#include <unistd.h>

/* path relative to scenarios/; known-bad ones get their expect line dropped */
static const char *const br_scenarios[] = {
    "planted/lost_update_ok.scn",         "planted/lock_order_ok.scn",
    "planted/missed_wakeup_ok.scn",       "planted/early_restart_ok.scn",
    "known-bad/planted_lost_update.scn",  "known-bad/planted_lock_order.scn",
    "known-bad/planted_missed_wakeup.scn", "known-bad/planted_early_restart.scn",
    "races/stop_during_restart.scn",      "backoff/delays_restart.scn",
    "simple/instances_stop_in_reverse_order.scn",
    "known-bad/double_restart.scn",       "known-bad/crash_not_logged.scn",
};

/* scenarios/rel, parsed; a known-bad one without its `expect fail` line
 * (a copy in tmpdir). NULL on error (reported). */
static fl_scenario *br_load(const char *rel, const char *tmpdir)
{
    char src[512], path[640];
    snprintf(src, sizeof src, "scenarios/%s", rel);
    snprintf(path, sizeof path, "%s", src);
    if (strncmp(rel, "known-bad/", 10) == 0) {
        FILE *in = fopen(src, "r");
        snprintf(path, sizeof path, "%s/%s", tmpdir, strrchr(rel, '/') + 1);
        FILE *out = in ? fopen(path, "w") : NULL;
        if (!bn_check(in && out, "%s: cannot copy to %s", src, path)) {
            if (in) fclose(in);
            return NULL;
        }
        char line[1024];
        while (fgets(line, sizeof line, in))
            if (strncmp(line, "expect fail", 11) != 0) fputs(line, out);
        fclose(in);
        fclose(out);
    }
    fl_scenario *s = NULL;
    fl_lex_diag d = {0};
    if (!bn_check(fl_scenario_parse_file(path, &s, &d) == 0, "%s: %s", path, d.text)) return NULL;
    return s;
}

/* r[0]: unreduced; r[1]: sleep sets; r[2]: sleep sets + DPOR */
static void br_row(const bn_args *a, const char *rel, const char *tmpdir, uint32_t bound)
{
    fl_scenario *s = br_load(rel, tmpdir);
    if (!s) return;
    fl_runner_explore_result r[3];
    for (int red = 0; red < 3; red++) {
        fl_runner_explore_opts o = { .bound = bound, .max_runs = 200000, .no_reduction = red == 0,
                                     .no_dpor = red == 1 };
        fl_case c;
        int rc = fl_runner_explore(s, &o, &r[red], &c);
        bn_check(rc == 0, "%s bound %u: explore %d: %s", rel, bound, rc, c.message ? c.message : "");
        fl_runner_case_free(&c);
        if (rc != 0) {
            fl_scenario_free(s);
            return;
        }
    }
    fl_scenario_free(s);
    fprintf(stderr, "%s bound %u: %llu schedules with sleep sets + dpor%s, %llu with sleep sets%s, %llu unreduced%s, "
            "failure sets %#x / %#x / %#x\n", rel, bound, (unsigned long long)r[2].runs,
            r[2].complete ? "" : " (incomplete)", (unsigned long long)r[1].runs, r[1].complete ? "" : " (incomplete)",
            (unsigned long long)r[0].runs, r[0].complete ? "" : " (incomplete)", r[2].invariants, r[1].invariants,
            r[0].invariants);
    for (int red = 1; red < 3; red++) {
        if (r[0].complete && r[red].complete)
            bn_check(r[0].invariants == r[red].invariants, "%s bound %u: %s and unreduced found different failures",
                     rel, bound, red == 2 ? "dpor" : "sleep sets");
        char id[128], fig[200], ot[64], rt[64];
        snprintf(id, sizeof id, "reduce.%sb%u.%s", red == 2 ? "dpor." : "", bound, rel);
        snprintf(fig, sizeof fig, "%s: schedules to complete bound %u, %s vs none%s", rel, bound,
                 red == 2 ? "sleep sets + dpor" : "sleep sets", r[red].invariants ? " (same failures)" : "");
        snprintf(ot, sizeof ot, "%llu%s", (unsigned long long)r[red].runs, r[red].complete ? "" : "+ (cap)");
        snprintf(rt, sizeof rt, "%llu%s", (unsigned long long)r[0].runs, r[0].complete ? "" : "+ (cap)");
        bn_row(a, id, fig, (double)r[red].runs, ot, (double)r[0].runs, rt, (double)r[red].runs / (double)r[0].runs,
               NULL, BN_LE, 1.0);
    }
}

/* ---- symmetry: tests/exec/identical.c through `faultline exec --explore` ---- */

/* Run the CLI (build/faultline) on identical ARGS at bound with cap, with
 * or without --symmetric; *runs, *complete, *failed from its summary line,
 * *abort when a failing schedule died of the assert (SIGABRT). False when
 * it did not run or printed no summary. */
static bool br_exec(const char *build, const char *prog, const char *args, uint32_t bound, uint64_t cap, bool sym,
                    uint64_t *runs, bool *complete, uint64_t *failed, bool *abrt)
{
    char cmd[1024], line[1024];
    snprintf(cmd, sizeof cmd, "%s/faultline exec --explore %s--keep-going --bound %u --max-runs %llu -- %s %s 2>&1",
             build, sym ? "--symmetric " : "", bound, (unsigned long long)cap, prog, args);
    FILE *p = popen(cmd, "r");
    if (!p) return false;
    bool got = false;
    *abrt = false;
    while (fgets(line, sizeof line, p)) {
        if (strstr(line, "killed by signal 6")) *abrt = true;
        const char *m = strstr(line, "schedules, ");
        const char *b = strstr(line, ", bound ");
        if (strncmp(line, "faultline exec --explore: ", 26) != 0 || !m || !b) continue;
        const char *c = strchr(b + 8, ':');
        unsigned long long n = 0, f = 0;
        if (!c || sscanf(c + 1, " %llu", &n) != 1) continue;
        const char *fl = strrchr(line, ',');
        if (!fl || sscanf(fl + 1, " %llu failed", &f) != 1) continue;
        *runs = n;
        *failed = f;
        *complete = strncmp(m + 11, "complete", 8) == 0;
        got = true;
    }
    pclose(p);
    return got;
}

static void br_symmetry(const bn_args *a, const char *build, const char *args, uint32_t bound, uint64_t cap)
{
    char prog[600], cmd[1400];
    snprintf(prog, sizeof prog, "%s/exec-progs/identical", build);
    if (access(prog, X_OK) != 0) {
        snprintf(cmd, sizeof cmd, "mkdir -p %s/exec-progs && cc -std=c11 -D_GNU_SOURCE -O1 -pthread "
                 "tests/exec/identical.c -o %s", build, prog);
        if (!bn_check(system(cmd) == 0, "cannot build %s", prog)) return;
    }
    uint64_t runs[2], failed[2];
    bool complete[2], abrt[2];
    for (int sym = 0; sym < 2; sym++)
        if (!bn_check(br_exec(build, prog, args, bound, cap, sym, &runs[sym], &complete[sym], &failed[sym], &abrt[sym]),
                      "identical %s bound %u: faultline exec printed no summary", args, bound))
            return;
    fprintf(stderr, "identical %s bound %u: %llu schedules symmetric%s, %llu without%s; failed %llu / %llu\n", args,
            bound, (unsigned long long)runs[1], complete[1] ? "" : " (incomplete)", (unsigned long long)runs[0],
            complete[0] ? "" : " (incomplete)", (unsigned long long)failed[1], (unsigned long long)failed[0]);
    if (complete[0] && complete[1])
        bn_check((failed[0] > 0) == (failed[1] > 0) && abrt[0] == abrt[1],
                 "identical %s bound %u: symmetric and plain searches found different failures", args, bound);
    char id[96], fig[200], ot[64], rt[64];
    snprintf(id, sizeof id, "reduce.sym.b%u.identical_%s", bound, args);
    for (char *q = id; *q; q++)
        if (*q == ' ') *q = '_';
    snprintf(fig, sizeof fig, "identical %s (exec): schedules to complete bound %u, --symmetric vs not", args, bound);
    snprintf(ot, sizeof ot, "%llu%s", (unsigned long long)runs[1], complete[1] ? "" : "+ (cap)");
    snprintf(rt, sizeof rt, "%llu%s", (unsigned long long)runs[0], complete[0] ? "" : "+ (cap)");
    bn_row(a, id, fig, (double)runs[1], ot, (double)runs[0], rt, (double)runs[1] / (double)runs[0], NULL, BN_LE, 1.0);
}

int main(int argc, char **argv)
{
    bn_args a = bn_parse_args(argc, argv, "explore's reduction on the scenario suite");
    fl_world_builtin_register();
    char tmpdir[] = "/tmp/fl_bench_reduce.XXXXXX";
    if (!bn_check(mkdtemp(tmpdir) != NULL, "mkdtemp failed")) return bn_finish();
    size_t n = sizeof br_scenarios / sizeof *br_scenarios;
    /* bound 1: all; bound 2 (tens of thousands of runs each): the two
     * twins with the largest trees, a known-bad one, a libsv scenario */
    static const bool b2[] = { true, true, false, false, true, false, false, false, true, false, false, false, false };
    _Static_assert(sizeof b2 / sizeof *b2 == sizeof br_scenarios / sizeof *br_scenarios, "one flag per scenario");
    for (uint32_t bound = 1; bound <= (a.quick ? 1u : 2u); bound++)
        for (size_t i = 0; i < n; i++) {
            if ((a.quick && i != 0 && i != 4) || (bound == 2 && !b2[i])) continue;
            br_row(&a, br_scenarios[i], tmpdir, bound);
        }
    const char *build = getenv("BENCH_BUILD");
    if (!build || !*build) build = getenv("BUILD");
    if (!build || !*build) build = "build";
    br_symmetry(&a, build, "8", 0, a.quick ? 200 : 3000);
    if (!a.quick) {
        br_symmetry(&a, build, "3 split", 1, 20000);
        br_symmetry(&a, build, "3 split", 2, 20000);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return bn_finish();
}
