/*
 * sched_watchdog.c — the host thread's wait for the end of a controlled run,
 * with a watchdog on the baton.
 *
 * Under the controlled platform exactly one thread runs program code, and
 * every scheduling point advances fl_sched__run.steps. If steps stands still
 * for watchdog_ms of wall time while the run is not over, the baton holder
 * is running code the scheduler cannot see: a blocking call that is not
 * interposed (read on a pipe, a raw futex), a spin on a plain variable, a
 * thread made by a raw clone. The run then ends STALLED with a report that
 * names the thread and its backtrace, taken on that thread by a signal
 * (FL_SCHED__WD_SIGNAL; the handler only calls backtrace(), warmed up
 * beforehand so that it does not load libgcc inside the handler).
 *
 * What counts as "for watchdog_ms" depends on what the holder is doing, so
 * that a busy machine delays the verdict but cannot produce a false one:
 *   - runnable (state R in /proc/self/task/TID/stat): a spin, or a long
 *     computation. It counts only the CPU time the holder itself used since
 *     the last step (its thread CPU clock): on a machine where the holder
 *     gets a tenth of a CPU the verdict comes ten times later, and a step
 *     that needs less than watchdog_ms of CPU never stalls, however loaded.
 *   - anything else (sleeping or blocked in the kernel): a blocking call the
 *     scheduler cannot see. That uses no CPU, so wall time counts.
 * When the state or the CPU clock cannot be read, wall time counts.
 */
#include "sched/sched_int.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FL_SCHED__WD_SIGNAL (SIGRTMAX - 3)
#define FL_SCHED__WD_FRAMES 48

static void *fl_sched__wd_frames[FL_SCHED__WD_FRAMES];
static volatile sig_atomic_t fl_sched__wd_n;
static atomic_int fl_sched__wd_done;

static void fl_sched__wd_handler(int sig)
{
    (void)sig;
    int saved = errno;
    fl_sched__wd_n = backtrace(fl_sched__wd_frames, FL_SCHED__WD_FRAMES);
    atomic_store(&fl_sched__wd_done, 1);
    errno = saved;
}

static int64_t fl_sched__mono_ns(void)
{
    struct timespec ts;
    fl_real.clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Ask thread t for its backtrace; append it to s. mu is held: the handler
 * takes no lock, so this cannot deadlock. Waits at most ~1 s. */
static void fl_sched__wd_backtrace(fl_sched__thr *t, fl_sched__str *s)
{
    static bool installed;
    if (!installed) {
        void *warm[2];
        backtrace(warm, 2); /* loads the unwinder outside the handler */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = fl_sched__wd_handler;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(FL_SCHED__WD_SIGNAL, &sa, NULL);
        installed = true;
    }
    atomic_store(&fl_sched__wd_done, 0);
    fl_sched__wd_n = 0;
    if (pthread_kill(t->pt, FL_SCHED__WD_SIGNAL) != 0) {
        fl_sched__str_printf(s, "    (its backtrace could not be taken)\n");
        return;
    }
    for (int i = 0; i < 1000 && !atomic_load(&fl_sched__wd_done); i++) {
        struct timespec ms = { 0, 1000000 };
        fl_real.nanosleep(&ms, NULL);
    }
    if (!atomic_load(&fl_sched__wd_done)) {
        fl_sched__str_printf(s, "    (it did not answer the backtrace signal: blocked with signals masked?)\n");
        return;
    }
    int n = fl_sched__wd_n;
    char **names = backtrace_symbols(fl_sched__wd_frames, n);
    /* frame 0 is the handler, 1 the signal trampoline */
    for (int i = 2; i < n; i++) {
        if (names) fl_sched__str_printf(s, "    #%d %s\n", i - 2, names[i]);
        else fl_sched__str_printf(s, "    #%d %p\n", i - 2, fl_sched__wd_frames[i]);
    }
    free(names);
}

static void fl_sched__stall(fl_sched__run *r, int64_t idle_ns)
{
    fl_sched__thr *t = r->thr[r->cur];
    fl_sched__str s = {0};
    fl_sched__str_printf(&s, "uncontrolled: thread %d \"%s\" ran %lld.%03lld s of wall time after step %llu without "
                         "reaching a scheduling point (a blocking call the scheduler cannot see, a spin loop, or "
                         "a thread it did not create)\n  backtrace of thread %d:\n",
                         t->id, t->name, (long long)(idle_ns / 1000000000), (long long)(idle_ns / 1000000 % 1000),
                         (unsigned long long)r->steps, t->id);
    fl_sched__wd_backtrace(t, &s);
    char *head = fl_sched__str_take(&s);
    r->stalled = true;
    fl_sched__end(r, FL_SCHED_STALLED, head ? head : "uncontrolled thread");
    free(head);
    r->over = true;
}

/* The holder's scheduler state letter ('R' runnable, 'S' sleeping, 'D'
 * blocked, …) from /proc, or 0 when it cannot be read. */
static char fl_sched__wd_state(int tid)
{
    char path[64], buf[512];
    if (tid <= 0) return 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *rp = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
    return rp && rp[1] == ' ' ? rp[2] : 0;
}

/* CPU time thread t has used, in ns, or -1 when it cannot be read. */
static int64_t fl_sched__wd_cpu(fl_sched__thr *t)
{
    clockid_t cid;
    struct timespec ts;
    if (atomic_load(&t->tid) <= 0 || pthread_getcpuclockid(t->pt, &cid) != 0 ||
        fl_real.clock_gettime(cid, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void fl_sched__host_wait(fl_sched__run *r)
{
    if (r->watchdog_ms == UINT32_MAX) {
        while (!r->over) FL_SCHED__PT(fl_real.pthread_cond_wait(&r->host_cv, &r->mu));
        return;
    }
    int64_t limit = (int64_t)r->watchdog_ms * 1000000;
    int64_t tick = limit / 4 < 100000000 ? limit / 4 : 100000000;
    if (tick < 1000000) tick = 1000000;
    uint64_t seen = r->steps;
    int64_t since = fl_sched__mono_ns();
    int held = r->cur;                       /* the holder since `since`, and */
    int64_t cpu0 = held >= 0 ? fl_sched__wd_cpu(r->thr[held]) : -1; /* its CPU time then */
    while (!r->over) {
        struct timespec ts;
        fl_real.clock_gettime(CLOCK_REALTIME, &ts);
        int64_t at = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + tick;
        ts.tv_sec = at / 1000000000;
        ts.tv_nsec = at % 1000000000;
        int e = fl_real.pthread_cond_timedwait(&r->host_cv, &r->mu, &ts);
        if (e != 0 && e != ETIMEDOUT) fl_sched__fatal("pthread_cond_timedwait failed: error %d", e);
        if (r->over) break;
        int64_t now = fl_sched__mono_ns();
        if (r->steps != seen || r->cur != held) {
            seen = r->steps;
            since = now;
            held = r->cur;
            cpu0 = held >= 0 ? fl_sched__wd_cpu(r->thr[held]) : -1;
        } else if (now - since >= limit && held >= 0) {
            fl_sched__thr *t = r->thr[held];
            int64_t cpu = cpu0 >= 0 ? fl_sched__wd_cpu(t) : -1;
            bool runnable = fl_sched__wd_state(atomic_load(&t->tid)) == 'R';
            if (!runnable || cpu < 0 || cpu - cpu0 >= limit) fl_sched__stall(r, now - since);
        }
    }
}
