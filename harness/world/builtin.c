/*
 * builtin.c — the built-in user workers (fl_world.h): the planted-bug
 * programs under the names "planted.<program>".
 */
#include "world/fl_world.h"

#include "planted/fl_planted.h"

#include <stdio.h>

#define FL_BUILTIN__PREFIX "planted."

/* sv_worker_fn of every planted worker; arg is its const fl_planted *
 * (static storage of planted.c). The program has joined all its threads
 * before run() returns, so unwinding with sv_panic leaves nothing behind. */
static int fl_builtin__planted(sv_worker *w, void *arg) {
    const fl_planted *p = arg;
    int rc = p->run();
    if (rc == 1) sv_panic("planted bug %s: %s", p->name, p->bug);
    return rc;
}

void fl_world_builtin_register(void) {
    size_t n;
    const fl_planted *v = fl_planted_list(&n);
    for (size_t i = 0; i < n; i++) {
        char name[64];
        int k = snprintf(name, sizeof name, FL_BUILTIN__PREFIX "%s", v[i].name);
        if (k < 0 || (size_t)k >= sizeof name) continue; /* cannot happen: names are short */
        (void)fl_world_register_worker(name, fl_builtin__planted, (void *)&v[i]); /* -EEXIST: keep the existing one */
    }
}
