/*
 * schedule.h — the schedule string: a versioned, one-line, shell-safe record
 * of the choices a controlled run made (prefix fl_schedule_).
 *
 *   fl1:STRATEGY.SEED.DEPTH.K.FLAGS.PREEMPTIONS.CHOICES.CHECK
 *
 *   STRATEGY     random | pct | rr | dfs: how the schedule was found
 *                (informational: replay follows CHOICES only)
 *   SEED, DEPTH, K, FLAGS, PREEMPTIONS
 *                numbers in base 32, digits 0-9a-v, most significant first,
 *                no leading zero ("0" is zero)
 *   CHOICES      run-length encoded thread ids: pairs (thread id, run length
 *                - 1), each number a base-32 VLQ (digits 0-f end a number,
 *                g-v carry 4 bits and continue it; least significant first)
 *   CHECK        CRC-32 of every byte before the last '.', 7 base-32 digits
 *
 * Only [a-z0-9.:] occur, so a schedule pastes into any shell unquoted. The
 * encoding is canonical: fl_schedule_format(fl_schedule_parse(s)) == s for
 * every accepted s, and every single-byte change of an accepted string is
 * rejected (CRC-32 detects every error burst of up to 32 bits).
 *
 * FLAGS: bit 0 FL_SCHEDULE_OPEN (an open schedule: steps past the recorded
 * choices, and recorded choices that name a thread that cannot run, follow
 * the non-preemptive default; produced by shrink and explore), bit 1
 * FL_SCHEDULE_EDITED (choices were edited by shrink, so SEED no longer
 * produces them), bits 2-3 the status the recorded run ended with
 * (fl_sched_status: OK, DEADLOCK, BUDGET; never DIVERGED).
 */
#ifndef FL_SCHEDULE_H
#define FL_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "fl_sched.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FL_SCHEDULE_VERSION 1
#define FL_SCHEDULE_OPEN 0x1u
#define FL_SCHEDULE_EDITED 0x2u
#define FL_SCHEDULE_FLAG_MASK 0xfu
#define FL_SCHEDULE_MAX_THREAD 65535u /* largest thread id a schedule may name */

/* One run of consecutive steps given to the same thread. */
typedef struct fl_schedule_run {
    uint32_t tid;  /* controlled thread id (creation order, main = 0) */
    uint64_t len;  /* >= 1 */
} fl_schedule_run;

/* A decoded schedule. runs is malloc'd and owned (fl_schedule_free). */
typedef struct fl_schedule {
    fl_strategy strategy;    /* origin: RANDOM, PCT, RR or DFS */
    uint64_t seed;
    uint32_t depth;          /* pct d (0 for other strategies) */
    uint64_t pct_k;          /* pct step estimate (0 for other strategies) */
    uint32_t flags;          /* FL_SCHEDULE_OPEN | FL_SCHEDULE_EDITED */
    fl_sched_status end;     /* how the recorded run ended */
    uint64_t preemptions;    /* of the recorded run (0 when unknown: open) */
    fl_schedule_run *runs;
    size_t nruns;
    uint64_t steps;          /* sum of runs[i].len (kept by parse and push) */
    size_t runs_cap;         /* private: allocated length of runs */
} fl_schedule;

/* Decode s into *out (zeroed first). On success 0 and out->runs owned by the
 * caller (fl_schedule_free). On failure -EINVAL (or -ENOMEM), *out left
 * empty, and err (if non-NULL) holds a NUL-terminated message naming the
 * column: "schedule:1:17: expected base-32 digit". Never reads past the
 * terminating NUL; any byte string is safe input. */
int fl_schedule_parse(const char *s, fl_schedule *out, char *err, size_t errlen);

/* Encode sc (runs, strategy, ...; sc->steps is not used) as a
 * fresh malloc'd string the caller frees, or NULL when out of memory or sc
 * is not encodable (a run of length 0, a thread id above
 * FL_SCHEDULE_MAX_THREAD, an unknown strategy). */
char *fl_schedule_format(const fl_schedule *sc);

/* Free sc->runs and zero *sc. sc may be NULL. */
void fl_schedule_free(fl_schedule *sc);

/* Append one step given to tid, extending the last run when it is the same
 * thread. 0, or -ENOMEM (sc unchanged). */
int fl_schedule_push(fl_schedule *sc, uint32_t tid);

/* Number of context switches in sc (nruns - 1, or 0). */
uint64_t fl_schedule_switches(const fl_schedule *sc);

/* Name of a strategy as written in schedules and on the command line
 * ("random", "pct", "rr", "replay", "free", "dfs"), "?" if unknown. */
const char *fl_strategy_name(fl_strategy s);
/* Parse a strategy name; 0 and *out, or -EINVAL. */
int fl_strategy_parse(const char *name, fl_strategy *out);

#ifdef __cplusplus
}
#endif
#endif
