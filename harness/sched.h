/*
 * sched.h — compatibility name of the controlled platform's API, which lives
 * in fl_sched.h (include that one).
 *
 * The build puts harness/ on the include path, so a harness/sched.h also
 * answers every #include <sched.h> of the C library (pthread.h includes it).
 * This file therefore passes that through first, then adds fl_sched.h. It
 * exists because code was written against "sched.h"; new code should include
 * "fl_sched.h", and once nothing includes "sched.h" this file goes away.
 * When it is found relative to the including file (harness/x.h including
 * "sched.h"), #include_next searches the whole path again and lands here
 * once more, then in the C library: harmless, and clang's note about it is
 * silenced.
 */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winclude-next-absolute-path"
#endif
#include_next <sched.h>
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#include "fl_sched.h"
