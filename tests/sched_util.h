/*
 * sched_util.h — shared by the controlled platform's tests
 * (tests/test_sched*.c). Header-only (static functions): each test binary
 * includes it once.
 */
#ifndef SCHED_UTIL_H
#define SCHED_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sched/fl_sched.h"
#include "sv_plat.h"

#define SEC 1000000000ll

static inline int64_t real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

/* fl_sched_run that fails the test unless it returns 0; res as there. */
static inline void run_ok(const fl_sched_opts *o, void (*fn)(void *), void *arg, fl_sched_result *res)
{
    int rc = fl_sched_run(o, fn, arg, res);
    if (rc != 0) fail_msg("fl_sched_run: %d %s", rc, res->report ? res->report : "");
}

/* A thread that sleeps 10 virtual seconds. */
static inline void *sleepy(void *p)
{
    (void)p;
    sv_sleep_until(sv_now() + 10 * SEC);
    return NULL;
}

#endif
