/*
 * test_schedule.c — the fl1: schedule string: round trips, canonical form,
 * and every kind of bad input (truncated, corrupted, wrong version, garbage)
 * rejected with a column-precise message and no crash.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched/fl_sched.h"

static fl_sched_schedule sample(void)
{
    fl_sched_schedule sc;
    memset(&sc, 0, sizeof sc);
    sc.strategy = FL_SCHED_STRAT_PCT;
    sc.seed = 17;
    sc.depth = 3;
    sc.pct_k = 100;
    sc.end = FL_SCHED_DEADLOCK;
    sc.preemptions = 2;
    for (int i = 0; i < 3; i++) assert_int_equal(fl_sched_schedule_push(&sc, 0), 0);
    assert_int_equal(fl_sched_schedule_push(&sc, 1), 0);
    for (int i = 0; i < 20; i++) assert_int_equal(fl_sched_schedule_push(&sc, 2), 0);
    assert_int_equal(fl_sched_schedule_push(&sc, 300), 0);
    return sc;
}

static void only_safe_chars(const char *s)
{
    for (const char *p = s; *p; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == ':';
        if (!ok) fail_msg("unsafe byte 0x%02x in %s", (unsigned char)*p, s);
    }
}

static void test_push_and_switches(void **st)
{
    (void)st;
    fl_sched_schedule sc = sample();
    assert_int_equal(sc.nruns, 4);
    assert_int_equal(sc.steps, 25);
    assert_int_equal(sc.runs[2].tid, 2);
    assert_int_equal(sc.runs[2].len, 20);
    assert_int_equal(fl_sched_schedule_switches(&sc), 3);
    fl_sched_schedule_free(&sc);
    assert_null(sc.runs);
    assert_int_equal(sc.nruns, 0);
    fl_sched_schedule_free(NULL);
}

static void test_round_trip(void **st)
{
    (void)st;
    fl_sched_schedule sc = sample();
    char *s = fl_sched_schedule_format(&sc);
    assert_non_null(s);
    /* header: strategy, seed 17 = "h", depth 3, k 100 = "34", flags = end<<2 = 4, preemptions 2 */
    assert_int_equal(strncmp(s, "fl1:pct.h.3.34.4.2.", 19), 0);
    /* choices: (0,len-1=2) (1,0) (2,19 = VLQ "j1") (300 = VLQ "sih"... ,0) */
    assert_int_equal(strncmp(s + 19, "0210", 4), 0);
    only_safe_chars(s);
    fl_sched_schedule back;
    char err[128];
    assert_int_equal(fl_sched_schedule_parse(s, &back, err, sizeof err), 0);
    assert_int_equal(back.strategy, FL_SCHED_STRAT_PCT);
    assert_int_equal(back.seed, 17);
    assert_int_equal(back.depth, 3);
    assert_int_equal(back.pct_k, 100);
    assert_int_equal(back.flags, 0);
    assert_int_equal(back.end, FL_SCHED_DEADLOCK);
    assert_int_equal(back.preemptions, 2);
    assert_int_equal(back.nruns, sc.nruns);
    assert_int_equal(back.steps, sc.steps);
    for (size_t i = 0; i < sc.nruns; i++) {
        assert_int_equal(back.runs[i].tid, sc.runs[i].tid);
        assert_int_equal(back.runs[i].len, sc.runs[i].len);
    }
    char *again = fl_sched_schedule_format(&back);
    assert_string_equal(again, s);
    free(again);
    fl_sched_schedule_free(&back);
    free(s);
    fl_sched_schedule_free(&sc);
}

static void test_extremes_round_trip(void **st)
{
    (void)st;
    fl_sched_schedule sc;
    memset(&sc, 0, sizeof sc);
    sc.strategy = FL_SCHED_STRAT_RANDOM;
    sc.seed = UINT64_MAX;
    sc.flags = FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED;
    sc.end = FL_SCHED_BUDGET;
    sc.preemptions = UINT64_MAX;
    fl_sched_schedule_run runs[2] = { { FL_SCHED_SCHEDULE_MAX_THREAD, (uint64_t)1 << 39 }, { 0, 1 } };
    sc.runs = runs;
    sc.nruns = 2;
    char *s = fl_sched_schedule_format(&sc);
    assert_non_null(s);
    only_safe_chars(s);
    fl_sched_schedule back;
    char err[128];
    assert_int_equal(fl_sched_schedule_parse(s, &back, err, sizeof err), 0);
    assert_true(back.seed == UINT64_MAX);
    assert_true(back.preemptions == UINT64_MAX);
    assert_int_equal(back.flags, FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED);
    assert_int_equal(back.end, FL_SCHED_BUDGET);
    assert_int_equal(back.runs[0].tid, FL_SCHED_SCHEDULE_MAX_THREAD);
    assert_true(back.runs[0].len == (uint64_t)1 << 39);
    fl_sched_schedule_free(&back);
    free(s);
    /* not encodable: a zero-length run, a thread id out of range, depth for random */
    runs[1].len = 0;
    assert_null(fl_sched_schedule_format(&sc));
    runs[1].len = 1;
    runs[1].tid = FL_SCHED_SCHEDULE_MAX_THREAD + 1;
    assert_null(fl_sched_schedule_format(&sc));
    runs[1].tid = 0;
    sc.depth = 2;
    assert_null(fl_sched_schedule_format(&sc));
}

static void test_empty_choice_list(void **st)
{
    (void)st;
    fl_sched_schedule sc;
    memset(&sc, 0, sizeof sc);
    sc.strategy = FL_SCHED_STRAT_RR;
    char *s = fl_sched_schedule_format(&sc);
    assert_non_null(s);
    fl_sched_schedule back;
    assert_int_equal(fl_sched_schedule_parse(s, &back, NULL, 0), 0);
    assert_int_equal(back.nruns, 0);
    assert_int_equal(back.steps, 0);
    fl_sched_schedule_free(&back);
    free(s);
}

/* parse must fail with -EINVAL, leave *out empty, and say "schedule:1:COL: …". */
static void expect_error(const char *s, int col, const char *needle)
{
    fl_sched_schedule sc;
    char err[256];
    int rc = fl_sched_schedule_parse(s, &sc, err, sizeof err);
    if (rc != -EINVAL) fail_msg("\"%s\" parsed (rc %d)", s, rc);
    assert_null(sc.runs);
    assert_int_equal(sc.nruns, 0);
    char want[32];
    snprintf(want, sizeof want, "schedule:1:%d: ", col);
    if (col > 0 && strncmp(err, want, strlen(want)) != 0) fail_msg("\"%s\": got \"%s\", want prefix \"%s\"", s, err, want);
    if (col == 0 && strncmp(err, "schedule:1:", 11) != 0) fail_msg("\"%s\": got \"%s\"", s, err);
    if (needle && !strstr(err, needle)) fail_msg("\"%s\": \"%s\" lacks \"%s\"", s, err, needle);
}

static void test_clear_errors(void **st)
{
    (void)st;
    expect_error("", 1, "expected 'fl1:'");
    expect_error("hello", 1, "expected 'fl1:'");
    expect_error("fl2:pct.h.3.34.0.2.00.0000000", 3, "unsupported schedule version fl2:");
    expect_error("fl01:pct", 3, "leading zero");
    expect_error("fl1", 4, "expected ':'");
    expect_error("fl1:", 5, "expected strategy");
    expect_error("fl1:magic.0.0.0.0.0..0000000", 5, "unknown strategy 'magic'");
    expect_error("fl1:pct", 8, "expected '.' after strategy");
    expect_error("fl1:pct.", 9, "expected base-32 digit");
    expect_error("fl1:pct.h.3.3x", 14, "expected '.' after k");
    expect_error("fl1:pct.W.3", 9, "expected base-32 digit (0-9, a-v) for seed, got 'W'");
    expect_error("fl1:pct.0h.3", 9, "leading zero");
    expect_error("fl1:random.0.3.0.0.0..0000000", 14, "depth and k must be 0");
    expect_error("fl1:rr.0.0.0.w", 14, "got 'w'");
    expect_error("fl1:rr.0.0.0.0.0.0", 19, "expected run length after thread id 0");
    expect_error("fl1:rr.0.0.0.0.0.0x", 19, "expected base-32 digit for run length, got 'x'");
    expect_error("fl1:rr.0.0.0.0.0.0g", 20, "to continue");
    expect_error("fl1:rr.0.0.0.0.0.0000", 20, "repeats the previous run");
    expect_error("fl1:rr.0.0.0.0.0.00", 20, "unexpected end of schedule in the choice list");
    expect_error("fl1:rr.0.0.0.0.0.00.123", 24, "expected base-32 digit in checksum");
    expect_error("fl1:rr.0.0.0.0.0.00.0000000", 21, "checksum mismatch");
    expect_error("fl1:rr.0.0.0.c.0.", 14, "flags name an unknown end status");
    expect_error("fl1:rr.0.0.0.0.0.vvvvvvvvvvvvvvvvvvv0", 18, "thread id out of range");
    expect_error("fl1:rr.0.0.0.0.0.gggg10", 18, "thread id 65536 out of range");
    expect_error("fl1:rr.0.0.0.0.0.0g0", 20, "not in canonical form");
    expect_error("fl1:rr.vvvvvvvvvvvvvv", 8, "seed out of range");
}

static void test_truncated_and_trailing(void **st)
{
    (void)st;
    fl_sched_schedule sc = sample();
    char *s = fl_sched_schedule_format(&sc);
    size_t n = strlen(s);
    char *buf = malloc(n + 3);
    for (size_t k = 0; k < n; k++) {
        memcpy(buf, s, k);
        buf[k] = '\0';
        expect_error(buf, 0, NULL);
    }
    snprintf(buf, n + 3, "%s\n", s);
    expect_error(buf, (int)n + 1, "expected end of schedule after checksum");
    snprintf(buf, n + 3, "%s0", s);
    expect_error(buf, (int)n + 1, NULL);
    free(buf);
    free(s);
    fl_sched_schedule_free(&sc);
}

/* Every single-byte change of a valid string: rejected, or (never seen, but
 * allowed) accepted as a self-consistent canonical schedule. */
static void test_every_single_byte_mutation(void **st)
{
    (void)st;
    fl_sched_schedule sc = sample();
    char *s = fl_sched_schedule_format(&sc);
    size_t n = strlen(s);
    unsigned rejected = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        for (int b = 1; b < 256; b++) {
            if ((char)b == s[i]) continue;
            char save = s[i];
            s[i] = (char)b;
            fl_sched_schedule out;
            char err[256];
            int rc = fl_sched_schedule_parse(s, &out, err, sizeof err);
            total++;
            if (rc == 0) {
                char *again = fl_sched_schedule_format(&out);
                assert_non_null(again);
                assert_string_equal(again, s);
                free(again);
                fl_sched_schedule_free(&out);
            } else {
                assert_int_equal(rc, -EINVAL);
                assert_int_equal(strncmp(err, "schedule:1:", 11), 0);
                rejected++;
            }
            s[i] = save;
        }
    }
    /* CRC-32 catches every single-byte error */
    assert_int_equal(rejected, total);
    free(s);
    fl_sched_schedule_free(&sc);
}

static void test_small_error_buffers(void **st)
{
    (void)st;
    fl_sched_schedule sc;
    char small[6];
    memset(small, 'x', sizeof small);
    assert_int_equal(fl_sched_schedule_parse("fl9:", &sc, small, sizeof small), -EINVAL);
    assert_non_null(memchr(small, '\0', sizeof small));
    assert_int_equal(fl_sched_schedule_parse("fl9:", &sc, NULL, 0), -EINVAL);
    assert_int_equal(fl_sched_schedule_parse(NULL, &sc, NULL, 0), -EINVAL);
}

static void test_strategy_names(void **st)
{
    (void)st;
    const fl_sched_strategy all[] = { FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT, FL_SCHED_STRAT_RR, FL_SCHED_STRAT_REPLAY, FL_SCHED_STRAT_FREE, FL_SCHED_STRAT_DFS };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        fl_sched_strategy back;
        assert_int_equal(fl_sched_strategy_parse(fl_sched_strategy_name(all[i]), &back), 0);
        assert_int_equal(back, all[i]);
    }
    fl_sched_strategy x;
    assert_int_equal(fl_sched_strategy_parse("PCT", &x), -EINVAL);
    assert_int_equal(fl_sched_strategy_parse(NULL, &x), -EINVAL);
    assert_string_equal(fl_sched_strategy_name((fl_sched_strategy)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_and_switches),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_extremes_round_trip),
        cmocka_unit_test(test_empty_choice_list),
        cmocka_unit_test(test_clear_errors),
        cmocka_unit_test(test_truncated_and_trailing),
        cmocka_unit_test(test_every_single_byte_mutation),
        cmocka_unit_test(test_small_error_buffers),
        cmocka_unit_test(test_strategy_names),
    };
    return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
