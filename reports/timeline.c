/*
 * timeline.c — groups a trace's events into lanes: one per supervisor (its
 * own events and child events without an incarnation) and one per child
 * incarnation, with the span during which each incarnation ran (STARTED or
 * RESTARTED up to JOINED or UNSTOPPED, else to the end of the trace).
 * Shared by the Chrome-trace writer and the HTML timeline.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool fl_report__streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static uint64_t fl_report__hash_str(uint64_t h, const char *s)
{
    if (!s)
        return h * 0x100000001b3ull ^ 0xff;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (h ^ 0xfe) * 0x100000001b3ull;
}

/* Lanes in first-appearance order, found through an open-addressing table
 * of lane indexes (SIZE_MAX = empty); the table never fills beyond half. */
typedef struct fl_report__lanemap {
    fl_report__lane *lanes;
    size_t nlanes, cap;
    size_t *slots;
    size_t nslots;
} fl_report__lanemap;

static uint64_t fl_report__lane_hash(const char *sup, const char *child, uint32_t inc)
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = fl_report__hash_str(h, sup);
    h = fl_report__hash_str(h, child);
    return (h ^ inc) * 0x100000001b3ull;
}

static int fl_report__lanemap_grow(fl_report__lanemap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64, i, j;
    size_t *slots = malloc(n * sizeof *slots);

    if (!slots)
        return -ENOMEM;
    for (i = 0; i < n; i++)
        slots[i] = SIZE_MAX;
    for (j = 0; j < m->nlanes; j++) {
        const fl_report__lane *l = &m->lanes[j];
        i = fl_report__lane_hash(l->sup, l->child, l->incarnation) & (n - 1);
        while (slots[i] != SIZE_MAX)
            i = (i + 1) & (n - 1);
        slots[i] = j;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    return 0;
}

/* Index of the lane (sup, child, inc), created when absent; SIZE_MAX on
 * allocation failure. */
static size_t fl_report__lanemap_get(fl_report__lanemap *m, const char *sup,
                                     const char *child, uint32_t inc, size_t ev)
{
    size_t i;

    if ((m->nlanes + 1) * 2 > m->nslots && fl_report__lanemap_grow(m) < 0)
        return SIZE_MAX;
    i = fl_report__lane_hash(sup, child, inc) & (m->nslots - 1);
    while (m->slots[i] != SIZE_MAX) {
        const fl_report__lane *l = &m->lanes[m->slots[i]];
        if (l->incarnation == inc && fl_report__streq(l->sup, sup) &&
            fl_report__streq(l->child, child))
            return m->slots[i];
        i = (i + 1) & (m->nslots - 1);
    }
    if (m->nlanes == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        fl_report__lane *lanes = realloc(m->lanes, cap * sizeof *lanes);
        if (!lanes)
            return SIZE_MAX;
        m->lanes = lanes;
        m->cap = cap;
    }
    memset(&m->lanes[m->nlanes], 0, sizeof m->lanes[0]);
    m->lanes[m->nlanes].sup = sup;
    m->lanes[m->nlanes].child = child;
    m->lanes[m->nlanes].incarnation = inc;
    m->lanes[m->nlanes].first = ev;
    m->lanes[m->nlanes].span_end_kind = -1;
    m->lanes[m->nlanes].ended = SIZE_MAX;
    m->slots[i] = m->nlanes;
    return m->nlanes++;
}

static void fl_report__lane_add_event(fl_report__lane *l, const sv_event *e, size_t i)
{
    l->last = i;
    l->nevents++;
    if (!l->child)
        return;
    if (!l->has_span && (e->kind == SV_EV_STARTED || e->kind == SV_EV_RESTARTED)) {
        l->has_span = true;
        l->span_begin = i;
    } else if (l->has_span && !l->span_closed && l->ended == SIZE_MAX &&
               (e->kind == SV_EV_CRASH || e->kind == SV_EV_EXIT)) {
        l->ended = i;
    } else if (l->has_span && !l->span_closed &&
               (e->kind == SV_EV_JOINED || e->kind == SV_EV_UNSTOPPED)) {
        l->span_closed = true;
        l->span_end = i;
        l->span_end_kind = (int)e->kind;
    }
}

int fl_report__timeline_build(const fl_event *ev, size_t n, fl_report__timeline *tl)
{
    fl_report__lanemap m = {0};
    size_t *order = NULL, i, k;
    uint32_t *lane_of = NULL;
    fl_report__lane *lanes = NULL;
    const char *first_sup = NULL;
    int rc = -ENOMEM;

    memset(tl, 0, sizeof *tl);
    lane_of = malloc((n ? n : 1) * sizeof *lane_of);
    if (!lane_of)
        goto fail;
    for (i = 0; i < n; i++) {
        const sv_event *e = &ev[i].ev;
        bool own = e->child && e->incarnation > 0;
        size_t l = fl_report__lanemap_get(&m, e->sup, own ? e->child : NULL,
                                          own ? e->incarnation : 0, i);
        if (l == SIZE_MAX)
            goto fail;
        if (l > UINT32_MAX) {
            rc = -EOVERFLOW;
            goto fail;
        }
        lane_of[i] = (uint32_t)l;
        fl_report__lane_add_event(&m.lanes[l], e, i);
        if (e->sup && !first_sup)
            first_sup = e->sup;
        else if (!fl_report__streq(first_sup, e->sup))
            tl->multi_sup = true;
    }
    for (i = 0; i < m.nlanes; i++)
        if (m.lanes[i].has_span && !m.lanes[i].span_closed)
            m.lanes[i].span_end = n - 1;

    /* display order: supervisor lanes first, each group in appearance order */
    order = malloc((m.nlanes ? m.nlanes : 1) * sizeof *order);
    lanes = malloc((m.nlanes ? m.nlanes : 1) * sizeof *lanes);
    if (!order || !lanes)
        goto fail;
    for (i = 0, k = 0; i < m.nlanes; i++)
        if (!m.lanes[i].child)
            order[i] = k++;
    for (i = 0; i < m.nlanes; i++)
        if (m.lanes[i].child)
            order[i] = k++;
    for (i = 0; i < m.nlanes; i++)
        lanes[order[i]] = m.lanes[i];
    for (i = 0; i < n; i++)
        lane_of[i] = (uint32_t)order[lane_of[i]];

    tl->lanes = lanes;
    tl->nlanes = m.nlanes;
    tl->lane_of = lane_of;
    tl->nevents = n;
    free(order);
    free(m.lanes);
    free(m.slots);
    return 0;

fail:
    free(order);
    free(lanes);
    free(lane_of);
    free(m.lanes);
    free(m.slots);
    memset(tl, 0, sizeof *tl);
    return rc;
}

void fl_report__timeline_free(fl_report__timeline *tl)
{
    free(tl->lanes);
    free(tl->lane_of);
    memset(tl, 0, sizeof *tl);
}

void fl_report__lane_name(const fl_report__timeline *tl, const fl_report__lane *l,
                          fl_report__buf *b)
{
    if (!l->child) {
        fl_report__buf_printf(b, "supervisor %s", l->sup ? l->sup : "?");
        return;
    }
    if (tl->multi_sup)
        fl_report__buf_printf(b, "%s/", l->sup ? l->sup : "?");
    fl_report__buf_printf(b, "%s#%u", l->child, (unsigned)l->incarnation);
}
