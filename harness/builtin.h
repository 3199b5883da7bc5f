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
#ifndef FL_BUILTIN_H
#define FL_BUILTIN_H

#ifdef __cplusplus
extern "C" {
#endif

/* Register every built-in worker (fl_register_worker). Idempotent: a name
 * already registered — by an earlier call, or by the embedding program,
 * which thereby overrides the built-in — is left as it is. Safe to call
 * again after fl_unregister_all_workers. Never fails: a registration that
 * runs out of memory is skipped, and a scenario naming that worker is then
 * reported as unrunnable (exit 2) like any unregistered worker. */
void fl_builtin_register(void);

#ifdef __cplusplus
}
#endif
#endif
