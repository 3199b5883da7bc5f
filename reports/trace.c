/*
 * trace.c — one case's event trace in the Chrome trace event format (JSON
 * object form), which Perfetto UI and chrome://tracing open. pid 1 is the
 * run; tid 1.. are the lanes of timeline.c (supervisors first, then one per
 * child incarnation), each named by "M" thread_name metadata. An incarnation
 * that ran is one "X" slice; every event is a thread-scoped "i" instant.
 * Timestamps are microseconds on the run's virtual clock. Optional thread
 * tracks follow the lanes (fl_case.threads); optional steps (fl_case.steps)
 * are a second process, pid 2, on a clock of steps.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FL_REPORT__NAME_MAX 160 /* stays far below NAME_MAX with ".json" */

typedef struct fl_report__trace {
    const fl_case *c;
    const fl_report__timeline *tl;
} fl_report__trace;

void fl_report__trace_name(fl_report__buf *b, const char *path)
{
    size_t n, i, keep;
    uint64_t h = 0xcbf29ce484222325ull;

    if (!path || !*path) {
        fl_report__buf_puts(b, "case.json");
        return;
    }
    n = strlen(path);
    keep = n > FL_REPORT__NAME_MAX ? FL_REPORT__NAME_MAX - 17 : n;
    for (i = 0; i < keep; i++) {
        unsigned char ch = (unsigned char)path[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        fl_report__buf_add(b, ok ? (const char *)&path[i] : "_", 1);
    }
    if (keep < n) {
        for (i = 0; i < n; i++)
            h = (h ^ (unsigned char)path[i]) * 0x100000001b3ull;
        fl_report__buf_printf(b, "_%016llx", (unsigned long long)h);
    }
    fl_report__buf_puts(b, ".json");
}

/* One metadata record: {"ph":"M","name":NAME,"pid":1,"tid":TID,"args":{KEY:…}} */
static void fl_report__trace_meta(FILE *f, const char *name, size_t tid, const char *key,
                                  const char *str, long long num)
{
    fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"%s\",\"pid\":1,\"tid\":%zu,\"args\":{\"%s\":", name,
            tid, key);
    if (str)
        fl_report__json_str(f, str);
    else
        fprintf(f, "%lld", num);
    fputs("}}", f);
}

static int fl_report__trace_lanes(FILE *f, const fl_report__timeline *tl)
{
    fl_report__buf name = {0};
    size_t i;

    for (i = 0; i < tl->nlanes; i++) {
        name.len = 0;
        fl_report__lane_name(tl, &tl->lanes[i], &name);
        if (name.err)
            break;
        fl_report__trace_meta(f, "thread_name", i + 1, "name", name.p, 0);
        fl_report__trace_meta(f, "thread_sort_index", i + 1, "sort_index", NULL,
                              (long long)i + 1);
    }
    fl_report__buf_free(&name);
    return name.err ? -ENOMEM : 0;
}

static int fl_report__trace_spans(FILE *f, const fl_case *c, const fl_report__timeline *tl)
{
    fl_report__buf name = {0};
    size_t i;
    char ts[48], dur[48];

    for (i = 0; i < tl->nlanes; i++) {
        const fl_report__lane *l = &tl->lanes[i];
        const sv_event *b, *e;

        if (!l->has_span)
            continue;
        b = &c->trace[l->span_begin].ev;
        e = &c->trace[l->span_end].ev;
        name.len = 0;
        fl_report__lane_name(tl, l, &name);
        if (name.err)
            break;
        fl_report__fmt_us(ts, sizeof ts, b->time_ns);
        fl_report__fmt_us(dur, sizeof dur, e->time_ns > b->time_ns ? e->time_ns - b->time_ns : 0);
        fputs(",\n{\"ph\":\"X\",\"cat\":\"incarnation\",\"name\":", f);
        fl_report__json_str(f, name.p);
        fprintf(f, ",\"pid\":1,\"tid\":%zu,\"ts\":%s,\"dur\":%s,\"args\":{\"sup\":", i + 1, ts,
                dur);
        fl_report__json_str(f, l->sup);
        fputs(",\"child\":", f);
        fl_report__json_str(f, l->child);
        fprintf(f, ",\"incarnation\":%u,\"from_seq\":%llu,\"to_seq\":%llu,\"ended_by\":\"%s\"}}",
                (unsigned)l->incarnation, (unsigned long long)b->seq,
                (unsigned long long)e->seq,
                l->span_end_kind == SV_EV_JOINED      ? "joined"
                : l->span_end_kind == SV_EV_UNSTOPPED ? "unstopped"
                                                      : "end of trace (still running)");
    }
    fl_report__buf_free(&name);
    return name.err ? -ENOMEM : 0;
}

static void fl_report__trace_instant(FILE *f, const sv_event *e, size_t tid)
{
    char ts[48];

    fl_report__fmt_us(ts, sizeof ts, e->time_ns);
    fprintf(f, ",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"event\",\"name\":\"%s\",\"pid\":1,"
               "\"tid\":%zu,\"ts\":%s,\"args\":{\"seq\":%llu,\"sup\":",
            sv_event_kind_name((int)e->kind), tid, ts, (unsigned long long)e->seq);
    fl_report__json_str(f, e->sup);
    if (e->child) {
        fputs(",\"child\":", f);
        fl_report__json_str(f, e->child);
    }
    if (e->incarnation)
        fprintf(f, ",\"incarnation\":%u", (unsigned)e->incarnation);
    if (sv_event_has_reason((int)e->kind))
        fprintf(f, ",\"reason\":\"%s\"", sv_exit_name(e->reason));
    if (e->err)
        fprintf(f, ",\"err\":%d", e->err);
    if (e->kind == SV_EV_BACKOFF || e->detail_ns) {
        char d[48];
        fl_report__fmt_fixed(d, sizeof d, (double)e->detail_ns / 1e6, 6);
        fprintf(f, ",\"delay_ms\":%s", d);
    }
    if (e->message) {
        fputs(",\"message\":", f);
        fl_report__json_str(f, e->message);
    }
    if (e->backtrace) {
        char *bt = fl_report__backtrace(e);
        fputs(",\"backtrace\":", f);
        fl_report__json_str(f, bt ? bt : e->backtrace);
        free(bt);
    }
    fputs("}}", f);
}

/* Optional thread tracks (fl_case.threads): after the lanes, tid
 * nlanes + 1 + k for threads[k], one "thread" slice for its life (to the
 * last event when it never ended) and its events' instants again there. */
static int fl_report__trace_threads(FILE *f, const fl_case *c, const fl_report__timeline *tl)
{
    fl_report__buf name = {0};
    int64_t last = c->ntrace ? c->trace[c->ntrace - 1].ev.time_ns : 0;
    char ts[48], dur[48];

    if (c->virtual_ns > last)
        last = c->virtual_ns; /* a run with no events still has an end */

    for (size_t k = 0; c->threads && k < c->nthreads; k++) {
        const fl_thread *t = &c->threads[k];
        size_t tid = tl->nlanes + 1 + k;
        int64_t end = t->end_ns < 0 ? last : t->end_ns;

        name.len = 0;
        fl_report__buf_printf(&name, "thread %s", t->name ? t->name : "?");
        if (name.err)
            break;
        fl_report__trace_meta(f, "thread_name", tid, "name", name.p, 0);
        fl_report__trace_meta(f, "thread_sort_index", tid, "sort_index", NULL, (long long)tid);
        fl_report__fmt_us(ts, sizeof ts, t->start_ns);
        fl_report__fmt_us(dur, sizeof dur, end > t->start_ns ? end - t->start_ns : 0);
        fputs(",\n{\"ph\":\"X\",\"cat\":\"thread\",\"name\":", f);
        fl_report__json_str(f, name.p);
        fprintf(f, ",\"pid\":1,\"tid\":%zu,\"ts\":%s,\"dur\":%s,\"args\":{\"ended\":%s}}", tid, ts,
                dur, t->end_ns < 0 ? "false" : "true");
    }
    for (size_t i = 0; c->threads && i < c->ntrace; i++) {
        uint32_t th = c->trace[i].thread;
        if (th >= 1 && th <= c->nthreads)
            fl_report__trace_instant(f, &c->trace[i].ev, tl->nlanes + th);
    }
    fl_report__buf_free(&name);
    return name.err ? -ENOMEM : 0;
}

/* Optional steps (fl_case.steps): pid 2, whose clock counts steps (1 µs =
 * 1 step, so the interleaving is visible even when the virtual clock stood
 * still). Track k + 1 is threads[k]; between step i and step i + 1 the
 * thread given the baton at i runs, drawn as one slice named by the
 * operation it stopped at (step i + 1's), or "end of the run". */
static int fl_report__trace_steps(FILE *f, const fl_case *c)
{
    fl_report__buf name = {0};

    if (!c->steps || !c->nsteps || !c->threads)
        return 0;
    fputs(",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":2,\"tid\":0,\"args\":{\"name\":"
          "\"scheduling steps (1 us = 1 step)\"}}", f);
    for (size_t k = 0; k < c->nthreads; k++) {
        name.len = 0;
        fl_report__buf_printf(&name, "thread %s", c->threads[k].name ? c->threads[k].name : "?");
        if (name.err)
            break;
        fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":2,\"tid\":%zu,\"args\":{\"name\":", k + 1);
        fl_report__json_str(f, name.p);
        fputs("}}", f);
    }
    for (size_t i = 0; !name.err && i < c->nsteps; i++) {
        const fl_step *s = &c->steps[i], *e = i + 1 < c->nsteps ? &c->steps[i + 1] : NULL;
        if (s->next < 1 || s->next > c->nthreads)
            continue;
        name.len = 0;
        if (e)
            fl_report__buf_printf(&name, "%s%s%s", e->op ? e->op : "?", e->obj && *e->obj ? " " : "",
                                  e->obj ? e->obj : "");
        else
            fl_report__buf_puts(&name, "end of the run");
        if (name.err)
            break;
        fputs(",\n{\"ph\":\"X\",\"cat\":\"step\",\"name\":", f);
        fl_report__json_str(f, name.p);
        fprintf(f, ",\"pid\":2,\"tid\":%u,\"ts\":%llu,\"dur\":1,\"args\":{\"step\":%llu,\"virtual_ns\":%lld}}",
                (unsigned)s->next, (unsigned long long)s->step, (unsigned long long)s->step, (long long)s->time_ns);
    }
    fl_report__buf_free(&name);
    return name.err ? -ENOMEM : 0;
}

static void fl_report__trace_other(FILE *f, const fl_case *c)
{
    fputs("\"otherData\":{\"scenario\":", f);
    fl_report__json_str(f, c->path);
    fputs(",\"name\":", f);
    fl_report__json_str(f, c->name);
    fprintf(f, ",\"seed\":\"%llu\",\"invariant\":", (unsigned long long)c->seed);
    fl_report__json_str(f, c->invariant);
    fputs(",\"message\":", f);
    fl_report__json_str(f, c->message);
    fputs(",\"schedule\":", f);
    fl_report__json_str(f, c->schedule);
    fputs(",\"replay\":", f);
    fl_report__json_str(f, c->replay);
    fprintf(f, ",\"virtual_ns\":\"%lld\",\"clock\":\"virtual\"}", (long long)c->virtual_ns);
}

static int fl_report__trace_body(FILE *f, const void *vctx)
{
    const fl_report__trace *t = vctx;
    const fl_case *c = t->c;
    fl_report__buf pname = {0};
    size_t i;
    int rc;

    fl_report__buf_printf(&pname, "faultline: %s (seed %llu)",
                          c->name ? c->name : c->path ? c->path : "?",
                          (unsigned long long)c->seed);
    if (pname.err)
        return -ENOMEM;
    fputs("{\"traceEvents\":[\n", f);
    /* the first record has no leading comma; the helpers all write ",\n{" */
    fputs("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":", f);
    fl_report__json_str(f, pname.p);
    fputs("}}", f);
    fl_report__buf_free(&pname);
    rc = fl_report__trace_lanes(f, t->tl);
    if (rc == 0)
        rc = fl_report__trace_spans(f, c, t->tl);
    if (rc < 0)
        return rc;
    for (i = 0; i < c->ntrace; i++)
        fl_report__trace_instant(f, &c->trace[i].ev, (size_t)t->tl->lane_of[i] + 1);
    rc = fl_report__trace_threads(f, c, t->tl);
    if (rc == 0)
        rc = fl_report__trace_steps(f, c);
    if (rc < 0)
        return rc;
    fputs("\n],\n\"displayTimeUnit\":\"ms\",\n", f);
    fl_report__trace_other(f, c);
    fputs("}\n", f);
    return 0;
}

/* Creates dir (and parents) and writes c's trace to dir/<trace name of
 * name> (fl_report_trace: of c->path) atomically. Borrows c. 0, -EINVAL, -ENOTDIR (dir or a parent is a file),
 * -ENOMEM, or the errno of a failed mkdir/write/rename. */
int fl_report_trace(const fl_case *c, const char *dir)
{
    return fl_report_trace_named(c, dir, c ? c->path : NULL);
}

int fl_report_trace_named(const fl_case *c, const char *dir, const char *name)
{
    fl_report__timeline tl;
    fl_report__buf path = {0};
    fl_report__trace t;
    int rc;

    if (!c || !dir || !*dir || (c->ntrace && !c->trace))
        return -EINVAL;
    rc = fl_report__mkdir_p(dir);
    if (rc < 0)
        return rc;
    fl_report__buf_puts(&path, dir);
    if (path.len && path.p[path.len - 1] != '/')
        fl_report__buf_add(&path, "/", 1);
    fl_report__trace_name(&path, name);
    if (path.err) {
        fl_report__buf_free(&path);
        return -ENOMEM;
    }
    rc = fl_report__timeline_build(c->trace, c->ntrace, &tl);
    if (rc < 0)
        goto out;
    t.c = c;
    t.tl = &tl;
    rc = fl_report__write_atomic(path.p, fl_report__trace_body, &t);
    fl_report__timeline_free(&tl);
out:
    fl_report__buf_free(&path);
    return rc;
}
