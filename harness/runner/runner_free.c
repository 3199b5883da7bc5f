/*
 * runner_free.c — the time scale of free runs (runner_int.h).
 *
 * A free run (FL_SCHED_STRAT_FREE) has no virtual clock: its sleeps and timeouts
 * are real. Scenarios are written in scenario time (`work 50ms`, `duration=
 * 2s`, shutdown and intensity periods), so unscaled each free run would last
 * its full duration. This layer sits on top of the binding in force (the
 * free platform, whose seeded delays it keeps) and scales time:
 *
 *   now()     = t0 + (real - t0) * scale
 *   deadline  → real deadline t0 + ceil((deadline - t0) / scale)
 *
 * for now, sleep_until, cond_wait, futex wait and thread_join; everything
 * else goes to the binding below unchanged. A deadline is never mapped to a
 * real time earlier than the scaled time it names, so a timeout never fires
 * early on the scaled clock. SV_FOREVER stays SV_FOREVER.
 *
 * State: the table is constant; `below`, t0 and scale are atomics written
 * by the run's main thread before it creates any thread (so the run's
 * threads see them through thread creation), and read with relaxed loads:
 * a thread abandoned by an earlier free run may still be inside a call of
 * this layer when the next run installs it; it then sees either run's
 * values, which only changes how long it sleeps.
 */
#include "runner/runner_int.h"

#include "sv_plat.h"

#include <stdatomic.h>

static _Atomic(const sv_plat_ops *) fl_runner__below;
static _Atomic int64_t fl_runner__t0;
static _Atomic int64_t fl_runner__k = 1;

static const sv_plat_ops *fl_runner__b(void) {
    const sv_plat_ops *b = atomic_load_explicit(&fl_runner__below, memory_order_relaxed);
    return b ? b : &sv_plat_posix;
}

/* real -> scaled, saturating below SV_FOREVER */
static int64_t fl_runner__scaled(int64_t real) {
    int64_t t0 = atomic_load_explicit(&fl_runner__t0, memory_order_relaxed);
    int64_t k = atomic_load_explicit(&fl_runner__k, memory_order_relaxed);
    int64_t rel = real - t0;
    if (rel >= 0 && rel > (SV_FOREVER - 1 - t0) / k) return SV_FOREVER - 1;
    return t0 + rel * k;
}

/* scaled deadline -> real deadline (rounded up) */
static int64_t fl_runner__real(int64_t d) {
    if (d == SV_FOREVER) return d;
    int64_t t0 = atomic_load_explicit(&fl_runner__t0, memory_order_relaxed);
    int64_t k = atomic_load_explicit(&fl_runner__k, memory_order_relaxed);
    if (d <= t0) return d; /* already past: past in real time too */
    int64_t rel = d - t0;
    return t0 + rel / k + (rel % k != 0);
}

static int fl_runner__s_create(sv_thread **out, void *(*fn)(void *), void *arg, const char *name) {
    return fl_runner__b()->thread_create(out, fn, arg, name);
}
static int fl_runner__s_join(sv_thread *t, int64_t d) { return fl_runner__b()->thread_join(t, fl_runner__real(d)); }
static void fl_runner__s_detach(sv_thread *t) { fl_runner__b()->thread_detach(t); }
static void fl_runner__s_mutex_init(sv_mutex *m) { fl_runner__b()->mutex_init(m); }
static void fl_runner__s_mutex_destroy(sv_mutex *m) { fl_runner__b()->mutex_destroy(m); }
static void fl_runner__s_lock(sv_mutex *m) { fl_runner__b()->mutex_lock(m); }
static void fl_runner__s_unlock(sv_mutex *m) { fl_runner__b()->mutex_unlock(m); }
static void fl_runner__s_cond_init(sv_cond *c) { fl_runner__b()->cond_init(c); }
static void fl_runner__s_cond_destroy(sv_cond *c) { fl_runner__b()->cond_destroy(c); }
static int fl_runner__s_cond_wait(sv_cond *c, sv_mutex *m, int64_t d) {
    return fl_runner__b()->cond_wait(c, m, fl_runner__real(d));
}
static void fl_runner__s_signal(sv_cond *c) { fl_runner__b()->cond_signal(c); }
static void fl_runner__s_broadcast(sv_cond *c) { fl_runner__b()->cond_broadcast(c); }
static int fl_runner__s_wait(_Atomic uint32_t *a, uint32_t e, int64_t d) {
    return fl_runner__b()->wait(a, e, fl_runner__real(d));
}
static void fl_runner__s_wake(_Atomic uint32_t *a, int n) { fl_runner__b()->wake(a, n); }
static int64_t fl_runner__s_now(void) { return fl_runner__scaled(fl_runner__b()->now()); }
static void fl_runner__s_sleep_until(int64_t d) { fl_runner__b()->sleep_until(fl_runner__real(d)); }
static void fl_runner__s_yield(void) { fl_runner__b()->yield(); }
static void *fl_runner__s_alloc(size_t n) { return fl_runner__b()->alloc(n); }
static void fl_runner__s_free(void *p) { fl_runner__b()->free(p); }

static const sv_plat_ops fl_runner__scaled_ops = {
    .name = "free+scaled",
    .thread_create = fl_runner__s_create,
    .thread_join = fl_runner__s_join,
    .thread_detach = fl_runner__s_detach,
    .mutex_init = fl_runner__s_mutex_init,
    .mutex_destroy = fl_runner__s_mutex_destroy,
    .mutex_lock = fl_runner__s_lock,
    .mutex_unlock = fl_runner__s_unlock,
    .cond_init = fl_runner__s_cond_init,
    .cond_destroy = fl_runner__s_cond_destroy,
    .cond_wait = fl_runner__s_cond_wait,
    .cond_signal = fl_runner__s_signal,
    .cond_broadcast = fl_runner__s_broadcast,
    .wait = fl_runner__s_wait,
    .wake = fl_runner__s_wake,
    .now = fl_runner__s_now,
    .sleep_until = fl_runner__s_sleep_until,
    .yield = fl_runner__s_yield,
    .alloc = fl_runner__s_alloc,
    .free = fl_runner__s_free,
};

void fl_runner__time_scale(uint32_t scale) {
    if (scale <= 1) return;
    const sv_plat_ops *below = sv_plat();
    if (below == &fl_runner__scaled_ops) return; /* never stack the layer on itself */
    atomic_store_explicit(&fl_runner__below, below, memory_order_relaxed);
    atomic_store_explicit(&fl_runner__t0, below->now(), memory_order_relaxed);
    atomic_store_explicit(&fl_runner__k, (int64_t)scale, memory_order_relaxed);
    sv_plat_set(&fl_runner__scaled_ops);
}
