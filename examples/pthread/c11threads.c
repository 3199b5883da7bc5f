/*
 * c11threads.c — the lost update of lost_update.c, written with C11
 * <threads.h>: workers wait at a start gate (cnd_wait), a table is set up
 * once (call_once), each worker counts in a thread-specific slot
 * (tss_create with a destructor) and then adds its count to a shared total.
 *
 * Bug: the worker reads the total under the mutex, unlocks, adds its count
 * and locks again to store the sum. Interleaving:
 * worker A reads 8 and unlocks; worker B reads 8, stores 12; A stores 12:
 * B's contribution is lost and assert(total == NWORKERS * ROUNDS) fails
 * (SIGABRT).
 * Scheduling points: mtx_lock / mtx_unlock around the read and the write
 * (glibc implements them over the pthread mutex), cnd_wait at the gate,
 * thrd_create / thrd_join.
 *
 * Fix (-DFIXED): read and store the total in one critical section.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

enum { NWORKERS = 3, ROUNDS = 4 };

static once_flag setup_once = ONCE_FLAG_INIT;
static tss_t mine;
static mtx_t lock;
static cnd_t gate_cv;
static int gate_open;
static long total;

static void setup(void)
{
    if (tss_create(&mine, free) != thrd_success)
        abort();
}

static int worker(void *arg)
{
    (void)arg;
    call_once(&setup_once, setup);
    long *count = calloc(1, sizeof *count);
    tss_set(mine, count);

    mtx_lock(&lock);
    while (!gate_open)
        cnd_wait(&gate_cv, &lock);
    mtx_unlock(&lock);

    for (int i = 0; i < ROUNDS; i++)
        ++*(long *)tss_get(mine);

#ifdef FIXED
    mtx_lock(&lock);
    total += *count;
    mtx_unlock(&lock);
#else
    mtx_lock(&lock);
    long seen = total;
    mtx_unlock(&lock);

    long next = seen + *count;

    mtx_lock(&lock);
    total = next;
    mtx_unlock(&lock);
#endif
    return 0;
}

int main(void)
{
    thrd_t tid[NWORKERS];

    if (mtx_init(&lock, mtx_plain) != thrd_success || cnd_init(&gate_cv) != thrd_success)
        return 2;
    for (int i = 0; i < NWORKERS; i++)
        if (thrd_create(&tid[i], worker, NULL) != thrd_success)
            return 2;

    mtx_lock(&lock);
    gate_open = 1;
    cnd_broadcast(&gate_cv);
    mtx_unlock(&lock);

    for (int i = 0; i < NWORKERS; i++)
        thrd_join(tid[i], NULL);

    printf("total: %ld (expected %d)\n", total, NWORKERS * ROUNDS);
    assert(total == NWORKERS * ROUNDS);
    tss_delete(mine);
    mtx_destroy(&lock);
    cnd_destroy(&gate_cv);
    return 0;
}
