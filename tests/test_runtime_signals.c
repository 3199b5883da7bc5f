/*
 * test_runtime_signals.c — synchronous signals raised in a worker: with
 * SV_SUP_CATCH_SIGNALS a real SIGSEGV and a raised SIGFPE are crashes that
 * are logged (with a backtrace), joined and restarted; without the flag the
 * process dies of the fault, also when another supervisor of the process
 * installed the handlers. Recorder and fixture: runtime_util.h.
 */
#include "runtime_util.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void *guard_page;

static int w_segv_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) *(volatile int *)guard_page = 1; /* a real fault */
    return w_idle(w, arg);
}

static int w_fpe_once(sv_worker *w, void *arg)
{
    (void)arg;
    if (sv_worker_incarnation(w) == 1) raise(SIGFPE);
    return w_idle(w, arg);
}

static void test_signals_caught(void **state)
{
    (void)state;
    guard_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(guard_page != MAP_FAILED);
    rt_fix f;
    rt_begin(&f);
    rt_add(&f, "segv", w_segv_once, NULL);
    rt_add(&f, "fpe", w_fpe_once, NULL);
    f.s.flags = SV_SUP_CATCH_SIGNALS;
    f.s.intensity = 5;
    sv_sup *sup = rt_start(&f);
    assert_crash_cycle("segv", SV_EXIT_SIGNAL, "SIGSEGV");
    assert_crash_cycle("fpe", SV_EXIT_SIGNAL, "SIGFPE");
    assert_true(rec_at(rec_find(SV_EV_CRASH, "segv", 1)).has_bt);
    sv_sup_free(sup);
    munmap(guard_page, 4096);
}

/* Without the flag a fault is not swallowed: the process dies of it, also
 * when another supervisor of the process installed the handlers. */
static void test_signal_not_caught_without_flag(void **state)
{
    (void)state;
    guard_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(guard_page != MAP_FAILED);
    pid_t pid = rt_fork_quiet();
    if (pid == 0) {
        sv_child_spec ki, ks;
        sv_child_spec_init(&ki, "idle", w_idle, NULL);
        sv_child_spec_init(&ks, "segv", w_segv_once, NULL);
        sv_sup_spec catching, plain;
        sv_sup_spec_init(&catching, "catching");
        catching.children = &ki;
        catching.nchildren = 1;
        catching.flags = SV_SUP_CATCH_SIGNALS; /* installs the handlers */
        catching.log = sv_log_discard;
        sv_sup_spec_init(&plain, "plain");
        plain.children = &ks;
        plain.nchildren = 1;
        plain.log = sv_log_discard;
        sv_sup *a, *b;
        if (sv_sup_start(&catching, &a) != 0 || sv_sup_start(&plain, &b) != 0) _exit(3);
        sleep(5);
        _exit(77); /* survived: wrong */
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    /* Killed by SIGSEGV; under ASan its own SEGV report exits with 1. */
    assert_false(WIFEXITED(st) && (WEXITSTATUS(st) == 77 || WEXITSTATUS(st) == 3 || WEXITSTATUS(st) == 0));
    if (WIFSIGNALED(st)) assert_int_equal(WTERMSIG(st), SIGSEGV);
    munmap(guard_page, 4096);
}

int main(void)
{
    /* The fork test runs first, while the process has no other thread
     * (ThreadSanitizer cannot start threads in the child of a multi-threaded
     * fork). */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signal_not_caught_without_flag),
        cmocka_unit_test(test_signals_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
