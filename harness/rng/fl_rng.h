/*
 * fl_rng.h — seeded draws shared by the modules that must be deterministic
 * for a given run seed (failpoints, the world's per-child streams): a
 * splitmix64 step and an FNV-1a string hash (prefix fl_rng_). Pure
 * functions: same inputs, same outputs, on every platform.
 */
#ifndef FL_RNG_H
#define FL_RNG_H

#include <stdbool.h>
#include <stdint.h>

/* splitmix64 step and a string hash (FNV-1a), for seeded draws. */
uint64_t fl_rng_mix(uint64_t *state);
uint64_t fl_rng_hash(uint64_t h, const char *s);
static inline uint64_t fl_rng_hash_u64(uint64_t h, uint64_t v) {
    uint64_t st = h ^ (v * 0x9E3779B97F4A7C15ULL);
    return fl_rng_mix(&st);
}
/* True with probability ppm/1e6 given a 64-bit random value. */
static inline bool fl_rng_draw(uint64_t r, uint32_t ppm) { return (r % 1000000u) < ppm; }

#endif
