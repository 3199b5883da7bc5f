/*
 * rwlock.c — a time window [lo, hi) shared by readers, slid forward lazily
 * by whichever reader finds it expired.
 *
 * current(now) takes the read lock, slides the window if `now` is past its
 * end, copies it and unlocks. Sliding bumps a statistics counter under its
 * own mutex between the two field stores (plausible bookkeeping).
 *
 * Bug: the lazy slide writes under the READ lock. Readers share that lock,
 * so another reader can copy the window half-updated. Interleaving: reader
 * A (now = 12) finds the window [0, 10) expired, stores lo = 12 and goes to
 * count the slide (pthread_mutex_lock(&stats_lock)); reader B (now = 8)
 * holds the read lock too, copies [12, 10), reports a torn window, and
 * the program exits with status 1.
 * Scheduling points: pthread_rwlock_rdlock / pthread_rwlock_unlock, and
 * the pthread_mutex_lock / pthread_mutex_unlock of the statistics counter
 * between the store of lo and the store of hi.
 *
 * Fix (-DFIXED): on expiry, drop the read lock, take the write lock,
 * re-check (another thread may have slid it meanwhile) and slide under it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

enum { WIDTH = 10, NREADERS = 3, TICKS = 6, STEP = 4 };

struct window {
    int lo, hi;
};

static pthread_rwlock_t win_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct window win = { 0, WIDTH };
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long slides;

/* Caller holds win_lock for writing (the buggy build: for reading). */
static void slide_to(int now)
{
    win.lo = now;
    pthread_mutex_lock(&stats_lock);
    slides++;
    pthread_mutex_unlock(&stats_lock);
    win.hi = now + WIDTH;
}

static struct window current(int now)
{
    pthread_rwlock_rdlock(&win_lock);
#ifdef FIXED
    if (now >= win.hi) {
        pthread_rwlock_unlock(&win_lock);
        pthread_rwlock_wrlock(&win_lock);
        if (now >= win.hi)
            slide_to(now);
    }
#else
    if (now >= win.hi)
        slide_to(now);
#endif
    struct window w = win;
    pthread_rwlock_unlock(&win_lock);
    return w;
}

static atomic_int torn;

static void *reader(void *arg)
{
    int offset = *(const int *)arg;
    for (int t = 0; t < TICKS; t++) {
        struct window w = current(t * STEP + offset);
        if (w.hi - w.lo != WIDTH) {
            fprintf(stderr, "torn window [%d, %d) at %d\n", w.lo, w.hi, t * STEP + offset);
            atomic_fetch_add(&torn, 1);
        }
    }
    return NULL;
}

int main(void)
{
    static const int offset[NREADERS] = { 0, 1, 3 };
    pthread_t tid[NREADERS];

    for (int i = 0; i < NREADERS; i++)
        if (pthread_create(&tid[i], NULL, reader, (void *)&offset[i]) != 0)
            return 2;
    for (int i = 0; i < NREADERS; i++)
        pthread_join(tid[i], NULL);

    printf("window [%d, %d), %ld slides\n", win.lo, win.hi, slides);
    return atomic_load(&torn) == 0 ? 0 : 1;
}
