/*
 * scenario_model.c — the scenario model's helpers: names, lookups, freeing,
 * and the small allocation helpers the parser shares.
 */
#include "scenario/fl_scenario.h"
#include "scenario/scenario_int.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- names -------------------------------------------------------------------- */

const char *fl_scenario_counter_name(fl_scenario_counter c) {
    static const char *n[] = {"restarts", "crashes", "starts", "start_failed", "unstopped", "joined", "logged"};
    return (unsigned)c < sizeof n / sizeof n[0] ? n[c] : "?";
}
const char *fl_scenario_cmp_name(fl_scenario_cmp c) {
    static const char *n[] = {"=", "!=", "<", "<=", ">", ">="};
    return (unsigned)c < sizeof n / sizeof n[0] ? n[c] : "?";
}
const char *fl_scenario_state_name(fl_scenario_state st) {
    switch (st) {
    case FL_SCENARIO_STATE_RUNNING: return "running";
    case FL_SCENARIO_STATE_RESTARTING: return "restarting";
    case FL_SCENARIO_STATE_STOPPED: return "stopped";
    case FL_SCENARIO_STATE_UNSTOPPED: return "unstopped";
    case FL_SCENARIO_STATE_ABSENT: return "absent";
    }
    return "?";
}
const char *fl_scenario_action_name(fl_scenario_action_kind k) {
    static const char *n[] = {"stop",  "start_child", "terminate_child", "restart_child",     "delete_child",
                              "crash", "exit",        "start_instance",  "terminate_instance"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}
const char *fl_scenario_strategy_name(fl_sched_strategy k) {
    static const char *n[] = {"random", "pct", "rr", "replay", "free", "dfs", "pos"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

/* ---- model helpers ---------------------------------------------------------------- */

fl_scenario_child_decl *fl_scenario__find_child(fl_scenario_sup_decl *sup, const char *id) {
    if (!sup) return NULL;
    for (size_t i = 0; i < sup->nchildren; i++) {
        fl_scenario_child_decl *ch = sup->children[i];
        if (strcmp(ch->id, id) == 0) return ch;
        if (ch->kind == FL_SCENARIO_CHILD_SUP) {
            fl_scenario_child_decl *r = fl_scenario__find_child(ch->sup, id);
            if (r) return r;
        }
    }
    return NULL;
}

fl_scenario_child_decl *fl_scenario_child(const fl_scenario *s, const char *id) {
    return s && id ? fl_scenario__find_child(s->root, id) : NULL;
}

fl_scenario_sup_decl *fl_scenario_sup(const fl_scenario *s, const char *name) {
    if (!s || !name || !s->root) return NULL;
    if (strcmp(s->root->name, name) == 0) return s->root;
    fl_scenario_child_decl *c = fl_scenario__find_child(s->root, name);
    return c && c->kind == FL_SCENARIO_CHILD_SUP ? c->sup : NULL;
}

size_t fl_scenario_sup_path(const fl_scenario_sup_decl *sup, char *buf, size_t cap) {
    size_t len = 0;
    if (sup && sup->self) {
        len = fl_scenario_sup_path(sup->self->parent, buf, cap);
        if (len) len += (size_t)snprintf(buf + (len < cap ? len : cap - 1), len < cap ? cap - len : 1, "/");
        len += (size_t)snprintf(buf + (len < cap ? len : cap - 1), len < cap ? cap - len : 1, "%s", sup->name);
    } else if (cap) {
        buf[0] = '\0';
    }
    return len;
}

void fl_scenario__ops_free(fl_scenario_op *ops, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(ops[i].str);
        fl_scenario__ops_free(ops[i].body, ops[i].nbody);
    }
    free(ops);
}


void fl_scenario__child_free(fl_scenario_child_decl *c) {
    if (!c) return;
    free(c->id);
    fl_scenario__ops_free(c->script, c->nscript);
    fl_scenario__ops_free(c->onstop, c->nonstop);
    free(c->fn_name);
    fl_scenario__sup_free(c->sup);
    free(c);
}

void fl_scenario__sup_free(fl_scenario_sup_decl *sup) {
    if (!sup) return;
    for (size_t i = 0; i < sup->nchildren; i++) fl_scenario__child_free(sup->children[i]);
    free(sup->children);
    free(sup->name);
    free(sup);
}

void fl_scenario_free(fl_scenario *s) {
    if (!s) return;
    free(s->path);
    free(s->title);
    fl_scenario__sup_free(s->root);
    free(s->faults);
    for (size_t i = 0; i < s->nfailpoints; i++) {
        free(s->failpoints[i].name);
        free(s->failpoints[i].spec);
    }
    free(s->failpoints);
    for (size_t i = 0; i < s->nraces; i++) {
        free(s->races[i].members);
        free(s->races[i].msg);
    }
    free(s->races);
    for (size_t i = 0; i < s->nactions; i++) free(s->actions[i].msg);
    free(s->actions);
    for (size_t i = 0; i < s->nexpects; i++) {
        free(s->expects[i].text);
        free(s->expects[i].list);
        free(s->expects[i].list_states);
    }
    free(s->expects);
    free(s);
}

int fl_scenario__grow(void *pp, size_t n, size_t elem) {
    void **p = pp;
    void *np = realloc(*p, (n + 1) * elem);
    if (!np) return -ENOMEM;
    *p = np;
    memset((char *)np + n * elem, 0, elem);
    return 0;
}

char *fl_scenario__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

