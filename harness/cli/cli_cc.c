/*
 * cli_cc.c — `faultline cc CC-ARGS...`: clang with scheduling points at
 * memory accesses (inst/fl_inst.h).
 *
 *   faultline cc -O1 -g -pthread prog.c -o prog
 *
 * Runs $FAULTLINE_CC (default clang) with the user's arguments, the flags
 * of fl_inst_cc_flags before them, and — when the command links — the
 * instrumentation runtime (libfaultline-inst.a) after them. The program
 * runs natively as before; under `faultline exec` its shared loads, stores
 * and atomics become scheduling points.
 */
#include "cli/fl_cli.h"
#include "exec/fl_exec.h"
#include "inst/fl_inst.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* True when the arguments stop before linking (-c, -S, -E, -M, -MM,
 * -fsyntax-only). */
static bool fl_cli__cc_links(int argc, char **argv)
{
    static const char *const stop[] = { "-c", "-S", "-E", "-M", "-MM", "-fsyntax-only" };
    for (int i = 2; i < argc; i++)
        for (size_t k = 0; k < sizeof stop / sizeof *stop; k++)
            if (strcmp(argv[i], stop[k]) == 0) return false;
    return true;
}

int fl_cli_cc_main(int argc, char **argv, FILE *out, FILE *err)
{
    (void)out;
    if (argc < 3) {
        fputs("faultline cc: nothing to compile\n"
              "usage: faultline cc CC-ARGS...   (e.g. faultline cc -O1 -g -pthread prog.c -o prog)\n",
              err);
        return FL_CLI_EXIT_USAGE;
    }
    const char *cc = getenv("FAULTLINE_CC");
    if (!cc || !*cc) cc = "clang";
    char rt[PATH_MAX];
    bool links = fl_cli__cc_links(argc, argv);
    if (links && fl_exec_find(FL_INST_RT_NAME, FL_INST_RT_ENV, rt, sizeof rt) < 0) {
        fprintf(err, "faultline cc: the instrumentation runtime %s was not found beside the faultline binary "
                "or in ../lib (set %s to its path)\n", FL_INST_RT_NAME, FL_INST_RT_ENV);
        return FL_CLI_EXIT_USAGE;
    }
    size_t nflags = 0;
    while (fl_inst_cc_flags[nflags]) nflags++;
    char **av = calloc((size_t)argc + nflags + 2, sizeof *av);
    if (!av) {
        fputs("faultline cc: out of memory\n", err);
        return FL_CLI_EXIT_USAGE;
    }
    size_t n = 0;
    av[n++] = (char *)cc;
    for (size_t i = 0; i < nflags; i++) av[n++] = (char *)fl_inst_cc_flags[i];
    for (int i = 2; i < argc; i++) av[n++] = argv[i];
    if (links) av[n++] = rt;
    av[n] = NULL;
    fflush(NULL);
    execvp(cc, av);
    int e = errno;
    fprintf(err, "faultline cc: cannot run %s: %s%s\n", cc, strerror(e),
            e == ENOENT ? " (install clang, or name a clang in FAULTLINE_CC)" : "");
    free(av);
    return FL_CLI_EXIT_USAGE;
}
