/*
 * failpoint_int.h — private to failpoint.c and the interpreter (worker.c):
 * deciding a failpoint without acting, so the interpreter can act itself
 * (it must leave its own bookkeeping before a panic or a fault).
 */
#ifndef FL_FAILPOINT_INT_H
#define FL_FAILPOINT_INT_H

#include "failpoint.h"

#define FL__FP_MSG_MAX 128

typedef struct fl__fp_hit {
    fl_fp_action action;
    int value;                 /* RETURN */
    uint32_t ms;               /* SLEEP */
    char msg[FL__FP_MSG_MAX];  /* PANIC */
} fl__fp_hit;

/* Evaluate point for child like fl_failpoint_hook, but only decide: true
 * and *hit when a term fired (counts and draws consumed), false otherwise. */
bool fl__failpoint_decide(const char *point, const char *child, fl__fp_hit *hit);
/* A real invalid write. */
void fl__failpoint_segv(void);

#endif
