/*
 * spec.c — validating deep copies of supervisor and child specs, and the
 * spec initialisers of sv.h.
 *
 * A copied supervisor spec is one allocation (header + children); each
 * nested supervisor spec is its own allocation, owned by its child entry.
 */
#include "runtime.h"

#include <errno.h>
#include <string.h>

/* Fill a spec with defaults. Never fails. */
void sv_sup_spec_init(sv_sup_spec *s, const char *name)
{
    memset(s, 0, sizeof *s);
    s->name = name ? name : "sup";
    s->strategy = SV_ONE_FOR_ONE;
    s->intensity = 1;
    s->period_ms = 5000;
}

/* Fill a child spec with defaults: permanent, shutdown after 5000 ms. With
 * fn == NULL (the child will be a nested supervisor: set c->sup next) the
 * shutdown defaults to SV_SHUTDOWN_INFINITY, OTP's default for
 * supervisors. Never fails. */
void sv_child_spec_init(sv_child_spec *c, const char *id, sv_worker_fn fn, void *arg)
{
    memset(c, 0, sizeof *c);
    c->id = id;
    c->fn = fn;
    c->arg = arg;
    c->restart = SV_PERMANENT;
    c->shutdown = fn ? SV_SHUTDOWN_TIMEOUT : SV_SHUTDOWN_INFINITY;
    c->shutdown_ms = 5000;
}

static bool sv__name_ok(const char *s)
{
    return s && s[0] && strnlen(s, SV_ID_MAX) < SV_ID_MAX;
}

/* Every id valid and none twice: O(n) expected, through a temporary hash
 * index of the ids seen. 0, -EINVAL, -ENOMEM. */
static int sv__ids_unique(const sv_child_spec *c, size_t n)
{
    sv__hmap m = { 0 };
    int err = sv__hmap_reserve(&m, n);
    for (size_t i = 0; i < n && !err; i++) {
        if (!sv__name_ok(c[i].id)) {
            err = -EINVAL;
            break;
        }
        uint32_t h = sv__hash_str(c[i].id, SV_ID_MAX);
        for (size_t e = sv__hmap_first(&m, h); e != SV__HMAP_END && !err; e = sv__hmap_next(&m, h, e))
            if (strcmp(c[m.e[e].v].id, c[i].id) == 0) err = -EINVAL;
        if (!err) sv__hmap_put(&m, h, i);
    }
    sv__hmap_free(&m);
    return err;
}

void sv__sspec_free(sv__sspec *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) sv__cspec_clear(&s->ch[i]);
    sv_free(s);
}

void sv__cspec_clear(sv__cspec *c)
{
    sv__sspec_free(c->sup);
    c->sup = NULL;
}

int sv__cspec_from_user(const sv_child_spec *u, int depth, sv__cspec *out)
{
    memset(out, 0, sizeof *out);
    if (!u || !sv__name_ok(u->id) || (u->fn == NULL) == (u->sup == NULL)) return -EINVAL;
    if ((unsigned)u->restart > SV_TEMPORARY || (unsigned)u->shutdown > SV_SHUTDOWN_INFINITY) return -EINVAL;
    if (u->significant && u->restart == SV_PERMANENT) return -EINVAL;
    strcpy(out->c.id, u->id);
    out->c.restart = u->restart;
    out->c.shutdown = u->shutdown;
    out->c.shutdown_ms = u->shutdown_ms;
    out->c.significant = u->significant;
    out->c.is_sup = u->sup != NULL;
    out->fn = u->fn;
    out->arg = u->arg;
    out->init = u->init;
    if (u->sup) return sv__sspec_from_user(u->sup, depth + 1, &out->sup);
    return 0;
}

int sv__sspec_from_user(const sv_sup_spec *u, int depth, sv__sspec **out)
{
    if (!u || depth > SV__MAX_DEPTH) return -EINVAL;
    const char *name = u->name ? u->name : "sup";
    if (!sv__name_ok(name) || (u->nchildren && !u->children)) return -EINVAL;
    if ((unsigned)u->strategy > SV_SIMPLE_ONE_FOR_ONE || (unsigned)u->auto_shutdown > SV_AUTO_ALL_SIGNIFICANT ||
        u->backoff_jitter_pct > 100 || u->period_ms == 0) /* OTP rejects period 0 too */
        return -EINVAL;
    bool simple = u->strategy == SV_SIMPLE_ONE_FOR_ONE;
    if (simple && u->nchildren != 1) return -EINVAL; /* exactly one template */
    if (u->nchildren > (SIZE_MAX - sizeof(sv__sspec)) / sizeof(sv__cspec)) return -ENOMEM;
    int err = sv__ids_unique(u->children, u->nchildren);
    if (err) return err;
    sv__sspec *s = sv_alloc(sizeof *s + u->nchildren * sizeof s->ch[0]);
    if (!s) return -ENOMEM;
    memset(s, 0, sizeof *s + u->nchildren * sizeof s->ch[0]);
    strcpy(s->name, name);
    s->cfg = (sv_core_cfg){
        .strategy = simple ? SV_ONE_FOR_ONE : u->strategy, /* instances restart one_for_one */
        .simple = simple,
        .intensity = u->intensity,
        .period_ms = u->period_ms,
        .backoff_min_ms = u->backoff_min_ms,
        .backoff_max_ms = u->backoff_max_ms,
        .backoff_jitter_pct = u->backoff_jitter_pct,
        .seed = u->seed,
        .auto_shutdown = u->auto_shutdown,
    };
    s->flags = u->flags;
    s->log = u->log;
    s->log_ud = u->log_ud;
    s->on_event = u->on_event;
    s->event_ud = u->event_ud;
    for (size_t i = 0; i < u->nchildren && !err; i++) {
        err = sv__cspec_from_user(&u->children[i], depth, &s->ch[i]);
        s->n = i + 1; /* so a failure frees what was copied */
    }
    if (err) {
        sv__sspec_free(s);
        return err;
    }
    *out = s;
    return 0;
}

int sv__sspec_dup(const sv__sspec *src, sv__sspec **out)
{
    size_t size = sizeof *src + src->n * sizeof src->ch[0];
    sv__sspec *s = sv_alloc(size);
    if (!s) return -ENOMEM;
    memcpy(s, src, size);
    int err = 0;
    for (size_t i = 0; i < src->n; i++) {
        s->ch[i].sup = NULL;
        if (!err && src->ch[i].sup) err = sv__sspec_dup(src->ch[i].sup, &s->ch[i].sup);
    }
    if (err) {
        sv__sspec_free(s);
        return err;
    }
    *out = s;
    return 0;
}

bool sv__sspec_catches(const sv__sspec *s)
{
    if (s->flags & SV_SUP_CATCH_SIGNALS) return true;
    for (size_t i = 0; i < s->n; i++)
        if (s->ch[i].sup && sv__sspec_catches(s->ch[i].sup)) return true;
    return false;
}
