/*
 * bench/queue — the crash-report queue (sv_queue_*) against a floor and a
 * peer, measured in the same process, interleaved.
 *
 * Push cost, against the bare floor: an intrusive MPSC push that is nothing
 * but an atomic exchange of the tail, the link store, and a wake (a load of
 * the consumer's "waiting" word, and FUTEX_WAKE when it is set). The floor is
 * a real (non-inlined) function, as any queue API call is. Two cases:
 *   - consumer busy: nobody waits, so no wake is due — the pure push path;
 *     batches of 64 pushes timed together, drained untimed;
 *   - consumer asleep: each push must wake it (the common case in libsv: the
 *     supervisor sleeps in pop when a worker crashes); one push timed at a
 *     time, and before each the consumer is seen asleep in /proc.
 *
 * Throughput, against a peer: the textbook mutex + condition-variable queue
 * (signal only when the consumer waits), same reports, same recycling, with
 * one and with two producers; measured at the consumer (reports popped per
 * second). Producers recycle a ring of 256 reports each: the consumer counts
 * the pops of each producer, and a producer reuses a report only after it was
 * popped (the queue is FIFO per producer). Threads are pinned (producer i
 * on CPU i, a lone consumer on CPU 1) so that each run measures the same
 * placement; see qt_once.
 */
#include "bench.h"
#include "sv.h"
#include "sv_plat.h"

#include <fcntl.h>

/* ---- the floor: bare intrusive MPSC push (Vyukov) + futex wake -------------- */

typedef struct bq {
    _Alignas(64) sv_report *_Atomic tail;
    _Alignas(64) sv_report *head;       /* consumer only */
    _Atomic uint32_t waiting;           /* 1 while the consumer sleeps (or is about to) */
    sv_report stub;
} bq;

static void bq_init(bq *q) {
    memset(q, 0, sizeof *q);
    atomic_init(&q->tail, &q->stub);
    q->head = &q->stub;
}

static inline void bq__link(bq *q, sv_report *r) {
    atomic_store_explicit(&r->sv__next, NULL, memory_order_relaxed);
    sv_report *prev = atomic_exchange_explicit(&q->tail, r, memory_order_seq_cst);
    atomic_store_explicit(&prev->sv__next, r, memory_order_release);
}

__attribute__((noinline)) static void bq_push(bq *q, sv_report *r) {
    bq__link(q, r);
    if (atomic_load_explicit(&q->waiting, memory_order_seq_cst)) {
        atomic_store_explicit(&q->waiting, 0, memory_order_relaxed);
        bn_futex_wake(&q->waiting, 1);
    }
}

/* Single consumer. NULL when empty or when a producer is between its
 * exchange and its link store (callers retry). */
static sv_report *bq_trypop(bq *q) {
    sv_report *head = q->head;
    sv_report *next = atomic_load_explicit(&head->sv__next, memory_order_acquire);
    if (head == &q->stub) {
        if (!next) return NULL;
        q->head = head = next;
        next = atomic_load_explicit(&head->sv__next, memory_order_acquire);
    }
    if (next) {
        q->head = next;
        return head;
    }
    if (atomic_load_explicit(&q->tail, memory_order_acquire) != head) return NULL;
    bq__link(q, &q->stub);
    next = atomic_load_explicit(&head->sv__next, memory_order_acquire);
    if (next) {
        q->head = next;
        return head;
    }
    return NULL;
}

/* Blocking pop; NULL once *stop is set and the queue is empty. */
static sv_report *bq_pop(bq *q, _Atomic int *stop) {
    for (;;) {
        sv_report *r = bq_trypop(q);
        if (r) return r;
        if (atomic_load_explicit(&q->tail, memory_order_acquire) != &q->stub) {
            bn_cpu_relax(); /* a push is half done: it is about to link */
            continue;
        }
        if (atomic_load(stop)) return NULL;
        atomic_store_explicit(&q->waiting, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&q->tail, memory_order_seq_cst) == &q->stub && !atomic_load(stop))
            bn_futex_wait(&q->waiting, 1);
        atomic_store_explicit(&q->waiting, 0, memory_order_relaxed);
    }
}

/* ---- the peer: mutex + condition-variable queue ------------------------------- */

typedef struct mq {
    pthread_mutex_t m;
    pthread_cond_t c;
    sv_report *head, *tail;
    int nwait;
} mq;

static void mq_init(mq *q) {
    memset(q, 0, sizeof *q);
    BN_PT(pthread_mutex_init(&q->m, NULL));
    BN_PT(pthread_cond_init(&q->c, NULL));
}

static void mq_destroy(mq *q) {
    BN_PT(pthread_mutex_destroy(&q->m));
    BN_PT(pthread_cond_destroy(&q->c));
}

__attribute__((noinline)) static void mq_push(mq *q, sv_report *r) {
    BN_PT(pthread_mutex_lock(&q->m));
    atomic_store_explicit(&r->sv__next, NULL, memory_order_relaxed);
    if (q->tail) atomic_store_explicit(&q->tail->sv__next, r, memory_order_relaxed);
    else q->head = r;
    q->tail = r;
    if (q->nwait) BN_PT(pthread_cond_signal(&q->c));
    BN_PT(pthread_mutex_unlock(&q->m));
}

__attribute__((noinline)) static sv_report *mq_pop(mq *q) {
    BN_PT(pthread_mutex_lock(&q->m));
    while (!q->head) {
        q->nwait++;
        BN_PT(pthread_cond_wait(&q->c, &q->m));
        q->nwait--;
    }
    sv_report *r = q->head;
    q->head = atomic_load_explicit(&r->sv__next, memory_order_relaxed);
    if (!q->head) q->tail = NULL;
    BN_PT(pthread_mutex_unlock(&q->m));
    return r;
}

/* ---- push cost, consumer busy ---------------------------------------------------- */

enum { QB_BATCH = 64 };

static double qb_batch_ours(sv_queue *q, sv_report *rep) {
    int64_t t0 = bn_now_ns();
    for (int i = 0; i < QB_BATCH; i++)
        if (sv_queue_push(q, &rep[i]) != 0) return NAN;
    int64_t t1 = bn_now_ns();
    sv_report *r;
    int n = 0;
    while (sv_queue_pop(q, 0, &r) == 0) n++;
    if (n != QB_BATCH) return NAN;
    return (double)(t1 - t0) / QB_BATCH;
}

static double qb_batch_floor(bq *q, sv_report *rep) {
    int64_t t0 = bn_now_ns();
    for (int i = 0; i < QB_BATCH; i++) bq_push(q, &rep[i]);
    int64_t t1 = bn_now_ns();
    int n = 0;
    while (bq_trypop(q)) n++;
    if (n != QB_BATCH) return NAN;
    return (double)(t1 - t0) / QB_BATCH;
}

static void q_push_busy(const bn_args *a) {
    const int rounds = a->quick ? 1 : 9, per = a->quick ? 50 : 2000;
    sv_queue *q;
    int rc = sv_queue_new(&q);
    if (!bn_check(rc == 0, "sv_queue_new: %d", rc)) {
        bn_row_missing(a, "queue.push", "push, no wake due", "sv_queue_new failed", BN_LE, 2);
        return;
    }
    bq *f = bn_xcalloc(1, sizeof *f);
    bq_init(f);
    sv_report *rep = bn_xcalloc(QB_BATCH, sizeof *rep);
    double *so = bn_xcalloc((size_t)per, sizeof(double)), *sf = bn_xcalloc((size_t)per, sizeof(double));
    double mo[16], mf[16], ratio[16];
    for (int i = 0; i < per / 10 + 1; i++) { /* warm-up */
        qb_batch_ours(q, rep);
        qb_batch_floor(f, rep);
    }
    bool ok = true;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < per; i++) {
            if (i & 1) {
                sf[i] = qb_batch_floor(f, rep);
                so[i] = qb_batch_ours(q, rep);
            } else {
                so[i] = qb_batch_ours(q, rep);
                sf[i] = qb_batch_floor(f, rep);
            }
            ok = ok && !isnan(so[i]) && !isnan(sf[i]);
        }
        mo[r] = bn_median(so, (size_t)per);
        mf[r] = bn_median(sf, (size_t)per);
        ratio[r] = mo[r] / mf[r];
        fprintf(stderr, "push (no wake) round %d: ours %.2f ns, floor %.2f ns (%.2fx)\n", r, mo[r],
                mf[r], ratio[r]);
    }
    bn_check(ok, "push/pop lost or refused a report");
    double o = bn_median(mo, (size_t)rounds), fl = bn_median(mf, (size_t)rounds);
    double q50 = bn_median(ratio, (size_t)rounds);
    bn_check(bn_sane(o) && bn_sane(fl) && bn_sane(q50), "push (no wake) figures not sane");
    char ob[48], fb[48], ft[96];
    snprintf(ft, sizeof ft, "xchg+link %s", bn_fmt_ns(fb, sizeof fb, fl));
    bn_row(a, "queue.push", "sv_queue_push, consumer busy (no wake due)", o,
           bn_fmt_ns(ob, sizeof ob, o), fl, ft, q50, NULL, BN_LE, 2);
    sv_queue_close(q);
    sv_queue_free(q);
    free(f);
    free(rep);
    free(so);
    free(sf);
}

/* ---- push cost, consumer asleep -------------------------------------------------- */

typedef struct qw_cons {
    sv_queue *q; /* ours, or NULL: the floor f */
    bq *f;
    _Atomic int stop;
    _Atomic pid_t tid;
    _Atomic uint32_t got; /* reports popped */
} qw_cons;

static void *qw_consumer(void *arg) {
    qw_cons *c = arg;
    atomic_store(&c->tid, (pid_t)syscall(SYS_gettid));
    for (;;) {
        sv_report *r;
        if (c->q) {
            if (sv_queue_pop(c->q, SV_FOREVER, &r) != 0) return NULL;
        } else if (!(r = bq_pop(c->f, &c->stop))) {
            return NULL;
        }
        bn_publish(&c->got, atomic_load(&c->got) + 1);
    }
}

/* True once thread tid is asleep (state S in /proc); gives up after ~0.5 s. */
static bool qw_asleep(pid_t tid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    for (int tries = 0; tries < 50000; tries++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) return false;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) return false;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S') return true;
        if (tries > 100) usleep(10);
    }
    return false;
}

static double qw_one(qw_cons *c, sv_report *r) {
    if (!qw_asleep(atomic_load(&c->tid))) return NAN;
    uint32_t g = atomic_load(&c->got);
    int64_t t0 = bn_now_ns();
    if (c->q) {
        if (sv_queue_push(c->q, r) != 0) return NAN;
    } else {
        bq_push(c->f, r);
    }
    int64_t t1 = bn_now_ns();
    bn_wait_at_least(&c->got, g + 1);
    return (double)(t1 - t0);
}

static void q_push_wake(const bn_args *a) {
    const int rounds = a->quick ? 1 : 5, per = a->quick ? 20 : 300;
    qw_cons co = {0}, cf = {0};
    int rc = sv_queue_new(&co.q);
    if (!bn_check(rc == 0, "sv_queue_new: %d", rc)) {
        bn_row_missing(a, "queue.push.wake", "push waking a sleeping consumer", "sv_queue_new failed",
                       BN_LE, 2);
        return;
    }
    cf.f = bn_xcalloc(1, sizeof *cf.f);
    bq_init(cf.f);
    sv_report *rep = bn_xcalloc(2, sizeof *rep);
    pthread_t to, tf;
    BN_PT(pthread_create(&to, NULL, qw_consumer, &co));
    BN_PT(pthread_create(&tf, NULL, qw_consumer, &cf));
    while (!atomic_load(&co.tid) || !atomic_load(&cf.tid)) sched_yield();
    /* Where the sleeper sleeps decides what a wake costs (an IPI to another
     * CPU, or a local enqueue that may preempt the pusher): put the pusher on
     * CPU 0 and both consumers on CPU 1 so both sides pay the same kind. */
    cpu_set_t saved;
    bool pinned = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0 &&
                  bn_pin(pthread_self(), 0) && bn_pin(to, 1) && bn_pin(tf, 1);
    fprintf(stderr, "push (wake): pusher and consumers %s\n",
            pinned ? "pinned to CPU 0 and CPU 1" : "not pinned (one CPU, or affinity refused)");
    double *so = bn_xcalloc((size_t)per, sizeof(double)), *sf = bn_xcalloc((size_t)per, sizeof(double));
    double mo[16], mf[16], ratio[16];
    bool ok = true;
    for (int i = 0; i < 10; i++) { /* warm-up */
        qw_one(&co, &rep[0]);
        qw_one(&cf, &rep[1]);
    }
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < per; i++) {
            if (i & 1) {
                sf[i] = qw_one(&cf, &rep[1]);
                so[i] = qw_one(&co, &rep[0]);
            } else {
                so[i] = qw_one(&co, &rep[0]);
                sf[i] = qw_one(&cf, &rep[1]);
            }
            ok = ok && !isnan(so[i]) && !isnan(sf[i]);
        }
        mo[r] = bn_median(so, (size_t)per);
        mf[r] = bn_median(sf, (size_t)per);
        ratio[r] = mo[r] / mf[r];
        fprintf(stderr, "push (wake) round %d: ours %.0f ns, floor %.0f ns (%.2fx)\n", r, mo[r], mf[r],
                ratio[r]);
    }
    bn_check(ok, "push with a sleeping consumer failed (consumer never slept, or push refused)");
    sv_queue_close(co.q);
    atomic_store(&cf.stop, 1);
    atomic_store(&cf.f->waiting, 0);
    bn_futex_wake(&cf.f->waiting, 1);
    BN_PT(pthread_join(to, NULL));
    BN_PT(pthread_join(tf, NULL));
    if (pinned) BN_PT(pthread_setaffinity_np(pthread_self(), sizeof saved, &saved));
    double o = bn_median(mo, (size_t)rounds), fl = bn_median(mf, (size_t)rounds);
    double q50 = bn_median(ratio, (size_t)rounds);
    bn_check(bn_sane(o) && bn_sane(fl) && bn_sane(q50), "push (wake) figures not sane");
    char ob[48], fb[48], ft[96];
    snprintf(ft, sizeof ft, "xchg+link+wake %s", bn_fmt_ns(fb, sizeof fb, fl));
    bn_row(a, "queue.push.wake", "sv_queue_push waking a sleeping consumer", o,
           bn_fmt_ns(ob, sizeof ob, o), fl, ft, q50, NULL, BN_LE, 2);
    sv_queue_free(co.q);
    free(cf.f);
    free(rep);
    free(so);
    free(sf);
}

/* ---- throughput ------------------------------------------------------------------ */

enum { QT_RING = 256, QT_MAXP = 2 };

typedef struct qt_run {
    sv_queue *q; /* ours, or NULL: the peer m */
    mq *m;
    int nprod;
    uint32_t per_prod;
    sv_report *ring[QT_MAXP];
    struct {
        _Alignas(64) _Atomic uint32_t n; /* pops of this producer's reports */
    } consumed[QT_MAXP];
    _Atomic uint32_t go;
    _Atomic int64_t t_end;
    _Atomic int bad;
} qt_run;

typedef struct qt_prod {
    qt_run *run;
    int id;
} qt_prod;

static void *qt_producer(void *arg) {
    qt_prod *p = arg;
    qt_run *run = p->run;
    sv_report *ring = run->ring[p->id];
    bn_wait_at_least(&run->go, 1);
    for (uint32_t i = 0; i < run->per_prod; i++) {
        if (i >= QT_RING) { /* reuse slot i % QT_RING only once it was popped */
            uint32_t need = i - QT_RING + 1;
            for (int spins = 0;
                 atomic_load_explicit(&run->consumed[p->id].n, memory_order_acquire) < need; spins++) {
                if (spins < 64) bn_cpu_relax();
                else sched_yield();
            }
        }
        sv_report *r = &ring[i % QT_RING];
        r->incarnation = (uint32_t)p->id;
        if (run->q) {
            if (sv_queue_push(run->q, r) != 0) {
                atomic_store(&run->bad, 1);
                return NULL;
            }
        } else {
            mq_push(run->m, r);
        }
    }
    return NULL;
}

static void *qt_consumer(void *arg) {
    qt_run *run = arg;
    uint32_t total = run->per_prod * (uint32_t)run->nprod;
    bn_wait_at_least(&run->go, 1);
    for (uint32_t i = 0; i < total; i++) {
        sv_report *r;
        if (run->q) {
            if (sv_queue_pop(run->q, SV_FOREVER, &r) != 0) {
                atomic_store(&run->bad, 1);
                return NULL;
            }
        } else {
            r = mq_pop(run->m);
        }
        uint32_t id = r->incarnation;
        if (id >= (uint32_t)run->nprod) {
            atomic_store(&run->bad, 1);
            return NULL;
        }
        uint32_t c = atomic_load_explicit(&run->consumed[id].n, memory_order_relaxed);
        atomic_store_explicit(&run->consumed[id].n, c + 1, memory_order_release);
    }
    atomic_store(&run->t_end, bn_now_ns());
    return NULL;
}

/* Reports per second through ours (ours = true) or the peer; NAN on failure. */
static double qt_once(bool ours, int nprod, uint32_t per_prod, sv_report *rings) {
    qt_run *run = bn_xcalloc(1, sizeof *run);
    mq m;
    run->nprod = nprod;
    run->per_prod = per_prod;
    for (int i = 0; i < nprod; i++) run->ring[i] = rings + (size_t)i * QT_RING;
    if (ours) {
        if (sv_queue_new(&run->q) != 0) {
            free(run);
            return NAN;
        }
    } else {
        mq_init(&m);
        run->m = &m;
    }
    pthread_t tc, tp[QT_MAXP];
    qt_prod pa[QT_MAXP];
    BN_PT(pthread_create(&tc, NULL, qt_consumer, run));
    for (int i = 0; i < nprod; i++) {
        pa[i] = (qt_prod){run, i};
        BN_PT(pthread_create(&tp[i], NULL, qt_producer, &pa[i]));
    }
    /* Placement decides what is measured (same CPU: big batches, no line
     * transfers; two CPUs: every report crosses), and left to the kernel it
     * flips from run to run. So: producer i on CPU i; with one producer the
     * consumer on CPU 1 (every report crosses cores); with two it floats (on
     * two CPUs three busy threads cannot all run). */
    for (int i = 0; i < nprod; i++) bn_pin(tp[i], i);
    if (nprod == 1) bn_pin(tc, 1);
    usleep(2000); /* let every thread reach the start line */
    int64_t t0 = bn_now_ns();
    bn_publish(&run->go, 1);
    for (int i = 0; i < nprod; i++) BN_PT(pthread_join(tp[i], NULL));
    BN_PT(pthread_join(tc, NULL));
    double rate = atomic_load(&run->bad) ? NAN
                  : (double)per_prod * nprod / ((double)(atomic_load(&run->t_end) - t0) / 1e9);
    if (ours) {
        sv_queue_close(run->q);
        sv_queue_free(run->q);
    } else {
        mq_destroy(&m);
    }
    free(run);
    return rate;
}

static void q_throughput(const bn_args *a, int nprod) {
    const int pairs = a->quick ? 1 : 9;
    const uint32_t per_prod = a->quick ? 3000 : 150000;
    sv_report *rings = bn_xcalloc((size_t)QT_RING * QT_MAXP, sizeof *rings);
    double ro[16], rp[16], ratio[16];
    qt_once(true, nprod, per_prod / 10, rings); /* warm-up */
    qt_once(false, nprod, per_prod / 10, rings);
    for (int i = 0; i < pairs; i++) {
        if (i & 1) {
            rp[i] = qt_once(false, nprod, per_prod, rings);
            ro[i] = qt_once(true, nprod, per_prod, rings);
        } else {
            ro[i] = qt_once(true, nprod, per_prod, rings);
            rp[i] = qt_once(false, nprod, per_prod, rings);
        }
        ratio[i] = ro[i] / rp[i];
        fprintf(stderr, "throughput %dp pair %d: ours %.3g/s, mutex+cond %.3g/s (%.2fx)\n", nprod, i,
                ro[i], rp[i], ratio[i]);
    }
    double o = bn_median(ro, (size_t)pairs), p = bn_median(rp, (size_t)pairs);
    double q = bn_median(ratio, (size_t)pairs);
    bn_check(bn_sane(o) && bn_sane(p) && bn_sane(q), "throughput (%d producers) not sane", nprod);
    char ob[48], pb[48], pt[96], id[32], fig[96];
    snprintf(pt, sizeof pt, "mutex+cond %s", bn_fmt_rate(pb, sizeof pb, p, ""));
    snprintf(id, sizeof id, "queue.thr.%dp", nprod);
    snprintf(fig, sizeof fig, "queue throughput, %d producer%s, 1 consumer", nprod,
             nprod > 1 ? "s" : "");
    bn_row(a, id, fig, o, bn_fmt_rate(ob, sizeof ob, o, ""), p, pt, q, NULL, BN_GE, 3);
    free(rings);
}

int main(int argc, char **argv) {
    bn_args a = bn_parse_args(argc, argv,
                              "crash-report queue: push vs xchg+wake floor, throughput vs mutex+cond");
    q_push_busy(&a);
    q_push_wake(&a);
    q_throughput(&a, 1);
    q_throughput(&a, 2);
    return bn_finish();
}
