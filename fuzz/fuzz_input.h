/*
 * fuzz_input.h — deterministic byte consumer for the fuzz targets, in the
 * style of gRPC's api_fuzzer: one byte picks an operation, following bytes
 * give its bounded arguments.
 *
 * Invariants: never reads outside [p, p + n); once the input is exhausted
 * every getter returns its lowest value (0, lo, false, empty string), so a
 * target's decode loop always terminates when it also checks fz_empty() or
 * keeps a step budget. Same bytes → same values, always.
 *
 * Header-only, no allocation; the fz_in borrows the libFuzzer buffer.
 */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct fz_in {
    const uint8_t *p; /* next unread byte */
    size_t n;         /* bytes left */
} fz_in;

static inline fz_in fz_init(const uint8_t *data, size_t size) {
    fz_in in = {data, data ? size : 0};
    return in;
}

static inline bool fz_empty(const fz_in *in) { return in->n == 0; }
static inline size_t fz_left(const fz_in *in) { return in->n; }

/* One byte, or 0 when exhausted. */
static inline uint8_t fz_byte(fz_in *in) {
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static inline bool fz_bool(fz_in *in) { return fz_byte(in) & 1u; }

/* A value in [lo, hi] (inclusive; hi < lo is treated as hi = lo). Consumes
 * only as many bytes as the range needs (0 for a single value, 1 for up to
 * 256 values, ...), little-endian, reduced modulo the range size. */
static inline uint64_t fz_range(fz_in *in, uint64_t lo, uint64_t hi) {
    if (hi <= lo)
        return lo;
    uint64_t span = hi - lo; /* number of values - 1 */
    uint64_t v = 0;
    unsigned shift = 0;
    while (shift < 64 && (span >> shift) != 0) {
        v |= (uint64_t)fz_byte(in) << shift;
        shift += 8;
    }
    if (span == UINT64_MAX)
        return lo + v;
    return lo + v % (span + 1);
}

static inline uint32_t fz_u32(fz_in *in, uint32_t lo, uint32_t hi) {
    return (uint32_t)fz_range(in, lo, hi);
}

/* Pick one of n choices (n >= 1): [0, n). */
static inline unsigned fz_pick(fz_in *in, unsigned n) {
    return n <= 1 ? 0u : (unsigned)fz_range(in, 0, n - 1);
}

/* Up to want bytes, borrowed from the input; *got = how many. */
static inline const uint8_t *fz_bytes(fz_in *in, size_t want, size_t *got) {
    const uint8_t *p = in->p;
    if (want > in->n)
        want = in->n;
    in->p += want;
    in->n -= want;
    *got = want;
    return p;
}

/* Length-prefixed string: one byte gives the length (modulo cap), then that
 * many bytes (fewer if the input ends). Copied into buf (cap >= 1) and NUL-
 * terminated; embedded NULs are kept in the returned length. */
static inline size_t fz_str(fz_in *in, char *buf, size_t cap) {
    size_t want = cap > 1 ? fz_byte(in) % cap : 0;
    size_t got = 0;
    const uint8_t *p = fz_bytes(in, want, &got);
    if (got)
        memcpy(buf, p, got);
    buf[got] = '\0';
    return got;
}

/* The rest of the input, borrowed. */
static inline const uint8_t *fz_rest(fz_in *in, size_t *got) {
    return fz_bytes(in, in->n, got);
}

#endif
