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
 * Main may hold some mutexes while it creates the workers, and sleep before
 * releasing them, so that workers start blocked behind it.
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
enum { OP_LOAD, OP_STORE, OP_LOCK, OP_UNLOCK, OP_SIGNAL, OP_YIELD, OP_NOW, OP_SLEEP, OP_TWAIT, OP_SLEEPA };

typedef struct gop {
    int kind, obj;
} gop;

typedef struct gprog {
    int nthr;
    unsigned main_hold;  /* mutexes main holds while it creates the workers */
    int main_sleep;      /* 0, or main sleeps until this many ms before releasing them */
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

/* One access, signal, yield, clock read or sleep (for 1 or 2 ms, or until
 * 1, 2 or 3 ms); mostly
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
    else if (draw(2)) push(p, t, OP_SLEEP, 1 + (int)draw(2));
    else push(p, t, OP_SLEEPA, 1 + (int)draw(3)); /* absolute: deadlines tie across threads */
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
    p->main_hold = draw(2) ? draw(1u << NMTX) : 0;
    p->main_sleep = p->main_hold && draw(2) ? 1 + (int)draw(2) : 0;
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
    static const char *name[] = { "load", "store", "lock", "unlock", "signal", "yield", "now", "sleep", "twait",
                                  "sleep-until" };
    print_message("program %llu: main holds mutexes %#x, sleeps until %d ms\n", (unsigned long long)seed,
                  p->main_hold, p->main_sleep);
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
        case OP_SLEEPA: sv_sleep_until(o->obj * 1000000ll); break;
        case OP_TWAIT: {
            int rc = sv_cond_wait(&g_cnd[o->obj & 15], &g_mtx[o->obj >> 4], sv_now() + 1000000ll);
            reg = reg * 1000003u + (rc == 0 ? 7 : 11);
            break;
        }
        }
        g_reg[t] = reg; /* what it has seen so far, also if it never ends */
    }
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
    for (int m = 0; m < NMTX; m++)
        if (g_prog->main_hold >> m & 1) sv_mutex_lock(&g_mtx[m]);
    for (int t = 0; t < g_prog->nthr; t++) sv_thread_create(&th[t], g_worker, (void *)(intptr_t)t, "w");
    if (g_prog->main_sleep) sv_sleep_until(g_prog->main_sleep * 1000000ll);
    for (int m = 0; m < NMTX; m++)
        if (g_prog->main_hold >> m & 1) sv_mutex_unlock(&g_mtx[m]);
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
    /* a deadlocked run counts by where it stopped, too */
    for (int i = 0; i < NVAR; i++) h = (h ^ (uint64_t)g_var[i]) * 1099511628211ull;
    for (int t = 0; t < MAXTHR; t++) h = (h ^ g_reg[t]) * 1099511628211ull;
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

/* Explores main_fn at bound b with reduction `how`, each outcome recorded
 * by chk into o; false when the search hit cap. */
static bool search_with(void (*main_fn)(void *), fl_sched_check_fn chk, uint64_t cap, uint32_t bound, int how,
                        outs *o, uint64_t *runs)
{
    memset(o, 0, sizeof *o);
    fl_explore_opts eo = { .preemption_bound = bound, .keep_going = true, .no_reduction = how == NONE,
                           .no_dpor = how == SLEEP, .max_runs = cap };
    fl_explore_result r;
    char err[256] = "";
    int rc = fl_explore_run(&eo, main_fn, NULL, chk, o, &r, err, sizeof err);
    if (rc != 0) fail_msg("explore %d: %s", rc, err);
    *runs = r.runs;
    bool complete = r.complete;
    fl_explore_result_free(&r);
    qsort(o->v, (size_t)o->n, sizeof o->v[0], cmp_u64);
    return complete;
}

static bool search(uint32_t bound, int how, outs *o, uint64_t *runs)
{
    return search_with(g_main, check, 20000, bound, how, o, runs);
}

/* The number of generated programs: fewer under the sanitizers, whose runs
 * cost several times more (FL_FLAVOUR is set by mk/unit.sh);
 * FL_RANDOM_PROGRAMS=N asks for N (a longer hunt by hand). */
static uint64_t nprogs(void)
{
    const char *n = getenv("FL_RANDOM_PROGRAMS");
    if (n && atoi(n) > 0) return (uint64_t)atoi(n);
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

/* ---- timing programs ------------------------------------------------------------- */

/* A second family, built around the clock: three workers of three steps,
 * each a sleep until an absolute 5, 10 or 15 ms (so deadlines tie across
 * threads), a log entry (the order of threads, under one mutex), work on
 * the thread's own mutex, a log of the clock, a wait with a timeout for a
 * flag, or setting the flag. The log is the outcome. Ties at the clock's
 * moves are what make the preemption count depend on the order of two
 * otherwise independent sleeps (docs/scheduler.md, "The cost of the
 * move"); a reduction that ignores it loses outcomes here. */
enum { T_SLEEP, T_LOG, T_OWN, T_NOW, T_TWAIT, T_SET, T_N };
enum { TN = 3, TOPS = 3 };
static int t_op[TN][TOPS], t_arg[TN][TOPS];
static sv_mutex t_log_mu, t_own[TN], t_flag_mu;
static sv_cond t_flag_cv;
static long t_log;
static int t_flag;

static void t_append(long v)
{
    sv_mutex_lock(&t_log_mu);
    t_log = t_log * 37 + v;
    sv_mutex_unlock(&t_log_mu);
}

static void *t_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int k = 0; k < TOPS; k++) {
        int v = t_arg[id][k];
        switch (t_op[id][k]) {
        case T_SLEEP: sv_sleep_until(v * 1000000ll); break;
        case T_LOG: t_append(id + 1); break;
        case T_OWN: sv_mutex_lock(&t_own[id]); sv_mutex_unlock(&t_own[id]); break;
        case T_NOW: t_append(10 + sv_now() / 1000000); break;
        case T_TWAIT: {
            sv_mutex_lock(&t_flag_mu);
            int64_t dl = sv_now() + v * 1000000ll;
            int rc = 0;
            while (!t_flag && rc == 0) rc = sv_cond_wait(&t_flag_cv, &t_flag_mu, dl);
            int f = t_flag;
            sv_mutex_unlock(&t_flag_mu);
            t_append(30 + (rc ? 1 : 2) + f * 2);
            break;
        }
        case T_SET:
            sv_mutex_lock(&t_flag_mu);
            t_flag = 1;
            sv_cond_broadcast(&t_flag_cv);
            sv_mutex_unlock(&t_flag_mu);
            break;
        }
    }
    return NULL;
}

static void t_main(void *arg)
{
    (void)arg;
    t_log = 0;
    t_flag = 0;
    sv_mutex_init(&t_log_mu);
    sv_mutex_init(&t_flag_mu);
    sv_cond_init(&t_flag_cv);
    for (int i = 0; i < TN; i++) sv_mutex_init(&t_own[i]);
    sv_thread *th[TN];
    for (int i = 0; i < TN; i++) sv_thread_create(&th[i], t_worker, (void *)(intptr_t)i, "t");
    for (int i = 0; i < TN; i++) sv_thread_join(th[i], SV_FOREVER);
}

static int t_check(void *ud, const fl_sched_result *res)
{
    outs *o = ud;
    uint64_t v = res->status == FL_SCHED_OK ? (uint64_t)t_log : ~(uint64_t)res->status;
    o->deadlock |= res->status == FL_SCHED_DEADLOCK;
    for (int i = 0; i < o->n; i++)
        if (o->v[i] == v) return 0;
    assert_true(o->n < MAXOUT);
    o->v[o->n++] = v;
    return 0;
}

static bool t_search(uint32_t bound, int how, outs *o, uint64_t *runs)
{
    return search_with(t_main, t_check, 50000, bound, how, o, runs);
}

static void test_generated_timing_programs_same_outcomes(void **state)
{
    (void)state;
    uint64_t total[3] = { 0, 0, 0 }, nprog = nprogs() * 3, compared = 0;
    for (uint64_t seed = 1; seed <= nprog; seed++) {
        g_rng = seed * 0xd1b54a32d192ed03ull + 7;
        for (int i = 0; i < TN; i++)
            for (int k = 0; k < TOPS; k++) {
                t_op[i][k] = (int)draw(T_N);
                t_arg[i][k] = 5 * (1 + (int)draw(3));
            }
        for (uint32_t bound = 0; bound <= 1; bound++) {
            outs full;
            uint64_t rf;
            if (!t_search(bound, NONE, &full, &rf)) continue;
            total[NONE] += rf;
            for (int how = SLEEP; how <= DPOR; how++) {
                outs red;
                uint64_t rr;
                bool cr = t_search(bound, how, &red, &rr);
                if (!cr || rr > rf || red.n != full.n || memcmp(red.v, full.v, (size_t)red.n * sizeof red.v[0]) != 0) {
                    static const char *nm[] = { "sleep", "log", "own", "now", "twait", "set" };
                    for (int i = 0; i < TN; i++)
                        print_message("  t%d: %s %d; %s %d; %s %d\n", i, nm[t_op[i][0]], t_arg[i][0], nm[t_op[i][1]],
                                      t_arg[i][1], nm[t_op[i][2]], t_arg[i][2]);
                    fail_msg("timing program %llu, bound %u: %s %s, %llu schedules, %d outcomes; unreduced %llu "
                             "schedules, %d outcomes", (unsigned long long)seed, bound,
                             how == DPOR ? "dpor" : "sleep sets", cr ? "complete" : "INCOMPLETE",
                             (unsigned long long)rr, red.n, (unsigned long long)rf, full.n);
                }
                total[how] += rr;
            }
            compared++;
        }
    }
    print_message("%llu timing program-bound pairs compared: schedules unreduced %llu, sleep sets %llu, "
                  "sleep sets + dpor %llu\n", (unsigned long long)compared, (unsigned long long)total[NONE],
                  (unsigned long long)total[SLEEP], (unsigned long long)total[DPOR]);
    assert_true(compared >= nprog);
    assert_true(total[SLEEP] < total[NONE]);
    assert_true(total[DPOR] <= total[SLEEP]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_programs_same_outcomes),
        cmocka_unit_test(test_generated_timing_programs_same_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
