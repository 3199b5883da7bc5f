/*
 * test_core_admin.c — the supervisor core's admin requests (the OTP error
 * matrix), auto_shutdown with significant children, config validation,
 * invalid and out-of-protocol inputs, allocation failures, and a seeded
 * random walk over the whole input space with the harness's protocol checks.
 * Harness: core_harness.h.
 */
#include "core_harness.h"

static void setup_running(sv_strategy s, const char *spec)
{
    sv_core_cfg cfg = h_cfg(s);
    h_setup(&H, &cfg, spec);
    h_init(&H);
}

/* ---- start_child ---------------------------------------------------------------- */

static void start_child_appends_and_starts(void **state)
{
    setup_running(SV_ONE_FOR_ONE, "a b");
    assert_string_equal(h_start_child(&H, "c:temp"), "START c#1 REPLY 0");
    assert_int_equal(sv_core_nchildren(H.c), 3);
    assert_int_equal(h_index(&H, "c"), 2);
    assert_int_equal(h_state(&H, "c"), SV_CHILD_RUNNING);
    /* start order includes it: a one_for_all style stop goes through it */
    assert_string_equal(h_shutdown(&H), "STOP c#1 STOP b#1 STOP a#1 EXIT shutdown");
}

static void start_child_error_matrix(void **state)
{
    setup_running(SV_ONE_FOR_ONE, "a b c");
    assert_string_equal(h_start_child(&H, "a"), "REPLY -114");      /* running: already_started */
    h_admin(&H, SV_IN_TERMINATE_CHILD, "b");
    assert_string_equal(h_start_child(&H, "b"), "REPLY -17");       /* stopped spec: already_present */
    h_fail_start(&H, "c", 2, -EAGAIN, 1);
    h_exit(&H, "c", SV_EXIT_PANIC);
    assert_string_equal(h_start_child(&H, "c"), "REPLY -17");       /* restarting: as OTP, present */
    assert_string_equal(h_start_child(&H, ""), "REPLY -22");
    assert_string_equal(h_start_child(&H, "p:perm:sig"), "REPLY -22");
    sv_core_in in = h_in(SV_IN_START_CHILD);
    assert_string_equal(h_feed(&H, &in), "REPLY -22");              /* no spec */
    sv_core_child bad = h_child("q");
    bad.restart = (sv_restart)9;
    in.child = &bad;
    assert_string_equal(h_feed(&H, &in), "REPLY -22");
    memset(bad.id, 'x', sizeof bad.id); /* not NUL-terminated */
    bad.restart = SV_PERMANENT;
    assert_string_equal(h_feed(&H, &in), "REPLY -22");
    assert_int_equal(sv_core_nchildren(H.c), 3);
}

static void start_child_failure_discards_spec(void **state)
{
    setup_running(SV_ONE_FOR_ONE, "a");
    h_fail_start(&H, "d", 1, -EAGAIN, 1);
    assert_string_equal(h_start_child(&H, "d"), "START d#1 FORGET d REPLY -11");
    assert_int_equal(h_state(&H, "d"), -1);
    assert_int_equal(sv_core_nchildren(H.c), 1);
    uint32_t failed_slot = H.acts[0].slot;
    assert_string_equal(h_start_child(&H, "d"), "START d#1 REPLY 0");
    assert_int_not_equal(H.acts[0].slot, failed_slot); /* slots are never reused */
    assert_null(sv_core_child_spec(H.c, failed_slot));
    assert_non_null(sv_core_child_spec(H.c, H.acts[0].slot));
}

/* ---- terminate_child ------------------------------------------------------------ */

static void terminate_child_matrix(void **state)
{
    setup_running(SV_ONE_FOR_ONE, "a b t:temp");
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, "b"), "STOP b#1 EV:child_terminated b#1 REPLY 0");
    assert_int_equal(h_state(&H, "b"), SV_CHILD_STOPPED);
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, "b"), "REPLY 0"); /* OTP: ok again */
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, "t"), "STOP t#1 EV:child_removed t#1 FORGET t REPLY 0");
    assert_int_equal(h_state(&H, "t"), -1);
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, "nope"), "REPLY -2");
    char longid[SV_ID_MAX + 8];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, longid), "REPLY -2");
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, NULL), "REPLY -22");
    /* the stopped incarnation's own exit report arrives later: stale */
    assert_string_equal(h_exit_inc(&H, "b", 1, SV_EXIT_SHUTDOWN), "");
    assert_string_equal(h_exit_inc(&H, "t", 1, SV_EXIT_PANIC), "LOG t#1"); /* deleted slot: still logged */
}

static void terminate_restarting_child_cancels_retry(void **state)
{
    setup_running(SV_ONE_FOR_ONE, "a b");
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    h_exit(&H, "b", SV_EXIT_PANIC);
    assert_int_equal(sv_core_next_deadline(H.c), H.now);
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, "b"), "EV:child_terminated b#2 REPLY 0");
    assert_int_equal(h_state(&H, "b"), SV_CHILD_STOPPED);
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
    assert_string_equal(h_timer(&H), "");
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "b"), "START b#3 REPLY 0");
}

/* Cancelling the head of a one_for_all retry leaves no member waiting on it. */
static void terminate_group_head_stops_waiting_members(void **state)
{
    setup_running(SV_ONE_FOR_ALL, "a b c");
    h_fail_start(&H, "b", 2, -EAGAIN, 1);
    h_exit(&H, "b", SV_EXIT_PANIC);
    assert_int_equal(h_state(&H, "c"), SV_CHILD_RESTARTING);
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, "b"), "EV:child_terminated b#2 REPLY 0");
    assert_int_equal(h_state(&H, "a"), SV_CHILD_RUNNING);
    assert_int_equal(h_state(&H, "b"), SV_CHILD_STOPPED);
    assert_int_equal(h_state(&H, "c"), SV_CHILD_STOPPED);
    assert_int_equal(sv_core_next_deadline(H.c), SV_FOREVER);
}

/* ---- restart_child / delete_child ------------------------------------------------ */

static void restart_child_matrix(void **state)
{
    setup_running(SV_ONE_FOR_ONE, "a b c");
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "a"), "REPLY -16");  /* running */
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "x"), "REPLY -2");
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, NULL), "REPLY -22");
    h_fail_start(&H, "c", 2, -EAGAIN, 1);
    h_exit(&H, "c", SV_EXIT_PANIC);
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "c"), "REPLY -115"); /* restarting */
    h_admin(&H, SV_IN_TERMINATE_CHILD, "b");
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "b"), "START b#2 REPLY 0");
    assert_int_equal(h_state(&H, "b"), SV_CHILD_RUNNING);
    h_admin(&H, SV_IN_TERMINATE_CHILD, "b");
    h_fail_start(&H, "b", 3, -ENOMEM, 1);
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "b"), "START b#3 REPLY -12");
    assert_int_equal(h_state(&H, "b"), SV_CHILD_STOPPED);
    assert_int_equal(sv_core_next_deadline(H.c), H.now); /* only c's retry */
}

static void delete_child_matrix(void **state)
{
    setup_running(SV_REST_FOR_ONE, "a b c");
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "a"), "REPLY -16");
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "x"), "REPLY -2");
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, NULL), "REPLY -22");
    h_fail_start(&H, "c", 2, -EAGAIN, 1);
    h_exit(&H, "c", SV_EXIT_PANIC);
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "c"), "REPLY -115");
    h_admin(&H, SV_IN_TERMINATE_CHILD, "b");
    uint32_t old = h_slot(&H, "b");
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "b"), "EV:child_removed b#1 FORGET b REPLY 0");
    assert_int_equal(h_state(&H, "b"), -1);
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "b"), "REPLY -2");
    assert_string_equal(h_start_child(&H, "b"), "START b#1 REPLY 0");
    assert_int_not_equal(H.acts[0].slot, old);
    assert_int_equal(h_index(&H, "b"), 2); /* appended: start order is creation order */
}

static void admin_does_not_count_toward_intensity(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    cfg.intensity = 0;
    h_setup(&H, &cfg, "a b");
    h_init(&H);
    h_fail_start(&H, "b", 0, -EAGAIN, 3);
    for (int k = 0; k < 20; k++) {
        h_admin(&H, SV_IN_TERMINATE_CHILD, "b");
        h_admin(&H, SV_IN_RESTART_CHILD, "b"); /* 3 of them fail: not restarts either */
    }
    assert_false(sv_core_done(H.c));
    assert_int_equal(h_state(&H, "a"), SV_CHILD_RUNNING);
    assert_int_equal(h_state(&H, "b"), SV_CHILD_RUNNING);
}

static void admin_outside_running(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    h_setup(&H, &cfg, "a b");
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "a"), "REPLY -11"); /* before INIT */
    assert_string_equal(h_start_child(&H, "z"), "REPLY -11");
    /* while busy (protocol violation): refused, nothing changes */
    sv_core_in in = h_in(SV_IN_INIT);
    sv_core_act a[SV_CORE_MAX_ACTIONS];
    assert_int_equal(h_step_raw(&H, &in, a), 1);
    assert_true(sv_core_busy(H.c));
    sv_core_in adm = h_in(SV_IN_TERMINATE_CHILD);
    adm.id = "a";
    assert_int_equal(h_step_raw(&H, &adm, a), 1);
    assert_int_equal(a[0].kind, SV_ACT_REPLY);
    assert_int_equal(a[0].err, -EBUSY);
    assert_true(sv_core_busy(H.c));
    sv_core_in r = h_in(SV_IN_START_RESULT);
    r.slot = h_slot(&H, "a");
    r.incarnation = 1;
    assert_int_equal(h_step_raw(&H, &r, a), 1);
    assert_int_equal(a[0].kind, SV_ACT_START);
    assert_int_equal(a[0].slot, h_slot(&H, "b"));
    h_teardown_core(&H);

    setup_running(SV_ONE_FOR_ONE, "a");
    h_shutdown(&H);
    assert_string_equal(h_start_child(&H, "z"), "REPLY -108");
    assert_string_equal(h_admin(&H, SV_IN_TERMINATE_CHILD, "a"), "REPLY -108");
    assert_string_equal(h_admin(&H, SV_IN_RESTART_CHILD, "a"), "REPLY -108");
    assert_string_equal(h_admin(&H, SV_IN_DELETE_CHILD, "a"), "REPLY -108");
}

/* ---- auto_shutdown ------------------------------------------------------------- */

static void auto_shutdown_any_significant(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.auto_shutdown = SV_AUTO_ANY_SIGNIFICANT;
    h_setup(&H, &cfg, "a s:trans:sig c");
    h_init(&H);
    assert_string_equal(h_exit(&H, "s", SV_EXIT_PANIC), "LOG s#1 EV:restart s#1 STOP s#1 START s#2 EV:restarted s#2");
    assert_string_equal(h_exit(&H, "s", SV_EXIT_NORMAL),
                        "STOP s#2 EV:auto_shutdown STOP c#1 STOP a#1 EXIT shutdown");
    assert_true(sv_core_done(H.c));
    h_teardown_core(&H);

    h_setup(&H, &cfg, "a t:temp:sig");
    h_init(&H);
    assert_string_equal(h_exit(&H, "t", SV_EXIT_ERROR),
                        "LOG t#1 STOP t#1 EV:child_removed t#1 FORGET t EV:auto_shutdown STOP a#1 EXIT shutdown");
}

static void auto_shutdown_all_significant(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.auto_shutdown = SV_AUTO_ALL_SIGNIFICANT;
    h_setup(&H, &cfg, "a s1:trans:sig s2:temp:sig");
    h_init(&H);
    assert_string_equal(h_exit(&H, "s1", SV_EXIT_SHUTDOWN), "STOP s1#1");
    assert_false(sv_core_done(H.c));
    assert_string_equal(h_exit(&H, "s2", SV_EXIT_NORMAL),
                        "STOP s2#1 EV:child_removed s2#1 FORGET s2 EV:auto_shutdown STOP a#1 EXIT shutdown");
}

static void auto_shutdown_all_counts_restarting_as_active(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.auto_shutdown = SV_AUTO_ALL_SIGNIFICANT;
    h_setup(&H, &cfg, "a s1:trans:sig s2:trans:sig");
    h_init(&H);
    h_fail_start(&H, "s1", 2, -EAGAIN, 1);
    h_exit(&H, "s1", SV_EXIT_PANIC);
    assert_int_equal(h_state(&H, "s1"), SV_CHILD_RESTARTING);
    assert_string_equal(h_exit(&H, "s2", SV_EXIT_NORMAL), "STOP s2#1");
    assert_false(sv_core_done(H.c));
    assert_string_equal(h_timer(&H), "START s1#3 EV:restarted s1#3");
    assert_string_equal(h_exit(&H, "s1", SV_EXIT_NORMAL),
                        "STOP s1#3 EV:auto_shutdown STOP a#1 EXIT shutdown");
}

static void auto_shutdown_ignores_other_exits(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ALL);
    cfg.auto_shutdown = SV_AUTO_ANY_SIGNIFICANT;
    h_setup(&H, &cfg, "a:trans s:temp:sig");
    h_init(&H);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_NORMAL), "STOP a#1"); /* not significant */
    h_teardown_core(&H);
    /* a significant temporary removed as a bystander does not trigger it (OTP) */
    h_setup(&H, &cfg, "a s:temp:sig");
    h_init(&H);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC),
                        "LOG a#1 EV:restart a#1 STOP s#1 EV:child_removed s#1 FORGET s STOP a#1 "
                        "START a#2 EV:restarted a#2");
    assert_false(sv_core_done(H.c));
    h_teardown_core(&H);
    cfg.auto_shutdown = SV_AUTO_NEVER; /* significant is then inert */
    h_setup(&H, &cfg, "a s:temp:sig");
    h_init(&H);
    assert_string_equal(h_exit(&H, "s", SV_EXIT_NORMAL), "STOP s#1 EV:child_removed s#1 FORGET s");
    assert_false(sv_core_done(H.c));
}

/* ---- config validation, NULLs, invalid inputs ------------------------------------ */

static int new_with(sv_core_cfg cfg, sv_core_child *kids, size_t n)
{
    sv_core *c = NULL;
    int rc = sv_core_new(&cfg, kids, n, &c);
    sv_core_free(c);
    return rc;
}

static void new_validates_config(void **state)
{
    sv_core_cfg ok = h_cfg(SV_ONE_FOR_ONE);
    sv_core_child k[2] = {h_child("a"), h_child("b")};
    sv_core *c = NULL;
    assert_int_equal(sv_core_new(NULL, k, 2, &c), -EINVAL);
    assert_int_equal(sv_core_new(&ok, k, 2, NULL), -EINVAL);
    assert_int_equal(sv_core_new(&ok, NULL, 2, &c), -EINVAL);
    assert_int_equal(new_with(ok, k, 2), 0);
    assert_int_equal(new_with(ok, NULL, 0), 0);
    sv_core_cfg bad = ok;
    bad.strategy = (sv_strategy)3;
    assert_int_equal(new_with(bad, k, 2), -EINVAL);
    bad = ok;
    bad.auto_shutdown = (sv_auto_shutdown)-1;
    assert_int_equal(new_with(bad, k, 2), -EINVAL);
    bad = ok;
    bad.backoff_jitter_pct = 101;
    assert_int_equal(new_with(bad, k, 2), -EINVAL);

    sv_core_child d[2] = {h_child("a"), h_child("a")};
    assert_int_equal(new_with(ok, d, 2), -EINVAL); /* duplicate id */
    d[1] = h_child("");
    assert_int_equal(new_with(ok, d, 2), -EINVAL); /* empty id */
    d[1] = h_child("b");
    memset(d[1].id, 'b', sizeof d[1].id);
    assert_int_equal(new_with(ok, d, 2), -EINVAL); /* unterminated id */
    d[1] = h_child("b:perm:sig");
    assert_int_equal(new_with(ok, d, 2), -EINVAL); /* significant permanent (OTP) */
    d[1] = h_child("b");
    d[1].shutdown = (sv_shutdown)7;
    assert_int_equal(new_with(ok, d, 2), -EINVAL);
    d[1] = h_child("b");
    d[1].restart = (sv_restart)-3;
    assert_int_equal(new_with(ok, d, 2), -EINVAL);
    d[1] = h_child("b:trans:sig");
    assert_int_equal(new_with(ok, d, 2), 0); /* significant with auto_shutdown never: inert */
    char longest[SV_ID_MAX];
    memset(longest, 'x', sizeof longest - 1);
    longest[SV_ID_MAX - 1] = '\0';
    d[1] = h_child(longest);
    assert_int_equal(new_with(ok, d, 2), 0);
}

static void null_and_range_safety(void **state)
{
    sv_core_act a[SV_CORE_MAX_ACTIONS];
    sv_core_in in = h_in(SV_IN_INIT);
    assert_int_equal(sv_core_step(NULL, &in, 0, a), 0);
    assert_false(sv_core_busy(NULL));
    assert_false(sv_core_done(NULL));
    assert_int_equal(sv_core_next_deadline(NULL), SV_FOREVER);
    assert_int_equal(sv_core_nchildren(NULL), 0);
    assert_int_equal(sv_core_child_at(NULL, 0, NULL, NULL, NULL, NULL), -ENOENT);
    assert_null(sv_core_child_spec(NULL, 0));
    sv_core_free(NULL);
    setup_running(SV_ONE_FOR_ONE, "a");
    assert_int_equal(sv_core_step(H.c, NULL, 0, a), 0);
    assert_int_equal(sv_core_step(H.c, &in, 0, NULL), 0);
    assert_int_equal(sv_core_child_at(H.c, 1, NULL, NULL, NULL, NULL), -ENOENT);
    assert_int_equal(sv_core_child_at(H.c, 0, NULL, NULL, NULL, NULL), 0);
    assert_null(sv_core_child_spec(H.c, 1));
    assert_string_equal(sv_core_child_spec(H.c, 0)->id, "a");
}

static void invalid_inputs_are_ignored(void **state)
{
    setup_running(SV_ONE_FOR_ONE, "a b");
    assert_string_equal(h_init(&H), ""); /* INIT twice */
    sv_core_in in = h_in(SV_IN_START_RESULT);
    in.slot = h_slot(&H, "a");
    in.incarnation = 1;
    assert_string_equal(h_feed(&H, &in), ""); /* nobody asked */
    in.kind = SV_IN_STOP_RESULT;
    assert_string_equal(h_feed(&H, &in), "");
    in.kind = (sv_core_in_kind)42;
    assert_string_equal(h_feed(&H, &in), "");
    in.kind = (sv_core_in_kind)-1;
    assert_string_equal(h_feed(&H, &in), "");
    in = h_in(SV_IN_EXIT);
    in.slot = 99; /* never existed */
    in.incarnation = 1;
    in.reason = SV_EXIT_PANIC;
    assert_string_equal(h_feed(&H, &in), "");
    in.slot = UINT32_MAX;
    assert_string_equal(h_feed(&H, &in), "");
    assert_string_equal(h_timer(&H), "");
    /* the state is untouched */
    assert_int_equal(h_state(&H, "a"), SV_CHILD_RUNNING);
    assert_int_equal(h_inc(&H, "a"), 1);
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC), "LOG a#1 EV:restart a#1 STOP a#1 START a#2 EV:restarted a#2");

    /* a wrong answer while busy changes nothing; the right one proceeds */
    sv_core_act a[SV_CORE_MAX_ACTIONS];
    in = h_in(SV_IN_EXIT);
    in.slot = h_slot(&H, "b");
    in.incarnation = 1;
    in.reason = SV_EXIT_ERROR;
    assert_int_equal(h_step_raw(&H, &in, a), 3); /* LOG, EV:restart, STOP b#1 */
    sv_core_in r = h_in(SV_IN_STOP_RESULT);
    r.slot = in.slot;
    r.incarnation = 2;
    assert_int_equal(h_step_raw(&H, &r, a), 0);
    r.incarnation = 1;
    r.kind = SV_IN_START_RESULT;
    assert_int_equal(h_step_raw(&H, &r, a), 0);
    sv_core_in sd = h_in(SV_IN_SHUTDOWN);
    assert_int_equal(h_step_raw(&H, &sd, a), 0); /* not fed while busy, by protocol */
    assert_true(sv_core_busy(H.c));
    r.kind = SV_IN_STOP_RESULT;
    assert_int_equal(h_step_raw(&H, &r, a), 1);
    assert_int_equal(a[0].kind, SV_ACT_START);
    assert_int_equal(a[0].incarnation, 2);
}

/* ---- allocation failures ------------------------------------------------------------- */

static void new_allocation_fault_sweep(void **state)
{
    sv_core_cfg cfg = h_cfg(SV_ONE_FOR_ONE);
    cfg.intensity = 5;
    sv_core_child k[3] = {h_child("a"), h_child("b"), h_child("c")};
    long failures = 0;
    for (long n = 0;; n++) {
        h_fail_alloc(n);
        sv_core *c = NULL;
        int rc = sv_core_new(&cfg, k, 3, &c);
        if (rc == 0) {
            sv_core_free(c);
            break;
        }
        assert_int_equal(rc, -ENOMEM);
        assert_null(c);
        assert_int_equal(h_live, 0); /* nothing leaked */
        failures++;
        assert_true(n < 100);
    }
    h_fail_alloc(-1);
    assert_int_equal(failures, 4); /* core, table, intensity ring, id index */
    assert_int_equal(h_live, 0);
}

static void start_child_allocation_failure_changes_nothing(void **state)
{
    setup_running(SV_ONE_FOR_ALL, "a b c d"); /* table full: start_child must grow it */
    h_fail_alloc(0);
    assert_string_equal(h_start_child(&H, "e"), "REPLY -12");
    h_fail_alloc(-1);
    assert_int_equal(sv_core_nchildren(H.c), 4);
    assert_int_equal(h_state(&H, "e"), -1);
    assert_false(sv_core_busy(H.c));
    assert_string_equal(h_start_child(&H, "e"), "START e#1 REPLY 0");
    assert_int_equal(H.acts[0].slot, 4); /* the failed request did not use up a slot */
    assert_string_equal(h_exit(&H, "a", SV_EXIT_PANIC),
                        "LOG a#1 EV:restart a#1 STOP e#1 STOP d#1 STOP c#1 STOP b#1 STOP a#1 "
                        "START a#2 EV:restarted a#2 START b#2 EV:restarted b#2 START c#2 EV:restarted c#2 "
                        "START d#2 EV:restarted d#2 START e#2 EV:restarted e#2");
    for (int k = 0; k < 40; k++) { /* growth keeps order and slots */
        char id[16];
        snprintf(id, sizeof id, "x%d", k);
        char want[64];
        snprintf(want, sizeof want, "START %s#1 REPLY 0", id);
        assert_string_equal(h_start_child(&H, id), want);
    }
    assert_int_equal(h_index(&H, "x39"), 44);
}

/* ---- random walk ------------------------------------------------------------------------- */

static const char *pool[] = {"a", "b", "c", "d", "e", "f", "zz"};

static void random_config(uint64_t *rng, h_t *h)
{
    sv_core_cfg cfg = h_cfg((sv_strategy)h_rand(h, 3));
    cfg.intensity = (uint32_t)(h_rand(h, 2) ? h_rand(h, 6) : 50 + h_rand(h, 100)); /* short or long runs */
    cfg.period_ms = (uint32_t)h_rand(h, 3000);
    if (h_rand(h, 2)) {
        cfg.backoff_min_ms = 1 + (uint32_t)h_rand(h, 100);
        cfg.backoff_max_ms = (uint32_t)h_rand(h, 1000);
        cfg.backoff_jitter_pct = (uint32_t)h_rand(h, 101);
    }
    cfg.auto_shutdown = (sv_auto_shutdown)h_rand(h, 3);
    cfg.seed = *rng;
    char spec[256] = "";
    size_t n = h_rand(h, 6);
    for (size_t i = 0; i < n; i++) {
        static const char *kind[] = {"", ":trans", ":temp", ":trans:sig", ":temp:sig"};
        size_t len = strlen(spec);
        snprintf(spec + len, sizeof spec - len, "%s%s ", pool[i], kind[h_rand(h, 5)]);
    }
    uint64_t chaos = h->chaos;
    h_setup(h, &cfg, spec);
    h->chaos = chaos;
}

/* Checks the core's view against the harness's: RUNNING iff the harness
 * holds that incarnation live; anything RESTARTING has a retry pending. */
static void check_views(h_t *h)
{
    size_t n = sv_core_nchildren(h->c);
    bool pending = false;
    for (size_t i = 0; i < n; i++) {
        uint32_t slot, inc;
        sv_child_state st;
        assert_int_equal(sv_core_child_at(h->c, i, &slot, NULL, &st, &inc), 0);
        if (st == SV_CHILD_RUNNING)
            assert_int_equal(h->live[slot], inc);
        else
            assert_int_equal(h->live[slot], 0);
        pending |= st == SV_CHILD_RESTARTING || st == SV_CHILD_UNSTOPPED;
    }
    if (pending && sv_core_next_deadline(h->c) == SV_FOREVER)
        fail_msg("a child waits for a retry that nothing schedules; trace: %s", h->trace);
}

static void random_walk_keeps_protocol(void **state)
{
    const char *fl = getenv("FL_FLAVOUR");
    int seeds = fl && !strcmp(fl, "tsan") ? 200 : 1000;
    for (int seed = 1; seed <= seeds; seed++) {
        H.chaos = (uint64_t)seed * 7919;
        uint64_t rng = (uint64_t)seed;
        random_config(&rng, &H);
        uint64_t chaos = H.chaos;
        if (seed % 4)
            H.chaos = 0; /* most runs get past INIT; the others test its failures */
        h_init(&H);
        H.chaos = chaos;
        for (int step = 0; step < 400 && !sv_core_done(H.c); step++) {
            H.now += (int64_t)h_rand(&H, 4) * MS(50);
            const char *id = pool[h_rand(&H, 7)];
            uint64_t pick = h_rand(&H, 1000);
            if (pick < 450) {
                sv_core_in in = h_in(SV_IN_EXIT);
                in.slot = (uint32_t)h_rand(&H, 12);
                int i = in.slot < H_SLOTS && H.names[in.slot][0] ? h_index(&H, H.names[in.slot]) : -1;
                uint32_t cur = 0;
                if (i >= 0)
                    sv_core_child_at(H.c, (size_t)i, NULL, NULL, NULL, &cur);
                in.incarnation = h_rand(&H, 5) ? cur : (uint32_t)h_rand(&H, cur + 2);
                in.reason = (int)h_rand(&H, 8) - 1;
                /* a real worker ends once: only feed the live one's end once */
                if (in.slot < H_SLOTS && in.incarnation == H.live[in.slot] && in.incarnation)
                    h_feed(&H, &in);
                else if (h_rand(&H, 4) == 0)
                    h_feed(&H, &in); /* stale or invalid */
            } else if (pick < 700) {
                h_timer(&H);
            } else if (pick < 780) {
                h_start_child(&H, h_rand(&H, 2) ? id : "zz:temp");
            } else if (pick < 840) {
                h_admin(&H, SV_IN_TERMINATE_CHILD, id);
            } else if (pick < 900) {
                h_admin(&H, SV_IN_RESTART_CHILD, id);
            } else if (pick < 965) {
                h_admin(&H, SV_IN_DELETE_CHILD, id);
            } else if (pick < 968) {
                h_shutdown(&H);
            } else {
                sv_core_in in = h_in((sv_core_in_kind)h_rand(&H, 12));
                in.slot = (uint32_t)h_rand(&H, 8);
                in.incarnation = (uint32_t)h_rand(&H, 4);
                in.err = -EAGAIN;
                const char *t = h_feed(&H, &in);
                if (in.kind == SV_IN_START_RESULT || in.kind == SV_IN_STOP_RESULT)
                    assert_string_equal(t, ""); /* not busy: nobody asked */
            }
            check_views(&H);
        }
        if (!sv_core_done(H.c))
            h_shutdown(&H);
        assert_true(sv_core_done(H.c));
        h_teardown_core(&H);
        assert_int_equal(h_live, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(start_child_appends_and_starts, h_teardown),
        cmocka_unit_test_teardown(start_child_error_matrix, h_teardown),
        cmocka_unit_test_teardown(start_child_failure_discards_spec, h_teardown),
        cmocka_unit_test_teardown(terminate_child_matrix, h_teardown),
        cmocka_unit_test_teardown(terminate_restarting_child_cancels_retry, h_teardown),
        cmocka_unit_test_teardown(terminate_group_head_stops_waiting_members, h_teardown),
        cmocka_unit_test_teardown(restart_child_matrix, h_teardown),
        cmocka_unit_test_teardown(delete_child_matrix, h_teardown),
        cmocka_unit_test_teardown(admin_does_not_count_toward_intensity, h_teardown),
        cmocka_unit_test_teardown(admin_outside_running, h_teardown),
        cmocka_unit_test_teardown(auto_shutdown_any_significant, h_teardown),
        cmocka_unit_test_teardown(auto_shutdown_all_significant, h_teardown),
        cmocka_unit_test_teardown(auto_shutdown_all_counts_restarting_as_active, h_teardown),
        cmocka_unit_test_teardown(auto_shutdown_ignores_other_exits, h_teardown),
        cmocka_unit_test_teardown(new_validates_config, h_teardown),
        cmocka_unit_test_teardown(null_and_range_safety, h_teardown),
        cmocka_unit_test_teardown(invalid_inputs_are_ignored, h_teardown),
        cmocka_unit_test_teardown(new_allocation_fault_sweep, h_teardown),
        cmocka_unit_test_teardown(start_child_allocation_failure_changes_nothing, h_teardown),
        cmocka_unit_test_teardown(random_walk_keeps_protocol, h_teardown),
    };
    return cmocka_run_group_tests_name("core_admin", tests, h_plat_bind, h_plat_unbind);
}
