/*
 * sched_run.c — the life of one controlled run: fl_sched_run / _ex set the
 * run up, start main as controlled thread 0, wait for the end (with the
 * watchdog, sched_watchdog.c), kill and join what is left, and fill the
 * result; fl_sched_result_free. The baton and the scheduling point are
 * sched_core.c.
 */
#include "sched/sched_int.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- run lifecycle ----------------------------------------------------------- */

static void *fl_sched__main_tramp(void *p)
{
    fl_sched__run *r = p;
    r->main_fn(r->main_arg);
    return NULL;
}

static void fl_sched__fill_result(fl_sched__run *r, fl_sched_result *res)
{
    res->status = r->status;
    res->steps = r->steps;
    res->preemptions = r->preempt;
    res->choices = r->choices;
    res->virtual_ns = r->clock;
    res->threads = (uint32_t)r->nthr;
    res->threads_info = calloc((size_t)r->nthr + 1, sizeof *res->threads_info);
    for (int i = 0; res->threads_info && i < r->nthr; i++) {
        snprintf(res->threads_info[i].name, sizeof res->threads_info[i].name, "%s", r->thr[i]->name);
        res->threads_info[i].born_ns = r->thr[i]->born;
        res->threads_info[i].died_ns = r->thr[i]->died;
    }
    res->report = r->report;
    r->report = NULL;
    if (r->tracing) res->trace = fl_sched__str_take(&r->trace);
    /* leaked: alive at the end of a run whose main returned */
    if (r->main_done && r->nalive > 0) {
        res->leaked = calloc((size_t)r->nalive, sizeof *res->leaked);
        for (int i = 0; res->leaked && i < r->nalive; i++) {
            res->leaked[i] = strdup(r->alive[i]->name);
            if (res->leaked[i]) res->nleaked++;
        }
    }
    fl_sched_schedule sc = r->rec;
    sc.flags &= FL_SCHED_SCHEDULE_EDITED | FL_SCHED_SCHEDULE_TIMERS;
    /* A diverged or stalled run has no recorded end: its schedule is an open
     * prefix (replaying it reaches the same point again). */
    bool open = r->status == FL_SCHED_DIVERGED || r->status == FL_SCHED_STALLED;
    sc.end = open ? FL_SCHED_OK : r->status;
    if (open) sc.flags |= FL_SCHED_SCHEDULE_OPEN;
    sc.preemptions = r->preempt;
    if (!r->rec_oom) res->schedule = fl_sched_schedule_format(&sc);
}

/* Strict replay: the run must have ended exactly where and how the record did. */
static void fl_sched__check_replay_end(fl_sched__run *r)
{
    if (r->strategy != FL_SCHED_STRAT_REPLAY || r->replay_open || r->status == FL_SCHED_DIVERGED) return;
    fl_sched__str m = {0};
    if (!fl_sched__strat_replay_exhausted(r))
        fl_sched__str_printf(&m, "the run ended (%s) at step %llu but the schedule records %llu steps",
                       fl_sched_status_name(r->status), (unsigned long long)r->steps,
                       (unsigned long long)r->replay->steps);
    else if (r->status != r->replay->end)
        fl_sched__str_printf(&m, "the run ended with %s, the recorded run with %s", fl_sched_status_name(r->status),
                       fl_sched_status_name(r->replay->end));
    else if (r->preempt != r->replay->preemptions)
        fl_sched__str_printf(&m, "the run made %llu preemptions, the recorded run %llu",
                       (unsigned long long)r->preempt, (unsigned long long)r->replay->preemptions);
    else
        return;
    free(r->diverge_msg);
    r->diverge_msg = fl_sched__str_take(&m);
    fl_sched__end(r, FL_SCHED_DIVERGED, "replay diverged");
}

static void fl_sched__run_free(fl_sched__run *r)
{
    for (int i = 0; i < r->nthr; i++) {
        FL_SCHED__PT(fl_real.pthread_cond_destroy(&r->thr[i]->sc));
        FL_SCHED__PT(fl_real.pthread_mutex_destroy(&r->thr[i]->sm));
        free(r->thr[i]);
    }
    free(r->thr);
    free(r->alive);
    free(r->scratch);
    free(r->hook_ids);
    free(r->pct_high);
    free(r->zombies);
    free(r->futex_addr);
    free(r->report);
    free(r->diverge_msg);
    free(fl_sched__str_take(&r->trace));
    fl_sched_schedule_free(&r->rec);
    FL_SCHED__PT(fl_real.pthread_cond_destroy(&r->host_cv));
    FL_SCHED__PT(fl_real.pthread_mutex_destroy(&r->mu));
    free(r);
}

static int fl_sched__bad(fl_sched_result *res, const char *msg)
{
    res->report = strdup(msg);
    return -EINVAL;
}

int fl_sched_run_ex(const fl_sched_opts *o, const fl_sched_schedule *replay, void (*main_fn)(void *), void *arg,
                     fl_sched_result *res, const fl_sched_hook *hook)
{
    memset(res, 0, sizeof *res);
    if (!o || !main_fn) return fl_sched__bad(res, "fl_sched_run: opts and main_fn are required");
    if (o->strategy != FL_SCHED_STRAT_FREE && !fl_sched_strategy_seeded(o->strategy) && o->strategy != FL_SCHED_STRAT_RR &&
        o->strategy != FL_SCHED_STRAT_REPLAY)
        return fl_sched__bad(res, "fl_sched_run: unknown strategy");
    if (o->strategy == FL_SCHED_STRAT_REPLAY && !replay)
        return fl_sched__bad(res, "fl_sched_run: strategy replay needs a schedule");
    if (o->strategy == FL_SCHED_STRAT_PCT && o->depth > 64)
        return fl_sched__bad(res, "fl_sched_run: pct depth must be 1..64");
    if (fl_sched__self || fl_sched__free_id >= 0 || atomic_flag_test_and_set(&fl_sched__busy)) {
        res->report = strdup("fl_sched_run: another run is in progress");
        return -EBUSY;
    }
    if (atomic_load(&fl_sched__tainted)) {
        atomic_flag_clear(&fl_sched__busy);
        res->report = strdup("fl_sched_run: a thread of an earlier run still runs uncontrolled in this process "
                             "(that run ended stalled); start a new process");
        return -EBUSY;
    }
    int rc;
    if (o->strategy == FL_SCHED_STRAT_FREE) {
        rc = fl_sched__free_run(o, main_fn, arg, res);
        atomic_flag_clear(&fl_sched__busy);
        return rc;
    }
    rc = -ENOMEM;
    fl_sched__run *r = calloc(1, sizeof *r);
    if (!r) goto fail_busy;
    FL_SCHED__PT(fl_real.pthread_mutex_init(&r->mu, NULL));
    FL_SCHED__PT(fl_real.pthread_cond_init(&r->host_cv, NULL));
    r->gen = ++fl_sched__gen;
    r->cpu = sched_getcpu();
    r->strategy = o->strategy;
    r->budget = o->step_budget ? o->step_budget : FL_SCHED_DEFAULT_BUDGET;
    r->light_ppm = o->light_ppm ? o->light_ppm : FL_SCHED_DEFAULT_LIGHT_PPM;
    r->tracing = o->trace;
    r->watchdog_ms = o->watchdog_ms ? o->watchdog_ms : FL_SCHED_DEFAULT_WATCHDOG_MS;
    r->timer_ppm = o->timer_ppm > 1000000 ? 1000000 : o->timer_ppm;
    r->symmetric = o->symmetric;
    /* early timers (fl_sched__early_timer): a seeded strategy (RANDOM, PCT,
     * POS) with timer_ppm, or REPLAY of a schedule recorded so */
    r->clock_free = replay ? !(replay->flags & FL_SCHED_SCHEDULE_TIMERS)
                           : !(r->timer_ppm && fl_sched_strategy_seeded(o->strategy));
    r->main_fn = main_fn;
    r->main_arg = arg;
    if (hook) r->hook = *hook;
    if (replay) {
        r->replay = replay;
        r->replay_open = (replay->flags & FL_SCHED_SCHEDULE_OPEN) != 0;
        r->rec.strategy = replay->strategy;
        r->rec.seed = replay->seed;
        r->rec.depth = replay->depth;
        r->rec.pct_k = replay->pct_k;
        r->rec.flags = replay->flags & (FL_SCHED_SCHEDULE_EDITED | FL_SCHED_SCHEDULE_TIMERS);
    } else {
        r->seed = o->seed;
        r->depth = o->depth ? o->depth : FL_SCHED_DEFAULT_DEPTH;
        r->pct_k = o->pct_k ? o->pct_k : FL_SCHED_DEFAULT_PCT_K;
        r->rec.strategy = o->strategy;
        r->rec.seed = o->seed;
        if (o->timer_ppm && fl_sched_strategy_seeded(o->strategy))
            r->rec.flags |= FL_SCHED_SCHEDULE_TIMERS;
        if (o->strategy == FL_SCHED_STRAT_PCT) {
            r->rec.depth = r->depth;
            r->rec.pct_k = r->pct_k;
        }
    }
    fl_sched__strat_init(r);
    fl_sched__alloc_begin();
    fl_sched__R = r;
    sv_plat_set(&fl_sched__plat_controlled);
    fl_sched__set_live(true);

    FL_SCHED__PT(fl_real.pthread_mutex_lock(&r->mu));
    fl_sched__thr *main_t;
    r->cur = 0;
    rc = fl_sched__thread_add(r, fl_sched__main_tramp, r, "main", &main_t);
    if (rc < 0) {
        FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
        fl_sched__set_live(false);
        sv_plat_set(NULL);
        fl_sched__R = NULL;
        fl_sched__alloc_end(NULL, NULL, true);
        res->report = strdup("fl_sched_run: cannot create the main thread");
        goto fail_run;
    }
    fl_sched__host_wait(r);
    fl_sched__set_live(false);
    /* A stalled thread (r->stalled) still runs program code: it is never
     * posted nor joined, and r stays allocated for it to die on later. */
    fl_sched__thr *stuck = r->stalled ? r->thr[r->cur] : NULL;
    for (int i = 0; i < r->nalive; i++) r->alive[i]->killed = true;
    int nalive = r->nalive;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&r->mu));
    /* No other thread runs program code now and alive[] no longer changes. */
    for (int i = 0; i < nalive; i++)
        if (r->alive[i] != stuck) fl_sched__post(r->alive[i]);
    for (int i = 0; i < r->nthr; i++)
        if (r->thr[i]->started && !r->thr[i]->reaped && r->thr[i] != stuck) {
            FL_SCHED__PT(fl_real.pthread_join(r->thr[i]->pt, NULL));
            r->thr[i]->reaped = true;
        }
    sv_plat_set(NULL);
    fl_sched__R = NULL;
    fl_sched__alloc_end(&res->live_allocs, &res->live_bytes, !stuck);
    if (!stuck) fl_sched__check_replay_end(r);
    fl_sched__fill_result(r, res);
    if (stuck) atomic_store(&fl_sched__tainted, true);
    else fl_sched__run_free(r);
    atomic_flag_clear(&fl_sched__busy);
    return 0;

fail_run:
    fl_sched__run_free(r);
fail_busy:
    atomic_flag_clear(&fl_sched__busy);
    return rc;
}

int fl_sched_run(const fl_sched_opts *opts, void (*main_fn)(void *), void *arg, fl_sched_result *res)
{
    fl_sched_schedule sc;
    char err[256];
    if (!opts || opts->strategy != FL_SCHED_STRAT_REPLAY) return fl_sched_run_ex(opts, NULL, main_fn, arg, res, NULL);
    memset(res, 0, sizeof *res);
    if (!opts->schedule) return fl_sched__bad(res, "fl_sched_run: strategy replay needs a schedule");
    int rc = fl_sched_schedule_parse(opts->schedule, &sc, err, sizeof err);
    if (rc < 0) {
        res->report = strdup(rc == -ENOMEM ? "fl_sched_run: out of memory" : err);
        return rc;
    }
    fl_sched_capture *cap = fl_sched__capture_slot;
    const fl_sched_hook *hook =
        cap && cap->hook && cap->candidate && strcmp(cap->candidate, opts->schedule) == 0 ? cap->hook : NULL;
    rc = fl_sched_run_ex(opts, &sc, main_fn, arg, res, hook);
    if (rc == 0 && cap && cap->candidate && strcmp(cap->candidate, opts->schedule) == 0) {
        free(cap->canonical);
        cap->canonical = res->schedule ? strdup(res->schedule) : NULL;
        cap->steps = res->steps;
        cap->preemptions = res->preemptions;
        cap->status = res->status;
    }
    fl_sched_schedule_free(&sc);
    return rc;
}

void fl_sched_result_free(fl_sched_result *res)
{
    if (!res) return;
    free(res->schedule);
    free(res->report);
    free(res->trace);
    free(res->threads_info);
    for (size_t i = 0; i < res->nleaked; i++) free(res->leaked[i]);
    free(res->leaked);
    memset(res, 0, sizeof *res);
}
