/*
 * fuzz_queue.c — the crash-report queue protocol (sv.h, queue.h) on the
 * controlled scheduler (harness/sched/fl_sched.h).
 *
 * The input decodes into a program: 2–4 producer threads, each a list of
 * push / push_nowake + wake (queue.h) / yield / sleep / kick; the consumer (the controlled main thread) a
 * list of pop with a timeout (0, 1 ns, 1 ms, 5 ms, 1 s, forever), pop_kick,
 * close, yield, sleep; then the consumer closes, drains until -EPIPE and
 * joins the producers. The interleaving comes from the input too: either an
 * open replay schedule built from the remaining bytes (the fuzzer picks the
 * thread of every step; steps past it, or naming a thread that cannot run,
 * follow the default), or FL_SCHED_STRAT_RANDOM with a seed from the input.
 *
 * Only one controlled thread runs at a time, so the target keeps a
 * serialized log of what happened (global sequence numbers at push start
 * and return, pop start and return, close start and end) and checks each
 * result against the contract when it comes back:
 *  - pop → 0: a report whose push has started, never popped before, not
 *    refused, its fields intact, and FIFO per producer (every earlier
 *    accepted report of that producer already popped);
 *  - pop → -ETIMEDOUT: never for a forever wait; no accepted, unpopped
 *    report whose push returned before the pop began, or returned during it
 *    at a virtual time before the deadline (the queue was not empty for the
 *    whole wait);
 *  - pop → -EPIPE: close had started; no accepted report left unpopped whose
 *    push returned before (close drains);
 *  - pop_kick → -EINTR: a kick had started; no report was ready at the start;
 *  - push → 0 only if close had not completed before the push began;
 *    push → -EPIPE only if close had started; a refused report never pops;
 *  - at the end: every accepted report popped exactly once (no loss), the
 *    run ended OK (a deadlock is legitimate only with the consumer in a
 *    forever pop on an open, empty queue after every producer finished: any
 *    other is a lost wake-up), no step-budget overrun (livelock), no leaked
 *    thread, no sv_alloc block left.
 * A violation prints the program's log position and aborts. With
 * FUZZ_QUEUE_TRACE=1 every run prints its scheduler trace and schedule.
 */
#include "queue.h"
#include "sched/fl_sched.h"
#include "sv.h"
#include "sv_plat.h"

#include "fuzz_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZQ_MAX_PROD 4
#define FZQ_MAX_POPS 16   /* ops per producer */
#define FZQ_MAX_PUSH 8    /* pushes per producer */
#define FZQ_MAX_COPS 24   /* consumer ops */
#define FZQ_MAX_SCHED 2000
#define FZQ_BUDGET 200000u
#define FZQ_MS 1000000ll

enum { FZQ_PUSH, FZQ_PUSH_NOWAKE, FZQ_YIELD, FZQ_SLEEP, FZQ_KICK, FZQ_POP, FZQ_POP_KICK, FZQ_CLOSE };
enum { FZQ_R_NONE, FZQ_R_PUSHING, FZQ_R_OK, FZQ_R_REFUSED };

typedef struct fzq_op {
    uint8_t kind;
    int64_t arg; /* SLEEP: ns; POP*: timeout ns, -1 = forever */
} fzq_op;

typedef struct fzq_rep {
    int st;
    bool popped;
    uint64_t start_seq, done_seq; /* 0 = not yet */
    int64_t done_time;            /* virtual time at push return; -1 unknown */
} fzq_rep;

static struct fzq {
    /* the program */
    unsigned nprod;
    fzq_op pops[FZQ_MAX_PROD][FZQ_MAX_POPS];
    unsigned npops[FZQ_MAX_PROD];
    fzq_op cops[FZQ_MAX_COPS];
    unsigned ncops;
    /* the run */
    sv_queue *q;
    sv_report reps[FZQ_MAX_PROD][FZQ_MAX_PUSH];
    fzq_rep st[FZQ_MAX_PROD][FZQ_MAX_PUSH];
    unsigned npushed[FZQ_MAX_PROD];
    uint64_t seq;
    uint64_t close_start, close_done;
    bool kicked;
    bool in_forever_pop;
    unsigned prod_done;
    unsigned pops_ok;
} G;

static const char *const fzq__names[FZQ_MAX_PROD] = {"p1", "p2", "p3", "p4"};

#define FZQ_FAIL(...)                                                                              \
    do {                                                                                           \
        fprintf(stderr, "fuzz_queue: at log seq %llu: ", (unsigned long long)G.seq);              \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

/* An accepted report, not popped, whose push returned before seq `before`
 * (and, when deadline >= 0, at a virtual time before it): its producer/index,
 * or -1. */
static int fzq__ready(uint64_t before, int64_t deadline, unsigned *pk) {
    for (unsigned p = 0; p < G.nprod; p++)
        for (unsigned k = 0; k < G.npushed[p]; k++) {
            const fzq_rep *r = &G.st[p][k];
            if (r->st != FZQ_R_OK || r->popped || r->done_seq == 0 || r->done_seq >= before)
                continue;
            if (deadline >= 0 && (r->done_time < 0 || r->done_time >= deadline))
                continue;
            *pk = k;
            return (int)p;
        }
    return -1;
}

static void *fzq__producer(void *arg) {
    unsigned p = (unsigned)(uintptr_t)arg;
    for (unsigned i = 0; i < G.npops[p]; i++) {
        const fzq_op *op = &G.pops[p][i];
        switch (op->kind) {
        case FZQ_PUSH:
        case FZQ_PUSH_NOWAKE: {
            unsigned k = G.npushed[p];
            if (k == FZQ_MAX_PUSH)
                break;
            sv_report *r = &G.reps[p][k];
            fzq_rep *s = &G.st[p][k];
            r->child = fzq__names[p];
            r->incarnation = k + 1;
            r->reason = SV_EXIT_PANIC;
            snprintf(r->message, sizeof r->message, "%s report %u", fzq__names[p], k);
            s->st = FZQ_R_PUSHING;
            s->done_time = -1;
            s->start_seq = ++G.seq;
            G.npushed[p] = k + 1;
            int rc;
            if (op->kind == FZQ_PUSH) {
                rc = sv_queue_push(G.q, r);
            } else {
                /* link now, pay the owed wake later (after a scheduling
                 * point when arg says so): the push is complete only then */
                rc = sv__queue_push_nowake(G.q, r);
                if (rc == 1) {
                    if (op->arg)
                        sv_yield();
                    sv__queue_wake(G.q);
                    rc = 0;
                }
            }
            /* no seam call between the return and this record */
            s->done_seq = ++G.seq;
            if (rc == 0) {
                if (G.close_done && G.close_done < s->start_seq)
                    FZQ_FAIL("%s push %u accepted although close completed before it began",
                             fzq__names[p], k);
                s->st = FZQ_R_OK;
            } else if (rc == -EPIPE) {
                if (!G.close_start)
                    FZQ_FAIL("%s push %u refused (-EPIPE) but close never started",
                             fzq__names[p], k);
                if (s->popped)
                    FZQ_FAIL("%s push %u refused but the report was popped", fzq__names[p], k);
                s->st = FZQ_R_REFUSED;
            } else {
                FZQ_FAIL("%s push %u returned %d", fzq__names[p], k, rc);
            }
            /* time cannot move while this thread is runnable: this is the
             * virtual time of the return */
            s->done_time = sv_now();
            break;
        }
        case FZQ_YIELD: sv_yield(); break;
        case FZQ_SLEEP: sv_sleep_until(sv_now() + op->arg); break;
        case FZQ_KICK:
            G.kicked = true;
            sv__queue_kick(G.q);
            break;
        default: break;
        }
    }
    G.prod_done++;
    return NULL;
}

/* One pop, checked. Returns its result. */
static int fzq__pop(int64_t timeout, bool kick) {
    int64_t t0 = sv_now();
    int64_t deadline = timeout < 0 ? SV_FOREVER : t0 + timeout;
    sv_report *r = NULL;
    uint64_t pstart = ++G.seq;
    G.in_forever_pop = deadline == SV_FOREVER;
    int rc = kick ? sv__queue_pop_kick(G.q, deadline, &r) : sv_queue_pop(G.q, deadline, &r);
    G.in_forever_pop = false;
    uint64_t pret = ++G.seq;
    unsigned k = 0;
    int p;
    switch (rc) {
    case 0: {
        if (!r)
            FZQ_FAIL("pop returned 0 and no report");
        bool found = false;
        for (p = 0; p < (int)G.nprod && !found; p++)
            for (k = 0; k < G.npushed[p] && !found; k++)
                found = r == &G.reps[p][k];
        if (!found)
            FZQ_FAIL("pop returned %p, not a report of this run", (void *)r);
        p--, k--;
        fzq_rep *s = &G.st[p][k];
        if (s->st != FZQ_R_PUSHING && s->st != FZQ_R_OK)
            FZQ_FAIL("popped %s report %u, whose push was refused", fzq__names[p], k);
        if (s->popped)
            FZQ_FAIL("%s report %u popped twice", fzq__names[p], k);
        if (r->incarnation != k + 1 || r->child != fzq__names[p] || r->reason != SV_EXIT_PANIC)
            FZQ_FAIL("%s report %u came back altered", fzq__names[p], k);
        for (unsigned j = 0; j < k; j++)
            if (G.st[p][j].st == FZQ_R_OK && !G.st[p][j].popped)
                FZQ_FAIL("%s report %u popped before its report %u: not FIFO per producer",
                         fzq__names[p], k, j);
        s->popped = true;
        G.pops_ok++;
        break;
    }
    case -ETIMEDOUT:
        if (deadline == SV_FOREVER)
            FZQ_FAIL("a pop without deadline timed out");
        if ((p = fzq__ready(pstart, -1, &k)) >= 0)
            FZQ_FAIL("pop timed out while %s report %u was queued before it began",
                     fzq__names[p], k);
        if ((p = fzq__ready(pret, deadline, &k)) >= 0)
            FZQ_FAIL("pop timed out (deadline %lld) although %s report %u was pushed at %lld",
                     (long long)deadline, fzq__names[p], k, (long long)G.st[p][k].done_time);
        break;
    case -EPIPE:
        if (!G.close_start || G.close_start > pret)
            FZQ_FAIL("pop returned -EPIPE but the queue was never closed");
        if ((p = fzq__ready(pret, -1, &k)) >= 0)
            FZQ_FAIL("pop returned -EPIPE with %s report %u still queued: close must drain",
                     fzq__names[p], k);
        break;
    case -EINTR:
        if (!kick)
            FZQ_FAIL("sv_queue_pop returned -EINTR: only pop_kick may");
        if (!G.kicked)
            FZQ_FAIL("pop_kick returned -EINTR with no kick");
        if ((p = fzq__ready(pstart, -1, &k)) >= 0)
            FZQ_FAIL("pop_kick returned -EINTR while %s report %u was ready", fzq__names[p], k);
        break;
    default:
        FZQ_FAIL("pop returned %d", rc);
    }
    return rc;
}

static void fzq__close(void) {
    if (!G.close_start)
        G.close_start = ++G.seq;
    sv_queue_close(G.q);
    if (!G.close_done)
        G.close_done = ++G.seq;
}

static void fzq__main(void *arg) {
    (void)arg;
    sv_thread *th[FZQ_MAX_PROD];
    if (sv_queue_new(&G.q) != 0)
        FZQ_FAIL("sv_queue_new failed");
    for (unsigned p = 0; p < G.nprod; p++)
        if (sv_thread_create(&th[p], fzq__producer, (void *)(uintptr_t)p, fzq__names[p]) != 0)
            FZQ_FAIL("thread_create failed");
    for (unsigned i = 0; i < G.ncops; i++) {
        const fzq_op *op = &G.cops[i];
        switch (op->kind) {
        case FZQ_POP: fzq__pop(op->arg, false); break;
        case FZQ_POP_KICK: fzq__pop(op->arg, true); break;
        case FZQ_CLOSE: fzq__close(); break;
        case FZQ_SLEEP: sv_sleep_until(sv_now() + op->arg); break;
        default: sv_yield(); break;
        }
    }
    fzq__close();
    while (fzq__pop(-1, false) != -EPIPE) {
    }
    for (unsigned p = 0; p < G.nprod; p++)
        if (sv_thread_join(th[p], SV_FOREVER) != 0)
            FZQ_FAIL("join of %s failed", fzq__names[p]);
    for (unsigned p = 0; p < G.nprod; p++)
        for (unsigned k = 0; k < G.npushed[p]; k++)
            if (G.st[p][k].st == FZQ_R_OK && !G.st[p][k].popped)
                FZQ_FAIL("%s report %u was accepted but never popped: lost", fzq__names[p], k);
    sv_queue_free(G.q);
    G.q = NULL;
}

static void fzq__decode(fz_in *in, uint8_t mode) {
    static const int64_t timeouts[] = {0, 1, FZQ_MS, 5 * FZQ_MS, 1000 * FZQ_MS, -1};
    G.nprod = 2 + (mode >> 1) % 3;
    for (unsigned p = 0; p < G.nprod; p++) {
        G.npops[p] = fz_u32(in, 0, FZQ_MAX_POPS);
        for (unsigned i = 0; i < G.npops[p]; i++) {
            uint8_t b = fz_byte(in);
            fzq_op *op = &G.pops[p][i];
            switch (b % 8) {
            case 5: op->kind = FZQ_YIELD; break;
            case 6: op->kind = FZQ_SLEEP, op->arg = (b & 8) ? 5 * FZQ_MS : FZQ_MS; break;
            case 7: op->kind = FZQ_KICK; break;
            case 4: op->kind = FZQ_PUSH_NOWAKE, op->arg = (b >> 3) & 1; break;
            default: op->kind = FZQ_PUSH; break;
            }
        }
    }
    G.ncops = fz_u32(in, 0, FZQ_MAX_COPS);
    for (unsigned i = 0; i < G.ncops; i++) {
        uint8_t b = fz_byte(in);
        fzq_op *op = &G.cops[i];
        switch (b % 8) {
        case 5: op->kind = FZQ_POP_KICK, op->arg = timeouts[(b >> 3) % 6]; break;
        case 6: op->kind = (b & 0x30) == 0x30 ? FZQ_CLOSE : FZQ_YIELD; break;
        case 7: op->kind = FZQ_SLEEP, op->arg = (b & 8) ? 5 * FZQ_MS : FZQ_MS; break;
        default: op->kind = FZQ_POP, op->arg = timeouts[(b >> 3) % 6]; break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096)
        return 0;
    fz_in in = fz_init(data, size);
    memset(&G, 0, sizeof G);
    uint8_t mode = fz_byte(&in);
    fzq__decode(&in, mode);

    fl_sched_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.step_budget = FZQ_BUDGET;
    char *schedule = NULL;
    if (mode & 1) {
        fl_sched_schedule sc;
        memset(&sc, 0, sizeof sc);
        sc.strategy = FL_SCHED_STRAT_RANDOM;
        sc.flags = FL_SCHED_SCHEDULE_OPEN;
        size_t steps = 0;
        while (!fz_empty(&in) && steps < FZQ_MAX_SCHED) {
            uint8_t b = fz_byte(&in);
            unsigned reps = 1 + (b >> 4);
            for (unsigned r = 0; r < reps; r++, steps++)
                if (fl_sched_schedule_push(&sc, b % (G.nprod + 1)) != 0)
                    FZQ_FAIL("out of memory");
        }
        schedule = fl_sched_schedule_format(&sc);
        fl_sched_schedule_free(&sc);
        if (!schedule)
            FZQ_FAIL("could not encode the schedule");
        opts.strategy = FL_SCHED_STRAT_REPLAY;
        opts.schedule = schedule;
    } else {
        opts.strategy = FL_SCHED_STRAT_RANDOM;
        opts.seed = fz_range(&in, 0, UINT64_MAX);
    }

    static int trace = -1;
    if (trace < 0)
        trace = getenv("FUZZ_QUEUE_TRACE") != NULL;
    opts.trace = trace;
    fl_sched_result res;
    int rc = fl_sched_run(&opts, fzq__main, NULL, &res);
    if (trace)
        fprintf(stderr, "fuzz_queue: status %s, %llu steps\n%sschedule %s\n",
                fl_sched_status_name(res.status), (unsigned long long)res.steps,
                res.trace ? res.trace : "", res.schedule ? res.schedule : "");
    if (rc != 0) {
        fprintf(stderr, "fuzz_queue: fl_sched_run failed: %d (%s)\n", rc,
                res.report ? res.report : "no report");
        abort();
    }
    switch (res.status) {
    case FL_SCHED_OK: break;
    case FL_SCHED_DEADLOCK: {
        unsigned k;
        bool legit = G.in_forever_pop && G.prod_done == G.nprod && !G.close_start &&
                     fzq__ready(UINT64_MAX, -1, &k) < 0;
        if (!legit) {
            fprintf(stderr,
                    "fuzz_queue: deadlock (consumer in forever pop: %d, producers done %u/%u, "
                    "closed: %d, ready report: %d): a lost wake-up?\n%s\nschedule: %s\n",
                    G.in_forever_pop, G.prod_done, G.nprod, G.close_start != 0,
                    fzq__ready(UINT64_MAX, -1, &k) >= 0, res.report ? res.report : "",
                    res.schedule ? res.schedule : "");
            abort();
        }
        break;
    }
    default:
        fprintf(stderr, "fuzz_queue: run ended with status %s after %llu steps\n%s\nschedule: %s\n",
                fl_sched_status_name(res.status), (unsigned long long)res.steps,
                res.report ? res.report : "", res.schedule ? res.schedule : "");
        abort();
    }
    if (res.nleaked != 0) {
        fprintf(stderr, "fuzz_queue: %zu thread(s) leaked, first %s\n", res.nleaked, res.leaked[0]);
        abort();
    }
    /* a legitimate deadlock kills main before it frees the queue; the
     * scheduler reclaims it, so only a clean run must leave nothing */
    if (res.status == FL_SCHED_OK && res.live_allocs != 0) {
        fprintf(stderr, "fuzz_queue: %zu sv_alloc block(s) (%zu bytes) left after the run\n",
                res.live_allocs, res.live_bytes);
        abort();
    }
    fl_sched_result_free(&res);
    free(schedule);
    return 0;
}
