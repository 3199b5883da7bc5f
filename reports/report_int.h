/*
 * report_int.h — private helpers shared by the report writers (prefix
 * fl_report__). Not installed, not part of the public contract.
 */
#ifndef FL_REPORT_INT_H
#define FL_REPORT_INT_H

#include "report.h"

#include <stdarg.h>

/* ---- output files (output.c) ------------------------------------------------ */

/* Writes the whole report to f; returns 0 or a negative errno (only for
 * failures other than stream errors, which the caller detects with ferror). */
typedef int (*fl_report__body_fn)(FILE *f, const void *ctx);

typedef enum fl_report__tgt_kind {
    FL_REPORT__TGT_ATOMIC, /* regular file or new name: temp + rename */
    FL_REPORT__TGT_DIRECT, /* FIFO, device, socket, /dev/fd/N: written in place */
    FL_REPORT__TGT_STDOUT, /* "-" or /dev/stdout: the stdout stream */
} fl_report__tgt_kind;

/* What a report path turns out to be. path: the name written (symlinks
 * followed for ATOMIC; as given for DIRECT; empty for STDOUT). */
typedef struct fl_report__tgt {
    fl_report__tgt_kind kind;
    bool exists;   /* ATOMIC: the target exists (a regular file) */
    bool regular;  /* the target is a regular file (truncate / keep its mode) */
    unsigned mode; /* ATOMIC && regular: its permission bits */
    char path[4096];
} fl_report__tgt;

/* Classifies path (rules at the top of output.c). 0, -EINVAL (empty),
 * -EISDIR, -ELOOP, -ENAMETOOLONG, or the errno of stat/lstat/readlink
 * (-ENOENT for a /dev/fd/N that is not open). */
int fl_report__target(const char *path, fl_report__tgt *t);

/* Writes body to path without destroying anything (output.c): a regular
 * file or new name is replaced atomically through a hidden ".flrep.XXXXXX"
 * temporary in the same directory (registered for fl_report_cleanup_tmp);
 * a symlink's target is replaced, the link kept; FIFOs, devices, sockets
 * and /dev/fd/N are written in place; "-" and /dev/stdout go to stdout. On
 * any failure the temporary is removed, an atomically replaced target is
 * untouched, and the negative errno is returned (-EIO when a stream failed
 * without errno). */
int fl_report__write_atomic(const char *path, fl_report__body_fn body, const void *ctx);

/* mkdir -p: creates dir and its missing parents (mode 0777 & ~umask).
 * 0, or a negative errno (-ENOTDIR when a component is not a directory). */
int fl_report__mkdir_p(const char *dir);

/* ---- growable byte buffer ---------------------------------------------------- */

/* Owns p (NUL-terminated once anything was added). err is sticky: after an
 * allocation failure every append is a no-op and err == -ENOMEM. */
typedef struct fl_report__buf {
    char *p;
    size_t len, cap;
    int err;
} fl_report__buf;

void fl_report__buf_add(fl_report__buf *b, const char *s, size_t n);
void fl_report__buf_puts(fl_report__buf *b, const char *s); /* s may be NULL */
void fl_report__buf_printf(fl_report__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *fl_report__buf_str(const fl_report__buf *b); /* "" when empty */
void fl_report__buf_free(fl_report__buf *b);

/* ---- escaping ----------------------------------------------------------------- */

typedef enum fl_report__esc {
    FL_REPORT__ESC_ATTR, /* XML/HTML attribute value (also valid as text) */
    FL_REPORT__ESC_TEXT, /* XML/HTML element text: tab, newline and quotes raw */
    FL_REPORT__ESC_JSON, /* JSON string body, also a valid YAML "…" body */
} fl_report__esc;

/* Writes src[0..n) escaped for mode. Invalid UTF-8 becomes U+FFFD; in the
 * markup modes C0 controls other than tab/newline/CR and DEL become the
 * visible text \xNN, C1 controls \u00NN, U+FFFE/U+FFFF become U+FFFD. */
void fl_report__escape(FILE *out, const char *src, size_t n, fl_report__esc mode);
/* Same for a NUL-terminated string; NULL writes nothing. */
void fl_report__esc_str(FILE *out, const char *s, fl_report__esc mode);
/* Writes "…" (escaped JSON string) or null for NULL. */
void fl_report__json_str(FILE *out, const char *s);

/* Decodes one UTF-8 scalar value at s[0..n), n > 0. Returns its length
 * (1..4) and *cp, or 0 when s does not start a valid, shortest-form,
 * non-surrogate sequence <= U+10FFFF. */
size_t fl_report__utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* ---- numbers and times (locale-independent) -------------------------------- */

/* x with `decimals` (0..9) fractional digits; non-finite as "0". */
void fl_report__fmt_fixed(char *buf, size_t cap, double x, int decimals);
/* ns as microseconds with 3 decimals ("12.345"), sign kept. */
void fl_report__fmt_us(char *buf, size_t cap, int64_t ns);
/* Human duration of a virtual time: "0 s", "850 ns", "12.5 µs", "1.25 ms",
 * "3.000001 s". */
void fl_report__fmt_vtime(char *buf, size_t cap, int64_t ns);
/* Unix seconds as ISO 8601 UTC without zone designator, "2024-05-01T12:00:00";
 * with_z appends "Z". */
void fl_report__fmt_iso8601(char *buf, size_t cap, int64_t unix_s, bool with_z);

/* ---- events -------------------------------------------------------------------- */

/* Whether ev.reason means something for this kind (as in libsv's log line).
 * Event and exit names come from libsv: sv_event_kind_name, sv_exit_name. */

/* Appends ev as libsv's one-line log format (sv_event_format, no newline):
 *   "sv[root] #12 t=0.001250 crash child=worker inc=3 reason=panic msg=\"…\""
 * Control bytes in strings appear as \n, \xNN; other bytes are copied as
 * they are (the caller's escaper deals with invalid UTF-8). Lines longer
 * than 320 bytes are cut, ending in "… (+N bytes)". */
void fl_report__event_line(fl_report__buf *b, const sv_event *ev);

/* The last CRASH event of c's trace that carries a backtrace (the crash a
 * failing run ended with, as a rule), or NULL. */
const sv_event *fl_report__last_crash(const fl_case *c);

/* ev's backtrace made readable (fl_report_symbolize): malloc'ed, the caller
 * frees; NULL when ev has none or memory ran out (then callers print
 * nothing, or the raw text via ev->backtrace). */
char *fl_report__backtrace(const sv_event *ev);

/* The event sequence numbers a failure message names in its "[events #a
 * #b …]" groups (the runner's violation format), sorted, duplicates kept
 * out, into a malloc'ed *seqs (NULL when none). 0 or -ENOMEM. */
int fl_report__named_events(const char *msg, uint64_t **seqs, size_t *n);
/* Whether seq is in the sorted seqs[0..n). */
bool fl_report__seq_in(const uint64_t *seqs, size_t n, uint64_t seq);

/* Verdict words used across formats: "pass", "fail", "skip", "xfail"
 * (expect_fail case that failed as expected). */
const char *fl_report__verdict(const fl_case *c);
/* One-line reason for a failing case ("invariant X violated", "expected
 * invariant X to fail, but no run failed", ...) into b. */
void fl_report__failure_title(fl_report__buf *b, const fl_case *c);

/* ---- timeline: lanes (supervisors, child incarnations) and spans ----------- */

typedef struct fl_report__lane {
    const char *sup;       /* supervisor name (borrowed from the trace) */
    const char *child;     /* NULL for a supervisor's own lane */
    uint32_t incarnation;
    size_t first, last;    /* first and last event index on this lane */
    size_t nevents;
    bool has_span;         /* a STARTED/RESTARTED was seen */
    bool span_closed;      /* ... and a JOINED/UNSTOPPED after it */
    size_t span_begin, span_end; /* event indexes; span_end = last event of
                                    the trace while the span is open */
    int span_end_kind;     /* SV_EV_JOINED, SV_EV_UNSTOPPED, or -1 (open) */
    size_t ended;          /* first CRASH/EXIT inside the span, SIZE_MAX if none */
} fl_report__lane;

typedef struct fl_report__timeline {
    fl_report__lane *lanes; /* display order: supervisors, then incarnations
                               in order of first appearance */
    size_t nlanes;
    uint32_t *lane_of;      /* per event: index into lanes */
    size_t nevents;
    bool multi_sup;         /* more than one supervisor name in the trace */
} fl_report__timeline;

/* Builds the lanes of ev[0..n). 0 or -ENOMEM; free with timeline_free. */
int fl_report__timeline_build(const fl_event *ev, size_t n, fl_report__timeline *tl);
void fl_report__timeline_free(fl_report__timeline *tl);
/* Appends the lane's display name: "supervisor root", "worker#3", or
 * "root/worker#3" when the trace has several supervisors. */
void fl_report__lane_name(const fl_report__timeline *tl, const fl_report__lane *l,
                          fl_report__buf *b);

/* ---- Chrome trace (trace.c) ----------------------------------------------------- */

/* Appends the trace file name fl_report_trace uses for a scenario path:
 * the path with every byte other than [A-Za-z0-9_-] turned into '_' (so
 * "scenarios/a/b.scn" gives "scenarios_a_b_scn.json"); long names are cut
 * and end in a hash of the whole path; NULL or "" gives "case.json". */
void fl_report__trace_name(fl_report__buf *b, const char *path);

/* ---- HTML timeline (html_svg.c) ------------------------------------------------- */

/* Writes an inline <svg> timeline of c's trace (its last events when the
 * trace is long), a lane per thread when c->threads is filled, the legend
 * and a short caption; writes a sentence instead when the case has no
 * trace. Events whose seq is in hl[0..nhl) (sorted) get class "ev hl", a
 * ring, and id "case-ID-tl-SEQ". 0 or -ENOMEM. */
int fl_report__html_timeline(FILE *f, const fl_case *c, size_t id, const uint64_t *hl,
                             size_t nhl);
/* The marker of an event kind centred at (x, y); the legend draws every
 * kind's marker at (9, 9) (tests check that each one appears there). */
void fl_report__svg_marker(FILE *f, int kind, double x, double y);

#endif
