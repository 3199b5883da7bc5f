/*
 * event_text.c — the words and one-line text the reports use for events and
 * verdicts. Names follow sv.h's vocabulary (lower-case enum names).
 */
#include "report_int.h"

#include <string.h>

static const char *const fl_report__kinds[SV_EV__COUNT] = {
    [SV_EV_SUP_START] = "sup_start",
    [SV_EV_START] = "start",
    [SV_EV_STARTED] = "started",
    [SV_EV_START_FAILED] = "start_failed",
    [SV_EV_CRASH] = "crash",
    [SV_EV_EXIT] = "exit",
    [SV_EV_LOGGED] = "logged",
    [SV_EV_STOP_REQUESTED] = "stop_requested",
    [SV_EV_JOINED] = "joined",
    [SV_EV_UNSTOPPED] = "unstopped",
    [SV_EV_RESTART] = "restart",
    [SV_EV_BACKOFF] = "backoff",
    [SV_EV_RESTARTED] = "restarted",
    [SV_EV_CHILD_REMOVED] = "child_removed",
    [SV_EV_CHILD_TERMINATED] = "child_terminated",
    [SV_EV_INTENSITY_EXCEEDED] = "intensity_exceeded",
    [SV_EV_AUTO_SHUTDOWN] = "auto_shutdown",
    [SV_EV_SHUTDOWN] = "shutdown",
    [SV_EV_ESCALATED] = "escalated",
};

static const char *const fl_report__exits[] = {
    [SV_EXIT_NORMAL] = "normal", [SV_EXIT_SHUTDOWN] = "shutdown",
    [SV_EXIT_PANIC] = "panic",   [SV_EXIT_ERROR] = "error",
    [SV_EXIT_SIGNAL] = "signal", [SV_EXIT_KILLED] = "killed",
};

const char *fl_report__kind_name(int kind)
{
    if (kind < 0 || kind >= SV_EV__COUNT || !fl_report__kinds[kind])
        return "?";
    return fl_report__kinds[kind];
}

const char *fl_report__exit_name(int reason)
{
    if (reason < 0 || (size_t)reason >= sizeof fl_report__exits / sizeof *fl_report__exits)
        return "?";
    return fl_report__exits[reason];
}

bool fl_report__kind_has_reason(int kind)
{
    switch (kind) {
    case SV_EV_CRASH:
    case SV_EV_EXIT:
    case SV_EV_LOGGED:
    case SV_EV_RESTART:
    case SV_EV_SHUTDOWN:
    case SV_EV_ESCALATED:
        return true;
    default:
        return false;
    }
}

/* Appends s with C-style escapes for quotes, backslashes and control bytes;
 * bytes >= 0x80 are copied unchanged. */
static void fl_report__add_quoted(fl_report__buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    fl_report__buf_add(b, "\"", 1);
    for (; *p; p++) {
        switch (*p) {
        case '"': fl_report__buf_add(b, "\\\"", 2); break;
        case '\\': fl_report__buf_add(b, "\\\\", 2); break;
        case '\n': fl_report__buf_add(b, "\\n", 2); break;
        case '\t': fl_report__buf_add(b, "\\t", 2); break;
        case '\r': fl_report__buf_add(b, "\\r", 2); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fl_report__buf_printf(b, "\\x%02x", *p);
            else
                fl_report__buf_add(b, (const char *)p, 1);
        }
    }
    fl_report__buf_add(b, "\"", 1);
}

/* Appends a name with control bytes made visible (names are short ids). */
static void fl_report__add_name(fl_report__buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fl_report__buf_printf(b, "\\x%02x", *p);
        else
            fl_report__buf_add(b, (const char *)p, 1);
    }
}

void fl_report__event_line(fl_report__buf *b, const sv_event *ev)
{
    bool neg = ev->time_ns < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)ev->time_ns : (uint64_t)ev->time_ns;
    char ts[48];

    snprintf(ts, sizeof ts, "%s%llu.%06llu", neg ? "-" : "",
             (unsigned long long)(a / 1000000), (unsigned long long)(a % 1000000));
    fl_report__buf_printf(b, "[%12s ms] #%llu ", ts, (unsigned long long)ev->seq);
    fl_report__add_name(b, ev->sup ? ev->sup : "?");
    if (ev->child) {
        fl_report__buf_add(b, "/", 1);
        fl_report__add_name(b, ev->child);
        if (ev->incarnation)
            fl_report__buf_printf(b, "#%u", (unsigned)ev->incarnation);
    }
    fl_report__buf_printf(b, " %s", fl_report__kind_name((int)ev->kind));
    if (fl_report__kind_has_reason((int)ev->kind))
        fl_report__buf_printf(b, " reason=%s", fl_report__exit_name(ev->reason));
    if (ev->err) {
        const char *name = strerrorname_np(ev->err < 0 ? -ev->err : ev->err);
        fl_report__buf_printf(b, " err=%d%s%s%s", ev->err, name ? " (" : "",
                              name ? name : "", name ? ")" : "");
    }
    if (ev->kind == SV_EV_BACKOFF || ev->detail_ns) {
        char d[48];
        fl_report__fmt_vtime(d, sizeof d, ev->detail_ns);
        fl_report__buf_printf(b, " delay=%s", d);
    }
    if (ev->message) {
        fl_report__buf_puts(b, " msg=");
        fl_report__add_quoted(b, ev->message);
    }
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
