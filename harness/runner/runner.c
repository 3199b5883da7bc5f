/*
 * runner.c — one run of a scenario: the world, the controlled (or free) run,
 * the timed actions, the observations, the oracle. Events as text and
 * replay lines are in runner_text.c, cases (many seeds) in runner_case.c, explorations in runner_explore.c, the free runs' time scale
 * in runner_free.c.
 *
 * Threads: fl_runner_run runs on an uncontrolled thread; fl_runner__main
 * runs as the scheduler's controlled thread 0; the event hook and the log
 * sink run on whichever controlled thread emits (the tree's event lock is
 * held, so they never run concurrently with each other; the scheduler runs
 * one controlled thread at a time, so never concurrently with main either).
 * The hook and sink allocate with malloc, not sv_alloc: the trace outlives
 * the run, and the controlled allocator frees every block at its end.
 * A free run (FL_SCHED_STRAT_FREE) is truly concurrent: the hooks still run under
 * the tree's event lock, main's own fields are read back only after the free
 * platform joined main (a happens-before edge), and last_seq is atomic.
 * The phases are split (runner_int.h) so that fl_explore_run can drive them.
 */
#include "runner/runner_int.h"

#include "oracle/fl_oracle.h"
#include "sched/fl_sched.h"
#include "sv_plat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the run's hooks ------------------------------------------------------------ */

static void fl_runner__on_event(void *ud, const sv_event *ev) {
    fl_runner__ctx *c = ud;
    atomic_store_explicit(&c->last_seq, ev->seq, memory_order_relaxed);
    if (c->oom) return;
    if (c->ntrace == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        fl_event *nt = realloc(c->trace, cap * sizeof *nt);
        if (!nt) { c->oom = true; return; }
        c->trace = nt;
        c->cap = cap;
    }
    if (fl_runner_event_copy(&c->trace[c->ntrace], ev) < 0) { c->oom = true; return; }
    int tid = fl_sched_controlled() ? fl_sched_current() : -1; /* who emitted it: its lane */
    c->trace[c->ntrace].thread = tid >= 0 ? (uint32_t)tid + 1 : 0;
    c->ntrace++;
}

/* The run's threads as the reports draw them (names copied). */
static int fl_runner__threads(const fl_sched_result *res, fl_runner_out *out) {
    if (!res->threads_info || !res->threads) return 0;
    out->threads = calloc(res->threads, sizeof *out->threads);
    if (!out->threads) return -ENOMEM;
    for (uint32_t i = 0; i < res->threads; i++) {
        if (!(out->threads[i].name = strdup(res->threads_info[i].name))) return -ENOMEM;
        out->threads[i].start_ns = res->threads_info[i].born_ns;
        out->threads[i].end_ns = res->threads_info[i].died_ns;
        out->nthreads = i + 1;
    }
    return 0;
}

static void fl_runner__on_log(void *ud, const sv_event *ev, const char *line) {
    fl_runner__ctx *c = ud;
    if (c->oom) return;
    if (c->nlog == c->logcap) {
        size_t cap = c->logcap ? c->logcap * 2 : 64;
        char **nl = realloc(c->log, cap * sizeof *nl);
        if (!nl) { c->oom = true; return; }
        c->log = nl;
        c->logcap = cap;
    }
    if (!(c->log[c->nlog] = strdup(line ? line : ""))) { c->oom = true; return; }
    c->nlog++;
}

static void fl_runner__mismatch(fl_runner__ctx *c, const fl_scenario_action *a, int got) {
    char *m = NULL;
    char path[(FL_SCENARIO_MAX_NESTING + 1) * 64] = "";
    if (a->in) fl_scenario_sup_path(a->in, path, sizeof path);
    if (asprintf(&m, "%s:%d:%d: at %lld ns %s %s%s%s%s returned %d, expected %d", c->s->path, a->line, a->col,
                 (long long)a->at_ns, fl_scenario_action_name(a->kind), a->in ? "sup=" : "", path, a->in ? " " : "",
                 a->child ? a->child->id : "", got, a->result) < 0)
        m = NULL;
    char **nm = m ? realloc(c->mismatch, (c->nmismatch + 1) * sizeof *nm) : NULL;
    if (!nm) { free(m); c->oom = true; return; }
    c->mismatch = nm;
    c->mismatch[c->nmismatch++] = m;
}

/* ---- main (controlled thread 0) ----------------------------------------------------- */

/* One admin call of a on sup (the supervisor it addresses). */
static int fl_runner__admin_call(fl_runner__ctx *c, sv_sup *sup, const fl_scenario_action *a, uint32_t *instance) {
    switch (a->kind) {
    case FL_SCENARIO_ACT_START: return sv_start_child(sup, fl_world_child_spec(c->w, a->child));
    case FL_SCENARIO_ACT_TERMINATE: return sv_terminate_child(sup, a->child->id);
    case FL_SCENARIO_ACT_RESTART: return sv_restart_child(sup, a->child->id);
    case FL_SCENARIO_ACT_START_INSTANCE: return sv_start_instance(sup, fl_world_instance_arg(c->w, a), instance);
    case FL_SCENARIO_ACT_TERMINATE_INSTANCE: return sv_terminate_instance(sup, *instance = a->instance);
    default: return sv_delete_child(sup, a->child->id);
    }
}

/* An admin action on the root or (a->in) on the nested supervisor running
 * at its path now: when that lookup fails, its error is the answer. */
static void fl_runner__admin(fl_runner__ctx *c, sv_sup *root, const fl_scenario_action *a) {
    static const fl_oracle_admin_op ops[] = {
        [FL_SCENARIO_ACT_START] = FL_ORACLE_ADMIN_START, [FL_SCENARIO_ACT_TERMINATE] = FL_ORACLE_ADMIN_TERMINATE,
        [FL_SCENARIO_ACT_RESTART] = FL_ORACLE_ADMIN_RESTART, [FL_SCENARIO_ACT_DELETE] = FL_ORACLE_ADMIN_DELETE,
        [FL_SCENARIO_ACT_START_INSTANCE] = FL_ORACLE_ADMIN_START,
        [FL_SCENARIO_ACT_TERMINATE_INSTANCE] = FL_ORACLE_ADMIN_TERMINATE,
    };
    fl_oracle_admin_call call = {.op = ops[a->kind], .sup = a->in ? a->in->name : c->s->root->name,
                                 .child = a->child->id};
    call.seq_before = atomic_load_explicit(&c->last_seq, memory_order_relaxed);
    sv_sup *sup;
    int r = fl_runner__reach(root, a->in, &sup);
    if (r == 0) {
        r = fl_runner__admin_call(c, sup, a, &call.instance);
        fl_runner__let_go(root, sup);
    }
    call.seq_after = atomic_load_explicit(&c->last_seq, memory_order_relaxed);
    call.result = r;
    c->admin[c->nadmin++] = call;
    if (a->check_result && r != a->result) fl_runner__mismatch(c, a, r);
}

static void fl_runner__stop(fl_runner__ctx *c, sv_sup *sup) {
    if (!c->info.stop_requested) {
        c->info.stop_requested = true;
        c->info.stop_seq = atomic_load_explicit(&c->last_seq, memory_order_relaxed);
    }
    sv_sup_stop(sup);
}

void fl_runner__main(void *arg) {
    fl_runner__ctx *c = arg;
    const fl_scenario *s = c->s;
    if (c->time_scale > 1) fl_runner__time_scale(c->time_scale); /* before any thread exists */
    int64_t t0 = sv_now(), end = t0 + s->run.duration_ns;
    sv_sup *sup = NULL;
    int r = sv_sup_start(&c->spec, &sup);
    if (r < 0) {
        c->info.start_failed = true;
        c->info.start_err = r;
        sup = NULL;
    }
    size_t ai = 0;
    int64_t snap_next = c->snap_period > 0 ? c->snap_period : INT64_MAX;
    for (;;) {
        /* next time point: an action, a timed state check or a periodic
         * snapshot, before the end */
        int64_t next = snap_next, vn = fl_runner__view_next(c);
        if (vn < next) next = vn;
        if (ai < s->nactions && s->actions[ai].at_ns < next) next = s->actions[ai].at_ns;
        for (size_t i = 0; i < s->nexpects; i++)
            if (s->expects[i].kind == FL_SCENARIO_EXP_STATE && s->expects[i].at_ns >= 0 &&
                c->states[i] == (fl_scenario_state)-1 && s->expects[i].at_ns < next)
                next = s->expects[i].at_ns;
        if (next == INT64_MAX || t0 + next > end) break;
        sv_sleep_until(t0 + next);
        for (; ai < s->nactions && s->actions[ai].at_ns == next; ai++) {
            const fl_scenario_action *a = &s->actions[ai];
            if (!sup) continue;
            if (a->kind == FL_SCENARIO_ACT_STOP) fl_runner__stop(c, sup);
            else if (a->kind == FL_SCENARIO_ACT_CRASH) fl_world_crash(c->w, a->child, a->msg);
            else if (a->kind == FL_SCENARIO_ACT_EXIT) fl_world_exit(c->w, a->child, a->exit_value);
            else fl_runner__admin(c, sup, a);
        }
        fl_runner__observe_states(c, sup, false, next);
        bool periodic = next == snap_next;
        if (periodic) snap_next = next + c->snap_period;
        fl_runner__view_at(c, sup, next, false, periodic);
    }
    sv_sleep_until(end);
    c->root_exit = -1;
    int reason;
    if (sup && sv_sup_wait(sup, 0, &reason) == 0) c->root_exit = reason;
    for (size_t i = 0; !sup && i < c->ntrace; i++) /* its start failed: it exited as its SHUTDOWN says */
        if (c->trace[i].ev.kind == SV_EV_SHUTDOWN && !c->trace[i].child && c->trace[i].sup &&
            strcmp(c->trace[i].sup, s->root->name) == 0)
            c->root_exit = c->trace[i].ev.reason;
    fl_runner__observe_states(c, sup, true, 0);
    if (sup && c->root_exit < 0) fl_runner__view_at(c, sup, s->run.duration_ns, true, c->snap_period > 0);
    if (sup && c->root_exit < 0) fl_runner__stop(c, sup);
    c->info.stop_returned = true;
    fl_world_release(c->w);
    sv_sup_free(sup);
    c->main_done = true;
}

/* ---- one run ------------------------------------------------------------------------- */

/* The live page's step hook (runner_int.h): one call per step, before the
 * scheduler records the same choice, so runs[] mirrors the run's schedule. */
void fl_runner__live_step(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed) {
    struct fl_runner_live *l = ud;
    (void)step;
    l->steps++;
    for (int i = 0; i < n; i++)
        if (runnable[i] == cur) {
            l->preemptions += chosen != cur;
            break;
        }
    if (l->rec) fl_explore_rec_push(l->rec, cur, runnable, n, chosen, followed);
    if (l->nruns && l->runs[l->nruns - 1].tid == (uint32_t)chosen) {
        l->runs[l->nruns - 1].len++;
    } else if (l->nruns < FL_RUNNER__LIVE_RUNS) {
        l->runs[l->nruns].tid = (uint32_t)chosen;
        l->runs[l->nruns].len = 1;
        l->nruns++;
    } else {
        l->overflow = true;
    }
}

void fl_runner__live_fp(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp) {
    struct fl_runner_live *l = ud;
    (void)step, (void)cur;
    if (l->rec) fl_explore_rec_footprint(l->rec, fp);
}

static int fl_runner__policy(const fl_scenario *s, fl_world *w, fl_oracle_policy **out) {
    int r = fl_oracle_policy_new(fl_world_spec(w), out);
    if (r < 0) return r;
    /* dynamic children, in the order of the start_child calls (libsv
     * appends them to the start order in call order; actions are sorted by
     * time, which is call order) */
    for (size_t i = 0; i < s->nactions; i++) {
        const fl_scenario_action *a = &s->actions[i];
        if (a->kind != FL_SCENARIO_ACT_START || !a->child) continue;
        r = fl_oracle_policy_add_child(*out, a->child->parent->name, fl_world_child_spec(w, a->child));
        if (r < 0 && r != -EEXIST) return r;
    }
    return 0;
}

char *fl_runner__strdupf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0) m = NULL;
    va_end(ap);
    return m;
}

/* Set when a free run had to leave its world allocated (its abandoned
 * threads still use it): fl_world_build refuses every later world of this
 * process (-EBUSY), and begin says why. The scenario's path, for that
 * message, and the world, kept reachable on purpose (it is not a leak). */
static char fl_runner__stuck[256];
static fl_world *fl_runner__stuck_world;
static fl_runner__ctx *fl_runner__stuck_ctx; /* a free run whose main was abandoned */

void fl_runner__out_init(fl_runner_out *out) {
    memset(out, 0, sizeof *out);
    fl_oracle_verdict_init(&out->verdict);
    out->root_exit = -1;
}

int fl_runner__begin(fl_runner__ctx *c, const fl_scenario *s, uint64_t seed, fl_runner_out *out) {
    memset(c, 0, sizeof *c);
    c->s = s;
    c->root_exit = -1;
    c->begun = true;
    out->seed = seed;
    c->states = malloc((s->nexpects ? s->nexpects : 1) * sizeof *c->states);
    c->snap_of = malloc((s->nexpects ? s->nexpects : 1) * sizeof *c->snap_of);
    c->admin = malloc((s->nactions ? s->nactions : 1) * sizeof *c->admin);
    if (!c->states || !c->admin || !c->snap_of) return -ENOMEM;
    for (size_t i = 0; i < s->nexpects; i++) c->states[i] = (fl_scenario_state)-1, c->snap_of[i] = -1;
    int r = fl_world_build(s, seed, &c->w);
    if (r < 0) {
        c->w = NULL;
        if (r == -EBUSY && fl_runner__stuck[0])
            out->sched_report = fl_runner__strdupf("cannot build the run: the free run of %s left threads running in its "
                                                   "world (abandoned), so this process cannot build another; run that "
                                                   "scenario on its own", fl_runner__stuck);
        else
            out->sched_report = fl_runner__strdupf("cannot build the run: %s",
                                                   r == -ENOENT ? "a `user` child names a worker that is not registered (fl_world_register_worker)"
                                                   : r == -EINVAL ? "FAULTLINE_FAILPOINTS is malformed"
                                                   : strerror(-r));
        return r;
    }
    c->spec = *fl_world_spec(c->w);
    c->spec.on_event = fl_runner__on_event;
    c->spec.event_ud = c;
    c->spec.log = fl_runner__on_log;
    c->spec.log_ud = c;
    return 0;
}

/* Free runs: the oracle reasons in virtual time, where a supervisor acts
 * on a report in zero time; on real threads it takes a wake-up. Gaps between
 * consecutive events of at most `slack` are closed (later events move
 * earlier by the closed amount), so that latency reads as "at once" while
 * every gap the scenario meant (work, timeouts, backoff: tens of ms) stays.
 * Returns the original times (malloc'd) for fl_runner__free_times_restore,
 * or NULL (nothing to do, or ENOMEM: *oom). */
static int64_t *fl_runner__free_times_close(fl_event *tr, size_t n, int64_t slack, bool *oom) {
    *oom = false;
    if (n < 2) return NULL;
    int64_t *orig = malloc(n * sizeof *orig);
    if (!orig) {
        *oom = true;
        return NULL;
    }
    int64_t shift = 0;
    for (size_t i = 0; i < n; i++) {
        orig[i] = tr[i].ev.time_ns;
        if (i == 0) continue;
        int64_t gap = orig[i] - orig[i - 1];
        if (gap <= slack) shift += gap; /* negative gaps (emission raced the lock) close too */
        tr[i].ev.time_ns = orig[i] - shift;
    }
    return orig;
}

/* Free runs are judged on what real time cannot change (docs/architecture.md,
 * "Free-running mode"): the order and content of events. Violations of the
 * invariants that reason about how soon something happened, or how many
 * times within a span of time — restart_policy (acted before the stop?),
 * intensity_shutdown (restarts within the period), no_lost_report (acted at
 * once), expectation (counts, states at T) — depend on the machine's load,
 * and are dropped; the structural ones stay: crash_logged_once,
 * joined_before_restart, strategy_set, no_leaked_thread, shutdown_completes.
 * A scenario with early timers (`run timers=P%`) is judged the same way but
 * keeps `expectation` (counts and states do not depend on how soon the
 * supervisor acted): a timer that fires while other threads could still
 * run moves the virtual clock under a supervisor that has not had its
 * turn, which those invariants would take for a late reaction.
 * 0 or -ENOMEM (vd then still holds every violation). */
static int fl_runner__free_structural(fl_oracle_verdict *vd, bool keep_expectation) {
    fl_oracle_verdict kept;
    fl_oracle_verdict_init(&kept);
    size_t dropped = 0;
    for (size_t i = 0; i < vd->n; i++) {
        const fl_oracle_violation *v = &vd->v[i];
        if (v->inv == FL_ORACLE_INV_RESTART_POLICY || v->inv == FL_ORACLE_INV_INTENSITY_SHUTDOWN ||
            v->inv == FL_ORACLE_INV_NO_LOST_REPORT || (v->inv == FL_ORACLE_INV_EXPECTATION && !keep_expectation)) {
            dropped++;
            continue;
        }
        fl_oracle_verdict_add(&kept, v->inv, v->seqs, v->nseqs, "%s", v->message);
    }
    if (!dropped) {
        fl_oracle_verdict_free(&kept);
        return 0;
    }
    if (kept.err < 0) {
        fl_oracle_verdict_free(&kept);
        return -ENOMEM;
    }
    fl_oracle_verdict_free(vd);
    *vd = kept;
    return 0;
}

static void fl_runner__free_times_restore(fl_event *tr, size_t n, int64_t *orig) {
    for (size_t i = 0; orig && i < n; i++) tr[i].ev.time_ns = orig[i];
    free(orig);
}

int fl_runner__judge(fl_runner__ctx *c, const fl_sched_result *res, bool free_run, fl_runner_out *out) {
    const fl_scenario *s = c->s;
    fl_oracle_policy *pol = NULL;
    int64_t *orig = NULL;
    int r;
    /* STALLED (a thread ran uncontrolled: the watchdog's report says which)
     * is a harness-level end: the run proves nothing. */
    static const fl_oracle_end ends[] = {[FL_SCHED_OK] = FL_ORACLE_END_OK, [FL_SCHED_DEADLOCK] = FL_ORACLE_END_DEADLOCK,
                                      [FL_SCHED_BUDGET] = FL_ORACLE_END_BUDGET, [FL_SCHED_DIVERGED] = FL_ORACLE_END_DIVERGED,
                                      [FL_SCHED_STALLED] = FL_ORACLE_END_ERROR};
    c->info.end = (size_t)res->status < sizeof ends / sizeof *ends ? ends[res->status] : FL_ORACLE_END_ERROR;
    c->info.end_detail = res->report;
    c->info.leaked = (const char *const *)res->leaked;
    c->info.nleaked = res->nleaked;
    c->abandoned = free_run && res->nleaked > 0; /* still running: see fl_runner__end */
    c->info.admin = c->admin;
    c->info.nadmin = c->nadmin;
    c->info.snaps = c->snaps;
    c->info.nsnaps = c->nsnaps;
    if (!c->main_done) c->info.stop_returned = false;
    if (c->oom) return -ENOMEM;
    if ((r = fl_runner__policy(s, c->w, &pol)) < 0) goto fail;
    if (free_run) {
        int64_t slack = FL_RUNNER_FREE_SLACK_REAL_NS * (int64_t)(c->time_scale ? c->time_scale : 1);
        bool oom;
        if (slack > FL_RUNNER_FREE_SLACK_MAX_NS) slack = FL_RUNNER_FREE_SLACK_MAX_NS;
        orig = fl_runner__free_times_close(c->trace, c->ntrace, slack, &oom);
        if (oom) { r = -ENOMEM; goto fail; }
    }
    if ((r = fl_oracle_check(pol, c->trace, c->ntrace, &c->info, &out->verdict)) < 0) goto fail;
    if (res->status == FL_SCHED_OK || res->status == FL_SCHED_DEADLOCK || res->status == FL_SCHED_BUDGET) {
        const fl_oracle_snapshot **snaps = calloc(s->nexpects ? s->nexpects : 1, sizeof *snaps);
        if (!snaps) { r = -ENOMEM; goto fail; }
        for (size_t i = 0; i < s->nexpects; i++) snaps[i] = c->snap_of[i] >= 0 ? &c->snaps[c->snap_of[i]] : NULL;
        fl_oracle_observed obs = {.root_exit = c->main_done ? c->root_exit : -2, .states = c->states,
                           .log = (const char *const *)c->log, .nlog = c->nlog, .snaps = snaps,
                           .start_err = c->info.start_failed ? c->info.start_err : 0};
        r = fl_oracle_expect(s, c->trace, c->ntrace, &obs, &out->verdict);
        free(snaps);
        if (r < 0) goto fail;
    }
    for (size_t i = 0; i < c->nmismatch; i++)
        fl_oracle_verdict_add(&out->verdict, FL_ORACLE_INV_EXPECTATION, NULL, 0, "%s", c->mismatch[i]);
    if ((r = out->verdict.err) < 0) goto fail;
    if ((free_run || s->run.timer_ppm) && (r = fl_runner__free_structural(&out->verdict, !free_run)) < 0) goto fail;
    char desc[1024];
    fl_world_describe(c->w, desc, sizeof desc);
    r = -ENOMEM;
    if (!(out->describe = strdup(desc))) goto fail;
    /* a free run has no schedule: out->schedule stays NULL (never a made-up one) */
    if (!free_run && res->schedule && !(out->schedule = strdup(res->schedule))) goto fail;
    if (res->report && !(out->sched_report = strdup(res->report))) goto fail;
    out->status = res->status;
    out->steps = res->steps;
    out->preemptions = res->preemptions;
    out->choices = res->choices;
    /* free runs: the platform measured real time; report scenario time */
    out->virtual_ns = free_run && c->time_scale > 1 ? res->virtual_ns * (int64_t)c->time_scale : res->virtual_ns;
    out->root_exit = c->root_exit;
    if (!free_run && (r = fl_runner__threads(res, out)) < 0) goto fail;
    r = 0;
fail:
    fl_runner__free_times_restore(c->trace, c->ntrace, orig);
    fl_oracle_policy_free(pol);
    return r;
}

/* A free run: wait (real time, bounded) until no scripted incarnation is
 * left in the interpreter, as fl_world_free requires on a real platform.
 * false: some are still inside (abandoned threads that outlived the free
 * run's grace); the world must then not be freed. */
static bool fl_runner__world_quiet(const fl_world *w) {
    for (int i = 0; i < 1000 && fl_world_inside(w) > 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return fl_world_inside(w) == 0;
}

void fl_runner__end(fl_runner__ctx *c, fl_runner_out *out) {
    if (!c->begun) return;
    if (out) {
        out->trace = c->trace;
        out->ntrace = c->ntrace;
        out->log = c->log;
        out->nlog = c->nlog;
    } else {
        for (size_t i = 0; i < c->ntrace; i++) fl_runner_event_clear(&c->trace[i]);
        free(c->trace);
        for (size_t i = 0; i < c->nlog; i++) free(c->log[i]);
        free(c->log);
    }
    for (size_t i = 0; i < c->nmismatch; i++) free(c->mismatch[i]);
    free(c->mismatch);
    free(c->states);
    free(c->snap_of);
    free(c->admin);
    fl_runner__snapshots_free(c);
    if (c->w && (!c->free_run || (!c->abandoned && fl_runner__world_quiet(c->w)))) fl_world_free(c->w);
    else if (c->w) {
        snprintf(fl_runner__stuck, sizeof fl_runner__stuck, "%s", c->s->path);
        fl_runner__stuck_world = c->w;
    }
    memset(c, 0, sizeof *c);
}

/* A run that shows the scenario cannot run as written is refused (-EINVAL,
 * out->sched_report "file:line:col: …"; the CLI exits 2, as for a parse
 * error), never judged: libsv refused the tree itself (sv_sup_start failed
 * before the root's SUP_START, and no `expect refused` says that is the
 * point), or the run used every thread the controlled scheduler has (starts
 * then fail for the harness's sake, not libsv's). 0 otherwise. */
static int fl_runner__refused(const fl_runner__ctx *c, const fl_sched_result *res, fl_runner_out *out) {
    const fl_scenario *s = c->s;
    if (res->threads >= FL_SCHED_MAX_THREADS) {
        out->sched_report = fl_runner__strdupf("%s:%d:%d: the run needs more than %d threads, the controlled "
                                               "scheduler's limit: the scenario cannot run as written",
                                               s->path, s->root->line, s->root->col, FL_SCHED_MAX_THREADS);
        return -EINVAL;
    }
    if (!c->info.start_failed || s->expect_refused) return 0;
    for (size_t i = 0; i < c->ntrace; i++)
        if (c->trace[i].ev.kind == SV_EV_SUP_START) return 0; /* a child's start failed: libsv's behaviour */
    const char *nm = fl_scenario_errno_name(c->info.start_err);
    out->sched_report = fl_runner__strdupf("%s:%d:%d: libsv refused this supervisor tree (sv_sup_start: %s%s%d): "
                                           "the scenario cannot run as written (write `expect refused %s` if the "
                                           "refusal is what it tests)", s->path, s->root->line, s->root->col,
                                           nm ? nm : "", nm ? " " : "", c->info.start_err, nm ? nm : "E…");
    return -EINVAL;
}

int fl_runner_run(const fl_scenario *s, const fl_runner_params *p, fl_runner_out *out) {
    fl_runner__out_init(out);
    uint64_t seed = p->seed;
    bool explored = false; /* replaying a schedule that explore found */
    if (p->strategy == FL_SCHED_STRAT_REPLAY) {
        fl_sched_schedule sc;
        char err[160];
        if (!p->schedule || fl_sched_schedule_parse(p->schedule, &sc, err, sizeof err) < 0) {
            out->sched_report = fl_runner__strdupf("%s", p->schedule ? err : "replay needs a schedule");
            return -EINVAL;
        }
        seed = sc.seed;
        explored = sc.strategy == FL_SCHED_STRAT_DFS;
        fl_sched_schedule_free(&sc);
    }
    bool free_run = p->strategy == FL_SCHED_STRAT_FREE;
    fl_sched_result res = {0};
    /* heap, not stack: a free run whose main never returned leaves threads
     * that still point at it (see below) */
    fl_runner__ctx *c = calloc(1, sizeof *c);
    if (!c) return -ENOMEM;
    int r = fl_runner__begin(c, s, seed, out);
    if (r < 0) goto done;
    c->free_run = free_run;
    /* the root's own view, checked by the oracle (children_view); explore
     * takes no periodic snapshots (they would multiply its schedules), so
     * the replay of a schedule it found takes none either; nor do free runs
     * (real time: TSan's runs, kept as light as before) */
    if (!explored && !free_run)
        c->snap_period = s->run.duration_ns / FL_RUNNER__SNAP_MAX > FL_RUNNER__SNAP_PERIOD_NS
                             ? s->run.duration_ns / FL_RUNNER__SNAP_MAX : FL_RUNNER__SNAP_PERIOD_NS;
    if (free_run) c->time_scale = p->time_scale ? p->time_scale : FL_RUNNER_FREE_TIME_SCALE;
    fl_sched_opts o = {.strategy = p->strategy, .seed = seed, .depth = p->depth,
                       .step_budget = p->budget, .schedule = p->schedule, .pct_k = p->pct_k,
                       .timer_ppm = s->run.timer_ppm}; /* early timers: random and pct only */
    if (p->live && !free_run) {
        /* the pool's child publishes every choice, a replay's too (it may
         * die on the way: its parent then builds the open schedule) */
        fl_sched_hook hook = {.step = fl_runner__live_step, .ud = p->live,
                              .footprint = p->live->rec ? fl_runner__live_fp : NULL};
        fl_sched_schedule sc = {0};
        bool replay = p->strategy == FL_SCHED_STRAT_REPLAY;
        if (replay && fl_sched_schedule_parse(p->schedule, &sc, NULL, 0) < 0) r = -EINVAL; /* parsed above */
        else r = fl_sched_run_ex(&o, replay ? &sc : NULL, fl_runner__main, c, &res, &hook);
        fl_sched_schedule_free(&sc);
    } else {
        r = fl_sched_run(&o, fl_runner__main, c, &res);
    }
    if (r < 0) {
        out->sched_report = res.report ? strdup(res.report) : fl_runner__strdupf("fl_sched_run: %s", strerror(-r));
        goto done;
    }
    if (free_run && res.status == FL_SCHED_BUDGET) {
        /* The free platform abandoned main (it did not return within its
         * limit): main and the tree's threads may still use c, the world
         * and the trace. Leave all of it allocated, report the run. */
        r = fl_oracle_verdict_add(&out->verdict, FL_ORACLE_INV_SHUTDOWN_COMPLETES, NULL, 0, "%s",
                           res.report ? res.report : "free run: main did not return");
        out->status = res.status;
        out->virtual_ns = res.virtual_ns;
        if (r >= 0 && res.report && !(out->sched_report = strdup(res.report))) r = -ENOMEM;
        snprintf(fl_runner__stuck, sizeof fl_runner__stuck, "%s", s->path);
        fl_runner__stuck_world = c->w;
        fl_runner__stuck_ctx = c;
        fl_sched_result_free(&res);
        return r;
    }
    if ((r = fl_runner__refused(c, &res, out)) < 0) goto done;
    r = fl_runner__judge(c, &res, free_run, out);
done:
    fl_runner__end(c, out);
    free(c);
    fl_sched_result_free(&res);
    return r;
}

void fl_runner_out_free(fl_runner_out *out) {
    if (!out) return;
    for (size_t i = 0; i < out->ntrace; i++) fl_runner_event_clear(&out->trace[i]);
    free(out->trace);
    for (size_t i = 0; i < out->nlog; i++) free(out->log[i]);
    free(out->log);
    fl_oracle_verdict_free(&out->verdict);
    free(out->schedule);
    free(out->sched_report);
    free(out->describe);
    for (size_t i = 0; i < out->nthreads; i++) free((char *)out->threads[i].name);
    free(out->threads);
    memset(out, 0, sizeof *out);
}
