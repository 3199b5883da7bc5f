/*
 * world_int.h — private to world.c (fl_world_build) and worker.c (the
 * scripted-worker interpreter): the per-run state of a world.
 *
 * Synchronisation between workers of one run uses only futex words through
 * the seam (sv_wait/sv_wake on the _Atomic fields below): they need no
 * init/destroy, so a world built under one platform binding works under
 * another, and every block is a scheduling point of the controlled platform.
 */
#ifndef FL_WORLD_INT_H
#define FL_WORLD_INT_H

#include "scenario/fl_scenario.h"
#include "sv_plat.h"

#include <stdatomic.h>

#define FL_WORLD__POLL_NS 5000000LL /* how often a blocked script re-checks stop */

typedef struct fl_world__latch {
    const char *name;          /* points into the scenario */
    _Atomic uint32_t set;      /* 0 until `signal NAME` */
} fl_world__latch;

typedef struct fl_world__race_rt {
    const fl_scenario_race *decl;
    _Atomic uint32_t arrived;  /* members at the barrier */
} fl_world__race_rt;

typedef struct fl_world__wchild {
    const fl_scenario_child_decl *decl;
    struct fl_world *world;
    sv_child_spec spec;        /* fn = interpreter / user trampoline / NULL (sup) */
    sv_worker_fn user_fn;      /* FL_SCENARIO_CHILD_USER */
    void *user_arg;
    bool fault;                /* a `fault recreate` is on in this run */
    uint32_t f_times, f_pct, f_from;
    int f_err;
    _Atomic uint32_t f_failed; /* start attempts failed so far */
    fl_world__race_rt *race;         /* member of this race, or NULL */
    _Atomic(char *) crash_msg; /* fl_world_crash request (malloc'd), or NULL */
    _Atomic int exit_req;      /* fl_world_exit request: 0 none, else value + 1
                                  (value is 0 or SV_RET_SHUTDOWN) */
    int inst_arg;              /* a simple_one_for_one instance's clone: its
                                  `arg=` (the template's own record: 0) */
    struct fl_world__wchild *tmpl; /* a clone: its template, whose f_failed
                                  counts the faults of every instance */
} fl_world__wchild;

typedef struct fl_world__wsup {
    const fl_scenario_sup_decl *decl;
    sv_sup_spec spec;
    sv_child_spec *kids;       /* the initial children's specs */
} fl_world__wsup;

struct fl_world {
    const fl_scenario *s;
    uint64_t seed;
    fl_world__wchild *ch;            /* every child of the tree, depth first */
    size_t nch;
    fl_world__wsup *sups;            /* every supervisor, root first */
    size_t nsups;
    fl_world__latch *latches;
    size_t nlatches;
    fl_world__race_rt *races;        /* parallel to s->races */
    fl_world__wchild *inst;          /* one clone of its template per
                                        start_instance action, in action order:
                                        the instance's arg (own requests and
                                        fault count, the template's spec) */
    size_t ninst;
    _Atomic uint32_t released; /* fl_world_release */
    _Atomic uint32_t inside;   /* scripted incarnations in the interpreter
                                  (fl_world_inside) */
    char describe[1024];
};

/* The sv_worker_fn of scripted children (worker.c); arg is their fl_world__wchild. */
int fl_world__script_worker(sv_worker *w, void *arg);
/* The sv_worker_fn of user children: calls the registered fn with its arg. */
int fl_world__user_worker(sv_worker *w, void *arg);
/* The latch named name, or NULL. */
fl_world__latch *fl_world__world_latch(struct fl_world *w, const char *name);

#endif
