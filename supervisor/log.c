/*
 * log.c — event and exit-reason names, the one-line log format, and the
 * stock log sinks.
 *
 * Line format (fields after the kind appear only when meaningful):
 *   sv[SUP] #SEQ t=SEC.USEC KIND child=ID instance=I inc=N reason=R err=E (TEXT) delay_ms=D msg="..."
 * e.g.
 *   sv[root] #12 t=3.000417 logged child=poller inc=3 reason=panic msg="lost the device: 5"
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const sv__kind_names[SV_EV__COUNT] = {
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
    [SV_EV_START_IGNORED] = "start_ignored",
};

static const char *const sv__exit_names[] = {
    [SV_EXIT_NORMAL] = "normal", [SV_EXIT_SHUTDOWN] = "shutdown", [SV_EXIT_PANIC] = "panic",
    [SV_EXIT_ERROR] = "error",   [SV_EXIT_SIGNAL] = "signal",     [SV_EXIT_KILLED] = "killed",
    [SV_EXIT_THREAD_EXIT] = "thread_exit",
};

/* Static names; "?" for values out of range. Never fail. */
const char *sv_event_kind_name(int kind)
{
    return kind >= 0 && kind < SV_EV__COUNT && sv__kind_names[kind] ? sv__kind_names[kind] : "?";
}

const char *sv_exit_name(int reason)
{
    return reason >= 0 && (size_t)reason < sizeof sv__exit_names / sizeof sv__exit_names[0] ? sv__exit_names[reason]
                                                                                           : "?";
}

bool sv_event_has_reason(int kind)
{
    switch (kind) {
    case SV_EV_CRASH:
    case SV_EV_EXIT:
    case SV_EV_LOGGED:
    case SV_EV_JOINED:
    case SV_EV_UNSTOPPED:
    case SV_EV_RESTART:
    case SV_EV_SHUTDOWN:
    case SV_EV_ESCALATED:
        return true;
    default:
        return false;
    }
}

/* Appender that keeps counting past the end (snprintf semantics). */
typedef struct sv__out {
    char *buf;
    size_t cap, len;
} sv__out;

__attribute__((format(printf, 2, 3))) static void sv__outf(sv__out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
}

static void sv__outc(sv__out *o, char c)
{
    if (o->len + 1 < o->cap) {
        o->buf[o->len] = c;
        o->buf[o->len + 1] = '\0';
    }
    o->len++;
}

static void sv__out_quoted(sv__out *o, const char *s)
{
    sv__outc(o, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            sv__outc(o, '\\');
            sv__outc(o, (char)c);
        } else if (c == '\n') {
            sv__outf(o, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            sv__outf(o, "\\x%02x", c);
        } else {
            sv__outc(o, (char)c);
        }
    }
    sv__outc(o, '"');
}

/* The line format above into buf (NUL-terminated when cap > 0, cut at
 * cap); returns the untruncated length. buf may be NULL when cap is 0. */
size_t sv_event_format(const sv_event *ev, char *buf, size_t cap)
{
    sv__out o = { buf, cap, 0 };
    if (cap) buf[0] = '\0';
    int64_t t = ev->time_ns < 0 ? 0 : ev->time_ns;
    sv__outf(&o, "sv[%s] #%llu t=%lld.%06lld %s", ev->sup ? ev->sup : "?", (unsigned long long)ev->seq,
             (long long)(t / 1000000000), (long long)(t % 1000000000 / 1000), sv_event_kind_name(ev->kind));
    if (ev->child) sv__outf(&o, " child=%s", ev->child);
    if (ev->instance) sv__outf(&o, " instance=%u", ev->instance);
    if (ev->incarnation) sv__outf(&o, " inc=%u", ev->incarnation);
    if (sv_event_has_reason(ev->kind)) sv__outf(&o, " reason=%s", sv_exit_name(ev->reason));
    if (ev->err) sv__outf(&o, " err=%d (%s)", ev->err, strerror(ev->err < 0 ? -ev->err : ev->err));
    if (ev->detail_ns)
        sv__outf(&o, " delay_ms=%lld.%03lld", (long long)(ev->detail_ns / 1000000),
                 (long long)(ev->detail_ns % 1000000 / 1000));
    if (ev->message) {
        sv__outf(&o, " msg=");
        sv__out_quoted(&o, ev->message);
    }
    return o.len;
}

bool sv__log_wants(int kind, int reason)
{
    switch (kind) {
    case SV_EV_LOGGED:
    case SV_EV_START_FAILED:
    case SV_EV_UNSTOPPED:
    case SV_EV_RESTARTED:
    case SV_EV_BACKOFF:
    case SV_EV_INTENSITY_EXCEEDED:
    case SV_EV_AUTO_SHUTDOWN:
    case SV_EV_SHUTDOWN:
    case SV_EV_ESCALATED:
    case SV_EV_START_IGNORED:
        return true;
    case SV_EV_JOINED:
        return sv__reason_abnormal(reason);
    default:
        return false;
    }
}

void sv__log_stderr(void *ud, const sv_event *ev, const char *line)
{
    (void)ud;
    flockfile(stderr);
    fputs(line, stderr);
    fputc('\n', stderr);
    if (ev->kind == SV_EV_LOGGED && ev->backtrace && ev->backtrace[0]) {
        const char *s = ev->backtrace;
        while (*s) {
            const char *e = strchr(s, '\n');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            fputs("    ", stderr);
            fwrite(s, 1, n, stderr);
            fputc('\n', stderr);
            s += n + (e ? 1 : 0);
        }
    }
    funlockfile(stderr);
}

/* A sink that drops every line. libsv also skips formatting for it. */
void sv_log_discard(void *ud, const sv_event *ev, const char *line)
{
    (void)ud;
    (void)ev;
    (void)line;
}
