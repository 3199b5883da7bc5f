/*
 * scenario_int.h — private to the scenario parser and the failpoint-spec
 * parser: a cursor over one line of text, and the token readers on it.
 *
 * Every reader either consumes its token and returns 0, or leaves the
 * cursor where the token should have started, fills the diagnostic with
 * "where:line:col: expected …" and returns -EINVAL. Readers never read past
 * c->end (the text need not be NUL-terminated).
 */
#ifndef FL_SCENARIO_INT_H
#define FL_SCENARIO_INT_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL__ID_MAX 63                     /* bytes of an id, as sv.h allows */
#define FL__DUR_MAX_NS (86400LL * 1000000000LL)

typedef struct fl__cur {
    const char *where;     /* name used in diagnostics */
    const char *bol;       /* start of the line: column 1 */
    const char *p;         /* current position */
    const char *end;       /* end of the line (excludes '\n', '\r') */
    int line;
    int col0;              /* column of bol minus 1 (for specs inside strings) */
    fl_diag *diag;
} fl__cur;

static inline int fl__col(const fl__cur *c) { return (int)(c->p - c->bol) + 1 + c->col0; }

/* Diagnostic at the cursor / at an explicit column; both return -EINVAL. */
int fl__err(fl__cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fl__err_col(fl__cur *c, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void fl__ws(fl__cur *c);           /* skip spaces and tabs */
bool fl__eol(fl__cur *c);          /* skip ws; at end of line or a '#' comment */
bool fl__peek(fl__cur *c, char ch);/* next byte is ch (no ws skipped) */
bool fl__lit(fl__cur *c, const char *s); /* consume s if it is next */
/* After a token: require a space, end of line or comment. `what` names the
 * token for the message. */
int fl__sep(fl__cur *c, const char *what);

/* [A-Za-z_][A-Za-z0-9_.-]*, at most FL__ID_MAX bytes, into buf (cap >
 * FL__ID_MAX). `what` is what the message says was expected. */
int fl__ident(fl__cur *c, char *buf, size_t cap, const char *what);
/* Same charset, but only reports whether one is next and how long. */
size_t fl__ident_len(const fl__cur *c);
/* Unsigned decimal up to max. */
int fl__u32(fl__cur *c, uint32_t max, uint32_t *out, const char *what);
int fl__u64(fl__cur *c, uint64_t *out, const char *what);
/* Optionally signed decimal int. */
int fl__int(fl__cur *c, int *out, const char *what);
/* Digits then ns|us|ms|s; at most FL__DUR_MAX_NS. */
int fl__dur(fl__cur *c, int64_t *ns);
/* A duration in whole milliseconds that fits a uint32. */
int fl__dur_ms(fl__cur *c, uint32_t *ms);
/* Percentage: digits [ '.' digits ] '%' in 0..100 -> parts per million.
 * min_ppm: the smallest accepted value (1 to forbid 0%). */
int fl__pct(fl__cur *c, uint32_t min_ppm, uint32_t *ppm);
/* "…" with escapes \" \\ \n \t; malloc'd copy in *out. No control bytes. */
int fl__string(fl__cur *c, char **out);

/* splitmix64 step and a string hash (FNV-1a), for seeded draws. */
uint64_t fl__mix(uint64_t *state);
uint64_t fl__hash(uint64_t h, const char *s);
static inline uint64_t fl__hash_u64(uint64_t h, uint64_t v) {
    uint64_t st = h ^ (v * 0x9E3779B97F4A7C15ULL);
    return fl__mix(&st);
}
/* True with probability ppm/1e6 given a 64-bit random value. */
static inline bool fl__draw(uint64_t r, uint32_t ppm) { return (r % 1000000u) < ppm; }

#endif
