/* Two mutexes taken in opposite orders: a deadlock under some interleavings. */
#include <pthread.h>
#include <stdio.h>
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static void *t1(void *x) { pthread_mutex_lock(&a); pthread_mutex_lock(&b); pthread_mutex_unlock(&b); pthread_mutex_unlock(&a); return x; }
static void *t2(void *x) { pthread_mutex_lock(&b); pthread_mutex_lock(&a); pthread_mutex_unlock(&a); pthread_mutex_unlock(&b); return x; }
int main(void) { pthread_t x, y; pthread_create(&x, NULL, t1, NULL); pthread_create(&y, NULL, t2, NULL); pthread_join(x, NULL); pthread_join(y, NULL); puts("ok"); return 0; }
