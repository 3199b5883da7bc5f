/*
 * atomicity2.c — a pool of buffers with its free count and its slot table
 * under two different locks.
 *
 * `nfree` is guarded by count_lock, the `used[]` table by slots_lock.
 * acquire() checks `nfree > 0` under count_lock, then picks a slot under
 * slots_lock, then decrements `nfree` under count_lock again.
 *
 * Bug: check-then-act across two critical sections under two locks. Every
 * access is locked (no data race), but the check and the act are not one
 * atomic step. Interleaving: one slot left; worker A sees nfree == 1 and
 * unlocks count_lock; worker B sees nfree == 1 too and takes the last slot
 * under slots_lock; A then finds no free slot: assert(slot >= 0) fails
 * (SIGABRT).
 * Scheduling points: pthread_mutex_unlock(&count_lock) after the check and
 * pthread_mutex_lock(&slots_lock) before the act.
 *
 * Fix (-DFIXED): reserve in the check — decrement `nfree` in the same
 * critical section that saw it positive, then pick the slot; release frees
 * the slot before it gives the count back, so nfree never exceeds the
 * number of free slots.
 */
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

enum { NSLOTS = 2, NWORKERS = 3, ROUNDS = 3 };

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int nfree = NSLOTS;
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static bool used[NSLOTS];

/* Returns a slot index, or -1 when the pool is exhausted. */
static int acquire(void)
{
    pthread_mutex_lock(&count_lock);
    bool available = nfree > 0;
#ifdef FIXED
    if (available)
        nfree--;
#endif
    pthread_mutex_unlock(&count_lock);
    if (!available)
        return -1;

    int slot = -1;
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < NSLOTS && slot < 0; i++)
        if (!used[i])
            slot = i;
    assert(slot >= 0);
    used[slot] = true;
    pthread_mutex_unlock(&slots_lock);

#ifndef FIXED
    pthread_mutex_lock(&count_lock);
    nfree--;
    pthread_mutex_unlock(&count_lock);
#endif
    return slot;
}

static void release(int slot)
{
    pthread_mutex_lock(&slots_lock);
    used[slot] = false;
    pthread_mutex_unlock(&slots_lock);

    pthread_mutex_lock(&count_lock);
    nfree++;
    pthread_mutex_unlock(&count_lock);
}

static void *worker(void *arg)
{
    long *served = arg;
    for (int i = 0; i < ROUNDS; i++) {
        int slot = acquire();
        if (slot < 0)
            continue; /* pool busy: skip this round */
        ++*served;
        release(slot);
    }
    return NULL;
}

int main(void)
{
    pthread_t tid[NWORKERS];
    long served[NWORKERS] = { 0 };

    for (int i = 0; i < NWORKERS; i++)
        if (pthread_create(&tid[i], NULL, worker, &served[i]) != 0)
            return 2;
    long total = 0;
    for (int i = 0; i < NWORKERS; i++) {
        pthread_join(tid[i], NULL);
        total += served[i];
    }
    printf("served %ld requests, %d buffers free\n", total, nfree);
    return nfree == NSLOTS ? 0 : 1;
}
