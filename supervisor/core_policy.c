/*
 * core_policy.c — the supervisor core's pure arithmetic: exit classification,
 * the restart-intensity ring, exponential backoff with jitter, and the
 * jitter PRNG. No table access, no allocation.
 */
#include "core_table.h"

#include "sv_plat.h"

/* Exit class by reason: 1 = abnormal (a crash, logged, restarts transients). */
static const bool sv__abnormal_by_reason[] = {
    [SV_EXIT_NORMAL] = false,
    [SV_EXIT_SHUTDOWN] = false,
    [SV_EXIT_PANIC] = true,
    [SV_EXIT_ERROR] = true,
    [SV_EXIT_SIGNAL] = true,
    [SV_EXIT_KILLED] = true,
    [SV_EXIT_THREAD_EXIT] = true,
};

bool sv__core_exit_abnormal(int reason)
{
    if (reason < 0 || (size_t)reason >= sizeof sv__abnormal_by_reason / sizeof sv__abnormal_by_reason[0])
        return true; /* unknown reasons are crashes: never lose one */
    return sv__abnormal_by_reason[reason];
}

/* Invariants: ring[0..ring_len) holds the times of the last ring_len
 * restarts (ring_len <= MaxR), oldest at ring_head once the ring is full;
 * times are non-decreasing because the core clamps now. */
bool sv__core_intensity_add(sv_core *c, int64_t now)
{
    uint32_t maxr = c->cfg.intensity;
    if (maxr == 0)
        return true; /* any restart is more than zero */
    if (c->ring_len < maxr) {
        /* fewer than MaxR restarts ever: this one cannot make MaxR + 1 */
        c->ring[(c->ring_head + c->ring_len) % maxr] = now;
        c->ring_len++;
        return false;
    }
    /* The MaxR previous restarts are all within the window iff the oldest
     * of them is; then this one makes MaxR + 1. Unsigned difference: exact
     * because oldest <= now. */
    int64_t oldest = c->ring[c->ring_head];
    uint64_t age = (uint64_t)now - (uint64_t)oldest;
    if (age <= (uint64_t)c->period_ns)
        return true;
    c->ring[c->ring_head] = now;
    c->ring_head = (c->ring_head + 1) % maxr;
    return false;
}

uint64_t sv__core_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1, by rejection (no modulo bias). */
static uint64_t sv__rng_below(uint64_t *state, uint64_t n)
{
    uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
    for (;;) {
        uint64_t r = sv__core_rng_next(state);
        if (r >= threshold)
            return r % n;
    }
}

int64_t sv__core_add_sat(int64_t now, int64_t d)
{
    if (d <= 0)
        return now;
    if (now > SV_FOREVER - d)
        return SV_FOREVER;
    return now + d;
}

/* delay = min(max, min * 2^k), then drawn uniformly in [delay*(1-j/100), delay]. */
int64_t sv__core_backoff_next(sv_core *c, sv__child *ch)
{
    uint64_t lo = (uint64_t)c->bo_min_ns, hi = (uint64_t)c->bo_max_ns;
    uint32_t k = ch->backoff_k;
    uint64_t d = (k >= 63 || lo > (hi >> k)) ? hi : lo << k;
    if (ch->backoff_k < UINT32_MAX)
        ch->backoff_k++;
    uint32_t j = c->cfg.backoff_jitter_pct;
    if (j > 0 && d > 0) {
        uint64_t span = d / 100 * j + d % 100 * j / 100; /* d*j/100 without overflow */
        d = d - span + sv__rng_below(&c->rng, span + 1);
    }
    return (int64_t)d;
}

void sv__core_backoff_ran(sv_core *c, sv__child *ch, int64_t now)
{
    if (c->bo_min_ns == 0)
        return;
    uint64_t ran = (uint64_t)now - (uint64_t)ch->started_at;
    if (ran >= (uint64_t)c->bo_max_ns)
        ch->backoff_k = 0;
}
