/*
 * test_report_atomic.c — every report file is written atomically: a missing
 * or unwritable directory, a failing body, a real I/O error (file size
 * limit) and a failing rename each leave the old file intact and no
 * temporary behind, with the error returned; bad arguments are -EINVAL.
 * Fixture and helpers: report_util.h.
 */
#include "report_util.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* The file at p still holds "OLD" (as written before the failed write)
 * and no temporary is left in fx->dir. */
static void assert_old_kept(const fixture *fx, const char *p)
{
    char *s = slurp(p, NULL);

    assert_string_equal(s, "OLD");
    free(s);
    assert_int_equal(count_tmp(fx->dir), 0);
}

static void test_atomic_missing_dir(void **state)
{
    fixture *fx = *state;

    assert_int_equal(fl_report_json(&fx->suite, path_in(fx, "no/such/dir/r.json")), -ENOENT);
    assert_int_equal(fl_report_junit(&fx->suite, path_in(fx, "no/such/j.xml")), -ENOENT);
    assert_int_equal(access(path_in(fx, "no"), F_OK), -1);
    assert_int_equal(count_tmp(fx->dir), 0);
}

static int failing_body(FILE *f, const void *ctx)
{
    (void)ctx;
    for (int i = 0; i < 1000; i++)
        fputs("half a report ", f);
    return -EIO;
}

static void test_atomic_body_failure_keeps_old(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "keep.json");

    write_file(p, "OLD", 3);
    assert_int_equal(fl_report__write_atomic(p, failing_body, NULL), -EIO);
    assert_old_kept(fx, p);
}

/* A real I/O error mid-write (file size limit): the public writer returns
 * -EFBIG, the old file is intact, the temporary is gone. */
static void test_atomic_io_error_keeps_old(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "big.html");
    struct rlimit old, lim;
    void (*oldsig)(int);
    int rc;

    write_file(p, "OLD", 3);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 4096;
    oldsig = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    rc = fl_report_html(&fx->suite, p);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, oldsig);
    assert_int_equal(rc, -EFBIG);
    assert_old_kept(fx, p);
}

static void test_atomic_rename_fails(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "isdir.tap");
    struct stat st;

    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(fl_report_tap(&fx->suite, p), -EISDIR);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(count_tmp(fx->dir), 0);
}

static void test_atomic_unwritable_dir(void **state)
{
    fixture *fx = *state;
    const char *d = path_in(fx, "ro");

    if (geteuid() == 0)
        skip(); /* root writes anywhere; the missing-dir and I/O tests cover the paths */
    assert_int_equal(mkdir(d, 0555), 0);
    assert_int_equal(fl_report_json(&fx->suite, path_in(fx, "ro/r.json")), -EACCES);
    assert_int_equal(count_tmp(d), 0);
    assert_int_equal(access(path_in(fx, "ro/r.json"), F_OK), -1);
}

static void test_bad_arguments(void **state)
{
    fixture *fx = *state;
    fl_suite broken = {.ncases = 2, .cases = NULL};

    assert_int_equal(fl_report_junit(NULL, path_in(fx, "x")), -EINVAL);
    assert_int_equal(fl_report_tap(&broken, path_in(fx, "x")), -EINVAL);
    assert_int_equal(fl_report_json(&fx->suite, NULL), -EINVAL);
    assert_int_equal(fl_report_html(&fx->suite, ""), -EINVAL);
    assert_int_equal(fl_report_trace(NULL, fx->dir), -EINVAL);
    assert_int_equal(fl_report_trace(&fx->cases[0], ""), -EINVAL);
    assert_int_equal(access(path_in(fx, "x"), F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atomic_missing_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_body_failure_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_io_error_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_rename_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_unwritable_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
