/*
 * cli_cmd.c — the `faultline` commands (fl_cli.h): run, replay, shrink, check,
 * list (explore is in cli_explore.c). Reports are written only after every
 * run finished, through the atomic writers of reports/, so an interrupted or
 * failed command never leaves half a file.
 */
#include "cli/cli_int.h"

#include "world/fl_world.h"
#include "failpoint/fl_failpoint.h"
#include "runner/fl_runner.h"
#include "sched/fl_sched.h"
#include "explore/fl_explore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double fl_cli__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- parsing scenarios ------------------------------------------------------------- */

/* Parse every file; on any error print each diagnostic and return -EINVAL. */
int fl_cli__parse_all(char **files, size_t n, fl_scenario ***out, FILE *err) {
    fl_scenario **v = calloc(n ? n : 1, sizeof *v);
    if (!v) return -ENOMEM;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        fl_lex_diag d = {0};
        int r = fl_scenario_parse_file(files[i], &v[i], &d);
        if (r == -ENOMEM) {
            bad = -ENOMEM;
            fprintf(err, "faultline: %s: out of memory\n", files[i]);
        } else if (r < 0) {
            if (!bad) bad = -EINVAL;
            fprintf(err, "%s\n", d.text[0] ? d.text : files[i]);
            v[i] = NULL;
        }
    }
    if (bad) {
        for (size_t i = 0; i < n; i++) fl_scenario_free(v[i]);
        free(v);
        return bad;
    }
    *out = v;
    return 0;
}

void fl_cli__free_scenarios(fl_scenario **v, size_t n) {
    for (size_t i = 0; v && i < n; i++) fl_scenario_free(v[i]);
    free(v);
}

int fl_cli__env_failpoints(FILE *err) {
    fl_lex_diag d = {0};
    if (fl_fp_env_check(&d) == 0) return 0;
    fprintf(err, "%s\n", d.text[0] ? d.text : "faultline: FAULTLINE_FAILPOINTS is malformed");
    return -EINVAL;
}

/* ---- user workers ------------------------------------------------------------------- */

static size_t fl_cli__check_sup(const fl_scenario *s, const fl_scenario_sup_decl *sup, FILE *err) {
    size_t bad = 0;
    for (size_t i = 0; sup && i < sup->nchildren; i++) {
        const fl_scenario_child_decl *ch = sup->children[i];
        if (ch->kind == FL_SCENARIO_CHILD_SUP) {
            bad += fl_cli__check_sup(s, ch->sup, err);
        } else if (ch->kind == FL_SCENARIO_CHILD_USER) {
            const char *name = ch->fn_name ? ch->fn_name : ch->id;
            sv_worker_fn fn;
            void *arg;
            if (fl_world_lookup_worker(name, &fn, &arg) == 0) continue;
            fprintf(err, "%s:%d:%d: unknown user worker '%s': this binary does not register it (a team's own "
                    "faultline binary registers its workers with fl_world_register_worker)\n", s->path, ch->line,
                    ch->col, name);
            bad++;
        }
    }
    return bad;
}

size_t fl_cli__check_workers(const fl_scenario *s, FILE *err) { return fl_cli__check_sup(s, s->root, err); }

/* ---- replay / shrink ------------------------------------------------------------------- */

static int fl_cli__one(const fl_cli_args *c, fl_scenario **s, FILE *err) {
    fl_lex_diag d = {0};
    if (fl_cli__env_failpoints(err) < 0) return -EINVAL;
    int r = fl_scenario_parse_file(c->paths[0], s, &d);
    if (r < 0) fprintf(err, "%s\n", d.text[0] ? d.text : c->paths[0]);
    else if (fl_cli__check_workers(*s, err)) {
        fl_scenario_free(*s);
        *s = NULL;
        r = -ENOENT;
    }
    return r;
}

static void fl_cli__verdict(const fl_scenario *s, const fl_runner_out *o, FILE *out) {
    if (!o->verdict.n) {
        fprintf(out, "PASS %s (seed %llu): every invariant holds\n", s->path, (unsigned long long)o->seed);
        return;
    }
    const fl_oracle_violation *p = fl_oracle_verdict_primary(&o->verdict);
    fprintf(out, "FAIL %s (seed %llu): %s\n", s->path, (unsigned long long)o->seed, fl_oracle_inv_name(p->inv));
    fl_oracle_verdict_print(&o->verdict, out);
    if (s->expect_fail)
        fprintf(out, "(known-bad scenario: it is expected to fail %s%s)\n", s->expect_fail,
                fl_oracle_verdict_find(&o->verdict, (fl_oracle_inv)fl_oracle_inv_from_name(s->expect_fail)) ? ", and it did" : ", but did not");
}

/* ---- replay and shrink in a child process (a scenario with user workers) ------------ */

static int64_t fl_cli__timeout(const fl_cli_args *c) {
    return c->timeout_set ? c->timeout_ns : FL_RUNNER_DEFAULT_TIMEOUT_NS;
}

/* One replay of schedule in a child process (fl_runner_part_in_child): an
 * assert or a signal in a user worker's thread ends the child, not us.
 * hook (may be NULL): told the run's steps once the child ended. */
static int fl_cli__replay_part(const fl_cli_args *c, const fl_scenario *s, const char *schedule,
                               const fl_sched_hook *hook, fl_runner_part *part) {
    fl_runner_opts o = {.strategy = -1, .schedule = schedule};
    return fl_runner_part_in_child(s, &o, fl_cli__timeout(c), hook, part);
}

/* `replay` of a scenario that needs its own process: the same words as the
 * in-process replay (trace, verdict, exit status); a run that died prints
 * its failure — the signal, the output's last lines — and its replay line. */
static int fl_cli__replay_child(const fl_cli_args *c, const fl_scenario *s, FILE *out, FILE *err) {
    fl_runner_part part;
    int r = fl_cli__replay_part(c, s, c->schedule, NULL, &part), rc = FL_CLI_EXIT_FAIL;
    const fl_case *k = &part.c;
    if (r < 0 || part.err < 0) {
        fprintf(err, "faultline: replay %s: %s\n", s->path, r < 0 ? strerror(-r) : k->message ? k->message : strerror(-part.err));
        rc = FL_CLI_EXIT_USAGE;
        goto done;
    }
    fl_runner_trace_format(k->trace, k->ntrace, out);
    if (part.status == FL_SCHED_DIVERGED) {
        fprintf(out, "DIVERGED %s: %s\nThe schedule no longer fits this scenario and binary: they changed since it was recorded.\n",
                s->path, part.sched_report ? part.sched_report : "the recorded choices no longer fit");
        goto done;
    }
    if (!k->invariant) {
        fprintf(out, "PASS %s (seed %llu): every invariant holds\n", s->path, (unsigned long long)k->seed);
        rc = FL_CLI_EXIT_OK;
    } else {
        fprintf(out, "FAIL %s (seed %llu): %s\n%s\n", s->path, (unsigned long long)k->seed, k->invariant,
                k->message ? k->message : "");
        if (!k->ntrace && k->replay) fprintf(out, "replay: %s\n", k->replay); /* it died: where it got to */
        if (s->expect_fail)
            fprintf(out, "(known-bad scenario: it is expected to fail %s%s)\n", s->expect_fail,
                    strcmp(k->invariant, s->expect_fail) == 0 ? ", and it did" : ", but did not");
    }
    if (c->trace_dir) {
        fl_case t = *k;
        t.runs = 1;
        t.failed_runs = k->invariant != NULL;
        t.passed = !k->invariant;
        t.schedule = c->schedule;
        if ((r = fl_report_trace(&t, c->trace_dir)) < 0) {
            fprintf(err, "faultline: --trace %s: %s\n", c->trace_dir, strerror(-r));
            rc = FL_CLI_EXIT_USAGE;
        }
    }
done:
    fl_runner_part_free(&part);
    return rc;
}

static int fl_cli__replay(const fl_cli_args *c, FILE *out, FILE *err) {
    fl_scenario *s = NULL;
    if (fl_cli__one(c, &s, err) < 0) return FL_CLI_EXIT_USAGE;
    if (fl_runner_needs_process(s)) {
        int rc = fl_cli__replay_child(c, s, out, err);
        fl_scenario_free(s);
        return rc;
    }
    fl_runner_params p = {.strategy = FL_SCHED_STRAT_REPLAY, .schedule = c->schedule};
    fl_runner_out o;
    int rc = FL_CLI_EXIT_FAIL;
    int r = fl_runner_run(s, &p, &o);
    if (r == -EINVAL && o.sched_report) {
        fprintf(err, "faultline: --schedule: %s\n", o.sched_report);
        rc = FL_CLI_EXIT_USAGE;
        goto done;
    }
    if (r < 0) {
        fprintf(err, "faultline: replay %s: %s\n", s->path, o.sched_report ? o.sched_report : strerror(-r));
        rc = FL_CLI_EXIT_USAGE;
        goto done;
    }
    fl_runner_trace_format(o.trace, o.ntrace, out);
    if (o.status == FL_SCHED_DIVERGED) {
        fprintf(out, "DIVERGED %s: %s\nThe schedule no longer fits this scenario and binary: they changed since it was recorded.\n",
                s->path, o.sched_report ? o.sched_report : "the recorded choices no longer fit");
        goto done;
    }
    fl_cli__verdict(s, &o, out);
    rc = o.verdict.n ? FL_CLI_EXIT_FAIL : FL_CLI_EXIT_OK;
    if (c->trace_dir) {
        fl_case k = {.path = s->path, .name = s->title ? s->title : s->path, .runs = 1, .failed_runs = o.verdict.n > 0,
                     .passed = o.verdict.n == 0, .seed = o.seed, .schedule = c->schedule, .trace = o.trace,
                     .ntrace = o.ntrace, .virtual_ns = o.virtual_ns};
        if ((r = fl_report_trace(&k, c->trace_dir)) < 0) {
            fprintf(err, "faultline: --trace %s: %s\n", c->trace_dir, strerror(-r));
            rc = FL_CLI_EXIT_USAGE;
        }
    }
done:
    fl_runner_out_free(&o);
    fl_scenario_free(s);
    return rc;
}

typedef struct fl_cli__shrink_ud {
    const fl_cli_args *c;
    const fl_scenario *s;
    fl_oracle_inv inv;
    const char *kind;    /* in a child: the kept invariant's name ("crash" and
                            "timeout" too: the child died that way) */
} fl_cli__shrink_ud;

/* True when part failed as kind: its kept invariant, or any violation its
 * message lists ("INV: …" lines). */
static bool fl_cli__part_fails(const fl_runner_part *part, const char *kind) {
    const fl_case *k = &part->c;
    if (part->err || part->status == FL_SCHED_DIVERGED || !k->invariant) return false;
    if (strcmp(k->invariant, kind) == 0) return true;
    size_t n = strlen(kind);
    for (const char *m = k->message; m; m = strchr(m, '\n'), m = m ? m + 1 : NULL)
        if (strncmp(m, kind, n) == 0 && m[n] == ':') return true;
    return false;
}

static int fl_cli__shrink_fails(const char *candidate, void *ud) {
    fl_cli__shrink_ud *u = ud;
    if (u->kind) {
        /* the run is reported to shrink (its counts, the schedule that
         * replays it) and, when shrink's last phase asks, its steps are
         * recorded in the child and told to the search's hook */
        fl_runner_part part;
        int r = fl_cli__replay_part(u->c, u->s, candidate, fl_explore_shrink_hook(candidate), &part);
        if (r == -E2BIG) return 0; /* too long to record: the search then stops, unproven */
        if (r == 0) r = fl_cli__part_fails(&part, u->kind);
        if (r >= 0 && fl_explore_shrink_report(candidate, part.c.schedule, part.steps, part.preemptions,
                                               (fl_sched_status)part.status) < 0)
            r = -ENOMEM;
        fl_runner_part_free(&part);
        return r;
    }
    fl_runner_params p = {.strategy = FL_SCHED_STRAT_REPLAY, .schedule = candidate};
    fl_runner_out o;
    int r = fl_runner_run(u->s, &p, &o);
    if (r == 0) r = o.status != FL_SCHED_DIVERGED && fl_oracle_verdict_find(&o.verdict, u->inv) != NULL;
    else if (r == -EINVAL) r = 0; /* a candidate the scheduler rejects does not fail the same way */
    fl_runner_out_free(&o);
    return r;
}

static int fl_cli__shrink(const fl_cli_args *c, FILE *out, FILE *err) {
    fl_scenario *s = NULL;
    if (fl_cli__one(c, &s, err) < 0) return FL_CLI_EXIT_USAGE;
    int rc = FL_CLI_EXIT_USAGE;
    fl_runner_params p = {.strategy = FL_SCHED_STRAT_REPLAY, .schedule = c->schedule};
    fl_runner_out o = {0};
    fl_runner_part part = {0};
    fl_explore_shrink_result res = {0};
    char msg[256];
    fl_cli__shrink_ud ud = {.c = c, .s = s};
    int r, status;
    const char *why = NULL; /* the --schedule error, if any */
    bool fails;
    if (fl_runner_needs_process(s)) { /* each attempt in a child: a crash is a failure like any other */
        r = fl_cli__replay_part(c, s, c->schedule, NULL, &part);
        if (r < 0 || part.err < 0) why = r < 0 ? strerror(-r) : part.c.message ? part.c.message : "?";
        status = part.status;
        fails = part.c.invariant != NULL;
        ud.kind = part.c.invariant;
    } else {
        if ((r = fl_runner_run(s, &p, &o)) < 0) why = o.sched_report ? o.sched_report : strerror(-r);
        status = o.status;
        fails = o.verdict.n > 0;
        if (fails) ud.inv = fl_oracle_verdict_primary(&o.verdict)->inv;
    }
    if (why) {
        fprintf(err, "faultline: --schedule: %s\n", why);
        goto done;
    }
    if (status == FL_SCHED_DIVERGED || !fails) {
        fprintf(err, "faultline: shrink: %s %s on this schedule: nothing to shrink\n", s->path,
                status == FL_SCHED_DIVERGED ? "diverges" : "passes");
        rc = FL_CLI_EXIT_FAIL;
        goto done;
    }
    fprintf(out, "shrinking %s: it fails %s on the given schedule\n", s->path, ud.kind ? ud.kind : fl_oracle_inv_name(ud.inv));
    fl_explore_shrink_opts so = {.max_runs = c->max_runs > UINT32_MAX ? UINT32_MAX : (uint32_t)c->max_runs};
    if ((r = fl_explore_shrink(c->schedule, fl_cli__shrink_fails, &ud, &so, &res, msg, sizeof msg)) < 0) {
        fprintf(err, "faultline: shrink: %s\n", msg[0] ? msg : strerror(-r));
        rc = r == -ESRCH ? FL_CLI_EXIT_FAIL : FL_CLI_EXIT_USAGE;
        goto done;
    }
    fprintf(out, "preemptions %llu -> %llu, steps %llu -> %llu, schedule length %zu -> %zu (%u replays)\n",
            (unsigned long long)res.preempt_before, (unsigned long long)res.preempt_after,
            (unsigned long long)res.steps_before, (unsigned long long)res.steps_after, res.len_before,
            res.len_after, res.runs);
    fl_cli__shrink_min(out, "minimum: ", &res);
    char *line = fl_runner_replay_line(s->path, res.schedule);
    fprintf(out, "%s\n", line ? line : res.schedule);
    free(line);
    rc = FL_CLI_EXIT_OK;
done:
    fl_explore_shrink_result_free(&res);
    fl_runner_part_free(&part);
    fl_runner_out_free(&o);
    fl_scenario_free(s);
    return rc;
}

/* ---- check / list ---------------------------------------------------------------------- */

static int fl_cli__check_list(const fl_cli_args *c, FILE *out, FILE *err) {
    char msg[512];
    char **files = NULL;
    size_t n = 0;
    if (fl_cli_collect(c->paths, c->npaths, &files, &n, err, msg, sizeof msg) < 0) {
        fprintf(err, "%s\n", msg);
        return FL_CLI_EXIT_USAGE;
    }
    int rc = FL_CLI_EXIT_OK;
    if (fl_cli__env_failpoints(err) < 0) rc = FL_CLI_EXIT_USAGE;
    size_t index = 0, nsel = 0;
    for (size_t i = 0; i < n; i++) {
        fl_scenario *s = NULL;
        fl_lex_diag d = {0};
        if (!fl_cli_selected(c, files[i])) continue;
        nsel++;
        if (fl_scenario_parse_file(files[i], &s, &d) < 0) {
            fprintf(err, "%s\n", d.text[0] ? d.text : files[i]);
            rc = FL_CLI_EXIT_USAGE;
            continue;
        }
        if (fl_cli__check_workers(s, err)) {
            rc = FL_CLI_EXIT_USAGE;
            fl_scenario_free(s);
            continue;
        }
        if (c->cmd == FL_CLI_CMD_CHECK) {
            fprintf(out, "ok %s\n", files[i]);
        } else {
            uint32_t seeds, depth;
            uint64_t first, budget;
            fl_sched_strategy st;
            fl_runner_opts o = {.strategy = -1};
            fl_runner_effective(s, &o, &seeds, &first, &st, &depth, &budget);
            fprintf(out, "%zu\t%s\tseeds=%u strategy=%s%s%s\t%s\n", index++, files[i], seeds, fl_sched_strategy_name(st),
                    s->expect_fail ? " expect-fail=" : "", s->expect_fail ? s->expect_fail : "",
                    s->title ? s->title : "");
        }
        fl_scenario_free(s);
    }
    fl_cli_files_free(files, n);
    if (c->npatterns && nsel == 0) {
        fprintf(err, "faultline: %s: -k selects none of the %zu scenarios\n", c->cmd == FL_CLI_CMD_CHECK ? "check" : "list", n);
        rc = FL_CLI_EXIT_USAGE;
    }
    return rc;
}

/* ---- main ------------------------------------------------------------------------------ */

int fl_cli_main(int argc, char **argv, FILE *out, FILE *err) {
    if (argc > 1 && strcmp(argv[1], "exec") == 0) return fl_cli_exec_main(argc, argv, out, err);
    if (argc > 1 && strcmp(argv[1], "cc") == 0) return fl_cli_cc_main(argc, argv, out, err);
    fl_world_builtin_register(); /* planted.* workers (fl_world.h); keeps the caller's own registrations */
    if (argc > 0) fl_runner_set_program(argv[0]); /* replay lines name this binary */
    fl_cli_args c;
    char msg[512];
    int r = fl_cli_parse(argc, argv, &c, msg, sizeof msg);
    if (r < 0) {
        fprintf(err, "%s\n", r == -ENOMEM ? "faultline: out of memory" : msg);
        fl_cli_free(&c);
        return FL_CLI_EXIT_USAGE;
    }
    int rc = FL_CLI_EXIT_OK;
    if (c.cmd == FL_CLI_CMD_VERSION) fprintf(out, "faultline %s (libsv %s)\n", FL_CLI_VERSION, SV_VERSION);
    else if (c.help || c.cmd == FL_CLI_CMD_HELP) fl_cli_usage(c.cmd == FL_CLI_CMD_HELP ? FL_CLI_CMD_NONE : c.cmd, out);
    else if (c.cmd == FL_CLI_CMD_RUN) rc = fl_cli__run(&c, out, err);
    else if (c.cmd == FL_CLI_CMD_REPLAY) rc = fl_cli__replay(&c, out, err);
    else if (c.cmd == FL_CLI_CMD_SHRINK) rc = fl_cli__shrink(&c, out, err);
    else if (c.cmd == FL_CLI_CMD_EXPLORE) rc = fl_cli_explore(&c, out, err);
    else rc = fl_cli__check_list(&c, out, err);
    fflush(out);
    fl_cli_free(&c);
    return rc;
}
