/*
 * fl_failpoint.h — named failpoints driven by the run's seed (prefix fl_fp_).
 *
 * A failpoint is a named place in code (libsv's SV_FAILPOINT sites, or a
 * worker's fl_fp_eval("name") call) that does nothing until a spec is set
 * for its name. Spec grammar (fail-rs / FreeBSD fail(9) style):
 *
 *   spec   := [ '[' 'worker' NAME ']' ] term { '->' term }
 *   term   := [ PCT '%' ] [ COUNT '*' ] action
 *   action := 'off' | 'return' [ '(' INT ')' ] | 'panic' [ '(' TEXT ')' ]
 *           | 'sleep' '(' MS ')' | 'yield' | 'segv'
 *
 * Each evaluation scans the chain in order and runs the first term that
 * fires (fail-rs semantics): a term whose COUNT is used up is passed over; a
 * term with PCT fires with that probability (default 100; decimals allowed:
 * 0.5%) and, when its draw fails, the evaluation passes to the next term. A
 * term with a COUNT fires at most COUNT times. When no term fires the point
 * returns 0. So `2*off->return(-5)` lets two hits through and fails every
 * later one; `30%panic(x)->return(1)` panics 30% of hits and returns 1 on
 * the rest. The `[worker NAME]` filter makes the point act only when
 * evaluated for that child; other evaluations return 0 and consume nothing.
 * Actions: off → 0; return(v) → v (no argument: -EIO); panic(msg) → on a
 * worker thread sv_panic("failpoint NAME: msg"), elsewhere returns -EIO;
 * sleep(ms) → sleeps on the platform clock, returns 0; yield → sv_yield(),
 * returns 0; segv → on a worker thread a real invalid write, elsewhere -EFAULT.
 *
 * Probability draws come from a PRNG per failpoint, seeded from the run's
 * seed (fl_fp_seed) and the point's name: same seed and same order
 * of evaluations → same outcomes.
 *
 * The registry is process-global (one run at a time, as sv_fail_set is):
 * configure it (set/load/seed) while no run is in progress, then bind it into
 * libsv. Evaluation is thread-safe (an internal pthread mutex, never held
 * across a scheduling point or an action).
 */
#ifndef FL_FP_H
#define FL_FP_H

#include "lex/fl_lex.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FL_FP_NAME_MAX 64

/* ---- specs ------------------------------------------------------------------ */

typedef struct fl_fp_spec fl_fp_spec;

typedef enum fl_fp_action {
    FL_FP_OFF = 0, FL_FP_RETURN, FL_FP_PANIC, FL_FP_SLEEP, FL_FP_YIELD, FL_FP_SEGV,
} fl_fp_action;

/* Parse spec[0..len). 0 and *out (free with fl_fp_spec_free), or -EINVAL with
 * diag "WHERE:LINE:COL: expected …" where the position is line/col + the
 * offset inside spec (pass line 1, col 1 for a bare spec, where "failpoint"),
 * or -ENOMEM. */
int fl_fp_parse(const char *spec, size_t len, const char *where, int line, int col,
                fl_fp_spec **out, fl_lex_diag *diag);
void fl_fp_spec_free(fl_fp_spec *sp); /* sp may be NULL */

/* Inspection and swarm adjustment. Probabilities are in parts per million. */
size_t fl_fp_spec_nterms(const fl_fp_spec *sp);
fl_fp_action fl_fp_spec_action(const fl_fp_spec *sp, size_t term);
uint32_t fl_fp_spec_ppm(const fl_fp_spec *sp, size_t term);
void fl_fp_spec_set_ppm(fl_fp_spec *sp, size_t term, uint32_t ppm); /* clamps to 1e6 */
bool fl_fp_spec_has(const fl_fp_spec *sp, fl_fp_action a);
/* The spec written back in canonical form ("[worker a] 50%2*return(-11)->off"). */
size_t fl_fp_spec_format(const fl_fp_spec *sp, char *buf, size_t cap);

/* ---- the registry --------------------------------------------------------------- */

/* Set (replace) the spec of point name: parses spec (diag as fl_fp_parse with
 * where "failpoint"). 0, -EINVAL (bad name or spec), -ENOMEM. */
int fl_fp_set(const char *name, const char *spec, fl_lex_diag *diag);
/* Install an already parsed spec; the registry takes sp (also on failure).
 * 0, -EINVAL (bad name), -ENOMEM. */
int fl_fp_install(const char *name, fl_fp_spec *sp);
/* Load "name=spec;name=spec" (`;` inside parentheses does not separate;
 * empty items are skipped). Diagnostics name `where`, line 1, the byte
 * column inside list. On error nothing of list is installed. */
int fl_fp_load(const char *list, const char *where, fl_lex_diag *diag);
/* Check / load the FAULTLINE_FAILPOINTS environment variable (where =
 * "FAULTLINE_FAILPOINTS"); unset or empty is fine (0). */
int fl_fp_env_check(fl_lex_diag *diag);
int fl_fp_load_env(fl_lex_diag *diag);
/* Remove every point and reset the counters. */
void fl_fp_clear(void);
/* Reseed every point's PRNG (and points installed later) from seed, and
 * rewind every chain to its first term. */
void fl_fp_seed(uint64_t seed);
/* Bind the registry into libsv (sv_fail_set(fl_fp_hook); no write
 * when already bound, so rebinding never races with threads that still
 * evaluate libsv's points) / unbind (sv_fail_set(NULL): only while no
 * thread can reach a libsv failpoint). */
void fl_fp_bind(void);
void fl_fp_unbind(void);

/* ---- evaluation ------------------------------------------------------------------ */

/* The sv_fail_fn: evaluate point for child/incarnation (NULL/0 outside a
 * child). Returns 0 (no fault) or the term's value; may sleep, yield, panic
 * or fault as the action says. */
int fl_fp_hook(const char *point, const char *child, uint32_t incarnation);

/* A worker-side failpoint: fl_fp_hook(name, id of the calling worker
 * or NULL, its incarnation). For user workers: `if (fl_fp_eval("db.read"))
 * return -EIO;`. */
int fl_fp_eval(const char *name);

/* Times point name fired (a term's action ran, `off` included) since it was
 * set or the registry reseeded; 0 for unknown names. */
uint64_t fl_fp_fired(const char *name);

/* True if name is a valid failpoint name: 1..63 bytes of [A-Za-z0-9_.:/-]. */
bool fl_fp_name_ok(const char *name, size_t len);

/* ---- deciding without acting (for the script interpreter) ---- */
/*
 * failpoint_int.h — private to failpoint.c and the interpreter (worker.c):
 * deciding a failpoint without acting, so the interpreter can act itself
 * (it must leave its own bookkeeping before a panic or a fault).
 */
#define FL_FP_MSG_MAX 128

typedef struct fl_fp_hit {
    fl_fp_action action;
    int value;                 /* RETURN */
    uint32_t ms;               /* SLEEP */
    char msg[FL_FP_MSG_MAX];  /* PANIC */
} fl_fp_hit;

/* Evaluate point for child like fl_fp_hook, but only decide: true
 * and *hit when a term fired (counts and draws consumed), false otherwise. */
bool fl_fp_decide(const char *point, const char *child, fl_fp_hit *hit);
/* A real invalid write. */
void fl_fp_segv(void);

#ifdef __cplusplus
}
#endif
#endif
