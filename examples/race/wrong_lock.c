/*
 * wrong_lock.c — one counter, guarded by two different locks.
 *
 * Two workers add to `total`, ten times each. The deposit path takes
 * deposit_lock, the refund path takes refund_lock: each increment is
 * "locked", but not by the same lock, so the two load-add-store sequences
 * can interleave and an update is lost: assert(total == 20) fails
 * (SIGABRT).
 * Scheduling points without instrumentation: the lock and unlock calls,
 * which surround each increment, never fall inside it. With `faultline cc`
 * the load and the store of `total` are points too.
 *
 * Fix (-DFIXED): both paths take the same lock.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

enum { ROUNDS = 10 };

static pthread_mutex_t deposit_lock = PTHREAD_MUTEX_INITIALIZER;
#ifdef FIXED
#define refund_lock deposit_lock
#else
static pthread_mutex_t refund_lock = PTHREAD_MUTEX_INITIALIZER;
#endif
static long total;

static void *deposits(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&deposit_lock);
        total = total + 1;
        pthread_mutex_unlock(&deposit_lock);
    }
    return NULL;
}

static void *refunds(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&refund_lock);
        total = total + 1;
        pthread_mutex_unlock(&refund_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, deposits, NULL);
    pthread_create(&b, NULL, refunds, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("total %ld\n", total);
    assert(total == 2 * ROUNDS);
    return 0;
}
