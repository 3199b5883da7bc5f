/*
 * runner_pool.c — cases in child processes (fl_runner_pool, fl_runner.h).
 *
 * Process model: the parent never runs a scenario. It cuts every case into
 * work items (FL_RUNNER_CHUNK_SEEDS seeds of one scenario; a pct or free
 * scenario is one item), forks one child per item, at most `jobs` at once,
 * and waits in poll() on the children's result pipes. Each child runs its
 * seed range (fl_runner_case_range) with the slot's live page, writes one
 * encoded fl_runner_part (runner_wire.c) down its pipe and exits.
 *
 * Invariants:
 *  - the parent is single-threaded and forks only between its own steps, so
 *    a child starts with nothing locked; it flushes every stdio stream first,
 *    so no buffered output is written twice;
 *  - a slot's live page (MAP_SHARED, mapped once before any fork) belongs to
 *    the one child running in that slot; the parent resets it before the
 *    fork and reads its run fields only after waitpid;
 *  - every item's part is either received whole, synthesised by the parent
 *    from the live page (timeout, death, a malformed message), or absent
 *    (never started, or cancelled: a stop part came before it in its case);
 *  - cases are merged from the longest prefix of their parts in seed order
 *    that ends at the first stop part (hit, error, interruption), so the
 *    outcome does not depend on which child finished first, nor on jobs;
 *  - children ignore SIGINT/SIGTERM (the parent relays a stop through the
 *    live page) and die with the parent (PR_SET_PDEATHSIG).
 */
#include "runner/runner_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct fl_runner__item {
    size_t k;              /* case */
    uint32_t from, count;  /* seed indices */
    bool started, done, cancelled;
    fl_runner_part part;   /* done: the item's part */
} fl_runner__item;


/* Children running, for fl_runner_pool_abort (async-signal-safe reads). */
#define FL_RUNNER__MAX_JOBS 1024u
static volatile pid_t fl_runner__pids[FL_RUNNER__MAX_JOBS];

void fl_runner_pool_abort(void) {
    for (unsigned i = 0; i < FL_RUNNER__MAX_JOBS; i++)
        if (fl_runner__pids[i] > 0) kill(fl_runner__pids[i], SIGKILL);
}



/* ---- the parent --------------------------------------------------------------------- */

typedef struct fl_runner__pool {
    fl_scenario *const *sc;
    size_t n;
    const fl_runner_opts *o;
    const fl_runner_pool_opts *po;
    fl_runner__item *items;
    size_t nitems;
    size_t *first;          /* first item of case k; first[n] = nitems */
    bool *emitted;
    size_t next_emit;
    size_t cut;             /* fail-fast: cases after this one are not reported (n: none) */
    bool stopping;
    uint64_t runs_done;     /* runs of received parts */
    size_t failed_cases;
    fl_runner__slot *slots;
    unsigned nslots;
    int *cpus;
    int ncpus;
} fl_runner__pool;

/* Parts of case k to merge: the longest prefix of done items ending at the
 * first stop part. *complete: nothing more can change it (all its items
 * done, or a stop part reached). Returns the prefix length. */
static size_t fl_runner__prefix(const fl_runner__pool *p, size_t k, bool *complete) {
    size_t m = 0;
    *complete = true;
    for (size_t j = p->first[k]; j < p->first[k + 1]; j++) {
        const fl_runner__item *it = &p->items[j];
        if (!it->done) {
            *complete = false;
            break;
        }
        m++;
        if (it->part.hit || it->part.err || it->part.interrupted) break;
    }
    return m;
}

/* Merge case k from its parts into cases[k]; verbose lines appended. */
static int fl_runner__merge_case(fl_runner__pool *p, size_t k, fl_case *cases, int *errs, char **verbose) {
    bool complete;
    size_t m = fl_runner__prefix(p, k, &complete);
    fl_runner_part *parts = malloc((m ? m : 1) * sizeof *parts);
    if (!parts) return -ENOMEM;
    size_t vl = 0;
    for (size_t j = 0; j < m; j++) {
        parts[j] = p->items[p->first[k] + j].part;
        if (parts[j].verbose) vl += strlen(parts[j].verbose);
    }
    *verbose = NULL;
    if (p->o->verbose && (*verbose = calloc(vl + 1, 1)))
        for (size_t j = 0; j < m; j++)
            if (parts[j].verbose) strcat(*verbose, parts[j].verbose);
    int r = 0;
    if (m == 0) {
        memset(&cases[k], 0, sizeof cases[k]);
        r = fl_runner__case_head(p->sc[k], &cases[k]);
        cases[k].skipped = true;
        cases[k].passed = true;
        if (r == 0 && !(cases[k].skip_reason = strdup("interrupted before it ran"))) r = -ENOMEM;
    } else {
        r = fl_runner_merge(parts, m, p->sc[k], &cases[k]);
        if (r == -ENOMEM) {
            free(parts);
            return r;
        }
        errs[k] = r;
        r = 0;
    }
    /* the parts' remains (what merge did not move) stay with the items */
    for (size_t j = 0; j < m; j++) p->items[p->first[k] + j].part = parts[j];
    free(parts);
    return r;
}

static void fl_runner__cancel_after(fl_runner__pool *p, size_t k, size_t j) {
    for (size_t i = j + 1; i < p->first[k + 1]; i++) p->items[i].cancelled = true;
    for (unsigned s = 0; s < p->nslots; s++)
        if (p->slots[s].pid > 0 && p->items[p->slots[s].item].k == k && p->slots[s].item > j) {
            p->slots[s].discard = true;
            kill(p->slots[s].pid, SIGKILL);
        }
}

static int fl_runner__start(fl_runner__pool *p, unsigned s, size_t j) {
    fl_runner__slot *sl = &p->slots[s];
    fl_runner__item *it = &p->items[j];
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) return -errno;
    struct fl_runner_live *l = sl->live;
    atomic_store_explicit(&l->stop, 0, memory_order_relaxed);
    atomic_store_explicit(&l->runs_done, 0, memory_order_relaxed);
    atomic_store_explicit(&l->failed_runs, 0, memory_order_relaxed);
    l->active = false;
    l->nruns = 0;
    l->overflow = false;
    l->flags = 0;
    l->seed = 0;
    sl->captured = sl->out >= 0 && fl_runner_needs_process(p->sc[it->k]);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    if (pid == 0) {
        /* a controlled run on one CPU per child (-j > 1); a free run keeps
         * every CPU: its threads are meant to run in parallel */
        uint32_t seeds, depth;
        uint64_t first, budget;
        fl_sched_strategy st;
        fl_runner_effective(p->sc[it->k], p->o, &seeds, &first, &st, &depth, &budget);
        int cpu = p->ncpus > 1 && p->nslots > 1 && st != FL_SCHED_STRAT_FREE ? p->cpus[s % (unsigned)p->ncpus] : -1;
        close(fds[0]);
        for (unsigned i = 0; i < p->nslots; i++)
            if (p->slots[i].pid > 0) close(p->slots[i].fd);
        fl_runner__child(p->sc[it->k], p->o, it->from, it->count, l, fds[1], cpu, sl->captured ? sl->out : -1);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    sl->pid = pid;
    fl_runner__pids[s] = pid;
    sl->fd = fds[0];
    sl->item = j;
    sl->n = 0;
    sl->timed_out = sl->discard = false;
    sl->deadline = p->po->timeout_ns > 0 ? fl_runner__mono_ns() + p->po->timeout_ns : INT64_MAX;
    sl->seen_done = 0;
    it->started = true;
    return 0;
}


/* The child of slot s closed its pipe: reap it and file its item's part. */
static int fl_runner__reap(fl_runner__pool *p, unsigned s) {
    fl_runner__slot *sl = &p->slots[s];
    int status = 0;
    while (waitpid(sl->pid, &status, 0) < 0 && errno == EINTR) {}
    close(sl->fd);
    sl->pid = 0;
    fl_runner__pids[s] = 0;
    fl_runner__item *it = &p->items[sl->item];
    if (sl->discard || it->cancelled) {
        if (sl->captured) fl_runner__output_reset(sl);
        return 0;
    }
    int r = fl_runner__finish(p->sc[it->k], sl, status, p->po->timeout_ns, p->o->verbose, &it->part);
    if (r < 0) return r;
    it->done = true;
    p->runs_done += it->part.c.runs;
    if (it->part.hit || it->part.err) fl_runner__cancel_after(p, it->k, sl->item);
    /* a normal scenario with a failed run fails, whatever its other items
     * find: with fail-fast, nothing after it is wanted (known-bad ones are
     * decided when they are emitted) */
    if (p->po->fail_fast && !p->sc[it->k]->expect_fail && (it->part.c.failed_runs || it->part.err) && it->k < p->cut)
        p->cut = it->k;
    return 0;
}


/* Emit the cases now complete, in order, up to the fail-fast cut. */
static int fl_runner__emit(fl_runner__pool *p, fl_case *cases, int *errs, bool final) {
    while (p->next_emit < p->n && p->next_emit <= p->cut) {
        size_t k = p->next_emit;
        bool complete;
        fl_runner__prefix(p, k, &complete);
        if (!complete && !final) return 0;
        char *verbose = NULL;
        int r = fl_runner__merge_case(p, k, cases, errs, &verbose);
        if (r < 0) {
            free(verbose);
            return r;
        }
        p->emitted[k] = true;
        p->next_emit++;
        if (!cases[k].passed) {
            p->failed_cases++;
            if (p->po->fail_fast && k < p->cut) p->cut = k;
        }
        if (p->po->on_case) p->po->on_case(p->po->ud, k, &cases[k], verbose);
        free(verbose);
    }
    return 0;
}

static int fl_runner__plan(fl_runner__pool *p) {
    size_t cap = 0;
    for (size_t k = 0; k < p->n; k++) {
        uint32_t seeds, depth;
        uint64_t first, budget;
        fl_sched_strategy st;
        fl_runner_effective(p->sc[k], p->o, &seeds, &first, &st, &depth, &budget);
        bool whole = st == FL_SCHED_STRAT_PCT || st == FL_SCHED_STRAT_FREE;
        /* A scenario with user workers: one seed per child process, so that
         * every run starts from the process state its seed alone decides
         * (a user's globals are not reset between runs in one process);
         * under PCT each run then starts from the default step estimate. */
        bool user = st != FL_SCHED_STRAT_FREE && fl_runner_needs_process(p->sc[k]);
        uint32_t chunk = user ? 1 : whole || seeds == 0 ? (seeds ? seeds : 1) : FL_RUNNER_CHUNK_SEEDS;
        p->first[k] = p->nitems;
        for (uint32_t from = 0; from < seeds || (seeds == 0 && from == 0); from += chunk) {
            if (p->nitems == cap) {
                cap = cap ? cap * 2 : 64;
                fl_runner__item *ni = realloc(p->items, cap * sizeof *ni);
                if (!ni) return -ENOMEM;
                p->items = ni;
            }
            p->items[p->nitems++] = (fl_runner__item){.k = k, .from = from, .count = chunk};
            if (seeds == 0) break;
        }
    }
    p->first[p->n] = p->nitems;
    return 0;
}

int fl_runner_pool(fl_scenario *const *sc, size_t n, const fl_runner_opts *o, const fl_runner_pool_opts *po,
                   fl_case *cases, int *errs, size_t *nrun, bool *interrupted) {
    fl_runner__pool p = {.sc = sc, .n = n, .o = o, .po = po, .cut = n ? n : 0};
    unsigned jobs = po->jobs ? po->jobs : 1;
    if (jobs > FL_RUNNER__MAX_JOBS) jobs = FL_RUNNER__MAX_JOBS;
    size_t live_sz = sizeof(struct fl_runner_live);
    void *map = MAP_FAILED;
    struct pollfd *pf = NULL;
    int r = -ENOMEM;
    *nrun = 0;
    *interrupted = false;
    memset(cases, 0, n * sizeof *cases);
    memset(errs, 0, n * sizeof *errs);
    if (!(p.first = calloc(n + 1, sizeof *p.first)) || !(p.emitted = calloc(n ? n : 1, 1)) ||
        !(p.slots = calloc(jobs, sizeof *p.slots)) || !(pf = calloc(jobs, sizeof *pf)) ||
        !(p.cpus = calloc(CPU_SETSIZE, sizeof *p.cpus)))
        goto done;
    if ((r = fl_runner__plan(&p)) < 0) goto done;
    p.cut = n;
    map = mmap(NULL, live_sz * jobs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        r = -errno;
        goto done;
    }
    p.nslots = jobs;
    for (unsigned s = 0; s < jobs; s++) {
        p.slots[s].live = (struct fl_runner_live *)((char *)map + s * live_sz);
        p.slots[s].out = memfd_create("faultline-run-output", MFD_CLOEXEC); /* -1: output not captured */
    }
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &allowed)) p.cpus[p.ncpus++] = c;
    size_t next = 0;
    r = 0;
    for (;;) {
        if (po->stop && *po->stop && !p.stopping) {
            p.stopping = true;
            for (unsigned s = 0; s < p.nslots; s++) atomic_store_explicit(&p.slots[s].live->stop, 1, memory_order_relaxed);
        }
        /* start what may start */
        for (unsigned s = 0; s < p.nslots && !p.stopping; s++) {
            if (p.slots[s].pid > 0) continue;
            while (next < p.nitems && (p.items[next].cancelled || p.items[next].k > p.cut)) next++;
            if (next >= p.nitems) break;
            if ((r = fl_runner__start(&p, s, next)) < 0) goto drain;
            next++;
        }
        unsigned nfds = 0;
        int64_t now = fl_runner__mono_ns(), wait_ns = 100000000;
        for (unsigned s = 0; s < p.nslots; s++) {
            fl_runner__slot *sl = &p.slots[s];
            if (sl->pid <= 0) continue;
            uint32_t done = atomic_load_explicit(&sl->live->runs_done, memory_order_relaxed);
            if (done != sl->seen_done && sl->deadline != INT64_MAX) { /* a run ended: the next one's time starts */
                sl->seen_done = done;
                sl->deadline = now + p.po->timeout_ns;
            }
            if (!sl->timed_out && sl->deadline <= now) {
                sl->timed_out = true;
                kill(sl->pid, SIGKILL);
            } else if (!sl->timed_out && sl->deadline - now < wait_ns) {
                wait_ns = sl->deadline - now;
            }
            pf[nfds++] = (struct pollfd){.fd = sl->fd, .events = POLLIN};
        }
        if (nfds == 0) break;
        int pr = poll(pf, nfds, (int)(wait_ns / 1000000) + 1);
        if (pr < 0 && errno != EINTR) {
            r = -errno;
            goto drain;
        }
        for (unsigned s = 0, i = 0; s < p.nslots; s++) {
            fl_runner__slot *sl = &p.slots[s];
            if (sl->pid <= 0) continue;
            short re = pf[i++].revents;
            if (pr <= 0 || !re) continue;
            int e = fl_runner__read(sl);
            if (e < 0) {
                r = e;
                goto drain;
            }
            if (e == 1 && (r = fl_runner__reap(&p, s)) < 0) goto drain;
        }
        for (unsigned s = 0; s < p.nslots; s++) /* fail-fast: nothing after the cut is wanted */
            if (p.slots[s].pid > 0 && p.items[p.slots[s].item].k > p.cut && !p.slots[s].discard) {
                p.slots[s].discard = true;
                kill(p.slots[s].pid, SIGKILL);
            }
        if ((r = fl_runner__emit(&p, cases, errs, false)) < 0) goto drain;
        if (po->on_tick) {
            uint64_t runs = p.runs_done;
            for (unsigned s = 0; s < p.nslots; s++)
                if (p.slots[s].pid > 0)
                    runs += atomic_load_explicit(&p.slots[s].live->runs_done, memory_order_relaxed);
            po->on_tick(po->ud, runs, p.next_emit, p.failed_cases);
        }
    }
    *interrupted = p.stopping;
    r = fl_runner__emit(&p, cases, errs, true);
    *nrun = p.cut < n ? p.cut + 1 : n;
    goto done;
drain: /* the pool itself failed: end every child */
    for (unsigned s = 0; s < p.nslots; s++)
        if (p.slots[s].pid > 0) {
            kill(p.slots[s].pid, SIGKILL);
            while (waitpid(p.slots[s].pid, NULL, 0) < 0 && errno == EINTR) {}
            close(p.slots[s].fd);
            fl_runner__pids[s] = 0;
        }
    for (size_t k = 0; k < n; k++)
        if (p.emitted[k]) fl_runner_case_free(&cases[k]);
    memset(cases, 0, n * sizeof *cases);
done:
    for (size_t j = 0; j < p.nitems; j++) fl_runner_part_free(&p.items[j].part);
    for (unsigned s = 0; p.slots && s < p.nslots; s++) {
        free(p.slots[s].buf);
        if (p.slots[s].out >= 0) close(p.slots[s].out);
    }
    if (map != MAP_FAILED) munmap(map, live_sz * jobs);
    free(p.items);
    free(p.first);
    free(p.emitted);
    free(p.slots);
    free(p.cpus);
    free(pf);
    return r;
}

