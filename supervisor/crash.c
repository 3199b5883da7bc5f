/*
 * crash.c — sv_panic, backtraces, and the opt-in synchronous-signal catcher.
 *
 * Backtrace text. glibc's backtrace() collects the return addresses; each is
 * then named with dladdr() and formatted by hand into the report's own
 * buffer, in backtrace_symbols_fd's format ("module(symbol+0xoff) [0xpc]").
 * That is exactly what backtrace_symbols_fd does internally (dladdr, then a
 * writev per frame), minus the file descriptor: routing its output through a
 * pipe or memfd would cost two to four syscalls per frame-batch, could fail
 * on fd exhaustion, and could block on a full pipe; backtrace_symbols()
 * mallocs. Formatting straight into the fixed buffer needs no fd, no malloc
 * and no stdio, and is bounded by SV_BT_MAX. Names are cached per pc (see
 * sv__sym_name): a crash loop pays dladdr once per crash site.
 *
 * Async-signal-safety, honestly: on the signal path we call backtrace() and
 * dladdr(), neither of which POSIX lists as async-signal-safe. backtrace()
 * walks the stack with libgcc's unwinder, which calls dl_iterate_phdr and so
 * takes glibc's loader lock; dladdr takes it too. The unwinder is loaded at
 * init (sv__crash_init) so no allocation happens, but a fault raised while
 * the faulting thread itself holds the loader lock (inside dlopen, or inside
 * the unwinder) would deadlock that worker. Then we siglongjmp out of the
 * handler, abandoning whatever the worker was doing: a lock it held stays
 * held (malloc's arena lock if it faulted inside malloc, abort()'s lock for
 * SIGABRT), and its stack frames' cleanup never runs. That is the contract
 * of SV_SUP_CATCH_SIGNALS: it turns a process-killing fault into a logged,
 * restartable crash, usually; it cannot make the worker's state consistent.
 * Programs that cannot accept that risk leave the flag off and get the
 * default disposition (core dump).
 */
#include "crash.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Thread_local sv__crash_ctx *sv__crash_cur __attribute__((tls_model("initial-exec")));

#define SV__BT_FRAMES 64

/* ---- async-signal-safe formatting ------------------------------------------ */

typedef struct sv__buf {
    char *p;
    size_t cap, len; /* len < cap always; p[len] == 0 */
} sv__buf;

static void sv__put(sv__buf *b, const char *s)
{
    while (*s && b->len + 1 < b->cap) b->p[b->len++] = *s++;
    b->p[b->len] = '\0';
}

static void sv__put_hex(sv__buf *b, uintptr_t v)
{
    char tmp[2 + 2 * sizeof v + 1], *e = tmp + sizeof tmp - 1;
    *e = '\0';
    do {
        *--e = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    *--e = 'x';
    *--e = '0';
    sv__put(b, e);
}

static void sv__put_dec(sv__buf *b, long v)
{
    char tmp[24], *e = tmp + sizeof tmp - 1;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    *e = '\0';
    do {
        *--e = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--e = '-';
    sv__put(b, e);
}

static const char *sv__basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Symbol cache: pc -> "module(symbol+0xoff) ". dladdr scans a module's
 * whole symbol table (several microseconds a frame), and a crash loop
 * crashes from the same few sites, so each pc is named once. Direct-mapped,
 * guarded by a spinlock that is only ever tried a bounded number of times:
 * a thread that cannot get it (even one interrupted by a fault while holding
 * it) just names the frame itself. */
#define SV__SYM_SLOTS 256
#define SV__SYM_TEXT 216
static struct {
    uintptr_t pc;
    char text[SV__SYM_TEXT];
} sv__sym[SV__SYM_SLOTS];
static atomic_flag sv__sym_lock = ATOMIC_FLAG_INIT;

static bool sv__sym_trylock(void)
{
    for (int i = 0; i < 1000; i++)
        if (!atomic_flag_test_and_set_explicit(&sv__sym_lock, memory_order_acquire)) return true;
    return false;
}

static void sv__sym_unlock(void) { atomic_flag_clear_explicit(&sv__sym_lock, memory_order_release); }

static size_t sv__sym_index(uintptr_t pc)
{
    return (size_t)(((uint64_t)pc * 0x9e3779b97f4a7c15ull) >> 56) % SV__SYM_SLOTS;
}

/* Name pc into l: "module(symbol+0xoff) ", or nothing if dladdr cannot. */
static void sv__sym_name(sv__buf *l, uintptr_t pc)
{
    size_t h = sv__sym_index(pc);
    if (sv__sym_trylock()) {
        bool hit = sv__sym[h].pc == pc;
        if (hit) sv__put(l, sv__sym[h].text);
        sv__sym_unlock();
        if (hit) return;
    }
    size_t start = l->len;
    Dl_info di;
    if (dladdr((void *)pc, &di) && di.dli_fname) {
        sv__put(l, sv__basename(di.dli_fname));
        sv__put(l, "(");
        if (di.dli_sname) {
            sv__put(l, di.dli_sname);
            sv__put(l, "+");
            sv__put_hex(l, pc - (uintptr_t)di.dli_saddr);
        } else {
            sv__put(l, "+");
            sv__put_hex(l, pc - (uintptr_t)di.dli_fbase);
        }
        sv__put(l, ") ");
    }
    size_t len = l->len - start;
    if (len < SV__SYM_TEXT && l->len + 1 < l->cap && sv__sym_trylock()) {
        memcpy(sv__sym[h].text, l->p + start, len + 1);
        sv__sym[h].pc = pc;
        sv__sym_unlock();
    }
}

/* noinline: the frame count to skip must not depend on the optimiser. */
__attribute__((noinline)) size_t sv__backtrace(char *buf, size_t cap, int skip)
{
    if (cap == 0) return 0;
    void *pcs[SV__BT_FRAMES];
    int n = backtrace(pcs, SV__BT_FRAMES);
    sv__buf b = { buf, cap, 0 };
    buf[0] = '\0';
    for (int i = 1 + skip, k = 0; i < n; i++, k++) {
        char line[256];
        sv__buf l = { line, sizeof line, 0 };
        line[0] = '\0';
        uintptr_t pc = (uintptr_t)pcs[i];
        sv__put(&l, "#");
        sv__put_dec(&l, k);
        sv__put(&l, " ");
        sv__sym_name(&l, pc);
        sv__put(&l, "[");
        sv__put_hex(&l, pc);
        sv__put(&l, "]\n");
        if (b.len + l.len + 1 > b.cap) break; /* whole lines only */
        sv__put(&b, line);
    }
    return b.len;
}

/* ---- init ------------------------------------------------------------------ */

static pthread_once_t sv__crash_once = PTHREAD_ONCE_INIT;

static void sv__crash_init_once(void)
{
    void *pc[2];
    backtrace(pc, 2);
}

void sv__crash_init(void) { pthread_once(&sv__crash_once, sv__crash_init_once); }

/* ---- sv_panic -------------------------------------------------------------------- */

/* Crash the calling worker: message and backtrace into its report, then
 * unwind to its trampoline. Outside a worker (or in supervisor code run on a
 * worker's thread): print to stderr and abort. Never returns. */
__attribute__((noinline)) void sv_vpanic(const char *fmt, va_list ap)
{
    sv__crash_ctx *c = sv__crash_cur;
    if (!c || !c->armed) {
        fputs("libsv: sv_panic outside a worker: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        abort();
    }
    c->armed = 0;
    vsnprintf(c->rep->message, sizeof c->rep->message, fmt, ap);
    sv__backtrace(c->rep->backtrace, sizeof c->rep->backtrace, 1); /* from the caller of sv_vpanic */
    c->rep->reason = SV_EXIT_PANIC;
    siglongjmp(c->jb, 1);
}

void sv_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sv_vpanic(fmt, ap);
}

/* ---- signals -------------------------------------------------------------------- */

static const int sv__sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define SV__NSIGS (sizeof sv__sigs / sizeof sv__sigs[0])

static struct sigaction sv__prev[SV__NSIGS]; /* written once, before install */
static int sv__install_err;
static pthread_once_t sv__sig_once = PTHREAD_ONCE_INIT;

const char *sv__signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return NULL;
    }
}

/* The handler (SA_ONSTACK|SA_SIGINFO), on the faulting thread. Only the
 * formatting helpers above, backtrace/dladdr (see the top of this file) and
 * siglongjmp run on the catching path. */
static void sv__on_signal(int sig, siginfo_t *si, void *uc)
{
    int saved_errno = errno;
    sv__crash_ctx *c = sv__crash_cur;
    if (c && c->armed && c->catch_signals) {
        /* Ours: a worker of a supervisor that asked for it. */
        c->armed = 0;
        sv__buf b = { c->rep->message, sizeof c->rep->message, 0 };
        sv__put(&b, "signal ");
        sv__put(&b, sv__signal_name(sig) ? sv__signal_name(sig) : "?");
        sv__put(&b, " (code ");
        sv__put_dec(&b, si->si_code);
        if (sig != SIGABRT) {
            sv__put(&b, ", addr ");
            sv__put_hex(&b, (uintptr_t)si->si_addr);
        }
        sv__put(&b, ")");
        /* skip this handler's frame; the next is the kernel's signal
         * trampoline, then the faulting function. */
        sv__backtrace(c->rep->backtrace, sizeof c->rep->backtrace, 1);
        c->rep->reason = SV_EXIT_SIGNAL;
        siglongjmp(c->jb, 1);
    }
    /* Not ours: hand it to whoever had it before us, else the default. */
    size_t i = 0;
    while (i < SV__NSIGS && sv__sigs[i] != sig) i++;
    const struct sigaction *p = i < SV__NSIGS ? &sv__prev[i] : NULL;
    if (p && (p->sa_flags & SA_SIGINFO) && p->sa_sigaction) {
        errno = saved_errno;
        p->sa_sigaction(sig, si, uc);
        return;
    }
    if (p && !(p->sa_flags & SA_SIGINFO) && p->sa_handler != SIG_DFL && p->sa_handler != SIG_IGN) {
        errno = saved_errno;
        p->sa_handler(sig);
        return;
    }
    /* Default: restore it and re-raise. A fault re-executes the faulting
     * instruction on return; a sent signal (raise, kill, abort) is sent
     * again and delivered once this handler returns and unblocks it. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (si->si_code <= 0) raise(sig);
    errno = saved_errno;
}

static void sv__signals_install_once(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sv__on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < SV__NSIGS; i++) {
        if (sigaction(sv__sigs[i], &sa, &sv__prev[i]) != 0) {
            sv__install_err = -errno;
            return;
        }
    }
}

int sv__crash_signals_install(void)
{
    sv__crash_init();
    pthread_once(&sv__sig_once, sv__signals_install_once);
    return sv__install_err;
}

void sv__crash_thread_enter(sv__crash_ctx *ctx)
{
    if (ctx->catch_signals && ctx->altstack) {
        stack_t ss = { .ss_sp = ctx->altstack, .ss_size = SV__ALTSTACK_SIZE, .ss_flags = 0 };
        if (sigaltstack(&ss, &ctx->old_ss) != 0) ctx->altstack = NULL; /* keep the thread's own */
    }
    sv__crash_cur = ctx;
}

void sv__crash_thread_leave(sv__crash_ctx *ctx)
{
    sv__crash_cur = NULL;
    if (ctx->catch_signals && ctx->altstack) {
        /* Put the previous stack back (sanitizers free theirs at thread exit
         * and must find it installed); disable ours if there was none. */
        stack_t ss = ctx->old_ss;
        if (!ss.ss_sp || (ss.ss_flags & SS_DISABLE)) {
            memset(&ss, 0, sizeof ss);
            ss.ss_flags = SS_DISABLE;
        }
        sigaltstack(&ss, NULL);
    }
}
