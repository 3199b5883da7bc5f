/*
 * inst_int.h — private to inst/: the filter that decides which accesses
 * become scheduling points (inst_points.c).
 *
 * Threading: the filter runs only on controlled threads of a live run, one
 * at a time (the scheduler's baton orders them: each hand-off is a mutex +
 * condition variable edge), so its state needs no lock. It is reset by the
 * live hook on the host thread before a run's first controlled thread
 * starts (a new generation: no memset).
 */
#ifndef FL_INST_INT_H
#define FL_INST_INT_H

#include "inst/fl_inst.h"

#include <stdbool.h>
#include <stdint.h>

#define FL_INST__MAX_MODULES 64
#define FL_INST__MAX_SEGS 256         /* writable segments of all modules */
#define FL_INST__CELLS_LOG2 16        /* granule table: 65536 cells */
#define FL_INST__PROBE 32             /* a granule not placed within this many
                                         probes counts as shared (a point) */
#define FL_INST__GRANULE_SHIFT 3      /* 8-byte granules */
#define FL_INST__SHARED (-1)

/* One 8-byte granule seen in the current generation (run). */
typedef struct fl_inst__cell {
    uintptr_t key;   /* address >> FL_INST__GRANULE_SHIFT */
    uint32_t gen;    /* valid iff == fl_inst__gen */
    int32_t owner;   /* controlled thread id, or FL_INST__SHARED */
    uint32_t id;     /* number in the run once shared (for the trace), from 1 */
    uint32_t var;    /* number in the run from its first access, from 1: its
                        key in footprints (FL_SCHED_OBJ_VAR), shared or not */
} fl_inst__cell;

/* A writable segment of an instrumented module: its globals. */
typedef struct fl_inst__seg {
    uintptr_t lo, hi;
} fl_inst__seg;

/* The slow half of every callback (set as fl_inst_rt.access). */
void fl_inst__access(const volatile void *addr, uint32_t size, fl_inst_kind kind);

#endif
