/*
 * test_core.c — the supervisor core's restart behaviour: initial start,
 * strategies × restart types × exit kinds, temporary bystanders, stale
 * exits, intensity (sliding window and its boundary), failed restarts and
 * their retries, backoff. Admin, auto_shutdown, invalid inputs and
 * allocation failures: test_core_admin.c. Harness: core_harness.h.
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
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
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
                h_setup(&H, &cfg, spec);
                h_init(&H);
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
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_SIGNAL),
                        "LOG a#1 EV:restart a#1 STOP c#1 STOP b#1 STOP a#1 START a#2 EV:restarted a#2 "
                        "START b#2 EV:restarted b#2 START c#2 EV:restarted c#2");
    assert_string_equal(h_exit(&H, "c", SV_EXIT_PANIC),
                        "LOG c#2 EV:restart c#2 STOP c#2 STOP b#2 STOP a#2 START a#3 EV:restarted a#3 "
                        "START b#3 EV:restarted b#3 START c#3 EV:restarted c#3");
}

static void rest_for_one_crash_of_first_and_last(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_REST_FOR_ONE);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
    assert_string_equal(h_exit(&H, "c", SV_EXIT_ERROR), "LOG c#1 EV:restart c#1 STOP c#1 START c#2 EV:restarted c#2");
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC),
                        "LOG a#1 EV:restart a#1 STOP c#2 STOP b#1 STOP a#1 START a#2 EV:restarted a#2 "
                        "START b#2 EV:restarted b#2 START c#3 EV:restarted c#3");
}

static void temporary_bystanders_are_removed(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    h_setup(&H, &cfg, "a t:temp c");
    h_init(&H);
    assert_string_equal(h_exit(&H, "c", SV_EXIT_PANIC),
                        "LOG c#1 EV:restart c#1 STOP c#1 STOP t#1 EV:child_removed t#1 FORGET t STOP a#1 "
                        "START a#2 EV:restarted a#2 START c#2 EV:restarted c#2");
    assert_int_equal(sv_core_nchildren(H.c), 2);
    h_teardown_core(&H);

    cfg = h_cfg(SV_REST_FOR_ONE);
    h_setup(&H, &cfg, "a t:temp c");
    h_init(&H);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_ERROR),
                        "LOG a#1 EV:restart a#1 STOP c#1 STOP t#1 EV:child_removed t#1 FORGET t STOP a#1 "
                        "START a#2 EV:restarted a#2 START c#2 EV:restarted c#2");
    assert_int_equal(h_state(&H, "t"), -1);
}

/* OTP: a group restart starts every non-temporary member of the group, also
 * one that had ended for good (transient, normal exit). */
static void group_restart_starts_stopped_members(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    h_setup(&H, &cfg, "a b:trans c");
    h_init(&H);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_NORMAL), "STOP b#1");
    assert_int_equal(h_state(&H, "b"), SV_CHILD_STOPPED);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC),
                        "LOG a#1 EV:restart a#1 STOP c#1 STOP a#1 START a#2 EV:restarted a#2 "
                        "START b#2 EV:restarted b#2 START c#2 EV:restarted c#2");
}

static void stale_exits_are_logged_only(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
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
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a:trans");
    h_init(&H);
    assert_string_equal(h_exit(&H, "a", 77), "LOG a#1 EV:restart a#1 STOP a#1 START a#2 EV:restarted a#2");
    assert_int_equal(H.acts[0].reason, 77);
}

/* ---- intensity ------------------------------------------------------------------- */

static void intensity_sliding_window_survives_spaced_restarts(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 1;
    cfg.period_ms = 1000;
    h_setup(&H, &cfg, "a b");
    h_init(&H);
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
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
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
    h_setup(&H, &cfg, "a");
    h_init(&H);
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
        h_setup(&H, &cfg, "a");
        h_init(&H);
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
    h_setup(&H, &cfg, "a b:trans c");
    h_init(&H);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_NORMAL), "STOP b#1"); /* not a restart */
    assert_string_equal(h_exit(&H, "a", SV_EXIT_NORMAL),
                        "EV:intensity_exceeded STOP c#1 STOP a#1 EXIT shutdown");
}

static void time_going_backwards_is_clamped(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 1;
    cfg.period_ms = 1000;
    h_setup(&H, &cfg, "a");
    h_init(&H);
    H.now = MS(10000);
    h_exit(&H, "a", SV_EXIT_PANIC);
    H.now = MS(1); /* contract violation: treated as MS(10000) */
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC), "LOG a#2 EV:intensity_exceeded STOP a#2 EXIT shutdown");
}

/* ---- failed restarts ----------------------------------------------------------------- */

static void failed_restart_one_for_one_retries_from_timer(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
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
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
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
    sv_core_cfg cfg = h_cfg(SV_REST_FOR_ONE);
    h_setup(&H, &cfg, "a b c d");
    h_init(&H);
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
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    h_exit(&H, "b", SV_EXIT_PANIC);
    /* the retry is due now, but a shutdown was already waiting */
    assert_string_equal(h_shutdown(&H), "STOP a#2 EXIT shutdown");
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
    assert_string_equal(h_timer(&H), "REPLY -108");
}

static void queued_admin_is_served_before_retry(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_REST_FOR_ONE);
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
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
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
    h_fail_start(&H, "b", 0, -EAGAIN, -1);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC), "LOG b#1 EV:restart b#1 STOP b#1 START b#2 EV:restart b#2");
    assert_string_equal(h_timer(&H), "START b#3 EV:intensity_exceeded STOP c#1 STOP a#1 EXIT shutdown");
}

static void persistent_start_failure_never_retries_in_step(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a");
    h_init(&H);
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
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a b");
    h_init(&H);
    h_fail_start(&H, "a", 2, -EAGAIN, 1);
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    h_exit(&H, "b", SV_EXIT_PANIC);
    H.now += 5;
    h_exit(&H, "a", SV_EXIT_PANIC);
    assert_string_equal(h_timer(&H), "START b#3 EV:restarted b#3"); /* earliest first */
    assert_string_equal(h_timer(&H), "START a#3 EV:restarted a#3");
    assert_string_equal(h_timer(&H), "");
}

/* ---- backoff ------------------------------------------------------------------------------ */

static sv_core_cfg backoff_cfg(uint32_t min, uint32_t max, uint32_t jitter, uint64_t seed)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.backoff_min_ms = min;
    cfg.backoff_max_ms = max;
    cfg.backoff_jitter_pct = jitter;
    cfg.seed = seed;
    return cfg;
}

static void backoff_grows_and_caps(void **state)
{
    sv_core_cfg cfg = backoff_cfg(100, 1000, 0, 1);
    h_setup(&H, &cfg, "a b");
    h_init(&H);
    static const int64_t want[] = {100, 200, 400, 800, 1000, 1000};
    for (size_t k = 0; k < 6; k++) {
        uint32_t inc = (uint32_t)k + 1;
        char exp[128];
        snprintf(exp, sizeof exp, "LOG b#%u EV:restart b#%u STOP b#%u EV:backoff b#%u", inc, inc, inc, inc);
        assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC), exp);
        assert_int_equal(H.backoffs[0], MS(want[k]));
        assert_int_equal(h_state(&H, "b"), SV_CHILD_RESTARTING);
        assert_int_equal(sv_core_next_deadline(H.c), H.now + MS(want[k]));
        H.now += MS(want[k]) - 1;
        assert_string_equal(h_timer(&H), ""); /* early */
        H.now += 1;
        snprintf(exp, sizeof exp, "START b#%u EV:restarted b#%u", inc + 1, inc + 1);
        assert_string_equal(h_timer(&H), exp);
    }
}

static void backoff_resets_after_running_for_the_cap(void **state)
{
    sv_core_cfg cfg = backoff_cfg(100, 1000, 0, 1);
    h_setup(&H, &cfg, "a");
    h_init(&H);
    for (int k = 0; k < 3; k++) {
        h_exit(&H, "a", SV_EXIT_PANIC);
        H.now = sv_core_next_deadline(H.c);
        h_timer(&H);
    }
    H.now += MS(999); /* ran just short of the cap: keeps growing */
    h_exit(&H, "a", SV_EXIT_PANIC);
    assert_int_equal(H.backoffs[0], MS(800));
    H.now = sv_core_next_deadline(H.c);
    h_timer(&H);
    H.now += MS(1000); /* ran for the cap: back to the minimum */
    h_exit(&H, "a", SV_EXIT_PANIC);
    assert_int_equal(H.backoffs[0], MS(100));
}

static void backoff_applies_to_failed_starts(void **state)
{
    sv_core_cfg cfg = backoff_cfg(50, 10000, 0, 1);
    h_setup(&H, &cfg, "a");
    h_init(&H);
    h_fail_start(&H, "a", 2, -EAGAIN, 1);
    h_exit(&H, "a", SV_EXIT_PANIC);
    H.now = sv_core_next_deadline(H.c);
    assert_string_equal(h_timer(&H), "START a#2 EV:restart a#2 EV:backoff a#2");
    assert_int_equal(H.backoffs[0], MS(100));
    assert_int_equal(sv_core_next_deadline(H.c), H.now + MS(100));
    H.now += MS(100);
    assert_string_equal(h_timer(&H), "START a#3 EV:restarted a#3");
}

static void backoff_one_for_all_stops_group_first(void **state)
{
    sv_core_cfg cfg = backoff_cfg(100, 1000, 0, 1);
    cfg.strategy = SV_ONE_FOR_ALL;
    h_setup(&H, &cfg, "a b c");
    h_init(&H);
    h_unstop(&H, "c", 1);
    assert_string_equal(h_exit(&H, "b", SV_EXIT_PANIC),
                        "LOG b#1 EV:restart b#1 STOP c#1 STOP b#1 STOP a#1 EV:backoff b#1");
    assert_int_equal(h_state(&H, "a"), SV_CHILD_RESTARTING);
    assert_int_equal(h_state(&H, "b"), SV_CHILD_RESTARTING);
    assert_int_equal(h_state(&H, "c"), SV_CHILD_UNSTOPPED); /* abandoned, replacement pending */
    H.now += MS(100);
    assert_string_equal(h_timer(&H),
                        "START a#2 EV:restarted a#2 START b#2 EV:restarted b#2 START c#2 EV:restarted c#2");
    assert_int_equal(h_state(&H, "c"), SV_CHILD_RUNNING);
}

static void shutdown_during_backoff_cancels_retry(void **state)
{
    sv_core_cfg cfg = backoff_cfg(100, 1000, 0, 1);
    h_setup(&H, &cfg, "a b");
    h_init(&H);
    h_exit(&H, "b", SV_EXIT_PANIC);
    assert_string_equal(h_shutdown(&H), "STOP a#1 EXIT shutdown");
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
}

/* Delays with jitter j for a constant base d lie in [d*(1-j/100), d]. */
static void collect_jittered(uint64_t seed, uint32_t jitter, int64_t *out, size_t n)
{
    sv_core_cfg cfg = backoff_cfg(100, 100, jitter, seed);
    h_setup(&H, &cfg, "a");
    h_init(&H);
    for (size_t k = 0; k < n; k++) {
        h_exit(&H, "a", SV_EXIT_PANIC);
        out[k] = H.backoffs[0];
        H.now = sv_core_next_deadline(H.c);
        h_timer(&H);
    }
    h_teardown_core(&H);
}

static void backoff_jitter_within_bounds(void **state)
{
    enum { N = 400 };
    static int64_t d[N];
    collect_jittered(42, 50, d, N);
    int64_t lo = d[0], hi = d[0];
    for (size_t k = 0; k < N; k++) {
        assert_in_range(d[k], MS(50), MS(100));
        lo = d[k] < lo ? d[k] : lo;
        hi = d[k] > hi ? d[k] : hi;
    }
    assert_true(lo < MS(55)); /* spread over the whole range, not a constant */
    assert_true(hi > MS(95));
    collect_jittered(42, 100, d, 50);
    for (size_t k = 0; k < 50; k++)
        assert_in_range(d[k], 0, MS(100));
    collect_jittered(42, 0, d, 5);
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(d[k], MS(100));
}

static void backoff_jitter_deterministic_by_seed(void **state)
{
    enum { N = 32 };
    int64_t a[N], b[N], c[N];
    collect_jittered(7, 30, a, N);
    collect_jittered(7, 30, b, N);
    collect_jittered(8, 30, c, N);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

static void backoff_near_end_of_time_saturates(void **state)
{
    sv_core_cfg cfg = backoff_cfg(UINT32_MAX, UINT32_MAX, 100, 3);
    h_setup(&H, &cfg, "a");
    H.now = INT64_MAX - MS(1);
    h_init(&H);
    h_exit(&H, "a", SV_EXIT_PANIC);
    assert_true(sv_core_next_deadline(H.c) >= H.now);
    assert_int_equal(h_state(&H, "a"), SV_CHILD_RESTARTING);
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
        cmocka_unit_test_teardown(backoff_grows_and_caps, h_teardown),
        cmocka_unit_test_teardown(backoff_resets_after_running_for_the_cap, h_teardown),
        cmocka_unit_test_teardown(backoff_applies_to_failed_starts, h_teardown),
        cmocka_unit_test_teardown(backoff_one_for_all_stops_group_first, h_teardown),
        cmocka_unit_test_teardown(shutdown_during_backoff_cancels_retry, h_teardown),
        cmocka_unit_test_teardown(backoff_jitter_within_bounds, h_teardown),
        cmocka_unit_test_teardown(backoff_jitter_deterministic_by_seed, h_teardown),
        cmocka_unit_test_teardown(backoff_near_end_of_time_saturates, h_teardown),
    };
    return cmocka_run_group_tests_name("core", tests, h_plat_bind, h_plat_unbind);
}
