/*
 * fuzz_failpoint.c — the failpoint spec parser and evaluation
 * (harness/failpoint/fl_failpoint.h).
 *
 * The first input byte picks a mode:
 *  0 raw spec: the rest (no terminator in reach) goes to fl_fp_parse.
 *    Accepted → the canonical form (fl_fp_spec_format) parses again to the
 *    same terms and formats to itself; formatting into short buffers stays
 *    inside them and reports the same length. Rejected → -EINVAL and a diag
 *    "failpoint:1:COL: …" whose line/col fields agree with the text and
 *    1 <= COL <= len + 1. An accepted spec is then evaluated (mode 1's
 *    weak checks).
 *  1 generated spec: the input picks terms ([worker w] filter, P%, N*,
 *    off/return(v)/panic(m)/sleep(ms)/yield/segv) which are written in the
 *    documented grammar; the parser must accept it with those actions and
 *    probabilities. Installed, seeded and evaluated up to FZF_MAX_EVAL
 *    times for fuzz-chosen children, it must match a reference model of
 *    the evaluation rule (first term that fires; counts used up; the worker
 *    filter consumes nothing) exactly when every probability is 0% or 100%,
 *    and stay within it (return value one the spec can give, fired count
 *    +0/+1) otherwise.
 *  2 registry list: the rest, NUL-terminated, goes to fl_fp_load;
 *    errors must be well-formed diagnostics; names go to
 *    fl_fp_name_ok, checked against its documented rule.
 * Evaluation never runs on a worker thread here, so panic returns -EIO and
 * segv -EFAULT; sleep is bound to a no-op clock (LLVMFuzzerInitialize).
 * Each input ends with fl_fp_clear(): no state carries over.
 */
#include "failpoint/fl_failpoint.h"
#include "sv_plat.h"

#include "fuzz_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZF_MAX_IN 2048
#define FZF_MAX_TERMS 6
#define FZF_MAX_EVAL 64
#define FZF_POINT "fz.point"

#define FZF_CHECK(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_failpoint: check failed: %s\n  ", #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* ---- a platform whose clock never moves: sleep(ms) costs nothing --------- */
static sv_plat_ops fzf__plat;
static int64_t fzf__now(void) { return 0; }
static void fzf__sleep_until(int64_t deadline) { (void)deadline; }
static void fzf__yield(void) {}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fzf__plat = sv_plat_posix;
    fzf__plat.name = "fuzz-failpoint";
    fzf__plat.now = fzf__now;
    fzf__plat.sleep_until = fzf__sleep_until;
    fzf__plat.yield = fzf__yield;
    sv_plat_set(&fzf__plat);
    return 0;
}

/* "failpoint:LINE:COL: TEXT": line/col agree with d, col in [1, maxcol]. */
static void fzf__check_diag(const fl_lex_diag *d, const char *where, size_t maxcol) {
    char pre[64];
    FZF_CHECK(memchr(d->text, '\0', sizeof d->text) != NULL, "diag not terminated");
    int n = snprintf(pre, sizeof pre, "%s:%d:%d: ", where, d->line, d->col);
    FZF_CHECK(n > 0 && strncmp(d->text, pre, (size_t)n) == 0 && d->text[n] != '\0',
              "diag \"%s\" does not read \"%s…\"", d->text, pre);
    FZF_CHECK(d->line == 1, "line %d in \"%s\"", d->line, d->text);
    FZF_CHECK(d->col >= 1 && (size_t)d->col <= maxcol, "col %d outside 1..%zu in \"%s\"", d->col,
              maxcol, d->text);
}

/* The canonical form of sp, malloc'd; checks short buffers on the way. */
static char *fzf__format(const fl_fp_spec *sp) {
    size_t need = fl_fp_spec_format(sp, NULL, 0);
    char *buf = malloc(need + 1);
    FZF_CHECK(buf != NULL, "out of memory");
    FZF_CHECK(fl_fp_spec_format(sp, buf, need + 1) == need, "format length changed");
    FZF_CHECK(strlen(buf) == need, "format wrote %zu of %zu bytes", strlen(buf), need);
    for (size_t cap = 1; cap <= need; cap += 1 + cap / 2) {
        char *small = malloc(cap);
        FZF_CHECK(small != NULL, "out of memory");
        FZF_CHECK(fl_fp_spec_format(sp, small, cap) == need, "length differs at cap %zu", cap);
        FZF_CHECK(memchr(small, '\0', cap) != NULL, "cap %zu: not terminated", cap);
        FZF_CHECK(strncmp(small, buf, cap - 1) == 0, "cap %zu: wrong prefix", cap);
        free(small);
    }
    return buf;
}

static void fzf__same_terms(const fl_fp_spec *a, const fl_fp_spec *b, const char *text) {
    FZF_CHECK(fl_fp_spec_nterms(a) == fl_fp_spec_nterms(b), "nterms %zu vs %zu for \"%s\"",
              fl_fp_spec_nterms(a), fl_fp_spec_nterms(b), text);
    for (size_t i = 0; i < fl_fp_spec_nterms(a); i++) {
        FZF_CHECK(fl_fp_spec_action(a, i) == fl_fp_spec_action(b, i), "term %zu action in \"%s\"",
                  i, text);
        FZF_CHECK(fl_fp_spec_ppm(a, i) == fl_fp_spec_ppm(b, i), "term %zu ppm %u vs %u in \"%s\"",
                  i, fl_fp_spec_ppm(a, i), fl_fp_spec_ppm(b, i), text);
    }
}

/* Canonical form round trip of an accepted spec. */
static void fzf__canon(const fl_fp_spec *sp) {
    char *text = fzf__format(sp);
    fl_fp_spec *again = NULL;
    fl_lex_diag d;
    int rc = fl_fp_parse(text, strlen(text), "failpoint", 1, 1, &again, &d);
    FZF_CHECK(rc == 0, "canonical form \"%s\" rejected: %s", text, d.text);
    fzf__same_terms(sp, again, text);
    char *text2 = fzf__format(again);
    FZF_CHECK(strcmp(text, text2) == 0, "canonical form not stable: \"%s\" then \"%s\"", text,
              text2);
    free(text2);
    free(text);
    fl_fp_spec_free(again);
}

/* ---- the reference model of one evaluation ------------------------------- */
typedef struct fzf_term {
    uint32_t ppm, count, used;
    fl_fp_action action;
    int value; /* what the hook returns when this term fires */
} fzf_term;

typedef struct fzf_model {
    bool exact;       /* every ppm is 0 or 1e6: outcomes are determined */
    bool has_worker;  /* known filter (generated specs only) */
    const char *worker;
    size_t n;
    fzf_term t[FZF_MAX_TERMS];
} fzf_model;

static const char *const fzf__children[] = {NULL, "w1", "w2", "a_b.c-d"};

/* Seed, then k evaluations for children picked from in. */
static void fzf__evaluate(fz_in *in, uint64_t seed, unsigned k, fzf_model *m, bool known) {
    fl_fp_seed(seed);
    for (size_t i = 0; i < m->n; i++)
        m->t[i].used = 0;
    uint64_t fired = fl_fp_fired(FZF_POINT);
    FZF_CHECK(fired == 0, "fired %llu after seeding", (unsigned long long)fired);
    for (unsigned e = 0; e < k; e++) {
        const char *child = fzf__children[fz_pick(in, 4)];
        int rv = fl_fp_hook(FZF_POINT, child, e + 1);
        uint64_t now = fl_fp_fired(FZF_POINT);
        FZF_CHECK(now == fired || now == fired + 1, "fired jumped %llu -> %llu",
                  (unsigned long long)fired, (unsigned long long)now);
        if (!known) {
            /* unknown spec: only the documented value set */
            FZF_CHECK(now == fired + 1 || rv == 0, "returned %d without firing", rv);
            fired = now;
            continue;
        }
        bool filtered = m->has_worker && (!child || strcmp(child, m->worker) != 0);
        if (filtered) {
            FZF_CHECK(rv == 0 && now == fired, "filter [worker %s] let child %s through (rv %d)",
                      m->worker, child ? child : "(none)", rv);
            continue;
        }
        if (m->exact) {
            size_t i;
            for (i = 0; i < m->n; i++) {
                fzf_term *t = &m->t[i];
                if (t->count && t->used >= t->count)
                    continue;
                if (t->ppm == 0)
                    continue;
                break;
            }
            if (i == m->n) {
                FZF_CHECK(rv == 0 && now == fired, "eval %u: no term may fire, got rv %d fired %d",
                          e, rv, (int)(now - fired));
            } else {
                m->t[i].used++;
                FZF_CHECK(now == fired + 1 && rv == m->t[i].value,
                          "eval %u: term %zu must fire with %d, got rv %d fired %d", e, i,
                          m->t[i].value, rv, (int)(now - fired));
            }
        } else if (now == fired) {
            FZF_CHECK(rv == 0, "eval %u: nothing fired but rv %d", e, rv);
        } else {
            bool ok = false;
            for (size_t i = 0; i < m->n && !ok; i++)
                ok = m->t[i].ppm > 0 && m->t[i].value == rv &&
                     (m->t[i].count == 0 || m->t[i].used < m->t[i].count);
            FZF_CHECK(ok, "eval %u: rv %d is no available term's value", e, rv);
            /* attribute the fire to the first available term with that value */
            for (size_t i = 0; i < m->n; i++)
                if (m->t[i].ppm > 0 && m->t[i].value == rv &&
                    (m->t[i].count == 0 || m->t[i].used < m->t[i].count)) {
                    m->t[i].used++;
                    break;
                }
        }
        fired = now;
    }
}

/* ---- modes ------------------------------------------------------------------ */

static void fzf__raw(fz_in *in) {
    uint8_t nevals = fz_byte(in);
    size_t n;
    const uint8_t *p = fz_rest(in, &n);
    char *spec = malloc(n ? n : 1); /* no terminator: parse must stay in [0, n) */
    FZF_CHECK(spec != NULL, "out of memory");
    if (n)
        memcpy(spec, p, n);
    fl_fp_spec *sp = NULL;
    fl_lex_diag d;
    memset(&d, 0, sizeof d);
    int rc = fl_fp_parse(spec, n, "failpoint", 1, 1, &sp, &d);
    if (rc != 0) {
        FZF_CHECK(rc == -EINVAL, "parse returned %d", rc);
        fzf__check_diag(&d, "failpoint", n + 1);
        /* NULL diag is allowed */
        FZF_CHECK(fl_fp_parse(spec, n, "failpoint", 1, 1, &sp, NULL) == -EINVAL, "verdict");
        free(spec);
        return;
    }
    FZF_CHECK(fl_fp_spec_nterms(sp) >= 1, "accepted a spec with no term");
    for (size_t i = 0; i < fl_fp_spec_nterms(sp); i++) {
        FZF_CHECK(fl_fp_spec_action(sp, i) <= FL_FP_SEGV, "action %d",
                  (int)fl_fp_spec_action(sp, i));
        FZF_CHECK(fl_fp_spec_ppm(sp, i) <= 1000000, "ppm %u", fl_fp_spec_ppm(sp, i));
    }
    fzf__canon(sp);
    free(spec);
    FZF_CHECK(fl_fp_install(FZF_POINT, sp) == 0, "install failed");
    fz_in none = fz_init(NULL, 0); /* child NULL every time */
    fzf_model m = {.n = 0};
    fzf__evaluate(&none, nevals, nevals % 16u + 1u, &m, false);
}

static void fzf__generated(fz_in *in) {
    static const struct { const char *text; uint32_t ppm; } pcts[] = {
        {"", 1000000}, {"100%", 1000000}, {"0%", 0}, {"50%", 500000},
        {"0.5%", 5000}, {"33.3%", 333000}, {"99.9999%", 999999}, {"0.0001%", 1},
    };
    static const char *const workers[] = {"w1", "w2", "a_b.c-d"};
    fzf_model m;
    memset(&m, 0, sizeof m);
    m.exact = true;
    char text[1024];
    size_t len = 0;
#define FZF_PUT(...) (len += (size_t)snprintf(text + len, sizeof text - len, __VA_ARGS__))
    uint8_t hdr = fz_byte(in);
    if (hdr & 1) {
        m.has_worker = true;
        m.worker = workers[(hdr >> 1) % 3];
        FZF_PUT("[worker %s]%s", m.worker, (hdr & 8) ? " " : "");
    }
    m.n = 1 + fz_pick(in, FZF_MAX_TERMS);
    for (size_t i = 0; i < m.n; i++) {
        fzf_term *t = &m.t[i];
        uint8_t b = fz_byte(in);
        if (i)
            FZF_PUT("%s", (b & 32) ? " -> " : "->");
        unsigned pi = (b & 7) < 4 ? 0 : fz_pick(in, 8);
        t->ppm = pcts[pi].ppm;
        if (t->ppm != 0 && t->ppm != 1000000)
            m.exact = false;
        FZF_PUT("%s", pcts[pi].text);
        if (b & 8) {
            t->count = fz_u32(in, 1, 6);
            FZF_PUT("%u*", t->count);
        }
        t->action = (fl_fp_action)fz_pick(in, 6);
        switch (t->action) {
        case FL_FP_OFF: FZF_PUT("off"); t->value = 0; break;
        case FL_FP_RETURN:
            if (b & 16) {
                t->value = (int)fz_u32(in, 0, 4000) - 2000;
                FZF_PUT("return(%d)", t->value);
            } else {
                t->value = -EIO;
                FZF_PUT("return");
            }
            break;
        case FL_FP_PANIC:
            t->value = -EIO; /* not on a worker thread */
            if (b & 16) {
                char msg[32];
                size_t ml = fz_str(in, msg, sizeof msg);
                for (size_t j = 0; j < ml; j++)
                    msg[j] = (char)(' ' + (unsigned char)msg[j] % 95);
                for (size_t j = 0; j < ml; j++)
                    if (msg[j] == ')')
                        msg[j] = ']';
                FZF_PUT("panic(%s)", msg);
            } else {
                FZF_PUT("panic");
            }
            break;
        case FL_FP_SLEEP: FZF_PUT("sleep(%u)", fz_u32(in, 0, 5000)); t->value = 0; break;
        case FL_FP_YIELD: FZF_PUT("yield"); t->value = 0; break;
        case FL_FP_SEGV: FZF_PUT("segv"); t->value = -EFAULT; break;
        }
    }
#undef FZF_PUT
    fl_fp_spec *sp = NULL;
    fl_lex_diag d;
    int rc = fl_fp_parse(text, len, "failpoint", 1, 1, &sp, &d);
    FZF_CHECK(rc == 0, "grammatical spec \"%s\" rejected: %s", text, d.text);
    FZF_CHECK(fl_fp_spec_nterms(sp) == m.n, "\"%s\": %zu terms, expected %zu", text,
              fl_fp_spec_nterms(sp), m.n);
    for (size_t i = 0; i < m.n; i++) {
        FZF_CHECK(fl_fp_spec_action(sp, i) == m.t[i].action, "\"%s\" term %zu action %d", text, i,
                  (int)fl_fp_spec_action(sp, i));
        FZF_CHECK(fl_fp_spec_ppm(sp, i) == m.t[i].ppm, "\"%s\" term %zu ppm %u, expected %u", text,
                  i, fl_fp_spec_ppm(sp, i), m.t[i].ppm);
        FZF_CHECK(fl_fp_spec_has(sp, m.t[i].action), "has(%d)", (int)m.t[i].action);
    }
    fzf__canon(sp);
    /* install through the text interface half of the time */
    if (fz_bool(in)) {
        fl_fp_spec_free(sp);
        FZF_CHECK(fl_fp_set(FZF_POINT, text, &d) == 0, "set \"%s\": %s", text, d.text);
    } else {
        FZF_CHECK(fl_fp_install(FZF_POINT, sp) == 0, "install failed");
    }
    uint64_t seed = fz_range(in, 0, UINT64_MAX);
    fzf__evaluate(in, seed, fz_u32(in, 0, FZF_MAX_EVAL), &m, true);
}

static void fzf__list(fz_in *in) {
    size_t n;
    const uint8_t *p = fz_rest(in, &n);
    char *s = malloc(n + 1);
    FZF_CHECK(s != NULL, "out of memory");
    memcpy(s, p, n);
    s[n] = '\0';
    size_t len = strlen(s);

    bool ok = len >= 1 && len <= 63;
    for (size_t i = 0; ok && i < len; i++) {
        char c = s[i];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
    }
    FZF_CHECK(fl_fp_name_ok(s, len) == ok, "name_ok(\"%s\") != %d", s, ok);

    fl_lex_diag d;
    memset(&d, 0, sizeof d);
    int rc = fl_fp_load(s, "FAULTLINE_FAILPOINTS", &d);
    if (rc != 0) {
        FZF_CHECK(rc == -EINVAL, "load returned %d", rc);
        fzf__check_diag(&d, "FAULTLINE_FAILPOINTS", len + 1);
    }
    /* whatever was installed evaluates without harm */
    for (int i = 0; i < 4; i++)
        fl_fp_hook("sv.start", NULL, 0);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FZF_MAX_IN)
        return 0;
    fz_in in = fz_init(data, size);
    switch (fz_byte(&in) % 3) {
    case 0: fzf__raw(&in); break;
    case 1: fzf__generated(&in); break;
    default: fzf__list(&in); break;
    }
    fl_fp_clear();
    return 0;
}
