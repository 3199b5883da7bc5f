/*
 * summary.c — counts over a suite and the terminal block printed for each
 * failure at the end of a run.
 */
#include "report_int.h"

#include <string.h>

/* Number of cases that ran and failed (verdict "fail"); 0 for NULL. */
size_t fl_report_failed(const fl_suite *s)
{
    size_t i, n = 0;

    if (!s)
        return 0;
    for (i = 0; i < s->ncases; i++)
        if (!s->cases[i].skipped && !s->cases[i].passed)
            n++;
    return n;
}

/* Writes s[0..n) for a terminal: control bytes and invalid UTF-8 as \xNN,
 * so a crash message cannot move the cursor or change colours. Stops at
 * the first newline when one_line is set, then appends " …". */
static void fl_report__term_put(FILE *out, const char *s, bool one_line)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, i = 0, len;
    uint32_t cp;

    if (!s)
        return;
    n = strlen(s);
    while (i < n) {
        if (p[i] == '\n' && one_line) {
            if (i + 1 < n)
                fputs(" \xe2\x80\xa6", out); /* … */
            return;
        }
        len = fl_report__utf8_next(p + i, n - i, &cp);
        if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
            if (len == 0)
                len = 1;
            for (size_t k = 0; k < len; k++)
                fprintf(out, "\\x%02x", p[i + k]);
        } else {
            fwrite(p + i, 1, len, out);
        }
        i += len;
    }
}

/* Prints one block per failing case to out: scenario, invariant, message
 * (first line), seed, replay line. Nothing for a passing suite. Cannot fail
 * (stream errors are the caller's to check). */
void fl_report_failures(const fl_suite *s, FILE *out)
{
    size_t i;

    if (!s || !out)
        return;
    for (i = 0; i < s->ncases; i++) {
        const fl_case *c = &s->cases[i];
        fl_report__buf title = {0};

        if (c->skipped || c->passed)
            continue;
        fputs("\nFAIL ", out);
        fl_report__term_put(out, c->path ? c->path : "?", true);
        if (c->name) {
            fputs(" (", out);
            fl_report__term_put(out, c->name, true);
            fputs(")", out);
        }
        fputs("\n", out);
        if (c->expect_fail) { /* a known-bad scenario that did not fail as it should */
            fl_report__failure_title(&title, c);
            fputs("  verdict:   ", out);
            fl_report__term_put(out, title.err ? "(out of memory)" : fl_report__buf_str(&title),
                                true);
            fl_report__buf_free(&title);
            fputs("\n", out);
        }
        if (c->invariant) {
            fputs("  invariant: ", out);
            fl_report__term_put(out, c->invariant, true);
            fputs("\n", out);
        }
        if (c->message && *c->message) {
            fputs("  message:   ", out);
            fl_report__term_put(out, c->message, true);
            fputs("\n", out);
        }
        fprintf(out, "  seed:      %llu (%u of %u runs failed)\n", (unsigned long long)c->seed,
                (unsigned)c->failed_runs, (unsigned)c->runs);
        if (c->replay) {
            fputs("  replay:    ", out);
            fl_report__term_put(out, c->replay, true);
            fputs("\n", out);
        }
    }
}
