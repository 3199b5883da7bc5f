/*
 * html.c — report.html: one self-contained page (inline CSS, a few lines of
 * inline JS for the copy buttons, no fonts, images or scripts fetched from
 * anywhere) with the run's counts, the results table, and for each failing
 * scenario the invariant, the message, the replay line and the timeline.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FL_HTML_TAIL_EVENTS 60

static const char fl_html_css[] =
    ":root{--fg:#212529;--muted:#6c757d;--line:#dee2e6;--bg2:#f8f9fa;--red:#c1121f;"
    "--green:#2b8a3e;--blue:#1d6fd6}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;padding:24px 32px 48px;color:var(--fg);background:#fff;"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "'DejaVu Sans',sans-serif}\n"
    "main{max-width:1180px;margin:0 auto}\n"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 12px;"
    "border-bottom:1px solid var(--line);padding-bottom:6px}\n"
    "h3{font-size:18px;margin:0 0 12px}h4{font-size:14px;margin:18px 0 6px;"
    "text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}\n"
    "code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "'DejaVu Sans Mono','Liberation Mono',monospace;font-size:13px}\n"
    "pre{margin:0;padding:10px 12px;background:var(--bg2);border:1px solid var(--line);"
    "border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}\n"
    ".meta{color:var(--muted);margin:0 0 16px}\n"
    ".banner{padding:12px 16px;border-radius:8px;font-weight:600;font-size:17px;"
    "margin:16px 0}\n"
    ".banner.fail{background:#fdecea;color:var(--red);border:1px solid #f5c2c7}\n"
    ".banner.pass{background:#e6f4ea;color:var(--green);border:1px solid #b7dfc1}\n"
    ".counts{display:flex;flex-wrap:wrap;gap:12px;margin:0;padding:0;list-style:none}\n"
    ".counts li{border:1px solid var(--line);border-radius:8px;padding:8px 16px;"
    "min-width:120px}\n"
    ".counts b{display:block;font-size:22px}.counts span{color:var(--muted);font-size:13px}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);"
    "vertical-align:top}\n"
    "th{font-size:13px;color:var(--muted);font-weight:600;background:var(--bg2)}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.fail td{background:#fff5f5}\n"
    ".path{color:var(--muted);font-size:12.5px;overflow-wrap:anywhere}\n"
    ".v{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;"
    "font-weight:700;letter-spacing:.03em}\n"
    ".v.pass{background:#d3f0dc;color:#1e6b31}.v.fail{background:#f8d7da;color:#9b1c1c}\n"
    ".v.skip{background:#e9ecef;color:#495057}.v.xfail{background:#dbe7f6;color:#1c4f91}\n"
    "a{color:var(--blue)}\n"
    ".failure{border:1px solid #f5c2c7;border-left:5px solid var(--red);border-radius:8px;"
    "padding:16px 20px;margin:0 0 28px}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}\n"
    "dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}\n"
    ".replay{display:flex;gap:8px;align-items:stretch}.replay pre{flex:1}\n"
    "button{font:inherit;font-size:13px;padding:4px 12px;border:1px solid #adb5bd;"
    "border-radius:6px;background:#fff;cursor:pointer}button:hover{background:var(--bg2)}\n"
    ".tlwrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px}\n"
    "svg.timeline{display:block;font-family:system-ui,-apple-system,'Segoe UI',Roboto,"
    "Arial,'DejaVu Sans',sans-serif}\n"
    "svg .lane{font-size:12px;text-anchor:end;fill:#343a40}svg .lane.sup{font-weight:700}\n"
    "svg .tick{font-size:11px;text-anchor:middle;fill:#495057}\n"
    "svg .axis{font-size:11px;text-anchor:end;fill:var(--muted)}\n"
    "svg .lbl{font-size:11px;fill:#212529;paint-order:stroke;stroke:#fff;"
    "stroke-width:3px}\n"
    "svg .ev:hover{opacity:.6}svg .lane.thr{fill:#2b8a3e;font-style:italic}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;"
    "margin:8px 0 0;font-size:12.5px;color:#495057}\n"
    ".legend li{display:flex;align-items:center;gap:5px}\n"
    ".note{color:var(--muted);font-size:13px;margin:6px 0}\n"
    "details{margin-top:12px}summary{cursor:pointer;color:var(--blue)}\n"
    "details pre{margin-top:6px;white-space:pre;overflow-x:auto}\n"
    "footer{margin-top:40px;color:var(--muted);font-size:12.5px}\n"
    ".jump{margin-left:8px;font-size:12.5px;white-space:nowrap}\n"
    ".back{float:right;font-size:12.5px}\n"
    ".failure:target{box-shadow:0 0 0 3px #ffd43b}tr:target td{background:#fff3bf}\n"
    ".evl.hl{background:#fff3bf;outline:1px solid #f59f00;font-weight:600}\n"
    ".evl:target{background:#ffe066}\n"
    "a.evref{font-weight:600;background:#fff3bf;border-radius:3px;padding:0 2px}\n"
    "svg .ev.hl .hlring{fill:none;stroke:#f59f00;stroke-width:2.5}\n";

/* Copy buttons: clipboard API when allowed, else select the text. */
static const char fl_html_js[] =
    "document.addEventListener('click',function(e){\n"
    "var b=e.target.closest('button[data-copy]');if(!b)return;\n"
    "var el=document.getElementById(b.getAttribute('data-copy'));\n"
    "function ok(){b.textContent='Copied';setTimeout(function(){b.textContent='Copy';},1500);}\n"
    "function sel(){var r=document.createRange();r.selectNodeContents(el);"
    "var s=window.getSelection();s.removeAllRanges();s.addRange(r);"
    "try{document.execCommand('copy');ok();}catch(x){b.textContent='Press Ctrl+C';}}\n"
    "if(navigator.clipboard&&window.isSecureContext)"
    "navigator.clipboard.writeText(el.textContent).then(ok,sel);else sel();});\n";

static void fl_html_text(FILE *f, const char *s)
{
    fl_report__esc_str(f, s, FL_REPORT__ESC_TEXT);
}

static void fl_html_count(FILE *f, unsigned long long n, const char *what)
{
    fprintf(f, "<li><b>%llu</b><span>%s</span></li>", n, what);
}

static const char *fl_html_verdict_text(const fl_case *c)
{
    const char *v = fl_report__verdict(c);

    if (strcmp(v, "xfail") == 0)
        return "KNOWN-BAD &#10003;";
    if (strcmp(v, "pass") == 0)
        return "PASS";
    if (strcmp(v, "skip") == 0)
        return "SKIP";
    return "FAIL";
}

static void fl_html_header(FILE *f, const fl_suite *s, size_t failed)
{
    size_t i, skipped = 0, xfail = 0;
    unsigned long long runs = 0, failed_runs = 0;
    char iso[40], t[48];

    for (i = 0; i < s->ncases; i++) {
        skipped += s->cases[i].skipped;
        xfail += !s->cases[i].skipped && s->cases[i].passed && s->cases[i].expect_fail;
        runs += s->cases[i].runs;
        failed_runs += s->cases[i].failed_runs;
    }
    fl_report__fmt_iso8601(iso, sizeof iso, s->timestamp, false);
    if (strchr(iso, 'T'))
        *strchr(iso, 'T') = ' ';
    fl_report__fmt_fixed(t, sizeof t, s->time_s, 2);

    fputs("<header><h1>", f);
    fl_html_text(f, s->name ? s->name : "faultline");
    fputs(" report</h1>\n<p class=\"meta\">strategy <b>", f);
    fl_html_text(f, s->strategy ? s->strategy : "random");
    fputs("</b>", f);
    if (s->strategy && strcmp(s->strategy, "pct") == 0)
        fprintf(f, " (depth %u)", (unsigned)s->depth);
    fprintf(f, " &middot; seeds %llu&ndash;%llu per scenario", (unsigned long long)s->seed_lo,
            (unsigned long long)(s->seed_hi > s->seed_lo ? s->seed_hi - 1 : s->seed_lo));
    if (s->shard) {
        fputs(" &middot; shard ", f);
        fl_html_text(f, s->shard);
    }
    fprintf(f, " &middot; started %s UTC &middot; took %s s</p></header>\n", iso, t);

    if (failed)
        fprintf(f, "<div class=\"banner fail\">%zu of %zu scenario%s failed</div>\n", failed,
                s->ncases, s->ncases == 1 ? "" : "s");
    else
        fprintf(f, "<div class=\"banner pass\">All %zu scenario%s passed</div>\n",
                s->ncases - skipped, s->ncases - skipped == 1 ? "" : "s");
    fputs("<ul class=\"counts\">", f);
    fl_html_count(f, s->ncases, "scenarios");
    fl_html_count(f, s->ncases - failed - skipped, "passed");
    fl_html_count(f, failed, "failed");
    fl_html_count(f, skipped, "skipped");
    fl_html_count(f, xfail, "known-bad caught");
    fl_html_count(f, runs, "runs");
    fl_html_count(f, failed_runs, "failed runs");
    fputs("</ul>\n", f);
}

static void fl_html_results(FILE *f, const fl_suite *s)
{
    size_t i;
    char t[48];

    fputs("<h2>Results</h2>\n<table><thead><tr><th>Scenario</th><th class=\"num\">Runs</th>"
          "<th class=\"num\">Failed runs</th><th class=\"num\">Time</th><th>Verdict</th>"
          "</tr></thead>\n<tbody>\n",
          f);
    for (i = 0; i < s->ncases; i++) {
        const fl_case *c = &s->cases[i];
        const char *v = fl_report__verdict(c);
        bool bad = strcmp(v, "fail") == 0;

        fl_report__fmt_fixed(t, sizeof t, c->time_s, 3);
        fprintf(f, "<tr id=\"row-%zu\"%s><td>", i + 1, bad ? " class=\"fail\"" : "");
        if (bad)
            fprintf(f, "<a href=\"#case-%zu\">", i + 1);
        fl_html_text(f, c->name ? c->name : c->path ? c->path : "?");
        fputs(bad ? "</a>" : "", f);
        fputs("<div class=\"path\">", f);
        fl_html_text(f, c->path);
        if (c->skipped && c->skip_reason) {
            fputs(" &middot; skipped: ", f);
            fl_html_text(f, c->skip_reason);
        }
        fprintf(f, "</div></td><td class=\"num\">%u</td><td class=\"num\">%u</td>"
                   "<td class=\"num\">%s s</td><td><span class=\"v %s\"",
                (unsigned)c->runs, (unsigned)c->failed_runs, t, v);
        if (c->expect_fail) {
            fputs(" title=\"known-bad scenario: passes when invariant ", f);
            fl_report__esc_str(f, c->expect_invariant ? c->expect_invariant : "(any)",
                               FL_REPORT__ESC_ATTR);
            fputs(" fails\"", f);
        }
        fprintf(f, ">%s</span>", fl_html_verdict_text(c));
        if (bad) /* the card is far below the table: say where */
            fprintf(f, "<a class=\"jump\" href=\"#case-%zu\">details &darr;</a>", i + 1);
        fputs("</td></tr>\n", f);
    }
    if (s->ncases == 0)
        fputs("<tr><td colspan=\"5\">No scenarios were run.</td></tr>\n", f);
    fputs("</tbody></table>\n", f);
}

/* The event lines of the run's last events (and, before them, the events
 * the message names), and the last crash backtrace. Each line is a span
 * with id "case-ID-ev-SEQ"; named events have class "hl". */
static int fl_html_events(FILE *f, const fl_case *c, size_t id, const uint64_t *hl, size_t nhl)
{
    size_t first = c->ntrace > FL_HTML_TAIL_EVENTS ? c->ntrace - FL_HTML_TAIL_EVENTS : 0, i;
    size_t prev = 0;
    bool shown = false;
    const sv_event *crash = fl_report__last_crash(c);
    fl_report__buf line = {0};

    if (!c->trace || c->ntrace == 0)
        return 0;
    if (crash) {
        char *bt = fl_report__backtrace(crash);
        fputs("<details open><summary>Backtrace of the last crash (", f);
        fl_html_text(f, crash->child ? crash->child : "?");
        fprintf(f, "#%u)</summary><pre class=\"bt\">", (unsigned)crash->incarnation);
        fl_html_text(f, bt ? bt : crash->backtrace);
        free(bt);
        fputs("</pre></details>\n", f);
    }
    fprintf(f, "<details%s><summary>Event trace: last %zu of %zu events%s</summary><pre>",
            nhl ? " open" : "", c->ntrace - first, c->ntrace,
            nhl ? "; the events the message names are marked" : "");
    for (i = 0; i < c->ntrace; i++) {
        bool named = fl_report__seq_in(hl, nhl, c->trace[i].ev.seq);
        if (i < first && !named)
            continue;
        if (shown && i != prev + 1)
            fputs("\xe2\x80\xa6\n", f); /* … events left out */
        shown = true;
        prev = i;
        line.len = 0;
        fl_report__event_line(&line, &c->trace[i].ev);
        if (line.err)
            break;
        fprintf(f, "<span class=\"evl%s\" id=\"case-%zu-ev-%llu\">", named ? " hl" : "", id,
                (unsigned long long)c->trace[i].ev.seq);
        fl_report__escape(f, line.p, line.len, FL_REPORT__ESC_TEXT);
        fputs("</span>\n", f);
    }
    fputs("</pre></details>\n", f);
    fl_report__buf_free(&line);
    return line.err;
}

/* The message, with every "#N" of its "[events …]" groups a link to that
 * event's line in the event list. */
static void fl_html_message(FILE *f, const char *msg, size_t id)
{
    const char *p = msg;

    while (*p) {
        const char *g = strstr(p, "[events "), *end = g ? strchr(g, ']') : NULL;
        if (!g || !end) {
            fl_html_text(f, p);
            return;
        }
        fl_report__escape(f, p, (size_t)(g + 8 - p), FL_REPORT__ESC_TEXT);
        for (p = g + 8; p < end;) {
            const char *d = p + 1;
            while (d < end && *d >= '0' && *d <= '9')
                d++;
            if (*p == '#' && d > p + 1) {
                fprintf(f, "<a class=\"evref\" href=\"#case-%zu-ev-%.*s\">%.*s</a>", id,
                        (int)(d - p - 1), p + 1, (int)(d - p), p);
                p = d;
            } else {
                fl_report__escape(f, p, 1, FL_REPORT__ESC_TEXT);
                p++;
            }
        }
    }
}

static int fl_html_failure(FILE *f, const fl_case *c, size_t id)
{
    uint64_t *hl = NULL;
    size_t nhl = 0;
    fl_report__buf title = {0};
    int rc;

    fl_report__failure_title(&title, c);
    if (title.err) {
        fl_report__buf_free(&title);
        return -ENOMEM;
    }
    if (fl_report__named_events(c->message, &hl, &nhl) < 0) {
        fl_report__buf_free(&title);
        return -ENOMEM;
    }
    fprintf(f, "<section class=\"failure\" id=\"case-%zu\">"
               "<a class=\"back\" href=\"#row-%zu\">&uarr; back to results</a><h3>",
            id, id);
    fl_html_text(f, c->name ? c->name : c->path ? c->path : "?");
    fputs(" <span class=\"path\">", f);
    fl_html_text(f, c->path);
    fputs("</span></h3>\n<dl>", f);
    fputs("<dt>What</dt><dd>", f);
    fl_html_text(f, title.p);
    fl_report__buf_free(&title);
    fputs("</dd>", f);
    if (c->invariant) {
        fputs("<dt>Invariant</dt><dd><code>", f);
        fl_html_text(f, c->invariant);
        fputs("</code></dd>", f);
    }
    fprintf(f, "<dt>Seed</dt><dd><code>%llu</code> (%u of %u runs failed)</dd>",
            (unsigned long long)c->seed, (unsigned)c->failed_runs, (unsigned)c->runs);
    if (c->schedule) {
        fputs("<dt>Schedule</dt><dd><code>", f);
        fl_html_text(f, c->schedule);
        fputs("</code></dd>", f);
    }
    fputs("</dl>\n", f);
    if (c->message) {
        fputs("<h4>What broke</h4><pre class=\"msg\">", f);
        fl_html_message(f, c->message, id);
        fputs("</pre>\n", f);
    }
    if (c->replay) {
        fprintf(f, "<h4>Replay</h4><div class=\"replay\"><pre><code id=\"replay-%zu\">", id);
        fl_html_text(f, c->replay);
        fprintf(f, "</code></pre><button type=\"button\" data-copy=\"replay-%zu\">Copy</button>"
                   "</div>\n",
                id);
    }
    fputs("<h4>Timeline</h4>\n", f);
    rc = fl_report__html_timeline(f, c, id, hl, nhl);
    if (rc == 0)
        rc = fl_html_events(f, c, id, hl, nhl);
    fputs("</section>\n", f);
    free(hl);
    return rc;
}

static int fl_html_body(FILE *f, const void *vctx)
{
    const fl_suite *s = vctx;
    size_t i, failed = fl_report_failed(s);
    int rc;

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>",
          f);
    fl_html_text(f, s->name ? s->name : "faultline");
    if (failed)
        fprintf(f, " &mdash; %zu failed", failed);
    else
        fputs(" &mdash; all passed", f);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", fl_html_css);
    fl_html_header(f, s, failed);
    fl_html_results(f, s);
    fputs("<h2>Failures</h2>\n", f);
    if (!failed)
        fputs("<p>None.</p>\n", f);
    for (i = 0; i < s->ncases; i++) {
        const fl_case *c = &s->cases[i];
        if (c->skipped || c->passed)
            continue;
        rc = fl_html_failure(f, c, i + 1);
        if (rc < 0)
            return rc;
    }
    fputs("<footer>Generated by faultline. This page is self-contained: it loads nothing "
          "from the network.</footer>\n</main>\n<script>\n",
          f);
    fputs(fl_html_js, f);
    fputs("</script>\n</body>\n</html>\n", f);
    return 0;
}

/* Writes the report page for s to path ("-" = stdout), atomically. Borrows
 * s; allocates only temporaries, freed before returning. 0, -EINVAL (no
 * suite, cases missing), -ENOMEM, or the errno of a failed write/rename. */
int fl_report_html(const fl_suite *s, const char *path)
{
    if (!s || (s->ncases && !s->cases))
        return -EINVAL;
    return fl_report__write_atomic(path, fl_html_body, s);
}
