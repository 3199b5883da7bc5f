/*
 * test_core_simple.c — the pure core's simple_one_for_one instances, the
 * "ignore" start result, and tombstone removal with the id index, driven
 * step by step through sv_core_step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core.h"
#include "sv_plat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static sv_core_act A[SV_CORE_MAX_ACTIONS];

static sv_core_child kid(const char *id, sv_restart r)
{
    sv_core_child c;
    memset(&c, 0, sizeof c);
    snprintf(c.id, sizeof c.id, "%s", id);
    c.restart = r;
    c.shutdown_ms = 100;
    return c;
}

static size_t step(sv_core *c, sv_core_in in)
{
    return sv_core_step(c, &in, 0, A);
}

static sv_core *simple_core(sv_restart r)
{
    sv_core_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.intensity = 3;
    cfg.period_ms = 1000;
    cfg.simple = true;
    sv_core_child t = kid("tmpl", r);
    sv_core *c = NULL;
    assert_int_equal(sv_core_new(&cfg, &t, 1, &c), 0);
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_INIT }), 1);
    assert_int_equal(A[0].kind, SV_ACT_REPLY);
    assert_int_equal(sv_core_nchildren(c), 0);
    return c;
}

/* START_CHILD without a spec: START of a new slot; answered ok → REPLY 0. */
static uint32_t start_instance(sv_core *c)
{
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_START_CHILD }), 1);
    assert_int_equal(A[0].kind, SV_ACT_START);
    uint32_t slot = A[0].slot;
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_START_RESULT, .slot = slot, .incarnation = 1 }), 1);
    assert_int_equal(A[0].kind, SV_ACT_REPLY);
    assert_int_equal(A[0].err, 0);
    return slot + 1;
}

static void simple_config_is_validated(void **state)
{
    sv_core_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.simple = true;
    sv_core_child k[2] = { kid("a", SV_PERMANENT), kid("b", SV_PERMANENT) };
    sv_core *c = NULL;
    assert_int_equal(sv_core_new(&cfg, k, 2, &c), -EINVAL); /* one template only */
    assert_int_equal(sv_core_new(&cfg, k, 0, &c), -EINVAL);
    cfg.strategy = SV_ONE_FOR_ALL;
    assert_int_equal(sv_core_new(&cfg, k, 1, &c), -EINVAL); /* instances restart one_for_one */
    assert_null(c);
}

static void instances_admin_matrix(void **state)
{
    sv_core *c = simple_core(SV_PERMANENT);
    uint32_t i1 = start_instance(c), i2 = start_instance(c);
    assert_int_equal(i1, 1);
    assert_int_equal(i2, 2);
    assert_int_equal(sv_core_nchildren(c), 2);
    const sv_core_child *spec;
    assert_int_equal(sv_core_child_at(c, 1, NULL, &spec, NULL, NULL), 0);
    assert_string_equal(spec->id, "tmpl");

    sv_core_child other = kid("x", SV_PERMANENT);
    static const sv_core_in_kind by_id[] = { SV_IN_TERMINATE_CHILD, SV_IN_RESTART_CHILD, SV_IN_DELETE_CHILD };
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_START_CHILD, .child = &other }), 1);
    assert_int_equal(A[0].err, -EOPNOTSUPP);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(step(c, (sv_core_in){ .kind = by_id[k], .id = "tmpl" }), 1);
        assert_int_equal(A[0].kind, SV_ACT_REPLY);
        assert_int_equal(A[0].err, -EOPNOTSUPP);
    }
    /* terminate by instance: STOP, then removed (never kept stopped) */
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_TERMINATE_CHILD, .instance = i1 }), 1);
    assert_int_equal(A[0].kind, SV_ACT_STOP);
    assert_int_equal(A[0].slot, i1 - 1);
    size_t n = step(c, (sv_core_in){ .kind = SV_IN_STOP_RESULT, .slot = i1 - 1, .incarnation = 1 });
    assert_int_equal(n, 3);
    assert_int_equal(A[0].event, SV_EV_CHILD_REMOVED);
    assert_int_equal(A[1].kind, SV_ACT_FORGET);
    assert_int_equal(A[2].err, 0);
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_TERMINATE_CHILD, .instance = i1 }), 1);
    assert_int_equal(A[0].err, -SV_ENOT_FOUND);
    assert_int_equal(sv_core_nchildren(c), 1);
    sv_core_free(c);
}

static void instance_restarts_alone_and_transient_normal_end_removes(void **state)
{
    sv_core *c = simple_core(SV_TRANSIENT);
    uint32_t i1 = start_instance(c), i2 = start_instance(c);
    /* crash of i2: restart of i2 only */
    size_t n = step(c, (sv_core_in){ .kind = SV_IN_EXIT, .slot = i2 - 1, .incarnation = 1,
                                     .reason = SV_EXIT_PANIC });
    assert_int_equal(A[n - 1].kind, SV_ACT_STOP);
    assert_int_equal(A[n - 1].slot, i2 - 1);
    n = step(c, (sv_core_in){ .kind = SV_IN_STOP_RESULT, .slot = i2 - 1, .incarnation = 1 });
    assert_int_equal(A[n - 1].kind, SV_ACT_START);
    assert_int_equal(A[n - 1].slot, i2 - 1);
    assert_int_equal(A[n - 1].incarnation, 2);
    step(c, (sv_core_in){ .kind = SV_IN_START_RESULT, .slot = i2 - 1, .incarnation = 2 });
    /* normal end of transient i1: joined, then removed */
    n = step(c, (sv_core_in){ .kind = SV_IN_EXIT, .slot = i1 - 1, .incarnation = 1, .reason = SV_EXIT_NORMAL });
    assert_int_equal(A[n - 1].kind, SV_ACT_STOP);
    n = step(c, (sv_core_in){ .kind = SV_IN_STOP_RESULT, .slot = i1 - 1, .incarnation = 1 });
    assert_int_equal(n, 2);
    assert_int_equal(A[0].event, SV_EV_CHILD_REMOVED);
    assert_int_equal(A[1].kind, SV_ACT_FORGET);
    assert_int_equal(sv_core_nchildren(c), 1);
    sv_core_free(c);
}

static void ignored_start_drops_instance_keeps_static_child(void **state)
{
    sv_core *c = simple_core(SV_PERMANENT);
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_START_CHILD }), 1);
    uint32_t slot = A[0].slot;
    size_t n = step(c, (sv_core_in){ .kind = SV_IN_START_RESULT, .slot = slot, .incarnation = 1, .ignored = true });
    assert_int_equal(n, 2);
    assert_int_equal(A[0].kind, SV_ACT_FORGET); /* never ran: no child_removed */
    assert_int_equal(A[1].err, 0);
    assert_int_equal(sv_core_nchildren(c), 0);
    sv_core_free(c);

    sv_core_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.intensity = 1;
    cfg.period_ms = 1000;
    sv_core_child k[2] = { kid("a", SV_PERMANENT), kid("b", SV_PERMANENT) };
    assert_int_equal(sv_core_new(&cfg, k, 2, &c), 0);
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_INIT }), 1);
    step(c, (sv_core_in){ .kind = SV_IN_START_RESULT, .slot = 0, .incarnation = 1, .ignored = true });
    assert_int_equal(A[0].kind, SV_ACT_START); /* init goes on with b */
    assert_int_equal(A[0].slot, 1);
    step(c, (sv_core_in){ .kind = SV_IN_START_RESULT, .slot = 1, .incarnation = 1 });
    assert_int_equal(A[0].kind, SV_ACT_REPLY);
    assert_int_equal(A[0].err, 0);
    sv_child_state st;
    assert_int_equal(sv_core_child_at(c, 0, NULL, NULL, &st, NULL), 0);
    assert_int_equal(st, SV_CHILD_STOPPED);
    assert_int_equal(sv_core_next_deadline(c), SV_FOREVER); /* no retry */
    sv_core_free(c);
}

/* Removal in start order of many temporary children: ids stay findable,
 * order and views stay right across compactions. */
static void removal_in_start_order_keeps_index_and_order(void **state)
{
    sv_core_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.period_ms = 1000;
    sv_core *c = NULL;
    assert_int_equal(sv_core_new(&cfg, NULL, 0, &c), 0);
    step(c, (sv_core_in){ .kind = SV_IN_INIT });
    enum { N = 300 };
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "k%d", i);
        sv_core_child k = kid(id, SV_TEMPORARY);
        assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_START_CHILD, .child = &k }), 1);
        step(c, (sv_core_in){ .kind = SV_IN_START_RESULT, .slot = A[0].slot, .incarnation = 1 });
    }
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "k%d", i);
        assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_TERMINATE_CHILD, .id = id }), 1);
        assert_int_equal(A[0].kind, SV_ACT_STOP);
        assert_int_equal(A[0].slot, (uint32_t)i);
        step(c, (sv_core_in){ .kind = SV_IN_STOP_RESULT, .slot = (uint32_t)i, .incarnation = 1 });
        assert_int_equal(sv_core_nchildren(c), (size_t)(N - 1 - i));
        if (i + 1 < N) { /* the next one is first in start order, and found by id */
            uint32_t slot;
            const sv_core_child *spec;
            assert_int_equal(sv_core_child_at(c, 0, &slot, &spec, NULL, NULL), 0);
            assert_int_equal(slot, (uint32_t)i + 1);
            size_t pos = 0, seen = 0;
            while (sv_core_child_next(c, &pos, NULL, NULL, NULL, NULL) == 0) seen++;
            assert_int_equal(seen, (size_t)(N - 1 - i));
        }
        assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_DELETE_CHILD, .id = id }), 1);
        assert_int_equal(A[0].err, -SV_ENOT_FOUND); /* removed ids are gone from the index */
    }
    sv_core_child again = kid("k0", SV_PERMANENT);
    assert_int_equal(step(c, (sv_core_in){ .kind = SV_IN_START_CHILD, .child = &again }), 1);
    assert_int_equal(A[0].slot, N); /* slots are never reused */
    sv_core_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_config_is_validated),
        cmocka_unit_test(instances_admin_matrix),
        cmocka_unit_test(instance_restarts_alone_and_transient_normal_end_removes),
        cmocka_unit_test(ignored_start_drops_instance_keeps_static_child),
        cmocka_unit_test(removal_in_start_order_keeps_index_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
