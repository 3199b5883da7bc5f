/*
 * report_util.h — shared by the report writers' tests (tests/test_report*.c).
 * Header-only (static functions): each test binary includes it once.
 *
 * The fixture is a synthetic suite of six cases whose messages hold quotes,
 * angle brackets, "]]>", control bytes, invalid UTF-8 and very long lines,
 * with a small single-supervisor trace and a long two-supervisor one; setup
 * makes it and a fresh temporary directory, teardown removes both. The
 * helpers run shell commands (the real parsers: xmllint, python3,
 * reports/validate.sh), read files back and check that output is clean
 * UTF-8.
 */
#ifndef REPORT_UTIL_H
#define REPORT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"
#include "report_int.h"

/* ---- fixtures ------------------------------------------------------------- */

#define NASTY                                                                               \
    "quote\" apos' lt< gt> amp& cdata]]> ctl\x01\x02\x1b[31m\x1f del\x7f "                  \
    "bad\xff\xfe trunc\xe2\x82 overlong\xc0\xaf surrogate\xed\xa0\x80 c1\xc2\x85 "           \
    "ok \xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e nonchar\xef\xbf\xbe tab\there\r\nnext line "  \
    "backslash\\ hash# ls\xe2\x80\xa8 end"

#define REPLAY "faultline replay scenarios/race/crash_during_restart.scn --schedule fl1:AbC-12_x9"
#define SCHEDULE "fl1:AbC-12_x9"
#define LONG_TRACE 500

typedef struct fixture {
    char dir[64];
    char longmsg[12000];
    fl_event small[32];
    size_t nsmall;
    fl_event multi[LONG_TRACE];
    fl_case cases[6];
    fl_suite suite;
} fixture;

static inline void ev_add(fl_event *t, size_t *n, int kind, int64_t time_ns, const char *sup,
                          const char *child, uint32_t inc, int reason, const char *msg, const char *bt)
{
    fl_event *e = &t[*n];

    memset(e, 0, sizeof *e);
    e->ev.seq = *n + 1;
    e->ev.time_ns = time_ns;
    e->ev.kind = (sv_event_kind)kind;
    e->ev.sup = sup;
    e->ev.child = child;
    e->ev.incarnation = inc;
    e->ev.reason = reason;
    e->ev.message = msg;
    e->ev.backtrace = bt;
    if (kind == SV_EV_BACKOFF)
        e->ev.detail_ns = 250000000;
    if (kind == SV_EV_START_FAILED)
        e->ev.err = -EAGAIN;
    (*n)++;
}

/* A small single-supervisor trace: worker#1 crashes and is replaced by
 * worker#2, which hangs and is reported unstopped; "other#1" runs to the end;
 * intensity is exceeded and the supervisor shuts down. Events at equal
 * virtual times on purpose. */
static inline void build_small(fixture *fx)
{
    fl_event *t = fx->small;
    size_t n = 0;

    ev_add(t, &n, SV_EV_SUP_START, 0, "root", NULL, 0, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_START, 0, "root", "worker", 1, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_STARTED, 0, "root", "worker", 1, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_START, 0, "root", "other", 1, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_STARTED, 1000, "root", "other", 1, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_CRASH, 1500000, "root", "worker", 1, SV_EXIT_PANIC, NASTY,
           "#0 work (w.c:10)\n#1 <trampoline> & \"x\"\x01");
    ev_add(t, &n, SV_EV_LOGGED, 1500000, "root", "worker", 1, SV_EXIT_PANIC, NASTY,
           "#0 work (w.c:10)");
    ev_add(t, &n, SV_EV_STOP_REQUESTED, 1500000, "root", "worker", 1, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_JOINED, 1600000, "root", "worker", 1, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_RESTART, 1600000, "root", "worker", 0, SV_EXIT_PANIC, NULL, NULL);
    ev_add(t, &n, SV_EV_BACKOFF, 1600000, "root", "worker", 0, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_START_FAILED, 251600000, "root", "worker", 2, 0, "init: <EAGAIN>", NULL);
    ev_add(t, &n, SV_EV_START, 251700000, "root", "worker", 3, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_RESTARTED, 251700000, "root", "worker", 3, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_CRASH, 251800000, "root", "worker", 3, SV_EXIT_SIGNAL, "SIGSEGV", NULL);
    ev_add(t, &n, SV_EV_LOGGED, 251800000, "root", "worker", 3, SV_EXIT_SIGNAL, "SIGSEGV", NULL);
    ev_add(t, &n, SV_EV_STOP_REQUESTED, 251800000, "root", "worker", 3, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_UNSTOPPED, 256800000, "root", "worker", 3, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_INTENSITY_EXCEEDED, 256800000, "root", NULL, 0, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_SHUTDOWN, 256800000, "root", NULL, 0, SV_EXIT_SHUTDOWN, NULL, NULL);
    ev_add(t, &n, SV_EV_ESCALATED, 256800000, "root", NULL, 0, SV_EXIT_SHUTDOWN, NULL, NULL);
    fx->nsmall = n;
}

/* A long trace over two supervisors: LONG_TRACE events, incarnations of
 * "w\x01<x>" crashing and restarting over and over. */
static inline void build_multi(fixture *fx)
{
    fl_event *t = fx->multi;
    size_t n = 0;
    uint32_t inc = 1;

    ev_add(t, &n, SV_EV_SUP_START, 0, "root", NULL, 0, 0, NULL, NULL);
    ev_add(t, &n, SV_EV_SUP_START, 10, "inner\"sup", NULL, 0, 0, NULL, NULL);
    while (n + 6 <= LONG_TRACE) {
        int64_t t0 = (int64_t)n * 1000;
        ev_add(t, &n, SV_EV_STARTED, t0, "inner\"sup", "w\x01<x>", inc, 0, NULL, NULL);
        ev_add(t, &n, SV_EV_CRASH, t0 + 400, "inner\"sup", "w\x01<x>", inc, SV_EXIT_ERROR,
               fx->longmsg, NULL);
        ev_add(t, &n, SV_EV_LOGGED, t0 + 400, "inner\"sup", "w\x01<x>", inc, SV_EXIT_ERROR,
               "short", NULL);
        ev_add(t, &n, SV_EV_STOP_REQUESTED, t0 + 500, "inner\"sup", "w\x01<x>", inc, 0, NULL,
               NULL);
        ev_add(t, &n, SV_EV_JOINED, t0 + 600, "inner\"sup", "w\x01<x>", inc, 0, NULL, NULL);
        ev_add(t, &n, SV_EV_RESTART, t0 + 600, "inner\"sup", "w\x01<x>", 0, SV_EXIT_ERROR, NULL,
               NULL);
        inc++;
    }
    assert_int_equal(n, LONG_TRACE); /* 2 + 83 incarnations x 6 events */
}

static inline int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fl_case *c;
    size_t i;

    assert_non_null(fx);
    strcpy(fx->dir, "/tmp/fl_report_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    for (i = 0; i + 1 < sizeof fx->longmsg; i++)
        fx->longmsg[i] = "long line <&> \x02"[i % 15];
    build_small(fx);
    build_multi(fx);

    c = fx->cases;
    c[0] = (fl_case){.path = "scenarios/basic/one_for_one.scn", .name = "one_for_one basic",
                     .runs = 100, .time_s = 0.25, .passed = true, .seed = 0,
                     .trace = fx->small, .ntrace = 3};
    c[1] = (fl_case){.path = "scenarios/race/crash_during_restart.scn",
                     .name = "crash during <restart> & \"stop\"", .runs = 100, .failed_runs = 3,
                     .time_s = 1.5, .passed = false, .seed = 17,
                     .invariant = "joined_before_restart", .message = NASTY,
                     .schedule = SCHEDULE, .replay = REPLAY, .trace = fx->small,
                     .ntrace = fx->nsmall, .virtual_ns = 256800000};
    c[2] = (fl_case){.path = "scenarios/slow/soak.scn", .name = "soak # long",
                     .skipped = true, .skip_reason = "needs <root> & # time"};
    c[3] = (fl_case){.path = "scenarios/known-bad/no_join.scn", .name = "no_join (known-bad)",
                     .runs = 50, .failed_runs = 50, .time_s = 0.5, .expect_fail = true,
                     .expect_invariant = "join_once", .passed = true, .seed = 2,
                     .invariant = "join_once", .message = "joined twice",
                     .schedule = "fl1:zz", .replay = "faultline replay k.scn --schedule fl1:zz",
                     .trace = fx->small, .ntrace = fx->nsmall};
    c[4] = (fl_case){.path = "scenarios/known-bad/lost_report.scn", .name = "lost_report",
                     .runs = 50, .time_s = 0.5, .expect_fail = true,
                     .expect_invariant = "no_lost_report", .passed = false, .seed = 0};
    c[5] = (fl_case){.path = "scenarios/nested/escalate.scn", .name = "escalate\nnested",
                     .runs = 10, .failed_runs = 10, .time_s = 0.125, .passed = false, .seed = 3,
                     .invariant = "shutdown_completes", .message = fx->longmsg,
                     .schedule = "fl1:q", .replay = "faultline replay x.scn --schedule fl1:q",
                     .trace = fx->multi, .ntrace = LONG_TRACE, .virtual_ns = 499000};
    fx->suite = (fl_suite){.name = "faultline", .strategy = "pct", .depth = 3, .seed_lo = 0,
                           .seed_hi = 100, .shard = "1/2", .timestamp = 1714564800,
                           .time_s = 2.875, .cases = fx->cases, .ncases = 6};
    *state = fx;
    return 0;
}

static inline int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------- */

static inline char *path_in(const fixture *fx, const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];

    snprintf(p, sizeof buf[0], "%s/%s", fx->dir, name);
    return p;
}

/* Runs a shell command; returns its exit status (-1 if it did not exit). */
static inline int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int st, n;

    va_start(ap, fmt);
    n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd) {
        print_error("command too long (%d bytes)\n", n);
        return -1;
    }
    fflush(stdout);
    st = system(cmd);
    if (st == -1 || !WIFEXITED(st)) {
        print_error("command did not exit normally: %s\n", cmd);
        return -1;
    }
    if (WEXITSTATUS(st) != 0)
        print_error("exit %d: %s\n", WEXITSTATUS(st), cmd);
    return WEXITSTATUS(st);
}

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return p;
}

static inline void write_file(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Every byte sequence is valid UTF-8 and no control byte other than tab,
 * newline and CR appears. */
static inline void assert_clean_utf8(const char *p, size_t n)
{
    size_t i = 0, len;
    uint32_t cp;

    while (i < n) {
        len = fl_report__utf8_next((const unsigned char *)p + i, n - i, &cp);
        if (len == 0)
            fail_msg("invalid UTF-8 at byte %zu", i);
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f)
            fail_msg("raw control byte 0x%02x at byte %zu", (unsigned)cp, i);
        i += len;
    }
}

static inline void assert_file_clean(const char *path)
{
    size_t n;
    char *p = slurp(path, &n);

    assert_clean_utf8(p, n);
    free(p);
}

/* Counts report temporaries in dir: names containing ".tmp." (the old
 * scheme) or starting with ".flrep." (output.c). */
static inline int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL || strncmp(e->d_name, ".flrep.", 7) == 0;
    closedir(d);
    return n;
}

static inline char *escape_to_string(void (*fn)(FILE *, const char *, size_t), const char *s, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    fn(f, s, n);
    assert_int_equal(fclose(f), 0);
    return out;
}

/* A file of this source tree (validate.sh, junit.xsd), from the working
 * directory or relative to this file. */
static inline const char *src_file(const char *rel)
{
    static char buf[2][512];
    static int k;
    char *p = buf[k++ % 2];
    const char *slash = strrchr(__FILE__, '/');

    if (access(rel, R_OK) == 0)
        return rel;
    snprintf(p, sizeof buf[0], "%.*s/../%s", slash ? (int)(slash - __FILE__) : 1,
             slash ? __FILE__ : ".", rel);
    if (access(p, R_OK) != 0)
        fail_msg("cannot find %s (run from the repository root)", rel);
    return p;
}

#endif
