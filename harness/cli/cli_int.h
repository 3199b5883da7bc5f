/*
 * cli_int.h — private to the `faultline` command (cli_*.c).
 */
#ifndef FL_CLI_INT_H
#define FL_CLI_INT_H

#include "cli/fl_cli.h"
#include "exec/fl_exec.h"
#include "scenario/fl_scenario.h"

/* Every `user` child of s must name a worker this binary registers
 * (fl_world_lookup_worker): print "FILE:LINE:COL: unknown user worker
 * 'NAME' …" on err for each one that does not. Returns how many did not
 * (0: s can run). */
size_t fl_cli__check_workers(const fl_scenario *s, FILE *err);

/* Monotonic seconds. */
double fl_cli__now(void);

/* Parse every file into *out (n entries; free with fl_cli__free_scenarios);
 * on any error print each diagnostic on err and return -EINVAL (or
 * -ENOMEM), *out untouched (cli_cmd.c). */
int fl_cli__parse_all(char **files, size_t n, fl_scenario ***out, FILE *err);
void fl_cli__free_scenarios(fl_scenario **v, size_t n);

/* FAULTLINE_FAILPOINTS well formed: 0; else its diagnostic on err, -EINVAL. */
int fl_cli__env_failpoints(FILE *err);

/* `faultline run` (cli_run.c): returns the exit status. */
int fl_cli__run(const fl_cli_args *c, FILE *out, FILE *err);

/* The message of a failed exec run r, as reports show it: its reason, the
 * scheduler's report, the output's tail. Malloc'd; NULL on ENOMEM. */
char *fl_cli__xmessage(const fl_exec_result *r);

/* Write the Chrome trace (Perfetto) of one `faultline exec` run r, traced
 * (fl_sched_opts.trace), into dir as <sanitised name>.json (name: the
 * program's path, or "PROG.seed-N" for a further run of --keep-going): a
 * track per controlled thread with its life on the virtual clock, and the
 * run's scheduling steps (fl_report_trace). prog, seed, r's reason and
 * schedule and replay (may be NULL) go into its otherData. 0, or a negative
 * errno after a message on err (cli_xtrace.c). */
int fl_cli__xtrace(const fl_exec_result *r, const char *dir, const char *prog, const char *name, uint64_t seed,
                   const char *replay, FILE *err);

/* `faultline exec --shrink`'s fails callback (cli_shrink.c): replay
 * candidate in a fresh process of e; 1 when it fails with exactly reason.
 * Each run is reported to shrink (fl_explore_shrink_report), its steps
 * recorded when shrink's last phase asks (fl_explore_shrink_hook). */
typedef struct fl_cli__xshrink {
    fl_exec *e;
    uint32_t watchdog_ms;
    const char *reason; /* the failure to keep */
} fl_cli__xshrink;
int fl_cli__xshrink_fails(const char *candidate, void *ud);

/* Print head, then what shrink's last phase found about r->preempt_after:
 * the minimum proven, or why not (it stopped early: the run budget, or the
 * bound limit; no search ran). One line. */
struct fl_explore_shrink_result;
void fl_cli__shrink_min(FILE *out, const char *head, const struct fl_explore_shrink_result *r);

#endif
