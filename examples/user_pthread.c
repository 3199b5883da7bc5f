/*
 * user_pthread.c — a user worker written with plain pthreads, under control.
 *
 * A cache warmer: each batch, the worker starts two loader threads with
 * pthread_create; each loads one entry and bumps a shared `loaded` count
 * under a pthread mutex, then the worker joins them and checks that both
 * entries are counted. Nothing here knows faultline: pthread_create,
 * pthread_mutex_lock and usleep are the C library's names. In a faultline
 * binary they are interposed (docs/pthread.md), so the loaders are
 * controlled threads and the scheduler chooses every interleaving.
 *
 * The bug ("warmer"): the count is read in one critical section and written
 * back in another (the load happens in between, outside the lock), so two
 * loaders can both read 0 and both write 1: a lost update. The worker then
 * panics, the supervisor logs and restarts it, and the scenario's
 * `expect crashes w = 0` fails with a replay line.
 * The fix ("warmer_fixed"): increment in one critical section.
 *
 * "warmer_assert" has the same bug, caught where real code often catches
 * it: an assert() in the loader thread itself (each loader counts itself
 * done and asserts that every finished load is counted). The failing
 * assert aborts the process; faultline runs each run of such a scenario,
 * and each replay and shrink attempt, in a child process, so that is a
 * reported failure with the assert's words and a replay line, never the
 * death of the tool (examples/user_pthread_assert.scn).
 *
 *     build/examples/user_pthread run examples/user_pthread.scn        # FAIL + replay
 *     build/examples/user_pthread run examples/user_pthread_fixed.scn  # passes
 */
#include "sv.h"

#include "cli/fl_cli.h"
#include "world/fl_world.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

typedef struct warm {
    pthread_mutex_t lock;
    int loaded, done;
    bool fixed, check;
} warm;

static void *loader(void *arg)
{
    warm *w = arg;
    if (w->fixed) {
        usleep(100); /* the load */
        pthread_mutex_lock(&w->lock);
        w->loaded++;
        pthread_mutex_unlock(&w->lock);
        return NULL;
    }
    pthread_mutex_lock(&w->lock);
    int seen = w->loaded;
    pthread_mutex_unlock(&w->lock);
    usleep(100); /* the load, outside the lock */
    pthread_mutex_lock(&w->lock);
    w->loaded = seen + 1;
    w->done++;
    if (w->check) assert(w->loaded == w->done); /* every finished load is counted */
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int warmer_run(sv_worker *self, bool fixed, bool check)
{
    while (!sv_worker_stopping(self)) {
        warm w = { .fixed = fixed, .check = check };
        pthread_mutex_init(&w.lock, NULL);
        pthread_t t[2];
        for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, loader, &w);
        for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
        pthread_mutex_destroy(&w.lock);
        if (w.loaded != 2) sv_panic("cache warm-up lost an entry: %d of 2 counted", w.loaded);
        sv_worker_sleep(self, 50);
    }
    return 0;
}

/* "fresh": a worker that keeps state in a global, as real code does. Each
 * run of a scenario starts from a fresh process, so its first start never
 * sees an earlier run's state (examples/user_fresh.scn). */
static int fresh_starts;
static int fresh(sv_worker *self, void *arg)
{
    (void)arg;
    if (fresh_starts++) sv_panic("state left by an earlier run: %d starts in this process", fresh_starts);
    while (!sv_worker_stopping(self)) sv_worker_sleep(self, 50);
    return 0;
}

static int warmer(sv_worker *self, void *arg) { (void)arg; return warmer_run(self, false, false); }
static int warmer_fixed(sv_worker *self, void *arg) { (void)arg; return warmer_run(self, true, false); }
static int warmer_assert(sv_worker *self, void *arg) { (void)arg; return warmer_run(self, false, true); }

int main(int argc, char **argv)
{
    if (fl_world_register_worker("warmer", warmer, NULL) < 0 ||
        fl_world_register_worker("warmer_fixed", warmer_fixed, NULL) < 0 ||
        fl_world_register_worker("warmer_assert", warmer_assert, NULL) < 0 ||
        fl_world_register_worker("fresh", fresh, NULL) < 0) {
        fprintf(stderr, "user_pthread: cannot register workers\n");
        return 2;
    }
    return fl_cli_main(argc, argv, stdout, stderr);
}
