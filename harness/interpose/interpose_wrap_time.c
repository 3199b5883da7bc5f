/*
 * interpose_wrap_time.c — the exported names, part three: yielding, sleeping
 * and the clocks, all on the run's virtual clock (the pattern is
 * interpose_wrap.c's).
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>

#if FL_INTERPOSE__EXPORT

static bool fl_interpose__virtual_clock(clockid_t clk)
{
    switch (clk) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME: case CLOCK_TAI:
        return true;
    default:
        return false;
    }
}

/* ---- yielding, sleeping, clocks ------------------------------------------------------------------ */

int fl_interpose__s_sched_yield(void)
{
    FL_INTERPOSE__PASS(sched_yield);
    fl_interpose__yield();
    return 0;
}
int sched_yield(void)
{
    return FL_INTERPOSE__D(sched_yield)();
}

unsigned fl_interpose__s_sleep(unsigned s)
{
    FL_INTERPOSE__PASS(sleep, s);
    fl_interpose__sleep_ns((int64_t)s * 1000000000LL);
    return 0;
}
unsigned sleep(unsigned s)
{
    return FL_INTERPOSE__D(sleep)(s);
}

int fl_interpose__s_usleep(useconds_t us)
{
    FL_INTERPOSE__PASS(usleep, us);
    fl_interpose__sleep_ns((int64_t)us * 1000);
    return 0;
}
int usleep(useconds_t us)
{
    return FL_INTERPOSE__D(usleep)(us);
}

int fl_interpose__s_nanosleep(const struct timespec *req, struct timespec *rem)
{
    FL_INTERPOSE__PASS(nanosleep, req, rem);
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L || req->tv_sec < 0) return fl_interpose__errno(EINVAL);
    fl_interpose__sleep_ns((int64_t)req->tv_sec * 1000000000LL + req->tv_nsec);
    if (rem) *rem = (struct timespec){ 0, 0 };
    return 0;
}
int nanosleep(const struct timespec *req, struct timespec *rem)
{
    return FL_INTERPOSE__D(nanosleep)(req, rem);
}

int fl_interpose__s_clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    FL_INTERPOSE__PASS(clock_nanosleep, clk, flags, req, rem);
    if (!fl_interpose__virtual_clock(clk)) return fl_real.clock_nanosleep(clk, flags, req, rem);
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L || req->tv_sec < 0) return EINVAL;
    if (flags & TIMER_ABSTIME) fl_interpose__sleep_until(fl_interpose__deadline(clk, req));
    else fl_interpose__sleep_ns((int64_t)req->tv_sec * 1000000000LL + req->tv_nsec);
    return 0;
}
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    return FL_INTERPOSE__D(clock_nanosleep)(clk, flags, req, rem);
}

int fl_interpose__s_clock_gettime(clockid_t clk, struct timespec *ts)
{
    FL_INTERPOSE__PASS(clock_gettime, clk, ts);
    if (!fl_interpose__virtual_clock(clk)) return fl_real.clock_gettime(clk, ts);
    *ts = fl_interpose__now(clk);
    return 0;
}
int clock_gettime(clockid_t clk, struct timespec *ts)
{
    return FL_INTERPOSE__D(clock_gettime)(clk, ts);
}

int fl_interpose__s_gettimeofday(struct timeval *tv, void *tz)
{
    FL_INTERPOSE__PASS(gettimeofday, tv, tz);
    struct timespec ts = fl_interpose__now(CLOCK_REALTIME);
    *tv = (struct timeval){ ts.tv_sec, ts.tv_nsec / 1000 }; /* declared nonnull */
    return 0;
}
int gettimeofday(struct timeval *tv, void *tz)
{
    return FL_INTERPOSE__D(gettimeofday)(tv, tz);
}

time_t fl_interpose__s_time(time_t *out)
{
    FL_INTERPOSE__PASS(time, out);
    time_t t = fl_interpose__now(CLOCK_REALTIME).tv_sec;
    if (out) *out = t;
    return t;
}
time_t time(time_t *out)
{
    return FL_INTERPOSE__D(time)(out);
}

#endif /* FL_INTERPOSE__EXPORT */
