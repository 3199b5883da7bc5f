/*
 * queue.h — private extension of the crash-report queue (sv.h) for the
 * runtime: a kick that interrupts the consumer's wait without a report, so
 * the supervisor thread can wait for "a report, a request or a deadline" on
 * one futex word.
 */
#ifndef SV_QUEUE_H
#define SV_QUEUE_H

#include "sv.h"

/* Make the consumer's current or next sv__queue_pop_kick() return -EINTR
 * (if no report is ready). Never blocks, never allocates; callable from any
 * thread, also after close. Kicks do not accumulate: several kicks before
 * the consumer looks count as one. Whatever the kicker stored before the
 * kick is visible to the consumer once the kick is seen (release/acquire). */
void sv__queue_kick(sv_queue *q);

/* sv_queue_pop that also returns -EINTR when kicked and no report is ready.
 * Consumer only. sv_queue_pop ignores kicks. */
int sv__queue_pop_kick(sv_queue *q, int64_t deadline_ns, sv_report **out);

/* sv_queue_push in two halves, so a pusher can link under a lock and wake
 * after releasing it (the woken consumer must not find the lock held).
 * Returns 1: linked, and the caller owes exactly one sv__queue_wake(q)
 * (the consumer sleeps until it comes); 0: linked, nothing owed; -EPIPE:
 * closed, not linked. */
int sv__queue_push_nowake(sv_queue *q, sv_report *r);
void sv__queue_wake(sv_queue *q);

#endif
