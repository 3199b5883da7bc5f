/*
 * exec_child.c — the faultline runtime inside a program started by
 * `faultline exec`: the __libc_start_main hook, the fork server, and one
 * controlled run per forked child (see fl_exec.h).
 *
 * Order of events in PROG: the dynamic loader maps the faultline library
 * first (LD_PRELOAD), PROG's constructors run, then our wrapper of main. If
 * FAULTLINE_EXEC_FD names the pipes, the wrapper never calls main itself:
 * it becomes the server, and each forked child runs main under
 * fl_sched_run. Without the variable the wrapper calls main at once, so a
 * program (or a faultline binary) merely linked with the library runs as
 * usual.
 */
#include "exec/exec_int.h"
#include "real/fl_real.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

typedef int (*fl_exec__main_t)(int, char **, char **);

static fl_exec__main_t fl_exec__main;
static int fl_exec__argc;
static char **fl_exec__argv;
static fl_exec__shm *fl_exec__page;

/* ---- the child: one controlled run ----------------------------------------------- */

/* The footprint the scheduler reports just before each step (explore's reduction). */
static void fl_exec__footprint(void *ud, uint64_t step, int cur, const fl_sched_footprint *fp)
{
    (void)ud; (void)step; (void)cur;
    if (fl_exec__page->record) fl_explore_rec_footprint(&fl_exec__page->rec, fp);
}

/* A traced run: the operation of the step about to be reported, and every
 * thread's life, into the shared page as they happen. */
static fl_exec_op fl_exec__op_now;
static void fl_exec__op(void *ud, uint64_t step, const char *op, const char *obj, int64_t clock_ns)
{
    (void)ud;
    if (!fl_exec__page->trace) return; /* untraced runs pay one load per step */
    fl_exec__op_now.step = step;
    fl_exec__op_now.clock_ns = clock_ns;
    snprintf(fl_exec__op_now.op, sizeof fl_exec__op_now.op, "%s", op);
    snprintf(fl_exec__op_now.obj, sizeof fl_exec__op_now.obj, "%s", obj);
}

static void fl_exec__life(void *ud, int id, const char *name, int64_t born_ns, int64_t died_ns)
{
    (void)ud;
    fl_exec__shm *p = fl_exec__page;
    if (!p->trace || id < 0 || id >= FL_SCHED_MAX_THREADS) return;
    fl_sched_thread_info *t = &p->lives[id];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->born_ns = born_ns;
    t->died_ns = died_ns;
    if ((uint32_t)id >= p->nlives) p->nlives = (uint32_t)id + 1;
}

static void fl_exec__step(void *ud, uint64_t step, int cur, const int *runnable, int n, int chosen, bool followed)
{
    (void)ud; (void)step;
    fl_exec__shm *p = fl_exec__page;
    p->choices_live += n > 1;
    if (p->trace) {
        if (p->nops < FL_EXEC_MAX_OPS) {
            fl_exec_op *o = &p->ops[p->nops++];
            *o = fl_exec__op_now;
            o->cur = cur;
            o->next = chosen;
        } else {
            p->ops_cut = 1;
        }
    }
    for (int i = 0; i < n; i++) /* a preemption: switching away from a thread that could go on */
        if (runnable[i] == cur) {
            p->preempt_live += chosen != cur;
            break;
        }
    if (p->record) fl_explore_rec_push(&p->rec, cur, runnable, n, chosen, followed);
    if (p->nruns > 0 && p->runs[p->nruns - 1].tid == (uint32_t)chosen) {
        p->runs[p->nruns - 1].len++;
    } else if (p->nruns < FL_EXEC__MAX_RUNS) {
        p->runs[p->nruns].tid = (uint32_t)chosen;
        p->runs[p->nruns].len = 1;
        p->nruns++;
    } else {
        p->overflow = 1;
    }
}

static int fl_exec__host_tid;

/* Threads of this process that are neither the host nor a thread of the
 * run: created by a raw clone or inside a library, they ran where the
 * scheduler could not see. Named in the shared page; the count. */
static uint32_t fl_exec__foreign(fl_exec__shm *p)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return 0;
    uint32_t n = 0;
    size_t off = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int tid = atoi(e->d_name);
        if (tid <= 0 || tid == fl_exec__host_tid || fl_sched_thread_known(tid)) continue;
        char path[64], comm[32] = "?";
        snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
        FILE *f = fopen(path, "r");
        if (f) {
            if (fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = '\0';
            fclose(f);
        }
        if (off < sizeof p->foreign_text)
            off += (size_t)snprintf(p->foreign_text + off, sizeof p->foreign_text - off, "%sthread %d (%s)",
                                    n ? ", " : "", tid, comm);
        n++;
    }
    closedir(d);
    return n;
}

/* PROG's main as the first controlled thread. Returning from main is
 * exit(): the process ends there, whatever other threads are doing; first
 * the process is searched for threads the scheduler did not create. */
static void fl_exec__controlled_main(void *arg)
{
    (void)arg;
    int ret = fl_exec__main(fl_exec__argc, fl_exec__argv, environ);
    fl_exec__page->foreign = fl_exec__foreign(fl_exec__page);
    exit(ret);
}

static void fl_exec__put(char *dst, uint32_t *len, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n >= FL_EXEC__STR_MAX) n = FL_EXEC__STR_MAX - 1;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
    *len = (uint32_t)n;
}

static _Noreturn void fl_exec__child(const fl_exec__req *q, const char *schedule)
{
    fl_exec__shm *p = fl_exec__page;
    fl_exec__host_tid = (int)gettid();
    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash keeps what was printed, as on a terminal */
    fl_sched_opts so = { .strategy = (fl_sched_strategy)q->strategy, .seed = q->seed, .depth = q->depth,
                         .pct_k = q->pct_k, .step_budget = q->budget, .watchdog_ms = q->watchdog_ms,
                         .timer_ppm = q->timer_ppm, .light_ppm = q->light_ppm, .symmetric = q->symmetric != 0 };
    fl_sched_hook hook = { fl_exec__step, NULL, fl_exec__footprint, fl_exec__life, fl_exec__op };
    fl_sched_result res;
    fl_sched_schedule sc;
    memset(&sc, 0, sizeof sc);
    p->strategy = q->strategy;
    p->seed = q->seed;
    p->depth = q->strategy == FL_SCHED_STRAT_PCT ? (q->depth ? q->depth : FL_SCHED_DEFAULT_DEPTH) : 0;
    p->pct_k = q->strategy == FL_SCHED_STRAT_PCT ? (q->pct_k ? q->pct_k : FL_SCHED_DEFAULT_PCT_K) : 0;
    p->flags = q->timer_ppm && fl_sched_strategy_seeded(q->strategy)
                   ? FL_SCHED_SCHEDULE_TIMERS : 0;
    int rc;
    if (q->strategy == FL_SCHED_STRAT_REPLAY) {
        char err[256];
        rc = fl_sched_schedule_parse(schedule, &sc, err, sizeof err);
        if (rc < 0) {
            fl_exec__put(p->report, &p->report_len, err);
            p->finished = 2;
            _exit(125);
        }
        p->strategy = sc.strategy;
        p->seed = sc.seed;
        p->depth = sc.depth;
        p->pct_k = sc.pct_k;
        p->flags = sc.flags & (FL_SCHED_SCHEDULE_EDITED | FL_SCHED_SCHEDULE_TIMERS);
        rc = fl_sched_run_ex(&so, &sc, fl_exec__controlled_main, NULL, &res, &hook);
    } else {
        rc = fl_sched_run_ex(&so, NULL, fl_exec__controlled_main, NULL, &res, &hook);
    }
    /* Here only when the scheduler ended the run: main never returned. */
    fflush(stdout);
    p->status = res.status;
    p->steps = res.steps;
    p->preemptions = res.preemptions;
    p->threads = res.threads;
    fl_exec__put(p->schedule, &p->schedule_len, res.schedule);
    fl_exec__put(p->report, &p->report_len, res.report);
    p->finished = rc == 0 ? 1 : 2;
    _exit(rc == 0 ? 0 : 125);
}

/* ---- the server ----------------------------------------------------------------------- */

static void fl_exec__send(int fd, fl_exec__rep *r, const char *sched, const char *report, const char *out, size_t outn,
                          const fl_exec__shm *p)
{
    r->magic = FL_EXEC__MAGIC;
    r->nsteps = p && p->record ? p->rec.nsteps : 0;
    r->nids = p && p->record ? p->rec.nids : 0;
    r->nlives = p && p->trace ? p->nlives : 0;
    r->nops = p && p->trace ? p->nops : 0;
    r->ops_cut = p && p->trace ? p->ops_cut : 0;
    r->schedule_len = sched ? (uint32_t)strlen(sched) : 0;
    r->report_len = report ? (uint32_t)strlen(report) : 0;
    r->output_len = (uint32_t)outn;
    if (fl_exec__write_all(fd, r, sizeof *r) < 0 || fl_exec__write_all(fd, sched, r->schedule_len) < 0 ||
        fl_exec__write_all(fd, report, r->report_len) < 0 || fl_exec__write_all(fd, out, outn) < 0 ||
        (r->nsteps && fl_exec__write_all(fd, p->rec.steps, r->nsteps * sizeof *p->rec.steps) < 0) ||
        (r->nids && fl_exec__write_all(fd, p->rec.ids, r->nids * sizeof *p->rec.ids) < 0) ||
        (r->nlives && fl_exec__write_all(fd, p->lives, r->nlives * sizeof *p->lives) < 0) ||
        (r->nops && fl_exec__write_all(fd, p->ops, r->nops * sizeof *p->ops) < 0))
        _exit(0); /* the host went away */
}

/* The schedule of a run that did not finish in the scheduler: the choices
 * recorded so far, as an open schedule (replaying it reaches the same end). */
static char *fl_exec__open_schedule(const fl_exec__shm *p)
{
    fl_sched_schedule sc;
    memset(&sc, 0, sizeof sc);
    sc.strategy = (fl_sched_strategy)p->strategy;
    if (sc.strategy == FL_SCHED_STRAT_REPLAY) return NULL;
    sc.seed = p->seed;
    sc.depth = p->depth;
    sc.pct_k = p->pct_k;
    sc.flags = FL_SCHED_SCHEDULE_OPEN | p->flags;
    sc.end = FL_SCHED_OK;
    sc.runs = (fl_sched_schedule_run *)p->runs;
    sc.nruns = (size_t)p->nruns;
    for (size_t i = 0; i < sc.nruns; i++) sc.steps += p->runs[i].len;
    return p->overflow ? NULL : fl_sched_schedule_format(&sc);
}

static int fl_exec__wait(pid_t pid, uint32_t timeout_ms, int *st)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0) {
        struct pollfd pl = { .fd = pfd, .events = POLLIN };
        int n;
        do n = poll(&pl, 1, timeout_ms ? (int)timeout_ms : 60000);
        while (n < 0 && errno == EINTR);
        close(pfd);
        if (n == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, st, 0);
            return 1;
        }
    }
    while (waitpid(pid, st, 0) < 0 && errno == EINTR) {
    }
    return 0;
}

static _Noreturn void fl_exec__serve(int rfd, int wfd)
{
    fl_exec__page = mmap(NULL, sizeof(fl_exec__shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
                         -1, 0);
    int out = memfd_create("faultline-run-output", MFD_CLOEXEC);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    fl_exec__rep hello = { .how = -1 };
    if (fl_exec__page == MAP_FAILED || out < 0) {
        fl_exec__send(wfd, &hello, NULL, "faultline exec: the runtime could not set up (mmap/memfd failed)", NULL, 0, NULL);
        _exit(1);
    }
    fl_exec__send(wfd, &hello, NULL, NULL, NULL, 0, NULL);
    for (;;) {
        fl_exec__req q;
        if (fl_exec__read_all(rfd, &q, sizeof q) < 0 || q.magic != FL_EXEC__MAGIC) _exit(0);
        char *sched = calloc(1, (size_t)q.schedule_len + 1);
        if (!sched || fl_exec__read_all(rfd, sched, q.schedule_len) < 0) _exit(0);
        fl_exec__shm *p = fl_exec__page;
        p->finished = 0;
        p->nruns = 0;
        p->overflow = 0;
        p->preempt_live = 0;
        p->choices_live = 0;
        p->foreign = 0;
        p->foreign_text[0] = '\0';
        p->schedule_len = p->report_len = 0;
        p->schedule[0] = p->report[0] = '\0';
        p->record = q.record;
        p->trace = q.trace;
        p->nlives = p->nops = p->ops_cut = 0;
        fl_explore_rec_reset(&p->rec);
        if (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0) _exit(1);
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(rfd);
            close(wfd);
            if (devnull >= 0) dup2(devnull, 0);
            dup2(out, 1);
            dup2(out, 2);
            fl_exec__child(&q, sched);
        }
        free(sched);
        fl_exec__rep r;
        memset(&r, 0, sizeof r);
        int st = 0;
        bool timedout = pid > 0 && fl_exec__wait(pid, q.timeout_ms, &st);
        char *open_sched = NULL;
        const char *sch = NULL, *rep = NULL;
        if (pid < 0) {
            r.how = FL_EXEC_RUN_OVER;
            r.status = -1;
            rep = "faultline exec: fork failed";
        } else if (p->finished == 1 && !timedout) {
            r.how = FL_EXEC_RUN_OVER;
            r.status = p->status;
            r.steps = p->steps;
            r.preemptions = p->preemptions;
            r.choices = p->choices_live;
            r.threads = p->threads;
            sch = p->schedule;
            rep = p->report;
        } else {
            r.how = timedout ? FL_EXEC_TIMEOUT : WIFSIGNALED(st) ? FL_EXEC_SIGNALED : FL_EXEC_EXITED;
            r.code = WIFSIGNALED(st) ? WTERMSIG(st) : WIFEXITED(st) ? WEXITSTATUS(st) : 0;
            r.status = p->finished == 2 ? -1 : FL_SCHED_OK;
            for (uint64_t i = 0; i < p->nruns; i++) r.steps += p->runs[i].len;
            r.preemptions = p->preempt_live;
            r.choices = p->choices_live;
            open_sched = fl_exec__open_schedule(p);
            sch = open_sched;
            rep = p->finished == 2 ? p->report : NULL;
        }
        char tail[FL_EXEC__OUT_TAIL];
        struct stat sb;
        size_t tn = 0;
        if (fstat(out, &sb) == 0 && sb.st_size > 0) {
            off_t from = sb.st_size > FL_EXEC__OUT_TAIL ? sb.st_size - FL_EXEC__OUT_TAIL : 0;
            ssize_t k = pread(out, tail, (size_t)(sb.st_size - from), from);
            tn = k > 0 ? (size_t)k : 0;
        }
        char foreign[sizeof p->foreign_text + 160];
        if (p->foreign && r.how != FL_EXEC_SIGNALED && r.how != FL_EXEC_TIMEOUT) {
            /* a pass over threads the scheduler never saw proves nothing */
            r.how = FL_EXEC_RUN_OVER;
            r.status = FL_SCHED_STALLED;
            snprintf(foreign, sizeof foreign, "uncontrolled: %u thread(s) of the process were not created through "
                     "the scheduler (a raw clone, or a library's own thread): %s", p->foreign, p->foreign_text);
            rep = foreign;
        }
        if (p->record && p->rec.overflow) {
            r.how = FL_EXEC_RUN_OVER;
            r.status = -1;
            rep = "faultline exec: the run is too long to explore (more than 262144 steps)";
        }
        fl_exec__send(wfd, &r, sch, rep, tail, tn, p);
        free(open_sched);
    }
}

/* ---- the hook ------------------------------------------------------------------------------ */

static int fl_exec__wrapped_main(int argc, char **argv, char **envp)
{
    const char *fds = getenv(FL_EXEC__ENV);
    int rfd, wfd;
    if (!fds || sscanf(fds, "%d,%d", &rfd, &wfd) != 2) return fl_exec__main(argc, argv, envp);
    fl_exec__argc = argc;
    fl_exec__argv = argv;
    /* what PROG runs (execs) itself is not under our control */
    unsetenv(FL_EXEC__ENV);
    const char *was = getenv("FAULTLINE_EXEC_PRELOAD");
    if (was && *was) setenv("LD_PRELOAD", was, 1);
    else unsetenv("LD_PRELOAD");
    unsetenv("FAULTLINE_EXEC_PRELOAD");
    fl_exec__serve(rfd, wfd);
}

typedef int (*fl_exec__start_t)(fl_exec__main_t, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

int __libc_start_main(fl_exec__main_t main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end)
{
    fl_exec__start_t real = (fl_exec__start_t)dlsym(RTLD_NEXT, "__libc_start_main");
    if (!real) abort();
    fl_exec__main = main;
    return real(fl_exec__wrapped_main, argc, argv, init, fini, rtld_fini, stack_end);
}

#endif
