/*
 * identical.c — N identical workers (same start routine, same argument):
 * each adds its share to a counter under a lock, and main checks the total.
 * `identical N` (default 8) is correct; `identical N split` reads the
 * counter under the lock and writes it under a second hold of the lock: a
 * lost update, found with one preemption. The workers are interchangeable
 * (the program's result never depends on which of them does what), the
 * promise `faultline exec --explore --symmetric` takes.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int split;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    long v = counter;
    if (split) {
        pthread_mutex_unlock(&mu);
        pthread_mutex_lock(&mu);
    }
    counter = v + 1;
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 8;
    split = argc > 2 && strcmp(argv[2], "split") == 0;
    if (n < 1 || n > 64) return 2;
    pthread_t t[64];
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("counter %ld of %d\n", counter, n);
    assert(counter == n);
    return 0;
}
