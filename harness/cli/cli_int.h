/*
 * cli_int.h — private to the `faultline` command (cli_*.c).
 */
#ifndef FL_CLI_INT_H
#define FL_CLI_INT_H

#include "cli/fl_cli.h"
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

#endif
