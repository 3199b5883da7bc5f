/*
 * cond_misuse.c — a job queue: one producer, two consumers, a mutex and a
 * condition variable "not empty".
 *
 * Bug: a consumer waits with `if (count == 0) pthread_cond_wait(...)` and
 * then pops without re-checking. A wake-up is not a guarantee: between the
 * producer's signal and the woken consumer re-taking the mutex, the other
 * consumer can take the mutex and pop the item (a stolen wake-up; a
 * spurious wake-up does the same). Interleaving: consumer A finds the queue
 * empty and waits; the producer pushes one job and signals A; before A
 * runs, consumer B locks, sees count == 1 and pops it; A re-takes the mutex
 * and pops from an empty queue: assert(count > 0) fails (SIGABRT).
 * Scheduling points: pthread_mutex_lock / pthread_cond_wait /
 * pthread_cond_signal / pthread_mutex_unlock in push() and pop().
 *
 * Fix (-DFIXED): `while (count == 0) pthread_cond_wait(...)`.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

enum { NJOBS = 8, NCONSUMERS = 2, CAP = NJOBS };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int queue[CAP];
static int head, count;
static long total;

static void push(int job)
{
    pthread_mutex_lock(&lock);
    queue[(head + count) % CAP] = job;
    count++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
}

static int pop(void)
{
    pthread_mutex_lock(&lock);
#ifdef FIXED
    while (count == 0)
        pthread_cond_wait(&not_empty, &lock);
#else
    if (count == 0)
        pthread_cond_wait(&not_empty, &lock);
#endif
    assert(count > 0);
    int job = queue[head];
    head = (head + 1) % CAP;
    count--;
    pthread_mutex_unlock(&lock);
    return job;
}

static void *consumer(void *arg)
{
    (void)arg;
    long sum = 0;
    for (int i = 0; i < NJOBS / NCONSUMERS; i++)
        sum += pop();
    pthread_mutex_lock(&lock);
    total += sum;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t tid[NCONSUMERS];

    for (int i = 0; i < NCONSUMERS; i++)
        if (pthread_create(&tid[i], NULL, consumer, NULL) != 0)
            return 2;
    for (int job = 1; job <= NJOBS; job++)
        push(job);
    for (int i = 0; i < NCONSUMERS; i++)
        pthread_join(tid[i], NULL);

    printf("jobs done, checksum %ld\n", total);
    return total == NJOBS * (NJOBS + 1) / 2 ? 0 : 1;
}
