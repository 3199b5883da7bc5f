/*
 * fuzz_scenario.c — the scenario parser (harness/scenario/fl_scenario.h).
 *
 * Input: the bytes of a scenario file, passed to fl_scenario_parse_str
 * without a terminator in reach (an exactly-sized copy: ASan catches a read
 * past the end), under the name "fuzz.scn". Checks:
 *  - the verdict is 0 or -EINVAL (the input is tiny: never -ENOMEM/-EFBIG);
 *  - accepted → *out is set, its path is the name, and fl_scenario_free
 *    releases everything (LeakSanitizer watches);
 *  - rejected → *out untouched, and the diagnostic is well formed:
 *    "fuzz.scn:LINE:COL: TEXT" with LINE/COL equal to the diag's fields,
 *    1 <= LINE <= lines in the input + 1, 1 <= COL <= that line's length
 *    + 1, TEXT non-empty and printable (no raw control byte: diagnostics go
 *    to terminals and CI logs), the whole NUL-terminated within the diag;
 *  - determinism: parsing the same bytes again gives the same verdict and
 *    the same diagnostic; a NULL diag is allowed.
 */
#include "scenario/fl_scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZN_MAX_IN 8192
#define FZN_NAME "fuzz.scn"

#define FZN_CHECK(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_scenario: check failed: %s\n  ", #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Length of line `line` (1-based) of text, without its newline; the line
 * after the last newline counts as a line (possibly empty). -1: no such line. */
static long fzn__line_len(const char *text, size_t n, int line) {
    size_t start = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(text + start, '\n', n - start);
        if (!nl)
            return -1;
        start = (size_t)(nl - text) + 1;
    }
    const char *nl = memchr(text + start, '\n', n - start);
    size_t end = nl ? (size_t)(nl - text) : n;
    /* a CR before the newline belongs to the line ending */
    if (end > start && text[end - 1] == '\r')
        end--;
    return (long)(end - start);
}

static void fzn__check_diag(const fl_lex_diag *d, const char *text, size_t n) {
    FZN_CHECK(memchr(d->text, '\0', sizeof d->text) != NULL, "diag text not terminated");
    char pre[64];
    int k = snprintf(pre, sizeof pre, "%s:%d:%d: ", FZN_NAME, d->line, d->col);
    FZN_CHECK(k > 0 && strncmp(d->text, pre, (size_t)k) == 0,
              "diag \"%s\" does not start with \"%s\"", d->text, pre);
    FZN_CHECK(d->text[k] != '\0', "diag \"%s\" has no message", d->text);
    for (const char *p = d->text; *p; p++)
        FZN_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "raw control byte 0x%02x in \"%s\"",
                  (unsigned char)*p, d->text);
    FZN_CHECK(d->line >= 1, "line %d in \"%s\"", d->line, d->text);
    long len = fzn__line_len(text, n, d->line);
    FZN_CHECK(len >= 0, "line %d is past the end of the input in \"%s\"", d->line, d->text);
    FZN_CHECK(d->col >= 1 && d->col <= len + 1, "col %d outside 1..%ld of line %d in \"%s\"",
              d->col, len + 1, d->line, d->text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FZN_MAX_IN)
        return 0;
    char *text = malloc(size ? size : 1);
    FZN_CHECK(text != NULL, "out of memory");
    if (size)
        memcpy(text, data, size);

    fl_scenario *const sentinel = (fl_scenario *)(uintptr_t)0x5ca1ab1e;
    fl_scenario *s = sentinel;
    fl_lex_diag d;
    memset(&d, 0x7f, sizeof d);
    int rc = fl_scenario_parse_str(FZN_NAME, text, size, &s, &d);
    FZN_CHECK(rc == 0 || rc == -EINVAL, "parse returned %d", rc);
    if (rc == 0) {
        FZN_CHECK(s != sentinel && s != NULL, "accepted without a scenario");
        FZN_CHECK(s->path && strcmp(s->path, FZN_NAME) == 0, "path is not the name");
        fl_scenario_free(s);
    } else {
        FZN_CHECK(s == sentinel, "*out written on failure");
        fzn__check_diag(&d, text, size);
    }

    /* again: same verdict, same words; and a NULL diag */
    fl_scenario *s2 = sentinel;
    fl_lex_diag d2;
    memset(&d2, 0, sizeof d2);
    int rc2 = fl_scenario_parse_str(FZN_NAME, text, size, &s2, &d2);
    FZN_CHECK(rc2 == rc, "second parse returned %d, first %d", rc2, rc);
    if (rc2 == 0)
        fl_scenario_free(s2);
    else
        FZN_CHECK(strcmp(d.text, d2.text) == 0, "diagnostics differ: \"%s\" then \"%s\"", d.text,
                  d2.text);
    fl_scenario *s3 = sentinel;
    int rc3 = fl_scenario_parse_str(FZN_NAME, text, size, &s3, NULL);
    FZN_CHECK(rc3 == rc, "parse with a NULL diag returned %d, first %d", rc3, rc);
    if (rc3 == 0)
        fl_scenario_free(s3);
    free(text);
    return 0;
}
