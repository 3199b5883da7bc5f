/*
 * test_core.c — the supervisor core's restart behaviour: initial start,
 * strategies × restart types × exit kinds, temporary bystanders, stale
 * exits, intensity (sliding window and its boundary), failed restarts and
 * their retries. Backoff: test_core_backoff.c. Admin, auto_shutdown, invalid
 * inputs and allocation failures: test_core_admin.c. Harness: core_harness.h.
 */
#include "core_harness.h"

static const int reasons[] = {SV_EXIT_NORMAL, SV_EXIT_SHUTDOWN, SV_EXIT_PANIC,
                              SV_EXIT_ERROR,  SV_EXIT_SIGNAL,   SV_EXIT_KILLED};

/* ---- initial start ---------------------------------------------------------- */

static void init_starts_in_order(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a b c");
    assert_false(sv_core_busy(H.c));
    assert_int_equal(h_state(&H, "a"), SV_CHILD_STOPPED);
    assert_string_equal(h_init(&H), "START a#1 START b#1 START c#1 REPLY 0");
    assert_int_equal(h_state(&H, "c"), SV_CHILD_RUNNING);
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
}

static void init_without_children_replies(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    h_setup(&H, &cfg, "");
    assert_string_equal(h_init(&H), "REPLY 0");
    assert_false(sv_core_done(H.c));
}

static void init_failure_stops_started_in_reverse(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a b c d");
    h_fail_start(&H, "c", 1, -EAGAIN, 1);
    assert_string_equal(h_init(&H), "START a#1 START b#1 START c#1 STOP b#1 STOP a#1 REPLY -11 EXIT shutdown");
    assert_true(sv_core_done(H.c));
}

static void init_failure_of_first_child(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_REST_FOR_ONE);
    h_setup(&H, &cfg, "a b");
    h_fail_start(&H, "a", 1, -ENOMEM, 1);
    assert_string_equal(h_init(&H), "START a#1 REPLY -12 EXIT shutdown");
    /* after EXIT: every input is answered -ESHUTDOWN and nothing else */
    assert_string_equal(h_init(&H), "REPLY -108");
    assert_string_equal(h_timer(&H), "REPLY -108");
}

static void shutdown_stops_in_reverse(void **state)
{
    h_setup_running(SV_ONE_FOR_ONE, "a b c");
    assert_string_equal(h_shutdown(&H), "STOP c#1 STOP b#1 STOP a#1 EXIT shutdown");
    assert_string_equal(h_shutdown(&H), "REPLY -108");
    assert_string_equal(h_exit_inc(&H, "a", 1, SV_EXIT_PANIC), "REPLY -108");
}

static void shutdown_before_init_exits(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a");
    assert_string_equal(h_shutdown(&H), "EXIT shutdown");
    assert_true(sv_core_done(H.c));
}

/* ---- strategies × restart types × exit kinds ---------------------------------- */

/* What b's exit must produce in "a b c", from the rules of the brief/OTP. */
static void expected_for(sv_strategy s, sv_restart r, int reason, char *buf, size_t cap)
{
    bool abnormal = reason != SV_EXIT_NORMAL && reason != SV_EXIT_SHUTDOWN;
    bool restart = r == SV_PERMANENT || (r == SV_TRANSIENT && abnormal);
    const char *log = abnormal ? "LOG b#1 " : "";
    const char *rest;
    if (!restart)
        rest = r == SV_TEMPORARY ? "STOP b#1 EV:child_removed b#1 FORGET b" : "STOP b#1";
    else if (s == SV_ONE_FOR_ONE)
        rest = "EV:restart b#1 STOP b#1 START b#2 EV:restarted b#2";
    else if (s == SV_ONE_FOR_ALL)
        rest = "EV:restart b#1 STOP c#1 STOP b#1 STOP a#1 START a#2 EV:restarted a#2 "
               "START b#2 EV:restarted b#2 START c#2 EV:restarted c#2";
    else
        rest = "EV:restart b#1 STOP c#1 STOP b#1 START b#2 EV:restarted b#2 START c#2 EV:restarted c#2";
    snprintf(buf, cap, "%s%s", log, rest);
}

static void strategy_type_exit_matrix(void **state)
{
    static const char *type_word[] = {"b:perm", "b:trans", "b:temp"};
    for (int s = SV_ONE_FOR_ONE; s <= SV_REST_FOR_ONE; s++) {
        for (int r = SV_PERMANENT; r <= SV_TEMPORARY; r++) {
            for (size_t k = 0; k < sizeof reasons / sizeof reasons[0]; k++) {
                char spec[64], want[512];
                snprintf(spec, sizeof spec, "a %s c", type_word[r]);
                sv_core_cfg cfg = h_cfg((sv_strategy)s);
                h_setup_init(&H, &cfg, spec);
                expected_for((sv_strategy)s, (sv_restart)r, reasons[k], want, sizeof want);
                const char *got = h_exit(&H, "b", reasons[k]);
                if (strcmp(got, want) != 0)
                    fail_msg("strategy %d type %d reason %d:\n  got  %s\n  want %s", s, r, reasons[k], got,
                             want);
                int st = h_state(&H, "b");
                if (strstr(want, "START b#2"))
                    assert_int_equal(st, SV_CHILD_RUNNING);
                else if (r == SV_TEMPORARY)
                    assert_int_equal(st, -1);
                else
                    assert_int_equal(st, SV_CHILD_STOPPED);
                assert_false(sv_core_done(H.c));
                h_teardown_core(&H);
            }
        }
    }
}

static void one_for_all_crash_of_first_and_last(void **state)
{
    h_setup_running(SV_ONE_FOR_ALL, "a b c");
    assert_string_equal(h_exit(&H, "a", SV_EXIT_SIGNAL),
                        "LOG a#1 EV:restart a#1 STOP c#1 STOP b#1 STOP a#1 START a#2 EV:restarted a#2 "
                        "START b#2 EV:restarted b#2 START c#2 EV:restarted c#2");
    assert_string_equal(h_exit(&H, "c", SV_EXIT_PANIC),
                        "LOG c#2 EV:restart c#2 STOP c#2 STOP b#2 STOP a#2 START a#3 EV:restarted a#3 "
                        "START b#3 EV:restarted b#3 START c#3 EV:restarted c#3");
}

static void rest_for_one_crash_of_first_and_last(void **state)
{
    h_setup_running(SV_REST_FOR_ONE, "a b c");
    assert_string_equal(h_exit(&H, "c", SV_EXIT_ERROR), "LOG c#1 EV:restart c#1 STOP c#1 START c#2 EV:restarted c#2");
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC),
                        "LOG a#1 EV:restart a#1 STOP c#2 STOP b#1 STOP a#1 START a#2 EV:restarted a#2 "
                        "START b#2 EV:restarted b#2 START c#3 EV:restarted c#3");
}

static void temporary_bystanders_are_removed(void **state)
{
    h_setup_running(SV_ONE_FOR_ALL, "a t:temp c");
    assert_string_equal(h_exit(&H, "c", SV_EXIT_PANIC),
                        "LOG c#1 EV:restart c#1 STOP c#1 STOP t#1 EV:child_removed t#1 FORGET t STOP a#1 "
                        "START a#2 EV:restarted a#2 START c#2 EV:restarted c#2");
    assert_int_equal(sv_core_nchildren(H.c), 2);
    h_teardown_core(&H);

    h_setup_running(SV_REST_FOR_ONE, "a t:temp c");
    assert_string_equal(h_exit(&H, "a", SV_EXIT_ERROR),
                        "LOG a#1 EV:restart a#1 STOP c#1 STOP t#1 EV:child_removed t#1 FORGET t STOP a#1 "
                        "START a#2 EV:restarted a#2 START c#2 EV:restarted c#2");
    assert_int_equal(h_state(&H, "t"), -1);
}

/* OTP: a group restart starts every non-temporary member of the group, also
 * one that had ended for good (transient, normal exit). */
static void group_restart_starts_stopped_members(void **state)
{
    h_setup_running(SV_ONE_FOR_ALL, "a b:trans c");
    assert_string_equal(h_exit(&H, "b", SV_EXIT_NORMAL), "STOP b#1");
    assert_int_equal(h_state(&H, "b"), SV_CHILD_STOPPED);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC),
                        "LOG a#1 EV:restart a#1 STOP c#1 STOP a#1 START a#2 EV:restarted a#2 "
                        "START b#2 EV:restarted b#2 START c#2 EV:restarted c#2");
}

static void stale_exits_are_logged_only(void **state)
{
    h_setup_running(SV_ONE_FOR_ALL, "a b c");
    h_exit(&H, "b", SV_EXIT_PANIC);
    /* c#1 crashed while being stopped: its report arrives late */
    assert_string_equal(h_exit_inc(&H, "c", 1, SV_EXIT_PANIC), "LOG c#1");
    assert_string_equal(h_exit_inc(&H, "c", 1, SV_EXIT_KILLED), "LOG c#1");
    assert_string_equal(h_exit_inc(&H, "a", 1, SV_EXIT_SHUTDOWN), "");
    assert_string_equal(h_exit_inc(&H, "b", 1, SV_EXIT_NORMAL), "");
    /* never-existing incarnations are invalid input */
    assert_string_equal(h_exit_inc(&H, "b", 7, SV_EXIT_PANIC), "");
    sv_core_in in = h_in(SV_IN_EXIT);
    in.slot = h_slot(&H, "b");
    in.incarnation = 0;
    in.reason = SV_EXIT_PANIC;
    assert_string_equal(h_feed(&H, &in), "");
    assert_int_equal(h_inc(&H, "c"), 2);
    assert_int_equal(h_state(&H, "c"), SV_CHILD_RUNNING);
}

static void unknown_exit_reason_counts_as_crash(void **state)
{
    h_setup_running(SV_ONE_FOR_ONE, "a:trans");
    assert_string_equal(h_exit(&H, "a", 77), "LOG a#1 EV:restart a#1 STOP a#1 START a#2 EV:restarted a#2");
    assert_int_equal(H.acts[0].reason, 77);
}

/* ---- intensity ------------------------------------------------------------------- */

static void intensity_sliding_window_survives_spaced_restarts(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 1;
    cfg.period_ms = 1000;
    h_setup_init(&H, &cfg, "a b");
    for (int k = 1; k <= 50; k++) {
        H.now += MS(2100);
        char want[128];
        snprintf(want, sizeof want, "LOG b#%d EV:restart b#%d STOP b#%d START b#%d EV:restarted b#%d", k, k, k,
                 k + 1, k + 1);
        assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC), want);
    }
    assert_false(sv_core_done(H.c));
}

static void intensity_exceeded_stops_all_in_reverse(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 3;
    cfg.period_ms = 1000;
    h_setup_init(&H, &cfg, "a b c");
    h_exit(&H, "b", SV_EXIT_PANIC);
    H.now += MS(300);
    h_exit(&H, "a", SV_EXIT_ERROR);
    H.now += MS(300);
    h_exit(&H, "c", SV_EXIT_NORMAL);
    H.now += MS(300); /* 4th restart within 900 ms: more than MaxR = 3 */
    assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC),
                        "LOG b#2 EV:intensity_exceeded STOP c#2 STOP b#2 STOP a#2 EXIT shutdown");
    assert_true(sv_core_done(H.c));
    assert_int_equal(H.acts[1].slot, UINT32_MAX); /* supervisor-level event */
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
}

/* The window slides: with MaxR = 2 the restart at 1001 ms survives because
 * the one at 0 has left the window; the one at 1500 ms makes three within
 * [500, 1500]. */
static void intensity_window_slides(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 2;
    cfg.period_ms = 1000;
    h_setup_init(&H, &cfg, "a");
    int64_t t0 = MS(10000);
    static const int64_t at[] = {0, MS(600), MS(1000) + 1};
    for (size_t i = 0; i < 3; i++) {
        H.now = t0 + at[i];
        assert_non_null(strstr(h_exit(&H, "a", SV_EXIT_PANIC), "EV:restarted"));
    }
    H.now = t0 + MS(1500);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC), "LOG a#4 EV:intensity_exceeded STOP a#4 EXIT shutdown");
}

/* Boundary, as OTP (a past restart at T counts while T >= now - period):
 * exactly MaxT after the first restart still counts; 1 ns later it does not. */
static void intensity_boundary_is_inclusive(void **state)
{
    for (int late = 0; late <= 1; late++) {
        sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
        cfg.intensity = 1;
        cfg.period_ms = 1000;
        h_setup_init(&H, &cfg, "a");
        H.now = MS(5000);
        h_exit(&H, "a", SV_EXIT_PANIC);
        H.now = MS(6000) + late;
        const char *got = h_exit(&H, "a", SV_EXIT_PANIC);
        if (late)
            assert_string_equal(got, "LOG a#2 EV:restart a#2 STOP a#2 START a#3 EV:restarted a#3");
        else
            assert_string_equal(got, "LOG a#2 EV:intensity_exceeded STOP a#2 EXIT shutdown");
        h_teardown_core(&H);
    }
}

static void intensity_zero_exceeds_at_first_restart(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_REST_FOR_ONE);
    cfg.intensity = 0;
    h_setup_init(&H, &cfg, "a b:trans c");
    assert_string_equal(h_exit(&H, "b", SV_EXIT_NORMAL), "STOP b#1"); /* not a restart */
    assert_string_equal(h_exit(&H, "a", SV_EXIT_NORMAL),
                        "EV:intensity_exceeded STOP c#1 STOP a#1 EXIT shutdown");
}

static void time_going_backwards_is_clamped(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 1;
    cfg.period_ms = 1000;
    h_setup_init(&H, &cfg, "a");
    H.now = MS(10000);
    h_exit(&H, "a", SV_EXIT_PANIC);
    H.now = MS(1); /* contract violation: treated as MS(10000) */
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC), "LOG a#2 EV:intensity_exceeded STOP a#2 EXIT shutdown");
}

/* ---- failed restarts ----------------------------------------------------------------- */

static void failed_restart_one_for_one_retries_from_timer(void **state)
{
    h_setup_running(SV_ONE_FOR_ONE, "a b c");
    H.now = MS(100);
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC), "LOG b#1 EV:restart b#1 STOP b#1 START b#2 EV:restart b#2");
    assert_false(sv_core_busy(H.c));
    assert_int_equal(h_state(&H, "b"), SV_CHILD_RESTARTING);
    assert_int_equal(sv_core_next_deadline(H.c), MS(100)); /* now: but not in the same step */
    assert_string_equal(h_timer(&H), "START b#3 EV:restarted b#3");
    assert_int_equal(h_state(&H, "b"), SV_CHILD_RUNNING);
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
    assert_string_equal(h_timer(&H), ""); /* nothing due */
}

static void failed_restart_one_for_all_retries_whole_group(void **state)
{
    h_setup_running(SV_ONE_FOR_ALL, "a b c");
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC),
                        "LOG b#1 EV:restart b#1 STOP c#1 STOP b#1 STOP a#1 START a#2 EV:restarted a#2 "
                        "START b#2 EV:restart b#2");
    assert_int_equal(h_state(&H, "a"), SV_CHILD_RUNNING);
    assert_int_equal(h_state(&H, "b"), SV_CHILD_RESTARTING);
    assert_int_equal(h_state(&H, "c"), SV_CHILD_RESTARTING);
    assert_string_equal(h_timer(&H), "STOP a#2 START a#3 EV:restarted a#3 START b#3 EV:restarted b#3 "
                                     "START c#2 EV:restarted c#2");
}

static void failed_restart_rest_for_one_retries_failing_and_later(void **state)
{
    h_setup_running(SV_REST_FOR_ONE, "a b c d");
    h_fail_start(&H, "c", 2, -EIO, 1);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_ERROR),
                        "LOG b#1 EV:restart b#1 STOP d#1 STOP c#1 STOP b#1 START b#2 EV:restarted b#2 "
                        "START c#2 EV:restart c#2");
    assert_int_equal(h_state(&H, "a"), SV_CHILD_RUNNING);
    assert_int_equal(h_state(&H, "b"), SV_CHILD_RUNNING);
    assert_int_equal(h_state(&H, "c"), SV_CHILD_RESTARTING);
    assert_int_equal(h_state(&H, "d"), SV_CHILD_RESTARTING);
    assert_string_equal(h_timer(&H), "START c#3 EV:restarted c#3 START d#2 EV:restarted d#2");
}

static void queued_shutdown_wins_over_retry(void **state)
{
    h_setup_running(SV_ONE_FOR_ALL, "a b c");
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    h_exit(&H, "b", SV_EXIT_PANIC);
    /* the retry is due now, but a shutdown was already waiting */
    assert_string_equal(h_shutdown(&H), "STOP a#2 EXIT shutdown");
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
    assert_string_equal(h_timer(&H), "REPLY -108");
}

static void queued_admin_is_served_before_retry(void **state)
{
    h_setup_running(SV_REST_FOR_ONE, "a b c");
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    h_exit(&H, "a", SV_EXIT_PANIC);
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "b"), "REPLY -115");
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "c"), "REPLY -115");
    assert_string_equal(h_timer(&H), "START b#3 EV:restarted b#3 START c#2 EV:restarted c#2");
}

static void each_retry_counts_toward_intensity(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 2;
    cfg.period_ms = 1000;
    h_setup_init(&H, &cfg, "a b c");
    h_fail_start(&H, "b", 0, -EAGAIN, -1);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC), "LOG b#1 EV:restart b#1 STOP b#1 START b#2 EV:restart b#2");
    assert_string_equal(h_timer(&H), "START b#3 EV:intensity_exceeded STOP c#1 STOP a#1 EXIT shutdown");
}

static void persistent_start_failure_never_retries_in_step(void **state)
{
    h_setup_running(SV_ONE_FOR_ONE, "a");
    h_fail_start(&H, "a", 0, -EAGAIN, -1);
    h_exit(&H, "a", SV_EXIT_PANIC);
    for (uint32_t k = 3; k < 40; k++) {
        H.now += MS(10);
        char want[64];
        snprintf(want, sizeof want, "START a#%u EV:restart a#%u", k, k);
        assert_string_equal(h_timer(&H), want);
        assert_int_equal(sv_core_next_deadline(H.c), H.now);
        assert_int_equal(h_state(&H, "a"), SV_CHILD_RESTARTING);
    }
}

static void two_due_retries_need_two_timers(void **state)
{
    h_setup_running(SV_ONE_FOR_ONE, "a b");
    h_fail_start(&H, "a", 2, -EAGAIN, 1);
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    h_exit(&H, "b", SV_EXIT_PANIC);
    H.now += 5;
    h_exit(&H, "a", SV_EXIT_PANIC);
    assert_string_equal(h_timer(&H), "START b#3 EV:restarted b#3"); /* earliest first */
    assert_string_equal(h_timer(&H), "START a#3 EV:restarted a#3");
    assert_string_equal(h_timer(&H), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(init_starts_in_order, h_teardown),
        cmocka_unit_test_teardown(init_without_children_replies, h_teardown),
        cmocka_unit_test_teardown(init_failure_stops_started_in_reverse, h_teardown),
        cmocka_unit_test_teardown(init_failure_of_first_child, h_teardown),
        cmocka_unit_test_teardown(shutdown_stops_in_reverse, h_teardown),
        cmocka_unit_test_teardown(shutdown_before_init_exits, h_teardown),
        cmocka_unit_test_teardown(strategy_type_exit_matrix, h_teardown),
        cmocka_unit_test_teardown(one_for_all_crash_of_first_and_last, h_teardown),
        cmocka_unit_test_teardown(rest_for_one_crash_of_first_and_last, h_teardown),
        cmocka_unit_test_teardown(temporary_bystanders_are_removed, h_teardown),
        cmocka_unit_test_teardown(group_restart_starts_stopped_members, h_teardown),
        cmocka_unit_test_teardown(stale_exits_are_logged_only, h_teardown),
        cmocka_unit_test_teardown(unknown_exit_reason_counts_as_crash, h_teardown),
        cmocka_unit_test_teardown(intensity_sliding_window_survives_spaced_restarts, h_teardown),
        cmocka_unit_test_teardown(intensity_exceeded_stops_all_in_reverse, h_teardown),
        cmocka_unit_test_teardown(intensity_window_slides, h_teardown),
        cmocka_unit_test_teardown(intensity_boundary_is_inclusive, h_teardown),
        cmocka_unit_test_teardown(intensity_zero_exceeds_at_first_restart, h_teardown),
        cmocka_unit_test_teardown(time_going_backwards_is_clamped, h_teardown),
        cmocka_unit_test_teardown(failed_restart_one_for_one_retries_from_timer, h_teardown),
        cmocka_unit_test_teardown(failed_restart_one_for_all_retries_whole_group, h_teardown),
        cmocka_unit_test_teardown(failed_restart_rest_for_one_retries_failing_and_later, h_teardown),
        cmocka_unit_test_teardown(queued_shutdown_wins_over_retry, h_teardown),
        cmocka_unit_test_teardown(queued_admin_is_served_before_retry, h_teardown),
        cmocka_unit_test_teardown(each_retry_counts_toward_intensity, h_teardown),
        cmocka_unit_test_teardown(persistent_start_failure_never_retries_in_step, h_teardown),
        cmocka_unit_test_teardown(two_due_retries_need_two_timers, h_teardown),
    };
    return cmocka_run_group_tests_name("core", tests, h_plat_bind, h_plat_unbind);
}
