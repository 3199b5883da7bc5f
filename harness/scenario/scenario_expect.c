/*
 * scenario_expect.c — the `expect` statement (every expectation kind), the
 * admin result names of `at … result=`, and libsv's limits checked after
 * the last line (nesting depth, children per tree).
 */
#include "scenario/scenario_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const fl_scenario__invariants[] = {FL_SCENARIO_INVARIANT_NAMES};
#define FL_SCENARIO__NINVARIANTS (sizeof fl_scenario__invariants / sizeof fl_scenario__invariants[0])

/* The language's names for sv_event_kind, in enum order. */
static const char *const fl_scenario__events[SV_EV__COUNT] = {
    "sup_start", "start", "started", "start_failed", "crash", "exit", "logged", "stop_requested", "joined",
    "unstopped", "restart", "backoff", "restarted", "child_removed", "child_terminated", "intensity_exceeded",
    "auto_shutdown", "shutdown", "escalated", "start_ignored",
};
/* The language's names for sv_exit, in enum order, then `none`. */
static const char *const fl_scenario__exits[] = {"normal", "shutdown", "panic", "error", "signal", "killed",
                                                 "thread_exit", "none"};
#define FL_SCENARIO__NEXITS (sizeof fl_scenario__exits / sizeof fl_scenario__exits[0])

static const char *const fl_scenario__states[] = {"running", "restarting", "stopped", "unstopped", "absent"};
static const fl_scenario_state fl_scenario__state_vals[] = {FL_SCENARIO_STATE_RUNNING, FL_SCENARIO_STATE_RESTARTING,
                                                            FL_SCENARIO_STATE_STOPPED, FL_SCENARIO_STATE_UNSTOPPED,
                                                            FL_SCENARIO_STATE_ABSENT};

/* ---- errno names and admin results -------------------------------------------------- */

static const struct {
    const char *name;
    int err; /* positive */
} fl_scenario__errnos[] = {
    {"EINVAL", EINVAL}, {"ENOMEM", ENOMEM}, {"ENOENT", ENOENT}, {"EEXIST", EEXIST}, {"EBUSY", EBUSY},
    {"EAGAIN", EAGAIN}, {"ENOSPC", ENOSPC}, {"EOPNOTSUPP", EOPNOTSUPP}, {"EDEADLK", EDEADLK}, {"EIO", EIO},
    {"ECANCELED", ECANCELED}, {"EALREADY", EALREADY}, {"EINPROGRESS", EINPROGRESS}, {"ESHUTDOWN", ESHUTDOWN},
    {"EPERM", EPERM}, {"EFAULT", EFAULT}, {"ETIMEDOUT", ETIMEDOUT}, {"ESRCH", ESRCH}, {"ENOTDIR", ENOTDIR},
};
#define FL_SCENARIO__NERRNOS (sizeof fl_scenario__errnos / sizeof fl_scenario__errnos[0])

const char *fl_scenario_errno_name(int err) {
    if (err < 0) err = -err;
    for (size_t i = 0; i < FL_SCENARIO__NERRNOS; i++)
        if (fl_scenario__errnos[i].err == err) return fl_scenario__errnos[i].name;
    return NULL;
}

/* An errno: a name from the table or a negative number. */
static int fl_scenario__errno(fl_lex_cur *c, int *out) {
    if (fl_lex_peek(c, '-')) {
        int v, col = fl_lex_col(c);
        if (fl_lex_int(c, &v, "a negative errno such as -22")) return -EINVAL;
        if (v >= 0 || v < -4095) return fl_lex_err_col(c, col, "expected a negative errno such as -22");
        *out = v;
        return 0;
    }
    for (size_t i = 0; i < FL_SCENARIO__NERRNOS; i++)
        if (fl_scenario__word(c, fl_scenario__errnos[i].name)) {
            *out = -fl_scenario__errnos[i].err;
            return 0;
        }
    return fl_lex_err(c, "expected an errno name (EINVAL, ENOMEM, EOPNOTSUPP, …) or a negative number");
}

int fl_scenario__result(fl_lex_cur *c, int *out) {
    static const char *const results[] = {"ok", "already_started", "already_present", "running", "restarting",
                                          "not_found", "shutdown"};
    static const int result_vals[] = {0, -SV_EALREADY_STARTED, -SV_EALREADY_PRESENT, -SV_ERUNNING,
                                      -SV_ERESTARTING, -SV_ENOT_FOUND, -SV_ESHUTDOWN};
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++)
        if (fl_scenario__word(c, results[i])) {
            *out = result_vals[i];
            return 0;
        }
    if (fl_lex_peek(c, '-') || fl_lex_peek(c, 'E')) return fl_scenario__errno(c, out);
    return fl_lex_err(c, "expected a result: ok, already_started, already_present, running, restarting, "
                         "not_found, shutdown, an errno name (EINVAL, …) or a negative number");
}

/* ---- expectation parts ------------------------------------------------------------------ */

static int fl_scenario__expect_text(fl_scenario__parser *P, fl_scenario_expect *e) {
    fl_lex_cur *c = &P->c;
    fl_lex_ws(c);
    if (fl_scenario__word(c, "contains")) e->negate = false;
    else if (fl_scenario__word(c, "lacks")) e->negate = true;
    else return fl_lex_err(c, "expected `contains` or `lacks`");
    if (fl_lex_sep(c, "the word")) return -EINVAL;
    fl_lex_ws(c);
    return fl_lex_string(c, &e->text);
}

static int fl_scenario__expect_event(fl_scenario__parser *P, fl_scenario_expect *e) {
    fl_lex_cur *c = &P->c;
    int k;
    fl_lex_ws(c);
    if (fl_scenario__enum(c, fl_scenario__events, SV_EV__COUNT, "an event kind", &k)) return -EINVAL;
    e->event = (sv_event_kind)k;
    if (fl_lex_sep(c, "the event kind")) return -EINVAL;
    if (fl_lex_eol(c)) return 0;
    char id[FL_LEX_ID_MAX + 1];
    int col = fl_lex_col(c);
    if (!fl_lex_lit(c, "reason=")) {
        if (fl_lex_ident(c, id, sizeof id, "a child or supervisor id")) return -EINVAL;
        e->child = fl_scenario_child(P->s, id);
        if (!e->child) e->sup = fl_scenario_sup(P->s, id);
        if (!e->child && !e->sup)
            return fl_lex_err_col(c, col, "expected the id of a child or supervisor declared above, found `%s`", id);
        if (fl_lex_sep(c, "the id")) return -EINVAL;
        if (fl_lex_eol(c) || !fl_lex_lit(c, "reason=")) return 0;
    }
    int v;
    if (!sv_event_has_reason(e->event)) return fl_lex_err(c, "expected no reason: `%s` events carry none",
                                                          fl_scenario__events[e->event]);
    if (fl_scenario__enum(c, fl_scenario__exits, FL_SCENARIO__NEXITS - 1, "an exit reason", &v)) return -EINVAL;
    e->reason = v;
    e->has_reason = true;
    return fl_lex_sep(c, "the reason");
}

/* STATE[|STATE…] into a set of state bits; *first the first one. */
static int fl_scenario__state_set(fl_lex_cur *c, unsigned *set, fl_scenario_state *first) {
    int v;
    *set = 0;
    for (bool one = true;; one = false) {
        if (fl_scenario__enum(c, fl_scenario__states, 5, "a child state", &v)) return -EINVAL;
        if (one && first) *first = fl_scenario__state_vals[v];
        *set |= FL_SCENARIO_STATE_BIT(fl_scenario__state_vals[v]);
        if (!fl_lex_lit(c, "|")) return 0;
    }
}

/* [at TIME] at the end of the line. */
static int fl_scenario__at(fl_lex_cur *c, int64_t *at) {
    if (fl_lex_eol(c)) return 0;
    if (!fl_scenario__word(c, "at")) return fl_lex_err(c, "expected end of line or `at TIME`");
    fl_lex_ws(c);
    return fl_lex_dur(c, at) ? -EINVAL : 0;
}

/* `count KEY=N…`: specs, active, supervisors, workers. */
static int fl_scenario__expect_count(fl_scenario__parser *P, fl_scenario_expect *e) {
    static const char *const keys[] = {"specs", "active", "supervisors", "workers"};
    fl_lex_cur *c = &P->c;
    for (int i = 0; i < 4; i++) e->counts[i] = -1;
    bool any = false;
    char key[FL_LEX_ID_MAX + 1];
    unsigned seen = 0;
    bool at = false;
    while (!fl_lex_eol(c) && !(at = fl_scenario__word(c, "at"))) {
        bool hv;
        int kcol = fl_lex_col(c), k = -1;
        if (fl_scenario__key(c, key, sizeof key, &hv, "specs=, active=, supervisors= or workers=")) return -EINVAL;
        for (int i = 0; i < 4; i++)
            if (strcmp(key, keys[i]) == 0) k = i;
        if (k < 0 || !hv) return fl_scenario__bad_key(c, kcol, "specs=, active=, supervisors= or workers=");
        if (fl_scenario__dup_key(c, &seen, 1u << k, kcol, key)) return -EINVAL;
        uint32_t n;
        if (fl_lex_u32(c, 100000000, &n, "a count")) return -EINVAL;
        e->counts[k] = n;
        any = true;
        if (fl_lex_sep(c, "the count")) return -EINVAL;
    }
    if (!any) return fl_lex_err(c, "expected specs=, active=, supervisors= or workers=");
    if (!at) return 0;
    fl_lex_ws(c);
    return fl_lex_dur(c, &e->at_ns) ? -EINVAL : 0;
}

/* `children ID:STATES… | none`. */
static int fl_scenario__expect_children(fl_scenario__parser *P, fl_scenario_expect *e) {
    fl_lex_cur *c = &P->c;
    fl_lex_ws(c);
    if (fl_scenario__word(c, "none")) {
        if (fl_lex_sep(c, "none")) return -EINVAL;
        return fl_scenario__at(c, &e->at_ns);
    }
    const fl_scenario_sup_decl *in = e->in ? e->in : P->s->root;
    while (!fl_lex_eol(c) && !fl_scenario__word(c, "at")) {
        char id[FL_LEX_ID_MAX + 1];
        int col = fl_lex_col(c);
        if (fl_lex_ident(c, id, sizeof id, "a child id")) return -EINVAL;
        fl_scenario_child_decl *ch = fl_scenario_child(P->s, id);
        if (!ch || ch->parent != in)
            return fl_lex_err_col(c, col, "expected the id of a child of the %ssupervisor `%s`, found `%s`",
                                  e->in ? "" : "root ", in->name, id);
        if (!fl_lex_lit(c, ":")) return fl_lex_err(c, "expected `:` and a state after the id");
        unsigned set;
        if (fl_scenario__state_set(c, &set, NULL)) return -EINVAL;
        if (set & FL_SCENARIO_STATE_BIT(FL_SCENARIO_STATE_ABSENT))
            return fl_lex_err(c, "expected a listed state (absent children are simply not written)");
        if (fl_scenario__grow(&e->list, e->nlist, sizeof *e->list) ||
            fl_scenario__grow(&e->list_states, e->nlist, sizeof *e->list_states))
            return -ENOMEM;
        e->list[e->nlist] = ch;
        e->list_states[e->nlist++] = set;
        if (fl_lex_sep(c, "the state")) return -EINVAL;
    }
    if (!e->nlist) return fl_lex_err(c, "expected ID:STATE pairs or `none`");
    if (fl_lex_eol(c)) return 0;
    fl_lex_ws(c);
    return fl_lex_dur(c, &e->at_ns) ? -EINVAL : 0; /* `at` was consumed by the loop */
}

/* `order start|stop ID ID…`. */
static int fl_scenario__expect_order(fl_scenario__parser *P, fl_scenario_expect *e) {
    fl_lex_cur *c = &P->c;
    fl_lex_ws(c);
    if (fl_scenario__word(c, "stop")) e->stop_order = true;
    else if (!fl_scenario__word(c, "start")) return fl_lex_err(c, "expected `start` or `stop`");
    if (fl_lex_sep(c, "the order kind")) return -EINVAL;
    while (!fl_lex_eol(c)) {
        fl_scenario_child_decl *ch;
        if (fl_scenario__ref(P, FL_SCENARIO__REF_ANY, &ch)) return -EINVAL;
        if (fl_scenario__grow(&e->list, e->nlist, sizeof *e->list)) return -ENOMEM;
        e->list[e->nlist++] = ch;
    }
    if (e->nlist < 2) return fl_lex_err(c, "expected at least two child ids");
    return 0;
}

/* ---- the statement ------------------------------------------------------------------------ */

int fl_scenario__stmt_expect(fl_scenario__parser *P, int col) {
    fl_lex_cur *c = &P->c;
    fl_scenario *s = P->s;
    static const char *const kinds[] = {"restarts", "crashes", "starts", "start_failed", "unstopped", "joined",
                                        "logged", "exit", "state", "log", "event", "no", "fail",
                                        "count", "children", "order", "refused"};
    if (fl_scenario__need_root(P, col, "expect")) return -EINVAL;
    fl_scenario_expect e = {.line = c->line, .col = col, .at_ns = -1};
    int k, v, r = -EINVAL;
    fl_lex_ws(c);
    if (fl_scenario__enum(c, kinds, sizeof kinds / sizeof kinds[0], "an expectation", &k)) return -EINVAL;
    if (fl_lex_sep(c, kinds[k])) return -EINVAL;
    const char *kw = kinds[k];
    if (k <= FL_SCENARIO_CNT_LOGGED) {
        e.kind = FL_SCENARIO_EXP_COUNT;
        e.counter = (fl_scenario_counter)k;
        if (fl_scenario__ref(P, FL_SCENARIO__REF_ANY, &e.child)) return -EINVAL;
        fl_lex_ws(c);
        if (fl_lex_lit(c, "==") || fl_lex_lit(c, "=")) e.cmp = FL_SCENARIO_CMP_EQ;
        else if (fl_lex_lit(c, "!=")) e.cmp = FL_SCENARIO_CMP_NE;
        else if (fl_lex_lit(c, "<=")) e.cmp = FL_SCENARIO_CMP_LE;
        else if (fl_lex_lit(c, ">=")) e.cmp = FL_SCENARIO_CMP_GE;
        else if (fl_lex_lit(c, "<")) e.cmp = FL_SCENARIO_CMP_LT;
        else if (fl_lex_lit(c, ">")) e.cmp = FL_SCENARIO_CMP_GT;
        else return fl_lex_err(c, "expected a comparison: =, !=, <, <=, > or >=");
        fl_lex_ws(c);
        if (fl_lex_u32(c, 100000000, &e.n, "a count")) return -EINVAL;
    } else if (strcmp(kw, "exit") == 0) {
        e.kind = FL_SCENARIO_EXP_EXIT;
        fl_lex_ws(c);
        if (fl_scenario__enum(c, fl_scenario__exits, FL_SCENARIO__NEXITS, "an exit reason", &v)) return -EINVAL;
        e.exit_reason = (size_t)v == FL_SCENARIO__NEXITS - 1 ? -1 : v;
    } else if (strcmp(kw, "state") == 0) {
        e.kind = FL_SCENARIO_EXP_STATE;
        if (fl_scenario__sup_addr(P, &e.in) || fl_scenario__ref_in(P, e.in, &e.child)) return -EINVAL;
        fl_lex_ws(c);
        if (fl_scenario__state_set(c, &e.states, &e.state)) return -EINVAL;
        if (fl_lex_sep(c, "the state")) return -EINVAL;
        if (fl_scenario__at(c, &e.at_ns)) return -EINVAL;
    } else if (strcmp(kw, "log") == 0) {
        e.kind = FL_SCENARIO_EXP_LOG;
        if ((r = fl_scenario__expect_text(P, &e))) goto fail;
    } else if (strcmp(kw, "event") == 0 || strcmp(kw, "no") == 0) {
        e.kind = FL_SCENARIO_EXP_EVENT;
        if (kw[0] == 'n') {
            e.negate = true;
            fl_lex_ws(c);
            if (!fl_scenario__word(c, "event")) return fl_lex_err(c, "expected `event` after `no`");
            if (fl_lex_sep(c, "event")) return -EINVAL;
        }
        if (fl_scenario__expect_event(P, &e)) return -EINVAL;
    } else if (strcmp(kw, "fail") == 0) {
        e.kind = FL_SCENARIO_EXP_FAIL;
        if (P->fail_line)
            return fl_lex_err_col(c, col, "expected one `expect fail` line (the first is at line %d)", P->fail_line);
        fl_lex_ws(c);
        if (fl_scenario__enum(c, fl_scenario__invariants, FL_SCENARIO__NINVARIANTS, "an invariant", &v)) return -EINVAL;
        if (!(e.text = fl_scenario__strdup(fl_scenario__invariants[v]))) return -ENOMEM;
        P->fail_line = c->line;
    } else if (strcmp(kw, "count") == 0) {
        e.kind = FL_SCENARIO_EXP_CHILD_COUNT;
        if (fl_scenario__sup_addr(P, &e.in) || fl_scenario__expect_count(P, &e)) return -EINVAL;
    } else if (strcmp(kw, "children") == 0) {
        e.kind = FL_SCENARIO_EXP_CHILDREN;
        if (fl_scenario__sup_addr(P, &e.in)) return -EINVAL;
        if ((r = fl_scenario__expect_children(P, &e))) goto fail;
    } else if (strcmp(kw, "order") == 0) {
        e.kind = FL_SCENARIO_EXP_ORDER;
        if ((r = fl_scenario__expect_order(P, &e))) goto fail;
    } else { /* refused */
        e.kind = FL_SCENARIO_EXP_REFUSED;
        if (s->expect_refused) return fl_lex_err_col(c, col, "expected one `expect refused` line");
        fl_lex_ws(c);
        if (fl_scenario__errno(c, &e.err)) return -EINVAL;
        s->expect_refused = e.err;
    }
    if (!fl_lex_eol(c)) {
        r = fl_lex_err(c, "expected end of line");
        goto fail;
    }
    if ((r = fl_scenario__grow(&s->expects, s->nexpects, sizeof *s->expects))) goto fail;
    s->expects[s->nexpects++] = e;
    return 0;
fail:
    free(e.text);
    free(e.list);
    free(e.list_states);
    return r ? r : -EINVAL;
}

/* ---- limits ---------------------------------------------------------------------------------- */

/* May child ch carry a spec libsv refuses (significant and permanent)? Only
 * where the scenario says it expects the refusal: an `expect refused`
 * line, or a dynamic child whose every start_child expects an error. */
static bool fl_scenario__refusal_expected(const fl_scenario *s, const fl_scenario_child_decl *ch) {
    if (s->expect_refused) return true;
    if (!ch->dynamic) return false;
    for (size_t i = 0; i < s->nactions; i++)
        if (s->actions[i].kind == FL_SCENARIO_ACT_START && s->actions[i].child == ch &&
            !(s->actions[i].check_result && s->actions[i].result < 0))
            return false;
    return true;
}

/* Walk the tree under sup (at nesting level `level`): the first supervisor
 * nested beyond the limit into *deep, the first child libsv would refuse
 * (unexpectedly) into *bad; children counted into *n. */
static void fl_scenario__walk_limits(const fl_scenario *s, const fl_scenario_sup_decl *sup, int level,
                                     const fl_scenario_sup_decl **deep, const fl_scenario_sup_decl **bad_simple,
                                     const fl_scenario_child_decl **bad, size_t *n) {
    if (level > FL_SCENARIO_MAX_NESTING && !*deep) *deep = sup;
    if (sup->strategy == SV_SIMPLE_ONE_FOR_ONE && sup->nchildren != 1 && !*bad_simple) *bad_simple = sup;
    for (size_t i = 0; i < sup->nchildren; i++) {
        const fl_scenario_child_decl *ch = sup->children[i];
        (*n)++;
        if (!*bad && ch->significant && ch->restart == SV_PERMANENT && !fl_scenario__refusal_expected(s, ch)) *bad = ch;
        if (ch->kind == FL_SCENARIO_CHILD_SUP) fl_scenario__walk_limits(s, ch->sup, level + 1, deep, bad_simple, bad, n);
    }
}

int fl_scenario__check_limits(fl_scenario__parser *P) {
    fl_scenario *s = P->s;
    fl_lex_cur *c = &P->c;
    const fl_scenario_sup_decl *deep = NULL, *bad_simple = NULL;
    const fl_scenario_child_decl *bad = NULL;
    size_t n = 0;
    fl_scenario__walk_limits(s, s->root, 0, &deep, &bad_simple, &bad, &n);
    if (bad_simple && !s->expect_refused) {
        c->line = bad_simple->line;
        return fl_lex_err_col(c, bad_simple->col, "expected exactly one child (the template) under the "
                                                  "simple_one_for_one supervisor `%s`", bad_simple->name);
    }
    if (bad) {
        c->line = bad->line;
        return fl_lex_err_col(c, bad->col, "expected restart=transient or restart=temporary for a significant child "
                                           "(libsv refuses a significant permanent child; expect it with `expect "
                                           "refused EINVAL` or `start_child %s result=EINVAL`)", bad->id);
    }
    if (deep && !s->expect_refused) {
        c->line = deep->line;
        return fl_lex_err_col(c, deep->col,
                              "expected at most %d levels of nested supervisors (libsv refuses deeper trees); "
                              "`%s` is deeper (write `expect refused EINVAL` to test the refusal)",
                              FL_SCENARIO_MAX_NESTING, deep->name);
    }
    if (n > FL_SCENARIO_MAX_CHILDREN) {
        c->line = s->root->line;
        return fl_lex_err_col(c, s->root->col,
                              "expected at most %d children in the tree (each runs on a thread; the controlled "
                              "scheduler runs %d threads per run); this tree has %zu",
                              FL_SCENARIO_MAX_CHILDREN, FL_SCHED_MAX_THREADS, n);
    }
    return 0;
}
