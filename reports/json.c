/*
 * json.c — the JSON summary of a run. Schema "faultline-results/1",
 * documented field by field in docs/reports.md; fields are only ever added.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>

static void fl_report__json_key(FILE *f, const char *indent, const char *key)
{
    fprintf(f, ",\n%s\"%s\": ", indent, key);
}

static void fl_report__json_bool(FILE *f, const char *indent, const char *key, bool v)
{
    fl_report__json_key(f, indent, key);
    fputs(v ? "true" : "false", f);
}

static void fl_report__json_u64(FILE *f, const char *indent, const char *key, uint64_t v)
{
    fl_report__json_key(f, indent, key);
    fprintf(f, "%llu", (unsigned long long)v);
}

static void fl_report__json_strf(FILE *f, const char *indent, const char *key, const char *v)
{
    fl_report__json_key(f, indent, key);
    fl_report__json_str(f, v);
}

static void fl_report__json_secs(FILE *f, const char *indent, const char *key, double v)
{
    char t[48];

    fl_report__fmt_fixed(t, sizeof t, v, 6);
    fl_report__json_key(f, indent, key);
    fputs(t, f);
}

static int fl_report__json_case(FILE *f, const fl_case *c)
{
    const char *in = "      ";
    fl_report__buf name = {0};
    char *bt;

    fputs("    {\n      \"path\": ", f);
    fl_report__json_str(f, c->path);
    fl_report__json_strf(f, in, "name", c->name);
    fl_report__json_strf(f, in, "verdict", fl_report__verdict(c));
    fl_report__json_bool(f, in, "passed", c->passed && !c->skipped);
    fl_report__json_bool(f, in, "skipped", c->skipped);
    fl_report__json_strf(f, in, "skip_reason", c->skipped ? c->skip_reason : NULL);
    fl_report__json_bool(f, in, "expect_fail", c->expect_fail);
    fl_report__json_strf(f, in, "expect_invariant", c->expect_fail ? c->expect_invariant : NULL);
    fl_report__json_u64(f, in, "runs", c->runs);
    fl_report__json_u64(f, in, "failed_runs", c->failed_runs);
    fl_report__json_u64(f, in, "seed", c->seed);
    fl_report__json_strf(f, in, "invariant", c->invariant);
    fl_report__json_strf(f, in, "message", c->message);
    fl_report__json_strf(f, in, "schedule", c->schedule);
    fl_report__json_strf(f, in, "replay", c->replay);
    bt = fl_report__backtrace(fl_report__last_crash(c));
    fl_report__json_strf(f, in, "backtrace", bt);
    free(bt);
    fl_report__json_secs(f, in, "time_s", c->time_s);
    fl_report__json_key(f, in, "virtual_ns");
    fprintf(f, "%lld", (long long)c->virtual_ns);
    fl_report__json_u64(f, in, "trace_events", c->ntrace);
    fl_report__trace_name(&name, c->path);
    if (name.err) {
        fl_report__buf_free(&name);
        return -ENOMEM;
    }
    fl_report__json_strf(f, in, "trace_file", name.p);
    fl_report__buf_free(&name);
    fputs("\n    }", f);
    return 0;
}

static int fl_report__json_body(FILE *f, const void *vctx)
{
    const fl_suite *s = vctx;
    const char *in = "    ";
    size_t i, skipped = 0, xfail = 0, failed = fl_report_failed(s);
    uint64_t runs = 0, failed_runs = 0;
    char iso[40];
    int rc;

    for (i = 0; i < s->ncases; i++) {
        const fl_case *c = &s->cases[i];
        skipped += c->skipped;
        xfail += !c->skipped && c->passed && c->expect_fail;
        runs += c->runs;
        failed_runs += c->failed_runs;
    }
    fl_report__fmt_iso8601(iso, sizeof iso, s->timestamp, true);

    fputs("{\n  \"schema\": \"faultline-results/1\",\n  \"suite\": {\n    \"name\": ", f);
    fl_report__json_str(f, s->name ? s->name : "faultline");
    fl_report__json_strf(f, in, "strategy", s->strategy ? s->strategy : "random");
    fl_report__json_u64(f, in, "depth", s->depth);
    fl_report__json_u64(f, in, "seed_lo", s->seed_lo);
    fl_report__json_u64(f, in, "seed_hi", s->seed_hi);
    fl_report__json_strf(f, in, "shard", s->shard);
    fl_report__json_key(f, in, "interrupted");
    fputs(s->interrupted ? "true" : "false", f);
    fl_report__json_key(f, in, "timestamp");
    fprintf(f, "%lld", (long long)s->timestamp);
    fl_report__json_strf(f, in, "timestamp_iso", iso);
    fl_report__json_secs(f, in, "time_s", s->time_s);
    fputs("\n  },\n  \"counts\": {\n", f);
    fprintf(f, "    \"cases\": %zu,\n    \"passed\": %zu,\n    \"failed\": %zu,\n"
               "    \"skipped\": %zu,\n    \"xfail\": %zu,\n    \"runs\": %llu,\n"
               "    \"failed_runs\": %llu\n  },\n  \"cases\": [",
            s->ncases, s->ncases - failed - skipped, failed, skipped, xfail,
            (unsigned long long)runs, (unsigned long long)failed_runs);
    for (i = 0; i < s->ncases; i++) {
        fputs(i ? ",\n" : "\n", f);
        rc = fl_report__json_case(f, &s->cases[i]);
        if (rc < 0)
            return rc;
    }
    fputs(s->ncases ? "\n  ]\n}\n" : "]\n}\n", f);
    return 0;
}

/* Writes the JSON summary of s to path ("-" = stdout), atomically. Borrows
 * s. 0, -EINVAL, -ENOMEM, or the errno of a failed write/rename. */
int fl_report_json(const fl_suite *s, const char *path)
{
    if (!s || (s->ncases && !s->cases))
        return -EINVAL;
    return fl_report__write_atomic(path, fl_report__json_body, s);
}
