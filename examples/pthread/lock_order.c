/*
 * lock_order.c — transfers between two accounts, each locked on its own.
 *
 * transfer(from, to) locks `from`, then `to`. One teller moves money from
 * checking to savings while the other moves it back.
 *
 * Bug: the two tellers take the same two mutexes in opposite orders.
 * Interleaving: teller 1 locks checking; teller 2 locks savings; teller 1
 * blocks on savings, teller 2 blocks on checking: a deadlock (natively the
 * program hangs; under a harness every thread is blocked).
 * Scheduling points: the two pthread_mutex_lock calls in transfer(); a
 * switch between the first and the second lock of one teller is enough.
 *
 * Fix (-DFIXED): take the two locks in one global order (lower account id
 * first), whatever the direction of the transfer.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

enum { ROUNDS = 3 };

struct account {
    int id;
    pthread_mutex_t lock;
    long balance;
};

static struct account checking = { 1, PTHREAD_MUTEX_INITIALIZER, 100 };
static struct account savings = { 2, PTHREAD_MUTEX_INITIALIZER, 100 };

static void transfer(struct account *from, struct account *to, long amount)
{
#ifdef FIXED
    struct account *first = from->id < to->id ? from : to;
    struct account *second = first == from ? to : from;
#else
    struct account *first = from, *second = to;
#endif
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
}

static void *teller(void *arg)
{
    int forward = *(const int *)arg;

    for (int i = 0; i < ROUNDS; i++) {
        if (forward)
            transfer(&checking, &savings, 10);
        else
            transfer(&savings, &checking, 10);
    }
    return NULL;
}

int main(void)
{
    static const int dir[2] = { 1, 0 };
    pthread_t tid[2];

    for (int i = 0; i < 2; i++)
        if (pthread_create(&tid[i], NULL, teller, (void *)&dir[i]) != 0)
            return 2;
    for (int i = 0; i < 2; i++)
        pthread_join(tid[i], NULL);

    printf("checking %ld, savings %ld\n", checking.balance, savings.balance);
    assert(checking.balance + savings.balance == 200);
    return 0;
}
