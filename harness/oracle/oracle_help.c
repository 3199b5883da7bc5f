/*
 * oracle_help.c — helpers the checkers share (oracle_int.h): an
 * incarnation's end and exit reason, restartability, the virtual time a
 * supervisor spent busy in starts and stops (what excuses a late action),
 * admin-call windows, lookups and names.
 */
#include "oracle/oracle_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fl_oracle__streq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* ---- helpers used by the checkers -------------------------------------------------- */

int32_t fl_oracle__end(const fl_oracle__inc *c) {
    int32_t sup = fl_oracle__min(c->first[SV_EV_ESCALATED], c->sup_end);
    return fl_oracle__min(fl_oracle__first2(c, SV_EV_CRASH, SV_EV_EXIT), sup);
}

bool fl_oracle__spontaneous(const fl_oracle__inc *c) {
    int32_t e = fl_oracle__end(c);
    return e != FL_ORACLE__NONE && e < c->first[SV_EV_STOP_REQUESTED];
}

int fl_oracle__end_reason(const fl_oracle__index *x, const fl_oracle__inc *c) {
    int32_t e = fl_oracle__end(c);
    return e == FL_ORACLE__NONE ? -1 : x->tr[e].ev.reason;
}

bool fl_oracle__restartable(sv_restart r, int reason) {
    if (r == SV_PERMANENT) return true;
    if (r == SV_TEMPORARY) return false;
    return reason != SV_EXIT_NORMAL && reason != SV_EXIT_SHUTDOWN;
}

static int fl_oracle__cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Measure of the union of [lo[k], hi[k]) clipped to [t0, t1]. Sorts both
 * arrays independently: the union of intervals is the set of points where
 * more intervals have begun than ended, which sorted ends read the same. */
static int64_t fl_oracle__covered(int64_t *lo, int64_t *hi, size_t n, int64_t t0, int64_t t1) {
    qsort(lo, n, sizeof *lo, fl_oracle__cmp_i64);
    qsort(hi, n, sizeof *hi, fl_oracle__cmp_i64);
    int64_t sum = 0, from = 0;
    size_t a = 0, b = 0, open = 0;
    while (a < n || b < n) {
        bool start = a < n && (b >= n || lo[a] < hi[b]);
        int64_t t = start ? lo[a++] : hi[b++];
        if (start && open++ == 0) from = t;
        if (!start && --open == 0) {
            int64_t p = from > t0 ? from : t0, q = t < t1 ? t : t1;
            if (q > p) sum += q - p;
        }
    }
    return sum;
}

/* Virtual time within [t0, t1] during which supervisor instance `in` was
 * inside a start (START .. STARTED/START_FAILED: init hooks, "sv.start"
 * sleeps) or a stop (STOP_REQUESTED .. JOINED/UNSTOPPED: waiting for a
 * worker): the only times it cannot act on a report. */
static int64_t fl_oracle__busy_ns(const fl_oracle__index *x, int in, int64_t t0, int64_t t1) {
    const fl_oracle__inst *s = &x->inst[in];
    size_t room = 0;
    for (size_t ci = 0; ci < s->n; ci++) room += 2 * s->ch[ci].n;
    int64_t *lo = malloc((room + 1) * sizeof *lo), *hi = malloc((room + 1) * sizeof *hi);
    if (!lo || !hi) { /* cannot tell: call it busy (excuse, never accuse) */
        free(lo), free(hi);
        return t1 - t0;
    }
    size_t n = 0;
    for (size_t ci = 0; ci < s->n; ci++)
        for (size_t k = 0; k < s->ch[ci].n; k++) {
            const fl_oracle__inc *r = &s->ch[ci].incs[k];
            int32_t a[2] = {r->first[SV_EV_START], r->first[SV_EV_STOP_REQUESTED]};
            int32_t b[2] = {fl_oracle__min(fl_oracle__running(r), r->first[SV_EV_START_FAILED]), fl_oracle__term(r)};
            for (int j = 0; j < 2; j++) {
                if (a[j] == FL_ORACLE__NONE) continue;
                lo[n] = x->tr[a[j]].ev.time_ns;
                hi[n++] = b[j] == FL_ORACLE__NONE ? t1 : x->tr[b[j]].ev.time_ns;
            }
        }
    int64_t busy = fl_oracle__covered(lo, hi, n, t0, t1);
    free(lo), free(hi);
    return busy;
}

bool fl_oracle__busy(const fl_oracle__index *x, int in, int32_t i, int32_t j) {
    int64_t t0 = x->tr[i].ev.time_ns, t1 = x->tr[j].ev.time_ns;
    return t1 <= t0 || t1 - t0 <= fl_oracle__busy_ns(x, in, t0, t1);
}

bool fl_oracle__excused(const fl_oracle__index *x, int in, int32_t i) {
    const fl_oracle__inst *s = &x->inst[in];
    if (s->stop_trig == FL_ORACLE__NONE) return false;
    if (s->stop_trig <= i) return true;
    int64_t t0 = x->tr[i].ev.time_ns, t1 = x->tr[s->stop_trig].ev.time_ns, backoff = 0;
    if (t1 <= t0) return true;
    for (int32_t j = i; j <= s->stop_trig; j++)
        if (x->ref[j].inst == in && x->tr[j].ev.kind == SV_EV_BACKOFF && x->tr[j].ev.detail_ns > backoff)
            backoff = x->tr[j].ev.detail_ns;
    return t1 - t0 <= fl_oracle__busy_ns(x, in, t0, t1) + backoff;
}

bool fl_oracle__in_admin(const fl_oracle__index *x, int in, const char *id, int32_t i) {
    if (!x->run) return false;
    uint64_t seq = x->tr[i].ev.seq;
    for (size_t a = 0; a < x->run->nadmin; a++) {
        const fl_oracle_admin_call *c = &x->run->admin[a];
        if (seq > c->seq_before && seq <= c->seq_after && fl_oracle__streq(c->child, id) &&
            (!c->sup || fl_oracle__streq(c->sup, x->inst[in].name)))
            return true;
    }
    return false;
}

int32_t fl_oracle__next(const fl_oracle__index *x, int in, int ci, sv_event_kind kind, int32_t after) {
    for (size_t i = after == FL_ORACLE__NONE ? x->n : (size_t)after + 1; i < x->n; i++)
        if (x->tr[i].ev.kind == kind && x->ref[i].inst == in && x->ref[i].child == ci) return (int32_t)i;
    return FL_ORACLE__NONE;
}

const fl_oracle__pchild *fl_oracle__pchild_of(const fl_oracle__index *x, int in, int child) {
    const fl_oracle__inst *s = &x->inst[in];
    int pc = s->ch[child].pc;
    return s->psup >= 0 && pc >= 0 ? &x->pol->sups[s->psup].ch[pc] : NULL;
}

const char *fl_oracle__name(const fl_oracle__index *x, int in, int child, uint32_t inc, char *buf, size_t cap) {
    const fl_oracle__inst *s = &x->inst[in];
    char ins[24] = "";
    if (child >= 0 && s->ch[child].instance) snprintf(ins, sizeof ins, "[%u]", s->ch[child].instance);
    if (child < 0) snprintf(buf, cap, "%s", s->name);
    else if (!inc) snprintf(buf, cap, "%s/%s%s", s->name, s->ch[child].id, ins);
    else snprintf(buf, cap, "%s/%s%s#%u", s->name, s->ch[child].id, ins, inc);
    return buf;
}

void fl_oracle__viol2(const fl_oracle__index *x, fl_oracle_verdict *vd, fl_oracle_inv inv, int32_t a, int32_t b,
                      const char *msg) {
    uint64_t seqs[2];
    size_t n = 0;
    if (a != FL_ORACLE__NONE) seqs[n++] = fl_oracle__seq(x, a);
    if (b != FL_ORACLE__NONE) seqs[n++] = fl_oracle__seq(x, b);
    fl_oracle_verdict_add(vd, inv, seqs, n, "%s", msg);
}

