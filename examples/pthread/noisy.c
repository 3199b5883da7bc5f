/*
 * noisy.c — a correct program (no planted bug) that touches much of the
 * POSIX threading, timing and sleeping API while printing and allocating
 * a lot: under a controlled scheduler every run must pass. Threads: main,
 * NWORKERS joined workers (the last ends through pthread_exit), and a
 * detached reporter that main waits for through a semaphore.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { NWORKERS = 4, ROUNDS = 8 };

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t scratch_key;
static atomic_int destructed;
static pthread_barrier_t start_line;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t tally_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pthread_spinlock_t spin;
static sem_t reporter_done;
static long tally, spun, timeouts;
static char names[NWORKERS][16];

static void free_scratch(void *p) { free(p), atomic_fetch_add(&destructed, 1); }

static void init(void)
{
    for (int i = 0; i < NWORKERS; i++)
        snprintf(names[i], sizeof names[i], "worker-%d", i);
    pthread_key_create(&scratch_key, free_scratch);
    printf("init done\n");
}

static void add_tally(long n) /* takes tally_lock n times, nested */
{
    pthread_mutex_lock(&tally_lock);
    tally++;
    if (n > 1)
        add_tally(n - 1);
    pthread_mutex_unlock(&tally_lock);
}

static void deadline_in(struct timespec *ts, long ns)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += ns;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    struct timespec ts, nap = { 0, 20000 };

    pthread_once(&init_once, init);
    pthread_setspecific(scratch_key, malloc(64));
    pthread_barrier_wait(&start_line);

    for (int r = 0; r < ROUNDS; r++) {
        char *line = malloc(64);
        snprintf(line, 64, "%s round %d", names[id], r);
        pthread_mutex_lock(&out_lock);
        printf("%s\n", line);
        pthread_mutex_unlock(&out_lock);
        free(line);

        if (pthread_mutex_trylock(&out_lock) == 0)
            pthread_mutex_unlock(&out_lock);
        add_tally(2);
        pthread_spin_lock(&spin);
        spun++;
        pthread_spin_unlock(&spin);
        if (r % 3 == 0)
            sched_yield();
    }

    /* A holder can be delayed past any deadline (faultline exec's early
     * timers model exactly that, and found the assert this loop replaced:
     * seed 9 of pos, 4 in 2,000 of random): a timed lock that times out is
     * retried, not assumed away. */
    int rc;
    do {
        deadline_in(&ts, 500000000L);
        rc = pthread_mutex_timedlock(&out_lock, &ts);
    } while (rc == ETIMEDOUT);
    assert(rc == 0);
    deadline_in(&ts, 1000000L); /* nobody signals `never`: times out */
    while (rc == 0)
        rc = pthread_cond_timedwait(&never, &out_lock, &ts);
    assert(rc == ETIMEDOUT);
    timeouts++;
    pthread_mutex_unlock(&out_lock);
    nanosleep(&nap, NULL);

    if (id == NWORKERS - 1)
        pthread_exit((void *)(long)(100 + id));
    return (void *)(long)(100 + id);
}

static void *reporter(void *arg)
{
    (void)arg;
    struct timeval tv;
    struct timespec nap = { 0, 30000 };
    gettimeofday(&tv, NULL);
    usleep(50);
    clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL);
    pthread_mutex_lock(&out_lock);
    printf("reporter (detached): up at %ld, time %ld\n", (long)tv.tv_sec, (long)time(NULL));
    pthread_mutex_unlock(&out_lock);
    sem_post(&reporter_done);
    return NULL;
}

int main(void)
{
    pthread_t tid[NWORKERS], rep;
    pthread_attr_t detached;

    pthread_barrier_init(&start_line, NULL, NWORKERS);
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    sem_init(&reporter_done, 0, 0);

    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&rep, &detached, reporter, NULL) != 0)
        return 2;
    pthread_attr_destroy(&detached);
    for (long i = 0; i < NWORKERS; i++)
        if (pthread_create(&tid[i], NULL, worker, (void *)i) != 0)
            return 2;
    for (int i = 0; i < NWORKERS; i++) {
        void *ret;
        pthread_join(tid[i], &ret);
        assert((long)ret == 100 + i);
    }
    sem_wait(&reporter_done);

    assert(tally == NWORKERS * ROUNDS * 2 && spun == NWORKERS * ROUNDS);
    assert(timeouts == NWORKERS && atomic_load(&destructed) == NWORKERS);
    printf("tally %ld, spun %ld, timeouts %ld\n", tally, spun, timeouts);
    pthread_key_delete(scratch_key);
    pthread_barrier_destroy(&start_line);
    return 0;
}
