/* A thread blocks in read() on a pipe nobody writes: a blocking call the
 * scheduler cannot see. faultline exec must name it (watchdog), never pass. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static int fds[2];
static void *reader(void *a)
{
    char c;
    if (read(fds[0], &c, 1) < 0) perror("read");
    return a;
}
int main(void)
{
    if (pipe(fds) < 0) return 1;
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    pthread_join(t, NULL);
    return 0;
}
