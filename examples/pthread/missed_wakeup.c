/*
 * missed_wakeup.c — main starts a loader thread and waits until it has
 * loaded the configuration.
 *
 * Bug: the hand-off is a bare pthread_cond_signal / pthread_cond_wait with
 * no predicate. A condition variable has no memory: a signal sent while
 * nobody waits is lost. Interleaving: the loader runs first, loads, locks,
 * signals (nobody is waiting yet) and exits; main then locks and waits for
 * a signal that already came: main blocks forever (a deadlock: the only
 * thread left waits on a condition nobody will signal).
 * Scheduling points: pthread_create (the loader may run at once), the
 * loader's usleep (its stand-in for file I/O), pthread_mutex_lock /
 * pthread_cond_signal / pthread_mutex_unlock, and main's pthread_mutex_lock
 * before its wait. Natively main reaches pthread_cond_wait long before the
 * loader's 200 us "read" is over, so the program usually works.
 *
 * Fix (-DFIXED): a `loaded` flag set under the mutex, waited for with
 * `while (!loaded) pthread_cond_wait(...)`.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t loaded_cv = PTHREAD_COND_INITIALIZER;
#ifdef FIXED
static bool loaded;
#endif
static char config[256];

static void *loader(void *arg)
{
    (void)arg;
    char text[sizeof config];
    size_t len = 0;
    usleep(200); /* stands in for reading the configuration file */
    for (int key = 0; key < 16; key++)
        len += (size_t)snprintf(text + len, sizeof text - len, "k%d=%d;", key, key * key);

    pthread_mutex_lock(&lock);
    memcpy(config, text, len + 1);
#ifdef FIXED
    loaded = true;
#endif
    pthread_cond_signal(&loaded_cv);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t tid;

    if (pthread_create(&tid, NULL, loader, NULL) != 0)
        return 2;

    pthread_mutex_lock(&lock);
#ifdef FIXED
    while (!loaded)
        pthread_cond_wait(&loaded_cv, &lock);
#else
    pthread_cond_wait(&loaded_cv, &lock);
#endif
    size_t len = strlen(config);
    pthread_mutex_unlock(&lock);

    pthread_join(tid, NULL);
    printf("config (%zu bytes): %s\n", len, config);
    return len > 0 ? 0 : 1;
}
