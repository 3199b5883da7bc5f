/*
 * runner_case.c — one scenario over its seeds (fl_runner.h): the verdict rule
 * for normal and known-bad scenarios, and the case record the reports read.
 */
#include "runner/runner_int.h"

#include "sched/fl_sched.h"

#include <errno.h>
#include <stdatomic.h>
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
    if (o && o->seed_set) {
        *seeds = 1;
        *first_seed = o->seed;
    }
    *strategy = o && o->strategy >= 0 ? (fl_sched_strategy)o->strategy : s->run.strategy;
    if (*strategy == FL_SCHED_STRAT_FREE && !(o && o->seeds) && *seeds > FL_RUNNER_FREE_SEEDS)
        *seeds = FL_RUNNER_FREE_SEEDS; /* real time: see FL_RUNNER_FREE_SEEDS */
    *depth = o && o->depth ? o->depth : s->run.depth;
    *budget = o && o->budget ? o->budget : s->run.budget;
    if (o && o->schedule) { /* one replay: the schedule decides everything else */
        *seeds = 1;
        *strategy = FL_SCHED_STRAT_REPLAY;
    }
}

/* The live page's view of a replay: the recorded run's origin, so that a
 * child that dies while replaying leaves the same open schedule (and seed)
 * the replayed one has. 0, or -EINVAL (the run itself reports the error). */
static int fl_runner__live_replay(struct fl_runner_live *live, const char *schedule) {
    fl_sched_schedule sc;
    char err[8];
    if (fl_sched_schedule_parse(schedule, &sc, err, sizeof err) < 0) return -EINVAL;
    live->seed = sc.seed;
    live->strategy = (int)sc.strategy;
    live->depth = sc.depth;
    live->pct_k = sc.pct_k;
    live->flags = sc.flags & FL_SCHED_SCHEDULE_TIMERS;
    fl_sched_schedule_free(&sc);
    return 0;
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

void fl_runner__threads_free(fl_case *c) {
    for (size_t i = 0; i < c->nthreads; i++) free((char *)c->threads[i].name);
    free((fl_thread *)c->threads);
    c->threads = NULL;
    c->nthreads = 0;
}

/* Free the run c keeps (verdict text, schedule, replay line, trace). */
static void fl_runner__drop_run(fl_case *c) {
    free((char *)c->invariant);
    free((char *)c->message);
    free((char *)c->schedule);
    free((char *)c->replay);
    for (size_t i = 0; i < c->ntrace; i++) fl_runner_event_clear((fl_event *)&c->trace[i]);
    free((fl_event *)c->trace);
}

/* See runner_int.h. */
int fl_runner__record(fl_case *c, fl_runner_out *r, const fl_oracle_violation *inv) {
    fl_runner__drop_run(c);
    c->invariant = c->message = c->schedule = c->replay = NULL;
    c->seed = r->seed;
    c->virtual_ns = r->virtual_ns;
    c->trace = r->trace;
    c->ntrace = r->ntrace;
    r->trace = NULL;
    r->ntrace = 0;
    fl_runner__threads_free(c);
    c->threads = r->threads;
    c->nthreads = r->nthreads;
    r->threads = NULL;
    r->nthreads = 0;
    c->schedule = r->schedule;
    r->schedule = NULL;
    if (c->schedule && !(c->replay = fl_runner_replay_line(c->path, c->schedule))) return -ENOMEM;
    if (inv) {
        if (!(c->invariant = strdup(fl_oracle_inv_name(inv->inv)))) return -ENOMEM;
        if (!(c->message = fl_runner__message(&r->verdict, inv))) return -ENOMEM;
    }
    return 0;
}

/* See runner_int.h. */
int fl_runner__case_head(const fl_scenario *s, fl_case *c) {
    c->expect_fail = s->expect_fail != NULL;
    if (!(c->path = strdup(s->path)) || !(c->name = strdup(s->title ? s->title : s->path))) return -ENOMEM;
    if (s->expect_fail && !(c->expect_invariant = strdup(s->expect_fail))) return -ENOMEM;
    return 0;
}

int fl_runner_case_range(const fl_scenario *s, const fl_runner_opts *o, uint32_t from, uint32_t count,
                         fl_runner_part *part) {
    memset(part, 0, sizeof *part);
    fl_case *c = &part->c;
    double t0 = fl_runner__now();
    uint32_t seeds, depth;
    uint64_t first, budget, max_choices = o ? o->pct_k : 0; /* pct's k: the most real choices a run made */
    fl_sched_strategy strategy;
    fl_runner_effective(s, o, &seeds, &first, &strategy, &depth, &budget);
    int want = s->expect_fail ? fl_oracle_inv_from_name(s->expect_fail) : -1;
    struct fl_runner_live *live = o ? o->live : NULL;
    int r = fl_runner__case_head(s, c);
    if (r < 0) return part->err = r;
    char *vbuf = NULL;
    size_t vlen = 0;
    FILE *vf = o && o->verbose ? open_memstream(&vbuf, &vlen) : NULL;
    if (o && o->verbose && !vf) return part->err = -ENOMEM;
    bool have_fail = false;
    uint32_t end = from >= seeds ? from : count > seeds - from ? seeds : from + count;
    for (uint32_t i = from; i < end; i++) {
        fl_runner_params p = {.seed = first + i, .strategy = strategy, .depth = depth, .budget = budget,
                              .pct_k = strategy == FL_SCHED_STRAT_PCT ? max_choices : 0,
                              .time_scale = o ? o->time_scale : 0, .live = live,
                              .schedule = o ? o->schedule : NULL};
        if (live) {
            if (atomic_load_explicit(&live->stop, memory_order_relaxed)) {
                part->interrupted = true;
                break;
            }
            live->seed = p.seed;
            live->strategy = (int)strategy;
            live->depth = depth;
            live->pct_k = p.pct_k;
            live->budget = budget;
            live->nruns = 0;
            live->overflow = false;
            live->steps = live->preemptions = 0;
            if (live->rec) fl_explore_rec_reset(live->rec);
            live->flags = s->run.timer_ppm && fl_sched_strategy_seeded(strategy)
                              ? FL_SCHED_SCHEDULE_TIMERS : 0;
            if (p.schedule) fl_runner__live_replay(live, p.schedule);
            live->active = true;
        }
        fl_runner_out out;
        r = fl_runner_run(s, &p, &out);
        if (live) live->active = false;
        if (r < 0) {
            free((char *)c->message);
            c->message = out.sched_report ? strdup(out.sched_report) : strdup(strerror(-r));
            c->seed = p.seed;
            fl_runner_out_free(&out);
            break;
        }
        if (out.choices > max_choices) max_choices = out.choices;
        c->runs++;
        bool failed = out.verdict.n > 0;
        c->failed_runs += failed;
        if (live) {
            atomic_fetch_add_explicit(&live->runs_done, 1, memory_order_relaxed);
            if (failed) atomic_fetch_add_explicit(&live->failed_runs, 1, memory_order_relaxed);
        }
        const fl_oracle_violation *wanted = want >= 0 ? fl_oracle_verdict_find(&out.verdict, (fl_oracle_inv)want) : NULL;
        if (vf)
            fprintf(vf, "  seed %llu: %s%s\n", (unsigned long long)p.seed, failed ? "FAIL " : "pass",
                    failed ? fl_oracle_inv_name(fl_oracle_verdict_primary(&out.verdict)->inv) : "");
        if (wanted) {
            part->hit = true;
            r = fl_runner__record(c, &out, wanted);
        } else if (failed && !have_fail) {
            have_fail = true;
            r = fl_runner__record(c, &out, fl_oracle_verdict_primary(&out.verdict));
        } else if (i == from) {
            r = fl_runner__record(c, &out, NULL);
        }
        /* A run cut short by the step budget or a deadlock (a livelock or a
         * lost wake-up) would cost a whole budget on every later seed too:
         * the case has its failure, stop (known-bad cases keep looking for
         * their invariant). This keeps a suite run with such a bug in
         * libsv to seconds. */
        bool stuck = failed && !s->expect_fail && (out.status == FL_SCHED_BUDGET || out.status == FL_SCHED_DEADLOCK);
        if (r == 0 && (wanted || (failed && c->failed_runs == 1) || i == from)) { /* the kept run's end */
            part->status = (int)out.status;
            free(part->sched_report);
            part->sched_report = out.sched_report;
            out.sched_report = NULL;
        }
        fl_runner_out_free(&out);
        if (o && o->progress) o->progress(o->progress_ud, c->runs, failed);
        if (r < 0 || part->hit || stuck) break;
    }
    if (vf && fclose(vf) == 0) part->verbose = vbuf;
    else if (vf) free(vbuf);
    c->time_s = fl_runner__now() - t0;
    c->passed = part->hit || (!s->expect_fail && c->failed_runs == 0);
    if (r < 0) {
        c->passed = false;
        if (!c->message) c->message = strdup(strerror(-r));
        part->err = r;
    }
    return r < 0 ? r : 0;
}

/* Move r's kept run (seed, verdict text, schedule, trace) into c. */
static void fl_runner__take_run(fl_case *c, fl_case *r) {
    fl_runner__drop_run(c);
    c->seed = r->seed;
    c->invariant = r->invariant;
    c->message = r->message;
    c->schedule = r->schedule;
    c->replay = r->replay;
    c->trace = r->trace;
    c->ntrace = r->ntrace;
    fl_runner__threads_free(c);
    c->threads = r->threads;
    c->nthreads = r->nthreads;
    r->threads = NULL;
    r->nthreads = 0;
    c->virtual_ns = r->virtual_ns;
    r->invariant = r->message = r->schedule = r->replay = NULL;
    r->trace = NULL;
    r->ntrace = 0;
}

int fl_runner_merge(fl_runner_part *parts, size_t n, const fl_scenario *s, fl_case *c) {
    memset(c, 0, sizeof *c);
    if (n == 0) return -EINVAL;
    if (fl_runner__case_head(s, c) < 0) return -ENOMEM;
    bool have_fail = false, hit = false;
    int err = 0;
    for (size_t i = 0; i < n; i++) {
        fl_runner_part *p = &parts[i];
        c->runs += p->c.runs;
        c->failed_runs += p->c.failed_runs;
        c->time_s += p->c.time_s;
        if (p->err < 0) {
            err = p->err;
            fl_runner__take_run(c, &p->c);
            break;
        }
        if (p->hit) {
            hit = true;
            fl_runner__take_run(c, &p->c);
            break;
        }
        if (p->c.failed_runs && !have_fail) {
            have_fail = true;
            fl_runner__take_run(c, &p->c);
        } else if (i == 0) {
            fl_runner__take_run(c, &p->c);
        }
        if (p->interrupted) break;
    }
    if (err < 0) {
        c->passed = false;
        return err;
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

void fl_runner_part_free(fl_runner_part *p) {
    if (!p) return;
    fl_runner_case_free(&p->c);
    free(p->verbose);
    free(p->sched_report);
    memset(p, 0, sizeof *p);
}

int fl_runner_case(const fl_scenario *s, const fl_runner_opts *o, fl_case *c) {
    fl_runner_part part;
    uint32_t seeds, depth;
    uint64_t first, budget;
    fl_sched_strategy strategy;
    fl_runner_effective(s, o, &seeds, &first, &strategy, &depth, &budget);
    int r = fl_runner_case_range(s, o, 0, seeds, &part);
    if (r == -ENOMEM && !part.c.path) {
        fl_runner_part_free(&part);
        memset(c, 0, sizeof *c);
        return r;
    }
    int m = fl_runner_merge(&part, 1, s, c);
    fl_runner_part_free(&part);
    return r < 0 ? r : m;
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
    fl_runner__threads_free(c);
    memset(c, 0, sizeof *c);
}
