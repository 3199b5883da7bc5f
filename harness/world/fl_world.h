/*
 * fl_world.h — one run's world and the workers under test (prefix fl_world_).
 *
 * Two kinds of worker run under a scenario:
 *  - scripted workers (`worker ID` + script): run by the interpreter in
 *    worker.c, which fl_world_build installs as their sv_worker_fn;
 *  - user workers (`user ID fn=NAME`): C functions a team registers by name
 *    before parsing/building, so that its own workers run under scenarios:
 *
 *        static int poller(sv_worker *w, void *arg) {
 *            while (!sv_worker_stopping(w)) {
 *                if (fl_fp_eval("poller.read")) sv_panic("read failed");
 *                sv_worker_sleep(w, 50);
 *            }
 *            return 0;
 *        }
 *        ...
 *        fl_world_register_worker("poller", poller, &my_state);
 *
 *    A user worker under the controlled scheduler must block only through the
 *    seam (sv_worker_sleep, sv_mutex_*, sv_cond_*, sv_wait, sv_yield), or the
 *    scheduler cannot see it.
 *
 * The registry is process-global; register at start-up (it is thread-safe,
 * but a run reads it while building its world).
 */
#ifndef FL_WORLD_H
#define FL_WORLD_H

#include "scenario/fl_scenario.h"
#include "sv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Register fn under name (1..63 bytes of [A-Za-z0-9_.-], copied); arg is
 * passed to every call (not owned). 0, -EINVAL (bad name or fn NULL),
 * -EEXIST (name taken), -ENOMEM. */
int fl_world_register_worker(const char *name, sv_worker_fn fn, void *arg);

/* Look name up: 0 and *fn, *arg (either may be NULL), or -ENOENT. */
int fl_world_lookup_worker(const char *name, sv_worker_fn *fn, void **arg);

/* Remove name (-ENOENT if absent) / every registration (for tests). */
int fl_world_unregister_worker(const char *name);
void fl_world_unregister_all_workers(void);

/* ---- built-in workers ---- */
/*
 * builtin.h — user workers that every faultline binary carries (prefix
 * fl_builtin_). Today: the planted-bug programs of planted.h, so that a
 * scenario can run them by name with the stock `faultline` command:
 *
 *     user p fn=planted.lost_update restart=transient
 *
 * Names: "planted.<program>" for each program of fl_planted_list(), the
 * corrected twins included ("planted.lost_update_ok", ...). Each worker runs
 * its program once per incarnation, on the worker's own thread, through the
 * platform seam (so the controlled scheduler orders every step):
 *   - the program saw its bug    -> sv_panic("planted bug NAME: BUG"), a crash
 *                                   with reason panic and that message;
 *   - it could not start threads -> returns that negative errno (a crash with
 *                                   reason error);
 *   - it ran clean               -> returns 0 (exit normal).
 * A program whose bug is a deadlock (lock_order) never returns: its worker
 * stays blocked in the seam's join and the supervisor reports it unstopped.
 */
/* Register every built-in worker (fl_world_register_worker). Idempotent: a name
 * already registered — by an earlier call, or by the embedding program,
 * which thereby overrides the built-in — is left as it is. Safe to call
 * again after fl_world_unregister_all_workers. Never fails: a registration that
 * runs out of memory is skipped, and a scenario naming that worker is then
 * reported as unrunnable (exit 2) like any unregistered worker. */
void fl_world_builtin_register(void);

/* ---- one run: the world ------------------------------------------------------------ */

typedef struct fl_world fl_world;

/* Build everything one run of s with this seed needs (see the top of this
 * file) and bind the failpoint registry into libsv (sv_fail_set). Must be
 * called while no libsv object exists (the sv_fail_set binding rule); at
 * most one world exists at a time. s must outlive the world.
 * Returns 0 and *out (free with fl_world_free), or -EBUSY (another world
 * exists), -ENOENT (a `user` child names no registered worker),
 * -EINVAL (FAULTLINE_FAILPOINTS is malformed: see fl_fp_env_check),
 * -ENOMEM. On failure the failpoint registry is left empty and nothing
 * leaks. */
int fl_world_build(const fl_scenario *s, uint64_t seed, fl_world **out);

/* The root spec of the tree (initial children only; nested supervisors'
 * specs inside). Owned by the world, valid until fl_world_free; on_event,
 * log and their ud are NULL: copy the struct and set them. seed (backoff
 * jitter) is derived from the world's seed. */
const sv_sup_spec *fl_world_spec(fl_world *w);

/* The spec of any declared child (dynamic ones included), for sv_start_child.
 * Owned by the world. NULL if c does not belong to the world's scenario. */
const sv_child_spec *fl_world_child_spec(fl_world *w, const fl_scenario_child_decl *c);

/* Ask scripted worker c to crash with msg (NULL: "injected crash") at its
 * next op boundary, whichever incarnation is then running. 0, or -EINVAL
 * (c is not a scripted worker of this world). Thread-safe. */
int fl_world_crash(fl_world *w, const fl_scenario_child_decl *c, const char *msg);
/* The arg for sv_start_instance of start_instance action a (of the run's
 * scenario): the instance's own interpreter state, which carries a->arg to
 * its script's `arg N` conditions. NULL if a is not such an action. Owned by
 * the world. */
void *fl_world_instance_arg(fl_world *w, const fl_scenario_action *a);

/* Ask scripted worker c to end on its own at its next op boundary (or
 * inside a `wait`), whichever incarnation runs then: its body returns value
 * (0: a normal exit; SV_RET_SHUTDOWN: exit shutdown). A pending crash
 * request goes first. 0, or -EINVAL (not a scripted worker of this world). */
int fl_world_exit(fl_world *w, const fl_scenario_child_decl *c, int value);

/* End every `hang` and every onstop wait still in progress, now and for the
 * rest of the run: those workers return SV_RET_SHUTDOWN. The runner calls it
 * after the supervisor has exited (or was stopped), so that abandoned
 * (unstopped) threads finish before the run ends. Idempotent, thread-safe. */
void fl_world_release(fl_world *w);

/* One line describing the run's random choices (swarm: which faults and
 * failpoints are on, at what rates), e.g. "swarm: recreate a p=40%; sv.start off".
 * Writes at most cap bytes (NUL-terminated), returns the untruncated length;
 * "" when swarm is off. */
size_t fl_world_describe(const fl_world *w, char *buf, size_t cap);

/* Number of scripted incarnations still executing the interpreter (and so
 * still able to touch the world). After fl_world_release it drops to 0 as
 * abandoned scripted workers leave. Under the controlled scheduler the end
 * of fl_sched_run already guarantees that (a thread killed at the end never
 * runs again); code running worlds on the POSIX platform waits for 0 before
 * fl_world_free. Thread-safe. */
unsigned fl_world_inside(const fl_world *w);

/* Empty the failpoint registry (the hook stays bound to libsv: empty, it
 * injects nothing, and abandoned threads may still evaluate libsv's points,
 * so sv_fail_set is not written again), release, and free the world. Call
 * after sv_sup_free, once no thread of this run still runs worker code of
 * this world (fl_world_inside() == 0; a user worker that ignores stop is
 * the runner's no_leaked_thread finding). w may be NULL. */
void fl_world_free(fl_world *w);

#ifdef __cplusplus
}
#endif
#endif
