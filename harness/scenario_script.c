/*
 * scenario_script.c — the scenario parser's worker scripts: one script line
 * (an op with its argument, then its incarnation and probability
 * condition), and the `loop` and `onstop` blocks it opens. Lines,
 * indentation and `end` are scenario.c's.
 */
#include "scenario.h"
#include "scenario_p.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The condition after an op: `on N`, `on N..M` or `after N`, and `p=P%`. */
static int fl__op_when(fl__parser *P, fl_op *op) {
    fl__cur *c = &P->c;
    bool inc_seen = false, p_seen = false;
    while (!fl__eol(c)) {
        int col = fl__col(c);
        if (fl__word(c, "on")) {
            if (inc_seen) return fl__err_col(c, col, "expected one incarnation condition (`on` or `after`)");
            inc_seen = true;
            fl__ws(c);
            if (fl__u32(c, UINT32_MAX, &op->when.inc_min, "an incarnation number")) return -EINVAL;
            if (op->when.inc_min == 0) return fl__err_col(c, fl__col(c) - 1, "expected an incarnation of at least 1");
            op->when.inc_max = op->when.inc_min;
            if (fl__lit(c, "..")) {
                int mcol = fl__col(c);
                if (fl__u32(c, UINT32_MAX, &op->when.inc_max, "the last incarnation")) return -EINVAL;
                if (op->when.inc_max < op->when.inc_min)
                    return fl__err_col(c, mcol, "expected a last incarnation >= %u", op->when.inc_min);
            }
        } else if (fl__word(c, "after")) {
            if (inc_seen) return fl__err_col(c, col, "expected one incarnation condition (`on` or `after`)");
            inc_seen = true;
            uint32_t n;
            fl__ws(c);
            if (fl__u32(c, UINT32_MAX - 1, &n, "an incarnation number")) return -EINVAL;
            op->when.inc_min = n + 1;
            op->when.inc_max = 0;
        } else if (fl__ident_len(c) == 1 && fl__lit(c, "p=")) {
            uint32_t ppm;
            if (p_seen) return fl__err_col(c, col, "expected each key once: `p` is given twice");
            p_seen = true;
            int vcol = fl__col(c);
            if (fl__pct(c, 10000, &ppm)) return -EINVAL;
            if (ppm % 10000) return fl__err_col(c, vcol, "expected a whole percentage");
            op->when.p_pct = ppm / 10000;
        } else {
            c->p = c->bol + (col - 1 - c->col0);
            return fl__err(c, "expected end of line, `on N`, `on N..M`, `after N` or `p=P%%`");
        }
        if (fl__sep(c, "the condition")) return -EINVAL;
    }
    return 0;
}

static const char *const fl__op_names[] = {"work", "yield", "crash", "return", "exit", "hang", "segv",
                                           "signal", "wait", "loop", "failpoint", "onstop", "end"};
enum { FL__KW_ONSTOP = 11, FL__KW_END = 12 };

int fl__script_line(fl__parser *P, fl__frame *fr, int indent) {
    fl__cur *c = &P->c;
    int col = fl__col(c), kw;
    if (fl__enum(c, fl__op_names, sizeof fl__op_names / sizeof fl__op_names[0], "a script op", &kw))
        return -EINVAL;
    if (fl__sep(c, fl__op_names[kw])) return -EINVAL;
    fl_child *ch = fr->child;
    if (kw == FL__KW_ONSTOP) {
        if (fr->kind != FL__FR_WORKER)
            return fl__err_col(c, col, "expected `onstop` directly in a worker's script, not inside a block");
        if (fr->onstop_line)
            return fl__err_col(c, col, "expected one `onstop` per worker (the first is at line %d)", fr->onstop_line);
        fr->onstop_line = c->line;
        if (!fl__eol(c)) return fl__err(c, "expected end of line after onstop");
        return fl__push(P, (fl__frame){.kind = FL__FR_ONSTOP, .indent = indent, .line = c->line,
                                       .child = ch, .ops = &ch->onstop, .nops = &ch->nonstop});
    }
    int r = fl__grow(fr->ops, *fr->nops, sizeof **fr->ops);
    if (r) return r;
    fl_op *op = &(*fr->ops)[(*fr->nops)++];
    op->kind = (fl_op_kind)kw;
    op->line = c->line;
    op->col = col;
    op->when = (fl_op_when){.inc_min = 1, .inc_max = 0, .p_pct = 100};
    fl__ws(c);
    const char *argp = c->p;
    char name[FL__ID_MAX + 1];
    switch (op->kind) {
    case FL_OP_WORK:
        if (fl__dur(c, &op->ns)) return -EINVAL;
        break;
    case FL_OP_CRASH:
        if (fl__peek(c, '"')) {
            if ((r = fl__string(c, &op->str))) return r;
        } else if (!(op->str = fl__strdup("crash"))) {
            return -ENOMEM;
        }
        break;
    case FL_OP_RETURN:
        if (fl__word(c, "error")) op->value = -EIO;
        else if (fl__int(c, &op->value, "`error` or an integer")) return -EINVAL;
        break;
    case FL_OP_EXIT:
        if (fl__word(c, "normal")) op->value = 0;
        else if (fl__word(c, "shutdown")) op->value = SV_RET_SHUTDOWN;
        else return fl__err(c, "expected `normal` or `shutdown`");
        break;
    case FL_OP_SEGV:
        ch->parent->flags |= SV_SUP_CATCH_SIGNALS;
        break;
    case FL_OP_SIGNAL:
    case FL_OP_WAIT:
        if (fl__ident(c, name, sizeof name, "a latch name")) return -EINVAL;
        if (!(op->str = fl__strdup(name))) return -ENOMEM;
        break;
    case FL_OP_FAILPOINT: {
        const char *s = c->p;
        while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '#') c->p++;
        if (!fl_failpoint_name_ok(s, (size_t)(c->p - s))) {
            c->p = s;
            return fl__err(c, "expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]");
        }
        if (!(op->str = malloc((size_t)(c->p - s) + 1))) return -ENOMEM;
        memcpy(op->str, s, (size_t)(c->p - s));
        op->str[c->p - s] = '\0';
        break;
    }
    case FL_OP_LOOP:
        if (!fl__eol(c) && fl__ident_len(c) == 0) {
            if (fl__u32(c, 100000000, &op->count, "a loop count")) return -EINVAL;
            if (op->count == 0) return fl__err_col(c, fl__col(c) - 1, "expected a loop count of at least 1");
        }
        break;
    default:
        break;
    }
    if (c->p != argp && fl__sep(c, "the argument")) return -EINVAL;
    if ((r = fl__op_when(P, op))) return r;
    if (op->kind == FL_OP_LOOP)
        return fl__push(P, (fl__frame){.kind = FL__FR_LOOP, .indent = indent, .line = c->line,
                                       .child = ch, .ops = &op->body, .nops = &op->nbody});
    return 0;
}
