/*
 * cli_shrink.c — what `faultline shrink` and `faultline exec --shrink`
 * share (cli_int.h): the fails callback of exec's shrink, whose attempts
 * run in a child process and report their steps back for shrink's last
 * phase (fl_explore_shrink_hook / fl_explore_shrink_report), and the line
 * that says what that phase proved.
 */
#include "cli/cli_int.h"
#include "explore/fl_explore.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int fl_cli__xshrink_fails(const char *candidate, void *ud)
{
    fl_cli__xshrink *s = ud;
    fl_sched_opts so = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = candidate, .watchdog_ms = s->watchdog_ms };
    fl_exec_result r;
    char err[512];
    /* the hook shrink's search wants told every step (NULL: none wanted):
     * the exec child records them as for --explore */
    if (fl_exec_run_hooked(s->e, &so, fl_explore_shrink_hook(candidate), &r, err, sizeof err) < 0) return 0;
    int same = r.failed && r.reason && strcmp(r.reason, s->reason) == 0;
    if (fl_explore_shrink_report(candidate, r.schedule, r.steps, r.preemptions, r.status) < 0) same = -ENOMEM;
    fl_exec_result_free(&r);
    return same;
}

/* "bound 0" or "bounds 0..k" into b. */
static const char *fl_cli__bounds(char *b, size_t n, unsigned long long k)
{
    if (k == 0) snprintf(b, n, "bound 0");
    else snprintf(b, n, "bounds 0..%llu", k);
    return b;
}

void fl_cli__shrink_min(FILE *out, const char *head, const struct fl_explore_shrink_result *r)
{
    unsigned long long p = (unsigned long long)r->preempt_after;
    const char *pl = p == 1 ? "" : "s";
    char b[48];
    fputs(head, out);
    if (r->min_proven && p == 0)
        fprintf(out, "0 preemptions: none can be fewer\n");
    else if (r->min_proven)
        fprintf(out, "%llu preemption%s, proven: no schedule with fewer fails (%s searched completely, %u runs)\n", p,
                pl, fl_cli__bounds(b, sizeof b, p - 1), (unsigned)r->min_runs);
    else if (r->stopped_early && r->min_searched)
        fprintf(out, "%llu preemption%s, not proven: the search stopped early, its run budget spent (%u runs) after "
                "%s (none fails); raise --max-runs\n", p, pl, (unsigned)r->runs,
                fl_cli__bounds(b, sizeof b, r->min_searched - 1));
    else if (r->stopped_early)
        fprintf(out, "%llu preemption%s, not proven: the search stopped early, its run budget spent (%u runs) before "
                "any bound was searched completely; raise --max-runs\n", p, pl, (unsigned)r->runs);
    else if (r->beyond_limit)
        fprintf(out, "%llu preemption%s, not proven: the search stopped early at its limit: no schedule with fewer "
                "than %u fails (searched completely), %u..%llu not searched\n", p, pl, FL_EXPLORE_SHRINK_MIN_BOUND,
                FL_EXPLORE_SHRINK_MIN_BOUND, p - 1);
    else
        fprintf(out, "%llu preemption%s, not proven: no search ran (the runs' steps could not all be recorded)\n", p, pl);
}
