/*
 * junit.c — JUnit XML in the shape GitLab, Jenkins and GitHub test reporters
 * read: testsuites > testsuite (+ properties) > testcase, with <failure>,
 * <skipped> and <system-out>. One testcase per scenario.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FL_REPORT__TAIL_EVENTS 60

typedef struct fl_report__junit {
    const fl_suite *s;
    char host[256];
} fl_report__junit;

static void fl_report__xml_attr(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    fl_report__esc_str(f, value ? value : "", FL_REPORT__ESC_ATTR);
    fputc('"', f);
}

static void fl_report__xml_property(FILE *f, const char *name, const char *value)
{
    fputs("      <property", f);
    fl_report__xml_attr(f, "name", name);
    fl_report__xml_attr(f, "value", value);
    fputs("/>\n", f);
}

/* The last events of c's trace, one line each, as element text. */
static int fl_report__junit_trace_tail(FILE *f, const fl_case *c)
{
    size_t first = c->ntrace > FL_REPORT__TAIL_EVENTS ? c->ntrace - FL_REPORT__TAIL_EVENTS : 0;
    fl_report__buf line = {0};
    size_t i;

    if (!c->trace || c->ntrace == 0) {
        fputs("(no event trace recorded)\n", f);
        return 0;
    }
    fprintf(f, "event trace of seed %llu, last %zu of %zu events:\n",
            (unsigned long long)c->seed, c->ntrace - first, c->ntrace);
    for (i = first; i < c->ntrace; i++) {
        line.len = 0;
        fl_report__event_line(&line, &c->trace[i].ev);
        if (line.err)
            break;
        fl_report__escape(f, line.p, line.len, FL_REPORT__ESC_TEXT);
        fputc('\n', f);
    }
    fl_report__buf_free(&line);
    return line.err;
}

static void fl_report__junit_text_field(FILE *f, const char *label, const char *value)
{
    if (!value)
        return;
    fputs(label, f);
    fl_report__esc_str(f, value, FL_REPORT__ESC_TEXT);
    fputc('\n', f);
}

static int fl_report__junit_case(FILE *f, const fl_case *c)
{
    fl_report__buf title = {0};
    char t[48], *bt;
    int rc = 0;

    fl_report__fmt_fixed(t, sizeof t, c->time_s, 3);
    fputs("    <testcase", f);
    fl_report__xml_attr(f, "classname", c->path);
    fl_report__xml_attr(f, "name", c->name ? c->name : c->path);
    fl_report__xml_attr(f, "file", c->path);
    fprintf(f, " time=\"%s\"", t);

    if (c->skipped) {
        fputs(">\n      <skipped", f);
        fl_report__xml_attr(f, "message", c->skip_reason ? c->skip_reason : "skipped");
        fputs("/>\n    </testcase>\n", f);
        return 0;
    }
    if (c->passed && !c->expect_fail) {
        fputs("/>\n", f);
        return 0;
    }
    fputs(">\n", f);
    fl_report__failure_title(&title, c);
    if (title.err) {
        rc = title.err;
        fl_report__buf_free(&title);
        return rc;
    }
    if (!c->passed) {
        fputs("      <failure", f);
        fl_report__xml_attr(f, "message", title.p);
        fl_report__xml_attr(f, "type", c->expect_fail ? "expect_fail"
                                       : c->invariant ? "invariant" : "failure");
        fputs(">", f);
        fl_report__junit_text_field(f, "invariant: ", c->invariant);
        if (c->expect_fail)
            fl_report__junit_text_field(f, "expected: ", title.p);
        fprintf(f, "seed: %llu (%u of %u runs failed)\n", (unsigned long long)c->seed,
                (unsigned)c->failed_runs, (unsigned)c->runs);
        fl_report__junit_text_field(f, "schedule: ", c->schedule);
        if (c->message) {
            fputs("message:\n", f);
            fl_report__esc_str(f, c->message, FL_REPORT__ESC_TEXT);
            fputc('\n', f);
        }
        fl_report__junit_text_field(f, "replay: ", c->replay);
        bt = fl_report__backtrace(fl_report__last_crash(c));
        if (bt) {
            fputs("backtrace of the last crash:\n", f);
            fl_report__esc_str(f, bt, FL_REPORT__ESC_TEXT);
            free(bt);
        }
        fputs("</failure>\n", f);
        fputs("      <system-out>", f);
        rc = fl_report__junit_trace_tail(f, c);
        fputs("</system-out>\n", f);
    } else {
        /* known-bad scenario caught: a pass, with how to reproduce it */
        fputs("      <system-out>", f);
        fl_report__junit_text_field(f, "", title.p);
        fl_report__junit_text_field(f, "replay: ", c->replay);
        fputs("</system-out>\n", f);
    }
    fputs("    </testcase>\n", f);
    fl_report__buf_free(&title);
    return rc;
}

static int fl_report__junit_body(FILE *f, const void *vctx)
{
    const fl_report__junit *j = vctx;
    const fl_suite *s = j->s;
    size_t i, failed = fl_report_failed(s), skipped = 0;
    char t[48], ts[40], v[64];
    int rc;

    for (i = 0; i < s->ncases; i++)
        skipped += s->cases[i].skipped;
    fl_report__fmt_fixed(t, sizeof t, s->time_s, 3);
    fl_report__fmt_iso8601(ts, sizeof ts, s->timestamp, false);

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
    fl_report__xml_attr(f, "name", s->name ? s->name : "faultline");
    fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%s\""
               " timestamp=\"%s\">\n",
            s->ncases, failed, skipped, t, ts);
    fputs("  <testsuite", f);
    fl_report__xml_attr(f, "name", s->name ? s->name : "faultline");
    fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%s\""
               " timestamp=\"%s\"",
            s->ncases, failed, skipped, t, ts);
    fl_report__xml_attr(f, "hostname", j->host);
    fputs(" id=\"0\">\n    <properties>\n", f);
    snprintf(v, sizeof v, "%llu", (unsigned long long)s->seed_lo);
    fl_report__xml_property(f, "seed_lo", v);
    snprintf(v, sizeof v, "%llu", (unsigned long long)s->seed_hi);
    fl_report__xml_property(f, "seed_hi", v);
    snprintf(v, sizeof v, "[%llu, %llu)", (unsigned long long)s->seed_lo,
             (unsigned long long)s->seed_hi);
    fl_report__xml_property(f, "seeds", v);
    fl_report__xml_property(f, "strategy", s->strategy ? s->strategy : "random");
    snprintf(v, sizeof v, "%u", (unsigned)s->depth);
    fl_report__xml_property(f, "depth", v);
    fl_report__xml_property(f, "shard", s->shard ? s->shard : "none");
    fl_report__xml_property(f, "interrupted", s->interrupted ? "true" : "false");
    fputs("    </properties>\n", f);
    for (i = 0; i < s->ncases; i++) {
        rc = fl_report__junit_case(f, &s->cases[i]);
        if (rc < 0)
            return rc;
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return 0;
}

/* Writes s as JUnit XML to path ("-" = stdout), atomically. Borrows s.
 * 0, -EINVAL, -ENOMEM, or the errno of a failed write/rename. */
int fl_report_junit(const fl_suite *s, const char *path)
{
    fl_report__junit j;

    if (!s || (s->ncases && !s->cases))
        return -EINVAL;
    j.s = s;
    if (gethostname(j.host, sizeof j.host) != 0)
        strcpy(j.host, "localhost");
    j.host[sizeof j.host - 1] = '\0';
    return fl_report__write_atomic(path, fl_report__junit_body, &j);
}
