/*
 * test_scenario_diag.c — the scenario parser on bad input: a table of
 * malformed texts, each with its exact `file:line:col: expected ...`
 * diagnostic and the output left untouched; a NUL byte; file errors; and
 * garbage (random bytes, mutations and prefixes of a valid scenario) that
 * must never crash it. Shared: scenario_util.h.
 */
#include "scenario_util.h"

#include <unistd.h>

static const struct bad {
    const char *text;
    const char *diag;
} bad[] = {
    /* the end of an unterminated last line is where the end-of-input errors point */
    {"supervisor r\n  worker a\n    loop\n      yield",
     "t.scn:4:12: expected `end` closing the `loop` at line 3"},
    {"# only", "t.scn:1:7: expected a `supervisor` line declaring the root supervisor"},
    {"", "t.scn:1:1: expected a `supervisor` line declaring the root supervisor"},
    {"supervisor r\n  worker a\n    work 10\n",
     "t.scn:3:12: expected a time unit (ns, us, ms or s)"},
    {"supervisor r\n  worker a\n    work 10 ms\n",
     "t.scn:3:12: expected a time unit (ns, us, ms or s)"},
    {"supervisor r\n  worker a\n    work 99999999s\n",
     "t.scn:3:10: expected a duration of at most 86400s"},
    {"supervisor r\n  worker a\n    work 10ms extra\n",
     "t.scn:3:15: expected end of line, `on N`, `on N..M`, `after N`, `p=P%` or `arg N`"},
    {"supervisor r\n  worker a\n    jump\n",
     "t.scn:3:5: expected a script op: work, yield, crash, return, exit, hang, segv, signal, wait, loop, failpoint, onstop, end"},
    {"supervisor r\n  worker a\n    crash \"a\n",
     "t.scn:3:13: expected '\"' closing the string opened at column 11"},
    {"supervisor r\n  worker a\n    exit maybe\n",
     "t.scn:3:10: expected `normal` or `shutdown`"},
    {"supervisor r\n  worker a\n    return x\n",
     "t.scn:3:12: expected `error` or an integer"},
    {"supervisor r\n  worker a\n    return 99999999999\n",
     "t.scn:3:12: expected `error` or an integer that fits in an int"},
    {"supervisor r\n  worker a\n    crash on 0\n",
     "t.scn:3:14: expected an incarnation of at least 1"},
    {"supervisor r\n  worker a\n    crash on 3..2\n",
     "t.scn:3:17: expected a last incarnation >= 3"},
    {"supervisor r\n  worker a\n    crash on 1 after 2\n",
     "t.scn:3:16: expected one incarnation condition (`on` or `after`)"},
    {"supervisor r\n  worker a\n    crash p=0%\n",
     "t.scn:3:13: expected a percentage between 0.0001% and 100%"},
    {"supervisor r\n  worker a\n    crash p=101%\n",
     "t.scn:3:13: expected a percentage between 0.0001% and 100%"},
    {"supervisor r\n  worker a\n    crash p=50\n",
     "t.scn:3:15: expected '%'"},
    {"supervisor r\n  worker a\n    crash p=12.5%\n",
     "t.scn:3:13: expected a whole percentage"},
    {"supervisor r\n  worker a\n    crash p=10% p=20%\n",
     "t.scn:3:17: expected each key once: `p` is given twice"},
    {"supervisor r\n  worker a\n    crash sometimes\n",
     "t.scn:3:11: expected end of line, `on N`, `on N..M`, `after N`, `p=P%` or `arg N`"},
    {"supervisor r\n  worker a\n    loop 0\n      yield\n    end\n",
     "t.scn:3:10: expected a loop count of at least 1"},
    {"supervisor r\n  worker a\n    loop\n    end\n",
     "t.scn:4:5: expected at least one op in the `loop` at line 3"},
    {"supervisor r\n  worker a\n    loop\n      yield\n",
     "t.scn:5:1: expected `end` closing the `loop` at line 3"},
    {"supervisor r\n  worker a\n    loop\n      yield\n  worker b\n",
     "t.scn:5:3: expected `end` closing the `loop` at line 3"},
    {"supervisor r\n  worker a\n    loop\n      yield\n      end\n",
     "t.scn:5:7: expected `end` at column 5, under its `loop` (line 3)"},
    {"supervisor r\n  worker a\n    end\n",
     "t.scn:3:5: expected a `loop` or `onstop` before this `end`"},
    {"supervisor r\n  worker a\n    loop\n      onstop\n      end\n    end\n",
     "t.scn:4:7: expected `onstop` directly in a worker's script, not inside a block"},
    {"supervisor r\n  worker a\n    onstop\n    end\n    onstop\n    end\n",
     "t.scn:5:5: expected one `onstop` per worker (the first is at line 3)"},
    {"supervisor r\n  worker a\n    wait\n",
     "t.scn:3:9: expected a latch name"},
    {"supervisor r\n  worker a\n    failpoint\n",
     "t.scn:3:14: expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]"},
    {"supervisor r\n  worker a\n    failpoint a b\n",
     "t.scn:3:17: expected end of line, `on N`, `on N..M`, `after N`, `p=P%` or `arg N`"},
    {"supervisor r\n  user u\n    work 1ms\n",
     "t.scn:3:5: expected no script under a user worker"},
    {"supervisor r\n  worker a\n  worker a\n",
     "t.scn:3:10: expected a new id: `a` is already declared at line 2"},
    {"supervisor r\n  worker r\n",
     "t.scn:2:10: expected a new id: `r` is already declared at line 1"},
    {"supervisor r\n  worker a restart=sometimes\n",
     "t.scn:2:20: expected a restart type: permanent, transient, temporary"},
    {"supervisor r\n  worker a restart=permanent significant\n",
     "t.scn:2:10: expected restart=transient or restart=temporary for a significant child (libsv refuses a significant permanent child; expect it with `expect refused EINVAL` or `start_child a result=EINVAL`)"},
    {"supervisor r\n  worker a shutdown=soon\n",
     "t.scn:2:21: expected a shutdown: a duration such as 500ms, brutal or infinity"},
    {"supervisor r\n  worker a shutdown=500us\n",
     "t.scn:2:21: expected a duration in whole milliseconds"},
    {"supervisor r\n  worker a color=red\n",
     "t.scn:2:12: expected a worker key: restart=, shutdown=, significant, dynamic"},
    {"supervisor r\n  worker a restart=temporary restart=transient\n",
     "t.scn:2:30: expected each key once: `restart` is given twice"},
    {"supervisor r\n  worker a fn=x\n",
     "t.scn:2:12: expected a worker key: restart=, shutdown=, significant, dynamic"},
    {"supervisor r\n  worker 9a\n",
     "t.scn:2:10: expected a worker id"},
    {"supervisor r\n  worker\n",
     "t.scn:2:9: expected a worker id"},
    {"supervisor r\n  task a\n",
     "t.scn:2:3: expected a child: worker, user, supervisor"},
    {"supervisor r strategy=one_for_none\n",
     "t.scn:1:23: expected a strategy: one_for_one, one_for_all, rest_for_one, simple_one_for_one"},
    {"supervisor r intensity=-1\n",
     "t.scn:1:24: expected a restart count"},
    {"supervisor r period=0s\n",
     "t.scn:1:21: expected a period of at least 1ms"},
    {"supervisor r backoff=10ms\n",
     "t.scn:1:26: expected '..' and the maximum delay, as in backoff=10ms..1s"},
    {"supervisor r backoff=1s..10ms\n",
     "t.scn:1:26: expected 0 < minimum <= maximum in backoff=MIN..MAX"},
    {"supervisor r jitter=150%\n",
     "t.scn:1:21: expected a percentage between 0% and 100%"},
    {"supervisor r auto_shutdown=sometimes\n",
     "t.scn:1:28: expected an auto_shutdown: never, any_significant, all_significant"},
    {"supervisor r restart=temporary\n",
     "t.scn:1:14: expected a supervisor key: strategy=, intensity=, period=, backoff=, jitter=, auto_shutdown=, catch_signals"},
    {"supervisor r\nsupervisor q\n",
     "t.scn:2:1: expected one root supervisor (`r` is at line 1); nest others by indenting"},
    {"\nworker a\n",
     "t.scn:2:1: expected a statement: scenario, run, supervisor, fault, failpoint, race, at, expect"},
    {"  supervisor r\n",
     "t.scn:1:1: expected no indentation: this line is under nothing"},
    {"supervisor r\n\tworker a\n",
     "t.scn:2:1: expected spaces for indentation, found a tab"},
    {"supervisor r\n   worker a\n  worker b\n",
     "t.scn:3:3: expected the indentation of the lines above (3 spaces)"},
    {"supervisor r\n  worker a\n   work 1ms\n    work 1ms\n",
     "t.scn:4:5: expected the indentation of the lines above (3 spaces)"},
    {"scenario \"x\"\nscenario \"y\"\nsupervisor r\n",
     "t.scn:2:1: expected one `scenario` line (the first is at line 1)"},
    {"scenario x\nsupervisor r\n",
     "t.scn:1:10: expected a string in double quotes"},
    {"run seeds=0\nsupervisor r\n",
     "t.scn:1:11: expected at least 1 seed"},
    {"run seeds=10 seeds=20\nsupervisor r\n",
     "t.scn:1:14: expected each key once: `seeds` is given twice"},
    {"run strategy=dfs\nsupervisor r\n",
     "t.scn:1:14: expected a scheduling strategy: random, pct, rr, pos"},
    {"run speed=fast\nsupervisor r\n",
     "t.scn:1:5: expected a run key: seeds=, seed=, strategy=, depth=, budget=, duration=, swarm= or timers="},
    {"run swarm\nsupervisor r\n",
     "t.scn:1:5: expected a run key: seeds=, seed=, strategy=, depth=, budget=, duration=, swarm= or timers="},
    {"run duration=0s\nsupervisor r\n",
     "t.scn:1:14: expected a duration above 0"},
    {"fault recreate a\nsupervisor r\n",
     "t.scn:1:1: expected the `supervisor` tree before `fault` lines"},
    {"supervisor r\n  worker a\nfault recreate b\n",
     "t.scn:3:16: expected the id of a child declared above, found `b`"},
    {"supervisor r\n  worker a\nfault recreate a times=0\n",
     "t.scn:3:24: expected at least 1 failure"},
    {"supervisor r\n  worker a\nfault recreate a err=11\n",
     "t.scn:3:22: expected a negative errno such as -11"},
    {"supervisor r\n  worker a\nfault recreate a p=30\n",
     "t.scn:3:22: expected '%'"},
    {"supervisor r\n  worker a\nfault crash a\n",
     "t.scn:3:7: expected a fault kind: recreate or ignore"},
    {"supervisor r\n  supervisor s\nfault recreate s\n",
     "t.scn:3:16: expected a worker or user child, found supervisor `s`"},
    {"supervisor r\n  worker a\nfailpoint sv.start\n",
     "t.scn:3:19: expected a string in double quotes"},
    {"supervisor r\n  worker a\nfailpoint sv.start \"2*retrun(1)\"\n",
     "t.scn:3:23: expected an action: off, return, panic, sleep, yield or segv"},
    {"supervisor r\n  worker a\nfailpoint sv.start \"return(1)->\"\n",
     "t.scn:3:32: expected a term such as return(-5), 50%panic(x) or 2*off"},
    {"supervisor r\n  worker a\nfailpoint sv.start \"[worker a 2*return(1)\"\n",
     "t.scn:3:31: expected ']' closing the filter"},
    {"supervisor r\n  worker a\nfailpoint sv.start \"0*return(1)\"\n",
     "t.scn:3:21: expected a count of at least 1"},
    {"supervisor r\n  worker a\nfailpoint sv.start \"5return(1)\"\n",
     "t.scn:3:22: expected '%' or '*' after a number"},
    {"supervisor r\n  worker a\nfailpoint sv.start \"sleep\"\n",
     "t.scn:3:26: expected '(' and a time in milliseconds after sleep"},
    {"supervisor r\n  worker a\nfailpoint sv.start \"off\"\nfailpoint sv.start \"off\"\n",
     "t.scn:4:11: expected each failpoint once: `sv.start` is set at line 3"},
    {"supervisor r\n  worker a\nfailpoint bad!name \"off\"\n",
     "t.scn:3:11: expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]"},
    {"supervisor r\n  worker a\nrace a\n",
     "t.scn:3:7: expected at least two scripted workers in a race"},
    {"supervisor r\n  worker a\n  worker b\nrace a a\n",
     "t.scn:4:8: expected distinct workers: `a` is already in this race"},
    {"supervisor r\n  worker a\n  user b\nrace a b\n",
     "t.scn:4:8: expected a scripted worker (`worker`), found `b`"},
    {"supervisor r\n  worker a\n  worker b\nrace a b speed=1\n",
     "t.scn:4:10: expected a race key: inc=, delay= or msg="},
    {"supervisor r\n  worker a\n  worker b\n  worker c\nrace a b\nrace b c\n",
     "t.scn:6:6: expected a worker in one race only: `b` is in the race at line 5"},
    {"supervisor r\n  worker a\nat 1s explode\n",
     "t.scn:3:7: expected an action: stop, start_child, terminate_child, restart_child, delete_child, crash, exit, start_instance, terminate_instance"},
    {"supervisor r\n  worker a\nat 1 stop\n",
     "t.scn:3:5: expected a time unit (ns, us, ms or s)"},
    {"supervisor r\n  worker a\nat 1s stop now\n",
     "t.scn:3:12: expected end of line after stop"},
    {"supervisor r\n  worker a\nat 1s restart_child\n",
     "t.scn:3:20: expected a child id"},
    {"supervisor r\n  supervisor s\n    worker a\nat 1s restart_child a\n",
     "t.scn:4:21: expected a child of the root supervisor `r`, found `a` (in `s`; address it with sup=PATH)"},
    /* sup=PATH: each name a supervisor nested in the one before, the id a child of the last */
    {"supervisor r\n  supervisor s\n    worker a\nat 1s restart_child sup=x a\n",
     "t.scn:4:25: expected a supervisor nested in `r`, found `x`"},
    {"supervisor r\n  supervisor s\n    worker a\nat 1s restart_child sup=s/a a\n",
     "t.scn:4:27: expected a supervisor nested in `s`, found `a` (a worker)"},
    {"supervisor r\n  supervisor s\n    worker a\n  worker b\nat 1s restart_child sup=s b\n",
     "t.scn:5:27: expected a child of `s`, found `b` (in `r`)"},
    {"supervisor r\n  supervisor s\n    worker a\nat 1s restart_child sup=s/ a\n",
     "t.scn:4:27: expected a nested supervisor's name"},
    {"supervisor r\n  supervisor s\n    worker a\nexpect count sup=q specs=1\n",
     "t.scn:4:18: expected a supervisor nested in `r`, found `q`"},
    {"supervisor r\n  supervisor s\n    worker a\n  worker b\nexpect children sup=s b:running\n",
     "t.scn:5:23: expected the id of a child of the supervisor `s`, found `b`"},
    {"supervisor r\n  supervisor s\n    worker a\nexpect state sup=s/s a running\n",
     "t.scn:4:20: expected a supervisor nested in `s`, found `s`"},
    {"supervisor r\n  worker a\nat 1s restart_child a result=maybe\n",
     "t.scn:3:30: expected a result: ok, already_started, already_present, running, restarting, not_found, shutdown, an errno name (EINVAL, …) or a negative number"},
    {"supervisor r\n  user a\nat 1s crash a\n",
     "t.scn:3:13: expected a scripted worker (`worker`), found `a`"},
    {"supervisor r\n  worker a\nexpect restarts a 1\n",
     "t.scn:3:19: expected a comparison: =, !=, <, <=, > or >="},
    {"supervisor r\n  worker a\nexpect restarts a = x\n",
     "t.scn:3:21: expected a count"},
    {"supervisor r\n  worker a\nexpect restarts z = 1\n",
     "t.scn:3:17: expected the id of a child declared above, found `z`"},
    {"supervisor r\n  worker a\nexpect restarts r = 1\n",
     "t.scn:3:17: expected a child id, found the root supervisor `r`"},
    {"supervisor r\n  worker a\nexpect exit sideways\n",
     "t.scn:3:13: expected an exit reason: normal, shutdown, panic, error, signal, killed, thread_exit, none"},
    {"supervisor r\n  worker a\nexpect state a sleeping\n",
     "t.scn:3:16: expected a child state: running, restarting, stopped, unstopped, absent"},
    {"supervisor r\n  worker a\nexpect state a running at\n",
     "t.scn:3:26: expected a duration such as 10ms or 2s"},
    {"supervisor r\n  worker a\nexpect state a running later\n",
     "t.scn:3:24: expected end of line or `at TIME`"},
    {"supervisor r\n  worker a\nexpect log has \"x\"\n",
     "t.scn:3:12: expected `contains` or `lacks`"},
    {"supervisor r\n  worker a\nexpect log contains x\n",
     "t.scn:3:21: expected a string in double quotes"},
    {"supervisor r\n  worker a\nexpect event explosion\n",
     "t.scn:3:14: expected an event kind: sup_start, start, started, start_failed, crash, exit, logged, stop_requested, joined, unstopped, restart, backoff, restarted, child_removed, child_terminated, intensity_exceeded, auto_shutdown, shutdown, escalated, start_ignored"},
    {"supervisor r\n  worker a\nexpect no crash a\n",
     "t.scn:3:11: expected `event` after `no`"},
    {"supervisor r\n  worker a\nexpect fail everything\n",
     "t.scn:3:13: expected an invariant: crash_logged_once, joined_before_restart, restart_policy, strategy_set, intensity_shutdown, no_lost_report, no_leaked_thread, shutdown_completes, event_order, children_view, expectation"},
    {"supervisor r\n  worker a\nexpect fail restart_policy\nexpect fail strategy_set\n",
     "t.scn:4:1: expected one `expect fail` line (the first is at line 3)"},
    {"supervisor r\n  worker a\nexpect wishes\n",
     "t.scn:3:8: expected an expectation: restarts, crashes, starts, start_failed, unstopped, joined, logged, exit, state, log, event, no, fail, count, children, order, refused"},
    {"supervisor r\n  worker a\nexpect exit shutdown please\n",
     "t.scn:3:22: expected end of line"},
    {"expect exit shutdown\nsupervisor r\n",
     "t.scn:1:1: expected the `supervisor` tree before `expect` lines"},
    {"bogus\n",
     "t.scn:1:1: expected a statement: scenario, run, supervisor, fault, failpoint, race, at, expect"},
    {"# only a comment\n",
     "t.scn:2:1: expected a `supervisor` line declaring the root supervisor"},
    /* the language of issue 13: views, order, results by errno, refusals, exit */
    {"supervisor r\n  worker a\nexpect count at 1s\n",
     "t.scn:3:16: expected specs=, active=, supervisors= or workers="},
    {"supervisor r\n  worker a\nexpect count busy=1\n",
     "t.scn:3:14: expected specs=, active=, supervisors= or workers="},
    {"supervisor r\n  worker a\nexpect children a\n",
     "t.scn:3:18: expected `:` and a state after the id"},
    {"supervisor r\n  worker a\nexpect children a:absent\n",
     "t.scn:3:25: expected a listed state (absent children are simply not written)"},
    {"supervisor r\n  supervisor n\n    worker a\nexpect children a:running\n",
     "t.scn:4:17: expected the id of a child of the root supervisor `r`, found `a`"},
    {"supervisor r\n  worker a\nexpect order start a\n",
     "t.scn:3:21: expected at least two child ids"},
    {"supervisor r\n  worker a\nexpect order up a a\n",
     "t.scn:3:14: expected `start` or `stop`"},
    {"supervisor r\n  worker a\nexpect state a running|gone\n",
     "t.scn:3:24: expected a child state: running, restarting, stopped, unstopped, absent"},
    {"supervisor r\n  worker a\nexpect refused EWHATEVER\n",
     "t.scn:3:16: expected an errno name (EINVAL, ENOMEM, EOPNOTSUPP, …) or a negative number"},
    {"supervisor r\n  worker a\nat 1s terminate_child a result=-0\n",
     "t.scn:3:32: expected a negative errno such as -22"},
    {"supervisor r\n  user u\nat 1s exit u\n",
     "t.scn:3:12: expected a scripted worker (`worker`), found `u`"},
    {"supervisor r\n  worker a\nexpect event started a reason=normal\n",
     "t.scn:3:31: expected no reason: `started` events carry none"},
    {"supervisor r\n  worker a\nexpect event crash reason=fine\n",
     "t.scn:3:27: expected an exit reason: normal, shutdown, panic, error, signal, killed, thread_exit"},
    {"supervisor r\n  worker a\nat 1s exit a badly\n",
     "t.scn:3:14: expected `normal`, `shutdown` or end of line"},
    {"supervisor r\n  supervisor s0\n    supervisor s1\n      supervisor s2\n        supervisor s3\n          supervisor s4\n            supervisor s5\n              supervisor s6\n                supervisor s7\n                  supervisor s8\n                    supervisor s9\n                      supervisor s10\n                        supervisor s11\n                          supervisor s12\n                            supervisor s13\n                              supervisor s14\n                                supervisor s15\n                                  supervisor s16\n",
     "t.scn:18:46: expected at most 16 levels of nested supervisors (libsv refuses deeper trees); `s16` is deeper (write `expect refused EINVAL` to test the refusal)"},
};

static void test_malformed(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i].text);
        fl_scenario *s = (fl_scenario *)0x1;
        fl_lex_diag d = {0};
        int r = fl_scenario_parse_str("t.scn", bad[i].text, len, &s, &d);
        if (r != -EINVAL || strcmp(d.text, bad[i].diag) != 0)
            print_error("case %zu: %s\n  got %d: %s\n  want  %s\n", i, bad[i].text, r, d.text, bad[i].diag);
        assert_int_equal(r, -EINVAL);
        assert_string_equal(d.text, bad[i].diag);
        assert_ptr_equal(s, (fl_scenario *)0x1); /* untouched on failure */
        int line, col;
        assert_int_equal(sscanf(d.text, "t.scn:%d:%d:", &line, &col), 2);
        assert_int_equal(d.line, line);
        assert_int_equal(d.col, col);
    }
}

static void test_nul_byte(void **state) {
    (void)state;
    static const char t[] = "supervisor r\n  worker a\n    crash \"x\0\"\n";
    fl_scenario *s = NULL;
    fl_lex_diag d;
    assert_int_equal(fl_scenario_parse_str("t.scn", t, sizeof t - 1, &s, &d), -EINVAL);
    assert_string_equal(d.text, "t.scn:3:13: expected text, found a NUL byte");
    assert_null(s);
}

static void test_file_errors(void **state) {
    (void)state;
    fl_scenario *s = NULL;
    fl_lex_diag d;
    assert_int_equal(fl_scenario_parse_file("/nonexistent/x.scn", &s, &d), -ENOENT);
    assert_string_equal(d.text, "/nonexistent/x.scn: No such file or directory");
    assert_int_equal(d.line, 0);
    assert_int_equal(fl_scenario_parse_file("/", &s, &d), -EISDIR);
    assert_string_equal(d.text, "/: Is a directory");
    assert_null(s);

    char path[] = "/tmp/fl_test_scenario_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("supervisor r\n  worker a\n    work 1 s\n", f);
    fclose(f);
    assert_int_equal(fl_scenario_parse_file(path, &s, &d), -EINVAL);
    char want[128];
    snprintf(want, sizeof want, "%s:3:11: expected a time unit (ns, us, ms or s)", path);
    assert_string_equal(d.text, want);
    f = fopen(path, "w");
    fputs("scenario \"from a file\"\nsupervisor r\n", f);
    fclose(f);
    assert_int_equal(fl_scenario_parse_file(path, &s, NULL), 0);
    assert_string_equal(s->path, path);
    assert_string_equal(s->title, "from a file");
    fl_scenario_free(s);
    unlink(path);
    fl_scenario_free(NULL);
}

/* Garbage never crashes the parser: random bytes, and every single-byte
 * mutation (sampled) of a valid scenario; each either parses or fails with
 * -EINVAL and a diagnostic that names the input. */
static void check_any(const char *text, size_t len) {
    fl_scenario *s = NULL;
    fl_lex_diag d = {0};
    int r = fl_scenario_parse_str("g", text, len, &s, &d);
    if (r == 0) {
        fl_scenario_free(s);
        return;
    }
    assert_int_equal(r, -EINVAL);
    assert_memory_equal(d.text, "g:", 2);
    assert_non_null(strstr(d.text, ": expected"));
}

static void test_garbage(void **state) {
    (void)state;
    uint64_t x = 88172645463325252ULL;
    char buf[512];
    const char alphabet[] = "supervisor worker loop end on after p=%\"\\# \n\t\r\0.=-0123456789msa";
    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t)(i % (int)sizeof buf);
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[k] = (i & 1) ? (char)(x & 0xff) : alphabet[x % (sizeof alphabet - 1)];
        }
        check_any(buf, n);
    }
    size_t n = strlen(full);
    char *m = malloc(n);
    assert_non_null(m);
    for (size_t pos = 0; pos < n; pos += 3) {
        static const char subs[] = {' ', '\n', '"', '#', 'x', '0', '=', '\t'};
        memcpy(m, full, n);
        m[pos] = subs[pos % sizeof subs];
        check_any(m, n);
        check_any(full, pos); /* every prefix (sampled) */
    }
    free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_nul_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
