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
 * Wall time is used only to decide that no step happened for a long while;
 * nothing here depends on how fast a step is, so a busy machine delays the
 * verdict but cannot produce a false one unless one program step (the code
 * between two scheduling points) really takes longer than watchdog_ms.
 */
#include "sched/sched_int.h"

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
        if (r->steps != seen) {
            seen = r->steps;
            since = now;
        } else if (now - since >= limit && r->cur >= 0) {
            fl_sched__stall(r, now - since);
        }
    }
}
