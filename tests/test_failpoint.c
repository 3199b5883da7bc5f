/*
 * test_failpoint.c — failpoint specs and the registry: grammar, canonical
 * form, counts, chains, probabilities drawn from the seed, the worker
 * filter, actions through a fake platform, FAULTLINE_FAILPOINTS, error
 * diagnostics, the libsv binding and concurrent evaluation.
 * (Actions on a worker thread — panic, segv — are in test_worker.c.)
 */
#include "failpoint/fl_failpoint.h"
#include "sv.h"
#include "sv_plat.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- a platform whose clock only moves when someone sleeps ----------------- */
static sv_plat_ops fake;
static int64_t fake_now_ns;
static int fake_yields;
static int64_t fake_now(void) { return fake_now_ns; }
static void fake_sleep_until(int64_t d) { if (d > fake_now_ns) fake_now_ns = d; }
static void fake_yield(void) { fake_yields++; }

static int setup(void **state) {
    (void)state;
    fl_fp_clear();
    fl_fp_seed(1);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    fl_fp_clear();
    fl_fp_unbind();
    sv_plat_set(NULL);
    unsetenv("FAULTLINE_FAILPOINTS");
    return 0;
}

static void set(const char *name, const char *spec) {
    fl_lex_diag d = {0};
    int r = fl_fp_set(name, spec, &d);
    if (r) print_error("%s\n", d.text);
    assert_int_equal(r, 0);
}

static int ev(const char *name, const char *child) { return fl_fp_hook(name, child, 1); }

static void test_canonical_form(void **state) {
    (void)state;
    static const struct { const char *in, *out; } t[] = {
        {"return", "return(-5)"},
        {"return(7)", "return(7)"},
        {"  2*return(-11)  ", "2*return(-11)"},
        {"50%panic(boom)", "50%panic(boom)"},
        {"12.5%3*off->yield", "12.5000%3*off->yield"},
        {"0.0001%segv", "0.0001%segv"},
        {"[worker a] 1*off -> 2*return(-11)->sleep(20)", "[worker a] 1*off->2*return(-11)->sleep(20)"},
        {"[ worker  poll.er-2 ]panic", "[worker poll.er-2] panic(injected panic)"},
        {"100%off", "off"},
        {"0%return(1)", "0%return(1)"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        fl_fp_spec *sp;
        fl_lex_diag d = {0};
        int r = fl_fp_parse(t[i].in, strlen(t[i].in), "failpoint", 1, 1, &sp, &d);
        if (r) print_error("%s: %s\n", t[i].in, d.text);
        assert_int_equal(r, 0);
        char buf[256];
        size_t n = fl_fp_spec_format(sp, buf, sizeof buf);
        assert_string_equal(buf, t[i].out);
        assert_int_equal(n, strlen(t[i].out));
        char small[6];
        assert_int_equal(fl_fp_spec_format(sp, small, sizeof small), n); /* truncates, same length */
        assert_int_equal(strlen(small), n < 5 ? n : 5);
        fl_fp_spec_free(sp);
    }
    fl_fp_spec *sp;
    assert_int_equal(fl_fp_parse("30%2*return(1)->segv", 20, "failpoint", 1, 1, &sp, NULL), 0);
    assert_int_equal(fl_fp_spec_nterms(sp), 2);
    assert_int_equal(fl_fp_spec_action(sp, 0), FL_FP_RETURN);
    assert_int_equal(fl_fp_spec_ppm(sp, 0), 300000);
    assert_int_equal(fl_fp_spec_ppm(sp, 1), 1000000);
    assert_true(fl_fp_spec_has(sp, FL_FP_SEGV));
    assert_false(fl_fp_spec_has(sp, FL_FP_PANIC));
    fl_fp_spec_set_ppm(sp, 1, 5000000);
    assert_int_equal(fl_fp_spec_ppm(sp, 1), 1000000);
    fl_fp_spec_free(sp);
    fl_fp_spec_free(NULL);
}

static void test_bad_specs(void **state) {
    (void)state;
    static const struct { const char *in, *diag; } t[] = {
        {"", "failpoint:1:1: expected a term such as return(-5), 50%panic(x) or 2*off"},
        {"retrun(1)", "failpoint:1:1: expected an action: off, return, panic, sleep, yield or segv"},
        {"return(", "failpoint:1:8: expected an integer return value"},
        {"return(1", "failpoint:1:9: expected ')'"},
        {"return(x)", "failpoint:1:8: expected an integer return value"},
        {"return(99999999999)", "failpoint:1:8: expected an integer return value that fits in an int"},
        {"panic(abc", "failpoint:1:10: expected ')' closing the panic message"},
        {"sleep", "failpoint:1:6: expected '(' and a time in milliseconds after sleep"},
        {"sleep(-1)", "failpoint:1:7: expected a time in milliseconds"},
        {"yield()", "failpoint:1:6: expected '->' or the end of the spec (this action takes no argument)"},
        {"0*off", "failpoint:1:1: expected a count of at least 1"},
        {"5off", "failpoint:1:2: expected '%' or '*' after a number"},
        {"101%off", "failpoint:1:1: expected a percentage between 0% and 100%"},
        {"1.00001%off", "failpoint:1:7: expected at most 4 decimals"},
        {"1.%off", "failpoint:1:3: expected digits after the decimal point"},
        {"off->", "failpoint:1:6: expected a term such as return(-5), 50%panic(x) or 2*off"},
        {"off yield", "failpoint:1:5: expected '->' or the end of the spec"},
        {"[worker a off", "failpoint:1:11: expected ']' closing the filter"},
        {"[job a] off", "failpoint:1:2: expected 'worker' in the filter"},
        {"[workera] off", "failpoint:1:8: expected a space after 'worker'"},
        {"[worker 1] off", "failpoint:1:9: expected a worker id"},
        {"[worker a]", "failpoint:1:11: expected a term such as return(-5), 50%panic(x) or 2*off"},
        {"off\nyield", "failpoint:1:4: expected a one-line spec without NUL or newline bytes"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        fl_fp_spec *sp = (fl_fp_spec *)0x1;
        fl_lex_diag d = {0};
        int r = fl_fp_parse(t[i].in, strlen(t[i].in), "failpoint", 1, 1, &sp, &d);
        if (r != -EINVAL || strcmp(d.text, t[i].diag))
            print_error("case %zu `%s`: got %d `%s`\n", i, t[i].in, r, d.text);
        assert_int_equal(r, -EINVAL);
        assert_string_equal(d.text, t[i].diag);
        assert_ptr_equal(sp, (fl_fp_spec *)0x1);
    }
    /* positions inside a scenario line are offset by line/col */
    fl_fp_spec *sp;
    fl_lex_diag d;
    assert_int_equal(fl_fp_parse("2*nope", 6, "x.scn", 7, 21, &sp, &d), -EINVAL);
    assert_string_equal(d.text, "x.scn:7:23: expected an action: off, return, panic, sleep, yield or segv");
    assert_int_equal(d.line, 7);
    assert_int_equal(d.col, 23);
    /* the registry names the spec "failpoint" and checks names */
    assert_int_equal(fl_fp_set("bad name", "off", &d), -EINVAL);
    assert_string_equal(d.text, "failpoint: expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]");
    assert_int_equal(fl_fp_set("ok", "2*", &d), -EINVAL);
    assert_string_equal(d.text, "failpoint:1:3: expected an action: off, return, panic, sleep, yield or segv");
    assert_true(fl_fp_name_ok("sv.report.lose", 14));
    assert_true(fl_fp_name_ok("db:read/x-1_2", 13));
    assert_false(fl_fp_name_ok("", 0));
    assert_false(fl_fp_name_ok("a b", 3));
    char longname[80];
    memset(longname, 'x', sizeof longname);
    assert_true(fl_fp_name_ok(longname, 63));
    assert_false(fl_fp_name_ok(longname, 64));
}

static void test_counts_and_chains(void **state) {
    (void)state;
    assert_int_equal(ev("p", NULL), 0); /* unset point */
    set("p", "2*return(7)");
    assert_int_equal(ev("p", NULL), 7);
    assert_int_equal(ev("p", NULL), 7);
    assert_int_equal(ev("p", NULL), 0);
    assert_int_equal(ev("p", NULL), 0);
    assert_int_equal(fl_fp_fired("p"), 2);

    set("q", "2*off->1*return(-5)->return(9)");
    int want[] = {0, 0, -5, 9, 9};
    for (int i = 0; i < 5; i++) assert_int_equal(ev("q", "any"), want[i]);
    assert_int_equal(fl_fp_fired("q"), 5); /* off fires too */

    /* a term whose draw fails passes the hit to the next term */
    set("r", "0%return(1)->return(2)");
    for (int i = 0; i < 10; i++) assert_int_equal(ev("r", NULL), 2);
    set("s", "100%return(1)->return(2)");
    assert_int_equal(ev("s", NULL), 1);
    /* set replaces and restarts the chain */
    set("p", "1*return(3)");
    assert_int_equal(ev("p", NULL), 3);
    assert_int_equal(ev("p", NULL), 0);
    /* reseeding rewinds every chain */
    fl_fp_seed(5);
    assert_int_equal(ev("p", NULL), 3);
    assert_int_equal(fl_fp_fired("nope"), 0);
}

static void test_worker_filter(void **state) {
    (void)state;
    set("f", "[worker a] 1*return(3)");
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ev("f", "b"), 0);
        assert_int_equal(ev("f", NULL), 0);
    }
    assert_int_equal(fl_fp_fired("f"), 0); /* nothing consumed */
    assert_int_equal(ev("f", "a"), 3);
    assert_int_equal(ev("f", "a"), 0);
    assert_int_equal(fl_fp_eval("f"), 0); /* not on a worker: no child */
}

static void pattern(const char *name, uint64_t seed, char *out, int n) {
    fl_fp_seed(seed);
    for (int i = 0; i < n; i++) out[i] = ev(name, NULL) ? '1' : '0';
    out[n] = '\0';
}

static void test_probability_by_seed(void **state) {
    (void)state;
    enum { N = 2000 };
    static char a[N + 1], b[N + 1], c[N + 1], other[N + 1];
    set("pr", "30%return(1)");
    set("pr2", "30%return(1)");
    pattern("pr", 42, a, N);
    pattern("pr", 42, b, N);
    assert_string_equal(a, b); /* same seed, same outcomes */
    pattern("pr", 43, c, N);
    assert_true(strcmp(a, c) != 0);
    pattern("pr2", 42, other, N); /* each point has its own stream */
    assert_true(strcmp(a, other) != 0);
    int ones = 0;
    for (int i = 0; i < N; i++) ones += a[i] == '1';
    assert_in_range(ones, 500, 700); /* 30% of 2000 = 600 */
    /* counts and probability together: at most 3 fire */
    set("pc", "50%3*return(1)");
    int fired = 0;
    for (int i = 0; i < 100; i++) fired += ev("pc", NULL);
    assert_int_equal(fired, 3);
}

static void test_actions(void **state) {
    (void)state;
    fake = sv_plat_posix;
    fake.now = fake_now;
    fake.sleep_until = fake_sleep_until;
    fake.yield = fake_yield;
    fake_now_ns = 1000;
    fake_yields = 0;
    sv_plat_set(&fake);
    set("s", "sleep(20)");
    assert_int_equal(ev("s", NULL), 0);
    assert_int_equal(fake_now_ns, 1000 + 20000000);
    set("y", "2*yield");
    assert_int_equal(ev("y", NULL), 0);
    assert_int_equal(ev("y", NULL), 0);
    assert_int_equal(ev("y", NULL), 0);
    assert_int_equal(fake_yields, 2);
    /* off a worker thread panic and segv only report */
    set("pa", "panic(boom)");
    assert_int_equal(ev("pa", NULL), -EIO);
    set("sg", "segv");
    assert_int_equal(ev("sg", NULL), -EFAULT);
    set("o", "off");
    assert_int_equal(ev("o", NULL), 0);
    assert_int_equal(fl_fp_fired("o"), 1);
    sv_plat_set(NULL);
}

static void test_load_and_env(void **state) {
    (void)state;
    fl_lex_diag d = {0};
    assert_int_equal(fl_fp_load("a=return(1); b = 2*off->return(2) ;;c=panic(x;y)", "list", &d), 0);
    assert_int_equal(ev("a", NULL), 1);
    assert_int_equal(ev("b", NULL), 0);
    assert_int_equal(ev("b", NULL), 0);
    assert_int_equal(ev("b", NULL), 2);
    assert_int_equal(ev("c", NULL), -EIO); /* ';' inside parentheses does not split */
    /* all or nothing */
    fl_fp_clear();
    assert_int_equal(fl_fp_load("a=return(1);b=bogus", "list", &d), -EINVAL);
    assert_string_equal(d.text, "list:1:15: expected an action: off, return, panic, sleep, yield or segv");
    assert_int_equal(ev("a", NULL), 0);
    assert_int_equal(fl_fp_load("a return(1)", "list", &d), -EINVAL);
    assert_string_equal(d.text, "list:1:3: expected '=' after the failpoint name");
    assert_int_equal(fl_fp_load("=off", "list", &d), -EINVAL);
    assert_string_equal(d.text, "list:1:1: expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]");

    unsetenv("FAULTLINE_FAILPOINTS");
    assert_int_equal(fl_fp_env_check(&d), 0);
    assert_int_equal(fl_fp_load_env(&d), 0);
    setenv("FAULTLINE_FAILPOINTS", "", 1);
    assert_int_equal(fl_fp_env_check(&d), 0);
    setenv("FAULTLINE_FAILPOINTS", "sv.start=[worker a] 1*return(-11);x=5%", 1);
    assert_int_equal(fl_fp_env_check(&d), -EINVAL);
    assert_string_equal(d.text, "FAULTLINE_FAILPOINTS:1:39: expected an action: off, return, panic, sleep, yield or segv");
    assert_int_equal(ev("sv.start", "a"), 0); /* check installs nothing */
    setenv("FAULTLINE_FAILPOINTS", "sv.start=[worker a] 1*return(-11);x=5%off", 1);
    assert_int_equal(fl_fp_env_check(&d), 0);
    assert_int_equal(ev("sv.start", "a"), 0);
    assert_int_equal(fl_fp_load_env(&d), 0);
    assert_int_equal(ev("sv.start", "b"), 0);
    assert_int_equal(ev("sv.start", "a"), -11);
    assert_int_equal(ev("sv.start", "a"), 0);
}

static void test_bind(void **state) {
    (void)state;
    assert_int_equal(SV_FAILPOINT("sv.log.skip", "a", 1), 0);
    set("sv.log.skip", "1*return(1)");
    assert_int_equal(SV_FAILPOINT("sv.log.skip", "a", 1), 0); /* not bound yet */
    fl_fp_bind();
    assert_ptr_equal(sv__fail, fl_fp_hook);
    assert_int_equal(SV_FAILPOINT("sv.log.skip", "a", 1), 1);
    assert_int_equal(SV_FAILPOINT("sv.log.skip", "a", 2), 0);
    fl_fp_unbind();
    assert_null(sv__fail);
}

/* Concurrent evaluation: a count is never exceeded nor lost. */
enum { THREADS = 4, HITS = 2000 };
static void *hammer(void *arg) {
    int *fired = arg;
    for (int i = 0; i < HITS; i++) *fired += ev("h", "w") != 0;
    return NULL;
}

static void test_concurrent(void **state) {
    (void)state;
    set("h", "[worker w] 1000*return(1)->50%return(2)");
    pthread_t t[THREADS];
    int fired[THREADS] = {0};
    for (int i = 0; i < THREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, hammer, &fired[i]), 0);
    int total = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        total += fired[i];
    }
    uint64_t n = fl_fp_fired("h");
    assert_int_equal(total, (int)n);
    assert_in_range(n, 4200, 4800); /* the first 1000 hits, then half of the other 7000 */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_canonical_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_specs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_and_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probability_by_seed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_and_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
