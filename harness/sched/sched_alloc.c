/*
 * sched_alloc.c — sv_alloc/sv_free under the controlled and free platforms:
 * malloc with a header that links every live block of the run into one list,
 * so that a run cut short (deadlock, budget, divergence, killed threads)
 * leaves nothing behind: fl_sched__alloc_end frees what the program did not.
 *
 * fl_sched__amu is a leaf lock (nothing else is taken while it is held); it makes
 * the list safe for free-mode threads, which run truly in parallel.
 */
#include "sched/sched_int.h"

#include <stddef.h>
#include <stdlib.h>

#define FL_SCHED__BLK_MAGIC 0x666c626c6b616c63ull

typedef union fl_sched__hdr {
    struct {
        union fl_sched__hdr *prev, *next;
        size_t n;
        uint64_t magic;
    } h;
    max_align_t align;
} fl_sched__hdr;

static pthread_mutex_t fl_sched__amu = PTHREAD_MUTEX_INITIALIZER;
static fl_sched__hdr fl_sched__head = { .h = { &fl_sched__head, &fl_sched__head, 0, 0 } };
static size_t fl_sched__nlive, fl_sched__bytes;

void fl_sched__alloc_begin(void)
{
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__amu));
    fl_sched__head.h.prev = fl_sched__head.h.next = &fl_sched__head;
    fl_sched__nlive = fl_sched__bytes = 0;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__amu));
}

void fl_sched__alloc_end(size_t *live_allocs, size_t *live_bytes, bool release)
{
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__amu));
    if (live_allocs) *live_allocs = fl_sched__nlive;
    if (live_bytes) *live_bytes = fl_sched__bytes;
    fl_sched__hdr *b = fl_sched__head.h.next;
    while (release && b != &fl_sched__head) {
        fl_sched__hdr *next = b->h.next;
        b->h.magic = 0;
        free(b);
        b = next;
    }
    fl_sched__head.h.prev = fl_sched__head.h.next = &fl_sched__head;
    fl_sched__nlive = fl_sched__bytes = 0;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__amu));
}

void *fl_sched__alloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(fl_sched__hdr)) return NULL;
    fl_sched__hdr *b = malloc(sizeof *b + n);
    if (!b) return NULL;
    b->h.n = n;
    b->h.magic = FL_SCHED__BLK_MAGIC;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__amu));
    b->h.next = fl_sched__head.h.next;
    b->h.prev = &fl_sched__head;
    fl_sched__head.h.next->h.prev = b;
    fl_sched__head.h.next = b;
    fl_sched__nlive++;
    fl_sched__bytes += n;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__amu));
    return b + 1;
}

void fl_sched__free(void *p)
{
    if (!p) return;
    fl_sched__hdr *b = (fl_sched__hdr *)p - 1;
    FL_SCHED__PT(fl_real.pthread_mutex_lock(&fl_sched__amu));
    if (b->h.magic != FL_SCHED__BLK_MAGIC)
        fl_sched__fatal("sv_free(%p): not a block sv_alloc returned in this run (or freed twice)", p);
    b->h.magic = 0;
    b->h.prev->h.next = b->h.next;
    b->h.next->h.prev = b->h.prev;
    fl_sched__nlive--;
    fl_sched__bytes -= b->h.n;
    FL_SCHED__PT(fl_real.pthread_mutex_unlock(&fl_sched__amu));
    free(b);
}
