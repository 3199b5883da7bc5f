/*
 * path_check.c — pre-flight checks of report paths, run by the CLI before
 * the first scenario runs, so a mistyped --junit costs nothing and can never
 * overwrite a scenario file. The checks see the path exactly as the writer
 * will (fl_report__target): a symlink is judged by its target, a FIFO or a
 * descriptor path is fine as it is.
 */
#include "report_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fl_report__say(char *err, size_t errlen, int rc, const char *path, const char *what,
                          const char *more)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s%s", path, what, more ? more : "");
    return rc;
}

/* The directory part of p ("." when p has no slash, "/" for "/x") into d. */
static void fl_report__dirname(const char *p, char *d, size_t cap)
{
    const char *slash = strrchr(p, '/');

    if (!slash)
        snprintf(d, cap, ".");
    else if (slash == p)
        snprintf(d, cap, "/");
    else
        snprintf(d, cap, "%.*s", (int)(slash - p), p);
}

/* The directory where the writer creates its temporary must exist, be a
 * directory and be writable and searchable. */
static int fl_report__dir_ok(const char *path, const char *dir, char *err, size_t errlen)
{
    struct stat st;

    if (stat(dir, &st) != 0) {
        int rc = -errno;
        return fl_report__say(err, errlen, rc, path,
                              rc == -ENOENT ? "directory does not exist: " : "cannot reach directory ",
                              dir);
    }
    if (!S_ISDIR(st.st_mode))
        return fl_report__say(err, errlen, -ENOTDIR, path, "not a directory: ", dir);
    if (access(dir, W_OK | X_OK) != 0) {
        int rc = -errno;
        return fl_report__say(err, errlen, rc, path,
                              rc == -EROFS ? "read-only file system: " : "directory not writable: ",
                              dir);
    }
    return 0;
}

int fl_report_path_check(const char *path, const char *const *inputs, size_t ninputs,
                         char *err, size_t errlen)
{
    fl_report__tgt t;
    struct stat out, in;
    char dir[PATH_MAX];
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path)
        return fl_report__say(err, errlen, -EINVAL, "(report path)", "empty path", NULL);
    if (ninputs && !inputs)
        return fl_report__say(err, errlen, -EINVAL, path, "inputs missing", NULL);
    rc = fl_report__target(path, &t);
    if (rc == -EISDIR)
        return fl_report__say(err, errlen, rc, path, "is a directory", NULL);
    if (rc < 0)
        return fl_report__say(err, errlen, rc, path, "cannot be used: ", strerror(-rc));
    if (t.kind == FL_REPORT__TGT_STDOUT)
        return 0;
    if (t.kind == FL_REPORT__TGT_DIRECT || t.exists) {
        if (stat(t.path, &out) != 0) {
            rc = -errno;
            return fl_report__say(err, errlen, rc, path, "cannot be used: ", strerror(-rc));
        }
        for (size_t i = 0; i < ninputs; i++) {
            if (!inputs[i] || stat(inputs[i], &in) != 0)
                continue; /* a missing input is the runner's error to report */
            if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
                return fl_report__say(err, errlen, -EINVAL, path,
                                      "is an input file; writing the report would destroy ",
                                      inputs[i]);
        }
    }
    if (t.kind == FL_REPORT__TGT_DIRECT) {
        if (access(t.path, W_OK) != 0) {
            rc = -errno;
            return fl_report__say(err, errlen, rc, path, "not writable: ", strerror(-rc));
        }
        return 0;
    }
    fl_report__dirname(t.path, dir, sizeof dir);
    return fl_report__dir_ok(path, dir, err, errlen);
}

int fl_report_dir_check(const char *dir, char *err, size_t errlen)
{
    char p[PATH_MAX];
    struct stat st;
    size_t n;

    if (err && errlen)
        err[0] = '\0';
    if (!dir || !*dir)
        return fl_report__say(err, errlen, -EINVAL, "(trace directory)", "empty path", NULL);
    n = strlen(dir);
    if (n >= sizeof p)
        return fl_report__say(err, errlen, -ENAMETOOLONG, dir, "path too long", NULL);
    memcpy(p, dir, n + 1);
    if (stat(p, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return fl_report__say(err, errlen, -ENOTDIR, dir, "exists and is not a directory",
                                  NULL);
        return fl_report__dir_ok(dir, p, err, errlen);
    }
    /* created by mkdir -p: the nearest existing ancestor must be writable */
    for (;;) {
        char *slash;
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        slash = strrchr(p, '/');
        if (!slash) {
            strcpy(p, ".");
        } else if (slash == p) {
            p[1] = '\0';
        } else {
            *slash = '\0';
        }
        n = strlen(p);
        if (stat(p, &st) == 0)
            break;
        if (errno != ENOENT || strcmp(p, ".") == 0 || strcmp(p, "/") == 0)
            return fl_report__say(err, errlen, -errno, dir, "cannot be created: ",
                                  strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return fl_report__say(err, errlen, -ENOTDIR, dir, "cannot be created under ", p);
    return fl_report__dir_ok(dir, p, err, errlen);
}
