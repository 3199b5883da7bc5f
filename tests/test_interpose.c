/*
 * test_interpose.c — plain pthread code under the controlled platform, in
 * process: every call is a scheduling point, blocking is on the virtual
 * clock, deadlocks name who holds what, and outside a run the calls pass
 * through. Only the plain build exports the wrappers (fl_interpose_linked);
 * under ASan/TSan the tests skip.
 */
#include <pthread.h>
#include <semaphore.h>
#include <threads.h>
#include <unistd.h>

#include "interpose/fl_interpose.h"
#include "sched_util.h"
#include "sv.h"

#define NEED_WRAPPERS()                                                                            \
    do {                                                                                           \
        if (!fl_interpose_linked()) skip();                                                        \
    } while (0)

static fl_sched_opts opts(fl_sched_strategy s, uint64_t seed)
{
    return (fl_sched_opts){ .strategy = s, .seed = seed };
}

/* ---- a lost update between two threads ---------------------------------------- */

static pthread_mutex_t lu_m = PTHREAD_MUTEX_INITIALIZER;
static int lu_counter, lu_final;

static void *lu_worker(void *a)
{
    pthread_mutex_lock(&lu_m);
    int v = lu_counter;
    pthread_mutex_unlock(&lu_m);
    pthread_mutex_lock(&lu_m);
    lu_counter = v + 1;
    pthread_mutex_unlock(&lu_m);
    return a;
}

static void lu_main(void *arg)
{
    (void)arg;
    lu_counter = 0;
    pthread_t t[2];
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&t[i], NULL, lu_worker, (void *)(intptr_t)i), 0);
    for (int i = 0; i < 2; i++) {
        void *ret;
        assert_int_equal(pthread_join(t[i], &ret), 0);
        assert_int_equal((intptr_t)ret, i);
    }
    lu_final = lu_counter;
}

static void test_lost_update_found_and_replayed(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    int lost = -1;
    char *sched = NULL;
    for (uint64_t seed = 1; seed <= 200 && lost < 0; seed++) {
        fl_sched_opts o = opts(FL_SCHED_STRAT_RANDOM, seed);
        fl_sched_result r;
        run_ok(&o, lu_main, NULL, &r);
        assert_int_equal(r.status, FL_SCHED_OK);
        assert_int_equal(r.threads, 3); /* main + two pthreads, all controlled */
        if (lu_final == 1) {
            lost = (int)seed;
            sched = strdup(r.schedule);
        }
        fl_sched_result_free(&r);
    }
    assert_true(lost > 0); /* the scheduler reaches the interleaving */
    for (int i = 0; i < 2; i++) {
        fl_sched_opts o = { .strategy = FL_SCHED_STRAT_REPLAY, .schedule = sched };
        fl_sched_result r;
        run_ok(&o, lu_main, NULL, &r);
        assert_int_equal(r.status, FL_SCHED_OK);
        assert_int_equal(lu_final, 1);
        assert_string_equal(r.schedule, sched);
        fl_sched_result_free(&r);
    }
    free(sched);
}

/* ---- lock-order deadlock: the report names the cycle ---------------------------------- */

static pthread_mutex_t dl_a = PTHREAD_MUTEX_INITIALIZER, dl_b = PTHREAD_MUTEX_INITIALIZER;
static void *dl_ab(void *x)
{
    pthread_mutex_lock(&dl_a);
    pthread_mutex_lock(&dl_b);
    pthread_mutex_unlock(&dl_b);
    pthread_mutex_unlock(&dl_a);
    return x;
}
static void *dl_ba(void *x)
{
    pthread_mutex_lock(&dl_b);
    pthread_mutex_lock(&dl_a);
    pthread_mutex_unlock(&dl_a);
    pthread_mutex_unlock(&dl_b);
    return x;
}
static void dl_main(void *arg)
{
    (void)arg;
    pthread_t x, y;
    pthread_create(&x, NULL, dl_ab, NULL);
    pthread_create(&y, NULL, dl_ba, NULL);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
}

static void test_deadlock_names_cycle(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    bool found = false;
    for (uint64_t seed = 1; seed <= 300 && !found; seed++) {
        fl_sched_opts o = opts(FL_SCHED_STRAT_PCT, seed);
        fl_sched_result r;
        run_ok(&o, dl_main, NULL, &r);
        if (r.status == FL_SCHED_DEADLOCK) {
            found = true;
            assert_non_null(strstr(r.report, "waits for mutex 0, held by thread"));
            assert_non_null(strstr(r.report, "waits for mutex 1, held by thread"));
            assert_non_null(strstr(r.report, "wait-for cycle: thread"));
        }
        fl_sched_result_free(&r);
    }
    assert_true(found);
}

/* ---- mutex types and timed operations ------------------------------------------------------- */

static pthread_mutex_t rec_m = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t ec_m = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int types_ok;

static void *holder(void *a)
{
    pthread_mutex_lock(&held);
    sleep(5); /* virtual: five seconds pass in no time */
    pthread_mutex_unlock(&held);
    return a;
}

static void types_main(void *arg)
{
    (void)arg;
    assert_int_equal(pthread_mutex_lock(&rec_m), 0);
    assert_int_equal(pthread_mutex_lock(&rec_m), 0);
    assert_int_equal(pthread_mutex_unlock(&rec_m), 0);
    assert_int_equal(pthread_mutex_unlock(&rec_m), 0);
    assert_int_equal(pthread_mutex_unlock(&rec_m), EPERM);
    assert_int_equal(pthread_mutex_lock(&ec_m), 0);
    assert_int_equal(pthread_mutex_lock(&ec_m), EDEADLK);
    assert_int_equal(pthread_mutex_unlock(&ec_m), 0);

    pthread_t t;
    pthread_create(&t, NULL, holder, NULL);
    while (pthread_mutex_trylock(&held) == 0) { /* until the holder has it */
        pthread_mutex_unlock(&held);
        sched_yield();
    }
    assert_int_equal(pthread_mutex_trylock(&held), EBUSY);
    struct timespec now, dl;
    clock_gettime(CLOCK_REALTIME, &now);
    assert_true(now.tv_sec >= FL_INTERPOSE_EPOCH_S); /* virtual, deterministic */
    dl = now;
    dl.tv_sec += 1;
    assert_int_equal(pthread_mutex_timedlock(&held, &dl), ETIMEDOUT);
    dl.tv_sec += 10;
    assert_int_equal(pthread_mutex_timedlock(&held, &dl), 0);
    pthread_mutex_unlock(&held);
    pthread_join(t, NULL);
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    assert_true(end.tv_sec >= FL_INTERPOSE_MONO_BASE_S + 5);
    types_ok = 1;
}

static void test_mutex_types_and_time(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    for (uint64_t seed = 1; seed <= 20; seed++) {
        types_ok = 0;
        fl_sched_opts o = opts(FL_SCHED_STRAT_RANDOM, seed);
        fl_sched_result r;
        run_ok(&o, types_main, NULL, &r);
        assert_int_equal(r.status, FL_SCHED_OK);
        assert_int_equal(types_ok, 1);
        assert_true(r.virtual_ns >= 5 * SEC);
        fl_sched_result_free(&r);
    }
}

/* ---- condition variables, rwlock, barrier, semaphore, once, spinlock, C11 ----------------------- */

static pthread_mutex_t q_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_c = PTHREAD_COND_INITIALIZER;
static int q_items;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static sem_t sem;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs, serial_count, rw_value;
static pthread_spinlock_t spin;
static int spin_count;
static void once_init(void) { once_runs++; }

static void *mixed_worker(void *a)
{
    pthread_once(&once, once_init);
    pthread_mutex_lock(&q_m);
    q_items++;
    pthread_cond_signal(&q_c);
    pthread_mutex_unlock(&q_m);
    pthread_rwlock_wrlock(&rw);
    rw_value++;
    pthread_rwlock_unlock(&rw);
    pthread_spin_lock(&spin);
    spin_count++;
    pthread_spin_unlock(&spin);
    if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD) serial_count++;
    sem_post(&sem);
    return a;
}

static void mixed_main(void *arg)
{
    (void)arg;
    q_items = once_runs = serial_count = rw_value = spin_count = 0;
    once = (pthread_once_t)PTHREAD_ONCE_INIT;
    pthread_barrier_init(&bar, NULL, 3);
    sem_init(&sem, 0, 0);
    pthread_spin_init(&spin, 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, mixed_worker, NULL);
    pthread_mutex_lock(&q_m);
    while (q_items < 3) pthread_cond_wait(&q_c, &q_m);
    pthread_mutex_unlock(&q_m);
    pthread_rwlock_rdlock(&rw);
    assert_true(rw_value <= 3);
    pthread_rwlock_unlock(&rw);
    for (int i = 0; i < 3; i++) assert_int_equal(sem_wait(&sem), 0);
    assert_int_equal(sem_trywait(&sem), -1);
    assert_int_equal(errno, EAGAIN);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    assert_int_equal(once_runs, 1);
    assert_int_equal(serial_count, 1);
    assert_int_equal(rw_value, 3);
    assert_int_equal(spin_count, 3);
    pthread_barrier_destroy(&bar);
    sem_destroy(&sem);
}

static void test_sync_objects(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    for (uint64_t seed = 1; seed <= 30; seed++) {
        fl_sched_opts o = opts(seed % 2 ? FL_SCHED_STRAT_PCT : FL_SCHED_STRAT_RANDOM, seed);
        fl_sched_result r;
        run_ok(&o, mixed_main, NULL, &r);
        if (r.status != FL_SCHED_OK) fail_msg("seed %llu: %s", (unsigned long long)seed, r.report);
        assert_int_equal(r.threads, 4);
        fl_sched_result_free(&r);
    }
}

/* A reader asking for the write lock waits for itself: a deadlock. */
static void rw_upgrade_main(void *arg)
{
    (void)arg;
    pthread_rwlock_t l;
    pthread_rwlock_init(&l, NULL);
    pthread_rwlock_rdlock(&l);
    pthread_rwlock_wrlock(&l);
}

static void test_rwlock_upgrade_deadlocks(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    fl_sched_opts o = opts(FL_SCHED_STRAT_RANDOM, 1);
    fl_sched_result r;
    run_ok(&o, rw_upgrade_main, NULL, &r);
    assert_int_equal(r.status, FL_SCHED_DEADLOCK);
    assert_non_null(strstr(r.report, "waits for rwlock 0, which it holds itself"));
    fl_sched_result_free(&r);
}

static mtx_t c11_m;
static int c11_n;
static int c11_worker(void *a)
{
    mtx_lock(&c11_m);
    c11_n++;
    mtx_unlock(&c11_m);
    return (int)(intptr_t)a;
}

static void c11_main(void *arg)
{
    (void)arg;
    c11_n = 0;
    assert_int_equal(mtx_init(&c11_m, mtx_plain), thrd_success);
    thrd_t t[2];
    for (int i = 0; i < 2; i++) assert_int_equal(thrd_create(&t[i], c11_worker, (void *)(intptr_t)(i + 40)), thrd_success);
    for (int i = 0; i < 2; i++) {
        int res;
        assert_int_equal(thrd_join(t[i], &res), thrd_success);
        assert_int_equal(res, i + 40);
    }
    assert_int_equal(c11_n, 2);
    mtx_destroy(&c11_m);
}

static void test_c11_threads(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    fl_sched_opts o = opts(FL_SCHED_STRAT_RANDOM, 3);
    fl_sched_result r;
    run_ok(&o, c11_main, NULL, &r);
    assert_int_equal(r.status, FL_SCHED_OK);
    assert_int_equal(r.threads, 3);
    fl_sched_result_free(&r);
}

/* pthread_exit's value reaches the joiner; a detached thread is fine. */
static void *exiter(void *a)
{
    pthread_exit((void *)((intptr_t)a + 1));
}
static void *detached(void *a) { return a; }
static void exit_main(void *arg)
{
    (void)arg;
    pthread_t t, d;
    pthread_create(&t, NULL, exiter, (void *)(intptr_t)41);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&d, &at, detached, NULL);
    pthread_attr_destroy(&at);
    void *ret;
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_int_equal((intptr_t)ret, 42);
    assert_int_equal(pthread_join(t, &ret), ESRCH);
    usleep(1000);
}

static void test_exit_and_detach(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    for (uint64_t seed = 1; seed <= 10; seed++) {
        fl_sched_opts o = opts(FL_SCHED_STRAT_RANDOM, seed);
        fl_sched_result r;
        run_ok(&o, exit_main, NULL, &r);
        assert_int_equal(r.status, FL_SCHED_OK);
        fl_sched_result_free(&r);
    }
}

/* A libsv worker that ends with pthread_exit under control: reported as a
 * crash (thread_exit) and restarted, its thread DONE for the scheduler. */
static int px_starts;
static int px_worker(sv_worker *w, void *arg)
{
    (void)arg;
    if (++px_starts == 1) pthread_exit(NULL);
    while (!sv_worker_stopping(w)) sv_worker_sleep(w, 10);
    return 0;
}
static int px_crashes, px_restarts;
static void px_event(void *ud, const sv_event *ev)
{
    (void)ud;
    if (ev->kind == SV_EV_CRASH && ev->reason == SV_EXIT_THREAD_EXIT) px_crashes++;
    if (ev->kind == SV_EV_RESTARTED) px_restarts++;
}
static void px_quiet(void *ud, const sv_event *ev, const char *line) { (void)ud; (void)ev; (void)line; }
static void px_main(void *arg)
{
    (void)arg;
    px_starts = px_crashes = px_restarts = 0;
    sv_child_spec c = { .id = "px", .fn = px_worker, .restart = SV_PERMANENT, .shutdown_ms = 1000 };
    sv_sup_spec spec = { .name = "root", .strategy = SV_ONE_FOR_ONE, .intensity = 5, .period_ms = 5000,
                         .children = &c, .nchildren = 1, .on_event = px_event, .log = px_quiet };
    sv_sup *sup;
    assert_int_equal(sv_sup_start(&spec, &sup), 0);
    sv_sleep_until(sv_now() + 200 * 1000000ll);
    sv_sup_stop(sup);
    sv_sup_free(sup);
}

static void test_worker_pthread_exit_is_a_crash(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    for (uint64_t seed = 1; seed <= 10; seed++) {
        fl_sched_opts o = opts(FL_SCHED_STRAT_RANDOM, seed);
        fl_sched_result r;
        run_ok(&o, px_main, NULL, &r);
        if (r.status != FL_SCHED_OK) fail_msg("seed %llu: %s", (unsigned long long)seed, r.report);
        assert_int_equal(px_crashes, 1);
        assert_int_equal(px_restarts, 1);
        assert_int_equal(px_starts, 2);
        fl_sched_result_free(&r);
    }
}

/* Outside a run the same calls are the C library's. */
static void *plain(void *a)
{
    pthread_mutex_lock(&lu_m);
    lu_counter++;
    pthread_mutex_unlock(&lu_m);
    return a;
}

static void test_pass_through(void **st)
{
    (void)st;
    fl_interpose_stats before, after;
    fl_interpose_stats_get(&before);
    lu_counter = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, plain, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(lu_counter, 1);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    assert_true(ts.tv_sec > FL_INTERPOSE_EPOCH_S + 86400 || ts.tv_sec < FL_INTERPOSE_EPOCH_S); /* the real clock */
    fl_interpose_stats_get(&after);
    assert_int_equal(after.calls, before.calls);
}

/* A holder that is runnable but starved of CPU is not stalled: the watchdog
 * counts the CPU time it used, not the wall time that passed. The step
 * below needs ~100 ms of its own CPU time; six busy threads share its CPU,
 * so it takes ~700 ms of wall time, past the 300 ms watchdog. Judged by
 * wall time it would be STALLED (as on a loaded CI machine); it must pass. */
#include <sched.h>
#include <stdatomic.h>
static atomic_int hog_run;
static unsigned long starve_iters;
static volatile unsigned long starve_sink;
static void *hog(void *a)
{
    while (atomic_load_explicit(&hog_run, memory_order_relaxed)) {
    }
    return a;
}
static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static void burn(unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) starve_sink += i;
}
static void *starved(void *a)
{
    burn(starve_iters); /* one step: no scheduling point inside */
    return a;
}
static void starve_main(void *arg)
{
    (void)arg;
    pthread_t t;
    pthread_create(&t, NULL, starved, NULL);
    pthread_join(t, NULL);
}

static void test_watchdog_counts_cpu_not_load(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    cpu_set_t saved, one;
    assert_int_equal(sched_getaffinity(0, sizeof saved, &saved), 0);
    int cpu = sched_getcpu();
    assert_true(cpu >= 0);
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0); /* the run and the hogs on one CPU */
    /* iterations for ~100 ms of CPU, measured on this thread's CPU clock
     * (outside a run the clock is the real one) */
    unsigned long n = 1u << 16;
    for (;;) {
        int64_t t0 = thread_cpu_ns();
        burn(n);
        int64_t used = thread_cpu_ns() - t0;
        if (used >= 20000000) {
            starve_iters = (unsigned long)((double)n * 100e6 / (double)used);
            break;
        }
        n *= 2;
    }
    atomic_store(&hog_run, 1);
    pthread_t hogs[6];
    for (int i = 0; i < 6; i++) assert_int_equal(pthread_create(&hogs[i], NULL, hog, NULL), 0);
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RR, .watchdog_ms = 300 };
    fl_sched_result r;
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    run_ok(&o, starve_main, NULL, &r);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    atomic_store(&hog_run, 0);
    for (int i = 0; i < 6; i++) pthread_join(hogs[i], NULL);
    assert_int_equal(sched_setaffinity(0, sizeof saved, &saved), 0);
    if (r.status != FL_SCHED_OK) fail_msg("a starved step was judged: %s", r.report ? r.report : "?");
    /* the premise: the step did take longer than the watchdog in wall time
     * (else this proves nothing; it would only be skipped on a machine that
     * gives the run its CPU despite six busy threads) */
    fl_sched_result_free(&r);
    int64_t wall_ms = (w1.tv_sec - w0.tv_sec) * 1000 + (w1.tv_nsec - w0.tv_nsec) / 1000000;
    if (wall_ms < 300) skip();
}

/* Last: a stall taints the process for further runs. A thread spinning on a
 * plain variable never reaches a scheduling point; the watchdog names it. */
static volatile int spin_forever = 1;
void *spinner(void *a); /* exported: -rdynamic names it in the backtrace */
void *spinner(void *a)
{
    while (spin_forever) {
    }
    return a;
}
static void stall_main(void *arg)
{
    (void)arg;
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    pthread_join(t, NULL);
}

static void test_watchdog_names_stuck_thread(void **st)
{
    (void)st;
    NEED_WRAPPERS();
    fl_sched_opts o = { .strategy = FL_SCHED_STRAT_RR, .watchdog_ms = 300 };
    fl_sched_result r;
    run_ok(&o, stall_main, NULL, &r);
    assert_int_equal(r.status, FL_SCHED_STALLED);
    assert_non_null(strstr(r.report, "uncontrolled: thread 1 \"t"));
    assert_non_null(strstr(r.report, "backtrace of thread 1"));
    if (!strstr(r.report, "spinner")) fail_msg("no spinner frame in:\n%s", r.report);
    assert_non_null(r.schedule);
    assert_non_null(strstr(r.schedule, "fl1:"));
    fl_sched_result_free(&r);
    /* the process can no longer be trusted with a run */
    fl_sched_opts o2 = opts(FL_SCHED_STRAT_RANDOM, 1);
    assert_int_equal(fl_sched_run(&o2, lu_main, NULL, &r), -EBUSY);
    fl_sched_result_free(&r);
    spin_forever = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass_through),
        cmocka_unit_test(test_lost_update_found_and_replayed),
        cmocka_unit_test(test_deadlock_names_cycle),
        cmocka_unit_test(test_mutex_types_and_time),
        cmocka_unit_test(test_sync_objects),
        cmocka_unit_test(test_rwlock_upgrade_deadlocks),
        cmocka_unit_test(test_c11_threads),
        cmocka_unit_test(test_exit_and_detach),
        cmocka_unit_test(test_worker_pthread_exit_is_a_crash),
        cmocka_unit_test(test_watchdog_counts_cpu_not_load),
        cmocka_unit_test(test_watchdog_names_stuck_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
