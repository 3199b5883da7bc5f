/*
 * oracle_expect.h — a scenario's `expect` lines, judged over one run
 * (prefix fl_oracle_expect). Every failed expectation is a violation of the
 * invariant `expectation`, its message naming the scenario line:
 *   "FILE:LINE:COL: expect restarts w = 3: got 2".
 * `expect fail INV` is not judged here: it is the runner's verdict rule.
 */
#ifndef FL_ORACLE_EXPECT_H
#define FL_ORACLE_EXPECT_H

#include "oracle.h"
#include "scenario.h"

/* What the runner observed besides the trace. */
typedef struct fl_observed {
    int root_exit;              /* sv_exit of the root by the end of the run's
                                   duration; -1 still running; -2 not observed
                                   (the run was cut short) */
    const fl_state *states;     /* per s->expects[i] (FL_EXP_STATE): the state
                                   sv_which_children reported at its time, or
                                   (fl_state)-1 when the time was never reached */
    const char *const *log;     /* every line the log sink received */
    size_t nlog;
} fl_observed;

/* Judge every expectation of s over trace[0..n) and obs; append violations
 * to out. 0, or -ENOMEM (also in out->err). */
int fl_oracle_expect(const fl_scenario *s, const fl_event *trace, size_t n, const fl_observed *obs,
                     fl_verdict *out);

#endif
