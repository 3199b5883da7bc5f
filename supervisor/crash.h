/*
 * crash.h — crash capture, private to libsv: the per-incarnation unwind
 * context, backtraces, and the opt-in synchronous-signal handlers.
 *
 * Threading: a context is armed, disarmed and jumped to only by the thread
 * it belongs to (panic or a signal handler running on that thread); the
 * thread-local sv__crash_cur points at it while the thread is a worker.
 */
#ifndef SV_CRASH_H
#define SV_CRASH_H

#include "sv.h"

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Size of the per-worker alternate signal stack (SV_SUP_CATCH_SIGNALS). */
#define SV__ALTSTACK_SIZE ((size_t)64 * 1024)

typedef struct sv__crash_ctx {
    sigjmp_buf jb;                /* the trampoline's unwind point */
    volatile sig_atomic_t armed;  /* jb valid: sv_panic / a signal may jump */
    bool catch_signals;           /* the supervisor has SV_SUP_CATCH_SIGNALS */
    sv_report *rep;               /* reason, message, backtrace go here */
    void *owner;                  /* the sv_worker (sv_worker_self) */
    void *altstack;               /* SV__ALTSTACK_SIZE bytes, or NULL */
    stack_t old_ss;               /* the thread's previous alternate stack */
} sv__crash_ctx;

/* The crash context of the calling thread, NULL outside a worker (and while
 * a thread runs a nested supervisor's loop). Initial-exec TLS: reading it in
 * a signal handler neither allocates nor takes a lock. */
extern _Thread_local sv__crash_ctx *sv__crash_cur __attribute__((tls_model("initial-exec")));

/* Once per process: load the unwinder (a first backtrace() dlopens libgcc_s,
 * which allocates — never let that happen inside a signal handler). */
void sv__crash_init(void);

/* Once per process: install the SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT
 * handlers (SA_ONSTACK|SA_SIGINFO), remembering the previous dispositions.
 * Idempotent; 0 or a negative errno from sigaction. */
int sv__crash_signals_install(void);

/* On the worker thread before arming: make ctx current and, when
 * ctx->catch_signals, switch to ctx->altstack. thread_leave restores the
 * previous alternate stack and clears the current context; call it off the
 * alternate stack (after the trampoline's sigsetjmp returned). */
void sv__crash_thread_enter(sv__crash_ctx *ctx);
void sv__crash_thread_leave(sv__crash_ctx *ctx);

/* Write the calling thread's backtrace, one frame a line
 * ("#n module(symbol+0xoff) [0xpc]"), into buf (NUL-terminated, cut at a
 * line boundary), skipping the `skip` innermost frames besides this
 * function's own. Returns the length written. No malloc, no stdio; see
 * crash.c on what it costs in async-signal-safety. */
size_t sv__backtrace(char *buf, size_t cap, int skip);

/* "SIGSEGV", ... ; "signal N" style names are not produced: NULL if unknown. */
const char *sv__signal_name(int sig);

#endif
