/*
 * fl_inst.h — memory-access scheduling points (prefix fl_inst_).
 *
 * `faultline cc` compiles a program with clang's ThreadSanitizer
 * instrumentation but without the TSan runtime: every load and store the
 * compiler could not prove thread-local, and every C11 / __atomic
 * operation, calls a __tsan_* callback. The callbacks live in a tiny
 * static runtime linked into the program (libfaultline-inst.a, built from
 * inst_rt.c): on its own each one costs one load and a branch (a flag that
 * is off) and the program runs natively. When the faultline library is in
 * the process too (`faultline exec` preloads libfaultline.so; a faultline
 * binary links it), the runtime's first callback (__tsan_init, from the
 * module constructor clang adds) finds fl_inst_attach by dlsym, and from
 * then on the flag is on exactly while a controlled run is live.
 *
 * With the flag on, an access by a controlled thread becomes a light
 * scheduling point (fl_sched_point_light) before it happens, unless the
 * filter (inst_points.c) judges it thread-private:
 *  - addresses inside the calling thread's own stack (its TLS too, for
 *    threads the program created) are never points;
 *  - the program's globals (writable segments of an instrumented module)
 *    and every atomic operation are always points;
 *  - any other address (heap, mmap, the main thread's TLS) is a point once
 *    a second controlled thread has touched its 8-byte granule in this run;
 *    until then it belongs to the thread that touched it first.
 * The filter's state belongs to one run and depends only on the steps
 * taken, so the points — and the schedule that records them — replay
 * exactly. Blind spots are listed in docs/scheduler.md.
 */
#ifndef FL_INST_H
#define FL_INST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a callback saw. */
typedef enum fl_inst_kind {
    FL_INST_LOAD = 0,
    FL_INST_STORE = 1,
    FL_INST_ATOMIC = 2, /* any atomic operation (load, store, RMW, CAS, fence) */
} fl_inst_kind;

/* The runtime linked into an instrumented program (inst_rt.c) and the
 * library agree on this block; abi must equal FL_INST_ABI. The runtime owns
 * it (a static in the program); fl_inst_attach fills access and keeps a
 * pointer to it for the life of the process. Invariant: `on` is nonzero
 * only while a controlled run is live and access is set. */
#define FL_INST_ABI 1u
typedef struct fl_inst_rt {
    uint32_t abi;
    atomic_int on;
    void (*access)(const volatile void *addr, uint32_t size, fl_inst_kind kind);
} fl_inst_rt;

/* Called by an instrumented module's runtime (one per executable or shared
 * object built by `faultline cc`), from its first __tsan_init. Records rt,
 * sets rt->access, and remembers the writable segments of the module that
 * holds rt (its globals). 0, or -EPROTO (abi differs: the program was built
 * by another faultline; its callbacks stay off), -ENOSPC (more than 64
 * instrumented modules). Safe to call before main; not thread-safe (the
 * loader serialises constructors). */
int fl_inst_attach(fl_inst_rt *rt);

/* Instrumented modules attached in this process. */
int fl_inst_modules(void);

/* Memory-access scheduling points taken in this process so far (all runs;
 * in a forked run, that child's). For tests and benchmarks. */
uint64_t fl_inst_points(void);

/* The compiler flags `faultline cc` adds, NULL-terminated. */
extern const char *const fl_inst_cc_flags[];

/* Name of the runtime archive linked into instrumented programs (found
 * beside the faultline binary, or in ../lib, or at $FAULTLINE_INST_RT). */
#define FL_INST_RT_NAME "libfaultline-inst.a"
#define FL_INST_RT_ENV "FAULTLINE_INST_RT"

#ifdef __cplusplus
}
#endif
#endif
