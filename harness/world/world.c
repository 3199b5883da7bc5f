/*
 * world.c — fl_world_build: one run's sv_sup_spec tree, per-child state,
 * recreate faults, races, latches, swarm choices, and the failpoint registry
 * bound into libsv.
 *
 * At most one world exists at a time (fl_world__world_busy): the failpoint
 * registry and sv_fail_set are process-global.
 */
#include "failpoint/fl_failpoint.h"
#include "lex/fl_lex.h"
#include "rng/fl_rng.h"
#include "world/fl_world.h"
#include "world/world_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_bool fl_world__world_busy;

/* ---- counting and filling the tree ----------------------------------------------- */

static void fl_world__count(const fl_scenario_sup_decl *sup, size_t *nch, size_t *nsups) {
    (*nsups)++;
    for (size_t i = 0; i < sup->nchildren; i++) {
        (*nch)++;
        if (sup->children[i]->kind == FL_SCENARIO_CHILD_SUP) fl_world__count(sup->children[i]->sup, nch, nsups);
    }
}

static fl_world__wchild *fl_world__wchild_of(fl_world *w, const fl_scenario_child_decl *c) {
    for (size_t i = 0; i < w->nch; i++)
        if (w->ch[i].decl == c) return &w->ch[i];
    return NULL;
}

static int fl_world__recreate_init(void *arg, uint32_t incarnation) {
    fl_world__wchild *wc = arg, *own = wc->tmpl ? wc->tmpl : wc; /* times= counts across instances */
    if (!wc->fault || incarnation < wc->f_from) return 0;
    uint32_t failed = atomic_load(&own->f_failed);
    if (wc->f_times && failed >= wc->f_times) return 0;
    if (wc->f_pct < 100) {
        uint64_t h = fl_rng_hash_u64(fl_rng_hash(wc->world->seed ^ 0x7265637265617465ULL, wc->decl->id), incarnation);
        if (h % 100 >= wc->f_pct) return 0;
    }
    atomic_store(&own->f_failed, failed + 1);
    return wc->f_err;
}

/* Depth first: fills w->ch[*ci..] and w->sups[*si..] for sup. */
static int fl_world__fill(fl_world *w, const fl_scenario_sup_decl *sup, size_t *ci, size_t *si) {
    fl_world__wsup *ws = &w->sups[(*si)++];
    ws->decl = sup;
    sv_sup_spec_init(&ws->spec, sup->name);
    ws->spec.strategy = sup->strategy;
    ws->spec.intensity = sup->intensity;
    ws->spec.period_ms = sup->period_ms;
    ws->spec.backoff_min_ms = sup->backoff_min_ms;
    ws->spec.backoff_max_ms = sup->backoff_max_ms;
    ws->spec.backoff_jitter_pct = sup->jitter_pct;
    ws->spec.seed = fl_rng_hash(w->seed, sup->name);
    ws->spec.auto_shutdown = sup->auto_shutdown;
    ws->spec.flags = sup->flags;
    ws->kids = calloc(sup->nchildren ? sup->nchildren : 1, sizeof *ws->kids);
    if (!ws->kids) return -ENOMEM;
    size_t nk = 0;
    for (size_t i = 0; i < sup->nchildren; i++) {
        const fl_scenario_child_decl *c = sup->children[i];
        fl_world__wchild *wc = &w->ch[(*ci)++];
        wc->decl = c;
        wc->world = w;
        sv_child_spec *cs = &wc->spec;
        sv_child_spec_init(cs, c->id, NULL, NULL);
        cs->restart = c->restart;
        cs->shutdown = c->shutdown;
        cs->shutdown_ms = c->shutdown_ms;
        cs->significant = c->significant;
        if (c->kind == FL_SCENARIO_CHILD_SUP) {
            size_t my = *si;
            int r = fl_world__fill(w, c->sup, ci, si);
            if (r) return r;
            cs->sup = &w->sups[my].spec;
        } else {
            cs->fn = c->kind == FL_SCENARIO_CHILD_SCRIPT ? fl_world__script_worker : fl_world__user_worker;
            cs->arg = wc;
            cs->init = fl_world__recreate_init;
            if (c->kind == FL_SCENARIO_CHILD_USER && fl_world_lookup_worker(c->fn_name, &wc->user_fn, &wc->user_arg))
                return -ENOENT;
        }
        if (!c->dynamic) ws->kids[nk++] = *cs;
    }
    ws->spec.children = ws->kids;
    ws->spec.nchildren = nk;
    return 0;
}

/* ---- latches ------------------------------------------------------------------------ */

fl_world__latch *fl_world__world_latch(fl_world *w, const char *name) {
    for (size_t i = 0; i < w->nlatches; i++)
        if (strcmp(w->latches[i].name, name) == 0) return &w->latches[i];
    return NULL;
}

static int fl_world__collect_latches(fl_world *w, const fl_scenario_op *ops, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const fl_scenario_op *op = &ops[i];
        if ((op->kind == FL_SCENARIO_OP_SIGNAL || op->kind == FL_SCENARIO_OP_WAIT) && !fl_world__world_latch(w, op->str)) {
            fl_world__latch *nl = realloc(w->latches, (w->nlatches + 1) * sizeof *nl);
            if (!nl) return -ENOMEM;
            w->latches = nl;
            nl[w->nlatches].name = op->str;
            atomic_init(&nl[w->nlatches].set, 0);
            w->nlatches++;
        }
        if (op->kind == FL_SCENARIO_OP_LOOP) {
            int r = fl_world__collect_latches(w, op->body, op->nbody);
            if (r) return r;
        }
    }
    return 0;
}

/* ---- swarm and failpoints --------------------------------------------------------------- */

/* Append one swarm choice to w->describe ("swarm: a; b; …"), truncating. */
static void fl_world__say(fl_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fl_world__say(fl_world *w, const char *fmt, ...) {
    size_t n = strlen(w->describe);
    if (n + 1 >= sizeof w->describe) return;
    int k = snprintf(w->describe + n, sizeof w->describe - n, "%s", n ? "; " : "swarm: ");
    if (k < 0 || (size_t)k >= sizeof w->describe - n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->describe + n + (size_t)k, sizeof w->describe - n - (size_t)k, fmt, ap);
    va_end(ap);
}

static int fl_world__faults(fl_world *w, uint64_t *rng) {
    const fl_scenario *s = w->s;
    for (size_t i = 0; i < s->nfaults; i++) {
        const fl_scenario_fault *f = &s->faults[i];
        fl_world__wchild *wc = fl_world__wchild_of(w, f->child);
        uint32_t pct = f->p_pct;
        if (s->run.swarm) {
            if (fl_rng_mix(rng) & 1) {
                fl_world__say(w, "recreate %s off", f->child->id);
                continue;
            }
            if (pct < 100) pct = 1 + (uint32_t)(fl_rng_mix(rng) % pct);
            fl_world__say(w, "recreate %s p=%u%%", f->child->id, pct);
        }
        wc->fault = true;
        wc->f_times = f->times;
        wc->f_pct = pct;
        wc->f_from = f->from;
        wc->f_err = f->ignore ? SV_IGNORE : f->err;
    }
    return 0;
}

/* One clone of the template per start_instance action (after the faults:
 * a clone fails or ignores as its template does, counting on its own). */
static int fl_world__instances(fl_world *w) {
    const fl_scenario *s = w->s;
    size_t n = 0;
    for (size_t i = 0; i < s->nactions; i++) n += s->actions[i].kind == FL_SCENARIO_ACT_START_INSTANCE;
    if (!n) return 0;
    if (!(w->inst = calloc(n, sizeof *w->inst))) return -ENOMEM;
    for (size_t i = 0; i < s->nactions; i++) {
        const fl_scenario_action *a = &s->actions[i];
        if (a->kind != FL_SCENARIO_ACT_START_INSTANCE) continue;
        fl_world__wchild *t = fl_world__wchild_of(w, a->child), *k = &w->inst[w->ninst++];
        memcpy(k, t, sizeof *k); /* plain fields; the atomics are set below */
        atomic_init(&k->f_failed, 0);
        atomic_init(&k->crash_msg, NULL);
        atomic_init(&k->exit_req, 0);
        k->inst_arg = a->arg;
        k->tmpl = t;
        k->race = NULL;
        k->spec.arg = k;
    }
    return 0;
}

void *fl_world_instance_arg(fl_world *w, const fl_scenario_action *a) {
    size_t k = 0;
    for (size_t i = 0; i < w->s->nactions; i++) {
        if (&w->s->actions[i] == a) return a->kind == FL_SCENARIO_ACT_START_INSTANCE && k < w->ninst ? &w->inst[k] : NULL;
        k += w->s->actions[i].kind == FL_SCENARIO_ACT_START_INSTANCE;
    }
    return NULL;
}

static int fl_world__failpoints(fl_world *w, uint64_t *rng) {
    const fl_scenario *s = w->s;
    fl_fp_clear();
    fl_fp_seed(fl_rng_hash(w->seed, "failpoints"));
    for (size_t i = 0; i < s->nfailpoints; i++) {
        const fl_scenario_fp_decl *d = &s->failpoints[i];
        fl_fp_spec *sp;
        int r = fl_fp_parse(d->spec, strlen(d->spec), s->path, d->line, d->col, &sp, NULL);
        if (r) return r;
        if (s->run.swarm) {
            char buf[256];
            if (fl_rng_mix(rng) & 1) {
                fl_fp_spec_free(sp);
                fl_world__say(w, "%s off", d->name);
                continue;
            }
            for (size_t k = 0; k < fl_fp_spec_nterms(sp); k++) {
                uint32_t ppm = fl_fp_spec_ppm(sp, k);
                if (ppm > 0 && ppm < 1000000) /* only declared rates vary: `1*off` keeps its meaning */
                    fl_fp_spec_set_ppm(sp, k, 1 + (uint32_t)(fl_rng_mix(rng) % ppm));
            }
            fl_fp_spec_format(sp, buf, sizeof buf);
            fl_world__say(w, "%s \"%s\"", d->name, buf);
        }
        if ((r = fl_fp_install(d->name, sp))) return r;
    }
    return fl_fp_load_env(NULL);
}

/* ---- public ---------------------------------------------------------------------------- */

static void fl_world__world_destroy(fl_world *w) {
    if (!w) return;
    for (size_t i = 0; i < w->nch; i++) free(atomic_load(&w->ch[i].crash_msg));
    for (size_t i = 0; i < w->ninst; i++) free(atomic_load(&w->inst[i].crash_msg));
    free(w->inst);
    for (size_t i = 0; i < w->nsups; i++) free(w->sups[i].kids);
    free(w->sups);
    free(w->ch);
    free(w->latches);
    free(w->races);
    free(w);
}

int fl_world_build(const fl_scenario *s, uint64_t seed, fl_world **out) {
    if (!s || !s->root || !out) return -EINVAL;
    bool expected = false;
    if (!atomic_compare_exchange_strong(&fl_world__world_busy, &expected, true)) return -EBUSY;
    int r = -ENOMEM;
    fl_world *w = calloc(1, sizeof *w);
    if (!w) goto fail;
    w->s = s;
    w->seed = seed;
    atomic_init(&w->released, 0);
    atomic_init(&w->inside, 0);
    size_t nch = 0, nsups = 0;
    fl_world__count(s->root, &nch, &nsups);
    w->ch = calloc(nch ? nch : 1, sizeof *w->ch);
    w->sups = calloc(nsups, sizeof *w->sups);
    w->races = calloc(s->nraces ? s->nraces : 1, sizeof *w->races);
    if (!w->ch || !w->sups || !w->races) goto fail;
    w->nch = nch;
    w->nsups = nsups;
    for (size_t i = 0; i < nch; i++) {
        atomic_init(&w->ch[i].crash_msg, NULL);
        atomic_init(&w->ch[i].exit_req, 0);
    }
    size_t ci = 0, si = 0;
    if ((r = fl_world__fill(w, s->root, &ci, &si))) goto fail;
    for (size_t i = 0; i < nch; i++) {
        const fl_scenario_child_decl *c = w->ch[i].decl;
        if ((r = fl_world__collect_latches(w, c->script, c->nscript)) ||
            (r = fl_world__collect_latches(w, c->onstop, c->nonstop)))
            goto fail;
    }
    for (size_t i = 0; i < s->nraces; i++) {
        w->races[i].decl = &s->races[i];
        atomic_init(&w->races[i].arrived, 0);
        for (size_t k = 0; k < s->races[i].nmembers; k++)
            fl_world__wchild_of(w, s->races[i].members[k])->race = &w->races[i];
    }
    uint64_t rng = fl_rng_hash(seed, "swarm");
    if ((r = fl_world__faults(w, &rng)) || (r = fl_world__instances(w)) || (r = fl_world__failpoints(w, &rng)))
        goto fail;
    fl_fp_bind();
    *out = w;
    return 0;
fail:
    fl_fp_clear();
    fl_world__world_destroy(w);
    atomic_store(&fl_world__world_busy, false);
    return r;
}

const sv_sup_spec *fl_world_spec(fl_world *w) { return &w->sups[0].spec; }

const sv_child_spec *fl_world_child_spec(fl_world *w, const fl_scenario_child_decl *c) {
    fl_world__wchild *wc = fl_world__wchild_of(w, c);
    return wc ? &wc->spec : NULL;
}

int fl_world_crash(fl_world *w, const fl_scenario_child_decl *c, const char *msg) {
    fl_world__wchild *wc = fl_world__wchild_of(w, c);
    if (!wc || c->kind != FL_SCENARIO_CHILD_SCRIPT) return -EINVAL;
    const char *m = msg ? msg : "injected crash";
    size_t n = strlen(m) + 1;
    char *copy = malloc(n);
    if (!copy) return -ENOMEM;
    memcpy(copy, m, n);
    free(atomic_exchange(&wc->crash_msg, copy));
    return 0;
}

int fl_world_exit(fl_world *w, const fl_scenario_child_decl *c, int value) {
    fl_world__wchild *wc = fl_world__wchild_of(w, c);
    if (!wc || c->kind != FL_SCENARIO_CHILD_SCRIPT) return -EINVAL;
    atomic_store(&wc->exit_req, value + 1);
    return 0;
}

void fl_world_release(fl_world *w) {
    if (!w || atomic_exchange(&w->released, 1)) return;
    sv_wake(&w->released, INT32_MAX);
}

size_t fl_world_describe(const fl_world *w, char *buf, size_t cap) {
    size_t n = strlen(w->describe);
    if (cap) snprintf(buf, cap, "%s", w->describe);
    return n;
}

unsigned fl_world_inside(const fl_world *w) {
    return atomic_load_explicit(&w->inside, memory_order_acquire);
}

void fl_world_free(fl_world *w) {
    if (!w) return;
    fl_fp_clear(); /* the hook stays bound: empty, it does nothing */
    atomic_store(&w->released, 1);
    fl_world__world_destroy(w);
    atomic_store(&fl_world__world_busy, false);
}
