/*
 * runner_child.c — one work item in a child process (fl_runner.h): the
 * child's side (run the item's seeds, send the part down the pipe), the
 * parent's reading of it, the part made from the live page when the child
 * died or timed out, what a captured child printed; and one item in one
 * child on its own (fl_runner_part_in_child: replay and shrink of a
 * scenario with user workers, its steps recorded in detail for shrink's
 * last phase when asked). runner_pool.c schedules many such children.
 *
 * Invariants:
 *  - a child flushes nothing it inherited (the parent flushed every stdio
 *    stream before the fork) and ends with exit(), so sanitizers report;
 *  - a captured child's stdout and stderr go to its slot's memfd, which the
 *    parent empties after reading it, before the slot's next fork;
 *  - the parent reads a live page's run fields, and a step record, only
 *    after waitpid.
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

int64_t fl_runner__mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/* "10 s", "1.5 s", "250 ms" */
static void fl_runner__dur(char *b, size_t n, int64_t ns) {
    if (ns < 1000000000 && ns % 1000000 == 0) snprintf(b, n, "%lld ms", (long long)(ns / 1000000));
    else if (ns % 1000000000 == 0) snprintf(b, n, "%lld s", (long long)(ns / 1000000000));
    else snprintf(b, n, "%.3g s", (double)ns / 1e9);
}

/* ---- the child ------------------------------------------------------------------ */

void fl_runner__child(const fl_scenario *s, const fl_runner_opts *o, uint32_t from, uint32_t count,
                      struct fl_runner_live *live, int fd, int cpu, int outfd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (outfd >= 0) { /* the user's code prints here; a crash keeps each whole line */
        dup2(outfd, STDOUT_FILENO);
        dup2(outfd, STDERR_FILENO);
        setvbuf(stdout, NULL, _IOLBF, 0);
    }
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    /* an abort() in a worker must kill this child, not jump into a handler
     * the parent installed (a test framework's); sanitizers keep theirs */
    signal(SIGABRT, SIG_DFL);
    if (cpu >= 0) { /* spread the children: the scheduler pins a run to the CPU it starts on */
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    fl_runner_opts co = *o;
    co.live = live;
    co.progress = NULL;
    fl_runner_part part;
    fl_runner_case_range(s, &co, from, count, &part);
    char *buf = NULL;
    size_t len = 0;
    int rc = 3;
    if (fl_runner_part_encode(&part, &buf, &len) == 0) {
        size_t off = 0;
        while (off < len) {
            ssize_t w = write(fd, buf + off, len - off);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) break;
            off += (size_t)w;
        }
        rc = off == len ? 0 : 4;
    }
    free(buf);
    fl_runner_part_free(&part);
    close(fd);
    /* exit, not _exit: sanitizers report (leaks, races) at exit */
    exit(rc);
}

/* ---- a part the child could not send ------------------------------------------------ */

static int fl_runner__lost_part(const fl_scenario *s, const fl_runner__slot *sl, int status, int64_t timeout_ns,
                                bool verbose, const char *tail, fl_runner_part *part) {
    struct fl_runner_live *l = sl->live;
    memset(part, 0, sizeof *part);
    fl_case *c = &part->c;
    if (fl_runner__case_head(s, c) < 0) return -ENOMEM;
    uint32_t done = atomic_load_explicit(&l->runs_done, memory_order_relaxed);
    /* the run in progress failed; a child that died between runs (at its
     * exit: a sanitizer's report) counts as one more failed run, so the
     * case fails either way */
    c->runs = done;
    c->failed_runs = atomic_load_explicit(&l->failed_runs, memory_order_relaxed);
    if (l->active || c->failed_runs == c->runs) c->runs++;
    c->failed_runs++;
    c->seed = l->seed;
    char what[160], dur[32];
    const char *in = l->active ? "in" : "after";
    if (sl->timed_out) {
        fl_runner__dur(dur, sizeof dur, timeout_ns);
        snprintf(what, sizeof what, "timed out after %s %s seed %llu (killed; the run never reached a scheduling point, "
                 "or ran too long: see --timeout)", dur, in, (unsigned long long)l->seed);
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        snprintf(what, sizeof what, "the run process died of signal %d (SIG%s: %s) %s seed %llu", sig,
                 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", strsignal(sig), in, (unsigned long long)l->seed);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        snprintf(what, sizeof what, "the run process exited with status %d %s seed %llu (a sanitizer report? "
                 "see stderr)", WEXITSTATUS(status), in, (unsigned long long)l->seed);
    } else {
        snprintf(what, sizeof what, "the run process sent no well-formed result %s seed %llu", in,
                 (unsigned long long)l->seed);
    }
    if (!(c->invariant = strdup(sl->timed_out ? "timeout" : "crash"))) return -ENOMEM;
    if (l->active && l->strategy != FL_SCHED_STRAT_FREE && !l->overflow && l->nruns) {
        /* the choices made so far, as an open schedule: replay follows them
         * to the step where the run stopped */
        fl_sched_schedule sc = {.strategy = (fl_sched_strategy)l->strategy, .seed = l->seed,
                                .depth = l->strategy == FL_SCHED_STRAT_PCT ? l->depth : 0,
                                .pct_k = l->strategy == FL_SCHED_STRAT_PCT ? l->pct_k : 0,
                                .flags = FL_SCHED_SCHEDULE_OPEN | l->flags, .end = FL_SCHED_OK,
                                .runs = l->runs, .nruns = l->nruns};
        char *sched = fl_sched_schedule_format(&sc);
        c->schedule = sched;
        if (sched && !(c->replay = fl_runner_replay_line(s->path, sched))) return -ENOMEM;
    }
    if (!c->replay && l->strategy != FL_SCHED_STRAT_FREE)
        c->replay = fl_runner__rerun_line(s->path, l->seed, l->strategy, l->depth, l->pct_k, l->budget);
    c->message = fl_runner__strdupf("%s: %s%s", c->invariant, what, tail ? tail : "");
    if (!c->message) return -ENOMEM;
    if (verbose)
        part->verbose = fl_runner__strdupf("  seed %llu: FAIL %s\n", (unsigned long long)l->seed, c->invariant);
    c->passed = false;
    return 0;
}

/* ---- what a captured child printed ------------------------------------------------- */

#define FL_RUNNER__TAIL_LINES 12
#define FL_RUNNER__TAIL_BYTES 4096

/* Empty sl's memfd for the next child: size and offset (the offset is
 * shared with every child through the inherited descriptor: left where the
 * last one stopped, the next would write after a hole of zero bytes). */
void fl_runner__output_reset(fl_runner__slot *sl) {
    if (ftruncate(sl->out, 0) < 0 || lseek(sl->out, 0, SEEK_SET) < 0) {
        /* the next child's output follows this one's: a longer tail, no harm */
    }
}

/* The output of sl's child, which has ended (sl->captured): all of it is
 * copied to this process's stderr, where it would have gone uncaptured (a
 * sanitizer's whole report among it); when the child died, its last lines
 * (at most FL_RUNNER__TAIL_LINES, FL_RUNNER__TAIL_BYTES) also go into
 * *tail as "\noutput (last lines):\n| LINE…" (malloc'd; NULL when it
 * printed nothing) for the failure's message. The memfd is emptied for the
 * next child either way. */
static void fl_runner__output(fl_runner__slot *sl, bool died, char **tail) {
    struct stat st;
    *tail = NULL;
    if (fstat(sl->out, &st) < 0 || st.st_size <= 0) goto reset;
    char copy[8192];
    for (off_t off = 0; off < st.st_size;) {
        ssize_t k = pread(sl->out, copy, sizeof copy, off);
        if (k <= 0 || write(STDERR_FILENO, copy, (size_t)k) < 0) break;
        off += k;
    }
    if (!died) goto reset;
    char buf[FL_RUNNER__TAIL_BYTES + 1];
    off_t from = st.st_size > FL_RUNNER__TAIL_BYTES ? st.st_size - FL_RUNNER__TAIL_BYTES : 0;
    ssize_t k = pread(sl->out, buf, (size_t)(st.st_size - from), from);
    if (k <= 0) goto reset;
    size_t n = (size_t)k;
    if (buf[n - 1] == '\n') n--;
    size_t p = n;
    for (int lines = 0; p > 0; p--)
        if (buf[p - 1] == '\n' && ++lines == FL_RUNNER__TAIL_LINES) break;
    char *t = NULL;
    size_t tn = 0;
    FILE *f = open_memstream(&t, &tn);
    if (!f) goto reset;
    fputs("\noutput (last lines):", f);
    for (size_t i = p; i < n; i++) {
        if (i == p || buf[i - 1] == '\n') fputs("\n| ", f);
        if (buf[i] != '\n') fputc(buf[i], f);
    }
    if (fclose(f) == 0) *tail = t;
    else free(t);
reset:
    fl_runner__output_reset(sl);
}

/* See runner_int.h. */
int fl_runner__finish(const fl_scenario *s, fl_runner__slot *sl, int status, int64_t timeout_ns, bool verbose,
                      fl_runner_part *part) {
    int r = -EPROTO;
    if (!sl->timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) r = fl_runner_part_decode(sl->buf, sl->n, part);
    if (r == -ENOMEM) return r;
    char *tail = NULL;
    if (sl->captured) fl_runner__output(sl, r < 0, &tail);
    if (r < 0) r = fl_runner__lost_part(s, sl, status, timeout_ns, verbose, tail, part);
    free(tail);
    return r;
}

int fl_runner__read(fl_runner__slot *sl) {
    for (;;) {
        if (sl->n == sl->cap) {
            size_t cap = sl->cap ? sl->cap * 2 : 65536;
            char *nb = realloc(sl->buf, cap);
            if (!nb) return -ENOMEM;
            sl->buf = nb;
            sl->cap = cap;
        }
        ssize_t r = read(sl->fd, sl->buf + sl->n, sl->cap - sl->n);
        if (r > 0) { sl->n += (size_t)r; continue; }
        if (r == 0) return 1; /* EOF */
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return 0;
        return 1; /* a broken pipe is an end too */
    }
}


/* True when the tree holds a `user` child: C code of the user's, which may
 * keep state in globals, so each of its runs gets a fresh process. */
static bool fl_runner__has_user(const fl_scenario_sup_decl *sup) {
    for (size_t i = 0; sup && i < sup->nchildren; i++) {
        const fl_scenario_child_decl *c = sup->children[i];
        if (c->kind == FL_SCENARIO_CHILD_USER) return true;
        if (c->kind == FL_SCENARIO_CHILD_SUP && fl_runner__has_user(c->sup)) return true;
    }
    return false;
}

bool fl_runner_needs_process(const fl_scenario *s) { return s && fl_runner__has_user(s->root); }

/* ---- one item in one child: replay and shrink of a scenario with user workers ---------- */

int fl_runner_part_in_child(const fl_scenario *s, const fl_runner_opts *o, int64_t timeout_ns, const fl_sched_hook *hook,
                            fl_runner_part *part) {
    memset(part, 0, sizeof *part);
    fl_runner__slot sl = {.out = -1, .fd = -1, .deadline = INT64_MAX};
    int fds[2] = {-1, -1}, r = 0;
    void *map = mmap(NULL, sizeof(struct fl_runner_live), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return -errno;
    sl.live = map;
    /* the step record (explore_rec.c, as exec's children keep it): mapped
     * before the fork, read after waitpid; untouched pages cost nothing */
    fl_explore_rec *rec = NULL;
    if (hook) {
        void *rm = mmap(NULL, sizeof *rec, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (rm == MAP_FAILED) {
            r = -errno;
            goto done;
        }
        rec = rm;
        fl_explore_rec_reset(rec);
        sl.live->rec = rec;
    }
    if ((sl.out = memfd_create("faultline-run-output", MFD_CLOEXEC)) < 0 || pipe2(fds, O_CLOEXEC) < 0) {
        r = -errno;
        goto done;
    }
    sl.captured = true;
    fflush(NULL);
    if ((sl.pid = fork()) < 0) {
        r = -errno;
        goto done;
    }
    if (sl.pid == 0) {
        close(fds[0]);
        fl_runner__child(s, o, 0, 1, sl.live, fds[1], -1, sl.out);
    }
    close(fds[1]);
    fds[1] = -1;
    sl.fd = fds[0];
    fcntl(sl.fd, F_SETFL, O_NONBLOCK);
    if (timeout_ns > 0) sl.deadline = fl_runner__mono_ns() + timeout_ns;
    for (;;) { /* read the part until EOF, killing the child at its deadline */
        int wait_ms = -1;
        if (sl.deadline != INT64_MAX && !sl.timed_out) {
            int64_t left = sl.deadline - fl_runner__mono_ns();
            if (left <= 0) {
                sl.timed_out = true;
                kill(sl.pid, SIGKILL);
            } else {
                wait_ms = (int)(left / 1000000) + 1;
            }
        }
        struct pollfd pl = {.fd = sl.fd, .events = POLLIN};
        int pr = poll(&pl, 1, wait_ms);
        if (pr < 0 && errno != EINTR) {
            r = -errno;
            break;
        }
        if (pr <= 0) continue;
        int e = fl_runner__read(&sl);
        if (e < 0) r = e;
        if (e != 0) break;
    }
    int status = 0;
    if (r < 0) kill(sl.pid, SIGKILL);
    while (waitpid(sl.pid, &status, 0) < 0 && errno == EINTR) {}
    if (r == 0) r = fl_runner__finish(s, &sl, status, timeout_ns, o && o->verbose, part);
    if (r == 0) {
        part->steps = sl.live->steps;
        part->preemptions = sl.live->preemptions;
    }
    if (r == 0 && rec) {
        if (rec->overflow) r = -E2BIG;
        else if (fl_explore_rec_replay(rec->steps, rec->nsteps, rec->ids, rec->nids, hook) < 0) r = -EPROTO;
        if (r < 0) fl_runner_part_free(part);
    }
done:
    if (rec) munmap(rec, sizeof *rec);
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
    if (sl.out >= 0) close(sl.out);
    free(sl.buf);
    munmap(map, sizeof(struct fl_runner_live));
    return r;
}
