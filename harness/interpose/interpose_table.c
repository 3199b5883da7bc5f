/*
 * interpose_table.c — the side table of program objects, virtual time as
 * the program's clocks read it, and waiting on a record.
 *
 * The table is an open-addressing hash from address to record, private to
 * the run in progress: the first lookup of a new run (fl_sched_run_id
 * changed) frees every record of the previous one. Only controlled threads
 * touch it, one at a time (the baton), so it needs no lock.
 */
#include "interpose/interpose_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fl_interpose_stats fl_interpose__stats;

static fl_interpose__obj **fl_interpose__slots; /* NULL, a record, or TOMB */
static size_t fl_interpose__cap, fl_interpose__used, fl_interpose__live;
static uint32_t fl_interpose__run;
static int fl_interpose__next_id[FL_INTERPOSE__PTID + 1];
static fl_interpose__obj fl_interpose__tomb;
#define FL_INTERPOSE__TOMB (&fl_interpose__tomb)

void fl_interpose_stats_get(fl_interpose_stats *out) { *out = fl_interpose__stats; }

static _Noreturn void fl_interpose__oom(void)
{
    fputs("faultline interposer: out of memory\n", stderr);
    abort();
}

static size_t fl_interpose__hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static void fl_interpose__clear(void)
{
    for (size_t i = 0; i < fl_interpose__cap; i++)
        if (fl_interpose__slots[i] && fl_interpose__slots[i] != FL_INTERPOSE__TOMB) free(fl_interpose__slots[i]);
    if (fl_interpose__cap) memset(fl_interpose__slots, 0, fl_interpose__cap * sizeof *fl_interpose__slots);
    fl_interpose__used = fl_interpose__live = 0;
    memset(fl_interpose__next_id, 0, sizeof fl_interpose__next_id);
}

static void fl_interpose__sync_run(void)
{
    uint32_t run = fl_sched_run_id();
    if (run != fl_interpose__run) {
        fl_interpose__clear();
        fl_interpose__run = run;
    }
}

static void fl_interpose__grow(void)
{
    size_t nc = fl_interpose__cap ? fl_interpose__cap * 2 : 256;
    while (fl_interpose__live * 2 >= nc) nc *= 2;
    fl_interpose__obj **ns = calloc(nc, sizeof *ns);
    if (!ns) fl_interpose__oom();
    for (size_t i = 0; i < fl_interpose__cap; i++) {
        fl_interpose__obj *o = fl_interpose__slots[i];
        if (!o || o == FL_INTERPOSE__TOMB) continue;
        size_t j = fl_interpose__hash(o->addr) & (nc - 1);
        while (ns[j]) j = (j + 1) & (nc - 1);
        ns[j] = o;
    }
    free(fl_interpose__slots);
    fl_interpose__slots = ns;
    fl_interpose__cap = nc;
    fl_interpose__used = fl_interpose__live;
}

/* Slot index holding addr, or -1. */
static long fl_interpose__slot(const void *addr)
{
    if (!fl_interpose__cap) return -1;
    size_t i = fl_interpose__hash(addr) & (fl_interpose__cap - 1);
    for (size_t n = 0; n < fl_interpose__cap; n++, i = (i + 1) & (fl_interpose__cap - 1)) {
        fl_interpose__obj *o = fl_interpose__slots[i];
        if (!o) return -1;
        if (o != FL_INTERPOSE__TOMB && o->addr == addr) return (long)i;
    }
    return -1;
}

fl_interpose__obj *fl_interpose__find(const void *addr, fl_interpose__kind kind)
{
    fl_interpose__sync_run();
    long i = fl_interpose__slot(addr);
    if (i < 0) return NULL;
    fl_interpose__obj *o = fl_interpose__slots[i];
    return o->kind == kind ? o : NULL;
}

void fl_interpose__drop(const void *addr)
{
    fl_interpose__sync_run();
    long i = fl_interpose__slot(addr);
    if (i < 0) return;
    free(fl_interpose__slots[i]);
    fl_interpose__slots[i] = FL_INTERPOSE__TOMB;
    fl_interpose__live--;
}

fl_interpose__obj *fl_interpose__get(const void *addr, fl_interpose__kind kind, bool *fresh)
{
    fl_interpose__sync_run();
    long i = fl_interpose__slot(addr);
    if (i >= 0) {
        fl_interpose__obj *o = fl_interpose__slots[i];
        if (o->kind == kind) {
            if (fresh) *fresh = false;
            return o;
        }
        fl_interpose__drop(addr); /* the memory now holds another kind of object */
    }
    if ((fl_interpose__used + 1) * 2 >= fl_interpose__cap) fl_interpose__grow();
    fl_interpose__obj *o = calloc(1, sizeof *o);
    if (!o) fl_interpose__oom();
    o->addr = addr;
    o->kind = kind;
    o->id = fl_interpose__next_id[kind]++;
    o->owner = -1;
    o->last_reader = -1;
    o->clock = CLOCK_REALTIME;
    size_t j = fl_interpose__hash(addr) & (fl_interpose__cap - 1);
    while (fl_interpose__slots[j] && fl_interpose__slots[j] != FL_INTERPOSE__TOMB) j = (j + 1) & (fl_interpose__cap - 1);
    if (!fl_interpose__slots[j]) fl_interpose__used++;
    fl_interpose__slots[j] = o;
    fl_interpose__live++;
    fl_interpose__stats.objects++;
    if (fresh) *fresh = true;
    return o;
}

/* ---- time ---------------------------------------------------------------- */

static int64_t fl_interpose__base_ns(clockid_t clk)
{
    return clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_TAI
               ? FL_INTERPOSE_EPOCH_S * 1000000000LL
               : FL_INTERPOSE_MONO_BASE_S * 1000000000LL;
}

int64_t fl_interpose__deadline(clockid_t clk, const struct timespec *abstime)
{
    if (!abstime) return SV_FOREVER;
    int64_t abs = (int64_t)abstime->tv_sec * 1000000000LL + abstime->tv_nsec;
    int64_t d = abs - fl_interpose__base_ns(clk);
    return d < 0 ? 0 : d;
}

struct timespec fl_interpose__now(clockid_t clk)
{
    int64_t v = sv_now() + fl_interpose__base_ns(clk);
    return (struct timespec){ .tv_sec = v / 1000000000LL, .tv_nsec = v % 1000000000LL };
}

/* ---- waiting -------------------------------------------------------------------- */

int fl_interpose__wait(fl_interpose__obj *o, uint32_t w, int64_t deadline, const char *kind, int holder)
{
    fl_sched_waitfor why = { kind, o->id, holder };
    return fl_sched_wait_on(&o->word, w, deadline, &why);
}

void fl_interpose__notify(fl_interpose__obj *o, int n)
{
    atomic_fetch_add(&o->word, 1);
    fl_sched_wake(&o->word, n < 0 ? 0x7fffffff : n);
}
