/*
 * html_svg.c — a failing run's timeline as inline SVG for report.html: one
 * lane per supervisor and per child incarnation, a bar while each
 * incarnation ran (darker until it crashed or exited, lighter until it was
 * joined), a marker per event with its full text as a tooltip, labels on
 * the events that matter most, and a virtual-time axis.
 *
 * When the case lists its threads (fl_case.threads), a lane per thread
 * follows the incarnation lanes: a bar while the thread existed and the
 * markers of the events it emitted (fl_event.thread).
 *
 * x follows virtual time, but consecutive events are kept at least
 * FL_SVG_GAP pixels apart so that simultaneous events (common on a virtual
 * clock) stay visible and in order.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FL_SVG_MAX_EVENTS 300 /* draw at most the last this many events */
#define FL_SVG_LABEL_W 180    /* lane-name column */
#define FL_SVG_PLOT_W 780     /* plot width, unless the events need more */
#define FL_SVG_GAP 9.0        /* min distance between consecutive events */
#define FL_SVG_LANE_H 30
#define FL_SVG_TOP 10
#define FL_SVG_AXIS_H 44
#define FL_SVG_RIGHT 70 /* room for the last label */
#define FL_SVG_LANE_CHARS 26 /* lane names longer than this are cut */

typedef struct fl_svg {
    FILE *f;
    const fl_case *c;
    size_t id;                /* the case's number in the page (ids, links) */
    const uint64_t *hl;       /* sorted seqs of the events to highlight */
    size_t nhl;
    size_t thread_row0;       /* row of threads[0] (thread lanes follow) */
    fl_report__timeline tl;
    size_t w0, w1;   /* window of events drawn: [w0, w1) */
    double *x;       /* x of event i at x[i - w0] */
    int *row;        /* per lane: row index, or -1 when not drawn */
    double *label_end; /* per row: right end of the last label */
    size_t nrows;
    double width, height;
} fl_svg;

static double fl_svg_y(size_t row)
{
    return FL_SVG_TOP + (double)row * FL_SVG_LANE_H + FL_SVG_LANE_H / 2.0;
}

/* Draws the marker of an event kind centred at (x, y). Also used by the
 * legend, so every shape is defined once. */
void fl_report__svg_marker(FILE *f, int kind, double x, double y)
{
    switch (kind) {
    case SV_EV_CRASH:
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6.5\" fill=\"#d62828\"/>"
                   "<path d=\"M%.1f %.1fl6 6m0 -6l-6 6\" stroke=\"#fff\" stroke-width=\"1.8\"/>",
                x, y, x - 3, y - 3);
        break;
    case SV_EV_EXIT:
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#6c757d\"/>", x, y);
        break;
    case SV_EV_LOGGED:
        fprintf(f, "<path d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\" fill=\"#1d6fd6\"/>", x, y - 5);
        break;
    case SV_EV_STOP_REQUESTED:
        fprintf(f, "<path d=\"M%.1f %.1fh11l-5.5 9z\" fill=\"#f08c00\"/>", x - 5.5, y - 5);
        break;
    case SV_EV_JOINED:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#343a40\"/>",
                x - 4.5, y - 4.5);
        break;
    case SV_EV_UNSTOPPED:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#fff\" "
                   "stroke=\"#8e2de2\" stroke-width=\"2.5\"/>",
                x - 4.5, y - 4.5);
        break;
    case SV_EV_RESTART:
        fprintf(f, "<path d=\"M%.1f %.1fv11l9 -5.5z\" fill=\"#2b9348\"/>", x - 4, y - 5.5);
        break;
    case SV_EV_STARTED:
    case SV_EV_RESTARTED:
        fprintf(f, "<path d=\"M%.1f %.1fv14\" stroke=\"#2b9348\" stroke-width=\"3\"/>", x,
                y - 7);
        break;
    case SV_EV_START:
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#fff\" stroke=\"#2b9348\" "
                   "stroke-width=\"1.5\"/>",
                x, y);
        break;
    case SV_EV_START_FAILED:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#fff\" "
                   "stroke=\"#d62828\" stroke-width=\"2.5\"/>",
                x - 4.5, y - 4.5);
        break;
    case SV_EV_BACKOFF:
        fprintf(f, "<path d=\"M%.1f %.1fh9l-9 11h9z\" fill=\"#e9b500\" stroke=\"#a07c00\"/>",
                x - 4.5, y - 5.5);
        break;
    case SV_EV_INTENSITY_EXCEEDED:
        fprintf(f, "<path d=\"M%.1f %.1fl7 7l-7 7l-7 -7z\" fill=\"#9d0208\"/>", x, y - 7);
        break;
    case SV_EV_ESCALATED:
        fprintf(f, "<path d=\"M%.1f %.1fl6.5 11h-13z\" fill=\"#9d0208\"/>", x, y - 6);
        break;
    case SV_EV_SHUTDOWN:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"5\" height=\"14\" fill=\"#212529\"/>",
                x - 2.5, y - 7);
        break;
    default: /* sup_start, child_removed/terminated, auto_shutdown, unknown */
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#adb5bd\"/>", x, y);
        break;
    }
}

/* Whether an event kind gets a text label beside its marker. */
static bool fl_svg_labelled(int kind)
{
    switch (kind) {
    case SV_EV_CRASH:
    case SV_EV_START_FAILED:
    case SV_EV_UNSTOPPED:
    case SV_EV_RESTART:
    case SV_EV_INTENSITY_EXCEEDED:
    case SV_EV_ESCALATED:
    case SV_EV_SHUTDOWN:
        return true;
    default:
        return false;
    }
}

/* Cuts s to at most max code points (on a code point boundary) into b,
 * adding "…" when cut. */
static void fl_svg_cut(fl_report__buf *b, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, k = 0, len;
    uint32_t cp;

    while (i < n && k < max) {
        len = fl_report__utf8_next(p + i, n - i, &cp);
        i += len ? len : 1;
        k++;
    }
    fl_report__buf_add(b, s, i);
    if (i < n)
        fl_report__buf_puts(b, "\xe2\x80\xa6");
}

/* x positions (relative to the plot) with time scaled to plot_w, pushed
 * right so consecutive events are at least FL_SVG_GAP apart; returns the
 * last x. */
static double fl_svg_place(fl_svg *g, double plot_w)
{
    const fl_event *ev = g->c->trace;
    int64_t t0 = ev[g->w0].ev.time_ns, t1 = ev[g->w1 - 1].ev.time_ns;
    double range = t1 > t0 ? (double)(t1 - t0) : 0, prev = 0;
    size_t i;

    for (i = g->w0; i < g->w1; i++) {
        int64_t t = ev[i].ev.time_ns;
        double x = range > 0 && t > t0 ? (double)(t - t0) / range * plot_w : 0;
        if (i > g->w0 && x < prev + FL_SVG_GAP)
            x = prev + FL_SVG_GAP;
        g->x[i - g->w0] = x;
        prev = x;
    }
    return prev;
}

/* Chooses the largest time scale whose widened layout still fits in
 * FL_SVG_PLOT_W; when the gaps alone do not fit, the plot grows (the page
 * scrolls it sideways). */
static void fl_svg_layout_x(fl_svg *g)
{
    double lo = 0, hi = FL_SVG_PLOT_W, w = FL_SVG_PLOT_W;
    size_t i;
    int k;

    if (fl_svg_place(g, FL_SVG_PLOT_W) > FL_SVG_PLOT_W) {
        if (fl_svg_place(g, 0) <= FL_SVG_PLOT_W) {
            for (k = 0; k < 30; k++) { /* the last x grows with the scale */
                double mid = (lo + hi) / 2;
                if (fl_svg_place(g, mid) <= FL_SVG_PLOT_W)
                    lo = mid;
                else
                    hi = mid;
            }
            w = lo;
        }
        fl_svg_place(g, w);
    }
    for (i = 0; i < g->w1 - g->w0; i++)
        g->x[i] += FL_SVG_LABEL_W + 16;
    g->width = g->x[g->w1 - 1 - g->w0] + FL_SVG_RIGHT;
    if (g->width < FL_SVG_LABEL_W + 16 + FL_SVG_PLOT_W + FL_SVG_RIGHT)
        g->width = FL_SVG_LABEL_W + 16 + FL_SVG_PLOT_W + FL_SVG_RIGHT;
}

/* Rows: lanes with an event or a running span inside the window. */
static void fl_svg_layout_rows(fl_svg *g)
{
    size_t i;

    for (i = 0; i < g->tl.nlanes; i++) {
        const fl_report__lane *l = &g->tl.lanes[i];
        bool shown = l->last >= g->w0 || (l->has_span && l->span_end >= g->w0);
        g->row[i] = shown ? (int)g->nrows++ : -1;
    }
    g->thread_row0 = g->nrows;
    g->nrows += g->c->threads ? g->c->nthreads : 0;
    g->height = FL_SVG_TOP + (double)g->nrows * FL_SVG_LANE_H + FL_SVG_AXIS_H;
}

static void fl_svg_lanes(fl_svg *g)
{
    FILE *f = g->f;
    fl_report__buf name = {0}, cut = {0};
    size_t i;

    for (i = 0; i < g->tl.nlanes; i++) {
        const fl_report__lane *l = &g->tl.lanes[i];
        double y;
        if (g->row[i] < 0)
            continue;
        y = fl_svg_y((size_t)g->row[i]);
        name.len = cut.len = 0;
        fl_report__lane_name(&g->tl, l, &name);
        fl_svg_cut(&cut, fl_report__buf_str(&name), FL_SVG_LANE_CHARS);
        fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                y - FL_SVG_LANE_H / 2.0, g->width, FL_SVG_LANE_H,
                g->row[i] % 2 ? "#f8f9fa" : "#ffffff");
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"lane%s\"><title>", FL_SVG_LABEL_W - 8,
                y + 4, l->child ? "" : " sup");
        fl_report__esc_str(f, fl_report__buf_str(&name), FL_REPORT__ESC_TEXT);
        fputs("</title>", f);
        fl_report__esc_str(f, fl_report__buf_str(&cut), FL_REPORT__ESC_TEXT);
        fputs("</text>\n", f);
    }
    for (i = 0; g->c->threads && i < g->c->nthreads; i++) {
        size_t row = g->thread_row0 + i;
        double y = fl_svg_y(row);
        const char *tn = g->c->threads[i].name ? g->c->threads[i].name : "?";
        cut.len = 0;
        fl_svg_cut(&cut, tn, FL_SVG_LANE_CHARS - 7);
        fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                y - FL_SVG_LANE_H / 2.0, g->width, FL_SVG_LANE_H, row % 2 ? "#f4f8f4" : "#fbfdfb");
        if (i == 0) /* a line between incarnation and thread lanes */
            fprintf(f, "<path d=\"M0 %.1fH%.1f\" stroke=\"#adb5bd\"/>\n",
                    y - FL_SVG_LANE_H / 2.0, g->width);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"lane thr\"><title>thread ", FL_SVG_LABEL_W - 8,
                y + 4);
        fl_report__esc_str(f, tn, FL_REPORT__ESC_TEXT);
        fputs("</title>thread ", f);
        fl_report__esc_str(f, fl_report__buf_str(&cut), FL_REPORT__ESC_TEXT);
        fputs("</text>\n", f);
    }
    fprintf(f, "<path d=\"M%d %dV%.1f\" stroke=\"#ced4da\"/>\n", FL_SVG_LABEL_W, FL_SVG_TOP,
            g->height - FL_SVG_AXIS_H);
    fl_report__buf_free(&name);
    fl_report__buf_free(&cut);
}

/* Time axis: a tick (and a light grid line) at events at least 100 px
 * apart, labelled with the virtual time. */
static void fl_svg_axis(fl_svg *g)
{
    FILE *f = g->f;
    double ya = g->height - FL_SVG_AXIS_H + 6, last = -1e9;
    size_t i;
    char t[48];

    fprintf(f, "<path d=\"M%d %.1fH%.1f\" stroke=\"#495057\"/>\n", FL_SVG_LABEL_W, ya,
            g->width - 10);
    for (i = g->w0; i < g->w1; i++) {
        double x = g->x[i - g->w0];
        if (x - last < 100)
            continue;
        last = x;
        fl_report__fmt_vtime(t, sizeof t, g->c->trace[i].ev.time_ns);
        fprintf(f, "<path d=\"M%.1f %dV%.1f\" stroke=\"#e9ecef\"/>"
                   "<path d=\"M%.1f %.1fv5\" stroke=\"#495057\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%s</text>\n",
                x, FL_SVG_TOP, ya, x, ya, x, ya + 17, t);
    }
    fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"axis\">virtual time</text>\n",
            FL_SVG_LABEL_W - 8, ya + 17);
}

/* Bars while incarnations ran: darker up to their first crash/exit. */
static void fl_svg_spans(fl_svg *g)
{
    FILE *f = g->f;
    size_t i;

    for (i = 0; i < g->tl.nlanes; i++) {
        const fl_report__lane *l = &g->tl.lanes[i];
        double xb, xe, xd, y;
        if (g->row[i] < 0 || !l->has_span || l->span_end < g->w0)
            continue;
        y = fl_svg_y((size_t)g->row[i]);
        xb = l->span_begin >= g->w0 ? g->x[l->span_begin - g->w0] : FL_SVG_LABEL_W + 2;
        xe = g->x[l->span_end - g->w0];
        if (!l->span_closed)
            xe += 24; /* still running at the end of the trace */
        xd = l->ended == SIZE_MAX ? xe : l->ended >= g->w0 ? g->x[l->ended - g->w0] : xb;
        if (xd > xb)
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" rx=\"3\" "
                       "fill=\"#a9c9ee\" stroke=\"#4a78b5\"/>",
                    xb, y - 6, xd - xb > 1 ? xd - xb : 1);
        if (l->ended != SIZE_MAX)
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" rx=\"3\" "
                       "fill=\"#e9ecef\" stroke=\"#adb5bd\" stroke-dasharray=\"3 2\"/>",
                    xd, y - 6, xe - xd > 1 ? xe - xd : 1);
        if (!l->span_closed)
            fprintf(f, "<path d=\"M%.1f %.1fl7 7l-7 7\" fill=\"none\" stroke=\"#4a78b5\" "
                       "stroke-width=\"1.5\"/>",
                    xe + 2, y - 7);
        fputc('\n', f);
    }
}

/* x of virtual time t: the x of the first drawn event at or after t;
 * before the window the left edge, after it a little past the last event. */
static double fl_svg_x_at(const fl_svg *g, int64_t t)
{
    const fl_event *ev = g->c->trace;
    size_t lo = g->w0, hi = g->w1;

    if (t < ev[g->w0].ev.time_ns)
        return FL_SVG_LABEL_W + 2;
    while (lo < hi) { /* first index with time >= t; times never decrease */
        size_t mid = lo + (hi - lo) / 2;
        if (ev[mid].ev.time_ns < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->w1 ? g->x[lo - g->w0] : g->x[g->w1 - 1 - g->w0] + 24;
}

/* Thread lanes: a bar while each thread existed. */
static void fl_svg_thread_spans(fl_svg *g)
{
    for (size_t i = 0; g->c->threads && i < g->c->nthreads; i++) {
        const fl_thread *t = &g->c->threads[i];
        double y = fl_svg_y(g->thread_row0 + i), xb = fl_svg_x_at(g, t->start_ns);
        double xe = t->end_ns < 0 ? g->x[g->w1 - 1 - g->w0] + 24 : fl_svg_x_at(g, t->end_ns);
        fprintf(g->f, "<rect class=\"thr\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" "
                      "rx=\"3\" fill=\"#c3e6cb\" stroke=\"#2b8a3e\"/>\n",
                xb, y - 4, xe - xb > 1 ? xe - xb : 1);
    }
}

static int fl_svg_events(fl_svg *g)
{
    FILE *f = g->f;
    fl_report__buf line = {0}, label = {0};
    size_t i;

    for (i = g->w0; i < g->w1; i++) {
        const sv_event *e = &g->c->trace[i].ev;
        size_t lane = g->tl.lane_of[i];
        double x = g->x[i - g->w0], y = fl_svg_y((size_t)g->row[lane]);
        double *end = &g->label_end[g->row[lane]];

        bool hl = fl_report__seq_in(g->hl, g->nhl, e->seq);
        uint32_t th = g->c->trace[i].thread;

        line.len = 0;
        fl_report__event_line(&line, e);
        if (hl)
            fprintf(f, "<g class=\"ev hl\" id=\"case-%zu-tl-%llu\"><title>", g->id,
                    (unsigned long long)e->seq);
        else
            fputs("<g class=\"ev\"><title>", f);
        fl_report__esc_str(f, fl_report__buf_str(&line), FL_REPORT__ESC_TEXT);
        fputs("</title>", f);
        if (hl)
            fprintf(f, "<circle class=\"hlring\" cx=\"%.1f\" cy=\"%.1f\" r=\"10\"/>", x, y);
        fl_report__svg_marker(f, (int)e->kind, x, y);
        if (g->c->threads && th >= 1 && th <= g->c->nthreads) /* and on its thread's lane */
            fl_report__svg_marker(f, (int)e->kind, x, fl_svg_y(g->thread_row0 + th - 1));
        fputs("</g>\n", f);
        if (fl_svg_labelled((int)e->kind) && x - 4 > *end) {
            label.len = 0;
            fl_report__buf_puts(&label, sv_event_kind_name((int)e->kind));
            if (e->child && !g->tl.lanes[lane].child) { /* on the supervisor's lane */
                fl_report__buf_add(&label, " ", 1);
                fl_svg_cut(&label, e->child, 16);
            }
            if (e->kind == SV_EV_CRASH || e->kind == SV_EV_RESTART || e->kind == SV_EV_ESCALATED)
                fl_report__buf_printf(&label, " (%s)", sv_exit_name(e->reason));
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"lbl\">", x - 4, y - 9);
            fl_report__esc_str(f, fl_report__buf_str(&label), FL_REPORT__ESC_TEXT);
            fputs("</text>\n", f);
            *end = x - 4 + 6.0 * (double)label.len;
        }
    }
    fl_report__buf_free(&line);
    fl_report__buf_free(&label);
    return line.err || label.err ? -ENOMEM : 0;
}

/* One entry per marker shape drawn, naming every event kind that uses it:
 * together the entries cover every sv_event_kind (fl_report__svg_marker's
 * default shape stands for the kinds listed under "other"). */
static void fl_svg_legend(FILE *f, bool threads, bool highlight)
{
    static const struct {
        int kind;
        const char *text;
    } items[] = {
        {SV_EV_START, "start (supervisor starts an incarnation)"},
        {SV_EV_STARTED, "started / restarted"},
        {SV_EV_CRASH, "crash"},
        {SV_EV_EXIT, "exit"},
        {SV_EV_LOGGED, "logged"},
        {SV_EV_STOP_REQUESTED, "stop requested"},
        {SV_EV_JOINED, "joined"},
        {SV_EV_UNSTOPPED, "unstopped"},
        {SV_EV_RESTART, "restart"},
        {SV_EV_BACKOFF, "backoff"},
        {SV_EV_START_FAILED, "start failed"},
        {SV_EV_INTENSITY_EXCEEDED, "intensity exceeded"},
        {SV_EV_ESCALATED, "escalated"},
        {SV_EV_SHUTDOWN, "shutdown"},
        {SV_EV_SUP_START, "other: supervisor start, child removed, child terminated, "
                          "auto shutdown"},
    };
    size_t i;

    fputs("<ul class=\"legend\">", f);
    fputs("<li><svg width=\"26\" height=\"14\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" "
          "width=\"24\" height=\"12\" rx=\"3\" fill=\"#a9c9ee\" stroke=\"#4a78b5\"/></svg>"
          "running</li>",
          f);
    fputs("<li><svg width=\"26\" height=\"14\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" "
          "width=\"24\" height=\"12\" rx=\"3\" fill=\"#e9ecef\" stroke=\"#adb5bd\" "
          "stroke-dasharray=\"3 2\"/></svg>ended, not yet joined</li>",
          f);
    fputs("<li><svg width=\"18\" height=\"18\" aria-hidden=\"true\"><path d=\"M5 2l7 7l-7 7\" "
          "fill=\"none\" stroke=\"#4a78b5\" stroke-width=\"1.5\"/></svg>still running at the "
          "end of the trace</li>",
          f);
    if (threads)
        fputs("<li><svg width=\"26\" height=\"14\" aria-hidden=\"true\"><rect x=\"1\" y=\"3\" "
              "width=\"24\" height=\"8\" rx=\"3\" fill=\"#c3e6cb\" stroke=\"#2b8a3e\"/></svg>"
              "thread alive</li>",
              f);
    if (highlight)
        fputs("<li><svg width=\"24\" height=\"24\" aria-hidden=\"true\"><circle cx=\"12\" "
              "cy=\"12\" r=\"10\" fill=\"none\" stroke=\"#f59f00\" stroke-width=\"2.5\"/></svg>"
              "named in the failure message</li>",
              f);
    for (i = 0; i < sizeof items / sizeof items[0]; i++) {
        fputs("<li><svg width=\"18\" height=\"18\" aria-hidden=\"true\">", f);
        fl_report__svg_marker(f, items[i].kind, 9, 9);
        fprintf(f, "</svg>%s</li>", items[i].text);
    }
    fputs("</ul>\n", f);
}

int fl_report__html_timeline(FILE *f, const fl_case *c, size_t id, const uint64_t *hl,
                             size_t nhl)
{
    fl_svg g;
    int rc;

    if (!c->trace || c->ntrace == 0) {
        fputs("<p class=\"note\">No event trace was recorded for this run.</p>\n", f);
        return 0;
    }
    memset(&g, 0, sizeof g);
    g.f = f;
    g.c = c;
    g.id = id;
    g.hl = hl;
    g.nhl = nhl;
    g.w1 = c->ntrace;
    g.w0 = c->ntrace > FL_SVG_MAX_EVENTS ? c->ntrace - FL_SVG_MAX_EVENTS : 0;
    rc = fl_report__timeline_build(c->trace, c->ntrace, &g.tl);
    if (rc < 0)
        return rc;
    rc = -ENOMEM;
    g.x = malloc((g.w1 - g.w0) * sizeof *g.x);
    g.row = malloc((g.tl.nlanes ? g.tl.nlanes : 1) * sizeof *g.row);
    g.label_end = malloc((g.tl.nlanes ? g.tl.nlanes : 1) * sizeof *g.label_end);
    if (!g.x || !g.row || !g.label_end)
        goto out;
    for (size_t i = 0; i < g.tl.nlanes; i++)
        g.label_end[i] = -1e9;
    fl_svg_layout_x(&g);
    fl_svg_layout_rows(&g);

    if (g.w0 > 0)
        fprintf(f, "<p class=\"note\">Showing the last %zu of %zu events.</p>\n",
                g.w1 - g.w0, c->ntrace);
    fprintf(f, "<div class=\"tlwrap\"><svg class=\"timeline\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"timeline\">\n",
            g.width, g.height, g.width, g.height);
    fl_svg_lanes(&g);
    fl_svg_axis(&g);
    fl_svg_spans(&g);
    fl_svg_thread_spans(&g);
    rc = fl_svg_events(&g);
    fputs("</svg></div>\n", f);
    fl_svg_legend(f, c->threads && c->nthreads, nhl > 0);
    fputs("<p class=\"note\">Hover a marker for the full event. The x axis is the run's "
          "virtual time; events that happened at the same instant are spread apart so each "
          "stays visible, in order.</p>\n",
          f);
out:
    free(g.x);
    free(g.row);
    free(g.label_end);
    fl_report__timeline_free(&g.tl);
    return rc;
}
