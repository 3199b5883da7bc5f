/*
 * schedule.c — encode/decode of the fl1: schedule string (see fl_sched.h).
 *
 * The decoder is a single left-to-right pass with a column counter: each
 * error names the first offending byte. It never reads past the NUL, bounds
 * every number, and checks the CRC last, so that a malformed string gets a
 * precise message and a well-formed but corrupted one gets "checksum".
 */
#include "sched/fl_sched.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char fl_sched__b32[] = "0123456789abcdefghijklmnopqrstuv";

#define FL_SCHED__CRC_DIGITS 7

static const struct { fl_sched_strategy s; const char *name; } fl_sched__strat_names[] = {
    { FL_SCHED_STRAT_RANDOM, "random" }, { FL_SCHED_STRAT_PCT, "pct" },   { FL_SCHED_STRAT_RR, "rr" },
    { FL_SCHED_STRAT_REPLAY, "replay" }, { FL_SCHED_STRAT_FREE, "free" }, { FL_SCHED_STRAT_DFS, "dfs" },
    { FL_SCHED_STRAT_POS, "pos" },
};

const char *fl_sched_strategy_name(fl_sched_strategy s)
{
    for (size_t i = 0; i < sizeof fl_sched__strat_names / sizeof fl_sched__strat_names[0]; i++)
        if (fl_sched__strat_names[i].s == s) return fl_sched__strat_names[i].name;
    return "?";
}

int fl_sched_strategy_parse(const char *name, fl_sched_strategy *out)
{
    for (size_t i = 0; name && i < sizeof fl_sched__strat_names / sizeof fl_sched__strat_names[0]; i++)
        if (strcmp(fl_sched__strat_names[i].name, name) == 0) {
            *out = fl_sched__strat_names[i].s;
            return 0;
        }
    return -EINVAL;
}

bool fl_sched_strategy_seeded(fl_sched_strategy s)
{
    return s == FL_SCHED_STRAT_RANDOM || s == FL_SCHED_STRAT_PCT || s == FL_SCHED_STRAT_POS;
}

/* Strategies a schedule may name as its origin. */
static int fl_sched__origin_ok(fl_sched_strategy s)
{
    return fl_sched_strategy_seeded(s) || s == FL_SCHED_STRAT_RR || s == FL_SCHED_STRAT_DFS;
}

static uint32_t fl_sched__crc32(const char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= (unsigned char)p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static int fl_sched__digit(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'v') return ch - 'a' + 10;
    return -1;
}

/* ---- encoder ------------------------------------------------------------- */

typedef struct fl_sched__buf {
    char *p;
    size_t n, cap;
    int oom;
} fl_sched__buf;

static void fl_sched__put(fl_sched__buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1) cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) { b->oom = 1; return; }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void fl_sched__put_num(fl_sched__buf *b, uint64_t v)
{
    char d[16];
    size_t n = 0;
    do { d[n++] = fl_sched__b32[v & 31u]; v >>= 5; } while (v);
    char r[16];
    for (size_t i = 0; i < n; i++) r[i] = d[n - 1 - i];
    fl_sched__put(b, r, n);
}

static void fl_sched__put_vlq(fl_sched__buf *b, uint64_t v)
{
    char d[20];
    size_t n = 0;
    for (;;) {
        unsigned g = (unsigned)(v & 15u);
        v >>= 4;
        if (!v) { d[n++] = fl_sched__b32[g]; break; }
        d[n++] = fl_sched__b32[16u + g];
    }
    fl_sched__put(b, d, n);
}

char *fl_sched_schedule_format(const fl_sched_schedule *sc)
{
    if (!sc || !fl_sched__origin_ok(sc->strategy) || sc->end > FL_SCHED_BUDGET ||
        (sc->flags & ~(FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED | FL_SCHED_SCHEDULE_TIMERS)) ||
        (sc->strategy != FL_SCHED_STRAT_PCT && (sc->depth || sc->pct_k)))
        return NULL;
    fl_sched__buf b = {0};
    char tmp[8];
    snprintf(tmp, sizeof tmp, "fl%d:", FL_SCHED_SCHEDULE_VERSION);
    fl_sched__put(&b, tmp, strlen(tmp));
    const char *name = fl_sched_strategy_name(sc->strategy);
    fl_sched__put(&b, name, strlen(name));
    fl_sched__put(&b, ".", 1);
    fl_sched__put_num(&b, sc->seed);
    fl_sched__put(&b, ".", 1);
    fl_sched__put_num(&b, sc->depth);
    fl_sched__put(&b, ".", 1);
    fl_sched__put_num(&b, sc->pct_k);
    fl_sched__put(&b, ".", 1);
    fl_sched__put_num(&b, sc->flags | ((uint32_t)sc->end << 2));
    fl_sched__put(&b, ".", 1);
    fl_sched__put_num(&b, sc->preemptions);
    fl_sched__put(&b, ".", 1);
    for (size_t i = 0; i < sc->nruns; i++) {
        if (sc->runs[i].len == 0 || sc->runs[i].tid > FL_SCHED_SCHEDULE_MAX_THREAD) {
            free(b.p);
            return NULL;
        }
        fl_sched__put_vlq(&b, sc->runs[i].tid);
        fl_sched__put_vlq(&b, sc->runs[i].len - 1);
    }
    if (b.oom) { free(b.p); return NULL; }
    uint32_t crc = fl_sched__crc32(b.p, b.n);
    char c[FL_SCHED__CRC_DIGITS + 2];
    c[0] = '.';
    for (int i = FL_SCHED__CRC_DIGITS; i >= 1; i--) { c[i] = fl_sched__b32[crc & 31u]; crc >>= 5; }
    fl_sched__put(&b, c, FL_SCHED__CRC_DIGITS + 1);
    if (b.oom) { free(b.p); return NULL; }
    return b.p;
}

/* ---- decoder ------------------------------------------------------------- */

typedef struct fl_sched__rd {
    const char *s;
    size_t i;
    char *err;
    size_t errlen;
} fl_sched__rd;

static int fl_sched__fail(fl_sched__rd *r, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fl_sched__fail(fl_sched__rd *r, size_t at, const char *fmt, ...)
{
    if (r->err && r->errlen) {
        int n = snprintf(r->err, r->errlen, "schedule:1:%zu: ", at + 1);
        if (n >= 0 && (size_t)n < r->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -EINVAL;
}

/* "'x'" or "end of schedule" for the byte at i, for messages. */
static const char *fl_sched__what(const fl_sched__rd *r, size_t i, char buf[16])
{
    unsigned char ch = (unsigned char)r->s[i];
    if (!ch) return "end of schedule";
    if (ch >= 0x21 && ch < 0x7f) snprintf(buf, 16, "'%c'", ch);
    else snprintf(buf, 16, "byte 0x%02x", ch);
    return buf;
}

static int fl_sched__expect(fl_sched__rd *r, char ch, const char *field)
{
    char w[16];
    if (r->s[r->i] != ch)
        return fl_sched__fail(r, r->i, "expected '%c' after %s, got %s", ch, field, fl_sched__what(r, r->i, w));
    r->i++;
    return 0;
}

/* A header number: base-32, no leading zero, at most max. */
static int fl_sched__num(fl_sched__rd *r, uint64_t max, const char *field, uint64_t *out)
{
    char w[16];
    size_t start = r->i;
    uint64_t v = 0;
    if (fl_sched__digit(r->s[r->i]) < 0)
        return fl_sched__fail(r, r->i, "expected base-32 digit (0-9, a-v) for %s, got %s", field,
                        fl_sched__what(r, r->i, w));
    if (r->s[r->i] == '0' && fl_sched__digit(r->s[r->i + 1]) >= 0)
        return fl_sched__fail(r, r->i, "%s has a leading zero", field);
    int d;
    while ((d = fl_sched__digit(r->s[r->i])) >= 0) {
        if (v > (max - (uint64_t)d) / 32u)
            return fl_sched__fail(r, start, "%s out of range (max %llu)", field, (unsigned long long)max);
        v = v * 32u + (uint64_t)d;
        r->i++;
    }
    *out = v;
    return 0;
}

/* A VLQ number of the choice list, at most max. */
static int fl_sched__vlq(fl_sched__rd *r, uint64_t max, const char *field, uint64_t *out)
{
    char w[16];
    size_t start = r->i;
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        int d = fl_sched__digit(r->s[r->i]);
        if (d < 0) {
            if (r->i == start)
                return fl_sched__fail(r, r->i, "expected base-32 digit for %s, got %s", field,
                                fl_sched__what(r, r->i, w));
            return fl_sched__fail(r, r->i, "expected base-32 digit to continue %s, got %s", field,
                            fl_sched__what(r, r->i, w));
        }
        uint64_t g = (uint64_t)(d & 15);
        if (shift >= 64) return fl_sched__fail(r, start, "%s out of range", field);
        if (d < 16 && g == 0 && shift > 0)
            return fl_sched__fail(r, r->i, "%s is not in canonical form (zero final digit)", field);
        v |= g << shift;
        r->i++;
        if (d < 16) break;
        shift += 4;
    }
    if (v > max) return fl_sched__fail(r, start, "%s %llu out of range (max %llu)", field,
                                 (unsigned long long)v, (unsigned long long)max);
    *out = v;
    return 0;
}

void fl_sched_schedule_free(fl_sched_schedule *sc)
{
    if (!sc) return;
    free(sc->runs);
    memset(sc, 0, sizeof *sc);
}

static int fl_sched__grow_runs(fl_sched_schedule *sc)
{
    if (sc->nruns < sc->runs_cap) return 0;
    size_t nc = sc->runs_cap ? sc->runs_cap * 2 : 16;
    fl_sched_schedule_run *p = realloc(sc->runs, nc * sizeof *p);
    if (!p) return -ENOMEM;
    sc->runs = p;
    sc->runs_cap = nc;
    return 0;
}

int fl_sched_schedule_push(fl_sched_schedule *sc, uint32_t tid)
{
    if (sc->nruns && sc->runs[sc->nruns - 1].tid == tid) {
        sc->runs[sc->nruns - 1].len++;
        sc->steps++;
        return 0;
    }
    if (fl_sched__grow_runs(sc)) return -ENOMEM;
    sc->runs[sc->nruns].tid = tid;
    sc->runs[sc->nruns].len = 1;
    sc->nruns++;
    sc->steps++;
    return 0;
}

uint64_t fl_sched_schedule_switches(const fl_sched_schedule *sc)
{
    return sc->nruns ? sc->nruns - 1 : 0;
}

int fl_sched_schedule_parse(const char *s, fl_sched_schedule *out, char *err, size_t errlen)
{
    fl_sched__rd r = { s ? s : "", 0, err, errlen };
    char w[16];
    int rc;
    uint64_t v;
    memset(out, 0, sizeof *out);
    if (err && errlen) err[0] = '\0';

    if (r.s[0] != 'f' || r.s[1] != 'l')
        return fl_sched__fail(&r, r.s[0] == 'f' ? 1 : 0, "expected 'fl1:' (a faultline schedule)");
    r.i = 2;
    if (r.s[r.i] < '0' || r.s[r.i] > '9')
        return fl_sched__fail(&r, r.i, "expected schedule version digit after 'fl', got %s",
                        fl_sched__what(&r, r.i, w));
    {
        size_t vs = r.i;
        uint64_t ver = 0;
        if (r.s[r.i] == '0')
            return fl_sched__fail(&r, r.i, "schedule version has a leading zero");
        while (r.s[r.i] >= '0' && r.s[r.i] <= '9' && ver < 1000000) ver = ver * 10 + (uint64_t)(r.s[r.i++] - '0');
        if (r.s[r.i] != ':')
            return fl_sched__fail(&r, r.i, "expected ':' after schedule version, got %s", fl_sched__what(&r, r.i, w));
        if (ver != FL_SCHED_SCHEDULE_VERSION)
            return fl_sched__fail(&r, vs, "unsupported schedule version fl%.*s: (this build reads fl%d:)",
                            (int)(r.i - vs), r.s + vs, FL_SCHED_SCHEDULE_VERSION);
        r.i++;
    }
    /* strategy word */
    {
        size_t ws = r.i;
        char word[8];
        size_t n = 0;
        while (r.s[r.i] >= 'a' && r.s[r.i] <= 'z') {
            if (n + 1 < sizeof word) word[n] = r.s[r.i];
            n++;
            r.i++;
        }
        if (n == 0 || n + 1 > sizeof word)
            return fl_sched__fail(&r, ws, "expected strategy (random, pct, pos, rr, dfs)");
        word[n] = '\0';
        if (fl_sched_strategy_parse(word, &out->strategy) < 0 || !fl_sched__origin_ok(out->strategy))
            return fl_sched__fail(&r, ws, "unknown strategy '%s' (expected random, pct, pos, rr, dfs)", word);
        if ((rc = fl_sched__expect(&r, '.', "strategy"))) return rc;
    }
    if ((rc = fl_sched__num(&r, UINT64_MAX, "seed", &out->seed)) || (rc = fl_sched__expect(&r, '.', "seed")))
        return rc;
    size_t depth_at = r.i;
    if ((rc = fl_sched__num(&r, 1000000, "depth", &v)) || (rc = fl_sched__expect(&r, '.', "depth"))) return rc;
    out->depth = (uint32_t)v;
    if ((rc = fl_sched__num(&r, UINT64_MAX, "k", &out->pct_k)) || (rc = fl_sched__expect(&r, '.', "k"))) return rc;
    if (out->strategy != FL_SCHED_STRAT_PCT && (out->depth || out->pct_k))
        return fl_sched__fail(&r, depth_at, "depth and k must be 0 for strategy %s",
                        fl_sched_strategy_name(out->strategy));
    {
        size_t fs = r.i;
        if ((rc = fl_sched__num(&r, FL_SCHED_SCHEDULE_FLAG_MASK, "flags", &v))) return rc;
        if (((v >> 2) & 3) > FL_SCHED_BUDGET) return fl_sched__fail(&r, fs, "flags name an unknown end status");
        out->flags = (uint32_t)v & (FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED | FL_SCHED_SCHEDULE_TIMERS);
        out->end = (fl_sched_status)((v >> 2) & 3);
        if ((rc = fl_sched__expect(&r, '.', "flags"))) return rc;
    }
    if ((rc = fl_sched__num(&r, UINT64_MAX, "preemptions", &out->preemptions)) ||
        (rc = fl_sched__expect(&r, '.', "preemptions")))
        return rc;
    /* choices */
    while (r.s[r.i] != '.') {
        uint64_t tid, len;
        if (r.s[r.i] == '\0') {
            rc = fl_sched__fail(&r, r.i, "unexpected end of schedule in the choice list, expected '.' and checksum");
            goto fail;
        }
        if ((rc = fl_sched__vlq(&r, FL_SCHED_SCHEDULE_MAX_THREAD, "thread id", &tid))) goto fail;
        if (r.s[r.i] == '.' || r.s[r.i] == '\0') {
            rc = fl_sched__fail(&r, r.i, "expected run length after thread id %llu", (unsigned long long)tid);
            goto fail;
        }
        size_t ls = r.i;
        if ((rc = fl_sched__vlq(&r, (uint64_t)1 << 40, "run length", &len))) goto fail;
        if (out->steps + len + 1 > ((uint64_t)1 << 40)) {
            rc = fl_sched__fail(&r, ls, "schedule longer than 2^40 steps");
            goto fail;
        }
        if (out->nruns && out->runs[out->nruns - 1].tid == tid) {
            rc = fl_sched__fail(&r, ls - 1, "thread id repeats the previous run (not canonical)");
            goto fail;
        }
        if ((rc = fl_sched__grow_runs(out))) goto fail;
        out->runs[out->nruns].tid = (uint32_t)tid;
        out->runs[out->nruns].len = len + 1;
        out->nruns++;
        out->steps += len + 1;
    }
    {
        size_t body = r.i;
        r.i++;
        uint64_t crc = 0;
        for (int k = 0; k < FL_SCHED__CRC_DIGITS; k++) {
            int d = fl_sched__digit(r.s[r.i]);
            if (d < 0) {
                rc = fl_sched__fail(&r, r.i, "expected base-32 digit in checksum (%d digits), got %s",
                              FL_SCHED__CRC_DIGITS, fl_sched__what(&r, r.i, w));
                goto fail;
            }
            crc = crc * 32u + (uint64_t)d;
            r.i++;
        }
        if (r.s[r.i] != '\0') {
            rc = fl_sched__fail(&r, r.i, "expected end of schedule after checksum, got %s", fl_sched__what(&r, r.i, w));
            goto fail;
        }
        if (crc != fl_sched__crc32(r.s, body)) {
            rc = fl_sched__fail(&r, body + 1, "checksum mismatch: the schedule is corrupted or truncated");
            goto fail;
        }
    }
    return 0;
fail:
    fl_sched_schedule_free(out);
    return rc;
}
