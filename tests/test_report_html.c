/*
 * test_report_html.c — report.html leads a reader from a failing row to
 * its card and back, marks the events a failure message names (in the
 * message, the event list and the timeline, also when they lie before the
 * list's tail window), has a legend entry for every marker it can draw,
 * and draws a lane per thread when the case lists its threads (the
 * Perfetto file a track per thread).
 * Fixture and helpers: report_util.h.
 */
#include "report_util.h"

static char *render(fixture *fx)
{
    const char *p = path_in(fx, "report.html");
    char *h;
    size_t n;

    assert_int_equal(fl_report_html(&fx->suite, p), 0);
    h = slurp(p, &n);
    assert_clean_utf8(h, n);
    return h;
}

static void must_have(const char *h, const char *what)
{
    if (!strstr(h, what))
        fail_msg("report.html lacks %s", what);
}

static void test_rows_and_cards_linked(void **state)
{
    fixture *fx = *state;
    char *h = render(fx);

    /* case 2 fails: its row has an id and a details link; the card links back */
    must_have(h, "<tr id=\"row-2\" class=\"fail\">");
    must_have(h, "<a class=\"jump\" href=\"#case-2\">details &darr;</a>");
    must_have(h, "<section class=\"failure\" id=\"case-2\"><a class=\"back\" href=\"#row-2\">");
    must_have(h, "<a class=\"jump\" href=\"#case-6\">"); /* every failing row */
    assert_null(strstr(h, "href=\"#case-1\"")); /* a passing row has no card */
    free(h);
}

static void test_named_events_marked(void **state)
{
    fixture *fx = *state;
    char *h;

    /* the small trace's events 5 (crash of worker#1) and 8 (joined) */
    fx->cases[1].message = "joined_before_restart: worker#2 started early [events #5 #8]";
    /* the long trace: event 3 lies before the list's tail window */
    fx->cases[5].message = "shutdown_completes: never ended [events #3 #499]";
    h = render(fx);
    must_have(h, "[events <a class=\"evref\" href=\"#case-2-ev-5\">#5</a> "
                 "<a class=\"evref\" href=\"#case-2-ev-8\">#8</a>]");
    must_have(h, "<span class=\"evl hl\" id=\"case-2-ev-5\">sv[root] #5 ");
    must_have(h, "<span class=\"evl hl\" id=\"case-2-ev-8\">");
    must_have(h, "<span class=\"evl\" id=\"case-2-ev-6\">"); /* not named: not marked */
    must_have(h, "<g class=\"ev hl\" id=\"case-2-tl-5\">");
    must_have(h, "<g class=\"ev hl\" id=\"case-2-tl-8\">");
    must_have(h, "named in the failure message</li>");
    /* outside the last 60 events, still listed, then a gap */
    must_have(h, "<span class=\"evl hl\" id=\"case-6-ev-3\">");
    must_have(h, "</span>\n\xe2\x80\xa6\n<span class=\"evl\" id=\"case-6-ev-441\">");
    must_have(h, "<span class=\"evl hl\" id=\"case-6-ev-499\">");
    free(h);
}

/* Every marker the timeline can draw appears in the legend, drawn the same. */
static void test_legend_complete(void **state)
{
    fixture *fx = *state;
    char *h = render(fx), *m = NULL;
    size_t len = 0;

    for (int k = 0; k < SV_EV__COUNT; k++) {
        FILE *f = open_memstream(&m, &len);
        assert_non_null(f);
        fl_report__svg_marker(f, k, 9, 9);
        assert_int_equal(fclose(f), 0);
        if (!strstr(h, m))
            fail_msg("legend lacks the marker of %s: %s", sv_event_kind_name(k), m);
        free(m);
        m = NULL;
    }
    must_have(h, "</svg>start (supervisor starts an incarnation)</li>");
    must_have(h, "still running at the end of the trace</li>");
    free(h);
}

static void test_thread_lanes(void **state)
{
    fixture *fx = *state;
    static const fl_thread threads[] = {
        {"main", 0, -1},
        {"sv root", 0, 256800000},
        {"worker#1 <t>", 0, 1600000},
    };
    fl_case *c = &fx->cases[1];
    char *h;

    for (size_t i = 0; i < fx->nsmall; i++)
        fx->small[i].thread = fx->small[i].ev.child ? 3 : 2;
    c->threads = threads;
    c->nthreads = 3;
    h = render(fx);
    must_have(h, "class=\"lane thr\"><title>thread main</title>thread main</text>");
    must_have(h, "<title>thread sv root</title>");
    must_have(h, "<title>thread worker#1 &lt;t&gt;</title>");
    must_have(h, "thread alive</li>");
    {
        size_t bars = 0;
        for (const char *p = h; (p = strstr(p, "<rect class=\"thr\"")); p++)
            bars++;
        assert_int_equal(bars, 3);
    }
    free(h);
    /* the Perfetto file gets a named track per thread too, and stays valid */
    assert_int_equal(fl_report_trace(c, path_in(fx, "tr/trace")), 0);
    h = slurp(path_in(fx, "tr/trace/scenarios_race_crash_during_restart_scn.json"), NULL);
    must_have(h, "\"args\":{\"name\":\"thread main\"}");
    must_have(h, "\"cat\":\"thread\",\"name\":\"thread worker#1 <t>\"");
    free(h);
    assert_int_equal(run("sh %s %s >/dev/null", src_file("reports/validate.sh"), path_in(fx, "tr")), 0);
    /* without threads: no thread lanes */
    c->threads = NULL;
    c->nthreads = 0;
    h = render(fx);
    assert_null(strstr(h, "class=\"lane thr\""));
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_and_cards_linked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_events_marked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legend_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_lanes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
