/*
 * replay.c — standalone driver for the libFuzzer targets, for builds without
 * libFuzzer (gcc + ASan/UBSan in `make test`).
 *
 *   fuzz_x [-flag ...] FILE|DIR ...
 *
 * Each FILE is read and passed once to LLVMFuzzerTestOneInput; each DIR is
 * replayed file by file in name order (regular files only, not recursive),
 * with one summary line per directory. Arguments starting with '-' are
 * ignored, so a libFuzzer command line (-runs=1 ...) also works here.
 * LLVMFuzzerInitialize runs first when the target defines it.
 *
 * Every input gets its own exactly-sized heap copy, so ASan catches a read
 * one byte past the end. A failing check in a target aborts (so do ASan and
 * UBSan, built with -fno-sanitize-recover): the process dies with the file
 * name already printed on stderr. Exit 0 when everything replayed, 1 when a
 * file or directory could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int replay__verbose;
/* The input being run; read by the death hooks (only ever set from main). */
static const char *volatile replay__current;

/* Sanitizer runtimes call this after printing their report (weak: absent in
 * plain builds). */
__attribute__((weak)) void __sanitizer_set_death_callback(void (*cb)(void));

/* Async-signal-safe: names the input that crashed as the last line of the
 * log, after the sanitizer's or the target's own report. */
static void replay__name_crasher(void) {
    const char *p = replay__current;
    static const char pre[] = "\nreplay: crashed on input ";
    if (!p)
        return;
    if (write(2, pre, sizeof pre - 1) < 0 || write(2, p, strlen(p)) < 0 || write(2, "\n", 1) < 0)
        return;
}

/* UBSan's runtime does not run the death callback: make its fatal reports
 * abort (SIGABRT, caught below) and carry a stack. UBSAN_OPTIONS overrides. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) { return "print_stacktrace=1:abort_on_error=1"; }

static void replay__on_abort(int sig) {
    replay__name_crasher();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Read path into an exactly-sized buffer (owned by the caller; NULL data
 * for an empty file is replaced by a 1-byte allocation, size 0). */
static int replay__read(const char *path, uint8_t **out, size_t *size) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return -errno;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb)
                goto fail;
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f))
        goto fail;
    fclose(f);
    /* exact copy: a read past the end hits the redzone */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -ENOMEM;
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    *out = exact;
    *size = n;
    return 0;
fail:
    free(buf);
    fclose(f);
    return -EIO;
}

static int replay__file(const char *path) {
    uint8_t *data = NULL;
    size_t size = 0;
    int rc = replay__read(path, &data, &size);
    if (rc < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(-rc));
        return rc;
    }
    if (replay__verbose)
        fprintf(stderr, "replay: running %s (%zu bytes)\n", path, size);
    replay__current = path;
    LLVMFuzzerTestOneInput(data, size);
    replay__current = NULL;
    free(data);
    return 0;
}

static int replay__cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay__dir(const char *dir) {
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0, cap = 0, done = 0;
    int rc = 0;
    struct dirent *e;
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -errno;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
        char *p = malloc(len);
        struct stat st;
        if (!p) {
            rc = -ENOMEM;
            goto out;
        }
        snprintf(p, len, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                free(p);
                rc = -ENOMEM;
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        names[n++] = p;
    }
    if (n)
        qsort(names, n, sizeof *names, replay__cmp);
    for (size_t i = 0; i < n; i++) {
        if (replay__file(names[i]) < 0)
            rc = -EIO;
        else
            done++;
    }
    printf("replay: %s: %zu/%zu inputs ok\n", dir, done, n);
    fflush(stdout);
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int main(int argc, char **argv) {
    int failed = 0, inputs = 0;
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(replay__name_crasher);
    signal(SIGABRT, replay__on_abort);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    replay__verbose = getenv("FUZZ_REPLAY_VERBOSE") != NULL;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        const char *a = argv[i];
        if (a[0] == '-')
            continue;
        inputs++;
        if (stat(a, &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", a, strerror(errno));
            failed = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (replay__dir(a) < 0)
                failed = 1;
        } else if (replay__file(a) < 0) {
            failed = 1;
        }
    }
    if (inputs == 0) {
        fprintf(stderr, "usage: %s FILE|DIR ...  (replays each input through the fuzz target)\n",
                argv[0]);
        return 2;
    }
    return failed;
}
