/*
 * cli_xtrace.c — the Chrome trace of one `faultline exec` run (cli_int.h):
 * the exec child records every controlled thread's life and every step as
 * they happen (exec_child.c, so a run that died by a signal has them too);
 * here they become an fl_case's threads and steps for fl_report_trace.
 *
 * Invariant: steps name threads by 1-based index into threads[], which is
 * the run's controlled thread ids + 1 (ids are dense, in creation order).
 */
#include "cli/cli_int.h"
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *fl_cli__xmessage(const fl_exec_result *r)
{
    char *msg = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&msg, &len);
    if (!m) return NULL;
    fputs(r->reason ? r->reason : "", m);
    if (r->report) fprintf(m, "\n%s", r->report);
    if (r->output && *r->output) fprintf(m, "\noutput (tail):\n%s", r->output);
    if (fclose(m) != 0) {
        free(msg);
        return NULL;
    }
    return msg;
}

int fl_cli__xtrace(const fl_exec_result *r, const char *dir, const char *prog, const char *name, uint64_t seed,
                   const char *replay, FILE *err)
{
    fl_thread *th = calloc(r->nlives ? r->nlives : 1, sizeof *th);
    fl_step *st = calloc(r->nops ? r->nops : 1, sizeof *st);
    char *msg = r->reason ? fl_cli__xmessage(r) : NULL;
    int rc = -ENOMEM;
    if (!th || !st || (r->reason && !msg)) goto out;
    int64_t end = 0; /* the run's last moment on the virtual clock */
    for (uint32_t i = 0; i < r->nlives; i++) {
        th[i] = (fl_thread){ .name = r->lives[i].name, .start_ns = r->lives[i].born_ns, .end_ns = r->lives[i].died_ns };
        if (r->lives[i].died_ns > end) end = r->lives[i].died_ns;
    }
    for (uint32_t i = 0; i < r->nops; i++) {
        const fl_exec_op *o = &r->ops[i];
        bool cur_ok = o->cur >= 0 && (uint32_t)o->cur < r->nlives, next_ok = o->next >= 0 && (uint32_t)o->next < r->nlives;
        st[i] = (fl_step){ .step = o->step, .time_ns = o->clock_ns, .thread = cur_ok ? (uint32_t)o->cur + 1 : 0,
                           .next = next_ok ? (uint32_t)o->next + 1 : 0, .op = o->op, .obj = o->obj };
        if (o->clock_ns > end) end = o->clock_ns;
    }
    fl_case c = { .path = prog, .name = "exec", .runs = 1, .failed_runs = r->failed, .passed = !r->failed,
                  .seed = seed, .invariant = r->reason, .message = msg,
                  .schedule = r->schedule, .replay = replay, .virtual_ns = end,
                  .threads = th, .nthreads = r->nlives, .steps = st, .nsteps = r->nops };
    rc = fl_report_trace_named(&c, dir, name);
out:
    if (rc < 0) fprintf(err, "faultline exec: --trace %s: %s: %s\n", dir, name, strerror(-rc));
    free(th);
    free(st);
    free(msg);
    return rc;
}
