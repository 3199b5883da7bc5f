/*
 * loop_atomicity.c — an atomicity violation inside a 100-iteration loop.
 *
 * Two workers each run 100 iterations. Every iteration logs under
 * log_lock (a scheduling point per iteration even without
 * instrumentation), then bumps `hits` outside it: read, add, write. The
 * bump is not atomic, so an update is lost when the other worker writes
 * between the read and the write: assert(hits == 200) fails (SIGABRT).
 * Scheduling points without instrumentation: the log lock, once per
 * iteration, never between the read and the write of `hits`. With
 * `faultline cc` both accesses are points.
 *
 * Fix (-DFIXED): the bump moves inside the critical section.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

enum { ITERS = 100 };

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int logged;
static int hits;

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&log_lock);
        logged++;
#ifdef FIXED
        hits = hits + 1;
#endif
        pthread_mutex_unlock(&log_lock);
#ifndef FIXED
        int h = hits;
        hits = h + 1;
#endif
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, worker, NULL);
    pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("logged %d, hits %d\n", logged, hits);
    assert(hits == 2 * ITERS);
    return 0;
}
