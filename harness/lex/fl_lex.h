/*
 * fl_lex.h — the lexical layer shared by the scenario language and the
 * failpoint-spec grammar (prefix fl_lex_): one parse diagnostic, a cursor over
 * one line of text, and the token readers on it.
 *
 * A diagnostic always reads "WHERE:LINE:COL: expected …" (or "…: MESSAGE"
 * for errors that are not about a missing token, e.g. a duplicate id). WHERE
 * is the scenario file, the scenario name given to fl_scenario_parse_str,
 * "failpoint" for a bare failpoint spec, or "FAULTLINE_FAILPOINTS".
 * Lines and columns are 1-based; columns count bytes.
 */
#ifndef FL_LEX_H
#define FL_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_LEX_DIAG_MAX 512

typedef struct fl_lex_diag {
    int line;               /* 1-based; 0 when the error has no position (I/O) */
    int col;                /* 1-based byte column; 0 when no position */
    char text[FL_LEX_DIAG_MAX]; /* the whole line, "file:line:col: expected …" */
} fl_lex_diag;

/* Fill d (may be NULL: nothing happens) with "where:line:col: " + the
 * printf-formatted message; truncates to FL_LEX_DIAG_MAX. Never fails. */
void fl_lex_diag_set(fl_lex_diag *d, const char *where, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * The token readers.
 *
 * Every reader either consumes its token and returns 0, or leaves the
 * cursor where the token should have started, fills the diagnostic with
 * "where:line:col: expected …" and returns -EINVAL. Readers never read past
 * c->end (the text need not be NUL-terminated).
 */

#define FL_LEX_ID_MAX 63                     /* bytes of an id, as sv.h allows */
#define FL_LEX_DUR_MAX_NS (86400LL * 1000000000LL)

typedef struct fl_lex_cur {
    const char *where;     /* name used in diagnostics */
    const char *bol;       /* start of the line: column 1 */
    const char *p;         /* current position */
    const char *end;       /* end of the line (excludes '\n', '\r') */
    int line;
    int col0;              /* column of bol minus 1 (for specs inside strings) */
    fl_lex_diag *diag;
} fl_lex_cur;

static inline int fl_lex_col(const fl_lex_cur *c) { return (int)(c->p - c->bol) + 1 + c->col0; }

/* Diagnostic at the cursor / at an explicit column; both return -EINVAL. */
int fl_lex_err(fl_lex_cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fl_lex_err_col(fl_lex_cur *c, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void fl_lex_ws(fl_lex_cur *c);           /* skip spaces and tabs */
bool fl_lex_eol(fl_lex_cur *c);          /* skip ws; at end of line or a '#' comment */
bool fl_lex_peek(fl_lex_cur *c, char ch);/* next byte is ch (no ws skipped) */
bool fl_lex_lit(fl_lex_cur *c, const char *s); /* consume s if it is next */
/* After a token: require a space, end of line or comment. `what` names the
 * token for the message. */
int fl_lex_sep(fl_lex_cur *c, const char *what);

/* [A-Za-z_][A-Za-z0-9_.-]*, at most FL_LEX_ID_MAX bytes, into buf (cap >
 * FL_LEX_ID_MAX). `what` is what the message says was expected. */
int fl_lex_ident(fl_lex_cur *c, char *buf, size_t cap, const char *what);
/* Same charset, but only reports whether one is next and how long. */
size_t fl_lex_ident_len(const fl_lex_cur *c);
/* Unsigned decimal up to max. */
int fl_lex_u32(fl_lex_cur *c, uint32_t max, uint32_t *out, const char *what);
int fl_lex_u64(fl_lex_cur *c, uint64_t *out, const char *what);
/* Optionally signed decimal int. */
int fl_lex_int(fl_lex_cur *c, int *out, const char *what);
/* Digits then ns|us|ms|s; at most FL_LEX_DUR_MAX_NS. */
int fl_lex_dur(fl_lex_cur *c, int64_t *ns);
/* A duration in whole milliseconds that fits a uint32. */
int fl_lex_dur_ms(fl_lex_cur *c, uint32_t *ms);
/* Percentage: digits [ '.' digits ] '%' in 0..100 -> parts per million.
 * min_ppm: the smallest accepted value (1 to forbid 0%). */
int fl_lex_pct(fl_lex_cur *c, uint32_t min_ppm, uint32_t *ppm);
/* "…" with escapes \" \\ \n \t; malloc'd copy in *out. No control bytes. */
int fl_lex_string(fl_lex_cur *c, char **out);

#endif
