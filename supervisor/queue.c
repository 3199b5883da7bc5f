/*
 * queue.c — the crash-report queue: intrusive MPSC, push never blocks or
 * allocates (contract in sv.h).
 *
 * Shape: producers push onto a Treiber stack whose top lives in one word,
 * `head`, together with three flag bits (reports are 8-byte aligned):
 *   CLOSED   set once by close, never cleared;
 *   WAITING  the consumer is about to sleep / sleeping on `seq`;
 *   KICKED   a kick is pending (queue.h).
 * The consumer takes the whole stack with one CAS (leaving only CLOSED),
 * reverses it into its private FIFO `local`, and pops from there. Reversal
 * restores push order, and batches are taken in order, so pops follow the
 * linearisation order of the pushes: FIFO per producer (and globally).
 *
 * Why a CAS and not a bare exchange: an exchange links r whatever head
 * held, so it cannot refuse a push after close without a second atomic
 * (an in-flight count) on every push; the CAS tests CLOSED and links in one
 * step. Uncontended it costs what an exchange does; it retries only when
 * another push or the consumer changed head in between (lock-free).
 *
 * Every change of head is a CAS on that one word, so all of push, take,
 * close, kick and "set WAITING" are totally ordered by head's modification
 * order. That single order carries every argument below.
 *
 * Push racing close. Push loads head, returns -EPIPE if CLOSED, else CASes
 * head from the loaded value to r. Close CASes CLOSED in. If close's CAS
 * comes first in head's order, push's CAS compares against a value without
 * CLOSED and fails; the retry sees CLOSED and returns -EPIPE with r never
 * linked. If push's CAS comes first, r is in the stack when CLOSED is set;
 * close keeps the pointer bits, and the consumer returns -EPIPE only after a
 * take that found the stack empty with CLOSED set — r is taken and popped
 * before. So a push is either refused and unlinked, or linked and popped.
 *
 * No lost wake-up. The consumer reads s = seq, then CASes head from "empty"
 * to WAITING (release), then sv_wait(&seq, s). A push (or close, kick) whose
 * CAS follows that CAS in head's order reads WAITING (acquire, so the
 * consumer's read of seq happens-before what follows), clears it, and does
 * seq += 1 and sv_wake(&seq). The consumer's read of seq happened before
 * that increment, so either its futex wait sees seq != s and returns at
 * once, or it is asleep and the wake reaches it. Only the one CAS that
 * clears WAITING bumps seq, so a push wakes only a consumer that is (about
 * to be) waiting; a wake that arrives late is at worst one spurious return,
 * and the consumer re-checks head after every return.
 *
 * Memory: push's CAS is release (publishes r's fields and its link) and
 * acquire (for the WAITING hand-off above); take's CAS is acquire, so the
 * consumer reads the reports pushed. No plain shared data is left unordered.
 */
#include "queue.h"

#include "sv_plat.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#define Q_CLOSED ((uintptr_t)1)
#define Q_WAITING ((uintptr_t)2)
#define Q_KICKED ((uintptr_t)4)
#define Q_FLAGS ((uintptr_t)7)

_Static_assert(_Alignof(sv_report) >= 8, "report pointers leave three tag bits free");

/* Producers touch head and seq, the consumer also local: padding keeps
 * local off their cache line without asking sv_alloc for more than
 * malloc's alignment. */
struct sv_queue {
    _Atomic uintptr_t head; /* stack top | flags */
    _Atomic uint32_t seq;   /* futex word the consumer sleeps on */
    char pad[64];
    sv_report *local; /* consumer only: FIFO of taken reports */
};

/* An empty open queue, owned by the caller (sv_queue_free). 0 or -ENOMEM. */
int sv_queue_new(sv_queue **out)
{
    sv_queue *q = sv_alloc(sizeof *q);
    if (!q) return -ENOMEM;
    atomic_init(&q->head, 0);
    atomic_init(&q->seq, 0);
    q->local = NULL;
    *out = q;
    return 0;
}

/* Free q (NULL: nothing). Reports still linked are the pushers'; they are
 * not touched. */
void sv_queue_free(sv_queue *q)
{
    if (q) sv_free(q);
}

/* Wake the consumer: owed by the one CAS that cleared WAITING. */
void sv__queue_wake(sv_queue *q)
{
    SV__SYNC(&q->seq, atomic_fetch_add_explicit(&q->seq, 1, memory_order_release));
    sv_wake(&q->seq, 1);
}

int sv__queue_push_nowake(sv_queue *q, sv_report *r)
{
    uintptr_t h = SV__SYNC(&q->head, atomic_load_explicit(&q->head, memory_order_relaxed));
    do {
        if (h & Q_CLOSED) return -EPIPE;
        atomic_store_explicit(&r->sv__next, (sv_report *)(h & ~Q_FLAGS), memory_order_relaxed);
    } while (!SV__SYNC(&q->head, atomic_compare_exchange_weak_explicit(&q->head, &h, (uintptr_t)r | (h & Q_KICKED),
                                                    memory_order_acq_rel, memory_order_relaxed)));
    return (h & Q_WAITING) ? 1 : 0;
}

/* Link r (0) or refuse it because q is closed (-EPIPE, r untouched but for
 * its link field). Never blocks or allocates; any thread. */
int sv_queue_push(sv_queue *q, sv_report *r)
{
    int rc = sv__queue_push_nowake(q, r);
    if (rc == 1) sv__queue_wake(q);
    return rc < 0 ? rc : 0;
}

/* Set flag (CLOSED or KICKED) and clear WAITING, waking the consumer if it
 * was waiting. */
static void sv__queue_flag(sv_queue *q, uintptr_t flag)
{
    uintptr_t h = SV__SYNC(&q->head, atomic_load_explicit(&q->head, memory_order_relaxed));
    while (!SV__SYNC(&q->head, atomic_compare_exchange_weak_explicit(&q->head, &h, (h | flag) & ~Q_WAITING,
                                                  memory_order_acq_rel, memory_order_relaxed))) {
    }
    if (h & Q_WAITING) sv__queue_wake(q);
}

/* Refuse later pushes; earlier ones still pop. Idempotent; any thread. */
void sv_queue_close(sv_queue *q) { sv__queue_flag(q, Q_CLOSED); }
void sv__queue_kick(sv_queue *q) { sv__queue_flag(q, Q_KICKED); }

static int sv__queue_pop(sv_queue *q, int64_t deadline, sv_report **out, int kickable)
{
    for (;;) {
        sv_report *r = q->local;
        if (r) {
            q->local = atomic_load_explicit(&r->sv__next, memory_order_relaxed);
            *out = r;
            return 0;
        }
        uintptr_t h = SV__SYNC(&q->head, atomic_load_explicit(&q->head, memory_order_acquire));
        if (h & ~(Q_CLOSED | Q_WAITING)) {
            /* Take the stack and any kick; leave only CLOSED. */
            if (!SV__SYNC(&q->head, atomic_compare_exchange_strong_explicit(&q->head, &h, h & Q_CLOSED, memory_order_acq_rel,
                                                         memory_order_acquire)))
                continue;
            sv_report *top = (sv_report *)(h & ~Q_FLAGS), *fifo = NULL;
            while (top) {
                sv_report *next = atomic_load_explicit(&top->sv__next, memory_order_relaxed);
                atomic_store_explicit(&top->sv__next, fifo, memory_order_relaxed);
                fifo = top;
                top = next;
            }
            q->local = fifo;
            if (!fifo && kickable) return -EINTR;
            continue;
        }
        if (h & Q_CLOSED) return -EPIPE;
        if (deadline != SV_FOREVER && sv_now() >= deadline) {
            /* Empty for the whole wait; do not leave a stale WAITING behind
             * (it would make the next push pay for a wake). */
            if (h & Q_WAITING &&
                !SV__SYNC(&q->head, atomic_compare_exchange_strong_explicit(&q->head, &h, 0, memory_order_relaxed,
                                                         memory_order_relaxed)))
                continue;
            return -ETIMEDOUT;
        }
        /* Read seq, then (re)assert WAITING with a CAS even if it is
         * already set: the CAS proves head did not change since the load, so
         * whoever clears WAITING next bumps seq after this read. */
        uint32_t s = SV__SYNC(&q->seq, atomic_load_explicit(&q->seq, memory_order_acquire));
        if (!SV__SYNC(&q->head, atomic_compare_exchange_strong_explicit(&q->head, &h, Q_WAITING, memory_order_acq_rel,
                                                     memory_order_acquire)))
            continue;
        sv_wait(&q->seq, s, deadline);
    }
}

/* Consumer only: 0 and *out (oldest first), -ETIMEDOUT (empty for the
 * whole wait), -EPIPE (closed and drained). */
int sv_queue_pop(sv_queue *q, int64_t deadline_ns, sv_report **out)
{
    return sv__queue_pop(q, deadline_ns, out, 0);
}

int sv__queue_pop_kick(sv_queue *q, int64_t deadline_ns, sv_report **out)
{
    return sv__queue_pop(q, deadline_ns, out, 1);
}
