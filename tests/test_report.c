/*
 * test_report.c — the report writers: every format written from a synthetic
 * suite whose messages hold quotes, angle brackets, "]]>", control bytes,
 * invalid UTF-8 and very long lines, then checked with real parsers
 * (xmllint, python3's json and html.parser, reports/validate.sh) and for
 * content; the escapers exactly and on random bytes; atomic writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

static void ev_add(fl_event *t, size_t *n, int kind, int64_t time_ns, const char *sup,
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
static void build_small(fixture *fx)
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
static void build_multi(fixture *fx)
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

static int setup(void **state)
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

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------- */

static char *path_in(const fixture *fx, const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];

    snprintf(p, sizeof buf[0], "%s/%s", fx->dir, name);
    return p;
}

/* Runs a shell command; returns its exit status (-1 if it did not exit). */
static int run(const char *fmt, ...)
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

static char *slurp(const char *path, size_t *len)
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

static void write_file(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Every byte sequence is valid UTF-8 and no control byte other than tab,
 * newline and CR appears. */
static void assert_clean_utf8(const char *p, size_t n)
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

static void assert_file_clean(const char *path)
{
    size_t n;
    char *p = slurp(path, &n);

    assert_clean_utf8(p, n);
    free(p);
}

/* Counts files in dir whose name contains ".tmp." */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static char *escape_to_string(void (*fn)(FILE *, const char *, size_t), const char *s, size_t n)
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
static const char *src_file(const char *rel)
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

/* ---- escaping ------------------------------------------------------------------- */

static void test_xml_escape_exact(void **state)
{
    static const struct {
        const char *in;
        size_t n;
        const char *out;
    } cases[] = {
        {"a<b>&c", 6, "a&lt;b&gt;&amp;c"},
        {"\"'", 2, "&quot;&#39;"},
        {"]]>", 3, "]]&gt;"},
        {"t\tn\nr\r", 6, "t&#9;n&#10;r&#13;"},
        {"\x01\x1f\x7f", 3, "\\x01\\x1f\\x7f"},
        {"nul\0x", 5, "nul\\x00x"},
        {"\xff", 1, "\xef\xbf\xbd"},
        {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xef\xbf\xbe", 3, "\xef\xbf\xbd"},
        {"\xc2\x85", 2, "\\u0085"},
        {"\xc3\xa9\xf0\x9d\x84\x9e", 6, "\xc3\xa9\xf0\x9d\x84\x9e"},
        {"back\\slash", 10, "back\\slash"},
        {"", 0, ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = escape_to_string(fl_report_xml_escape, cases[i].in, cases[i].n);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

static void test_json_escape_exact(void **state)
{
    static const struct {
        const char *in;
        size_t n;
        const char *out;
    } cases[] = {
        {"a\"b\\c/", 6, "a\\\"b\\\\c/"},
        {"\n\r\t\b\f", 5, "\\n\\r\\t\\b\\f"},
        {"\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f"},
        {"nul\0x", 5, "nul\\u0000x"},
        {"\xff\xfe", 2, "\\ufffd\\ufffd"},
        {"\xe2\x80\xa8\xe2\x80\xa9", 6, "\\u2028\\u2029"},
        {"\xc2\x85", 2, "\\u0085"},
        {"\xef\xbb\xbf\xef\xbf\xbf", 6, "\\ufeff\\uffff"},
        {"<>&'", 4, "<>&'"},
        {"\xc3\xa9\xf0\x9d\x84\x9e", 6, "\xc3\xa9\xf0\x9d\x84\x9e"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = escape_to_string(fl_report_json_escape, cases[i].in, cases[i].n);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

/* Valid UTF-8 with every control byte survives JSON escaping unchanged,
 * as read back by python3's json module. */
static void test_json_escape_roundtrip(void **state)
{
    fixture *fx = *state;
    char in[256], *esc;
    size_t n = 0, got_n;
    unsigned c;
    FILE *f;
    char *got;

    for (c = 1; c < 0x20; c++)
        in[n++] = (char)c;
    static const char tail[] = "\x7f\"\\/ <tag> \xc3\xa9 \xe2\x80\xa8 \xf0\x9d\x84\x9e end";
    memcpy(in + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    esc = escape_to_string(fl_report_json_escape, in, n);
    f = fopen(path_in(fx, "rt.json"), "w");
    assert_non_null(f);
    fprintf(f, "{\"s\": \"%s\"}\n", esc);
    fclose(f);
    free(esc);
    assert_int_equal(run("python3 -c 'import json,sys; sys.stdout.buffer.write("
                         "json.load(open(sys.argv[1]))[\"s\"].encode(\"utf-8\"))' %s > %s",
                         path_in(fx, "rt.json"), path_in(fx, "rt.out")),
                     0);
    got = slurp(path_in(fx, "rt.out"), &got_n);
    assert_int_equal(got_n, n);
    assert_memory_equal(got, in, n);
    free(got);
}

/* Random bytes: escaped output is clean UTF-8, and xmllint / python parse
 * a document made of thousands of such strings. */
static void test_escape_random_bytes(void **state)
{
    fixture *fx = *state;
    FILE *x = fopen(path_in(fx, "rand.xml"), "w"), *j = fopen(path_in(fx, "rand.json"), "w");
    uint64_t r = 0x9e3779b97f4a7c15ull;
    char s[64];
    int i, k, n;

    assert_non_null(x);
    assert_non_null(j);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n", x);
    fputs("[\n", j);
    for (i = 0; i < 3000; i++) {
        char *ex, *ej;
        n = i % 64;
        for (k = 0; k < n; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            /* bias toward the interesting bytes */
            s[k] = k % 3 ? (char)(r & 0xff) : "<>&\"']\x01\x7f\xc3\xe2\xf0\xed\x80\xbf"[r % 14];
        }
        ex = escape_to_string(fl_report_xml_escape, s, (size_t)n);
        ej = escape_to_string(fl_report_json_escape, s, (size_t)n);
        assert_clean_utf8(ex, strlen(ex));
        assert_clean_utf8(ej, strlen(ej));
        fprintf(x, "<s a=\"%s\">%s</s>\n", ex, ex);
        fprintf(j, "%s\"%s\"\n", i ? "," : "", ej);
        free(ex);
        free(ej);
    }
    fputs("</r>\n", x);
    fputs("]\n", j);
    assert_int_equal(fclose(x), 0);
    assert_int_equal(fclose(j), 0);
    assert_int_equal(run("xmllint --noout %s", path_in(fx, "rand.xml")), 0);
    assert_int_equal(run("python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1])))"
                         " == 3000' %s",
                         path_in(fx, "rand.json")),
                     0);
}

/* ---- the formats ------------------------------------------------------------------- */

static void test_failed_count(void **state)
{
    fixture *fx = *state;

    assert_int_equal(fl_report_failed(&fx->suite), 3); /* cases 1, 4, 5 */
    assert_int_equal(fl_report_failed(NULL), 0);
}

static void test_junit(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "junit.xml");
    char *x;
    size_t n;

    assert_int_equal(fl_report_junit(&fx->suite, p), 0);
    assert_int_equal(run("xmllint --noout %s", p), 0);
    assert_int_equal(run("xmllint --noout --schema %s %s 2>/dev/null",
                         src_file("reports/junit.xsd"), p),
                     0);
    assert_int_equal(run("test \"$(xmllint --xpath 'string(/testsuites/testsuite/@tests)' %s)\""
                         " = 6", p), 0);
    assert_int_equal(run("test \"$(xmllint --xpath 'string(/testsuites/testsuite/@failures)' %s)\""
                         " = 3", p), 0);
    assert_int_equal(run("test \"$(xmllint --xpath 'string(/testsuites/testsuite/@skipped)' %s)\""
                         " = 1", p), 0);
    assert_int_equal(run("test \"$(xmllint --xpath 'count(//testcase/failure)' %s)\" = 3", p), 0);
    assert_int_equal(run("test \"$(xmllint --xpath 'count(//testcase/skipped)' %s)\" = 1", p), 0);
    assert_int_equal(run("test \"$(xmllint --xpath 'string(//property[@name=\"strategy\"]/@value)'"
                         " %s)\" = pct", p), 0);
    assert_int_equal(run("test \"$(xmllint --xpath 'string(//property[@name=\"shard\"]/@value)'"
                         " %s)\" = 1/2", p), 0);
    assert_int_equal(run("test \"$(xmllint --xpath 'string(/testsuites/testsuite/@timestamp)' %s)\""
                         " = 2024-05-01T12:00:00", p), 0);
    /* the failing case: classname = path, failure of type invariant */
    assert_int_equal(run("xmllint --xpath 'string(//testcase[@classname=\"scenarios/race/"
                         "crash_during_restart.scn\"]/failure/@type)' %s | grep -qx invariant", p),
                     0);
    x = slurp(p, &n);
    assert_clean_utf8(x, n);
    assert_non_null(strstr(x, "replay: " REPLAY "\n"));
    assert_non_null(strstr(x, "schedule: " SCHEDULE "\n"));
    assert_non_null(strstr(x, "invariant: joined_before_restart\n"));
    assert_non_null(strstr(x, "message=\"invariant joined_before_restart violated (seed 17"));
    assert_non_null(strstr(x, "cdata]]&gt;"));
    assert_null(strstr(x, "]]>"));
    assert_non_null(strstr(x, "name=\"crash during &lt;restart&gt; &amp; &quot;stop&quot;\""));
    assert_non_null(strstr(x, "last 60 of 500 events"));
    assert_non_null(strstr(x, "last 21 of 21 events"));
    assert_non_null(strstr(x, "type=\"expect_fail\""));
    assert_non_null(strstr(x, "<skipped message=\"needs &lt;root&gt; &amp; # time\"/>"));
    free(x);
}

static void test_tap(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "results.tap");
    char *t;
    size_t n;

    assert_int_equal(fl_report_tap(&fx->suite, p), 0);
    t = slurp(p, &n);
    assert_clean_utf8(t, n);
    assert_memory_equal(t, "TAP version 14\n", 15);
    assert_non_null(strstr(t, "\n1..6\n"));
    assert_non_null(strstr(t, "\nok 1 - one_for_one basic\n"));
    assert_non_null(strstr(t, "\nnot ok 2 - crash during <restart> & \"stop\"\n  ---\n"));
    assert_non_null(strstr(t, "\n  invariant: \"joined_before_restart\"\n"));
    assert_non_null(strstr(t, "\n  seed: 17\n"));
    assert_non_null(strstr(t, "\n  schedule: \"" SCHEDULE "\"\n"));
    assert_non_null(strstr(t, "\n  replay: \"" REPLAY "\"\n  ...\n"));
    assert_non_null(strstr(t, "\nok 3 - soak \\# long # SKIP needs <root> & \\# time\n"));
    assert_non_null(strstr(t, "\nok 4 - no_join (known-bad) (known-bad: invariant join_once "
                              "failed as expected)\n"));
    assert_non_null(strstr(t, "\nnot ok 5 - lost_report\n"));
    assert_non_null(strstr(t, "\nnot ok 6 - escalate nested\n")); /* newline flattened */
    free(t);
    /* structure and YAML through the validator's TAP check */
    assert_int_equal(run("mkdir -p %s/taponly && cp %s %s/taponly/ && sh %s %s/taponly >/dev/null",
                         fx->dir, p, fx->dir, src_file("reports/validate.sh"), fx->dir),
                     0);
}

/* The YAML blocks carry the exact strings: PyYAML reads message back as
 * the JSON escaper meant it (skipped when PyYAML is not installed). */
static void test_tap_yaml_roundtrip(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "y.tap");

    assert_int_equal(fl_report_tap(&fx->suite, p), 0);
    if (run("python3 -c 'import yaml' 2>/dev/null") != 0)
        skip();
    assert_int_equal(
        run("python3 -c '\n"
            "import sys, yaml\n"
            "lines = open(sys.argv[1], encoding=\"utf-8\").read().split(\"\\n\")\n"
            "a = lines.index(\"  ---\"); b = lines.index(\"  ...\")\n"
            "d = yaml.safe_load(\"\\n\".join(l[2:] for l in lines[a + 1:b]))\n"
            "assert d[\"seed\"] == 17 and d[\"failed_runs\"] == 3, d\n"
            "assert d[\"replay\"] == \"" REPLAY "\", d\n"
            "m = d[\"message\"]\n"
            "assert m.startswith(\"quote\\\" apos\\x27 lt< gt> amp& cdata]]> ctl\\x01\\x02\\x1b\"), m\n"
            "assert \"tab\\there\\r\\nnext line\" in m and \"\\ufffd\" in m, m\n"
            "' %s",
            p),
        0);
}

static void test_tap_stdout(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "stdout.tap");
    int saved, fd;
    char *t;

    fflush(stdout);
    saved = dup(1);
    assert_true(saved >= 0);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, 1), 1);
    close(fd);
    assert_int_equal(fl_report_tap(&fx->suite, "-"), 0);
    fflush(stdout);
    assert_int_equal(dup2(saved, 1), 1);
    close(saved);
    t = slurp(p, NULL);
    assert_memory_equal(t, "TAP version 14\n", 15);
    assert_non_null(strstr(t, "\nnot ok 2 - "));
    free(t);
}

static void test_json(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "results.json");

    write_file(path_in(fx, "nasty.bin"), NASTY, sizeof NASTY - 1);
    assert_int_equal(fl_report_json(&fx->suite, p), 0);
    assert_file_clean(p);
    assert_int_equal(run("python3 -c 'import json,sys; json.load(open(sys.argv[1]))' %s", p), 0);
    assert_int_equal(
        run("python3 -c '\n"
            "import json, sys\n"
            "d = json.load(open(sys.argv[1]))\n"
            "raw = open(sys.argv[2], \"rb\").read()\n"
            "assert d[\"schema\"] == \"faultline-results/1\"\n"
            "s = d[\"suite\"]\n"
            "assert (s[\"strategy\"], s[\"depth\"], s[\"seed_lo\"], s[\"seed_hi\"], s[\"shard\"]) =="
            " (\"pct\", 3, 0, 100, \"1/2\"), s\n"
            "assert s[\"timestamp_iso\"] == \"2024-05-01T12:00:00Z\" and s[\"time_s\"] == 2.875\n"
            "c = d[\"counts\"]\n"
            "assert c == dict(cases=6, passed=2, failed=3, skipped=1, xfail=1, runs=310,"
            " failed_runs=63), c\n"
            "k = d[\"cases\"]\n"
            "assert [x[\"verdict\"] for x in k] == [\"pass\", \"fail\", \"skip\", \"xfail\","
            " \"fail\", \"fail\"]\n"
            "f = k[1]\n"
            "assert f[\"invariant\"] == \"joined_before_restart\" and f[\"seed\"] == 17\n"
            "assert f[\"replay\"] == \"" REPLAY "\" and f[\"schedule\"] == \"" SCHEDULE "\"\n"
            "assert f[\"runs\"] == 100 and f[\"failed_runs\"] == 3 and f[\"passed\"] is False\n"
            "assert f[\"virtual_ns\"] == 256800000 and f[\"time_s\"] == 1.5\n"
            "assert f[\"trace_file\"] == \"scenarios_race_crash_during_restart_scn.json\"\n"
            "assert f[\"message\"].replace(\"\\ufffd\", \"\") == raw.decode(\"utf-8\", \"ignore\")\n"
            "assert k[2][\"skip_reason\"] == \"needs <root> & # time\"\n"
            "assert k[3][\"expect_fail\"] and k[3][\"expect_invariant\"] == \"join_once\"\n"
            "assert len(k[5][\"message\"]) == 11999\n"
            "' %s %s",
            p, path_in(fx, "nasty.bin")),
        0);
}

static void test_trace(void **state)
{
    fixture *fx = *state;
    char dir[128], *p;

    snprintf(dir, sizeof dir, "%s/not/yet/trace", fx->dir); /* created with parents */
    assert_int_equal(fl_report_trace(&fx->cases[1], dir), 0);
    p = path_in(fx, "not/yet/trace/scenarios_race_crash_during_restart_scn.json");
    assert_file_clean(p);
    assert_int_equal(
        run("python3 -c '\n"
            "import json, sys\n"
            "d = json.load(open(sys.argv[1]))\n"
            "assert d[\"displayTimeUnit\"] == \"ms\"\n"
            "ev = d[\"traceEvents\"]\n"
            "names = {e[\"tid\"]: e[\"args\"][\"name\"] for e in ev if e[\"ph\"] == \"M\" and"
            " e[\"name\"] == \"thread_name\"}\n"
            "assert sorted(names.values()) == sorted([\"supervisor root\", \"worker#1\","
            " \"other#1\", \"worker#2\", \"worker#3\"]), names\n"
            "used = {e[\"tid\"] for e in ev if e[\"ph\"] != \"M\"}\n"
            "assert used == set(names), (used, names)\n"
            "x = {names[e[\"tid\"]]: e for e in ev if e[\"ph\"] == \"X\"}\n"
            "assert sorted(x) == [\"other#1\", \"worker#1\", \"worker#3\"], x\n"
            "assert all(e[\"dur\"] >= 0 for e in x.values())\n"
            "assert x[\"worker#1\"][\"ts\"] == 0 and x[\"worker#1\"][\"dur\"] == 1600\n"
            "assert x[\"worker#1\"][\"args\"][\"ended_by\"] == \"joined\"\n"
            "assert x[\"worker#3\"][\"args\"][\"ended_by\"] == \"unstopped\"\n"
            "assert x[\"other#1\"][\"ts\"] == 1 and x[\"other#1\"][\"dur\"] == 256799\n"
            "assert x[\"other#1\"][\"args\"][\"ended_by\"].startswith(\"end of trace\")\n"
            "b = sum(e[\"ph\"] == \"B\" for e in ev); e_ = sum(e[\"ph\"] == \"E\" for e in ev)\n"
            "assert b == e_\n"
            "inst = [e for e in ev if e[\"ph\"] == \"i\"]\n"
            "assert len(inst) == 21 and all(e[\"s\"] == \"t\" for e in inst)\n"
            "crash = [e for e in inst if e[\"name\"] == \"crash\"]\n"
            "assert len(crash) == 2 and crash[0][\"ts\"] == 1500\n"
            "a = crash[0][\"args\"]\n"
            "assert a[\"reason\"] == \"panic\" and \"]]>\" in a[\"message\"]"
            " and a[\"backtrace\"].startswith(\"#0 work\"), a\n"
            "kinds = {e[\"name\"] for e in inst}\n"
            "for k in (\"logged\", \"stop_requested\", \"joined\", \"restart\", \"backoff\","
            " \"intensity_exceeded\", \"shutdown\", \"escalated\", \"unstopped\"):\n"
            "    assert k in kinds, k\n"
            "bo = [e for e in inst if e[\"name\"] == \"backoff\"][0]\n"
            "assert bo[\"args\"][\"delay_ms\"] == 250, bo\n"
            "sup = [t for t, n in names.items() if n == \"supervisor root\"][0]\n"
            "assert {e[\"name\"] for e in inst if e[\"tid\"] == sup} >= {\"intensity_exceeded\","
            " \"restart\"}\n"
            "assert d[\"otherData\"][\"replay\"] == \"" REPLAY "\"\n"
            "' %s",
            p),
        0);
}

/* Several supervisors: lane names carry the supervisor; nasty ids escaped. */
static void test_trace_multi_sup(void **state)
{
    fixture *fx = *state;
    char dir[128];

    snprintf(dir, sizeof dir, "%s/trace2/", fx->dir); /* trailing slash is fine */
    assert_int_equal(fl_report_trace(&fx->cases[5], dir), 0);
    assert_int_equal(
        run("python3 -c '\n"
            "import json, sys\n"
            "ev = json.load(open(sys.argv[1]))[\"traceEvents\"]\n"
            "names = [e[\"args\"][\"name\"] for e in ev if e[\"name\"] == \"thread_name\"]\n"
            "assert names[:2] == [\"supervisor root\", \"supervisor inner\\\"sup\"], names[:3]\n"
            "assert names[2] == \"inner\\\"sup/w\\x01<x>#1\", names[2]\n"
            "assert len(names) == 2 + 83, len(names)\n"
            "assert sum(e[\"ph\"] == \"X\" for e in ev) == 83\n"
            "' %s/scenarios_nested_escalate_scn.json",
            dir),
        0);
}

static void test_trace_name(void **state)
{
    fl_report__buf b = {0};
    char longp[400];

    (void)state;
    fl_report__trace_name(&b, "./a b/c.d-e_f.scn");
    assert_string_equal(fl_report__buf_str(&b), "__a_b_c_d-e_f_scn.json");
    b.len = 0;
    fl_report__trace_name(&b, NULL);
    assert_string_equal(fl_report__buf_str(&b), "case.json");
    memset(longp, 'x', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    b.len = 0;
    fl_report__trace_name(&b, longp);
    assert_true(b.len <= 160 + 5);
    assert_non_null(strstr(b.p, ".json"));
    fl_report__buf_free(&b);
}

static void test_html(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "report.html");
    char *h;
    size_t n;

    assert_int_equal(fl_report_html(&fx->suite, p), 0);
    h = slurp(p, &n);
    assert_clean_utf8(h, n);
    assert_memory_equal(h, "<!DOCTYPE html>", 15);
    /* self-contained */
    assert_null(strstr(h, "http:"));
    assert_null(strstr(h, "https:"));
    assert_null(strstr(h, " src="));
    assert_null(strstr(h, "<link"));
    assert_null(strstr(h, "@import"));
    /* counts, table and the failing cases */
    assert_non_null(strstr(h, "3 of 6 scenarios failed"));
    assert_non_null(strstr(h, "<li><b>6</b><span>scenarios</span></li>"));
    assert_non_null(strstr(h, "<li><b>3</b><span>failed</span></li>"));
    assert_non_null(strstr(h, "id=\"case-2\""));
    assert_non_null(strstr(h, "id=\"case-5\""));
    assert_non_null(strstr(h, "id=\"case-6\""));
    assert_null(strstr(h, "id=\"case-1\""));
    assert_non_null(strstr(h, "<code>joined_before_restart</code>"));
    assert_non_null(strstr(h, "<code id=\"replay-2\">" REPLAY "</code>"));
    assert_non_null(strstr(h, "data-copy=\"replay-2\""));
    assert_non_null(strstr(h, "<h3>crash during &lt;restart&gt; &amp; \"stop\" <span"));
    assert_non_null(strstr(h, "cdata]]&gt; ctl"));
    assert_non_null(strstr(h, "cdata]]&gt; ctl\\x01\\x02\\x1b[31m"));
    /* timelines: one per failing case with a trace; lanes and markers */
    assert_non_null(strstr(h, "<svg class=\"timeline\""));
    assert_non_null(strstr(h, ">worker#3</text>"));
    assert_non_null(strstr(h, ">supervisor root</text>"));
    assert_non_null(strstr(h, ">crash (panic)</text>"));
    assert_non_null(strstr(h, ">restart worker (panic)</text>")); /* on the supervisor lane */
    assert_non_null(strstr(h, "Showing the last 300 of 500 events."));
    assert_non_null(strstr(h, "No event trace was recorded"));
    assert_non_null(strstr(h, "Backtrace of the last crash (worker#1)"));
    free(h);
    assert_int_equal(run("mkdir -p %s/htmlonly && cp %s %s/htmlonly/ && sh %s %s/htmlonly >/dev/null",
                         fx->dir, p, fx->dir, src_file("reports/validate.sh"), fx->dir),
                     0);
}

static void test_failures_block(void **state)
{
    fixture *fx = *state;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    fl_report_failures(&fx->suite, f);
    assert_int_equal(fclose(f), 0);
    assert_non_null(strstr(out, "\nFAIL scenarios/race/crash_during_restart.scn (crash during "
                                "<restart> & \"stop\")\n"));
    assert_non_null(strstr(out, "\n  invariant: joined_before_restart\n"));
    assert_non_null(strstr(out, "\n  seed:      17 (3 of 100 runs failed)\n"));
    assert_non_null(strstr(out, "\n  replay:    " REPLAY "\n"));
    assert_non_null(strstr(out, "\nFAIL scenarios/known-bad/lost_report.scn (lost_report)\n"
                                "  verdict:   expected invariant no_lost_report to fail, but "
                                "none of 50 runs failed\n"));
    assert_non_null(strstr(out, "\\x1b[31m")); /* escape sequences defused */
    assert_null(strstr(out, "one_for_one"));
    assert_null(strstr(out, "no_join"));
    assert_null(strstr(out, "soak"));
    assert_null(memchr(out, 0x1b, len));
    free(out);
}

/* Every writer on an empty suite, then the whole out/ tree through the
 * validator; then the validator must reject broken files. */
static void test_validate_script(void **state)
{
    fixture *fx = *state;
    const char *v = src_file("reports/validate.sh");
    fl_suite empty = {.name = "faultline", .strategy = "random", .seed_hi = 10};
    size_t i;

    assert_int_equal(run("mkdir -p %s/out %s/empty", fx->dir, fx->dir), 0);
    assert_int_equal(fl_report_junit(&fx->suite, path_in(fx, "out/junit.xml")), 0);
    assert_int_equal(fl_report_tap(&fx->suite, path_in(fx, "out/results.tap")), 0);
    assert_int_equal(fl_report_json(&fx->suite, path_in(fx, "out/results.json")), 0);
    assert_int_equal(fl_report_html(&fx->suite, path_in(fx, "out/report.html")), 0);
    for (i = 0; i < fx->suite.ncases; i++)
        assert_int_equal(fl_report_trace(&fx->cases[i], path_in(fx, "out/trace")), 0);
    assert_int_equal(run("sh %s %s/out > %s/v.log 2>&1", v, fx->dir, fx->dir), 0);
    assert_int_equal(run("test \"$(grep -c '^ok ' %s/v.log)\" = 10", fx->dir), 0);

    assert_int_equal(fl_report_junit(&empty, path_in(fx, "empty/junit.xml")), 0);
    assert_int_equal(fl_report_tap(&empty, path_in(fx, "empty/results.tap")), 0);
    assert_int_equal(fl_report_json(&empty, path_in(fx, "empty/results.json")), 0);
    assert_int_equal(fl_report_html(&empty, path_in(fx, "empty/report.html")), 0);
    assert_int_equal(run("sh %s %s/empty >/dev/null", v, fx->dir), 0);

    /* broken inputs, one per format, each must fail */
    assert_int_equal(run("mkdir -p %s/b1 %s/b2 %s/b3 %s/b4 %s/b5/trace %s/b6", fx->dir, fx->dir,
                         fx->dir, fx->dir, fx->dir, fx->dir), 0);
    assert_int_equal(run("head -c 300 %s/out/junit.xml > %s/b1/junit.xml", fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's/^not ok 2 /not ok 7 /' %s/out/results.tap > %s/b2/results.tap",
                         fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's/\"cases\": 6/\"cases\": 6,,/' %s/out/results.json >"
                         " %s/b3/results.json", fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's#</section>##' %s/out/report.html > %s/b4/report.html",
                         fx->dir, fx->dir), 0);
    assert_int_equal(run("grep -v thread_name %s/out/trace/scenarios_basic_one_for_one_scn.json"
                         " > %s/b5/trace/t.json", fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's#<footer>#<img src=\"https://x/y.png\"><footer>#'"
                         " %s/out/report.html > %s/b6/report.html", fx->dir, fx->dir), 0);
    for (i = 1; i <= 6; i++)
        assert_int_equal(run("! sh %s %s/b%zu >/dev/null 2>&1", v, fx->dir, i), 0);
}

/* ---- atomic writes -------------------------------------------------------------- */

static void test_atomic_missing_dir(void **state)
{
    fixture *fx = *state;

    assert_int_equal(fl_report_json(&fx->suite, path_in(fx, "no/such/dir/r.json")), -ENOENT);
    assert_int_equal(fl_report_junit(&fx->suite, path_in(fx, "no/such/j.xml")), -ENOENT);
    assert_int_equal(access(path_in(fx, "no"), F_OK), -1);
    assert_int_equal(count_tmp(fx->dir), 0);
}

static int failing_body(FILE *f, const void *ctx)
{
    (void)ctx;
    for (int i = 0; i < 1000; i++)
        fputs("half a report ", f);
    return -EIO;
}

static void test_atomic_body_failure_keeps_old(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "keep.json");
    char *s;

    write_file(p, "OLD", 3);
    assert_int_equal(fl_report__write_atomic(p, failing_body, NULL), -EIO);
    s = slurp(p, NULL);
    assert_string_equal(s, "OLD");
    free(s);
    assert_int_equal(count_tmp(fx->dir), 0);
}

/* A real I/O error mid-write (file size limit): the public writer returns
 * -EFBIG, the old file is intact, the temporary is gone. */
static void test_atomic_io_error_keeps_old(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "big.html");
    struct rlimit old, lim;
    void (*oldsig)(int);
    char *s;
    int rc;

    write_file(p, "OLD", 3);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 4096;
    oldsig = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    rc = fl_report_html(&fx->suite, p);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, oldsig);
    assert_int_equal(rc, -EFBIG);
    s = slurp(p, NULL);
    assert_string_equal(s, "OLD");
    free(s);
    assert_int_equal(count_tmp(fx->dir), 0);
}

static void test_atomic_rename_fails(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "isdir.tap");
    struct stat st;

    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(fl_report_tap(&fx->suite, p), -EISDIR);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(count_tmp(fx->dir), 0);
}

static void test_atomic_unwritable_dir(void **state)
{
    fixture *fx = *state;
    const char *d = path_in(fx, "ro");

    if (geteuid() == 0)
        skip(); /* root writes anywhere; the missing-dir and I/O tests cover the paths */
    assert_int_equal(mkdir(d, 0555), 0);
    assert_int_equal(fl_report_json(&fx->suite, path_in(fx, "ro/r.json")), -EACCES);
    assert_int_equal(count_tmp(d), 0);
    assert_int_equal(access(path_in(fx, "ro/r.json"), F_OK), -1);
}

static void test_trace_dir_is_file(void **state)
{
    fixture *fx = *state;

    write_file(path_in(fx, "plain"), "x", 1);
    assert_int_equal(fl_report_trace(&fx->cases[1], path_in(fx, "plain")), -ENOTDIR);
    assert_int_equal(fl_report_trace(&fx->cases[1], path_in(fx, "plain/sub")), -ENOTDIR);
}

static void test_bad_arguments(void **state)
{
    fixture *fx = *state;
    fl_suite broken = {.ncases = 2, .cases = NULL};

    assert_int_equal(fl_report_junit(NULL, path_in(fx, "x")), -EINVAL);
    assert_int_equal(fl_report_tap(&broken, path_in(fx, "x")), -EINVAL);
    assert_int_equal(fl_report_json(&fx->suite, NULL), -EINVAL);
    assert_int_equal(fl_report_html(&fx->suite, ""), -EINVAL);
    assert_int_equal(fl_report_trace(NULL, fx->dir), -EINVAL);
    assert_int_equal(fl_report_trace(&fx->cases[0], ""), -EINVAL);
    assert_int_equal(access(path_in(fx, "x"), F_OK), -1);
}

/* Event lines are libsv's log lines, cut on a UTF-8 boundary when long. */
static void test_event_line(void **state)
{
    fl_report__buf b = {0};
    char msg[2001];
    sv_event ev = {.seq = 7, .time_ns = 1500000, .kind = SV_EV_CRASH, .sup = "root",
                   .child = "db", .incarnation = 2, .reason = SV_EXIT_PANIC, .message = "boom"};
    size_t i;

    (void)state;
    fl_report__event_line(&b, &ev);
    assert_non_null(strstr(fl_report__buf_str(&b), "crash"));
    assert_non_null(strstr(fl_report__buf_str(&b), "db"));
    assert_non_null(strstr(fl_report__buf_str(&b), "panic"));
    assert_non_null(strstr(fl_report__buf_str(&b), "boom"));
    for (i = 0; i + 1 < sizeof msg; i += 2)
        memcpy(msg + i, "\xc3\xa9", 2); /* é: every cut point is tested by some offset */
    msg[sizeof msg - 1] = '\0';
    for (i = 0; i < 4; i++) {
        ev.message = msg + i * 2;
        ev.seq = 1 + i * 1000; /* shifts the cut by whole digits */
        b.len = 0;
        fl_report__event_line(&b, &ev);
        assert_true(b.len < 400);
        assert_clean_utf8(b.p, b.len);
        assert_non_null(strstr(b.p, " bytes)"));
    }
    fl_report__buf_free(&b);
}

static void test_number_formats(void **state)
{
    char b[64];

    (void)state;
    fl_report__fmt_fixed(b, sizeof b, 1.5, 3);
    assert_string_equal(b, "1.500");
    fl_report__fmt_fixed(b, sizeof b, -0.0000004, 6);
    assert_string_equal(b, "0.000000");
    fl_report__fmt_fixed(b, sizeof b, NAN, 2);
    assert_string_equal(b, "0.00");
    fl_report__fmt_us(b, sizeof b, 1234567);
    assert_string_equal(b, "1234.567");
    fl_report__fmt_us(b, sizeof b, -5);
    assert_string_equal(b, "-0.005");
    fl_report__fmt_vtime(b, sizeof b, 0);
    assert_string_equal(b, "0 s");
    fl_report__fmt_vtime(b, sizeof b, 1500000);
    assert_string_equal(b, "1.5 ms");
    fl_report__fmt_vtime(b, sizeof b, 250000000000LL);
    assert_string_equal(b, "250 s");
    fl_report__fmt_vtime(b, sizeof b, 999);
    assert_string_equal(b, "999 ns");
    fl_report__fmt_iso8601(b, sizeof b, 0, true);
    assert_string_equal(b, "1970-01-01T00:00:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_escape_exact),
        cmocka_unit_test(test_json_escape_exact),
        cmocka_unit_test_setup_teardown(test_json_escape_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escape_random_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap_yaml_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap_stdout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_multi_sup, setup, teardown),
        cmocka_unit_test(test_trace_name),
        cmocka_unit_test_setup_teardown(test_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_script, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_missing_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_body_failure_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_io_error_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_rename_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_unwritable_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_dir_is_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test(test_event_line),
        cmocka_unit_test(test_number_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
