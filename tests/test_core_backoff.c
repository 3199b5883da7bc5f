/*
 * test_core_backoff.c — the supervisor core's restart backoff: exponential
 * growth to the cap, the reset after running for the cap, backoff of failed
 * starts, one_for_all stopping the group before the delay, shutdown
 * cancelling a pending retry, jitter bounds and its determinism by seed,
 * saturation near the end of time. Harness: core_harness.h.
 */
#include "core_harness.h"

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
    h_setup_init(&H, &cfg, "a b");
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
    h_setup_init(&H, &cfg, "a");
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
    h_setup_init(&H, &cfg, "a");
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
    h_setup_init(&H, &cfg, "a b c");
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
    h_setup_init(&H, &cfg, "a b");
    h_exit(&H, "b", SV_EXIT_PANIC);
    assert_string_equal(h_shutdown(&H), "STOP a#1 EXIT shutdown");
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
}

/* Delays with jitter j for a constant base d lie in [d*(1-j/100), d]. */
static void collect_jittered(uint64_t seed, uint32_t jitter, int64_t *out, size_t n)
{
    sv_core_cfg cfg = backoff_cfg(100, 100, jitter, seed);
    h_setup_init(&H, &cfg, "a");
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
        cmocka_unit_test_teardown(backoff_grows_and_caps, h_teardown),
        cmocka_unit_test_teardown(backoff_resets_after_running_for_the_cap, h_teardown),
        cmocka_unit_test_teardown(backoff_applies_to_failed_starts, h_teardown),
        cmocka_unit_test_teardown(backoff_one_for_all_stops_group_first, h_teardown),
        cmocka_unit_test_teardown(shutdown_during_backoff_cancels_retry, h_teardown),
        cmocka_unit_test_teardown(backoff_jitter_within_bounds, h_teardown),
        cmocka_unit_test_teardown(backoff_jitter_deterministic_by_seed, h_teardown),
        cmocka_unit_test_teardown(backoff_near_end_of_time_saturates, h_teardown),
    };
    return cmocka_run_group_tests_name("core_backoff", tests, h_plat_bind, h_plat_unbind);
}
