/*
 * hmap.c — the open-addressing hash multimap of hmap.h.
 */
#include "hmap.h"

#include "sv_plat.h"

#include <errno.h>
#include <string.h>

static size_t sv__home(const sv__hmap *m, uint32_t h) { return (size_t)h & (m->cap - 1); }

/* Place (h, v) in the first empty bucket from its home; room guaranteed. */
static void sv__place(sv__hent *e, size_t cap, uint32_t h, uintptr_t v)
{
    size_t i = (size_t)h & (cap - 1);
    while (e[i].used) i = (i + 1) & (cap - 1);
    e[i] = (sv__hent){ .h = h, .used = true, .v = v };
}

int sv__hmap_reserve(sv__hmap *m, size_t n)
{
    if (n <= m->cap / 2) return 0;
    size_t cap = m->cap ? m->cap : 8;
    while (cap / 2 < n) {
        if (cap > SIZE_MAX / 2 / sizeof *m->e) return -ENOMEM;
        cap *= 2;
    }
    sv__hent *e = sv_alloc(cap * sizeof *e);
    if (!e) return -ENOMEM;
    memset(e, 0, cap * sizeof *e);
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].used) sv__place(e, cap, m->e[i].h, m->e[i].v);
    sv_free(m->e);
    m->e = e;
    m->cap = cap;
    return 0;
}

void sv__hmap_put(sv__hmap *m, uint32_t h, uintptr_t v)
{
    sv__place(m->e, m->cap, h, v);
    m->n++;
}

size_t sv__hmap_next(const sv__hmap *m, uint32_t h, size_t i)
{
    for (i = (i + 1) & (m->cap - 1); m->e[i].used; i = (i + 1) & (m->cap - 1))
        if (m->e[i].h == h) return i;
    return SV__HMAP_END;
}

size_t sv__hmap_first(const sv__hmap *m, uint32_t h)
{
    if (m->n == 0) return SV__HMAP_END;
    size_t i = sv__home(m, h);
    if (m->e[i].used && m->e[i].h == h) return i;
    return m->e[i].used ? sv__hmap_next(m, h, i) : SV__HMAP_END;
}

/* Backward-shift deletion: after emptying bucket i, move back every later
 * entry of the cluster whose home does not lie cyclically in (i, j]. */
bool sv__hmap_del(sv__hmap *m, uint32_t h, uintptr_t v)
{
    size_t i = sv__hmap_first(m, h);
    while (i != SV__HMAP_END && m->e[i].v != v) i = sv__hmap_next(m, h, i);
    if (i == SV__HMAP_END) return false;
    size_t mask = m->cap - 1;
    for (size_t j = (i + 1) & mask; m->e[j].used; j = (j + 1) & mask) {
        size_t k = sv__home(m, m->e[j].h);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        m->e[i] = m->e[j];
        i = j;
    }
    m->e[i].used = false;
    m->n--;
    return true;
}

void sv__hmap_free(sv__hmap *m)
{
    sv_free(m->e);
    memset(m, 0, sizeof *m);
}

uint32_t sv__hash_u32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

uint32_t sv__hash_str(const char *s, size_t max)
{
    uint32_t h = 2166136261U;
    for (size_t i = 0; i < max && s[i]; i++) h = (h ^ (unsigned char)s[i]) * 16777619U;
    return sv__hash_u32(h);
}
