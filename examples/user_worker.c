/*
 * user_worker.c — your own workers under faultline, end to end.
 *
 * A job dispatcher, written against libsv (sv.h) and the platform seam
 * (sv_plat.h) like production code: each incarnation owns a small job table
 * and two executor threads. Every 50 ms it posts a batch of jobs; an
 * executor takes a PENDING job, resolves its handler (a lookup that may
 * block, so it is done outside the lock) and runs it. At the end of each
 * batch the dispatcher checks its invariant — every job ran exactly once —
 * and sv_panic()s when it does not hold, so the supervisor logs the crash
 * and restarts it.
 *
 * Handlers are cached per incarnation, so the lookup only happens on a
 * cache miss: in the first batches after a (re)start.
 *
 * The bug ("dispatcher"): check-then-act across a lock gap, on the slow path
 * only. On a cache miss the executor sees the job PENDING under the lock,
 * unlocks to resolve the handler, relocks and only then marks the job
 * taken. A second executor that looks inside that gap sees the same job
 * PENDING too: the job runs twice. It can only happen while the cache is
 * cold — right after start-up or a restart — and only with a preemption
 * inside the lookup: in production it shows as a rare duplicate right
 * after a deploy, gone by the time anyone looks. faultline's scheduler
 * switches threads at exactly those points, finds it in the first seeds,
 * and replays the interleaving step for step.
 *
 * The fix ("dispatcher_fixed"): claim the job in the same critical section
 * that saw it PENDING, then resolve and run it outside the lock.
 *
 * The program registers both workers and hands over to the faultline
 * command, so this binary is a `faultline` that also knows your workers:
 *
 *     make                                   # builds build/examples/user_worker
 *     build/examples/user_worker run examples/user_worker.scn        # FAIL + replay line
 *     build/examples/user_worker replay examples/user_worker.scn --schedule fl1:…
 *     build/examples/user_worker run examples/user_worker_fixed.scn  # passes
 *
 * (examples/README.md walks through it with real output.)
 *
 * Rules a worker under faultline follows: block only through the seam
 * (sv_mutex_*, sv_cond_*, sv_thread_*, sv_yield, sv_worker_sleep), so that
 * the controlled scheduler sees every step; keep per-incarnation state in
 * the incarnation (here: on its stack), so that every run starts afresh and
 * a seed replays exactly; and never leave a thread behind, not even when
 * crashing (the oracle reports leaked threads).
 */
#include "sv.h"
#include "sv_plat.h"

#include "cli/fl_cli.h"       /* fl_cli_main: the whole faultline command */
#include "failpoint/fl_failpoint.h" /* fl_fp_eval: this worker's own fault-injection point */
#include "world/fl_world.h"    /* fl_world_register_worker */

#include <stdbool.h>
#include <stdio.h>

#define NJOBS 3
#define NEXEC 2
#define NKINDS 4 /* job kinds, one handler each */
#define BATCH_EVERY_MS 50

typedef enum job_state { JOB_FREE, JOB_PENDING, JOB_CLAIMED, JOB_DONE } job_state;

typedef struct job {
    job_state state;
    unsigned kind; /* which handler runs it */
    int runs;      /* times a handler ran it; the invariant: 1 per batch */
} job;

typedef struct dispatcher_cfg {
    const char *name;
    bool claim_in_lock; /* false: the bug */
} dispatcher_cfg;

/* One incarnation's state. Lock order: only m. Every field below m is read
 * and written with m held. */
typedef struct dispatcher {
    const dispatcher_cfg *cfg;
    sv_mutex m;
    sv_cond work; /* jobs were posted, or closing */
    sv_cond idle; /* an executor finished a job */
    job jobs[NJOBS];
    unsigned handler[NKINDS]; /* the cache: 0 = not resolved yet */
    int busy;     /* executors between taking a job and finishing it */
    bool closing;
} dispatcher;

/* The handler lookup: may block (a registry behind its own lock, a config
 * reload...). One scheduling point stands in for it. Never returns 0. */
static unsigned resolve_handler(unsigned kind)
{
    sv_yield();
    return 100 + kind;
}

static void run_handler(unsigned handler, job *j)
{
    (void)handler;
    (void)j;
    sv_yield(); /* the job's work */
}

/* A PENDING job, or NULL, scanning from slot `from` on so that executors
 * spread over the batch instead of all queueing for slot 0. m held. */
static job *find_pending(dispatcher *d, int from)
{
    for (int k = 0; k < NJOBS; k++) {
        job *j = &d->jobs[(from + k) % NJOBS];
        if (j->state == JOB_PENDING) return j;
    }
    return NULL;
}

typedef struct executor_arg {
    dispatcher *d;
    int slot; /* where this executor starts looking for work */
} executor_arg;

static void *executor(void *arg)
{
    const executor_arg *a = arg;
    dispatcher *d = a->d;
    sv_mutex_lock(&d->m);
    for (;;) {
        job *j = NULL;
        while (!d->closing && !(j = find_pending(d, a->slot))) sv_cond_wait(&d->work, &d->m, SV_FOREVER);
        if (d->closing) break;
        d->busy++;
        unsigned handler = d->handler[j->kind];
        if (handler) { /* fast path: seen PENDING and taken in one critical section */
            j->state = JOB_CLAIMED;
        } else if (d->cfg->claim_in_lock) {
            j->state = JOB_CLAIMED; /* take it first, then look the handler up */
            sv_mutex_unlock(&d->m);
            handler = resolve_handler(j->kind);
            sv_mutex_lock(&d->m);
            d->handler[j->kind] = handler;
        } else {
            sv_mutex_unlock(&d->m);
            handler = resolve_handler(j->kind); /* the gap: another executor may take j too */
            sv_mutex_lock(&d->m);
            d->handler[j->kind] = handler;
            j->state = JOB_CLAIMED;
        }
        j->runs++;
        sv_mutex_unlock(&d->m);
        run_handler(handler, j);
        sv_mutex_lock(&d->m);
        j->state = JOB_DONE;
        d->busy--;
        sv_cond_signal(&d->idle);
    }
    sv_mutex_unlock(&d->m);
    return NULL;
}

/* Post one batch and wait until it is through. Returns the index of a job
 * that did not run exactly once (and *runs), or -1. */
static int run_batch(dispatcher *d, unsigned batch, int *runs)
{
    sv_mutex_lock(&d->m);
    for (int i = 0; i < NJOBS; i++)
        d->jobs[i] = (job){.state = JOB_PENDING, .kind = (batch * NJOBS + (unsigned)i) % NKINDS};
    sv_cond_broadcast(&d->work);
    for (;;) {
        bool through = d->busy == 0;
        for (int i = 0; i < NJOBS; i++) through = through && d->jobs[i].state == JOB_DONE;
        if (through) break;
        sv_cond_wait(&d->idle, &d->m, SV_FOREVER);
    }
    int bad = -1;
    for (int i = 0; i < NJOBS && bad < 0; i++)
        if (d->jobs[i].runs != 1) {
            bad = i;
            *runs = d->jobs[i].runs;
        }
    sv_mutex_unlock(&d->m);
    return bad;
}

/* Stop and join the executors that were started. */
static void stop_executors(dispatcher *d, sv_thread **t, int n)
{
    sv_mutex_lock(&d->m);
    d->closing = true;
    sv_cond_broadcast(&d->work);
    sv_mutex_unlock(&d->m);
    for (int i = 0; i < n; i++) sv_thread_join(t[i], SV_FOREVER);
}

/* The worker (sv_worker_fn): arg is a const dispatcher_cfg *. Runs batches
 * until stopped (returns 0), or crashes: sv_panic when a job did not run
 * exactly once, or when the failpoint "dispatcher.batch" fires (a lost job
 * source); returns sv_thread_create's error (-EAGAIN, -ENOMEM) when it
 * cannot start its executors. Its executors are joined before any return
 * or panic. */
static int dispatcher_worker(sv_worker *w, void *arg)
{
    dispatcher d = {.cfg = arg};
    sv_mutex_init(&d.m);
    sv_cond_init(&d.work);
    sv_cond_init(&d.idle);
    sv_thread *t[NEXEC];
    executor_arg ea[NEXEC];
    int n = 0, rc = 0, bad = -1, runs = 0, fault = 0;
    unsigned batch = 0;
    static const char *const names[NEXEC] = {"exec-1", "exec-2"};
    for (; n < NEXEC; n++) {
        ea[n] = (executor_arg){&d, n};
        if ((rc = sv_thread_create(&t[n], executor, &ea[n], names[n])) < 0) goto out;
    }
    while (!sv_worker_stopping(w)) {
        if ((fault = fl_fp_eval("dispatcher.batch")) != 0) break;
        if ((bad = run_batch(&d, batch, &runs)) >= 0) break;
        batch++;
        if (sv_worker_sleep(w, BATCH_EVERY_MS) != 0) break; /* asked to stop */
    }
out:
    stop_executors(&d, t, n);
    sv_cond_destroy(&d.idle);
    sv_cond_destroy(&d.work);
    sv_mutex_destroy(&d.m);
    if (bad >= 0)
        sv_panic("%s: job %u of batch %u ran %d times (double dispatch)", d.cfg->name, batch * NJOBS + (unsigned)bad,
                 batch, runs);
    if (fault) sv_panic("%s: job source lost (failpoint dispatcher.batch returned %d)", d.cfg->name, fault);
    return rc;
}

static const dispatcher_cfg buggy = {"dispatcher", false};
static const dispatcher_cfg fixed = {"dispatcher_fixed", true};

int main(int argc, char **argv)
{
    int r;
    if ((r = fl_world_register_worker(buggy.name, dispatcher_worker, (void *)&buggy)) < 0 ||
        (r = fl_world_register_worker(fixed.name, dispatcher_worker, (void *)&fixed)) < 0) {
        fprintf(stderr, "user_worker: fl_world_register_worker: error %d\n", r);
        return 2;
    }
    return fl_cli_main(argc, argv, stdout, stderr);
}
