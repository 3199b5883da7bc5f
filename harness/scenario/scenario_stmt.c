/*
 * scenario_stmt.c — the top-level statements of the scenario language:
 * scenario, run, supervisor (root), fault, failpoint, race, at; the
 * dispatch and the checks made after the last line (`expect`:
 * scenario_expect.c).
 *
 * References (ids in fault/race/at/expect lines) resolve against the tree
 * declared above them; the root supervisor block ends at the first line
 * that is not indented, so the tree is complete by then.
 */
#include "scenario/scenario_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Read an id and resolve it to a child of the required kind. */
int fl_scenario__ref(fl_scenario__parser *P, enum fl_scenario__ref want, fl_scenario_child_decl **out) {
    fl_lex_cur *c = &P->c;
    char id[FL_LEX_ID_MAX + 1];
    fl_lex_ws(c);
    int col = fl_lex_col(c);
    if (fl_lex_ident(c, id, sizeof id, "a child id")) return -EINVAL;
    fl_scenario_child_decl *ch = fl_scenario_child(P->s, id);
    if (!ch) {
        if (P->s->root && strcmp(P->s->root->name, id) == 0)
            return fl_lex_err_col(c, col, "expected a child id, found the root supervisor `%s`", id);
        return fl_lex_err_col(c, col, "expected the id of a child declared above, found `%s`", id);
    }
    switch (want) {
    case FL_SCENARIO__REF_WORKER:
        if (ch->kind == FL_SCENARIO_CHILD_SUP)
            return fl_lex_err_col(c, col, "expected a worker or user child, found supervisor `%s`", id);
        break;
    case FL_SCENARIO__REF_SCRIPT:
        if (ch->kind != FL_SCENARIO_CHILD_SCRIPT)
            return fl_lex_err_col(c, col, "expected a scripted worker (`worker`), found `%s`", id);
        break;
    case FL_SCENARIO__REF_ROOT_CHILD:
        if (ch->parent != P->s->root)
            return fl_lex_err_col(c, col, "expected a child of the root supervisor `%s`, found `%s` (in `%s`; "
                                          "address it with sup=PATH)",
                               P->s->root->name, id, ch->parent->name);
        break;
    default:
        break;
    }
    *out = ch;
    return fl_lex_sep(c, "the id");
}

/* Optional `sup=PATH` (nested supervisor names from the root, joined by
 * '/'): *out the supervisor it names, NULL when absent (the root). Each
 * name must be a nested supervisor of the one before (the first: of the
 * root); errors point at the name that is not. */
int fl_scenario__sup_addr(fl_scenario__parser *P, fl_scenario_sup_decl **out) {
    fl_lex_cur *c = &P->c;
    *out = NULL;
    fl_lex_ws(c);
    if (!fl_lex_lit(c, "sup=")) return 0;
    fl_scenario_sup_decl *cur = P->s->root;
    do {
        char id[FL_LEX_ID_MAX + 1];
        int col = fl_lex_col(c);
        if (fl_lex_ident(c, id, sizeof id, "a nested supervisor's name")) return -EINVAL;
        fl_scenario_child_decl *ch = NULL;
        for (size_t i = 0; i < cur->nchildren && !ch; i++)
            if (strcmp(cur->children[i]->id, id) == 0) ch = cur->children[i];
        if (!ch || ch->kind != FL_SCENARIO_CHILD_SUP)
            return fl_lex_err_col(c, col, "expected a supervisor nested in `%s`, found `%s`%s", cur->name, id,
                                  ch ? " (a worker)" : "");
        cur = ch->sup;
    } while (fl_lex_lit(c, "/"));
    *out = cur;
    return fl_lex_sep(c, "the supervisor path");
}

/* A child id that must be a child of sup (NULL: the root). */
int fl_scenario__ref_in(fl_scenario__parser *P, const fl_scenario_sup_decl *sup, fl_scenario_child_decl **out) {
    fl_lex_cur *c = &P->c;
    if (!sup) return fl_scenario__ref(P, FL_SCENARIO__REF_ROOT_CHILD, out);
    int col = (fl_lex_ws(c), fl_lex_col(c));
    if (fl_scenario__ref(P, FL_SCENARIO__REF_ANY, out)) return -EINVAL;
    if ((*out)->parent != sup)
        return fl_lex_err_col(c, col, "expected a child of `%s`, found `%s` (in `%s`)", sup->name, (*out)->id,
                              (*out)->parent->name);
    return 0;
}

int fl_scenario__need_root(fl_scenario__parser *P, int col, const char *what) {
    if (P->s->root) return 0;
    return fl_lex_err_col(&P->c, col, "expected the `supervisor` tree before `%s` lines", what);
}

int fl_scenario__bad_key(fl_lex_cur *c, int col, const char *list) {
    c->p = c->bol + (col - 1 - c->col0);
    return fl_lex_err(c, "expected %s", list);
}

/* ---- scenario, run ------------------------------------------------------------- */

static int fl_scenario__stmt_scenario(fl_scenario__parser *P, int col) {
    fl_lex_cur *c = &P->c;
    if (P->scenario_line)
        return fl_lex_err_col(c, col, "expected one `scenario` line (the first is at line %d)", P->scenario_line);
    P->scenario_line = c->line;
    fl_lex_ws(c);
    int r = fl_lex_string(c, &P->s->title);
    if (r) return r;
    if (!fl_lex_eol(c)) return fl_lex_err(c, "expected end of line after the title");
    return 0;
}

static int fl_scenario__stmt_run(fl_scenario__parser *P, int col) {
    fl_lex_cur *c = &P->c;
    fl_scenario_run *run = &P->s->run;
    static const char *const strats[] = {"random", "pct", "rr", "pos"};
    static const fl_sched_strategy strat_of[] = {FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT, FL_SCHED_STRAT_RR,
                                                 FL_SCHED_STRAT_POS};
    static const char *const onoff[] = {"off", "on"};
    if (P->run_line) return fl_lex_err_col(c, col, "expected one `run` line (the first is at line %d)", P->run_line);
    P->run_line = c->line;
    char key[FL_LEX_ID_MAX + 1];
    unsigned seen = 0;
    while (!fl_lex_eol(c)) {
        bool hv;
        int kcol = fl_lex_col(c), v;
        if (fl_scenario__key(c, key, sizeof key, &hv, "a run key such as seeds=100")) return -EINVAL;
        if (!hv) return fl_scenario__bad_key(c, kcol, "a run key: seeds=, seed=, strategy=, depth=, budget=, duration=, swarm= or timers=");
        int vcol = fl_lex_col(c);
        if (strcmp(key, "seeds") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_SEEDS, kcol, key)) return -EINVAL;
            if (fl_lex_u32(c, 10000000, &run->seeds, "a number of seeds")) return -EINVAL;
            if (run->seeds == 0) return fl_lex_err_col(c, vcol, "expected at least 1 seed");
        } else if (strcmp(key, "seed") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_SEED, kcol, key)) return -EINVAL;
            if (fl_lex_u64(c, &run->seed, "a seed")) return -EINVAL;
        } else if (strcmp(key, "strategy") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_STRATEGY, kcol, key)) return -EINVAL;
            if (fl_scenario__enum(c, strats, 4, "a scheduling strategy", &v)) return -EINVAL;
            run->strategy = strat_of[v];
        } else if (strcmp(key, "depth") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_DEPTH, kcol, key)) return -EINVAL;
            if (fl_lex_u32(c, 1000, &run->depth, "a pct depth")) return -EINVAL;
            if (run->depth == 0) return fl_lex_err_col(c, vcol, "expected a depth of at least 1");
        } else if (strcmp(key, "budget") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_BUDGET, kcol, key)) return -EINVAL;
            if (fl_lex_u64(c, &run->budget, "a step budget")) return -EINVAL;
            if (run->budget == 0) return fl_lex_err_col(c, vcol, "expected a budget of at least 1 step");
        } else if (strcmp(key, "duration") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_DURATION, kcol, key)) return -EINVAL;
            if (fl_lex_dur(c, &run->duration_ns)) return -EINVAL;
            if (run->duration_ns == 0) return fl_lex_err_col(c, vcol, "expected a duration above 0");
        } else if (strcmp(key, "swarm") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_SWARM, kcol, key)) return -EINVAL;
            if (fl_scenario__enum(c, onoff, 2, "on or off", &v)) return -EINVAL;
            run->swarm = v == 1;
        } else if (strcmp(key, "timers") == 0) {
            if (fl_scenario__dup_key(c, &seen, FL_SCENARIO_RUN_TIMERS, kcol, key)) return -EINVAL;
            if (fl_lex_pct(c, 0, &run->timer_ppm)) return -EINVAL;
        } else {
            return fl_scenario__bad_key(c, kcol, "a run key: seeds=, seed=, strategy=, depth=, budget=, duration=, swarm= or timers=");
        }
        if (fl_lex_sep(c, "the value")) return -EINVAL;
    }
    run->set = seen;
    return 0;
}

/* ---- faults, failpoints, races -------------------------------------------------- */

static int fl_scenario__stmt_fault(fl_scenario__parser *P, int col) {
    fl_lex_cur *c = &P->c;
    if (fl_scenario__need_root(P, col, "fault")) return -EINVAL;
    fl_lex_ws(c);
    bool ignore = fl_scenario__word(c, "ignore");
    if (!ignore && !fl_scenario__word(c, "recreate")) return fl_lex_err(c, "expected a fault kind: recreate or ignore");
    if (fl_lex_sep(c, ignore ? "ignore" : "recreate")) return -EINVAL;
    fl_scenario_fault f = {.line = c->line, .col = col, .times = 1, .p_pct = 100, .from = 2, .err = -EAGAIN,
                           .ignore = ignore};
    if (fl_scenario__ref(P, FL_SCENARIO__REF_WORKER, &f.child)) return -EINVAL;
    char key[FL_LEX_ID_MAX + 1];
    unsigned seen = 0;
    const char *keys = "a fault key: times=, p=, from= or err=";
    while (!fl_lex_eol(c)) {
        bool hv;
        int kcol = fl_lex_col(c);
        if (fl_scenario__key(c, key, sizeof key, &hv, "a fault key such as times=2")) return -EINVAL;
        if (!hv) return fl_scenario__bad_key(c, kcol, keys);
        int vcol = fl_lex_col(c);
        if (strcmp(key, "times") == 0) {
            if (fl_scenario__dup_key(c, &seen, 1, kcol, key)) return -EINVAL;
            if (fl_lex_u32(c, 1000000, &f.times, "a number of failures")) return -EINVAL;
            if (f.times == 0) return fl_lex_err_col(c, vcol, "expected at least 1 failure");
        } else if (strcmp(key, "p") == 0) {
            uint32_t ppm;
            if (fl_scenario__dup_key(c, &seen, 2, kcol, key)) return -EINVAL;
            if (fl_lex_pct(c, 10000, &ppm)) return -EINVAL;
            if (ppm % 10000) return fl_lex_err_col(c, vcol, "expected a whole percentage");
            f.p_pct = ppm / 10000;
        } else if (strcmp(key, "from") == 0) {
            if (fl_scenario__dup_key(c, &seen, 4, kcol, key)) return -EINVAL;
            if (fl_lex_u32(c, 1000000, &f.from, "a start attempt number")) return -EINVAL;
            if (f.from == 0) return fl_lex_err_col(c, vcol, "expected a start attempt of at least 1");
        } else if (strcmp(key, "err") == 0 && !ignore) {
            if (fl_scenario__dup_key(c, &seen, 8, kcol, key)) return -EINVAL;
            if (fl_lex_int(c, &f.err, "a negative errno")) return -EINVAL;
            if (f.err >= 0) return fl_lex_err_col(c, vcol, "expected a negative errno such as -11");
        } else {
            return fl_scenario__bad_key(c, kcol, keys);
        }
        if (fl_lex_sep(c, "the value")) return -EINVAL;
    }
    if ((seen & 2) && !(seen & 1)) f.times = 0; /* p= alone: every attempt may fail */
    int r = fl_scenario__grow(&P->s->faults, P->s->nfaults, sizeof *P->s->faults);
    if (r) return r;
    P->s->faults[P->s->nfaults++] = f;
    return 0;
}

static int fl_scenario__stmt_failpoint(fl_scenario__parser *P, int col) {
    fl_lex_cur *c = &P->c;
    fl_scenario *s = P->s;
    fl_lex_ws(c);
    const char *nm = c->p;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '#' && *c->p != '"') c->p++;
    size_t nlen = (size_t)(c->p - nm);
    if (!fl_fp_name_ok(nm, nlen)) {
        c->p = nm;
        return fl_lex_err(c, "expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]");
    }
    int ncol = (int)(nm - c->bol) + 1;
    for (size_t i = 0; i < s->nfailpoints; i++)
        if (strlen(s->failpoints[i].name) == nlen && memcmp(s->failpoints[i].name, nm, nlen) == 0)
            return fl_lex_err_col(c, ncol, "expected each failpoint once: `%.*s` is set at line %d", (int)nlen, nm,
                               s->failpoints[i].line);
    if (fl_lex_sep(c, "the failpoint name")) return -EINVAL;
    fl_lex_ws(c);
    int scol = fl_lex_col(c);
    char *spec;
    int r = fl_lex_string(c, &spec);
    if (r) return r;
    if (!fl_lex_eol(c)) {
        free(spec);
        return fl_lex_err(c, "expected end of line after the spec");
    }
    fl_fp_spec *sp;
    r = fl_fp_parse(spec, strlen(spec), s->path, c->line, scol + 1, &sp, P->diag);
    if (r) {
        free(spec);
        return r;
    }
    bool segv = fl_fp_spec_has(sp, FL_FP_SEGV);
    fl_fp_spec_free(sp);
    char *name = malloc(nlen + 1);
    if (!name || (r = fl_scenario__grow(&s->failpoints, s->nfailpoints, sizeof *s->failpoints))) {
        free(name);
        free(spec);
        return -ENOMEM;
    }
    memcpy(name, nm, nlen);
    name[nlen] = '\0';
    s->failpoints[s->nfailpoints++] = (fl_scenario_fp_decl){.line = c->line, .col = col, .name = name, .spec = spec};
    if (segv) P->fp_segv = true;
    return 0;
}

static int fl_scenario__stmt_race(fl_scenario__parser *P, int col) {
    fl_lex_cur *c = &P->c;
    fl_scenario *s = P->s;
    if (fl_scenario__need_root(P, col, "race")) return -EINVAL;
    int r = fl_scenario__grow(&s->races, s->nraces, sizeof *s->races);
    if (r) return r;
    fl_scenario_race *rc = &s->races[s->nraces++];
    *rc = (fl_scenario_race){.line = c->line, .col = col, .incarnation = 1};
    char key[FL_LEX_ID_MAX + 1];
    unsigned seen = 0;
    for (;;) {
        if (fl_lex_eol(c)) break;
        size_t n = fl_lex_ident_len(c);
        if (n && c->p + n < c->end && c->p[n] == '=') break;
        int mcol = fl_lex_col(c);
        fl_scenario_child_decl *m;
        if (fl_scenario__ref(P, FL_SCENARIO__REF_SCRIPT, &m)) return -EINVAL;
        for (size_t k = 0; k < rc->nmembers; k++)
            if (rc->members[k] == m)
                return fl_lex_err_col(c, mcol, "expected distinct workers: `%s` is already in this race", m->id);
        for (size_t i = 0; i + 1 < s->nraces; i++)
            for (size_t k = 0; k < s->races[i].nmembers; k++)
                if (s->races[i].members[k] == m)
                    return fl_lex_err_col(c, mcol, "expected a worker in one race only: `%s` is in the race at line %d",
                                       m->id, s->races[i].line);
        if ((r = fl_scenario__grow(&rc->members, rc->nmembers, sizeof *rc->members))) return r;
        rc->members[rc->nmembers++] = m;
    }
    if (rc->nmembers < 2) return fl_lex_err(c, "expected at least two scripted workers in a race");
    const char *keys = "a race key: inc=, delay= or msg=";
    while (!fl_lex_eol(c)) {
        bool hv;
        int kcol = fl_lex_col(c);
        if (fl_scenario__key(c, key, sizeof key, &hv, "a race key such as delay=10ms")) return -EINVAL;
        if (!hv) return fl_scenario__bad_key(c, kcol, keys);
        if (strcmp(key, "inc") == 0) {
            if (fl_scenario__dup_key(c, &seen, 1, kcol, key)) return -EINVAL;
            int vcol = fl_lex_col(c);
            if (fl_lex_u32(c, 1000000, &rc->incarnation, "an incarnation number")) return -EINVAL;
            if (rc->incarnation == 0) return fl_lex_err_col(c, vcol, "expected an incarnation of at least 1");
        } else if (strcmp(key, "delay") == 0) {
            if (fl_scenario__dup_key(c, &seen, 2, kcol, key)) return -EINVAL;
            if (fl_lex_dur(c, &rc->after_ns)) return -EINVAL;
        } else if (strcmp(key, "msg") == 0) {
            if (fl_scenario__dup_key(c, &seen, 4, kcol, key)) return -EINVAL;
            if ((r = fl_lex_string(c, &rc->msg))) return r;
        } else {
            return fl_scenario__bad_key(c, kcol, keys);
        }
        if (fl_lex_sep(c, "the value")) return -EINVAL;
    }
    if (!rc->msg && !(rc->msg = fl_scenario__strdup("race"))) return -ENOMEM;
    return 0;
}

/* ---- at -------------------------------------------------------------------------- */

static int fl_scenario__stmt_at(fl_scenario__parser *P, int col) {
    fl_lex_cur *c = &P->c;
    fl_scenario *s = P->s;
    static const char *const acts[] = {"stop", "start_child", "terminate_child", "restart_child", "delete_child",
                                       "crash", "exit", "start_instance", "terminate_instance"};
    if (fl_scenario__need_root(P, col, "at")) return -EINVAL;
    fl_scenario_action a = {.line = c->line, .col = col};
    fl_lex_ws(c);
    if (fl_lex_dur(c, &a.at_ns)) return -EINVAL;
    if (fl_lex_sep(c, "the time")) return -EINVAL;
    fl_lex_ws(c);
    int k;
    if (fl_scenario__enum(c, acts, 9, "an action", &k)) return -EINVAL;
    a.kind = (fl_scenario_action_kind)k;
    if (fl_lex_sep(c, acts[k])) return -EINVAL;
    if (a.kind == FL_SCENARIO_ACT_CRASH || a.kind == FL_SCENARIO_ACT_EXIT) {
        if (fl_scenario__ref(P, FL_SCENARIO__REF_SCRIPT, &a.child)) return -EINVAL;
        if (a.kind == FL_SCENARIO_ACT_EXIT) {
            fl_lex_ws(c);
            if (fl_scenario__word(c, "shutdown")) a.exit_value = SV_RET_SHUTDOWN;
            else if (!fl_scenario__word(c, "normal") && !fl_lex_eol(c))
                return fl_lex_err(c, "expected `normal`, `shutdown` or end of line");
            if (fl_lex_sep(c, "the exit")) return -EINVAL;
        }
    } else if (a.kind != FL_SCENARIO_ACT_STOP) {
        if (fl_scenario__sup_addr(P, &a.in)) return -EINVAL;
        int rcol = (fl_lex_ws(c), fl_lex_col(c));
        if (fl_scenario__ref_in(P, a.in, &a.child)) return -EINVAL;
        bool inst = a.kind == FL_SCENARIO_ACT_START_INSTANCE || a.kind == FL_SCENARIO_ACT_TERMINATE_INSTANCE;
        const fl_scenario_sup_decl *to = a.in ? a.in : P->s->root;
        if (inst && to->strategy != SV_SIMPLE_ONE_FOR_ONE)
            return fl_lex_err_col(c, rcol, "expected the template of a simple_one_for_one supervisor for `%s`", acts[k]);
        if (a.kind == FL_SCENARIO_ACT_TERMINATE_INSTANCE) {
            fl_lex_ws(c);
            int icol = fl_lex_col(c);
            if (fl_lex_u32(c, UINT32_MAX, &a.instance, "an instance number")) return -EINVAL;
            if (a.instance == 0) return fl_lex_err_col(c, icol, "expected an instance number of at least 1");
            if (fl_lex_sep(c, "the instance number")) return -EINVAL;
        }
    }
    char key[FL_LEX_ID_MAX + 1];
    unsigned seen = 0;
    int r = 0;
    while (!fl_lex_eol(c)) {
        bool hv;
        int kcol = fl_lex_col(c), v;
        if (fl_scenario__key(c, key, sizeof key, &hv, a.kind == FL_SCENARIO_ACT_CRASH ? "msg=" : "result=")) goto fail;
        if (hv && a.kind == FL_SCENARIO_ACT_CRASH && strcmp(key, "msg") == 0) {
            if (fl_scenario__dup_key(c, &seen, 1, kcol, key)) goto fail;
            if ((r = fl_lex_string(c, &a.msg))) goto fail;
        } else if (hv && a.kind == FL_SCENARIO_ACT_START_INSTANCE && strcmp(key, "arg") == 0) {
            if (fl_scenario__dup_key(c, &seen, 4, kcol, key)) goto fail;
            if (fl_lex_int(c, &a.arg, "an instance argument")) goto fail;
        } else if (hv && a.kind != FL_SCENARIO_ACT_CRASH && a.kind != FL_SCENARIO_ACT_STOP &&
                   a.kind != FL_SCENARIO_ACT_EXIT && strcmp(key, "result") == 0) {
            if (fl_scenario__dup_key(c, &seen, 2, kcol, key)) goto fail;
            if (fl_scenario__result(c, &a.result)) goto fail;
            a.check_result = true;
            (void)v;
        } else {
            fl_scenario__bad_key(c, kcol, a.kind == FL_SCENARIO_ACT_CRASH ? "end of line or msg=\"…\""
                                 : a.kind == FL_SCENARIO_ACT_STOP ? "end of line after stop"
                                 : a.kind == FL_SCENARIO_ACT_EXIT ? "end of line after the exit"
                                 : a.kind == FL_SCENARIO_ACT_START_INSTANCE ? "end of line, arg= or result="
                                                         : "end of line or result=");
            goto fail;
        }
        if (fl_lex_sep(c, "the value")) goto fail;
    }
    if (a.kind == FL_SCENARIO_ACT_CRASH && !a.msg && !(a.msg = fl_scenario__strdup("injected crash"))) return -ENOMEM;
    if ((r = fl_scenario__grow(&s->actions, s->nactions, sizeof *s->actions))) goto fail;
    s->actions[s->nactions++] = a;
    return 0;
fail:
    free(a.msg);
    return r ? r : -EINVAL;
}

/* ---- dispatch and finish -------------------------------------------------------------- */

int fl_scenario__stmt_top(fl_scenario__parser *P) {
    static const char *const stmts[] = {"scenario", "run", "supervisor", "fault", "failpoint", "race", "at", "expect"};
    fl_lex_cur *c = &P->c;
    int col = fl_lex_col(c), k;
    if (fl_scenario__enum(c, stmts, 8, "a statement", &k)) return -EINVAL;
    if (fl_lex_sep(c, stmts[k])) return -EINVAL;
    switch (k) {
    case 0: return fl_scenario__stmt_scenario(P, col);
    case 1: return fl_scenario__stmt_run(P, col);
    case 2:
        if (P->s->root)
            return fl_lex_err_col(c, col, "expected one root supervisor (`%s` is at line %d); nest others by indenting",
                               P->s->root->name, P->s->root->line);
        return fl_scenario__stmt_supervisor(P, NULL, 0);
    case 3: return fl_scenario__stmt_fault(P, col);
    case 4: return fl_scenario__stmt_failpoint(P, col);
    case 5: return fl_scenario__stmt_race(P, col);
    case 6: return fl_scenario__stmt_at(P, col);
    default: return fl_scenario__stmt_expect(P, col);
    }
}

static void fl_scenario__sup_flags(fl_scenario_sup_decl *sup, uint32_t flags) {
    sup->flags |= flags;
    for (size_t i = 0; i < sup->nchildren; i++)
        if (sup->children[i]->kind == FL_SCENARIO_CHILD_SUP) fl_scenario__sup_flags(sup->children[i]->sup, flags);
}

int fl_scenario__finish(fl_scenario__parser *P) {
    fl_scenario *s = P->s;
    /* stable insertion sort of the timed actions */
    for (size_t i = 1; i < s->nactions; i++) {
        fl_scenario_action a = s->actions[i];
        size_t j = i;
        while (j > 0 && s->actions[j - 1].at_ns > a.at_ns) {
            s->actions[j] = s->actions[j - 1];
            j--;
        }
        s->actions[j] = a;
    }
    for (size_t i = 0; i < s->nexpects; i++) {
        if (s->expects[i].kind == FL_SCENARIO_EXP_FAIL) s->expect_fail = s->expects[i].text;
        if (s->expects[i].kind == FL_SCENARIO_EXP_REFUSED) s->expect_refused = s->expects[i].err;
    }
    if (P->fp_segv) fl_scenario__sup_flags(s->root, SV_SUP_CATCH_SIGNALS);
    return fl_scenario__check_limits(P);
}
