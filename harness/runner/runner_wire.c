/*
 * runner_wire.c — the serialisation of an fl_runner_part between a pool's
 * child and its parent (fl_runner.h).
 *
 * Both ends are the same binary (a fork), so integers travel in native byte
 * order at fixed widths. The message:
 *
 *   "FLP1"  u32 total length (magic included)
 *   part:   i32 err, u8 hit, u8 interrupted, str verbose, i32 status,
 *           str sched_report
 *   case:   str path, str name, u32 runs, u32 failed_runs, f64 time_s,
 *           u8 skipped, str skip_reason, u8 expect_fail, str expect_invariant,
 *           u8 passed, u64 seed, str invariant, str message, str schedule,
 *           str replay, i64 virtual_ns, u32 ntrace, ntrace × event,
 *           u32 nthreads, nthreads × thread
 *   event:  u64 seq, i64 time_ns, i32 kind, u32 incarnation, i32 reason,
 *           i32 err, i64 detail_ns, str sup, str child, str message,
 *           str backtrace, u32 thread
 *   thread: str name, i64 start_ns, i64 end_ns
 *   str:    u32 length (0xffffffff: NULL) then that many bytes (no NUL)
 *
 * The reader checks every length against what is left and the total against
 * the buffer, so any byte string is safe input: it either decodes to the
 * same part or fails with -EPROTO.
 */
#include "runner/runner_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FL_RUNNER__WIRE_MAGIC "FLP1"
#define FL_RUNNER__WIRE_NULL 0xffffffffu

/* ---- writing ---------------------------------------------------------------- */

typedef struct fl_runner__wbuf {
    char *p;
    size_t n, cap;
    bool oom;
} fl_runner__wbuf;

static void fl_runner__put(fl_runner__wbuf *b, const void *src, size_t n) {
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

#define FL_RUNNER__PUT(b, type, v) do { type fl__v = (type)(v); fl_runner__put((b), &fl__v, sizeof fl__v); } while (0)

static void fl_runner__put_str(fl_runner__wbuf *b, const char *s) {
    if (!s) {
        FL_RUNNER__PUT(b, uint32_t, FL_RUNNER__WIRE_NULL);
        return;
    }
    size_t n = strlen(s);
    if (n >= FL_RUNNER__WIRE_NULL) n = FL_RUNNER__WIRE_NULL - 1; /* cut, never mistaken for NULL */
    FL_RUNNER__PUT(b, uint32_t, n);
    fl_runner__put(b, s, n);
}

int fl_runner_part_encode(const fl_runner_part *part, char **buf, size_t *len) {
    fl_runner__wbuf b = {0};
    const fl_case *c = &part->c;
    fl_runner__put(&b, FL_RUNNER__WIRE_MAGIC, 4);
    FL_RUNNER__PUT(&b, uint32_t, 0); /* total, patched below */
    FL_RUNNER__PUT(&b, int32_t, part->err);
    FL_RUNNER__PUT(&b, uint8_t, part->hit);
    FL_RUNNER__PUT(&b, uint8_t, part->interrupted);
    fl_runner__put_str(&b, part->verbose);
    FL_RUNNER__PUT(&b, int32_t, part->status);
    fl_runner__put_str(&b, part->sched_report);
    fl_runner__put_str(&b, c->path);
    fl_runner__put_str(&b, c->name);
    FL_RUNNER__PUT(&b, uint32_t, c->runs);
    FL_RUNNER__PUT(&b, uint32_t, c->failed_runs);
    FL_RUNNER__PUT(&b, double, c->time_s);
    FL_RUNNER__PUT(&b, uint8_t, c->skipped);
    fl_runner__put_str(&b, c->skip_reason);
    FL_RUNNER__PUT(&b, uint8_t, c->expect_fail);
    fl_runner__put_str(&b, c->expect_invariant);
    FL_RUNNER__PUT(&b, uint8_t, c->passed);
    FL_RUNNER__PUT(&b, uint64_t, c->seed);
    fl_runner__put_str(&b, c->invariant);
    fl_runner__put_str(&b, c->message);
    fl_runner__put_str(&b, c->schedule);
    fl_runner__put_str(&b, c->replay);
    FL_RUNNER__PUT(&b, int64_t, c->virtual_ns);
    FL_RUNNER__PUT(&b, uint32_t, c->ntrace);
    for (size_t i = 0; i < c->ntrace; i++) {
        const sv_event *e = &c->trace[i].ev;
        FL_RUNNER__PUT(&b, uint64_t, e->seq);
        FL_RUNNER__PUT(&b, int64_t, e->time_ns);
        FL_RUNNER__PUT(&b, int32_t, e->kind);
        FL_RUNNER__PUT(&b, uint32_t, e->incarnation);
        FL_RUNNER__PUT(&b, int32_t, e->reason);
        FL_RUNNER__PUT(&b, int32_t, e->err);
        FL_RUNNER__PUT(&b, int64_t, e->detail_ns);
        fl_runner__put_str(&b, e->sup);
        fl_runner__put_str(&b, e->child);
        fl_runner__put_str(&b, e->message);
        fl_runner__put_str(&b, e->backtrace);
        FL_RUNNER__PUT(&b, uint32_t, c->trace[i].thread);
    }
    FL_RUNNER__PUT(&b, uint32_t, c->nthreads);
    for (size_t i = 0; i < c->nthreads; i++) {
        fl_runner__put_str(&b, c->threads[i].name);
        FL_RUNNER__PUT(&b, int64_t, c->threads[i].start_ns);
        FL_RUNNER__PUT(&b, int64_t, c->threads[i].end_ns);
    }
    if (b.oom || b.n > UINT32_MAX) {
        free(b.p);
        return -ENOMEM;
    }
    uint32_t total = (uint32_t)b.n;
    memcpy(b.p + 4, &total, sizeof total);
    *buf = b.p;
    *len = b.n;
    return 0;
}

/* ---- reading ------------------------------------------------------------------ */

typedef struct fl_runner__rbuf {
    const char *p;
    size_t left;
    int err;          /* first error: -EPROTO or -ENOMEM */
} fl_runner__rbuf;

static void fl_runner__get(fl_runner__rbuf *b, void *dst, size_t n) {
    if (b->err || b->left < n) {
        if (!b->err) b->err = -EPROTO;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, b->p, n);
    b->p += n;
    b->left -= n;
}

#define FL_RUNNER__GET(b, type, lv) do { type fl__v; fl_runner__get((b), &fl__v, sizeof fl__v); (lv) = fl__v; } while (0)

static char *fl_runner__get_str(fl_runner__rbuf *b) {
    uint32_t n;
    FL_RUNNER__GET(b, uint32_t, n);
    if (b->err || n == FL_RUNNER__WIRE_NULL) return NULL;
    if (n > b->left) {
        b->err = -EPROTO;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        b->err = -ENOMEM;
        return NULL;
    }
    memcpy(s, b->p, n);
    s[n] = '\0';
    b->p += n;
    b->left -= n;
    return s;
}

int fl_runner_part_decode(const char *buf, size_t len, fl_runner_part *part) {
    memset(part, 0, sizeof *part);
    fl_case *c = &part->c;
    fl_runner__rbuf b = {.p = buf, .left = len};
    char magic[4];
    uint32_t total, u32;
    uint8_t u8;
    int32_t i32;
    fl_runner__get(&b, magic, 4);
    FL_RUNNER__GET(&b, uint32_t, total);
    if (b.err || memcmp(magic, FL_RUNNER__WIRE_MAGIC, 4) != 0 || total != len) return -EPROTO;
    FL_RUNNER__GET(&b, int32_t, i32);
    part->err = i32;
    FL_RUNNER__GET(&b, uint8_t, u8);
    part->hit = u8 != 0;
    FL_RUNNER__GET(&b, uint8_t, u8);
    part->interrupted = u8 != 0;
    part->verbose = fl_runner__get_str(&b);
    FL_RUNNER__GET(&b, int32_t, i32);
    part->status = i32;
    part->sched_report = fl_runner__get_str(&b);
    c->path = fl_runner__get_str(&b);
    c->name = fl_runner__get_str(&b);
    FL_RUNNER__GET(&b, uint32_t, c->runs);
    FL_RUNNER__GET(&b, uint32_t, c->failed_runs);
    FL_RUNNER__GET(&b, double, c->time_s);
    FL_RUNNER__GET(&b, uint8_t, u8);
    c->skipped = u8 != 0;
    c->skip_reason = fl_runner__get_str(&b);
    FL_RUNNER__GET(&b, uint8_t, u8);
    c->expect_fail = u8 != 0;
    c->expect_invariant = fl_runner__get_str(&b);
    FL_RUNNER__GET(&b, uint8_t, u8);
    c->passed = u8 != 0;
    FL_RUNNER__GET(&b, uint64_t, c->seed);
    c->invariant = fl_runner__get_str(&b);
    c->message = fl_runner__get_str(&b);
    c->schedule = fl_runner__get_str(&b);
    c->replay = fl_runner__get_str(&b);
    FL_RUNNER__GET(&b, int64_t, c->virtual_ns);
    FL_RUNNER__GET(&b, uint32_t, u32);
    /* every event takes at least 60 bytes: a count past that is a lie */
    if (!b.err && (size_t)u32 > b.left / 60) b.err = -EPROTO;
    fl_event *tr = !b.err && u32 ? calloc(u32, sizeof *tr) : NULL;
    if (!b.err && u32 && !tr) b.err = -ENOMEM;
    c->trace = tr;
    for (uint32_t i = 0; !b.err && i < u32; i++) {
        fl_event *e = &tr[i];
        FL_RUNNER__GET(&b, uint64_t, e->ev.seq);
        FL_RUNNER__GET(&b, int64_t, e->ev.time_ns);
        FL_RUNNER__GET(&b, int32_t, i32);
        e->ev.kind = (sv_event_kind)i32;
        FL_RUNNER__GET(&b, uint32_t, e->ev.incarnation);
        FL_RUNNER__GET(&b, int32_t, e->ev.reason);
        FL_RUNNER__GET(&b, int32_t, e->ev.err);
        FL_RUNNER__GET(&b, int64_t, e->ev.detail_ns);
        e->ev.sup = e->sup = fl_runner__get_str(&b);
        e->ev.child = e->child = fl_runner__get_str(&b);
        e->ev.message = e->message = fl_runner__get_str(&b);
        e->ev.backtrace = e->backtrace = fl_runner__get_str(&b);
        FL_RUNNER__GET(&b, uint32_t, e->thread);
        c->ntrace = (size_t)i + 1; /* what fl_runner_part_free must clear */
    }
    FL_RUNNER__GET(&b, uint32_t, u32);
    /* every thread takes at least 20 bytes */
    if (!b.err && (size_t)u32 > b.left / 20) b.err = -EPROTO;
    fl_thread *th = !b.err && u32 ? calloc(u32, sizeof *th) : NULL;
    if (!b.err && u32 && !th) b.err = -ENOMEM;
    c->threads = th;
    for (uint32_t i = 0; !b.err && i < u32; i++) {
        th[i].name = fl_runner__get_str(&b);
        FL_RUNNER__GET(&b, int64_t, th[i].start_ns);
        FL_RUNNER__GET(&b, int64_t, th[i].end_ns);
        c->nthreads = (size_t)i + 1;
    }
    if (!b.err && b.left != 0) b.err = -EPROTO;
    if (b.err) {
        fl_runner_part_free(part);
        return b.err;
    }
    return 0;
}
