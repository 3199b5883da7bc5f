/*
 * runner_case.c — one scenario over its seeds (fl_runner.h): the verdict rule
 * for normal and known-bad scenarios, and the case record the reports read.
 */
#include "runner/runner_int.h"

#include "sched/fl_sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double fl_runner__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fl_runner_effective(const fl_scenario *s, const fl_runner_opts *o, uint32_t *seeds,
                         uint64_t *first_seed, fl_sched_strategy *strategy, uint32_t *depth,
                         uint64_t *budget) {
    *seeds = o && o->seeds ? o->seeds : (s->run.set & FL_SCENARIO_RUN_SEEDS) ? s->run.seeds : FL_RUNNER_DEFAULT_SEEDS;
    *first_seed = s->run.seed;
    *strategy = o && o->strategy >= 0 ? (fl_sched_strategy)o->strategy : s->run.strategy;
    if (*strategy == FL_SCHED_STRAT_FREE && !(o && o->seeds) && *seeds > FL_RUNNER_FREE_SEEDS)
        *seeds = FL_RUNNER_FREE_SEEDS; /* real time: see FL_RUNNER_FREE_SEEDS */
    *depth = o && o->depth ? o->depth : s->run.depth;
    *budget = o && o->budget ? o->budget : s->run.budget;
}

/* "INV: message [events #a #b]" of every violation, the primary first. */
static char *fl_runner__message(const fl_oracle_verdict *vd, const fl_oracle_violation *first) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    size_t shown = 0;
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < vd->n; i++) {
            const fl_oracle_violation *v = &vd->v[i];
            if ((pass == 0) != (v == first)) continue;
            if (shown++ == 12) {
                fprintf(f, "… and %zu more\n", vd->n - 12);
                goto done;
            }
            fprintf(f, "%s: %s", fl_oracle_inv_name(v->inv), v->message);
            for (size_t j = 0; j < v->nseqs; j++)
                fprintf(f, "%s#%llu", j ? " " : " [events ", (unsigned long long)v->seqs[j]);
            fputs(v->nseqs ? "]\n" : "\n", f);
        }
done:
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    if (len && buf[len - 1] == '\n') buf[len - 1] = '\0';
    return buf;
}

/* See runner_int.h. */
int fl_runner__record(fl_case *c, fl_runner_out *r, const fl_oracle_violation *inv) {
    free((char *)c->invariant);
    free((char *)c->message);
    free((char *)c->schedule);
    free((char *)c->replay);
    for (size_t i = 0; i < c->ntrace; i++) fl_runner_event_clear((fl_event *)&c->trace[i]);
    free((fl_event *)c->trace);
    c->invariant = c->message = c->schedule = c->replay = NULL;
    c->seed = r->seed;
    c->virtual_ns = r->virtual_ns;
    c->trace = r->trace;
    c->ntrace = r->ntrace;
    r->trace = NULL;
    r->ntrace = 0;
    c->schedule = r->schedule;
    r->schedule = NULL;
    if (c->schedule && !(c->replay = fl_runner_replay_line(c->path, c->schedule))) return -ENOMEM;
    if (inv) {
        if (!(c->invariant = strdup(fl_oracle_inv_name(inv->inv)))) return -ENOMEM;
        if (!(c->message = fl_runner__message(&r->verdict, inv))) return -ENOMEM;
    }
    return 0;
}

int fl_runner_case(const fl_scenario *s, const fl_runner_opts *o, fl_case *c) {
    memset(c, 0, sizeof *c);
    double t0 = fl_runner__now();
    uint32_t seeds, depth;
    uint64_t first, budget, max_steps = 0;
    fl_sched_strategy strategy;
    fl_runner_effective(s, o, &seeds, &first, &strategy, &depth, &budget);
    int want = s->expect_fail ? fl_oracle_inv_from_name(s->expect_fail) : -1;
    c->expect_fail = s->expect_fail != NULL;
    if (!(c->path = strdup(s->path)) || !(c->name = strdup(s->title ? s->title : s->path))) return -ENOMEM;
    if (s->expect_fail && !(c->expect_invariant = strdup(s->expect_fail))) return -ENOMEM;
    int r = 0;
    bool have_fail = false, hit = false;
    for (uint32_t i = 0; i < seeds; i++) {
        fl_runner_params p = {.seed = first + i, .strategy = strategy, .depth = depth, .budget = budget,
                           .pct_k = strategy == FL_SCHED_STRAT_PCT ? max_steps : 0, .time_scale = o ? o->time_scale : 0};
        fl_runner_out out;
        r = fl_runner_run(s, &p, &out);
        if (r < 0) {
            free((char *)c->message);
            c->message = out.sched_report ? strdup(out.sched_report) : strdup(strerror(-r));
            c->seed = p.seed;
            fl_runner_out_free(&out);
            break;
        }
        if (out.steps > max_steps) max_steps = out.steps;
        c->runs++;
        bool failed = out.verdict.n > 0;
        c->failed_runs += failed;
        const fl_oracle_violation *wanted = want >= 0 ? fl_oracle_verdict_find(&out.verdict, (fl_oracle_inv)want) : NULL;
        if (wanted) {
            hit = true;
            r = fl_runner__record(c, &out, wanted);
        } else if (failed && !have_fail) {
            have_fail = true;
            r = fl_runner__record(c, &out, fl_oracle_verdict_primary(&out.verdict));
        } else if (i == 0) {
            r = fl_runner__record(c, &out, NULL);
        }
        /* A run cut short by the step budget or a deadlock (a livelock or a
         * lost wake-up) would cost a whole budget on every later seed too:
         * the case has its failure, stop (known-bad cases keep looking for
         * their invariant). This keeps a suite run with such a bug in
         * libsv to seconds. */
        bool stuck = failed && !s->expect_fail && (out.status == FL_SCHED_BUDGET || out.status == FL_SCHED_DEADLOCK);
        fl_runner_out_free(&out);
        if (o && o->progress) o->progress(o->progress_ud, c->runs, failed);
        if (r < 0 || hit || stuck) break;
    }
    c->time_s = fl_runner__now() - t0;
    if (r < 0) {
        c->passed = false;
        if (!c->message) c->message = strdup(strerror(-r));
        return r;
    }
    if (c->expect_fail) {
        c->passed = hit;
        if (!hit) {
            char *m = NULL;
            int k = c->message
                        ? asprintf(&m, "expected a run to fail %s, but none of %u seeds did; seed %llu failed otherwise:\n%s",
                                   s->expect_fail, c->runs, (unsigned long long)c->seed, c->message)
                        : asprintf(&m, "expected a run to fail %s, but none of %u seeds did", s->expect_fail, c->runs);
            if (k < 0) return -ENOMEM;
            free((char *)c->message);
            c->message = m;
        }
    } else {
        c->passed = c->failed_runs == 0;
    }
    return 0;
}

void fl_runner_case_free(fl_case *c) {
    if (!c) return;
    free((char *)c->path);
    free((char *)c->name);
    free((char *)c->skip_reason);
    free((char *)c->expect_invariant);
    free((char *)c->invariant);
    free((char *)c->message);
    free((char *)c->schedule);
    free((char *)c->replay);
    for (size_t i = 0; i < c->ntrace; i++) fl_runner_event_clear((fl_event *)&c->trace[i]);
    free((fl_event *)c->trace);
    memset(c, 0, sizeof *c);
}
