/*
 * scenario_script.c — the scenario parser's worker scripts: one script line
 * (an op with its argument, then its incarnation and probability
 * condition), and the `loop` and `onstop` blocks it opens. Lines,
 * indentation and `end` are scenario.c's.
 */
#include "scenario/fl_scenario.h"
#include "scenario/scenario_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The condition after an op: `on N`, `on N..M` or `after N`, `p=P%` and
 * `arg N`. */
static int fl_scenario__op_when(fl_scenario__parser *P, fl_scenario_op *op) {
    fl_lex_cur *c = &P->c;
    bool inc_seen = false, p_seen = false;
    while (!fl_lex_eol(c)) {
        int col = fl_lex_col(c);
        if (fl_scenario__word(c, "on")) {
            if (inc_seen) return fl_lex_err_col(c, col, "expected one incarnation condition (`on` or `after`)");
            inc_seen = true;
            fl_lex_ws(c);
            if (fl_lex_u32(c, UINT32_MAX, &op->when.inc_min, "an incarnation number")) return -EINVAL;
            if (op->when.inc_min == 0) return fl_lex_err_col(c, fl_lex_col(c) - 1, "expected an incarnation of at least 1");
            op->when.inc_max = op->when.inc_min;
            if (fl_lex_lit(c, "..")) {
                int mcol = fl_lex_col(c);
                if (fl_lex_u32(c, UINT32_MAX, &op->when.inc_max, "the last incarnation")) return -EINVAL;
                if (op->when.inc_max < op->when.inc_min)
                    return fl_lex_err_col(c, mcol, "expected a last incarnation >= %u", op->when.inc_min);
            }
        } else if (fl_scenario__word(c, "after")) {
            if (inc_seen) return fl_lex_err_col(c, col, "expected one incarnation condition (`on` or `after`)");
            inc_seen = true;
            uint32_t n;
            fl_lex_ws(c);
            if (fl_lex_u32(c, UINT32_MAX - 1, &n, "an incarnation number")) return -EINVAL;
            op->when.inc_min = n + 1;
            op->when.inc_max = 0;
        } else if (fl_scenario__word(c, "arg")) {
            if (op->when.has_arg) return fl_lex_err_col(c, col, "expected one `arg` condition");
            op->when.has_arg = true;
            fl_lex_ws(c);
            if (fl_lex_int(c, &op->when.arg, "an instance argument")) return -EINVAL;
        } else if (fl_lex_ident_len(c) == 1 && fl_lex_lit(c, "p=")) {
            uint32_t ppm;
            if (p_seen) return fl_lex_err_col(c, col, "expected each key once: `p` is given twice");
            p_seen = true;
            int vcol = fl_lex_col(c);
            if (fl_lex_pct(c, 10000, &ppm)) return -EINVAL;
            if (ppm % 10000) return fl_lex_err_col(c, vcol, "expected a whole percentage");
            op->when.p_pct = ppm / 10000;
        } else {
            c->p = c->bol + (col - 1 - c->col0);
            return fl_lex_err(c, "expected end of line, `on N`, `on N..M`, `after N`, `p=P%%` or `arg N`");
        }
        if (fl_lex_sep(c, "the condition")) return -EINVAL;
    }
    return 0;
}

static const char *const fl_scenario__op_names[] = {"work", "yield", "crash", "return", "exit", "hang", "segv",
                                           "signal", "wait", "loop", "failpoint", "onstop", "end"};
enum { FL_SCENARIO__KW_ONSTOP = 11, FL_SCENARIO__KW_END = 12 };

int fl_scenario__script_line(fl_scenario__parser *P, fl_scenario__frame *fr, int indent) {
    fl_lex_cur *c = &P->c;
    int col = fl_lex_col(c), kw;
    if (fl_scenario__enum(c, fl_scenario__op_names, sizeof fl_scenario__op_names / sizeof fl_scenario__op_names[0], "a script op", &kw))
        return -EINVAL;
    if (fl_lex_sep(c, fl_scenario__op_names[kw])) return -EINVAL;
    fl_scenario_child_decl *ch = fr->child;
    if (kw == FL_SCENARIO__KW_ONSTOP) {
        if (fr->kind != FL_SCENARIO__FR_WORKER)
            return fl_lex_err_col(c, col, "expected `onstop` directly in a worker's script, not inside a block");
        if (fr->onstop_line)
            return fl_lex_err_col(c, col, "expected one `onstop` per worker (the first is at line %d)", fr->onstop_line);
        fr->onstop_line = c->line;
        if (!fl_lex_eol(c)) return fl_lex_err(c, "expected end of line after onstop");
        return fl_scenario__push(P, (fl_scenario__frame){.kind = FL_SCENARIO__FR_ONSTOP, .indent = indent, .line = c->line,
                                       .child = ch, .ops = &ch->onstop, .nops = &ch->nonstop});
    }
    int r = fl_scenario__grow(fr->ops, *fr->nops, sizeof **fr->ops);
    if (r) return r;
    fl_scenario_op *op = &(*fr->ops)[(*fr->nops)++];
    op->kind = (fl_scenario_op_kind)kw;
    op->line = c->line;
    op->col = col;
    op->when = (fl_scenario_op_when){.inc_min = 1, .inc_max = 0, .p_pct = 100};
    fl_lex_ws(c);
    const char *argp = c->p;
    char name[FL_LEX_ID_MAX + 1];
    switch (op->kind) {
    case FL_SCENARIO_OP_WORK:
        if (fl_lex_dur(c, &op->ns)) return -EINVAL;
        break;
    case FL_SCENARIO_OP_CRASH:
        if (fl_lex_peek(c, '"')) {
            if ((r = fl_lex_string(c, &op->str))) return r;
        } else if (!(op->str = fl_scenario__strdup("crash"))) {
            return -ENOMEM;
        }
        break;
    case FL_SCENARIO_OP_RETURN:
        if (fl_scenario__word(c, "error")) op->value = -EIO;
        else if (fl_lex_int(c, &op->value, "`error` or an integer")) return -EINVAL;
        break;
    case FL_SCENARIO_OP_EXIT:
        if (fl_scenario__word(c, "normal")) op->value = 0;
        else if (fl_scenario__word(c, "shutdown")) op->value = SV_RET_SHUTDOWN;
        else return fl_lex_err(c, "expected `normal` or `shutdown`");
        break;
    case FL_SCENARIO_OP_SEGV:
        ch->parent->flags |= SV_SUP_CATCH_SIGNALS;
        break;
    case FL_SCENARIO_OP_SIGNAL:
    case FL_SCENARIO_OP_WAIT:
        if (fl_lex_ident(c, name, sizeof name, "a latch name")) return -EINVAL;
        if (!(op->str = fl_scenario__strdup(name))) return -ENOMEM;
        break;
    case FL_SCENARIO_OP_FAILPOINT: {
        const char *s = c->p;
        while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '#') c->p++;
        if (!fl_fp_name_ok(s, (size_t)(c->p - s))) {
            c->p = s;
            return fl_lex_err(c, "expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]");
        }
        if (!(op->str = malloc((size_t)(c->p - s) + 1))) return -ENOMEM;
        memcpy(op->str, s, (size_t)(c->p - s));
        op->str[c->p - s] = '\0';
        break;
    }
    case FL_SCENARIO_OP_LOOP:
        if (!fl_lex_eol(c) && fl_lex_ident_len(c) == 0) {
            if (fl_lex_u32(c, 100000000, &op->count, "a loop count")) return -EINVAL;
            if (op->count == 0) return fl_lex_err_col(c, fl_lex_col(c) - 1, "expected a loop count of at least 1");
        }
        break;
    default:
        break;
    }
    if (c->p != argp && fl_lex_sep(c, "the argument")) return -EINVAL;
    if ((r = fl_scenario__op_when(P, op))) return r;
    if (op->kind == FL_SCENARIO_OP_LOOP)
        return fl_scenario__push(P, (fl_scenario__frame){.kind = FL_SCENARIO__FR_LOOP, .indent = indent, .line = c->line,
                                       .child = ch, .ops = &op->body, .nops = &op->nbody});
    return 0;
}
