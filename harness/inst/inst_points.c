/*
 * inst_points.c — the library side of instrumentation: attaching the
 * runtimes of instrumented modules, switching their flag with the
 * scheduler's live hook, and the filter that turns an access into a light
 * scheduling point (see fl_inst.h for the rules, docs/scheduler.md for the
 * blind spots).
 *
 * Determinism: whether an access is a point depends only on the address,
 * the thread and the earlier points of the same run — never on time or on
 * what an earlier run in the process did — so a replayed schedule meets the
 * same points. Addresses are stable across runs of `faultline exec`
 * (children run with ASLR off and fork from one server), but nothing here
 * depends on that: trace names are numbers given in first-seen order.
 */
#include "inst/inst_int.h"
#include "sched/fl_sched.h"

#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

const char *const fl_inst_cc_flags[] = {
    "-fsanitize=thread",           /* the instrumentation pass ... */
    "-fno-sanitize-link-runtime",  /* ... without the TSan runtime */
    "-mllvm", "-tsan-instrument-func-entry-exit=0",
    /* x++ must be a point before the load, not only before the store */
    "-mllvm", "-tsan-instrument-read-before-write=1",
    NULL,
};

static fl_inst_rt *fl_inst__rts[FL_INST__MAX_MODULES];
static int fl_inst__nrt;
static fl_inst__seg fl_inst__segs[FL_INST__MAX_SEGS];
static int fl_inst__nseg;
static bool fl_inst__live_now;

static fl_inst__cell *fl_inst__cells; /* mmap'd at the first attach */
static uint32_t fl_inst__gen;         /* current run's generation, from 1 */
static uint32_t fl_inst__next_id;
static uint32_t fl_inst__next_var;
static uint64_t fl_inst__npoints;

/* The calling thread's stack (its TLS too, for created threads), cached
 * per run. */
static _Thread_local uintptr_t fl_inst__stk_lo, fl_inst__stk_hi;
static _Thread_local uint32_t fl_inst__stk_gen;

int fl_inst_modules(void) { return fl_inst__nrt; }
uint64_t fl_inst_points(void) { return fl_inst__npoints; }

/* ---- attaching ------------------------------------------------------------------ */

typedef struct fl_inst__find {
    uintptr_t addr;
    bool found;
} fl_inst__find;

/* dl_iterate_phdr callback: if this object holds f->addr, record its
 * writable PT_LOAD segments. */
static int fl_inst__phdr(struct dl_phdr_info *info, size_t size, void *ud)
{
    (void)size;
    fl_inst__find *f = ud;
    bool mine = false;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && f->addr >= lo && f->addr < lo + ph->p_memsz) mine = true;
    }
    if (!mine) return 0;
    for (int i = 0; i < info->dlpi_phnum && fl_inst__nseg < FL_INST__MAX_SEGS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W)) continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        fl_inst__segs[fl_inst__nseg++] = (fl_inst__seg){ lo, lo + ph->p_memsz };
    }
    f->found = true;
    return 1;
}

static void fl_inst__live(bool live)
{
    fl_inst__live_now = live;
    if (live) {
        if (++fl_inst__gen == 0) { /* wrapped: old cells could look current */
            if (fl_inst__cells) memset(fl_inst__cells, 0, sizeof *fl_inst__cells << FL_INST__CELLS_LOG2);
            fl_inst__gen = 1;
        }
        fl_inst__next_id = 0;
        fl_inst__next_var = 0;
    }
    for (int i = 0; i < fl_inst__nrt; i++)
        atomic_store_explicit(&fl_inst__rts[i]->on, live && fl_inst__cells ? 1 : 0, memory_order_relaxed);
}

__attribute__((constructor)) static void fl_inst__init(void) { fl_sched_live_hook(fl_inst__live); }

int fl_inst_attach(fl_inst_rt *rt)
{
    if (!rt || rt->abi != FL_INST_ABI) return -EPROTO;
    for (int i = 0; i < fl_inst__nrt; i++)
        if (fl_inst__rts[i] == rt) return 0;
    if (fl_inst__nrt == FL_INST__MAX_MODULES) return -ENOSPC;
    if (!fl_inst__cells) {
        void *p = mmap(NULL, sizeof *fl_inst__cells << FL_INST__CELLS_LOG2, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return -ENOMEM;
        fl_inst__cells = p;
    }
    fl_inst__find f = { (uintptr_t)rt, false };
    dl_iterate_phdr(fl_inst__phdr, &f);
    rt->access = fl_inst__access;
    fl_inst__rts[fl_inst__nrt++] = rt;
    atomic_store_explicit(&rt->on, fl_inst__live_now ? 1 : 0, memory_order_relaxed);
    return 0;
}

/* ---- the filter -------------------------------------------------------------------- */

static bool fl_inst__on_my_stack(uintptr_t a)
{
    uint32_t run = fl_sched_run_id();
    if (fl_inst__stk_gen != run) {
        fl_inst__stk_gen = run;
        fl_inst__stk_lo = fl_inst__stk_hi = 0;
        pthread_attr_t at;
        if (pthread_getattr_np(pthread_self(), &at) == 0) {
            void *base;
            size_t sz;
            if (pthread_attr_getstack(&at, &base, &sz) == 0) {
                fl_inst__stk_lo = (uintptr_t)base;
                fl_inst__stk_hi = (uintptr_t)base + sz;
            }
            pthread_attr_destroy(&at);
        }
    }
    return a >= fl_inst__stk_lo && a < fl_inst__stk_hi;
}

static bool fl_inst__global(uintptr_t a)
{
    for (int i = 0; i < fl_inst__nseg; i++)
        if (a >= fl_inst__segs[i].lo && a < fl_inst__segs[i].hi) return true;
    return false;
}

/* The granule's cell in this run, created owned by `me` (or shared, when
 * `shared`); NULL when the table has no room near it. */
static fl_inst__cell *fl_inst__cell_of(uintptr_t key, int me, bool shared)
{
    uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull;
    uint32_t mask = (1u << FL_INST__CELLS_LOG2) - 1;
    uint32_t i = (uint32_t)(h >> (64 - FL_INST__CELLS_LOG2));
    for (int k = 0; k < FL_INST__PROBE; k++, i = (i + 1) & mask) {
        fl_inst__cell *c = &fl_inst__cells[i];
        if (c->gen == fl_inst__gen && c->key == key) return c;
        if (c->gen != fl_inst__gen) {
            *c = (fl_inst__cell){ key, fl_inst__gen, shared ? FL_INST__SHARED : me, shared ? ++fl_inst__next_id : 0,
                                  ++fl_inst__next_var };
            return c;
        }
    }
    return NULL;
}

void fl_inst__access(const volatile void *addr, uint32_t size, fl_inst_kind kind)
{
    (void)size;
    if (!fl_sched_controlled()) return; /* the host, or a thread outside the run */
    uintptr_t a = (uintptr_t)addr;
    if (fl_inst__on_my_stack(a)) return;
    int me = fl_sched_current();
    bool always = kind == FL_INST_ATOMIC || fl_inst__global(a);
    fl_inst__cell *c = fl_inst__cell_of(a >> FL_INST__GRANULE_SHIFT, me, always);
    char obj[16] = "v?";
    uint32_t var = 0; /* no cell: unknown memory, dependent with every step */
    if (c) {
        if (c->owner == me) {
            /* only this thread has touched it so far: no point, but the
             * access is in this transition's footprint (explore's
             * reduction must not commute it with another thread's first
             * access to the same memory) */
            fl_sched_touch_var(c->var);
            return;
        }
        if (c->owner != FL_INST__SHARED) {
            c->owner = FL_INST__SHARED;
            c->id = ++fl_inst__next_id;
        }
        snprintf(obj, sizeof obj, "v%u", c->id);
        var = c->var;
    }
    static const char *const ops[] = { "load", "store", "atomic" };
    fl_inst__npoints++;
    fl_sched_point_light(ops[kind], obj, var);
}
