/* A thread ends the process with exit(3) when it runs before main's check. */
#include <pthread.h>
#include <stdlib.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int ready;
static void *late(void *a)
{
    pthread_mutex_lock(&m);
    if (!ready) exit(3);
    pthread_mutex_unlock(&m);
    return a;
}
int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, late, NULL);
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    return 0;
}
