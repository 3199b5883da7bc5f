/*
 * scenario_p.h — private to the scenario parser (scenario.c, scenario_script.c,
 * scenario_stmt.c).
 */
#ifndef FL_SCENARIO_P_H
#define FL_SCENARIO_P_H

#include "failpoint.h"
#include "scenario.h"
#include "scenario_int.h"

#define FL__MAX_DEPTH 32
#define FL__FILE_MAX (1024 * 1024)

typedef enum fl__frame_kind { FL__FR_SUP, FL__FR_WORKER, FL__FR_USER, FL__FR_LOOP, FL__FR_ONSTOP } fl__frame_kind;

/* One open line of the indentation structure. */
typedef struct fl__frame {
    fl__frame_kind kind;
    int indent;          /* the opener line's indentation */
    int child_indent;    /* indentation of the lines under it; -1 until the first */
    int line;            /* the opener's line */
    int onstop_line;     /* WORKER: line of its `onstop`, 0 if none yet */
    fl_sup_decl *sup;    /* SUP */
    fl_child *child;     /* WORKER/USER/LOOP/ONSTOP: the worker; SUP: its child or NULL */
    fl_op **ops;         /* WORKER/LOOP/ONSTOP: the list new ops go to */
    size_t *nops;
} fl__frame;

typedef struct fl__parser {
    fl_scenario *s;
    fl__cur c;
    fl_diag *diag;
    fl__frame stack[FL__MAX_DEPTH];
    int depth;
    int scenario_line, run_line, fail_line;
    bool fp_segv;        /* a failpoint spec has segv: every supervisor catches signals */
} fl__parser;

/* scenario_model.c */
fl_child *fl__find_child(fl_sup_decl *sup, const char *id); /* depth first, NULL if none */
void fl__child_free(fl_child *c);
void fl__sup_free(fl_sup_decl *sup);
int fl__grow(void *pp, size_t n, size_t elem); /* room for element n, zeroed */
char *fl__strdup(const char *s);
void fl__ops_free(fl_op *ops, size_t n);

/* scenario.c */
int fl__enum(fl__cur *c, const char *const *names, size_t n, const char *what, int *out);
int fl__key(fl__cur *c, char *key, size_t cap, bool *has_value, const char *what);
int fl__dup_key(fl__cur *c, unsigned *seen, unsigned bit, int col, const char *key);
int fl__stmt_supervisor(fl__parser *P, fl_sup_decl *parent, int indent);
bool fl__word(fl__cur *c, const char *w); /* consume identifier w if it is next, whole */
/* Opens frame f (child_indent set to -1); fails at FL__MAX_DEPTH levels. */
int fl__push(fl__parser *P, fl__frame f);

/* scenario_script.c */
int fl__script_line(fl__parser *P, fl__frame *fr, int indent); /* one op line under a worker or block */

/* scenario_stmt.c */
int fl__stmt_top(fl__parser *P);   /* one top-level line (indentation 0) */
int fl__finish(fl__parser *P);     /* checks after the last line */

#endif
