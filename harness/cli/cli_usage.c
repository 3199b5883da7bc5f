/*
 * cli_usage.c — the help text of each `faultline` command (fl_cli_usage,
 * fl_cli.h); the options themselves are parsed in cli_args.c.
 */
#include "cli/fl_cli.h"

#include "runner/fl_runner.h"

#include <stdio.h>

void fl_cli_usage(fl_cli_cmd cmd, FILE *out) {
    switch (cmd) {
    case FL_CLI_CMD_RUN:
        fprintf(out, "usage: faultline run PATH... [options]\n"
              "Run scenarios (files, or directories searched for *.scn) over many seeds\n"
              "on the controlled scheduler and check every run with the oracle.\n\n"
              "  --seeds N           runs per scenario (default: the scenario's `run seeds=`, else 200;\n"
              "                      with --strategy free at most %u unless given)\n"
              "  --strategy S        random | pct | pos | rr (default: the scenario's, else random), or free:\n"
              "                      real threads, real time, seeded delays, for ThreadSanitizer;\n"
              "                      free runs cannot be replayed\n"
              "  --depth D           pct bug depth (default: the scenario's, else 3)\n"
              "  --pct-k K           pct: the first run's estimate of the real choices a run makes\n"
              "                      (later runs learn it; a rerun line names it)\n"
              "  --budget N          scheduling steps per run before it counts as a livelock\n"
              "  --time-scale X      free runs: scenario time runs X times faster than real time\n"
              "                      (1 to %u, default %u: a scenario's 1 s lasts %u ms)\n"
              "  --shard I/N         run only scenarios whose index in the sorted list is I mod N\n"
              "                      (0-based); also TEST_/GTEST_TOTAL_SHARDS + _SHARD_INDEX\n"
              "  --junit FILE        JUnit XML report\n"
              "  --tap [FILE.tap]    TAP 13 on stdout (the summary then goes to stderr),\n"
              "                      or to FILE (--tap=FILE, or a next argument ending in .tap)\n"
              "  --json FILE         JSON report\n"
              "  --trace DIR         one Chrome-trace (Perfetto) timeline per scenario\n"
              "  --html FILE         self-contained HTML report\n\n"
              "Exit: 0 all passed, 1 a scenario failed, 2 bad usage or input.\n",
              FL_RUNNER_FREE_SEEDS, FL_RUNNER_MAX_TIME_SCALE, FL_RUNNER_FREE_TIME_SCALE,
              1000u / FL_RUNNER_FREE_TIME_SCALE);
        break;
    case FL_CLI_CMD_EXPLORE:
        fprintf(out, "usage: faultline explore FILE [--bound P] [--max-runs N] [--budget N] [--require-complete]\n"
              "                         [--no-reduce | --no-dpor]\n"
              "Run FILE on every schedule with at most P preemptions (depth first, each schedule\n"
              "once), each run checked by the oracle as `run` checks it; print how many schedules\n"
              "ran, whether that was all of them, how many failed, and the first failure with its\n"
              "replay line. For small scenarios: the count grows roughly as steps^P.\n\n"
              "  --bound P           preemption bound (0 to %u, default %u)\n"
              "  --max-runs N        stop after N schedules (default %u): the search is then\n"
              "                      incomplete, and says so\n"
              "  --budget N          scheduling steps per run before it counts as a livelock\n"
              "  --require-complete  an incomplete search without a failure exits 1, not 0\n"
              "  --no-reduce         run every schedule within the bound: no sleep-set reduction\n"
              "                      (by default a schedule equivalent to one already run, by\n"
              "                      reordering independent steps, is skipped; same failures)\n"
              "  --no-dpor           reduce with sleep sets only, without dynamic partial-order\n"
              "                      reduction (which runs an alternative only where a race asks)\n\n"
              "Exit: 0 no failing schedule (complete, or incomplete: see the summary line), 1 a\n"
              "failing schedule (known-bad: none violated the expected invariant), 2 bad usage or input.\n",
              FL_CLI_MAX_BOUND, FL_RUNNER_EXPLORE_BOUND, FL_RUNNER_EXPLORE_MAX_RUNS);
        break;
    case FL_CLI_CMD_REPLAY:
        fputs("usage: faultline replay FILE --schedule S [--trace DIR] [--timeout DUR]\n"
              "Run FILE once, following the schedule string S (fl1:…) that a failure printed;\n"
              "print the event trace and the verdict. A scenario with user workers runs in a\n"
              "child process: an assert in a worker's thread is a reported crash.\n\n"
              "  --schedule S        the schedule to follow\n"
              "  --trace DIR         also write the run's Chrome-trace timeline\n"
              "  --timeout DUR       wall time of that child (default 60s)\n\n"
              "Exit: 0 the run holds every invariant, 1 it violated one or diverged, 2 bad usage or input.\n", out);
        break;
    case FL_CLI_CMD_SHRINK:
        fputs("usage: faultline shrink FILE --schedule S [--max-runs N] [--timeout DUR]\n"
              "Search for a smaller schedule (fewer preemptions, then fewer steps) on which FILE\n"
              "fails the same invariant as on S; print sizes before and after, whether the\n"
              "preemption count is the proven minimum, and its replay line. With user workers\n"
              "each attempt runs in a child process (--timeout DUR each).\n\n"
              "  --max-runs N        replays in all (default 2000); the search for the\n"
              "                      minimum says when it stopped early\n\n"
              "Exit: 0 shrunk (or already minimal), 1 S does not fail, 2 bad usage or input.\n", out);
        break;
    case FL_CLI_CMD_CHECK:
        fputs("usage: faultline check FILE...\n"
              "Parse scenario files (or directories of *.scn) without running them.\n\n"
              "Exit: 0 all parse, 2 one does not (each error as FILE:LINE:COL: expected …).\n", out);
        break;
    case FL_CLI_CMD_LIST:
        fputs("usage: faultline list PATH...\n"
              "List the scenarios a `run` of the same PATHs would run, in run order, with\n"
              "their index, seeds, strategy and whether they are known-bad.\n\n"
              "Exit: 0, or 2 when a scenario does not parse.\n", out);
        break;
    default:
        fputs("usage: faultline COMMAND [options]\n\n"
              "Commands:\n"
              "  run PATH...              run scenarios over many seeds and check every run\n"
              "  explore FILE             run every schedule within a preemption bound\n"
              "  replay FILE --schedule S run one recorded schedule again\n"
              "  shrink FILE --schedule S reduce a failing schedule\n"
              "  check FILE...            parse only\n"
              "  list PATH...             list the scenarios a run would run\n"
              "  exec [opts] -- PROG ...  run an unmodified pthread program under control,\n"
              "                           one process per run (`faultline exec --help`)\n"
              "  cc CC-ARGS...            build a program with scheduling points at shared\n"
              "                           memory accesses (clang; docs/scheduler.md)\n\n"
              "  faultline COMMAND --help   options of a command\n"
              "  faultline --version\n\n"
              "Exit: 0 all passed, 1 a scenario failed, 2 bad usage or input.\n", out);
        break;
    }
}
