/*
 * worker.h — workers under test (prefix fl_worker_, fl_register_worker).
 *
 * Two kinds of worker run under a scenario:
 *  - scripted workers (`worker ID` + script): run by the interpreter in
 *    worker.c, which fl_scenario_build installs as their sv_worker_fn;
 *  - user workers (`user ID fn=NAME`): C functions a team registers by name
 *    before parsing/building, so that its own workers run under scenarios:
 *
 *        static int poller(sv_worker *w, void *arg) {
 *            while (!sv_worker_stopping(w)) {
 *                if (fl_failpoint("poller.read")) sv_panic("read failed");
 *                sv_worker_sleep(w, 50);
 *            }
 *            return 0;
 *        }
 *        ...
 *        fl_register_worker("poller", poller, &my_state);
 *
 *    A user worker under the controlled scheduler must block only through the
 *    seam (sv_worker_sleep, sv_mutex_*, sv_cond_*, sv_wait, sv_yield), or the
 *    scheduler cannot see it.
 *
 * The registry is process-global; register at start-up (it is thread-safe,
 * but a run reads it while building its world).
 */
#ifndef FL_WORKER_H
#define FL_WORKER_H

#include "sv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Register fn under name (1..63 bytes of [A-Za-z0-9_.-], copied); arg is
 * passed to every call (not owned). 0, -EINVAL (bad name or fn NULL),
 * -EEXIST (name taken), -ENOMEM. */
int fl_register_worker(const char *name, sv_worker_fn fn, void *arg);

/* Look name up: 0 and *fn, *arg (either may be NULL), or -ENOENT. */
int fl_lookup_worker(const char *name, sv_worker_fn *fn, void **arg);

/* Remove name (-ENOENT if absent) / every registration (for tests). */
int fl_unregister_worker(const char *name);
void fl_unregister_all_workers(void);

#ifdef __cplusplus
}
#endif
#endif
