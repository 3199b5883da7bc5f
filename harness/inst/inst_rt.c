/*
 * inst_rt.c — the runtime that `faultline cc` links into an instrumented
 * program (build/libfaultline-inst.a): every __tsan_* callback clang's
 * ThreadSanitizer pass emits, without the TSan runtime.
 *
 * Built only with -DFL_INST_RT (its own Makefile rule, never into
 * libfaultline: in faultline's TSan build these names belong to the real
 * TSan runtime). It needs nothing but the C library.
 *
 * Each callback is one relaxed load of fl_inst__rt.on and a branch; while
 * it is off (natively, and between controlled runs) an access callback does
 * nothing and an atomic callback only performs the operation. Atomics are
 * always performed sequentially consistent, whatever order was asked:
 * stronger is correct, and a controlled run serialises everything anyway.
 * 128-bit atomics are not provided (clang emits them only with -mcx16).
 */
#ifdef FL_INST_RT

#include "inst/fl_inst.h"

#include <dlfcn.h>
#include <string.h>

static fl_inst_rt fl_inst__rt = { .abi = FL_INST_ABI };
static int fl_inst__inited;

#define FL_INST__ON __builtin_expect(atomic_load_explicit(&fl_inst__rt.on, memory_order_relaxed), 0)
#define FL_INST__HIT(a, n, k) do { if (FL_INST__ON) fl_inst__rt.access((a), (n), (k)); } while (0)

/* The module constructor clang adds calls this once per instrumented
 * object file: attach to the faultline library if it is in the process. */
void __tsan_init(void);
void __tsan_init(void)
{
    if (fl_inst__inited) return;
    fl_inst__inited = 1;
    int (*attach)(fl_inst_rt *);
    void *sym = dlsym(RTLD_DEFAULT, "fl_inst_attach");
    memcpy(&attach, &sym, sizeof attach);
    if (attach) (void)attach(&fl_inst__rt);
}

/* ---- plain accesses ----------------------------------------------------------- */

#define FL_INST__ACC(n)                                                                       \
    void __tsan_read##n(void *a);                                                             \
    void __tsan_write##n(void *a);                                                            \
    void __tsan_unaligned_read##n(const void *a);                                             \
    void __tsan_unaligned_write##n(void *a);                                                  \
    void __tsan_volatile_read##n(void *a);                                                    \
    void __tsan_volatile_write##n(void *a);                                                   \
    void __tsan_read##n(void *a) { FL_INST__HIT(a, n, FL_INST_LOAD); }                        \
    void __tsan_write##n(void *a) { FL_INST__HIT(a, n, FL_INST_STORE); }                      \
    void __tsan_unaligned_read##n(const void *a) { FL_INST__HIT(a, n, FL_INST_LOAD); }        \
    void __tsan_unaligned_write##n(void *a) { FL_INST__HIT(a, n, FL_INST_STORE); }            \
    void __tsan_volatile_read##n(void *a) { FL_INST__HIT(a, n, FL_INST_LOAD); }               \
    void __tsan_volatile_write##n(void *a) { FL_INST__HIT(a, n, FL_INST_STORE); }
FL_INST__ACC(1)
FL_INST__ACC(2)
FL_INST__ACC(4)
FL_INST__ACC(8)
FL_INST__ACC(16)

void __tsan_read_range(void *a, unsigned long n);
void __tsan_write_range(void *a, unsigned long n);
void __tsan_read_range(void *a, unsigned long n) { FL_INST__HIT(a, (uint32_t)n, FL_INST_LOAD); }
void __tsan_write_range(void *a, unsigned long n) { FL_INST__HIT(a, (uint32_t)n, FL_INST_STORE); }

/* C++ virtual pointers */
void __tsan_vptr_read(void **p);
void __tsan_vptr_update(void **p, void *v);
void __tsan_vptr_read(void **p) { FL_INST__HIT(p, sizeof *p, FL_INST_LOAD); }
void __tsan_vptr_update(void **p, void *v) { (void)v; FL_INST__HIT(p, sizeof *p, FL_INST_STORE); }

/* `faultline cc` turns function entry/exit off; defined for objects built
 * with -fsanitize=thread some other way. */
void __tsan_func_entry(void *pc);
void __tsan_func_exit(void);
void __tsan_func_entry(void *pc) { (void)pc; }
void __tsan_func_exit(void) {}

/* Memory intrinsics (newer clang calls these instead of memcpy & co.): one
 * point at the destination. */
void *__tsan_memcpy(void *d, const void *s, size_t n);
void *__tsan_memmove(void *d, const void *s, size_t n);
void *__tsan_memset(void *d, int c, size_t n);
void *__tsan_memcpy(void *d, const void *s, size_t n) { if (n) FL_INST__HIT(d, (uint32_t)n, FL_INST_STORE); return memcpy(d, s, n); }
void *__tsan_memmove(void *d, const void *s, size_t n) { if (n) FL_INST__HIT(d, (uint32_t)n, FL_INST_STORE); return memmove(d, s, n); }
void *__tsan_memset(void *d, int c, size_t n) { if (n) FL_INST__HIT(d, (uint32_t)n, FL_INST_STORE); return memset(d, c, n); }

/* ---- atomics (ABI of compiler-rt's tsan_interface_atomic.h) --------------------- */

#define FL_INST__SC __ATOMIC_SEQ_CST
#define FL_INST__ATOM(n, T)                                                                                 \
    T __tsan_atomic##n##_load(const volatile T *a, int mo);                                                 \
    void __tsan_atomic##n##_store(volatile T *a, T v, int mo);                                              \
    T __tsan_atomic##n##_exchange(volatile T *a, T v, int mo);                                              \
    T __tsan_atomic##n##_fetch_add(volatile T *a, T v, int mo);                                             \
    T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, int mo);                                             \
    T __tsan_atomic##n##_fetch_and(volatile T *a, T v, int mo);                                             \
    T __tsan_atomic##n##_fetch_or(volatile T *a, T v, int mo);                                              \
    T __tsan_atomic##n##_fetch_xor(volatile T *a, T v, int mo);                                             \
    T __tsan_atomic##n##_fetch_nand(volatile T *a, T v, int mo);                                            \
    int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, int mo, int fmo);              \
    int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int fmo);                \
    T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T c, T v, int mo, int fmo);                    \
    T __tsan_atomic##n##_load(const volatile T *a, int mo)                                                  \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_load_n(a, FL_INST__SC); }       \
    void __tsan_atomic##n##_store(volatile T *a, T v, int mo)                                               \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); __atomic_store_n(a, v, FL_INST__SC); }          \
    T __tsan_atomic##n##_exchange(volatile T *a, T v, int mo)                                               \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_exchange_n(a, v, FL_INST__SC); }\
    T __tsan_atomic##n##_fetch_add(volatile T *a, T v, int mo)                                              \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_fetch_add(a, v, FL_INST__SC); } \
    T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, int mo)                                              \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_fetch_sub(a, v, FL_INST__SC); } \
    T __tsan_atomic##n##_fetch_and(volatile T *a, T v, int mo)                                              \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_fetch_and(a, v, FL_INST__SC); } \
    T __tsan_atomic##n##_fetch_or(volatile T *a, T v, int mo)                                               \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_fetch_or(a, v, FL_INST__SC); }  \
    T __tsan_atomic##n##_fetch_xor(volatile T *a, T v, int mo)                                              \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_fetch_xor(a, v, FL_INST__SC); } \
    T __tsan_atomic##n##_fetch_nand(volatile T *a, T v, int mo)                                             \
    { (void)mo; FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC); return __atomic_fetch_nand(a, v, FL_INST__SC); }\
    int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, int mo, int fmo)               \
    {                                                                                                       \
        (void)mo; (void)fmo;                                                                                \
        FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC);                                                         \
        return __atomic_compare_exchange_n(a, c, v, 0, FL_INST__SC, FL_INST__SC);                           \
    }                                                                                                       \
    int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int fmo)                 \
    {                                                                                                       \
        (void)mo; (void)fmo;                                                                                \
        FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC);                                                         \
        return __atomic_compare_exchange_n(a, c, v, 0, FL_INST__SC, FL_INST__SC);                           \
    }                                                                                                       \
    T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T c, T v, int mo, int fmo)                     \
    {                                                                                                       \
        (void)mo; (void)fmo;                                                                                \
        FL_INST__HIT(a, sizeof(T), FL_INST_ATOMIC);                                                         \
        __atomic_compare_exchange_n(a, &c, v, 0, FL_INST__SC, FL_INST__SC);                                 \
        return c;                                                                                           \
    }
FL_INST__ATOM(8, uint8_t)
FL_INST__ATOM(16, uint16_t)
FL_INST__ATOM(32, uint32_t)
FL_INST__ATOM(64, uint64_t)

void __tsan_atomic_thread_fence(int mo);
void __tsan_atomic_signal_fence(int mo);
void __tsan_atomic_thread_fence(int mo) { (void)mo; __atomic_thread_fence(FL_INST__SC); }
void __tsan_atomic_signal_fence(int mo) { (void)mo; __atomic_signal_fence(FL_INST__SC); }

#endif /* FL_INST_RT */
