/*
 * reorder.c — two variables published in the wrong order.
 *
 * The writer computes `data` (a checksum of a table), stores it, then
 * raises the atomic flag `ready`; the reader polls `ready` up to 50 times
 * (sched_yield between polls) and uses `data` once it sees the flag.
 * Bug: the writer raises `ready` first and computes and stores `data` after, so a reader that polls while the
 * writer computes sees the flag without the data: assert(data == 64)
 * fails (SIGABRT).
 * Scheduling points without instrumentation: the reader's sched_yield,
 * never inside the writer, which runs from its creation to its end in one
 * go. With `faultline cc` every access to the globals is a point: the
 * writer's reads of the table open the window.
 *
 * Fix (-DFIXED): data first, then the flag (a release store that the
 * reader's acquire load pairs with).
 */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

enum { N = 8, POLLS = 50 };
static int table[N]; /* filled by main before the threads start */
static int data;
static atomic_int ready;

static int checksum(void)
{
    int s = 0;
    for (int i = 0; i < N; i++) s += table[i];
    return s;
}

static void *writer(void *arg)
{
    (void)arg;
#ifdef FIXED
    data = checksum();
    atomic_store_explicit(&ready, 1, memory_order_release);
#else
    atomic_store_explicit(&ready, 1, memory_order_release);
    data = checksum();
#endif
    return NULL;
}

static void *reader(void *arg)
{
    int *seen = arg;
    /* a bounded poll: a reader that gives up is not a failure */
    for (int i = 0; i < POLLS; i++) {
        if (atomic_load_explicit(&ready, memory_order_acquire)) {
            assert(data == 64);
            *seen = data;
            break;
        }
        sched_yield();
    }
    return NULL;
}

int main(void)
{
    pthread_t w, r;
    int seen = 0;
    for (int i = 0; i < N; i++) table[i] = 2 * i + 1;
    pthread_create(&r, NULL, reader, &seen);
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    printf("reader saw %d\n", seen);
    return 0;
}
