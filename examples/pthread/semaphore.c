/*
 * semaphore.c — a bounded buffer between a producer (main) and a consumer
 * thread, with the two classic POSIX semaphores: `slots` (free places) and
 * `items` (filled places), and a mutex for the ring indices.
 *
 * Bug: the producer posts `items` BEFORE it has stored the item (the
 * sem_post sits one statement too early, "announce, then write"). The
 * counts stay balanced, so nothing hangs, but the consumer may act on an
 * announcement whose item is not there yet. Interleaving: the buffer is
 * empty and the consumer is blocked in sem_wait(&items); the producer
 * posts `items`; the consumer wakes, takes the mutex before the producer
 * does and finds the ring empty: assert(count > 0) fails (SIGABRT).
 * Natively the consumer thread usually starts after main has produced
 * everything, so the program usually works.
 * Scheduling points: sem_wait / sem_post on both semaphores and the
 * pthread_mutex_lock / pthread_mutex_unlock around the ring.
 *
 * Fix (-DFIXED): store under the mutex first, then sem_post(&items).
 */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

enum { CAP = 8, NITEMS = 6 };

static sem_t slots, items;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static int ring[CAP];
static int head, count;

static void put(int v)
{
    sem_wait(&slots);
#ifndef FIXED
    sem_post(&items);
#endif
    pthread_mutex_lock(&ring_lock);
    ring[(head + count) % CAP] = v;
    count++;
    pthread_mutex_unlock(&ring_lock);
#ifdef FIXED
    sem_post(&items);
#endif
}

static int get(void)
{
    sem_wait(&items);
    pthread_mutex_lock(&ring_lock);
    assert(count > 0);
    int v = ring[head];
    head = (head + 1) % CAP;
    count--;
    pthread_mutex_unlock(&ring_lock);
    sem_post(&slots);
    return v;
}

static void *consumer(void *arg)
{
    long *sum = arg;
    for (int i = 0; i < NITEMS; i++)
        *sum += get();
    return NULL;
}

int main(void)
{
    pthread_t tid;
    long sum = 0;

    if (sem_init(&slots, 0, CAP) != 0 || sem_init(&items, 0, 0) != 0)
        return 2;
    if (pthread_create(&tid, NULL, consumer, &sum) != 0)
        return 2;

    for (int i = 1; i <= NITEMS; i++)
        put(i);
    pthread_join(tid, NULL);
    sem_destroy(&slots);
    sem_destroy(&items);

    printf("received %d items, sum %ld\n", NITEMS, sum);
    return sum == NITEMS * (NITEMS + 1) / 2 ? 0 : 1;
}
