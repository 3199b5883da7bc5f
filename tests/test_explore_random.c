/*
 * test_explore_random.c — explore's reduction against the unreduced search
 * on generated programs (differential testing; tests/test_explore_reduce.c
 * holds the hand-written ones).
 *
 * Each program is drawn from a fixed seed: two or three worker threads (and
 * main, which creates and joins them), each a short list of operations on
 * shared objects — loads and stores of plain variables behind light points
 * named by variable (as `faultline cc` instruments them), mutex regions
 * (nested sometimes, so some programs deadlock), signals on conditions,
 * yields, clock reads, sleeps, and timed waits inside a region whose
 * outcome (signalled or timed out) the thread records. A load folds the value it saw into the thread's register; a store
 * writes the register. The outcome of a run hashes the run's status, every
 * variable's final value and every register: two schedules that differ only
 * by the order of independent steps give the same outcome, and nearly every
 * observable difference changes it.
 *
 * For every program and bound 0, 1, 2 three searches run to completion —
 * unreduced, sleep sets alone, sleep sets with DPOR — and the test holds:
 * all complete; a reduced one never runs more schedules than the unreduced;
 * the sets of outcomes are equal; over all programs, each reduction runs
 * fewer schedules than the one before. A reduction that prunes a schedule whose
 * outcome nothing else shows fails here with the program's seed, which
 * `describe` prints. Programs are kept small enough that the unreduced
 * search completes well inside the cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "explore/fl_explore.h"
#include "sched/fl_sched.h"
#include "sv_plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NVAR = 3, NMTX = 2, NCND = 2, MAXOPS = 8, MAXTHR = 3 };
enum { OP_LOAD, OP_STORE, OP_LOCK, OP_UNLOCK, OP_SIGNAL, OP_YIELD, OP_NOW, OP_SLEEP, OP_TWAIT };

typedef struct gop {
    int kind, obj;
} gop;

typedef struct gprog {
    int nthr;
    gop ops[MAXTHR][MAXOPS];
    int nops[MAXTHR];
} gprog;

/* ---- generation --------------------------------------------------------------- */

static uint64_t g_rng;
static uint32_t draw(uint32_t n)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint32_t)(g_rng % n);
}

static void push(gprog *p, int t, int kind, int obj)
{
    p->ops[t][p->nops[t]++] = (gop){ kind, obj };
}

/* One access, signal, yield, clock read or sleep (of 1 or 2 ms); mostly
 * accesses. Inside a region on mutex `held` (-1: none), sometimes a timed
 * wait on a condition with that mutex, 1 ms, whose outcome (signalled or
 * timed out) the thread records: the clock's order against the signals. */
static void gen_simple(gprog *p, int t, int held)
{
    uint32_t r = draw(12);
    if (held >= 0 && draw(4) == 0) push(p, t, OP_TWAIT, (int)draw(NCND) | held << 4);
    else if (r < 4) push(p, t, OP_LOAD, (int)draw(NVAR));
    else if (r < 8) push(p, t, OP_STORE, (int)draw(NVAR));
    else if (r < 9) push(p, t, OP_SIGNAL, (int)draw(NCND));
    else if (r < 10) push(p, t, OP_YIELD, 0);
    else if (r < 11) push(p, t, OP_NOW, 0);
    else push(p, t, OP_SLEEP, 1 + (int)draw(2));
}

/* Each thread gets blocks until it has its planned length (2-3 operations
 * with three workers, 3-5 with two; a block may overshoot): a simple
 * operation, or a region `lock m; simple [lock m'; simple; unlock m'];
 * unlock m` — nested regions take the two mutexes in either order, so some
 * programs deadlock. */
static void gen_prog(gprog *p, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    g_rng = seed * 0x9e3779b97f4a7c15ull + 1;
    p->nthr = 2 + (int)draw(2);
    for (int t = 0; t < p->nthr; t++) {
        int want = p->nthr == 3 ? 2 + (int)draw(2) : 3 + (int)draw(3);
        while (p->nops[t] < want && p->nops[t] + 6 <= MAXOPS) { /* a nested region is 6 */
            if (draw(3) == 0) {
                bool nest = draw(2) == 0;
                /* a nested region takes mutex t%2 first: threads of different
                 * parity take the two in opposite orders */
                int m = nest ? t % 2 : (int)draw(NMTX);
                push(p, t, OP_LOCK, m);
                gen_simple(p, t, m);
                if (nest) {
                    int m2 = 1 - m;
                    push(p, t, OP_LOCK, m2);
                    gen_simple(p, t, -1); /* no timed wait holding two mutexes */
                    push(p, t, OP_UNLOCK, m2);
                }
                push(p, t, OP_UNLOCK, m);
            } else {
                gen_simple(p, t, -1);
            }
        }
    }
}

static void describe(const gprog *p, uint64_t seed)
{
    static const char *name[] = { "load", "store", "lock", "unlock", "signal", "yield", "now", "sleep", "twait" };
    print_message("program %llu:\n", (unsigned long long)seed);
    for (int t = 0; t < p->nthr; t++) {
        print_message("  t%d:", t + 1);
        for (int i = 0; i < p->nops[t]; i++) print_message(" %s %d;", name[p->ops[t][i].kind], p->ops[t][i].obj);
        print_message("\n");
    }
}

/* ---- running one ---------------------------------------------------------------- */

static const gprog *g_prog;
static long g_var[NVAR];
static uint64_t g_reg[MAXTHR];
static sv_mutex g_mtx[NMTX];
static sv_cond g_cnd[NCND];

static void *g_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t reg = (uint64_t)t + 1;
    for (int i = 0; i < g_prog->nops[t]; i++) {
        const gop *o = &g_prog->ops[t][i];
        switch (o->kind) {
        case OP_LOAD:
            fl_sched_point_light("load", "v", (uint32_t)(1 + o->obj));
            reg = reg * 1000003u + (uint64_t)g_var[o->obj] + 1;
            break;
        case OP_STORE:
            fl_sched_point_light("store", "v", (uint32_t)(1 + o->obj));
            g_var[o->obj] = (long)(reg % 1000000007u) + t * 7 + i;
            break;
        case OP_LOCK: sv_mutex_lock(&g_mtx[o->obj]); break;
        case OP_UNLOCK: sv_mutex_unlock(&g_mtx[o->obj]); break;
        case OP_SIGNAL: sv_cond_signal(&g_cnd[o->obj]); break;
        case OP_YIELD: sv_yield(); break;
        case OP_NOW: reg = reg * 1000003u + (uint64_t)(sv_now() / 1000) + 1; break;
        case OP_SLEEP: sv_sleep_until(sv_now() + o->obj * 1000000ll); break;
        case OP_TWAIT: {
            int rc = sv_cond_wait(&g_cnd[o->obj & 15], &g_mtx[o->obj >> 4], sv_now() + 1000000ll);
            reg = reg * 1000003u + (rc == 0 ? 7 : 11);
            break;
        }
        }
    }
    g_reg[t] = reg;
    return NULL;
}

static void g_main(void *arg)
{
    (void)arg;
    memset(g_var, 0, sizeof g_var);
    memset(g_reg, 0, sizeof g_reg);
    for (int m = 0; m < NMTX; m++) sv_mutex_init(&g_mtx[m]);
    for (int c = 0; c < NCND; c++) sv_cond_init(&g_cnd[c]);
    sv_thread *th[MAXTHR];
    for (int t = 0; t < g_prog->nthr; t++) sv_thread_create(&th[t], g_worker, (void *)(intptr_t)t, "w");
    for (int t = 0; t < g_prog->nthr; t++) sv_thread_join(th[t], SV_FOREVER);
}

#define MAXOUT 4096
typedef struct outs {
    uint64_t v[MAXOUT];
    int n;
    bool deadlock;   /* some run deadlocked */
} outs;

static int check(void *ud, const fl_sched_result *res)
{
    outs *o = ud;
    uint64_t h = 1469598103934665603ull ^ (uint64_t)res->status;
    o->deadlock |= res->status == FL_SCHED_DEADLOCK;
    if (res->status == FL_SCHED_OK) {
        for (int i = 0; i < NVAR; i++) h = (h ^ (uint64_t)g_var[i]) * 1099511628211ull;
        for (int t = 0; t < MAXTHR; t++) h = (h ^ g_reg[t]) * 1099511628211ull;
    }
    for (int i = 0; i < o->n; i++)
        if (o->v[i] == h) return 0;
    assert_true(o->n < MAXOUT);
    o->v[o->n++] = h;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

enum { NONE, SLEEP, DPOR };

/* Explores at bound b with reduction `how`; false when the search hit the cap. */
static bool search(uint32_t bound, int how, outs *o, uint64_t *runs)
{
    memset(o, 0, sizeof *o);
    fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true, .no_reduction = how == NONE,
                           .no_dpor = how == SLEEP, .max_runs = 20000 };
    fl_explore_result r;
    char err[256] = "";
    int rc = fl_explore_run(&eo, g_main, NULL, check, o, &r, err, sizeof err);
    if (rc != 0) fail_msg("explore %d: %s", rc, err);
    *runs = r.runs;
    bool complete = r.complete;
    fl_explore_result_free(&r);
    qsort(o->v, (size_t)o->n, sizeof o->v[0], cmp_u64);
    return complete;
}

/* The number of generated programs: fewer under the sanitizers, whose runs
 * cost several times more (FL_FLAVOUR is set by mk/unit.sh). */
static uint64_t nprogs(void)
{
    const char *fl = getenv("FL_FLAVOUR");
    return fl && strcmp(fl, "plain") != 0 ? 10 : 50;
}

static void test_generated_programs_same_outcomes(void **state)
{
    (void)state;
    uint64_t total[3] = { 0, 0, 0 }, nprog = nprogs(), compared = 0, deadlocking = 0;
    for (uint64_t seed = 1; seed <= nprog; seed++) {
        gprog p;
        gen_prog(&p, seed);
        g_prog = &p;
        for (uint32_t bound = 0; bound <= 2; bound++) {
            outs full;
            uint64_t rf;
            bool cf = search(bound, NONE, &full, &rf);
            if (!cf) continue; /* too big to compare exhaustively: skipped, counted below */
            total[NONE] += rf;
            for (int how = SLEEP; how <= DPOR; how++) {
                outs red;
                uint64_t rr;
                bool cr = search(bound, how, &red, &rr);
                if (!cr || rr > rf || red.n != full.n ||
                    memcmp(red.v, full.v, (size_t)red.n * sizeof red.v[0]) != 0) {
                    describe(&p, seed);
                    fail_msg("program %llu, bound %u: %s %s, %llu schedules, %d outcomes; unreduced %llu schedules, "
                             "%d outcomes", (unsigned long long)seed, bound, how == DPOR ? "dpor" : "sleep sets",
                             cr ? "complete" : "INCOMPLETE", (unsigned long long)rr, red.n, (unsigned long long)rf,
                             full.n);
                }
                total[how] += rr;
            }
            compared++;
            deadlocking += bound == 2 && full.deadlock;
        }
    }
    print_message("%llu program-bound pairs compared (%llu programs can deadlock): schedules unreduced %llu, "
                  "sleep sets %llu, sleep sets + dpor %llu\n", (unsigned long long)compared,
                  (unsigned long long)deadlocking, (unsigned long long)total[NONE], (unsigned long long)total[SLEEP],
                  (unsigned long long)total[DPOR]);
    /* most pairs are compared (the generator stays small), some programs
     * deadlock, and each reduction does something */
    assert_true(compared >= nprog * 2);
    assert_true(deadlocking > 0);
    assert_true(total[SLEEP] < total[NONE]);
    assert_true(total[DPOR] < total[SLEEP]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_programs_same_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
