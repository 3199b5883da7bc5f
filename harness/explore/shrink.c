/*
 * shrink.c — schedule shrinking (see fl_explore.h).
 *
 * State: `cur` holds the choices of the best failing run found so far (its
 * strict record when captured); every edit pass works on a snapshot of
 * cur, so that an accepted candidate never invalidates the pass in flight;
 * a pass that improved restarts the round on the new cur.
 */
#include "explore/explore_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/fl_sched.h"

typedef struct fl_explore__key {
    uint64_t pre, steps;
    size_t len;
} fl_explore__key;

typedef struct fl_explore__shr {
    fl_explore_shrink_fails_fn fails;
    void *ud;
    uint32_t max_runs, runs, accepted;
    bool canon_mode;        /* the callback replays in-thread: real counts */
    fl_sched_schedule meta;       /* origin fields copied into every candidate */
    fl_sched_schedule cur;        /* choices of the best run */
    char *best_open;        /* the accepted candidate (or the input) */
    char *best_strict;      /* strict record of the best run, or NULL */
    fl_explore__key best;
    int err;                /* negative: stop (callback error or ENOMEM) */
} fl_explore__shr;

static bool fl_explore__less(fl_explore__key a, fl_explore__key b)
{
    if (a.pre != b.pre) return a.pre < b.pre;
    if (a.steps != b.steps) return a.steps < b.steps;
    return a.len < b.len;
}

/* Normalised copy of runs[0..n) into sc (zero lengths dropped, equal
 * neighbours merged). */
static int fl_explore__build(fl_sched_schedule *sc, const fl_sched_schedule_run *runs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (runs[i].len == 0) continue;
        if (sc->nruns && sc->runs[sc->nruns - 1].tid == runs[i].tid) {
            sc->runs[sc->nruns - 1].len += runs[i].len;
            sc->steps += runs[i].len;
            continue;
        }
        if (fl_sched_schedule_push(sc, runs[i].tid) < 0) return -ENOMEM;
        sc->runs[sc->nruns - 1].len = runs[i].len;
        sc->steps += runs[i].len - 1;
    }
    return 0;
}

static int fl_explore__adopt_runs(fl_sched_schedule *dst, const fl_sched_schedule *src)
{
    fl_sched_schedule n = {0};
    if (fl_explore__build(&n, src->runs, src->nruns) < 0) {
        fl_sched_schedule_free(&n);
        return -ENOMEM;
    }
    fl_sched_schedule_free(dst);
    *dst = n;
    return 0;
}

/* Run one candidate. Returns 1 if it failed, 0 if not, -1 when the shrink
 * must stop (budget, error). Accepts it as the new best when smaller. */
static int fl_explore__probe(fl_explore__shr *s, const fl_sched_schedule_run *runs, size_t n)
{
    if (s->err || s->runs >= s->max_runs) return -1;
    fl_sched_schedule cand = s->meta;
    cand.runs = NULL;
    cand.nruns = cand.runs_cap = 0;
    cand.steps = 0;
    cand.flags = FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED;
    cand.end = FL_SCHED_OK;
    cand.preemptions = 0;
    char *str = NULL;
    if (fl_explore__build(&cand, runs, n) < 0 || !(str = fl_sched_schedule_format(&cand))) {
        fl_sched_schedule_free(&cand);
        s->err = -ENOMEM;
        return -1;
    }
    fl_sched_capture cap = { .candidate = str };
    fl_sched_capture *saved = fl_sched_capture_set(&cap);
    int rc = s->fails(str, s->ud);
    fl_sched_capture_set(saved);
    s->runs++;
    if (rc < 0) {
        s->err = rc;
        goto out;
    }
    if (rc != 1) goto out;
    fl_explore__key k;
    if (s->canon_mode) {
        if (!cap.canonical) goto out; /* not replayed in-thread: cannot compare */
        k = (fl_explore__key){ cap.preemptions, cap.steps, strlen(cap.canonical) };
    } else {
        k = (fl_explore__key){ fl_sched_schedule_switches(&cand), cand.steps, strlen(str) };
    }
    if (!fl_explore__less(k, s->best)) goto out;
    fl_sched_schedule next = {0};
    if (cap.canonical) {
        char e[8];
        if (fl_sched_schedule_parse(cap.canonical, &next, e, sizeof e) < 0) goto out;
    } else if (fl_explore__adopt_runs(&next, &cand) < 0) {
        s->err = -ENOMEM;
        goto out;
    }
    fl_sched_schedule_free(&s->cur);
    s->cur = next;
    free(s->best_open);
    s->best_open = str;
    str = NULL;
    free(s->best_strict);
    s->best_strict = cap.canonical;
    cap.canonical = NULL;
    s->best = k;
    s->accepted++;
out:
    free(cap.canonical);
    free(str);
    fl_sched_schedule_free(&cand);
    return s->err ? -1 : rc == 1;
}

/* One round of edits on a snapshot of cur. true if something was accepted. */
static bool fl_explore__round(fl_explore__shr *s)
{
    fl_sched_schedule snap = {0};
    if (fl_explore__adopt_runs(&snap, &s->cur) < 0) {
        s->err = -ENOMEM;
        return false;
    }
    size_t n = snap.nruns;
    uint32_t before = s->accepted;
    fl_sched_schedule_run *tmp = malloc((n + 1) * sizeof *tmp);
    if (!tmp) {
        s->err = -ENOMEM;
        goto done;
    }
    /* 1. cut the tail: every prefix of a short list, else binary search */
    if (n <= 64) {
        for (size_t len = 0; len < n; len++)
            if (fl_explore__probe(s, snap.runs, len) < 0 || s->accepted != before) goto done;
    } else {
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int f = fl_explore__probe(s, snap.runs, mid);
            if (f < 0) goto done;
            if (f) hi = mid;
            else lo = mid + 1;
        }
        if (s->accepted != before) goto done;
    }
    /* 2. delete one run, from the end */
    for (size_t i = n; i-- > 0;) {
        memcpy(tmp, snap.runs, i * sizeof *tmp);
        memcpy(tmp + i, snap.runs + i + 1, (n - i - 1) * sizeof *tmp);
        if (fl_explore__probe(s, tmp, n - 1) < 0 || s->accepted != before) goto done;
    }
    /* 3. give a run to its neighbour's thread: one switch fewer */
    for (size_t i = 0; i < n; i++) {
        for (int side = 0; side < 2; side++) {
            if ((side == 0 && i == 0) || (side == 1 && i + 1 >= n)) continue;
            memcpy(tmp, snap.runs, n * sizeof *tmp);
            tmp[i].tid = snap.runs[side == 0 ? i - 1 : i + 1].tid;
            if (fl_explore__probe(s, tmp, n) < 0 || s->accepted != before) goto done;
        }
    }
    /* 4. give a run to any other thread that appears in the list */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            uint32_t t = snap.runs[j].tid;
            bool seen = false;
            for (size_t q = 0; q < j; q++) seen |= snap.runs[q].tid == t;
            if (seen || t == snap.runs[i].tid) continue;
            memcpy(tmp, snap.runs, n * sizeof *tmp);
            tmp[i].tid = t;
            if (fl_explore__probe(s, tmp, n) < 0 || s->accepted != before) goto done;
        }
    }
    /* 5. swap two neighbouring runs */
    for (size_t i = 0; i + 1 < n; i++) {
        memcpy(tmp, snap.runs, n * sizeof *tmp);
        tmp[i] = snap.runs[i + 1];
        tmp[i + 1] = snap.runs[i];
        if (fl_explore__probe(s, tmp, n) < 0 || s->accepted != before) goto done;
    }
    /* 6. halve a run: its switch comes earlier */
    for (size_t i = 0; i < n; i++) {
        if (snap.runs[i].len < 2) continue;
        memcpy(tmp, snap.runs, n * sizeof *tmp);
        tmp[i].len /= 2;
        if (fl_explore__probe(s, tmp, n) < 0 || s->accepted != before) goto done;
    }
done:
    free(tmp);
    fl_sched_schedule_free(&snap);
    return s->accepted != before && !s->err;
}

static bool fl_explore__is_open(const char *schedule)
{
    fl_sched_schedule sc = {0};
    char e[8];
    bool open = fl_sched_schedule_parse(schedule, &sc, e, sizeof e) == 0 && (sc.flags & FL_SCHED_SCHEDULE_OPEN);
    fl_sched_schedule_free(&sc);
    return open;
}

static void fl_explore__msg(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen) snprintf(err, errlen, fmt, arg);
}

int fl_explore_shrink(const char *schedule, fl_explore_shrink_fails_fn fails, void *ud, const fl_explore_shrink_opts *opts,
              fl_explore_shrink_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    fl_explore__shr s = { .fails = fails, .ud = ud };
    s.max_runs = opts && opts->max_runs ? opts->max_runs : 2000;
    int rc = fl_sched_schedule_parse(schedule, &s.meta, err, errlen);
    if (rc < 0) return rc;
    if ((rc = fl_explore__adopt_runs(&s.cur, &s.meta)) < 0) goto fail;
    size_t len0 = strlen(schedule);
    uint64_t switches0 = fl_sched_schedule_switches(&s.meta);

    /* the input must fail; its run gives the starting sizes */
    fl_sched_capture cap = { .candidate = schedule };
    fl_sched_capture *saved = fl_sched_capture_set(&cap);
    rc = fails(schedule, ud);
    fl_sched_capture_set(saved);
    s.runs = 1;
    if (rc != 1) {
        free(cap.canonical);
        if (rc == 0) {
            fl_explore__msg(err, errlen, "%s", "shrink: the input schedule does not fail");
            rc = -ESRCH;
        }
        goto fail;
    }
    s.canon_mode = cap.canonical != NULL;
    s.best_strict = cap.canonical;
    if (!(s.best_open = strdup(schedule))) {
        rc = -ENOMEM;
        goto fail;
    }
    if (s.canon_mode) {
        s.best = (fl_explore__key){ cap.preemptions, cap.steps, strlen(cap.canonical) };
        fl_sched_schedule strict = {0};
        char e[8];
        if (fl_sched_schedule_parse(cap.canonical, &strict, e, sizeof e) == 0) {
            fl_sched_schedule_free(&s.cur);
            s.cur = strict;
        }
    } else {
        s.best = (fl_explore__key){ switches0, s.meta.steps, len0 };
    }
    out->len_before = len0;
    out->steps_before = s.best.steps;
    out->preempt_before = s.canon_mode ? s.best.pre : s.meta.preemptions;
    out->switches_before = switches0;

    while (fl_explore__round(&s)) {
    }
    /* The edits stop at a local minimum; bounded search below its
     * preemption count finds the global one (or says it stopped early). */
    if (!s.err && s.canon_mode && s.best.pre > 0 && s.runs < s.max_runs) {
        fl_explore__min mn;
        int mr = fl_explore__shrink_min(fails, ud, &s.meta, s.best.pre, s.max_runs - s.runs, &mn);
        if (mr < 0 && mr != -ENOTSUP) s.err = mr;
        if (mr == 0) {
            s.runs += mn.runs;
            out->min_runs = mn.runs;
            out->min_searched = mn.searched;
            out->stopped_early = mn.stopped_early;
            out->beyond_limit = mn.beyond_limit;
            fl_sched_schedule found = {0};
            char e[8];
            if (mn.schedule && fl_sched_schedule_parse(mn.schedule, &found, e, sizeof e) == 0) {
                s.max_runs += 1; /* the probe below replays what the search found */
                fl_explore__probe(&s, found.runs, found.nruns);
                while (fl_explore__round(&s)) {
                }
            }
            out->min_proven = mn.proven && s.best.pre <= mn.bound;
            fl_sched_schedule_free(&found);
            free(mn.schedule);
        }
    } else if (!s.err && s.canon_mode && s.best.pre == 0) {
        out->min_proven = true;
    } else if (!s.err && s.canon_mode) {
        out->stopped_early = true; /* the edits used up max_runs: no search ran */
    }
    if (s.err < 0) {
        rc = s.err;
        fl_explore__msg(err, errlen, "%s", rc == -ENOMEM ? "shrink: out of memory" : "shrink: the callback failed");
        goto fail;
    }
    const char *pick = schedule;
    if (s.best_strict && strlen(s.best_strict) <= len0) {
        pick = s.best_strict;
        out->strict = !fl_explore__is_open(pick); /* a run that died reports its open schedule */
    } else if (strlen(s.best_open) <= len0) {
        pick = s.best_open;
    } else {
        out->strict = !(s.meta.flags & FL_SCHED_SCHEDULE_OPEN);
    }
    if (!(out->schedule = strdup(pick))) {
        rc = -ENOMEM;
        goto fail;
    }
    out->len_after = strlen(pick);
    out->steps_after = s.best.steps;
    out->preempt_after = s.canon_mode ? s.best.pre : (pick == schedule ? s.meta.preemptions : 0);
    out->switches_after = fl_sched_schedule_switches(&s.cur);
    out->runs = s.runs;
    out->accepted = s.accepted;
    rc = 0;
fail:
    free(s.best_open);
    free(s.best_strict);
    fl_sched_schedule_free(&s.cur);
    fl_sched_schedule_free(&s.meta);
    if (rc < 0) {
        free(out->schedule);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

void fl_explore_shrink_result_free(fl_explore_shrink_result *out)
{
    if (!out) return;
    free(out->schedule);
    memset(out, 0, sizeof *out);
}

/* The calling thread's capture slot when it is set for exactly candidate
 * (read by setting it and putting it back: the slot is the thread's own). */
static fl_sched_capture *fl_explore__slot(const char *candidate)
{
    fl_sched_capture *cap = fl_sched_capture_set(NULL);
    fl_sched_capture_set(cap);
    return cap && cap->candidate && candidate && strcmp(cap->candidate, candidate) == 0 ? cap : NULL;
}

const fl_sched_hook *fl_explore_shrink_hook(const char *candidate)
{
    fl_sched_capture *cap = fl_explore__slot(candidate);
    return cap ? cap->hook : NULL;
}

int fl_explore_shrink_report(const char *candidate, const char *schedule, uint64_t steps, uint64_t preemptions,
                             fl_sched_status status)
{
    fl_sched_capture *cap = fl_explore__slot(candidate);
    if (!cap || !schedule) return 0;
    char *copy = strdup(schedule);
    if (!copy) return -ENOMEM;
    free(cap->canonical);
    cap->canonical = copy;
    cap->steps = steps;
    cap->preemptions = preemptions;
    cap->status = status;
    return 0;
}
