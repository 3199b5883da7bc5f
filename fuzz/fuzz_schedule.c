/*
 * fuzz_schedule.c — the fl1: schedule string (harness/sched/fl_sched.h).
 *
 * The first input byte picks a mode:
 *  even: the rest is a candidate string (cut at its first NUL). Accepted →
 *        the decoded fields are consistent (runs >= 1 step, thread ids in
 *        range, no two adjacent runs of one thread, steps = sum of runs) and
 *        fl_sched_schedule_format gives back exactly the input (canonical form).
 *        Rejected → -EINVAL, *out left empty, and the message reads
 *        "schedule:1:COL: …" with 1 <= COL <= strlen + 1; a short error
 *        buffer is always NUL-terminated inside its length.
 *  odd:  the rest builds a schedule (origin strategy, seed, depth, k, flags,
 *        end status, preemptions, and steps pushed with fl_sched_schedule_push);
 *        format → parse gives back every field; then one byte of the
 *        encoding is changed (position and value from the input) and the
 *        result must be rejected (the CRC-32 promise).
 * Budget: at most FZS_MAX_IN input bytes and FZS_MAX_PUSH pushes.
 */
#include "sched/fl_sched.h"

#include "fuzz_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZS_MAX_IN 4096
#define FZS_MAX_PUSH 2000

#define FZS_CHECK(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_schedule: check failed: %s\n  ", #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static bool fzs__empty(const fl_sched_schedule *sc) {
    return sc->runs == NULL && sc->nruns == 0 && sc->steps == 0;
}

/* "schedule:1:COL: TEXT" with COL in [1, maxcol] and TEXT non-empty. */
static void fzs__check_err(const char *err, size_t maxcol, const char *input) {
    const char pre[] = "schedule:1:";
    FZS_CHECK(strncmp(err, pre, sizeof pre - 1) == 0, "error \"%s\" for \"%s\"", err, input);
    const char *p = err + sizeof pre - 1;
    char *end;
    unsigned long col = strtoul(p, &end, 10);
    FZS_CHECK(end != p && *p != '0' && *p != '-' && *p != '+', "no column in \"%s\"", err);
    FZS_CHECK(col >= 1 && col <= maxcol, "column %lu outside 1..%zu in \"%s\" for \"%s\"", col,
              maxcol, err, input);
    FZS_CHECK(end[0] == ':' && end[1] == ' ' && end[2] != '\0', "no message in \"%s\"", err);
}

static void fzs__parse_mode(fz_in *in) {
    size_t n;
    const uint8_t *p = fz_rest(in, &n);
    char *s = malloc(n + 1);
    FZS_CHECK(s != NULL, "out of memory");
    memcpy(s, p, n);
    s[n] = '\0';
    size_t len = strlen(s);

    fl_sched_schedule sc;
    char err[256];
    int rc = fl_sched_schedule_parse(s, &sc, err, sizeof err);
    if (rc == 0) {
        uint64_t steps = 0;
        for (size_t i = 0; i < sc.nruns; i++) {
            FZS_CHECK(sc.runs[i].len >= 1, "run %zu has length 0 in \"%s\"", i, s);
            FZS_CHECK(sc.runs[i].tid <= FL_SCHED_SCHEDULE_MAX_THREAD, "run %zu tid %u in \"%s\"", i,
                      sc.runs[i].tid, s);
            FZS_CHECK(i == 0 || sc.runs[i].tid != sc.runs[i - 1].tid,
                      "adjacent runs of thread %u in \"%s\"", sc.runs[i].tid, s);
            steps += sc.runs[i].len;
        }
        FZS_CHECK(steps == sc.steps, "steps %llu, runs sum to %llu in \"%s\"",
                  (unsigned long long)sc.steps, (unsigned long long)steps, s);
        FZS_CHECK(fl_sched_schedule_switches(&sc) == (sc.nruns ? sc.nruns - 1 : 0), "switches");
        char *again = fl_sched_schedule_format(&sc);
        FZS_CHECK(again != NULL, "accepted \"%s\" but format refuses it", s);
        FZS_CHECK(strcmp(again, s) == 0, "not canonical: parsed \"%s\", formatted \"%s\"", s,
                  again);
        free(again);
        fl_sched_schedule_free(&sc);
        FZS_CHECK(fzs__empty(&sc), "fl_sched_schedule_free left data");
    } else {
        FZS_CHECK(rc == -EINVAL, "parse returned %d for \"%s\"", rc, s);
        FZS_CHECK(fzs__empty(&sc), "rejected \"%s\" but *out is not empty", s);
        FZS_CHECK(memchr(err, '\0', sizeof err) != NULL, "error not terminated");
        fzs__check_err(err, len + 1, s);
        /* tiny buffers: always terminated, never overrun (ASan watches) */
        for (size_t cap = 0; cap < 24; cap += 7) {
            char *small = malloc(cap ? cap : 1);
            FZS_CHECK(small != NULL, "out of memory");
            FZS_CHECK(fl_sched_schedule_parse(s, &sc, cap ? small : NULL, cap) == -EINVAL,
                      "verdict changed with errlen %zu", cap);
            if (cap)
                FZS_CHECK(memchr(small, '\0', cap) != NULL, "errlen %zu: not terminated", cap);
            free(small);
        }
        FZS_CHECK(fl_sched_schedule_parse(s, &sc, NULL, 0) == -EINVAL, "verdict changed, no err");
    }
    free(s);
}

static void fzs__build_mode(fz_in *in) {
    static const fl_sched_strategy origins[] = {FL_SCHED_STRAT_RANDOM, FL_SCHED_STRAT_PCT, FL_SCHED_STRAT_RR,
                                          FL_SCHED_STRAT_DFS, FL_SCHED_STRAT_POS};
    fl_sched_schedule sc;
    memset(&sc, 0, sizeof sc);
    sc.strategy = origins[fz_pick(in, sizeof origins / sizeof origins[0])];
    sc.seed = fz_range(in, 0, UINT64_MAX);
    if (sc.strategy == FL_SCHED_STRAT_PCT) {
        sc.depth = fz_u32(in, 0, 1000000); /* the decoder's documented bound */
        sc.pct_k = fz_range(in, 0, UINT64_MAX);
    }
    uint8_t fl = fz_byte(in);
    sc.flags = fl & (FL_SCHED_SCHEDULE_OPEN | FL_SCHED_SCHEDULE_EDITED);
    sc.end = (fl_sched_status)((fl >> 2) % 3); /* OK, DEADLOCK, BUDGET */
    sc.preemptions = fz_range(in, 0, UINT64_MAX);
    size_t npush = fz_u32(in, 0, FZS_MAX_PUSH);
    uint32_t tids[8];
    for (size_t i = 0; i < 8; i++)
        tids[i] = fz_u32(in, 0, FL_SCHED_SCHEDULE_MAX_THREAD);
    for (size_t i = 0; i < npush && !fz_empty(in); i++) {
        uint8_t b = fz_byte(in);
        /* low 3 bits: thread, high bits: repeat count */
        for (unsigned r = 0; r <= (b >> 3) % 8; r++)
            FZS_CHECK(fl_sched_schedule_push(&sc, tids[b & 7]) == 0, "push failed");
    }
    uint64_t steps = 0;
    for (size_t i = 0; i < sc.nruns; i++)
        steps += sc.runs[i].len;
    FZS_CHECK(steps == sc.steps, "push kept steps %llu, runs sum %llu",
              (unsigned long long)sc.steps, (unsigned long long)steps);

    char *s = fl_sched_schedule_format(&sc);
    FZS_CHECK(s != NULL, "format refused a valid schedule (%zu runs)", sc.nruns);
    fl_sched_schedule back;
    char err[256];
    int rc = fl_sched_schedule_parse(s, &back, err, sizeof err);
    FZS_CHECK(rc == 0, "own output \"%s\" rejected: %s", s, err);
    FZS_CHECK(back.strategy == sc.strategy && back.seed == sc.seed && back.depth == sc.depth &&
                  back.pct_k == sc.pct_k && back.flags == sc.flags && back.end == sc.end &&
                  back.preemptions == sc.preemptions && back.nruns == sc.nruns &&
                  back.steps == sc.steps,
              "header fields differ after the round trip of \"%s\"", s);
    for (size_t i = 0; i < sc.nruns; i++)
        FZS_CHECK(back.runs[i].tid == sc.runs[i].tid && back.runs[i].len == sc.runs[i].len,
                  "run %zu differs after the round trip of \"%s\"", i, s);
    fl_sched_schedule_free(&back);

    /* one changed byte must be rejected */
    size_t len = strlen(s);
    size_t at = (size_t)fz_range(in, 0, len - 1);
    uint8_t nb = fz_byte(in);
    if (nb != 0 && nb != (uint8_t)s[at]) {
        char old = s[at];
        s[at] = (char)nb;
        rc = fl_sched_schedule_parse(s, &back, err, sizeof err);
        FZS_CHECK(rc == -EINVAL, "byte %zu changed from '%c' to 0x%02x, still accepted: \"%s\"",
                  at, old, nb, s);
        fzs__check_err(err, len + 1, s);
    }
    free(s);
    fl_sched_schedule_free(&sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FZS_MAX_IN)
        return 0;
    fz_in in = fz_init(data, size);
    if (fz_byte(&in) & 1)
        fzs__build_mode(&in);
    else
        fzs__parse_mode(&in);
    return 0;
}
