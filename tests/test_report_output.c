/*
 * test_report_output.c — report paths are never destroyed: a symlink keeps
 * being a link (its target is replaced), a FIFO and a /dev/fd/N pipe are
 * written in place and their reader gets the report, a descriptor path to
 * a regular file keeps its inode, /dev/stdout goes to stdout, a 255-byte
 * name works, a replaced file keeps its mode, a signal-time cleanup
 * removes the in-flight temporary, and the pre-flight check refuses inputs,
 * directories and missing or unusable parents with a clear message.
 * Fixture and helpers: report_util.h.
 */
#include "report_util.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

/* ---- a reader thread for FIFOs and pipes ------------------------------------------ */

typedef struct reader {
    const char *fifo; /* open this for reading, or */
    int fd;           /* read this descriptor */
    char buf[1 << 16];
    size_t len;
} reader;

static void *reader_main(void *arg)
{
    reader *r = arg;
    int fd = r->fifo ? open(r->fifo, O_RDONLY) : r->fd;
    ssize_t n;

    if (fd < 0)
        return NULL;
    while (r->len < sizeof r->buf - 1 &&
           (n = read(fd, r->buf + r->len, sizeof r->buf - 1 - r->len)) > 0)
        r->len += (size_t)n;
    r->buf[r->len] = '\0';
    if (r->fifo)
        close(fd);
    return NULL;
}

static void assert_is_link(const char *p)
{
    struct stat st;

    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
}

/* ---- writing ---------------------------------------------------------------------- */

static void test_symlink_target_replaced(void **state)
{
    fixture *fx = *state;
    const char *real = path_in(fx, "real.json"), *link = path_in(fx, "link.json");
    char *s;

    write_file(real, "OLD", 3);
    assert_int_equal(symlink("real.json", link), 0);
    assert_int_equal(fl_report_json(&fx->suite, link), 0);
    assert_is_link(link);
    s = slurp(real, NULL);
    assert_true(strncmp(s, "{", 1) == 0);
    free(s);
    assert_int_equal(count_tmp(fx->dir), 0);
}

static void test_dangling_symlink_creates_target(void **state)
{
    fixture *fx = *state;
    const char *link = path_in(fx, "dangling.tap");
    char *s;

    assert_int_equal(symlink("made.tap", link), 0);
    assert_int_equal(fl_report_tap(&fx->suite, link), 0);
    assert_is_link(link);
    s = slurp(path_in(fx, "made.tap"), NULL);
    assert_true(strncmp(s, "TAP version 13\n", 15) == 0);
    free(s);
}

static void test_fifo_written_in_place(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "pipe.tap");
    reader *r = calloc(1, sizeof *r);
    pthread_t th;
    struct stat st;

    assert_non_null(r);
    assert_int_equal(mkfifo(p, 0600), 0);
    r->fifo = p;
    r->fd = -1;
    assert_int_equal(pthread_create(&th, NULL, reader_main, r), 0);
    assert_int_equal(fl_report_tap(&fx->suite, p), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_true(strncmp(r->buf, "TAP version 13\n", 15) == 0);
    assert_non_null(strstr(r->buf, "not ok"));
    free(r);
}

/* `--junit >(cmd)`: the shell passes /dev/fd/N, a pipe. */
static void test_dev_fd_pipe(void **state)
{
    fixture *fx = *state;
    reader *r = calloc(1, sizeof *r);
    pthread_t th;
    char path[64];
    int fds[2];

    assert_non_null(r);
    assert_int_equal(pipe(fds), 0);
    r->fd = fds[0];
    assert_int_equal(pthread_create(&th, NULL, reader_main, r), 0);
    snprintf(path, sizeof path, "/dev/fd/%d", fds[1]);
    assert_int_equal(fl_report_junit(&fx->suite, path), 0);
    /* and through a link to it, as /dev/stderr is to /proc/self/fd/2 */
    assert_int_equal(symlink(path, path_in(fx, "viafd")), 0);
    assert_int_equal(fl_report_tap(&fx->suite, path_in(fx, "viafd")), 0);
    close(fds[1]);
    assert_int_equal(pthread_join(th, NULL), 0);
    close(fds[0]);
    assert_non_null(strstr(r->buf, "<testsuites"));
    assert_non_null(strstr(r->buf, "</testsuites>\nTAP version 13\n"));
    free(r);
}

/* /proc/self/fd/N of a regular file: written through, same inode, truncated. */
static void test_proc_fd_regular_file(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "held.json");
    struct stat before, after;
    char path[64], *s;
    int fd;

    write_file(p, "OLD OLD OLD", 11);
    fd = open(p, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(stat(p, &before), 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    assert_int_equal(fl_report_json(&fx->suite, path), 0);
    close(fd);
    assert_int_equal(stat(p, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    s = slurp(p, NULL);
    assert_true(strncmp(s, "{", 1) == 0);
    assert_null(strstr(s, "OLD"));
    free(s);
}

static void test_stdout_paths(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "stdout.json");
    fl_report__tgt t;
    int fd, saved;
    char *s;

    assert_int_equal(fl_report__target("/dev/stdout", &t), 0);
    assert_int_equal(t.kind, FL_REPORT__TGT_STDOUT);
    assert_int_equal(fl_report__target("-", &t), 0);
    assert_int_equal(t.kind, FL_REPORT__TGT_STDOUT);
    fflush(stdout);
    saved = dup(1);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, 1), 1);
    close(fd);
    assert_int_equal(fl_report_json(&fx->suite, "/dev/stdout"), 0);
    fflush(stdout);
    assert_int_equal(dup2(saved, 1), 1);
    close(saved);
    s = slurp(p, NULL);
    assert_non_null(strstr(s, "\"schema\": \"faultline-results/1\""));
    free(s);
}

static void test_name_max(void **state)
{
    fixture *fx = *state;
    char name[256], path[512];

    memset(name, 'n', 250);
    memcpy(name + 250, ".json", 6); /* 255 bytes: NAME_MAX */
    assert_int_equal(strlen(name), 255);
    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    assert_int_equal(fl_report_json(&fx->suite, path), 0);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(count_tmp(fx->dir), 0);
}

static void test_mode_kept(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "mode.html");
    struct stat st;

    write_file(p, "OLD", 3);
    assert_int_equal(chmod(p, 0640), 0);
    assert_int_equal(fl_report_html(&fx->suite, p), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
}

/* ---- signal-time cleanup ---------------------------------------------------------- */

static volatile sig_atomic_t cleaned = -1;

static void on_sigint(int sig)
{
    (void)sig;
    cleaned = fl_report_cleanup_tmp();
}

typedef struct interrupt_ctx {
    const char *dir;
    int tmp_seen;
} interrupt_ctx;

/* Writes some bytes, then "the user presses Ctrl-C" mid-report. */
static int interrupted_body(FILE *f, const void *vctx)
{
    interrupt_ctx *ctx = (interrupt_ctx *)vctx;

    fputs("half a report", f);
    fflush(f);
    ctx->tmp_seen = count_tmp(ctx->dir);
    raise(SIGINT);
    return 0;
}

static void test_sigint_cleanup(void **state)
{
    fixture *fx = *state;
    const char *p = path_in(fx, "sig.json");
    struct sigaction sa, old;
    interrupt_ctx ctx = {fx->dir, 0};
    char *s;

    write_file(p, "OLD", 3);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGINT, &sa, &old), 0);
    cleaned = -1;
    assert_int_equal(fl_report__write_atomic(p, interrupted_body, &ctx), -ENOENT);
    assert_int_equal(sigaction(SIGINT, &old, NULL), 0);
    assert_int_equal(ctx.tmp_seen, 1);
    assert_int_equal(cleaned, 1);
    assert_int_equal(count_tmp(fx->dir), 0);
    s = slurp(p, NULL);
    assert_string_equal(s, "OLD");
    free(s);
    /* nothing left registered after finished writes */
    assert_int_equal(fl_report_json(&fx->suite, p), 0);
    assert_int_equal(fl_report_cleanup_tmp(), 0);
    assert_int_equal(access(p, F_OK), 0);
}

/* ---- pre-flight checks ---------------------------------------------------------- */

static void expect_refused(const char *path, const char *const *in, size_t n, int rc,
                           const char *words)
{
    char err[512];

    assert_int_equal(fl_report_path_check(path, in, n, err, sizeof err), rc);
    if (!strstr(err, words) || !strstr(err, path))
        fail_msg("message %s does not say '%s' about %s", err, words, path);
}

static void test_path_check(void **state)
{
    fixture *fx = *state;
    char scn[256], link[256], fifo[256], file[256], err[512];
    const char *inputs[2];

    snprintf(scn, sizeof scn, "%s", path_in(fx, "a.scn"));
    snprintf(link, sizeof link, "%s", path_in(fx, "out.xml"));
    snprintf(fifo, sizeof fifo, "%s", path_in(fx, "fifo"));
    snprintf(file, sizeof file, "%s", path_in(fx, "plain"));
    write_file(scn, "supervisor root\n", 16);
    write_file(file, "x", 1);
    assert_int_equal(symlink("a.scn", link), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    inputs[0] = path_in(fx, "missing.scn");
    inputs[1] = scn;

    expect_refused(scn, inputs, 2, -EINVAL, "is an input file");
    expect_refused(link, inputs, 2, -EINVAL, "a.scn");
    expect_refused(fx->dir, inputs, 2, -EISDIR, "is a directory");
    expect_refused(path_in(fx, "nodir/r.json"), inputs, 2, -ENOENT, "directory does not exist");
    expect_refused(path_in(fx, "plain/r.json"), inputs, 2, -ENOTDIR, "not a directory");
    expect_refused("", NULL, 0, -EINVAL, "empty");

    assert_int_equal(fl_report_path_check("-", inputs, 2, err, sizeof err), 0);
    assert_int_equal(fl_report_path_check("/dev/stdout", inputs, 2, err, sizeof err), 0);
    assert_int_equal(fl_report_path_check(path_in(fx, "new.json"), inputs, 2, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(fl_report_path_check(file, inputs, 2, NULL, 0), 0);
    assert_int_equal(fl_report_path_check(fifo, inputs, 2, err, sizeof err), 0);
    assert_int_equal(fl_report_path_check("/dev/fd/987", NULL, 0, err, sizeof err), -ENOENT);
    /* nothing was created */
    assert_int_equal(access(path_in(fx, "new.json"), F_OK), -1);
    assert_int_equal(count_tmp(fx->dir), 0);
}

static void test_path_check_unwritable(void **state)
{
    fixture *fx = *state;
    char ro[256];

    if (geteuid() == 0)
        skip(); /* root writes anywhere */
    snprintf(ro, sizeof ro, "%s", path_in(fx, "ro"));
    assert_int_equal(mkdir(ro, 0555), 0);
    expect_refused(path_in(fx, "ro/r.json"), NULL, 0, -EACCES, "not writable");
}

static void test_dir_check(void **state)
{
    fixture *fx = *state;
    char err[512];

    write_file(path_in(fx, "f"), "x", 1);
    assert_int_equal(fl_report_dir_check(fx->dir, err, sizeof err), 0);
    assert_int_equal(fl_report_dir_check(path_in(fx, "new/deeper/trace"), err, sizeof err), 0);
    assert_int_equal(access(path_in(fx, "new"), F_OK), -1); /* not created */
    assert_int_equal(fl_report_dir_check(path_in(fx, "f"), err, sizeof err), -ENOTDIR);
    assert_non_null(strstr(err, "not a directory"));
    assert_int_equal(fl_report_dir_check(path_in(fx, "f/trace"), err, sizeof err), -ENOTDIR);
    assert_int_equal(fl_report_dir_check("", err, sizeof err), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_symlink_target_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dangling_symlink_creates_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_written_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dev_fd_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proc_fd_regular_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdout_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigint_cleanup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_check_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_check, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
