/*
 * scenario_util.h — shared by the scenario parser's tests
 * (tests/test_scenario*.c). Header-only (static functions): each test
 * binary includes it once. `full` is a scenario that uses every statement
 * and key of the language; parse_ok parses a text named "t.scn" and fails
 * the test (printing the diagnostic) unless that succeeds.
 */
#ifndef SCENARIO_UTIL_H
#define SCENARIO_UTIL_H

#include "scenario/fl_scenario.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static inline fl_scenario *parse_ok(const char *text) {
    fl_scenario *s = NULL;
    fl_lex_diag d = {0};
    int r = fl_scenario_parse_str("t.scn", text, strlen(text), &s, &d);
    if (r) print_error("unexpected parse error: %s\n", d.text);
    assert_int_equal(r, 0);
    assert_non_null(s);
    return s;
}

static const char full[] =
    "# a comment line\n"
    "scenario \"one_for_one restarts only the crashed child\"\n"
    "run seeds=200 seed=7 strategy=pct depth=4 budget=5000 duration=3s swarm=on\n"
    "supervisor root strategy=rest_for_one intensity=5 period=5s backoff=10ms..1s jitter=20% auto_shutdown=any_significant\n"
    "  worker a restart=permanent shutdown=500ms\n"
    "    crash \"boom\\n\\\"x\\\"\" on 1\n"
    "    work 10ms after 2\n"
    "    loop 3 p=50%\n"
    "      work 50ms on 2..4\n"
    "      yield\n"
    "    end\n"
    "    onstop\n"
    "      work 20ms\n"
    "      exit shutdown\n"
    "    end\n"
    "  worker b restart=transient significant shutdown=brutal\n"
    "    wait go\n"
    "    return error\n"
    "  supervisor inner strategy=one_for_all restart=transient shutdown=infinity\n"
    "    worker c\n"
    "      signal go\n"
    "      failpoint c.step\n"
    "      segv on 3\n"
    "      hang\n"
    "  user poller fn=my_poller restart=temporary dynamic\n"
    "  worker d dynamic\n"
    "    loop\n"
    "      work 1ms\n"
    "    end\n"
    "    return -3\n"
    "fault recreate a times=2 from=3 err=-12\n"
    "fault recreate poller p=30%\n"
    "failpoint sv.start \"[worker a] 2*return(-11)\"\n"
    "race a b inc=2 delay=5ms msg=\"together\"\n"
    "at 1s stop\n"
    "at 100ms terminate_child a result=ok\n"
    "at 100ms start_child d\n"
    "at 50ms crash c msg=\"late\"\n"
    "expect restarts a = 1\n"
    "expect crashes b >= 2\n"
    "expect exit shutdown\n"
    "expect state b running at 500ms\n"
    "expect log contains \"boom\"\n"
    "expect no event escalated inner\n"
    "expect event shutdown root\n"
    "expect fail no_lost_report\n";

#endif
