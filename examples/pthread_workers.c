/*
 * pthread_workers.c — the unmodified programs of examples/pthread as user
 * workers of a faultline binary, with the least glue a user needs.
 *
 * Each program's source is compiled as it is, with one flag: its `main`
 * renamed (-Dmain=lost_update_main; its fixed twin again with -DFIXED
 * -Dmain=lost_update_fixed_main; see the Makefile, "pthread_workers").
 * This file registers one worker per program that calls that main, and
 * hands over to the faultline command. Nothing else changes: the
 * programs' pthread, semaphore, C11 threads and sleep calls are
 * interposed in a faultline binary (docs/pthread.md), so every thread they
 * start is controlled; each run of such a scenario (and each replay and
 * shrink attempt) is a fresh process, so their globals and static
 * initialisers start as at program start; an assert in any of their
 * threads is a reported crash with a replay line.
 *
 * A program's main returning 0 is the worker's normal exit; non-zero is a
 * panic naming the status (rwlock's torn read returns 1). The scenarios
 * are examples/pthread_*.scn; mk/stage-examples.sh runs each.
 *
 *     build/examples/pthread_workers run examples/pthread_lost_update.scn
 */
#include "sv.h"

#include "cli/fl_cli.h"
#include "world/fl_world.h"

#include <stdio.h>

/* Every program with a fixed twin (-DFIXED), and the one without. */
#define FL_PTW_TWINS(X) X(lost_update) X(lock_order) X(missed_wakeup) X(cond_misuse) \
    X(atomicity2) X(rwlock) X(semaphore) X(c11threads)

#define FL_PTW_DECLARE(n) int n##_main(void); int n##_fixed_main(void);
FL_PTW_TWINS(FL_PTW_DECLARE)
int noisy_main(void);

typedef struct program {
    const char *name;
    int (*main)(void);
} program;

#define FL_PTW_ENTRY(n) { #n, n##_main }, { #n "_fixed", n##_fixed_main },
static const program programs[] = { FL_PTW_TWINS(FL_PTW_ENTRY) { "noisy", noisy_main } };

/* The worker: the program, once; it ignores stop requests while it runs,
 * as the program itself knows nothing of them. */
static int run_program(sv_worker *self, void *arg)
{
    (void)self;
    const program *p = arg;
    int status = p->main();
    if (status != 0) sv_panic("%s: main returned %d", p->name, status);
    return 0;
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof programs / sizeof *programs; i++)
        if (fl_world_register_worker(programs[i].name, run_program, (void *)&programs[i]) < 0) {
            fprintf(stderr, "pthread_workers: cannot register %s\n", programs[i].name);
            return 2;
        }
    return fl_cli_main(argc, argv, stdout, stderr);
}
