/*
 * event_text.c — the one-line text the reports use for events (libsv's own
 * log line, sv_event_format, so a report reads like the program's log) and
 * the words for verdicts.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FL_REPORT__LINE_MAX 320 /* an event line longer than this is cut */

void fl_report__event_line(fl_report__buf *b, const sv_event *ev)
{
    char line[FL_REPORT__LINE_MAX];
    size_t n = sv_event_format(ev, line, sizeof line), keep, i;
    uint32_t cp;

    if (n < sizeof line) {
        fl_report__buf_add(b, line, n);
        return;
    }
    /* line holds the first cap-1 bytes; drop a last sequence the cut split */
    keep = sizeof line - 1;
    i = keep;
    while (i > 0 && ((unsigned char)line[i - 1] & 0xc0) == 0x80 && keep - i < 3)
        i--;
    if (i > 0 && fl_report__utf8_next((const unsigned char *)line + i - 1, keep - i + 1, &cp) == 0)
        keep = i - 1;
    fl_report__buf_add(b, line, keep);
    fl_report__buf_printf(b, "\xe2\x80\xa6 (+%zu bytes)", n - keep);
}

static int fl_report__cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int fl_report__named_events(const char *msg, uint64_t **seqs, size_t *n)
{
    size_t cap = 0, k = 0, out = 0;
    uint64_t *v = NULL;
    const char *p = msg;

    *seqs = NULL;
    *n = 0;
    while (p && (p = strstr(p, "[events "))) {
        const char *end = strchr(p, ']');
        if (!end)
            break;
        for (p += 8; p < end; p++) {
            uint64_t x = 0;
            bool digits = false;
            if (*p != '#')
                continue;
            while (p + 1 < end && p[1] >= '0' && p[1] <= '9' && x < UINT64_MAX / 10) {
                x = x * 10 + (uint64_t)(*++p - '0');
                digits = true;
            }
            if (!digits)
                continue;
            if (k == cap) {
                uint64_t *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
                if (!nv) {
                    free(v);
                    return -ENOMEM;
                }
                v = nv;
            }
            v[k++] = x;
        }
    }
    if (k) {
        qsort(v, k, sizeof *v, fl_report__cmp_u64);
        for (size_t i = 0; i < k; i++)
            if (out == 0 || v[out - 1] != v[i])
                v[out++] = v[i];
    }
    *seqs = v;
    *n = out;
    return 0;
}

bool fl_report__seq_in(const uint64_t *seqs, size_t n, uint64_t seq)
{
    return n && bsearch(&seq, seqs, n, sizeof *seqs, fl_report__cmp_u64) != NULL;
}

const sv_event *fl_report__last_crash(const fl_case *c)
{
    for (size_t i = c->trace ? c->ntrace : 0; i-- > 0;)
        if (c->trace[i].ev.kind == SV_EV_CRASH && c->trace[i].ev.backtrace)
            return &c->trace[i].ev;
    return NULL;
}

char *fl_report__backtrace(const sv_event *ev)
{
    return ev && ev->backtrace ? fl_report_symbolize(ev->backtrace) : NULL;
}

const char *fl_report__verdict(const fl_case *c)
{
    if (c->skipped)
        return "skip";
    if (!c->passed)
        return "fail";
    return c->expect_fail ? "xfail" : "pass";
}

void fl_report__failure_title(fl_report__buf *b, const fl_case *c)
{
    const char *want = c->expect_invariant ? c->expect_invariant : "any";

    if (c->expect_fail && c->passed) {
        fl_report__buf_printf(b, "known-bad: invariant %s failed as expected",
                              c->invariant ? c->invariant : want);
    } else if (c->expect_fail && !c->invariant) {
        fl_report__buf_printf(b, "expected invariant %s to fail, but none of %u runs failed",
                              want, (unsigned)c->runs);
    } else if (c->expect_fail) {
        fl_report__buf_printf(b, "expected invariant %s to fail, but %s failed", want,
                              c->invariant);
    } else if (c->invariant) {
        fl_report__buf_printf(b, "invariant %s violated (seed %llu, %u of %u runs failed)",
                              c->invariant, (unsigned long long)c->seed,
                              (unsigned)c->failed_runs, (unsigned)c->runs);
    } else {
        fl_report__buf_printf(b, "failed (seed %llu, %u of %u runs failed)",
                              (unsigned long long)c->seed, (unsigned)c->failed_runs,
                              (unsigned)c->runs);
    }
}
