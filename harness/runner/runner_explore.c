/*
 * runner_explore.c — bounded exhaustive search over a scenario's schedules
 * (fl_runner_explore, runner.h): fl_explore_run drives the runner's phases.
 *
 * Per schedule: the world was built (fl_runner__begin) before the run;
 * fl_explore_run runs fl_runner__main under its DFS prefix; the check callback
 * judges the run exactly as fl_runner_run does (fl_runner__judge), keeps it
 * in the case when it is the one to show, and builds the next run's world —
 * so every run starts from the same state, as fl_explore_run requires. The
 * world seed is the same for every run and is written into the kept
 * schedule, whose SEED field the runner's replay takes as the world seed.
 *
 * Runs on one uncontrolled thread; fl_explore_run calls check on it too.
 */
#include "runner/runner_int.h"

#include "explore/fl_explore.h"
#include "sched/fl_sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct fl_runner__x {
    const fl_scenario *s;
    const fl_runner_explore_opts *o;
    uint64_t seed;
    int want;                   /* expected invariant (known-bad), or -1 */
    fl_runner__ctx ctx;         /* the next run, begun */
    fl_runner_out out;             /* its result, being filled */
    fl_case *c;
    fl_runner_explore_result *res;
    bool have_fail, kept;
    char *why;                  /* why the search stopped on error (malloc'd) */
} fl_runner__x;

static double fl_runner__xnow(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Build the world of the next run. 0 or a negative errno (x->why says). */
static int fl_runner__x_begin(fl_runner__x *x) {
    fl_runner__out_init(&x->out);
    int r = fl_runner__begin(&x->ctx, x->s, x->seed, &x->out);
    if (r < 0 && !x->why)
        x->why = x->out.sched_report ? strdup(x->out.sched_report) : fl_runner__strdupf("%s", strerror(-r));
    return r;
}

/* out->schedule, found by the DFS (seed 0), with SEED set to the world seed. */
static int fl_runner__x_stamp(fl_runner_out *out, uint64_t seed) {
    fl_sched_schedule sc;
    if (!out->schedule) return 0;
    int r = fl_sched_schedule_parse(out->schedule, &sc, NULL, 0);
    if (r < 0) return r;
    sc.seed = seed;
    char *s = fl_sched_schedule_format(&sc);
    fl_sched_schedule_free(&sc);
    if (!s) return -ENOMEM;
    free(out->schedule);
    out->schedule = s;
    return 0;
}

/* fl_sched_check_fn: 1 = this run counts as a failure for fl_explore_run (normal
 * scenario: it violated something; known-bad: it violated INV), 0 = go on,
 * negative = stop with an error. */
static int fl_runner__x_check(void *ud, const fl_sched_result *sres) {
    fl_runner__x *x = ud;
    int r = fl_runner__judge(&x->ctx, sres, false, &x->out);
    fl_runner__end(&x->ctx, &x->out);
    if (r < 0) {
        fl_runner_out_free(&x->out);
        return r;
    }
    fl_runner_explore_result *res = x->res;
    res->runs++;
    if (x->out.steps > res->max_steps) res->max_steps = x->out.steps;
    bool failed = x->out.verdict.n > 0;
    const fl_oracle_violation *wanted = x->want >= 0 ? fl_oracle_verdict_find(&x->out.verdict, (fl_oracle_inv)x->want) : NULL;
    res->failed += failed;
    for (size_t i = 0; i < x->out.verdict.n; i++)
        if ((unsigned)x->out.verdict.v[i].inv < 32) res->invariants |= 1u << x->out.verdict.v[i].inv;
    const fl_oracle_violation *keep = NULL;
    bool do_keep = false;
    if (wanted) {
        res->found = true;
        keep = wanted;
        do_keep = true;
    } else if (failed && !x->have_fail) {
        x->have_fail = true;
        keep = fl_oracle_verdict_primary(&x->out.verdict);
        do_keep = true;
    } else if (!x->kept) {
        do_keep = true; /* the first run, until a failing one replaces it */
    }
    if (do_keep) {
        x->kept = true;
        if ((r = fl_runner__x_stamp(&x->out, x->seed)) == 0) r = fl_runner__record(x->c, &x->out, keep);
    }
    bool hit = wanted != NULL;
    fl_runner_out_free(&x->out); /* wanted and keep pointed into it */
    if (r < 0) return r;
    if (x->o && x->o->progress) x->o->progress(x->o->progress_ud, res->runs, res->failed);
    if ((r = fl_runner__x_begin(x)) < 0) return r;
    return x->want >= 0 ? hit : failed;
}

int fl_runner_explore(const fl_scenario *s, const fl_runner_explore_opts *o, fl_runner_explore_result *res,
                      fl_case *c) {
    memset(res, 0, sizeof *res);
    memset(c, 0, sizeof *c);
    double t0 = fl_runner__xnow();
    fl_runner__x x = {.s = s, .o = o, .seed = s->run.seed, .c = c, .res = res, .want = -1};
    res->world_seed = x.seed;
    if (s->expect_fail) x.want = fl_oracle_inv_from_name(s->expect_fail);
    c->expect_fail = s->expect_fail != NULL;
    c->seed = x.seed;
    if (!(c->path = strdup(s->path)) || !(c->name = strdup(s->title ? s->title : s->path)) ||
        (s->expect_fail && !(c->expect_invariant = strdup(s->expect_fail))))
        return -ENOMEM;
    uint64_t max_runs = o && o->max_runs ? o->max_runs : FL_RUNNER_EXPLORE_MAX_RUNS;
    fl_explore_opts eo = {.preemption_bound = o ? o->bound : FL_RUNNER_EXPLORE_BOUND, .max_runs = max_runs,
                          .step_budget = o && o->budget ? o->budget : s->run.budget,
                          .keep_going = x.want < 0, .no_reduction = o && o->no_reduction,
                          .no_dpor = o && o->no_dpor};
    fl_explore_result er = {0};
    char err[256] = "";
    int r = fl_runner__x_begin(&x);
    if (r == 0) r = fl_explore_run(&eo, fl_runner__main, &x.ctx, fl_runner__x_check, &x, &er, err, sizeof err);
    fl_runner__end(&x.ctx, NULL); /* the world built for a run that did not come */
    fl_runner_out_free(&x.out);
    bool complete = er.complete;
    uint64_t er_runs = er.runs;
    fl_explore_result_free(&er); /* its first_failure: c keeps the stamped copy */
    c->time_s = fl_runner__xnow() - t0;
    c->runs = res->runs > UINT32_MAX ? UINT32_MAX : (uint32_t)res->runs;
    c->failed_runs = res->failed > UINT32_MAX ? UINT32_MAX : (uint32_t)res->failed;
    if (r < 0) {
        c->passed = false;
        free((char *)c->message);
        c->message = x.why ? x.why : err[0] ? strdup(err) : strdup(strerror(-r));
        x.why = NULL;
        return r;
    }
    free(x.why);
    res->complete = complete;
    res->max_reached = !complete && !res->found && er_runs >= max_runs;
    if (!c->expect_fail) {
        c->passed = res->failed == 0;
        return 0;
    }
    c->passed = res->found;
    if (!res->found) {
        char *m = NULL;
        const char *how = res->complete ? "complete search" : "incomplete search: --max-runs reached";
        const char *pl = eo.preemption_bound == 1 ? "" : "s";
        int k = c->message ? asprintf(&m, "expected a run to fail %s, but none of %llu schedules (%s, at most %u preemption%s) did; "
                                      "the first failed otherwise:\n%s", s->expect_fail, (unsigned long long)res->runs, how,
                                      eo.preemption_bound, pl, c->message)
                           : asprintf(&m, "expected a run to fail %s, but none of %llu schedules (%s, at most %u preemption%s) did",
                                      s->expect_fail, (unsigned long long)res->runs, how, eo.preemption_bound, pl);
        if (k < 0) return -ENOMEM;
        free((char *)c->message);
        c->message = m;
    }
    return 0;
}
