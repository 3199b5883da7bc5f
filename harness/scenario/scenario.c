/*
 * scenario.c — the scenario parser: lines, indentation and the supervisor
 * tree (worker script ops are in scenario_script.c, top-level statements in
 * scenario_stmt.c).
 *
 * Structure comes from indentation: a line belongs to the nearest line above
 * it that is indented less. All lines under one parent share one indentation.
 * Script blocks (`loop`, `onstop`) are also closed by an `end` at the
 * opener's indentation, so a dedent without `end` is an error.
 */
#include "scenario/fl_scenario.h"
#include "scenario/scenario_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Line where `name` was declared, 0 if it is free. */
static int fl_scenario__declared(fl_scenario__parser *P, const char *name) {
    fl_scenario *s = P->s;
    if (!s->root) return 0;
    if (strcmp(s->root->name, name) == 0) return s->root->line;
    fl_scenario_child_decl *c = fl_scenario__find_child(s->root, name);
    return c ? c->line : 0;
}

int fl_scenario__enum(fl_lex_cur *c, const char *const *names, size_t n, const char *what, int *out) {
    size_t len = fl_lex_ident_len(c);
    for (size_t i = 0; i < n; i++)
        if (names[i] && strlen(names[i]) == len && memcmp(c->p, names[i], len) == 0) {
            c->p += len;
            *out = (int)i;
            return 0;
        }
    char list[256];
    size_t k = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && k < sizeof list; i++)
        if (names[i]) k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", names[i]);
    return fl_lex_err(c, "expected %s: %s", what, list);
}

/* Reads `key` of a `key=value` or a bare flag; *has_value says which. */
int fl_scenario__key(fl_lex_cur *c, char *key, size_t cap, bool *has_value, const char *what) {
    if (fl_lex_ident(c, key, cap, what)) return -EINVAL;
    *has_value = fl_lex_lit(c, "=");
    return 0;
}

bool fl_scenario__word(fl_lex_cur *c, const char *w) {
    size_t n = strlen(w);
    if (fl_lex_ident_len(c) != n || memcmp(c->p, w, n) != 0) return false;
    c->p += n;
    return true;
}

int fl_scenario__dup_key(fl_lex_cur *c, unsigned *seen, unsigned bit, int col, const char *key) {
    if (*seen & bit) return fl_lex_err_col(c, col, "expected each key once: `%s` is given twice", key);
    *seen |= bit;
    return 0;
}

/* ---- supervisor and child keys -------------------------------------------------------- */

static const char *const fl_scenario__strategies[] = {"one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one"};
static const char *const fl_scenario__restarts[] = {"permanent", "transient", "temporary"};
static const char *const fl_scenario__autos[] = {"never", "any_significant", "all_significant"};

/* Child keys: restart=, shutdown=, significant, dynamic (+ fn= for user). */
static int fl_scenario__child_key(fl_scenario__parser *P, fl_scenario_child_decl *ch, const char *key, bool has_value,
                         unsigned *seen, int col) {
    fl_lex_cur *c = &P->c;
    int v;
    if (strcmp(key, "restart") == 0 && has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 20, col, key)) return -EINVAL;
        if (fl_scenario__enum(c, fl_scenario__restarts, 3, "a restart type", &v)) return -EINVAL;
        ch->restart = (sv_restart)v;
        return 1;
    }
    if (strcmp(key, "shutdown") == 0 && has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 21, col, key)) return -EINVAL;
        if (fl_scenario__word(c, "brutal")) ch->shutdown = SV_SHUTDOWN_BRUTAL;
        else if (fl_scenario__word(c, "infinity")) ch->shutdown = SV_SHUTDOWN_INFINITY;
        else {
            if (!fl_lex_peek(c, '0') && fl_lex_ident_len(c))
                return fl_lex_err(c, "expected a shutdown: a duration such as 500ms, brutal or infinity");
            if (fl_lex_dur_ms(c, &ch->shutdown_ms)) return -EINVAL;
            ch->shutdown = SV_SHUTDOWN_TIMEOUT;
        }
        return 1;
    }
    if (strcmp(key, "significant") == 0 && !has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 22, col, key)) return -EINVAL;
        ch->significant = true;
        return 1;
    }
    if (strcmp(key, "dynamic") == 0 && !has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 23, col, key)) return -EINVAL;
        ch->dynamic = true;
        return 1;
    }
    if (strcmp(key, "fn") == 0 && has_value && ch->kind == FL_SCENARIO_CHILD_USER) {
        char name[FL_LEX_ID_MAX + 1];
        if (fl_scenario__dup_key(c, seen, 1u << 24, col, key)) return -EINVAL;
        if (fl_lex_ident(c, name, sizeof name, "a registered worker name")) return -EINVAL;
        free(ch->fn_name);
        ch->fn_name = fl_scenario__strdup(name);
        return ch->fn_name ? 1 : -ENOMEM;
    }
    return 0;
}

/* Supervisor keys: strategy=, intensity=, period=, backoff=, jitter=,
 * auto_shutdown=, catch_signals. */
static int fl_scenario__sup_key(fl_scenario__parser *P, fl_scenario_sup_decl *sup, const char *key, bool has_value,
                       unsigned *seen, int col) {
    fl_lex_cur *c = &P->c;
    int v;
    if (strcmp(key, "strategy") == 0 && has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 0, col, key)) return -EINVAL;
        if (fl_scenario__enum(c, fl_scenario__strategies, 4, "a strategy", &v)) return -EINVAL;
        sup->strategy = (sv_strategy)v;
        return 1;
    }
    if (strcmp(key, "intensity") == 0 && has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 1, col, key)) return -EINVAL;
        return fl_lex_u32(c, 1000000, &sup->intensity, "a restart count") ? -EINVAL : 1;
    }
    if (strcmp(key, "period") == 0 && has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 2, col, key)) return -EINVAL;
        if (fl_lex_dur_ms(c, &sup->period_ms)) return -EINVAL;
        if (sup->period_ms == 0) return fl_lex_err_col(c, col + 7, "expected a period of at least 1ms");
        return 1;
    }
    if (strcmp(key, "backoff") == 0 && has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 3, col, key)) return -EINVAL;
        if (fl_lex_dur_ms(c, &sup->backoff_min_ms)) return -EINVAL;
        if (!fl_lex_lit(c, "..")) return fl_lex_err(c, "expected '..' and the maximum delay, as in backoff=10ms..1s");
        int maxcol = fl_lex_col(c);
        if (fl_lex_dur_ms(c, &sup->backoff_max_ms)) return -EINVAL;
        if (sup->backoff_min_ms == 0 || sup->backoff_max_ms < sup->backoff_min_ms)
            return fl_lex_err_col(c, maxcol, "expected 0 < minimum <= maximum in backoff=MIN..MAX");
        return 1;
    }
    if (strcmp(key, "jitter") == 0 && has_value) {
        uint32_t ppm;
        if (fl_scenario__dup_key(c, seen, 1u << 4, col, key)) return -EINVAL;
        int vcol = fl_lex_col(c);
        if (fl_lex_pct(c, 0, &ppm)) return -EINVAL;
        if (ppm % 10000) return fl_lex_err_col(c, vcol, "expected a whole percentage");
        sup->jitter_pct = ppm / 10000;
        return 1;
    }
    if (strcmp(key, "auto_shutdown") == 0 && has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 5, col, key)) return -EINVAL;
        if (fl_scenario__enum(c, fl_scenario__autos, 3, "an auto_shutdown", &v)) return -EINVAL;
        sup->auto_shutdown = (sv_auto_shutdown)v;
        return 1;
    }
    if (strcmp(key, "catch_signals") == 0 && !has_value) {
        if (fl_scenario__dup_key(c, seen, 1u << 6, col, key)) return -EINVAL;
        sup->flags |= SV_SUP_CATCH_SIGNALS;
        return 1;
    }
    return 0;
}

static int fl_scenario__new_sup(fl_scenario__parser *P, const char *name, int line, int col, fl_scenario_sup_decl **out) {
    fl_scenario_sup_decl *sup = calloc(1, sizeof *sup);
    if (!sup) return -ENOMEM;
    sup->name = fl_scenario__strdup(name);
    if (!sup->name) {
        free(sup);
        return -ENOMEM;
    }
    sup->line = line;
    sup->col = col;
    sup->strategy = SV_ONE_FOR_ONE;
    sup->intensity = 1;
    sup->period_ms = 5000;
    *out = sup;
    return 0;
}

int fl_scenario__push(fl_scenario__parser *P, fl_scenario__frame f) {
    if (P->depth == FL_SCENARIO__MAX_DEPTH)
        return fl_lex_err(&P->c, "expected at most %d levels of nesting", FL_SCENARIO__MAX_DEPTH);
    f.child_indent = -1;
    P->stack[P->depth++] = f;
    return 0;
}

/* `supervisor NAME keys` at the top (root) or as a child of parent. */
int fl_scenario__stmt_supervisor(fl_scenario__parser *P, fl_scenario_sup_decl *parent, int indent) {
    fl_lex_cur *c = &P->c;
    int line = c->line, col;
    char name[FL_LEX_ID_MAX + 1], key[FL_LEX_ID_MAX + 1];
    fl_lex_ws(c);
    col = fl_lex_col(c);
    if (fl_lex_ident(c, name, sizeof name, "a supervisor name")) return -EINVAL;
    int prev = fl_scenario__declared(P, name);
    if (prev) return fl_lex_err_col(c, col, "expected a new id: `%s` is already declared at line %d", name, prev);
    if (fl_lex_sep(c, "the name")) return -EINVAL;
    fl_scenario_sup_decl *sup;
    int r = fl_scenario__new_sup(P, name, line, col, &sup);
    if (r) return r;
    fl_scenario_child_decl *ch = NULL;
    if (parent) {
        ch = calloc(1, sizeof *ch);
        if (!ch || !(ch->id = fl_scenario__strdup(name))) {
            free(ch);
            fl_scenario__sup_free(sup);
            return -ENOMEM;
        }
        ch->kind = FL_SCENARIO_CHILD_SUP;
        ch->line = line;
        ch->col = col;
        ch->parent = parent;
        ch->restart = SV_PERMANENT;
        ch->shutdown = SV_SHUTDOWN_INFINITY;
        ch->shutdown_ms = 5000;
        ch->sup = sup;
        sup->self = ch;
        if ((r = fl_scenario__grow(&parent->children, parent->nchildren, sizeof *parent->children))) {
            fl_scenario__child_free(ch);
            return r;
        }
        ch->index = parent->nchildren;
        parent->children[parent->nchildren++] = ch;
    } else {
        P->s->root = sup;
    }
    unsigned seen = 0;
    while (!fl_lex_eol(c)) {
        bool hv;
        int kcol = fl_lex_col(c);
        if (fl_scenario__key(c, key, sizeof key, &hv, "a supervisor key such as strategy=one_for_all")) return -EINVAL;
        r = fl_scenario__sup_key(P, sup, key, hv, &seen, kcol);
        if (r == 0 && ch) r = fl_scenario__child_key(P, ch, key, hv, &seen, kcol);
        if (r < 0) return r;
        if (r == 0) {
            c->p = c->bol + (kcol - 1 - c->col0);
            return fl_lex_err(c, "expected a supervisor key: strategy=, intensity=, period=, backoff=, jitter=, "
                              "auto_shutdown=, catch_signals%s",
                           ch ? ", restart=, shutdown=, significant or dynamic" : "");
        }
        if (fl_lex_sep(c, "the value")) return -EINVAL;
    }
    return fl_scenario__push(P, (fl_scenario__frame){.kind = FL_SCENARIO__FR_SUP, .indent = indent, .line = line, .sup = sup, .child = ch});
}

/* `worker ID keys` / `user ID keys` under supervisor sup. */
static int fl_scenario__stmt_child(fl_scenario__parser *P, fl_scenario_sup_decl *sup, fl_scenario_child_kind kind, int indent) {
    fl_lex_cur *c = &P->c;
    char id[FL_LEX_ID_MAX + 1], key[FL_LEX_ID_MAX + 1];
    fl_lex_ws(c);
    int col = fl_lex_col(c);
    if (fl_lex_ident(c, id, sizeof id, kind == FL_SCENARIO_CHILD_USER ? "a user worker id" : "a worker id")) return -EINVAL;
    int prev = fl_scenario__declared(P, id);
    if (prev) return fl_lex_err_col(c, col, "expected a new id: `%s` is already declared at line %d", id, prev);
    if (fl_lex_sep(c, "the id")) return -EINVAL;
    fl_scenario_child_decl *ch = calloc(1, sizeof *ch);
    if (!ch) return -ENOMEM;
    int r = -ENOMEM;
    ch->kind = kind;
    ch->line = c->line;
    ch->col = col;
    ch->parent = sup;
    ch->restart = SV_PERMANENT;
    ch->shutdown = SV_SHUTDOWN_TIMEOUT;
    ch->shutdown_ms = 5000;
    if (!(ch->id = fl_scenario__strdup(id))) goto fail;
    if ((r = fl_scenario__grow(&sup->children, sup->nchildren, sizeof *sup->children))) goto fail;
    ch->index = sup->nchildren;
    sup->children[sup->nchildren++] = ch;
    unsigned seen = 0;
    while (!fl_lex_eol(c)) {
        bool hv;
        int kcol = fl_lex_col(c);
        if (fl_scenario__key(c, key, sizeof key, &hv, "a worker key such as restart=transient")) return -EINVAL;
        r = fl_scenario__child_key(P, ch, key, hv, &seen, kcol);
        if (r < 0) return r;
        if (r == 0) {
            c->p = c->bol + (kcol - 1 - c->col0);
            return fl_lex_err(c, "expected a worker key: restart=, shutdown=, significant, dynamic%s",
                           kind == FL_SCENARIO_CHILD_USER ? " or fn=" : "");
        }
        if (fl_lex_sep(c, "the value")) return -EINVAL;
    }
    if (kind == FL_SCENARIO_CHILD_USER && !ch->fn_name && !(ch->fn_name = fl_scenario__strdup(id))) return -ENOMEM;
    return fl_scenario__push(P, (fl_scenario__frame){.kind = kind == FL_SCENARIO_CHILD_USER ? FL_SCENARIO__FR_USER : FL_SCENARIO__FR_WORKER,
                                   .indent = indent, .line = c->line, .child = ch,
                                   .ops = &ch->script, .nops = &ch->nscript});
fail:
    fl_scenario__child_free(ch);
    return r;
}

static int fl_scenario__child_line(fl_scenario__parser *P, fl_scenario__frame *fr, int indent) {
    fl_lex_cur *c = &P->c;
    static const char *const kinds[] = {"worker", "user", "supervisor"};
    int k;
    if (fl_scenario__enum(c, kinds, 3, "a child", &k)) return -EINVAL;
    if (fl_lex_sep(c, kinds[k])) return -EINVAL;
    if (k == 2) return fl_scenario__stmt_supervisor(P, fr->sup, indent);
    return fl_scenario__stmt_child(P, fr->sup, k == 0 ? FL_SCENARIO_CHILD_SCRIPT : FL_SCENARIO_CHILD_USER, indent);
}

static const char *fl_scenario__block_name(const fl_scenario__frame *f) { return f->kind == FL_SCENARIO__FR_LOOP ? "loop" : "onstop"; }
static bool fl_scenario__is_block(const fl_scenario__frame *f) { return f->kind == FL_SCENARIO__FR_LOOP || f->kind == FL_SCENARIO__FR_ONSTOP; }

static int fl_scenario__end_line(fl_scenario__parser *P, int indent) {
    fl_lex_cur *c = &P->c;
    int col = fl_lex_col(c);
    while (P->depth > 0 && !fl_scenario__is_block(&P->stack[P->depth - 1]) && indent <= P->stack[P->depth - 1].indent)
        P->depth--;
    fl_scenario__frame *top = P->depth ? &P->stack[P->depth - 1] : NULL;
    if (!top || !fl_scenario__is_block(top)) return fl_lex_err_col(c, col, "expected a `loop` or `onstop` before this `end`");
    if (top->indent > indent)
        return fl_lex_err_col(c, col, "expected `end` closing the `%s` at line %d first", fl_scenario__block_name(top), top->line);
    if (top->indent < indent)
        return fl_lex_err_col(c, col, "expected `end` at column %d, under its `%s` (line %d)", top->indent + 1,
                           fl_scenario__block_name(top), top->line);
    if (top->kind == FL_SCENARIO__FR_LOOP && *top->nops == 0)
        return fl_lex_err_col(c, col, "expected at least one op in the `loop` at line %d", top->line);
    P->depth--;
    c->p += 3;
    if (!fl_lex_eol(c)) return fl_lex_err(c, "expected end of line after `end`");
    return 0;
}

static int fl_scenario__line(fl_scenario__parser *P, int indent) {
    fl_lex_cur *c = &P->c;
    if (fl_lex_ident_len(c) == 3 && memcmp(c->p, "end", 3) == 0) return fl_scenario__end_line(P, indent);
    while (P->depth > 0 && indent <= P->stack[P->depth - 1].indent) {
        fl_scenario__frame *top = &P->stack[P->depth - 1];
        if (fl_scenario__is_block(top))
            return fl_lex_err_col(c, indent + 1, "expected `end` closing the `%s` at line %d", fl_scenario__block_name(top),
                               top->line);
        P->depth--;
    }
    if (P->depth == 0) {
        if (indent != 0) return fl_lex_err_col(c, 1, "expected no indentation: this line is under nothing");
        return fl_scenario__stmt_top(P);
    }
    fl_scenario__frame *fr = &P->stack[P->depth - 1];
    if (fr->child_indent < 0) fr->child_indent = indent;
    else if (indent != fr->child_indent)
        return fl_lex_err_col(c, indent + 1, "expected the indentation of the lines above (%d spaces)", fr->child_indent);
    switch (fr->kind) {
    case FL_SCENARIO__FR_SUP: return fl_scenario__child_line(P, fr, indent);
    case FL_SCENARIO__FR_USER: return fl_lex_err(c, "expected no script under a user worker");
    default: return fl_scenario__script_line(P, fr, indent);
    }
}

/* ---- entry points ------------------------------------------------------------------------ */

static int fl_scenario__parse(fl_scenario__parser *P, const char *text, size_t len) {
    const char *pos = text, *end = text + len;
    int line = 0, r;
    P->c.line = 0;
    while (pos < end) {
        const char *nl = memchr(pos, '\n', (size_t)(end - pos));
        const char *le = nl ? nl : end;
        line++;
        size_t n = (size_t)(le - pos);
        if (n > 0 && pos[n - 1] == '\r') n--;
        P->c = (fl_lex_cur){.where = P->s->path, .bol = pos, .p = pos, .end = pos + n, .line = line, .diag = P->diag};
        const char *z = memchr(pos, '\0', n);
        if (z) {
            P->c.p = z;
            return fl_lex_err(&P->c, "expected text, found a NUL byte");
        }
        int indent = 0;
        while (P->c.p < P->c.end && *P->c.p == ' ') {
            P->c.p++;
            indent++;
        }
        if (fl_lex_peek(&P->c, '\t')) {
            const char *tab = P->c.p;
            if (!fl_lex_eol(&P->c)) {
                P->c.p = tab;
                return fl_lex_err(&P->c, "expected spaces for indentation, found a tab");
            }
        }
        if (!fl_lex_eol(&P->c) && (r = fl_scenario__line(P, indent))) return r;
        pos = nl ? nl + 1 : end;
    }
    /* end of input: after the last newline, or at the end of an unterminated last line */
    if (len == 0 || text[len - 1] == '\n') {
        P->c = (fl_lex_cur){.where = P->s->path, .bol = end, .p = end, .end = end, .line = line + 1, .diag = P->diag};
    } else {
        P->c.p = P->c.end;
        P->c.line = line;
    }
    for (int i = P->depth - 1; i >= 0; i--)
        if (fl_scenario__is_block(&P->stack[i]))
            return fl_lex_err(&P->c, "expected `end` closing the `%s` at line %d", fl_scenario__block_name(&P->stack[i]),
                           P->stack[i].line);
    if (!P->s->root) return fl_lex_err(&P->c, "expected a `supervisor` line declaring the root supervisor");
    return fl_scenario__finish(P);
}

int fl_scenario_parse_str(const char *name, const char *text, size_t len, fl_scenario **out, fl_lex_diag *diag) {
    fl_scenario *s = calloc(1, sizeof *s);
    fl_scenario__parser *P = calloc(1, sizeof *P);
    int r = -ENOMEM;
    if (!s || !P || !(s->path = fl_scenario__strdup(name ? name : "<scenario>"))) {
        fl_lex_diag_set(diag, name ? name : "<scenario>", 0, 0, "out of memory");
        goto fail;
    }
    s->run = (fl_scenario_run){.seeds = 100, .seed = 1, .strategy = FL_SCHED_STRAT_RANDOM, .depth = 3, .budget = FL_SCENARIO_DEFAULT_BUDGET,
                      .duration_ns = 2000000000LL};
    P->s = s;
    P->diag = diag;
    r = fl_scenario__parse(P, text ? text : "", text ? len : 0);
    if (r == -ENOMEM) fl_lex_diag_set(diag, s->path, 0, 0, "out of memory");
    if (r) goto fail;
    if (!s->title && !(s->title = fl_scenario__strdup(s->path))) {
        r = -ENOMEM;
        goto fail;
    }
    free(P);
    *out = s;
    return 0;
fail:
    free(P);
    fl_scenario_free(s);
    return r;
}

int fl_scenario_parse_file(const char *path, fl_scenario **out, fl_lex_diag *diag) {
    struct stat st;
    FILE *f = NULL;
    char *buf = NULL;
    int r;
    if (stat(path, &st) != 0) {
        r = -errno;
        goto io_fail;
    }
    if (S_ISDIR(st.st_mode)) {
        r = -EISDIR;
        goto io_fail;
    }
    if (st.st_size > FL_SCENARIO__FILE_MAX) {
        fl_lex_diag_set(diag, path, 0, 0, "expected a scenario file of at most 1 MiB");
        return -EFBIG;
    }
    if (!(f = fopen(path, "rb"))) {
        r = -errno;
        goto io_fail;
    }
    buf = malloc(FL_SCENARIO__FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        fl_lex_diag_set(diag, path, 0, 0, "out of memory");
        return -ENOMEM;
    }
    size_t n = fread(buf, 1, FL_SCENARIO__FILE_MAX + 1, f);
    if (ferror(f)) {
        r = -EIO;
        fclose(f);
        free(buf);
        goto io_fail;
    }
    fclose(f);
    if (n > FL_SCENARIO__FILE_MAX) {
        free(buf);
        fl_lex_diag_set(diag, path, 0, 0, "expected a scenario file of at most 1 MiB");
        return -EFBIG;
    }
    r = fl_scenario_parse_str(path, buf, n, out, diag);
    free(buf);
    return r;
io_fail:
    fl_lex_diag_set(diag, path, 0, 0, "%s", strerror(-r));
    return r;
}
