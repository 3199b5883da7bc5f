/*
 * output.c — where a report's bytes go, without destroying anything.
 *
 * A report path is classified once (fl_report__target):
 *   - "-", "/dev/stdout": the process's stdout stream, written in place;
 *   - "/dev/fd/N", "/proc/self/fd/N", "/proc/PID/fd/N", or a symlink to
 *     one (/dev/stderr): an open file the caller handed us (a pipe from
 *     `>(cmd)`, a redirected file), opened and written in place, never
 *     renamed over;
 *   - an existing FIFO, character or block device or socket: written in
 *     place (a rename would replace the node and its reader would get
 *     nothing);
 *   - a symlink: followed (link by link, so a dangling link works too) and
 *     its final target is what gets replaced; the link stays a link;
 *   - a regular file or a missing name: replaced atomically. The bytes go
 *     to a hidden temporary ".flrep.XXXXXX" in the target's directory
 *     (13 bytes, so any name up to NAME_MAX works) which is renamed over
 *     the target once complete. A replaced file keeps its permission bits.
 *
 * Registry invariant: while a temporary exists on disk between its creation
 * and its rename or unlink, its full path is in a live slot of
 * fl_report__inflight (except for the few instructions between open() and
 * the slot store). fl_report_cleanup_tmp() unlinks every live slot using
 * only atomic loads and unlink(2), so a SIGINT/SIGTERM handler may call it.
 */
#include "report_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FL_OUT_SLOTS 32    /* concurrent atomic writes tracked */
#define FL_OUT_MAX_LINKS 40 /* symlinks followed, as the kernel's ELOOP limit */
#define FL_OUT_TMP_PREFIX ".flrep."

/* ---- in-flight temporaries ------------------------------------------------------ */

/* state: 0 free, 1 busy (a writer filling path, or a cleanup unlinking it),
 * 2 live (cleanup may unlink path). A writer claims 0 -> 1, publishes
 * 1 -> 2, and releases 2 -> 0; a cleanup takes 2 -> 1 and releases 1 -> 0. */
static struct {
    atomic_int state;
    char path[PATH_MAX];
} fl_report__inflight[FL_OUT_SLOTS];

/* Registers tmp; returns the slot, or -1 when every slot is taken (the write
 * goes on untracked). */
static int fl_report__inflight_add(const char *tmp)
{
    size_t n = strlen(tmp);

    if (n >= PATH_MAX)
        return -1;
    for (int i = 0; i < FL_OUT_SLOTS; i++) {
        int want = 0;
        if (!atomic_compare_exchange_strong(&fl_report__inflight[i].state, &want, 1))
            continue;
        memcpy(fl_report__inflight[i].path, tmp, n + 1);
        atomic_store_explicit(&fl_report__inflight[i].state, 2, memory_order_release);
        return i;
    }
    return -1;
}

/* Frees the writer's slot. When a cleanup running on another thread holds
 * it (state 1, reading the path), waits for it to finish so the slot is not
 * reused under its feet; on the writer's own thread a signal handler has
 * always finished before this runs. */
static void fl_report__inflight_drop(int slot)
{
    int live = 2;

    if (slot < 0)
        return;
    if (atomic_compare_exchange_strong(&fl_report__inflight[slot].state, &live, 0))
        return;
    while (atomic_load_explicit(&fl_report__inflight[slot].state, memory_order_acquire) != 0)
        ; /* a few instructions: one unlink(2) */
}

int fl_report_cleanup_tmp(void)
{
    int saved = errno, n = 0;

    for (int i = 0; i < FL_OUT_SLOTS; i++) {
        int live = 2;
        /* 2 -> 1 so a second call (SIGTERM after SIGINT) does not repeat it */
        if (!atomic_compare_exchange_strong(&fl_report__inflight[i].state, &live, 1))
            continue;
        if (unlink(fl_report__inflight[i].path) == 0)
            n++;
        atomic_store_explicit(&fl_report__inflight[i].state, 0, memory_order_release);
    }
    errno = saved;
    return n;
}

/* ---- classifying a path ------------------------------------------------------------ */

/* Whether path names an already-open descriptor: /dev/fd/N, /proc/self/fd/N,
 * /proc/PID/fd/N. */
static bool fl_report__is_fd_path(const char *path)
{
    const char *p = NULL;

    if (strncmp(path, "/dev/fd/", 8) == 0)
        p = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        p = path + 14;
    else if (strncmp(path, "/proc/", 6) == 0) {
        p = path + 6;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
        if (strncmp(p, "/fd/", 4) != 0)
            return false;
        p += 4;
    }
    if (!p || !*p)
        return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* Follows the symlinks of path (the last component only, link by link, so a
 * dangling link resolves to the name it points at) into out[PATH_MAX].
 * Sets *st and *exists for the final name. Stops at a descriptor path
 * (/dev/stderr -> /proc/self/fd/2 -> "pipe:[…]" must not be followed into
 * the kernel's pseudo-names) and sets *fdpath. 0, -ELOOP, -ENAMETOOLONG, or
 * the errno of lstat/readlink (not -ENOENT/-ENOTDIR: a missing name is
 * fine). */
static int fl_report__follow(const char *path, char *out, struct stat *st, bool *exists,
                             bool *fdpath)
{
    char link[PATH_MAX];

    if (strlen(path) >= PATH_MAX)
        return -ENAMETOOLONG;
    strcpy(out, path);
    for (int hops = 0;; hops++) {
        ssize_t n;
        char *slash;

        if (fl_report__is_fd_path(out)) {
            *fdpath = true;
            return 0;
        }
        if (lstat(out, st) != 0) {
            /* missing, or a directory component is not one: no file here;
             * creating the temporary reports the real error */
            if (errno != ENOENT && errno != ENOTDIR)
                return -errno;
            *exists = false;
            return 0;
        }
        *exists = true;
        if (!S_ISLNK(st->st_mode))
            return 0;
        if (hops == FL_OUT_MAX_LINKS)
            return -ELOOP;
        n = readlink(out, link, sizeof link - 1);
        if (n < 0)
            return -errno;
        link[n] = '\0';
        slash = strrchr(out, '/');
        if (link[0] == '/' || !slash) {
            memcpy(out, link, (size_t)n + 1);
        } else { /* relative to the link's directory */
            size_t dl = (size_t)(slash - out) + 1;
            if (dl + (size_t)n >= PATH_MAX)
                return -ENAMETOOLONG;
            memcpy(out + dl, link, (size_t)n + 1);
        }
    }
}

int fl_report__target(const char *path, fl_report__tgt *t)
{
    struct stat st;
    bool exists = false, fdpath = false;
    int rc;

    memset(t, 0, sizeof *t);
    if (!path || !*path)
        return -EINVAL;
    if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0) {
        t->kind = FL_REPORT__TGT_STDOUT;
        return 0;
    }
    rc = fl_report__follow(path, t->path, &st, &exists, &fdpath);
    if (rc < 0)
        return rc;
    if (fdpath) { /* an open descriptor, named directly or through links */
        if (stat(t->path, &st) != 0)
            return -errno; /* a closed descriptor: EBADF-like ENOENT, said plainly */
        if (S_ISDIR(st.st_mode))
            return -EISDIR;
        t->kind = FL_REPORT__TGT_DIRECT;
        t->regular = S_ISREG(st.st_mode);
        return 0;
    }
    t->exists = exists;
    if (exists && S_ISDIR(st.st_mode))
        return -EISDIR;
    if (exists && !S_ISREG(st.st_mode)) {
        t->kind = FL_REPORT__TGT_DIRECT;
        return 0;
    }
    t->kind = FL_REPORT__TGT_ATOMIC;
    t->regular = exists;
    t->mode = exists ? st.st_mode & 07777 : 0;
    return 0;
}

/* ---- writing ---------------------------------------------------------------------- */

/* errno of a failed stream operation, never 0. */
static int fl_report__errno_or_eio(void)
{
    return errno > 0 ? -errno : -EIO;
}

/* Runs body into f and flushes; does not close f. */
static int fl_report__run_body(FILE *f, fl_report__body_fn body, const void *ctx)
{
    int rc = body(f, ctx);

    if (rc < 0)
        return rc;
    errno = 0;
    if (fflush(f) != 0 || ferror(f))
        return fl_report__errno_or_eio();
    return 0;
}

static int fl_report__close(FILE *f)
{
    errno = 0;
    return fclose(f) != 0 ? fl_report__errno_or_eio() : 0;
}

/* In place: a FIFO, device, socket or descriptor path. Regular files behind
 * a descriptor path are truncated first. */
static int fl_report__write_direct(const fl_report__tgt *t, fl_report__body_fn body,
                                   const void *ctx)
{
    int fd = open(t->path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (t->regular ? O_TRUNC : 0));
    FILE *f;
    int rc;

    if (fd < 0)
        return -errno;
    f = fdopen(fd, "w");
    if (!f) {
        rc = -errno;
        close(fd);
        return rc;
    }
    rc = fl_report__run_body(f, body, ctx);
    if (rc < 0) {
        fclose(f);
        return rc;
    }
    return fl_report__close(f);
}

/* Creates a fresh "DIR/.flrep.XXXXXX" (O_EXCL, mode 0666 & ~umask) next to
 * target; fills tmp[PATH_MAX]. fd, or a negative errno. */
static int fl_report__tmp_open(const char *target, char *tmp)
{
    static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static atomic_uint counter;
    const char *slash = strrchr(target, '/');
    size_t dl = slash ? (size_t)(slash - target) + 1 : 0;
    struct timespec ts;

    if (dl + sizeof FL_OUT_TMP_PREFIX + 6 > PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(tmp, target, dl);
    memcpy(tmp + dl, FL_OUT_TMP_PREFIX, sizeof FL_OUT_TMP_PREFIX - 1);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    for (int tries = 0; tries < 100; tries++) {
        uint64_t x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 20 ^
                     (uint64_t)atomic_fetch_add(&counter, 1) * 0xbf58476d1ce4e5b9ull;
        char *s = tmp + dl + sizeof FL_OUT_TMP_PREFIX - 1;
        int fd;

        for (int i = 0; i < 6; i++, x /= 62)
            s[i] = abc[x % 62];
        s[6] = '\0';
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd >= 0 ? fd : -errno;
    }
    return -EEXIST;
}

static int fl_report__write_replace(const fl_report__tgt *t, fl_report__body_fn body,
                                    const void *ctx)
{
    char tmp[PATH_MAX];
    FILE *f = NULL;
    int fd, slot, rc;

    fd = fl_report__tmp_open(t->path, tmp);
    if (fd < 0)
        return fd; /* nothing was created */
    slot = fl_report__inflight_add(tmp);
    if (t->regular && fchmod(fd, t->mode) != 0) {
        rc = -errno;
        close(fd);
        goto fail;
    }
    f = fdopen(fd, "w");
    if (!f) {
        rc = -errno;
        close(fd);
        goto fail;
    }
    rc = fl_report__run_body(f, body, ctx);
    if (rc < 0)
        goto fail;
    rc = fl_report__close(f);
    f = NULL;
    if (rc < 0)
        goto fail;
    if (rename(tmp, t->path) != 0) {
        rc = -errno;
        goto fail;
    }
    fl_report__inflight_drop(slot);
    return 0;

fail:
    if (f)
        fclose(f);
    unlink(tmp);
    fl_report__inflight_drop(slot);
    return rc;
}

int fl_report__write_atomic(const char *path, fl_report__body_fn body, const void *ctx)
{
    fl_report__tgt t;
    int rc;

    if (!path || !*path || !body)
        return -EINVAL;
    rc = fl_report__target(path, &t);
    if (rc < 0)
        return rc;
    switch (t.kind) {
    case FL_REPORT__TGT_STDOUT:
        return fl_report__run_body(stdout, body, ctx);
    case FL_REPORT__TGT_DIRECT:
        return fl_report__write_direct(&t, body, ctx);
    default:
        return fl_report__write_replace(&t, body, ctx);
    }
}
