/*
 * test_report_trace.c — the Chrome trace (Perfetto) timeline of a case:
 * lanes, slices and instant events checked by python3 for one supervisor
 * and for two with nasty ids; thread tracks and scheduling steps (an exec
 * run's); trace file names; a trace directory that is a file. Fixture and helpers: report_util.h.
 */
#include "report_util.h"

static void test_trace(void **state)
{
    fixture *fx = *state;
    char dir[128], *p;

    snprintf(dir, sizeof dir, "%s/not/yet/trace", fx->dir); /* created with parents */
    assert_int_equal(fl_report_trace(&fx->cases[1], dir), 0);
    p = path_in(fx, "not/yet/trace/scenarios_race_crash_during_restart_scn.json");
    assert_file_clean(p);
    assert_int_equal(
        run("python3 -c '\n"
            "import json, sys\n"
            "d = json.load(open(sys.argv[1]))\n"
            "assert d[\"displayTimeUnit\"] == \"ms\"\n"
            "ev = d[\"traceEvents\"]\n"
            "names = {e[\"tid\"]: e[\"args\"][\"name\"] for e in ev if e[\"ph\"] == \"M\" and"
            " e[\"name\"] == \"thread_name\"}\n"
            "assert sorted(names.values()) == sorted([\"supervisor root\", \"worker#1\","
            " \"other#1\", \"worker#2\", \"worker#3\"]), names\n"
            "used = {e[\"tid\"] for e in ev if e[\"ph\"] != \"M\"}\n"
            "assert used == set(names), (used, names)\n"
            "x = {names[e[\"tid\"]]: e for e in ev if e[\"ph\"] == \"X\"}\n"
            "assert sorted(x) == [\"other#1\", \"worker#1\", \"worker#3\"], x\n"
            "assert all(e[\"dur\"] >= 0 for e in x.values())\n"
            "assert x[\"worker#1\"][\"ts\"] == 0 and x[\"worker#1\"][\"dur\"] == 1600\n"
            "assert x[\"worker#1\"][\"args\"][\"ended_by\"] == \"joined\"\n"
            "assert x[\"worker#3\"][\"args\"][\"ended_by\"] == \"unstopped\"\n"
            "assert x[\"other#1\"][\"ts\"] == 1 and x[\"other#1\"][\"dur\"] == 256799\n"
            "assert x[\"other#1\"][\"args\"][\"ended_by\"].startswith(\"end of trace\")\n"
            "b = sum(e[\"ph\"] == \"B\" for e in ev); e_ = sum(e[\"ph\"] == \"E\" for e in ev)\n"
            "assert b == e_\n"
            "inst = [e for e in ev if e[\"ph\"] == \"i\"]\n"
            "assert len(inst) == 21 and all(e[\"s\"] == \"t\" for e in inst)\n"
            "crash = [e for e in inst if e[\"name\"] == \"crash\"]\n"
            "assert len(crash) == 2 and crash[0][\"ts\"] == 1500\n"
            "a = crash[0][\"args\"]\n"
            "assert a[\"reason\"] == \"panic\" and \"]]>\" in a[\"message\"]"
            " and a[\"backtrace\"].startswith(\"#0 work\"), a\n"
            "kinds = {e[\"name\"] for e in inst}\n"
            "for k in (\"logged\", \"stop_requested\", \"joined\", \"restart\", \"backoff\","
            " \"intensity_exceeded\", \"shutdown\", \"escalated\", \"unstopped\"):\n"
            "    assert k in kinds, k\n"
            "bo = [e for e in inst if e[\"name\"] == \"backoff\"][0]\n"
            "assert bo[\"args\"][\"delay_ms\"] == 250, bo\n"
            "sup = [t for t, n in names.items() if n == \"supervisor root\"][0]\n"
            "assert {e[\"name\"] for e in inst if e[\"tid\"] == sup} >= {\"intensity_exceeded\","
            " \"restart\"}\n"
            "assert d[\"otherData\"][\"replay\"] == \"" REPLAY "\"\n"
            "' %s",
            p),
        0);
}

/* Several supervisors: lane names carry the supervisor; nasty ids escaped. */
static void test_trace_multi_sup(void **state)
{
    fixture *fx = *state;
    char dir[128];

    snprintf(dir, sizeof dir, "%s/trace2/", fx->dir); /* trailing slash is fine */
    assert_int_equal(fl_report_trace(&fx->cases[5], dir), 0);
    assert_int_equal(
        run("python3 -c '\n"
            "import json, sys\n"
            "ev = json.load(open(sys.argv[1]))[\"traceEvents\"]\n"
            "names = [e[\"args\"][\"name\"] for e in ev if e[\"name\"] == \"thread_name\"]\n"
            "assert names[:2] == [\"supervisor root\", \"supervisor inner\\\"sup\"], names[:3]\n"
            "assert names[2] == \"inner\\\"sup/w\\x01<x>#1\", names[2]\n"
            "assert len(names) == 2 + 83, len(names)\n"
            "assert sum(e[\"ph\"] == \"X\" for e in ev) == 83\n"
            "' %s/scenarios_nested_escalate_scn.json",
            dir),
        0);
}

static void test_trace_name(void **state)
{
    fl_report__buf b = {0};
    char longp[400];

    (void)state;
    fl_report__trace_name(&b, "./a b/c.d-e_f.scn");
    assert_string_equal(fl_report__buf_str(&b), "__a_b_c_d-e_f_scn.json");
    b.len = 0;
    fl_report__trace_name(&b, NULL);
    assert_string_equal(fl_report__buf_str(&b), "case.json");
    memset(longp, 'x', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    b.len = 0;
    fl_report__trace_name(&b, longp);
    assert_true(b.len <= 160 + 5);
    assert_non_null(strstr(b.p, ".json"));
    fl_report__buf_free(&b);
}

/* A case with threads and steps and no events (a `faultline exec` run):
 * a track per thread with its life on the virtual clock, and the steps as
 * a second process on a clock of steps, each slice on the track of the
 * thread that held the baton, named by the operation it stopped at. The
 * file is named after the name given, not the path. */
static void test_trace_steps(void **state)
{
    fixture *fx = *state;
    fl_thread th[] = {{"main", 0, -1}, {"t1", 0, 2000}, {"t2", 1000, 3000}};
    fl_step st[] = {
        {0, 0, 1, 2, "create", "t1"},   /* main created t1; t1 runs */
        {1, 0, 2, 1, "lock", "m0"},     /* t1 stops at lock m0; main runs */
        {2, 1000, 1, 3, "create", "t2"},
        {3, 2000, 3, 2, "unlock", ""},
    };
    fl_case c = {.path = "./prog", .name = "exec", .runs = 1, .seed = 7, .invariant = "killed by signal 6",
                 .threads = th, .nthreads = 3, .steps = st, .nsteps = 4, .virtual_ns = 4000};
    assert_int_equal(fl_report_trace_named(&c, fx->dir, "./prog.seed-7"), 0);
    char *p = path_in(fx, "__prog_seed-7.json");
    assert_file_clean(p);
    assert_int_equal(
        run("python3 -c '\n"
            "import json, sys\n"
            "ev = json.load(open(sys.argv[1]))[\"traceEvents\"]\n"
            "life = {e[\"name\"]: e for e in ev if e.get(\"cat\") == \"thread\"}\n"
            "assert sorted(life) == [\"thread main\", \"thread t1\", \"thread t2\"], life\n"
            "assert life[\"thread t2\"][\"ts\"] == 1 and life[\"thread t2\"][\"dur\"] == 2\n"
            "assert life[\"thread main\"][\"dur\"] == 4 and not life[\"thread main\"][\"args\"][\"ended\"]\n"
            "tracks = {e[\"tid\"]: e[\"args\"][\"name\"] for e in ev if e[\"ph\"] == \"M\" and e[\"pid\"] == 2"
            " and e[\"name\"] == \"thread_name\"}\n"
            "assert tracks == {1: \"thread main\", 2: \"thread t1\", 3: \"thread t2\"}, tracks\n"
            "steps = [(e[\"ts\"], tracks[e[\"tid\"]], e[\"name\"], e[\"args\"][\"virtual_ns\"]) for e in ev"
            " if e.get(\"cat\") == \"step\"]\n"
            "assert steps == [(0, \"thread t1\", \"lock m0\", 0), (1, \"thread main\", \"create t2\", 0),"
            " (2, \"thread t2\", \"unlock\", 1000), (3, \"thread t1\", \"end of the run\", 2000)], steps\n"
            "' %s",
            p),
        0);
}

static void test_trace_dir_is_file(void **state)
{
    fixture *fx = *state;

    write_file(path_in(fx, "plain"), "x", 1);
    assert_int_equal(fl_report_trace(&fx->cases[1], path_in(fx, "plain")), -ENOTDIR);
    assert_int_equal(fl_report_trace(&fx->cases[1], path_in(fx, "plain/sub")), -ENOTDIR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_multi_sup, setup, teardown),
        cmocka_unit_test(test_trace_name),
        cmocka_unit_test_setup_teardown(test_trace_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_dir_is_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
