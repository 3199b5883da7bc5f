/*
 * test_report_formats.c — the report formats written from the synthetic
 * suite: JUnit XML (xmllint, the schema, XPath counts), TAP 13 (its YAML
 * read back by PyYAML, and to stdout), JSON (python3), the self-contained
 * HTML report, the failures block on the terminal; then every writer's
 * output, and broken copies of it, through reports/validate.sh. Fixture
 * and helpers: report_util.h.
 */
#include "report_util.h"

#include <fcntl.h>

/* The XPath expression evaluates to `want` in the XML file at path. */
static void assert_xpath(const char *path, const char *expr, const char *want)
{
    assert_int_equal(run("test \"$(xmllint --xpath '%s' %s)\" = %s", expr, path, want), 0);
}

/* reports/validate.sh accepts the file at path alone in the directory
 * fx->dir/sub. */
static void assert_valid_alone(const fixture *fx, const char *path, const char *sub)
{
    assert_int_equal(run("mkdir -p %s/%s && cp %s %s/%s/ && sh %s %s/%s >/dev/null", fx->dir, sub, path,
                         fx->dir, sub, src_file("reports/validate.sh"), fx->dir, sub),
                     0);
}

static void test_failed_count(void **state)
{
    fixture *fx = *state;

    assert_int_equal(fl_report_failed(&fx->suite), 3); /* cases 1, 4, 5 */
    assert_int_equal(fl_report_failed(NULL), 0);
}

static void test_junit(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "junit.xml");
    char *x;
    size_t n;

    assert_int_equal(fl_report_junit(&fx->suite, p), 0);
    assert_int_equal(run("xmllint --noout %s", p), 0);
    assert_int_equal(run("xmllint --noout --schema %s %s 2>/dev/null",
                         src_file("reports/junit.xsd"), p),
                     0);
    assert_xpath(p, "string(/testsuites/testsuite/@tests)", "6");
    assert_xpath(p, "string(/testsuites/testsuite/@failures)", "3");
    assert_xpath(p, "string(/testsuites/testsuite/@skipped)", "1");
    assert_xpath(p, "count(//testcase/failure)", "3");
    assert_xpath(p, "count(//testcase/skipped)", "1");
    assert_xpath(p, "string(//property[@name=\"strategy\"]/@value)", "pct");
    assert_xpath(p, "string(//property[@name=\"shard\"]/@value)", "1/2");
    assert_xpath(p, "string(/testsuites/testsuite/@timestamp)", "2024-05-01T12:00:00");
    /* the failing case: classname = path, failure of type invariant */
    assert_int_equal(run("xmllint --xpath 'string(//testcase[@classname=\"scenarios/race/"
                         "crash_during_restart.scn\"]/failure/@type)' %s | grep -qx invariant", p),
                     0);
    x = slurp(p, &n);
    assert_clean_utf8(x, n);
    assert_non_null(strstr(x, "replay: " REPLAY "\n"));
    assert_non_null(strstr(x, "schedule: " SCHEDULE "\n"));
    assert_non_null(strstr(x, "invariant: joined_before_restart\n"));
    assert_non_null(strstr(x, "message=\"invariant joined_before_restart violated (seed 17"));
    assert_non_null(strstr(x, "cdata]]&gt;"));
    assert_null(strstr(x, "]]>"));
    assert_non_null(strstr(x, "name=\"crash during &lt;restart&gt; &amp; &quot;stop&quot;\""));
    assert_non_null(strstr(x, "last 60 of 500 events"));
    assert_non_null(strstr(x, "last 21 of 21 events"));
    assert_non_null(strstr(x, "type=\"expect_fail\""));
    assert_non_null(strstr(x, "<skipped message=\"needs &lt;root&gt; &amp; # time\"/>"));
    free(x);
}

static void test_tap(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "results.tap");
    char *t;
    size_t n;

    assert_int_equal(fl_report_tap(&fx->suite, p), 0);
    t = slurp(p, &n);
    assert_clean_utf8(t, n);
    /* plan right after the version line: tappy refuses it anywhere else */
    assert_memory_equal(t, "TAP version 13\n1..6\n# ", 22);
    assert_non_null(strstr(t, "\nok 1 - one_for_one basic\n"));
    assert_non_null(strstr(t, "\nnot ok 2 - crash during <restart> & \"stop\"\n  ---\n"));
    assert_non_null(strstr(t, "\n  invariant: \"joined_before_restart\"\n"));
    assert_non_null(strstr(t, "\n  seed: 17\n"));
    assert_non_null(strstr(t, "\n  schedule: \"" SCHEDULE "\"\n"));
    /* the last crash's backtrace (unresolvable frames kept as they are) */
    assert_non_null(strstr(t, "\n  replay: \"" REPLAY "\"\n  backtrace: \"#0 work (w.c:10)\\n#1 "
                              "<trampoline> & \\\"x\\\"\\u0001\"\n  ...\n"));
    /* '#' in text is U+FF03: only the directive has a '#' */
    assert_non_null(strstr(t, "\nok 3 - soak \xef\xbc\x83 long # SKIP needs <root> & \xef\xbc\x83 time\n"));
    assert_non_null(strstr(t, "\nok 4 - no_join (known-bad) (known-bad: invariant join_once "
                              "failed as expected)\n"));
    assert_non_null(strstr(t, "\nnot ok 5 - lost_report\n"));
    assert_non_null(strstr(t, "\nnot ok 6 - escalate nested\n")); /* newline flattened */
    free(t);
    /* structure and YAML through the validator's TAP check */
    assert_valid_alone(fx, p, "taponly");
}

/* The YAML blocks carry the exact strings: PyYAML reads message back as
 * the JSON escaper meant it (skipped when PyYAML is not installed). */
static void test_tap_yaml_roundtrip(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "y.tap");

    assert_int_equal(fl_report_tap(&fx->suite, p), 0);
    if (run("python3 -c 'import yaml' 2>/dev/null") != 0)
        skip();
    assert_int_equal(
        run("python3 -c '\n"
            "import sys, yaml\n"
            "lines = open(sys.argv[1], encoding=\"utf-8\").read().split(\"\\n\")\n"
            "a = lines.index(\"  ---\"); b = lines.index(\"  ...\")\n"
            "d = yaml.safe_load(\"\\n\".join(l[2:] for l in lines[a + 1:b]))\n"
            "assert d[\"seed\"] == 17 and d[\"failed_runs\"] == 3, d\n"
            "assert d[\"replay\"] == \"" REPLAY "\", d\n"
            "m = d[\"message\"]\n"
            "assert m.startswith(\"quote\\\" apos\\x27 lt< gt> amp& cdata]]> ctl\\x01\\x02\\x1b\"), m\n"
            "assert \"tab\\there\\r\\nnext line\" in m and \"\\ufffd\" in m, m\n"
            "' %s",
            p),
        0);
}

static void test_tap_stdout(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "stdout.tap");
    int saved, fd;
    char *t;

    fflush(stdout);
    saved = dup(1);
    assert_true(saved >= 0);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, 1), 1);
    close(fd);
    assert_int_equal(fl_report_tap(&fx->suite, "-"), 0);
    fflush(stdout);
    assert_int_equal(dup2(saved, 1), 1);
    close(saved);
    t = slurp(p, NULL);
    assert_memory_equal(t, "TAP version 13\n", 15);
    assert_non_null(strstr(t, "\nnot ok 2 - "));
    free(t);
}

static void test_json(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "results.json");

    write_file(path_in(fx, "nasty.bin"), NASTY, sizeof NASTY - 1);
    assert_int_equal(fl_report_json(&fx->suite, p), 0);
    assert_file_clean(p);
    assert_int_equal(run("python3 -c 'import json,sys; json.load(open(sys.argv[1]))' %s", p), 0);
    assert_int_equal(
        run("python3 -c '\n"
            "import json, sys\n"
            "d = json.load(open(sys.argv[1]))\n"
            "raw = open(sys.argv[2], \"rb\").read()\n"
            "assert d[\"schema\"] == \"faultline-results/1\"\n"
            "s = d[\"suite\"]\n"
            "assert (s[\"strategy\"], s[\"depth\"], s[\"seed_lo\"], s[\"seed_hi\"], s[\"shard\"]) =="
            " (\"pct\", 3, 0, 100, \"1/2\"), s\n"
            "assert s[\"timestamp_iso\"] == \"2024-05-01T12:00:00Z\" and s[\"time_s\"] == 2.875\n"
            "c = d[\"counts\"]\n"
            "assert c == dict(cases=6, passed=2, failed=3, skipped=1, xfail=1, runs=310,"
            " failed_runs=63), c\n"
            "k = d[\"cases\"]\n"
            "assert [x[\"verdict\"] for x in k] == [\"pass\", \"fail\", \"skip\", \"xfail\","
            " \"fail\", \"fail\"]\n"
            "f = k[1]\n"
            "assert f[\"invariant\"] == \"joined_before_restart\" and f[\"seed\"] == 17\n"
            "assert f[\"replay\"] == \"" REPLAY "\" and f[\"schedule\"] == \"" SCHEDULE "\"\n"
            "assert f[\"runs\"] == 100 and f[\"failed_runs\"] == 3 and f[\"passed\"] is False\n"
            "assert f[\"virtual_ns\"] == 256800000 and f[\"time_s\"] == 1.5\n"
            "assert f[\"trace_file\"] == \"scenarios_race_crash_during_restart_scn.json\"\n"
            "assert f[\"message\"].replace(\"\\ufffd\", \"\") == raw.decode(\"utf-8\", \"ignore\")\n"
            "assert k[2][\"skip_reason\"] == \"needs <root> & # time\"\n"
            "assert k[3][\"expect_fail\"] and k[3][\"expect_invariant\"] == \"join_once\"\n"
            "assert len(k[5][\"message\"]) == 11999\n"
            "' %s %s",
            p, path_in(fx, "nasty.bin")),
        0);
}

static void test_html(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "report.html");
    char *h;
    size_t n;

    assert_int_equal(fl_report_html(&fx->suite, p), 0);
    h = slurp(p, &n);
    assert_clean_utf8(h, n);
    assert_memory_equal(h, "<!DOCTYPE html>", 15);
    /* self-contained */
    assert_null(strstr(h, "http:"));
    assert_null(strstr(h, "https:"));
    assert_null(strstr(h, " src="));
    assert_null(strstr(h, "<link"));
    assert_null(strstr(h, "@import"));
    /* counts, table and the failing cases */
    assert_non_null(strstr(h, "3 of 6 scenarios failed"));
    assert_non_null(strstr(h, "<li><b>6</b><span>scenarios</span></li>"));
    assert_non_null(strstr(h, "<li><b>3</b><span>failed</span></li>"));
    assert_non_null(strstr(h, "id=\"case-2\""));
    assert_non_null(strstr(h, "id=\"case-5\""));
    assert_non_null(strstr(h, "id=\"case-6\""));
    assert_null(strstr(h, "id=\"case-1\""));
    assert_non_null(strstr(h, "<code>joined_before_restart</code>"));
    assert_non_null(strstr(h, "<code id=\"replay-2\">" REPLAY "</code>"));
    assert_non_null(strstr(h, "data-copy=\"replay-2\""));
    assert_non_null(strstr(h, "<h3>crash during &lt;restart&gt; &amp; \"stop\" <span"));
    assert_non_null(strstr(h, "cdata]]&gt; ctl"));
    assert_non_null(strstr(h, "cdata]]&gt; ctl\\x01\\x02\\x1b[31m"));
    /* timelines: one per failing case with a trace; lanes and markers */
    assert_non_null(strstr(h, "<svg class=\"timeline\""));
    assert_non_null(strstr(h, ">worker#3</text>"));
    assert_non_null(strstr(h, ">supervisor root</text>"));
    assert_non_null(strstr(h, ">crash (panic)</text>"));
    assert_non_null(strstr(h, ">restart worker (panic)</text>")); /* on the supervisor lane */
    assert_non_null(strstr(h, "Showing the last 300 of 500 events."));
    assert_non_null(strstr(h, "No event trace was recorded"));
    assert_non_null(strstr(h, "Backtrace of the last crash (worker#1)"));
    free(h);
    assert_valid_alone(fx, p, "htmlonly");
}

static void test_failures_block(void **state)
{
    fixture *fx = *state;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    fl_report_failures(&fx->suite, f);
    assert_int_equal(fclose(f), 0);
    assert_non_null(strstr(out, "\nFAIL scenarios/race/crash_during_restart.scn (crash during "
                                "<restart> & \"stop\")\n"));
    assert_non_null(strstr(out, "\n  invariant: joined_before_restart\n"));
    assert_non_null(strstr(out, "\n  seed:      17 (3 of 100 runs failed)\n"));
    assert_non_null(strstr(out, "\n  replay:    " REPLAY "\n"));
    assert_non_null(strstr(out, "\nFAIL scenarios/known-bad/lost_report.scn (lost_report)\n"
                                "  verdict:   expected invariant no_lost_report to fail, but "
                                "none of 50 runs failed\n"));
    assert_non_null(strstr(out, "\\x1b[31m")); /* escape sequences defused */
    assert_null(strstr(out, "one_for_one"));
    assert_null(strstr(out, "no_join"));
    assert_null(strstr(out, "soak"));
    assert_null(memchr(out, 0x1b, len));
    free(out);
}

/* Every writer on an empty suite, then the whole out/ tree through the
 * validator; then the validator must reject broken files. */
static void test_validate_script(void **state)
{
    fixture *fx = *state;
    const char *v = src_file("reports/validate.sh");
    fl_suite empty = {.name = "faultline", .strategy = "random", .seed_hi = 10};
    size_t i;

    assert_int_equal(run("mkdir -p %s/out %s/empty", fx->dir, fx->dir), 0);
    assert_int_equal(fl_report_junit(&fx->suite, path_in(fx, "out/junit.xml")), 0);
    assert_int_equal(fl_report_tap(&fx->suite, path_in(fx, "out/results.tap")), 0);
    assert_int_equal(fl_report_json(&fx->suite, path_in(fx, "out/results.json")), 0);
    assert_int_equal(fl_report_html(&fx->suite, path_in(fx, "out/report.html")), 0);
    for (i = 0; i < fx->suite.ncases; i++)
        assert_int_equal(fl_report_trace(&fx->cases[i], path_in(fx, "out/trace")), 0);
    assert_int_equal(run("sh %s %s/out > %s/v.log 2>&1", v, fx->dir, fx->dir), 0);
    assert_int_equal(run("test \"$(grep -c '^ok ' %s/v.log)\" = 10", fx->dir), 0);
    /* the real consumers read them, not only our own checks */
    assert_int_equal(run("grep -q 'prove, tappy, tap-parser agree' %s/v.log", fx->dir), 0);
    assert_int_equal(run("grep -q 'junit2json and xunit-viewer: 6 testcases, 3 failures, 1 skipped"
                         " agree' %s/v.log", fx->dir), 0);

    assert_int_equal(fl_report_junit(&empty, path_in(fx, "empty/junit.xml")), 0);
    assert_int_equal(fl_report_tap(&empty, path_in(fx, "empty/results.tap")), 0);
    assert_int_equal(fl_report_json(&empty, path_in(fx, "empty/results.json")), 0);
    assert_int_equal(fl_report_html(&empty, path_in(fx, "empty/report.html")), 0);
    assert_int_equal(run("sh %s %s/empty >/dev/null", v, fx->dir), 0);

    /* broken inputs, one per format, each must fail */
    assert_int_equal(run("mkdir -p %s/b1 %s/b2 %s/b3 %s/b4 %s/b5/trace %s/b6", fx->dir, fx->dir,
                         fx->dir, fx->dir, fx->dir, fx->dir), 0);
    assert_int_equal(run("head -c 300 %s/out/junit.xml > %s/b1/junit.xml", fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's/^not ok 2 /not ok 7 /' %s/out/results.tap > %s/b2/results.tap",
                         fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's/\"cases\": 6/\"cases\": 6,,/' %s/out/results.json >"
                         " %s/b3/results.json", fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's#</section>##' %s/out/report.html > %s/b4/report.html",
                         fx->dir, fx->dir), 0);
    assert_int_equal(run("grep -v thread_name %s/out/trace/scenarios_basic_one_for_one_scn.json"
                         " > %s/b5/trace/t.json", fx->dir, fx->dir), 0);
    assert_int_equal(run("sed 's#<footer>#<img src=\"https://x/y.png\"><footer>#'"
                         " %s/out/report.html > %s/b6/report.html", fx->dir, fx->dir), 0);
    for (i = 1; i <= 6; i++)
        assert_int_equal(run("! sh %s %s/b%zu >/dev/null 2>&1", v, fx->dir, i), 0);
}

/* Each TAP consumer reads the fixture's TAP (failures with YAML, a skip, '#'
 * and control bytes in names) with the same counts; and the layout we left
 * (TAP 14, a comment before the plan) is what prove and tappy refused. */
static void test_tap_consumers(void **state)
{
    fixture *fx = *state;
    const char *want = "tests 6 pass 3 fail 3 skip 1 yaml 3";
    char nm[512];

    snprintf(nm, sizeof nm, "%s", src_file("build/node/node_modules"));
    assert_int_equal(fl_report_tap(&fx->suite, path_in(fx, "r.tap")), 0);
    assert_int_equal(run("perl %s %s | grep -q '^%s (TAP version 13'", src_file("reports/consumers/prove.pl"),
                         path_in(fx, "r.tap"), want), 0);
    assert_int_equal(run("py=python3; $py -c 'import tap.loader' 2>/dev/null || py=/usr/bin/python3;"
                         " test \"$($py %s %s)\" = '%s'", src_file("reports/consumers/tappy.py"),
                         path_in(fx, "r.tap"), want), 0);
    assert_int_equal(run("test \"$(node %s %s %s)\" = '%s'", src_file("reports/consumers/tap_parser.mjs"),
                         nm, path_in(fx, "r.tap"), want), 0);
    /* the old layout: version 14 (prove refuses), comment before the plan (tappy refuses) */
    assert_int_equal(run("sed '1s/13/14/' %s > %s", path_in(fx, "r.tap"), path_in(fx, "v14.tap")), 0);
    assert_int_equal(run("! perl %s %s >/dev/null", src_file("reports/consumers/prove.pl"),
                         path_in(fx, "v14.tap")), 0);
    assert_int_equal(run("awk 'NR == 2 { p = $0; next } NR == 3 { print; print p; next } 1' %s > %s", path_in(fx, "r.tap"), path_in(fx, "c.tap")), 0);
    assert_int_equal(run("py=python3; $py -c 'import tap.loader' 2>/dev/null || py=/usr/bin/python3;"
                         " ! $py %s %s >/dev/null", src_file("reports/consumers/tappy.py"),
                         path_in(fx, "c.tap")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failed_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap_yaml_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap_stdout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap_consumers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_script, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
