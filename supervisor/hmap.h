/*
 * hmap.h — an open-addressing hash multimap, private to libsv: a 32-bit hash
 * maps to uintptr_t values. The core indexes children by id with it
 * (hash of the id → slot), the runtime its slots (hash of the slot number →
 * sv__slot *).
 *
 * Keys are not stored: several entries may share a hash, so a lookup walks
 * the candidates with the hash it asks for (sv__hmap_first/next) and checks
 * its own key. Linear probing; deletion shifts later entries back (no
 * tombstones), so a lookup costs O(1) expected at any history of inserts and
 * deletes. Invariants: cap is 0 or a power of two; n <= cap / 2; an entry
 * sits between its home bucket (h & (cap - 1)) and the next empty bucket.
 * Memory comes from sv_alloc; put never allocates (reserve first).
 */
#ifndef SV_HMAP_H
#define SV_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sv__hent {
    uint32_t h;
    bool used;
    uintptr_t v;
} sv__hent;

typedef struct sv__hmap {
    sv__hent *e; /* cap entries, owned; NULL when cap == 0 */
    size_t cap, n;
} sv__hmap;

#define SV__HMAP_END SIZE_MAX

/* Room for n entries in all (load stays <= 1/2). 0, or -ENOMEM with the map
 * unchanged. */
int sv__hmap_reserve(sv__hmap *m, size_t n);
/* Add (h, v). The caller reserved room for it. Never fails. */
void sv__hmap_put(sv__hmap *m, uint32_t h, uintptr_t v);
/* Remove the entry (h, v); false if there is none. Never allocates. */
bool sv__hmap_del(sv__hmap *m, uint32_t h, uintptr_t v);
/* First / next bucket holding a value with hash h, or SV__HMAP_END; the
 * value is m->e[i].v. Valid until the map changes. */
size_t sv__hmap_first(const sv__hmap *m, uint32_t h);
size_t sv__hmap_next(const sv__hmap *m, uint32_t h, size_t i);
/* Frees the buckets; the map is empty and usable after. */
void sv__hmap_free(sv__hmap *m);

/* Hashes: of a string of at most max bytes (FNV-1a, then mixed), and of a
 * 32-bit number (a bijective mixer). */
uint32_t sv__hash_str(const char *s, size_t max);
uint32_t sv__hash_u32(uint32_t x);

#endif
