/*
 * scenario_int.h — private to the scenario parser (scenario.c, scenario_script.c,
 * scenario_stmt.c).
 */
#ifndef FL_SCENARIO_INT_H
#define FL_SCENARIO_INT_H

#include "failpoint/fl_failpoint.h"
#include "scenario/fl_scenario.h"
#include "lex/fl_lex.h"

#define FL_SCENARIO__MAX_DEPTH 32
#define FL_SCENARIO__FILE_MAX (1024 * 1024)

typedef enum fl_scenario__frame_kind { FL_SCENARIO__FR_SUP, FL_SCENARIO__FR_WORKER, FL_SCENARIO__FR_USER, FL_SCENARIO__FR_LOOP, FL_SCENARIO__FR_ONSTOP } fl_scenario__frame_kind;

/* One open line of the indentation structure. */
typedef struct fl_scenario__frame {
    fl_scenario__frame_kind kind;
    int indent;          /* the opener line's indentation */
    int child_indent;    /* indentation of the lines under it; -1 until the first */
    int line;            /* the opener's line */
    int onstop_line;     /* WORKER: line of its `onstop`, 0 if none yet */
    fl_scenario_sup_decl *sup;    /* SUP */
    fl_scenario_child_decl *child;     /* WORKER/USER/LOOP/ONSTOP: the worker; SUP: its child or NULL */
    fl_scenario_op **ops;         /* WORKER/LOOP/ONSTOP: the list new ops go to */
    size_t *nops;
} fl_scenario__frame;

typedef struct fl_scenario__parser {
    fl_scenario *s;
    fl_lex_cur c;
    fl_lex_diag *diag;
    fl_scenario__frame stack[FL_SCENARIO__MAX_DEPTH];
    int depth;
    int scenario_line, run_line, fail_line;
    bool fp_segv;        /* a failpoint spec has segv: every supervisor catches signals */
} fl_scenario__parser;

/* scenario_model.c */
fl_scenario_child_decl *fl_scenario__find_child(fl_scenario_sup_decl *sup, const char *id); /* depth first, NULL if none */
void fl_scenario__child_free(fl_scenario_child_decl *c);
void fl_scenario__sup_free(fl_scenario_sup_decl *sup);
int fl_scenario__grow(void *pp, size_t n, size_t elem); /* room for element n, zeroed */
char *fl_scenario__strdup(const char *s);
void fl_scenario__ops_free(fl_scenario_op *ops, size_t n);

/* scenario.c */
int fl_scenario__enum(fl_lex_cur *c, const char *const *names, size_t n, const char *what, int *out);
int fl_scenario__key(fl_lex_cur *c, char *key, size_t cap, bool *has_value, const char *what);
int fl_scenario__dup_key(fl_lex_cur *c, unsigned *seen, unsigned bit, int col, const char *key);
int fl_scenario__stmt_supervisor(fl_scenario__parser *P, fl_scenario_sup_decl *parent, int indent);
bool fl_scenario__word(fl_lex_cur *c, const char *w); /* consume identifier w if it is next, whole */
/* Opens frame f (child_indent set to -1); fails at FL_SCENARIO__MAX_DEPTH levels. */
int fl_scenario__push(fl_scenario__parser *P, fl_scenario__frame f);

/* scenario_script.c */
int fl_scenario__script_line(fl_scenario__parser *P, fl_scenario__frame *fr, int indent); /* one op line under a worker or block */

/* scenario_stmt.c */
int fl_scenario__stmt_top(fl_scenario__parser *P);   /* one top-level line (indentation 0) */
int fl_scenario__finish(fl_scenario__parser *P);     /* checks after the last line */
enum fl_scenario__ref { FL_SCENARIO__REF_ANY, FL_SCENARIO__REF_WORKER, FL_SCENARIO__REF_SCRIPT, FL_SCENARIO__REF_ROOT_CHILD };
/* Read an id (after blanks) and resolve it to a child of the required kind,
 * then a separator. 0 or -EINVAL with the diagnostic set. */
int fl_scenario__ref(fl_scenario__parser *P, enum fl_scenario__ref want, fl_scenario_child_decl **out);
int fl_scenario__sup_addr(fl_scenario__parser *P, fl_scenario_sup_decl **out); /* [sup=PATH]; NULL: root */
int fl_scenario__ref_in(fl_scenario__parser *P, const fl_scenario_sup_decl *sup, fl_scenario_child_decl **out);
int fl_scenario__need_root(fl_scenario__parser *P, int col, const char *what); /* 0, or -EINVAL: no tree yet */
int fl_scenario__bad_key(fl_lex_cur *c, int col, const char *list);          /* -EINVAL: "expected LIST" at col */

/* scenario_expect.c */
int fl_scenario__stmt_expect(fl_scenario__parser *P, int col); /* one `expect` line */
/* An admin result: ok, a libsv name (already_started, …), an errno name
 * (EINVAL) or a negative number; *out the value (0 or negative). */
int fl_scenario__result(fl_lex_cur *c, int *out);
/* libsv's limits (nesting, children per tree): 0, or -EINVAL with a
 * diagnostic at the offending declaration. */
int fl_scenario__check_limits(fl_scenario__parser *P);

#endif
