/*
 * failpoint.c — failpoint specs and the process-global registry (see
 * failpoint.h for the grammar and the evaluation rule).
 *
 * Invariants: fl_fp__reg.mu guards every field of fl_fp__reg and of its entries;
 * it is a plain pthread mutex (real platform), held only for table work, never across an
 * action (sleep, yield, panic, segv) or any seam call, so it is never held
 * at a scheduling point of the controlled platform.
 */
#include "failpoint/fl_failpoint.h"
#include "real/fl_real.h"
#include "lex/fl_lex.h"
#include "rng/fl_rng.h"
#include "sv.h"
#include "sv_plat.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fl_fp__term {
    uint32_t ppm;          /* 1e6 = always */
    uint32_t count;        /* 0 = unlimited */
    fl_fp_action action;
    int value;             /* RETURN */
    uint32_t ms;           /* SLEEP */
    char msg[FL_FP_MSG_MAX]; /* PANIC */
} fl_fp__term;

struct fl_fp_spec {
    bool has_worker;
    char worker[FL_LEX_ID_MAX + 1];
    size_t n;
    fl_fp__term *t;
};

/* ---- parsing ----------------------------------------------------------------- */

void fl_fp_spec_free(fl_fp_spec *sp) {
    if (!sp) return;
    free(sp->t);
    free(sp);
}

static int fl_fp__fp_action(fl_lex_cur *c, fl_fp__term *t) {
    static const struct { const char *name; fl_fp_action a; } acts[] = {
        {"off", FL_FP_OFF},     {"return", FL_FP_RETURN}, {"panic", FL_FP_PANIC},
        {"sleep", FL_FP_SLEEP}, {"yield", FL_FP_YIELD},   {"segv", FL_FP_SEGV},
    };
    size_t n = 0;
    while (c->p + n < c->end && c->p[n] >= 'a' && c->p[n] <= 'z') n++;
    size_t i;
    for (i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (strlen(acts[i].name) == n && memcmp(c->p, acts[i].name, n) == 0) break;
    if (i == sizeof acts / sizeof acts[0])
        return fl_lex_err(c, "expected an action: off, return, panic, sleep, yield or segv");
    c->p += n;
    t->action = acts[i].a;
    t->value = -EIO;
    snprintf(t->msg, sizeof t->msg, "%s", "injected panic");
    bool paren = fl_lex_lit(c, "(");
    switch (t->action) {
    case FL_FP_RETURN:
        if (!paren) return 0;
        if (fl_lex_int(c, &t->value, "an integer return value")) return -EINVAL;
        break;
    case FL_FP_PANIC: {
        if (!paren) return 0;
        const char *s = c->p;
        while (c->p < c->end && *c->p != ')') c->p++;
        size_t len = (size_t)(c->p - s);
        if (c->p == c->end) return fl_lex_err(c, "expected ')' closing the panic message");
        if (len >= sizeof t->msg) {
            c->p = s;
            return fl_lex_err(c, "expected a panic message of at most %d bytes", (int)sizeof t->msg - 1);
        }
        memcpy(t->msg, s, len);
        t->msg[len] = '\0';
        break;
    }
    case FL_FP_SLEEP:
        if (!paren) return fl_lex_err(c, "expected '(' and a time in milliseconds after sleep");
        if (fl_lex_u32(c, 86400000u, &t->ms, "a time in milliseconds")) return -EINVAL;
        break;
    default:
        if (paren) {
            c->p--;
            return fl_lex_err(c, "expected '->' or the end of the spec (this action takes no argument)");
        }
        return 0;
    }
    if (!fl_lex_lit(c, ")")) return fl_lex_err(c, "expected ')'");
    return 0;
}

static int fl_fp__fp_term(fl_lex_cur *c, fl_fp__term *t) {
    memset(t, 0, sizeof *t);
    t->ppm = 1000000;
    const char *q = c->p;
    while (q < c->end && ((*q >= '0' && *q <= '9') || *q == '.')) q++;
    if (q != c->p && q < c->end && *q == '%') {
        if (fl_lex_pct(c, 0, &t->ppm)) return -EINVAL;
        q = c->p;
        while (q < c->end && *q >= '0' && *q <= '9') q++;
    }
    if (q != c->p) {
        if (q == c->end || *q != '*')
            return fl_lex_err_col(c, fl_lex_col(c) + (int)(q - c->p), "expected '%%' or '*' after a number");
        const char *cnt = c->p;
        if (fl_lex_u32(c, UINT32_MAX, &t->count, "a count")) return -EINVAL;
        if (t->count == 0) {
            c->p = cnt;
            return fl_lex_err(c, "expected a count of at least 1");
        }
        c->p++; /* '*' */
    }
    return fl_fp__fp_action(c, t);
}

int fl_fp_parse(const char *spec, size_t len, const char *where, int line, int col,
                fl_fp_spec **out, fl_lex_diag *diag) {
    fl_lex_cur c = {.where = where, .bol = spec, .p = spec, .end = spec + len,
                 .line = line, .col0 = col - 1, .diag = diag};
    fl_fp_spec *sp = calloc(1, sizeof *sp);
    if (!sp) return -ENOMEM;
    int r = -EINVAL;
    for (const char *q = spec; q < spec + len; q++)
        if (*q == '\0' || *q == '\n') {
            c.p = q;
            fl_lex_err(&c, "expected a one-line spec without NUL or newline bytes");
            goto fail;
        }
    fl_lex_ws(&c);
    if (fl_lex_lit(&c, "[")) {
        fl_lex_ws(&c);
        if (!fl_lex_lit(&c, "worker")) { fl_lex_err(&c, "expected 'worker' in the filter"); goto fail; }
        if (!fl_lex_peek(&c, ' ')) { fl_lex_err(&c, "expected a space after 'worker'"); goto fail; }
        fl_lex_ws(&c);
        if (fl_lex_ident(&c, sp->worker, sizeof sp->worker, "a worker id")) goto fail;
        fl_lex_ws(&c);
        if (!fl_lex_lit(&c, "]")) { fl_lex_err(&c, "expected ']' closing the filter"); goto fail; }
        sp->has_worker = true;
        fl_lex_ws(&c);
    }
    for (;;) {
        fl_lex_ws(&c);
        if (c.p == c.end) { fl_lex_err(&c, "expected a term such as return(-5), 50%%panic(x) or 2*off"); goto fail; }
        fl_fp__term *nt = realloc(sp->t, (sp->n + 1) * sizeof *nt);
        if (!nt) { r = -ENOMEM; goto fail; }
        sp->t = nt;
        if (fl_fp__fp_term(&c, &sp->t[sp->n])) goto fail;
        sp->n++;
        fl_lex_ws(&c);
        if (c.p == c.end) break;
        if (!fl_lex_lit(&c, "->")) { fl_lex_err(&c, "expected '->' or the end of the spec"); goto fail; }
    }
    *out = sp;
    return 0;
fail:
    fl_fp_spec_free(sp);
    return r;
}

size_t fl_fp_spec_nterms(const fl_fp_spec *sp) { return sp->n; }
fl_fp_action fl_fp_spec_action(const fl_fp_spec *sp, size_t i) { return sp->t[i].action; }
uint32_t fl_fp_spec_ppm(const fl_fp_spec *sp, size_t i) { return sp->t[i].ppm; }
void fl_fp_spec_set_ppm(fl_fp_spec *sp, size_t i, uint32_t ppm) { sp->t[i].ppm = ppm > 1000000 ? 1000000 : ppm; }

bool fl_fp_spec_has(const fl_fp_spec *sp, fl_fp_action a) {
    for (size_t i = 0; i < sp->n; i++)
        if (sp->t[i].action == a) return true;
    return false;
}

size_t fl_fp_spec_format(const fl_fp_spec *sp, char *buf, size_t cap) {
    static const char *names[] = {"off", "return", "panic", "sleep", "yield", "segv"};
    size_t n = 0;
    char tmp[FL_FP_MSG_MAX + 96];
#define FL_FP__PUT(...) do { int k_ = snprintf(tmp, sizeof tmp, __VA_ARGS__); \
        if (k_ > 0) { if (n < cap) snprintf(buf + n, cap - n, "%s", tmp); n += (size_t)k_; } } while (0)
    if (cap) buf[0] = '\0';
    if (sp->has_worker) FL_FP__PUT("[worker %s] ", sp->worker);
    for (size_t i = 0; i < sp->n; i++) {
        const fl_fp__term *t = &sp->t[i];
        if (i) FL_FP__PUT("->");
        if (t->ppm != 1000000) {
            if (t->ppm % 10000 == 0) FL_FP__PUT("%u%%", t->ppm / 10000);
            else FL_FP__PUT("%u.%04u%%", t->ppm / 10000, t->ppm % 10000);
        }
        if (t->count) FL_FP__PUT("%u*", t->count);
        FL_FP__PUT("%s", names[t->action]);
        if (t->action == FL_FP_RETURN) FL_FP__PUT("(%d)", t->value);
        if (t->action == FL_FP_PANIC) FL_FP__PUT("(%s)", t->msg);
        if (t->action == FL_FP_SLEEP) FL_FP__PUT("(%u)", t->ms);
    }
#undef FL_FP__PUT
    return n;
}

/* ---- the registry --------------------------------------------------------------- */

typedef struct fl_fp__fp {
    char name[FL_FP_NAME_MAX];
    fl_fp_spec *spec;
    uint32_t *used;        /* per term: times fired */
    uint64_t rng;
    uint64_t fired;
} fl_fp__fp;

static struct {
    pthread_mutex_t mu;
    fl_fp__fp *v;
    size_t n;
    uint64_t seed;
    _Atomic size_t live;   /* n, readable without the lock (fast path) */
} fl_fp__reg = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void fl_fp__lock(void) { if (fl_real.pthread_mutex_lock(&fl_fp__reg.mu)) abort(); }
static void fl_fp__unlock(void) { if (fl_real.pthread_mutex_unlock(&fl_fp__reg.mu)) abort(); }

bool fl_fp_name_ok(const char *name, size_t len) {
    if (len == 0 || len >= FL_FP_NAME_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == ':' || ch == '/' || ch == '-'))
            return false;
    }
    return true;
}

static void fl_fp__fp_rewind(fl_fp__fp *e) {
    e->rng = fl_rng_hash(fl_fp__reg.seed, e->name);
    e->fired = 0;
    memset(e->used, 0, e->spec->n * sizeof *e->used);
}

int fl_fp_install(const char *name, fl_fp_spec *sp) {
    if (!name || !sp || !fl_fp_name_ok(name, strlen(name))) {
        fl_fp_spec_free(sp);
        return -EINVAL;
    }
    uint32_t *used = calloc(sp->n ? sp->n : 1, sizeof *used);
    if (!used) {
        fl_fp_spec_free(sp);
        return -ENOMEM;
    }
    fl_fp__lock();
    size_t i;
    for (i = 0; i < fl_fp__reg.n; i++)
        if (strcmp(fl_fp__reg.v[i].name, name) == 0) break;
    if (i == fl_fp__reg.n) {
        fl_fp__fp *nv = realloc(fl_fp__reg.v, (fl_fp__reg.n + 1) * sizeof *nv);
        if (!nv) {
            fl_fp__unlock();
            free(used);
            fl_fp_spec_free(sp);
            return -ENOMEM;
        }
        fl_fp__reg.v = nv;
        memset(&nv[i], 0, sizeof nv[i]);
        snprintf(nv[i].name, sizeof nv[i].name, "%s", name);
        fl_fp__reg.n++;
    } else {
        fl_fp_spec_free(fl_fp__reg.v[i].spec);
        free(fl_fp__reg.v[i].used);
    }
    fl_fp__reg.v[i].spec = sp;
    fl_fp__reg.v[i].used = used;
    fl_fp__fp_rewind(&fl_fp__reg.v[i]);
    atomic_store(&fl_fp__reg.live, fl_fp__reg.n);
    fl_fp__unlock();
    return 0;
}

int fl_fp_set(const char *name, const char *spec, fl_lex_diag *diag) {
    if (!name || !fl_fp_name_ok(name, strlen(name))) {
        fl_lex_diag_set(diag, "failpoint", 0, 0, "expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]");
        return -EINVAL;
    }
    if (!spec) {
        fl_lex_diag_set(diag, "failpoint", 1, 1, "expected a spec");
        return -EINVAL;
    }
    fl_fp_spec *sp;
    int r = fl_fp_parse(spec, strlen(spec), "failpoint", 1, 1, &sp, diag);
    if (r) return r;
    return fl_fp_install(name, sp);
}

typedef struct fl_fp__pending { char name[FL_FP_NAME_MAX]; fl_fp_spec *sp; } fl_fp__pending;

/* Parse "name=spec;…" and, if install, install every item (all or none). */
static int fl_fp__load(const char *list, const char *where, bool install, fl_lex_diag *diag) {
    fl_fp__pending *pend = NULL;
    size_t npend = 0;
    int r = 0;
    fl_lex_cur c = {.where = where, .bol = list, .p = list, .end = list + strlen(list), .line = 1, .diag = diag};
    while (c.p < c.end) {
        const char *q = c.p;
        int depth = 0;
        while (q < c.end && !(*q == ';' && depth == 0)) {
            if (*q == '(') depth++;
            else if (*q == ')' && depth > 0) depth--;
            q++;
        }
        const char *item_end = q;
        fl_lex_ws(&c);
        if (c.p != item_end) {
            const char *nm = c.p;
            while (c.p < item_end && *c.p != '=' && *c.p != ' ' && *c.p != '\t') c.p++;
            size_t nlen = (size_t)(c.p - nm);
            if (!fl_fp_name_ok(nm, nlen)) {
                c.p = nm;
                r = fl_lex_err(&c, "expected a failpoint name of 1..63 bytes of [A-Za-z0-9_.:/-]");
                goto fail;
            }
            fl_lex_ws(&c);
            if (!fl_lex_lit(&c, "=")) { r = fl_lex_err(&c, "expected '=' after the failpoint name"); goto fail; }
            fl_fp_spec *sp;
            r = fl_fp_parse(c.p, (size_t)(item_end - c.p), where, 1, fl_lex_col(&c), &sp, diag);
            if (r) goto fail;
            fl_fp__pending *np = realloc(pend, (npend + 1) * sizeof *np);
            if (!np) { fl_fp_spec_free(sp); r = -ENOMEM; goto fail; }
            pend = np;
            memcpy(pend[npend].name, nm, nlen);
            pend[npend].name[nlen] = '\0';
            pend[npend].sp = sp;
            npend++;
        }
        c.p = item_end < c.end ? item_end + 1 : item_end;
    }
    for (size_t i = 0; i < npend; i++) {
        int e = 0;
        if (install) e = fl_fp_install(pend[i].name, pend[i].sp);
        else fl_fp_spec_free(pend[i].sp);
        pend[i].sp = NULL;
        if (e && !r) r = e;
    }
    free(pend);
    return r;
fail:
    for (size_t i = 0; i < npend; i++) fl_fp_spec_free(pend[i].sp);
    free(pend);
    return r;
}

int fl_fp_load(const char *list, const char *where, fl_lex_diag *diag) {
    return fl_fp__load(list, where, true, diag);
}

static int fl_fp__env(bool install, fl_lex_diag *diag) {
    const char *v = getenv("FAULTLINE_FAILPOINTS");
    if (!v || !*v) return 0;
    return fl_fp__load(v, "FAULTLINE_FAILPOINTS", install, diag);
}

int fl_fp_env_check(fl_lex_diag *diag) { return fl_fp__env(false, diag); }
int fl_fp_load_env(fl_lex_diag *diag) { return fl_fp__env(true, diag); }

void fl_fp_clear(void) {
    fl_fp__lock();
    for (size_t i = 0; i < fl_fp__reg.n; i++) {
        fl_fp_spec_free(fl_fp__reg.v[i].spec);
        free(fl_fp__reg.v[i].used);
    }
    free(fl_fp__reg.v);
    fl_fp__reg.v = NULL;
    fl_fp__reg.n = 0;
    atomic_store(&fl_fp__reg.live, 0);
    fl_fp__unlock();
}

void fl_fp_seed(uint64_t seed) {
    fl_fp__lock();
    fl_fp__reg.seed = seed;
    for (size_t i = 0; i < fl_fp__reg.n; i++) fl_fp__fp_rewind(&fl_fp__reg.v[i]);
    fl_fp__unlock();
}

void fl_fp_bind(void) {
    if (sv__fail != fl_fp_hook) sv_fail_set(fl_fp_hook);
}
void fl_fp_unbind(void) { sv_fail_set(NULL); }

uint64_t fl_fp_fired(const char *name) {
    uint64_t n = 0;
    fl_fp__lock();
    for (size_t i = 0; i < fl_fp__reg.n; i++)
        if (strcmp(fl_fp__reg.v[i].name, name) == 0) n = fl_fp__reg.v[i].fired;
    fl_fp__unlock();
    return n;
}

/* ---- evaluation ------------------------------------------------------------------ */

bool fl_fp_decide(const char *point, const char *child, fl_fp_hit *hit) {
    if (!point || atomic_load_explicit(&fl_fp__reg.live, memory_order_relaxed) == 0) return false;
    bool fired = false;
    fl_fp__lock();
    for (size_t i = 0; i < fl_fp__reg.n; i++) {
        fl_fp__fp *e = &fl_fp__reg.v[i];
        if (strcmp(e->name, point) != 0) continue;
        if (e->spec->has_worker && (!child || strcmp(child, e->spec->worker) != 0)) break;
        for (size_t k = 0; k < e->spec->n; k++) {
            const fl_fp__term *t = &e->spec->t[k];
            if (t->count && e->used[k] >= t->count) continue;
            if (t->ppm < 1000000 && !fl_rng_draw(fl_rng_mix(&e->rng), t->ppm)) continue;
            e->used[k]++;
            e->fired++;
            hit->action = t->action;
            hit->value = t->value;
            hit->ms = t->ms;
            snprintf(hit->msg, sizeof hit->msg, "%s", t->msg);
            fired = true;
            break;
        }
        break;
    }
    fl_fp__unlock();
    return fired;
}

void fl_fp_segv(void) {
    volatile uintptr_t bad = 16;
    *(volatile int *)bad = 1;
}

int fl_fp_hook(const char *point, const char *child, uint32_t incarnation) {
    (void)incarnation;
    fl_fp_hit t;
    if (!fl_fp_decide(point, child, &t)) return 0;
    switch (t.action) {
    case FL_FP_OFF:
        return 0;
    case FL_FP_RETURN:
        return t.value;
    case FL_FP_PANIC:
        if (sv_worker_self()) sv_panic("failpoint %s: %s", point, t.msg);
        return -EIO;
    case FL_FP_SLEEP:
        sv_sleep_until(sv_deadline_in((int64_t)t.ms * 1000000));
        return 0;
    case FL_FP_YIELD:
        sv_yield();
        return 0;
    case FL_FP_SEGV:
        if (sv_worker_self()) fl_fp_segv();
        return -EFAULT;
    }
    return 0;
}

int fl_fp_eval(const char *name) {
    sv_worker *w = sv_worker_self();
    return fl_fp_hook(name, w ? sv_worker_id(w) : NULL, w ? sv_worker_incarnation(w) : 0);
}
