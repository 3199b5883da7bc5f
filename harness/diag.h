/*
 * diag.h — one parse diagnostic, shared by the scenario parser and the
 * failpoint-spec parser (prefix fl_diag_).
 *
 * A diagnostic always reads "WHERE:LINE:COL: expected …" (or "…: MESSAGE"
 * for errors that are not about a missing token, e.g. a duplicate id). WHERE
 * is the scenario file, the scenario name given to fl_scenario_parse_str,
 * "failpoint" for a bare failpoint spec, or "FAULTLINE_FAILPOINTS".
 * Lines and columns are 1-based; columns count bytes.
 */
#ifndef FL_DIAG_H
#define FL_DIAG_H

#include <stddef.h>

#define FL_DIAG_MAX 512

typedef struct fl_diag {
    int line;               /* 1-based; 0 when the error has no position (I/O) */
    int col;                /* 1-based byte column; 0 when no position */
    char text[FL_DIAG_MAX]; /* the whole line, "file:line:col: expected …" */
} fl_diag;

/* Fill d (may be NULL: nothing happens) with "where:line:col: " + the
 * printf-formatted message; truncates to FL_DIAG_MAX. Never fails. */
void fl_diag_set(fl_diag *d, const char *where, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
