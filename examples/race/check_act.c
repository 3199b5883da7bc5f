/*
 * check_act.c — check-then-act on a plain flag.
 *
 * Both workers call setup() before they work; setup() runs the one-time
 * initialisation when `initialized` is still clear, then sets it. Bug: the
 * check and the set are two plain accesses, so both workers can see the
 * flag clear and both initialise: assert(inits == 1) fails (SIGABRT).
 * Scheduling points without instrumentation: the workers' creation and
 * joins only; setup() runs in one go. With `faultline cc` the load of the
 * flag and its store are points.
 *
 * Fix (-DFIXED): pthread_once.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static int inits;
static int table[8];

static void init_table(void)
{
    inits++;
    for (int i = 0; i < 8; i++) table[i] = i * i;
}

#ifdef FIXED
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void setup(void) { pthread_once(&once, init_table); }
#else
static int initialized;
static void setup(void)
{
    if (!initialized) {
        init_table();
        initialized = 1;
    }
}
#endif

static void *worker(void *arg)
{
    int *sum = arg;
    setup();
    for (int i = 0; i < 8; i++) *sum += table[i];
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    int sa = 0, sb = 0;
    pthread_create(&a, NULL, worker, &sa);
    pthread_create(&b, NULL, worker, &sb);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("sums %d %d, inits %d\n", sa, sb, inits);
    assert(inits == 1);
    return 0;
}
