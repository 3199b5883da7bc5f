/*
 * lost_update.c — a hit counter whose update is split in two critical
 * sections.
 *
 * Each worker reads the counter under the lock, computes the next value
 * outside it ("the expensive part"), then takes the lock again to store it.
 *
 * Bug: read and write are two critical sections, so the read-modify-write
 * is not atomic. Interleaving: worker A reads 4 and unlocks; worker B takes
 * the lock, reads 4, stores 5; A stores 5: one increment is lost and
 * assert(hits == NWORKERS * ROUNDS) in main fails (SIGABRT).
 * Scheduling points: the unlock after the read and the lock before the
 * write (pthread_mutex_unlock / pthread_mutex_lock); a switch between them
 * is all it takes.
 *
 * Fix (-DFIXED): read, compute and store in one critical section.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

enum { NWORKERS = 3, ROUNDS = 4 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long hits;

static long next_value(long seen)
{
    return seen + 1;
}

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
#ifdef FIXED
        pthread_mutex_lock(&lock);
        hits = next_value(hits);
        pthread_mutex_unlock(&lock);
#else
        pthread_mutex_lock(&lock);
        long seen = hits;
        pthread_mutex_unlock(&lock);

        long next = next_value(seen);

        pthread_mutex_lock(&lock);
        hits = next;
        pthread_mutex_unlock(&lock);
#endif
    }
    return NULL;
}

int main(void)
{
    pthread_t tid[NWORKERS];

    for (int i = 0; i < NWORKERS; i++)
        if (pthread_create(&tid[i], NULL, worker, NULL) != 0)
            return 2;
    for (int i = 0; i < NWORKERS; i++)
        pthread_join(tid[i], NULL);

    printf("hits: %ld (expected %d)\n", hits, NWORKERS * ROUNDS);
    assert(hits == NWORKERS * ROUNDS);
    return 0;
}
