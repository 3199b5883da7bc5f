/*
 * test_report_symbolize.c — backtrace frames become "function (file:line)"
 * through libdw: a frame of a static function of this very binary in
 * libsv's "module(+0xoff)" form (the form dladdr leaves for static
 * functions), the "module(symbol+0xoff)" form, a bare module name found as
 * the running executable, a full path; lines it cannot resolve are kept
 * byte for byte; the cache survives a reset; and a real libsv crash
 * backtrace gets names for its frames.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

static int frame_line; /* line of the call to return_address in capture_frame */

/* The address capture_frame's call returns to: inside capture_frame. (Not
 * backtrace(): sanitizers intercept it, so its first frame is theirs.) */
static __attribute__((noinline)) void *return_address(void)
{
    void *pc = __builtin_return_address(0);
    __asm__ volatile("" : : "r"(pc) : "memory"); /* no tail call, no folding */
    return pc;
}

/* Fills buf with a libsv-style frame "#0 MODULE(+0xOFF) [0xPC]" for a
 * return address inside this static function; MODULE is the bare
 * executable name, or its full path when full is set. */
static __attribute__((noinline)) void capture_frame(char *buf, size_t cap, bool full)
{
    char exe[PATH_MAX];
    Dl_info di;
    ssize_t n;
    const char *name;
    void *pc;

    frame_line = __LINE__ + 1;
    pc = return_address();
    assert_true(dladdr(pc, &di) != 0);
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    /* the frame is in this binary (dladdr names it as it was started) */
    assert_string_equal(strrchr(di.dli_fname, '/') ? strrchr(di.dli_fname, '/') + 1 : di.dli_fname,
                        strrchr(exe, '/') + 1);
    name = full ? exe : strrchr(exe, '/') + 1;
    snprintf(buf, cap, "#0 %s(+0x%lx) [0x%lx]", name,
             (unsigned long)((uintptr_t)pc - (uintptr_t)di.dli_fbase),
             (unsigned long)(uintptr_t)pc);
}

static void assert_names_static(const char *in, const char *out)
{
    char want[64];

    snprintf(want, sizeof want, "test_report_symbolize.c:%d)", frame_line);
    if (!strstr(out, "#0 capture_frame (") || !strstr(out, want) || !strstr(out, in + 3))
        fail_msg("%s\nbecame\n%s\nwanted capture_frame and %s, original text kept", in, out, want);
}

static void test_static_function_bare_module(void **state)
{
    char in[PATH_MAX + 64], *out;

    (void)state;
    capture_frame(in, sizeof in, false);
    out = fl_report_symbolize(in);
    assert_non_null(out);
    assert_names_static(in, out);
    /* source paths are shown relative to the working directory */
    assert_non_null(strstr(out, "(tests/test_report_symbolize.c:"));
    free(out);
}

static void test_full_path_module_and_lines_kept(void **state)
{
    char frame[PATH_MAX + 64], in[2 * PATH_MAX + 256], *out;
    const char *other = "libsv: no frames\n#1 [0x1234]\n#2 nosuchmodule.so(+0x10) [0x10]\n";

    (void)state;
    capture_frame(frame, sizeof frame, true);
    snprintf(in, sizeof in, "%s\n%s", frame, other);
    out = fl_report_symbolize(in);
    assert_non_null(out);
    assert_names_static(frame, out);
    /* every other line byte for byte, newlines included */
    assert_non_null(strstr(out, "\nlibsv: no frames\n#1 [0x1234]\n#2 nosuchmodule.so(+0x10) [0x10]\n"));
    assert_int_equal(out[strlen(out) - 1], '\n');
    free(out);
}

int fl_symbolize_test_target(int x);
__attribute__((noinline)) int fl_symbolize_test_target(int x)
{
    return x * 3 + 1; /* a function with a symbol: the "sym+off" form */
}

static void test_symbol_plus_offset(void **state)
{
    char exe[PATH_MAX], in[PATH_MAX + 128], *out;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    (void)state;
    assert_true(n > 0);
    exe[n] = '\0';
    snprintf(in, sizeof in, "#4 %s(fl_symbolize_test_target+0x4) [0x1]", strrchr(exe, '/') + 1);
    out = fl_report_symbolize(in);
    assert_non_null(out);
    if (!strstr(out, "#4 fl_symbolize_test_target (") || !strstr(out, "test_report_symbolize.c:"))
        fail_msg("%s became %s", in, out);
    free(out);
}

static void test_unresolvable_and_edge_input(void **state)
{
    const char *odd[] = {"", "\n", "#", "#0", "#0 ", "#0 x(", "#0 x(+", "#0 x(+0x", "#0 x(+0xzz)",
                         "#0 (+0x10) [0x1]", "#99 faultline(+0xffffffffffffffffff) [0x1]",
                         "no frame at all", "#0 /nonexistent/lib.so(+0x10) [0x10]",
                         /* never opened: a FIFO or device would block */
                         "#0 /dev/zero(+0x10) [0x10]", "#1 /dev/stdin(+0x10) [0x10]"};
    char *out;

    (void)state;
    assert_null(fl_report_symbolize(NULL));
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        out = fl_report_symbolize(odd[i]);
        assert_non_null(out);
        assert_string_equal(out, odd[i]);
        free(out);
    }
}

static void test_reset_then_again(void **state)
{
    char in[PATH_MAX + 64], *a, *b;

    (void)state;
    capture_frame(in, sizeof in, false);
    a = fl_report_symbolize(in);
    fl_report_symbolize_reset();
    b = fl_report_symbolize(in);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    free(a);
    free(b);
    fl_report_symbolize_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_function_bare_module),
        cmocka_unit_test(test_full_path_module_and_lines_kept),
        cmocka_unit_test(test_symbol_plus_offset),
        cmocka_unit_test(test_unresolvable_and_edge_input),
        cmocka_unit_test(test_reset_then_again),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    fl_report_symbolize_reset(); /* leave nothing for the leak checker */
    return rc;
}
