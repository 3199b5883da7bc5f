/* A thread made with a raw clone (not pthread_create): it runs where the
 * scheduler cannot see, so faultline exec must not pass the run. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static int sleeper(void *arg)
{
    (void)arg;
    for (;;) pause();
    return 0;
}

int main(void)
{
    size_t sz = 64 * 1024;
    char *stack = malloc(sz);
    if (!stack) return 2;
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
    if (clone(sleeper, stack + sz, flags, NULL) < 0) return 2;
    usleep(1000); /* let it start (virtual time under faultline: no real wait) */
    return 0;
}
