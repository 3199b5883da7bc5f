/*
 * test_runtime_log.c — libsv's log line format (sv_event_format): the exact
 * text of an event line with an escaped message, truncation reporting the
 * untruncated length, the backoff and start_failed details; the names of
 * event kinds and exit reasons, and their out-of-range "?".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sv.h"

#include <errno.h>
#include <string.h>

static void test_event_format(void **state)
{
    (void)state;
    sv_event ev = { .seq = 12, .time_ns = 3000417000, .kind = SV_EV_LOGGED, .sup = "root", .child = "poller",
                    .incarnation = 3, .reason = SV_EXIT_PANIC, .message = "lost \"it\"\n" };
    char buf[256];
    size_t n = sv_event_format(&ev, buf, sizeof buf);
    assert_string_equal(buf, "sv[root] #12 t=3.000417 logged child=poller inc=3 reason=panic msg=\"lost \\\"it\\\"\\n\"");
    assert_int_equal(n, strlen(buf));
    char small[10];
    assert_int_equal(sv_event_format(&ev, small, sizeof small), n); /* untruncated length */
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(sv_event_format(&ev, NULL, 0), n);

    sv_event bo = { .seq = 1, .kind = SV_EV_BACKOFF, .sup = "s", .child = "c", .incarnation = 2,
                    .detail_ns = 1500000 };
    sv_event_format(&bo, buf, sizeof buf);
    assert_string_equal(buf, "sv[s] #1 t=0.000000 backoff child=c inc=2 delay_ms=1.500");
    sv_event sf = { .seq = 2, .kind = SV_EV_START_FAILED, .sup = "s", .child = "c", .incarnation = 1, .err = -EAGAIN };
    sv_event_format(&sf, buf, sizeof buf);
    assert_non_null(strstr(buf, "start_failed child=c inc=1 err=-11 ("));

    assert_string_equal(sv_event_kind_name(SV_EV_CRASH), "crash");
    assert_string_equal(sv_event_kind_name(SV_EV_JOINED), "joined");
    assert_string_equal(sv_event_kind_name(SV_EV_ESCALATED), "escalated");
    assert_string_equal(sv_event_kind_name(-1), "?");
    assert_string_equal(sv_event_kind_name(SV_EV__COUNT), "?");
    for (int k = 0; k < SV_EV__COUNT; k++) assert_string_not_equal(sv_event_kind_name(k), "?");
    assert_string_equal(sv_exit_name(SV_EXIT_NORMAL), "normal");
    assert_string_equal(sv_exit_name(SV_EXIT_PANIC), "panic");
    assert_string_equal(sv_exit_name(SV_EXIT_KILLED), "killed");
    assert_string_equal(sv_exit_name(99), "?");
    sv_log_discard(NULL, &ev, "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
