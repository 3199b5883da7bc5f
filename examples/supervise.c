/*
 * supervise.c — libsv in one page: three workers under one supervisor, one
 * of which panics every so often. Runs about two seconds, then stops.
 *
 * stderr shows the default log sink at work: for every crash a "logged"
 * line (message + backtrace), a "joined" line and a "restarted" line, and a
 * final "shutdown" line. Exit status 0 when every crash was followed by a
 * restart and the supervisor stopped cleanly.
 */
#include "sv.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_uint crashes, restarts;

/* A steady worker: ticks until asked to stop. */
static int ticker(sv_worker *w, void *arg)
{
    atomic_uint *ticks = arg;
    while (sv_worker_sleep(w, 20) == 0) atomic_fetch_add(ticks, 1);
    return 0;
}

/* A flaky worker: does a little work, then loses its "device". */
static int flaky(sv_worker *w, void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        if (sv_worker_sleep(w, 30) != 0) return 0; /* stopped: normal end */
    sv_panic("lost the device after %d polls (incarnation %u)", 5, sv_worker_incarnation(w));
}

static void count_events(void *ud, const sv_event *ev)
{
    (void)ud;
    if (ev->kind == SV_EV_CRASH) atomic_fetch_add(&crashes, 1);
    if (ev->kind == SV_EV_RESTARTED) atomic_fetch_add(&restarts, 1);
}

int main(void)
{
    static atomic_uint ticks_a, ticks_b;
    sv_child_spec kids[3];
    sv_child_spec_init(&kids[0], "ticker-a", ticker, &ticks_a);
    sv_child_spec_init(&kids[1], "flaky", flaky, NULL);
    sv_child_spec_init(&kids[2], "ticker-b", ticker, &ticks_b);

    sv_sup_spec spec;
    sv_sup_spec_init(&spec, "example");
    spec.children = kids;
    spec.nchildren = 3;
    spec.intensity = 100; /* generous: 100 restarts ... */
    spec.period_ms = 1000; /* ... per second */
    spec.on_event = count_events;

    sv_sup *sup;
    int err = sv_sup_start(&spec, &sup);
    if (err) {
        fprintf(stderr, "supervise: sv_sup_start: %d\n", err);
        return 1;
    }
    int reason;
    int rc = sv_sup_wait(sup, 2000, &reason); /* -ETIMEDOUT: still running, as it should */
    sv_sup_free(sup);

    unsigned c = atomic_load(&crashes), r = atomic_load(&restarts);
    printf("supervise: %u crashes, %u restarts, tickers at %u and %u\n", c, r, atomic_load(&ticks_a),
           atomic_load(&ticks_b));
    if (rc == 0) {
        fprintf(stderr, "supervise: supervisor exited early (reason %s)\n", sv_exit_name(reason));
        return 1;
    }
    /* The last crash may have been cut short by the stop. */
    return c > 0 && r + 1 >= c ? 0 : 1;
}
