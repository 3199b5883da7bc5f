/*
 * lex.c — token readers over one line (see fl_lex.h), shared
 * by the scenario parser and the failpoint-spec parser; fl_lex_diag_set.
 */
#include "lex/fl_lex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fl_lex_diag_set(fl_lex_diag *d, const char *where, int line, int col, const char *fmt, ...) {
    if (!d) return;
    d->line = line;
    d->col = col;
    int n;
    if (line > 0)
        n = snprintf(d->text, sizeof d->text, "%s:%d:%d: ", where, line, col);
    else
        n = snprintf(d->text, sizeof d->text, "%s: ", where);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof d->text) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->text + n, sizeof d->text - (size_t)n, fmt, ap);
    va_end(ap);
}

static int fl_lex__verr(fl_lex_cur *c, int col, const char *fmt, va_list ap) {
    if (c->diag) {
        char msg[FL_LEX_DIAG_MAX];
        vsnprintf(msg, sizeof msg, fmt, ap);
        fl_lex_diag_set(c->diag, c->where, c->line, col, "%s", msg);
    }
    return -EINVAL;
}

int fl_lex_err(fl_lex_cur *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = fl_lex__verr(c, fl_lex_col(c), fmt, ap);
    va_end(ap);
    return r;
}

int fl_lex_err_col(fl_lex_cur *c, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = fl_lex__verr(c, col, fmt, ap);
    va_end(ap);
    return r;
}

void fl_lex_ws(fl_lex_cur *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
}

bool fl_lex_eol(fl_lex_cur *c) {
    fl_lex_ws(c);
    return c->p == c->end || *c->p == '#';
}

bool fl_lex_peek(fl_lex_cur *c, char ch) { return c->p < c->end && *c->p == ch; }

bool fl_lex_lit(fl_lex_cur *c, const char *s) {
    size_t n = strlen(s);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0) return false;
    c->p += n;
    return true;
}

int fl_lex_sep(fl_lex_cur *c, const char *what) {
    if (c->p == c->end || *c->p == ' ' || *c->p == '\t' || *c->p == '#') return 0;
    return fl_lex_err(c, "expected a space or end of line after %s", what);
}

static bool fl_lex__is_alpha(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}
static bool fl_lex__is_digit(char ch) { return ch >= '0' && ch <= '9'; }

size_t fl_lex_ident_len(const fl_lex_cur *c) {
    const char *q = c->p;
    if (q == c->end || !fl_lex__is_alpha(*q)) return 0;
    while (q < c->end && (fl_lex__is_alpha(*q) || fl_lex__is_digit(*q) || *q == '.' || *q == '-')) q++;
    return (size_t)(q - c->p);
}

int fl_lex_ident(fl_lex_cur *c, char *buf, size_t cap, const char *what) {
    size_t n = fl_lex_ident_len(c);
    if (n == 0) return fl_lex_err(c, "expected %s", what);
    if (n > FL_LEX_ID_MAX || n >= cap)
        return fl_lex_err(c, "expected %s of at most %d bytes", what, FL_LEX_ID_MAX);
    memcpy(buf, c->p, n);
    buf[n] = '\0';
    c->p += n;
    return 0;
}

int fl_lex_u64(fl_lex_cur *c, uint64_t *out, const char *what) {
    if (c->p == c->end || !fl_lex__is_digit(*c->p)) return fl_lex_err(c, "expected %s", what);
    const char *start = c->p;
    uint64_t v = 0;
    while (c->p < c->end && fl_lex__is_digit(*c->p)) {
        unsigned d = (unsigned)(*c->p - '0');
        if (v > (UINT64_MAX - d) / 10) {
            c->p = start;
            return fl_lex_err(c, "expected %s that fits in 64 bits", what);
        }
        v = v * 10 + d;
        c->p++;
    }
    *out = v;
    return 0;
}

int fl_lex_u32(fl_lex_cur *c, uint32_t max, uint32_t *out, const char *what) {
    const char *start = c->p;
    uint64_t v;
    int r = fl_lex_u64(c, &v, what);
    if (r) return r;
    if (v > max) {
        c->p = start;
        return fl_lex_err(c, "expected %s of at most %u", what, max);
    }
    *out = (uint32_t)v;
    return 0;
}

int fl_lex_int(fl_lex_cur *c, int *out, const char *what) {
    const char *start = c->p;
    bool neg = fl_lex_lit(c, "-");
    if (!neg) (void)fl_lex_lit(c, "+");
    uint64_t v;
    if (c->p == c->end || !fl_lex__is_digit(*c->p)) {
        c->p = start;
        return fl_lex_err(c, "expected %s", what);
    }
    int r = fl_lex_u64(c, &v, what);
    if (r || v > (neg ? 2147483648ULL : 2147483647ULL)) {
        c->p = start;
        return fl_lex_err(c, "expected %s that fits in an int", what);
    }
    *out = neg ? (int)(-(int64_t)v) : (int)v;
    return 0;
}

int fl_lex_dur(fl_lex_cur *c, int64_t *ns) {
    const char *start = c->p;
    uint64_t v;
    if (c->p == c->end || !fl_lex__is_digit(*c->p))
        return fl_lex_err(c, "expected a duration such as 10ms or 2s");
    if (fl_lex_u64(c, &v, "a duration")) return -EINVAL;
    uint64_t unit;
    if (fl_lex_lit(c, "ns")) unit = 1;
    else if (fl_lex_lit(c, "us")) unit = 1000;
    else if (fl_lex_lit(c, "ms")) unit = 1000000;
    else if (fl_lex_lit(c, "s")) unit = 1000000000;
    else return fl_lex_err(c, "expected a time unit (ns, us, ms or s)");
    if (c->p < c->end && (fl_lex__is_alpha(*c->p) || fl_lex__is_digit(*c->p)))
        return fl_lex_err(c, "expected a time unit (ns, us, ms or s)");
    if (v > (uint64_t)FL_LEX_DUR_MAX_NS / unit) {
        c->p = start;
        return fl_lex_err(c, "expected a duration of at most 86400s");
    }
    *ns = (int64_t)(v * unit);
    return 0;
}

int fl_lex_dur_ms(fl_lex_cur *c, uint32_t *ms) {
    const char *start = c->p;
    int64_t ns;
    if (fl_lex_dur(c, &ns)) return -EINVAL;
    if (ns % 1000000 != 0) {
        c->p = start;
        return fl_lex_err(c, "expected a duration in whole milliseconds");
    }
    *ms = (uint32_t)(ns / 1000000);
    return 0;
}

int fl_lex_pct(fl_lex_cur *c, uint32_t min_ppm, uint32_t *ppm) {
    const char *start = c->p;
    uint64_t whole;
    if (c->p == c->end || !fl_lex__is_digit(*c->p)) return fl_lex_err(c, "expected a percentage such as 30%%");
    if (fl_lex_u64(c, &whole, "a percentage")) return -EINVAL;
    uint64_t v = whole > 100 ? 101000000ULL : whole * 10000;
    if (fl_lex_lit(c, ".")) {
        if (c->p == c->end || !fl_lex__is_digit(*c->p)) return fl_lex_err(c, "expected digits after the decimal point");
        uint64_t scale = 1000;
        while (c->p < c->end && fl_lex__is_digit(*c->p)) {
            if (scale == 0) return fl_lex_err(c, "expected at most 4 decimals");
            v += (uint64_t)(*c->p - '0') * scale;
            scale /= 10;
            c->p++;
        }
    }
    if (!fl_lex_lit(c, "%")) return fl_lex_err(c, "expected '%%'");
    if (v > 1000000 || v < min_ppm) {
        c->p = start;
        return fl_lex_err(c, "expected a percentage between %s and 100%%", min_ppm ? "0.0001%" : "0%");
    }
    *ppm = (uint32_t)v;
    return 0;
}

int fl_lex_string(fl_lex_cur *c, char **out) {
    if (!fl_lex_peek(c, '"')) return fl_lex_err(c, "expected a string in double quotes");
    const char *open = c->p++;
    size_t cap = (size_t)(c->end - c->p) + 1;
    char *buf = malloc(cap);
    if (!buf) return -ENOMEM;
    size_t n = 0;
    while (c->p < c->end && *c->p != '"') {
        char ch = *c->p;
        if (ch == '\\') {
            c->p++;
            if (c->p == c->end) break;
            switch (*c->p) {
            case '"': ch = '"'; break;
            case '\\': ch = '\\'; break;
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            default:
                free(buf);
                return fl_lex_err(c, "expected an escape: \\\" \\\\ \\n or \\t");
            }
        } else if ((unsigned char)ch < 0x20 && ch != '\t') {
            free(buf);
            return fl_lex_err(c, "expected a printable character or an escape");
        }
        buf[n++] = ch;
        c->p++;
    }
    if (c->p == c->end) {
        free(buf);
        return fl_lex_err_col(c, fl_lex_col(c), "expected '\"' closing the string opened at column %d",
                           (int)(open - c->bol) + 1 + c->col0);
    }
    c->p++;
    buf[n] = '\0';
    *out = buf;
    return 0;
}
