/*
 * tap.c — TAP version 13: version line, plan, then comments, one test point
 * per scenario, a YAML diagnostic block (two-space indent, --- ... ...)
 * under each failure. YAML string values are double-quoted with JSON
 * escapes, which YAML reads as the same string.
 *
 * Why 13 and this layout (docs/architecture.md, "Reports"): Test::Harness
 * 3.44 (prove on Debian 12) refuses "TAP version 14"; tappy refuses a plan
 * that is not on the first line after the version; npm tap-parser reads
 * both. TAP 13 has no escape for '#' in a description and tappy ends the
 * description at any '#' (so "name \# TODO" would turn a failure into a
 * TODO there): descriptions carry '#' as U+FF03 FULLWIDTH NUMBER SIGN.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A test point description or directive reason: one line, '#' as U+FF03
 * (no consumer can read it as a directive), controls as spaces, invalid
 * UTF-8 as U+FFFD. */
static void fl_report__tap_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;
    uint32_t cp;

    while (i < n) {
        len = fl_report__utf8_next(p + i, n - i, &cp);
        if (len == 0) {
            fputs("\xef\xbf\xbd", f);
            i++;
            continue;
        }
        if (cp == '#')
            fputs("\xef\xbc\x83", f); /* U+FF03 */
        else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
            fputc(' ', f);
        else
            fwrite(p + i, 1, len, f);
        i += len;
    }
}

static void fl_report__yaml_str(FILE *f, const char *key, const char *value)
{
    if (!value)
        return;
    fprintf(f, "  %s: ", key);
    fl_report__json_str(f, value);
    fputc('\n', f);
}

static int fl_report__tap_case(FILE *f, const fl_case *c, size_t n)
{
    fl_report__buf title = {0};
    char *bt;
    const char *name = c->name ? c->name : c->path ? c->path : "?";

    fprintf(f, "%s %zu - ", c->skipped || c->passed ? "ok" : "not ok", n);
    fl_report__tap_text(f, name);
    if (c->skipped) {
        fputs(" # SKIP", f);
        if (c->skip_reason) {
            fputc(' ', f);
            fl_report__tap_text(f, c->skip_reason);
        }
        fputc('\n', f);
        return 0;
    }
    if (c->passed && !c->expect_fail) {
        fputc('\n', f);
        return 0;
    }
    fl_report__failure_title(&title, c);
    if (title.err) {
        fl_report__buf_free(&title);
        return -ENOMEM;
    }
    if (c->passed) { /* known-bad caught: say so in the description */
        fputs(" (", f);
        fl_report__tap_text(f, title.p);
        fputs(")\n", f);
        fl_report__buf_free(&title);
        return 0;
    }
    fputs("\n  ---\n", f);
    fl_report__yaml_str(f, "scenario", c->path);
    fl_report__yaml_str(f, "what", title.p);
    fl_report__yaml_str(f, "invariant", c->invariant);
    if (c->expect_fail)
        fl_report__yaml_str(f, "expected_invariant",
                            c->expect_invariant ? c->expect_invariant : "any");
    fprintf(f, "  seed: %llu\n  runs: %u\n  failed_runs: %u\n", (unsigned long long)c->seed,
            (unsigned)c->runs, (unsigned)c->failed_runs);
    fl_report__yaml_str(f, "schedule", c->schedule);
    fl_report__yaml_str(f, "message", c->message);
    fl_report__yaml_str(f, "replay", c->replay);
    bt = fl_report__backtrace(fl_report__last_crash(c));
    fl_report__yaml_str(f, "backtrace", bt);
    free(bt);
    fputs("  ...\n", f);
    fl_report__buf_free(&title);
    return 0;
}

static int fl_report__tap_body(FILE *f, const void *vctx)
{
    const fl_suite *s = vctx;
    size_t i;
    int rc;

    /* plan right after the version line: tappy accepts a plan only there
     * or at the very end */
    fprintf(f, "TAP version 13\n1..%zu\n# ", s->ncases);
    fl_report__tap_text(f, s->name ? s->name : "faultline");
    fputs(": strategy ", f);
    fl_report__tap_text(f, s->strategy ? s->strategy : "random");
    fprintf(f, ", depth %u, seeds [%llu, %llu) per scenario", (unsigned)s->depth,
            (unsigned long long)s->seed_lo, (unsigned long long)s->seed_hi);
    if (s->shard) {
        fputs(", shard ", f);
        fl_report__tap_text(f, s->shard);
    }
    fputc('\n', f);
    for (i = 0; i < s->ncases; i++) {
        rc = fl_report__tap_case(f, &s->cases[i], i + 1);
        if (rc < 0)
            return rc;
    }
    fprintf(f, "# %zu scenarios, %zu failed\n", s->ncases, fl_report_failed(s));
    if (s->interrupted)
        fputs("Bail out! interrupted (SIGINT/SIGTERM): the scenarios not run are skipped\n", f);
    return 0;
}

/* Writes s as TAP 13 to path; "-" writes to stdout (not atomic). Borrows
 * s. 0, -EINVAL, -ENOMEM, or the errno of a failed write/rename. */
int fl_report_tap(const fl_suite *s, const char *path)
{
    if (!s || (s->ncases && !s->cases))
        return -EINVAL;
    return fl_report__write_atomic(path, fl_report__tap_body, s);
}
