/*
 * sched_alloc.c — sv_alloc/sv_free under the controlled and free platforms:
 * malloc with a header that links every live block of the run into one list,
 * so that a run cut short (deadlock, budget, divergence, killed threads)
 * leaves nothing behind: fl__alloc_end frees what the program did not.
 *
 * fl__amu is a leaf lock (nothing else is taken while it is held); it makes
 * the list safe for free-mode threads, which run truly in parallel.
 */
#include "sched_int.h"

#include <stddef.h>
#include <stdlib.h>

#define FL__BLK_MAGIC 0x666c626c6b616c63ull

typedef union fl__hdr {
    struct {
        union fl__hdr *prev, *next;
        size_t n;
        uint64_t magic;
    } h;
    max_align_t align;
} fl__hdr;

static pthread_mutex_t fl__amu = PTHREAD_MUTEX_INITIALIZER;
static fl__hdr fl__head = { .h = { &fl__head, &fl__head, 0, 0 } };
static size_t fl__nlive, fl__bytes;

void fl__alloc_begin(void)
{
    FL__PT(pthread_mutex_lock(&fl__amu));
    fl__head.h.prev = fl__head.h.next = &fl__head;
    fl__nlive = fl__bytes = 0;
    FL__PT(pthread_mutex_unlock(&fl__amu));
}

void fl__alloc_end(size_t *live_allocs, size_t *live_bytes, bool release)
{
    FL__PT(pthread_mutex_lock(&fl__amu));
    if (live_allocs) *live_allocs = fl__nlive;
    if (live_bytes) *live_bytes = fl__bytes;
    fl__hdr *b = fl__head.h.next;
    while (release && b != &fl__head) {
        fl__hdr *next = b->h.next;
        b->h.magic = 0;
        free(b);
        b = next;
    }
    fl__head.h.prev = fl__head.h.next = &fl__head;
    fl__nlive = fl__bytes = 0;
    FL__PT(pthread_mutex_unlock(&fl__amu));
}

void *fl__alloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(fl__hdr)) return NULL;
    fl__hdr *b = malloc(sizeof *b + n);
    if (!b) return NULL;
    b->h.n = n;
    b->h.magic = FL__BLK_MAGIC;
    FL__PT(pthread_mutex_lock(&fl__amu));
    b->h.next = fl__head.h.next;
    b->h.prev = &fl__head;
    fl__head.h.next->h.prev = b;
    fl__head.h.next = b;
    fl__nlive++;
    fl__bytes += n;
    FL__PT(pthread_mutex_unlock(&fl__amu));
    return b + 1;
}

void fl__free(void *p)
{
    if (!p) return;
    fl__hdr *b = (fl__hdr *)p - 1;
    FL__PT(pthread_mutex_lock(&fl__amu));
    if (b->h.magic != FL__BLK_MAGIC)
        fl__fatal("sv_free(%p): not a block sv_alloc returned in this run (or freed twice)", p);
    b->h.magic = 0;
    b->h.prev->h.next = b->h.next;
    b->h.next->h.prev = b->h.prev;
    fl__nlive--;
    fl__bytes -= b->h.n;
    FL__PT(pthread_mutex_unlock(&fl__amu));
    free(b);
}
