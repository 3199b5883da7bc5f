/*
 * report_util.c — mkdir -p, a growable buffer, and
 * locale-independent number and time formatting for the writers.
 */
#include "report_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- directories ------------------------------------------------------------ */

int fl_report__mkdir_p(const char *dir)
{
    char *p, *s;
    struct stat st;
    int rc = 0;

    if (!dir || !*dir)
        return -EINVAL;
    p = strdup(dir);
    if (!p)
        return -ENOMEM;
    for (s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = -errno;
            goto out;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (stat(p, &st) != 0)
        rc = -errno;
    else if (!S_ISDIR(st.st_mode))
        rc = -ENOTDIR;
out:
    free(p);
    return rc;
}

/* ---- growable buffer ------------------------------------------------------------ */

static bool fl_report__buf_reserve(fl_report__buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->err)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->err = -ENOMEM;
        return false;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 128;
    while (cap < need)
        cap *= 2;
    p = realloc(b->p, cap);
    if (!p) {
        b->err = -ENOMEM;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void fl_report__buf_add(fl_report__buf *b, const char *s, size_t n)
{
    if (!fl_report__buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void fl_report__buf_puts(fl_report__buf *b, const char *s)
{
    if (s)
        fl_report__buf_add(b, s, strlen(s));
}

void fl_report__buf_printf(fl_report__buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    char small[256];

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = b->err ? b->err : -EINVAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        fl_report__buf_add(b, small, (size_t)n);
        return;
    }
    if (!fl_report__buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *fl_report__buf_str(const fl_report__buf *b)
{
    return b->p ? b->p : "";
}

void fl_report__buf_free(fl_report__buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

/* ---- numbers and times -------------------------------------------------------------- */

void fl_report__fmt_fixed(char *buf, size_t cap, double x, int decimals)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    unsigned long long scaled, ip, fp;
    bool neg;
    double ax;

    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (!isfinite(x))
        x = 0;
    neg = x < 0;
    ax = fabs(x) * pow10[decimals] + 0.5;
    if (ax >= 9.0e18) /* beyond any run's length; clamp rather than overflow */
        ax = 9.0e18;
    scaled = (unsigned long long)ax;
    ip = scaled / (unsigned long long)pow10[decimals];
    fp = scaled % (unsigned long long)pow10[decimals];
    if (scaled == 0)
        neg = false;
    if (decimals == 0)
        snprintf(buf, cap, "%s%llu", neg ? "-" : "", ip);
    else
        snprintf(buf, cap, "%s%llu.%0*llu", neg ? "-" : "", ip, decimals, fp);
}

void fl_report__fmt_us(char *buf, size_t cap, int64_t ns)
{
    bool neg = ns < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

    snprintf(buf, cap, "%s%llu.%03llu", neg ? "-" : "",
             (unsigned long long)(a / 1000), (unsigned long long)(a % 1000));
}

/* Trims trailing zeros (and a trailing '.') of a fixed-point number. */
static void fl_report__trim_zeros(char *s)
{
    char *dot = strchr(s, '.'), *e;

    if (!dot)
        return;
    e = s + strlen(s);
    while (e > dot + 1 && e[-1] == '0')
        *--e = '\0';
    if (e == dot + 1)
        *dot = '\0';
}

void fl_report__fmt_vtime(char *buf, size_t cap, int64_t ns)
{
    bool neg = ns < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    const char *unit;
    uint64_t div;
    char num[48];

    if (a == 0) {
        snprintf(buf, cap, "0 s");
        return;
    }
    if (a < 1000) {
        snprintf(buf, cap, "%s%llu ns", neg ? "-" : "", (unsigned long long)a);
        return;
    }
    if (a < 1000000) {
        unit = "\xc2\xb5s"; /* µs */
        div = 1000;
    } else if (a < 1000000000) {
        unit = "ms";
        div = 1000000;
    } else {
        unit = "s";
        div = 1000000000;
    }
    snprintf(num, sizeof num, "%llu.%0*llu", (unsigned long long)(a / div),
             div == 1000 ? 3 : div == 1000000 ? 6 : 9, (unsigned long long)(a % div));
    fl_report__trim_zeros(num);
    snprintf(buf, cap, "%s%s %s", neg ? "-" : "", num, unit);
}

void fl_report__fmt_iso8601(char *buf, size_t cap, int64_t unix_s, bool with_z)
{
    struct tm tm;
    time_t t = (time_t)unix_s;

    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "1970-01-01T00:00:00%s", with_z ? "Z" : "");
        return;
    }
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             with_z ? "Z" : "");
}
